/* HTTPS end to end under Wine, against the loopback TLS server (fixture
 * https_server): the WinHTTP transport and a whole engine job once the test CA
 * is in the Root store, and a job that fails while it is not.
 *
 * Wine's default chain engine reads the Root store once per process, so trust
 * cannot change within one run: "test_https" trusts the CA before its first
 * request, "test_https untrusted" removes it first (CTest runs both). */
#include "engine_test_util.h"
#include "transport.h"
#include "job_http.h"
#include <wincrypt.h>
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
static void check_refused_with(const char *which, const char *size, const WCHAR *local, ULONG flags)
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
    assert_hr_equal(ob_job_set_security_flags(job, flags), S_OK);
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
    /* measured: Wine's WinHTTP, once a security flag is set, may send the
     * request before it refuses the certificate; openbits' own check
     * (curl) never does */
    if (!flags || !_wcsicmp(backend, L"curl")) assert_false(ts_bad_https_server_saw(which, path));
    assert_hr_equal(ob_job_cancel(job), S_OK);
    assert_int_equal(ts_count_files(L"BIT*.tmp"), 0);
    ob_job_release(job);
}

static void check_refused(const char *which, const char *size, const WCHAR *local)
{
    check_refused_with(which, size, local, 0);
}

/* A BG_SSL_IGNORE_* flag waives exactly its error: the job transfers. */
static void check_accepted(const WCHAR *url, ULONG flags, const WCHAR *local, UINT64 size)
{
    ob_job *job = et_new_job(BG_JOB_TYPE_DOWNLOAD);
    et_add_file(job, url, local);
    assert_hr_equal(ob_job_set_security_flags(job, flags), S_OK);
    assert_hr_equal(ob_job_resume(job), S_OK);
    et_assert_state(job, BG_JOB_STATE_TRANSFERRED);
    assert_hr_equal(ob_job_complete(job), S_OK);
    assert_true(ts_file_has_pattern(local, size));
    ob_job_release(job);
}

static void test_ignore_cn_invalid_accepts_the_wrong_host(void **state)
{
    check_accepted(ts_bad_https_url("WRONGHOST", "/data/20001"), BG_SSL_IGNORE_CERT_CN_INVALID,
                   ts_path(L"ignore-cn.bin"), 20001);
    /* another flag waives nothing here */
    check_refused_with("WRONGHOST", "20002", ts_path(L"ignore-cn-not.bin"), BG_SSL_IGNORE_CERT_DATE_INVALID);
}

static void test_ignore_date_invalid_accepts_the_expired(void **state)
{
    check_accepted(ts_bad_https_url("EXPIRED", "/data/20003"), BG_SSL_IGNORE_CERT_DATE_INVALID,
                   ts_path(L"ignore-date.bin"), 20003);
    check_refused_with("EXPIRED", "20004", ts_path(L"ignore-date-not.bin"), BG_SSL_IGNORE_CERT_CN_INVALID);
}

static void test_ignore_unknown_ca_accepts_the_untrusted(void **state)
{
    check_accepted(ts_https_url("/data/20005"), BG_SSL_IGNORE_UNKNOWN_CA, ts_path(L"ignore-ca.bin"), 20005);
}

/* ---- the server certificate check (HttpOptions3's callback, as the engine sees it) ---- */

typedef struct fake_check {
    ob_cert_check base;
    LONG refs;
    HRESULT answer;
    LONG calls;
    BOOL parsed;               /* the certificate given was the server's, in DER */
    ULONG file_index;
} fake_check;

static void fake_addref(ob_cert_check *check)
{
    InterlockedIncrement(&CONTAINING_RECORD(check, fake_check, base)->refs);
}

static void fake_release(ob_cert_check *check)
{
    InterlockedDecrement(&CONTAINING_RECORD(check, fake_check, base)->refs);
}

static HRESULT fake_validate(ob_cert_check *check, ob_job *job, ULONG index, const BYTE *cert, DWORD size,
                             DWORD encoding, const BYTE *store, DWORD store_size)
{
    fake_check *self = CONTAINING_RECORD(check, fake_check, base);
    PCCERT_CONTEXT parsed = CertCreateCertificateContext(encoding, cert, size);
    WCHAR name[256] = L"";
    if (parsed)
    {
        CertGetNameStringW(parsed, CERT_NAME_SIMPLE_DISPLAY_TYPE, 0, NULL, name, ARRAYSIZE(name));
        self->parsed = encoding == X509_ASN_ENCODING && wcslen(name) > 0;
        CertFreeCertificateContext(parsed);
    }
    self->file_index = index;
    InterlockedIncrement(&self->calls);
    return self->answer;
}

static const ob_cert_check_ops fake_ops = { fake_addref, fake_release, fake_validate };

/* Static: the job (and its reference) may outlive the test by a little. */
static fake_check accepting = { { &fake_ops }, 1, S_OK }, refusing = { { &fake_ops }, 1, 0x80040231 };

