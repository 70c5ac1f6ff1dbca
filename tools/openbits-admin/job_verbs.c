/* openbits-admin: one job's actions, getters and setters.  Getters print the
 * bare value, as bitsadmin does, so scripts can read it. */
#include "verbs.h"
#include "format.h"

static int print_string(struct admin_context *ctx, const char *what, HRESULT hr, WCHAR *value)
{
    if (FAILED(hr)) return admin_check(ctx, what, hr);
    printf("%ls\n", value ? value : L"");
    CoTaskMemFree(value);
    return ADMIN_EXIT_OK;
}

static int print_ulong(struct admin_context *ctx, const char *what, HRESULT hr, ULONG value)
{
    if (FAILED(hr)) return admin_check(ctx, what, hr);
    printf("%lu\n", value);
    return ADMIN_EXIT_OK;
}

static int report(struct admin_context *ctx, const char *what, HRESULT hr, const char *done)
{
    if (FAILED(hr)) return admin_check(ctx, what, hr);
    printf("%s\n", done);
    fflush(stdout);
    return ADMIN_EXIT_OK;
}

/* IBackgroundCopyJob2, for the notify command line and reply verbs. */
static int with_job2(struct admin_context *ctx, IBackgroundCopyJob *job, IBackgroundCopyJob2 **job2)
{
    return admin_check(ctx, "asking for IBackgroundCopyJob2",
                       IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJob2, (void **)job2));
}

ADMIN_VERB(admin_verb_addfile)
{
    HRESULT hr = IBackgroundCopyJob_AddFile(job, cmd->args[0], cmd->args[1]);
    if (FAILED(hr)) return admin_check(ctx, "adding the file", hr);
    printf("Added %ls -> %ls to the job.\n", cmd->args[0], cmd->args[1]);
    return ADMIN_EXIT_OK;
}

ADMIN_VERB(admin_verb_suspend)
{
    return report(ctx, "suspending the job", IBackgroundCopyJob_Suspend(job), "Job suspended.");
}

ADMIN_VERB(admin_verb_resume)
{
    return report(ctx, "resuming the job", IBackgroundCopyJob_Resume(job), "Job resumed.");
}

ADMIN_VERB(admin_verb_cancel)
{
    HRESULT hr = IBackgroundCopyJob_Cancel(job);
    if (hr == BG_S_UNABLE_TO_DELETE_FILES)
        return report(ctx, "", hr, "Job cancelled, but some temporary files could not be deleted.");
    return report(ctx, "cancelling the job", hr, "Job cancelled.");
}

ADMIN_VERB(admin_verb_complete)
{
    HRESULT hr = IBackgroundCopyJob_Complete(job);
    if (hr == BG_S_PARTIAL_COMPLETE)
        return report(ctx, "", hr, "Job completed; only the files that were fully transferred were kept.");
    if (hr == BG_S_UNABLE_TO_DELETE_FILES)
        return report(ctx, "", hr, "Job completed, but some temporary files could not be deleted.");
    return report(ctx, "completing the job", hr, "Job completed.");
}

ADMIN_VERB(admin_verb_takeownership)
{
    return report(ctx, "taking ownership", IBackgroundCopyJob_TakeOwnership(job), "Took ownership of the job.");
}

ADMIN_VERB(admin_verb_gettype)
{
    BG_JOB_TYPE type;
    HRESULT hr = IBackgroundCopyJob_GetType(job, &type);
    return report(ctx, "reading the type", hr, SUCCEEDED(hr) ? admin_type_name(type) : "");
}

ADMIN_VERB(admin_verb_getstate)
{
    BG_JOB_STATE state;
    HRESULT hr = IBackgroundCopyJob_GetState(job, &state);
    return report(ctx, "reading the state", hr, SUCCEEDED(hr) ? admin_state_name(state) : "");
}

static int print_progress_field(struct admin_context *ctx, IBackgroundCopyJob *job, int field)
{
    BG_JOB_PROGRESS p;
    HRESULT hr = IBackgroundCopyJob_GetProgress(job, &p);

    if (FAILED(hr)) return admin_check(ctx, "reading the progress", hr);
    switch (field)
    {
    case 0: admin_print_bytes(p.BytesTotal); break;
    case 1: admin_print_bytes(p.BytesTransferred); break;
    case 2: printf("%lu", p.FilesTotal); break;
    default: printf("%lu", p.FilesTransferred); break;
    }
    printf("\n");
    return ADMIN_EXIT_OK;
}

