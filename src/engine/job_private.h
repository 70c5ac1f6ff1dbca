/* The job record's layout: private to the job module (job.c and
 * job_transfer.c, the worker's side; job_http.c, its HTTP options).  Everything else goes through the
 * functions of job.h; ob_job is opaque there. */
#ifndef OB_JOB_PRIVATE_H
#define OB_JOB_PRIVATE_H

#include "job.h"
#include "job_http.h"

typedef struct ob_file {
    WCHAR *remote_name;
    WCHAR *local_name;
    WCHAR *temp_name;          /* the partial download, once one exists */
    ob_remote_kind kind;
    FILETIME remote_modified;  /* as last probed; a change restarts the file */
    BOOL available;            /* Complete gave it its name (BG_FILE_PROGRESS.Completed) */
    ob_file_progress progress;
    WCHAR *response_headers;   /* the final HTTP response's raw headers; NULL: none yet (job_http.c) */
    WCHAR *client_id;          /* DO: the caller's file id (AddFileWithRanges); NULL: none */
    UINT64 declared_size;      /* DO: the size the caller gave; BG_SIZE_UNKNOWN: none */
    BG_FILE_RANGE *ranges;     /* AddFileWithRanges, as given (ranges.h); NULL: the whole file */
    ULONG range_count;
    UINT64 remote_size;        /* as last probed (progress.bytes_total is the ranges' sum); BG_SIZE_UNKNOWN: not yet */
} ob_file;

typedef struct ob_credential {
    BOOL set;
    WCHAR *user;
    WCHAR *password;
} ob_credential;

#define OB_AUTH_TARGETS 2
#define OB_AUTH_SCHEMES 5

struct ob_job {
    LONG refs;
    GUID id;
    BG_JOB_TYPE type;
    const ob_flavour *flavour; /* BITS or DO (flavour.h); set once, before the job is shared */
    struct ob_engine *engine;  /* set once, before the job is shared; NULL: none */
    ob_job_link link;          /* the table's: set while the job is in it */

    SRWLOCK lock;              /* guards everything below */
    BG_JOB_STATE state;
    WCHAR *owner_sid;
    WCHAR *display_name;
    WCHAR *description;
    BG_JOB_PRIORITY priority;
    ULONG notify_flags;
    ob_sink *notify_sink;      /* one reference; NULL: none */
    WCHAR *notify_program;     /* NULL: no command line set */
    WCHAR *notify_parameters;
    ULONG retry_delay;
    ULONG no_progress_timeout;
    BOOL no_progress_timeout_set; /* by the client: no longer the flavour's default for the priority */
    ULONG error_count;
    BOOL has_error;
    ob_error_info error;
    BG_JOB_PROXY_USAGE proxy_usage;
    WCHAR *proxy_list;
    WCHAR *proxy_bypass;
    ob_credential credentials[OB_AUTH_TARGETS][OB_AUTH_SCHEMES];
    WCHAR *reply_file_name;    /* normalised (path.h) */
    BOOL reply_name_generated; /* ...and an empty file AddFile created for it */
    WCHAR *reply_temp_name;
    BG_JOB_REPLY_PROGRESS reply;
    FILETIME created, modified, transfer_completed;

    ob_file *files;
    ULONG files_capacity;
    ob_progress progress;

    /* Scheduling (job_transfer.c), under the same lock. */
    BOOL running;              /* a worker owns the transfer */
    BOOL yield;                /* ...and should hand it back (preempted) */
    struct ob_transport *transport; /* the worker's call in flight: a client stop cancels it */
    LONGLONG queued_seq;       /* first come, first served within a priority */
    ULONGLONG retry_at;        /* GetTickCount64() when TRANSIENT_ERROR retries */
    ULONGLONG transient_since; /* first transient error since the last progress; 0: none */

    /* Uploads (upload.c), under the same lock. */
    WCHAR *upload_session;     /* BITS-Session-Id; NULL: none open */
    WCHAR *upload_url;         /* where the session lives (BITS-Host-Id); NULL: the remote name */
    BOOL upload_file_known;    /* the local file's size and time, as first read */
    UINT64 upload_size;
    FILETIME upload_time;
    BOOL upload_sent;          /* the server has every byte */
    WCHAR *reply_url;          /* BITS-Reply-URL; NULL: no reply */

    ob_job_http http;          /* HttpOptions 1-3 (job_http.c), under the same lock */
    ULONG file_acl_flags;      /* SetFileACLFlags: BG_COPY_FILE_* (stored and reported only: docs/choices.md) */

    /* The store (persist.c): progress is saved at a bounded rate, under the
     * job lock; store_pending is interlocked: 1 while the job waits for the
     * store's writer. */
    ULONGLONG saved_tick;
    UINT64 unsaved_bytes;
    volatile LONG store_pending;
    /* Complete or Cancel under way (ob_job_ending), on disk before their
     * first rename or deletion; restored: the crash came in the middle, and
     * the restore finishes it (a temporary file already gone was renamed or
     * deleted before the crash). */
    ob_job_ending ending;
    BOOL ending_restored;
};


/* Where a property of the property table lives in the record (NULL: not a
 * ULONG / not a string property). */
ULONG *ob_job_ulong_slot(ob_job *job, ob_job_prop id);
WCHAR **ob_job_string_slot(ob_job *job, ob_job_prop id);
/* Room for `needed` files in job->files. */
HRESULT ob_job_reserve_files(ob_job *job, ULONG needed);
/* The next first-come-first-served position for a job entering QUEUED. */
LONGLONG ob_job_next_queue_seq(void);

/* For setters outside job.c (job_http.c): the job lock taken exclusively
 * unless the job is final (BG_E_INVALID_STATE); the unlock commits what
 * changed and returns hr. */
HRESULT ob_job_lock_for_change(ob_job *job);
HRESULT ob_job_unlock_after_change(ob_job *job, const ob_change *change, HRESULT hr);
/* A CoTaskMemAlloc'd copy for a client (NULL for NULL). */
HRESULT ob_job_cotask_copy(const WCHAR *s, WCHAR **out);

/* The job lock held exclusively: a property changed. */
void ob_job_note_change(ob_job *job, ob_change *change);
/* The job lock held exclusively: moves the job through the state machine
 * (first come, first served order on entering QUEUED; a transfer in flight is
 * cancelled when the job stops running) and records the change, which the
 * caller commits once the lock is released. */
HRESULT ob_job_apply_event(ob_job *job, ob_event event, ob_change *change);

#endif
