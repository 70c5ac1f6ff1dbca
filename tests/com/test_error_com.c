/* IBackgroundCopyError through COM.
 *
 * An error object exists only while a job is in ERROR or TRANSIENT_ERROR
 * (bits-semantics.md 1.4), and only a transfer puts a job there.  There is no
 * transfer engine yet, so no client can obtain an IBackgroundCopyError: what
 * can be tested is that GetError refuses, as documented, in every state a
 * client can reach, and that the texts the error object will hand out exist.
 * GetError/GetFile/GetErrorDescription/GetErrorContextDescription/GetProtocol
 * of a real error object are left to the issue that adds transfers. */
#include "com_test_util.h"

static void check_no_error(IBackgroundCopyJob *job)
{
    IBackgroundCopyError *error = (IBackgroundCopyError *)0xdeadbeef;
    ULONG count = 99;

    /* "BG_E_ERROR_INFORMATION_UNAVAILABLE" with no error recorded [wine-test] */
    assert_hr_equal(IBackgroundCopyJob_GetError(job, &error), BG_E_ERROR_INFORMATION_UNAVAILABLE);
    assert_null(error);
    assert_hr_equal(IBackgroundCopyJob_GetError(job, NULL), E_INVALIDARG);
    assert_hr_equal(IBackgroundCopyJob_GetErrorCount(job, &count), S_OK);
    assert_int_equal(count, 0);
}

static void test_get_error_every_reachable_state(void **state)
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
        assert_hr_equal(IBackgroundCopyJob_AddFile(job, L"http://127.0.0.1:9/e",
                                                   types[i] == BG_JOB_TYPE_DOWNLOAD ? ts_path(L"error.bin") : local),
                        S_OK);
        check_no_error(job);                                   /* SUSPENDED, with a file */
        assert_hr_equal(IBackgroundCopyJob_Resume(job), S_OK);
        check_no_error(job);                                   /* QUEUED */
        assert_hr_equal(IBackgroundCopyJob_Suspend(job), S_OK);
        check_no_error(job);                                   /* SUSPENDED again */
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
        cmocka_unit_test_teardown(test_get_error_every_reachable_state, ct_test_teardown),
        cmocka_unit_test_teardown(test_context_texts_exist, ct_test_teardown),
    };
    return cmocka_run_group_tests(tests, ct_group_setup, ct_group_teardown);
}
