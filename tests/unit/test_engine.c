/* The engine object (engine.c): two engines side by side, stop, the threads
 * it tracks; the commit step (ModificationTime and notifications for every
 * change, none for a change that changes nothing). */
#include "engine_test_util.h"
#include "notify.h"
#include "str.h"
#include "transport.h"
#include <tlhelp32.h>
#include <stdio.h>

/* ---- helpers ---- */

/* Threads of this process, as the system sees them. */
static ULONG process_threads(void)
{
    HANDLE snap = CreateToolhelp32Snapshot(TH32CS_SNAPTHREAD, 0);
    THREADENTRY32 entry = { sizeof(entry) };
    DWORD self = GetCurrentProcessId();
    ULONG count = 0;

    assert_true(snap != INVALID_HANDLE_VALUE);
    if (Thread32First(snap, &entry))
        do
            if (entry.th32OwnerProcessID == self) count++;
        while (Thread32Next(snap, &entry));
    CloseHandle(snap);
    return count;
}

/* Other parts of the process (Wine's own helpers) may still be winding
 * down a moment after a test: wait, generously, for the count to fall. */
static BOOL process_threads_back_to(ULONG baseline)
{
    ULONGLONG until = GetTickCount64() + ET_WAIT_MS;
    while (process_threads() > baseline && GetTickCount64() < until) Sleep(10);
    return process_threads() <= baseline;
}

static ob_job *job_in(ob_engine *engine, BG_JOB_TYPE type)
{
    ob_job *job;
    assert_hr_equal(ob_table_create_job(ob_engine_table(engine), L"engine test", type, &et_caller, &job), S_OK);
    return job;
}

static void add_file_in(ob_engine *engine, ob_job *job, const WCHAR *remote, const WCHAR *local)
{
    BG_FILE_INFO info = { (WCHAR *)remote, (WCHAR *)local };
    assert_hr_equal(ob_table_add_files(ob_engine_table(engine), job, 1, &info, &et_caller), S_OK);
}

static ULONGLONG modified_at(ob_job *job)
{
    ob_job_info info;
    ob_job_get_info(job, &info);
    return ((ULONGLONG)info.times.ModificationTime.dwHighDateTime << 32) | info.times.ModificationTime.dwLowDateTime;
}

static int setup(void **state)
{
    assert_hr_equal(ob_caller_current(&et_caller), S_OK);
    return 0;
}

static int teardown(void **state)
{
    ts_cleanup();
    return 0;
}

/* ---- two engines ---- */

