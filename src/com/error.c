/* IBackgroundCopyError: a copy of the error a job recorded. */
#include "com_private.h"
#include "errtext.h"

typedef struct error {
    IBackgroundCopyError IBackgroundCopyError_iface;
    LONG refs;
    ob_job *job;
    ob_error_info info;
} error;

static error *impl_from_IBackgroundCopyError(IBackgroundCopyError *iface)
{
    return CONTAINING_RECORD(iface, error, IBackgroundCopyError_iface);
}

static HRESULT WINAPI error_QueryInterface(IBackgroundCopyError *iface, REFIID iid, void **out)
{
    if (!out) return E_POINTER;
    if (IsEqualIID(iid, &IID_IUnknown) || IsEqualIID(iid, &IID_IBackgroundCopyError))
    {
        *out = iface;
        IBackgroundCopyError_AddRef(iface);
        return S_OK;
    }
    *out = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI error_AddRef(IBackgroundCopyError *iface)
{
    return InterlockedIncrement(&impl_from_IBackgroundCopyError(iface)->refs);
}

static ULONG WINAPI error_Release(IBackgroundCopyError *iface)
{
    error *self = impl_from_IBackgroundCopyError(iface);
    ULONG refs = InterlockedDecrement(&self->refs);
    if (!refs)
    {
        ob_job_release(self->job);
        HeapFree(GetProcessHeap(), 0, self);
        ob_module_unlock();
    }
    return refs;
}

static HRESULT WINAPI error_GetError(IBackgroundCopyError *iface, BG_ERROR_CONTEXT *context, HRESULT *code)
{
    error *self = impl_from_IBackgroundCopyError(iface);
    if (!context || !code) return E_INVALIDARG;
    *context = self->info.context;
    *code = self->info.code;
    return S_OK;
}

static HRESULT WINAPI error_GetFile(IBackgroundCopyError *iface, IBackgroundCopyFile **out)
{
    error *self = impl_from_IBackgroundCopyError(iface);
    if (!out) return E_INVALIDARG;
    *out = NULL;
    if (self->info.file_index < 0) return BG_E_FILE_NOT_AVAILABLE;
    return ob_file_object_create(self->job, self->info.file_index, out);
}

static HRESULT WINAPI error_GetErrorDescription(IBackgroundCopyError *iface, DWORD langid, LPWSTR *out)
{
    error *self = impl_from_IBackgroundCopyError(iface);
    if (!out) return E_INVALIDARG;
    *out = NULL;
    return ob_error_text(ob_module_instance, self->info.code, langid, out);
}

static HRESULT WINAPI error_GetErrorContextDescription(IBackgroundCopyError *iface, DWORD langid, LPWSTR *out)
{
    error *self = impl_from_IBackgroundCopyError(iface);
    if (!out) return E_INVALIDARG;
    *out = NULL;
    return ob_error_text(ob_module_instance, ob_error_context_message(self->info.context), langid, out);
}

static HRESULT WINAPI error_GetProtocol(IBackgroundCopyError *iface, LPWSTR *out)
{
    error *self = impl_from_IBackgroundCopyError(iface);
    WCHAR *remote, *colon;
    HRESULT hr;

    if (!out) return E_INVALIDARG;
    *out = NULL;
    if (self->info.file_index < 0) return BG_E_PROTOCOL_NOT_AVAILABLE;
    if (FAILED(hr = ob_job_get_file_name(self->job, self->info.file_index, TRUE, &remote))) return hr;
    /* The URL scheme ("http", "https", "file"); a plain path is a file too. */
    colon = wcsstr(remote, L"://");
    if (colon && self->info.protocol == OB_REMOTE_HTTP)
    {
        *colon = 0;
        *out = remote;
        return S_OK;
    }
    CoTaskMemFree(remote);
    if (!(*out = CoTaskMemAlloc(sizeof(L"file")))) return E_OUTOFMEMORY;
    memcpy(*out, L"file", sizeof(L"file"));
    return S_OK;
}

static const IBackgroundCopyErrorVtbl error_vtbl = {
    error_QueryInterface,
    error_AddRef,
    error_Release,
    error_GetError,
    error_GetFile,
    error_GetErrorDescription,
    error_GetErrorContextDescription,
    error_GetProtocol,
};

HRESULT ob_error_object_create(ob_job *job, const ob_error_info *info, IBackgroundCopyError **out)
{
    error *self = HeapAlloc(GetProcessHeap(), 0, sizeof(*self));
    if (!self) return E_OUTOFMEMORY;
    self->IBackgroundCopyError_iface.lpVtbl = (IBackgroundCopyErrorVtbl *)&error_vtbl;
    self->refs = 1;
    self->job = job;
    self->info = *info;
    ob_job_addref(job);
    ob_module_lock();
    *out = &self->IBackgroundCopyError_iface;
    return S_OK;
}
