/* The position logic both enumerators share (IEnumXxx::Next/Skip rules). */
#ifndef OB_CURSOR_H
#define OB_CURSOR_H

#include <windows.h>

typedef struct ob_cursor {
    ULONG position;
    ULONG count;
} ob_cursor;

/* Argument checks of Next: *take is how many elements to hand out. */
static inline HRESULT ob_cursor_begin_next(const ob_cursor *c, ULONG celt, const void *elements,
                                           const ULONG *fetched, ULONG *take)
{
    if (!elements || (celt > 1 && !fetched)) return E_INVALIDARG;
    *take = min(celt, c->count - c->position);
    return S_OK;
}

static inline HRESULT ob_cursor_end_next(ob_cursor *c, ULONG celt, ULONG taken, ULONG *fetched)
{
    c->position += taken;
    if (fetched) *fetched = taken;
    return taken == celt ? S_OK : S_FALSE;
}

static inline HRESULT ob_cursor_skip(ob_cursor *c, ULONG celt)
{
    ULONG left = c->count - c->position;
    c->position += min(celt, left);
    return celt <= left ? S_OK : S_FALSE;
}

#endif
