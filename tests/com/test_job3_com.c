/* IBackgroundCopyJob3 and IBackgroundCopyFile2 through COM, against
 * Microsoft's documented return codes: the job and its files answer them;
 * AddFileWithRanges' argument errors (which change nothing) and a ranged
 * download that arrives byte-exact, the ranges one after another in the
 * order given; GetFileRanges (CoTaskMemAlloc'd, S_FALSE without ranges);
 * SetRemoteName; ReplaceRemotePrefix; Set/GetFileACLFlags.  Run twice by
 * CTest: in process, and with argument "host" through openbits-host (every
 * call marshalled; NULL pointers the proxy itself refuses are tried in
 * process only). */
#include "com_test_util.h"
#include "http_support.h"

static BOOL through_host;

static IBackgroundCopyManager *manager(void)
{
    IBackgroundCopyManager *m = NULL;
    if (!through_host) return ct_manager();
    assert_hr_equal(CoCreateInstance(&CLSID_OpenBitsManager, NULL, CLSCTX_LOCAL_SERVER, &IID_IBackgroundCopyManager,
                                     (void **)&m), S_OK);
    return m;
}

static IBackgroundCopyJob3 *new_job3(BG_JOB_TYPE type)
{
    IBackgroundCopyManager *m = manager();
    IBackgroundCopyJob *job = ct_create_job(m, L"job3", type, NULL);
    IBackgroundCopyJob3 *job3 = NULL;

    assert_hr_equal(IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJob3, (void **)&job3), S_OK);
    IBackgroundCopyJob_Release(job);
    IBackgroundCopyManager_Release(m);
    return job3;
}

static void cancel(IBackgroundCopyJob3 *job)
{
    assert_hr_equal(IBackgroundCopyJob3_Cancel(job), S_OK);
    IBackgroundCopyJob3_Release(job);
}

static ULONG file_count(IBackgroundCopyJob3 *job)
{
    IEnumBackgroundCopyFiles *files;
    ULONG count = 0;
    assert_hr_equal(IBackgroundCopyJob3_EnumFiles(job, &files), S_OK);
    assert_hr_equal(IEnumBackgroundCopyFiles_GetCount(files, &count), S_OK);
    IEnumBackgroundCopyFiles_Release(files);
    return count;
}

static IBackgroundCopyFile2 *file2_at(IBackgroundCopyJob3 *job, ULONG index)
{
    IEnumBackgroundCopyFiles *files;
    IBackgroundCopyFile *file = NULL;
    IBackgroundCopyFile2 *file2 = NULL;

    assert_hr_equal(IBackgroundCopyJob3_EnumFiles(job, &files), S_OK);
    if (index) assert_hr_equal(IEnumBackgroundCopyFiles_Skip(files, index), S_OK);
    assert_hr_equal(IEnumBackgroundCopyFiles_Next(files, 1, &file, NULL), S_OK);
    assert_hr_equal(IBackgroundCopyFile_QueryInterface(file, &IID_IBackgroundCopyFile2, (void **)&file2), S_OK);
    IBackgroundCopyFile_Release(file);
    IEnumBackgroundCopyFiles_Release(files);
    return file2;
}

static void check_remote(IBackgroundCopyFile2 *file, const WCHAR *expected)
{
    WCHAR *name = NULL;
    assert_hr_equal(IBackgroundCopyFile2_GetRemoteName(file, &name), S_OK);
    ct_check_string(name, expected);
}

static void test_query_interface(void **state)
{
    IBackgroundCopyJob3 *job = new_job3(BG_JOB_TYPE_DOWNLOAD);
    IBackgroundCopyJob2 *job2 = NULL;
    IBackgroundCopyFile2 *file2;
    IBackgroundCopyFile *file = NULL;
    IUnknown *a = NULL, *b = NULL;

    assert_hr_equal(IBackgroundCopyJob3_QueryInterface(job, &IID_IBackgroundCopyJob2, (void **)&job2), S_OK);
    assert_hr_equal(IBackgroundCopyJob3_QueryInterface(job, &IID_IUnknown, (void **)&a), S_OK);
    assert_hr_equal(IBackgroundCopyJob2_QueryInterface(job2, &IID_IUnknown, (void **)&b), S_OK);
    assert_ptr_equal(a, b); /* one identity */
    IUnknown_Release(a);
    IUnknown_Release(b);
    IBackgroundCopyJob2_Release(job2);
    assert_hr_equal(IBackgroundCopyJob3_AddFile(job, L"http://127.0.0.1:9/qi3", ts_path(L"qi3.bin")), S_OK);
    file2 = file2_at(job, 0);
    assert_hr_equal(IBackgroundCopyFile2_QueryInterface(file2, &IID_IBackgroundCopyFile, (void **)&file), S_OK);
    assert_hr_equal(IBackgroundCopyFile2_QueryInterface(file2, &IID_IUnknown, (void **)&a), S_OK);
    assert_hr_equal(IBackgroundCopyFile_QueryInterface(file, &IID_IUnknown, (void **)&b), S_OK);
    assert_ptr_equal(a, b);
    IUnknown_Release(a);
    IUnknown_Release(b);
    IBackgroundCopyFile_Release(file);
    check_remote(file2, L"http://127.0.0.1:9/qi3");
    IBackgroundCopyFile2_Release(file2);
    cancel(job);
}

