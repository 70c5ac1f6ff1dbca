/* Error texts: BITS codes from the message table in src/messages.mc (compiled
 * into the module given), everything else from the system's table. */
#ifndef OB_ERRTEXT_H
#define OB_ERRTEXT_H

#include "ob_types.h"

/* *out is CoTaskMemAlloc'd.  An unknown language gives
 * HRESULT_FROM_WIN32(ERROR_RESOURCE_LANG_NOT_FOUND), as documented;
 * language 0 is E_INVALIDARG (for the manager and the error object alike). */
HRESULT ob_error_text(HMODULE module, HRESULT code, DWORD langid, WCHAR **out);
/* The message id that describes an error context (BG_E_ERROR_CONTEXT_*). */
HRESULT ob_error_context_message(BG_ERROR_CONTEXT context);

#endif
