/* Common includes of the plain-C engine: Windows base types, the BITS data
 * types generated from idl/bits_types.idl, and the BG_E_* codes generated
 * from src/messages.mc.  No COM interface is visible from here. */
#ifndef OB_TYPES_H
#define OB_TYPES_H

#include <windows.h>
#include "bits_types.h"
#include "messages.h"

#define OB_MAX_DISPLAY_NAME   256
#define OB_MAX_DESCRIPTION    1024
#define OB_MAX_REMOTE_NAME    2200
#define OB_MAX_PROXY_LIST     4000
#define OB_MAX_CMD_PARAMS     4000
#define OB_MAX_USERNAME       300
#define OB_MAX_PASSWORD       65536

#define OB_DEFAULT_RETRY_DELAY      600
#define OB_MIN_RETRY_DELAY          5
#define OB_DEFAULT_NO_PROGRESS      1209600
#define OB_DEFAULT_NOTIFY_FLAGS     (BG_NOTIFY_JOB_TRANSFERRED | BG_NOTIFY_JOB_ERROR)
#define OB_VALID_NOTIFY_FLAGS       (BG_NOTIFY_JOB_TRANSFERRED | BG_NOTIFY_JOB_ERROR | \
                                     BG_NOTIFY_DISABLE | BG_NOTIFY_JOB_MODIFICATION | \
                                     BG_NOTIFY_FILE_TRANSFERRED)

#endif
