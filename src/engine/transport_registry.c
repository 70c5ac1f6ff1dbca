/* The registry of transports: which one serves a remote name, by its scheme
 * (http:, https:) or its form (file: URLs, UNC and drive paths).  Workers ask
 * here and never choose a transport themselves, so adding a transport is one
 * row in this table. */
#include "transport.h"

static HRESULT open_local(const ob_transport_options *options, ob_transport **out)
{
    (void)options;
    return ob_local_transport_open(out);
}

static BOOL is_scheme(const WCHAR *remote, const WCHAR *scheme)
{
    size_t n = wcslen(scheme);
    return !_wcsnicmp(remote, scheme, n) && remote[n] == L':';
}

static BOOL is_http(const WCHAR *remote)
{
    return is_scheme(remote, L"http") || is_scheme(remote, L"https");
}

/* file:// URLs, \\server\share\... and X:\... (names.c has accepted the form). */
static BOOL is_local(const WCHAR *remote)
{
    if (is_scheme(remote, L"file")) return TRUE;
    if ((remote[0] == L'\\' || remote[0] == L'/') && (remote[1] == L'\\' || remote[1] == L'/')) return TRUE;
    return ((remote[0] >= L'A' && remote[0] <= L'Z') || (remote[0] >= L'a' && remote[0] <= L'z')) &&
           remote[1] == L':';
}

static const struct {
    BOOL (*serves)(const WCHAR *remote);
    ob_transport_class cls;
} registry[OB_TRANSPORT_CLASSES] = {
    { is_http, { L"http", 0, ob_http_transport_open } },
    { is_local, { L"file", 1, open_local } },
};

const ob_transport_class *ob_transport_for(const WCHAR *remote)
{
    ULONG i;
    if (!remote) return NULL;
    for (i = 0; i < ARRAYSIZE(registry); i++)
        if (registry[i].serves(remote)) return &registry[i].cls;
    return NULL;
}
