/* Delivery Optimization's surface through CoCreateInstance(CLSID_DeliveryOptimization):
 * the BITS manager with DO's rules (Microsoft's DO pages: only downloads, no
 * CONNECTING, NoProgressTimeout per priority, DO_E_* codes, the refused
 * notification flags, only the NONE and REMOTE_FILE contexts, GetProgress),
 * and IDOManager/IDODownload.  argv[1] "host": the same tests through
 * openbits-host (CLSCTX_LOCAL_SERVER), as DO clients activate it. */
#include "com_test_util.h"
#include "http_support.h"

static BOOL through_host;

static DWORD context(void)
{
    return through_host ? CLSCTX_LOCAL_SERVER : CLSCTX_INPROC_SERVER;
}

static IBackgroundCopyManager *do_manager(void)
{
    IBackgroundCopyManager *manager = NULL;
    assert_hr_equal(CoCreateInstance(&CLSID_DeliveryOptimization, NULL, context(), &IID_IBackgroundCopyManager,
                                     (void **)&manager), S_OK);
    assert_non_null(manager);
    assert_int_equal(ct_is_proxy(manager), through_host);
    return manager;
}

static IBackgroundCopyManager *bits_manager(void)
{
    IBackgroundCopyManager *manager = NULL;
    assert_hr_equal(CoCreateInstance(&CLSID_OpenBitsManager, NULL, context(), &IID_IBackgroundCopyManager,
                                     (void **)&manager), S_OK);
    return manager;
}

static IDOManager *dom(void)
{
    IDOManager *manager = NULL;
    assert_hr_equal(CoCreateInstance(&CLSID_DeliveryOptimization, NULL, context(), &IID_IDOManager,
                                     (void **)&manager), S_OK);
    assert_non_null(manager);
    return manager;
}

static IBackgroundCopyJob *do_job(IBackgroundCopyManager *manager)
{
    return ct_create_job(manager, L"do job", BG_JOB_TYPE_DOWNLOAD, NULL);
}

static BG_ERROR_CONTEXT error_context(IBackgroundCopyJob *job, HRESULT *code)
{
    IBackgroundCopyError *error;
    BG_ERROR_CONTEXT ctx;
    assert_hr_equal(IBackgroundCopyJob_GetError(job, &error), S_OK);
    assert_hr_equal(IBackgroundCopyError_GetError(error, &ctx, code), S_OK);
    IBackgroundCopyError_Release(error);
    return ctx;
}

/* ---- the BITS surface with DO's rules ---- */

static void test_activation_and_identity(void **state)
{
    IBackgroundCopyManager *manager = do_manager(), *bits = bits_manager();
    IUnknown *a, *b;
    IDOManager *dm;

    assert_hr_equal(IBackgroundCopyManager_QueryInterface(manager, &IID_IDOManager, (void **)&dm), S_OK);
    assert_hr_equal(IBackgroundCopyManager_QueryInterface(manager, &IID_IUnknown, (void **)&a), S_OK);
    assert_hr_equal(IDOManager_QueryInterface(dm, &IID_IUnknown, (void **)&b), S_OK);
    assert_ptr_equal(a, b); /* one COM identity */
    IUnknown_Release(a);
    IUnknown_Release(b);
    IDOManager_Release(dm);
    /* IDOManager is DO's, not BITS' */
    dm = (IDOManager *)0xdeadbeef;
    assert_hr_equal(IBackgroundCopyManager_QueryInterface(bits, &IID_IDOManager, (void **)&dm), E_NOINTERFACE);
    assert_null(dm);
    IBackgroundCopyManager_Release(bits);
    IBackgroundCopyManager_Release(manager);
}

/* BG_JOB_TYPE under DO: only BG_JOB_TYPE_DOWNLOAD; DO documents no
 * IBackgroundCopyJob2. */
static void test_only_download_jobs(void **state)
{
    IBackgroundCopyManager *manager = do_manager();
    IBackgroundCopyJob *job = NULL;
    IUnknown *job2 = NULL;
    BG_JOB_TYPE type;
    GUID id;

    assert_hr_equal(IBackgroundCopyManager_CreateJob(manager, L"up", BG_JOB_TYPE_UPLOAD, &id, &job), E_INVALIDARG);
    assert_null(job);
    assert_hr_equal(IBackgroundCopyManager_CreateJob(manager, L"up", BG_JOB_TYPE_UPLOAD_REPLY, &id, &job),
                    E_INVALIDARG);
    job = do_job(manager);
    assert_hr_equal(IBackgroundCopyJob_GetType(job, &type), S_OK);
    assert_int_equal(type, BG_JOB_TYPE_DOWNLOAD);
    assert_hr_equal(IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJob2, (void **)&job2), E_NOINTERFACE);
    ct_cancel(job);
    IBackgroundCopyManager_Release(manager);
}

/* SetNoProgressTimeout: "The default retry period for high priority job is
 * 3600 seconds (1 hour) and for low priority job is 86400 seconds" (BITS:
 * 1209600 at every priority). */
static void test_no_progress_timeout_defaults(void **state)
{
    IBackgroundCopyManager *manager = do_manager(), *bits = bits_manager();
    IBackgroundCopyJob *job = do_job(manager), *plain = ct_create_job(bits, L"bits", BG_JOB_TYPE_DOWNLOAD, NULL);
    ULONG seconds;

    assert_hr_equal(IBackgroundCopyJob_GetNoProgressTimeout(job, &seconds), S_OK);
    assert_int_equal(seconds, 86400); /* NORMAL */
    assert_hr_equal(IBackgroundCopyJob_SetPriority(job, BG_JOB_PRIORITY_FOREGROUND), S_OK);
    assert_hr_equal(IBackgroundCopyJob_GetNoProgressTimeout(job, &seconds), S_OK);
    assert_int_equal(seconds, 3600);
    assert_hr_equal(IBackgroundCopyJob_SetPriority(job, BG_JOB_PRIORITY_HIGH), S_OK);
    assert_hr_equal(IBackgroundCopyJob_GetNoProgressTimeout(job, &seconds), S_OK);
    assert_int_equal(seconds, 3600);
    assert_hr_equal(IBackgroundCopyJob_SetPriority(job, BG_JOB_PRIORITY_LOW), S_OK);
    assert_hr_equal(IBackgroundCopyJob_GetNoProgressTimeout(job, &seconds), S_OK);
    assert_int_equal(seconds, 86400);
    /* a timeout the client set stays */
    assert_hr_equal(IBackgroundCopyJob_SetNoProgressTimeout(job, 500), S_OK);
    assert_hr_equal(IBackgroundCopyJob_SetPriority(job, BG_JOB_PRIORITY_FOREGROUND), S_OK);
    assert_hr_equal(IBackgroundCopyJob_GetNoProgressTimeout(job, &seconds), S_OK);
    assert_int_equal(seconds, 500);

    assert_hr_equal(IBackgroundCopyJob_SetPriority(plain, BG_JOB_PRIORITY_FOREGROUND), S_OK);
    assert_hr_equal(IBackgroundCopyJob_GetNoProgressTimeout(plain, &seconds), S_OK);
    assert_int_equal(seconds, 1209600);
    ct_cancel(plain);
    ct_cancel(job);
    IBackgroundCopyManager_Release(bits);
    IBackgroundCopyManager_Release(manager);
}

