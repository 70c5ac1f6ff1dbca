/* The WinHTTP backend: moves requests and bytes, nothing else (the rules are
 * transport_http.c's and http_rules.c's).  One session per backend and one
 * connection handle, reused while the host and port stay the same; WinHTTP
 * never follows a redirect itself (Wine's repoints a shared connection
 * handle when it does, which sent later requests to the redirect's host).
 *
 * WinHTTP runs in asynchronous mode although every call blocks: the worker
 * waits for each completion, the cancel event or its own deadline.  Under
 * Wine, closing a request handle does not wake a synchronous call blocked
 * on the network, and Wine's asynchronous WinHTTP waits for response headers
 * forever whatever WinHttpSetTimeouts says, so both cancel and the timeouts
 * are ours.  Cancel touches no WinHTTP handle: the worker closes its own
 * request, and whatever WinHTTP still does with an abandoned request uses
 * only its http_call, which lives until WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING. */
#include "http_backend.h"
#include "http_rules.h"
#include "cert_store.h"
#include "str.h"
#include <winhttp.h>


typedef struct winhttp_backend {
    ob_http_backend base;
    HINTERNET session;         /* asynchronous */
    HINTERNET connect;         /* to connect_host:connect_port */
    WCHAR *connect_host;
    INTERNET_PORT connect_port;
    BOOL autodetect;           /* ask WPAD per URL until it first fails */
    DWORD send_ms, receive_ms; /* connect + send; receive */
    HANDLE cancel_event;       /* manual reset, set once by cancel */
    volatile LONG cancelled;
    ULONG security_flags;      /* BG_SSL_*: WinHTTP's security flags and revocation */
    HRESULT (*server_cert)(void *context, PCCERT_CONTEXT cert);
    void *server_cert_context;
    PCCERT_CONTEXT client_cert; /* offered to HTTPS servers; NULL: none */
} winhttp_backend;

/* One request and what its callbacks report; referenced by the worker and,
 * from the context value being set until HANDLE_CLOSING, by WinHTTP. */
typedef struct http_call {
    LONG refs;
    HINTERNET request;
    HANDLE event;              /* auto reset: a completion arrived */
    DWORD worker;              /* completions on this thread need no event */
    volatile LONG completions;
    DWORD error;               /* from WINHTTP_CALLBACK_STATUS_REQUEST_ERROR */
    DWORD bytes;               /* from READ_COMPLETE or DATA_AVAILABLE */
    BYTE *buffer;              /* for reading: an abandoned read may still fill it */
    ob_buffer *body;           /* what the request sends, held while WinHTTP may read it */
    DWORD body_size;
} http_call;

struct ob_http_exchange {
    winhttp_backend *backend;
    http_call *call;
    BOOL broken;               /* a wait was abandoned: nothing more on this request */
    BOOL secure;
};

typedef struct http_url {
    WCHAR *host;
    WCHAR *object;             /* path and query, no fragment */
    INTERNET_PORT port;
    BOOL secure;
} http_url;

static HRESULT last_error(winhttp_backend *self)
{
    DWORD error = GetLastError();
    if (self->cancelled) return E_ABORT;
    return HRESULT_FROM_WIN32(error ? error : ERROR_WINHTTP_INTERNAL_ERROR);
}

/* ---- URLs and connections ---- */

static WCHAR *dup_n(const WCHAR *s, DWORD length)
{
    WCHAR *copy = HeapAlloc(GetProcessHeap(), 0, (length + 1) * sizeof(WCHAR));
    if (!copy) return NULL;
    memcpy(copy, s, length * sizeof(WCHAR));
    copy[length] = 0;
    return copy;
}

static void free_url(http_url *url)
{
    ob_str_free(url->host);
    ob_str_free(url->object);
}

