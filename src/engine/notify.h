/* Notifications out of the engine (IBackgroundCopyCallback's events and the
 * notification command line).  A change raises an event with no lock held
 * (the commit step, job.c); the engine's notifier queues it and up to
 * MAX_NOTIFIERS notifier threads deliver the events, one at a time per job,
 * in the order they were raised, to the job's sink (sink.h).  Flags are
 * checked when an event is delivered.  JobTransferred and JobError are
 * retried until they return S_OK, the job leaves that state, or the command
 * line (the documented fallback) has run.  A client that is gone (its
 * callback answers RPC_E_DISCONNECTED, RPC_S_SERVER_UNAVAILABLE or
 * CO_E_OBJNOTCONNECTED) is dropped: the job forgets its sink and the command
 * line, if set, takes over. */
#ifndef OB_NOTIFY_H
#define OB_NOTIFY_H

#include "job.h"
#include "sink.h"

struct ob_engine;
typedef struct ob_notifier ob_notifier;

ob_notifier *ob_notifier_new(struct ob_engine *engine, ULONG unit_ms);
/* No more deliveries: waits for the notifier threads, drops what is queued. */
void ob_notifier_stop(ob_notifier *notifier);
void ob_notifier_free(ob_notifier *notifier);

/* To the job's engine, if it has one.  Any thread, no lock held. */
void ob_notify_raise(ob_job *job, ob_notify_kind kind, ULONG file_index);
/* Queue JobTransferred/JobError again for a job already in that state
 * (documented: a callback registered late still hears of it). */
void ob_notify_redeliver(ob_job *job);
void ob_notify_flags_changed(ob_job *job, ULONG old_flags, ULONG new_flags);
/* The answers that mean the client is gone for good. */
BOOL ob_notify_client_gone(HRESULT hr);

#endif
