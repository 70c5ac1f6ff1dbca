/* Uploads through COM against the loopback BITS upload server: GetProgress
 * counts the upload only, GetReplyProgress is live and monotonic once the
 * reply begins, GetReplyData and the reply file before and after Complete,
 * and JobTransferred for an upload-reply only once its reply is in. */
#include "com_test_util.h"
#include "http_support.h"

#define REPLY_SIZE 24000000

static IBackgroundCopyJob2 *upload_job(BG_JOB_TYPE type, const char *path, const WCHAR *local, DWORD size)
{
    IBackgroundCopyManager *manager = ct_manager();
    IBackgroundCopyJob *job = ct_create_job(manager, L"upload", type, NULL);
    IBackgroundCopyJob2 *job2 = ct_job2(job);

    ts_write_pattern_file(local, size);
    assert_hr_equal(IBackgroundCopyJob_AddFile(job, ts_upload_url(path), local), S_OK);
    IBackgroundCopyJob_Release(job);
    IBackgroundCopyManager_Release(manager);
    return job2;
}

static BG_JOB_STATE state2(IBackgroundCopyJob2 *job)
{
    BG_JOB_STATE state;
    assert_hr_equal(IBackgroundCopyJob2_GetState(job, &state), S_OK);
    return state;
}

static void test_reply_progress_is_live(void **state)
{
    IBackgroundCopyJob2 *job = upload_job(BG_JOB_TYPE_UPLOAD_REPLY, "/reply/live.bin?replysize=24000000&delayack=300",
                                          ts_path(L"live.bin"), 2000000);
    BG_JOB_REPLY_PROGRESS reply, last = { BG_SIZE_UNKNOWN, 0 };
    BG_JOB_PROGRESS upload;
    ULONGLONG until = GetTickCount64() + 30000;
    BOOL saw_unknown_while_uploading = FALSE, saw_partial_reply = FALSE;

    assert_hr_equal(IBackgroundCopyJob2_SetReplyFileName(job, ts_path(L"live-reply.bin")), S_OK);
    assert_hr_equal(IBackgroundCopyJob2_Resume(job), S_OK);
    while (state2(job) != BG_JOB_STATE_TRANSFERRED && GetTickCount64() < until)
    {
        assert_hr_equal(IBackgroundCopyJob2_GetReplyProgress(job, &reply), S_OK);
        assert_hr_equal(IBackgroundCopyJob2_GetProgress(job, &upload), S_OK);
        if (reply.BytesTotal == BG_SIZE_UNKNOWN)
        {
            assert_true(reply.BytesTransferred == 0);
            assert_true(last.BytesTotal == BG_SIZE_UNKNOWN); /* never back to unknown */
            if (upload.BytesTransferred < 2000000) saw_unknown_while_uploading = TRUE;
        }
        else
        {
            assert_true(reply.BytesTotal == REPLY_SIZE);
            assert_true(reply.BytesTransferred <= reply.BytesTotal);
            assert_true(reply.BytesTransferred >= last.BytesTransferred);
            assert_true(upload.BytesTransferred == 2000000); /* the reply comes after the upload */
            if (reply.BytesTransferred < REPLY_SIZE) saw_partial_reply = TRUE;
        }
        last = reply;
        Sleep(2);
    }
    assert_int_equal(state2(job), BG_JOB_STATE_TRANSFERRED);
    assert_true(saw_unknown_while_uploading);
    assert_true(saw_partial_reply);
    assert_hr_equal(IBackgroundCopyJob2_GetReplyProgress(job, &reply), S_OK);
    assert_true(reply.BytesTotal == REPLY_SIZE && reply.BytesTransferred == REPLY_SIZE);
    /* GetProgress is the upload's, never the reply's */
    assert_hr_equal(IBackgroundCopyJob2_GetProgress(job, &upload), S_OK);
    assert_true(upload.BytesTotal == 2000000 && upload.BytesTransferred == 2000000);
    assert_hr_equal(IBackgroundCopyJob2_Complete(job), S_OK);
    assert_true(ts_file_has_pattern(ts_path(L"live-reply.bin"), REPLY_SIZE));
    IBackgroundCopyJob2_Release(job);
}

