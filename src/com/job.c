/* IBackgroundCopyJob, IBackgroundCopyJob2 and IBackgroundCopyJob3: argument
 * checks over the engine's job record.  Several COM objects may wrap the
 * same job. */
#include "com_private.h"

typedef struct job {
    IBackgroundCopyJob3 IBackgroundCopyJob3_iface;
    ob_http_options http;      /* IBackgroundCopyJobHttpOptions..3, same identity */
    LONG refs;
    ob_job *job;
} job;

static job *impl_from_IBackgroundCopyJob3(IBackgroundCopyJob3 *iface)
{
    return CONTAINING_RECORD(iface, job, IBackgroundCopyJob3_iface);
}

static ob_job *record(IBackgroundCopyJob3 *iface)
{
    return impl_from_IBackgroundCopyJob3(iface)->job;
}

/* The getters of one plain value: read with the others under one lock. */
#define INFO_GETTER(method, type, field)                                      \
    static HRESULT WINAPI job_##method(IBackgroundCopyJob3 *iface, type *out) \
    {                                                                         \
        ob_job_info info;                                                     \
        if (!out) return E_INVALIDARG;                                        \
        ob_job_get_info(record(iface), &info);                                \
        *out = info.field;                                                    \
        return S_OK;                                                          \
    }

static HRESULT WINAPI job_QueryInterface(IBackgroundCopyJob3 *iface, REFIID iid, void **out)
{
    if (!out) return E_POINTER;
    if (IsEqualIID(iid, &IID_IUnknown) || IsEqualIID(iid, &IID_IBackgroundCopyJob) ||
        IsEqualIID(iid, &IID_IBackgroundCopyJob2) || IsEqualIID(iid, &IID_IBackgroundCopyJob3))
    {
        *out = iface;
        IBackgroundCopyJob3_AddRef(iface);
        return S_OK;
    }
    if ((*out = ob_http_options_query(&impl_from_IBackgroundCopyJob3(iface)->http, iid)))
    {
        IBackgroundCopyJob3_AddRef(iface);
        return S_OK;
    }
    return E_NOINTERFACE;
}

static ULONG WINAPI job_AddRef(IBackgroundCopyJob3 *iface)
{
    return InterlockedIncrement(&impl_from_IBackgroundCopyJob3(iface)->refs);
}

static ULONG WINAPI job_Release(IBackgroundCopyJob3 *iface)
{
    job *self = impl_from_IBackgroundCopyJob3(iface);
    ULONG refs = InterlockedDecrement(&self->refs);
    if (!refs)
    {
        ob_job_release(self->job);
        HeapFree(GetProcessHeap(), 0, self);
        ob_module_unlock();
    }
    return refs;
}

static HRESULT add_files(IBackgroundCopyJob3 *iface, ULONG count, const BG_FILE_INFO *files)
{
    ob_caller caller;
    HRESULT hr;
    if (FAILED(hr = ob_manager_caller(&caller))) return hr;
    return ob_table_add_files(ob_module_table(), record(iface), count, files, &caller);
}

static HRESULT WINAPI job_AddFileSet(IBackgroundCopyJob3 *iface, ULONG count, BG_FILE_INFO *files)
{
    if (!files) return E_INVALIDARG;
    return add_files(iface, count, files);
}

static HRESULT WINAPI job_AddFile(IBackgroundCopyJob3 *iface, LPCWSTR remote, LPCWSTR local)
{
    BG_FILE_INFO file = { (WCHAR *)remote, (WCHAR *)local };
    return add_files(iface, 1, &file);
}

static HRESULT WINAPI job_EnumFiles(IBackgroundCopyJob3 *iface, IEnumBackgroundCopyFiles **out)
{
    if (!out) return E_INVALIDARG;
    return ob_enum_files_create(record(iface), out);
}

static HRESULT WINAPI job_Suspend(IBackgroundCopyJob3 *iface)
{
    OB_CHECK_MAY_CHANGE(record(iface));
    return ob_job_suspend(record(iface));
}

static HRESULT WINAPI job_Resume(IBackgroundCopyJob3 *iface)
{
    OB_CHECK_MAY_CHANGE(record(iface));
    return ob_job_resume(record(iface));
}

static HRESULT WINAPI job_Cancel(IBackgroundCopyJob3 *iface)
{
    OB_CHECK_MAY_CHANGE(record(iface));
    return ob_job_cancel(record(iface));
}

static HRESULT WINAPI job_Complete(IBackgroundCopyJob3 *iface)
{
    OB_CHECK_MAY_CHANGE(record(iface));
    return ob_job_complete(record(iface));
}

