/* The WinHTTP transport: HEAD for probe, a ranged GET streamed in
 * OB_TRANSPORT_BLOCK pieces for fetch.  One session per transport and one
 * connection handle, reused while the host stays the same.
 *
 * WinHTTP runs in asynchronous mode although probe and fetch block: the
 * worker waits for each completion *or* the cancel event.  Under Wine,
 * closing a request handle does not wake a synchronous call blocked on the
 * network, so cancel could not be prompt in synchronous mode.  Cancel touches
 * no WinHTTP handle: the worker closes its own request, and whatever WinHTTP
 * still does with an abandoned request uses only its http_call, which lives
 * until WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING. */
#include "transport.h"
#include "str.h"
#include <winhttp.h>

#define CONNECT_TIMEOUT_MS 30000
#define SEND_TIMEOUT_MS 30000
#define RECEIVE_TIMEOUT_MS 60000
#define FLUSH_INTERVAL_MS 100
#define MIN_READ (16 * 1024)
#define HTTP_STATUS_RANGE_NOT_SATISFIABLE 416
#define USER_AGENT L"Microsoft BITS/7.8 (openbits)"

typedef struct http_credential {
    DWORD target;              /* WINHTTP_AUTH_TARGET_* */
    DWORD scheme;              /* WINHTTP_AUTH_SCHEME_*, 0 when unusable */
    WCHAR *user;
    WCHAR *password;
} http_credential;

typedef struct http_transport {
    ob_transport base;
    HINTERNET session;         /* asynchronous */
    HINTERNET connect;         /* to connect_host:connect_port */
    WCHAR *connect_host;
    INTERNET_PORT connect_port;
    BOOL autodetect;           /* ask WPAD per URL until it first fails */
    ULONG credential_count;
    http_credential *credentials;
    HANDLE cancel_event;       /* manual reset, set once by cancel */
    volatile LONG cancelled;
} http_transport;

/* One request and what its callbacks report; referenced by the worker and,
 * from the context value being set until HANDLE_CLOSING, by WinHTTP. */
typedef struct http_call {
    LONG refs;
    HINTERNET request;
    HANDLE event;              /* auto reset: a completion arrived */
    DWORD worker;              /* completions on this thread need no event */
    volatile LONG completions;
    DWORD error;               /* from WINHTTP_CALLBACK_STATUS_REQUEST_ERROR */
    DWORD bytes;               /* from WINHTTP_CALLBACK_STATUS_READ_COMPLETE */
    BYTE *buffer;              /* for reading: an abandoned read may still fill it */
    ob_buffer *body;           /* what the request sends (post), held while WinHTTP may read it */
    DWORD body_size;
} http_call;

typedef struct http_url {
    WCHAR *host;
    WCHAR *object;             /* path and query, no fragment */
    INTERNET_PORT port;
    BOOL secure;
} http_url;

/* What a 206 announced: bytes [first, first + length) of total. */
typedef struct http_range {
    UINT64 first;
    UINT64 length;
    UINT64 total;              /* BG_SIZE_UNKNOWN for a total of "*" */
} http_range;

static HRESULT remote_failure(ob_failure *failure, HRESULT hr)
{
    return ob_fail(failure, hr, BG_ERROR_CONTEXT_REMOTE_FILE);
}

/* A failed WinHTTP call: E_ABORT if cancel came meanwhile. */
static HRESULT winhttp_failure(http_transport *self, ob_failure *failure)
{
    DWORD error = GetLastError();
    if (self->cancelled) return E_ABORT;
    return remote_failure(failure, HRESULT_FROM_WIN32(error ? error : ERROR_WINHTTP_INTERNAL_ERROR));
}

static HRESULT http_status_failure(DWORD status, ob_failure *failure)
{
    return remote_failure(failure, (HRESULT)(0x80190000 | status));
}

/* ---- text ---------------------------------------------------------------- */

static WCHAR *dup_n(const WCHAR *s, DWORD length)
{
    WCHAR *copy = HeapAlloc(GetProcessHeap(), 0, (length + 1) * sizeof(WCHAR));
    if (!copy) return NULL;
    memcpy(copy, s, length * sizeof(WCHAR));
    copy[length] = 0;
    return copy;
}

