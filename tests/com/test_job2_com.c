/* IBackgroundCopyJob2 through COM: the notification command line, the reply
 * of upload-reply jobs and credentials (bits-semantics.md 1.2, 1.5, 1.9 and
 * Microsoft's IBackgroundCopyJob2 pages). */
#include "com_test_util.h"

#define UPLOAD_URL L"http://127.0.0.1:9/upload"

static IBackgroundCopyJob2 *new_job2(BG_JOB_TYPE type)
{
    IBackgroundCopyManager *manager = ct_manager();
    IBackgroundCopyJob *job = ct_create_job(manager, L"job2 test", type, NULL);
    IBackgroundCopyJob2 *job2 = ct_job2(job);
    IBackgroundCopyJob_Release(job);
    IBackgroundCopyManager_Release(manager);
    return job2;
}

static void cancel2(IBackgroundCopyJob2 *job)
{
    assert_hr_equal(IBackgroundCopyJob2_Cancel(job), S_OK);
    IBackgroundCopyJob2_Release(job);
}

static void check_cmdline(IBackgroundCopyJob2 *job, const WCHAR *program, const WCHAR *parameters)
{
    WCHAR *got_program = (WCHAR *)0xdeadbeef, *got_parameters = (WCHAR *)0xdeadbeef;
    assert_hr_equal(IBackgroundCopyJob2_GetNotifyCmdLine(job, &got_program, &got_parameters), S_OK);
    ct_check_string(got_program, program);
    ct_check_string(got_parameters, parameters);
}

/* ---- notification command line ---- */

static void test_notify_cmdline(void **state)
{
    IBackgroundCopyJob2 *job = new_job2(BG_JOB_TYPE_DOWNLOAD);
    WCHAR *program, *parameters;

    /* "sets pProgram and pParameters to an empty string (L"") if SetNotifyCmdLine has not been called" */
    check_cmdline(job, L"", L"");
    assert_hr_equal(IBackgroundCopyJob2_SetNotifyCmdLine(job, L"C:\\windows\\system32\\notepad.exe",
                                                         L"notepad.exe C:\\x.txt"), S_OK);
    check_cmdline(job, L"C:\\windows\\system32\\notepad.exe", L"notepad.exe C:\\x.txt");
    /* "To remove command line notification, set pProgram and pParameters to NULL" */
    assert_hr_equal(IBackgroundCopyJob2_SetNotifyCmdLine(job, NULL, NULL), S_OK);
    check_cmdline(job, L"", L"");
    /* pParameters "can be NULL" */
    assert_hr_equal(IBackgroundCopyJob2_SetNotifyCmdLine(job, L"C:\\windows\\system32\\cmd.exe", NULL), S_OK);
    assert_hr_equal(IBackgroundCopyJob2_GetNotifyCmdLine(job, &program, &parameters), S_OK);
    ct_check_string(program, L"C:\\windows\\system32\\cmd.exe");
    CoTaskMemFree(parameters);

    assert_hr_equal(IBackgroundCopyJob2_GetNotifyCmdLine(job, NULL, &parameters), E_INVALIDARG);
    assert_hr_equal(IBackgroundCopyJob2_GetNotifyCmdLine(job, &program, NULL), E_INVALIDARG);
    cancel2(job);
}

