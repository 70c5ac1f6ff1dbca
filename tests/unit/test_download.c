/* The transfer engine end to end, without COM: a table, a scheduler and real
 * downloads from local files and the loopback HTTP server. */
#include "engine_test_util.h"
#include "trace.h"
#include <stdio.h>
#include <string.h>
#include <winhttp.h>

/* ---- notifications, as delivered ---- */

static test_sink events;

static void start_engine(ULONG workers)
{
    ts_sink_init(&events);
    events.answer = S_OK;
    et_sink = &events;
    et_start(workers);
}

static int setup(void **state)
{
    start_engine(4);
    return 0;
}

static int teardown(void **state)
{
    et_stop();
    ts_cleanup();
    return 0;
}

/* ---- local sources ---- */

static void test_local_files_download_and_complete(void **state)
{
    ob_job *job = et_new_job(BG_JOB_TYPE_DOWNLOAD);
    BG_JOB_PROGRESS p;
    ob_job_info info;

    ts_write_pattern_file(ts_path(L"src1.bin"), 3 * 1024 * 1024 + 17);
    ts_write_pattern_file(ts_path(L"src2.bin"), 0);
    et_add_file(job, ts_path(L"src1.bin"), ts_path(L"dst1.bin"));
    et_add_file(job, ts_path(L"src2.bin"), ts_path(L"dst2.bin"));
    assert_hr_equal(ob_job_resume(job), S_OK);
    et_assert_state(job, BG_JOB_STATE_TRANSFERRED);

    p = et_progress(job);
    assert_true(p.BytesTotal == 3 * 1024 * 1024 + 17);
    assert_true(p.BytesTransferred == p.BytesTotal);
    assert_int_equal(p.FilesTotal, 2);
    assert_int_equal(p.FilesTransferred, 2);
    ob_job_get_info(job, &info);
    assert_true(info.times.TransferCompletionTime.dwHighDateTime != 0);
    /* the destinations appear only at Complete */
    assert_false(ts_file_exists(ts_path(L"dst1.bin")));
    assert_int_equal(ts_count_files(L"BIT*.tmp"), 2);

    assert_hr_equal(ob_job_complete(job), S_OK);
    assert_true(ts_file_has_pattern(ts_path(L"dst1.bin"), 3 * 1024 * 1024 + 17));
    assert_true(ts_file_has_pattern(ts_path(L"dst2.bin"), 0));
    assert_int_equal(ts_count_files(L"BIT*.tmp"), 0);
    assert_true(ts_sink_wait(&events, OB_NOTIFY_FILE_TRANSFERRED, 2));
    assert_int_equal(ts_sink_count(&events, OB_NOTIFY_FILE_TRANSFERRED), 2);
    ob_job_release(job);
}

static void test_missing_local_source_is_an_error(void **state)
{
    ob_job *job = et_new_job(BG_JOB_TYPE_DOWNLOAD);
    ob_error_info error;

    et_add_file(job, ts_path(L"no-such-file.bin"), ts_path(L"never.bin"));
    assert_hr_equal(ob_job_resume(job), S_OK);
    et_assert_state(job, BG_JOB_STATE_ERROR);
    error = et_error(job);
    assert_hr_equal(error.code, HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND));
    assert_int_equal(error.context, BG_ERROR_CONTEXT_REMOTE_FILE);
    assert_int_equal(error.file_index, 0);
    assert_true(ts_sink_wait(&events, OB_NOTIFY_JOB_ERROR, 1));
    assert_int_equal(ts_sink_count(&events, OB_NOTIFY_JOB_ERROR), 1);
    assert_hr_equal(ob_job_cancel(job), S_OK);
    assert_int_equal(ts_count_files(L"BIT*.tmp"), 0);
    ob_job_release(job);
}

static void test_missing_local_directory_is_a_local_error(void **state)
{
    ob_job *job = et_new_job(BG_JOB_TYPE_DOWNLOAD);
    WCHAR local[MAX_PATH];

    /* the directory exists at AddFile and is gone when the transfer starts */
    ts_write_pattern_file(ts_path(L"src3.bin"), 100);
    assert_true(CreateDirectoryW(ts_path(L"gone"), NULL));
    swprintf(local, MAX_PATH, L"%ls\\out.bin", ts_path(L"gone"));
    et_add_file(job, ts_path(L"src3.bin"), local);
    assert_true(RemoveDirectoryW(ts_path(L"gone")));
    assert_hr_equal(ob_job_resume(job), S_OK);
    et_assert_state(job, BG_JOB_STATE_ERROR);
    assert_int_equal(et_error(job).context, BG_ERROR_CONTEXT_LOCAL_FILE);
    assert_hr_equal(ob_job_cancel(job), S_OK);
    ob_job_release(job);
}

static void test_files_added_after_transfer_are_transferred(void **state)
{
    ob_job *job = et_new_job(BG_JOB_TYPE_DOWNLOAD);

    ts_write_pattern_file(ts_path(L"src4.bin"), 1000);
    et_add_file(job, ts_path(L"src4.bin"), ts_path(L"dst4a.bin"));
    assert_hr_equal(ob_job_resume(job), S_OK);
    et_assert_state(job, BG_JOB_STATE_TRANSFERRED);
    et_add_file(job, ts_path(L"src4.bin"), ts_path(L"dst4b.bin"));
    et_assert_state(job, BG_JOB_STATE_TRANSFERRED);
    assert_int_equal(et_progress(job).FilesTransferred, 2);
    assert_true(et_progress(job).BytesTotal == 2000);
    assert_hr_equal(ob_job_complete(job), S_OK);
    assert_true(ts_file_has_pattern(ts_path(L"dst4a.bin"), 1000));
    assert_true(ts_file_has_pattern(ts_path(L"dst4b.bin"), 1000));
    ob_job_release(job);
}

/* ---- HTTP ---- */

