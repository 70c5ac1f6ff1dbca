/* The job record as the scheduler and its workers see it: claiming a job,
 * files, temporary files, progress, errors and retry timing.  Every function
 * takes the job's lock for a moment; none holds it across I/O (a temporary
 * file is made between two holds, and deleted again if Cancel came between). */
#include "job_private.h"
#include "engine.h"
#include "lock.h"
#include "path.h"
#include "ranges.h"
#include "trace.h"
#include "str.h"
#include "transport.h"

static ULONGLONG scaled_ms(ULONG seconds, ULONG unit_ms)
{
    return (ULONGLONG)seconds * unit_ms;
}

static ULONG clamp_wait(ULONGLONG ms)
{
    return ms > 0x7fffffff ? 0x7fffffff : (ULONG)ms;
}

/* TRANSIENT_ERROR: retry, give up, or wait for the nearer of the two times. */
static ob_sched_status poll_transient(ob_job *job, ULONGLONG now, ULONG unit_ms, ULONG *wait_ms, ob_change *change)
{
    ULONGLONG give_up = job->transient_since + scaled_ms(job->no_progress_timeout, unit_ms);

    if (now >= give_up)
    {
        ob_job_apply_event(job, OB_EV_FATAL_ERROR, change);
        return OB_SCHED_FAILED;
    }
    if (now >= job->retry_at)
    {
        ob_job_apply_event(job, OB_EV_RETRY, change);
        return OB_SCHED_RUNNABLE;
    }
    *wait_ms = clamp_wait(min(give_up, job->retry_at) - now);
    return OB_SCHED_WAITING;
}

ob_sched_status ob_job_sched_poll(ob_job *job, ULONGLONG now, ULONG unit_ms, BG_JOB_PRIORITY *priority,
                                  LONGLONG *seq, ULONG *wait_ms, ob_change *change)
{
    ob_sched_status status = OB_SCHED_IDLE;

    ob_lock_exclusive(&job->lock);
    if (job->running) status = OB_SCHED_BUSY;
    else if (job->state == BG_JOB_STATE_TRANSIENT_ERROR) status = poll_transient(job, now, unit_ms, wait_ms, change);
    else if (job->state == BG_JOB_STATE_QUEUED) status = OB_SCHED_RUNNABLE;
    *priority = job->priority;
    *seq = job->queued_seq;
    ob_unlock_exclusive(&job->lock);
    return status;
}

BOOL ob_job_sched_claim(ob_job *job, ob_change *change)
{
    BOOL claimed = FALSE;
    ob_lock_exclusive(&job->lock);
    if (!job->running && SUCCEEDED(ob_job_apply_event(job, OB_EV_CONNECT, change))) claimed = job->running = TRUE;
    ob_unlock_exclusive(&job->lock);
    return claimed;
}

void ob_job_sched_unclaim(ob_job *job)
{
    ob_change change = OB_NO_CHANGE;
    ob_lock_exclusive(&job->lock);
    if (job->yield) ob_job_apply_event(job, OB_EV_YIELD, &change);
    job->running = job->yield = FALSE;
    job->transport = NULL;
    ob_unlock_exclusive(&job->lock);
    ob_job_commit(job, &change);
}

BOOL ob_job_sched_preempt(ob_job *job, BG_JOB_PRIORITY priority)
{
    BOOL asked = FALSE;
    ob_lock_exclusive(&job->lock);
    if (job->running && !job->yield && ob_state_is_running(job->state) && job->priority == priority)
        asked = job->yield = TRUE;
    /* a worker waiting on the network (for headers, on a stalled body) stops now */
    if (asked && job->transport) job->transport->ops->cancel(job->transport);
    ob_unlock_exclusive(&job->lock);
    return asked;
}

HRESULT ob_job_call_begin(ob_job *job, ob_transport *transport)
{
    HRESULT hr = E_ABORT;
    ob_lock_exclusive(&job->lock);
    if (ob_state_is_running(job->state))
    {
        job->transport = transport;
        hr = S_OK;
    }
    ob_unlock_exclusive(&job->lock);
    return hr;
}

void ob_job_call_end(ob_job *job)
{
    ob_lock_exclusive(&job->lock);
    job->transport = NULL;
    ob_unlock_exclusive(&job->lock);
}

void ob_job_cancel_call(ob_job *job)
{
    ob_lock_exclusive(&job->lock);
    if (job->transport) job->transport->ops->cancel(job->transport);
    ob_unlock_exclusive(&job->lock);
}

