/* The job table: lookups, access, EnumJobs snapshots, the documented limits
 * (bits-semantics §1.3, §1.9), scale and concurrency. */
#include "test_support.h"
#include <objbase.h>
#include <stdio.h>
#include "table.h"
#include "state.h"

static const ob_caller alice = { L"S-1-5-21-1000-2000-3000-1001", FALSE };
static const ob_caller bob = { L"S-1-5-21-1000-2000-3000-1002", FALSE };
static const ob_caller admin = { L"S-1-5-21-1000-2000-3000-500", TRUE };

/* A download's local name only needs an existing directory. */
static BG_FILE_INFO file_info = { L"http://server/file.bin", L"C:\\windows\\openbits-table-test.bin" };

static ob_table *new_table(ULONG per_machine, ULONG per_user, ULONG per_job)
{
    ob_limits limits = { per_machine, per_user, per_job };
    ob_table *table = ob_table_new(&limits, NULL);
    assert_non_null(table);
    return table;
}

static ob_job *create(ob_table *table, const ob_caller *caller)
{
    ob_job *job = NULL;
    assert_hr_equal(ob_table_create_job(table, L"job", BG_JOB_TYPE_DOWNLOAD, caller, &job), S_OK);
    assert_non_null(job);
    return job;
}

static HRESULT try_create(ob_table *table, const ob_caller *caller)
{
    ob_job *job = NULL;
    HRESULT hr = ob_table_create_job(table, L"job", BG_JOB_TYPE_DOWNLOAD, caller, &job);
    if (SUCCEEDED(hr)) ob_job_release(job);
    return hr;
}

static HRESULT get(ob_table *table, ob_job *job, const ob_caller *caller)
{
    ob_job *found = NULL;
    HRESULT hr = ob_table_get_job(table, ob_job_id(job), caller, &found);
    if (SUCCEEDED(hr))
    {
        assert_ptr_equal(found, job);
        ob_job_release(found);
    }
    return hr;
}

static ULONG snapshot_count(ob_table *table, DWORD flags, const ob_caller *caller)
{
    ob_job **jobs = NULL;
    ULONG count = 0;
    assert_hr_equal(ob_table_snapshot(table, flags, caller, &jobs, &count), S_OK);
    ob_table_free_snapshot(jobs, count);
    return count;
}

static BOOL snapshot_has(ob_table *table, DWORD flags, const ob_caller *caller, ob_job *job)
{
    ob_job **jobs = NULL;
    ULONG count = 0, i;
    BOOL found = FALSE;
    assert_hr_equal(ob_table_snapshot(table, flags, caller, &jobs, &count), S_OK);
    for (i = 0; i < count; i++) found |= jobs[i] == job;
    ob_table_free_snapshot(jobs, count);
    return found;
}

static WCHAR *owner_of(ob_job *job)
{
    WCHAR *owner = NULL;
    assert_hr_equal(ob_job_get_string(job, OB_PROP_OWNER, &owner), S_OK);
    return owner;
}

static void owner_is(ob_job *job, const ob_caller *caller)
{
    WCHAR *owner = owner_of(job);
    assert_true(!wcscmp(owner, caller->sid));
    CoTaskMemFree(owner);
}

/* ---- create, get, snapshot ---- */

