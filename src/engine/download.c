/* One worker's turn on a download job: size every file (so BytesTotal is known
 * early), then stream each unfinished file, in the order added, into its
 * temporary file from the bytes already there. */
#include "download.h"
#include "fetch_file.h"
#include "job_http.h"
#include "notify.h"
#include "str.h"
#include "transport.h"

#define MODIFICATION_INTERVAL_MS 100

typedef struct run {
    ob_job *job;
    ULONG unit_ms;
    ob_transport *transports[OB_TRANSPORT_CLASSES]; /* by class, opened on first use */
    ULONGLONG last_modification;
    ULONG sized_below;             /* files from here on were not probed by this run */

    ULONG index;                   /* the file being written */
} run;

/* The outcome of a step: S_OK, E_ABORT (stopped), or a classified failure
 * with its place. */
typedef struct outcome {
    HRESULT hr;
    BG_ERROR_CONTEXT context;
    BOOL transient;
    BOOL changed;              /* the remote file is not the one probed */
    LONG file_index;
    ob_remote_kind protocol;
} outcome;

static void modified(run *r, BOOL now)
{
    ULONGLONG tick = GetTickCount64();
    if (!now && tick - r->last_modification < MODIFICATION_INTERVAL_MS) return;
    r->last_modification = tick;
    ob_notify_raise(r->job, OB_NOTIFY_JOB_MODIFICATION, 0);
}

static outcome fail_at(HRESULT hr, BG_ERROR_CONTEXT context, ULONG index, ob_remote_kind kind)
{
    outcome o = { hr, context, ob_transient_error(hr), FALSE, (LONG)index, kind };
    return o;
}

/* As the transport classified it (a failure it did not describe, such as
 * E_ABORT or E_OUTOFMEMORY, is classified here). */
static outcome failed_at(HRESULT hr, const ob_failure *failure, ULONG index, ob_remote_kind kind)
{
    outcome o = { failure->hr, failure->context, failure->transient, failure->changed, (LONG)index, kind };
    return hr == failure->hr ? o : fail_at(hr, BG_ERROR_CONTEXT_REMOTE_FILE, index, kind);
}

static outcome success(void)
{
    outcome o = { S_OK, BG_ERROR_CONTEXT_NONE, FALSE, FALSE, -1, OB_REMOTE_FILE };
    return o;
}

/* ---- transports ---- */

/* The registry's transport for this remote name, one open per class. */
static HRESULT transport_for(run *r, const WCHAR *remote, ob_transport **out)
{
    const ob_transport_class *cls = ob_transport_for(remote);
    HRESULT hr = S_OK;

    *out = NULL;
    if (!cls) return E_INVALIDARG; /* names.c accepts no such name */
    if (!r->transports[cls->index]) hr = ob_job_open_transport(r->job, cls, &r->transports[cls->index]);
    *out = r->transports[cls->index];
    return hr;
}

static void close_transports(run *r)
{
    ULONG i;
    for (i = 0; i < ARRAYSIZE(r->transports); i++)
        if (r->transports[i]) r->transports[i]->ops->close(r->transports[i]);
}

/* ---- sizing ---- */

static outcome probe_file(run *r, ULONG index, const WCHAR *remote, ob_remote_kind kind)
{
    ob_failure failure = { 0 };
    ob_remote_info info;
    ob_transport *transport;
    HRESULT hr;

    if (FAILED(hr = transport_for(r, remote, &transport)))
        return fail_at(hr, BG_ERROR_CONTEXT_GENERAL_TRANSPORT, index, kind);
    if (FAILED(hr = ob_job_call_begin(r->job, transport))) return fail_at(hr, BG_ERROR_CONTEXT_REMOTE_FILE, index, kind);
    hr = transport->ops->probe(transport, remote, &info, &failure);
    ob_job_call_end(r->job);
    ob_job_file_response(r->job, index, transport); /* headers, and where redirects led */
    if (FAILED(hr)) return failed_at(hr, &failure, index, kind);
    if (FAILED(hr = ob_job_file_probed(r->job, index, info.size, &info.modified)))
        return fail_at(hr, BG_ERROR_CONTEXT_REMOTE_FILE, index, kind);
    return success();
}

/* Every unfinished file, sized before any byte moves; sizes already known
 * are checked again, since the remote file may have changed meanwhile.  A
 * failure stops the sizing but is not reported here: the files before it
 * still transfer, and the failing file is probed again at its turn. */
