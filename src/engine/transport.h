/* The narrow interface between the transfer engine and the ways bytes arrive
 * (WinHTTP, local and UNC files).  A transport knows nothing of jobs: it
 * describes a remote file and streams its bytes from an offset into a sink. */
#ifndef OB_TRANSPORT_H
#define OB_TRANSPORT_H

#include "ob_types.h"

#define OB_TRANSPORT_BLOCK (1024 * 1024)

typedef struct ob_remote_info {
    UINT64 size;               /* BG_SIZE_UNKNOWN when the source gives none */
    FILETIME modified;         /* all zero when unknown */
} ob_remote_info;

/* A failure as a transport reports it: already classified.  hr is what BITS
 * clients see (GetError), context which side failed, transient whether
 * waiting and retrying may mend it (TRANSIENT_ERROR) or not (ERROR). */
typedef struct ob_failure {
    HRESULT hr;
    BG_ERROR_CONTEXT context;
    BOOL transient;
    BOOL changed;              /* the remote file is no longer the one probed: start it again */
} ob_failure;

/* Fills *failure (hr classified by ob_transient_error) and returns hr. */
HRESULT ob_fail(ob_failure *failure, HRESULT hr, BG_ERROR_CONTEXT context);
/* The same with the classification given. */
HRESULT ob_fail_as(ob_failure *failure, HRESULT hr, BG_ERROR_CONTEXT context, BOOL transient);
/* The one classification of error codes (transport_error.c): network-level
 * failures (connection reset, aborted, refused, unreachable, timeouts, the
 * WinHTTP connection errors), short bodies, a changed remote file and HTTP 5xx
 * are transient; everything else (4xx, missing files, no size, no ranges,
 * certificates, redirect failures, local errors) is not. */
BOOL ob_transient_error(HRESULT hr);

/* Receives the bytes in order, one block at a time; FALSE stops the transfer
 * (Suspend or Cancel), and fetch then returns E_ABORT. */
typedef BOOL (*ob_sink_fn)(void *context, const BYTE *data, DWORD size);

typedef struct ob_transport ob_transport;

/* A reference-counted block of bytes to send: a request abandoned by cancel
 * may still be reading it inside WinHTTP after the caller has moved on. */
typedef struct ob_buffer {
    LONG refs;
    DWORD capacity;
    BYTE data[1];
} ob_buffer;

ob_buffer *ob_buffer_new(DWORD capacity);
void ob_buffer_addref(ob_buffer *buffer);
void ob_buffer_release(ob_buffer *buffer);

/* A job's credentials, as the transport applies them to its requests. */
typedef struct ob_transport_credential {
    BG_AUTH_TARGET target;
    BG_AUTH_SCHEME scheme;
    const WCHAR *user;
    const WCHAR *password;
} ob_transport_credential;

/* A client certificate in a system store, by its SHA-1 hash (cert_store.h). */
typedef struct ob_transport_client_cert {
    BG_CERT_STORE_LOCATION location;
    const WCHAR *store;
    BYTE hash[20];
} ob_transport_client_cert;

/* remote: the remote name asked for (before redirects); cert: the server's
 * certificate (DER, X509_ASN_ENCODING); store: the certificates the server
 * sent, serialised (CertSaveStore, CERT_STORE_SAVE_AS_STORE). */
typedef HRESULT (*ob_server_cert_fn)(void *context, const WCHAR *remote, const BYTE *cert, DWORD cert_size,
                                     DWORD encoding, const BYTE *store, DWORD store_size);

/* What a job asks of the network; the transport copies what it keeps. */
typedef struct ob_transport_options {
    BG_JOB_PROXY_USAGE proxy_usage;
    const WCHAR *proxy_list;   /* BG_JOB_PROXY_USAGE_OVERRIDE only */
    const WCHAR *proxy_bypass;
    ULONG credential_count;
    const ob_transport_credential *credentials;
    DWORD timeout_ms;          /* 0: the documented ones (connect 30 s, send 30 s, receive 60 s) */
    /* The job's HTTP options (job_http.c); other transports ignore them. */
    const WCHAR *custom_headers; /* "Name: value" lines, each ended by CRLF, sent with every request; NULL: none */
    ULONG security_flags;      /* BG_SSL_* and BG_HTTP_REDIRECT_POLICY_* bits */
    const ob_transport_client_cert *client_cert; /* NULL: none */
    /* Called with the server's certificate of every HTTPS request once the
     * system has accepted it, before the request is sent (WinHTTP: before
     * any of the response is used); a failure refuses the server.  NULL:
     * none. */
    ob_server_cert_fn server_cert;
    void *server_cert_context;
} ob_transport_options;

