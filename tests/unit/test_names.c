/* Remote and local name rules of BG_FILE_INFO (bits-semantics §1.8, §1.5). */
#include "test_support.h"
#include "names.h"
#include "path.h"
#include "str.h"
#include <stdio.h>


static const BG_JOB_TYPE all_types[] = { BG_JOB_TYPE_DOWNLOAD, BG_JOB_TYPE_UPLOAD, BG_JOB_TYPE_UPLOAD_REPLY };

static const WCHAR *show(const WCHAR *s)
{
    return s ? s : L"(null)";
}

static void remote_ok(const WCHAR *name, BG_JOB_TYPE type, ob_remote_kind want)
{
    ob_remote_kind kind = (ob_remote_kind)-1;
    HRESULT hr = ob_check_remote_name(name, type, &kind);
    if (hr != S_OK) print_error("remote name %ls (type %d): 0x%08lx\n", show(name), type, (unsigned long)hr);
    assert_hr_equal(hr, S_OK);
    assert_int_equal(kind, want);
}

static void remote_bad(const WCHAR *name, BG_JOB_TYPE type)
{
    ob_remote_kind kind;
    HRESULT hr = ob_check_remote_name(name, type, &kind);
    if (hr != E_INVALIDARG) print_error("remote name %ls (type %d): 0x%08lx\n", show(name), type, (unsigned long)hr);
    assert_hr_equal(hr, E_INVALIDARG);
}

static void remote_bad_all(const WCHAR *name)
{
    int i;
    for (i = 0; i < 3; i++) remote_bad(name, all_types[i]);
}

static void local_is(const WCHAR *name, BG_JOB_TYPE type, HRESULT want)
{
    HRESULT hr = ob_check_local_name(name, type);
    if (hr != want) print_error("local name %ls (type %d): 0x%08lx\n", show(name), type, (unsigned long)hr);
    assert_hr_equal(hr, want);
}

/* A string of n copies of c, in a heap buffer the caller frees. */
static WCHAR *repeat(WCHAR c, size_t n)
{
    WCHAR *s = malloc((n + 1) * sizeof(WCHAR));
    size_t i;
    for (i = 0; i < n; i++) s[i] = c;
    s[n] = 0;
    return s;
}

static WCHAR *concat(const WCHAR *a, const WCHAR *b, const WCHAR *c)
{
    size_t n = wcslen(a) + wcslen(b) + wcslen(c) + 1;
    WCHAR *s = malloc(n * sizeof(WCHAR));
    swprintf(s, n, L"%ls%ls%ls", a, b, c);
    return s;
}

/* ---- remote names ---- */

static void test_http_urls(void **state)
{
    int i;
    for (i = 0; i < 3; i++)
    {
        remote_ok(L"http://example.com/file.bin", all_types[i], OB_REMOTE_HTTP);
        remote_ok(L"https://example.com/a/b/file.bin", all_types[i], OB_REMOTE_HTTP);
        remote_ok(L"HTTP://127.0.0.1:8080/x", all_types[i], OB_REMOTE_HTTP);
        remote_ok(L"https://host/path/file?query=1&x=?", all_types[i], OB_REMOTE_HTTP);
        remote_ok(L"http://host", all_types[i], OB_REMOTE_HTTP);
    }
}

static void test_http_urls_need_a_host(void **state)
{
    remote_bad_all(L"http://");
    remote_bad_all(L"https://");
    remote_bad_all(L"http:///file.bin");
    remote_bad_all(L"http://:80/file.bin");
    remote_bad_all(L"http://host/a file.bin"); /* no escape processing: a space is not a URL character */
}

static void test_file_urls(void **state)
{
    int i;
    for (i = 0; i < 2; i++)
    {
        remote_ok(L"file://C:\\dir\\file.bin", all_types[i], OB_REMOTE_FILE);
        remote_ok(L"file:///C:/dir/file.bin", all_types[i], OB_REMOTE_FILE);
        remote_ok(L"file://server/share/dir/file.bin", all_types[i], OB_REMOTE_FILE);
        remote_ok(L"FILE://server/share/file.bin", all_types[i], OB_REMOTE_FILE);
    }
    remote_bad_all(L"file://");
    remote_bad_all(L"file://server");
    remote_bad_all(L"file://dir/");
    remote_bad_all(L"file:///dir/file.bin");
}

