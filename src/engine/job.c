#include "job_private.h"
#include "engine.h"
#include "config.h"
#include "lock.h"
#include "state.h"
#include "str.h"
#include "table.h"
#include "transport.h"
#include "upload.h"
#include "notify.h"
#include "path.h"
#include "ranges.h"
#include "trace.h"
#include <objbase.h>
#include <stdio.h>

#define REPLY_DATA_LIMIT (1024 * 1024)

static void wake_scheduler(ob_job *job);

/* ---- the commit step ---- */

void ob_job_note_change(ob_job *job, ob_change *change)
{
    GetSystemTimeAsFileTime(&job->modified);
    change->modified = TRUE;
}

void ob_job_commit(ob_job *job, const ob_change *change)
{
    if (!change->modified) return;
    if (change->state_changed)
    {
        OB_TRACE(&job->id, L"state %hs", ob_state_name(change->state));
        if (change->state == BG_JOB_STATE_TRANSFERRED) ob_notify_raise(job, OB_NOTIFY_JOB_TRANSFERRED, 0);
        else if (change->state == BG_JOB_STATE_ERROR) ob_notify_raise(job, OB_NOTIFY_JOB_ERROR, 0);
    }
    /* documented: "a property or the state changed" */
    ob_notify_raise(job, OB_NOTIFY_JOB_MODIFICATION, 0);
    /* the store's writer saves it (or forgets it, once final) */
    if (job->engine) ob_engine_job_changed(job->engine, job);
}

/* Lock for a change to a job that is not in a final state. */
static HRESULT lock_for_change(ob_job *job)
{
    ob_lock_exclusive(&job->lock);
    if (!ob_state_is_final(job->state)) return S_OK;
    ob_unlock_exclusive(&job->lock);
    return BG_E_INVALID_STATE;
}

/* Releases the lock taken by lock_for_change and commits what changed. */
static HRESULT unlock_after_change(ob_job *job, const ob_change *change, HRESULT hr)
{
    ob_unlock_exclusive(&job->lock);
    ob_job_commit(job, change);
    return hr;
}

/* ---- the property table ---- */

#define PLAIN OB_PROP_PLAIN
#define OWN OB_PROP_OWN_SETTER
#define READ_ONLY OB_PROP_READ_ONLY

static const ob_prop_desc props[OB_PROP_COUNT] = {
    /* id, name, type, access, default, limit, beyond the limit, minimum, valid bits, persistent */
    { OB_PROP_DISPLAY_NAME, "DisplayName", OB_PROP_STRING, PLAIN, 0, OB_MAX_DISPLAY_NAME, BG_E_STRING_TOO_LONG, 0, 0, TRUE },
    { OB_PROP_DESCRIPTION, "Description", OB_PROP_STRING, PLAIN, 0, OB_MAX_DESCRIPTION, BG_E_STRING_TOO_LONG, 0, 0, TRUE },
    /* documented: E_NOTIMPL for undefined priorities and flags */
    { OB_PROP_PRIORITY, "Priority", OB_PROP_ULONG, PLAIN, BG_JOB_PRIORITY_NORMAL, BG_JOB_PRIORITY_LOW, E_NOTIMPL, 0, 0, TRUE },
    { OB_PROP_NOTIFY_FLAGS, "NotifyFlags", OB_PROP_ULONG, PLAIN, OB_DEFAULT_NOTIFY_FLAGS, ULONG_MAX, E_NOTIMPL, 0,
      OB_VALID_NOTIFY_FLAGS, TRUE },
    /* documented: a delay below the minimum is raised to it */
    { OB_PROP_RETRY_DELAY, "MinimumRetryDelay", OB_PROP_ULONG, PLAIN, OB_DEFAULT_RETRY_DELAY, ULONG_MAX, E_INVALIDARG,
      OB_MIN_RETRY_DELAY, 0, TRUE },
    { OB_PROP_NO_PROGRESS_TIMEOUT, "NoProgressTimeout", OB_PROP_ULONG, PLAIN, OB_DEFAULT_NO_PROGRESS, ULONG_MAX,
      E_INVALIDARG, 0, 0, TRUE },
    /* given at creation */
    { OB_PROP_TYPE, "Type", OB_PROP_ULONG, READ_ONLY, BG_JOB_TYPE_DOWNLOAD, BG_JOB_TYPE_UPLOAD_REPLY, E_INVALIDARG, 0,
      0, TRUE },
    /* a SID string; TakeOwnership changes it */
    { OB_PROP_OWNER, "Owner", OB_PROP_STRING, READ_ONLY, 0, ULONG_MAX, E_INVALIDARG, 0, 0,
      TRUE },
    /* counted by the engine at each error */
    { OB_PROP_ERROR_COUNT, "ErrorCount", OB_PROP_ULONG, READ_ONLY, 0, ULONG_MAX, E_INVALIDARG, 0, 0, TRUE },
    /* SetProxySettings sets these three together */
    { OB_PROP_PROXY_USAGE, "ProxyUsage", OB_PROP_ULONG, OWN, BG_JOB_PROXY_USAGE_PRECONFIG, BG_JOB_PROXY_USAGE_AUTODETECT,
      E_NOTIMPL /* documented */, 0, 0, TRUE },
    { OB_PROP_PROXY_LIST, "ProxyList", OB_PROP_STRING, OWN, 0, OB_MAX_PROXY_LIST, BG_E_PROXY_LIST_TOO_LARGE, 0, 0,
      TRUE },
    { OB_PROP_PROXY_BYPASS, "ProxyBypassList", OB_PROP_STRING, OWN, 0, OB_MAX_PROXY_LIST,
      BG_E_PROXY_BYPASS_LIST_TOO_LARGE, 0, 0, TRUE },
    /* SetNotifyCmdLine sets these two together */
    { OB_PROP_NOTIFY_PROGRAM, "NotifyProgram", OB_PROP_STRING, OWN, 0, MAX_PATH, BG_E_STRING_TOO_LONG, 0, 0, TRUE },
    { OB_PROP_NOTIFY_PARAMETERS, "NotifyParameters", OB_PROP_STRING, OWN, 0, OB_MAX_CMD_PARAMS, BG_E_STRING_TOO_LONG,
      0, 0, TRUE },
    /* SetReplyFileName checks and may create it (upload-reply jobs only) */
    { OB_PROP_REPLY_FILE_NAME, "ReplyFileName", OB_PROP_STRING, OWN, 0, MAX_PATH, BG_E_STRING_TOO_LONG, 0, 0, TRUE },
    /* documented: the callback is not persisted */
    { OB_PROP_NOTIFY_INTERFACE, "NotifyInterface", OB_PROP_SINK, OWN, 0, 0, E_INVALIDARG, 0, 0, FALSE },
    /* SetFileACLFlags refuses a TRANSFERRED job too; documented: E_INVALIDARG for other bits */
    { OB_PROP_FILE_ACL_FLAGS, "FileACLFlags", OB_PROP_ULONG, OWN, 0, ULONG_MAX, E_INVALIDARG, 0, BG_COPY_FILE_ALL,
      TRUE },
};

#undef PLAIN
#undef OWN
#undef READ_ONLY

const ob_prop_desc *ob_job_prop_desc(ob_job_prop id)
{
    return (unsigned)id < OB_PROP_COUNT ? &props[id] : NULL;
}

HRESULT ob_job_prop_check_string(ob_job_prop id, const WCHAR *value)
{
    const ob_prop_desc *desc = ob_job_prop_desc(id);
    if (!desc || desc->type != OB_PROP_STRING) return E_INVALIDARG;
    return value && wcslen(value) > desc->limit ? desc->invalid : S_OK;
}

/* Where a property lives in the record. */
ULONG *ob_job_ulong_slot(ob_job *job, ob_job_prop id)
{
    switch (id)
    {
    case OB_PROP_PRIORITY:            return (ULONG *)&job->priority;
    case OB_PROP_NOTIFY_FLAGS:        return &job->notify_flags;
    case OB_PROP_RETRY_DELAY:         return &job->retry_delay;
    case OB_PROP_NO_PROGRESS_TIMEOUT: return &job->no_progress_timeout;
    case OB_PROP_TYPE:                return (ULONG *)&job->type;
    case OB_PROP_ERROR_COUNT:         return &job->error_count;
    case OB_PROP_PROXY_USAGE:         return (ULONG *)&job->proxy_usage;
    case OB_PROP_FILE_ACL_FLAGS:      return &job->file_acl_flags;
    default:                          return NULL;
    }
}

