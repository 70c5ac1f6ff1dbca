/* IBackgroundCopyError through COM: none while a job has no error, then the
 * real thing from failed transfers (loopback HTTP server, missing local
 * files): GetError, GetFile, GetProtocol, GetErrorDescription and
 * GetErrorContextDescription from the message table, and GetErrorCount. */
#include "com_test_util.h"
#include "http_support.h"

static void check_error_unavailable(IBackgroundCopyJob *job)
{
    IBackgroundCopyError *error = (IBackgroundCopyError *)0xdeadbeef;

    /* "BG_E_ERROR_INFORMATION_UNAVAILABLE" with no error recorded [wine-test] */
    assert_hr_equal(IBackgroundCopyJob_GetError(job, &error), BG_E_ERROR_INFORMATION_UNAVAILABLE);
    assert_null(error);
    assert_hr_equal(IBackgroundCopyJob_GetError(job, NULL), E_INVALIDARG);
}

static void check_no_error(IBackgroundCopyJob *job)
{
    ULONG count = 99;
    check_error_unavailable(job);
    assert_hr_equal(IBackgroundCopyJob_GetErrorCount(job, &count), S_OK);
    assert_int_equal(count, 0);
}

static void test_no_error_in_states_without_one(void **state)
{
    static const BG_JOB_TYPE types[] = { BG_JOB_TYPE_DOWNLOAD, BG_JOB_TYPE_UPLOAD, BG_JOB_TYPE_UPLOAD_REPLY };
    IBackgroundCopyManager *manager = ct_manager();
    const WCHAR *local = ts_path(L"error-source.bin");
    IBackgroundCopyJob *job;
    int i;

    assert_int_equal((unsigned long)BG_E_ERROR_INFORMATION_UNAVAILABLE, 0x8020000Ful);
    ts_write_file(local, "x", 1);
    for (i = 0; i < 3; i++)
    {
        job = ct_create_job(manager, L"error test", types[i], NULL);
        check_no_error(job);                                   /* SUSPENDED, empty */
        assert_hr_equal(IBackgroundCopyJob_AddFile(job, ts_http_url("/data/10"),
                                                   types[i] == BG_JOB_TYPE_DOWNLOAD ? ts_path(L"error.bin") : local),
                        S_OK);
        check_no_error(job);                                   /* SUSPENDED, with a file */
        if (types[i] == BG_JOB_TYPE_DOWNLOAD)
        {
            assert_hr_equal(IBackgroundCopyJob_Resume(job), S_OK);
            assert_true(ct_wait_state(job, BG_JOB_STATE_TRANSFERRED));
            check_no_error(job);                               /* TRANSFERRED */
        }
        assert_hr_equal(IBackgroundCopyJob_Cancel(job), S_OK);
        check_no_error(job);                                   /* CANCELLED */
        IBackgroundCopyJob_Release(job);
    }
    job = ct_create_job(manager, L"error test", BG_JOB_TYPE_DOWNLOAD, NULL);
    assert_hr_equal(IBackgroundCopyJob_Complete(job), S_OK);
    check_no_error(job);                                       /* ACKNOWLEDGED */
    IBackgroundCopyJob_Release(job);
    IBackgroundCopyManager_Release(manager);
}

/* A job that fails on its first file, in ERROR, and its error object. */
static IBackgroundCopyError *failed_job(const WCHAR *remote, const WCHAR *local, IBackgroundCopyJob **out)
{
    IBackgroundCopyManager *manager = ct_manager();
    IBackgroundCopyJob *job = ct_create_job(manager, L"failing", BG_JOB_TYPE_DOWNLOAD, NULL);
    IBackgroundCopyError *error = NULL;

    assert_hr_equal(IBackgroundCopyJob_AddFile(job, remote, local), S_OK);
    assert_hr_equal(IBackgroundCopyJob_Resume(job), S_OK);
    assert_true(ct_wait_state(job, BG_JOB_STATE_ERROR));
    assert_hr_equal(IBackgroundCopyJob_GetError(job, &error), S_OK);
    assert_non_null(error);
    IBackgroundCopyManager_Release(manager);
    *out = job;
    return error;
}

