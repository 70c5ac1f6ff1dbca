#include <stdarg.h>
#include <stdio.h>

#include "config.h"
#include "lock.h"
#include "trace.h"

volatile LONG ob_trace_on;
static HANDLE trace_file = INVALID_HANDLE_VALUE;
static SRWLOCK trace_lock = SRWLOCK_INIT;   /* guards trace_file against start/stop, not writes */

#define TRACE_LINE 2048

BOOL ob_trace_start(const WCHAR *path)
{
    HANDLE file = CreateFileW(path, FILE_APPEND_DATA, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                              NULL, OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
    if (file == INVALID_HANDLE_VALUE) return FALSE;
    ob_trace_stop();
    AcquireSRWLockExclusive(&trace_lock);
    trace_file = file;
    InterlockedExchange(&ob_trace_on, 1);
    ReleaseSRWLockExclusive(&trace_lock);
    return TRUE;
}

void ob_trace_stop(void)
{
    HANDLE file;
    AcquireSRWLockExclusive(&trace_lock);
    InterlockedExchange(&ob_trace_on, 0);
    file = trace_file;
    trace_file = INVALID_HANDLE_VALUE;
    ReleaseSRWLockExclusive(&trace_lock);
    if (file != INVALID_HANDLE_VALUE) CloseHandle(file);
}

static BOOL CALLBACK init_once(INIT_ONCE *once, void *param, void **context)
{
    WCHAR path[MAX_PATH];
    DWORD len = GetEnvironmentVariableW(L"OPENBITS_TRACE", path, ARRAYSIZE(path));
    DWORD size = sizeof(path);

    if (len && len < ARRAYSIZE(path))
        ob_trace_start(path);
    else if (!RegGetValueW(HKEY_LOCAL_MACHINE, OB_CONFIG_KEY, L"TraceFile", RRF_RT_REG_SZ, NULL, path, &size)
             && path[0])
        ob_trace_start(path);
    return TRUE;
}

void ob_trace_init(void)
{
    static INIT_ONCE once = INIT_ONCE_STATIC_INIT;
    InitOnceExecuteOnce(&once, init_once, NULL, NULL);
}

void ob_trace_write(const GUID *job, const WCHAR *format, ...)
{
    WCHAR line[TRACE_LINE];
    char utf8[TRACE_LINE * 3];
    SYSTEMTIME now;
    va_list args;
    int used, n, bytes;
    DWORD written;

    GetSystemTime(&now);
    used = _snwprintf(line, TRACE_LINE, L"%04u-%02u-%02uT%02u:%02u:%02u.%03uZ tid=%04lx ", now.wYear, now.wMonth,
                      now.wDay, now.wHour, now.wMinute, now.wSecond, now.wMilliseconds, GetCurrentThreadId());
    if (job)
        used += StringFromGUID2(job, line + used, TRACE_LINE - used) - 1;
    else
        used += _snwprintf(line + used, TRACE_LINE - used, L"-");
    line[used++] = L' ';

    va_start(args, format);
    n = _vsnwprintf(line + used, TRACE_LINE - used - 2, format, args);
    va_end(args);
    used = n < 0 ? TRACE_LINE - 2 - 4 : used + n;   /* truncated: keep what fitted, mark it */
    if (n < 0) used += _snwprintf(line + used, 5, L" ...");
    line[used++] = L'\n';

    bytes = WideCharToMultiByte(CP_UTF8, 0, line, used, utf8, sizeof(utf8), NULL, NULL);
    if (bytes <= 0) return;
    ob_lock_check_free("trace write"); /* trace_lock is the trace's own, not an engine lock */
    AcquireSRWLockShared(&trace_lock);
    if (trace_file != INVALID_HANDLE_VALUE) WriteFile(trace_file, utf8, bytes, &written, NULL);
    ReleaseSRWLockShared(&trace_lock);
}

void ob_event_error(const WCHAR *text)
{
    HANDLE log;

    ob_lock_check_free("event log");
    OB_TRACE(NULL, L"event: %ls", text);
    if (!(log = RegisterEventSourceW(NULL, L"openbits"))) return;
    ReportEventW(log, EVENTLOG_ERROR_TYPE, 0, OB_EVENT_STORE_RECORD_REFUSED, NULL, 1, 0, &text, NULL);
    DeregisterEventSource(log);
}
