#include "progress.h"

/* The sequence is odd while a writer changes the totals: a reader that saw
 * it odd, or changed, reads again.  Writers hold the job lock exclusively,
 * so only readers need the sequence. */
static void write_begin(ob_progress *job)
{
    InterlockedIncrement(&job->seq);
}

static void write_end(ob_progress *job)
{
    InterlockedIncrement(&job->seq);
}

/* The file's size leaves (or joins) the job's sum; BG_SIZE_UNKNOWN counts apart. */
static void count_size(ob_progress *job, UINT64 size, BOOL add)
{
    if (size == BG_SIZE_UNKNOWN && add) job->files_unknown_size++;
    else if (size == BG_SIZE_UNKNOWN) job->files_unknown_size--;
    else if (add) job->bytes_total += size;
    else job->bytes_total -= size;
}

static void restart(ob_progress *job, ob_file_progress *file)
{
    job->bytes_transferred -= file->bytes_transferred;
    file->bytes_transferred = 0;
    if (file->completed)
    {
        file->completed = FALSE;
        job->files_transferred--;
    }
}

static void set_size(ob_progress *job, ob_file_progress *file, UINT64 size)
{
    if (file->bytes_total == size) return;
    /* A known size that changes restarts the file; so does learning a size
     * smaller than what already arrived (bytes never exceed the size). */
    if (file->bytes_total != BG_SIZE_UNKNOWN || file->bytes_transferred > size) restart(job, file);
    count_size(job, file->bytes_total, FALSE);
    file->bytes_total = size;
    count_size(job, size, TRUE);
}

void ob_progress_file_added(ob_progress *job, ob_file_progress *file)
{
    write_begin(job);
    file->bytes_total = BG_SIZE_UNKNOWN;
    file->bytes_transferred = 0;
    file->completed = FALSE;
    job->files_total++;
    job->files_unknown_size++;
    write_end(job);
}

void ob_progress_set_size(ob_progress *job, ob_file_progress *file, UINT64 size)
{
    write_begin(job);
    set_size(job, file, size);
    write_end(job);
}

UINT64 ob_progress_add_bytes(ob_progress *job, ob_file_progress *file, UINT64 bytes)
{
    if (file->bytes_total != BG_SIZE_UNKNOWN && bytes > file->bytes_total - file->bytes_transferred)
        bytes = file->bytes_total - file->bytes_transferred;
    write_begin(job);
    file->bytes_transferred += bytes;
    job->bytes_transferred += bytes;
    write_end(job);
    return bytes;
}

void ob_progress_file_done(ob_progress *job, ob_file_progress *file)
{
    if (file->completed) return;
    write_begin(job);
    /* A file of unknown size is done when its stream ends: its size is what arrived. */
    if (file->bytes_total == BG_SIZE_UNKNOWN) set_size(job, file, file->bytes_transferred);
    file->completed = TRUE;
    job->files_transferred++;
    write_end(job);
}

void ob_progress_file_restart(ob_progress *job, ob_file_progress *file)
{
    write_begin(job);
    restart(job, file);
    write_end(job);
}

static void copy_totals(const ob_progress *job, BG_JOB_PROGRESS *out)
{
    out->FilesTotal = job->files_total;
    out->FilesTransferred = job->files_transferred;
    out->BytesTransferred = job->bytes_transferred;
    if (!job->files_total) out->BytesTotal = 0;
    else if (job->files_unknown_size) out->BytesTotal = BG_SIZE_UNKNOWN;
    else out->BytesTotal = job->bytes_total;
}

void ob_progress_snapshot(const ob_progress *job, BG_JOB_PROGRESS *out)
{
    LONG before, after;
    for (;;)
    {
        before = job->seq;
        MemoryBarrier();
        if (before & 1)
        {
            YieldProcessor();
            continue;
        }
        copy_totals(job, out);
        MemoryBarrier();
        after = job->seq;
        if (after == before) return;
    }
}
