/* Progress accounting against BG_JOB_PROGRESS / BG_FILE_PROGRESS (bits-semantics §1.1). */
#include "test_support.h"
#include "progress.h"

#define GIB ((UINT64)1 << 30)

static BG_JOB_PROGRESS snap(const ob_progress *job)
{
    BG_JOB_PROGRESS out;
    memset(&out, 0xcc, sizeof(out));
    ob_progress_snapshot(job, &out);
    return out;
}

/* The job's totals must always be the sum of its files'. */
static void assert_consistent(const ob_progress *job, const ob_file_progress *files, ULONG count)
{
    UINT64 total = 0, transferred = 0;
    ULONG done = 0, unknown = 0, i;
    BG_JOB_PROGRESS p = snap(job);

    for (i = 0; i < count; i++)
    {
        if (files[i].bytes_total == BG_SIZE_UNKNOWN) unknown++;
        else
        {
            total += files[i].bytes_total;
            assert_true(files[i].bytes_transferred <= files[i].bytes_total);
        }
        transferred += files[i].bytes_transferred;
        done += files[i].completed ? 1 : 0;
    }
    assert_int_equal(p.FilesTotal, count);
    assert_int_equal(p.FilesTransferred, done);
    assert_true(p.BytesTransferred == transferred);
    if (!count) assert_true(p.BytesTotal == 0);
    else if (unknown) assert_true(p.BytesTotal == BG_SIZE_UNKNOWN);
    else assert_true(p.BytesTotal == total);
}

static void test_empty_job_is_all_zeros(void **state)
{
    ob_progress job = { 0 };
    BG_JOB_PROGRESS p = snap(&job);
    assert_true(p.BytesTotal == 0);
    assert_true(p.BytesTransferred == 0);
    assert_int_equal(p.FilesTotal, 0);
    assert_int_equal(p.FilesTransferred, 0);
}

static void test_new_file_has_unknown_size(void **state)
{
    ob_progress job = { 0 };
    ob_file_progress file;
    BG_JOB_PROGRESS p;

    memset(&file, 0xcc, sizeof(file));
    ob_progress_file_added(&job, &file);
    assert_true(file.bytes_total == BG_SIZE_UNKNOWN);
    assert_true(file.bytes_transferred == 0);
    assert_false(file.completed);
    p = snap(&job);
    assert_true(p.BytesTotal == BG_SIZE_UNKNOWN);
    assert_true(p.BytesTransferred == 0);
    assert_int_equal(p.FilesTotal, 1);
    assert_int_equal(p.FilesTransferred, 0);
}

static void test_total_unknown_until_every_size_known(void **state)
{
    ob_progress job = { 0 };
    ob_file_progress files[4];
    int i;

    for (i = 0; i < 3; i++) ob_progress_file_added(&job, &files[i]);
    ob_progress_set_size(&job, &files[0], 100);
    assert_true(snap(&job).BytesTotal == BG_SIZE_UNKNOWN);
    ob_progress_set_size(&job, &files[2], 300);
    assert_true(snap(&job).BytesTotal == BG_SIZE_UNKNOWN);
    ob_progress_set_size(&job, &files[1], 0);
    assert_true(snap(&job).BytesTotal == 400);
    /* setting the same size again changes nothing */
    ob_progress_set_size(&job, &files[0], 100);
    assert_true(snap(&job).BytesTotal == 400);
    assert_consistent(&job, files, 3);

    /* a file added later makes the total unknown again */
    ob_progress_file_added(&job, &files[3]);
    assert_true(snap(&job).BytesTotal == BG_SIZE_UNKNOWN);
    ob_progress_set_size(&job, &files[3], 50);
    assert_true(snap(&job).BytesTotal == 450);
    assert_consistent(&job, files, 4);
}

