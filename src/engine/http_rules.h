/* The BITS rules of HTTP, as plain functions over status codes and header
 * text: what a HEAD answer says about the size, what a ranged GET must
 * answer, which response means which BG_E_* code, validators, redirects and
 * which credential answers which challenge.  No I/O and no HTTP library:
 * transport_http.c applies them over any backend (http_backend.h), and
 * tests/unit/test_http_rules.c tests them alone. */
#ifndef OB_HTTP_RULES_H
#define OB_HTTP_RULES_H

#include "transport.h"

#define OB_HTTP_MAX_REDIRECTS 10
#define OB_HTTP_DATE_CHARS 32      /* "Sun, 06 Nov 1994 08:49:37 GMT" and its NUL */

/* What a 206 announced: bytes [first, first + length) of total. */
typedef struct ob_http_range {
    UINT64 first;
    UINT64 length;
    UINT64 total;              /* BG_SIZE_UNKNOWN for a total of "*" */
} ob_http_range;

/* Decimal digits at *p into *value, advancing *p; FALSE on none or overflow. */
BOOL ob_http_parse_u64(const WCHAR **p, UINT64 *value);
/* "bytes first-last/total" (total may be "*"); FALSE if malformed. */
BOOL ob_http_parse_content_range(const WCHAR *text, ob_http_range *range);
/* An IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT", RFC 9110) to a FILETIME;
 * FALSE (and *time zero) for anything else. */
BOOL ob_http_parse_date(const WCHAR *text, FILETIME *time);
/* The IMF-fixdate of a time, into OB_HTTP_DATE_CHARS characters. */
BOOL ob_http_format_date(const FILETIME *time, WCHAR *text);

/* BG_E_HTTP_ERROR_nnn: 0x80190000 | status. */
HRESULT ob_http_status_error(DWORD status);

/* The answer to HEAD.  Only 200 and 203 describe the entity: its size is
 * Content-Length (NULL: absent, BG_E_MISSING_FILE_SIZE), its time
 * Last-Modified (NULL or unparsable: unknown).  Any other status is
 * BG_E_HTTP_ERROR_nnn (5xx transient), with context REMOTE_FILE. */
HRESULT ob_http_probe_answer(DWORD status, const WCHAR *content_length, const WCHAR *last_modified,
                             ob_remote_info *info, ob_failure *failure);

/* The answer to "GET, Range: bytes=offset-" for the file probed as
 * *expected (size BG_SIZE_UNKNOWN and time zero: nothing to check).  S_OK
 * with *range: a 206 starting at offset whose total is the probed size and
 * whose Last-Modified (if any) is the probed time, or a 416 saying the file
 * has exactly offset bytes (length 0).  A 412 (our If-Unmodified-Since
 * failed), another total or another time: the file changed
 * (failure->changed, BG_E_INVALID_SERVER_RESPONSE, transient).  A 200 or a
 * 206 elsewhere: BG_E_INSUFFICIENT_RANGE_SUPPORT.  >= 400:
 * BG_E_HTTP_ERROR_nnn. */
HRESULT ob_http_range_answer(DWORD status, const WCHAR *content_range, const WCHAR *last_modified, UINT64 offset,
                             const ob_remote_info *expected, ob_http_range *range, ob_failure *failure);

/* The headers of that ranged GET: "Range: bytes=offset-" and, when the time
 * is known, "If-Unmodified-Since: <date>" (CRLF separated). */
void ob_http_range_headers(UINT64 offset, const ob_remote_info *expected, WCHAR *out, DWORD chars);

/* The same for "Range: bytes=offset-(end-1)" (a part of a file, end
 * exclusive; BG_SIZE_UNKNOWN: to the end, as above): a 206 that goes past
 * end - 1 is BG_E_INVALID_SERVER_RESPONSE, permanent (documented for
 * ranges: BITS does not support servers that merge or widen ranges). */
