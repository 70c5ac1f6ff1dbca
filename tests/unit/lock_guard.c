/* Linked into every engine test: when the test process ends, any I/O,
 * thread creation or call out that the engine made while holding one of its
 * locks (lock.h) fails the test run, whichever test did it. */
#include <stdio.h>
#include "lock.h"

__attribute__((destructor)) static void fail_on_io_under_a_lock(void)
{
    LONG n = ob_lock_violations();
    if (!n) return;
    fprintf(stderr, "lock_guard: %ld call(s) made under an engine lock, the first: %s\n", n,
            ob_lock_first_violation() ? ob_lock_first_violation() : "?");
    fflush(stderr);
    _exit(3);
}