/* The text is the message table's, as the manager gives it. */
static void check_text(WCHAR *text, HRESULT code)
{
    IBackgroundCopyManager *manager = ct_manager();
    WCHAR *expected = NULL;

    assert_hr_equal(IBackgroundCopyManager_GetErrorDescription(manager, code, CT_LANG_EN_US, &expected), S_OK);
    ct_check_string(text, expected);
    CoTaskMemFree(expected);
    IBackgroundCopyManager_Release(manager);
}

static void test_http_404_error_object(void **state)
{
    const WCHAR *url = ts_http_url("/data/100?status=404");
    IBackgroundCopyJob *job;
    IBackgroundCopyError *error = failed_job(url, ts_path(L"e404.bin"), &job);
    IBackgroundCopyFile *file = NULL;
    BG_ERROR_CONTEXT context = 0;
    HRESULT code = 0;
    WCHAR *text = NULL, *name = NULL;
    ULONG count = 0;

    assert_hr_equal(IBackgroundCopyError_GetError(error, &context, &code), S_OK);
    assert_hr_equal(code, 0x80190194);                 /* BG_E_HTTP_ERROR_404 */
    assert_int_equal(context, BG_ERROR_CONTEXT_REMOTE_FILE);
    assert_hr_equal(IBackgroundCopyError_GetError(error, NULL, &code), E_INVALIDARG);

    assert_hr_equal(IBackgroundCopyError_GetFile(error, &file), S_OK);
    assert_hr_equal(IBackgroundCopyFile_GetRemoteName(file, &name), S_OK);
    ct_check_string(name, url);
    IBackgroundCopyFile_Release(file);

    assert_hr_equal(IBackgroundCopyError_GetProtocol(error, &text), S_OK);
    ct_check_string(text, L"http");

    assert_hr_equal(IBackgroundCopyError_GetErrorDescription(error, CT_LANG_EN_US, &text), S_OK);
    check_text(text, 0x80190194);
    assert_hr_equal(IBackgroundCopyError_GetErrorContextDescription(error, CT_LANG_EN_US, &text), S_OK);
    check_text(text, BG_E_ERROR_CONTEXT_REMOTE_FILE);
    /* documented: E_INVALIDARG for a LanguageId of 0 */
    assert_hr_equal(IBackgroundCopyError_GetErrorDescription(error, 0, &text), E_INVALIDARG);
    assert_hr_equal(IBackgroundCopyError_GetErrorContextDescription(error, 0, &text), E_INVALIDARG);
    /* ...and the manager agrees for the same code (issue 15 item 20; choices.md) */
    {
        IBackgroundCopyManager *manager = ct_manager();
        text = (WCHAR *)1;
        assert_hr_equal(IBackgroundCopyManager_GetErrorDescription(manager, 0x80190194, 0, &text), E_INVALIDARG);
        assert_null(text);
        IBackgroundCopyManager_Release(manager);
    }
    assert_hr_equal(IBackgroundCopyError_GetErrorDescription(error, CT_LANG_EN_US, NULL), E_INVALIDARG);

    assert_hr_equal(IBackgroundCopyJob_GetErrorCount(job, &count), S_OK);
    assert_int_equal(count, 1);
    IBackgroundCopyError_Release(error);
    ct_cancel(job);
}