static void test_unc_and_drive_paths(void **state)
{
    int i;
    for (i = 0; i < 2; i++)
    {
        remote_ok(L"\\\\server\\share\\file.bin", all_types[i], OB_REMOTE_FILE);
        remote_ok(L"\\\\server\\share\\dir\\file.bin", all_types[i], OB_REMOTE_FILE);
        remote_ok(L"C:\\dir\\file.bin", all_types[i], OB_REMOTE_FILE);
        remote_ok(L"z:/dir/file.bin", all_types[i], OB_REMOTE_FILE);
    }
    remote_bad_all(L"\\\\server");
    remote_bad_all(L"\\\\server\\");
    remote_bad_all(L"\\\\\\share\\file.bin");
}

static void test_upload_reply_rejects_smb(void **state)
{
    remote_bad(L"file://C:\\dir\\file.bin", BG_JOB_TYPE_UPLOAD_REPLY);
    remote_bad(L"file:///C:/dir/file.bin", BG_JOB_TYPE_UPLOAD_REPLY);
    remote_bad(L"file://server/share/file.bin", BG_JOB_TYPE_UPLOAD_REPLY);
    remote_bad(L"\\\\server\\share\\file.bin", BG_JOB_TYPE_UPLOAD_REPLY);
    remote_bad(L"C:\\dir\\file.bin", BG_JOB_TYPE_UPLOAD_REPLY);
    remote_ok(L"http://server/upload/file.bin", BG_JOB_TYPE_UPLOAD_REPLY, OB_REMOTE_HTTP);
}

static void test_pipes_and_devices_rejected(void **state)
{
    remote_bad_all(L"\\\\.\\pipe\\name");
    remote_bad_all(L"\\\\?\\C:\\dir\\file.bin");
    remote_bad_all(L"\\\\.\\C:");
    remote_bad_all(L"\\\\.\\PhysicalDrive0");
    remote_bad_all(L"//?/C:/dir/file.bin");
    remote_bad_all(L"//./pipe/name");
    remote_bad_all(L"\\\\?\\UNC\\server\\share\\file.bin");
    remote_bad_all(L"file://./pipe/name");
    /* a named pipe on another machine ("SMB paths to named pipes" are not supported) */
    remote_bad_all(L"\\\\server\\pipe\\name");
    remote_bad_all(L"\\\\server\\PIPE\\name");
    remote_bad_all(L"file://server/pipe/name");
    /* ... but a share whose name merely starts with "pipe" is a share */
    remote_ok(L"\\\\server\\pipeline\\file.bin", BG_JOB_TYPE_DOWNLOAD, OB_REMOTE_FILE);
}

static void test_relative_and_empty_rejected(void **state)
{
    remote_bad_all(NULL);
    remote_bad_all(L"");
    remote_bad_all(L"file.bin");
    remote_bad_all(L"dir\\file.bin");
    remote_bad_all(L"\\dir\\file.bin");
    remote_bad_all(L"C:file.bin");
    remote_bad_all(L"C:");
    remote_bad_all(L"..\\file.bin");
}

static void test_unsupported_protocols(void **state)
{
    remote_bad_all(L"ftp://server/file.bin");
    remote_bad_all(L"gopher://server/file.bin");
    remote_bad_all(L"mailto:someone@example.com");
    remote_bad_all(L"httpx://server/file.bin");
    remote_bad_all(L"http:/server/file.bin");
    remote_bad_all(L"ldap://server/cn=x");
}

static void test_wildcards_rejected(void **state)
{
    remote_bad_all(L"C:\\dir\\*.bin");
    remote_bad_all(L"C:\\dir\\file?.bin");
    remote_bad_all(L"\\\\server\\share\\*");
    remote_bad_all(L"file://C:\\dir\\*.bin");
    remote_bad_all(L"file://server/share/f?le.bin");
    remote_bad_all(L"http://server/dir/*.bin");
    remote_bad_all(L"http://server/*/file.bin");
}

static void test_ntfs_streams_rejected(void **state)
{
    remote_bad_all(L"C:\\dir\\file.bin:stream");
    remote_bad_all(L"C:\\dir\\file.bin::$DATA");
    remote_bad_all(L"\\\\server\\share\\file.bin:stream");
    remote_bad_all(L"file://C:\\dir\\file.bin:stream");
}

