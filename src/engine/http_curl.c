/* The libcurl HTTP backend (http_backend.h): the I/O part only.  One multi
 * handle and one easy handle per backend, so connections are reused between
 * requests.  Every wait is a select() on the sockets libcurl names plus
 * the backend's wake socket, a loopback UDP socket that cancel writes to
 * from any thread, so a blocked connect, send or header wait returns at
 * once.  Not curl_multi_poll: on Windows it waits for WSAEventSelect's
 * FD_WRITE, which under Wine was seen not to come after a partial send
 * although the socket had room again, so uploads stalled for a whole wait
 * each time (docs/choices.md).  libcurl follows no redirect
 * (transport_http.c does) and answers a challenge only when told to
 * (answer), then runs the scheme's handshake itself (NTLM and Negotiate
 * through SSPI).
 *
 * libcurl is built with Schannel, whose certificate verification Wine does
 * not implement: the server's certificate is checked here, after the
 * handshake and before the request is sent, with the system's chain engine
 * and the SSL policy for the host name, as WinHTTP checks it. */
#include <winsock2.h>      /* before windows.h, which transport.h includes */
#include <wchar.h>
#include "http_backend.h"
#include "http_rules.h"     /* OB_HTTP_SCHEME_BIT only */
#include "cert_store.h"
#include "str.h"
#include "trace.h"
#define SECURITY_WIN32
#include <security.h>
#include <schannel.h>
#include <wincrypt.h>
#include <winhttp.h>
#include <curl/curl.h>

typedef enum proxy_mode { PROXY_DIRECT, PROXY_NAMED, PROXY_AUTODETECT } proxy_mode;

typedef struct curl_backend {
    ob_http_backend base;
    CURLM *multi;
    CURL *easy;
    SOCKET wake;               /* loopback UDP: readable once cancel wrote to it */
    volatile LONG cancelled;
    DWORD connect_timeout_ms, send_timeout_ms, receive_timeout_ms;
    proxy_mode mode;
    WCHAR *proxy_list;         /* PROXY_NAMED: WinHTTP's syntax */
    WCHAR *proxy_bypass;
    HINTERNET wpad;            /* PROXY_AUTODETECT: a WinHTTP session for WinHttpGetProxyForUrl */
    PCCERT_CONTEXT verified;   /* the last certificate accepted, for verified_host */
    WCHAR *verified_host;
    ULONG security_flags;      /* BG_SSL_*: revocation, errors to ignore */
    HRESULT (*server_cert)(void *context, PCCERT_CONTEXT cert);
    void *server_cert_context;
    char *client_cert;         /* Schannel's "Location\Store\thumbprint"; NULL: none */
} curl_backend;

/* One request and its response; the backend has one easy handle, so one
 * exchange at a time. */
struct ob_http_exchange {
    curl_backend *self;
    char *url, *verb, *proxy;
    struct curl_slist *headers;
    ob_buffer *body;
    DWORD body_size;
    BOOL head;
    char *user, *password;             /* UTF-8 copies of the credentials answered with */
    unsigned long auth;
    char *proxy_user, *proxy_password;
    unsigned long proxy_auth;
    BOOL added;                        /* in the multi handle */
    /* the response */
    char *raw;                         /* the latest response's status line and headers */
    size_t raw_size, raw_capacity;
    BOOL headers_done;                 /* a final (not 1xx) response's headers are complete */
    BOOL body_started;                 /* its first body byte arrived */
    BOOL done;
    CURLcode result;
    HRESULT verdict;                   /* why a callback stopped the transfer */
    /* reading: the write callback fills dest, then spill; a second chunk pauses */
    BYTE *dest;
    DWORD dest_size, dest_got;
    BYTE *spill;
    DWORD spill_size, spill_read, spill_capacity;
    BOOL paused;
};

static INIT_ONCE curl_once = INIT_ONCE_STATIC_INIT;
static CURLcode curl_init_result;

static BOOL CALLBACK init_curl(INIT_ONCE *once, void *parameter, void **context)
{
    curl_init_result = curl_global_init(CURL_GLOBAL_ALL);
    return TRUE;
}

/* ---- text ---------------------------------------------------------------- */

static char *to_utf8(const WCHAR *s)
{
    int size;
    char *out;
    if (!s) s = L"";
    size = WideCharToMultiByte(CP_UTF8, 0, s, -1, NULL, 0, NULL, NULL);
    if (size <= 0 || !(out = HeapAlloc(GetProcessHeap(), 0, size))) return NULL;
    WideCharToMultiByte(CP_UTF8, 0, s, -1, out, size, NULL, NULL);
    return out;
}

static void free_utf8(char *s, BOOL wipe)
{
    if (!s) return;
    if (wipe) SecureZeroMemory(s, strlen(s));
    HeapFree(GetProcessHeap(), 0, s);
}

/* Header bytes as WCHARs, one for one (what arrives is ASCII, or Latin-1). */
static WCHAR *widen(const char *s, size_t size)
{
    WCHAR *out = HeapAlloc(GetProcessHeap(), 0, (size + 1) * sizeof(WCHAR));
    size_t i;
    if (!out) return NULL;
    for (i = 0; i < size; i++) out[i] = (BYTE)s[i];
    out[size] = 0;
    return out;
}

/* The host of a URL, without brackets or port; NULL if it has none. */
static WCHAR *url_host(const WCHAR *url)
{
    URL_COMPONENTS parts = { sizeof(parts) };
    WCHAR *host;
    DWORD n;
    parts.dwHostNameLength = (DWORD)-1;
    if (!WinHttpCrackUrl(url, 0, 0, &parts) || !(n = parts.dwHostNameLength)) return NULL;
    if (!(host = HeapAlloc(GetProcessHeap(), 0, (n + 1) * sizeof(WCHAR)))) return NULL;
    memcpy(host, parts.lpszHostName, n * sizeof(WCHAR));
    host[n] = 0;
    if (host[0] == L'[' && n > 1 && host[n - 1] == L']')
    {
        memmove(host, host + 1, (n - 2) * sizeof(WCHAR));
        host[n - 2] = 0;
    }
    return host;
}

static BOOL is_https(const WCHAR *url)
{
    return !_wcsnicmp(url, L"https:", 6);
}

/* ---- failures ------------------------------------------------------------ */