/* Decimal digits at *p into *value, advancing *p; FALSE on none or overflow. */
static BOOL parse_u64(const WCHAR **p, UINT64 *value)
{
    const WCHAR *s = *p;
    UINT64 v = 0;
    if (*s < L'0' || *s > L'9') return FALSE;
    for (; *s >= L'0' && *s <= L'9'; s++)
    {
        UINT64 digit = *s - L'0';
        if (v > (~(UINT64)0 - digit) / 10) return FALSE;
        v = v * 10 + digit;
    }
    *p = s;
    *value = v;
    return TRUE;
}

/* "bytes first-last/total", the total may be "*" */
static BOOL parse_content_range(const WCHAR *s, http_range *range)
{
    UINT64 last;
    if (_wcsnicmp(s, L"bytes ", 6)) return FALSE;
    for (s += 6; *s == L' '; s++) {}
    if (!parse_u64(&s, &range->first) || *s++ != L'-' || !parse_u64(&s, &last) || *s++ != L'/'
        || last < range->first)
        return FALSE;
    range->length = last - range->first + 1;
    if (s[0] == L'*' && !s[1])
    {
        range->total = BG_SIZE_UNKNOWN;
        return TRUE;
    }
    return parse_u64(&s, &range->total) && !*s && last < range->total;
}

static void format_u64(WCHAR *out, UINT64 value)
{
    WCHAR digits[24];
    int n = 0;
    do digits[n++] = (WCHAR)(L'0' + value % 10);
    while ((value /= 10));
    while (n) *out++ = digits[--n];
    *out = 0;
}

/* ---- URLs and connections ------------------------------------------------- */

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

static void drop_connect(http_transport *self)
{
    if (self->connect) WinHttpCloseHandle(self->connect);
    self->connect = NULL;
    ob_str_free(self->connect_host);
    self->connect_host = NULL;
}

static HRESULT connect_to(http_transport *self, const http_url *url, ob_failure *failure)
{
    if (self->connect && self->connect_port == url->port && !_wcsicmp(self->connect_host, url->host))
        return S_OK;
    drop_connect(self);
    if (!(self->connect_host = ob_str_dup(url->host))) return E_OUTOFMEMORY;
    self->connect_port = url->port;
    if (!(self->connect = WinHttpConnect(self->session, url->host, url->port, 0)))
        return winhttp_failure(self, failure);
    return S_OK;
}

/* ---- proxies and credentials --------------------------------------------- */

static void apply_autodetected_proxy(http_transport *self, HINTERNET request, const WCHAR *remote)
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

static DWORD winhttp_scheme(BG_AUTH_SCHEME scheme)
{
    switch (scheme)
    {
    case BG_AUTH_SCHEME_BASIC: return WINHTTP_AUTH_SCHEME_BASIC;
    case BG_AUTH_SCHEME_DIGEST: return WINHTTP_AUTH_SCHEME_DIGEST;
    case BG_AUTH_SCHEME_NTLM: return WINHTTP_AUTH_SCHEME_NTLM;
    case BG_AUTH_SCHEME_NEGOTIATE: return WINHTTP_AUTH_SCHEME_NEGOTIATE;
    case BG_AUTH_SCHEME_PASSPORT: return WINHTTP_AUTH_SCHEME_PASSPORT;
    default: return 0;
    }
}

/* The scheme the server prefers if the job has credentials for it, else
 * any offered scheme the job has credentials for. */
static const http_credential *pick_credential(http_transport *self, DWORD target, DWORD offered,
                                              DWORD preferred)
{
    const http_credential *any = NULL;
    ULONG i;
    for (i = 0; i < self->credential_count; i++)
    {
        const http_credential *c = &self->credentials[i];
        if (c->target != target || !(c->scheme & offered)) continue;
        if (c->scheme == preferred) return c;
        if (!any) any = c;
    }
    return any;
}

static BOOL answer_challenge(http_transport *self, HINTERNET request, DWORD target)
{
    DWORD offered, preferred, announced_target;
    const http_credential *c;
    if (!WinHttpQueryAuthSchemes(request, &offered, &preferred, &announced_target)) return FALSE;
    if (!(c = pick_credential(self, target, offered, preferred))) return FALSE;
    return WinHttpSetCredentials(request, target, c->scheme, c->user, c->password, NULL);
}

