/* openbits-admin end to end: runs tools/openbits-admin.exe (its Wine path in
 * OPENBITS_ADMIN_EXE) with CreateProcess against the loopback HTTP and BITS
 * upload servers, and checks exit codes, output and files. */
#include "com_test_util.h"
#include "http_support.h"
#include <string.h>

#define EXIT_OK 0
#define EXIT_FAILED 1
#define EXIT_USAGE 2
#define EXIT_NO_JOB 3

#define cli_result ts_run_result

static const WCHAR *admin_exe(void)
{
    static WCHAR path[MAX_PATH];
    if (!path[0] && !GetEnvironmentVariableW(L"OPENBITS_ADMIN_EXE", path, ARRAYSIZE(path)))
        fail_msg("OPENBITS_ADMIN_EXE is not set");
    return path;
}

/* Runs openbits-admin with the arguments (NULL-terminated), stdout and
 * stderr in files, and waits for it (at most 120 s). */
/* argv[1] "host": the tests of jobs across invocations, through openbits-host;
 * otherwise every command runs with /inproc (a private queue per command). */
static BOOL through_host;

static struct cli_result run_admin(const WCHAR *first, ...)
{
    static WCHAR line[8192];
    const WCHAR *arg;
    va_list args;

    swprintf(line, ARRAYSIZE(line), L"\"%ls\"%ls", admin_exe(), through_host ? L"" : L" /inproc");
    va_start(args, first);
    for (arg = first; arg; arg = va_arg(args, const WCHAR *)) ts_append_arg(line, ARRAYSIZE(line), arg);
    va_end(args);
    return ts_run(admin_exe(), line, 120000);
}

static void free_result(struct cli_result *result)
{
    ts_run_result_free(result);
}

static void expect_exit(const struct cli_result *result, DWORD code)
{
    if (result->exit_code != code)
        fail_msg("exit code %lu, expected %lu\nstdout:\n%s\nstderr:\n%s", result->exit_code, code, result->out,
                 result->err);
}

static void expect_text(const char *output, const char *text)
{
    if (!strstr(output, text)) fail_msg("\"%s\" is not in:\n%s", text, output);
}

/* TRUE if the output has a line that is exactly text. */
static BOOL has_line(const char *output, const char *text)
{
    size_t n = strlen(text);
    const char *p;
    for (p = output; (p = strstr(p, text)); p++)
        if ((p == output || p[-1] == '\n') && (p[n] == '\n' || !p[n])) return TRUE;
    return FALSE;
}

static void expect_line(const char *output, const char *text)
{
    if (!has_line(output, text)) fail_msg("no line \"%s\" in:\n%s", text, output);
}

static void test_transfer_download(void **state)
{
    const WCHAR *local = ts_path(L"download.bin");
    struct cli_result r = run_admin(L"/transfer", L"cli download", L"/download", L"/priority", L"foreground",
                                    ts_http_url("/data/3145728?rate=2000000"), local, NULL);

    expect_exit(&r, EXIT_OK);
    assert_true(ts_file_has_pattern(local, 3145728));
    expect_text(r.out, "Transferring 1 file(s) in job 'cli download'");
    expect_text(r.out, "(DOWNLOAD, priority FOREGROUND)");
    expect_text(r.out, "100%  3.0 MiB of 3.0 MiB");
    expect_text(r.out, "TRANSFERRED");
    expect_line(r.out, "Transfer complete.");
    assert_int_equal(ts_count_files(L"BIT*.tmp"), 0);
    free_result(&r);
}

static void test_transfer_not_found(void **state)
{
    const WCHAR *local = ts_path(L"missing.bin");
    struct cli_result r = run_admin(L"/TRANSFER", L"cli404", ts_http_url("/status/404"), local, NULL);

    expect_exit(&r, EXIT_FAILED);
    expect_text(r.err, "ERROR CODE:    0x80190194 - ");
    expect_text(r.err, "404");
    expect_text(r.err, "ERROR CONTEXT: 0x00000005 - ");
    assert_false(ts_file_exists(local));
    assert_int_equal(ts_count_files(L"BIT*.tmp"), 0);
    free_result(&r);
}

