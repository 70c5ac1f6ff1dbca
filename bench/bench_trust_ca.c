/* Puts a PEM certificate (the loopback test CA) into the current user's Root
 * store of the Wine prefix, so that the HTTPS rows verify the server as a
 * client would: WinHTTP and openbits (both backends) through the system's
 * chain engine.
 *
 *   bench_trust_ca.exe <ca.pem>
 *
 * Exit status: 0 done, 1 failure, 2 usage. */
#include <stdio.h>
#include <windows.h>
#include <wincrypt.h>

int main(int argc, char **argv)
{
    char pem[16384];
    BYTE der[8192];
    DWORD got = 0, size = sizeof(der);
    PCCERT_CONTEXT ca;
    HCERTSTORE root;
    HANDLE file;
    BOOL ok;

    if (argc != 2) {
        fprintf(stderr, "usage: bench_trust_ca.exe <ca.pem>\n");
        return 2;
    }
    file = CreateFileA(argv[1], GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    if (file == INVALID_HANDLE_VALUE || !ReadFile(file, pem, sizeof(pem), &got, NULL)) {
        fprintf(stderr, "bench_trust_ca: cannot read %s (error %lu)\n", argv[1], GetLastError());
        return 1;
    }
    CloseHandle(file);
    if (!CryptStringToBinaryA(pem, got, CRYPT_STRING_BASE64HEADER, der, &size, NULL, NULL)
        || !(ca = CertCreateCertificateContext(X509_ASN_ENCODING, der, size))) {
        fprintf(stderr, "bench_trust_ca: no PEM certificate in %s (error %lu)\n", argv[1], GetLastError());
        return 1;
    }
    root = CertOpenStore(CERT_STORE_PROV_SYSTEM_REGISTRY_W, 0, 0, CERT_SYSTEM_STORE_CURRENT_USER, L"Root");
    ok = root && CertAddCertificateContextToStore(root, ca, CERT_STORE_ADD_REPLACE_EXISTING, NULL);
    if (!ok) fprintf(stderr, "bench_trust_ca: cannot add the CA to the Root store (error %lu)\n", GetLastError());
    if (root) CertCloseStore(root, 0);
    CertFreeCertificateContext(ca);
    return ok ? 0 : 1;
}