static HRESULT crack_url(const WCHAR *remote, http_url *url)
{
    URL_COMPONENTS parts = { sizeof(parts) };
    const WCHAR *fragment;
    DWORD length;

    memset(url, 0, sizeof(*url));
    /* NULL pointers with nonzero lengths: WinHTTP points into remote. */
    parts.dwHostNameLength = parts.dwUrlPathLength = parts.dwExtraInfoLength = (DWORD)-1;
    if (!WinHttpCrackUrl(remote, 0, 0, &parts)) return HRESULT_FROM_WIN32(GetLastError());
    if (parts.nScheme != INTERNET_SCHEME_HTTP && parts.nScheme != INTERNET_SCHEME_HTTPS)
        return HRESULT_FROM_WIN32(ERROR_WINHTTP_UNRECOGNIZED_SCHEME);
    length = parts.dwUrlPathLength + parts.dwExtraInfoLength;
    fragment = parts.dwExtraInfoLength ? wcschr(parts.lpszExtraInfo, L'#') : NULL;
    if (fragment) length = (DWORD)(fragment - parts.lpszUrlPath);
    url->host = dup_n(parts.lpszHostName, parts.dwHostNameLength);
    url->object = length ? dup_n(parts.lpszUrlPath, length) : ob_str_dup(L"/");
    url->port = parts.nPort;
    url->secure = parts.nScheme == INTERNET_SCHEME_HTTPS;
    if (url->host && url->object) return S_OK;
    free_url(url);
    return E_OUTOFMEMORY;
}

static void drop_connect(winhttp_backend *self)
{
    if (self->connect) WinHttpCloseHandle(self->connect);
    self->connect = NULL;
    ob_str_free(self->connect_host);
    self->connect_host = NULL;
}

static HRESULT connect_to(winhttp_backend *self, const http_url *url)
{
    if (self->connect && self->connect_port == url->port && !_wcsicmp(self->connect_host, url->host))
        return S_OK;
    drop_connect(self);
    if (!(self->connect_host = ob_str_dup(url->host))) return E_OUTOFMEMORY;
    self->connect_port = url->port;
    if (!(self->connect = WinHttpConnect(self->session, url->host, url->port, 0))) return last_error(self);
    return S_OK;
}

static void apply_autodetected_proxy(winhttp_backend *self, HINTERNET request, const WCHAR *remote)
{
    WINHTTP_AUTOPROXY_OPTIONS detect = { 0 };
    WINHTTP_PROXY_INFO found = { 0 };

    if (!self->autodetect) return;
    detect.dwFlags = WINHTTP_AUTOPROXY_AUTO_DETECT;
    detect.dwAutoDetectFlags = WINHTTP_AUTO_DETECT_TYPE_DHCP | WINHTTP_AUTO_DETECT_TYPE_DNS_A;
    detect.fAutoLogonIfChallenged = TRUE;
    if (WinHttpGetProxyForUrl(self->session, remote, &detect, &found))
        WinHttpSetOption(request, WINHTTP_OPTION_PROXY, &found, sizeof(found));
    else
        self->autodetect = FALSE; /* no WPAD on this network: direct from now on */
    if (found.lpszProxy) GlobalFree(found.lpszProxy);
    if (found.lpszProxyBypass) GlobalFree(found.lpszProxyBypass);
}

/* ---- asynchronous calls ---- */

static void release_call(http_call *call)
{
    if (InterlockedDecrement(&call->refs)) return;
    if (call->event) CloseHandle(call->event);
    if (call->buffer) HeapFree(GetProcessHeap(), 0, call->buffer);
    if (call->body) ob_buffer_release(call->body);
    HeapFree(GetProcessHeap(), 0, call);
}

static void complete(http_call *call)
{
    InterlockedIncrement(&call->completions);
    if (GetCurrentThreadId() != call->worker) SetEvent(call->event);
}

