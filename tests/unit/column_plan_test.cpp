// The rules that map a sheet onto a table, which xlsx2pg, xlsx.import and xlsx_fdw share.
#include <gtest/gtest.h>

#include "load/column_plan.hpp"
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

TEST(ColumnPlan, AColumnListNamingNoTableColumnOrSkippingEverythingIsRefused) {
    PlanRequest r = with_header({"a", "b"});
    r.columns = {"a", "zzz"};
    PlanError::Kind kind;
    EXPECT_EQ(message_of(table({"a", "b"}), r, &kind),
              "table public.t has no column \"zzz\". Its columns are: a, b");
    EXPECT_EQ(kind, PlanError::Kind::UnknownColumn);
    r.columns = {"-", "-"};
    EXPECT_EQ(message_of(table({"a", "b"}), r, &kind),
              "no sheet column is loaded: the sheet is empty or every column is skipped");
    EXPECT_EQ(kind, PlanError::Kind::Invalid);
}

TEST(ColumnPlan, ATypeOverrideMustNameALoadedColumn) {
    PlanTarget fresh{"public.new", false, {}, {}};
    PlanRequest r = with_header({"a", "b"});
    r.columns = {"a", "-"};
    ColumnPlan plan = plan_columns(fresh, r);
    r.type_overrides = {{"b", "date"}};
    try {
        plan_new_table_types(plan, r, {"", "integer", "integer"});
        ADD_FAILURE() << "an override of a skipped column was taken";
    } catch (const PlanError& e) {
        EXPECT_EQ(e.kind(), PlanError::Kind::UnknownColumn);
        EXPECT_EQ(std::string(e.what()),
                  "--type names column \"b\", which is not loaded; the columns are: a");
    }
}

TEST(ColumnPlan, TheLoaderAsksForTypesOnlyWhenANewTableNeedsThem) {
    load::LoadOptions o;
    int passes = 0;
    auto infer = [&] {
        ++passes;
        return std::vector<std::string>{"", "integer", "date"};
    };
    std::vector<std::string> header = {"", "id", "day"};
    load::TargetTable existing{"public.t", true, {"id", "day"}, {"bigint", "date"}, "", ""};
    EXPECT_EQ(load::plan_columns(o, existing, header, infer).types,
              (std::vector<std::string>{"bigint", "date"}));
    EXPECT_EQ(passes, 0);
    load::TargetTable fresh{"public.t", false, {}, {}, "", ""};
    EXPECT_EQ(load::plan_columns(o, fresh, header, infer).types,
              (std::vector<std::string>{"integer", "date"}));
    EXPECT_EQ(passes, 1);
    o.all_text = true;
    EXPECT_EQ(load::plan_columns(o, fresh, header, infer).types,
              (std::vector<std::string>{"text", "text"}));
    EXPECT_EQ(passes, 1);
    EXPECT_EQ(
        load::create_table_sql("public.t", load::plan_columns(o, fresh, {"", "A \"b\""}, infer)),
        "CREATE TABLE public.t (\n    \"a_b\" text\n)");
}