BOOL ob_job_next_file(ob_job *job, ULONG *index, WCHAR **remote, ob_remote_kind *kind, BOOL *sized)
{
    BOOL found = FALSE;
    ULONG i;

    ob_lock_shared(&job->lock);
    for (i = *index; i < job->progress.files_total && !found; i++)
    {
        const ob_file *file = &job->files[i];
        if (file->progress.completed) continue;
        *index = i;
        *remote = ob_str_dup(file->remote_name);
        *kind = file->kind;
        *sized = file->progress.bytes_total != BG_SIZE_UNKNOWN;
        found = *remote != NULL;
    }
    ob_unlock_shared(&job->lock);
    return found;
}

static BOOL same_time(const FILETIME *a, const FILETIME *b)
{
    return a->dwLowDateTime == b->dwLowDateTime && a->dwHighDateTime == b->dwHighDateTime;
}

static BOOL time_known(const FILETIME *t)
{
    return t->dwLowDateTime || t->dwHighDateTime;
}

/* A file with ranges counts only them (documented for BytesTotal); the
 * remote file must hold them all (BG_E_INVALID_RANGE otherwise), and another
 * remote size, like another time, is another version: the file restarts. */
HRESULT ob_job_file_probed(ob_job *job, ULONG index, UINT64 size, const FILETIME *modified)
{
    ob_file *file;
    UINT64 others, total = size;
    HRESULT hr = S_OK;

    ob_lock_exclusive(&job->lock);
    file = &job->files[index];
    others = job->progress.bytes_total - (file->progress.bytes_total == BG_SIZE_UNKNOWN ? 0 : file->progress.bytes_total);
    if (file->ranges && size != BG_SIZE_UNKNOWN) hr = ob_ranges_total(file->ranges, file->range_count, size, &total);
    /* BytesTotal must stay a sum below BG_SIZE_UNKNOWN: never wrap. */
    if (SUCCEEDED(hr) && (total >= BG_SIZE_UNKNOWN || total > BG_SIZE_UNKNOWN - 1 - others))
        hr = HRESULT_FROM_WIN32(ERROR_ARITHMETIC_OVERFLOW);
    if (SUCCEEDED(hr))
    {
        BOOL other_version = time_known(&file->remote_modified) && !same_time(&file->remote_modified, modified);
        if (file->ranges && file->remote_size != BG_SIZE_UNKNOWN && file->remote_size != size) other_version = TRUE;
        if (other_version) ob_progress_file_restart(&job->progress, &file->progress);
        ob_progress_set_size(&job->progress, &file->progress, total);
        file->remote_modified = *modified;
        file->remote_size = size;
    }
    ob_unlock_exclusive(&job->lock);
    if (hr == BG_E_INVALID_RANGE)
        OB_TRACE(&job->id, L"file %lu: a range lies outside the remote file's %I64u bytes", index, size);
    return hr;
}

HRESULT ob_job_file_ranges(ob_job *job, ULONG index, BG_FILE_RANGE **ranges, ULONG *count)
{
    HRESULT hr = S_OK;

    *ranges = NULL;
    *count = 0;
    ob_lock_shared(&job->lock);
    if (job->files[index].ranges)
    {
        const ob_file *file = &job->files[index];
        if (!(*ranges = HeapAlloc(GetProcessHeap(), 0, file->range_count * sizeof(**ranges)))) hr = E_OUTOFMEMORY;
        else
        {
            memcpy(*ranges, file->ranges, file->range_count * sizeof(**ranges));
            *count = file->range_count;
        }
    }
    ob_unlock_shared(&job->lock);
    return hr;
}

/* "dir\BITxxxx.tmp" beside the destination, created exclusively, so the
 * name is ours alone. */
static HRESULT create_temp_file(const WCHAR *beside, WCHAR **out)
{
    *out = NULL;
    if (!beside) return E_UNEXPECTED;
    return ob_path_create_unique(beside, L"BIT", L".tmp", out);
}

/* Where the file ends up, whose directory takes its temporary file: the
 * local name of a download, the remote path of an SMB upload. */
static WCHAR *temp_beside(ob_job *job, const ob_file *file)
{
    if (job->type == BG_JOB_TYPE_DOWNLOAD) return ob_str_dup(file->local_name);
    return ob_remote_to_path(file->remote_name);
}

