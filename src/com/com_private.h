/* Shared by the COM objects of openbits.dll: each object is created through
 * one of these functions and keeps the module loaded while it lives. */
#ifndef OB_COM_PRIVATE_H
#define OB_COM_PRIVATE_H

#include <windows.h>
#include <objbase.h>
#include "openbits.h"
#include "do.h"
#include "engine.h"
#include "notify.h"
#include "table.h"
#include "flavour.h"

extern HINSTANCE ob_module_instance;
void ob_module_lock(void);
void ob_module_unlock(void);

/* CLASS_E_CLASSNOTAVAILABLE for a CLSID not ours. */
HRESULT ob_class_factory_get(REFCLSID clsid, REFIID iid, void **out);
HRESULT ob_manager_create(const ob_flavour *flavour, REFIID iid, void **out);
/* The job's COM object: a DO job's is do_job.c's (IBackgroundCopyJob only). */
HRESULT ob_job_object_create(ob_job *job, IBackgroundCopyJob2 **out);
HRESULT ob_bits_job_object_create(ob_job *job, IBackgroundCopyJob2 **out);
/* A DO job (do_job.c), over the plain job object it wraps. */
HRESULT ob_do_job_object_create(ob_job *job, IBackgroundCopyJob **out);
/* An IDODownload (do_download.c) over a DO job; the download table
 * (do_manager.c) keeps one per job. */
HRESULT ob_do_download_create(ob_job *job, IDODownload **out);
/* AddRef'd: the caller's live downloads in that category (NULL: all). */
HRESULT ob_do_download_snapshot(const ob_caller *caller, const DO_DOWNLOAD_ENUM_CATEGORY *category,
                                IUnknown ***list, ULONG *count);
/* Takes over the list (its references and array). */
HRESULT ob_enum_unknown_create(IUnknown **items, ULONG count, IEnumUnknown **out);
/* The file's COM object: a DO job's file's is do_file.c's. */
HRESULT ob_file_object_create(ob_job *job, ULONG index, IBackgroundCopyFile **out);
HRESULT ob_bits_file_object_create(ob_job *job, ULONG index, IBackgroundCopyFile **out);
HRESULT ob_do_file_object_create(ob_job *job, ULONG index, IBackgroundCopyFile **out);
/* Takes over the snapshot (its references and array). */
HRESULT ob_enum_jobs_create(ob_job **jobs, ULONG count, IEnumBackgroundCopyJobs **out);
HRESULT ob_enum_files_create(ob_job *job, IEnumBackgroundCopyFiles **out);
HRESULT ob_error_object_create(ob_job *job, const ob_error_info *error, IBackgroundCopyError **out);

/* Proxy/stubs (proxystub.c): the interfaces whose system proxy/stub is
 * broken; _use_own makes this process use openbits_ps.dll for them (not in
 * the host, whose stubs follow the registry). */
extern const IID *const ob_broken_system_proxy_iids[];
extern const ULONG ob_broken_system_proxy_count;
BOOL ob_in_host(void);
/* The calling client (manager.c): in the host by impersonation. */
HRESULT ob_manager_caller(ob_caller *caller);
/* Before a method that changes a job (a setter, AddFile, Suspend, Resume,
 * Cancel, Complete, credentials, HTTP options): S_OK if the calling client
 * is the job's owner or an administrator, E_ACCESSDENIED otherwise. */
HRESULT ob_manager_may_change(ob_job *job);
/* The first statement of such a method.  Getters need no check: the job was
 * reached through GetJob or EnumJobs, which check. */
#define OB_CHECK_MAY_CHANGE(job)                          \
    do                                                    \
    {                                                     \
        HRESULT access_ = ob_manager_may_change(job);     \
        if (FAILED(access_)) return access_;              \
    } while (0)
void ob_proxy_stub_use_own(void);

/* The opt-in takeover of Microsoft's BITS CLSIDs (takeover.c); S_FALSE when
 * already installed / not installed. */
HRESULT ob_takeover_install(const WCHAR *host_command);
HRESULT ob_takeover_uninstall(void);

/* The module's one engine, made and started on first use; NULL only when
 * out of memory.  It lives as long as the process. */
ob_engine *ob_module_engine(void);
ob_table *ob_module_table(void);

/* A job object's IBackgroundCopyJobHttpOptions3 (job_http_options.c): a
 * part of the job object, with its identity (QueryInterface, AddRef and
 * Release go to `outer`). */
typedef struct ob_http_options {
    IBackgroundCopyJobHttpOptions3 IBackgroundCopyJobHttpOptions3_iface;
    IUnknown *outer;           /* not referenced: it contains this */
    ob_job *job;
} ob_http_options;

void ob_http_options_init(ob_http_options *self, IUnknown *outer, ob_job *job);
/* The interface for HttpOptions, HttpOptions2 and HttpOptions3 (no
 * reference taken), or NULL for another IID. */
void *ob_http_options_query(ob_http_options *self, REFIID iid);

/* The Global Interface Table (notify.c): a client's interface kept for
 * calls from any apartment. */
HRESULT ob_git_register(IUnknown *object, DWORD *cookie);
HRESULT ob_git_get(DWORD cookie, REFIID iid, void **out);
/* From any thread, COM initialised or not. */
void ob_git_revoke(DWORD cookie);

/* Notifications (notify.c).  The holder is the sink the engine job keeps: it
 * holds the client's pointer in the Global Interface Table; _get fetches it
 * for the calling apartment. */
HRESULT ob_notify_holder_create(IUnknown *callback, ob_sink **out);
HRESULT ob_notify_holder_get(ob_sink *sink, REFIID iid, void **out);

#endif