static void test_http_files_download_byte_for_byte(void **state)
{
    ob_job *job = et_new_job(BG_JOB_TYPE_DOWNLOAD);

    et_add_file(job, ts_http_url("/data/3145728"), ts_path(L"h1.bin"));
    et_add_file(job, ts_http_url("/data/5000"), ts_path(L"h2.bin"));
    assert_hr_equal(ob_job_resume(job), S_OK);
    et_assert_state(job, BG_JOB_STATE_TRANSFERRED);
    assert_true(et_progress(job).BytesTotal == 3145728 + 5000);
    assert_true(et_progress(job).BytesTransferred == 3145728 + 5000);
    assert_hr_equal(ob_job_complete(job), S_OK);
    assert_true(ts_file_has_pattern(ts_path(L"h1.bin"), 3145728));
    assert_true(ts_file_has_pattern(ts_path(L"h2.bin"), 5000));
    assert_int_equal(ts_count_files(L"BIT*.tmp"), 0);
    ob_job_release(job);
}

static void test_http_404_is_an_error_and_cancel_keeps_existing_files(void **state)
{
    ob_job *job = et_new_job(BG_JOB_TYPE_DOWNLOAD);
    ob_error_info error;

    ts_write_pattern_file(ts_path(L"existing.bin"), 77);
    et_add_file(job, ts_http_url("/data/1000"), ts_path(L"h3.bin"));
    et_add_file(job, ts_http_url("/data/1000?status=404"), ts_path(L"existing.bin"));
    assert_hr_equal(ob_job_resume(job), S_OK);
    et_assert_state(job, BG_JOB_STATE_ERROR);
    error = et_error(job);
    assert_hr_equal(error.code, 0x80190194);
    assert_int_equal(error.context, BG_ERROR_CONTEXT_REMOTE_FILE);
    assert_int_equal(error.file_index, 1);
    assert_int_equal(error.protocol, OB_REMOTE_HTTP);
    assert_hr_equal(ob_job_cancel(job), S_OK);
    assert_true(ts_file_has_pattern(ts_path(L"existing.bin"), 77));
    assert_false(ts_file_exists(ts_path(L"h3.bin")));
    assert_int_equal(ts_count_files(L"BIT*.tmp"), 0);
    ob_job_release(job);
}

static void test_missing_size_and_range_support_are_errors(void **state)
{
    ob_job *no_size = et_new_job(BG_JOB_TYPE_DOWNLOAD), *no_range = et_new_job(BG_JOB_TYPE_DOWNLOAD);

    et_add_file(no_size, ts_http_url("/data/1000?nolength=1"), ts_path(L"h4.bin"));
    et_add_file(no_range, ts_http_url("/data/1000?norange=1"), ts_path(L"h5.bin"));
    assert_hr_equal(ob_job_resume(no_size), S_OK);
    assert_hr_equal(ob_job_resume(no_range), S_OK);
    et_assert_state(no_size, BG_JOB_STATE_ERROR);
    et_assert_state(no_range, BG_JOB_STATE_ERROR);
    assert_hr_equal(et_error(no_size).code, BG_E_MISSING_FILE_SIZE);
    assert_hr_equal(et_error(no_range).code, BG_E_INSUFFICIENT_RANGE_SUPPORT);
    assert_hr_equal(ob_job_cancel(no_size), S_OK);
    assert_hr_equal(ob_job_cancel(no_range), S_OK);
    assert_int_equal(ts_count_files(L"BIT*.tmp"), 0);
    ob_job_release(no_size);
    ob_job_release(no_range);
}

static void test_5xx_is_retried_until_no_progress_timeout(void **state)
{
    ob_job *job = et_new_job(BG_JOB_TYPE_DOWNLOAD);
    ob_job_info info;

    et_add_file(job, ts_http_url("/data/1000?status=503"), ts_path(L"h6.bin"));
    assert_hr_equal(ob_job_set_retry_delay(job, 5), S_OK);            /* 50 ms here */
    assert_hr_equal(ob_job_set_no_progress_timeout(job, 30), S_OK);   /* 300 ms here */
    assert_hr_equal(ob_job_resume(job), S_OK);
    et_assert_state(job, BG_JOB_STATE_TRANSIENT_ERROR);
    assert_hr_equal(et_error(job).code, 0x801901F7);
    assert_int_equal(ts_sink_count(&events, OB_NOTIFY_JOB_ERROR), 0); /* not raised for transient errors */
    et_assert_state(job, BG_JOB_STATE_ERROR);
    ob_job_get_info(job, &info);
    assert_true(info.error_count >= 2); /* it was retried */
    assert_hr_equal(et_error(job).code, 0x801901F7);
    assert_true(ts_sink_wait(&events, OB_NOTIFY_JOB_ERROR, 1));
    assert_int_equal(ts_sink_count(&events, OB_NOTIFY_JOB_ERROR), 1);
    assert_hr_equal(ob_job_cancel(job), S_OK);
    ob_job_release(job);
}

static void test_zero_no_progress_timeout_fails_at_once(void **state)
{
    ob_job *job = et_new_job(BG_JOB_TYPE_DOWNLOAD);

    et_add_file(job, ts_http_url("/data/1000?status=500"), ts_path(L"h7.bin"));
    assert_hr_equal(ob_job_set_no_progress_timeout(job, 0), S_OK);
    assert_hr_equal(ob_job_resume(job), S_OK);
    et_assert_state(job, BG_JOB_STATE_ERROR);
    assert_true(ts_sink_wait(&events, OB_NOTIFY_JOB_ERROR, 1));
    assert_int_equal(ts_sink_count(&events, OB_NOTIFY_JOB_ERROR), 1);
    assert_hr_equal(ob_job_cancel(job), S_OK);
    ob_job_release(job);
}

static void test_dropped_connection_resumes_without_counting_twice(void **state)
{
    ob_job *job = et_new_job(BG_JOB_TYPE_DOWNLOAD);
    BG_JOB_PROGRESS p;

    et_add_file(job, ts_http_url("/data/2000000?dropat=700000"), ts_path(L"h8.bin"));
    assert_hr_equal(ob_job_set_retry_delay(job, 5), S_OK);
    assert_hr_equal(ob_job_resume(job), S_OK);
    et_assert_state(job, BG_JOB_STATE_TRANSFERRED);
    p = et_progress(job);
    assert_true(p.BytesTransferred == 2000000);
    assert_true(p.BytesTotal == 2000000);
    assert_hr_equal(ob_job_complete(job), S_OK);
    assert_true(ts_file_has_pattern(ts_path(L"h8.bin"), 2000000));
    ob_job_release(job);
}

