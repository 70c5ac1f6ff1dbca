/* The BITS rules of HTTP (http_rules.c) as pure functions, without a
 * network: which answer is a size, which ranged answer is accepted, which
 * means the file changed, validators, redirects, where credentials go. */
#include "test_support.h"
#include "http_rules.h"
#include "http_digest.h"
#include "str.h"
#include <winhttp.h>

#define FIXED L"Sat, 01 Jan 2022 00:00:00 GMT"

static ob_remote_info probed(UINT64 size)
{
    ob_remote_info info = { size };
    assert_true(ob_http_parse_date(FIXED, &info.modified));
    return info;
}

static void test_dates(void **state)
{
    WCHAR text[OB_HTTP_DATE_CHARS];
    FILETIME t;

    assert_true(ob_http_parse_date(FIXED, &t));
    assert_true((((UINT64)t.dwHighDateTime << 32) | t.dwLowDateTime) == 132854688000000000ULL);
    assert_true(ob_http_format_date(&t, text));
    assert_true(!wcscmp(text, FIXED));
    assert_false(ob_http_parse_date(L"Saturday, 01-Jan-22 00:00:00 GMT", &t));
    assert_false(ob_http_parse_date(L"Sat, 01 Foo 2022 00:00:00 GMT", &t));
    assert_false(ob_http_parse_date(NULL, &t));
    assert_true(!t.dwLowDateTime && !t.dwHighDateTime);
}

/* Only 200 and 203 describe the file (issue 15.3). */
static void test_probe_answers(void **state)
{
    ob_remote_info info;
    ob_failure f = { 0 };

    assert_hr_equal(ob_http_probe_answer(200, L"18446744073709551614", FIXED, &info, &f), S_OK);
    assert_true(info.size == 18446744073709551614ULL);
    assert_hr_equal(ob_http_probe_answer(200, L"0", NULL, &info, &f), S_OK);
    assert_true(info.size == 0 && !info.modified.dwLowDateTime);
    assert_hr_equal(ob_http_probe_answer(204, L"0", NULL, &info, &f), 0x801900CC);
    assert_false(f.transient);
    assert_hr_equal(ob_http_probe_answer(300, L"0", NULL, &info, &f), 0x8019012C);
    assert_hr_equal(ob_http_probe_answer(304, L"0", NULL, &info, &f), 0x80190130);
    assert_hr_equal(ob_http_probe_answer(206, L"10", NULL, &info, &f), 0x801900CE);
    assert_hr_equal(ob_http_probe_answer(404, NULL, NULL, &info, &f), 0x80190194);
    assert_hr_equal(ob_http_probe_answer(503, NULL, NULL, &info, &f), 0x801901F7);
    assert_true(f.transient);
    assert_int_equal(f.context, BG_ERROR_CONTEXT_REMOTE_FILE);
    assert_hr_equal(ob_http_probe_answer(200, NULL, NULL, &info, &f), BG_E_MISSING_FILE_SIZE);
    assert_hr_equal(ob_http_probe_answer(200, L"12x", NULL, &info, &f), BG_E_MISSING_FILE_SIZE);
    assert_hr_equal(ob_http_probe_answer(200, L"18446744073709551616", NULL, &info, &f), BG_E_MISSING_FILE_SIZE);
}