/* libcurl's result as the error WinHTTP reports for the same event. */
static HRESULT curl_failure(CURL *easy, CURLcode code)
{
    long os_error = 0;
    curl_easy_getinfo(easy, CURLINFO_OS_ERRNO, &os_error);
    switch (code)
    {
    case CURLE_OK: return S_OK;
    case CURLE_OUT_OF_MEMORY: return E_OUTOFMEMORY;
    case CURLE_UNSUPPORTED_PROTOCOL: return HRESULT_FROM_WIN32(ERROR_WINHTTP_UNRECOGNIZED_SCHEME);
    case CURLE_URL_MALFORMAT: return HRESULT_FROM_WIN32(ERROR_WINHTTP_INVALID_URL);
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY: return HRESULT_FROM_WIN32(ERROR_WINHTTP_NAME_NOT_RESOLVED);
    case CURLE_COULDNT_CONNECT: return HRESULT_FROM_WIN32(ERROR_WINHTTP_CANNOT_CONNECT);
    case CURLE_OPERATION_TIMEDOUT: return HRESULT_FROM_WIN32(ERROR_WINHTTP_TIMEOUT);
    case CURLE_SSL_CONNECT_ERROR: return HRESULT_FROM_WIN32(ERROR_WINHTTP_SECURE_CHANNEL_ERROR);
    case CURLE_PEER_FAILED_VERIFICATION: return HRESULT_FROM_WIN32(ERROR_WINHTTP_SECURE_FAILURE);
    case CURLE_WEIRD_SERVER_REPLY: return HRESULT_FROM_WIN32(ERROR_WINHTTP_INVALID_SERVER_RESPONSE);
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
        if (os_error == WSAECONNRESET || os_error == WSAECONNABORTED) return HRESULT_FROM_WIN32(os_error);
        return HRESULT_FROM_WIN32(ERROR_WINHTTP_CONNECTION_ERROR);
    case CURLE_PARTIAL_FILE:   /* the connection closed before the announced end */
    case CURLE_GOT_NOTHING:
    default: return HRESULT_FROM_WIN32(ERROR_WINHTTP_CONNECTION_ERROR);
    }
}

/* ---- certificates -------------------------------------------------------- */

/* WinHTTP's check of a server: the chain the server sent, built to a root the
 * system trusts for server authentication, and the SSL policy for the host
 * name (validity periods, usage, the name), less what the job's
 * BG_SSL_IGNORE_* flags waive.  Revocation is checked only with
 * BG_SSL_ENABLE_CRL_CHECK (as WinHTTP checks it only when asked): a revoked
 * certificate is ERROR_WINHTTP_SECURE_CERT_REVOKED, an unknown status
 * ERROR_WINHTTP_SECURE_CERT_REV_FAILED (documented for BITS).  Any other
 * failure is ERROR_WINHTTP_SECURE_FAILURE, the code WinHTTP documents for a
 * certificate it refuses. */
static HRESULT verify_server(PCCERT_CONTEXT cert, const WCHAR *host, ULONG flags)
{
    static char server_auth[] = szOID_PKIX_KP_SERVER_AUTH;
    char *usages[] = { server_auth };
    CERT_CHAIN_PARA para = { sizeof(para) };
    SSL_EXTRA_CERT_CHAIN_POLICY_PARA ssl;
    CERT_CHAIN_POLICY_PARA policy = { sizeof(policy) };
    CERT_CHAIN_POLICY_STATUS status = { sizeof(status) };
    PCCERT_CHAIN_CONTEXT chain = NULL;
    DWORD error, trust, ignore = CERT_TRUST_IS_NOT_TIME_NESTED;
    DWORD revocation = flags & BG_SSL_ENABLE_CRL_CHECK ? CERT_CHAIN_REVOCATION_CHECK_CHAIN_EXCLUDE_ROOT : 0;
    HRESULT refused = HRESULT_FROM_WIN32(ERROR_WINHTTP_SECURE_FAILURE);

    if (flags & BG_SSL_IGNORE_CERT_DATE_INVALID) ignore |= CERT_TRUST_IS_NOT_TIME_VALID;
    if (flags & BG_SSL_IGNORE_UNKNOWN_CA) ignore |= CERT_TRUST_IS_UNTRUSTED_ROOT | CERT_TRUST_IS_PARTIAL_CHAIN;
    if (flags & BG_SSL_IGNORE_CERT_WRONG_USAGE) ignore |= CERT_TRUST_IS_NOT_VALID_FOR_USAGE;
    if (!revocation) ignore |= CERT_TRUST_REVOCATION_STATUS_UNKNOWN | CERT_TRUST_IS_OFFLINE_REVOCATION;
    para.RequestedUsage.dwType = USAGE_MATCH_TYPE_AND;
    para.RequestedUsage.Usage.cUsageIdentifier = 1;
    para.RequestedUsage.Usage.rgpszUsageIdentifier = usages;
    if (!CertGetCertificateChain(NULL, cert, NULL, cert->hCertStore, &para, revocation, NULL, &chain))
        error = GetLastError();
    else
    {
        memset(&ssl, 0, sizeof(ssl));
        ssl.cbSize = sizeof(ssl);
        ssl.dwAuthType = AUTHTYPE_SERVER;
        ssl.pwszServerName = (WCHAR *)host;
        /* the same waivers for the policy (WinINet's SECURITY_FLAG_* values) */
        if (flags & BG_SSL_IGNORE_CERT_CN_INVALID) ssl.fdwChecks |= SECURITY_FLAG_IGNORE_CERT_CN_INVALID;
        if (flags & BG_SSL_IGNORE_CERT_DATE_INVALID) ssl.fdwChecks |= SECURITY_FLAG_IGNORE_CERT_DATE_INVALID;
        if (flags & BG_SSL_IGNORE_UNKNOWN_CA) ssl.fdwChecks |= SECURITY_FLAG_IGNORE_UNKNOWN_CA;
        if (flags & BG_SSL_IGNORE_CERT_WRONG_USAGE) ssl.fdwChecks |= SECURITY_FLAG_IGNORE_CERT_WRONG_USAGE;
        if (flags & BG_SSL_IGNORE_UNKNOWN_CA) policy.dwFlags |= CERT_CHAIN_POLICY_ALLOW_UNKNOWN_CA_FLAG;
        if (flags & BG_SSL_IGNORE_CERT_DATE_INVALID) policy.dwFlags |= CERT_CHAIN_POLICY_IGNORE_ALL_NOT_TIME_VALID_FLAGS;
        if (flags & BG_SSL_IGNORE_CERT_WRONG_USAGE) policy.dwFlags |= CERT_CHAIN_POLICY_IGNORE_WRONG_USAGE_FLAG;
        policy.pvExtraPolicyPara = &ssl;
        /* the chain's own errors first, as WinHTTP checks them: Wine's SSL
         * policy accepts a chain that ends at no root at all */
        trust = chain->TrustStatus.dwErrorStatus & ~ignore;
        if (trust & CERT_TRUST_IS_REVOKED)
            error = (DWORD)CRYPT_E_REVOKED, refused = HRESULT_FROM_WIN32(ERROR_WINHTTP_SECURE_CERT_REVOKED);
        else if (trust & (CERT_TRUST_REVOCATION_STATUS_UNKNOWN | CERT_TRUST_IS_OFFLINE_REVOCATION))
            error = (DWORD)CRYPT_E_REVOCATION_OFFLINE, refused = HRESULT_FROM_WIN32(ERROR_WINHTTP_SECURE_CERT_REV_FAILED);
        else if (trust & CERT_TRUST_IS_NOT_TIME_VALID) error = (DWORD)CERT_E_EXPIRED;
        else if (trust & (CERT_TRUST_IS_UNTRUSTED_ROOT | CERT_TRUST_IS_PARTIAL_CHAIN))
            error = (DWORD)CERT_E_UNTRUSTEDROOT;
        else if (trust)
            error = (DWORD)CERT_E_INVALID_POLICY;
        else
            error = CertVerifyCertificateChainPolicy(CERT_CHAIN_POLICY_SSL, chain, &policy, &status) ? status.dwError
                                                                                                      : GetLastError();
        CertFreeCertificateChain(chain);
    }
    OB_TRACE(NULL, L"https certificate of %ls %ls (0x%08lx, flags 0x%lx)", host, error ? L"refused" : L"accepted",
             (ULONG)error, flags);
    return error ? refused : S_OK;
}