static void test_notify_cmdline_errors(void **state)
{
    IBackgroundCopyJob2 *job = new_job2(BG_JOB_TYPE_DOWNLOAD);
    WCHAR *longest_program = ct_repeat('p', MAX_PATH), *long_program = ct_repeat('p', MAX_PATH + 1);
    WCHAR *longest_parameters = ct_repeat('a', 4000), *long_parameters = ct_repeat('a', 4001);

    assert_hr_equal(IBackgroundCopyJob2_SetNotifyCmdLine(job, L"C:\\prog.exe", L"prog.exe 1"), S_OK);
    /* "The method fails if pProgram is NULL and pParameters is non-NULL" */
    assert_hr_equal(IBackgroundCopyJob2_SetNotifyCmdLine(job, NULL, L"params"), E_INVALIDARG);
    /* program limited to MAX_PATH characters, parameters to 4,000 */
    assert_hr_equal(IBackgroundCopyJob2_SetNotifyCmdLine(job, long_program, NULL), BG_E_STRING_TOO_LONG);
    assert_hr_equal(IBackgroundCopyJob2_SetNotifyCmdLine(job, L"C:\\prog.exe", long_parameters),
                    BG_E_STRING_TOO_LONG);
    check_cmdline(job, L"C:\\prog.exe", L"prog.exe 1");
    assert_hr_equal(IBackgroundCopyJob2_SetNotifyCmdLine(job, longest_program, longest_parameters), S_OK);
    check_cmdline(job, longest_program, longest_parameters);
    free(longest_program);
    free(long_program);
    free(longest_parameters);
    free(long_parameters);
    cancel2(job);
}

/* ---- reply ---- */

static void test_reply_progress(void **state)
{
    IBackgroundCopyJob2 *download = new_job2(BG_JOB_TYPE_DOWNLOAD), *upload = new_job2(BG_JOB_TYPE_UPLOAD);
    IBackgroundCopyJob2 *reply = new_job2(BG_JOB_TYPE_UPLOAD_REPLY);
    BG_JOB_REPLY_PROGRESS progress;

    /* E_NOTIMPL for download and upload jobs */
    assert_hr_equal(IBackgroundCopyJob2_GetReplyProgress(download, &progress), E_NOTIMPL);
    assert_hr_equal(IBackgroundCopyJob2_GetReplyProgress(upload, &progress), E_NOTIMPL);
    /* E_INVALIDARG for NULL (checked first, docs/choices.md) */
    assert_hr_equal(IBackgroundCopyJob2_GetReplyProgress(reply, NULL), E_INVALIDARG);
    assert_hr_equal(IBackgroundCopyJob2_GetReplyProgress(download, NULL), E_INVALIDARG);
    /* BytesTotal is BG_SIZE_UNKNOWN while the reply has not begun */
    memset(&progress, 0xcc, sizeof(progress));
    assert_hr_equal(IBackgroundCopyJob2_GetReplyProgress(reply, &progress), S_OK);
    assert_true(progress.BytesTotal == BG_SIZE_UNKNOWN);
    assert_true(progress.BytesTransferred == 0);

    ts_write_file(ts_path(L"reply-progress.bin"), "data", 4);
    assert_hr_equal(IBackgroundCopyJob2_AddFile(reply, UPLOAD_URL, ts_path(L"reply-progress.bin")), S_OK);
    assert_hr_equal(IBackgroundCopyJob2_Resume(reply), S_OK);
    memset(&progress, 0xcc, sizeof(progress));
    assert_hr_equal(IBackgroundCopyJob2_GetReplyProgress(reply, &progress), S_OK);
    assert_true(progress.BytesTotal == BG_SIZE_UNKNOWN);
    assert_true(progress.BytesTransferred == 0);

    cancel2(download);
    cancel2(upload);
    cancel2(reply);
}

static void test_reply_data(void **state)
{
    IBackgroundCopyJob2 *download = new_job2(BG_JOB_TYPE_DOWNLOAD), *upload = new_job2(BG_JOB_TYPE_UPLOAD);
    IBackgroundCopyJob2 *reply = new_job2(BG_JOB_TYPE_UPLOAD_REPLY);
    byte *buffer = (byte *)0xdeadbeef;
    UINT64 length = 12345;

    /* E_NOTIMPL for download and upload jobs */
    assert_hr_equal(IBackgroundCopyJob2_GetReplyData(download, &buffer, &length), E_NOTIMPL);
    assert_hr_equal(IBackgroundCopyJob2_GetReplyData(upload, &buffer, &length), E_NOTIMPL);
    /* upload-reply: only in TRANSFERRED, else BG_E_INVALID_STATE */
    assert_hr_equal(IBackgroundCopyJob2_GetReplyData(reply, &buffer, &length), BG_E_INVALID_STATE);
    assert_null(buffer);
    ts_write_file(ts_path(L"reply-data.bin"), "data", 4);
    assert_hr_equal(IBackgroundCopyJob2_AddFile(reply, UPLOAD_URL, ts_path(L"reply-data.bin")), S_OK);
    assert_hr_equal(IBackgroundCopyJob2_GetReplyData(reply, &buffer, &length), BG_E_INVALID_STATE);
    assert_hr_equal(IBackgroundCopyJob2_Resume(reply), S_OK);
    assert_hr_equal(IBackgroundCopyJob2_GetReplyData(reply, &buffer, &length), BG_E_INVALID_STATE);
    assert_hr_equal(IBackgroundCopyJob2_GetReplyData(reply, NULL, &length), E_INVALIDARG);

    cancel2(download);
    cancel2(upload);
    cancel2(reply);
}

