/* The objects a callback receives work in the client's apartment (issue 16):
 * an STA client that pumps messages and an MTA client each get a JobError
 * for a 404 and call every IBackgroundCopyError method inside the callback
 * and after it, and a FileTransferred whose IBackgroundCopyFile names are
 * read inside the callback and after it.  Every call must return S_OK with
 * the strings openbits gives directly.
 *
 * argv[1] "host" reaches the manager with CLSCTX_LOCAL_SERVER (through
 * openbits-host.exe); otherwise CLSCTX_INPROC_SERVER. */
#include "com_test_util.h"
#include "http_support.h"

#define EVENT_TIMEOUT_MS 30000
#define HTTP_404         ((HRESULT)0x80190194) /* BG_E_HTTP_ERROR_404 */

static DWORD activation = CLSCTX_INPROC_SERVER;

/* What one round of calls on the objects returned. */
typedef struct error_calls {
    HRESULT get_error, get_file, remote, description, context_description, protocol;
    HRESULT code;
    BG_ERROR_CONTEXT context;
    WCHAR *remote_name, *description_text, *context_text, *protocol_text;
} error_calls;

typedef struct file_calls {
    HRESULT remote, local;
    WCHAR *remote_name, *local_name;
} file_calls;

static void error_calls_free(error_calls *calls)
{
    CoTaskMemFree(calls->remote_name);
    CoTaskMemFree(calls->description_text);
    CoTaskMemFree(calls->context_text);
    CoTaskMemFree(calls->protocol_text);
    memset(calls, 0, sizeof(*calls));
}

static void file_calls_free(file_calls *calls)
{
    CoTaskMemFree(calls->remote_name);
    CoTaskMemFree(calls->local_name);
    memset(calls, 0, sizeof(*calls));
}

static void call_error(IBackgroundCopyError *error, error_calls *calls)
{
    IBackgroundCopyFile *file = NULL;

    calls->get_error = IBackgroundCopyError_GetError(error, &calls->context, &calls->code);
    calls->get_file = IBackgroundCopyError_GetFile(error, &file);
    calls->remote = file ? IBackgroundCopyFile_GetRemoteName(file, &calls->remote_name) : E_POINTER;
    if (file) IBackgroundCopyFile_Release(file);
    calls->description = IBackgroundCopyError_GetErrorDescription(error, CT_LANG_EN_US, &calls->description_text);
    calls->context_description =
        IBackgroundCopyError_GetErrorContextDescription(error, CT_LANG_EN_US, &calls->context_text);
    calls->protocol = IBackgroundCopyError_GetProtocol(error, &calls->protocol_text);
}

static void call_file(IBackgroundCopyFile *file, file_calls *calls)
{
    calls->remote = IBackgroundCopyFile_GetRemoteName(file, &calls->remote_name);
    calls->local = IBackgroundCopyFile_GetLocalName(file, &calls->local_name);
}

/* ---- the callback: calls the objects it is given, keeps them ---- */

typedef struct callback {
    IBackgroundCopyCallback2 IBackgroundCopyCallback2_iface;
    LONG refs;
    LONG errors, files;
    error_calls in_error;
    file_calls in_file;
    IBackgroundCopyError *error; /* kept for the calls after the callback */
    IBackgroundCopyFile *file;
} callback;

static callback *impl_from(IBackgroundCopyCallback2 *iface)
{
    return CONTAINING_RECORD(iface, callback, IBackgroundCopyCallback2_iface);
}

static HRESULT WINAPI cb_QueryInterface(IBackgroundCopyCallback2 *iface, REFIID iid, void **out)
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

static ULONG WINAPI cb_AddRef(IBackgroundCopyCallback2 *iface)
{
    return InterlockedIncrement(&impl_from(iface)->refs);
}

static ULONG WINAPI cb_Release(IBackgroundCopyCallback2 *iface)
{
    return InterlockedDecrement(&impl_from(iface)->refs);
}

static HRESULT WINAPI cb_JobTransferred(IBackgroundCopyCallback2 *iface, IBackgroundCopyJob *job)
{
    return S_OK;
}

static HRESULT WINAPI cb_JobError(IBackgroundCopyCallback2 *iface, IBackgroundCopyJob *job,
                                  IBackgroundCopyError *error)
{
    callback *self = impl_from(iface);
    if (!self->error)
    {
        call_error(error, &self->in_error);
        IBackgroundCopyError_AddRef(error);
        self->error = error;
    }
    InterlockedIncrement(&self->errors);
    return S_OK;
}

static HRESULT WINAPI cb_JobModification(IBackgroundCopyCallback2 *iface, IBackgroundCopyJob *job, DWORD reserved)
{
    return S_OK;
}

