/* A bare synchronous WinHTTP upload loop over the BITS Upload Protocol, the
 * baseline for openbits' uploads: BITS_POST Create-Session, Fragments read
 * from the local file, Close-Session, on one connection.
 *
 *   bench_upload_winhttp.exe <url> <local-file> [--fragment BYTES]
 *
 * Each Fragment is --fragment bytes (default 1 MiB, as openbits sends) read
 * with ReadFile and handed to WinHttpSendRequest as the request body;
 * Content-Name goes on the first.  The happy path only: any answer other
 * than the expected Ack is a failure (no resync, no retry).
 *
 * Prints "result winhttp_upload bytes=N seconds=S mib_per_s=R"; the clock
 * runs from the Create-Session request to the Close-Session Ack. */
#include <stdlib.h>
#include <string.h>
#include <windows.h>
#include <winhttp.h>
#include "bench_util.h"

#define DEFAULT_FRAGMENT (1024 * 1024)
#define MAX_FRAGMENT (256 * 1024 * 1024)   /* the test server's largest request body */
#define PROTOCOL L"{7df0354d-249b-430f-820d-3d2a9bef4931}"
#define HEADERS_CHARS 1024
#define SESSION_CHARS 128

typedef struct uploader {
    HINTERNET session, connection;
    WCHAR path[2048];
    BOOL secure;
    WCHAR session_id[SESSION_CHARS];
    const WCHAR *content_name;
} uploader;

/* What came back for one packet. */
typedef struct ack {
    DWORD status;
    WCHAR *raw;                /* raw headers, CRLF separated; free() it */
} ack;

static void fail(const char *what)
{
    fprintf(stderr, "bench_upload_winhttp: %s (error %lu)\n", what, GetLastError());
}

/* ---- the connection ---- */

static BOOL connect_to(const WCHAR *url, uploader *u)
{
    URL_COMPONENTS parts = { sizeof(parts) };
    WCHAR host[256];

    parts.lpszHostName = host;
    parts.dwHostNameLength = ARRAYSIZE(host);
    parts.lpszUrlPath = u->path;
    parts.dwUrlPathLength = ARRAYSIZE(u->path);
    if (!WinHttpCrackUrl(url, 0, 0, &parts)) return FALSE;
    u->secure = parts.nScheme == INTERNET_SCHEME_HTTPS;
    u->session = WinHttpOpen(L"openbits-bench/1.0", WINHTTP_ACCESS_TYPE_NO_PROXY, WINHTTP_NO_PROXY_NAME,
                             WINHTTP_NO_PROXY_BYPASS, 0);
    if (!u->session) return FALSE;
    u->connection = WinHttpConnect(u->session, host, parts.nPort, 0);
    return u->connection != NULL;
}

static void disconnect(uploader *u)
{
    if (u->connection) WinHttpCloseHandle(u->connection);
    if (u->session) WinHttpCloseHandle(u->session);
}

/* ---- one packet ---- */

static WCHAR *raw_headers(HINTERNET request)
{
    DWORD size = 0;
    WCHAR *raw;

    WinHttpQueryHeaders(request, WINHTTP_QUERY_RAW_HEADERS_CRLF, WINHTTP_HEADER_NAME_BY_INDEX, NULL, &size,
                        WINHTTP_NO_HEADER_INDEX);
    if (GetLastError() != ERROR_INSUFFICIENT_BUFFER || !(raw = malloc(size + sizeof(WCHAR)))) return NULL;
    if (!WinHttpQueryHeaders(request, WINHTTP_QUERY_RAW_HEADERS_CRLF, WINHTTP_HEADER_NAME_BY_INDEX, raw, &size,
                             WINHTTP_NO_HEADER_INDEX)) {
        free(raw);
        return NULL;
    }
    return raw;
}

/* Reads and drops an Ack's body (empty from a BITS server), so the
 * connection can be reused. */
static BOOL drain(HINTERNET request)
{
    BYTE scrap[4096];
    DWORD got;
    do {
        if (!WinHttpReadData(request, scrap, sizeof(scrap), &got)) return FALSE;
    } while (got);
    return TRUE;
}

