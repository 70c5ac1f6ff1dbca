/* IBackgroundCopyJobHttpOptions, 2 and 3 through COM, against Microsoft's
 * documented return codes: one identity with the job, custom headers (and
 * write-only), security flags, client certificates from a store, the HTTP
 * method, the server certificate callback's registration, and ALLOW_REPORT as
 * a client sees it (the file's GetRemoteName).  Run twice by CTest: in
 * process, and with argument "host" through openbits-host (every call
 * marshalled by openbits_ps.dll or the system's proxy). */
#include "com_test_util.h"
#include "http_support.h"
#include <wincrypt.h>

static BOOL through_host;

static IBackgroundCopyManager *manager(void)
{
    IBackgroundCopyManager *m = NULL;
    if (!through_host) return ct_manager();
    assert_hr_equal(CoCreateInstance(&CLSID_OpenBitsManager, NULL, CLSCTX_LOCAL_SERVER, &IID_IBackgroundCopyManager,
                                     (void **)&m), S_OK);
    return m;
}

static IBackgroundCopyJobHttpOptions3 *options_of(IBackgroundCopyJob *job)
{
    IBackgroundCopyJobHttpOptions3 *options = NULL;
    assert_hr_equal(IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJobHttpOptions3, (void **)&options),
                    S_OK);
    return options;
}

static IBackgroundCopyJob *new_job(IBackgroundCopyManager *m, BG_JOB_TYPE type)
{
    return ct_create_job(m, L"http options", type, NULL);
}

static void test_one_identity(void **state)
{
    IBackgroundCopyManager *m = manager();
    IBackgroundCopyJob *job = new_job(m, BG_JOB_TYPE_DOWNLOAD);
    IUnknown *unknown, *again;
    void *v1, *v2, *v3, *back;

    assert_hr_equal(IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJobHttpOptions, &v1), S_OK);
    assert_hr_equal(IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJobHttpOptions2, &v2), S_OK);
    assert_hr_equal(IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJobHttpOptions3, &v3), S_OK);
    assert_hr_equal(IBackgroundCopyJob_QueryInterface(job, &IID_IUnknown, (void **)&unknown), S_OK);
    assert_hr_equal(IUnknown_QueryInterface((IUnknown *)v3, &IID_IUnknown, (void **)&again), S_OK);
    assert_ptr_equal(unknown, again);
    assert_hr_equal(IUnknown_QueryInterface((IUnknown *)v1, &IID_IBackgroundCopyJob, &back), S_OK);
    IUnknown_Release((IUnknown *)back);
    IUnknown_Release(again);
    IUnknown_Release(unknown);
    IUnknown_Release((IUnknown *)v1);
    IUnknown_Release((IUnknown *)v2);
    IUnknown_Release((IUnknown *)v3);
    assert_hr_equal(IBackgroundCopyJob_Cancel(job), S_OK);
    IBackgroundCopyJob_Release(job);
    IBackgroundCopyManager_Release(m);
}