static void test_add_file_with_ranges_arguments(void **state)
{
    static BG_FILE_RANGE good[2] = { { 0, 10 }, { 100, BG_LENGTH_TO_EOF } }, overlapping[2] = { { 0, 100 }, { 50, 1 } };
    static BG_FILE_RANGE invalid = { BG_LENGTH_TO_EOF, 1 }, reversed[2] = { { 100, 5 }, { 100, 0 } };
    IBackgroundCopyJob3 *job = new_job3(BG_JOB_TYPE_DOWNLOAD), *upload = new_job3(BG_JOB_TYPE_UPLOAD);
    const WCHAR *remote = L"http://127.0.0.1:9/ranges.bin", *local = ts_path(L"ranges.bin");

    assert_hr_equal(IBackgroundCopyJob3_AddFileWithRanges(job, remote, local, 0, good), E_INVALIDARG);
    if (!through_host)
        assert_hr_equal(IBackgroundCopyJob3_AddFileWithRanges(job, remote, local, 2, NULL), E_INVALIDARG);
    assert_hr_equal(IBackgroundCopyJob3_AddFileWithRanges(job, remote, local, 2, overlapping), BG_E_OVERLAPPING_RANGES);
    assert_hr_equal(IBackgroundCopyJob3_AddFileWithRanges(job, remote, local, 2, reversed), BG_E_OVERLAPPING_RANGES);
    assert_hr_equal(IBackgroundCopyJob3_AddFileWithRanges(job, remote, local, 1, &invalid), BG_E_INVALID_RANGE);
    /* documented since BITS 3.0: no SMB ranges */
    assert_hr_equal(IBackgroundCopyJob3_AddFileWithRanges(job, L"\\\\server\\share\\r.bin", local, 2, good),
                    E_INVALIDARG);
    assert_hr_equal(IBackgroundCopyJob3_AddFileWithRanges(job, remote, L"relative.bin", 2, good), E_INVALIDARG);
    assert_int_equal(file_count(job), 0); /* nothing changed */
    ts_write_file(ts_path(L"up3.bin"), "x", 1);
    assert_hr_equal(IBackgroundCopyJob3_AddFileWithRanges(upload, L"http://127.0.0.1:9/up", ts_path(L"up3.bin"), 2,
                                                          good), E_NOTIMPL);
    assert_hr_equal(IBackgroundCopyJob3_AddFileWithRanges(job, remote, local, 2, good), S_OK);
    assert_int_equal(file_count(job), 1);
    cancel(job);
    cancel(upload);
}

