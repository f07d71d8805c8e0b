/* A grouped report as finance sends them: a two-row header whose group titles are merged
 * over their columns ("Q1" over Units and Revenue) and whose first title is merged down over
 * both rows, then regions merged down over their rows. Written with libxlsxwriter:
 *   cc report_workbook.c -o report_workbook -lxlsxwriter && ./report_workbook report.xlsx */
#include <xlsxwriter.h>

int main(int argc, char** argv) {
    lxw_workbook* wb = workbook_new(argc > 1 ? argv[1] : "report.xlsx");
    lxw_worksheet* ws = workbook_add_worksheet(wb, "Report");
    lxw_format* center = workbook_add_format(wb);
    format_set_align(center, LXW_ALIGN_CENTER);
    worksheet_merge_range(ws, 0, 0, 1, 0, "Region", center);
    worksheet_merge_range(ws, 0, 1, 0, 2, "Q1", center);
    worksheet_merge_range(ws, 0, 3, 0, 4, "Q2", center);
    const char* names[] = {"Units", "Revenue", "Units", "Revenue"};
    for (int c = 0; c < 4; c++)
        worksheet_write_string(ws, 1, c + 1, names[c], NULL);
    worksheet_merge_range(ws, 2, 0, 4, 0, "North", center);
    worksheet_merge_range(ws, 5, 0, 6, 0, "South", center);
    for (int r = 2; r < 7; r++)
        for (int c = 1; c < 5; c++)
            worksheet_write_number(ws, r, c, r * 10 + c, NULL);
    return workbook_close(wb);
}
