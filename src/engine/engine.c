#include "engine.h"
#include "lock.h"
#include "notify.h"
#include "persist.h"
#include "scheduler.h"
#include "trace.h"

struct ob_engine {
    ob_table *table;
    ob_scheduler *scheduler;
    ob_notifier *notifier;
    ob_persist *persist;       /* NULL: no store (an in-process engine) */
    ULONG unit_ms;
    HANDLE stop_event;

    SRWLOCK threads_lock;      /* innermost: guards the thread list only */
    CONDITION_VARIABLE threads_changed;
    HANDLE *threads;           /* every thread started and not yet reaped */
    ULONG thread_count, thread_capacity;
    ULONG spawning;            /* CreateThread calls under way */
    BOOL stopping;
};

ob_engine_config ob_engine_config_default(void)
{
    ob_engine_config config;
    config.limits = ob_limits_from_registry();
    config.unit_ms = ob_config_time_unit_ms();
    config.store_dir = NULL;
    return config;
}

HRESULT ob_engine_new(const ob_engine_config *config, ob_engine **out)
{
    ob_engine *e = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, sizeof(*e));

    *out = NULL;
    if (!e) return E_OUTOFMEMORY;
    ob_trace_init();
    InitializeSRWLock(&e->threads_lock);
    InitializeConditionVariable(&e->threads_changed);
    e->unit_ms = max(config->unit_ms, 1);
    e->stop_event = CreateEventW(NULL, TRUE, FALSE, NULL);
    e->table = ob_table_new(&config->limits, e);
    e->scheduler = ob_scheduler_new(e, config->limits.max_transfers, e->unit_ms);
    e->notifier = ob_notifier_new(e, e->unit_ms);
    if (!e->stop_event || !e->table || !e->scheduler || !e->notifier)
    {
        ob_engine_free(e);
        return E_OUTOFMEMORY;
    }
    ob_scheduler_attach(e->scheduler, e->table);
    if (config->store_dir)
    {
        ob_store *store;
        ULONG restored = 0, refused = 0;
        HRESULT hr = ob_store_open(config->store_dir, &store);
        if (SUCCEEDED(hr) && FAILED(hr = ob_persist_new(e, store, &e->persist))) ob_store_free(store);
        if (FAILED(hr))
        {
            ob_engine_free(e);
            return hr;
        }
        ob_persist_restore(e->persist, e->table, e->scheduler, &restored, &refused);
        OB_TRACE(NULL, L"store %ls: %lu job(s) restored, %lu record(s) refused", config->store_dir, restored, refused);
    }
    *out = e;
    return S_OK;
}

void ob_engine_start(ob_engine *engine)
{
    if (engine->persist) ob_persist_start(engine->persist);
    ob_scheduler_start(engine->scheduler);
}

void ob_engine_job_changed(ob_engine *engine, ob_job *job)
{
    if (engine->persist) ob_persist_job_changed(engine->persist, job);
}

void ob_engine_flush_store(ob_engine *engine)
{
    if (engine->persist) ob_persist_flush(engine->persist);
}

/* Waits for every tracked thread; none can be added once stopping is set. */
static void join_threads(ob_engine *e)
{
    ULONG i;

    ob_lock_exclusive(&e->threads_lock);
    e->stopping = TRUE;
    while (e->spawning) ob_lock_sleep(&e->threads_changed, &e->threads_lock, INFINITE, 0);
    ob_unlock_exclusive(&e->threads_lock);

    for (i = 0; i < e->thread_count; i++)
    {
        WaitForSingleObject(e->threads[i], INFINITE);
        CloseHandle(e->threads[i]);
    }
    e->thread_count = 0;
}

void ob_engine_stop(ob_engine *e)
{
    if (e->stop_event) SetEvent(e->stop_event);
    if (e->scheduler) ob_scheduler_stop(e->scheduler);
    if (e->notifier) ob_notifier_stop(e->notifier);
    if (e->persist) ob_persist_stop(e->persist); /* saves what is queued first */
    join_threads(e);
}

void ob_engine_shutdown(ob_engine *e)
{
    ob_caller everyone = { L"", TRUE };
    ob_job **jobs;
    ULONG count, i;

    if (e->persist)
    {
        if (e->scheduler) ob_scheduler_stop(e->scheduler); /* transfers stop where they are... */
        if (SUCCEEDED(ob_table_snapshot(e->table, BG_JOB_ENUM_ALL_USERS, &everyone, &jobs, &count)))
        {
            for (i = 0; i < count; i++) ob_persist_job_changed(e->persist, jobs[i]); /* ...and are saved so */
            ob_table_free_snapshot(jobs, count);
        }
    }
    ob_engine_stop(e);
}

