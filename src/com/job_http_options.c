/* IBackgroundCopyJobHttpOptions, 2 and 3: a part of the job object (job.c),
 * with its identity, over the engine's job_http.c.  The server certificate
 * callback is kept in the Global Interface Table by a small holder the engine
 * sees only as an ob_cert_check (engine/cert_check.h). */
#include "com_private.h"
#include "job_http.h"

static ob_http_options *impl_from_IBackgroundCopyJobHttpOptions3(IBackgroundCopyJobHttpOptions3 *iface)
{
    return CONTAINING_RECORD(iface, ob_http_options, IBackgroundCopyJobHttpOptions3_iface);
}

static ob_job *record(IBackgroundCopyJobHttpOptions3 *iface)
{
    return impl_from_IBackgroundCopyJobHttpOptions3(iface)->job;
}

/* ---- the certificate callback's holder ---- */

typedef struct cert_holder {
    ob_cert_check check;
    LONG refs;
    DWORD cookie;
} cert_holder;

static cert_holder *impl_from_check(ob_cert_check *check)
{
    return CONTAINING_RECORD(check, cert_holder, check);
}

static void holder_addref(ob_cert_check *check)
{
    InterlockedIncrement(&impl_from_check(check)->refs);
}

static void holder_release(ob_cert_check *check)
{
    cert_holder *self = impl_from_check(check);
    if (InterlockedDecrement(&self->refs)) return;
    ob_git_revoke(self->cookie);
    HeapFree(GetProcessHeap(), 0, self);
    ob_module_unlock();
}

static BOOL client_gone(HRESULT hr)
{
    return hr == RPC_E_DISCONNECTED || hr == HRESULT_FROM_WIN32(RPC_S_SERVER_UNAVAILABLE)
           || hr == CO_E_OBJNOTCONNECTED || hr == RPC_E_SERVER_DIED_DNE;
}

/* On a worker thread (joined to the MTA for the call): the client's
 * ValidateServerCertificate with a job and a file object. */
static HRESULT holder_validate(ob_cert_check *check, ob_job *record, ULONG index, const BYTE *cert, DWORD cert_size,
                               DWORD encoding, const BYTE *store, DWORD store_size)
{
    static const BYTE nothing[1];
    HRESULT init = CoInitializeEx(NULL, COINIT_MULTITHREADED), hr;
    IBackgroundCopyServerCertificateValidationCallback *callback = NULL;
    IBackgroundCopyJob2 *job = NULL;
    IBackgroundCopyFile *file = NULL;

    hr = ob_git_get(impl_from_check(check)->cookie, &IID_IBackgroundCopyServerCertificateValidationCallback,
                    (void **)&callback);
    if (SUCCEEDED(hr)) hr = ob_job_object_create(record, &job);
    if (SUCCEEDED(hr)) hr = ob_file_object_create(record, index, &file);
    if (SUCCEEDED(hr))
        hr = IBackgroundCopyServerCertificateValidationCallback_ValidateServerCertificate(
            callback, (IBackgroundCopyJob *)job, file, cert_size, cert, encoding, store_size,
            store ? store : nothing);
    if (file) IBackgroundCopyFile_Release(file);
    if (job) IBackgroundCopyJob2_Release(job);
    if (callback) IBackgroundCopyServerCertificateValidationCallback_Release(callback);
    if (SUCCEEDED(init)) CoUninitialize();
    /* documented: a callback BITS cannot call */
    return client_gone(hr) ? BG_E_SERVER_CERT_VALIDATION_INTERFACE_REQUIRED : hr;
}

static const ob_cert_check_ops holder_ops = { holder_addref, holder_release, holder_validate };

static HRESULT holder_create(IUnknown *callback, ob_cert_check **out)
{
    cert_holder *self;
    HRESULT hr;

    *out = NULL;
    if (!(self = HeapAlloc(GetProcessHeap(), 0, sizeof(*self)))) return E_OUTOFMEMORY;
    if (FAILED(hr = ob_git_register(callback, &self->cookie)))
    {
        HeapFree(GetProcessHeap(), 0, self);
        return hr;
    }
    self->check.ops = &holder_ops;
    self->refs = 1;
    ob_module_lock();
    *out = &self->check;
    return S_OK;
}

/* ---- IUnknown: the job object's ---- */

static HRESULT WINAPI options_QueryInterface(IBackgroundCopyJobHttpOptions3 *iface, REFIID iid, void **out)
{
    IUnknown *outer = impl_from_IBackgroundCopyJobHttpOptions3(iface)->outer;
    return IUnknown_QueryInterface(outer, iid, out);
}

static ULONG WINAPI options_AddRef(IBackgroundCopyJobHttpOptions3 *iface)
{
    return IUnknown_AddRef(impl_from_IBackgroundCopyJobHttpOptions3(iface)->outer);
}

static ULONG WINAPI options_Release(IBackgroundCopyJobHttpOptions3 *iface)
{
    return IUnknown_Release(impl_from_IBackgroundCopyJobHttpOptions3(iface)->outer);
}

/* ---- IBackgroundCopyJobHttpOptions ---- */

static HRESULT WINAPI options_SetClientCertificateByID(IBackgroundCopyJobHttpOptions3 *iface,
                                                       BG_CERT_STORE_LOCATION location, LPCWSTR store, BYTE *hash)
{
    OB_CHECK_MAY_CHANGE(record(iface));
    if (!store || !hash) return RPC_X_NULL_REF_POINTER;
    return ob_job_set_client_cert(record(iface), location, store, hash, NULL);
}

