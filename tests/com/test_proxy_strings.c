/* Every [out] string method of every interface openbits serves, called
 * through a real proxy (objects made in the MTA, used from an STA thread),
 * first with the proxy/stub the system registers (Wine's qmgrprxy), then with
 * openbits' own (openbits_ps.dll, from idl/openbits_com.idl) registered for
 * this process with CoRegisterPSClsid.  Each result is compared with the
 * direct call's.  This is how docs/choices.md's list of broken system
 * proxies was measured: the system's must fail exactly for the methods
 * listed there (0x800706F4, RPC_X_NULL_REF_POINTER), ours for none. */
#include "com_test_util.h"

#define RPC_X_NULL_REF_POINTER_HR HRESULT_FROM_WIN32(RPC_X_NULL_REF_POINTER) /* 0x800706F4 */

static const CLSID clsid_ps = OPENBITS_PROXY_STUB_CLSID_INIT;

typedef enum method {
    FILE_REMOTE, FILE_LOCAL,
    ERROR_DESCRIPTION, ERROR_CONTEXT, ERROR_PROTOCOL,
    JOB_OWNER, JOB_DISPLAY_NAME, JOB_DESCRIPTION, JOB_PROXY_LIST, JOB_PROXY_BYPASS,
    JOB2_NOTIFY_PROGRAM, JOB2_NOTIFY_PARAMETERS, JOB2_REPLY_FILE,
    MANAGER_DESCRIPTION,
    METHOD_COUNT
} method;

static const char *const names[METHOD_COUNT] = {
    "IBackgroundCopyFile::GetRemoteName", "IBackgroundCopyFile::GetLocalName",
    "IBackgroundCopyError::GetErrorDescription", "IBackgroundCopyError::GetErrorContextDescription",
    "IBackgroundCopyError::GetProtocol",
    "IBackgroundCopyJob::GetOwner", "IBackgroundCopyJob::GetDisplayName", "IBackgroundCopyJob::GetDescription",
    "IBackgroundCopyJob::GetProxySettings (list)", "IBackgroundCopyJob::GetProxySettings (bypass)",
    "IBackgroundCopyJob2::GetNotifyCmdLine (program)", "IBackgroundCopyJob2::GetNotifyCmdLine (parameters)",
    "IBackgroundCopyJob2::GetReplyFileName",
    "IBackgroundCopyManager::GetErrorDescription",
};

/* The system registration's measured result: these fail through it. */
static BOOL broken_in_system(method m)
{
    return m == ERROR_DESCRIPTION || m == ERROR_CONTEXT || m == ERROR_PROTOCOL;
}

typedef struct objects {
    IBackgroundCopyManager *manager;
    IBackgroundCopyJob *job;         /* a download with one file, names, proxy settings, command line */
    IBackgroundCopyJob *reply_job;   /* an upload-reply job with a reply file name */
    IBackgroundCopyFile *file;
    IBackgroundCopyError *error;
} objects;

typedef struct results {
    HRESULT hr[METHOD_COUNT];
    WCHAR *text[METHOD_COUNT];
} results;

