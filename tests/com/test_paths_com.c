/* Local names and the files openbits makes beside them, through COM (issue 9,
 * "one path module"; issue 15 items 4, 5, 15, 16, 17, 19): both separators,
 * the temporary file beside the destination, Content-Name, generated reply
 * names that never take a user's file, long directories, Completed only once
 * a file is the user's, a temporary file deleted under a transfer, a
 * directory that refuses writes, and names Windows would not keep. */
#include "com_test_util.h"
#include "http_support.h"
#include <stdio.h>

static IBackgroundCopyJob *new_job(BG_JOB_TYPE type)
{
    IBackgroundCopyManager *manager = ct_manager();
    IBackgroundCopyJob *job = ct_create_job(manager, L"paths", type, NULL);
    IBackgroundCopyManager_Release(manager);
    return job;
}

static const WCHAR *subdir(const WCHAR *name)
{
    const WCHAR *dir = ts_path(name);
    ts_make_dir(dir);
    return dir;
}

static BG_FILE_PROGRESS file_progress(IBackgroundCopyJob *job, ULONG index)
{
    IEnumBackgroundCopyFiles *files;
    IBackgroundCopyFile *file = NULL;
    BG_FILE_PROGRESS p;

    assert_hr_equal(IBackgroundCopyJob_EnumFiles(job, &files), S_OK);
    if (index) assert_hr_equal(IEnumBackgroundCopyFiles_Skip(files, index), S_OK);
    assert_hr_equal(IEnumBackgroundCopyFiles_Next(files, 1, &file, NULL), S_OK);
    assert_hr_equal(IBackgroundCopyFile_GetProgress(file, &p), S_OK);
    IBackgroundCopyFile_Release(file);
    IEnumBackgroundCopyFiles_Release(files);
    return p;
}

static void wait_for_bytes(IBackgroundCopyJob *job, UINT64 at_least)
{
    ULONGLONG until = GetTickCount64() + 30000;
    while (ct_progress(job).BytesTransferred < at_least && GetTickCount64() < until) Sleep(5);
    assert_true(ct_progress(job).BytesTransferred >= at_least);
}

/* ---- both separators ---- */

/* "C:/dir/b.bin" is a full path Windows accepts: it was accepted and then
 * failed at transfer time with 0x8007007B. */
static void test_forward_slashes_transfer(void **state)
{
    IBackgroundCopyJob *job = new_job(BG_JOB_TYPE_DOWNLOAD);
    WCHAR local[MAX_PATH], *c;

    swprintf(local, MAX_PATH, L"%ls\\fwd\\b.bin", ts_scratch_dir());
    subdir(L"fwd");
    for (c = local; *c; c++) if (*c == '\\') *c = '/';
    assert_hr_equal(IBackgroundCopyJob_AddFile(job, ts_http_url("/data/5000"), local), S_OK);
    assert_hr_equal(IBackgroundCopyJob_Resume(job), S_OK);
    assert_true(ct_wait_state(job, BG_JOB_STATE_TRANSFERRED));
    assert_hr_equal(IBackgroundCopyJob_Complete(job), S_OK);
    assert_true(ts_file_has_pattern(local, 5000));
    IBackgroundCopyJob_Release(job);
}

/* "C:\dir/c.bin": the temporary file goes in C:\dir (it went in C:\), and the
 * name is kept as accepted, normalised to '\' (choices.md). */
static void test_mixed_separators_temp_beside_destination(void **state)
{
    IBackgroundCopyJob *job = new_job(BG_JOB_TYPE_DOWNLOAD);
    IEnumBackgroundCopyFiles *files;
    IBackgroundCopyFile *file;
    const WCHAR *dir = subdir(L"mixed");
    WCHAR local[MAX_PATH], want[MAX_PATH];

    swprintf(local, MAX_PATH, L"%ls/c.bin", dir);
    swprintf(want, MAX_PATH, L"%ls\\c.bin", dir);
    assert_hr_equal(IBackgroundCopyJob_AddFile(job, ts_http_url("/data/600000?rate=300000"), local), S_OK);
    assert_hr_equal(IBackgroundCopyJob_EnumFiles(job, &files), S_OK);
    assert_hr_equal(IEnumBackgroundCopyFiles_Next(files, 1, &file, NULL), S_OK);
    {
        WCHAR *name = NULL;
        assert_hr_equal(IBackgroundCopyFile_GetLocalName(file, &name), S_OK);
        ct_check_string(name, want);
    }
    IBackgroundCopyFile_Release(file);
    IEnumBackgroundCopyFiles_Release(files);

    assert_hr_equal(IBackgroundCopyJob_Resume(job), S_OK);
    wait_for_bytes(job, 1);
    assert_int_equal(ts_count_files_in(dir, L"BIT*.tmp"), 1);
    assert_int_equal(ts_count_files(L"BIT*.tmp"), 0);
    assert_true(ct_wait_state(job, BG_JOB_STATE_TRANSFERRED));
    assert_hr_equal(IBackgroundCopyJob_Complete(job), S_OK);
    assert_true(ts_file_has_pattern(want, 600000));
    assert_int_equal(ts_count_files_in(dir, L"BIT*.tmp"), 0);
    IBackgroundCopyJob_Release(job);
}

