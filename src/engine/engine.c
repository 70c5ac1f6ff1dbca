#include "engine.h"
#include "scheduler.h"
#include "trace.h"

static ob_table *global_table;

static BOOL CALLBACK create_engine(INIT_ONCE *once, void *param, void **context)
{
    ob_limits limits;
    ob_trace_init();
    limits = ob_limits_from_registry();
    ob_scheduler *scheduler = ob_scheduler_new(limits.max_transfers, ob_config_time_unit_ms());
    ob_table *table = ob_table_new(&limits);

    if (!scheduler || !table)
    {
        if (scheduler) ob_scheduler_free(scheduler);
        if (table) ob_table_free(table);
        return FALSE;
    }
    /* Both live as long as the process: jobs are process-wide state. */
    ob_scheduler_attach(scheduler, table);
    global_table = table;
    return TRUE;
}

ob_table *ob_engine_table(void)
{
    static INIT_ONCE once = INIT_ONCE_STATIC_INIT;
    InitOnceExecuteOnce(&once, create_engine, NULL, NULL);
    return global_table;
}

ULONG ob_engine_job_count(void)
{
    return global_table ? ob_table_count(global_table) : 0;
}
