/* The persistent job store: one folder, one file per job ("{GUID}.job", a
 * job record: job_record.h).  A save writes "{GUID}.tmp", flushes it and
 * renames it over the job's file (MoveFileEx with REPLACE_EXISTING and
 * WRITE_THROUGH), so a crash at any moment leaves either the old record or
 * the new one, never a mix; a job's end deletes its file.  Knows nothing of
 * jobs beyond their GUID and bytes; does I/O, so it is never called with a
 * lock held (lock.h checks). */
#ifndef OB_STORE_H
#define OB_STORE_H

#include <windows.h>

typedef struct ob_store ob_store;

/* Opens (creating it and its parents if needed) the store in dir. */
HRESULT ob_store_open(const WCHAR *dir, ob_store **out);
void ob_store_free(ob_store *store);
const WCHAR *ob_store_dir(const ob_store *store);

HRESULT ob_store_save(ob_store *store, const GUID *id, const char *data, DWORD size);
/* S_OK also when there was nothing to delete. */
HRESULT ob_store_delete(ob_store *store, const GUID *id);

/* Calls `each` with every record (its file name and bytes); a record `each`
 * refuses (FALSE) is renamed "{GUID}.bad" and kept for the administrator,
 * never read again.  Leftover "*.tmp" files (a save cut short) are deleted.
 * *refused (may be NULL): how many were set aside. */
typedef BOOL (*ob_store_each)(void *context, const WCHAR *name, const char *data, DWORD size);
HRESULT ob_store_load(ob_store *store, ob_store_each each, void *context, ULONG *refused);

#endif
