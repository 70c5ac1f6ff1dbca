#include "names.h"
#include "str.h"
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

/* No wildcards, no NTFS stream (a colon other than the drive's), every
 * segment at most MAX_PATH characters. */
static BOOL is_clean_path(const WCHAR *p)
{
    const WCHAR *start = is_drive_path(p) ? p + 2 : p, *c;
    size_t segment = 0;
    for (c = start; *c; c++)
    {
        if (*c == '*' || *c == '?' || *c == ':' || *c == '<' || *c == '>' || *c == '|' || *c == '"')
            return FALSE;
        segment = (*c == '\\' || *c == '/') ? 0 : segment + 1;
        if (segment > MAX_PATH) return FALSE;
    }
    return TRUE;
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

static HRESULT check_http_url(const WCHAR *name)
{
    const WCHAR *host = wcsstr(name, L"://") + 3, *c;
    if (!*host || *host == '/' || *host == ':') return E_INVALIDARG;
    for (c = name; *c; c++)
        if (*c <= ' ') return E_INVALIDARG;
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
    WCHAR dir[MAX_PATH];
    WCHAR *slash;
    DWORD attrs;

    wcscpy(dir, path);
    slash = wcsrchr(dir, '\\');
    if (!slash || wcsrchr(dir, '/') > slash) slash = wcsrchr(dir, '/');
    if (!slash || !slash[1]) return E_INVALIDARG; /* names a directory, not a file */
    slash[1] = 0;
    attrs = GetFileAttributesW(dir);
    if (attrs == INVALID_FILE_ATTRIBUTES || !(attrs & FILE_ATTRIBUTE_DIRECTORY))
        return HRESULT_FROM_WIN32(ERROR_PATH_NOT_FOUND);
    return S_OK;
}

static HRESULT file_must_exist(const WCHAR *path)
{
    DWORD attrs = GetFileAttributesW(path);
    if (attrs == INVALID_FILE_ATTRIBUTES) return HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND);
    if (attrs & FILE_ATTRIBUTE_DIRECTORY) return E_INVALIDARG;
    return S_OK;
}

static BOOL is_directory(const WCHAR *path)
{
    DWORD attrs = GetFileAttributesW(path);
    return attrs != INVALID_FILE_ATTRIBUTES && (attrs & FILE_ATTRIBUTE_DIRECTORY);
}

HRESULT ob_check_local_name(const WCHAR *name, BG_JOB_TYPE type)
{
    if (!name || wcslen(name) >= MAX_PATH || is_device_path(name) || !is_full_path(name))
        return E_INVALIDARG;
    if (type == BG_JOB_TYPE_DOWNLOAD)
    {
        if (is_directory(name)) return E_INVALIDARG;
        return directory_of_must_exist(name);
    }
    return file_must_exist(name);
}

HRESULT ob_check_reply_name(const WCHAR *name)
{
    if (wcslen(name) >= MAX_PATH || is_device_path(name) || !is_full_path(name)) return E_INVALIDARG;
    if (is_directory(name)) return E_INVALIDARG; /* names a directory, not a file */
    return directory_of_must_exist(name);
}
