#include <xlsxwriter.h>
int main() {
    lxw_workbook* wb = workbook_new("edge.xlsx");
    lxw_worksheet* ws = workbook_add_worksheet(wb, "Edge");
    lxw_format* dt = workbook_add_format(wb);
    format_set_num_format(dt, "yyyy-mm-dd hh:mm:ss.000");
    lxw_format* d = workbook_add_format(wb);
    format_set_num_format(d, "yyyy-mm-dd");
    lxw_format* t = workbook_add_format(wb);
    format_set_num_format(t, "hh:mm:ss");
    worksheet_write_boolean(ws, 0, 0, 1, NULL);
    worksheet_write_boolean(ws, 0, 1, 0, NULL);
    worksheet_write_formula_num(ws, 0, 2, "=1/0", NULL, 0);
    worksheet_write_formula(ws, 0, 3, "=NA()", NULL);
    worksheet_write_formula_str(ws, 0, 4, "=\"a\"&\"b\"", NULL, "ab");
    worksheet_write_formula_num(ws, 0, 5, "=2*3", NULL, 6);
    worksheet_write_number(ws, 1, 0, 45306.5729166667, dt);
    worksheet_write_number(ws, 1, 1, 45306.123456789, dt);
    worksheet_write_number(ws, 1, 2, 45306, d);
    worksheet_write_number(ws, 1, 3, 0.75, t);
    worksheet_write_number(ws, 1, 4, -1, d);
    worksheet_write_number(ws, 1, 5, 60, d);
    worksheet_write_number(ws, 2, 0, 0.1, NULL);
    worksheet_write_number(ws, 2, 1, 123456789012345678.0, NULL);
    worksheet_write_number(ws, 2, 2, 1e-300, NULL);
    worksheet_write_string(ws, 2, 3, "00123", NULL);
    worksheet_write_string(ws, 2, 4, "", NULL);
    worksheet_write_formula(ws, 2, 5, "=TRUE()", NULL);
    workbook_close(wb);
}
