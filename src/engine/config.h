/* The documented per-machine, per-user and per-job limits.  Like BITS's Group
 * Policy values they can be changed: openbits reads them once per process from
 * HKLM\Software\OpenBits (REG_DWORD MaxJobsPerMachine, MaxJobsPerUser,
 * MaxFilesPerJob).  Administrators are exempt from the per-user and per-job
 * limits, as documented. */
#ifndef OB_CONFIG_H
#define OB_CONFIG_H

#include <windows.h>

#define OB_CONFIG_KEY L"Software\\OpenBits"

typedef struct ob_limits {
    ULONG max_jobs_per_machine;
    ULONG max_jobs_per_user;
    ULONG max_files_per_job;
} ob_limits;

ob_limits ob_limits_default(void);
/* Defaults overridden by whatever values the registry key holds. */
ob_limits ob_limits_from_registry(void);

#endif