static void test_reply_file_name_wrong_types(void **state)
{
    IBackgroundCopyJob2 *download = new_job2(BG_JOB_TYPE_DOWNLOAD), *upload = new_job2(BG_JOB_TYPE_UPLOAD);
    WCHAR *name = (WCHAR *)0xdeadbeef;

    /* GetReplyFileName: E_NOTIMPL for download and upload jobs (documented);
     * SetReplyFileName likewise (docs/choices.md) */
    assert_hr_equal(IBackgroundCopyJob2_GetReplyFileName(download, &name), E_NOTIMPL);
    assert_hr_equal(IBackgroundCopyJob2_GetReplyFileName(upload, &name), E_NOTIMPL);
    assert_hr_equal(IBackgroundCopyJob2_SetReplyFileName(download, ts_path(L"reply.txt")), E_NOTIMPL);
    assert_hr_equal(IBackgroundCopyJob2_SetReplyFileName(upload, ts_path(L"reply.txt")), E_NOTIMPL);
    cancel2(download);
    cancel2(upload);
}

static void test_reply_file_name(void **state)
{
    IBackgroundCopyJob2 *reply = new_job2(BG_JOB_TYPE_UPLOAD_REPLY);
    WCHAR *name = (WCHAR *)0xdeadbeef, *too_long = ct_repeat('r', MAX_PATH + 5), dir[MAX_PATH + 1];
    const WCHAR *upload_file = ts_path(L"reply-source.bin");
    size_t dir_len;

    /* "If nothing was set and no file has been added yet, *path = NULL" */
    assert_hr_equal(IBackgroundCopyJob2_GetReplyFileName(reply, &name), S_OK);
    assert_null(name);

    /* a name is generated in the directory of the local upload file */
    ts_write_file(upload_file, "upload", 6);
    assert_hr_equal(IBackgroundCopyJob2_AddFile(reply, UPLOAD_URL, upload_file), S_OK);
    assert_hr_equal(IBackgroundCopyJob2_GetReplyFileName(reply, &name), S_OK);
    assert_non_null(name);
    swprintf(dir, ARRAYSIZE(dir), L"%ls\\", ts_scratch_dir());
    dir_len = wcslen(dir);
    if (_wcsnicmp(name, dir, dir_len) || !name[dir_len] || wcschr(name + dir_len, '\\'))
        fail_msg("generated reply name \"%ls\" is not a file in \"%ls\"", name, dir);
    CoTaskMemFree(name);

    /* an explicit full name round trips */
    assert_hr_equal(IBackgroundCopyJob2_SetReplyFileName(reply, ts_path(L"chosen.reply")), S_OK);
    assert_hr_equal(IBackgroundCopyJob2_GetReplyFileName(reply, &name), S_OK);
    ct_check_string(name, ts_path(L"chosen.reply"));

    /* E_INVALIDARG for an invalid or too long name; the name stays */
    memcpy(too_long, L"C:\\", 3 * sizeof(WCHAR));
    assert_hr_equal(IBackgroundCopyJob2_SetReplyFileName(reply, L"relative.reply"), E_INVALIDARG);
    assert_hr_equal(IBackgroundCopyJob2_SetReplyFileName(reply, L"..\\up.reply"), E_INVALIDARG);
    assert_hr_equal(IBackgroundCopyJob2_SetReplyFileName(reply, too_long), E_INVALIDARG);
    assert_hr_equal(IBackgroundCopyJob2_SetReplyFileName(reply, L"\\\\?\\C:\\windows\\temp\\x.reply"), E_INVALIDARG);
    assert_hr_equal(IBackgroundCopyJob2_GetReplyFileName(reply, &name), S_OK);
    ct_check_string(name, ts_path(L"chosen.reply"));

    /* NULL or "": BITS generates the name (in the upload file's directory again) */
    assert_hr_equal(IBackgroundCopyJob2_SetReplyFileName(reply, NULL), S_OK);
    assert_hr_equal(IBackgroundCopyJob2_GetReplyFileName(reply, &name), S_OK);
    assert_non_null(name);
    assert_true(!_wcsnicmp(name, dir, dir_len));
    assert_true(wcscmp(name, ts_path(L"chosen.reply")) != 0);
    CoTaskMemFree(name);
    assert_hr_equal(IBackgroundCopyJob2_SetReplyFileName(reply, L""), S_OK);
    assert_hr_equal(IBackgroundCopyJob2_GetReplyFileName(reply, &name), S_OK);
    assert_non_null(name);
    assert_true(!_wcsnicmp(name, dir, dir_len));
    CoTaskMemFree(name);

    assert_hr_equal(IBackgroundCopyJob2_GetReplyFileName(reply, NULL), E_INVALIDARG);
    free(too_long);
    cancel2(reply);
}

