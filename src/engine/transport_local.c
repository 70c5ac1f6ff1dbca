/* The local and SMB transport: plain reads in OB_TRANSPORT_BLOCK pieces. */
#include "transport.h"
#include "names.h"
#include "path.h"
#include "str.h"

typedef struct local_transport {
    ob_transport base;
    BYTE *buffer;
    volatile LONG cancelled;
} local_transport;

static HRESULT last_error(ob_failure *failure)
{
    return ob_fail(failure, HRESULT_FROM_WIN32(GetLastError()), BG_ERROR_CONTEXT_REMOTE_FILE);
}

static HRESULT local_probe(ob_transport *transport, const WCHAR *remote, ob_remote_info *info,
                           ob_failure *failure)
{
    WIN32_FILE_ATTRIBUTE_DATA attrs;
    WCHAR *path = ob_remote_to_path(remote);
    BOOL ok;

    if (!path) return E_OUTOFMEMORY;
    ok = ob_path_attributes_ex(path, &attrs);
    ob_str_free(path);
    if (!ok) return last_error(failure);
    if (attrs.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY)
        return ob_fail(failure, HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND), BG_ERROR_CONTEXT_REMOTE_FILE);
    info->size = ((UINT64)attrs.nFileSizeHigh << 32) | attrs.nFileSizeLow;
    info->modified = attrs.ftLastWriteTime;
    return S_OK;
}

/* The source is still the file probed: same size and last-write time. */
static HRESULT check_unchanged(HANDLE file, const ob_remote_info *expected, ob_failure *failure)
{
    BY_HANDLE_FILE_INFORMATION about;
    UINT64 size;

    if (!GetFileInformationByHandle(file, &about)) return last_error(failure);
    size = ((UINT64)about.nFileSizeHigh << 32) | about.nFileSizeLow;
    if ((expected->size == BG_SIZE_UNKNOWN || size == expected->size)
        && ((!expected->modified.dwLowDateTime && !expected->modified.dwHighDateTime)
            || !CompareFileTime(&about.ftLastWriteTime, &expected->modified)))
        return S_OK;
    ob_fail_as(failure, BG_E_INVALID_SERVER_RESPONSE, BG_ERROR_CONTEXT_REMOTE_FILE, TRUE);
    failure->changed = TRUE;
    return failure->hr;
}

/* Checks the source again after every block read (before handing it over),
 * so a file rewritten during the copy, even at the same size, is never
 * mixed into one: the caller starts it again. */
static HRESULT stream(local_transport *self, HANDLE file, const ob_remote_info *expected, ob_sink_fn sink,
                      void *context, ob_failure *failure)
{
    BYTE *buffer = self->buffer;
    DWORD got;
    HRESULT hr;
    for (;;)
    {
        if (self->cancelled) return E_ABORT;
        if (!ReadFile(file, buffer, OB_TRANSPORT_BLOCK, &got, NULL)) return last_error(failure);
        if (FAILED(hr = check_unchanged(file, expected, failure))) return hr;
        if (!got) return S_OK;
        if (!sink(context, buffer, got)) return E_ABORT;
    }
}

static HRESULT local_fetch(ob_transport *transport, const WCHAR *remote, const ob_remote_info *expected,
                           UINT64 offset, ob_sink_fn sink, void *context, ob_failure *failure)
{
    local_transport *self = (local_transport *)transport;
    LARGE_INTEGER start;
    HANDLE file;
    WCHAR *path;
    HRESULT hr;

    if (self->cancelled) return E_ABORT;
    if (!(path = ob_remote_to_path(remote))) return E_OUTOFMEMORY;
    file = ob_path_open(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, OPEN_EXISTING,
                        FILE_FLAG_SEQUENTIAL_SCAN);
    ob_str_free(path);
    if (file == INVALID_HANDLE_VALUE) return last_error(failure);
    start.QuadPart = (LONGLONG)offset;
    hr = SetFilePointerEx(file, start, NULL, FILE_BEGIN) ? stream(self, file, expected, sink, context, failure)
                                                          : last_error(failure);
    CloseHandle(file);
    return hr;
}

static void local_cancel(ob_transport *transport)
{
    InterlockedExchange(&((local_transport *)transport)->cancelled, 1);
}

static void local_close(ob_transport *transport)
{
    local_transport *self = (local_transport *)transport;
    HeapFree(GetProcessHeap(), 0, self->buffer);
    HeapFree(GetProcessHeap(), 0, self);
}

static const ob_transport_ops local_ops = { local_probe, local_fetch, NULL, local_cancel, local_close };

HRESULT ob_local_transport_open(ob_transport **out)
{
    local_transport *self = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, sizeof(*self));
    if (!self) return E_OUTOFMEMORY;
    if (!(self->buffer = HeapAlloc(GetProcessHeap(), 0, OB_TRANSPORT_BLOCK)))
    {
        HeapFree(GetProcessHeap(), 0, self);
        return E_OUTOFMEMORY;
    }
    self->base.ops = &local_ops;
    *out = &self->base;
    return S_OK;
}