/* CURLOPT_PREREQFUNCTION: the connection is up (TLS included), the request
 * not yet sent.  Every request's server is checked, a reused connection's
 * too; the last accepted certificate and host are remembered. */
static int on_prereq(void *context, char *primary_ip, char *local_ip, int primary_port, int local_port)
{
    ob_http_exchange *x = context;
    curl_backend *self = x->self;
    struct curl_tlssessioninfo *tls = NULL;
    PCCERT_CONTEXT cert = NULL;
    char *effective = NULL;
    WCHAR *url, *host = NULL;
    HRESULT hr = HRESULT_FROM_WIN32(ERROR_WINHTTP_SECURE_FAILURE);

    curl_easy_getinfo(self->easy, CURLINFO_EFFECTIVE_URL, &effective);
    if (!effective || _strnicmp(effective, "https:", 6)) return CURL_PREREQFUNC_OK;
    if ((url = widen(effective, strlen(effective)))) host = url_host(url);
    ob_str_free(url);
    if (host && !curl_easy_getinfo(self->easy, CURLINFO_TLS_SSL_PTR, &tls) && tls
        && tls->backend == CURLSSLBACKEND_SCHANNEL && tls->internals
        && QueryContextAttributesA((CtxtHandle *)tls->internals, SECPKG_ATTR_REMOTE_CERT_CONTEXT, &cert) == SEC_E_OK
        && cert)
    {
        if (self->verified && self->verified_host && !_wcsicmp(self->verified_host, host)
            && CertCompareCertificate(X509_ASN_ENCODING, cert->pCertInfo, self->verified->pCertInfo))
            hr = S_OK;
        else if (SUCCEEDED(hr = verify_server(cert, host, self->security_flags)))
        {
            if (self->verified) CertFreeCertificateContext(self->verified);
            ob_str_free(self->verified_host);
            self->verified = CertDuplicateCertificateContext(cert);
            self->verified_host = host;
            host = NULL;
        }
        /* the job's own check, with every request's certificate */
        if (SUCCEEDED(hr) && self->server_cert) hr = self->server_cert(self->server_cert_context, cert);
    }
    if (cert) CertFreeCertificateContext(cert);
    ob_str_free(host);
    if (SUCCEEDED(hr)) return CURL_PREREQFUNC_OK;
    x->verdict = hr;
    return CURL_PREREQFUNC_ABORT;
}

/* ---- proxies ------------------------------------------------------------- */

/* Case-insensitive match with '*' for any run of characters. */
static BOOL glob_match(const WCHAR *pattern, size_t length, const WCHAR *s)
{
    size_t i;
    if (!length) return !*s;
    if (*pattern == L'*')
    {
        for (i = 0;; i++)
        {
            if (glob_match(pattern + 1, length - 1, s + i)) return TRUE;
            if (!s[i]) return FALSE;
        }
    }
    return *s && towlower(*pattern) == towlower(*s) && glob_match(pattern + 1, length - 1, s + 1);
}

static BOOL is_separator(WCHAR c)
{
    return c == L';' || c == L' ' || c == L'\t' || c == L',' || c == L'\r' || c == L'\n';
}

/* The next entry of a list separated by ';', ',' or white space. */
static BOOL next_entry(const WCHAR **p, const WCHAR **start, size_t *length)
{
    while (**p && is_separator(**p)) (*p)++;
    for (*start = *p; **p && !is_separator(**p); (*p)++) {}
    *length = *p - *start;
    return *length != 0;
}

/* WinHTTP's bypass list: '*' wildcards, and "<local>" for names without a dot. */
static BOOL bypassed(const WCHAR *bypass, const WCHAR *host)
{
    const WCHAR *p = bypass, *start;
    size_t length;
    if (!bypass || !host) return FALSE;
    while (next_entry(&p, &start, &length))
    {
        if (length == 7 && !_wcsnicmp(start, L"<local>", 7))
        {
            if (!wcschr(host, L'.') && !wcschr(host, L':')) return TRUE;
        }
        else if (glob_match(start, length, host))
            return TRUE;
    }
    return FALSE;
}

