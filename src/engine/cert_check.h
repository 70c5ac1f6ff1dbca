/* A job's server certificate check (IBackgroundCopyJobHttpOptions3::
 * SetServerCertificateValidationInterface): an opaque handle the shell gives
 * the engine, as it gives the notification sink (sink.h).  The engine counts
 * references on it and asks it to judge a certificate; it never knows what is
 * behind it. */
#ifndef OB_CERT_CHECK_H
#define OB_CERT_CHECK_H

#include "ob_types.h"
#include "lock.h"

struct ob_job;
typedef struct ob_cert_check ob_cert_check;

typedef struct ob_cert_check_ops {
    void (*addref)(ob_cert_check *check);
    void (*release)(ob_cert_check *check);
    /* On a worker thread, no lock held: S_OK accepts the server.  Any
     * failure refuses it; BG_E_SERVER_CERT_VALIDATION_INTERFACE_REQUIRED when
     * the client behind it can no longer be called. */
    HRESULT (*validate)(ob_cert_check *check, struct ob_job *job, ULONG file_index, const BYTE *cert,
                        DWORD cert_size, DWORD encoding, const BYTE *store, DWORD store_size);
} ob_cert_check_ops;

struct ob_cert_check {
    const ob_cert_check_ops *ops;
};

/* As for sinks (sink.h): these reach client code, never under a lock. */
static inline HRESULT ob_cert_check_validate(ob_cert_check *check, struct ob_job *job, ULONG file_index,
                                             const BYTE *cert, DWORD cert_size, DWORD encoding, const BYTE *store,
                                             DWORD store_size)
{
    ob_lock_check_free("certificate check");
    return check->ops->validate(check, job, file_index, cert, cert_size, encoding, store, store_size);
}

static inline void ob_cert_check_release(ob_cert_check *check)
{
    ob_lock_check_free("certificate check release");
    check->ops->release(check);
}

#endif
