#include "config.h"
#include "ranges.h"

ob_limits ob_limits_default(void)
{
    ob_limits limits = { 300, 60, 200, 4, OB_DEFAULT_MAX_RANGES_PER_FILE };
    return limits;
}

static void read_dword(HKEY key, const WCHAR *name, ULONG *value)
{
    DWORD data, size = sizeof(data), type;
    if (!RegQueryValueExW(key, name, NULL, &type, (BYTE *)&data, &size) && type == REG_DWORD && data)
        *value = data;
}

ob_limits ob_limits_from_registry(void)
{
    ob_limits limits = ob_limits_default();
    HKEY key;

    if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, OB_CONFIG_KEY, 0, KEY_READ, &key)) return limits;
    read_dword(key, L"MaxJobsPerMachine", &limits.max_jobs_per_machine);
    read_dword(key, L"MaxJobsPerUser", &limits.max_jobs_per_user);
    read_dword(key, L"MaxFilesPerJob", &limits.max_files_per_job);
    read_dword(key, L"MaxConcurrentTransfers", &limits.max_transfers);
    read_dword(key, L"MaxRangesPerFile", &limits.max_ranges_per_file);
    RegCloseKey(key);
    return limits;
}

ULONG ob_config_time_unit_ms(void)
{
    WCHAR text[16];
    DWORD len = GetEnvironmentVariableW(L"OPENBITS_TIME_UNIT_MS", text, ARRAYSIZE(text));
    ULONG unit = len && len < ARRAYSIZE(text) ? wcstoul(text, NULL, 10) : 0;
    return unit ? unit : 1000;
}

ULONG ob_config_net_timeout_ms(void)
{
    WCHAR text[16];
    DWORD len = GetEnvironmentVariableW(L"OPENBITS_NET_TIMEOUT_MS", text, ARRAYSIZE(text));
    return len && len < ARRAYSIZE(text) ? wcstoul(text, NULL, 10) : 0;
}

BOOL ob_config_store_dir(WCHAR *dir, DWORD chars)
{
    DWORD size = chars * sizeof(WCHAR), len;

    if (!RegGetValueW(HKEY_LOCAL_MACHINE, OB_CONFIG_KEY, L"StoreDirectory", RRF_RT_REG_SZ, NULL, dir, &size) && dir[0])
        return TRUE;
    len = GetEnvironmentVariableW(L"ProgramData", dir, chars);
    if (!len || len + 16 >= chars) return FALSE;
    wcscat(dir, L"\\openbits\\jobs");
    return TRUE;
}

void ob_config_crash_point(const char *point)
{
    char wanted[64];
    DWORD len = GetEnvironmentVariableA("OPENBITS_CRASH_AT", wanted, sizeof(wanted));
    if (len && len < sizeof(wanted) && !strcmp(wanted, point)) TerminateProcess(GetCurrentProcess(), 99);
}

BOOL ob_config_under_wine(void)
{
    HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
    return ntdll && GetProcAddress(ntdll, "wine_get_version");
}

static BOOL backend_named(const WCHAR *name, ob_http_backend_kind *kind)
{
    if (!_wcsicmp(name, L"curl")) *kind = OB_HTTP_BACKEND_CURL;
    else if (!_wcsicmp(name, L"winhttp")) *kind = OB_HTTP_BACKEND_WINHTTP;
    else return FALSE;
    return TRUE;
}

ob_http_backend_kind ob_config_http_backend_in(HKEY root, const WCHAR *subkey)
{
    ob_http_backend_kind kind;
    WCHAR text[16];
    DWORD len = GetEnvironmentVariableW(L"OPENBITS_HTTP_TRANSPORT", text, ARRAYSIZE(text)), size, type;
    HKEY key;
    BOOL found = FALSE;

    if (len && len < ARRAYSIZE(text) && backend_named(text, &kind)) return kind;
    if (!RegOpenKeyExW(root, subkey, 0, KEY_READ, &key))
    {
        size = sizeof(text) - sizeof(WCHAR);
        if (!RegQueryValueExW(key, L"HttpTransport", NULL, &type, (BYTE *)text, &size) && type == REG_SZ)
        {
            text[size / sizeof(WCHAR)] = 0;
            found = backend_named(text, &kind);
        }
        RegCloseKey(key);
    }
    if (found) return kind;
    return ob_config_under_wine() ? OB_HTTP_BACKEND_CURL : OB_HTTP_BACKEND_WINHTTP;
}

ob_http_backend_kind ob_config_http_backend(void)
{
    return ob_config_http_backend_in(HKEY_LOCAL_MACHINE, OB_CONFIG_KEY);
}
