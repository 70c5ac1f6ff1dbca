#include "table.h"
#include "engine.h"
#include "lock.h"
#include "state.h"
#include "str.h"

typedef struct owner_count {
    struct owner_count *next;
    ULONG jobs;
    WCHAR sid[1];
} owner_count;

struct ob_table {
    struct ob_engine *engine;  /* given to every job made here */
    SRWLOCK lock;
    ob_limits limits;
    ob_job **buckets;
    ULONG bucket_count;        /* a power of two */
    ULONG job_count;
    owner_count *owners;
    ob_queued_fn on_queued;    /* set once, before jobs run */
    void *on_queued_context;
};

static ULONG hash_guid(const GUID *id)
{
    const ULONG *words = (const ULONG *)id;
    return words[0] ^ words[1] ^ words[2] ^ words[3];
}

#define LINK(job) ob_job_table_link(job)

static ob_job **bucket_of(ob_table *table, const GUID *id)
{
    return &table->buckets[hash_guid(id) & (table->bucket_count - 1)];
}

ob_table *ob_table_new(const ob_limits *limits, struct ob_engine *engine)
{
    ob_table *table = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, sizeof(*table));
    if (!table) return NULL;
    table->engine = engine;
    InitializeSRWLock(&table->lock);
    table->limits = *limits;
    table->bucket_count = 64;
    table->buckets = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, table->bucket_count * sizeof(ob_job *));
    if (!table->buckets)
    {
        HeapFree(GetProcessHeap(), 0, table);
        return NULL;
    }
    return table;
}

void ob_table_free(ob_table *table)
{
    ULONG i;
    owner_count *owner, *next;

    for (i = 0; i < table->bucket_count; i++)
        while (table->buckets[i])
        {
            ob_job *job = table->buckets[i];
            table->buckets[i] = LINK(job)->next;
            LINK(job)->table = NULL;
            ob_job_release(job);
        }
    for (owner = table->owners; owner; owner = next)
    {
        next = owner->next;
        HeapFree(GetProcessHeap(), 0, owner);
    }
    HeapFree(GetProcessHeap(), 0, table->buckets);
    HeapFree(GetProcessHeap(), 0, table);
}

void ob_table_set_queue_handler(ob_table *table, ob_queued_fn handler, void *context)
{
    table->on_queued = handler;
    table->on_queued_context = context;
}

void ob_table_job_queued(ob_table *table, ob_job *job)
{
    if (table->on_queued) table->on_queued(table->on_queued_context, job);
}

ULONG ob_table_count(ob_table *table)
{
    ULONG count;
    ob_lock_shared(&table->lock);
    count = table->job_count;
    ob_unlock_shared(&table->lock);
    return count;
}

/* ---- per-owner job counts (table lock held) ---- */

static owner_count *find_owner(ob_table *table, const WCHAR *sid, BOOL create)
{
    owner_count *owner;
    for (owner = table->owners; owner; owner = owner->next)
        if (!wcscmp(owner->sid, sid)) return owner;
    if (!create) return NULL;
    owner = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, sizeof(*owner) + wcslen(sid) * sizeof(WCHAR));
    if (!owner) return NULL;
    wcscpy(owner->sid, sid);
    owner->next = table->owners;
    table->owners = owner;
    return owner;
}

static void count_owner(ob_table *table, const WCHAR *sid, LONG delta)
{
    owner_count *owner = find_owner(table, sid, delta > 0);
    if (owner) owner->jobs += delta;
}

/* ---- the hash (table lock held) ---- */

static void grow(ob_table *table)
{
    ULONG new_count = table->bucket_count * 2, i;
    ob_job **new_buckets = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, new_count * sizeof(ob_job *));

    if (!new_buckets) return; /* longer chains, still correct */
    for (i = 0; i < table->bucket_count; i++)
        while (table->buckets[i])
        {
            ob_job *job = table->buckets[i];
            ob_job **slot = &new_buckets[hash_guid(ob_job_id(job)) & (new_count - 1)];
            table->buckets[i] = LINK(job)->next;
            LINK(job)->next = *slot;
            *slot = job;
        }
    HeapFree(GetProcessHeap(), 0, table->buckets);
    table->buckets = new_buckets;
    table->bucket_count = new_count;
}

static void insert(ob_table *table, ob_job *job)
{
    ob_job **slot;
    if (table->job_count >= table->bucket_count) grow(table);
    slot = bucket_of(table, ob_job_id(job));
    LINK(job)->next = *slot;
    *slot = job;
    LINK(job)->table = table;
    table->job_count++;
}