static BOOL exchange(HINTERNET request, const WCHAR *headers, const BYTE *body, DWORD length, ack *out)
{
    DWORD size = sizeof(out->status);
    if (!WinHttpSendRequest(request, headers, (DWORD)-1L, (void *)body, length, length, 0)) return FALSE;
    if (!WinHttpReceiveResponse(request, NULL)) return FALSE;
    if (!WinHttpQueryHeaders(request, WINHTTP_QUERY_STATUS_CODE | WINHTTP_QUERY_FLAG_NUMBER,
                             WINHTTP_HEADER_NAME_BY_INDEX, &out->status, &size, WINHTTP_NO_HEADER_INDEX))
        return FALSE;
    return (out->raw = raw_headers(request)) != NULL && drain(request);
}

/* One BITS_POST with these headers and body; *out gets the answer. */
static BOOL post(uploader *u, const WCHAR *headers, const BYTE *body, DWORD length, ack *out)
{
    HINTERNET request = WinHttpOpenRequest(u->connection, L"BITS_POST", u->path, NULL, WINHTTP_NO_REFERER,
                                           WINHTTP_DEFAULT_ACCEPT_TYPES, u->secure ? WINHTTP_FLAG_SECURE : 0);
    BOOL sent;

    out->status = 0;
    out->raw = NULL;
    if (!request) return FALSE;
    sent = exchange(request, headers, body, length, out);
    WinHttpCloseHandle(request);
    return sent;
}

/* The trimmed value of "name: value" in raw headers. */
static BOOL header_value(const WCHAR *raw, const WCHAR *name, WCHAR *value, size_t chars)
{
    size_t length = wcslen(name);
    const WCHAR *line, *start, *end;

    for (line = raw; line && *line; line = wcschr(line, '\n') ? wcschr(line, '\n') + 1 : NULL) {
        if (_wcsnicmp(line, name, length) || line[length] != ':') continue;
        for (start = line + length + 1; *start == ' ' || *start == '\t'; start++) {}
        for (end = start; *end && *end != '\r' && *end != '\n'; end++) {}
        while (end > start && (end[-1] == ' ' || end[-1] == '\t')) end--;
        if ((size_t)(end - start) >= chars) return FALSE;
        memcpy(value, start, (end - start) * sizeof(WCHAR));
        value[end - start] = 0;
        return TRUE;
    }
    return FALSE;
}

/* Sends a packet and checks it was answered with a 2xx Ack. */
static BOOL post_expecting_ack(uploader *u, const char *packet, const WCHAR *headers, const BYTE *body,
                               DWORD length, ack *out)
{
    WCHAR type[16];
    if (!post(u, headers, body, length, out)) {
        fprintf(stderr, "bench_upload_winhttp: %s failed (error %lu)\n", packet, GetLastError());
        return FALSE;
    }
    if (out->status >= 200 && out->status < 300 && header_value(out->raw, L"BITS-Packet-Type", type, 16) &&
        !_wcsicmp(type, L"Ack"))
        return TRUE;
    fprintf(stderr, "bench_upload_winhttp: %s answered HTTP %lu:\n%ls\n", packet, out->status,
            out->raw ? out->raw : L"");
    return FALSE;
}

/* ---- the protocol ---- */

static BOOL create_session(uploader *u)
{
    ack answer;
    BOOL ok = post_expecting_ack(u, "Create-Session",
                                 L"BITS-Packet-Type: Create-Session\r\nBITS-Supported-Protocols: " PROTOCOL L"\r\n",
                                 NULL, 0, &answer);
    if (ok && !header_value(answer.raw, L"BITS-Session-Id", u->session_id, SESSION_CHARS)) {
        fprintf(stderr, "bench_upload_winhttp: Create-Session Ack without BITS-Session-Id\n");
        ok = FALSE;
    }
    free(answer.raw);
    return ok;
}

static void fragment_headers(const uploader *u, UINT64 first, DWORD length, UINT64 total, WCHAR *headers)
{
    int used = _snwprintf(headers, HEADERS_CHARS, L"BITS-Packet-Type: Fragment\r\nBITS-Session-Id: %ls\r\n",
                          u->session_id);
    if (first == 0)
        used += _snwprintf(headers + used, HEADERS_CHARS - used, L"Content-Name: %ls\r\n", u->content_name);
    if (total == 0)
        _snwprintf(headers + used, HEADERS_CHARS - used, L"Content-Range: bytes */0\r\nContent-Length: 0\r\n");
    else
        _snwprintf(headers + used, HEADERS_CHARS - used, L"Content-Range: bytes %I64u-%I64u/%I64u\r\n", first,
                   first + length - 1, total);
}