/* The proxy of a WinHTTP proxy list ("[scheme=][http://]host[:port]"
 * entries) for a URL's scheme, as "http://host:port" (port 80 by default, as
 * WinHTTP's); NULL for none. */
static char *pick_proxy(const WCHAR *list, BOOL https)
{
    const WCHAR *p = list, *start, *any = NULL, *chosen = NULL;
    const WCHAR *scheme = https ? L"https=" : L"http=";
    size_t length, any_length = 0, chosen_length = 0;
    WCHAR text[600];
    while (p && !chosen && next_entry(&p, &start, &length))
    {
        if (!wmemchr(start, L'=', length))
        {
            if (!any) any = start, any_length = length;
        }
        else if (length > wcslen(scheme) && !_wcsnicmp(start, scheme, wcslen(scheme)))
            chosen = start + wcslen(scheme), chosen_length = length - wcslen(scheme);
    }
    if (!chosen) chosen = any, chosen_length = any_length;
    if (chosen && chosen_length > 7 && !_wcsnicmp(chosen, L"http://", 7)) chosen += 7, chosen_length -= 7;
    if (!chosen || !chosen_length || chosen_length + 16 > ARRAYSIZE(text)) return NULL;
    wcscpy(text, L"http://");
    wcsncat(text, chosen, chosen_length);
    /* a port after the host, not inside an IPv6 literal's brackets */
    if (!wcschr(wcsrchr(text, L']') ? wcsrchr(text, L']') : text + 7, L':')) wcscat(text, L":80");
    return to_utf8(text);
}

/* WPAD for this URL; FALSE when there is none (then direct from now on, as
 * the WinHTTP backend does). */
static BOOL autodetected_proxy(curl_backend *self, const WCHAR *url, WCHAR **list, WCHAR **bypass)
{
    WINHTTP_AUTOPROXY_OPTIONS detect = { 0 };
    WINHTTP_PROXY_INFO found = { 0 };
    BOOL ok;
    if (!self->wpad)
        self->wpad = WinHttpOpen(L"openbits", WINHTTP_ACCESS_TYPE_NO_PROXY, WINHTTP_NO_PROXY_NAME,
                                 WINHTTP_NO_PROXY_BYPASS, 0);
    detect.dwFlags = WINHTTP_AUTOPROXY_AUTO_DETECT;
    detect.dwAutoDetectFlags = WINHTTP_AUTO_DETECT_TYPE_DHCP | WINHTTP_AUTO_DETECT_TYPE_DNS_A;
    detect.fAutoLogonIfChallenged = TRUE;
    ok = self->wpad && WinHttpGetProxyForUrl(self->wpad, url, &detect, &found)
         && found.dwAccessType == WINHTTP_ACCESS_TYPE_NAMED_PROXY && found.lpszProxy;
    if (ok)
    {
        *list = ob_str_dup(found.lpszProxy);
        *bypass = found.lpszProxyBypass ? ob_str_dup(found.lpszProxyBypass) : NULL;
    }
    if (found.lpszProxy) GlobalFree(found.lpszProxy);
    if (found.lpszProxyBypass) GlobalFree(found.lpszProxyBypass);
    return ok;
}

/* The proxy for this URL as CURLOPT_PROXY wants it: "" for direct (which
 * also keeps libcurl from reading proxy environment variables). */
static char *proxy_for(curl_backend *self, const WCHAR *url)
{
    WCHAR *host = url_host(url), *list = NULL, *bypass = NULL;
    char *proxy = NULL;
    if (self->mode == PROXY_AUTODETECT && !autodetected_proxy(self, url, &list, &bypass))
        self->mode = PROXY_DIRECT;
    if (self->mode == PROXY_NAMED && !bypassed(self->proxy_bypass, host))
        proxy = pick_proxy(self->proxy_list, is_https(url));
    else if (list && !bypassed(bypass, host))
        proxy = pick_proxy(list, is_https(url));
    ob_str_free(list);
    ob_str_free(bypass);
    ob_str_free(host);
    return proxy ? proxy : to_utf8(L"");
}

static HRESULT set_named(curl_backend *self, const WCHAR *list, const WCHAR *bypass)
{
    HRESULT hr = ob_str_dup_opt(list, &self->proxy_list);
    self->mode = PROXY_NAMED;
    return SUCCEEDED(hr) ? ob_str_dup_opt(bypass, &self->proxy_bypass) : hr;
}

/* PRECONFIG: WinHTTP's own configuration (what the WinHTTP backend's
 * WINHTTP_ACCESS_TYPE_DEFAULT_PROXY uses), else the user's Internet Options:
 * a named proxy, or WPAD when they ask for detection or a script; else
 * direct. */
static HRESULT read_preconfig(curl_backend *self)
{
    WINHTTP_PROXY_INFO winhttp = { 0 };
    WINHTTP_CURRENT_USER_IE_PROXY_CONFIG ie = { 0 };
    HRESULT hr = S_OK;

    if (WinHttpGetDefaultProxyConfiguration(&winhttp) && winhttp.dwAccessType == WINHTTP_ACCESS_TYPE_NAMED_PROXY
        && winhttp.lpszProxy && winhttp.lpszProxy[0])
        hr = set_named(self, winhttp.lpszProxy, winhttp.lpszProxyBypass);
    else if (WinHttpGetIEProxyConfigForCurrentUser(&ie))
    {
        if (ie.lpszProxy && ie.lpszProxy[0]) hr = set_named(self, ie.lpszProxy, ie.lpszProxyBypass);
        else if (ie.fAutoDetect || (ie.lpszAutoConfigUrl && ie.lpszAutoConfigUrl[0])) self->mode = PROXY_AUTODETECT;
    }
    if (winhttp.lpszProxy) GlobalFree(winhttp.lpszProxy);
    if (winhttp.lpszProxyBypass) GlobalFree(winhttp.lpszProxyBypass);
    if (ie.lpszProxy) GlobalFree(ie.lpszProxy);
    if (ie.lpszProxyBypass) GlobalFree(ie.lpszProxyBypass);
    if (ie.lpszAutoConfigUrl) GlobalFree(ie.lpszAutoConfigUrl);
    return hr;
}

/* ---- callbacks ----------------------------------------------------------- */

/* Each header line of each response (100 Continue, the legs of a
 * handshake): a status line starts a new set. */