static void test_reply_file_name_before_files(void **state)
{
    IBackgroundCopyJob2 *reply = new_job2(BG_JOB_TYPE_UPLOAD_REPLY);
    WCHAR *name;

    /* a name set before any file is added is kept when the file comes */
    assert_hr_equal(IBackgroundCopyJob2_SetReplyFileName(reply, ts_path(L"early.reply")), S_OK);
    ts_write_file(ts_path(L"early-source.bin"), "x", 1);
    assert_hr_equal(IBackgroundCopyJob2_AddFile(reply, UPLOAD_URL, ts_path(L"early-source.bin")), S_OK);
    assert_hr_equal(IBackgroundCopyJob2_GetReplyFileName(reply, &name), S_OK);
    ct_check_string(name, ts_path(L"early.reply"));
    cancel2(reply);
}

/* ---- credentials ---- */

static BG_AUTH_CREDENTIALS credentials(BG_AUTH_TARGET target, BG_AUTH_SCHEME scheme, const WCHAR *user,
                                       const WCHAR *password)
{
    BG_AUTH_CREDENTIALS cred;
    memset(&cred, 0, sizeof(cred));
    cred.Target = target;
    cred.Scheme = scheme;
    cred.Credentials.Basic.UserName = (WCHAR *)user;
    cred.Credentials.Basic.Password = (WCHAR *)password;
    return cred;
}

static void test_set_credentials(void **state)
{
    static const BG_AUTH_SCHEME schemes[] = { BG_AUTH_SCHEME_BASIC, BG_AUTH_SCHEME_DIGEST, BG_AUTH_SCHEME_NTLM,
                                              BG_AUTH_SCHEME_NEGOTIATE, BG_AUTH_SCHEME_PASSPORT };
    IBackgroundCopyJob2 *job = new_job2(BG_JOB_TYPE_DOWNLOAD);
    BG_AUTH_CREDENTIALS cred;
    int t, s;

    for (t = BG_AUTH_TARGET_SERVER; t <= BG_AUTH_TARGET_PROXY; t++)
        for (s = 0; s < 5; s++)
        {
            cred = credentials(t, schemes[s], L"DOMAIN\\user", L"secret");
            assert_hr_equal(IBackgroundCopyJob2_SetCredentials(job, &cred), S_OK);
            /* replacing the same target and scheme pair */
            cred = credentials(t, schemes[s], L"DOMAIN\\other", L"");
            assert_hr_equal(IBackgroundCopyJob2_SetCredentials(job, &cred), S_OK);
        }
    /* implicit credentials: NTLM (or Negotiate) with NULL user name and password */
    cred = credentials(BG_AUTH_TARGET_PROXY, BG_AUTH_SCHEME_NTLM, NULL, NULL);
    assert_hr_equal(IBackgroundCopyJob2_SetCredentials(job, &cred), S_OK);
    cred = credentials(BG_AUTH_TARGET_SERVER, BG_AUTH_SCHEME_NEGOTIATE, NULL, NULL);
    assert_hr_equal(IBackgroundCopyJob2_SetCredentials(job, &cred), S_OK);
    cancel2(job);
}

