/* Registration: one table of registry entries that DllRegisterServer writes
 * and DllUnregisterServer removes (in reverse), so the two cannot drift
 * apart; plus the embedded type library. */
#include "com_private.h"
#include "bits_clsids.h"
#include <stdio.h>
#include <oleauto.h>
#include <olectl.h>

#define CLSID_TEXT  L"{DCB1CC42-450C-48EF-A525-3C4B05D1FEEE}"
#define LIBID_TEXT  L"{C8590DF0-D1D9-42BE-A570-5F2285750313}"
#define DO_CLSID_TEXT L"{5B99FA76-721C-423C-ADAC-56D03C8A8007}" /* CLSID_DeliveryOptimization */
#define MODULE_PATH NULL /* stands for this DLL's full path */
static const WCHAR host_path_marker[] = L"";
#define HOST_PATH   host_path_marker /* stands for openbits-host.exe's quoted path, beside this DLL */

/* Exported by oleaut32 but not declared by MinGW's headers. */
HRESULT WINAPI RegisterTypeLibForUser(ITypeLib *typelib, OLECHAR *path, OLECHAR *help_dir);
HRESULT WINAPI UnRegisterTypeLibForUser(REFGUID libid, WORD major, WORD minor, LCID lcid, SYSKIND syskind);

typedef struct reg_entry {
    const WCHAR *key;          /* below the classes root */
    const WCHAR *name;         /* NULL: the key's default value */
    const WCHAR *data;         /* MODULE_PATH: the DLL's path */
} reg_entry;

static const reg_entry entries[] = {
    { L"CLSID\\" CLSID_TEXT, NULL, L"openbits Background Copy Manager" },
    { L"CLSID\\" CLSID_TEXT L"\\InprocServer32", NULL, MODULE_PATH },
    { L"CLSID\\" CLSID_TEXT L"\\InprocServer32", L"ThreadingModel", L"Both" },
    { L"CLSID\\" CLSID_TEXT L"\\LocalServer32", NULL, HOST_PATH },
    { L"CLSID\\" CLSID_TEXT, L"AppID", OB_HOST_APPID },
    { L"CLSID\\" CLSID_TEXT L"\\ProgID", NULL, OPENBITS_PROGID_VERSIONED },
    { L"CLSID\\" CLSID_TEXT L"\\VersionIndependentProgID", NULL, OPENBITS_PROGID },
    { L"CLSID\\" CLSID_TEXT L"\\TypeLib", NULL, LIBID_TEXT },
    { L"CLSID\\" CLSID_TEXT L"\\Version", NULL, L"1.0" },
    { OPENBITS_PROGID, NULL, L"openbits Background Copy Manager" },
    { OPENBITS_PROGID L"\\CLSID", NULL, CLSID_TEXT },
    { OPENBITS_PROGID L"\\CurVer", NULL, OPENBITS_PROGID_VERSIONED },
    { OPENBITS_PROGID_VERSIONED, NULL, L"openbits Background Copy Manager" },
    { OPENBITS_PROGID_VERSIONED L"\\CLSID", NULL, CLSID_TEXT },
    /* Delivery Optimization's CLSID, which nothing else serves under Wine */
    { L"CLSID\\" DO_CLSID_TEXT, NULL, L"openbits Delivery Optimization" },
    { L"CLSID\\" DO_CLSID_TEXT L"\\InprocServer32", NULL, MODULE_PATH },
    { L"CLSID\\" DO_CLSID_TEXT L"\\InprocServer32", L"ThreadingModel", L"Both" },
    { L"CLSID\\" DO_CLSID_TEXT L"\\LocalServer32", NULL, HOST_PATH },
    { L"CLSID\\" DO_CLSID_TEXT, L"AppID", OB_HOST_APPID },
    { L"AppID\\" OB_HOST_APPID, NULL, L"openbits host" },
};

typedef enum scope { SCOPE_MACHINE, SCOPE_USER } scope;

static LSTATUS open_classes_root(scope where, HKEY *root)
{
    if (where == SCOPE_MACHINE)
        return RegOpenKeyExW(HKEY_LOCAL_MACHINE, L"Software\\Classes", 0, KEY_ALL_ACCESS, root);
    return RegCreateKeyExW(HKEY_CURRENT_USER, L"Software\\Classes", 0, NULL, 0, KEY_ALL_ACCESS, NULL, root, NULL);
}

static LSTATUS write_entry(HKEY root, const reg_entry *entry, const WCHAR *module_path, const WCHAR *host_path)
{
    const WCHAR *data = !entry->data ? module_path : entry->data == HOST_PATH ? host_path : entry->data;
    HKEY key;
    LSTATUS status = RegCreateKeyExW(root, entry->key, 0, NULL, 0, KEY_SET_VALUE, NULL, &key, NULL);
    if (status) return status;
    status = RegSetValueExW(key, entry->name, 0, REG_SZ, (const BYTE *)data,
                            (DWORD)((wcslen(data) + 1) * sizeof(WCHAR)));
    RegCloseKey(key);
    return status;
}

/* Removes the value, then the key if nothing else is left in it. */
static void erase_entry(HKEY root, const reg_entry *entry)
{
    HKEY key;
    if (RegOpenKeyExW(root, entry->key, 0, KEY_SET_VALUE, &key)) return;
    RegDeleteValueW(key, entry->name);
    RegCloseKey(key);
    RegDeleteKeyW(root, entry->key); /* fails, as it should, while not empty */
}

static HRESULT module_path(WCHAR *path, DWORD size)
{
    DWORD len = GetModuleFileNameW(ob_module_instance, path, size);
    return len && len < size ? S_OK : HRESULT_FROM_WIN32(ERROR_FILENAME_EXCED_RANGE);
}