/* TRUE if the loopback server's /stats lists a fault of that kind
 * ("reset", "stall", "hang", "412") for a target containing `target`. */
static BOOL server_saw_fault(const char *kind, const char *target)
{
    DWORD size;
    char *stats = (char *)ts_http_get(ts_http_url("/stats"), &size), *p, needle[64];
    BOOL found = FALSE;

    assert_non_null(stats);
    stats = realloc(stats, size + 1);
    stats[size] = 0;
    snprintf(needle, sizeof(needle), "\"kind\": \"%s\"", kind);
    for (p = stats; !found && (p = strstr(p, needle)); p++)
    {
        char *end = strchr(p, '}'), *t = strstr(p, target);
        found = t && end && t < end;
    }
    free(stats);
    return found;
}

/* A server that resets the connection (TCP RST, SO_LINGER 0) mid-body: the
 * network error is transient (TRANSIENT_ERROR, not ERROR), and the retry
 * continues from the bytes on disk. */
static void test_reset_connection_is_transient_and_resumes(void **state)
{
    ob_job *job = et_new_job(BG_JOB_TYPE_DOWNLOAD);
    ob_error_info error;
    BG_JOB_PROGRESS p;

    /* only the first GET is reset (HEAD is request 1): a RST also drops what
     * the client had not read yet, and a retry reset again could lose it all */
    et_add_file(job, ts_http_url("/data/2000000?resetat=700000&resetupto=2"), ts_path(L"rst.bin"));
    assert_hr_equal(ob_job_set_retry_delay(job, 100), S_OK);   /* 1 s here: long enough to look */
    assert_hr_equal(ob_job_resume(job), S_OK);
    et_assert_state(job, BG_JOB_STATE_TRANSIENT_ERROR);
    error = et_error(job);
    /* WSAECONNRESET as Wine's WinHTTP passes it through, or one of WinHTTP's
     * own codes (connection error, invalid response), depending on when the
     * RST meets the client, as test_upload allows */
    if (error.code != HRESULT_FROM_WIN32(WSAECONNRESET) && error.code != HRESULT_FROM_WIN32(12030)
        && error.code != HRESULT_FROM_WIN32(12152))
        fail_msg("error 0x%08lx", (unsigned long)error.code);
    assert_int_equal(error.context, BG_ERROR_CONTEXT_REMOTE_FILE);
    assert_true(server_saw_fault("reset", "resetat=700000&resetupto=2"));
    p = et_progress(job);
    /* what was read before the reset (the kernel drops unread bytes on a RST) */
    assert_true(p.BytesTransferred <= 700000);
    et_assert_state(job, BG_JOB_STATE_TRANSFERRED);
    assert_int_equal(ts_sink_count(&events, OB_NOTIFY_JOB_ERROR), 0);
    assert_true(et_progress(job).BytesTransferred == 2000000);
    assert_hr_equal(ob_job_complete(job), S_OK);
    assert_true(ts_file_has_pattern(ts_path(L"rst.bin"), 2000000));
    ob_job_release(job);
}

/* The HTTP timeouts of the transports opened from now on (0: the documented ones). */
static void set_net_timeout(const WCHAR *ms)
{
    SetEnvironmentVariableW(L"OPENBITS_NET_TIMEOUT_MS", ms);
}

/* issue 15.6: a server that accepts and never answers: the wait for headers
 * ends by our timeout (1 s here, 60 s documented) in TRANSIENT_ERROR, and
 * Suspend acts on a job that waits for headers. */
static void test_silent_server_is_a_transient_timeout(void **state)
{
    ob_job *job = et_new_job(BG_JOB_TYPE_DOWNLOAD), *waiting = et_new_job(BG_JOB_TYPE_DOWNLOAD);
    ob_job_info info;

    set_net_timeout(L"1000");
    et_add_file(job, ts_http_url("/data/1000?hang=1&stallms=20000"), ts_path(L"silent.bin"));
    assert_hr_equal(ob_job_set_retry_delay(job, 1000), S_OK); /* 10 s here: it stays to be looked at */
    assert_hr_equal(ob_job_resume(job), S_OK);
    et_assert_state(job, BG_JOB_STATE_TRANSIENT_ERROR);
    assert_hr_equal(et_error(job).code, HRESULT_FROM_WIN32(ERROR_WINHTTP_TIMEOUT));
    assert_int_equal(et_error(job).context, BG_ERROR_CONTEXT_REMOTE_FILE);
    assert_true(server_saw_fault("hang", "hang=1&stallms=20000"));
    set_net_timeout(NULL);
    et_add_file(waiting, ts_http_url("/data/1001?hang=1&stallms=20000"), ts_path(L"silent2.bin"));
    assert_hr_equal(ob_job_resume(waiting), S_OK);
    et_assert_state(waiting, BG_JOB_STATE_CONNECTING);
    Sleep(200);
    assert_hr_equal(ob_job_suspend(waiting), S_OK);
    et_assert_state(waiting, BG_JOB_STATE_SUSPENDED);
    ob_job_get_info(waiting, &info);
    assert_int_equal(info.error_count, 0);
    assert_hr_equal(ob_job_cancel(job), S_OK);
    assert_hr_equal(ob_job_cancel(waiting), S_OK);
    ob_job_release(job);
    ob_job_release(waiting);
}

/* issue 15.6: four LOW jobs waiting forever for headers hold every worker;
 * a FOREGROUND job preempts one of them and transfers. */
