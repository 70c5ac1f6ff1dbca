#include "names.h"
#include "path.h"
#include "str.h"
#include <stdio.h>
#include <wctype.h>

static BOOL has_prefix(const WCHAR *s, const WCHAR *prefix)
{
    return !_wcsnicmp(s, prefix, wcslen(prefix));
}

static BOOL is_drive_path(const WCHAR *p)
{
    return iswalpha(p[0]) && p[1] == ':' && (p[2] == '\\' || p[2] == '/');
}

static BOOL is_device_path(const WCHAR *p)
{
    return has_prefix(p, L"\\\\?\\") || has_prefix(p, L"\\\\.\\") ||
           has_prefix(p, L"//?/") || has_prefix(p, L"//./");
}

static BOOL is_unc_path(const WCHAR *p)
{
    const WCHAR *server = p + 2, *sep;
    if (!((p[0] == '\\' && p[1] == '\\') || (p[0] == '/' && p[1] == '/'))) return FALSE;
    if (is_device_path(p)) return FALSE;
    sep = wcspbrk(server, L"\\/");
    return sep && sep > server && sep[1] && sep[1] != '\\' && sep[1] != '/';
}

/* A segment Windows would not keep as written: a device (NUL, CON, COM1...,
 * with or without an extension) or a name ending in a dot or a space (Win32
 * drops those, so "." and ".." too), which would name another file. */
static BOOL is_device_name(const WCHAR *segment, size_t len)
{
    static const WCHAR *const devices[] = { L"CON", L"PRN", L"AUX", L"NUL", L"CONIN$", L"CONOUT$", L"CLOCK$" };
    size_t base = 0, i;

    while (base < len && segment[base] != '.') base++;
    while (base && segment[base - 1] == ' ') base--;
    if (base == 4 && (!_wcsnicmp(segment, L"COM", 3) || !_wcsnicmp(segment, L"LPT", 3)) &&
        segment[3] >= '1' && segment[3] <= '9')
        return TRUE;
    for (i = 0; i < ARRAYSIZE(devices); i++)
        if (base == wcslen(devices[i]) && !_wcsnicmp(segment, devices[i], base)) return TRUE;
    return FALSE;
}

static BOOL is_clean_segment(const WCHAR *segment, size_t len)
{
    if (len > MAX_PATH) return FALSE;
    if (!len) return TRUE; /* "\\" of a UNC name, or a trailing separator: judged elsewhere */
    if (segment[len - 1] == '.' || segment[len - 1] == ' ') return FALSE;
    return !is_device_name(segment, len);
}

/* No wildcards, no NTFS stream (a colon other than the drive's), every
 * segment at most MAX_PATH characters and kept by Windows as written. */
static BOOL is_clean_path(const WCHAR *p)
{
    const WCHAR *start = is_drive_path(p) ? p + 2 : p, *c, *segment = start;

    for (c = start;; c++)
    {
        if (*c == '*' || *c == '?' || *c == ':' || *c == '<' || *c == '>' || *c == '|' || *c == '"')
            return FALSE;
        if (!*c || ob_path_is_separator(*c))
        {
            if (!is_clean_segment(segment, (size_t)(c - segment))) return FALSE;
            if (!*c) return TRUE;
            segment = c + 1;
        }
    }
}

/* "\\server\pipe\name": a named pipe on another machine, not a file. */
static BOOL is_remote_pipe(const WCHAR *p)
{
    const WCHAR *share;
    if (!is_unc_path(p)) return FALSE;
    share = wcspbrk(p + 2, L"\\/") + 1;
    return has_prefix(share, L"pipe") && (!share[4] || share[4] == '\\' || share[4] == '/');
}

static BOOL is_full_path(const WCHAR *p)
{
    return (is_drive_path(p) || is_unc_path(p)) && is_clean_path(p) && !is_remote_pipe(p);
}

/* "file://C:\x", "file:///C:/x", "file://server/share/x" → path part. */
static const WCHAR *file_url_path(const WCHAR *url)
{
    const WCHAR *rest = url + 7;
    if (rest[0] == '/' && is_drive_path(rest + 1)) return rest + 1;
    return rest;
}

