/* IEnumUnknown over a list of objects taken when it was made
 * (IDOManager::EnumDownloads). */
#include "com_private.h"
#include "cursor.h"

typedef struct enum_unknown {
    IEnumUnknown IEnumUnknown_iface;
    LONG refs;
    IUnknown **items;
    ob_cursor cursor;
    CRITICAL_SECTION lock; /* guards the cursor */
} enum_unknown;

static enum_unknown *impl_from_IEnumUnknown(IEnumUnknown *iface)
{
    return CONTAINING_RECORD(iface, enum_unknown, IEnumUnknown_iface);
}

static void free_items(IUnknown **items, ULONG count)
{
    ULONG i;
    for (i = 0; i < count; i++) IUnknown_Release(items[i]);
    HeapFree(GetProcessHeap(), 0, items);
}

static HRESULT WINAPI enum_unknown_QueryInterface(IEnumUnknown *iface, REFIID iid, void **out)
{
    if (!out) return E_POINTER;
    if (IsEqualIID(iid, &IID_IUnknown) || IsEqualIID(iid, &IID_IEnumUnknown))
    {
        *out = iface;
        IEnumUnknown_AddRef(iface);
        return S_OK;
    }
    *out = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI enum_unknown_AddRef(IEnumUnknown *iface)
{
    return InterlockedIncrement(&impl_from_IEnumUnknown(iface)->refs);
}

static ULONG WINAPI enum_unknown_Release(IEnumUnknown *iface)
{
    enum_unknown *self = impl_from_IEnumUnknown(iface);
    ULONG refs = InterlockedDecrement(&self->refs);
    if (!refs)
    {
        free_items(self->items, self->cursor.count);
        DeleteCriticalSection(&self->lock);
        HeapFree(GetProcessHeap(), 0, self);
        ob_module_unlock();
    }
    return refs;
}

static HRESULT WINAPI enum_unknown_Next(IEnumUnknown *iface, ULONG celt, IUnknown **out, ULONG *fetched)
{
    enum_unknown *self = impl_from_IEnumUnknown(iface);
    ULONG take, i;
    HRESULT hr;

    EnterCriticalSection(&self->lock);
    if (SUCCEEDED(hr = ob_cursor_begin_next(&self->cursor, celt, out, fetched, &take)))
    {
        for (i = 0; i < take; i++)
        {
            out[i] = self->items[self->cursor.position + i];
            IUnknown_AddRef(out[i]);
        }
        hr = ob_cursor_end_next(&self->cursor, celt, take, fetched);
    }
    LeaveCriticalSection(&self->lock);
    return hr;
}

static HRESULT WINAPI enum_unknown_Skip(IEnumUnknown *iface, ULONG celt)
{
    enum_unknown *self = impl_from_IEnumUnknown(iface);
    HRESULT hr;
    EnterCriticalSection(&self->lock);
    hr = ob_cursor_skip(&self->cursor, celt);
    LeaveCriticalSection(&self->lock);
    return hr;
}

static HRESULT WINAPI enum_unknown_Reset(IEnumUnknown *iface)
{
    enum_unknown *self = impl_from_IEnumUnknown(iface);
    EnterCriticalSection(&self->lock);
    self->cursor.position = 0;
    LeaveCriticalSection(&self->lock);
    return S_OK;
}

static HRESULT WINAPI enum_unknown_Clone(IEnumUnknown *iface, IEnumUnknown **out)
{
    enum_unknown *self = impl_from_IEnumUnknown(iface);
    IUnknown **copy = NULL;
    ULONG i, count = self->cursor.count;
    HRESULT hr;

    if (!out) return E_INVALIDARG;
    if (count && !(copy = HeapAlloc(GetProcessHeap(), 0, count * sizeof(*copy)))) return E_OUTOFMEMORY;
    for (i = 0; i < count; i++)
    {
        copy[i] = self->items[i];
        IUnknown_AddRef(copy[i]);
    }
    if (FAILED(hr = ob_enum_unknown_create(copy, count, out))) return hr;
    EnterCriticalSection(&self->lock);
    impl_from_IEnumUnknown(*out)->cursor.position = self->cursor.position;
    LeaveCriticalSection(&self->lock);
    return S_OK;
}

static const IEnumUnknownVtbl enum_unknown_vtbl = {
    enum_unknown_QueryInterface,
    enum_unknown_AddRef,
    enum_unknown_Release,
    enum_unknown_Next,
    enum_unknown_Skip,
    enum_unknown_Reset,
    enum_unknown_Clone,
};

HRESULT ob_enum_unknown_create(IUnknown **items, ULONG count, IEnumUnknown **out)
{
    enum_unknown *self = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, sizeof(*self));
    if (!self)
    {
        free_items(items, count);
        return E_OUTOFMEMORY;
    }
    self->IEnumUnknown_iface.lpVtbl = (IEnumUnknownVtbl *)&enum_unknown_vtbl;
    self->refs = 1;
    self->items = items;
    self->cursor.count = count;
    InitializeCriticalSection(&self->lock);
    ob_module_lock();
    *out = &self->IEnumUnknown_iface;
    return S_OK;
}
