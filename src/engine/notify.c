/* The notifier: a queue of events and up to MAX_NOTIFIERS threads (MTA,
 * started on demand, ending after NOTIFIER_IDLE_MS without work) that deliver
 * them to the job's sink, with the command line as the documented fallback. */
#include "notify.h"
#include "lock.h"
#include "engine.h"
#include "trace.h"
#include <objbase.h>

#define MAX_NOTIFIERS        4     /* BITS: at most 4 simultaneous notifications */
#define NOTIFIER_IDLE_MS     5000
#define CALLBACK_RETRY_UNITS 5

typedef struct event {
    struct event *next;
    ob_job *job;               /* one reference */
    ob_notify_kind kind;
    ULONG file_index;
    ULONGLONG due;             /* GetTickCount64() */
} event;

struct ob_notifier {
    ob_engine *engine;
    ULONG unit_ms;
    SRWLOCK lock;              /* guards everything below; no job lock is taken under it */
    CONDITION_VARIABLE changed;
    event *head;               /* in the order raised; retries go to the end */
    ob_job *busy[MAX_NOTIFIERS]; /* jobs whose event is being delivered */
    LONG threads;
    LONG idle;
    BOOL stopping;
};

static const char *kind_name(ob_notify_kind kind)
{
    static const char *const names[] = { "JobTransferred", "JobError", "JobModification", "FileTransferred" };
    return (unsigned)kind < ARRAYSIZE(names) ? names[kind] : "?";
}

static ULONGLONG units_to_ms(ob_notifier *n, ULONG units)
{
    return (ULONGLONG)units * n->unit_ms; /* one documented second */
}

ob_notifier *ob_notifier_new(ob_engine *engine, ULONG unit_ms)
{
    ob_notifier *n = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, sizeof(*n));
    if (!n) return NULL;
    n->engine = engine;
    n->unit_ms = max(unit_ms, 1);
    InitializeSRWLock(&n->lock);
    InitializeConditionVariable(&n->changed);
    return n;
}

static void free_event(event *ev)
{
    ob_job_release(ev->job); /* no lock held: it may free the job and its sink */
    HeapFree(GetProcessHeap(), 0, ev);
}

void ob_notifier_stop(ob_notifier *n)
{
    event *ev, *next;

    ob_lock_exclusive(&n->lock);
    n->stopping = TRUE;
    WakeAllConditionVariable(&n->changed);
    while (n->threads) ob_lock_sleep(&n->changed, &n->lock, INFINITE, 0);
    ev = n->head;
    n->head = NULL;
    ob_unlock_exclusive(&n->lock);
    for (; ev; ev = next)
    {
        next = ev->next;
        free_event(ev);
    }
}

void ob_notifier_free(ob_notifier *n)
{
    ob_notifier_stop(n);
    HeapFree(GetProcessHeap(), 0, n);
}

/* ---- the queue (notifier lock held) ---- */

static BOOL is_busy(ob_notifier *n, ob_job *job)
{
    int i;
    for (i = 0; i < MAX_NOTIFIERS; i++)
        if (n->busy[i] == job) return TRUE;
    return FALSE;
}

static void set_busy(ob_notifier *n, ob_job *from, ob_job *to)
{
    int i;
    for (i = 0; i < MAX_NOTIFIERS; i++)
        if (n->busy[i] == from)
        {
            n->busy[i] = to;
            return;
        }
}

/* A second JobModification while one is pending adds nothing; a repeated
 * JobTransferred or JobError makes the pending one due now. */
static BOOL coalesce(ob_notifier *n, const event *ev)
{
    event *other;
    for (other = n->head; other; other = other->next)
    {
        if (other->job != ev->job || other->kind != ev->kind) continue;
        if (ev->kind == OB_NOTIFY_FILE_TRANSFERRED && other->file_index != ev->file_index) continue;
        if (ev->due < other->due) other->due = ev->due;
        return TRUE;
    }
    return FALSE;
}

static void append(ob_notifier *n, event *ev)
{
    event **link = &n->head;
    while (*link) link = &(*link)->next;
    ev->next = NULL;
    *link = ev;
}

static DWORD WINAPI notifier_main(void *param);

