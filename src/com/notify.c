/* Notifications to the client (IBackgroundCopyCallback, IBackgroundCopyCallback2
 * and the IBackgroundCopyJob2 command line).
 *
 * A client's callback is kept in the Global Interface Table by a small holder
 * object stored in the engine job, so that it can be called back in the
 * apartment that registered it.  The engine's handler only queues an event;
 * up to MAX_NOTIFIERS notifier threads (MTA, started on demand, ending after
 * NOTIFIER_IDLE_MS without work) deliver the events, one at a time per job, in
 * the order they were raised.  Flags are checked when an event is delivered.
 * JobTransferred and JobError are retried until they return S_OK, the job
 * leaves that state, or the command line (the documented fallback) has run. */
#include "com_private.h"
#include "config.h"
#include "notify.h"

#define MAX_NOTIFIERS        4     /* BITS: at most 4 simultaneous notifications */
#define NOTIFIER_IDLE_MS     5000
#define CALLBACK_RETRY_UNITS 5

/* ---- the holder: the job's notify interface, as a GIT cookie ---- */

typedef struct holder {
    IUnknown IUnknown_iface;
    LONG refs;
    DWORD cookie;
} holder;

static const IUnknownVtbl holder_vtbl;

static holder *impl_from_IUnknown(IUnknown *iface)
{
    return CONTAINING_RECORD(iface, holder, IUnknown_iface);
}

static HRESULT git_get(IGlobalInterfaceTable **out)
{
    return CoCreateInstance(&CLSID_StdGlobalInterfaceTable, NULL, CLSCTX_INPROC_SERVER,
                            &IID_IGlobalInterfaceTable, (void **)out);
}

/* The last job reference may go on any thread, an engine worker without COM
 * included; a cookie may be revoked from any apartment, so join the MTA. */
static void revoke_cookie(DWORD cookie)
{
    HRESULT init = CoInitializeEx(NULL, COINIT_MULTITHREADED);
    IGlobalInterfaceTable *git;

    if (SUCCEEDED(git_get(&git)))
    {
        IGlobalInterfaceTable_RevokeInterfaceFromGlobal(git, cookie);
        IGlobalInterfaceTable_Release(git);
    }
    if (SUCCEEDED(init)) CoUninitialize();
}

static HRESULT WINAPI holder_QueryInterface(IUnknown *iface, REFIID iid, void **out)
{
    if (!out) return E_POINTER;
    if (IsEqualIID(iid, &IID_IUnknown))
    {
        *out = iface;
        IUnknown_AddRef(iface);
        return S_OK;
    }
    *out = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI holder_AddRef(IUnknown *iface)
{
    return InterlockedIncrement(&impl_from_IUnknown(iface)->refs);
}

static ULONG WINAPI holder_Release(IUnknown *iface)
{
    holder *self = impl_from_IUnknown(iface);
    ULONG refs = InterlockedDecrement(&self->refs);
    if (!refs)
    {
        revoke_cookie(self->cookie);
        HeapFree(GetProcessHeap(), 0, self);
        ob_module_unlock();
    }
    return refs;
}

HRESULT ob_notify_holder_create(IUnknown *sink, IUnknown **out)
{
    IGlobalInterfaceTable *git;
    holder *self;
    HRESULT hr;

    *out = NULL;
    if (!(self = HeapAlloc(GetProcessHeap(), 0, sizeof(*self)))) return E_OUTOFMEMORY;
    if (SUCCEEDED(hr = git_get(&git)))
    {
        hr = IGlobalInterfaceTable_RegisterInterfaceInGlobal(git, sink, &IID_IUnknown, &self->cookie);
        IGlobalInterfaceTable_Release(git);
    }
    if (FAILED(hr))
    {
        HeapFree(GetProcessHeap(), 0, self);
        return hr;
    }
    self->IUnknown_iface.lpVtbl = (IUnknownVtbl *)&holder_vtbl;
    self->refs = 1;
    ob_module_lock();
    *out = &self->IUnknown_iface;
    return S_OK;
}

HRESULT ob_notify_holder_get(IUnknown *iface, REFIID iid, void **out)
{
    IGlobalInterfaceTable *git;
    HRESULT hr;

    *out = NULL;
    if (iface->lpVtbl != &holder_vtbl) return E_UNEXPECTED;
    if (FAILED(hr = git_get(&git))) return hr;
    hr = IGlobalInterfaceTable_GetInterfaceFromGlobal(git, impl_from_IUnknown(iface)->cookie, iid, out);
    IGlobalInterfaceTable_Release(git);
    return hr;
}

/* ---- time ---- */

static ULONGLONG units_to_ms(ULONG units)
{
    return (ULONGLONG)units * ob_config_time_unit_ms(); /* one documented second */
}

/* ---- the queue ---- */

typedef struct event {
    struct event *next;
    ob_job *job;               /* one reference */
    ob_notify_kind kind;
    ULONG file_index;
    ULONGLONG due;             /* GetTickCount64() */
} event;

static struct {
    SRWLOCK lock;
    CONDITION_VARIABLE changed;
    event *head;               /* in the order raised; retries go to the end */
    ob_job *busy[MAX_NOTIFIERS]; /* jobs whose event is being delivered */
    LONG threads;
    LONG idle;
} queue = { SRWLOCK_INIT, CONDITION_VARIABLE_INIT };

static DWORD WINAPI notifier_main(void *module);

/* The thread holds a reference on this DLL and drops it as it ends. */
static BOOL start_notifier(void)
{
    HMODULE module;
    HANDLE thread;

    if (!GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS, (const WCHAR *)notifier_main, &module))
        return FALSE;
    if (!(thread = CreateThread(NULL, 0, notifier_main, module, 0, NULL)))
    {
        FreeLibrary(module);
        return FALSE;
    }
    CloseHandle(thread);
    return TRUE;
}