void ob_engine_free(ob_engine *e)
{
    ob_engine_stop(e);
    /* The scheduler and notifier hold job references; the table last. */
    if (e->scheduler) ob_scheduler_free(e->scheduler);
    if (e->notifier) ob_notifier_free(e->notifier);
    ob_persist_free(e->persist);
    if (e->table) ob_table_free(e->table);
    if (e->stop_event) CloseHandle(e->stop_event);
    HeapFree(GetProcessHeap(), 0, e->threads);
    HeapFree(GetProcessHeap(), 0, e);
}

ob_table *ob_engine_table(ob_engine *engine)
{
    return engine->table;
}

ob_scheduler *ob_engine_scheduler(ob_engine *engine)
{
    return engine->scheduler;
}

ob_notifier *ob_engine_notifier(ob_engine *engine)
{
    return engine->notifier;
}

ULONG ob_engine_unit_ms(ob_engine *engine)
{
    return engine->unit_ms;
}

ULONG ob_engine_job_count(ob_engine *engine)
{
    return engine ? ob_table_count(engine->table) : 0;
}

HANDLE ob_engine_stop_event(ob_engine *engine)
{
    return engine->stop_event;
}

/* ---- threads ---- */

typedef struct spawned {
    LPTHREAD_START_ROUTINE main;
    void *param;
    HMODULE module;
} spawned;

static DWORD WINAPI spawned_main(void *context)
{
    spawned start = *(spawned *)context;

    HeapFree(GetProcessHeap(), 0, context);
    start.main(start.param);
    FreeLibraryAndExitThread(start.module, 0);
    return 0;
}

/* Threads lock held: closes the handles of threads that have ended. */
static void reap(ob_engine *e)
{
    ULONG i = 0;
    while (i < e->thread_count)
    {
        if (WaitForSingleObject(e->threads[i], 0) != WAIT_OBJECT_0)
        {
            i++;
            continue;
        }
        CloseHandle(e->threads[i]);
        e->threads[i] = e->threads[--e->thread_count];
    }
}

/* Threads lock held: room for every thread being made, and one more. */
static BOOL reserve_slot(ob_engine *e)
{
    ULONG capacity, needed = e->thread_count + e->spawning + 1;
    HANDLE *grown;

    if (needed <= e->thread_capacity) return TRUE;
    capacity = e->thread_capacity ? e->thread_capacity * 2 : 16;
    while (capacity < needed) capacity *= 2;
    grown = e->threads ? HeapReAlloc(GetProcessHeap(), 0, e->threads, capacity * sizeof(*grown))
                       : HeapAlloc(GetProcessHeap(), 0, capacity * sizeof(*grown));
    if (!grown) return FALSE;
    e->threads = grown;
    e->thread_capacity = capacity;
    return TRUE;
}

BOOL ob_engine_spawn(ob_engine *e, LPTHREAD_START_ROUTINE main, void *param)
{
    spawned *start = HeapAlloc(GetProcessHeap(), 0, sizeof(*start));
    HANDLE thread = NULL;
    BOOL ok;

    if (!start) return FALSE;
    ob_lock_exclusive(&e->threads_lock);
    reap(e);
    /* the slot is reserved now, so that a thread once made always has one */
    if ((ok = !e->stopping && reserve_slot(e))) e->spawning++;
    ob_unlock_exclusive(&e->threads_lock);
    if (!ok)
    {
        HeapFree(GetProcessHeap(), 0, start);
        return FALSE;
    }

    /* no lock held while the thread is made */
    ob_lock_check_free("create thread");
    start->main = main;
    start->param = param;
    if (GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS, (const WCHAR *)spawned_main, &start->module) &&
        !(thread = CreateThread(NULL, 0, spawned_main, start, 0, NULL)))
        FreeLibrary(start->module);

    ob_lock_exclusive(&e->threads_lock);
    if (thread) e->threads[e->thread_count++] = thread;
    e->spawning--;
    WakeAllConditionVariable(&e->threads_changed);
    ob_unlock_exclusive(&e->threads_lock);

    if (!thread) HeapFree(GetProcessHeap(), 0, start);
    return thread != NULL;
}

ULONG ob_engine_threads_alive(ob_engine *e)
{
    ULONG alive;
    ob_lock_exclusive(&e->threads_lock);
    reap(e);
    alive = e->thread_count + e->spawning;
    ob_unlock_exclusive(&e->threads_lock);
    return alive;
}