static void test_bytes_and_files_transferred(void **state)
{
    ob_progress job = { 0 };
    ob_file_progress files[2];
    BG_JOB_PROGRESS p;

    ob_progress_file_added(&job, &files[0]);
    ob_progress_file_added(&job, &files[1]);
    ob_progress_set_size(&job, &files[0], 1000);
    ob_progress_set_size(&job, &files[1], 10);

    assert_true(ob_progress_add_bytes(&job, &files[0], 400) == 400);
    assert_true(ob_progress_add_bytes(&job, &files[1], 10) == 10);
    ob_progress_file_done(&job, &files[1]);
    p = snap(&job);
    assert_true(p.BytesTransferred == 410);
    assert_int_equal(p.FilesTransferred, 1);
    assert_true(files[1].completed);
    assert_consistent(&job, files, 2);

    /* done twice counts once */
    ob_progress_file_done(&job, &files[1]);
    assert_int_equal(snap(&job).FilesTransferred, 1);

    assert_true(ob_progress_add_bytes(&job, &files[0], 600) == 600);
    ob_progress_file_done(&job, &files[0]);
    p = snap(&job);
    assert_true(p.BytesTransferred == 1010);
    assert_true(p.BytesTotal == 1010);
    assert_int_equal(p.FilesTransferred, 2);
    assert_consistent(&job, files, 2);
}

static void test_bytes_never_exceed_file_size(void **state)
{
    ob_progress job = { 0 };
    ob_file_progress file;

    ob_progress_file_added(&job, &file);
    ob_progress_set_size(&job, &file, 100);
    assert_true(ob_progress_add_bytes(&job, &file, 70) == 70);
    assert_true(ob_progress_add_bytes(&job, &file, 70) == 30);
    assert_true(ob_progress_add_bytes(&job, &file, 1) == 0);
    assert_true(file.bytes_transferred == 100);
    assert_true(snap(&job).BytesTransferred == 100);
    assert_consistent(&job, &file, 1);
}

static void test_size_learned_below_bytes_already_counted(void **state)
{
    ob_progress job = { 0 };
    ob_file_progress file;

    /* bytes counted while the size was unknown, then a smaller size is learned */
    ob_progress_file_added(&job, &file);
    assert_true(ob_progress_add_bytes(&job, &file, 500) == 500);
    ob_progress_set_size(&job, &file, 200);
    assert_true(file.bytes_transferred <= file.bytes_total);
    assert_consistent(&job, &file, 1);
}

static void test_unknown_size_file_done_takes_size_of_what_arrived(void **state)
{
    ob_progress job = { 0 };
    ob_file_progress file;

    ob_progress_file_added(&job, &file);
    ob_progress_add_bytes(&job, &file, 1234);
    ob_progress_file_done(&job, &file);
    assert_true(file.bytes_total == 1234);
    assert_true(snap(&job).BytesTotal == 1234);
    assert_consistent(&job, &file, 1);
}

static void test_restart_subtracts_only_that_file(void **state)
{
    ob_progress job = { 0 };
    ob_file_progress files[3];
    BG_JOB_PROGRESS p;
    int i;

    for (i = 0; i < 3; i++)
    {
        ob_progress_file_added(&job, &files[i]);
        ob_progress_set_size(&job, &files[i], 100);
        ob_progress_add_bytes(&job, &files[i], 100);
        ob_progress_file_done(&job, &files[i]);
    }
    ob_progress_file_restart(&job, &files[1]);
    p = snap(&job);
    assert_true(p.BytesTransferred == 200);
    assert_true(p.BytesTotal == 300);
    assert_int_equal(p.FilesTransferred, 2);
    assert_true(files[1].bytes_transferred == 0);
    assert_false(files[1].completed);
    assert_true(files[0].bytes_transferred == 100 && files[2].bytes_transferred == 100);
    assert_consistent(&job, files, 3);

    /* restarting a file mid-way */
    ob_progress_add_bytes(&job, &files[1], 40);
    ob_progress_file_restart(&job, &files[1]);
    assert_true(snap(&job).BytesTransferred == 200);
    assert_consistent(&job, files, 3);
}