WCHAR *ob_remote_to_path(const WCHAR *name)
{
    const WCHAR *path = has_prefix(name, L"file://") ? file_url_path(name) : name;
    WCHAR *copy, *c;
    BOOL unc_url = has_prefix(name, L"file://") && !is_drive_path(path);

    copy = HeapAlloc(GetProcessHeap(), 0, (wcslen(path) + 3) * sizeof(WCHAR));
    if (!copy) return NULL;
    copy[0] = 0;
    if (unc_url) wcscpy(copy, L"\\\\");
    wcscat(copy, path);
    for (c = copy; *c; c++) if (*c == '/') *c = '\\';
    return copy;
}

/* The URL's path (up to a query or fragment): no wildcard, every segment at
 * most MAX_PATH characters (BG_FILE_INFO). */
static BOOL is_clean_url_path(const WCHAR *path)
{
    size_t segment = 0;
    for (; *path && *path != '?' && *path != '#'; path++)
    {
        if (*path == '*') return FALSE;
        segment = *path == '/' ? 0 : segment + 1;
        if (segment > MAX_PATH) return FALSE;
    }
    return TRUE;
}

/* A port is 1 to 65535, in digits. */
static BOOL is_port(const WCHAR *p, const WCHAR *end)
{
    ULONG value = 0;
    if (p == end || end - p > 5) return FALSE;
    for (; p < end; p++)
    {
        if (*p < '0' || *p > '9') return FALSE;
        value = value * 10 + (*p - '0');
    }
    return value >= 1 && value <= 65535;
}

/* "[v6address]": hex digits, colons and dots (an IPv4 tail) between brackets. */
static BOOL is_ipv6_literal(const WCHAR *open, const WCHAR *close)
{
    const WCHAR *c;
    if (close - open < 3) return FALSE;
    for (c = open + 1; c < close; c++)
        if (!iswxdigit(*c) && *c != ':' && *c != '.') return FALSE;
    return TRUE;
}

/* The authority (up to the path, query or fragment): [user@]host[:port],
 * host a name or a bracketed IPv6 literal. */
static BOOL is_authority(const WCHAR *authority, const WCHAR *end)
{
    const WCHAR *host = authority, *host_end, *c;

    for (c = authority; c < end; c++)
        if (*c == '@') host = c + 1;
    if (host < end && *host == '[')
    {
        for (host_end = host; host_end < end && *host_end != ']'; host_end++) {}
        if (host_end == end || !is_ipv6_literal(host, host_end)) return FALSE;
        host_end++;
    }
    else
    {
        for (host_end = host; host_end < end && *host_end != ':'; host_end++)
            if (*host_end == '[' || *host_end == ']') return FALSE;
        if (host_end == host) return FALSE;
    }
    if (host_end == end) return TRUE;
    return *host_end == ':' && is_port(host_end + 1, end);
}

static HRESULT check_http_url(const WCHAR *name)
{
    const WCHAR *host = wcsstr(name, L"://") + 3, *c;
    for (c = name; *c; c++)
        if (*c <= ' ') return E_INVALIDARG;
    if (!is_authority(host, host + wcscspn(host, L"/?#"))) return E_INVALIDARG;
    return is_clean_url_path(host) ? S_OK : E_INVALIDARG;
}

static HRESULT check_file_name_as_remote(const WCHAR *name)
{
    WCHAR *path = ob_remote_to_path(name);
    HRESULT hr;
    if (!path) return E_OUTOFMEMORY;
    hr = is_full_path(path) ? S_OK : E_INVALIDARG;
    ob_str_free(path);
    return hr;
}