static BOOL is_busy(ob_job *job)
{
    int i;
    for (i = 0; i < MAX_NOTIFIERS; i++)
        if (queue.busy[i] == job) return TRUE;
    return FALSE;
}

/* A second JobModification while one is pending adds nothing; a repeated
 * JobTransferred or JobError makes the pending one due now. */
static BOOL coalesce(const event *ev)
{
    event *other;
    for (other = queue.head; other; other = other->next)
    {
        if (other->job != ev->job || other->kind != ev->kind) continue;
        if (ev->kind == OB_NOTIFY_FILE_TRANSFERRED && other->file_index != ev->file_index) continue;
        if (ev->due < other->due) other->due = ev->due;
        return TRUE;
    }
    return FALSE;
}

static void append(event *ev)
{
    event **link = &queue.head;
    while (*link) link = &(*link)->next;
    ev->next = NULL;
    *link = ev;
}

/* Takes over ev (and its job reference). */
static void enqueue(event *ev)
{
    BOOL merged;

    AcquireSRWLockExclusive(&queue.lock);
    if (!(merged = coalesce(ev)))
    {
        append(ev);
        if (!queue.idle && !is_busy(ev->job) && queue.threads < MAX_NOTIFIERS && start_notifier())
            queue.threads++;
        WakeAllConditionVariable(&queue.changed);
    }
    ReleaseSRWLockExclusive(&queue.lock);
    if (merged)
    {
        ob_job_release(ev->job);
        HeapFree(GetProcessHeap(), 0, ev);
    }
}

static void queue_event(ob_job *job, ob_notify_kind kind, ULONG file_index, ULONGLONG delay_ms)
{
    event *ev = HeapAlloc(GetProcessHeap(), 0, sizeof(*ev));
    if (!ev) return;
    ev->job = job;
    ev->kind = kind;
    ev->file_index = file_index;
    ev->due = GetTickCount64() + delay_ms;
    ob_job_addref(job);
    enqueue(ev);
}

static void set_busy(ob_job *from, ob_job *to)
{
    int i;
    for (i = 0; i < MAX_NOTIFIERS; i++)
        if (queue.busy[i] == from)
        {
            queue.busy[i] = to;
            return;
        }
}

/* Unlinks the first event that is due and whose job is not being served;
 * otherwise lowers *wait_ms to the time until the next one is due. */
