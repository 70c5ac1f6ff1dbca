/* IBackgroundCopyJob through COM: every method, its defaults and its
 * documented return codes for jobs that have not transferred (there is no
 * transfer engine yet).  Sources: bits-semantics.md 1.1-1.10 and Microsoft's
 * IBackgroundCopyJob reference pages. */
#include "com_test_util.h"
#include <sddl.h>

#define REMOTE L"http://127.0.0.1:9/openbits-test.bin"

/* ---- a minimal IUnknown to hand to SetNotifyInterface ---- */

typedef struct sink {
    IUnknown IUnknown_iface;
    LONG refs;
} sink;

static HRESULT WINAPI sink_QueryInterface(IUnknown *iface, REFIID iid, void **out)
{
    if (IsEqualIID(iid, &IID_IUnknown))
    {
        *out = iface;
        IUnknown_AddRef(iface);
        return S_OK;
    }
    *out = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI sink_AddRef(IUnknown *iface)
{
    return InterlockedIncrement(&CONTAINING_RECORD(iface, sink, IUnknown_iface)->refs);
}

static ULONG WINAPI sink_Release(IUnknown *iface)
{
    return InterlockedDecrement(&CONTAINING_RECORD(iface, sink, IUnknown_iface)->refs);
}

static IUnknownVtbl sink_vtbl = { sink_QueryInterface, sink_AddRef, sink_Release };

static void sink_init(sink *s)
{
    s->IUnknown_iface.lpVtbl = &sink_vtbl;
    s->refs = 1;
}

/* ---- helpers ---- */

static IBackgroundCopyJob *new_job(BG_JOB_TYPE type)
{
    IBackgroundCopyManager *manager = ct_manager();
    IBackgroundCopyJob *job = ct_create_job(manager, L"job test", type, NULL);
    IBackgroundCopyManager_Release(manager);
    return job;
}

/* A download job with one file that has not been transferred. */
static IBackgroundCopyJob *new_download_with_file(const WCHAR *local_name)
{
    IBackgroundCopyJob *job = new_job(BG_JOB_TYPE_DOWNLOAD);
    assert_hr_equal(IBackgroundCopyJob_AddFile(job, REMOTE, ts_path(local_name)), S_OK);
    return job;
}

/* An upload (or upload-reply) job with its one existing local file. */
static IBackgroundCopyJob *new_upload_with_file(BG_JOB_TYPE type, const WCHAR *local_name)
{
    IBackgroundCopyJob *job = new_job(type);
    ts_write_file(ts_path(local_name), "upload", 6);
    assert_hr_equal(IBackgroundCopyJob_AddFile(job, L"http://127.0.0.1:9/upload", ts_path(local_name)), S_OK);
    return job;
}

static ULONGLONG filetime64(FILETIME ft)
{
    return ((ULONGLONG)ft.dwHighDateTime << 32) | ft.dwLowDateTime;
}

static WCHAR *process_user_sid(void)
{
    BYTE buffer[256];
    TOKEN_USER *user = (TOKEN_USER *)buffer;
    DWORD size;
    HANDLE token;
    WCHAR *sid = NULL;

    assert_true(OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token));
    assert_true(GetTokenInformation(token, TokenUser, buffer, sizeof(buffer), &size));
    assert_true(ConvertSidToStringSidW(user->User.Sid, &sid));
    CloseHandle(token);
    return sid; /* LocalFree */
}

/* ---- defaults ---- */

static void test_defaults(void **state)
{
    IBackgroundCopyJob *job = new_job(BG_JOB_TYPE_DOWNLOAD);
    BG_JOB_PRIORITY priority;
    BG_JOB_PROXY_USAGE usage;
    IUnknown *notify = (IUnknown *)0xdeadbeef;
    WCHAR *list = (WCHAR *)0xdeadbeef, *bypass = (WCHAR *)0xdeadbeef, *text;
    ULONG value;

    assert_int_equal(ct_state(job), BG_JOB_STATE_SUSPENDED);
    assert_hr_equal(IBackgroundCopyJob_GetPriority(job, &priority), S_OK);
    assert_int_equal(priority, BG_JOB_PRIORITY_NORMAL);
    assert_hr_equal(IBackgroundCopyJob_GetNotifyFlags(job, &value), S_OK);
    assert_int_equal(value, BG_NOTIFY_JOB_TRANSFERRED | BG_NOTIFY_JOB_ERROR);
    assert_hr_equal(IBackgroundCopyJob_GetNotifyInterface(job, &notify), S_OK);
    assert_null(notify);
    assert_hr_equal(IBackgroundCopyJob_GetMinimumRetryDelay(job, &value), S_OK);
    assert_int_equal(value, 600);
    assert_hr_equal(IBackgroundCopyJob_GetNoProgressTimeout(job, &value), S_OK);
    assert_int_equal(value, 1209600);
    assert_hr_equal(IBackgroundCopyJob_GetErrorCount(job, &value), S_OK);
    assert_int_equal(value, 0);
    assert_hr_equal(IBackgroundCopyJob_GetProxySettings(job, &usage, &list, &bypass), S_OK);
    assert_int_equal(usage, BG_JOB_PROXY_USAGE_PRECONFIG);
    assert_null(list);
    assert_null(bypass);
    assert_hr_equal(IBackgroundCopyJob_GetDescription(job, &text), S_OK);
    ct_check_string(text, L"");
    assert_hr_equal(IBackgroundCopyJob_GetDisplayName(job, &text), S_OK);
    ct_check_string(text, L"job test");
    ct_cancel(job);
}

