/* HTTPS end to end under Wine, against the loopback TLS server (fixture
 * https_server): the WinHTTP transport and a whole engine job once the test CA
 * is in the Root store, and a job that fails while it is not.
 *
 * Wine's default chain engine reads the Root store once per process, so trust
 * cannot change within one run: "test_https" trusts the CA before its first
 * request, "test_https untrusted" removes it first (CTest runs both). */
#include "engine_test_util.h"
#include "transport.h"
#include <stdio.h>
#include <winhttp.h>

/* A fetch with nothing probed before it checks no size or time. */
static const ob_remote_info unprobed = { BG_SIZE_UNKNOWN };

#define SIZE 3000000

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

static int trust(void **state)
{
    ts_trust_test_ca();
    return 0;
}

/* Also after a trusted run: the CA stays out of the prefix between runs. */
static int distrust(void **state)
{
    ts_distrust_test_ca();
    return 0;
}

/* ---- helpers ---- */

static ob_job *new_job(const char *path, const WCHAR *local)
{
    ob_job *job = et_new_job(BG_JOB_TYPE_DOWNLOAD);
    et_add_file(job, ts_https_url(path), local);
    return job;
}

typedef struct received {
    BYTE *data;
    UINT64 size;
} received;

static BOOL receive(void *context, const BYTE *data, DWORD size)
{
    received *r = context;
    assert_true(r->size + size <= SIZE);
    memcpy(r->data + r->size, data, size);
    r->size += size;
    return TRUE;
}

/* ---- tests ---- */

static void test_transport_probes_and_fetches_over_https(void **state)
{
    ob_transport *transport = NULL;
    ob_remote_info info;
    ob_failure where = { 0 };
    received r = { malloc(SIZE), 0 };

    assert_hr_equal(ob_http_transport_open(NULL, &transport), S_OK);
    assert_hr_equal(transport->ops->probe(transport, ts_https_url("/data/3000000"), &info, &where), S_OK);
    assert_true(info.size == SIZE);
    assert_hr_equal(transport->ops->fetch(transport, ts_https_url("/data/3000000"), &unprobed, 0, receive, &r, &where), S_OK);
    assert_true(r.size == SIZE);
    assert_true(ts_bytes_have_pattern(r.data, r.size));
    transport->ops->close(transport);
    free(r.data);
}

static void test_job_downloads_over_https(void **state)
{
    ob_job *job;
    BG_JOB_PROGRESS p;

    job = new_job("/data/3000000", ts_path(L"https.bin"));
    assert_hr_equal(ob_job_resume(job), S_OK);
    et_assert_state(job, BG_JOB_STATE_TRANSFERRED);
    ob_job_get_progress(job, &p);
    assert_true(p.BytesTotal == SIZE && p.BytesTransferred == SIZE);
    assert_hr_equal(ob_job_complete(job), S_OK);
    assert_true(ts_file_has_pattern(ts_path(L"https.bin"), SIZE));
    assert_int_equal(ts_count_files(L"BIT*.tmp"), 0);
    ob_job_release(job);
}

/* An untrusted certificate fails the job at once: waiting will not mend it.
 * Windows reports ERROR_WINHTTP_SECURE_FAILURE; Wine 8 reports
 * ERROR_WINHTTP_SECURE_CHANNEL_ERROR. */
static void test_untrusted_certificate_fails_the_job(void **state)
{
    ob_job *job = new_job("/data/3000000", ts_path(L"untrusted.bin"));
    ob_error_info error;
    BG_JOB_PROGRESS p;

    assert_hr_equal(ob_job_resume(job), S_OK);
    et_assert_state(job, BG_JOB_STATE_ERROR);
    error = et_error(job);
    print_message("untrusted certificate: 0x%08lx\n", (unsigned long)error.code);
    if (error.code != HRESULT_FROM_WIN32(ERROR_WINHTTP_SECURE_FAILURE)
        && error.code != HRESULT_FROM_WIN32(ERROR_WINHTTP_SECURE_CHANNEL_ERROR))
        fail_msg("error 0x%08lx is not a certificate failure", (unsigned long)error.code);
    assert_int_equal(error.context, BG_ERROR_CONTEXT_REMOTE_FILE);
    assert_int_equal(error.file_index, 0);
    ob_job_get_progress(job, &p);
    assert_true(p.BytesTransferred == 0);
    assert_hr_equal(ob_job_cancel(job), S_OK);
    assert_false(ts_file_exists(ts_path(L"untrusted.bin")));
    assert_int_equal(ts_count_files(L"BIT*.tmp"), 0);
    ob_job_release(job);
}

