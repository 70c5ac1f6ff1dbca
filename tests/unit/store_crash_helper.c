/* For test_store: an engine on a store that dies in the middle of Complete
 * or Cancel.  It makes a download job of two local files, waits until the
 * job is TRANSFERRED and saved, names the crash point (OPENBITS_CRASH_AT,
 * config.h) and calls Complete or Cancel: the process terminates itself
 * right after the first file was renamed or deleted (exit code 99).
 *   store_crash_helper <store dir> <source 1> <source 2> <dest 1> <dest 2> complete|cancel
 * Prints the job's GUID first.
 *   store_crash_helper <store dir> load
 * makes an engine on the store and prints how many jobs it restored. */
#include "engine.h"
#include <stdio.h>

int wmain(int argc, WCHAR **argv)
{
    ob_engine_config config = { 0 };
    BG_FILE_INFO files[2];
    ob_engine *engine;
    ob_caller caller;
    ob_job *job;
    ob_job_info info;
    ULONGLONG deadline = GetTickCount64() + 30000;
    WCHAR id[40];
    BOOL complete;

    if (argc == 3 && !wcscmp(argv[2], L"load"))
    {
        config.limits = ob_limits_default();
        config.unit_ms = 10;
        config.store_dir = argv[1];
        if (FAILED(ob_engine_new(&config, &engine))) return 3;
        printf("%lu\n", ob_engine_job_count(engine));
        ob_engine_free(engine);
        return 0;
    }
    if (argc != 7) return 2;
    complete = !wcscmp(argv[6], L"complete");
    config.limits = ob_limits_default();
    config.unit_ms = 10;
    config.store_dir = argv[1];
    files[0].RemoteName = argv[2];
    files[1].RemoteName = argv[3];
    files[0].LocalName = argv[4];
    files[1].LocalName = argv[5];
    if (FAILED(ob_caller_current(&caller)) || FAILED(ob_engine_new(&config, &engine))) return 3;
    ob_engine_start(engine);
    if (FAILED(ob_table_create_job(ob_engine_table(engine), L"crash", BG_JOB_TYPE_DOWNLOAD, &caller, &job)) ||
        FAILED(ob_table_add_files(ob_engine_table(engine), job, 2, files, &caller)) || FAILED(ob_job_resume(job)))
        return 4;
    StringFromGUID2(ob_job_id(job), id, ARRAYSIZE(id));
    printf("%ls\n", id);
    fflush(stdout);
    do
    {
        Sleep(10);
        ob_job_get_info(job, &info);
    } while (info.state != BG_JOB_STATE_TRANSFERRED && GetTickCount64() < deadline);
    if (info.state != BG_JOB_STATE_TRANSFERRED) return 5;
    ob_engine_flush_store(engine);
    SetEnvironmentVariableW(L"OPENBITS_CRASH_AT", complete ? L"complete-renamed-one" : L"cancel-deleted-one");
    if (complete) ob_job_complete(job);
    else ob_job_cancel(job);
    return 6; /* the crash point was not reached */
}