static void CALLBACK on_status(HINTERNET handle, DWORD_PTR context, DWORD status, void *info, DWORD length)
{
    http_call *call = (http_call *)context;
    if (!call) return;         /* the session's and connection's own notices */
    switch (status)
    {
    case WINHTTP_CALLBACK_STATUS_READ_COMPLETE:
        call->bytes = length;
        complete(call);
        break;
    case WINHTTP_CALLBACK_STATUS_DATA_AVAILABLE:
        call->bytes = *(DWORD *)info;
        complete(call);
        break;
    case WINHTTP_CALLBACK_STATUS_REQUEST_ERROR:
        call->error = ((WINHTTP_ASYNC_RESULT *)info)->dwError;
        complete(call);
        break;
    case WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE:
    case WINHTTP_CALLBACK_STATUS_HEADERS_AVAILABLE:
        complete(call);
        break;
    case WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING:
        release_call(call);
        break;
    }
}

/* Before an asynchronous call: the completion count that means it is done. */
static LONG arm(http_call *call)
{
    call->error = 0;
    return call->completions + 1;
}

/* After an asynchronous call: its failure, its completion, cancel, or our
 * own deadline (the exchange is then abandoned). */
static HRESULT await(ob_http_exchange *x, LONG target, BOOL started, DWORD timeout_ms)
{
    winhttp_backend *self = x->backend;
    http_call *call = x->call;
    HANDLE waits[2] = { call->event, self->cancel_event };
    ULONGLONG deadline = GetTickCount64() + timeout_ms;

    if (!started) return last_error(self);
    while (call->completions < target)
    {
        ULONGLONG now = GetTickCount64();
        DWORD wait = now >= deadline ? 0 : (DWORD)min(deadline - now, 0x7fffffff);
        DWORD woke = WaitForMultipleObjects(2, waits, FALSE, wait);
        if (woke == WAIT_OBJECT_0) continue;
        x->broken = TRUE;
        if (woke == WAIT_TIMEOUT && !self->cancelled) return HRESULT_FROM_WIN32(ERROR_WINHTTP_TIMEOUT);
        return E_ABORT;
    }
    if (self->cancelled) return E_ABORT;
    return call->error ? HRESULT_FROM_WIN32(call->error) : S_OK;
}

static BOOL query_status(HINTERNET request, DWORD *status)
{
    DWORD size = sizeof(*status);
    return WinHttpQueryHeaders(request, WINHTTP_QUERY_STATUS_CODE | WINHTTP_QUERY_FLAG_NUMBER,
                               WINHTTP_HEADER_NAME_BY_INDEX, status, &size, WINHTTP_NO_HEADER_INDEX);
}

static HRESULT send_and_receive(ob_http_exchange *x, DWORD *status)
{
    winhttp_backend *self = x->backend;
    http_call *call = x->call;
    LONG target = arm(call);
    HRESULT hr = await(x, target,
                       WinHttpSendRequest(call->request, WINHTTP_NO_ADDITIONAL_HEADERS, 0,
                                          call->body ? call->body->data : NULL, call->body_size, call->body_size,
                                          (DWORD_PTR)call),
                       self->send_ms);
    if (FAILED(hr)) return hr;
    target = arm(call);
    if (FAILED(hr = await(x, target, WinHttpReceiveResponse(call->request, NULL), self->receive_ms))) return hr;
    return query_status(call->request, status) ? S_OK : last_error(self);
}

static http_call *new_call(void)
{
    http_call *call = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, sizeof(*call));
    if (!call) return NULL;
    call->refs = 1;
    call->worker = GetCurrentThreadId();
    call->event = CreateEventW(NULL, FALSE, FALSE, NULL);
    if (call->event) return call;
    release_call(call);
    return NULL;
}

static void winhttp_finish(ob_http_exchange *x)
{
    if (!x) return;
    if (x->call->request) WinHttpCloseHandle(x->call->request);
    release_call(x->call);
    HeapFree(GetProcessHeap(), 0, x);
}

/* The job's BG_SSL_* flags as WinHTTP's own: errors to ignore, and
 * revocation checking (WINHTTP_ENABLE_SSL_REVOCATION). */