WCHAR **ob_job_string_slot(ob_job *job, ob_job_prop id)
{
    switch (id)
    {
    case OB_PROP_DISPLAY_NAME:      return &job->display_name;
    case OB_PROP_DESCRIPTION:       return &job->description;
    case OB_PROP_OWNER:             return &job->owner_sid;
    case OB_PROP_PROXY_LIST:        return &job->proxy_list;
    case OB_PROP_PROXY_BYPASS:      return &job->proxy_bypass;
    case OB_PROP_NOTIFY_PROGRAM:    return &job->notify_program;
    case OB_PROP_NOTIFY_PARAMETERS: return &job->notify_parameters;
    case OB_PROP_REPLY_FILE_NAME:   return &job->reply_file_name;
    default:                        return NULL;
    }
}

static void set_defaults(ob_job *job)
{
    ULONG i;
    for (i = 0; i < OB_PROP_COUNT; i++)
        if (props[i].type == OB_PROP_ULONG && props[i].id != OB_PROP_TYPE)
            *ob_job_ulong_slot(job, props[i].id) = props[i].default_value;
}

/* The value a ULONG property takes, or the documented error. */
static HRESULT check_ulong(const ob_prop_desc *desc, ULONG value, ULONG *stored)
{
    if (value > desc->limit || (desc->valid_bits && (value & ~desc->valid_bits))) return desc->invalid;
    *stored = max(value, desc->minimum);
    return S_OK;
}

HRESULT ob_job_lock_for_change(ob_job *job)
{
    return lock_for_change(job);
}

HRESULT ob_job_unlock_after_change(ob_job *job, const ob_change *change, HRESULT hr)
{
    return unlock_after_change(job, change, hr);
}

HRESULT ob_job_new(const WCHAR *display_name, BG_JOB_TYPE type, const WCHAR *owner_sid, ob_job **out)
{
    ob_job *job = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, sizeof(*job));
    if (!job) return E_OUTOFMEMORY;

    job->refs = 1;
    job->type = type;
    job->flavour = &ob_flavour_bits;
    InitializeSRWLock(&job->lock);
    job->state = BG_JOB_STATE_SUSPENDED;
    set_defaults(job);
    job->reply.BytesTotal = BG_SIZE_UNKNOWN;
    GetSystemTimeAsFileTime(&job->created);
    job->modified = job->created;
    job->display_name = ob_str_dup(display_name);
    job->description = ob_str_dup(L"");
    job->owner_sid = ob_str_dup(owner_sid);
    if (FAILED(CoCreateGuid(&job->id)) || !job->display_name || !job->description || !job->owner_sid)
    {
        ob_job_release(job);
        return E_OUTOFMEMORY;
    }
    *out = job;
    return S_OK;
}

void ob_job_addref(ob_job *job)
{
    InterlockedIncrement(&job->refs);
}

struct ob_engine *ob_job_engine(ob_job *job)
{
    return job->engine;
}

void ob_job_set_engine(ob_job *job, struct ob_engine *engine)
{
    job->engine = engine;
}

const GUID *ob_job_id(const ob_job *job)
{
    return &job->id;
}

BG_JOB_TYPE ob_job_type(const ob_job *job)
{
    return job->type;
}

BG_JOB_STATE ob_job_state(ob_job *job)
{
    BG_JOB_STATE state;
    ob_lock_shared(&job->lock);
    state = job->state;
    ob_unlock_shared(&job->lock);
    return state;
}

BOOL ob_job_owned_by(ob_job *job, const WCHAR *sid)
{
    BOOL owned;
    ob_lock_shared(&job->lock);
    owned = !wcscmp(job->owner_sid, sid);
    ob_unlock_shared(&job->lock);
    return owned;
}

void ob_job_copy_owner(ob_job *job, WCHAR *sid, ULONG chars)
{
    ob_lock_shared(&job->lock);
    lstrcpynW(sid, job->owner_sid, chars);
    ob_unlock_shared(&job->lock);
}

ob_job_link *ob_job_table_link(ob_job *job)
{
    return &job->link;
}

void ob_job_init_flavour(ob_job *job, const ob_flavour *flavour)
{
    job->flavour = flavour;
    job->no_progress_timeout = ob_flavour_no_progress_timeout(flavour, job->priority);
}

const ob_flavour *ob_job_flavour(ob_job *job)
{
    return job->flavour;
}

static void wipe_credential(ob_credential *cred)
{
    ob_str_wipe(cred->user);
    ob_str_wipe(cred->password);
    memset(cred, 0, sizeof(*cred));
}

static void wipe_all_credentials(ob_job *job)
{
    int t, s;
    for (t = 0; t < OB_AUTH_TARGETS; t++)
        for (s = 0; s < OB_AUTH_SCHEMES; s++)
            wipe_credential(&job->credentials[t][s]);
}

static void free_file(ob_file *file)
{
    ob_str_free(file->response_headers);
    ob_str_free(file->remote_name);
    ob_str_free(file->local_name);
    ob_str_free(file->temp_name);
    ob_str_free(file->client_id);
    if (file->ranges) HeapFree(GetProcessHeap(), 0, file->ranges);
}

void ob_job_release(ob_job *job)
{
    ULONG i;
    if (InterlockedDecrement(&job->refs)) return;

    for (i = 0; i < job->progress.files_total; i++) free_file(&job->files[i]);
    HeapFree(GetProcessHeap(), 0, job->files);
    wipe_all_credentials(job);
    ob_job_http_free(&job->http);
    if (job->notify_sink) ob_sink_release(job->notify_sink);
    ob_str_free(job->owner_sid);
    ob_str_free(job->display_name);
    ob_str_free(job->description);
    ob_str_free(job->notify_program);
    ob_str_free(job->notify_parameters);
    ob_str_free(job->proxy_list);
    ob_str_free(job->proxy_bypass);
    ob_str_free(job->reply_file_name);
    ob_str_free(job->reply_temp_name);
    ob_str_free(job->reply_url);
    ob_str_free(job->upload_session);
    ob_str_free(job->upload_url);
    HeapFree(GetProcessHeap(), 0, job);
}

/* ---- files ---- */

/* The limits, checked first (a full upload job says BG_E_TOO_MANY_FILES
 * whatever the names), then again under the lock. */
static HRESULT check_file_count(ob_job *job, ULONG count, ULONG max_files)
{
    ULONG have = job->progress.files_total;

    if (job->type != BG_JOB_TYPE_DOWNLOAD && have + count > 1) return BG_E_TOO_MANY_FILES;
    if (max_files && have + count > max_files) return BG_E_TOO_MANY_FILES_IN_JOB;
    return S_OK;
}

HRESULT ob_job_reserve_files(ob_job *job, ULONG needed)
{
    ULONG capacity = job->files_capacity ? job->files_capacity : 4;
    ob_file *grown;

    if (needed <= job->files_capacity) return S_OK;
    while (capacity < needed) capacity *= 2;
    grown = job->files ? HeapReAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, job->files, capacity * sizeof(*grown))
                       : HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, capacity * sizeof(*grown));
    if (!grown) return E_OUTOFMEMORY;
    job->files = grown;
    job->files_capacity = capacity;
    return S_OK;
}

/* "BITxxxx.reply" beside the upload file, created empty and exclusively so
 * that it is ours alone (an existing file is never taken); too long a name
 * for MAX_PATH is an invalid name, as SetReplyFileName says. */
static HRESULT generate_reply_name(const WCHAR *upload_file, WCHAR **out)
{
    HRESULT hr = ob_path_create_unique(upload_file, L"BIT", L".reply", out);
    return hr == HRESULT_FROM_WIN32(ERROR_FILENAME_EXCED_RANGE) ? E_INVALIDARG : hr;
}

static void delete_generated_reply(WCHAR *name)
{
    if (name) ob_path_delete(name);
    ob_str_free(name);
}

static void free_prepared(ob_file *files, ULONG count)
{
    ULONG i;
    for (i = 0; i < count; i++) free_file(&files[i]);
    HeapFree(GetProcessHeap(), 0, files);
}