/* A job's temporary file (a file's or the reply's), made or found with no
 * lock held.  Under the lock: the current name and what it sits beside.
 * Outside: a recorded file that is gone (deleted behind our back) is dropped,
 * and a new one is created if there is none.  Under the lock again, the
 * caller's install() keeps the new file if the job still runs and has none
 * meanwhile; otherwise the new file is deleted (Cancel never misses one). */
typedef struct temp_slot {
    WCHAR *current;            /* the name recorded, or NULL */
    WCHAR *beside;
    BOOL lost;                 /* current no longer exists */
    WCHAR *created;
} temp_slot;

static HRESULT temp_slot_prepare(temp_slot *t)
{
    HRESULT hr = S_OK;
    if (t->current && ob_path_is_gone(t->current)) t->lost = TRUE;
    if (!t->current || t->lost) hr = create_temp_file(t->beside, &t->created);
    return hr;
}

/* Under the lock: installs the outcome into *slot; TRUE if the file starts
 * again from zero (its temporary file was lost). */
static BOOL temp_slot_install(temp_slot *t, WCHAR **slot)
{
    BOOL restart = FALSE;
    if (t->lost && *slot && !wcscmp(*slot, t->current))
    {
        ob_str_free(*slot);
        *slot = NULL;
        restart = TRUE;
    }
    if (!*slot && t->created)
    {
        *slot = t->created;
        t->created = NULL;
    }
    return restart;
}

static void temp_slot_free(temp_slot *t)
{
    if (t->created) ob_path_delete(t->created); /* not taken: the job stopped or has one */
    ob_str_free(t->created);
    ob_str_free(t->current);
    ob_str_free(t->beside);
}

HRESULT ob_job_file_begin(ob_job *job, ULONG index, WCHAR **temp_name, UINT64 *offset, ob_remote_info *expected)
{
    ob_change change = OB_NO_CHANGE;
    temp_slot t = { 0 };
    ob_file *file;
    HRESULT hr = E_ABORT;

    ob_lock_shared(&job->lock);
    file = &job->files[index];
    if (ob_state_is_running(job->state))
        hr = SUCCEEDED(ob_str_dup_opt(file->temp_name, &t.current)) && (t.beside = temp_beside(job, file))
                 ? S_OK : E_OUTOFMEMORY;
    ob_unlock_shared(&job->lock);
    if (SUCCEEDED(hr)) hr = temp_slot_prepare(&t);
    if (FAILED(hr))
    {
        temp_slot_free(&t);
        return hr;
    }

    ob_lock_exclusive(&job->lock);
    file = &job->files[index];
    hr = E_ABORT;
    if (ob_state_is_running(job->state))
    {
        if (temp_slot_install(&t, &file->temp_name)) ob_progress_file_restart(&job->progress, &file->progress);
        hr = file->temp_name ? ((*temp_name = ob_str_dup(file->temp_name)) ? S_OK : E_OUTOFMEMORY)
                             : HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND);
        *offset = file->progress.bytes_transferred;
        /* with ranges, the remote file's size (the local one is their sum) */
        expected->size = file->ranges ? file->remote_size : file->progress.bytes_total;
        expected->modified = file->remote_modified;
        if (SUCCEEDED(hr) && job->state == BG_JOB_STATE_CONNECTING) ob_job_apply_event(job, OB_EV_TRANSFER, &change);
    }
    ob_unlock_exclusive(&job->lock);
    ob_job_commit(job, &change);
    if (t.lost) OB_TRACE(&job->id, L"file %lu: temporary file %ls was deleted; the file starts again", index, t.current);
    if (t.created && SUCCEEDED(hr)) OB_TRACE(&job->id, L"file %lu: temporary file %ls not taken", index, t.created);
    temp_slot_free(&t);
    return hr;
}

/* BG_JOB_TIMES: ModificationTime is also "the time bytes were transferred".
 * Stamped with every block that moves progress (a block is 1 MiB or 100 ms,
 * so this is no clock read per byte); no JobModification here: the worker
 * raises those at its own bounded rate. */
static BOOL bytes_moved(ob_job *job, UINT64 bytes)
{
    ULONGLONG now = GetTickCount64();
    GetSystemTimeAsFileTime(&job->modified);
    /* the store saves progress at a bounded rate, never per block */
    job->unsaved_bytes += bytes;
    if (now - job->saved_tick < OB_SAVE_EVERY_MS && job->unsaved_bytes < OB_SAVE_EVERY_BYTES) return FALSE;
    job->saved_tick = now;
    job->unsaved_bytes = 0;
    return TRUE;
}

