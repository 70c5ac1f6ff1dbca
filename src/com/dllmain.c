/* DLL entry points and the module's lifetime. */
#include "com_private.h"

HINSTANCE ob_module_instance;
static LONG module_locks;
static ob_engine *module_engine; /* the DLL's one engine */

static BOOL CALLBACK create_engine(INIT_ONCE *once, void *param, void **context)
{
    ob_engine_config config = ob_engine_config_default();
    WCHAR store[MAX_PATH];
    /* the host keeps its jobs in the store; an in-process engine keeps none */
    if (ob_in_host() && ob_config_store_dir(store, ARRAYSIZE(store))) config.store_dir = store;
    if (FAILED(ob_engine_new(&config, &module_engine))) return FALSE;
    ob_engine_start(module_engine);
    return TRUE;
}

ob_engine *ob_module_engine(void)
{
    static INIT_ONCE once = INIT_ONCE_STATIC_INIT;
    InitOnceExecuteOnce(&once, create_engine, NULL, NULL);
    return module_engine;
}

ob_table *ob_module_table(void)
{
    ob_engine *engine = ob_module_engine();
    return engine ? ob_engine_table(engine) : NULL;
}

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
    }
    return TRUE;
}

/* Jobs live in this module's memory: while any remains the client may still
 * reach it through GetJob, so the DLL stays. */
HRESULT WINAPI DllCanUnloadNow(void)
{
    return module_locks == 0 && ob_engine_job_count(module_engine) == 0 ? S_OK : S_FALSE;
}

HRESULT WINAPI DllGetClassObject(REFCLSID clsid, REFIID iid, void **out)
{
    if (!out) return E_POINTER;
    *out = NULL;
    return ob_class_factory_get(clsid, iid, out);
}
