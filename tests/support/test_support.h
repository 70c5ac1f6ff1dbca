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
/* The same in another directory. */
ULONG ts_count_files_in(const WCHAR *dir, const WCHAR *pattern);
/* Creates a directory (the test fails if it cannot). */
void ts_make_dir(const WCHAR *path);
/* Creates "<dir>\<prefix>XXXX<ext>" files holding "user" for every XXXX
 * that GetTickCount() & 0xffff takes over the next 1.5 s or so, and returns
 * once the tick count is inside that range (*first: its start): a name made
 * from the tick count now is one of them.  Returns the tick at which the
 * range ends; a test checks it has not passed before relying on it. */
DWORD ts_take_tick_names(const WCHAR *dir, const WCHAR *prefix, const WCHAR *ext, DWORD *first);
/* TRUE if the file holds exactly these bytes. */
BOOL ts_file_holds(const WCHAR *path, const char *text);
/* Removes the scratch directory and everything in it, subdirectories too. */
void ts_cleanup(void);
/* A CMocka group teardown that only calls ts_cleanup(). */
int ts_group_teardown(void **state);

/* A program's run: exit code and its stdout and stderr (malloc'd, CRs removed). */
typedef struct ts_run_result {
    DWORD exit_code;
    char *out, *err;
} ts_run_result;
/* Appends arg to a command line, quoted if empty or with a space (no
 * argument here contains a quote). */
void ts_append_arg(WCHAR *line, size_t size, const WCHAR *arg);
/* Runs exe with the whole command line `line` (its own name first), stdout
 * and stderr in scratch files, and waits for it (at most timeout_ms). */
ts_run_result ts_run(const WCHAR *exe, const WCHAR *line, DWORD timeout_ms);
void ts_run_result_free(ts_run_result *result);
/* The value of a Wine-path environment variable the CTest rule sets (fails the test if unset). */
const WCHAR *ts_env_path(const WCHAR *name);

#define assert_hr_equal(actual, expected) \
    assert_int_equal((unsigned long)(HRESULT)(actual), (unsigned long)(HRESULT)(expected))

#endif
