/* A job's HTTP options (IBackgroundCopyJobHttpOptions 1 to 3): custom
 * headers, security flags and redirect policy, the client certificate, the
 * HTTP method, the server certificate check; and each file's final response
 * headers (IBackgroundCopyFile5, BITS_FILE_PROPERTY_ID_HTTP_RESPONSE_HEADERS).
 * The fields live in the job record (job.h) under its lock; job_http.c has
 * every function that touches them. */
#ifndef OB_JOB_HTTP_H
#define OB_JOB_HTTP_H

#include "ob_types.h"
#include "cert_check.h"

struct ob_job;
struct ob_transport;
struct ob_transport_options;
struct ob_error_info;

#define OB_MAX_CUSTOM_HEADERS 16383     /* characters; 16 384 with the NUL (documented) */
#define OB_CERT_HASH_SIZE 20            /* SHA-1 */
#define OB_MAX_CERT_STORE_NAME 256
#define OB_MAX_CERT_SUBJECT 256
#define OB_MAX_HTTP_METHOD 64

/* Found in its store when set (by hash or by subject), so all of it is known. */
typedef struct ob_client_cert {
    BOOL set;
    BG_CERT_STORE_LOCATION location;
    WCHAR *store;
    BYTE hash[OB_CERT_HASH_SIZE];
    WCHAR *subject;            /* the certificate's simple subject name */
} ob_client_cert;

typedef struct ob_job_http {
    WCHAR *custom_headers;     /* NULL: none */
    BOOL headers_write_only;   /* MakeCustomHeadersWriteOnly: never read back */
    ULONG security_flags;
    WCHAR *method;             /* NULL: the default (GET, BITS_POST) */
    ob_client_cert cert;
    ob_cert_check *cert_check; /* one reference; NULL: none */
    /* BG_HTTP_REDIRECT_POLICY_DISALLOW: the URL a refused redirect named,
     * the file's remote name once that refusal puts the job in ERROR */
    WCHAR *refused_url;
    ULONG refused_file;
} ob_job_http;

/* ---- the client's side: every setter fails with BG_E_INVALID_STATE on a
 * job in a final state, and records a change ---- */

/* NULL removes them; over OB_MAX_CUSTOM_HEADERS characters:
 * BG_E_STRING_TOO_LONG. */
HRESULT ob_job_set_custom_headers(struct ob_job *job, const WCHAR *headers);
/* A CoTaskMemAlloc'd copy; S_FALSE and NULL when none; E_ACCESSDENIED once
 * they are write-only. */
HRESULT ob_job_get_custom_headers(struct ob_job *job, WCHAR **out);
HRESULT ob_job_make_custom_headers_write_only(struct ob_job *job);
/* E_NOTIMPL for flags ob_http_security_flags_valid refuses. */
HRESULT ob_job_set_security_flags(struct ob_job *job, ULONG flags);
ULONG ob_job_get_security_flags(struct ob_job *job);
/* The certificate with that SHA-1 hash (OB_CERT_HASH_SIZE bytes), or else
 * the first whose subject contains `subject`, looked up now in the store
 * (cert_store.h: its documented errors). */
HRESULT ob_job_set_client_cert(struct ob_job *job, BG_CERT_STORE_LOCATION location, const WCHAR *store,
                               const BYTE *hash, const WCHAR *subject);
/* S_FALSE when there was none. */
HRESULT ob_job_remove_client_cert(struct ob_job *job);
/* CoTaskMemAlloc'd copies; RPC_X_BAD_STUB_DATA when the job has none
 * (documented). */
HRESULT ob_job_get_client_cert(struct ob_job *job, BG_CERT_STORE_LOCATION *location, WCHAR **store, BYTE **hash,
                               WCHAR **subject);
/* Not the default method of the job's type (GET; BITS_POST for uploads):
 * the job becomes FOREGROUND for good (documented).  A name that is not an
 * HTTP token, or longer than OB_MAX_HTTP_METHOD: E_INVALIDARG. */
HRESULT ob_job_set_http_method(struct ob_job *job, const WCHAR *method);
/* CoTaskMemAlloc'd: the method set, or the type's default. */
HRESULT ob_job_get_http_method(struct ob_job *job, WCHAR **out);
/* A custom method fixes the priority (SetPriority:
 * BG_E_NOT_SUPPORTED_WITH_CUSTOM_HTTP_METHOD). */
BOOL ob_job_http_priority_fixed(struct ob_job *job);

/* The check the job calls with every HTTPS server's certificate; NULL
 * removes it.  Only while SUSPENDED: BG_E_READ_ONLY_WHEN_JOB_ACTIVE. */
HRESULT ob_job_set_cert_check(struct ob_job *job, ob_cert_check *check);

/* ---- the job record's side ---- */

void ob_job_http_free(ob_job_http *http);
/* The job lock held exclusively: documented, the headers go with the owner. */
void ob_job_http_owner_changed(ob_job_http *http);

/* ---- the worker's side ---- */

/* The job's lock held (shared): its HTTP options into *options, copied
 * (ob_job_http_free_options frees them).  The redirect policy only for
 * download jobs (documented: it does not apply to uploads). */
void ob_job_http_options(struct ob_job *job, struct ob_transport_options *options);
void ob_job_http_free_options(struct ob_transport_options *options);
/* After a probe or fetch of file index, failed or not: the final response's
 * headers become the file's, and with BG_HTTP_REDIRECT_POLICY_ALLOW_REPORT
 * or _DISALLOW the remote name becomes the URL the redirects led to
 * (documented). */
void ob_job_file_response(struct ob_job *job, ULONG index, struct ob_transport *transport);
/* The job lock held exclusively, the job just failed with *error: a file
 * whose redirect DISALLOW refused takes the redirected URL as its remote
 * name (documented; not before, or the next probe would follow it). */
void ob_job_http_failed(struct ob_job *job, const struct ob_error_info *error);
/* The file's final response's raw headers, CoTaskMemAlloc'd; S_FALSE and
 * NULL when none has arrived yet; E_INVALIDARG for no such file. */
HRESULT ob_job_get_file_response_headers(struct ob_job *job, ULONG index, WCHAR **out);

#endif
