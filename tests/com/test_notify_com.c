/* Notifications through COM: IBackgroundCopyCallback(2) in the MTA and in an
 * STA, the notify flags, retries, callbacks registered after the event and
 * the IBackgroundCopyJob2 command line (bits-semantics.md 1.6 and Microsoft's
 * SetNotifyInterface, SetNotifyFlags, IBackgroundCopyCallback and
 * SetNotifyCmdLine pages).  Downloads use local files, so no server is
 * needed; CTest sets OPENBITS_TIME_UNIT_MS small so that retries are quick. */
#include "com_test_util.h"

#define EVENT_TIMEOUT_MS 20000
#define MAX_SEEN_FILES   4

/* ---- a callback that records its calls ---- */

typedef struct callback {
    IBackgroundCopyCallback2 IBackgroundCopyCallback2_iface;
    LONG refs;
    CRITICAL_SECTION lock;     /* guards the records below the counters */
    HANDLE signal;             /* auto-reset, set after every call */
    LONG transferred, errors, modifications, files;
    LONG fail_transferred;     /* JobTransferred returns E_FAIL this many times first */
    DWORD thread;              /* of the last call */
    APTTYPE apartment;         /* of the last call */
    GUID job_id;               /* of the last call */
    BG_JOB_STATE state;        /* the job's state during the last JobTransferred or JobError */
    HRESULT error_code;        /* from the last JobError's IBackgroundCopyError */
    BG_ERROR_CONTEXT error_context;
    WCHAR *file_names[MAX_SEEN_FILES]; /* local names from FileTransferred */
} callback;

static callback *impl_from_IBackgroundCopyCallback2(IBackgroundCopyCallback2 *iface)
{
    return CONTAINING_RECORD(iface, callback, IBackgroundCopyCallback2_iface);
}

