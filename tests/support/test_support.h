/* Helpers shared by the tests: CMocka, scratch directories and file names. */
#ifndef OB_TEST_SUPPORT_H
#define OB_TEST_SUPPORT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <windows.h>
#include <cmocka.h>

/* A fresh, empty scratch directory for this process (under %TEMP%). */
const WCHAR *ts_scratch_dir(void);
/* ts_scratch_dir() + "\\" + name, in a static pool of 64 rotating buffers. */
const WCHAR *ts_path(const WCHAR *name);
/* Creates a file with the given bytes (or size zero-filled bytes if data NULL). */
void ts_write_file(const WCHAR *path, const void *data, DWORD size);
BOOL ts_file_exists(const WCHAR *path);
/* Files in the scratch directory matching a wildcard pattern ("BIT*.tmp":
 * the temporary files of downloads). */
ULONG ts_count_files(const WCHAR *pattern);
/* Removes the scratch directory and everything in it. */
void ts_cleanup(void);
/* A CMocka group teardown that only calls ts_cleanup(). */
int ts_group_teardown(void **state);

#define assert_hr_equal(actual, expected) \
    assert_int_equal((unsigned long)(HRESULT)(actual), (unsigned long)(HRESULT)(expected))

#endif
