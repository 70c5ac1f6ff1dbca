#include "persist.h"
#include "engine.h"
#include "job_record.h"
#include "lock.h"
#include "scheduler.h"
#include "state.h"
#include "trace.h"

#define COMPACT_AFTER 1000        /* loose files */

typedef struct pending {
    struct pending *next;
    ob_job *job;               /* one reference */
} pending;

struct ob_persist {
    struct ob_engine *engine;
    ob_store *store;
    SRWLOCK lock;              /* guards everything below; no other lock is taken under it */
    CONDITION_VARIABLE changed;
    pending *head, **tail;
    ULONG queued, done;        /* changes queued and saved, for flush */
    BOOL started, stopping, running;
    volatile LONG writes;
};

HRESULT ob_persist_new(struct ob_engine *engine, ob_store *store, ob_persist **out)
{
    ob_persist *p = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, sizeof(*p));
    *out = NULL;
    if (!p) return E_OUTOFMEMORY;
    p->engine = engine;
    p->store = store;
    InitializeSRWLock(&p->lock);
    InitializeConditionVariable(&p->changed);
    p->tail = &p->head;
    *out = p;
    return S_OK;
}

/* ---- restore ---- */

typedef struct restore_context {
    ob_persist *persist;
    ob_table *table;
    struct ob_scheduler *scheduler;
    ULONG restored;
} restore_context;

static BOOL restore_one(void *context, const GUID *id, const char *data, DWORD size)
{
    restore_context *c = context;
    ob_job_ending ending;
    BG_JOB_STATE state;
    ob_job *job;

    if (FAILED(ob_job_record_read(data, size, &job))) return FALSE;
    if (!IsEqualGUID(ob_job_id(job), id))
    {
        ob_job_release(job);
        return FALSE; /* not the record its name says */
    }
    ob_job_set_engine(job, c->persist->engine);
    if (FAILED(ob_table_adopt(c->table, job)))
    {
        ob_job_release(job);
        return FALSE;
    }
    /* a crash came in the middle of Complete or Cancel: finish it */
    ending = ob_job_restored_ending(job);
    if (ending != OB_ENDING_NONE)
    {
        HRESULT hr = ending == OB_ENDING_COMPLETE ? ob_job_complete(job) : ob_job_cancel(job);
        OB_TRACE(ob_job_id(job), L"restored mid-%ls: finished it (0x%08lx)",
                 ending == OB_ENDING_COMPLETE ? L"Complete" : L"Cancel", (unsigned long)hr);
    }
    state = ob_job_state(job);
    if (state == BG_JOB_STATE_QUEUED || state == BG_JOB_STATE_TRANSIENT_ERROR) ob_scheduler_submit(c->scheduler, job);
    OB_TRACE(ob_job_id(job), L"restored from the store (%hs)", ob_state_name(state));
    ob_job_release(job); /* the table holds it */
    c->restored++;
    return TRUE;
}

void ob_persist_restore(ob_persist *p, ob_table *table, struct ob_scheduler *scheduler, ULONG *restored,
                        ULONG *refused)
{
    restore_context c = { p, table, scheduler, 0 };
    ob_store_load(p->store, restore_one, &c, refused);
    *restored = c.restored;
    /* what the last run left loose goes into one snapshot: the next start reads one file */
    if (ob_store_loose(p->store)) ob_store_compact(p->store);
}

/* ---- the writer ---- */

static void save(ob_persist *p, ob_job *job)
{
    char *data;
    DWORD size;
    HRESULT hr;

    if (!ob_job_record_wanted(job)) return;
    if (ob_state_is_final(ob_job_state(job))) hr = ob_store_delete(p->store, ob_job_id(job));
    else if (SUCCEEDED(hr = ob_job_record_write(job, &data, &size)))
    {
        hr = ob_store_save(p->store, ob_job_id(job), data, size);
        HeapFree(GetProcessHeap(), 0, data);
    }
    if (FAILED(hr)) OB_TRACE(ob_job_id(job), L"store: not saved (0x%08lx)", (unsigned long)hr);
    InterlockedIncrement(&p->writes);
}

static DWORD WINAPI writer_main(void *context)
{
    ob_persist *p = context;
    pending *batch, *next;
    ULONG taken;

    for (;;)
    {
        ob_lock_exclusive(&p->lock);
        while (!p->head && !p->stopping) ob_lock_sleep(&p->changed, &p->lock, INFINITE, 0);
        batch = p->head;
        p->head = NULL;
        p->tail = &p->head;
        taken = p->queued;
        if (!batch) p->running = FALSE;
        ob_unlock_exclusive(&p->lock);
        if (!batch) break; /* stopping, and nothing left */

        for (; batch; batch = next)
        {
            next = batch->next;
            ob_job_store_unmark(batch->job); /* a change from now on queues it again */
            save(p, batch->job);
            ob_job_release(batch->job);
            HeapFree(GetProcessHeap(), 0, batch);
        }
        /* loose files pile up one per job: fold them into the snapshot */
        if (ob_store_loose(p->store) >= COMPACT_AFTER) ob_store_compact(p->store);
        ob_lock_exclusive(&p->lock);
        p->done = taken;
        ob_unlock_exclusive(&p->lock);
        WakeAllConditionVariable(&p->changed);
    }
    WakeAllConditionVariable(&p->changed);
    return 0;
}

BOOL ob_persist_start(ob_persist *p)
{
    ob_lock_exclusive(&p->lock);
    p->started = p->running = TRUE;
    ob_unlock_exclusive(&p->lock);
    if (ob_engine_spawn(p->engine, writer_main, p)) return TRUE;
    ob_lock_exclusive(&p->lock);
    p->running = FALSE;
    ob_unlock_exclusive(&p->lock);
    return FALSE;
}

void ob_persist_job_changed(ob_persist *p, ob_job *job)
{
    pending *item;

    if (!ob_job_record_wanted(job) || !ob_job_store_mark(job)) return; /* not kept, or already queued */
    if (!(item = HeapAlloc(GetProcessHeap(), 0, sizeof(*item))))
    {
        ob_job_store_unmark(job);
        return;
    }
    ob_job_addref(job);
    item->job = job;
    item->next = NULL;
    ob_lock_exclusive(&p->lock);
    *p->tail = item;
    p->tail = &item->next;
    p->queued++;
    ob_unlock_exclusive(&p->lock);
    WakeAllConditionVariable(&p->changed);
}

void ob_persist_flush(ob_persist *p)
{
    ULONG target;
    ob_lock_exclusive(&p->lock);
    target = p->queued;
    while (p->running && (LONG)(p->done - target) < 0) ob_lock_sleep(&p->changed, &p->lock, INFINITE, 0);
    ob_unlock_exclusive(&p->lock);
}

void ob_persist_stop(ob_persist *p)
{
    ob_lock_exclusive(&p->lock);
    p->stopping = TRUE;
    ob_unlock_exclusive(&p->lock);
    WakeAllConditionVariable(&p->changed);
}

ULONG ob_persist_writes(ob_persist *p)
{
    return (ULONG)InterlockedCompareExchange(&p->writes, 0, 0);
}

void ob_persist_free(ob_persist *p)
{
    pending *item, *next;
    if (!p) return;
    for (item = p->head; item; item = next) /* queued after the writer left */
    {
        next = item->next;
        ob_job_store_unmark(item->job);
        ob_job_release(item->job);
        HeapFree(GetProcessHeap(), 0, item);
    }
    ob_store_free(p->store);
    HeapFree(GetProcessHeap(), 0, p);
}