static void test_get_file_ranges(void **state)
{
    static BG_FILE_RANGE given[3] = { { 900, 100 }, { 100, 100 }, { 2000, BG_LENGTH_TO_EOF } };
    IBackgroundCopyJob3 *job = new_job3(BG_JOB_TYPE_DOWNLOAD);
    IBackgroundCopyFile2 *ranged, *whole;
    BG_FILE_RANGE *ranges = (BG_FILE_RANGE *)0xdeadbeef;
    DWORD count = 77;

    assert_hr_equal(IBackgroundCopyJob3_AddFile(job, L"http://127.0.0.1:9/whole", ts_path(L"whole.bin")), S_OK);
    assert_hr_equal(IBackgroundCopyJob3_AddFileWithRanges(job, L"http://127.0.0.1:9/part", ts_path(L"part.bin"), 3,
                                                          given), S_OK);
    whole = file2_at(job, 0);
    ranged = file2_at(job, 1);
    /* documented: S_FALSE, zero and NULL without ranges */
    assert_hr_equal(IBackgroundCopyFile2_GetFileRanges(whole, &count, &ranges), S_FALSE);
    assert_int_equal(count, 0);
    assert_null(ranges);
    /* as given, in the order given, BG_LENGTH_TO_EOF kept */
    assert_hr_equal(IBackgroundCopyFile2_GetFileRanges(ranged, &count, &ranges), S_OK);
    assert_int_equal(count, 3);
    assert_non_null(ranges);
    assert_memory_equal(ranges, given, sizeof(given));
    CoTaskMemFree(ranges);
    if (!through_host)
    {
        assert_hr_equal(IBackgroundCopyFile2_GetFileRanges(ranged, NULL, &ranges), E_INVALIDARG);
        assert_hr_equal(IBackgroundCopyFile2_GetFileRanges(ranged, &count, NULL), E_INVALIDARG);
    }
    IBackgroundCopyFile2_Release(whole);
    IBackgroundCopyFile2_Release(ranged);
    cancel(job);
}

static void test_set_remote_name(void **state)
{
    static BG_FILE_RANGE r = { 0, 10 };
    IBackgroundCopyJob3 *job = new_job3(BG_JOB_TYPE_DOWNLOAD), *upload = new_job3(BG_JOB_TYPE_UPLOAD);
    IBackgroundCopyFile2 *file, *ranged, *up;

    assert_hr_equal(IBackgroundCopyJob3_AddFile(job, L"http://127.0.0.1:9/old", ts_path(L"srn.bin")), S_OK);
    assert_hr_equal(IBackgroundCopyJob3_AddFileWithRanges(job, L"http://127.0.0.1:9/r", ts_path(L"srn2.bin"), 1, &r),
                    S_OK);
    file = file2_at(job, 0);
    ranged = file2_at(job, 1);
    assert_hr_equal(IBackgroundCopyFile2_SetRemoteName(file, L"https://127.0.0.1:10/new?x=1"), S_OK);
    check_remote(file, L"https://127.0.0.1:10/new?x=1");
    /* documented: the protocol may change (SMB to HTTP and back) */
    assert_hr_equal(IBackgroundCopyFile2_SetRemoteName(file, L"\\\\server\\share\\new.bin"), S_OK);
    check_remote(file, L"\\\\server\\share\\new.bin");
    /* an invalid URL, or one too long (2,200 characters at most) */
    assert_hr_equal(IBackgroundCopyFile2_SetRemoteName(file, L"ftp://127.0.0.1/x"), E_INVALIDARG);
    assert_hr_equal(IBackgroundCopyFile2_SetRemoteName(file, L""), E_INVALIDARG);
    if (!through_host) assert_hr_equal(IBackgroundCopyFile2_SetRemoteName(file, NULL), E_INVALIDARG);
    check_remote(file, L"\\\\server\\share\\new.bin");
    /* a file with ranges stays http(s) */
    assert_hr_equal(IBackgroundCopyFile2_SetRemoteName(ranged, L"\\\\server\\share\\r.bin"), E_INVALIDARG);
    assert_hr_equal(IBackgroundCopyFile2_SetRemoteName(ranged, L"http://127.0.0.1:9/r2"), S_OK);
    check_remote(ranged, L"http://127.0.0.1:9/r2");
    /* documented: E_NOTIMPL for upload jobs */
    ts_write_file(ts_path(L"srn-up.bin"), "x", 1);
    assert_hr_equal(IBackgroundCopyJob3_AddFile(upload, L"http://127.0.0.1:9/up", ts_path(L"srn-up.bin")), S_OK);
    up = file2_at(upload, 0);
    assert_hr_equal(IBackgroundCopyFile2_SetRemoteName(up, L"http://127.0.0.1:9/up2"), E_NOTIMPL);
    check_remote(up, L"http://127.0.0.1:9/up");
    /* documented: BG_E_INVALID_STATE once cancelled */
    assert_hr_equal(IBackgroundCopyJob3_Cancel(job), S_OK);
    assert_hr_equal(IBackgroundCopyFile2_SetRemoteName(file, L"http://127.0.0.1:9/late"), BG_E_INVALID_STATE);
    IBackgroundCopyFile2_Release(file);
    IBackgroundCopyFile2_Release(ranged);
    IBackgroundCopyFile2_Release(up);
    IBackgroundCopyJob3_Release(job);
    cancel(upload);
}

