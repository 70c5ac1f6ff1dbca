/* The opt-in takeover of Microsoft's BITS manager CLSIDs (regsvr32
 * /i:bits /n openbits.dll, or openbits-host /install-as-bits).
 *
 * What it replaces is saved first, key by key, under
 * HKLM\Software\OpenBits\Takeover\<n> (Path, Existed, and a copy of the
 * original tree in Tree); the key's presence means "installed", and a second
 * install changes nothing, so the saved originals are never overwritten.
 * It then points each BITS CLSID at openbits-host.exe (LocalServer32 and our
 * AppID) and each interface whose system proxy/stub is broken
 * (proxystub.c) at openbits_ps.dll.  The reverse deletes each key and
 * copies the saved tree back (or leaves it deleted when it did not exist),
 * so Wine's entries come back as they were. */
#include "com_private.h"
#include "bits_clsids.h"
#include "trace.h"
#include <stdio.h>

#define SAVED_PATH L"Path"
#define SAVED_EXISTED L"Existed"
#define SAVED_TREE L"Tree"
#define MAX_KEYS 16

/* The keys below HKLM\Software\Classes the takeover replaces. */
static ULONG taken_keys(WCHAR keys[MAX_KEYS][64], BOOL clsid[MAX_KEYS])
{
    WCHAR text[40];
    ULONG n = 0, i;

    for (i = 0; i < ARRAYSIZE(ob_bits_clsids) && n < MAX_KEYS; i++, n++)
    {
        swprintf(keys[n], 64, L"CLSID\\%ls", ob_bits_clsids[i]);
        clsid[n] = TRUE;
    }
    for (i = 0; i < ob_broken_system_proxy_count && n < MAX_KEYS; i++, n++)
    {
        StringFromGUID2(ob_broken_system_proxy_iids[i], text, ARRAYSIZE(text));
        swprintf(keys[n], 64, L"Interface\\%ls", text);
        clsid[n] = FALSE;
    }
    return n;
}

static LSTATUS set_string(HKEY root, const WCHAR *path, const WCHAR *name, const WCHAR *data)
{
    return RegSetKeyValueW(root, path, name, REG_SZ, data, (DWORD)((wcslen(data) + 1) * sizeof(WCHAR)));
}

static LSTATUS save(HKEY classes, HKEY saved_root, ULONG index, const WCHAR *path)
{
    WCHAR name[16];
    DWORD existed;
    HKEY original, saved, tree;
    LSTATUS status;

    swprintf(name, ARRAYSIZE(name), L"%lu", index);
    if ((status = RegCreateKeyExW(saved_root, name, 0, NULL, 0, KEY_ALL_ACCESS, NULL, &saved, NULL))) return status;
    existed = !RegOpenKeyExW(classes, path, 0, KEY_READ, &original);
    status = set_string(saved, NULL, SAVED_PATH, path);
    if (!status) status = RegSetValueExW(saved, SAVED_EXISTED, 0, REG_DWORD, (const BYTE *)&existed, sizeof(existed));
    if (!status && existed &&
        !(status = RegCreateKeyExW(saved, SAVED_TREE, 0, NULL, 0, KEY_ALL_ACCESS, NULL, &tree, NULL)))
    {
        status = RegCopyTreeW(original, NULL, tree);
        RegCloseKey(tree);
    }
    if (existed) RegCloseKey(original);
    RegCloseKey(saved);
    return status;
}

static LSTATUS take(HKEY classes, const WCHAR *path, BOOL clsid, const WCHAR *host)
{
    WCHAR sub[96];
    LSTATUS status;

    if (!clsid) /* an interface: only its proxy/stub changes */
    {
        swprintf(sub, ARRAYSIZE(sub), L"%ls\\ProxyStubClsid32", path);
        return set_string(classes, sub, NULL, OPENBITS_PROXY_STUB_CLSID_TEXT);
    }
    RegDeleteTreeW(classes, path);
    if ((status = set_string(classes, path, NULL, L"openbits Background Copy Manager (BITS takeover)"))) return status;
    if ((status = set_string(classes, path, L"AppID", OB_HOST_APPID))) return status;
    swprintf(sub, ARRAYSIZE(sub), L"%ls\\LocalServer32", path);
    return set_string(classes, sub, NULL, host);
}