/* SetNotifyFlags: BG_NOTIFY_DISABLE and BG_NOTIFY_FILE_RANGES_TRANSFERRED
 * are "Not supported"; the others are taken. */
static void test_notify_flags(void **state)
{
    IBackgroundCopyManager *manager = do_manager();
    IBackgroundCopyJob *job = do_job(manager);
    ULONG flags;

    assert_hr_equal(IBackgroundCopyJob_SetNotifyFlags(job, BG_NOTIFY_DISABLE), E_NOTIMPL);
    assert_hr_equal(IBackgroundCopyJob_SetNotifyFlags(job, BG_NOTIFY_JOB_TRANSFERRED | 0x0020), E_NOTIMPL);
    assert_hr_equal(IBackgroundCopyJob_GetNotifyFlags(job, &flags), S_OK);
    assert_int_equal(flags, BG_NOTIFY_JOB_TRANSFERRED | BG_NOTIFY_JOB_ERROR); /* unchanged */
    assert_hr_equal(IBackgroundCopyJob_SetNotifyFlags(job, BG_NOTIFY_JOB_TRANSFERRED | BG_NOTIFY_JOB_ERROR |
                                                          BG_NOTIFY_JOB_MODIFICATION | BG_NOTIFY_FILE_TRANSFERRED),
                    S_OK);
    ct_cancel(job);
    IBackgroundCopyManager_Release(manager);
}

/* The DO_E_* codes of the DO pages: Resume (empty), GetError, GetJob, and
 * DO_E_INVALID_STATE on a cancelled job. */
static void test_do_error_codes(void **state)
{
    IBackgroundCopyManager *manager = do_manager(), *bits = bits_manager();
    IBackgroundCopyJob *job = do_job(manager), *plain, *found = NULL;
    IBackgroundCopyError *error = NULL;
    GUID id, plain_id, unknown;

    assert_hr_equal(IBackgroundCopyJob_Resume(job), DO_E_JOB_EMPTY);
    assert_hr_equal(IBackgroundCopyJob_GetError(job, &error), DO_E_ERROR_INFORMATION_UNAVAILABLE);
    assert_null(error);
    assert_hr_equal(CoCreateGuid(&unknown), S_OK);
    assert_hr_equal(IBackgroundCopyManager_GetJob(manager, &unknown, &found), DO_E_JOB_NOT_FOUND);
    assert_null(found);
    /* each service sees only its own jobs */
    plain = ct_create_job(bits, L"bits", BG_JOB_TYPE_DOWNLOAD, &plain_id);
    assert_hr_equal(IBackgroundCopyManager_GetJob(manager, &plain_id, &found), DO_E_JOB_NOT_FOUND);
    assert_hr_equal(IBackgroundCopyJob_GetId(job, &id), S_OK);
    assert_hr_equal(IBackgroundCopyManager_GetJob(bits, &id, &found), BG_E_NOT_FOUND);
    assert_hr_equal(IBackgroundCopyManager_GetJob(manager, &id, &found), S_OK);
    IBackgroundCopyJob_Release(found);
    assert_int_equal(ct_job_count(manager), 1);
    ct_cancel(plain);

    assert_hr_equal(IBackgroundCopyJob_Cancel(job), S_OK);
    assert_hr_equal(IBackgroundCopyJob_Suspend(job), DO_E_INVALID_STATE);
    assert_hr_equal(IBackgroundCopyJob_Resume(job), DO_E_INVALID_STATE);
    assert_hr_equal(IBackgroundCopyJob_Complete(job), DO_E_INVALID_STATE);
    assert_hr_equal(IBackgroundCopyJob_SetNotifyFlags(job, BG_NOTIFY_JOB_ERROR), DO_E_INVALID_STATE);
    assert_hr_equal(IBackgroundCopyJob_SetNoProgressTimeout(job, 100), DO_E_INVALID_STATE);
    IBackgroundCopyJob_Release(job);
    IBackgroundCopyManager_Release(bits);
    IBackgroundCopyManager_Release(manager);
}

/* Polls until TRANSFERRED: whether CONNECTING was ever seen and whether
 * TRANSFERRING was seen before the first byte. */
static void watch_states(IBackgroundCopyJob *job, BOOL *connecting, BOOL *transferring_early)
{
    ULONGLONG until = GetTickCount64() + 30000;
    BG_JOB_STATE state;

    *connecting = *transferring_early = FALSE;
    while ((state = ct_state(job)) != BG_JOB_STATE_TRANSFERRED && GetTickCount64() < until)
    {
        if (state == BG_JOB_STATE_CONNECTING) *connecting = TRUE;
        if (state == BG_JOB_STATE_TRANSFERRING && ct_progress(job).BytesTransferred == 0) *transferring_early = TRUE;
        Sleep(2);
    }
    assert_int_equal(ct_state(job), BG_JOB_STATE_TRANSFERRED);
}

/* BG_JOB_STATE_CONNECTING: "Not supported" under DO; the same transfer as a
 * BITS job shows it (the server holds every answer 600 ms, so there is a
 * connecting phase to see). */
