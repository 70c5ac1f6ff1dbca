/* HTTP Digest authentication as plain functions (see http_digest.h). */
#include "http_digest.h"
#include "str.h"
#include <stdio.h>
#include <wincrypt.h>

#define MD5_HEX_CHARS 33

static WCHAR *dup_n(const WCHAR *s, size_t length)
{
    WCHAR *copy = HeapAlloc(GetProcessHeap(), 0, (length + 1) * sizeof(WCHAR));
    if (!copy) return NULL;
    memcpy(copy, s, length * sizeof(WCHAR));
    copy[length] = 0;
    return copy;
}

static BOOL is_space(WCHAR c)
{
    return c == L' ' || c == L'\t';
}

/* ---- challenges ---- */

WCHAR *ob_http_digest_challenge(const WCHAR *raw_headers, BG_AUTH_TARGET target)
{
    const WCHAR *name = target == BG_AUTH_TARGET_PROXY ? L"Proxy-Authenticate" : L"WWW-Authenticate";
    size_t n = wcslen(name);
    const WCHAR *p = raw_headers;

    while (p && *p)
    {
        const WCHAR *end = p, *v;
        while (*end && *end != L'\r' && *end != L'\n') end++;
        if ((size_t)(end - p) > n && p[n] == L':' && !_wcsnicmp(p, name, n))
        {
            for (v = p + n + 1; v < end && is_space(*v); v++) {}
            if (end - v >= 6 && !_wcsnicmp(v, L"Digest", 6) && (end - v == 6 || is_space(v[6])))
                return dup_n(v + 6, end - (v + 6));
        }
        for (p = end; *p == L'\r' || *p == L'\n'; p++) {}
    }
    return NULL;
}

/* The value of auth-param `name` (a token or a quoted-string, unquoted) as a
 * heap string; NULL when absent.  Pieces that are not name=value (another
 * scheme's name after a comma) are skipped. */
static WCHAR *param(const WCHAR *s, const WCHAR *name)
{
    size_t want = wcslen(name);
    while (*s)
    {
        const WCHAR *key;
        size_t key_length, n = 0;
        WCHAR *value;
        BOOL match;

        while (is_space(*s) || *s == L',') s++;
        for (key = s; *s && *s != L'=' && *s != L','; s++) {}
        for (key_length = s - key; key_length && is_space(key[key_length - 1]); key_length--) {}
        if (*s != L'=') continue;
        for (s++; is_space(*s); s++) {}
        match = key_length == want && !_wcsnicmp(key, name, want);
        if (!(value = HeapAlloc(GetProcessHeap(), 0, (wcslen(s) + 1) * sizeof(WCHAR)))) return NULL;
        if (*s == L'"')
        {
            for (s++; *s && *s != L'"'; s++)
            {
                if (*s == L'\\' && s[1]) s++;
                value[n++] = *s;
            }
            if (*s) s++;
        }
        else
        {
            for (; *s && *s != L','; s++) value[n++] = *s;
            while (n && is_space(value[n - 1])) n--;
        }
        value[n] = 0;
        if (match) return value;
        ob_str_free(value);
    }
    return NULL;
}

/* TRUE when the comma separated list holds token (any case). */
static BOOL has_token(const WCHAR *list, const WCHAR *token)
{
    size_t want = wcslen(token);
    while (*list)
    {
        const WCHAR *start;
        while (is_space(*list) || *list == L',') list++;
        for (start = list; *list && *list != L',' && !is_space(*list); list++) {}
        if ((size_t)(list - start) == want && !_wcsnicmp(start, token, want)) return TRUE;
    }
    return FALSE;
}

/* ---- hashes ---- */

static BOOL hash_utf8(HCRYPTHASH hash, const WCHAR *s)
{
    int size = WideCharToMultiByte(CP_UTF8, 0, s, -1, NULL, 0, NULL, NULL);
    char *text;
    BOOL ok;
    if (size <= 0 || !(text = HeapAlloc(GetProcessHeap(), 0, size))) return FALSE;
    WideCharToMultiByte(CP_UTF8, 0, s, -1, text, size, NULL, NULL);
    ok = CryptHashData(hash, (const BYTE *)text, size - 1, 0);
    SecureZeroMemory(text, size); /* a password, or what is made of one */
    HeapFree(GetProcessHeap(), 0, text);
    return ok;
}

/* MD5 of the parts joined by ':' (as UTF-8), in lowercase hex. */
static HRESULT md5_hex(const WCHAR *const *parts, ULONG count, WCHAR *hex)
{
    HCRYPTPROV provider;
    HCRYPTHASH hash = 0;
    BYTE digest[16];
    DWORD size = sizeof(digest);
    ULONG i;
    BOOL ok;

    if (!CryptAcquireContextW(&provider, NULL, NULL, PROV_RSA_FULL, CRYPT_VERIFYCONTEXT))
        return HRESULT_FROM_WIN32(GetLastError());
    ok = CryptCreateHash(provider, CALG_MD5, 0, 0, &hash);
    for (i = 0; ok && i < count; i++) ok = (!i || CryptHashData(hash, (const BYTE *)":", 1, 0)) && hash_utf8(hash, parts[i]);
    ok = ok && CryptGetHashParam(hash, HP_HASHVAL, digest, &size, 0) && size == sizeof(digest);
    if (hash) CryptDestroyHash(hash);
    CryptReleaseContext(provider, 0);
    if (!ok) return E_FAIL;
    for (i = 0; i < sizeof(digest); i++) swprintf(hex + 2 * i, 3, L"%02x", digest[i]);
    SecureZeroMemory(digest, sizeof(digest));
    return S_OK;
}

