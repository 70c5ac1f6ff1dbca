/* The HTTP transport: the BITS rules (http_rules.c) applied over an I/O
 * backend (http_backend.h; WinHTTP today).  Here and nowhere else: HEAD for
 * the size, ranged GETs with a validator and their checks, short bodies,
 * redirects (followed here, never by the backend), which credential answers
 * which challenge and where credentials may go, the proxy settings and the
 * timeouts.  The backend only moves requests and bytes. */
#include "transport.h"
#include "lock.h"
#include "http_backend.h"
#include "http_digest.h"
#include "http_rules.h"
#include "config.h"
#include "names.h"
#include "str.h"
#include "trace.h"
#include <winhttp.h>  /* for its error codes only: the codes BITS clients see */

#define CONNECT_TIMEOUT_MS 30000
#define SEND_TIMEOUT_MS 30000
#define RECEIVE_TIMEOUT_MS 60000
#define FLUSH_INTERVAL_MS 100
#define HEADERS_CHARS 160

typedef struct http_transport {
    ob_transport base;
    ob_http_backend *backend;
    BYTE *block;               /* OB_TRANSPORT_BLOCK: what the sink gets */
    ULONG credential_count;
    ob_transport_credential *credentials;
    /* the job's HTTP options */
    WCHAR *custom_headers;     /* sent with every request; NULL: none */
    ULONG security_flags;      /* the redirect policy (downloads only) */
    ob_server_cert_fn server_cert;
    void *server_cert_context;
    const WCHAR *asking;       /* the remote name of the request under way (for server_cert) */
    HRESULT refused;           /* what server_cert said of the last send */
    /* the last probe's or fetch's outcome (the response op) */
    WCHAR *final_url;
    WCHAR *final_headers;
    ob_http_digest_count digest[2]; /* by digest_slot: the nonce answered last */
} http_transport;

static HRESULT remote_failure(ob_failure *failure, HRESULT hr)
{
    if (hr == E_ABORT) return hr;
    return ob_fail(failure, hr, BG_ERROR_CONTEXT_REMOTE_FILE);
}

static BOOL header(ob_http_exchange *x, http_transport *self, const WCHAR *name, WCHAR *text, DWORD chars)
{
    return self->backend->ops->header(x, name, text, chars);
}

/* One trace line per request: method, URL (without user information),
 * Range and validator, status.  No credential ever reaches it. */
static void trace_request(const ob_http_request *r, HRESULT hr, DWORD status)
{
    WCHAR shown[512];
    if (!ob_trace_on) return;
    ob_remote_for_trace(r->url, shown, ARRAYSIZE(shown));
    ob_trace_write(NULL, L"http %ls %ls [%ls] -> %lu (0x%08lx)", r->verb, shown,
                   r->headers && !wcsncmp(r->headers, L"Range:", 6) ? r->headers : L"", SUCCEEDED(hr) ? status : 0,
                   (ULONG)hr);
}

/* ---- one exchange: challenges and redirects ---- */

/* Digest state by target: 0 the server, 1 the proxy. */
static ULONG digest_slot(BG_AUTH_TARGET target)
{
    return target == BG_AUTH_TARGET_PROXY;
}

/* The Digest challenges this exchange answered, by digest_slot, and the
 * credential each was answered with. */
typedef struct digest_answers {
    WCHAR *challenge[2];
    const ob_transport_credential *credential[2];
} digest_answers;

/* Digest, by openbits for both backends (http_digest.h): the same request
 * again with the answer to the response's Digest challenge for c's target,
 * and a new answer (the nonce counted on) to any challenge of the other
 * target answered before.  S_FALSE, nothing sent, when the challenge
 * cannot be answered. */