static void test_connecting_never_reported(void **state)
{
    IBackgroundCopyManager *manager = do_manager(), *bits = bits_manager();
    IBackgroundCopyJob *job = do_job(manager), *plain = ct_create_job(bits, L"bits", BG_JOB_TYPE_DOWNLOAD, NULL);
    BOOL connecting, early;

    assert_hr_equal(IBackgroundCopyJob_AddFile(plain, ts_http_url("/data/1000?delay=600&tag=bits"),
                                               ts_path(L"connecting_bits.bin")), S_OK);
    assert_hr_equal(IBackgroundCopyJob_Resume(plain), S_OK);
    watch_states(plain, &connecting, &early);
    assert_true(connecting);
    ct_cancel(plain);

    assert_hr_equal(IBackgroundCopyJob_AddFile(job, ts_http_url("/data/1000?delay=600&tag=do"),
                                               ts_path(L"connecting_do.bin")), S_OK);
    assert_hr_equal(IBackgroundCopyJob_Resume(job), S_OK);
    watch_states(job, &connecting, &early);
    assert_false(connecting);
    assert_true(early); /* the connecting phase reads as TRANSFERRING */
    assert_hr_equal(IBackgroundCopyJob_Complete(job), S_OK);
    assert_true(ts_file_has_pattern(ts_path(L"connecting_do.bin"), 1000));
    IBackgroundCopyJob_Release(job);
    IBackgroundCopyManager_Release(bits);
    IBackgroundCopyManager_Release(manager);
}

/* BG_ERROR_CONTEXT under DO: only NONE and REMOTE_FILE.  A 404 is the
 * remote file's; a destination directory removed before the transfer is
 * LOCAL_FILE for BITS and NONE for DO. */
static void test_error_contexts(void **state)
{
    IBackgroundCopyManager *manager = do_manager(), *bits = bits_manager();
    IBackgroundCopyJob *job = do_job(manager), *plain = ct_create_job(bits, L"bits", BG_JOB_TYPE_DOWNLOAD, NULL),
                       *missing = do_job(manager);
    const WCHAR *dir_do = ts_path(L"gone_do"), *dir_bits = ts_path(L"gone_bits");
    WCHAR local_do[MAX_PATH], local_bits[MAX_PATH];
    HRESULT code;

    assert_hr_equal(IBackgroundCopyJob_AddFile(missing, ts_http_url("/data/10?status=404"), ts_path(L"404.bin")),
                    S_OK);
    assert_hr_equal(IBackgroundCopyJob_Resume(missing), S_OK);
    assert_true(ct_wait_state(missing, BG_JOB_STATE_ERROR));
    assert_int_equal(error_context(missing, &code), BG_ERROR_CONTEXT_REMOTE_FILE);
    assert_hr_equal(code, BG_E_HTTP_ERROR_404);
    ct_cancel(missing);

    swprintf(local_do, MAX_PATH, L"%ls\\a.bin", dir_do);
    swprintf(local_bits, MAX_PATH, L"%ls\\a.bin", dir_bits);
    ts_make_dir(dir_do);
    ts_make_dir(dir_bits);
    assert_hr_equal(IBackgroundCopyJob_AddFile(job, ts_http_url("/data/1000"), local_do), S_OK);
    assert_hr_equal(IBackgroundCopyJob_AddFile(plain, ts_http_url("/data/1000"), local_bits), S_OK);
    assert_true(RemoveDirectoryW(dir_do));
    assert_true(RemoveDirectoryW(dir_bits));
    assert_hr_equal(IBackgroundCopyJob_Resume(plain), S_OK);
    assert_hr_equal(IBackgroundCopyJob_Resume(job), S_OK);
    assert_true(ct_wait_state(plain, BG_JOB_STATE_ERROR));
    assert_true(ct_wait_state(job, BG_JOB_STATE_ERROR));
    assert_int_equal(error_context(plain, &code), BG_ERROR_CONTEXT_LOCAL_FILE);
    assert_int_equal(error_context(job, &code), BG_ERROR_CONTEXT_NONE);
    ct_cancel(plain);
    ct_cancel(job);
    IBackgroundCopyManager_Release(bits);
    IBackgroundCopyManager_Release(manager);
}

/* IBackgroundCopyJob::GetProgress (DO page): S_OK; an empty job is all
 * zeros, a file of unknown size makes BytesTotal BG_SIZE_UNKNOWN, and at the
 * end the totals are the file's. */
static void test_get_progress(void **state)
{
    IBackgroundCopyManager *manager = do_manager();
    IBackgroundCopyJob *job = do_job(manager);
    BG_JOB_PROGRESS p;

    assert_hr_equal(IBackgroundCopyJob_GetProgress(job, &p), S_OK);
    assert_true(p.BytesTotal == 0 && p.BytesTransferred == 0 && p.FilesTotal == 0 && p.FilesTransferred == 0);
    assert_hr_equal(IBackgroundCopyJob_AddFile(job, ts_http_url("/data/5000"), ts_path(L"progress.bin")), S_OK);
    assert_hr_equal(IBackgroundCopyJob_GetProgress(job, &p), S_OK);
    assert_true(p.BytesTotal == BG_SIZE_UNKNOWN && p.BytesTransferred == 0);
    assert_int_equal(p.FilesTotal, 1);
    assert_hr_equal(IBackgroundCopyJob_Resume(job), S_OK);
    assert_true(ct_wait_state(job, BG_JOB_STATE_TRANSFERRED));
    assert_hr_equal(IBackgroundCopyJob_GetProgress(job, &p), S_OK);
    assert_true(p.BytesTotal == 5000 && p.BytesTransferred == 5000);
    assert_int_equal(p.FilesTransferred, 1);
    assert_hr_equal(IBackgroundCopyJob_Complete(job), S_OK);
    IBackgroundCopyJob_Release(job);
    IBackgroundCopyManager_Release(manager);
}

#ifndef E_NOT_SET
#define E_NOT_SET HRESULT_FROM_WIN32(ERROR_NOT_FOUND)
#endif

static IBackgroundCopyFile *first_file(IBackgroundCopyJob *job)
{
    IEnumBackgroundCopyFiles *files;
    IBackgroundCopyFile *file = NULL;
    assert_hr_equal(IBackgroundCopyJob_EnumFiles(job, &files), S_OK);
    assert_hr_equal(IEnumBackgroundCopyFiles_Next(files, 1, &file, NULL), S_OK);
    IEnumBackgroundCopyFiles_Release(files);
    return file;
}

/* IDeliveryOptimizationFile::GetStats: without peers every byte is the
 * origin server's and every peer count zero (DownloadMode_Simple);
 * IDeliveryOptimizationFile2: DownloadSinkFilePath and TotalSizeBytes. A
 * BITS job's file has neither interface. */