static void test_custom_headers(void **state)
{
    IBackgroundCopyManager *m = manager();
    IBackgroundCopyJob *job = new_job(m, BG_JOB_TYPE_DOWNLOAD);
    IBackgroundCopyJobHttpOptions3 *options = options_of(job);
    WCHAR *headers = (WCHAR *)1, *longest;

    assert_hr_equal(IBackgroundCopyJobHttpOptions3_GetCustomHeaders(options, &headers), S_FALSE);
    assert_null(headers);
    assert_hr_equal(IBackgroundCopyJobHttpOptions3_SetCustomHeaders(options, L"X-A: 1\r\nX-B: 2\r\n"), S_OK);
    assert_hr_equal(IBackgroundCopyJobHttpOptions3_GetCustomHeaders(options, &headers), S_OK);
    ct_check_string(headers, L"X-A: 1\r\nX-B: 2\r\n");
    /* documented: 16 384 characters with the NUL */
    longest = ct_repeat(L'x', 16383);
    assert_hr_equal(IBackgroundCopyJobHttpOptions3_SetCustomHeaders(options, longest), S_OK);
    free(longest);
    longest = ct_repeat(L'x', 16384);
    assert_hr_equal(IBackgroundCopyJobHttpOptions3_SetCustomHeaders(options, longest), BG_E_STRING_TOO_LONG);
    free(longest);
    assert_hr_equal(IBackgroundCopyJobHttpOptions3_GetCustomHeaders(options, &headers), S_OK);
    assert_int_equal(wcslen(headers), 16383);
    CoTaskMemFree(headers);
    assert_hr_equal(IBackgroundCopyJobHttpOptions3_SetCustomHeaders(options, NULL), S_OK);
    assert_hr_equal(IBackgroundCopyJobHttpOptions3_GetCustomHeaders(options, &headers), S_FALSE);
    assert_null(headers);
    /* write-only: set still works, get is refused */
    assert_hr_equal(IBackgroundCopyJobHttpOptions3_SetCustomHeaders(options, L"X-Secret: s\r\n"), S_OK);
    assert_hr_equal(IBackgroundCopyJobHttpOptions3_MakeCustomHeadersWriteOnly(options), S_OK);
    assert_hr_equal(IBackgroundCopyJobHttpOptions3_GetCustomHeaders(options, &headers), E_ACCESSDENIED);
    assert_null(headers);
    assert_hr_equal(IBackgroundCopyJobHttpOptions3_SetCustomHeaders(options, L"X-Other: o\r\n"), S_OK);
    assert_hr_equal(IBackgroundCopyJobHttpOptions3_GetCustomHeaders(options, &headers), E_ACCESSDENIED);
    assert_hr_equal(IBackgroundCopyJob_Cancel(job), S_OK);
    assert_hr_equal(IBackgroundCopyJobHttpOptions3_SetCustomHeaders(options, L"X-A: 1\r\n"), BG_E_INVALID_STATE);
    IBackgroundCopyJobHttpOptions3_Release(options);
    IBackgroundCopyJob_Release(job);
    IBackgroundCopyManager_Release(m);
}

static void test_security_flags(void **state)
{
    static const ULONG valid[] = { 0, 0x1f, BG_HTTP_REDIRECT_POLICY_ALLOW_REPORT, BG_HTTP_REDIRECT_POLICY_DISALLOW,
                                   BG_HTTP_REDIRECT_POLICY_ALLOW_REPORT | BG_HTTP_REDIRECT_POLICY_ALLOW_HTTPS_TO_HTTP
                                       | BG_SSL_ENABLE_CRL_CHECK };
    static const ULONG invalid[] = { 0x20, 0x80, 0x300, 0x400, 0x700, 0x1000, 0x80000000 };
    IBackgroundCopyManager *m = manager();
    IBackgroundCopyJob *job = new_job(m, BG_JOB_TYPE_DOWNLOAD);
    IBackgroundCopyJobHttpOptions3 *options = options_of(job);
    ULONG flags = 1, i;

    assert_hr_equal(IBackgroundCopyJobHttpOptions3_GetSecurityFlags(options, &flags), S_OK);
    assert_int_equal(flags, 0); /* documented default: ALLOW_SILENT, nothing ignored */
    for (i = 0; i < ARRAYSIZE(valid); i++)
    {
        assert_hr_equal(IBackgroundCopyJobHttpOptions3_SetSecurityFlags(options, valid[i]), S_OK);
        assert_hr_equal(IBackgroundCopyJobHttpOptions3_GetSecurityFlags(options, &flags), S_OK);
        assert_int_equal(flags, valid[i]);
    }
    for (i = 0; i < ARRAYSIZE(invalid); i++)
    {
        assert_hr_equal(IBackgroundCopyJobHttpOptions3_SetSecurityFlags(options, invalid[i]), E_NOTIMPL);
        assert_hr_equal(IBackgroundCopyJobHttpOptions3_GetSecurityFlags(options, &flags), S_OK);
        assert_int_equal(flags, valid[ARRAYSIZE(valid) - 1]);
    }
    assert_hr_equal(IBackgroundCopyJob_Cancel(job), S_OK);
    assert_hr_equal(IBackgroundCopyJobHttpOptions3_SetSecurityFlags(options, 0), BG_E_INVALID_STATE);
    IBackgroundCopyJobHttpOptions3_Release(options);
    IBackgroundCopyJob_Release(job);
    IBackgroundCopyManager_Release(m);
}

