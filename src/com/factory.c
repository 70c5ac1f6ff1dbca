/* The class factory for OpenBitsManager: one static object whose references
 * keep the module loaded. */
#include "com_private.h"

static HRESULT WINAPI factory_QueryInterface(IClassFactory *iface, REFIID iid, void **out)
{
    if (!out) return E_POINTER;
    if (IsEqualIID(iid, &IID_IUnknown) || IsEqualIID(iid, &IID_IClassFactory))
    {
        *out = iface;
        IClassFactory_AddRef(iface);
        return S_OK;
    }
    *out = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI factory_AddRef(IClassFactory *iface)
{
    ob_module_lock();
    return 2;
}

static ULONG WINAPI factory_Release(IClassFactory *iface)
{
    ob_module_unlock();
    return 1;
}

static HRESULT WINAPI factory_CreateInstance(IClassFactory *iface, IUnknown *outer, REFIID iid, void **out)
{
    if (!out) return E_POINTER;
    *out = NULL;
    if (outer) return CLASS_E_NOAGGREGATION;
    return ob_manager_create(iid, out);
}

static HRESULT WINAPI factory_LockServer(IClassFactory *iface, BOOL lock)
{
    if (lock) ob_module_lock();
    else ob_module_unlock();
    return S_OK;
}

static const IClassFactoryVtbl factory_vtbl = {
    factory_QueryInterface,
    factory_AddRef,
    factory_Release,
    factory_CreateInstance,
    factory_LockServer,
};

static IClassFactory factory = { (IClassFactoryVtbl *)&factory_vtbl };

HRESULT ob_class_factory_get(REFIID iid, void **out)
{
    return factory_QueryInterface(&factory, iid, out);
}
