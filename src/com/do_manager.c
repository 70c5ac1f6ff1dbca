/* IDOManager (do.h) on the DO manager object (manager.h): CreateDownload
 * makes a DO job and its IDODownload (do_download.c); EnumDownloads lists
 * the caller's live downloads (IEnumUnknown, enum_unknown.c). */
#include "com_private.h"
#include "manager.h"

static manager *impl_from_IDOManager(IDOManager *iface)
{
    return CONTAINING_RECORD(iface, manager, IDOManager_iface);
}

static HRESULT WINAPI do_manager_QueryInterface(IDOManager *iface, REFIID iid, void **out)
{
    return IBackgroundCopyManager_QueryInterface(&impl_from_IDOManager(iface)->IBackgroundCopyManager_iface, iid, out);
}

static ULONG WINAPI do_manager_AddRef(IDOManager *iface)
{
    return IBackgroundCopyManager_AddRef(&impl_from_IDOManager(iface)->IBackgroundCopyManager_iface);
}

static ULONG WINAPI do_manager_Release(IDOManager *iface)
{
    return IBackgroundCopyManager_Release(&impl_from_IDOManager(iface)->IBackgroundCopyManager_iface);
}

static HRESULT WINAPI do_manager_CreateDownload(IDOManager *iface, IDODownload **out)
{
    ob_caller caller;
    ob_job *job;
    HRESULT hr;

    if (!out) return E_INVALIDARG;
    *out = NULL;
    if (FAILED(hr = ob_manager_caller(&caller))) return hr;
    if (FAILED(hr = ob_table_create_flavoured_job(ob_module_table(), &ob_flavour_do, L"", BG_JOB_TYPE_DOWNLOAD,
                                                  &caller, &job)))
        return hr;
    if (FAILED(hr = ob_do_download_create(job, out))) ob_job_cancel(job);
    ob_job_release(job);
    return hr;
}

static HRESULT WINAPI do_manager_EnumDownloads(IDOManager *iface, const DO_DOWNLOAD_ENUM_CATEGORY *category,
                                               IEnumUnknown **out)
{
    ob_caller caller;
    IUnknown **items;
    ULONG count;
    HRESULT hr;

    if (!out) return E_INVALIDARG;
    *out = NULL;
    if (FAILED(hr = ob_manager_caller(&caller))) return hr;
    if (FAILED(hr = ob_do_download_snapshot(&caller, category, &items, &count))) return hr;
    return ob_enum_unknown_create(items, count, out);
}

const IDOManagerVtbl ob_do_manager_vtbl = {
    do_manager_QueryInterface,
    do_manager_AddRef,
    do_manager_Release,
    do_manager_CreateDownload,
    do_manager_EnumDownloads,
};
