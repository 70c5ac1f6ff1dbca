/* Downloads through COM: file progress and times, partial completion, and
 * the DLL staying loaded while a job transfers with no COM object left. */
#include "com_test_util.h"
#include "http_support.h"

static IBackgroundCopyJob *download_job(void)
{
    IBackgroundCopyManager *manager = ct_manager();
    IBackgroundCopyJob *job = ct_create_job(manager, L"download", BG_JOB_TYPE_DOWNLOAD, NULL);
    IBackgroundCopyManager_Release(manager);
    return job;
}

static IBackgroundCopyFile *file_at(IBackgroundCopyJob *job, ULONG index)
{
    IEnumBackgroundCopyFiles *files;
    IBackgroundCopyFile *file = NULL;

    assert_hr_equal(IBackgroundCopyJob_EnumFiles(job, &files), S_OK);
    assert_hr_equal(IEnumBackgroundCopyFiles_Skip(files, index), S_OK);
    assert_hr_equal(IEnumBackgroundCopyFiles_Next(files, 1, &file, NULL), S_OK);
    IEnumBackgroundCopyFiles_Release(files);
    return file;
}

static BG_FILE_PROGRESS file_progress(IBackgroundCopyFile *file)
{
    BG_FILE_PROGRESS p;
    assert_hr_equal(IBackgroundCopyFile_GetProgress(file, &p), S_OK);
    return p;
}

static void test_file_progress_is_live(void **state)
{
    IBackgroundCopyJob *job = download_job();
    IBackgroundCopyFile *file;
    BG_FILE_PROGRESS p, last = { 0 };
    BG_JOB_TIMES times;
    ULONGLONG until = GetTickCount64() + 30000;
    BOOL saw_partial = FALSE;

    assert_hr_equal(IBackgroundCopyJob_AddFile(job, ts_http_url("/data/400000?rate=400000"), ts_path(L"live.bin")),
                    S_OK);
    file = file_at(job, 0);
    p = file_progress(file);
    assert_true(p.BytesTotal == BG_SIZE_UNKNOWN);   /* before the transfer [wine-test] */
    assert_true(p.BytesTransferred == 0);
    assert_false(p.Completed);

    assert_hr_equal(IBackgroundCopyJob_Resume(job), S_OK);
    while (ct_state(job) != BG_JOB_STATE_TRANSFERRED && GetTickCount64() < until)
    {
        p = file_progress(file);
        assert_true(p.BytesTransferred >= last.BytesTransferred);
        if (p.BytesTotal != BG_SIZE_UNKNOWN) assert_true(p.BytesTransferred <= p.BytesTotal);
        if (p.BytesTransferred > 0 && p.BytesTransferred < 400000) saw_partial = TRUE;
        last = p;
        Sleep(5);
    }
    assert_int_equal(ct_state(job), BG_JOB_STATE_TRANSFERRED);
    assert_true(saw_partial);
    p = file_progress(file);
    assert_true(p.BytesTotal == 400000 && p.BytesTransferred == 400000);
    /* BG_FILE_PROGRESS: a download's Completed means available to the user,
     * which is after Complete */
    assert_false(p.Completed);

    assert_hr_equal(IBackgroundCopyJob_GetTimes(job, &times), S_OK);
    assert_true(CompareFileTime(&times.TransferCompletionTime, &times.CreationTime) >= 0);
    assert_true(times.TransferCompletionTime.dwHighDateTime != 0);
    assert_hr_equal(IBackgroundCopyJob_Complete(job), S_OK);
    p = file_progress(file);
    assert_true(p.Completed);
    IBackgroundCopyFile_Release(file);
    assert_true(ts_file_has_pattern(ts_path(L"live.bin"), 400000));
    IBackgroundCopyJob_Release(job);
}

/* One file fails: Complete keeps the finished one (BG_S_PARTIAL_COMPLETE) and
 * the failed one never appears. */