static size_t on_header(char *data, size_t size, size_t count, void *context)
{
    ob_http_exchange *x = context;
    size_t length = size * count;
    if (length >= 5 && !memcmp(data, "HTTP/", 5)) x->raw_size = 0, x->headers_done = FALSE;
    if (x->raw_size + length + 1 > x->raw_capacity)
    {
        size_t capacity = max(x->raw_capacity * 2, x->raw_size + length + 1024);
        char *grown = x->raw ? HeapReAlloc(GetProcessHeap(), 0, x->raw, capacity) : HeapAlloc(GetProcessHeap(), 0, capacity);
        if (!grown)
        {
            x->verdict = E_OUTOFMEMORY;
            return 0;
        }
        x->raw = grown;
        x->raw_capacity = capacity;
    }
    memcpy(x->raw + x->raw_size, data, length);
    x->raw_size += length;
    if ((length == 2 && data[0] == '\r') || (length == 1 && data[0] == '\n'))
    {
        long status = 0;
        curl_easy_getinfo(x->self->easy, CURLINFO_RESPONSE_CODE, &status);
        if (status >= 200) x->headers_done = TRUE;
    }
    return length;
}

/* The body: into the reader's buffer, the rest into the spill; a chunk that
 * finds the spill still full pauses the transfer until the reader drains it.
 * libcurl drops the bodies of the responses it answers itself. */
static size_t on_body(char *data, size_t size, size_t count, void *context)
{
    ob_http_exchange *x = context;
    size_t length = size * count;
    DWORD n = 0;
    x->body_started = TRUE;
    if (x->spill_read < x->spill_size)
    {
        x->paused = TRUE;
        return CURL_WRITEFUNC_PAUSE;
    }
    if (x->dest)
    {
        n = (DWORD)min(length, (size_t)(x->dest_size - x->dest_got));
        memcpy(x->dest + x->dest_got, data, n);
        x->dest_got += n;
    }
    if (n < length)
    {
        if (length - n > x->spill_capacity)
        {
            BYTE *grown = HeapAlloc(GetProcessHeap(), 0, length - n);
            if (!grown)
            {
                x->verdict = E_OUTOFMEMORY;
                return 0;
            }
            if (x->spill) HeapFree(GetProcessHeap(), 0, x->spill);
            x->spill = grown;
            x->spill_capacity = (DWORD)(length - n);
        }
        memcpy(x->spill, data + n, length - n);
        x->spill_size = (DWORD)(length - n);
        x->spill_read = 0;
    }
    return length;
}

/* ---- driving a transfer -------------------------------------------------- */

typedef BOOL (*until_fn)(const ob_http_exchange *x);

static BOOL until_headers(const ob_http_exchange *x) { return x->headers_done; }
static BOOL until_final(const ob_http_exchange *x) { return x->body_started; }
static BOOL until_bytes(const ob_http_exchange *x) { return x->dest_got > 0; }

/* Waits up to timeout_ms for what libcurl waits for (a socket readable or
 * writable, its own timer) or for cancel.  select() asks the socket's state
 * each time it is called, so no wake-up can be lost.  Without any socket
 * (a resolver thread at work) it waits for libcurl's timer, at most
 * IDLE_WAIT_MS. */
#define IDLE_WAIT_MS 50
static void wait_for_sockets(curl_backend *self, DWORD timeout_ms)
{
    fd_set readers, writers, errors;
    struct timeval tv;
    long curl_ms = -1;
    int most = -1;
    FD_ZERO(&readers);
    FD_ZERO(&writers);
    FD_ZERO(&errors);
    if (curl_multi_fdset(self->multi, &readers, &writers, &errors, &most)) most = -1;
    curl_multi_timeout(self->multi, &curl_ms);
    if (curl_ms >= 0 && (DWORD)curl_ms < timeout_ms) timeout_ms = (DWORD)curl_ms;
    if (most < 0 && timeout_ms > IDLE_WAIT_MS) timeout_ms = IDLE_WAIT_MS;
    if (!timeout_ms) return;
    if (self->wake != INVALID_SOCKET) FD_SET(self->wake, &readers);
    else if (timeout_ms > IDLE_WAIT_MS) timeout_ms = IDLE_WAIT_MS;   /* no wake socket: look at cancelled often */
    tv.tv_sec = timeout_ms / 1000;
    tv.tv_usec = (timeout_ms % 1000) * 1000;
    if (readers.fd_count || writers.fd_count || errors.fd_count)
        select(0, readers.fd_count ? &readers : NULL, writers.fd_count ? &writers : NULL,
               errors.fd_count ? &errors : NULL, &tv);
    else
        Sleep(timeout_ms);
}

/* Runs the transfer until the condition holds, it ends, a callback stops it,
 * cancel comes (E_ABORT) or timeout_ms pass (ERROR_WINHTTP_TIMEOUT). */
static HRESULT drive(ob_http_exchange *x, until_fn until, DWORD timeout_ms)
{
    curl_backend *self = x->self;
    ULONGLONG deadline = GetTickCount64() + timeout_ms;
    for (;;)
    {
        CURLMsg *message;
        ULONGLONG now;
        int running, left;
        if (self->cancelled) return E_ABORT;
        if (curl_multi_perform(self->multi, &running)) return E_OUTOFMEMORY;
        while ((message = curl_multi_info_read(self->multi, &left)))
            if (message->msg == CURLMSG_DONE)
            {
                x->done = TRUE;
                x->result = message->data.result;
            }
        if (self->cancelled) return E_ABORT;
        if (FAILED(x->verdict)) return x->verdict;
        if (until(x) || x->done) return S_OK;
        if ((now = GetTickCount64()) >= deadline) return HRESULT_FROM_WIN32(ERROR_WINHTTP_TIMEOUT);
        wait_for_sockets(self, (DWORD)(deadline - now));
    }
}

/* The transfer's end as an error, or S_OK for a complete one. */
static HRESULT ending(ob_http_exchange *x)
{
    if (FAILED(x->verdict)) return x->verdict;
    return curl_failure(x->self->easy, x->result);
}

