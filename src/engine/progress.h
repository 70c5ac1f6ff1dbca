/* Progress accounting: a job's totals are kept equal to the sum of its files'
 * at every update, so a reader gets a consistent BG_JOB_PROGRESS in O(1).
 * Every function that changes progress runs with the owning job's lock held
 * exclusively; ob_progress_snapshot needs no lock at all (a sequence count
 * tells it to read again if a change was under way), so GetProgress never
 * makes a transfer wait. */
#ifndef OB_PROGRESS_H
#define OB_PROGRESS_H

#include "ob_types.h"

typedef struct ob_file_progress {
    UINT64 bytes_total;        /* BG_SIZE_UNKNOWN until known */
    UINT64 bytes_transferred;
    BOOL completed;
} ob_file_progress;

typedef struct ob_progress {
    volatile LONG seq;         /* odd while the totals change */
    ULONG files_total;
    ULONG files_unknown_size;
    ULONG files_transferred;
    UINT64 bytes_total;        /* sum of the known sizes */
    UINT64 bytes_transferred;
} ob_progress;

void ob_progress_file_added(ob_progress *job, ob_file_progress *file);
/* Size discovered, or changed (a changed remote file restarts from zero). */
void ob_progress_set_size(ob_progress *job, ob_file_progress *file, UINT64 size);
/* Adds bytes, never past the file's known size; returns the bytes counted. */
UINT64 ob_progress_add_bytes(ob_progress *job, ob_file_progress *file, UINT64 bytes);
void ob_progress_file_done(ob_progress *job, ob_file_progress *file);
/* Back to zero bytes for that file (documented restart). */
void ob_progress_file_restart(ob_progress *job, ob_file_progress *file);
void ob_progress_snapshot(const ob_progress *job, BG_JOB_PROGRESS *out);

#endif