static void test_range_answers(void **state)
{
    ob_remote_info file = probed(1000), unknown = { BG_SIZE_UNKNOWN };
    ob_http_range r;
    ob_failure f;

    memset(&f, 0, sizeof(f));
    assert_hr_equal(ob_http_range_answer(206, L"bytes 10-999/1000", FIXED, 10, &file, &r, &f), S_OK);
    assert_true(r.first == 10 && r.length == 990 && r.total == 1000);
    /* another total (issue 15.8) or another time (15.2): the file changed */
    assert_hr_equal(ob_http_range_answer(206, L"bytes 10-1999/2000", FIXED, 10, &file, &r, &f),
                    BG_E_INVALID_SERVER_RESPONSE);
    assert_true(f.changed && f.transient);
    memset(&f, 0, sizeof(f));
    assert_hr_equal(ob_http_range_answer(206, L"bytes 10-999/1000", L"Sun, 02 Jan 2022 00:00:00 GMT", 10, &file, &r, &f),
                    BG_E_INVALID_SERVER_RESPONSE);
    assert_true(f.changed);
    memset(&f, 0, sizeof(f));
    assert_hr_equal(ob_http_range_answer(412, NULL, NULL, 10, &file, &r, &f), BG_E_INVALID_SERVER_RESPONSE);
    assert_true(f.changed);
    /* nothing probed: nothing to compare */
    memset(&f, 0, sizeof(f));
    assert_hr_equal(ob_http_range_answer(206, L"bytes 10-1999/2000", L"Sun, 02 Jan 2022 00:00:00 GMT", 10, &unknown,
                                         &r, &f), S_OK);
    assert_hr_equal(ob_http_range_answer(412, NULL, NULL, 10, &unknown, &r, &f), 0x8019019C);
    assert_false(f.changed);
    /* no ranges */
    assert_hr_equal(ob_http_range_answer(200, NULL, FIXED, 0, &file, &r, &f), BG_E_INSUFFICIENT_RANGE_SUPPORT);
    assert_hr_equal(ob_http_range_answer(206, L"bytes 0-999/1000", FIXED, 10, &file, &r, &f),
                    BG_E_INSUFFICIENT_RANGE_SUPPORT);
    assert_hr_equal(ob_http_range_answer(206, L"bytes 10-5/1000", FIXED, 10, &file, &r, &f),
                    BG_E_INSUFFICIENT_RANGE_SUPPORT);
    /* a 416 saying the file has exactly offset bytes: nothing left */
    assert_hr_equal(ob_http_range_answer(416, L"bytes */1000", NULL, 1000, &file, &r, &f), S_OK);
    assert_true(r.length == 0);
    assert_hr_equal(ob_http_range_answer(416, L"bytes */500", NULL, 1000, &file, &r, &f), 0x801901A0);
    assert_hr_equal(ob_http_range_answer(404, NULL, NULL, 0, &file, &r, &f), 0x80190194);
}

/* Every ranged request carries the validator (issue 15.2). */
static void test_range_headers(void **state)
{
    ob_remote_info file = probed(1000), unknown = { BG_SIZE_UNKNOWN };
    WCHAR headers[160];

    ob_http_range_headers(5000000000ULL, &file, headers, ARRAYSIZE(headers));
    assert_true(!wcscmp(headers, L"Range: bytes=5000000000-\r\nIf-Unmodified-Since: " FIXED));
    ob_http_range_headers(0, &unknown, headers, ARRAYSIZE(headers));
    assert_true(!wcscmp(headers, L"Range: bytes=0-"));
}

/* A part of a file (AddFileWithRanges): "bytes=a-b", and an answer that goes
 * past b is refused, not cut (BITS does not take servers that widen or merge
 * ranges). */
static void test_part_requests_and_answers(void **state)
{
    ob_remote_info file = probed(1000);
    WCHAR headers[160];
    ob_http_range r;
    ob_failure f;

    ob_http_part_headers(100, 200, &file, headers, ARRAYSIZE(headers));
    assert_true(!wcscmp(headers, L"Range: bytes=100-199\r\nIf-Unmodified-Since: " FIXED));
    ob_http_part_headers(100, BG_SIZE_UNKNOWN, &file, headers, ARRAYSIZE(headers));
    assert_true(!wcscmp(headers, L"Range: bytes=100-\r\nIf-Unmodified-Since: " FIXED));

    memset(&f, 0, sizeof(f));
    assert_hr_equal(ob_http_part_answer(206, L"bytes 100-199/1000", FIXED, 100, 200, &file, &r, &f), S_OK);
    assert_true(r.first == 100 && r.length == 100);
    /* a server may send less: the rest is asked for again */
    assert_hr_equal(ob_http_part_answer(206, L"bytes 100-149/1000", FIXED, 100, 200, &file, &r, &f), S_OK);
    assert_true(r.length == 50);
    assert_hr_equal(ob_http_part_answer(206, L"bytes 100-999/1000", FIXED, 100, 200, &file, &r, &f),
                    BG_E_INVALID_SERVER_RESPONSE);
    assert_false(f.transient);
    assert_false(f.changed);
    /* a server that ignores Range */
    assert_hr_equal(ob_http_part_answer(200, NULL, FIXED, 100, 200, &file, &r, &f), BG_E_INSUFFICIENT_RANGE_SUPPORT);
    /* to the end: as ob_http_range_answer */
    assert_hr_equal(ob_http_part_answer(206, L"bytes 100-999/1000", FIXED, 100, BG_SIZE_UNKNOWN, &file, &r, &f), S_OK);
}