static void test_two_engines_side_by_side(void **state)
{
    ULONG baseline = process_threads();
    ob_engine *a = et_new_engine(2), *b = et_new_engine(2);
    test_sink sink_a, sink_b;
    ob_job *job_a, *job_b, *found;

    ts_sink_init(&sink_a);
    ts_sink_init(&sink_b);
    ob_engine_start(a);
    ob_engine_start(b);
    ts_write_pattern_file(ts_path(L"two-src.bin"), 300000);

    job_a = job_in(a, BG_JOB_TYPE_DOWNLOAD);
    job_b = job_in(b, BG_JOB_TYPE_DOWNLOAD);
    /* each table has only its own job */
    assert_int_equal(ob_engine_job_count(a), 1);
    assert_int_equal(ob_engine_job_count(b), 1);
    assert_hr_equal(ob_table_get_job(ob_engine_table(b), ob_job_id(job_a), &et_caller, &found), BG_E_NOT_FOUND);
    assert_hr_equal(ob_table_get_job(ob_engine_table(a), ob_job_id(job_b), &et_caller, &found), BG_E_NOT_FOUND);
    assert_hr_equal(ob_table_get_job(ob_engine_table(a), ob_job_id(job_a), &et_caller, &found), S_OK);
    assert_ptr_equal(found, job_a);
    ob_job_release(found);

    assert_hr_equal(ob_job_set_notify_sink(job_a, &sink_a.sink), S_OK);
    assert_hr_equal(ob_job_set_notify_sink(job_b, &sink_b.sink), S_OK);
    add_file_in(a, job_a, ts_path(L"two-src.bin"), ts_path(L"two-a.bin"));
    add_file_in(b, job_b, ts_path(L"two-src.bin"), ts_path(L"two-b.bin"));
    assert_hr_equal(ob_job_resume(job_a), S_OK);
    assert_hr_equal(ob_job_resume(job_b), S_OK);
    et_assert_state(job_a, BG_JOB_STATE_TRANSFERRED);
    et_assert_state(job_b, BG_JOB_STATE_TRANSFERRED);
    /* each engine's notifier tells its own job's sink */
    assert_true(ts_sink_wait(&sink_a, OB_NOTIFY_JOB_TRANSFERRED, 1));
    assert_true(ts_sink_wait(&sink_b, OB_NOTIFY_JOB_TRANSFERRED, 1));
    assert_ptr_equal(sink_a.transferred_order[0], job_a);
    assert_ptr_equal(sink_b.transferred_order[0], job_b);
    assert_true(ob_engine_threads_alive(a) > 0); /* workers and notifiers, idle now */

    /* stopping one leaves the other running */
    assert_hr_equal(ob_job_complete(job_a), S_OK);
    ob_job_release(job_a);
    ob_engine_stop(a);
    assert_int_equal(ob_engine_threads_alive(a), 0);
    assert_hr_equal(ob_job_complete(job_b), S_OK);
    ob_job_release(job_b);
    job_b = job_in(b, BG_JOB_TYPE_DOWNLOAD);
    add_file_in(b, job_b, ts_path(L"two-src.bin"), ts_path(L"two-b2.bin"));
    assert_hr_equal(ob_job_resume(job_b), S_OK);
    et_assert_state(job_b, BG_JOB_STATE_TRANSFERRED);
    assert_hr_equal(ob_job_complete(job_b), S_OK);
    ob_job_release(job_b);
    ob_engine_stop(b);
    assert_int_equal(ob_engine_threads_alive(b), 0);

    ob_engine_free(a);
    ob_engine_free(b);
    /* no thread either engine started is left */
    assert_true(process_threads_back_to(baseline));
    assert_int_equal(sink_a.refs, 1);
    assert_int_equal(sink_b.refs, 1);
}

/* Stop cancels nothing: a job stopped mid-transfer keeps its state and its
 * partial file; the worker blocked on a trickling server is gone. */
static void test_stop_keeps_jobs_as_they_were(void **state)
{
    ULONG baseline = process_threads();
    ob_engine *engine = et_new_engine(2);
    BG_JOB_PROGRESS progress;
    ob_job *job;

    ob_engine_start(engine);
    job = job_in(engine, BG_JOB_TYPE_DOWNLOAD);
    add_file_in(engine, job, ts_http_url("/data/20000000?rate=200000"), ts_path(L"stop.bin"));
    assert_hr_equal(ob_job_resume(job), S_OK);
    assert_true(et_wait_bytes(job, 1));
    ob_engine_stop(engine);
    assert_int_equal(ob_engine_threads_alive(engine), 0);
    assert_int_equal(et_state(job), BG_JOB_STATE_TRANSFERRING);
    ob_job_get_progress(job, &progress);
    assert_true(progress.BytesTransferred > 0 && progress.BytesTransferred < progress.BytesTotal);
    assert_int_equal(ts_count_files(L"BIT*.tmp"), 1);
    /* stopped: nothing runs any more, even for a job queued now */
    assert_hr_equal(ob_job_suspend(job), S_OK);
    assert_hr_equal(ob_job_resume(job), S_OK);
    Sleep(200);
    assert_int_equal(ob_engine_threads_alive(engine), 0);
    assert_int_equal(et_state(job), BG_JOB_STATE_QUEUED);
    assert_hr_equal(ob_job_cancel(job), S_OK);
    ob_job_release(job);
    ob_engine_free(engine);
    assert_true(process_threads_back_to(baseline));
}

