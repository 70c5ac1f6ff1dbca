#include "scheduler.h"
#include "lock.h"
#include "download.h"
#include "engine.h"
#include "upload.h"

/* An idle worker leaves after this long with nothing to wait for. */
#define IDLE_EXIT_MS 2000

struct ob_scheduler {
    ob_engine *engine;         /* makes and tracks the worker threads */
    SRWLOCK lock;              /* guards everything below; taken before any job lock */
    CONDITION_VARIABLE wake;   /* new work, for idle workers */
    CONDITION_VARIABLE exited; /* a worker left */
    ob_job **jobs;             /* AddRef'd: every job that may need a worker */
    ULONG count, capacity;
    ULONG max_workers, workers, idle;
    ULONG unit_ms;
    BOOL started, stopping;
};

/* ACT_COMMIT: a job's state changed while it was polled (retry, or ERROR
 * once NoProgressTimeout ran out): commit it with the scheduler lock let go. */
typedef enum action { ACT_WAIT, ACT_RUN, ACT_COMMIT, ACT_DROP } action;

ob_scheduler *ob_scheduler_new(ob_engine *engine, ULONG max_workers, ULONG unit_ms)
{
    ob_scheduler *s = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, sizeof(*s));
    if (!s) return NULL;
    s->engine = engine;
    InitializeSRWLock(&s->lock);
    InitializeConditionVariable(&s->wake);
    InitializeConditionVariable(&s->exited);
    s->max_workers = max(max_workers, 1);
    s->unit_ms = max(unit_ms, 1);
    return s;
}

static void on_queued(void *context, ob_job *job)
{
    ob_scheduler_submit(context, job);
}

void ob_scheduler_attach(ob_scheduler *s, ob_table *table)
{
    ob_table_set_queue_handler(table, on_queued, s);
}

/* ---- the job list (scheduler lock held) ---- */

static BOOL contains(const ob_scheduler *s, const ob_job *job)
{
    ULONG i;
    for (i = 0; i < s->count; i++)
        if (s->jobs[i] == job) return TRUE;
    return FALSE;
}

static BOOL append(ob_scheduler *s, ob_job *job)
{
    if (s->count == s->capacity)
    {
        ULONG capacity = s->capacity ? s->capacity * 2 : 16;
        ob_job **grown = s->jobs ? HeapReAlloc(GetProcessHeap(), 0, s->jobs, capacity * sizeof(*grown))
                                 : HeapAlloc(GetProcessHeap(), 0, capacity * sizeof(*grown));
        if (!grown) return FALSE;
        s->jobs = grown;
        s->capacity = capacity;
    }
    ob_job_addref(job);
    s->jobs[s->count++] = job;
    return TRUE;
}

static void remove_at(ob_scheduler *s, ULONG i)
{
    s->jobs[i] = s->jobs[--s->count];
}

/* ---- choosing work (scheduler lock held) ---- */

static BOOL goes_before(BG_JOB_PRIORITY priority, LONGLONG seq, BG_JOB_PRIORITY best_priority, LONGLONG best_seq)
{
    return priority < best_priority || (priority == best_priority && seq < best_seq);
}

/* The next thing for a worker to do: run the most urgent queued job, commit
 * a job whose retry time came or that ran out of retries, drop a job that
 * needs nothing, or wait (*wait_ms: until the nearest retry, INFINITE: until
 * new work). *more is set when further jobs are runnable.  *change is what
 * the job's state did, for the worker to commit. */
static action pick(ob_scheduler *s, ob_job **job, ULONG *wait_ms, BOOL *more, ob_change *change)
{
    BG_JOB_PRIORITY priority, best_priority = 0;
    LONGLONG seq, best_seq = 0;
    ULONGLONG now = GetTickCount64();
    ob_job *best = NULL;
    ULONG i, wait, runnable = 0;

    *wait_ms = INFINITE;
    *more = FALSE;
    for (i = 0; i < s->count; i++)
    {
        ob_job *candidate = s->jobs[i];
        ob_sched_status status = ob_job_sched_poll(candidate, now, s->unit_ms, &priority, &seq, &wait, change);

        if (change->modified)
        {
            ob_job_addref(candidate);
            *job = candidate;
            return ACT_COMMIT;
        }
        switch (status)
        {
        case OB_SCHED_IDLE:
            remove_at(s, i);
            *job = candidate;
            return ACT_DROP;
        case OB_SCHED_FAILED: /* always a change, committed above */
            break;
        case OB_SCHED_WAITING:
            *wait_ms = min(*wait_ms, wait);
            break;
        case OB_SCHED_RUNNABLE:
            runnable++;
            if (!best || goes_before(priority, seq, best_priority, best_seq))
            {
                best = candidate;
                best_priority = priority;
                best_seq = seq;
            }
            break;
        case OB_SCHED_BUSY:
            break;
        }
    }
    *more = runnable > 1;
    if (!best) return ACT_WAIT;
    if (!ob_job_sched_claim(best, change))
    {
        *wait_ms = 0; /* it changed under us: look again */
        return ACT_WAIT;
    }
    ob_job_addref(best);
    *job = best;
    return ACT_RUN;
}

