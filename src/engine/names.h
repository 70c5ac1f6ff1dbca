/* Validation of the remote and local file names given to AddFile/AddFileSet
 * and SetReplyFileName (BG_FILE_INFO's rules). */
#ifndef OB_NAMES_H
#define OB_NAMES_H

#include "ob_types.h"

typedef enum ob_remote_kind {
    OB_REMOTE_HTTP,     /* http:// or https:// */
    OB_REMOTE_FILE,     /* file:// URL, UNC path or drive path (SMB or local) */
} ob_remote_kind;

HRESULT ob_check_remote_name(const WCHAR *name, BG_JOB_TYPE type, ob_remote_kind *kind);
/* For downloads the file's directory must exist; for uploads the file itself. */
HRESULT ob_check_local_name(const WCHAR *name, BG_JOB_TYPE type);
/* A reply file name: full path in an existing directory (NULL/empty handled by caller). */
HRESULT ob_check_reply_name(const WCHAR *name);
/* The remote name as a trace may show it: a URL's user information (which
 * may hold a password) becomes "***".  Truncated to fit out (chars > 4). */
void ob_remote_for_trace(const WCHAR *name, WCHAR *out, size_t chars);
/* The path a file:// URL, UNC or drive remote name designates (heap, caller frees). */
WCHAR *ob_remote_to_path(const WCHAR *name);

#endif
