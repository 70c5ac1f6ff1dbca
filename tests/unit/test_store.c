/* The persistent store: a job's record and back (job_record.c), the store's
 * folder (store.c), and an engine made again on the same store (persist.c):
 * its jobs come back with every property and continue from the bytes on
 * disk. */
#include "engine_test_util.h"
#include "job_http.h"
#include "job_record.h"
#include "persist.h"
#include "store.h"
#include <stdio.h>

static int teardown(void **state)
{
    ts_cleanup();
    return 0;
}

static ob_job *job_with_everything(ob_table *table, const ob_caller *caller)
{
    static const WCHAR odd[] = L"line one\nline two\\ \x00e9\x4e2d \r end";
    BG_FILE_INFO files[2] = { { L"http://127.0.0.1:1/a.bin", (WCHAR *)ts_path(L"a.bin") },
                              { L"http://127.0.0.1:1/b.bin?x=1", (WCHAR *)ts_path(L"b.bin") } };
    static const BG_FILE_RANGE ranges[2] = { { 900, BG_LENGTH_TO_EOF }, { 100, 100 } };
    BG_FILE_INFO ranged = { L"http://127.0.0.1:1/c.bin", (WCHAR *)ts_path(L"c.bin") };
    ob_job *job;

    assert_hr_equal(ob_table_create_job(table, L"store test", BG_JOB_TYPE_DOWNLOAD, caller, &job), S_OK);
    assert_hr_equal(ob_job_set_description(job, odd), S_OK);
    assert_hr_equal(ob_job_set_priority(job, BG_JOB_PRIORITY_HIGH), S_OK);
    assert_hr_equal(ob_job_set_notify_flags(job, BG_NOTIFY_JOB_TRANSFERRED), S_OK);
    assert_hr_equal(ob_job_set_retry_delay(job, 77), S_OK);
    assert_hr_equal(ob_job_set_no_progress_timeout(job, 4321), S_OK);
    assert_hr_equal(ob_job_set_proxy(job, BG_JOB_PROXY_USAGE_OVERRIDE, L"proxy:8080", L"<local>"), S_OK);
    assert_hr_equal(ob_job_set_notify_cmdline(job, L"C:\\windows\\notepad.exe", L"notepad.exe x"), S_OK);
    assert_hr_equal(ob_job_set_custom_headers(job, L"X-One: 1\r\nX-Two: two"), S_OK);
    assert_hr_equal(ob_job_set_security_flags(job, BG_SSL_IGNORE_UNKNOWN_CA | BG_HTTP_REDIRECT_POLICY_ALLOW_REPORT), S_OK);
    assert_hr_equal(ob_table_add_files(table, job, 2, files, caller), S_OK);
    assert_hr_equal(ob_table_add_file_with_ranges(table, job, &ranged, 2, ranges, caller), S_OK);
    assert_hr_equal(ob_job_set_file_acl_flags(job, BG_COPY_FILE_DACL | BG_COPY_FILE_OWNER), S_OK);
    return job;
}

static void assert_string(ob_job *job, ob_job_prop id, const WCHAR *expected)
{
    WCHAR *value;
    assert_hr_equal(ob_job_get_string(job, id, &value), S_OK);
    if (wcscmp(value, expected)) fail_msg("property %d: %ls, not %ls", id, value, expected);
    CoTaskMemFree(value);
}

static void assert_same_job(ob_job *a, ob_job *b)
{
    ob_job_info ia, ib;
    WCHAR *na, *nb;
    ULONG i, p;

    assert_true(IsEqualGUID(ob_job_id(a), ob_job_id(b)));
    assert_int_equal(ob_job_type(a), ob_job_type(b));
    for (p = 0; p < OB_PROP_COUNT; p++)
    {
        const ob_prop_desc *desc = ob_job_prop_desc((ob_job_prop)p);
        if (!desc->persistent) continue;
        if (desc->type == OB_PROP_STRING)
        {
            HRESULT hr = ob_job_get_string(a, desc->id, &na);
            if (FAILED(hr)) /* not a property of this job type: the same answer */
            {
                assert_hr_equal(ob_job_get_string(b, desc->id, &nb), hr);
                continue;
            }
            assert_string(b, desc->id, na);
            CoTaskMemFree(na);
        }
        else if (desc->type == OB_PROP_ULONG)
        {
            ULONG va, vb;
            assert_hr_equal(ob_job_get_ulong_prop(a, desc->id, &va), S_OK);
            assert_hr_equal(ob_job_get_ulong_prop(b, desc->id, &vb), S_OK);
            if (va != vb) fail_msg("%s: %lu, not %lu", desc->name, vb, va);
        }
    }
    assert_int_equal(ob_job_get_security_flags(a), ob_job_get_security_flags(b));
    {
        WCHAR *ha = NULL, *hb = NULL;
        HRESULT hr = ob_job_get_custom_headers(a, &ha);
        assert_hr_equal(ob_job_get_custom_headers(b, &hb), hr);
        if (ha || hb) assert_true(ha && hb && !wcscmp(ha, hb));
        CoTaskMemFree(ha);
        CoTaskMemFree(hb);
    }
    ob_job_get_info(a, &ia);
    ob_job_get_info(b, &ib);
    assert_int_equal(ia.state, ib.state);
    assert_memory_equal(&ia.times, &ib.times, sizeof(ia.times));
    assert_int_equal(ob_job_file_count(a), ob_job_file_count(b));
    for (i = 0; i < ob_job_file_count(a); i++)
    {
        assert_hr_equal(ob_job_get_file_name(a, i, TRUE, &na), S_OK);
        assert_hr_equal(ob_job_get_file_name(b, i, TRUE, &nb), S_OK);
        assert_true(!wcscmp(na, nb));
        CoTaskMemFree(na);
        CoTaskMemFree(nb);
        assert_hr_equal(ob_job_get_file_name(a, i, FALSE, &na), S_OK);
        assert_hr_equal(ob_job_get_file_name(b, i, FALSE, &nb), S_OK);
        assert_true(!wcscmp(na, nb));
        CoTaskMemFree(na);
        CoTaskMemFree(nb);
        {
            BG_FILE_RANGE *ra, *rb;
            DWORD ca, cb;
            HRESULT hr = ob_job_get_file_ranges(a, i, &ca, &ra);
            assert_hr_equal(ob_job_get_file_ranges(b, i, &cb, &rb), hr);
            assert_int_equal(ca, cb);
            if (ca) assert_memory_equal(ra, rb, ca * sizeof(*ra));
            CoTaskMemFree(ra);
            CoTaskMemFree(rb);
        }
    }
}