static void test_transfer_upload(void **state)
{
    const WCHAR *local = ts_path(L"upload.bin");
    struct cli_result r;
    BYTE *uploaded;
    DWORD size = 0;

    ts_write_pattern_file(local, 2500000);
    r = run_admin(L"/transfer", L"cli upload", L"/upload", ts_upload_url("/upload/admin-cli.bin"), local, NULL);
    expect_exit(&r, EXIT_OK);
    expect_text(r.out, "(UPLOAD, priority NORMAL)");
    expect_text(r.out, "100%");
    uploaded = ts_http_get(ts_upload_url("/uploaded/upload/admin-cli.bin"), &size);
    assert_non_null(uploaded);
    assert_int_equal(size, 2500000);
    assert_int_equal(uploaded[2499999], ts_pattern_byte(2499999));
    assert_int_equal(uploaded[1234567], ts_pattern_byte(1234567));
    free(uploaded);
    free_result(&r);
}

/* The path after "Reply file: " in the output, as a static wide string. */
static const WCHAR *reply_file(const char *output)
{
    static WCHAR path[MAX_PATH];
    const char *start = strstr(output, "Reply file: "), *end;

    assert_non_null(start);
    start += strlen("Reply file: ");
    end = strchr(start, '\n');
    assert_non_null(end);
    assert_true(MultiByteToWideChar(CP_ACP, 0, start, (int)(end - start), path, MAX_PATH - 1) > 0);
    path[end - start] = 0;
    return path;
}

static void test_transfer_upload_reply(void **state)
{
    const WCHAR *local = ts_path(L"upload-reply.bin");
    struct cli_result r;

    ts_write_pattern_file(local, 300000);
    r = run_admin(L"/transfer", L"cli reply", L"/Upload-Reply",
                  ts_upload_url("/reply/admin-cli.bin?replysize=200000"), local, NULL);
    expect_exit(&r, EXIT_OK);
    expect_text(r.out, "(UPLOAD-REPLY, priority NORMAL)");
    expect_text(r.out, "reply: 195.3 KiB of 195.3 KiB (100%)");
    assert_true(ts_file_has_pattern(reply_file(r.out), 200000));
    DeleteFileW(reply_file(r.out));
    free_result(&r);
}

/* A bad command line: usage on stderr, exit 2, nothing done. */
static void expect_usage_error(struct cli_result r, const char *why, const WCHAR *local)
{
    expect_exit(&r, EXIT_USAGE);
    expect_text(r.err, why);
    expect_text(r.err, "Usage: openbits-admin");
    assert_string_equal(r.out, "");
    assert_false(ts_file_exists(local));
    assert_int_equal(ts_count_files(L"BIT*.tmp"), 0);
    free_result(&r);
}

static void test_bad_arguments(void **state)
{
    const WCHAR *local = ts_path(L"never.bin"), *url = ts_http_url("/data/1000");

    expect_usage_error(run_admin(L"/transfer", L"cli bad", url, NULL), "the local name for", local);
    expect_usage_error(run_admin(L"/frobnicate", L"cli bad", url, local, NULL), "unknown command \"/frobnicate\"",
                       local);
    expect_usage_error(run_admin(L"/transfer", L"cli bad", L"/priority", L"urgent", url, local, NULL),
                       "bad priority \"urgent\"", local);
    /* Checked before anything runs: the valid /transfer first is not started. */
    expect_usage_error(run_admin(L"/transfer", L"cli bad", url, local, L"/setpriority", L"cli bad", NULL),
                       "/setpriority needs 1 argument(s)", local);
    expect_usage_error(run_admin(NULL), "no command given", local);
}

