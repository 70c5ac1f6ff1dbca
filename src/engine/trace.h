/* Tracing: one line per event (state change, request, retry, notification,
 * error) with the time, the thread and the job, appended to a file.  Off by
 * default; switched on by the environment variable OPENBITS_TRACE=<file> or
 * the REG_SZ value TraceFile in HKLM\Software\OpenBits, read once per process
 * (ob_trace_init).  When off, OB_TRACE costs one branch.
 *
 * The format is wide (_vsnwprintf): %ls for WCHAR strings, %hs for char
 * strings, %I64u for UINT64.  The line is written as UTF-8 with one WriteFile.
 * It does file I/O: never trace with a lock held, and never pass a credential
 * (user name or password) to it. */
#ifndef OB_TRACE_H
#define OB_TRACE_H

#include <windows.h>

/* Nonzero while a trace file is open.  The one process-wide switch: set by
 * ob_trace_init/ob_trace_start, read without a lock. */
extern volatile LONG ob_trace_on;

#define OB_TRACE(job, ...) \
    do { if (ob_trace_on) ob_trace_write((job), __VA_ARGS__); } while (0)

/* Reads OPENBITS_TRACE, then HKLM\Software\OpenBits\TraceFile; only the
 * first call in a process does anything. */
void ob_trace_init(void);
/* Opens (appends to) a trace file now, replacing any open one; for tests and
 * for ob_trace_init.  FALSE if the file cannot be opened. */
BOOL ob_trace_start(const WCHAR *path);
void ob_trace_stop(void);
/* job may be NULL (an event about no job). */
void ob_trace_write(const GUID *job, const WCHAR *format, ...);

/* An error the administrator must see even with tracing off: one event in
 * the system's Application event log, source "openbits", the text as its
 * one insertion string (under Wine: an "err:eventlog" line on the process's
 * standard error).  Also traced.  I/O: never with a lock held. */
void ob_event_error(const WCHAR *text);
/* The event's id (no message file is registered: the text says it all). */
#define OB_EVENT_STORE_RECORD_REFUSED 1

#endif