static event *take_ready(DWORD *wait_ms)
{
    ULONGLONG now = GetTickCount64();
    event **link, *ev;

    for (link = &queue.head; (ev = *link); link = &ev->next)
    {
        if (is_busy(ev->job)) continue;
        if (ev->due <= now)
        {
            *link = ev->next;
            set_busy(NULL, ev->job);
            return ev;
        }
        if (ev->due - now < *wait_ms) *wait_ms = (DWORD)(ev->due - now);
    }
    return NULL;
}

/* The next event to deliver, or NULL when the thread has been idle long
 * enough to end (it is then no longer counted). */
static event *next_event(void)
{
    BOOL idle_expired = FALSE;
    event *ev;

    AcquireSRWLockExclusive(&queue.lock);
    for (;;)
    {
        DWORD wait_ms = NOTIFIER_IDLE_MS;
        if ((ev = take_ready(&wait_ms))) break;
        if (!queue.head && idle_expired)
        {
            queue.threads--;
            break;
        }
        queue.idle++;
        idle_expired = !SleepConditionVariableSRW(&queue.changed, &queue.lock, wait_ms, 0) && !queue.head;
        queue.idle--;
    }
    ReleaseSRWLockExclusive(&queue.lock);
    return ev;
}

/* Frees ev, or puts it back to be delivered again after retry_ms. */
static void finish_event(event *ev, ULONGLONG retry_ms)
{
    AcquireSRWLockExclusive(&queue.lock);
    set_busy(ev->job, NULL);
    WakeAllConditionVariable(&queue.changed);
    ReleaseSRWLockExclusive(&queue.lock);
    if (retry_ms)
    {
        ev->due = GetTickCount64() + retry_ms;
        enqueue(ev);
        return;
    }
    ob_job_release(ev->job); /* outside the queue lock: it may free the job and its holder */
    HeapFree(GetProcessHeap(), 0, ev);
}

/* ---- calling the client ---- */

static HRESULT call_job_callback(IBackgroundCopyCallback *callback, const event *ev)
{
    IBackgroundCopyError *error = NULL;
    IBackgroundCopyJob2 *job;
    ob_error_info info;
    HRESULT hr;

    if (ev->kind == OB_NOTIFY_JOB_ERROR)
    {
        if (FAILED(ob_job_get_error(ev->job, &info))) return S_OK; /* no longer in ERROR */
        if (FAILED(hr = ob_error_object_create(ev->job, &info, &error))) return hr;
    }
    if (FAILED(hr = ob_job_object_create(ev->job, &job)))
    {
        if (error) IBackgroundCopyError_Release(error);
        return hr;
    }
    switch (ev->kind)
    {
    case OB_NOTIFY_JOB_TRANSFERRED:
        hr = IBackgroundCopyCallback_JobTransferred(callback, (IBackgroundCopyJob *)job);
        break;
    case OB_NOTIFY_JOB_ERROR:
        hr = IBackgroundCopyCallback_JobError(callback, (IBackgroundCopyJob *)job, error);
        break;
    default:
        hr = IBackgroundCopyCallback_JobModification(callback, (IBackgroundCopyJob *)job, 0);
        break;
    }
    if (error) IBackgroundCopyError_Release(error);
    IBackgroundCopyJob2_Release(job);
    return hr;
}

static HRESULT call_file_callback(IBackgroundCopyCallback2 *callback, const event *ev)
{
    IBackgroundCopyJob2 *job;
    IBackgroundCopyFile *file;
    HRESULT hr;

    if (FAILED(hr = ob_job_object_create(ev->job, &job))) return hr;
    if (SUCCEEDED(hr = ob_file_object_create(ev->job, ev->file_index, &file)))
    {
        hr = IBackgroundCopyCallback2_FileTransferred(callback, (IBackgroundCopyJob *)job, file);
        IBackgroundCopyFile_Release(file);
    }
    IBackgroundCopyJob2_Release(job);
    return hr;
}

/* Calls the job's notify interface, fetched in this (the MTA) apartment:
 * a proxy when the client registered it in an STA. */