static HRESULT WINAPI callback_QueryInterface(IBackgroundCopyCallback2 *iface, REFIID iid, void **out)
{
    if (IsEqualIID(iid, &IID_IUnknown) || IsEqualIID(iid, &IID_IBackgroundCopyCallback) ||
        IsEqualIID(iid, &IID_IBackgroundCopyCallback2))
    {
        *out = iface;
        IBackgroundCopyCallback2_AddRef(iface);
        return S_OK;
    }
    *out = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI callback_AddRef(IBackgroundCopyCallback2 *iface)
{
    return InterlockedIncrement(&impl_from_IBackgroundCopyCallback2(iface)->refs);
}

static ULONG WINAPI callback_Release(IBackgroundCopyCallback2 *iface)
{
    callback *self = impl_from_IBackgroundCopyCallback2(iface);
    ULONG refs = InterlockedDecrement(&self->refs);
    int i;
    if (!refs)
    {
        for (i = 0; i < MAX_SEEN_FILES; i++) CoTaskMemFree(self->file_names[i]);
        CloseHandle(self->signal);
        DeleteCriticalSection(&self->lock);
        free(self);
    }
    return refs;
}

/* Records who called, about which job; then counts the call and signals. */
static void record_call(callback *self, IBackgroundCopyJob *job, LONG *counter)
{
    APTTYPEQUALIFIER qualifier;
    EnterCriticalSection(&self->lock);
    self->thread = GetCurrentThreadId();
    if (FAILED(CoGetApartmentType(&self->apartment, &qualifier))) self->apartment = (APTTYPE)-1;
    IBackgroundCopyJob_GetId(job, &self->job_id);
    LeaveCriticalSection(&self->lock);
    InterlockedIncrement(counter);
    SetEvent(self->signal);
}

static HRESULT WINAPI callback_JobTransferred(IBackgroundCopyCallback2 *iface, IBackgroundCopyJob *job)
{
    callback *self = impl_from_IBackgroundCopyCallback2(iface);
    IBackgroundCopyJob_GetState(job, &self->state);
    record_call(self, job, &self->transferred);
    return InterlockedDecrement(&self->fail_transferred) >= 0 ? E_FAIL : S_OK;
}

static HRESULT WINAPI callback_JobError(IBackgroundCopyCallback2 *iface, IBackgroundCopyJob *job,
                                        IBackgroundCopyError *error)
{
    callback *self = impl_from_IBackgroundCopyCallback2(iface);
    IBackgroundCopyJob_GetState(job, &self->state);
    if (FAILED(IBackgroundCopyError_GetError(error, &self->error_context, &self->error_code)))
        self->error_code = S_OK;
    record_call(self, job, &self->errors);
    return S_OK;
}

static HRESULT WINAPI callback_JobModification(IBackgroundCopyCallback2 *iface, IBackgroundCopyJob *job,
                                               DWORD reserved)
{
    callback *self = impl_from_IBackgroundCopyCallback2(iface);
    record_call(self, job, &self->modifications);
    return S_OK;
}

static HRESULT WINAPI callback_FileTransferred(IBackgroundCopyCallback2 *iface, IBackgroundCopyJob *job,
                                               IBackgroundCopyFile *file)
{
    callback *self = impl_from_IBackgroundCopyCallback2(iface);
    WCHAR *name = NULL;
    LONG slot = self->files;

    IBackgroundCopyFile_GetLocalName(file, &name);
    if (slot < MAX_SEEN_FILES) self->file_names[slot] = name;
    else CoTaskMemFree(name);
    record_call(self, job, &self->files);
    return S_OK;
}

static const IBackgroundCopyCallback2Vtbl callback_vtbl = {
    callback_QueryInterface,
    callback_AddRef,
    callback_Release,
    callback_JobTransferred,
    callback_JobError,
    callback_JobModification,
    callback_FileTransferred,
};

static callback *callback_new(void)
{
    callback *self = calloc(1, sizeof(*self));
    assert_non_null(self);
    self->IBackgroundCopyCallback2_iface.lpVtbl = (IBackgroundCopyCallback2Vtbl *)&callback_vtbl;
    self->refs = 1;
    InitializeCriticalSection(&self->lock);
    self->signal = CreateEventW(NULL, FALSE, FALSE, NULL);
    return self;
}

static IUnknown *unknown(callback *cb)
{
    return (IUnknown *)&cb->IBackgroundCopyCallback2_iface;
}

static void callback_release(callback *cb)
{
    IBackgroundCopyCallback2_Release(&cb->IBackgroundCopyCallback2_iface);
}

/* Waits until *counter reaches target, pumping messages (an STA receives its
 * calls as messages).  FALSE on timeout. */
static BOOL wait_count(callback *cb, LONG *counter, LONG target, DWORD timeout_ms)
{
    ULONGLONG deadline = GetTickCount64() + timeout_ms;
    MSG msg;

    while (InterlockedCompareExchange(counter, 0, 0) < target)
    {
        ULONGLONG now = GetTickCount64();
        if (now >= deadline) return FALSE;
        if (MsgWaitForMultipleObjects(1, &cb->signal, FALSE, (DWORD)(deadline - now), QS_ALLINPUT) ==
            WAIT_OBJECT_0 + 1)
            while (PeekMessageW(&msg, NULL, 0, 0, PM_REMOVE)) DispatchMessageW(&msg);
    }
    return TRUE;
}

/* ---- jobs over local files ---- */

static DWORD time_unit_ms(void)
{
    WCHAR text[16];
    if (!GetEnvironmentVariableW(L"OPENBITS_TIME_UNIT_MS", text, ARRAYSIZE(text))) return 1000;
    return wcstoul(text, NULL, 10) ? wcstoul(text, NULL, 10) : 1000;
}

/* Long enough for a queued notification to have been delivered if it was
 * going to be: several callback-retry delays (5 units). */
static void settle(void)
{
    Sleep(max(500, 20 * time_unit_ms()));
}

static const WCHAR *unique_path(const WCHAR *prefix)
{
    static LONG counter;
    WCHAR name[64];
    swprintf(name, ARRAYSIZE(name), L"%ls-%ld.bin", prefix, InterlockedIncrement(&counter));
    return ts_path(name);
}

/* A download job of `files` files copied from local sources that exist
 * (or, with missing_source, from one that does not). */
static IBackgroundCopyJob *new_local_job(IBackgroundCopyManager *manager, ULONG files, BOOL missing_source)
{
    IBackgroundCopyJob *job = ct_create_job(manager, L"notify test", BG_JOB_TYPE_DOWNLOAD, NULL);
    WCHAR remote[MAX_PATH], local[MAX_PATH];
    ULONG i;

    for (i = 0; i < files; i++)
    {
        wcscpy(remote, unique_path(L"src"));
        wcscpy(local, unique_path(L"dst"));
        if (!missing_source) ts_write_file(remote, NULL, 64 * 1024 + i);
        assert_hr_equal(IBackgroundCopyJob_AddFile(job, remote, local), S_OK);
    }
    return job;
}

static BOOL wait_state(IBackgroundCopyJob *job, BG_JOB_STATE wanted)
{
    ULONGLONG deadline = GetTickCount64() + EVENT_TIMEOUT_MS;
    while (ct_state(job) != wanted)
    {
        if (GetTickCount64() >= deadline) return FALSE;
        Sleep(20);
    }
    return TRUE;
}

static void check_job_id(callback *cb, IBackgroundCopyJob *job)
{
    GUID id;
    assert_hr_equal(IBackgroundCopyJob_GetId(job, &id), S_OK);
    assert_true(IsEqualGUID(&id, &cb->job_id));
}

/* ---- the notify interface ---- */

static void test_get_notify_interface(void **state)
{
    IBackgroundCopyManager *manager = ct_manager();
    IBackgroundCopyJob *job = ct_create_job(manager, L"notify test", BG_JOB_TYPE_DOWNLOAD, NULL);
    callback *cb = callback_new();
    IUnknown *got = (IUnknown *)0xdeadbeef;

    assert_hr_equal(IBackgroundCopyJob_GetNotifyInterface(job, &got), S_OK);
    assert_null(got);
    assert_hr_equal(IBackgroundCopyJob_SetNotifyInterface(job, unknown(cb)), S_OK);
    /* same apartment: the client's own pointer comes back */
    assert_hr_equal(IBackgroundCopyJob_GetNotifyInterface(job, &got), S_OK);
    assert_ptr_equal(got, unknown(cb));
    IUnknown_Release(got);
    assert_hr_equal(IBackgroundCopyJob_SetNotifyInterface(job, NULL), S_OK);
    assert_hr_equal(IBackgroundCopyJob_GetNotifyInterface(job, &got), S_OK);
    assert_null(got);
    assert_int_equal(cb->refs, 1);
    ct_cancel(job);
    callback_release(cb);
    IBackgroundCopyManager_Release(manager);
}

/* Default flags (TRANSFERRED | ERROR): one JobTransferred, on an MTA thread. */
static void test_transferred_mta(void **state)
{
    IBackgroundCopyManager *manager = ct_manager();
    IBackgroundCopyJob *job = new_local_job(manager, 1, FALSE);
    callback *cb = callback_new();

    assert_hr_equal(IBackgroundCopyJob_SetNotifyInterface(job, unknown(cb)), S_OK);
    assert_hr_equal(IBackgroundCopyJob_Resume(job), S_OK);
    assert_true(wait_count(cb, &cb->transferred, 1, EVENT_TIMEOUT_MS));
    check_job_id(cb, job);
    assert_int_equal(cb->state, BG_JOB_STATE_TRANSFERRED);
    assert_int_equal(cb->apartment, APTTYPE_MTA);
    assert_int_not_equal(cb->thread, GetCurrentThreadId());
    settle();
    assert_int_equal(cb->transferred, 1);
    assert_int_equal(cb->errors, 0);
    assert_int_equal(cb->modifications, 0); /* not in the default flags */
    assert_int_equal(cb->files, 0);
    assert_hr_equal(IBackgroundCopyJob_Complete(job), S_OK);
    IBackgroundCopyJob_Release(job);
    callback_release(cb);
    IBackgroundCopyManager_Release(manager);
}

static void run_without_notification(ULONG flags)
{
    IBackgroundCopyManager *manager = ct_manager();
    IBackgroundCopyJob *job = new_local_job(manager, 2, FALSE);
    callback *cb = callback_new();

    assert_hr_equal(IBackgroundCopyJob_SetNotifyFlags(job, flags), S_OK);
    assert_hr_equal(IBackgroundCopyJob_SetNotifyInterface(job, unknown(cb)), S_OK);
    assert_hr_equal(IBackgroundCopyJob_Resume(job), S_OK);
    assert_true(wait_state(job, BG_JOB_STATE_TRANSFERRED));
    settle();
    assert_int_equal(cb->transferred, 0);
    if (flags & BG_NOTIFY_DISABLE)
    {
        assert_int_equal(cb->modifications, 0);
        assert_int_equal(cb->files, 0);
    }
    assert_int_equal(cb->errors, 0);
    assert_hr_equal(IBackgroundCopyJob_Complete(job), S_OK);
    IBackgroundCopyJob_Release(job);
    callback_release(cb);
    IBackgroundCopyManager_Release(manager);
}

static void test_flags_exclude_transferred(void **state)
{
    run_without_notification(BG_NOTIFY_JOB_ERROR);
}

/* "BG_NOTIFY_DISABLE: all other flags are ignored" */
static void test_flags_disable(void **state)
{
    run_without_notification(BG_NOTIFY_DISABLE | BG_NOTIFY_JOB_TRANSFERRED | BG_NOTIFY_JOB_ERROR |
                             BG_NOTIFY_JOB_MODIFICATION | BG_NOTIFY_FILE_TRANSFERRED);
}

static BOOL seen_file(callback *cb, const WCHAR *name)
{
    int i;
    for (i = 0; i < MAX_SEEN_FILES; i++)
        if (cb->file_names[i] && !wcscmp(cb->file_names[i], name)) return TRUE;
    return FALSE;
}

/* FileTransferred once per file, with IBackgroundCopyCallback2. */
static void test_file_transferred(void **state)
{
    IBackgroundCopyManager *manager = ct_manager();
    IBackgroundCopyJob *job = new_local_job(manager, 2, FALSE);
    IEnumBackgroundCopyFiles *files;
    IBackgroundCopyFile *file;
    callback *cb = callback_new();
    WCHAR *name;

    assert_hr_equal(IBackgroundCopyJob_SetNotifyFlags(job, BG_NOTIFY_FILE_TRANSFERRED | BG_NOTIFY_JOB_TRANSFERRED), S_OK);
    assert_hr_equal(IBackgroundCopyJob_SetNotifyInterface(job, unknown(cb)), S_OK);
    assert_hr_equal(IBackgroundCopyJob_Resume(job), S_OK);
    assert_true(wait_count(cb, &cb->files, 2, EVENT_TIMEOUT_MS));
    assert_true(wait_count(cb, &cb->transferred, 1, EVENT_TIMEOUT_MS));
    settle();
    assert_int_equal(cb->files, 2);

    assert_hr_equal(IBackgroundCopyJob_EnumFiles(job, &files), S_OK);
    while (IEnumBackgroundCopyFiles_Next(files, 1, &file, NULL) == S_OK)
    {
        assert_hr_equal(IBackgroundCopyFile_GetLocalName(file, &name), S_OK);
        if (!seen_file(cb, name)) fail_msg("no FileTransferred for %ls", name);
        CoTaskMemFree(name);
        IBackgroundCopyFile_Release(file);
    }
    IEnumBackgroundCopyFiles_Release(files);
    assert_hr_equal(IBackgroundCopyJob_Complete(job), S_OK);
    IBackgroundCopyJob_Release(job);
    callback_release(cb);
    IBackgroundCopyManager_Release(manager);
}

static void test_modification(void **state)
{
    IBackgroundCopyManager *manager = ct_manager();
    IBackgroundCopyJob *job = new_local_job(manager, 2, FALSE);
    callback *cb = callback_new();

    assert_hr_equal(IBackgroundCopyJob_SetNotifyFlags(job, BG_NOTIFY_JOB_MODIFICATION | BG_NOTIFY_JOB_TRANSFERRED), S_OK);
    assert_hr_equal(IBackgroundCopyJob_SetNotifyInterface(job, unknown(cb)), S_OK);
    assert_hr_equal(IBackgroundCopyJob_Resume(job), S_OK);
    assert_true(wait_count(cb, &cb->transferred, 1, EVENT_TIMEOUT_MS));
    assert_true(wait_count(cb, &cb->modifications, 1, EVENT_TIMEOUT_MS));
    check_job_id(cb, job);
    assert_int_equal(cb->files, 0); /* FILE_TRANSFERRED not set */
    assert_hr_equal(IBackgroundCopyJob_Complete(job), S_OK);
    IBackgroundCopyJob_Release(job);
    callback_release(cb);
    IBackgroundCopyManager_Release(manager);
}

/* Documented: JobModification also when a property changes. */
static void test_modification_on_property_change(void **state)
{
    IBackgroundCopyManager *manager = ct_manager();
    IBackgroundCopyJob *job = new_local_job(manager, 1, FALSE);
    callback *cb = callback_new();

    assert_hr_equal(IBackgroundCopyJob_SetNotifyFlags(job, BG_NOTIFY_JOB_MODIFICATION), S_OK);
    assert_hr_equal(IBackgroundCopyJob_SetNotifyInterface(job, unknown(cb)), S_OK);
    settle();
    InterlockedExchange(&cb->modifications, 0);
    assert_hr_equal(IBackgroundCopyJob_SetDescription(job, L"changed"), S_OK);
    assert_true(wait_count(cb, &cb->modifications, 1, EVENT_TIMEOUT_MS));
    check_job_id(cb, job);
    ct_cancel(job);
    callback_release(cb);
    IBackgroundCopyManager_Release(manager);
}

/* A missing source is a fatal error: JobError with the error object. */
static void test_job_error(void **state)
{
    IBackgroundCopyManager *manager = ct_manager();
    IBackgroundCopyJob *job = new_local_job(manager, 1, TRUE);
    callback *cb = callback_new();

    assert_hr_equal(IBackgroundCopyJob_SetNotifyInterface(job, unknown(cb)), S_OK);
    assert_hr_equal(IBackgroundCopyJob_Resume(job), S_OK);
    assert_true(wait_count(cb, &cb->errors, 1, EVENT_TIMEOUT_MS));
    check_job_id(cb, job);
    assert_int_equal(cb->state, BG_JOB_STATE_ERROR);
    assert_hr_equal(cb->error_code, HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND));
    assert_int_equal(cb->error_context, BG_ERROR_CONTEXT_REMOTE_FILE);
    assert_int_equal(cb->transferred, 0);
    ct_cancel(job);
    callback_release(cb);
    IBackgroundCopyManager_Release(manager);
}

