// What XML 1.0 and ECMA-376 allow beyond what most writers emit: parts in other encodings,
// references and whitespace where XML permits them, _xHHHH_ escapes in names, every kind of
// sheet, and serials Excel shows as numbers although their format is a date's.
#include <gtest/gtest.h>

#include "support/reader_errors.hpp"
#include "support/zip_writer.hpp"
#include "xlsx/cell_range.hpp"
#include "xlsx/error.hpp"
#include "xlsx/sheet_reader.hpp"

using namespace xlsx;
using testsupport::error_of;
using testsupport::minimal_workbook;
using testsupport::temp_path;
using testsupport::write_zip;
using testsupport::ZipEntry;

namespace {

const std::string kSheetOpen =
    R"(<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>)";
const std::string kSheetClose = "</sheetData></worksheet>";

std::string dump_sheet(const Workbook& workbook, const SheetInfo& sheet) {
    SheetReader reader(workbook, sheet);
    std::string out;
    while (auto batch = reader.next())
        for (const Row& row : batch->rows)
            for (const Cell& cell : batch->cells_of(row))
                out += column_name(cell.column) + std::to_string(row.number) + "=" +
                       std::string(cell.text()) + ":" + cell_type_name(cell.type) + "\n";
    return out;
}

std::string dump(const std::string& path) {
    ReaderOptions options;
    options.threads = 1;
    Workbook workbook(path, options);
    return dump_sheet(workbook, workbook.first_sheet());
}

std::string write(const std::string& name, std::vector<ZipEntry> entries) {
    std::string path = temp_path(name + ".xlsx");
    write_zip(path, entries);
    return path;
}

ZipEntry& entry(std::vector<ZipEntry>& entries, const std::string& name) {
    for (auto& e : entries)
        if (e.name == name) return e;
    throw std::runtime_error("no entry " + name);
}

// UTF-8 text (ASCII and Latin-1 characters only) as UTF-16, either byte order.
std::string utf16(const std::string& utf8, bool big_endian, bool bom) {
    std::string out;
    auto unit = [&](uint16_t u) {
        out.push_back(static_cast<char>(big_endian ? u >> 8 : u & 0xFF));
        out.push_back(static_cast<char>(big_endian ? u & 0xFF : u >> 8));
    };
    if (bom) unit(0xFEFF);
    for (size_t i = 0; i < utf8.size(); ++i) {
        auto c = static_cast<unsigned char>(utf8[i]);
        if (c < 0x80) {
            unit(c);
        } else {
            unit(static_cast<uint16_t>(((c & 0x1F) << 6) | (utf8[++i] & 0x3F)));
        }
    }
    return out;
}

}  // namespace

TEST(XmlForms, PartsInEveryEncodingXmlAllows) {
    const std::string rows =
        R"(<row r="1"><c r="A1" t="inlineStr"><is><t>café</t></is></c><c r="B1" t="s"><v>0</v></c></row>)";
    const std::string strings = R"(<sst><si><t>naïve</t></si></sst>)";
    const std::string expected = "A1=café:string\nB1=naïve:string\n";

    // UTF-16 with a byte order mark, little-endian sheet and big-endian strings.
    auto entries = minimal_workbook(
        utf16(R"(<?xml version="1.0" encoding="UTF-16"?>)" + kSheetOpen + rows + kSheetClose, false,
              true),
        utf16(R"(<?xml version="1.0" encoding="UTF-16"?>)" + strings, true, true));
    EXPECT_EQ(dump(write("utf16_bom", entries)), expected);

    // UTF-16 without a mark: the declaration's "<?" tells the byte order (XML 1.0 appendix F).
    entries = minimal_workbook(
        utf16(R"(<?xml version="1.0" encoding="UTF-16"?>)" + kSheetOpen + rows + kSheetClose, true,
              false),
        utf16(R"(<?xml version="1.0" encoding="utf-16"?>)" + strings, false, false));
    EXPECT_EQ(dump(write("utf16_no_bom", entries)), expected);

    // Single-byte encodings named by the declaration; the workbook part too (the sheet name).
    auto latin1 = [](const std::string& utf8) {
        std::string out;
        for (size_t i = 0; i < utf8.size(); ++i) {
            auto c = static_cast<unsigned char>(utf8[i]);
            out.push_back(c < 0x80 ? static_cast<char>(c)
                                   : static_cast<char>(((c & 0x1F) << 6) | (utf8[++i] & 0x3F)));
        }
        return out;
    };
    entries = minimal_workbook(
        latin1(R"(<?xml version="1.0" encoding="ISO-8859-1"?>)" + kSheetOpen + rows + kSheetClose),
        latin1(R"(<?xml version='1.0' encoding='windows-1252'?>)" + strings));
    entry(entries, "xl/workbook.xml").content = latin1(
        R"(<?xml version="1.0" encoding="iso-8859-15"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Données" sheetId="1" r:id="rId1"/></sheets></workbook>)");
    auto path = write("latin1", entries);
    EXPECT_EQ(dump(path), expected);
    EXPECT_EQ(Workbook(path).sheets()[0].name, "Données");

    // An encoding this system has no converter for, and bytes not valid in the one declared.
    entries = minimal_workbook(R"(<?xml version="1.0" encoding="x-no-such"?>)" + kSheetOpen + rows +
                               kSheetClose);
    std::string message;
    EXPECT_EQ(error_of([&] { dump(write("unknown_encoding", entries)); }, &message),
              ErrorKind::Unsupported);
    EXPECT_NE(message.find("x-no-such"), std::string::npos) << message;
    EXPECT_NE(message.find("xl/worksheets/data.xml"), std::string::npos) << message;
    std::string lone_surrogate = utf16(kSheetOpen, false, true) + std::string("\x00\xD8", 2) +
                                 utf16(kSheetClose, false, false);
    entries = minimal_workbook(lone_surrogate);
    EXPECT_EQ(error_of([&] { dump(write("bad_utf16", entries)); }, &message),
              ErrorKind::MalformedXml);
    EXPECT_NE(message.find("not valid UTF-16LE"), std::string::npos) << message;
}

