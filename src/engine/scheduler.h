/* The scheduler: a bounded pool of worker threads running queued jobs,
 * highest priority first (FOREGROUND > HIGH > NORMAL > LOW), first come first
 * served within a priority, and retrying jobs in TRANSIENT_ERROR when their
 * MinimumRetryDelay has passed. */
#ifndef OB_SCHEDULER_H
#define OB_SCHEDULER_H

#include "job.h"
#include "table.h"

typedef struct ob_scheduler ob_scheduler;

struct ob_engine;

/* unit_ms: the length of one second of the retry settings (see config.h).
 * The engine makes and tracks the worker threads. */
ob_scheduler *ob_scheduler_new(struct ob_engine *engine, ULONG max_workers, ULONG unit_ms);
/* Submitted jobs are kept from now on (sets the table's queue handler)... */
void ob_scheduler_attach(ob_scheduler *scheduler, ob_table *table);
/* ...and run once the scheduler is started. */
void ob_scheduler_start(ob_scheduler *scheduler);
/* A job is QUEUED (or may soon need a retry): any thread, no lock held. */
void ob_scheduler_submit(ob_scheduler *scheduler, ob_job *job);
/* Stops the transfers in flight (their jobs keep their state) and waits for
 * every worker to leave; nothing runs afterwards. */
void ob_scheduler_stop(ob_scheduler *scheduler);
/* Stops, then frees the scheduler and its job references. */
void ob_scheduler_free(ob_scheduler *scheduler);

#endif