/* Every persistent property, the state, the times and the files survive a
 * record's round trip, strings with newlines, backslashes and non-ASCII
 * included. */
static void test_record_round_trip(void **state)
{
    ob_table *table = ob_table_new(&(ob_limits){ 300, 300, 300, 4 }, NULL);
    ob_job *job, *back;
    char *data;
    DWORD size;

    assert_hr_equal(ob_caller_current(&et_caller), S_OK);
    job = job_with_everything(table, &et_caller);
    assert_hr_equal(ob_job_record_write(job, &data, &size), S_OK);
    assert_hr_equal(ob_job_record_read(data, size, &back), S_OK);
    assert_same_job(job, back);
    assert_int_equal(et_state(back), BG_JOB_STATE_SUSPENDED);
    ob_job_release(back);

    /* a job that was transferring comes back queued */
    assert_hr_equal(ob_job_resume(job), S_OK);
    HeapFree(GetProcessHeap(), 0, data);
    assert_hr_equal(ob_job_record_write(job, &data, &size), S_OK);
    assert_hr_equal(ob_job_record_read(data, size, &back), S_OK);
    assert_int_equal(et_state(back), BG_JOB_STATE_QUEUED);
    ob_job_release(back);

    HeapFree(GetProcessHeap(), 0, data);
    assert_hr_equal(ob_job_cancel(job), S_OK);
    ob_job_release(job);
    ob_table_free(table);
}

static BOOL holds(const char *data, DWORD size, const void *what, DWORD what_size)
{
    DWORD i;
    for (i = 0; i + what_size <= size; i++)
        if (!memcmp(data + i, what, what_size)) return TRUE;
    return FALSE;
}

/* Credentials are kept only encrypted (CryptProtectData): the record's
 * bytes hold neither the user name nor the password, in UTF-8 or UTF-16;
 * RemoveCredentials takes them out of the next record. */
static void test_credentials_are_never_stored_in_clear(void **state)
{
    ob_table *table = ob_table_new(&(ob_limits){ 300, 300, 300, 4 }, NULL);
    BG_AUTH_CREDENTIALS c = { BG_AUTH_TARGET_SERVER, BG_AUTH_SCHEME_BASIC };
    ob_job *job;
    char *data;
    DWORD size;

    assert_hr_equal(ob_caller_current(&et_caller), S_OK);
    job = job_with_everything(table, &et_caller);
    c.Credentials.Basic.UserName = (WCHAR *)L"storeduser";
    c.Credentials.Basic.Password = (WCHAR *)L"Sup3rSecretPass";
    assert_hr_equal(ob_job_set_credentials(job, &c), S_OK);
    assert_hr_equal(ob_job_record_write(job, &data, &size), S_OK);
    assert_true(holds(data, size, "Credential.1.1=", 15));
    assert_false(holds(data, size, "storeduser", 10));
    assert_false(holds(data, size, "Sup3rSecretPass", 15));
    assert_false(holds(data, size, L"Sup3rSecretPass", 30));
    assert_false(holds(data, size, "U3VwM3JTZWNyZXRQYXNz", 20)); /* nor as base64 */
    HeapFree(GetProcessHeap(), 0, data);

    assert_hr_equal(ob_job_remove_credentials(job, BG_AUTH_TARGET_SERVER, BG_AUTH_SCHEME_BASIC), S_OK);
    assert_hr_equal(ob_job_record_write(job, &data, &size), S_OK);
    assert_false(holds(data, size, "Credential.", 11));
    HeapFree(GetProcessHeap(), 0, data);
    assert_hr_equal(ob_job_cancel(job), S_OK);
    ob_job_release(job);
    ob_table_free(table);
}