ADMIN_VERB(admin_verb_getbytestotal) { return print_progress_field(ctx, job, 0); }
ADMIN_VERB(admin_verb_getbytestransferred) { return print_progress_field(ctx, job, 1); }
ADMIN_VERB(admin_verb_getfilestotal) { return print_progress_field(ctx, job, 2); }
ADMIN_VERB(admin_verb_getfilestransferred) { return print_progress_field(ctx, job, 3); }

static int print_time_field(struct admin_context *ctx, IBackgroundCopyJob *job, int field)
{
    BG_JOB_TIMES times;
    char text[40];
    HRESULT hr = IBackgroundCopyJob_GetTimes(job, &times);

    if (FAILED(hr)) return admin_check(ctx, "reading the times", hr);
    admin_format_time(field == 0 ? &times.CreationTime
                      : field == 1 ? &times.ModificationTime : &times.TransferCompletionTime,
                      text, sizeof(text));
    printf("%s\n", text);
    return ADMIN_EXIT_OK;
}

ADMIN_VERB(admin_verb_getcreationtime) { return print_time_field(ctx, job, 0); }
ADMIN_VERB(admin_verb_getmodificationtime) { return print_time_field(ctx, job, 1); }
ADMIN_VERB(admin_verb_getcompletiontime) { return print_time_field(ctx, job, 2); }

ADMIN_VERB(admin_verb_geterror)
{
    return admin_check(ctx, "reading the job's error", admin_print_job_error(job, stdout));
}

ADMIN_VERB(admin_verb_geterrorcount)
{
    ULONG count = 0;
    HRESULT hr = IBackgroundCopyJob_GetErrorCount(job, &count);
    return print_ulong(ctx, "reading the error count", hr, count);
}

ADMIN_VERB(admin_verb_getowner)
{
    WCHAR *owner = NULL;
    HRESULT hr = IBackgroundCopyJob_GetOwner(job, &owner);
    return print_string(ctx, "reading the owner", hr, owner);
}

ADMIN_VERB(admin_verb_getdisplayname)
{
    WCHAR *name = NULL;
    HRESULT hr = IBackgroundCopyJob_GetDisplayName(job, &name);
    return print_string(ctx, "reading the display name", hr, name);
}

ADMIN_VERB(admin_verb_setdisplayname)
{
    return report(ctx, "setting the display name", IBackgroundCopyJob_SetDisplayName(job, cmd->args[0]),
                  "Display name set.");
}

ADMIN_VERB(admin_verb_getdescription)
{
    WCHAR *text = NULL;
    HRESULT hr = IBackgroundCopyJob_GetDescription(job, &text);
    return print_string(ctx, "reading the description", hr, text);
}

ADMIN_VERB(admin_verb_setdescription)
{
    return report(ctx, "setting the description", IBackgroundCopyJob_SetDescription(job, cmd->args[0]),
                  "Description set.");
}

ADMIN_VERB(admin_verb_getpriority)
{
    BG_JOB_PRIORITY priority;
    HRESULT hr = IBackgroundCopyJob_GetPriority(job, &priority);
    return report(ctx, "reading the priority", hr, SUCCEEDED(hr) ? admin_priority_name(priority) : "");
}

ADMIN_VERB(admin_verb_setpriority)
{
    HRESULT hr = IBackgroundCopyJob_SetPriority(job, (BG_JOB_PRIORITY)cmd->numbers[0]);
    if (FAILED(hr)) return admin_check(ctx, "setting the priority", hr);
    printf("Priority set to %s.\n", admin_priority_name((BG_JOB_PRIORITY)cmd->numbers[0]));
    return ADMIN_EXIT_OK;
}

ADMIN_VERB(admin_verb_getnotifyflags)
{
    ULONG flags = 0;
    HRESULT hr = IBackgroundCopyJob_GetNotifyFlags(job, &flags);
    return print_ulong(ctx, "reading the notify flags", hr, flags);
}

ADMIN_VERB(admin_verb_setnotifyflags)
{
    HRESULT hr = IBackgroundCopyJob_SetNotifyFlags(job, cmd->numbers[0]);
    if (FAILED(hr)) return admin_check(ctx, "setting the notify flags", hr);
    printf("Notify flags set to %lu.\n", cmd->numbers[0]);
    return ADMIN_EXIT_OK;
}

