#include "state.h"

BOOL ob_state_is_final(BG_JOB_STATE state)
{
    return state == BG_JOB_STATE_ACKNOWLEDGED || state == BG_JOB_STATE_CANCELLED;
}

BOOL ob_state_is_active(BG_JOB_STATE state)
{
    return state == BG_JOB_STATE_QUEUED || state == BG_JOB_STATE_CONNECTING ||
           state == BG_JOB_STATE_TRANSFERRING || state == BG_JOB_STATE_TRANSIENT_ERROR;
}

BOOL ob_state_is_running(BG_JOB_STATE state)
{
    return state == BG_JOB_STATE_CONNECTING || state == BG_JOB_STATE_TRANSFERRING;
}

static BOOL is_upload(BG_JOB_TYPE type)
{
    return type == BG_JOB_TYPE_UPLOAD || type == BG_JOB_TYPE_UPLOAD_REPLY;
}

static HRESULT client_event(BG_JOB_STATE from, ob_event event, BG_JOB_TYPE type, BG_JOB_STATE *to)
{
    switch (event)
    {
    case OB_EV_RESUME:
        /* A job already moving (or already transferred) stays where it is. */
        *to = (from == BG_JOB_STATE_SUSPENDED || from == BG_JOB_STATE_ERROR ||
               from == BG_JOB_STATE_TRANSIENT_ERROR) ? BG_JOB_STATE_QUEUED : from;
        return S_OK;
    case OB_EV_SUSPEND:
        *to = BG_JOB_STATE_SUSPENDED;
        return S_OK;
    case OB_EV_CANCEL:
        *to = BG_JOB_STATE_CANCELLED;
        return S_OK;
    case OB_EV_COMPLETE:
        if (is_upload(type) && from != BG_JOB_STATE_TRANSFERRED) return BG_E_INVALID_STATE;
        *to = BG_JOB_STATE_ACKNOWLEDGED;
        return S_OK;
    case OB_EV_FILES_ADDED:
        /* New work for a finished download: it goes back to the queue. */
        *to = from == BG_JOB_STATE_TRANSFERRED ? BG_JOB_STATE_QUEUED : from;
        return S_OK;
    default:
        return E_UNEXPECTED;
    }
}

/* Engine events only apply to a job that is still meant to be moving; a
 * Suspend or Cancel that won the race makes them invalid. */
static HRESULT engine_event(BG_JOB_STATE from, ob_event event, BG_JOB_STATE *to)
{
    BOOL running = ob_state_is_running(from);

    switch (event)
    {
    case OB_EV_CONNECT:
        if (from != BG_JOB_STATE_QUEUED) return BG_E_INVALID_STATE;
        *to = BG_JOB_STATE_CONNECTING;
        return S_OK;
    case OB_EV_TRANSFER:
        if (!running) return BG_E_INVALID_STATE;
        *to = BG_JOB_STATE_TRANSFERRING;
        return S_OK;
    case OB_EV_ALL_TRANSFERRED:
        if (!running && from != BG_JOB_STATE_QUEUED) return BG_E_INVALID_STATE;
        *to = BG_JOB_STATE_TRANSFERRED;
        return S_OK;
    case OB_EV_TRANSIENT_ERROR:
        if (!running && from != BG_JOB_STATE_QUEUED) return BG_E_INVALID_STATE;
        *to = BG_JOB_STATE_TRANSIENT_ERROR;
        return S_OK;
    case OB_EV_FATAL_ERROR:
        if (!running && from != BG_JOB_STATE_QUEUED && from != BG_JOB_STATE_TRANSIENT_ERROR)
            return BG_E_INVALID_STATE;
        *to = BG_JOB_STATE_ERROR;
        return S_OK;
    case OB_EV_RETRY:
        if (from != BG_JOB_STATE_TRANSIENT_ERROR) return BG_E_INVALID_STATE;
        *to = BG_JOB_STATE_QUEUED;
        return S_OK;
    case OB_EV_YIELD:
        if (!running) return BG_E_INVALID_STATE;
        *to = BG_JOB_STATE_QUEUED;
        return S_OK;
    default:
        return E_UNEXPECTED;
    }
}

HRESULT ob_state_next(BG_JOB_STATE from, ob_event event, BG_JOB_TYPE type, BG_JOB_STATE *to)
{
    if (ob_state_is_final(from)) return BG_E_INVALID_STATE;
    if (event <= OB_EV_FILES_ADDED) return client_event(from, event, type, to);
    return engine_event(from, event, to);
}

const char *ob_state_name(BG_JOB_STATE state)
{
    static const char *const names[] = {
        "QUEUED", "CONNECTING", "TRANSFERRING", "SUSPENDED", "ERROR",
        "TRANSIENT_ERROR", "TRANSFERRED", "ACKNOWLEDGED", "CANCELLED",
    };
    return (unsigned)state < ARRAYSIZE(names) ? names[state] : "UNKNOWN";
}
