/* openbits-admin: a bitsadmin-compatible command line over openbits' public
 * COM API.  Parses the whole command line first (a bad one does nothing),
 * then runs its commands in order.  Jobs are openbits-host's shared queue
 * (CLSCTX_LOCAL_SERVER), so they outlive the command; a leading /inproc
 * uses a private in-process queue instead, whose jobs end with the command. */
#include "verbs.h"

static BOOL stdout_is_console(void)
{
    DWORD mode;
    return GetConsoleMode(GetStdHandle(STD_OUTPUT_HANDLE), &mode);
}

static BOOL needs_manager(const struct admin_commands *commands)
{
    int i;
    for (i = 0; i < commands->count; i++)
    {
        admin_verb_fn run = commands->items[i].verb->run;
        if (run != admin_verb_help && run != admin_verb_util) return TRUE;
    }
    return FALSE;
}

static int create_manager(struct admin_context *ctx)
{
    HRESULT hr = CoCreateInstance(&CLSID_OpenBitsManager, NULL, ctx->inproc ? CLSCTX_INPROC_SERVER : CLSCTX_LOCAL_SERVER,
                                  &IID_IBackgroundCopyManager, (void **)&ctx->manager);
    if (SUCCEEDED(hr)) return ADMIN_EXIT_OK;
    ctx->manager = NULL;
    fprintf(stderr, ADMIN_NAME ": cannot create the openbits manager (0x%08lX): is openbits.dll registered "
            "(regsvr32 openbits.dll)?\n", (unsigned long)hr);
    return ADMIN_EXIT_NO_SERVER;
}

static int run_command(struct admin_context *ctx, const struct admin_command *cmd)
{
    IBackgroundCopyJob *job = NULL;
    int status;

    if (cmd->verb->shape != SHAPE_JOB) return cmd->verb->run(ctx, NULL, cmd);
    if ((status = admin_find_job(ctx, cmd->job, &job))) return status;
    status = cmd->verb->run(ctx, job, cmd);
    IBackgroundCopyJob_Release(job);
    return status;
}

/* /inproc: the queue ends with this process, so a job still here at exit
 * could never be completed: cancel it, so that its temporary files do not stay. */
static void cancel_leftover_jobs(struct admin_context *ctx)
{
    IEnumBackgroundCopyJobs *jobs;
    IBackgroundCopyJob *job;
    WCHAR *name;

    if (FAILED(IBackgroundCopyManager_EnumJobs(ctx->manager, 0, &jobs))) return;
    while (IEnumBackgroundCopyJobs_Next(jobs, 1, &job, NULL) == S_OK)
    {
        name = NULL;
        IBackgroundCopyJob_GetDisplayName(job, &name);
        IBackgroundCopyJob_Cancel(job);
        fprintf(stderr, ADMIN_NAME ": job \"%ls\" was cancelled at exit: with /inproc jobs end with the command; "
                "/complete it on the same command line, or leave out /inproc\n",
                name ? name : L"");
        CoTaskMemFree(name);
        IBackgroundCopyJob_Release(job);
    }
    IEnumBackgroundCopyJobs_Release(jobs);
}

static int run_all(const struct admin_commands *commands)
{
    struct admin_context ctx = { NULL, stdout_is_console(), commands->inproc };
    int i, status = ADMIN_EXIT_OK;

    if (needs_manager(commands) && (status = create_manager(&ctx))) return status;
    admin_watch_interrupt();
    for (i = 0; i < commands->count && !status; i++)
    {
        fflush(stdout);
        status = run_command(&ctx, &commands->items[i]);
    }
    fflush(stdout);
    if (ctx.manager)
    {
        if (ctx.inproc)
        {
            cancel_leftover_jobs(&ctx);
            admin_do_abort_leftovers(&ctx);
        }
        IBackgroundCopyManager_Release(ctx.manager);
    }
    return status;
}

int wmain(int argc, WCHAR **argv)
{
    struct admin_commands commands;
    int status = admin_parse(argc, argv, &commands);

    if (!status)
    {
        if (FAILED(CoInitializeEx(NULL, COINIT_MULTITHREADED)))
        {
            fprintf(stderr, ADMIN_NAME ": COM could not be initialised\n");
            status = ADMIN_EXIT_FAILED;
        }
        else
        {
            status = run_all(&commands);
            CoUninitialize();
        }
    }
    admin_commands_free(&commands);
    return status;
}
