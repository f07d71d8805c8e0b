// expat, configured the one way this project uses it: no namespace processing (elements are
// matched on their local name, so <x:c> and <c> are the same, in Transitional and Strict alike),
// and any DOCTYPE or entity declaration refused before anything is expanded or fetched.
#pragma once

#include <expat.h>

#include <string>
#include <string_view>

#include "error.hpp"

namespace xlsx {

class Package;
struct PartInfo;

// The name after any "prefix:".
inline const char* local_name(const char* qname) {
    for (const char* p = qname; *p; ++p)
        if (*p == ':') return p + 1;
    return qname;
}

// Value of the attribute whose local name is `name`, or nullptr. `want_prefixed` selects
// "r:id" (relationship ids) over a plain "id".
const char* find_attr(const char** attrs, const char* name, bool want_prefixed = false);

// Callbacks for a whole part parsed in one go (workbook, rels, styles: small parts).
class XmlHandler {
public:
    virtual ~XmlHandler() = default;
    virtual void start(const char* local, const char** attrs) = 0;
    virtual void end(const char* /*local*/) {}
    virtual void text(const char* /*s*/, int /*len*/) {}
};

// A parser that refuses DOCTYPE and entity declarations. `forbidden` is set when it did.
// expat's user data is always the ExpatParser; what the callbacks work on is `user`.
struct ExpatParser {
    XML_Parser parser = nullptr;
    bool forbidden = false;
    void* user = nullptr;
    ExpatParser();
    ~ExpatParser();
    ExpatParser(const ExpatParser&) = delete;
    ExpatParser& operator=(const ExpatParser&) = delete;
    // Resets for a new document, keeping the DOCTYPE guard installed.
    void reset();
};

template <typename T>
inline T* user_of(void* expat_user_data) {
    return static_cast<T*>(static_cast<ExpatParser*>(expat_user_data)->user);
}

// Parses a whole document held in memory (a stream of an OLE2 container, say); `where` names it
// in errors.
void parse_text(std::string_view xml, const ErrorLocation& where, XmlHandler& handler);

// Streams `part` from `package` through expat into `handler`. Throws Error with the part, line
// and column on malformed XML.
void parse_part(const Package& package, const PartInfo& part, XmlHandler& handler);

// Parses `data`, whole elements cut from a part, inside a synthetic root element. Returns
// false on malformed XML; then chunk_error() gives the error at its line and column in the part,
// given where the chunk started.
bool parse_chunk(ExpatParser& p, const std::string& data);
Error chunk_error(const ExpatParser& p, const ErrorLocation& where, uint64_t first_line,
                  uint64_t first_column);

// Turns the state of a failed parser into an Error naming the part, line and column.
Error xml_error(const ExpatParser& p, const std::string& file, const std::string& part);

}  // namespace xlsx