static void set_auth(ob_http_exchange *x)
{
    CURL *easy = x->self->easy;
    if (x->auth)
    {
        curl_easy_setopt(easy, CURLOPT_HTTPAUTH, x->auth);
        curl_easy_setopt(easy, CURLOPT_USERNAME, x->user);
        curl_easy_setopt(easy, CURLOPT_PASSWORD, x->password);
    }
    if (x->proxy_auth)
    {
        curl_easy_setopt(easy, CURLOPT_PROXYAUTH, x->proxy_auth);
        curl_easy_setopt(easy, CURLOPT_PROXYUSERNAME, x->proxy_user);
        curl_easy_setopt(easy, CURLOPT_PROXYPASSWORD, x->proxy_password);
    }
}

/* Every option of the exchange's request, from a clean handle (which keeps
 * its connections). */
static void set_request(ob_http_exchange *x)
{
    curl_backend *self = x->self;
    CURL *easy = self->easy;
    curl_easy_reset(easy);
    curl_easy_setopt(easy, CURLOPT_URL, x->url);
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, CURLOPT_USERAGENT, OB_HTTP_USER_AGENT);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_QUICK_EXIT, 1L);   /* never wait for a resolver thread */
    curl_easy_setopt(easy, CURLOPT_BUFFERSIZE, (long)OB_TRANSPORT_BLOCK);
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, (long)self->connect_timeout_ms);
    curl_easy_setopt(easy, CURLOPT_PROXY, x->proxy);
    /* checked by on_prereq against the system store (Wine's Schannel does not) */
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 0L);
    if (self->client_cert) curl_easy_setopt(easy, CURLOPT_SSLCERT, self->client_cert);
    curl_easy_setopt(easy, CURLOPT_PREREQFUNCTION, on_prereq);
    curl_easy_setopt(easy, CURLOPT_PREREQDATA, x);
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, x);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, x);
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, x->headers);
    if (x->head)
        curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
    else if (!strcmp(x->verb, "GET") && !x->body)
        curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
    else
    {
        curl_easy_setopt(easy, CURLOPT_POST, 1L);
        curl_easy_setopt(easy, CURLOPT_POSTFIELDS, x->body ? (char *)x->body->data : "");
        curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(x->body ? x->body_size : 0));
        curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, x->verb);
    }
    set_auth(x);
}

static void reset_response(ob_http_exchange *x)
{
    x->raw_size = 0;
    x->headers_done = x->body_started = x->done = x->paused = FALSE;
    x->result = CURLE_OK;
    x->verdict = S_OK;
    x->spill_size = x->spill_read = 0;
}

/* Starts the request afresh and waits for its final response. */
static HRESULT start(ob_http_exchange *x, until_fn until, DWORD *status)
{
    curl_backend *self = x->self;
    long code = 0;
    HRESULT hr;
    if (x->added) curl_multi_remove_handle(self->multi, self->easy);
    x->added = FALSE;
    reset_response(x);
    set_request(x);
    if (curl_multi_add_handle(self->multi, self->easy)) return E_OUTOFMEMORY;
    x->added = TRUE;
    hr = drive(x, until, self->connect_timeout_ms + self->send_timeout_ms + self->receive_timeout_ms);
    /* ended before a final response: its failure, or a server that sent none */
    if (SUCCEEDED(hr) && !x->headers_done && SUCCEEDED(hr = ending(x)))
        hr = HRESULT_FROM_WIN32(ERROR_WINHTTP_INVALID_SERVER_RESPONSE);
    if (FAILED(hr)) return hr;
    curl_easy_getinfo(self->easy, CURLINFO_RESPONSE_CODE, &code);
    *status = (DWORD)code;
    return S_OK;
}

/* ---- the backend's operations -------------------------------------------- */

static void curl_finish(ob_http_exchange *x)
{
    if (!x) return;
    if (x->added) curl_multi_remove_handle(x->self->multi, x->self->easy);
    curl_easy_reset(x->self->easy);    /* no option may point at what is freed here */
    curl_slist_free_all(x->headers);
    if (x->body) ob_buffer_release(x->body);
    free_utf8(x->url, FALSE);
    free_utf8(x->verb, FALSE);
    free_utf8(x->proxy, FALSE);
    free_utf8(x->user, TRUE);
    free_utf8(x->password, TRUE);
    free_utf8(x->proxy_user, TRUE);
    free_utf8(x->proxy_password, TRUE);
    if (x->raw) HeapFree(GetProcessHeap(), 0, x->raw);
    if (x->spill) HeapFree(GetProcessHeap(), 0, x->spill);
    HeapFree(GetProcessHeap(), 0, x);
}

static BOOL append_header(struct curl_slist **list, const char *line)
{
    struct curl_slist *grown = curl_slist_append(*list, line);
    if (grown) *list = grown;
    return grown != NULL;
}

/* CRLF-separated "Name: value" lines into the list. */
static BOOL append_headers(struct curl_slist **list, const WCHAR *headers)
{
    const WCHAR *p = headers;
    while (p && *p)
    {
        const WCHAR *end = p;
        WCHAR *line;
        char *text;
        BOOL ok;
        while (*end && *end != L'\r' && *end != L'\n') end++;
        if (end > p)
        {
            if (!(line = HeapAlloc(GetProcessHeap(), 0, (end - p + 1) * sizeof(WCHAR)))) return FALSE;
            memcpy(line, p, (end - p) * sizeof(WCHAR));
            line[end - p] = 0;
            text = to_utf8(line);
            ob_str_free(line);
            ok = text && append_header(list, text);
            free_utf8(text, FALSE);
            if (!ok) return FALSE;
        }
        for (p = end; *p == L'\r' || *p == L'\n'; p++) {}
    }
    return TRUE;
}

static HRESULT curl_send(ob_http_backend *backend, const ob_http_request *request, ob_http_exchange **out,
                         DWORD *status)
{
    curl_backend *self = (curl_backend *)backend;
    ob_http_exchange *x;
    HRESULT hr;

    *out = NULL;
    if (self->cancelled) return E_ABORT;
    if (!(x = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, sizeof(*x)))) return E_OUTOFMEMORY;
    x->self = self;
    x->head = !_wcsicmp(request->verb, L"HEAD");
    if (request->body)
    {
        ob_buffer_addref(request->body);
        x->body = request->body;
        x->body_size = request->body_size;
    }
    /* no 100-continue round trip (WinHTTP waits for none) and no form
     * content type on a body libcurl would otherwise add */
    if (!(x->url = to_utf8(request->url)) || !(x->verb = to_utf8(request->verb))
        || !(x->proxy = proxy_for(self, request->url)) || !append_header(&x->headers, "Expect:")
        || (!x->head && !append_header(&x->headers, "Content-Type:")) || !append_headers(&x->headers, request->headers))
        hr = E_OUTOFMEMORY;
    else
        hr = start(x, until_headers, status);
    if (FAILED(hr))
    {
        curl_finish(x);
        return hr;
    }
    *out = x;
    return S_OK;
}

