/* openbits-admin: verbs about this process's queue (/create, /list,
 * /monitor, /reset), /info and /listfiles, and the help verbs. */
#include "verbs.h"
#include "format.h"

#define MONITOR_DEFAULT_REFRESH 5

ADMIN_VERB(admin_verb_help)
{
    admin_print_usage(stdout);
    return ADMIN_EXIT_OK;
}

ADMIN_VERB(admin_verb_util)
{
    if (cmd->help_version) admin_print_version(cmd->verbose);
    else admin_print_usage(stdout);
    return ADMIN_EXIT_OK;
}

ADMIN_VERB(admin_verb_create)
{
    IBackgroundCopyJob *created;
    GUID id;
    HRESULT hr = IBackgroundCopyManager_CreateJob(ctx->manager, cmd->job, cmd->type, &id, &created);

    if (FAILED(hr)) return admin_check(ctx, "creating the job", hr);
    printf("Created job ");
    admin_print_guid(&id);
    printf(".\n");
    IBackgroundCopyJob_Release(created);
    return ADMIN_EXIT_OK;
}

static void print_file(IBackgroundCopyFile *file)
{
    BG_FILE_PROGRESS progress = { 0 };
    WCHAR *remote = NULL, *local = NULL;

    IBackgroundCopyFile_GetProgress(file, &progress);
    IBackgroundCopyFile_GetRemoteName(file, &remote);
    IBackgroundCopyFile_GetLocalName(file, &local);
    admin_print_bytes(progress.BytesTransferred);
    printf(" / ");
    admin_print_bytes(progress.BytesTotal);
    printf(" %s %ls -> %ls\n", progress.Completed ? "COMPLETE" : "WORKING", remote ? remote : L"",
           local ? local : L"");
    CoTaskMemFree(remote);
    CoTaskMemFree(local);
}

/* Every file of the job, one line each; the number listed. */
static int print_files(struct admin_context *ctx, IBackgroundCopyJob *job, const char *indent, ULONG *count)
{
    IEnumBackgroundCopyFiles *files;
    IBackgroundCopyFile *file;
    HRESULT hr = IBackgroundCopyJob_EnumFiles(job, &files);

    *count = 0;
    if (FAILED(hr)) return admin_check(ctx, "listing the files", hr);
    while (IEnumBackgroundCopyFiles_Next(files, 1, &file, NULL) == S_OK)
    {
        printf("%s", indent);
        print_file(file);
        IBackgroundCopyFile_Release(file);
        (*count)++;
    }
    IEnumBackgroundCopyFiles_Release(files);
    return ADMIN_EXIT_OK;
}

ADMIN_VERB(admin_verb_listfiles)
{
    ULONG count;
    int status = print_files(ctx, job, "", &count);
    if (!status) printf("Listed %lu file(s).\n", count);
    return status;
}

static void print_field_string(const char *label, HRESULT hr, WCHAR *value)
{
    printf("%-26s%ls\n", label, SUCCEEDED(hr) && value ? value : L"");
    CoTaskMemFree(value);
}

static void print_times(IBackgroundCopyJob *job)
{
    BG_JOB_TIMES times;
    char text[40];

    if (FAILED(IBackgroundCopyJob_GetTimes(job, &times))) return;
    admin_format_time(&times.CreationTime, text, sizeof(text));
    printf("%-26s%s\n", "CREATION TIME:", text);
    admin_format_time(&times.ModificationTime, text, sizeof(text));
    printf("%-26s%s\n", "MODIFICATION TIME:", text);
    admin_format_time(&times.TransferCompletionTime, text, sizeof(text));
    printf("%-26s%s\n", "COMPLETION TIME:", text);
}