/* A certificate the system does not accept for the host fails the job at
 * once, before any request reaches the server, with WinHTTP's documented
 * ERROR_WINHTTP_SECURE_FAILURE (the curl backend, which checks the chain and
 * the name itself because Wine's Schannel does not; Wine's WinHTTP reports
 * its own, finer codes). */
static void check_refused(const char *which, const char *size, const WCHAR *local)
{
    WCHAR backend[16] = L"";
    char path[128];
    ob_job *job = et_new_job(BG_JOB_TYPE_DOWNLOAD);
    ob_error_info error;
    BG_JOB_PROGRESS p;

    GetEnvironmentVariableW(L"OPENBITS_HTTP_TRANSPORT", backend, ARRAYSIZE(backend));
    /* a target no earlier run asked for: the server's log outlives runs */
    snprintf(path, sizeof(path), "/data/%s?tag=%ls-%lu-%lu", size, backend, GetCurrentProcessId(), GetTickCount());
    et_add_file(job, ts_bad_https_url(which, path), local);
    assert_hr_equal(ob_job_resume(job), S_OK);
    et_assert_state(job, BG_JOB_STATE_ERROR);
    error = et_error(job);
    print_message("%s certificate (%ls): 0x%08lx\n", which, backend, (unsigned long)error.code);
    if (!_wcsicmp(backend, L"curl"))
        assert_hr_equal(error.code, HRESULT_FROM_WIN32(ERROR_WINHTTP_SECURE_FAILURE));
    else if (error.code != HRESULT_FROM_WIN32(ERROR_WINHTTP_SECURE_FAILURE)
             && error.code != HRESULT_FROM_WIN32(ERROR_WINHTTP_SECURE_CHANNEL_ERROR)
             && error.code != HRESULT_FROM_WIN32(ERROR_WINHTTP_SECURE_CERT_CN_INVALID)
             && error.code != HRESULT_FROM_WIN32(ERROR_WINHTTP_SECURE_CERT_DATE_INVALID))
        fail_msg("error 0x%08lx is not a certificate failure", (unsigned long)error.code);
    assert_int_equal(error.context, BG_ERROR_CONTEXT_REMOTE_FILE);
    ob_job_get_progress(job, &p);
    assert_true(p.BytesTransferred == 0);
    assert_false(ts_bad_https_server_saw(which, path));
    assert_hr_equal(ob_job_cancel(job), S_OK);
    assert_int_equal(ts_count_files(L"BIT*.tmp"), 0);
    ob_job_release(job);
}

static void test_wrong_host_name_fails_the_job(void **state)
{
    check_refused("WRONGHOST", "3000001", ts_path(L"wronghost.bin"));
}

static void test_expired_certificate_fails_the_job(void **state)
{
    check_refused("EXPIRED", "3000002", ts_path(L"expired.bin"));
}

int main(int argc, char **argv)
{
    const struct CMUnitTest trusted[] = {
        cmocka_unit_test_setup_teardown(test_transport_probes_and_fetches_over_https, setup, teardown),
        cmocka_unit_test_setup_teardown(test_job_downloads_over_https, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_host_name_fails_the_job, setup, teardown),
        cmocka_unit_test_setup_teardown(test_expired_certificate_fails_the_job, setup, teardown),
    };
    const struct CMUnitTest untrusted[] = {
        cmocka_unit_test_setup_teardown(test_untrusted_certificate_fails_the_job, setup, teardown),
    };
    if (argc > 1 && !strcmp(argv[1], "untrusted")) return cmocka_run_group_tests(untrusted, distrust, NULL);
    return cmocka_run_group_tests(trusted, trust, distrust);
}