static void test_replace_remote_prefix(void **state)
{
    IBackgroundCopyJob3 *job = new_job3(BG_JOB_TYPE_DOWNLOAD), *upload = new_job3(BG_JOB_TYPE_UPLOAD);
    IBackgroundCopyFile2 *a, *b, *c;

    assert_hr_equal(IBackgroundCopyJob3_AddFile(job, L"http://Server:9/Path/a.bin", ts_path(L"rrp-a.bin")), S_OK);
    assert_hr_equal(IBackgroundCopyJob3_AddFile(job, L"http://Server:9/Path/b.bin", ts_path(L"rrp-b.bin")), S_OK);
    assert_hr_equal(IBackgroundCopyJob3_AddFile(job, L"http://Other:9/Path/c.bin", ts_path(L"rrp-c.bin")), S_OK);
    a = file2_at(job, 0);
    b = file2_at(job, 1);
    c = file2_at(job, 2);
    /* documented example: the server part of every matching name */
    assert_hr_equal(IBackgroundCopyJob3_ReplaceRemotePrefix(job, L"http://Server:9", L"http://NewServerName:10"), S_OK);
    check_remote(a, L"http://NewServerName:10/Path/a.bin");
    check_remote(b, L"http://NewServerName:10/Path/b.bin");
    check_remote(c, L"http://Other:9/Path/c.bin");
    /* case-sensitive: no match is S_FALSE */
    assert_hr_equal(IBackgroundCopyJob3_ReplaceRemotePrefix(job, L"http://newservername:10", L"http://x"), S_FALSE);
    assert_hr_equal(IBackgroundCopyJob3_ReplaceRemotePrefix(job, L"http://nowhere", L"http://x"), S_FALSE);
    /* documented: empty prefixes, and a result that is no valid URL, change nothing */
    assert_hr_equal(IBackgroundCopyJob3_ReplaceRemotePrefix(job, L"", L"http://x"), E_INVALIDARG);
    assert_hr_equal(IBackgroundCopyJob3_ReplaceRemotePrefix(job, L"http://Other:9", L""), E_INVALIDARG);
    assert_hr_equal(IBackgroundCopyJob3_ReplaceRemotePrefix(job, L"http://", L"ftp://"), E_INVALIDARG);
    check_remote(a, L"http://NewServerName:10/Path/a.bin");
    check_remote(c, L"http://Other:9/Path/c.bin");
    if (!through_host)
        assert_hr_equal(IBackgroundCopyJob3_ReplaceRemotePrefix(job, NULL, L"http://x"), E_INVALIDARG);
    /* documented: E_NOTIMPL for upload jobs, BG_E_INVALID_STATE once cancelled */
    assert_hr_equal(IBackgroundCopyJob3_ReplaceRemotePrefix(upload, L"http://", L"https://"), E_NOTIMPL);
    assert_hr_equal(IBackgroundCopyJob3_Cancel(job), S_OK);
    assert_hr_equal(IBackgroundCopyJob3_ReplaceRemotePrefix(job, L"http://", L"https://"), BG_E_INVALID_STATE);
    check_remote(c, L"http://Other:9/Path/c.bin");
    IBackgroundCopyFile2_Release(a);
    IBackgroundCopyFile2_Release(b);
    IBackgroundCopyFile2_Release(c);
    IBackgroundCopyJob3_Release(job);
    cancel(upload);
}

