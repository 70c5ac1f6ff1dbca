/* A job record's properties, files and state changes against the documented
 * IBackgroundCopyJob/IBackgroundCopyJob2 behaviour (bits-semantics §1.1-1.9). */
#include "test_support.h"
#include <objbase.h>
#include <stdio.h>
#include "job.h"
#include "transport.h"
#include "str.h"
#include "trace.h"
#include "test_sink.h"

#define OWNER L"S-1-5-21-1111-2222-3333-1001"

/* ---- helpers ---- */


static ob_job *new_job(BG_JOB_TYPE type)
{
    ob_job *job = NULL;
    assert_hr_equal(ob_job_new(L"test job", type, OWNER, &job), S_OK);
    assert_non_null(job);
    return job;
}

static BG_JOB_STATE state_of(ob_job *job)
{
    ob_job_info info;
    ob_job_get_info(job, &info);
    return info.state;
}

static ob_job_info info_of(ob_job *job)
{
    ob_job_info info;
    ob_job_get_info(job, &info);
    return info;
}

static BG_JOB_PROGRESS progress_of(ob_job *job)
{
    BG_JOB_PROGRESS p;
    ob_job_get_progress(job, &p);
    return p;
}

/* Compares a job string with want (NULL: the string must be NULL). */
static void string_is(ob_job *job, ob_job_prop which, const WCHAR *want)
{
    WCHAR *s = (WCHAR *)1;
    assert_hr_equal(ob_job_get_string(job, which, &s), S_OK);
    if (!want) assert_null(s);
    else
    {
        assert_non_null(s);
        if (wcscmp(s, want)) print_error("string %d is \"%ls\", want \"%ls\"\n", which, s, want);
        assert_true(!wcscmp(s, want));
    }
    CoTaskMemFree(s);
}

static WCHAR *repeat(WCHAR c, size_t n)
{
    WCHAR *s = malloc((n + 1) * sizeof(WCHAR));
    size_t i;
    for (i = 0; i < n; i++) s[i] = c;
    s[n] = 0;
    return s;
}

static HRESULT add_one(ob_job *job, const WCHAR *remote, const WCHAR *local, ULONG max_files)
{
    BG_FILE_INFO info = { (WCHAR *)remote, (WCHAR *)local };
    return ob_job_add_files(job, 1, &info, max_files);
}

static void add_download(ob_job *job, const WCHAR *local_name)
{
    assert_hr_equal(add_one(job, L"http://server/file.bin", ts_path(local_name), 0), S_OK);
}

/* ---- the worker's side, driven as a worker would (job.h) ---- */

#define UNIT_MS 1000

/* QUEUED (resumed if need be), then claimed: CONNECTING. */
static void claim(ob_job *job)
{
    ob_change change = OB_NO_CHANGE;
    if (state_of(job) != BG_JOB_STATE_QUEUED) assert_hr_equal(ob_job_resume(job), S_OK);
    assert_true(ob_job_sched_claim(job, &change));
    ob_job_commit(job, &change);
    assert_int_equal(state_of(job), BG_JOB_STATE_CONNECTING);
}

/* A claimed download's file: probed at `total` bytes, its temporary file
 * begun (TRANSFERRING) and `data` written to it.  The temporary file's name,
 * to free with ob_str_free. */
static WCHAR *start_file(ob_job *job, ULONG index, const char *data, UINT64 total)
{
    FILETIME modified = { 1, 1 };
    ob_remote_info expected;
    WCHAR *temp = NULL;
    UINT64 offset = 1;

    assert_hr_equal(ob_job_file_probed(job, index, total, &modified), S_OK);
    assert_hr_equal(ob_job_file_begin(job, index, &temp, &offset, &expected), S_OK);
    assert_non_null(temp);
    assert_true(offset == 0);
    ts_write_file(temp, data, (DWORD)strlen(data));
    assert_true(ob_job_file_add_bytes(job, index, strlen(data)));
    return temp;
}

/* A file fully transferred into its temporary file. */
static WCHAR *finish_file(ob_job *job, ULONG index, const char *data)
{
    WCHAR *temp = start_file(job, index, data, strlen(data));
    ob_job_file_done(job, index);
    return temp;
}

/* A claimed upload's only file: all sent, no reply. */
static void send_upload(ob_job *job, UINT64 size)
{
    FILETIME time = { 2, 2 };
    assert_hr_equal(ob_job_upload_check_file(job, size, &time), S_OK);
    assert_int_equal(state_of(job), BG_JOB_STATE_TRANSFERRING);
    assert_true(ob_job_upload_acked(job, size));
    ob_job_file_done(job, 0);
    ob_job_upload_sent(job, NULL);
}

/* Every file done: TRANSFERRED, and the worker lets go. */
static void all_transferred(ob_job *job)
{
    assert_true(ob_job_all_transferred(job));
    ob_job_sched_unclaim(job);
    assert_int_equal(state_of(job), BG_JOB_STATE_TRANSFERRED);
}

/* A claimed job fails: ERROR, or TRANSIENT_ERROR. */
static void fail_job(ob_job *job, BOOL transient)
{
    ob_error_info error = { HRESULT_FROM_WIN32(ERROR_NETWORK_UNREACHABLE), BG_ERROR_CONTEXT_REMOTE_FILE, 0,
                            OB_REMOTE_HTTP };
    assert_int_equal(ob_job_fail(job, &error, transient, UNIT_MS),
                     transient ? BG_JOB_STATE_TRANSIENT_ERROR : BG_JOB_STATE_ERROR);
    ob_job_sched_unclaim(job);
}

static void content_is(const WCHAR *path, const char *want)
{
    char buffer[256] = { 0 };
    DWORD got = 0;
    HANDLE file = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    assert_true(file != INVALID_HANDLE_VALUE);
    ReadFile(file, buffer, sizeof(buffer) - 1, &got, NULL);
    CloseHandle(file);
    assert_string_equal(buffer, want);
}

static ULONGLONG ft64(FILETIME ft)
{
    return ((ULONGLONG)ft.dwHighDateTime << 32) | ft.dwLowDateTime;
}

static HRESULT change_owner(ob_job *job, const WCHAR *sid)
{
    ob_change change = OB_NO_CHANGE;
    WCHAR old_sid[192];
    HRESULT hr = ob_job_change_owner(job, sid, old_sid, ARRAYSIZE(old_sid), &change);
    ob_job_commit(job, &change);
    return hr;
}

static BG_AUTH_CREDENTIALS credentials(BG_AUTH_TARGET target, BG_AUTH_SCHEME scheme, WCHAR *user, WCHAR *password)
{
    BG_AUTH_CREDENTIALS c;
    c.Target = target;
    c.Scheme = scheme;
    c.Credentials.Basic.UserName = user;
    c.Credentials.Basic.Password = password;
    return c;
}

/* ---- defaults ---- */

static void test_defaults(void **state)
{
    ob_job *job = new_job(BG_JOB_TYPE_DOWNLOAD);
    ob_job_info info = info_of(job);
    BG_JOB_PROGRESS p = progress_of(job);
    ob_error_info error;

    assert_int_equal(info.state, BG_JOB_STATE_SUSPENDED);
    assert_int_equal(info.priority, BG_JOB_PRIORITY_NORMAL);
    assert_int_equal(info.notify_flags, BG_NOTIFY_JOB_TRANSFERRED | BG_NOTIFY_JOB_ERROR);
    assert_int_equal(info.retry_delay, 600);
    assert_int_equal(info.no_progress_timeout, 1209600);
    assert_int_equal(info.error_count, 0);
    assert_int_equal(info.proxy_usage, BG_JOB_PROXY_USAGE_PRECONFIG);
    assert_true(ft64(info.times.CreationTime) != 0);
    assert_true(ft64(info.times.ModificationTime) == ft64(info.times.CreationTime));
    assert_true(ft64(info.times.TransferCompletionTime) == 0);
    assert_int_equal(ob_job_type(job), BG_JOB_TYPE_DOWNLOAD);

    string_is(job, OB_PROP_DISPLAY_NAME, L"test job");
    string_is(job, OB_PROP_DESCRIPTION, L"");
    string_is(job, OB_PROP_OWNER, OWNER);
    string_is(job, OB_PROP_PROXY_LIST, NULL);
    string_is(job, OB_PROP_PROXY_BYPASS, NULL);
    string_is(job, OB_PROP_NOTIFY_PROGRAM, L"");
    string_is(job, OB_PROP_NOTIFY_PARAMETERS, L"");
    assert_null(ob_job_get_notify_sink(job));

    assert_true(p.BytesTotal == 0 && p.BytesTransferred == 0);
    assert_int_equal(p.FilesTotal, 0);
    assert_int_equal(p.FilesTransferred, 0);
    assert_int_equal(ob_job_file_count(job), 0);
    assert_hr_equal(ob_job_get_error(job, &error), BG_E_ERROR_INFORMATION_UNAVAILABLE);
    ob_job_release(job);
}

static void test_every_job_has_its_own_id(void **state)
{
    ob_job *a = new_job(BG_JOB_TYPE_DOWNLOAD), *b = new_job(BG_JOB_TYPE_DOWNLOAD);
    assert_false(IsEqualGUID(ob_job_id(a), ob_job_id(b)));
    assert_false(IsEqualGUID(ob_job_id(a), &GUID_NULL));
    ob_job_release(a);
    ob_job_release(b);
}

/* ---- simple setters ---- */

static void test_display_name(void **state)
{
    ob_job *job = new_job(BG_JOB_TYPE_DOWNLOAD);
    WCHAR *longest = repeat('d', 256), *too_long = repeat('d', 257);

    assert_hr_equal(ob_job_set_display_name(job, L"renamed"), S_OK);
    string_is(job, OB_PROP_DISPLAY_NAME, L"renamed");
    assert_hr_equal(ob_job_set_display_name(job, L""), S_OK);
    string_is(job, OB_PROP_DISPLAY_NAME, L"");
    assert_hr_equal(ob_job_set_display_name(job, longest), S_OK);
    string_is(job, OB_PROP_DISPLAY_NAME, longest);
    assert_hr_equal(ob_job_set_display_name(job, too_long), BG_E_STRING_TOO_LONG);
    string_is(job, OB_PROP_DISPLAY_NAME, longest);
    assert_hr_equal(ob_job_set_display_name(job, NULL), E_INVALIDARG);
    free(longest);
    free(too_long);
    ob_job_release(job);
}