static void test_chain(void **state)
{
    const WCHAR *local = ts_path(L"chain.bin");
    struct cli_result r = run_admin(L"/create", L"/download", L"chain", L"/addfile", L"chain",
                                    ts_http_url("/data/1048577"), local, L"/setpriority", L"chain", L"HIGH",
                                    L"/getpriority", L"chain", L"/resume", L"chain", L"/wait", L"chain",
                                    L"/getstate", L"chain", L"/getbytestotal", L"chain", L"/getfilestransferred",
                                    L"chain", L"/list", L"/complete", L"chain", L"/getstate", L"chain", NULL);

    /* The last /getstate no longer finds the job: Complete removed it. */
    expect_exit(&r, EXIT_NO_JOB);
    expect_text(r.out, "Created job {");
    expect_line(r.out, "Priority set to HIGH.");
    expect_line(r.out, "HIGH");
    expect_line(r.out, "Job resumed.");
    expect_line(r.out, "TRANSFERRED");
    expect_line(r.out, "1048577");
    expect_line(r.out, "1");
    expect_text(r.out, "'chain' TRANSFERRED 1 / 1 1048577 / 1048577");
    expect_line(r.out, "Listed 1 job(s) of this process.");
    expect_line(r.out, "Job completed.");
    expect_text(r.err, "job \"chain\" was not found");
    assert_true(ts_file_has_pattern(local, 1048577));
    free_result(&r);
}

/* The job's proxy and credentials from the command line reach its requests:
 * the loopback server also answers as a proxy, and asks for Basic auth. */
static void test_proxy_and_credentials(void **state)
{
    const WCHAR *local = ts_path(L"authproxy.bin"), *url = L"http://openbits-proxy-test.invalid/data/1000?auth=u:pw";
    WCHAR proxy[32];
    struct cli_result r;

    swprintf(proxy, ARRAYSIZE(proxy), L"127.0.0.1:%u", ts_http_port());
    r = run_admin(L"/create", L"ap", L"/addfile", L"ap", url, local, L"/setproxysettings", L"ap", L"override", proxy,
                  L"NULL", L"/getproxyusage", L"ap", L"/getproxylist", L"ap", L"/setcredentials", L"ap", L"SERVER",
                  L"BASIC", L"u", L"pw", L"/resume", L"ap", L"/wait", L"ap", L"/complete", L"ap", NULL);
    expect_exit(&r, EXIT_OK);
    expect_line(r.out, "Proxy usage set to OVERRIDE.");
    expect_line(r.out, "OVERRIDE");
    expect_text(r.out, "127.0.0.1:");
    expect_line(r.out, "Credentials set.");
    assert_true(ts_file_has_pattern(local, 1000));
    free_result(&r);

    /* without the credentials: HTTP 401 */
    DeleteFileW(local);
    r = run_admin(L"/create", L"ap2", L"/addfile", L"ap2", url, local, L"/setproxysettings", L"ap2", L"OVERRIDE",
                  proxy, L"/setcredentials", L"ap2", L"server", L"basic", L"u", L"pw", L"/removecredentials", L"ap2",
                  L"SERVER", L"BASIC", L"/resume", L"ap2", L"/wait", L"ap2", NULL);
    expect_exit(&r, EXIT_FAILED);
    expect_line(r.out, "Credentials removed.");
    expect_text(r.err, "0x80190191");
    assert_false(ts_file_exists(local));
    free_result(&r);

    r = run_admin(L"/create", L"ap3", L"/setcredentials", L"ap3", L"SERVER", L"KERBEROS", L"u", L"pw", NULL);
    expect_exit(&r, EXIT_USAGE);
    expect_text(r.err, "bad scheme \"KERBEROS\"");
    free_result(&r);
}

/* A job still in the process at exit could never be completed: it is
 * cancelled, so its temporary file does not stay. */
static void test_leftover_job_is_cancelled(void **state)
{
    const WCHAR *local = ts_path(L"leftover.bin");
    struct cli_result r = run_admin(L"/create", L"left", L"/addfile", L"left", ts_http_url("/data/100000"), local,
                                    L"/resume", L"left", L"/wait", L"left", NULL);

    expect_exit(&r, EXIT_OK);
    expect_text(r.out, "100%");
    expect_text(r.err, "job \"left\" was cancelled at exit");
    assert_false(ts_file_exists(local));
    assert_int_equal(ts_count_files(L"BIT*.tmp"), 0);
    free_result(&r);
}

