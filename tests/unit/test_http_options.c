/* The job's HTTP options end to end, on each HTTP backend (CTest runs this
 * file as test_http_options with curl and test_http_options_winhttp with
 * WinHTTP): custom headers on every request type (HEAD, GET, BITS_POST, as the
 * loopback servers saw them), the redirect policies against a redirecting
 * server, and each file's final response headers. */
#include "engine_test_util.h"
#include "job_http.h"
#include "transport.h"
#include <stdio.h>
#include <winhttp.h>

#define HEADERS L"X-Openbits-One: first value\r\nX-Openbits-Two: 2\r\n"

static int setup(void **state)
{
    et_start(2);
    return 0;
}

static int teardown(void **state)
{
    et_stop();
    ts_cleanup();
    return 0;
}

/* A target no other run (backend, process) asked for: the servers' lists outlive runs. */
static const char *unique(const char *path, const char *name)
{
    static char text[256];
    WCHAR backend[16] = L"";
    GetEnvironmentVariableW(L"OPENBITS_HTTP_TRANSPORT", backend, ARRAYSIZE(backend));
    snprintf(text, sizeof(text), "%s%ctag=%s-%ls-%lu-%lu", path, strchr(path, '?') ? '&' : '?', name, backend,
             GetCurrentProcessId(), GetTickCount());
    return text;
}

/* The /stats of a server as text (free it). */
static char *stats_of(const WCHAR *url)
{
    DWORD size;
    char *stats = (char *)ts_http_get(url, &size);
    assert_non_null(stats);
    stats = realloc(stats, size + 1);
    stats[size] = 0;
    return stats;
}

/* How many times a server's "custom_headers" list holds "METHOD target|header". */
static ULONG seen(char *stats, const char *method, const char *target, const char *header)
{
    char entry[512];
    ULONG count = 0;
    const char *p = stats;
    snprintf(entry, sizeof(entry), "\"%s %s|%s\"", method, target, header);
    while ((p = strstr(p, entry))) count++, p++;
    return count;
}

static WCHAR *remote_name(ob_job *job)
{
    WCHAR *name = NULL;
    assert_hr_equal(ob_job_get_file_name(job, 0, TRUE, &name), S_OK);
    return name;
}

/* ---- custom headers ---- */

static void test_custom_headers_on_head_and_get(void **state)
{
    char target[256];
    ob_job *job = et_new_job(BG_JOB_TYPE_DOWNLOAD);
    char *stats;

    strcpy(target, unique("/data/3000", "headers"));
    et_add_file(job, ts_http_url(target), ts_path(L"headers.bin"));
    assert_hr_equal(ob_job_set_custom_headers(job, HEADERS), S_OK);
    assert_hr_equal(ob_job_resume(job), S_OK);
    et_assert_state(job, BG_JOB_STATE_TRANSFERRED);
    stats = stats_of(ts_http_url("/stats"));
    assert_int_equal(seen(stats, "HEAD", target, "X-Openbits-One: first value"), 1);
    assert_int_equal(seen(stats, "HEAD", target, "X-Openbits-Two: 2"), 1);
    assert_int_equal(seen(stats, "GET", target, "X-Openbits-One: first value"), 1);
    assert_int_equal(seen(stats, "GET", target, "X-Openbits-Two: 2"), 1);
    free(stats);
    assert_hr_equal(ob_job_complete(job), S_OK);
    assert_true(ts_file_has_pattern(ts_path(L"headers.bin"), 3000));
    ob_job_release(job);
}

