/* After "regsvr32 /u": the class is gone and exactly our keys with it.  Then
 * per-user registration (DllInstall "user") writes under HKCU\Software\Classes
 * and removes it again.  argv[1]: openbits.dll's path. */
#include "test_support.h"
#include <objbase.h>
#include "openbits.h"

#define CLSID_KEY L"CLSID\\{DCB1CC42-450C-48EF-A525-3C4B05D1FEEE}"
#define LIBID_KEY L"TypeLib\\{C8590DF0-D1D9-42BE-A570-5F2285750313}"
#define USER_CLASSES L"Software\\Classes\\"

static const WCHAR *dll_path;

static BOOL key_exists(HKEY root, const WCHAR *path)
{
    HKEY key;
    if (RegOpenKeyExW(root, path, 0, KEY_READ, &key)) return FALSE;
    RegCloseKey(key);
    return TRUE;
}

static int setup(void **state)
{
    return FAILED(CoInitializeEx(NULL, COINIT_MULTITHREADED));
}

static int teardown(void **state)
{
    CoUninitialize();
    return 0;
}

static void test_class_not_registered(void **state)
{
    IUnknown *obj = NULL;
    CLSID clsid;
    assert_hr_equal(CoCreateInstance(&CLSID_OpenBitsManager, NULL, CLSCTX_INPROC_SERVER, &IID_IUnknown,
                                     (void **)&obj), REGDB_E_CLASSNOTREG);
    assert_null(obj);
    assert_hr_equal(CLSIDFromProgID(OPENBITS_PROGID, &clsid), CO_E_CLASSSTRING);
}

static void test_only_our_keys_removed(void **state)
{
    assert_false(key_exists(HKEY_CLASSES_ROOT, CLSID_KEY));
    assert_false(key_exists(HKEY_CLASSES_ROOT, OPENBITS_PROGID));
    assert_false(key_exists(HKEY_CLASSES_ROOT, OPENBITS_PROGID_VERSIONED));
    assert_false(key_exists(HKEY_CLASSES_ROOT, LIBID_KEY));
    /* shared parents and Wine's own BITS registration stay */
    assert_true(key_exists(HKEY_CLASSES_ROOT, L"CLSID"));
    assert_true(key_exists(HKEY_CLASSES_ROOT, L"TypeLib"));
    assert_true(key_exists(HKEY_CLASSES_ROOT, L"CLSID\\{4991D34B-80A1-4291-83B6-3328366B9097}"));
}

static void test_per_user_registration(void **state)
{
    HRESULT (WINAPI *install)(BOOL, const WCHAR *);
    HMODULE dll = LoadLibraryW(dll_path);
    IUnknown *obj = NULL;
    HRESULT hr;

    assert_non_null(dll);
    install = (void *)GetProcAddress(dll, "DllInstall");
    assert_non_null(install);

    assert_hr_equal(install(TRUE, L"user"), S_OK);
    assert_true(key_exists(HKEY_CURRENT_USER, USER_CLASSES CLSID_KEY L"\\InprocServer32"));
    assert_true(key_exists(HKEY_CURRENT_USER, USER_CLASSES OPENBITS_PROGID L"\\CLSID"));
    assert_false(key_exists(HKEY_LOCAL_MACHINE, L"Software\\Classes\\" CLSID_KEY));

    /* Whether Wine's COM looks in HKCU\Software\Classes; docs/choices.md records it. */
    hr = CoCreateInstance(&CLSID_OpenBitsManager, NULL, CLSCTX_INPROC_SERVER, &IID_IUnknown, (void **)&obj);
    print_message("per-user registration, CoCreateInstance: 0x%08lx\n", (unsigned long)hr);
    assert_true(hr == S_OK || hr == REGDB_E_CLASSNOTREG);
    if (obj) IUnknown_Release(obj);

    assert_hr_equal(install(FALSE, L"user"), S_OK);
    assert_false(key_exists(HKEY_CURRENT_USER, USER_CLASSES CLSID_KEY));
    assert_false(key_exists(HKEY_CURRENT_USER, USER_CLASSES OPENBITS_PROGID));
    assert_false(key_exists(HKEY_CURRENT_USER, USER_CLASSES OPENBITS_PROGID_VERSIONED));
}

int main(int argc, char **argv)
{
    static WCHAR path[MAX_PATH];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_class_not_registered),
        cmocka_unit_test(test_only_our_keys_removed),
        cmocka_unit_test(test_per_user_registration),
    };
    if (argc < 2) return 1;
    MultiByteToWideChar(CP_ACP, 0, argv[1], -1, path, MAX_PATH);
    dll_path = path;
    return cmocka_run_group_tests(tests, setup, teardown);
}