/* A record torn (a crash mid-write) or with any byte changed is refused
 * whole: never half believed. */
static void test_damaged_record_is_refused(void **state)
{
    ob_table *table = ob_table_new(&(ob_limits){ 300, 300, 300, 4 }, NULL);
    ob_job *job, *back = (ob_job *)1;
    char *data;
    DWORD size, at;

    assert_hr_equal(ob_caller_current(&et_caller), S_OK);
    job = job_with_everything(table, &et_caller);
    assert_hr_equal(ob_job_record_write(job, &data, &size), S_OK);
    for (at = 0; at < size; at += 7)
    {
        data[at] ^= 0x20;
        assert_hr_equal(ob_job_record_read(data, size, &back), HRESULT_FROM_WIN32(ERROR_INVALID_DATA));
        assert_null(back);
        data[at] ^= 0x20;
    }
    for (at = 0; at < size; at += 13)
        assert_hr_equal(ob_job_record_read(data, at, &back), HRESULT_FROM_WIN32(ERROR_INVALID_DATA));
    assert_hr_equal(ob_job_record_read(data, size, &back), S_OK);
    ob_job_release(back);
    HeapFree(GetProcessHeap(), 0, data);
    assert_hr_equal(ob_job_cancel(job), S_OK);
    ob_job_release(job);
    ob_table_free(table);
}

/* Cancels and releases the test's jobs (b may be NULL), then their table. */
static void end_jobs(ob_table *table, ob_job *a, ob_job *b)
{
    assert_hr_equal(ob_job_cancel(a), S_OK);
    ob_job_release(a);
    if (b)
    {
        assert_hr_equal(ob_job_cancel(b), S_OK);
        ob_job_release(b);
    }
    ob_table_free(table);
}

static BOOL count_record(void *context, const GUID *id, const char *data, DWORD size)
{
    ob_job *job;
    if (FAILED(ob_job_record_read(data, size, &job))) return FALSE;
    ob_job_release(job);
    ++*(ULONG *)context;
    return TRUE;
}

/* The folder: saves replace whole files, a leftover .tmp is dropped, and a
 * damaged record is set aside as .bad while the others load. */
static void test_store_folder(void **state)
{
    ob_table *table = ob_table_new(&(ob_limits){ 300, 300, 300, 4 }, NULL);
    ob_store *store;
    ob_job *a, *b;
    char *data;
    DWORD size;
    ULONG good = 0, refused = 0;
    GUID stray;

    assert_hr_equal(ob_caller_current(&et_caller), S_OK);
    assert_hr_equal(ob_store_open(ts_path(L"store\\deeper"), &store), S_OK);
    a = job_with_everything(table, &et_caller);
    b = job_with_everything(table, &et_caller);
    assert_hr_equal(ob_job_record_write(a, &data, &size), S_OK);
    assert_hr_equal(ob_store_save(store, ob_job_id(a), data, size), S_OK);
    assert_hr_equal(ob_store_save(store, ob_job_id(a), data, size), S_OK); /* replaced, not doubled */
    HeapFree(GetProcessHeap(), 0, data);
    assert_hr_equal(ob_job_record_write(b, &data, &size), S_OK);
    assert_hr_equal(ob_store_save(store, ob_job_id(b), data, size), S_OK);
    HeapFree(GetProcessHeap(), 0, data);
    assert_hr_equal(CoCreateGuid(&stray), S_OK);
    assert_hr_equal(ob_store_save(store, &stray, "openbits-job=1\nnot a job\n", 25), S_OK);
    ts_write_file(ts_path(L"store\\deeper\\{00000000-0000-0000-0000-000000000001}.tmp"), "half", 4);
    assert_int_equal(ts_count_files(L"store\\deeper\\*.job"), 3);

    assert_hr_equal(ob_store_load(store, count_record, &good, &refused), S_OK);
    assert_int_equal(good, 2);
    assert_int_equal(refused, 1);
    assert_int_equal(ts_count_files(L"store\\deeper\\*.job"), 2);
    assert_int_equal(ts_count_files(L"store\\deeper\\*.bad"), 1);
    assert_int_equal(ts_count_files(L"store\\deeper\\*.tmp"), 0);

    assert_hr_equal(ob_store_delete(store, ob_job_id(a)), S_OK);
    assert_hr_equal(ob_store_delete(store, ob_job_id(a)), S_OK); /* nothing left to delete */
    assert_int_equal(ts_count_files(L"store\\deeper\\*.job"), 1);
    ob_store_free(store);
    end_jobs(table, a, b);
}

/* How many jobs a store folder holds (no engine on it). */
static ULONG records_in(const WCHAR *dir)
{
    ob_store *store;
    ULONG count = 0, refused = 0;
    assert_hr_equal(ob_store_open(dir, &store), S_OK);
    assert_hr_equal(ob_store_load(store, count_record, &count, &refused), S_OK);
    assert_int_equal(refused, 0);
    ob_store_free(store);
    return count;
}

