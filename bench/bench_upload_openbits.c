/* One upload through openbits, through COM only, as a BITS client would do
 * it: CreateJob(BG_JOB_TYPE_UPLOAD), AddFile, Resume, wait for TRANSFERRED,
 * Complete.
 *
 *   bench_upload_openbits.exe <url> <local-file> [--timeout SECONDS]
 *
 * Prints "result openbits_upload bytes=N seconds=S mib_per_s=R"; the clock
 * runs from Resume until GetState first answers TRANSFERRED (polled every
 * 10 ms).  BytesTransferred must equal the local file's size.
 * Exit status: 0 success, 1 failure, 2 usage, 3 timeout (default 600 s, or
 * still QUEUED after 30 s: no transfer engine). */
#include <initguid.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>
#include "openbits.h"
#include "bench_util.h"
#include "bench_job.h"


typedef struct options {
    WCHAR url[2048];
    WCHAR local[MAX_PATH];
    double timeout;
} options;

static BOOL parse_options(int argc, char **argv, options *o)
{
    if (argc != 3 && !(argc == 5 && !strcmp(argv[3], "--timeout"))) return FALSE;
    MultiByteToWideChar(CP_ACP, 0, argv[1], -1, o->url, ARRAYSIZE(o->url));
    MultiByteToWideChar(CP_ACP, 0, argv[2], -1, o->local, ARRAYSIZE(o->local));
    o->timeout = argc == 5 ? atof(argv[4]) : 600;
    return o->timeout > 0;
}

static BOOL local_size(const WCHAR *name, UINT64 *size)
{
    WIN32_FILE_ATTRIBUTE_DATA data;
    if (!GetFileAttributesExW(name, GetFileExInfoStandard, &data)) {
        fprintf(stderr, "bench_upload_openbits: cannot read the local file's size (error %lu)\n", GetLastError());
        return FALSE;
    }
    *size = ((UINT64)data.nFileSizeHigh << 32) | data.nFileSizeLow;
    return TRUE;
}

/* Resume and wait; *seconds is the time from Resume to TRANSFERRED. */
static HRESULT transfer(IBackgroundCopyJob *job, const options *o, double *seconds)
{
    double start = bench_now();
    HRESULT hr = IBackgroundCopyJob_Resume(job);

    if (FAILED(hr)) fprintf(stderr, "bench_upload_openbits: Resume failed: 0x%08lx\n", hr);
    else hr = bench_wait_transferred("bench_upload_openbits", job, start, o->timeout);
    *seconds = bench_now() - start;
    return hr;
}

/* The job must have sent the whole file; then Complete. */
static BOOL check_and_complete(IBackgroundCopyJob *job, UINT64 size)
{
    BG_JOB_PROGRESS p;
    HRESULT hr = IBackgroundCopyJob_GetProgress(job, &p);

    if (FAILED(hr) || p.BytesTransferred != size || p.BytesTotal != size) {
        fprintf(stderr, "bench_upload_openbits: progress %llu/%llu bytes, the file has %llu (0x%08lx)\n",
                p.BytesTransferred, p.BytesTotal, size, hr);
        return FALSE;
    }
    if (FAILED(hr = IBackgroundCopyJob_Complete(job))) {
        fprintf(stderr, "bench_upload_openbits: Complete failed: 0x%08lx\n", hr);
        return FALSE;
    }
    return TRUE;
}

int main(int argc, char **argv)
{
    IBackgroundCopyJob *job;
    options o;
    UINT64 size;
    double seconds;
    HRESULT hr;
    BOOL ok;

    if (!parse_options(argc, argv, &o)) {
        fprintf(stderr, "usage: bench_upload_openbits.exe <url> <local-file> [--timeout SECONDS]\n");
        return 2;
    }
    if (!local_size(o.local, &size)) return 1;
    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    if (!(job = bench_create_job("bench_upload_openbits", BG_JOB_TYPE_UPLOAD, o.url, o.local))) return 1;
    hr = transfer(job, &o, &seconds);
    ok = hr == S_OK && check_and_complete(job, size);
    if (!ok) IBackgroundCopyJob_Cancel(job);
    IBackgroundCopyJob_Release(job);
    CoUninitialize();
    if (!ok) return hr == S_FALSE ? 3 : 1;
    bench_print_result("openbits_upload", size, seconds);
    return 0;
}
