// The compound file reader and the decryption on the corpus's password-protected workbooks
// (also under ASan): each opens with its password into a zip, refuses a wrong one, and every
// truncation of it is a reader error, never a crash.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <map>
#include <variant>

#include "xlsx/decryption.hpp"
#include "xlsx/workbook.hpp"

namespace {

const std::map<std::string, std::string> kPasswords = {
    {"excelize__encryptAES.xlsx", "password"},
    {"xlsxpopulate__encryption_out.xlsx", "new password"},
    {"xlsxpopulate__e2e-parse_encrypted_input.xlsx", "open sesame"},
    {"calamine__pass_protected.xlsx", "123"},
    {"poi__extenxls_pwd123.xlsx", "pwd123"},
    {"poi__protect.xlsx", "VelvetSweatshop"},
    {"poi__58616.xlsx", "VelvetSweatshop"},
};

std::vector<unsigned char> bytes_of(const std::string& name) {
    std::ifstream in(std::string(XLSX_CORPUS_DIR) + "/files/" + name, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

// The package, or the reader's error kind.
std::variant<std::vector<unsigned char>, xlsx::ErrorKind> decrypting(
    std::span<const unsigned char> bytes, const std::string& password) {
    try {
        xlsx::CompoundFile file(bytes, xlsx::ErrorLocation{"test"});
        return xlsx::decrypt_package(file, password, xlsx::ErrorLocation{"test"});
    } catch (const xlsx::Error& e) {
        return e.kind();
    }
}

TEST(Decryption, TheCorpusWorkbooksOpenWithTheirPasswordsIntoZips) {
    for (const auto& [name, password] : kPasswords) {
        auto bytes = bytes_of(name);
        ASSERT_FALSE(bytes.empty()) << name;
        xlsx::CompoundFile file(bytes, xlsx::ErrorLocation{name});
        auto package = xlsx::decrypt_package(file, password, xlsx::ErrorLocation{name});
        ASSERT_GT(package.size(), 4u) << name;
        EXPECT_EQ(std::string(package.begin(), package.begin() + 2), "PK") << name;
        xlsx::ReaderOptions options;
        options.password = password;
        xlsx::Workbook workbook(name, xlsx::MemoryFile{bytes.data(), bytes.size()}, options);
        EXPECT_FALSE(workbook.sheets().empty()) << name;
        EXPECT_TRUE(workbook.package().decrypted()) << name;
        EXPECT_EQ(std::get<xlsx::ErrorKind>(decrypting(bytes, password + "x")),
                  xlsx::ErrorKind::WrongPassword)
            << name;
    }
}

// A cut file is an error, or (cut only in the slack after the package) the very package:
// never anything else.
TEST(Decryption, ATruncatedFileIsAnErrorNeverAnotherPackage) {
    for (const char* name : {"xlsxpopulate__encryption_out.xlsx", "excelize__encryptAES.xlsx"}) {
        auto bytes = bytes_of(name);
        auto whole = std::get<std::vector<unsigned char>>(decrypting(bytes, kPasswords.at(name)));
        int errors = 0;
        for (size_t cut = 0; cut < bytes.size(); cut += 509) {
            auto result = decrypting({bytes.data(), cut}, kPasswords.at(name));
            if (std::holds_alternative<xlsx::ErrorKind>(result))
                ++errors;
            else
                EXPECT_EQ(std::get<std::vector<unsigned char>>(result), whole)
                    << name << " cut at " << cut;
        }
        EXPECT_GT(errors, 10) << name;
    }
}

}  // namespace