/* Content-Name is the local file's leaf, whichever separator came last. */
static void test_upload_content_name_is_the_leaf(void **state)
{
    IBackgroundCopyJob *job = new_job(BG_JOB_TYPE_UPLOAD);
    const WCHAR *dir = subdir(L"cn");
    WCHAR local[MAX_PATH];
    DWORD size = 0;
    char *stats;

    swprintf(local, MAX_PATH, L"%ls/cn-leaf.bin", dir);
    ts_write_pattern_file(local, 3000);
    assert_hr_equal(IBackgroundCopyJob_AddFile(job, ts_upload_url("/upload/paths/cn.bin"), local), S_OK);
    assert_hr_equal(IBackgroundCopyJob_Resume(job), S_OK);
    assert_true(ct_wait_state(job, BG_JOB_STATE_TRANSFERRED));
    assert_hr_equal(IBackgroundCopyJob_Complete(job), S_OK);
    stats = (char *)ts_http_get(ts_upload_url("/stats"), &size);
    assert_non_null(stats);
    stats = realloc(stats, size + 1);
    stats[size] = 0;
    if (!strstr(stats, "\"content_name\": \"cn-leaf.bin\"")) fail_msg("the server saw: %s", stats);
    free(stats);
    IBackgroundCopyJob_Release(job);
}

/* ---- generated reply names (issue 15 items 4 and 15) ---- */

static WCHAR *reply_name(IBackgroundCopyJob2 *job2)
{
    WCHAR *name = (WCHAR *)1;
    assert_hr_equal(IBackgroundCopyJob2_GetReplyFileName(job2, &name), S_OK);
    return name;
}

/* The user's files named like generated reply names are never taken, and
 * stay as they were after Complete. */
static void test_generated_reply_name_never_takes_a_users_file(void **state)
{
    IBackgroundCopyJob *job = new_job(BG_JOB_TYPE_UPLOAD_REPLY);
    IBackgroundCopyJob2 *job2 = ct_job2(job);
    const WCHAR *dir = subdir(L"replies");
    WCHAR local[MAX_PATH], name[MAX_PATH], *reply;
    DWORD first, until, i;
    BOOL in_time;

    swprintf(local, MAX_PATH, L"%ls\\up.bin", dir);
    ts_write_pattern_file(local, 4000);
    until = ts_take_tick_names(dir, L"BIT", L".reply", &first);
    assert_hr_equal(IBackgroundCopyJob_AddFile(job, ts_upload_url("/reply/paths/r.bin?replysize=3000"), local), S_OK);
    in_time = (LONG)(GetTickCount() - until) < 0; /* a name from the tick count was a user's */
    reply = reply_name(job2);
    assert_non_null(reply);
    assert_true(ts_file_holds(reply, "")); /* created, empty, ours */
    assert_hr_equal(IBackgroundCopyJob_Resume(job), S_OK);
    assert_true(ct_wait_state(job, BG_JOB_STATE_TRANSFERRED));
    assert_hr_equal(IBackgroundCopyJob_Complete(job), S_OK);
    assert_true(ts_file_has_pattern(reply, 3000));
    if (!in_time) skip(); /* too slow here to have proved anything */
    for (i = first; i != until; i++)
    {
        swprintf(name, MAX_PATH, L"%ls\\BIT%04X.reply", dir, i & 0xffff);
        if (!wcscmp(name, reply)) fail_msg("the reply took the user's %ls", name);
        if (!ts_file_holds(name, "user")) fail_msg("%ls changed", name);
    }
    CoTaskMemFree(reply);
    IBackgroundCopyJob2_Release(job2);
    IBackgroundCopyJob_Release(job);
}

