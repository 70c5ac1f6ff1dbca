/* The COM side of notifications: a job's sink (engine/sink.h) holds the
 * client's IBackgroundCopyCallback in the Global Interface Table, so that it
 * can be called back in the apartment that registered it, and delivers the
 * engine's events to it.  The queue, the notifier threads, retries and the
 * command line belong to the engine (engine/notify.c). */
#include "com_private.h"
#include "notify.h"

typedef struct holder {
    ob_sink sink;
    LONG refs;
    DWORD cookie;
} holder;

static const ob_sink_ops holder_ops;

static holder *impl_from_sink(ob_sink *sink)
{
    return CONTAINING_RECORD(sink, holder, sink);
}

static HRESULT git_get(IGlobalInterfaceTable **out)
{
    return CoCreateInstance(&CLSID_StdGlobalInterfaceTable, NULL, CLSCTX_INPROC_SERVER,
                            &IID_IGlobalInterfaceTable, (void **)out);
}

HRESULT ob_git_register(IUnknown *object, DWORD *cookie)
{
    IGlobalInterfaceTable *git;
    HRESULT hr;
    if (FAILED(hr = git_get(&git))) return hr;
    hr = IGlobalInterfaceTable_RegisterInterfaceInGlobal(git, object, &IID_IUnknown, cookie);
    IGlobalInterfaceTable_Release(git);
    return hr;
}

HRESULT ob_git_get(DWORD cookie, REFIID iid, void **out)
{
    IGlobalInterfaceTable *git;
    HRESULT hr;
    *out = NULL;
    if (FAILED(hr = git_get(&git))) return hr;
    hr = IGlobalInterfaceTable_GetInterfaceFromGlobal(git, cookie, iid, out);
    IGlobalInterfaceTable_Release(git);
    return hr;
}

/* The last job reference may go on any thread, an engine worker without COM
 * included; a cookie may be revoked from any apartment, so join the MTA. */
void ob_git_revoke(DWORD cookie)
{
    HRESULT init = CoInitializeEx(NULL, COINIT_MULTITHREADED);
    IGlobalInterfaceTable *git;

    if (SUCCEEDED(git_get(&git)))
    {
        IGlobalInterfaceTable_RevokeInterfaceFromGlobal(git, cookie);
        IGlobalInterfaceTable_Release(git);
    }
    if (SUCCEEDED(init)) CoUninitialize();
}

static void holder_addref(ob_sink *sink)
{
    InterlockedIncrement(&impl_from_sink(sink)->refs);
}

static void holder_release(ob_sink *sink)
{
    holder *self = impl_from_sink(sink);
    if (InterlockedDecrement(&self->refs)) return;
    ob_git_revoke(self->cookie);
    HeapFree(GetProcessHeap(), 0, self);
    ob_module_unlock();
}

HRESULT ob_notify_holder_create(IUnknown *callback, ob_sink **out)
{
    holder *self;
    HRESULT hr;

    *out = NULL;
    if (!(self = HeapAlloc(GetProcessHeap(), 0, sizeof(*self)))) return E_OUTOFMEMORY;
    if (FAILED(hr = ob_git_register(callback, &self->cookie)))
    {
        HeapFree(GetProcessHeap(), 0, self);
        return hr;
    }
    self->sink.ops = &holder_ops;
    self->refs = 1;
    ob_module_lock();
    *out = &self->sink;
    return S_OK;
}

HRESULT ob_notify_holder_get(ob_sink *sink, REFIID iid, void **out)
{
    *out = NULL;
    if (sink->ops != &holder_ops) return E_UNEXPECTED;
    return ob_git_get(impl_from_sink(sink)->cookie, iid, out);
}

/* ---- calling the client ---- */

static HRESULT call_job_callback(IBackgroundCopyCallback *callback, ob_job *record, ob_notify_kind kind)
{
    IBackgroundCopyError *error = NULL;
    IBackgroundCopyJob2 *job;
    ob_error_info info;
    HRESULT hr;

    if (kind == OB_NOTIFY_JOB_ERROR)
    {
        if (FAILED(ob_job_get_error(record, &info))) return S_OK; /* no longer in ERROR */
        if (FAILED(hr = ob_error_object_create(record, &info, &error))) return hr;
    }
    if (FAILED(hr = ob_job_object_create(record, &job)))
    {
        if (error) IBackgroundCopyError_Release(error);
        return hr;
    }
    switch (kind)
    {
    case OB_NOTIFY_JOB_TRANSFERRED:
        hr = IBackgroundCopyCallback_JobTransferred(callback, (IBackgroundCopyJob *)job);
        break;
    case OB_NOTIFY_JOB_ERROR:
        hr = IBackgroundCopyCallback_JobError(callback, (IBackgroundCopyJob *)job, error);
        break;
    default:
        hr = IBackgroundCopyCallback_JobModification(callback, (IBackgroundCopyJob *)job, 0);
        break;
    }
    if (error) IBackgroundCopyError_Release(error);
    IBackgroundCopyJob2_Release(job);
    return hr;
}

static HRESULT call_file_callback(IBackgroundCopyCallback2 *callback, ob_job *record, ULONG index)
{
    IBackgroundCopyJob2 *job;
    IBackgroundCopyFile *file;
    HRESULT hr;

    if (FAILED(hr = ob_job_object_create(record, &job))) return hr;
    if (SUCCEEDED(hr = ob_file_object_create(record, index, &file)))
    {
        hr = IBackgroundCopyCallback2_FileTransferred(callback, (IBackgroundCopyJob *)job, file);
        IBackgroundCopyFile_Release(file);
    }
    IBackgroundCopyJob2_Release(job);
    return hr;
}

/* The engine's notifier threads are in the MTA: the callback is fetched
 * there (a proxy when the client registered it in an STA).  A client that is
 * gone answers RPC_E_DISCONNECTED or the like, here or from the call. */
static HRESULT holder_call(ob_sink *sink, ob_job *record, ob_notify_kind kind, ULONG file_index)
{
    IUnknown *client;
    void *callback;
    HRESULT hr;

    if (FAILED(hr = ob_notify_holder_get(sink, &IID_IUnknown, (void **)&client))) return hr;
    if (kind == OB_NOTIFY_FILE_TRANSFERRED)
    {
        /* FileTransferred exists only in IBackgroundCopyCallback2. */
        if (SUCCEEDED(hr = IUnknown_QueryInterface(client, &IID_IBackgroundCopyCallback2, &callback)))
        {
            hr = call_file_callback(callback, record, file_index);
            IBackgroundCopyCallback2_Release((IBackgroundCopyCallback2 *)callback);
        }
    }
    else if (SUCCEEDED(hr = IUnknown_QueryInterface(client, &IID_IBackgroundCopyCallback, &callback)))
    {
        hr = call_job_callback(callback, record, kind);
        IBackgroundCopyCallback_Release((IBackgroundCopyCallback *)callback);
    }
    IUnknown_Release(client);
    return hr;
}

static const ob_sink_ops holder_ops = {
    holder_addref,
    holder_release,
    holder_call,
};
