#include "store.h"
#include "lock.h"
#include "path.h"
#include "str.h"
#include "trace.h"
#include <stdio.h>

struct ob_store {
    WCHAR *dir;                /* with its trailing separator */
};

#define MAX_RECORD (64 * 1024 * 1024) /* far beyond any job: a larger file is not a record */

/* CreateDirectory for dir and each missing parent. */
static HRESULT make_dirs(WCHAR *dir)
{
    size_t len = wcslen(dir), i;
    for (i = 3; i < len; i++)
    {
        WCHAR saved;
        if (!ob_path_is_separator(dir[i]) && i != len - 1) continue;
        saved = dir[i + 1];
        dir[i + 1] = 0;
        if (!CreateDirectoryW(dir, NULL) && GetLastError() != ERROR_ALREADY_EXISTS)
        {
            DWORD err = GetLastError();
            dir[i + 1] = saved;
            return HRESULT_FROM_WIN32(err);
        }
        dir[i + 1] = saved;
    }
    return S_OK;
}

HRESULT ob_store_open(const WCHAR *dir, ob_store **out)
{
    ob_store *store;
    size_t len;
    HRESULT hr;

    *out = NULL;
    ob_lock_check_free("store open");
    if (!dir || (len = wcslen(dir)) < 3 || len > MAX_PATH - 48) return E_INVALIDARG;
    if (!(store = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, sizeof(*store)))) return E_OUTOFMEMORY;
    if (!(store->dir = HeapAlloc(GetProcessHeap(), 0, (len + 2) * sizeof(WCHAR))))
    {
        HeapFree(GetProcessHeap(), 0, store);
        return E_OUTOFMEMORY;
    }
    wcscpy(store->dir, dir);
    for (WCHAR *c = store->dir; *c; c++)
        if (*c == '/') *c = '\\';
    if (store->dir[len - 1] != '\\') wcscat(store->dir, L"\\");
    if (FAILED(hr = make_dirs(store->dir)))
    {
        ob_store_free(store);
        return hr;
    }
    *out = store;
    return S_OK;
}

void ob_store_free(ob_store *store)
{
    if (!store) return;
    ob_str_free(store->dir);
    HeapFree(GetProcessHeap(), 0, store);
}

const WCHAR *ob_store_dir(const ob_store *store)
{
    return store->dir;
}

static void name_of(const ob_store *store, const GUID *id, const WCHAR *ext, WCHAR *out)
{
    WCHAR guid[40];
    StringFromGUID2(id, guid, ARRAYSIZE(guid));
    swprintf(out, MAX_PATH, L"%ls%ls%ls", store->dir, guid, ext);
}

HRESULT ob_store_save(ob_store *store, const GUID *id, const char *data, DWORD size)
{
    WCHAR temp[MAX_PATH], final[MAX_PATH];
    DWORD written = 0;
    HANDLE file;
    DWORD err;
    BOOL ok;

    name_of(store, id, L".tmp", temp);
    name_of(store, id, L".job", final);
    file = ob_path_open(temp, GENERIC_WRITE, 0, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL);
    if (file == INVALID_HANDLE_VALUE) return HRESULT_FROM_WIN32(GetLastError());
    ob_lock_check_free("store write");
    ok = WriteFile(file, data, size, &written, NULL) && written == size && FlushFileBuffers(file);
    CloseHandle(file);
    if (ok && ob_path_replace(temp, final)) return S_OK;
    err = GetLastError();
    ob_path_delete(temp);
    return HRESULT_FROM_WIN32(err ? err : ERROR_WRITE_FAULT);
}

HRESULT ob_store_delete(ob_store *store, const GUID *id)
{
    WCHAR final[MAX_PATH];
    name_of(store, id, L".job", final);
    if (ob_path_delete(final) || GetLastError() == ERROR_FILE_NOT_FOUND) return S_OK;
    return HRESULT_FROM_WIN32(GetLastError());
}

/* The whole file (heap), or NULL if it cannot be read or is too large. */
static char *read_all(const WCHAR *path, DWORD *size)
{
    HANDLE file = ob_path_open(path, GENERIC_READ, FILE_SHARE_READ, OPEN_EXISTING, FILE_FLAG_SEQUENTIAL_SCAN);
    LARGE_INTEGER length;
    char *data = NULL;
    DWORD got = 0;

    if (file == INVALID_HANDLE_VALUE) return NULL;
    if (GetFileSizeEx(file, &length) && length.QuadPart <= MAX_RECORD &&
        (data = HeapAlloc(GetProcessHeap(), 0, (SIZE_T)length.QuadPart + 1)))
    {
        ob_lock_check_free("store read");
        if (!ReadFile(file, data, (DWORD)length.QuadPart, &got, NULL) || got != (DWORD)length.QuadPart)
        {
            HeapFree(GetProcessHeap(), 0, data);
            data = NULL;
        }
        else *size = got;
    }
    CloseHandle(file);
    return data;
}

static void set_aside(const WCHAR *path)
{
    WCHAR bad[MAX_PATH];
    size_t len = wcslen(path);
    if (len < 4 || len >= MAX_PATH) return;
    wcscpy(bad, path);
    wcscpy(bad + len - 4, L".bad");
    ob_path_replace(path, bad);
}

HRESULT ob_store_load(ob_store *store, ob_store_each each, void *context, ULONG *refused)
{
    WCHAR pattern[MAX_PATH], path[MAX_PATH];
    WIN32_FIND_DATAW found;
    HANDLE find;
    ULONG bad = 0;

    if (refused) *refused = 0;
    ob_lock_check_free("store load");
    /* a save cut short by a crash: its job's file is the last good one */
    swprintf(pattern, MAX_PATH, L"%ls*.tmp", store->dir);
    if ((find = FindFirstFileW(pattern, &found)) != INVALID_HANDLE_VALUE)
    {
        do
        {
            swprintf(path, MAX_PATH, L"%ls%ls", store->dir, found.cFileName);
            ob_path_delete(path);
        } while (FindNextFileW(find, &found));
        FindClose(find);
    }
    swprintf(pattern, MAX_PATH, L"%ls*.job", store->dir);
    if ((find = FindFirstFileW(pattern, &found)) == INVALID_HANDLE_VALUE) return S_OK;
    do
    {
        char *data;
        DWORD size = 0;
        if (found.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) continue;
        swprintf(path, MAX_PATH, L"%ls%ls", store->dir, found.cFileName);
        data = read_all(path, &size);
        if (!data || !each(context, found.cFileName, data, size))
        {
            OB_TRACE(NULL, L"store: %ls cannot be read as a job; kept aside as .bad", found.cFileName);
            set_aside(path);
            bad++;
        }
        HeapFree(GetProcessHeap(), 0, data);
    } while (FindNextFileW(find, &found));
    FindClose(find);
    if (refused) *refused = bad;
    return S_OK;
}