static void test_unknown_job(void **state)
{
    struct cli_result r = run_admin(L"/getstate", L"no such job", NULL);

    expect_exit(&r, EXIT_NO_JOB);
    expect_text(r.err, "job \"no such job\" was not found: with /inproc, jobs live only in the process that created them");
    assert_string_equal(r.out, "");
    free_result(&r);
}

static void test_getters_of_a_new_job(void **state)
{
    struct cli_result r = run_admin(L"/create", L"/upload-reply", L"fresh", L"/gettype", L"fresh", L"/getstate",
                                    L"fresh", L"/getbytestotal", L"fresh", L"/getreplyprogress", L"fresh",
                                    L"/setnoprogresstimeout", L"fresh", L"30", L"/getnoprogresstimeout", L"fresh",
                                    L"/getdisplayname", L"fresh", L"/getminretrydelay", L"fresh",
                                    L"/info", L"fresh", L"/verbose", L"/geterror", L"fresh", NULL);

    /* A new job has no error: /geterror fails with openbits' description. */
    expect_exit(&r, EXIT_FAILED);
    expect_line(r.out, "UPLOAD-REPLY");
    expect_line(r.out, "SUSPENDED");
    expect_line(r.out, "0");
    expect_line(r.out, "REPLY: 0 / UNKNOWN (not started)");
    expect_line(r.out, "30");
    expect_line(r.out, "fresh");
    expect_line(r.out, "600");
    expect_text(r.out, "NOTIFY COMMAND LINE:      none");
    expect_text(r.out, "NO PROGRESS TIMEOUT:      30");
    expect_text(r.err, "reading the job's error failed: 0x8020000F - ");
    expect_text(r.err, "job \"fresh\" was cancelled at exit");
    free_result(&r);
}

static void test_util_help(void **state)
{
    struct cli_result r = run_admin(L"/UTIL", L"/HELP", NULL);

    expect_exit(&r, EXIT_OK);
    expect_text(r.out, "Usage: openbits-admin");
    expect_text(r.out, "/transfer <name>");
    expect_text(r.out, "Exit codes:");
    assert_string_equal(r.err, "");
    free_result(&r);
}

/* bitsadmin's real usage: one command per step, each its own process, the
 * job in openbits-host's queue between them; completed from a later one. */
static void test_jobs_across_invocations(void **state)
{
    const UINT64 size = 777777;
    const WCHAR *local = ts_path(L"cli-across.bin");
    struct cli_result r;
    char url[64];

    sprintf(url, "/data/%llu", (unsigned long long)size);
    r = run_admin(L"/create", L"across", NULL);
    expect_exit(&r, EXIT_OK);
    expect_text(r.out, "Created job {");
    free_result(&r);
    r = run_admin(L"/addfile", L"across", ts_http_url(url), local, NULL);
    expect_exit(&r, EXIT_OK);
    free_result(&r);
    r = run_admin(L"/resume", L"across", NULL);
    expect_exit(&r, EXIT_OK);
    /* nothing cancelled at exit */
    if (strstr(r.err, "cancelled at exit")) fail_msg("%s", r.err);
    free_result(&r);
    r = run_admin(L"/wait", L"across", NULL);
    expect_exit(&r, EXIT_OK);
    free_result(&r);
    r = run_admin(L"/getstate", L"across", L"/list", L"/allusers", L"/info", L"across", NULL);
    expect_exit(&r, EXIT_OK);
    expect_line(r.out, "TRANSFERRED");
    expect_text(r.out, "across");
    expect_text(r.out, "Listed ");
    free_result(&r);
    assert_false(ts_file_exists(local));
    r = run_admin(L"/complete", L"across", NULL);
    expect_exit(&r, EXIT_OK);
    free_result(&r);
    assert_true(ts_file_has_pattern(local, size));
    r = run_admin(L"/getstate", L"across", NULL);
    expect_exit(&r, EXIT_NO_JOB);
    expect_text(r.err, "job \"across\" was not found\n");
    free_result(&r);
}

/* Delivery Optimization: /do_download runs a whole download (status lines,
 * Finalize); an HTTP error is printed with openbits' description and aborts
 * the download; with /inproc a download still there at exit is aborted. */
