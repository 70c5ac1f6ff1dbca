/* A file's ranges (IBackgroundCopyJob3::AddFileWithRanges) as plain
 * functions: which lists are accepted, what they come to once the remote
 * file's size is known, and where in the remote file each byte of the local
 * file comes from.  Documented: the local file holds the ranges one after
 * another in the order given (100-199, 900-999, 400-499 make a 300-byte
 * file), whatever their offsets.  No I/O, no lock: tests/unit/test_ranges.c
 * tests them alone. */
#ifndef OB_RANGES_H
#define OB_RANGES_H

#include "ob_types.h"

/* The BITS Group Policy's default for MaxRangesPerFile. */
#define OB_DEFAULT_MAX_RANGES_PER_FILE 500

/* A list AddFileWithRanges accepts: E_INVALIDARG for none (count 0 or NULL);
 * BG_E_TOO_MANY_RANGES_IN_FILE for more than max (0: no limit);
 * BG_E_INVALID_RANGE for an InitialOffset of BG_LENGTH_TO_EOF or a range
 * whose end does not fit 64 bits; BG_E_OVERLAPPING_RANGES when, sorted by
 * offset (a stable sort: ranges of one offset keep their order), a range
 * reaches into the next, a BG_LENGTH_TO_EOF range has another after it, or
 * two are the same (documented: "100:5 then 100:0" overlaps, "100:0 then
 * 100:5" does not). */
HRESULT ob_ranges_check(const BG_FILE_RANGE *ranges, ULONG count, ULONG max);

/* The ranges against a remote file of size bytes: *total, the local file's
 * size (the sum of the lengths, BG_LENGTH_TO_EOF read as up to the end), or
 * BG_E_INVALID_RANGE when one lies past the end (documented: "one of the
 * ranges is outside the bounds of the remote file"). */
HRESULT ob_ranges_total(const BG_FILE_RANGE *ranges, ULONG count, UINT64 size, UINT64 *total);

/* Where the local byte `at` comes from in a remote file of size bytes (the
 * ranges already accepted by ob_ranges_total): the remote offset and the
 * remote end (exclusive) of what is left of its range.  FALSE when at is at
 * or past the local file's end. */
BOOL ob_ranges_locate(const BG_FILE_RANGE *ranges, ULONG count, UINT64 size, UINT64 at, UINT64 *remote,
                      UINT64 *remote_end);

#endif
