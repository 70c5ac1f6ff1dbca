/* openbits-admin: Ctrl+C.  The handler only sets a flag: the loop that waits
 * for a job sees it, cancels the job (which deletes its temporary files) and
 * returns ADMIN_EXIT_INTERRUPTED. */
#include "admin.h"

static volatile LONG interrupted;

static BOOL WINAPI on_console_event(DWORD event)
{
    if (event != CTRL_C_EVENT && event != CTRL_BREAK_EVENT) return FALSE;
    InterlockedExchange(&interrupted, 1);
    return TRUE;
}

void admin_watch_interrupt(void)
{
    SetConsoleCtrlHandler(on_console_event, TRUE);
}

BOOL admin_interrupted(void)
{
    return InterlockedCompareExchange(&interrupted, 0, 0) != 0;
}
