/* IDODownload (do.h): one Delivery Optimization download, over one DO job of
 * the module's engine with one file.  CreateDownload makes the job (empty,
 * SUSPENDED) so that the download has its Id at once; Start adds the file
 * (Uri, LocalPath) the first time and resumes the job.  The engine's state
 * reads as a DODownloadState (download_state below).  Every live download is
 * in one list (the downloads table below) until it is finalized or aborted:
 * EnumDownloads answers from it, so that every client of the host reaches
 * the same object for a download.
 *
 * Callbacks: the download is the job's notification sink (sink.h); the
 * engine's events reach IDODownloadStatusCallback::OnStatusChange, kept in the
 * Global Interface Table like a BITS callback (notify.c), at most once per
 * CallbackFreqSeconds or CallbackFreqPercent unless the state changed. */
#include "com_private.h"
#include "manager.h"
#include "str.h"
#include "trace.h"
#include "lock.h"
#include "path.h"
#include "job_http.h"

typedef struct do_download {
    IDODownload IDODownload_iface;
    ob_sink sink;                  /* the job's notification sink while a callback is set */
    LONG refs;
    ob_job *job;
    struct do_download *next;      /* the downloads table, under table_lock */

    SRWLOCK lock;                  /* guards everything below */
    BOOL started;                  /* Start added the file */
    WCHAR *uri;                    /* until Start: then the file's names */
    WCHAR *local_path;
    ULONG cost_policy;
    ULONG security_flags;          /* as the client gave them (WinHTTP's values) */
    WCHAR *custom_headers;         /* HttpCustomHeaders; NULL: none */
    WCHAR *auth_headers;           /* HttpCustomAuthHeaders (never read back); NULL: none */
    ULONG freq_percent;            /* 0: none */
    ULONG freq_seconds;
    BOOL blocking;
    BOOL non_volatile;
    ob_sink *callback;             /* notify.c's holder of the client's callback (GIT); NULL: none */
    ULONGLONG last_call_tick;      /* the last OnStatusChange */
    DODownloadState last_state;
    UINT64 last_bytes;
} do_download;

static SRWLOCK table_lock = SRWLOCK_INIT;
static do_download *table_head;

static const ob_sink_ops download_sink_ops;

static do_download *impl_from_IDODownload(IDODownload *iface)
{
    return CONTAINING_RECORD(iface, do_download, IDODownload_iface);
}

static do_download *impl_from_sink(ob_sink *sink)
{
    return CONTAINING_RECORD(sink, do_download, sink);
}

static HRESULT result(HRESULT hr)
{
    return ob_flavour_result(&ob_flavour_do, hr);
}

/* ---- the downloads table ---- */

static void table_add(do_download *self)
{
    IDODownload_AddRef(&self->IDODownload_iface); /* the table's reference */
    ob_lock_exclusive(&table_lock);
    self->next = table_head;
    table_head = self;
    ob_unlock_exclusive(&table_lock);
}

/* Finalized or aborted: no longer enumerated. */
static void table_remove(do_download *self)
{
    do_download **link;
    BOOL found = FALSE;

    ob_lock_exclusive(&table_lock);
    for (link = &table_head; *link; link = &(*link)->next)
        if (*link == self)
        {
            *link = self->next;
            found = TRUE;
            break;
        }
    ob_unlock_exclusive(&table_lock);
    if (found) IDODownload_Release(&self->IDODownload_iface);
}

/* ---- state and status ---- */

/* The engine's state as DO names it: before Start, Created; every running
 * state (QUEUED, CONNECTING, TRANSFERRING) is Transferring; a client's
 * Pause, a transient error and an error are Paused (DO has no error state:
 * Start tries again); ACKNOWLEDGED is Finalized, CANCELLED Aborted. */
