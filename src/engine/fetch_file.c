#include "fetch_file.h"
#include "path.h"
#include "lock.h"
#include "ranges.h"

typedef struct sink_state {
    ob_fetch *f;
    HANDLE out;
    UINT64 limit;              /* the local offset this stream may reach */
    BOOL overflow;
    HRESULT write_error;
} sink_state;

static BOOL write_block(void *context, const BYTE *data, DWORD size)
{
    sink_state *s = context;
    ob_fetch *f = s->f;
    DWORD written;

    if (size > s->limit - f->offset)
    {
        size = (DWORD)(s->limit - f->offset);
        s->overflow = TRUE; /* more than the probe said: the file changed */
    }
    ob_lock_check_free("file write");
    if (size && !WriteFile(s->out, data, size, &written, NULL))
    {
        s->write_error = HRESULT_FROM_WIN32(GetLastError());
        return FALSE;
    }
    f->offset += size;
    return f->count(f->context, size) && !s->overflow;
}

static UINT64 file_size(HANDLE file)
{
    LARGE_INTEGER size;
    return GetFileSizeEx(file, &size) ? (UINT64)size.QuadPart : 0;
}

/* Opens the temporary file at the resume point, dropping anything past it.
 * OPEN_EXISTING: a temporary file deleted by Cancel meanwhile must not come
 * back. */
static HRESULT open_temp(ob_fetch *f, HANDLE *out)
{
    LARGE_INTEGER at;
    HRESULT hr;

    *out = ob_path_open(f->temp_name, GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_DELETE, OPEN_EXISTING,
                        FILE_ATTRIBUTE_NORMAL);
    if (*out == INVALID_HANDLE_VALUE) return HRESULT_FROM_WIN32(GetLastError());
    if (file_size(*out) < f->offset)
    {
        f->restart(f->context);
        f->offset = 0;
    }
    at.QuadPart = (LONGLONG)f->offset;
    if (SetFilePointerEx(*out, at, NULL, FILE_BEGIN) && SetEndOfFile(*out)) return S_OK;
    hr = HRESULT_FROM_WIN32(GetLastError());
    CloseHandle(*out);
    return hr;
}

static HRESULT stream(ob_fetch *f, sink_state *s)
{
    HRESULT hr;
    s->limit = f->expected.size;
    if (f->offset >= f->expected.size) return S_OK;
    if (FAILED(hr = ob_job_call_begin(f->job, f->transport))) return hr;
    hr = f->transport->ops->fetch(f->transport, f->remote, &f->expected, f->offset, write_block, s, &f->failure);
    ob_job_call_end(f->job);
    return hr;
}

/* Range after range from the one the local offset falls in (a resume goes
 * on inside it); the sink writes on where the last one ended. */
static HRESULT stream_ranges(ob_fetch *f, sink_state *s, UINT64 total)
{
    UINT64 remote, end;
    HRESULT hr = S_OK;

    if (!f->transport->ops->fetch_part) return E_INVALIDARG; /* names.c gives ranges only to http(s) */
    while (f->offset < total && ob_ranges_locate(f->ranges, f->range_count, f->expected.size, f->offset, &remote, &end))
    {
        s->limit = f->offset + (end - remote);
        if (FAILED(hr = ob_job_call_begin(f->job, f->transport))) return hr;
        hr = f->transport->ops->fetch_part(f->transport, f->remote, &f->expected, remote, end, write_block, s,
                                           &f->failure);
        ob_job_call_end(f->job);
        if (FAILED(hr) || f->offset < s->limit) break; /* short: an early end, judged by the caller */
    }
    return hr;
}

HRESULT ob_fetch_to_file(ob_fetch *f)
{
    sink_state s = { f, NULL, 0, FALSE, S_OK };
    UINT64 total = f->expected.size;
    HRESULT hr;

    memset(&f->failure, 0, sizeof(f->failure));
    if (f->ranges && FAILED(hr = ob_ranges_total(f->ranges, f->range_count, f->expected.size, &total)))
        return ob_fail(&f->failure, hr, BG_ERROR_CONTEXT_REMOTE_FILE);
    if (FAILED(hr = open_temp(f, &s.out))) return ob_fail(&f->failure, hr, BG_ERROR_CONTEXT_LOCAL_FILE);
    hr = f->ranges ? stream_ranges(f, &s, total) : stream(f, &s);
    CloseHandle(s.out);
    /* The file is open with FILE_SHARE_DELETE, so it can be deleted under
     * us: once our handle is closed it is gone.  Never call that done. */
    if (hr != E_ABORT && ob_path_is_gone(f->temp_name))
        return ob_fail_as(&f->failure, HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND), BG_ERROR_CONTEXT_LOCAL_FILE, FALSE);
    if (FAILED(s.write_error)) return ob_fail(&f->failure, s.write_error, BG_ERROR_CONTEXT_LOCAL_FILE);
    if (s.overflow)
    {
        /* more than probed: the remote file changed */
        ob_fail_as(&f->failure, BG_E_INVALID_SERVER_RESPONSE, BG_ERROR_CONTEXT_REMOTE_FILE, TRUE);
        f->failure.changed = TRUE;
        return f->failure.hr;
    }
    if (hr == E_ABORT) return hr;
    if (FAILED(hr))
    {
        if (!f->failure.hr) ob_fail(&f->failure, hr, BG_ERROR_CONTEXT_REMOTE_FILE);
        return hr;
    }
    if (f->offset != total)
        return ob_fail(&f->failure, HRESULT_FROM_WIN32(ERROR_HANDLE_EOF), BG_ERROR_CONTEXT_REMOTE_FILE);
    return S_OK;
}