static void check_target(const WCHAR *base, const WCHAR *location, const WCHAR *expected)
{
    ob_failure f = { 0 };
    WCHAR *out;
    assert_hr_equal(ob_http_redirect_target(base, location, &out, &f), S_OK);
    if (wcscmp(out, expected)) fail_msg("%ls + %ls -> %ls", base, location, out);
    ob_str_free(out);
}

static void test_redirect_targets(void **state)
{
    ob_failure f = { 0 };
    WCHAR *out;

    check_target(L"http://a:1/x/y?q", L"http://b:2/z", L"http://b:2/z");
    check_target(L"http://a:1/x/y?q", L"/z?w", L"http://a:1/z?w");
    check_target(L"http://a:1/x/y?q", L"z", L"http://a:1/x/z");
    check_target(L"http://a:1", L"z", L"http://a:1/z");
    check_target(L"https://a/x", L"//b/c", L"https://b/c");
    /* issue 15.10: permanent errors with WinHTTP's codes */
    assert_hr_equal(ob_http_redirect_target(L"http://a/x", NULL, &out, &f), HRESULT_FROM_WIN32(ERROR_WINHTTP_HEADER_NOT_FOUND));
    assert_false(f.transient);
    assert_hr_equal(ob_http_redirect_target(L"http://a/x", L"file:///C:/x", &out, &f),
                    HRESULT_FROM_WIN32(ERROR_WINHTTP_REDIRECT_FAILED));
    assert_false(f.transient);
    assert_hr_equal(ob_http_redirect_target(L"http://a/x", L"ftp://a/x", &out, &f),
                    HRESULT_FROM_WIN32(ERROR_WINHTTP_REDIRECT_FAILED));
    assert_true(ob_http_is_redirect(301) && ob_http_is_redirect(302) && ob_http_is_redirect(303)
                && ob_http_is_redirect(307) && ob_http_is_redirect(308));
    assert_false(ob_http_is_redirect(300) || ob_http_is_redirect(304) || ob_http_is_redirect(305));
}

static void test_redirect_chains(void **state)
{
    const WCHAR *chain[12] = { L"http://a/0", L"http://a/1", L"http://a/2", L"http://a/3", L"http://a/4",
                               L"http://a/5", L"http://a/6", L"http://a/7", L"http://a/8", L"http://a/9",
                               L"http://a/10", L"http://a/11" };
    ob_failure f = { 0 };

    assert_hr_equal(ob_http_check_hop(chain, 10, L"http://a/x", &f), S_OK);      /* the 10th hop */
    assert_hr_equal(ob_http_check_hop(chain, 11, L"http://a/x", &f), HRESULT_FROM_WIN32(ERROR_WINHTTP_REDIRECT_FAILED));
    assert_hr_equal(ob_http_check_hop(chain, 3, L"http://a/1", &f), HRESULT_FROM_WIN32(ERROR_WINHTTP_REDIRECT_FAILED));
    assert_false(f.transient);
}

/* Server credentials go to their own origin only (issue 15.1). */
static void test_same_origin(void **state)
{
    assert_true(ob_http_same_origin(L"http://Host:80/a", L"http://host/b?c"));
    assert_true(ob_http_same_origin(L"https://h/a", L"https://h:443/b"));
    assert_false(ob_http_same_origin(L"http://h/a", L"https://h/a"));
    assert_false(ob_http_same_origin(L"http://h:1/a", L"http://h:2/a"));
    assert_false(ob_http_same_origin(L"http://127.0.0.1:5/a", L"http://localhost:5/a"));
    assert_false(ob_http_same_origin(L"http://h.example/a", L"http://h.example.evil/a"));
}