/* ---- an STA client ---- */

typedef struct sta_client {
    callback *cb;
    HRESULT hr;                /* the first failure, or S_OK */
    BOOL got_transferred;
    DWORD thread;
} sta_client;

#define STA_STEP(call) do { HRESULT hr_ = (call); if (FAILED(hr_) && SUCCEEDED(client->hr)) client->hr = hr_; } while (0)

static DWORD WINAPI sta_main(void *context)
{
    sta_client *client = context;
    IBackgroundCopyManager *manager = NULL;
    IBackgroundCopyJob *job = NULL;
    GUID id;
    WCHAR remote[MAX_PATH], local[MAX_PATH];

    client->thread = GetCurrentThreadId();
    STA_STEP(CoInitializeEx(NULL, COINIT_APARTMENTTHREADED));
    STA_STEP(CoCreateInstance(&CLSID_OpenBitsManager, NULL, CLSCTX_INPROC_SERVER, &IID_IBackgroundCopyManager,
                              (void **)&manager));
    if (manager) STA_STEP(IBackgroundCopyManager_CreateJob(manager, L"sta client", BG_JOB_TYPE_DOWNLOAD, &id, &job));
    if (job)
    {
        wcscpy(remote, unique_path(L"src"));
        wcscpy(local, unique_path(L"dst"));
        ts_write_file(remote, NULL, 4096);
        STA_STEP(IBackgroundCopyJob_AddFile(job, remote, local));
        STA_STEP(IBackgroundCopyJob_SetNotifyInterface(job, unknown(client->cb)));
        STA_STEP(IBackgroundCopyJob_Resume(job));
        client->got_transferred = wait_count(client->cb, &client->cb->transferred, 1, EVENT_TIMEOUT_MS);
        STA_STEP(IBackgroundCopyJob_Complete(job));
        IBackgroundCopyJob_Release(job);
    }
    if (manager) IBackgroundCopyManager_Release(manager);
    CoUninitialize();
    return 0;
}