/* The bytes of a file the store keeps for a job, as a job (not running). */
static ob_job *stored_job(const WCHAR *dir, const GUID *id)
{
    WCHAR guid[40], path[MAX_PATH];
    HANDLE file;
    static char data[65536];
    DWORD got = 0;
    ob_job *job;

    StringFromGUID2(id, guid, ARRAYSIZE(guid));
    swprintf(path, MAX_PATH, L"%ls\\%ls.job", dir, guid);
    file = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    assert_true(file != INVALID_HANDLE_VALUE);
    assert_true(ReadFile(file, data, sizeof(data), &got, NULL));
    CloseHandle(file);
    /* a loose file: its generation's line, then the record */
    assert_true(got > 4 && !memcmp(data, "Gen=", 4));
    {
        char *record = memchr(data, '\n', got) + 1;
        assert_hr_equal(ob_job_record_read(record, got - (DWORD)(record - data), &job), S_OK);
    }
    return job;
}

/* The description each record loaded has, in load order. */
typedef struct seen_records {
    ULONG count;
    WCHAR descriptions[4][64];
} seen_records;

static BOOL note_record(void *context, const GUID *id, const char *data, DWORD size)
{
    seen_records *seen = context;
    WCHAR *text;
    ob_job *job;
    if (FAILED(ob_job_record_read(data, size, &job))) return FALSE;
    if (seen->count < 4 && SUCCEEDED(ob_job_get_string(job, OB_PROP_DESCRIPTION, &text)))
    {
        lstrcpynW(seen->descriptions[seen->count], text, 64);
        CoTaskMemFree(text);
    }
    seen->count++;
    ob_job_release(job);
    return TRUE;
}

static void save_job(ob_store *store, ob_job *job)
{
    char *data;
    DWORD size;
    assert_hr_equal(ob_job_record_write(job, &data, &size), S_OK);
    assert_hr_equal(ob_store_save(store, ob_job_id(job), data, size), S_OK);
    HeapFree(GetProcessHeap(), 0, data);
}

static seen_records load_all(ob_store *store)
{
    seen_records seen = { 0 };
    ULONG refused = 9;
    assert_hr_equal(ob_store_load(store, note_record, &seen, &refused), S_OK);
    assert_int_equal(refused, 0);
    return seen;
}

/* The snapshot and the loose files: for each job the highest generation
 * wins, so compaction leaves one file, a newer loose record overrides the
 * snapshot, a tombstone removes a job the snapshot holds, loose files left
 * over by a crash between a compaction's rename and its deletions are
 * ignored, and a snapshot cut short keeps the records before the cut. */
