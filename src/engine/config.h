/* The documented per-machine, per-user and per-job limits.  Like BITS's Group
 * Policy values they can be changed: openbits reads them once per process from
 * HKLM\Software\OpenBits (REG_DWORD MaxJobsPerMachine, MaxJobsPerUser,
 * MaxFilesPerJob, MaxRangesPerFile, and MaxConcurrentTransfers, ours).
 * Administrators are exempt from the per-user and per-job limits, as
 * documented (MaxRangesPerFile binds everyone). */
#ifndef OB_CONFIG_H
#define OB_CONFIG_H

#include <windows.h>

#define OB_CONFIG_KEY L"Software\\OpenBits"

typedef struct ob_limits {
    ULONG max_jobs_per_machine;
    ULONG max_jobs_per_user;
    ULONG max_files_per_job;
    ULONG max_transfers;       /* jobs transferring at once (worker threads) */
    ULONG max_ranges_per_file; /* MaxRangesPerFile (AddFileWithRanges); 0: no limit */
} ob_limits;

ob_limits ob_limits_default(void);
/* Defaults overridden by whatever values the registry key holds. */
ob_limits ob_limits_from_registry(void);

/* The length in milliseconds of one second of MinimumRetryDelay and
 * NoProgressTimeout: 1000, unless the environment variable
 * OPENBITS_TIME_UNIT_MS says otherwise (tests shrink time with it, so that
 * the documented 5-second minimum delay passes in milliseconds). */
ULONG ob_config_time_unit_ms(void);

/* The connect, send and receive timeouts of HTTP transfers, all three in
 * milliseconds, when the environment variable OPENBITS_NET_TIMEOUT_MS sets
 * them (tests); 0 otherwise: the documented 30 s, 30 s and 60 s. */
ULONG ob_config_net_timeout_ms(void);

/* Which backend moves HTTP requests: the environment variable
 * OPENBITS_HTTP_TRANSPORT (tests and benchmarks), else the REG_SZ value
 * HttpTransport in HKLM\Software\OpenBits, "curl" or "winhttp" (any case);
 * else, and for any other value, curl under Wine and WinHTTP on Windows
 * (docs/choices.md says why). */
typedef enum ob_http_backend_kind { OB_HTTP_BACKEND_WINHTTP, OB_HTTP_BACKEND_CURL } ob_http_backend_kind;
ob_http_backend_kind ob_config_http_backend(void);
/* The same with the registry value read from root\subkey (tests). */
ob_http_backend_kind ob_config_http_backend_in(HKEY root, const WCHAR *subkey);
/* The host's job store folder: the REG_SZ value StoreDirectory in
 * HKLM\Software\OpenBits, else %ProgramData%\openbits\jobs.  FALSE if
 * neither gives a path that fits. */
BOOL ob_config_store_dir(WCHAR *dir, DWORD chars);
/* Fault tests: the process terminates itself at once (exit code 99) when the
 * environment variable OPENBITS_CRASH_AT names this point; nothing else
 * happens otherwise.  Points: "complete-renamed-one", "cancel-deleted-one". */
void ob_config_crash_point(const char *point);
/* TRUE in a Wine process (ntdll exports wine_get_version). */
BOOL ob_config_under_wine(void);

#endif
