#include "store.h"
#include "lock.h"
#include "path.h"
#include "str.h"
#include "trace.h"
#include <stdio.h>
#include <stdlib.h>

#define SNAPSHOT L"jobs.snapshot"
#define SNAPSHOT_MAGIC "openbits-snapshot=1\n"
#define MAX_FILE (256u * 1024 * 1024) /* far beyond any store: a larger file is not ours */

struct ob_store {
    WCHAR *dir;                /* with its trailing separator */
    ULONGLONG gen;             /* the last generation written or seen */
    ULONG loose;               /* loose files since the snapshot */
};

/* One job's record, or its end, as found in the snapshot or a loose file. */
typedef struct entry {
    GUID id;
    ULONGLONG gen;
    const char *data;          /* NULL: the job ended (a .gone file) */
    DWORD size;
} entry;

typedef struct found {
    entry *entries;
    ULONG count, capacity;
    char **buffers;            /* what the entries point into */
    ULONG buffer_count, buffer_capacity;
    ULONGLONG snapshot_gen;
    ULONG loose;
} found;

/* ---- files ---- */

static void path_of(const ob_store *store, const WCHAR *name, WCHAR *out)
{
    swprintf(out, MAX_PATH, L"%ls%ls", store->dir, name);
}

static void name_of(const GUID *id, const WCHAR *ext, WCHAR *out)
{
    WCHAR guid[40];
    StringFromGUID2(id, guid, ARRAYSIZE(guid));
    swprintf(out, 64, L"%ls%ls", guid, ext);
}

/* Writes the parts into name through "<name>.tmp": flushed, then renamed over. */
static HRESULT write_whole(const ob_store *store, const WCHAR *name, const char *head, DWORD head_size,
                           const char *body, DWORD body_size)
{
    WCHAR temp[MAX_PATH], final[MAX_PATH];
    DWORD written = 0, err;
    HANDLE file;
    BOOL ok;

    path_of(store, name, final);
    swprintf(temp, MAX_PATH, L"%ls.tmp", final);
    file = ob_path_open(temp, GENERIC_WRITE, 0, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL);
    if (file == INVALID_HANDLE_VALUE) return HRESULT_FROM_WIN32(GetLastError());
    ob_lock_check_free("store write");
    ok = WriteFile(file, head, head_size, &written, NULL) && written == head_size;
    if (ok && body_size) ok = WriteFile(file, body, body_size, &written, NULL) && written == body_size;
    ok = ok && FlushFileBuffers(file);
    CloseHandle(file);
    if (ok && ob_path_replace(temp, final)) return S_OK;
    err = GetLastError();
    ob_path_delete(temp);
    return HRESULT_FROM_WIN32(err ? err : ERROR_WRITE_FAULT);
}

/* The whole file (heap, NUL after it), or NULL. */
static char *read_whole(const WCHAR *path, DWORD *size)
{
    HANDLE file = ob_path_open(path, GENERIC_READ, FILE_SHARE_READ, OPEN_EXISTING, FILE_FLAG_SEQUENTIAL_SCAN);
    LARGE_INTEGER length;
    char *data = NULL;
    DWORD got = 0;

    if (file == INVALID_HANDLE_VALUE) return NULL;
    if (GetFileSizeEx(file, &length) && length.QuadPart <= MAX_FILE &&
        (data = HeapAlloc(GetProcessHeap(), 0, (SIZE_T)length.QuadPart + 1)))
    {
        ob_lock_check_free("store read");
        if (!ReadFile(file, data, (DWORD)length.QuadPart, &got, NULL) || got != (DWORD)length.QuadPart)
        {
            HeapFree(GetProcessHeap(), 0, data);
            data = NULL;
        }
        else
        {
            data[got] = 0;
            *size = got;
        }
    }
    CloseHandle(file);
    return data;
}

/* ---- open, save, delete ---- */

HRESULT ob_store_open(const WCHAR *dir, ob_store **out)
{
    ob_store *store;
    size_t len;
    HRESULT hr;
    WCHAR *c;

    *out = NULL;
    ob_lock_check_free("store open");
    if (!dir || (len = wcslen(dir)) < 3 || len > MAX_PATH - 64) return E_INVALIDARG;
    if (!(store = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, sizeof(*store)))) return E_OUTOFMEMORY;
    if (!(store->dir = HeapAlloc(GetProcessHeap(), 0, (len + 2) * sizeof(WCHAR))))
    {
        HeapFree(GetProcessHeap(), 0, store);
        return E_OUTOFMEMORY;
    }
    wcscpy(store->dir, dir);
    for (c = store->dir; *c; c++)
        if (*c == '/') *c = '\\';
    if (store->dir[len - 1] != '\\') wcscat(store->dir, L"\\");
    if (FAILED(hr = ob_path_create_dirs(store->dir)))
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