static void test_remote_name_length(void **state)
{
    const WCHAR *prefix = L"http://server/";
    size_t fill = OB_MAX_REMOTE_NAME - wcslen(prefix);
    WCHAR *segments = repeat('a', fill), *url;
    size_t i;

    /* exactly 2200 characters, with short segments */
    for (i = 100; i < fill; i += 100) segments[i] = '/';
    url = concat(prefix, segments, L"");
    assert_int_equal(wcslen(url), OB_MAX_REMOTE_NAME);
    remote_ok(url, BG_JOB_TYPE_DOWNLOAD, OB_REMOTE_HTTP);
    free(url);
    /* one more is too long */
    url = concat(prefix, segments, L"b");
    remote_bad_all(url);
    free(url);
    free(segments);
}

static void test_remote_segment_length(void **state)
{
    WCHAR *seg = repeat('s', MAX_PATH), *name;

    /* MAX_PATH characters in a segment is allowed, one more is not */
    name = concat(L"\\\\server\\share\\", seg, L"");
    remote_ok(name, BG_JOB_TYPE_DOWNLOAD, OB_REMOTE_FILE);
    free(name);
    name = concat(L"http://server/", seg, L"/file.bin");
    remote_ok(name, BG_JOB_TYPE_DOWNLOAD, OB_REMOTE_HTTP);
    free(name);
    free(seg);

    seg = repeat('s', MAX_PATH + 1);
    name = concat(L"\\\\server\\share\\", seg, L"");
    remote_bad_all(name);
    free(name);
    name = concat(L"C:\\", seg, L"\\file.bin");
    remote_bad_all(name);
    free(name);
    name = concat(L"file://server/share/", seg, L"");
    remote_bad_all(name);
    free(name);
    name = concat(L"http://server/", seg, L"/file.bin");
    remote_bad_all(name);
    free(name);
    free(seg);
}

/* Ports are 1-65535 in digits; an IPv6 literal needs its closing bracket
 * (issue 15 item 19: each of these was accepted). */
static void test_http_ports_and_hosts(void **state)
{
    int i;
    for (i = 0; i < 3; i++)
    {
        remote_ok(L"http://host:1/x", all_types[i], OB_REMOTE_HTTP);
        remote_ok(L"http://host:65535/x", all_types[i], OB_REMOTE_HTTP);
        remote_ok(L"http://[::1]/x", all_types[i], OB_REMOTE_HTTP);
        remote_ok(L"http://[::1]:8080/x", all_types[i], OB_REMOTE_HTTP);
        remote_ok(L"https://[fe80::1:2]/x", all_types[i], OB_REMOTE_HTTP);
        remote_ok(L"http://user@host:8080/x", all_types[i], OB_REMOTE_HTTP);
        remote_ok(L"http://host:80?x=1", all_types[i], OB_REMOTE_HTTP);
    }
    remote_bad_all(L"http://host:99999/x");
    remote_bad_all(L"http://host:65536/x");
    remote_bad_all(L"http://host:0/x");
    remote_bad_all(L"http://host:00/x");
    remote_bad_all(L"http://host:abc/x");
    remote_bad_all(L"http://host:80a/x");
    remote_bad_all(L"http://host:/x");
    remote_bad_all(L"http://host:-1/x");
    remote_bad_all(L"http://[::1/x");
    remote_bad_all(L"http://[::1");
    remote_bad_all(L"http://[]/x");
    remote_bad_all(L"http://[::1]x/x");
    remote_bad_all(L"http://[::g]/x");
    remote_bad_all(L"http://ho]st/x");
    remote_bad_all(L"http://user@/x");
}

/* Names Windows does not keep as written: devices (with or without an
 * extension) and names ending in a dot or a space (issue 15 item 19). */