static HRESULT apply_security_flags(winhttp_backend *self, HINTERNET request)
{
    DWORD ignore = 0, revocation = WINHTTP_ENABLE_SSL_REVOCATION;
    ULONG flags = self->security_flags;

    if (flags & BG_SSL_IGNORE_CERT_CN_INVALID) ignore |= SECURITY_FLAG_IGNORE_CERT_CN_INVALID;
    if (flags & BG_SSL_IGNORE_CERT_DATE_INVALID) ignore |= SECURITY_FLAG_IGNORE_CERT_DATE_INVALID;
    if (flags & BG_SSL_IGNORE_UNKNOWN_CA) ignore |= SECURITY_FLAG_IGNORE_UNKNOWN_CA;
    if (flags & BG_SSL_IGNORE_CERT_WRONG_USAGE) ignore |= SECURITY_FLAG_IGNORE_CERT_WRONG_USAGE;
    if (ignore && !WinHttpSetOption(request, WINHTTP_OPTION_SECURITY_FLAGS, &ignore, sizeof(ignore)))
        return last_error(self);
    if ((flags & BG_SSL_ENABLE_CRL_CHECK)
        && !WinHttpSetOption(request, WINHTTP_OPTION_ENABLE_FEATURE, &revocation, sizeof(revocation)))
        return last_error(self);
    if (self->client_cert
        && !WinHttpSetOption(request, WINHTTP_OPTION_CLIENT_CERT_CONTEXT, (void *)self->client_cert,
                             sizeof(CERT_CONTEXT)))
        return last_error(self);
    return S_OK;
}

/* Opens the request and hands WinHTTP its reference to the call. */
static HRESULT open_request(winhttp_backend *self, const ob_http_request *request, ob_http_exchange *x)
{
    DWORD_PTR context = (DWORD_PTR)x->call;
    DWORD no_redirects = WINHTTP_DISABLE_REDIRECTS;
    http_url url;
    HRESULT hr;

    if (FAILED(hr = crack_url(request->url, &url))) return hr;
    if (SUCCEEDED(hr = connect_to(self, &url)))
    {
        x->call->request = WinHttpOpenRequest(self->connect, request->verb, url.object, NULL, WINHTTP_NO_REFERER,
                                              WINHTTP_DEFAULT_ACCEPT_TYPES, url.secure ? WINHTTP_FLAG_SECURE : 0);
        if (!x->call->request
            || !WinHttpSetOption(x->call->request, WINHTTP_OPTION_CONTEXT_VALUE, &context, sizeof(context)))
            hr = last_error(self);
        else
        {
            InterlockedIncrement(&x->call->refs);
            WinHttpSetOption(x->call->request, WINHTTP_OPTION_DISABLE_FEATURE, &no_redirects, sizeof(no_redirects));
            if ((x->secure = url.secure)) hr = apply_security_flags(self, x->call->request);
        }
    }
    free_url(&url);
    return hr;
}

/* The job's check of the server's certificate: WinHTTP in asynchronous mode
 * has no point between the handshake and the request where the caller may
 * look, so it runs once the response headers are in, before any of the
 * response is handed over. */
static HRESULT check_server_cert(winhttp_backend *self, ob_http_exchange *x)
{
    PCCERT_CONTEXT cert = NULL;
    DWORD size = sizeof(cert);
    HRESULT hr;

    if (!self->server_cert || !x->secure) return S_OK;
    if (!WinHttpQueryOption(x->call->request, WINHTTP_OPTION_SERVER_CERT_CONTEXT, &cert, &size) || !cert)
        return HRESULT_FROM_WIN32(ERROR_WINHTTP_SECURE_FAILURE);
    hr = self->server_cert(self->server_cert_context, cert);
    CertFreeCertificateContext(cert);
    return hr;
}

