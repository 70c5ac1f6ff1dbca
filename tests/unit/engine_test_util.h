/* Shared by the engine tests that run real transfers without COM: one table
 * with its scheduler, jobs, and waiting for states. */
#ifndef OB_ENGINE_TEST_UTIL_H
#define OB_ENGINE_TEST_UTIL_H

#include "http_support.h"
#include "scheduler.h"

#define ET_UNIT_MS 10          /* one "second" of the retry settings */
#define ET_WAIT_MS 30000

static ob_table *et_table;
static ob_scheduler *et_scheduler;
static ob_caller et_caller;

static inline void et_start(ULONG workers)
{
    ob_limits limits = ob_limits_default();
    assert_hr_equal(ob_caller_current(&et_caller), S_OK);
    et_table = ob_table_new(&limits);
    et_scheduler = ob_scheduler_new(workers, ET_UNIT_MS);
    assert_non_null(et_table);
    assert_non_null(et_scheduler);
    ob_scheduler_attach(et_scheduler, et_table);
}

static inline void et_stop(void)
{
    ob_scheduler_free(et_scheduler);
    ob_table_free(et_table);
}

static inline ob_job *et_new_job(BG_JOB_TYPE type)
{
    ob_job *job;
    assert_hr_equal(ob_table_create_job(et_table, L"engine test", type, &et_caller, &job), S_OK);
    return job;
}

static inline void et_add_file(ob_job *job, const WCHAR *remote, const WCHAR *local)
{
    BG_FILE_INFO info = { (WCHAR *)remote, (WCHAR *)local };
    assert_hr_equal(ob_table_add_files(et_table, job, 1, &info, &et_caller), S_OK);
}

static inline BG_JOB_STATE et_state(ob_job *job)
{
    ob_job_info info;
    ob_job_get_info(job, &info);
    return info.state;
}

static inline BG_JOB_PROGRESS et_progress(ob_job *job)
{
    BG_JOB_PROGRESS p;
    ob_job_get_progress(job, &p);
    return p;
}

static inline BOOL et_wait_state(ob_job *job, BG_JOB_STATE wanted)
{
    ULONGLONG until = GetTickCount64() + ET_WAIT_MS;
    while (et_state(job) != wanted && GetTickCount64() < until) Sleep(5);
    return et_state(job) == wanted;
}

static inline BOOL et_wait_bytes(ob_job *job, UINT64 bytes)
{
    ULONGLONG until = GetTickCount64() + ET_WAIT_MS;
    while (et_progress(job).BytesTransferred < bytes && GetTickCount64() < until) Sleep(5);
    return et_progress(job).BytesTransferred >= bytes;
}

#define et_assert_state(job, wanted)                                                           \
    do                                                                                         \
        if (!et_wait_state((job), (wanted)))                                                   \
            fail_msg("job in state %d, waited for %d", et_state(job), (wanted));               \
    while (0)

static inline ob_error_info et_error(ob_job *job)
{
    ob_error_info error;
    assert_hr_equal(ob_job_get_error(job, &error), S_OK);
    return error;
}

#endif
