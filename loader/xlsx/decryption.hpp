// Password-protected workbooks (MS-OFFCRYPTO, ECMA-376 encryption): an OLE2 container whose
// EncryptionInfo stream says how the EncryptedPackage stream, the real .xlsx, was encrypted.
// Agile encryption (Excel 2010 and later: a hash with a spin count, AES-CBC in 4096-byte
// segments, an HMAC over the package) and standard encryption (Excel 2007: SHA-1, AES-ECB),
// with OpenSSL.
#pragma once

#include <string>
#include <vector>

#include "compound_file.hpp"

namespace xlsx {

// A key derivation may not ask for more hash rounds than this (Excel uses 100,000).
constexpr uint32_t kMaxSpinCount = 10'000'000;

// The decrypted package. Throws Error: WrongPassword, Encrypted (an encryption this reader
// does not know), CorruptZip (a package that fails its integrity check), NotWorkbook (damaged
// streams). The password is UTF-8; it is never part of a message.
std::vector<unsigned char> decrypt_package(const CompoundFile& file, const std::string& password,
                                           const ErrorLocation& where);

}  // namespace xlsx
