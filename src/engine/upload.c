/* One worker's turn on an upload or upload-reply job, over the BITS Upload
 * Protocol: Create-Session, Fragments from the bytes the server already has,
 * then (upload-reply) the reply downloaded from BITS-Reply-URL, then
 * Close-Session.  The session survives Suspend and retries.  An upload to an
 * SMB or local path is a block copy instead. */
#include "upload.h"
#include "bup.h"
#include "fetch_file.h"
#include "engine.h"
#include "notify.h"
#include "path.h"
#include "lock.h"
#include "str.h"
#include "trace.h"

/* Fragments start at 1 MiB and grow while they go fast: per fragment there
 * are a few round trips, so on a fast link larger fragments move more. */
#define FRAGMENT_MIN (1024 * 1024)
#define FRAGMENT_MAX (8 * 1024 * 1024)
#define FRAGMENT_FAST_MS 100     /* faster than this: double */
#define FRAGMENT_SLOW_MS 1000    /* slower than this: halve (progress stays live) */
#define MAX_RESYNCS 8            /* Acks that move nothing (416s...), per session */
#define HEADERS_CHARS 1024
/* Cancel-Session, after Cancel: each step (connecting, sending, waiting for
 * the Ack) gives up after CANCEL_TIMEOUT_MS; resent on 5xx at most
 * CANCEL_ATTEMPTS times in all, CANCEL_RETRY_MS apart. */
#define CANCEL_TIMEOUT_MS 5000
#define CANCEL_ATTEMPTS 3
#define CANCEL_RETRY_MS 1000

typedef struct upload {
    ob_job *job;
    ULONG unit_ms;
    ob_transport *transport;
    ob_upload_info info;
    HANDLE file;
    UINT64 size;
    ob_buffer *buffer;         /* FRAGMENT_MAX bytes */
    DWORD fragment_size;
    BOOL after_cancel;         /* the Cancel-Session sender: the job no longer runs */
} upload;

typedef struct result {
    HRESULT hr;
    BG_ERROR_CONTEXT context;
    BOOL transient;            /* as the transport classified it; the server's own
                                * errors are classified by ob_transient_error */
    BOOL violation;            /* the server broke the protocol: ERROR, never retried */
} result;

static result ok(void)
{
    result r = { S_OK, BG_ERROR_CONTEXT_NONE, FALSE, FALSE };
    return r;
}

static result failed(HRESULT hr, BG_ERROR_CONTEXT context)
{
    result r = { hr, context, ob_transient_error(hr), FALSE };
    return r;
}

/* As the transport classified it. */
static result transport_failed(HRESULT hr, const ob_failure *failure)
{
    result r = { hr, failure->context, failure->transient, FALSE };
    if (hr == E_ABORT || hr != failure->hr) return failed(hr, BG_ERROR_CONTEXT_REMOTE_FILE);
    return r;
}

/* What an Ack check found: the server's own error (its BITS-Error-Code) is
 * classified like any other; an Ack that breaks the protocol is not worth
 * retrying, the same server would answer the same way. */
static result judged(HRESULT hr, BG_ERROR_CONTEXT context, const ob_bup_ack *ack)
{
    result r = failed(hr, context);
    r.violation = (hr == BG_E_INVALID_SERVER_RESPONSE || hr == BG_E_CLIENT_SERVER_PROTOCOL_MISMATCH) &&
                  !(ack->has_error && ack->error_code == hr);
    return r;
}

/* ---- packets ---- */

/* Sends one packet; *ack is what came back (any status). */
static result send_packet(upload *u, ob_bup_packet packet, const ob_bup_fragment *fragment, ob_buffer *body,
                          ob_bup_ack *ack)
{
    WCHAR headers[HEADERS_CHARS], *raw = NULL;
    ob_failure failure = { 0 };
    DWORD status = 0;
    HRESULT hr;

    if (FAILED(hr = ob_bup_headers(packet, u->info.session, fragment, headers, ARRAYSIZE(headers))))
        return failed(hr, BG_ERROR_CONTEXT_GENERAL_TRANSPORT);
    if (!u->after_cancel && FAILED(hr = ob_job_call_begin(u->job, u->transport)))
        return failed(hr, BG_ERROR_CONTEXT_REMOTE_FILE);
    hr = u->transport->ops->post(u->transport, u->info.url, OB_BUP_VERB, headers, body,
                                 fragment ? fragment->length : 0, &status, &raw, &failure);
    if (!u->after_cancel) ob_job_call_end(u->job);
    if (fragment)
        OB_TRACE(ob_job_id(u->job), L"BITS_POST %ls %ls bytes %I64u+%lu/%I64u: status %lu, hr 0x%08lx",
                 ob_bup_packet_name(packet), u->info.url, fragment->first, fragment->length, fragment->total, status, hr);
    else
        OB_TRACE(ob_job_id(u->job), L"BITS_POST %ls %ls: status %lu, hr 0x%08lx", ob_bup_packet_name(packet), u->info.url,
                 status, hr);
    if (FAILED(hr)) return transport_failed(hr, &failure);
    ob_bup_parse_ack(status, raw, ack);
    ob_str_free(raw);
    return ok();
}

