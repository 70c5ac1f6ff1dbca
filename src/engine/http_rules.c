/* The BITS rules of HTTP as plain functions (see http_rules.h). */
#include "http_rules.h"
#include "str.h"
#include <stdio.h>
#include <winhttp.h>  /* for its error codes only: the codes BITS clients see */

#define HTTP_PARTIAL 206
#define HTTP_PRECONDITION_FAILED 412
#define HTTP_RANGE_NOT_SATISFIABLE 416

static HRESULT remote(ob_failure *failure, HRESULT hr)
{
    return ob_fail(failure, hr, BG_ERROR_CONTEXT_REMOTE_FILE);
}

static HRESULT changed(ob_failure *failure)
{
    ob_fail_as(failure, BG_E_INVALID_SERVER_RESPONSE, BG_ERROR_CONTEXT_REMOTE_FILE, TRUE);
    failure->changed = TRUE;
    return failure->hr;
}

/* ---- numbers, ranges, dates ---- */

BOOL ob_http_parse_u64(const WCHAR **p, UINT64 *value)
{
    const WCHAR *s = *p;
    UINT64 v = 0;
    if (*s < L'0' || *s > L'9') return FALSE;
    for (; *s >= L'0' && *s <= L'9'; s++)
    {
        UINT64 digit = *s - L'0';
        if (v > (~(UINT64)0 - digit) / 10) return FALSE;
        v = v * 10 + digit;
    }
    *p = s;
    *value = v;
    return TRUE;
}

BOOL ob_http_parse_content_range(const WCHAR *s, ob_http_range *range)
{
    UINT64 last;
    if (!s || _wcsnicmp(s, L"bytes ", 6)) return FALSE;
    for (s += 6; *s == L' '; s++) {}
    if (!ob_http_parse_u64(&s, &range->first) || *s++ != L'-' || !ob_http_parse_u64(&s, &last) || *s++ != L'/'
        || last < range->first)
        return FALSE;
    range->length = last - range->first + 1;
    if (s[0] == L'*' && !s[1])
    {
        range->total = BG_SIZE_UNKNOWN;
        return TRUE;
    }
    return ob_http_parse_u64(&s, &range->total) && !*s && last < range->total;
}

static const WCHAR months[12][4] = { L"Jan", L"Feb", L"Mar", L"Apr", L"May", L"Jun",
                                     L"Jul", L"Aug", L"Sep", L"Oct", L"Nov", L"Dec" };
static const WCHAR days[7][4] = { L"Sun", L"Mon", L"Tue", L"Wed", L"Thu", L"Fri", L"Sat" };

static BOOL digits(const WCHAR **p, int count, WORD *value)
{
    int v = 0, i;
    for (i = 0; i < count; i++)
    {
        if ((*p)[i] < L'0' || (*p)[i] > L'9') return FALSE;
        v = v * 10 + ((*p)[i] - L'0');
    }
    *p += count;
    *value = (WORD)v;
    return TRUE;
}

BOOL ob_http_parse_date(const WCHAR *s, FILETIME *time)
{
    SYSTEMTIME t = { 0 };
    int m;

    memset(time, 0, sizeof(*time));
    if (!s || wcslen(s) != 29 || s[3] != L',' || s[4] != L' ') return FALSE;
    s += 5;
    if (!digits(&s, 2, &t.wDay) || *s++ != L' ') return FALSE;
    for (m = 0; m < 12 && wcsncmp(s, months[m], 3); m++) {}
    if (m == 12) return FALSE;
    t.wMonth = (WORD)(m + 1);
    s += 3;
    if (*s++ != L' ' || !digits(&s, 4, &t.wYear) || *s++ != L' ' || !digits(&s, 2, &t.wHour) || *s++ != L':'
        || !digits(&s, 2, &t.wMinute) || *s++ != L':' || !digits(&s, 2, &t.wSecond) || wcscmp(s, L" GMT"))
        return FALSE;
    if (!SystemTimeToFileTime(&t, time))
    {
        memset(time, 0, sizeof(*time));
        return FALSE;
    }
    return TRUE;
}

BOOL ob_http_format_date(const FILETIME *time, WCHAR *text)
{
    SYSTEMTIME t;
    if (!FileTimeToSystemTime(time, &t) || t.wDayOfWeek > 6 || t.wMonth < 1 || t.wMonth > 12) return FALSE;
    swprintf(text, OB_HTTP_DATE_CHARS, L"%ls, %02u %ls %04u %02u:%02u:%02u GMT", days[t.wDayOfWeek], t.wDay,
             months[t.wMonth - 1], t.wYear, t.wHour, t.wMinute, t.wSecond);
    return TRUE;
}