/* A file's ranges (AddFileWithRanges), already checked (ranges.h). */
typedef struct file_ranges {
    const BG_FILE_RANGE *ranges;
    ULONG count;
} file_ranges;

/* Ranges are served by HTTP only (documented: "Starting with BITS 3.0, the
 * SMB protocol is not supported for ranges"): E_INVALIDARG otherwise. */
static HRESULT copy_ranges(ob_file *file, const file_ranges *given)
{
    if (file->kind != OB_REMOTE_HTTP) return E_INVALIDARG;
    if (!(file->ranges = HeapAlloc(GetProcessHeap(), 0, given->count * sizeof(*file->ranges)))) return E_OUTOFMEMORY;
    memcpy(file->ranges, given->ranges, given->count * sizeof(*file->ranges));
    file->range_count = given->count;
    return S_OK;
}

/* Checks every name (this touches the file system, and the network for a UNC
 * name: no lock is held) and keeps the local names normalised.  ranges: the
 * one file's, or NULL. */
static HRESULT prepare_files(BG_JOB_TYPE type, ULONG count, const BG_FILE_INFO *infos, const file_ranges *ranges,
                             ob_file **out)
{
    ob_file *files = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, count * sizeof(*files));
    HRESULT hr = files ? S_OK : E_OUTOFMEMORY;
    ULONG i;

    for (i = 0; i < count && SUCCEEDED(hr); i++)
    {
        files[i].remote_size = BG_SIZE_UNKNOWN;
        if (FAILED(hr = ob_check_remote_name(infos[i].RemoteName, type, &files[i].kind)) ||
            (ranges && FAILED(hr = copy_ranges(&files[i], ranges))) ||
            FAILED(hr = ob_check_local_name(infos[i].LocalName, type)))
            break;
        files[i].remote_name = ob_str_dup(infos[i].RemoteName);
        files[i].local_name = ob_path_normalize(infos[i].LocalName);
        if (!files[i].remote_name || !files[i].local_name) hr = E_OUTOFMEMORY;
    }
    if (FAILED(hr) && files) free_prepared(files, count);
    *out = SUCCEEDED(hr) ? files : NULL;
    return hr;
}

static void trace_refused(ob_job *job, ULONG count, const BG_FILE_INFO *files, HRESULT hr)
{
    WCHAR remote[256];
    if (!ob_trace_on) return;
    ob_remote_for_trace(files[0].RemoteName, remote, ARRAYSIZE(remote));
    OB_TRACE(&job->id, L"AddFile: %lu file(s) refused (0x%08lx), first %ls -> %ls", count, hr, remote,
             files[0].LocalName ? files[0].LocalName : L"(null)");
}

/* What the checks outside the lock need to know, read under it. */
static HRESULT peek_for_add(ob_job *job, ULONG count, ULONG max_files, BOOL *wants_reply_name)
{
    HRESULT hr = BG_E_INVALID_STATE;
    ob_lock_shared(&job->lock);
    if (!ob_state_is_final(job->state)) hr = check_file_count(job, count, max_files);
    *wants_reply_name = job->type == BG_JOB_TYPE_UPLOAD_REPLY && !job->reply_file_name;
    ob_unlock_shared(&job->lock);
    return hr;
}

static HRESULT add_files(ob_job *job, ULONG count, const BG_FILE_INFO *files, const file_ranges *ranges,
                         ULONG max_files)
{
    ob_change change = OB_NO_CHANGE;
    WCHAR *reply_name = NULL;
    ob_file *prepared;
    BOOL wants_reply_name;
    BG_JOB_STATE next;
    HRESULT hr;
    ULONG i, base;

    if (!count) return E_INVALIDARG;
    if (FAILED(hr = peek_for_add(job, count, max_files, &wants_reply_name)) ||
        FAILED(hr = prepare_files(job->type, count, files, ranges, &prepared)))
    {
        trace_refused(job, count, files, hr);
        return hr;
    }
    if (wants_reply_name && FAILED(hr = generate_reply_name(prepared[0].local_name, &reply_name)))
    {
        OB_TRACE(&job->id, L"AddFile: no reply file name beside %ls (0x%08lx)", prepared[0].local_name, hr);
        free_prepared(prepared, count);
        return hr;
    }

    /* Again under the lock: the job may have changed meanwhile.  next is
     * checked before anything changes, applied once the files are in. */
    if (FAILED(hr = lock_for_change(job)))
    {
        free_prepared(prepared, count);
        delete_generated_reply(reply_name);
        return hr;
    }
    if (FAILED(hr = check_file_count(job, count, max_files)) ||
        FAILED(hr = ob_state_next(job->state, OB_EV_FILES_ADDED, job->type, &next)) ||
        FAILED(hr = ob_job_reserve_files(job, job->progress.files_total + count)))
    {
        unlock_after_change(job, &change, hr);
        free_prepared(prepared, count);
        delete_generated_reply(reply_name);
        return hr;
    }
    base = job->progress.files_total;
    memcpy(&job->files[base], prepared, count * sizeof(*prepared));
    for (i = 0; i < count; i++) ob_progress_file_added(&job->progress, &job->files[base + i].progress);
    ob_job_note_change(job, &change);
    ob_job_apply_event(job, OB_EV_FILES_ADDED, &change);
    if (reply_name && !job->reply_file_name)
    {
        job->reply_file_name = reply_name;
        job->reply_name_generated = TRUE;
        reply_name = NULL;
    }
    unlock_after_change(job, &change, S_OK);
    for (i = 0; ob_trace_on && i < count; i++)
    {
        WCHAR remote[256];
        ob_remote_for_trace(prepared[i].remote_name, remote, ARRAYSIZE(remote));
        OB_TRACE(&job->id, L"file %lu added: %ls -> %ls", base + i, remote, prepared[i].local_name);
    }
    if (!reply_name && wants_reply_name) OB_TRACE(&job->id, L"reply file name generated (created empty)");
    HeapFree(GetProcessHeap(), 0, prepared); /* the names now belong to the job */
    delete_generated_reply(reply_name);      /* a name was set meanwhile */
    wake_scheduler(job);
    return S_OK;
}

HRESULT ob_job_add_files(ob_job *job, ULONG count, const BG_FILE_INFO *files, ULONG max_files)
{
    return add_files(job, count, files, NULL, max_files);
}

/* Documented order: E_NOTIMPL for an upload job, then the ranges, then what
 * AddFile checks; ranges need an http(s) remote name. */
HRESULT ob_job_add_file_with_ranges(ob_job *job, const BG_FILE_INFO *file, ULONG range_count,
                                    const BG_FILE_RANGE *ranges, ULONG max_files, ULONG max_ranges)
{
    file_ranges given = { ranges, range_count };
    HRESULT hr;

    if (job->type != BG_JOB_TYPE_DOWNLOAD) return E_NOTIMPL;
    if (FAILED(hr = ob_ranges_check(ranges, range_count, max_ranges)))
    {
        OB_TRACE(&job->id, L"AddFileWithRanges: %lu range(s) refused (0x%08lx)", range_count, (ULONG)hr);
        return hr;
    }
    return add_files(job, 1, file, &given, max_files);
}

/* ---- state changes ---- */

static LONGLONG queue_counter;

HRESULT ob_job_apply_event(ob_job *job, ob_event event, ob_change *change)
{
    BG_JOB_STATE next, before = job->state;
    HRESULT hr = ob_state_next(before, event, job->type, &next);

    if (FAILED(hr)) return hr;
    if (next == before) return S_OK; /* nothing changed: nothing to commit */
    job->state = next;
    change->state_changed = TRUE;
    change->state = next;
    ob_job_note_change(job, change);
    if (next == BG_JOB_STATE_QUEUED && before != BG_JOB_STATE_QUEUED)
        job->queued_seq = ob_job_next_queue_seq();
    /* Suspend, Cancel and Complete stop a transfer at once, even one blocked
     * on the network; the worker then sees the new state and leaves. */
    if (job->transport && !ob_state_is_running(next)) job->transport->ops->cancel(job->transport);
    return S_OK;
}

BOOL ob_job_store_mark(ob_job *job)
{
    return !InterlockedExchange(&job->store_pending, 1);
}