/* ---- asynchronous calls --------------------------------------------------- */

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

/* After an asynchronous call: its failure, or its completion, or cancel. */
static HRESULT await(http_transport *self, http_call *call, LONG target, BOOL started, ob_failure *failure)
{
    HANDLE waits[2] = { call->event, self->cancel_event };
    if (!started) return winhttp_failure(self, failure);
    while (call->completions < target)
        if (WaitForMultipleObjects(2, waits, FALSE, INFINITE) != WAIT_OBJECT_0) return E_ABORT;
    if (self->cancelled) return E_ABORT;
    return call->error ? remote_failure(failure, HRESULT_FROM_WIN32(call->error)) : S_OK;
}

static HRESULT send_and_receive(http_transport *self, http_call *call, ob_failure *failure)
{
    LONG target = arm(call);
    HRESULT hr = await(self, call, target,
                       WinHttpSendRequest(call->request, WINHTTP_NO_ADDITIONAL_HEADERS, 0,
                                          call->body ? call->body->data : NULL, call->body_size, call->body_size,
                                          (DWORD_PTR)call), failure);
    if (FAILED(hr)) return hr;
    target = arm(call);
    return await(self, call, target, WinHttpReceiveResponse(call->request, NULL), failure);
}

static HRESULT read_some(http_transport *self, http_call *call, DWORD filled, DWORD wanted, DWORD *got,
                         ob_failure *failure)
{
    LONG target = arm(call);
    BOOL started = WinHttpReadData(call->request, call->buffer + filled, min(OB_TRANSPORT_BLOCK - filled, wanted),
                                   NULL);
    HRESULT hr = await(self, call, target, started, failure);
    *got = call->bytes;
    return hr;
}

/* ---- requests ------------------------------------------------------------ */

static http_call *new_call(BOOL with_buffer)
{
    http_call *call = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, sizeof(*call));
    if (!call) return NULL;
    call->refs = 1;
    call->worker = GetCurrentThreadId();
    call->event = CreateEventW(NULL, FALSE, FALSE, NULL);
    if (with_buffer) call->buffer = HeapAlloc(GetProcessHeap(), 0, OB_TRANSPORT_BLOCK);
    if (call->event && (call->buffer || !with_buffer)) return call;
    release_call(call);
    return NULL;
}

static void finish_call(http_call *call)
{
    if (!call) return;
    if (call->request) WinHttpCloseHandle(call->request);
    release_call(call);
}

/* Opens the request and hands WinHTTP its reference to the call. */
static HRESULT open_request(http_transport *self, const http_url *url, const WCHAR *verb, http_call *call,
                            ob_failure *failure)
{
    DWORD_PTR context = (DWORD_PTR)call;
    HRESULT hr = connect_to(self, url, failure);
    if (FAILED(hr)) return hr;
    call->request = WinHttpOpenRequest(self->connect, verb, url->object, NULL, WINHTTP_NO_REFERER,
                                       WINHTTP_DEFAULT_ACCEPT_TYPES, url->secure ? WINHTTP_FLAG_SECURE : 0);
    if (!call->request
        || !WinHttpSetOption(call->request, WINHTTP_OPTION_CONTEXT_VALUE, &context, sizeof(context)))
        return winhttp_failure(self, failure);
    InterlockedIncrement(&call->refs);
    return S_OK;
}

static BOOL query_status(HINTERNET request, DWORD *status)
{
    DWORD size = sizeof(*status);
    return WinHttpQueryHeaders(request, WINHTTP_QUERY_STATUS_CODE | WINHTTP_QUERY_FLAG_NUMBER,
                               WINHTTP_HEADER_NAME_BY_INDEX, status, &size, WINHTTP_NO_HEADER_INDEX);
}

