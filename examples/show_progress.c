/* The README's example: create a download job through COM, add a file and
 * print what GetProgress reports at each step. */
#include <initguid.h>
#include <stdio.h>
#include <windows.h>
#include "openbits.h"

static void show(IBackgroundCopyJob *job, const char *when)
{
    BG_JOB_PROGRESS p;
    BG_JOB_STATE state;
    IBackgroundCopyJob_GetProgress(job, &p);
    IBackgroundCopyJob_GetState(job, &state);
    printf("%-22s state=%d files %lu/%lu bytes %llu/", when, state, p.FilesTransferred, p.FilesTotal,
           p.BytesTransferred);
    if (p.BytesTotal == BG_SIZE_UNKNOWN) printf("UNKNOWN\n");
    else printf("%llu\n", p.BytesTotal);
}

int main(int argc, char **argv)
{
    IBackgroundCopyManager *manager;
    IBackgroundCopyJob *job;
    WCHAR local[MAX_PATH];
    GUID id;
    HRESULT hr;

    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    hr = CoCreateInstance(&CLSID_OpenBitsManager, NULL, CLSCTX_INPROC_SERVER, &IID_IBackgroundCopyManager,
                          (void **)&manager);
    if (FAILED(hr))
    {
        fprintf(stderr, "CoCreateInstance failed: 0x%08lx (is openbits.dll registered?)\n", hr);
        return 1;
    }
    IBackgroundCopyManager_CreateJob(manager, L"example", BG_JOB_TYPE_DOWNLOAD, &id, &job);
    show(job, "created");

    GetTempPathW(MAX_PATH, local);
    wcscat(local, L"openbits-example.bin");
    hr = IBackgroundCopyJob_AddFile(job, L"http://127.0.0.1:8080/example.bin", local);
    printf("AddFile: 0x%08lx\n", hr);
    show(job, "after AddFile");

    hr = IBackgroundCopyJob_Cancel(job);
    printf("Cancel: 0x%08lx\n", hr);
    show(job, "after Cancel");

    IBackgroundCopyJob_Release(job);
    IBackgroundCopyManager_Release(manager);
    CoUninitialize();
    return 0;
}