/* ---- the commit step ---- */

/* An engine that is not started: the test plays the scheduler's part. */
typedef struct bench {
    ob_engine *engine;
    test_sink sink;
    ob_job *job;
    LONG seen;                 /* JobModification delivered so far */
} bench;

static void bench_start(bench *b)
{
    b->engine = et_new_engine(1);
    ts_sink_init(&b->sink);
    b->sink.answer = S_OK;
    b->job = job_in(b->engine, BG_JOB_TYPE_DOWNLOAD);
    ts_write_pattern_file(ts_path(L"commit-src.bin"), 1000);
    add_file_in(b->engine, b->job, ts_path(L"commit-src.bin"), ts_path(L"commit.bin"));
    assert_hr_equal(ob_job_set_notify_sink(b->job, &b->sink.sink), S_OK);
    assert_hr_equal(ob_job_set_notify_flags(b->job, BG_NOTIFY_JOB_MODIFICATION | BG_NOTIFY_JOB_ERROR |
                                                        BG_NOTIFY_JOB_TRANSFERRED), S_OK);
    assert_true(ts_sink_wait(&b->sink, OB_NOTIFY_JOB_MODIFICATION, 1)); /* the flags themselves */
    b->seen = ts_sink_count(&b->sink, OB_NOTIFY_JOB_MODIFICATION);
}

static void bench_stop(bench *b)
{
    assert_hr_equal(ob_job_cancel(b->job), S_OK);
    ob_job_release(b->job);
    ob_engine_free(b->engine);
    assert_int_equal(b->sink.refs, 1);
}

/* Before a change: a clock tick later than the last one. */
static ULONGLONG before_change(bench *b)
{
    ULONGLONG t = modified_at(b->job);
    Sleep(20);
    return t;
}

/* After it: ModificationTime moved and one more JobModification came. */
static void assert_committed(bench *b, ULONGLONG before, BG_JOB_STATE state)
{
    assert_int_equal(et_state(b->job), state);
    assert_true(modified_at(b->job) > before);
    assert_true(ts_sink_wait(&b->sink, OB_NOTIFY_JOB_MODIFICATION, b->seen + 1));
    b->seen = ts_sink_count(&b->sink, OB_NOTIFY_JOB_MODIFICATION);
}

/* BG_JOB_TIMES: "changes to the state of the job ... change this value";
 * JobModification: "the job's state changed".  Each engine event does both:
 * CONNECT, TRANSFER, preemption back to QUEUED, TRANSIENT_ERROR, RETRY and
 * NoProgressTimeout to ERROR. */