/* Before a new session: a Ping opens the connection and settles any
 * authentication before a fragment's megabyte is sent. */
static result ping(upload *u)
{
    ob_bup_ack ack;
    result r = send_packet(u, OB_BUP_PING, NULL, NULL, &ack);
    if (SUCCEEDED(r.hr)) r.hr = ob_bup_ack_result(&ack, &r.context);
    return r;
}

static result create_session(upload *u)
{
    ob_bup_ack ack;
    WCHAR *url = NULL;
    result r = ping(u);

    if (SUCCEEDED(r.hr)) r = send_packet(u, OB_BUP_CREATE_SESSION, NULL, NULL, &ack);
    if (FAILED(r.hr)) return r;
    if (FAILED(r.hr = ob_bup_session_result(&ack, &r.context))) return judged(r.hr, r.context, &ack);
    if (ack.host_id[0] && FAILED(r.hr = ob_bup_redirect(u->info.url, ack.host_id, &url)))
        return judged(r.hr, BG_ERROR_CONTEXT_REMOTE_FILE, &ack);
    ob_job_upload_session(u->job, ack.session_id, url, FALSE);
    ob_str_free(url);
    ob_upload_info_free(&u->info);
    if (FAILED(r.hr = ob_job_upload_info(u->job, &u->info))) r.context = BG_ERROR_CONTEXT_GENERAL_QUEUE_MANAGER;
    return r;
}

/* ---- the local file ---- */

static result open_local(upload *u)
{
    BY_HANDLE_FILE_INFORMATION about;
    HRESULT hr;

    u->file = ob_path_open(u->info.local_name, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                           OPEN_EXISTING, FILE_FLAG_SEQUENTIAL_SCAN);
    if (u->file == INVALID_HANDLE_VALUE) return failed(HRESULT_FROM_WIN32(GetLastError()), BG_ERROR_CONTEXT_LOCAL_FILE);
    if (!GetFileInformationByHandle(u->file, &about))
        return failed(HRESULT_FROM_WIN32(GetLastError()), BG_ERROR_CONTEXT_LOCAL_FILE);
    u->size = ((UINT64)about.nFileSizeHigh << 32) | about.nFileSizeLow;
    hr = ob_job_upload_check_file(u->job, u->size, &about.ftLastWriteTime);
    return FAILED(hr) ? failed(hr, BG_ERROR_CONTEXT_LOCAL_FILE) : ok();
}

/* The bytes of one fragment, checking the file has not changed under us. */
static result read_fragment(upload *u, const ob_bup_fragment *f)
{
    BY_HANDLE_FILE_INFORMATION about;
    LARGE_INTEGER at;
    DWORD got = 0;
    HRESULT hr;

    if (!GetFileInformationByHandle(u->file, &about))
        return failed(HRESULT_FROM_WIN32(GetLastError()), BG_ERROR_CONTEXT_LOCAL_FILE);
    hr = ob_job_upload_check_file(u->job, ((UINT64)about.nFileSizeHigh << 32) | about.nFileSizeLow,
                                  &about.ftLastWriteTime);
    if (FAILED(hr)) return failed(hr, BG_ERROR_CONTEXT_LOCAL_FILE);
    at.QuadPart = (LONGLONG)f->first;
    ob_lock_check_free("file read");
    if (!SetFilePointerEx(u->file, at, NULL, FILE_BEGIN) || !ReadFile(u->file, u->buffer->data, f->length, &got, NULL))
        return failed(HRESULT_FROM_WIN32(GetLastError()), BG_ERROR_CONTEXT_LOCAL_FILE);
    if (got != f->length) return failed(BG_E_LOCAL_FILE_CHANGED, BG_ERROR_CONTEXT_LOCAL_FILE);
    return ok();
}

