/* Which proxy/stub marshals openbits' interfaces in this process.
 *
 * The system's proxy/stub for IBackgroundCopyError (Wine's qmgrprxy) cannot
 * unmarshal the strings of GetErrorDescription, GetErrorContextDescription
 * and GetProtocol (issue 16; tests/com/test_proxy_strings.c measures every
 * [out] string method).  In process, openbits tells COM to use its own
 * proxy/stub (openbits_ps.dll) for those interfaces, for this process only
 * (CoRegisterPSClsid; the registry is untouched), so that an STA client's
 * callback gets a working error object.  The host does not: its stubs must
 * match the proxies its clients find in the registry, which the BITS takeover
 * points at openbits_ps.dll for these same interfaces (takeover.c). */
#include "com_private.h"
#include "trace.h"

const IID *const ob_broken_system_proxy_iids[] = { &IID_IBackgroundCopyError };
const ULONG ob_broken_system_proxy_count = ARRAYSIZE(ob_broken_system_proxy_iids);

static BOOL in_host;

/* openbits-host.exe calls this once, before any activation. */
void WINAPI OpenBitsHostInit(void)
{
    in_host = TRUE;
    ob_module_engine(); /* now: the store's jobs resume at once, and keep the host */
}

/* openbits-host.exe calls this once, when it leaves: every job is saved as
 * it is, so that the next host continues from exactly there. */
void WINAPI OpenBitsHostShutdown(void)
{
    ob_engine *engine = ob_module_engine();
    if (engine) ob_engine_shutdown(engine);
}

BOOL ob_in_host(void)
{
    return in_host;
}

/* Our proxy/stub is usable only where regsvr32 registered its class. */
static BOOL proxy_stub_registered(void)
{
    HKEY key;
    if (RegOpenKeyExW(HKEY_CLASSES_ROOT, L"CLSID\\" OPENBITS_PROXY_STUB_CLSID_TEXT L"\\InprocServer32", 0,
                      KEY_READ, &key))
        return FALSE;
    RegCloseKey(key);
    return TRUE;
}

void ob_proxy_stub_use_own(void)
{
    static const CLSID clsid = OPENBITS_PROXY_STUB_CLSID_INIT;
    ULONG i;

    HRESULT hr = S_OK;

    if (in_host || !proxy_stub_registered()) return;
    for (i = 0; i < ob_broken_system_proxy_count && SUCCEEDED(hr); i++)
        hr = CoRegisterPSClsid(ob_broken_system_proxy_iids[i], &clsid);
    OB_TRACE(NULL, L"in process: openbits_ps.dll marshals the %lu interface(s) with a broken system proxy/stub: %08lx",
             ob_broken_system_proxy_count, (ULONG)hr);
}
