/*
 * An import's progress, in slots of the COPY progress report that COPY leaves unused (and in a
 * COPY report of the import's own while it reads without copying, or merges); the view
 * xlsx.import_progress shows them. Rows done are COPY's tuple count.
 */
#ifndef PG_XLSX_IMPORT_PROGRESS_H
#define PG_XLSX_IMPORT_PROGRESS_H

#define PROGRESS_XML_BYTES_READ 10
#define PROGRESS_XML_BYTES_TOTAL 11
#define PROGRESS_SHEET_ROW 12
#define PROGRESS_PHASE 13
#define PROGRESS_ROWS_EXPECTED 14
#define PROGRESS_EXPECTED_FROM 15

typedef enum ImportPhase {
    IMPORT_READING = 1, /* a pass that only reads: the width and types of a new table */
    IMPORT_STAGING,     /* text into the run's staging table */
    IMPORT_COPYING,     /* typed rows into the target (direct mode) */
    IMPORT_MERGING      /* the staging table into the target */
} ImportPhase;

typedef enum ExpectedFrom {
    EXPECTED_FROM_DIMENSION = 1, /* the sheet's <dimension ref>: its last row */
    EXPECTED_FROM_XML,           /* rows so far scaled by the XML still to read */
    EXPECTED_FROM_STAGED         /* the rows the staging table holds */
} ExpectedFrom;

#endif