ULONG ob_store_loose(const ob_store *store)
{
    return store->loose;
}

static int gen_line(char *out, ULONGLONG gen)
{
    return snprintf(out, 32, "Gen=%llu\n", (unsigned long long)gen);
}

HRESULT ob_store_save(ob_store *store, const GUID *id, const char *data, DWORD size)
{
    WCHAR name[64], gone[64], path[MAX_PATH];
    char head[32];
    HRESULT hr;

    name_of(id, L".job", name);
    hr = write_whole(store, name, head, (DWORD)gen_line(head, ++store->gen), data, size);
    if (FAILED(hr)) return hr;
    store->loose++;
    name_of(id, L".gone", gone); /* never there for a live job, unless an id came back */
    path_of(store, gone, path);
    ob_path_delete(path);
    return S_OK;
}

HRESULT ob_store_delete(ob_store *store, const GUID *id)
{
    WCHAR name[64], path[MAX_PATH];
    char head[32];
    HRESULT hr;

    /* the tombstone first: the snapshot may hold the job */
    name_of(id, L".gone", name);
    if (FAILED(hr = write_whole(store, name, head, (DWORD)gen_line(head, ++store->gen), NULL, 0))) return hr;
    store->loose++;
    name_of(id, L".job", name);
    path_of(store, name, path);
    if (ob_path_delete(path) || GetLastError() == ERROR_FILE_NOT_FOUND) return S_OK;
    return HRESULT_FROM_WIN32(GetLastError());
}

/* ---- what the folder holds ---- */

static BOOL add_entry(found *f, const GUID *id, ULONGLONG gen, const char *data, DWORD size)
{
    if (f->count == f->capacity)
    {
        ULONG capacity = f->capacity ? f->capacity * 2 : 64;
        entry *grown = f->entries ? HeapReAlloc(GetProcessHeap(), 0, f->entries, capacity * sizeof(*grown))
                                  : HeapAlloc(GetProcessHeap(), 0, capacity * sizeof(*grown));
        if (!grown) return FALSE;
        f->entries = grown;
        f->capacity = capacity;
    }
    f->entries[f->count].id = *id;
    f->entries[f->count].gen = gen;
    f->entries[f->count].data = data;
    f->entries[f->count].size = size;
    f->count++;
    return TRUE;
}

static BOOL keep_buffer(found *f, char *buffer)
{
    if (f->buffer_count == f->buffer_capacity)
    {
        ULONG capacity = f->buffer_capacity ? f->buffer_capacity * 2 : 64;
        char **grown = f->buffers ? HeapReAlloc(GetProcessHeap(), 0, f->buffers, capacity * sizeof(*grown))
                                  : HeapAlloc(GetProcessHeap(), 0, capacity * sizeof(*grown));
        if (!grown) return FALSE;
        f->buffers = grown;
        f->buffer_capacity = capacity;
    }
    f->buffers[f->buffer_count++] = buffer;
    return TRUE;
}

static void free_found(found *f)
{
    ULONG i;
    for (i = 0; i < f->buffer_count; i++) HeapFree(GetProcessHeap(), 0, f->buffers[i]);
    HeapFree(GetProcessHeap(), 0, f->buffers);
    HeapFree(GetProcessHeap(), 0, f->entries);
    memset(f, 0, sizeof(*f));
}

static BOOL parse_u64(const char **p, const char *end, ULONGLONG *out)
{
    ULONGLONG x = 0;
    const char *c = *p;
    if (c >= end || *c < '0' || *c > '9') return FALSE;
    while (c < end && *c >= '0' && *c <= '9')
    {
        if (x > (~0ull - 9) / 10) return FALSE;
        x = x * 10 + (ULONGLONG)(*c++ - '0');
    }
    *p = c;
    *out = x;
    return TRUE;
}

static BOOL parse_guid(const char *text, GUID *id)
{
    WCHAR wide[39];
    int i;
    for (i = 0; i < 38; i++) wide[i] = (WCHAR)(BYTE)text[i];
    wide[38] = 0;
    return SUCCEEDED(CLSIDFromString(wide, id));
}

/* The snapshot: "openbits-snapshot=1\nGen=G\n", then per job
 * "Record={GUID} <size>\n<record>", then "End=<count>\n".  A snapshot cut
 * short keeps the records read whole before the cut. */