void ob_job_store_unmark(ob_job *job)
{
    InterlockedExchange(&job->store_pending, 0);
}

LONGLONG ob_job_next_queue_seq(void)
{
    return InterlockedIncrement64(&queue_counter);
}

static void wake_scheduler(ob_job *job)
{
    BOOL queued;
    ob_lock_shared(&job->lock);
    queued = job->state == BG_JOB_STATE_QUEUED;
    ob_unlock_shared(&job->lock);
    if (queued && job->link.table) ob_table_job_queued(job->link.table, job);
}

HRESULT ob_job_resume(ob_job *job)
{
    ob_change change = OB_NO_CHANGE;
    HRESULT hr;
    if (FAILED(hr = lock_for_change(job))) return hr;
    if (!job->progress.files_total) return unlock_after_change(job, &change, BG_E_EMPTY);
    if (SUCCEEDED(hr = ob_job_apply_event(job, OB_EV_RESUME, &change))) job->transient_since = 0;
    unlock_after_change(job, &change, hr);
    wake_scheduler(job);
    return hr;
}

HRESULT ob_job_suspend(ob_job *job)
{
    ob_change change = OB_NO_CHANGE;
    HRESULT hr;
    if (FAILED(hr = lock_for_change(job))) return hr;
    hr = ob_job_apply_event(job, OB_EV_SUSPEND, &change);
    return unlock_after_change(job, &change, hr);
}

static BOOL delete_temp(WCHAR **temp_name)
{
    BOOL ok = TRUE;
    if (!*temp_name) return TRUE;
    if (!ob_path_delete_under_lock(*temp_name) && GetLastError() != ERROR_FILE_NOT_FOUND) ok = FALSE;
    else ob_config_crash_point("cancel-deleted-one");
    ob_str_free(*temp_name);
    *temp_name = NULL;
    return ok;
}

/* Before Complete or Cancel touches a file: with a store, the job's record
 * says so on disk first, so that a crash in the middle is finished when the
 * job is restored, never left half done. */
static void journal_ending(ob_job *job, ob_job_ending ending)
{
    BOOL marked = FALSE;
    if (!job->engine) return;
    ob_lock_exclusive(&job->lock);
    if (!ob_state_is_final(job->state) && job->ending != ending)
    {
        job->ending = ending;
        marked = TRUE;
    }
    ob_unlock_exclusive(&job->lock);
    if (!marked) return;
    ob_engine_job_changed(job->engine, job);
    ob_engine_flush_store(job->engine);
}

/* Complete failed: the job stays, and is no longer ending. */
static void unjournal_ending(ob_job *job, ob_change *change)
{
    if (job->ending == OB_ENDING_NONE) return;
    job->ending = OB_ENDING_NONE;
    job->ending_restored = FALSE;
    ob_job_note_change(job, change);
}

ob_job_ending ob_job_restored_ending(ob_job *job)
{
    ob_job_ending ending;
    ob_lock_shared(&job->lock);
    ending = job->ending_restored ? job->ending : OB_ENDING_NONE;
    ob_unlock_shared(&job->lock);
    return ending;
}

/* Deletes only what this job created: its temporary files. */
static HRESULT delete_temporaries(ob_job *job)
{
    BOOL all_deleted = TRUE;
    ULONG i;
    for (i = 0; i < job->progress.files_total; i++)
        all_deleted &= delete_temp(&job->files[i].temp_name);
    all_deleted &= delete_temp(&job->reply_temp_name);
    return all_deleted ? S_OK : BG_S_UNABLE_TO_DELETE_FILES;
}

/* Completed files take their final names; a failed rename keeps the job as it
 * was and returns that error. */
static HRESULT commit_completed_files(ob_job *job)
{
    ULONG i;
    for (i = 0; i < job->progress.files_total; i++)
    {
        ob_file *file = &job->files[i];
        if (!file->progress.completed) continue;
        if (file->temp_name)
        {
            /* after a crash mid-Complete, a temporary file that is gone was renamed already */
            if (!ob_path_move_under_lock(file->temp_name, file->local_name) &&
                !(job->ending_restored && GetLastError() == ERROR_FILE_NOT_FOUND))
                return HRESULT_FROM_WIN32(GetLastError());
            ob_config_crash_point("complete-renamed-one");
            ob_str_free(file->temp_name);
            file->temp_name = NULL;
        }
        file->available = TRUE; /* BG_FILE_PROGRESS.Completed from now on */
    }
    if (job->reply_temp_name && job->reply_file_name)
    {
        if (!ob_path_move_under_lock(job->reply_temp_name, job->reply_file_name) &&
            !(job->ending_restored && GetLastError() == ERROR_FILE_NOT_FOUND))
            return HRESULT_FROM_WIN32(GetLastError());
        ob_str_free(job->reply_temp_name);
        job->reply_temp_name = NULL;
    }
    return S_OK;
}

static void leave_table(ob_job *job)
{
    if (job->link.table) ob_table_remove(job->link.table, job);
}

HRESULT ob_job_cancel(ob_job *job)
{
    ob_change change = OB_NO_CHANGE;
    WCHAR *generated_reply = NULL;
    HRESULT hr;

    journal_ending(job, OB_ENDING_CANCEL);
    if (FAILED(hr = lock_for_change(job))) return hr;
    hr = ob_job_apply_event(job, OB_EV_CANCEL, &change);
    if (SUCCEEDED(hr)) hr = delete_temporaries(job);
    if (SUCCEEDED(hr) && job->reply_name_generated) ob_str_dup_opt(job->reply_file_name, &generated_reply);
    unlock_after_change(job, &change, hr);
    leave_table(job);
    delete_generated_reply(generated_reply); /* the empty file AddFile made is ours too */
    if (SUCCEEDED(hr) && job->type != BG_JOB_TYPE_DOWNLOAD) ob_upload_cancel_session(job);
    return hr;
}

HRESULT ob_job_complete(ob_job *job)
{
    ob_change change = OB_NO_CHANGE;
    BG_JOB_STATE next;
    BOOL partial;
    HRESULT hr;

    if (ob_job_state(job) == BG_JOB_STATE_TRANSFERRED) journal_ending(job, OB_ENDING_COMPLETE);
    if (FAILED(hr = lock_for_change(job))) return hr;
    if (FAILED(hr = ob_state_next(job->state, OB_EV_COMPLETE, job->type, &next)) ||
        FAILED(hr = commit_completed_files(job)))
    {
        unjournal_ending(job, &change);
        unlock_after_change(job, &change, hr);
        OB_TRACE(&job->id, L"Complete failed (0x%08lx): the files renamed so far are the user's", hr);
        return hr;
    }

    partial = job->progress.files_transferred < job->progress.files_total;
    ob_job_apply_event(job, OB_EV_COMPLETE, &change);
    hr = delete_temporaries(job);
    if (hr == S_OK && partial) hr = BG_S_PARTIAL_COMPLETE;
    unlock_after_change(job, &change, hr);
    leave_table(job);
    return hr;
}

/* ---- reading ---- */

void ob_job_get_info(ob_job *job, ob_job_info *out)
{
    ob_lock_shared(&job->lock);
    out->state = ob_flavour_state(job->flavour, job->state);
    out->priority = job->priority;
    out->notify_flags = job->notify_flags;
    out->has_notify_interface = job->notify_sink != NULL;
    out->retry_delay = job->retry_delay;
    out->no_progress_timeout = job->no_progress_timeout;
    out->error_count = job->error_count;
    out->proxy_usage = job->proxy_usage;
    out->times.CreationTime = job->created;
    out->times.ModificationTime = job->modified;
    out->times.TransferCompletionTime = job->transfer_completed;
    ob_unlock_shared(&job->lock);
}

void ob_job_get_progress(ob_job *job, BG_JOB_PROGRESS *out)
{
    ob_progress_snapshot(&job->progress, out); /* lock-free: readers never hold up a worker */
}

HRESULT ob_job_get_reply_progress(ob_job *job, BG_JOB_REPLY_PROGRESS *out)
{
    if (job->type != BG_JOB_TYPE_UPLOAD_REPLY) return E_NOTIMPL; /* documented for other types */
    ob_lock_shared(&job->lock);
    *out = job->reply;
    ob_unlock_shared(&job->lock);
    return S_OK;
}