TEST(XmlForms, ReferencesAndWhitespaceWhereXmlAllowsThem) {
    // Pretty-printed XML, whitespace around '=', character references in attributes and
    // values, end tags with a space: what any XML parser reads, the splitter reads the same.
    const std::string rows =
        "<row\n\tr = \"&#49;\"\n>\n"
        "  <c r=\" A1 \" t=\"s\">\n    <v>\n      0\n    </v>\n  </c>\n"
        "  <c r='&#x42;1'>\n    <v> 4&#50; </v>\n  </c>\n"
        "  <c\tr=\"C1\"\tt=\"b\"><v> 1 </v></c>\n"
        "  <c r=\"D1\" t=\"inlineStr\"><is><t xml:space=\"preserve\"> kept </t></is></c>\n"
        "  <c r=\"E1\" t=\"str\"><v> kept too </v></c>\n"
        "</row\n>\n"
        "<row r=\"&#x33;\" ><c r=\"A3\" s=\" 1 \"><v>\n45306\n</v></c></row >\n";
    const std::string styles =
        R"(<styleSheet><cellXfs><xf numFmtId="0"/><xf numFmtId="14"/></cellXfs></styleSheet>)";
    auto entries =
        minimal_workbook(R"(<?xml version = "1.0" encoding = "UTF-8" ?>)"
                         "\n" +
                             kSheetOpen.substr(0, kSheetOpen.size() - 11) + "<sheetData\n>\n" +
                             rows + "</sheetData\n>" + "</worksheet>",
                         "<sst>\n  <si>\n    <t>a&amp;b</t>\n  </si>\n</sst>", styles);
    auto path = write("whitespace", entries);
    EXPECT_FALSE(Workbook(path).date1904());
    EXPECT_EQ(dump(path),
              "A1=a&b:string\nB1=42:number\nC1=true:boolean\nD1= kept :string\n"
              "E1= kept too :string\nA3=2024-01-15:date\n");
    // xsd:boolean collapses whitespace too.
    entries =
        minimal_workbook(kSheetOpen + kSheetClose, "", "", "<workbookPr date1904=\" true \"/>");
    EXPECT_TRUE(Workbook(write("date1904_spaced", entries)).date1904());
}

TEST(XmlForms, EscapedCharactersInNames) {
    auto entries =
        minimal_workbook(kSheetOpen + R"(<row r="1"><c r="A1"><v>1</v></c></row>)" + kSheetClose);
    entry(entries, "xl/workbook.xml").content =
        R"(<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>)"
        R"(<sheet name="Q1_x0020_Sales_x005F_x0041_" sheetId="1" r:id="rId1"/></sheets></workbook>)";
    Workbook workbook(write("escaped_names", entries));
    EXPECT_EQ(workbook.sheets()[0].name, "Q1 Sales_x0041_");
    EXPECT_EQ(dump_sheet(workbook, workbook.sheet("Q1 Sales_x0041_")), "A1=1:number\n");
}

