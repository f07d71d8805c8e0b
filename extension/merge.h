/*
 * The merge: a staging table's text columns into a typed target, in the caller's
 * transaction (merge.c). xlsx.merge, xlsx.merge_run and xlsx.import's staging mode call it.
 */
#ifndef PG_XLSX_MERGE_H
#define PG_XLSX_MERGE_H

#include "postgres.h"

typedef struct MergeRequest {
    Oid staging;      /* InvalidOid: the run's staging table */
    Oid target;       /* InvalidOid: the run's target table */
    const char* mode; /* insert, upsert or replace */
    char** key_columns;
    int nkeys;
    Datum column_map; /* a jsonb object: staging column -> target column (null skips) */
    bool has_column_map;
    bool has_reject_limit;
    int64 reject_limit;
    int64 run;         /* 0: a run of its own is opened for the merge */
    bool drop_staging; /* with a run: drop its staging table after the merge */
} MergeRequest;

typedef struct MergeResult {
    int64 inserted;
    int64 updated;
    int64 rejected;
} MergeResult;

/* Merges and records the result in the run; any error leaves the target unchanged. */
extern void merge_staging(const MergeRequest* request, MergeResult* result);

/* The same for a run of xlsx2pg or xlsx.import: its staging table (locked, so that a second
 * merge of it waits and then finds it merged), into its target unless the request names one. */
extern void merge_run(const MergeRequest* request, MergeResult* result);

#endif
