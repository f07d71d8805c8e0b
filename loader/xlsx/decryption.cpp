#include "decryption.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <cstring>
#include <memory>

#include "xml.hpp"

namespace xlsx {
namespace {

using Bytes = std::vector<unsigned char>;

// The block keys of MS-OFFCRYPTO 2.3.4.11 to 2.3.4.14: each derives a key or an IV of its own.
const Bytes kVerifierInputKey = {0xfe, 0xa7, 0xd2, 0x76, 0x3b, 0x4b, 0x9e, 0x79};
const Bytes kVerifierValueKey = {0xd7, 0xaa, 0x0f, 0x6d, 0x30, 0x61, 0x34, 0x4e};
const Bytes kSecretKeyKey = {0x14, 0x6e, 0x0b, 0xe7, 0xab, 0xac, 0xd0, 0xd6};
const Bytes kHmacKeyKey = {0x5f, 0xb2, 0xad, 0x01, 0x0c, 0xb9, 0xe1, 0xf6};
const Bytes kHmacValueKey = {0xa0, 0x67, 0x7f, 0x02, 0xb2, 0x2c, 0x84, 0x33};
constexpr size_t kSegmentBytes = 4096;

// Zeroes what held a password or a key before the memory is given back.
struct Wiped {
    Bytes bytes;
    ~Wiped() { OPENSSL_cleanse(bytes.data(), bytes.size()); }
};

[[noreturn]] void fail(ErrorKind kind, const std::string& what, const ErrorLocation& where) {
    throw Error(kind, what, where);
}

uint32_t le32(const unsigned char* p) {
    return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
           static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[3]) << 24;
}

Bytes le32_bytes(uint32_t v) {
    return {static_cast<unsigned char>(v), static_cast<unsigned char>(v >> 8),
            static_cast<unsigned char>(v >> 16), static_cast<unsigned char>(v >> 24)};
}

Bytes concat(const Bytes& a, const Bytes& b) {
    Bytes out = a;
    out.insert(out.end(), b.begin(), b.end());
    return out;
}

// UTF-8 to UTF-16LE, as Office hashes passwords.
Bytes utf16le(const std::string& utf8, const ErrorLocation& where) {
    Bytes out;
    for (size_t i = 0; i < utf8.size();) {
        unsigned char c = static_cast<unsigned char>(utf8[i]);
        int extra = c < 0x80 ? 0 : (c >> 5) == 6 ? 1 : (c >> 4) == 14 ? 2 : (c >> 3) == 30 ? 3 : -1;
        if (extra < 0 || i + static_cast<size_t>(extra) >= utf8.size())
            fail(ErrorKind::WrongPassword, "the password is not valid UTF-8", where);
        uint32_t cp = extra == 0 ? c : c & (0x3F >> extra);
        for (int k = 1; k <= extra; ++k)
            cp = cp << 6 | (static_cast<unsigned char>(utf8[i + k]) & 0x3F);
        i += extra + 1;
        auto put = [&](uint32_t unit) {
            out.push_back(static_cast<unsigned char>(unit));
            out.push_back(static_cast<unsigned char>(unit >> 8));
        };
        if (cp >= 0x10000) {
            put(0xD800 + ((cp - 0x10000) >> 10));
            put(0xDC00 + ((cp - 0x10000) & 0x3FF));
        } else {
            put(cp);
        }
    }
    return out;
}

Bytes base64(const char* text, const ErrorLocation& where) {
    size_t n = std::strlen(text);
    Bytes out(n / 4 * 3 + 3);
    int got = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text),
                              static_cast<int>(n));
    if (got < 0 || n % 4 != 0) fail(ErrorKind::NotWorkbook, "bad base64 in EncryptionInfo", where);
    size_t padding = (n > 0 && text[n - 1] == '=') + (n > 1 && text[n - 2] == '=');
    out.resize(static_cast<size_t>(got) - padding);
    return out;
}