static void test_getters_reject_null(void **state)
{
    IBackgroundCopyJob *job = new_download_with_file(L"null.bin");
    BG_JOB_PROXY_USAGE usage;
    WCHAR *list, *bypass;

    assert_hr_equal(IBackgroundCopyJob_AddFileSet(job, 1, NULL), E_INVALIDARG);
    assert_hr_equal(IBackgroundCopyJob_EnumFiles(job, NULL), E_INVALIDARG);
    assert_hr_equal(IBackgroundCopyJob_GetId(job, NULL), E_INVALIDARG);
    assert_hr_equal(IBackgroundCopyJob_GetType(job, NULL), E_INVALIDARG);
    assert_hr_equal(IBackgroundCopyJob_GetProgress(job, NULL), E_INVALIDARG);
    assert_hr_equal(IBackgroundCopyJob_GetTimes(job, NULL), E_INVALIDARG);
    assert_hr_equal(IBackgroundCopyJob_GetState(job, NULL), E_INVALIDARG);
    assert_hr_equal(IBackgroundCopyJob_GetError(job, NULL), E_INVALIDARG);
    assert_hr_equal(IBackgroundCopyJob_GetOwner(job, NULL), E_INVALIDARG);
    assert_hr_equal(IBackgroundCopyJob_GetDisplayName(job, NULL), E_INVALIDARG);
    assert_hr_equal(IBackgroundCopyJob_GetDescription(job, NULL), E_INVALIDARG);
    assert_hr_equal(IBackgroundCopyJob_GetPriority(job, NULL), E_INVALIDARG);
    assert_hr_equal(IBackgroundCopyJob_GetNotifyFlags(job, NULL), E_INVALIDARG);
    assert_hr_equal(IBackgroundCopyJob_GetNotifyInterface(job, NULL), E_INVALIDARG);
    assert_hr_equal(IBackgroundCopyJob_GetMinimumRetryDelay(job, NULL), E_INVALIDARG);
    assert_hr_equal(IBackgroundCopyJob_GetNoProgressTimeout(job, NULL), E_INVALIDARG);
    assert_hr_equal(IBackgroundCopyJob_GetErrorCount(job, NULL), E_INVALIDARG);
    /* GetProxySettings: "E_INVALIDARG: one or more parameters are NULL" */
    assert_hr_equal(IBackgroundCopyJob_GetProxySettings(job, NULL, &list, &bypass), E_INVALIDARG);
    assert_hr_equal(IBackgroundCopyJob_GetProxySettings(job, &usage, NULL, &bypass), E_INVALIDARG);
    assert_hr_equal(IBackgroundCopyJob_GetProxySettings(job, &usage, &list, NULL), E_INVALIDARG);
    ct_cancel(job);
}

/* ---- files ---- */

static void test_add_file(void **state)
{
    IBackgroundCopyJob *job = new_job(BG_JOB_TYPE_DOWNLOAD);
    BG_JOB_PROGRESS progress;
    WCHAR unc[MAX_PATH];

    /* HTTP, HTTPS and SMB (UNC path, file:// prefix) remote names */
    assert_hr_equal(IBackgroundCopyJob_AddFile(job, REMOTE, ts_path(L"one.bin")), S_OK);
    assert_hr_equal(IBackgroundCopyJob_AddFile(job, L"https://example.invalid/two?x=1", ts_path(L"two.bin")), S_OK);
    assert_hr_equal(IBackgroundCopyJob_AddFile(job, L"\\\\server\\share\\three.bin", ts_path(L"three.bin")), S_OK);
    assert_hr_equal(IBackgroundCopyJob_AddFile(job, L"file://server/share/four.bin", ts_path(L"four.bin")), S_OK);
    swprintf(unc, MAX_PATH, L"file://%ls", ts_path(L"source.bin"));
    assert_hr_equal(IBackgroundCopyJob_AddFile(job, unc, ts_path(L"five.bin")), S_OK);
    progress = ct_progress(job);
    assert_int_equal(progress.FilesTotal, 5);
    assert_int_equal(progress.FilesTransferred, 0);
    assert_true(progress.BytesTotal == BG_SIZE_UNKNOWN);
    assert_true(progress.BytesTransferred == 0);
    /* adding files does not start the job */
    assert_int_equal(ct_state(job), BG_JOB_STATE_SUSPENDED);
    ct_cancel(job);
}

static void test_add_file_invalid_names(void **state)
{
    IBackgroundCopyJob *job = new_job(BG_JOB_TYPE_DOWNLOAD);
    WCHAR *long_remote = ct_repeat('a', 2300), *long_local = ct_repeat('b', MAX_PATH + 10);
    WCHAR stream[MAX_PATH];
    const WCHAR *local = ts_path(L"good.bin");

    memcpy(long_remote, L"http://h/", 9 * sizeof(WCHAR)); /* over the 2,200 characters allowed */
    memcpy(long_local, L"C:\\", 3 * sizeof(WCHAR));
    swprintf(stream, MAX_PATH, L"%s:stream", local);

    /* "The local or remote file name is not valid" */
    assert_hr_equal(IBackgroundCopyJob_AddFile(job, NULL, local), E_INVALIDARG);
    assert_hr_equal(IBackgroundCopyJob_AddFile(job, REMOTE, NULL), E_INVALIDARG);
    assert_hr_equal(IBackgroundCopyJob_AddFile(job, L"", local), E_INVALIDARG);
    assert_hr_equal(IBackgroundCopyJob_AddFile(job, L"relative\\remote.bin", local), E_INVALIDARG);
    assert_hr_equal(IBackgroundCopyJob_AddFile(job, long_remote, local), E_INVALIDARG);
    /* named pipes and devices are not supported */
    assert_hr_equal(IBackgroundCopyJob_AddFile(job, L"\\\\.\\pipe\\openbits", local), E_INVALIDARG);
    /* "The remote file name uses an unsupported protocol" */
    assert_hr_equal(IBackgroundCopyJob_AddFile(job, L"ftp://127.0.0.1/file.bin", local), E_INVALIDARG);
    assert_hr_equal(IBackgroundCopyJob_AddFile(job, L"gopher://127.0.0.1/file.bin", local), E_INVALIDARG);
    /* "The local file name was specified using a relative path" */
    assert_hr_equal(IBackgroundCopyJob_AddFile(job, REMOTE, L"relative.bin"), E_INVALIDARG);
    assert_hr_equal(IBackgroundCopyJob_AddFile(job, REMOTE, L"..\\relative.bin"), E_INVALIDARG);
    assert_hr_equal(IBackgroundCopyJob_AddFile(job, REMOTE, L"\\no-drive.bin"), E_INVALIDARG);
    /* local names: at most MAX_PATH, no NTFS stream, no \\?\ prefix */
    assert_hr_equal(IBackgroundCopyJob_AddFile(job, REMOTE, long_local), E_INVALIDARG);
    assert_hr_equal(IBackgroundCopyJob_AddFile(job, REMOTE, stream), E_INVALIDARG);
    assert_hr_equal(IBackgroundCopyJob_AddFile(job, REMOTE, L"\\\\?\\C:\\windows\\temp\\x.bin"), E_INVALIDARG);
    /* docs/choices.md: a directory as the local name */
    assert_hr_equal(IBackgroundCopyJob_AddFile(job, REMOTE, ts_scratch_dir()), E_INVALIDARG);

    assert_int_equal(ct_progress(job).FilesTotal, 0);
    free(long_remote);
    free(long_local);
    ct_cancel(job);
}