static void test_jobs_waiting_for_headers_are_preempted(void **state)
{
    ob_job *low[4], *urgent;
    int i;

    for (i = 0; i < 4; i++)
    {
        WCHAR name[32];
        char path[64];
        swprintf(name, 32, L"stuck%d.bin", i);
        sprintf(path, "/data/%d?hang=1&stallms=30000", 2000 + i);
        low[i] = et_new_job(BG_JOB_TYPE_DOWNLOAD);
        et_add_file(low[i], ts_http_url(path), ts_path(name));
        assert_hr_equal(ob_job_set_priority(low[i], BG_JOB_PRIORITY_LOW), S_OK);
        assert_hr_equal(ob_job_resume(low[i]), S_OK);
    }
    for (i = 0; i < 4; i++) et_assert_state(low[i], BG_JOB_STATE_CONNECTING);
    for (i = 0; i < 4; i++)
    {
        char target[64];
        ULONGLONG until = GetTickCount64() + ET_WAIT_MS;
        sprintf(target, "/data/%d?hang=1", 2000 + i);
        while (!server_saw_fault("hang", target) && GetTickCount64() < until) Sleep(20);
        assert_true(server_saw_fault("hang", target)); /* each really waits on the server */
    }
    urgent = et_new_job(BG_JOB_TYPE_DOWNLOAD);
    et_add_file(urgent, ts_http_url("/data/5000"), ts_path(L"urgent-http.bin"));
    assert_hr_equal(ob_job_set_priority(urgent, BG_JOB_PRIORITY_FOREGROUND), S_OK);
    assert_hr_equal(ob_job_resume(urgent), S_OK);
    et_assert_state(urgent, BG_JOB_STATE_TRANSFERRED);
    assert_hr_equal(ob_job_complete(urgent), S_OK);
    assert_true(ts_file_has_pattern(ts_path(L"urgent-http.bin"), 5000));
    for (i = 0; i < 4; i++)
    {
        assert_hr_equal(ob_job_cancel(low[i]), S_OK);
        ob_job_release(low[i]);
    }
    ob_job_release(urgent);
}

/* issue 15.7: a stall mid-body: the bytes that arrived are counted and
 * written, and the timeout is transient; the retry continues from them. */
static void test_stall_mid_body_counts_what_arrived(void **state)
{
    ob_job *job = et_new_job(BG_JOB_TYPE_DOWNLOAD);

    set_net_timeout(L"1000");
    et_add_file(job, ts_http_url("/data/3000000?stallat=1000000&stallms=20000"), ts_path(L"stall.bin"));
    assert_hr_equal(ob_job_set_retry_delay(job, 100), S_OK); /* 1 s here */
    assert_hr_equal(ob_job_resume(job), S_OK);
    et_assert_state(job, BG_JOB_STATE_TRANSIENT_ERROR);
    set_net_timeout(NULL);
    assert_hr_equal(et_error(job).code, HRESULT_FROM_WIN32(ERROR_WINHTTP_TIMEOUT));
    assert_true(et_progress(job).BytesTransferred == 1000000);
    assert_true(server_saw_fault("stall", "stallat=1000000"));
    et_assert_state(job, BG_JOB_STATE_TRANSFERRED);
    assert_hr_equal(ob_job_complete(job), S_OK);
    assert_true(ts_file_has_pattern(ts_path(L"stall.bin"), 3000000));
    ob_job_release(job);
}

/* issue 15.8: GET reports a larger total than HEAD: the restarts are not
 * progress, and NoProgressTimeout ends the job. */
static void test_get_larger_than_head_ends_by_no_progress_timeout(void **state)
{
    ob_job *job = et_new_job(BG_JOB_TYPE_DOWNLOAD);
    ob_job_info info;

    et_add_file(job, ts_http_url("/data/200000?headsize=100000"), ts_path(L"grows.bin"));
    assert_hr_equal(ob_job_set_retry_delay(job, 5), S_OK);            /* 50 ms here */
    assert_hr_equal(ob_job_set_no_progress_timeout(job, 50), S_OK);   /* 500 ms here */
    assert_hr_equal(ob_job_resume(job), S_OK);
    et_assert_state(job, BG_JOB_STATE_ERROR);
    assert_hr_equal(et_error(job).code, BG_E_INVALID_SERVER_RESPONSE);
    assert_true(et_progress(job).BytesTransferred == 0);
    ob_job_get_info(job, &info);
    assert_true(info.error_count >= 1 && info.error_count < 100);
    assert_hr_equal(ob_job_cancel(job), S_OK);
    ob_job_release(job);
}

/* issue 15.10: a redirect loop is a permanent error, not retried. */
static void test_redirect_loop_is_an_error(void **state)
{
    ob_job *job = et_new_job(BG_JOB_TYPE_DOWNLOAD);
    ob_job_info info;

    et_add_file(job, ts_http_url("/redirect/302?self=1"), ts_path(L"loop.bin"));
    assert_hr_equal(ob_job_resume(job), S_OK);
    et_assert_state(job, BG_JOB_STATE_ERROR);
    assert_hr_equal(et_error(job).code, HRESULT_FROM_WIN32(ERROR_WINHTTP_REDIRECT_FAILED));
    ob_job_get_info(job, &info);
    assert_int_equal(info.error_count, 1);
    assert_hr_equal(ob_job_cancel(job), S_OK);
    ob_job_release(job);
}

/* issue 15.3: HEAD 204 with Content-Length 0 is no size: ERROR, no GET, no
 * empty file. */
static void test_head_204_is_not_an_empty_file(void **state)
{
    ob_job *job = et_new_job(BG_JOB_TYPE_DOWNLOAD);

    et_add_file(job, ts_http_url("/data/1000?headstatus=204"), ts_path(L"h204.bin"));
    assert_hr_equal(ob_job_resume(job), S_OK);
    et_assert_state(job, BG_JOB_STATE_ERROR);
    assert_hr_equal(et_error(job).code, 0x801900CC); /* BG_E_HTTP_ERROR_204 */
    assert_true(et_progress(job).BytesTotal == BG_SIZE_UNKNOWN);
    assert_hr_equal(ob_job_cancel(job), S_OK);
    assert_false(ts_file_exists(ts_path(L"h204.bin")));
    ob_job_release(job);
}

