/* DLL entry points and the module's lifetime. */
#include "com_private.h"

HINSTANCE ob_module_instance;
static LONG module_locks;

void ob_module_lock(void)
{
    InterlockedIncrement(&module_locks);
}

void ob_module_unlock(void)
{
    InterlockedDecrement(&module_locks);
}

BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, void *reserved)
{
    if (reason == DLL_PROCESS_ATTACH)
    {
        ob_module_instance = instance;
        DisableThreadLibraryCalls(instance);
        ob_notify_install();
    }
    return TRUE;
}

/* Jobs live in this module's memory: while any remains the client may still
 * reach it through GetJob, so the DLL stays. */
HRESULT WINAPI DllCanUnloadNow(void)
{
    return module_locks == 0 && ob_engine_job_count() == 0 ? S_OK : S_FALSE;
}

HRESULT WINAPI DllGetClassObject(REFCLSID clsid, REFIID iid, void **out)
{
    if (!out) return E_POINTER;
    *out = NULL;
    if (!IsEqualCLSID(clsid, &CLSID_OpenBitsManager)) return CLASS_E_CLASSNOTAVAILABLE;
    return ob_class_factory_get(iid, out);
}
