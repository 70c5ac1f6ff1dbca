/* Downloads of file ranges (IBackgroundCopyJob3::AddFileWithRanges) through
 * the engine, without COM, from the loopback server: the local file holds
 * the ranges one after another in the order given (documented), each fetched
 * with a Range request of its own; BytesTotal counts only them; bad lists
 * change nothing; a range past the remote end, a server without ranges, and
 * a resume inside a range. */
#include "engine_test_util.h"
#include "ranges.h"
#include <stdio.h>
#include <string.h>

static int setup(void **state)
{
    et_start(4);
    return 0;
}

static int teardown(void **state)
{
    et_stop();
    ts_cleanup();
    return 0;
}

static HRESULT add_ranges(ob_job *job, const WCHAR *remote, const WCHAR *local, ULONG count, const BG_FILE_RANGE *r)
{
    BG_FILE_INFO info = { (WCHAR *)remote, (WCHAR *)local };
    return ob_table_add_file_with_ranges(et_table, job, &info, count, r, &et_caller);
}

/* TRUE if the file holds exactly the ranges of a /data/<size> body, one
 * after another (BG_LENGTH_TO_EOF: to size). */
static BOOL file_has_ranges(const WCHAR *path, const BG_FILE_RANGE *r, ULONG count, UINT64 size)
{
    HANDLE file = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    BOOL same = file != INVALID_HANDLE_VALUE;
    static BYTE buffer[65536];
    ULONG i;

    for (i = 0; i < count && same; i++)
    {
        UINT64 length = r[i].Length == BG_LENGTH_TO_EOF ? size - r[i].InitialOffset : r[i].Length, k = 0;
        while (same && k < length)
        {
            DWORD want = (DWORD)min(length - k, sizeof(buffer)), got = 0, j;
            same = ReadFile(file, buffer, want, &got, NULL) && got == want;
            for (j = 0; j < got && same; j++) same = buffer[j] == ts_pattern_byte(r[i].InitialOffset + k + j);
            k += got;
        }
    }
    if (same)
    {
        DWORD got = 1;
        same = ReadFile(file, buffer, 1, &got, NULL) && !got; /* nothing more */
    }
    if (file != INVALID_HANDLE_VALUE) CloseHandle(file);
    return same;
}

/* TRUE if the server's /stats lists a request for a target containing
 * `target` whose Range header was exactly `range`. */
static BOOL server_saw_range(const char *target, const char *range)
{
    DWORD size;
    char *stats = (char *)ts_http_get(ts_http_url("/stats"), &size), *p, needle[96];
    BOOL found = FALSE;

    assert_non_null(stats);
    stats = realloc(stats, size + 1);
    stats[size] = 0;
    snprintf(needle, sizeof(needle), "\"range\": \"%s\"", range);
    /* each object of "ranges": the needle and the target between its braces */
    for (p = stats; !found && (p = strstr(p, needle)); p++)
    {
        char *start = p, *end = strchr(p, '}'), *t;
        while (start > stats && *start != '{') start--;
        found = end && (t = strstr(start, target)) && t < end;
    }
    free(stats);
    return found;
}

static const char *tagged(const char *format)
{
    static char url[8][128];
    static int next;
    char *out = url[next++ % 8];
    snprintf(out, 128, format, (unsigned long)GetTickCount());
    return out;
}

static void test_ranges_land_in_the_order_given(void **state)
{
    static const BG_FILE_RANGE r[4] = { { 10000, 5000 }, { 90000, 5000 }, { 40000, 100 }, { 99000, BG_LENGTH_TO_EOF } };
    const char *path = tagged("/data/100000?tag=ranges-%lu");
    ob_job *job = et_new_job(BG_JOB_TYPE_DOWNLOAD);
    BG_FILE_PROGRESS fp;
    BG_JOB_PROGRESS p;

    assert_hr_equal(add_ranges(job, ts_http_url(path), ts_path(L"r1.bin"), 4, r), S_OK);
    assert_true(et_progress(job).BytesTotal == BG_SIZE_UNKNOWN);
    assert_hr_equal(ob_job_resume(job), S_OK);
    et_assert_state(job, BG_JOB_STATE_TRANSFERRED);
    /* documented: only the ranges count (BG_LENGTH_TO_EOF resolved) */
    p = et_progress(job);
    assert_true(p.BytesTotal == 5000 + 5000 + 100 + 1000);
    assert_true(p.BytesTransferred == p.BytesTotal);
    assert_hr_equal(ob_job_get_file_progress(job, 0, &fp), S_OK);
    assert_true(fp.BytesTotal == p.BytesTotal && fp.BytesTransferred == p.BytesTotal);
    /* one Range request per range, never the whole file */
    assert_true(server_saw_range(path, "bytes=10000-14999"));
    assert_true(server_saw_range(path, "bytes=90000-94999"));
    assert_true(server_saw_range(path, "bytes=40000-40099"));
    assert_true(server_saw_range(path, "bytes=99000-99999"));
    assert_false(server_saw_range(path, "bytes=0-"));
    assert_hr_equal(ob_job_complete(job), S_OK);
    assert_true(file_has_ranges(ts_path(L"r1.bin"), r, 4, 100000));
    ob_job_release(job);
}