/* "the callback is made in the apartment that registered it" */
static void test_transferred_sta(void **state)
{
    sta_client client = { callback_new(), S_OK };
    HANDLE thread = CreateThread(NULL, 0, sta_main, &client, 0, NULL);

    assert_non_null(thread);
    assert_int_equal(WaitForSingleObject(thread, EVENT_TIMEOUT_MS + 10000), WAIT_OBJECT_0);
    CloseHandle(thread);
    assert_hr_equal(client.hr, S_OK);
    assert_true(client.got_transferred);
    assert_int_equal(client.cb->thread, client.thread);
    /* the process's first STA is its main STA */
    assert_true(client.cb->apartment == APTTYPE_STA || client.cb->apartment == APTTYPE_MAINSTA);
    assert_int_equal(client.cb->state, BG_JOB_STATE_TRANSFERRED);
    callback_release(client.cb);
}

/* ---- retries and late registration ---- */

/* "JobTransferred must return S_OK, or BITS keeps calling it" */
static void test_transferred_retried_until_s_ok(void **state)
{
    IBackgroundCopyManager *manager = ct_manager();
    IBackgroundCopyJob *job = new_local_job(manager, 1, FALSE);
    callback *cb = callback_new();

    cb->fail_transferred = 2;
    assert_hr_equal(IBackgroundCopyJob_SetNotifyInterface(job, unknown(cb)), S_OK);
    assert_hr_equal(IBackgroundCopyJob_Resume(job), S_OK);
    assert_true(wait_count(cb, &cb->transferred, 3, EVENT_TIMEOUT_MS));
    settle();
    assert_int_equal(cb->transferred, 3);
    assert_hr_equal(IBackgroundCopyJob_Complete(job), S_OK);
    IBackgroundCopyJob_Release(job);
    callback_release(cb);
    IBackgroundCopyManager_Release(manager);
}