/* A directory of exactly `length` characters under the scratch directory. */
static void long_dir(WCHAR *out, size_t length)
{
    size_t have;
    swprintf(out, MAX_PATH, L"%ls\\", ts_scratch_dir());
    have = wcslen(out);
    assert_true(have < length);
    while (have < length) out[have++] = 'L';
    out[have] = 0;
    ts_make_dir(out);
}

/* An upload file in a directory of 240 characters: the reply name is made,
 * read back, made again, and the transfer works. */
static void test_reply_in_a_long_directory(void **state)
{
    IBackgroundCopyJob *job = new_job(BG_JOB_TYPE_UPLOAD_REPLY);
    IBackgroundCopyJob2 *job2 = ct_job2(job);
    WCHAR dir[MAX_PATH], local[MAX_PATH], *reply, *again;
    BYTE *data = NULL;
    UINT64 length = 0;

    long_dir(dir, 240);
    swprintf(local, MAX_PATH, L"%ls\\u.bin", dir);
    ts_write_pattern_file(local, 5000);
    assert_hr_equal(IBackgroundCopyJob_AddFile(job, ts_upload_url("/reply/paths/long.bin?replysize=2000"), local), S_OK);
    reply = reply_name(job2);
    assert_non_null(reply);
    assert_true(wcslen(reply) < MAX_PATH);
    assert_true(!wcsncmp(reply, dir, wcslen(dir)) && reply[wcslen(dir)] == '\\');
    assert_true(ts_file_exists(reply));
    assert_hr_equal(IBackgroundCopyJob2_SetReplyFileName(job2, NULL), S_OK);
    again = reply_name(job2);
    assert_non_null(again);
    assert_true(!wcsncmp(again, dir, wcslen(dir)));
    assert_hr_equal(IBackgroundCopyJob_Resume(job), S_OK);
    assert_true(ct_wait_state(job, BG_JOB_STATE_TRANSFERRED));
    assert_hr_equal(IBackgroundCopyJob2_GetReplyData(job2, &data, &length), S_OK);
    assert_int_equal(length, 2000);
    assert_true(ts_bytes_have_pattern(data, 2000));
    CoTaskMemFree(data);
    assert_hr_equal(IBackgroundCopyJob_Complete(job), S_OK);
    assert_true(ts_file_has_pattern(again, 2000));
    CoTaskMemFree(reply);
    CoTaskMemFree(again);
    IBackgroundCopyJob2_Release(job2);
    IBackgroundCopyJob_Release(job);
}

/* A directory so long that "BITxxxx.reply" would pass MAX_PATH: AddFile says
 * E_INVALIDARG (an invalid reply name, as SetReplyFileName would), no NULL
 * name is ever handed out; with a reply name set first, it is accepted. */
static void test_reply_name_that_cannot_fit(void **state)
{
    IBackgroundCopyJob *job = new_job(BG_JOB_TYPE_UPLOAD_REPLY);
    IBackgroundCopyJob2 *job2 = ct_job2(job);
    WCHAR dir[MAX_PATH], local[MAX_PATH], *reply;
    ULONG count = 1;

    long_dir(dir, 247);
    swprintf(local, MAX_PATH, L"%ls\\u.bin", dir);
    ts_write_pattern_file(local, 100);
    assert_hr_equal(IBackgroundCopyJob_AddFile(job, ts_upload_url("/reply/paths/x.bin"), local), E_INVALIDARG);
    count = ct_progress(job).FilesTotal; /* ... added nothing */
    assert_int_equal(count, 0);
    assert_null(reply_name(job2)); /* documented: NULL until a file is added */
    assert_hr_equal(IBackgroundCopyJob2_SetReplyFileName(job2, ts_path(L"short.reply")), S_OK);
    assert_hr_equal(IBackgroundCopyJob_AddFile(job, ts_upload_url("/reply/paths/x.bin"), local), S_OK);
    reply = reply_name(job2);
    ct_check_string(reply, ts_path(L"short.reply"));
    ct_cancel(job);
    IBackgroundCopyJob2_Release(job2);
}

/* ---- Completed (issue 15 item 5) ---- */

/* TRUE only once Complete made the file the user's; FALSE for a file whose
 * rename failed (its destination became a directory). */
