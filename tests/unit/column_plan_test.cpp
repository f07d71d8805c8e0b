// The rules that map a sheet onto a table, which xlsx2pg, xlsx.import and xlsx_fdw share.
#include <gtest/gtest.h>

#include "xlsx/column_plan.hpp"

using namespace xlsx;

namespace {

PlanTarget table(std::vector<std::string> columns) {
    std::vector<std::string> types(columns.size(), "text");
    return {"public.t", true, std::move(columns), std::move(types)};
}

PlanRequest with_header(std::vector<std::string> texts) {
    PlanRequest r;
    r.header = {""};
    r.header.insert(r.header.end(), texts.begin(), texts.end());
    return r;
}

std::string message_of(const PlanTarget& t, const PlanRequest& r, PlanError::Kind* kind = nullptr) {
    try {
        plan_columns(t, r);
    } catch (const PlanError& e) {
        if (kind) *kind = e.kind();
        return e.what();
    }
    return "";
}

}  // namespace

TEST(ColumnPlan, AHeaderMatchesAnExistingTableByTextOrByTheNameItWouldMake) {
    ColumnPlan plan = plan_columns(table({"id", "customer_name", "total"}),
                                   with_header({"Customer Name", "id", "total"}));
    EXPECT_EQ(plan.names, (std::vector<std::string>{"customer_name", "id", "total"}));
    EXPECT_EQ(plan.slot_of_sheet_column, (std::vector<int>{-1, 0, 1, 2}));
}

TEST(ColumnPlan, TwoSheetColumnsNeverGoIntoOneTableColumn) {
    PlanRequest r = with_header({"id", "name"});
    r.columns = {"id", "id"};
    PlanError::Kind kind;
    EXPECT_EQ(message_of(table({"id", "name"}), r, &kind),
              "two sheet columns go to column id; skip one with --columns");
    EXPECT_EQ(kind, PlanError::Kind::Mismatch);
    // Matching by header takes a table column once: the second "ID" finds none.
    EXPECT_NE(message_of(table({"id"}), with_header({"id", "ID"})).find("no column for B \"ID\""),
              std::string::npos);
}

TEST(ColumnPlan, AColumnListShorterThanTheHeaderIsRefusedNotCut) {
    PlanRequest r = with_header({"a", "b", "c"});
    r.columns = {"a", "b"};
    r.words = kImportWords;
    EXPECT_EQ(message_of(table({"a", "b", "c"}), r),
              "columns => ARRAY[...] names 2 columns but the header has 3; skip a column with -");
    r.columns = {"a", "-", "c"};
    ColumnPlan plan = plan_columns(table({"a", "b", "c"}), r);
    EXPECT_EQ(plan.names, (std::vector<std::string>{"a", "c"}));
    EXPECT_EQ(plan.slot_of_sheet_column, (std::vector<int>{-1, 0, -1, 1}));
}

TEST(ColumnPlan, AHeaderThatMatchesNothingNamesTheColumnsOfBothSides) {
    PlanError::Kind kind;
    std::string message = message_of(table({"id", "name"}), with_header({"id", "Surname"}), &kind);
    EXPECT_EQ(message,
              "the header does not match table public.t: no column for B \"Surname\". Its columns "
              "are: id, name. Map the sheet's columns with --columns (- skips one)");
    EXPECT_EQ(kind, PlanError::Kind::Mismatch);
}

TEST(ColumnPlan, ANewTableIsNamedFromTheHeaderAndTypedByItsValuesAndOverrides) {
    PlanTarget fresh{"public.new", false, {}, {}};
    PlanRequest r = with_header({"Order Id", "Amount", "Note"});
    r.type_overrides = {{"amount", "numeric(12,2)"}};
    ColumnPlan plan = plan_columns(fresh, r);
    plan_new_table_types(plan, r, {"", "integer", "numeric"});
    EXPECT_EQ(plan.names, (std::vector<std::string>{"order_id", "amount", "note"}));
    EXPECT_EQ(plan.types, (std::vector<std::string>{"integer", "numeric(12,2)", "text"}));
    r.type_overrides = {{"nope", "date"}};
    EXPECT_THROW(plan_new_table_types(plan, r, {}), PlanError);
}

TEST(ColumnPlan, WithoutAHeaderTheDataDecides) {
    PlanTarget fresh{"public.new", false, {}, {}};
    PlanRequest r;
    EXPECT_TRUE(plan_needs_types_first(fresh, r));
    ColumnPlan plan = plan_columns(fresh, r, {"", "integer", "text"});
    EXPECT_EQ(plan.names, (std::vector<std::string>{"column_1", "column_2"}));
    // An existing table takes the sheet's columns by position.
    EXPECT_FALSE(plan_needs_types_first(table({"x", "y"}), r));
    EXPECT_EQ(plan_columns(table({"x", "y"}), r).names, (std::vector<std::string>{"x", "y"}));
}

TEST(ColumnPlan, AForeignTableSelectsColumnsAndEachMustBeInTheHeader) {
    PlanRequest r = with_header({"id", "name", "total"});
    r.selection = true;
    ColumnPlan plan = plan_columns(table({"total", "id"}), r);
    EXPECT_EQ(plan.slot_of_sheet_column, (std::vector<int>{-1, 0, -1, 1}));
    EXPECT_EQ(plan.names, (std::vector<std::string>{"id", "total"}));
    EXPECT_EQ(message_of(table({"id", "amount"}), r),
              "no header column of the sheet matches column \"amount\" of public.t. The header's "
              "columns are: A \"id\", B \"name\", C \"total\"");
}