/* "BITS will call your callback even if the event for which you registered
 * already occurred" */
static void test_registered_after_transferred(void **state)
{
    IBackgroundCopyManager *manager = ct_manager();
    IBackgroundCopyJob *job = new_local_job(manager, 1, FALSE);
    callback *cb = callback_new();

    assert_hr_equal(IBackgroundCopyJob_Resume(job), S_OK);
    assert_true(wait_state(job, BG_JOB_STATE_TRANSFERRED));
    assert_hr_equal(IBackgroundCopyJob_SetNotifyInterface(job, unknown(cb)), S_OK);
    assert_true(wait_count(cb, &cb->transferred, 1, EVENT_TIMEOUT_MS));
    check_job_id(cb, job);
    assert_hr_equal(IBackgroundCopyJob_Complete(job), S_OK);
    IBackgroundCopyJob_Release(job);
    callback_release(cb);
    IBackgroundCopyManager_Release(manager);
}

/* Enabling the flag after the event also delivers it. */
static void test_flag_set_after_transferred(void **state)
{
    IBackgroundCopyManager *manager = ct_manager();
    IBackgroundCopyJob *job = new_local_job(manager, 1, FALSE);
    callback *cb = callback_new();

    assert_hr_equal(IBackgroundCopyJob_SetNotifyFlags(job, BG_NOTIFY_JOB_ERROR), S_OK);
    assert_hr_equal(IBackgroundCopyJob_SetNotifyInterface(job, unknown(cb)), S_OK);
    assert_hr_equal(IBackgroundCopyJob_Resume(job), S_OK);
    assert_true(wait_state(job, BG_JOB_STATE_TRANSFERRED));
    assert_hr_equal(IBackgroundCopyJob_SetNotifyFlags(job, BG_NOTIFY_JOB_TRANSFERRED), S_OK);
    assert_true(wait_count(cb, &cb->transferred, 1, EVENT_TIMEOUT_MS));
    assert_hr_equal(IBackgroundCopyJob_Complete(job), S_OK);
    IBackgroundCopyJob_Release(job);
    callback_release(cb);
    IBackgroundCopyManager_Release(manager);
}

