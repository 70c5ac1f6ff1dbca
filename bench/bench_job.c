#include "bench_job.h"
#include "bench_util.h"

#define POLL_MS 10
#define QUEUED_LIMIT 30.0      /* seconds a FOREGROUND job may sit in QUEUED */

DWORD bench_clsctx = CLSCTX_INPROC_SERVER;
const CLSID *bench_clsid = &CLSID_OpenBitsManager;
/* CLSID_BackgroundCopyManager {4991D34B-80A1-4291-83B6-3328366B9097} */
const CLSID bench_clsid_qmgr = { 0x4991d34b, 0x80a1, 0x4291, { 0x83, 0xb6, 0x33, 0x28, 0x36, 0x6b, 0x90, 0x97 } };

IBackgroundCopyJob *bench_create_job(const char *program, BG_JOB_TYPE type, const WCHAR *url, const WCHAR *local)
{
    IBackgroundCopyManager *manager;
    IBackgroundCopyJob *job = NULL;
    GUID id;
    HRESULT hr;

    hr = CoCreateInstance(bench_clsid, NULL, bench_clsctx, &IID_IBackgroundCopyManager,
                          (void **)&manager);
    if (FAILED(hr))
    {
        fprintf(stderr, "%s: CoCreateInstance failed: 0x%08lx (is openbits.dll registered?)\n", program, hr);
        return NULL;
    }
    hr = IBackgroundCopyManager_CreateJob(manager, L"openbits bench", type, &id, &job);
    IBackgroundCopyManager_Release(manager);
    if (SUCCEEDED(hr)) hr = IBackgroundCopyJob_SetPriority(job, BG_JOB_PRIORITY_FOREGROUND);
    if (SUCCEEDED(hr)) hr = IBackgroundCopyJob_AddFile(job, url, local);
    if (FAILED(hr))
    {
        fprintf(stderr, "%s: cannot set up the job: 0x%08lx\n", program, hr);
        if (job) IBackgroundCopyJob_Release(job);
        return NULL;
    }
    return job;
}

static void print_job_error(const char *program, IBackgroundCopyJob *job)
{
    IBackgroundCopyError *error;
    BG_ERROR_CONTEXT context;
    HRESULT code;
    WCHAR *text = NULL;

    if (FAILED(IBackgroundCopyJob_GetError(job, &error)))
    {
        fprintf(stderr, "%s: the job is in ERROR but GetError failed\n", program);
        return;
    }
    IBackgroundCopyError_GetError(error, &context, &code);
    IBackgroundCopyError_GetErrorDescription(error, MAKELANGID(LANG_ENGLISH, SUBLANG_DEFAULT), &text);
    fprintf(stderr, "%s: job error 0x%08lx (context %d): %ls\n", program, code, context, text ? text : L"");
    CoTaskMemFree(text);
    IBackgroundCopyError_Release(error);
}

static void print_stuck(const char *program, IBackgroundCopyJob *job, BG_JOB_STATE state, double waited)
{
    BG_JOB_PROGRESS p = { 0 };
    IBackgroundCopyJob_GetProgress(job, &p);
    fprintf(stderr, "%s: timeout after %.0f s in state %d with %llu of %llu bytes\n", program, waited, state,
            p.BytesTransferred, p.BytesTotal);
    if (state == BG_JOB_STATE_QUEUED && p.BytesTransferred == 0)
        fprintf(stderr, "%s: the job never left QUEUED: no transfer engine ran it\n", program);
}

HRESULT bench_wait_transferred(const char *program, IBackgroundCopyJob *job, double start, double timeout)
{
    BG_JOB_STATE state;
    BOOL started = FALSE;
    double waited;

    for (;;)
    {
        if (FAILED(IBackgroundCopyJob_GetState(job, &state))) return E_FAIL;
        if (state == BG_JOB_STATE_TRANSFERRED) return S_OK;
        if (state == BG_JOB_STATE_ERROR)
        {
            print_job_error(program, job);
            return E_FAIL;
        }
        started |= state != BG_JOB_STATE_QUEUED;
        waited = bench_now() - start;
        if (waited > timeout || (!started && waited > QUEUED_LIMIT))
        {
            print_stuck(program, job, state, waited);
            return S_FALSE;
        }
        Sleep(POLL_MS);
    }
}
