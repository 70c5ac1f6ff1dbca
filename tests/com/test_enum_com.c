/* IEnumBackgroundCopyJobs and IEnumBackgroundCopyFiles through COM: Next,
 * Skip, Reset, Clone and GetCount (Microsoft's IEnumBackgroundCopyJobs and
 * IEnumBackgroundCopyFiles pages; the enumeration is a snapshot, 1.9). */
#include "com_test_util.h"

#define COUNT 3

/* ---- jobs ---- */

typedef struct job_set {
    IBackgroundCopyManager *manager;
    IBackgroundCopyJob *jobs[COUNT];
    GUID ids[COUNT];
} job_set;

static void job_set_create(job_set *set)
{
    int i;
    set->manager = ct_manager();
    for (i = 0; i < COUNT; i++) set->jobs[i] = ct_create_job(set->manager, L"enum", BG_JOB_TYPE_DOWNLOAD, &set->ids[i]);
}

static void job_set_cancel(job_set *set)
{
    int i;
    for (i = 0; i < COUNT; i++) ct_cancel(set->jobs[i]);
    IBackgroundCopyManager_Release(set->manager);
}

/* Which of the set's jobs this is (-1 if none); releases the job. */
static int job_index(job_set *set, IBackgroundCopyJob *job)
{
    GUID id;
    int i;
    assert_non_null(job);
    assert_hr_equal(IBackgroundCopyJob_GetId(job, &id), S_OK);
    IBackgroundCopyJob_Release(job);
    for (i = 0; i < COUNT; i++)
        if (IsEqualGUID(&id, &set->ids[i])) return i;
    return -1;
}

static void test_jobs_next(void **state)
{
    job_set set;
    IEnumBackgroundCopyJobs *jobs;
    IBackgroundCopyJob *got[COUNT + 2];
    BOOL seen[COUNT] = { FALSE };
    ULONG fetched, count;
    int i, index;

    job_set_create(&set);
    assert_hr_equal(IBackgroundCopyManager_EnumJobs(set.manager, 0, &jobs), S_OK);
    assert_hr_equal(IEnumBackgroundCopyJobs_GetCount(jobs, &count), S_OK);
    assert_int_equal(count, COUNT);

    /* pceltFetched may be NULL only when celt is 1 */
    assert_hr_equal(IEnumBackgroundCopyJobs_Next(jobs, 2, got, NULL), E_INVALIDARG);
    assert_hr_equal(IEnumBackgroundCopyJobs_Next(jobs, 1, NULL, &fetched), E_INVALIDARG);
    assert_hr_equal(IEnumBackgroundCopyJobs_Next(jobs, 1, got, NULL), S_OK);
    index = job_index(&set, got[0]);
    assert_true(index >= 0);
    seen[index] = TRUE;

    /* asking past the end: S_FALSE ("returned less than the number of requested elements")
     * with the count actually fetched */
    fetched = 99;
    assert_hr_equal(IEnumBackgroundCopyJobs_Next(jobs, COUNT + 2, got, &fetched), S_FALSE);
    assert_int_equal(fetched, COUNT - 1);
    for (i = 0; i < (int)fetched; i++)
    {
        index = job_index(&set, got[i]);
        assert_true(index >= 0);
        assert_false(seen[index]);
        seen[index] = TRUE;
    }
    for (i = 0; i < COUNT; i++) assert_true(seen[i]);

    /* at the end */
    fetched = 99;
    assert_hr_equal(IEnumBackgroundCopyJobs_Next(jobs, 1, got, &fetched), S_FALSE);
    assert_int_equal(fetched, 0);
    assert_hr_equal(IEnumBackgroundCopyJobs_Next(jobs, 1, got, NULL), S_FALSE);

    /* Reset goes back to the beginning */
    assert_hr_equal(IEnumBackgroundCopyJobs_Reset(jobs), S_OK);
    fetched = 0;
    assert_hr_equal(IEnumBackgroundCopyJobs_Next(jobs, COUNT, got, &fetched), S_OK);
    assert_int_equal(fetched, COUNT);
    for (i = 0; i < COUNT; i++) assert_true(job_index(&set, got[i]) >= 0);

    IEnumBackgroundCopyJobs_Release(jobs);
    job_set_cancel(&set);
}

