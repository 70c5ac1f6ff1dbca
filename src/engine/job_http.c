/* A job's HTTP options and its files' response headers (see job_http.h).
 * Every field is under the job's lock; no lock is held across a store
 * lookup or a call of the certificate check. */
#include "job_private.h"
#include "lock.h"
#include "cert_store.h"
#include "http_rules.h"
#include "str.h"
#include "trace.h"
#include "transport.h"
#include <objbase.h>


/* ---- custom headers ---- */

HRESULT ob_job_set_custom_headers(ob_job *job, const WCHAR *headers)
{
    ob_change change = OB_NO_CHANGE;
    WCHAR *copy = NULL;
    HRESULT hr;

    if (headers && wcslen(headers) > OB_MAX_CUSTOM_HEADERS) return BG_E_STRING_TOO_LONG;
    if (FAILED(hr = ob_str_dup_opt(headers, &copy))) return hr;
    if (FAILED(hr = ob_job_lock_for_change(job)))
    {
        ob_str_free(copy);
        return hr;
    }
    if (!copy != !job->http.custom_headers || (copy && wcscmp(copy, job->http.custom_headers)))
        ob_job_note_change(job, &change);
    ob_str_free(job->http.custom_headers);
    job->http.custom_headers = copy;
    ob_job_unlock_after_change(job, &change, S_OK);
    return S_OK;
}

HRESULT ob_job_get_custom_headers(ob_job *job, WCHAR **out)
{
    HRESULT hr = S_FALSE;

    *out = NULL;
    ob_lock_shared(&job->lock);
    if (job->http.headers_write_only) hr = E_ACCESSDENIED;
    else if (job->http.custom_headers) hr = ob_job_cotask_copy(job->http.custom_headers, out);
    ob_unlock_shared(&job->lock);
    return hr;
}

HRESULT ob_job_make_custom_headers_write_only(ob_job *job)
{
    ob_change change = OB_NO_CHANGE;
    HRESULT hr;

    if (FAILED(hr = ob_job_lock_for_change(job))) return hr;
    if (!job->http.headers_write_only) ob_job_note_change(job, &change);
    job->http.headers_write_only = TRUE;
    return ob_job_unlock_after_change(job, &change, S_OK);
}

/* ---- security flags ---- */

HRESULT ob_job_set_security_flags(ob_job *job, ULONG flags)
{
    ob_change change = OB_NO_CHANGE;
    HRESULT hr;

    if (!ob_http_security_flags_valid(flags)) return E_NOTIMPL;
    if (FAILED(hr = ob_job_lock_for_change(job))) return hr;
    if (job->http.security_flags != flags) ob_job_note_change(job, &change);
    job->http.security_flags = flags;
    ob_job_unlock_after_change(job, &change, S_OK);
    OB_TRACE(&job->id, L"security flags 0x%04lx", flags);
    return S_OK;
}

ULONG ob_job_get_security_flags(ob_job *job)
{
    ULONG flags;
    ob_lock_shared(&job->lock);
    flags = job->http.security_flags;
    ob_unlock_shared(&job->lock);
    return flags;
}

/* ---- the HTTP method ---- */

static const WCHAR *default_method(BG_JOB_TYPE type)
{
    return type == BG_JOB_TYPE_DOWNLOAD ? L"GET" : L"BITS_POST";
}

/* RFC 9110's token: the characters a method name may have. */
static BOOL is_token(const WCHAR *s)
{
    if (!*s) return FALSE;
    for (; *s; s++)
        if (*s > 0x7e || *s <= 0x20 || wcschr(L"\"(),/:;<=>?@[\\]{}", *s)) return FALSE;
    return TRUE;
}