static HRESULT restore(HKEY classes, HKEY saved_root)
{
    WCHAR name[16], path[64];
    DWORD index, existed, size;
    HKEY saved, tree, key;
    LSTATUS status = ERROR_SUCCESS;

    for (index = 0; swprintf(name, ARRAYSIZE(name), L"%lu", index),
         !RegOpenKeyExW(saved_root, name, 0, KEY_READ, &saved); index++)
    {
        size = sizeof(path);
        if (!RegGetValueW(saved, NULL, SAVED_PATH, RRF_RT_REG_SZ, NULL, path, &size))
        {
            size = sizeof(existed);
            if (RegGetValueW(saved, NULL, SAVED_EXISTED, RRF_RT_REG_DWORD, NULL, &existed, &size)) existed = 0;
            RegDeleteTreeW(classes, path);
            if (existed && !RegOpenKeyExW(saved, SAVED_TREE, 0, KEY_READ, &tree))
            {
                if (!(status = RegCreateKeyExW(classes, path, 0, NULL, 0, KEY_ALL_ACCESS, NULL, &key, NULL)))
                {
                    status = RegCopyTreeW(tree, NULL, key);
                    RegCloseKey(key);
                }
                RegCloseKey(tree);
            }
        }
        RegCloseKey(saved);
    }
    return HRESULT_FROM_WIN32(status);
}

/* host: the quoted path of openbits-host.exe.  S_FALSE: already installed. */
HRESULT ob_takeover_install(const WCHAR *host)
{
    WCHAR keys[MAX_KEYS][64];
    BOOL clsid[MAX_KEYS];
    HKEY classes, saved_root;
    DWORD disposition;
    LSTATUS status = ERROR_SUCCESS;
    ULONG count = taken_keys(keys, clsid), i;

    if ((status = RegOpenKeyExW(HKEY_LOCAL_MACHINE, L"Software\\Classes", 0, KEY_ALL_ACCESS, &classes)))
        return HRESULT_FROM_WIN32(status);
    if ((status = RegCreateKeyExW(HKEY_LOCAL_MACHINE, OB_TAKEOVER_KEY, 0, NULL, 0, KEY_ALL_ACCESS, NULL,
                                  &saved_root, &disposition)))
    {
        RegCloseKey(classes);
        return HRESULT_FROM_WIN32(status);
    }
    if (disposition == REG_OPENED_EXISTING_KEY)
    {
        RegCloseKey(saved_root);
        RegCloseKey(classes);
        return S_FALSE;
    }
    for (i = 0; i < count && !status; i++) status = save(classes, saved_root, i, keys[i]);
    for (i = 0; i < count && !status; i++) status = take(classes, keys[i], clsid[i], host);
    if (status)
    {
        restore(classes, saved_root);
        RegCloseKey(saved_root);
        RegDeleteTreeW(HKEY_LOCAL_MACHINE, OB_TAKEOVER_KEY);
    }
    else
        RegCloseKey(saved_root);
    RegCloseKey(classes);
    OB_TRACE(NULL, L"BITS takeover installed (%lu keys): %lu", count, (ULONG)status);
    return HRESULT_FROM_WIN32(status);
}

/* S_FALSE: not installed. */
HRESULT ob_takeover_uninstall(void)
{
    HKEY classes, saved_root;
    HRESULT hr;

    if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, OB_TAKEOVER_KEY, 0, KEY_READ, &saved_root)) return S_FALSE;
    if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, L"Software\\Classes", 0, KEY_ALL_ACCESS, &classes))
    {
        RegCloseKey(saved_root);
        return E_ACCESSDENIED;
    }
    hr = restore(classes, saved_root);
    RegCloseKey(saved_root);
    RegCloseKey(classes);
    if (SUCCEEDED(hr)) RegDeleteTreeW(HKEY_LOCAL_MACHINE, OB_TAKEOVER_KEY);
    OB_TRACE(NULL, L"BITS takeover removed: %08lx", (ULONG)hr);
    return hr;
}