static outcome size_files(run *r)
{
    ob_remote_kind kind;
    WCHAR *remote;
    BOOL sized;
    ULONG index;
    outcome o = success();

    r->sized_below = 0;
    for (index = 0; o.hr == S_OK && ob_job_next_file(r->job, &index, &remote, &kind, &sized); index++)
    {
        o = probe_file(r, index, remote, kind);
        ob_str_free(remote);
        if (o.hr == S_OK) r->sized_below = index + 1;
    }
    if (o.hr == S_OK) r->sized_below = ULONG_MAX;
    modified(r, TRUE);
    return o.hr == E_ABORT ? o : success();
}

/* ---- streaming ---- */

static BOOL count_file_bytes(void *context, UINT64 bytes)
{
    run *r = context;
    if (!ob_job_file_add_bytes(r->job, r->index, bytes)) return FALSE;
    modified(r, FALSE);
    return TRUE;
}

static void restart_file(void *context)
{
    run *r = context;
    ob_job_file_restart(r->job, r->index);
}

static outcome transfer_file(run *r, ULONG index, const WCHAR *remote, ob_remote_kind kind)
{
    ob_fetch f = { r->job };
    BG_FILE_RANGE *ranges;
    WCHAR *temp_name;
    HRESULT hr;

    r->index = index;
    if (FAILED(hr = transport_for(r, remote, &f.transport)))
        return fail_at(hr, BG_ERROR_CONTEXT_GENERAL_TRANSPORT, index, kind);
    if (FAILED(hr = ob_job_file_ranges(r->job, index, &ranges, &f.range_count)))
        return fail_at(hr, BG_ERROR_CONTEXT_GENERAL_QUEUE_MANAGER, index, kind);
    if (FAILED(hr = ob_job_file_begin(r->job, index, &temp_name, &f.offset, &f.expected)))
    {
        if (ranges) HeapFree(GetProcessHeap(), 0, ranges);
        return fail_at(hr, BG_ERROR_CONTEXT_LOCAL_FILE, index, kind);
    }
    modified(r, TRUE);
    f.remote = remote;
    f.temp_name = temp_name;
    f.ranges = ranges;
    f.count = count_file_bytes;
    f.restart = restart_file;
    f.context = r;
    hr = ob_fetch_to_file(&f);
    ob_job_file_response(r->job, index, f.transport);
    ob_str_free(temp_name);
    if (ranges) HeapFree(GetProcessHeap(), 0, ranges);
    /* not the file probed any more: it starts again */
    if (FAILED(hr) && f.failure.changed) ob_job_file_restart(r->job, index);
    if (FAILED(hr)) return failed_at(hr, &f.failure, index, kind);
    ob_job_file_done(r->job, index);
    ob_notify_raise(r->job, OB_NOTIFY_FILE_TRANSFERRED, index);
    return success();
}

/* A file that changed under the transfer is probed and fetched again from
 * zero at once (documented: its progress restarts); one that changes again
 * in the same run is a transient error, so that a server that never agrees
 * with itself ends by NoProgressTimeout (the restarts are not progress). */
static outcome transfer_one(run *r, ULONG index, const WCHAR *remote, ob_remote_kind kind, BOOL sized)
{
    outcome o = success();
    if (!sized || index >= r->sized_below) o = probe_file(r, index, remote, kind);
    if (o.hr == S_OK) o = transfer_file(r, index, remote, kind);
    if (o.hr == S_OK || !o.changed) return o;
    o = probe_file(r, index, remote, kind);
    if (o.hr == S_OK) o = transfer_file(r, index, remote, kind);
    return o;
}

/* Files added while the job runs are picked up too. */
static outcome transfer_files(run *r)
{
    ob_remote_kind kind;
    WCHAR *remote;
    BOOL sized;
    ULONG index = 0;
    outcome o = success();

    while (o.hr == S_OK && ob_job_next_file(r->job, &index, &remote, &kind, &sized))
    {
        o = transfer_one(r, index, remote, kind, sized);
        ob_str_free(remote);
    }
    return o;
}

/* ---- outcome ---- */

static void finish(run *r, outcome o)
{
    ob_error_info error;

    /* the state changes commit their own notifications (job.c) */
    if (o.hr == E_ABORT) return; /* stopped by the client: nothing to report */
    if (o.hr == S_OK)
    {
        ob_job_all_transferred(r->job);
        return;
    }
    error.code = o.hr;
    error.context = o.context;
    error.file_index = o.file_index;
    error.protocol = o.protocol;
    ob_job_fail(r->job, &error, o.transient, r->unit_ms); /* commits its own notifications */
}

void ob_download_run(ob_job *job, ULONG unit_ms)
{
    run r = { job, unit_ms };
    outcome o = size_files(&r);

    if (o.hr == S_OK) o = transfer_files(&r);
    finish(&r, o);
    close_transports(&r);
}
