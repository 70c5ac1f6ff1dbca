/* Client certificates in the system's stores (IBackgroundCopyJobHttpOptions::
 * SetClientCertificateByID/ByName): the one lookup, used when a job is given
 * one (its documented errors) and when a backend applies it.  Knows no job. */
#ifndef OB_CERT_STORE_H
#define OB_CERT_STORE_H

#include "ob_types.h"
#include <wincrypt.h>

/* Opens the store read-only and finds the certificate with that SHA-1 hash
 * (20 bytes), or else the first whose subject contains subject.  E_NOTIMPL
 * for a location BG_CERT_STORE_LOCATION does not define,
 * HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND) for no such store, E_ACCESSDENIED
 * for a store the caller may not open, CRYPT_E_NOT_FOUND for no such
 * certificate.  *out: CertFreeCertificateContext it. */
HRESULT ob_cert_store_find(BG_CERT_STORE_LOCATION location, const WCHAR *store, const BYTE *hash,
                           const WCHAR *subject, PCCERT_CONTEXT *out);
/* Its SHA-1 hash (20 bytes) and simple subject name (a heap string). */
HRESULT ob_cert_describe(PCCERT_CONTEXT cert, BYTE *hash, WCHAR **subject);
/* libcurl's Schannel form of it: "CurrentUser\MY\" then the hash in hex (ob_str_free). */
WCHAR *ob_cert_schannel_path(BG_CERT_STORE_LOCATION location, const WCHAR *store, const BYTE *hash);

#endif
