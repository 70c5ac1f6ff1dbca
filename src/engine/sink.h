/* A job's notification sink: an opaque handle the shell gives the engine
 * (the COM shell's holds the client's callback in the Global Interface
 * Table).  The engine only counts references on it and asks it to deliver
 * an event; it never knows what is behind it. */
#ifndef OB_SINK_H
#define OB_SINK_H

#include "ob_types.h"
#include "lock.h"

struct ob_job;
typedef struct ob_sink ob_sink;

typedef enum ob_notify_kind {
    OB_NOTIFY_JOB_TRANSFERRED,
    OB_NOTIFY_JOB_ERROR,
    OB_NOTIFY_JOB_MODIFICATION,
    OB_NOTIFY_FILE_TRANSFERRED,
} ob_notify_kind;

typedef struct ob_sink_ops {
    void (*addref)(ob_sink *sink);
    void (*release)(ob_sink *sink);
    /* Delivers one event on a notifier thread (in the MTA), no lock held:
     * S_OK when the client took it.  file_index is only meaningful for
     * OB_NOTIFY_FILE_TRANSFERRED. */
    HRESULT (*call)(ob_sink *sink, struct ob_job *job, ob_notify_kind kind, ULONG file_index);
} ob_sink_ops;

struct ob_sink {
    const ob_sink_ops *ops;
};

/* The calls that may reach client code (a release may be the last, and run
 * a COM release): never under a lock. */
static inline HRESULT ob_sink_call(ob_sink *sink, struct ob_job *job, ob_notify_kind kind, ULONG file_index)
{
    ob_lock_check_free("sink call");
    return sink->ops->call(sink, job, kind, file_index);
}

static inline void ob_sink_release(ob_sink *sink)
{
    ob_lock_check_free("sink release");
    sink->ops->release(sink);
}

#endif
