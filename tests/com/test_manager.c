/* IBackgroundCopyManager through COM: CreateJob, GetJob, EnumJobs and
 * GetErrorDescription, with every documented return code that can be reached
 * without a transfer (bits-semantics.md 1.3, 1.4, 1.7, 1.9; Microsoft's
 * IBackgroundCopyManager pages). */
#include "com_test_util.h"

static void test_create_job_types(void **state)
{
    static const BG_JOB_TYPE types[] = { BG_JOB_TYPE_DOWNLOAD, BG_JOB_TYPE_UPLOAD, BG_JOB_TYPE_UPLOAD_REPLY };
    IBackgroundCopyManager *manager = ct_manager();
    IBackgroundCopyJob *jobs[3];
    GUID ids[3], got;
    BG_JOB_TYPE type;
    WCHAR *name;
    int i, j;

    for (i = 0; i < 3; i++)
    {
        memset(&ids[i], 0, sizeof(ids[i]));
        jobs[i] = ct_create_job(manager, L"typed job", types[i], &ids[i]);
        assert_false(IsEqualGUID(&ids[i], &GUID_NULL));
        /* a new job is SUSPENDED [wine-test] */
        assert_int_equal(ct_state(jobs[i]), BG_JOB_STATE_SUSPENDED);
        assert_hr_equal(IBackgroundCopyJob_GetType(jobs[i], &type), S_OK);
        assert_int_equal(type, types[i]);
        assert_hr_equal(IBackgroundCopyJob_GetId(jobs[i], &got), S_OK);
        assert_true(IsEqualGUID(&got, &ids[i]));
        assert_hr_equal(IBackgroundCopyJob_GetDisplayName(jobs[i], &name), S_OK);
        ct_check_string(name, L"typed job");
    }
    /* the id "uniquely identifies your job in the queue" */
    for (i = 0; i < 3; i++)
        for (j = i + 1; j < 3; j++) assert_false(IsEqualGUID(&ids[i], &ids[j]));
    for (i = 0; i < 3; i++) ct_cancel(jobs[i]);
    IBackgroundCopyManager_Release(manager);
}

static void test_create_job_display_name(void **state)
{
    IBackgroundCopyManager *manager = ct_manager();
    IBackgroundCopyJob *job = (IBackgroundCopyJob *)0xdeadbeef;
    WCHAR *longest = ct_repeat('n', 256), *too_long = ct_repeat('n', 257), *name;
    GUID id;

    /* "Must not be NULL" */
    assert_hr_equal(IBackgroundCopyManager_CreateJob(manager, NULL, BG_JOB_TYPE_DOWNLOAD, &id, &job), E_INVALIDARG);
    assert_null(job);
    /* "E_INVALIDARG: The display name is too long" (over 256 characters) */
    job = (IBackgroundCopyJob *)0xdeadbeef;
    assert_hr_equal(IBackgroundCopyManager_CreateJob(manager, too_long, BG_JOB_TYPE_DOWNLOAD, &id, &job),
                    E_INVALIDARG);
    assert_null(job);
    assert_int_equal(ct_job_count(manager), 0);

    /* 256 characters is the limit, not counting the terminator */
    job = ct_create_job(manager, longest, BG_JOB_TYPE_DOWNLOAD, &id);
    assert_hr_equal(IBackgroundCopyJob_GetDisplayName(job, &name), S_OK);
    ct_check_string(name, longest);
    ct_cancel(job);

    /* more than one job may have the same display name; "" is a name */
    job = ct_create_job(manager, L"", BG_JOB_TYPE_DOWNLOAD, &id);
    assert_hr_equal(IBackgroundCopyJob_GetDisplayName(job, &name), S_OK);
    ct_check_string(name, L"");
    ct_cancel(job);

    free(longest);
    free(too_long);
    IBackgroundCopyManager_Release(manager);
}

static void test_create_job_bad_arguments(void **state)
{
    IBackgroundCopyManager *manager = ct_manager();
    IBackgroundCopyJob *job = (IBackgroundCopyJob *)0xdeadbeef;
    GUID id;

    assert_hr_equal(IBackgroundCopyManager_CreateJob(manager, L"x", BG_JOB_TYPE_DOWNLOAD, NULL, &job), E_INVALIDARG);
    assert_hr_equal(IBackgroundCopyManager_CreateJob(manager, L"x", BG_JOB_TYPE_DOWNLOAD, &id, NULL), E_INVALIDARG);
    /* an undefined BG_JOB_TYPE (docs/choices.md: E_INVALIDARG, the only argument error CreateJob documents) */
    job = (IBackgroundCopyJob *)0xdeadbeef;
    assert_hr_equal(IBackgroundCopyManager_CreateJob(manager, L"x", (BG_JOB_TYPE)3, &id, &job), E_INVALIDARG);
    assert_null(job);
    assert_hr_equal(IBackgroundCopyManager_CreateJob(manager, L"x", (BG_JOB_TYPE)-1, &id, &job), E_INVALIDARG);
    assert_int_equal(ct_job_count(manager), 0);
    IBackgroundCopyManager_Release(manager);
}

