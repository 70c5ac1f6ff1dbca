/* Activation through COM after regsvr32: by CLSID, by both ProgIDs, the
 * registry entries, the class factory's rules and the module's lifetime. */
#include "test_support.h"
#include <objbase.h>
#include <oleauto.h>
#include "openbits.h"

#define CLSID_KEY L"CLSID\\{DCB1CC42-450C-48EF-A525-3C4B05D1FEEE}"

static int setup(void **state)
{
    return FAILED(CoInitializeEx(NULL, COINIT_MULTITHREADED));
}

static int teardown(void **state)
{
    CoUninitialize();
    return 0;
}

static BOOL read_value(const WCHAR *key, const WCHAR *name, WCHAR *out, DWORD size)
{
    DWORD bytes = size * sizeof(WCHAR);
    return !RegGetValueW(HKEY_CLASSES_ROOT, key, name, RRF_RT_REG_SZ, NULL, out, &bytes);
}

static void test_registry_entries(void **state)
{
    WCHAR value[MAX_PATH];

    assert_true(read_value(CLSID_KEY L"\\InprocServer32", NULL, value, MAX_PATH));
    assert_non_null(wcsstr(value, L"openbits.dll"));
    assert_true(read_value(CLSID_KEY L"\\InprocServer32", L"ThreadingModel", value, MAX_PATH));
    assert_true(!wcscmp(value, L"Both"));
    assert_true(read_value(CLSID_KEY L"\\ProgID", NULL, value, MAX_PATH));
    assert_true(!wcscmp(value, OPENBITS_PROGID_VERSIONED));
    assert_true(read_value(CLSID_KEY L"\\VersionIndependentProgID", NULL, value, MAX_PATH));
    assert_true(!wcscmp(value, OPENBITS_PROGID));
    assert_true(read_value(OPENBITS_PROGID L"\\CurVer", NULL, value, MAX_PATH));
    assert_true(!wcscmp(value, OPENBITS_PROGID_VERSIONED));
}

static void test_create_by_clsid(void **state)
{
    IBackgroundCopyManager *manager = NULL;
    assert_hr_equal(CoCreateInstance(&CLSID_OpenBitsManager, NULL, CLSCTX_INPROC_SERVER,
                                     &IID_IBackgroundCopyManager, (void **)&manager), S_OK);
    assert_non_null(manager);
    IBackgroundCopyManager_Release(manager);
}

static void test_create_by_progid(void **state)
{
    const WCHAR *progids[] = { OPENBITS_PROGID, OPENBITS_PROGID_VERSIONED };
    IBackgroundCopyManager *manager;
    CLSID clsid;
    int i;

    for (i = 0; i < 2; i++)
    {
        assert_hr_equal(CLSIDFromProgID(progids[i], &clsid), S_OK);
        assert_true(IsEqualCLSID(&clsid, &CLSID_OpenBitsManager));
        assert_hr_equal(CoCreateInstance(&clsid, NULL, CLSCTX_ALL, &IID_IBackgroundCopyManager,
                                         (void **)&manager), S_OK);
        IBackgroundCopyManager_Release(manager);
    }
}

static void test_aggregation_refused(void **state)
{
    IUnknown *outer = (IUnknown *)0x1234, *obj = (IUnknown *)0xdead;
    IClassFactory *factory;

    assert_hr_equal(CoGetClassObject(&CLSID_OpenBitsManager, CLSCTX_INPROC_SERVER, NULL, &IID_IClassFactory,
                                     (void **)&factory), S_OK);
    assert_hr_equal(IClassFactory_CreateInstance(factory, outer, &IID_IUnknown, (void **)&obj),
                    CLASS_E_NOAGGREGATION);
    assert_null(obj);
    assert_hr_equal(IClassFactory_CreateInstance(factory, NULL, &IID_IClassFactory, (void **)&obj), E_NOINTERFACE);
    assert_null(obj);
    IClassFactory_Release(factory);
}

static void test_unknown_interface(void **state)
{
    IUnknown *obj = (IUnknown *)0xdead;
    assert_hr_equal(CoCreateInstance(&CLSID_OpenBitsManager, NULL, CLSCTX_INPROC_SERVER, &IID_IDispatch,
                                     (void **)&obj), E_NOINTERFACE);
    assert_null(obj);
}

static HRESULT can_unload(void)
{
    HRESULT (WINAPI *fn)(void) = (void *)GetProcAddress(GetModuleHandleW(L"openbits.dll"), "DllCanUnloadNow");
    assert_non_null(fn);
    return fn();
}

