/* A second client process for test_host: reaches openbits-host with
 * CLSCTX_LOCAL_SERVER and does one thing, then exits without cleaning up
 * (the job must outlive it).
 *   host_client create <url> <local>   a download job, resumed; prints its GUID
 *   host_client show <guid>            prints the job's display name and state */
#include <windows.h>
#include <objbase.h>
#include <stdio.h>
#include "openbits.h"

int wmain(int argc, WCHAR **argv)
{
    IBackgroundCopyManager *manager = NULL;
    IBackgroundCopyJob *job = NULL;
    WCHAR text[40], *name = NULL;
    BG_JOB_STATE state;
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
        if (SUCCEEDED(hr)) printf("%ls|%d\n", name, (int)state);
        CoTaskMemFree(name);
    }
    else if (SUCCEEDED(hr))
        hr = E_INVALIDARG;
    if (FAILED(hr)) fprintf(stderr, "host_client: 0x%08lx\n", (unsigned long)hr);
    if (job) IBackgroundCopyJob_Release(job);
    if (manager) IBackgroundCopyManager_Release(manager);
    CoUninitialize();
    return FAILED(hr) ? 1 : 0;
}
