/* A BITS client written the way Microsoft's DOWNLOADS sample is: a console
 * program in a single-threaded apartment that creates one download job,
 * registers an IBackgroundCopyCallback, and waits in a message loop until the
 * callback posts WM_QUIT.  On an error it prints the job's error description
 * (what an STA client could not get before issue 16).
 *
 *   sta_download [/local] <url> <local file>
 *
 * /local asks for the manager with CLSCTX_LOCAL_SERVER (openbits-host.exe);
 * otherwise openbits is loaded in process.  Exit code 0 when the file
 * arrived, 1 on a job error, 2 on a usage or set-up error. */
#include <windows.h>
#include <objbase.h>
#include <stdio.h>
#include "openbits.h"

typedef struct notify {
    IBackgroundCopyCallback IBackgroundCopyCallback_iface;
    LONG refs;
    int result;
} notify;

static notify *impl_from(IBackgroundCopyCallback *iface)
{
    return CONTAINING_RECORD(iface, notify, IBackgroundCopyCallback_iface);
}

static HRESULT WINAPI notify_QueryInterface(IBackgroundCopyCallback *iface, REFIID iid, void **out)
{
    if (IsEqualIID(iid, &IID_IUnknown) || IsEqualIID(iid, &IID_IBackgroundCopyCallback))
    {
        *out = iface;
        IBackgroundCopyCallback_AddRef(iface);
        return S_OK;
    }
    *out = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI notify_AddRef(IBackgroundCopyCallback *iface)
{
    return InterlockedIncrement(&impl_from(iface)->refs);
}

static ULONG WINAPI notify_Release(IBackgroundCopyCallback *iface)
{
    return InterlockedDecrement(&impl_from(iface)->refs); /* lives in main's frame */
}

static HRESULT WINAPI notify_JobTransferred(IBackgroundCopyCallback *iface, IBackgroundCopyJob *job)
{
    HRESULT hr = IBackgroundCopyJob_Complete(job);
    printf("Job transferred%s.\n", SUCCEEDED(hr) ? " and completed" : "");
    impl_from(iface)->result = SUCCEEDED(hr) ? 0 : 1;
    PostQuitMessage(0);
    return S_OK;
}

static HRESULT WINAPI notify_JobError(IBackgroundCopyCallback *iface, IBackgroundCopyJob *job,
                                      IBackgroundCopyError *error)
{
    WCHAR *description = NULL;
    BG_ERROR_CONTEXT context;
    HRESULT code, hr;

    IBackgroundCopyError_GetError(error, &context, &code);
    hr = IBackgroundCopyError_GetErrorDescription(error, LANGIDFROMLCID(GetThreadLocale()), &description);
    if (SUCCEEDED(hr))
    {
        printf("Error 0x%08lx: %ls\n", (unsigned long)code, description);
        CoTaskMemFree(description);
    }
    else
        printf("Unable to get error description (0x%08lx).\n", (unsigned long)hr);
    IBackgroundCopyJob_Cancel(job);
    impl_from(iface)->result = 1;
    PostQuitMessage(0);
    return S_OK;
}

static HRESULT WINAPI notify_JobModification(IBackgroundCopyCallback *iface, IBackgroundCopyJob *job, DWORD reserved)
{
    return S_OK;
}

static const IBackgroundCopyCallbackVtbl notify_vtbl = {
    notify_QueryInterface, notify_AddRef, notify_Release,
    notify_JobTransferred, notify_JobError, notify_JobModification,
};

int wmain(int argc, WCHAR **argv)
{
    notify callback = { { (IBackgroundCopyCallbackVtbl *)&notify_vtbl }, 1, 2 };
    DWORD context = CLSCTX_INPROC_SERVER;
    IBackgroundCopyManager *manager = NULL;
    IBackgroundCopyJob *job = NULL;
    int first = 1;
    HRESULT hr;
    GUID id;
    MSG msg;

    if (argc > 1 && !lstrcmpiW(argv[1], L"/local"))
    {
        context = CLSCTX_LOCAL_SERVER;
        first = 2;
    }
    if (argc != first + 2)
    {
        fprintf(stderr, "usage: sta_download [/local] <url> <local file>\n");
        return 2;
    }
    if (FAILED(hr = CoInitialize(NULL))) return 2;
    hr = CoCreateInstance(&CLSID_OpenBitsManager, NULL, context, &IID_IBackgroundCopyManager, (void **)&manager);
    if (SUCCEEDED(hr)) hr = IBackgroundCopyManager_CreateJob(manager, L"sta_download", BG_JOB_TYPE_DOWNLOAD, &id, &job);
    if (SUCCEEDED(hr)) hr = IBackgroundCopyJob_AddFile(job, argv[first], argv[first + 1]);
    if (SUCCEEDED(hr)) hr = IBackgroundCopyJob_SetNotifyFlags(job, BG_NOTIFY_JOB_TRANSFERRED | BG_NOTIFY_JOB_ERROR);
    if (SUCCEEDED(hr))
        hr = IBackgroundCopyJob_SetNotifyInterface(job, (IUnknown *)&callback.IBackgroundCopyCallback_iface);
    if (SUCCEEDED(hr)) hr = IBackgroundCopyJob_Resume(job);
    if (FAILED(hr))
    {
        fprintf(stderr, "set-up failed: 0x%08lx\n", (unsigned long)hr);
        if (job) IBackgroundCopyJob_Cancel(job);
    }
    else
        while (GetMessageW(&msg, NULL, 0, 0) > 0) DispatchMessageW(&msg);
    if (job)
    {
        IBackgroundCopyJob_SetNotifyInterface(job, NULL);
        IBackgroundCopyJob_Release(job);
    }
    if (manager) IBackgroundCopyManager_Release(manager);
    CoUninitialize();
    return FAILED(hr) ? 2 : callback.result;
}