static void test_description(void **state)
{
    ob_job *job = new_job(BG_JOB_TYPE_DOWNLOAD);
    WCHAR *longest = repeat('x', 1024), *too_long = repeat('x', 1025);

    assert_hr_equal(ob_job_set_description(job, L"what it is"), S_OK);
    string_is(job, OB_PROP_DESCRIPTION, L"what it is");
    assert_hr_equal(ob_job_set_description(job, longest), S_OK);
    string_is(job, OB_PROP_DESCRIPTION, longest);
    assert_hr_equal(ob_job_set_description(job, too_long), BG_E_STRING_TOO_LONG);
    string_is(job, OB_PROP_DESCRIPTION, longest);
    assert_hr_equal(ob_job_set_description(job, L""), S_OK);
    string_is(job, OB_PROP_DESCRIPTION, L"");
    assert_hr_equal(ob_job_set_description(job, NULL), E_INVALIDARG);
    free(longest);
    free(too_long);
    ob_job_release(job);
}

static void test_priority(void **state)
{
    ob_job *job = new_job(BG_JOB_TYPE_DOWNLOAD);
    int p;

    for (p = BG_JOB_PRIORITY_FOREGROUND; p <= BG_JOB_PRIORITY_LOW; p++)
    {
        assert_hr_equal(ob_job_set_priority(job, p), S_OK);
        assert_int_equal(info_of(job).priority, p);
    }
    assert_hr_equal(ob_job_set_priority(job, 4), E_NOTIMPL);
    assert_hr_equal(ob_job_set_priority(job, (BG_JOB_PRIORITY)-1), E_NOTIMPL);
    assert_hr_equal(ob_job_set_priority(job, 0x7fffffff), E_NOTIMPL);
    assert_int_equal(info_of(job).priority, BG_JOB_PRIORITY_LOW);
    ob_job_release(job);
}

static void test_notify_flags(void **state)
{
    ob_job *job = new_job(BG_JOB_TYPE_DOWNLOAD);
    const ULONG all = BG_NOTIFY_JOB_TRANSFERRED | BG_NOTIFY_JOB_ERROR | BG_NOTIFY_DISABLE |
                      BG_NOTIFY_JOB_MODIFICATION | BG_NOTIFY_FILE_TRANSFERRED;

    assert_hr_equal(ob_job_set_notify_flags(job, BG_NOTIFY_JOB_MODIFICATION), S_OK);
    assert_int_equal(info_of(job).notify_flags, BG_NOTIFY_JOB_MODIFICATION);
    assert_hr_equal(ob_job_set_notify_flags(job, all), S_OK);
    assert_int_equal(info_of(job).notify_flags, all);
    assert_hr_equal(ob_job_set_notify_flags(job, BG_NOTIFY_DISABLE), S_OK);
    assert_int_equal(info_of(job).notify_flags, BG_NOTIFY_DISABLE);
    assert_hr_equal(ob_job_set_notify_flags(job, 0x40), E_NOTIMPL);
    assert_hr_equal(ob_job_set_notify_flags(job, BG_NOTIFY_JOB_ERROR | 0x100), E_NOTIMPL);
    assert_hr_equal(ob_job_set_notify_flags(job, 0x80000000), E_NOTIMPL);
    assert_int_equal(info_of(job).notify_flags, BG_NOTIFY_DISABLE);
    ob_job_release(job);
}

static void test_notify_interface(void **state)
{
    ob_job *job = new_job(BG_JOB_TYPE_DOWNLOAD);
    test_sink a, b;
    ob_sink *got;

    ts_sink_init(&a);
    ts_sink_init(&b);
    assert_hr_equal(ob_job_set_notify_sink(job, &a.sink), S_OK);
    assert_int_equal(a.refs, 2);
    got = ob_job_get_notify_sink(job);
    assert_ptr_equal(got, &a.sink);
    assert_int_equal(a.refs, 3);
    got->ops->release(got);
    /* the last caller wins; the old sink is released */
    assert_hr_equal(ob_job_set_notify_sink(job, &b.sink), S_OK);
    assert_int_equal(a.refs, 1);
    assert_int_equal(b.refs, 2);
    assert_hr_equal(ob_job_set_notify_sink(job, NULL), S_OK);
    assert_int_equal(b.refs, 1);
    assert_null(ob_job_get_notify_sink(job));
    /* the job's last reference releases the sink */
    assert_hr_equal(ob_job_set_notify_sink(job, &a.sink), S_OK);
    ob_job_release(job);
    assert_int_equal(a.refs, 1);
}

static void test_retry_delay_and_no_progress_timeout(void **state)
{
    ob_job *job = new_job(BG_JOB_TYPE_DOWNLOAD);

    assert_hr_equal(ob_job_set_retry_delay(job, 100), S_OK);
    assert_int_equal(info_of(job).retry_delay, 100);
    assert_hr_equal(ob_job_set_retry_delay(job, 5), S_OK);
    assert_int_equal(info_of(job).retry_delay, 5);
    assert_hr_equal(ob_job_set_retry_delay(job, 4), S_OK);
    assert_int_equal(info_of(job).retry_delay, 5);
    assert_hr_equal(ob_job_set_retry_delay(job, 0), S_OK);
    assert_int_equal(info_of(job).retry_delay, 5);

    assert_hr_equal(ob_job_set_no_progress_timeout(job, 0), S_OK);
    assert_int_equal(info_of(job).no_progress_timeout, 0);
    assert_hr_equal(ob_job_set_no_progress_timeout(job, 77), S_OK);
    assert_int_equal(info_of(job).no_progress_timeout, 77);
    ob_job_release(job);
}

static void test_proxy_settings(void **state)
{
    ob_job *job = new_job(BG_JOB_TYPE_DOWNLOAD);
    WCHAR *longest = repeat('p', 4000), *too_long = repeat('p', 4001);

    assert_hr_equal(ob_job_set_proxy(job, BG_JOB_PROXY_USAGE_OVERRIDE, L"proxy:8080", NULL), S_OK);
    assert_int_equal(info_of(job).proxy_usage, BG_JOB_PROXY_USAGE_OVERRIDE);
    string_is(job, OB_PROP_PROXY_LIST, L"proxy:8080");
    string_is(job, OB_PROP_PROXY_BYPASS, NULL);
    assert_hr_equal(ob_job_set_proxy(job, BG_JOB_PROXY_USAGE_OVERRIDE, L"a:1 b:2", L"<local>"), S_OK);
    string_is(job, OB_PROP_PROXY_LIST, L"a:1 b:2");
    string_is(job, OB_PROP_PROXY_BYPASS, L"<local>");
    assert_hr_equal(ob_job_set_proxy(job, BG_JOB_PROXY_USAGE_OVERRIDE, longest, longest), S_OK);

    /* lists only with OVERRIDE; OVERRIDE needs a list */
    assert_hr_equal(ob_job_set_proxy(job, BG_JOB_PROXY_USAGE_PRECONFIG, L"proxy:8080", NULL), E_INVALIDARG);
    assert_hr_equal(ob_job_set_proxy(job, BG_JOB_PROXY_USAGE_NO_PROXY, NULL, L"<local>"), E_INVALIDARG);
    assert_hr_equal(ob_job_set_proxy(job, BG_JOB_PROXY_USAGE_AUTODETECT, L"p", L"b"), E_INVALIDARG);
    assert_hr_equal(ob_job_set_proxy(job, BG_JOB_PROXY_USAGE_OVERRIDE, NULL, NULL), E_INVALIDARG);
    assert_hr_equal(ob_job_set_proxy(job, BG_JOB_PROXY_USAGE_OVERRIDE, NULL, L"<local>"), E_INVALIDARG);
    /* too long */
    assert_hr_equal(ob_job_set_proxy(job, BG_JOB_PROXY_USAGE_OVERRIDE, too_long, NULL), BG_E_PROXY_LIST_TOO_LARGE);
    assert_hr_equal(ob_job_set_proxy(job, BG_JOB_PROXY_USAGE_OVERRIDE, L"p:1", too_long),
                    BG_E_PROXY_BYPASS_LIST_TOO_LARGE);
    /* undefined usage */
    assert_hr_equal(ob_job_set_proxy(job, 4, NULL, NULL), E_NOTIMPL);
    assert_hr_equal(ob_job_set_proxy(job, (BG_JOB_PROXY_USAGE)-1, NULL, NULL), E_NOTIMPL);
    /* failures changed nothing */
    assert_int_equal(info_of(job).proxy_usage, BG_JOB_PROXY_USAGE_OVERRIDE);
    string_is(job, OB_PROP_PROXY_LIST, longest);
    string_is(job, OB_PROP_PROXY_BYPASS, longest);

    /* the other usages clear the lists */
    assert_hr_equal(ob_job_set_proxy(job, BG_JOB_PROXY_USAGE_NO_PROXY, NULL, NULL), S_OK);
    assert_int_equal(info_of(job).proxy_usage, BG_JOB_PROXY_USAGE_NO_PROXY);
    string_is(job, OB_PROP_PROXY_LIST, NULL);
    string_is(job, OB_PROP_PROXY_BYPASS, NULL);
    assert_hr_equal(ob_job_set_proxy(job, BG_JOB_PROXY_USAGE_AUTODETECT, NULL, NULL), S_OK);
    assert_hr_equal(ob_job_set_proxy(job, BG_JOB_PROXY_USAGE_PRECONFIG, NULL, NULL), S_OK);
    assert_int_equal(info_of(job).proxy_usage, BG_JOB_PROXY_USAGE_PRECONFIG);
    free(longest);
    free(too_long);
    ob_job_release(job);
}

