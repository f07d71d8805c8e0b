#include "xml.hpp"

#include <cstring>
#include <vector>

#include "package.hpp"

namespace xlsx {
namespace {

void XMLCALL on_doctype(void* data, const XML_Char*, const XML_Char*, const XML_Char*, int) {
    auto* self = static_cast<ExpatParser*>(data);
    self->forbidden = true;
    XML_StopParser(self->parser, XML_FALSE);
}

void XMLCALL on_entity(void* data, const XML_Char*, int, const XML_Char*, int, const XML_Char*,
                       const XML_Char*, const XML_Char*, const XML_Char*) {
    auto* self = static_cast<ExpatParser*>(data);
    self->forbidden = true;
    XML_StopParser(self->parser, XML_FALSE);
}

void install_guards(ExpatParser& p) {
    XML_SetUserData(p.parser, &p);
    XML_SetStartDoctypeDeclHandler(p.parser, on_doctype);
    XML_SetEntityDeclHandler(p.parser, on_entity);
    XML_SetParamEntityParsing(p.parser, XML_PARAM_ENTITY_PARSING_NEVER);
}

}  // namespace

const char* find_attr(const char** attrs, const char* name, bool want_prefixed) {
    for (; attrs && attrs[0]; attrs += 2) {
        const char* local = local_name(attrs[0]);
        bool prefixed = local != attrs[0];
        if (prefixed == want_prefixed && std::strcmp(local, name) == 0) return attrs[1];
    }
    return nullptr;
}

ExpatParser::ExpatParser() {
    parser = XML_ParserCreate("UTF-8");
    if (!parser) throw std::bad_alloc();
    install_guards(*this);
}

ExpatParser::~ExpatParser() {
    XML_ParserFree(parser);
}

void ExpatParser::reset() {
    XML_ParserReset(parser, "UTF-8");
    forbidden = false;
    install_guards(*this);
}

Error xml_error(const ExpatParser& p, const std::string& file, const std::string& part) {
    ErrorLocation where{file, part};
    where.line = XML_GetCurrentLineNumber(p.parser);
    where.xml_column = XML_GetCurrentColumnNumber(p.parser) + 1;
    if (p.forbidden)
        return Error(ErrorKind::ForbiddenXml,
                     "the XML declares a DOCTYPE or entities, which are refused (no entity is "
                     "ever expanded or fetched)",
                     where);
    return Error(ErrorKind::MalformedXml,
                 std::string("malformed XML: ") + XML_ErrorString(XML_GetErrorCode(p.parser)),
                 where);
}

bool parse_chunk(ExpatParser& p, const std::string& data) {
    static const char open[] = "<x>", close[] = "</x>";
    return XML_Parse(p.parser, open, 3, XML_FALSE) == XML_STATUS_OK &&
           XML_Parse(p.parser, data.data(), static_cast<int>(data.size()), XML_FALSE) ==
               XML_STATUS_OK &&
           XML_Parse(p.parser, close, 4, XML_TRUE) == XML_STATUS_OK;
}

Error chunk_error(const ExpatParser& p, const ErrorLocation& where, uint64_t first_line,
                  uint64_t first_column) {
    Error e = xml_error(p, where.file, where.part);
    ErrorLocation w = where;
    w.line = first_line + e.where().line - 1;
    // On the chunk's first line, columns count from the chunk's start after the "<x>" root.
    w.xml_column =
        e.where().line == 1 ? first_column + e.where().xml_column - 4 : e.where().xml_column;
    return Error(e.kind(), e.detail(), w);
}

namespace {

void install_handler(ExpatParser& p, XmlHandler& handler) {
    p.user = &handler;
    XML_SetElementHandler(
        p.parser,
        [](void* d, const XML_Char* name, const XML_Char** attrs) {
            user_of<XmlHandler>(d)->start(local_name(name), attrs);
        },
        [](void* d, const XML_Char* name) { user_of<XmlHandler>(d)->end(local_name(name)); });
    XML_SetCharacterDataHandler(p.parser, [](void* d, const XML_Char* s, int len) {
        user_of<XmlHandler>(d)->text(s, len);
    });
}

}  // namespace

void parse_text(std::string_view xml, const ErrorLocation& where, XmlHandler& handler) {
    ExpatParser p;
    install_handler(p, handler);
    if (xml.size() > INT32_MAX ||
        XML_Parse(p.parser, xml.data(), static_cast<int>(xml.size()), XML_TRUE) != XML_STATUS_OK)
        throw xml_error(p, where.file, where.part);
}

void parse_part(const Package& package, const PartInfo& part, XmlHandler& handler) {
    ExpatParser p;
    install_handler(p, handler);
    auto stream = package.open(part);
    constexpr size_t kBlock = 1 << 16;
    for (;;) {
        void* buf = XML_GetBuffer(p.parser, kBlock);
        if (!buf) throw std::bad_alloc();
        size_t n = stream->read(static_cast<char*>(buf), kBlock);
        if (XML_ParseBuffer(p.parser, static_cast<int>(n), n == 0) != XML_STATUS_OK) {
            // Garbage from a damaged zip entry reads as bad XML; report the real cause.
            char sink[1 << 14];
            while (stream->read(sink, sizeof sink) > 0) {
            }
            throw xml_error(p, package.path(), part.name);
        }
        if (n == 0) break;
    }
}

}  // namespace xlsx
