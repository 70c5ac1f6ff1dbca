/* A second client process for test_host: reaches openbits-host with
 * CLSCTX_LOCAL_SERVER and does one thing, then exits without cleaning up
 * (the job must outlive it).
 *   host_client create <url> <local>   a download job, resumed; prints its GUID
 *   host_client show <guid>            prints the job's display name, state and bytes transferred
 *   host_client finish <guid> <local> <size>
 *                                      waits (60 s at most) for TRANSFERRED, completes the
 *                                      job and checks that local holds the server's <size>
 *                                      pattern bytes */
#include <windows.h>
#include <objbase.h>
#include <stdio.h>
#include "openbits.h"
#include "http_support.h"

int wmain(int argc, WCHAR **argv)
{
    IBackgroundCopyManager *manager = NULL;
    IBackgroundCopyJob *job = NULL;
    WCHAR text[40], *name = NULL;
    BG_JOB_STATE state;
    BG_JOB_PROGRESS progress;
    ULONGLONG deadline;
    HRESULT hr;
    GUID id;

    if (argc < 3) return 2;
    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    hr = CoCreateInstance(&CLSID_OpenBitsManager, NULL, CLSCTX_LOCAL_SERVER, &IID_IBackgroundCopyManager,
                          (void **)&manager);
    if (SUCCEEDED(hr) && !lstrcmpW(argv[1], L"create") && argc == 4)
    {
        hr = IBackgroundCopyManager_CreateJob(manager, L"created by host_client", BG_JOB_TYPE_DOWNLOAD, &id, &job);
        if (SUCCEEDED(hr)) hr = IBackgroundCopyJob_AddFile(job, argv[2], argv[3]);
        if (SUCCEEDED(hr)) hr = IBackgroundCopyJob_Resume(job);
        StringFromGUID2(&id, text, ARRAYSIZE(text));
        if (SUCCEEDED(hr)) printf("%ls\n", text);
    }
    else if (SUCCEEDED(hr) && !lstrcmpW(argv[1], L"show"))
    {
        if (SUCCEEDED(hr = CLSIDFromString(argv[2], &id))) hr = IBackgroundCopyManager_GetJob(manager, &id, &job);
        if (SUCCEEDED(hr)) hr = IBackgroundCopyJob_GetDisplayName(job, &name);
        if (SUCCEEDED(hr)) hr = IBackgroundCopyJob_GetState(job, &state);
        if (SUCCEEDED(hr)) hr = IBackgroundCopyJob_GetProgress(job, &progress);
        if (SUCCEEDED(hr)) printf("%ls|%d|%llu\n", name, (int)state, (unsigned long long)progress.BytesTransferred);
        CoTaskMemFree(name);
    }
    else if (SUCCEEDED(hr) && !lstrcmpW(argv[1], L"finish") && argc == 5)
    {
        if (SUCCEEDED(hr = CLSIDFromString(argv[2], &id))) hr = IBackgroundCopyManager_GetJob(manager, &id, &job);
        deadline = GetTickCount64() + 60000;
        while (SUCCEEDED(hr) && SUCCEEDED(hr = IBackgroundCopyJob_GetState(job, &state)) &&
               state != BG_JOB_STATE_TRANSFERRED && GetTickCount64() < deadline)
            Sleep(50);
        if (SUCCEEDED(hr) && state != BG_JOB_STATE_TRANSFERRED) hr = HRESULT_FROM_WIN32(ERROR_TIMEOUT);
        if (SUCCEEDED(hr)) hr = IBackgroundCopyJob_Complete(job);
        if (SUCCEEDED(hr) && !ts_file_has_pattern(argv[3], _wcstoui64(argv[4], NULL, 10)))
            hr = HRESULT_FROM_WIN32(ERROR_FILE_CORRUPT);
        if (SUCCEEDED(hr)) printf("complete\n");
    }
    else if (SUCCEEDED(hr))
        hr = E_INVALIDARG;
    if (FAILED(hr)) fprintf(stderr, "host_client: 0x%08lx\n", (unsigned long)hr);
    if (job) IBackgroundCopyJob_Release(job);
    if (manager) IBackgroundCopyManager_Release(manager);
    CoUninitialize();
    return FAILED(hr) ? 1 : 0;
}
