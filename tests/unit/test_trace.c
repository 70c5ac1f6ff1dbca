/* The trace facility: off costs nothing and writes nothing; on, one UTF-8
 * line per event with time, thread and job. */
#include "test_support.h"
#include "trace.h"
#include <stdio.h>
#include <string.h>

static char *read_all(const WCHAR *path)
{
    HANDLE file = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                              OPEN_EXISTING, 0, NULL);
    DWORD size, got = 0;
    char *text;

    if (file == INVALID_HANDLE_VALUE) return NULL;
    size = GetFileSize(file, NULL);
    text = calloc(1, size + 1);
    ReadFile(file, text, size, &got, NULL);
    CloseHandle(file);
    text[got] = 0;
    return text;
}

static int evaluated;
static int count_evaluation(void)
{
    return ++evaluated;
}

static ULONG count_lines(const char *text)
{
    ULONG n = 0;
    for (; *text; text++) n += *text == '\n';
    return n;
}

static void test_off_writes_nothing_and_evaluates_nothing(void **state)
{
    const WCHAR *path = ts_path(L"off.log");
    char *text;

    assert_true(ob_trace_start(path));
    ob_trace_stop();
    assert_int_equal(ob_trace_on, 0);
    evaluated = 0;
    OB_TRACE(NULL, L"never %d", count_evaluation());
    assert_int_equal(evaluated, 0);
    text = read_all(path);
    assert_non_null(text);
    assert_string_equal(text, "");
    free(text);
}

static void test_lines_carry_time_thread_job_and_text(void **state)
{
    static const GUID job = { 0x12345678, 0x9abc, 0xdef0, { 1, 2, 3, 4, 5, 6, 7, 8 } };
    const WCHAR *path = ts_path(L"on.log");
    char expect_tid[32], *text, *second;

    assert_true(ob_trace_start(path));
    evaluated = 0;
    OB_TRACE(&job, L"GET %ls range %I64u- status %lu %hs", L"http://h/f\x00e9", (UINT64)5000000000ULL, 206UL,
             "narrow");
    OB_TRACE(NULL, L"no job %d", count_evaluation());
    ob_trace_stop();
    assert_int_equal(evaluated, 1);

    text = read_all(path);
    assert_non_null(text);
    assert_int_equal(count_lines(text), 2);
    /* 2026-12-04T02:11:33.123Z tid=00ab {12345678-...} GET ... */
    assert_true(strlen(text) > 24 && text[4] == '-' && text[10] == 'T' && text[23] == 'Z');
    snprintf(expect_tid, sizeof(expect_tid), " tid=%04lx ", GetCurrentThreadId());
    assert_non_null(strstr(text, expect_tid));
    assert_non_null(strstr(text, "{12345678-9ABC-DEF0-0102-030405060708} GET http://h/f\xc3\xa9 range 5000000000- "
                                 "status 206 narrow\n"));
    second = strchr(text, '\n') + 1;
    assert_non_null(strstr(second, " - no job 1\n"));
    free(text);
}

static void test_appends_and_truncates_long_lines(void **state)
{
    const WCHAR *path = ts_path(L"long.log");
    WCHAR *big = malloc(5000 * sizeof(WCHAR));
    char *text;
    int i;

    for (i = 0; i < 4999; i++) big[i] = L'a';
    big[4999] = 0;
    assert_true(ob_trace_start(path));
    OB_TRACE(NULL, L"first");
    ob_trace_stop();
    assert_true(ob_trace_start(path));
    OB_TRACE(NULL, L"%ls", big);
    ob_trace_stop();
    free(big);

    text = read_all(path);
    assert_int_equal(count_lines(text), 2);
    assert_non_null(strstr(text, " - first\n"));
    assert_non_null(strstr(text, "aaaa ...\n"));
    assert_true(strlen(text) < 2 * 2048);
    free(text);
}

static void test_environment_switches_it_on(void **state)
{
    const WCHAR *path = ts_path(L"env.log");
    char *text;

    SetEnvironmentVariableW(L"OPENBITS_TRACE", path);
    ob_trace_init();
    assert_int_equal(ob_trace_on, 1);
    OB_TRACE(NULL, L"from the environment");
    ob_trace_stop();
    text = read_all(path);
    assert_non_null(strstr(text, "from the environment\n"));
    free(text);
}

static void test_unwritable_file_leaves_it_off(void **state)
{
    assert_false(ob_trace_start(L"Z:\\nonexistent-dir-openbits\\x\\trace.log"));
    assert_int_equal(ob_trace_on, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_off_writes_nothing_and_evaluates_nothing),
        cmocka_unit_test(test_lines_carry_time_thread_job_and_text),
        cmocka_unit_test(test_appends_and_truncates_long_lines),
        cmocka_unit_test(test_environment_switches_it_on),
        cmocka_unit_test(test_unwritable_file_leaves_it_off),
    };
    return cmocka_run_group_tests(tests, NULL, ts_group_teardown);
}