/* FILE_SHARE_DELETE: a reader never stops Complete renaming the reply. */
static HRESULT read_reply_file(const WCHAR *path, UINT64 size, BYTE **buffer)
{
    HANDLE file = ob_path_open(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_DELETE, OPEN_EXISTING, 0);
    DWORD got = 0;
    HRESULT hr = S_OK;

    if (file == INVALID_HANDLE_VALUE) return HRESULT_FROM_WIN32(GetLastError());
    *buffer = CoTaskMemAlloc(size);
    if (!*buffer) hr = E_OUTOFMEMORY;
    else if (!ReadFile(file, *buffer, (DWORD)size, &got, NULL) || got != size)
    {
        hr = got != size ? HRESULT_FROM_WIN32(ERROR_HANDLE_EOF) : HRESULT_FROM_WIN32(GetLastError());
        CoTaskMemFree(*buffer);
        *buffer = NULL;
    }
    CloseHandle(file);
    return hr;
}

/* Where the reply is now and its size, copied under the lock. */
static HRESULT locate_reply(ob_job *job, WCHAR **path, UINT64 *length)
{
    HRESULT hr = S_OK;

    *path = NULL;
    ob_lock_shared(&job->lock);
    if (job->state != BG_JOB_STATE_TRANSFERRED && job->state != BG_JOB_STATE_ACKNOWLEDGED)
        hr = BG_E_INVALID_STATE;
    else
    {
        *length = job->reply.BytesTotal == BG_SIZE_UNKNOWN ? 0 : job->reply.BytesTotal;
        if (*length > REPLY_DATA_LIMIT) hr = BG_E_TOO_LARGE;
        else if (*length)
            hr = ob_str_dup_opt(job->reply_temp_name ? job->reply_temp_name : job->reply_file_name, path);
    }
    ob_unlock_shared(&job->lock);
    return hr;
}

/* The file is read with no lock held (up to 1 MiB); a Complete that renamed
 * it meanwhile sends us to its new name once. */
HRESULT ob_job_get_reply_data(ob_job *job, BYTE **buffer, UINT64 *length)
{
    WCHAR *path, *now;
    HRESULT hr;

    if (job->type != BG_JOB_TYPE_UPLOAD_REPLY) return E_NOTIMPL; /* documented for other types */
    *buffer = NULL;
    if (FAILED(hr = locate_reply(job, &path, length)) || !path) return hr;
    hr = read_reply_file(path, *length, buffer);
    if (FAILED(hr)) OB_TRACE(&job->id, L"GetReplyData: reading %ls failed (0x%08lx)", path, hr);
    if (hr == HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND) && SUCCEEDED(hr = locate_reply(job, &now, length)) && now)
    {
        if (wcscmp(now, path)) hr = read_reply_file(now, *length, buffer);
        else hr = HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND);
        ob_str_free(now);
    }
    ob_str_free(path);
    return hr;
}

static const WCHAR *string_field(ob_job *job, ob_job_prop which)
{
    WCHAR **slot = ob_job_string_slot(job, which);
    if (!slot) return NULL;
    /* a command line not set reads as empty strings */
    if (!*slot && (which == OB_PROP_NOTIFY_PROGRAM || which == OB_PROP_NOTIFY_PARAMETERS)) return L"";
    return *slot;
}

/* A CoTaskMemAlloc'd copy, or NULL for NULL. */
static HRESULT cotask_copy(const WCHAR *s, WCHAR **out)
{
    size_t bytes;
    *out = NULL;
    if (!s) return S_OK;
    bytes = (wcslen(s) + 1) * sizeof(WCHAR);
    if (!(*out = CoTaskMemAlloc(bytes))) return E_OUTOFMEMORY;
    memcpy(*out, s, bytes);
    return S_OK;
}

HRESULT ob_job_cotask_copy(const WCHAR *s, WCHAR **out)
{
    return cotask_copy(s, out);
}

HRESULT ob_job_get_string(ob_job *job, ob_job_prop which, WCHAR **out)
{
    const ob_prop_desc *desc = ob_job_prop_desc(which);
    HRESULT hr;

    *out = NULL;
    if (!desc || desc->type != OB_PROP_STRING) return E_INVALIDARG;
    if (which == OB_PROP_REPLY_FILE_NAME && job->type != BG_JOB_TYPE_UPLOAD_REPLY)
        return E_NOTIMPL; /* documented for download and upload jobs */
    ob_lock_shared(&job->lock);
    hr = cotask_copy(string_field(job, which), out);
    ob_unlock_shared(&job->lock);
    return hr;
}

ULONG ob_job_file_count(ob_job *job)
{
    ULONG count;
    ob_lock_shared(&job->lock);
    count = job->progress.files_total;
    ob_unlock_shared(&job->lock);
    return count;
}

HRESULT ob_job_get_file_progress(ob_job *job, ULONG index, BG_FILE_PROGRESS *out)
{
    HRESULT hr = E_INVALIDARG;
    ob_lock_shared(&job->lock);
    if (index < job->progress.files_total)
    {
        const ob_file *file = &job->files[index];
        out->BytesTotal = file->progress.bytes_total;
        out->BytesTransferred = file->progress.bytes_transferred;
        /* BG_FILE_PROGRESS: a download's file once Complete made it available,
         * an upload's once it is all sent */
        out->Completed = job->type == BG_JOB_TYPE_DOWNLOAD ? file->available : file->progress.completed;
        hr = S_OK;
    }
    ob_unlock_shared(&job->lock);
    return hr;
}

HRESULT ob_job_get_file_name(ob_job *job, ULONG index, BOOL remote, WCHAR **out)
{
    HRESULT hr = E_INVALIDARG;
    ob_lock_shared(&job->lock);
    if (index < job->progress.files_total)
    {
        const ob_file *file = &job->files[index];
        hr = cotask_copy(remote ? file->remote_name : file->local_name, out);
    }
    ob_unlock_shared(&job->lock);
    return hr;
}

HRESULT ob_job_get_file_ranges(ob_job *job, ULONG index, DWORD *count, BG_FILE_RANGE **out)
{
    HRESULT hr = E_INVALIDARG;

    *count = 0;
    *out = NULL;
    ob_lock_shared(&job->lock);
    if (index < job->progress.files_total)
    {
        const ob_file *file = &job->files[index];
        if (!file->ranges) hr = S_FALSE;
        else if (!(*out = CoTaskMemAlloc(file->range_count * sizeof(**out)))) hr = E_OUTOFMEMORY;
        else
        {
            memcpy(*out, file->ranges, file->range_count * sizeof(**out));
            *count = file->range_count;
            hr = S_OK;
        }
    }
    ob_unlock_shared(&job->lock);
    return hr;
}

/* A new remote name for a file (names.c judges it with no lock held); a
 * file with ranges keeps an http(s) name. */
static void install_remote_name(ob_job *job, ob_file *file, WCHAR **name, ob_remote_kind kind, ob_change *change)
{
    WCHAR *old = file->remote_name;
    file->remote_name = *name;
    file->kind = kind;
    *name = old;
    ob_job_note_change(job, change);
}

HRESULT ob_job_set_remote_name(ob_job *job, ULONG index, const WCHAR *name)
{
    ob_change change = OB_NO_CHANGE;
    ob_remote_kind kind;
    WCHAR *copy;
    HRESULT hr;

    if (job->type != BG_JOB_TYPE_DOWNLOAD) return E_NOTIMPL;
    if (FAILED(hr = ob_check_remote_name(name, job->type, &kind))) return hr;
    if (!(copy = ob_str_dup(name))) return E_OUTOFMEMORY;
    if (FAILED(hr = lock_for_change(job)))
    {
        ob_str_free(copy);
        return hr;
    }
    if (index >= job->progress.files_total) hr = E_INVALIDARG;
    else if (job->files[index].ranges && kind != OB_REMOTE_HTTP) hr = E_INVALIDARG;
    else install_remote_name(job, &job->files[index], &copy, kind, &change);
    unlock_after_change(job, &change, hr);
    ob_str_free(copy); /* the old name, or the refused one */
    if (SUCCEEDED(hr)) OB_TRACE(&job->id, L"file %lu: remote name set", index);
    return hr;
}