static void read_snapshot(const ob_store *store, found *f)
{
    WCHAR path[MAX_PATH];
    const char *p, *end;
    ULONGLONG gen, size;
    DWORD total = 0;
    char *data;
    GUID id;

    path_of(store, SNAPSHOT, path);
    if (!(data = read_whole(path, &total))) return;
    if (!keep_buffer(f, data))
    {
        HeapFree(GetProcessHeap(), 0, data);
        return;
    }
    p = data;
    end = data + total;
    if (total < sizeof(SNAPSHOT_MAGIC) - 1 || memcmp(p, SNAPSHOT_MAGIC, sizeof(SNAPSHOT_MAGIC) - 1)) goto bad;
    p += sizeof(SNAPSHOT_MAGIC) - 1;
    if (end - p < 4 || memcmp(p, "Gen=", 4)) goto bad;
    p += 4;
    if (!parse_u64(&p, end, &gen) || p >= end || *p++ != '\n') goto bad;
    f->snapshot_gen = gen;
    while (end - p > 7 && !memcmp(p, "Record=", 7))
    {
        p += 7;
        if (end - p < 39 || !parse_guid(p, &id) || p[38] != ' ') goto bad;
        p += 39;
        if (!parse_u64(&p, end, &size) || p >= end || *p++ != '\n' || size > (ULONGLONG)(end - p)) goto bad;
        if (!add_entry(f, &id, gen, p, (DWORD)size)) return;
        p += size;
    }
    if (end - p >= 4 && !memcmp(p, "End=", 4)) return;
bad:
    {
        WCHAR text[MAX_PATH + 160];
        swprintf(text, ARRAYSIZE(text),
                 L"openbits: the job store's snapshot %ls%ls is damaged after %lu job(s); those are restored, "
                 L"the rest of the file cannot be read.", store->dir, SNAPSHOT, (unsigned long)f->count);
        ob_event_error(text);
    }
}

/* A loose file: "Gen=<n>\n" and, for a .job, the record. */
static void read_loose(const ob_store *store, found *f, const WIN32_FIND_DATAW *file, BOOL gone)
{
    WCHAR path[MAX_PATH];
    const char *p, *end;
    ULONGLONG gen;
    DWORD size = 0;
    char *data, name[39];
    GUID id;
    int i;

    for (i = 0; i < 38 && file->cFileName[i]; i++) name[i] = (char)file->cFileName[i];
    name[i] = 0;
    if (i != 38 || !parse_guid(name, &id)) return; /* not one of ours */
    path_of(store, file->cFileName, path);
    if (!(data = read_whole(path, &size))) return;
    p = data;
    end = data + size;
    if (size < 6 || memcmp(p, "Gen=", 4) || (p += 4, !parse_u64(&p, end, &gen)) || p >= end || *p++ != '\n')
    {
        /* not finished by its writer (it cannot be: files are renamed whole): set it aside */
        OB_TRACE(NULL, L"store: %ls has no generation; set aside", file->cFileName);
        HeapFree(GetProcessHeap(), 0, data);
        return;
    }
    if (!keep_buffer(f, data))
    {
        HeapFree(GetProcessHeap(), 0, data);
        return;
    }
    f->loose++;
    if (gen > f->snapshot_gen) add_entry(f, &id, gen, gone ? NULL : p, gone ? 0 : (DWORD)(end - p));
}

static void find_loose(const ob_store *store, found *f, const WCHAR *pattern_name, BOOL gone)
{
    WCHAR pattern[MAX_PATH];
    WIN32_FIND_DATAW file;
    HANDLE find;

    path_of(store, pattern_name, pattern);
    if ((find = FindFirstFileW(pattern, &file)) == INVALID_HANDLE_VALUE) return;
    do
        if (!(file.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY)) read_loose(store, f, &file, gone);
    while (FindNextFileW(find, &file));
    FindClose(find);
}

static int by_id_then_newest(const void *a, const void *b)
{
    const entry *x = a, *y = b;
    int c = memcmp(&x->id, &y->id, sizeof(GUID));
    if (c) return c;
    return x->gen > y->gen ? -1 : x->gen < y->gen ? 1 : 0;
}

/* Every job's newest entry, first of its run after the sort. */
static void gather(ob_store *store, found *f)
{
    WCHAR pattern[MAX_PATH], path[MAX_PATH];
    WIN32_FIND_DATAW file;
    HANDLE find;
    ULONG i;

    ob_lock_check_free("store load");
    /* a save cut short by a crash: the file it replaces is the last good one */
    path_of(store, L"*.tmp", pattern);
    if ((find = FindFirstFileW(pattern, &file)) != INVALID_HANDLE_VALUE)
    {
        do
        {
            path_of(store, file.cFileName, path);
            ob_path_delete(path);
        } while (FindNextFileW(find, &file));
        FindClose(find);
    }
    read_snapshot(store, f);
    find_loose(store, f, L"*.job", FALSE);
    find_loose(store, f, L"*.gone", TRUE);
    qsort(f->entries, f->count, sizeof(*f->entries), by_id_then_newest);
    store->gen = max(store->gen, f->snapshot_gen);
    for (i = 0; i < f->count; i++) store->gen = max(store->gen, f->entries[i].gen);
    store->loose = f->loose;
}