static HRESULT answer_digest(http_transport *self, const ob_http_request *request, ob_http_exchange *x,
                             const ob_transport_credential *c, digest_answers *answers, DWORD *status)
{
    static const WCHAR *const names[2] = { L"Authorization: ", L"Proxy-Authorization: " };
    WCHAR *raw = NULL, *challenge, *uri, *lines = NULL, cnonce[OB_HTTP_DIGEST_CNONCE_CHARS];
    ULONG slot = digest_slot(c->target), t;
    HRESULT hr;

    if (FAILED(hr = self->backend->ops->raw_headers(x, &raw))) return hr;
    challenge = ob_http_digest_challenge(raw, c->target);
    ob_str_free(raw);
    if (!challenge) return S_FALSE;
    ob_str_free(answers->challenge[slot]);
    answers->challenge[slot] = challenge;
    answers->credential[slot] = c;
    if (!(uri = ob_http_request_path(request->url))) return E_OUTOFMEMORY;
    for (t = 0; t < 2 && SUCCEEDED(hr); t++)
    {
        const ob_transport_credential *a = answers->credential[t];
        WCHAR *answer = NULL, *line, *joined;
        if (!answers->challenge[t]) continue;
        if (SUCCEEDED(hr = ob_http_digest_cnonce(cnonce)))
            hr = ob_http_digest_response(answers->challenge[t], a->user, a->password, request->verb, uri, cnonce,
                                         &self->digest[t], &answer);
        if (FAILED(hr)) break;
        line = HeapAlloc(GetProcessHeap(), 0, (wcslen(names[t]) + wcslen(answer) + 1) * sizeof(WCHAR));
        if (line)
        {
            wcscpy(line, names[t]);
            wcscat(line, answer);
        }
        ob_str_free(answer);
        joined = line ? ob_http_join_headers(lines, line, &hr) : NULL;
        if (!joined) hr = E_OUTOFMEMORY;
        ob_str_free(line);
        ob_str_free(lines);
        lines = joined;
    }
    ob_str_free(uri);
    if (hr == E_NOTIMPL) hr = S_FALSE;   /* another algorithm, or auth-int only: the challenge stands */
    if (hr == S_OK) hr = self->backend->ops->resend(x, lines, status);
    ob_str_free(lines);
    return hr;
}

/* Answers one 401 and one 407 with the job's credentials on the same
 * exchange: Digest here (answer_digest), every other scheme by the backend.
 * Server credentials go only to the origin of the remote name they were set
 * for, never to a host a redirect led to. */
static HRESULT authenticate(http_transport *self, const WCHAR *remote, const ob_http_request *request,
                            ob_http_exchange *x, DWORD *status)
{
    digest_answers answers = { { NULL, NULL } };
    ULONG answered = 0;
    HRESULT hr = S_OK;
    for (;;)
    {
        BG_AUTH_TARGET target;
        const ob_transport_credential *c;
        BG_AUTH_SCHEME preferred;
        ULONG offered;

        if (*status != 401 && *status != 407) break;
        target = *status == 401 ? BG_AUTH_TARGET_SERVER : BG_AUTH_TARGET_PROXY;
        if (answered & (1u << target)) break;
        if (target == BG_AUTH_TARGET_SERVER && !ob_http_same_origin(remote, request->url)) break;
        if (!self->backend->ops->challenge(x, target, &offered, &preferred)) break;
        if (!(c = ob_http_pick_credential(self->credentials, self->credential_count, target, offered, preferred)))
            break;
        answered |= 1u << target;
        OB_TRACE(NULL, L"http answers %lu with scheme %lu", *status, (ULONG)c->scheme);
        if (c->scheme == BG_AUTH_SCHEME_DIGEST) hr = answer_digest(self, request, x, c, &answers, status);
        else hr = self->backend->ops->answer(x, c, status);
        if (FAILED(hr)) break;
    }
    ob_str_free(answers.challenge[0]);
    ob_str_free(answers.challenge[1]);
    return FAILED(hr) ? hr : S_OK;
}

static void free_chain(WCHAR **chain, ULONG count)
{
    while (count) ob_str_free(chain[--count]);
}

/* The backend's hook: the job's server certificate callback, with the
 * server's certificate and the certificates it sent (serialised). */
