/* After "regsvr32 /u": the class is gone and exactly our keys with it.  Then
 * per-user registration (DllInstall "user") writes under HKCU\Software\Classes
 * and removes it again.  argv[1]: openbits.dll's path. */
#include "test_support.h"
#include <objbase.h>
#include <stdio.h>
#include "openbits.h"

#define CLSID_KEY L"CLSID\\{DCB1CC42-450C-48EF-A525-3C4B05D1FEEE}"
#define DO_CLSID_KEY L"CLSID\\{5B99FA76-721C-423C-ADAC-56D03C8A8007}" /* CLSID_DeliveryOptimization */
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
    assert_hr_equal(CoCreateInstance(&CLSID_DeliveryOptimization, NULL, CLSCTX_INPROC_SERVER, &IID_IUnknown,
                                     (void **)&obj), REGDB_E_CLASSNOTREG);
    assert_null(obj);
    assert_hr_equal(CLSIDFromProgID(OPENBITS_PROGID, &clsid), CO_E_CLASSSTRING);
}

static void test_only_our_keys_removed(void **state)
{
    assert_false(key_exists(HKEY_CLASSES_ROOT, CLSID_KEY));
    assert_false(key_exists(HKEY_CLASSES_ROOT, DO_CLSID_KEY));
    assert_false(key_exists(HKEY_CLASSES_ROOT, OPENBITS_PROGID));
    assert_false(key_exists(HKEY_CLASSES_ROOT, OPENBITS_PROGID_VERSIONED));
    assert_false(key_exists(HKEY_CLASSES_ROOT, LIBID_KEY));
    assert_false(key_exists(HKEY_CLASSES_ROOT, L"AppID\\{F4C076F6-9430-477F-9811-075AB08F691D}")); /* the host's */
    assert_false(key_exists(HKEY_LOCAL_MACHINE, L"Software\\OpenBits\\Takeover"));
    /* shared parents and Wine's own BITS registration stay */
    assert_true(key_exists(HKEY_CLASSES_ROOT, L"CLSID"));
    assert_true(key_exists(HKEY_CLASSES_ROOT, L"TypeLib"));
    assert_true(key_exists(HKEY_CLASSES_ROOT, L"CLSID\\{4991D34B-80A1-4291-83B6-3328366B9097}"));
}

/* Every key and value below root, as text (names, types and data). */
static void dump(HKEY root, const WCHAR *path, WCHAR *out, size_t size)
{
    WCHAR name[256], sub[512];
    BYTE data[1024];
    DWORD i, name_len, data_len, type;
    HKEY key;

    if (RegOpenKeyExW(root, path, 0, KEY_READ, &key)) return;
    swprintf(out + wcslen(out), size - wcslen(out), L"[%ls]\n", path);
    for (i = 0; name_len = ARRAYSIZE(name), data_len = sizeof(data) - 2,
         !RegEnumValueW(key, i, name, &name_len, NULL, &type, data, &data_len); i++)
    {
        data[data_len] = data[data_len + 1] = 0;
        swprintf(out + wcslen(out), size - wcslen(out), L"%ls=%lu:%ls\n", name, type,
                 type == REG_SZ ? (WCHAR *)data : L"");
    }
    for (i = 0; name_len = ARRAYSIZE(name), !RegEnumKeyExW(key, i, name, &name_len, NULL, NULL, NULL, NULL); i++)
    {
        swprintf(sub, ARRAYSIZE(sub), L"%ls\\%ls", path, name);
        dump(root, sub, out, size);
    }
    RegCloseKey(key);
}

#define PS_DLL_KEY L"Software\\Classes\\CLSID\\" OPENBITS_PROXY_STUB_CLSID_TEXT
#define ERROR_IID_KEY L"Software\\Classes\\Interface\\{19C613A0-FCB8-4F28-81AE-897C3D078F81}"
#define FILE_IID_KEY L"Software\\Classes\\Interface\\{01B7BD23-FB88-4A77-8490-5891D3E4653A}"
#define SYSTEM_PS L"{5CE34C0D-0DC9-4C1F-897C-DAA1B78CEE7C}" /* any CLSID that is not ours */

/* openbits_ps.dll's registration in a stand-in HKLM (RegOverridePredefKey):
 * an interface the "system" has a proxy/stub for is left alone, a missing
 * one is claimed, and unregistration gives back the tree exactly as it was. */
