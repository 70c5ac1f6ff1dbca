/* The I/O part of HTTP, all that a backend (WinHTTP today, libcurl next)
 * implements: send one request and wait for its response headers, read
 * headers and body bytes, answer an authentication challenge on the same
 * exchange (or send it again with headers openbits computed), cancel.  A backend follows no redirect, retries nothing and
 * knows no BITS rule: transport_http.c does all that with http_rules.c.
 *
 * Failures are HRESULTs of the Win32/WinHTTP/Winsock codes (a libcurl
 * backend maps its errors onto them: CURLE_OPERATION_TIMEDOUT to
 * ERROR_WINHTTP_TIMEOUT, a reset to WSAECONNRESET...), E_ABORT after cancel;
 * transport_error.c classifies them.  Every wait is bounded by the
 * timeouts given at open: connect + send until the request is sent,
 * receive for the response headers and for each read; past one the call
 * fails with HRESULT_FROM_WIN32(ERROR_WINHTTP_TIMEOUT). */
#ifndef OB_HTTP_BACKEND_H
#define OB_HTTP_BACKEND_H

#include "transport.h"
#include <wincrypt.h>

/* The User-Agent every backend sends: servers that serve BITS clients
 * recognise it, and it names us.  OB_HTTP_WIDE makes the WCHAR form. */
#define OB_HTTP_USER_AGENT "Microsoft BITS/7.8 (openbits)"
#define OB_HTTP_WIDE_(text) L##text
#define OB_HTTP_WIDE(text) OB_HTTP_WIDE_(text)

typedef struct ob_http_backend ob_http_backend;
typedef struct ob_http_exchange ob_http_exchange;

typedef struct ob_http_backend_config {
    BG_JOB_PROXY_USAGE proxy_usage;    /* PRECONFIG: the system's settings */
    const WCHAR *proxy_list;           /* OVERRIDE only, never empty */
    const WCHAR *proxy_bypass;         /* OVERRIDE only, may be NULL */
    DWORD connect_timeout_ms;
    DWORD send_timeout_ms;
    DWORD receive_timeout_ms;
    /* HTTPS: BG_SSL_ENABLE_CRL_CHECK and the BG_SSL_IGNORE_* bits, applied
     * to the backend's own check of the server's certificate */
    ULONG security_flags;
    /* HTTPS: called with the server's certificate once the backend has
     * accepted it, before the request is sent where the backend can (curl),
     * else before its response is handed over (WinHTTP); a failure fails
     * the send with that HRESULT.  NULL: none. */
    HRESULT (*server_cert)(void *context, PCCERT_CONTEXT cert);
    void *server_cert_context;
    /* HTTPS: the client certificate to offer (copied by the backend); NULL: none */
    const ob_transport_client_cert *client_cert;
} ob_http_backend_config;

/* One request to send. */
typedef struct ob_http_request {
    const WCHAR *url;                  /* absolute http(s) URL */
    const WCHAR *verb;
    const WCHAR *headers;              /* CRLF separated, or NULL */
    ob_buffer *body;                   /* NULL: none; held while the backend may read it */
    DWORD body_size;
} ob_http_request;

typedef struct ob_http_backend_ops {
    /* Sends the request and waits for the response headers: *out (finish
     * it) and its status. */
    HRESULT (*send)(ob_http_backend *backend, const ob_http_request *request, ob_http_exchange **out,
                    DWORD *status);
    /* The exchange got 401 (target SERVER) or 407 (PROXY): the schemes
     * offered (OB_HTTP_SCHEME_BIT of BG_AUTH_SCHEME values) and the
     * preferred one; FALSE when the answer names none we know. */
    BOOL (*challenge)(ob_http_exchange *exchange, BG_AUTH_TARGET target, ULONG *offered, BG_AUTH_SCHEME *preferred);
    /* Sends the same request again on the same exchange with that
     * credential (connection-bound schemes such as NTLM need it) and waits
     * for the new response headers. */
    HRESULT (*answer)(ob_http_exchange *exchange, const ob_transport_credential *credential, DWORD *status);
    /* Sends the same request again on the same exchange with these header
     * lines (CRLF separated "Name: value"; each replaces a line of that
     * name sent before; the credentials answer gave stay) and waits for
     * the new response headers: how openbits' own Digest answers go
     * (transport_http.c), so answer never gets a Digest credential. */
    HRESULT (*resend)(ob_http_exchange *exchange, const WCHAR *headers, DWORD *status);
    /* A response header by name into text (chars with the NUL); FALSE when
     * absent or longer. */
    BOOL (*header)(ob_http_exchange *exchange, const WCHAR *name, WCHAR *text, DWORD chars);
    /* Every response header, "Name: value" lines separated by CRLF (ob_str_free). */
    HRESULT (*raw_headers)(ob_http_exchange *exchange, WCHAR **out);
    /* Body bytes that have arrived, at most size, waiting (up to the receive
     * timeout) only while none has: never for the buffer to fill.  *got 0
     * at the end of the body. */
    HRESULT (*read)(ob_http_exchange *exchange, BYTE *buffer, DWORD size, DWORD *got);
    void (*finish)(ob_http_exchange *exchange);
    /* From any thread: the call under way, and every later one, return
     * E_ABORT promptly. */
    void (*cancel)(ob_http_backend *backend);
    void (*close)(ob_http_backend *backend);
} ob_http_backend_ops;

struct ob_http_backend {
    const ob_http_backend_ops *ops;
};

typedef HRESULT (*ob_http_backend_open_fn)(const ob_http_backend_config *config, ob_http_backend **out);

/* The WinHTTP backend (http_winhttp.c). */
HRESULT ob_winhttp_backend_open(const ob_http_backend_config *config, ob_http_backend **out);
/* The libcurl backend (http_curl.c). */
HRESULT ob_curl_backend_open(const ob_http_backend_config *config, ob_http_backend **out);

/* The HTTP transport over a backend of the caller's choice (the transport
 * conformance tests run against each); ob_http_transport_open uses the one
 * HttpTransport names (ob_config_http_backend). */
HRESULT ob_http_transport_open_on(const ob_transport_options *options, ob_http_backend_open_fn open_backend,
                                  ob_transport **out);

#endif
