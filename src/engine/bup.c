#include "bup.h"
#include "str.h"
#include <stdio.h>

static const WCHAR *const packet_names[] = {
    L"Ping", L"Create-Session", L"Fragment", L"Close-Session", L"Cancel-Session",
};

const WCHAR *ob_bup_packet_name(ob_bup_packet packet)
{
    return packet_names[packet];
}

static HRESULT append(WCHAR *buffer, size_t chars, size_t *used, const WCHAR *format, ...)
{
    va_list args;
    int n;
    va_start(args, format);
    n = _vsnwprintf(buffer + *used, chars - *used, format, args);
    va_end(args);
    if (n < 0 || (size_t)n >= chars - *used) return E_INVALIDARG;
    *used += n;
    return S_OK;
}

static HRESULT fragment_headers(const ob_bup_fragment *f, WCHAR *buffer, size_t chars, size_t *used)
{
    HRESULT hr = S_OK;
    if (f->total ? !f->length || f->first >= f->total || f->length > f->total - f->first : f->first || f->length)
        return E_INVALIDARG;
    if (f->content_name) hr = append(buffer, chars, used, L"Content-Name: %ls\r\n", f->content_name);
    /* an empty body: WinHTTP would send no Content-Length, which [MC-BUP] requires */
    if (SUCCEEDED(hr) && !f->total)
        return append(buffer, chars, used, L"Content-Range: bytes */0\r\nContent-Length: 0\r\n");
    if (SUCCEEDED(hr))
        hr = append(buffer, chars, used, L"Content-Range: bytes %I64u-%I64u/%I64u\r\n", f->first,
                    f->first + f->length - 1, f->total);
    return hr;
}

HRESULT ob_bup_headers(ob_bup_packet packet, const WCHAR *session_id, const ob_bup_fragment *fragment,
                       WCHAR *buffer, size_t chars)
{
    size_t used = 0;
    HRESULT hr = append(buffer, chars, &used, L"BITS-Packet-Type: %ls\r\n", packet_names[packet]);

    if (SUCCEEDED(hr) && packet == OB_BUP_CREATE_SESSION)
        hr = append(buffer, chars, &used, L"BITS-Supported-Protocols: %ls\r\n", OB_BUP_PROTOCOL);
    if (SUCCEEDED(hr) && packet >= OB_BUP_FRAGMENT)
        hr = append(buffer, chars, &used, L"BITS-Session-Id: %ls\r\n", session_id);
    if (SUCCEEDED(hr) && packet == OB_BUP_FRAGMENT) hr = fragment_headers(fragment, buffer, chars, &used);
    return hr;
}

/* ---- acks ---- */

/* The value of "name: value" in raw headers, trimmed: where it starts and
 * its length; NULL when there is no such header. */
static const WCHAR *find_header(const WCHAR *raw, const WCHAR *name, size_t *length)
{
    size_t len = wcslen(name);
    const WCHAR *line = raw;

    for (; line && *line; line = wcschr(line, '\n') ? wcschr(line, '\n') + 1 : NULL)
    {
        const WCHAR *value, *end;
        if (_wcsnicmp(line, name, len) || line[len] != ':') continue;
        for (value = line + len + 1; *value == ' ' || *value == '\t'; value++) {}
        for (end = value; *end && *end != '\r' && *end != '\n'; end++) {}
        while (end > value && (end[-1] == ' ' || end[-1] == '\t')) end--;
        *length = end - value;
        return value;
    }
    return NULL;
}

/* That value into out; FALSE if there is none or it does not fit. */
static BOOL header_value(const WCHAR *raw, const WCHAR *name, WCHAR *out, size_t chars)
{
    size_t length;
    const WCHAR *value = find_header(raw, name, &length);
    if (!value || length >= chars) return FALSE;
    memcpy(out, value, length * sizeof(WCHAR));
    out[length] = 0;
    return TRUE;
}