static void test_proxy_stub_claims_only_missing_interfaces(void **state)
{
    static WCHAR before[16384], after[16384];
    HRESULT (WINAPI *entry)(void);
    WCHAR ps_path[MAX_PATH], value[64], *slash;
    DWORD size = sizeof(value);
    HKEY fake;
    HMODULE dll;

    wcscpy(ps_path, dll_path);
    assert_non_null(slash = wcsrchr(ps_path, L'\\'));
    wcscpy(slash + 1, OPENBITS_PROXY_STUB_DLL);
    RegDeleteTreeW(HKEY_CURRENT_USER, L"Software\\OpenBitsTest");
    assert_int_equal(RegCreateKeyExW(HKEY_CURRENT_USER, L"Software\\OpenBitsTest", 0, NULL, 0, KEY_ALL_ACCESS, NULL,
                                     &fake, NULL), 0);
    assert_int_equal(RegSetKeyValueW(fake, ERROR_IID_KEY L"\\ProxyStubClsid32", NULL, REG_SZ, SYSTEM_PS,
                                     sizeof(SYSTEM_PS)), 0);
    assert_int_equal(RegSetKeyValueW(fake, ERROR_IID_KEY, NULL, REG_SZ, L"IBackgroundCopyError",
                                     sizeof(L"IBackgroundCopyError")), 0);
    /* as on every system, HKCR\\CLSID exists */
    assert_int_equal(RegSetKeyValueW(fake, L"Software\\Classes\\CLSID\\{00000000-0000-0000-0000-000000000001}", NULL,
                                     REG_SZ, L"other", sizeof(L"other")), 0);
    before[0] = 0;
    dump(fake, L"Software", before, ARRAYSIZE(before));

    assert_non_null(dll = LoadLibraryW(ps_path));
    assert_int_equal(RegOverridePredefKey(HKEY_LOCAL_MACHINE, fake), 0);
    entry = (void *)GetProcAddress(dll, "DllRegisterServer");
    assert_hr_equal(entry(), S_OK);
    RegOverridePredefKey(HKEY_LOCAL_MACHINE, NULL);

    /* the "system" entry is untouched, the missing one is ours */
    assert_int_equal(RegGetValueW(fake, ERROR_IID_KEY L"\\ProxyStubClsid32", NULL, RRF_RT_REG_SZ, NULL, value, &size), 0);
    assert_true(!wcscmp(value, SYSTEM_PS));
    size = sizeof(value);
    assert_int_equal(RegGetValueW(fake, FILE_IID_KEY L"\\ProxyStubClsid32", NULL, RRF_RT_REG_SZ, NULL, value, &size), 0);
    assert_true(!wcscmp(value, OPENBITS_PROXY_STUB_CLSID_TEXT));
    assert_true(key_exists(fake, PS_DLL_KEY L"\\InprocServer32"));

    assert_int_equal(RegOverridePredefKey(HKEY_LOCAL_MACHINE, fake), 0);
    entry = (void *)GetProcAddress(dll, "DllUnregisterServer");
    assert_hr_equal(entry(), S_OK);
    RegOverridePredefKey(HKEY_LOCAL_MACHINE, NULL);
    after[0] = 0;
    dump(fake, L"Software", after, ARRAYSIZE(after));
    if (wcscmp(before, after)) fail_msg("before:\n%ls\nafter:\n%ls", before, after);

    FreeLibrary(dll);
    RegCloseKey(fake);
    RegDeleteTreeW(HKEY_CURRENT_USER, L"Software\\OpenBitsTest");
}

/* The real registration after regsvr32 /u: our proxy/stub class is gone and
 * the system's proxy/stub for IBackgroundCopyError was never replaced. */
static void test_proxy_stub_unregistered(void **state)
{
    WCHAR value[64];
    DWORD size = sizeof(value);

    assert_false(key_exists(HKEY_LOCAL_MACHINE, PS_DLL_KEY));
    assert_int_equal(RegGetValueW(HKEY_LOCAL_MACHINE, ERROR_IID_KEY L"\\ProxyStubClsid32", NULL, RRF_RT_REG_SZ,
                                  NULL, value, &size), 0);
    assert_true(wcscmp(value, OPENBITS_PROXY_STUB_CLSID_TEXT) != 0);
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
        cmocka_unit_test(test_proxy_stub_unregistered),
        cmocka_unit_test(test_proxy_stub_claims_only_missing_interfaces),
        cmocka_unit_test(test_per_user_registration),
    };
    if (argc < 2) return 1;
    MultiByteToWideChar(CP_ACP, 0, argv[1], -1, path, MAX_PATH);
    dll_path = path;
    return cmocka_run_group_tests(tests, setup, teardown);
}
