/* A job record: its properties, files, progress, error and state.  Every
 * function takes the job's own lock; none is held across a call out of the
 * engine.  Strings handed out are CoTaskMemAlloc'd copies for the caller. */
#ifndef OB_JOB_H
#define OB_JOB_H

#include "ob_types.h"
#include "names.h"
#include "progress.h"
#include "state.h"
#include "sink.h"
#include "flavour.h"

struct ob_engine;
struct ob_table;
struct ob_transport;
struct ob_transport_class;
struct ob_remote_info;

typedef struct ob_job ob_job;

typedef struct ob_error_info {
    HRESULT code;
    BG_ERROR_CONTEXT context;
    LONG file_index;           /* -1 when the error is not about one file */
    ob_remote_kind protocol;
} ob_error_info;

/* The table's link in a job (table.c): its hash chain and the table it is
 * in, guarded by the table lock. */
typedef struct ob_job_link {
    ob_job *next;
    struct ob_table *table;
} ob_job_link;

/* ---- the property table ----
 * One table (job.c props[]) describes every plain property of a job: its
 * name, type, default, what a value must be, how it is set, and whether it
 * outlives the process (persistent: the store saves it) or lives only as long
 * as the process (runtime).  The getters and setters below, IBackgroundCopyJob5
 * Get/SetProperty and the store all read it.  Not plain properties, and so not
 * rows: the job's id, state, times, error, files and their progress, the
 * credentials and the upload session (the store saves them as records). */
typedef enum ob_job_prop {
    OB_PROP_DISPLAY_NAME,
    OB_PROP_DESCRIPTION,
    OB_PROP_PRIORITY,
    OB_PROP_NOTIFY_FLAGS,
    OB_PROP_RETRY_DELAY,
    OB_PROP_NO_PROGRESS_TIMEOUT,
    OB_PROP_TYPE,
    OB_PROP_OWNER,
    OB_PROP_ERROR_COUNT,
    OB_PROP_PROXY_USAGE,
    OB_PROP_PROXY_LIST,
    OB_PROP_PROXY_BYPASS,
    OB_PROP_NOTIFY_PROGRAM,
    OB_PROP_NOTIFY_PARAMETERS,
    OB_PROP_REPLY_FILE_NAME,
    OB_PROP_NOTIFY_INTERFACE,
    OB_PROP_FILE_ACL_FLAGS,
    OB_PROP_COUNT
} ob_job_prop;

typedef enum ob_prop_type {
    OB_PROP_ULONG,
    OB_PROP_STRING,            /* NULL or "" when not set */
    OB_PROP_SINK,              /* the notification sink: no value to copy */
} ob_prop_type;

typedef enum ob_prop_access {
    OB_PROP_PLAIN,             /* ob_job_set_ulong_prop / ob_job_set_string_prop */
    OB_PROP_OWN_SETTER,        /* set with others by a setter of its own (proxy, command line...) */
    OB_PROP_READ_ONLY,         /* fixed at creation, or moved by the engine (TakeOwnership, errors) */
} ob_prop_access;

typedef struct ob_prop_desc {
    ob_job_prop id;
    const char *name;
    ob_prop_type type;
    ob_prop_access access;
    ULONG default_value;       /* ULONG properties; strings start as NULL or "" (the name: given) */
    ULONG limit;               /* ULONG: the largest value; STRING: the longest length */
    HRESULT invalid;           /* what a value beyond the limit is */
    ULONG minimum;             /* ULONG: smaller values are raised to this */
    ULONG valid_bits;          /* ULONG flags: 0, or the bits that may be set */
    BOOL persistent;           /* TRUE: saved by the store; FALSE: runtime only */
} ob_prop_desc;

/* The row of a property; NULL for an unknown one. */
const ob_prop_desc *ob_job_prop_desc(ob_job_prop id);
/* The row's documented error if a string is too long for it, else S_OK. */
HRESULT ob_job_prop_check_string(ob_job_prop id, const WCHAR *value);
/* PLAIN rows only (E_INVALIDARG for others): validated by the row. */
HRESULT ob_job_set_ulong_prop(ob_job *job, ob_job_prop id, ULONG value);
HRESULT ob_job_set_string_prop(ob_job *job, ob_job_prop id, const WCHAR *value);
/* Any ULONG row. */
HRESULT ob_job_get_ulong_prop(ob_job *job, ob_job_prop id, ULONG *value);