static BOOL newest(const found *f, ULONG i)
{
    return !i || memcmp(&f->entries[i].id, &f->entries[i - 1].id, sizeof(GUID));
}

HRESULT ob_store_load(ob_store *store, ob_store_each each, void *context, ULONG *refused)
{
    found f = { 0 };
    ULONG bad = 0, i;

    if (refused) *refused = 0;
    gather(store, &f);
    for (i = 0; i < f.count; i++)
    {
        entry *e = &f.entries[i];
        WCHAR name[64];
        if (!newest(&f, i) || !e->data) continue;
        if (each(context, &e->id, e->data, e->size)) continue;
        /* kept aside for the administrator, and out of the store */
        name_of(&e->id, L".bad", name);
        write_whole(store, name, "", 0, e->data, e->size);
        ob_store_delete(store, &e->id);
        {
            WCHAR text[MAX_PATH + 160];
            swprintf(text, ARRAYSIZE(text),
                     L"openbits: a job in the store %ls cannot be read; its record is kept as %ls and the job is "
                     L"not restored.", store->dir, name);
            ob_event_error(text);
        }
        bad++;
    }
    free_found(&f);
    if (refused) *refused = bad;
    return S_OK;
}

HRESULT ob_store_compact(ob_store *store)
{
    found f = { 0 };
    char head[64], line[80];
    char *body = NULL;
    SIZE_T size = 0, capacity = 0;
    ULONG i, kept = 0;
    WCHAR pattern[MAX_PATH], path[MAX_PATH];
    WIN32_FIND_DATAW file;
    HANDLE find;
    HRESULT hr = S_OK;
    int n;

    gather(store, &f);
    for (i = 0; i < f.count && SUCCEEDED(hr); i++)
    {
        entry *e = &f.entries[i];
        WCHAR guid[40];
        char ascii[40];
        int k;
        if (!newest(&f, i) || !e->data) continue;
        StringFromGUID2(&e->id, guid, ARRAYSIZE(guid));
        for (k = 0; k < 39; k++) ascii[k] = (char)guid[k];
        n = snprintf(line, sizeof(line), "Record=%s %lu\n", ascii, (unsigned long)e->size);
        if (size + n + e->size > capacity)
        {
            SIZE_T grown_capacity = max(capacity * 2, size + n + e->size + 65536);
            char *grown = body ? HeapReAlloc(GetProcessHeap(), 0, body, grown_capacity)
                               : HeapAlloc(GetProcessHeap(), 0, grown_capacity);
            if (!grown)
            {
                hr = E_OUTOFMEMORY;
                break;
            }
            body = grown;
            capacity = grown_capacity;
        }
        memcpy(body + size, line, n);
        memcpy(body + size + n, e->data, e->size);
        size += n + e->size;
        kept++;
    }
    free_found(&f);
    if (SUCCEEDED(hr) && size + 32 > capacity)
    {
        char *grown = body ? HeapReAlloc(GetProcessHeap(), 0, body, size + 32) : HeapAlloc(GetProcessHeap(), 0, size + 32);
        if (grown) body = grown;
        else hr = E_OUTOFMEMORY;
    }
    if (SUCCEEDED(hr))
    {
        size += snprintf(body + size, 32, "End=%lu\n", (unsigned long)kept);
        n = snprintf(head, sizeof(head), "%sGen=%llu\n", SNAPSHOT_MAGIC, (unsigned long long)++store->gen);
        hr = write_whole(store, SNAPSHOT, head, (DWORD)n, body, (DWORD)size);
    }
    HeapFree(GetProcessHeap(), 0, body);
    if (FAILED(hr)) return hr;
    /* every loose file is older than the snapshot now: folded into it */
    for (i = 0; i < 2; i++)
    {
        path_of(store, i ? L"*.gone" : L"*.job", pattern);
        if ((find = FindFirstFileW(pattern, &file)) == INVALID_HANDLE_VALUE) continue;
        do
        {
            path_of(store, file.cFileName, path);
            ob_path_delete(path);
        } while (FindNextFileW(find, &file));
        FindClose(find);
    }
    store->loose = 0;
    OB_TRACE(NULL, L"store: compacted, %lu job(s) in the snapshot", kept);
    return S_OK;
}
