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
    const WCHAR *temp_name;    /* exists (created under the job lock) */
    UINT64 offset;             /* in: bytes already counted; out: bytes in the file */
    UINT64 size;               /* as probed */
    BOOL (*count)(void *context, UINT64 bytes);  /* FALSE: stop (E_ABORT) */
    void (*restart)(void *context);              /* the file holds less than counted */
    void *context;
    BG_ERROR_CONTEXT where;    /* out: of a failure */
} ob_fetch;

/* S_OK once offset == size; E_ABORT when stopped; BG_E_INVALID_SERVER_RESPONSE
 * when the server sent more than probed (the remote file changed: restart
 * it); HRESULT_FROM_WIN32(ERROR_HANDLE_EOF) when the source ended early;
 * otherwise the transport's or the file's error, with f->where. */
HRESULT ob_fetch_to_file(ob_fetch *f);

#endif