static void test_add_file_upload_reply_no_smb(void **state)
{
    IBackgroundCopyJob *job = new_job(BG_JOB_TYPE_UPLOAD_REPLY);
    const WCHAR *local = ts_path(L"reply-source.bin");

    ts_write_file(local, "x", 1);
    /* upload-reply jobs cannot use SMB (BG_FILE_INFO) */
    assert_hr_equal(IBackgroundCopyJob_AddFile(job, L"\\\\server\\share\\x", local), E_INVALIDARG);
    assert_hr_equal(IBackgroundCopyJob_AddFile(job, L"file://server/share/x", local), E_INVALIDARG);
    assert_int_equal(ct_progress(job).FilesTotal, 0);
    assert_hr_equal(IBackgroundCopyJob_AddFile(job, L"http://127.0.0.1:9/reply", local), S_OK);
    ct_cancel(job);
}

static void test_add_file_set(void **state)
{
    IBackgroundCopyJob *job = new_job(BG_JOB_TYPE_DOWNLOAD);
    BG_FILE_INFO files[3] = {
        { (WCHAR *)REMOTE, NULL },
        { (WCHAR *)L"http://127.0.0.1:9/b", NULL },
        { (WCHAR *)L"http://127.0.0.1:9/c", NULL },
    };
    BG_FILE_INFO bad[2];

    files[0].LocalName = (WCHAR *)ts_path(L"set-a.bin");
    files[1].LocalName = (WCHAR *)ts_path(L"set-b.bin");
    files[2].LocalName = (WCHAR *)ts_path(L"set-c.bin");
    assert_hr_equal(IBackgroundCopyJob_AddFileSet(job, 3, files), S_OK);
    assert_int_equal(ct_progress(job).FilesTotal, 3);
    assert_true(ct_progress(job).BytesTotal == BG_SIZE_UNKNOWN);

    /* one invalid name in the set: E_INVALIDARG */
    bad[0] = files[0];
    bad[1].RemoteName = (WCHAR *)L"ftp://127.0.0.1/x";
    bad[1].LocalName = files[1].LocalName;
    assert_hr_equal(IBackgroundCopyJob_AddFileSet(job, 2, bad), E_INVALIDARG);
    bad[1].RemoteName = files[1].RemoteName;
    bad[1].LocalName = (WCHAR *)L"relative.bin";
    assert_hr_equal(IBackgroundCopyJob_AddFileSet(job, 2, bad), E_INVALIDARG);
    assert_hr_equal(IBackgroundCopyJob_AddFileSet(job, 1, NULL), E_INVALIDARG);
    ct_cancel(job);
}

static void test_upload_holds_one_file(void **state)
{
    static const BG_JOB_TYPE types[] = { BG_JOB_TYPE_UPLOAD, BG_JOB_TYPE_UPLOAD_REPLY };
    const WCHAR *first = ts_path(L"up-1.bin"), *second = ts_path(L"up-2.bin");
    BG_FILE_INFO two[2] = { { (WCHAR *)L"http://127.0.0.1:9/u1", NULL }, { (WCHAR *)L"http://127.0.0.1:9/u2", NULL } };
    IBackgroundCopyJob *job;
    int i;

    ts_write_file(first, "one", 3);
    ts_write_file(second, "two", 3);
    two[0].LocalName = (WCHAR *)first;
    two[1].LocalName = (WCHAR *)second;
    for (i = 0; i < 2; i++)
    {
        job = new_job(types[i]);
        /* "If the array contains more than one element ... BG_E_TOO_MANY_FILES.
         *  None of the files in the array were added to the job." */
        assert_hr_equal(IBackgroundCopyJob_AddFileSet(job, 2, two), BG_E_TOO_MANY_FILES);
        assert_int_equal(ct_progress(job).FilesTotal, 0);
        assert_hr_equal(IBackgroundCopyJob_AddFile(job, two[0].RemoteName, first), S_OK);
        /* "... or the job already contains a file" */
        assert_hr_equal(IBackgroundCopyJob_AddFile(job, two[1].RemoteName, second), BG_E_TOO_MANY_FILES);
        assert_hr_equal(IBackgroundCopyJob_AddFileSet(job, 1, &two[1]), BG_E_TOO_MANY_FILES);
        assert_int_equal(ct_progress(job).FilesTotal, 1);
        ct_cancel(job);
    }
}

/* ---- state changes ---- */

static void test_resume_empty_job(void **state)
{
    IBackgroundCopyJob *job = new_job(BG_JOB_TYPE_DOWNLOAD);
    /* BG_E_EMPTY; the job stays SUSPENDED [wine-test] */
    assert_hr_equal(IBackgroundCopyJob_Resume(job), BG_E_EMPTY);
    assert_int_equal(ct_state(job), BG_JOB_STATE_SUSPENDED);
    ct_cancel(job);
}

/* The action states: QUEUED, CONNECTING, TRANSFERRING, TRANSIENT_ERROR. */
static BOOL in_action_state(IBackgroundCopyJob *job)
{
    BG_JOB_STATE s = ct_state(job);
    return s == BG_JOB_STATE_QUEUED || s == BG_JOB_STATE_CONNECTING || s == BG_JOB_STATE_TRANSFERRING ||
           s == BG_JOB_STATE_TRANSIENT_ERROR;
}

static void test_resume_and_suspend(void **state)
{
    IBackgroundCopyJob *job = new_download_with_file(L"resume.bin");

    /* SUSPENDED -> QUEUED, and on: nothing listens on port 9, so the job
     * soon waits in TRANSIENT_ERROR for its retry */
    assert_hr_equal(IBackgroundCopyJob_Resume(job), S_OK);
    assert_true(in_action_state(job));
    /* a job already in an action state stays in one */
    assert_hr_equal(IBackgroundCopyJob_Resume(job), S_OK);
    assert_true(in_action_state(job));
    assert_hr_equal(IBackgroundCopyJob_Suspend(job), S_OK);
    assert_int_equal(ct_state(job), BG_JOB_STATE_SUSPENDED);
    /* a job already suspended stays suspended */
    assert_hr_equal(IBackgroundCopyJob_Suspend(job), S_OK);
    assert_int_equal(ct_state(job), BG_JOB_STATE_SUSPENDED);
    assert_hr_equal(IBackgroundCopyJob_Resume(job), S_OK);
    assert_true(in_action_state(job));
    ct_cancel(job);
}

