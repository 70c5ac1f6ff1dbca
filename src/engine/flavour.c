/* The two flavours (flavour.h).  DO's column is Microsoft's Delivery
 * Optimization reference (the delivery_optimization pages); what it leaves open is
 * in docs/choices.md ("Delivery Optimization"). */
#include "flavour.h"

#define TYPE_BIT(type) (1u << (type))

const ob_flavour ob_flavour_bits = {
    L"BITS",
    TYPE_BIT(BG_JOB_TYPE_DOWNLOAD) | TYPE_BIT(BG_JOB_TYPE_UPLOAD) | TYPE_BIT(BG_JOB_TYPE_UPLOAD_REPLY),
    BG_JOB_STATE_CONNECTING,
    { OB_DEFAULT_NO_PROGRESS, OB_DEFAULT_NO_PROGRESS, OB_DEFAULT_NO_PROGRESS, OB_DEFAULT_NO_PROGRESS },
    0,
    { BG_ERROR_CONTEXT_NONE, BG_ERROR_CONTEXT_UNKNOWN, BG_ERROR_CONTEXT_GENERAL_QUEUE_MANAGER,
      BG_ERROR_CONTEXT_QUEUE_MANAGER_NOTIFICATION, BG_ERROR_CONTEXT_LOCAL_FILE, BG_ERROR_CONTEXT_REMOTE_FILE,
      BG_ERROR_CONTEXT_GENERAL_TRANSPORT, BG_ERROR_CONTEXT_REMOTE_APPLICATION },
    { { 0, 0 } },
};

const ob_flavour ob_flavour_do = {
    L"DO",
    TYPE_BIT(BG_JOB_TYPE_DOWNLOAD),        /* BG_JOB_TYPE: only downloads */
    BG_JOB_STATE_TRANSFERRING,             /* BG_JOB_STATE_CONNECTING: "Not supported" */
    /* SetNoProgressTimeout: 3600 s for high priority, 86400 s for low */
    { 3600, 3600, 86400, 86400 },
    BG_NOTIFY_DISABLE | 0x0020,            /* ...and BG_NOTIFY_FILE_RANGES_TRANSFERRED: "Not supported" */
    /* BG_ERROR_CONTEXT: only NONE and REMOTE_FILE; a failure of the transfer
     * reads as the remote file's, any other as NONE */
    { BG_ERROR_CONTEXT_NONE, BG_ERROR_CONTEXT_NONE, BG_ERROR_CONTEXT_NONE, BG_ERROR_CONTEXT_NONE,
      BG_ERROR_CONTEXT_NONE, BG_ERROR_CONTEXT_REMOTE_FILE, BG_ERROR_CONTEXT_REMOTE_FILE,
      BG_ERROR_CONTEXT_REMOTE_FILE },
    /* The DO_E_* codes of the DO pages where BITS answers BG_E_* */
    { { BG_E_NOT_FOUND, DO_E_JOB_NOT_FOUND },
      { BG_E_INVALID_STATE, DO_E_INVALID_STATE },
      { BG_E_EMPTY, DO_E_JOB_EMPTY },
      { BG_E_ERROR_INFORMATION_UNAVAILABLE, DO_E_ERROR_INFORMATION_UNAVAILABLE },
      { BG_E_FILE_NOT_AVAILABLE, DO_E_FILE_NOT_AVAILABLE },
      { BG_E_INVALID_RANGE, DO_E_INVALID_RANGE },
      { BG_E_OVERLAPPING_RANGES, DO_E_OVERLAPPING_RANGES },
      { BG_E_INSUFFICIENT_RANGE_SUPPORT, DO_E_INSUFFICIENT_RANGE_SUPPORT } },
};

BOOL ob_flavour_makes(const ob_flavour *flavour, BG_JOB_TYPE type)
{
    return (unsigned)type < 32 && (flavour->job_types & TYPE_BIT(type));
}

BG_JOB_STATE ob_flavour_state(const ob_flavour *flavour, BG_JOB_STATE state)
{
    return state == BG_JOB_STATE_CONNECTING ? flavour->connecting_reads_as : state;
}

ULONG ob_flavour_no_progress_timeout(const ob_flavour *flavour, BG_JOB_PRIORITY priority)
{
    return flavour->no_progress_timeout[(unsigned)priority < 4 ? priority : BG_JOB_PRIORITY_NORMAL];
}

BG_ERROR_CONTEXT ob_flavour_context(const ob_flavour *flavour, BG_ERROR_CONTEXT context)
{
    return (unsigned)context < ARRAYSIZE(flavour->contexts) ? flavour->contexts[context] : context;
}

HRESULT ob_flavour_result(const ob_flavour *flavour, HRESULT hr)
{
    ULONG i;
    for (i = 0; i < OB_FLAVOUR_CODES && flavour->codes[i].from; i++)
        if (flavour->codes[i].from == hr) return flavour->codes[i].to;
    return hr;
}

/* WinHTTP's values (winhttp.h), which DO's page names */
#define DO_SECURITY_IGNORE_UNKNOWN_CA        0x00000100
#define DO_SECURITY_IGNORE_CERT_WRONG_USAGE  0x00000200
#define DO_SECURITY_IGNORE_CERT_CN_INVALID   0x00001000
#define DO_SECURITY_IGNORE_CERT_DATE_INVALID 0x00002000
#define DO_ENABLE_SSL_REVOCATION             0x00000001

HRESULT ob_flavour_do_security_flags(ULONG winhttp, ULONG *bits)
{
    static const struct { ULONG winhttp, bits; } map[] = {
        { DO_SECURITY_IGNORE_CERT_CN_INVALID, BG_SSL_IGNORE_CERT_CN_INVALID },
        { DO_SECURITY_IGNORE_CERT_DATE_INVALID, BG_SSL_IGNORE_CERT_DATE_INVALID },
        { DO_SECURITY_IGNORE_UNKNOWN_CA, BG_SSL_IGNORE_UNKNOWN_CA },
        { DO_SECURITY_IGNORE_CERT_WRONG_USAGE, BG_SSL_IGNORE_CERT_WRONG_USAGE },
    };
    ULONG known = DO_ENABLE_SSL_REVOCATION, i;

    *bits = 0;
    for (i = 0; i < ARRAYSIZE(map); i++)
    {
        known |= map[i].winhttp;
        if (winhttp & map[i].winhttp) *bits |= map[i].bits;
    }
    if (winhttp & ~known) return E_INVALIDARG;
    if (winhttp & DO_ENABLE_SSL_REVOCATION) *bits = BG_SSL_ENABLE_CRL_CHECK;
    return S_OK;
}