static void test_create_get_snapshot(void **state)
{
    ob_table *table = new_table(300, 60, 200);
    ob_job *a = create(table, &alice), *b = create(table, &bob);
    ob_job_info info;
    GUID unknown;

    assert_int_equal(ob_table_count(table), 2);
    ob_job_get_info(a, &info);
    assert_int_equal(info.state, BG_JOB_STATE_SUSPENDED);
    assert_int_equal(ob_job_type(a), BG_JOB_TYPE_DOWNLOAD);
    assert_ptr_equal(ob_job_table_link(a)->table, table);
    owner_is(a, &alice);
    owner_is(b, &bob);
    assert_false(IsEqualGUID(ob_job_id(a), ob_job_id(b)));

    assert_hr_equal(get(table, a, &alice), S_OK);
    assert_hr_equal(get(table, b, &bob), S_OK);
    /* another user's job */
    assert_hr_equal(get(table, a, &bob), E_ACCESSDENIED);
    assert_hr_equal(get(table, b, &alice), E_ACCESSDENIED);
    /* administrators reach every job */
    assert_hr_equal(get(table, a, &admin), S_OK);
    assert_hr_equal(get(table, b, &admin), S_OK);
    /* unknown */
    CoCreateGuid(&unknown);
    {
        ob_job *found = (ob_job *)1;
        assert_hr_equal(ob_table_get_job(table, &unknown, &alice, &found), BG_E_NOT_FOUND);
        assert_hr_equal(ob_table_get_job(table, &unknown, &admin, &found), BG_E_NOT_FOUND);
        assert_hr_equal(ob_table_get_job(table, &GUID_NULL, &admin, &found), BG_E_NOT_FOUND);
    }

    /* EnumJobs(0): the caller's own jobs, administrators included */
    assert_int_equal(snapshot_count(table, 0, &alice), 1);
    assert_true(snapshot_has(table, 0, &alice, a));
    assert_false(snapshot_has(table, 0, &alice, b));
    assert_int_equal(snapshot_count(table, 0, &bob), 1);
    assert_int_equal(snapshot_count(table, 0, &admin), 0);
    /* EnumJobs(ALL_USERS): administrators only */
    assert_int_equal(snapshot_count(table, BG_JOB_ENUM_ALL_USERS, &admin), 2);
    assert_true(snapshot_has(table, BG_JOB_ENUM_ALL_USERS, &admin, b));

    ob_job_release(a);
    ob_job_release(b);
    ob_table_free(table);
}

static void test_snapshot_flags(void **state)
{
    ob_table *table = new_table(300, 60, 200);
    ob_job **jobs = (ob_job **)1;
    ULONG count = 99;

    ob_job_release(create(table, &alice));
    assert_hr_equal(ob_table_snapshot(table, BG_JOB_ENUM_ALL_USERS, &alice, &jobs, &count), E_ACCESSDENIED);
    assert_hr_equal(ob_table_snapshot(table, 2, &alice, &jobs, &count), E_INVALIDARG);
    assert_hr_equal(ob_table_snapshot(table, 2, &admin, &jobs, &count), E_INVALIDARG);
    assert_hr_equal(ob_table_snapshot(table, BG_JOB_ENUM_ALL_USERS | 0x100, &admin, &jobs, &count), E_INVALIDARG);
    assert_hr_equal(ob_table_snapshot(table, 0x80000000, &alice, &jobs, &count), E_INVALIDARG);
    /* an empty snapshot */
    assert_hr_equal(ob_table_snapshot(table, 0, &bob, &jobs, &count), S_OK);
    assert_int_equal(count, 0);
    ob_table_free_snapshot(jobs, count);
    ob_table_free(table);
}

static void test_snapshot_outlives_the_jobs_leaving(void **state)
{
    ob_table *table = new_table(300, 60, 200);
    ob_job *a = create(table, &alice);
    ob_job **jobs = NULL;
    ULONG count = 0;
    ob_job_info info;

    assert_hr_equal(ob_table_snapshot(table, 0, &alice, &jobs, &count), S_OK);
    assert_int_equal(count, 1);
    assert_hr_equal(ob_job_cancel(a), S_OK);
    ob_job_release(a);
    /* the snapshot's reference keeps the job readable; its properties are live */
    ob_job_get_info(jobs[0], &info);
    assert_int_equal(info.state, BG_JOB_STATE_CANCELLED);
    ob_table_free_snapshot(jobs, count);
    assert_int_equal(snapshot_count(table, 0, &alice), 0);
    ob_table_free(table);
}

/* ---- final jobs leave the table ---- */

