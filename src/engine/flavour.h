/* A flavour: the rules that make a job a BITS job or a Delivery Optimization
 * (DO) job, as plain data.  Every job has one, given when it is made and
 * never changed; the engine and the COM shell ask it instead of testing which
 * service they are.  BITS is the engine's own behaviour (every rule the
 * identity); DO's rules are those of Microsoft's DO pages (flavour.c). */
#ifndef OB_FLAVOUR_H
#define OB_FLAVOUR_H

#include "ob_types.h"

#define OB_FLAVOUR_CODES 8

typedef struct ob_code_map {
    HRESULT from;              /* the engine's (BITS) code */
    HRESULT to;                /* what this flavour's clients see */
} ob_code_map;

typedef struct ob_flavour {
    const WCHAR *name;                     /* "BITS", "DO" (traces, openbits-admin) */
    ULONG job_types;                       /* bit (1 << BG_JOB_TYPE) for each type it makes */
    BG_JOB_STATE connecting_reads_as;      /* what GetState answers while CONNECTING */
    ULONG no_progress_timeout[4];          /* the default, by BG_JOB_PRIORITY */
    ULONG refused_notify_flags;            /* SetNotifyFlags: E_NOTIMPL ("not supported") */
    BG_ERROR_CONTEXT contexts[8];          /* the context reported, by the engine's context */
    ob_code_map codes[OB_FLAVOUR_CODES];   /* results renamed (zero-terminated) */
} ob_flavour;

extern const ob_flavour ob_flavour_bits;
extern const ob_flavour ob_flavour_do;

BOOL ob_flavour_makes(const ob_flavour *flavour, BG_JOB_TYPE type);
BG_JOB_STATE ob_flavour_state(const ob_flavour *flavour, BG_JOB_STATE state);
ULONG ob_flavour_no_progress_timeout(const ob_flavour *flavour, BG_JOB_PRIORITY priority);
BG_ERROR_CONTEXT ob_flavour_context(const ob_flavour *flavour, BG_ERROR_CONTEXT context);
/* A result as this flavour's clients see it (the engine speaks BITS). */
HRESULT ob_flavour_result(const ob_flavour *flavour, HRESULT hr);
/* DODownloadProperty_SecurityFlags (WinHTTP's SECURITY_FLAG_IGNORE_* and
 * WINHTTP_ENABLE_SSL_REVOCATION) as the BG_SSL_* bits of a job's security
 * flags; E_INVALIDARG for a flag DO does not list.  With revocation set the
 * IGNORE flags are ignored, as documented. */
HRESULT ob_flavour_do_security_flags(ULONG winhttp, ULONG *bits);

#endif