static void test_jobs_skip(void **state)
{
    job_set set;
    IEnumBackgroundCopyJobs *jobs;
    IBackgroundCopyJob *first, *third, *again;
    ULONG fetched;

    job_set_create(&set);
    assert_hr_equal(IBackgroundCopyManager_EnumJobs(set.manager, 0, &jobs), S_OK);
    assert_hr_equal(IEnumBackgroundCopyJobs_Next(jobs, 1, &first, NULL), S_OK);
    assert_hr_equal(IEnumBackgroundCopyJobs_Skip(jobs, 1), S_OK);
    assert_hr_equal(IEnumBackgroundCopyJobs_Next(jobs, 1, &third, NULL), S_OK);
    assert_hr_equal(IEnumBackgroundCopyJobs_Skip(jobs, 0), S_OK);
    /* skipping past the end: S_FALSE, and the enumerator is at the end */
    assert_hr_equal(IEnumBackgroundCopyJobs_Skip(jobs, 1), S_FALSE);
    assert_hr_equal(IEnumBackgroundCopyJobs_Next(jobs, 1, &again, &fetched), S_FALSE);
    assert_int_equal(fetched, 0);
    assert_hr_equal(IEnumBackgroundCopyJobs_Reset(jobs), S_OK);
    assert_hr_equal(IEnumBackgroundCopyJobs_Skip(jobs, COUNT + 1), S_FALSE);
    assert_hr_equal(IEnumBackgroundCopyJobs_Next(jobs, 1, &again, &fetched), S_FALSE);
    /* the order is stable within one enumeration */
    assert_hr_equal(IEnumBackgroundCopyJobs_Reset(jobs), S_OK);
    assert_hr_equal(IEnumBackgroundCopyJobs_Skip(jobs, 2), S_OK);
    assert_hr_equal(IEnumBackgroundCopyJobs_Next(jobs, 1, &again, NULL), S_OK);
    assert_int_equal(job_index(&set, again), job_index(&set, third));
    assert_hr_equal(IEnumBackgroundCopyJobs_Reset(jobs), S_OK);
    assert_hr_equal(IEnumBackgroundCopyJobs_Next(jobs, 1, &again, NULL), S_OK);
    assert_int_equal(job_index(&set, again), job_index(&set, first));
    IEnumBackgroundCopyJobs_Release(jobs);
    job_set_cancel(&set);
}

static void test_jobs_clone(void **state)
{
    job_set set;
    IEnumBackgroundCopyJobs *jobs, *clone;
    IBackgroundCopyJob *a, *b, *all[COUNT];
    ULONG count, fetched;
    int i;

    job_set_create(&set);
    assert_hr_equal(IBackgroundCopyManager_EnumJobs(set.manager, 0, &jobs), S_OK);
    assert_hr_equal(IEnumBackgroundCopyJobs_Skip(jobs, 1), S_OK);
    assert_hr_equal(IEnumBackgroundCopyJobs_Clone(jobs, &clone), S_OK);
    assert_hr_equal(IEnumBackgroundCopyJobs_GetCount(clone, &count), S_OK);
    assert_int_equal(count, COUNT);

    /* the clone starts where the original was */
    assert_hr_equal(IEnumBackgroundCopyJobs_Next(jobs, 1, &a, NULL), S_OK);
    assert_hr_equal(IEnumBackgroundCopyJobs_Next(clone, 1, &b, NULL), S_OK);
    assert_int_equal(job_index(&set, a), job_index(&set, b));

    /* and moves independently */
    assert_hr_equal(IEnumBackgroundCopyJobs_Skip(clone, 1), S_OK);
    assert_hr_equal(IEnumBackgroundCopyJobs_Next(clone, 1, &b, &fetched), S_FALSE);
    assert_int_equal(fetched, 0);
    assert_hr_equal(IEnumBackgroundCopyJobs_Next(jobs, 1, &a, NULL), S_OK);
    IBackgroundCopyJob_Release(a);
    assert_hr_equal(IEnumBackgroundCopyJobs_Reset(clone), S_OK);
    assert_hr_equal(IEnumBackgroundCopyJobs_Next(jobs, 1, &a, &fetched), S_FALSE);
    assert_int_equal(fetched, 0);

    /* the clone holds its own snapshot: it outlives the original */
    IEnumBackgroundCopyJobs_Release(jobs);
    fetched = 0;
    assert_hr_equal(IEnumBackgroundCopyJobs_Next(clone, COUNT, all, &fetched), S_OK);
    assert_int_equal(fetched, COUNT);
    for (i = 0; i < COUNT; i++) assert_true(job_index(&set, all[i]) >= 0);
    IEnumBackgroundCopyJobs_Release(clone);
    job_set_cancel(&set);
}

