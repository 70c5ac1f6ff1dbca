/* The job state machine: the one place that decides every transition. */
#ifndef OB_STATE_H
#define OB_STATE_H

#include "ob_types.h"

typedef enum ob_event {
    /* from the client */
    OB_EV_RESUME,
    OB_EV_SUSPEND,
    OB_EV_CANCEL,
    OB_EV_COMPLETE,
    OB_EV_FILES_ADDED,
    /* from the transfer engine */
    OB_EV_CONNECT,
    OB_EV_TRANSFER,
    OB_EV_ALL_TRANSFERRED,
    OB_EV_TRANSIENT_ERROR,
    OB_EV_FATAL_ERROR,
    OB_EV_RETRY,
    OB_EV_YIELD,               /* a running job gives its worker to a more urgent one */
} ob_event;

BOOL ob_state_is_final(BG_JOB_STATE state);
/* TRUE for QUEUED, CONNECTING, TRANSFERRING and TRANSIENT_ERROR. */
BOOL ob_state_is_active(BG_JOB_STATE state);
/* TRUE for CONNECTING and TRANSFERRING: a worker is moving the job's bytes. */
BOOL ob_state_is_running(BG_JOB_STATE state);
/* S_OK with *to set, or the documented error (BG_E_INVALID_STATE). */
HRESULT ob_state_next(BG_JOB_STATE from, ob_event event, BG_JOB_TYPE type, BG_JOB_STATE *to);
const char *ob_state_name(BG_JOB_STATE state);

#endif
