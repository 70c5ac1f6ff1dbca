#include "test_support.h"
#include <stdio.h>

static WCHAR scratch[MAX_PATH];

const WCHAR *ts_scratch_dir(void)
{
    if (!scratch[0])
    {
        WCHAR temp[MAX_PATH];
        GetTempPathW(MAX_PATH, temp);
        swprintf(scratch, MAX_PATH, L"%lsopenbits-test-%lu-%lu", temp, GetCurrentProcessId(), GetTickCount());
        CreateDirectoryW(scratch, NULL);
    }
    return scratch;
}

const WCHAR *ts_path(const WCHAR *name)
{
    static WCHAR buffers[64][MAX_PATH];
    static int next;
    WCHAR *out = buffers[next++ % 64];
    swprintf(out, MAX_PATH, L"%ls\\%ls", ts_scratch_dir(), name);
    return out;
}

void ts_write_file(const WCHAR *path, const void *data, DWORD size)
{
    HANDLE file = CreateFileW(path, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
    DWORD written = 0;
    void *zeros = NULL;
    assert_true(file != INVALID_HANDLE_VALUE);
    if (!data && size) data = zeros = calloc(1, size);
    if (size) assert_true(WriteFile(file, data, size, &written, NULL) && written == size);
    free(zeros);
    CloseHandle(file);
}

BOOL ts_file_exists(const WCHAR *path)
{
    return GetFileAttributesW(path) != INVALID_FILE_ATTRIBUTES;
}

ULONG ts_count_files(const WCHAR *pattern)
{
    WIN32_FIND_DATAW found;
    HANDLE search = FindFirstFileW(ts_path(pattern), &found);
    ULONG count = 0;

    if (search == INVALID_HANDLE_VALUE) return 0;
    do count++;
    while (FindNextFileW(search, &found));
    FindClose(search);
    return count;
}

void ts_cleanup(void)
{
    WCHAR pattern[MAX_PATH];
    WIN32_FIND_DATAW found;
    HANDLE search;

    if (!scratch[0]) return;
    swprintf(pattern, MAX_PATH, L"%ls\\*", scratch);
    search = FindFirstFileW(pattern, &found);
    if (search != INVALID_HANDLE_VALUE)
    {
        do
            if (!(found.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY)) DeleteFileW(ts_path(found.cFileName));
        while (FindNextFileW(search, &found));
        FindClose(search);
    }
    RemoveDirectoryW(scratch);
    scratch[0] = 0;
}

int ts_group_teardown(void **state)
{
    ts_cleanup();
    return 0;
}
