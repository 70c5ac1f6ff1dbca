#include "errtext.h"
#include <objbase.h>

static DWORD format(DWORD source, HMODULE module, DWORD id, DWORD langid, WCHAR **text)
{
    DWORD flags = FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_IGNORE_INSERTS | source;
    *text = NULL;
    if (FormatMessageW(flags, module, id, langid, (WCHAR *)text, 0, NULL)) return ERROR_SUCCESS;
    return GetLastError();
}

static HRESULT copy_trimmed(const WCHAR *text, WCHAR **out)
{
    size_t len = wcslen(text);
    while (len && (text[len - 1] == '\n' || text[len - 1] == '\r' || text[len - 1] == ' ')) len--;
    if (!(*out = CoTaskMemAlloc((len + 1) * sizeof(WCHAR)))) return E_OUTOFMEMORY;
    memcpy(*out, text, len * sizeof(WCHAR));
    (*out)[len] = 0;
    return S_OK;
}

/* BG_E_HTTP_ERROR_nnn for a status without a text of its own. */
static DWORD format_http_status(HMODULE module, HRESULT code, DWORD langid, WCHAR **text)
{
    DWORD_PTR status = HRESULT_CODE(code);
    DWORD flags = FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_ARGUMENT_ARRAY | FORMAT_MESSAGE_FROM_HMODULE;
    *text = NULL;
    if (FormatMessageW(flags, module, OB_MSG_HTTP_STATUS, langid, (WCHAR *)text, 0, (va_list *)&status))
        return ERROR_SUCCESS;
    return GetLastError();
}

static BOOL not_in_table(DWORD err)
{
    return err == ERROR_MR_MID_NOT_FOUND || err == ERROR_RESOURCE_TYPE_NOT_FOUND;
}

HRESULT ob_error_text(HMODULE module, HRESULT code, DWORD langid, WCHAR **out)
{
    WCHAR *text;
    DWORD err;
    HRESULT hr;

    /* "The LanguageId parameter cannot be 0" (IBackgroundCopyError's pages);
     * the manager's page describes the same parameter: one rule for both. */
    if (!langid) return E_INVALIDARG;
    err = format(FORMAT_MESSAGE_FROM_HMODULE, module, code, langid, &text);

    if (not_in_table(err) && HRESULT_FACILITY(code) == OPENBITS_FACILITY_BITS_HTTP && code != OB_MSG_HTTP_STATUS)
        err = format_http_status(module, code, langid, &text);
    if (not_in_table(err))
    {
        DWORD id = HRESULT_FACILITY(code) == FACILITY_WIN32 ? (DWORD)HRESULT_CODE(code) : (DWORD)code;
        err = format(FORMAT_MESSAGE_FROM_SYSTEM, NULL, id, langid, &text);
    }
    if (err == ERROR_RESOURCE_LANG_NOT_FOUND) return HRESULT_FROM_WIN32(ERROR_RESOURCE_LANG_NOT_FOUND);
    if (err) return HRESULT_FROM_WIN32(err);
    hr = copy_trimmed(text, out);
    LocalFree(text);
    return hr;
}

HRESULT ob_error_context_message(BG_ERROR_CONTEXT context)
{
    switch (context)
    {
    case BG_ERROR_CONTEXT_NONE:                        return BG_S_ERROR_CONTEXT_NONE;
    case BG_ERROR_CONTEXT_GENERAL_QUEUE_MANAGER:       return BG_E_ERROR_CONTEXT_GENERAL_QUEUE_MANAGER;
    case BG_ERROR_CONTEXT_QUEUE_MANAGER_NOTIFICATION:  return BG_E_ERROR_CONTEXT_QUEUE_MANAGER_NOTIFICATION;
    case BG_ERROR_CONTEXT_LOCAL_FILE:                  return BG_E_ERROR_CONTEXT_LOCAL_FILE;
    case BG_ERROR_CONTEXT_REMOTE_FILE:                 return BG_E_ERROR_CONTEXT_REMOTE_FILE;
    case BG_ERROR_CONTEXT_GENERAL_TRANSPORT:           return BG_E_ERROR_CONTEXT_GENERAL_TRANSPORT;
    case BG_ERROR_CONTEXT_REMOTE_APPLICATION:          return BG_E_ERROR_CONTEXT_REMOTE_APPLICATION;
    default:                                           return BG_E_ERROR_CONTEXT_UNKNOWN;
    }
}