/* Plain values, read together under one lock. */
typedef struct ob_job_info {
    BG_JOB_STATE state;
    BG_JOB_PRIORITY priority;
    ULONG notify_flags;
    BOOL has_notify_interface;
    ULONG retry_delay;
    ULONG no_progress_timeout;
    ULONG error_count;
    BG_JOB_PROXY_USAGE proxy_usage;
    BG_JOB_TIMES times;
} ob_job_info;

HRESULT ob_job_new(const WCHAR *display_name, BG_JOB_TYPE type, const WCHAR *owner_sid, ob_job **out);
void ob_job_addref(ob_job *job);
void ob_job_release(ob_job *job);
/* Before the job is shared: its flavour (a new job is BITS) and the defaults
 * that come with it. */
void ob_job_init_flavour(ob_job *job, const ob_flavour *flavour);
const ob_flavour *ob_job_flavour(ob_job *job);
struct ob_engine *ob_job_engine(ob_job *job);
/* Before the job is shared: the engine its notifications go to. */
void ob_job_set_engine(ob_job *job, struct ob_engine *engine);
/* Fixed at creation: no lock. */
const GUID *ob_job_id(const ob_job *job);
BG_JOB_TYPE ob_job_type(const ob_job *job);
BG_JOB_STATE ob_job_state(ob_job *job);
BOOL ob_job_owned_by(ob_job *job, const WCHAR *sid);
/* The owner's SID string, cut to `chars`. */
void ob_job_copy_owner(ob_job *job, WCHAR *sid, ULONG chars);
/* The table's link (table.c only). */
ob_job_link *ob_job_table_link(ob_job *job);

/* ---- the commit step ----
 * Every change of state or property is recorded, under the job lock, in an
 * ob_change, which stamps ModificationTime at once (a reader never sees a new
 * state with an old time).  Once the lock is released, ob_job_commit acts on
 * it: JobModification, JobTransferred on entering TRANSFERRED, JobError on
 * entering ERROR, a trace line, and (next issue) the persistent store.  A
 * change that changes nothing (a setter given the value the job has, an event
 * that leaves the state as it was) records nothing. */
typedef struct ob_change {
    BOOL modified;             /* a property or the state changed */
    BOOL state_changed;
    BG_JOB_STATE state;        /* the state after the change */
} ob_change;

#define OB_NO_CHANGE { FALSE, FALSE, BG_JOB_STATE_QUEUED }

/* No lock held.  Does nothing for a change that recorded nothing. */
void ob_job_commit(ob_job *job, const ob_change *change);

/* max_files 0: no limit (administrators). All files are added, or none. */
HRESULT ob_job_add_files(ob_job *job, ULONG count, const BG_FILE_INFO *files, ULONG max_files);
/* IBackgroundCopyJob3::AddFileWithRanges: one file and its ranges
 * (ranges.h), as documented: E_NOTIMPL for upload jobs; the ranges'
 * errors (E_INVALIDARG, BG_E_INVALID_RANGE, BG_E_OVERLAPPING_RANGES,
 * BG_E_TOO_MANY_RANGES_IN_FILE beyond max_ranges, 0: no limit); then
 * AddFile's, and E_INVALIDARG for a remote name that is not http(s).  The
 * local file holds the ranges one after another, in the order given. */
HRESULT ob_job_add_file_with_ranges(ob_job *job, const BG_FILE_INFO *file, ULONG range_count,
                                    const BG_FILE_RANGE *ranges, ULONG max_files, ULONG max_ranges);
HRESULT ob_job_resume(ob_job *job);
HRESULT ob_job_suspend(ob_job *job);
HRESULT ob_job_cancel(ob_job *job);
HRESULT ob_job_complete(ob_job *job);

