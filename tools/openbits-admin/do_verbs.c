/* openbits-admin: Delivery Optimization downloads through the public
 * IDOManager/IDODownload API of CLSID_DeliveryOptimization (in openbits-host,
 * or in process with /inproc).  A download is named by its Id ({GUID}). */
#include "verbs.h"
#include "format.h"
#include "progress_display.h"

#define POLL_MS 200

static int do_manager(struct admin_context *ctx, IDOManager **out)
{
    HRESULT hr = CoCreateInstance(&CLSID_DeliveryOptimization, NULL,
                                  ctx->inproc ? CLSCTX_INPROC_SERVER : CLSCTX_LOCAL_SERVER, &IID_IDOManager,
                                  (void **)out);
    if (SUCCEEDED(hr)) return ADMIN_EXIT_OK;
    fprintf(stderr, ADMIN_NAME ": cannot create Delivery Optimization's manager (0x%08lX): is openbits.dll "
            "registered?\n", (unsigned long)hr);
    return ADMIN_EXIT_NO_SERVER;
}

static HRESULT set_text(IDODownload *download, DODownloadProperty id, const WCHAR *text)
{
    VARIANT v;
    HRESULT hr;

    V_VT(&v) = VT_BSTR;
    if (!(V_BSTR(&v) = SysAllocString(text))) return E_OUTOFMEMORY;
    hr = IDODownload_SetProperty(download, id, &v);
    VariantClear(&v);
    return hr;
}

static BSTR get_text(IDODownload *download, DODownloadProperty id)
{
    VARIANT v;
    if (FAILED(IDODownload_GetProperty(download, id, &v))) return NULL;
    if (V_VT(&v) == VT_BSTR) return V_BSTR(&v);
    VariantClear(&v);
    return NULL;
}

/* "TRANSFERRING  42%  1.2 MiB of 3.0 MiB" (no line break). */
static void print_status_line(const DO_DOWNLOAD_STATUS *status)
{
    char done[32], total[32];
    int percent = status->BytesTotal ? admin_percent(status->BytesTransferred, status->BytesTotal) : -1;

    admin_format_size(status->BytesTransferred, done, sizeof(done));
    admin_format_size(status->BytesTotal ? status->BytesTotal : BG_SIZE_UNKNOWN, total, sizeof(total));
    printf("%s  ", admin_do_state_name(status->State));
    if (percent >= 0) printf("%3d%%  ", percent);
    else printf(" --%%  ");
    printf("%s of %s", done, total);
}

static void print_status(struct admin_context *ctx, const DO_DOWNLOAD_STATUS *status)
{
    print_status_line(status);
    printf("\n");
    if (FAILED(status->Error)) admin_print_hresult(ctx, "the download", status->Error);
}

/* Status lines (about once a second) until the download is TRANSFERRED
 * (ADMIN_EXIT_OK), stopped by an error (printed, ADMIN_EXIT_FAILED), or in
 * another state it does not leave by itself. */
static int follow(struct admin_context *ctx, IDODownload *download)
{
    DO_DOWNLOAD_STATUS status;
    ULONGLONG last = 0;
    HRESULT hr;

    for (;;)
    {
        if (FAILED(hr = IDODownload_GetStatus(download, &status))) return admin_check(ctx, "reading the status", hr);
        if (status.State != DODownloadState_Transferring || FAILED(status.Error) || admin_interrupted()) break;
        if (GetTickCount64() - last >= ADMIN_PLAIN_LINE_MS)
        {
            print_status_line(&status);
            printf("\n");
            fflush(stdout);
            last = GetTickCount64();
        }
        Sleep(POLL_MS);
    }
    print_status(ctx, &status);
    if (status.State == DODownloadState_Transferred) return ADMIN_EXIT_OK;
    if (admin_interrupted()) return ADMIN_EXIT_INTERRUPTED;
    if (!FAILED(status.Error))
        fprintf(stderr, ADMIN_NAME ": the download stopped before it was transferred: it is %s\n",
                admin_do_state_name(status.State));
    return ADMIN_EXIT_FAILED;
}

/* A new download of url into local, started. */
static int start_new(struct admin_context *ctx, IDOManager *manager, const struct admin_command *cmd,
                     IDODownload **out)
{
    IDODownload *download;
    HRESULT hr;

    if (FAILED(hr = IDOManager_CreateDownload(manager, &download)))
        return admin_check(ctx, "creating the download", hr);
    if (FAILED(hr = set_text(download, DODownloadProperty_Uri, cmd->args[0])) ||
        FAILED(hr = set_text(download, DODownloadProperty_LocalPath, cmd->args[1])) ||
        FAILED(hr = IDODownload_Start(download, NULL)))
    {
        IDODownload_Abort(download);
        IDODownload_Release(download);
        return admin_check(ctx, "starting the download", hr);
    }
    *out = download;
    return ADMIN_EXIT_OK;
}

ADMIN_VERB(admin_do_download)
{
    IDOManager *manager;
    IDODownload *download;
    BSTR id;
    int status;
    HRESULT hr;

    if ((status = do_manager(ctx, &manager))) return status;
    if (!(status = start_new(ctx, manager, cmd, &download)))
    {
        id = get_text(download, DODownloadProperty_Id);
        printf("Downloading %ls -> %ls (Delivery Optimization download %ls).\n", cmd->args[0], cmd->args[1],
               id ? id : L"?");
        SysFreeString(id);
        fflush(stdout);
        status = follow(ctx, download);
        if (status == ADMIN_EXIT_INTERRUPTED) fprintf(stderr, ADMIN_NAME ": interrupted: the download was aborted\n");
        if (!status && FAILED(hr = IDODownload_Finalize(download))) status = admin_check(ctx, "finalizing", hr);
        if (!status) printf("Download finalized.\n");
        else IDODownload_Abort(download);
        IDODownload_Release(download);
    }
    IDOManager_Release(manager);
    return status;
}