/* The job's remote names as they are now, and which have ranges. */
typedef struct name_snapshot {
    ULONG count;
    WCHAR **names;
    BOOL *ranged;
    WCHAR **replaced;          /* the new names (NULL: no match) */
    ob_remote_kind *kinds;
} name_snapshot;

static void free_snapshot(name_snapshot *n)
{
    ULONG i;
    for (i = 0; i < n->count; i++)
    {
        if (n->names) ob_str_free(n->names[i]);
        if (n->replaced) ob_str_free(n->replaced[i]);
    }
    HeapFree(GetProcessHeap(), 0, n->names);
    HeapFree(GetProcessHeap(), 0, n->ranged);
    HeapFree(GetProcessHeap(), 0, n->replaced);
    HeapFree(GetProcessHeap(), 0, n->kinds);
}

static HRESULT take_snapshot(ob_job *job, name_snapshot *n)
{
    HRESULT hr = BG_E_INVALID_STATE;
    ULONG i;

    memset(n, 0, sizeof(*n));
    ob_lock_shared(&job->lock);
    if (!ob_state_is_final(job->state))
    {
        ULONG count = job->progress.files_total, slots = count ? count : 1;
        n->names = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, slots * sizeof(*n->names));
        n->replaced = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, slots * sizeof(*n->replaced));
        n->ranged = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, slots * sizeof(*n->ranged));
        n->kinds = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, slots * sizeof(*n->kinds));
        hr = n->names && n->replaced && n->ranged && n->kinds ? S_OK : E_OUTOFMEMORY;
        if (SUCCEEDED(hr)) n->count = count;
        for (i = 0; i < n->count && SUCCEEDED(hr); i++)
        {
            if (!(n->names[i] = ob_str_dup(job->files[i].remote_name))) hr = E_OUTOFMEMORY;
            n->ranged[i] = job->files[i].ranges != NULL;
        }
    }
    ob_unlock_shared(&job->lock);
    return hr;
}

/* Every new name, judged with no lock held: S_FALSE when none matches. */
static HRESULT replace_prefixes(name_snapshot *n, const WCHAR *old_prefix, const WCHAR *new_prefix, BG_JOB_TYPE type)
{
    size_t old_len = wcslen(old_prefix), new_len = wcslen(new_prefix);
    HRESULT hr = S_FALSE;
    ULONG i;

    for (i = 0; i < n->count; i++)
    {
        size_t rest;
        if (wcsncmp(n->names[i], old_prefix, old_len)) continue; /* documented: case-sensitive */
        rest = wcslen(n->names[i] + old_len);
        if (new_len + rest > OB_MAX_REMOTE_NAME) return E_INVALIDARG;
        if (!(n->replaced[i] = HeapAlloc(GetProcessHeap(), 0, (new_len + rest + 1) * sizeof(WCHAR))))
            return E_OUTOFMEMORY;
        memcpy(n->replaced[i], new_prefix, new_len * sizeof(WCHAR));
        memcpy(n->replaced[i] + new_len, n->names[i] + old_len, (rest + 1) * sizeof(WCHAR));
        if (FAILED(ob_check_remote_name(n->replaced[i], type, &n->kinds[i]))) return E_INVALIDARG;
        if (n->ranged[i] && n->kinds[i] != OB_REMOTE_HTTP) return E_INVALIDARG;
        hr = S_OK;
    }
    return hr;
}

HRESULT ob_job_replace_remote_prefix(ob_job *job, const WCHAR *old_prefix, const WCHAR *new_prefix)
{
    ob_change change = OB_NO_CHANGE;
    name_snapshot n;
    ULONG i, replaced = 0;
    HRESULT hr;

    if (job->type != BG_JOB_TYPE_DOWNLOAD) return E_NOTIMPL;
    if (!old_prefix || !new_prefix || !*old_prefix || !*new_prefix) return E_INVALIDARG;
    if (FAILED(hr = take_snapshot(job, &n)) || (hr = replace_prefixes(&n, old_prefix, new_prefix, job->type)) != S_OK)
    {
        free_snapshot(&n);
        return hr;
    }
    /* Under the lock again: a name changed meanwhile keeps its new value. */
    if (SUCCEEDED(hr = lock_for_change(job)))
    {
        for (i = 0; i < n.count; i++)
        {
            ob_file *file = &job->files[i];
            if (!n.replaced[i] || wcscmp(file->remote_name, n.names[i])) continue;
            install_remote_name(job, file, &n.replaced[i], n.kinds[i], &change);
            replaced++;
        }
        unlock_after_change(job, &change, hr);
    }
    OB_TRACE(&job->id, L"ReplaceRemotePrefix: %lu remote name(s) replaced (0x%08lx)", replaced, (ULONG)hr);
    free_snapshot(&n);
    return FAILED(hr) ? hr : replaced ? S_OK : S_FALSE;
}

HRESULT ob_job_set_file_client(ob_job *job, const WCHAR *remote, const WCHAR *local, const WCHAR *id,
                               UINT64 declared_size)
{
    WCHAR *copy = ob_str_dup(id ? id : L"");
    HRESULT hr = E_INVALIDARG;
    ULONG i;

    if (!copy) return E_OUTOFMEMORY;
    ob_lock_exclusive(&job->lock);
    for (i = job->progress.files_total; i-- > 0;)
    {
        ob_file *file = &job->files[i];
        if (file->client_id || _wcsicmp(file->remote_name, remote) || _wcsicmp(ob_path_leaf(file->local_name),
                                                                              ob_path_leaf(local)))
            continue;
        file->client_id = copy;
        file->declared_size = declared_size;
        copy = NULL;
        hr = S_OK;
        break;
    }
    ob_unlock_exclusive(&job->lock);
    ob_str_free(copy);
    return hr;
}

HRESULT ob_job_get_file_client(ob_job *job, ULONG index, WCHAR **id, UINT64 *declared_size)
{
    HRESULT hr = E_INVALIDARG;
    ob_lock_shared(&job->lock);
    if (index < job->progress.files_total)
    {
        const ob_file *file = &job->files[index];
        hr = cotask_copy(file->client_id ? file->client_id : L"", id);
        *declared_size = file->client_id ? file->declared_size : BG_SIZE_UNKNOWN;
    }
    ob_unlock_shared(&job->lock);
    return hr;
}

HRESULT ob_job_get_error(ob_job *job, ob_error_info *out)
{
    HRESULT hr = BG_E_ERROR_INFORMATION_UNAVAILABLE;
    ob_lock_shared(&job->lock);
    if (job->has_error && (job->state == BG_JOB_STATE_ERROR || job->state == BG_JOB_STATE_TRANSIENT_ERROR))
    {
        *out = job->error;
        out->context = ob_flavour_context(job->flavour, out->context);
        hr = S_OK;
    }
    ob_unlock_shared(&job->lock);
    return hr;
}

ob_sink *ob_job_get_notify_sink(ob_job *job)
{
    ob_sink *sink;
    ob_lock_shared(&job->lock);
    sink = job->notify_sink;
    if (sink) sink->ops->addref(sink);
    ob_unlock_shared(&job->lock);
    return sink;
}

void ob_job_drop_notify_sink(ob_job *job, ob_sink *sink)
{
    BOOL dropped;
    ob_lock_exclusive(&job->lock);
    if ((dropped = job->notify_sink == sink)) job->notify_sink = NULL;
    ob_unlock_exclusive(&job->lock);
    if (dropped) ob_sink_release(sink); /* outside the lock: it may call out */
}

/* ---- setters ---- */

/* NULL and "" differ: a getter tells them apart. */
static BOOL same_string(const WCHAR *a, const WCHAR *b)
{
    return a == b || (a && b && !wcscmp(a, b));
}

/* Lock held: two new strings take the place of a pair unless both are the
 * same; what was taken is set to NULL, the rest is the caller's to free. */
static BOOL take_pair(WCHAR **a, WCHAR **b, WCHAR **new_a, WCHAR **new_b)
{
    if (same_string(*a, *new_a) && same_string(*b, *new_b)) return FALSE;
    ob_str_free(*a);
    ob_str_free(*b);
    *a = *new_a;
    *b = *new_b;
    *new_a = *new_b = NULL;
    return TRUE;
}