static BOOL time_known(const FILETIME *t)
{
    return t->dwLowDateTime || t->dwHighDateTime;
}

/* ---- answers ---- */

HRESULT ob_http_status_error(DWORD status)
{
    return (HRESULT)(0x80190000 | (status & 0xffff));
}

HRESULT ob_http_probe_answer(DWORD status, const WCHAR *content_length, const WCHAR *last_modified,
                             ob_remote_info *info, ob_failure *failure)
{
    const WCHAR *p = content_length;

    /* 204, 205, 206, 1xx and 3xx do not describe the file: never a size */
    if (status != 200 && status != 203) return remote(failure, ob_http_status_error(status));
    if (!p || !ob_http_parse_u64(&p, &info->size) || *p) return remote(failure, BG_E_MISSING_FILE_SIZE);
    ob_http_parse_date(last_modified, &info->modified);
    return S_OK;
}

/* "bytes * /N" with N == offset: nothing left to fetch. */
static BOOL nothing_left(const WCHAR *content_range, UINT64 offset)
{
    const WCHAR *p;
    UINT64 total;
    if (!content_range || _wcsnicmp(content_range, L"bytes */", 8)) return FALSE;
    p = content_range + 8;
    return ob_http_parse_u64(&p, &total) && !*p && total == offset;
}

HRESULT ob_http_range_answer(DWORD status, const WCHAR *content_range, const WCHAR *last_modified, UINT64 offset,
                             const ob_remote_info *expected, ob_http_range *range, ob_failure *failure)
{
    FILETIME modified;

    if (status == HTTP_RANGE_NOT_SATISFIABLE && nothing_left(content_range, offset))
    {
        if (expected->size != BG_SIZE_UNKNOWN && expected->size != offset) return changed(failure);
        range->first = range->total = offset;
        range->length = 0;
        return S_OK;
    }
    if (status == HTTP_PRECONDITION_FAILED && time_known(&expected->modified)) return changed(failure);
    if (status >= 400) return remote(failure, ob_http_status_error(status));
    if (status != HTTP_PARTIAL || !ob_http_parse_content_range(content_range, range) || range->first != offset)
        return remote(failure, BG_E_INSUFFICIENT_RANGE_SUPPORT);
    /* the total and the time must be the probed file's: another is another version */
    if (expected->size != BG_SIZE_UNKNOWN && range->total != BG_SIZE_UNKNOWN && range->total != expected->size)
        return changed(failure);
    if (time_known(&expected->modified) && ob_http_parse_date(last_modified, &modified)
        && CompareFileTime(&modified, &expected->modified))
        return changed(failure);
    return S_OK;
}

void ob_http_range_headers(UINT64 offset, const ob_remote_info *expected, WCHAR *out, DWORD chars)
{
    ob_http_part_headers(offset, BG_SIZE_UNKNOWN, expected, out, chars);
}

HRESULT ob_http_part_answer(DWORD status, const WCHAR *content_range, const WCHAR *last_modified, UINT64 offset,
                            UINT64 end, const ob_remote_info *expected, ob_http_range *range, ob_failure *failure)
{
    HRESULT hr = ob_http_range_answer(status, content_range, last_modified, offset, expected, range, failure);
    if (FAILED(hr) || end == BG_SIZE_UNKNOWN) return hr;
    if (range->length > end - offset)
        return ob_fail_as(failure, BG_E_INVALID_SERVER_RESPONSE, BG_ERROR_CONTEXT_REMOTE_FILE, FALSE);
    return S_OK;
}

void ob_http_part_headers(UINT64 offset, UINT64 end, const ob_remote_info *expected, WCHAR *out, DWORD chars)
{
    WCHAR date[OB_HTTP_DATE_CHARS];
    int n;

    if (end == BG_SIZE_UNKNOWN || end <= offset) n = swprintf(out, chars, L"Range: bytes=%I64u-", offset);
    else n = swprintf(out, chars, L"Range: bytes=%I64u-%I64u", offset, end - 1);
    if (n > 0 && time_known(&expected->modified) && ob_http_format_date(&expected->modified, date))
        swprintf(out + n, chars - n, L"\r\nIf-Unmodified-Since: %ls", date);
}

/* ---- redirects ---- */

