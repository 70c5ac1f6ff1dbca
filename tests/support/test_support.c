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

void ts_append_arg(WCHAR *line, size_t size, const WCHAR *arg)
{
    BOOL quote = !*arg || wcschr(arg, ' ');
    wcscat_s(line, size, L" ");
    if (quote) wcscat_s(line, size, L"\"");
    wcscat_s(line, size, arg);
    if (quote) wcscat_s(line, size, L"\"");
}

static HANDLE inheritable_file(const WCHAR *path)
{
    SECURITY_ATTRIBUTES sa = { sizeof(sa), NULL, TRUE };
    HANDLE file = CreateFileW(path, GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, &sa, CREATE_ALWAYS,
                              FILE_ATTRIBUTE_NORMAL, NULL);
    assert_true(file != INVALID_HANDLE_VALUE);
    return file;
}

static char *read_text(const WCHAR *path)
{
    HANDLE file = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING, 0, NULL);
    DWORD size, got = 0, i, j;
    char *text;

    assert_true(file != INVALID_HANDLE_VALUE);
    size = GetFileSize(file, NULL);
    text = malloc(size + 1);
    assert_non_null(text);
    assert_true(ReadFile(file, text, size, &got, NULL));
    CloseHandle(file);
    for (i = j = 0; i < got; i++)
        if (text[i] != '\r') text[j++] = text[i];
    text[j] = 0;
    DeleteFileW(path);
    return text;
}

ts_run_result ts_run(const WCHAR *exe, const WCHAR *line, DWORD timeout_ms)
{
    static LONG runs;
    WCHAR out_path[MAX_PATH], err_path[MAX_PATH], *copy = _wcsdup(line);
    STARTUPINFOW si = { sizeof(si) };
    PROCESS_INFORMATION pi;
    ts_run_result result;
    LONG run = InterlockedIncrement(&runs);

    swprintf(out_path, MAX_PATH, L"%ls\\run-%ld.out", ts_scratch_dir(), run);
    swprintf(err_path, MAX_PATH, L"%ls\\run-%ld.err", ts_scratch_dir(), run);
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdOutput = inheritable_file(out_path);
    si.hStdError = inheritable_file(err_path);
    assert_non_null(copy);
    assert_true(CreateProcessW(exe, copy, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi));
    free(copy);
    CloseHandle(si.hStdOutput);
    CloseHandle(si.hStdError);
    assert_int_equal(WaitForSingleObject(pi.hProcess, timeout_ms), WAIT_OBJECT_0);
    assert_true(GetExitCodeProcess(pi.hProcess, &result.exit_code));
    CloseHandle(pi.hProcess);
    CloseHandle(pi.hThread);
    result.out = read_text(out_path);
    result.err = read_text(err_path);
    return result;
}

void ts_run_result_free(ts_run_result *result)
{
    free(result->out);
    free(result->err);
}

const WCHAR *ts_env_path(const WCHAR *name)
{
    static WCHAR paths[8][MAX_PATH];
    static int next;
    WCHAR *out = paths[next++ % 8];
    if (!GetEnvironmentVariableW(name, out, MAX_PATH)) fail_msg("%ls is not set", name);
    return out;
}