/* issue 15.12: a size that would wrap BytesTotal is refused
 * (HRESULT_FROM_WIN32(ERROR_ARITHMETIC_OVERFLOW)); transferred never
 * exceeds total. */
static void test_sizes_that_overflow_the_total_are_refused(void **state)
{
    ob_job *job = et_new_job(BG_JOB_TYPE_DOWNLOAD);
    BG_JOB_PROGRESS p;
    ob_error_info error;

    et_add_file(job, ts_http_url("/data/100"), ts_path(L"small.bin"));
    et_add_file(job, ts_http_url("/data/100?headsize=18446744073709551614"), ts_path(L"huge.bin"));
    assert_hr_equal(ob_job_resume(job), S_OK);
    et_assert_state(job, BG_JOB_STATE_ERROR);
    error = et_error(job);
    assert_hr_equal(error.code, HRESULT_FROM_WIN32(ERROR_ARITHMETIC_OVERFLOW));
    assert_int_equal(error.context, BG_ERROR_CONTEXT_REMOTE_FILE);
    assert_int_equal(error.file_index, 1);
    p = et_progress(job);
    assert_true(p.BytesTransferred == 100);
    assert_true(p.BytesTotal == BG_SIZE_UNKNOWN || p.BytesTotal >= p.BytesTransferred);
    assert_hr_equal(ob_job_complete(job), BG_S_PARTIAL_COMPLETE);
    assert_true(ts_file_has_pattern(ts_path(L"small.bin"), 100));
    ob_job_release(job);
}

static void test_suspend_stops_and_resume_continues(void **state)
{
    ob_job *job = et_new_job(BG_JOB_TYPE_DOWNLOAD);
    UINT64 at_suspend;
    ULONGLONG until;

    et_add_file(job, ts_http_url("/data/400000?rate=200000"), ts_path(L"h9.bin"));
    assert_hr_equal(ob_job_resume(job), S_OK);
    assert_true(et_wait_bytes(job, 50000));
    assert_hr_equal(ob_job_suspend(job), S_OK);
    at_suspend = et_progress(job).BytesTransferred;
    Sleep(300);
    /* stopped: at most the block in flight arrives after Suspend */
    assert_true(et_progress(job).BytesTransferred - at_suspend <= 32768);
    assert_int_equal(et_state(job), BG_JOB_STATE_SUSPENDED);
    at_suspend = et_progress(job).BytesTransferred;

    assert_hr_equal(ob_job_resume(job), S_OK);
    until = GetTickCount64() + ET_WAIT_MS;
    while (et_state(job) != BG_JOB_STATE_TRANSFERRED && GetTickCount64() < until)
    {
        /* continues from the bytes on disk: never back to zero */
        assert_true(et_progress(job).BytesTransferred >= at_suspend);
        Sleep(5);
    }
    et_assert_state(job, BG_JOB_STATE_TRANSFERRED);
    assert_hr_equal(ob_job_complete(job), S_OK);
    assert_true(ts_file_has_pattern(ts_path(L"h9.bin"), 400000));
    ob_job_release(job);
}

/* TRUE if the file holds exactly size bytes of the server's version 2
 * (flipat=): every pattern byte inverted. */
static BOOL file_has_inverted_pattern(const WCHAR *path, UINT64 size)
{
    HANDLE file = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    static BYTE buffer[65536];
    UINT64 at = 0;
    DWORD got, i;
    BOOL same = file != INVALID_HANDLE_VALUE;

    while (same && ReadFile(file, buffer, sizeof(buffer), &got, NULL) && got)
    {
        for (i = 0; i < got && same; i++) same = buffer[i] == (BYTE)~ts_pattern_byte(at + i);
        at += got;
    }
    if (file != INVALID_HANDLE_VALUE) CloseHandle(file);
    return same && at == size;
}

/* The file changes on the server between two runs (version 2 from the third
 * request on): the new probe restarts it from zero (documented), and the
 * file holds version 2 only. */
static void test_changed_remote_file_restarts(void **state)
{
    ob_job *job = et_new_job(BG_JOB_TYPE_DOWNLOAD);
    UINT64 at_suspend, lowest;
    ULONGLONG until;

    et_add_file(job, ts_http_url("/data/300000?rate=300000&flipat=3"), ts_path(L"h10.bin"));
    assert_hr_equal(ob_job_resume(job), S_OK);
    assert_true(et_wait_bytes(job, 60000));
    assert_hr_equal(ob_job_suspend(job), S_OK);
    et_assert_state(job, BG_JOB_STATE_SUSPENDED);
    at_suspend = lowest = et_progress(job).BytesTransferred;
    assert_hr_equal(ob_job_resume(job), S_OK);
    until = GetTickCount64() + ET_WAIT_MS;
    while (et_state(job) != BG_JOB_STATE_TRANSFERRED && GetTickCount64() < until)
    {
        lowest = min(lowest, et_progress(job).BytesTransferred);
        Sleep(2);
    }
    et_assert_state(job, BG_JOB_STATE_TRANSFERRED);
    assert_true(lowest < at_suspend); /* the documented restart */
    assert_true(et_progress(job).BytesTransferred == 300000);
    assert_hr_equal(ob_job_complete(job), S_OK);
    assert_true(file_has_inverted_pattern(ts_path(L"h10.bin"), 300000));
    ob_job_release(job);
}

/* The file changes between the HEAD and the GET of one run: the GET carries
 * If-Unmodified-Since, the server answers 412, and the file starts again at
 * once (no error): never half one version and half the other. */
static void test_file_changed_after_probe_is_never_torn(void **state)
{
    ob_job *job = et_new_job(BG_JOB_TYPE_DOWNLOAD);
    ob_job_info info;

    et_add_file(job, ts_http_url("/data/200000?flipat=2"), ts_path(L"torn.bin"));
    assert_hr_equal(ob_job_resume(job), S_OK);
    et_assert_state(job, BG_JOB_STATE_TRANSFERRED);
    assert_true(server_saw_fault("412", "flipat=2"));
    ob_job_get_info(job, &info);
    assert_int_equal(info.error_count, 0);
    assert_hr_equal(ob_job_complete(job), S_OK);
    assert_true(file_has_inverted_pattern(ts_path(L"torn.bin"), 200000));
    ob_job_release(job);
}