static void test_device_and_trailing_names_rejected(void **state)
{
    static const WCHAR *const bad[] = {
        L"NUL", L"nul", L"CON", L"PRN", L"AUX", L"COM1", L"com9", L"LPT1", L"NUL.txt", L"con.bin",
        L"COM1.log", L"NUL .txt", L"CONIN$", L"CONOUT$", L"file.", L"file ", L"file. ", L"..", L".",
    };
    static const WCHAR *const good[] = { L"NULL.bin", L"CONSOLE.bin", L"COM10", L"COM0x", L"LPT", L"a.nul", L"x.con" };
    WCHAR name[MAX_PATH];
    size_t i;
    int t;

    for (i = 0; i < ARRAYSIZE(bad); i++)
    {
        for (t = 0; t < 3; t++)
        {
            swprintf(name, MAX_PATH, L"%ls\\%ls", ts_scratch_dir(), bad[i]);
            local_is(name, all_types[t], E_INVALIDARG);
        }
        swprintf(name, MAX_PATH, L"%ls\\%ls", ts_scratch_dir(), bad[i]);
        assert_hr_equal(ob_check_reply_name(name), E_INVALIDARG);
        swprintf(name, MAX_PATH, L"C:\\dir\\%ls", bad[i]);
        remote_bad(name, BG_JOB_TYPE_DOWNLOAD);
        swprintf(name, MAX_PATH, L"\\\\server\\share\\%ls", bad[i]);
        remote_bad(name, BG_JOB_TYPE_UPLOAD);
        swprintf(name, MAX_PATH, L"file://server/share/%ls", bad[i]);
        remote_bad(name, BG_JOB_TYPE_DOWNLOAD);
    }
    /* a dot or a space inside a directory's name changes the path too */
    swprintf(name, MAX_PATH, L"%ls\\..\\x.bin", ts_scratch_dir());
    local_is(name, BG_JOB_TYPE_DOWNLOAD, E_INVALIDARG);
    swprintf(name, MAX_PATH, L"%ls\\.\\x.bin", ts_scratch_dir());
    local_is(name, BG_JOB_TYPE_DOWNLOAD, E_INVALIDARG);
    swprintf(name, MAX_PATH, L"%ls\\dir.\\x.bin", ts_scratch_dir());
    local_is(name, BG_JOB_TYPE_DOWNLOAD, E_INVALIDARG);
    for (i = 0; i < ARRAYSIZE(good); i++)
    {
        swprintf(name, MAX_PATH, L"%ls\\%ls", ts_scratch_dir(), good[i]);
        local_is(name, BG_JOB_TYPE_DOWNLOAD, S_OK);
    }
}

/* The temporary file goes beside the destination: its directory must leave
 * room for "BITxxxx.tmp" (GetTempFileName: at most MAX_PATH - 14). */
static void test_directory_leaves_room_for_the_temporary_file(void **state)
{
    WCHAR *pad = repeat('d', OB_PATH_TEMP_DIR_MAX - 3), *name;

    name = concat(L"C:\\", pad, L"\\f");       /* a directory of MAX_PATH - 14 */
    assert_int_equal(ob_path_dir_len(name) - 1, OB_PATH_TEMP_DIR_MAX);
    local_is(name, BG_JOB_TYPE_DOWNLOAD, HRESULT_FROM_WIN32(ERROR_PATH_NOT_FOUND)); /* allowed, but not there */
    free(name);
    name = concat(L"C:\\", pad, L"d\\f");      /* one more */
    local_is(name, BG_JOB_TYPE_DOWNLOAD, E_INVALIDARG);
    assert_hr_equal(ob_check_reply_name(name), E_INVALIDARG);
    free(name);
    free(pad);
}

static void for_trace_is(const WCHAR *name, const WCHAR *want)
{
    WCHAR out[64];
    ob_remote_for_trace(name, out, ARRAYSIZE(out));
    if (wcscmp(out, want)) fail_msg("%ls traced as %ls, want %ls", name ? name : L"(null)", out, want);
}

static void test_remote_for_trace(void **state)
{
    for_trace_is(L"http://user:pw@host/x", L"http://***@host/x");
    for_trace_is(L"https://a@b@host:8080/x?q=@", L"https://***@host:8080/x?q=@");
    for_trace_is(L"http://host/x@y", L"http://host/x@y");
    for_trace_is(L"\\\\server\\share\\f", L"\\\\server\\share\\f");
    for_trace_is(NULL, L"(null)");
}

/* ---- local names ---- */

static void test_download_local_name(void **state)
{
    WCHAR missing[MAX_PATH];

    local_is(ts_path(L"new.bin"), BG_JOB_TYPE_DOWNLOAD, S_OK);
    /* an existing file may be overwritten */
    ts_write_file(ts_path(L"existing.bin"), "x", 1);
    local_is(ts_path(L"existing.bin"), BG_JOB_TYPE_DOWNLOAD, S_OK);
    /* forward slashes are still a full path */
    local_is(L"C:/windows/new-openbits-file.bin", BG_JOB_TYPE_DOWNLOAD, S_OK);

    swprintf(missing, MAX_PATH, L"%ls\\no-such-dir\\file.bin", ts_scratch_dir());
    local_is(missing, BG_JOB_TYPE_DOWNLOAD, HRESULT_FROM_WIN32(ERROR_PATH_NOT_FOUND));
    local_is(L"Q:\\surely\\missing\\file.bin", BG_JOB_TYPE_DOWNLOAD, HRESULT_FROM_WIN32(ERROR_PATH_NOT_FOUND));
    /* the "directory" is a file */
    swprintf(missing, MAX_PATH, L"%ls\\existing.bin\\file.bin", ts_scratch_dir());
    local_is(missing, BG_JOB_TYPE_DOWNLOAD, HRESULT_FROM_WIN32(ERROR_PATH_NOT_FOUND));
    /* a directory is not a file name */
    local_is(ts_scratch_dir(), BG_JOB_TYPE_DOWNLOAD, E_INVALIDARG);
    swprintf(missing, MAX_PATH, L"%ls\\", ts_scratch_dir());
    local_is(missing, BG_JOB_TYPE_DOWNLOAD, E_INVALIDARG);
}