/* A whole file beside a file with ranges in one job: the totals are the sum. */
static void test_ranged_and_whole_files_in_one_job(void **state)
{
    static const BG_FILE_RANGE r[2] = { { 0, 0 }, { 2000, BG_LENGTH_TO_EOF } };
    ob_job *job = et_new_job(BG_JOB_TYPE_DOWNLOAD);

    et_add_file(job, ts_http_url("/data/3000"), ts_path(L"r2a.bin"));
    assert_hr_equal(add_ranges(job, ts_http_url("/data/5000"), ts_path(L"r2b.bin"), 2, r), S_OK);
    assert_hr_equal(ob_job_resume(job), S_OK);
    et_assert_state(job, BG_JOB_STATE_TRANSFERRED);
    assert_true(et_progress(job).BytesTotal == 3000 + 3000);
    assert_true(et_progress(job).BytesTransferred == 3000 + 3000);
    assert_int_equal(et_progress(job).FilesTransferred, 2);
    assert_hr_equal(ob_job_complete(job), S_OK);
    assert_true(ts_file_has_pattern(ts_path(L"r2a.bin"), 3000));
    assert_true(file_has_ranges(ts_path(L"r2b.bin"), r, 2, 5000));
    ob_job_release(job);
}

/* Refused lists and names change nothing: no file is added. */
static void test_bad_ranges_are_refused(void **state)
{
    static const BG_FILE_RANGE good = { 0, 10 }, overlapping[2] = { { 0, 100 }, { 50, 10 } };
    static const BG_FILE_RANGE invalid = { BG_LENGTH_TO_EOF, 10 }, same_offset[2] = { { 100, 5 }, { 100, 0 } };
    ob_job *job = et_new_job(BG_JOB_TYPE_DOWNLOAD), *upload = et_new_job(BG_JOB_TYPE_UPLOAD);
    BG_FILE_RANGE *many = calloc(OB_DEFAULT_MAX_RANGES_PER_FILE + 1, sizeof(*many));
    const WCHAR *remote = ts_http_url("/data/1000");
    ULONG i;

    assert_hr_equal(add_ranges(job, remote, ts_path(L"r3.bin"), 0, &good), E_INVALIDARG);
    assert_hr_equal(add_ranges(job, remote, ts_path(L"r3.bin"), 1, NULL), E_INVALIDARG);
    assert_hr_equal(add_ranges(job, remote, ts_path(L"r3.bin"), 2, overlapping), BG_E_OVERLAPPING_RANGES);
    assert_hr_equal(add_ranges(job, remote, ts_path(L"r3.bin"), 2, same_offset), BG_E_OVERLAPPING_RANGES);
    assert_hr_equal(add_ranges(job, remote, ts_path(L"r3.bin"), 1, &invalid), BG_E_INVALID_RANGE);
    for (i = 0; i <= OB_DEFAULT_MAX_RANGES_PER_FILE; i++) many[i].InitialOffset = i, many[i].Length = 1;
    assert_hr_equal(add_ranges(job, remote, ts_path(L"r3.bin"), OB_DEFAULT_MAX_RANGES_PER_FILE + 1, many),
                    BG_E_TOO_MANY_RANGES_IN_FILE);
    assert_hr_equal(add_ranges(job, remote, ts_path(L"r3.bin"), OB_DEFAULT_MAX_RANGES_PER_FILE, many), S_OK);
    assert_int_equal(ob_job_file_count(job), 1);
    free(many);
    /* documented since BITS 3.0: no ranges over SMB (nor local files) */
    ts_write_pattern_file(ts_path(L"r3src.bin"), 100);
    assert_hr_equal(add_ranges(job, ts_path(L"r3src.bin"), ts_path(L"r3b.bin"), 1, &good), E_INVALIDARG);
    assert_hr_equal(add_ranges(job, L"\\\\server\\share\\r3.bin", ts_path(L"r3b.bin"), 1, &good), E_INVALIDARG);
    assert_hr_equal(add_ranges(job, remote, L"relative.bin", 1, &good), E_INVALIDARG);
    assert_int_equal(ob_job_file_count(job), 1);
    /* documented: E_NOTIMPL for upload jobs */
    assert_hr_equal(add_ranges(upload, ts_upload_url("/upload/r3.bin"), ts_path(L"r3src.bin"), 1, &good), E_NOTIMPL);
    assert_int_equal(ob_job_file_count(upload), 0);
    assert_hr_equal(ob_job_cancel(job), S_OK);
    assert_hr_equal(add_ranges(job, remote, ts_path(L"r3c.bin"), 1, &good), BG_E_INVALID_STATE);
    assert_hr_equal(ob_job_cancel(upload), S_OK);
    ob_job_release(job);
    ob_job_release(upload);
}