/* Digits only (at least one, no sign, no space), in that base, without
 * overflow; *p moves past them. */
static BOOL parse_digits(const WCHAR **p, unsigned base, UINT64 max, UINT64 *out)
{
    const WCHAR *s = *p;
    UINT64 v = 0;
    for (;; s++)
    {
        unsigned digit;
        if (*s >= '0' && *s <= '9') digit = *s - '0';
        else if (base == 16 && *s >= 'a' && *s <= 'f') digit = *s - 'a' + 10;
        else if (base == 16 && *s >= 'A' && *s <= 'F') digit = *s - 'A' + 10;
        else break;
        if (v > (max - digit) / base) return FALSE;
        v = v * base + digit;
    }
    if (s == *p) return FALSE;
    *p = s;
    *out = v;
    return TRUE;
}

/* A 32-bit hex value, "0x" optional: BITS-Error-Code, BITS-Error-Context. */
static BOOL header_hex32(const WCHAR *raw, const WCHAR *name, UINT64 *out)
{
    WCHAR text[40];
    const WCHAR *p = text;
    if (!header_value(raw, name, text, ARRAYSIZE(text))) return FALSE;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) p += 2;
    return parse_digits(&p, 16, 0xffffffff, out) && !*p;
}

/* BITS-Received-Content-Range: the next offset, written "n" (some servers
 * write a range "0-m"; its end + 1 is then the next offset).  Nothing else
 * is a number: no sign, no other start, no overflow. */
static void received_range(const WCHAR *raw, ob_bup_ack *ack)
{
    WCHAR text[64];
    const WCHAR *p = text;
    UINT64 value = 0;
    size_t length;

    if (!header_value(raw, L"BITS-Received-Content-Range", text, ARRAYSIZE(text)))
    {
        ack->bad_received = find_header(raw, L"BITS-Received-Content-Range", &length) != NULL; /* too long */
        return;
    }
    if (p[0] == '0' && p[1] == '-')
    {
        p += 2;
        ack->has_received = parse_digits(&p, 10, ~(UINT64)0 - 1, &value) && !*p;
        value++;
    }
    else ack->has_received = parse_digits(&p, 10, ~(UINT64)0, &value) && !*p;
    ack->bad_received = !ack->has_received;
    if (ack->has_received) ack->received = value;
}

static void parse_error(const WCHAR *raw, ob_bup_ack *ack)
{
    UINT64 code = 0, context = 0;
    /* The SDK documents BITS-Error-Code, [MC-BUP] BITS-Error: accept both. */
    ack->has_error = header_hex32(raw, L"BITS-Error-Code", &code) || header_hex32(raw, L"BITS-Error", &code);
    ack->error_code = (HRESULT)(ULONG)code;
    if (header_hex32(raw, L"BITS-Error-Context", &context)) ack->error_context = (DWORD)context;
}

void ob_bup_parse_ack(DWORD status, const WCHAR *raw, ob_bup_ack *ack)
{
    WCHAR type[32];

    memset(ack, 0, sizeof(*ack));
    ack->status = status;
    if (!raw) return;
    ack->is_ack = header_value(raw, L"BITS-Packet-Type", type, ARRAYSIZE(type)) && !_wcsicmp(type, L"Ack");
    header_value(raw, L"BITS-Session-Id", ack->session_id, ARRAYSIZE(ack->session_id));
    header_value(raw, L"BITS-Protocol", ack->protocol, ARRAYSIZE(ack->protocol));
    header_value(raw, L"BITS-Host-Id", ack->host_id, ARRAYSIZE(ack->host_id));
    header_value(raw, L"BITS-Reply-URL", ack->reply_url, ARRAYSIZE(ack->reply_url));
    received_range(raw, ack);
    parse_error(raw, ack);
}

