#include "config.h"

ob_limits ob_limits_default(void)
{
    ob_limits limits = { 300, 60, 200, 4 };
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