/* Takes over ev (and its job reference). */
static void enqueue(ob_notifier *n, event *ev)
{
    BOOL keep, start = FALSE;

    ob_lock_exclusive(&n->lock);
    if ((keep = !n->stopping && !coalesce(n, ev)))
    {
        append(n, ev);
        if (!n->idle && !is_busy(n, ev->job) && n->threads < MAX_NOTIFIERS)
        {
            n->threads++;
            start = TRUE;
        }
        WakeAllConditionVariable(&n->changed);
    }
    ob_unlock_exclusive(&n->lock);
    if (!keep) free_event(ev);
    /* the thread is made with no lock held */
    if (start && !ob_engine_spawn(n->engine, notifier_main, n))
    {
        ob_lock_exclusive(&n->lock);
        n->threads--;
        WakeAllConditionVariable(&n->changed);
        ob_unlock_exclusive(&n->lock);
    }
}

static void queue_event(ob_notifier *n, ob_job *job, ob_notify_kind kind, ULONG file_index, ULONGLONG delay_ms)
{
    event *ev = HeapAlloc(GetProcessHeap(), 0, sizeof(*ev));
    if (!ev) return;
    ev->job = job;
    ev->kind = kind;
    ev->file_index = file_index;
    ev->due = GetTickCount64() + delay_ms;
    ob_job_addref(job);
    enqueue(n, ev);
}

/* Unlinks the first event that is due and whose job is not being served;
 * otherwise lowers *wait_ms to the time until the next one is due. */
static event *take_ready(ob_notifier *n, DWORD *wait_ms)
{
    ULONGLONG now = GetTickCount64();
    event **link, *ev;

    for (link = &n->head; (ev = *link); link = &ev->next)
    {
        if (is_busy(n, ev->job)) continue;
        if (ev->due <= now)
        {
            *link = ev->next;
            set_busy(n, NULL, ev->job);
            return ev;
        }
        if (ev->due - now < *wait_ms) *wait_ms = (DWORD)(ev->due - now);
    }
    return NULL;
}

/* The next event to deliver, or NULL when the thread should end (idle long
 * enough, or the notifier stops); it is then no longer counted. */
static event *next_event(ob_notifier *n)
{
    BOOL idle_expired = FALSE;
    event *ev = NULL;

    ob_lock_exclusive(&n->lock);
    for (;;)
    {
        DWORD wait_ms = NOTIFIER_IDLE_MS;
        if (!n->stopping && (ev = take_ready(n, &wait_ms))) break;
        if (n->stopping || (!n->head && idle_expired))
        {
            n->threads--;
            WakeAllConditionVariable(&n->changed);
            break;
        }
        n->idle++;
        idle_expired = !ob_lock_sleep(&n->changed, &n->lock, wait_ms, 0) && !n->head;
        n->idle--;
    }
    ob_unlock_exclusive(&n->lock);
    return ev;
}

/* Frees ev, or puts it back to be delivered again after retry_ms. */
static void finish_event(ob_notifier *n, event *ev, ULONGLONG retry_ms)
{
    ob_lock_exclusive(&n->lock);
    set_busy(n, ev->job, NULL);
    WakeAllConditionVariable(&n->changed);
    ob_unlock_exclusive(&n->lock);
    if (!retry_ms)
    {
        free_event(ev);
        return;
    }
    ev->due = GetTickCount64() + retry_ms;
    enqueue(n, ev);
}

/* ---- calling the client ---- */

BOOL ob_notify_client_gone(HRESULT hr)
{
    return hr == RPC_E_DISCONNECTED || hr == HRESULT_FROM_WIN32(RPC_S_SERVER_UNAVAILABLE) ||
           hr == CO_E_OBJNOTCONNECTED;
}

/* S_FALSE: the job has no sink.  A client that is gone is dropped here
 * (*gone): the job forgets the sink, as BITS forgets the interface. */
static HRESULT call_sink(const event *ev, BOOL *gone)
{
    ob_sink *sink = ob_job_get_notify_sink(ev->job);
    HRESULT hr;

    *gone = FALSE;
    if (!sink) return S_FALSE;
    hr = ob_sink_call(sink, ev->job, ev->kind, ev->file_index);
    OB_TRACE(ob_job_id(ev->job), L"notify %hs: 0x%08lx", kind_name(ev->kind), (unsigned long)hr);
    if ((*gone = ob_notify_client_gone(hr)))
    {
        ob_job_drop_notify_sink(ev->job, sink);
        OB_TRACE(ob_job_id(ev->job), L"notify: the client is gone, its callback is dropped");
    }
    ob_sink_release(sink);
    return hr == S_FALSE ? E_FAIL : hr; /* S_FALSE from the client is not "no sink" */
}