static void test_size_change_restarts_the_file(void **state)
{
    ob_progress job = { 0 };
    ob_file_progress files[2];
    BG_JOB_PROGRESS p;

    ob_progress_file_added(&job, &files[0]);
    ob_progress_file_added(&job, &files[1]);
    ob_progress_set_size(&job, &files[0], 100);
    ob_progress_set_size(&job, &files[1], 50);
    ob_progress_add_bytes(&job, &files[0], 60);
    ob_progress_add_bytes(&job, &files[1], 50);
    ob_progress_file_done(&job, &files[1]);

    ob_progress_set_size(&job, &files[0], 120);
    p = snap(&job);
    assert_true(files[0].bytes_total == 120);
    assert_true(files[0].bytes_transferred == 0);
    assert_true(p.BytesTotal == 170);
    assert_true(p.BytesTransferred == 50);
    assert_int_equal(p.FilesTransferred, 1);
    assert_consistent(&job, files, 2);

    /* a completed file whose size changes is no longer transferred */
    ob_progress_set_size(&job, &files[1], 10);
    p = snap(&job);
    assert_false(files[1].completed);
    assert_int_equal(p.FilesTransferred, 0);
    assert_true(p.BytesTransferred == 0);
    assert_true(p.BytesTotal == 130);
    assert_consistent(&job, files, 2);
}

static void test_size_becoming_unknown_again(void **state)
{
    ob_progress job = { 0 };
    ob_file_progress files[2];

    ob_progress_file_added(&job, &files[0]);
    ob_progress_file_added(&job, &files[1]);
    ob_progress_set_size(&job, &files[0], 100);
    ob_progress_set_size(&job, &files[1], 200);
    ob_progress_add_bytes(&job, &files[0], 10);
    assert_true(snap(&job).BytesTotal == 300);

    /* the server stops reporting a size: the file restarts, the total is unknown */
    ob_progress_set_size(&job, &files[0], BG_SIZE_UNKNOWN);
    assert_true(files[0].bytes_total == BG_SIZE_UNKNOWN);
    assert_true(files[0].bytes_transferred == 0);
    assert_consistent(&job, files, 2);

    ob_progress_set_size(&job, &files[0], 5);
    assert_true(snap(&job).BytesTotal == 205);
    assert_consistent(&job, files, 2);
}

static void test_sizes_above_4_gib(void **state)
{
    ob_progress job = { 0 };
    ob_file_progress files[3];
    BG_JOB_PROGRESS p;
    int i;

    for (i = 0; i < 3; i++) ob_progress_file_added(&job, &files[i]);
    ob_progress_set_size(&job, &files[0], 5 * GIB);
    ob_progress_set_size(&job, &files[1], 4 * GIB + 1);
    ob_progress_set_size(&job, &files[2], 3 * GIB);
    p = snap(&job);
    assert_true(p.BytesTotal == 12 * GIB + 1);

    assert_true(ob_progress_add_bytes(&job, &files[0], 4 * GIB + 7) == 4 * GIB + 7);
    assert_true(ob_progress_add_bytes(&job, &files[1], 5 * GIB) == 4 * GIB + 1);
    p = snap(&job);
    assert_true(p.BytesTransferred == 8 * GIB + 8);
    assert_consistent(&job, files, 3);

    ob_progress_file_restart(&job, &files[0]);
    assert_true(snap(&job).BytesTransferred == 4 * GIB + 1);
    assert_consistent(&job, files, 3);
}