static HRESULT check_server_cert(void *context, PCCERT_CONTEXT cert)
{
    http_transport *self = context;
    CRYPT_DATA_BLOB store = { 0 };
    HRESULT hr;

    if (!self->server_cert) return S_OK;
    if (cert->hCertStore
        && CertSaveStore(cert->hCertStore, X509_ASN_ENCODING | PKCS_7_ASN_ENCODING, CERT_STORE_SAVE_AS_STORE,
                         CERT_STORE_SAVE_TO_MEMORY, &store, 0)
        && store.cbData && (store.pbData = HeapAlloc(GetProcessHeap(), 0, store.cbData))
        && !CertSaveStore(cert->hCertStore, X509_ASN_ENCODING | PKCS_7_ASN_ENCODING, CERT_STORE_SAVE_AS_STORE,
                          CERT_STORE_SAVE_TO_MEMORY, &store, 0))
        store.cbData = 0;
    if (!store.pbData) store.cbData = 0;
    hr = self->server_cert(self->server_cert_context, self->asking, cert->pbCertEncoded, cert->cbCertEncoded,
                           cert->dwCertEncodingType, store.pbData, store.cbData);
    if (store.pbData) HeapFree(GetProcessHeap(), 0, store.pbData);
    OB_TRACE(NULL, L"https server certificate callback: 0x%08lx", (ULONG)hr);
    if (FAILED(hr)) self->refused = hr;
    return hr;
}

/* The send of one request with the job's custom headers after its own. */
static HRESULT send_request(http_transport *self, const WCHAR *remote, const ob_http_request *request,
                            ob_http_exchange **x, DWORD *status)
{
    ob_http_request r = *request;
    WCHAR *headers;
    HRESULT hr;

    *x = NULL;
    headers = ob_http_join_headers(request->headers, self->custom_headers, &hr);
    if (FAILED(hr)) return hr;
    r.headers = headers;
    self->asking = remote;
    self->refused = S_OK;
    ob_lock_check_free("http request");
    hr = self->backend->ops->send(self->backend, &r, x, status);
    trace_request(request, hr, *status);
    ob_str_free(headers);
    return hr;
}

/* The last probe's or fetch's redirect target and final headers. */
static void keep_outcome(http_transport *self, const WCHAR *url, ob_http_exchange *x)
{
    ob_str_free(self->final_url);
    self->final_url = url ? ob_str_dup(url) : NULL;
    ob_str_free(self->final_headers);
    self->final_headers = NULL;
    if (x) self->backend->ops->raw_headers(x, &self->final_headers);
}

/* Sends verb to remote and follows redirects (at most
 * OB_HTTP_MAX_REDIRECTS, no loop, http and https only; a download's also
 * by the job's redirect policy, `policed`): the final exchange (finish it)
 * and its status.  A download's redirect target and final headers are kept
 * for the response op. */
static HRESULT exchange(http_transport *self, const WCHAR *remote, const ob_http_request *request,
                        ob_http_exchange **out, DWORD *status, BOOL policed, ob_failure *failure)
{
    WCHAR *chain[OB_HTTP_MAX_REDIRECTS + 2], location[OB_MAX_REMOTE_NAME + 1];
    ob_http_request r = *request;
    ULONG hops = 0;
    HRESULT hr;

    *out = NULL;
    *status = 0;
    r.url = remote;
    for (;;)
    {
        ob_http_exchange *x;
        WCHAR *next;
        BOOL has_location;

        if (FAILED(hr = send_request(self, remote, &r, &x, status)))
        {
            if (hr == self->refused) /* the job's certificate callback refused the server: documented transient */
            {
                free_chain(chain, hops);
                return ob_fail_as(failure, hr, BG_ERROR_CONTEXT_SERVER_CERTIFICATE_CALLBACK, TRUE);
            }
            break;
        }
        if (FAILED(hr = authenticate(self, remote, &r, x, status)))
        {
            self->backend->ops->finish(x);
            break;
        }
        if (!ob_http_is_redirect(*status))
        {
            if (policed) keep_outcome(self, hops ? r.url : NULL, x);
            *out = x;
            break;
        }
        has_location = header(x, self, L"Location", location, ARRAYSIZE(location));
        self->backend->ops->finish(x);
        if (FAILED(hr = ob_http_redirect_target(r.url, has_location ? location : NULL, &next, failure)))
        {
            free_chain(chain, hops);
            return hr;
        }
        if (!hops && !(chain[hops++] = ob_str_dup(remote)))
        {
            ob_str_free(next);
            hr = E_OUTOFMEMORY;
            break;
        }
        if (policed && FAILED(hr = ob_http_redirect_allowed(self->security_flags, *status, r.url, next, failure)))
        {
            /* documented for DISALLOW: the remote name is the redirected URL */
            OB_TRACE(NULL, L"http redirect refused by the job's policy (0x%08lx)", (ULONG)hr);
            keep_outcome(self, next, NULL);
            ob_str_free(next);
            free_chain(chain, hops);
            return hr;
        }
        if (FAILED(hr = ob_http_check_hop((const WCHAR *const *)chain, hops, next, failure)))
        {
            OB_TRACE(NULL, L"http redirect refused after %lu hops (0x%08lx)", hops, (ULONG)hr);
            ob_str_free(next);
            free_chain(chain, hops);
            return hr;
        }
        chain[hops++] = next;
        r.url = next;
    }
    free_chain(chain, hops);
    return FAILED(hr) ? remote_failure(failure, hr) : S_OK;
}