static HRESULT winhttp_send(ob_http_backend *backend, const ob_http_request *request, ob_http_exchange **out,
                            DWORD *status)
{
    winhttp_backend *self = (winhttp_backend *)backend;
    ob_http_exchange *x;
    HRESULT hr;

    *out = NULL;
    if (self->cancelled) return E_ABORT;
    if (!(x = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, sizeof(*x)))) return E_OUTOFMEMORY;
    x->backend = self;
    if (!(x->call = new_call()))
    {
        HeapFree(GetProcessHeap(), 0, x);
        return E_OUTOFMEMORY;
    }
    hr = open_request(self, request, x);
    if (SUCCEEDED(hr) && request->body)
    {
        ob_buffer_addref(request->body);
        x->call->body = request->body;
        x->call->body_size = request->body_size;
    }
    if (SUCCEEDED(hr)) apply_autodetected_proxy(self, x->call->request, request->url);
    if (SUCCEEDED(hr) && request->headers
        && !WinHttpAddRequestHeaders(x->call->request, request->headers, (DWORD)-1,
                                     WINHTTP_ADDREQ_FLAG_ADD | WINHTTP_ADDREQ_FLAG_REPLACE))
        hr = last_error(self);
    if (SUCCEEDED(hr)) hr = send_and_receive(x, status);
    if (SUCCEEDED(hr)) hr = check_server_cert(self, x);
    if (FAILED(hr)) winhttp_finish(x);
    else *out = x;
    return hr;
}

/* ---- authentication ---- */

static const struct { DWORD winhttp; BG_AUTH_SCHEME bits; } schemes[] = {
    { WINHTTP_AUTH_SCHEME_BASIC, BG_AUTH_SCHEME_BASIC },
    { WINHTTP_AUTH_SCHEME_DIGEST, BG_AUTH_SCHEME_DIGEST },
    { WINHTTP_AUTH_SCHEME_NTLM, BG_AUTH_SCHEME_NTLM },
    { WINHTTP_AUTH_SCHEME_NEGOTIATE, BG_AUTH_SCHEME_NEGOTIATE },
    { WINHTTP_AUTH_SCHEME_PASSPORT, BG_AUTH_SCHEME_PASSPORT },
};

static BOOL winhttp_challenge(ob_http_exchange *x, BG_AUTH_TARGET target, ULONG *offered, BG_AUTH_SCHEME *preferred)
{
    DWORD supported, first, announced;
    ULONG i;

    *offered = 0;
    *preferred = 0;
    if (x->broken || !WinHttpQueryAuthSchemes(x->call->request, &supported, &first, &announced)) return FALSE;
    for (i = 0; i < ARRAYSIZE(schemes); i++)
    {
        if (supported & schemes[i].winhttp) *offered |= OB_HTTP_SCHEME_BIT(schemes[i].bits);
        if (first == schemes[i].winhttp) *preferred = schemes[i].bits;
    }
    (void)target;
    return *offered != 0;
}

static HRESULT winhttp_answer(ob_http_exchange *x, const ob_transport_credential *credential, DWORD *status)
{
    DWORD target = credential->target == BG_AUTH_TARGET_PROXY ? WINHTTP_AUTH_TARGET_PROXY : WINHTTP_AUTH_TARGET_SERVER;
    DWORD scheme = 0;
    ULONG i;

    if (x->broken) return HRESULT_FROM_WIN32(ERROR_WINHTTP_INCORRECT_HANDLE_STATE);
    for (i = 0; i < ARRAYSIZE(schemes); i++)
        if (schemes[i].bits == credential->scheme) scheme = schemes[i].winhttp;
    if (!scheme || !WinHttpSetCredentials(x->call->request, target, scheme, credential->user, credential->password, NULL))
        return last_error(x->backend);
    return send_and_receive(x, status);
}

static HRESULT winhttp_resend(ob_http_exchange *x, const WCHAR *headers, DWORD *status)
{
    if (x->broken) return HRESULT_FROM_WIN32(ERROR_WINHTTP_INCORRECT_HANDLE_STATE);
    if (!WinHttpAddRequestHeaders(x->call->request, headers, (DWORD)-1,
                                  WINHTTP_ADDREQ_FLAG_ADD | WINHTTP_ADDREQ_FLAG_REPLACE))
        return last_error(x->backend);
    return send_and_receive(x, status);
}

