#include "bup.h"
#include "str.h"
#include <stdio.h>

static const WCHAR *const packet_names[] = {
    L"Ping", L"Create-Session", L"Fragment", L"Close-Session", L"Cancel-Session",
};

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

/* The value of "name: value" in raw headers, trimmed, into out. */
static BOOL header_value(const WCHAR *raw, const WCHAR *name, WCHAR *out, size_t chars)
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
        if ((size_t)(end - value) >= chars) return FALSE;
        memcpy(out, value, (end - value) * sizeof(WCHAR));
        out[end - value] = 0;
        return TRUE;
    }
    return FALSE;
}

static BOOL header_number(const WCHAR *raw, const WCHAR *name, int base, UINT64 *out)
{
    WCHAR text[40], *end;
    if (!header_value(raw, name, text, ARRAYSIZE(text)) || !text[0]) return FALSE;
    *out = _wcstoui64(text, &end, base);
    return *end == 0;
}

/* BITS-Received-Content-Range: the next offset, written "n" (some servers
 * write a range "0-n"; its end + 1 is then the next offset). */
static BOOL received_range(const WCHAR *raw, UINT64 *out)
{
    WCHAR text[64], *end;
    const WCHAR *dash;
    if (!header_value(raw, L"BITS-Received-Content-Range", text, ARRAYSIZE(text)) || !text[0]) return FALSE;
    if ((dash = wcschr(text, '-')))
    {
        *out = _wcstoui64(dash + 1, &end, 10) + 1;
        return *end == 0;
    }
    *out = _wcstoui64(text, &end, 10);
    return *end == 0;
}

static void parse_error(const WCHAR *raw, ob_bup_ack *ack)
{
    UINT64 code = 0, context = 0;
    /* The SDK documents BITS-Error-Code, [MC-BUP] BITS-Error: accept both. */
    ack->has_error = header_number(raw, L"BITS-Error-Code", 16, &code) || header_number(raw, L"BITS-Error", 16, &code);
    ack->error_code = (HRESULT)(ULONG)code;
    if (header_number(raw, L"BITS-Error-Context", 16, &context)) ack->error_context = (DWORD)context;
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
    ack->has_received = received_range(raw, &ack->received);
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

HRESULT ob_bup_redirect(const WCHAR *url, const WCHAR *host_id, WCHAR **out)
{
    const WCHAR *scheme_end = wcsstr(url, L"://"), *path;
    size_t prefix, host_len = wcslen(host_id);

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