static void print_settings(IBackgroundCopyJob *job)
{
    ULONG flags = 0, delay = 0, timeout = 0, errors = 0;
    BG_JOB_PRIORITY priority = BG_JOB_PRIORITY_NORMAL;
    BG_JOB_PROXY_USAGE usage = BG_JOB_PROXY_USAGE_PRECONFIG;
    WCHAR *list = NULL, *bypass = NULL;
    IUnknown *callback = NULL;

    IBackgroundCopyJob_GetPriority(job, &priority);
    IBackgroundCopyJob_GetNotifyFlags(job, &flags);
    IBackgroundCopyJob_GetMinimumRetryDelay(job, &delay);
    IBackgroundCopyJob_GetNoProgressTimeout(job, &timeout);
    IBackgroundCopyJob_GetErrorCount(job, &errors);
    IBackgroundCopyJob_GetNotifyInterface(job, &callback);
    printf("%-26s%s\n", "PRIORITY:", admin_priority_name(priority));
    printf("%-26s%s\n", "NOTIFY INTERFACE:", callback ? "REGISTERED" : "UNREGISTERED");
    printf("%-26s%lu\n", "NOTIFICATION FLAGS:", flags);
    printf("%-26s%lu\n", "RETRY DELAY:", delay);
    printf("%-26s%lu\n", "NO PROGRESS TIMEOUT:", timeout);
    printf("%-26s%lu\n", "ERROR COUNT:", errors);
    if (callback) IUnknown_Release(callback);
    if (SUCCEEDED(IBackgroundCopyJob_GetProxySettings(job, &usage, &list, &bypass)))
    {
        printf("%-26s%s\n", "PROXY USAGE:", admin_proxy_usage_name(usage));
        printf("%-26s%ls\n", "PROXY LIST:", list && *list ? list : L"NULL");
        printf("%-26s%ls\n", "PROXY BYPASS LIST:", bypass && *bypass ? bypass : L"NULL");
        CoTaskMemFree(list);
        CoTaskMemFree(bypass);
    }
}

static void print_job2_fields(IBackgroundCopyJob *job, BG_JOB_TYPE type)
{
    IBackgroundCopyJob2 *job2;
    WCHAR *program = NULL, *parameters = NULL, *reply = NULL;

    if (FAILED(IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJob2, (void **)&job2))) return;
    if (SUCCEEDED(IBackgroundCopyJob2_GetNotifyCmdLine(job2, &program, &parameters)) && program && *program)
        printf("%-26s%ls %ls\n", "NOTIFY COMMAND LINE:", program, parameters ? parameters : L"");
    else
        printf("%-26s%s\n", "NOTIFY COMMAND LINE:", "none");
    if (type == BG_JOB_TYPE_UPLOAD_REPLY && SUCCEEDED(IBackgroundCopyJob2_GetReplyFileName(job2, &reply)))
        printf("%-26s%ls\n", "REPLY FILE:", reply ? reply : L"none");
    CoTaskMemFree(program);
    CoTaskMemFree(parameters);
    CoTaskMemFree(reply);
    IBackgroundCopyJob2_Release(job2);
}

static void print_verbose(struct admin_context *ctx, IBackgroundCopyJob *job)
{
    BG_JOB_TYPE type = BG_JOB_TYPE_DOWNLOAD;
    BG_JOB_STATE state = BG_JOB_STATE_QUEUED;
    WCHAR *text = NULL;
    GUID id;
    ULONG count;
    HRESULT hr;

    IBackgroundCopyJob_GetId(job, &id);
    IBackgroundCopyJob_GetType(job, &type);
    IBackgroundCopyJob_GetState(job, &state);
    printf("%-26s", "GUID:");
    admin_print_guid(&id);
    printf("\n");
    hr = IBackgroundCopyJob_GetDisplayName(job, &text);
    print_field_string("DISPLAY:", hr, text);
    printf("%-26s%s\n%-26s%s\n", "TYPE:", admin_type_name(type), "STATE:", admin_state_name(state));
    hr = IBackgroundCopyJob_GetOwner(job, &text);
    print_field_string("OWNER:", hr, text);
    print_settings(job);
    print_times(job);
    hr = IBackgroundCopyJob_GetDescription(job, &text);
    print_field_string("DESCRIPTION:", hr, text);
    print_job2_fields(job, type);
    if (state == BG_JOB_STATE_ERROR || state == BG_JOB_STATE_TRANSIENT_ERROR) admin_print_job_error(job, stdout);
    printf("JOB FILES:\n");
    print_files(ctx, job, "    ", &count);
}

