/* Streams a remote file into a temporary file from a resume point, counting
 * each block once it is written: the download's files and an upload-reply's
 * reply both go through here. */
#ifndef OB_FETCH_FILE_H
#define OB_FETCH_FILE_H

#include "job.h"
#include "transport.h"

typedef struct ob_fetch {
    ob_job *job;               /* whose transport call Suspend/Cancel cancel */
    ob_transport *transport;
    const WCHAR *remote;
    const WCHAR *temp_name;    /* exists (ob_job_file_begin, ob_job_reply_begin) */
    UINT64 offset;             /* in: bytes already counted; out: bytes in the file */
    ob_remote_info expected;   /* as probed: the size to reach, the time to keep */
    const BG_FILE_RANGE *ranges; /* NULL: the whole file; else only these, one after another (ranges.h) */
    ULONG range_count;
    BOOL (*count)(void *context, UINT64 bytes);  /* FALSE: stop (E_ABORT) */
    void (*restart)(void *context);              /* the file holds less than counted */
    void *context;
    ob_failure failure;        /* out: of a failure, classified */
} ob_fetch;

/* S_OK once offset == expected.size (with ranges: their sum, each fetched
 * with the transport's fetch_part from where the local offset falls in it);
 * E_ABORT when stopped; otherwise the
 * failure, also in f->failure: failure.changed when the source is no longer
 * the file probed (more bytes than probed, another size or time: the caller
 * restarts the file), a source that ended early
 * (HRESULT_FROM_WIN32(ERROR_HANDLE_EOF), transient), a temporary file deleted
 * meanwhile (HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND), LOCAL_FILE, permanent:
 * the next begin starts the file again in a new one), the transport's or the
 * temporary file's error. */
HRESULT ob_fetch_to_file(ob_fetch *f);

#endif