static void test_reply_data_before_and_after_complete(void **state)
{
    IBackgroundCopyJob2 *job = upload_job(BG_JOB_TYPE_UPLOAD_REPLY, "/reply/data.bin?replysize=3000",
                                          ts_path(L"data.bin"), 1000);
    WCHAR *name = NULL;
    BYTE *data = NULL;
    UINT64 length = 0;
    int round;

    assert_hr_equal(IBackgroundCopyJob2_Resume(job), S_OK);
    assert_true(ct_wait_state((IBackgroundCopyJob *)job, BG_JOB_STATE_TRANSFERRED));
    for (round = 0; round < 2; round++)
    {
        /* documented: GetReplyData works before and after Complete */
        assert_hr_equal(IBackgroundCopyJob2_GetReplyData(job, &data, &length), S_OK);
        assert_true(length == 3000);
        assert_true(ts_bytes_have_pattern(data, length));
        CoTaskMemFree(data);
        if (!round) assert_hr_equal(IBackgroundCopyJob2_Complete(job), S_OK);
    }
    /* the generated reply name: in the upload file's directory */
    assert_hr_equal(IBackgroundCopyJob2_GetReplyFileName(job, &name), S_OK);
    assert_non_null(name);
    assert_true(!wcsncmp(name, ts_scratch_dir(), wcslen(ts_scratch_dir())));
    assert_true(ts_file_has_pattern(name, 3000));
    DeleteFileW(name);
    CoTaskMemFree(name);
    IBackgroundCopyJob2_Release(job);
}

static void test_upload_job_progress_and_complete(void **state)
{
    IBackgroundCopyJob2 *job = upload_job(BG_JOB_TYPE_UPLOAD, "/upload/com.bin", ts_path(L"com.bin"), 1500000);
    BG_JOB_PROGRESS p;
    DWORD size = 0;
    BYTE *uploaded;

    /* documented: Complete only in TRANSFERRED */
    assert_hr_equal(IBackgroundCopyJob2_Complete(job), BG_E_INVALID_STATE);
    assert_hr_equal(IBackgroundCopyJob2_Resume(job), S_OK);
    assert_true(ct_wait_state((IBackgroundCopyJob *)job, BG_JOB_STATE_TRANSFERRED));
    assert_hr_equal(IBackgroundCopyJob2_GetProgress(job, &p), S_OK);
    assert_true(p.BytesTotal == 1500000 && p.BytesTransferred == 1500000);
    assert_int_equal(p.FilesTransferred, 1);
    assert_hr_equal(IBackgroundCopyJob2_Complete(job), S_OK);
    uploaded = ts_http_get(ts_upload_url("/uploaded/upload/com.bin"), &size);
    assert_non_null(uploaded);
    assert_int_equal(size, 1500000);
    free(uploaded);
    IBackgroundCopyJob2_Release(job);
}

/* Cancel of an upload-reply job while the server is still reading its first
 * fragment (1 MB a second), nothing acknowledged: the server gets
 * Cancel-Session (documented: Cancel removes the server's partial upload). */
static void test_cancel_before_first_ack_sends_cancel_session(void **state)
{
    const char *path = "/reply/com-cancel.bin";
    IBackgroundCopyJob2 *job = upload_job(BG_JOB_TYPE_UPLOAD_REPLY, "/reply/com-cancel.bin?slowread=1048576",
                                          ts_path(L"com-cancel.bin"), 8000000);
    BG_JOB_PROGRESS p;

    assert_hr_equal(IBackgroundCopyJob2_Resume(job), S_OK);
    assert_true(ts_upload_stats_wait(path, "\"Fragment\": 1", 1)); /* being read */
    assert_int_equal(state2(job), BG_JOB_STATE_TRANSFERRING);
    assert_hr_equal(IBackgroundCopyJob2_GetProgress(job, &p), S_OK);
    assert_true(p.BytesTransferred == 0);
    assert_hr_equal(IBackgroundCopyJob2_Cancel(job), S_OK);
    IBackgroundCopyJob2_Release(job);
    assert_true(ts_upload_stats_wait(path, "\"event\": \"cancelled\"", 1));
    assert_int_equal(ts_upload_stats_count(path, "\"event\": \"closed\""), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_reply_progress_is_live, ct_test_teardown),
        cmocka_unit_test_teardown(test_reply_data_before_and_after_complete, ct_test_teardown),
        cmocka_unit_test_teardown(test_upload_job_progress_and_complete, ct_test_teardown),
        cmocka_unit_test_teardown(test_cancel_before_first_ack_sends_cancel_session, ct_test_teardown),
    };
    return cmocka_run_group_tests(tests, ct_group_setup, ct_group_teardown);
}
