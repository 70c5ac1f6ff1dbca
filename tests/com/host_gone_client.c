/* For test_host_gone: a client process that registers a callback and a
 * notification command line on a suspended job in openbits-host, prints the
 * job's GUID and exits without unregistering anything (as a crashed client
 * would).  host_gone_client <url> <local> <program> <parameters> */
#include <windows.h>
#include <objbase.h>
#include <stdio.h>
#include "openbits.h"

static HRESULT WINAPI cb_QueryInterface(IBackgroundCopyCallback *iface, REFIID iid, void **out)
{
    if (IsEqualIID(iid, &IID_IUnknown) || IsEqualIID(iid, &IID_IBackgroundCopyCallback))
    {
        *out = iface;
        return S_OK;
    }
    *out = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI cb_AddRef(IBackgroundCopyCallback *iface) { return 2; }
static ULONG WINAPI cb_Release(IBackgroundCopyCallback *iface) { return 1; }
static HRESULT WINAPI cb_JobTransferred(IBackgroundCopyCallback *iface, IBackgroundCopyJob *job) { return S_OK; }
static HRESULT WINAPI cb_JobError(IBackgroundCopyCallback *iface, IBackgroundCopyJob *job, IBackgroundCopyError *e)
{
    return S_OK;
}
static HRESULT WINAPI cb_JobModification(IBackgroundCopyCallback *iface, IBackgroundCopyJob *job, DWORD reserved)
{
    return S_OK;
}

static const IBackgroundCopyCallbackVtbl cb_vtbl = {
    cb_QueryInterface, cb_AddRef, cb_Release, cb_JobTransferred, cb_JobError, cb_JobModification,
};
static IBackgroundCopyCallback callback = { (IBackgroundCopyCallbackVtbl *)&cb_vtbl };

int wmain(int argc, WCHAR **argv)
{
    IBackgroundCopyManager *manager = NULL;
    IBackgroundCopyJob *job = NULL;
    IBackgroundCopyJob2 *job2 = NULL;
    WCHAR text[40];
    HRESULT hr;
    GUID id;

    if (argc != 5) return 2;
    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    hr = CoCreateInstance(&CLSID_OpenBitsManager, NULL, CLSCTX_LOCAL_SERVER, &IID_IBackgroundCopyManager,
                          (void **)&manager);
    if (SUCCEEDED(hr)) hr = IBackgroundCopyManager_CreateJob(manager, L"gone client", BG_JOB_TYPE_DOWNLOAD, &id, &job);
    if (SUCCEEDED(hr)) hr = IBackgroundCopyJob_AddFile(job, argv[1], argv[2]);
    if (SUCCEEDED(hr)) hr = IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJob2, (void **)&job2);
    if (SUCCEEDED(hr)) hr = IBackgroundCopyJob2_SetNotifyCmdLine(job2, argv[3], argv[4]);
    if (SUCCEEDED(hr)) hr = IBackgroundCopyJob_SetNotifyFlags(job, BG_NOTIFY_JOB_TRANSFERRED);
    if (SUCCEEDED(hr)) hr = IBackgroundCopyJob_SetNotifyInterface(job, (IUnknown *)&callback);
    if (FAILED(hr))
    {
        fprintf(stderr, "host_gone_client: 0x%08lx\n", (unsigned long)hr);
        return 1;
    }
    StringFromGUID2(&id, text, ARRAYSIZE(text));
    printf("%ls\n", text);
    fflush(stdout);
    ExitProcess(0); /* no Release, no SetNotifyInterface(NULL), no CoUninitialize */
}