HRESULT ob_http_part_answer(DWORD status, const WCHAR *content_range, const WCHAR *last_modified, UINT64 offset,
                            UINT64 end, const ob_remote_info *expected, ob_http_range *range, ob_failure *failure);
void ob_http_part_headers(UINT64 offset, UINT64 end, const ob_remote_info *expected, WCHAR *out, DWORD chars);

/* 301, 302, 303, 307 and 308 are followed (by us, never by the backend). */
BOOL ob_http_is_redirect(DWORD status);
/* Where a redirect from url leads: an absolute http(s) URL, or a Location
 * relative to url (absolute path, or path relative to its directory).  No
 * Location: ERROR_WINHTTP_HEADER_NOT_FOUND; another scheme (file:, ftp:...)
 * or a malformed one: ERROR_WINHTTP_REDIRECT_FAILED; both permanent.
 * *out is a heap string (ob_str_free). */
HRESULT ob_http_redirect_target(const WCHAR *url, const WCHAR *location, WCHAR **out, ob_failure *failure);
/* The whole chain of a request, the first URL included: more than
 * OB_HTTP_MAX_REDIRECTS hops, or a URL seen before (a loop), is
 * ERROR_WINHTTP_REDIRECT_FAILED, permanent. */
HRESULT ob_http_check_hop(const WCHAR *const *chain, ULONG count, const WCHAR *next, ob_failure *failure);

/* The job's redirect policy (IBackgroundCopyJobHttpOptions::SetSecurityFlags)
 * for a redirect answered `status` from `from` to `to`: S_OK to follow it.
 * BG_HTTP_REDIRECT_POLICY_DISALLOW: HRESULT_FROM_WIN32(status) (documented:
 * HTTP_STATUS_MOVED, _REDIRECT, _REDIRECT_METHOD, _REDIRECT_KEEP_VERB...);
 * https to http without BG_HTTP_REDIRECT_POLICY_ALLOW_HTTPS_TO_HTTP:
 * ERROR_WINHTTP_REDIRECT_FAILED.  Both permanent, context REMOTE_FILE. */
HRESULT ob_http_redirect_allowed(ULONG security_flags, DWORD status, const WCHAR *from, const WCHAR *to,
                                 ob_failure *failure);
/* Flags SetSecurityFlags accepts: the BG_SSL_* bits, one redirect policy
 * (ALLOW_SILENT, ALLOW_REPORT or DISALLOW) and ALLOW_HTTPS_TO_HTTP. */
BOOL ob_http_security_flags_valid(ULONG flags);

/* The headers of one request: the request's own, then the job's custom
 * ones, CRLF between; a heap string (ob_str_free), or NULL when both are
 * NULL or empty (and for no memory: *hr says which). */
WCHAR *ob_http_join_headers(const WCHAR *own, const WCHAR *custom, HRESULT *hr);

/* TRUE when both URLs have the same scheme, host and port: server
 * credentials go only to the origin of the remote name they were set for. */
BOOL ob_http_same_origin(const WCHAR *a, const WCHAR *b);

/* The request-target of an absolute http(s) URL in origin form: its path
 * and query, without the fragment; "/" when it has no path.  A heap string
 * (ob_str_free); NULL for no memory or no http(s) URL. */
WCHAR *ob_http_request_path(const WCHAR *url);

/* Bits of BG_AUTH_SCHEME values: 1 << scheme. */
#define OB_HTTP_SCHEME_BIT(scheme) (1u << (scheme))

/* The credential that answers a challenge of target offering the schemes in
 * `offered` (OB_HTTP_SCHEME_BIT mask): the server's preferred scheme if the
 * job has credentials for it, else the first offered one it has; NULL when
 * none. */
const ob_transport_credential *ob_http_pick_credential(const ob_transport_credential *credentials, ULONG count,
                                                       BG_AUTH_TARGET target, ULONG offered,
                                                       BG_AUTH_SCHEME preferred);

#endif