static void test_notify_cmdline(void **state)
{
    ob_job *job = new_job(BG_JOB_TYPE_DOWNLOAD);
    WCHAR *program = repeat('c', MAX_PATH), *long_program = repeat('c', MAX_PATH + 1);
    WCHAR *params = repeat('a', 4000), *long_params = repeat('a', 4001);

    assert_hr_equal(ob_job_set_notify_cmdline(job, L"C:\\windows\\notepad.exe", L"notepad.exe file.txt"), S_OK);
    string_is(job, OB_PROP_NOTIFY_PROGRAM, L"C:\\windows\\notepad.exe");
    string_is(job, OB_PROP_NOTIFY_PARAMETERS, L"notepad.exe file.txt");

    assert_hr_equal(ob_job_set_notify_cmdline(job, NULL, L"params"), E_INVALIDARG);
    assert_hr_equal(ob_job_set_notify_cmdline(job, long_program, NULL), BG_E_STRING_TOO_LONG);
    assert_hr_equal(ob_job_set_notify_cmdline(job, L"C:\\p.exe", long_params), BG_E_STRING_TOO_LONG);
    string_is(job, OB_PROP_NOTIFY_PROGRAM, L"C:\\windows\\notepad.exe");
    string_is(job, OB_PROP_NOTIFY_PARAMETERS, L"notepad.exe file.txt");

    assert_hr_equal(ob_job_set_notify_cmdline(job, program, params), S_OK);
    string_is(job, OB_PROP_NOTIFY_PROGRAM, program);
    string_is(job, OB_PROP_NOTIFY_PARAMETERS, params);
    assert_hr_equal(ob_job_set_notify_cmdline(job, L"C:\\p.exe", NULL), S_OK);
    string_is(job, OB_PROP_NOTIFY_PROGRAM, L"C:\\p.exe");

    /* NULL, NULL removes the command line */
    assert_hr_equal(ob_job_set_notify_cmdline(job, NULL, NULL), S_OK);
    string_is(job, OB_PROP_NOTIFY_PROGRAM, L"");
    string_is(job, OB_PROP_NOTIFY_PARAMETERS, L"");
    free(program);
    free(long_program);
    free(params);
    free(long_params);
    ob_job_release(job);
}

static void test_credentials(void **state)
{
    ob_job *job = new_job(BG_JOB_TYPE_DOWNLOAD);
    WCHAR *user = repeat('u', 300), *long_user = repeat('u', 301);
    WCHAR *password = repeat('w', 65536), *long_password = repeat('w', 65537);
    BG_AUTH_CREDENTIALS c;

    c = credentials(0, BG_AUTH_SCHEME_BASIC, L"u", L"p");
    assert_hr_equal(ob_job_set_credentials(job, &c), BG_E_INVALID_AUTH_TARGET);
    c = credentials(3, BG_AUTH_SCHEME_BASIC, L"u", L"p");
    assert_hr_equal(ob_job_set_credentials(job, &c), BG_E_INVALID_AUTH_TARGET);
    c = credentials(BG_AUTH_TARGET_SERVER, 0, L"u", L"p");
    assert_hr_equal(ob_job_set_credentials(job, &c), BG_E_INVALID_AUTH_SCHEME);
    c = credentials(BG_AUTH_TARGET_PROXY, 6, L"u", L"p");
    assert_hr_equal(ob_job_set_credentials(job, &c), BG_E_INVALID_AUTH_SCHEME);

    /* BASIC and DIGEST need both a user name and a password */
    c = credentials(BG_AUTH_TARGET_SERVER, BG_AUTH_SCHEME_BASIC, NULL, L"p");
    assert_hr_equal(ob_job_set_credentials(job, &c), E_INVALIDARG);
    c = credentials(BG_AUTH_TARGET_SERVER, BG_AUTH_SCHEME_BASIC, L"u", NULL);
    assert_hr_equal(ob_job_set_credentials(job, &c), E_INVALIDARG);
    c = credentials(BG_AUTH_TARGET_PROXY, BG_AUTH_SCHEME_DIGEST, NULL, NULL);
    assert_hr_equal(ob_job_set_credentials(job, &c), E_INVALIDARG);
    /* NTLM and NEGOTIATE may use the caller's own credentials */
    c = credentials(BG_AUTH_TARGET_SERVER, BG_AUTH_SCHEME_NTLM, NULL, NULL);
    assert_hr_equal(ob_job_set_credentials(job, &c), S_OK);
    c = credentials(BG_AUTH_TARGET_PROXY, BG_AUTH_SCHEME_NEGOTIATE, NULL, NULL);
    assert_hr_equal(ob_job_set_credentials(job, &c), S_OK);

    /* lengths */
    c = credentials(BG_AUTH_TARGET_SERVER, BG_AUTH_SCHEME_BASIC, user, password);
    assert_hr_equal(ob_job_set_credentials(job, &c), S_OK);
    c = credentials(BG_AUTH_TARGET_SERVER, BG_AUTH_SCHEME_BASIC, long_user, L"p");
    assert_hr_equal(ob_job_set_credentials(job, &c), BG_E_USERNAME_TOO_LARGE);
    c = credentials(BG_AUTH_TARGET_SERVER, BG_AUTH_SCHEME_BASIC, L"u", long_password);
    assert_hr_equal(ob_job_set_credentials(job, &c), BG_E_PASSWORD_TOO_LARGE);

    /* RemoveCredentials: S_OK when set, S_FALSE when not */
    assert_hr_equal(ob_job_remove_credentials(job, BG_AUTH_TARGET_SERVER, BG_AUTH_SCHEME_BASIC), S_OK);
    assert_hr_equal(ob_job_remove_credentials(job, BG_AUTH_TARGET_SERVER, BG_AUTH_SCHEME_BASIC), S_FALSE);
    assert_hr_equal(ob_job_remove_credentials(job, BG_AUTH_TARGET_PROXY, BG_AUTH_SCHEME_BASIC), S_FALSE);
    assert_hr_equal(ob_job_remove_credentials(job, BG_AUTH_TARGET_SERVER, BG_AUTH_SCHEME_DIGEST), S_FALSE);
    assert_hr_equal(ob_job_remove_credentials(job, BG_AUTH_TARGET_SERVER, BG_AUTH_SCHEME_NTLM), S_OK);
    assert_hr_equal(ob_job_remove_credentials(job, BG_AUTH_TARGET_PROXY, BG_AUTH_SCHEME_NEGOTIATE), S_OK);
    assert_hr_equal(ob_job_remove_credentials(job, BG_AUTH_TARGET_PROXY, BG_AUTH_SCHEME_PASSPORT), S_FALSE);
    assert_hr_equal(ob_job_remove_credentials(job, 0, BG_AUTH_SCHEME_BASIC), BG_E_INVALID_AUTH_TARGET);
    assert_hr_equal(ob_job_remove_credentials(job, BG_AUTH_TARGET_SERVER, 6), BG_E_INVALID_AUTH_SCHEME);

    /* setting twice replaces */
    c = credentials(BG_AUTH_TARGET_PROXY, BG_AUTH_SCHEME_DIGEST, L"u1", L"p1");
    assert_hr_equal(ob_job_set_credentials(job, &c), S_OK);
    c = credentials(BG_AUTH_TARGET_PROXY, BG_AUTH_SCHEME_DIGEST, L"u2", L"p2");
    assert_hr_equal(ob_job_set_credentials(job, &c), S_OK);
    assert_hr_equal(ob_job_remove_credentials(job, BG_AUTH_TARGET_PROXY, BG_AUTH_SCHEME_DIGEST), S_OK);
    assert_hr_equal(ob_job_remove_credentials(job, BG_AUTH_TARGET_PROXY, BG_AUTH_SCHEME_DIGEST), S_FALSE);
    free(user);
    free(long_user);
    free(password);
    free(long_password);
    ob_job_release(job);
}

/* ---- files ---- */

static void test_add_download_files(void **state)
{
    ob_job *job = new_job(BG_JOB_TYPE_DOWNLOAD);
    BG_FILE_INFO set[2] = {
        { L"http://server/a.bin", (WCHAR *)ts_path(L"a.bin") },
        { L"file://C:\\windows\\win.ini", (WCHAR *)ts_path(L"b.bin") },
    };
    BG_FILE_PROGRESS fp;
    BG_JOB_PROGRESS p;
    WCHAR *name;

    assert_hr_equal(ob_job_add_files(job, 2, set, 0), S_OK);
    assert_int_equal(ob_job_file_count(job), 2);
    assert_hr_equal(ob_job_get_file_name(job, 0, TRUE, &name), S_OK);
    assert_true(!wcscmp(name, L"http://server/a.bin"));
    CoTaskMemFree(name);
    assert_hr_equal(ob_job_get_file_name(job, 1, FALSE, &name), S_OK);
    assert_true(!wcscmp(name, ts_path(L"b.bin")));
    CoTaskMemFree(name);
    {
        ULONG index = 0;
        ob_remote_kind kind;
        WCHAR *remote;
        BOOL sized;

        assert_true(ob_job_next_file(job, &index, &remote, &kind, &sized));
        assert_int_equal(index, 0);
        assert_int_equal(kind, OB_REMOTE_HTTP);
        ob_str_free(remote);
        index = 1;
        assert_true(ob_job_next_file(job, &index, &remote, &kind, &sized));
        assert_int_equal(index, 1);
        assert_int_equal(kind, OB_REMOTE_FILE);
        ob_str_free(remote);
    }

    assert_hr_equal(ob_job_get_file_progress(job, 1, &fp), S_OK);
    assert_true(fp.BytesTotal == BG_SIZE_UNKNOWN);
    assert_true(fp.BytesTransferred == 0);
    assert_false(fp.Completed);
    p = progress_of(job);
    assert_true(p.BytesTotal == BG_SIZE_UNKNOWN);
    assert_int_equal(p.FilesTotal, 2);
    assert_int_equal(p.FilesTransferred, 0);

    assert_hr_equal(ob_job_get_file_progress(job, 2, &fp), E_INVALIDARG);
    assert_hr_equal(ob_job_get_file_name(job, 2, TRUE, &name), E_INVALIDARG);
    /* adding files leaves a suspended job suspended */
    assert_int_equal(state_of(job), BG_JOB_STATE_SUSPENDED);
    assert_hr_equal(ob_job_add_files(job, 0, set, 0), E_INVALIDARG);
    ob_job_release(job);
}

