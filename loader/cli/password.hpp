// The password of a password-protected workbook: from --password-file FILE, from the
// environment (XLSX2PG_PASSWORD), or asked for when stdin is a terminal; never from the
// command line, where every user of the machine could read it.
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "xlsx/workbook.hpp"

namespace cli {

// --password-file FILE: its first line is the password (read when the option is parsed).
void add_password_option(CLI::App& cmd, xlsx::ReaderOptions& reader);

// Without --password-file: XLSX2PG_PASSWORD, else, when one of `files` is password protected
// and stdin is a terminal, a prompt without echo. Nothing otherwise: opening such a file then
// fails, saying how to give the password.
void supply_password(xlsx::ReaderOptions& reader, const std::vector<std::string>& files);

}  // namespace cli
