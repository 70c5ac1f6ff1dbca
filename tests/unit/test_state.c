/* The state machine against the documented transitions (bits-semantics §1.4). */
#include "test_support.h"
#include "state.h"

static void expect(BG_JOB_STATE from, ob_event ev, BG_JOB_TYPE type, HRESULT hr, BG_JOB_STATE want)
{
    BG_JOB_STATE to = (BG_JOB_STATE)-1;
    assert_hr_equal(ob_state_next(from, ev, type, &to), hr);
    if (SUCCEEDED(hr)) assert_int_equal(to, want);
}

static void test_final_states_reject_everything(void **state)
{
    int ev;
    for (ev = OB_EV_RESUME; ev <= OB_EV_YIELD; ev++)
    {
        expect(BG_JOB_STATE_ACKNOWLEDGED, ev, BG_JOB_TYPE_DOWNLOAD, BG_E_INVALID_STATE, 0);
        expect(BG_JOB_STATE_CANCELLED, ev, BG_JOB_TYPE_DOWNLOAD, BG_E_INVALID_STATE, 0);
    }
}

static void test_resume(void **state)
{
    expect(BG_JOB_STATE_SUSPENDED, OB_EV_RESUME, BG_JOB_TYPE_DOWNLOAD, S_OK, BG_JOB_STATE_QUEUED);
    expect(BG_JOB_STATE_ERROR, OB_EV_RESUME, BG_JOB_TYPE_DOWNLOAD, S_OK, BG_JOB_STATE_QUEUED);
    expect(BG_JOB_STATE_TRANSIENT_ERROR, OB_EV_RESUME, BG_JOB_TYPE_DOWNLOAD, S_OK, BG_JOB_STATE_QUEUED);
    /* a job already in an action state stays where it is */
    expect(BG_JOB_STATE_QUEUED, OB_EV_RESUME, BG_JOB_TYPE_DOWNLOAD, S_OK, BG_JOB_STATE_QUEUED);
    expect(BG_JOB_STATE_CONNECTING, OB_EV_RESUME, BG_JOB_TYPE_DOWNLOAD, S_OK, BG_JOB_STATE_CONNECTING);
    expect(BG_JOB_STATE_TRANSFERRING, OB_EV_RESUME, BG_JOB_TYPE_DOWNLOAD, S_OK, BG_JOB_STATE_TRANSFERRING);
}

static void test_suspend_and_cancel_from_any_live_state(void **state)
{
    int s;
    for (s = BG_JOB_STATE_QUEUED; s <= BG_JOB_STATE_TRANSFERRED; s++)
    {
        expect(s, OB_EV_SUSPEND, BG_JOB_TYPE_UPLOAD, S_OK, BG_JOB_STATE_SUSPENDED);
        expect(s, OB_EV_CANCEL, BG_JOB_TYPE_UPLOAD, S_OK, BG_JOB_STATE_CANCELLED);
    }
}

static void test_complete_download_any_time_upload_only_transferred(void **state)
{
    int s;
    for (s = BG_JOB_STATE_QUEUED; s <= BG_JOB_STATE_TRANSFERRED; s++)
    {
        expect(s, OB_EV_COMPLETE, BG_JOB_TYPE_DOWNLOAD, S_OK, BG_JOB_STATE_ACKNOWLEDGED);
        expect(s, OB_EV_COMPLETE, BG_JOB_TYPE_UPLOAD,
               s == BG_JOB_STATE_TRANSFERRED ? S_OK : BG_E_INVALID_STATE, BG_JOB_STATE_ACKNOWLEDGED);
        expect(s, OB_EV_COMPLETE, BG_JOB_TYPE_UPLOAD_REPLY,
               s == BG_JOB_STATE_TRANSFERRED ? S_OK : BG_E_INVALID_STATE, BG_JOB_STATE_ACKNOWLEDGED);
    }
}

