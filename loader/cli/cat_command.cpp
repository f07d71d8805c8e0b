// xlsx2pg cat: a sheet as CSV on stdout, the exact values the loader would load.
#include <cstdio>

#include "commands.hpp"
#include "csv_writer.hpp"
#include "reader_options.hpp"
#include "xlsx/sheet_reader.hpp"

namespace cli {

namespace {

// The width of the first row (the header, usually): every line gets at least that many
// fields, as COPY wants. Not the declared <dimension>, which may claim anything, and not the
// first batch, whose size depends on the threads.
uint32_t sheet_width(const xlsx::RowBatch& first) {
    if (first.rows.empty()) return 0;
    auto cells = first.cells_of(first.rows.front());
    return cells.empty() ? 0 : cells.back().column;
}

}  // namespace

Runner add_cat_command(CLI::App& app) {
    auto* cmd = app.add_subcommand(
        "cat", "Write a sheet as RFC 4180 CSV to stdout, each line at least as wide as the first");
    struct Args {
        std::string file, sheet;
        bool skip_empty_rows = false;
        bool fill_merged = false;
        xlsx::ReaderOptions reader;
    };
    auto args = std::make_shared<Args>();
    cmd->add_option("file", args->file, "the workbook (.xlsx, .xlsm or .xls)")->required();
    cmd->add_option("--sheet,-s", args->sheet,
                    "sheet name or 1-based index (default: first visible)");
    cmd->add_flag("--skip-empty-rows", args->skip_empty_rows,
                  "leave out empty rows instead of writing empty lines");
    cmd->add_flag("--fill-merged", args->fill_merged,
                  "cells a merge covers take the value of its first cell");
    add_reader_options(*cmd, args->reader);

    return [cmd, args]() -> int {
        if (!cmd->parsed()) return -1;
        supply_password(args->reader, {args->file});
        xlsx::Workbook workbook(args->file, args->reader);
        const xlsx::SheetInfo& sheet =
            args->sheet.empty() ? workbook.first_sheet() : workbook.sheet(args->sheet);
        warn_missing_parts(workbook, {&sheet});
        xlsx::SheetShape shape;
        shape.fill_merged = args->fill_merged;
        xlsx::SheetReader reader(workbook, sheet, true, {}, shape);
        CsvWriter out(stdout);
        uint32_t last_row = 0;
        uint32_t width = 0;  // every line gets this many fields, as COPY wants
        while (auto batch = reader.next()) {
            if (width == 0) width = sheet_width(*batch);
            for (const xlsx::Row& row : batch->rows) {
                // The grid is anchored at A1: missing rows are empty lines, gaps empty fields.
                if (!args->skip_empty_rows)
                    for (uint32_t r = last_row + 1; r < row.number; ++r)
                        out.end_row();
                last_row = row.number;
                uint32_t column = 1;
                for (const xlsx::Cell& cell : batch->cells_of(row)) {
                    for (; column < cell.column; ++column)
                        out.empty_field();
                    out.field(cell.text(), cell.type == xlsx::CellType::String);
                    ++column;
                }
                for (; column <= width; ++column)
                    out.empty_field();
                out.end_row();
            }
        }
        out.flush();
        return kSuccess;
    };
}

}  // namespace cli
