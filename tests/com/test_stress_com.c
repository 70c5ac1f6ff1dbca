/* Thread safety through COM: while jobs download, reader threads call
 * GetProgress without pause and check every snapshot; other threads Suspend,
 * Resume and Cancel the same jobs.  Readers count violations (CMocka asserts
 * only on the main thread): transferred beyond the total, a total that
 * changes once known, or transferred going backwards. */
#include "com_test_util.h"
#include "http_support.h"
#include <stdio.h>

#define JOBS 3
#define FILES 2
#define FILE_SIZE 3000000
#define READERS 4

typedef struct shared {
    IBackgroundCopyJob *jobs[JOBS];
    volatile LONG stop_readers, stop_togglers;
    volatile LONG violations, reads;
} shared;

static void check_snapshot(shared *s, const BG_JOB_PROGRESS *p, BG_JOB_PROGRESS *last)
{
    BOOL bad = FALSE;
    if (p->BytesTotal != BG_SIZE_UNKNOWN && p->BytesTransferred > p->BytesTotal) bad = TRUE;
    if (p->FilesTransferred > p->FilesTotal || p->FilesTotal != FILES) bad = TRUE;
    if (last->BytesTotal != BG_SIZE_UNKNOWN && p->BytesTotal != last->BytesTotal) bad = TRUE;
    if (p->BytesTransferred < last->BytesTransferred || p->FilesTransferred < last->FilesTransferred) bad = TRUE;
    if (p->BytesTotal != BG_SIZE_UNKNOWN && p->BytesTotal != (UINT64)FILES * FILE_SIZE) bad = TRUE;
    if (bad) InterlockedIncrement(&s->violations);
    *last = *p;
}

static DWORD WINAPI reader(void *param)
{
    shared *s = param;
    BG_JOB_PROGRESS last[JOBS], p;
    int i;

    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    for (i = 0; i < JOBS; i++) last[i].BytesTotal = BG_SIZE_UNKNOWN, last[i].BytesTransferred = 0,
                               last[i].FilesTransferred = 0;
    while (!s->stop_readers)
        for (i = 0; i < JOBS; i++)
        {
            if (FAILED(IBackgroundCopyJob_GetProgress(s->jobs[i], &p))) InterlockedIncrement(&s->violations);
            else check_snapshot(s, &p, &last[i]);
            InterlockedIncrement(&s->reads);
        }
    CoUninitialize();
    return 0;
}

/* Suspends and resumes the jobs in turn, at random moments. */
static DWORD WINAPI toggler(void *param)
{
    shared *s = param;
    ULONG seed = GetCurrentThreadId();

    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    while (!s->stop_togglers)
    {
        IBackgroundCopyJob *job = s->jobs[(seed = seed * 1103515245 + 12345) % JOBS];
        HRESULT hr = (seed >> 8) & 1 ? IBackgroundCopyJob_Suspend(job) : IBackgroundCopyJob_Resume(job);
        if (hr != S_OK) InterlockedIncrement(&s->violations);
        Sleep((seed >> 16) % 20);
    }
    CoUninitialize();
    return 0;
}

static HANDLE start(LPTHREAD_START_ROUTINE fn, shared *s)
{
    HANDLE thread = CreateThread(NULL, 0, fn, s, 0, NULL);
    assert_non_null(thread);
    return thread;
}

static void join(HANDLE *threads, int count)
{
    int i;
    assert_int_equal(WaitForMultipleObjects(count, threads, TRUE, 60000), WAIT_OBJECT_0);
    for (i = 0; i < count; i++) CloseHandle(threads[i]);
}

static const WCHAR *local_name(int job, int file)
{
    WCHAR name[32];
    swprintf(name, 32, L"stress-%d-%d.bin", job, file);
    return ts_path(name);
}

static void create_jobs(shared *s)
{
    IBackgroundCopyManager *manager = ct_manager();
    int i, f;
    for (i = 0; i < JOBS; i++)
    {
        s->jobs[i] = ct_create_job(manager, L"stress", BG_JOB_TYPE_DOWNLOAD, NULL);
        for (f = 0; f < FILES; f++)
            assert_hr_equal(IBackgroundCopyJob_AddFile(s->jobs[i], ts_http_url("/data/3000000?rate=3000000"),
                                                       local_name(i, f)),
                            S_OK);
        assert_hr_equal(IBackgroundCopyJob_Resume(s->jobs[i]), S_OK);
    }
    IBackgroundCopyManager_Release(manager);
}

/* Cancel from another thread while the readers keep reading. */
static DWORD WINAPI canceller(void *param)
{
    shared *s = param;
    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    if (IBackgroundCopyJob_Cancel(s->jobs[0]) != S_OK) InterlockedIncrement(&s->violations);
    CoUninitialize();
    return 0;
}

static void test_progress_suspend_resume_cancel_from_threads(void **state)
{
    shared s = { 0 };
    HANDLE readers[READERS], others[2];
    int i, f;

    create_jobs(&s);
    for (i = 0; i < READERS; i++) readers[i] = start(reader, &s);
    others[0] = start(toggler, &s);
    others[1] = start(toggler, &s);
    Sleep(2000);
    s.stop_togglers = TRUE;
    join(others, 2);

    for (i = 0; i < JOBS; i++) assert_hr_equal(IBackgroundCopyJob_Resume(s.jobs[i]), S_OK);
    others[0] = start(canceller, &s);
    join(others, 1);
    for (i = 1; i < JOBS; i++) assert_true(ct_wait_state(s.jobs[i], BG_JOB_STATE_TRANSFERRED));
    s.stop_readers = TRUE;
    join(readers, READERS);

    assert_int_equal(s.violations, 0);
    assert_true(s.reads > 1000);
    print_message("%ld GetProgress calls, 0 inconsistent\n", s.reads);
    assert_int_equal(ct_state(s.jobs[0]), BG_JOB_STATE_CANCELLED);
    for (i = 1; i < JOBS; i++) assert_hr_equal(IBackgroundCopyJob_Complete(s.jobs[i]), S_OK);
    for (i = 0; i < JOBS; i++)
        for (f = 0; f < FILES; f++)
            if (i == 0) assert_false(ts_file_exists(local_name(i, f)));
            else assert_true(ts_file_has_pattern(local_name(i, f), FILE_SIZE));
    assert_int_equal(ts_count_files(L"BIT*.tmp"), 0); /* no temporary file left */
    for (i = 0; i < JOBS; i++) IBackgroundCopyJob_Release(s.jobs[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_progress_suspend_resume_cancel_from_threads, ct_test_teardown),
    };
    return cmocka_run_group_tests(tests, ct_group_setup, ct_group_teardown);
}
