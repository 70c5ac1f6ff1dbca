/* After the BITS takeover, a client written only against MinGW's <bits.h>
 * (no openbits header: CLSID_BackgroundCopyManager comes from -lbits) asks
 * for Microsoft's manager with CLSCTX_LOCAL_SERVER, as most real clients do,
 * and transfers a file through openbits: the manager's error texts are
 * openbits' message table, and the file arrives byte-exact.  The versioned
 * CLSIDs that MinGW declares answer too. */
#include "http_support.h"
#include <objbase.h>
#include <bits.h>
#include <bits1_5.h>
#include <bits2_0.h>
#include <bits2_5.h>
#include <bits3_0.h>
#include <bits5_0.h>
#include <stdio.h>

static IBackgroundCopyManager *manager_for(REFCLSID clsid)
{
    IBackgroundCopyManager *manager = NULL;
    assert_int_equal(CoCreateInstance(clsid, NULL, CLSCTX_LOCAL_SERVER, &IID_IBackgroundCopyManager,
                                      (void **)&manager), S_OK);
    assert_non_null(manager);
    return manager;
}

static void test_transfer_through_bits_clsid(void **state)
{
    const UINT64 size = 1234567;
    IBackgroundCopyManager *manager = manager_for(&CLSID_BackgroundCopyManager);
    IBackgroundCopyJob *job = NULL;
    const WCHAR *local = ts_path(L"bits-h-client.bin");
    ULONGLONG deadline = GetTickCount64() + 60000;
    BG_JOB_STATE state_now = BG_JOB_STATE_QUEUED;
    WCHAR *text = NULL;
    char url[64];
    GUID id;

    /* openbits' message table answers, not Wine's qmgr */
    assert_int_equal(IBackgroundCopyManager_GetErrorDescription(manager, (HRESULT)0x80190194, 0x409, &text), S_OK);
    assert_true(!wcscmp(text, L"The requested URL was not found on the server (HTTP 404).\r\n") ||
                !wcscmp(text, L"The requested URL was not found on the server (HTTP 404)."));
    CoTaskMemFree(text);

    sprintf(url, "/data/%llu", (unsigned long long)size);
    assert_int_equal(IBackgroundCopyManager_CreateJob(manager, L"bits.h client", BG_JOB_TYPE_DOWNLOAD, &id, &job),
                     S_OK);
    assert_int_equal(IBackgroundCopyJob_AddFile(job, ts_http_url(url), local), S_OK);
    assert_int_equal(IBackgroundCopyJob_Resume(job), S_OK);
    while (GetTickCount64() < deadline && SUCCEEDED(IBackgroundCopyJob_GetState(job, &state_now)) &&
           state_now != BG_JOB_STATE_TRANSFERRED && state_now != BG_JOB_STATE_ERROR)
        Sleep(20);
    assert_int_equal(state_now, BG_JOB_STATE_TRANSFERRED);
    assert_int_equal(IBackgroundCopyJob_Complete(job), S_OK);
    assert_true(ts_file_has_pattern(local, size));
    IBackgroundCopyJob_Release(job);
    IBackgroundCopyManager_Release(manager);
}

/* The job interfaces a client of a newer BITS asks for: a versioned CLSID's
 * job answers each exactly as the 1.0 CLSID's does, that is, only for the
 * interfaces openbits implements, whatever version the CLSID names. */
static const IID *const job_iids[] = { &IID_IBackgroundCopyJob2, &IID_IBackgroundCopyJob3,
                                       &IID_IBackgroundCopyJob4, &IID_IBackgroundCopyJob5 };

static HRESULT job_answers(IBackgroundCopyManager *manager, HRESULT *answers)
{
    IBackgroundCopyJob *job = NULL;
    IUnknown *unknown;
    HRESULT hr;
    size_t i;
    GUID id;

    if (FAILED(hr = IBackgroundCopyManager_CreateJob(manager, L"versioned", BG_JOB_TYPE_DOWNLOAD, &id, &job)))
        return hr;
    for (i = 0; i < ARRAYSIZE(job_iids); i++)
    {
        unknown = (IUnknown *)0xdeadbeef;
        answers[i] = IBackgroundCopyJob_QueryInterface(job, job_iids[i], (void **)&unknown);
        if (SUCCEEDED(answers[i])) IUnknown_Release(unknown);
        else assert_null(unknown);
    }
    hr = IBackgroundCopyJob_Cancel(job);
    IBackgroundCopyJob_Release(job);
    return hr;
}

/* Clients probe the versioned CLSIDs newest first (bits-semantics.md 5):
 * 1.5 to 3.0 as MinGW declares them, 4.0 to 10.3 as Microsoft documents
 * them (MinGW lacks those). */
static void test_versioned_clsids_answer(void **state)
{
    static const WCHAR *const clsids[] = {
        L"{F087771F-D74F-4C1A-BB8A-E16ACA9124EA}", L"{6D18AD12-BDE3-4393-B311-099C346E6DF9}",
        L"{03CA98D6-FF5D-49B8-ABC6-03DD84127020}", L"{659CDEA7-489E-11D9-A9CD-000D56965251}",
        L"{BB6DF56B-CACE-11DC-9992-0019B93A3A84}", L"{1ECCA34C-E88A-44E3-8D6A-8921BDE9E452}",
        L"{4BD3E4E1-7BD4-4A2B-9964-496400DE5193}", L"{4575438F-A6C8-4976-B0FE-2F26B80D959E}",
        L"{5FD42AD5-C04E-4D36-ADC7-E08FF15737AD}",
    };
    const CLSID *mingw[] = { &CLSID_BackgroundCopyManager1_5, &CLSID_BackgroundCopyManager2_0,
                             &CLSID_BackgroundCopyManager2_5, &CLSID_BackgroundCopyManager3_0 };
    HRESULT reference[ARRAYSIZE(job_iids)], answers[ARRAYSIZE(job_iids)];
    IBackgroundCopyManager *manager;
    CLSID clsid;
    size_t i, k;

    manager = manager_for(&CLSID_BackgroundCopyManager);
    assert_int_equal(job_answers(manager, reference), S_OK);
    IBackgroundCopyManager_Release(manager);
    assert_int_equal(reference[0], S_OK); /* Job2 */
    assert_int_equal(reference[1], S_OK); /* Job3 */
    assert_int_equal(reference[2], E_NOINTERFACE); /* Job4: not yet */

    for (i = 0; i < ARRAYSIZE(clsids); i++)
    {
        assert_int_equal(CLSIDFromString(clsids[i], &clsid), S_OK);
        if (i < ARRAYSIZE(mingw)) assert_true(IsEqualCLSID(&clsid, mingw[i]));
        manager = manager_for(&clsid);
        assert_int_equal(job_answers(manager, answers), S_OK);
        for (k = 0; k < ARRAYSIZE(job_iids); k++)
            if (answers[k] != reference[k])
                fail_msg("%ls: QueryInterface for job interface %u answered 0x%08lx, the 1.0 CLSID 0x%08lx",
                         clsids[i], (unsigned)k, (unsigned long)answers[k], (unsigned long)reference[k]);
        IBackgroundCopyManager_Release(manager);
    }
}

static int setup(void **state)
{
    return FAILED(CoInitializeEx(NULL, COINIT_MULTITHREADED));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_transfer_through_bits_clsid),
        cmocka_unit_test(test_versioned_clsids_answer),
    };
    return cmocka_run_group_tests(tests, setup, ts_group_teardown);
}