class Hash {
    using Context = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

public:
    Hash(const char* name, const ErrorLocation& where) : md_(EVP_get_digestbyname(name)) {
        if (!md_) fail(ErrorKind::Encrypted, std::string("unknown hash algorithm ") + name, where);
    }
    const EVP_MD* md() const { return md_; }
    // The digest of `a` followed by `b`.
    Bytes operator()(const Bytes& a, const Bytes& b = {}) const {
        Bytes out(EVP_MAX_MD_SIZE);
        unsigned int n = 0;
        Context ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
        if (!ctx || EVP_DigestInit_ex(ctx.get(), md_, nullptr) != 1 ||
            EVP_DigestUpdate(ctx.get(), a.data(), a.size()) != 1 ||
            EVP_DigestUpdate(ctx.get(), b.data(), b.size()) != 1 ||
            EVP_DigestFinal_ex(ctx.get(), out.data(), &n) != 1)
            throw std::bad_alloc();
        out.resize(n);
        return out;
    }
    // The password hash of MS-OFFCRYPTO (2.3.4.7, 2.3.4.11): H0 = H(salt + password), then
    // H(i + H) for each round i, in place (no copy of a password-derived hash is left behind).
    Wiped spun(const Bytes& salt, const Bytes& password, uint32_t rounds) const {
        Wiped h{(*this)(salt, password)};
        Context ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
        for (uint32_t i = 0; i < rounds; ++i) {
            Bytes round = le32_bytes(i);
            unsigned int n = 0;
            if (!ctx || EVP_DigestInit_ex(ctx.get(), md_, nullptr) != 1 ||
                EVP_DigestUpdate(ctx.get(), round.data(), round.size()) != 1 ||
                EVP_DigestUpdate(ctx.get(), h.bytes.data(), h.bytes.size()) != 1 ||
                EVP_DigestFinal_ex(ctx.get(), h.bytes.data(), &n) != 1)
                throw std::bad_alloc();
        }
        return h;
    }

private:
    const EVP_MD* md_;
};

// Truncated to `size`, or padded with `fill` (MS-OFFCRYPTO's rule for keys and IVs).
Bytes fit(Bytes b, size_t size, unsigned char fill) {
    b.resize(size, fill);
    return b;
}

Bytes aes(const EVP_CIPHER* cipher, const Bytes& key, const Bytes* iv, const unsigned char* data,
          size_t size, const ErrorLocation& where) {
    std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(EVP_CIPHER_CTX_new(),
                                                                        EVP_CIPHER_CTX_free);
    Bytes out(size + 32);
    int n = 0, last = 0;
    if (!ctx || size % 16 != 0 ||
        EVP_DecryptInit_ex(ctx.get(), cipher, nullptr, key.data(), iv ? iv->data() : nullptr) !=
            1 ||
        EVP_CIPHER_CTX_set_padding(ctx.get(), 0) != 1 ||
        EVP_DecryptUpdate(ctx.get(), out.data(), &n, data, static_cast<int>(size)) != 1 ||
        EVP_DecryptFinal_ex(ctx.get(), out.data() + n, &last) != 1)
        fail(ErrorKind::NotWorkbook, "a block of the encrypted data does not decrypt", where);
    out.resize(static_cast<size_t>(n + last));
    return out;
}

const EVP_CIPHER* aes_cipher(uint32_t key_bits, bool cbc, const ErrorLocation& where) {
    switch (key_bits) {
        case 128:
            return cbc ? EVP_aes_128_cbc() : EVP_aes_128_ecb();
        case 192:
            return cbc ? EVP_aes_192_cbc() : EVP_aes_192_ecb();
        case 256:
            return cbc ? EVP_aes_256_cbc() : EVP_aes_256_ecb();
    }
    fail(ErrorKind::Encrypted, "an AES key of " + std::to_string(key_bits) + " bits", where);
}

