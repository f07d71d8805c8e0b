/*
 * pg_xlsx: the server half of xlsx2pg. This file holds the module's magic block; each
 * capability lives in its own file: excel_date.c (serials to dates), value_check.c (the
 * non-throwing type checks), profile.c (the profiling aggregate).
 */
#include "postgres.h"

#include "fmgr.h"

PG_MODULE_MAGIC;