/* Once the job is gone, every reference it took is given back. */
static void assert_released(fake_check *check)
{
    ULONGLONG until = GetTickCount64() + ET_WAIT_MS;
    while (check->refs != 1 && GetTickCount64() < until) Sleep(10);
    assert_int_equal(check->refs, 1);
}

static void test_certificate_callback_accepts(void **state)
{
    fake_check *check = &accepting;
    ob_job *job = et_new_job(BG_JOB_TYPE_DOWNLOAD);

    et_add_file(job, ts_https_url("/data/20006"), ts_path(L"callback-ok.bin"));
    assert_hr_equal(ob_job_set_cert_check(job, &check->base), S_OK);
    assert_hr_equal(ob_job_resume(job), S_OK);
    et_assert_state(job, BG_JOB_STATE_TRANSFERRED);
    assert_true(check->calls >= 1);
    assert_true(check->parsed);
    assert_int_equal(check->file_index, 0);
    assert_hr_equal(ob_job_complete(job), S_OK);
    assert_true(ts_file_has_pattern(ts_path(L"callback-ok.bin"), 20006));
    ob_job_release(job);
    assert_released(check);
}

/* Documented: TRANSIENT_ERROR with context SERVER_CERTIFICATE_CALLBACK and
 * the callback's HRESULT; no byte is accepted. */
static void test_certificate_callback_refuses(void **state)
{
    const HRESULT refusal = 0x80040231;
    fake_check *check = &refusing;
    ob_job *job = et_new_job(BG_JOB_TYPE_DOWNLOAD);
    ob_error_info error;
    BG_JOB_PROGRESS p;

    et_add_file(job, ts_https_url("/data/20007"), ts_path(L"callback-no.bin"));
    assert_hr_equal(ob_job_set_cert_check(job, &check->base), S_OK);
    assert_hr_equal(ob_job_resume(job), S_OK);
    et_assert_state(job, BG_JOB_STATE_TRANSIENT_ERROR);
    error = et_error(job);
    assert_hr_equal(error.code, refusal);
    assert_int_equal(error.context, BG_ERROR_CONTEXT_SERVER_CERTIFICATE_CALLBACK);
    assert_true(check->calls >= 1);
    ob_job_get_progress(job, &p);
    assert_true(p.BytesTransferred == 0);
    assert_hr_equal(ob_job_cancel(job), S_OK);
    ob_job_release(job);
    assert_released(check);
}

/* ---- https to http ---- */

static const WCHAR *to_http(const char *path, ULONG *size)
{
    char redirect[512], http[256];
    WideCharToMultiByte(CP_UTF8, 0, ts_http_url(path), -1, http, sizeof(http), NULL, NULL);
    snprintf(redirect, sizeof(redirect), "/redirect/302?to=%s", http);
    *size = atoi(path + strlen("/data/"));
    return ts_https_url(redirect);
}

/* Documented default: BITS does not follow an https server to http. */
static void test_https_to_http_needs_its_flag(void **state)
{
    ob_job *job = et_new_job(BG_JOB_TYPE_DOWNLOAD);
    const WCHAR *url;
    ULONG size;
    ob_error_info error;

    et_add_file(job, to_http("/data/20008", &size), ts_path(L"to-http-no.bin"));
    assert_hr_equal(ob_job_resume(job), S_OK);
    et_assert_state(job, BG_JOB_STATE_ERROR);
    error = et_error(job);
    assert_hr_equal(error.code, HRESULT_FROM_WIN32(ERROR_WINHTTP_REDIRECT_FAILED));
    assert_int_equal(error.context, BG_ERROR_CONTEXT_REMOTE_FILE);
    assert_hr_equal(ob_job_cancel(job), S_OK);
    ob_job_release(job);
    url = to_http("/data/20009", &size);
    check_accepted(url, BG_HTTP_REDIRECT_POLICY_ALLOW_HTTPS_TO_HTTP, ts_path(L"to-http.bin"), size);
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
        cmocka_unit_test_setup_teardown(test_ignore_cn_invalid_accepts_the_wrong_host, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ignore_date_invalid_accepts_the_expired, setup, teardown),
        cmocka_unit_test_setup_teardown(test_certificate_callback_accepts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_certificate_callback_refuses, setup, teardown),
        cmocka_unit_test_setup_teardown(test_https_to_http_needs_its_flag, setup, teardown),
    };
    const struct CMUnitTest untrusted[] = {
        cmocka_unit_test_setup_teardown(test_untrusted_certificate_fails_the_job, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ignore_unknown_ca_accepts_the_untrusted, setup, teardown),
    };
    if (argc > 1 && !strcmp(argv[1], "untrusted")) return cmocka_run_group_tests(untrusted, distrust, NULL);
    return cmocka_run_group_tests(trusted, trust, distrust);
}