void ob_job_get_info(ob_job *job, ob_job_info *out);
void ob_job_get_progress(ob_job *job, BG_JOB_PROGRESS *out);
HRESULT ob_job_get_reply_progress(ob_job *job, BG_JOB_REPLY_PROGRESS *out);
HRESULT ob_job_get_reply_data(ob_job *job, BYTE **buffer, UINT64 *length);
/* Any STRING row: a CoTaskMemAlloc'd copy (NULL when not set). */
HRESULT ob_job_get_string(ob_job *job, ob_job_prop which, WCHAR **out);
ULONG ob_job_file_count(ob_job *job);
HRESULT ob_job_get_file_progress(ob_job *job, ULONG index, BG_FILE_PROGRESS *out);
HRESULT ob_job_get_file_name(ob_job *job, ULONG index, BOOL remote, WCHAR **out);
/* IBackgroundCopyFile2::GetFileRanges: the ranges as given (BG_LENGTH_TO_EOF
 * kept), CoTaskMemAlloc'd; S_FALSE with 0 and NULL for a file without. */
HRESULT ob_job_get_file_ranges(ob_job *job, ULONG index, DWORD *count, BG_FILE_RANGE **out);
/* IBackgroundCopyFile2::SetRemoteName: E_NOTIMPL for upload jobs,
 * E_INVALIDARG for a name names.c refuses (or one that is not http(s) for a
 * file with ranges), BG_E_INVALID_STATE for a final job.  The next run
 * probes the new name: another size or time restarts the file, otherwise it
 * goes on where it stopped; a transferred file stays transferred. */
HRESULT ob_job_set_remote_name(ob_job *job, ULONG index, const WCHAR *name);
/* IBackgroundCopyJob3::ReplaceRemotePrefix: every remote name that begins
 * with old_prefix (case-sensitive) gets new_prefix instead; S_FALSE when
 * none does.  E_NOTIMPL for upload jobs; E_INVALIDARG for a NULL or empty
 * prefix or when any new name would be invalid (then none changes);
 * BG_E_INVALID_STATE for a final job. */
HRESULT ob_job_replace_remote_prefix(ob_job *job, const WCHAR *old_prefix, const WCHAR *new_prefix);
/* IBackgroundCopyJob3::SetFileACLFlags (BG_COPY_FILE_*; read back with
 * ob_job_get_ulong_prop(OB_PROP_FILE_ACL_FLAGS)). */
HRESULT ob_job_set_file_acl_flags(ob_job *job, ULONG flags);
/* DO's file id and declared size, given to the newest file of these names
 * that has none yet (just added: AddFileWithRanges); E_INVALIDARG if there
 * is none. */
HRESULT ob_job_set_file_client(ob_job *job, const WCHAR *remote, const WCHAR *local, const WCHAR *id,
                               UINT64 declared_size);
/* ...read back: *id CoTaskMemAlloc'd ("" for none), *declared_size BG_SIZE_UNKNOWN for none. */
HRESULT ob_job_get_file_client(ob_job *job, ULONG index, WCHAR **id, UINT64 *declared_size);
/* BG_E_ERROR_INFORMATION_UNAVAILABLE unless the job is in ERROR or TRANSIENT_ERROR. */
HRESULT ob_job_get_error(ob_job *job, ob_error_info *out);
/* With a reference, or NULL. */
ob_sink *ob_job_get_notify_sink(ob_job *job);
/* The client behind this sink is gone: the job forgets it, if it still has
 * it (not a change of the job's: nothing is raised). */
void ob_job_drop_notify_sink(ob_job *job, ob_sink *sink);

HRESULT ob_job_set_display_name(ob_job *job, const WCHAR *name);
HRESULT ob_job_set_description(ob_job *job, const WCHAR *description);
HRESULT ob_job_set_priority(ob_job *job, BG_JOB_PRIORITY priority);
HRESULT ob_job_set_notify_flags(ob_job *job, ULONG flags);
HRESULT ob_job_set_notify_sink(ob_job *job, ob_sink *sink);
HRESULT ob_job_set_retry_delay(ob_job *job, ULONG seconds);
HRESULT ob_job_set_no_progress_timeout(ob_job *job, ULONG seconds);
HRESULT ob_job_set_proxy(ob_job *job, BG_JOB_PROXY_USAGE usage, const WCHAR *list, const WCHAR *bypass);
HRESULT ob_job_set_notify_cmdline(ob_job *job, const WCHAR *program, const WCHAR *parameters);
HRESULT ob_job_set_reply_file_name(ob_job *job, const WCHAR *name);
HRESULT ob_job_set_credentials(ob_job *job, const BG_AUTH_CREDENTIALS *credentials);
HRESULT ob_job_remove_credentials(ob_job *job, BG_AUTH_TARGET target, BG_AUTH_SCHEME scheme);
/* New owner; drops credentials and the notification command line, as
 * documented.  The owner it replaced goes to old_sid.  The change is left for
 * the caller to commit (TakeOwnership holds the table lock here). */