static void test_do_file_stats_and_properties(void **state)
{
    IBackgroundCopyManager *manager = do_manager(), *bits = bits_manager();
    IBackgroundCopyJob *job = do_job(manager), *plain = ct_create_job(bits, L"bits", BG_JOB_TYPE_DOWNLOAD, NULL);
    const WCHAR *local = ts_path(L"stats.bin");
    IDeliveryOptimizationFile *stats = NULL;
    IDeliveryOptimizationFile2 *props;
    IBackgroundCopyFile *file;
    DOSwarmStats s;
    VARIANT v;

    assert_hr_equal(IBackgroundCopyJob_AddFile(plain, ts_http_url("/data/10"), ts_path(L"plain.bin")), S_OK);
    file = first_file(plain);
    assert_hr_equal(IBackgroundCopyFile_QueryInterface(file, &IID_IDeliveryOptimizationFile, (void **)&stats),
                    E_NOINTERFACE);
    IBackgroundCopyFile_Release(file);
    ct_cancel(plain);

    assert_hr_equal(IBackgroundCopyJob_AddFile(job, ts_http_url("/data/70000"), local), S_OK);
    file = first_file(job);
    assert_hr_equal(IBackgroundCopyFile_QueryInterface(file, &IID_IDeliveryOptimizationFile, (void **)&stats), S_OK);
    assert_hr_equal(IBackgroundCopyFile_QueryInterface(file, &IID_IDeliveryOptimizationFile2, (void **)&props), S_OK);
    assert_hr_equal(IDeliveryOptimizationFile_GetStats(stats, &s), S_OK);
    assert_true(s.fileSize == DO_UNKNOWN_FILE_SIZE && s.totalBytesDownloaded == 0);
    assert_int_equal(s.status, SwarmStatus_Paused); /* SUSPENDED */
    assert_int_equal(wcscmp(s.fileId, L""), 0); /* added by AddFile: no DO file id */
    assert_int_equal(wcscmp(s.sourceURL, ts_http_url("/data/70000")), 0);
    CoTaskMemFree(s.fileId);
    CoTaskMemFree(s.sourceURL);
    assert_hr_equal(IDeliveryOptimizationFile2_GetProperty(props, DOFilePropertyId_TotalSizeBytes, &v), E_NOT_SET);
    assert_hr_equal(IDeliveryOptimizationFile2_GetProperty(props, DOFilePropertyId_DownloadSinkFilePath, &v), S_OK);
    assert_int_equal(V_VT(&v), VT_BSTR);
    assert_int_equal(wcscmp(V_BSTR(&v), local), 0);
    assert_hr_equal(IDeliveryOptimizationFile2_SetProperty(props, DOFilePropertyId_DownloadSinkFilePath, &v), S_OK);
    VariantClear(&v);
    V_VT(&v) = VT_BSTR;
    V_BSTR(&v) = SysAllocString(ts_path(L"elsewhere.bin"));
    assert_hr_equal(IDeliveryOptimizationFile2_SetProperty(props, DOFilePropertyId_DownloadSinkFilePath, &v),
                    DO_E_INVALID_STATE);
    assert_hr_equal(IDeliveryOptimizationFile2_SetProperty(props, DOFilePropertyId_DecryptionInfo, &v),
                    DO_E_UNKNOWN_PROPERTY_ID);
    VariantClear(&v);
    assert_hr_equal(IDeliveryOptimizationFile2_GetProperty(props, DOFilePropertyId_IntegrityCheckInfo, &v),
                    DO_E_UNKNOWN_PROPERTY_ID);

    assert_hr_equal(IBackgroundCopyJob_Resume(job), S_OK);
    assert_true(ct_wait_state(job, BG_JOB_STATE_TRANSFERRED));
    assert_hr_equal(IDeliveryOptimizationFile_GetStats(stats, &s), S_OK);
    assert_true(s.fileSize == 70000 && s.totalBytesDownloaded == 70000 && s.bytesFromHttp == 70000);
    assert_true(s.bytesFromLanPeers == 0 && s.bytesFromGroupPeers == 0 && s.bytesFromInternetPeers == 0 &&
                s.bytesToLanPeers == 0 && s.bytesToGroupPeers == 0 && s.bytesToInternetPeers == 0 &&
                s.lanConnectionCount == 0 && s.groupConnectionCount == 0 && s.internetConnectionCount == 0);
    assert_int_equal(s.downloadMode, DownloadMode_Simple);
    assert_int_equal(s.status, SwarmStatus_Complete);
    assert_true(s.isBackground); /* NORMAL priority */
    CoTaskMemFree(s.fileId);
    CoTaskMemFree(s.sourceURL);
    assert_hr_equal(IDeliveryOptimizationFile2_GetProperty(props, DOFilePropertyId_TotalSizeBytes, &v), S_OK);
    assert_true(V_VT(&v) == VT_UI8 && V_UI8(&v) == 70000);
    assert_hr_equal(IBackgroundCopyJob_Complete(job), S_OK);
    IDeliveryOptimizationFile2_Release(props);
    IDeliveryOptimizationFile_Release(stats);
    IBackgroundCopyFile_Release(file);
    IBackgroundCopyJob_Release(job);
    IBackgroundCopyManager_Release(bits);
    IBackgroundCopyManager_Release(manager);
}

/* ---- IDOManager / IDODownload ---- */

static DO_DOWNLOAD_STATUS status_of(IDODownload *download)
{
    DO_DOWNLOAD_STATUS status;
    assert_hr_equal(IDODownload_GetStatus(download, &status), S_OK);
    return status;
}

static BOOL wait_download(IDODownload *download, DODownloadState wanted)
{
    ULONGLONG until = GetTickCount64() + 30000;
    while (status_of(download).State != wanted && GetTickCount64() < until) Sleep(5);
    return status_of(download).State == wanted;
}

static void set_bstr(IDODownload *download, DODownloadProperty id, const WCHAR *text, HRESULT expected)
{
    VARIANT v;
    V_VT(&v) = VT_BSTR;
    V_BSTR(&v) = SysAllocString(text);
    assert_hr_equal(IDODownload_SetProperty(download, id, &v), expected);
    VariantClear(&v);
}

static void set_ui4(IDODownload *download, DODownloadProperty id, ULONG value, HRESULT expected)
{
    VARIANT v;
    V_VT(&v) = VT_UI4;
    V_UI4(&v) = value;
    assert_hr_equal(IDODownload_SetProperty(download, id, &v), expected);
}

static void set_bool(IDODownload *download, DODownloadProperty id, BOOL value, HRESULT expected)
{
    VARIANT v;
    V_VT(&v) = VT_BOOL;
    V_BOOL(&v) = value ? VARIANT_TRUE : VARIANT_FALSE;
    assert_hr_equal(IDODownload_SetProperty(download, id, &v), expected);
}