/* "<folder of this DLL>\\openbits-host.exe", quoted (LocalServer32 is a command line). */
static HRESULT host_path(WCHAR *path, DWORD size)
{
    WCHAR dll[MAX_PATH], *slash;
    HRESULT hr;

    if (FAILED(hr = module_path(dll, ARRAYSIZE(dll)))) return hr;
    if (!(slash = wcsrchr(dll, L'\\'))) return E_UNEXPECTED;
    *slash = 0;
    if ((DWORD)swprintf(path, size, L"\"%ls\\%ls\"", dll, OB_HOST_EXE) >= size)
        return HRESULT_FROM_WIN32(ERROR_FILENAME_EXCED_RANGE);
    return S_OK;
}

static HRESULT register_typelib(scope where, const WCHAR *path)
{
    ITypeLib *typelib;
    HRESULT hr = LoadTypeLibEx(path, REGKIND_NONE, &typelib);
    if (FAILED(hr)) return hr;
    hr = where == SCOPE_MACHINE ? RegisterTypeLib(typelib, (WCHAR *)path, NULL)
                                : RegisterTypeLibForUser(typelib, (WCHAR *)path, NULL);
    ITypeLib_Release(typelib);
    return hr;
}

static void unregister_typelib(scope where)
{
    if (where == SCOPE_MACHINE) UnRegisterTypeLib(&LIBID_OpenBitsLib, 1, 0, LOCALE_NEUTRAL, SYS_WIN64);
    else UnRegisterTypeLibForUser(&LIBID_OpenBitsLib, 1, 0, LOCALE_NEUTRAL, SYS_WIN64);
}

static HRESULT unregister(scope where)
{
    HKEY root;
    int i;
    if (open_classes_root(where, &root)) return S_OK; /* nothing of ours can be there */
    for (i = ARRAYSIZE(entries) - 1; i >= 0; i--) erase_entry(root, &entries[i]);
    RegCloseKey(root);
    unregister_typelib(where);
    return S_OK;
}

static HRESULT do_register(scope where)
{
    WCHAR path[MAX_PATH], host[MAX_PATH + 2];
    HKEY root;
    LSTATUS status = ERROR_SUCCESS;
    HRESULT hr;
    size_t i;

    if (FAILED(hr = module_path(path, ARRAYSIZE(path)))) return hr;
    if (FAILED(hr = host_path(host, ARRAYSIZE(host)))) return hr;
    if ((status = open_classes_root(where, &root))) return HRESULT_FROM_WIN32(status);
    for (i = 0; i < ARRAYSIZE(entries) && !status; i++) status = write_entry(root, &entries[i], path, host);
    RegCloseKey(root);
    hr = status ? HRESULT_FROM_WIN32(status) : register_typelib(where, path);
    if (FAILED(hr))
    {
        unregister(where);
        return SELFREG_E_CLASS;
    }
    return S_OK;
}

/* openbits_ps.dll, beside this DLL: its own registration claims only the
 * interfaces the system has no proxy/stub for (src/ps/ps.c). */
static HRESULT call_proxy_stub_dll(const char *entry)
{
    WCHAR path[MAX_PATH], *slash;
    HRESULT (WINAPI *function)(void);
    HMODULE dll;
    HRESULT hr;

    if (FAILED(hr = module_path(path, ARRAYSIZE(path)))) return hr;
    if (!(slash = wcsrchr(path, L'\\')) || slash - path + 1 + wcslen(OPENBITS_PROXY_STUB_DLL) >= MAX_PATH)
        return HRESULT_FROM_WIN32(ERROR_FILENAME_EXCED_RANGE);
    wcscpy(slash + 1, OPENBITS_PROXY_STUB_DLL);
    if (!(dll = LoadLibraryW(path))) return HRESULT_FROM_WIN32(GetLastError());
    function = (void *)GetProcAddress(dll, entry);
    hr = function ? function() : HRESULT_FROM_WIN32(ERROR_PROC_NOT_FOUND);
    FreeLibrary(dll);
    return hr;
}

HRESULT WINAPI DllRegisterServer(void)
{
    HRESULT hr = do_register(SCOPE_MACHINE);
    if (SUCCEEDED(hr) && FAILED(call_proxy_stub_dll("DllRegisterServer")))
    {
        unregister(SCOPE_MACHINE);
        return SELFREG_E_CLASS;
    }
    return hr;
}

HRESULT WINAPI DllUnregisterServer(void)
{
    ob_takeover_uninstall(); /* Microsoft's BITS registration back first, if it was taken over */
    call_proxy_stub_dll("DllUnregisterServer");
    return unregister(SCOPE_MACHINE);
}

/* "regsvr32 /i:user openbits.dll": per-user registration under
 * HKCU\Software\Classes, as on Windows.  "regsvr32 /i:bits /n openbits.dll"
 * (and /u for the reverse; openbits-host /install-as-bits does the same):
 * the opt-in takeover of Microsoft's BITS CLSIDs (takeover.c); it needs the
 * machine-wide registration first.  Any other command line means the
 * machine-wide registration. */
HRESULT WINAPI DllInstall(BOOL install, const WCHAR *command_line)
{
    if (command_line && !lstrcmpiW(command_line, L"bits"))
    {
        WCHAR host[MAX_PATH + 2];
        HRESULT hr;
        if (!install) return ob_takeover_uninstall();
        if (FAILED(hr = host_path(host, ARRAYSIZE(host)))) return hr;
        return ob_takeover_install(host);
    }
    scope where = command_line && !lstrcmpiW(command_line, L"user") ? SCOPE_USER : SCOPE_MACHINE;
    return install ? do_register(where) : unregister(where);
}