static void test_add_many_files(void **state)
{
    ob_job *job = new_job(BG_JOB_TYPE_DOWNLOAD);
    ULONG i;

    for (i = 0; i < 300; i++) add_download(job, L"many.bin");
    assert_int_equal(ob_job_file_count(job), 300);
    assert_int_equal(progress_of(job).FilesTotal, 300);
    ob_job_release(job);
}

static void test_a_set_with_one_bad_name_adds_nothing(void **state)
{
    ob_job *job = new_job(BG_JOB_TYPE_DOWNLOAD);
    WCHAR missing[MAX_PATH];
    BG_FILE_INFO bad_remote[3] = {
        { L"http://server/a.bin", (WCHAR *)ts_path(L"a.bin") },
        { L"http://server/b.bin", (WCHAR *)ts_path(L"b.bin") },
        { L"ftp://server/c.bin", (WCHAR *)ts_path(L"c.bin") },
    };
    BG_FILE_INFO bad_local[2] = {
        { L"http://server/a.bin", (WCHAR *)ts_path(L"a.bin") },
        { L"http://server/b.bin", missing },
    };

    swprintf(missing, MAX_PATH, L"%ls\\missing-dir\\b.bin", ts_scratch_dir());
    add_download(job, L"first.bin");
    assert_hr_equal(ob_job_add_files(job, 3, bad_remote, 0), E_INVALIDARG);
    assert_int_equal(ob_job_file_count(job), 1);
    assert_hr_equal(ob_job_add_files(job, 2, bad_local, 0), HRESULT_FROM_WIN32(ERROR_PATH_NOT_FOUND));
    assert_int_equal(ob_job_file_count(job), 1);
    assert_int_equal(progress_of(job).FilesTotal, 1);
    bad_local[1].LocalName = L"relative.bin";
    assert_hr_equal(ob_job_add_files(job, 2, bad_local, 0), E_INVALIDARG);
    assert_int_equal(ob_job_file_count(job), 1);
    ob_job_release(job);
}

static void test_max_files_per_job(void **state)
{
    ob_job *job = new_job(BG_JOB_TYPE_DOWNLOAD);
    BG_FILE_INFO set[2] = {
        { L"http://server/a.bin", (WCHAR *)ts_path(L"a.bin") },
        { L"http://server/b.bin", (WCHAR *)ts_path(L"b.bin") },
    };

    assert_hr_equal(ob_job_add_files(job, 2, set, 3), S_OK);
    assert_hr_equal(ob_job_add_files(job, 2, set, 3), BG_E_TOO_MANY_FILES_IN_JOB);
    assert_int_equal(ob_job_file_count(job), 2);
    assert_hr_equal(ob_job_add_files(job, 1, set, 3), S_OK);
    assert_hr_equal(ob_job_add_files(job, 1, set, 3), BG_E_TOO_MANY_FILES_IN_JOB);
    assert_int_equal(ob_job_file_count(job), 3);
    assert_int_equal(progress_of(job).FilesTotal, 3);
    /* 0: no limit */
    assert_hr_equal(ob_job_add_files(job, 2, set, 0), S_OK);
    assert_int_equal(ob_job_file_count(job), 5);
    ob_job_release(job);
}

static void test_upload_jobs_hold_one_file(void **state)
{
    const BG_JOB_TYPE types[] = { BG_JOB_TYPE_UPLOAD, BG_JOB_TYPE_UPLOAD_REPLY };
    BG_FILE_INFO set[2] = {
        { L"http://server/up/a.bin", (WCHAR *)ts_path(L"up-a.bin") },
        { L"http://server/up/b.bin", (WCHAR *)ts_path(L"up-b.bin") },
    };
    int i;

    ts_write_file(ts_path(L"up-a.bin"), "a", 1);
    ts_write_file(ts_path(L"up-b.bin"), "b", 1);
    for (i = 0; i < 2; i++)
    {
        ob_job *job = new_job(types[i]);
        /* a set of two adds nothing */
        assert_hr_equal(ob_job_add_files(job, 2, set, 0), BG_E_TOO_MANY_FILES);
        assert_int_equal(ob_job_file_count(job), 0);
        /* the upload file must exist */
        assert_hr_equal(add_one(job, L"http://server/up/x.bin", ts_path(L"missing.bin"), 0),
                        HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND));
        assert_int_equal(ob_job_file_count(job), 0);
        assert_hr_equal(ob_job_add_files(job, 1, set, 0), S_OK);
        assert_hr_equal(ob_job_add_files(job, 1, set + 1, 0), BG_E_TOO_MANY_FILES);
        assert_hr_equal(ob_job_add_files(job, 1, set + 1, 1), BG_E_TOO_MANY_FILES);
        assert_int_equal(ob_job_file_count(job), 1);
        ob_job_release(job);
    }
}

static void test_files_added_to_transferred_job_requeue_it(void **state)
{
    ob_job *job = new_job(BG_JOB_TYPE_DOWNLOAD);
    add_download(job, L"a.bin");
    claim(job);
    ob_str_free(finish_file(job, 0, "a"));
    all_transferred(job);
    add_download(job, L"b.bin");
    assert_int_equal(state_of(job), BG_JOB_STATE_QUEUED);
    ob_job_release(job);
}

/* ---- state changes ---- */

static void test_resume_and_suspend(void **state)
{
    ob_job *job = new_job(BG_JOB_TYPE_DOWNLOAD);

    assert_hr_equal(ob_job_resume(job), BG_E_EMPTY);
    assert_int_equal(state_of(job), BG_JOB_STATE_SUSPENDED);
    add_download(job, L"a.bin");
    assert_hr_equal(ob_job_resume(job), S_OK);
    assert_int_equal(state_of(job), BG_JOB_STATE_QUEUED);
    assert_hr_equal(ob_job_resume(job), S_OK);
    assert_int_equal(state_of(job), BG_JOB_STATE_QUEUED);
    assert_hr_equal(ob_job_suspend(job), S_OK);
    assert_int_equal(state_of(job), BG_JOB_STATE_SUSPENDED);
    assert_hr_equal(ob_job_suspend(job), S_OK);
    assert_int_equal(state_of(job), BG_JOB_STATE_SUSPENDED);
    claim(job);
    fail_job(job, FALSE);
    assert_int_equal(state_of(job), BG_JOB_STATE_ERROR);
    assert_hr_equal(ob_job_resume(job), S_OK);
    assert_int_equal(state_of(job), BG_JOB_STATE_QUEUED);
    ob_job_release(job);
}

/* Everything that changes a job fails with BG_E_INVALID_STATE once it is final. */
static void assert_frozen(ob_job *job)
{
    BG_AUTH_CREDENTIALS c = credentials(BG_AUTH_TARGET_SERVER, BG_AUTH_SCHEME_NTLM, NULL, NULL);
    BG_JOB_STATE final = state_of(job);
    test_sink sink;

    ts_sink_init(&sink);
    assert_true(final == BG_JOB_STATE_CANCELLED || final == BG_JOB_STATE_ACKNOWLEDGED);
    assert_hr_equal(ob_job_cancel(job), BG_E_INVALID_STATE);
    assert_hr_equal(ob_job_complete(job), BG_E_INVALID_STATE);
    assert_hr_equal(ob_job_resume(job), BG_E_INVALID_STATE);
    assert_hr_equal(ob_job_suspend(job), BG_E_INVALID_STATE);
    assert_hr_equal(add_one(job, L"http://server/x.bin", ts_path(L"x.bin"), 0), BG_E_INVALID_STATE);
    assert_hr_equal(ob_job_set_display_name(job, L"x"), BG_E_INVALID_STATE);
    assert_hr_equal(ob_job_set_description(job, L"x"), BG_E_INVALID_STATE);
    assert_hr_equal(ob_job_set_priority(job, BG_JOB_PRIORITY_HIGH), BG_E_INVALID_STATE);
    assert_hr_equal(ob_job_set_notify_flags(job, BG_NOTIFY_JOB_ERROR), BG_E_INVALID_STATE);
    assert_hr_equal(ob_job_set_notify_sink(job, &sink.sink), BG_E_INVALID_STATE);
    assert_hr_equal(ob_job_set_notify_sink(job, NULL), BG_E_INVALID_STATE);
    assert_int_equal(sink.refs, 1);
    assert_hr_equal(ob_job_set_retry_delay(job, 60), BG_E_INVALID_STATE);
    assert_hr_equal(ob_job_set_no_progress_timeout(job, 60), BG_E_INVALID_STATE);
    assert_hr_equal(ob_job_set_proxy(job, BG_JOB_PROXY_USAGE_NO_PROXY, NULL, NULL), BG_E_INVALID_STATE);
    assert_hr_equal(ob_job_set_notify_cmdline(job, L"C:\\p.exe", NULL), BG_E_INVALID_STATE);
    assert_hr_equal(ob_job_set_credentials(job, &c), BG_E_INVALID_STATE);
    assert_hr_equal(ob_job_remove_credentials(job, BG_AUTH_TARGET_SERVER, BG_AUTH_SCHEME_NTLM), BG_E_INVALID_STATE);
    assert_hr_equal(change_owner(job, L"S-1-5-18"), BG_E_INVALID_STATE);
    if (ob_job_type(job) == BG_JOB_TYPE_UPLOAD_REPLY)
        assert_hr_equal(ob_job_set_reply_file_name(job, NULL), BG_E_INVALID_STATE);
    /* nothing moved */
    assert_int_equal(state_of(job), final);
    string_is(job, OB_PROP_DISPLAY_NAME, L"test job");
    string_is(job, OB_PROP_OWNER, OWNER);
    assert_int_equal(info_of(job).priority, BG_JOB_PRIORITY_NORMAL);
}

static void test_cancel_is_final(void **state)
{
    ob_job *job = new_job(BG_JOB_TYPE_DOWNLOAD);
    add_download(job, L"a.bin");
    assert_hr_equal(ob_job_resume(job), S_OK);
    assert_hr_equal(ob_job_cancel(job), S_OK);
    assert_int_equal(state_of(job), BG_JOB_STATE_CANCELLED);
    assert_frozen(job);
    ob_job_release(job);

    /* a job with no files can be cancelled too */
    job = new_job(BG_JOB_TYPE_UPLOAD_REPLY);
    assert_hr_equal(ob_job_cancel(job), S_OK);
    assert_frozen(job);
    ob_job_release(job);
}

