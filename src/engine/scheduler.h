/* The scheduler: a bounded pool of worker threads running queued jobs,
 * highest priority first (FOREGROUND > HIGH > NORMAL > LOW), first come first
 * served within a priority, and retrying jobs in TRANSIENT_ERROR when their
 * MinimumRetryDelay has passed. */
#ifndef OB_SCHEDULER_H
#define OB_SCHEDULER_H

#include "job.h"
#include "table.h"

typedef struct ob_scheduler ob_scheduler;

/* unit_ms: the length of one second of the retry settings (see config.h). */
ob_scheduler *ob_scheduler_new(ULONG max_workers, ULONG unit_ms);
/* Runs the table's jobs from now on (sets its queue handler). */
void ob_scheduler_attach(ob_scheduler *scheduler, ob_table *table);
/* A job is QUEUED (or may soon need a retry): any thread, no lock held. */
void ob_scheduler_submit(ob_scheduler *scheduler, ob_job *job);
/* Stops the transfers in flight, waits for every worker to leave and frees
 * the scheduler; jobs keep their state (for tests and process teardown). */
void ob_scheduler_free(ob_scheduler *scheduler);

#endif