static void test_do_download(void **state)
{
    const WCHAR *local = ts_path(L"do-cli.bin"), *missing = ts_path(L"do-missing.bin"),
                *left = ts_path(L"do-left.bin");
    struct cli_result r = run_admin(L"/do_download", ts_http_url("/data/1500000?rate=1500000"), local, NULL);

    expect_exit(&r, EXIT_OK);
    expect_text(r.out, "(Delivery Optimization download {");
    expect_text(r.out, "TRANSFERRED  100%  1.4 MiB of 1.4 MiB");
    expect_line(r.out, "Download finalized.");
    free_result(&r);
    assert_true(ts_file_has_pattern(local, 1500000));

    r = run_admin(L"/do_download", ts_http_url("/data/10?status=404"), missing, NULL);
    expect_exit(&r, EXIT_FAILED);
    expect_text(r.out, "PAUSED");
    expect_text(r.err, "the download failed: 0x80190194 - ");
    free_result(&r);
    assert_false(ts_file_exists(missing));

    r = run_admin(L"/do_start", ts_http_url("/data/100000?rate=10000"), left, L"/do_list", NULL);
    expect_exit(&r, EXIT_OK);
    expect_text(r.out, "Listed 1 download(s) of this process.");
    expect_text(r.err, "was aborted at exit");
    free_result(&r);
    assert_false(ts_file_exists(left));
    assert_int_equal(ts_count_files(L"BIT*.tmp"), 0);

    r = run_admin(L"/do_status", L"nonsense", NULL);
    expect_exit(&r, EXIT_USAGE);
    free_result(&r);
}

/* A DO download in openbits-host's queue, one command per step. */
static void test_do_across_invocations(void **state)
{
    const WCHAR *local = ts_path(L"do-across.bin");
    struct cli_result r = run_admin(L"/do_start", ts_http_url("/data/654321"), local, NULL);
    WCHAR id[64];
    char id_text[64];

    expect_exit(&r, EXIT_OK);
    assert_true(r.out[0] == '{' && strlen(r.out) >= 38);
    memcpy(id_text, r.out, 38);
    id_text[38] = 0;
    MultiByteToWideChar(CP_ACP, 0, id_text, -1, id, ARRAYSIZE(id));
    free_result(&r);
    r = run_admin(L"/do_wait", id, NULL);
    expect_exit(&r, EXIT_OK);
    expect_text(r.out, "TRANSFERRED");
    free_result(&r);
    r = run_admin(L"/do_status", id, L"/do_list", NULL);
    expect_exit(&r, EXIT_OK);
    expect_text(r.out, "TRANSFERRED  100%");
    expect_text(r.out, id_text);
    free_result(&r);
    assert_false(ts_file_exists(local));
    r = run_admin(L"/do_finalize", id, NULL);
    expect_exit(&r, EXIT_OK);
    free_result(&r);
    assert_true(ts_file_has_pattern(local, 654321));
    r = run_admin(L"/do_status", id, NULL);
    expect_exit(&r, EXIT_NO_JOB);
    free_result(&r);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_transfer_download),
        cmocka_unit_test(test_transfer_not_found),
        cmocka_unit_test(test_transfer_upload),
        cmocka_unit_test(test_transfer_upload_reply),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_chain),
        cmocka_unit_test(test_proxy_and_credentials),
        cmocka_unit_test(test_leftover_job_is_cancelled),
        cmocka_unit_test(test_unknown_job),
        cmocka_unit_test(test_getters_of_a_new_job),
        cmocka_unit_test(test_util_help),
        cmocka_unit_test(test_do_download),
    };
    const struct CMUnitTest host_tests[] = {
        cmocka_unit_test(test_jobs_across_invocations),
        cmocka_unit_test(test_do_across_invocations),
    };
    if (argc > 1 && !strcmp(argv[1], "host"))
    {
        through_host = TRUE;
        return cmocka_run_group_tests(host_tests, NULL, ts_group_teardown);
    }
    return cmocka_run_group_tests(tests, NULL, ts_group_teardown);
}