HRESULT ob_job_set_http_method(ob_job *job, const WCHAR *method)
{
    ob_change change = OB_NO_CHANGE;
    WCHAR *copy = NULL;
    HRESULT hr;

    if (wcslen(method) > OB_MAX_HTTP_METHOD || !is_token(method)) return E_INVALIDARG;
    /* documented: the default method changes nothing */
    if (wcscmp(method, default_method(job->type)) && !(copy = ob_str_dup(method))) return E_OUTOFMEMORY;
    if (FAILED(hr = ob_job_lock_for_change(job)))
    {
        ob_str_free(copy);
        return hr;
    }
    if (!copy != !job->http.method || (copy && wcscmp(copy, job->http.method))) ob_job_note_change(job, &change);
    if (copy) /* documented: FOREGROUND, and it stays so */
    {
        if (job->priority != BG_JOB_PRIORITY_FOREGROUND) ob_job_note_change(job, &change);
        job->priority = BG_JOB_PRIORITY_FOREGROUND;
    }
    ob_str_free(job->http.method);
    job->http.method = copy;
    ob_job_unlock_after_change(job, &change, S_OK);
    OB_TRACE(&job->id, L"http method %ls", method);
    return S_OK;
}

HRESULT ob_job_get_http_method(ob_job *job, WCHAR **out)
{
    HRESULT hr;
    ob_lock_shared(&job->lock);
    hr = ob_job_cotask_copy(job->http.method ? job->http.method : default_method(job->type), out);
    ob_unlock_shared(&job->lock);
    return hr;
}

BOOL ob_job_http_priority_fixed(ob_job *job)
{
    BOOL fixed;
    ob_lock_shared(&job->lock);
    fixed = job->http.method != NULL;
    ob_unlock_shared(&job->lock);
    return fixed;
}

/* ---- the client certificate ---- */

static void clear_cert(ob_client_cert *cert)
{
    ob_str_free(cert->store);
    ob_str_free(cert->subject);
    memset(cert, 0, sizeof(*cert));
}

HRESULT ob_job_set_client_cert(ob_job *job, BG_CERT_STORE_LOCATION location, const WCHAR *store, const BYTE *hash,
                               const WCHAR *subject)
{
    ob_change change = OB_NO_CHANGE;
    ob_client_cert found = { TRUE, location };
    PCCERT_CONTEXT cert;
    HRESULT hr;

    if (!store || (!hash && !subject)) return RPC_X_NULL_REF_POINTER;
    if (wcslen(store) >= OB_MAX_CERT_STORE_NAME || (subject && wcslen(subject) >= OB_MAX_CERT_SUBJECT))
        return BG_E_STRING_TOO_LONG;
    if ((ULONG)location > BG_CERT_STORE_LOCATION_LOCAL_MACHINE_ENTERPRISE) return E_NOTIMPL;
    /* looked up with no lock held: the store is the registry or a file */
    if (FAILED(hr = ob_cert_store_find(location, store, hash, subject, &cert))) return hr;
    hr = ob_cert_describe(cert, found.hash, &found.subject);
    CertFreeCertificateContext(cert);
    if (SUCCEEDED(hr) && !(found.store = ob_str_dup(store))) hr = E_OUTOFMEMORY;
    if (SUCCEEDED(hr)) hr = ob_job_lock_for_change(job);
    if (FAILED(hr))
    {
        clear_cert(&found);
        return hr;
    }
    clear_cert(&job->http.cert);
    job->http.cert = found;
    ob_job_note_change(job, &change);
    ob_job_unlock_after_change(job, &change, S_OK);
    OB_TRACE(&job->id, L"client certificate set (store %ls)", store);
    return S_OK;
}

HRESULT ob_job_remove_client_cert(ob_job *job)
{
    ob_change change = OB_NO_CHANGE;
    HRESULT hr;

    if (FAILED(hr = ob_job_lock_for_change(job))) return hr;
    hr = job->http.cert.set ? S_OK : S_FALSE;
    if (job->http.cert.set) ob_job_note_change(job, &change);
    clear_cert(&job->http.cert);
    return ob_job_unlock_after_change(job, &change, hr);
}