static void call_all(const objects *o, results *r)
{
    IBackgroundCopyJob2 *job2 = NULL, *reply2 = NULL;
    BG_JOB_PROXY_USAGE usage;

    r->hr[FILE_REMOTE] = IBackgroundCopyFile_GetRemoteName(o->file, &r->text[FILE_REMOTE]);
    r->hr[FILE_LOCAL] = IBackgroundCopyFile_GetLocalName(o->file, &r->text[FILE_LOCAL]);
    r->hr[ERROR_DESCRIPTION] =
        IBackgroundCopyError_GetErrorDescription(o->error, CT_LANG_EN_US, &r->text[ERROR_DESCRIPTION]);
    r->hr[ERROR_CONTEXT] =
        IBackgroundCopyError_GetErrorContextDescription(o->error, CT_LANG_EN_US, &r->text[ERROR_CONTEXT]);
    r->hr[ERROR_PROTOCOL] = IBackgroundCopyError_GetProtocol(o->error, &r->text[ERROR_PROTOCOL]);
    r->hr[JOB_OWNER] = IBackgroundCopyJob_GetOwner(o->job, &r->text[JOB_OWNER]);
    r->hr[JOB_DISPLAY_NAME] = IBackgroundCopyJob_GetDisplayName(o->job, &r->text[JOB_DISPLAY_NAME]);
    r->hr[JOB_DESCRIPTION] = IBackgroundCopyJob_GetDescription(o->job, &r->text[JOB_DESCRIPTION]);
    r->hr[JOB_PROXY_LIST] = r->hr[JOB_PROXY_BYPASS] =
        IBackgroundCopyJob_GetProxySettings(o->job, &usage, &r->text[JOB_PROXY_LIST], &r->text[JOB_PROXY_BYPASS]);
    r->hr[JOB2_NOTIFY_PROGRAM] = r->hr[JOB2_NOTIFY_PARAMETERS] =
        IBackgroundCopyJob_QueryInterface(o->job, &IID_IBackgroundCopyJob2, (void **)&job2);
    if (job2)
        r->hr[JOB2_NOTIFY_PROGRAM] = r->hr[JOB2_NOTIFY_PARAMETERS] = IBackgroundCopyJob2_GetNotifyCmdLine(
            job2, &r->text[JOB2_NOTIFY_PROGRAM], &r->text[JOB2_NOTIFY_PARAMETERS]);
    r->hr[JOB2_REPLY_FILE] = IBackgroundCopyJob_QueryInterface(o->reply_job, &IID_IBackgroundCopyJob2,
                                                               (void **)&reply2);
    if (reply2) r->hr[JOB2_REPLY_FILE] = IBackgroundCopyJob2_GetReplyFileName(reply2, &r->text[JOB2_REPLY_FILE]);
    r->hr[MANAGER_DESCRIPTION] = IBackgroundCopyManager_GetErrorDescription(
        o->manager, BG_E_HTTP_ERROR_404, CT_LANG_EN_US, &r->text[MANAGER_DESCRIPTION]);
    if (job2) IBackgroundCopyJob2_Release(job2);
    if (reply2) IBackgroundCopyJob2_Release(reply2);
}

static void results_free(results *r)
{
    int i;
    for (i = 0; i < METHOD_COUNT; i++) CoTaskMemFree(r->text[i]);
}

/* ---- objects made here (MTA), used from an STA thread through proxies ---- */

static void make_objects(objects *o)
{
    IBackgroundCopyJob2 *job2;
    IEnumBackgroundCopyFiles *files;
    IBackgroundCopyJob *failing;
    WCHAR reply[MAX_PATH];

    o->manager = ct_manager();
    o->job = ct_create_job(o->manager, L"proxy strings", BG_JOB_TYPE_DOWNLOAD, NULL);
    assert_hr_equal(IBackgroundCopyJob_AddFile(o->job, L"http://127.0.0.1:9/never", ts_path(L"ps-dst.bin")), S_OK);
    assert_hr_equal(IBackgroundCopyJob_SetDescription(o->job, L"a description"), S_OK);
    assert_hr_equal(IBackgroundCopyJob_SetProxySettings(o->job, BG_JOB_PROXY_USAGE_OVERRIDE, L"proxy.test:8080",
                                                        L"<local>"), S_OK);
    job2 = ct_job2(o->job);
    assert_hr_equal(IBackgroundCopyJob2_SetNotifyCmdLine(job2, L"C:\\windows\\system32\\cmd.exe",
                                                         L"cmd.exe /c exit"), S_OK);
    IBackgroundCopyJob2_Release(job2);
    assert_hr_equal(IBackgroundCopyJob_EnumFiles(o->job, &files), S_OK);
    assert_hr_equal(IEnumBackgroundCopyFiles_Next(files, 1, &o->file, NULL), S_OK);
    IEnumBackgroundCopyFiles_Release(files);

    o->reply_job = ct_create_job(o->manager, L"proxy strings reply", BG_JOB_TYPE_UPLOAD_REPLY, NULL);
    job2 = ct_job2(o->reply_job);
    wcscpy(reply, ts_path(L"ps-reply.bin"));
    assert_hr_equal(IBackgroundCopyJob2_SetReplyFileName(job2, reply), S_OK);
    IBackgroundCopyJob2_Release(job2);

    /* an error: a local source that does not exist */
    failing = ct_create_job(o->manager, L"proxy strings error", BG_JOB_TYPE_DOWNLOAD, NULL);
    assert_hr_equal(IBackgroundCopyJob_AddFile(failing, ts_path(L"ps-absent.bin"), ts_path(L"ps-e.bin")), S_OK);
    assert_hr_equal(IBackgroundCopyJob_Resume(failing), S_OK);
    assert_true(ct_wait_state(failing, BG_JOB_STATE_ERROR));
    assert_hr_equal(IBackgroundCopyJob_GetError(failing, &o->error), S_OK);
    ct_cancel(failing);
}

