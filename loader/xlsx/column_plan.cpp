#include "column_plan.hpp"

#include <algorithm>

#include "column_names.hpp"
#include "error.hpp"

namespace xlsx {
namespace {

using Kind = PlanError::Kind;

bool contains(const std::vector<std::string>& list, const std::string& value) {
    return std::find(list.begin(), list.end(), value) != list.end();
}

std::string joined(const std::vector<std::string>& list) {
    std::string out;
    for (const std::string& item : list)
        out += (out.empty() ? "" : ", ") + item;
    return out;
}

std::string sheet_column_label(size_t column, const std::vector<std::string>& header) {
    std::string label = column_name(static_cast<uint32_t>(column));
    if (column < header.size() && !header[column].empty()) label += " \"" + header[column] + "\"";
    return label;
}

// The target column of each header: the header's own text, or the name a new table would
// have made of it; a table column is taken once.
std::vector<std::string> match_header(const PlanTarget& target, const PlanRequest& request) {
    const std::vector<std::string>& header = request.header;
    std::vector<std::string> texts(header.begin() + 1, header.end());
    std::vector<std::string> derived = column_names_from_header(texts);
    std::vector<std::string> names(1), unmatched;
    for (size_t i = 0; i < texts.size(); ++i) {
        std::string match;
        for (const std::string& candidate : {texts[i], derived[i]})
            if (contains(target.columns, candidate) && !contains(names, candidate)) {
                match = candidate;
                break;
            }
        if (match.empty()) unmatched.push_back(sheet_column_label(i + 1, header));
        names.push_back(match);
    }
    if (request.selection) {
        std::vector<std::string> unnamed, labels;
        for (const std::string& column : target.columns)
            if (!contains(names, column)) unnamed.push_back("\"" + column + "\"");
        for (size_t i = 1; i < header.size(); ++i)
            labels.push_back(sheet_column_label(i, header));
        if (!unnamed.empty())
            throw PlanError(Kind::Mismatch, "no header column of the sheet matches column " +
                                                joined(unnamed) + " of " + target.name +
                                                ". The header's columns are: " + joined(labels));
        return names;
    }
    if (!unmatched.empty())
        throw PlanError(Kind::Mismatch, "the header does not match table " + target.name +
                                            ": no column for " + joined(unmatched) +
                                            ". Its columns are: " + joined(target.columns) +
                                            ". Map the sheet's columns with " +
                                            request.words.columns + " (- skips one)");
    return names;
}

// The target column of each sheet column ([0] unused, "" skips it).
std::vector<std::string> names_by_sheet_column(const PlanTarget& target, const PlanRequest& request,
                                               const std::vector<std::string>& inferred) {
    size_t header_width = request.header.empty() ? 0 : request.header.size() - 1;
    std::vector<std::string> names(1);
    if (!request.columns.empty()) {
        if (request.columns.size() < header_width)
            throw PlanError(Kind::Mismatch, std::string(request.words.columns) + " names " +
                                                std::to_string(request.columns.size()) +
                                                " columns but the header has " +
                                                std::to_string(header_width) +
                                                "; skip a column with -");
        for (const std::string& c : request.columns)
            names.push_back(c == "-" ? "" : c);
    } else if (header_width > 0 && target.exists) {
        names = match_header(target, request);
    } else if (header_width > 0) {
        std::vector<std::string> texts(request.header.begin() + 1, request.header.end());
        for (std::string& name : column_names_from_header(texts))
            names.push_back(std::move(name));
    } else if (target.exists) {
        names.insert(names.end(), target.columns.begin(), target.columns.end());
    } else {
        for (size_t column = 1; column < inferred.size(); ++column)
            names.push_back("column_" + std::to_string(column));
    }
    return names;
}

}  // namespace

bool plan_needs_types_first(const PlanTarget& target, const PlanRequest& request) {
    return !target.exists && request.columns.empty() && request.header.size() <= 1;
}

ColumnPlan plan_columns(const PlanTarget& target, const PlanRequest& request,
                        const std::vector<std::string>& inferred) {
    std::vector<std::string> names = names_by_sheet_column(target, request, inferred);
    ColumnPlan plan;
    plan.slot_of_sheet_column.assign(names.size(), -1);
    for (size_t column = 1; column < names.size(); ++column) {
        if (names[column].empty()) continue;
        if (contains(plan.names, names[column]))
            throw PlanError(Kind::Mismatch, "two sheet columns go to column " + names[column] +
                                                "; skip one with " + request.words.columns);
        plan.slot_of_sheet_column[column] = static_cast<int>(plan.names.size());
        plan.names.push_back(names[column]);
    }
    if (plan.names.empty())
        throw PlanError(Kind::Invalid,
                        "no sheet column is loaded: the sheet is empty or every column is skipped");
    if (target.exists)
        for (const std::string& name : plan.names) {
            auto at = std::find(target.columns.begin(), target.columns.end(), name);
            if (at == target.columns.end())
                throw PlanError(Kind::UnknownColumn,
                                "table " + target.name + " has no column \"" + name +
                                    "\". Its columns are: " + joined(target.columns));
            plan.types.push_back(target.types[at - target.columns.begin()]);
        }
    return plan;
}

void plan_new_table_types(ColumnPlan& plan, const PlanRequest& request,
                          const std::vector<std::string>& inferred) {
    plan.types.clear();
    for (size_t column = 1; column <= plan.width(); ++column) {
        if (plan.slot_of_sheet_column[column] < 0) continue;
        bool known = !request.all_text && column < inferred.size() && !inferred[column].empty();
        plan.types.push_back(known ? inferred[column] : "text");
    }
    for (const auto& [column, type] : request.type_overrides) {
        auto at = std::find(plan.names.begin(), plan.names.end(), column);
        if (at == plan.names.end())
            throw PlanError(Kind::UnknownColumn,
                            std::string(request.words.types) + " names column \"" + column +
                                "\", which is not loaded; the columns are: " + joined(plan.names));
        plan.types[at - plan.names.begin()] = type;
    }
}

}  // namespace xlsx