/* ---- workers ---- */

static DWORD WINAPI worker_main(void *param);

/* Another runnable job: an idle worker takes it, or a new one may be made
 * (TRUE: counted already; the caller spawns it once it has let go of the
 * scheduler lock, since no thread is made under a lock). */
static BOOL kick(ob_scheduler *s)
{
    if (!s->started || s->stopping) return FALSE;
    if (s->idle)
    {
        WakeConditionVariable(&s->wake);
        return FALSE;
    }
    if (s->workers >= s->max_workers) return FALSE;
    s->workers++;
    return TRUE;
}

/* No lock held.  The engine tracks the thread (and its module reference). */
static void spawn_worker(ob_scheduler *s)
{
    if (ob_engine_spawn(s->engine, worker_main, s)) return;
    ob_lock_exclusive(&s->lock);
    s->workers--;
    WakeAllConditionVariable(&s->exited);
    ob_unlock_exclusive(&s->lock);
}

static void carry_out(ob_scheduler *s, action act, ob_job *job, const ob_change *change)
{
    ob_job_commit(job, change);
    if (act == ACT_RUN)
    {
        if (ob_job_type(job) == BG_JOB_TYPE_DOWNLOAD) ob_download_run(job, s->unit_ms);
        else ob_upload_run(job, s->unit_ms);
        ob_job_sched_unclaim(job);
    }
    ob_job_release(job);
}

static DWORD WINAPI worker_main(void *param)
{
    ob_scheduler *s = param;
    BOOL idle_too_long = FALSE, more = FALSE, spawn;
    ULONG wait;
    ob_job *job;
    action act;

    ob_lock_exclusive(&s->lock);
    while (!s->stopping)
    {
        ob_change change = OB_NO_CHANGE;
        if ((act = pick(s, &job, &wait, &more, &change)) != ACT_WAIT)
        {
            spawn = more && kick(s);
            ob_unlock_exclusive(&s->lock);
            if (spawn) spawn_worker(s);
            carry_out(s, act, job, &change);
            ob_lock_exclusive(&s->lock);
            idle_too_long = FALSE;
            continue;
        }
        if (wait == INFINITE && idle_too_long) break;
        s->idle++;
        idle_too_long = !ob_lock_sleep(&s->wake, &s->lock, wait == INFINITE ? IDLE_EXIT_MS : wait, 0) &&
                        wait == INFINITE;
        s->idle--;
    }
    s->workers--;
    WakeAllConditionVariable(&s->exited);
    ob_unlock_exclusive(&s->lock);
    return 0;
}

/* Every worker busy: the least urgent running job below this priority gives
 * its worker back (it stops at its next block and is queued again). */
static void preempt_for(ob_scheduler *s, BG_JOB_PRIORITY priority)
{
    BG_JOB_PRIORITY level;
    ULONG i;

    for (level = BG_JOB_PRIORITY_LOW; level > priority; level--)
        for (i = 0; i < s->count; i++)
            if (ob_job_sched_preempt(s->jobs[i], level)) return;
}

void ob_scheduler_submit(ob_scheduler *s, ob_job *job)
{
    BOOL spawn = FALSE;
    ob_job_info info;

    ob_job_get_info(job, &info);
    ob_lock_exclusive(&s->lock);
    if (!s->stopping && (contains(s, job) || append(s, job)))
    {
        if (s->started && !s->idle && s->workers == s->max_workers) preempt_for(s, info.priority);
        spawn = kick(s);
    }
    ob_unlock_exclusive(&s->lock);
    if (spawn) spawn_worker(s);
}

void ob_scheduler_start(ob_scheduler *s)
{
    BOOL spawn;

    ob_lock_exclusive(&s->lock);
    s->started = TRUE;
    spawn = s->count && kick(s);
    ob_unlock_exclusive(&s->lock);
    if (spawn) spawn_worker(s);
}

void ob_scheduler_stop(ob_scheduler *s)
{
    ULONG i;

    ob_lock_exclusive(&s->lock);
    s->stopping = TRUE;
    for (i = 0; i < s->count; i++) ob_job_cancel_call(s->jobs[i]);
    WakeAllConditionVariable(&s->wake);
    while (s->workers) ob_lock_sleep(&s->exited, &s->lock, INFINITE, 0);
    ob_unlock_exclusive(&s->lock);
}

void ob_scheduler_free(ob_scheduler *s)
{
    ULONG i;

    ob_scheduler_stop(s);
    for (i = 0; i < s->count; i++) ob_job_release(s->jobs[i]);
    HeapFree(GetProcessHeap(), 0, s->jobs);
    HeapFree(GetProcessHeap(), 0, s);
}