static void test_set_credentials_errors(void **state)
{
    IBackgroundCopyJob2 *job = new_job2(BG_JOB_TYPE_DOWNLOAD);
    WCHAR *user_300 = ct_repeat('u', 300), *user_301 = ct_repeat('u', 301);
    WCHAR *password_max = ct_repeat('w', 65536), *password_long = ct_repeat('w', 65537);
    BG_AUTH_CREDENTIALS cred;

    assert_hr_equal(IBackgroundCopyJob2_SetCredentials(job, NULL), E_INVALIDARG);
    /* "Unrecognized target enumeration value" */
    cred = credentials((BG_AUTH_TARGET)0, BG_AUTH_SCHEME_BASIC, L"u", L"p");
    assert_hr_equal(IBackgroundCopyJob2_SetCredentials(job, &cred), BG_E_INVALID_AUTH_TARGET);
    cred = credentials((BG_AUTH_TARGET)3, BG_AUTH_SCHEME_BASIC, L"u", L"p");
    assert_hr_equal(IBackgroundCopyJob2_SetCredentials(job, &cred), BG_E_INVALID_AUTH_TARGET);
    /* "Unrecognized scheme enumeration value" */
    cred = credentials(BG_AUTH_TARGET_SERVER, (BG_AUTH_SCHEME)0, L"u", L"p");
    assert_hr_equal(IBackgroundCopyJob2_SetCredentials(job, &cred), BG_E_INVALID_AUTH_SCHEME);
    cred = credentials(BG_AUTH_TARGET_SERVER, (BG_AUTH_SCHEME)6, L"u", L"p");
    assert_hr_equal(IBackgroundCopyJob2_SetCredentials(job, &cred), BG_E_INVALID_AUTH_SCHEME);
    /* Basic and Digest need both UserName and Password */
    cred = credentials(BG_AUTH_TARGET_SERVER, BG_AUTH_SCHEME_BASIC, NULL, L"p");
    assert_hr_equal(IBackgroundCopyJob2_SetCredentials(job, &cred), E_INVALIDARG);
    cred = credentials(BG_AUTH_TARGET_SERVER, BG_AUTH_SCHEME_BASIC, L"u", NULL);
    assert_hr_equal(IBackgroundCopyJob2_SetCredentials(job, &cred), E_INVALIDARG);
    cred = credentials(BG_AUTH_TARGET_PROXY, BG_AUTH_SCHEME_DIGEST, NULL, NULL);
    assert_hr_equal(IBackgroundCopyJob2_SetCredentials(job, &cred), E_INVALIDARG);
    /* user name at most 300 characters, password at most 65,536 (BG_BASIC_CREDENTIALS) */
    cred = credentials(BG_AUTH_TARGET_SERVER, BG_AUTH_SCHEME_BASIC, user_301, L"p");
    assert_hr_equal(IBackgroundCopyJob2_SetCredentials(job, &cred), BG_E_USERNAME_TOO_LARGE);
    cred = credentials(BG_AUTH_TARGET_SERVER, BG_AUTH_SCHEME_BASIC, L"u", password_long);
    assert_hr_equal(IBackgroundCopyJob2_SetCredentials(job, &cred), BG_E_PASSWORD_TOO_LARGE);
    /* nothing was stored by the failed calls */
    assert_hr_equal(IBackgroundCopyJob2_RemoveCredentials(job, BG_AUTH_TARGET_SERVER, BG_AUTH_SCHEME_BASIC), S_FALSE);
    /* the limits themselves are fine */
    cred = credentials(BG_AUTH_TARGET_SERVER, BG_AUTH_SCHEME_BASIC, user_300, password_max);
    assert_hr_equal(IBackgroundCopyJob2_SetCredentials(job, &cred), S_OK);
    free(user_300);
    free(user_301);
    free(password_max);
    free(password_long);
    cancel2(job);
}