/* Every state-changing call on a job in a final state: BG_E_INVALID_STATE. */
static void check_final_job_refuses_changes(IBackgroundCopyJob *job)
{
    BG_FILE_INFO file = { (WCHAR *)REMOTE, NULL };
    sink s;

    file.LocalName = (WCHAR *)ts_path(L"final.bin");
    sink_init(&s);
    assert_hr_equal(IBackgroundCopyJob_Cancel(job), BG_E_INVALID_STATE);
    assert_hr_equal(IBackgroundCopyJob_Complete(job), BG_E_INVALID_STATE);
    assert_hr_equal(IBackgroundCopyJob_Suspend(job), BG_E_INVALID_STATE);
    assert_hr_equal(IBackgroundCopyJob_Resume(job), BG_E_INVALID_STATE);
    assert_hr_equal(IBackgroundCopyJob_AddFile(job, REMOTE, file.LocalName), BG_E_INVALID_STATE);
    assert_hr_equal(IBackgroundCopyJob_AddFileSet(job, 1, &file), BG_E_INVALID_STATE);
    assert_hr_equal(IBackgroundCopyJob_SetDisplayName(job, L"renamed"), BG_E_INVALID_STATE);
    assert_hr_equal(IBackgroundCopyJob_SetDescription(job, L"described"), BG_E_INVALID_STATE);
    assert_hr_equal(IBackgroundCopyJob_SetPriority(job, BG_JOB_PRIORITY_HIGH), BG_E_INVALID_STATE);
    assert_hr_equal(IBackgroundCopyJob_SetNotifyFlags(job, BG_NOTIFY_JOB_TRANSFERRED), BG_E_INVALID_STATE);
    /* [wine-test] */
    assert_hr_equal(IBackgroundCopyJob_SetNotifyInterface(job, &s.IUnknown_iface), BG_E_INVALID_STATE);
    assert_int_equal(s.refs, 1);
    assert_hr_equal(IBackgroundCopyJob_SetMinimumRetryDelay(job, 60), BG_E_INVALID_STATE);
    assert_hr_equal(IBackgroundCopyJob_SetNoProgressTimeout(job, 60), BG_E_INVALID_STATE);
    assert_hr_equal(IBackgroundCopyJob_SetProxySettings(job, BG_JOB_PROXY_USAGE_NO_PROXY, NULL, NULL),
                    BG_E_INVALID_STATE);
    /* and nothing changed */
    assert_int_equal(ct_progress(job).FilesTotal, 0);
    /* TakeOwnership documents BG_E_INVALID_STATE; a non-administrator may be refused first. */
    if (ct_is_admin()) assert_hr_equal(IBackgroundCopyJob_TakeOwnership(job), BG_E_INVALID_STATE);
    else assert_true(FAILED(IBackgroundCopyJob_TakeOwnership(job)));
}

static void test_cancel(void **state)
{
    IBackgroundCopyJob *job = new_job(BG_JOB_TYPE_DOWNLOAD);
    WCHAR *name;

    assert_hr_equal(IBackgroundCopyJob_Cancel(job), S_OK);
    assert_int_equal(ct_state(job), BG_JOB_STATE_CANCELLED);
    /* a second Cancel gives BG_E_INVALID_STATE [wine-test], and so does every other change */
    check_final_job_refuses_changes(job);
    assert_int_equal(ct_state(job), BG_JOB_STATE_CANCELLED);
    /* reading still works */
    assert_hr_equal(IBackgroundCopyJob_GetDisplayName(job, &name), S_OK);
    ct_check_string(name, L"job test");
    IBackgroundCopyJob_Release(job);
}

static void test_cancel_with_files(void **state)
{
    IBackgroundCopyJob *job = new_download_with_file(L"cancelled.bin");
    assert_hr_equal(IBackgroundCopyJob_Resume(job), S_OK);
    assert_hr_equal(IBackgroundCopyJob_Cancel(job), S_OK);
    assert_int_equal(ct_state(job), BG_JOB_STATE_CANCELLED);
    assert_false(ts_file_exists(ts_path(L"cancelled.bin")));
    IBackgroundCopyJob_Release(job);
}

static void test_complete_empty_download(void **state)
{
    IBackgroundCopyJob *job = new_job(BG_JOB_TYPE_DOWNLOAD);
    assert_hr_equal(IBackgroundCopyJob_Complete(job), S_OK);
    assert_int_equal(ct_state(job), BG_JOB_STATE_ACKNOWLEDGED);
    /* a second Complete gives BG_E_INVALID_STATE [wine-test], and so does every other change */
    check_final_job_refuses_changes(job);
    assert_int_equal(ct_state(job), BG_JOB_STATE_ACKNOWLEDGED);
    IBackgroundCopyJob_Release(job);
}

static void test_complete_partial_download(void **state)
{
    IBackgroundCopyJob *suspended = new_download_with_file(L"partial-1.bin");
    IBackgroundCopyJob *queued = new_download_with_file(L"partial-2.bin");

    /* download jobs may call Complete at any time; only finished files are kept */
    assert_hr_equal(IBackgroundCopyJob_Complete(suspended), BG_S_PARTIAL_COMPLETE);
    assert_int_equal(ct_state(suspended), BG_JOB_STATE_ACKNOWLEDGED);
    assert_false(ts_file_exists(ts_path(L"partial-1.bin")));
    assert_hr_equal(IBackgroundCopyJob_Complete(suspended), BG_E_INVALID_STATE);

    assert_hr_equal(IBackgroundCopyJob_Resume(queued), S_OK);
    assert_hr_equal(IBackgroundCopyJob_Complete(queued), BG_S_PARTIAL_COMPLETE);
    assert_int_equal(ct_state(queued), BG_JOB_STATE_ACKNOWLEDGED);
    assert_false(ts_file_exists(ts_path(L"partial-2.bin")));

    IBackgroundCopyJob_Release(suspended);
    IBackgroundCopyJob_Release(queued);
}

