#include "fuzz_entries.hpp"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "export/cell_encoding.hpp"
#include "support/zip_writer.hpp"
#include "xlsx/decryption.hpp"
#include "xlsx/error.hpp"
#include "xlsx/sheet_reader.hpp"

namespace fuzz {

namespace {

// Small bounds, so that a hostile input hits them quickly; small chunks, so that inputs cross
// chunk boundaries.
xlsx::ReaderOptions options() {
    xlsx::ReaderOptions o;
    o.threads = 1;
    o.chunk_bytes = 4096;
    o.limits.max_part_bytes = 16 << 20;
    o.limits.max_cell_bytes = 1 << 20;
    o.limits.max_shared_strings_bytes = 16 << 20;
    return o;
}

std::string scratch_path() {
    static const std::string path = "/tmp/xlsx2pg-fuzz-" + std::to_string(getpid()) + ".xlsx";
    return path;
}

void write_file(const std::string& path, const uint8_t* data, size_t size) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
}

void read_all_sheets(const std::string& path) {
    try {
        xlsx::Workbook book(path, options());
        for (const auto& info : book.sheets()) {
            if (info.kind != "worksheet" || info.part.empty()) continue;
            // As it is, then as a report: merges filled, two header rows, source columns.
            xlsx::SheetShape report;
            report.fill_merged = true;
            report.header_row = 1;
            report.header_rows = 2;
            report.source_columns = xlsx::parse_source_columns("file,sheet,row");
            for (const xlsx::SheetShape& shape : {xlsx::SheetShape{}, report}) {
                xlsx::SheetReader reader(book, info, true, {}, shape);
                while (auto batch = reader.next()) {
                    for (const auto& row : batch->rows)
                        for (const auto& cell : batch->cells_of(row))
                            (void)cell.text().size();
                }
            }
        }
    } catch (const xlsx::Error&) {
        // Refusing bad input with a reader error is the expected outcome.
    }
}

void minimal(const std::string& sheet_xml, const std::string& sst, const std::string& styles_xml) {
    std::string path = scratch_path();
    testsupport::write_zip(path, testsupport::minimal_workbook(sheet_xml, sst, styles_xml));
    read_all_sheets(path);
}

std::string text(const uint8_t* data, size_t size) {
    return std::string(reinterpret_cast<const char*>(data), size);
}

// A sheet that uses shared strings 0..3 and styles 0..3, for the string and style targets.
const char* kProbeSheet =
    R"(<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>)"
    R"(<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>3</v></c>)"
    R"(<c r="C1" s="1"><v>45000.5</v></c><c r="D1" s="3"><v>0.25</v></c></row>)"
    R"(<row r="2"><c r="A2" t="s"><v>1</v></c><c r="B2" s="2"><v>60</v></c></row>)"
    R"(</sheetData></worksheet>)";

}  // namespace

void package(const uint8_t* data, size_t size) {
    std::string path = scratch_path();
    write_file(path, data, size);
    try {
        xlsx::Package pkg(path, options().limits);
        std::vector<char> buffer(1 << 16);
        for (const auto& part : pkg.parts()) {
            auto stream = pkg.open(part);
            while (stream->read(buffer.data(), buffer.size()) > 0) {
            }
        }
    } catch (const xlsx::Error&) {
    }
}

void workbook(const uint8_t* data, size_t size) {
    std::string path = scratch_path();
    write_file(path, data, size);
    read_all_sheets(path);
}

void sheet(const uint8_t* data, size_t size) {
    minimal(text(data, size), "", "");
}

void shared_strings(const uint8_t* data, size_t size) {
    minimal(kProbeSheet, text(data, size), "");
}

void styles(const uint8_t* data, size_t size) {
    minimal(kProbeSheet, "", text(data, size));
}

void encrypted(const uint8_t* data, size_t size) {
    try {
        xlsx::ReaderOptions o = options();
        o.password = "password";  // the corpus seeds' (excelize's), so that decryption is reached
        xlsx::CompoundFile file({data, size}, xlsx::ErrorLocation{"fuzz"});
        (void)xlsx::decrypt_package(file, *o.password, xlsx::ErrorLocation{"fuzz"});
    } catch (const xlsx::Error&) {
    }
}

void legacy(const uint8_t* data, size_t size) {
    try {
        xlsx::LegacyWorkbook book(
            std::make_shared<const std::string>(reinterpret_cast<const char*>(data), size),
            xlsx::ErrorLocation{"fuzz"});
        for (size_t i = 0; i < book.sheets().size(); ++i)
            (void)book.read_sheet(i, book.sheets()[i].name);
    } catch (const xlsx::Error&) {
    }
}

void cells(const uint8_t* data, size_t size) {
    std::string_view value(reinterpret_cast<const char*>(data), size);
    std::string scratch;
    for (int k = 0; k <= static_cast<int>(xlsx_report::ColumnKind::Text); ++k) {
        auto kind = static_cast<xlsx_report::ColumnKind>(k);
        xlsx_report::Cell cell = xlsx_report::encode_cell(kind, value, scratch);
        // A number cell holds a finite double; a text cell says why, unless the column is text.
        if (cell.type == xlsx_report::Cell::Type::Number && !std::isfinite(cell.number)) abort();
        if (cell.type == xlsx_report::Cell::Type::String && !cell.text_reason &&
            kind != xlsx_report::ColumnKind::Text && kind != xlsx_report::ColumnKind::Boolean)
            abort();
    }
}

bool run(const std::string& target, const std::string& input) {
    auto* bytes = reinterpret_cast<const uint8_t*>(input.data());
    if (target == "package")
        package(bytes, input.size());
    else if (target == "workbook")
        workbook(bytes, input.size());
    else if (target == "sheet")
        sheet(bytes, input.size());
    else if (target == "shared_strings")
        shared_strings(bytes, input.size());
    else if (target == "styles")
        styles(bytes, input.size());
    else if (target == "encrypted")
        encrypted(bytes, input.size());
    else if (target == "legacy")
        legacy(bytes, input.size());
    else if (target == "cells")
        cells(bytes, input.size());
    else
        return false;
    return true;
}

}  // namespace fuzz
