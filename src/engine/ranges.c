#include "ranges.h"

/* A range's length once the remote size is known. */
static UINT64 resolved_length(const BG_FILE_RANGE *range, UINT64 size)
{
    return range->Length == BG_LENGTH_TO_EOF ? size - range->InitialOffset : range->Length;
}

/* TRUE if b, sorted after a (b's offset >= a's), shares a byte with it or
 * repeats it. */
static BOOL overlaps(const BG_FILE_RANGE *a, const BG_FILE_RANGE *b)
{
    if (a->InitialOffset == b->InitialOffset && a->Length == b->Length) return TRUE;
    if (a->Length == BG_LENGTH_TO_EOF) return TRUE;
    return a->InitialOffset + a->Length > b->InitialOffset;
}

HRESULT ob_ranges_check(const BG_FILE_RANGE *ranges, ULONG count, ULONG max)
{
    ULONG *order, i, j;
    HRESULT hr = S_OK;

    if (!ranges || !count) return E_INVALIDARG;
    if (max && count > max) return BG_E_TOO_MANY_RANGES_IN_FILE;
    for (i = 0; i < count; i++)
    {
        const BG_FILE_RANGE *r = &ranges[i];
        if (r->InitialOffset == BG_LENGTH_TO_EOF) return BG_E_INVALID_RANGE;
        if (r->Length != BG_LENGTH_TO_EOF && r->Length > BG_LENGTH_TO_EOF - r->InitialOffset) return BG_E_INVALID_RANGE;
    }
    if (!(order = HeapAlloc(GetProcessHeap(), 0, count * sizeof(*order)))) return E_OUTOFMEMORY;
    /* insertion sort by offset: stable, and lists are short (MaxRangesPerFile) */
    for (i = 0; i < count; i++)
    {
        for (j = i; j > 0 && ranges[order[j - 1]].InitialOffset > ranges[i].InitialOffset; j--) order[j] = order[j - 1];
        order[j] = i;
    }
    for (i = 1; i < count && hr == S_OK; i++)
        if (overlaps(&ranges[order[i - 1]], &ranges[order[i]])) hr = BG_E_OVERLAPPING_RANGES;
    HeapFree(GetProcessHeap(), 0, order);
    return hr;
}

HRESULT ob_ranges_total(const BG_FILE_RANGE *ranges, ULONG count, UINT64 size, UINT64 *total)
{
    UINT64 sum = 0;
    ULONG i;

    for (i = 0; i < count; i++)
    {
        const BG_FILE_RANGE *r = &ranges[i];
        if (r->InitialOffset > size) return BG_E_INVALID_RANGE;
        if (r->Length != BG_LENGTH_TO_EOF && r->Length > size - r->InitialOffset) return BG_E_INVALID_RANGE;
        sum += resolved_length(r, size); /* disjoint parts of one file: no overflow */
    }
    *total = sum;
    return S_OK;
}

BOOL ob_ranges_locate(const BG_FILE_RANGE *ranges, ULONG count, UINT64 size, UINT64 at, UINT64 *remote,
                      UINT64 *remote_end)
{
    UINT64 start = 0;
    ULONG i;

    for (i = 0; i < count; i++)
    {
        UINT64 length = resolved_length(&ranges[i], size);
        if (at < start + length)
        {
            *remote = ranges[i].InitialOffset + (at - start);
            *remote_end = ranges[i].InitialOffset + length;
            return TRUE;
        }
        start += length;
    }
    return FALSE;
}