ADMIN_VERB(admin_verb_getnotifyinterface)
{
    IUnknown *callback = NULL;
    HRESULT hr = IBackgroundCopyJob_GetNotifyInterface(job, &callback);

    if (FAILED(hr)) return admin_check(ctx, "reading the notify interface", hr);
    printf("%s\n", callback ? "REGISTERED" : "UNREGISTERED");
    if (callback) IUnknown_Release(callback);
    return ADMIN_EXIT_OK;
}

ADMIN_VERB(admin_verb_getminretrydelay)
{
    ULONG seconds = 0;
    HRESULT hr = IBackgroundCopyJob_GetMinimumRetryDelay(job, &seconds);
    return print_ulong(ctx, "reading the retry delay", hr, seconds);
}

ADMIN_VERB(admin_verb_setminretrydelay)
{
    HRESULT hr = IBackgroundCopyJob_SetMinimumRetryDelay(job, cmd->numbers[0]);
    if (FAILED(hr)) return admin_check(ctx, "setting the retry delay", hr);
    printf("Minimum retry delay set to %lu seconds.\n", cmd->numbers[0]);
    return ADMIN_EXIT_OK;
}

ADMIN_VERB(admin_verb_getnoprogresstimeout)
{
    ULONG seconds = 0;
    HRESULT hr = IBackgroundCopyJob_GetNoProgressTimeout(job, &seconds);
    return print_ulong(ctx, "reading the no-progress timeout", hr, seconds);
}

ADMIN_VERB(admin_verb_setnoprogresstimeout)
{
    HRESULT hr = IBackgroundCopyJob_SetNoProgressTimeout(job, cmd->numbers[0]);
    if (FAILED(hr)) return admin_check(ctx, "setting the no-progress timeout", hr);
    printf("No-progress timeout set to %lu seconds.\n", cmd->numbers[0]);
    return ADMIN_EXIT_OK;
}

/* 0: usage, 1: proxy list, 2: bypass list. */
static int print_proxy_field(struct admin_context *ctx, IBackgroundCopyJob *job, int field)
{
    BG_JOB_PROXY_USAGE usage;
    WCHAR *list = NULL, *bypass = NULL, *value;
    HRESULT hr = IBackgroundCopyJob_GetProxySettings(job, &usage, &list, &bypass);

    if (FAILED(hr)) return admin_check(ctx, "reading the proxy settings", hr);
    value = field == 1 ? list : bypass;
    if (field == 0) printf("%s\n", admin_proxy_usage_name(usage));
    else printf("%ls\n", value && *value ? value : L"NULL");
    CoTaskMemFree(list);
    CoTaskMemFree(bypass);
    return ADMIN_EXIT_OK;
}

ADMIN_VERB(admin_verb_getproxyusage) { return print_proxy_field(ctx, job, 0); }
ADMIN_VERB(admin_verb_getproxylist) { return print_proxy_field(ctx, job, 1); }
ADMIN_VERB(admin_verb_getproxybypasslist) { return print_proxy_field(ctx, job, 2); }

/* bitsadmin's "NULL" bypass list means none. */
static const WCHAR *optional_text(const WCHAR *arg)
{
    return arg && _wcsicmp(arg, L"NULL") ? arg : NULL;
}

ADMIN_VERB(admin_verb_setproxysettings)
{
    BG_JOB_PROXY_USAGE usage = (BG_JOB_PROXY_USAGE)cmd->numbers[0];
    HRESULT hr = IBackgroundCopyJob_SetProxySettings(job, usage, optional_text(cmd->args[1]), optional_text(cmd->args[2]));
    if (FAILED(hr)) return admin_check(ctx, "setting the proxy", hr);
    printf("Proxy usage set to %s.\n", admin_proxy_usage_name(usage));
    return ADMIN_EXIT_OK;
}