/* ---- headers and body ---- */

static BOOL winhttp_header(ob_http_exchange *x, const WCHAR *name, WCHAR *text, DWORD chars)
{
    DWORD size = chars * sizeof(WCHAR);
    return !x->broken && WinHttpQueryHeaders(x->call->request, WINHTTP_QUERY_CUSTOM, name, text, &size,
                                             WINHTTP_NO_HEADER_INDEX);
}

static HRESULT winhttp_raw_headers(ob_http_exchange *x, WCHAR **out)
{
    DWORD size = 0;
    HINTERNET request = x->call->request;
    WinHttpQueryHeaders(request, WINHTTP_QUERY_RAW_HEADERS_CRLF, WINHTTP_HEADER_NAME_BY_INDEX, NULL, &size,
                        WINHTTP_NO_HEADER_INDEX);
    if (!(*out = HeapAlloc(GetProcessHeap(), 0, size + sizeof(WCHAR)))) return E_OUTOFMEMORY;
    if (WinHttpQueryHeaders(request, WINHTTP_QUERY_RAW_HEADERS_CRLF, WINHTTP_HEADER_NAME_BY_INDEX, *out, &size,
                            WINHTTP_NO_HEADER_INDEX))
        return S_OK;
    ob_str_free(*out);
    *out = NULL;
    return last_error(x->backend);
}

/* Asks what has arrived first, then reads no more than that: Wine completes
 * a read only once its buffer is full, so a larger read would hold bytes
 * that arrived until more came (or a stall lost them). */
static HRESULT winhttp_read(ob_http_exchange *x, BYTE *buffer, DWORD size, DWORD *got)
{
    winhttp_backend *self = x->backend;
    http_call *call = x->call;
    LONG target;
    DWORD available;
    HRESULT hr;

    *got = 0;
    if (x->broken) return HRESULT_FROM_WIN32(ERROR_WINHTTP_INCORRECT_HANDLE_STATE);
    if (size > OB_TRANSPORT_BLOCK) size = OB_TRANSPORT_BLOCK;
    if (!call->buffer && !(call->buffer = HeapAlloc(GetProcessHeap(), 0, OB_TRANSPORT_BLOCK))) return E_OUTOFMEMORY;
    target = arm(call);
    call->bytes = 0;
    if (FAILED(hr = await(x, target, WinHttpQueryDataAvailable(call->request, NULL), self->receive_ms))) return hr;
    if (!(available = call->bytes)) return S_OK; /* the end */
    target = arm(call);
    hr = await(x, target, WinHttpReadData(call->request, call->buffer, min(available, size), NULL), self->receive_ms);
    if (FAILED(hr)) return hr;
    memcpy(buffer, call->buffer, call->bytes);
    *got = call->bytes;
    return S_OK;
}

/* ---- lifetime ---- */

static void winhttp_cancel(ob_http_backend *backend)
{
    winhttp_backend *self = (winhttp_backend *)backend;
    InterlockedExchange(&self->cancelled, 1);
    SetEvent(self->cancel_event);
}

static void winhttp_close(ob_http_backend *backend)
{
    winhttp_backend *self = (winhttp_backend *)backend;
    drop_connect(self);
    if (self->session) WinHttpCloseHandle(self->session);
    if (self->cancel_event) CloseHandle(self->cancel_event);
    if (self->client_cert) CertFreeCertificateContext(self->client_cert);
    HeapFree(GetProcessHeap(), 0, self);
}

static const ob_http_backend_ops winhttp_ops = {
    winhttp_send, winhttp_challenge, winhttp_answer, winhttp_resend, winhttp_header, winhttp_raw_headers, winhttp_read,
    winhttp_finish, winhttp_cancel, winhttp_close,
};