static void check_bstr(IDODownload *download, DODownloadProperty id, const WCHAR *expected)
{
    VARIANT v;
    assert_hr_equal(IDODownload_GetProperty(download, id, &v), S_OK);
    assert_int_equal(V_VT(&v), VT_BSTR);
    if (wcscmp(V_BSTR(&v), expected)) fail_msg("property %d is \"%ls\", expected \"%ls\"", id, V_BSTR(&v), expected);
    VariantClear(&v);
}

static IDODownload *new_download(IDOManager *manager, const char *url, const WCHAR *local)
{
    IDODownload *download = NULL;
    assert_hr_equal(IDOManager_CreateDownload(manager, &download), S_OK);
    assert_non_null(download);
    if (url) set_bstr(download, DODownloadProperty_Uri, ts_http_url(url), S_OK);
    if (local) set_bstr(download, DODownloadProperty_LocalPath, local, S_OK);
    return download;
}

/* Created -> Transferring -> Transferred -> Finalized, with the documented
 * answers of every method on the way. */
static void test_download_lifecycle(void **state)
{
    IDOManager *manager = dom();
    IDODownload *download = new_download(manager, NULL, NULL);
    DO_DOWNLOAD_STATUS s;
    VARIANT v;
    GUID id;

    s = status_of(download);
    assert_int_equal(s.State, DODownloadState_Created);
    assert_true(s.BytesTotal == 0 && s.BytesTransferred == 0 && s.Error == S_OK);
    /* Id: read-only, a GUID string */
    assert_hr_equal(IDODownload_GetProperty(download, DODownloadProperty_Id, &v), S_OK);
    assert_int_equal(V_VT(&v), VT_BSTR);
    assert_hr_equal(CLSIDFromString(V_BSTR(&v), &id), S_OK);
    VariantClear(&v);
    set_bstr(download, DODownloadProperty_Id, L"{00000000-0000-0000-0000-000000000000}", DO_E_READ_ONLY_PROPERTY);
    assert_hr_equal(IDODownload_GetProperty(download, (DODownloadProperty)1000, &v), DO_E_UNKNOWN_PROPERTY_ID);
    set_ui4(download, (DODownloadProperty)1000, 1, DO_E_UNKNOWN_PROPERTY_ID);
    /* nothing runs yet */
    assert_hr_equal(IDODownload_Pause(download), DO_E_INVALID_STATE);
    assert_hr_equal(IDODownload_Finalize(download), DO_E_INVALID_STATE);
    /* LocalPath is required (no stream given) */
    set_bstr(download, DODownloadProperty_Uri, ts_http_url("/data/200000"), S_OK);
    assert_hr_equal(IDODownload_Start(download, NULL), DO_E_LOCALPATH_NOT_SET);
    set_bstr(download, DODownloadProperty_LocalPath, ts_path(L"lifecycle.bin"), S_OK);
    set_bstr(download, DODownloadProperty_DisplayName, L"lifecycle", S_OK);
    check_bstr(download, DODownloadProperty_DisplayName, L"lifecycle");
    check_bstr(download, DODownloadProperty_Uri, ts_http_url("/data/200000"));

    assert_hr_equal(IDODownload_Start(download, NULL), S_OK);
    assert_int_not_equal(status_of(download).State, DODownloadState_Created);
    /* the file is the job's now: Uri and LocalPath no longer change */
    set_bstr(download, DODownloadProperty_Uri, ts_http_url("/data/10"), DO_E_INVALID_STATE);
    check_bstr(download, DODownloadProperty_LocalPath, ts_path(L"lifecycle.bin"));
    assert_true(wait_download(download, DODownloadState_Transferred));
    s = status_of(download);
    assert_true(s.BytesTotal == 200000 && s.BytesTransferred == 200000 && s.Error == S_OK);
    assert_false(ts_file_exists(ts_path(L"lifecycle.bin"))); /* until Finalize */
    assert_hr_equal(IDODownload_Start(download, NULL), S_OK); /* nothing more to transfer */
    assert_hr_equal(IDODownload_Finalize(download), S_OK);
    assert_int_equal(status_of(download).State, DODownloadState_Finalized);
    assert_true(ts_file_has_pattern(ts_path(L"lifecycle.bin"), 200000));
    /* "Once finalized, a download cannot be resumed by calling Start" */
    assert_hr_equal(IDODownload_Start(download, NULL), DO_E_INVALID_STATE);
    assert_hr_equal(IDODownload_Finalize(download), DO_E_INVALID_STATE);
    set_bstr(download, DODownloadProperty_DisplayName, L"late", DO_E_INVALID_STATE);
    IDODownload_Release(download);
    IDOManager_Release(manager);
}

/* Pause, then Start resumes from where it stopped; Abort ends it and
 * leaves no file. */
static void test_download_pause_and_abort(void **state)
{
    IDOManager *manager = dom();
    IDODownload *download = new_download(manager, "/data/300000?rate=300000", ts_path(L"paused.bin"));
    DO_DOWNLOAD_STATUS s;
    ULONGLONG until = GetTickCount64() + 30000;

    assert_int_equal(ts_count_files(L"BIT*.tmp"), 0);
    assert_hr_equal(IDODownload_Start(download, NULL), S_OK);
    while (status_of(download).BytesTransferred == 0 && GetTickCount64() < until) Sleep(5);
    assert_hr_equal(IDODownload_Pause(download), S_OK);
    s = status_of(download);
    assert_int_equal(s.State, DODownloadState_Paused);
    assert_true(s.BytesTransferred > 0 && s.BytesTransferred < 300000);
    assert_hr_equal(IDODownload_Pause(download), S_OK); /* already paused */
    assert_hr_equal(IDODownload_Start(download, NULL), S_OK);
    assert_int_equal(status_of(download).State, DODownloadState_Transferring);
    assert_true(status_of(download).BytesTransferred >= s.BytesTransferred); /* resumed, not restarted */
    assert_hr_equal(IDODownload_Abort(download), S_OK);
    assert_int_equal(status_of(download).State, DODownloadState_Aborted);
    assert_hr_equal(IDODownload_Start(download, NULL), DO_E_INVALID_STATE);
    assert_hr_equal(IDODownload_Pause(download), DO_E_INVALID_STATE);
    assert_hr_equal(IDODownload_Abort(download), DO_E_INVALID_STATE);
    assert_false(ts_file_exists(ts_path(L"paused.bin")));
    /* the temporary file goes (once the worker in flight has let go of it) */
    until = GetTickCount64() + 10000;
    while (ts_count_files(L"BIT*.tmp") && GetTickCount64() < until) Sleep(20);
    assert_int_equal(ts_count_files(L"BIT*.tmp"), 0);
    IDODownload_Release(download);
    IDOManager_Release(manager);
}