static int change_credentials(struct admin_context *ctx, IBackgroundCopyJob *job, const struct admin_command *cmd,
                              BOOL set)
{
    BG_AUTH_CREDENTIALS credentials;
    IBackgroundCopyJob2 *job2;
    HRESULT hr;

    if (FAILED(hr = IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJob2, (void **)&job2)))
        return admin_check(ctx, "reaching IBackgroundCopyJob2", hr);
    memset(&credentials, 0, sizeof(credentials));
    credentials.Target = (BG_AUTH_TARGET)cmd->numbers[0];
    credentials.Scheme = (BG_AUTH_SCHEME)cmd->numbers[1];
    credentials.Credentials.Basic.UserName = (WCHAR *)cmd->args[2];
    credentials.Credentials.Basic.Password = (WCHAR *)cmd->args[3];
    hr = set ? IBackgroundCopyJob2_SetCredentials(job2, &credentials)
             : IBackgroundCopyJob2_RemoveCredentials(job2, credentials.Target, credentials.Scheme);
    IBackgroundCopyJob2_Release(job2);
    if (FAILED(hr)) return admin_check(ctx, set ? "setting the credentials" : "removing the credentials", hr);
    printf(set ? "Credentials set.\n" : "Credentials removed.\n");
    return ADMIN_EXIT_OK;
}

ADMIN_VERB(admin_verb_setcredentials) { return change_credentials(ctx, job, cmd, TRUE); }
ADMIN_VERB(admin_verb_removecredentials) { return change_credentials(ctx, job, cmd, FALSE); }

ADMIN_VERB(admin_verb_getnotifycmdline)
{
    IBackgroundCopyJob2 *job2;
    WCHAR *program = NULL, *parameters = NULL;
    HRESULT hr;
    int status;

    if ((status = with_job2(ctx, job, &job2))) return status;
    hr = IBackgroundCopyJob2_GetNotifyCmdLine(job2, &program, &parameters);
    IBackgroundCopyJob2_Release(job2);
    if (FAILED(hr)) return admin_check(ctx, "reading the notify command line", hr);
    if (!program || !*program) printf("none\n");
    else printf("%ls %ls\n", program, parameters ? parameters : L"");
    CoTaskMemFree(program);
    CoTaskMemFree(parameters);
    return ADMIN_EXIT_OK;
}

/* bitsadmin's NULL: no program, no parameters. */
static const WCHAR *null_word(const WCHAR *arg)
{
    return _wcsicmp(arg, L"NULL") ? arg : NULL;
}

ADMIN_VERB(admin_verb_setnotifycmdline)
{
    IBackgroundCopyJob2 *job2;
    HRESULT hr;
    int status;

    if ((status = with_job2(ctx, job, &job2))) return status;
    hr = IBackgroundCopyJob2_SetNotifyCmdLine(job2, null_word(cmd->args[0]), null_word(cmd->args[1]));
    IBackgroundCopyJob2_Release(job2);
    return report(ctx, "setting the notify command line", hr, "Notify command line set.");
}

ADMIN_VERB(admin_verb_getreplyfilename)
{
    IBackgroundCopyJob2 *job2;
    WCHAR *name = NULL;
    HRESULT hr;
    int status;

    if ((status = with_job2(ctx, job, &job2))) return status;
    hr = IBackgroundCopyJob2_GetReplyFileName(job2, &name);
    IBackgroundCopyJob2_Release(job2);
    if (SUCCEEDED(hr) && !name)
    {
        printf("none\n");
        return ADMIN_EXIT_OK;
    }
    return print_string(ctx, "reading the reply file name (upload-reply jobs only)", hr, name);
}

ADMIN_VERB(admin_verb_setreplyfilename)
{
    IBackgroundCopyJob2 *job2;
    HRESULT hr;
    int status;

    if ((status = with_job2(ctx, job, &job2))) return status;
    hr = IBackgroundCopyJob2_SetReplyFileName(job2, null_word(cmd->args[0]));
    IBackgroundCopyJob2_Release(job2);
    return report(ctx, "setting the reply file name", hr, "Reply file name set.");
}

ADMIN_VERB(admin_verb_getreplyprogress)
{
    IBackgroundCopyJob2 *job2;
    BG_JOB_REPLY_PROGRESS progress;
    HRESULT hr;
    int status, percent;

    if ((status = with_job2(ctx, job, &job2))) return status;
    hr = IBackgroundCopyJob2_GetReplyProgress(job2, &progress);
    IBackgroundCopyJob2_Release(job2);
    if (FAILED(hr)) return admin_check(ctx, "reading the reply progress (upload-reply jobs only)", hr);
    percent = admin_percent(progress.BytesTransferred, progress.BytesTotal);
    printf("REPLY: ");
    admin_print_bytes(progress.BytesTransferred);
    printf(" / ");
    admin_print_bytes(progress.BytesTotal);
    if (percent >= 0) printf(" (%d%%)\n", percent);
    else printf(" (not started)\n");
    return ADMIN_EXIT_OK;
}