static void test_complete_upload_not_transferred(void **state)
{
    static const BG_JOB_TYPE types[] = { BG_JOB_TYPE_UPLOAD, BG_JOB_TYPE_UPLOAD_REPLY };
    IBackgroundCopyJob *job;
    int i;

    for (i = 0; i < 2; i++)
    {
        job = new_job(types[i]);
        /* uploads: Complete only in TRANSFERRED, otherwise BG_E_INVALID_STATE */
        assert_hr_equal(IBackgroundCopyJob_Complete(job), BG_E_INVALID_STATE);
        assert_int_equal(ct_state(job), BG_JOB_STATE_SUSPENDED);
        ct_cancel(job);
        /* a name per type: the first job's worker may still hold its file */
        job = new_upload_with_file(types[i], i ? L"complete-up-reply.bin" : L"complete-up.bin");
        assert_hr_equal(IBackgroundCopyJob_Complete(job), BG_E_INVALID_STATE);
        assert_int_equal(ct_state(job), BG_JOB_STATE_SUSPENDED);
        assert_hr_equal(IBackgroundCopyJob_Resume(job), S_OK);
        assert_hr_equal(IBackgroundCopyJob_Complete(job), BG_E_INVALID_STATE);
        assert_true(in_action_state(job)); /* nothing listens on port 9 */
        ct_cancel(job);
    }
}

/* ---- progress, times, error ---- */

static void test_progress(void **state)
{
    IBackgroundCopyJob *job = new_job(BG_JOB_TYPE_DOWNLOAD);
    BG_FILE_INFO more[2] = { { (WCHAR *)L"http://127.0.0.1:9/p2", NULL }, { (WCHAR *)L"http://127.0.0.1:9/p3", NULL } };
    BG_JOB_PROGRESS progress;

    /* empty job: all zeros [wine-test] */
    progress = ct_progress(job);
    assert_true(progress.BytesTotal == 0);
    assert_true(progress.BytesTransferred == 0);
    assert_int_equal(progress.FilesTotal, 0);
    assert_int_equal(progress.FilesTransferred, 0);

    /* after AddFile the size is unknown until known for every file */
    assert_hr_equal(IBackgroundCopyJob_AddFile(job, REMOTE, ts_path(L"p1.bin")), S_OK);
    progress = ct_progress(job);
    assert_true(progress.BytesTotal == BG_SIZE_UNKNOWN);
    assert_true(progress.BytesTransferred == 0);
    assert_int_equal(progress.FilesTotal, 1);
    assert_int_equal(progress.FilesTransferred, 0);

    more[0].LocalName = (WCHAR *)ts_path(L"p2.bin");
    more[1].LocalName = (WCHAR *)ts_path(L"p3.bin");
    assert_hr_equal(IBackgroundCopyJob_AddFileSet(job, 2, more), S_OK);
    progress = ct_progress(job);
    assert_true(progress.BytesTotal == BG_SIZE_UNKNOWN);
    assert_int_equal(progress.FilesTotal, 3);
    assert_int_equal(progress.FilesTransferred, 0);

    assert_hr_equal(IBackgroundCopyJob_GetProgress(job, NULL), E_INVALIDARG);
    ct_cancel(job);
}

static void test_times(void **state)
{
    IBackgroundCopyJob *job;
    BG_JOB_TIMES before, after;
    FILETIME start, end;

    GetSystemTimeAsFileTime(&start);
    job = new_job(BG_JOB_TYPE_DOWNLOAD);
    GetSystemTimeAsFileTime(&end);
    assert_hr_equal(IBackgroundCopyJob_GetTimes(job, &before), S_OK);
    assert_true(filetime64(before.CreationTime) >= filetime64(start));
    assert_true(filetime64(before.CreationTime) <= filetime64(end));
    assert_true(filetime64(before.ModificationTime) >= filetime64(before.CreationTime));
    /* never entered TRANSFERRED */
    assert_true(filetime64(before.TransferCompletionTime) == 0);

    /* "calling any of the set methods ... changes this value", and so do AddFile and Suspend/Resume */
    Sleep(20);
    assert_hr_equal(IBackgroundCopyJob_SetDescription(job, L"touched"), S_OK);
    assert_hr_equal(IBackgroundCopyJob_GetTimes(job, &after), S_OK);
    assert_true(filetime64(after.CreationTime) == filetime64(before.CreationTime));
    assert_true(filetime64(after.ModificationTime) > filetime64(before.ModificationTime));
    before = after;
    Sleep(20);
    assert_hr_equal(IBackgroundCopyJob_AddFile(job, REMOTE, ts_path(L"times.bin")), S_OK);
    assert_hr_equal(IBackgroundCopyJob_GetTimes(job, &after), S_OK);
    assert_true(filetime64(after.ModificationTime) > filetime64(before.ModificationTime));
    before = after;
    Sleep(20);
    assert_hr_equal(IBackgroundCopyJob_Resume(job), S_OK);
    assert_hr_equal(IBackgroundCopyJob_GetTimes(job, &after), S_OK);
    assert_true(filetime64(after.ModificationTime) > filetime64(before.ModificationTime));
    assert_true(filetime64(after.TransferCompletionTime) == 0);
    ct_cancel(job);
}

static void test_get_error_without_error(void **state)
{
    IBackgroundCopyJob *job = new_download_with_file(L"noerror.bin");
    IBackgroundCopyError *error = (IBackgroundCopyError *)0xdeadbeef;
    ULONG count = 99;

    assert_hr_equal(IBackgroundCopyJob_GetError(job, &error), BG_E_ERROR_INFORMATION_UNAVAILABLE);
    assert_null(error);
    assert_hr_equal(IBackgroundCopyJob_GetErrorCount(job, &count), S_OK);
    assert_int_equal(count, 0);
    ct_cancel(job);
}

static void test_owner(void **state)
{
    IBackgroundCopyJob *job = new_job(BG_JOB_TYPE_DOWNLOAD);
    WCHAR *owner = NULL, *me = process_user_sid();

    /* a SID string, the creator's */
    assert_hr_equal(IBackgroundCopyJob_GetOwner(job, &owner), S_OK);
    assert_non_null(owner);
    assert_true(!wcsncmp(owner, L"S-1-", 4));
    ct_check_string(owner, me);
    LocalFree(me);
    ct_cancel(job);
}

/* ---- properties ---- */

static void test_display_name(void **state)
{
    IBackgroundCopyJob *job = new_job(BG_JOB_TYPE_DOWNLOAD);
    WCHAR *longest = ct_repeat('d', 256), *too_long = ct_repeat('d', 257), *name;

    assert_hr_equal(IBackgroundCopyJob_SetDisplayName(job, L"renamed"), S_OK);
    assert_hr_equal(IBackgroundCopyJob_GetDisplayName(job, &name), S_OK);
    ct_check_string(name, L"renamed");
    assert_hr_equal(IBackgroundCopyJob_SetDisplayName(job, longest), S_OK);
    assert_hr_equal(IBackgroundCopyJob_GetDisplayName(job, &name), S_OK);
    ct_check_string(name, longest);
    /* over 256 characters: BG_E_STRING_TOO_LONG; "Must not be NULL": E_INVALIDARG */
    assert_hr_equal(IBackgroundCopyJob_SetDisplayName(job, too_long), BG_E_STRING_TOO_LONG);
    assert_hr_equal(IBackgroundCopyJob_SetDisplayName(job, NULL), E_INVALIDARG);
    assert_hr_equal(IBackgroundCopyJob_GetDisplayName(job, &name), S_OK);
    ct_check_string(name, longest);
    free(longest);
    free(too_long);
    ct_cancel(job);
}