BOOL ob_http_is_redirect(DWORD status)
{
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

/* The parts of an absolute http(s) URL: scheme length, authority [start, end). */
typedef struct url_parts {
    BOOL secure;
    const WCHAR *authority, *authority_end, *path; /* path: "/..." or "" */
} url_parts;

static BOOL split_url(const WCHAR *url, url_parts *parts)
{
    const WCHAR *p;
    if (!_wcsnicmp(url, L"http://", 7)) parts->secure = FALSE, p = url + 7;
    else if (!_wcsnicmp(url, L"https://", 8)) parts->secure = TRUE, p = url + 8;
    else return FALSE;
    parts->authority = p;
    while (*p && *p != L'/' && *p != L'?' && *p != L'#') p++;
    parts->authority_end = p;
    parts->path = p;
    return parts->authority_end > parts->authority;
}

static BOOL has_scheme(const WCHAR *s)
{
    const WCHAR *p = s;
    if (!iswalpha(*p)) return FALSE;
    while (iswalnum(*p) || *p == L'+' || *p == L'-' || *p == L'.') p++;
    return *p == L':';
}

static WCHAR *concat(const WCHAR *a, size_t a_len, const WCHAR *b)
{
    size_t b_len = wcslen(b);
    WCHAR *out = HeapAlloc(GetProcessHeap(), 0, (a_len + b_len + 1) * sizeof(WCHAR));
    if (!out) return NULL;
    memcpy(out, a, a_len * sizeof(WCHAR));
    memcpy(out + a_len, b, (b_len + 1) * sizeof(WCHAR));
    return out;
}

HRESULT ob_http_redirect_target(const WCHAR *url, const WCHAR *location, WCHAR **out, ob_failure *failure)
{
    url_parts base, next;
    const WCHAR *dir_end, *q;

    *out = NULL;
    if (!location || !*location) return remote(failure, HRESULT_FROM_WIN32(ERROR_WINHTTP_HEADER_NOT_FOUND));
    if (!split_url(url, &base)) return remote(failure, HRESULT_FROM_WIN32(ERROR_WINHTTP_REDIRECT_FAILED));
    if (has_scheme(location))
    {
        if (!split_url(location, &next)) return remote(failure, HRESULT_FROM_WIN32(ERROR_WINHTTP_REDIRECT_FAILED));
        *out = ob_str_dup(location);
    }
    else if (location[0] == L'/' && location[1] == L'/') /* scheme-relative */
        *out = concat(url, base.authority - url - 2, location);
    else if (location[0] == L'/')
        *out = concat(url, base.authority_end - url, location);
    else
    {
        /* relative to the directory of the base path (query and fragment dropped) */
        for (q = base.path; *q && *q != L'?' && *q != L'#'; q++) {}
        for (dir_end = q; dir_end > base.path && dir_end[-1] != L'/'; dir_end--) {}
        if (dir_end == base.path)
        {
            WCHAR *slashed = concat(L"/", 1, location);
            *out = slashed ? concat(url, base.authority_end - url, slashed) : NULL;
            ob_str_free(slashed);
        }
        else *out = concat(url, dir_end - url, location);
    }
    if (!*out) return ob_fail(failure, E_OUTOFMEMORY, BG_ERROR_CONTEXT_GENERAL_TRANSPORT);
    return S_OK;
}

HRESULT ob_http_check_hop(const WCHAR *const *chain, ULONG count, const WCHAR *next, ob_failure *failure)
{
    ULONG i;
    if (count > OB_HTTP_MAX_REDIRECTS) return remote(failure, HRESULT_FROM_WIN32(ERROR_WINHTTP_REDIRECT_FAILED));
    for (i = 0; i < count; i++)
        if (!wcscmp(chain[i], next)) return remote(failure, HRESULT_FROM_WIN32(ERROR_WINHTTP_REDIRECT_FAILED));
    return S_OK;
}

/* ---- the job's redirect policy ---- */

HRESULT ob_http_redirect_allowed(ULONG security_flags, DWORD status, const WCHAR *from, const WCHAR *to,
                                 ob_failure *failure)
{
    if ((security_flags & BG_HTTP_REDIRECT_POLICY_MASK) == BG_HTTP_REDIRECT_POLICY_DISALLOW)
        return ob_fail_as(failure, HRESULT_FROM_WIN32(status), BG_ERROR_CONTEXT_REMOTE_FILE, FALSE);
    if (!_wcsnicmp(from, L"https:", 6) && !_wcsnicmp(to, L"http:", 5)
        && !(security_flags & BG_HTTP_REDIRECT_POLICY_ALLOW_HTTPS_TO_HTTP))
        return ob_fail_as(failure, HRESULT_FROM_WIN32(ERROR_WINHTTP_REDIRECT_FAILED), BG_ERROR_CONTEXT_REMOTE_FILE,
                          FALSE);
    return S_OK;
}

BOOL ob_http_security_flags_valid(ULONG flags)
{
    const ULONG ssl = BG_SSL_ENABLE_CRL_CHECK | BG_SSL_IGNORE_CERT_CN_INVALID | BG_SSL_IGNORE_CERT_DATE_INVALID
                      | BG_SSL_IGNORE_UNKNOWN_CA | BG_SSL_IGNORE_CERT_WRONG_USAGE;
    ULONG policy = flags & BG_HTTP_REDIRECT_POLICY_MASK;
    if (flags & ~(ssl | BG_HTTP_REDIRECT_POLICY_MASK | BG_HTTP_REDIRECT_POLICY_ALLOW_HTTPS_TO_HTTP)) return FALSE;
    return policy == BG_HTTP_REDIRECT_POLICY_ALLOW_SILENT || policy == BG_HTTP_REDIRECT_POLICY_ALLOW_REPORT
           || policy == BG_HTTP_REDIRECT_POLICY_DISALLOW;
}

/* ---- request headers ---- */

WCHAR *ob_http_join_headers(const WCHAR *own, const WCHAR *custom, HRESULT *hr)
{
    size_t a = own ? wcslen(own) : 0, b = custom ? wcslen(custom) : 0;
    WCHAR *out;

    *hr = S_OK;
    /* no CRLF after the last line: WinHTTP and libcurl each end the header block */
    while (b && (custom[b - 1] == L'\r' || custom[b - 1] == L'\n')) b--;
    while (a && (own[a - 1] == L'\r' || own[a - 1] == L'\n')) a--;
    if (!a && !b) return NULL;
    if (!(out = HeapAlloc(GetProcessHeap(), 0, (a + b + 3) * sizeof(WCHAR))))
    {
        *hr = E_OUTOFMEMORY;
        return NULL;
    }
    memcpy(out, own, a * sizeof(WCHAR));
    if (a && b) out[a++] = L'\r', out[a++] = L'\n';
    if (b) memcpy(out + a, custom, b * sizeof(WCHAR));
    out[a + b] = 0;
    return out;
}

WCHAR *ob_http_request_path(const WCHAR *url)
{
    url_parts u;
    const WCHAR *end;
    WCHAR *path, *out;
    if (!split_url(url, &u)) return NULL;
    for (end = u.path; *end && *end != L'#'; end++) {}
    if (!(path = concat(u.path, end - u.path, L""))) return NULL;
    if (*path == L'/') return path;
    out = concat(L"/", 1, path);   /* "" or "?query" */
    ob_str_free(path);
    return out;
}

/* host and port of an authority ("user@host:port" is not a remote name we accept) */
static void host_port(const url_parts *u, const WCHAR **host, size_t *host_len, UINT64 *port)
{
    const WCHAR *colon = NULL, *p;
    for (p = u->authority; p < u->authority_end; p++)
        if (*p == L':') colon = p;
        else if (*p == L']') colon = NULL; /* [v6] */
    *host = u->authority;
    *host_len = (colon ? colon : u->authority_end) - u->authority;
    *port = u->secure ? 443 : 80;
    if (colon && colon + 1 < u->authority_end)
    {
        const WCHAR *d = colon + 1;
        UINT64 v = 0;
        for (; d < u->authority_end && *d >= L'0' && *d <= L'9'; d++) v = v * 10 + (*d - L'0');
        *port = v;
    }
}

BOOL ob_http_same_origin(const WCHAR *a, const WCHAR *b)
{
    url_parts ua, ub;
    const WCHAR *ha, *hb;
    size_t la, lb;
    UINT64 pa, pb;

    if (!split_url(a, &ua) || !split_url(b, &ub) || ua.secure != ub.secure) return FALSE;
    host_port(&ua, &ha, &la, &pa);
    host_port(&ub, &hb, &lb, &pb);
    return la == lb && !_wcsnicmp(ha, hb, la) && pa == pb;
}

/* ---- credentials ---- */

const ob_transport_credential *ob_http_pick_credential(const ob_transport_credential *credentials, ULONG count,
                                                       BG_AUTH_TARGET target, ULONG offered,
                                                       BG_AUTH_SCHEME preferred)
{
    const ob_transport_credential *any = NULL;
    ULONG i;
    for (i = 0; i < count; i++)
    {
        const ob_transport_credential *c = &credentials[i];
        if (c->target != target || c->scheme > 31 || !(offered & OB_HTTP_SCHEME_BIT(c->scheme))) continue;
        if (c->scheme == preferred) return c;
        if (!any) any = c;
    }
    return any;
}