static void test_every_engine_event_is_committed(void **state)
{
    ob_error_info error = { HRESULT_FROM_WIN32(ERROR_NETNAME_DELETED), BG_ERROR_CONTEXT_REMOTE_FILE, 0, OB_REMOTE_FILE };
    ob_change change = OB_NO_CHANGE;
    BG_JOB_PRIORITY priority;
    LONGLONG seq;
    ULONG wait;
    WCHAR *temp;
    ob_remote_info expected;
    UINT64 offset;
    ULONGLONG t;
    bench b;

    bench_start(&b);
    t = before_change(&b);
    assert_hr_equal(ob_job_resume(b.job), S_OK);
    assert_committed(&b, t, BG_JOB_STATE_QUEUED);

    /* CONNECT: the scheduler claims it, and commits once it lets go of its lock */
    t = before_change(&b);
    assert_true(ob_job_sched_claim(b.job, &change));
    assert_true(change.modified && change.state_changed && change.state == BG_JOB_STATE_CONNECTING);
    ob_job_commit(b.job, &change);
    assert_committed(&b, t, BG_JOB_STATE_CONNECTING);

    /* TRANSFER */
    t = before_change(&b);
    assert_hr_equal(ob_job_file_begin(b.job, 0, &temp, &offset, &expected), S_OK);
    ob_str_free(temp);
    assert_committed(&b, t, BG_JOB_STATE_TRANSFERRING);

    /* preempted: back to QUEUED */
    t = before_change(&b);
    assert_true(ob_job_sched_preempt(b.job, BG_JOB_PRIORITY_NORMAL));
    ob_job_sched_unclaim(b.job);
    assert_committed(&b, t, BG_JOB_STATE_QUEUED);

    /* TRANSIENT_ERROR, then RETRY once MinimumRetryDelay has passed */
    change = (ob_change)OB_NO_CHANGE;
    assert_true(ob_job_sched_claim(b.job, &change));
    ob_job_commit(b.job, &change);
    assert_true(ts_sink_wait(&b.sink, OB_NOTIFY_JOB_MODIFICATION, b.seen + 1));
    b.seen = ts_sink_count(&b.sink, OB_NOTIFY_JOB_MODIFICATION);
    t = before_change(&b);
    assert_int_equal(ob_job_fail(b.job, &error, TRUE, ET_UNIT_MS), BG_JOB_STATE_TRANSIENT_ERROR);
    ob_job_sched_unclaim(b.job);
    assert_committed(&b, t, BG_JOB_STATE_TRANSIENT_ERROR);

    t = before_change(&b);
    change = (ob_change)OB_NO_CHANGE;
    assert_int_equal(ob_job_sched_poll(b.job, GetTickCount64() + OB_DEFAULT_RETRY_DELAY * ET_UNIT_MS, ET_UNIT_MS,
                                       &priority, &seq, &wait, &change), OB_SCHED_RUNNABLE);
    assert_true(change.modified && change.state == BG_JOB_STATE_QUEUED);
    ob_job_commit(b.job, &change);
    assert_committed(&b, t, BG_JOB_STATE_QUEUED);

    /* NoProgressTimeout runs out: ERROR, with JobError */
    change = (ob_change)OB_NO_CHANGE;
    assert_true(ob_job_sched_claim(b.job, &change));
    ob_job_commit(b.job, &change);
    assert_int_equal(ob_job_fail(b.job, &error, TRUE, ET_UNIT_MS), BG_JOB_STATE_TRANSIENT_ERROR);
    ob_job_sched_unclaim(b.job);
    assert_true(ts_sink_wait(&b.sink, OB_NOTIFY_JOB_MODIFICATION, b.seen + 1));
    b.seen = ts_sink_count(&b.sink, OB_NOTIFY_JOB_MODIFICATION);
    t = before_change(&b);
    change = (ob_change)OB_NO_CHANGE;
    assert_int_equal(ob_job_sched_poll(b.job, GetTickCount64() + (ULONGLONG)OB_DEFAULT_NO_PROGRESS * ET_UNIT_MS,
                                       ET_UNIT_MS, &priority, &seq, &wait, &change), OB_SCHED_FAILED);
    assert_true(change.modified && change.state == BG_JOB_STATE_ERROR);
    assert_int_equal(ts_sink_count(&b.sink, OB_NOTIFY_JOB_ERROR), 0);
    ob_job_commit(b.job, &change);
    assert_committed(&b, t, BG_JOB_STATE_ERROR);
    assert_true(ts_sink_wait(&b.sink, OB_NOTIFY_JOB_ERROR, 1));
    bench_stop(&b);
}

/* BG_JOB_TIMES: ModificationTime is also "the time bytes were transferred":
 * a block of a download and an upload's acknowledged bytes each move it (no
 * state or property changes), and a block that moves nothing does not. */
