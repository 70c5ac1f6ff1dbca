/* HTTP Digest authentication (RFC 7616, RFC 2617's qop=auth and RFC 2069's
 * form without qop), computed by openbits itself for both HTTP backends:
 * under Wine neither can (Wine's WinHTTP has no Digest case, and libcurl
 * built with Schannel does Digest only through SSPI's WDigest package,
 * which Wine lacks; docs/choices.md).  Algorithm MD5 only (the one WinHTTP
 * answers); a challenge asking for another, or offering only auth-int, is
 * not answered.  Plain functions: transport_http.c finds the challenge,
 * asks for the answer and sends the request again with it. */
#ifndef OB_HTTP_DIGEST_H
#define OB_HTTP_DIGEST_H

#include "transport.h"

/* The nonce answered last and its count: an answer to the same nonce
 * counts on (nc 2, 3...), a new nonce starts at 1. */
#define OB_HTTP_DIGEST_NONCE_CHARS 128
typedef struct ob_http_digest_count {
    WCHAR nonce[OB_HTTP_DIGEST_NONCE_CHARS];   /* "" when none, or too long to keep */
    ULONG nc;
} ob_http_digest_count;

/* A random client nonce: 32 lowercase hex digits and the NUL. */
#define OB_HTTP_DIGEST_CNONCE_CHARS 33
HRESULT ob_http_digest_cnonce(WCHAR *cnonce);

/* The Digest challenge of target (WWW-Authenticate for SERVER,
 * Proxy-Authenticate for PROXY) among raw response headers ("Name: value"
 * lines): its auth-params, after the scheme, as a heap string (ob_str_free);
 * NULL when no line offers Digest. */
WCHAR *ob_http_digest_challenge(const WCHAR *raw_headers, BG_AUTH_TARGET target);

/* The credentials answering challenge (its auth-params) for a request of
 * method to uri (the request-target's path and query): "Digest
 * username=..., response=..." as a heap string (ob_str_free), with cnonce
 * and the nonce count from *count (updated).  E_NOTIMPL when the challenge
 * cannot be answered: no realm or nonce, an algorithm other than MD5, a
 * qop list without "auth". */
HRESULT ob_http_digest_response(const WCHAR *challenge, const WCHAR *user, const WCHAR *password, const WCHAR *method,
                                const WCHAR *uri, const WCHAR *cnonce, ob_http_digest_count *count, WCHAR **out);

#endif
