/* A bare WinHTTP download loop, the baseline for openbits' HTTP transport:
 * one GET, WinHttpReadData into a buffer until it returns 0 bytes,
 * optionally writing each block to a file as openbits does.
 *
 *   bench_winhttp.exe <url> [out-file|NUL] [--async] [--read BYTES]
 *
 * Synchronous by default; --async opens the session with WINHTTP_FLAG_ASYNC
 * and waits for each completion on an event (how a transport that must be
 * cancellable under Wine has to work).  --read sets the size asked of each
 * WinHttpReadData call (default 1 MiB).
 *
 * Prints "result NAME bytes=N seconds=S mib_per_s=R" where NAME is winhttp,
 * with _async and _file appended for those variants; the clock runs from
 * WinHttpSendRequest to the last byte written and the file closed. */
#include <stdlib.h>
#include <string.h>
#include <windows.h>
#include <winhttp.h>
#include "bench_util.h"

#define BLOCK (1024 * 1024)

typedef struct request {
    HINTERNET session, connection, handle;
    BOOL async;
    HANDLE done;               /* async: set by the callback on each completion */
    DWORD bytes;               /* async: from READ_COMPLETE */
    DWORD error;               /* async: from REQUEST_ERROR */
} request;

static void CALLBACK on_status(HINTERNET handle, DWORD_PTR context, DWORD status, void *info, DWORD length)
{
    request *r = (request *)context;
    if (!r) return;
    if (status == WINHTTP_CALLBACK_STATUS_READ_COMPLETE) r->bytes = length;
    if (status == WINHTTP_CALLBACK_STATUS_REQUEST_ERROR) r->error = ((WINHTTP_ASYNC_RESULT *)info)->dwError;
    SetEvent(r->done);
}

/* After a call that may complete asynchronously: did it succeed? */
static BOOL finish(request *r, BOOL started)
{
    if (!started || !r->async) return started;
    WaitForSingleObject(r->done, INFINITE);
    if (!r->error) return TRUE;
    SetLastError(r->error);
    r->error = 0;
    return FALSE;
}

static void close_request(request *r)
{
    if (r->handle) WinHttpCloseHandle(r->handle);
    if (r->connection) WinHttpCloseHandle(r->connection);
    if (r->session) WinHttpCloseHandle(r->session);
}

static BOOL open_session(request *r)
{
    r->session = WinHttpOpen(L"openbits-bench/1.0", WINHTTP_ACCESS_TYPE_NO_PROXY, WINHTTP_NO_PROXY_NAME,
                             WINHTTP_NO_PROXY_BYPASS, r->async ? WINHTTP_FLAG_ASYNC : 0);
    if (!r->session || !r->async) return r->session != NULL;
    r->done = CreateEventW(NULL, FALSE, FALSE, NULL);
    return r->done && WinHttpSetStatusCallback(r->session, on_status, WINHTTP_CALLBACK_FLAG_ALL_COMPLETIONS, 0) !=
                          WINHTTP_INVALID_STATUS_CALLBACK;
}

static BOOL open_request(const WCHAR *url, request *r)
{
    URL_COMPONENTS parts = { sizeof(parts) };
    WCHAR host[256], path[2048];

    parts.lpszHostName = host;
    parts.dwHostNameLength = ARRAYSIZE(host);
    parts.lpszUrlPath = path;
    parts.dwUrlPathLength = ARRAYSIZE(path);
    if (!WinHttpCrackUrl(url, 0, 0, &parts) || !open_session(r)) return FALSE;
    r->connection = WinHttpConnect(r->session, host, parts.nPort, 0);
    if (!r->connection) return FALSE;
    r->handle = WinHttpOpenRequest(r->connection, L"GET", path, NULL, WINHTTP_NO_REFERER,
                                   WINHTTP_DEFAULT_ACCEPT_TYPES,
                                   parts.nScheme == INTERNET_SCHEME_HTTPS ? WINHTTP_FLAG_SECURE : 0);
    return r->handle != NULL;
}

