/* File ranges (ranges.c) as pure functions: which lists AddFileWithRanges
 * accepts (Microsoft's AddFileWithRanges page), what they come to once the
 * remote size is known, and where each local byte comes from (the local file
 * holds the ranges one after another, in the order given). */
#include "test_support.h"
#include "ranges.h"

#define EOF_ BG_LENGTH_TO_EOF

static HRESULT check2(UINT64 o1, UINT64 l1, UINT64 o2, UINT64 l2)
{
    BG_FILE_RANGE r[2] = { { o1, l1 }, { o2, l2 } };
    return ob_ranges_check(r, 2, 0);
}

static void test_accepted_lists(void **state)
{
    BG_FILE_RANGE one = { 100, 50 }, three[3] = { { 100, 100 }, { 900, 100 }, { 400, 100 } };
    BG_FILE_RANGE many[3] = { { 0, 1 }, { 1, 1 }, { 2, EOF_ } };

    assert_hr_equal(ob_ranges_check(&one, 1, 0), S_OK);
    /* any order: sorted by offset for the overlap check only */
    assert_hr_equal(ob_ranges_check(three, 3, 0), S_OK);
    assert_hr_equal(ob_ranges_check(many, 3, 0), S_OK);
    /* adjacent ranges share no byte */
    assert_hr_equal(check2(0, 100, 100, 100), S_OK);
    /* documented: zero ranges, or none given */
    assert_hr_equal(ob_ranges_check(&one, 0, 0), E_INVALIDARG);
    assert_hr_equal(ob_ranges_check(NULL, 1, 0), E_INVALIDARG);
    /* MaxRangesPerFile */
    assert_hr_equal(ob_ranges_check(three, 3, 3), S_OK);
    assert_hr_equal(ob_ranges_check(three, 3, 2), BG_E_TOO_MANY_RANGES_IN_FILE);
}

static void test_invalid_and_overlapping(void **state)
{
    BG_FILE_RANGE bad = { EOF_, 10 }, wrap = { 10, EOF_ - 5 };

    /* documented: an InitialOffset of BG_LENGTH_TO_EOF */
    assert_hr_equal(ob_ranges_check(&bad, 1, 0), BG_E_INVALID_RANGE);
    assert_hr_equal(ob_ranges_check(&wrap, 1, 0), BG_E_INVALID_RANGE);
    assert_hr_equal(check2(0, 100, 99, 10), BG_E_OVERLAPPING_RANGES);
    assert_hr_equal(check2(99, 10, 0, 100), BG_E_OVERLAPPING_RANGES);
    assert_hr_equal(check2(50, 10, 50, 10), BG_E_OVERLAPPING_RANGES); /* duplicates */
    assert_hr_equal(check2(0, EOF_, 5000, 1), BG_E_OVERLAPPING_RANGES);
    assert_hr_equal(check2(5000, 1, 0, EOF_), BG_E_OVERLAPPING_RANGES);
    /* documented: one offset, a length and then zero, overlaps; the other order does not */
    assert_hr_equal(check2(100, 5, 100, 0), BG_E_OVERLAPPING_RANGES);
    assert_hr_equal(check2(100, 0, 100, 5), S_OK);
}

static void test_totals_against_the_remote_size(void **state)
{
    BG_FILE_RANGE three[3] = { { 100, 100 }, { 900, 100 }, { 400, 100 } }, tail = { 700, EOF_ }, end = { 1000, EOF_ };
    BG_FILE_RANGE past = { 950, 51 }, beyond = { 1001, EOF_ };
    UINT64 total = 0;

    assert_hr_equal(ob_ranges_total(three, 3, 1000, &total), S_OK);
    assert_true(total == 300);
    assert_hr_equal(ob_ranges_total(&tail, 1, 1000, &total), S_OK);
    assert_true(total == 300);
    assert_hr_equal(ob_ranges_total(&end, 1, 1000, &total), S_OK);
    assert_true(total == 0);
    /* documented (after Resume): a range outside the remote file */
    assert_hr_equal(ob_ranges_total(&past, 1, 1000, &total), BG_E_INVALID_RANGE);
    assert_hr_equal(ob_ranges_total(&beyond, 1, 1000, &total), BG_E_INVALID_RANGE);
    assert_hr_equal(ob_ranges_total(three, 3, 999, &total), BG_E_INVALID_RANGE);
}

/* Documented example: 100-199, 900-999, 400-499 give local 0-99, 100-199,
 * 200-299 in that order. */
static void test_local_bytes_map_to_remote_ones(void **state)
{
    BG_FILE_RANGE r[4] = { { 100, 100 }, { 900, 100 }, { 5, 0 }, { 400, EOF_ } };
    UINT64 remote, end;

    assert_true(ob_ranges_locate(r, 4, 500, 0, &remote, &end));
    assert_true(remote == 100 && end == 200);
    assert_true(ob_ranges_locate(r, 4, 500, 99, &remote, &end));
    assert_true(remote == 199 && end == 200);
    assert_true(ob_ranges_locate(r, 4, 500, 100, &remote, &end));
    assert_true(remote == 900 && end == 1000);
    assert_true(ob_ranges_locate(r, 4, 500, 150, &remote, &end));
    assert_true(remote == 950 && end == 1000);
    /* the empty range is skipped; BG_LENGTH_TO_EOF runs to the remote end */
    assert_true(ob_ranges_locate(r, 4, 500, 200, &remote, &end));
    assert_true(remote == 400 && end == 500);
    assert_true(ob_ranges_locate(r, 4, 500, 299, &remote, &end));
    assert_true(remote == 499 && end == 500);
    assert_false(ob_ranges_locate(r, 4, 500, 300, &remote, &end));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accepted_lists),
        cmocka_unit_test(test_invalid_and_overlapping),
        cmocka_unit_test(test_totals_against_the_remote_size),
        cmocka_unit_test(test_local_bytes_map_to_remote_ones),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