static void test_completed_only_when_available(void **state)
{
    IBackgroundCopyJob *job = new_job(BG_JOB_TYPE_DOWNLOAD);
    const WCHAR *blocked = ts_path(L"blocked.bin");
    HRESULT hr;

    assert_hr_equal(IBackgroundCopyJob_AddFile(job, ts_http_url("/data/1000"), ts_path(L"first.bin")), S_OK);
    assert_hr_equal(IBackgroundCopyJob_AddFile(job, ts_http_url("/data/2000"), blocked), S_OK);
    assert_hr_equal(IBackgroundCopyJob_Resume(job), S_OK);
    assert_true(ct_wait_state(job, BG_JOB_STATE_TRANSFERRED));
    assert_false(file_progress(job, 0).Completed); /* transferred, not yet the user's */
    assert_false(file_progress(job, 1).Completed);
    assert_true(file_progress(job, 1).BytesTransferred == 2000);

    ts_make_dir(blocked); /* the rename onto it must fail */
    hr = IBackgroundCopyJob_Complete(job);
    assert_true(FAILED(hr));
    assert_int_equal(ct_state(job), BG_JOB_STATE_TRANSFERRED);
    assert_true(ts_file_has_pattern(ts_path(L"first.bin"), 1000));
    assert_true(file_progress(job, 0).Completed);
    assert_false(file_progress(job, 1).Completed);

    assert_true(RemoveDirectoryW(blocked));
    assert_hr_equal(IBackgroundCopyJob_Complete(job), S_OK);
    assert_true(file_progress(job, 1).Completed);
    assert_true(ts_file_has_pattern(blocked, 2000));
    IBackgroundCopyJob_Release(job);
}

/* ---- a temporary file deleted under a transfer (issue 15 item 16) ---- */

static BOOL find_temp(WCHAR *out)
{
    WIN32_FIND_DATAW found;
    HANDLE search = FindFirstFileW(ts_path(L"BIT*.tmp"), &found);
    if (search == INVALID_HANDLE_VALUE) return FALSE;
    FindClose(search);
    wcscpy(out, ts_path(found.cFileName));
    return TRUE;
}

/* The file is open with FILE_SHARE_DELETE, so a user can delete it: the job
 * must not reach TRANSFERRED without it.  It goes to ERROR (LOCAL_FILE,
 * ERROR_FILE_NOT_FOUND, the file named); Resume starts the file again in a
 * new temporary file, and Complete gives the whole file. */
static void test_temp_deleted_during_transfer(void **state)
{
    IBackgroundCopyJob *job = new_job(BG_JOB_TYPE_DOWNLOAD);
    IBackgroundCopyError *error;
    IBackgroundCopyFile *file;
    BG_ERROR_CONTEXT context;
    WCHAR temp[MAX_PATH], *name = NULL;
    HRESULT code;

    assert_hr_equal(IBackgroundCopyJob_AddFile(job, ts_http_url("/data/800000?rate=200000"), ts_path(L"del.bin")), S_OK);
    assert_hr_equal(IBackgroundCopyJob_Resume(job), S_OK);
    wait_for_bytes(job, 100000);
    assert_true(find_temp(temp));
    if (!DeleteFileW(temp)) fail_msg("DeleteFile(%ls): error %lu", temp, GetLastError());
    assert_true(ct_wait_state(job, BG_JOB_STATE_ERROR));
    assert_hr_equal(IBackgroundCopyJob_GetError(job, &error), S_OK);
    assert_hr_equal(IBackgroundCopyError_GetError(error, &context, &code), S_OK);
    assert_int_equal(context, BG_ERROR_CONTEXT_LOCAL_FILE);
    assert_hr_equal(code, HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND));
    assert_hr_equal(IBackgroundCopyError_GetFile(error, &file), S_OK);
    assert_hr_equal(IBackgroundCopyFile_GetLocalName(file, &name), S_OK);
    ct_check_string(name, ts_path(L"del.bin"));
    IBackgroundCopyFile_Release(file);
    IBackgroundCopyError_Release(error);
    assert_false(ts_file_exists(temp));

    assert_hr_equal(IBackgroundCopyJob_Resume(job), S_OK);
    assert_true(ct_wait_state(job, BG_JOB_STATE_TRANSFERRED));
    assert_true(ct_progress(job).BytesTransferred == 800000);
    assert_hr_equal(IBackgroundCopyJob_Complete(job), S_OK);
    assert_true(ts_file_has_pattern(ts_path(L"del.bin"), 800000));
    assert_int_equal(ts_count_files(L"BIT*.tmp"), 0);
    IBackgroundCopyJob_Release(job);
}

/* ---- a directory that refuses writes (issue 15 item 17) ---- */

