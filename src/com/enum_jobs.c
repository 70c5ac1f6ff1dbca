/* IEnumBackgroundCopyJobs over a snapshot of the job table taken by EnumJobs. */
#include "com_private.h"
#include "cursor.h"

typedef struct enum_jobs {
    IEnumBackgroundCopyJobs IEnumBackgroundCopyJobs_iface;
    LONG refs;
    ob_job **jobs;
    ob_cursor cursor;
    CRITICAL_SECTION lock; /* guards the cursor */
} enum_jobs;

static enum_jobs *impl_from_IEnumBackgroundCopyJobs(IEnumBackgroundCopyJobs *iface)
{
    return CONTAINING_RECORD(iface, enum_jobs, IEnumBackgroundCopyJobs_iface);
}

static HRESULT WINAPI enum_jobs_QueryInterface(IEnumBackgroundCopyJobs *iface, REFIID iid, void **out)
{
    if (!out) return E_POINTER;
    if (IsEqualIID(iid, &IID_IUnknown) || IsEqualIID(iid, &IID_IEnumBackgroundCopyJobs))
    {
        *out = iface;
        IEnumBackgroundCopyJobs_AddRef(iface);
        return S_OK;
    }
    *out = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI enum_jobs_AddRef(IEnumBackgroundCopyJobs *iface)
{
    return InterlockedIncrement(&impl_from_IEnumBackgroundCopyJobs(iface)->refs);
}

static ULONG WINAPI enum_jobs_Release(IEnumBackgroundCopyJobs *iface)
{
    enum_jobs *self = impl_from_IEnumBackgroundCopyJobs(iface);
    ULONG refs = InterlockedDecrement(&self->refs);
    if (!refs)
    {
        ob_table_free_snapshot(self->jobs, self->cursor.count);
        DeleteCriticalSection(&self->lock);
        HeapFree(GetProcessHeap(), 0, self);
        ob_module_unlock();
    }
    return refs;
}

static HRESULT WINAPI enum_jobs_Next(IEnumBackgroundCopyJobs *iface, ULONG celt, IBackgroundCopyJob **out,
                                     ULONG *fetched)
{
    enum_jobs *self = impl_from_IEnumBackgroundCopyJobs(iface);
    ULONG take, i;
    HRESULT hr;

    EnterCriticalSection(&self->lock);
    if (SUCCEEDED(hr = ob_cursor_begin_next(&self->cursor, celt, out, fetched, &take)))
    {
        for (i = 0; i < take; i++)
            if (FAILED(hr = ob_job_object_create(self->jobs[self->cursor.position + i],
                                                 (IBackgroundCopyJob2 **)&out[i])))
                break;
        if (SUCCEEDED(hr)) hr = ob_cursor_end_next(&self->cursor, celt, take, fetched);
        else while (i--) IBackgroundCopyJob_Release(out[i]);
    }
    LeaveCriticalSection(&self->lock);
    return hr;
}

static HRESULT WINAPI enum_jobs_Skip(IEnumBackgroundCopyJobs *iface, ULONG celt)
{
    enum_jobs *self = impl_from_IEnumBackgroundCopyJobs(iface);
    HRESULT hr;
    EnterCriticalSection(&self->lock);
    hr = ob_cursor_skip(&self->cursor, celt);
    LeaveCriticalSection(&self->lock);
    return hr;
}

static HRESULT WINAPI enum_jobs_Reset(IEnumBackgroundCopyJobs *iface)
{
    enum_jobs *self = impl_from_IEnumBackgroundCopyJobs(iface);
    EnterCriticalSection(&self->lock);
    self->cursor.position = 0;
    LeaveCriticalSection(&self->lock);
    return S_OK;
}

static HRESULT WINAPI enum_jobs_Clone(IEnumBackgroundCopyJobs *iface, IEnumBackgroundCopyJobs **out)
{
    enum_jobs *self = impl_from_IEnumBackgroundCopyJobs(iface);
    ob_job **copy = NULL;
    ULONG i, count = self->cursor.count;
    HRESULT hr;

    if (!out) return E_INVALIDARG;
    if (count && !(copy = HeapAlloc(GetProcessHeap(), 0, count * sizeof(*copy)))) return E_OUTOFMEMORY;
    for (i = 0; i < count; i++)
    {
        copy[i] = self->jobs[i];
        ob_job_addref(copy[i]);
    }
    if (FAILED(hr = ob_enum_jobs_create(copy, count, out))) return hr;
    EnterCriticalSection(&self->lock);
    impl_from_IEnumBackgroundCopyJobs(*out)->cursor.position = self->cursor.position;
    LeaveCriticalSection(&self->lock);
    return S_OK;
}

static HRESULT WINAPI enum_jobs_GetCount(IEnumBackgroundCopyJobs *iface, ULONG *count)
{
    if (!count) return E_INVALIDARG;
    *count = impl_from_IEnumBackgroundCopyJobs(iface)->cursor.count;
    return S_OK;
}

static const IEnumBackgroundCopyJobsVtbl enum_jobs_vtbl = {
    enum_jobs_QueryInterface,
    enum_jobs_AddRef,
    enum_jobs_Release,
    enum_jobs_Next,
    enum_jobs_Skip,
    enum_jobs_Reset,
    enum_jobs_Clone,
    enum_jobs_GetCount,
};

HRESULT ob_enum_jobs_create(ob_job **jobs, ULONG count, IEnumBackgroundCopyJobs **out)
{
    enum_jobs *self = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, sizeof(*self));
    if (!self)
    {
        ob_table_free_snapshot(jobs, count);
        return E_OUTOFMEMORY;
    }
    self->IEnumBackgroundCopyJobs_iface.lpVtbl = (IEnumBackgroundCopyJobsVtbl *)&enum_jobs_vtbl;
    self->refs = 1;
    self->jobs = jobs;
    self->cursor.count = count;
    InitializeCriticalSection(&self->lock);
    ob_module_lock();
    *out = &self->IEnumBackgroundCopyJobs_iface;
    return S_OK;
}