/* A server whose Last-Modified changes on every request can never give a
 * consistent file: each run restarts it, nothing counts as progress, and
 * NoProgressTimeout ends the job. */
static void test_file_that_never_stays_the_same_ends_in_error(void **state)
{
    ob_job *job = et_new_job(BG_JOB_TYPE_DOWNLOAD);

    et_add_file(job, ts_http_url("/data/100000?changing=1"), ts_path(L"never.bin"));
    assert_hr_equal(ob_job_set_retry_delay(job, 5), S_OK);            /* 50 ms here */
    assert_hr_equal(ob_job_set_no_progress_timeout(job, 50), S_OK);   /* 500 ms here */
    assert_hr_equal(ob_job_resume(job), S_OK);
    et_assert_state(job, BG_JOB_STATE_ERROR);
    assert_hr_equal(et_error(job).code, BG_E_INVALID_SERVER_RESPONSE);
    assert_int_equal(et_error(job).context, BG_ERROR_CONTEXT_REMOTE_FILE);
    assert_true(server_saw_fault("412", "changing=1"));
    assert_true(et_progress(job).BytesTransferred == 0);
    assert_hr_equal(ob_job_cancel(job), S_OK);
    ob_job_release(job);
}

static void test_cancel_while_transferring_deletes_only_temporaries(void **state)
{
    ob_job *job = et_new_job(BG_JOB_TYPE_DOWNLOAD);
    ULONGLONG until;

    ts_write_pattern_file(ts_path(L"keep.bin"), 10);
    et_add_file(job, ts_http_url("/data/400000?rate=100000"), ts_path(L"keep.bin"));
    assert_hr_equal(ob_job_resume(job), S_OK);
    assert_true(et_wait_bytes(job, 10000));
    assert_int_equal(ts_count_files(L"BIT*.tmp"), 1);
    assert_hr_equal(ob_job_cancel(job), S_OK);
    assert_int_equal(et_state(job), BG_JOB_STATE_CANCELLED);
    until = GetTickCount64() + ET_WAIT_MS; /* the worker may still hold it open a moment */
    while (ts_count_files(L"BIT*.tmp") && GetTickCount64() < until) Sleep(5);
    assert_int_equal(ts_count_files(L"BIT*.tmp"), 0);
    assert_true(ts_file_has_pattern(ts_path(L"keep.bin"), 10));
    ob_job_release(job);
}

/* The job's proxy reaches the transport: the loopback server also answers as
 * a proxy, so a host that does not exist is fetched through it. */
static void test_job_proxy_is_used(void **state)
{
    ob_job *job = et_new_job(BG_JOB_TYPE_DOWNLOAD);
    WCHAR proxy[32];

    swprintf(proxy, 32, L"127.0.0.1:%u", ts_http_port());
    et_add_file(job, L"http://openbits-proxy-test.invalid/data/1000", ts_path(L"proxied.bin"));
    assert_hr_equal(ob_job_set_proxy(job, BG_JOB_PROXY_USAGE_OVERRIDE, proxy, NULL), S_OK);
    assert_hr_equal(ob_job_resume(job), S_OK);
    et_assert_state(job, BG_JOB_STATE_TRANSFERRED);
    assert_hr_equal(ob_job_complete(job), S_OK);
    assert_true(ts_file_has_pattern(ts_path(L"proxied.bin"), 1000));
    ob_job_release(job);
}

static void test_job_credentials_are_used(void **state)
{
    BG_AUTH_CREDENTIALS c = { BG_AUTH_TARGET_SERVER, BG_AUTH_SCHEME_BASIC };
    ob_job *with = et_new_job(BG_JOB_TYPE_DOWNLOAD), *without = et_new_job(BG_JOB_TYPE_DOWNLOAD);

    c.Credentials.Basic.UserName = (WCHAR *)L"user";
    c.Credentials.Basic.Password = (WCHAR *)L"secret";
    et_add_file(with, ts_http_url("/data/1000?auth=user:secret"), ts_path(L"auth.bin"));
    et_add_file(without, ts_http_url("/data/1000?auth=user:secret"), ts_path(L"noauth.bin"));
    assert_hr_equal(ob_job_set_credentials(with, &c), S_OK);
    assert_hr_equal(ob_job_resume(with), S_OK);
    assert_hr_equal(ob_job_resume(without), S_OK);
    et_assert_state(with, BG_JOB_STATE_TRANSFERRED);
    et_assert_state(without, BG_JOB_STATE_ERROR);
    assert_hr_equal(et_error(without).code, 0x80190191); /* BG_E_HTTP_ERROR_401 */
    assert_hr_equal(ob_job_complete(with), S_OK);
    assert_true(ts_file_has_pattern(ts_path(L"auth.bin"), 1000));
    assert_hr_equal(ob_job_cancel(without), S_OK);
    ob_job_release(with);
    ob_job_release(without);
}

static char *read_text(const WCHAR *path)
{
    HANDLE file = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                              OPEN_EXISTING, 0, NULL);
    DWORD size, got = 0;
    char *text;

    assert_true(file != INVALID_HANDLE_VALUE);
    size = GetFileSize(file, NULL);
    text = calloc(1, size + 1);
    ReadFile(file, text, size, &got, NULL);
    CloseHandle(file);
    return text;
}

/* issue 9: a traced transfer with credentials (a 401 answered with them)
 * names its requests and states, never the user name or the password, in
 * clear or as the Basic token. */