// The encrypted package's stated size, checked against the bytes that follow it.
uint64_t package_size(const std::string& stream, const ErrorLocation& where) {
    if (stream.size() < 8) fail(ErrorKind::NotWorkbook, "the EncryptedPackage is truncated", where);
    const auto* p = reinterpret_cast<const unsigned char*>(stream.data());
    uint64_t size = le32(p) | static_cast<uint64_t>(le32(p + 4)) << 32;
    if (size > stream.size() - 8)
        fail(ErrorKind::NotWorkbook, "the EncryptedPackage is shorter than its stated size", where);
    return size;
}

// Agile encryption's EncryptionInfo: <keyData>, <dataIntegrity> and the password's
// <encryptedKey>.
struct AgileInfo : XmlHandler {
    struct Params {
        std::string salt, hash, cipher, chaining;
        uint32_t key_bits = 0, block_size = 0, hash_size = 0, spin_count = 0;
        std::string verifier_input, verifier_value, key_value;
        bool seen = false;
    };
    Params key_data, password_key;
    std::string hmac_key, hmac_value;
    void read(Params& p, const char** attrs) {
        auto get = [&](const char* name) {
            const char* v = find_attr(attrs, name);
            return std::string(v ? v : "");
        };
        auto number = [&](const char* name) {
            const char* v = find_attr(attrs, name);
            return static_cast<uint32_t>(v ? std::strtoul(v, nullptr, 10) : 0);
        };
        p.seen = true;
        p.salt = get("saltValue");
        p.hash = get("hashAlgorithm");
        p.cipher = get("cipherAlgorithm");
        p.chaining = get("cipherChaining");
        p.key_bits = number("keyBits");
        p.block_size = number("blockSize");
        p.hash_size = number("hashSize");
        p.spin_count = number("spinCount");
        p.verifier_input = get("encryptedVerifierHashInput");
        p.verifier_value = get("encryptedVerifierHashValue");
        p.key_value = get("encryptedKeyValue");
    }
    void start(const char* local, const char** attrs) override {
        if (std::strcmp(local, "keyData") == 0) {
            read(key_data, attrs);
        } else if (std::strcmp(local, "dataIntegrity") == 0) {
            const char* k = find_attr(attrs, "encryptedHmacKey");
            const char* v = find_attr(attrs, "encryptedHmacValue");
            hmac_key = k ? k : "";
            hmac_value = v ? v : "";
        } else if (std::strcmp(local, "encryptedKey") == 0 && !password_key.seen) {
            read(password_key, attrs);
        }
    }
};