HRESULT ob_job_change_owner(ob_job *job, const WCHAR *owner_sid, WCHAR *old_sid, ULONG old_sid_size,
                            ob_change *change);

/* ---- the worker's side (job_transfer.c) ---- */

typedef enum ob_sched_status {
    OB_SCHED_IDLE,             /* nothing to do: suspended, finished, final */
    OB_SCHED_BUSY,             /* a worker has it */
    OB_SCHED_RUNNABLE,         /* QUEUED: *priority and *seq say its turn */
    OB_SCHED_WAITING,          /* TRANSIENT_ERROR: look again in *wait_ms */
    OB_SCHED_FAILED,           /* NoProgressTimeout ran out: now in ERROR */
} ob_sched_status;

/* Moves a TRANSIENT_ERROR job on when its time comes (QUEUED after
 * MinimumRetryDelay, ERROR once NoProgressTimeout has passed without progress)
 * and says what the scheduler may do with it.  Called under the scheduler
 * lock: the change is the caller's to commit once it has let go. */
ob_sched_status ob_job_sched_poll(ob_job *job, ULONGLONG now, ULONG unit_ms, BG_JOB_PRIORITY *priority,
                                  LONGLONG *seq, ULONG *wait_ms, ob_change *change);
/* QUEUED and free: the caller's worker owns it, and it is CONNECTING (a
 * change for the caller to commit). */
BOOL ob_job_sched_claim(ob_job *job, ob_change *change);
/* The worker is done with it; a preempted job goes back to QUEUED. */
void ob_job_sched_unclaim(ob_job *job);
/* If the job is running at exactly this priority, it stops at its next block
 * and goes back to the queue; TRUE if it was asked to. */
BOOL ob_job_sched_preempt(ob_job *job, BG_JOB_PRIORITY priority);

/* A transport call about to start: E_ABORT if the job was stopped meanwhile;
 * otherwise Suspend/Cancel/Complete cancel the transport until call_end. */
HRESULT ob_job_call_begin(ob_job *job, struct ob_transport *transport);
void ob_job_call_end(ob_job *job);
/* Cancels the transport call in flight, if any (scheduler shutdown). */
void ob_job_cancel_call(ob_job *job);

/* The next file not yet transferred, from *index on: its remote name (to
 * free with ob_str_free), kind and whether its size is known. */
BOOL ob_job_next_file(ob_job *job, ULONG *index, WCHAR **remote, ob_remote_kind *kind, BOOL *sized);
/* A probe's answer: a size or timestamp unlike the last probe's restarts the
 * file from zero (documented); the first answer sets the size. */
/* A size that would make the job's BytesTotal reach BG_SIZE_UNKNOWN or wrap
 * is refused: HRESULT_FROM_WIN32(ERROR_ARITHMETIC_OVERFLOW). */
HRESULT ob_job_file_probed(ob_job *job, ULONG index, UINT64 size, const FILETIME *modified);
/* A file's ranges as given (a heap copy: HeapFree), NULL and 0 for the
 * whole file. */
HRESULT ob_job_file_ranges(ob_job *job, ULONG index, BG_FILE_RANGE **ranges, ULONG *count);
/* The temporary file beside the destination (a download's local file, an
 * SMB upload's remote one), created on first use, and where to write next.
 * Moves the job to TRANSFERRING. */
/* ...*expected: the remote file as last probed (size and time). */
HRESULT ob_job_file_begin(ob_job *job, ULONG index, WCHAR **temp_name, UINT64 *offset,
                          struct ob_remote_info *expected);
/* The temporary file holds fewer bytes than counted (removed behind our
 * back): count from zero again. */