static HRESULT WINAPI cb_FileTransferred(IBackgroundCopyCallback2 *iface, IBackgroundCopyJob *job,
                                         IBackgroundCopyFile *file)
{
    callback *self = impl_from(iface);
    if (!self->file)
    {
        call_file(file, &self->in_file);
        IBackgroundCopyFile_AddRef(file);
        self->file = file;
    }
    InterlockedIncrement(&self->files);
    return S_OK;
}

static const IBackgroundCopyCallback2Vtbl cb_vtbl = {
    cb_QueryInterface, cb_AddRef, cb_Release, cb_JobTransferred, cb_JobError, cb_JobModification,
    cb_FileTransferred,
};

/* ---- one client, in the apartment it asks for ---- */

typedef struct client {
    DWORD apartment;           /* COINIT_APARTMENTTHREADED or COINIT_MULTITHREADED */
    callback cb;
    HRESULT hr;                /* the first failed set-up step */
    BOOL got_error, got_file;
    error_calls after_error;
    file_calls after_file;
    WCHAR *expected_description, *expected_context;
    WCHAR failing_url[300], good_url[300], failing_local[MAX_PATH], good_local[MAX_PATH];
} client;

#define STEP(call) do { HRESULT hr_ = (call); if (FAILED(hr_) && SUCCEEDED(c->hr)) c->hr = hr_; } while (0)

/* Pumps messages (an STA receives its calls as messages) until both
 * callbacks came or the time is up. */
static void wait_callbacks(client *c)
{
    ULONGLONG deadline = GetTickCount64() + EVENT_TIMEOUT_MS;
    MSG msg;

    while ((!c->cb.errors || !c->cb.files) && GetTickCount64() < deadline)
    {
        MsgWaitForMultipleObjects(0, NULL, FALSE, 20, QS_ALLINPUT);
        while (PeekMessageW(&msg, NULL, 0, 0, PM_REMOVE)) DispatchMessageW(&msg);
    }
    c->got_error = c->cb.errors > 0;
    c->got_file = c->cb.files > 0;
}

static IBackgroundCopyJob *start_job(client *c, IBackgroundCopyManager *manager, const WCHAR *url,
                                     const WCHAR *local, ULONG flags)
{
    IBackgroundCopyJob *job = NULL;
    GUID id;

    STEP(IBackgroundCopyManager_CreateJob(manager, L"callback objects", BG_JOB_TYPE_DOWNLOAD, &id, &job));
    if (!job) return NULL;
    STEP(IBackgroundCopyJob_AddFile(job, url, local));
    STEP(IBackgroundCopyJob_SetNotifyFlags(job, flags));
    STEP(IBackgroundCopyJob_SetNotifyInterface(job, (IUnknown *)&c->cb.IBackgroundCopyCallback2_iface));
    STEP(IBackgroundCopyJob_Resume(job));
    return job;
}

/* The callback lives in the client's memory: unregister it before the end. */
static void finish_job(IBackgroundCopyJob *job)
{
    if (!job) return;
    IBackgroundCopyJob_SetNotifyInterface(job, NULL);
    IBackgroundCopyJob_Cancel(job);
    IBackgroundCopyJob_Release(job);
}

static DWORD WINAPI client_main(void *context)
{
    client *c = context;
    IBackgroundCopyManager *manager = NULL;
    IBackgroundCopyJob *failing = NULL, *good = NULL;

    STEP(CoInitializeEx(NULL, c->apartment));
    STEP(CoCreateInstance(&CLSID_OpenBitsManager, NULL, activation, &IID_IBackgroundCopyManager,
                          (void **)&manager));
    if (manager)
    {
        STEP(IBackgroundCopyManager_GetErrorDescription(manager, HTTP_404, CT_LANG_EN_US,
                                                        &c->expected_description));
        STEP(IBackgroundCopyManager_GetErrorDescription(manager, BG_E_ERROR_CONTEXT_REMOTE_FILE, CT_LANG_EN_US,
                                                        &c->expected_context));
        failing = start_job(c, manager, c->failing_url, c->failing_local, BG_NOTIFY_JOB_ERROR);
        good = start_job(c, manager, c->good_url, c->good_local, BG_NOTIFY_FILE_TRANSFERRED);
        wait_callbacks(c);
        /* after the callbacks returned, from this thread */
        if (c->cb.error) call_error(c->cb.error, &c->after_error);
        if (c->cb.file) call_file(c->cb.file, &c->after_file);
        if (c->cb.error) IBackgroundCopyError_Release(c->cb.error);
        if (c->cb.file) IBackgroundCopyFile_Release(c->cb.file);
        finish_job(failing);
        finish_job(good);
        IBackgroundCopyManager_Release(manager);
    }
    CoUninitialize();
    return 0;
}

/* Like ct_check_string, but the string stays (it is freed with its record). */
static void check_str(const WCHAR *actual, const WCHAR *expected)
{
    assert_non_null(actual);
    if (wcscmp(actual, expected)) fail_msg("string is \"%ls\", expected \"%ls\"", actual, expected);
}