static void test_file_acl_flags(void **state)
{
    IBackgroundCopyJob3 *job = new_job3(BG_JOB_TYPE_DOWNLOAD), *other = new_job3(BG_JOB_TYPE_DOWNLOAD);
    DWORD flags = 77;

    assert_hr_equal(IBackgroundCopyJob3_GetFileACLFlags(job, &flags), S_OK);
    assert_int_equal(flags, 0);
    assert_hr_equal(IBackgroundCopyJob3_SetFileACLFlags(job, BG_COPY_FILE_OWNER | BG_COPY_FILE_DACL), S_OK);
    assert_hr_equal(IBackgroundCopyJob3_GetFileACLFlags(job, &flags), S_OK);
    assert_int_equal(flags, BG_COPY_FILE_OWNER | BG_COPY_FILE_DACL);
    /* documented: a flag not in the list is E_INVALIDARG (and changes nothing) */
    assert_hr_equal(IBackgroundCopyJob3_SetFileACLFlags(job, 0x10), E_INVALIDARG);
    assert_hr_equal(IBackgroundCopyJob3_GetFileACLFlags(job, &flags), S_OK);
    assert_int_equal(flags, BG_COPY_FILE_OWNER | BG_COPY_FILE_DACL);
    assert_hr_equal(IBackgroundCopyJob3_SetFileACLFlags(job, BG_COPY_FILE_ALL), S_OK);
    assert_hr_equal(IBackgroundCopyJob3_GetFileACLFlags(job, &flags), S_OK);
    assert_int_equal(flags, BG_COPY_FILE_ALL);
    assert_hr_equal(IBackgroundCopyJob3_SetFileACLFlags(job, 0), S_OK); /* documented: 0 removes them */
    assert_hr_equal(IBackgroundCopyJob3_GetFileACLFlags(job, &flags), S_OK);
    assert_int_equal(flags, 0);
    if (!through_host) assert_hr_equal(IBackgroundCopyJob3_GetFileACLFlags(job, NULL), E_INVALIDARG);
    /* documented: only before the job is TRANSFERRED */
    assert_hr_equal(IBackgroundCopyJob3_AddFile(other, ts_http_url("/data/100"), ts_path(L"acl.bin")), S_OK);
    assert_hr_equal(IBackgroundCopyJob3_Resume(other), S_OK);
    assert_true(ct_wait_state((IBackgroundCopyJob *)other, BG_JOB_STATE_TRANSFERRED));
    assert_hr_equal(IBackgroundCopyJob3_SetFileACLFlags(other, BG_COPY_FILE_DACL), BG_E_INVALID_STATE);
    assert_hr_equal(IBackgroundCopyJob3_GetFileACLFlags(other, &flags), S_OK);
    assert_int_equal(flags, 0);
    assert_hr_equal(IBackgroundCopyJob3_Cancel(job), S_OK);
    assert_hr_equal(IBackgroundCopyJob3_SetFileACLFlags(job, BG_COPY_FILE_DACL), BG_E_INVALID_STATE);
    IBackgroundCopyJob3_Release(job);
    cancel(other);
}

/* A ranged download through COM: BytesTotal is the ranges' sum and the local
 * file holds them one after another (documented example: 100-199, 900-999,
 * 400-499 make a 300-byte file). */
static void test_ranged_download(void **state)
{
    static BG_FILE_RANGE r[3] = { { 100, 100 }, { 900, 100 }, { 400, 100 } };
    IBackgroundCopyJob3 *job = new_job3(BG_JOB_TYPE_DOWNLOAD);
    const WCHAR *local = ts_path(L"ranged-com.bin");
    BG_JOB_PROGRESS p;
    BYTE data[301];
    DWORD got = 0, i;
    HANDLE file;

    assert_hr_equal(IBackgroundCopyJob3_AddFileWithRanges(job, ts_http_url("/data/1000"), local, 3, r), S_OK);
    assert_hr_equal(IBackgroundCopyJob3_Resume(job), S_OK);
    assert_true(ct_wait_state((IBackgroundCopyJob *)job, BG_JOB_STATE_TRANSFERRED));
    p = ct_progress((IBackgroundCopyJob *)job);
    assert_true(p.BytesTotal == 300 && p.BytesTransferred == 300);
    assert_hr_equal(IBackgroundCopyJob3_Complete(job), S_OK);
    file = CreateFileW(local, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    assert_true(file != INVALID_HANDLE_VALUE);
    assert_true(ReadFile(file, data, sizeof(data), &got, NULL));
    CloseHandle(file);
    assert_int_equal(got, 300);
    for (i = 0; i < 300; i++) assert_int_equal(data[i], ts_pattern_byte(r[i / 100].InitialOffset + i % 100));
    IBackgroundCopyJob3_Release(job);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_query_interface, ct_test_teardown),
        cmocka_unit_test_teardown(test_add_file_with_ranges_arguments, ct_test_teardown),
        cmocka_unit_test_teardown(test_get_file_ranges, ct_test_teardown),
        cmocka_unit_test_teardown(test_set_remote_name, ct_test_teardown),
        cmocka_unit_test_teardown(test_replace_remote_prefix, ct_test_teardown),
        cmocka_unit_test_teardown(test_file_acl_flags, ct_test_teardown),
        cmocka_unit_test_teardown(test_ranged_download, ct_test_teardown),
    };
    through_host = argc > 1 && !strcmp(argv[1], "host");
    return cmocka_run_group_tests(tests, ct_group_setup, ct_group_teardown);
}