/* ---- fragments ---- */

static void adapt_fragment_size(upload *u, ULONGLONG took_ms)
{
    if (took_ms < FRAGMENT_FAST_MS) u->fragment_size = min(u->fragment_size * 2, FRAGMENT_MAX);
    else if (took_ms > FRAGMENT_SLOW_MS) u->fragment_size = max(u->fragment_size / 2, FRAGMENT_MIN);
}

static result send_fragment(upload *u, UINT64 offset, UINT64 *next, ob_bup_ack *ack)
{
    ULONGLONG started = GetTickCount64();
    ob_bup_fragment f;
    result r;

    f.first = offset;
    f.length = (DWORD)min(u->size - offset, u->fragment_size);
    f.total = u->size;
    f.content_name = offset == 0 ? ob_path_leaf(u->info.local_name) : NULL;
    if (FAILED((r = read_fragment(u, &f)).hr)) return r;
    if (FAILED((r = send_packet(u, OB_BUP_FRAGMENT, &f, u->buffer, ack)).hr)) return r;
    adapt_fragment_size(u, GetTickCount64() - started);
    /* offset is the most the server has acknowledged in this session */
    if (FAILED(r.hr = ob_bup_fragment_result(ack, &f, offset, next, &r.context))) return judged(r.hr, r.context, ack);
    return ok();
}

/* Fragments from what the server has to the end; a lost session starts over.
 * Acks that move nothing (a 416 at the same offset...) are bounded per
 * session, and an Ack going backwards is a protocol error (bup.c). */
static result send_fragments(upload *u)
{
    UINT64 offset = u->info.acked, next;
    ULONG resyncs = 0;
    ob_bup_ack ack;
    result r;

    for (;;) /* at least one fragment: an empty file is one empty fragment */
    {
        if (!u->info.session)
        {
            if (FAILED((r = create_session(u)).hr)) return r;
            resyncs = 0;
        }
        r = send_fragment(u, offset, &next, &ack);
        if (r.hr == BG_E_SESSION_NOT_FOUND)
        {
            ob_job_upload_session(u->job, NULL, NULL, TRUE); /* the server forgot us: from zero */
            ob_str_free(u->info.session);
            u->info.session = NULL;
            offset = 0;
            continue;
        }
        if (FAILED(r.hr)) return r;
        if (next <= offset && ++resyncs > MAX_RESYNCS)
        {
            r = failed(BG_E_INVALID_SERVER_RESPONSE, BG_ERROR_CONTEXT_REMOTE_FILE);
            r.violation = TRUE;
            return r;
        }
        offset = next;
        if (!ob_job_upload_acked(u->job, offset)) return failed(E_ABORT, BG_ERROR_CONTEXT_NONE);
        if (offset >= u->size && ack.status != 416) break;
    }
    ob_job_upload_sent(u->job, ack.reply_url);
    return ok();
}

/* ---- SMB and local destinations ---- */

/* Opens the temporary file at the resume point; one shorter than what was
 * counted starts the upload again. */
static result open_remote_temp(upload *u, UINT64 *offset, HANDLE *out)
{
    WCHAR *temp_name;
    LARGE_INTEGER at, size;
    ob_remote_info total;
    HRESULT hr = ob_job_file_begin(u->job, 0, &temp_name, offset, &total);

    if (FAILED(hr)) return failed(hr, BG_ERROR_CONTEXT_REMOTE_FILE);
    *out = ob_path_open(temp_name, GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_DELETE, OPEN_EXISTING, 0);
    ob_str_free(temp_name);
    if (*out == INVALID_HANDLE_VALUE) return failed(HRESULT_FROM_WIN32(GetLastError()), BG_ERROR_CONTEXT_REMOTE_FILE);
    if (!GetFileSizeEx(*out, &size) || (UINT64)size.QuadPart < *offset)
    {
        ob_job_upload_acked(u->job, 0);
        *offset = 0;
    }
    at.QuadPart = (LONGLONG)*offset;
    if (SetFilePointerEx(*out, at, NULL, FILE_BEGIN) && SetEndOfFile(*out)) return ok();
    CloseHandle(*out);
    return failed(HRESULT_FROM_WIN32(GetLastError()), BG_ERROR_CONTEXT_REMOTE_FILE);
}