static void test_description(void **state)
{
    IBackgroundCopyJob *job = new_job(BG_JOB_TYPE_DOWNLOAD);
    WCHAR *longest = ct_repeat('e', 1024), *too_long = ct_repeat('e', 1025), *text;

    assert_hr_equal(IBackgroundCopyJob_SetDescription(job, L"a description"), S_OK);
    assert_hr_equal(IBackgroundCopyJob_GetDescription(job, &text), S_OK);
    ct_check_string(text, L"a description");
    assert_hr_equal(IBackgroundCopyJob_SetDescription(job, longest), S_OK);
    assert_hr_equal(IBackgroundCopyJob_GetDescription(job, &text), S_OK);
    ct_check_string(text, longest);
    /* at most 1,024 characters: BG_E_STRING_TOO_LONG; NULL: E_INVALIDARG (docs/choices.md) */
    assert_hr_equal(IBackgroundCopyJob_SetDescription(job, too_long), BG_E_STRING_TOO_LONG);
    assert_hr_equal(IBackgroundCopyJob_SetDescription(job, NULL), E_INVALIDARG);
    assert_hr_equal(IBackgroundCopyJob_GetDescription(job, &text), S_OK);
    ct_check_string(text, longest);
    assert_hr_equal(IBackgroundCopyJob_SetDescription(job, L""), S_OK);
    assert_hr_equal(IBackgroundCopyJob_GetDescription(job, &text), S_OK);
    ct_check_string(text, L"");
    free(longest);
    free(too_long);
    ct_cancel(job);
}

static void test_priority(void **state)
{
    static const BG_JOB_PRIORITY all[] = { BG_JOB_PRIORITY_FOREGROUND, BG_JOB_PRIORITY_HIGH,
                                           BG_JOB_PRIORITY_LOW, BG_JOB_PRIORITY_NORMAL };
    IBackgroundCopyJob *job = new_job(BG_JOB_TYPE_DOWNLOAD);
    BG_JOB_PRIORITY priority;
    int i;

    for (i = 0; i < 4; i++)
    {
        assert_hr_equal(IBackgroundCopyJob_SetPriority(job, all[i]), S_OK);
        assert_hr_equal(IBackgroundCopyJob_GetPriority(job, &priority), S_OK);
        assert_int_equal(priority, all[i]);
    }
    /* E_NOTIMPL for a value BG_JOB_PRIORITY does not define */
    assert_hr_equal(IBackgroundCopyJob_SetPriority(job, (BG_JOB_PRIORITY)4), E_NOTIMPL);
    assert_hr_equal(IBackgroundCopyJob_SetPriority(job, (BG_JOB_PRIORITY)-1), E_NOTIMPL);
    assert_hr_equal(IBackgroundCopyJob_GetPriority(job, &priority), S_OK);
    assert_int_equal(priority, BG_JOB_PRIORITY_NORMAL);
    ct_cancel(job);
}

static void test_notify_flags(void **state)
{
    static const ULONG valid[] = {
        BG_NOTIFY_JOB_TRANSFERRED, BG_NOTIFY_JOB_ERROR, BG_NOTIFY_DISABLE,
        BG_NOTIFY_JOB_MODIFICATION | BG_NOTIFY_FILE_TRANSFERRED,
        BG_NOTIFY_JOB_TRANSFERRED | BG_NOTIFY_JOB_ERROR | BG_NOTIFY_JOB_MODIFICATION,
    };
    IBackgroundCopyJob *job = new_job(BG_JOB_TYPE_DOWNLOAD);
    ULONG flags;
    size_t i;

    for (i = 0; i < ARRAYSIZE(valid); i++)
    {
        assert_hr_equal(IBackgroundCopyJob_SetNotifyFlags(job, valid[i]), S_OK);
        assert_hr_equal(IBackgroundCopyJob_GetNotifyFlags(job, &flags), S_OK);
        assert_int_equal(flags, valid[i]);
    }
    /* an invalid flag value: E_NOTIMPL, nothing changed */
    assert_hr_equal(IBackgroundCopyJob_SetNotifyFlags(job, 0x100), E_NOTIMPL);
    assert_hr_equal(IBackgroundCopyJob_SetNotifyFlags(job, BG_NOTIFY_JOB_ERROR | 0x80000000), E_NOTIMPL);
    assert_hr_equal(IBackgroundCopyJob_GetNotifyFlags(job, &flags), S_OK);
    assert_int_equal(flags, valid[ARRAYSIZE(valid) - 1]);
    ct_cancel(job);
}

static void test_notify_interface(void **state)
{
    IBackgroundCopyJob *job = new_job(BG_JOB_TYPE_DOWNLOAD);
    IUnknown *got = (IUnknown *)0xdeadbeef;
    sink first, second;

    sink_init(&first);
    sink_init(&second);
    assert_hr_equal(IBackgroundCopyJob_SetNotifyInterface(job, &first.IUnknown_iface), S_OK);
    assert_true(first.refs > 1); /* the job keeps a reference */
    assert_hr_equal(IBackgroundCopyJob_GetNotifyInterface(job, &got), S_OK);
    assert_ptr_equal(got, &first.IUnknown_iface);
    IUnknown_Release(got);

    /* the last caller wins; the previous interface is released */
    assert_hr_equal(IBackgroundCopyJob_SetNotifyInterface(job, &second.IUnknown_iface), S_OK);
    assert_int_equal(first.refs, 1);
    assert_hr_equal(IBackgroundCopyJob_GetNotifyInterface(job, &got), S_OK);
    assert_ptr_equal(got, &second.IUnknown_iface);
    IUnknown_Release(got);

    /* NULL removes the current callback interface pointer */
    assert_hr_equal(IBackgroundCopyJob_SetNotifyInterface(job, NULL), S_OK);
    assert_int_equal(second.refs, 1);
    assert_hr_equal(IBackgroundCopyJob_GetNotifyInterface(job, &got), S_OK);
    assert_null(got);

    /* a job that goes away releases its interface */
    assert_hr_equal(IBackgroundCopyJob_SetNotifyInterface(job, &first.IUnknown_iface), S_OK);
    assert_true(first.refs > 1);
    ct_cancel(job);
    assert_int_equal(first.refs, 1);
    assert_int_equal(second.refs, 1);
}

