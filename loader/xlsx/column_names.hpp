// Column names made from a sheet's header: valid, unique PostgreSQL identifiers that need no
// quoting in everyday SQL ("Customer Name" -> customer_name), the same for xlsx2pg --create
// and the extension's create_table. They are still always quoted in statements.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace xlsx {

constexpr size_t kMaxIdentifierBytes = 63;  // PostgreSQL's NAMEDATALEN - 1

// Lower-case ASCII letters, digits and '_'; other ASCII runs become one '_'; non-ASCII UTF-8
// letters are kept; at most 63 bytes, cut on a character boundary. Empty -> column_<position>.
std::string normalize_identifier(std::string_view header, size_t position);

// normalize_identifier() for each header, made unique with _2, _3, ... suffixes.
std::vector<std::string> column_names_from_header(const std::vector<std::string>& headers);

}  // namespace xlsx
