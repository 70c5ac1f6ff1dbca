/* The job store at scale (issue 11): N download jobs (limits raised), each
 * with one file, saved by the store's writer; then an engine made again on
 * the store restores them.  Prints the restore time and the store's size
 * per job, and beside them a baseline measured in the same run on the same
 * files: reading every file of the store with FindFirstFile + ReadFile and
 * nothing else (what any store must at least do).
 *   bench_store <jobs> <folder (emptied first)>                     */
#include "engine.h"
#include <stdio.h>

static double now_s(void)
{
    LARGE_INTEGER f, t;
    QueryPerformanceFrequency(&f);
    QueryPerformanceCounter(&t);
    return (double)t.QuadPart / (double)f.QuadPart;
}

static ob_engine *engine_on(const WCHAR *store, ULONG jobs)
{
    ob_engine_config config = { 0 };
    ob_engine *engine;
    config.limits = ob_limits_default();
    config.limits.max_jobs_per_machine = jobs + 10;
    config.limits.max_jobs_per_user = jobs + 10;
    config.unit_ms = 1000;
    config.store_dir = store;
    if (FAILED(ob_engine_new(&config, &engine))) return NULL;
    ob_engine_start(engine);
    return engine;
}

/* Reads every file in dir: the baseline. */
static ULONGLONG read_all(const WCHAR *dir, ULONG *files)
{
    static char buffer[65536];
    WCHAR pattern[MAX_PATH], path[MAX_PATH];
    WIN32_FIND_DATAW found;
    ULONGLONG bytes = 0;
    HANDLE find, file;
    DWORD got;

    *files = 0;
    swprintf(pattern, MAX_PATH, L"%ls\\*", dir);
    if ((find = FindFirstFileW(pattern, &found)) == INVALID_HANDLE_VALUE) return 0;
    do
    {
        if (found.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) continue;
        swprintf(path, MAX_PATH, L"%ls\\%ls", dir, found.cFileName);
        file = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, FILE_FLAG_SEQUENTIAL_SCAN, NULL);
        if (file == INVALID_HANDLE_VALUE) continue;
        while (ReadFile(file, buffer, sizeof(buffer), &got, NULL) && got) bytes += got;
        CloseHandle(file);
        ++*files;
    } while (FindNextFileW(find, &found));
    FindClose(find);
    return bytes;
}

static void empty(const WCHAR *dir)
{
    WCHAR pattern[MAX_PATH], path[MAX_PATH];
    WIN32_FIND_DATAW found;
    HANDLE find;
    swprintf(pattern, MAX_PATH, L"%ls\\*", dir);
    if ((find = FindFirstFileW(pattern, &found)) == INVALID_HANDLE_VALUE) return;
    do
    {
        if (found.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) continue;
        swprintf(path, MAX_PATH, L"%ls\\%ls", dir, found.cFileName);
        DeleteFileW(path);
    } while (FindNextFileW(find, &found));
    FindClose(find);
}

int wmain(int argc, WCHAR **argv)
{
    ULONG jobs, i, files;
    WCHAR store[MAX_PATH], local[MAX_PATH], remote[128];
    double t0, create_s, restore_s, raw_s;
    ULONGLONG bytes;
    ob_engine *engine;
    ob_caller caller;

    if (argc != 3 || !(jobs = wcstoul(argv[1], NULL, 10))) return 2;
    swprintf(store, MAX_PATH, L"%ls\\store", argv[2]);
    CreateDirectoryW(argv[2], NULL);
    CreateDirectoryW(store, NULL);
    empty(store);
    if (FAILED(ob_caller_current(&caller)) || !(engine = engine_on(store, jobs))) return 3;

    t0 = now_s();
    for (i = 0; i < jobs; i++)
    {
        BG_FILE_INFO file = { remote, local };
        ob_job *job;
        swprintf(remote, ARRAYSIZE(remote), L"http://127.0.0.1:9/file-%lu.bin", i);
        swprintf(local, MAX_PATH, L"%ls\\file-%lu.bin", argv[2], i);
        if (FAILED(ob_table_create_job(ob_engine_table(engine), L"bench_store job", BG_JOB_TYPE_DOWNLOAD, &caller,
                                       &job)) ||
            FAILED(ob_table_add_files(ob_engine_table(engine), job, 1, &file, &caller)))
            return 4;
        ob_job_release(job);
    }
    ob_engine_flush_store(engine);
    create_s = now_s() - t0;
    ob_engine_free(engine); /* every job stays in the store: none ended */

    t0 = now_s();
    bytes = read_all(store, &files);
    raw_s = now_s() - t0;

    t0 = now_s();
    if (!(engine = engine_on(store, jobs))) return 5;
    restore_s = now_s() - t0;
    if (ob_engine_job_count(engine) != jobs)
    {
        fprintf(stderr, "bench_store: %lu jobs restored, %lu made\n", ob_engine_job_count(engine), jobs);
        return 6;
    }
    ob_engine_free(engine);
    empty(store);

    printf("jobs %lu\n", jobs);
    printf("create+save   %.3f s  (%.0f jobs/s)\n", create_s, jobs / create_s);
    printf("restore       %.3f s  (%.0f jobs/s)\n", restore_s, jobs / restore_s);
    printf("read files    %.3f s  (baseline: FindFirstFile + ReadFile of the store's %lu files)\n", raw_s, files);
    printf("restore / baseline  %.2f\n", restore_s / raw_s);
    printf("store size    %llu bytes, %.0f bytes per job\n", bytes, (double)bytes / jobs);
    return 0;
}