HRESULT ob_job_get_client_cert(ob_job *job, BG_CERT_STORE_LOCATION *location, WCHAR **store, BYTE **hash,
                               WCHAR **subject)
{
    HRESULT hr = RPC_X_BAD_STUB_DATA;

    *store = *subject = NULL;
    *hash = NULL;
    ob_lock_shared(&job->lock);
    if (job->http.cert.set)
    {
        *location = job->http.cert.location;
        if (SUCCEEDED(hr = ob_job_cotask_copy(job->http.cert.store, store))
            && SUCCEEDED(hr = ob_job_cotask_copy(job->http.cert.subject, subject))
            && !(*hash = CoTaskMemAlloc(OB_CERT_HASH_SIZE)))
            hr = E_OUTOFMEMORY;
        if (*hash) memcpy(*hash, job->http.cert.hash, OB_CERT_HASH_SIZE);
    }
    ob_unlock_shared(&job->lock);
    if (FAILED(hr))
    {
        CoTaskMemFree(*store);
        CoTaskMemFree(*subject);
        CoTaskMemFree(*hash);
        *store = *subject = NULL;
        *hash = NULL;
    }
    return hr;
}

/* ---- the server certificate check ---- */

HRESULT ob_job_set_cert_check(ob_job *job, ob_cert_check *check)
{
    ob_change change = OB_NO_CHANGE;
    ob_cert_check *old;
    HRESULT hr;

    if (FAILED(hr = ob_job_lock_for_change(job))) return hr;
    /* documented: the job must be suspended */
    if (job->state != BG_JOB_STATE_SUSPENDED)
        return ob_job_unlock_after_change(job, &change, BG_E_READ_ONLY_WHEN_JOB_ACTIVE);
    old = job->http.cert_check;
    if (check) check->ops->addref(check);
    job->http.cert_check = check;
    if (old != check) ob_job_note_change(job, &change);
    ob_job_unlock_after_change(job, &change, S_OK);
    if (old) ob_cert_check_release(old);   /* no lock held: it may call into COM */
    return S_OK;
}

/* The first file with that remote name (the transport knows no file). */
static ULONG file_named(ob_job *job, const WCHAR *remote)
{
    ULONG i, found = 0;
    for (i = 0; remote && i < job->progress.files_total; i++)
        if (!wcscmp(job->files[i].remote_name, remote))
        {
            found = i;
            break;
        }
    return found;
}

/* The transport's ob_server_cert_fn: the job's check, if it still has one. */
static HRESULT check_server_cert(void *context, const WCHAR *remote, const BYTE *cert, DWORD cert_size,
                                 DWORD encoding, const BYTE *store, DWORD store_size)
{
    ob_job *job = context;
    ob_cert_check *check;
    ULONG index;
    HRESULT hr = S_OK;

    ob_lock_shared(&job->lock);
    if ((check = job->http.cert_check)) check->ops->addref(check);
    index = file_named(job, remote);
    ob_unlock_shared(&job->lock);
    if (!check) return S_OK;   /* removed since the transport opened */
    hr = ob_cert_check_validate(check, job, index, cert, cert_size, encoding, store, store_size);
    ob_cert_check_release(check);
    OB_TRACE(&job->id, L"server certificate of file %lu: callback 0x%08lx", index, (ULONG)hr);
    return hr;
}

/* ---- the job record's side ---- */

void ob_job_http_free(ob_job_http *http)
{
    ob_str_free(http->custom_headers);
    ob_str_free(http->method);
    ob_str_free(http->refused_url);
    http->refused_url = NULL;
    clear_cert(&http->cert);
    if (http->cert_check) ob_cert_check_release(http->cert_check);
    http->custom_headers = http->method = NULL;
    http->cert_check = NULL;
}

void ob_job_http_owner_changed(ob_job_http *http)
{
    /* documented for both: "If the job changes ownership, BITS removes..." */
    ob_str_free(http->custom_headers);
    http->custom_headers = NULL;
    http->headers_write_only = FALSE;
    clear_cert(&http->cert);
}

/* ---- the worker's side ---- */

