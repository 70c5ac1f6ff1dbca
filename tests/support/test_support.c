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

ULONG ts_count_files_in(const WCHAR *dir, const WCHAR *pattern)
{
    WCHAR path[MAX_PATH * 2];
    WIN32_FIND_DATAW found;
    HANDLE search;
    ULONG count = 0;

    swprintf(path, ARRAYSIZE(path), L"%ls\\%ls", dir, pattern);
    search = FindFirstFileW(path, &found);
    if (search == INVALID_HANDLE_VALUE) return 0;
    do count++;
    while (FindNextFileW(search, &found));
    FindClose(search);
    return count;
}

ULONG ts_count_files(const WCHAR *pattern)
{
    return ts_count_files_in(ts_scratch_dir(), pattern);
}

void ts_make_dir(const WCHAR *path)
{
    if (!CreateDirectoryW(path, NULL)) fail_msg("CreateDirectory(%ls): error %lu", path, GetLastError());
}

/* Everything under dir, then dir itself. */
static void remove_tree(const WCHAR *dir)
{
    WCHAR pattern[MAX_PATH * 2], child[MAX_PATH * 2];
    WIN32_FIND_DATAW found;
    HANDLE search;

    swprintf(pattern, ARRAYSIZE(pattern), L"%ls\\*", dir);
    search = FindFirstFileW(pattern, &found);
    if (search != INVALID_HANDLE_VALUE)
    {
        do
        {
            if (!wcscmp(found.cFileName, L".") || !wcscmp(found.cFileName, L"..")) continue;
            swprintf(child, ARRAYSIZE(child), L"%ls\\%ls", dir, found.cFileName);
            if (found.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) remove_tree(child);
            else DeleteFileW(child);
        }
        while (FindNextFileW(search, &found));
        FindClose(search);
    }
    RemoveDirectoryW(dir);
}

void ts_cleanup(void)
{
    if (!scratch[0]) return;
    remove_tree(scratch);
    scratch[0] = 0;
}

int ts_group_teardown(void **state)
{
    ts_cleanup();
    return 0;
}

static void take_name(const WCHAR *dir, const WCHAR *prefix, const WCHAR *ext, DWORD tick)
{
    WCHAR name[MAX_PATH];
    swprintf(name, MAX_PATH, L"%ls\\%ls%04X%ls", dir, prefix, tick & 0xffff, ext);
    ts_write_file(name, "user", 4);
}

DWORD ts_take_tick_names(const WCHAR *dir, const WCHAR *prefix, const WCHAR *ext, DWORD *first)
{
    const DWORD span = 1500;
    DWORD attempt, t0, lead, i, now;

    for (attempt = 0; attempt < 3; attempt++)
    {
        t0 = GetTickCount();
        lead = 3000u << attempt;
        for (i = 0; i < span; i++) take_name(dir, prefix, ext, t0 + lead + i);
        now = GetTickCount();
        *first = t0 + lead;
        if (now - t0 < lead)
        {
            Sleep(lead - (now - t0) + 20);
            return t0 + lead + span;
        }
        if (now - t0 < lead + span - 800) return t0 + lead + span;
    }
    fail_msg("creating %lu files takes longer than %lu ms here", span, lead);
    return 0;
}

BOOL ts_file_holds(const WCHAR *path, const char *text)
{
    char buffer[256];
    DWORD got = 0, len = (DWORD)strlen(text);
    HANDLE f = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                           OPEN_EXISTING, 0, NULL);
    BOOL ok;
    if (f == INVALID_HANDLE_VALUE) return FALSE;
    ok = ReadFile(f, buffer, sizeof(buffer), &got, NULL) && got == len && !memcmp(buffer, text, len);
    CloseHandle(f);
    return ok;
}