/* No lock held: the store hears of progress that bytes_moved found due. */
static void progress_saved_if(ob_job *job, BOOL due)
{
    if (due && job->engine) ob_engine_job_changed(job->engine, job);
}

void ob_job_file_restart(ob_job *job, ULONG index)
{
    ob_lock_exclusive(&job->lock);
    ob_progress_file_restart(&job->progress, &job->files[index].progress);
    ob_unlock_exclusive(&job->lock);
}

BOOL ob_job_file_add_bytes(ob_job *job, ULONG index, UINT64 bytes)
{
    BOOL keep_going, save;
    ob_lock_exclusive(&job->lock);
    ob_progress_add_bytes(&job->progress, &job->files[index].progress, bytes);
    job->transient_since = 0;
    save = bytes && bytes_moved(job, bytes);
    keep_going = ob_state_is_running(job->state) && !job->yield;
    ob_unlock_exclusive(&job->lock);
    progress_saved_if(job, save);
    return keep_going;
}

void ob_job_file_done(ob_job *job, ULONG index)
{
    ob_lock_exclusive(&job->lock);
    if (!ob_state_is_final(job->state)) ob_progress_file_done(&job->progress, &job->files[index].progress);
    ob_unlock_exclusive(&job->lock);
}

BOOL ob_job_all_transferred(ob_job *job)
{
    ob_change change = OB_NO_CHANGE;
    BOOL done = FALSE;
    ob_lock_exclusive(&job->lock);
    if (job->progress.files_transferred == job->progress.files_total &&
        SUCCEEDED(ob_job_apply_event(job, OB_EV_ALL_TRANSFERRED, &change)))
    {
        job->transfer_completed = job->modified;
        done = TRUE;
    }
    ob_unlock_exclusive(&job->lock);
    ob_job_commit(job, &change);
    return done;
}

static BOOL out_of_time(ob_job *job, ULONGLONG now, ULONG unit_ms)
{
    if (!job->transient_since) job->transient_since = now;
    return now - job->transient_since >= scaled_ms(job->no_progress_timeout, unit_ms);
}

BG_JOB_STATE ob_job_fail(ob_job *job, const ob_error_info *error, BOOL transient, ULONG unit_ms)
{
    ob_change change = OB_NO_CHANGE;
    ULONGLONG now = GetTickCount64();
    BG_JOB_STATE state;

    ob_lock_exclusive(&job->lock);
    if (transient && out_of_time(job, now, unit_ms)) transient = FALSE;
    if (SUCCEEDED(ob_job_apply_event(job, transient ? OB_EV_TRANSIENT_ERROR : OB_EV_FATAL_ERROR, &change)))
    {
        job->error = *error;
        job->has_error = TRUE;
        job->error_count++;
        job->retry_at = now + scaled_ms(job->retry_delay, unit_ms);
        if (job->state == BG_JOB_STATE_ERROR) ob_job_http_failed(job, error);
        ob_job_note_change(job, &change); /* a new error, even in the same state */
    }
    state = job->state;
    ob_unlock_exclusive(&job->lock);
    OB_TRACE(&job->id, L"error 0x%08lx context %d: %hs", (unsigned long)error->code, error->context,
             ob_state_name(state));
    ob_job_commit(job, &change);
    return state;
}

/* ---- uploads ---- */

HRESULT ob_job_upload_info(ob_job *job, ob_upload_info *out)
{
    const ob_file *file;
    HRESULT hr = S_OK;

    memset(out, 0, sizeof(*out));
    ob_lock_shared(&job->lock);
    if (!job->progress.files_total)
    {
        ob_unlock_shared(&job->lock);
        return BG_E_EMPTY;
    }
    file = &job->files[0];
    if (FAILED(ob_str_dup_opt(job->upload_url ? job->upload_url : file->remote_name, &out->url)) ||
        FAILED(ob_str_dup_opt(file->local_name, &out->local_name)) ||
        FAILED(ob_str_dup_opt(job->upload_session, &out->session)) ||
        FAILED(ob_str_dup_opt(job->reply_url, &out->reply_url)))
        hr = E_OUTOFMEMORY;
    out->acked = file->progress.bytes_transferred;
    out->sent = job->upload_sent;
    out->kind = file->kind;
    out->reply = job->reply;
    ob_unlock_shared(&job->lock);
    if (FAILED(hr)) ob_upload_info_free(out);
    return hr;
}

