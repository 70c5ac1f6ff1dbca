/* openbits-admin: finding a job by display name or {GUID}, in openbits-host's
 * queue (or, with /inproc, among the jobs made earlier on this command line). */
#include "admin.h"

BOOL admin_is_guid(const WCHAR *text)
{
    GUID id;
    return wcslen(text) == 38 && text[0] == '{' && SUCCEEDED(IIDFromString(text, &id));
}

void admin_print_guid(const GUID *id)
{
    WCHAR text[40];
    StringFromGUID2(id, text, ARRAYSIZE(text));
    printf("%ls", text);
}

static void print_not_found(struct admin_context *ctx, const WCHAR *name)
{
    if (ctx->inproc)
        fprintf(stderr, ADMIN_NAME ": job \"%ls\" was not found: with /inproc, jobs live only in the process "
                "that created them\n", name);
    else
        fprintf(stderr, ADMIN_NAME ": job \"%ls\" was not found\n", name);
}

static BOOL has_display_name(IBackgroundCopyJob *job, const WCHAR *name)
{
    WCHAR *display = NULL;
    BOOL same = SUCCEEDED(IBackgroundCopyJob_GetDisplayName(job, &display)) && display && !wcscmp(display, name);
    CoTaskMemFree(display);
    return same;
}

/* The one job of this user with that display name: S_OK, BG_E_NOT_FOUND, or
 * S_FALSE when several share it. */
static HRESULT find_by_name(struct admin_context *ctx, const WCHAR *name, IBackgroundCopyJob **found)
{
    IEnumBackgroundCopyJobs *jobs;
    IBackgroundCopyJob *job;
    HRESULT hr;
    int matches = 0;

    *found = NULL;
    if (FAILED(hr = IBackgroundCopyManager_EnumJobs(ctx->manager, 0, &jobs))) return hr;
    while (IEnumBackgroundCopyJobs_Next(jobs, 1, &job, NULL) == S_OK)
    {
        if (has_display_name(job, name) && !matches++) *found = job;
        else IBackgroundCopyJob_Release(job);
    }
    IEnumBackgroundCopyJobs_Release(jobs);
    if (matches == 1) return S_OK;
    if (*found) IBackgroundCopyJob_Release(*found);
    *found = NULL;
    return matches ? S_FALSE : BG_E_NOT_FOUND;
}

int admin_find_job(struct admin_context *ctx, const WCHAR *name_or_id, IBackgroundCopyJob **job)
{
    GUID id;
    HRESULT hr;

    if (admin_is_guid(name_or_id) && SUCCEEDED(IIDFromString(name_or_id, &id)))
        hr = IBackgroundCopyManager_GetJob(ctx->manager, &id, job);
    else
        hr = find_by_name(ctx, name_or_id, job);
    if (hr == S_OK) return ADMIN_EXIT_OK;
    if (hr == S_FALSE)
    {
        fprintf(stderr, ADMIN_NAME ": several jobs are named \"%ls\": name the one you mean by its {GUID}\n",
                name_or_id);
        return ADMIN_EXIT_NO_JOB;
    }
    if (hr == BG_E_NOT_FOUND)
    {
        print_not_found(ctx, name_or_id);
        return ADMIN_EXIT_NO_JOB;
    }
    admin_print_hresult(ctx, "looking up the job", hr);
    return ADMIN_EXIT_FAILED;
}
