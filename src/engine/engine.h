/* The process-wide engine: one job table, and the scheduler that runs its
 * jobs, created together on first use. */
#ifndef OB_ENGINE_H
#define OB_ENGINE_H

#include "table.h"

/* NULL only when out of memory.  Limits come from the registry (config.h). */
ob_table *ob_engine_table(void);
/* Jobs in the process-wide table; 0 if it was never created. */
ULONG ob_engine_job_count(void);

#endif
