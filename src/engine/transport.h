/* The narrow interface between the transfer engine and the ways bytes arrive
 * (WinHTTP, local and UNC files).  A transport knows nothing of jobs: it
 * describes a remote file and streams its bytes from an offset into a sink. */
#ifndef OB_TRANSPORT_H
#define OB_TRANSPORT_H

#include "ob_types.h"

#define OB_TRANSPORT_BLOCK (1024 * 1024)

typedef struct ob_remote_info {
    UINT64 size;               /* BG_SIZE_UNKNOWN when the source gives none */
    FILETIME modified;         /* all zero when unknown */
} ob_remote_info;

/* Receives the bytes in order, one block at a time; FALSE stops the transfer
 * (Suspend or Cancel), and fetch then returns E_ABORT. */
typedef BOOL (*ob_sink_fn)(void *context, const BYTE *data, DWORD size);

typedef struct ob_transport ob_transport;

typedef struct ob_transport_ops {
    /* On failure *where says which side failed (BG_ERROR_CONTEXT_REMOTE_FILE...). */
    HRESULT (*probe)(ob_transport *transport, const WCHAR *remote, ob_remote_info *info,
                     BG_ERROR_CONTEXT *where);
    /* Streams from offset to the end of the remote file. */
    HRESULT (*fetch)(ob_transport *transport, const WCHAR *remote, UINT64 offset, ob_sink_fn sink,
                     void *context, BG_ERROR_CONTEXT *where);
    void (*close)(ob_transport *transport);
} ob_transport_ops;

struct ob_transport {
    const ob_transport_ops *ops;
};

/* file:// URLs, UNC and drive paths, read with our own chunked loop (Wine's
 * CopyFileEx never reports progress, so it cannot be used). */
HRESULT ob_local_transport_open(ob_transport **out);

#endif