static void test_missing_local_source_error_object(void **state)
{
    IBackgroundCopyJob *job;
    IBackgroundCopyError *error = failed_job(ts_path(L"absent.bin"), ts_path(L"eabsent.bin"), &job);
    BG_ERROR_CONTEXT context = 0;
    HRESULT code = 0;
    WCHAR *text = NULL;

    assert_hr_equal(IBackgroundCopyError_GetError(error, &context, &code), S_OK);
    assert_hr_equal(code, HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND));
    assert_int_equal(context, BG_ERROR_CONTEXT_REMOTE_FILE);
    assert_hr_equal(IBackgroundCopyError_GetProtocol(error, &text), S_OK);
    ct_check_string(text, L"file");
    /* a system error's text comes from the system's table */
    assert_hr_equal(IBackgroundCopyError_GetErrorDescription(error, CT_LANG_EN_US, &text), S_OK);
    assert_true(wcslen(text) > 0);
    CoTaskMemFree(text);
    IBackgroundCopyError_Release(error);
    ct_cancel(job);
}

/* Nothing listens on port 9: a connection failure is transient, and the
 * error object is there while the job waits for its retry. */
static void test_transient_error_object(void **state)
{
    IBackgroundCopyManager *manager = ct_manager();
    IBackgroundCopyJob *job = ct_create_job(manager, L"transient", BG_JOB_TYPE_DOWNLOAD, NULL);
    IBackgroundCopyError *error = NULL;
    BG_ERROR_CONTEXT context = 0;
    HRESULT code = 0;

    assert_hr_equal(IBackgroundCopyJob_AddFile(job, L"http://127.0.0.1:9/x", ts_path(L"etransient.bin")), S_OK);
    assert_hr_equal(IBackgroundCopyJob_Resume(job), S_OK);
    assert_true(ct_wait_state(job, BG_JOB_STATE_TRANSIENT_ERROR));
    assert_hr_equal(IBackgroundCopyJob_GetError(job, &error), S_OK);
    assert_hr_equal(IBackgroundCopyError_GetError(error, &context, &code), S_OK);
    assert_true(FAILED(code));
    assert_int_equal(context, BG_ERROR_CONTEXT_REMOTE_FILE);
    IBackgroundCopyError_Release(error);
    /* Suspend leaves TRANSIENT_ERROR: the error object is gone */
    assert_hr_equal(IBackgroundCopyJob_Suspend(job), S_OK);
    check_error_unavailable(job);
    ct_cancel(job);
    IBackgroundCopyManager_Release(manager);
}

/* GetErrorContextDescription will describe contexts with the BG_E_ERROR_CONTEXT_*
 * messages; the manager can already read them. */
static void test_context_texts_exist(void **state)
{
    static const HRESULT contexts[] = {
        BG_E_ERROR_CONTEXT_UNKNOWN, BG_E_ERROR_CONTEXT_GENERAL_QUEUE_MANAGER,
        BG_E_ERROR_CONTEXT_QUEUE_MANAGER_NOTIFICATION, BG_E_ERROR_CONTEXT_LOCAL_FILE,
        BG_E_ERROR_CONTEXT_REMOTE_FILE, BG_E_ERROR_CONTEXT_GENERAL_TRANSPORT,
        BG_E_ERROR_CONTEXT_REMOTE_APPLICATION,
    };
    IBackgroundCopyManager *manager = ct_manager();
    WCHAR *text;
    size_t i;

    for (i = 0; i < ARRAYSIZE(contexts); i++)
    {
        text = NULL;
        assert_hr_equal(IBackgroundCopyManager_GetErrorDescription(manager, contexts[i], CT_LANG_EN_US, &text), S_OK);
        assert_non_null(text);
        assert_true(wcslen(text) > 0);
        CoTaskMemFree(text);
    }
    IBackgroundCopyManager_Release(manager);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_no_error_in_states_without_one, ct_test_teardown),
        cmocka_unit_test_teardown(test_http_404_error_object, ct_test_teardown),
        cmocka_unit_test_teardown(test_missing_local_source_error_object, ct_test_teardown),
        cmocka_unit_test_teardown(test_transient_error_object, ct_test_teardown),
        cmocka_unit_test_teardown(test_context_texts_exist, ct_test_teardown),
    };
    return cmocka_run_group_tests(tests, ct_group_setup, ct_group_teardown);
}