static void test_cancelled_and_completed_jobs_are_not_found(void **state)
{
    ob_table *table = new_table(300, 60, 200);
    ob_job *cancelled = create(table, &alice), *completed = create(table, &alice), *kept = create(table, &alice);

    assert_int_equal(ob_table_count(table), 3);
    assert_hr_equal(ob_job_cancel(cancelled), S_OK);
    assert_int_equal(ob_table_count(table), 2);
    assert_null(ob_job_table_link(cancelled)->table);
    assert_hr_equal(get(table, cancelled, &alice), BG_E_NOT_FOUND);
    assert_hr_equal(get(table, cancelled, &admin), BG_E_NOT_FOUND);

    assert_hr_equal(ob_job_complete(completed), S_OK);
    assert_int_equal(ob_table_count(table), 1);
    assert_hr_equal(get(table, completed, &alice), BG_E_NOT_FOUND);

    assert_int_equal(snapshot_count(table, 0, &alice), 1);
    assert_true(snapshot_has(table, 0, &alice, kept));
    assert_int_equal(snapshot_count(table, BG_JOB_ENUM_ALL_USERS, &admin), 1);
    assert_hr_equal(get(table, kept, &alice), S_OK);

    ob_job_release(cancelled);
    ob_job_release(completed);
    ob_job_release(kept);
    ob_table_free(table);
}

/* Between a job turning final and leaving the table, it is already gone. */
static void test_final_job_still_in_table_is_not_found(void **state)
{
    ob_table *table = new_table(300, 60, 200);
    ob_job *job = create(table, &alice);

    /* the job turns final while the table still holds it (as between
     * Complete's state change and its removal): the job does not see the
     * table for that moment, so it does not remove itself */
    ob_job_table_link(job)->table = NULL;
    assert_hr_equal(ob_job_complete(job), S_OK);
    ob_job_table_link(job)->table = table;
    assert_hr_equal(get(table, job, &alice), BG_E_NOT_FOUND);
    assert_hr_equal(get(table, job, &admin), BG_E_NOT_FOUND);
    assert_hr_equal(get(table, job, &bob), BG_E_NOT_FOUND);
    assert_int_equal(snapshot_count(table, 0, &alice), 0);
    assert_int_equal(snapshot_count(table, BG_JOB_ENUM_ALL_USERS, &admin), 0);
    ob_table_remove(table, job);
    assert_int_equal(ob_table_count(table), 0);
    ob_job_release(job);
    ob_table_free(table);
}

/* ---- CreateJob arguments ---- */

static void test_create_job_arguments(void **state)
{
    ob_table *table = new_table(300, 60, 200);
    WCHAR longest[OB_MAX_DISPLAY_NAME + 2];
    ob_job *job = NULL;
    int i;

    for (i = 0; i < OB_MAX_DISPLAY_NAME + 1; i++) longest[i] = 'n';
    longest[OB_MAX_DISPLAY_NAME + 1] = 0;
    assert_hr_equal(ob_table_create_job(table, longest, BG_JOB_TYPE_DOWNLOAD, &alice, &job), E_INVALIDARG);
    longest[OB_MAX_DISPLAY_NAME] = 0;
    assert_hr_equal(ob_table_create_job(table, longest, BG_JOB_TYPE_DOWNLOAD, &alice, &job), S_OK);
    ob_job_release(job);
    assert_hr_equal(ob_table_create_job(table, NULL, BG_JOB_TYPE_DOWNLOAD, &alice, &job), E_INVALIDARG);
    assert_hr_equal(ob_table_create_job(table, L"", BG_JOB_TYPE_DOWNLOAD, &alice, &job), S_OK);
    ob_job_release(job);
    assert_hr_equal(ob_table_create_job(table, L"t", 3, &alice, &job), E_INVALIDARG);
    assert_hr_equal(ob_table_create_job(table, L"t", (BG_JOB_TYPE)-1, &alice, &job), E_INVALIDARG);
    assert_hr_equal(ob_table_create_job(table, L"t", BG_JOB_TYPE_UPLOAD, &alice, &job), S_OK);
    assert_int_equal(ob_job_type(job), BG_JOB_TYPE_UPLOAD);
    ob_job_release(job);
    assert_hr_equal(ob_table_create_job(table, L"t", BG_JOB_TYPE_UPLOAD_REPLY, &alice, &job), S_OK);
    assert_int_equal(ob_job_type(job), BG_JOB_TYPE_UPLOAD_REPLY);
    ob_job_release(job);
    assert_int_equal(ob_table_count(table), 4);
    ob_table_free(table);
}