/* Sends the GET; the answer must be a 200 with a Content-Length. */
static BOOL send_and_check(request *r, long long *length)
{
    DWORD status = 0, size = sizeof(status);
    WCHAR text[32];

    if (!finish(r, WinHttpSendRequest(r->handle, WINHTTP_NO_ADDITIONAL_HEADERS, 0, WINHTTP_NO_REQUEST_DATA, 0, 0,
                                      (DWORD_PTR)r)))
        return FALSE;
    if (!finish(r, WinHttpReceiveResponse(r->handle, NULL))) return FALSE;
    if (!WinHttpQueryHeaders(r->handle, WINHTTP_QUERY_STATUS_CODE | WINHTTP_QUERY_FLAG_NUMBER,
                             WINHTTP_HEADER_NAME_BY_INDEX, &status, &size, WINHTTP_NO_HEADER_INDEX))
        return FALSE;
    if (status != 200) {
        fprintf(stderr, "bench_winhttp: HTTP status %lu\n", status);
        SetLastError(ERROR_INVALID_DATA);
        return FALSE;
    }
    size = sizeof(text);
    if (!WinHttpQueryHeaders(r->handle, WINHTTP_QUERY_CONTENT_LENGTH, WINHTTP_HEADER_NAME_BY_INDEX, text, &size,
                             WINHTTP_NO_HEADER_INDEX))
        return FALSE;
    *length = _wcstoi64(text, NULL, 10);
    return TRUE;
}

static BOOL read_some(request *r, BYTE *buffer, DWORD wanted, DWORD *got)
{
    if (!r->async) return WinHttpReadData(r->handle, buffer, wanted, got);
    if (!finish(r, WinHttpReadData(r->handle, buffer, wanted, NULL))) return FALSE;
    *got = r->bytes;
    return TRUE;
}

/* Reads the body to the end; returns the byte count, or -1 on error. */
static long long read_body(request *r, HANDLE file, BYTE *buffer, DWORD read_size)
{
    long long total = 0;
    DWORD got, written;
    for (;;) {
        if (!read_some(r, buffer, read_size, &got)) return -1;
        if (got == 0) return total;
        if (file != INVALID_HANDLE_VALUE && (!WriteFile(file, buffer, got, &written, NULL) || written != got))
            return -1;
        total += got;
    }
}

typedef struct options {
    const char *url;
    const char *out;           /* NULL: discard the bytes */
    BOOL async;
    DWORD read_size;
} options;

static BOOL parse_options(int argc, char **argv, options *o)
{
    int i;
    memset(o, 0, sizeof(*o));
    o->read_size = BLOCK;
    for (i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--async")) o->async = TRUE;
        else if (!strcmp(argv[i], "--read") && i + 1 < argc) o->read_size = strtoul(argv[++i], NULL, 10);
        else if (!o->url) o->url = argv[i];
        else if (!o->out) o->out = _stricmp(argv[i], "NUL") ? argv[i] : NULL;
        else return FALSE;
    }
    return o->url && o->read_size > 0 && o->read_size <= BLOCK;
}

static void print_result(const options *o, long long bytes, double seconds)
{
    char name[32] = "winhttp";
    if (o->async) strcat(name, "_async");
    if (o->out) strcat(name, "_file");
    bench_print_result(name, (unsigned long long)bytes, seconds);
}

int main(int argc, char **argv)
{
    options o;
    WCHAR url[2048];
    request r = { 0 };
    HANDLE file = INVALID_HANDLE_VALUE;
    BYTE *buffer = malloc(BLOCK);
    long long bytes, length;
    double start, seconds;

    if (!parse_options(argc, argv, &o)) {
        fprintf(stderr, "usage: bench_winhttp.exe <url> [out-file|NUL] [--async] [--read BYTES]\n");
        return 2;
    }
    MultiByteToWideChar(CP_ACP, 0, o.url, -1, url, ARRAYSIZE(url));
    if (o.out && (file = CreateFileA(o.out, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL)) == INVALID_HANDLE_VALUE) {
        fprintf(stderr, "bench_winhttp: cannot create %s: error %lu\n", o.out, GetLastError());
        return 1;
    }
    r.async = o.async;
    if (!buffer || !open_request(url, &r)) {
        fprintf(stderr, "bench_winhttp: cannot open %s: error %lu\n", o.url, GetLastError());
        return 1;
    }
    start = bench_now();
    if (!send_and_check(&r, &length) || (bytes = read_body(&r, file, buffer, o.read_size)) < 0) {
        fprintf(stderr, "bench_winhttp: transfer failed: error %lu\n", GetLastError());
        return 1;
    }
    if (file != INVALID_HANDLE_VALUE) CloseHandle(file);
    seconds = bench_now() - start;
    if (bytes != length) {
        fprintf(stderr, "bench_winhttp: got %lld bytes of %lld\n", bytes, length);
        return 1;
    }
    close_request(&r);
    free(buffer);
    print_result(&o, bytes, seconds);
    return 0;
}
