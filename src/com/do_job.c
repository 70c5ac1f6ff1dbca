/* A Delivery Optimization job (CLSID_DeliveryOptimization's CreateJob and
 * GetJob): IBackgroundCopyJob with DO's answers.  It wraps the plain job
 * object of the same engine job and forwards every method to it, renaming
 * the result by the DO flavour (BG_E_* -> DO_E_*, flavour.c); the engine
 * applies DO's other rules itself (no CONNECTING, DO's timeouts, contexts and
 * notification flags).  DO documents no IBackgroundCopyJob2: QueryInterface
 * refuses it. */
#include "com_private.h"

typedef struct do_job {
    IBackgroundCopyJob IBackgroundCopyJob_iface;
    LONG refs;
    IBackgroundCopyJob *inner;   /* the plain job object (job.c) */
} do_job;

static do_job *impl_from_IBackgroundCopyJob(IBackgroundCopyJob *iface)
{
    return CONTAINING_RECORD(iface, do_job, IBackgroundCopyJob_iface);
}

static IBackgroundCopyJob *inner(IBackgroundCopyJob *iface)
{
    return impl_from_IBackgroundCopyJob(iface)->inner;
}

static HRESULT result(HRESULT hr)
{
    return ob_flavour_result(&ob_flavour_do, hr);
}

static HRESULT WINAPI do_job_QueryInterface(IBackgroundCopyJob *iface, REFIID iid, void **out)
{
    if (!out) return E_POINTER;
    if (IsEqualIID(iid, &IID_IUnknown) || IsEqualIID(iid, &IID_IBackgroundCopyJob))
    {
        *out = iface;
        IBackgroundCopyJob_AddRef(iface);
        return S_OK;
    }
    *out = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI do_job_AddRef(IBackgroundCopyJob *iface)
{
    return InterlockedIncrement(&impl_from_IBackgroundCopyJob(iface)->refs);
}

static ULONG WINAPI do_job_Release(IBackgroundCopyJob *iface)
{
    do_job *self = impl_from_IBackgroundCopyJob(iface);
    ULONG refs = InterlockedDecrement(&self->refs);
    if (!refs)
    {
        IBackgroundCopyJob_Release(self->inner);
        HeapFree(GetProcessHeap(), 0, self);
        ob_module_unlock();
    }
    return refs;
}

/* Forwarders: the plain job's answer, in DO's codes. */
#define FORWARD0(method)                                                        \
    static HRESULT WINAPI do_job_##method(IBackgroundCopyJob *iface)            \
    {                                                                           \
        return result(IBackgroundCopyJob_##method(inner(iface)));               \
    }
#define FORWARD1(method, type)                                                  \
    static HRESULT WINAPI do_job_##method(IBackgroundCopyJob *iface, type a)    \
    {                                                                           \
        return result(IBackgroundCopyJob_##method(inner(iface), a));            \
    }
#define FORWARD2(method, type1, type2)                                                   \
    static HRESULT WINAPI do_job_##method(IBackgroundCopyJob *iface, type1 a, type2 b)   \
    {                                                                                    \
        return result(IBackgroundCopyJob_##method(inner(iface), a, b));                  \
    }
#define FORWARD3(method, type1, type2, type3)                                                     \
    static HRESULT WINAPI do_job_##method(IBackgroundCopyJob *iface, type1 a, type2 b, type3 c)   \
    {                                                                                             \
        return result(IBackgroundCopyJob_##method(inner(iface), a, b, c));                        \
    }

FORWARD2(AddFileSet, ULONG, BG_FILE_INFO *)
FORWARD2(AddFile, LPCWSTR, LPCWSTR)
FORWARD1(EnumFiles, IEnumBackgroundCopyFiles **)
FORWARD0(Suspend)
FORWARD0(Resume)
FORWARD0(Cancel)
FORWARD0(Complete)
FORWARD1(GetId, GUID *)
FORWARD1(GetType, BG_JOB_TYPE *)
FORWARD1(GetProgress, BG_JOB_PROGRESS *)
FORWARD1(GetTimes, BG_JOB_TIMES *)
FORWARD1(GetState, BG_JOB_STATE *)
FORWARD1(GetError, IBackgroundCopyError **)
FORWARD1(GetOwner, LPWSTR *)
FORWARD1(SetDisplayName, LPCWSTR)
FORWARD1(GetDisplayName, LPWSTR *)
FORWARD1(SetDescription, LPCWSTR)
FORWARD1(GetDescription, LPWSTR *)
FORWARD1(SetPriority, BG_JOB_PRIORITY)
FORWARD1(GetPriority, BG_JOB_PRIORITY *)
FORWARD1(SetNotifyFlags, ULONG)
FORWARD1(GetNotifyFlags, ULONG *)
FORWARD1(SetNotifyInterface, IUnknown *)
FORWARD1(GetNotifyInterface, IUnknown **)
FORWARD1(SetMinimumRetryDelay, ULONG)
FORWARD1(GetMinimumRetryDelay, ULONG *)
FORWARD1(SetNoProgressTimeout, ULONG)
FORWARD1(GetNoProgressTimeout, ULONG *)
FORWARD1(GetErrorCount, ULONG *)
FORWARD3(SetProxySettings, BG_JOB_PROXY_USAGE, const WCHAR *, const WCHAR *)
FORWARD3(GetProxySettings, BG_JOB_PROXY_USAGE *, LPWSTR *, LPWSTR *)
FORWARD0(TakeOwnership)

static const IBackgroundCopyJobVtbl do_job_vtbl = {
    do_job_QueryInterface,
    do_job_AddRef,
    do_job_Release,
    do_job_AddFileSet,
    do_job_AddFile,
    do_job_EnumFiles,
    do_job_Suspend,
    do_job_Resume,
    do_job_Cancel,
    do_job_Complete,
    do_job_GetId,
    do_job_GetType,
    do_job_GetProgress,
    do_job_GetTimes,
    do_job_GetState,
    do_job_GetError,
    do_job_GetOwner,
    do_job_SetDisplayName,
    do_job_GetDisplayName,
    do_job_SetDescription,
    do_job_GetDescription,
    do_job_SetPriority,
    do_job_GetPriority,
    do_job_SetNotifyFlags,
    do_job_GetNotifyFlags,
    do_job_SetNotifyInterface,
    do_job_GetNotifyInterface,
    do_job_SetMinimumRetryDelay,
    do_job_GetMinimumRetryDelay,
    do_job_SetNoProgressTimeout,
    do_job_GetNoProgressTimeout,
    do_job_GetErrorCount,
    do_job_SetProxySettings,
    do_job_GetProxySettings,
    do_job_TakeOwnership,
};

HRESULT ob_do_job_object_create(ob_job *record, IBackgroundCopyJob **out)
{
    do_job *self = HeapAlloc(GetProcessHeap(), 0, sizeof(*self));
    HRESULT hr;

    if (!self) return E_OUTOFMEMORY;
    if (FAILED(hr = ob_bits_job_object_create(record, (IBackgroundCopyJob2 **)&self->inner)))
    {
        HeapFree(GetProcessHeap(), 0, self);
        return hr;
    }
    self->IBackgroundCopyJob_iface.lpVtbl = (IBackgroundCopyJobVtbl *)&do_job_vtbl;
    self->refs = 1;
    ob_module_lock();
    *out = &self->IBackgroundCopyJob_iface;
    return S_OK;
}