/* Sends, answering one 401 and one 407 with the job's credentials. */
static HRESULT send_request(http_transport *self, http_call *call, DWORD *status, ob_failure *failure)
{
    DWORD answered = 0;
    for (;;)
    {
        DWORD target;
        HRESULT hr = send_and_receive(self, call, failure);
        if (FAILED(hr)) return hr;
        if (!query_status(call->request, status)) return winhttp_failure(self, failure);
        if (*status != HTTP_STATUS_DENIED && *status != HTTP_STATUS_PROXY_AUTH_REQ) return S_OK;
        target = *status == HTTP_STATUS_DENIED ? WINHTTP_AUTH_TARGET_SERVER : WINHTTP_AUTH_TARGET_PROXY;
        if ((answered & (1u << target)) || !answer_challenge(self, call->request, target)) return S_OK;
        answered |= 1u << target;
    }
}

/* What a request sends besides its verb and URL. */
typedef struct http_send {
    const WCHAR *headers;      /* CRLF separated, or NULL */
    ob_buffer *body;
    DWORD body_size;
    BOOL read_body;            /* the caller reads the response body */
} http_send;

/* Opens and sends a request; on success *out must be finished with finish_call. */
static HRESULT start_request(http_transport *self, const WCHAR *remote, const WCHAR *verb, const http_send *send,
                             http_call **out, DWORD *status, ob_failure *failure)
{
    const WCHAR *header = send->headers;
    http_call *call;
    http_url url;
    HRESULT hr;

    *out = NULL;
    if (self->cancelled) return E_ABORT;
    if (FAILED(hr = crack_url(remote, &url))) return remote_failure(failure, hr);
    if (!(call = new_call(send->read_body))) hr = E_OUTOFMEMORY;
    else hr = open_request(self, &url, verb, call, failure);
    if (SUCCEEDED(hr) && send->body)
    {
        ob_buffer_addref(send->body);
        call->body = send->body;
        call->body_size = send->body_size;
    }
    if (SUCCEEDED(hr)) apply_autodetected_proxy(self, call->request, remote);
    if (SUCCEEDED(hr) && header
        && !WinHttpAddRequestHeaders(call->request, header, (DWORD)-1,
                                     WINHTTP_ADDREQ_FLAG_ADD | WINHTTP_ADDREQ_FLAG_REPLACE))
        hr = winhttp_failure(self, failure);
    if (SUCCEEDED(hr)) hr = send_request(self, call, status, failure);
    free_url(&url);
    if (FAILED(hr)) finish_call(call);
    else *out = call;
    return hr;
}

static BOOL query_text(HINTERNET request, DWORD which, WCHAR *text, DWORD chars)
{
    DWORD size = chars * sizeof(WCHAR);
    return WinHttpQueryHeaders(request, which, WINHTTP_HEADER_NAME_BY_INDEX, text, &size,
                               WINHTTP_NO_HEADER_INDEX);
}

/* As text: WINHTTP_QUERY_FLAG_NUMBER is 32-bit and sizes may exceed 4 GiB. */
static BOOL query_length(HINTERNET request, UINT64 *length)
{
    WCHAR text[32];
    const WCHAR *p = text;
    return query_text(request, WINHTTP_QUERY_CONTENT_LENGTH, text, ARRAYSIZE(text))
        && parse_u64(&p, length) && !*p;
}

static void query_modified(HINTERNET request, FILETIME *modified)
{
    SYSTEMTIME time;
    DWORD size = sizeof(time);
    memset(modified, 0, sizeof(*modified));
    if (WinHttpQueryHeaders(request, WINHTTP_QUERY_LAST_MODIFIED | WINHTTP_QUERY_FLAG_SYSTEMTIME,
                            WINHTTP_HEADER_NAME_BY_INDEX, &time, &size, WINHTTP_NO_HEADER_INDEX)
        && !SystemTimeToFileTime(&time, modified))
        memset(modified, 0, sizeof(*modified));
}

/* ---- probe --------------------------------------------------------------- */

static HRESULT describe(HINTERNET request, DWORD status, ob_remote_info *info, ob_failure *failure)
{
    if (status >= 400) return http_status_failure(status, failure);
    if (!query_length(request, &info->size)) return remote_failure(failure, BG_E_MISSING_FILE_SIZE);
    query_modified(request, &info->modified);
    return S_OK;
}

