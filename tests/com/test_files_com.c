/* IBackgroundCopyFile through IBackgroundCopyJob::EnumFiles: names and
 * progress before any transfer (bits-semantics.md 1.1, 1.8; Microsoft's
 * IBackgroundCopyFile pages). */
#include "com_test_util.h"

static IBackgroundCopyJob *new_job(BG_JOB_TYPE type)
{
    IBackgroundCopyManager *manager = ct_manager();
    IBackgroundCopyJob *job = ct_create_job(manager, L"files test", type, NULL);
    IBackgroundCopyManager_Release(manager);
    return job;
}

/* The index-th file of the job (through a fresh enumerator). */
static IBackgroundCopyFile *file_at(IBackgroundCopyJob *job, ULONG index)
{
    IEnumBackgroundCopyFiles *files;
    IBackgroundCopyFile *file = NULL;
    ULONG fetched = 0;

    assert_hr_equal(IBackgroundCopyJob_EnumFiles(job, &files), S_OK);
    if (index) assert_hr_equal(IEnumBackgroundCopyFiles_Skip(files, index), S_OK);
    assert_hr_equal(IEnumBackgroundCopyFiles_Next(files, 1, &file, &fetched), S_OK);
    assert_int_equal(fetched, 1);
    assert_non_null(file);
    IEnumBackgroundCopyFiles_Release(files);
    return file;
}

static void check_names(IBackgroundCopyFile *file, const WCHAR *remote, const WCHAR *local)
{
    WCHAR *name = (WCHAR *)0xdeadbeef;
    assert_hr_equal(IBackgroundCopyFile_GetRemoteName(file, &name), S_OK);
    ct_check_string(name, remote);
    name = (WCHAR *)0xdeadbeef;
    assert_hr_equal(IBackgroundCopyFile_GetLocalName(file, &name), S_OK);
    ct_check_string(name, local);
}

static void check_untransferred(IBackgroundCopyFile *file)
{
    BG_FILE_PROGRESS progress;
    memset(&progress, 0xcc, sizeof(progress));
    /* before the transfer: BG_SIZE_UNKNOWN, 0, FALSE [wine-test] */
    assert_hr_equal(IBackgroundCopyFile_GetProgress(file, &progress), S_OK);
    assert_true(progress.BytesTotal == BG_SIZE_UNKNOWN);
    assert_true(progress.BytesTransferred == 0);
    assert_false(progress.Completed);
}

static void test_names_round_trip(void **state)
{
    static const WCHAR *remotes[] = {
        L"http://127.0.0.1:9/dir/first.bin",
        L"https://example.invalid/second?query=1&x=%20",
        L"\\\\server\\share\\third.bin",
    };
    const WCHAR *locals[3];
    BG_FILE_INFO set[2];
    IBackgroundCopyJob *job = new_job(BG_JOB_TYPE_DOWNLOAD);
    IBackgroundCopyFile *file;
    int i;

    locals[0] = ts_path(L"first.bin");
    locals[1] = ts_path(L"second.bin");
    locals[2] = ts_path(L"third.bin");
    assert_hr_equal(IBackgroundCopyJob_AddFile(job, remotes[0], locals[0]), S_OK);
    for (i = 0; i < 2; i++)
    {
        set[i].RemoteName = (WCHAR *)remotes[i + 1];
        set[i].LocalName = (WCHAR *)locals[i + 1];
    }
    assert_hr_equal(IBackgroundCopyJob_AddFileSet(job, 2, set), S_OK);

    /* the names come back exactly as given, in the order added (no escape processing) */
    for (i = 0; i < 3; i++)
    {
        file = file_at(job, i);
        check_names(file, remotes[i], locals[i]);
        check_untransferred(file);
        IBackgroundCopyFile_Release(file);
    }
    ct_cancel(job);
}