static void test_snapshot_and_loose_files(void **state)
{
    ob_table *table = ob_table_new(&(ob_limits){ 300, 300, 300, 4 }, NULL);
    const WCHAR *dir = ts_path(L"snap");
    WCHAR old_a[MAX_PATH], job_a[MAX_PATH], guid[40], snapshot[MAX_PATH];
    ob_store *store;
    ob_job *a, *b;
    seen_records seen;
    HANDLE file;

    assert_hr_equal(ob_caller_current(&et_caller), S_OK);
    assert_hr_equal(ob_store_open(dir, &store), S_OK);
    a = job_with_everything(table, &et_caller);
    b = job_with_everything(table, &et_caller);
    assert_hr_equal(ob_job_set_description(a, L"a one"), S_OK);
    assert_hr_equal(ob_job_set_description(b, L"b one"), S_OK);
    save_job(store, a);
    save_job(store, b);
    StringFromGUID2(ob_job_id(a), guid, ARRAYSIZE(guid));
    swprintf(job_a, MAX_PATH, L"%ls\\%ls.job", dir, guid);
    swprintf(old_a, MAX_PATH, L"%ls\\old-a", dir);
    assert_true(CopyFileW(job_a, old_a, FALSE));
    assert_int_equal(ob_store_loose(store), 2);

    assert_hr_equal(ob_store_compact(store), S_OK);
    assert_int_equal(ob_store_loose(store), 0);
    assert_int_equal(ts_count_files(L"snap\\*.job"), 0);
    assert_int_equal(load_all(store).count, 2);

    /* newer than the snapshot: a's loose record wins */
    assert_hr_equal(ob_job_set_description(a, L"a two"), S_OK);
    save_job(store, a);
    seen = load_all(store);
    assert_int_equal(seen.count, 2);
    assert_true(!wcscmp(seen.descriptions[0], L"a two") || !wcscmp(seen.descriptions[1], L"a two"));
    /* b ended: its tombstone hides the snapshot's record */
    assert_hr_equal(ob_store_delete(store, ob_job_id(b)), S_OK);
    seen = load_all(store);
    assert_int_equal(seen.count, 1);
    assert_true(!wcscmp(seen.descriptions[0], L"a two"));

    /* compacted again; then a stale loose file (a's first record, older than
     * the snapshot) as a crash between rename and deletions leaves it */
    assert_hr_equal(ob_store_compact(store), S_OK);
    assert_true(MoveFileW(old_a, job_a));
    seen = load_all(store);
    assert_int_equal(seen.count, 1);
    assert_true(!wcscmp(seen.descriptions[0], L"a two"));

    /* a snapshot cut short: what was read whole before the cut stays */
    save_job(store, b);
    assert_hr_equal(ob_store_compact(store), S_OK);
    swprintf(snapshot, MAX_PATH, L"%ls\\jobs.snapshot", dir);
    file = CreateFileW(snapshot, GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
    assert_true(file != INVALID_HANDLE_VALUE);
    assert_true(SetFilePointer(file, -100, NULL, FILE_END) != INVALID_SET_FILE_POINTER);
    assert_true(SetEndOfFile(file));
    CloseHandle(file);
    {
        ULONG count = 0, refused = 0;
        assert_hr_equal(ob_store_load(store, count_record, &count, &refused), S_OK);
        /* the last record is cut: it is not there to read (the trace says so);
         * the one before it loads */
        assert_int_equal(count, 1);
        assert_int_equal(refused, 0);
    }
    ob_store_free(store);
    end_jobs(table, a, b);
}

static ob_engine *engine_on_store(const WCHAR *dir)
{
    ob_engine_config config = { 0 };
    ob_engine *engine;
    config.limits = ob_limits_default();
    config.unit_ms = ET_UNIT_MS;
    config.store_dir = dir;
    assert_hr_equal(ob_engine_new(&config, &engine), S_OK);
    ob_engine_start(engine);
    return engine;
}

/* The same jobs after the engine is made again on its store: a suspended
 * job with every property, and a download stopped mid-file that continues
 * with a Range request from its saved bytes and arrives byte-exact; a
 * cancelled job leaves nothing in the store. */
static void test_engine_restart_restores_and_resumes(void **state)
{
    const UINT64 size = 3000000;
    const WCHAR *dir = ts_path(L"jobs");
    ob_engine *engine = engine_on_store(dir);
    ob_table *table = ob_engine_table(engine);
    ob_job *kept, *moving, *gone, *back;
    GUID kept_id, moving_id, gone_id;
    /* the server asks for Basic credentials: the job has them after the restart too */
    BG_FILE_INFO file = { (WCHAR *)ts_http_url("/data/3000000?rate=600000&auth=user:secret"),
                          (WCHAR *)ts_path(L"resumed.bin") };
    BG_AUTH_CREDENTIALS c = { BG_AUTH_TARGET_SERVER, BG_AUTH_SCHEME_BASIC };
    char *before, *stats;
    DWORD before_size, stats_size;
    UINT64 saved;

    assert_hr_equal(ob_caller_current(&et_caller), S_OK);
    free(ts_http_get(ts_http_url("/stats?reset=1"), &stats_size));
    kept = job_with_everything(table, &et_caller);
    kept_id = *ob_job_id(kept);
    assert_hr_equal(ob_table_create_job(table, L"moving", BG_JOB_TYPE_DOWNLOAD, &et_caller, &moving), S_OK);
    moving_id = *ob_job_id(moving);
    assert_hr_equal(ob_table_add_files(table, moving, 1, &file, &et_caller), S_OK);
    c.Credentials.Basic.UserName = (WCHAR *)L"user";
    c.Credentials.Basic.Password = (WCHAR *)L"secret";
    assert_hr_equal(ob_job_set_credentials(moving, &c), S_OK);
    assert_hr_equal(ob_table_create_job(table, L"gone", BG_JOB_TYPE_DOWNLOAD, &et_caller, &gone), S_OK);
    gone_id = *ob_job_id(gone);
    assert_hr_equal(ob_job_resume(moving), S_OK);
    /* past one bounded-rate save of progress */
    assert_true(et_wait_bytes(moving, 600000));
    Sleep(OB_SAVE_EVERY_MS + 500);
    assert_hr_equal(ob_job_cancel(gone), S_OK);
    ob_engine_flush_store(engine);
    assert_hr_equal(ob_job_record_write(kept, &before, &before_size), S_OK);
    ob_job_release(gone);
    ob_job_release(moving);
    ob_job_release(kept);
    ob_engine_free(engine); /* stops the transfer where it is: its state stays TRANSFERRING */
    assert_int_equal(ts_count_files(L"jobs\\*.job"), 2);
    back = stored_job(dir, &moving_id);
    saved = et_progress(back).BytesTransferred; /* saved at the bounded rate, less than arrived */
    assert_int_equal(et_state(back), BG_JOB_STATE_QUEUED);
    ob_job_release(back);
    assert_true(saved >= 600000 && saved < size);

    engine = engine_on_store(dir);
    table = ob_engine_table(engine);
    assert_int_equal(ob_engine_job_count(engine), 2);
    assert_hr_equal(ob_table_get_job(table, &gone_id, &et_caller, &back), BG_E_NOT_FOUND);
    assert_hr_equal(ob_table_get_job(table, &kept_id, &et_caller, &kept), S_OK);
    {
        ob_job *was;
        assert_hr_equal(ob_job_record_read(before, before_size, &was), S_OK);
        assert_same_job(was, kept);
        ob_job_release(was);
    }
    HeapFree(GetProcessHeap(), 0, before);
    assert_hr_equal(ob_table_get_job(table, &moving_id, &et_caller, &moving), S_OK);
    assert_true(et_progress(moving).BytesTransferred >= saved);
    et_assert_state(moving, BG_JOB_STATE_TRANSFERRED);
    assert_hr_equal(ob_job_complete(moving), S_OK);
    assert_true(ts_file_has_pattern(ts_path(L"resumed.bin"), size));
    /* the second run asked for the rest, from where the store said */
    stats = (char *)ts_http_get(ts_http_url("/stats"), &stats_size);
    {
        char wanted[64];
        sprintf(wanted, "bytes=%llu-", (unsigned long long)saved);
        if (!strstr(stats, wanted)) fail_msg("no request for %s in %s", wanted, stats);
    }
    free(stats);
    assert_hr_equal(ob_job_cancel(kept), S_OK);
    ob_job_release(moving);
    ob_job_release(kept);
    ob_engine_free(engine);
    assert_int_equal(records_in(dir), 0); /* both ended: out of the store */
}

/* ERROR and TRANSIENT_ERROR jobs come back in their state with their error
 * (code, context, file) and, for the transient one, a retry still to come;
 * a download whose temporary file vanished while no engine ran starts that
 * file again from zero, never trusting the store's byte count blindly. */
static void test_errors_and_lost_temporaries_after_restart(void **state)
{
    const WCHAR *dir = ts_path(L"error-jobs");
    ob_engine *engine = engine_on_store(dir);
    ob_table *table = ob_engine_table(engine);
    BG_FILE_INFO missing = { (WCHAR *)ts_http_url("/status/404"), (WCHAR *)ts_path(L"e404.bin") };
    BG_FILE_INFO refused = { L"http://127.0.0.1:9/nobody", (WCHAR *)ts_path(L"e9.bin") };
    BG_FILE_INFO slow = { (WCHAR *)ts_http_url("/data/2000000?rate=400000"), (WCHAR *)ts_path(L"lost.bin") };
    ob_job *failed, *transient, *moving;
    GUID failed_id, transient_id, moving_id;
    ob_error_info before, after;

    assert_hr_equal(ob_caller_current(&et_caller), S_OK);
    assert_hr_equal(ob_table_create_job(table, L"404", BG_JOB_TYPE_DOWNLOAD, &et_caller, &failed), S_OK);
    assert_hr_equal(ob_table_create_job(table, L"refused", BG_JOB_TYPE_DOWNLOAD, &et_caller, &transient), S_OK);
    assert_hr_equal(ob_table_create_job(table, L"lost", BG_JOB_TYPE_DOWNLOAD, &et_caller, &moving), S_OK);
    failed_id = *ob_job_id(failed);
    transient_id = *ob_job_id(transient);
    moving_id = *ob_job_id(moving);
    assert_hr_equal(ob_table_add_files(table, failed, 1, &missing, &et_caller), S_OK);
    assert_hr_equal(ob_table_add_files(table, transient, 1, &refused, &et_caller), S_OK);
    assert_hr_equal(ob_table_add_files(table, moving, 1, &slow, &et_caller), S_OK);
    assert_hr_equal(ob_job_set_retry_delay(transient, 600), S_OK); /* 6 s of ET_UNIT_MS: not before the check */
    assert_hr_equal(ob_job_resume(failed), S_OK);
    assert_hr_equal(ob_job_resume(transient), S_OK);
    assert_hr_equal(ob_job_resume(moving), S_OK);
    et_assert_state(failed, BG_JOB_STATE_ERROR);
    et_assert_state(transient, BG_JOB_STATE_TRANSIENT_ERROR);
    assert_true(et_wait_bytes(moving, 400000));
    Sleep(OB_SAVE_EVERY_MS + 500);
    before = et_error(failed);
    ob_job_release(failed);
    ob_job_release(transient);
    ob_job_release(moving);
    ob_engine_free(engine);
    /* while no engine runs, the partial download's temporary file goes */
    assert_int_equal(ts_count_files(L"BIT*.tmp"), 1);
    {
        WCHAR pattern[MAX_PATH], path[MAX_PATH];
        WIN32_FIND_DATAW found;
        HANDLE find;
        swprintf(pattern, MAX_PATH, L"%ls", ts_path(L"BIT*.tmp"));
        find = FindFirstFileW(pattern, &found);
        assert_true(find != INVALID_HANDLE_VALUE);
        FindClose(find);
        swprintf(path, MAX_PATH, L"%ls", ts_path(found.cFileName));
        assert_true(DeleteFileW(path));
    }

    engine = engine_on_store(dir);
    table = ob_engine_table(engine);
    assert_hr_equal(ob_table_get_job(table, &failed_id, &et_caller, &failed), S_OK);
    assert_hr_equal(ob_table_get_job(table, &transient_id, &et_caller, &transient), S_OK);
    assert_hr_equal(ob_table_get_job(table, &moving_id, &et_caller, &moving), S_OK);
    assert_int_equal(et_state(failed), BG_JOB_STATE_ERROR);
    after = et_error(failed);
    assert_hr_equal(after.code, before.code);
    assert_hr_equal(after.code, 0x80190194); /* BG_E_HTTP_ERROR_404 */
    assert_int_equal(after.context, before.context);
    assert_int_equal(after.file_index, before.file_index);
    assert_int_equal(et_state(transient), BG_JOB_STATE_TRANSIENT_ERROR);
    assert_int_equal(et_error(transient).context, BG_ERROR_CONTEXT_REMOTE_FILE);
    /* the lost file starts again and arrives whole */
    et_assert_state(moving, BG_JOB_STATE_TRANSFERRED);
    assert_hr_equal(ob_job_complete(moving), S_OK);
    assert_true(ts_file_has_pattern(ts_path(L"lost.bin"), 2000000));
    assert_hr_equal(ob_job_cancel(failed), S_OK);
    assert_hr_equal(ob_job_cancel(transient), S_OK);
    ob_job_release(failed);
    ob_job_release(transient);
    ob_job_release(moving);
    ob_engine_free(engine);
}

/* An upload stopped mid-file by the engine's end comes back QUEUED with its
 * session: the next engine asks the server where it stands and continues
 * the same session (one Create-Session in all), and the server ends up
 * with every byte. */
static void test_upload_continues_its_session_after_restart(void **state)
{
    const DWORD size = 6 * 1024 * 1024 + 11;
    const WCHAR *dir = ts_path(L"upload-jobs");
    ob_engine *engine = engine_on_store(dir);
    BG_FILE_INFO file = { (WCHAR *)ts_upload_url("/upload/restart.bin?slowread=1048576"), (WCHAR *)ts_path(L"up.bin") };
    ob_job *job;
    GUID id;
    char *uploaded;
    DWORD got = 0;
    UINT64 acked;

    assert_hr_equal(ob_caller_current(&et_caller), S_OK);
    ts_write_pattern_file(ts_path(L"up.bin"), size);
    free(ts_http_get(ts_upload_url("/stats?reset=1"), &got));
    assert_hr_equal(ob_table_create_job(ob_engine_table(engine), L"upload", BG_JOB_TYPE_UPLOAD, &et_caller, &job),
                    S_OK);
    id = *ob_job_id(job);
    assert_hr_equal(ob_table_add_files(ob_engine_table(engine), job, 1, &file, &et_caller), S_OK);
    assert_hr_equal(ob_job_resume(job), S_OK);
    assert_true(et_wait_bytes(job, 1));       /* a fragment acknowledged */
    Sleep(OB_SAVE_EVERY_MS + 500);
    ob_job_release(job);
    ob_engine_free(engine);
    job = stored_job(dir, &id);
    acked = et_progress(job).BytesTransferred;
    ob_job_release(job);
    assert_true(acked > 0 && acked < size);

    engine = engine_on_store(dir);
    assert_hr_equal(ob_table_get_job(ob_engine_table(engine), &id, &et_caller, &job), S_OK);
    et_assert_state(job, BG_JOB_STATE_TRANSFERRED);
    assert_hr_equal(ob_job_complete(job), S_OK);
    ob_job_release(job);
    ob_engine_free(engine);
    assert_int_equal(ts_upload_stats_count("/upload/restart.bin", "\"event\": \"created\""), 1);
    uploaded = (char *)ts_http_get(ts_upload_url("/uploaded/upload/restart.bin"), &got);
    assert_non_null(uploaded);
    assert_int_equal(got, size);
    assert_true(ts_bytes_have_pattern((BYTE *)uploaded, size));
    free(uploaded);
}

/* The helper dies right after Complete renamed the first of two files (or
 * Cancel deleted the first temporary file): an engine made again on the
 * store finishes what was begun.  Complete: both destinations whole, no
 * temporary file, no job; Cancel: no destination, no temporary file, no
 * job. */
static void crash_mid_ending(const WCHAR *mode, BOOL completing)
{
    const WCHAR *exe = ts_env_path(L"OPENBITS_STORE_CRASH_HELPER");
    const WCHAR *dir = ts_path(L"crash-store");
    WCHAR line[4096];
    ts_run_result run;
    ob_engine *engine;
    ULONG i;

    ts_write_pattern_file(ts_path(L"src-1.bin"), 2000000);
    ts_write_pattern_file(ts_path(L"src-2.bin"), 3000000);
    swprintf(line, ARRAYSIZE(line), L"\"%ls\"", exe);
    ts_append_arg(line, ARRAYSIZE(line), dir);
    ts_append_arg(line, ARRAYSIZE(line), ts_path(L"src-1.bin"));
    ts_append_arg(line, ARRAYSIZE(line), ts_path(L"src-2.bin"));
    ts_append_arg(line, ARRAYSIZE(line), ts_path(L"dst-1.bin"));
    ts_append_arg(line, ARRAYSIZE(line), ts_path(L"dst-2.bin"));
    ts_append_arg(line, ARRAYSIZE(line), mode);
    run = ts_run(exe, line, 60000);
    /* the fault happened where it was meant to: half done */
    if (run.exit_code != 99) fail_msg("helper exit %lu\nstdout: %s\nstderr: %s", run.exit_code, run.out, run.err);
    ts_run_result_free(&run);
    assert_int_equal(ts_count_files(L"crash-store\\*.job"), 1);
    assert_int_equal(ts_count_files(L"BIT*.tmp"), 1);
    assert_int_equal(ts_count_files(L"dst-*.bin"), completing ? 1 : 0);

    engine = engine_on_store(dir);
    assert_int_equal(ob_engine_job_count(engine), 0);
    ob_engine_flush_store(engine);
    assert_int_equal(ts_count_files(L"BIT*.tmp"), 0);
    for (i = 0; i < 2; i++)
    {
        const WCHAR *dst = i ? ts_path(L"dst-2.bin") : ts_path(L"dst-1.bin");
        if (completing) assert_true(ts_file_has_pattern(dst, i ? 3000000 : 2000000));
        else assert_false(ts_file_exists(dst));
    }
    ob_engine_free(engine);
    assert_int_equal(records_in(dir), 0);
}

static void test_crash_mid_complete_is_finished(void **state)
{
    crash_mid_ending(L"complete", TRUE);
}

static void test_crash_mid_cancel_is_finished(void **state)
{
    crash_mid_ending(L"cancel", FALSE);
}

/* A record that cannot be read is reported where an administrator looks:
 * an error event (ob_event_error; under Wine ReportEventW writes it as an
 * "err:eventlog" line to the process's Unix stderr, which shows in this
 * test's output but cannot be read back, so the check here is the event's
 * trace line), and the other jobs are restored. */
static void test_unreadable_record_raises_an_event(void **state)
{
    const WCHAR *exe = ts_env_path(L"OPENBITS_STORE_CRASH_HELPER");
    ob_table *table = ob_table_new(&(ob_limits){ 300, 300, 300, 4 }, NULL);
    const WCHAR *dir = ts_path(L"event-store");
    WCHAR line[1024];
    ts_run_result run;
    ob_store *store;
    ob_job *job;
    GUID stray;

    assert_hr_equal(ob_caller_current(&et_caller), S_OK);
    assert_hr_equal(ob_store_open(dir, &store), S_OK);
    job = job_with_everything(table, &et_caller);
    save_job(store, job);
    assert_hr_equal(CoCreateGuid(&stray), S_OK);
    assert_hr_equal(ob_store_save(store, &stray, "openbits-job=1\nnot a job\n", 25), S_OK);
    ob_store_free(store);

    swprintf(line, ARRAYSIZE(line), L"\"%ls\"", exe);
    ts_append_arg(line, ARRAYSIZE(line), dir);
    ts_append_arg(line, ARRAYSIZE(line), L"load");
    SetEnvironmentVariableW(L"WINEDEBUG", L"-all,err+eventlog");
    SetEnvironmentVariableW(L"OPENBITS_TRACE", ts_path(L"event.trace"));
    run = ts_run(exe, line, 60000);
    SetEnvironmentVariableW(L"OPENBITS_TRACE", NULL);
    SetEnvironmentVariableW(L"WINEDEBUG", NULL);
    if (run.exit_code || strcmp(run.out, "1\n"))
        fail_msg("exit %lu\nstdout: %s\nstderr: %s", run.exit_code, run.out, run.err);
    ts_run_result_free(&run);
    {
        static char trace[65536];
        HANDLE file = CreateFileW(ts_path(L"event.trace"), GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL,
                                  OPEN_EXISTING, 0, NULL);
        DWORD got = 0;
        assert_true(file != INVALID_HANDLE_VALUE);
        ReadFile(file, trace, sizeof(trace) - 1, &got, NULL);
        CloseHandle(file);
        trace[got] = 0;
        if (!strstr(trace, "event: openbits: a job in the store")) fail_msg("no event in the trace: %s", trace);
    }
    assert_int_equal(ts_count_files(L"event-store\\*.bad"), 1);
    assert_hr_equal(ob_job_cancel(job), S_OK);
    ob_job_release(job);
    ob_table_free(table);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_record_round_trip, teardown),
        cmocka_unit_test_teardown(test_credentials_are_never_stored_in_clear, teardown),
        cmocka_unit_test_teardown(test_damaged_record_is_refused, teardown),
        cmocka_unit_test_teardown(test_store_folder, teardown),
        cmocka_unit_test_teardown(test_snapshot_and_loose_files, teardown),
        cmocka_unit_test_teardown(test_engine_restart_restores_and_resumes, teardown),
        cmocka_unit_test_teardown(test_upload_continues_its_session_after_restart, teardown),
        cmocka_unit_test_teardown(test_errors_and_lost_temporaries_after_restart, teardown),
        cmocka_unit_test_teardown(test_crash_mid_complete_is_finished, teardown),
        cmocka_unit_test_teardown(test_crash_mid_cancel_is_finished, teardown),
        cmocka_unit_test_teardown(test_unreadable_record_raises_an_event, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