static HRESULT WINAPI job_GetId(IBackgroundCopyJob3 *iface, GUID *out)
{
    if (!out) return E_INVALIDARG;
    *out = *ob_job_id(record(iface));
    return S_OK;
}

static HRESULT WINAPI job_GetType(IBackgroundCopyJob3 *iface, BG_JOB_TYPE *out)
{
    if (!out) return E_INVALIDARG;
    *out = ob_job_type(record(iface));
    return S_OK;
}

static HRESULT WINAPI job_GetProgress(IBackgroundCopyJob3 *iface, BG_JOB_PROGRESS *out)
{
    if (!out) return E_INVALIDARG;
    ob_job_get_progress(record(iface), out);
    return S_OK;
}

INFO_GETTER(GetTimes, BG_JOB_TIMES, times)

INFO_GETTER(GetState, BG_JOB_STATE, state)

static HRESULT WINAPI job_GetError(IBackgroundCopyJob3 *iface, IBackgroundCopyError **out)
{
    ob_error_info info;
    HRESULT hr;
    if (!out) return E_INVALIDARG;
    *out = NULL;
    if (FAILED(hr = ob_job_get_error(record(iface), &info))) return hr;
    return ob_error_object_create(record(iface), &info, out);
}

static HRESULT get_string(IBackgroundCopyJob3 *iface, ob_job_prop which, LPWSTR *out)
{
    if (!out) return E_INVALIDARG;
    return ob_job_get_string(record(iface), which, out);
}

static HRESULT WINAPI job_GetOwner(IBackgroundCopyJob3 *iface, LPWSTR *out)
{
    return get_string(iface, OB_PROP_OWNER, out);
}

static HRESULT WINAPI job_SetDisplayName(IBackgroundCopyJob3 *iface, LPCWSTR name)
{
    OB_CHECK_MAY_CHANGE(record(iface));
    return ob_job_set_display_name(record(iface), name);
}

static HRESULT WINAPI job_GetDisplayName(IBackgroundCopyJob3 *iface, LPWSTR *out)
{
    return get_string(iface, OB_PROP_DISPLAY_NAME, out);
}

static HRESULT WINAPI job_SetDescription(IBackgroundCopyJob3 *iface, LPCWSTR description)
{
    OB_CHECK_MAY_CHANGE(record(iface));
    return ob_job_set_description(record(iface), description);
}

static HRESULT WINAPI job_GetDescription(IBackgroundCopyJob3 *iface, LPWSTR *out)
{
    return get_string(iface, OB_PROP_DESCRIPTION, out);
}

static HRESULT WINAPI job_SetPriority(IBackgroundCopyJob3 *iface, BG_JOB_PRIORITY priority)
{
    OB_CHECK_MAY_CHANGE(record(iface));
    return ob_job_set_priority(record(iface), priority);
}

INFO_GETTER(GetPriority, BG_JOB_PRIORITY, priority)

static HRESULT WINAPI job_SetNotifyFlags(IBackgroundCopyJob3 *iface, ULONG flags)
{
    OB_CHECK_MAY_CHANGE(record(iface));
    ob_job_info before;
    HRESULT hr;

    ob_job_get_info(record(iface), &before);
    if (SUCCEEDED(hr = ob_job_set_notify_flags(record(iface), flags)))
        ob_notify_flags_changed(record(iface), before.notify_flags, flags);
    return hr;
}

INFO_GETTER(GetNotifyFlags, ULONG, notify_flags)

/* The job keeps a holder of the client's pointer (notify.c), so that the
 * callback is made in the apartment that registered it. */
static HRESULT WINAPI job_SetNotifyInterface(IBackgroundCopyJob3 *iface, IUnknown *callback)
{
    OB_CHECK_MAY_CHANGE(record(iface));
    ob_sink *sink = NULL;
    HRESULT hr;

    if (callback && FAILED(hr = ob_notify_holder_create(callback, &sink))) return hr;
    hr = ob_job_set_notify_sink(record(iface), sink);
    if (sink) ob_sink_release(sink);
    if (SUCCEEDED(hr) && callback) ob_notify_redeliver(record(iface));
    return hr;
}

static HRESULT WINAPI job_GetNotifyInterface(IBackgroundCopyJob3 *iface, IUnknown **out)
{
    ob_sink *sink;
    HRESULT hr;

    if (!out) return E_INVALIDARG;
    *out = NULL;
    if (!(sink = ob_job_get_notify_sink(record(iface)))) return S_OK;
    hr = ob_notify_holder_get(sink, &IID_IUnknown, (void **)out);
    ob_sink_release(sink);
    return hr;
}