static void test_trace_never_shows_credentials(void **state)
{
    BG_AUTH_CREDENTIALS c = { BG_AUTH_TARGET_SERVER, BG_AUTH_SCHEME_BASIC };
    ob_job *job = et_new_job(BG_JOB_TYPE_DOWNLOAD);
    const WCHAR *log = ts_path(L"credentials-trace.log");
    char *text;

    c.Credentials.Basic.UserName = (WCHAR *)L"tracer-user";
    c.Credentials.Basic.Password = (WCHAR *)L"Pw-q7Zx";
    /* hex of "tracer-user:Pw-q7Zx" */
    et_add_file(job, ts_http_url("/data/1000?authhex=7472616365722d757365723a50772d71375a78"), ts_path(L"traced.bin"));
    assert_hr_equal(ob_job_set_credentials(job, &c), S_OK);
    assert_true(ob_trace_start(log));
    assert_hr_equal(ob_job_resume(job), S_OK);
    et_assert_state(job, BG_JOB_STATE_TRANSFERRED);
    ob_trace_stop();
    assert_hr_equal(ob_job_complete(job), S_OK);
    assert_true(ts_file_has_pattern(ts_path(L"traced.bin"), 1000));   /* the credentials were really used */
    ob_job_release(job);

    text = read_text(log);
    assert_non_null(strstr(text, "/data/1000"));                       /* requests are traced */
    assert_null(strstr(text, "tracer-user"));
    assert_null(strstr(text, "Pw-q7Zx"));
    assert_null(strstr(text, "dHJhY2VyLXVzZXI6UHctcTdaeA"));           /* base64 of user:password */
    free(text);
}

/* A job's Digest credentials download its file (openbits answers the
 * challenge on both backends), and the trace shows neither the credentials
 * nor the Digest answer. */
static void test_digest_job_and_its_trace(void **state)
{
    BG_AUTH_CREDENTIALS c = { BG_AUTH_TARGET_SERVER, BG_AUTH_SCHEME_DIGEST };
    ob_job *job = et_new_job(BG_JOB_TYPE_DOWNLOAD);
    const WCHAR *log = ts_path(L"digest-trace.log");
    char *text;

    c.Credentials.Basic.UserName = (WCHAR *)L"tracer-user";
    c.Credentials.Basic.Password = (WCHAR *)L"Pw-q7Zx";
    /* hex of "tracer-user:Pw-q7Zx" */
    et_add_file(job, ts_http_url("/data/1000?digesthex=7472616365722d757365723a50772d71375a78"),
                ts_path(L"digested.bin"));
    assert_hr_equal(ob_job_set_credentials(job, &c), S_OK);
    assert_true(ob_trace_start(log));
    assert_hr_equal(ob_job_resume(job), S_OK);
    et_assert_state(job, BG_JOB_STATE_TRANSFERRED);
    ob_trace_stop();
    assert_hr_equal(ob_job_complete(job), S_OK);
    assert_true(ts_file_has_pattern(ts_path(L"digested.bin"), 1000));
    ob_job_release(job);

    text = read_text(log);
    assert_non_null(strstr(text, "http answers 401 with scheme 2"));  /* BG_AUTH_SCHEME_DIGEST */
    assert_null(strstr(text, "tracer-user"));
    assert_null(strstr(text, "Pw-q7Zx"));
    assert_null(strstr(text, "Digest"));
    assert_null(strstr(text, "response="));
    free(text);
}

static void test_sizes_above_4_gib(void **state)
{
    ob_job *job = et_new_job(BG_JOB_TYPE_DOWNLOAD);
    ULONGLONG until = GetTickCount64() + ET_WAIT_MS;

    et_add_file(job, ts_http_url("/data/5000000000"), ts_path(L"big.bin"));
    et_add_file(job, ts_http_url("/data/4294967296"), ts_path(L"big2.bin"));
    assert_hr_equal(ob_job_resume(job), S_OK);
    while (et_progress(job).BytesTotal == BG_SIZE_UNKNOWN && GetTickCount64() < until) Sleep(5);
    assert_true(et_progress(job).BytesTotal == 5000000000ull + 4294967296ull);
    assert_true(et_wait_bytes(job, 1));
    assert_hr_equal(ob_job_cancel(job), S_OK);
    ob_job_release(job);
}

static void test_several_jobs_transfer_at_once(void **state)
{
    ob_job *jobs[3];
    ULONGLONG until = GetTickCount64() + ET_WAIT_MS;
    int i, transferring = 0;

    for (i = 0; i < 3; i++)
    {
        WCHAR name[32];
        swprintf(name, 32, L"par%d.bin", i);
        jobs[i] = et_new_job(BG_JOB_TYPE_DOWNLOAD);
        et_add_file(jobs[i], ts_http_url("/data/200000?rate=100000"), ts_path(name));
        assert_hr_equal(ob_job_resume(jobs[i]), S_OK);
    }
    while (transferring < 3 && GetTickCount64() < until)
    {
        for (i = 0, transferring = 0; i < 3; i++)
            transferring += et_progress(jobs[i]).BytesTransferred > 0 &&
                            et_state(jobs[i]) == BG_JOB_STATE_TRANSFERRING;
        Sleep(5);
    }
    assert_int_equal(transferring, 3);
    for (i = 0; i < 3; i++)
    {
        assert_hr_equal(ob_job_cancel(jobs[i]), S_OK);
        ob_job_release(jobs[i]);
    }
}

static ULONGLONG completed_at(ob_job *job)
{
    ob_job_info info;
    ob_job_get_info(job, &info);
    return ((ULONGLONG)info.times.TransferCompletionTime.dwHighDateTime << 32) |
           info.times.TransferCompletionTime.dwLowDateTime;
}

/* One worker: while it is busy, jobs queue; they then run by priority, first
 * come first served within one. */