static BOOL header_line(const char *raw, size_t size, const char *name, const char **value, size_t *length)
{
    size_t n = strlen(name), i = 0;
    while (i < size)
    {
        size_t end = i;
        while (end < size && raw[end] != '\r' && raw[end] != '\n') end++;
        if (end - i > n && raw[i + n] == ':' && !_strnicmp(raw + i, name, n))
        {
            size_t start = i + n + 1;
            while (start < end && (raw[start] == ' ' || raw[start] == '\t')) start++;
            while (end > start && (raw[end - 1] == ' ' || raw[end - 1] == '\t')) end--;
            *value = raw + start;
            *length = end - start;
            return TRUE;
        }
        for (i = end; i < size && (raw[i] == '\r' || raw[i] == '\n'); i++) {}
    }
    return FALSE;
}

static BOOL curl_header(ob_http_exchange *x, const WCHAR *name, WCHAR *text, DWORD chars)
{
    char ascii[128];
    const char *value;
    size_t length, i;
    if (WideCharToMultiByte(CP_UTF8, 0, name, -1, ascii, sizeof(ascii), NULL, NULL) <= 0) return FALSE;
    if (!x->raw || !header_line(x->raw, x->raw_size, ascii, &value, &length) || length + 1 > chars) return FALSE;
    for (i = 0; i < length; i++) text[i] = (BYTE)value[i];
    text[length] = 0;
    return TRUE;
}

static HRESULT curl_raw_headers(ob_http_exchange *x, WCHAR **out)
{
    return (*out = widen(x->raw ? x->raw : "", x->raw_size)) ? S_OK : E_OUTOFMEMORY;
}

static BG_AUTH_SCHEME scheme_named(const char *s, size_t length, BOOL *known)
{
    static const struct { const char *name; BG_AUTH_SCHEME scheme; } schemes[] = {
        { "Basic", BG_AUTH_SCHEME_BASIC }, { "Digest", BG_AUTH_SCHEME_DIGEST }, { "NTLM", BG_AUTH_SCHEME_NTLM },
        { "Negotiate", BG_AUTH_SCHEME_NEGOTIATE }, { "Passport1.4", BG_AUTH_SCHEME_PASSPORT },
    };
    size_t i;
    for (i = 0; i < ARRAYSIZE(schemes); i++)
        if (strlen(schemes[i].name) == length && !_strnicmp(s, schemes[i].name, length))
        {
            *known = TRUE;
            return schemes[i].scheme;
        }
    *known = FALSE;
    return BG_AUTH_SCHEME_BASIC;
}

/* The schemes of every WWW-Authenticate (or Proxy-Authenticate) line, the
 * first one preferred, as WinHttpQueryAuthSchemes reports them. */
static BOOL curl_challenge(ob_http_exchange *x, BG_AUTH_TARGET target, ULONG *offered, BG_AUTH_SCHEME *preferred)
{
    const char *name = target == BG_AUTH_TARGET_PROXY ? "Proxy-Authenticate" : "WWW-Authenticate";
    size_t i = 0, n = strlen(name);
    *offered = 0;
    while (x->raw && i < x->raw_size)
    {
        size_t end = i;
        while (end < x->raw_size && x->raw[end] != '\r' && x->raw[end] != '\n') end++;
        if (end - i > n && x->raw[i + n] == ':' && !_strnicmp(x->raw + i, name, n))
        {
            size_t start = i + n + 1, word;
            BG_AUTH_SCHEME scheme;
            BOOL known;
            while (start < end && x->raw[start] == ' ') start++;
            for (word = start; word < end && x->raw[word] != ' ' && x->raw[word] != ','; word++) {}
            scheme = scheme_named(x->raw + start, word - start, &known);
            if (known)
            {
                if (!*offered) *preferred = scheme;
                *offered |= OB_HTTP_SCHEME_BIT(scheme);
            }
        }
        for (i = end; i < x->raw_size && (x->raw[i] == '\r' || x->raw[i] == '\n'); i++) {}
    }
    return *offered != 0;
}

/* Digest is openbits' own (resend): libcurl with Schannel would do it only
 * through SSPI's WDigest package, which Wine lacks. */
static unsigned long curl_scheme(BG_AUTH_SCHEME scheme)
{
    switch (scheme)
    {
    case BG_AUTH_SCHEME_BASIC: return CURLAUTH_BASIC;
    case BG_AUTH_SCHEME_NTLM: return CURLAUTH_NTLM;
    case BG_AUTH_SCHEME_NEGOTIATE: return CURLAUTH_NEGOTIATE;
    default: return 0;         /* Passport: libcurl has none */
    }
}

/* The request again with the credential; libcurl runs the scheme's legs
 * (NTLM's and Negotiate's SSPI tokens) on its connection and
 * drops the bodies of the intermediate answers, so the final response is
 * the one whose body begins, or the last one when the transfer ends.  NTLM
 * and Negotiate without a user name use the logged-on user (SSPI). */
static HRESULT curl_answer(ob_http_exchange *x, const ob_transport_credential *credential, DWORD *status)
{
    BOOL proxy = credential->target == BG_AUTH_TARGET_PROXY;
    unsigned long scheme = curl_scheme(credential->scheme);
    char **user = proxy ? &x->proxy_user : &x->user, **password = proxy ? &x->proxy_password : &x->password;
    if (x->self->cancelled) return E_ABORT;
    if (!scheme) return S_OK;  /* nothing to answer with: the challenge stands */
    free_utf8(*user, TRUE);
    free_utf8(*password, TRUE);
    *user = to_utf8(credential->user);
    *password = to_utf8(credential->password);
    if (!*user || !*password) return E_OUTOFMEMORY;
    if (proxy) x->proxy_auth = scheme;
    else x->auth = scheme;
    return start(x, until_final, status);
}