static HRESULT http_probe(ob_transport *transport, const WCHAR *remote, ob_remote_info *info,
                          ob_failure *failure)
{
    http_transport *self = (http_transport *)transport;
    static const http_send head = { NULL };
    http_call *call;
    DWORD status;
    HRESULT hr = start_request(self, remote, L"HEAD", &head, &call, &status, failure);
    if (SUCCEEDED(hr)) hr = describe(call->request, status, info, failure);
    finish_call(call);
    return hr;
}

/* ---- fetch --------------------------------------------------------------- */

/* A 416 saying the file has exactly offset bytes: nothing left to fetch. */
static BOOL nothing_left(HINTERNET request, UINT64 offset)
{
    WCHAR text[64];
    const WCHAR *p = text + 8;
    UINT64 total;
    return query_text(request, WINHTTP_QUERY_CONTENT_RANGE, text, ARRAYSIZE(text))
        && !_wcsnicmp(text, L"bytes */", 8) && parse_u64(&p, &total) && !*p && total == offset;
}

static HRESULT check_partial(HINTERNET request, DWORD status, UINT64 offset, http_range *range,
                             ob_failure *failure)
{
    WCHAR text[96];
    if (status == HTTP_STATUS_RANGE_NOT_SATISFIABLE && nothing_left(request, offset))
    {
        range->first = range->total = offset;
        range->length = 0;
        return S_OK;
    }
    if (status >= 400) return http_status_failure(status, failure);
    if (status != HTTP_STATUS_PARTIAL_CONTENT
        || !query_text(request, WINHTTP_QUERY_CONTENT_RANGE, text, ARRAYSIZE(text))
        || !parse_content_range(text, range) || range->first != offset)
        return remote_failure(failure, BG_E_INSUFFICIENT_RANGE_SUPPORT);
    return S_OK;
}

/* Wine completes a read only once its buffer is full: a slow server's bytes
 * would wait for a large read to fill.  Reads are sized to what arrives in
 * about a flush interval: doubled while they complete fast, halved when slow. */
static DWORD next_read_size(DWORD size, ULONGLONG took_ms)
{
    if (took_ms < FLUSH_INTERVAL_MS / 4) return min(size * 2, OB_TRANSPORT_BLOCK);
    if (took_ms > FLUSH_INTERVAL_MS) return max(size / 2, MIN_READ);
    return size;
}

/* Fills whole blocks before calling the sink, or hands over what arrived once
 * FLUSH_INTERVAL_MS has passed, so that a slow server's bytes still show as
 * live progress.  A body shorter than announced is an error: WinHTTP under
 * Wine reports a dropped connection as the end. */
static HRESULT stream_body(http_transport *self, http_call *call, UINT64 expected, ob_sink_fn sink, void *context,
                           ob_failure *failure)
{
    ULONGLONG last_flush = GetTickCount64(), started;
    UINT64 received = 0;
    DWORD filled = 0, got, chunk = MIN_READ;
    for (;;)
    {
        HRESULT hr;
        started = GetTickCount64();
        if (FAILED(hr = read_some(self, call, filled, chunk, &got, failure))) return hr;
        chunk = next_read_size(chunk, GetTickCount64() - started);
        if (!got) break;
        received += got;
        filled += got;
        if (received > expected)
            return remote_failure(failure, HRESULT_FROM_WIN32(ERROR_WINHTTP_INVALID_SERVER_RESPONSE));
        if (filled < OB_TRANSPORT_BLOCK && GetTickCount64() - last_flush < FLUSH_INTERVAL_MS) continue;
        if (!sink(context, call->buffer, filled)) return E_ABORT;
        filled = 0;
        last_flush = GetTickCount64();
    }
    if (filled && !sink(context, call->buffer, filled)) return E_ABORT;
    if (received < expected) return remote_failure(failure, HRESULT_FROM_WIN32(ERROR_WINHTTP_CONNECTION_ERROR));
    return S_OK;
}

