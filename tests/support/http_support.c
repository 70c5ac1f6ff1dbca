#include "http_support.h"
#include <stdio.h>
#include <stdlib.h>

#define URL_CHARS 2048

static unsigned read_port(void)
{
    char name[MAX_PATH], text[16] = { 0 };
    DWORD got = 0;
    HANDLE file;
    unsigned long port;

    if (!GetEnvironmentVariableA("OPENBITS_TEST_PORT_FILE", name, sizeof(name)))
        fail_msg("OPENBITS_TEST_PORT_FILE is not set: run this test through CTest (fixture http_server)");
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
    if (!port) port = read_port();
    return port;
}

const WCHAR *ts_http_url(const char *path_and_query)
{
    static WCHAR buffers[64][URL_CHARS];
    static int next;
    WCHAR *out = buffers[next++ % 64];
    swprintf(out, URL_CHARS, L"http://127.0.0.1:%u%hs", ts_http_port(), path_and_query);
    return out;
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