static ob_job *lookup(ob_table *table, const GUID *id)
{
    ob_job *job;
    for (job = *bucket_of(table, id); job; job = LINK(job)->next)
        if (IsEqualGUID(ob_job_id(job), id)) return job;
    return NULL;
}

static BOOL unlink_job(ob_table *table, ob_job *job)
{
    ob_job **link;
    for (link = bucket_of(table, ob_job_id(job)); *link; link = &LINK(*link)->next)
        if (*link == job)
        {
            *link = LINK(job)->next;
            LINK(job)->next = NULL;
            LINK(job)->table = NULL;
            table->job_count--;
            return TRUE;
        }
    return FALSE;
}

/* ---- operations ---- */

static HRESULT check_limits(ob_table *table, const ob_caller *caller)
{
    owner_count *owner;
    if (table->job_count >= table->limits.max_jobs_per_machine) return BG_E_TOO_MANY_JOBS_PER_MACHINE;
    if (caller->is_admin) return S_OK;
    owner = find_owner(table, caller->sid, FALSE);
    if (owner && owner->jobs >= table->limits.max_jobs_per_user) return BG_E_TOO_MANY_JOBS_PER_USER;
    return S_OK;
}

HRESULT ob_table_create_job(ob_table *table, const WCHAR *display_name, BG_JOB_TYPE type,
                            const ob_caller *caller, ob_job **out)
{
    return ob_table_create_flavoured_job(table, &ob_flavour_bits, display_name, type, caller, out);
}

HRESULT ob_table_create_flavoured_job(ob_table *table, const ob_flavour *flavour, const WCHAR *display_name,
                                      BG_JOB_TYPE type, const ob_caller *caller, ob_job **out)
{
    ob_job *job;
    HRESULT hr;

    if (!display_name || wcslen(display_name) > OB_MAX_DISPLAY_NAME) return E_INVALIDARG;
    if ((unsigned)type > BG_JOB_TYPE_UPLOAD_REPLY || !ob_flavour_makes(flavour, type)) return E_INVALIDARG;
    if (FAILED(hr = ob_job_new(display_name, type, caller->sid, &job))) return hr;
    ob_job_init_flavour(job, flavour);
    ob_job_set_engine(job, table->engine);

    ob_lock_exclusive(&table->lock);
    if (SUCCEEDED(hr = check_limits(table, caller)))
    {
        ob_job_addref(job); /* the table's reference */
        insert(table, job);
        count_owner(table, caller->sid, +1);
    }
    ob_unlock_exclusive(&table->lock);

    if (FAILED(hr)) ob_job_release(job);
    else
    {
        if (table->engine) ob_engine_job_changed(table->engine, job); /* the store keeps it from now on */
        *out = job;
    }
    return hr;
}

HRESULT ob_table_adopt(ob_table *table, ob_job *job)
{
    WCHAR sid[ARRAYSIZE(((ob_caller *)0)->sid)];
    HRESULT hr = E_INVALIDARG;

    ob_job_copy_owner(job, sid, ARRAYSIZE(sid));
    ob_lock_exclusive(&table->lock);
    if (!lookup(table, ob_job_id(job)))
    {
        ob_job_addref(job); /* the table's reference */
        insert(table, job);
        count_owner(table, sid, +1);
        hr = S_OK;
    }
    ob_unlock_exclusive(&table->lock);
    return hr;
}

/* Whether the caller may reach a job found in the table: BG_E_NOT_FOUND once
 * it is final (Cancel and Complete take it out of the table just after
 * leaving its lock), E_ACCESSDENIED for another user's unless any_owner. */
static HRESULT reach(ob_job *job, const ob_caller *caller, BOOL any_owner)
{
    if (ob_state_is_final(ob_job_state(job))) return BG_E_NOT_FOUND;
    if (!any_owner && !ob_job_owned_by(job, caller->sid)) return E_ACCESSDENIED;
    return S_OK;
}

HRESULT ob_table_get_job(ob_table *table, const GUID *id, const ob_caller *caller, ob_job **out)
{
    ob_job *job;
    HRESULT hr = BG_E_NOT_FOUND;

    ob_lock_shared(&table->lock);
    if ((job = lookup(table, id)) && SUCCEEDED(hr = reach(job, caller, caller->is_admin)))
    {
        ob_job_addref(job);
        *out = job;
    }
    ob_unlock_shared(&table->lock);
    return hr;
}