/* A deterministic random walk over every operation; the invariant holds after each. */
static void test_totals_always_equal_sum_of_files(void **state)
{
    ob_progress job = { 0 };
    ob_file_progress files[16];
    ULONG count = 0, step, seed = 12345;

    for (step = 0; step < 20000; step++)
    {
        ULONG r, i;
        seed = seed * 1103515245 + 12345;
        r = (seed >> 8) % 6;
        if (!count || (r == 0 && count < ARRAYSIZE(files)))
        {
            ob_progress_file_added(&job, &files[count++]);
            assert_consistent(&job, files, count);
            continue;
        }
        i = (seed >> 16) % count;
        switch (r)
        {
        case 0:
        case 1: ob_progress_set_size(&job, &files[i], ((UINT64)(seed >> 4) % 5000) * ((seed & 1) ? GIB : 1)); break;
        case 2: ob_progress_add_bytes(&job, &files[i], (seed >> 12) % 3000); break;
        case 3: ob_progress_file_done(&job, &files[i]); break;
        case 4: ob_progress_file_restart(&job, &files[i]); break;
        case 5: ob_progress_set_size(&job, &files[i], BG_SIZE_UNKNOWN); break;
        }
        assert_consistent(&job, files, count);
    }
}

/* Snapshots taken without a lock while a writer changes progress (in the
 * engine always under the job's exclusive lock) never see a change half
 * made.  The writer cycles one 3 GiB file through (0 bytes, 0 files),
 * (3 GiB, 0 files), (3 GiB, 1 file); a restart changes both counts, and
 * (0 bytes, 1 file) would be a change seen half made. */
typedef struct race {
    ob_progress job;
    ob_file_progress file;
    volatile LONG stop;
    LONG torn;
} race;

static DWORD WINAPI race_writer(void *param)
{
    race *r = param;
    while (!r->stop)
    {
        ob_progress_add_bytes(&r->job, &r->file, 3 * GIB);
        ob_progress_file_done(&r->job, &r->file);
        ob_progress_file_restart(&r->job, &r->file);
    }
    return 0;
}

static DWORD WINAPI race_reader(void *param)
{
    race *r = param;
    BG_JOB_PROGRESS p;
    ULONG i;
    for (i = 0; i < 300000; i++)
    {
        ob_progress_snapshot(&r->job, &p);
        if (p.BytesTotal != 3 * GIB || (p.BytesTransferred != 0 && p.BytesTransferred != 3 * GIB) ||
            (p.FilesTransferred == 1 && p.BytesTransferred != 3 * GIB) || p.FilesTotal != 1)
            InterlockedIncrement(&r->torn);
    }
    return 0;
}

static void test_snapshots_without_lock_are_consistent(void **state)
{
    race r;
    HANDLE threads[3];
    int i;

    memset(&r, 0, sizeof(r));
    ob_progress_file_added(&r.job, &r.file);
    ob_progress_set_size(&r.job, &r.file, 3 * GIB);
    threads[0] = CreateThread(NULL, 0, race_writer, &r, 0, NULL);
    threads[1] = CreateThread(NULL, 0, race_reader, &r, 0, NULL);
    threads[2] = CreateThread(NULL, 0, race_reader, &r, 0, NULL);
    WaitForMultipleObjects(2, threads + 1, TRUE, INFINITE);
    r.stop = TRUE;
    WaitForSingleObject(threads[0], INFINITE);
    for (i = 0; i < 3; i++) CloseHandle(threads[i]);
    assert_int_equal(r.torn, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_job_is_all_zeros),
        cmocka_unit_test(test_new_file_has_unknown_size),
        cmocka_unit_test(test_total_unknown_until_every_size_known),
        cmocka_unit_test(test_bytes_and_files_transferred),
        cmocka_unit_test(test_bytes_never_exceed_file_size),
        cmocka_unit_test(test_size_learned_below_bytes_already_counted),
        cmocka_unit_test(test_unknown_size_file_done_takes_size_of_what_arrived),
        cmocka_unit_test(test_restart_subtracts_only_that_file),
        cmocka_unit_test(test_size_change_restarts_the_file),
        cmocka_unit_test(test_size_becoming_unknown_again),
        cmocka_unit_test(test_sizes_above_4_gib),
        cmocka_unit_test(test_totals_always_equal_sum_of_files),
        cmocka_unit_test(test_snapshots_without_lock_are_consistent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