/* One ranged GET; *range says what the server sent (it may stop short of the end). */
static HRESULT fetch_range(http_transport *self, const WCHAR *remote, UINT64 offset, ob_sink_fn sink,
                           void *context, http_range *range, ob_failure *failure)
{
    WCHAR header[64] = L"Range: bytes=";
    http_send get = { header, NULL, 0, TRUE };
    http_call *call;
    DWORD status;
    HRESULT hr;

    format_u64(header + wcslen(header), offset);
    wcscat(header, L"-");
    hr = start_request(self, remote, L"GET", &get, &call, &status, failure);
    if (SUCCEEDED(hr)) hr = check_partial(call->request, status, offset, range, failure);
    if (SUCCEEDED(hr) && range->length) hr = stream_body(self, call, range->length, sink, context, failure);
    finish_call(call);
    return hr;
}

static HRESULT http_fetch(ob_transport *transport, const WCHAR *remote, const ob_remote_info *expected,
                          UINT64 offset, ob_sink_fn sink, void *context, ob_failure *failure)
{
    http_transport *self = (http_transport *)transport;
    for (;;)
    {
        http_range range = { 0 };
        HRESULT hr = fetch_range(self, remote, offset, sink, context, &range, failure);
        if (FAILED(hr)) return hr;
        offset += range.length;
        /* A server may answer a part of the rest; ask again for what is left. */
        if (range.total == BG_SIZE_UNKNOWN || offset >= range.total) return S_OK;
    }
}

/* ---- post ---------------------------------------------------------------- */

static HRESULT raw_headers(http_transport *self, HINTERNET request, WCHAR **out, ob_failure *failure)
{
    DWORD size = 0;
    WinHttpQueryHeaders(request, WINHTTP_QUERY_RAW_HEADERS_CRLF, WINHTTP_HEADER_NAME_BY_INDEX, NULL, &size,
                        WINHTTP_NO_HEADER_INDEX);
    if (!(*out = HeapAlloc(GetProcessHeap(), 0, size + sizeof(WCHAR)))) return E_OUTOFMEMORY;
    if (WinHttpQueryHeaders(request, WINHTTP_QUERY_RAW_HEADERS_CRLF, WINHTTP_HEADER_NAME_BY_INDEX, *out, &size,
                            WINHTTP_NO_HEADER_INDEX))
        return S_OK;
    ob_str_free(*out);
    *out = NULL;
    return winhttp_failure(self, failure);
}

/* Reads the response body to its end, keeping nothing (acks carry headers);
 * an announced empty body costs no read. */
static HRESULT drain(http_transport *self, http_call *call, ob_failure *failure)
{
    UINT64 length;
    DWORD got;
    HRESULT hr;
    if (query_length(call->request, &length) && !length) return S_OK;
    do hr = read_some(self, call, 0, MIN_READ, &got, failure);
    while (SUCCEEDED(hr) && got);
    return hr;
}

static HRESULT http_post(ob_transport *transport, const WCHAR *remote, const WCHAR *verb, const WCHAR *headers,
                         ob_buffer *body, DWORD body_size, DWORD *status, WCHAR **response_headers,
                         ob_failure *failure)
{
    http_transport *self = (http_transport *)transport;
    http_send send = { headers, body, body_size, TRUE };
    http_call *call;
    HRESULT hr = start_request(self, remote, verb, &send, &call, status, failure);

    *response_headers = NULL;
    if (SUCCEEDED(hr)) hr = raw_headers(self, call->request, response_headers, failure);
    if (SUCCEEDED(hr)) hr = drain(self, call, failure);
    finish_call(call);
    if (FAILED(hr))
    {
        ob_str_free(*response_headers);
        *response_headers = NULL;
    }
    return hr;
}

/* ---- lifetime ------------------------------------------------------------ */

/* Touches no WinHTTP handle: the worker, waiting on cancel_event as well,
 * abandons its request and closes it itself. */
static void http_cancel(ob_transport *transport)
{
    http_transport *self = (http_transport *)transport;
    InterlockedExchange(&self->cancelled, 1);
    SetEvent(self->cancel_event);
}

static void free_credentials(http_transport *self)
{
    ULONG i;
    if (!self->credentials) return;
    for (i = 0; i < self->credential_count; i++)
    {
        ob_str_wipe(self->credentials[i].user);
        ob_str_wipe(self->credentials[i].password);
    }
    HeapFree(GetProcessHeap(), 0, self->credentials);
}