/* ---- the command line ---- */

typedef struct program_watch {
    ob_notifier *notifier;
    HANDLE process;
    ob_job *job;               /* one reference */
    ob_notify_kind kind;
} program_watch;

static BG_JOB_STATE state_of(ob_notify_kind kind)
{
    return kind == OB_NOTIFY_JOB_TRANSFERRED ? BG_JOB_STATE_TRANSFERRED : BG_JOB_STATE_ERROR;
}

/* Documented: a program that exits with a non-zero code is run again after
 * the job's minimum retry delay, unless it completed or cancelled the job.
 * Engine stop ends the watch (the program runs on). */
static DWORD WINAPI watch_main(void *context)
{
    program_watch *watch = context;
    HANDLE waits[2] = { watch->process, ob_engine_stop_event(watch->notifier->engine) };
    DWORD code = 1;
    ob_job_info info;

    if (WaitForMultipleObjects(2, waits, FALSE, INFINITE) == WAIT_OBJECT_0)
    {
        GetExitCodeProcess(watch->process, &code);
        ob_job_get_info(watch->job, &info);
        if (code && info.state == state_of(watch->kind))
            queue_event(watch->notifier, watch->job, watch->kind, 0, units_to_ms(watch->notifier, info.retry_delay));
    }
    CloseHandle(watch->process);
    ob_job_release(watch->job);
    HeapFree(GetProcessHeap(), 0, watch);
    return 0;
}

static BOOL watch_program(ob_notifier *n, HANDLE process, const event *ev)
{
    program_watch *watch = HeapAlloc(GetProcessHeap(), 0, sizeof(*watch));

    if (!watch) return FALSE;
    watch->notifier = n;
    watch->process = process;
    watch->job = ev->job;
    watch->kind = ev->kind;
    ob_job_addref(ev->job);
    if (ob_engine_spawn(n->engine, watch_main, watch)) return TRUE;
    ob_job_release(ev->job);
    HeapFree(GetProcessHeap(), 0, watch);
    return FALSE;
}

/* The program gets the parameters as its whole command line: documented, they
 * start with the program's own name.  S_FALSE: no command line is set. */
static HRESULT run_program(ob_notifier *n, const event *ev)
{
    STARTUPINFOW startup = { sizeof(startup) };
    PROCESS_INFORMATION process;
    WCHAR *program = NULL, *parameters = NULL;
    HRESULT hr;

    if (FAILED(hr = ob_job_get_string(ev->job, OB_PROP_NOTIFY_PROGRAM, &program))) return hr;
    if (!program[0]) hr = S_FALSE;
    else if (SUCCEEDED(hr = ob_job_get_string(ev->job, OB_PROP_NOTIFY_PARAMETERS, &parameters)))
    {
        ob_lock_check_free("notify command line");
        if (!CreateProcessW(program, parameters[0] ? parameters : NULL, NULL, NULL, FALSE, 0, NULL, NULL,
                            &startup, &process))
            hr = HRESULT_FROM_WIN32(GetLastError());
        else
        {
            CloseHandle(process.hThread);
            if (!watch_program(n, process.hProcess, ev)) CloseHandle(process.hProcess);
        }
        OB_TRACE(ob_job_id(ev->job), L"notify %hs: command line %ls: 0x%08lx", kind_name(ev->kind), program,
                 (unsigned long)hr);
    }
    CoTaskMemFree(program);
    CoTaskMemFree(parameters);
    return hr;
}

/* ---- delivery ---- */

/* JobTransferred or JobError: the callback first; documented, the command
 * line runs only when there is no callback or the callback failed (a client
 * that is gone counts as none from now on).  Returns the delay before the
 * next attempt, 0 when done. */