/* ---- the command line (IBackgroundCopyJob2::SetNotifyCmdLine) ---- */

static const WCHAR *helper_path(void)
{
    static WCHAR path[MAX_PATH];
    WCHAR *slash;
    GetModuleFileNameW(NULL, path, MAX_PATH);
    slash = wcsrchr(path, '\\');
    assert_non_null(slash);
    wcscpy(slash + 1, L"notify_cmd_helper.exe");
    assert_true(ts_file_exists(path));
    return path;
}

/* The helper appends "WORDS\n" to output on each run; runs is how many runs
 * it takes before it exits 0. */
static void set_helper_cmdline(IBackgroundCopyJob *job, const WCHAR *output, int runs, const WCHAR *words)
{
    IBackgroundCopyJob2 *job2 = ct_job2(job);
    WCHAR parameters[1024];

    swprintf(parameters, ARRAYSIZE(parameters), L"\"%ls\" \"%ls\" %d %ls", helper_path(), output, runs, words);
    assert_hr_equal(IBackgroundCopyJob2_SetNotifyCmdLine(job2, helper_path(), parameters), S_OK);
    IBackgroundCopyJob2_Release(job2);
}

/* The helper's output once it holds `lines` lines (static buffer), or NULL. */
static const char *wait_output(const WCHAR *output, int lines)
{
    static char text[4096];
    ULONGLONG deadline = GetTickCount64() + EVENT_TIMEOUT_MS;

    for (;;)
    {
        HANDLE file = CreateFileW(output, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING, 0, NULL);
        DWORD read = 0;
        int i, count = 0;
        if (file != INVALID_HANDLE_VALUE)
        {
            ReadFile(file, text, sizeof(text) - 1, &read, NULL);
            CloseHandle(file);
        }
        text[read] = 0;
        for (i = 0; text[i]; i++) count += text[i] == '\n';
        if (count >= lines) return text;
        if (GetTickCount64() >= deadline) return NULL;
        Sleep(20);
    }
}

static void job_id_text(IBackgroundCopyJob *job, WCHAR *out)
{
    GUID id;
    assert_hr_equal(IBackgroundCopyJob_GetId(job, &id), S_OK);
    StringFromGUID2(&id, out, 39);
}

static void test_cmdline_runs(void **state)
{
    IBackgroundCopyManager *manager = ct_manager();
    IBackgroundCopyJob *job = new_local_job(manager, 1, FALSE);
    WCHAR output[MAX_PATH], id[39], words[64];
    char expected[128];
    const char *text;

    wcscpy(output, unique_path(L"cmdline"));
    job_id_text(job, id);
    swprintf(words, ARRAYSIZE(words), L"transferred %ls", id);
    set_helper_cmdline(job, output, 1, words);
    assert_hr_equal(IBackgroundCopyJob_Resume(job), S_OK);
    assert_non_null(text = wait_output(output, 1));
    snprintf(expected, sizeof(expected), "transferred %ls\n", id);
    assert_string_equal(text, expected);
    assert_hr_equal(IBackgroundCopyJob_Complete(job), S_OK);
    IBackgroundCopyJob_Release(job);
    IBackgroundCopyManager_Release(manager);
}

/* A command line set once the job is already TRANSFERRED still runs. */
static void test_cmdline_set_after_transferred(void **state)
{
    IBackgroundCopyManager *manager = ct_manager();
    IBackgroundCopyJob *job = new_local_job(manager, 1, FALSE);
    WCHAR output[MAX_PATH];
    const char *text;

    wcscpy(output, unique_path(L"late-cmdline"));
    assert_hr_equal(IBackgroundCopyJob_Resume(job), S_OK);
    assert_true(wait_state(job, BG_JOB_STATE_TRANSFERRED));
    set_helper_cmdline(job, output, 1, L"late");
    assert_non_null(text = wait_output(output, 1));
    assert_string_equal(text, "late\n");
    assert_hr_equal(IBackgroundCopyJob_Complete(job), S_OK);
    IBackgroundCopyJob_Release(job);
    IBackgroundCopyManager_Release(manager);
}