static void http_close(ob_transport *transport)
{
    http_transport *self = (http_transport *)transport;
    drop_connect(self);
    if (self->session) WinHttpCloseHandle(self->session);
    free_credentials(self);
    if (self->cancel_event) CloseHandle(self->cancel_event);
    HeapFree(GetProcessHeap(), 0, self);
}

static const ob_transport_ops http_ops = { http_probe, http_fetch, http_post, http_cancel, http_close };

static HRESULT copy_credentials(http_transport *self, const ob_transport_options *options)
{
    ULONG i, count = options->credential_count;
    if (!count) return S_OK;
    if (!(self->credentials = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, count * sizeof(http_credential))))
        return E_OUTOFMEMORY;
    self->credential_count = count;
    for (i = 0; i < count; i++)
    {
        const ob_transport_credential *from = &options->credentials[i];
        http_credential *c = &self->credentials[i];
        c->target = from->target == BG_AUTH_TARGET_PROXY ? WINHTTP_AUTH_TARGET_PROXY : WINHTTP_AUTH_TARGET_SERVER;
        c->scheme = from->target == BG_AUTH_TARGET_SERVER || from->target == BG_AUTH_TARGET_PROXY
                    ? winhttp_scheme(from->scheme) : 0;
        if (FAILED(ob_str_dup_opt(from->user, &c->user)) || FAILED(ob_str_dup_opt(from->password, &c->password)))
            return E_OUTOFMEMORY;
    }
    return S_OK;
}

static HRESULT open_session(http_transport *self, const ob_transport_options *options)
{
    DWORD access = WINHTTP_ACCESS_TYPE_DEFAULT_PROXY;
    const WCHAR *proxy = WINHTTP_NO_PROXY_NAME, *bypass = WINHTTP_NO_PROXY_BYPASS;

    switch (options->proxy_usage)
    {
    case BG_JOB_PROXY_USAGE_NO_PROXY:
        access = WINHTTP_ACCESS_TYPE_NO_PROXY;
        break;
    case BG_JOB_PROXY_USAGE_OVERRIDE:
        if (!options->proxy_list || !options->proxy_list[0]) return E_INVALIDARG;
        access = WINHTTP_ACCESS_TYPE_NAMED_PROXY;
        proxy = options->proxy_list;
        if (options->proxy_bypass && options->proxy_bypass[0]) bypass = options->proxy_bypass;
        break;
    case BG_JOB_PROXY_USAGE_AUTODETECT:
        access = WINHTTP_ACCESS_TYPE_NO_PROXY;
        self->autodetect = TRUE;
        break;
    default:
        break;
    }
    if (!(self->session = WinHttpOpen(USER_AGENT, access, proxy, bypass, WINHTTP_FLAG_ASYNC))
        || WinHttpSetStatusCallback(self->session, on_status,
                                    WINHTTP_CALLBACK_FLAG_ALL_COMPLETIONS | WINHTTP_CALLBACK_FLAG_HANDLES, 0)
           == WINHTTP_INVALID_STATUS_CALLBACK)
        return HRESULT_FROM_WIN32(GetLastError());
    if (!WinHttpSetTimeouts(self->session, 0, CONNECT_TIMEOUT_MS, SEND_TIMEOUT_MS, RECEIVE_TIMEOUT_MS))
        return HRESULT_FROM_WIN32(GetLastError());
    return S_OK;
}

HRESULT ob_http_transport_open(const ob_transport_options *options, ob_transport **out)
{
    static const ob_transport_options defaults = { BG_JOB_PROXY_USAGE_PRECONFIG };
    http_transport *self = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, sizeof(*self));
    HRESULT hr;

    *out = NULL;
    if (!self) return E_OUTOFMEMORY;
    self->base.ops = &http_ops;
    if (!options) options = &defaults;
    if (!(self->cancel_event = CreateEventW(NULL, TRUE, FALSE, NULL))) hr = HRESULT_FROM_WIN32(GetLastError());
    else if (SUCCEEDED(hr = copy_credentials(self, options))) hr = open_session(self, options);
    if (FAILED(hr))
    {
        http_close(&self->base);
        return hr;
    }
    *out = &self->base;
    return S_OK;
}
