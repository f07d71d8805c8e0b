#include "zip_writer.hpp"

#include <minizip/zip.h>

#include <filesystem>
#include <stdexcept>

namespace testsupport {

void write_zip(const std::string& path, const std::vector<ZipEntry>& entries) {
    zipFile zf = zipOpen64(path.c_str(), APPEND_STATUS_CREATE);
    if (!zf) throw std::runtime_error("cannot create " + path);
    for (const auto& e : entries) {
        zip_fileinfo info{};
        if (zipOpenNewFileInZip64(zf, e.name.c_str(), &info, nullptr, 0, nullptr, 0, nullptr,
                                  e.stored ? 0 : Z_DEFLATED, e.stored ? 0 : 6, 1) != ZIP_OK)
            throw std::runtime_error("cannot add " + e.name);
        zipWriteInFileInZip(zf, e.content.data(), static_cast<unsigned>(e.content.size()));
        zipCloseFileInZip(zf);
    }
    zipClose(zf, nullptr);
}

std::vector<ZipEntry> minimal_workbook(const std::string& sheet_xml,
                                       const std::string& shared_strings_xml,
                                       const std::string& styles_xml,
                                       const std::string& workbook_pr) {
    std::string rels =
        R"(<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">)"
        R"(<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/data.xml"/>)";
    if (!shared_strings_xml.empty())
        rels +=
            R"(<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="/xl/strings.xml"/>)";
    if (!styles_xml.empty())
        rels +=
            R"(<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>)";
    rels += "</Relationships>";
    std::vector<ZipEntry> entries{
        {"[Content_Types].xml",
         R"(<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>)"},
        {"_rels/.rels",
         R"(<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>)"},
        {"xl/workbook.xml",
         R"(<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">)" +
             workbook_pr +
             R"(<sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>)"},
        {"xl/_rels/workbook.xml.rels", rels},
        {"xl/worksheets/data.xml", sheet_xml},
    };
    if (!shared_strings_xml.empty()) entries.push_back({"xl/strings.xml", shared_strings_xml});
    if (!styles_xml.empty()) entries.push_back({"xl/styles.xml", styles_xml});
    return entries;
}

}  // namespace testsupport
