// Legacy .xls records written one by one: what LibreOffice's files (check_xls.py) do not hold.
// BIFF5 (Excel 5 and 95, byte strings in the code page), a shared string cut by a CONTINUE
// record where its characters change width, every cell record, and damaged or encrypted files.
#include <gtest/gtest.h>

#include <cstring>

#include "support/compound_writer.hpp"
#include "support/reader_errors.hpp"
#include "support/temp_files.hpp"
#include "xlsx/cell_range.hpp"
#include "xlsx/error.hpp"
#include "xlsx/sheet_reader.hpp"

using namespace xlsx;
using testsupport::compound_file;
using testsupport::error_of;
using testsupport::temp_path;

namespace {

std::string u16(uint16_t v) {
    return {static_cast<char>(v & 0xFF), static_cast<char>(v >> 8)};
}
std::string u32(uint32_t v) {
    return u16(static_cast<uint16_t>(v & 0xFFFF)) + u16(static_cast<uint16_t>(v >> 16));
}
std::string f64(double v) {
    std::string s(8, '\0');
    std::memcpy(s.data(), &v, 8);
    return s;
}
std::string record(uint16_t type, const std::string& data) {
    return u16(type) + u16(static_cast<uint16_t>(data.size())) + data;
}
std::string cell(uint16_t row, uint16_t column, uint16_t xf) {
    return u16(row) + u16(column) + u16(xf);
}
// BIFF8's compressed (one byte per character) XLUnicodeString.
std::string unicode(const std::string& latin1) {
    return u16(static_cast<uint16_t>(latin1.size())) + '\0' + latin1;
}

// A workbook stream: the globals (with `boundsheets` pointing past them), then the sheets.
std::string workbook_stream(uint16_t version, const std::string& globals,
                            const std::vector<std::pair<std::string, std::string>>& sheets) {
    auto bof = [&](uint16_t kind) { return record(0x0809, u16(version) + u16(kind) + u32(0)); };
    auto boundsheet = [&](uint32_t offset, const std::string& name) {
        std::string n = version == 0x0600
                            ? std::string(1, static_cast<char>(name.size())) + '\0' + name
                            : std::string(1, static_cast<char>(name.size())) + name;
        return record(0x0085, u32(offset) + '\0' + '\0' + n);
    };
    // The boundsheets' size does not depend on the offsets: measure, then write.
    size_t size = bof(5).size() + globals.size() + record(0x000A, "").size();
    for (const auto& [name, body] : sheets)
        size += boundsheet(0, name).size();
    std::string head = bof(5) + globals, tail;
    for (const auto& [name, body] : sheets) {
        head += boundsheet(static_cast<uint32_t>(size + tail.size()), name);
        tail += bof(0x10) + body + record(0x000A, "");
    }
    return head + record(0x000A, "") + tail;
}

std::string write_xls(const std::string& name, const std::string& stream,
                      const std::string& stream_name = "Workbook") {
    std::string path = temp_path(name + ".xls");
    FILE* f = std::fopen(path.c_str(), "wb");
    std::string bytes = compound_file(stream_name, stream);
    std::fwrite(bytes.data(), 1, bytes.size(), f);
    std::fclose(f);
    return path;
}

std::string dump(const std::string& path, const std::string& sheet = "1") {
    Workbook workbook(path);
    SheetReader reader(workbook, workbook.sheet(sheet));
    std::string out;
    while (auto batch = reader.next())
        for (const Row& row : batch->rows)
            for (const Cell& c : batch->cells_of(row))
                out += column_name(c.column) + std::to_string(row.number) + "=" +
                       std::string(c.text()) + ":" + cell_type_name(c.type) + "\n";
    return out;
}

const std::string kXfs = record(0x00E0, u16(0) + u16(0) + std::string(16, '\0')) +    // General
                         record(0x00E0, u16(0) + u16(164) + std::string(16, '\0')) +  // custom
                         record(0x00E0, u16(0) + u16(21) + std::string(16, '\0'));    // h:mm:ss

}  // namespace

