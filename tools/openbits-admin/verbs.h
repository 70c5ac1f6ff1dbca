/* openbits-admin: the functions behind the verb table (verbs.c). */
#ifndef OB_ADMIN_VERBS_H
#define OB_ADMIN_VERBS_H

#include "admin.h"

#define ADMIN_VERB(name) int name(struct admin_context *ctx, IBackgroundCopyJob *job, const struct admin_command *cmd)

/* queue.c: verbs about the whole queue of this process, and /info. */
ADMIN_VERB(admin_verb_help);
ADMIN_VERB(admin_verb_util);
ADMIN_VERB(admin_verb_create);
ADMIN_VERB(admin_verb_list);
ADMIN_VERB(admin_verb_monitor);
ADMIN_VERB(admin_verb_reset);
ADMIN_VERB(admin_verb_info);
/* do_verbs.c: Delivery Optimization downloads (IDOManager/IDODownload). */
ADMIN_VERB(admin_do_download);
ADMIN_VERB(admin_do_start);
ADMIN_VERB(admin_do_status);
ADMIN_VERB(admin_do_wait);
ADMIN_VERB(admin_do_finalize);
ADMIN_VERB(admin_do_abort);
ADMIN_VERB(admin_do_list);
ADMIN_VERB(admin_verb_listfiles);

/* job_verbs.c: one job's actions, getters and setters. */
ADMIN_VERB(admin_verb_addfile);
ADMIN_VERB(admin_verb_suspend);
ADMIN_VERB(admin_verb_resume);
ADMIN_VERB(admin_verb_cancel);
ADMIN_VERB(admin_verb_complete);
ADMIN_VERB(admin_verb_takeownership);
ADMIN_VERB(admin_verb_gettype);
ADMIN_VERB(admin_verb_getstate);
ADMIN_VERB(admin_verb_getbytestotal);
ADMIN_VERB(admin_verb_getbytestransferred);
ADMIN_VERB(admin_verb_getfilestotal);
ADMIN_VERB(admin_verb_getfilestransferred);
ADMIN_VERB(admin_verb_getcreationtime);
ADMIN_VERB(admin_verb_getmodificationtime);
ADMIN_VERB(admin_verb_getcompletiontime);
ADMIN_VERB(admin_verb_geterror);
ADMIN_VERB(admin_verb_geterrorcount);
ADMIN_VERB(admin_verb_getowner);
ADMIN_VERB(admin_verb_getdisplayname);
ADMIN_VERB(admin_verb_setdisplayname);
ADMIN_VERB(admin_verb_getdescription);
ADMIN_VERB(admin_verb_setdescription);
ADMIN_VERB(admin_verb_getpriority);
ADMIN_VERB(admin_verb_setpriority);
ADMIN_VERB(admin_verb_getnotifyflags);
ADMIN_VERB(admin_verb_setnotifyflags);
ADMIN_VERB(admin_verb_getnotifyinterface);
ADMIN_VERB(admin_verb_getminretrydelay);
ADMIN_VERB(admin_verb_setminretrydelay);
ADMIN_VERB(admin_verb_getnoprogresstimeout);
ADMIN_VERB(admin_verb_setnoprogresstimeout);
ADMIN_VERB(admin_verb_getproxyusage);
ADMIN_VERB(admin_verb_getproxylist);
ADMIN_VERB(admin_verb_getproxybypasslist);
ADMIN_VERB(admin_verb_setproxysettings);
ADMIN_VERB(admin_verb_setcredentials);
ADMIN_VERB(admin_verb_removecredentials);
ADMIN_VERB(admin_verb_getnotifycmdline);
ADMIN_VERB(admin_verb_setnotifycmdline);
ADMIN_VERB(admin_verb_getreplyfilename);
ADMIN_VERB(admin_verb_setreplyfilename);
ADMIN_VERB(admin_verb_getreplyprogress);

/* Shared by the verbs: a failed call printed, as an exit code. */
int admin_check(struct admin_context *ctx, const char *what, HRESULT hr);
/* "N" or "UNKNOWN" (BG_SIZE_UNKNOWN). */
void admin_print_bytes(UINT64 bytes);
/* One line: {GUID} 'name' STATE files bytes. */
void admin_print_job_summary(IBackgroundCopyJob *job);

#endif