std::vector<unsigned char> decrypt_agile(const std::string& info, const std::string& package,
                                         const std::string& password, const ErrorLocation& where) {
    AgileInfo a;
    parse_text(std::string_view(info).substr(8), where, a);
    const auto& k = a.password_key;
    if (!a.key_data.seen || !k.seen)
        fail(ErrorKind::Encrypted, "the workbook is not encrypted with a password", where);
    if (k.cipher != "AES" || a.key_data.cipher != "AES" || k.chaining != "ChainingModeCBC")
        fail(ErrorKind::Encrypted,
             "the workbook is encrypted with " + k.cipher + " (" + k.chaining +
                 "); only AES is read",
             where);
    if (k.spin_count > kMaxSpinCount)
        fail(ErrorKind::LimitExceeded,
             "the key derivation asks for " + std::to_string(k.spin_count) + " hash rounds", where);
    Hash hash(k.hash.c_str(), where), data_hash(a.key_data.hash.c_str(), where);
    const EVP_CIPHER* cipher = aes_cipher(k.key_bits, true, where);
    Bytes salt = base64(k.salt.c_str(), where);

    // The password's hash, spun, then one key per purpose.
    Wiped h = hash.spun(salt, Wiped{utf16le(password, where)}.bytes, k.spin_count);
    auto key_for = [&](const Bytes& block) {
        return fit(hash(h.bytes, block), k.key_bits / 8, 0x36);
    };
    Bytes iv = fit(salt, k.block_size, 0x36);
    auto decrypt = [&](const Bytes& key, const Bytes& ivec, const std::string& b64) {
        Bytes data = base64(b64.c_str(), where);
        return aes(cipher, key, &ivec, data.data(), data.size(), where);
    };
    Bytes input = fit(decrypt(key_for(kVerifierInputKey), iv, k.verifier_input), salt.size(), 0);
    Bytes value = fit(decrypt(key_for(kVerifierValueKey), iv, k.verifier_value), k.hash_size, 0);
    if (hash(input) != value)
        fail(ErrorKind::WrongPassword, "the password does not open the workbook", where);
    Wiped secret{fit(decrypt(key_for(kSecretKeyKey), iv, k.key_value), k.key_bits / 8, 0)};

    // The package's integrity: an HMAC over the whole EncryptedPackage stream.
    Bytes data_salt = base64(a.key_data.salt.c_str(), where);
    const EVP_CIPHER* data_cipher = aes_cipher(a.key_data.key_bits, true, where);
    auto data_iv = [&](const Bytes& block) {
        return fit(data_hash(data_salt, block), a.key_data.block_size, 0x36);
    };
    if (a.hmac_key.empty() || a.hmac_value.empty())
        fail(ErrorKind::CorruptZip, "the encrypted package has no integrity check", where);
    Bytes hmac_key_data = base64(a.hmac_key.c_str(), where);
    Bytes hmac_value_data = base64(a.hmac_value.c_str(), where);
    Bytes key_iv = data_iv(kHmacKeyKey), value_iv = data_iv(kHmacValueKey);
    Wiped hmac_key{fit(
        aes(data_cipher, secret.bytes, &key_iv, hmac_key_data.data(), hmac_key_data.size(), where),
        a.key_data.hash_size, 0)};
    Bytes expected = fit(aes(data_cipher, secret.bytes, &value_iv, hmac_value_data.data(),
                             hmac_value_data.size(), where),
                         a.key_data.hash_size, 0);
    Bytes actual(EVP_MAX_MD_SIZE);
    size_t actual_size = 0;
    if (!EVP_Q_mac(nullptr, "HMAC", nullptr, EVP_MD_get0_name(data_hash.md()), nullptr,
                   hmac_key.bytes.data(), hmac_key.bytes.size(),
                   reinterpret_cast<const unsigned char*>(package.data()), package.size(),
                   actual.data(), actual.size(), &actual_size) ||
        Bytes(actual.begin(), actual.begin() + actual_size) != expected)
        fail(ErrorKind::CorruptZip,
             "the encrypted package fails its integrity check (HMAC): it was changed or damaged",
             where);

    // The package, segment by segment, each with an IV of its number.
    uint64_t size = package_size(package, where);
    const auto* data = reinterpret_cast<const unsigned char*>(package.data()) + 8;
    uint64_t available = package.size() - 8;
    std::vector<unsigned char> out;
    out.reserve(size);
    for (uint32_t segment = 0; out.size() < size; ++segment) {
        uint64_t at = static_cast<uint64_t>(segment) * kSegmentBytes;
        size_t n = static_cast<size_t>(std::min<uint64_t>(kSegmentBytes, available - at));
        n -= n % 16;
        if (n == 0) fail(ErrorKind::NotWorkbook, "the EncryptedPackage is truncated", where);
        Bytes segment_iv = data_iv(le32_bytes(segment));
        Bytes plain = aes(data_cipher, secret.bytes, &segment_iv, data + at, n, where);
        out.insert(out.end(), plain.begin(),
                   plain.begin() + static_cast<long>(std::min<uint64_t>(n, size - out.size())));
    }
    return out;
}