static void test_get_job(void **state)
{
    IBackgroundCopyManager *manager = ct_manager();
    IBackgroundCopyJob *job, *found = NULL;
    GUID id, got, unknown;
    WCHAR *name;

    job = ct_create_job(manager, L"findable", BG_JOB_TYPE_DOWNLOAD, &id);
    assert_hr_equal(IBackgroundCopyManager_GetJob(manager, &id, &found), S_OK);
    assert_non_null(found);
    assert_hr_equal(IBackgroundCopyJob_GetId(found, &got), S_OK);
    assert_true(IsEqualGUID(&got, &id));
    assert_hr_equal(IBackgroundCopyJob_GetDisplayName(found, &name), S_OK);
    ct_check_string(name, L"findable");
    /* both objects are the same job: a change through one shows through the other */
    assert_hr_equal(IBackgroundCopyJob_SetDescription(found, L"changed"), S_OK);
    assert_hr_equal(IBackgroundCopyJob_GetDescription(job, &name), S_OK);
    ct_check_string(name, L"changed");
    IBackgroundCopyJob_Release(found);

    /* BG_E_NOT_FOUND for a GUID that names no job */
    assert_hr_equal(CoCreateGuid(&unknown), S_OK);
    found = (IBackgroundCopyJob *)0xdeadbeef;
    assert_hr_equal(IBackgroundCopyManager_GetJob(manager, &unknown, &found), BG_E_NOT_FOUND);
    assert_null(found);
    assert_hr_equal(IBackgroundCopyManager_GetJob(manager, &GUID_NULL, &found), BG_E_NOT_FOUND);

    /* NULL arguments */
    assert_hr_equal(IBackgroundCopyManager_GetJob(manager, NULL, &found), E_INVALIDARG);
    assert_hr_equal(IBackgroundCopyManager_GetJob(manager, &id, NULL), E_INVALIDARG);

    ct_cancel(job);
    IBackgroundCopyManager_Release(manager);
}

static void test_get_job_final_states(void **state)
{
    IBackgroundCopyManager *manager = ct_manager();
    IBackgroundCopyJob *cancelled, *completed, *found;
    GUID cancelled_id, completed_id;

    cancelled = ct_create_job(manager, L"to cancel", BG_JOB_TYPE_DOWNLOAD, &cancelled_id);
    completed = ct_create_job(manager, L"to complete", BG_JOB_TYPE_DOWNLOAD, &completed_id);
    assert_hr_equal(IBackgroundCopyJob_Cancel(cancelled), S_OK);
    assert_hr_equal(IBackgroundCopyJob_Complete(completed), S_OK); /* no files: nothing partial */

    /* a job in a final state has left the queue (Wine wrongly answers S_OK after Complete) */
    found = (IBackgroundCopyJob *)0xdeadbeef;
    assert_hr_equal(IBackgroundCopyManager_GetJob(manager, &cancelled_id, &found), BG_E_NOT_FOUND);
    assert_null(found);
    found = (IBackgroundCopyJob *)0xdeadbeef;
    assert_hr_equal(IBackgroundCopyManager_GetJob(manager, &completed_id, &found), BG_E_NOT_FOUND);
    assert_null(found);

    /* the client's own objects still answer */
    assert_int_equal(ct_state(cancelled), BG_JOB_STATE_CANCELLED);
    assert_int_equal(ct_state(completed), BG_JOB_STATE_ACKNOWLEDGED);
    IBackgroundCopyJob_Release(cancelled);
    IBackgroundCopyJob_Release(completed);
    IBackgroundCopyManager_Release(manager);
}

static BOOL enum_contains(IEnumBackgroundCopyJobs *jobs, const GUID *id)
{
    IBackgroundCopyJob *job;
    BOOL found = FALSE;
    GUID got;

    assert_hr_equal(IEnumBackgroundCopyJobs_Reset(jobs), S_OK);
    while (IEnumBackgroundCopyJobs_Next(jobs, 1, &job, NULL) == S_OK)
    {
        assert_hr_equal(IBackgroundCopyJob_GetId(job, &got), S_OK);
        if (IsEqualGUID(&got, id)) found = TRUE;
        IBackgroundCopyJob_Release(job);
    }
    return found;
}