void ob_upload_info_free(ob_upload_info *info)
{
    ob_str_free(info->url);
    ob_str_free(info->local_name);
    ob_str_free(info->session);
    ob_str_free(info->reply_url);
    memset(info, 0, sizeof(*info));
}

HRESULT ob_job_upload_check_file(ob_job *job, UINT64 size, const FILETIME *time)
{
    ob_change change = OB_NO_CHANGE;
    HRESULT hr = S_OK;

    ob_lock_exclusive(&job->lock);
    if (!job->upload_file_known)
    {
        job->upload_file_known = TRUE;
        job->upload_size = size;
        job->upload_time = *time;
        ob_progress_set_size(&job->progress, &job->files[0].progress, size);
    }
    else if (job->upload_size != size || !same_time(&job->upload_time, time))
        hr = BG_E_LOCAL_FILE_CHANGED;
    if (SUCCEEDED(hr) && job->state == BG_JOB_STATE_CONNECTING) ob_job_apply_event(job, OB_EV_TRANSFER, &change);
    ob_unlock_exclusive(&job->lock);
    ob_job_commit(job, &change);
    return hr;
}

void ob_job_upload_session(ob_job *job, const WCHAR *session, const WCHAR *url, BOOL lost)
{
    WCHAR *new_session = NULL, *new_url = NULL;

    ob_str_dup_opt(session, &new_session);
    ob_str_dup_opt(url, &new_url);
    ob_lock_exclusive(&job->lock);
    ob_str_free(job->upload_session);
    ob_str_free(job->upload_url);
    job->upload_session = new_session;
    job->upload_url = new_url;
    if (lost) ob_progress_file_restart(&job->progress, &job->files[0].progress);
    ob_unlock_exclusive(&job->lock);
}

BOOL ob_job_upload_acked(ob_job *job, UINT64 received)
{
    ob_file_progress *file;
    BOOL keep_going, save = FALSE;

    ob_lock_exclusive(&job->lock);
    file = &job->files[0].progress;
    /* the server may say it has less than we sent; progress follows it */
    if (received < file->bytes_transferred) ob_progress_file_restart(&job->progress, file);
    if (received > file->bytes_transferred)
    {
        UINT64 moved = received - file->bytes_transferred;
        ob_progress_add_bytes(&job->progress, file, moved);
        job->transient_since = 0;
        save = bytes_moved(job, moved);
    }
    keep_going = ob_state_is_running(job->state) && !job->yield;
    ob_unlock_exclusive(&job->lock);
    progress_saved_if(job, save);
    return keep_going;
}

/* The rename is done with no lock held (an SMB rename is a network round
 * trip); the job then forgets the temporary file if it still runs. */
HRESULT ob_job_upload_commit_file(ob_job *job)
{
    WCHAR *temp = NULL, *remote_path = NULL;
    ob_file *file;
    HRESULT hr = E_ABORT;

    ob_lock_shared(&job->lock);
    file = &job->files[0];
    if (ob_state_is_running(job->state) && file->temp_name)
        hr = SUCCEEDED(ob_str_dup_opt(file->temp_name, &temp)) && (remote_path = ob_remote_to_path(file->remote_name))
                 ? S_OK : E_OUTOFMEMORY;
    ob_unlock_shared(&job->lock);
    if (SUCCEEDED(hr) && !ob_path_move(temp, remote_path))
        hr = HRESULT_FROM_WIN32(GetLastError());
    if (SUCCEEDED(hr))
    {
        ob_lock_exclusive(&job->lock);
        file = &job->files[0];
        if (file->temp_name && !wcscmp(file->temp_name, temp))
        {
            ob_str_free(file->temp_name);
            file->temp_name = NULL; /* no longer ours to rename or delete */
        }
        if (!ob_state_is_running(job->state)) hr = E_ABORT;
        ob_unlock_exclusive(&job->lock);
    }
    ob_str_free(temp);
    ob_str_free(remote_path);
    return hr;
}

void ob_job_upload_sent(ob_job *job, const WCHAR *reply_url)
{
    WCHAR *url = NULL;

    if (reply_url && *reply_url) ob_str_dup_opt(reply_url, &url);
    ob_lock_exclusive(&job->lock);
    job->upload_sent = TRUE;
    ob_str_free(job->reply_url);
    job->reply_url = url;
    ob_unlock_exclusive(&job->lock);
}