/* ---- probe ---- */

static HRESULT http_probe(ob_transport *transport, const WCHAR *remote, ob_remote_info *info, ob_failure *failure)
{
    http_transport *self = (http_transport *)transport;
    ob_http_request head = { NULL, L"HEAD" };
    WCHAR length[32], modified[OB_HTTP_DATE_CHARS + 8];
    ob_http_exchange *x;
    DWORD status;
    HRESULT hr;

    keep_outcome(self, NULL, NULL);
    if (FAILED(hr = exchange(self, remote, &head, &x, &status, TRUE, failure))) return hr;
    hr = ob_http_probe_answer(status, header(x, self, L"Content-Length", length, ARRAYSIZE(length)) ? length : NULL,
                              header(x, self, L"Last-Modified", modified, ARRAYSIZE(modified)) ? modified : NULL,
                              info, failure);
    self->backend->ops->finish(x);
    return hr;
}

/* ---- fetch ---- */

/* Fills whole blocks before calling the sink, or hands over what arrived
 * once FLUSH_INTERVAL_MS has passed, so that a slow server's bytes still show
 * as live progress; when the body stops early (a reset, a stall, a clean
 * close before the announced end) the bytes that did arrive are handed over
 * before the failure is reported. */
static HRESULT stream_body(http_transport *self, ob_http_exchange *x, UINT64 expected, ob_sink_fn sink,
                           void *context, ob_failure *failure)
{
    ULONGLONG last_flush = GetTickCount64();
    UINT64 received = 0;
    DWORD filled = 0, got;
    HRESULT hr = S_OK;

    for (;;)
    {
        if (FAILED(hr = self->backend->ops->read(x, self->block + filled, OB_TRANSPORT_BLOCK - filled, &got))) break;
        if (!got) break;
        if (got > expected - received)
        {
            hr = HRESULT_FROM_WIN32(ERROR_WINHTTP_INVALID_SERVER_RESPONSE);
            got = (DWORD)(expected - received);
        }
        received += got;
        filled += got;
        if (FAILED(hr)) break;
        if (filled < OB_TRANSPORT_BLOCK && GetTickCount64() - last_flush < FLUSH_INTERVAL_MS) continue;
        if (!sink(context, self->block, filled)) return E_ABORT;
        filled = 0;
        last_flush = GetTickCount64();
    }
    if (filled && !sink(context, self->block, filled)) return E_ABORT;
    if (hr == S_OK && received < expected) hr = HRESULT_FROM_WIN32(ERROR_WINHTTP_CONNECTION_ERROR);
    if (FAILED(hr)) OB_TRACE(NULL, L"http body ended at %I64u of %I64u: 0x%08lx", received, expected, (ULONG)hr);
    return remote_failure(failure, hr);
}

/* One ranged GET of [offset, end); *range says what the server sent (it may
 * stop short of end). */
