/* The one classification of transfer failures, used by every transport (and
 * by the upload protocol for the server's own errors): which codes mend by
 * waiting (TRANSIENT_ERROR, retried after MinimumRetryDelay) and which do
 * not (ERROR).  Nothing outside the transports knows WinHTTP or Winsock codes. */
#include "transport.h"
#include <winhttp.h>

static BOOL is_winhttp_error(HRESULT hr)
{
    return HRESULT_FACILITY(hr) == FACILITY_WIN32 && HRESULT_CODE(hr) >= 12000 && HRESULT_CODE(hr) < 12200;
}

/* A bad URL, a failed redirect or a certificate the machine does not accept
 * will not mend by waiting.  Wine reports certificate failures as
 * SECURE_CHANNEL_ERROR. */
static BOOL is_permanent_winhttp_error(DWORD code)
{
    switch (code)
    {
    case ERROR_WINHTTP_INVALID_URL:
    case ERROR_WINHTTP_UNRECOGNIZED_SCHEME:
    case ERROR_WINHTTP_REDIRECT_FAILED:
    case ERROR_WINHTTP_HEADER_NOT_FOUND:
    case ERROR_WINHTTP_SECURE_CERT_DATE_INVALID:
    case ERROR_WINHTTP_SECURE_CERT_CN_INVALID:
    case ERROR_WINHTTP_SECURE_INVALID_CA:
    case ERROR_WINHTTP_SECURE_INVALID_CERT:
    case ERROR_WINHTTP_SECURE_CERT_REVOKED:
    case ERROR_WINHTTP_SECURE_CERT_WRONG_USAGE:
    case ERROR_WINHTTP_SECURE_FAILURE:
    case ERROR_WINHTTP_SECURE_CHANNEL_ERROR:
        return TRUE;
    default:
        return FALSE;
    }
}

/* Winsock failures of the network itself, as WinHTTP (Wine's passes them
 * through) or a socket reports them. */
static BOOL is_network_error(DWORD code)
{
    switch (code)
    {
    case WSAECONNRESET:
    case WSAECONNABORTED:
    case WSAETIMEDOUT:
    case WSAENETUNREACH:
    case WSAEHOSTUNREACH:
    case WSAECONNREFUSED:
    case WSAENETDOWN:
    case WSAENETRESET:
    case WSAEHOSTDOWN:
    case WSAESHUTDOWN:
    case WSAENOTCONN:
    case WSAHOST_NOT_FOUND:
    case WSATRY_AGAIN:
    case ERROR_HANDLE_EOF:
    case ERROR_BAD_NETPATH:
    case ERROR_NETNAME_DELETED:
    case ERROR_UNEXP_NET_ERR:
    case ERROR_NETWORK_UNREACHABLE:
    case ERROR_HOST_UNREACHABLE:
    case ERROR_CONNECTION_REFUSED:
    case ERROR_CONNECTION_ABORTED:
    case ERROR_SEM_TIMEOUT:
    case ERROR_TIMEOUT:
        return TRUE;
    default:
        return FALSE;
    }
}

BOOL ob_transient_error(HRESULT hr)
{
    if (HRESULT_FACILITY(hr) == 0x19 && (hr & 0xffff) >= 500) return TRUE; /* BG_E_HTTP_ERROR_5xx */
    if (is_winhttp_error(hr)) return !is_permanent_winhttp_error(HRESULT_CODE(hr));
    if (HRESULT_FACILITY(hr) == FACILITY_WIN32 && is_network_error(HRESULT_CODE(hr))) return TRUE;
    switch (hr)
    {
    case BG_E_INVALID_SERVER_RESPONSE:
    case BG_E_NETWORK_DISCONNECTED:
        return TRUE;
    default:
        return FALSE;
    }
}

HRESULT ob_fail_as(ob_failure *failure, HRESULT hr, BG_ERROR_CONTEXT context, BOOL transient)
{
    failure->hr = hr;
    failure->context = context;
    failure->transient = transient;
    return hr;
}

HRESULT ob_fail(ob_failure *failure, HRESULT hr, BG_ERROR_CONTEXT context)
{
    return ob_fail_as(failure, hr, context, ob_transient_error(hr));
}