static void test_remove_credentials(void **state)
{
    IBackgroundCopyJob2 *job = new_job2(BG_JOB_TYPE_DOWNLOAD);
    BG_AUTH_CREDENTIALS cred = credentials(BG_AUTH_TARGET_PROXY, BG_AUTH_SCHEME_BASIC, L"u", L"p");

    /* "S_FALSE: No credentials have been set using the given Target and Scheme pair" */
    assert_hr_equal(IBackgroundCopyJob2_RemoveCredentials(job, BG_AUTH_TARGET_PROXY, BG_AUTH_SCHEME_BASIC), S_FALSE);
    assert_hr_equal(IBackgroundCopyJob2_SetCredentials(job, &cred), S_OK);
    /* another pair is still unset */
    assert_hr_equal(IBackgroundCopyJob2_RemoveCredentials(job, BG_AUTH_TARGET_SERVER, BG_AUTH_SCHEME_BASIC), S_FALSE);
    assert_hr_equal(IBackgroundCopyJob2_RemoveCredentials(job, BG_AUTH_TARGET_PROXY, BG_AUTH_SCHEME_DIGEST), S_FALSE);
    assert_hr_equal(IBackgroundCopyJob2_RemoveCredentials(job, BG_AUTH_TARGET_PROXY, BG_AUTH_SCHEME_BASIC), S_OK);
    assert_hr_equal(IBackgroundCopyJob2_RemoveCredentials(job, BG_AUTH_TARGET_PROXY, BG_AUTH_SCHEME_BASIC), S_FALSE);
    /* unrecognized enumeration values */
    assert_hr_equal(IBackgroundCopyJob2_RemoveCredentials(job, (BG_AUTH_TARGET)0, BG_AUTH_SCHEME_BASIC),
                    BG_E_INVALID_AUTH_TARGET);
    assert_hr_equal(IBackgroundCopyJob2_RemoveCredentials(job, (BG_AUTH_TARGET)3, BG_AUTH_SCHEME_BASIC),
                    BG_E_INVALID_AUTH_TARGET);
    assert_hr_equal(IBackgroundCopyJob2_RemoveCredentials(job, BG_AUTH_TARGET_SERVER, (BG_AUTH_SCHEME)0),
                    BG_E_INVALID_AUTH_SCHEME);
    assert_hr_equal(IBackgroundCopyJob2_RemoveCredentials(job, BG_AUTH_TARGET_SERVER, (BG_AUTH_SCHEME)6),
                    BG_E_INVALID_AUTH_SCHEME);
    cancel2(job);
}

static void test_take_ownership_strips(void **state)
{
    IBackgroundCopyJob2 *job = new_job2(BG_JOB_TYPE_DOWNLOAD);
    BG_AUTH_CREDENTIALS cred = credentials(BG_AUTH_TARGET_SERVER, BG_AUTH_SCHEME_BASIC, L"u", L"p");

    assert_hr_equal(IBackgroundCopyJob2_SetNotifyCmdLine(job, L"C:\\prog.exe", L"prog.exe"), S_OK);
    assert_hr_equal(IBackgroundCopyJob2_SetCredentials(job, &cred), S_OK);
    if (ct_is_admin())
    {
        /* "TakeOwnership removes credentials, certificates, custom headers and
         *  command line notification (if set)". */
        assert_hr_equal(IBackgroundCopyJob2_TakeOwnership(job), S_OK);
        check_cmdline(job, L"", L"");
        assert_hr_equal(IBackgroundCopyJob2_RemoveCredentials(job, BG_AUTH_TARGET_SERVER, BG_AUTH_SCHEME_BASIC),
                        S_FALSE);
    }
    else
    {
        /* refused: nothing is stripped */
        assert_hr_equal(IBackgroundCopyJob2_TakeOwnership(job), E_ACCESSDENIED);
        check_cmdline(job, L"C:\\prog.exe", L"prog.exe");
        assert_hr_equal(IBackgroundCopyJob2_RemoveCredentials(job, BG_AUTH_TARGET_SERVER, BG_AUTH_SCHEME_BASIC),
                        S_OK);
    }
    cancel2(job);
}