TEST(XmlForms, EverySheetKind) {
    const std::string ns =
        R"( xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships")";
    const std::string rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/";
    const std::string ms = "http://schemas.microsoft.com/office/2006/relationships/";
    auto entries =
        minimal_workbook(kSheetOpen + R"(<row r="2"><c r="B2"><v>7</v></c></row>)" + kSheetClose);
    entry(entries, "xl/workbook.xml").content =
        "<workbook" + ns +
        R"(><sheets><sheet name="Chart" sheetId="1" r:id="rId4"/><sheet name="Dialog" sheetId="2" r:id="rId5"/>)"
        R"(<sheet name="Macros" sheetId="3" r:id="rId6"/><sheet name="Intl" sheetId="4" r:id="rId7"/>)"
        R"(<sheet name="Data" sheetId="5" r:id="rId1"/></sheets></workbook>)";
    entry(entries, "xl/_rels/workbook.xml.rels").content =
        R"(<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">)"
        R"(<Relationship Id="rId1" Type=")" +
        rel +
        R"(worksheet" Target="worksheets/data.xml"/>)"
        R"(<Relationship Id="rId4" Type=")" +
        rel +
        R"(chartsheet" Target="chartsheets/sheet1.xml"/>)"
        R"(<Relationship Id="rId5" Type=")" +
        rel +
        R"(dialogsheet" Target="dialogsheets/sheet1.xml"/>)"
        R"(<Relationship Id="rId6" Type=")" +
        ms +
        R"(xlMacrosheet" Target="macrosheets/sheet1.xml"/>)"
        R"(<Relationship Id="rId7" Type=")" +
        ms +
        R"(xlIntlMacrosheet" Target="macrosheets/sheet2.xml"/>)"
        "</Relationships>";
    entries.push_back({"xl/chartsheets/sheet1.xml", "<chartsheet" + ns + "/>"});
    entries.push_back({"xl/dialogsheets/sheet1.xml", "<dialogsheet" + ns + "/>"});
    entries.push_back(
        {"xl/macrosheets/sheet1.xml",
         "<xm:macrosheet xmlns:xm=\"http://schemas.microsoft.com/office/excel/2006/main\"" + ns +
             R"(><sheetData><row r="1"><c r="A1" t="str"><f>GET.WORKSPACE(1)</f><v>Windows</v></c></row></sheetData></xm:macrosheet>)"});
    entries.push_back(
        {"xl/macrosheets/sheet2.xml",
         "<macrosheet" + ns +
             R"(><sheetData><row r="1"><c r="A1"><v>3</v></c></row></sheetData></macrosheet>)"});
    Workbook workbook(write("sheet_kinds", entries));
    std::string kinds;
    for (const auto& s : workbook.sheets())
        kinds += s.name + ":" + s.kind + (s.holds_cells() ? "+" : "") + " ";
    EXPECT_EQ(kinds,
              "Chart:chartsheet Dialog:dialogsheet Macros:macrosheet+ Intl:macrosheet+ "
              "Data:worksheet+ ");
    EXPECT_EQ(workbook.first_sheet().name, "Data");  // the first worksheet, not the first sheet
    EXPECT_EQ(dump_sheet(workbook, workbook.sheet("Macros")), "A1=Windows:string\n");
    EXPECT_EQ(dump_sheet(workbook, workbook.sheet("4")), "A1=3:number\n");
    std::string message;
    EXPECT_EQ(error_of([&] { dump_sheet(workbook, workbook.sheet("Chart")); }, &message),
              ErrorKind::Unsupported);
    EXPECT_NE(message.find("\"Chart\" is a chartsheet, which holds no cells"), std::string::npos)
        << message;
    EXPECT_EQ(error_of([&] { dump_sheet(workbook, workbook.sheet("Dialog")); }),
              ErrorKind::Unsupported);
}

TEST(XmlForms, SerialsExcelDoesNotShowAsDates) {
    // Date, time and date-time formats over serials Excel shows as ####### (before its epoch,
    // after 9999-12-31): the cell's number, not a date; a duration may be negative.
    const std::string styles =
        R"(<styleSheet><numFmts><numFmt numFmtId="164" formatCode="[h]:mm:ss"/>)"
        R"(<numFmt numFmtId="165" formatCode="0.0 &quot;d&quot;;[Red]\-0.0\ \d"/></numFmts>)"
        R"(<cellXfs><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="22"/><xf numFmtId="21"/>)"
        R"(<xf numFmtId="164"/><xf numFmtId="165"/></cellXfs></styleSheet>)";
    const std::string rows =
        R"(<row r="1"><c r="A1" s="1"><v>-1</v></c><c r="B1" s="2"><v>-0.25</v></c>)"
        R"(<c r="C1" s="3"><v>-0.5</v></c><c r="D1" s="1"><v>2958466</v></c>)"
        R"(<c r="E1" s="4"><v>-1.5</v></c><c r="F1" s="5"><v>3</v></c><c r="G1" s="1"><v>2958465</v></c></row>)";
    auto entries = minimal_workbook(kSheetOpen + rows + kSheetClose, "", styles);
    EXPECT_EQ(dump(write("not_dates", entries)),
              "A1=-1:number\nB1=-0.25:number\nC1=-0.5:number\nD1=2958466:number\n"
              "E1=-36:00:00:duration\nF1=3:number\nG1=9999-12-31:date\n");
    entries = minimal_workbook(kSheetOpen + rows + kSheetClose, "", styles,
                               R"(<workbookPr date1904="1"/>)");
    EXPECT_EQ(dump(write("not_dates_1904", entries)).substr(0, 13), "A1=-1:number\n");
}