static HRESULT WINAPI job_SetMinimumRetryDelay(IBackgroundCopyJob3 *iface, ULONG seconds)
{
    OB_CHECK_MAY_CHANGE(record(iface));
    return ob_job_set_retry_delay(record(iface), seconds);
}

INFO_GETTER(GetMinimumRetryDelay, ULONG, retry_delay)

static HRESULT WINAPI job_SetNoProgressTimeout(IBackgroundCopyJob3 *iface, ULONG seconds)
{
    OB_CHECK_MAY_CHANGE(record(iface));
    return ob_job_set_no_progress_timeout(record(iface), seconds);
}

INFO_GETTER(GetNoProgressTimeout, ULONG, no_progress_timeout)

INFO_GETTER(GetErrorCount, ULONG, error_count)

static HRESULT WINAPI job_SetProxySettings(IBackgroundCopyJob3 *iface, BG_JOB_PROXY_USAGE usage,
                                           const WCHAR *list, const WCHAR *bypass)
{
    OB_CHECK_MAY_CHANGE(record(iface));
    return ob_job_set_proxy(record(iface), usage, list, bypass);
}

static HRESULT WINAPI job_GetProxySettings(IBackgroundCopyJob3 *iface, BG_JOB_PROXY_USAGE *usage,
                                           LPWSTR *list, LPWSTR *bypass)
{
    ob_job_info info;
    HRESULT hr;

    if (!usage || !list || !bypass) return E_INVALIDARG;
    ob_job_get_info(record(iface), &info);
    if (FAILED(hr = ob_job_get_string(record(iface), OB_PROP_PROXY_LIST, list))) return hr;
    if (FAILED(hr = ob_job_get_string(record(iface), OB_PROP_PROXY_BYPASS, bypass)))
    {
        CoTaskMemFree(*list);
        *list = NULL;
        return hr;
    }
    *usage = info.proxy_usage;
    return S_OK;
}

static HRESULT WINAPI job_TakeOwnership(IBackgroundCopyJob3 *iface)
{
    ob_caller caller;
    HRESULT hr;
    if (FAILED(hr = ob_manager_caller(&caller))) return hr;
    return ob_table_take_ownership(ob_module_table(), record(iface), &caller);
}

static HRESULT WINAPI job_SetNotifyCmdLine(IBackgroundCopyJob3 *iface, LPCWSTR program, LPCWSTR parameters)
{
    OB_CHECK_MAY_CHANGE(record(iface));
    HRESULT hr = ob_job_set_notify_cmdline(record(iface), program, parameters);
    /* a job already TRANSFERRED or in ERROR still runs the program */
    if (SUCCEEDED(hr) && program) ob_notify_redeliver(record(iface));
    return hr;
}

static HRESULT WINAPI job_GetNotifyCmdLine(IBackgroundCopyJob3 *iface, LPWSTR *program, LPWSTR *parameters)
{
    HRESULT hr;
    if (!program || !parameters) return E_INVALIDARG;
    if (FAILED(hr = ob_job_get_string(record(iface), OB_PROP_NOTIFY_PROGRAM, program))) return hr;
    if (FAILED(hr = ob_job_get_string(record(iface), OB_PROP_NOTIFY_PARAMETERS, parameters)))
    {
        CoTaskMemFree(*program);
        *program = NULL;
    }
    return hr;
}

static HRESULT WINAPI job_GetReplyProgress(IBackgroundCopyJob3 *iface, BG_JOB_REPLY_PROGRESS *out)
{
    if (!out) return E_INVALIDARG;
    return ob_job_get_reply_progress(record(iface), out);
}

static HRESULT WINAPI job_GetReplyData(IBackgroundCopyJob3 *iface, byte **buffer, UINT64 *length)
{
    if (!buffer || !length) return E_INVALIDARG;
    return ob_job_get_reply_data(record(iface), buffer, length);
}

static HRESULT WINAPI job_SetReplyFileName(IBackgroundCopyJob3 *iface, LPCWSTR name)
{
    OB_CHECK_MAY_CHANGE(record(iface));
    return ob_job_set_reply_file_name(record(iface), name);
}

static HRESULT WINAPI job_GetReplyFileName(IBackgroundCopyJob3 *iface, LPWSTR *out)
{
    return get_string(iface, OB_PROP_REPLY_FILE_NAME, out);
}

static HRESULT WINAPI job_SetCredentials(IBackgroundCopyJob3 *iface, BG_AUTH_CREDENTIALS *credentials)
{
    OB_CHECK_MAY_CHANGE(record(iface));
    if (!credentials) return E_INVALIDARG;
    return ob_job_set_credentials(record(iface), credentials);
}

