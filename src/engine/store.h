/* The persistent job store: one folder holding a snapshot of every job
 * ("jobs.snapshot": the records one after another) and, for the changes
 * since, one small file per job: "{GUID}.job" (its newest record) or
 * "{GUID}.gone" (the job ended).  Every file starts with its generation (a
 * counter of the store's writes): for each job the highest generation wins,
 * so a snapshot and the loose files can never be mixed up, whatever moment a
 * crash chose.  Each file is written whole, flushed, and renamed over the old
 * one (MoveFileEx with REPLACE_EXISTING and WRITE_THROUGH).  Compaction folds
 * the loose files into a new snapshot, then deletes them.
 *
 * Knows nothing of jobs beyond their GUID and bytes (the records are
 * job_record.h's); does I/O, so it is never called with a lock held
 * (lock.h checks); one thread at a time (the engine's store writer, or the
 * restore before it starts). */
#ifndef OB_STORE_H
#define OB_STORE_H

#include <windows.h>

typedef struct ob_store ob_store;

/* Opens (creating it and its parents if needed) the store in dir. */
HRESULT ob_store_open(const WCHAR *dir, ob_store **out);
void ob_store_free(ob_store *store);
const WCHAR *ob_store_dir(const ob_store *store);

HRESULT ob_store_save(ob_store *store, const GUID *id, const char *data, DWORD size);
/* The job ended: S_OK also when the store never had it. */
HRESULT ob_store_delete(ob_store *store, const GUID *id);

/* Calls `each` with every job's newest record (its GUID and bytes).  A
 * record `each` refuses (FALSE) is written aside as "{GUID}.bad" for the
 * administrator and dropped from the store.  Leftover "*.tmp" files (a save
 * cut short) are deleted.  *refused (may be NULL): how many were set aside. */
typedef BOOL (*ob_store_each)(void *context, const GUID *id, const char *data, DWORD size);
HRESULT ob_store_load(ob_store *store, ob_store_each each, void *context, ULONG *refused);

/* Folds every loose file into a new snapshot and deletes them. */
HRESULT ob_store_compact(ob_store *store);
/* Loose files written since the last snapshot (the writer compacts when
 * they pile up). */
ULONG ob_store_loose(const ob_store *store);

#endif
