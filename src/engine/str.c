#include "str.h"

WCHAR *ob_str_dup(const WCHAR *s)
{
    size_t bytes = (wcslen(s) + 1) * sizeof(WCHAR);
    WCHAR *copy = HeapAlloc(GetProcessHeap(), 0, bytes);
    if (copy) memcpy(copy, s, bytes);
    return copy;
}

HRESULT ob_str_dup_opt(const WCHAR *s, WCHAR **out)
{
    *out = NULL;
    if (!s) return S_OK;
    *out = ob_str_dup(s);
    return *out ? S_OK : E_OUTOFMEMORY;
}

void ob_str_free(WCHAR *s)
{
    if (s) HeapFree(GetProcessHeap(), 0, s);
}

void ob_str_wipe(WCHAR *s)
{
    if (!s) return;
    SecureZeroMemory(s, wcslen(s) * sizeof(WCHAR));
    HeapFree(GetProcessHeap(), 0, s);
}

HRESULT ob_str_replace(WCHAR **slot, const WCHAR *s)
{
    WCHAR *copy;
    HRESULT hr = ob_str_dup_opt(s, &copy);
    if (FAILED(hr)) return hr;
    ob_str_free(*slot);
    *slot = copy;
    return S_OK;
}