/* TRUE when the CRLF separated lines name the header of line ("Name: ..."). */
static BOOL named_in(const WCHAR *lines, const char *line)
{
    const char *colon = strchr(line, ':');
    size_t n = colon ? (size_t)(colon - line) : strlen(line), i;
    const WCHAR *p = lines;
    while (*p)
    {
        for (i = 0; i < n && p[i] && (WCHAR)tolower((BYTE)line[i]) == towlower(p[i]); i++) {}
        if (i == n && p[i] == L':') return TRUE;
        while (*p && *p != L'\n') p++;
        while (*p == L'\r' || *p == L'\n') p++;
    }
    return FALSE;
}

/* The request again with headers replaced or added, the credentials
 * answered with kept. */
static HRESULT curl_resend(ob_http_exchange *x, const WCHAR *headers, DWORD *status)
{
    struct curl_slist *kept = NULL, *item;
    if (x->self->cancelled) return E_ABORT;
    for (item = x->headers; item; item = item->next)
        if (!named_in(headers, item->data) && !append_header(&kept, item->data)) break;
    if (item || !append_headers(&kept, headers))
    {
        curl_slist_free_all(kept);
        return E_OUTOFMEMORY;
    }
    curl_slist_free_all(x->headers);
    x->headers = kept;
    return start(x, until_final, status);
}

static HRESULT curl_read(ob_http_exchange *x, BYTE *buffer, DWORD size, DWORD *got)
{
    HRESULT hr;
    *got = 0;
    if (!size) return S_OK;
    if (x->spill_read < x->spill_size)
    {
        *got = min(size, x->spill_size - x->spill_read);
        memcpy(buffer, x->spill + x->spill_read, *got);
        x->spill_read += *got;
        return S_OK;
    }
    if (x->head) return S_OK;
    x->dest = buffer;
    x->dest_size = size;
    x->dest_got = 0;
    if (x->paused)
    {
        /* hands what libcurl held back to on_body, into buffer */
        x->paused = FALSE;
        curl_easy_pause(x->self->easy, CURLPAUSE_CONT);
    }
    hr = x->done ? S_OK : drive(x, until_bytes, x->self->receive_timeout_ms);
    x->dest = NULL;
    *got = x->dest_got;
    if (*got || FAILED(hr)) return *got ? S_OK : hr;
    return ending(x);
}

static void curl_cancel(ob_http_backend *backend)
{
    curl_backend *self = (curl_backend *)backend;
    static const char byte = 1;
    InterlockedExchange(&self->cancelled, 1);
    if (self->wake != INVALID_SOCKET) send(self->wake, &byte, 1, 0);
}

static void curl_close(ob_http_backend *backend)
{
    curl_backend *self = (curl_backend *)backend;
    if (self->easy) curl_easy_cleanup(self->easy);
    if (self->multi) curl_multi_cleanup(self->multi);
    if (self->wake != INVALID_SOCKET) closesocket(self->wake);
    if (self->wpad) WinHttpCloseHandle(self->wpad);
    if (self->verified) CertFreeCertificateContext(self->verified);
    ob_str_free(self->verified_host);
    free_utf8(self->client_cert, FALSE);
    ob_str_free(self->proxy_list);
    ob_str_free(self->proxy_bypass);
    HeapFree(GetProcessHeap(), 0, self);
}

static const ob_http_backend_ops curl_ops = {
    curl_send, curl_challenge, curl_answer, curl_resend, curl_header, curl_raw_headers, curl_read, curl_finish,
    curl_cancel, curl_close,
};

/* A UDP socket connected to itself on loopback: cancel's one byte makes it
 * readable for good (nobody reads it).  INVALID_SOCKET if the system gives
 * none; the waits then look at the cancelled flag every IDLE_WAIT_MS. */
static SOCKET open_wake_socket(void)
{
    struct sockaddr_in address = { 0 };
    int length = sizeof(address);
    u_long nonblocking = 1;
    SOCKET s = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
    if (s == INVALID_SOCKET) return s;
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(s, (struct sockaddr *)&address, sizeof(address)) || getsockname(s, (struct sockaddr *)&address, &length)
        || connect(s, (struct sockaddr *)&address, sizeof(address)) || ioctlsocket(s, FIONBIO, &nonblocking))
    {
        closesocket(s);
        return INVALID_SOCKET;
    }
    return s;
}

HRESULT ob_curl_backend_open(const ob_http_backend_config *config, ob_http_backend **out)
{
    curl_backend *self;
    HRESULT hr = S_OK;

    *out = NULL;
    InitOnceExecuteOnce(&curl_once, init_curl, NULL, NULL);
    if (curl_init_result) return E_FAIL;
    if (!(self = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, sizeof(*self)))) return E_OUTOFMEMORY;
    self->base.ops = &curl_ops;
    self->wake = open_wake_socket();
    self->connect_timeout_ms = config->connect_timeout_ms;
    self->send_timeout_ms = config->send_timeout_ms;
    self->receive_timeout_ms = config->receive_timeout_ms;
    self->security_flags = config->security_flags;
    self->server_cert = config->server_cert;
    self->server_cert_context = config->server_cert_context;
    if (config->client_cert)
    {
        WCHAR *path = ob_cert_schannel_path(config->client_cert->location, config->client_cert->store,
                                            config->client_cert->hash);
        self->client_cert = path ? to_utf8(path) : NULL;
        ob_str_free(path);
        if (!self->client_cert) hr = E_OUTOFMEMORY;
    }
    if (FAILED(hr)) {}
    else if (!(self->multi = curl_multi_init()) || !(self->easy = curl_easy_init())) hr = E_OUTOFMEMORY;
    else if (config->proxy_usage == BG_JOB_PROXY_USAGE_PRECONFIG) hr = read_preconfig(self);
    else if (config->proxy_usage == BG_JOB_PROXY_USAGE_OVERRIDE) hr = set_named(self, config->proxy_list, config->proxy_bypass);
    else if (config->proxy_usage == BG_JOB_PROXY_USAGE_AUTODETECT) self->mode = PROXY_AUTODETECT;
    if (FAILED(hr))
    {
        curl_close(&self->base);
        return hr;
    }
    *out = &self->base;
    return S_OK;
}