TEST(LegacyXls, Biff8CellRecordsAndAStringCutByContinue) {
    // "naïve" starts compressed, then a CONTINUE restarts it as UTF-16 ("ï" and a surrogate
    // pair for U+1F3A8); rich runs after the characters are skipped across the record too.
    std::string sst_head = u32(3) + u32(3) + unicode("plain") + u16(9) + '\x08' + u16(1) + "na";
    std::string sst_tail = std::string("\x01", 1) + u16(0xEF) + u16('v') + u16('e') + u16(' ') +
                           u16(0xD83C) + u16(0xDFA8) + u16('!') + u32(0x00010000) +
                           unicode("third");
    std::string globals = record(0x0022, u16(1)) +  // the 1904 date system
                          record(0x041E, u16(164) + unicode("yyyy-mm-dd")) + kXfs +
                          record(0x00FC, sst_head) + record(0x003C, sst_tail);
    std::string sheet =
        record(0x00FD, cell(0, 0, 0) + u32(0)) + record(0x00FD, cell(0, 1, 0) + u32(1)) +
        record(0x00FD, cell(0, 2, 0) + u32(2)) +
        record(0x0203, cell(1, 0, 1) + f64(43844)) +             // 2024-01-15 in the 1904 system
        record(0x027E, cell(1, 1, 0) + u32((1234u << 2) | 3)) +  // an integer RK / 100
        // MULRK: a double RK (1.5) and an integer one (-7), then the last column.
        record(0x00BD, u16(1) + u16(2) + u16(0) + u32(0x3FF80000) + u16(2) +
                           u32(static_cast<uint32_t>(-7 << 2) | 2) + u16(3)) +
        record(0x0205, cell(2, 0, 0) + '\x01' + '\x00') +  // TRUE
        record(0x0205, cell(2, 1, 0) + '\x2A' + '\x01') +  // #N/A
        // Formulas: a boolean, an error, a number and a string (in the STRING record after).
        record(0x0006, cell(3, 0, 0) + std::string("\x01\x00\x01\x00\x00\x00\xFF\xFF", 8) +
                           std::string(8, '\0')) +
        record(0x0006, cell(3, 1, 0) + std::string("\x02\x00\x07\x00\x00\x00\xFF\xFF", 8) +
                           std::string(8, '\0')) +
        record(0x0006, cell(3, 2, 0) + f64(0.1) + std::string(8, '\0')) +
        record(0x0006, cell(3, 3, 0) + std::string("\x00\x00\x00\x00\x00\x00\xFF\xFF", 8) +
                           std::string(8, '\0')) +
        record(0x0207, unicode("result")) + record(0x0204, cell(4, 1, 0) + unicode("label")) +
        record(0x0203, cell(4, 0, 2) + f64(0.75));
    auto path =
        write_xls("biff8", workbook_stream(0x0600, globals, {{"Data", sheet}, {"Other", ""}}));
    Workbook workbook(path);
    EXPECT_TRUE(workbook.date1904());
    ASSERT_EQ(workbook.sheets().size(), 2u);
    EXPECT_EQ(workbook.sheets()[0].name, "Data");
    EXPECT_EQ(dump(path),
              "A1=plain:string\nB1=naïve 🎨!:string\nC1=third:string\n"
              "A2=2024-01-15:date\nB2=12.34:number\nC2=1.5:number\nD2=-7:number\n"
              "A3=true:boolean\nB3=#N/A:error\n"
              "A4=true:boolean\nB4=#DIV/0!:error\nC4=0.1:number\nD4=result:string\n"
              "A5=18:00:00:time\nB5=label:string\n");
    EXPECT_EQ(dump(path, "Other"), "");
}

TEST(LegacyXls, Biff5ByteStringsInTheCodePage) {
    std::string globals = record(0x0042, u16(1252)) +
                          record(0x041E, u16(164) + std::string(1, 10) + "yyyy-mm-dd") + kXfs;
    std::string sheet =
        record(0x0204, cell(0, 0, 0) + u16(5) +
                           "Gr\xFC\xDF"
                           "e") +
        record(0x0203, cell(0, 1, 1) + f64(45306)) +
        record(0x0006, cell(1, 0, 0) + std::string("\x00\x00\x00\x00\x00\x00\xFF\xFF", 8) +
                           std::string(8, '\0')) +
        record(0x0207, u16(4) + "\x80 10");
    auto path =
        write_xls("biff5", workbook_stream(0x0500, globals, {{"Bl\xE4tter", sheet}}), "Book");
    Workbook workbook(path);
    EXPECT_EQ(workbook.sheets()[0].name, "Blätter");
    EXPECT_EQ(dump(path), "A1=Grüße:string\nB1=2024-01-15:date\nA2=€ 10:string\n");
}

TEST(LegacyXls, DamagedEncryptedAndOlderFilesAreRefusedClearly) {
    std::string message;
    // A record whose length runs past the stream.
    std::string stream = workbook_stream(0x0600, kXfs, {{"Data", ""}});
    std::string cut = stream.substr(0, 12) + u16(0x0203) + u16(8000);  // after BOF; past 4096
    EXPECT_EQ(error_of([&] { Workbook w(write_xls("cut", cut)); }, &message),
              ErrorKind::CorruptZip);
    EXPECT_NE(message.find("runs past the end"), std::string::npos) << message;
    // A shared string past the table.
    auto path = write_xls(
        "sst_index",
        workbook_stream(0x0600, kXfs, {{"Data", record(0x00FD, cell(0, 0, 0) + u32(9))}}));
    EXPECT_EQ(error_of([&] { dump(path); }, &message), ErrorKind::CorruptZip);
    EXPECT_NE(message.find("shared string 9 is past the 0 strings"), std::string::npos) << message;
    EXPECT_NE(message.find("Data"), std::string::npos) << message;
    // RC4 encryption (FILEPASS) and BIFF4.
    path = write_xls("filepass", workbook_stream(0x0600, record(0x002F, u16(1)), {}));
    EXPECT_EQ(error_of([&] { Workbook w(path); }, &message), ErrorKind::LegacyXls);
    EXPECT_NE(message.find("encrypted"), std::string::npos) << message;
    path = write_xls("biff4", record(0x0409, u16(0) + u16(0x10)));
    EXPECT_EQ(error_of([&] { Workbook w(path); }, &message), ErrorKind::LegacyXls);
    // An OLE2 file that is no workbook (a Word document's stream).
    path = write_xls("word", "text", "WordDocument");
    EXPECT_EQ(error_of([&] { Workbook w(path); }, &message), ErrorKind::NotWorkbook);
}
