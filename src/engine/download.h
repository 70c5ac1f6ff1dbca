/* The download worker: runs one claimed download job until its files are
 * transferred, it fails, or the client stops it. */
#ifndef OB_DOWNLOAD_H
#define OB_DOWNLOAD_H

#include "job.h"

/* The job is claimed (CONNECTING, running); unit_ms scales the retry times. */
void ob_download_run(ob_job *job, ULONG unit_ms);

#endif
