/* Upload and upload-reply jobs end to end, without COM, against the loopback
 * BITS upload server (fixture bits_upload_server): the bytes the server
 * received, the reply's bytes and progress, and the server's faults. */
#include "engine_test_util.h"
#include <stdio.h>
#include <tlhelp32.h>

#define MIB (1024 * 1024)

static int setup(void **state)
{
    DWORD size;
    free(ts_http_get(ts_upload_url("/stats?reset=1"), &size)); /* counters from zero */
    et_start(2);
    return 0;
}

static int teardown(void **state)
{
    et_stop();
    ts_cleanup();
    return 0;
}

/* ---- helpers ---- */

/* A job of that type uploading a pattern file of size bytes to the path. */
static ob_job *upload_job(BG_JOB_TYPE type, const char *path_and_query, const WCHAR *local, DWORD size)
{
    ob_job *job = et_new_job(type);
    ts_write_pattern_file(local, size);
    et_add_file(job, ts_upload_url(path_and_query), local);
    return job;
}

/* What the server committed for an upload path equals the pattern file. */
static void assert_server_has(const char *path, DWORD size)
{
    char url_path[256];
    DWORD got = 0;
    BYTE *bytes;

    snprintf(url_path, sizeof(url_path), "/uploaded%s", path);
    bytes = ts_http_get(ts_upload_url(url_path), &got);
    if (!bytes) fail_msg("the server has nothing at %s", path);
    assert_int_equal(got, size);
    if (!ts_bytes_have_pattern(bytes, size)) fail_msg("%s differs from the file sent", path);
    free(bytes);
}

/* A counter in the server's /stats, e.g. "\"cancelled\": 1". */
static BOOL server_stats_contain(const char *text)
{
    return ts_upload_stats_count(NULL, text) > 0;
}

static BOOL wait_for_stats(const char *text)
{
    return ts_upload_stats_wait(NULL, text, 1);
}

/* The threads of this process. */
static ULONG thread_count(void)
{
    THREADENTRY32 entry = { sizeof(entry) };
    DWORD self = GetCurrentProcessId();
    HANDLE snapshot = CreateToolhelp32Snapshot(TH32CS_SNAPTHREAD, 0);
    ULONG n = 0;
    if (snapshot == INVALID_HANDLE_VALUE) return 0;
    if (Thread32First(snapshot, &entry))
        do
            if (entry.th32OwnerProcessID == self) n++;
        while (Thread32Next(snapshot, &entry));
    CloseHandle(snapshot);
    return n;
}

static BG_JOB_REPLY_PROGRESS reply_progress(ob_job *job)
{
    BG_JOB_REPLY_PROGRESS p;
    assert_hr_equal(ob_job_get_reply_progress(job, &p), S_OK);
    return p;
}

/* ---- uploads ---- */

static void test_upload_in_fragments(void **state)
{
    const DWORD size = 3 * MIB + 17;
    ob_job *job = upload_job(BG_JOB_TYPE_UPLOAD, "/upload/u1.bin", ts_path(L"u1.bin"), size);
    BG_JOB_PROGRESS p;
    BG_JOB_REPLY_PROGRESS reply;

    assert_hr_equal(ob_job_resume(job), S_OK);
    et_assert_state(job, BG_JOB_STATE_TRANSFERRED);
    p = et_progress(job);
    assert_true(p.BytesTotal == size && p.BytesTransferred == size);
    assert_int_equal(p.FilesTransferred, 1);
    assert_hr_equal(ob_job_get_reply_progress(job, &reply), E_NOTIMPL); /* documented for uploads */
    assert_server_has("/upload/u1.bin", size);
    assert_true(server_stats_contain("\"Ping\": 1"));   /* before the session */
    assert_true(server_stats_contain("\"created\": 1"));
    assert_true(server_stats_contain("\"closed\": 1"));
    assert_hr_equal(ob_job_complete(job), S_OK);
    ob_job_release(job);
}

static void test_empty_file_upload(void **state)
{
    ob_job *job = upload_job(BG_JOB_TYPE_UPLOAD, "/upload/empty.bin", ts_path(L"empty.bin"), 0);

    assert_hr_equal(ob_job_resume(job), S_OK);
    et_assert_state(job, BG_JOB_STATE_TRANSFERRED);
    assert_server_has("/upload/empty.bin", 0);
    assert_hr_equal(ob_job_complete(job), S_OK);
    ob_job_release(job);
}