static HRESULT WINAPI job_RemoveCredentials(IBackgroundCopyJob3 *iface, BG_AUTH_TARGET target,
                                            BG_AUTH_SCHEME scheme)
{
    OB_CHECK_MAY_CHANGE(record(iface));
    return ob_job_remove_credentials(record(iface), target, scheme);
}

/* ---- IBackgroundCopyJob3 ---- */

static HRESULT WINAPI job_ReplaceRemotePrefix(IBackgroundCopyJob3 *iface, LPCWSTR old_prefix, LPCWSTR new_prefix)
{
    OB_CHECK_MAY_CHANGE(record(iface));
    return ob_job_replace_remote_prefix(record(iface), old_prefix, new_prefix);
}

static HRESULT WINAPI job_AddFileWithRanges(IBackgroundCopyJob3 *iface, LPCWSTR remote, LPCWSTR local, DWORD count,
                                            BG_FILE_RANGE *ranges)
{
    BG_FILE_INFO file = { (WCHAR *)remote, (WCHAR *)local };
    ob_caller caller;
    HRESULT hr;
    if (FAILED(hr = ob_manager_caller(&caller))) return hr;
    return ob_table_add_file_with_ranges(ob_module_table(), record(iface), &file, count, ranges, &caller);
}

static HRESULT WINAPI job_SetFileACLFlags(IBackgroundCopyJob3 *iface, DWORD flags)
{
    OB_CHECK_MAY_CHANGE(record(iface));
    return ob_job_set_file_acl_flags(record(iface), flags);
}

static HRESULT WINAPI job_GetFileACLFlags(IBackgroundCopyJob3 *iface, DWORD *flags)
{
    ULONG value;
    HRESULT hr;
    if (!flags) return E_INVALIDARG;
    if (SUCCEEDED(hr = ob_job_get_ulong_prop(record(iface), OB_PROP_FILE_ACL_FLAGS, &value))) *flags = value;
    return hr;
}

static const IBackgroundCopyJob3Vtbl job_vtbl = {
    job_QueryInterface,
    job_AddRef,
    job_Release,
    job_AddFileSet,
    job_AddFile,
    job_EnumFiles,
    job_Suspend,
    job_Resume,
    job_Cancel,
    job_Complete,
    job_GetId,
    job_GetType,
    job_GetProgress,
    job_GetTimes,
    job_GetState,
    job_GetError,
    job_GetOwner,
    job_SetDisplayName,
    job_GetDisplayName,
    job_SetDescription,
    job_GetDescription,
    job_SetPriority,
    job_GetPriority,
    job_SetNotifyFlags,
    job_GetNotifyFlags,
    job_SetNotifyInterface,
    job_GetNotifyInterface,
    job_SetMinimumRetryDelay,
    job_GetMinimumRetryDelay,
    job_SetNoProgressTimeout,
    job_GetNoProgressTimeout,
    job_GetErrorCount,
    job_SetProxySettings,
    job_GetProxySettings,
    job_TakeOwnership,
    job_SetNotifyCmdLine,
    job_GetNotifyCmdLine,
    job_GetReplyProgress,
    job_GetReplyData,
    job_SetReplyFileName,
    job_GetReplyFileName,
    job_SetCredentials,
    job_RemoveCredentials,
    job_ReplaceRemotePrefix,
    job_AddFileWithRanges,
    job_SetFileACLFlags,
    job_GetFileACLFlags,
};

HRESULT ob_job_object_create(ob_job *record, IBackgroundCopyJob2 **out)
{
    if (ob_job_flavour(record) == &ob_flavour_do) return ob_do_job_object_create(record, (IBackgroundCopyJob **)out);
    return ob_bits_job_object_create(record, out);
}

/* The plain (BITS) job object; a DO job's object wraps one. */
HRESULT ob_bits_job_object_create(ob_job *record, IBackgroundCopyJob2 **out)
{
    job *self = HeapAlloc(GetProcessHeap(), 0, sizeof(*self));
    if (!self) return E_OUTOFMEMORY;
    self->IBackgroundCopyJob3_iface.lpVtbl = (IBackgroundCopyJob3Vtbl *)&job_vtbl;
    self->refs = 1;
    self->job = record;
    ob_http_options_init(&self->http, (IUnknown *)&self->IBackgroundCopyJob3_iface, record);
    ob_job_addref(record);
    ob_module_lock();
    *out = (IBackgroundCopyJob2 *)&self->IBackgroundCopyJob3_iface;
    return S_OK;
}