static void test_upload_local_file_must_exist(void **state)
{
    ts_write_file(ts_path(L"up.bin"), "data", 4);
    local_is(ts_path(L"up.bin"), BG_JOB_TYPE_UPLOAD, S_OK);
    local_is(ts_path(L"up.bin"), BG_JOB_TYPE_UPLOAD_REPLY, S_OK);
    local_is(ts_path(L"not-there.bin"), BG_JOB_TYPE_UPLOAD, HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND));
    local_is(ts_path(L"not-there.bin"), BG_JOB_TYPE_UPLOAD_REPLY, HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND));
    local_is(ts_scratch_dir(), BG_JOB_TYPE_UPLOAD, E_INVALIDARG);
}

static void test_local_name_syntax(void **state)
{
    WCHAR name[MAX_PATH * 2];
    int i;

    for (i = 0; i < 3; i++)
    {
        BG_JOB_TYPE t = all_types[i];
        local_is(NULL, t, E_INVALIDARG);
        local_is(L"", t, E_INVALIDARG);
        local_is(L"file.bin", t, E_INVALIDARG);
        local_is(L"dir\\file.bin", t, E_INVALIDARG);
        local_is(L"\\windows\\file.bin", t, E_INVALIDARG);
        local_is(L"C:file.bin", t, E_INVALIDARG);
        local_is(L"http://server/file.bin", t, E_INVALIDARG);
        local_is(L"file://C:\\windows\\file.bin", t, E_INVALIDARG);
        local_is(L"\\\\?\\C:\\windows\\file.bin", t, E_INVALIDARG);
        local_is(L"\\\\.\\pipe\\name", t, E_INVALIDARG);
        local_is(L"\\\\.\\C:", t, E_INVALIDARG);
        local_is(L"\\\\server\\pipe\\name", t, E_INVALIDARG);
        swprintf(name, ARRAYSIZE(name), L"%ls\\*.bin", ts_scratch_dir());
        local_is(name, t, E_INVALIDARG);
        swprintf(name, ARRAYSIZE(name), L"%ls\\file?.bin", ts_scratch_dir());
        local_is(name, t, E_INVALIDARG);
        swprintf(name, ARRAYSIZE(name), L"%ls\\file.bin:stream", ts_scratch_dir());
        local_is(name, t, E_INVALIDARG);
        swprintf(name, ARRAYSIZE(name), L"%ls\\file.bin::$DATA", ts_scratch_dir());
        local_is(name, t, E_INVALIDARG);
    }
}

static void test_local_name_length(void **state)
{
    WCHAR *pad, *name;
    size_t dir_len = wcslen(ts_scratch_dir()) + 1;

    assert_true(dir_len < MAX_PATH - 10);
    /* MAX_PATH - 1 characters (MAX_PATH with the terminator) in an existing directory */
    pad = repeat('n', MAX_PATH - 1 - dir_len);
    name = concat(ts_scratch_dir(), L"\\", pad);
    assert_int_equal(wcslen(name), MAX_PATH - 1);
    local_is(name, BG_JOB_TYPE_DOWNLOAD, S_OK);
    free(name);
    free(pad);
    /* MAX_PATH characters and more are too long */
    pad = repeat('n', MAX_PATH - dir_len);
    name = concat(ts_scratch_dir(), L"\\", pad);
    assert_int_equal(wcslen(name), MAX_PATH);
    local_is(name, BG_JOB_TYPE_DOWNLOAD, E_INVALIDARG);
    local_is(name, BG_JOB_TYPE_UPLOAD, E_INVALIDARG);
    free(name);
    free(pad);
    pad = repeat('n', 2 * MAX_PATH);
    name = concat(L"C:\\", pad, L"");
    local_is(name, BG_JOB_TYPE_DOWNLOAD, E_INVALIDARG);
    free(name);
    free(pad);
}