void ob_job_file_restart(ob_job *job, ULONG index);
/* Bytes written to the temporary file; FALSE when the job should stop. */
BOOL ob_job_file_add_bytes(ob_job *job, ULONG index, UINT64 bytes);
void ob_job_file_done(ob_job *job, ULONG index);
/* All files done (none added meanwhile): TRANSFERRED, with its time. */
BOOL ob_job_all_transferred(ob_job *job);
/* A transport of that class (from ob_transport_for) with the job's proxy
 * settings and credentials. */
HRESULT ob_job_open_transport(ob_job *job, const struct ob_transport_class *cls, struct ob_transport **out);
/* The same with its own short timeouts (ob_transport_options.timeout_ms). */
HRESULT ob_job_open_transport_timeout(ob_job *job, const struct ob_transport_class *cls, ULONG timeout_ms,
                                      struct ob_transport **out);

/* ---- uploads (job_transfer.c) ---- */

/* What an upload worker needs, copied (free with ob_upload_info_free). */
typedef struct ob_upload_info {
    WCHAR *url;                /* the session's URL */
    WCHAR *local_name;
    WCHAR *session;            /* NULL: none yet */
    WCHAR *reply_url;
    UINT64 acked;              /* bytes the server has */
    BOOL sent;
    ob_remote_kind kind;       /* OB_REMOTE_FILE: an SMB or local destination */
    BG_JOB_REPLY_PROGRESS reply;
} ob_upload_info;

HRESULT ob_job_upload_info(ob_job *job, ob_upload_info *out);
void ob_upload_info_free(ob_upload_info *info);
/* The local file as read now: the first look sets the job's size; a later
 * different size or time is BG_E_LOCAL_FILE_CHANGED. Moves to TRANSFERRING. */
HRESULT ob_job_upload_check_file(ob_job *job, UINT64 size, const FILETIME *time);
/* A session opened (url: after BITS-Host-Id), or ended (NULL); a session the
 * server lost starts the upload again from zero. */
void ob_job_upload_session(ob_job *job, const WCHAR *session, const WCHAR *url, BOOL lost);
/* The server has the first `received` bytes; FALSE when the job should stop. */
BOOL ob_job_upload_acked(ob_job *job, UINT64 received);
/* An SMB or local upload has every byte in its temporary file: it takes the
 * remote name (as a server renames an upload at its last fragment). */
HRESULT ob_job_upload_commit_file(ob_job *job);
/* Every byte is there; reply_url NULL or empty: the server sent no reply. */
void ob_job_upload_sent(ob_job *job, const WCHAR *reply_url);
/* The reply download begins: its size, and the temporary reply file (created
 * on first use beside the reply file name) with where to write next. */
HRESULT ob_job_reply_begin(ob_job *job, UINT64 size, WCHAR **temp_name, UINT64 *offset);
BOOL ob_job_reply_add_bytes(ob_job *job, UINT64 bytes);
/* The temporary reply file holds less than counted, or the reply changed. */
void ob_job_reply_restart(ob_job *job);

/* A failed transfer: a transient one goes to TRANSIENT_ERROR (retried after
 * MinimumRetryDelay) until NoProgressTimeout has passed since the first such
 * error without progress, then ERROR, as does any other failure.  The new
 * state, or the job's if the error came too late (stopped by the client). */
BG_JOB_STATE ob_job_fail(ob_job *job, const ob_error_info *error, BOOL transient, ULONG unit_ms);

/* What a job was doing when its record was saved last: ending it with
 * Complete or Cancel (the store's journal of those two, job.c). */
typedef enum ob_job_ending { OB_ENDING_NONE, OB_ENDING_COMPLETE, OB_ENDING_CANCEL } ob_job_ending;
/* The ending a restored record carried (OB_ENDING_NONE: none). */
ob_job_ending ob_job_restored_ending(ob_job *job);

/* Progress reaches the store at most every OB_SAVE_EVERY_MS or
 * OB_SAVE_EVERY_BYTES, whichever comes first (and at every change). */
#define OB_SAVE_EVERY_MS 2000
#define OB_SAVE_EVERY_BYTES (64ull * 1024 * 1024)

/* The store's writer (persist.c): TRUE if the job was not waiting to be
 * saved and now is; unmark when the writer takes it. */
BOOL ob_job_store_mark(ob_job *job);
void ob_job_store_unmark(ob_job *job);

#endif