/* Removed (NULL) before the transfer: none is sent. */
static void test_removed_custom_headers_are_not_sent(void **state)
{
    char target[256];
    ob_job *job = et_new_job(BG_JOB_TYPE_DOWNLOAD);
    char *stats;

    strcpy(target, unique("/data/100", "removed"));
    et_add_file(job, ts_http_url(target), ts_path(L"removed.bin"));
    assert_hr_equal(ob_job_set_custom_headers(job, HEADERS), S_OK);
    assert_hr_equal(ob_job_set_custom_headers(job, NULL), S_OK);
    assert_hr_equal(ob_job_resume(job), S_OK);
    et_assert_state(job, BG_JOB_STATE_TRANSFERRED);
    stats = stats_of(ts_http_url("/stats"));
    assert_int_equal(seen(stats, "HEAD", target, "X-Openbits-One: first value"), 0);
    assert_int_equal(seen(stats, "GET", target, "X-Openbits-One: first value"), 0);
    assert_non_null(strstr(stats, target)); /* the requests did arrive */
    free(stats);
    assert_hr_equal(ob_job_cancel(job), S_OK);
    ob_job_release(job);
}

static void test_custom_headers_on_bits_post(void **state)
{
    char target[256];
    ob_job *job = et_new_job(BG_JOB_TYPE_UPLOAD);
    WCHAR backend[16] = L"";
    char *stats;

    /* the upload server takes no tag=: the path itself is this run's */
    GetEnvironmentVariableW(L"OPENBITS_HTTP_TRANSPORT", backend, ARRAYSIZE(backend));
    snprintf(target, sizeof(target), "/upload/http-options-%ls-%lu-%lu.bin", backend, GetCurrentProcessId(),
             GetTickCount());
    ts_write_pattern_file(ts_path(L"post-src.bin"), 5000);
    et_add_file(job, ts_upload_url(target), ts_path(L"post-src.bin"));
    assert_hr_equal(ob_job_set_custom_headers(job, HEADERS), S_OK);
    assert_hr_equal(ob_job_resume(job), S_OK);
    et_assert_state(job, BG_JOB_STATE_TRANSFERRED);
    stats = stats_of(ts_upload_url("/stats"));
    /* Create-Session, one Fragment and Close-Session: every one carries both */
    assert_true(seen(stats, "BITS_POST", target, "X-Openbits-One: first value") >= 3);
    assert_int_equal(seen(stats, "BITS_POST", target, "X-Openbits-One: first value"),
                     seen(stats, "BITS_POST", target, "X-Openbits-Two: 2"));
    free(stats);
    assert_hr_equal(ob_job_complete(job), S_OK);
    ob_job_release(job);
}

/* ---- redirect policies ---- */

static ob_job *redirected_job(const char *name, ULONG flags, char *to, size_t to_size)
{
    char from[512];
    ob_job *job = et_new_job(BG_JOB_TYPE_DOWNLOAD);
    WCHAR local[64];

    snprintf(to, to_size, "%s", unique("/data/2000", name));
    snprintf(from, sizeof(from), "/redirect/302?to=%s", to);
    /* the query of the target as part of the redirect's: its & and = encoded */
    {
        char *q = strchr(from + strlen("/redirect/302?to="), '?');
        char encoded[512];
        if (q)
        {
            *q = 0;
            snprintf(encoded, sizeof(encoded), "%s%%3F%s", from, q + 1);
            for (q = encoded + strlen("/redirect/302?to="); *q; q++)
                if (*q == '=') { memmove(q + 3, q + 1, strlen(q)); q[0] = '%'; q[1] = '3'; q[2] = 'D'; }
            strcpy(from, encoded);
        }
    }
    swprintf(local, ARRAYSIZE(local), L"%hs.bin", name);
    et_add_file(job, ts_http_url(from), ts_path(local));
    assert_hr_equal(ob_job_set_security_flags(job, flags), S_OK);
    return job;
}

static void test_redirect_allow_silent_keeps_the_remote_name(void **state)
{
    char to[256];
    ob_job *job = redirected_job("silent", BG_HTTP_REDIRECT_POLICY_ALLOW_SILENT, to, sizeof(to));
    WCHAR *before = remote_name(job), *after;

    assert_hr_equal(ob_job_resume(job), S_OK);
    et_assert_state(job, BG_JOB_STATE_TRANSFERRED);
    after = remote_name(job);
    assert_true(!wcscmp(before, after));
    CoTaskMemFree(before);
    CoTaskMemFree(after);
    assert_hr_equal(ob_job_complete(job), S_OK);
    assert_true(ts_file_has_pattern(ts_path(L"silent.bin"), 2000));
    ob_job_release(job);
}

