/* IBackgroundCopyFile and IBackgroundCopyFile2: one file of a job, by index
 * (files are never removed). */
#include "com_private.h"

typedef struct file {
    IBackgroundCopyFile2 IBackgroundCopyFile2_iface;
    LONG refs;
    ob_job *job;
    ULONG index;
} file;

static file *impl_from_IBackgroundCopyFile2(IBackgroundCopyFile2 *iface)
{
    return CONTAINING_RECORD(iface, file, IBackgroundCopyFile2_iface);
}

static HRESULT WINAPI file_QueryInterface(IBackgroundCopyFile2 *iface, REFIID iid, void **out)
{
    if (!out) return E_POINTER;
    if (IsEqualIID(iid, &IID_IUnknown) || IsEqualIID(iid, &IID_IBackgroundCopyFile) ||
        IsEqualIID(iid, &IID_IBackgroundCopyFile2))
    {
        *out = iface;
        IBackgroundCopyFile2_AddRef(iface);
        return S_OK;
    }
    *out = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI file_AddRef(IBackgroundCopyFile2 *iface)
{
    return InterlockedIncrement(&impl_from_IBackgroundCopyFile2(iface)->refs);
}

static ULONG WINAPI file_Release(IBackgroundCopyFile2 *iface)
{
    file *self = impl_from_IBackgroundCopyFile2(iface);
    ULONG refs = InterlockedDecrement(&self->refs);
    if (!refs)
    {
        ob_job_release(self->job);
        HeapFree(GetProcessHeap(), 0, self);
        ob_module_unlock();
    }
    return refs;
}

static HRESULT WINAPI file_GetRemoteName(IBackgroundCopyFile2 *iface, LPWSTR *out)
{
    file *self = impl_from_IBackgroundCopyFile2(iface);
    if (!out) return E_INVALIDARG;
    return ob_job_get_file_name(self->job, self->index, TRUE, out);
}

static HRESULT WINAPI file_GetLocalName(IBackgroundCopyFile2 *iface, LPWSTR *out)
{
    file *self = impl_from_IBackgroundCopyFile2(iface);
    if (!out) return E_INVALIDARG;
    return ob_job_get_file_name(self->job, self->index, FALSE, out);
}

static HRESULT WINAPI file_GetProgress(IBackgroundCopyFile2 *iface, BG_FILE_PROGRESS *out)
{
    file *self = impl_from_IBackgroundCopyFile2(iface);
    if (!out) return E_INVALIDARG;
    return ob_job_get_file_progress(self->job, self->index, out);
}

/* Documented: S_FALSE, 0 and NULL for a file without ranges. */
static HRESULT WINAPI file_GetFileRanges(IBackgroundCopyFile2 *iface, DWORD *count, BG_FILE_RANGE **ranges)
{
    file *self = impl_from_IBackgroundCopyFile2(iface);
    if (!count || !ranges) return E_INVALIDARG;
    return ob_job_get_file_ranges(self->job, self->index, count, ranges);
}

static HRESULT WINAPI file_SetRemoteName(IBackgroundCopyFile2 *iface, LPCWSTR name)
{
    file *self = impl_from_IBackgroundCopyFile2(iface);
    OB_CHECK_MAY_CHANGE(self->job);
    return ob_job_set_remote_name(self->job, self->index, name);
}

static const IBackgroundCopyFile2Vtbl file_vtbl = {
    file_QueryInterface,
    file_AddRef,
    file_Release,
    file_GetRemoteName,
    file_GetLocalName,
    file_GetProgress,
    file_GetFileRanges,
    file_SetRemoteName,
};

HRESULT ob_file_object_create(ob_job *job, ULONG index, IBackgroundCopyFile **out)
{
    if (ob_job_flavour(job) == &ob_flavour_do) return ob_do_file_object_create(job, index, out);
    return ob_bits_file_object_create(job, index, out);
}

/* The plain (BITS) file object; a DO job's file object wraps one. */
HRESULT ob_bits_file_object_create(ob_job *job, ULONG index, IBackgroundCopyFile **out)
{
    file *self = HeapAlloc(GetProcessHeap(), 0, sizeof(*self));
    if (!self) return E_OUTOFMEMORY;
    self->IBackgroundCopyFile2_iface.lpVtbl = (IBackgroundCopyFile2Vtbl *)&file_vtbl;
    self->refs = 1;
    self->job = job;
    self->index = index;
    ob_job_addref(job);
    ob_module_lock();
    *out = (IBackgroundCopyFile *)&self->IBackgroundCopyFile2_iface;
    return S_OK;
}