static void test_pick_credential(void **state)
{
    const ob_transport_credential c[] = {
        { BG_AUTH_TARGET_SERVER, BG_AUTH_SCHEME_BASIC, L"u", L"p" },
        { BG_AUTH_TARGET_SERVER, BG_AUTH_SCHEME_NTLM, L"u", L"p" },
        { BG_AUTH_TARGET_PROXY, BG_AUTH_SCHEME_DIGEST, L"u", L"p" },
    };
    ULONG basic_ntlm = OB_HTTP_SCHEME_BIT(BG_AUTH_SCHEME_BASIC) | OB_HTTP_SCHEME_BIT(BG_AUTH_SCHEME_NTLM);

    assert_ptr_equal(ob_http_pick_credential(c, 3, BG_AUTH_TARGET_SERVER, basic_ntlm, BG_AUTH_SCHEME_NTLM), &c[1]);
    assert_ptr_equal(ob_http_pick_credential(c, 3, BG_AUTH_TARGET_SERVER, basic_ntlm, BG_AUTH_SCHEME_NEGOTIATE), &c[0]);
    assert_null(ob_http_pick_credential(c, 3, BG_AUTH_TARGET_PROXY, basic_ntlm, BG_AUTH_SCHEME_BASIC));
    assert_ptr_equal(ob_http_pick_credential(c, 3, BG_AUTH_TARGET_PROXY, OB_HTTP_SCHEME_BIT(BG_AUTH_SCHEME_DIGEST),
                                             BG_AUTH_SCHEME_DIGEST), &c[2]);
}

/* ---- the job's redirect policy and request headers ---- */

static void test_redirect_policy(void **state)
{
    ob_failure f = { 0 };
    const WCHAR *https = L"https://a.example/x", *http = L"http://b.example/y";

    assert_hr_equal(ob_http_redirect_allowed(BG_HTTP_REDIRECT_POLICY_ALLOW_SILENT, 302, http, https, &f), S_OK);
    assert_hr_equal(ob_http_redirect_allowed(BG_HTTP_REDIRECT_POLICY_ALLOW_REPORT, 301, http, http, &f), S_OK);
    /* documented: HRESULT_FROM_WIN32 of the status, a fatal error */
    assert_hr_equal(ob_http_redirect_allowed(BG_HTTP_REDIRECT_POLICY_DISALLOW, 301, http, http, &f),
                    HRESULT_FROM_WIN32(HTTP_STATUS_MOVED));
    assert_false(f.transient);
    assert_int_equal(f.context, BG_ERROR_CONTEXT_REMOTE_FILE);
    assert_hr_equal(ob_http_redirect_allowed(BG_HTTP_REDIRECT_POLICY_DISALLOW, 307, https, https, &f),
                    HRESULT_FROM_WIN32(HTTP_STATUS_REDIRECT_KEEP_VERB));
    /* https to http only with ALLOW_HTTPS_TO_HTTP */
    memset(&f, 0, sizeof(f));
    assert_hr_equal(ob_http_redirect_allowed(0, 302, https, http, &f), HRESULT_FROM_WIN32(ERROR_WINHTTP_REDIRECT_FAILED));
    assert_false(f.transient);
    assert_hr_equal(ob_http_redirect_allowed(BG_HTTP_REDIRECT_POLICY_ALLOW_REPORT, 302, L"HTTPS://a/x", L"HTTP://b/y", &f),
                    HRESULT_FROM_WIN32(ERROR_WINHTTP_REDIRECT_FAILED));
    assert_hr_equal(ob_http_redirect_allowed(BG_HTTP_REDIRECT_POLICY_ALLOW_HTTPS_TO_HTTP, 302, https, http, &f), S_OK);
    assert_hr_equal(ob_http_redirect_allowed(0, 302, http, https, &f), S_OK);
}

static void test_security_flags_valid(void **state)
{
    assert_true(ob_http_security_flags_valid(0));
    assert_true(ob_http_security_flags_valid(0x1f | 0x0100 | 0x0800));
    assert_true(ob_http_security_flags_valid(0x0200));
    assert_false(ob_http_security_flags_valid(0x0300)); /* no such policy */
    assert_false(ob_http_security_flags_valid(0x0400));
    assert_false(ob_http_security_flags_valid(0x0020));
    assert_false(ob_http_security_flags_valid(0x1000));
}

static void check_join(const WCHAR *own, const WCHAR *custom, const WCHAR *expected)
{
    HRESULT hr;
    WCHAR *joined = ob_http_join_headers(own, custom, &hr);
    assert_hr_equal(hr, S_OK);
    if (!expected) assert_null(joined);
    else
    {
        assert_non_null(joined);
        if (wcscmp(joined, expected)) fail_msg("joined \"%ls\", expected \"%ls\"", joined, expected);
    }
    ob_str_free(joined);
}