static void test_redirect_allow_report_gives_the_final_url(void **state)
{
    char to[256];
    ob_job *job = redirected_job("report", BG_HTTP_REDIRECT_POLICY_ALLOW_REPORT, to, sizeof(to));
    WCHAR *after;

    assert_hr_equal(ob_job_resume(job), S_OK);
    et_assert_state(job, BG_JOB_STATE_TRANSFERRED);
    after = remote_name(job);
    assert_true(!wcscmp(after, ts_http_url(to)));
    CoTaskMemFree(after);
    assert_hr_equal(ob_job_complete(job), S_OK);
    assert_true(ts_file_has_pattern(ts_path(L"report.bin"), 2000));
    ob_job_release(job);
}

/* Documented: ERROR with HRESULT_FROM_WIN32(HTTP_STATUS_REDIRECT) for a 302,
 * and the remote name is the redirected URL; the target was never asked. */
static void test_redirect_disallow_is_an_error(void **state)
{
    char to[256], *stats;
    ob_job *job = redirected_job("disallow", BG_HTTP_REDIRECT_POLICY_DISALLOW, to, sizeof(to));
    ob_error_info error;
    WCHAR *after;

    assert_hr_equal(ob_job_resume(job), S_OK);
    et_assert_state(job, BG_JOB_STATE_ERROR);
    error = et_error(job);
    assert_hr_equal(error.code, HRESULT_FROM_WIN32(HTTP_STATUS_REDIRECT));
    assert_int_equal(error.context, BG_ERROR_CONTEXT_REMOTE_FILE);
    after = remote_name(job);
    assert_true(!wcscmp(after, ts_http_url(to)));
    CoTaskMemFree(after);
    stats = stats_of(ts_http_url("/stats"));
    assert_null(strstr(stats, to));
    free(stats);
    assert_hr_equal(ob_job_cancel(job), S_OK);
    ob_job_release(job);
}

/* ---- response headers ---- */

static void test_final_response_headers_are_kept(void **state)
{
    ob_job *job = et_new_job(BG_JOB_TYPE_DOWNLOAD);
    WCHAR *headers = (WCHAR *)1;

    et_add_file(job, ts_http_url(unique("/data/4000", "response")), ts_path(L"response.bin"));
    assert_hr_equal(ob_job_get_file_response_headers(job, 0, &headers), S_FALSE);
    assert_null(headers);
    assert_hr_equal(ob_job_get_file_response_headers(job, 1, &headers), E_INVALIDARG);
    assert_hr_equal(ob_job_resume(job), S_OK);
    et_assert_state(job, BG_JOB_STATE_TRANSFERRED);
    assert_hr_equal(ob_job_get_file_response_headers(job, 0, &headers), S_OK);
    print_message("%ls\n", headers);
    /* the final response is the ranged GET's 206, not the HEAD's 200 */
    assert_non_null(wcsstr(headers, L"206"));
    assert_non_null(wcsstr(headers, L"Content-Range: bytes 0-3999/4000"));
    assert_non_null(wcsstr(headers, L"ETag:"));
    CoTaskMemFree(headers);
    assert_hr_equal(ob_job_cancel(job), S_OK);
    ob_job_release(job);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_custom_headers_on_head_and_get, setup, teardown),
        cmocka_unit_test_setup_teardown(test_removed_custom_headers_are_not_sent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_custom_headers_on_bits_post, setup, teardown),
        cmocka_unit_test_setup_teardown(test_redirect_allow_silent_keeps_the_remote_name, setup, teardown),
        cmocka_unit_test_setup_teardown(test_redirect_allow_report_gives_the_final_url, setup, teardown),
        cmocka_unit_test_setup_teardown(test_redirect_disallow_is_an_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_final_response_headers_are_kept, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, ts_group_teardown);
}