HRESULT ob_http_digest_cnonce(WCHAR *cnonce)
{
    HCRYPTPROV provider;
    BYTE random[16];
    ULONG i;
    BOOL ok;

    if (!CryptAcquireContextW(&provider, NULL, NULL, PROV_RSA_FULL, CRYPT_VERIFYCONTEXT))
        return HRESULT_FROM_WIN32(GetLastError());
    ok = CryptGenRandom(provider, sizeof(random), random);
    CryptReleaseContext(provider, 0);
    if (!ok) return E_FAIL;
    for (i = 0; i < sizeof(random); i++) swprintf(cnonce + 2 * i, 3, L"%02x", random[i]);
    return S_OK;
}

/* ---- the answer ---- */

/* Appends s at *p, as a quoted-string when quoted ('"' and '\' escaped). */
static void put(WCHAR **p, const WCHAR *s, BOOL quoted)
{
    if (quoted) *(*p)++ = L'"';
    for (; *s; s++)
    {
        if (quoted && (*s == L'"' || *s == L'\\')) *(*p)++ = L'\\';
        *(*p)++ = *s;
    }
    if (quoted) *(*p)++ = L'"';
    **p = 0;
}

static void put_param(WCHAR **p, const WCHAR *name, const WCHAR *value, BOOL quoted)
{
    put(p, L", ", FALSE);
    put(p, name, FALSE);
    put(p, L"=", FALSE);
    put(p, value, quoted);
}

static void count_nonce(ob_http_digest_count *count, const WCHAR *nonce)
{
    if (count->nonce[0] && !wcscmp(count->nonce, nonce))
    {
        count->nc++;
        return;
    }
    count->nc = 1;
    if (wcslen(nonce) < ARRAYSIZE(count->nonce)) wcscpy(count->nonce, nonce);
    else count->nonce[0] = 0;
}

HRESULT ob_http_digest_response(const WCHAR *challenge, const WCHAR *user, const WCHAR *password, const WCHAR *method,
                                const WCHAR *uri, const WCHAR *cnonce, ob_http_digest_count *count, WCHAR **out)
{
    WCHAR *realm = param(challenge, L"realm"), *nonce = param(challenge, L"nonce");
    WCHAR *opaque = param(challenge, L"opaque"), *algorithm = param(challenge, L"algorithm");
    WCHAR *qop = param(challenge, L"qop"), ha1[MD5_HEX_CHARS], ha2[MD5_HEX_CHARS], response[MD5_HEX_CHARS], nc[9];
    HRESULT hr = S_OK;
    WCHAR *p;

    *out = NULL;
    if (!user) user = L"";
    if (!password) password = L"";
    if (!realm || !nonce || (algorithm && _wcsicmp(algorithm, L"MD5")) || (qop && !has_token(qop, L"auth")))
        hr = E_NOTIMPL;
    if (SUCCEEDED(hr))
    {
        const WCHAR *a1[] = { user, realm, password }, *a2[] = { method, uri };
        count_nonce(count, nonce);
        swprintf(nc, ARRAYSIZE(nc), L"%08lx", count->nc);
        if (SUCCEEDED(hr = md5_hex(a1, ARRAYSIZE(a1), ha1))) hr = md5_hex(a2, ARRAYSIZE(a2), ha2);
    }
    if (SUCCEEDED(hr))
    {
        /* qop=auth (RFC 2617, 7616); without a qop, RFC 2069's form */
        const WCHAR *with_qop[] = { ha1, nonce, nc, cnonce, L"auth", ha2 }, *without[] = { ha1, nonce, ha2 };
        hr = qop ? md5_hex(with_qop, ARRAYSIZE(with_qop), response) : md5_hex(without, ARRAYSIZE(without), response);
        SecureZeroMemory(ha1, sizeof(ha1));
    }
    /* every value escaped at most doubles, plus the names and separators */
    if (SUCCEEDED(hr)
        && !(*out = HeapAlloc(GetProcessHeap(), 0,
                              (2 * (wcslen(user) + wcslen(realm) + wcslen(nonce) + wcslen(uri) + wcslen(cnonce)
                                    + (opaque ? wcslen(opaque) : 0) + (algorithm ? wcslen(algorithm) : 0))
                               + 200) * sizeof(WCHAR))))
        hr = E_OUTOFMEMORY;
    if (SUCCEEDED(hr))
    {
        p = *out;
        put(&p, L"Digest username=", FALSE);
        put(&p, user, TRUE);
        put_param(&p, L"realm", realm, TRUE);
        put_param(&p, L"nonce", nonce, TRUE);
        put_param(&p, L"uri", uri, TRUE);
        if (algorithm) put_param(&p, L"algorithm", algorithm, FALSE);
        put_param(&p, L"response", response, TRUE);
        if (qop)
        {
            put_param(&p, L"qop", L"auth", FALSE);
            put_param(&p, L"nc", nc, FALSE);
            put_param(&p, L"cnonce", cnonce, TRUE);
        }
        if (opaque) put_param(&p, L"opaque", opaque, TRUE);
    }
    ob_str_free(realm);
    ob_str_free(nonce);
    ob_str_free(opaque);
    ob_str_free(algorithm);
    ob_str_free(qop);
    return hr;
}