static void test_complete_download_with_nothing_transferred(void **state)
{
    ob_job *job = new_job(BG_JOB_TYPE_DOWNLOAD);
    add_download(job, L"never.bin");
    assert_hr_equal(ob_job_complete(job), BG_S_PARTIAL_COMPLETE);
    assert_int_equal(state_of(job), BG_JOB_STATE_ACKNOWLEDGED);
    assert_false(ts_file_exists(ts_path(L"never.bin")));
    assert_frozen(job);
    ob_job_release(job);
}

static void test_complete_upload_needs_transferred(void **state)
{
    const BG_JOB_TYPE types[] = { BG_JOB_TYPE_UPLOAD, BG_JOB_TYPE_UPLOAD_REPLY };
    FILETIME time = { 2, 2 };
    int i;

    ts_write_file(ts_path(L"up.bin"), "u", 1);
    for (i = 0; i < 2; i++)
    {
        ob_job *job = new_job(types[i]);
        assert_hr_equal(add_one(job, L"http://server/up.bin", ts_path(L"up.bin"), 0), S_OK);
        assert_hr_equal(ob_job_complete(job), BG_E_INVALID_STATE);
        assert_int_equal(state_of(job), BG_JOB_STATE_SUSPENDED);
#define NOT_YET(want) do { \
            assert_int_equal(state_of(job), want); \
            assert_hr_equal(ob_job_complete(job), BG_E_INVALID_STATE); \
            assert_int_equal(state_of(job), want); \
        } while (0)
        assert_hr_equal(ob_job_resume(job), S_OK);
        NOT_YET(BG_JOB_STATE_QUEUED);
        claim(job);
        NOT_YET(BG_JOB_STATE_CONNECTING);
        assert_hr_equal(ob_job_upload_check_file(job, 1, &time), S_OK);
        NOT_YET(BG_JOB_STATE_TRANSFERRING);
        fail_job(job, FALSE);
        NOT_YET(BG_JOB_STATE_ERROR);
        claim(job);
        fail_job(job, TRUE);
        NOT_YET(BG_JOB_STATE_TRANSIENT_ERROR);
#undef NOT_YET
        /* the engine uploads the file and the job becomes TRANSFERRED */
        claim(job);
        send_upload(job, 1);
        all_transferred(job);
        assert_hr_equal(ob_job_complete(job), S_OK);
        assert_int_equal(state_of(job), BG_JOB_STATE_ACKNOWLEDGED);
        /* the upload file is the user's: it stays */
        assert_true(ts_file_exists(ts_path(L"up.bin")));
        ob_job_release(job);
    }
}

static void test_cancel_deletes_only_its_temporary_files(void **state)
{
    ob_job *job = new_job(BG_JOB_TYPE_DOWNLOAD);
    const WCHAR *dest = ts_path(L"cancel-dest.bin");
    WCHAR *temp, *done_temp;

    ts_write_file(dest, "precious", 8);
    add_download(job, L"cancel-dest.bin");
    add_download(job, L"cancel-other.bin");
    claim(job);
    temp = start_file(job, 0, "part", 8);
    done_temp = finish_file(job, 1, "complete");
    assert_true(ts_file_exists(temp) && ts_file_exists(done_temp));

    assert_hr_equal(ob_job_cancel(job), S_OK);
    assert_int_equal(state_of(job), BG_JOB_STATE_CANCELLED);
    assert_false(ts_file_exists(temp));
    assert_false(ts_file_exists(done_temp));
    assert_false(ts_file_exists(ts_path(L"cancel-other.bin")));
    assert_true(ts_file_exists(dest));
    content_is(dest, "precious");
    ob_job_sched_unclaim(job);
    ob_str_free(temp);
    ob_str_free(done_temp);
    ob_job_release(job);
}

static void test_cancel_reports_undeletable_files(void **state)
{
    ob_job *job = new_job(BG_JOB_TYPE_DOWNLOAD);
    WCHAR *temp;
    HANDLE locked;

    add_download(job, L"locked-dest.bin");
    claim(job);
    temp = start_file(job, 0, "part", 8);
    locked = CreateFileW(temp, GENERIC_READ, 0, NULL, OPEN_EXISTING, 0, NULL);
    assert_true(locked != INVALID_HANDLE_VALUE);
    assert_hr_equal(ob_job_cancel(job), BG_S_UNABLE_TO_DELETE_FILES);
    assert_int_equal(state_of(job), BG_JOB_STATE_CANCELLED);
    CloseHandle(locked);
    DeleteFileW(temp);
    ob_job_sched_unclaim(job);
    ob_str_free(temp);
    ob_job_release(job);
}

static void test_complete_renames_finished_files(void **state)
{
    ob_job *job = new_job(BG_JOB_TYPE_DOWNLOAD);
    const WCHAR *dest0 = ts_path(L"done0.bin"), *dest1 = ts_path(L"done1.bin"), *dest2 = ts_path(L"part2.bin");
    WCHAR *temp0, *temp1, *temp2;
    BG_JOB_PROGRESS p;

    ts_write_file(dest0, "old contents", 12);
    add_download(job, L"done0.bin");
    add_download(job, L"done1.bin");
    add_download(job, L"part2.bin");
    claim(job);
    temp0 = finish_file(job, 0, "new zero");
    temp1 = finish_file(job, 1, "new one");
    temp2 = start_file(job, 2, "partial", 20);
    p = progress_of(job);
    assert_int_equal(p.FilesTransferred, 2);

    /* download jobs may complete at any time; only finished files are kept */
    assert_hr_equal(ob_job_complete(job), BG_S_PARTIAL_COMPLETE);
    assert_int_equal(state_of(job), BG_JOB_STATE_ACKNOWLEDGED);
    content_is(dest0, "new zero");
    content_is(dest1, "new one");
    assert_false(ts_file_exists(temp0));
    assert_false(ts_file_exists(temp1));
    assert_false(ts_file_exists(temp2));
    assert_false(ts_file_exists(dest2));
    ob_job_sched_unclaim(job);
    ob_str_free(temp0);
    ob_str_free(temp1);
    ob_str_free(temp2);
    ob_job_release(job);
}

static void test_complete_all_transferred(void **state)
{
    ob_job *job = new_job(BG_JOB_TYPE_DOWNLOAD);
    WCHAR *temp;

    add_download(job, L"whole.bin");
    claim(job);
    temp = finish_file(job, 0, "whole");
    all_transferred(job);
    assert_hr_equal(ob_job_complete(job), S_OK);
    assert_int_equal(state_of(job), BG_JOB_STATE_ACKNOWLEDGED);
    content_is(ts_path(L"whole.bin"), "whole");
    assert_false(ts_file_exists(temp));
    ob_str_free(temp);
    ob_job_release(job);
}

static void test_complete_with_failed_rename_stays_transferred(void **state)
{
    ob_job *job = new_job(BG_JOB_TYPE_DOWNLOAD);
    const WCHAR *dest = ts_path(L"late.bin");
    WCHAR *temp;
    HRESULT hr;

    assert_hr_equal(add_one(job, L"http://server/late.bin", dest, 0), S_OK);
    claim(job);
    temp = finish_file(job, 0, "fresh");
    all_transferred(job);
    /* a directory takes the destination's name before Complete: the rename fails */
    assert_true(CreateDirectoryW(dest, NULL));
    hr = ob_job_complete(job);
    assert_true(FAILED(hr));
    assert_int_equal(state_of(job), BG_JOB_STATE_TRANSFERRED);
    assert_true(ts_file_exists(temp));

    assert_true(RemoveDirectoryW(dest));
    assert_hr_equal(ob_job_complete(job), S_OK);
    assert_int_equal(state_of(job), BG_JOB_STATE_ACKNOWLEDGED);
    content_is(dest, "fresh");
    assert_false(ts_file_exists(temp));
    DeleteFileW(dest);
    ob_str_free(temp);
    ob_job_release(job);
}

static void test_complete_empty_download(void **state)
{
    ob_job *job = new_job(BG_JOB_TYPE_DOWNLOAD);
    assert_hr_equal(ob_job_complete(job), S_OK);
    assert_int_equal(state_of(job), BG_JOB_STATE_ACKNOWLEDGED);
    ob_job_release(job);
}

/* ---- reply ---- */

static void test_reply_apis_not_implemented_for_other_types(void **state)
{
    const BG_JOB_TYPE types[] = { BG_JOB_TYPE_DOWNLOAD, BG_JOB_TYPE_UPLOAD };
    int i;

    for (i = 0; i < 2; i++)
    {
        ob_job *job = new_job(types[i]);
        BG_JOB_REPLY_PROGRESS rp;
        BYTE *buffer = NULL;
        UINT64 length = 0;
        WCHAR *name = NULL;

        assert_hr_equal(ob_job_get_reply_progress(job, &rp), E_NOTIMPL);
        assert_hr_equal(ob_job_get_reply_data(job, &buffer, &length), E_NOTIMPL);
        assert_hr_equal(ob_job_get_string(job, OB_PROP_REPLY_FILE_NAME, &name), E_NOTIMPL);
        assert_hr_equal(ob_job_set_reply_file_name(job, ts_path(L"reply.bin")), E_NOTIMPL);
        if (types[i] == BG_JOB_TYPE_DOWNLOAD)
        {
            add_download(job, L"not-a-reply.bin");
            claim(job);
            ob_str_free(finish_file(job, 0, "d"));
        }
        else
        {
            ts_write_file(ts_path(L"not-a-reply-up.bin"), "u", 1);
            assert_hr_equal(add_one(job, L"http://server/up.bin", ts_path(L"not-a-reply-up.bin"), 0), S_OK);
            claim(job);
            send_upload(job, 1);
        }
        all_transferred(job);
        assert_hr_equal(ob_job_get_reply_data(job, &buffer, &length), E_NOTIMPL);
        ob_job_release(job);
    }
}

