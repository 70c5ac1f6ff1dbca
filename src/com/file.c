/* IBackgroundCopyFile: one file of a job, by index (files are never removed). */
#include "com_private.h"

typedef struct file {
    IBackgroundCopyFile IBackgroundCopyFile_iface;
    LONG refs;
    ob_job *job;
    ULONG index;
} file;

static file *impl_from_IBackgroundCopyFile(IBackgroundCopyFile *iface)
{
    return CONTAINING_RECORD(iface, file, IBackgroundCopyFile_iface);
}

static HRESULT WINAPI file_QueryInterface(IBackgroundCopyFile *iface, REFIID iid, void **out)
{
    if (!out) return E_POINTER;
    if (IsEqualIID(iid, &IID_IUnknown) || IsEqualIID(iid, &IID_IBackgroundCopyFile))
    {
        *out = iface;
        IBackgroundCopyFile_AddRef(iface);
        return S_OK;
    }
    *out = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI file_AddRef(IBackgroundCopyFile *iface)
{
    return InterlockedIncrement(&impl_from_IBackgroundCopyFile(iface)->refs);
}

static ULONG WINAPI file_Release(IBackgroundCopyFile *iface)
{
    file *self = impl_from_IBackgroundCopyFile(iface);
    ULONG refs = InterlockedDecrement(&self->refs);
    if (!refs)
    {
        ob_job_release(self->job);
        HeapFree(GetProcessHeap(), 0, self);
        ob_module_unlock();
    }
    return refs;
}

static HRESULT WINAPI file_GetRemoteName(IBackgroundCopyFile *iface, LPWSTR *out)
{
    file *self = impl_from_IBackgroundCopyFile(iface);
    if (!out) return E_INVALIDARG;
    return ob_job_get_file_name(self->job, self->index, TRUE, out);
}

static HRESULT WINAPI file_GetLocalName(IBackgroundCopyFile *iface, LPWSTR *out)
{
    file *self = impl_from_IBackgroundCopyFile(iface);
    if (!out) return E_INVALIDARG;
    return ob_job_get_file_name(self->job, self->index, FALSE, out);
}

static HRESULT WINAPI file_GetProgress(IBackgroundCopyFile *iface, BG_FILE_PROGRESS *out)
{
    file *self = impl_from_IBackgroundCopyFile(iface);
    if (!out) return E_INVALIDARG;
    return ob_job_get_file_progress(self->job, self->index, out);
}

static const IBackgroundCopyFileVtbl file_vtbl = {
    file_QueryInterface,
    file_AddRef,
    file_Release,
    file_GetRemoteName,
    file_GetLocalName,
    file_GetProgress,
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
    self->IBackgroundCopyFile_iface.lpVtbl = (IBackgroundCopyFileVtbl *)&file_vtbl;
    self->refs = 1;
    self->job = job;
    self->index = index;
    ob_job_addref(job);
    ob_module_lock();
    *out = &self->IBackgroundCopyFile_iface;
    return S_OK;
}