static void test_bytes_transferred_move_modification_time(void **state)
{
    ob_change change = OB_NO_CHANGE;
    ob_remote_info expected;
    UINT64 offset;
    WCHAR *temp;
    ULONGLONG t;
    ob_job *upload;
    bench b;

    bench_start(&b);
    assert_hr_equal(ob_job_resume(b.job), S_OK);
    assert_true(ob_job_sched_claim(b.job, &change));
    ob_job_commit(b.job, &change);
    assert_hr_equal(ob_job_file_begin(b.job, 0, &temp, &offset, &expected), S_OK);
    ob_str_free(temp);

    t = before_change(&b);
    assert_true(ob_job_file_add_bytes(b.job, 0, 100));
    assert_int_equal(et_state(b.job), BG_JOB_STATE_TRANSFERRING);
    assert_true(modified_at(b.job) > t);

    t = before_change(&b);
    assert_true(ob_job_file_add_bytes(b.job, 0, 0));
    assert_true(modified_at(b.job) == t);

    upload = job_in(b.engine, BG_JOB_TYPE_UPLOAD);
    add_file_in(b.engine, upload, L"http://127.0.0.1:1/up", ts_path(L"commit-src.bin"));
    assert_hr_equal(ob_job_resume(upload), S_OK);
    change = (ob_change)OB_NO_CHANGE;
    assert_true(ob_job_sched_claim(upload, &change));
    ob_job_commit(upload, &change);
    t = modified_at(upload);
    Sleep(20);
    assert_true(ob_job_upload_acked(upload, 500));
    assert_true(modified_at(upload) > t);
    t = modified_at(upload);
    Sleep(20);
    assert_true(ob_job_upload_acked(upload, 500)); /* nothing new acknowledged */
    assert_true(modified_at(upload) == t);
    ob_job_sched_unclaim(upload);
    assert_hr_equal(ob_job_cancel(upload), S_OK);
    ob_job_release(upload);
    ob_job_sched_unclaim(b.job);
    bench_stop(&b);
}

/* A started engine does the same for a preempted job: a LOW job gives its
 * only worker to a FOREGROUND one, and its JobModification says so. */
static void test_preempted_job_raises_job_modification(void **state)
{
    ob_engine *engine = et_new_engine(1);
    ob_job *low, *urgent;
    test_sink sink;
    ULONGLONG t;
    LONG seen;

    ts_sink_init(&sink);
    sink.answer = S_OK;
    ob_engine_start(engine);
    ts_write_pattern_file(ts_path(L"urgent-src.bin"), 1000);
    low = job_in(engine, BG_JOB_TYPE_DOWNLOAD);
    add_file_in(engine, low, ts_http_url("/data/20000000?rate=200000"), ts_path(L"low.bin"));
    assert_hr_equal(ob_job_set_priority(low, BG_JOB_PRIORITY_LOW), S_OK);
    assert_hr_equal(ob_job_resume(low), S_OK);
    assert_true(et_wait_bytes(low, 1));
    assert_hr_equal(ob_job_set_notify_sink(low, &sink.sink), S_OK);
    assert_hr_equal(ob_job_set_notify_flags(low, BG_NOTIFY_JOB_MODIFICATION), S_OK);
    assert_true(ts_sink_wait(&sink, OB_NOTIFY_JOB_MODIFICATION, 1));
    t = modified_at(low);
    Sleep(20);
    seen = ts_sink_count(&sink, OB_NOTIFY_JOB_MODIFICATION);

    urgent = job_in(engine, BG_JOB_TYPE_DOWNLOAD);
    add_file_in(engine, urgent, ts_path(L"urgent-src.bin"), ts_path(L"urgent.bin"));
    assert_hr_equal(ob_job_set_priority(urgent, BG_JOB_PRIORITY_FOREGROUND), S_OK);
    assert_hr_equal(ob_job_resume(urgent), S_OK);
    et_assert_state(urgent, BG_JOB_STATE_TRANSFERRED);
    /* the low job went back to the queue and then ran again: both changed it */
    assert_true(modified_at(low) > t);
    assert_true(ts_sink_wait(&sink, OB_NOTIFY_JOB_MODIFICATION, seen + 1));
    assert_hr_equal(ob_job_cancel(urgent), S_OK);
    assert_hr_equal(ob_job_cancel(low), S_OK);
    ob_job_release(urgent);
    ob_job_release(low);
    ob_engine_free(engine);
}