/* Documented errors after Resume: a range outside the remote file, and a
 * server without ranges (it answers 200 to a Range request). */
static void test_range_past_the_end_and_no_range_support_are_errors(void **state)
{
    static const BG_FILE_RANGE past = { 900, 200 }, inside = { 100, 200 };
    ob_job *job = et_new_job(BG_JOB_TYPE_DOWNLOAD), *no_range = et_new_job(BG_JOB_TYPE_DOWNLOAD);
    ob_error_info error;

    assert_hr_equal(add_ranges(job, ts_http_url("/data/1000"), ts_path(L"r4.bin"), 1, &past), S_OK);
    assert_hr_equal(add_ranges(no_range, ts_http_url("/data/1000?norange=1"), ts_path(L"r5.bin"), 1, &inside), S_OK);
    assert_hr_equal(ob_job_resume(job), S_OK);
    assert_hr_equal(ob_job_resume(no_range), S_OK);
    et_assert_state(job, BG_JOB_STATE_ERROR);
    et_assert_state(no_range, BG_JOB_STATE_ERROR);
    error = et_error(job);
    assert_hr_equal(error.code, BG_E_INVALID_RANGE);
    assert_int_equal(error.context, BG_ERROR_CONTEXT_REMOTE_FILE);
    assert_int_equal(error.file_index, 0);
    error = et_error(no_range);
    assert_hr_equal(error.code, BG_E_INSUFFICIENT_RANGE_SUPPORT);
    assert_int_equal(error.context, BG_ERROR_CONTEXT_REMOTE_FILE);
    assert_true(et_progress(no_range).BytesTransferred == 0);
    assert_hr_equal(ob_job_cancel(job), S_OK);
    assert_hr_equal(ob_job_cancel(no_range), S_OK);
    assert_int_equal(ts_count_files(L"BIT*.tmp"), 0);
    ob_job_release(job);
    ob_job_release(no_range);
}

/* The connection drops inside the first range: the retry asks for the rest
 * of that range only, bytes are counted once, the file is byte-exact. */
static void test_resume_after_a_drop_continues_inside_the_range(void **state)
{
    static const BG_FILE_RANGE r[2] = { { 600000, 300000 }, { 100000, 50000 } };
    const char *path = tagged("/data/2000000?dropat=700000&tag=rdrop-%lu");
    ob_job *job = et_new_job(BG_JOB_TYPE_DOWNLOAD);

    assert_hr_equal(add_ranges(job, ts_http_url(path), ts_path(L"r6.bin"), 2, r), S_OK);
    assert_hr_equal(ob_job_set_retry_delay(job, 5), S_OK);
    assert_hr_equal(ob_job_resume(job), S_OK);
    et_assert_state(job, BG_JOB_STATE_TRANSFERRED);
    assert_true(et_progress(job).BytesTotal == 350000);
    assert_true(et_progress(job).BytesTransferred == 350000);
    assert_true(server_saw_range(path, "bytes=600000-899999"));
    assert_true(server_saw_range(path, "bytes=700000-899999"));
    assert_true(server_saw_range(path, "bytes=100000-149999"));
    assert_hr_equal(ob_job_complete(job), S_OK);
    assert_true(file_has_ranges(ts_path(L"r6.bin"), r, 2, 2000000));
    ob_job_release(job);
}

/* Suspend in the middle of the second range, Resume: it goes on from the
 * bytes on disk, inside that range. */
