/* The job table: every non-final job, hashed by GUID.  One table lock, held
 * only to find, insert or remove (never across I/O).  Lock order: the table
 * lock may be held while taking a job's lock, never the other way round, and
 * nothing is raised (no notification, no thread) while it is held. */
#ifndef OB_TABLE_H
#define OB_TABLE_H

#include "ob_types.h"
#include "config.h"
#include "job.h"

typedef struct ob_table ob_table;

/* Who is calling: the SID string of the caller's token, and whether it is an
 * administrator (exempt from per-user limits, may see every user's jobs). */
typedef struct ob_caller {
    WCHAR sid[192];
    BOOL is_admin;
} ob_caller;

HRESULT ob_caller_current(ob_caller *caller);

struct ob_engine;
/* engine: given to the jobs made here (their notifications go to it); may be NULL. */
ob_table *ob_table_new(const ob_limits *limits, struct ob_engine *engine);
void ob_table_free(ob_table *table);
ULONG ob_table_count(ob_table *table);

/* Who runs queued jobs (the scheduler): told whenever a client call leaves a
 * job QUEUED, with no lock held. */
typedef void (*ob_queued_fn)(void *context, ob_job *job);
void ob_table_set_queue_handler(ob_table *table, ob_queued_fn handler, void *context);
void ob_table_job_queued(ob_table *table, ob_job *job);

HRESULT ob_table_create_job(ob_table *table, const WCHAR *display_name, BG_JOB_TYPE type,
                            const ob_caller *caller, ob_job **out);
/* The same for a flavour's job: E_INVALIDARG for a type the flavour does not make. */
HRESULT ob_table_create_flavoured_job(ob_table *table, const ob_flavour *flavour, const WCHAR *display_name,
                                      BG_JOB_TYPE type, const ob_caller *caller, ob_job **out);
/* BG_E_NOT_FOUND for unknown or final jobs, E_ACCESSDENIED for another user's. */
HRESULT ob_table_get_job(ob_table *table, const GUID *id, const ob_caller *caller, ob_job **out);
/* An AddRef'd snapshot of the caller's jobs (flags: BG_JOB_ENUM_ALL_USERS). */
HRESULT ob_table_snapshot(ob_table *table, DWORD flags, const ob_caller *caller, ob_job ***jobs, ULONG *count);
/* The same, only the jobs of one flavour (NULL: every job). */
HRESULT ob_table_snapshot_of(ob_table *table, const ob_flavour *flavour, DWORD flags, const ob_caller *caller,
                             ob_job ***jobs, ULONG *count);
void ob_table_free_snapshot(ob_job **jobs, ULONG count);
/* Whether the caller may change a job (add files, set a property, change
 * its state): its owner or an administrator (bits-semantics.md 1.9);
 * E_ACCESSDENIED otherwise. */
HRESULT ob_table_check_access(ob_job *job, const ob_caller *caller);
/* A job restored from the store, with its own id and owner: into the table
 * (limits do not apply: it was admitted once); E_INVALIDARG if that id is
 * already there. */
HRESULT ob_table_adopt(ob_table *table, ob_job *job);
/* AddFile(Set): the caller must have access; the per-job file limit does
 * not bind administrators. */
HRESULT ob_table_add_files(ob_table *table, ob_job *job, ULONG count, const BG_FILE_INFO *files,
                           const ob_caller *caller);
/* AddFileWithRanges with the same limits, and MaxRangesPerFile. */
HRESULT ob_table_add_file_with_ranges(ob_table *table, ob_job *job, const BG_FILE_INFO *file, ULONG range_count,
                                      const BG_FILE_RANGE *ranges, const ob_caller *caller);
/* TakeOwnership: administrators only. */
HRESULT ob_table_take_ownership(ob_table *table, ob_job *job, const ob_caller *caller);
/* Called by a job reaching a final state. */
void ob_table_remove(ob_table *table, ob_job *job);

#endif
