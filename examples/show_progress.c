/* The README's example: download one file through openbits with COM, print
 * live progress from GetProgress, and Complete the job.
 *
 *   show_progress.exe <url> <local-file>
 *
 * Exit 0 when the file is in place; 1 with the error's description if not. */
#include <initguid.h>
#include <stdio.h>
#include <windows.h>
#include "openbits.h"

static const char *state_name(BG_JOB_STATE state)
{
    static const char *const names[] = { "QUEUED", "CONNECTING", "TRANSFERRING", "SUSPENDED", "ERROR",
                                         "TRANSIENT_ERROR", "TRANSFERRED", "ACKNOWLEDGED", "CANCELLED" };
    return (unsigned)state < ARRAYSIZE(names) ? names[state] : "?";
}

static BG_JOB_STATE show(IBackgroundCopyJob *job)
{
    BG_JOB_PROGRESS p;
    BG_JOB_STATE state;

    IBackgroundCopyJob_GetProgress(job, &p);
    IBackgroundCopyJob_GetState(job, &state);
    printf("%-15s files %lu/%lu  bytes %llu/", state_name(state), p.FilesTransferred, p.FilesTotal,
           p.BytesTransferred);
    if (p.BytesTotal == BG_SIZE_UNKNOWN) printf("UNKNOWN\n");
    else printf("%llu  (%.0f%%)\n", p.BytesTotal, p.BytesTotal ? 100.0 * p.BytesTransferred / p.BytesTotal : 100.0);
    fflush(stdout);
    return state;
}

static void print_error(IBackgroundCopyJob *job)
{
    IBackgroundCopyError *error;
    WCHAR *text = NULL;
    BG_ERROR_CONTEXT context;
    HRESULT code;

    if (FAILED(IBackgroundCopyJob_GetError(job, &error))) return;
    IBackgroundCopyError_GetError(error, &context, &code);
    IBackgroundCopyError_GetErrorDescription(error, MAKELANGID(LANG_ENGLISH, SUBLANG_ENGLISH_US), &text);
    fprintf(stderr, "error 0x%08lx: %ls", code, text ? text : L"(no description)\n");
    CoTaskMemFree(text);
    IBackgroundCopyError_Release(error);
}

static int download(IBackgroundCopyManager *manager, const WCHAR *url, const WCHAR *local)
{
    IBackgroundCopyJob *job;
    BG_JOB_STATE state;
    GUID id;
    HRESULT hr;

    if (FAILED(hr = IBackgroundCopyManager_CreateJob(manager, L"show_progress", BG_JOB_TYPE_DOWNLOAD, &id, &job)) ||
        FAILED(hr = IBackgroundCopyJob_AddFile(job, url, local)) || FAILED(hr = IBackgroundCopyJob_Resume(job)))
    {
        fprintf(stderr, "setting up the job failed: 0x%08lx\n", hr);
        return 1;
    }
    do
    {
        Sleep(200);
        state = show(job);
    } while (state != BG_JOB_STATE_TRANSFERRED && state != BG_JOB_STATE_ERROR);

    if (state == BG_JOB_STATE_ERROR)
    {
        print_error(job);
        IBackgroundCopyJob_Cancel(job);
        IBackgroundCopyJob_Release(job);
        return 1;
    }
    hr = IBackgroundCopyJob_Complete(job);
    printf("Complete: 0x%08lx, the file is %ls\n", hr, local);
    IBackgroundCopyJob_Release(job);
    return hr == S_OK ? 0 : 1;
}

int wmain(int argc, WCHAR **argv)
{
    IBackgroundCopyManager *manager;
    HRESULT hr;
    int status;

    if (argc != 3)
    {
        fprintf(stderr, "usage: show_progress <url> <local-file>\n");
        return 2;
    }
    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    hr = CoCreateInstance(&CLSID_OpenBitsManager, NULL, CLSCTX_INPROC_SERVER, &IID_IBackgroundCopyManager,
                          (void **)&manager);
    if (FAILED(hr))
    {
        fprintf(stderr, "CoCreateInstance failed: 0x%08lx (is openbits.dll registered?)\n", hr);
        return 1;
    }
    status = download(manager, argv[1], argv[2]);
    IBackgroundCopyManager_Release(manager);
    CoUninitialize();
    return status;
}