/* Issue 15 item 21: a callback that sets the priority the job already has
 * inside JobModification changes nothing, so it is not called again. */
static void set_same_priority(test_sink *sink, ob_job *job, ob_notify_kind kind)
{
    ob_job_info info;
    if (kind != OB_NOTIFY_JOB_MODIFICATION) return;
    ob_job_get_info(job, &info);
    ob_job_set_priority(job, info.priority);
}

static void test_setter_in_job_modification_does_not_loop(void **state)
{
    ob_engine *engine = et_new_engine(1);
    ob_job *job = job_in(engine, BG_JOB_TYPE_DOWNLOAD);
    test_sink sink;
    ULONGLONG t;

    ts_sink_init(&sink);
    sink.answer = S_OK;
    sink.on_call = set_same_priority;
    assert_hr_equal(ob_job_set_notify_flags(job, BG_NOTIFY_JOB_MODIFICATION), S_OK);
    assert_hr_equal(ob_job_set_notify_sink(job, &sink.sink), S_OK);
    assert_true(ts_sink_wait(&sink, OB_NOTIFY_JOB_MODIFICATION, 1));
    t = modified_at(job);
    /* a bounded time in which a loop would have called it hundreds of times */
    Sleep(1000);
    assert_int_equal(ts_sink_count(&sink, OB_NOTIFY_JOB_MODIFICATION), 1);
    assert_true(modified_at(job) == t);
    /* a real change is still told */
    assert_hr_equal(ob_job_set_priority(job, BG_JOB_PRIORITY_HIGH), S_OK);
    assert_true(ts_sink_wait(&sink, OB_NOTIFY_JOB_MODIFICATION, 2));
    assert_true(modified_at(job) > t);
    assert_hr_equal(ob_job_cancel(job), S_OK);
    ob_job_release(job);
    ob_engine_free(engine);
}

/* TakeOwnership is a change too, committed once the table lock is let go. */
static void test_take_ownership_is_committed(void **state)
{
    ob_engine *engine = et_new_engine(1);
    ob_job *job = job_in(engine, BG_JOB_TYPE_DOWNLOAD);
    ob_caller admin = et_caller;
    test_sink sink;
    WCHAR *owner;
    ULONGLONG t;

    ts_sink_init(&sink);
    sink.answer = S_OK;
    assert_hr_equal(ob_job_set_notify_sink(job, &sink.sink), S_OK);
    assert_hr_equal(ob_job_set_notify_flags(job, BG_NOTIFY_JOB_MODIFICATION), S_OK);
    assert_true(ts_sink_wait(&sink, OB_NOTIFY_JOB_MODIFICATION, 1));
    t = modified_at(job);
    Sleep(20);
    admin.is_admin = TRUE;
    wcscpy(admin.sid, L"S-1-5-21-9-9-9-500");
    assert_hr_equal(ob_table_take_ownership(ob_engine_table(engine), job, &admin), S_OK);
    assert_hr_equal(ob_job_get_string(job, OB_PROP_OWNER, &owner), S_OK);
    assert_true(!wcscmp(owner, admin.sid));
    CoTaskMemFree(owner);
    assert_true(modified_at(job) > t);
    assert_true(ts_sink_wait(&sink, OB_NOTIFY_JOB_MODIFICATION, 2));
    assert_hr_equal(ob_job_cancel(job), S_OK);
    ob_job_release(job);
    ob_engine_free(engine);
}

/* A client that is gone (its callback answers RPC_E_DISCONNECTED,
 * RPC_S_SERVER_UNAVAILABLE or CO_E_OBJNOTCONNECTED) is dropped at the first
 * such answer: never called again, the job no longer holds it. */