static void free_objects(objects *o)
{
    IBackgroundCopyError_Release(o->error);
    IBackgroundCopyFile_Release(o->file);
    ct_cancel(o->reply_job);
    ct_cancel(o->job);
    IBackgroundCopyManager_Release(o->manager);
}

typedef struct streams {
    IStream *manager, *job, *reply_job, *file, *error;
} streams;

static void marshal(const objects *o, streams *s)
{
    assert_hr_equal(CoMarshalInterThreadInterfaceInStream(&IID_IBackgroundCopyManager, (IUnknown *)o->manager,
                                                          &s->manager), S_OK);
    assert_hr_equal(CoMarshalInterThreadInterfaceInStream(&IID_IBackgroundCopyJob, (IUnknown *)o->job, &s->job), S_OK);
    assert_hr_equal(CoMarshalInterThreadInterfaceInStream(&IID_IBackgroundCopyJob, (IUnknown *)o->reply_job,
                                                          &s->reply_job), S_OK);
    assert_hr_equal(CoMarshalInterThreadInterfaceInStream(&IID_IBackgroundCopyFile, (IUnknown *)o->file, &s->file),
                    S_OK);
    assert_hr_equal(CoMarshalInterThreadInterfaceInStream(&IID_IBackgroundCopyError, (IUnknown *)o->error,
                                                          &s->error), S_OK);
}

typedef struct sta_call {
    streams s;
    BOOL own_proxy_stub;
    HRESULT hr;
    BOOL proxies;              /* every object arrived as a proxy */
    results r;
} sta_call;

static DWORD WINAPI sta_main(void *context)
{
    sta_call *call = context;
    objects o = { 0 };
    HRESULT hr = CoInitializeEx(NULL, COINIT_APARTMENTTHREADED);

    if (SUCCEEDED(hr)) hr = CoGetInterfaceAndReleaseStream(call->s.manager, &IID_IBackgroundCopyManager, (void **)&o.manager);
    if (SUCCEEDED(hr)) hr = CoGetInterfaceAndReleaseStream(call->s.job, &IID_IBackgroundCopyJob, (void **)&o.job);
    if (SUCCEEDED(hr)) hr = CoGetInterfaceAndReleaseStream(call->s.reply_job, &IID_IBackgroundCopyJob, (void **)&o.reply_job);
    if (SUCCEEDED(hr)) hr = CoGetInterfaceAndReleaseStream(call->s.file, &IID_IBackgroundCopyFile, (void **)&o.file);
    if (SUCCEEDED(hr)) hr = CoGetInterfaceAndReleaseStream(call->s.error, &IID_IBackgroundCopyError, (void **)&o.error);
    call->hr = hr;
    if (SUCCEEDED(hr))
    {
        call->proxies = ct_is_proxy(o.manager) && ct_is_proxy(o.job) && ct_is_proxy(o.reply_job) && ct_is_proxy(o.file) &&
                        ct_is_proxy(o.error);
        call_all(&o, &call->r);
    }
    if (o.manager) IBackgroundCopyManager_Release(o.manager);
    if (o.job) IBackgroundCopyJob_Release(o.job);
    if (o.reply_job) IBackgroundCopyJob_Release(o.reply_job);
    if (o.file) IBackgroundCopyFile_Release(o.file);
    if (o.error) IBackgroundCopyError_Release(o.error);
    CoUninitialize();
    return 0;
}