void ob_job_http_options(ob_job *job, ob_transport_options *options)
{
    ob_transport_client_cert *cert = NULL;

    ob_str_dup_opt(job->http.custom_headers, (WCHAR **)&options->custom_headers);
    options->security_flags = job->http.security_flags;
    /* documented: the redirect policy does not apply to uploads */
    if (job->type != BG_JOB_TYPE_DOWNLOAD)
        options->security_flags &= ~(BG_HTTP_REDIRECT_POLICY_MASK | BG_HTTP_REDIRECT_POLICY_ALLOW_HTTPS_TO_HTTP);
    if (job->http.cert.set && (cert = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, sizeof(*cert))))
    {
        cert->location = job->http.cert.location;
        cert->store = ob_str_dup(job->http.cert.store);
        memcpy(cert->hash, job->http.cert.hash, OB_CERT_HASH_SIZE);
    }
    options->client_cert = cert;
    if (job->http.cert_check)
    {
        options->server_cert = check_server_cert;
        options->server_cert_context = job;
    }
}

void ob_job_http_free_options(ob_transport_options *options)
{
    ob_transport_client_cert *cert = (ob_transport_client_cert *)options->client_cert;
    ob_str_free((WCHAR *)options->custom_headers);
    if (cert)
    {
        ob_str_free((WCHAR *)cert->store);
        HeapFree(GetProcessHeap(), 0, cert);
    }
    options->custom_headers = NULL;
    options->client_cert = NULL;
}

void ob_job_file_response(ob_job *job, ULONG index, ob_transport *transport)
{
    WCHAR *final_url = NULL, *headers = NULL, *old_headers = NULL, *old_name = NULL;
    ULONG policy;

    if (!transport->ops->response) return;
    transport->ops->response(transport, &final_url, &headers);
    ob_lock_exclusive(&job->lock);
    policy = job->http.security_flags & BG_HTTP_REDIRECT_POLICY_MASK;
    if (index < job->progress.files_total)
    {
        if (headers)
        {
            old_headers = job->files[index].response_headers;
            job->files[index].response_headers = headers;
            headers = NULL;
        }
        if (final_url && (job->type != BG_JOB_TYPE_DOWNLOAD || wcslen(final_url) > OB_MAX_REMOTE_NAME
                          || !wcscmp(final_url, job->files[index].remote_name)))
        {
            ob_str_free(final_url);
            final_url = NULL;
        }
        /* documented: ALLOW_REPORT updates the remote name with the final URL... */
        if (final_url && policy == BG_HTTP_REDIRECT_POLICY_ALLOW_REPORT)
        {
            old_name = job->files[index].remote_name;
            job->files[index].remote_name = final_url;
            final_url = NULL;
        }
        /* ...and DISALLOW with the redirected one, when the job fails */
        if (policy == BG_HTTP_REDIRECT_POLICY_DISALLOW && (final_url || job->http.refused_file == index))
        {
            ob_str_free(job->http.refused_url);
            job->http.refused_url = final_url;
            job->http.refused_file = index;
            final_url = NULL;
        }
    }
    ob_unlock_exclusive(&job->lock);
    if (old_name) OB_TRACE(&job->id, L"file %lu redirected: the remote name is the final URL now", index);
    ob_str_free(old_headers);
    ob_str_free(old_name);
    ob_str_free(headers);
    ob_str_free(final_url);
}

void ob_job_http_failed(ob_job *job, const ob_error_info *error)
{
    WCHAR *url = job->http.refused_url;
    ULONG index = job->http.refused_file;

    if (!url || error->file_index != (LONG)index || index >= job->progress.files_total) return;
    ob_str_free(job->files[index].remote_name);
    job->files[index].remote_name = url;
    job->http.refused_url = NULL;
}

HRESULT ob_job_get_file_response_headers(ob_job *job, ULONG index, WCHAR **out)
{
    HRESULT hr = E_INVALIDARG;

    *out = NULL;
    ob_lock_shared(&job->lock);
    if (index < job->progress.files_total)
        hr = job->files[index].response_headers ? ob_job_cotask_copy(job->files[index].response_headers, out) : S_FALSE;
    ob_unlock_shared(&job->lock);
    return hr;
}