/* BlockingMode: Start returns once the download is transferred; an HTTP
 * error leaves it Paused with the error in the status. */
static void test_download_blocking_and_error(void **state)
{
    IDOManager *manager = dom();
    IDODownload *download = new_download(manager, "/data/100000?rate=400000", ts_path(L"blocking.bin")),
                *missing = new_download(manager, "/data/10?status=404", ts_path(L"missing.bin"));
    DO_DOWNLOAD_STATUS s;
    VARIANT v;

    set_bool(download, DODownloadProperty_BlockingMode, TRUE, S_OK);
    assert_hr_equal(IDODownload_GetProperty(download, DODownloadProperty_BlockingMode, &v), S_OK);
    assert_true(V_VT(&v) == VT_BOOL && V_BOOL(&v) == VARIANT_TRUE);
    assert_hr_equal(IDODownload_Start(download, NULL), S_OK);
    s = status_of(download);
    assert_int_equal(s.State, DODownloadState_Transferred);
    assert_true(s.BytesTransferred == 100000);
    assert_hr_equal(IDODownload_Finalize(download), S_OK);
    assert_true(ts_file_has_pattern(ts_path(L"blocking.bin"), 100000));

    set_bool(missing, DODownloadProperty_BlockingMode, TRUE, S_OK);
    assert_hr_equal(IDODownload_Start(missing, NULL), BG_E_HTTP_ERROR_404);
    s = status_of(missing);
    assert_int_equal(s.State, DODownloadState_Paused);
    assert_hr_equal(s.Error, BG_E_HTTP_ERROR_404); /* HTTP_E_STATUS_NOT_FOUND */
    assert_hr_equal(IDODownload_Abort(missing), S_OK);
    IDODownload_Release(missing);
    IDODownload_Release(download);
    IDOManager_Release(manager);
}

/* LocalPath: "If the path does not exist, Delivery Optimization will
 * attempt to create it under the caller's privileges". */
static void test_download_creates_directories(void **state)
{
    const WCHAR *dir = ts_path(L"made"), *local = ts_path(L"made\\deeper\\made.bin");
    IDOManager *manager = dom();
    IDODownload *download = new_download(manager, "/data/3000", local);

    assert_false(ts_file_exists(dir));
    set_bool(download, DODownloadProperty_BlockingMode, TRUE, S_OK);
    assert_hr_equal(IDODownload_Start(download, NULL), S_OK);
    assert_hr_equal(IDODownload_Finalize(download), S_OK);
    assert_true(ts_file_has_pattern(local, 3000));
    IDODownload_Release(download);
    IDOManager_Release(manager);
}

/* The properties that make sense without peers: their types and limits. */
static void test_download_properties(void **state)
{
    IDOManager *manager = dom();
    IDODownload *download = new_download(manager, "/data/10", ts_path(L"props.bin"));
    VARIANT v;

    assert_hr_equal(IDODownload_GetProperty(download, DODownloadProperty_CallbackFreqSeconds, &v), S_OK);
    assert_true(V_VT(&v) == VT_UI4 && V_UI4(&v) == 1); /* "The default is every one second" */
    assert_hr_equal(IDODownload_GetProperty(download, DODownloadProperty_ForegroundPriority, &v), S_OK);
    assert_true(V_VT(&v) == VT_BOOL && V_BOOL(&v) == VARIANT_FALSE); /* "The default is background priority" */
    assert_hr_equal(IDODownload_GetProperty(download, DODownloadProperty_NoProgressTimeoutSeconds, &v), S_OK);
    assert_true(V_VT(&v) == VT_UI4 && V_UI4(&v) == 86400);
    set_bool(download, DODownloadProperty_ForegroundPriority, TRUE, S_OK);
    assert_hr_equal(IDODownload_GetProperty(download, DODownloadProperty_ForegroundPriority, &v), S_OK);
    assert_true(V_BOOL(&v) == VARIANT_TRUE);
    assert_hr_equal(IDODownload_GetProperty(download, DODownloadProperty_NoProgressTimeoutSeconds, &v), S_OK);
    assert_int_equal(V_UI4(&v), 3600); /* the foreground default */
    /* "The minimum accepted value is 60 seconds" */
    set_ui4(download, DODownloadProperty_NoProgressTimeoutSeconds, 59, E_INVALIDARG);
    set_ui4(download, DODownloadProperty_NoProgressTimeoutSeconds, 60, S_OK);
    assert_hr_equal(IDODownload_GetProperty(download, DODownloadProperty_NoProgressTimeoutSeconds, &v), S_OK);
    assert_int_equal(V_UI4(&v), 60);
    set_ui4(download, DODownloadProperty_CallbackFreqSeconds, 5, S_OK);
    set_ui4(download, DODownloadProperty_CallbackFreqPercent, 10, S_OK);
    assert_hr_equal(IDODownload_GetProperty(download, DODownloadProperty_CallbackFreqPercent, &v), S_OK);
    assert_int_equal(V_UI4(&v), 10);
    set_ui4(download, DODownloadProperty_CostPolicy, DODownloadCostPolicy_NoCellular, S_OK);
    set_ui4(download, DODownloadProperty_CostPolicy, DODownloadCostPolicy_NoCellular + 1, E_INVALIDARG);
    set_bool(download, DODownloadProperty_NonVolatile, TRUE, S_OK);
    assert_hr_equal(IDODownload_GetProperty(download, DODownloadProperty_NonVolatile, &v), S_OK);
    assert_true(V_BOOL(&v) == VARIANT_TRUE);
    /* the wrong VARIANT type */
    set_bool(download, DODownloadProperty_CallbackFreqSeconds, TRUE, E_INVALIDARG);
    set_ui4(download, DODownloadProperty_Uri, 1, E_INVALIDARG);
    /* no DO cloud service to resolve a content id */
    set_bstr(download, DODownloadProperty_ContentId, L"content", DO_E_NO_SERVICE);
    assert_hr_equal(IDODownload_Abort(download), S_OK);
    IDODownload_Release(download);
    IDOManager_Release(manager);
}