/* ---- limits ---- */

static void test_jobs_per_user(void **state)
{
    ob_table *table = new_table(100, 2, 200);
    ob_job *first = create(table, &alice), *second = create(table, &alice);
    int i;

    assert_hr_equal(try_create(table, &alice), BG_E_TOO_MANY_JOBS_PER_USER);
    /* a limit per user: bob has his own */
    ob_job_release(create(table, &bob));
    ob_job_release(create(table, &bob));
    assert_hr_equal(try_create(table, &bob), BG_E_TOO_MANY_JOBS_PER_USER);
    /* administrators are exempt */
    for (i = 0; i < 5; i++) assert_hr_equal(try_create(table, &admin), S_OK);

    /* counts go down when jobs reach a final state */
    assert_hr_equal(ob_job_cancel(first), S_OK);
    assert_hr_equal(try_create(table, &alice), S_OK);
    assert_hr_equal(try_create(table, &alice), BG_E_TOO_MANY_JOBS_PER_USER);
    assert_hr_equal(ob_job_complete(second), S_OK);
    assert_hr_equal(try_create(table, &alice), S_OK);
    assert_int_equal(ob_table_count(table), 9);
    ob_job_release(first);
    ob_job_release(second);
    ob_table_free(table);
}

static void test_jobs_per_machine(void **state)
{
    ob_table *table = new_table(3, 60, 200);
    ob_job *a = create(table, &alice);

    ob_job_release(create(table, &bob));
    ob_job_release(create(table, &admin));
    assert_hr_equal(try_create(table, &alice), BG_E_TOO_MANY_JOBS_PER_MACHINE);
    assert_hr_equal(try_create(table, &bob), BG_E_TOO_MANY_JOBS_PER_MACHINE);
    /* the machine limit applies to administrators too */
    assert_hr_equal(try_create(table, &admin), BG_E_TOO_MANY_JOBS_PER_MACHINE);
    assert_int_equal(ob_table_count(table), 3);

    assert_hr_equal(ob_job_cancel(a), S_OK);
    assert_int_equal(ob_table_count(table), 2);
    assert_hr_equal(try_create(table, &bob), S_OK);
    assert_hr_equal(try_create(table, &bob), BG_E_TOO_MANY_JOBS_PER_MACHINE);
    ob_job_release(a);
    ob_table_free(table);
}

static void test_files_per_job(void **state)
{
    ob_table *table = new_table(300, 60, 2);
    ob_job *mine = create(table, &alice), *admins = create(table, &admin);
    BG_FILE_INFO two[2] = { file_info, file_info };
    int i;

    assert_hr_equal(ob_table_add_files(table, mine, 2, two, &alice), S_OK);
    assert_hr_equal(ob_table_add_files(table, mine, 1, two, &alice), BG_E_TOO_MANY_FILES_IN_JOB);
    assert_int_equal(ob_job_file_count(mine), 2);
    /* an administrator adding to the same job is exempt */
    assert_hr_equal(ob_table_add_files(table, mine, 1, two, &admin), S_OK);
    assert_int_equal(ob_job_file_count(mine), 3);

    /* a set that would cross the limit adds nothing */
    ob_job_release(mine);
    mine = create(table, &alice);
    assert_hr_equal(ob_table_add_files(table, mine, 1, two, &alice), S_OK);
    assert_hr_equal(ob_table_add_files(table, mine, 2, two, &alice), BG_E_TOO_MANY_FILES_IN_JOB);
    assert_int_equal(ob_job_file_count(mine), 1);

    for (i = 0; i < 5; i++) assert_hr_equal(ob_table_add_files(table, admins, 2, two, &admin), S_OK);
    assert_int_equal(ob_job_file_count(admins), 10);
    ob_job_release(mine);
    ob_job_release(admins);
    ob_table_free(table);
}

/* Only the owner or an administrator may change a job: another user's
 * AddFile is refused and adds nothing (bits-semantics.md 1.9). */
