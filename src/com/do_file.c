/* A Delivery Optimization job's file: IBackgroundCopyFile forwarded to the
 * plain file object of the same file (results renamed by the DO flavour),
 * plus IDeliveryOptimizationFile (GetStats: DO's swarm statistics, which
 * without peers count every byte as the origin server's) and
 * IDeliveryOptimizationFile2 (the DOFilePropertyId values that make sense
 * without DO's cloud service). */
#include "com_private.h"

#ifndef E_NOT_SET
#define E_NOT_SET HRESULT_FROM_WIN32(ERROR_NOT_FOUND) /* winerror.h; MinGW lacks it */
#endif

typedef struct do_file {
    IBackgroundCopyFile IBackgroundCopyFile_iface;
    IDeliveryOptimizationFile IDeliveryOptimizationFile_iface;
    IDeliveryOptimizationFile2 IDeliveryOptimizationFile2_iface;
    LONG refs;
    IBackgroundCopyFile *inner;    /* the plain file object (file.c) */
    ob_job *job;
    ULONG index;
} do_file;

static do_file *impl_from_IBackgroundCopyFile(IBackgroundCopyFile *iface)
{
    return CONTAINING_RECORD(iface, do_file, IBackgroundCopyFile_iface);
}

static do_file *impl_from_IDeliveryOptimizationFile(IDeliveryOptimizationFile *iface)
{
    return CONTAINING_RECORD(iface, do_file, IDeliveryOptimizationFile_iface);
}

static do_file *impl_from_IDeliveryOptimizationFile2(IDeliveryOptimizationFile2 *iface)
{
    return CONTAINING_RECORD(iface, do_file, IDeliveryOptimizationFile2_iface);
}

static HRESULT result(HRESULT hr)
{
    return ob_flavour_result(&ob_flavour_do, hr);
}

static HRESULT WINAPI do_file_QueryInterface(IBackgroundCopyFile *iface, REFIID iid, void **out)
{
    do_file *self = impl_from_IBackgroundCopyFile(iface);

    if (!out) return E_POINTER;
    if (IsEqualIID(iid, &IID_IUnknown) || IsEqualIID(iid, &IID_IBackgroundCopyFile)) *out = iface;
    else if (IsEqualIID(iid, &IID_IDeliveryOptimizationFile)) *out = &self->IDeliveryOptimizationFile_iface;
    else if (IsEqualIID(iid, &IID_IDeliveryOptimizationFile2)) *out = &self->IDeliveryOptimizationFile2_iface;
    else
    {
        *out = NULL;
        return E_NOINTERFACE;
    }
    IBackgroundCopyFile_AddRef(iface);
    return S_OK;
}

static ULONG WINAPI do_file_AddRef(IBackgroundCopyFile *iface)
{
    return InterlockedIncrement(&impl_from_IBackgroundCopyFile(iface)->refs);
}

static ULONG WINAPI do_file_Release(IBackgroundCopyFile *iface)
{
    do_file *self = impl_from_IBackgroundCopyFile(iface);
    ULONG refs = InterlockedDecrement(&self->refs);
    if (!refs)
    {
        IBackgroundCopyFile_Release(self->inner);
        ob_job_release(self->job);
        HeapFree(GetProcessHeap(), 0, self);
        ob_module_unlock();
    }
    return refs;
}

static HRESULT WINAPI do_file_GetRemoteName(IBackgroundCopyFile *iface, LPWSTR *out)
{
    return result(IBackgroundCopyFile_GetRemoteName(impl_from_IBackgroundCopyFile(iface)->inner, out));
}

static HRESULT WINAPI do_file_GetLocalName(IBackgroundCopyFile *iface, LPWSTR *out)
{
    return result(IBackgroundCopyFile_GetLocalName(impl_from_IBackgroundCopyFile(iface)->inner, out));
}

static HRESULT WINAPI do_file_GetProgress(IBackgroundCopyFile *iface, BG_FILE_PROGRESS *out)
{
    return result(IBackgroundCopyFile_GetProgress(impl_from_IBackgroundCopyFile(iface)->inner, out));
}