/* ---- final states ---- */

static void test_job2_final_state(void **state)
{
    IBackgroundCopyJob2 *reply = new_job2(BG_JOB_TYPE_UPLOAD_REPLY);
    BG_AUTH_CREDENTIALS cred = credentials(BG_AUTH_TARGET_SERVER, BG_AUTH_SCHEME_BASIC, L"u", L"p");
    BG_JOB_REPLY_PROGRESS progress;
    byte *buffer;
    UINT64 length;
    WCHAR *name;

    assert_hr_equal(IBackgroundCopyJob2_SetReplyFileName(reply, ts_path(L"final.reply")), S_OK);
    assert_hr_equal(IBackgroundCopyJob2_Cancel(reply), S_OK);
    /* every change: BG_E_INVALID_STATE */
    assert_hr_equal(IBackgroundCopyJob2_SetNotifyCmdLine(reply, L"C:\\prog.exe", NULL), BG_E_INVALID_STATE);
    assert_hr_equal(IBackgroundCopyJob2_SetNotifyCmdLine(reply, NULL, NULL), BG_E_INVALID_STATE);
    assert_hr_equal(IBackgroundCopyJob2_SetReplyFileName(reply, ts_path(L"other.reply")), BG_E_INVALID_STATE);
    assert_hr_equal(IBackgroundCopyJob2_SetCredentials(reply, &cred), BG_E_INVALID_STATE);
    assert_hr_equal(IBackgroundCopyJob2_RemoveCredentials(reply, BG_AUTH_TARGET_SERVER, BG_AUTH_SCHEME_BASIC),
                    BG_E_INVALID_STATE);
    /* a cancelled job is not TRANSFERRED */
    assert_hr_equal(IBackgroundCopyJob2_GetReplyData(reply, &buffer, &length), BG_E_INVALID_STATE);
    /* reading still works */
    assert_hr_equal(IBackgroundCopyJob2_GetReplyFileName(reply, &name), S_OK);
    ct_check_string(name, ts_path(L"final.reply"));
    assert_hr_equal(IBackgroundCopyJob2_GetReplyProgress(reply, &progress), S_OK);
    assert_true(progress.BytesTotal == BG_SIZE_UNKNOWN);
    check_cmdline(reply, L"", L"");
    IBackgroundCopyJob2_Release(reply);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_notify_cmdline, ct_test_teardown),
        cmocka_unit_test_teardown(test_notify_cmdline_errors, ct_test_teardown),
        cmocka_unit_test_teardown(test_reply_progress, ct_test_teardown),
        cmocka_unit_test_teardown(test_reply_data, ct_test_teardown),
        cmocka_unit_test_teardown(test_reply_file_name_wrong_types, ct_test_teardown),
        cmocka_unit_test_teardown(test_reply_file_name, ct_test_teardown),
        cmocka_unit_test_teardown(test_reply_file_name_before_files, ct_test_teardown),
        cmocka_unit_test_teardown(test_set_credentials, ct_test_teardown),
        cmocka_unit_test_teardown(test_set_credentials_errors, ct_test_teardown),
        cmocka_unit_test_teardown(test_remove_credentials, ct_test_teardown),
        cmocka_unit_test_teardown(test_take_ownership_strips, ct_test_teardown),
        cmocka_unit_test_teardown(test_job2_final_state, ct_test_teardown),
    };
    return cmocka_run_group_tests(tests, ct_group_setup, ct_group_teardown);
}
