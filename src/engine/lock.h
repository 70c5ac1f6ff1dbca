/* The engine's locks: slim reader/writer locks taken through these wrappers,
 * which count, per thread, how many locks the thread holds.  That count is
 * what makes the rule "no I/O, thread creation or call into client code
 * under a lock" checkable: the places that do such work (path.c's file
 * operations, the transports' requests, ob_engine_spawn, the notifier, sink
 * calls, trace writes) call ob_lock_check_free first, and a thread that
 * holds a lock there is recorded as a violation (counted, the first few
 * remembered by name).  The check costs one thread-local read; it is always
 * compiled in (docs/choices.md). */
#ifndef OB_LOCK_H
#define OB_LOCK_H

#include <windows.h>

void ob_lock_shared(SRWLOCK *lock);
void ob_unlock_shared(SRWLOCK *lock);
void ob_lock_exclusive(SRWLOCK *lock);
void ob_unlock_exclusive(SRWLOCK *lock);
/* SleepConditionVariableSRW: the lock is given up while asleep and held
 * again on return, so the thread's count does not change. */
BOOL ob_lock_sleep(CONDITION_VARIABLE *cv, SRWLOCK *lock, DWORD ms, ULONG flags);

/* How many engine locks the calling thread holds. */
LONG ob_lock_held(void);
/* Before I/O, thread creation or a call out: records a violation named
 * `what` (a string literal) if the calling thread holds a lock. */
void ob_lock_check_free(const char *what);

/* Diagnostics for tests and traces: violations recorded in this process
 * since it started (or since ob_lock_reset_violations), and the name given
 * to the first of them (NULL if none). */
LONG ob_lock_violations(void);
const char *ob_lock_first_violation(void);
void ob_lock_reset_violations(void);

#endif