static void test_upload_reply_progress_and_data(void **state)
{
    ob_job *job = new_job(BG_JOB_TYPE_UPLOAD_REPLY);
    BG_JOB_REPLY_PROGRESS rp;
    BYTE *buffer = (BYTE *)1;
    UINT64 length = 99;

    memset(&rp, 0xcc, sizeof(rp));
    assert_hr_equal(ob_job_get_reply_progress(job, &rp), S_OK);
    assert_true(rp.BytesTotal == BG_SIZE_UNKNOWN);
    assert_true(rp.BytesTransferred == 0);

    assert_hr_equal(ob_job_get_reply_data(job, &buffer, &length), BG_E_INVALID_STATE);
    ts_write_file(ts_path(L"ur.bin"), "u", 1);
    assert_hr_equal(add_one(job, L"http://server/ur.bin", ts_path(L"ur.bin"), 0), S_OK);
    assert_hr_equal(ob_job_resume(job), S_OK);
    assert_hr_equal(ob_job_get_reply_data(job, &buffer, &length), BG_E_INVALID_STATE);
    claim(job);
    assert_hr_equal(ob_job_get_reply_data(job, &buffer, &length), BG_E_INVALID_STATE);
    send_upload(job, 1);
    assert_hr_equal(ob_job_get_reply_data(job, &buffer, &length), BG_E_INVALID_STATE);
    fail_job(job, FALSE);
    assert_int_equal(state_of(job), BG_JOB_STATE_ERROR);
    assert_hr_equal(ob_job_get_reply_data(job, &buffer, &length), BG_E_INVALID_STATE);

    /* transferred without a reply: a NULL buffer */
    claim(job);
    all_transferred(job);
    buffer = (BYTE *)1;
    assert_hr_equal(ob_job_get_reply_data(job, &buffer, &length), S_OK);
    assert_null(buffer);
    assert_true(length == 0);
    ob_job_release(job);
}

static void test_upload_reply_file_name(void **state)
{
    ob_job *job = new_job(BG_JOB_TYPE_UPLOAD_REPLY);
    const WCHAR *dir = ts_scratch_dir();
    WCHAR *name = (WCHAR *)1, missing[MAX_PATH];
    size_t dir_len = wcslen(dir);

    /* nothing set and no file yet: NULL */
    assert_hr_equal(ob_job_get_string(job, OB_PROP_REPLY_FILE_NAME, &name), S_OK);
    assert_null(name);

    ts_write_file(ts_path(L"payload.bin"), "payload", 7);
    assert_hr_equal(add_one(job, L"http://server/payload.bin", ts_path(L"payload.bin"), 0), S_OK);
    assert_hr_equal(ob_job_get_string(job, OB_PROP_REPLY_FILE_NAME, &name), S_OK);
    assert_non_null(name);
    /* generated in the upload file's directory */
    assert_true(!_wcsnicmp(name, dir, dir_len) && name[dir_len] == '\\');
    assert_null(wcschr(name + dir_len + 1, '\\'));
    assert_true(wcslen(name) > dir_len + 1);
    assert_true(wcscmp(name, ts_path(L"payload.bin")));
    CoTaskMemFree(name);

    /* SetReplyFileName validation */
    assert_hr_equal(ob_job_set_reply_file_name(job, L"reply.bin"), E_INVALIDARG);
    assert_hr_equal(ob_job_set_reply_file_name(job, L"dir\\reply.bin"), E_INVALIDARG);
    assert_hr_equal(ob_job_set_reply_file_name(job, dir), E_INVALIDARG);
    swprintf(missing, MAX_PATH, L"%ls\\no-dir\\reply.bin", dir);
    assert_true(FAILED(ob_job_set_reply_file_name(job, missing)));
    assert_hr_equal(ob_job_set_reply_file_name(job, missing), HRESULT_FROM_WIN32(ERROR_PATH_NOT_FOUND));
    assert_hr_equal(ob_job_set_reply_file_name(job, ts_path(L"my-reply.bin")), S_OK);
    string_is(job, OB_PROP_REPLY_FILE_NAME, ts_path(L"my-reply.bin"));

    /* NULL or "" goes back to a generated name */
    assert_hr_equal(ob_job_set_reply_file_name(job, NULL), S_OK);
    assert_hr_equal(ob_job_get_string(job, OB_PROP_REPLY_FILE_NAME, &name), S_OK);
    assert_non_null(name);
    assert_true(!_wcsnicmp(name, dir, dir_len) && name[dir_len] == '\\');
    assert_true(wcscmp(name, ts_path(L"my-reply.bin")));
    CoTaskMemFree(name);
    assert_hr_equal(ob_job_set_reply_file_name(job, ts_path(L"my-reply.bin")), S_OK);
    assert_hr_equal(ob_job_set_reply_file_name(job, L""), S_OK);
    assert_hr_equal(ob_job_get_string(job, OB_PROP_REPLY_FILE_NAME, &name), S_OK);
    assert_non_null(name);
    assert_true(wcscmp(name, ts_path(L"my-reply.bin")));
    CoTaskMemFree(name);

    /* once the reply download has begun, or the job is transferred, it is too late */
    {
        UINT64 offset = 1;
        ob_job *done;

        claim(job);
        send_upload(job, 7);
        assert_hr_equal(ob_job_reply_begin(job, 10, &name, &offset), S_OK);
        ob_str_free(name);
        assert_hr_equal(ob_job_set_reply_file_name(job, ts_path(L"late.bin")), BG_E_INVALID_STATE);
        assert_true(SUCCEEDED(ob_job_cancel(job)));
        ob_job_sched_unclaim(job);

        done = new_job(BG_JOB_TYPE_UPLOAD_REPLY);
        assert_hr_equal(add_one(done, L"http://server/payload.bin", ts_path(L"payload.bin"), 0), S_OK);
        claim(done);
        send_upload(done, 7);
        all_transferred(done);
        assert_hr_equal(ob_job_set_reply_file_name(done, ts_path(L"late.bin")), BG_E_INVALID_STATE);
        assert_hr_equal(ob_job_complete(done), S_OK);
        ob_job_release(done);
    }
    ob_job_release(job);
}

static void test_reply_file_name_set_before_any_file(void **state)
{
    ob_job *job = new_job(BG_JOB_TYPE_UPLOAD_REPLY);
    assert_hr_equal(ob_job_set_reply_file_name(job, ts_path(L"early-reply.bin")), S_OK);
    ts_write_file(ts_path(L"early.bin"), "e", 1);
    assert_hr_equal(add_one(job, L"http://server/early.bin", ts_path(L"early.bin"), 0), S_OK);
    /* adding the file does not replace a name the caller chose */
    string_is(job, OB_PROP_REPLY_FILE_NAME, ts_path(L"early-reply.bin"));
    /* NULL before any file: NULL again */
    ob_job_release(job);
    job = new_job(BG_JOB_TYPE_UPLOAD_REPLY);
    assert_hr_equal(ob_job_set_reply_file_name(job, NULL), S_OK);
    string_is(job, OB_PROP_REPLY_FILE_NAME, NULL);
    ob_job_release(job);
}

/* The generated name is held by an empty file of ours: replacing the name,
 * or Cancel, deletes it; a name the caller chose is never created or deleted. */
static void test_generated_reply_file_is_ours(void **state)
{
    ob_job *job = new_job(BG_JOB_TYPE_UPLOAD_REPLY);
    WCHAR *generated = NULL, *again = NULL;

    ts_write_file(ts_path(L"own.bin"), "o", 1);
    assert_hr_equal(add_one(job, L"http://server/own.bin", ts_path(L"own.bin"), 0), S_OK);
    assert_hr_equal(ob_job_get_string(job, OB_PROP_REPLY_FILE_NAME, &generated), S_OK);
    assert_true(ts_file_exists(generated));
    /* SetReplyFileName(NULL) keeps the generated name (and its file) */
    assert_hr_equal(ob_job_set_reply_file_name(job, NULL), S_OK);
    assert_hr_equal(ob_job_get_string(job, OB_PROP_REPLY_FILE_NAME, &again), S_OK);
    assert_true(!wcscmp(again, generated));
    CoTaskMemFree(again);
    /* a chosen name replaces it: the empty file goes, the chosen one is not made */
    assert_hr_equal(ob_job_set_reply_file_name(job, ts_path(L"chosen.reply")), S_OK);
    assert_false(ts_file_exists(generated));
    assert_false(ts_file_exists(ts_path(L"chosen.reply")));
    CoTaskMemFree(generated);
    /* back to a generated one, which Cancel removes */
    assert_hr_equal(ob_job_set_reply_file_name(job, L""), S_OK);
    assert_hr_equal(ob_job_get_string(job, OB_PROP_REPLY_FILE_NAME, &generated), S_OK);
    assert_true(ts_file_exists(generated));
    assert_hr_equal(ob_job_cancel(job), S_OK);
    assert_false(ts_file_exists(generated));
    assert_true(ts_file_exists(ts_path(L"own.bin")));
    CoTaskMemFree(generated);
    ob_job_release(job);
}

static char *read_text(const WCHAR *path)
{
    HANDLE f = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING, 0, NULL);
    DWORD size, got = 0;
    char *text;
    assert_true(f != INVALID_HANDLE_VALUE);
    size = GetFileSize(f, NULL);
    text = calloc(1, size + 1);
    assert_true(ReadFile(f, text, size, &got, NULL) && got == size);
    CloseHandle(f);
    return text;
}

/* AddFile's trace lines name the files, but never a password held in a URL. */
static void test_addfile_trace_hides_url_credentials(void **state)
{
    ob_job *job = new_job(BG_JOB_TYPE_DOWNLOAD);
    const WCHAR *log = ts_path(L"addfile-trace.log");
    char *text;

    assert_true(ob_trace_start(log));
    assert_hr_equal(add_one(job, L"http://alice:s3cret@server/x.bin", ts_path(L"x.bin"), 0), S_OK);
    assert_hr_equal(add_one(job, L"http://alice:s3cret@server:0/y.bin", ts_path(L"y.bin"), 0), E_INVALIDARG);
    ob_trace_stop();
    text = read_text(log);
    assert_non_null(strstr(text, "file 0 added: http://***@server/x.bin"));
    assert_non_null(strstr(text, "refused (0x80070057), first http://***@server:0/y.bin"));
    assert_null(strstr(text, "s3cret"));
    assert_null(strstr(text, "alice"));
    free(text);
    ob_job_release(job);
}

