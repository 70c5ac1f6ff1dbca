/* One download through openbits, through COM only, as a BITS client would
 * do it: CreateJob, AddFile, Resume, wait for TRANSFERRED, Complete.
 *
 *   bench_openbits.exe <url> <local-file> [--host|--qmgr] [--readers N] [--pause-ms M] [--burners N]
 *                      [--expect BYTES] [--timeout SECONDS]
 *
 * --host reaches openbits through openbits-host.exe (CLSCTX_LOCAL_SERVER):
 * every call, GetProgress included, crosses processes; the name gets
 * "_host".  --qmgr asks CLSID_BackgroundCopyManager instead, out of
 * process: in a prefix where openbits is not registered that is Wine's own
 * BITS (qmgr.dll); the name is "qmgr".
 * Prints "result openbits bytes=N seconds=S mib_per_s=R" (openbits_readersN
 * with readers); the clock runs from Resume until GetState first answers
 * TRANSFERRED (polled every 10 ms, so the figure is at most 10 ms long).
 * With --readers N, N threads call GetProgress while the job runs, each
 * sleeping M ms after every call (--pause-ms, default 1: a client polling
 * as fast as it can while still yielding its core; 0: a tight loop that
 * never yields), check every snapshot, and a second line reports
 * "readers threads=N calls=C calls_per_s=R violations=V failures=F".
 * --burners N starts N threads that spin without calling openbits at all:
 * the control that tells CPU starvation (two cores, spinning threads) from a
 * cost of GetProgress itself.  Names get "_readersN", "_spinnersN" (pause 0)
 * or "_burnersN".
 * Exit status: 0 success, 1 failure, 2 usage, 3 timeout (or still QUEUED
 * after 30 s: no transfer engine). */
#include <initguid.h>
#include <stdlib.h>
#include <windows.h>
#include "openbits.h"
#include "bench_util.h"
#include "bench_job.h"

#define MAX_READERS 64

typedef struct options {
    WCHAR url[2048];
    WCHAR local[MAX_PATH];
    int readers;
    int pause_ms;              /* Sleep after each GetProgress; 0: never yield */
    int burners;
    long long expect;          /* -1: not checked */
    double timeout;
} options;

typedef struct reader {
    IBackgroundCopyJob *job;       /* NULL: a burner */
    int pause_ms;
    HANDLE thread;
    LONGLONG calls;
    LONG violations;           /* inconsistent snapshots */
    LONG failures;             /* GetProgress returned an error */
    double seconds;
} reader;

static volatile LONG stop_readers;

static BOOL parse_options(int argc, char **argv, options *o)
{
    int i;
    if (argc < 3) return FALSE;
    MultiByteToWideChar(CP_ACP, 0, argv[1], -1, o->url, ARRAYSIZE(o->url));
    MultiByteToWideChar(CP_ACP, 0, argv[2], -1, o->local, ARRAYSIZE(o->local));
    o->readers = 0;
    o->pause_ms = 1;
    o->burners = 0;
    o->expect = -1;
    o->timeout = 600;
    for (i = 3; i < argc && (!strcmp(argv[i], "--host") || !strcmp(argv[i], "--qmgr")); i++) {
        bench_clsctx = CLSCTX_LOCAL_SERVER;
        if (!strcmp(argv[i], "--qmgr")) bench_clsid = &bench_clsid_qmgr;
    }
    for (; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--readers")) o->readers = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--pause-ms")) o->pause_ms = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--burners")) o->burners = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--expect")) o->expect = _atoi64(argv[i + 1]);
        else if (!strcmp(argv[i], "--timeout")) o->timeout = atof(argv[i + 1]);
        else return FALSE;
    }
    return i == argc && o->readers >= 0 && o->burners >= 0 && o->readers + o->burners <= MAX_READERS
           && o->pause_ms >= 0 && o->timeout > 0;
}

/* A snapshot is consistent if it never exceeds its totals and never goes
 * backwards from the previous one this thread saw. */
static BOOL consistent(const BG_JOB_PROGRESS *p, const BG_JOB_PROGRESS *previous)
{
    if (p->BytesTotal != BG_SIZE_UNKNOWN && p->BytesTransferred > p->BytesTotal) return FALSE;
    if (p->FilesTransferred > p->FilesTotal) return FALSE;
    return p->BytesTransferred >= previous->BytesTransferred && p->FilesTransferred >= previous->FilesTransferred;
}

/* Counts in locals and stores them at the end, so the readers do not share
 * cache lines while they run. */
static DWORD WINAPI reader_main(void *arg)
{
    reader *r = arg;
    BG_JOB_PROGRESS previous = { 0 }, p;
    LONGLONG calls = 0;
    LONG violations = 0, failures = 0;
    double start;

    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    start = bench_now();
    while (!stop_readers && !r->job) calls++;  /* a burner */
    while (!stop_readers && r->job) {
        if (r->pause_ms) Sleep(r->pause_ms);
        if (FAILED(IBackgroundCopyJob_GetProgress(r->job, &p))) {
            failures++;
            continue;
        }
        if (!consistent(&p, &previous)) violations++;
        previous = p;
        calls++;
    }
    r->seconds = bench_now() - start;
    r->calls = calls;
    r->violations = violations;
    r->failures = failures;
    CoUninitialize();
    return 0;
}