/* HttpCustomHeaders and HttpCustomAuthHeaders go with every request (the
 * server's /stats lists them); the auth headers are never read back.
 * SecurityFlags takes WinHTTP's flags DO lists; the secure-to-non-secure
 * redirect switch reads back. */
static void test_download_http_properties(void **state)
{
    IDOManager *manager = dom();
    IDODownload *download = new_download(manager, "/data/2000?tag=do-headers", ts_path(L"headers.bin"));
    DWORD size;
    BYTE *stats;
    VARIANT v;

    set_bstr(download, DODownloadProperty_HttpCustomHeaders, L"X-DO-Custom: 1\r\n", S_OK);
    set_bstr(download, DODownloadProperty_HttpCustomAuthHeaders, L"X-DO-Auth: token\r\n", S_OK);
    check_bstr(download, DODownloadProperty_HttpCustomHeaders, L"X-DO-Custom: 1\r\n");
    assert_hr_equal(IDODownload_GetProperty(download, DODownloadProperty_HttpCustomAuthHeaders, &v), E_ACCESSDENIED);
    set_ui4(download, DODownloadProperty_SecurityFlags, 0x100 | 0x2000, S_OK); /* IGNORE_UNKNOWN_CA, CERT_DATE */
    set_ui4(download, DODownloadProperty_SecurityFlags, 0x4, E_INVALIDARG);   /* not one DO lists */
    assert_hr_equal(IDODownload_GetProperty(download, DODownloadProperty_SecurityFlags, &v), S_OK);
    assert_true(V_VT(&v) == VT_UI4 && V_UI4(&v) == (0x100 | 0x2000));
    set_bool(download, DODownloadProperty_HttpAllowSecureToNonSecureRedirect, TRUE, S_OK);
    assert_hr_equal(IDODownload_GetProperty(download, DODownloadProperty_HttpAllowSecureToNonSecureRedirect, &v), S_OK);
    assert_true(V_VT(&v) == VT_BOOL && V_BOOL(&v) == VARIANT_TRUE);
    set_bool(download, DODownloadProperty_BlockingMode, TRUE, S_OK);
    assert_hr_equal(IDODownload_Start(download, NULL), S_OK);
    assert_hr_equal(IDODownload_Finalize(download), S_OK);
    stats = ts_http_get(ts_http_url("/stats"), &size);
    assert_non_null(stats);
    if (!strstr((char *)stats, "GET /data/2000?tag=do-headers|X-DO-Custom: 1") ||
        !strstr((char *)stats, "GET /data/2000?tag=do-headers|X-DO-Auth: token"))
        fail_msg("the headers did not reach the server: %.2000s", (char *)stats);
    free(stats);
    IDODownload_Release(download);
    IDOManager_Release(manager);
}

/* EnumDownloads: the caller's live downloads, all or by category. */
static ULONG enum_count(IDOManager *manager, const DO_DOWNLOAD_ENUM_CATEGORY *category)
{
    IEnumUnknown *downloads;
    IUnknown *item;
    ULONG count = 0;

    assert_hr_equal(IDOManager_EnumDownloads(manager, category, &downloads), S_OK);
    while (IEnumUnknown_Next(downloads, 1, &item, NULL) == S_OK)
    {
        IDODownload *download;
        assert_hr_equal(IUnknown_QueryInterface(item, &IID_IDODownload, (void **)&download), S_OK);
        IDODownload_Release(download);
        IUnknown_Release(item);
        count++;
    }
    IEnumUnknown_Release(downloads);
    return count;
}

static void test_enum_downloads(void **state)
{
    IDOManager *manager = dom();
    IDODownload *a = new_download(manager, "/data/10?tag=enum-a", ts_path(L"a.bin")),
                *b = new_download(manager, "/data/10?tag=enum-b", ts_path(L"b.bin"));
    DO_DOWNLOAD_ENUM_CATEGORY category;
    IEnumUnknown *downloads = NULL;
    VARIANT id;

    assert_int_equal(enum_count(manager, NULL), 2);
    category.Property = DODownloadProperty_Uri;
    category.Value = ts_http_url("/data/10?tag=enum-b");
    assert_int_equal(enum_count(manager, &category), 1);
    assert_hr_equal(IDODownload_GetProperty(a, DODownloadProperty_Id, &id), S_OK);
    category.Property = DODownloadProperty_Id;
    category.Value = V_BSTR(&id);
    assert_int_equal(enum_count(manager, &category), 1);
    VariantClear(&id);
    category.Property = DODownloadProperty_CostPolicy; /* not one of the documented categories */
    category.Value = L"0";
    assert_hr_equal(IDOManager_EnumDownloads(manager, &category, &downloads), E_INVALIDARG);
    assert_hr_equal(IDODownload_Abort(a), S_OK);
    assert_int_equal(enum_count(manager, NULL), 1);
    assert_hr_equal(IDODownload_Abort(b), S_OK);
    assert_int_equal(enum_count(manager, NULL), 0);
    IDODownload_Release(a);
    IDODownload_Release(b);
    IDOManager_Release(manager);
}

/* IDODownloadStatusCallback: OnStatusChange hears every new state, the
 * download it is about, and the final Transferred status. */
typedef struct status_callback {
    IDODownloadStatusCallback iface;
    LONG refs;
    LONG calls;
    LONG transferred;      /* calls with State Transferred and every byte */
    LONG transferring;
    LONG wrong_download;
    IDODownload *expected;
} status_callback;

static status_callback *impl_cb(IDODownloadStatusCallback *iface)
{
    return CONTAINING_RECORD(iface, status_callback, iface);
}