static HRESULT call_client(IUnknown *holder, const event *ev)
{
    IUnknown *sink;
    void *callback;
    HRESULT hr;

    if (FAILED(hr = ob_notify_holder_get(holder, &IID_IUnknown, (void **)&sink))) return hr;
    if (ev->kind == OB_NOTIFY_FILE_TRANSFERRED)
    {
        /* FileTransferred exists only in IBackgroundCopyCallback2. */
        if (SUCCEEDED(IUnknown_QueryInterface(sink, &IID_IBackgroundCopyCallback2, &callback)))
        {
            hr = call_file_callback(callback, ev);
            IBackgroundCopyCallback2_Release((IBackgroundCopyCallback2 *)callback);
        }
    }
    else if (SUCCEEDED(hr = IUnknown_QueryInterface(sink, &IID_IBackgroundCopyCallback, &callback)))
    {
        hr = call_job_callback(callback, ev);
        IBackgroundCopyCallback_Release((IBackgroundCopyCallback *)callback);
    }
    IUnknown_Release(sink);
    return hr;
}

/* ---- the command line ---- */

typedef struct program_watch {
    HMODULE module;            /* the thread's reference on this DLL */
    HANDLE process;
    ob_job *job;               /* one reference */
    ob_notify_kind kind;
} program_watch;

static BG_JOB_STATE state_of(ob_notify_kind kind)
{
    return kind == OB_NOTIFY_JOB_TRANSFERRED ? BG_JOB_STATE_TRANSFERRED : BG_JOB_STATE_ERROR;
}

/* Documented: a program that exits with a non-zero code is run again after
 * the job's minimum retry delay, unless it completed or cancelled the job. */
static DWORD WINAPI watch_main(void *context)
{
    program_watch *watch = context;
    DWORD code = 1;
    HMODULE module = watch->module;
    ob_job_info info;

    WaitForSingleObject(watch->process, INFINITE);
    GetExitCodeProcess(watch->process, &code);
    ob_job_get_info(watch->job, &info);
    if (code && info.state == state_of(watch->kind))
        queue_event(watch->job, watch->kind, 0, units_to_ms(info.retry_delay));
    CloseHandle(watch->process);
    ob_job_release(watch->job);
    HeapFree(GetProcessHeap(), 0, watch);
    FreeLibraryAndExitThread(module, 0);
    return 0;
}

static BOOL watch_program(HANDLE process, const event *ev)
{
    program_watch *watch = HeapAlloc(GetProcessHeap(), 0, sizeof(*watch));
    HANDLE thread = NULL;

    if (!watch) return FALSE;
    watch->process = process;
    watch->job = ev->job;
    watch->kind = ev->kind;
    ob_job_addref(ev->job);
    if (GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS, (const WCHAR *)watch_main, &watch->module) &&
        !(thread = CreateThread(NULL, 0, watch_main, watch, 0, NULL)))
        FreeLibrary(watch->module);
    if (thread)
    {
        CloseHandle(thread);
        return TRUE;
    }
    ob_job_release(ev->job);
    HeapFree(GetProcessHeap(), 0, watch);
    return FALSE;
}

/* The program gets the parameters as its whole command line: documented, they
 * start with the program's own name.  S_FALSE: no command line is set. */
static HRESULT run_program(const event *ev)
{
    STARTUPINFOW startup = { sizeof(startup) };
    PROCESS_INFORMATION process;
    WCHAR *program = NULL, *parameters = NULL;
    HRESULT hr;

    if (FAILED(hr = ob_job_get_string(ev->job, OB_JOB_NOTIFY_PROGRAM, &program))) return hr;
    if (!program[0]) hr = S_FALSE;
    else if (SUCCEEDED(hr = ob_job_get_string(ev->job, OB_JOB_NOTIFY_PARAMETERS, &parameters)))
    {
        if (!CreateProcessW(program, parameters[0] ? parameters : NULL, NULL, NULL, FALSE, 0, NULL, NULL,
                            &startup, &process))
            hr = HRESULT_FROM_WIN32(GetLastError());
        else
        {
            CloseHandle(process.hThread);
            if (!watch_program(process.hProcess, ev)) CloseHandle(process.hProcess);
        }
    }
    CoTaskMemFree(program);
    CoTaskMemFree(parameters);
    return hr;
}

