/* Client certificates in the system's stores (see cert_store.h). */
#include "cert_store.h"
#include "str.h"
#include <stdio.h>

static const struct {
    DWORD flags;               /* CertOpenStore's CERT_SYSTEM_STORE_* */
    const WCHAR *name;         /* libcurl's Schannel name of the location */
} locations[] = {
    { CERT_SYSTEM_STORE_CURRENT_USER, L"CurrentUser" },
    { CERT_SYSTEM_STORE_LOCAL_MACHINE, L"LocalMachine" },
    { CERT_SYSTEM_STORE_CURRENT_SERVICE, L"CurrentService" },
    { CERT_SYSTEM_STORE_SERVICES, L"Services" },
    { CERT_SYSTEM_STORE_USERS, L"Users" },
    { CERT_SYSTEM_STORE_CURRENT_USER_GROUP_POLICY, L"CurrentUserGroupPolicy" },
    { CERT_SYSTEM_STORE_LOCAL_MACHINE_GROUP_POLICY, L"LocalMachineGroupPolicy" },
    { CERT_SYSTEM_STORE_LOCAL_MACHINE_ENTERPRISE, L"LocalMachineEnterprise" },
};

/* A store that exists, read-only; its documented errors otherwise. */
static HRESULT open_existing(LPCSTR provider, BG_CERT_STORE_LOCATION location, const WCHAR *store, HCERTSTORE *out)
{
    *out = CertOpenStore(provider, 0, 0,
                         locations[location].flags | CERT_STORE_OPEN_EXISTING_FLAG | CERT_STORE_READONLY_FLAG, store);
    if (*out) return S_OK;
    if (GetLastError() == ERROR_ACCESS_DENIED) return E_ACCESSDENIED;
    return HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND);
}

HRESULT ob_cert_store_find(BG_CERT_STORE_LOCATION location, const WCHAR *store, const BYTE *hash,
                           const WCHAR *subject, PCCERT_CONTEXT *out)
{
    CRYPT_HASH_BLOB blob = { 20, (BYTE *)hash };
    HCERTSTORE opened;
    HRESULT hr;

    *out = NULL;
    if ((ULONG)location >= ARRAYSIZE(locations)) return E_NOTIMPL;
    /* Whether the store exists: its registry part, opened as existing (Wine
     * opens any system store name, as an empty one, whatever the flags). */
    if (FAILED(hr = open_existing(CERT_STORE_PROV_SYSTEM_REGISTRY_W, location, store, &opened))) return hr;
    CertCloseStore(opened, 0);
    /* the search goes through the whole system store (all its physical stores) */
    if (FAILED(hr = open_existing(CERT_STORE_PROV_SYSTEM_W, location, store, &opened))) return hr;
    if (hash) *out = CertFindCertificateInStore(opened, X509_ASN_ENCODING, 0, CERT_FIND_SHA1_HASH, &blob, NULL);
    else *out = CertFindCertificateInStore(opened, X509_ASN_ENCODING, 0, CERT_FIND_SUBJECT_STR_W, subject, NULL);
    CertCloseStore(opened, 0);
    return *out ? S_OK : CRYPT_E_NOT_FOUND;
}

HRESULT ob_cert_describe(PCCERT_CONTEXT cert, BYTE *hash, WCHAR **subject)
{
    DWORD size = 20, chars;

    *subject = NULL;
    if (!CertGetCertificateContextProperty(cert, CERT_HASH_PROP_ID, hash, &size) || size != 20)
        return HRESULT_FROM_WIN32(GetLastError());
    /* documented: the simple subject name, its RDNs in reverse order */
    chars = CertNameToStrW(X509_ASN_ENCODING, &cert->pCertInfo->Subject,
                           CERT_SIMPLE_NAME_STR | CERT_NAME_STR_REVERSE_FLAG, NULL, 0);
    if (!(*subject = HeapAlloc(GetProcessHeap(), 0, (chars ? chars : 1) * sizeof(WCHAR)))) return E_OUTOFMEMORY;
    (*subject)[0] = 0;
    if (chars)
        CertNameToStrW(X509_ASN_ENCODING, &cert->pCertInfo->Subject, CERT_SIMPLE_NAME_STR | CERT_NAME_STR_REVERSE_FLAG,
                       *subject, chars);
    return S_OK;
}

WCHAR *ob_cert_schannel_path(BG_CERT_STORE_LOCATION location, const WCHAR *store, const BYTE *hash)
{
    size_t chars;
    WCHAR *path;
    int i, n;

    if ((ULONG)location >= ARRAYSIZE(locations)) return NULL;
    chars = wcslen(locations[location].name) + wcslen(store) + 2 + 40 + 1;
    if (!(path = HeapAlloc(GetProcessHeap(), 0, chars * sizeof(WCHAR)))) return NULL;
    n = swprintf(path, chars, L"%ls\\%ls\\", locations[location].name, store);
    for (i = 0; i < 20 && n > 0; i++) n += swprintf(path + n, chars - n, L"%02x", hash[i]);
    return path;
}