static void test_higher_priority_runs_first(void **state)
{
    static const BG_JOB_PRIORITY order[] = { BG_JOB_PRIORITY_LOW, BG_JOB_PRIORITY_NORMAL,
                                             BG_JOB_PRIORITY_FOREGROUND, BG_JOB_PRIORITY_HIGH };
    ob_job *blocker, *jobs[4];
    int i;

    et_stop();
    start_engine(1);
    ts_write_pattern_file(ts_path(L"prio.bin"), 1000);
    blocker = et_new_job(BG_JOB_TYPE_DOWNLOAD);
    et_add_file(blocker, ts_http_url("/data/40000?rate=100000"), ts_path(L"blocker.bin"));
    /* FOREGROUND itself, so that nothing preempts it */
    assert_hr_equal(ob_job_set_priority(blocker, BG_JOB_PRIORITY_FOREGROUND), S_OK);
    assert_hr_equal(ob_job_resume(blocker), S_OK);
    assert_true(et_wait_bytes(blocker, 1));
    for (i = 0; i < 4; i++)
    {
        WCHAR name[32];
        swprintf(name, 32, L"prio%d.bin", i);
        jobs[i] = et_new_job(BG_JOB_TYPE_DOWNLOAD);
        et_add_file(jobs[i], ts_path(L"prio.bin"), ts_path(name));
        assert_hr_equal(ob_job_set_priority(jobs[i], order[i]), S_OK);
        assert_hr_equal(ob_job_resume(jobs[i]), S_OK);
    }
    for (i = 0; i < 4; i++) et_assert_state(jobs[i], BG_JOB_STATE_TRANSFERRED);
    assert_true(ts_sink_wait(&events, OB_NOTIFY_JOB_TRANSFERRED, 5));
    /* the order they finished in (several notifier threads may deliver
     * their JobTransferred in another order) */
    assert_true(completed_at(blocker) < completed_at(jobs[2])); /* FOREGROUND */
    assert_true(completed_at(jobs[2]) < completed_at(jobs[3])); /* HIGH */
    assert_true(completed_at(jobs[3]) < completed_at(jobs[1])); /* NORMAL */
    assert_true(completed_at(jobs[1]) < completed_at(jobs[0])); /* LOW */
    for (i = 0; i < 4; i++)
    {
        assert_hr_equal(ob_job_cancel(jobs[i]), S_OK);
        ob_job_release(jobs[i]);
    }
    assert_hr_equal(ob_job_cancel(blocker), S_OK);
    ob_job_release(blocker);
}

/* One worker, busy with a LOW job: a FOREGROUND job takes the worker, and
 * the LOW job then continues from where it stopped. */
static void test_higher_priority_preempts(void **state)
{
    ob_job *low, *urgent;
    UINT64 low_bytes;
    ULONGLONG until;

    et_stop();
    start_engine(1);
    low = et_new_job(BG_JOB_TYPE_DOWNLOAD);
    et_add_file(low, ts_http_url("/data/600000?rate=200000"), ts_path(L"low.bin"));
    assert_hr_equal(ob_job_set_priority(low, BG_JOB_PRIORITY_LOW), S_OK);
    assert_hr_equal(ob_job_resume(low), S_OK);
    assert_true(et_wait_bytes(low, 40000));

    urgent = et_new_job(BG_JOB_TYPE_DOWNLOAD);
    ts_write_pattern_file(ts_path(L"urgent-src.bin"), 5000);
    et_add_file(urgent, ts_path(L"urgent-src.bin"), ts_path(L"urgent.bin"));
    assert_hr_equal(ob_job_set_priority(urgent, BG_JOB_PRIORITY_FOREGROUND), S_OK);
    assert_hr_equal(ob_job_resume(urgent), S_OK);
    et_assert_state(urgent, BG_JOB_STATE_TRANSFERRED);
    assert_true(et_state(low) != BG_JOB_STATE_TRANSFERRED);
    low_bytes = et_progress(low).BytesTransferred;

    until = GetTickCount64() + ET_WAIT_MS;
    while (et_state(low) != BG_JOB_STATE_TRANSFERRED && GetTickCount64() < until)
    {
        assert_true(et_progress(low).BytesTransferred >= low_bytes); /* not from zero */
        Sleep(5);
    }
    et_assert_state(low, BG_JOB_STATE_TRANSFERRED);
    assert_hr_equal(ob_job_complete(low), S_OK);
    assert_hr_equal(ob_job_complete(urgent), S_OK);
    assert_true(ts_file_has_pattern(ts_path(L"low.bin"), 600000));
    assert_true(ts_file_has_pattern(ts_path(L"urgent.bin"), 5000));
    ob_job_release(low);
    ob_job_release(urgent);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_local_files_download_and_complete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_local_source_is_an_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_local_directory_is_a_local_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_files_added_after_transfer_are_transferred, setup, teardown),
        cmocka_unit_test_setup_teardown(test_http_files_download_byte_for_byte, setup, teardown),
        cmocka_unit_test_setup_teardown(test_http_404_is_an_error_and_cancel_keeps_existing_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_size_and_range_support_are_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_5xx_is_retried_until_no_progress_timeout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_zero_no_progress_timeout_fails_at_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dropped_connection_resumes_without_counting_twice, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reset_connection_is_transient_and_resumes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_silent_server_is_a_transient_timeout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_jobs_waiting_for_headers_are_preempted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stall_mid_body_counts_what_arrived, setup, teardown),
        cmocka_unit_test_setup_teardown(test_get_larger_than_head_ends_by_no_progress_timeout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_redirect_loop_is_an_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_head_204_is_not_an_empty_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sizes_that_overflow_the_total_are_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_suspend_stops_and_resume_continues, setup, teardown),
        cmocka_unit_test_setup_teardown(test_changed_remote_file_restarts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_changed_after_probe_is_never_torn, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_that_never_stays_the_same_ends_in_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel_while_transferring_deletes_only_temporaries, setup, teardown),
        cmocka_unit_test_setup_teardown(test_job_proxy_is_used, setup, teardown),
        cmocka_unit_test_setup_teardown(test_job_credentials_are_used, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trace_never_shows_credentials, setup, teardown),
        cmocka_unit_test_setup_teardown(test_digest_job_and_its_trace, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sizes_above_4_gib, setup, teardown),
        cmocka_unit_test_setup_teardown(test_several_jobs_transfer_at_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_higher_priority_runs_first, setup, teardown),
        cmocka_unit_test_setup_teardown(test_higher_priority_preempts, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