static void test_generated_reply_name_with_forward_slashes(void **state)
{
    ob_job *job = new_job(BG_JOB_TYPE_UPLOAD_REPLY);
    WCHAR upload[MAX_PATH], *name = NULL, *c;
    size_t dir_len = wcslen(ts_scratch_dir());

    wcscpy(upload, ts_path(L"fwd.bin"));
    ts_write_file(upload, "f", 1);
    for (c = upload; *c; c++) if (*c == '\\') *c = '/';
    assert_hr_equal(add_one(job, L"http://server/fwd.bin", upload, 0), S_OK);
    assert_hr_equal(ob_job_get_string(job, OB_PROP_REPLY_FILE_NAME, &name), S_OK);
    assert_non_null(name);
    /* in the upload file's directory, however its separators are written;
     * names are kept with '\\' once accepted */
    assert_true(!wcsncmp(name, ts_scratch_dir(), dir_len) && name[dir_len] == '\\');
    assert_null(wcschr(name + dir_len + 1, '\\'));
    assert_null(wcschr(name + dir_len + 1, '/'));
    CoTaskMemFree(name);
    ob_job_release(job);
}

/* ---- errors ---- */

static void test_record_error(void **state)
{
    ob_job *job = new_job(BG_JOB_TYPE_DOWNLOAD);
    ob_error_info transient = { BG_E_NETWORK_DISCONNECTED, BG_ERROR_CONTEXT_GENERAL_TRANSPORT, -1, OB_REMOTE_HTTP };
    ob_error_info fatal = { BG_E_HTTP_ERROR_404, BG_ERROR_CONTEXT_REMOTE_FILE, 0, OB_REMOTE_HTTP };
    ob_error_info got;

    add_download(job, L"e.bin");
    /* a suspended job is not transferring: no error can happen to it */
    assert_int_equal(ob_job_fail(job, &fatal, FALSE, 1000), BG_JOB_STATE_SUSPENDED);
    assert_int_equal(info_of(job).error_count, 0);
    assert_hr_equal(ob_job_get_error(job, &got), BG_E_ERROR_INFORMATION_UNAVAILABLE);

    assert_hr_equal(ob_job_resume(job), S_OK);
    assert_hr_equal(ob_job_get_error(job, &got), BG_E_ERROR_INFORMATION_UNAVAILABLE);
    assert_int_equal(ob_job_fail(job, &transient, TRUE, 1000), BG_JOB_STATE_TRANSIENT_ERROR);
    assert_int_equal(state_of(job), BG_JOB_STATE_TRANSIENT_ERROR);
    assert_int_equal(info_of(job).error_count, 1);
    assert_hr_equal(ob_job_get_error(job, &got), S_OK);
    assert_hr_equal(got.code, BG_E_NETWORK_DISCONNECTED);
    assert_int_equal(got.context, BG_ERROR_CONTEXT_GENERAL_TRANSPORT);
    assert_int_equal(got.file_index, -1);

    assert_int_equal(ob_job_fail(job, &fatal, FALSE, 1000), BG_JOB_STATE_ERROR);
    assert_int_equal(state_of(job), BG_JOB_STATE_ERROR);
    assert_int_equal(info_of(job).error_count, 2);
    assert_hr_equal(ob_job_get_error(job, &got), S_OK);
    assert_hr_equal(got.code, BG_E_HTTP_ERROR_404);
    assert_int_equal(got.context, BG_ERROR_CONTEXT_REMOTE_FILE);
    assert_int_equal(got.file_index, 0);
    assert_int_equal(got.protocol, OB_REMOTE_HTTP);

    /* the error object exists only while the job is in ERROR or TRANSIENT_ERROR */
    assert_hr_equal(ob_job_resume(job), S_OK);
    assert_int_equal(state_of(job), BG_JOB_STATE_QUEUED);
    assert_hr_equal(ob_job_get_error(job, &got), BG_E_ERROR_INFORMATION_UNAVAILABLE);
    assert_int_equal(info_of(job).error_count, 2);

    assert_hr_equal(ob_job_cancel(job), S_OK);
    assert_int_equal(ob_job_fail(job, &fatal, FALSE, 1000), BG_JOB_STATE_CANCELLED);
    assert_hr_equal(ob_job_get_error(job, &got), BG_E_ERROR_INFORMATION_UNAVAILABLE);
    ob_job_release(job);
}

/* ---- owner, times ---- */

static void test_change_owner_drops_credentials_and_cmdline(void **state)
{
    ob_job *job = new_job(BG_JOB_TYPE_DOWNLOAD);
    BG_AUTH_CREDENTIALS c = credentials(BG_AUTH_TARGET_SERVER, BG_AUTH_SCHEME_BASIC, L"user", L"secret");

    assert_hr_equal(ob_job_set_credentials(job, &c), S_OK);
    c = credentials(BG_AUTH_TARGET_PROXY, BG_AUTH_SCHEME_NTLM, NULL, NULL);
    assert_hr_equal(ob_job_set_credentials(job, &c), S_OK);
    assert_hr_equal(ob_job_set_notify_cmdline(job, L"C:\\p.exe", L"p.exe arg"), S_OK);
    assert_hr_equal(ob_job_set_description(job, L"kept"), S_OK);

    assert_hr_equal(change_owner(job, L"S-1-5-21-9-9-9-500"), S_OK);
    string_is(job, OB_PROP_OWNER, L"S-1-5-21-9-9-9-500");
    string_is(job, OB_PROP_NOTIFY_PROGRAM, L"");
    string_is(job, OB_PROP_NOTIFY_PARAMETERS, L"");
    assert_hr_equal(ob_job_remove_credentials(job, BG_AUTH_TARGET_SERVER, BG_AUTH_SCHEME_BASIC), S_FALSE);
    assert_hr_equal(ob_job_remove_credentials(job, BG_AUTH_TARGET_PROXY, BG_AUTH_SCHEME_NTLM), S_FALSE);
    string_is(job, OB_PROP_DESCRIPTION, L"kept");
    string_is(job, OB_PROP_DISPLAY_NAME, L"test job");
    ob_job_release(job);
}

static void test_times(void **state)
{
    ob_job *job;
    FILETIME before, after;
    ob_job_info info;
    ULONGLONG created;

    GetSystemTimeAsFileTime(&before);
    job = new_job(BG_JOB_TYPE_DOWNLOAD);
    GetSystemTimeAsFileTime(&after);
    info = info_of(job);
    created = ft64(info.times.CreationTime);
    assert_true(created >= ft64(before) && created <= ft64(after));

    Sleep(20);
    /* reading and failing do not modify */
    string_is(job, OB_PROP_DESCRIPTION, L"");
    assert_hr_equal(ob_job_set_priority(job, 9), E_NOTIMPL);
    assert_true(ft64(info_of(job).times.ModificationTime) == created);

    assert_hr_equal(ob_job_set_description(job, L"changed"), S_OK);
    info = info_of(job);
    assert_true(ft64(info.times.ModificationTime) > created);
    assert_true(ft64(info.times.CreationTime) == created);
    ob_job_release(job);
}

/* Issue 15 item 21: a setter given the value the job already has changes
 * nothing, not even ModificationTime (so no JobModification either). */
static void test_same_value_changes_nothing(void **state)
{
    BG_AUTH_CREDENTIALS c = credentials(BG_AUTH_TARGET_SERVER, BG_AUTH_SCHEME_BASIC, L"user", L"secret");
    ob_job *job = new_job(BG_JOB_TYPE_DOWNLOAD);
    ULONGLONG t;

    assert_hr_equal(ob_job_set_description(job, L"same"), S_OK);
    assert_hr_equal(ob_job_set_proxy(job, BG_JOB_PROXY_USAGE_OVERRIDE, L"proxy:8080", L"<local>"), S_OK);
    assert_hr_equal(ob_job_set_notify_cmdline(job, L"C:\\p.exe", L"p.exe a"), S_OK);
    assert_hr_equal(ob_job_set_credentials(job, &c), S_OK);
    t = ft64(info_of(job).times.ModificationTime);
    Sleep(20);
    assert_hr_equal(ob_job_set_priority(job, BG_JOB_PRIORITY_NORMAL), S_OK);
    assert_hr_equal(ob_job_set_display_name(job, L"test job"), S_OK);
    assert_hr_equal(ob_job_set_description(job, L"same"), S_OK);
    assert_hr_equal(ob_job_set_notify_flags(job, OB_DEFAULT_NOTIFY_FLAGS), S_OK);
    assert_hr_equal(ob_job_set_retry_delay(job, OB_DEFAULT_RETRY_DELAY), S_OK);
    assert_hr_equal(ob_job_set_no_progress_timeout(job, OB_DEFAULT_NO_PROGRESS), S_OK);
    assert_hr_equal(ob_job_set_proxy(job, BG_JOB_PROXY_USAGE_OVERRIDE, L"proxy:8080", L"<local>"), S_OK);
    assert_hr_equal(ob_job_set_notify_cmdline(job, L"C:\\p.exe", L"p.exe a"), S_OK);
    assert_hr_equal(ob_job_set_credentials(job, &c), S_OK);
    assert_hr_equal(ob_job_set_notify_sink(job, NULL), S_OK);
    assert_hr_equal(ob_job_remove_credentials(job, BG_AUTH_TARGET_PROXY, BG_AUTH_SCHEME_NTLM), S_FALSE);
    assert_hr_equal(ob_job_suspend(job), S_OK); /* already SUSPENDED */
    assert_true(ft64(info_of(job).times.ModificationTime) == t);
    /* a real change still counts */
    assert_hr_equal(ob_job_set_priority(job, BG_JOB_PRIORITY_LOW), S_OK);
    assert_true(ft64(info_of(job).times.ModificationTime) > t);
    ob_job_release(job);
}

/* Issue 15 item 18: an override with an empty proxy list is
 * BG_E_INVALID_PROXY_INFO at once, and the job keeps its settings. */
