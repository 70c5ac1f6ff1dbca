/* openbits-admin: the verb table (bitsadmin's verbs that openbits offers),
 * and the bitsadmin verbs it does not offer, with why. */
#include "verbs.h"
#include "format.h"

#define GLOBAL(n, opts, fn) { n, SHAPE_GLOBAL, 0, { ARG_TEXT, ARG_TEXT }, opts, fn }
#define JOB0(n, fn) { n, SHAPE_JOB, 0, { ARG_TEXT, ARG_TEXT }, 0, fn }
#define JOB1(n, kind, fn) { n, SHAPE_JOB, 1, { kind, ARG_TEXT }, 0, fn }
#define JOB2(n, fn) { n, SHAPE_JOB, 2, { ARG_TEXT, ARG_TEXT }, 0, fn }
#define DO_VERB(n, count, fn) { n, SHAPE_ARGS, count, { ARG_TEXT, ARG_TEXT }, 0, fn }

static const struct admin_verb verbs[] = {
    GLOBAL(L"/help", 0, admin_verb_help),
    GLOBAL(L"/?", 0, admin_verb_help),
    GLOBAL(L"/list", OPT_ALLUSERS | OPT_VERBOSE, admin_verb_list),
    GLOBAL(L"/monitor", OPT_ALLUSERS | OPT_REFRESH, admin_verb_monitor),
    GLOBAL(L"/reset", OPT_ALLUSERS, admin_verb_reset),
    { L"/util", SHAPE_UTIL, 0, { ARG_TEXT, ARG_TEXT }, 0, admin_verb_util },
    { L"/create", SHAPE_CREATE, 0, { ARG_TEXT, ARG_TEXT }, 0, admin_verb_create },
    { L"/transfer", SHAPE_TRANSFER, 0, { ARG_TEXT, ARG_TEXT }, 0, admin_transfer },
    { L"/info", SHAPE_JOB, 0, { ARG_TEXT, ARG_TEXT }, OPT_VERBOSE, admin_verb_info },
    JOB0(L"/listfiles", admin_verb_listfiles),
    JOB2(L"/addfile", admin_verb_addfile),
    JOB0(L"/suspend", admin_verb_suspend),
    JOB0(L"/resume", admin_verb_resume),
    JOB0(L"/cancel", admin_verb_cancel),
    JOB0(L"/complete", admin_verb_complete),
    JOB0(L"/wait", admin_wait),
    JOB0(L"/takeownership", admin_verb_takeownership),
    JOB0(L"/gettype", admin_verb_gettype),
    JOB0(L"/getstate", admin_verb_getstate),
    JOB0(L"/getbytestotal", admin_verb_getbytestotal),
    JOB0(L"/getbytestransferred", admin_verb_getbytestransferred),
    JOB0(L"/getfilestotal", admin_verb_getfilestotal),
    JOB0(L"/getfilestransferred", admin_verb_getfilestransferred),
    JOB0(L"/getcreationtime", admin_verb_getcreationtime),
    JOB0(L"/getmodificationtime", admin_verb_getmodificationtime),
    JOB0(L"/getcompletiontime", admin_verb_getcompletiontime),
    JOB0(L"/geterror", admin_verb_geterror),
    JOB0(L"/geterrorcount", admin_verb_geterrorcount),
    JOB0(L"/getowner", admin_verb_getowner),
    JOB0(L"/getdisplayname", admin_verb_getdisplayname),
    JOB1(L"/setdisplayname", ARG_TEXT, admin_verb_setdisplayname),
    JOB0(L"/getdescription", admin_verb_getdescription),
    JOB1(L"/setdescription", ARG_TEXT, admin_verb_setdescription),
    JOB0(L"/getpriority", admin_verb_getpriority),
    JOB1(L"/setpriority", ARG_PRIORITY, admin_verb_setpriority),
    JOB0(L"/getnotifyflags", admin_verb_getnotifyflags),
    JOB1(L"/setnotifyflags", ARG_ULONG, admin_verb_setnotifyflags),
    JOB0(L"/getnotifyinterface", admin_verb_getnotifyinterface),
    JOB0(L"/getminretrydelay", admin_verb_getminretrydelay),
    JOB1(L"/setminretrydelay", ARG_ULONG, admin_verb_setminretrydelay),
    JOB0(L"/getnoprogresstimeout", admin_verb_getnoprogresstimeout),
    JOB1(L"/setnoprogresstimeout", ARG_ULONG, admin_verb_setnoprogresstimeout),
    JOB0(L"/getproxyusage", admin_verb_getproxyusage),
    JOB0(L"/getproxylist", admin_verb_getproxylist),
    JOB0(L"/getproxybypasslist", admin_verb_getproxybypasslist),
    /* usage [list [bypass]] */
    { L"/setproxysettings", SHAPE_JOB, 1, { ARG_PROXY_USAGE }, 0, admin_verb_setproxysettings, 2 },
    { L"/setcredentials", SHAPE_JOB, 4, { ARG_AUTH_TARGET, ARG_AUTH_SCHEME, ARG_TEXT, ARG_TEXT }, 0,
      admin_verb_setcredentials },
    { L"/removecredentials", SHAPE_JOB, 2, { ARG_AUTH_TARGET, ARG_AUTH_SCHEME }, 0, admin_verb_removecredentials },
    JOB0(L"/getnotifycmdline", admin_verb_getnotifycmdline),
    JOB2(L"/setnotifycmdline", admin_verb_setnotifycmdline),
    JOB0(L"/getreplyfilename", admin_verb_getreplyfilename),
    JOB1(L"/setreplyfilename", ARG_TEXT, admin_verb_setreplyfilename),
    JOB0(L"/getreplyprogress", admin_verb_getreplyprogress),
    /* Delivery Optimization (IDOManager/IDODownload), do_verbs.c */
    DO_VERB(L"/do_download", 2, admin_do_download),
    DO_VERB(L"/do_start", 2, admin_do_start),
    DO_VERB(L"/do_status", 1, admin_do_status),
    DO_VERB(L"/do_wait", 1, admin_do_wait),
    DO_VERB(L"/do_finalize", 1, admin_do_finalize),
    DO_VERB(L"/do_abort", 1, admin_do_abort),
    DO_VERB(L"/do_list", 0, admin_do_list),
};