static HRESULT fetch_range(http_transport *self, const WCHAR *remote, const ob_remote_info *expected, UINT64 offset,
                           UINT64 end, ob_sink_fn sink, void *context, ob_http_range *range, ob_failure *failure)
{
    WCHAR headers[HEADERS_CHARS], content_range[96], modified[OB_HTTP_DATE_CHARS + 8];
    ob_http_request get = { NULL, L"GET", headers };
    ob_http_exchange *x;
    DWORD status;
    HRESULT hr;

    ob_http_part_headers(offset, end, expected, headers, ARRAYSIZE(headers));
    if (FAILED(hr = exchange(self, remote, &get, &x, &status, TRUE, failure))) return hr;
    hr = ob_http_part_answer(status,
                              header(x, self, L"Content-Range", content_range, ARRAYSIZE(content_range)) ? content_range : NULL,
                              header(x, self, L"Last-Modified", modified, ARRAYSIZE(modified)) ? modified : NULL,
                              offset, end, expected, range, failure);
    if (FAILED(hr) && failure->changed) OB_TRACE(NULL, L"http remote file changed (status %lu): restart", status);
    if (SUCCEEDED(hr) && range->length) hr = stream_body(self, x, range->length, sink, context, failure);
    self->backend->ops->finish(x);
    return hr;
}

static HRESULT http_fetch_part(ob_transport *transport, const WCHAR *remote, const ob_remote_info *expected,
                               UINT64 offset, UINT64 end, ob_sink_fn sink, void *context, ob_failure *failure)
{
    http_transport *self = (http_transport *)transport;
    keep_outcome(self, NULL, NULL);
    for (;;)
    {
        ob_http_range range = { 0 };
        HRESULT hr = fetch_range(self, remote, expected, offset, end, sink, context, &range, failure);
        if (FAILED(hr)) return hr;
        offset += range.length;
        /* A server may answer a part of the rest; ask again for what is left. */
        if (end != BG_SIZE_UNKNOWN && (offset >= end || !range.length)) return S_OK;
        if (range.total == BG_SIZE_UNKNOWN || offset >= range.total) return S_OK;
    }
}

static HRESULT http_fetch(ob_transport *transport, const WCHAR *remote, const ob_remote_info *expected,
                          UINT64 offset, ob_sink_fn sink, void *context, ob_failure *failure)
{
    return http_fetch_part(transport, remote, expected, offset, BG_SIZE_UNKNOWN, sink, context, failure);
}

/* ---- post ---- */

/* Reads the response body to its end, keeping nothing (acks carry headers);
 * an announced empty body costs no read. */
static HRESULT drain(http_transport *self, ob_http_exchange *x)
{
    WCHAR length[32];
    DWORD got;
    HRESULT hr;
    if (header(x, self, L"Content-Length", length, ARRAYSIZE(length)) && !wcscmp(length, L"0")) return S_OK;
    do hr = self->backend->ops->read(x, self->block, OB_TRANSPORT_BLOCK, &got);
    while (SUCCEEDED(hr) && got);
    return hr;
}

static HRESULT http_post(ob_transport *transport, const WCHAR *remote, const WCHAR *verb, const WCHAR *headers,
                         ob_buffer *body, DWORD body_size, DWORD *status, WCHAR **response_headers,
                         ob_failure *failure)
{
    http_transport *self = (http_transport *)transport;
    ob_http_request post = { NULL, verb, headers, body, body_size };
    ob_http_exchange *x;
    HRESULT hr = exchange(self, remote, &post, &x, status, FALSE, failure);

    *response_headers = NULL;
    if (FAILED(hr)) return hr;
    hr = self->backend->ops->raw_headers(x, response_headers);
    if (SUCCEEDED(hr)) hr = drain(self, x);
    self->backend->ops->finish(x);
    if (FAILED(hr))
    {
        ob_str_free(*response_headers);
        *response_headers = NULL;
        return remote_failure(failure, hr);
    }
    return S_OK;
}

/* ---- lifetime ---- */

static void http_response(ob_transport *transport, WCHAR **final_url, WCHAR **headers)
{
    http_transport *self = (http_transport *)transport;
    *final_url = self->final_url;
    *headers = self->final_headers;
    self->final_url = self->final_headers = NULL;
}

static void http_cancel(ob_transport *transport)
{
    http_transport *self = (http_transport *)transport;
    self->backend->ops->cancel(self->backend);
}

static void free_credentials(http_transport *self)
{
    ULONG i;
    if (!self->credentials) return;
    for (i = 0; i < self->credential_count; i++)
    {
        ob_str_wipe((WCHAR *)self->credentials[i].user);
        ob_str_wipe((WCHAR *)self->credentials[i].password);
    }
    HeapFree(GetProcessHeap(), 0, self->credentials);
}