static HRESULT set_string(ob_job *job, WCHAR **slot, const WCHAR *value)
{
    ob_change change = OB_NO_CHANGE;
    HRESULT hr;
    if (FAILED(hr = lock_for_change(job))) return hr;
    if (!same_string(*slot, value) && SUCCEEDED(hr = ob_str_replace(slot, value))) ob_job_note_change(job, &change);
    return unlock_after_change(job, &change, hr);
}

HRESULT ob_job_set_string_prop(ob_job *job, ob_job_prop id, const WCHAR *value)
{
    const ob_prop_desc *desc = ob_job_prop_desc(id);

    if (!desc || desc->type != OB_PROP_STRING || desc->access != OB_PROP_PLAIN || !value) return E_INVALIDARG;
    if (wcslen(value) > desc->limit) return desc->invalid;
    return set_string(job, ob_job_string_slot(job, id), value);
}

HRESULT ob_job_set_display_name(ob_job *job, const WCHAR *name)
{
    return ob_job_set_string_prop(job, OB_PROP_DISPLAY_NAME, name);
}

HRESULT ob_job_set_description(ob_job *job, const WCHAR *description)
{
    return ob_job_set_string_prop(job, OB_PROP_DESCRIPTION, description);
}

static HRESULT set_ulong(ob_job *job, ULONG *slot, ULONG value)
{
    ob_change change = OB_NO_CHANGE;
    HRESULT hr;
    if (FAILED(hr = lock_for_change(job))) return hr;
    if (*slot != value)
    {
        *slot = value;
        ob_job_note_change(job, &change);
    }
    return unlock_after_change(job, &change, S_OK);
}

HRESULT ob_job_set_ulong_prop(ob_job *job, ob_job_prop id, ULONG value)
{
    const ob_prop_desc *desc = ob_job_prop_desc(id);
    ULONG stored = 0;
    HRESULT hr;

    if (!desc || desc->type != OB_PROP_ULONG || desc->access != OB_PROP_PLAIN) return E_INVALIDARG;
    if (FAILED(hr = check_ulong(desc, value, &stored))) return hr;
    if (id == OB_PROP_NOTIFY_FLAGS && (stored & job->flavour->refused_notify_flags))
        return E_NOTIMPL; /* DO: "Not supported" */
    return set_ulong(job, ob_job_ulong_slot(job, id), stored);
}

HRESULT ob_job_get_ulong_prop(ob_job *job, ob_job_prop id, ULONG *value)
{
    const ob_prop_desc *desc = ob_job_prop_desc(id);

    if (!desc || desc->type != OB_PROP_ULONG) return E_INVALIDARG;
    ob_lock_shared(&job->lock);
    *value = *ob_job_ulong_slot(job, id);
    ob_unlock_shared(&job->lock);
    return S_OK;
}

HRESULT ob_job_set_priority(ob_job *job, BG_JOB_PRIORITY priority)
{
    ob_change change = OB_NO_CHANGE;
    const ob_prop_desc *desc = ob_job_prop_desc(OB_PROP_PRIORITY);
    ULONG stored, timeout;
    HRESULT hr;

    if (FAILED(hr = check_ulong(desc, priority, &stored))) return hr;
    /* documented: a custom HTTP method keeps the job FOREGROUND */
    if (stored != BG_JOB_PRIORITY_FOREGROUND && ob_job_http_priority_fixed(job))
        return BG_E_NOT_SUPPORTED_WITH_CUSTOM_HTTP_METHOD;
    if (FAILED(hr = lock_for_change(job))) return hr;
    /* a timeout the client never set follows the flavour's default for the priority (DO) */
    timeout = job->no_progress_timeout_set ? job->no_progress_timeout
                                           : ob_flavour_no_progress_timeout(job->flavour, stored);
    if (job->priority != stored || job->no_progress_timeout != timeout)
    {
        job->priority = stored;
        job->no_progress_timeout = timeout;
        ob_job_note_change(job, &change);
    }
    return unlock_after_change(job, &change, S_OK);
}

/* Documented: E_INVALIDARG for flags not in the list; BG_E_INVALID_STATE
 * once the job is TRANSFERRED (or final). */
HRESULT ob_job_set_file_acl_flags(ob_job *job, ULONG flags)
{
    const ob_prop_desc *desc = ob_job_prop_desc(OB_PROP_FILE_ACL_FLAGS);
    ob_change change = OB_NO_CHANGE;
    ULONG stored;
    HRESULT hr;

    if (FAILED(hr = check_ulong(desc, flags, &stored))) return hr;
    if (FAILED(hr = lock_for_change(job))) return hr;
    if (job->state == BG_JOB_STATE_TRANSFERRED) hr = BG_E_INVALID_STATE;
    else if (job->file_acl_flags != stored)
    {
        job->file_acl_flags = stored;
        ob_job_note_change(job, &change);
    }
    return unlock_after_change(job, &change, hr);
}

HRESULT ob_job_set_notify_flags(ob_job *job, ULONG flags)
{
    return ob_job_set_ulong_prop(job, OB_PROP_NOTIFY_FLAGS, flags);
}

HRESULT ob_job_set_retry_delay(ob_job *job, ULONG seconds)
{
    return ob_job_set_ulong_prop(job, OB_PROP_RETRY_DELAY, seconds);
}

HRESULT ob_job_set_no_progress_timeout(ob_job *job, ULONG seconds)
{
    HRESULT hr = ob_job_set_ulong_prop(job, OB_PROP_NO_PROGRESS_TIMEOUT, seconds);
    if (SUCCEEDED(hr))
    {
        ob_lock_exclusive(&job->lock);
        job->no_progress_timeout_set = TRUE; /* no longer the flavour's default for the priority */
        ob_unlock_exclusive(&job->lock);
    }
    return hr;
}

HRESULT ob_job_set_notify_sink(ob_job *job, ob_sink *sink)
{
    ob_change change = OB_NO_CHANGE;
    ob_sink *old = NULL;
    HRESULT hr;

    if (FAILED(hr = lock_for_change(job))) return hr;
    if (job->notify_sink != sink)
    {
        old = job->notify_sink;
        job->notify_sink = sink;
        if (sink) sink->ops->addref(sink);
        ob_job_note_change(job, &change);
    }
    unlock_after_change(job, &change, S_OK);
    if (old) ob_sink_release(old); /* outside the lock: it may call out */
    return S_OK;
}

static HRESULT check_proxy(BG_JOB_PROXY_USAGE usage, const WCHAR *list, const WCHAR *bypass)
{
    const ob_prop_desc *desc = &props[OB_PROP_PROXY_USAGE];
    HRESULT hr;

    if ((ULONG)usage > desc->limit) return desc->invalid;
    if (usage != BG_JOB_PROXY_USAGE_OVERRIDE) return (list || bypass) ? E_INVALIDARG : S_OK;
    if (!list) return E_INVALIDARG;
    /* an override without a single proxy names nothing to use: documented as
     * BG_E_INVALID_PROXY_INFO, said at once rather than at transfer time */
    if (!list[wcsspn(list, L" \t")]) return BG_E_INVALID_PROXY_INFO;
    if (FAILED(hr = ob_job_prop_check_string(OB_PROP_PROXY_LIST, list))) return hr;
    return ob_job_prop_check_string(OB_PROP_PROXY_BYPASS, bypass);
}

HRESULT ob_job_set_proxy(ob_job *job, BG_JOB_PROXY_USAGE usage, const WCHAR *list, const WCHAR *bypass)
{
    ob_change change = OB_NO_CHANGE;
    WCHAR *new_list = NULL, *new_bypass = NULL;
    HRESULT hr;

    if (FAILED(hr = check_proxy(usage, list, bypass))) return hr;
    if (FAILED(hr = ob_str_dup_opt(list, &new_list)) || FAILED(hr = ob_str_dup_opt(bypass, &new_bypass)) ||
        FAILED(hr = lock_for_change(job)))
    {
        ob_str_free(new_list);
        ob_str_free(new_bypass);
        return hr;
    }
    if (take_pair(&job->proxy_list, &job->proxy_bypass, &new_list, &new_bypass) || job->proxy_usage != usage)
        ob_job_note_change(job, &change);
    job->proxy_usage = usage;
    unlock_after_change(job, &change, S_OK);
    ob_str_free(new_list);
    ob_str_free(new_bypass);
    return S_OK;
}

