#include "http_support.h"
#include <winhttp.h>
#include <stdio.h>
#include <stdlib.h>
#include <wincrypt.h>

#define URL_CHARS 2048

static unsigned read_port(const char *variable, const char *fixture)
{
    char name[MAX_PATH], text[16] = { 0 };
    DWORD got = 0;
    HANDLE file;
    unsigned long port;

    if (!GetEnvironmentVariableA(variable, name, sizeof(name)))
        fail_msg("%s is not set: run this test through CTest (fixture %s)", variable, fixture);
    file = CreateFileA(name, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_DELETE, NULL, OPEN_EXISTING, 0, NULL);
    if (file == INVALID_HANDLE_VALUE)
        fail_msg("cannot open the HTTP server's port file %s (error %lu): is the server running?", name,
                 GetLastError());
    ReadFile(file, text, sizeof(text) - 1, &got, NULL);
    CloseHandle(file);
    port = strtoul(text, NULL, 10);
    if (!port || port > 65535) fail_msg("no port number in %s", name);
    return (unsigned)port;
}

unsigned ts_http_port(void)
{
    static unsigned port;
    if (!port) port = read_port("OPENBITS_TEST_PORT_FILE", "http_server");
    return port;
}

static unsigned https_port(void)
{
    static unsigned port;
    if (!port) port = read_port("OPENBITS_TEST_TLS_PORT_FILE", "https_server");
    return port;
}

static const WCHAR *make_url(const char *scheme_and_host, unsigned port, const char *path_and_query)
{
    static WCHAR buffers[64][URL_CHARS];
    static int next;
    WCHAR *out = buffers[next++ % 64];
    swprintf(out, URL_CHARS, L"%hs:%u%hs", scheme_and_host, port, path_and_query);
    return out;
}

const WCHAR *ts_http_url(const char *path_and_query)
{
    return make_url("http://127.0.0.1", ts_http_port(), path_and_query);
}

const WCHAR *ts_upload_url(const char *path_and_query)
{
    static unsigned port;
    if (!port) port = read_port("OPENBITS_TEST_UPLOAD_PORT_FILE", "bits_upload_server");
    return make_url("http://127.0.0.1", port, path_and_query);
}

static BYTE *read_body(HINTERNET request, DWORD *size)
{
    BYTE *body = NULL, *grown;
    DWORD got;

    *size = 0;
    for (;;)
    {
        if (!(grown = realloc(body, *size + 65536))) break;
        body = grown;
        if (!WinHttpReadData(request, body + *size, 65536, &got) || !got) break;
        *size += got;
    }
    return body;
}

BYTE *ts_http_get(const WCHAR *url, DWORD *size)
{
    URL_COMPONENTS parts = { sizeof(parts) };
    WCHAR host[256], path[2048];
    HINTERNET session, connect = NULL, request = NULL;
    DWORD status = 0, length = sizeof(status);
    BYTE *body = NULL;

    parts.lpszHostName = host;
    parts.dwHostNameLength = ARRAYSIZE(host);
    parts.lpszUrlPath = path;
    parts.dwUrlPathLength = ARRAYSIZE(path);
    if (!WinHttpCrackUrl(url, 0, 0, &parts)) fail_msg("bad URL %ls", url);
    session = WinHttpOpen(L"openbits-test", WINHTTP_ACCESS_TYPE_NO_PROXY, NULL, NULL, 0);
    if (session) connect = WinHttpConnect(session, host, parts.nPort, 0);
    if (connect) request = WinHttpOpenRequest(connect, L"GET", path, NULL, NULL, NULL, 0);
    if (request && WinHttpSendRequest(request, NULL, 0, NULL, 0, 0, 0) && WinHttpReceiveResponse(request, NULL) &&
        WinHttpQueryHeaders(request, WINHTTP_QUERY_STATUS_CODE | WINHTTP_QUERY_FLAG_NUMBER, NULL, &status, &length,
                            NULL) &&
        status == 200)
        body = read_body(request, size);
    if (request) WinHttpCloseHandle(request);
    if (connect) WinHttpCloseHandle(connect);
    if (session) WinHttpCloseHandle(session);
    return body;
}

ULONG ts_upload_stats_count(const char *path, const char *text)
{
    char query[512];
    const char *at;
    DWORD size = 0;
    BYTE *stats;
    ULONG n = 0;

    snprintf(query, sizeof(query), "/stats%s%s", path ? "?path=" : "", path ? path : "");
    if (!(stats = ts_http_get(ts_upload_url(query), &size))) return 0;
    stats = realloc(stats, size + 1);
    stats[size] = 0;
    for (at = (char *)stats; (at = strstr(at, text)); at += strlen(text)) n++;
    free(stats);
    return n;
}

BOOL ts_upload_stats_wait(const char *path, const char *text, ULONG count)
{
    ULONGLONG until = GetTickCount64() + 30000;
    while (ts_upload_stats_count(path, text) < count && GetTickCount64() < until) Sleep(20);
    return ts_upload_stats_count(path, text) >= count;
}

/* localhost, not 127.0.0.1: Wine's SSL policy matches only DNS names of the
 * subjectAltName, so an IP address never matches (ERROR_WINHTTP_SECURE_CERT_CN_INVALID).
 * Wine's WinHTTP resolves IPv4 first, and the server listens on 127.0.0.1. */
const WCHAR *ts_https_url(const char *path_and_query)
{
    return make_url("https://localhost", https_port(), path_and_query);
}

const WCHAR *ts_bad_https_url(const char *which, const char *path_and_query)
{
    char variable[64], fixture[64];
    snprintf(variable, sizeof(variable), "OPENBITS_TEST_TLS_%s_PORT_FILE", which);
    snprintf(fixture, sizeof(fixture), "https_%s_server (lower case)", which);
    return make_url("https://localhost", read_port(variable, fixture), path_and_query);
}