static void test_jobs_snapshot_and_count(void **state)
{
    job_set set;
    IEnumBackgroundCopyJobs *jobs;
    IBackgroundCopyJob *extra, *got[COUNT + 1];
    ULONG count = 99, fetched;
    GUID extra_id;
    int i;

    job_set_create(&set);
    assert_hr_equal(IBackgroundCopyManager_EnumJobs(set.manager, 0, &jobs), S_OK);
    extra = ct_create_job(set.manager, L"extra", BG_JOB_TYPE_DOWNLOAD, &extra_id);
    /* a snapshot: later jobs are not in it, its count does not change */
    assert_hr_equal(IEnumBackgroundCopyJobs_GetCount(jobs, &count), S_OK);
    assert_int_equal(count, COUNT);
    assert_hr_equal(IEnumBackgroundCopyJobs_Next(jobs, COUNT + 1, got, &fetched), S_FALSE);
    assert_int_equal(fetched, COUNT);
    for (i = 0; i < COUNT; i++) assert_true(job_index(&set, got[i]) >= 0);
    /* the count is the snapshot's size, not what is left */
    assert_hr_equal(IEnumBackgroundCopyJobs_GetCount(jobs, &count), S_OK);
    assert_int_equal(count, COUNT);
    assert_hr_equal(IEnumBackgroundCopyJobs_GetCount(jobs, NULL), E_INVALIDARG);
    assert_hr_equal(IEnumBackgroundCopyJobs_Clone(jobs, NULL), E_INVALIDARG);
    IEnumBackgroundCopyJobs_Release(jobs);
    ct_cancel(extra);
    job_set_cancel(&set);
}

static void test_jobs_query_interface(void **state)
{
    IBackgroundCopyManager *manager = ct_manager();
    IEnumBackgroundCopyJobs *jobs, *again;
    IUnknown *unk, *other = (IUnknown *)0xdeadbeef;

    assert_hr_equal(IBackgroundCopyManager_EnumJobs(manager, 0, &jobs), S_OK);
    assert_hr_equal(IEnumBackgroundCopyJobs_QueryInterface(jobs, &IID_IEnumBackgroundCopyJobs, (void **)&again), S_OK);
    assert_hr_equal(IEnumBackgroundCopyJobs_QueryInterface(jobs, &IID_IUnknown, (void **)&unk), S_OK);
    assert_hr_equal(IEnumBackgroundCopyJobs_QueryInterface(jobs, &IID_IEnumBackgroundCopyFiles, (void **)&other),
                    E_NOINTERFACE);
    assert_null(other);
    IUnknown_Release(unk);
    IEnumBackgroundCopyJobs_Release(again);
    IEnumBackgroundCopyJobs_Release(jobs);
    IBackgroundCopyManager_Release(manager);
}

/* ---- files ---- */

static const WCHAR *remote_of(int i)
{
    static const WCHAR *remotes[COUNT] = { L"http://127.0.0.1:9/f0", L"http://127.0.0.1:9/f1",
                                           L"http://127.0.0.1:9/f2" };
    return remotes[i];
}

static IBackgroundCopyJob *job_with_files(void)
{
    IBackgroundCopyManager *manager = ct_manager();
    IBackgroundCopyJob *job = ct_create_job(manager, L"files", BG_JOB_TYPE_DOWNLOAD, NULL);
    WCHAR local[32];
    int i;

    for (i = 0; i < COUNT; i++)
    {
        swprintf(local, ARRAYSIZE(local), L"f%d.bin", i);
        assert_hr_equal(IBackgroundCopyJob_AddFile(job, remote_of(i), ts_path(local)), S_OK);
    }
    IBackgroundCopyManager_Release(manager);
    return job;
}

/* Which file this is, by its remote name (files come in the order added); releases it. */
static int file_index(IBackgroundCopyFile *file)
{
    WCHAR *remote;
    int i, found = -1;
    assert_non_null(file);
    assert_hr_equal(IBackgroundCopyFile_GetRemoteName(file, &remote), S_OK);
    for (i = 0; i < COUNT; i++)
        if (!wcscmp(remote, remote_of(i))) found = i;
    CoTaskMemFree(remote);
    IBackgroundCopyFile_Release(file);
    return found;
}