static DODownloadState download_state(BOOL started, BG_JOB_STATE state)
{
    static const DODownloadState states[] = {
        DODownloadState_Transferring,  /* QUEUED */
        DODownloadState_Transferring,  /* CONNECTING */
        DODownloadState_Transferring,  /* TRANSFERRING */
        DODownloadState_Paused,        /* SUSPENDED */
        DODownloadState_Paused,        /* ERROR */
        DODownloadState_Paused,        /* TRANSIENT_ERROR */
        DODownloadState_Transferred,   /* TRANSFERRED */
        DODownloadState_Finalized,     /* ACKNOWLEDGED */
        DODownloadState_Aborted,       /* CANCELLED */
    };
    if (!started && state == BG_JOB_STATE_SUSPENDED) return DODownloadState_Created;
    return (unsigned)state < ARRAYSIZE(states) ? states[state] : DODownloadState_Paused;
}

static BOOL is_started(do_download *self)
{
    BOOL started;
    ob_lock_shared(&self->lock);
    started = self->started;
    ob_unlock_shared(&self->lock);
    return started;
}

static void get_status(do_download *self, DO_DOWNLOAD_STATUS *status)
{
    BG_JOB_PROGRESS progress;
    ob_job_info info;
    ob_error_info error;

    ob_job_get_info(self->job, &info);
    ob_job_get_progress(self->job, &progress);
    /* DO_DOWNLOAD_STATUS has no "unknown": 0 until the size is known */
    status->BytesTotal = progress.BytesTotal == BG_SIZE_UNKNOWN ? 0 : progress.BytesTotal;
    status->BytesTransferred = progress.BytesTransferred;
    status->State = download_state(is_started(self), info.state);
    status->Error = SUCCEEDED(ob_job_get_error(self->job, &error)) ? error.code : S_OK;
    status->ExtendedError = S_OK;
}

/* ---- callbacks ---- */

static void sink_addref(ob_sink *sink)
{
    IDODownload_AddRef(&impl_from_sink(sink)->IDODownload_iface);
}

static void sink_release(ob_sink *sink)
{
    IDODownload_Release(&impl_from_sink(sink)->IDODownload_iface);
}

/* Whether this status is due: a new state always, progress at most once per
 * CallbackFreqSeconds, or at every CallbackFreqPercent step when set. */
static BOOL callback_due(do_download *self, const DO_DOWNLOAD_STATUS *status, ob_sink **holder)
{
    ULONGLONG now = GetTickCount64();
    BOOL due;

    ob_lock_exclusive(&self->lock);
    if ((*holder = self->callback)) (*holder)->ops->addref(*holder);
    if (status->State != self->last_state) due = TRUE;
    else if (status->BytesTransferred == self->last_bytes) due = FALSE;
    else if (self->freq_percent && status->BytesTotal)
        due = (status->BytesTransferred * 100 / status->BytesTotal) / self->freq_percent !=
              (self->last_bytes * 100 / status->BytesTotal) / self->freq_percent;
    else due = now - self->last_call_tick >= (ULONGLONG)self->freq_seconds * 1000;
    if (due && *holder)
    {
        self->last_state = status->State;
        self->last_bytes = status->BytesTransferred;
        self->last_call_tick = now;
    }
    ob_unlock_exclusive(&self->lock);
    if (!due && *holder)
    {
        ob_sink_release(*holder);
        *holder = NULL;
    }
    return *holder != NULL;
}

static HRESULT sink_call(ob_sink *sink, ob_job *job, ob_notify_kind kind, ULONG file_index)
{
    do_download *self = impl_from_sink(sink);
    IDODownloadStatusCallback *callback;
    DO_DOWNLOAD_STATUS status;
    ob_sink *holder;
    HRESULT hr;

    get_status(self, &status);
    if (!callback_due(self, &status, &holder)) return S_OK;
    hr = ob_notify_holder_get(holder, &IID_IDODownloadStatusCallback, (void **)&callback);
    ob_sink_release(holder);
    if (FAILED(hr)) return S_OK;
    OB_TRACE(ob_job_id(job), L"DO OnStatusChange state %u %I64u/%I64u error %08lx", status.State,
             status.BytesTransferred, status.BytesTotal, (ULONG)status.Error);
    hr = IDODownloadStatusCallback_OnStatusChange(callback, &self->IDODownload_iface, &status);
    IDODownloadStatusCallback_Release(callback);
    return ob_notify_client_gone(hr) ? hr : S_OK;
}