HRESULT ob_job_set_notify_cmdline(ob_job *job, const WCHAR *program, const WCHAR *parameters)
{
    ob_change change = OB_NO_CHANGE;
    WCHAR *new_program = NULL, *new_parameters = NULL;
    HRESULT hr;

    if (!program && parameters) return E_INVALIDARG;
    if (FAILED(hr = ob_job_prop_check_string(OB_PROP_NOTIFY_PROGRAM, program)) ||
        FAILED(hr = ob_job_prop_check_string(OB_PROP_NOTIFY_PARAMETERS, parameters)))
        return hr;
    if (FAILED(hr = ob_str_dup_opt(program, &new_program)) ||
        FAILED(hr = ob_str_dup_opt(parameters, &new_parameters)) || FAILED(hr = lock_for_change(job)))
    {
        ob_str_free(new_program);
        ob_str_free(new_parameters);
        return hr;
    }
    if (take_pair(&job->notify_program, &job->notify_parameters, &new_program, &new_parameters))
        ob_job_note_change(job, &change);
    unlock_after_change(job, &change, S_OK);
    ob_str_free(new_program);
    ob_str_free(new_parameters);
    return S_OK;
}

/* The reply download has begun once its size is known while transferring. */
static BOOL reply_started(const ob_job *job)
{
    return job->reply.BytesTotal != BG_SIZE_UNKNOWN ||
           job->state == BG_JOB_STATE_TRANSFERRED;
}

/* The upload file's name, if one was added (for a generated reply name). */
static HRESULT peek_upload_file(ob_job *job, WCHAR **local_name, BOOL *generated)
{
    HRESULT hr = S_OK;
    *local_name = NULL;
    ob_lock_shared(&job->lock);
    if (job->progress.files_total) hr = ob_str_dup_opt(job->files[0].local_name, local_name);
    *generated = job->reply_name_generated;
    ob_unlock_shared(&job->lock);
    return hr;
}

/* NULL or empty: a generated name beside the upload file (none until a file
 * is added), created exclusively like AddFile's.  The name is checked and
 * the file made with no lock held; the job is checked again under it. */
HRESULT ob_job_set_reply_file_name(ob_job *job, const WCHAR *name)
{
    ob_change change = OB_NO_CHANGE;
    WCHAR *copy = NULL, *upload_file, *dropped = NULL;
    BOOL generate = !name || !*name, generated;
    HRESULT hr;

    if (job->type != BG_JOB_TYPE_UPLOAD_REPLY) return E_NOTIMPL; /* docs: choices.md, like its documented Get counterpart */
    if (!generate && FAILED(hr = ob_check_reply_name(name))) return hr;
    if (FAILED(hr = peek_upload_file(job, &upload_file, &generated))) return hr;
    if (generate && generated) /* already a generated name: keep it */
        hr = S_OK;
    else if (generate && upload_file)
        hr = generate_reply_name(upload_file, &copy);
    else if (!generate && !(copy = ob_path_normalize(name)))
        hr = E_OUTOFMEMORY;
    ob_str_free(upload_file);
    if (FAILED(hr)) return hr;

    if (FAILED(hr = lock_for_change(job)))
    {
        if (generate) delete_generated_reply(copy);
        else ob_str_free(copy);
        return hr;
    }
    if (reply_started(job)) hr = BG_E_INVALID_STATE;
    else if (!generate && same_string(job->reply_file_name, copy))
        ; /* the name it has: nothing changes */
    else if (!(generate && !copy && job->progress.files_total)) /* else: keep the generated name */
    {
        if (copy || job->reply_file_name) ob_job_note_change(job, &change);
        if (job->reply_name_generated) dropped = job->reply_file_name;
        else ob_str_free(job->reply_file_name);
        job->reply_file_name = copy;
        job->reply_name_generated = generate && copy;
        copy = NULL;
    }
    unlock_after_change(job, &change, hr);
    if (generate) delete_generated_reply(copy); /* not taken */
    else ob_str_free(copy);
    delete_generated_reply(dropped);            /* the empty file we made for the old name */
    return hr;
}

static HRESULT check_credentials(const BG_AUTH_CREDENTIALS *cred)
{
    const BG_BASIC_CREDENTIALS *basic = &cred->Credentials.Basic;

    if (cred->Target < BG_AUTH_TARGET_SERVER || cred->Target > BG_AUTH_TARGET_PROXY)
        return BG_E_INVALID_AUTH_TARGET;
    if (cred->Scheme < BG_AUTH_SCHEME_BASIC || cred->Scheme > BG_AUTH_SCHEME_PASSPORT)
        return BG_E_INVALID_AUTH_SCHEME;
    if ((cred->Scheme == BG_AUTH_SCHEME_BASIC || cred->Scheme == BG_AUTH_SCHEME_DIGEST) &&
        (!basic->UserName || !basic->Password))
        return E_INVALIDARG;
    if (basic->UserName && wcslen(basic->UserName) > OB_MAX_USERNAME) return BG_E_USERNAME_TOO_LARGE;
    if (basic->Password && wcslen(basic->Password) > OB_MAX_PASSWORD) return BG_E_PASSWORD_TOO_LARGE;
    return S_OK;
}

static BOOL same_credential(const ob_credential *a, const ob_credential *b)
{
    return a->set == b->set && same_string(a->user, b->user) && same_string(a->password, b->password);
}

HRESULT ob_job_set_credentials(ob_job *job, const BG_AUTH_CREDENTIALS *cred)
{
    ob_change change = OB_NO_CHANGE;
    ob_credential fresh = { TRUE, NULL, NULL };
    ob_credential *slot;
    HRESULT hr;

    if (FAILED(hr = check_credentials(cred))) return hr;
    if (FAILED(hr = ob_str_dup_opt(cred->Credentials.Basic.UserName, &fresh.user)) ||
        FAILED(hr = ob_str_dup_opt(cred->Credentials.Basic.Password, &fresh.password)) ||
        FAILED(hr = lock_for_change(job)))
    {
        wipe_credential(&fresh);
        return hr;
    }
    slot = &job->credentials[cred->Target - 1][cred->Scheme - 1];
    if (!same_credential(slot, &fresh))
    {
        wipe_credential(slot);
        *slot = fresh;
        memset(&fresh, 0, sizeof(fresh));
        ob_job_note_change(job, &change);
    }
    unlock_after_change(job, &change, S_OK);
    wipe_credential(&fresh);
    return S_OK;
}

HRESULT ob_job_remove_credentials(ob_job *job, BG_AUTH_TARGET target, BG_AUTH_SCHEME scheme)
{
    ob_change change = OB_NO_CHANGE;
    ob_credential *slot;
    HRESULT hr;

    if (target < BG_AUTH_TARGET_SERVER || target > BG_AUTH_TARGET_PROXY) return BG_E_INVALID_AUTH_TARGET;
    if (scheme < BG_AUTH_SCHEME_BASIC || scheme > BG_AUTH_SCHEME_PASSPORT) return BG_E_INVALID_AUTH_SCHEME;
    if (FAILED(hr = lock_for_change(job))) return hr;
    slot = &job->credentials[target - 1][scheme - 1];
    hr = slot->set ? S_OK : S_FALSE; /* documented: S_FALSE when none were set */
    if (slot->set) ob_job_note_change(job, &change);
    wipe_credential(slot);
    return unlock_after_change(job, &change, hr);
}

HRESULT ob_job_change_owner(ob_job *job, const WCHAR *owner_sid, WCHAR *old_sid, ULONG old_sid_size,
                            ob_change *change)
{
    WCHAR *copy = ob_str_dup(owner_sid);
    HRESULT hr;

    if (!copy) return E_OUTOFMEMORY;
    if (FAILED(hr = lock_for_change(job)))
    {
        ob_str_free(copy);
        return hr;
    }
    lstrcpynW(old_sid, job->owner_sid, old_sid_size);
    ob_str_free(job->owner_sid);
    job->owner_sid = copy;
    wipe_all_credentials(job);
    ob_str_free(job->notify_program);
    ob_str_free(job->notify_parameters);
    job->notify_program = job->notify_parameters = NULL;
    ob_job_http_owner_changed(&job->http);
    ob_job_note_change(job, change);
    ob_unlock_exclusive(&job->lock);
    return S_OK;
}