/* A self-signed certificate in CurrentUser\MY for the test, its subject this run's own. */
static HCERTSTORE my;
static WCHAR client_subject[64];

static PCCERT_CONTEXT add_client_cert(void)
{
    BYTE name[256];
    CERT_NAME_BLOB subject = { sizeof(name), name };
    PCCERT_CONTEXT made, added = NULL;
    WCHAR x500[96];

    swprintf(client_subject, ARRAYSIZE(client_subject), L"openbits test client %lu-%lu", GetCurrentProcessId(),
             GetTickCount());
    swprintf(x500, ARRAYSIZE(x500), L"CN=%ls", client_subject);
    assert_true(CertStrToNameW(X509_ASN_ENCODING, x500, CERT_X500_NAME_STR, NULL, name, &subject.cbData, NULL));
    made = CertCreateSelfSignCertificate(0, &subject, 0, NULL, NULL, NULL, NULL, NULL);
    if (!made) fail_msg("CertCreateSelfSignCertificate: error %lu", GetLastError());
    /* its registry part: Wine does not keep what is added to the system store itself */
    my = CertOpenStore(CERT_STORE_PROV_SYSTEM_REGISTRY_W, 0, 0, CERT_SYSTEM_STORE_CURRENT_USER, L"MY");
    assert_non_null(my);
    assert_true(CertAddCertificateContextToStore(my, made, CERT_STORE_ADD_REPLACE_EXISTING, &added));
    CertControlStore(my, 0, CERT_STORE_CTRL_COMMIT, NULL); /* Wine writes the registry at commit or close */
    CertFreeCertificateContext(made);
    return added;
}

static void remove_client_cert(PCCERT_CONTEXT cert)
{
    assert_true(CertDeleteCertificateFromStore(cert));
    CertControlStore(my, 0, CERT_STORE_CTRL_COMMIT, NULL);
    CertCloseStore(my, 0);
}