static ULONGLONG deliver_state(ob_notifier *n, const event *ev, const ob_job_info *info, ULONG flag)
{
    BOOL has_callback, gone;
    HRESULT hr;

    if (!(info->notify_flags & flag) || info->state != state_of(ev->kind)) return 0;
    hr = call_sink(ev, &gone);
    if (hr == S_OK) return 0;
    has_callback = hr != S_FALSE && !gone;
    switch (run_program(n, ev))
    {
    case S_OK: return 0;    /* the watch queues the next attempt if the program fails */
    case S_FALSE: return has_callback ? units_to_ms(n, CALLBACK_RETRY_UNITS) : 0;
    default: return has_callback ? units_to_ms(n, CALLBACK_RETRY_UNITS) : units_to_ms(n, info->retry_delay);
    }
}

static ULONGLONG deliver(ob_notifier *n, const event *ev)
{
    ob_job_info info;
    BOOL gone;

    ob_job_get_info(ev->job, &info);
    if (info.notify_flags & BG_NOTIFY_DISABLE) return 0;
    switch (ev->kind)
    {
    case OB_NOTIFY_JOB_TRANSFERRED: return deliver_state(n, ev, &info, BG_NOTIFY_JOB_TRANSFERRED);
    case OB_NOTIFY_JOB_ERROR:       return deliver_state(n, ev, &info, BG_NOTIFY_JOB_ERROR);
    /* JobModification and FileTransferred: once, never retried */
    case OB_NOTIFY_JOB_MODIFICATION:
        if (info.notify_flags & BG_NOTIFY_JOB_MODIFICATION) call_sink(ev, &gone);
        return 0;
    case OB_NOTIFY_FILE_TRANSFERRED:
        if (info.notify_flags & BG_NOTIFY_FILE_TRANSFERRED) call_sink(ev, &gone);
        return 0;
    }
    return 0;
}

/* Sinks call COM objects: the thread joins the multithreaded apartment. */
static DWORD WINAPI notifier_main(void *param)
{
    ob_notifier *n = param;
    HRESULT init = CoInitializeEx(NULL, COINIT_MULTITHREADED);
    event *ev;

    while ((ev = next_event(n))) finish_event(n, ev, deliver(n, ev));
    if (SUCCEEDED(init)) CoUninitialize();
    return 0;
}

/* ---- entry points ---- */

static ob_notifier *notifier_of(ob_job *job)
{
    ob_engine *engine = ob_job_engine(job);
    return engine ? ob_engine_notifier(engine) : NULL;
}

/* JobModification and FileTransferred go to a callback only: without one, or
 * without their flag, nothing is queued (they come with every change). */
static BOOL callback_only_and_unwanted(ob_job *job, ob_notify_kind kind)
{
    ULONG flag = kind == OB_NOTIFY_JOB_MODIFICATION ? BG_NOTIFY_JOB_MODIFICATION : BG_NOTIFY_FILE_TRANSFERRED;
    ob_job_info info;

    if (kind != OB_NOTIFY_JOB_MODIFICATION && kind != OB_NOTIFY_FILE_TRANSFERRED) return FALSE;
    ob_job_get_info(job, &info);
    return !info.has_notify_interface || (info.notify_flags & BG_NOTIFY_DISABLE) || !(info.notify_flags & flag);
}

void ob_notify_raise(ob_job *job, ob_notify_kind kind, ULONG file_index)
{
    ob_notifier *n = notifier_of(job);
    ob_lock_check_free("raise notification");
    if (n && !callback_only_and_unwanted(job, kind)) queue_event(n, job, kind, file_index, 0);
}

void ob_notify_redeliver(ob_job *job)
{
    ob_notifier *n = notifier_of(job);
    ob_job_info info;

    if (!n) return;
    ob_job_get_info(job, &info);
    if (info.state == BG_JOB_STATE_TRANSFERRED) queue_event(n, job, OB_NOTIFY_JOB_TRANSFERRED, 0, 0);
    else if (info.state == BG_JOB_STATE_ERROR) queue_event(n, job, OB_NOTIFY_JOB_ERROR, 0, 0);
}

static ULONG effective_flags(ULONG flags)
{
    return flags & BG_NOTIFY_DISABLE ? 0 : flags & (BG_NOTIFY_JOB_TRANSFERRED | BG_NOTIFY_JOB_ERROR);
}

void ob_notify_flags_changed(ob_job *job, ULONG old_flags, ULONG new_flags)
{
    if (effective_flags(new_flags) & ~effective_flags(old_flags)) ob_notify_redeliver(job);
}