BOOL ts_bad_https_server_saw(const char *which, const char *text)
{
    char variable[64], name[MAX_PATH], *log;
    DWORD size, got = 0;
    HANDLE file;
    BOOL saw;

    snprintf(variable, sizeof(variable), "OPENBITS_TEST_TLS_%s_LOG", which);
    if (!GetEnvironmentVariableA(variable, name, sizeof(name))) fail_msg("%s is not set: run this test through CTest", variable);
    file = CreateFileA(name, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL, OPEN_EXISTING,
                       0, NULL);
    if (file == INVALID_HANDLE_VALUE) return FALSE;   /* no request logged yet */
    size = GetFileSize(file, NULL);
    log = calloc(1, size + 1);
    ReadFile(file, log, size, &got, NULL);
    CloseHandle(file);
    saw = strstr(log, text) != NULL;
    free(log);
    return saw;
}

/* ---- the test CA ---- */

static PCCERT_CONTEXT load_test_ca(void)
{
    char name[MAX_PATH], pem[16384];
    BYTE der[8192];
    DWORD got = 0, size = sizeof(der);
    HANDLE file;
    PCCERT_CONTEXT ca;

    if (!GetEnvironmentVariableA("OPENBITS_TEST_TLS_CA_FILE", name, sizeof(name)))
        fail_msg("OPENBITS_TEST_TLS_CA_FILE is not set: run this test through CTest (fixture https_server)");
    file = CreateFileA(name, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    if (file == INVALID_HANDLE_VALUE) fail_msg("cannot open the test CA %s (error %lu)", name, GetLastError());
    ReadFile(file, pem, sizeof(pem), &got, NULL);
    CloseHandle(file);
    if (!CryptStringToBinaryA(pem, got, CRYPT_STRING_BASE64HEADER, der, &size, NULL, NULL))
        fail_msg("no PEM certificate in %s (error %lu)", name, GetLastError());
    ca = CertCreateCertificateContext(X509_ASN_ENCODING, der, size);
    if (!ca) fail_msg("cannot decode the certificate in %s (error %lu)", name, GetLastError());
    return ca;
}

/* The registry store itself: under Wine, CERT_STORE_PROV_SYSTEM_W's Root is a
 * collection (user + machine) from which a delete succeeds but is not kept. */
static HCERTSTORE open_user_root(void)
{
    HCERTSTORE root = CertOpenStore(CERT_STORE_PROV_SYSTEM_REGISTRY_W, 0, 0, CERT_SYSTEM_STORE_CURRENT_USER, L"Root");
    if (!root) fail_msg("cannot open the current user's Root store (error %lu)", GetLastError());
    return root;
}

void ts_trust_test_ca(void)
{
    PCCERT_CONTEXT ca = load_test_ca();
    HCERTSTORE root = open_user_root();
    if (!CertAddCertificateContextToStore(root, ca, CERT_STORE_ADD_REPLACE_EXISTING, NULL))
        fail_msg("cannot add the test CA to the Root store (error %lu)", GetLastError());
    CertCloseStore(root, 0);
    CertFreeCertificateContext(ca);
}

void ts_distrust_test_ca(void)
{
    PCCERT_CONTEXT ca = load_test_ca();
    HCERTSTORE root = open_user_root();
    PCCERT_CONTEXT found;
    while ((found = CertFindCertificateInStore(root, X509_ASN_ENCODING, 0, CERT_FIND_EXISTING, ca, NULL)))
        if (!CertDeleteCertificateFromStore(found)) /* frees found, even on failure */
            fail_msg("cannot remove the test CA from the Root store (error %lu)", GetLastError());
    CertCloseStore(root, 0);
    CertFreeCertificateContext(ca);
}

unsigned char ts_pattern_byte(UINT64 i)
{
    return (unsigned char)(i * 7 + i / 251);
}

static BOOL chunk_has_pattern(const BYTE *data, DWORD size, UINT64 offset)
{
    DWORD i;
    for (i = 0; i < size; i++)
        if (data[i] != ts_pattern_byte(offset + i)) return FALSE;
    return TRUE;
}

static BOOL stream_has_pattern(HANDLE file, UINT64 size)
{
    enum { CHUNK = 1 << 20 };
    BYTE *data = malloc(CHUNK);
    UINT64 offset = 0;
    DWORD got = 0;
    BOOL ok = data != NULL;
    while (ok && offset < size)
    {
        ok = ReadFile(file, data, CHUNK, &got, NULL) && got && chunk_has_pattern(data, got, offset);
        offset += got;
    }
    free(data);
    return ok;
}

BOOL ts_file_has_pattern(const WCHAR *path, UINT64 size)
{
    HANDLE file = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                              OPEN_EXISTING, FILE_FLAG_SEQUENTIAL_SCAN, NULL);
    LARGE_INTEGER actual;
    BOOL ok;
    if (file == INVALID_HANDLE_VALUE) return FALSE;
    ok = GetFileSizeEx(file, &actual) && (UINT64)actual.QuadPart == size && stream_has_pattern(file, size);
    CloseHandle(file);
    return ok;
}

BOOL ts_bytes_have_pattern(const BYTE *data, UINT64 size)
{
    return size <= MAXDWORD && chunk_has_pattern(data, (DWORD)size, 0);
}

void ts_write_pattern_file(const WCHAR *path, DWORD size)
{
    BYTE *bytes = malloc(size ? size : 1);
    DWORD i;
    assert_non_null(bytes);
    for (i = 0; i < size; i++) bytes[i] = ts_pattern_byte(i);
    ts_write_file(path, bytes, size);
    free(bytes);
}
