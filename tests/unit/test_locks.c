/* The lock rule, checked: no file-system call, thread creation, notification
 * or call into client code while a thread holds an engine lock (lock.h).
 * The first test shows the check sees a violation; the others run the
 * operations that once broke the rule (AddFile's name checks, TakeOwnership's
 * notification, an SMB upload's rename) and find none.  Every engine test
 * also fails at exit if any violation happened during it (lock_guard.c). */
#include "engine_test_util.h"
#include "lock.h"
#include "path.h"

static int setup(void **state)
{
    ob_lock_reset_violations();
    et_start(1);
    return 0;
}

static int teardown(void **state)
{
    et_stop();
    ts_cleanup();
    return 0;
}

static void assert_no_violation(void)
{
    if (ob_lock_violations())
        fail_msg("%ld call(s) under a lock, the first: %s", ob_lock_violations(), ob_lock_first_violation());
}

static void test_io_under_a_lock_is_seen(void **state)
{
    SRWLOCK lock = SRWLOCK_INIT;
    CONDITION_VARIABLE cv = CONDITION_VARIABLE_INIT;
    test_sink sink;

    ts_sink_init(&sink);
    sink.sink.ops->addref(&sink.sink);
    assert_int_equal(ob_lock_held(), 0);
    ob_path_attributes(ts_path(L"nothing.bin"));
    assert_int_equal(ob_lock_violations(), 0);

    ob_lock_shared(&lock);
    assert_int_equal(ob_lock_held(), 1);
    ob_path_attributes(ts_path(L"nothing.bin"));
    assert_int_equal(ob_lock_violations(), 1);
    assert_string_equal(ob_lock_first_violation(), "file attributes");
    /* asleep on a condition variable, then held again */
    ob_lock_sleep(&cv, &lock, 1, CONDITION_VARIABLE_LOCKMODE_SHARED);
    assert_int_equal(ob_lock_held(), 1);
    ob_unlock_shared(&lock);
    assert_int_equal(ob_lock_held(), 0);

    ob_lock_exclusive(&lock);
    ob_sink_release(&sink.sink);
    assert_int_equal(ob_lock_violations(), 2);
    assert_string_equal(ob_lock_first_violation(), "file attributes"); /* the first is kept */
    ob_unlock_exclusive(&lock);
    ob_path_delete(ts_path(L"nothing.bin"));
    assert_int_equal(ob_lock_violations(), 2);

    ob_lock_reset_violations(); /* seen on purpose: not for lock_guard */
    assert_int_equal(ob_lock_violations(), 0);
    assert_null(ob_lock_first_violation());
}

/* AddFile judges names on the file system (GetFileAttributes, opening an
 * upload's file, creating a probe and a reply name): all outside the job
 * lock. */
static void test_add_file_judges_names_with_no_lock(void **state)
{
    ob_job *download = et_new_job(BG_JOB_TYPE_DOWNLOAD);
    ob_job *upload = et_new_job(BG_JOB_TYPE_UPLOAD);
    ob_job *reply = et_new_job(BG_JOB_TYPE_UPLOAD_REPLY);

    ts_write_file(ts_path(L"src.bin"), "abc", 3);
    et_add_file(download, ts_path(L"src.bin"), ts_path(L"dst.bin"));
    et_add_file(upload, L"http://127.0.0.1:1/up.bin", ts_path(L"src.bin"));
    et_add_file(reply, L"http://127.0.0.1:1/up.bin", ts_path(L"src.bin"));
    assert_int_equal(ts_count_files(L"BIT*.reply"), 1); /* the generated reply name exists */
    assert_no_violation();
    assert_hr_equal(ob_job_cancel(download), S_OK);
    assert_hr_equal(ob_job_cancel(upload), S_OK);
    assert_hr_equal(ob_job_cancel(reply), S_OK);
    ob_job_release(download);
    ob_job_release(upload);
    ob_job_release(reply);
    assert_no_violation();
}

/* TakeOwnership raises JobModification once the table lock is let go. */
static void test_take_ownership_notifies_with_no_lock(void **state)
{
    ob_job *job = et_new_job(BG_JOB_TYPE_DOWNLOAD);
    ob_caller admin = et_caller;
    test_sink sink;

    ts_sink_init(&sink);
    sink.answer = S_OK;
    assert_hr_equal(ob_job_set_notify_sink(job, &sink.sink), S_OK);
    assert_hr_equal(ob_job_set_notify_flags(job, BG_NOTIFY_JOB_MODIFICATION), S_OK);
    assert_true(ts_sink_wait(&sink, OB_NOTIFY_JOB_MODIFICATION, 1));
    admin.is_admin = TRUE;
    wcscpy(admin.sid, L"S-1-5-21-9-9-9-500");
    assert_hr_equal(ob_table_take_ownership(et_table, job, &admin), S_OK);
    assert_true(ts_sink_wait(&sink, OB_NOTIFY_JOB_MODIFICATION, 2));
    assert_no_violation();
    assert_hr_equal(ob_job_cancel(job), S_OK);
    ob_job_release(job);
    assert_no_violation();
}

/* An upload to a local or SMB path renames its temporary file at the end of
 * the transfer with no lock held, and the whole run (temporary file, reads,
 * writes, the worker thread) holds none either. */
static void test_local_upload_renames_with_no_lock(void **state)
{
    ob_job *job = et_new_job(BG_JOB_TYPE_UPLOAD);

    ts_write_file(ts_path(L"up.bin"), "0123456789", 10);
    assert_true(CreateDirectoryW(ts_path(L"share"), NULL));
    et_add_file(job, ts_path(L"share\\up.bin"), ts_path(L"up.bin"));
    assert_hr_equal(ob_job_resume(job), S_OK);
    et_assert_state(job, BG_JOB_STATE_TRANSFERRED);
    assert_int_equal(ts_count_files(L"share\\up.bin"), 1);
    assert_hr_equal(ob_job_complete(job), S_OK);
    ob_job_release(job);
    assert_no_violation();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_io_under_a_lock_is_seen, setup, teardown),
        cmocka_unit_test_setup_teardown(test_add_file_judges_names_with_no_lock, setup, teardown),
        cmocka_unit_test_setup_teardown(test_take_ownership_notifies_with_no_lock, setup, teardown),
        cmocka_unit_test_setup_teardown(test_local_upload_renames_with_no_lock, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
