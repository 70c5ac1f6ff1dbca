/* Helpers shared by the COM tests (header only: each test is one .c file).
 * Every test goes through CoCreateInstance(&CLSID_OpenBitsManager) after
 * regsvr32 (the CTest fixture), in its own process, in the MTA. */
#ifndef OB_COM_TEST_UTIL_H
#define OB_COM_TEST_UTIL_H

#include "test_support.h"
#include <objbase.h>
#include <stdio.h>
#include <stdlib.h>
#include <wchar.h>
#include "openbits.h"

#define CT_LANG_EN_US MAKELANGID(LANG_ENGLISH, SUBLANG_ENGLISH_US) /* 0x409 */
#define CT_LANG_DE_DE MAKELANGID(LANG_GERMAN, SUBLANG_GERMAN)      /* 0x407 */

static inline IBackgroundCopyManager *ct_manager(void)
{
    IBackgroundCopyManager *manager = NULL;
    assert_hr_equal(CoCreateInstance(&CLSID_OpenBitsManager, NULL, CLSCTX_INPROC_SERVER,
                                     &IID_IBackgroundCopyManager, (void **)&manager), S_OK);
    assert_non_null(manager);
    return manager;
}

/* Whether the caller is an administrator, decided the way the engine decides
 * it (src/engine/caller.c): the thread's impersonation token if any, else the
 * process token, checked for membership of BUILTIN\Administrators. */
static inline BOOL ct_is_admin(void)
{
    SID_IDENTIFIER_AUTHORITY nt = { SECURITY_NT_AUTHORITY };
    HANDLE token, identification;
    PSID admins;
    BOOL member = FALSE;

    if (!OpenThreadToken(GetCurrentThread(), TOKEN_QUERY | TOKEN_DUPLICATE, TRUE, &token) &&
        !OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY | TOKEN_DUPLICATE, &token))
        return FALSE;
    if (AllocateAndInitializeSid(&nt, 2, SECURITY_BUILTIN_DOMAIN_RID, DOMAIN_ALIAS_RID_ADMINS,
                                 0, 0, 0, 0, 0, 0, &admins))
    {
        if (DuplicateToken(token, SecurityIdentification, &identification))
        {
            if (!CheckTokenMembership(identification, admins, &member)) member = FALSE;
            CloseHandle(identification);
        }
        FreeSid(admins);
    }
    CloseHandle(token);
    return member;
}

/* TRUE for a COM proxy (it answers IClientSecurity); FALSE for our object itself. */
static inline BOOL ct_is_proxy(void *object)
{
    IUnknown *security = NULL;
    if (FAILED(IUnknown_QueryInterface((IUnknown *)object, &IID_IClientSecurity, (void **)&security))) return FALSE;
    IUnknown_Release(security);
    return TRUE;
}

static inline IBackgroundCopyJob *ct_create_job(IBackgroundCopyManager *manager, const WCHAR *name,
                                                BG_JOB_TYPE type, GUID *id)
{
    IBackgroundCopyJob *job = NULL;
    GUID ignored;
    assert_hr_equal(IBackgroundCopyManager_CreateJob(manager, name, type, id ? id : &ignored, &job), S_OK);
    assert_non_null(job);
    return job;
}

static inline IBackgroundCopyJob2 *ct_job2(IBackgroundCopyJob *job)
{
    IBackgroundCopyJob2 *job2 = NULL;
    assert_hr_equal(IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJob2, (void **)&job2), S_OK);
    assert_non_null(job2);
    return job2;
}

static inline BG_JOB_STATE ct_state(IBackgroundCopyJob *job)
{
    BG_JOB_STATE state = (BG_JOB_STATE)-1;
    assert_hr_equal(IBackgroundCopyJob_GetState(job, &state), S_OK);
    return state;
}

static inline BG_JOB_PROGRESS ct_progress(IBackgroundCopyJob *job)
{
    BG_JOB_PROGRESS progress;
    memset(&progress, 0xcc, sizeof(progress));
    assert_hr_equal(IBackgroundCopyJob_GetProgress(job, &progress), S_OK);
    return progress;
}

/* Polls until the job reaches the state (TRUE) or 30 s pass (FALSE). */
static inline BOOL ct_wait_state(IBackgroundCopyJob *job, BG_JOB_STATE wanted)
{
    ULONGLONG until = GetTickCount64() + 30000;
    while (ct_state(job) != wanted && GetTickCount64() < until) Sleep(5);
    return ct_state(job) == wanted;
}

/* Cancels the job (it must still be cancellable) and releases it. */
static inline void ct_cancel(IBackgroundCopyJob *job)
{
    assert_hr_equal(IBackgroundCopyJob_Cancel(job), S_OK);
    IBackgroundCopyJob_Release(job);
}

/* Cancels every job of the caller still in the queue; returns how many. */
static inline ULONG ct_cancel_all(void)
{
    IBackgroundCopyManager *manager;
    IEnumBackgroundCopyJobs *jobs;
    IBackgroundCopyJob *job;
    ULONG count = 0;

    if (FAILED(CoCreateInstance(&CLSID_OpenBitsManager, NULL, CLSCTX_INPROC_SERVER,
                                &IID_IBackgroundCopyManager, (void **)&manager)))
        return 0;
    if (SUCCEEDED(IBackgroundCopyManager_EnumJobs(manager, 0, &jobs)))
    {
        while (IEnumBackgroundCopyJobs_Next(jobs, 1, &job, NULL) == S_OK)
        {
            IBackgroundCopyJob_Cancel(job);
            IBackgroundCopyJob_Release(job);
            count++;
        }
        IEnumBackgroundCopyJobs_Release(jobs);
    }
    IBackgroundCopyManager_Release(manager);
    return count;
}

/* How many jobs EnumJobs(0) lists right now. */
static inline ULONG ct_job_count(IBackgroundCopyManager *manager)
{
    IEnumBackgroundCopyJobs *jobs;
    ULONG count = (ULONG)-1;
    assert_hr_equal(IBackgroundCopyManager_EnumJobs(manager, 0, &jobs), S_OK);
    assert_hr_equal(IEnumBackgroundCopyJobs_GetCount(jobs, &count), S_OK);
    IEnumBackgroundCopyJobs_Release(jobs);
    return count;
}

/* A heap string of n copies of c (free()). */
static inline WCHAR *ct_repeat(WCHAR c, size_t n)
{
    WCHAR *s = malloc((n + 1) * sizeof(WCHAR));
    size_t i;
    assert_non_null(s);
    for (i = 0; i < n; i++) s[i] = c;
    s[n] = 0;
    return s;
}

/* Compares a CoTaskMemAlloc'd string with the expected one and frees it. */
static inline void ct_check_string(WCHAR *actual, const WCHAR *expected)
{
    if (!expected)
    {
        assert_null(actual);
        return;
    }
    assert_non_null(actual);
    if (wcscmp(actual, expected)) fail_msg("string is \"%ls\", expected \"%ls\"", actual, expected);
    CoTaskMemFree(actual);
}

static inline int ct_group_setup(void **state)
{
    return FAILED(CoInitializeEx(NULL, COINIT_MULTITHREADED));
}

static inline int ct_group_teardown(void **state)
{
    ct_cancel_all();
    ts_cleanup();
    ts_cleanup();
    CoUninitialize();
    return 0;
}

/* After every test: a job left behind is a failure of that test (and is
 * cancelled so that it cannot disturb the next one). */
static inline int ct_test_teardown(void **state)
{
    ULONG left = ct_cancel_all();
    if (left) print_error("%lu job(s) were left behind\n", left);
    return left ? -1 : 0;
}

#endif