static void test_gone_client_is_dropped(void **state)
{
    static const HRESULT gone[] = { RPC_E_DISCONNECTED, HRESULT_FROM_WIN32(RPC_S_SERVER_UNAVAILABLE),
                                    CO_E_OBJNOTCONNECTED };
    ob_engine *engine = et_new_engine(2);
    test_sink sinks[ARRAYSIZE(gone)];
    ob_job *jobs[ARRAYSIZE(gone)];
    ob_job_info info;
    ULONG i;

    ob_engine_start(engine);
    ts_write_pattern_file(ts_path(L"gone-src.bin"), 1000);
    for (i = 0; i < ARRAYSIZE(gone); i++)
    {
        WCHAR name[32];
        swprintf(name, ARRAYSIZE(name), L"gone%lu.bin", i);
        ts_sink_init(&sinks[i]);
        sinks[i].answer = gone[i];
        jobs[i] = job_in(engine, BG_JOB_TYPE_DOWNLOAD);
        add_file_in(engine, jobs[i], ts_path(L"gone-src.bin"), ts_path(name));
        assert_hr_equal(ob_job_set_notify_sink(jobs[i], &sinks[i].sink), S_OK);
        assert_hr_equal(ob_job_resume(jobs[i]), S_OK);
    }
    for (i = 0; i < ARRAYSIZE(gone); i++)
    {
        et_assert_state(jobs[i], BG_JOB_STATE_TRANSFERRED);
        assert_true(ts_sink_wait(&sinks[i], OB_NOTIFY_JOB_TRANSFERRED, 1));
    }
    /* a failed JobTransferred is retried every 5 units: 20 of them pass */
    Sleep(100 * ET_UNIT_MS);
    for (i = 0; i < ARRAYSIZE(gone); i++)
    {
        assert_int_equal(ts_sink_count(&sinks[i], OB_NOTIFY_JOB_TRANSFERRED), 1);
        ob_job_get_info(jobs[i], &info);
        assert_false(info.has_notify_interface);
        assert_null(ob_job_get_notify_sink(jobs[i]));
        assert_int_equal(sinks[i].refs, 1);
        assert_hr_equal(ob_job_complete(jobs[i]), S_OK);
        ob_job_release(jobs[i]);
    }
    ob_engine_free(engine);
}

/* A callback that merely fails is still retried (documented), not dropped. */
static void test_failing_client_is_retried(void **state)
{
    ob_engine *engine = et_new_engine(1);
    ob_job *job = job_in(engine, BG_JOB_TYPE_DOWNLOAD);
    test_sink sink;

    ts_sink_init(&sink);
    sink.answer = E_FAIL;
    ob_engine_start(engine);
    ts_write_pattern_file(ts_path(L"fail-src.bin"), 1000);
    add_file_in(engine, job, ts_path(L"fail-src.bin"), ts_path(L"fail.bin"));
    assert_hr_equal(ob_job_set_notify_sink(job, &sink.sink), S_OK);
    assert_hr_equal(ob_job_resume(job), S_OK);
    assert_true(ts_sink_wait(&sink, OB_NOTIFY_JOB_TRANSFERRED, 3));
    assert_non_null(ob_job_get_notify_sink(job));
    sink.refs--; /* the reference the getter gave */
    assert_hr_equal(ob_job_complete(job), S_OK);
    ob_job_release(job);
    ob_engine_free(engine);
    assert_int_equal(sink.refs, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_two_engines_side_by_side, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stop_keeps_jobs_as_they_were, setup, teardown),
        cmocka_unit_test_setup_teardown(test_every_engine_event_is_committed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bytes_transferred_move_modification_time, setup, teardown),
        cmocka_unit_test_setup_teardown(test_preempted_job_raises_job_modification, setup, teardown),
        cmocka_unit_test_setup_teardown(test_setter_in_job_modification_does_not_loop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_take_ownership_is_committed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gone_client_is_dropped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failing_client_is_retried, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, ts_group_teardown);
}