static void test_client_certificate(void **state)
{
    IBackgroundCopyManager *m = manager();
    IBackgroundCopyJob *job = new_job(m, BG_JOB_TYPE_DOWNLOAD);
    IBackgroundCopyJobHttpOptions3 *options = options_of(job);
    BYTE zero[20] = { 0 }, hash[20], *got_hash = NULL;
    DWORD size = sizeof(hash);
    WCHAR *store = NULL, *subject = NULL, *longest;
    BG_CERT_STORE_LOCATION location = 99;
    PCCERT_CONTEXT cert = add_client_cert();

    assert_true(CertGetCertificateContextProperty(cert, CERT_HASH_PROP_ID, hash, &size));
    assert_hr_equal(IBackgroundCopyJobHttpOptions3_GetClientCertificate(options, &location, &store, &got_hash, &subject),
                    RPC_X_BAD_STUB_DATA);
    assert_hr_equal(IBackgroundCopyJobHttpOptions3_RemoveClientCertificate(options), S_FALSE);
    assert_hr_equal(IBackgroundCopyJobHttpOptions3_SetClientCertificateByID(options, 8, L"MY", hash), E_NOTIMPL);
    longest = ct_repeat(L'S', 256);
    assert_hr_equal(IBackgroundCopyJobHttpOptions3_SetClientCertificateByID(options, 0, longest, hash),
                    BG_E_STRING_TOO_LONG);
    free(longest);
    assert_hr_equal(IBackgroundCopyJobHttpOptions3_SetClientCertificateByID(options, 0, L"OpenbitsNoSuchStore", hash),
                    HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND));
    assert_hr_equal(IBackgroundCopyJobHttpOptions3_SetClientCertificateByID(options, 0, L"MY", zero), CRYPT_E_NOT_FOUND);
    assert_hr_equal(IBackgroundCopyJobHttpOptions3_SetClientCertificateByName(options, 0, L"MY", L"no such subject here"),
                    CRYPT_E_NOT_FOUND);
    /* by ID */
    assert_hr_equal(IBackgroundCopyJobHttpOptions3_SetClientCertificateByID(options, BG_CERT_STORE_LOCATION_CURRENT_USER,
                                                                            L"MY", hash), S_OK);
    assert_hr_equal(IBackgroundCopyJobHttpOptions3_GetClientCertificate(options, &location, &store, &got_hash, &subject),
                    S_OK);
    assert_int_equal(location, BG_CERT_STORE_LOCATION_CURRENT_USER);
    ct_check_string(store, L"MY");
    assert_memory_equal(got_hash, hash, 20);
    assert_non_null(wcsstr(subject, client_subject));
    CoTaskMemFree(got_hash);
    CoTaskMemFree(subject);
    /* by name: the same certificate, its hash reported */
    assert_hr_equal(IBackgroundCopyJobHttpOptions3_RemoveClientCertificate(options), S_OK);
    assert_hr_equal(IBackgroundCopyJobHttpOptions3_SetClientCertificateByName(options, 0, L"MY", client_subject),
                    S_OK);
    assert_hr_equal(IBackgroundCopyJobHttpOptions3_GetClientCertificate(options, &location, &store, &got_hash, &subject),
                    S_OK);
    assert_memory_equal(got_hash, hash, 20);
    CoTaskMemFree(store);
    CoTaskMemFree(got_hash);
    CoTaskMemFree(subject);
    assert_hr_equal(IBackgroundCopyJobHttpOptions3_RemoveClientCertificate(options), S_OK);
    assert_hr_equal(IBackgroundCopyJobHttpOptions3_RemoveClientCertificate(options), S_FALSE);
    assert_hr_equal(IBackgroundCopyJob_Cancel(job), S_OK);
    assert_hr_equal(IBackgroundCopyJobHttpOptions3_RemoveClientCertificate(options), BG_E_INVALID_STATE);
    assert_hr_equal(IBackgroundCopyJobHttpOptions3_SetClientCertificateByID(options, 0, L"MY", hash), BG_E_INVALID_STATE);
    remove_client_cert(cert);
    IBackgroundCopyJobHttpOptions3_Release(options);
    IBackgroundCopyJob_Release(job);
    IBackgroundCopyManager_Release(m);
}

static void test_http_method(void **state)
{
    IBackgroundCopyManager *m = manager();
    IBackgroundCopyJob *job = new_job(m, BG_JOB_TYPE_DOWNLOAD), *upload = new_job(m, BG_JOB_TYPE_UPLOAD);
    IBackgroundCopyJobHttpOptions3 *options = options_of(job), *upload_options = options_of(upload);
    BG_JOB_PRIORITY priority;
    WCHAR *method;

    assert_hr_equal(IBackgroundCopyJobHttpOptions3_GetHttpMethod(options, &method), S_OK);
    ct_check_string(method, L"GET");
    assert_hr_equal(IBackgroundCopyJobHttpOptions3_GetHttpMethod(upload_options, &method), S_OK);
    ct_check_string(method, L"BITS_POST");
    /* documented: the default method changes nothing */
    assert_hr_equal(IBackgroundCopyJobHttpOptions3_SetHttpMethod(options, L"GET"), S_OK);
    assert_hr_equal(IBackgroundCopyJob_GetPriority(job, &priority), S_OK);
    assert_int_equal(priority, BG_JOB_PRIORITY_NORMAL);
    assert_hr_equal(IBackgroundCopyJob_SetPriority(job, BG_JOB_PRIORITY_LOW), S_OK);
    assert_hr_equal(IBackgroundCopyJobHttpOptions3_SetHttpMethod(options, L"BAD METHOD"), E_INVALIDARG);
    assert_hr_equal(IBackgroundCopyJobHttpOptions3_SetHttpMethod(options, L""), E_INVALIDARG);
    /* another: FOREGROUND, for good */
    assert_hr_equal(IBackgroundCopyJobHttpOptions3_SetHttpMethod(options, L"POST"), S_OK);
    assert_hr_equal(IBackgroundCopyJobHttpOptions3_GetHttpMethod(options, &method), S_OK);
    ct_check_string(method, L"POST");
    assert_hr_equal(IBackgroundCopyJob_GetPriority(job, &priority), S_OK);
    assert_int_equal(priority, BG_JOB_PRIORITY_FOREGROUND);
    assert_hr_equal(IBackgroundCopyJob_SetPriority(job, BG_JOB_PRIORITY_LOW), BG_E_NOT_SUPPORTED_WITH_CUSTOM_HTTP_METHOD);
    assert_hr_equal(IBackgroundCopyJob_SetPriority(job, BG_JOB_PRIORITY_FOREGROUND), S_OK);
    assert_hr_equal(IBackgroundCopyJob_Cancel(job), S_OK);
    assert_hr_equal(IBackgroundCopyJob_Cancel(upload), S_OK);
    assert_hr_equal(IBackgroundCopyJobHttpOptions3_SetHttpMethod(options, L"PUT"), BG_E_INVALID_STATE);
    IBackgroundCopyJobHttpOptions3_Release(options);
    IBackgroundCopyJobHttpOptions3_Release(upload_options);
    IBackgroundCopyJob_Release(job);
    IBackgroundCopyJob_Release(upload);
    IBackgroundCopyManager_Release(m);
}