static void test_retry_delay(void **state)
{
    IBackgroundCopyJob *job = new_job(BG_JOB_TYPE_DOWNLOAD);
    ULONG seconds;

    assert_hr_equal(IBackgroundCopyJob_GetMinimumRetryDelay(job, &seconds), S_OK);
    assert_int_equal(seconds, 600);
    assert_hr_equal(IBackgroundCopyJob_SetMinimumRetryDelay(job, 60), S_OK);
    assert_hr_equal(IBackgroundCopyJob_GetMinimumRetryDelay(job, &seconds), S_OK);
    assert_int_equal(seconds, 60);
    assert_hr_equal(IBackgroundCopyJob_SetMinimumRetryDelay(job, 5), S_OK);
    assert_hr_equal(IBackgroundCopyJob_GetMinimumRetryDelay(job, &seconds), S_OK);
    assert_int_equal(seconds, 5);
    /* "If you specify a value less than 5 seconds, BITS changes the value to 5 seconds" */
    assert_hr_equal(IBackgroundCopyJob_SetMinimumRetryDelay(job, 4), S_OK);
    assert_hr_equal(IBackgroundCopyJob_GetMinimumRetryDelay(job, &seconds), S_OK);
    assert_int_equal(seconds, 5);
    assert_hr_equal(IBackgroundCopyJob_SetMinimumRetryDelay(job, 0), S_OK);
    assert_hr_equal(IBackgroundCopyJob_GetMinimumRetryDelay(job, &seconds), S_OK);
    assert_int_equal(seconds, 5);
    ct_cancel(job);
}

static void test_no_progress_timeout(void **state)
{
    IBackgroundCopyJob *job = new_job(BG_JOB_TYPE_DOWNLOAD);
    ULONG seconds;

    assert_hr_equal(IBackgroundCopyJob_GetNoProgressTimeout(job, &seconds), S_OK);
    assert_int_equal(seconds, 1209600); /* 14 days */
    assert_hr_equal(IBackgroundCopyJob_SetNoProgressTimeout(job, 3600), S_OK);
    assert_hr_equal(IBackgroundCopyJob_GetNoProgressTimeout(job, &seconds), S_OK);
    assert_int_equal(seconds, 3600);
    /* 0 means "no retry" and is kept as such */
    assert_hr_equal(IBackgroundCopyJob_SetNoProgressTimeout(job, 0), S_OK);
    assert_hr_equal(IBackgroundCopyJob_GetNoProgressTimeout(job, &seconds), S_OK);
    assert_int_equal(seconds, 0);
    ct_cancel(job);
}

static void check_proxy(IBackgroundCopyJob *job, BG_JOB_PROXY_USAGE usage, const WCHAR *list, const WCHAR *bypass)
{
    BG_JOB_PROXY_USAGE got_usage;
    WCHAR *got_list = (WCHAR *)0xdeadbeef, *got_bypass = (WCHAR *)0xdeadbeef;

    assert_hr_equal(IBackgroundCopyJob_GetProxySettings(job, &got_usage, &got_list, &got_bypass), S_OK);
    assert_int_equal(got_usage, usage);
    ct_check_string(got_list, list);
    ct_check_string(got_bypass, bypass);
}

static void test_proxy_settings(void **state)
{
    IBackgroundCopyJob *job = new_job(BG_JOB_TYPE_DOWNLOAD);
    WCHAR *list_4000 = ct_repeat('p', 4000), *huge = ct_repeat('p', 16 * 1024 + 1); /* over 32 KB */

    assert_hr_equal(IBackgroundCopyJob_SetProxySettings(job, BG_JOB_PROXY_USAGE_OVERRIDE,
                                                        L"proxy1:8080 http=proxy2:80", L"<local> *.example"),
                    S_OK);
    check_proxy(job, BG_JOB_PROXY_USAGE_OVERRIDE, L"proxy1:8080 http=proxy2:80", L"<local> *.example");
    assert_hr_equal(IBackgroundCopyJob_SetProxySettings(job, BG_JOB_PROXY_USAGE_OVERRIDE, L"proxy3:3128", NULL),
                    S_OK);
    check_proxy(job, BG_JOB_PROXY_USAGE_OVERRIDE, L"proxy3:3128", NULL);
    /* 4,000 characters is the documented length limit of each list */
    assert_hr_equal(IBackgroundCopyJob_SetProxySettings(job, BG_JOB_PROXY_USAGE_OVERRIDE, list_4000, list_4000),
                    S_OK);
    check_proxy(job, BG_JOB_PROXY_USAGE_OVERRIDE, list_4000, list_4000);

    /* errors leave the settings as they were */
    assert_hr_equal(IBackgroundCopyJob_SetProxySettings(job, BG_JOB_PROXY_USAGE_OVERRIDE, huge, NULL),
                    BG_E_PROXY_LIST_TOO_LARGE);
    assert_hr_equal(IBackgroundCopyJob_SetProxySettings(job, BG_JOB_PROXY_USAGE_OVERRIDE, L"proxy", huge),
                    BG_E_PROXY_BYPASS_LIST_TOO_LARGE);
    /* "If ProxyUsage is BG_JOB_PROXY_USAGE_OVERRIDE, pProxyList cannot be NULL" */
    assert_hr_equal(IBackgroundCopyJob_SetProxySettings(job, BG_JOB_PROXY_USAGE_OVERRIDE, NULL, NULL), E_INVALIDARG);
    assert_hr_equal(IBackgroundCopyJob_SetProxySettings(job, BG_JOB_PROXY_USAGE_OVERRIDE, NULL, L"bypass"),
                    E_INVALIDARG);
    /* the lists "must be NULL" for PRECONFIG, NO_PROXY and AUTODETECT */
    assert_hr_equal(IBackgroundCopyJob_SetProxySettings(job, BG_JOB_PROXY_USAGE_PRECONFIG, L"proxy", NULL),
                    E_INVALIDARG);
    assert_hr_equal(IBackgroundCopyJob_SetProxySettings(job, BG_JOB_PROXY_USAGE_NO_PROXY, NULL, L"bypass"),
                    E_INVALIDARG);
    assert_hr_equal(IBackgroundCopyJob_SetProxySettings(job, BG_JOB_PROXY_USAGE_AUTODETECT, L"p", L"b"),
                    E_INVALIDARG);
    /* "E_NOTIMPL: the value of ProxyUsage is not defined in BG_JOB_PROXY_USAGE" */
    assert_hr_equal(IBackgroundCopyJob_SetProxySettings(job, (BG_JOB_PROXY_USAGE)4, NULL, NULL), E_NOTIMPL);
    check_proxy(job, BG_JOB_PROXY_USAGE_OVERRIDE, list_4000, list_4000);

    /* the other usages drop the lists */
    assert_hr_equal(IBackgroundCopyJob_SetProxySettings(job, BG_JOB_PROXY_USAGE_NO_PROXY, NULL, NULL), S_OK);
    check_proxy(job, BG_JOB_PROXY_USAGE_NO_PROXY, NULL, NULL);
    assert_hr_equal(IBackgroundCopyJob_SetProxySettings(job, BG_JOB_PROXY_USAGE_AUTODETECT, NULL, NULL), S_OK);
    check_proxy(job, BG_JOB_PROXY_USAGE_AUTODETECT, NULL, NULL);
    assert_hr_equal(IBackgroundCopyJob_SetProxySettings(job, BG_JOB_PROXY_USAGE_PRECONFIG, NULL, NULL), S_OK);
    check_proxy(job, BG_JOB_PROXY_USAGE_PRECONFIG, NULL, NULL);
    free(list_4000);
    free(huge);
    ct_cancel(job);
}

