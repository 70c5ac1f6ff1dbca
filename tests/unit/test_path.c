/* The path module: one way to split a local path (both separators, as
 * Windows allows), normalisation, and files created exclusively. */
#include "test_support.h"
#include "path.h"
#include "str.h"
#include <stdio.h>

static void dir_is(const WCHAR *path, const WCHAR *want)
{
    WCHAR *dir = ob_path_dir(path);
    if (!want)
    {
        assert_null(dir);
        return;
    }
    assert_non_null(dir);
    if (wcscmp(dir, want)) fail_msg("dir of %ls is %ls, want %ls", path, dir, want);
    ob_str_free(dir);
}

static void test_leaf_and_dir(void **state)
{
    assert_true(!wcscmp(ob_path_leaf(L"C:\\dir\\b.bin"), L"b.bin"));
    assert_true(!wcscmp(ob_path_leaf(L"C:/dir/b.bin"), L"b.bin"));
    /* mixed: the last separator of either kind */
    assert_true(!wcscmp(ob_path_leaf(L"C:\\dir/c.bin"), L"c.bin"));
    assert_true(!wcscmp(ob_path_leaf(L"C:/dir\\d.bin"), L"d.bin"));
    assert_true(!wcscmp(ob_path_leaf(L"\\\\server\\share\\e.bin"), L"e.bin"));
    assert_true(!wcscmp(ob_path_leaf(L"plain"), L"plain"));
    assert_true(!wcscmp(ob_path_leaf(L"C:\\dir\\"), L""));

    dir_is(L"C:\\dir\\b.bin", L"C:\\dir\\");
    dir_is(L"C:\\dir/c.bin", L"C:\\dir/");
    dir_is(L"C:/f.bin", L"C:/");
    dir_is(L"\\\\server\\share\\e.bin", L"\\\\server\\share\\");
    dir_is(L"plain", NULL);
    assert_int_equal(ob_path_dir_len(L"C:\\dir/c.bin"), 7);
    assert_int_equal(ob_path_dir_len(L"plain"), 0);
}

static void test_normalize(void **state)
{
    WCHAR *n = ob_path_normalize(L"C:/dir\\sub/c.bin");
    assert_non_null(n);
    assert_true(!wcscmp(n, L"C:\\dir\\sub\\c.bin"));
    ob_str_free(n);
    n = ob_path_normalize(L"//server/share/x");
    assert_true(!wcscmp(n, L"\\\\server\\share\\x"));
    ob_str_free(n);
}

/* Every name the generator could start from is a user's file: it takes a
 * free one and leaves the others' bytes alone (issue 15 item 4). */
static void test_create_unique_never_takes_an_existing_file(void **state)
{
    WCHAR name[MAX_PATH], *made = NULL;
    DWORD first, until, i;

    until = ts_take_tick_names(ts_scratch_dir(), L"BIT", L".reply", &first);
    assert_hr_equal(ob_path_create_unique(ts_path(L"upload.bin"), L"BIT", L".reply", &made), S_OK);
    if ((LONG)(GetTickCount() - until) >= 0) skip(); /* too slow here to have proved anything */
    assert_non_null(made);
    assert_true(!wcsncmp(made, ts_scratch_dir(), wcslen(ts_scratch_dir())));
    assert_true(ts_file_holds(made, "")); /* ours, new and empty */
    for (i = first; i != until; i++)
    {
        swprintf(name, MAX_PATH, L"%ls\\BIT%04X.reply", ts_scratch_dir(), i & 0xffff);
        if (!wcscmp(name, made)) fail_msg("%ls was a user's file", made);
        assert_true(ts_file_holds(name, "user"));
        DeleteFileW(name);
    }
    DeleteFileW(made);
    ob_str_free(made);
}

static void test_create_unique_too_long(void **state)
{
    WCHAR beside[MAX_PATH + 8], *made = (WCHAR *)1;
    size_t i;

    /* a directory of 250 characters: "BITxxxx.reply" would pass MAX_PATH */
    wcscpy(beside, L"C:\\");
    for (i = wcslen(beside); i < 249; i++) beside[i] = 'd';
    beside[i++] = '\\';
    beside[i++] = 'f';
    beside[i] = 0;
    assert_hr_equal(ob_path_create_unique(beside, L"BIT", L".reply", &made), HRESULT_FROM_WIN32(ERROR_FILENAME_EXCED_RANGE));
    assert_null(made);
    assert_hr_equal(ob_path_create_unique(L"nodir", L"BIT", L".reply", &made), HRESULT_FROM_WIN32(ERROR_INVALID_NAME));
}

static void test_check_writable(void **state)
{
    WCHAR dir[MAX_PATH], name[MAX_PATH];

    swprintf(dir, MAX_PATH, L"%ls\\writable", ts_scratch_dir());
    ts_make_dir(dir);
    swprintf(name, MAX_PATH, L"%ls\\any.bin", dir);
    assert_hr_equal(ob_path_check_writable(name), S_OK);
    assert_int_equal(ts_count_files_in(dir, L"*.*") - 2, 0); /* "." and "..": the probe leaves nothing */
    swprintf(name, MAX_PATH, L"%ls\\missing\\any.bin", ts_scratch_dir());
    assert_true(FAILED(ob_path_check_writable(name))); /* ERROR_DIRECTORY under Wine */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_leaf_and_dir),
        cmocka_unit_test(test_normalize),
        cmocka_unit_test(test_create_unique_never_takes_an_existing_file),
        cmocka_unit_test(test_create_unique_too_long),
        cmocka_unit_test(test_check_writable),
    };
    return cmocka_run_group_tests(tests, NULL, ts_group_teardown);
}