static void test_partial_complete(void **state)
{
    IBackgroundCopyJob *job = download_job();
    BG_JOB_PROGRESS p;

    assert_hr_equal(IBackgroundCopyJob_AddFile(job, ts_http_url("/data/2000"), ts_path(L"good.bin")), S_OK);
    assert_hr_equal(IBackgroundCopyJob_AddFile(job, ts_http_url("/data/2000?status=410"), ts_path(L"gone.bin")), S_OK);
    assert_hr_equal(IBackgroundCopyJob_Resume(job), S_OK);
    assert_true(ct_wait_state(job, BG_JOB_STATE_ERROR));
    p = ct_progress(job);
    assert_int_equal(p.FilesTransferred, 1);
    assert_int_equal(p.FilesTotal, 2);
    assert_hr_equal(IBackgroundCopyJob_Complete(job), BG_S_PARTIAL_COMPLETE);
    assert_int_equal(ct_state(job), BG_JOB_STATE_ACKNOWLEDGED);
    assert_true(ts_file_has_pattern(ts_path(L"good.bin"), 2000));
    assert_false(ts_file_exists(ts_path(L"gone.bin")));
    assert_int_equal(ts_count_files(L"BIT*.tmp"), 0);
    IBackgroundCopyJob_Release(job);
}

/* The destination keeps its old content until Complete replaces it. */
static void test_destination_replaced_only_at_complete(void **state)
{
    IBackgroundCopyJob *job = download_job();

    ts_write_file(ts_path(L"old.bin"), "old", 3);
    assert_hr_equal(IBackgroundCopyJob_AddFile(job, ts_http_url("/data/3000"), ts_path(L"old.bin")), S_OK);
    assert_hr_equal(IBackgroundCopyJob_Resume(job), S_OK);
    assert_true(ct_wait_state(job, BG_JOB_STATE_TRANSFERRED));
    {
        char buffer[8] = { 0 };
        DWORD got = 0;
        HANDLE f = CreateFileW(ts_path(L"old.bin"), GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
        assert_true(f != INVALID_HANDLE_VALUE);
        assert_true(ReadFile(f, buffer, sizeof(buffer), &got, NULL));
        CloseHandle(f);
        assert_int_equal(got, 3);
        assert_memory_equal(buffer, "old", 3);
    }
    assert_hr_equal(IBackgroundCopyJob_Complete(job), S_OK);
    assert_true(ts_file_has_pattern(ts_path(L"old.bin"), 3000));
    IBackgroundCopyJob_Release(job);
}

/* With every COM object released, a transferring job keeps the DLL loaded:
 * COM may ask to unload it, and the transfer still finishes. */
static void test_dll_stays_loaded_while_transferring(void **state)
{
    HRESULT (WINAPI *can_unload)(void) =
        (void *)GetProcAddress(GetModuleHandleW(L"openbits.dll"), "DllCanUnloadNow");
    IBackgroundCopyManager *manager;
    IBackgroundCopyJob *job = download_job();
    GUID id;

    assert_hr_equal(IBackgroundCopyJob_GetId(job, &id), S_OK);
    assert_hr_equal(IBackgroundCopyJob_AddFile(job, ts_http_url("/data/300000?rate=600000"), ts_path(L"keep.bin")),
                    S_OK);
    assert_hr_equal(IBackgroundCopyJob_Resume(job), S_OK);
    IBackgroundCopyJob_Release(job);
    assert_non_null(can_unload);
    assert_hr_equal(can_unload(), S_FALSE);
    CoFreeUnusedLibrariesEx(0, 0);
    assert_non_null(GetModuleHandleW(L"openbits.dll"));

    manager = ct_manager();
    assert_hr_equal(IBackgroundCopyManager_GetJob(manager, &id, &job), S_OK);
    assert_true(ct_wait_state(job, BG_JOB_STATE_TRANSFERRED));
    assert_hr_equal(IBackgroundCopyJob_Complete(job), S_OK);
    assert_true(ts_file_has_pattern(ts_path(L"keep.bin"), 300000));
    IBackgroundCopyJob_Release(job);
    IBackgroundCopyManager_Release(manager);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_file_progress_is_live, ct_test_teardown),
        cmocka_unit_test_teardown(test_partial_complete, ct_test_teardown),
        cmocka_unit_test_teardown(test_destination_replaced_only_at_complete, ct_test_teardown),
        cmocka_unit_test_teardown(test_dll_stays_loaded_while_transferring, ct_test_teardown),
    };
    return cmocka_run_group_tests(tests, ct_group_setup, ct_group_teardown);
}
