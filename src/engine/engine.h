/* The engine: one object that owns the job table, the scheduler, the notifier
 * and every thread they start.  The DLL keeps one (made on first use); tests
 * may make several side by side, each with its own jobs.
 *
 * Lifecycle: new (nothing runs yet: jobs may be created and queued), start
 * (workers may run), stop (cancels nothing: jobs keep their state; stops the
 * workers at their next block or cancels their transport call, ends the
 * notifier, wakes every other engine thread and waits until each has exited),
 * free (stops first, then frees the table, the scheduler, the notifier and
 * what they hold).  Every job reference must be released before free. */
#ifndef OB_ENGINE_H
#define OB_ENGINE_H

#include "table.h"

typedef struct ob_engine ob_engine;
struct ob_scheduler;
struct ob_notifier;

typedef struct ob_engine_config {
    ob_limits limits;
    ULONG unit_ms;             /* one "second" of the retry settings (config.h) */
    const WCHAR *store_dir;    /* the persistent store's folder; NULL: jobs live as long as the engine */
} ob_engine_config;

/* The registry's limits and OPENBITS_TIME_UNIT_MS. */
ob_engine_config ob_engine_config_default(void);
HRESULT ob_engine_new(const ob_engine_config *config, ob_engine **out);
void ob_engine_start(ob_engine *engine);
/* Idempotent; from any thread but the engine's own. */
void ob_engine_stop(ob_engine *engine);
void ob_engine_free(ob_engine *engine);
/* A clean end (the host exiting): stops the transfers, saves every job as
 * it is now (progress since the last bounded-rate save included), then
 * stops.  Without a store, the same as stop. */
void ob_engine_shutdown(ob_engine *engine);

/* A job's state, properties or progress changed: the store (if any) saves
 * it soon, or deletes it once final.  No I/O; no lock held. */
void ob_engine_job_changed(ob_engine *engine, ob_job *job);
/* Waits until the store has every change made so far (tests, the host). */
void ob_engine_flush_store(ob_engine *engine);

ob_table *ob_engine_table(ob_engine *engine);
struct ob_scheduler *ob_engine_scheduler(ob_engine *engine);
struct ob_notifier *ob_engine_notifier(ob_engine *engine);
ULONG ob_engine_unit_ms(ob_engine *engine);
/* Jobs in the engine's table; 0 for NULL. */
ULONG ob_engine_job_count(ob_engine *engine);

/* Starts a thread the engine tracks (stop waits for it).  The thread holds a
 * reference on the module that contains the engine while it runs.  FALSE if
 * the engine is stopping or the thread could not be made: the caller still
 * owns param.  Never call it with a lock held. */
BOOL ob_engine_spawn(ob_engine *engine, LPTHREAD_START_ROUTINE main, void *param);
/* A manual-reset event set when stop begins: an engine thread that waits for
 * something slow (a notification program) waits for this too. */
HANDLE ob_engine_stop_event(ob_engine *engine);
/* Threads the engine started that have not exited yet (tests). */
ULONG ob_engine_threads_alive(ob_engine *engine);

#endif