static BOOL start_readers(reader *readers, int count, int burners, int pause_ms, IBackgroundCopyJob *job)
{
    int i;
    for (i = 0; i < count + burners; i++) {
        readers[i].job = i < count ? job : NULL;
        readers[i].pause_ms = pause_ms;
        readers[i].thread = CreateThread(NULL, 0, reader_main, &readers[i], 0, NULL);
        if (!readers[i].thread) return FALSE;
    }
    return TRUE;
}

static void stop_and_report_readers(reader *readers, int count, int burners, LONG *violations)
{
    LONGLONG calls = 0;
    LONG failures = 0;
    double rate = 0;
    int i;

    InterlockedExchange(&stop_readers, 1);
    *violations = 0;
    for (i = count; i < count + burners; i++) {
        WaitForSingleObject(readers[i].thread, INFINITE);
        CloseHandle(readers[i].thread);
    }
    for (i = 0; i < count; i++) {
        WaitForSingleObject(readers[i].thread, INFINITE);
        CloseHandle(readers[i].thread);
        calls += readers[i].calls;
        failures += readers[i].failures;
        *violations += readers[i].violations;
        if (readers[i].seconds > 0) rate += readers[i].calls / readers[i].seconds;
    }
    if (count) printf("readers threads=%d calls=%lld calls_per_s=%.0f violations=%ld failures=%ld\n", count, calls, rate,
           *violations, failures);
}

static BOOL check_size(IBackgroundCopyJob *job, const options *o, UINT64 *bytes)
{
    WIN32_FILE_ATTRIBUTE_DATA data;
    BG_JOB_PROGRESS p;
    UINT64 size;

    IBackgroundCopyJob_GetProgress(job, &p);
    if (FAILED(IBackgroundCopyJob_Complete(job))) {
        fprintf(stderr, "bench_openbits: Complete failed\n");
        return FALSE;
    }
    if (!GetFileAttributesExW(o->local, GetFileExInfoStandard, &data)) {
        fprintf(stderr, "bench_openbits: no local file after Complete (error %lu)\n", GetLastError());
        return FALSE;
    }
    size = ((UINT64)data.nFileSizeHigh << 32) | data.nFileSizeLow;
    *bytes = size;
    /* Wine's qmgr leaves BytesTotal unknown (-1) after the transfer: only the
     * file and BytesTransferred are checked for it */
    if ((size != p.BytesTotal && !(bench_clsid == &bench_clsid_qmgr && p.BytesTotal == BG_SIZE_UNKNOWN))
        || size != p.BytesTransferred || (o->expect >= 0 && size != (UINT64)o->expect)) {
        fprintf(stderr, "bench_openbits: size mismatch: file %llu, progress %llu/%llu, expected %lld\n", size,
                p.BytesTransferred, p.BytesTotal, o->expect);
        return FALSE;
    }
    return TRUE;
}

/* Resume, wait, stop the readers; returns the wait's result. */
static HRESULT transfer(IBackgroundCopyJob *job, const options *o, reader *readers, double *seconds,
                        LONG *violations)
{
    double start;
    HRESULT hr;

    *violations = 0;
    if (!start_readers(readers, o->readers, o->burners, o->pause_ms, job)) return E_FAIL;
    start = bench_now();
    hr = IBackgroundCopyJob_Resume(job);
    if (FAILED(hr)) fprintf(stderr, "bench_openbits: Resume failed: 0x%08lx\n", hr);
    else hr = bench_wait_transferred("bench_openbits", job, start, o->timeout);
    *seconds = bench_now() - start;
    if (o->readers || o->burners) stop_and_report_readers(readers, o->readers, o->burners, violations);
    return hr;
}

int main(int argc, char **argv)
{
    static reader readers[MAX_READERS];
    IBackgroundCopyJob *job;
    options o;
    char name[32] = "openbits";
    double seconds;
    UINT64 bytes;
    LONG violations;
    HRESULT hr;

    if (!parse_options(argc, argv, &o)) {
        fprintf(stderr, "usage: bench_openbits.exe <url> <local-file> [--host|--qmgr] [--readers N] [--pause-ms M] "
                        "[--burners N] [--expect BYTES] [--timeout SECONDS]\n");
        return 2;
    }
    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    if (!(job = bench_create_job("bench_openbits", BG_JOB_TYPE_DOWNLOAD, o.url, o.local))) return 1;
    hr = transfer(job, &o, readers, &seconds, &violations);
    if (hr != S_OK) {
        IBackgroundCopyJob_Cancel(job);
        IBackgroundCopyJob_Release(job);
        return hr == S_FALSE ? 3 : 1;
    }
    if (!check_size(job, &o, &bytes)) return 1;
    IBackgroundCopyJob_Release(job);
    snprintf(name, sizeof(name), "%s", bench_clsid == &bench_clsid_qmgr ? "qmgr"
                                       : bench_clsctx == CLSCTX_LOCAL_SERVER ? "openbits_host" : "openbits");
    if (o.readers)
        snprintf(name + strlen(name), sizeof(name) - strlen(name), o.pause_ms ? "_readers%d" : "_spinners%d",
                 o.readers);
    if (o.burners) snprintf(name + strlen(name), sizeof(name) - strlen(name), "_burners%d", o.burners);
    bench_print_result(name, bytes, seconds);
    CoUninitialize();
    return violations ? 1 : 0;
}
