#include "password.hpp"

#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include "xlsx/package.hpp"

namespace cli {
namespace {

std::string first_line(std::istream& in) {
    std::string line;
    std::getline(in, line);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
}

// Echo goes off before the prompt shows, and what was typed ahead is kept (TCSANOW, not
// TCSAFLUSH): whoever answers the prompt may answer as soon as it appears.
std::string prompt(const std::string& file) {
    termios saved{};
    bool quiet = tcgetattr(STDIN_FILENO, &saved) == 0;
    if (quiet) {
        termios silent = saved;
        silent.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        tcsetattr(STDIN_FILENO, TCSANOW, &silent);
    }
    std::fprintf(stderr, "Password for %s: ", file.c_str());
    std::fflush(stderr);
    std::string password = first_line(std::cin);
    if (quiet) tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    std::fputc('\n', stderr);
    return password;
}

}  // namespace

void add_password_option(CLI::App& cmd, xlsx::ReaderOptions& reader) {
    cmd.add_option_function<std::string>(
           "--password-file",
           [&reader](const std::string& file) {
               std::ifstream in(file);
               if (!in) throw CLI::ValidationError("--password-file", "cannot read " + file);
               reader.password = first_line(in);
           },
           "a password-protected workbook's password, the first line of FILE (or set "
           "XLSX2PG_PASSWORD; on a terminal it is asked for)")
        ->type_name("FILE");
}

void supply_password(xlsx::ReaderOptions& reader, const std::vector<std::string>& files) {
    if (reader.password) return;
    if (const char* from_environment = std::getenv("XLSX2PG_PASSWORD")) {
        reader.password = from_environment;
        return;
    }
    if (!isatty(STDIN_FILENO)) return;
    for (const std::string& file : files)
        if (xlsx::is_password_protected(file)) {
            reader.password = prompt(file);
            return;
        }
}

}  // namespace cli