static const WCHAR *readonly_dir(void)
{
    static WCHAR dir[MAX_PATH];
    WCHAR probe[MAX_PATH];
    HANDLE f;

    if (!GetEnvironmentVariableW(L"OPENBITS_TEST_READONLY_DIR", dir, MAX_PATH))
        fail_msg("OPENBITS_TEST_READONLY_DIR is not set (fixture readonly_dir)");
    /* the condition is real: Wine refuses to create a file there */
    swprintf(probe, MAX_PATH, L"%ls\\probe.bin", dir);
    f = CreateFileW(probe, GENERIC_WRITE, 0, NULL, CREATE_NEW, 0, NULL);
    if (f != INVALID_HANDLE_VALUE)
    {
        CloseHandle(f);
        DeleteFileW(probe);
        fail_msg("%ls takes new files: the fixture made no read-only directory", dir);
    }
    assert_int_equal(GetLastError(), ERROR_ACCESS_DENIED);
    return dir;
}

static void test_addfile_into_a_read_only_directory(void **state)
{
    IBackgroundCopyJob *job = new_job(BG_JOB_TYPE_DOWNLOAD);
    IBackgroundCopyJob *reply_job = new_job(BG_JOB_TYPE_UPLOAD_REPLY);
    IBackgroundCopyJob2 *job2 = ct_job2(reply_job);
    WCHAR local[MAX_PATH];
    ULONG count = 1;

    swprintf(local, MAX_PATH, L"%ls\\x.bin", readonly_dir());
    assert_hr_equal(IBackgroundCopyJob_AddFile(job, ts_http_url("/data/100"), local), E_ACCESSDENIED);
    count = ct_progress(job).FilesTotal;
    assert_int_equal(count, 0);
    assert_hr_equal(IBackgroundCopyJob2_SetReplyFileName(job2, local), E_ACCESSDENIED);
    ct_cancel(job);
    IBackgroundCopyJob2_Release(job2);
    ct_cancel(reply_job);
}

/* ---- names Windows would not keep, and malformed URLs (issue 15 item 19) ---- */

static void test_malformed_names_rejected(void **state)
{
    static const char *const urls[] = {
        "http://127.0.0.1:99999/x", "http://127.0.0.1:0/x", "http://127.0.0.1:abc/x", "http://[::1/x",
    };
    static const WCHAR *const leaves[] = { L"NUL", L"CON", L"COM1", L"nul.txt", L"dot.", L"space " };
    IBackgroundCopyJob *job = new_job(BG_JOB_TYPE_DOWNLOAD);
    WCHAR url[64], local[MAX_PATH];
    ULONG count = 1;
    size_t i;

    for (i = 0; i < ARRAYSIZE(urls); i++)
    {
        swprintf(url, ARRAYSIZE(url), L"%hs", urls[i]);
        assert_hr_equal(IBackgroundCopyJob_AddFile(job, url, ts_path(L"ok.bin")), E_INVALIDARG);
    }
    for (i = 0; i < ARRAYSIZE(leaves); i++)
    {
        swprintf(local, MAX_PATH, L"%ls\\%ls", ts_scratch_dir(), leaves[i]);
        assert_hr_equal(IBackgroundCopyJob_AddFile(job, ts_http_url("/data/10"), local), E_INVALIDARG);
    }
    count = ct_progress(job).FilesTotal;
    assert_int_equal(count, 0);
    ct_cancel(job);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_forward_slashes_transfer, ct_test_teardown),
        cmocka_unit_test_teardown(test_mixed_separators_temp_beside_destination, ct_test_teardown),
        cmocka_unit_test_teardown(test_upload_content_name_is_the_leaf, ct_test_teardown),
        cmocka_unit_test_teardown(test_generated_reply_name_never_takes_a_users_file, ct_test_teardown),
        cmocka_unit_test_teardown(test_reply_in_a_long_directory, ct_test_teardown),
        cmocka_unit_test_teardown(test_reply_name_that_cannot_fit, ct_test_teardown),
        cmocka_unit_test_teardown(test_completed_only_when_available, ct_test_teardown),
        cmocka_unit_test_teardown(test_temp_deleted_during_transfer, ct_test_teardown),
        cmocka_unit_test_teardown(test_addfile_into_a_read_only_directory, ct_test_teardown),
        cmocka_unit_test_teardown(test_malformed_names_rejected, ct_test_teardown),
    };
    return cmocka_run_group_tests(tests, ct_group_setup, ct_group_teardown);
}