/* "If your program does not return an exit code of zero ... BITS calls the
 * program again after the minimum retry delay" (5 units here). */
static void test_cmdline_rerun_after_failure(void **state)
{
    IBackgroundCopyManager *manager = ct_manager();
    IBackgroundCopyJob *job = new_local_job(manager, 1, FALSE);
    WCHAR output[MAX_PATH];
    const char *text;

    wcscpy(output, unique_path(L"cmdline"));
    set_helper_cmdline(job, output, 2, L"run");
    assert_hr_equal(IBackgroundCopyJob_SetMinimumRetryDelay(job, 5), S_OK);
    assert_hr_equal(IBackgroundCopyJob_Resume(job), S_OK);
    assert_non_null(text = wait_output(output, 2));
    settle();
    assert_string_equal(wait_output(output, 2), "run\nrun\n");
    assert_hr_equal(IBackgroundCopyJob_Complete(job), S_OK);
    IBackgroundCopyJob_Release(job);
    IBackgroundCopyManager_Release(manager);
}

/* "BITS will not execute the program if you also registered to receive COM
 * callbacks and ... the notification method returns a success code." */
static void test_cmdline_not_run_when_callback_succeeds(void **state)
{
    IBackgroundCopyManager *manager = ct_manager();
    IBackgroundCopyJob *job = new_local_job(manager, 1, FALSE);
    callback *cb = callback_new();
    WCHAR output[MAX_PATH];

    wcscpy(output, unique_path(L"cmdline"));
    set_helper_cmdline(job, output, 1, L"should-not-run");
    assert_hr_equal(IBackgroundCopyJob_SetNotifyInterface(job, unknown(cb)), S_OK);
    assert_hr_equal(IBackgroundCopyJob_Resume(job), S_OK);
    assert_true(wait_count(cb, &cb->transferred, 1, EVENT_TIMEOUT_MS));
    settle();
    assert_false(ts_file_exists(output));
    assert_hr_equal(IBackgroundCopyJob_Complete(job), S_OK);
    IBackgroundCopyJob_Release(job);
    callback_release(cb);
    IBackgroundCopyManager_Release(manager);
}

/* "if the notification method returns a failure code, such as E_FAIL, BITS
 * will execute the command line" */
static void test_cmdline_runs_when_callback_fails(void **state)
{
    IBackgroundCopyManager *manager = ct_manager();
    IBackgroundCopyJob *job = new_local_job(manager, 1, FALSE);
    callback *cb = callback_new();
    WCHAR output[MAX_PATH];

    cb->fail_transferred = 1000;
    wcscpy(output, unique_path(L"cmdline"));
    set_helper_cmdline(job, output, 1, L"fallback");
    assert_hr_equal(IBackgroundCopyJob_SetNotifyInterface(job, unknown(cb)), S_OK);
    assert_hr_equal(IBackgroundCopyJob_Resume(job), S_OK);
    assert_string_equal(wait_output(output, 1), "fallback\n");
    assert_true(cb->transferred >= 1);
    assert_hr_equal(IBackgroundCopyJob_Complete(job), S_OK);
    IBackgroundCopyJob_Release(job);
    callback_release(cb);
    IBackgroundCopyManager_Release(manager);
}

/* ---- a client that is gone ---- */

/* An STA thread that registers the callback for a job and then leaves its
 * apartment and exits: the callback's stub goes with the apartment. */
typedef struct gone_client {
    callback *cb;
    GUID id;
    HRESULT hr;
} gone_client;

static DWORD WINAPI gone_sta_main(void *context)
{
    gone_client *client = context;
    IBackgroundCopyManager *manager = NULL;
    IBackgroundCopyJob *job = NULL;

    client->hr = CoInitializeEx(NULL, COINIT_APARTMENTTHREADED);
    if (SUCCEEDED(client->hr))
        client->hr = CoCreateInstance(&CLSID_OpenBitsManager, NULL, CLSCTX_INPROC_SERVER, &IID_IBackgroundCopyManager,
                                      (void **)&manager);
    if (SUCCEEDED(client->hr)) client->hr = IBackgroundCopyManager_GetJob(manager, &client->id, &job);
    if (SUCCEEDED(client->hr)) client->hr = IBackgroundCopyJob_SetNotifyInterface(job, unknown(client->cb));
    if (job) IBackgroundCopyJob_Release(job);
    if (manager) IBackgroundCopyManager_Release(manager);
    CoUninitialize();
    return 0;
}

