#include "postgres.h"

#include "access/xact.h"
#include "utils/elog.h"
#include "utils/memutils.h"
#include "utils/resowner.h"

#include "subtransaction.h"

bool is_row_error(const ErrorData* error) {
    int category = ERRCODE_TO_CATEGORY(error->sqlerrcode);

    return category == ERRCODE_DATA_EXCEPTION ||
           category == ERRCODE_INTEGRITY_CONSTRAINT_VIOLATION ||
           error->sqlerrcode == ERRCODE_CARDINALITY_VIOLATION;
}

ErrorData* try_in_subtransaction(void (*work)(void* arg), void* arg) {
    MemoryContext caller_context = CurrentMemoryContext;
    ResourceOwner caller_owner = CurrentResourceOwner;
    ErrorData* volatile error = NULL;

    BeginInternalSubTransaction(NULL);
    MemoryContextSwitchTo(caller_context); /* what work allocates outlives the subtransaction */
    PG_TRY();
    {
        work(arg);
        ReleaseCurrentSubTransaction();
        MemoryContextSwitchTo(caller_context);
        CurrentResourceOwner = caller_owner;
    }
    PG_CATCH();
    {
        MemoryContextSwitchTo(caller_context);
        error = CopyErrorData();
        FlushErrorState();
        RollbackAndReleaseCurrentSubTransaction();
        MemoryContextSwitchTo(caller_context);
        CurrentResourceOwner = caller_owner;
        if (!is_row_error(error)) ReThrowError(error);
    }
    PG_END_TRY();
    return error;
}
