/* The documented limits, made small through the registry as README.md
 * describes: REG_DWORD values under HKLM\Software\OpenBits, read once per
 * process.  They are written before the first CoCreateInstance of this process
 * and removed by the group teardown, which also runs when a test fails.
 * Sources: CreateJob (BG_E_TOO_MANY_JOBS_PER_MACHINE) and AddFile/AddFileSet
 * (BG_E_TOO_MANY_FILES_IN_JOB; administrators are exempt) reference pages. */
#include "com_test_util.h"

#define LIMITS_KEY L"Software\\OpenBits"
#define MAX_JOBS 5
#define MAX_FILES 2

static const struct { const WCHAR *name; DWORD value; } limits[] = {
    { L"MaxJobsPerMachine", MAX_JOBS },
    { L"MaxFilesPerJob", MAX_FILES },
};

/* What was there before, to put back. */
static BOOL key_created;
static BOOL had_value[ARRAYSIZE(limits)];
static DWORD old_value[ARRAYSIZE(limits)];

static int limits_setup(void **state)
{
    DWORD disposition, size, type;
    HKEY key;
    size_t i;

    if (RegCreateKeyExW(HKEY_LOCAL_MACHINE, LIMITS_KEY, 0, NULL, 0, KEY_READ | KEY_WRITE, NULL, &key, &disposition))
        return -1;
    key_created = disposition == REG_CREATED_NEW_KEY;
    for (i = 0; i < ARRAYSIZE(limits); i++)
    {
        size = sizeof(old_value[i]);
        had_value[i] = !RegQueryValueExW(key, limits[i].name, NULL, &type, (BYTE *)&old_value[i], &size) &&
                       type == REG_DWORD;
        if (RegSetValueExW(key, limits[i].name, 0, REG_DWORD, (const BYTE *)&limits[i].value, sizeof(DWORD)))
        {
            RegCloseKey(key);
            return -1;
        }
    }
    RegCloseKey(key);
    /* only now may openbits.dll read its limits */
    return ct_group_setup(state);
}

static int limits_teardown(void **state)
{
    HKEY key;
    size_t i;

    ct_group_teardown(state);
    if (!RegOpenKeyExW(HKEY_LOCAL_MACHINE, LIMITS_KEY, 0, KEY_WRITE, &key))
    {
        for (i = 0; i < ARRAYSIZE(limits); i++)
        {
            if (had_value[i])
                RegSetValueExW(key, limits[i].name, 0, REG_DWORD, (const BYTE *)&old_value[i], sizeof(DWORD));
            else
                RegDeleteValueW(key, limits[i].name);
        }
        RegCloseKey(key);
    }
    if (key_created) RegDeleteKeyW(HKEY_LOCAL_MACHINE, LIMITS_KEY);
    return 0;
}

static void set_registry_limit(const WCHAR *name, DWORD value)
{
    assert_int_equal(RegSetKeyValueW(HKEY_LOCAL_MACHINE, LIMITS_KEY, name, REG_DWORD, &value, sizeof(value)),
                     ERROR_SUCCESS);
}