static void test_enum_jobs_snapshot(void **state)
{
    IBackgroundCopyManager *manager = ct_manager();
    IBackgroundCopyJob *a, *b, *cancelled, *completed, *later;
    IEnumBackgroundCopyJobs *jobs;
    GUID a_id, b_id, cancelled_id, completed_id, later_id;
    ULONG count;

    a = ct_create_job(manager, L"a", BG_JOB_TYPE_DOWNLOAD, &a_id);
    b = ct_create_job(manager, L"b", BG_JOB_TYPE_UPLOAD, &b_id);
    cancelled = ct_create_job(manager, L"cancelled", BG_JOB_TYPE_DOWNLOAD, &cancelled_id);
    completed = ct_create_job(manager, L"completed", BG_JOB_TYPE_DOWNLOAD, &completed_id);
    assert_hr_equal(IBackgroundCopyJob_Cancel(cancelled), S_OK);
    assert_hr_equal(IBackgroundCopyJob_Complete(completed), S_OK);

    assert_hr_equal(IBackgroundCopyManager_EnumJobs(manager, 0, &jobs), S_OK);
    later = ct_create_job(manager, L"later", BG_JOB_TYPE_DOWNLOAD, &later_id);

    /* the caller's live jobs; final jobs never appear in EnumJobs */
    assert_hr_equal(IEnumBackgroundCopyJobs_GetCount(jobs, &count), S_OK);
    assert_int_equal(count, 2);
    assert_true(enum_contains(jobs, &a_id));
    assert_true(enum_contains(jobs, &b_id));
    assert_false(enum_contains(jobs, &cancelled_id));
    assert_false(enum_contains(jobs, &completed_id));
    /* a snapshot: a job created after EnumJobs is not in it */
    assert_false(enum_contains(jobs, &later_id));
    IEnumBackgroundCopyJobs_Release(jobs);

    /* a new enumeration sees it */
    assert_hr_equal(IBackgroundCopyManager_EnumJobs(manager, 0, &jobs), S_OK);
    assert_hr_equal(IEnumBackgroundCopyJobs_GetCount(jobs, &count), S_OK);
    assert_int_equal(count, 3);
    assert_true(enum_contains(jobs, &later_id));
    IEnumBackgroundCopyJobs_Release(jobs);

    ct_cancel(a);
    ct_cancel(b);
    ct_cancel(later);
    IBackgroundCopyJob_Release(cancelled);
    IBackgroundCopyJob_Release(completed);
    assert_int_equal(ct_job_count(manager), 0);
    IBackgroundCopyManager_Release(manager);
}

static void test_enum_jobs_all_users(void **state)
{
    IBackgroundCopyManager *manager = ct_manager();
    IEnumBackgroundCopyJobs *jobs = (IEnumBackgroundCopyJobs *)0xdeadbeef;
    IBackgroundCopyJob *job;
    GUID id;

    job = ct_create_job(manager, L"mine", BG_JOB_TYPE_DOWNLOAD, &id);
    if (ct_is_admin())
    {
        /* administrators see every user's jobs, their own included. */
        assert_hr_equal(IBackgroundCopyManager_EnumJobs(manager, BG_JOB_ENUM_ALL_USERS, &jobs), S_OK);
        assert_true(enum_contains(jobs, &id));
        IEnumBackgroundCopyJobs_Release(jobs);
    }
    else
    {
        /* "needs admin, otherwise E_ACCESSDENIED" */
        assert_hr_equal(IBackgroundCopyManager_EnumJobs(manager, BG_JOB_ENUM_ALL_USERS, &jobs), E_ACCESSDENIED);
        assert_null(jobs);
    }
    ct_cancel(job);
    IBackgroundCopyManager_Release(manager);
}

static void test_enum_jobs_bad_arguments(void **state)
{
    IBackgroundCopyManager *manager = ct_manager();
    IEnumBackgroundCopyJobs *jobs = (IEnumBackgroundCopyJobs *)0xdeadbeef;
    ULONG count = 99;

    assert_hr_equal(IBackgroundCopyManager_EnumJobs(manager, 0, NULL), E_INVALIDARG);
    /* docs/choices.md: flags other than 0 and BG_JOB_ENUM_ALL_USERS */
    assert_hr_equal(IBackgroundCopyManager_EnumJobs(manager, 0x2, &jobs), E_INVALIDARG);
    assert_null(jobs);
    /* with no jobs: an empty enumeration, not an error */
    assert_hr_equal(IBackgroundCopyManager_EnumJobs(manager, 0, &jobs), S_OK);
    assert_hr_equal(IEnumBackgroundCopyJobs_GetCount(jobs, &count), S_OK);
    assert_int_equal(count, 0);
    IEnumBackgroundCopyJobs_Release(jobs);
    IBackgroundCopyManager_Release(manager);
}

