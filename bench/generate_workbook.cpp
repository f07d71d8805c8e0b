// Writes the benchmark and demo workbooks with libxlsxwriter: a business directory of 9 text
// columns, or its typed variant (id, the text columns, rating, employees, founded date, active
// boolean, revenue with a money format). Deterministic for a seed; sprinkled with the values
// that break naive loaders (quotes, commas, tabs, newlines, <, &, non-ASCII, emoji, empties).
//
//   generate_workbook OUT.xlsx [--rows N] [--sheets M] [--typed] [--inline-strings] [--seed S]
#include <xlsxwriter.h>

#include <CLI/CLI.hpp>

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace {

// splitmix64: small, fast and the same on every platform.
struct Rng {
    uint64_t state;
    uint64_t next() {
        uint64_t z = (state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    size_t below(size_t n) { return static_cast<size_t>(next() % n); }
    template <typename T>
    const T& pick(const std::vector<T>& v) {
        return v[below(v.size())];
    }
};

const std::vector<std::string> kFirst = {
    "Acme",  "Globex",         "Initech",           "Umbrella", "Stark",
    "Wayne", "Müller & Söhne", "Café \"Zur Post\"", "北京烤鸭", "O'Brien, Ltd."};
const std::vector<std::string> kSecond = {"Holdings", "Trading",  "Bakery", "Consulting",
                                          "Garage",   "Studio 🎨", "Labs",   "& Co."};
const std::vector<std::string> kCategory = {"Restaurant",   "Retail",    "Software", "Health",
                                            "Construction", "Education", "Finance"};
const std::vector<std::string> kCity = {"Berlin", "São Paulo", "Zürich",    "Kraków",
                                        "Tokyo",  "New York",  "Reykjavík", "Cape Town"};
const std::vector<std::string> kCountry = {"Germany", "Brazil", "Switzerland", "Poland",
                                           "Japan",   "USA",    "Iceland",     "South Africa"};
const std::vector<std::string> kAwkward = {"says \"hello\"",     "a, b, c",         "tab\there",
                                           "line one\nline two", "<b>not html</b>", "fish & chips",
                                           "naïve café",         "🚀 launch",        "\\N",
                                           "  padded  "};

std::string phone(Rng& rng) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "0%03zu %07zu", rng.below(1000), rng.below(10000000));
    return buf;  // a leading zero that must stay text
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Write a deterministic business-directory workbook"};
    std::string out;
    uint64_t rows = 10000, seed = 42;
    int sheets = 1;
    bool typed = false, inline_strings = false;
    app.add_option("out", out, "output .xlsx")->required();
    app.add_option("--rows", rows, "data rows per sheet")->capture_default_str();
    app.add_option("--sheets", sheets, "sheets")->capture_default_str();
    app.add_option("--seed", seed, "random seed")->capture_default_str();
    app.add_flag("--typed", typed, "add id, rating, employees, founded, active, revenue");
    app.add_flag("--inline-strings", inline_strings,
                 "inline strings (libxlsxwriter's constant-memory mode) instead of shared");
    CLI11_PARSE(app, argc, argv);

    lxw_workbook_options options{};
    options.constant_memory = inline_strings ? LXW_TRUE : LXW_FALSE;
    lxw_workbook* wb = workbook_new_opt(out.c_str(), &options);
    lxw_format* date_fmt = workbook_add_format(wb);
    format_set_num_format(date_fmt, "yyyy-mm-dd");
    lxw_format* money_fmt = workbook_add_format(wb);
    format_set_num_format(money_fmt, "\"$\"#,##0.00");
    Rng rng{seed};

    std::vector<std::string> header;
    if (typed) header.push_back("id");
    for (const char* h : {"Name", "Category", "Phone", "Email", "Address", "City", "Country",
                          "Website", "Description"})
        header.push_back(h);
    if (typed)
        for (const char* h : {"rating", "employees", "founded", "active", "revenue"})
            header.push_back(h);

    for (int s = 1; s <= sheets; ++s) {
        lxw_worksheet* ws = workbook_add_worksheet(
            wb, sheets == 1 ? "Directory" : ("Directory " + std::to_string(s)).c_str());
        for (size_t c = 0; c < header.size(); ++c)
            worksheet_write_string(ws, 0, static_cast<lxw_col_t>(c), header[c].c_str(), nullptr);
        for (uint64_t r = 1; r <= rows; ++r) {
            auto row = static_cast<lxw_row_t>(r);
            lxw_col_t c = 0;
            if (typed) worksheet_write_number(ws, row, c++, static_cast<double>(r), nullptr);
            std::string name = rng.pick(kFirst) + " " + rng.pick(kSecond);
            size_t place = rng.below(kCity.size());
            std::string slug = "biz" + std::to_string(r);
            std::string values[9] = {
                name,
                rng.pick(kCategory),
                phone(rng),
                slug + "@example.com",
                std::to_string(1 + rng.below(999)) + " Main Street",
                kCity[place],
                kCountry[place],
                "https://" + slug + ".example.com",
                rng.below(10) == 0
                    ? rng.pick(kAwkward)
                    : "Serving customers since " + std::to_string(1950 + rng.below(70)),
            };
            for (int i = 0; i < 9; ++i, ++c) {
                // About one cell in forty is left empty.
                if (i != 0 && rng.below(40) == 0) continue;
                worksheet_write_string(ws, row, c, values[i].c_str(), nullptr);
            }
            if (typed) {
                worksheet_write_number(ws, row, c++, 1 + static_cast<double>(rng.below(41)) / 10,
                                       nullptr);
                worksheet_write_number(ws, row, c++, static_cast<double>(rng.below(5000)), nullptr);
                // Serial of a day between 1950 and 2020.
                worksheet_write_number(ws, row, c++, 18264 + static_cast<double>(rng.below(25567)),
                                       date_fmt);
                worksheet_write_boolean(ws, row, c++, static_cast<int>(rng.below(2)), nullptr);
                worksheet_write_number(ws, row, c++,
                                       static_cast<double>(rng.below(100000000)) / 100, money_fmt);
            }
        }
    }
    if (workbook_close(wb) != LXW_NO_ERROR) {
        std::fprintf(stderr, "generate_workbook: cannot write %s\n", out.c_str());
        return 1;
    }
    return 0;
}