static void register_from_exited_sta(IBackgroundCopyJob *job, callback *cb)
{
    gone_client client = { cb };
    HANDLE thread;

    assert_hr_equal(IBackgroundCopyJob_GetId(job, &client.id), S_OK);
    thread = CreateThread(NULL, 0, gone_sta_main, &client, 0, NULL);
    assert_non_null(thread);
    assert_int_equal(WaitForSingleObject(thread, EVENT_TIMEOUT_MS), WAIT_OBJECT_0);
    CloseHandle(thread);
    assert_hr_equal(client.hr, S_OK);
}

/* The job holds no callback any more (GetNotifyInterface: S_OK, NULL). */
static BOOL wait_dropped(IBackgroundCopyJob *job)
{
    ULONGLONG deadline = GetTickCount64() + EVENT_TIMEOUT_MS;
    IUnknown *got = NULL;

    for (;;)
    {
        HRESULT hr = IBackgroundCopyJob_GetNotifyInterface(job, &got);
        if (got) IUnknown_Release(got);
        if (hr == S_OK && !got) return TRUE;
        if (GetTickCount64() >= deadline) return FALSE;
        Sleep(20);
    }
}

/* Its apartment is gone: the callback is dropped (not retried forever) and
 * the command line runs instead, as BITS does for a client that is gone. */
static void test_gone_client_dropped_and_cmdline_runs(void **state)
{
    IBackgroundCopyManager *manager = ct_manager();
    IBackgroundCopyJob *job = new_local_job(manager, 1, FALSE);
    callback *cb = callback_new();
    WCHAR output[MAX_PATH];

    wcscpy(output, unique_path(L"gone-cmdline"));
    set_helper_cmdline(job, output, 1, L"client-gone");
    register_from_exited_sta(job, cb);
    assert_hr_equal(IBackgroundCopyJob_Resume(job), S_OK);
    assert_true(wait_state(job, BG_JOB_STATE_TRANSFERRED));
    assert_string_equal(wait_output(output, 1), "client-gone\n");
    assert_true(wait_dropped(job));
    assert_int_equal(cb->transferred, 0); /* nothing reached the object */
    assert_hr_equal(IBackgroundCopyJob_Complete(job), S_OK);
    IBackgroundCopyJob_Release(job);
    callback_release(cb);
    IBackgroundCopyManager_Release(manager);
}

/* Without a command line too: dropped at the first attempt. */
static void test_gone_client_dropped(void **state)
{
    IBackgroundCopyManager *manager = ct_manager();
    IBackgroundCopyJob *job = new_local_job(manager, 1, FALSE);
    callback *cb = callback_new();

    register_from_exited_sta(job, cb);
    assert_hr_equal(IBackgroundCopyJob_Resume(job), S_OK);
    assert_true(wait_state(job, BG_JOB_STATE_TRANSFERRED));
    assert_true(wait_dropped(job));
    assert_hr_equal(IBackgroundCopyJob_Complete(job), S_OK);
    IBackgroundCopyJob_Release(job);
    callback_release(cb);
    IBackgroundCopyManager_Release(manager);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_get_notify_interface, ct_test_teardown),
        cmocka_unit_test_teardown(test_transferred_mta, ct_test_teardown),
        cmocka_unit_test_teardown(test_flags_exclude_transferred, ct_test_teardown),
        cmocka_unit_test_teardown(test_flags_disable, ct_test_teardown),
        cmocka_unit_test_teardown(test_file_transferred, ct_test_teardown),
        cmocka_unit_test_teardown(test_modification, ct_test_teardown),
        cmocka_unit_test_teardown(test_modification_on_property_change, ct_test_teardown),
        cmocka_unit_test_teardown(test_job_error, ct_test_teardown),
        cmocka_unit_test_teardown(test_transferred_sta, ct_test_teardown),
        cmocka_unit_test_teardown(test_transferred_retried_until_s_ok, ct_test_teardown),
        cmocka_unit_test_teardown(test_registered_after_transferred, ct_test_teardown),
        cmocka_unit_test_teardown(test_flag_set_after_transferred, ct_test_teardown),
        cmocka_unit_test_teardown(test_cmdline_runs, ct_test_teardown),
        cmocka_unit_test_teardown(test_cmdline_set_after_transferred, ct_test_teardown),
        cmocka_unit_test_teardown(test_cmdline_rerun_after_failure, ct_test_teardown),
        cmocka_unit_test_teardown(test_cmdline_not_run_when_callback_succeeds, ct_test_teardown),
        cmocka_unit_test_teardown(test_cmdline_runs_when_callback_fails, ct_test_teardown),
        cmocka_unit_test_teardown(test_gone_client_dropped_and_cmdline_runs, ct_test_teardown),
        cmocka_unit_test_teardown(test_gone_client_dropped, ct_test_teardown),
    };
    return cmocka_run_group_tests(tests, ct_group_setup, ct_group_teardown);
}