HRESULT ob_table_snapshot(ob_table *table, DWORD flags, const ob_caller *caller, ob_job ***jobs, ULONG *count)
{
    return ob_table_snapshot_of(table, NULL, flags, caller, jobs, count);
}

HRESULT ob_table_snapshot_of(ob_table *table, const ob_flavour *flavour, DWORD flags, const ob_caller *caller,
                             ob_job ***jobs, ULONG *count)
{
    BOOL all_users = flags & BG_JOB_ENUM_ALL_USERS;
    ob_job **list = NULL;
    ULONG i, n = 0;

    if (flags & ~BG_JOB_ENUM_ALL_USERS) return E_INVALIDARG;
    if (all_users && !caller->is_admin) return E_ACCESSDENIED;

    ob_lock_shared(&table->lock);
    if (table->job_count &&
        !(list = HeapAlloc(GetProcessHeap(), 0, table->job_count * sizeof(*list))))
    {
        ob_unlock_shared(&table->lock);
        return E_OUTOFMEMORY;
    }
    for (i = 0; i < table->bucket_count; i++)
    {
        ob_job *job;
        for (job = table->buckets[i]; job; job = LINK(job)->next)
            if ((!flavour || ob_job_flavour(job) == flavour) && reach(job, caller, all_users) == S_OK)
            {
                ob_job_addref(job);
                list[n++] = job;
            }
    }
    ob_unlock_shared(&table->lock);
    *jobs = list;
    *count = n;
    return S_OK;
}

void ob_table_free_snapshot(ob_job **jobs, ULONG count)
{
    ULONG i;
    for (i = 0; i < count; i++) ob_job_release(jobs[i]);
    HeapFree(GetProcessHeap(), 0, jobs);
}

HRESULT ob_table_check_access(ob_job *job, const ob_caller *caller)
{
    return caller->is_admin || ob_job_owned_by(job, caller->sid) ? S_OK : E_ACCESSDENIED;
}

HRESULT ob_table_add_files(ob_table *table, ob_job *job, ULONG count, const BG_FILE_INFO *files,
                           const ob_caller *caller)
{
    ULONG max_files = caller->is_admin ? 0 : table->limits.max_files_per_job;
    HRESULT hr = ob_table_check_access(job, caller);
    return FAILED(hr) ? hr : ob_job_add_files(job, count, files, max_files);
}

/* MaxRangesPerFile binds administrators too: it is no per-user limit. */
HRESULT ob_table_add_file_with_ranges(ob_table *table, ob_job *job, const BG_FILE_INFO *file, ULONG range_count,
                                      const BG_FILE_RANGE *ranges, const ob_caller *caller)
{
    ULONG max_files = caller->is_admin ? 0 : table->limits.max_files_per_job;
    HRESULT hr = ob_table_check_access(job, caller);
    return FAILED(hr) ? hr
                      : ob_job_add_file_with_ranges(job, file, range_count, ranges, max_files,
                                                    table->limits.max_ranges_per_file);
}

HRESULT ob_table_take_ownership(ob_table *table, ob_job *job, const ob_caller *caller)
{
    WCHAR old_sid[ARRAYSIZE(caller->sid)];
    ob_change change = OB_NO_CHANGE;
    HRESULT hr;

    if (!caller->is_admin) return E_ACCESSDENIED;
    /* The old owner is swapped under the table lock: two TakeOwnership calls
     * racing on one job must each move the per-user counts from the owner
     * they actually replaced.  The change is committed (notifications) once
     * the table lock is released. */
    ob_lock_exclusive(&table->lock);
    hr = ob_job_change_owner(job, caller->sid, old_sid, ARRAYSIZE(old_sid), &change);
    if (SUCCEEDED(hr) && LINK(job)->table == table)
    {
        count_owner(table, old_sid, -1);
        count_owner(table, caller->sid, +1);
    }
    ob_unlock_exclusive(&table->lock);
    ob_job_commit(job, &change);
    return hr;
}

void ob_table_remove(ob_table *table, ob_job *job)
{
    WCHAR sid[ARRAYSIZE(((ob_caller *)0)->sid)];
    BOOL removed;

    ob_lock_exclusive(&table->lock);
    removed = unlink_job(table, job);
    if (removed)
    {
        ob_job_copy_owner(job, sid, ARRAYSIZE(sid));
        count_owner(table, sid, -1);
    }
    ob_unlock_exclusive(&table->lock);
    if (removed) ob_job_release(job); /* the table's reference */
}