static void test_dll_can_unload_now(void **state)
{
    IBackgroundCopyManager *manager;
    IBackgroundCopyJob *job;
    IClassFactory *factory;
    GUID id;

    assert_hr_equal(CoCreateInstance(&CLSID_OpenBitsManager, NULL, CLSCTX_INPROC_SERVER,
                                     &IID_IBackgroundCopyManager, (void **)&manager), S_OK);
    assert_hr_equal(can_unload(), S_FALSE);
    assert_hr_equal(IBackgroundCopyManager_CreateJob(manager, L"unload", BG_JOB_TYPE_DOWNLOAD, &id, &job), S_OK);
    IBackgroundCopyManager_Release(manager);
    IBackgroundCopyJob_Release(job);
    /* the job is still in the table: the client can GetJob it again */
    assert_hr_equal(can_unload(), S_FALSE);

    assert_hr_equal(CoCreateInstance(&CLSID_OpenBitsManager, NULL, CLSCTX_INPROC_SERVER,
                                     &IID_IBackgroundCopyManager, (void **)&manager), S_OK);
    assert_hr_equal(IBackgroundCopyManager_GetJob(manager, &id, &job), S_OK);
    assert_hr_equal(IBackgroundCopyJob_Cancel(job), S_OK);
    IBackgroundCopyJob_Release(job);
    IBackgroundCopyManager_Release(manager);
    assert_hr_equal(can_unload(), S_OK);

    assert_hr_equal(CoGetClassObject(&CLSID_OpenBitsManager, CLSCTX_INPROC_SERVER, NULL, &IID_IClassFactory,
                                     (void **)&factory), S_OK);
    assert_hr_equal(IClassFactory_LockServer(factory, TRUE), S_OK);
    IClassFactory_Release(factory);
    assert_hr_equal(can_unload(), S_FALSE);
    assert_hr_equal(CoGetClassObject(&CLSID_OpenBitsManager, CLSCTX_INPROC_SERVER, NULL, &IID_IClassFactory,
                                     (void **)&factory), S_OK);
    assert_hr_equal(IClassFactory_LockServer(factory, FALSE), S_OK);
    IClassFactory_Release(factory);
    assert_hr_equal(can_unload(), S_OK);
}

static void test_two_managers_share_jobs(void **state)
{
    IBackgroundCopyManager *first, *second;
    IBackgroundCopyJob *job, *found;
    GUID id, found_id;

    assert_hr_equal(CoCreateInstance(&CLSID_OpenBitsManager, NULL, CLSCTX_INPROC_SERVER,
                                     &IID_IBackgroundCopyManager, (void **)&first), S_OK);
    assert_hr_equal(CoCreateInstance(&CLSID_OpenBitsManager, NULL, CLSCTX_INPROC_SERVER,
                                     &IID_IBackgroundCopyManager, (void **)&second), S_OK);
    assert_hr_equal(IBackgroundCopyManager_CreateJob(first, L"shared", BG_JOB_TYPE_DOWNLOAD, &id, &job), S_OK);
    assert_hr_equal(IBackgroundCopyManager_GetJob(second, &id, &found), S_OK);
    assert_hr_equal(IBackgroundCopyJob_GetId(found, &found_id), S_OK);
    assert_true(IsEqualGUID(&id, &found_id));
    assert_hr_equal(IBackgroundCopyJob_Cancel(found), S_OK);
    IBackgroundCopyJob_Release(found);
    IBackgroundCopyJob_Release(job);
    IBackgroundCopyManager_Release(first);
    IBackgroundCopyManager_Release(second);
}

static void test_type_library_registered(void **state)
{
    ITypeLib *typelib;
    ITypeInfo *info;
    assert_hr_equal(LoadRegTypeLib(&LIBID_OpenBitsLib, 1, 0, LOCALE_NEUTRAL, &typelib), S_OK);
    assert_hr_equal(ITypeLib_GetTypeInfoOfGuid(typelib, &CLSID_OpenBitsManager, &info), S_OK);
    ITypeInfo_Release(info);
    assert_hr_equal(ITypeLib_GetTypeInfoOfGuid(typelib, &IID_IBackgroundCopyJob2, &info), S_OK);
    ITypeInfo_Release(info);
    ITypeLib_Release(typelib);
}

static void test_version_resource(void **state)
{
    WCHAR path[MAX_PATH];
    VS_FIXEDFILEINFO *fixed;
    UINT len;
    DWORD size;
    void *data;
    IBackgroundCopyManager *manager;

    assert_hr_equal(CoCreateInstance(&CLSID_OpenBitsManager, NULL, CLSCTX_INPROC_SERVER,
                                     &IID_IBackgroundCopyManager, (void **)&manager), S_OK);
    assert_true(GetModuleFileNameW(GetModuleHandleW(L"openbits.dll"), path, MAX_PATH) > 0);
    size = GetFileVersionInfoSizeW(path, NULL);
    assert_true(size > 0);
    data = malloc(size);
    assert_true(GetFileVersionInfoW(path, 0, size, data));
    assert_true(VerQueryValueW(data, L"\\", (void **)&fixed, &len));
    assert_int_equal(fixed->dwSignature, 0xfeef04bd);
    assert_int_equal(HIWORD(fixed->dwFileVersionMS), 0);
    free(data);
    IBackgroundCopyManager_Release(manager);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_registry_entries),
        cmocka_unit_test(test_create_by_clsid),
        cmocka_unit_test(test_create_by_progid),
        cmocka_unit_test(test_aggregation_refused),
        cmocka_unit_test(test_unknown_interface),
        cmocka_unit_test(test_dll_can_unload_now),
        cmocka_unit_test(test_two_managers_share_jobs),
        cmocka_unit_test(test_type_library_registered),
        cmocka_unit_test(test_version_resource),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
