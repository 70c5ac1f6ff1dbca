/* A job as the store keeps it, and back (job_record.c): every persistent
 * property of the property table under its name, the state, the times, the
 * last error, the retry timing, the files with their progress and temporary
 * names, the reply and an upload's session.  Plain data: no I/O here (the
 * store, store.c, writes and reads the bytes).
 *
 * The form is text, UTF-8, one "key=value" line per field (values escaped:
 * backslash, newline and carriage return), so that a record can be read with
 * a text editor; it starts with "openbits-job=1" and ends with a CRC-32 line
 * over everything before it, so that a torn or corrupted record is refused
 * whole rather than half believed. */
#ifndef OB_JOB_RECORD_H
#define OB_JOB_RECORD_H

#include "job.h"

/* Whether a job is kept by the store at all: BITS jobs are; DO downloads
 * (IDODownload, DO's job model) live only as long as their process. */
BOOL ob_job_record_wanted(ob_job *job);
/* The record of the job as it is now (under its lock, shared): *data is
 * HeapAlloc'd, *size its length. */
HRESULT ob_job_record_write(ob_job *job, char **data, DWORD *size);
/* A new job (one reference, in no table, no engine) from a record;
 * HRESULT_FROM_WIN32(ERROR_INVALID_DATA) for a record that is torn,
 * corrupted or not a job.  A job that was CONNECTING or TRANSFERRING comes
 * back QUEUED; retry timing is kept as time left. */
HRESULT ob_job_record_read(const char *data, DWORD size, ob_job **out);

#endif