static void test_suspend_and_resume_inside_a_range(void **state)
{
    static const BG_FILE_RANGE r[2] = { { 350000, 20000 }, { 1000, 300000 } };
    ob_job *job = et_new_job(BG_JOB_TYPE_DOWNLOAD);
    UINT64 at_suspend;

    assert_hr_equal(add_ranges(job, ts_http_url("/data/400000?rate=200000"), ts_path(L"r7.bin"), 2, r), S_OK);
    assert_hr_equal(ob_job_resume(job), S_OK);
    assert_true(et_wait_bytes(job, 60000));
    assert_hr_equal(ob_job_suspend(job), S_OK);
    Sleep(100);
    at_suspend = et_progress(job).BytesTransferred;
    assert_true(at_suspend > 20000 && at_suspend < 320000);
    assert_hr_equal(ob_job_resume(job), S_OK);
    et_assert_state(job, BG_JOB_STATE_TRANSFERRED);
    assert_true(et_progress(job).BytesTransferred == 320000);
    assert_hr_equal(ob_job_complete(job), S_OK);
    assert_true(file_has_ranges(ts_path(L"r7.bin"), r, 2, 400000));
    ob_job_release(job);
}

/* A remote file of another size is another version: the ranges start again. */
static void test_another_remote_size_restarts_the_ranges(void **state)
{
    static const BG_FILE_RANGE r = { 100, 500 };
    ob_job *job = et_new_job(BG_JOB_TYPE_DOWNLOAD);
    FILETIME t = { 0 };

    assert_hr_equal(add_ranges(job, ts_http_url("/data/1000"), ts_path(L"r8.bin"), 1, &r), S_OK);
    /* as a worker sees it: probed at 1000 bytes, 200 bytes in, then 2000 bytes */
    assert_hr_equal(ob_job_file_probed(job, 0, 1000, &t), S_OK);
    assert_true(et_progress(job).BytesTotal == 500);
    ob_job_file_add_bytes(job, 0, 200);
    assert_hr_equal(ob_job_file_probed(job, 0, 1000, &t), S_OK);
    assert_true(et_progress(job).BytesTransferred == 200);
    assert_hr_equal(ob_job_file_probed(job, 0, 2000, &t), S_OK);
    assert_true(et_progress(job).BytesTransferred == 0);
    assert_true(et_progress(job).BytesTotal == 500);
    /* and one too small for the range is refused, changing nothing */
    assert_hr_equal(ob_job_file_probed(job, 0, 550, &t), BG_E_INVALID_RANGE);
    assert_true(et_progress(job).BytesTotal == 500);
    assert_hr_equal(ob_job_cancel(job), S_OK);
    ob_job_release(job);
}

/* SetRemoteName and ReplaceRemotePrefix: the next run uses the new name. */
static void test_new_remote_names_are_used(void **state)
{
    static const BG_FILE_RANGE r = { 100, 500 };
    ob_job *job = et_new_job(BG_JOB_TYPE_DOWNLOAD);
    WCHAR prefix[64], *name;

    et_add_file(job, ts_http_url("/status/404"), ts_path(L"r9a.bin"));
    assert_hr_equal(add_ranges(job, ts_http_url("/missing/1000"), ts_path(L"r9b.bin"), 1, &r), S_OK);
    assert_hr_equal(ob_job_resume(job), S_OK);
    et_assert_state(job, BG_JOB_STATE_ERROR);
    assert_hr_equal(ob_job_set_remote_name(job, 0, ts_http_url("/data/3000")), S_OK);
    /* a file with ranges keeps an http(s) name */
    assert_hr_equal(ob_job_set_remote_name(job, 1, L"\\\\server\\share\\x.bin"), E_INVALIDARG);
    swprintf(prefix, ARRAYSIZE(prefix), L"%ls", ts_http_url("/missing/"));
    assert_hr_equal(ob_job_replace_remote_prefix(job, prefix, L"\\\\server\\share\\"), E_INVALIDARG);
    assert_hr_equal(ob_job_replace_remote_prefix(job, prefix, ts_http_url("/data/")), S_OK);
    assert_hr_equal(ob_job_get_file_name(job, 1, TRUE, &name), S_OK);
    assert_true(!wcscmp(name, ts_http_url("/data/1000")));
    CoTaskMemFree(name);
    assert_hr_equal(ob_job_resume(job), S_OK);
    et_assert_state(job, BG_JOB_STATE_TRANSFERRED);
    assert_hr_equal(ob_job_complete(job), S_OK);
    assert_true(ts_file_has_pattern(ts_path(L"r9a.bin"), 3000));
    assert_true(file_has_ranges(ts_path(L"r9b.bin"), &r, 1, 1000));
    ob_job_release(job);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_ranges_land_in_the_order_given, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ranged_and_whole_files_in_one_job, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_ranges_are_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_range_past_the_end_and_no_range_support_are_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_resume_after_a_drop_continues_inside_the_range, setup, teardown),
        cmocka_unit_test_setup_teardown(test_suspend_and_resume_inside_a_range, setup, teardown),
        cmocka_unit_test_setup_teardown(test_another_remote_size_restarts_the_ranges, setup, teardown),
        cmocka_unit_test_setup_teardown(test_new_remote_names_are_used, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