static void check_error_calls(const client *c, const error_calls *calls)
{
    assert_hr_equal(calls->get_error, S_OK);
    assert_hr_equal(calls->code, HTTP_404);
    assert_int_equal(calls->context, BG_ERROR_CONTEXT_REMOTE_FILE);
    assert_hr_equal(calls->get_file, S_OK);
    assert_hr_equal(calls->remote, S_OK);
    check_str(calls->remote_name, c->failing_url);
    assert_hr_equal(calls->description, S_OK);
    check_str(calls->description_text, c->expected_description);
    assert_hr_equal(calls->context_description, S_OK);
    check_str(calls->context_text, c->expected_context);
    assert_hr_equal(calls->protocol, S_OK);
    check_str(calls->protocol_text, L"http");
}

static void check_file_calls(const client *c, const file_calls *calls)
{
    assert_hr_equal(calls->remote, S_OK);
    check_str(calls->remote_name, c->good_url);
    assert_hr_equal(calls->local, S_OK);
    check_str(calls->local_name, c->good_local);
}

static void run_client(DWORD apartment, const WCHAR *tag)
{
    client *c = calloc(1, sizeof(*c));
    HANDLE thread;
    WCHAR name[64];

    assert_non_null(c);
    c->apartment = apartment;
    c->cb.IBackgroundCopyCallback2_iface.lpVtbl = (IBackgroundCopyCallback2Vtbl *)&cb_vtbl;
    c->cb.refs = 1;
    c->hr = S_OK;
    wcscpy(c->failing_url, ts_http_url("/data/100?status=404"));
    wcscpy(c->good_url, ts_http_url("/data/5000"));
    swprintf(name, ARRAYSIZE(name), L"cbobj-404-%ls.bin", tag);
    wcscpy(c->failing_local, ts_path(name));
    swprintf(name, ARRAYSIZE(name), L"cbobj-ok-%ls.bin", tag);
    wcscpy(c->good_local, ts_path(name));

    thread = CreateThread(NULL, 0, client_main, c, 0, NULL);
    assert_non_null(thread);
    assert_int_equal(WaitForSingleObject(thread, EVENT_TIMEOUT_MS + 20000), WAIT_OBJECT_0);
    CloseHandle(thread);

    assert_hr_equal(c->hr, S_OK);
    assert_true(c->got_error);
    assert_true(c->got_file);
    assert_non_null(c->expected_description);
    assert_true(wcsstr(c->expected_description, L"404") != NULL);
    check_error_calls(c, &c->cb.in_error);
    check_error_calls(c, &c->after_error);
    check_file_calls(c, &c->cb.in_file);
    check_file_calls(c, &c->after_file);

    error_calls_free(&c->cb.in_error);
    error_calls_free(&c->after_error);
    file_calls_free(&c->cb.in_file);
    file_calls_free(&c->after_file);
    CoTaskMemFree(c->expected_description);
    CoTaskMemFree(c->expected_context);
    free(c);
}

static void test_sta_client(void **state)
{
    run_client(COINIT_APARTMENTTHREADED, L"sta");
}

static void test_mta_client(void **state)
{
    run_client(COINIT_MULTITHREADED, L"mta");
}

/* examples/sta_download.c, written like Microsoft's DOWNLOADS sample (STA,
 * callback, message loop), prints openbits' description of a 404. */
static void test_downloads_sample_prints_404_description(void **state)
{
    const WCHAR *exe = ts_env_path(L"OPENBITS_STA_DOWNLOAD_EXE");
    WCHAR line[1024];
    ts_run_result run;

    swprintf(line, ARRAYSIZE(line), L"\"%ls\"", exe);
    if (activation == CLSCTX_LOCAL_SERVER) ts_append_arg(line, ARRAYSIZE(line), L"/local");
    ts_append_arg(line, ARRAYSIZE(line), ts_http_url("/data/100?status=404"));
    ts_append_arg(line, ARRAYSIZE(line), ts_path(L"sample-404.bin"));
    run = ts_run(exe, line, 60000);
    if (run.exit_code != 1 || !strstr(run.out, "Error 0x80190194: The requested URL was not found on the server (HTTP 404).\n"))
        fail_msg("exit code %lu\nstdout:\n%s\nstderr:\n%s", run.exit_code, run.out, run.err);
    ts_run_result_free(&run);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sta_client),
        cmocka_unit_test(test_mta_client),
        cmocka_unit_test(test_downloads_sample_prints_404_description),
    };
    if (argc > 1 && !strcmp(argv[1], "host")) activation = CLSCTX_LOCAL_SERVER;
    return cmocka_run_group_tests(tests, NULL, ts_group_teardown);
}
