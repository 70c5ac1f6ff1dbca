/* The upload worker: runs one claimed upload or upload-reply job over the
 * BITS Upload Protocol until it is transferred, fails or is stopped. */
#ifndef OB_UPLOAD_H
#define OB_UPLOAD_H

#include "job.h"

/* The job is claimed (CONNECTING, running); unit_ms scales the retry times. */
void ob_upload_run(ob_job *job, ULONG unit_ms);
/* After Cancel: sends Cancel-Session for the job's open session, if any, from
 * a thread of its own (resent on 5xx, as documented). */
void ob_upload_cancel_session(ob_job *job);

#endif