static void test_files_next_skip_reset(void **state)
{
    IBackgroundCopyJob *job = job_with_files();
    IEnumBackgroundCopyFiles *files;
    IBackgroundCopyFile *got[COUNT + 2];
    ULONG fetched, count = 0;
    int i;

    assert_hr_equal(IBackgroundCopyJob_EnumFiles(job, &files), S_OK);
    assert_hr_equal(IEnumBackgroundCopyFiles_GetCount(files, &count), S_OK);
    assert_int_equal(count, COUNT);
    assert_hr_equal(IEnumBackgroundCopyFiles_GetCount(files, NULL), E_INVALIDARG);

    assert_hr_equal(IEnumBackgroundCopyFiles_Next(files, 2, got, NULL), E_INVALIDARG);
    assert_hr_equal(IEnumBackgroundCopyFiles_Next(files, 1, NULL, NULL), E_INVALIDARG);
    assert_hr_equal(IEnumBackgroundCopyFiles_Next(files, 1, got, NULL), S_OK);
    assert_int_equal(file_index(got[0]), 0);
    fetched = 99;
    assert_hr_equal(IEnumBackgroundCopyFiles_Next(files, COUNT + 2, got, &fetched), S_FALSE);
    assert_int_equal(fetched, COUNT - 1);
    for (i = 0; i < (int)fetched; i++) assert_int_equal(file_index(got[i]), i + 1);
    fetched = 99;
    assert_hr_equal(IEnumBackgroundCopyFiles_Next(files, 1, got, &fetched), S_FALSE);
    assert_int_equal(fetched, 0);

    assert_hr_equal(IEnumBackgroundCopyFiles_Reset(files), S_OK);
    assert_hr_equal(IEnumBackgroundCopyFiles_Skip(files, 2), S_OK);
    assert_hr_equal(IEnumBackgroundCopyFiles_Next(files, 1, got, NULL), S_OK);
    assert_int_equal(file_index(got[0]), 2);
    assert_hr_equal(IEnumBackgroundCopyFiles_Skip(files, 0), S_OK);
    assert_hr_equal(IEnumBackgroundCopyFiles_Skip(files, 1), S_FALSE);
    assert_hr_equal(IEnumBackgroundCopyFiles_Reset(files), S_OK);
    assert_hr_equal(IEnumBackgroundCopyFiles_Skip(files, COUNT + 5), S_FALSE);
    assert_hr_equal(IEnumBackgroundCopyFiles_Next(files, 1, got, &fetched), S_FALSE);
    assert_int_equal(fetched, 0);
    assert_hr_equal(IEnumBackgroundCopyFiles_Reset(files), S_OK);
    fetched = 0;
    assert_hr_equal(IEnumBackgroundCopyFiles_Next(files, COUNT, got, &fetched), S_OK);
    assert_int_equal(fetched, COUNT);
    for (i = 0; i < COUNT; i++) assert_int_equal(file_index(got[i]), i);

    IEnumBackgroundCopyFiles_Release(files);
    ct_cancel(job);
}

static void test_files_clone(void **state)
{
    IBackgroundCopyJob *job = job_with_files();
    IEnumBackgroundCopyFiles *files, *clone;
    IBackgroundCopyFile *file;
    ULONG count, fetched;

    assert_hr_equal(IBackgroundCopyJob_EnumFiles(job, &files), S_OK);
    assert_hr_equal(IEnumBackgroundCopyFiles_Skip(files, 1), S_OK);
    assert_hr_equal(IEnumBackgroundCopyFiles_Clone(files, &clone), S_OK);
    assert_hr_equal(IEnumBackgroundCopyFiles_GetCount(clone, &count), S_OK);
    assert_int_equal(count, COUNT);
    /* same position */
    assert_hr_equal(IEnumBackgroundCopyFiles_Next(clone, 1, &file, NULL), S_OK);
    assert_int_equal(file_index(file), 1);
    /* independent: the original has not moved */
    assert_hr_equal(IEnumBackgroundCopyFiles_Next(files, 1, &file, NULL), S_OK);
    assert_int_equal(file_index(file), 1);
    assert_hr_equal(IEnumBackgroundCopyFiles_Reset(clone), S_OK);
    assert_hr_equal(IEnumBackgroundCopyFiles_Next(files, 1, &file, NULL), S_OK);
    assert_int_equal(file_index(file), 2);
    assert_hr_equal(IEnumBackgroundCopyFiles_Next(files, 1, &file, &fetched), S_FALSE);
    assert_int_equal(fetched, 0);
    assert_hr_equal(IEnumBackgroundCopyFiles_Next(clone, 1, &file, NULL), S_OK);
    assert_int_equal(file_index(file), 0);
    assert_hr_equal(IEnumBackgroundCopyFiles_Clone(files, NULL), E_INVALIDARG);
    IEnumBackgroundCopyFiles_Release(files);
    /* the clone lives on its own */
    assert_hr_equal(IEnumBackgroundCopyFiles_Next(clone, 1, &file, NULL), S_OK);
    assert_int_equal(file_index(file), 1);
    IEnumBackgroundCopyFiles_Release(clone);
    ct_cancel(job);
}