static void test_only_owner_or_admin_may_change(void **state)
{
    static const BG_FILE_RANGE range = { 0, 10 };
    ob_table *table = new_table(300, 60, 10);
    ob_job *job = create(table, &alice);

    assert_hr_equal(ob_table_check_access(job, &alice), S_OK);
    assert_hr_equal(ob_table_check_access(job, &bob), E_ACCESSDENIED);
    assert_hr_equal(ob_table_check_access(job, &admin), S_OK);
    assert_hr_equal(ob_table_add_files(table, job, 1, &file_info, &bob), E_ACCESSDENIED);
    assert_hr_equal(ob_table_add_file_with_ranges(table, job, &file_info, 1, &range, &bob), E_ACCESSDENIED);
    assert_int_equal(ob_job_file_count(job), 0);
    assert_hr_equal(ob_table_add_files(table, job, 1, &file_info, &admin), S_OK);
    assert_hr_equal(ob_table_add_files(table, job, 1, &file_info, &alice), S_OK);
    assert_int_equal(ob_job_file_count(job), 2);
    /* after TakeOwnership the old owner is another user */
    assert_hr_equal(ob_table_take_ownership(table, job, &admin), S_OK);
    assert_hr_equal(ob_table_check_access(job, &alice), E_ACCESSDENIED);
    assert_hr_equal(ob_table_add_files(table, job, 1, &file_info, &alice), E_ACCESSDENIED);
    assert_int_equal(ob_job_file_count(job), 2);
    ob_job_release(job);
    ob_table_free(table);
}

/* ---- TakeOwnership ---- */

static void test_take_ownership(void **state)
{
    ob_table *table = new_table(300, 2, 200);
    ob_job *a = create(table, &alice);
    BG_AUTH_CREDENTIALS cred;

    ob_job_release(create(table, &alice));
    cred.Target = BG_AUTH_TARGET_SERVER;
    cred.Scheme = BG_AUTH_SCHEME_BASIC;
    cred.Credentials.Basic.UserName = L"alice";
    cred.Credentials.Basic.Password = L"secret";
    assert_hr_equal(ob_job_set_credentials(a, &cred), S_OK);

    /* administrators only */
    assert_hr_equal(ob_table_take_ownership(table, a, &alice), E_ACCESSDENIED);
    assert_hr_equal(ob_table_take_ownership(table, a, &bob), E_ACCESSDENIED);
    owner_is(a, &alice);

    assert_hr_equal(ob_table_take_ownership(table, a, &admin), S_OK);
    owner_is(a, &admin);
    assert_hr_equal(ob_job_remove_credentials(a, BG_AUTH_TARGET_SERVER, BG_AUTH_SCHEME_BASIC), S_FALSE);
    assert_hr_equal(get(table, a, &alice), E_ACCESSDENIED);
    assert_hr_equal(get(table, a, &admin), S_OK);
    assert_false(snapshot_has(table, 0, &alice, a));
    assert_true(snapshot_has(table, 0, &admin, a));

    /* the job no longer counts against alice's limit */
    assert_hr_equal(try_create(table, &alice), S_OK);
    assert_hr_equal(try_create(table, &alice), BG_E_TOO_MANY_JOBS_PER_USER);
    /* and leaving the table takes it off the new owner's count */
    assert_hr_equal(ob_job_cancel(a), S_OK);
    assert_hr_equal(ob_table_take_ownership(table, a, &admin), BG_E_INVALID_STATE);
    ob_job_release(a);
    ob_table_free(table);
}

/* ---- the calling user ---- */

static void test_current_caller(void **state)
{
    SID_IDENTIFIER_AUTHORITY nt = { SECURITY_NT_AUTHORITY };
    ob_caller caller;
    PSID admins;
    BOOL member = FALSE;

    memset(&caller, 0xcc, sizeof(caller));
    assert_hr_equal(ob_caller_current(&caller), S_OK);
    assert_true(!wcsncmp(caller.sid, L"S-1-5-", 6));
    assert_true(wcslen(caller.sid) < ARRAYSIZE(caller.sid));
    /* an administrator exactly when the thread's token is in BUILTIN\Administrators */
    assert_true(AllocateAndInitializeSid(&nt, 2, SECURITY_BUILTIN_DOMAIN_RID, DOMAIN_ALIAS_RID_ADMINS,
                                         0, 0, 0, 0, 0, 0, &admins));
    assert_true(CheckTokenMembership(NULL, admins, &member));
    FreeSid(admins);
    assert_int_equal(!!caller.is_admin, !!member);
    /* under Wine the user is an administrator (docs/choices.md) */
    assert_true(caller.is_admin);
}

