/* Notifications out of the engine.  Workers raise an event after a job
 * changes, with no lock held; the COM shell installs the one handler, which
 * decides (from the job's flags, interface and command line) what to deliver,
 * and must not block: it queues the delivery. */
#ifndef OB_NOTIFY_H
#define OB_NOTIFY_H

#include "job.h"

typedef enum ob_notify_kind {
    OB_NOTIFY_JOB_TRANSFERRED,
    OB_NOTIFY_JOB_ERROR,
    OB_NOTIFY_JOB_MODIFICATION,
    OB_NOTIFY_FILE_TRANSFERRED,
} ob_notify_kind;

typedef void (*ob_notify_fn)(ob_job *job, ob_notify_kind kind, ULONG file_index);

/* NULL removes the handler.  Not synchronised with raise: set it once, before
 * any job runs (DLL attach, test setup). */
void ob_notify_set_handler(ob_notify_fn handler);
/* file_index is only meaningful for OB_NOTIFY_FILE_TRANSFERRED. */
void ob_notify_raise(ob_job *job, ob_notify_kind kind, ULONG file_index);

#endif
