/* openbits-admin's pure text functions (tools/openbits-admin/format.c,
 * compiled into this test): sizes, durations, percentages, the moving
 * average of the rate, argument parsing and the progress line. */
#include "test_support.h"
#include "../../tools/openbits-admin/format.c"

static void expect_size(UINT64 bytes, const char *want)
{
    char text[32];
    admin_format_size(bytes, text, sizeof(text));
    assert_string_equal(text, want);
}

static void test_sizes(void **state)
{
    expect_size(0, "0 B");
    expect_size(1023, "1023 B");
    expect_size(1024, "1.0 KiB");
    expect_size(1536, "1.5 KiB");
    expect_size(67108864, "64.0 MiB");
    expect_size(5ull << 30, "5.0 GiB");
    expect_size(BG_SIZE_UNKNOWN, "UNKNOWN");
}

static void expect_duration(double seconds, const char *want)
{
    char text[32];
    admin_format_duration(seconds, text, sizeof(text));
    assert_string_equal(text, want);
}

static void test_durations(void **state)
{
    expect_duration(0, "0:00");
    expect_duration(7.4, "0:07");
    expect_duration(754, "12:34");
    expect_duration(3723, "1:02:03");
    expect_duration(-1, "--:--");
}

static void test_percentages(void **state)
{
    assert_int_equal(admin_percent(0, BG_SIZE_UNKNOWN), -1);
    assert_int_equal(admin_percent(0, 0), 100);
    assert_int_equal(admin_percent(1, 3), 33);
    assert_int_equal(admin_percent(999, 1000), 99);
    assert_int_equal(admin_percent(9999999, 10000000), 99);   /* 100% only when done */
    assert_int_equal(admin_percent(1000, 1000), 100);
    assert_int_equal(admin_percent(3ull << 40, 6ull << 40), 50);
}

static void test_rate_is_a_moving_average(void **state)
{
    struct admin_rate rate;
    ULONGLONG t;

    admin_rate_reset(&rate);
    assert_true(admin_rate_per_second(&rate) < 0);
    admin_rate_add(&rate, 1000, 0);
    assert_true(admin_rate_per_second(&rate) < 0);
    admin_rate_add(&rate, 2000, 1000000);
    assert_true(admin_rate_per_second(&rate) == 1000000.0);
    /* 10 s at 100 kB/s, then 5 s at 1 MB/s: only the last 5 s count. */
    admin_rate_reset(&rate);
    for (t = 0; t <= 10000; t += 200) admin_rate_add(&rate, t, t * 100);
    for (t = 10200; t <= 15000; t += 200) admin_rate_add(&rate, t, 1000000 + (t - 10000) * 1000);
    assert_true(admin_rate_per_second(&rate) > 900000.0 && admin_rate_per_second(&rate) <= 1000000.0);
    /* A counter that goes down (a restarted file) starts again. */
    admin_rate_add(&rate, 15200, 10);
    assert_true(admin_rate_per_second(&rate) < 0);
}

static void test_seconds_left(void **state)
{
    assert_true(admin_seconds_left(0, BG_SIZE_UNKNOWN, 100) < 0);
    assert_true(admin_seconds_left(0, 100, -1) < 0);
    assert_true(admin_seconds_left(100, 100, -1) == 0);
    assert_true(admin_seconds_left(50, 250, 100) == 2.0);
}

static void test_parse_priority(void **state)
{
    BG_JOB_PRIORITY p = BG_JOB_PRIORITY_LOW;

    assert_true(admin_parse_priority(L"foreground", &p));
    assert_int_equal(p, BG_JOB_PRIORITY_FOREGROUND);
    assert_true(admin_parse_priority(L"High", &p));
    assert_int_equal(p, BG_JOB_PRIORITY_HIGH);
    assert_true(admin_parse_priority(L"NORMAL", &p));
    assert_int_equal(p, BG_JOB_PRIORITY_NORMAL);
    assert_true(admin_parse_priority(L"low", &p));
    assert_int_equal(p, BG_JOB_PRIORITY_LOW);
    assert_false(admin_parse_priority(L"urgent", &p));
    assert_false(admin_parse_priority(L"", &p));
    assert_false(admin_parse_priority(L"HIGHER", &p));
}

static void test_parse_ulong(void **state)
{
    ULONG n = 7;

    assert_true(admin_parse_ulong(L"0", &n));
    assert_int_equal(n, 0);
    assert_true(admin_parse_ulong(L"30", &n));
    assert_int_equal(n, 30);
    assert_true(admin_parse_ulong(L"0x1F", &n));
    assert_int_equal(n, 31);
    assert_true(admin_parse_ulong(L"4294967295", &n));
    assert_int_equal(n, 0xFFFFFFFFul);
    assert_false(admin_parse_ulong(L"4294967296", &n));
    assert_false(admin_parse_ulong(L"12a", &n));
    assert_false(admin_parse_ulong(L"-1", &n));
    assert_false(admin_parse_ulong(L"", &n));
    assert_false(admin_parse_ulong(L"0x", &n));
}