static const IBackgroundCopyFileVtbl do_file_vtbl = {
    do_file_QueryInterface,
    do_file_AddRef,
    do_file_Release,
    do_file_GetRemoteName,
    do_file_GetLocalName,
    do_file_GetProgress,
};

/* ---- IDeliveryOptimizationFile ---- */

static HRESULT WINAPI stats_QueryInterface(IDeliveryOptimizationFile *iface, REFIID iid, void **out)
{
    return do_file_QueryInterface(&impl_from_IDeliveryOptimizationFile(iface)->IBackgroundCopyFile_iface, iid, out);
}

static ULONG WINAPI stats_AddRef(IDeliveryOptimizationFile *iface)
{
    return do_file_AddRef(&impl_from_IDeliveryOptimizationFile(iface)->IBackgroundCopyFile_iface);
}

static ULONG WINAPI stats_Release(IDeliveryOptimizationFile *iface)
{
    return do_file_Release(&impl_from_IDeliveryOptimizationFile(iface)->IBackgroundCopyFile_iface);
}

/* DOSwarmStats without peers (docs/choices.md): every byte came from the
 * origin (bytesFromHttp), every peer count is zero, the mode is
 * DownloadMode_Simple ("no peer-to-peer caching"); the strings are the
 * caller's to free (CoTaskMemFree). */
static HRESULT WINAPI stats_GetStats(IDeliveryOptimizationFile *iface, DOSwarmStats *stats)
{
    do_file *self = impl_from_IDeliveryOptimizationFile(iface);
    BG_FILE_PROGRESS progress;
    ob_job_info info;
    UINT64 declared;
    HRESULT hr;

    if (!stats) return E_INVALIDARG;
    memset(stats, 0, sizeof(*stats));
    if (FAILED(hr = ob_job_get_file_progress(self->job, self->index, &progress))) return hr;
    if (FAILED(hr = ob_job_get_file_client(self->job, self->index, &stats->fileId, &declared))) return hr;
    if (FAILED(hr = ob_job_get_file_name(self->job, self->index, TRUE, &stats->sourceURL)))
    {
        CoTaskMemFree(stats->fileId);
        stats->fileId = NULL;
        return hr;
    }
    ob_job_get_info(self->job, &info);
    stats->fileSize = progress.BytesTotal != BG_SIZE_UNKNOWN ? progress.BytesTotal :
                      declared != BG_SIZE_UNKNOWN ? declared : DO_UNKNOWN_FILE_SIZE;
    stats->totalBytesDownloaded = progress.BytesTransferred;
    stats->bytesFromHttp = progress.BytesTransferred;
    stats->downloadMode = DownloadMode_Simple;
    if (progress.BytesTotal != BG_SIZE_UNKNOWN && progress.BytesTransferred == progress.BytesTotal)
        stats->status = SwarmStatus_Complete;
    else if (info.state == BG_JOB_STATE_QUEUED || info.state == BG_JOB_STATE_CONNECTING ||
             info.state == BG_JOB_STATE_TRANSFERRING)
    {
        stats->status = SwarmStatus_Downloading;
        stats->httpConnectionCount = info.state == BG_JOB_STATE_TRANSFERRING; /* one origin connection at a time */
    }
    else stats->status = SwarmStatus_Paused;
    stats->isBackground = info.priority != BG_JOB_PRIORITY_FOREGROUND;
    return S_OK;
}

static const IDeliveryOptimizationFileVtbl stats_vtbl = {
    stats_QueryInterface,
    stats_AddRef,
    stats_Release,
    stats_GetStats,
};

/* ---- IDeliveryOptimizationFile2 ---- */

static HRESULT WINAPI props_QueryInterface(IDeliveryOptimizationFile2 *iface, REFIID iid, void **out)
{
    return do_file_QueryInterface(&impl_from_IDeliveryOptimizationFile2(iface)->IBackgroundCopyFile_iface, iid, out);
}

static ULONG WINAPI props_AddRef(IDeliveryOptimizationFile2 *iface)
{
    return do_file_AddRef(&impl_from_IDeliveryOptimizationFile2(iface)->IBackgroundCopyFile_iface);
}

static ULONG WINAPI props_Release(IDeliveryOptimizationFile2 *iface)
{
    return do_file_Release(&impl_from_IDeliveryOptimizationFile2(iface)->IBackgroundCopyFile_iface);
}