HRESULT ob_check_remote_name(const WCHAR *name, BG_JOB_TYPE type, ob_remote_kind *kind)
{
    if (!name || !*name || wcslen(name) > OB_MAX_REMOTE_NAME) return E_INVALIDARG;

    if (has_prefix(name, L"http://") || has_prefix(name, L"https://"))
    {
        *kind = OB_REMOTE_HTTP;
        return check_http_url(name);
    }
    if (is_device_path(name)) return E_INVALIDARG;
    if (has_prefix(name, L"file://") || is_unc_path(name) || is_drive_path(name))
    {
        /* Upload-reply jobs need a server application: no SMB. */
        if (type == BG_JOB_TYPE_UPLOAD_REPLY) return E_INVALIDARG;
        *kind = OB_REMOTE_FILE;
        return check_file_name_as_remote(name);
    }
    return E_INVALIDARG; /* relative path or unsupported protocol */
}

static HRESULT directory_of_must_exist(const WCHAR *path)
{
    WCHAR *dir;
    DWORD attrs;

    if (!*ob_path_leaf(path)) return E_INVALIDARG; /* names a directory, not a file */
    if (!(dir = ob_path_dir(path))) return E_OUTOFMEMORY;
    attrs = ob_path_attributes(dir);
    ob_str_free(dir);
    if (attrs == INVALID_FILE_ATTRIBUTES || !(attrs & FILE_ATTRIBUTE_DIRECTORY))
        return HRESULT_FROM_WIN32(ERROR_PATH_NOT_FOUND);
    return S_OK;
}

/* An upload's file: there, a file, and readable by the caller. */
static HRESULT file_must_be_readable(const WCHAR *path)
{
    DWORD attrs = ob_path_attributes(path);
    HANDLE file;

    if (attrs == INVALID_FILE_ATTRIBUTES) return HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND);
    if (attrs & FILE_ATTRIBUTE_DIRECTORY) return E_INVALIDARG;
    file = ob_path_open(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, OPEN_EXISTING, 0);
    if (file != INVALID_HANDLE_VALUE)
    {
        CloseHandle(file);
        return S_OK;
    }
    return GetLastError() == ERROR_ACCESS_DENIED ? E_ACCESSDENIED : HRESULT_FROM_WIN32(GetLastError());
}

static BOOL is_directory(const WCHAR *path)
{
    DWORD attrs = ob_path_attributes(path);
    return attrs != INVALID_FILE_ATTRIBUTES && (attrs & FILE_ATTRIBUTE_DIRECTORY);
}

static BOOL is_local_syntax(const WCHAR *name)
{
    return name && wcslen(name) < MAX_PATH && !is_device_path(name) && is_full_path(name);
}

/* A file the engine writes: its temporary file goes beside it, so the
 * directory must exist, take new files, and leave room for "BITxxxx.tmp". */
static HRESULT check_written_name(const WCHAR *name)
{
    HRESULT hr;
    if (ob_path_dir_len(name) - 1 > OB_PATH_TEMP_DIR_MAX) return E_INVALIDARG;
    if (is_directory(name)) return E_INVALIDARG;
    if (FAILED(hr = directory_of_must_exist(name))) return hr;
    return ob_path_check_writable(name);
}

HRESULT ob_check_local_name(const WCHAR *name, BG_JOB_TYPE type)
{
    if (!is_local_syntax(name)) return E_INVALIDARG;
    return type == BG_JOB_TYPE_DOWNLOAD ? check_written_name(name) : file_must_be_readable(name);
}

HRESULT ob_check_reply_name(const WCHAR *name)
{
    if (!is_local_syntax(name)) return E_INVALIDARG;
    return check_written_name(name);
}

void ob_remote_for_trace(const WCHAR *name, WCHAR *out, size_t chars)
{
    const WCHAR *scheme = name ? wcsstr(name, L"://") : NULL, *authority, *end, *at = NULL, *c;

    if (!name)
    {
        lstrcpynW(out, L"(null)", (int)chars);
        return;
    }
    if (scheme)
    {
        authority = scheme + 3;
        end = authority + wcscspn(authority, L"/?#");
        for (c = authority; c < end; c++)
            if (*c == '@') at = c;
    }
    if (!at)
    {
        lstrcpynW(out, name, (int)chars);
        return;
    }
    _snwprintf(out, chars, L"%.*ls***%ls", (int)(authority - name), name, at);
    out[chars - 1] = 0;
}
