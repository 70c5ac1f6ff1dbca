/* Shared by the bench programs that go through openbits' COM API: one job
 * created and set up, and waiting for it to be TRANSFERRED. */
#ifndef BENCH_JOB_H
#define BENCH_JOB_H

#include <windows.h>
#include "openbits.h"

/* How the manager is reached: CLSCTX_INPROC_SERVER (default) or, with a
 * program's --host, CLSCTX_LOCAL_SERVER (openbits-host.exe). */
extern DWORD bench_clsctx;
/* The manager's class: CLSID_OpenBitsManager (default) or, with a program's
 * --qmgr, CLSID_BackgroundCopyManager (in a prefix where openbits is not
 * registered: Wine's builtin BITS, qmgr.dll, through its service). */
extern const CLSID *bench_clsid;
extern const CLSID bench_clsid_qmgr;

/* A FOREGROUND job of that type with one file; NULL (and why, on stderr,
 * prefixed with program) on failure. */
IBackgroundCopyJob *bench_create_job(const char *program, BG_JOB_TYPE type, const WCHAR *url, const WCHAR *local);
/* Polls every 10 ms until TRANSFERRED (S_OK), ERROR (E_FAIL, the error on
 * stderr) or the timeout (S_FALSE); a job still QUEUED after 30 s means no
 * engine will ever run it.  start: bench_now() at Resume. */
HRESULT bench_wait_transferred(const char *program, IBackgroundCopyJob *job, double start, double timeout);

#endif
