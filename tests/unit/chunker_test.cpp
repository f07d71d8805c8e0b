// The chunker: sheet rows into chunks of fixed sheet-row ranges (the unit of a staging
// transaction and of resume), values placed by the column plan, the loader's own rejects.
#include <gtest/gtest.h>

#include "load/chunker.hpp"
#include "load/column_plan.hpp"
#include "support/temp_files.hpp"
#include "support/workbook_writer.hpp"

using testsupport::Blank;
using testsupport::CellValue;

namespace {

struct Loaded {
    std::string path;
    xlsx::Workbook workbook;
    load::LoadOptions options;
};

// A workbook of `rows` rows under the header id,name,amount (see write_numbered_workbook).
Loaded numbered(int rows) {
    std::string path = testsupport::temp_path("numbered.xlsx");
    testsupport::write_numbered_workbook(path, rows);
    return {path, xlsx::Workbook(path), {}};
}

load::ColumnPlan plan_for(load::SheetRows& rows, const load::LoadOptions& options,
                          std::vector<std::string> columns = {"id", "name", "amount"}) {
    load::TargetTable target{
        "public.t", true, columns, std::vector<std::string>(columns.size(), "text"), "", ""};
    return load::plan_columns(options, target, rows.header(), [] {
        ADD_FAILURE() << "an existing table needs no types";
        return std::vector<std::string>{};
    });
}

std::vector<load::RowChunk> all_chunks(load::Chunker& chunker) {
    std::vector<load::RowChunk> chunks;
    while (auto chunk = chunker.next())
        chunks.push_back(std::move(*chunk));
    return chunks;
}

}  // namespace

TEST(Chunker, ChunksCoverFixedRangesOfSheetRows) {
    Loaded w = numbered(25);  // data in sheet rows 2..26
    load::SheetRows rows(w.workbook, w.workbook.first_sheet(), w.options.rows);
    load::ColumnPlan plan = plan_for(rows, w.options);
    load::Chunker chunker(rows, plan, 10, [](uint64_t) { return false; });
    std::vector<load::RowChunk> chunks = all_chunks(chunker);
    ASSERT_EQ(chunks.size(), 3u);
    EXPECT_EQ(chunks[0].number, 0u);
    EXPECT_EQ(chunks[0].first_row, 1u);
    EXPECT_EQ(chunks[0].last_row, 10u);
    EXPECT_EQ(chunks[0].rows(), 9u);  // sheet rows 2..10: row 1 is the header
    EXPECT_EQ(chunks[1].rows(), 10u);
    EXPECT_EQ(chunks[2].first_row, 21u);
    EXPECT_EQ(chunks[2].rows(), 6u);  // 21..26
    EXPECT_EQ(chunker.rows_read(), 25u);
    EXPECT_EQ(chunks[1].sheet_row(0), 11u);
    EXPECT_EQ(chunks[1].value(0, 0), "10");  // id 10 is in sheet row 11
    EXPECT_EQ(chunks[1].value(0, 1), "name 10");
    EXPECT_EQ(chunks[1].value(0, 2), "15");
}

TEST(Chunker, CommittedChunksAreSkippedAndCounted) {
    Loaded w = numbered(25);
    load::SheetRows rows(w.workbook, w.workbook.first_sheet(), w.options.rows);
    load::ColumnPlan plan = plan_for(rows, w.options);
    load::Chunker chunker(rows, plan, 10, [](uint64_t n) { return n != 1; });
    std::vector<load::RowChunk> chunks = all_chunks(chunker);
    ASSERT_EQ(chunks.size(), 1u);
    EXPECT_EQ(chunks[0].number, 1u);
    EXPECT_EQ(chunks[0].rows(), 10u);
    EXPECT_EQ(chunker.rows_read(), 10u);
    EXPECT_EQ(chunker.rows_skipped(), 15u);
}

TEST(Chunker, ValuesGoWhereThePlanPutsThemAndEmptyCellsAreNull) {
    std::string path = testsupport::temp_path("gaps.xlsx");
    testsupport::write_workbook(
        path, {{"Data",
                {{std::string("a"), std::string("b"), std::string("c")},
                 {std::string("1"), Blank{}, std::string("x")},
                 {Blank{}, std::string("2"), Blank{}},
                 {std::string("3"), std::string("4"), std::string("5"), std::string("past")}}}});
    xlsx::Workbook workbook(path);
    load::LoadOptions options;
    options.columns = {"c", "-", "a"};  // sheet A into c, B skipped, C into a
    load::SheetRows rows(workbook, workbook.first_sheet(), options.rows);
    load::ColumnPlan plan = plan_for(rows, options, {"a", "c"});
    EXPECT_EQ(plan.names, (std::vector<std::string>{"c", "a"}));
    load::Chunker chunker(rows, plan, 1000, [](uint64_t) { return false; });
    std::vector<load::RowChunk> chunks = all_chunks(chunker);
    ASSERT_EQ(chunks.size(), 1u);
    const load::RowChunk& c = chunks[0];
    ASSERT_EQ(c.rows(), 2u);
    EXPECT_EQ(c.value(0, 0), "1");
    EXPECT_EQ(c.value(0, 1), "x");
    // Sheet row 3 holds only the skipped column's value: every loaded slot is NULL.
    EXPECT_EQ(c.sheet_row(1), 3u);
    EXPECT_EQ(c.value(1, 0), std::nullopt);
    EXPECT_EQ(c.value(1, 1), std::nullopt);
    // A value past the last loaded column makes its row a reject that names the cell.
    ASSERT_EQ(c.rejects.size(), 1u);
    EXPECT_EQ(c.rejects[0].sheet_row, 4u);
    EXPECT_EQ(c.rejects[0].column, "D4");
    EXPECT_EQ(c.rejects[0].value, "past");
    EXPECT_NE(c.rejects[0].reason.find("past the last loaded column C"), std::string::npos);
}

TEST(Chunker, EachChunkCarriesTheTypeEvidenceOfItsOwnValuesWhenAsked) {
    Loaded w = numbered(20);
    load::SheetRows rows(w.workbook, w.workbook.first_sheet(), w.options.rows);
    load::ColumnPlan plan = plan_for(rows, w.options);
    load::Chunker chunker(
        rows, plan, 10, [](uint64_t) { return false; }, true);
    std::vector<load::RowChunk> chunks = all_chunks(chunker);
    ASSERT_EQ(chunks.size(), 3u);
    xlsx::TypeInference merged(4);
    for (const load::RowChunk& c : chunks) {
        ASSERT_EQ(c.type_evidence.size(), 4u);
        for (size_t column = 1; column <= 3; ++column)
            merged.merge(column, c.type_evidence[column]);
    }
    EXPECT_EQ(std::string(merged.type_of(1)), "integer");
    EXPECT_EQ(std::string(merged.type_of(2)), "text");
    EXPECT_EQ(std::string(merged.type_of(3)), "numeric");
    load::SheetRows again(w.workbook, w.workbook.first_sheet(), w.options.rows);
    EXPECT_EQ(load::infer_column_types(again),
              (std::vector<std::string>{"", "integer", "text", "numeric"}));
}