HRESULT ob_job_reply_begin(ob_job *job, UINT64 size, WCHAR **temp_name, UINT64 *offset)
{
    temp_slot t = { 0 };
    HRESULT hr = E_ABORT;

    ob_lock_shared(&job->lock);
    if (ob_state_is_running(job->state))
        hr = SUCCEEDED(ob_str_dup_opt(job->reply_temp_name, &t.current)) &&
             SUCCEEDED(ob_str_dup_opt(job->reply_file_name, &t.beside)) ? S_OK : E_OUTOFMEMORY;
    ob_unlock_shared(&job->lock);
    if (SUCCEEDED(hr)) hr = temp_slot_prepare(&t);
    if (FAILED(hr))
    {
        temp_slot_free(&t);
        return hr;
    }

    ob_lock_exclusive(&job->lock);
    hr = E_ABORT;
    if (ob_state_is_running(job->state))
    {
        if (temp_slot_install(&t, &job->reply_temp_name) || job->reply.BytesTotal != size)
            job->reply.BytesTransferred = 0; /* a new or changed reply, or its file was lost */
        job->reply.BytesTotal = size;
        *offset = job->reply.BytesTransferred;
        hr = !job->reply_temp_name ? HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND)
             : (*temp_name = ob_str_dup(job->reply_temp_name)) ? S_OK : E_OUTOFMEMORY;
    }
    ob_unlock_exclusive(&job->lock);
    temp_slot_free(&t);
    return hr;
}

BOOL ob_job_reply_add_bytes(ob_job *job, UINT64 bytes)
{
    BOOL keep_going, save;
    ob_lock_exclusive(&job->lock);
    job->reply.BytesTransferred = min(job->reply.BytesTransferred + bytes, job->reply.BytesTotal);
    job->transient_since = 0;
    save = bytes && bytes_moved(job, bytes);
    keep_going = ob_state_is_running(job->state) && !job->yield;
    ob_unlock_exclusive(&job->lock);
    progress_saved_if(job, save);
    return keep_going;
}

void ob_job_reply_restart(ob_job *job)
{
    ob_lock_exclusive(&job->lock);
    job->reply.BytesTransferred = 0;
    ob_unlock_exclusive(&job->lock);
}

/* ---- the network settings ---- */

static void free_options(ob_transport_options *options, ob_transport_credential *creds)
{
    ULONG i;
    for (i = 0; i < options->credential_count; i++)
    {
        ob_str_wipe((WCHAR *)creds[i].user);
        ob_str_wipe((WCHAR *)creds[i].password);
    }
    ob_str_free((WCHAR *)options->proxy_list);
    ob_str_free((WCHAR *)options->proxy_bypass);
    ob_job_http_free_options(options);
}

/* The job's proxy and credentials, copied under its lock. */
static void copy_options(ob_job *job, ob_transport_options *options, ob_transport_credential *creds)
{
    int target, scheme;

    memset(options, 0, sizeof(*options));
    ob_lock_shared(&job->lock);
    options->proxy_usage = job->proxy_usage;
    ob_str_dup_opt(job->proxy_list, (WCHAR **)&options->proxy_list);
    ob_str_dup_opt(job->proxy_bypass, (WCHAR **)&options->proxy_bypass);
    for (target = 0; target < OB_AUTH_TARGETS; target++)
        for (scheme = 0; scheme < OB_AUTH_SCHEMES; scheme++)
        {
            const ob_credential *c = &job->credentials[target][scheme];
            ob_transport_credential *out = &creds[options->credential_count];
            if (!c->set) continue;
            out->target = target + 1;
            out->scheme = scheme + 1;
            ob_str_dup_opt(c->user, (WCHAR **)&out->user);
            ob_str_dup_opt(c->password, (WCHAR **)&out->password);
            options->credential_count++;
        }
    ob_job_http_options(job, options);
    ob_unlock_shared(&job->lock);
    options->credentials = creds;
}

HRESULT ob_job_open_transport(ob_job *job, const ob_transport_class *cls, ob_transport **out)
{
    return ob_job_open_transport_timeout(job, cls, 0, out);
}

HRESULT ob_job_open_transport_timeout(ob_job *job, const ob_transport_class *cls, ULONG timeout_ms,
                                      ob_transport **out)
{
    ob_transport_credential creds[OB_AUTH_TARGETS * OB_AUTH_SCHEMES];
    ob_transport_options options;
    HRESULT hr;

    *out = NULL;
    if (!cls) return E_INVALIDARG;
    copy_options(job, &options, creds);
    options.timeout_ms = timeout_ms;
    hr = cls->open(&options, out);
    free_options(&options, creds);
    return hr;
}