static void test_engine_events(void **state)
{
    expect(BG_JOB_STATE_QUEUED, OB_EV_CONNECT, BG_JOB_TYPE_DOWNLOAD, S_OK, BG_JOB_STATE_CONNECTING);
    expect(BG_JOB_STATE_CONNECTING, OB_EV_TRANSFER, BG_JOB_TYPE_DOWNLOAD, S_OK, BG_JOB_STATE_TRANSFERRING);
    expect(BG_JOB_STATE_TRANSFERRING, OB_EV_ALL_TRANSFERRED, BG_JOB_TYPE_DOWNLOAD, S_OK, BG_JOB_STATE_TRANSFERRED);
    expect(BG_JOB_STATE_CONNECTING, OB_EV_TRANSIENT_ERROR, BG_JOB_TYPE_DOWNLOAD, S_OK, BG_JOB_STATE_TRANSIENT_ERROR);
    expect(BG_JOB_STATE_TRANSIENT_ERROR, OB_EV_RETRY, BG_JOB_TYPE_DOWNLOAD, S_OK, BG_JOB_STATE_QUEUED);
    expect(BG_JOB_STATE_TRANSIENT_ERROR, OB_EV_FATAL_ERROR, BG_JOB_TYPE_DOWNLOAD, S_OK, BG_JOB_STATE_ERROR);
    expect(BG_JOB_STATE_TRANSFERRING, OB_EV_FATAL_ERROR, BG_JOB_TYPE_DOWNLOAD, S_OK, BG_JOB_STATE_ERROR);
    /* a Suspend that won the race makes the worker's events invalid */
    expect(BG_JOB_STATE_SUSPENDED, OB_EV_CONNECT, BG_JOB_TYPE_DOWNLOAD, BG_E_INVALID_STATE, 0);
    expect(BG_JOB_STATE_SUSPENDED, OB_EV_TRANSFER, BG_JOB_TYPE_DOWNLOAD, BG_E_INVALID_STATE, 0);
    expect(BG_JOB_STATE_SUSPENDED, OB_EV_ALL_TRANSFERRED, BG_JOB_TYPE_DOWNLOAD, BG_E_INVALID_STATE, 0);
    expect(BG_JOB_STATE_QUEUED, OB_EV_RETRY, BG_JOB_TYPE_DOWNLOAD, BG_E_INVALID_STATE, 0);
    /* a preempted job gives its worker back and waits in the queue */
    expect(BG_JOB_STATE_TRANSFERRING, OB_EV_YIELD, BG_JOB_TYPE_DOWNLOAD, S_OK, BG_JOB_STATE_QUEUED);
    expect(BG_JOB_STATE_CONNECTING, OB_EV_YIELD, BG_JOB_TYPE_DOWNLOAD, S_OK, BG_JOB_STATE_QUEUED);
    expect(BG_JOB_STATE_SUSPENDED, OB_EV_YIELD, BG_JOB_TYPE_DOWNLOAD, BG_E_INVALID_STATE, 0);
    expect(BG_JOB_STATE_TRANSFERRED, OB_EV_YIELD, BG_JOB_TYPE_DOWNLOAD, BG_E_INVALID_STATE, 0);
}

static void test_files_added_to_transferred_job_requeue_it(void **state)
{
    expect(BG_JOB_STATE_TRANSFERRED, OB_EV_FILES_ADDED, BG_JOB_TYPE_DOWNLOAD, S_OK, BG_JOB_STATE_QUEUED);
    expect(BG_JOB_STATE_SUSPENDED, OB_EV_FILES_ADDED, BG_JOB_TYPE_DOWNLOAD, S_OK, BG_JOB_STATE_SUSPENDED);
}

static void test_state_classes(void **state)
{
    assert_true(ob_state_is_final(BG_JOB_STATE_ACKNOWLEDGED));
    assert_true(ob_state_is_final(BG_JOB_STATE_CANCELLED));
    assert_false(ob_state_is_final(BG_JOB_STATE_TRANSFERRED));
    assert_true(ob_state_is_active(BG_JOB_STATE_TRANSIENT_ERROR));
    assert_false(ob_state_is_active(BG_JOB_STATE_SUSPENDED));
    assert_false(ob_state_is_active(BG_JOB_STATE_ERROR));
    assert_string_equal(ob_state_name(BG_JOB_STATE_TRANSIENT_ERROR), "TRANSIENT_ERROR");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_final_states_reject_everything),
        cmocka_unit_test(test_resume),
        cmocka_unit_test(test_suspend_and_cancel_from_any_live_state),
        cmocka_unit_test(test_complete_download_any_time_upload_only_transferred),
        cmocka_unit_test(test_engine_events),
        cmocka_unit_test(test_files_added_to_transferred_job_requeue_it),
        cmocka_unit_test(test_state_classes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
