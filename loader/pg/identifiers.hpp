// Table names as the command line and serve take them: SQL syntax, checked before any
// connection is made.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pg {

// The parts of a dotted SQL name as the server's parse_ident reads them (unquoted parts
// lower-cased, quoted ones as written); nullopt when it is not SQL name syntax.
std::optional<std::vector<std::string>> parse_qualified_name(std::string_view name);

// A table argument is SQL name syntax, as COPY and psql take it: `orders`, `public.orders`,
// `"Sales 2024"` (quoted parts keep capitals and blanks). "" when `name` is one or two such
// parts; otherwise what is wrong and the quoted form that names the table literally, for a
// usage error (a name is never guessed at: `Sales 2024` is refused, not taken as written).
// `for_shell` puts the suggestion in single quotes, as a shell command line needs it.
std::string table_name_problem(std::string_view name, bool for_shell);

}  // namespace pg