struct unsupported
{
    const WCHAR *name;
    const char *reason;
};

static const char needs_job3[] = "it needs IBackgroundCopyJob3 or later, which openbits does not offer yet";
static const char not_yet[] = "openbits-admin does not offer it yet";

static const struct unsupported unsupported[] = {
    { L"/addfileset", not_yet },
    { L"/addfilewithranges", needs_job3 },
    { L"/replaceremoteprefix", needs_job3 },
    { L"/getaclflags", needs_job3 },
    { L"/setaclflags", needs_job3 },
    { L"/getcustomheaders", needs_job3 },
    { L"/setcustomheaders", needs_job3 },
    { L"/getsecurityflags", needs_job3 },
    { L"/setsecurityflags", needs_job3 },
    { L"/getclientcertificate", needs_job3 },
    { L"/setclientcertificatebyid", needs_job3 },
    { L"/setclientcertificatebyname", needs_job3 },
    { L"/removeclientcertificate", needs_job3 },
    { L"/gethelpertokenflags", needs_job3 },
    { L"/sethelpertokenflags", needs_job3 },
    { L"/gethelpertokensid", needs_job3 },
    { L"/sethelpertoken", needs_job3 },
    { L"/getmaxdownloadtime", needs_job3 },
    { L"/setmaxdownloadtime", needs_job3 },
    { L"/getpeercachingflags", needs_job3 },
    { L"/setpeercachingflags", needs_job3 },
    { L"/getusestoredcredentials", needs_job3 },
    { L"/setusestoredcredentials", needs_job3 },
    { L"/gethttpmethod", needs_job3 },
    { L"/sethttpmethod", needs_job3 },
    { L"/getpriorityclass", needs_job3 },
    { L"/setpriorityclass", needs_job3 },
    { L"/cache", "openbits has no peer cache" },
    { L"/peercaching", "openbits has no peer cache" },
    { L"/peers", "openbits has no peer cache" },
    { L"/getreplydata", "read the reply file after /complete instead" },
    { L"/examples", "see /help and the README" },
};

const struct admin_verb *admin_find_verb(const WCHAR *name)
{
    unsigned i;
    for (i = 0; name && i < ARRAYSIZE(verbs); i++)
        if (admin_switch_is(name, verbs[i].name)) return &verbs[i];
    return NULL;
}

const char *admin_unsupported_verb(const WCHAR *name)
{
    unsigned i;
    for (i = 0; name && i < ARRAYSIZE(unsupported); i++)
        if (admin_switch_is(name, unsupported[i].name)) return unsupported[i].reason;
    return NULL;
}

int admin_check(struct admin_context *ctx, const char *what, HRESULT hr)
{
    if (SUCCEEDED(hr)) return ADMIN_EXIT_OK;
    admin_print_hresult(ctx, what, hr);
    return ADMIN_EXIT_FAILED;
}

void admin_print_bytes(UINT64 bytes)
{
    if (bytes == BG_SIZE_UNKNOWN) printf("UNKNOWN");
    else printf("%llu", (unsigned long long)bytes);
}

void admin_print_job_summary(IBackgroundCopyJob *job)
{
    GUID id;
    WCHAR *name = NULL;
    BG_JOB_STATE state = BG_JOB_STATE_QUEUED;
    BG_JOB_PROGRESS progress = { 0 };

    IBackgroundCopyJob_GetId(job, &id);
    IBackgroundCopyJob_GetDisplayName(job, &name);
    IBackgroundCopyJob_GetState(job, &state);
    IBackgroundCopyJob_GetProgress(job, &progress);
    admin_print_guid(&id);
    printf(" '%ls' %s %lu / %lu ", name ? name : L"", admin_state_name(state), progress.FilesTransferred,
           progress.FilesTotal);
    admin_print_bytes(progress.BytesTransferred);
    printf(" / ");
    admin_print_bytes(progress.BytesTotal);
    printf("\n");
    CoTaskMemFree(name);
}
