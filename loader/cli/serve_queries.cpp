#include "serve_queries.hpp"

#include <cstdio>
#include <cstdlib>
#include <stdexcept>

#include "csv_writer.hpp"
#include "load/run_ledger.hpp"

namespace cli {

std::string insertable_tables_json(pg::Connection& conn, const std::vector<std::string>& schemas) {
    pg::Result r = conn.exec(
        "SELECT coalesce(json_agg(json_build_object('schema', n.nspname, 'name', "
        "c.relname, 'qualified_name', format('%I.%I', n.nspname, c.relname)) "
        "ORDER BY n.nspname, c.relname), '[]')::text FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') "
        "AND n.nspname = ANY ($1::text[]) AND has_table_privilege(c.oid, 'INSERT')",
        {pg::array_literal(schemas)});
    return r.text(0, 0);
}

std::string rejects_csv_of_run(pg::Connection& conn, const std::string& run) {
    pg::Result r = load::ledger::all_rejects(conn, run);
    // The loader's own CSV writer, into memory.
    char* csv = nullptr;
    size_t size = 0;
    std::FILE* out = open_memstream(&csv, &size);
    if (!out) throw std::runtime_error("out of memory");
    {
        CsvWriter writer(out);
        for (const char* name : {"sheet_row", "column", "value", "target_type", "reason"})
            writer.field(name, false);
        writer.end_row();
        for (int i = 0; i < r.rows(); ++i) {
            for (int c = 0; c < 5; ++c)
                writer.field(r.text(i, c), !r.is_null(i, c));
            writer.end_row();
        }
    }
    std::fclose(out);
    std::string body(csv, size);
    std::free(csv);
    return body;
}

}  // namespace cli