// Standard encryption (MS-OFFCRYPTO 2.3.4.5 to 2.3.4.9): SHA-1 spun 50,000 times, AES-ECB.
std::vector<unsigned char> decrypt_standard(const std::string& info, const std::string& package,
                                            const std::string& password,
                                            const ErrorLocation& where) {
    const auto* p = reinterpret_cast<const unsigned char*>(info.data());
    if (info.size() < 12) fail(ErrorKind::NotWorkbook, "EncryptionInfo is truncated", where);
    uint32_t header_size = le32(p + 8);
    if (header_size < 32 ||
        info.size() < 12 + static_cast<uint64_t>(header_size) + 4 + 16 + 16 + 4 + 32)
        fail(ErrorKind::NotWorkbook, "EncryptionInfo is truncated", where);
    const unsigned char* header = p + 12;
    uint32_t alg = le32(header + 8), hash_alg = le32(header + 12), key_bits = le32(header + 16);
    if (alg < 0x660E || alg > 0x6610 || (hash_alg != 0 && hash_alg != 0x8004))
        fail(ErrorKind::Encrypted, "the workbook's standard encryption is not AES with SHA-1",
             where);
    const unsigned char* verifier = header + header_size;
    uint32_t salt_size = le32(verifier);
    if (salt_size != 16) fail(ErrorKind::NotWorkbook, "EncryptionInfo has a bad salt", where);
    Bytes salt(verifier + 4, verifier + 20);
    const unsigned char* encrypted_verifier = verifier + 20;
    const unsigned char* encrypted_hash = verifier + 40;

    Hash sha1("SHA1", where);
    Wiped h = sha1.spun(salt, Wiped{utf16le(password, where)}.bytes, 50000);
    Wiped final_hash{sha1(h.bytes, le32_bytes(0))};
    auto derive = [&](unsigned char pad) {
        Bytes buf(64, pad);
        for (size_t i = 0; i < final_hash.bytes.size(); ++i)
            buf[i] ^= final_hash.bytes[i];
        return sha1(buf);
    };
    Wiped key{fit(concat(derive(0x36), derive(0x5c)), key_bits / 8, 0)};
    const EVP_CIPHER* cipher = aes_cipher(key_bits, false, where);
    Bytes plain_verifier = aes(cipher, key.bytes, nullptr, encrypted_verifier, 16, where);
    Bytes plain_hash = fit(aes(cipher, key.bytes, nullptr, encrypted_hash, 32, where), 20, 0);
    if (sha1(plain_verifier) != plain_hash)
        fail(ErrorKind::WrongPassword, "the password does not open the workbook", where);

    uint64_t size = package_size(package, where);
    size_t blocks = (package.size() - 8) / 16 * 16;  // a last partial block holds no data
    if (blocks < size) fail(ErrorKind::NotWorkbook, "the EncryptedPackage is truncated", where);
    Bytes plain = aes(cipher, key.bytes, nullptr,
                      reinterpret_cast<const unsigned char*>(package.data()) + 8, blocks, where);
    plain.resize(size);
    return plain;
}

}  // namespace

std::vector<unsigned char> decrypt_package(const CompoundFile& file, const std::string& password,
                                           const ErrorLocation& where) {
    auto info = file.stream("EncryptionInfo");
    auto package = file.stream("EncryptedPackage");
    if (!info || !package || info->size() < 8)
        fail(ErrorKind::NotWorkbook, "the encrypted workbook lacks its EncryptionInfo or package",
             where);
    const auto* p = reinterpret_cast<const unsigned char*>(info->data());
    uint16_t major = static_cast<uint16_t>(p[0] | p[1] << 8);
    uint16_t minor = static_cast<uint16_t>(p[2] | p[3] << 8);
    if (major == 4 && minor == 4) return decrypt_agile(*info, *package, password, where);
    if ((major == 2 || major == 3 || major == 4) && minor == 2)
        return decrypt_standard(*info, *package, password, where);
    fail(ErrorKind::Encrypted,
         "the workbook uses an encryption this reader does not know (version " +
             std::to_string(major) + "." + std::to_string(minor) + ")",
         where);
}

}  // namespace xlsx