static void test_take_ownership(void **state)
{
    IBackgroundCopyJob *job = new_job(BG_JOB_TYPE_DOWNLOAD);
    WCHAR *owner, *me = process_user_sid();

    if (ct_is_admin())
    {
        /* administrators may take ownership; the owner becomes the caller. */
        assert_hr_equal(IBackgroundCopyJob_TakeOwnership(job), S_OK);
    }
    else
    {
        /* "E_ACCESSDENIED: user does not have administrator privileges" */
        assert_hr_equal(IBackgroundCopyJob_TakeOwnership(job), E_ACCESSDENIED);
    }
    assert_hr_equal(IBackgroundCopyJob_GetOwner(job, &owner), S_OK);
    ct_check_string(owner, me);
    LocalFree(me);
    ct_cancel(job);
}

static void test_query_interface(void **state)
{
    IBackgroundCopyJob *job = new_job(BG_JOB_TYPE_DOWNLOAD), *as_job;
    IBackgroundCopyJob2 *as_job2;
    IUnknown *unk1, *unk2, *other;
    const IID *refused[] = { &IID_IBackgroundCopyManager, &IID_IBackgroundCopyFile, &IID_IEnumBackgroundCopyJobs,
                             &IID_IBackgroundCopyError, &IID_IBackgroundCopyCallback, &IID_IDispatch };
    size_t i;

    assert_hr_equal(IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJob, (void **)&as_job), S_OK);
    assert_hr_equal(IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJob2, (void **)&as_job2), S_OK);
    assert_hr_equal(IBackgroundCopyJob_QueryInterface(job, &IID_IUnknown, (void **)&unk1), S_OK);
    assert_hr_equal(IBackgroundCopyJob2_QueryInterface(as_job2, &IID_IUnknown, (void **)&unk2), S_OK);
    assert_ptr_equal(unk1, unk2); /* COM identity */
    for (i = 0; i < ARRAYSIZE(refused); i++)
    {
        other = (IUnknown *)0xdeadbeef;
        assert_hr_equal(IBackgroundCopyJob_QueryInterface(job, refused[i], (void **)&other), E_NOINTERFACE);
        assert_null(other);
    }
    assert_hr_equal(IBackgroundCopyJob_QueryInterface(job, &IID_IUnknown, NULL), E_POINTER);
    IUnknown_Release(unk1);
    IUnknown_Release(unk2);
    IBackgroundCopyJob2_Release(as_job2);
    IBackgroundCopyJob_Release(as_job);
    ct_cancel(job);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_defaults, ct_test_teardown),
        cmocka_unit_test_teardown(test_getters_reject_null, ct_test_teardown),
        cmocka_unit_test_teardown(test_add_file, ct_test_teardown),
        cmocka_unit_test_teardown(test_add_file_invalid_names, ct_test_teardown),
        cmocka_unit_test_teardown(test_add_file_upload_reply_no_smb, ct_test_teardown),
        cmocka_unit_test_teardown(test_add_file_set, ct_test_teardown),
        cmocka_unit_test_teardown(test_upload_holds_one_file, ct_test_teardown),
        cmocka_unit_test_teardown(test_resume_empty_job, ct_test_teardown),
        cmocka_unit_test_teardown(test_resume_and_suspend, ct_test_teardown),
        cmocka_unit_test_teardown(test_cancel, ct_test_teardown),
        cmocka_unit_test_teardown(test_cancel_with_files, ct_test_teardown),
        cmocka_unit_test_teardown(test_complete_empty_download, ct_test_teardown),
        cmocka_unit_test_teardown(test_complete_partial_download, ct_test_teardown),
        cmocka_unit_test_teardown(test_complete_upload_not_transferred, ct_test_teardown),
        cmocka_unit_test_teardown(test_progress, ct_test_teardown),
        cmocka_unit_test_teardown(test_times, ct_test_teardown),
        cmocka_unit_test_teardown(test_get_error_without_error, ct_test_teardown),
        cmocka_unit_test_teardown(test_owner, ct_test_teardown),
        cmocka_unit_test_teardown(test_display_name, ct_test_teardown),
        cmocka_unit_test_teardown(test_description, ct_test_teardown),
        cmocka_unit_test_teardown(test_priority, ct_test_teardown),
        cmocka_unit_test_teardown(test_notify_flags, ct_test_teardown),
        cmocka_unit_test_teardown(test_notify_interface, ct_test_teardown),
        cmocka_unit_test_teardown(test_retry_delay, ct_test_teardown),
        cmocka_unit_test_teardown(test_no_progress_timeout, ct_test_teardown),
        cmocka_unit_test_teardown(test_proxy_settings, ct_test_teardown),
        cmocka_unit_test_teardown(test_take_ownership, ct_test_teardown),
        cmocka_unit_test_teardown(test_query_interface, ct_test_teardown),
    };
    return cmocka_run_group_tests(tests, ct_group_setup, ct_group_teardown);
}
