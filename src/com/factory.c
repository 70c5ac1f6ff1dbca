/* The class factories: one static object per CLSID (OpenBitsManager makes
 * BITS managers, DeliveryOptimization DO managers), whose references keep the
 * module loaded. */
#include "com_private.h"

typedef struct factory {
    IClassFactory IClassFactory_iface;
    const ob_flavour *flavour;
} factory;

static factory *impl_from_IClassFactory(IClassFactory *iface)
{
    return CONTAINING_RECORD(iface, factory, IClassFactory_iface);
}

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
    return ob_manager_create(impl_from_IClassFactory(iface)->flavour, iid, out);
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

static factory bits_factory = { { (IClassFactoryVtbl *)&factory_vtbl }, &ob_flavour_bits };
static factory do_factory = { { (IClassFactoryVtbl *)&factory_vtbl }, &ob_flavour_do };

HRESULT ob_class_factory_get(REFCLSID clsid, REFIID iid, void **out)
{
    if (IsEqualCLSID(clsid, &CLSID_OpenBitsManager))
        return factory_QueryInterface(&bits_factory.IClassFactory_iface, iid, out);
    if (IsEqualCLSID(clsid, &CLSID_DeliveryOptimization))
        return factory_QueryInterface(&do_factory.IClassFactory_iface, iid, out);
    return CLASS_E_CLASSNOTAVAILABLE;
}