static void test_join_headers(void **state)
{
    check_join(NULL, NULL, NULL);
    check_join(L"", L"\r\n", NULL);
    check_join(L"Range: bytes=0-", NULL, L"Range: bytes=0-");
    check_join(NULL, L"X-A: 1\r\nX-B: 2\r\n", L"X-A: 1\r\nX-B: 2");
    check_join(L"Range: bytes=5-\r\nIf-Unmodified-Since: d", L"X-A: 1\r\n",
               L"Range: bytes=5-\r\nIf-Unmodified-Since: d\r\nX-A: 1");
}

static void test_request_path(void **state)
{
    static const struct { const WCHAR *url, *path; } cases[] = {
        { L"http://h/dir/index.html", L"/dir/index.html" },
        { L"http://h:81/a?b=1&c#frag", L"/a?b=1&c" },
        { L"https://h", L"/" },
        { L"http://h?x=1", L"/?x=1" },
        { L"http://h#only", L"/" },
    };
    ULONG i;
    for (i = 0; i < ARRAYSIZE(cases); i++)
    {
        WCHAR *path = ob_http_request_path(cases[i].url);
        assert_non_null(path);
        if (wcscmp(path, cases[i].path)) fail_msg("%ls: %ls", cases[i].url, path);
        ob_str_free(path);
    }
    assert_null(ob_http_request_path(L"ftp://h/x"));
}

static void check_digest(const WCHAR *challenge, const WCHAR *user, const WCHAR *password, const WCHAR *method,
                         const WCHAR *uri, const WCHAR *cnonce, ob_http_digest_count *count, const WCHAR *expected)
{
    WCHAR *answer = NULL;
    assert_hr_equal(ob_http_digest_response(challenge, user, password, method, uri, cnonce, count, &answer), S_OK);
    if (wcscmp(answer, expected)) fail_msg("%ls\n  expected %ls", answer, expected);
    ob_str_free(answer);
}