/* ---- a validation callback object, and one that is none ---- */

typedef struct validator {
    IBackgroundCopyServerCertificateValidationCallback iface;
    LONG refs;
    BOOL is_callback;
} validator;

static HRESULT WINAPI v_QueryInterface(IBackgroundCopyServerCertificateValidationCallback *iface, REFIID iid,
                                       void **out)
{
    validator *self = CONTAINING_RECORD(iface, validator, iface);
    if (IsEqualIID(iid, &IID_IUnknown)
        || (self->is_callback && IsEqualIID(iid, &IID_IBackgroundCopyServerCertificateValidationCallback)))
    {
        *out = iface;
        InterlockedIncrement(&self->refs);
        return S_OK;
    }
    *out = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI v_AddRef(IBackgroundCopyServerCertificateValidationCallback *iface)
{
    return InterlockedIncrement(&CONTAINING_RECORD(iface, validator, iface)->refs);
}

static ULONG WINAPI v_Release(IBackgroundCopyServerCertificateValidationCallback *iface)
{
    return InterlockedDecrement(&CONTAINING_RECORD(iface, validator, iface)->refs);
}

static HRESULT WINAPI v_Validate(IBackgroundCopyServerCertificateValidationCallback *iface, IBackgroundCopyJob *job,
                                 IBackgroundCopyFile *file, DWORD length, const BYTE *data, DWORD encoding,
                                 DWORD store_length, const BYTE *store)
{
    return S_OK;
}

static const IBackgroundCopyServerCertificateValidationCallbackVtbl v_vtbl = {
    v_QueryInterface, v_AddRef, v_Release, v_Validate,
};

/* Static: through the host, COM may release its references after the test. */
static validator callback = { { (void *)&v_vtbl }, 1, TRUE }, other = { { (void *)&v_vtbl }, 1, FALSE };

static void test_validation_interface(void **state)
{
    IBackgroundCopyManager *m = manager();
    IBackgroundCopyJob *job = new_job(m, BG_JOB_TYPE_DOWNLOAD);
    IBackgroundCopyJobHttpOptions3 *options = options_of(job);

    assert_hr_equal(IBackgroundCopyJobHttpOptions3_SetServerCertificateValidationInterface(options, (IUnknown *)&other.iface),
                    E_NOINTERFACE);
    assert_hr_equal(IBackgroundCopyJobHttpOptions3_SetServerCertificateValidationInterface(options,
                                                                                          (IUnknown *)&callback.iface),
                    S_OK);
    assert_hr_equal(IBackgroundCopyJobHttpOptions3_SetServerCertificateValidationInterface(options, NULL), S_OK);
    /* documented: only while the job is suspended */
    assert_hr_equal(IBackgroundCopyJob_AddFile(job, ts_http_url("/data/100?hang=1"), ts_path(L"hang.bin")), S_OK);
    assert_hr_equal(IBackgroundCopyJob_Resume(job), S_OK);
    assert_hr_equal(IBackgroundCopyJobHttpOptions3_SetServerCertificateValidationInterface(options,
                                                                                          (IUnknown *)&callback.iface),
                    BG_E_READ_ONLY_WHEN_JOB_ACTIVE);
    assert_hr_equal(IBackgroundCopyJob_Cancel(job), S_OK);
    IBackgroundCopyJobHttpOptions3_Release(options);
    IBackgroundCopyJob_Release(job);
    IBackgroundCopyManager_Release(m);
    /* every reference the job took is given back (in process: through the
     * host, COM gives its references back when it likes) */
    if (!through_host) assert_int_equal(callback.refs, 1);
}

/* ALLOW_REPORT as a client sees it: GetRemoteName gives the final URL. */
static void test_allow_report_shows_in_get_remote_name(void **state)
{
    IBackgroundCopyManager *m = manager();
    IBackgroundCopyJob *job = new_job(m, BG_JOB_TYPE_DOWNLOAD);
    IBackgroundCopyJobHttpOptions3 *options = options_of(job);
    IEnumBackgroundCopyFiles *files;
    IBackgroundCopyFile *file;
    char to[128], from[256];
    WCHAR *name;

    snprintf(to, sizeof(to), "/data/1500?tag=com-report-%d-%lu", through_host, GetTickCount());
    snprintf(from, sizeof(from), "/redirect/301?to=/data/1500%%3Ftag%%3Dcom-report-%d-%lu", through_host,
             GetTickCount());
    /* the two ticks may differ: take the target from the redirect */
    snprintf(to, sizeof(to), "/data/1500?tag=%s", strstr(from, "%3D") + 3);
    assert_hr_equal(IBackgroundCopyJob_AddFile(job, ts_http_url(from), ts_path(L"report-com.bin")), S_OK);
    assert_hr_equal(IBackgroundCopyJobHttpOptions3_SetSecurityFlags(options, BG_HTTP_REDIRECT_POLICY_ALLOW_REPORT), S_OK);
    assert_hr_equal(IBackgroundCopyJob_Resume(job), S_OK);
    assert_true(ct_wait_state(job, BG_JOB_STATE_TRANSFERRED));
    assert_hr_equal(IBackgroundCopyJob_EnumFiles(job, &files), S_OK);
    assert_hr_equal(IEnumBackgroundCopyFiles_Next(files, 1, &file, NULL), S_OK);
    assert_hr_equal(IBackgroundCopyFile_GetRemoteName(file, &name), S_OK);
    ct_check_string(name, ts_http_url(to));
    IBackgroundCopyFile_Release(file);
    IEnumBackgroundCopyFiles_Release(files);
    assert_hr_equal(IBackgroundCopyJob_Complete(job), S_OK);
    assert_true(ts_file_has_pattern(ts_path(L"report-com.bin"), 1500));
    IBackgroundCopyJobHttpOptions3_Release(options);
    IBackgroundCopyJob_Release(job);
    IBackgroundCopyManager_Release(m);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_one_identity, ct_test_teardown),
        cmocka_unit_test_teardown(test_custom_headers, ct_test_teardown),
        cmocka_unit_test_teardown(test_security_flags, ct_test_teardown),
        cmocka_unit_test_teardown(test_client_certificate, ct_test_teardown),
        cmocka_unit_test_teardown(test_http_method, ct_test_teardown),
        cmocka_unit_test_teardown(test_validation_interface, ct_test_teardown),
        cmocka_unit_test_teardown(test_allow_report_shows_in_get_remote_name, ct_test_teardown),
    };
    through_host = argc > 1 && !strcmp(argv[1], "host");
    return cmocka_run_group_tests(tests, ct_group_setup, ct_group_teardown);
}