static const ob_sink_ops download_sink_ops = { sink_addref, sink_release, sink_call };

/* The client's callback (NULL: none): kept in the GIT, the download becomes
 * the job's sink for every event. */
static HRESULT set_callback(do_download *self, IUnknown *unknown)
{
    IDODownloadStatusCallback *callback = NULL;
    ob_sink *holder = NULL, *old;
    HRESULT hr;

    if (unknown)
    {
        if (FAILED(IUnknown_QueryInterface(unknown, &IID_IDODownloadStatusCallback, (void **)&callback)))
            return E_INVALIDARG;
        hr = ob_notify_holder_create((IUnknown *)callback, &holder);
        IDODownloadStatusCallback_Release(callback);
        if (FAILED(hr)) return hr;
    }
    ob_lock_exclusive(&self->lock);
    old = self->callback;
    self->callback = holder;
    self->last_state = (DODownloadState)-1; /* the next event is due */
    ob_unlock_exclusive(&self->lock);
    if (old) ob_sink_release(old);
    if (holder)
    {
        ob_job_set_notify_flags(self->job, BG_NOTIFY_JOB_TRANSFERRED | BG_NOTIFY_JOB_ERROR |
                                           BG_NOTIFY_JOB_MODIFICATION);
        return ob_job_set_notify_sink(self->job, &self->sink);
    }
    return ob_job_set_notify_sink(self->job, NULL);
}

/* ---- IDODownload ---- */