static void test_empty_proxy_override_is_invalid(void **state)
{
    ob_job *job = new_job(BG_JOB_TYPE_DOWNLOAD);
    ULONGLONG t;

    assert_hr_equal(ob_job_set_proxy(job, BG_JOB_PROXY_USAGE_OVERRIDE, L"proxy:8080", L"<local>"), S_OK);
    t = ft64(info_of(job).times.ModificationTime);
    Sleep(20);
    assert_hr_equal(ob_job_set_proxy(job, BG_JOB_PROXY_USAGE_OVERRIDE, L"", NULL), BG_E_INVALID_PROXY_INFO);
    assert_hr_equal(ob_job_set_proxy(job, BG_JOB_PROXY_USAGE_OVERRIDE, L"  ", L"<local>"), BG_E_INVALID_PROXY_INFO);
    assert_int_equal(info_of(job).proxy_usage, BG_JOB_PROXY_USAGE_OVERRIDE);
    string_is(job, OB_PROP_PROXY_LIST, L"proxy:8080");
    string_is(job, OB_PROP_PROXY_BYPASS, L"<local>");
    assert_true(ft64(info_of(job).times.ModificationTime) == t);
    ob_job_release(job);
}

/* The property table: one row per property, in id order, with unique names;
 * a new job holds every row's default; the generic getters read every row of
 * their type; only PLAIN rows take the generic setters; the composite setters
 * check by their rows; the notification interface is the one runtime row. */
static void test_property_table(void **state)
{
    ob_job *job = new_job(BG_JOB_TYPE_UPLOAD_REPLY);
    WCHAR long_list[OB_MAX_PROXY_LIST + 2];
    ULONG i, j, value, runtime = 0;
    WCHAR *s;

    for (i = 0; i < OB_PROP_COUNT; i++)
    {
        const ob_prop_desc *desc = ob_job_prop_desc(i);
        assert_non_null(desc);
        assert_int_equal(desc->id, i);
        assert_non_null(desc->name);
        for (j = 0; j < i; j++) assert_string_not_equal(desc->name, ob_job_prop_desc(j)->name);
        if (!desc->persistent) runtime++;
        if (desc->type == OB_PROP_ULONG)
        {
            assert_hr_equal(ob_job_get_ulong_prop(job, i, &value), S_OK);
            if (i == OB_PROP_TYPE) assert_int_equal(value, BG_JOB_TYPE_UPLOAD_REPLY);
            else assert_int_equal(value, desc->default_value);
            assert_hr_equal(ob_job_get_string(job, i, &s), E_INVALIDARG);
            if (desc->access != OB_PROP_PLAIN)
                assert_hr_equal(ob_job_set_ulong_prop(job, i, desc->default_value), E_INVALIDARG);
        }
        else if (desc->type == OB_PROP_STRING)
        {
            assert_hr_equal(ob_job_get_string(job, i, &s), S_OK);
            CoTaskMemFree(s);
            assert_hr_equal(ob_job_get_ulong_prop(job, i, &value), E_INVALIDARG);
            if (desc->access != OB_PROP_PLAIN)
                assert_hr_equal(ob_job_set_string_prop(job, i, L"x"), E_INVALIDARG);
        }
        else
        {
            assert_hr_equal(ob_job_get_ulong_prop(job, i, &value), E_INVALIDARG);
            assert_hr_equal(ob_job_get_string(job, i, &s), E_INVALIDARG);
        }
    }
    assert_null(ob_job_prop_desc(OB_PROP_COUNT));
    assert_int_equal(runtime, 1);
    assert_false(ob_job_prop_desc(OB_PROP_NOTIFY_INTERFACE)->persistent);
    assert_int_equal(ob_job_prop_desc(OB_PROP_TYPE)->access, OB_PROP_READ_ONLY);
    assert_int_equal(ob_job_prop_desc(OB_PROP_OWNER)->access, OB_PROP_READ_ONLY);
    assert_int_equal(ob_job_prop_desc(OB_PROP_ERROR_COUNT)->access, OB_PROP_READ_ONLY);
    assert_int_equal(info_of(job).priority, ob_job_prop_desc(OB_PROP_PRIORITY)->default_value);
    assert_int_equal(info_of(job).retry_delay, OB_DEFAULT_RETRY_DELAY);
    assert_int_equal(info_of(job).proxy_usage, BG_JOB_PROXY_USAGE_PRECONFIG);
    string_is(job, OB_PROP_DISPLAY_NAME, L"test job");
    string_is(job, OB_PROP_DESCRIPTION, L"");
    string_is(job, OB_PROP_OWNER, OWNER);

    /* the plain setters validate by the row */
    assert_hr_equal(ob_job_set_ulong_prop(job, OB_PROP_PRIORITY, BG_JOB_PRIORITY_HIGH), S_OK);
    assert_int_equal(info_of(job).priority, BG_JOB_PRIORITY_HIGH);
    assert_hr_equal(ob_job_set_ulong_prop(job, OB_PROP_PRIORITY, 9), E_NOTIMPL);
    assert_hr_equal(ob_job_set_ulong_prop(job, OB_PROP_NOTIFY_FLAGS, 0x100), E_NOTIMPL);
    assert_hr_equal(ob_job_set_ulong_prop(job, OB_PROP_RETRY_DELAY, 1), S_OK);
    assert_hr_equal(ob_job_get_ulong_prop(job, OB_PROP_RETRY_DELAY, &value), S_OK);
    assert_int_equal(value, OB_MIN_RETRY_DELAY);
    assert_hr_equal(ob_job_set_ulong_prop(job, OB_PROP_DISPLAY_NAME, 1), E_INVALIDARG);
    assert_hr_equal(ob_job_set_string_prop(job, OB_PROP_PRIORITY, L"x"), E_INVALIDARG);
    assert_hr_equal(ob_job_set_string_prop(job, OB_PROP_DESCRIPTION, L"via the table"), S_OK);
    string_is(job, OB_PROP_DESCRIPTION, L"via the table");

    /* the composite setters check by their rows and are read back by the table */
    for (i = 0; i <= OB_MAX_PROXY_LIST; i++) long_list[i] = 'a';
    long_list[OB_MAX_PROXY_LIST + 1] = 0;
    assert_hr_equal(ob_job_set_proxy(job, BG_JOB_PROXY_USAGE_OVERRIDE, long_list, NULL),
                    ob_job_prop_desc(OB_PROP_PROXY_LIST)->invalid);
    assert_hr_equal(ob_job_set_proxy(job, BG_JOB_PROXY_USAGE_OVERRIDE, L"proxy:8080", long_list),
                    ob_job_prop_desc(OB_PROP_PROXY_BYPASS)->invalid);
    assert_hr_equal(ob_job_set_proxy(job, ob_job_prop_desc(OB_PROP_PROXY_USAGE)->limit + 1, NULL, NULL),
                    ob_job_prop_desc(OB_PROP_PROXY_USAGE)->invalid);
    assert_hr_equal(ob_job_set_proxy(job, BG_JOB_PROXY_USAGE_OVERRIDE, L"proxy:8080", L"<local>"), S_OK);
    assert_hr_equal(ob_job_get_ulong_prop(job, OB_PROP_PROXY_USAGE, &value), S_OK);
    assert_int_equal(value, BG_JOB_PROXY_USAGE_OVERRIDE);
    string_is(job, OB_PROP_PROXY_LIST, L"proxy:8080");
    string_is(job, OB_PROP_PROXY_BYPASS, L"<local>");
    long_list[MAX_PATH + 1] = 0;
    assert_hr_equal(ob_job_set_notify_cmdline(job, long_list, NULL), ob_job_prop_desc(OB_PROP_NOTIFY_PROGRAM)->invalid);
    assert_hr_equal(ob_job_set_notify_cmdline(job, L"C:\\prog.exe", L"prog.exe arg"), S_OK);
    string_is(job, OB_PROP_NOTIFY_PROGRAM, L"C:\\prog.exe");
    string_is(job, OB_PROP_NOTIFY_PARAMETERS, L"prog.exe arg");
    ob_job_release(job);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_every_job_has_its_own_id),
        cmocka_unit_test(test_display_name),
        cmocka_unit_test(test_description),
        cmocka_unit_test(test_priority),
        cmocka_unit_test(test_notify_flags),
        cmocka_unit_test(test_notify_interface),
        cmocka_unit_test(test_same_value_changes_nothing),
        cmocka_unit_test(test_empty_proxy_override_is_invalid),
        cmocka_unit_test(test_property_table),
        cmocka_unit_test(test_retry_delay_and_no_progress_timeout),
        cmocka_unit_test(test_proxy_settings),
        cmocka_unit_test(test_notify_cmdline),
        cmocka_unit_test(test_credentials),
        cmocka_unit_test(test_add_download_files),
        cmocka_unit_test(test_add_many_files),
        cmocka_unit_test(test_a_set_with_one_bad_name_adds_nothing),
        cmocka_unit_test(test_max_files_per_job),
        cmocka_unit_test(test_upload_jobs_hold_one_file),
        cmocka_unit_test(test_files_added_to_transferred_job_requeue_it),
        cmocka_unit_test(test_resume_and_suspend),
        cmocka_unit_test(test_cancel_is_final),
        cmocka_unit_test(test_complete_download_with_nothing_transferred),
        cmocka_unit_test(test_complete_upload_needs_transferred),
        cmocka_unit_test(test_cancel_deletes_only_its_temporary_files),
        cmocka_unit_test(test_cancel_reports_undeletable_files),
        cmocka_unit_test(test_complete_renames_finished_files),
        cmocka_unit_test(test_complete_all_transferred),
        cmocka_unit_test(test_complete_with_failed_rename_stays_transferred),
        cmocka_unit_test(test_complete_empty_download),
        cmocka_unit_test(test_reply_apis_not_implemented_for_other_types),
        cmocka_unit_test(test_upload_reply_progress_and_data),
        cmocka_unit_test(test_upload_reply_file_name),
        cmocka_unit_test(test_reply_file_name_set_before_any_file),
        cmocka_unit_test(test_generated_reply_name_with_forward_slashes),
        cmocka_unit_test(test_generated_reply_file_is_ours),
        cmocka_unit_test(test_addfile_trace_hides_url_credentials),
        cmocka_unit_test(test_record_error),
        cmocka_unit_test(test_change_owner_drops_credentials_and_cmdline),
        cmocka_unit_test(test_times),
    };
    return cmocka_run_group_tests(tests, NULL, ts_group_teardown);
}