/* A fragment larger than the socket buffers, to a server that reads it
 * slowly (4 MiB a second, in 64 KiB pieces): the client's sends stop
 * half-way again and again, and each time the transport must wake as soon as
 * the socket takes more.  A wake-up that never comes (curl_multi_poll under
 * Wine: FD_WRITE is not signalled again after a partial send, see
 * docs/choices.md) holds the fragment until the exchange's deadline; with
 * every timeout at 1 s that is a transient error instead of TRANSFERRED. */
static void test_upload_to_a_slow_reader(void **state)
{
    const DWORD size = 2 * MIB + 5;
    ULONGLONG until = GetTickCount64() + ET_WAIT_MS;
    BG_JOB_STATE s;
    ob_job *job;

    SetEnvironmentVariableW(L"OPENBITS_NET_TIMEOUT_MS", L"1000");
    job = upload_job(BG_JOB_TYPE_UPLOAD, "/upload/slowreader.bin?slowread=4194304", ts_path(L"slowreader.bin"), size);
    assert_hr_equal(ob_job_resume(job), S_OK);
    while ((s = et_state(job)) != BG_JOB_STATE_TRANSFERRED && s != BG_JOB_STATE_TRANSIENT_ERROR
           && s != BG_JOB_STATE_ERROR && GetTickCount64() < until)
        Sleep(5);
    SetEnvironmentVariableW(L"OPENBITS_NET_TIMEOUT_MS", NULL);
    if (s != BG_JOB_STATE_TRANSFERRED)
        fail_msg("job in state %d (error 0x%08lx), not TRANSFERRED", s, (ULONG)et_error(job).code);
    assert_server_has("/upload/slowreader.bin", size);
    assert_int_equal(ts_upload_stats_count("/upload/slowreader.bin", "\"event\": \"created\""), 1);
    assert_hr_equal(ob_job_complete(job), S_OK);
    ob_job_release(job);
}

/* ---- upload-reply ---- */

static void test_upload_reply_small_reply(void **state)
{
    ob_job *job = upload_job(BG_JOB_TYPE_UPLOAD_REPLY, "/reply/r1.bin?replysize=5000", ts_path(L"r1.bin"), 100000);
    BG_JOB_REPLY_PROGRESS p;
    WCHAR *reply_name = NULL;
    BYTE *data = NULL;
    UINT64 length = 0;

    p = reply_progress(job);
    assert_true(p.BytesTotal == BG_SIZE_UNKNOWN && p.BytesTransferred == 0); /* before the reply begins */
    assert_hr_equal(ob_job_get_reply_data(job, &data, &length), BG_E_INVALID_STATE);
    assert_hr_equal(ob_job_resume(job), S_OK);
    et_assert_state(job, BG_JOB_STATE_TRANSFERRED);
    p = reply_progress(job);
    assert_true(p.BytesTotal == 5000 && p.BytesTransferred == 5000);
    assert_true(et_progress(job).BytesTotal == 100000); /* the upload only */
    assert_server_has("/reply/r1.bin", 100000);

    assert_hr_equal(ob_job_get_reply_data(job, &data, &length), S_OK);
    assert_true(length == 5000);
    assert_non_null(data);
    assert_true(ts_bytes_have_pattern(data, length));
    CoTaskMemFree(data);

    assert_hr_equal(ob_job_get_string(job, OB_PROP_REPLY_FILE_NAME, &reply_name), S_OK);
    /* the generated name is held by an empty file of ours; Complete fills it */
    assert_true(ts_file_exists(reply_name));
    assert_true(ts_file_has_pattern(reply_name, 0));
    assert_hr_equal(ob_job_complete(job), S_OK);
    assert_true(ts_file_has_pattern(reply_name, 5000));
    CoTaskMemFree(reply_name);
    assert_int_equal(ts_count_files(L"BIT*.tmp"), 0);
    ob_job_release(job);
}

