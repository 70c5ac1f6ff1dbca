#include "path.h"
#include "lock.h"
#include "str.h"
#include <stdio.h>

BOOL ob_path_is_separator(WCHAR c)
{
    return c == '\\' || c == '/';
}

WCHAR *ob_path_normalize(const WCHAR *path)
{
    WCHAR *copy = ob_str_dup(path), *c;
    if (copy)
        for (c = copy; *c; c++)
            if (*c == '/') *c = '\\';
    return copy;
}

const WCHAR *ob_path_leaf(const WCHAR *path)
{
    const WCHAR *leaf = path, *c;
    for (c = path; *c; c++)
        if (ob_path_is_separator(*c)) leaf = c + 1;
    return leaf;
}

size_t ob_path_dir_len(const WCHAR *path)
{
    return (size_t)(ob_path_leaf(path) - path);
}

WCHAR *ob_path_dir(const WCHAR *path)
{
    size_t len = ob_path_dir_len(path);
    WCHAR *dir;

    if (!len || !(dir = HeapAlloc(GetProcessHeap(), 0, (len + 1) * sizeof(WCHAR)))) return NULL;
    memcpy(dir, path, len * sizeof(WCHAR));
    dir[len] = 0;
    return dir;
}

static HRESULT from_win32(DWORD err)
{
    switch (err)
    {
    case ERROR_ACCESS_DENIED:
    case ERROR_WRITE_PROTECT:
    case ERROR_NETWORK_ACCESS_DENIED:
        return E_ACCESSDENIED;
    default:
        return HRESULT_FROM_WIN32(err);
    }
}

HRESULT ob_path_create_unique(const WCHAR *beside, const WCHAR *prefix, const WCHAR *ext, WCHAR **out)
{
    size_t dir_len = ob_path_dir_len(beside);
    WCHAR name[MAX_PATH];
    DWORD start = GetTickCount(), i;
    HANDLE file;

    *out = NULL;
    ob_lock_check_free("create file");
    if (!dir_len) return HRESULT_FROM_WIN32(ERROR_INVALID_NAME);
    if (dir_len + wcslen(prefix) + 4 + wcslen(ext) >= MAX_PATH) return HRESULT_FROM_WIN32(ERROR_FILENAME_EXCED_RANGE);
    memcpy(name, beside, dir_len * sizeof(WCHAR));
    for (i = 0; i < 0x10000; i++)
    {
        swprintf(name + dir_len, MAX_PATH - dir_len, L"%ls%04X%ls", prefix, (start + i) & 0xffff, ext);
        file = CreateFileW(name, GENERIC_WRITE, 0, NULL, CREATE_NEW, FILE_ATTRIBUTE_NORMAL, NULL);
        if (file != INVALID_HANDLE_VALUE)
        {
            CloseHandle(file);
            if ((*out = ob_str_dup(name))) return S_OK;
            ob_path_delete(name);
            return E_OUTOFMEMORY;
        }
        if (GetLastError() != ERROR_FILE_EXISTS && GetLastError() != ERROR_ALREADY_EXISTS)
            return from_win32(GetLastError());
    }
    return HRESULT_FROM_WIN32(ERROR_FILE_EXISTS); /* every name taken */
}

/* Our own creation, not GetTempFileName's: Wine's answers success for a
 * directory that refused the file. */
HRESULT ob_path_check_writable(const WCHAR *path)
{
    WCHAR *probe;
    HRESULT hr = ob_path_create_unique(path, L"BIT", L".tmp", &probe);

    if (FAILED(hr)) return hr;
    ob_path_delete(probe);
    ob_str_free(probe);
    return S_OK;
}

DWORD ob_path_attributes(const WCHAR *path)
{
    ob_lock_check_free("file attributes");
    return GetFileAttributesW(path);
}

BOOL ob_path_attributes_ex(const WCHAR *path, WIN32_FILE_ATTRIBUTE_DATA *out)
{
    ob_lock_check_free("file attributes");
    return GetFileAttributesExW(path, GetFileExInfoStandard, out);
}

HANDLE ob_path_open(const WCHAR *path, DWORD access, DWORD share, DWORD disposition, DWORD flags)
{
    ob_lock_check_free("open file");
    return CreateFileW(path, access, share, NULL, disposition, flags, NULL);
}

BOOL ob_path_delete(const WCHAR *path)
{
    ob_lock_check_free("delete file");
    return DeleteFileW(path);
}

BOOL ob_path_move(const WCHAR *from, const WCHAR *to)
{
    ob_lock_check_free("move file");
    return MoveFileExW(from, to, MOVEFILE_REPLACE_EXISTING);
}

BOOL ob_path_replace(const WCHAR *from, const WCHAR *to)
{
    ob_lock_check_free("replace file");
    return MoveFileExW(from, to, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH);
}

HRESULT ob_path_create_dirs(const WCHAR *path)
{
    WCHAR *copy = ob_str_dup(path);
    size_t end, i;
    HRESULT hr = S_OK;

    ob_lock_check_free("create directory");
    if (!copy) return E_OUTOFMEMORY;
    end = ob_path_dir_len(copy);
    for (i = 3; i < end && SUCCEEDED(hr); i++)
    {
        WCHAR c;
        if (!ob_path_is_separator(copy[i])) continue;
        c = copy[i];
        copy[i] = 0;
        if (!CreateDirectoryW(copy, NULL) && GetLastError() != ERROR_ALREADY_EXISTS) hr = HRESULT_FROM_WIN32(GetLastError());
        copy[i] = c;
    }
    ob_str_free(copy);
    return hr;
}

BOOL ob_path_is_gone(const WCHAR *path)
{
    DWORD err;
    if (ob_path_attributes(path) != INVALID_FILE_ATTRIBUTES) return FALSE;
    err = GetLastError();
    return err == ERROR_FILE_NOT_FOUND || err == ERROR_PATH_NOT_FOUND;
}

BOOL ob_path_move_under_lock(const WCHAR *from, const WCHAR *to)
{
    return MoveFileExW(from, to, MOVEFILE_REPLACE_EXISTING);
}

BOOL ob_path_delete_under_lock(const WCHAR *path)
{
    return DeleteFileW(path);
}