static void http_close(ob_transport *transport)
{
    http_transport *self = (http_transport *)transport;
    if (self->backend) self->backend->ops->close(self->backend);
    free_credentials(self);
    ob_str_free(self->custom_headers);
    ob_str_free(self->final_url);
    ob_str_free(self->final_headers);
    if (self->block) HeapFree(GetProcessHeap(), 0, self->block);
    HeapFree(GetProcessHeap(), 0, self);
}

static const ob_transport_ops http_ops = { http_probe, http_fetch, http_post, http_cancel, http_close, http_response,
                                           http_fetch_part };

static HRESULT copy_credentials(http_transport *self, const ob_transport_options *options)
{
    ULONG i, count = options->credential_count;
    if (!count) return S_OK;
    if (!(self->credentials = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, count * sizeof(*self->credentials))))
        return E_OUTOFMEMORY;
    self->credential_count = count;
    for (i = 0; i < count; i++)
    {
        const ob_transport_credential *from = &options->credentials[i];
        ob_transport_credential *c = &self->credentials[i];
        c->target = from->target;
        c->scheme = from->scheme;
        if (FAILED(ob_str_dup_opt(from->user, (WCHAR **)&c->user))
            || FAILED(ob_str_dup_opt(from->password, (WCHAR **)&c->password)))
            return E_OUTOFMEMORY;
    }
    return S_OK;
}

/* The documented timeouts, or all three as the options (tests) or
 * OPENBITS_NET_TIMEOUT_MS say. */
static void pick_timeouts(const ob_transport_options *options, ob_http_backend_config *config)
{
    DWORD all = options->timeout_ms ? options->timeout_ms : ob_config_net_timeout_ms();
    config->connect_timeout_ms = all ? all : CONNECT_TIMEOUT_MS;
    config->send_timeout_ms = all ? all : SEND_TIMEOUT_MS;
    config->receive_timeout_ms = all ? all : RECEIVE_TIMEOUT_MS;
}

/* The backend HttpTransport names (config.c). */
HRESULT ob_http_transport_open(const ob_transport_options *options, ob_transport **out)
{
    BOOL curl = ob_config_http_backend() == OB_HTTP_BACKEND_CURL;
    HRESULT hr = ob_http_transport_open_on(options, curl ? ob_curl_backend_open : ob_winhttp_backend_open, out);
    OB_TRACE(NULL, L"http backend %ls opened: 0x%08lx", curl ? L"curl" : L"winhttp", (ULONG)hr);
    return hr;
}

HRESULT ob_http_transport_open_on(const ob_transport_options *options, ob_http_backend_open_fn open_backend,
                                  ob_transport **out)
{
    static const ob_transport_options defaults = { BG_JOB_PROXY_USAGE_PRECONFIG };
    http_transport *self = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, sizeof(*self));
    ob_http_backend_config config = { 0 };
    HRESULT hr;

    *out = NULL;
    if (!self) return E_OUTOFMEMORY;
    self->base.ops = &http_ops;
    if (!options) options = &defaults;
    config.proxy_usage = options->proxy_usage;
    config.proxy_list = options->proxy_list;
    config.proxy_bypass = options->proxy_bypass;
    pick_timeouts(options, &config);
    self->security_flags = config.security_flags = options->security_flags;
    self->server_cert = options->server_cert;
    self->server_cert_context = options->server_cert_context;
    config.client_cert = options->client_cert;
    if (self->server_cert)
    {
        config.server_cert = check_server_cert;
        config.server_cert_context = self;
    }
    if (options->proxy_usage == BG_JOB_PROXY_USAGE_OVERRIDE && (!options->proxy_list || !options->proxy_list[0]))
        hr = E_INVALIDARG;
    else if (!(self->block = HeapAlloc(GetProcessHeap(), 0, OB_TRANSPORT_BLOCK))) hr = E_OUTOFMEMORY;
    else if (FAILED(hr = ob_str_dup_opt(options->custom_headers, &self->custom_headers))) {}
    else if (SUCCEEDED(hr = copy_credentials(self, options))) hr = open_backend(&config, &self->backend);
    if (FAILED(hr))
    {
        http_close(&self->base);
        return hr;
    }
    *out = &self->base;
    return S_OK;
}
