/* Shared by the engine tests that run real transfers without COM: one engine
 * (its table and scheduler), jobs, and waiting for states. */
#ifndef OB_ENGINE_TEST_UTIL_H
#define OB_ENGINE_TEST_UTIL_H

#include "http_support.h"
#include "engine.h"
#include "test_sink.h"

#define ET_UNIT_MS 10          /* one "second" of the retry settings */
#define ET_WAIT_MS 30000

static ob_engine *et_engine;
static ob_table *et_table;
static ob_caller et_caller;
/* When set, every job et_new_job makes reports JobTransferred, JobError and
 * FileTransferred to it. */
static test_sink *et_sink;

/* An engine that is not started yet: jobs may be queued, nothing runs. */
static inline ob_engine *et_new_engine(ULONG workers)
{
    ob_engine_config config = { 0 };
    ob_engine *engine;
    config.limits = ob_limits_default();
    config.limits.max_transfers = workers;
    config.unit_ms = ET_UNIT_MS;
    assert_hr_equal(ob_engine_new(&config, &engine), S_OK);
    return engine;
}

static inline void et_start(ULONG workers)
{
    assert_hr_equal(ob_caller_current(&et_caller), S_OK);
    et_engine = et_new_engine(workers);
    et_table = ob_engine_table(et_engine);
    ob_engine_start(et_engine);
}

static inline void et_stop(void)
{
    ob_engine_free(et_engine);
    et_engine = NULL;
    et_table = NULL;
}

static inline ob_job *et_new_job(BG_JOB_TYPE type)
{
    ob_job *job;
    assert_hr_equal(ob_table_create_job(et_table, L"engine test", type, &et_caller, &job), S_OK);
    if (et_sink)
    {
        assert_hr_equal(ob_job_set_notify_sink(job, &et_sink->sink), S_OK);
        assert_hr_equal(ob_job_set_notify_flags(job, BG_NOTIFY_JOB_TRANSFERRED | BG_NOTIFY_JOB_ERROR |
                                                         BG_NOTIFY_FILE_TRANSFERRED), S_OK);
    }
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
