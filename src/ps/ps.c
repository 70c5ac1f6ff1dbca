/* openbits_ps.dll: the proxy/stub widl generates from idl/openbits_com.idl
 * and each area's IDL (their _p.c files, all in widl's dlldata list), with its
 * class object from widl's dlldata, and a
 * registration of our own: DllRegisterServer registers the proxy/stub class
 * and claims only the interfaces for which the system has no proxy/stub
 * (HKCR\Interface\{iid} absent); DllUnregisterServer removes exactly those
 * (an interface whose ProxyStubClsid32 is ours) and the class.  A system
 * registration is never touched here; the BITS takeover (openbits.dll) is
 * what points broken system entries at this DLL, saving them first. */
#include <windows.h>
#include <olectl.h>
#include <stdio.h>
#include "openbits.h"

#define USE_STUBLESS_PROXY /* as in widl's -Oif proxy file */
#define PROXY_CLSID_IS OPENBITS_PROXY_STUB_CLSID_INIT
#include "openbits_com_dlldata.c"

#define PS_KEY L"CLSID\\" OPENBITS_PROXY_STUB_CLSID_TEXT

static HINSTANCE instance;

BOOL WINAPI DllMain(HINSTANCE dll, DWORD reason, void *reserved)
{
    if (reason == DLL_PROCESS_ATTACH)
    {
        instance = dll;
        DisableThreadLibraryCalls(dll);
    }
    return TRUE;
}

static LSTATUS set_string(HKEY root, const WCHAR *path, const WCHAR *name, const WCHAR *data)
{
    return RegSetKeyValueW(root, path, name, REG_SZ, data, (DWORD)((wcslen(data) + 1) * sizeof(WCHAR)));
}

static void iid_key(const IID *iid, WCHAR *key, size_t size)
{
    WCHAR text[40];
    StringFromGUID2(iid, text, ARRAYSIZE(text));
    swprintf(key, size, L"Interface\\%ls", text);
}

/* Whether HKCR\Interface\{iid}\ProxyStubClsid32 names our proxy/stub. */
static BOOL is_ours(HKEY classes, const WCHAR *key)
{
    WCHAR path[96], value[40];
    DWORD size = sizeof(value);

    swprintf(path, ARRAYSIZE(path), L"%ls\\ProxyStubClsid32", key);
    if (RegGetValueW(classes, path, NULL, RRF_RT_REG_SZ, NULL, value, &size)) return FALSE;
    return !lstrcmpiW(value, OPENBITS_PROXY_STUB_CLSID_TEXT);
}

static void remove_key_if_empty(HKEY classes, const WCHAR *path)
{
    RegDeleteKeyW(classes, path); /* fails, as it should, while not empty */
}

static void unregister(HKEY classes)
{
    const ProxyFileInfo *const *file, *info;
    WCHAR key[64], path[96];
    ULONG i;

    for (file = aProxyFileList; (info = *file); file++)
    for (i = 0; i < info->TableSize; i++)
    {
        iid_key(info->pStubVtblList[i]->header.piid, key, ARRAYSIZE(key));
        if (!is_ours(classes, key)) continue;
        swprintf(path, ARRAYSIZE(path), L"%ls\\ProxyStubClsid32", key);
        RegDeleteKeyW(classes, path);
        swprintf(path, ARRAYSIZE(path), L"%ls\\NumMethods", key);
        RegDeleteKeyW(classes, path);
        RegDeleteKeyValueW(classes, key, NULL);
        remove_key_if_empty(classes, key);
    }
    RegDeleteKeyValueW(classes, PS_KEY L"\\InprocServer32", NULL);
    RegDeleteKeyValueW(classes, PS_KEY L"\\InprocServer32", L"ThreadingModel");
    remove_key_if_empty(classes, PS_KEY L"\\InprocServer32");
    RegDeleteKeyValueW(classes, PS_KEY, NULL);
    remove_key_if_empty(classes, PS_KEY);
}

static HRESULT do_register(HKEY classes)
{
    const ProxyFileInfo *const *file, *info;
    WCHAR module[MAX_PATH], key[64], path[96], count[16], name[64];
    LSTATUS status;
    HKEY existing;
    DWORD len = GetModuleFileNameW(instance, module, ARRAYSIZE(module));
    ULONG i;

    if (!len || len >= ARRAYSIZE(module)) return HRESULT_FROM_WIN32(ERROR_FILENAME_EXCED_RANGE);
    if ((status = set_string(classes, PS_KEY, NULL, L"openbits proxy/stub")) ||
        (status = set_string(classes, PS_KEY L"\\InprocServer32", NULL, module)) ||
        (status = set_string(classes, PS_KEY L"\\InprocServer32", L"ThreadingModel", L"Both")))
        return HRESULT_FROM_WIN32(status);
    for (file = aProxyFileList; !status && (info = *file); file++)
    for (i = 0; i < info->TableSize && !status; i++)
    {
        iid_key(info->pStubVtblList[i]->header.piid, key, ARRAYSIZE(key));
        if (!RegOpenKeyExW(classes, key, 0, KEY_READ, &existing))
        {
            RegCloseKey(existing); /* the system's, or an earlier registration of ours */
            continue;
        }
        swprintf(count, ARRAYSIZE(count), L"%lu", info->pStubVtblList[i]->header.DispatchTableCount);
        swprintf(path, ARRAYSIZE(path), L"%ls\\ProxyStubClsid32", key);
        MultiByteToWideChar(CP_ACP, 0, info->pNamesArray[i], -1, name, ARRAYSIZE(name));
        if (!(status = set_string(classes, key, NULL, name)))
            status = set_string(classes, path, NULL, OPENBITS_PROXY_STUB_CLSID_TEXT);
        swprintf(path, ARRAYSIZE(path), L"%ls\\NumMethods", key);
        if (!status) status = set_string(classes, path, NULL, count);
    }
    return HRESULT_FROM_WIN32(status);
}

static HKEY classes_root(void)
{
    HKEY classes;
    if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, L"Software\\Classes", 0, KEY_ALL_ACCESS, &classes)) return NULL;
    return classes;
}

HRESULT WINAPI DllRegisterServer(void)
{
    HKEY classes = classes_root();
    HRESULT hr;

    if (!classes) return SELFREG_E_CLASS;
    if (FAILED(hr = do_register(classes))) unregister(classes);
    RegCloseKey(classes);
    return FAILED(hr) ? SELFREG_E_CLASS : S_OK;
}

HRESULT WINAPI DllUnregisterServer(void)
{
    HKEY classes = classes_root();
    if (!classes) return S_OK;
    unregister(classes);
    RegCloseKey(classes);
    return S_OK;
}