ADMIN_VERB(admin_verb_info)
{
    admin_print_job_summary(job);
    if (cmd->verbose) print_verbose(ctx, job);
    return ADMIN_EXIT_OK;
}

static HRESULT enum_jobs(struct admin_context *ctx, BOOL allusers, IEnumBackgroundCopyJobs **jobs)
{
    return IBackgroundCopyManager_EnumJobs(ctx->manager, allusers ? BG_JOB_ENUM_ALL_USERS : 0, jobs);
}

static BOOL is_active(BG_JOB_STATE state)
{
    return state == BG_JOB_STATE_QUEUED || state == BG_JOB_STATE_CONNECTING ||
           state == BG_JOB_STATE_TRANSFERRING || state == BG_JOB_STATE_TRANSIENT_ERROR;
}

/* Lists the jobs; *active counts those still queued or transferring. */
static int list_jobs(struct admin_context *ctx, BOOL allusers, BOOL verbose, ULONG *listed, ULONG *active)
{
    IEnumBackgroundCopyJobs *jobs;
    IBackgroundCopyJob *job;
    BG_JOB_STATE state;
    HRESULT hr = enum_jobs(ctx, allusers, &jobs);

    *listed = *active = 0;
    if (FAILED(hr)) return admin_check(ctx, "listing the jobs", hr);
    while (IEnumBackgroundCopyJobs_Next(jobs, 1, &job, NULL) == S_OK)
    {
        if (verbose)
        {
            print_verbose(ctx, job);
            printf("\n");
        }
        else admin_print_job_summary(job);
        if (SUCCEEDED(IBackgroundCopyJob_GetState(job, &state)) && is_active(state)) (*active)++;
        IBackgroundCopyJob_Release(job);
        (*listed)++;
    }
    IEnumBackgroundCopyJobs_Release(jobs);
    return ADMIN_EXIT_OK;
}

ADMIN_VERB(admin_verb_list)
{
    ULONG listed, active;
    int status = list_jobs(ctx, cmd->allusers, cmd->verbose, &listed, &active);
    if (!status) printf("Listed %lu job(s)%s.\n", listed, ADMIN_SCOPE(ctx));
    return status;
}

static void print_clock(void)
{
    SYSTEMTIME now;
    GetLocalTime(&now);
    printf("%02u:%02u:%02u", now.wHour, now.wMinute, now.wSecond);
}

/* Monitoring ends once nothing can change by itself: no job is queued,
 * connecting, transferring or retrying. */
ADMIN_VERB(admin_verb_monitor)
{
    ULONG refresh = cmd->refresh ? cmd->refresh : MONITOR_DEFAULT_REFRESH, listed, active, waited;
    int status;

    for (;;)
    {
        printf("Jobs%s at ", ADMIN_SCOPE(ctx));
        print_clock();
        printf(" (refreshed every %lu s):\n", refresh);
        if ((status = list_jobs(ctx, cmd->allusers, FALSE, &listed, &active))) return status;
        fflush(stdout);
        if (!active)
        {
            printf("No job is queued or transferring: nothing more to monitor.\n");
            return ADMIN_EXIT_OK;
        }
        for (waited = 0; waited < refresh * 10; waited++)
        {
            if (admin_interrupted()) return ADMIN_EXIT_INTERRUPTED;
            Sleep(100);
        }
    }
}

ADMIN_VERB(admin_verb_reset)
{
    IEnumBackgroundCopyJobs *jobs;
    IBackgroundCopyJob *each;
    ULONG total = 0, cancelled = 0;
    HRESULT hr = enum_jobs(ctx, cmd->allusers, &jobs);

    if (FAILED(hr)) return admin_check(ctx, "listing the jobs", hr);
    while (IEnumBackgroundCopyJobs_Next(jobs, 1, &each, NULL) == S_OK)
    {
        total++;
        if (SUCCEEDED(IBackgroundCopyJob_Cancel(each))) cancelled++;
        IBackgroundCopyJob_Release(each);
    }
    IEnumBackgroundCopyJobs_Release(jobs);
    printf("Cancelled %lu of %lu job(s).\n", cancelled, total);
    return cancelled == total ? ADMIN_EXIT_OK : ADMIN_EXIT_FAILED;
}