static void check_description(IBackgroundCopyManager *manager, HRESULT code, const WCHAR *must_contain)
{
    WCHAR *text = (WCHAR *)0xdeadbeef;
    size_t len;

    assert_hr_equal(IBackgroundCopyManager_GetErrorDescription(manager, code, CT_LANG_EN_US, &text), S_OK);
    assert_non_null(text);
    len = wcslen(text);
    assert_true(len > 0);
    if (must_contain && !wcsstr(text, must_contain))
        fail_msg("description of 0x%08lx is \"%ls\", expected it to mention \"%ls\"", (unsigned long)code, text,
                 must_contain);
    CoTaskMemFree(text);
}

static void test_error_description_english(void **state)
{
    IBackgroundCopyManager *manager = ct_manager();

    /* BITS codes from the message table: English text */
    check_description(manager, BG_E_NOT_FOUND, L"job");
    check_description(manager, BG_E_INVALID_STATE, L"state");
    check_description(manager, BG_E_EMPTY, L"file");
    check_description(manager, BG_E_ERROR_INFORMATION_UNAVAILABLE, NULL);
    check_description(manager, BG_E_TOO_MANY_JOBS_PER_MACHINE, NULL);
    check_description(manager, BG_S_PARTIAL_COMPLETE, NULL);
    /* BG_E_HTTP_ERROR_nnn = 0x80190000 | status */
    assert_int_equal((unsigned long)BG_E_HTTP_ERROR_404, 0x80190194ul);
    check_description(manager, BG_E_HTTP_ERROR_404, L"404");
    check_description(manager, BG_E_HTTP_ERROR_500, L"500");
    IBackgroundCopyManager_Release(manager);
}

static void test_error_description_errors(void **state)
{
    IBackgroundCopyManager *manager = ct_manager();
    WCHAR *text = (WCHAR *)0xdeadbeef;

    /* no German text: HRESULT_FROM_WIN32(ERROR_RESOURCE_LANG_NOT_FOUND) (documented) */
    assert_hr_equal(IBackgroundCopyManager_GetErrorDescription(manager, BG_E_NOT_FOUND, CT_LANG_DE_DE, &text),
                    HRESULT_FROM_WIN32(ERROR_RESOURCE_LANG_NOT_FOUND));
    assert_null(text);
    assert_hr_equal(IBackgroundCopyManager_GetErrorDescription(manager, BG_E_HTTP_ERROR_404, CT_LANG_DE_DE, &text),
                    HRESULT_FROM_WIN32(ERROR_RESOURCE_LANG_NOT_FOUND));
    assert_null(text);
    assert_hr_equal(IBackgroundCopyManager_GetErrorDescription(manager, BG_E_NOT_FOUND, CT_LANG_EN_US, NULL),
                    E_INVALIDARG);
    IBackgroundCopyManager_Release(manager);
}

static void test_manager_query_interface(void **state)
{
    IBackgroundCopyManager *manager = ct_manager(), *again;
    IUnknown *unk1, *unk2, *other = (IUnknown *)0xdeadbeef;

    assert_hr_equal(IBackgroundCopyManager_QueryInterface(manager, &IID_IUnknown, (void **)&unk1), S_OK);
    assert_hr_equal(IBackgroundCopyManager_QueryInterface(manager, &IID_IBackgroundCopyManager, (void **)&again),
                    S_OK);
    assert_hr_equal(IBackgroundCopyManager_QueryInterface(again, &IID_IUnknown, (void **)&unk2), S_OK);
    assert_ptr_equal(unk1, unk2); /* COM identity */
    assert_hr_equal(IBackgroundCopyManager_QueryInterface(manager, &IID_IBackgroundCopyJob, (void **)&other),
                    E_NOINTERFACE);
    assert_null(other);
    IUnknown_Release(unk1);
    IUnknown_Release(unk2);
    IBackgroundCopyManager_Release(again);
    IBackgroundCopyManager_Release(manager);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_create_job_types, ct_test_teardown),
        cmocka_unit_test_teardown(test_create_job_display_name, ct_test_teardown),
        cmocka_unit_test_teardown(test_create_job_bad_arguments, ct_test_teardown),
        cmocka_unit_test_teardown(test_get_job, ct_test_teardown),
        cmocka_unit_test_teardown(test_get_job_final_states, ct_test_teardown),
        cmocka_unit_test_teardown(test_enum_jobs_snapshot, ct_test_teardown),
        cmocka_unit_test_teardown(test_enum_jobs_all_users, ct_test_teardown),
        cmocka_unit_test_teardown(test_enum_jobs_bad_arguments, ct_test_teardown),
        cmocka_unit_test_teardown(test_error_description_english, ct_test_teardown),
        cmocka_unit_test_teardown(test_error_description_errors, ct_test_teardown),
        cmocka_unit_test_teardown(test_manager_query_interface, ct_test_teardown),
    };
    return cmocka_run_group_tests(tests, ct_group_setup, ct_group_teardown);
}