static void test_upload_reply_over_1_mb(void **state)
{
    ob_job *job = upload_job(BG_JOB_TYPE_UPLOAD_REPLY, "/reply/r2.bin?replysize=2100000", ts_path(L"r2.bin"), 1000);
    BYTE *data = (BYTE *)0xdead;
    UINT64 length = 0;

    assert_hr_equal(ob_job_set_reply_file_name(job, ts_path(L"r2-reply.bin")), S_OK);
    assert_hr_equal(ob_job_resume(job), S_OK);
    et_assert_state(job, BG_JOB_STATE_TRANSFERRED);
    /* documented: BG_E_TOO_LARGE, no buffer, and the size */
    assert_hr_equal(ob_job_get_reply_data(job, &data, &length), BG_E_TOO_LARGE);
    assert_null(data);
    assert_true(length == 2100000);
    assert_hr_equal(ob_job_set_reply_file_name(job, ts_path(L"late.bin")), BG_E_INVALID_STATE);
    assert_hr_equal(ob_job_complete(job), S_OK);
    assert_true(ts_file_has_pattern(ts_path(L"r2-reply.bin"), 2100000));
    ob_job_release(job);
}

static void test_upload_reply_without_reply(void **state)
{
    ob_job *job = upload_job(BG_JOB_TYPE_UPLOAD_REPLY, "/reply/r3.bin?noreply=1", ts_path(L"r3.bin"), 1000);
    BYTE *data = (BYTE *)0xdead;
    UINT64 length = 99;
    BG_JOB_REPLY_PROGRESS p;

    assert_hr_equal(ob_job_set_reply_file_name(job, ts_path(L"r3-reply.bin")), S_OK);
    assert_hr_equal(ob_job_resume(job), S_OK);
    et_assert_state(job, BG_JOB_STATE_TRANSFERRED);
    p = reply_progress(job);
    assert_true(p.BytesTotal == 0 && p.BytesTransferred == 0); /* docs/choices.md: an empty reply */
    assert_hr_equal(ob_job_get_reply_data(job, &data, &length), S_OK);
    assert_null(data);
    assert_true(length == 0);
    assert_hr_equal(ob_job_complete(job), S_OK);
    assert_true(ts_file_has_pattern(ts_path(L"r3-reply.bin"), 0)); /* documented: empty */
    ob_job_release(job);
}

/* ---- faults ---- */

static void run_to_transferred(const char *path_and_query, const char *path, DWORD size)
{
    ob_job *job = upload_job(BG_JOB_TYPE_UPLOAD, path_and_query, ts_path(L"fault.bin"), size);
    assert_hr_equal(ob_job_set_retry_delay(job, 5), S_OK);
    assert_hr_equal(ob_job_resume(job), S_OK);
    et_assert_state(job, BG_JOB_STATE_TRANSFERRED);
    assert_true(et_progress(job).BytesTransferred == size);
    assert_server_has(path, size);
    assert_hr_equal(ob_job_complete(job), S_OK);
    ob_job_release(job);
}

static void test_dropped_connection_resumes(void **state)
{
    run_to_transferred("/upload/drop.bin?dropat=1500000", "/upload/drop.bin", 3 * MIB);
    assert_true(server_stats_contain("\"fault\": \"dropat\""));
}

/* The fragments the server saw for a path, in order: their first bytes and
 * what it did (200, 416, "reset"...), at most max. */
static ULONG server_fragments(const char *path, UINT64 *firsts, char (*statuses)[16], ULONG max)
{
    char query[128];
    DWORD size = 0;
    BYTE *stats;
    const char *at;
    ULONG n = 0;

    snprintf(query, sizeof(query), "/stats?path=%s", path);
    if (!(stats = ts_http_get(ts_upload_url(query), &size))) return 0;
    stats = realloc(stats, size + 1);
    stats[size] = 0;
    if (!(at = strstr((char *)stats, "\"fragments\": ["))) at = "";
    while (n < max && (at = strstr(at, "\"range\": \"")))
    {
        const char *status = strstr(at, "\"status\": ");
        firsts[n] = _strtoui64(at + 10, NULL, 10);
        statuses[n][0] = 0;
        if (status) sscanf(status + 10, "%15[^,\n}]", statuses[n]);
        at += 10;
        n++;
    }
    free(stats);
    return n;
}

/* A connection reset (TCP RST, SO_LINGER 0) halfway through a fragment:
 * TRANSIENT_ERROR, a retry after MinimumRetryDelay, and the same session goes
 * on from the server's offset to a byte-exact upload. */
