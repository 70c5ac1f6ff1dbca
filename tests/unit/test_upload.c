/* Upload and upload-reply jobs end to end, without COM, against the loopback
 * BITS upload server (fixture bits_upload_server): the bytes the server
 * received, the reply's bytes and progress, and the server's faults. */
#include "engine_test_util.h"
#include <stdio.h>

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
    DWORD size = 0;
    BYTE *stats = ts_http_get(ts_upload_url("/stats"), &size);
    BOOL found;
    if (!stats) return FALSE;
    stats = realloc(stats, size + 1);
    stats[size] = 0;
    found = strstr((char *)stats, text) != NULL;
    free(stats);
    return found;
}

static BOOL wait_for_stats(const char *text)
{
    ULONGLONG until = GetTickCount64() + ET_WAIT_MS;
    while (!server_stats_contain(text) && GetTickCount64() < until) Sleep(20);
    return server_stats_contain(text);
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

    assert_hr_equal(ob_job_get_string(job, OB_JOB_REPLY_FILE_NAME, &reply_name), S_OK);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_upload_in_fragments, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_file_upload, setup, teardown),
        cmocka_unit_test_setup_teardown(test_upload_reply_small_reply, setup, teardown),
        cmocka_unit_test_setup_teardown(test_upload_reply_over_1_mb, setup, teardown),
        cmocka_unit_test_setup_teardown(test_upload_reply_without_reply, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dropped_connection_resumes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lost_session_starts_again, setup, teardown),
        cmocka_unit_test_setup_teardown(test_416_resynchronises, setup, teardown),
        cmocka_unit_test_setup_teardown(test_delayed_final_ack, setup, teardown),
        cmocka_unit_test_setup_teardown(test_host_id_redirect, setup, teardown),
        cmocka_unit_test_setup_teardown(test_server_errors_from_either_header, setup, teardown),
        cmocka_unit_test_setup_teardown(test_local_file_changed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel_sends_cancel_session, setup, teardown),
        cmocka_unit_test_setup_teardown(test_upload_to_a_local_path, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancelled_local_upload_leaves_nothing, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