/* DownloadSinkFilePath: the file's local name; TotalSizeBytes: its size
 * once known, else the size the caller declared, else E_NOT_SET ("No
 * property was set"). */
static HRESULT WINAPI props_GetProperty(IDeliveryOptimizationFile2 *iface, DOFilePropertyId id, VARIANT *out)
{
    do_file *self = impl_from_IDeliveryOptimizationFile2(iface);
    BG_FILE_PROGRESS progress;
    WCHAR *text;
    UINT64 declared;
    HRESULT hr;

    if (!out) return E_INVALIDARG;
    VariantInit(out);
    switch (id)
    {
    case DOFilePropertyId_DownloadSinkFilePath:
        if (FAILED(hr = ob_job_get_file_name(self->job, self->index, FALSE, &text))) return hr;
        V_VT(out) = VT_BSTR;
        V_BSTR(out) = SysAllocString(text);
        CoTaskMemFree(text);
        return V_BSTR(out) ? S_OK : E_OUTOFMEMORY;
    case DOFilePropertyId_TotalSizeBytes:
        if (FAILED(hr = ob_job_get_file_progress(self->job, self->index, &progress))) return hr;
        if (FAILED(hr = ob_job_get_file_client(self->job, self->index, &text, &declared))) return hr;
        CoTaskMemFree(text);
        if (progress.BytesTotal == BG_SIZE_UNKNOWN && declared == BG_SIZE_UNKNOWN)
            return E_NOT_SET;
        V_VT(out) = VT_UI8;
        V_UI8(out) = progress.BytesTotal != BG_SIZE_UNKNOWN ? progress.BytesTotal : declared;
        return S_OK;
    default:
        return DO_E_UNKNOWN_PROPERTY_ID;
    }
}

/* DownloadSinkFilePath is fixed once the file is added (its name was
 * checked then): the same path is accepted, another is DO_E_INVALID_STATE.
 * Every other property belongs to DO's cloud service or peers. */
static HRESULT WINAPI props_SetProperty(IDeliveryOptimizationFile2 *iface, DOFilePropertyId id, const VARIANT *in)
{
    do_file *self = impl_from_IDeliveryOptimizationFile2(iface);
    WCHAR *local;
    HRESULT hr;

    if (id != DOFilePropertyId_DownloadSinkFilePath) return DO_E_UNKNOWN_PROPERTY_ID;
    if (!in || V_VT(in) != VT_BSTR || !V_BSTR(in)) return E_INVALIDARG;
    if (ob_state_is_final(ob_job_state(self->job))) return DO_E_INVALID_STATE;
    if (FAILED(hr = ob_job_get_file_name(self->job, self->index, FALSE, &local))) return hr;
    hr = lstrcmpiW(local, V_BSTR(in)) ? DO_E_INVALID_STATE : S_OK;
    CoTaskMemFree(local);
    return hr;
}

static const IDeliveryOptimizationFile2Vtbl props_vtbl = {
    props_QueryInterface,
    props_AddRef,
    props_Release,
    props_GetProperty,
    props_SetProperty,
};

HRESULT ob_do_file_object_create(ob_job *job, ULONG index, IBackgroundCopyFile **out)
{
    do_file *self = HeapAlloc(GetProcessHeap(), 0, sizeof(*self));
    HRESULT hr;

    if (!self) return E_OUTOFMEMORY;
    if (FAILED(hr = ob_bits_file_object_create(job, index, &self->inner)))
    {
        HeapFree(GetProcessHeap(), 0, self);
        return hr;
    }
    self->IBackgroundCopyFile_iface.lpVtbl = (IBackgroundCopyFileVtbl *)&do_file_vtbl;
    self->IDeliveryOptimizationFile_iface.lpVtbl = (IDeliveryOptimizationFileVtbl *)&stats_vtbl;
    self->IDeliveryOptimizationFile2_iface.lpVtbl = (IDeliveryOptimizationFile2Vtbl *)&props_vtbl;
    self->refs = 1;
    self->job = job;
    self->index = index;
    ob_job_addref(job);
    ob_module_lock();
    *out = &self->IBackgroundCopyFile_iface;
    return S_OK;
}
