/* IEnumBackgroundCopyFiles: the files a job had when EnumFiles was called. */
#include "com_private.h"
#include "cursor.h"

typedef struct enum_files {
    IEnumBackgroundCopyFiles IEnumBackgroundCopyFiles_iface;
    LONG refs;
    ob_job *job;
    ob_cursor cursor;
    CRITICAL_SECTION lock; /* guards the cursor */
} enum_files;

static enum_files *impl_from_IEnumBackgroundCopyFiles(IEnumBackgroundCopyFiles *iface)
{
    return CONTAINING_RECORD(iface, enum_files, IEnumBackgroundCopyFiles_iface);
}

static HRESULT WINAPI enum_files_QueryInterface(IEnumBackgroundCopyFiles *iface, REFIID iid, void **out)
{
    if (!out) return E_POINTER;
    if (IsEqualIID(iid, &IID_IUnknown) || IsEqualIID(iid, &IID_IEnumBackgroundCopyFiles))
    {
        *out = iface;
        IEnumBackgroundCopyFiles_AddRef(iface);
        return S_OK;
    }
    *out = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI enum_files_AddRef(IEnumBackgroundCopyFiles *iface)
{
    return InterlockedIncrement(&impl_from_IEnumBackgroundCopyFiles(iface)->refs);
}

static ULONG WINAPI enum_files_Release(IEnumBackgroundCopyFiles *iface)
{
    enum_files *self = impl_from_IEnumBackgroundCopyFiles(iface);
    ULONG refs = InterlockedDecrement(&self->refs);
    if (!refs)
    {
        ob_job_release(self->job);
        DeleteCriticalSection(&self->lock);
        HeapFree(GetProcessHeap(), 0, self);
        ob_module_unlock();
    }
    return refs;
}

static HRESULT WINAPI enum_files_Next(IEnumBackgroundCopyFiles *iface, ULONG celt, IBackgroundCopyFile **out,
                                      ULONG *fetched)
{
    enum_files *self = impl_from_IEnumBackgroundCopyFiles(iface);
    ULONG take, i;
    HRESULT hr;

    EnterCriticalSection(&self->lock);
    if (SUCCEEDED(hr = ob_cursor_begin_next(&self->cursor, celt, out, fetched, &take)))
    {
        for (i = 0; i < take; i++)
            if (FAILED(hr = ob_file_object_create(self->job, self->cursor.position + i, &out[i]))) break;
        if (SUCCEEDED(hr)) hr = ob_cursor_end_next(&self->cursor, celt, take, fetched);
        else while (i--) IBackgroundCopyFile_Release(out[i]);
    }
    LeaveCriticalSection(&self->lock);
    return hr;
}

static HRESULT WINAPI enum_files_Skip(IEnumBackgroundCopyFiles *iface, ULONG celt)
{
    enum_files *self = impl_from_IEnumBackgroundCopyFiles(iface);
    HRESULT hr;
    EnterCriticalSection(&self->lock);
    hr = ob_cursor_skip(&self->cursor, celt);
    LeaveCriticalSection(&self->lock);
    return hr;
}

static HRESULT WINAPI enum_files_Reset(IEnumBackgroundCopyFiles *iface)
{
    enum_files *self = impl_from_IEnumBackgroundCopyFiles(iface);
    EnterCriticalSection(&self->lock);
    self->cursor.position = 0;
    LeaveCriticalSection(&self->lock);
    return S_OK;
}

static HRESULT create(ob_job *job, ULONG count, ULONG position, IEnumBackgroundCopyFiles **out);

static HRESULT WINAPI enum_files_Clone(IEnumBackgroundCopyFiles *iface, IEnumBackgroundCopyFiles **out)
{
    enum_files *self = impl_from_IEnumBackgroundCopyFiles(iface);
    HRESULT hr;
    if (!out) return E_INVALIDARG;
    EnterCriticalSection(&self->lock);
    hr = create(self->job, self->cursor.count, self->cursor.position, out);
    LeaveCriticalSection(&self->lock);
    return hr;
}

static HRESULT WINAPI enum_files_GetCount(IEnumBackgroundCopyFiles *iface, ULONG *count)
{
    if (!count) return E_INVALIDARG;
    *count = impl_from_IEnumBackgroundCopyFiles(iface)->cursor.count;
    return S_OK;
}

static const IEnumBackgroundCopyFilesVtbl enum_files_vtbl = {
    enum_files_QueryInterface,
    enum_files_AddRef,
    enum_files_Release,
    enum_files_Next,
    enum_files_Skip,
    enum_files_Reset,
    enum_files_Clone,
    enum_files_GetCount,
};

static HRESULT create(ob_job *job, ULONG count, ULONG position, IEnumBackgroundCopyFiles **out)
{
    enum_files *self = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, sizeof(*self));
    if (!self) return E_OUTOFMEMORY;
    self->IEnumBackgroundCopyFiles_iface.lpVtbl = (IEnumBackgroundCopyFilesVtbl *)&enum_files_vtbl;
    self->refs = 1;
    self->job = job;
    self->cursor.count = count;
    self->cursor.position = position;
    InitializeCriticalSection(&self->lock);
    ob_job_addref(job);
    ob_module_lock();
    *out = &self->IEnumBackgroundCopyFiles_iface;
    return S_OK;
}

HRESULT ob_enum_files_create(ob_job *job, IEnumBackgroundCopyFiles **out)
{
    return create(job, ob_job_file_count(job), 0, out);
}