static void test_upload_file(void **state)
{
    IBackgroundCopyJob *job = new_job(BG_JOB_TYPE_UPLOAD);
    const WCHAR *local = ts_path(L"upload.bin");
    IBackgroundCopyFile *file;

    ts_write_file(local, "upload data", 11);
    assert_hr_equal(IBackgroundCopyJob_AddFile(job, L"http://127.0.0.1:9/upload/target.bin", local), S_OK);
    file = file_at(job, 0);
    check_names(file, L"http://127.0.0.1:9/upload/target.bin", local);
    assert_hr_equal(IBackgroundCopyFile_GetProgress(file, &(BG_FILE_PROGRESS){ 0 }), S_OK);
    IBackgroundCopyFile_Release(file);
    ct_cancel(job);
}

static void test_file_outlives_job_object(void **state)
{
    IBackgroundCopyJob *job = new_job(BG_JOB_TYPE_DOWNLOAD);
    const WCHAR *local = ts_path(L"outlive.bin");
    IBackgroundCopyFile *file;

    assert_hr_equal(IBackgroundCopyJob_AddFile(job, L"http://127.0.0.1:9/outlive", local), S_OK);
    file = file_at(job, 0);
    /* a file object keeps answering after its job is cancelled and released */
    ct_cancel(job);
    check_names(file, L"http://127.0.0.1:9/outlive", local);
    check_untransferred(file);
    IBackgroundCopyFile_Release(file);
}

static void test_null_arguments(void **state)
{
    IBackgroundCopyJob *job = new_job(BG_JOB_TYPE_DOWNLOAD);
    IBackgroundCopyFile *file;

    assert_hr_equal(IBackgroundCopyJob_AddFile(job, L"http://127.0.0.1:9/null", ts_path(L"null.bin")), S_OK);
    file = file_at(job, 0);
    assert_hr_equal(IBackgroundCopyFile_GetRemoteName(file, NULL), E_INVALIDARG);
    assert_hr_equal(IBackgroundCopyFile_GetLocalName(file, NULL), E_INVALIDARG);
    assert_hr_equal(IBackgroundCopyFile_GetProgress(file, NULL), E_INVALIDARG);
    IBackgroundCopyFile_Release(file);
    ct_cancel(job);
}

static void test_query_interface(void **state)
{
    IBackgroundCopyJob *job = new_job(BG_JOB_TYPE_DOWNLOAD);
    IBackgroundCopyFile *file, *again;
    IUnknown *unk, *other = (IUnknown *)0xdeadbeef;

    assert_hr_equal(IBackgroundCopyJob_AddFile(job, L"http://127.0.0.1:9/qi", ts_path(L"qi.bin")), S_OK);
    file = file_at(job, 0);
    assert_hr_equal(IBackgroundCopyFile_QueryInterface(file, &IID_IBackgroundCopyFile, (void **)&again), S_OK);
    assert_hr_equal(IBackgroundCopyFile_QueryInterface(file, &IID_IUnknown, (void **)&unk), S_OK);
    assert_hr_equal(IBackgroundCopyFile_QueryInterface(file, &IID_IBackgroundCopyJob, (void **)&other),
                    E_NOINTERFACE);
    assert_null(other);
    assert_hr_equal(IBackgroundCopyFile_QueryInterface(file, &IID_IUnknown, NULL), E_POINTER);
    IUnknown_Release(unk);
    IBackgroundCopyFile_Release(again);
    IBackgroundCopyFile_Release(file);
    ct_cancel(job);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_names_round_trip, ct_test_teardown),
        cmocka_unit_test_teardown(test_upload_file, ct_test_teardown),
        cmocka_unit_test_teardown(test_file_outlives_job_object, ct_test_teardown),
        cmocka_unit_test_teardown(test_null_arguments, ct_test_teardown),
        cmocka_unit_test_teardown(test_query_interface, ct_test_teardown),
    };
    return cmocka_run_group_tests(tests, ct_group_setup, ct_group_teardown);
}