/* BITS uploads to SMB too: the local file is copied in blocks into a
 * temporary file beside the remote one, which takes the remote name once
 * every byte is there, as a server renames an upload at its last fragment. */
static result copy_to_remote(upload *u)
{
    ob_bup_fragment block = { 0, 0, u->size, NULL };
    UINT64 offset;
    DWORD written;
    HANDLE out;
    result r = open_remote_temp(u, &offset, &out);

    if (FAILED(r.hr)) return r;
    while (SUCCEEDED(r.hr) && offset < u->size)
    {
        block.first = offset;
        block.length = (DWORD)min(u->size - offset, FRAGMENT_MAX);
        if (FAILED((r = read_fragment(u, &block)).hr)) break;
        ob_lock_check_free("file write");
        if (!WriteFile(out, u->buffer->data, block.length, &written, NULL))
            r = failed(HRESULT_FROM_WIN32(GetLastError()), BG_ERROR_CONTEXT_REMOTE_FILE);
        else if (!ob_job_upload_acked(u->job, offset += block.length))
            r = failed(E_ABORT, BG_ERROR_CONTEXT_NONE);
    }
    CloseHandle(out);
    if (SUCCEEDED(r.hr) && FAILED(r.hr = ob_job_upload_commit_file(u->job))) r.context = BG_ERROR_CONTEXT_REMOTE_FILE;
    if (SUCCEEDED(r.hr)) ob_job_upload_sent(u->job, NULL);
    return r;
}

/* ---- the reply ---- */

static BOOL count_reply_bytes(void *context, UINT64 bytes)
{
    upload *u = context;
    BOOL keep_going = ob_job_reply_add_bytes(u->job, bytes);
    ob_notify_raise(u->job, OB_NOTIFY_JOB_MODIFICATION, 0);
    return keep_going;
}

static void restart_reply(void *context)
{
    upload *u = context;
    ob_job_reply_restart(u->job);
}

/* Downloaded like any file (size, then ranged reads, resumable) into the
 * temporary reply file; no reply URL is an empty reply. */
static result fetch_reply(upload *u)
{
    ob_failure failure = { 0 };
    ob_fetch f = { u->job, u->transport };
    ob_remote_info info = { 0 };
    WCHAR *temp_name;
    HRESULT hr;

    if (u->info.reply_url)
    {
        if (FAILED(hr = ob_job_call_begin(u->job, u->transport))) return failed(hr, BG_ERROR_CONTEXT_REMOTE_FILE);
        hr = u->transport->ops->probe(u->transport, u->info.reply_url, &info, &failure);
        ob_job_call_end(u->job);
        if (FAILED(hr)) return transport_failed(hr, &failure);
    }
    if (FAILED(hr = ob_job_reply_begin(u->job, info.size, &temp_name, &f.offset)))
        return failed(hr, BG_ERROR_CONTEXT_LOCAL_FILE);
    f.remote = u->info.reply_url;
    f.temp_name = temp_name;
    f.expected = info;
    f.count = count_reply_bytes;
    f.restart = restart_reply;
    f.context = u;
    hr = ob_fetch_to_file(&f);
    ob_str_free(temp_name);
    if (FAILED(hr) && f.failure.changed) ob_job_reply_restart(u->job);
    return FAILED(hr) ? transport_failed(hr, &f.failure) : ok();
}

/* ---- the session's end ---- */

static result close_session(upload *u)
{
    ob_bup_ack ack;
    result r;

    if (!u->info.session) return ok();
    if (FAILED((r = send_packet(u, OB_BUP_CLOSE_SESSION, NULL, NULL, &ack)).hr)) return r;
    r.hr = ob_bup_ack_result(&ack, &r.context);
    /* documented: a Close-Session the server no longer knows is not resent */
    if (r.hr == BG_E_SESSION_NOT_FOUND || SUCCEEDED(r.hr)) r = ok();
    if (SUCCEEDED(r.hr)) ob_job_upload_session(u->job, NULL, NULL, FALSE);
    return r;
}