/* ---- scale ---- */

#define MANY 100000

static void test_hundred_thousand_jobs(void **state)
{
    ob_table *table = new_table(MANY, MANY, 200);
    ob_job **jobs = malloc(MANY * sizeof(*jobs));
    ob_job **snap = NULL;
    ULONG i, count = 0;

    for (i = 0; i < MANY; i++) jobs[i] = create(table, (i & 1) ? &alice : &bob);
    assert_int_equal(ob_table_count(table), MANY);
    assert_hr_equal(try_create(table, &admin), BG_E_TOO_MANY_JOBS_PER_MACHINE);

    for (i = 0; i < MANY; i++) assert_hr_equal(get(table, jobs[i], (i & 1) ? &alice : &bob), S_OK);
    assert_int_equal(snapshot_count(table, 0, &alice), MANY / 2);
    assert_hr_equal(ob_table_snapshot(table, BG_JOB_ENUM_ALL_USERS, &admin, &snap, &count), S_OK);
    assert_int_equal(count, MANY);
    ob_table_free_snapshot(snap, count);

    for (i = 0; i < MANY; i += 2) assert_hr_equal(ob_job_cancel(jobs[i]), S_OK);
    assert_int_equal(ob_table_count(table), MANY / 2);
    for (i = 0; i < MANY; i++)
        assert_hr_equal(get(table, jobs[i], &admin), (i & 1) ? S_OK : BG_E_NOT_FOUND);
    for (i = 1; i < MANY; i += 2) assert_hr_equal(ob_job_complete(jobs[i]), S_OK);
    assert_int_equal(ob_table_count(table), 0);

    for (i = 0; i < MANY; i++) ob_job_release(jobs[i]);
    free(jobs);
    ob_table_free(table);
}

/* ---- concurrency ---- */

#define WORKERS 4
#define ROUNDS 1500

typedef struct worker {
    ob_table *table;
    ob_caller caller;
    ULONG kept;
    ULONG failures;
    GUID published[ROUNDS];
    LONG published_count;
} worker;

static worker workers[WORKERS];
static LONG workers_running;

static void expect(worker *w, BOOL ok)
{
    if (!ok) InterlockedIncrement((LONG *)&w->failures);
}

/* Reaches for a job another worker published: never ours to see. */
static void peek_at_neighbour(worker *w, ULONG round)
{
    worker *other = &workers[(w - workers + 1) % WORKERS];
    LONG n = InterlockedCompareExchange(&other->published_count, 0, 0);
    ob_job *job;
    HRESULT hr;

    if (!n) return;
    hr = ob_table_get_job(w->table, &other->published[round % n], &w->caller, &job);
    expect(w, hr == E_ACCESSDENIED || hr == BG_E_NOT_FOUND);
    if (SUCCEEDED(hr)) ob_job_release(job);
}

static DWORD WINAPI work(void *param)
{
    worker *w = param;
    ULONG round;

    for (round = 0; round < ROUNDS; round++)
    {
        ob_job *job = NULL, *again = NULL;
        HRESULT hr = ob_table_create_job(w->table, L"concurrent", BG_JOB_TYPE_DOWNLOAD, &w->caller, &job);
        expect(w, hr == S_OK);
        if (FAILED(hr)) continue;
        w->published[w->published_count] = *ob_job_id(job);
        InterlockedIncrement(&w->published_count);

        expect(w, ob_table_get_job(w->table, ob_job_id(job), &w->caller, &again) == S_OK && again == job);
        if (again) ob_job_release(again);
        expect(w, ob_table_add_files(w->table, job, 1, &file_info, &w->caller) == S_OK);
        peek_at_neighbour(w, round);

        if (round % 3 == 0) w->kept++;
        else
        {
            /* Complete with the file untransferred is a partial complete */
            if (round % 3 == 1) expect(w, ob_job_cancel(job) == S_OK);
            else expect(w, ob_job_complete(job) == BG_S_PARTIAL_COMPLETE);
            again = NULL;
            expect(w, ob_table_get_job(w->table, ob_job_id(job), &w->caller, &again) == BG_E_NOT_FOUND);
        }
        ob_job_release(job);
    }
    InterlockedDecrement(&workers_running);
    return 0;
}