typedef struct ob_transport_ops {
    /* Every op returns S_OK, E_ABORT (cancelled) or a failure it also
     * describes in *failure (zeroed by the caller). */
    HRESULT (*probe)(ob_transport *transport, const WCHAR *remote, ob_remote_info *info, ob_failure *failure);
    /* Streams from offset to the end of the remote file that probe described
     * as *expected: a source that no longer matches it (size, time) fails
     * with failure->changed set (BG_E_INVALID_SERVER_RESPONSE, transient), and
     * the caller starts the file again. */
    HRESULT (*fetch)(ob_transport *transport, const WCHAR *remote, const ob_remote_info *expected, UINT64 offset,
                     ob_sink_fn sink, void *context, ob_failure *failure);
    /* One request with extra headers and a body, for protocols on top of HTTP
     * (the BITS upload protocol's BITS_POST): gives the status and the raw
     * response headers ("Name: value" lines separated by CRLF; free them with
     * ob_str_free); the response body is read and dropped.  NULL in
     * transports that have no such thing. */
    HRESULT (*post)(ob_transport *transport, const WCHAR *remote, const WCHAR *verb, const WCHAR *headers,
                    ob_buffer *body, DWORD body_size, DWORD *status, WCHAR **response_headers,
                    ob_failure *failure);
    /* From any thread, at any time: a call under way (or the next one)
     * returns E_ABORT promptly, even while blocked on the network. */
    void (*cancel)(ob_transport *transport);
    void (*close)(ob_transport *transport);
    /* After a probe or fetch, failed or not: where its redirects led (NULL
     * when there was none) and the raw headers of its final response
     * ("Name: value" lines, NULL when none arrived); heap strings
     * (ob_str_free).  NULL in transports without redirects or headers. */
    void (*response)(ob_transport *transport, WCHAR **final_url, WCHAR **headers);
    /* fetch, stopping at end (exclusive; BG_SIZE_UNKNOWN: at the end of the
     * file): bytes [offset, end) of the remote file probed as *expected,
     * for a file's ranges (ranges.h).  A source that would send more than
     * asked fails (BG_E_INVALID_SERVER_RESPONSE).  NULL in transports that
     * serve no ranges (AddFileWithRanges takes only http and https). */
    HRESULT (*fetch_part)(ob_transport *transport, const WCHAR *remote, const ob_remote_info *expected,
                          UINT64 offset, UINT64 end, ob_sink_fn sink, void *context, ob_failure *failure);
} ob_transport_ops;

struct ob_transport {
    const ob_transport_ops *ops;
};

/* ---- the registry (transport_registry.c) ---- */

#define OB_TRANSPORT_CLASSES 2

typedef struct ob_transport_class {
    const WCHAR *name;
    ULONG index;               /* 0 .. OB_TRANSPORT_CLASSES-1: workers keep one open transport per class */
    HRESULT (*open)(const ob_transport_options *options, ob_transport **out);
} ob_transport_class;

/* The transport that serves a remote name, by its scheme (http, https) or
 * form (file: URLs, UNC and drive paths); NULL when none does. */
const ob_transport_class *ob_transport_for(const WCHAR *remote);

/* file:// URLs, UNC and drive paths, read with our own chunked loop (Wine's
 * CopyFileEx never reports progress, so it cannot be used). */
HRESULT ob_local_transport_open(ob_transport **out);

/* http:// and https:// (transport_http.c: the rules of http_rules.h over the
 * WinHTTP backend).  probe is a HEAD: the size from a 200's Content-Length
 * (64-bit), else BG_E_MISSING_FILE_SIZE; Last-Modified as the time.  fetch
 * sends Range: bytes=offset- and If-Unmodified-Since, and requires a 206
 * whose Content-Range starts at offset, else BG_E_INSUFFICIENT_RANGE_SUPPORT;
 * a body shorter than announced is an error, not an end.  HTTP status >= 400
 * gives BG_E_HTTP_ERROR_nnn (0x80190000 | status) with context REMOTE_FILE.
 * Redirects are followed here (10 hops, http and https only). */
HRESULT ob_http_transport_open(const ob_transport_options *options, ob_transport **out);

#endif