HRESULT ob_bup_ack_result(const ob_bup_ack *ack, BG_ERROR_CONTEXT *context)
{
    *context = BG_ERROR_CONTEXT_REMOTE_FILE;
    if (ack->status >= 200 && ack->status < 300 && !(ack->has_error && FAILED(ack->error_code))) return S_OK;
    if (ack->has_error && FAILED(ack->error_code))
    {
        if (ack->error_context == 0x7) *context = BG_ERROR_CONTEXT_REMOTE_APPLICATION;
        return ack->error_code;
    }
    return (HRESULT)(0x80190000 | ack->status);
}

static BOOL valid_session_id(const WCHAR *id)
{
    size_t n = wcslen(id), i;
    if (!n || n > OB_BUP_MAX_SESSION_ID) return FALSE;
    for (i = 0; i < n; i++)
        if (id[i] < 0x21 || id[i] > 0x7e) return FALSE;
    return TRUE;
}

HRESULT ob_bup_session_result(const ob_bup_ack *ack, BG_ERROR_CONTEXT *context)
{
    HRESULT hr = ob_bup_ack_result(ack, context);
    if (FAILED(hr)) return hr;
    if (_wcsicmp(ack->protocol, OB_BUP_PROTOCOL)) return BG_E_CLIENT_SERVER_PROTOCOL_MISMATCH;
    if (!valid_session_id(ack->session_id)) return BG_E_INVALID_SERVER_RESPONSE;
    return S_OK;
}

HRESULT ob_bup_fragment_result(const ob_bup_ack *ack, const ob_bup_fragment *sent, UINT64 floor, UINT64 *next,
                               BG_ERROR_CONTEXT *context)
{
    HRESULT hr;

    *context = BG_ERROR_CONTEXT_REMOTE_FILE;
    if (ack->status == 416 && !ack->has_received && !ack->bad_received) return ob_bup_ack_result(ack, context);
    if (ack->status != 416 && FAILED(hr = ob_bup_ack_result(ack, context))) return hr;
    if (!ack->has_received || ack->received < floor || ack->received > sent->total ||
        (ack->status == 416 && sent->total && ack->received == sent->total))
        return BG_E_INVALID_SERVER_RESPONSE;
    *next = ack->received;
    return S_OK;
}

/* An authority only: host (name, IPv4 or [IPv6]) and an optional port. */
static BOOL valid_host_id(const WCHAR *p)
{
    const WCHAR *start = p;
    UINT64 port;

    if (*p == '[')
    {
        for (p++; (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') || (*p >= 'A' && *p <= 'F') || *p == ':' ||
                  *p == '.';
             p++) {}
        if (p == start + 1 || *p++ != ']') return FALSE;
    }
    else
    {
        for (; (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-' ||
               *p == '.' || *p == '_' || *p == '~';
             p++) {}
        if (p == start) return FALSE;
    }
    if (*p == ':' && (++p, !parse_digits(&p, 10, 65535, &port) || !port)) return FALSE;
    return !*p && p - start <= 255;
}

HRESULT ob_bup_redirect(const WCHAR *url, const WCHAR *host_id, WCHAR **out)
{
    const WCHAR *scheme_end = wcsstr(url, L"://"), *path;
    size_t prefix, host_len = wcslen(host_id);

    *out = NULL;
    if (!valid_host_id(host_id)) return BG_E_INVALID_SERVER_RESPONSE;
    if (!scheme_end) return E_INVALIDARG;
    prefix = scheme_end + 3 - url;
    path = wcschr(url + prefix, '/');
    if (!path) path = L"/";
    if (!(*out = HeapAlloc(GetProcessHeap(), 0, (prefix + host_len + wcslen(path) + 1) * sizeof(WCHAR))))
        return E_OUTOFMEMORY;
    memcpy(*out, url, prefix * sizeof(WCHAR));
    memcpy(*out + prefix, host_id, host_len * sizeof(WCHAR));
    wcscpy(*out + prefix + host_len, path);
    return S_OK;
}