/* ---- reply names ---- */

static void test_reply_name(void **state)
{
    WCHAR name[MAX_PATH * 2];
    WCHAR *pad;

    assert_hr_equal(ob_check_reply_name(ts_path(L"reply.bin")), S_OK);
    /* a directory is not a file name */
    assert_hr_equal(ob_check_reply_name(ts_scratch_dir()), E_INVALIDARG);
    assert_hr_equal(ob_check_reply_name(L"reply.bin"), E_INVALIDARG);
    assert_hr_equal(ob_check_reply_name(L"dir\\reply.bin"), E_INVALIDARG);
    assert_hr_equal(ob_check_reply_name(L"\\\\?\\C:\\windows\\reply.bin"), E_INVALIDARG);
    swprintf(name, ARRAYSIZE(name), L"%ls\\reply.bin:stream", ts_scratch_dir());
    assert_hr_equal(ob_check_reply_name(name), E_INVALIDARG);
    swprintf(name, ARRAYSIZE(name), L"%ls\\*.bin", ts_scratch_dir());
    assert_hr_equal(ob_check_reply_name(name), E_INVALIDARG);
    swprintf(name, ARRAYSIZE(name), L"%ls\\missing\\reply.bin", ts_scratch_dir());
    assert_hr_equal(ob_check_reply_name(name), HRESULT_FROM_WIN32(ERROR_PATH_NOT_FOUND));
    pad = repeat('r', MAX_PATH);
    swprintf(name, ARRAYSIZE(name), L"C:\\%ls", pad);
    assert_hr_equal(ob_check_reply_name(name), E_INVALIDARG);
    free(pad);
}

/* ---- remote name to path ---- */

static void to_path_is(const WCHAR *remote, const WCHAR *want)
{
    WCHAR *path = ob_remote_to_path(remote);
    assert_non_null(path);
    if (wcscmp(path, want)) print_error("%ls -> %ls, want %ls\n", remote, path, want);
    assert_true(!wcscmp(path, want));
    ob_str_free(path);
}

static void test_remote_to_path(void **state)
{
    to_path_is(L"file://C:\\dir\\file.bin", L"C:\\dir\\file.bin");
    to_path_is(L"file:///C:/dir/file.bin", L"C:\\dir\\file.bin");
    to_path_is(L"file://C:/dir/file.bin", L"C:\\dir\\file.bin");
    to_path_is(L"FILE:///c:/dir/file.bin", L"c:\\dir\\file.bin");
    to_path_is(L"file://server/share/dir/file.bin", L"\\\\server\\share\\dir\\file.bin");
    to_path_is(L"\\\\server\\share\\file.bin", L"\\\\server\\share\\file.bin");
    to_path_is(L"//server/share/file.bin", L"\\\\server\\share\\file.bin");
    to_path_is(L"C:\\dir\\file.bin", L"C:\\dir\\file.bin");
    to_path_is(L"C:/dir/file.bin", L"C:\\dir\\file.bin");
}


int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_http_urls),
        cmocka_unit_test(test_http_urls_need_a_host),
        cmocka_unit_test(test_file_urls),
        cmocka_unit_test(test_unc_and_drive_paths),
        cmocka_unit_test(test_upload_reply_rejects_smb),
        cmocka_unit_test(test_pipes_and_devices_rejected),
        cmocka_unit_test(test_relative_and_empty_rejected),
        cmocka_unit_test(test_unsupported_protocols),
        cmocka_unit_test(test_wildcards_rejected),
        cmocka_unit_test(test_ntfs_streams_rejected),
        cmocka_unit_test(test_remote_name_length),
        cmocka_unit_test(test_remote_segment_length),
        cmocka_unit_test(test_download_local_name),
        cmocka_unit_test(test_upload_local_file_must_exist),
        cmocka_unit_test(test_local_name_syntax),
        cmocka_unit_test(test_local_name_length),
        cmocka_unit_test(test_reply_name),
        cmocka_unit_test(test_remote_to_path),
        cmocka_unit_test(test_http_ports_and_hosts),
        cmocka_unit_test(test_remote_for_trace),
        cmocka_unit_test(test_device_and_trailing_names_rejected),
        cmocka_unit_test(test_directory_leaves_room_for_the_temporary_file),
    };
    return cmocka_run_group_tests(tests, NULL, ts_group_teardown);
}