static HRESULT WINAPI cb_QueryInterface(IDODownloadStatusCallback *iface, REFIID iid, void **out)
{
    if (IsEqualIID(iid, &IID_IUnknown) || IsEqualIID(iid, &IID_IDODownloadStatusCallback))
    {
        *out = iface;
        IDODownloadStatusCallback_AddRef(iface);
        return S_OK;
    }
    *out = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI cb_AddRef(IDODownloadStatusCallback *iface)
{
    return InterlockedIncrement(&impl_cb(iface)->refs);
}

static ULONG WINAPI cb_Release(IDODownloadStatusCallback *iface)
{
    return InterlockedDecrement(&impl_cb(iface)->refs);
}

static HRESULT WINAPI cb_OnStatusChange(IDODownloadStatusCallback *iface, IDODownload *download,
                                        const DO_DOWNLOAD_STATUS *status)
{
    status_callback *self = impl_cb(iface);
    VARIANT a, b;

    if (SUCCEEDED(IDODownload_GetProperty(download, DODownloadProperty_Id, &a)))
    {
        if (SUCCEEDED(IDODownload_GetProperty(self->expected, DODownloadProperty_Id, &b)))
        {
            if (wcscmp(V_BSTR(&a), V_BSTR(&b))) InterlockedIncrement(&self->wrong_download);
            VariantClear(&b);
        }
        VariantClear(&a);
    }
    if (status->State == DODownloadState_Transferring) InterlockedIncrement(&self->transferring);
    if (status->State == DODownloadState_Transferred && status->BytesTransferred == 50000 &&
        status->BytesTotal == 50000)
        InterlockedIncrement(&self->transferred);
    InterlockedIncrement(&self->calls);
    return S_OK;
}

static const IDODownloadStatusCallbackVtbl cb_vtbl = { cb_QueryInterface, cb_AddRef, cb_Release, cb_OnStatusChange };

static void test_status_callback(void **state)
{
    IDOManager *manager = dom();
    IDODownload *download = new_download(manager, "/data/50000?rate=100000", ts_path(L"callback.bin"));
    static status_callback cb; /* a proxy in the host may let go of it late */
    ULONGLONG until = GetTickCount64() + 30000;
    VARIANT v;

    memset(&cb, 0, sizeof(cb));
    cb.iface.lpVtbl = (IDODownloadStatusCallbackVtbl *)&cb_vtbl;
    cb.refs = 1;
    cb.expected = download;
    V_VT(&v) = VT_UNKNOWN;
    V_UNKNOWN(&v) = (IUnknown *)&cb.iface;
    assert_hr_equal(IDODownload_SetProperty(download, DODownloadProperty_CallbackInterface, &v), S_OK);
    assert_hr_equal(IDODownload_GetProperty(download, DODownloadProperty_CallbackInterface, &v), S_OK);
    assert_int_equal(V_VT(&v), VT_UNKNOWN);
    assert_non_null(V_UNKNOWN(&v));
    VariantClear(&v);
    assert_hr_equal(IDODownload_Start(download, NULL), S_OK);
    while (!cb.transferred && GetTickCount64() < until) Sleep(10);
    assert_int_equal(cb.transferred, 1);
    assert_true(cb.transferring >= 1);
    assert_int_equal(cb.wrong_download, 0);
    assert_hr_equal(IDODownload_Finalize(download), S_OK);
    IDODownload_Release(download);
    IDOManager_Release(manager);
    /* in process every reference DO took is given back; through the host the
     * references are COM's (Wine's stub keeps the public references of a
     * proxy the host held in its Global Interface Table), not ours to count */
    if (!through_host)
    {
        /* a notifier thread may still be finishing its last call: given back soon */
        until = GetTickCount64() + 5000;
        while (InterlockedCompareExchange(&cb.refs, 0, 0) != 1 && GetTickCount64() < until) Sleep(10);
        assert_int_equal(cb.refs, 1);
    }
}

/* After every test: nothing of DO's left behind (jobs or downloads). */
static int do_teardown(void **state)
{
    IBackgroundCopyManager *manager;
    IEnumBackgroundCopyJobs *jobs;
    IBackgroundCopyJob *job;
    IEnumUnknown *downloads;
    IUnknown *item;
    IDOManager *dm;
    ULONG left = 0;

    if (SUCCEEDED(CoCreateInstance(&CLSID_DeliveryOptimization, NULL, context(), &IID_IDOManager, (void **)&dm)))
    {
        if (SUCCEEDED(IDOManager_EnumDownloads(dm, NULL, &downloads)))
        {
            while (IEnumUnknown_Next(downloads, 1, &item, NULL) == S_OK)
            {
                IDODownload *download;
                if (SUCCEEDED(IUnknown_QueryInterface(item, &IID_IDODownload, (void **)&download)))
                {
                    IDODownload_Abort(download);
                    IDODownload_Release(download);
                }
                IUnknown_Release(item);
                left++;
            }
            IEnumUnknown_Release(downloads);
        }
        if (SUCCEEDED(IDOManager_QueryInterface(dm, &IID_IBackgroundCopyManager, (void **)&manager)))
        {
            if (SUCCEEDED(IBackgroundCopyManager_EnumJobs(manager, 0, &jobs)))
            {
                while (IEnumBackgroundCopyJobs_Next(jobs, 1, &job, NULL) == S_OK)
                {
                    IBackgroundCopyJob_Cancel(job);
                    IBackgroundCopyJob_Release(job);
                    left++;
                }
                IEnumBackgroundCopyJobs_Release(jobs);
            }
            IBackgroundCopyManager_Release(manager);
        }
        IDOManager_Release(dm);
    }
    left += ct_cancel_all();
    if (left) print_error("%lu DO job(s) or download(s) were left behind\n", left);
    return left ? -1 : 0;
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_activation_and_identity, do_teardown),
        cmocka_unit_test_teardown(test_only_download_jobs, do_teardown),
        cmocka_unit_test_teardown(test_no_progress_timeout_defaults, do_teardown),
        cmocka_unit_test_teardown(test_notify_flags, do_teardown),
        cmocka_unit_test_teardown(test_do_error_codes, do_teardown),
        cmocka_unit_test_teardown(test_connecting_never_reported, do_teardown),
        cmocka_unit_test_teardown(test_error_contexts, do_teardown),
        cmocka_unit_test_teardown(test_get_progress, do_teardown),
        cmocka_unit_test_teardown(test_do_file_stats_and_properties, do_teardown),
        cmocka_unit_test_teardown(test_download_lifecycle, do_teardown),
        cmocka_unit_test_teardown(test_download_pause_and_abort, do_teardown),
        cmocka_unit_test_teardown(test_download_blocking_and_error, do_teardown),
        cmocka_unit_test_teardown(test_download_creates_directories, do_teardown),
        cmocka_unit_test_teardown(test_download_properties, do_teardown),
        cmocka_unit_test_teardown(test_download_http_properties, do_teardown),
        cmocka_unit_test_teardown(test_enum_downloads, do_teardown),
        cmocka_unit_test_teardown(test_status_callback, do_teardown),
    };
    through_host = argc > 1 && !strcmp(argv[1], "host");
    return cmocka_run_group_tests(tests, ct_group_setup, ct_group_teardown);
}
