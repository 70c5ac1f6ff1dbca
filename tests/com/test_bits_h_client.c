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

/* Clients probe the versioned CLSIDs newest first (bits-semantics.md 5). */
static void test_versioned_clsids_answer(void **state)
{
    const CLSID *clsids[] = { &CLSID_BackgroundCopyManager1_5, &CLSID_BackgroundCopyManager2_0,
                              &CLSID_BackgroundCopyManager2_5, &CLSID_BackgroundCopyManager3_0 };
    IBackgroundCopyManager *manager;
    IBackgroundCopyJob *job;
    IUnknown *unknown;
    size_t i;
    GUID id;

    for (i = 0; i < ARRAYSIZE(clsids); i++)
    {
        manager = manager_for(clsids[i]);
        job = NULL;
        assert_int_equal(IBackgroundCopyManager_CreateJob(manager, L"versioned", BG_JOB_TYPE_DOWNLOAD, &id, &job), S_OK);
        /* only the interfaces openbits implements */
        assert_int_equal(IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJob2, (void **)&unknown), S_OK);
        IUnknown_Release(unknown);
        unknown = (IUnknown *)0xdeadbeef;
        assert_int_equal(IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJob3, (void **)&unknown),
                         E_NOINTERFACE);
        assert_null(unknown);
        assert_int_equal(IBackgroundCopyJob_Cancel(job), S_OK);
        IBackgroundCopyJob_Release(job);
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
