/* IBackgroundCopyManager: creates, finds and enumerates jobs of the
 * module's engine (one per DLL).  Every manager object of a flavour sees the
 * same jobs: CLSID_OpenBitsManager's are BITS jobs, CLSID_DeliveryOptimization's
 * DO jobs (flavour.h; the DO manager also gives out IDOManager, do_manager.c). */
#include "com_private.h"
#include "manager.h"
#include "errtext.h"

static manager *impl_from_IBackgroundCopyManager(IBackgroundCopyManager *iface)
{
    return CONTAINING_RECORD(iface, manager, IBackgroundCopyManager_iface);
}

static HRESULT WINAPI manager_QueryInterface(IBackgroundCopyManager *iface, REFIID iid, void **out)
{
    manager *self = impl_from_IBackgroundCopyManager(iface);
    if (!out) return E_POINTER;
    if (IsEqualIID(iid, &IID_IUnknown) || IsEqualIID(iid, &IID_IBackgroundCopyManager))
    {
        *out = iface;
        IBackgroundCopyManager_AddRef(iface);
        return S_OK;
    }
    if (self->flavour == &ob_flavour_do && IsEqualIID(iid, &IID_IDOManager))
    {
        *out = &self->IDOManager_iface;
        IBackgroundCopyManager_AddRef(iface);
        return S_OK;
    }
    *out = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI manager_AddRef(IBackgroundCopyManager *iface)
{
    return InterlockedIncrement(&impl_from_IBackgroundCopyManager(iface)->refs);
}

static ULONG WINAPI manager_Release(IBackgroundCopyManager *iface)
{
    manager *self = impl_from_IBackgroundCopyManager(iface);
    ULONG refs = InterlockedDecrement(&self->refs);
    if (!refs)
    {
        HeapFree(GetProcessHeap(), 0, self);
        ob_module_unlock();
    }
    return refs;
}

/* The calling client: in the host, its token by impersonation (never the
 * host's own); in process, the thread's or the process's token. */
HRESULT ob_manager_caller(ob_caller *caller)
{
    BOOL impersonating = ob_in_host() && SUCCEEDED(CoImpersonateClient());
    HRESULT hr = ob_caller_current(caller);
    if (impersonating) CoRevertToSelf();
    return hr;
}

HRESULT ob_manager_may_change(ob_job *job)
{
    ob_caller caller;
    HRESULT hr = ob_manager_caller(&caller);
    return FAILED(hr) ? hr : ob_table_check_access(job, &caller);
}

static HRESULT WINAPI manager_CreateJob(IBackgroundCopyManager *iface, LPCWSTR name, BG_JOB_TYPE type,
                                        GUID *id, IBackgroundCopyJob **out)
{
    manager *self = impl_from_IBackgroundCopyManager(iface);
    ob_caller caller;
    ob_job *job;
    HRESULT hr;

    if (!id || !out) return E_INVALIDARG;
    *out = NULL;
    if (FAILED(hr = ob_manager_caller(&caller))) return hr;
    if (FAILED(hr = ob_table_create_flavoured_job(ob_module_table(), self->flavour, name, type, &caller, &job)))
        return hr;
    *id = *ob_job_id(job);
    hr = ob_job_object_create(job, (IBackgroundCopyJob2 **)out);
    if (FAILED(hr)) ob_job_cancel(job);
    ob_job_release(job);
    return hr;
}

static HRESULT WINAPI manager_GetJob(IBackgroundCopyManager *iface, REFGUID id, IBackgroundCopyJob **out)
{
    manager *self = impl_from_IBackgroundCopyManager(iface);
    ob_caller caller;
    ob_job *job;
    HRESULT hr;

    if (!id || !out) return E_INVALIDARG;
    *out = NULL;
    if (FAILED(hr = ob_manager_caller(&caller))) return hr;
    if (FAILED(hr = ob_table_get_job(ob_module_table(), id, &caller, &job)))
        return ob_flavour_result(self->flavour, hr);
    /* each service sees its own jobs only */
    if (ob_job_flavour(job) != self->flavour) hr = ob_flavour_result(self->flavour, BG_E_NOT_FOUND);
    else hr = ob_job_object_create(job, (IBackgroundCopyJob2 **)out);
    ob_job_release(job);
    return hr;
}

static HRESULT WINAPI manager_EnumJobs(IBackgroundCopyManager *iface, DWORD flags, IEnumBackgroundCopyJobs **out)
{
    manager *self = impl_from_IBackgroundCopyManager(iface);
    ob_caller caller;
    ob_job **jobs;
    ULONG count;
    HRESULT hr;

    if (!out) return E_INVALIDARG;
    *out = NULL;
    if (FAILED(hr = ob_manager_caller(&caller))) return hr;
    if (FAILED(hr = ob_table_snapshot_of(ob_module_table(), self->flavour, flags, &caller, &jobs, &count))) return hr;
    return ob_enum_jobs_create(jobs, count, out);
}

static HRESULT WINAPI manager_GetErrorDescription(IBackgroundCopyManager *iface, HRESULT code, DWORD langid,
                                                  LPWSTR *out)
{
    if (!out) return E_INVALIDARG;
    *out = NULL;
    return ob_error_text(ob_module_instance, code, langid, out);
}

static const IBackgroundCopyManagerVtbl manager_vtbl = {
    manager_QueryInterface,
    manager_AddRef,
    manager_Release,
    manager_CreateJob,
    manager_GetJob,
    manager_EnumJobs,
    manager_GetErrorDescription,
};

HRESULT ob_manager_create(const ob_flavour *flavour, REFIID iid, void **out)
{
    manager *self;
    HRESULT hr;

    if (!ob_module_table()) return E_OUTOFMEMORY;
    ob_proxy_stub_use_own();
    if (!(self = HeapAlloc(GetProcessHeap(), 0, sizeof(*self)))) return E_OUTOFMEMORY;
    self->IBackgroundCopyManager_iface.lpVtbl = (IBackgroundCopyManagerVtbl *)&manager_vtbl;
    self->IDOManager_iface.lpVtbl = (IDOManagerVtbl *)&ob_do_manager_vtbl;
    self->refs = 1;
    self->flavour = flavour;
    ob_module_lock();
    hr = manager_QueryInterface(&self->IBackgroundCopyManager_iface, iid, out);
    manager_Release(&self->IBackgroundCopyManager_iface);
    return hr;
}