ADMIN_VERB(admin_do_start)
{
    IDOManager *manager;
    IDODownload *download;
    BSTR id;
    int status;

    if ((status = do_manager(ctx, &manager))) return status;
    if (!(status = start_new(ctx, manager, cmd, &download)))
    {
        id = get_text(download, DODownloadProperty_Id);
        printf("%ls\n", id ? id : L"?");
        SysFreeString(id);
        IDODownload_Release(download);
    }
    IDOManager_Release(manager);
    return status;
}

/* The caller's download with that Id. */
static int find_download(struct admin_context *ctx, const WCHAR *id, IDODownload **out)
{
    DO_DOWNLOAD_ENUM_CATEGORY category = { DODownloadProperty_Id, id };
    IEnumUnknown *downloads;
    IDOManager *manager;
    IUnknown *item = NULL;
    HRESULT hr;
    int status;

    *out = NULL;
    if (!admin_is_guid(id))
    {
        fprintf(stderr, ADMIN_NAME ": a download is named by its {GUID}, not \"%ls\"\n", id);
        return ADMIN_EXIT_USAGE;
    }
    if ((status = do_manager(ctx, &manager))) return status;
    hr = IDOManager_EnumDownloads(manager, &category, &downloads);
    IDOManager_Release(manager);
    if (FAILED(hr)) return admin_check(ctx, "listing the downloads", hr);
    if (IEnumUnknown_Next(downloads, 1, &item, NULL) == S_OK)
    {
        hr = IUnknown_QueryInterface(item, &IID_IDODownload, (void **)out);
        IUnknown_Release(item);
    }
    IEnumUnknown_Release(downloads);
    if (*out) return ADMIN_EXIT_OK;
    fprintf(stderr, ADMIN_NAME ": no Delivery Optimization download %ls%s\n", id, ADMIN_SCOPE(ctx));
    return ADMIN_EXIT_NO_JOB;
}

ADMIN_VERB(admin_do_status)
{
    DO_DOWNLOAD_STATUS status;
    IDODownload *download;
    HRESULT hr;
    int code;

    if ((code = find_download(ctx, cmd->args[0], &download))) return code;
    if (SUCCEEDED(hr = IDODownload_GetStatus(download, &status))) print_status(ctx, &status);
    IDODownload_Release(download);
    return admin_check(ctx, "reading the status", hr);
}

ADMIN_VERB(admin_do_wait)
{
    IDODownload *download;
    int code;

    if ((code = find_download(ctx, cmd->args[0], &download))) return code;
    code = follow(ctx, download);
    IDODownload_Release(download);
    return code;
}

ADMIN_VERB(admin_do_finalize)
{
    IDODownload *download;
    HRESULT hr;
    int code;

    if ((code = find_download(ctx, cmd->args[0], &download))) return code;
    hr = IDODownload_Finalize(download);
    IDODownload_Release(download);
    if (SUCCEEDED(hr)) printf("Download finalized.\n");
    return admin_check(ctx, "finalizing the download", hr);
}

ADMIN_VERB(admin_do_abort)
{
    IDODownload *download;
    HRESULT hr;
    int code;

    if ((code = find_download(ctx, cmd->args[0], &download))) return code;
    hr = IDODownload_Abort(download);
    IDODownload_Release(download);
    if (SUCCEEDED(hr)) printf("Download aborted.\n");
    return admin_check(ctx, "aborting the download", hr);
}

/* Every download of the caller: {id} STATE  n% done of total  uri. */
static int for_each_download(struct admin_context *ctx, BOOL abort)
{
    IEnumUnknown *downloads;
    IDOManager *manager;
    IDODownload *download;
    IUnknown *item;
    DO_DOWNLOAD_STATUS status;
    ULONG count = 0;
    BSTR id, uri;
    HRESULT hr;
    int code;

    if ((code = do_manager(ctx, &manager))) return code;
    hr = IDOManager_EnumDownloads(manager, NULL, &downloads);
    IDOManager_Release(manager);
    if (FAILED(hr)) return admin_check(ctx, "listing the downloads", hr);
    while (IEnumUnknown_Next(downloads, 1, &item, NULL) == S_OK)
    {
        if (SUCCEEDED(IUnknown_QueryInterface(item, &IID_IDODownload, (void **)&download)))
        {
            id = get_text(download, DODownloadProperty_Id);
            if (abort)
            {
                IDODownload_Abort(download);
                fprintf(stderr, ADMIN_NAME ": download %ls was aborted at exit: with /inproc downloads end with "
                        "the command; /do_finalize it on the same command line, or leave out /inproc\n",
                        id ? id : L"?");
            }
            else if (SUCCEEDED(IDODownload_GetStatus(download, &status)))
            {
                uri = get_text(download, DODownloadProperty_Uri);
                printf("%ls ", id ? id : L"?");
                print_status_line(&status);
                printf("  %ls\n", uri ? uri : L"");
                SysFreeString(uri);
            }
            SysFreeString(id);
            IDODownload_Release(download);
            count++;
        }
        IUnknown_Release(item);
    }
    IEnumUnknown_Release(downloads);
    if (!abort) printf("Listed %lu download(s)%s.\n", count, ADMIN_SCOPE(ctx));
    return ADMIN_EXIT_OK;
}

ADMIN_VERB(admin_do_list)
{
    return for_each_download(ctx, FALSE);
}

void admin_do_abort_leftovers(struct admin_context *ctx)
{
    for_each_download(ctx, TRUE);
}