/* Sends bytes first..first+length-1; the Ack must say the server has them. */
static BOOL send_fragment(uploader *u, const BYTE *body, UINT64 first, DWORD length, UINT64 total)
{
    WCHAR headers[HEADERS_CHARS], received[40] = L"nothing";
    ack answer;
    BOOL ok;

    fragment_headers(u, first, length, total, headers);
    ok = post_expecting_ack(u, "Fragment", headers, body, length, &answer);
    if (ok && (!header_value(answer.raw, L"BITS-Received-Content-Range", received, ARRAYSIZE(received)) ||
               _wcstoui64(received, NULL, 10) != first + length)) {
        fprintf(stderr, "bench_upload_winhttp: the Ack for bytes from %llu says the server has %ls\n", first,
                received);
        ok = FALSE;
    }
    free(answer.raw);
    return ok;
}

/* Reads the file a fragment at a time and sends it (one empty fragment for
 * an empty file). */
static BOOL send_file(uploader *u, HANDLE file, UINT64 total, BYTE *buffer, DWORD fragment)
{
    UINT64 first = 0;
    DWORD length, got;

    do {
        length = (DWORD)min(total - first, (UINT64)fragment);
        if (!ReadFile(file, buffer, length, &got, NULL) || got != length) {
            fail("cannot read the local file");
            return FALSE;
        }
        if (!send_fragment(u, buffer, first, length, total)) return FALSE;
        first += length;
    } while (first < total);
    return TRUE;
}

static BOOL close_session(uploader *u)
{
    WCHAR headers[HEADERS_CHARS];
    ack answer;
    BOOL ok;

    _snwprintf(headers, HEADERS_CHARS, L"BITS-Packet-Type: Close-Session\r\nBITS-Session-Id: %ls\r\n",
               u->session_id);
    ok = post_expecting_ack(u, "Close-Session", headers, NULL, 0, &answer);
    free(answer.raw);
    return ok;
}

/* ---- main ---- */

typedef struct options {
    WCHAR url[2048];
    WCHAR local[MAX_PATH];
    DWORD fragment;
} options;

static BOOL parse_options(int argc, char **argv, options *o)
{
    if (argc != 3 && !(argc == 5 && !strcmp(argv[3], "--fragment"))) return FALSE;
    MultiByteToWideChar(CP_ACP, 0, argv[1], -1, o->url, ARRAYSIZE(o->url));
    MultiByteToWideChar(CP_ACP, 0, argv[2], -1, o->local, ARRAYSIZE(o->local));
    o->fragment = argc == 5 ? strtoul(argv[4], NULL, 10) : DEFAULT_FRAGMENT;
    return o->fragment > 0 && o->fragment <= MAX_FRAGMENT;
}

static HANDLE open_local(const WCHAR *name, UINT64 *size)
{
    LARGE_INTEGER length;
    HANDLE file = CreateFileW(name, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, FILE_FLAG_SEQUENTIAL_SCAN,
                              NULL);
    if (file == INVALID_HANDLE_VALUE || !GetFileSizeEx(file, &length)) {
        fail("cannot open the local file");
        return INVALID_HANDLE_VALUE;
    }
    *size = (UINT64)length.QuadPart;
    return file;
}

static const WCHAR *file_name_part(const WCHAR *path)
{
    const WCHAR *slash = wcsrchr(path, '\\');
    return slash ? slash + 1 : path;
}

int main(int argc, char **argv)
{
    options o;
    uploader u = { 0 };
    HANDLE file;
    UINT64 size;
    BYTE *buffer;
    double start, seconds;
    BOOL ok;

    if (!parse_options(argc, argv, &o)) {
        fprintf(stderr, "usage: bench_upload_winhttp.exe <url> <local-file> [--fragment BYTES]\n");
        return 2;
    }
    if ((file = open_local(o.local, &size)) == INVALID_HANDLE_VALUE) return 1;
    if (!(buffer = malloc(o.fragment)) || !connect_to(o.url, &u)) {
        fail("cannot set up WinHTTP");
        return 1;
    }
    u.content_name = file_name_part(o.local);
    start = bench_now();
    ok = create_session(&u) && send_file(&u, file, size, buffer, o.fragment) && close_session(&u);
    seconds = bench_now() - start;
    CloseHandle(file);
    disconnect(&u);
    free(buffer);
    if (!ok) return 1;
    bench_print_result("winhttp_upload", size, seconds);
    return 0;
}