/* The proxy/stub class the registry names for an interface. */
static CLSID system_ps(const IID *iid)
{
    WCHAR key[96], text[40], value[40];
    DWORD size = sizeof(value);
    CLSID clsid;

    StringFromGUID2(iid, text, ARRAYSIZE(text));
    swprintf(key, ARRAYSIZE(key), L"Interface\\%ls\\ProxyStubClsid32", text);
    assert_int_equal(RegGetValueW(HKEY_CLASSES_ROOT, key, NULL, RRF_RT_REG_SZ, NULL, value, &size), 0);
    assert_hr_equal(CLSIDFromString(value, &clsid), S_OK);
    assert_false(IsEqualCLSID(&clsid, &clsid_ps)); /* plain regsvr32 never claims a system IID */
    return clsid;
}

static const IID *const served[] = { &IID_IBackgroundCopyError, &IID_IBackgroundCopyJob, &IID_IBackgroundCopyJob2,
                                     &IID_IBackgroundCopyFile, &IID_IBackgroundCopyManager };

/* Which proxy/stub both apartments use, for this process (after the objects
 * exist: creating a manager in process switches IBackgroundCopyError to
 * openbits' own, src/com/proxystub.c). */
static void use_proxy_stubs(BOOL own)
{
    ULONG i;
    for (i = 0; i < ARRAYSIZE(served); i++)
    {
        CLSID clsid = own ? clsid_ps : system_ps(served[i]);
        assert_hr_equal(CoRegisterPSClsid(served[i], &clsid), S_OK);
    }
}

static void run(BOOL own_proxy_stub)
{
    objects o = { 0 };
    results direct = { { 0 } };
    sta_call *call = calloc(1, sizeof(*call));
    HANDLE thread;
    int i;

    make_objects(&o);
    use_proxy_stubs(own_proxy_stub);
    call_all(&o, &direct);
    marshal(&o, &call->s);
    call->own_proxy_stub = own_proxy_stub;
    thread = CreateThread(NULL, 0, sta_main, call, 0, NULL);
    assert_non_null(thread);
    assert_int_equal(WaitForSingleObject(thread, 60000), WAIT_OBJECT_0);
    CloseHandle(thread);
    assert_hr_equal(call->hr, S_OK);
    assert_true(call->proxies);

    for (i = 0; i < METHOD_COUNT; i++)
    {
        print_message("%-52s %s: %08lx %ls\n", names[i], own_proxy_stub ? "openbits_ps" : "system     ",
                      (unsigned long)call->r.hr[i], call->r.text[i] ? call->r.text[i] : L"(null)");
    }
    for (i = 0; i < METHOD_COUNT; i++)
    {
        BOOL expect_broken = !own_proxy_stub && broken_in_system(i);
        assert_hr_equal(direct.hr[i], S_OK);
        assert_non_null(direct.text[i]);
        if (expect_broken)
        {
            assert_hr_equal(call->r.hr[i], RPC_X_NULL_REF_POINTER_HR);
            continue;
        }
        assert_hr_equal(call->r.hr[i], S_OK);
        assert_non_null(call->r.text[i]);
        if (wcscmp(call->r.text[i], direct.text[i]))
            fail_msg("%s: \"%ls\", expected \"%ls\"", names[i], call->r.text[i], direct.text[i]);
    }
    results_free(&direct);
    results_free(&call->r);
    free(call);
    free_objects(&o);
}

static void test_system_proxy_stubs(void **state)
{
    run(FALSE);
}

static void test_openbits_proxy_stub(void **state)
{
    run(TRUE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_system_proxy_stubs),
        cmocka_unit_test(test_openbits_proxy_stub),
    };
    return cmocka_run_group_tests(tests, ct_group_setup, ts_group_teardown);
}
