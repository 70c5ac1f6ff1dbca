/* A bare libcurl download loop under Wine, the baseline for openbits' curl
 * transport: one easy GET, every block the write callback gets written to a
 * file with WriteFile (as openbits writes its temporary file).
 *
 *   bench_curl.exe <url> [out-file|NUL] [--buffer BYTES]
 *
 * --buffer sets CURLOPT_BUFFERSIZE, the size of libcurl's receive buffer
 * (default 1 MiB, the block openbits' transports hand to the engine; libcurl
 * allows up to 10 MiB).  HTTPS certificates are not verified: this measures
 * bytes, not trust.
 *
 * Prints "result NAME bytes=N seconds=S mib_per_s=R" where NAME is libcurl, or
 * libcurl_file when writing; the clock runs from curl_easy_perform to the last
 * byte written and the file closed. */
#include <stdlib.h>
#include <string.h>
#include <winsock2.h>
#include <windows.h>
#include <curl/curl.h>
#include "bench_util.h"

#define BLOCK (1024 * 1024)

typedef struct sink {
    HANDLE file;               /* INVALID_HANDLE_VALUE: discard */
    unsigned long long bytes;
    BOOL failed;
} sink;

static size_t on_data(char *data, size_t size, size_t count, void *context)
{
    sink *s = context;
    DWORD written, length = (DWORD)(size * count);
    if (s->file != INVALID_HANDLE_VALUE && (!WriteFile(s->file, data, length, &written, NULL) || written != length))
    {
        s->failed = TRUE;
        return 0;
    }
    s->bytes += length;
    return length;
}

int main(int argc, char **argv)
{
    const char *url = NULL, *out = NULL;
    long buffer = BLOCK;
    sink s = { INVALID_HANDLE_VALUE, 0, FALSE };
    double start, seconds;
    curl_off_t length = -1;
    long status = 0;
    CURLcode code;
    CURL *curl;
    int i;

    for (i = 1; i < argc; i++)
    {
        if (!strcmp(argv[i], "--buffer") && i + 1 < argc) buffer = strtol(argv[++i], NULL, 10);
        else if (!url) url = argv[i];
        else if (!out) out = _stricmp(argv[i], "NUL") ? argv[i] : NULL;
        else url = NULL, i = argc;
    }
    if (!url || buffer < 1024 || buffer > 10 * 1024 * 1024)
    {
        fprintf(stderr, "usage: bench_curl.exe <url> [out-file|NUL] [--buffer BYTES]\n");
        return 2;
    }
    if (out && (s.file = CreateFileA(out, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL)) == INVALID_HANDLE_VALUE)
    {
        fprintf(stderr, "bench_curl: cannot create %s: error %lu\n", out, GetLastError());
        return 1;
    }
    if (curl_global_init(CURL_GLOBAL_ALL) || !(curl = curl_easy_init()))
    {
        fprintf(stderr, "bench_curl: libcurl did not initialise\n");
        return 1;
    }
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_BUFFERSIZE, buffer);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &s);
    curl_easy_setopt(curl, CURLOPT_PROXY, "");
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
    start = bench_now();
    code = curl_easy_perform(curl);
    if (s.file != INVALID_HANDLE_VALUE) CloseHandle(s.file);
    seconds = bench_now() - start;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length);
    curl_easy_cleanup(curl);
    if (code != CURLE_OK || s.failed)
    {
        fprintf(stderr, "bench_curl: transfer failed: %s%s\n", curl_easy_strerror(code),
                s.failed ? " (writing the file)" : "");
        return 1;
    }
    if (status != 200 || length < 0 || (unsigned long long)length != s.bytes)
    {
        fprintf(stderr, "bench_curl: HTTP status %ld, got %llu bytes of %lld\n", status, s.bytes, (long long)length);
        return 1;
    }
    bench_print_result(out ? "libcurl_file" : "libcurl", s.bytes, seconds);
    curl_global_cleanup();
    return 0;
}
