/* openbits-admin: /transfer (bitsadmin's whole transfer in one process:
 * create, add files, resume, show progress, complete) and /wait. */
#include "verbs.h"
#include "progress_display.h"

#define POLL_MS 200

static BOOL is_settled(BG_JOB_STATE state)
{
    return state == BG_JOB_STATE_TRANSFERRED || state == BG_JOB_STATE_ERROR || state == BG_JOB_STATE_SUSPENDED ||
           state == BG_JOB_STATE_ACKNOWLEDGED || state == BG_JOB_STATE_CANCELLED;
}

static int settled_status(IBackgroundCopyJob *job, BG_JOB_STATE state)
{
    switch (state)
    {
    case BG_JOB_STATE_TRANSFERRED:
        return ADMIN_EXIT_OK;
    case BG_JOB_STATE_ERROR:
        fprintf(stderr, ADMIN_NAME ": the transfer failed:\n");
        admin_print_job_error(job, stderr);
        return ADMIN_EXIT_FAILED;
    default:
        fprintf(stderr, ADMIN_NAME ": the job stopped before it was transferred: it is %s\n",
                admin_state_name(state));
        return ADMIN_EXIT_FAILED;
    }
}

int admin_follow_job(struct admin_context *ctx, IBackgroundCopyJob *job)
{
    struct admin_display display;
    BG_JOB_STATE state;

    admin_display_start(&display, job, ctx->console);
    while (SUCCEEDED(IBackgroundCopyJob_GetState(job, &state)) && !is_settled(state) && !admin_interrupted())
    {
        admin_display_update(&display, FALSE);
        Sleep(POLL_MS);
    }
    state = admin_display_update(&display, TRUE);
    admin_display_end(&display);
    if (admin_interrupted() && !is_settled(state)) return ADMIN_EXIT_INTERRUPTED;
    return settled_status(job, state);
}

ADMIN_VERB(admin_wait)
{
    BG_JOB_STATE state;
    HRESULT hr = IBackgroundCopyJob_GetState(job, &state);

    if (FAILED(hr)) return admin_check(ctx, "reading the state", hr);
    if (state == BG_JOB_STATE_SUSPENDED)
    {
        fprintf(stderr, ADMIN_NAME ": /wait: the job is SUSPENDED; /resume it first\n");
        return ADMIN_EXIT_FAILED;
    }
    return admin_follow_job(ctx, job);
}

static void print_start(IBackgroundCopyJob *job, const struct admin_command *cmd)
{
    GUID id;
    BG_JOB_PRIORITY priority = BG_JOB_PRIORITY_NORMAL;

    IBackgroundCopyJob_GetId(job, &id);
    IBackgroundCopyJob_GetPriority(job, &priority);
    printf("Transferring %d file(s) in job '%ls' ", cmd->pair_count / 2, cmd->job);
    admin_print_guid(&id);
    printf(" (%s, priority %s).\n", admin_type_name(cmd->type), admin_priority_name(priority));
    fflush(stdout);
}

/* Priority and files; on failure the job is cancelled, so nothing stays. */
static int set_up(struct admin_context *ctx, IBackgroundCopyJob *job, const struct admin_command *cmd)
{
    HRESULT hr;
    int i;

    if (cmd->has_priority && FAILED(hr = IBackgroundCopyJob_SetPriority(job, cmd->priority)))
        return admin_check(ctx, "setting the priority", hr);
    for (i = 0; i + 1 < cmd->pair_count; i += 2)
    {
        if (FAILED(hr = IBackgroundCopyJob_AddFile(job, cmd->pairs[i], cmd->pairs[i + 1])))
        {
            fprintf(stderr, ADMIN_NAME ": cannot add %ls -> %ls\n", cmd->pairs[i], cmd->pairs[i + 1]);
            return admin_check(ctx, "adding the file", hr);
        }
    }
    return admin_check(ctx, "resuming the job", IBackgroundCopyJob_Resume(job));
}

static void print_reply_file(IBackgroundCopyJob *job)
{
    IBackgroundCopyJob2 *job2;
    WCHAR *name = NULL;

    if (FAILED(IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJob2, (void **)&job2))) return;
    if (SUCCEEDED(IBackgroundCopyJob2_GetReplyFileName(job2, &name)) && name) printf("Reply file: %ls\n", name);
    CoTaskMemFree(name);
    IBackgroundCopyJob2_Release(job2);
}

static int complete(struct admin_context *ctx, IBackgroundCopyJob *job, const struct admin_command *cmd)
{
    HRESULT hr;

    /* The reply file's name is known before Complete; it exists after. */
    if (cmd->type == BG_JOB_TYPE_UPLOAD_REPLY) print_reply_file(job);
    hr = IBackgroundCopyJob_Complete(job);
    if (hr != S_OK)
    {
        admin_print_hresult(ctx, "completing the job", hr);
        return ADMIN_EXIT_FAILED;
    }
    printf("Transfer complete.\n");
    return ADMIN_EXIT_OK;
}

int admin_transfer(struct admin_context *ctx, IBackgroundCopyJob *unused, const struct admin_command *cmd)
{
    IBackgroundCopyJob *job;
    GUID id;
    HRESULT hr = IBackgroundCopyManager_CreateJob(ctx->manager, cmd->job, cmd->type, &id, &job);
    int status;

    if (FAILED(hr)) return admin_check(ctx, "creating the job", hr);
    if (!(status = set_up(ctx, job, cmd)))
    {
        print_start(job, cmd);
        status = admin_follow_job(ctx, job);
    }
    if (status == ADMIN_EXIT_INTERRUPTED) fprintf(stderr, ADMIN_NAME ": interrupted: the job was cancelled\n");
    if (!status) status = complete(ctx, job, cmd);
    if (status) IBackgroundCopyJob_Cancel(job);
    IBackgroundCopyJob_Release(job);
    return status;
}
