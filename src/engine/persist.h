/* The store's writer: the queue of jobs whose record must be saved (or
 * deleted, once final) and the one engine thread that does it, so that no
 * client call and no transfer waits for the disk, records of one job are
 * written in order, and a burst of changes to a job is one write.  It also
 * restores an engine's jobs from the store when the engine is made. */
#ifndef OB_PERSIST_H
#define OB_PERSIST_H

#include "store.h"
#include "table.h"

struct ob_engine;
struct ob_scheduler;
typedef struct ob_persist ob_persist;

/* Takes the store. */
HRESULT ob_persist_new(struct ob_engine *engine, ob_store *store, ob_persist **out);
/* Every record into the table (jobs that were running come back QUEUED and
 * go to the scheduler with those waiting for a retry); *restored and
 * *refused count them.  Before start. */
void ob_persist_restore(ob_persist *persist, ob_table *table, struct ob_scheduler *scheduler, ULONG *restored,
                        ULONG *refused);
/* Starts the writer (an engine thread). */
BOOL ob_persist_start(ob_persist *persist);
/* The job changed: it will be saved soon.  No I/O; any thread, no lock held. */
void ob_persist_job_changed(ob_persist *persist, ob_job *job);
/* Waits until every change queued so far is on disk (tests, shutdown). */
void ob_persist_flush(ob_persist *persist);
/* The writer saves what is queued, then exits (the engine joins it). */
void ob_persist_stop(ob_persist *persist);
void ob_persist_free(ob_persist *persist);
/* Records written and deleted so far (tests, bench). */
ULONG ob_persist_writes(ob_persist *persist);

#endif
