#include "lock.h"

/* Per thread: MinGW's __thread is emulated TLS, which works in a DLL loaded
 * at any time (no static TLS directory needed). */
static __thread LONG held;

/* Process-wide, but diagnostic only: nothing in the engine reads them to
 * decide anything. */
static volatile LONG violations;
static const char *volatile first_violation;

void ob_lock_shared(SRWLOCK *lock)
{
    AcquireSRWLockShared(lock);
    held++;
}

void ob_unlock_shared(SRWLOCK *lock)
{
    held--;
    ReleaseSRWLockShared(lock);
}

void ob_lock_exclusive(SRWLOCK *lock)
{
    AcquireSRWLockExclusive(lock);
    held++;
}

void ob_unlock_exclusive(SRWLOCK *lock)
{
    held--;
    ReleaseSRWLockExclusive(lock);
}

BOOL ob_lock_sleep(CONDITION_VARIABLE *cv, SRWLOCK *lock, DWORD ms, ULONG flags)
{
    return SleepConditionVariableSRW(cv, lock, ms, flags);
}

LONG ob_lock_held(void)
{
    return held;
}

void ob_lock_check_free(const char *what)
{
    if (!held) return;
    InterlockedCompareExchangePointer((void *volatile *)&first_violation, (void *)what, NULL);
    InterlockedIncrement(&violations);
}

LONG ob_lock_violations(void)
{
    return InterlockedCompareExchange(&violations, 0, 0);
}

const char *ob_lock_first_violation(void)
{
    return first_violation;
}

void ob_lock_reset_violations(void)
{
    InterlockedExchangePointer((void *volatile *)&first_violation, NULL);
    InterlockedExchange(&violations, 0);
}