static HRESULT WINAPI download_QueryInterface(IDODownload *iface, REFIID iid, void **out)
{
    if (!out) return E_POINTER;
    if (IsEqualIID(iid, &IID_IUnknown) || IsEqualIID(iid, &IID_IDODownload))
    {
        *out = iface;
        IDODownload_AddRef(iface);
        return S_OK;
    }
    *out = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI download_AddRef(IDODownload *iface)
{
    return InterlockedIncrement(&impl_from_IDODownload(iface)->refs);
}

static ULONG WINAPI download_Release(IDODownload *iface)
{
    do_download *self = impl_from_IDODownload(iface);
    ULONG refs = InterlockedDecrement(&self->refs);
    if (!refs)
    {
        if (self->callback) ob_sink_release(self->callback);
        ob_str_free(self->uri);
        ob_str_free(self->local_path);
        ob_str_free(self->custom_headers);
        ob_str_wipe(self->auth_headers);
        ob_job_release(self->job);
        HeapFree(GetProcessHeap(), 0, self);
        ob_module_unlock();
    }
    return refs;
}

/* LocalPath: "If the path does not exist, Delivery Optimization will
 * attempt to create it under the caller's privileges": every missing
 * directory above the file, created while impersonating the client in the
 * host.  A failure is left to AddFile's checks to report. */
static void create_directories(const WCHAR *path)
{
    BOOL impersonating = ob_in_host() && SUCCEEDED(CoImpersonateClient());

    /* a full path "X:\dir\...\file" only; one that cannot be made: AddFile's checks tell */
    if (path[0] && path[1] == L':') ob_path_create_dirs(path);
    if (impersonating) CoRevertToSelf();
}

/* The first Start: the file, from Uri and LocalPath. */
static HRESULT add_file(do_download *self)
{
    BG_FILE_INFO file;
    ob_caller caller;
    HRESULT hr;

    ob_lock_shared(&self->lock);
    file.RemoteName = ob_str_dup(self->uri ? self->uri : L"");
    file.LocalName = ob_str_dup(self->local_path ? self->local_path : L"");
    hr = !self->uri ? E_INVALIDARG : !self->local_path ? DO_E_LOCALPATH_NOT_SET : S_OK;
    ob_unlock_shared(&self->lock);
    if (SUCCEEDED(hr) && (!file.RemoteName || !file.LocalName)) hr = E_OUTOFMEMORY;
    if (SUCCEEDED(hr)) create_directories(file.LocalName);
    if (SUCCEEDED(hr) && SUCCEEDED(hr = ob_manager_caller(&caller)))
        hr = ob_table_add_files(ob_module_table(), self->job, 1, &file, &caller);
    ob_str_free(file.RemoteName);
    ob_str_free(file.LocalName);
    if (FAILED(hr)) return hr;
    ob_lock_exclusive(&self->lock);
    self->started = TRUE;
    ob_unlock_exclusive(&self->lock);
    return S_OK;
}

/* Blocking mode: until the download is transferred or stopped (an error,
 * Pause or Abort from another thread). */
static HRESULT wait_for_end(do_download *self)
{
    DO_DOWNLOAD_STATUS status;
    for (;;)
    {
        get_status(self, &status);
        if (status.State == DODownloadState_Transferred) return S_OK;
        if (status.State != DODownloadState_Transferring) return FAILED(status.Error) ? status.Error : S_OK;
        if (FAILED(status.Error)) return status.Error; /* a transient error */
        Sleep(20);
    }
}

static HRESULT WINAPI download_Start(IDODownload *iface, const DO_DOWNLOAD_RANGES_INFO *ranges)
{
    do_download *self = impl_from_IDODownload(iface);
    DO_DOWNLOAD_STATUS status;
    HRESULT hr;
    BOOL blocking;

    if (ranges) return E_INVALIDARG; /* DO_DOWNLOAD_RANGES_INFO: docs/choices.md until file ranges land */
    get_status(self, &status);
    switch (status.State)
    {
    case DODownloadState_Finalized:
    case DODownloadState_Aborted:
        return DO_E_INVALID_STATE;
    case DODownloadState_Transferred:
        return S_OK; /* the whole file is there already */
    case DODownloadState_Created:
        if (FAILED(hr = add_file(self))) return result(hr);
        break;
    default:
        break;
    }
    if (FAILED(hr = ob_job_resume(self->job))) return result(hr);
    OB_TRACE(ob_job_id(self->job), L"DO Start");
    ob_lock_shared(&self->lock);
    blocking = self->blocking;
    ob_unlock_shared(&self->lock);
    return blocking ? wait_for_end(self) : S_OK;
}

static HRESULT WINAPI download_Pause(IDODownload *iface)
{
    do_download *self = impl_from_IDODownload(iface);
    DO_DOWNLOAD_STATUS status;

    get_status(self, &status);
    switch (status.State)
    {
    case DODownloadState_Transferring:
    case DODownloadState_Paused:
        return result(ob_job_suspend(self->job));
    default:
        return DO_E_INVALID_STATE; /* nothing runs: Created, Transferred, Finalized, Aborted */
    }
}

static HRESULT WINAPI download_Abort(IDODownload *iface)
{
    do_download *self = impl_from_IDODownload(iface);
    HRESULT hr = result(ob_job_cancel(self->job));
    if (SUCCEEDED(hr))
    {
        set_callback(self, NULL);
        table_remove(self);
    }
    return hr;
}

static HRESULT WINAPI download_Finalize(IDODownload *iface)
{
    do_download *self = impl_from_IDODownload(iface);
    DO_DOWNLOAD_STATUS status;
    HRESULT hr;

    get_status(self, &status);
    if (status.State != DODownloadState_Transferred) return DO_E_INVALID_STATE;
    if (FAILED(hr = result(ob_job_complete(self->job)))) return hr;
    set_callback(self, NULL);
    table_remove(self);
    return S_OK;
}

static HRESULT WINAPI download_GetStatus(IDODownload *iface, DO_DOWNLOAD_STATUS *status)
{
    if (!status) return E_INVALIDARG;
    get_status(impl_from_IDODownload(iface), status);
    return S_OK;
}

/* ---- properties ---- */

static HRESULT bstr_out(const WCHAR *text, VARIANT *out)
{
    V_VT(out) = VT_BSTR;
    return (V_BSTR(out) = SysAllocString(text ? text : L"")) ? S_OK : E_OUTOFMEMORY;
}

/* A file name: before Start the one given, afterwards the job's file's. */
static HRESULT name_out(do_download *self, BOOL remote, VARIANT *out)
{
    WCHAR *name;
    HRESULT hr;

    ob_lock_shared(&self->lock);
    if (!self->started)
    {
        hr = bstr_out(remote ? self->uri : self->local_path, out);
        ob_unlock_shared(&self->lock);
        return hr;
    }
    ob_unlock_shared(&self->lock);
    if (FAILED(hr = ob_job_get_file_name(self->job, 0, remote, &name))) return hr;
    hr = bstr_out(name, out);
    CoTaskMemFree(name);
    return hr;
}

static HRESULT ulong_out(ULONG value, VARIANT *out)
{
    V_VT(out) = VT_UI4;
    V_UI4(out) = value;
    return S_OK;
}

static HRESULT bool_out(BOOL value, VARIANT *out)
{
    V_VT(out) = VT_BOOL;
    V_BOOL(out) = value ? VARIANT_TRUE : VARIANT_FALSE;
    return S_OK;
}

static HRESULT WINAPI download_GetProperty(IDODownload *iface, DODownloadProperty id, VARIANT *out)
{
    do_download *self = impl_from_IDODownload(iface);
    ob_job_info info;
    WCHAR text[40], *name;
    ob_sink *holder;
    HRESULT hr;

    if (!out) return E_INVALIDARG;
    VariantInit(out);
    switch (id)
    {
    case DODownloadProperty_Id:
        StringFromGUID2(ob_job_id(self->job), text, ARRAYSIZE(text));
        return bstr_out(text, out);
    case DODownloadProperty_Uri:
        return name_out(self, TRUE, out);
    case DODownloadProperty_LocalPath:
        return name_out(self, FALSE, out);
    case DODownloadProperty_ContentId:
        return bstr_out(L"", out);
    case DODownloadProperty_DisplayName:
        if (FAILED(hr = ob_job_get_string(self->job, OB_PROP_DISPLAY_NAME, &name))) return hr;
        hr = bstr_out(name, out);
        CoTaskMemFree(name);
        return hr;
    case DODownloadProperty_NoProgressTimeoutSeconds:
        ob_job_get_info(self->job, &info);
        return ulong_out(info.no_progress_timeout, out);
    case DODownloadProperty_ForegroundPriority:
        ob_job_get_info(self->job, &info);
        return bool_out(info.priority == BG_JOB_PRIORITY_FOREGROUND, out);
    case DODownloadProperty_CostPolicy:
    case DODownloadProperty_CallbackFreqPercent:
    case DODownloadProperty_CallbackFreqSeconds:
    case DODownloadProperty_SecurityFlags:
        ob_lock_shared(&self->lock);
        hr = ulong_out(id == DODownloadProperty_CostPolicy ? self->cost_policy :
                       id == DODownloadProperty_CallbackFreqPercent ? self->freq_percent :
                       id == DODownloadProperty_SecurityFlags ? self->security_flags : self->freq_seconds, out);
        ob_unlock_shared(&self->lock);
        return hr;
    case DODownloadProperty_HttpCustomHeaders:
        ob_lock_shared(&self->lock);
        hr = bstr_out(self->custom_headers, out);
        ob_unlock_shared(&self->lock);
        return hr;
    case DODownloadProperty_HttpCustomAuthHeaders:
        return E_ACCESSDENIED; /* credentials: never read back (docs/choices.md) */
    case DODownloadProperty_HttpAllowSecureToNonSecureRedirect:
        return bool_out(ob_job_get_security_flags(self->job) & BG_HTTP_REDIRECT_POLICY_ALLOW_HTTPS_TO_HTTP, out);
    case DODownloadProperty_BlockingMode:
    case DODownloadProperty_NonVolatile:
        ob_lock_shared(&self->lock);
        hr = bool_out(id == DODownloadProperty_BlockingMode ? self->blocking : self->non_volatile, out);
        ob_unlock_shared(&self->lock);
        return hr;
    case DODownloadProperty_CallbackInterface:
        ob_lock_shared(&self->lock);
        if ((holder = self->callback)) holder->ops->addref(holder);
        ob_unlock_shared(&self->lock);
        V_VT(out) = VT_UNKNOWN;
        V_UNKNOWN(out) = NULL;
        if (!holder) return S_OK;
        hr = ob_notify_holder_get(holder, &IID_IUnknown, (void **)&V_UNKNOWN(out));
        ob_sink_release(holder);
        return hr;
    default:
        return DO_E_UNKNOWN_PROPERTY_ID;
    }
}

static HRESULT ulong_in(const VARIANT *in, ULONG *value)
{
    if (V_VT(in) != VT_UI4) return E_INVALIDARG;
    *value = V_UI4(in);
    return S_OK;
}

static HRESULT bool_in(const VARIANT *in, BOOL *value)
{
    if (V_VT(in) != VT_BOOL) return E_INVALIDARG;
    *value = V_BOOL(in) != VARIANT_FALSE;
    return S_OK;
}

/* Uri and LocalPath: only before Start (the file is added then). */
static HRESULT set_name(do_download *self, WCHAR **slot, const VARIANT *in)
{
    WCHAR *copy;
    HRESULT hr = S_OK;

    if (V_VT(in) != VT_BSTR || !V_BSTR(in) || !*V_BSTR(in)) return E_INVALIDARG;
    if (!(copy = ob_str_dup(V_BSTR(in)))) return E_OUTOFMEMORY;
    ob_lock_exclusive(&self->lock);
    if (self->started) hr = DO_E_INVALID_STATE;
    else
    {
        ob_str_free(*slot);
        *slot = copy;
        copy = NULL;
    }
    ob_unlock_exclusive(&self->lock);
    ob_str_free(copy);
    return hr;
}

static HRESULT set_field(do_download *self, ULONG *slot, ULONG value)
{
    ob_lock_exclusive(&self->lock);
    *slot = value;
    ob_unlock_exclusive(&self->lock);
    return S_OK;
}

/* The job's custom headers: HttpCustomHeaders, then HttpCustomAuthHeaders. */
static HRESULT set_headers(do_download *self, BOOL auth, const VARIANT *in)
{
    WCHAR *copy = NULL, *joined = NULL, *old;
    size_t a, b;
    HRESULT hr;

    if (V_VT(in) != VT_BSTR) return E_INVALIDARG;
    if (V_BSTR(in) && *V_BSTR(in) && !(copy = ob_str_dup(V_BSTR(in)))) return E_OUTOFMEMORY;
    ob_lock_exclusive(&self->lock);
    old = auth ? self->auth_headers : self->custom_headers;
    if (auth) self->auth_headers = copy;
    else self->custom_headers = copy;
    a = self->custom_headers ? wcslen(self->custom_headers) : 0;
    b = self->auth_headers ? wcslen(self->auth_headers) : 0;
    if ((a || b) && (joined = HeapAlloc(GetProcessHeap(), 0, (a + b + 1) * sizeof(WCHAR))))
    {
        if (a) memcpy(joined, self->custom_headers, a * sizeof(WCHAR));
        if (b) memcpy(joined + a, self->auth_headers, b * sizeof(WCHAR));
        joined[a + b] = 0;
    }
    ob_unlock_exclusive(&self->lock);
    if (auth) ob_str_wipe(old);
    else ob_str_free(old);
    if ((a || b) && !joined) return E_OUTOFMEMORY;
    hr = ob_job_set_custom_headers(self->job, joined);
    if (joined) SecureZeroMemory(joined, (a + b) * sizeof(WCHAR));
    HeapFree(GetProcessHeap(), 0, joined);
    return result(hr);
}

/* SecurityFlags and HttpAllowSecureToNonSecureRedirect: the job's security
 * flags (their BG_SSL_* bits, and BG_HTTP_REDIRECT_POLICY_ALLOW_HTTPS_TO_HTTP). */
static HRESULT set_security(do_download *self, ULONG ssl_mask, ULONG bits)
{
    ULONG flags = ob_job_get_security_flags(self->job);
    return result(ob_job_set_security_flags(self->job, (flags & ~ssl_mask) | bits));
}

static HRESULT WINAPI download_SetProperty(IDODownload *iface, DODownloadProperty id, const VARIANT *in)
{
    do_download *self = impl_from_IDODownload(iface);
    DO_DOWNLOAD_STATUS status;
    ULONG value, bits;
    BOOL flag;
    HRESULT hr;

    if (!in) return E_INVALIDARG;
    get_status(self, &status);
    if (status.State == DODownloadState_Finalized || status.State == DODownloadState_Aborted)
        return (unsigned)id <= DODownloadProperty_NonVolatile ? DO_E_INVALID_STATE : DO_E_UNKNOWN_PROPERTY_ID;
    switch (id)
    {
    case DODownloadProperty_Id:
        return DO_E_READ_ONLY_PROPERTY;
    case DODownloadProperty_Uri:
        return set_name(self, &self->uri, in);
    case DODownloadProperty_LocalPath:
        return set_name(self, &self->local_path, in);
    case DODownloadProperty_ContentId:
        return DO_E_NO_SERVICE; /* content ids need DO's cloud service (docs/choices.md) */
    case DODownloadProperty_DisplayName:
        if (V_VT(in) != VT_BSTR || !V_BSTR(in)) return E_INVALIDARG;
        return result(ob_job_set_display_name(self->job, V_BSTR(in)));
    case DODownloadProperty_CostPolicy:
        if (FAILED(hr = ulong_in(in, &value))) return hr;
        if (value > DODownloadCostPolicy_NoCellular) return E_INVALIDARG;
        return set_field(self, &self->cost_policy, value);
    case DODownloadProperty_CallbackFreqPercent:
        if (FAILED(hr = ulong_in(in, &value))) return hr;
        if (value > 100) return E_INVALIDARG;
        return set_field(self, &self->freq_percent, value);
    case DODownloadProperty_CallbackFreqSeconds:
        if (FAILED(hr = ulong_in(in, &value))) return hr;
        return set_field(self, &self->freq_seconds, value);
    case DODownloadProperty_NoProgressTimeoutSeconds:
        if (FAILED(hr = ulong_in(in, &value))) return hr;
        if (value < 60) return E_INVALIDARG; /* "The minimum accepted value is 60 seconds" */
        return result(ob_job_set_no_progress_timeout(self->job, value));
    case DODownloadProperty_ForegroundPriority:
        if (FAILED(hr = bool_in(in, &flag))) return hr;
        return result(ob_job_set_priority(self->job, flag ? BG_JOB_PRIORITY_FOREGROUND : BG_JOB_PRIORITY_NORMAL));
    case DODownloadProperty_BlockingMode:
        if (FAILED(hr = bool_in(in, &flag))) return hr;
        return set_field(self, (ULONG *)&self->blocking, flag);
    case DODownloadProperty_NonVolatile:
        if (FAILED(hr = bool_in(in, &flag))) return hr;
        return set_field(self, (ULONG *)&self->non_volatile, flag);
    case DODownloadProperty_CallbackInterface:
        if (V_VT(in) != VT_UNKNOWN && V_VT(in) != VT_DISPATCH) return E_INVALIDARG;
        return set_callback(self, V_UNKNOWN(in));
    case DODownloadProperty_HttpCustomHeaders:
        return set_headers(self, FALSE, in);
    case DODownloadProperty_HttpCustomAuthHeaders:
        return set_headers(self, TRUE, in);
    case DODownloadProperty_SecurityFlags:
        if (FAILED(hr = ulong_in(in, &value))) return hr;
        if (FAILED(hr = ob_flavour_do_security_flags(value, &bits))) return hr;
        if (FAILED(hr = set_security(self, BG_SSL_ENABLE_CRL_CHECK | BG_SSL_IGNORE_CERT_CN_INVALID |
                                               BG_SSL_IGNORE_CERT_DATE_INVALID | BG_SSL_IGNORE_UNKNOWN_CA |
                                               BG_SSL_IGNORE_CERT_WRONG_USAGE, bits)))
            return hr;
        return set_field(self, &self->security_flags, value);
    case DODownloadProperty_HttpAllowSecureToNonSecureRedirect:
        if (FAILED(hr = bool_in(in, &flag))) return hr;
        return set_security(self, BG_HTTP_REDIRECT_POLICY_ALLOW_HTTPS_TO_HTTP,
                            flag ? BG_HTTP_REDIRECT_POLICY_ALLOW_HTTPS_TO_HTTP : 0);
    default:
        return DO_E_UNKNOWN_PROPERTY_ID;
    }
}

static const IDODownloadVtbl download_vtbl = {
    download_QueryInterface,
    download_AddRef,
    download_Release,
    download_Start,
    download_Pause,
    download_Abort,
    download_Finalize,
    download_GetStatus,
    download_GetProperty,
    download_SetProperty,
};

HRESULT ob_do_download_create(ob_job *job, IDODownload **out)
{
    do_download *self = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, sizeof(*self));
    if (!self) return E_OUTOFMEMORY;
    self->IDODownload_iface.lpVtbl = (IDODownloadVtbl *)&download_vtbl;
    self->sink.ops = &download_sink_ops;
    self->refs = 1;
    self->job = job;
    ob_job_addref(job);
    InitializeSRWLock(&self->lock);
    self->freq_seconds = 1; /* "The default is every one second" */
    self->cost_policy = DODownloadCostPolicy_Always;
    ob_module_lock();
    table_add(self);
    *out = &self->IDODownload_iface;
    return S_OK;
}