/* The examples of RFC 2617 (3.5), RFC 7616 (3.9.1, MD5) and RFC 2069 (2.4). */
static void test_digest_response(void **state)
{
    ob_http_digest_count count = { L"" };
    static const WCHAR rfc2617[] = L" realm=\"testrealm@host.com\", qop=\"auth,auth-int\", "
                                   L"nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", "
                                   L"opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"";
    static const WCHAR rfc7616[] = L"realm=\"http-auth@example.org\", qop=\"auth, auth-int\", algorithm=MD5, "
                                   L"nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", "
                                   L"opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"";
    WCHAR *answer = NULL;

    check_digest(rfc2617, L"Mufasa", L"Circle Of Life", L"GET", L"/dir/index.html", L"0a4f113b", &count,
                 L"Digest username=\"Mufasa\", realm=\"testrealm@host.com\", "
                 L"nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", uri=\"/dir/index.html\", "
                 L"response=\"6629fae49393a05397450978507c4ef1\", qop=auth, nc=00000001, cnonce=\"0a4f113b\", "
                 L"opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"");
    /* the same nonce again counts on */
    check_digest(rfc2617, L"Mufasa", L"Circle Of Life", L"GET", L"/dir/index.html", L"0a4f113b", &count,
                 L"Digest username=\"Mufasa\", realm=\"testrealm@host.com\", "
                 L"nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", uri=\"/dir/index.html\", "
                 L"response=\"15b6bb427e3fecd23a43cb702ce447d5\", qop=auth, nc=00000002, cnonce=\"0a4f113b\", "
                 L"opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"");
    /* a new nonce starts at 1; the algorithm named is named again */
    check_digest(rfc7616, L"Mufasa", L"Circle of Life", L"GET", L"/dir/index.html",
                 L"f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", &count,
                 L"Digest username=\"Mufasa\", realm=\"http-auth@example.org\", "
                 L"nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", uri=\"/dir/index.html\", algorithm=MD5, "
                 L"response=\"8ca523f5e9506fed4657c9700eebdbec\", qop=auth, nc=00000001, "
                 L"cnonce=\"f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ\", "
                 L"opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"");
    /* no qop: RFC 2069's response, without qop, nc and cnonce */
    check_digest(L"realm=\"testrealm@host.com\", nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\"", L"Mufasa",
                 L"CircleOfLife", L"GET", L"/dir/index.html", L"unused", &count,
                 L"Digest username=\"Mufasa\", realm=\"testrealm@host.com\", "
                 L"nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", uri=\"/dir/index.html\", "
                 L"response=\"1949323746fe6a43ef61f9606e7febea\"");
    /* UTF-8 names and passwords; quotes and backslashes escaped, and unescaped when read */
    check_digest(L"nonce=n, realm=\"r\", qop=auth", L"J\x00f6rg \"x\\", L"p\x00e4ss", L"HEAD", L"/a?b=1", L"c", &count,
                 L"Digest username=\"J\x00f6rg \\\"x\\\\\", realm=\"r\", nonce=\"n\", uri=\"/a?b=1\", "
                 L"response=\"f50f643f7719e100465457b9b4def5b4\", qop=auth, nc=00000001, cnonce=\"c\"");
    /* what cannot be answered */
    assert_hr_equal(ob_http_digest_response(L"realm=\"r\", nonce=\"n\", algorithm=SHA-256", L"u", L"p", L"GET", L"/",
                                            L"c", &count, &answer), E_NOTIMPL);
    assert_hr_equal(ob_http_digest_response(L"realm=\"r\", nonce=\"n\", qop=\"auth-int\"", L"u", L"p", L"GET", L"/",
                                            L"c", &count, &answer), E_NOTIMPL);
    assert_hr_equal(ob_http_digest_response(L"realm=\"r\"", L"u", L"p", L"GET", L"/", L"c", &count, &answer), E_NOTIMPL);
    assert_null(answer);
}

static void test_digest_challenge(void **state)
{
    static const WCHAR raw[] = L"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"b\"\r\n"
                               L"www-authenticate:  Digest realm=\"d\", nonce=\"n\"\r\n"
                               L"Proxy-Authenticate: Digest realm=\"p\"\r\nX-Digest: no\r\n\r\n";
    WCHAR *challenge, cnonce[OB_HTTP_DIGEST_CNONCE_CHARS], other[OB_HTTP_DIGEST_CNONCE_CHARS];
    ULONG i;

    challenge = ob_http_digest_challenge(raw, BG_AUTH_TARGET_SERVER);
    assert_non_null(challenge);
    assert_true(!wcscmp(challenge, L" realm=\"d\", nonce=\"n\""));
    ob_str_free(challenge);
    challenge = ob_http_digest_challenge(raw, BG_AUTH_TARGET_PROXY);
    assert_true(!wcscmp(challenge, L" realm=\"p\""));
    ob_str_free(challenge);
    assert_null(ob_http_digest_challenge(L"HTTP/1.1 401 x\r\nWWW-Authenticate: Digestive x\r\n", BG_AUTH_TARGET_SERVER));
    assert_null(ob_http_digest_challenge(L"HTTP/1.1 401 x\r\nWWW-Authenticate: Basic realm=\"Digest\"\r\n",
                                         BG_AUTH_TARGET_SERVER));
    /* client nonces: 32 hex digits, a new one each time */
    assert_hr_equal(ob_http_digest_cnonce(cnonce), S_OK);
    assert_hr_equal(ob_http_digest_cnonce(other), S_OK);
    assert_int_equal(wcslen(cnonce), 32);
    for (i = 0; i < 32; i++) assert_true(iswxdigit(cnonce[i]) && !iswupper(cnonce[i]));
    assert_true(wcscmp(cnonce, other));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_probe_answers),
        cmocka_unit_test(test_range_answers),
        cmocka_unit_test(test_range_headers),
        cmocka_unit_test(test_part_requests_and_answers),
        cmocka_unit_test(test_redirect_targets),
        cmocka_unit_test(test_redirect_chains),
        cmocka_unit_test(test_same_origin),
        cmocka_unit_test(test_pick_credential),
        cmocka_unit_test(test_redirect_policy),
        cmocka_unit_test(test_security_flags_valid),
        cmocka_unit_test(test_join_headers),
        cmocka_unit_test(test_request_path),
        cmocka_unit_test(test_digest_response),
        cmocka_unit_test(test_digest_challenge),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