static void test_reset_mid_fragment_resumes(void **state)
{
    const char *path = "/upload/reset.bin";
    const DWORD size = 3 * MIB;
    ob_job *job = upload_job(BG_JOB_TYPE_UPLOAD, "/upload/reset.bin?resetat=1500000", ts_path(L"reset.bin"), size);
    char statuses[16][16];
    UINT64 firsts[16];
    ob_error_info error;
    ULONG n, i;

    assert_hr_equal(ob_job_set_retry_delay(job, 100), S_OK); /* 1 s here: long enough to see */
    assert_hr_equal(ob_job_resume(job), S_OK);
    et_assert_state(job, BG_JOB_STATE_TRANSIENT_ERROR);
    error = et_error(job);
    /* Wine's WinHTTP reports the reset as WSAECONNRESET while the body is
     * still going out, as a connection error (12030) or an invalid response
     * (12152, nothing readable) once it waits for the Ack: all transient */
    if (error.code != HRESULT_FROM_WIN32(WSAECONNRESET) && error.code != HRESULT_FROM_WIN32(12030) &&
        error.code != HRESULT_FROM_WIN32(12152))
        fail_msg("error 0x%08lx", (unsigned long)error.code);
    assert_int_equal(error.context, BG_ERROR_CONTEXT_REMOTE_FILE);
    et_assert_state(job, BG_JOB_STATE_TRANSFERRED);
    assert_true(et_progress(job).BytesTransferred == size);
    assert_server_has(path, size);
    assert_int_equal(ts_upload_stats_count(path, "\"fault\": \"resetat\""), 1);  /* it happened */
    assert_int_equal(ts_upload_stats_count(path, "\"event\": \"created\""), 1); /* one session */
    /* after the reset: from the offset acknowledged before it, then from
     * where the server said it was (it kept the bytes before 1500000) */
    n = server_fragments(path, firsts, statuses, 16);
    for (i = 0; i < n && strcmp(statuses[i], "\"reset\""); i++) {}
    assert_true(i + 1 < n);
    assert_true(firsts[i + 1] <= firsts[i]);
    for (i += 2; i < n; i++) assert_true(firsts[i] >= 1500000);
    assert_hr_equal(ob_job_complete(job), S_OK);
    ob_job_release(job);
}

static void test_lost_session_starts_again(void **state)
{
    /* 8 MiB: a fragment still follows once the session holds 1.5 MB, whatever
     * the fragment sizes */
    run_to_transferred("/upload/lost.bin?lose_session=1500000", "/upload/lost.bin", 8 * MIB);
    assert_true(server_stats_contain("\"lost\": 1"));
}

static void test_416_resynchronises(void **state)
{
    run_to_transferred("/upload/416.bin?status416=1000000", "/upload/416.bin", 3 * MIB);
    assert_true(server_stats_contain("\"fault\": \"status416\""));
}

static void test_delayed_final_ack(void **state)
{
    run_to_transferred("/upload/slow.bin?delayack=700", "/upload/slow.bin", 100000);
}

static void test_host_id_redirect(void **state)
{
    run_to_transferred("/upload/host.bin?hostid=1", "/upload/host.bin", 100000);
}

static void check_refused(const char *path_and_query, HRESULT code)
{
    static LONG count;
    WCHAR name[32];
    ob_job *job;

    /* a file of its own: the last job's worker may still hold its file open */
    swprintf(name, ARRAYSIZE(name), L"refused%ld.bin", InterlockedIncrement(&count));
    job = upload_job(BG_JOB_TYPE_UPLOAD, path_and_query, ts_path(name), 1000);
    ob_error_info error;

    assert_hr_equal(ob_job_resume(job), S_OK);
    et_assert_state(job, BG_JOB_STATE_ERROR);
    error = et_error(job);
    assert_hr_equal(error.code, code);
    assert_int_equal(error.context, BG_ERROR_CONTEXT_REMOTE_FILE);
    assert_hr_equal(ob_job_cancel(job), S_OK);
    ob_job_release(job);
}