static HRESULT open_session(winhttp_backend *self, const ob_http_backend_config *config)
{
    DWORD access = WINHTTP_ACCESS_TYPE_DEFAULT_PROXY, never = WINHTTP_OPTION_REDIRECT_POLICY_NEVER, response_ms;
    const WCHAR *proxy = WINHTTP_NO_PROXY_NAME, *bypass = WINHTTP_NO_PROXY_BYPASS;

    switch (config->proxy_usage)
    {
    case BG_JOB_PROXY_USAGE_NO_PROXY:
        access = WINHTTP_ACCESS_TYPE_NO_PROXY;
        break;
    case BG_JOB_PROXY_USAGE_OVERRIDE:
        access = WINHTTP_ACCESS_TYPE_NAMED_PROXY;
        proxy = config->proxy_list;
        if (config->proxy_bypass && config->proxy_bypass[0]) bypass = config->proxy_bypass;
        break;
    case BG_JOB_PROXY_USAGE_AUTODETECT:
        access = WINHTTP_ACCESS_TYPE_NO_PROXY;
        self->autodetect = TRUE;
        break;
    default:
        break;
    }
    if (!(self->session = WinHttpOpen(OB_HTTP_WIDE(OB_HTTP_USER_AGENT), access, proxy, bypass, WINHTTP_FLAG_ASYNC))
        || WinHttpSetStatusCallback(self->session, on_status,
                                    WINHTTP_CALLBACK_FLAG_ALL_COMPLETIONS | WINHTTP_CALLBACK_FLAG_HANDLES, 0)
           == WINHTTP_INVALID_STATUS_CALLBACK)
        return HRESULT_FROM_WIN32(GetLastError());
    WinHttpSetOption(self->session, WINHTTP_OPTION_REDIRECT_POLICY, &never, sizeof(never));
    /* WinHTTP's own (Windows honours them); ours bound every wait anyway.
     * Wine's asynchronous requests wait for response headers as long as
     * RECEIVE_RESPONSE_TIMEOUT says (infinite by default), whatever
     * WinHttpSetTimeouts says: without it a request we abandoned at our own
     * deadline keeps one of Wine's threads blocked for as long as a silent
     * server keeps quiet.  Twice ours, so that ours still decides the error. */
    response_ms = config->receive_timeout_ms > MAXDWORD / 2 ? MAXDWORD : config->receive_timeout_ms * 2;
    if (!WinHttpSetTimeouts(self->session, 0, config->connect_timeout_ms, config->send_timeout_ms,
                            config->receive_timeout_ms)
        || !WinHttpSetOption(self->session, WINHTTP_OPTION_RECEIVE_RESPONSE_TIMEOUT, &response_ms, sizeof(response_ms)))
        return HRESULT_FROM_WIN32(GetLastError());
    return S_OK;
}

HRESULT ob_winhttp_backend_open(const ob_http_backend_config *config, ob_http_backend **out)
{
    winhttp_backend *self = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, sizeof(*self));
    HRESULT hr;

    *out = NULL;
    if (!self) return E_OUTOFMEMORY;
    self->base.ops = &winhttp_ops;
    self->send_ms = config->connect_timeout_ms + config->send_timeout_ms;
    self->receive_ms = config->receive_timeout_ms;
    self->security_flags = config->security_flags;
    self->server_cert = config->server_cert;
    self->server_cert_context = config->server_cert_context;
    if (!(self->cancel_event = CreateEventW(NULL, TRUE, FALSE, NULL))) hr = HRESULT_FROM_WIN32(GetLastError());
    else if (config->client_cert
             && FAILED(hr = ob_cert_store_find(config->client_cert->location, config->client_cert->store,
                                               config->client_cert->hash, NULL, &self->client_cert))) {}
    else hr = open_session(self, config);
    if (FAILED(hr))
    {
        winhttp_close(&self->base);
        return hr;
    }
    *out = &self->base;
    return S_OK;
}
