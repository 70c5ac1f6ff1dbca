/* openbits-admin: error output.  Every description of a code comes from
 * openbits (IBackgroundCopyManager::GetErrorDescription or
 * IBackgroundCopyError's), so the texts are the DLL's message table. */
#include "admin.h"

/* Descriptions end with a line break; we place our own. */
static void trim(WCHAR *text)
{
    size_t n = text ? wcslen(text) : 0;
    while (n && (text[n - 1] == '\n' || text[n - 1] == '\r' || text[n - 1] == ' ')) text[--n] = 0;
}

static void print_described(FILE *to, const char *label, HRESULT code, WCHAR *description)
{
    trim(description);
    fprintf(to, "%s0x%08lX - %ls\n", label, (unsigned long)code, description ? description : L"(no description)");
}

void admin_print_hresult(struct admin_context *ctx, const char *what, HRESULT hr)
{
    WCHAR *text = NULL;

    if (!ctx->manager || FAILED(IBackgroundCopyManager_GetErrorDescription(ctx->manager, hr, ADMIN_LANG, &text)))
        text = NULL;
    trim(text);
    fprintf(stderr, ADMIN_NAME ": %s failed: 0x%08lX - %ls\n", what, (unsigned long)hr,
            text ? text : L"(no description)");
    CoTaskMemFree(text);
}

static void print_error_file(IBackgroundCopyError *error, FILE *to)
{
    IBackgroundCopyFile *file;
    WCHAR *remote = NULL, *local = NULL;

    if (FAILED(IBackgroundCopyError_GetFile(error, &file))) return;
    IBackgroundCopyFile_GetRemoteName(file, &remote);
    IBackgroundCopyFile_GetLocalName(file, &local);
    fprintf(to, "ERROR FILE:    %ls -> %ls\n", remote ? remote : L"?", local ? local : L"?");
    CoTaskMemFree(remote);
    CoTaskMemFree(local);
    IBackgroundCopyFile_Release(file);
}

HRESULT admin_print_job_error(IBackgroundCopyJob *job, FILE *to)
{
    IBackgroundCopyError *error;
    BG_ERROR_CONTEXT context;
    WCHAR *description = NULL, *context_description = NULL;
    HRESULT code, hr;

    if (FAILED(hr = IBackgroundCopyJob_GetError(job, &error))) return hr;
    IBackgroundCopyError_GetError(error, &context, &code);
    IBackgroundCopyError_GetErrorDescription(error, ADMIN_LANG, &description);
    IBackgroundCopyError_GetErrorContextDescription(error, ADMIN_LANG, &context_description);
    print_error_file(error, to);
    print_described(to, "ERROR CODE:    ", code, description);
    print_described(to, "ERROR CONTEXT: ", (HRESULT)context, context_description);
    CoTaskMemFree(description);
    CoTaskMemFree(context_description);
    IBackgroundCopyError_Release(error);
    return S_OK;
}