static result run_upload(upload *u)
{
    result r = open_local(u);

    if (SUCCEEDED(r.hr) && !u->info.sent)
        r = u->info.kind == OB_REMOTE_FILE ? copy_to_remote(u) : send_fragments(u);
    if (SUCCEEDED(r.hr))
    {
        ob_upload_info_free(&u->info);
        r.hr = ob_job_upload_info(u->job, &u->info);
    }
    if (SUCCEEDED(r.hr) && ob_job_type(u->job) == BG_JOB_TYPE_UPLOAD_REPLY) r = fetch_reply(u);
    if (SUCCEEDED(r.hr)) r = close_session(u);
    return r;
}

/* ---- outcome ---- */

static void finish(upload *u, result r)
{
    ob_error_info error = { r.hr, r.context, 0, OB_REMOTE_HTTP };

    if (r.hr == E_ABORT) return;
    if (FAILED(r.hr))
        OB_TRACE(ob_job_id(u->job), L"upload failed: 0x%08lx, context %d%ls", r.hr, r.context,
                 r.violation ? L", a protocol violation: not retried" : L"");
    if (SUCCEEDED(r.hr))
    {
        ob_job_file_done(u->job, 0);
        ob_job_all_transferred(u->job); /* commits its own notifications */
    }
    else ob_job_fail(u->job, &error, !r.violation && (r.transient || ob_transient_error(r.hr)), u->unit_ms);
}

void ob_upload_run(ob_job *job, ULONG unit_ms)
{
    upload u = { job, unit_ms };
    result r = ok();

    u.fragment_size = FRAGMENT_MIN;
    if (FAILED(r.hr = ob_job_upload_info(job, &u.info)) || FAILED(r.hr = ob_job_open_transport(job, ob_transport_for(u.info.url), &u.transport)) ||
        !(u.buffer = ob_buffer_new(FRAGMENT_MAX)))
        r = failed(FAILED(r.hr) ? r.hr : E_OUTOFMEMORY, BG_ERROR_CONTEXT_GENERAL_TRANSPORT);
    else
        r = run_upload(&u);
    finish(&u, r);
    if (u.file && u.file != INVALID_HANDLE_VALUE) CloseHandle(u.file);
    if (u.transport) u.transport->ops->close(u.transport);
    if (u.buffer) ob_buffer_release(u.buffer);
    ob_upload_info_free(&u.info);
}

/* ---- Cancel-Session ---- */

/* Resent on 5xx (documented), at most CANCEL_ATTEMPTS times, never on
 * 1xx-4xx or when the server no longer knows the session; a network failure
 * or a timeout (the transport's own, CANCEL_TIMEOUT_MS a step) ends it. */
static void send_cancel_session(upload *u)
{
    ob_bup_ack ack;
    ULONG attempt;

    for (attempt = 0; attempt < CANCEL_ATTEMPTS; attempt++)
    {
        result r;
        if (attempt) Sleep(CANCEL_RETRY_MS);
        r = send_packet(u, OB_BUP_CANCEL_SESSION, NULL, NULL, &ack);
        if (FAILED(r.hr) || ack.status < 500 || (ack.has_error && ack.error_code == BG_E_SESSION_NOT_FOUND)) return;
    }
}

static void free_canceller(upload *u)
{
    if (u->transport) u->transport->ops->close(u->transport);
    ob_upload_info_free(&u->info);
    if (u->job) ob_job_release(u->job);
    HeapFree(GetProcessHeap(), 0, u);
}

static DWORD WINAPI cancel_session_main(void *param)
{
    send_cancel_session(param);
    free_canceller(param);
    return 0;
}

/* The job is cancelled: tell the server about its open session, if any, on a
 * thread of its own (tracked by the job's engine, whose stop waits for it),
 * since Cancel must not wait for the network. */
void ob_upload_cancel_session(ob_job *job)
{
    upload *u = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, sizeof(*u));
    struct ob_engine *engine = ob_job_engine(job);
    BOOL started = FALSE;

    if (!u) return;
    ob_job_addref(job);
    u->job = job;
    u->after_cancel = TRUE;
    if (engine && SUCCEEDED(ob_job_upload_info(job, &u->info)) && u->info.session &&
        SUCCEEDED(ob_job_open_transport_timeout(job, ob_transport_for(u->info.url), CANCEL_TIMEOUT_MS,
                                                &u->transport)))
        started = ob_engine_spawn(engine, cancel_session_main, u);
    if (!started) free_canceller(u);
}