static void test_names(void **state)
{
    assert_string_equal(admin_state_name(BG_JOB_STATE_TRANSIENT_ERROR), "TRANSIENT_ERROR");
    assert_string_equal(admin_state_name(BG_JOB_STATE_CANCELLED), "CANCELLED");
    assert_string_equal(admin_state_name((BG_JOB_STATE)42), "UNKNOWN");
    assert_string_equal(admin_type_name(BG_JOB_TYPE_UPLOAD_REPLY), "UPLOAD-REPLY");
    assert_string_equal(admin_priority_name(BG_JOB_PRIORITY_FOREGROUND), "FOREGROUND");
    assert_true(admin_switch_is(L"/GetState", L"/getstate"));
    assert_false(admin_switch_is(L"/getstates", L"/getstate"));
}

static void expect_line(const struct admin_progress_view *view, int bar, const char *want)
{
    char line[320];
    admin_format_progress(view, bar, line, sizeof(line));
    assert_string_equal(line, want);
}

static void test_progress_line(void **state)
{
    struct admin_progress_view view = { BG_JOB_STATE_TRANSFERRING, 1048576, 4194304, 1048576.0, FALSE, 0, 0 };

    expect_line(&view, 0, " 25%  1.0 MiB of 4.0 MiB  1.0 MiB/s  0:03 left  TRANSFERRING");
    view.done = 2097152;
    expect_line(&view, ADMIN_BAR_MAX, "[============>           ]  50%  2.0 MiB of 4.0 MiB  1.0 MiB/s  0:02 left  TRANSFERRING");
    view.done = view.total;
    view.state = BG_JOB_STATE_TRANSFERRED;
    expect_line(&view, ADMIN_BAR_MAX, "[========================] 100%  4.0 MiB of 4.0 MiB  1.0 MiB/s  0:00 left  TRANSFERRED");
}

static void test_progress_line_unknown_size(void **state)
{
    struct admin_progress_view view = { BG_JOB_STATE_CONNECTING, 0, BG_SIZE_UNKNOWN, -1, FALSE, 0, 0 };

    expect_line(&view, 0, " --%  0 B of UNKNOWN  --/s  --:-- left  CONNECTING");
    expect_line(&view, 10, "[          ]  --%  0 B of UNKNOWN  --/s  --:-- left  CONNECTING");
}

static void test_progress_line_with_reply(void **state)
{
    struct admin_progress_view view = { BG_JOB_STATE_TRANSFERRING, 100, 100, -1, TRUE, 0, BG_SIZE_UNKNOWN };

    expect_line(&view, 0, "100%  100 B of 100 B  --/s  0:00 left  TRANSFERRING  reply: not started");
    view.reply_done = 512;
    view.reply_total = 1024;
    expect_line(&view, 0, "100%  100 B of 100 B  --/s  0:00 left  TRANSFERRING  reply: 512 B of 1.0 KiB (50%)");
}

static void test_progress_line_fits_the_console(void **state)
{
    struct admin_progress_view view = { BG_JOB_STATE_TRANSFERRING, 46137344, 67108864, 41943040.0, FALSE, 0, 0 };
    char line[320];

    admin_format_progress_to_fit(&view, 80, line, sizeof(line));
    assert_string_equal(line, "[========>    ]  68%  44.0 MiB of 64.0 MiB  40.0 MiB/s  0:01 left  TRANSFERRING");
    assert_int_equal(strlen(line), 79);
    admin_format_progress_to_fit(&view, 200, line, sizeof(line));
    assert_int_equal(line[ADMIN_BAR_MAX + 1], ']');
    admin_format_progress_to_fit(&view, 70, line, sizeof(line));
    assert_string_equal(line, " 68%  44.0 MiB of 64.0 MiB  40.0 MiB/s  0:01 left  TRANSFERRING");
    admin_format_progress_to_fit(&view, 40, line, sizeof(line));
    assert_int_equal(strlen(line), 39);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sizes),
        cmocka_unit_test(test_durations),
        cmocka_unit_test(test_percentages),
        cmocka_unit_test(test_rate_is_a_moving_average),
        cmocka_unit_test(test_seconds_left),
        cmocka_unit_test(test_parse_priority),
        cmocka_unit_test(test_parse_ulong),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_progress_line),
        cmocka_unit_test(test_progress_line_unknown_size),
        cmocka_unit_test(test_progress_line_with_reply),
        cmocka_unit_test(test_progress_line_fits_the_console),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