static void test_files_snapshot(void **state)
{
    IBackgroundCopyJob *job = job_with_files();
    IEnumBackgroundCopyFiles *files, *empty;
    IBackgroundCopyFile *got[COUNT + 1];
    ULONG count, fetched;
    IBackgroundCopyManager *manager = ct_manager();
    IBackgroundCopyJob *no_files = ct_create_job(manager, L"no files", BG_JOB_TYPE_DOWNLOAD, NULL);
    int i;

    assert_hr_equal(IBackgroundCopyJob_EnumFiles(job, &files), S_OK);
    assert_hr_equal(IBackgroundCopyJob_AddFile(job, L"http://127.0.0.1:9/late", ts_path(L"late.bin")), S_OK);
    assert_hr_equal(IEnumBackgroundCopyFiles_GetCount(files, &count), S_OK);
    assert_int_equal(count, COUNT);
    assert_hr_equal(IEnumBackgroundCopyFiles_Next(files, COUNT + 1, got, &fetched), S_FALSE);
    assert_int_equal(fetched, COUNT);
    for (i = 0; i < COUNT; i++) assert_int_equal(file_index(got[i]), i);
    IEnumBackgroundCopyFiles_Release(files);

    /* a job without files: an empty enumeration */
    assert_hr_equal(IBackgroundCopyJob_EnumFiles(no_files, &empty), S_OK);
    assert_hr_equal(IEnumBackgroundCopyFiles_GetCount(empty, &count), S_OK);
    assert_int_equal(count, 0);
    assert_hr_equal(IEnumBackgroundCopyFiles_Next(empty, 1, got, &fetched), S_FALSE);
    assert_int_equal(fetched, 0);
    assert_hr_equal(IEnumBackgroundCopyFiles_Skip(empty, 1), S_FALSE);
    IEnumBackgroundCopyFiles_Release(empty);

    ct_cancel(no_files);
    ct_cancel(job);
    IBackgroundCopyManager_Release(manager);
}

static void test_files_query_interface(void **state)
{
    IBackgroundCopyJob *job = job_with_files();
    IEnumBackgroundCopyFiles *files, *again;
    IUnknown *unk, *other = (IUnknown *)0xdeadbeef;

    assert_hr_equal(IBackgroundCopyJob_EnumFiles(job, &files), S_OK);
    assert_hr_equal(IEnumBackgroundCopyFiles_QueryInterface(files, &IID_IEnumBackgroundCopyFiles, (void **)&again),
                    S_OK);
    assert_hr_equal(IEnumBackgroundCopyFiles_QueryInterface(files, &IID_IUnknown, (void **)&unk), S_OK);
    assert_hr_equal(IEnumBackgroundCopyFiles_QueryInterface(files, &IID_IEnumBackgroundCopyJobs, (void **)&other),
                    E_NOINTERFACE);
    assert_null(other);
    IUnknown_Release(unk);
    IEnumBackgroundCopyFiles_Release(again);
    IEnumBackgroundCopyFiles_Release(files);
    ct_cancel(job);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_jobs_next, ct_test_teardown),
        cmocka_unit_test_teardown(test_jobs_skip, ct_test_teardown),
        cmocka_unit_test_teardown(test_jobs_clone, ct_test_teardown),
        cmocka_unit_test_teardown(test_jobs_snapshot_and_count, ct_test_teardown),
        cmocka_unit_test_teardown(test_jobs_query_interface, ct_test_teardown),
        cmocka_unit_test_teardown(test_files_next_skip_reset, ct_test_teardown),
        cmocka_unit_test_teardown(test_files_clone, ct_test_teardown),
        cmocka_unit_test_teardown(test_files_snapshot, ct_test_teardown),
        cmocka_unit_test_teardown(test_files_query_interface, ct_test_teardown),
    };
    return cmocka_run_group_tests(tests, ct_group_setup, ct_group_teardown);
}