static void test_server_errors_from_either_header(void **state)
{
    check_refused("/upload/deny.bin?deny=403", E_ACCESSDENIED);
    check_refused("/upload/deny2.bin?deny=403&errorheader=bits-error", E_ACCESSDENIED);
    check_refused("/upload/conflict.bin?conflict=1", HRESULT_FROM_WIN32(ERROR_ALREADY_EXISTS));
    check_refused("/nowhere/x.bin", HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND));
}

static void test_local_file_changed(void **state)
{
    const DWORD size = 24 * MIB;
    ob_job *job = upload_job(BG_JOB_TYPE_UPLOAD, "/upload/changed.bin", ts_path(L"changed.bin"), size);
    FILETIME later;
    HANDLE file;

    assert_hr_equal(ob_job_resume(job), S_OK);
    assert_true(et_wait_bytes(job, 1));
    assert_hr_equal(ob_job_suspend(job), S_OK);
    assert_true(et_progress(job).BytesTransferred < size);
    /* a new timestamp is a change, as a new size would be */
    file = CreateFileW(ts_path(L"changed.bin"), FILE_WRITE_ATTRIBUTES, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    GetSystemTimeAsFileTime(&later);
    assert_true(SetFileTime(file, NULL, NULL, &later));
    CloseHandle(file);
    assert_hr_equal(ob_job_resume(job), S_OK);
    et_assert_state(job, BG_JOB_STATE_ERROR);
    assert_hr_equal(et_error(job).code, BG_E_LOCAL_FILE_CHANGED);
    assert_int_equal(et_error(job).context, BG_ERROR_CONTEXT_LOCAL_FILE);
    assert_hr_equal(ob_job_cancel(job), S_OK);
    assert_true(wait_for_stats("\"cancelled\": 1")); /* before the next test counts */
    ob_job_release(job);
}

/* ---- hostile servers ---- */

/* A server that breaks the protocol (the fault named `fault` in its log):
 * ERROR at once with `code`, context REMOTE_FILE, after a bounded number of
 * Fragments; never TRANSIENT_ERROR, never a retry. */
static void check_violation(const char *path, const char *query, DWORD size, const char *fault, HRESULT code,
                            ULONG max_fragments)
{
    char url_path[256], fault_text[64];
    ob_job *job;
    ob_error_info error;
    ob_job_info info;

    snprintf(url_path, sizeof(url_path), "%s?%s", path, query);
    job = upload_job(BG_JOB_TYPE_UPLOAD, url_path, ts_path(L"hostile.bin"), size);
    assert_hr_equal(ob_job_set_retry_delay(job, 5), S_OK); /* a retry would come at once */
    assert_hr_equal(ob_job_resume(job), S_OK);
    et_assert_state(job, BG_JOB_STATE_ERROR);
    error = et_error(job);
    if (error.code != code) fail_msg("%s?%s: error 0x%08lx, expected 0x%08lx", path, query, error.code, code);
    assert_int_equal(error.context, BG_ERROR_CONTEXT_REMOTE_FILE);
    ob_job_get_info(job, &info);
    assert_int_equal(info.error_count, 1);
    snprintf(fault_text, sizeof(fault_text), "\"fault\": \"%s\"", fault);
    assert_true(ts_upload_stats_count(path, fault_text) >= 1);               /* it happened */
    assert_true(ts_upload_stats_count(path, "\"Create-Session\": 1,") == 1); /* one session */
    assert_true(ts_upload_stats_count(path, "\"written\": ") <= max_fragments);
    assert_int_equal(ts_upload_stats_count(path, "\"status\": 400"), 0);     /* nothing malformed sent */
    assert_true(et_progress(job).BytesTransferred <= size);
    assert_hr_equal(ob_job_cancel(job), S_OK);
    ob_job_release(job);
}

/* Acks 1 MiB, then says it has 0: going backwards ends the job. */
static void test_server_that_forgets(void **state)
{
    check_violation("/upload/forget1.bin", "forget=1048576", 8 * MIB, "forget", BG_E_INVALID_SERVER_RESPONSE, 2);
    check_violation("/upload/forget2.bin", "forget=1048576&forgetstatus=416", 8 * MIB, "forget",
                    BG_E_INVALID_SERVER_RESPONSE, 2);
}

/* An offset beyond the file, 2^64-1, or (in a 416) the whole file. */
static void test_ack_beyond_the_file(void **state)
{
    check_violation("/upload/beyond1.bin", "badack=99999999&badackstatus=416", 3000000, "badack",
                    BG_E_INVALID_SERVER_RESPONSE, 1);
    check_violation("/upload/beyond2.bin", "badack=99999999", 3000000, "badack", BG_E_INVALID_SERVER_RESPONSE, 1);
    check_violation("/upload/beyond3.bin", "badack=18446744073709551615&badackstatus=416", 3000000, "badack",
                    BG_E_INVALID_SERVER_RESPONSE, 1);
    check_violation("/upload/beyond4.bin", "badack=3000000&badackstatus=416", 3000000, "badack",
                    BG_E_INVALID_SERVER_RESPONSE, 1);
    check_violation("/upload/beyond5.bin", "badack=3000001&badackat=1048576", 3000000, "badack",
                    BG_E_INVALID_SERVER_RESPONSE, 2);
}

/* Offsets that are not numbers, or no offset at all. */
static void test_ack_offset_not_a_number(void **state)
{
    check_violation("/upload/nan1.bin", "badack=abc", 3000000, "badack", BG_E_INVALID_SERVER_RESPONSE, 1);
    check_violation("/upload/nan2.bin", "badack=-5&badackstatus=416", 3000000, "badack",
                    BG_E_INVALID_SERVER_RESPONSE, 1);
    check_violation("/upload/nan3.bin", "badack=-5", 3000000, "badack", BG_E_INVALID_SERVER_RESPONSE, 1);
    check_violation("/upload/nan4.bin", "badack=none", 3000000, "badack", BG_E_INVALID_SERVER_RESPONSE, 1);
}

/* Create-Session answered with another protocol, none, or no session id. */
static void test_create_session_protocol_faults(void **state)
{
    check_violation("/upload/proto1.bin", "protocol=%7B00000000-0000-0000-0000-000000000000%7D", 1000, "protocol",
                    BG_E_CLIENT_SERVER_PROTOCOL_MISMATCH, 0);
    check_violation("/upload/proto2.bin", "protocol=none", 1000, "protocol", BG_E_CLIENT_SERVER_PROTOCOL_MISMATCH, 0);
    check_violation("/upload/nosid.bin", "nosession=1", 1000, "nosession", BG_E_INVALID_SERVER_RESPONSE, 0);
}

/* BITS-Host-Id must be an authority: with a path or query pasted in, no
 * fragment goes anywhere. */
static void test_host_id_is_only_a_host(void **state)
{
    const WCHAR *base = ts_upload_url("");
    unsigned port = wcstoul(wcsrchr(base, ':') + 1, NULL, 10);
    char query[128];

    snprintf(query, sizeof(query), "hostidvalue=127.0.0.1%%3A%u%%2Fevil%%3Fx%%3D", port);
    check_violation("/upload/hid1.bin", query, 1000, "hostidvalue", BG_E_INVALID_SERVER_RESPONSE, 0);
    snprintf(query, sizeof(query), "hostidvalue=user%%40127.0.0.1%%3A%u", port);
    check_violation("/upload/hid2.bin", query, 1000, "hostidvalue", BG_E_INVALID_SERVER_RESPONSE, 0);
    check_violation("/upload/hid3.bin", "hostidvalue=127.0.0.1%3A99999", 1000, "hostidvalue",
                    BG_E_INVALID_SERVER_RESPONSE, 0);
    assert_int_equal(ts_upload_stats_count(NULL, "BITS_POST /evil"), 0);
}

/* ---- SMB and local destinations ---- */

static void test_upload_to_a_local_path(void **state)
{
    const DWORD size = 9 * MIB + 5;
    ob_job *job = et_new_job(BG_JOB_TYPE_UPLOAD);
    BG_JOB_PROGRESS p;

    ts_write_pattern_file(ts_path(L"smb-src.bin"), size);
    assert_true(CreateDirectoryW(ts_path(L"share"), NULL));
    et_add_file(job, ts_path(L"share\\smb-dst.bin"), ts_path(L"smb-src.bin"));
    assert_hr_equal(ob_job_resume(job), S_OK);
    et_assert_state(job, BG_JOB_STATE_TRANSFERRED);
    p = et_progress(job);
    assert_true(p.BytesTotal == size && p.BytesTransferred == size);
    /* at its name once every byte is there, like a server's upload */
    assert_true(ts_file_has_pattern(ts_path(L"share\\smb-dst.bin"), size));
    assert_int_equal(ts_count_files(L"share\\BIT*.tmp"), 0);
    assert_hr_equal(ob_job_complete(job), S_OK);
    assert_true(ts_file_has_pattern(ts_path(L"share\\smb-dst.bin"), size));
    assert_true(ts_file_has_pattern(ts_path(L"smb-src.bin"), size)); /* the source stays */
    ob_job_release(job);
}

static void test_cancelled_local_upload_leaves_nothing(void **state)
{
    ob_job *job = et_new_job(BG_JOB_TYPE_UPLOAD);
    WIN32_FILE_ATTRIBUTE_DATA old;
    BOOL exists_while_uploading;

    ts_write_pattern_file(ts_path(L"smb-big.bin"), 64 * MIB);
    assert_true(CreateDirectoryW(ts_path(L"share2"), NULL));
    ts_write_file(ts_path(L"share2\\old.bin"), "old", 3);
    et_add_file(job, ts_path(L"share2\\old.bin"), ts_path(L"smb-big.bin"));
    assert_hr_equal(ob_job_resume(job), S_OK);
    assert_true(et_wait_bytes(job, 1));
    exists_while_uploading = ts_count_files(L"share2\\BIT*.tmp") == 1;
    assert_hr_equal(ob_job_cancel(job), S_OK);
    if (et_progress(job).BytesTransferred < 64 * MIB)
    {
        /* cancelled mid-way: the temporary file goes, the old file stays */
        ULONGLONG until = GetTickCount64() + ET_WAIT_MS;
        assert_true(exists_while_uploading);
        while (ts_count_files(L"share2\\BIT*.tmp") && GetTickCount64() < until) Sleep(5);
        assert_int_equal(ts_count_files(L"share2\\BIT*.tmp"), 0);
        assert_true(GetFileAttributesExW(ts_path(L"share2\\old.bin"), GetFileExInfoStandard, &old));
        assert_int_equal(old.nFileSizeLow, 3);
    }
    ob_job_release(job);
}

/* Cancel sends Cancel-Session; the reply file the job created goes too. */
static void test_cancel_sends_cancel_session(void **state)
{
    ob_job *job = upload_job(BG_JOB_TYPE_UPLOAD_REPLY, "/reply/cancel.bin", ts_path(L"cancel.bin"), 24 * MIB);

    assert_hr_equal(ob_job_resume(job), S_OK);
    assert_true(et_wait_bytes(job, 1));
    assert_hr_equal(ob_job_cancel(job), S_OK);
    assert_true(wait_for_stats("\"cancelled\": 1"));
    assert_int_equal(ts_count_files(L"BIT*.tmp"), 0);
    ob_job_release(job);
}

/* ---- Cancel ---- */

/* Cancel while the server is still reading a fragment (it reads 1 MB a
 * second): before the first Ack (nothing acknowledged) or after it. */
static void cancel_mid_fragment(BG_JOB_TYPE type, const char *path, BOOL after_first_ack)
{
    char url_path[128];
    ob_job *job;

    snprintf(url_path, sizeof(url_path), "%s?slowread=1048576", path);
    job = upload_job(type, url_path, ts_path(after_first_ack ? L"mid-acked.bin" : L"mid.bin"), 8 * MIB);
    assert_hr_equal(ob_job_resume(job), S_OK);
    if (after_first_ack) assert_true(et_wait_bytes(job, 1));
    assert_true(ts_upload_stats_wait(path, "\"Fragment\": ", 1));
    assert_true(ts_upload_stats_wait(path, after_first_ack ? "\"Fragment\": 2" : "\"Fragment\": 1", 1));
    assert_int_equal(et_state(job), BG_JOB_STATE_TRANSFERRING);
    if (!after_first_ack) assert_true(et_progress(job).BytesTransferred == 0);
    assert_true(et_progress(job).BytesTransferred < 8 * MIB);
    assert_hr_equal(ob_job_cancel(job), S_OK);
    /* documented: Cancel removes the server's partial upload */
    assert_true(ts_upload_stats_wait(path, "\"event\": \"cancelled\"", 1));
    assert_int_equal(ts_upload_stats_count(path, "\"event\": \"created\""), 1);
    assert_int_equal(ts_upload_stats_count(path, "\"event\": \"closed\""), 0);
    ob_job_release(job);
}

static void test_cancel_upload_before_first_ack(void **state)
{
    cancel_mid_fragment(BG_JOB_TYPE_UPLOAD, "/upload/mid1.bin", FALSE);
}

static void test_cancel_upload_after_first_ack(void **state)
{
    cancel_mid_fragment(BG_JOB_TYPE_UPLOAD, "/upload/mid2.bin", TRUE);
}

static void test_cancel_upload_reply_before_first_ack(void **state)
{
    cancel_mid_fragment(BG_JOB_TYPE_UPLOAD_REPLY, "/reply/mid3.bin", FALSE);
}

static void test_cancel_upload_reply_after_first_ack(void **state)
{
    cancel_mid_fragment(BG_JOB_TYPE_UPLOAD_REPLY, "/reply/mid4.bin", TRUE);
}

/* 20 Cancels against a server that holds each Fragment for 3 s and never
 * answers a Cancel-Session (it would hold it a minute): the senders give up
 * on their own (5 s) and no thread stays behind. */
static void test_cancel_against_a_stalled_server(void **state)
{
    ULONG baseline = thread_count(), i, now = 0;
    ULONGLONG started;

    for (i = 0; i < 20; i++)
    {
        char path[64], url_path[128];
        WCHAR local[32];
        ob_job *job;
        snprintf(path, sizeof(path), "/upload/stall%lu.bin", i);
        snprintf(url_path, sizeof(url_path), "%s?stall=fragment:3000,cancel-session:60000", path);
        swprintf(local, ARRAYSIZE(local), L"stall%lu.bin", i);
        job = upload_job(BG_JOB_TYPE_UPLOAD, url_path, ts_path(local), 100000);
        assert_hr_equal(ob_job_resume(job), S_OK);
        assert_true(ts_upload_stats_wait(path, "\"packet\": \"Fragment\"", 1)); /* the server holds it */
        assert_hr_equal(ob_job_cancel(job), S_OK);
        ob_job_release(job);
    }
    for (i = 0; i < 20; i++)
    {
        char path[64];
        snprintf(path, sizeof(path), "/upload/stall%lu.bin", i);
        assert_true(ts_upload_stats_wait(path, "\"packet\": \"Cancel-Session\"", 1)); /* each one was sent */
        assert_int_equal(ts_upload_stats_count(path, "\"packet\": \"Cancel-Session\""), 1); /* never resent */
    }
    started = GetTickCount64();
    while (GetTickCount64() - started < ET_WAIT_MS && (now = thread_count()) > baseline) Sleep(100);
    printf("threads: %lu before, %lu after %llu ms\n", baseline, now, GetTickCount64() - started);
    assert_true(now <= baseline);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_upload_in_fragments, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_file_upload, setup, teardown),
        cmocka_unit_test_setup_teardown(test_upload_to_a_slow_reader, setup, teardown),
        cmocka_unit_test_setup_teardown(test_upload_reply_small_reply, setup, teardown),
        cmocka_unit_test_setup_teardown(test_upload_reply_over_1_mb, setup, teardown),
        cmocka_unit_test_setup_teardown(test_upload_reply_without_reply, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dropped_connection_resumes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reset_mid_fragment_resumes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lost_session_starts_again, setup, teardown),
        cmocka_unit_test_setup_teardown(test_416_resynchronises, setup, teardown),
        cmocka_unit_test_setup_teardown(test_delayed_final_ack, setup, teardown),
        cmocka_unit_test_setup_teardown(test_host_id_redirect, setup, teardown),
        cmocka_unit_test_setup_teardown(test_server_errors_from_either_header, setup, teardown),
        cmocka_unit_test_setup_teardown(test_local_file_changed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_server_that_forgets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ack_beyond_the_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ack_offset_not_a_number, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_session_protocol_faults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_host_id_is_only_a_host, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel_sends_cancel_session, setup, teardown),
        cmocka_unit_test_setup_teardown(test_upload_to_a_local_path, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancelled_local_upload_leaves_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel_upload_before_first_ack, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel_upload_after_first_ack, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel_upload_reply_before_first_ack, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel_upload_reply_after_first_ack, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel_against_a_stalled_server, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