/* ---- EnumDownloads ---- */

static BOOL category_matches(do_download *self, const DO_DOWNLOAD_ENUM_CATEGORY *category)
{
    VARIANT value;
    BOOL match;

    if (!category) return TRUE;
    if (FAILED(download_GetProperty(&self->IDODownload_iface, category->Property, &value))) return FALSE;
    match = V_VT(&value) == VT_BSTR && !lstrcmpiW(V_BSTR(&value), category->Value);
    VariantClear(&value);
    return match;
}

HRESULT ob_do_download_snapshot(const ob_caller *caller, const DO_DOWNLOAD_ENUM_CATEGORY *category,
                                IUnknown ***list, ULONG *count)
{
    IUnknown **items = NULL;
    do_download *d, **all = NULL;
    ULONG n = 0, total = 0, i;

    *list = NULL;
    *count = 0;
    if (category && (!category->Value ||
                     (category->Property != DODownloadProperty_Id && category->Property != DODownloadProperty_Uri &&
                      category->Property != DODownloadProperty_ContentId &&
                      category->Property != DODownloadProperty_DisplayName &&
                      category->Property != DODownloadProperty_LocalPath)))
        return E_INVALIDARG;
    /* the references are taken under the table lock; the properties are read without it */
    ob_lock_shared(&table_lock);
    for (d = table_head; d; d = d->next) total++;
    if (total && (all = HeapAlloc(GetProcessHeap(), 0, total * sizeof(*all))))
        for (d = table_head; d; d = d->next)
        {
            IDODownload_AddRef(&d->IDODownload_iface);
            all[n++] = d;
        }
    ob_unlock_shared(&table_lock);
    if (total && !all) return E_OUTOFMEMORY;
    if (n && !(items = HeapAlloc(GetProcessHeap(), 0, n * sizeof(*items))))
    {
        for (i = 0; i < n; i++) IDODownload_Release(&all[i]->IDODownload_iface);
        HeapFree(GetProcessHeap(), 0, all);
        return E_OUTOFMEMORY;
    }
    total = n;
    n = 0;
    for (i = 0; i < total; i++)
    {
        if (ob_job_owned_by(all[i]->job, caller->sid) && category_matches(all[i], category)) items[n++] = (IUnknown *)&all[i]->IDODownload_iface;
        else IDODownload_Release(&all[i]->IDODownload_iface);
    }
    HeapFree(GetProcessHeap(), 0, all);
    *list = items;
    *count = n;
    return S_OK;
}