static void test_jobs_per_machine(void **state)
{
    IBackgroundCopyManager *manager = ct_manager();
    IBackgroundCopyJob *jobs[MAX_JOBS], *extra = (IBackgroundCopyJob *)0xdeadbeef;
    GUID id;
    int i;

    assert_int_equal((unsigned long)BG_E_TOO_MANY_JOBS_PER_MACHINE, 0x80200050ul);
    for (i = 0; i < MAX_JOBS; i++) jobs[i] = ct_create_job(manager, L"limited", BG_JOB_TYPE_DOWNLOAD, &id);

    /* "Adding this job exceeds the MaxJobsPerMachine limit" (administrators included) */
    assert_hr_equal(IBackgroundCopyManager_CreateJob(manager, L"one too many", BG_JOB_TYPE_DOWNLOAD, &id, &extra),
                    BG_E_TOO_MANY_JOBS_PER_MACHINE);
    assert_null(extra);
    assert_hr_equal(IBackgroundCopyManager_CreateJob(manager, L"one too many", BG_JOB_TYPE_UPLOAD, &id, &extra),
                    BG_E_TOO_MANY_JOBS_PER_MACHINE);
    assert_int_equal(ct_job_count(manager), MAX_JOBS);

    /* the limits are read once per process: a later change has no effect */
    set_registry_limit(L"MaxJobsPerMachine", 50);
    assert_hr_equal(IBackgroundCopyManager_CreateJob(manager, L"one too many", BG_JOB_TYPE_DOWNLOAD, &id, &extra),
                    BG_E_TOO_MANY_JOBS_PER_MACHINE);
    set_registry_limit(L"MaxJobsPerMachine", MAX_JOBS);

    /* a cancelled job frees its place, and so does a completed one */
    ct_cancel(jobs[0]);
    jobs[0] = ct_create_job(manager, L"replacement", BG_JOB_TYPE_DOWNLOAD, &id);
    assert_hr_equal(IBackgroundCopyManager_CreateJob(manager, L"one too many", BG_JOB_TYPE_DOWNLOAD, &id, &extra),
                    BG_E_TOO_MANY_JOBS_PER_MACHINE);
    assert_hr_equal(IBackgroundCopyJob_Complete(jobs[1]), S_OK);
    IBackgroundCopyJob_Release(jobs[1]);
    jobs[1] = ct_create_job(manager, L"replacement", BG_JOB_TYPE_UPLOAD_REPLY, &id);
    assert_hr_equal(IBackgroundCopyManager_CreateJob(manager, L"one too many", BG_JOB_TYPE_DOWNLOAD, &id, &extra),
                    BG_E_TOO_MANY_JOBS_PER_MACHINE);

    for (i = 0; i < MAX_JOBS; i++) ct_cancel(jobs[i]);
    assert_int_equal(ct_job_count(manager), 0);
    IBackgroundCopyManager_Release(manager);
}

static void test_files_per_job(void **state)
{
    IBackgroundCopyManager *manager = ct_manager();
    IBackgroundCopyJob *job = ct_create_job(manager, L"files", BG_JOB_TYPE_DOWNLOAD, NULL);
    IBackgroundCopyJob *set_job = ct_create_job(manager, L"file set", BG_JOB_TYPE_DOWNLOAD, NULL);
    BG_FILE_INFO files[MAX_FILES + 1];
    WCHAR remote[64], local[32];
    int i;

    assert_int_equal((unsigned long)BG_E_TOO_MANY_FILES_IN_JOB, 0x80200051ul);
    for (i = 0; i < MAX_FILES; i++)
    {
        swprintf(remote, ARRAYSIZE(remote), L"http://127.0.0.1:9/file%d", i);
        swprintf(local, ARRAYSIZE(local), L"file%d.bin", i);
        assert_hr_equal(IBackgroundCopyJob_AddFile(job, remote, ts_path(local)), S_OK);
    }
    for (i = 0; i < MAX_FILES + 1; i++)
    {
        files[i].RemoteName = (WCHAR *)L"http://127.0.0.1:9/set";
        files[i].LocalName = (WCHAR *)ts_path(L"set.bin");
    }

    if (ct_is_admin())
    {
        /* "This limit does not apply to administrators or service accounts". */
        assert_hr_equal(IBackgroundCopyJob_AddFile(job, L"http://127.0.0.1:9/more", ts_path(L"more.bin")), S_OK);
        assert_int_equal(ct_progress(job).FilesTotal, MAX_FILES + 1);
        assert_hr_equal(IBackgroundCopyJob_AddFileSet(set_job, MAX_FILES + 1, files), S_OK);
        assert_int_equal(ct_progress(set_job).FilesTotal, MAX_FILES + 1);
    }
    else
    {
        /* "Adding the file to the job exceeds the MaxFilesPerJob limit" */
        assert_hr_equal(IBackgroundCopyJob_AddFile(job, L"http://127.0.0.1:9/more", ts_path(L"more.bin")),
                        BG_E_TOO_MANY_FILES_IN_JOB);
        assert_int_equal(ct_progress(job).FilesTotal, MAX_FILES);
        assert_hr_equal(IBackgroundCopyJob_AddFileSet(set_job, MAX_FILES + 1, files), BG_E_TOO_MANY_FILES_IN_JOB);
        assert_int_equal(ct_progress(set_job).FilesTotal, 0);
        assert_hr_equal(IBackgroundCopyJob_AddFileSet(set_job, MAX_FILES, files), S_OK);
    }
    ct_cancel(job);
    ct_cancel(set_job);
    IBackgroundCopyManager_Release(manager);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_jobs_per_machine, ct_test_teardown),
        cmocka_unit_test_teardown(test_files_per_job, ct_test_teardown),
    };
    return cmocka_run_group_tests(tests, limits_setup, limits_teardown);
}