/* ---- delivery ---- */

/* JobTransferred or JobError: the callback first; documented, the command
 * line runs only when there is no callback or the callback failed.  Returns
 * the delay before the next attempt, 0 when done. */
static ULONGLONG deliver_state(const event *ev, const ob_job_info *info, ULONG flag)
{
    IUnknown *holder;
    BOOL has_callback;
    HRESULT hr;

    if (!(info->notify_flags & flag) || info->state != state_of(ev->kind)) return 0;
    if ((has_callback = (holder = ob_job_get_notify_interface(ev->job)) != NULL))
    {
        hr = call_client(holder, ev);
        IUnknown_Release(holder);
        if (hr == S_OK) return 0;
    }
    switch (run_program(ev))
    {
    case S_OK: return 0;    /* the watch queues the next attempt if the program fails */
    case S_FALSE: return has_callback ? units_to_ms(CALLBACK_RETRY_UNITS) : 0;
    default: return has_callback ? units_to_ms(CALLBACK_RETRY_UNITS) : units_to_ms(info->retry_delay);
    }
}

/* JobModification and FileTransferred: once, never retried. */
static void deliver_once(const event *ev, const ob_job_info *info, ULONG flag)
{
    IUnknown *holder;

    if (!(info->notify_flags & flag) || !(holder = ob_job_get_notify_interface(ev->job))) return;
    call_client(holder, ev);
    IUnknown_Release(holder);
}

static ULONGLONG deliver(const event *ev)
{
    ob_job_info info;

    ob_job_get_info(ev->job, &info);
    if (info.notify_flags & BG_NOTIFY_DISABLE) return 0;
    switch (ev->kind)
    {
    case OB_NOTIFY_JOB_TRANSFERRED: return deliver_state(ev, &info, BG_NOTIFY_JOB_TRANSFERRED);
    case OB_NOTIFY_JOB_ERROR:       return deliver_state(ev, &info, BG_NOTIFY_JOB_ERROR);
    case OB_NOTIFY_JOB_MODIFICATION: deliver_once(ev, &info, BG_NOTIFY_JOB_MODIFICATION); return 0;
    case OB_NOTIFY_FILE_TRANSFERRED: deliver_once(ev, &info, BG_NOTIFY_FILE_TRANSFERRED); return 0;
    }
    return 0;
}

static DWORD WINAPI notifier_main(void *module)
{
    HRESULT init = CoInitializeEx(NULL, COINIT_MULTITHREADED);
    event *ev;

    while ((ev = next_event())) finish_event(ev, deliver(ev));
    if (SUCCEEDED(init)) CoUninitialize();
    FreeLibraryAndExitThread(module, 0);
    return 0;
}

/* ---- entry points ---- */

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

static void handle_raise(ob_job *job, ob_notify_kind kind, ULONG file_index)
{
    if (!callback_only_and_unwanted(job, kind)) queue_event(job, kind, file_index, 0);
}

void ob_notify_install(void)
{
    ob_notify_set_handler(handle_raise);
}

/* Documented: BITS calls the callback even if the event happened before
 * registration. */
void ob_notify_redeliver(ob_job *job)
{
    ob_job_info info;

    ob_job_get_info(job, &info);
    if (info.state == BG_JOB_STATE_TRANSFERRED) queue_event(job, OB_NOTIFY_JOB_TRANSFERRED, 0, 0);
    else if (info.state == BG_JOB_STATE_ERROR) queue_event(job, OB_NOTIFY_JOB_ERROR, 0, 0);
}

static ULONG effective_flags(ULONG flags)
{
    return flags & BG_NOTIFY_DISABLE ? 0 : flags & (BG_NOTIFY_JOB_TRANSFERRED | BG_NOTIFY_JOB_ERROR);
}

void ob_notify_flags_changed(ob_job *job, ULONG old_flags, ULONG new_flags)
{
    if (effective_flags(new_flags) & ~effective_flags(old_flags)) ob_notify_redeliver(job);
}

static const IUnknownVtbl holder_vtbl = {
    holder_QueryInterface,
    holder_AddRef,
    holder_Release,
};