/* Snapshots every user's jobs while the workers run; returns how many
 * inconsistencies it saw. */
static DWORD WINAPI watch(void *param)
{
    ob_table *table = param;
    DWORD bad = 0;

    while (InterlockedCompareExchange(&workers_running, 0, 0))
    {
        ob_job **jobs = NULL;
        ULONG count = 0, i;
        if (ob_table_snapshot(table, BG_JOB_ENUM_ALL_USERS, &admin, &jobs, &count) != S_OK) bad++;
        for (i = 0; i < count; i++)
        {
            ob_job_info info;
            ob_job_get_info(jobs[i], &info);
            if (info.state > BG_JOB_STATE_CANCELLED) bad++;
        }
        if (count > WORKERS * ROUNDS) bad++;
        ob_table_free_snapshot(jobs, count);
    }
    return bad;
}

static void test_concurrent_create_get_cancel(void **state)
{
    ob_table *table = new_table(WORKERS * ROUNDS, ROUNDS, 200);
    HANDLE threads[WORKERS + 1];
    ULONG i, kept = 0;
    DWORD watch_result = 1;

    workers_running = WORKERS;
    for (i = 0; i < WORKERS; i++)
    {
        memset(&workers[i], 0, sizeof(workers[i]));
        workers[i].table = table;
        swprintf(workers[i].caller.sid, ARRAYSIZE(workers[i].caller.sid), L"S-1-5-21-7-7-7-%lu", 1100 + i);
        workers[i].caller.is_admin = FALSE;
    }
    threads[WORKERS] = CreateThread(NULL, 0, watch, table, 0, NULL);
    for (i = 0; i < WORKERS; i++) threads[i] = CreateThread(NULL, 0, work, &workers[i], 0, NULL);
    assert_int_equal(WaitForMultipleObjects(WORKERS + 1, threads, TRUE, 60000), WAIT_OBJECT_0);
    GetExitCodeThread(threads[WORKERS], &watch_result);
    for (i = 0; i <= WORKERS; i++) CloseHandle(threads[i]);

    assert_int_equal(watch_result, 0);
    for (i = 0; i < WORKERS; i++)
    {
        assert_int_equal(workers[i].failures, 0);
        assert_int_equal(workers[i].published_count, ROUNDS);
        assert_int_equal(snapshot_count(table, 0, &workers[i].caller), workers[i].kept);
        kept += workers[i].kept;
    }
    assert_int_equal(kept, WORKERS * ((ROUNDS + 2) / 3));
    assert_int_equal(ob_table_count(table), kept);
    assert_int_equal(snapshot_count(table, BG_JOB_ENUM_ALL_USERS, &admin), kept);
    ob_table_free(table);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_get_snapshot),
        cmocka_unit_test(test_snapshot_flags),
        cmocka_unit_test(test_snapshot_outlives_the_jobs_leaving),
        cmocka_unit_test(test_cancelled_and_completed_jobs_are_not_found),
        cmocka_unit_test(test_final_job_still_in_table_is_not_found),
        cmocka_unit_test(test_create_job_arguments),
        cmocka_unit_test(test_jobs_per_user),
        cmocka_unit_test(test_jobs_per_machine),
        cmocka_unit_test(test_files_per_job),
        cmocka_unit_test(test_only_owner_or_admin_may_change),
        cmocka_unit_test(test_take_ownership),
        cmocka_unit_test(test_current_caller),
        cmocka_unit_test(test_hundred_thousand_jobs),
        cmocka_unit_test(test_concurrent_create_get_cancel),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