static HRESULT WINAPI options_SetClientCertificateByName(IBackgroundCopyJobHttpOptions3 *iface,
                                                         BG_CERT_STORE_LOCATION location, LPCWSTR store,
                                                         LPCWSTR subject)
{
    OB_CHECK_MAY_CHANGE(record(iface));
    if (!store || !subject) return RPC_X_NULL_REF_POINTER;
    return ob_job_set_client_cert(record(iface), location, store, NULL, subject);
}

static HRESULT WINAPI options_RemoveClientCertificate(IBackgroundCopyJobHttpOptions3 *iface)
{
    OB_CHECK_MAY_CHANGE(record(iface));
    return ob_job_remove_client_cert(record(iface));
}

static HRESULT WINAPI options_GetClientCertificate(IBackgroundCopyJobHttpOptions3 *iface,
                                                   BG_CERT_STORE_LOCATION *location, LPWSTR *store, BYTE **hash,
                                                   LPWSTR *subject)
{
    if (!location || !store || !hash || !subject) return RPC_X_NULL_REF_POINTER;
    return ob_job_get_client_cert(record(iface), location, store, hash, subject);
}

static HRESULT WINAPI options_SetCustomHeaders(IBackgroundCopyJobHttpOptions3 *iface, LPCWSTR headers)
{
    OB_CHECK_MAY_CHANGE(record(iface));
    return ob_job_set_custom_headers(record(iface), headers);
}

static HRESULT WINAPI options_GetCustomHeaders(IBackgroundCopyJobHttpOptions3 *iface, LPWSTR *out)
{
    if (!out) return RPC_X_NULL_REF_POINTER;
    return ob_job_get_custom_headers(record(iface), out);
}

static HRESULT WINAPI options_SetSecurityFlags(IBackgroundCopyJobHttpOptions3 *iface, ULONG flags)
{
    OB_CHECK_MAY_CHANGE(record(iface));
    return ob_job_set_security_flags(record(iface), flags);
}

static HRESULT WINAPI options_GetSecurityFlags(IBackgroundCopyJobHttpOptions3 *iface, ULONG *out)
{
    if (!out) return E_INVALIDARG;
    *out = ob_job_get_security_flags(record(iface));
    return S_OK;
}

/* ---- IBackgroundCopyJobHttpOptions2 ---- */

static HRESULT WINAPI options_SetHttpMethod(IBackgroundCopyJobHttpOptions3 *iface, LPCWSTR method)
{
    OB_CHECK_MAY_CHANGE(record(iface));
    if (!method) return E_INVALIDARG;
    return ob_job_set_http_method(record(iface), method);
}

static HRESULT WINAPI options_GetHttpMethod(IBackgroundCopyJobHttpOptions3 *iface, LPWSTR *out)
{
    if (!out) return E_INVALIDARG;
    return ob_job_get_http_method(record(iface), out);
}

/* ---- IBackgroundCopyJobHttpOptions3 ---- */

static HRESULT WINAPI options_SetServerCertificateValidationInterface(IBackgroundCopyJobHttpOptions3 *iface,
                                                                      IUnknown *callback)
{
    OB_CHECK_MAY_CHANGE(record(iface));
    IBackgroundCopyServerCertificateValidationCallback *validator;
    ob_cert_check *check = NULL;
    HRESULT hr;

    if (callback)
    {
        /* documented: E_NOINTERFACE for an object that is not a validation callback */
        if (FAILED(hr = IUnknown_QueryInterface(callback, &IID_IBackgroundCopyServerCertificateValidationCallback,
                                                (void **)&validator)))
            return E_NOINTERFACE;
        hr = holder_create((IUnknown *)validator, &check);
        IBackgroundCopyServerCertificateValidationCallback_Release(validator);
        if (FAILED(hr)) return hr;
    }
    hr = ob_job_set_cert_check(record(iface), check);
    if (check) ob_cert_check_release(check);
    return hr;
}

static HRESULT WINAPI options_MakeCustomHeadersWriteOnly(IBackgroundCopyJobHttpOptions3 *iface)
{
    OB_CHECK_MAY_CHANGE(record(iface));
    return ob_job_make_custom_headers_write_only(record(iface));
}

static const IBackgroundCopyJobHttpOptions3Vtbl options_vtbl = {
    options_QueryInterface,
    options_AddRef,
    options_Release,
    options_SetClientCertificateByID,
    options_SetClientCertificateByName,
    options_RemoveClientCertificate,
    options_GetClientCertificate,
    options_SetCustomHeaders,
    options_GetCustomHeaders,
    options_SetSecurityFlags,
    options_GetSecurityFlags,
    options_SetHttpMethod,
    options_GetHttpMethod,
    options_SetServerCertificateValidationInterface,
    options_MakeCustomHeadersWriteOnly,
};

void ob_http_options_init(ob_http_options *self, IUnknown *outer, ob_job *job)
{
    self->IBackgroundCopyJobHttpOptions3_iface.lpVtbl = (IBackgroundCopyJobHttpOptions3Vtbl *)&options_vtbl;
    self->outer = outer;
    self->job = job;
}

void *ob_http_options_query(ob_http_options *self, REFIID iid)
{
    if (IsEqualIID(iid, &IID_IBackgroundCopyJobHttpOptions) || IsEqualIID(iid, &IID_IBackgroundCopyJobHttpOptions2)
        || IsEqualIID(iid, &IID_IBackgroundCopyJobHttpOptions3))
        return &self->IBackgroundCopyJobHttpOptions3_iface;
    return NULL;
}
