/* Binary compatibility: this file is compiled only against MinGW's own
 * <bits.h>, <bits1_5.h>, <bits2_0.h> and <bits2_5.h> (Microsoft's layouts), never openbits' headers, and
 * drives openbits.dll through them.  Wrong IIDs or a wrong method order show
 * up as wrong answers here. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <windows.h>
#include <objbase.h>
#include <bits.h>
#include <bits1_5.h>
#include <bits2_0.h>
#include <bits2_5.h>
#include <bitsmsg.h>
#include <cmocka.h>

/* openbits' CLSID, spelled out here on purpose. */
static const CLSID clsid_openbits =
    { 0xdcb1cc42, 0x450c, 0x48ef, { 0xa5, 0x25, 0x3c, 0x4b, 0x05, 0xd1, 0xfe, 0xee } };

#define assert_hr(actual, expected) assert_int_equal((unsigned long)(actual), (unsigned long)(expected))

static IBackgroundCopyManager *manager;
static WCHAR dir[MAX_PATH];

static int setup(void **state)
{
    WCHAR temp[MAX_PATH];
    if (FAILED(CoInitializeEx(NULL, COINIT_MULTITHREADED))) return 1;
    GetTempPathW(MAX_PATH, temp);
    wsprintfW(dir, L"%sopenbits-abi-%lu", temp, GetCurrentProcessId());
    CreateDirectoryW(dir, NULL);
    return FAILED(CoCreateInstance(&clsid_openbits, NULL, CLSCTX_INPROC_SERVER, &IID_IBackgroundCopyManager,
                                   (void **)&manager));
}

static int teardown(void **state)
{
    IBackgroundCopyManager_Release(manager);
    RemoveDirectoryW(dir);
    CoUninitialize();
    return 0;
}

static void test_job_through_microsoft_layout(void **state)
{
    IBackgroundCopyJob *job, *found;
    IBackgroundCopyJob2 *job2;
    IEnumBackgroundCopyFiles *files;
    IBackgroundCopyFile *file;
    BG_JOB_PROGRESS progress;
    BG_JOB_REPLY_PROGRESS reply;
    BG_FILE_PROGRESS file_progress;
    BG_JOB_STATE job_state;
    BG_JOB_TYPE type;
    WCHAR local[MAX_PATH], *name;
    ULONG count, seconds;
    GUID id, got;

    assert_hr(IBackgroundCopyManager_CreateJob(manager, L"abi", BG_JOB_TYPE_DOWNLOAD, &id, &job), S_OK);
    assert_hr(IBackgroundCopyJob_GetId(job, &got), S_OK);
    assert_true(IsEqualGUID(&id, &got));
    assert_hr(IBackgroundCopyJob_GetType(job, &type), S_OK);
    assert_int_equal(type, BG_JOB_TYPE_DOWNLOAD);
    assert_hr(IBackgroundCopyJob_GetState(job, &job_state), S_OK);
    assert_int_equal(job_state, BG_JOB_STATE_SUSPENDED);
    assert_hr(IBackgroundCopyJob_GetProgress(job, &progress), S_OK);
    assert_true(progress.BytesTotal == 0 && progress.FilesTotal == 0);

    wsprintfW(local, L"%s\\abi.bin", dir);
    assert_hr(IBackgroundCopyJob_AddFile(job, L"http://127.0.0.1/abi.bin", local), S_OK);
    assert_hr(IBackgroundCopyJob_GetProgress(job, &progress), S_OK);
    assert_true(progress.BytesTotal == BG_SIZE_UNKNOWN);
    assert_int_equal(progress.FilesTotal, 1);

    assert_hr(IBackgroundCopyJob_GetMinimumRetryDelay(job, &seconds), S_OK);
    assert_int_equal(seconds, 600);
    assert_hr(IBackgroundCopyJob_GetNoProgressTimeout(job, &seconds), S_OK);
    assert_int_equal(seconds, 1209600);
    assert_hr(IBackgroundCopyJob_SetPriority(job, (BG_JOB_PRIORITY)42), E_NOTIMPL);
    assert_hr(IBackgroundCopyJob_GetDisplayName(job, &name), S_OK);
    assert_true(!wcscmp(name, L"abi"));
    CoTaskMemFree(name);

    assert_hr(IBackgroundCopyJob_EnumFiles(job, &files), S_OK);
    assert_hr(IEnumBackgroundCopyFiles_GetCount(files, &count), S_OK);
    assert_int_equal(count, 1);
    assert_hr(IEnumBackgroundCopyFiles_Next(files, 1, &file, NULL), S_OK);
    assert_hr(IBackgroundCopyFile_GetLocalName(file, &name), S_OK);
    assert_true(!wcscmp(name, local));
    CoTaskMemFree(name);
    assert_hr(IBackgroundCopyFile_GetProgress(file, &file_progress), S_OK);
    assert_true(file_progress.BytesTotal == BG_SIZE_UNKNOWN && !file_progress.Completed);
    IBackgroundCopyFile_Release(file);
    IEnumBackgroundCopyFiles_Release(files);

    assert_hr(IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJob2, (void **)&job2), S_OK);
    assert_hr(IBackgroundCopyJob2_GetReplyProgress(job2, &reply), E_NOTIMPL);
    assert_hr(IBackgroundCopyJob2_RemoveCredentials(job2, BG_AUTH_TARGET_SERVER, BG_AUTH_SCHEME_BASIC), S_FALSE);
    IBackgroundCopyJob2_Release(job2);

    assert_hr(IBackgroundCopyJob_Cancel(job), S_OK);
    assert_hr(IBackgroundCopyJob_Cancel(job), BG_E_INVALID_STATE);
    assert_hr(IBackgroundCopyManager_GetJob(manager, &id, &found), BG_E_NOT_FOUND);
    assert_null(found);
    IBackgroundCopyJob_Release(job);
}

static void test_upload_reply_through_microsoft_layout(void **state)
{
    IBackgroundCopyJob *job;
    IBackgroundCopyJob2 *job2;
    BG_JOB_REPLY_PROGRESS reply;
    GUID id;

    assert_hr(IBackgroundCopyManager_CreateJob(manager, L"abi-reply", BG_JOB_TYPE_UPLOAD_REPLY, &id, &job), S_OK);
    assert_hr(IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJob2, (void **)&job2), S_OK);
    assert_hr(IBackgroundCopyJob2_GetReplyProgress(job2, &reply), S_OK);
    assert_true(reply.BytesTotal == BG_SIZE_UNKNOWN);
    assert_true(reply.BytesTransferred == 0);
    IBackgroundCopyJob2_Release(job2);
    assert_hr(IBackgroundCopyJob_Cancel(job), S_OK);
    IBackgroundCopyJob_Release(job);
}

static void test_error_description_through_microsoft_layout(void **state)
{
    WCHAR *text;
    assert_hr(IBackgroundCopyManager_GetErrorDescription(manager, BG_E_NOT_FOUND, 0x409, &text), S_OK);
    assert_true(wcslen(text) > 0);
    CoTaskMemFree(text);
}

/* IBackgroundCopyJobHttpOptions as bits2_5.h lays it out; the flag values
 * are Microsoft's documented numbers (MinGW's header has no BG_SSL_*). */
static void test_http_options_through_microsoft_layout(void **state)
{
    IBackgroundCopyJob *job;
    IBackgroundCopyJobHttpOptions *options;
    BG_CERT_STORE_LOCATION location;
    WCHAR *headers, *store, *subject;
    BYTE *hash, zero[20] = { 0 };
    ULONG flags;
    GUID id;

    assert_hr(IBackgroundCopyManager_CreateJob(manager, L"abi-http", BG_JOB_TYPE_DOWNLOAD, &id, &job), S_OK);
    assert_hr(IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJobHttpOptions, (void **)&options), S_OK);
    assert_hr(IBackgroundCopyJobHttpOptions_SetCustomHeaders(options, L"X-Abi: 1\r\n"), S_OK);
    assert_hr(IBackgroundCopyJobHttpOptions_GetCustomHeaders(options, &headers), S_OK);
    assert_true(!wcscmp(headers, L"X-Abi: 1\r\n"));
    CoTaskMemFree(headers);
    /* BG_SSL_IGNORE_UNKNOWN_CA | BG_HTTP_REDIRECT_POLICY_ALLOW_REPORT | ..._ALLOW_HTTPS_TO_HTTP */
    assert_hr(IBackgroundCopyJobHttpOptions_SetSecurityFlags(options, 0x0008 | 0x0100 | 0x0800), S_OK);
    assert_hr(IBackgroundCopyJobHttpOptions_GetSecurityFlags(options, &flags), S_OK);
    assert_int_equal(flags, 0x0908);
    assert_hr(IBackgroundCopyJobHttpOptions_SetSecurityFlags(options, 0x0300), E_NOTIMPL);
    assert_hr(IBackgroundCopyJobHttpOptions_SetClientCertificateByID(options, BG_CERT_STORE_LOCATION_CURRENT_USER, L"MY",
                                                                     zero), CRYPT_E_NOT_FOUND);
    assert_hr(IBackgroundCopyJobHttpOptions_GetClientCertificate(options, &location, &store, &hash, &subject),
              RPC_X_BAD_STUB_DATA);
    assert_hr(IBackgroundCopyJobHttpOptions_RemoveClientCertificate(options), S_FALSE);
    IBackgroundCopyJobHttpOptions_Release(options);
    assert_hr(IBackgroundCopyJob_Cancel(job), S_OK);
    IBackgroundCopyJob_Release(job);
}

/* IBackgroundCopyJob3 and IBackgroundCopyFile2 as bits2_0.h lays them out. */
static void test_job3_and_file2_through_microsoft_layout(void **state)
{
    BG_FILE_RANGE given[2] = { { 900, BG_LENGTH_TO_EOF }, { 100, 100 } }, *ranges = NULL;
    IEnumBackgroundCopyFiles *files;
    IBackgroundCopyFile2 *file2;
    IBackgroundCopyFile *file;
    IBackgroundCopyJob3 *job3;
    IBackgroundCopyJob *job;
    WCHAR local[MAX_PATH], *name;
    DWORD count = 0, flags = 1;
    GUID id;

    assert_hr(IBackgroundCopyManager_CreateJob(manager, L"abi-job3", BG_JOB_TYPE_DOWNLOAD, &id, &job), S_OK);
    assert_hr(IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJob3, (void **)&job3), S_OK);
    wsprintfW(local, L"%s\\abi3.bin", dir);
    assert_hr(IBackgroundCopyJob3_AddFileWithRanges(job3, L"http://127.0.0.1/abi3.bin", local, 2, given), S_OK);
    assert_hr(IBackgroundCopyJob3_ReplaceRemotePrefix(job3, L"http://127.0.0.1/", L"http://localhost/"), S_OK);
    assert_hr(IBackgroundCopyJob3_SetFileACLFlags(job3, BG_COPY_FILE_GROUP), S_OK);
    assert_hr(IBackgroundCopyJob3_GetFileACLFlags(job3, &flags), S_OK);
    assert_int_equal(flags, BG_COPY_FILE_GROUP);
    assert_hr(IBackgroundCopyJob3_EnumFiles(job3, &files), S_OK);
    assert_hr(IEnumBackgroundCopyFiles_Next(files, 1, &file, NULL), S_OK);
    assert_hr(IBackgroundCopyFile_QueryInterface(file, &IID_IBackgroundCopyFile2, (void **)&file2), S_OK);
    assert_hr(IBackgroundCopyFile2_GetFileRanges(file2, &count, &ranges), S_OK);
    assert_int_equal(count, 2);
    assert_memory_equal(ranges, given, sizeof(given));
    CoTaskMemFree(ranges);
    assert_hr(IBackgroundCopyFile2_GetRemoteName(file2, &name), S_OK);
    assert_true(!wcscmp(name, L"http://localhost/abi3.bin"));
    CoTaskMemFree(name);
    assert_hr(IBackgroundCopyFile2_SetRemoteName(file2, L"http://127.0.0.1/abi3b.bin"), S_OK);
    assert_hr(IBackgroundCopyFile_GetRemoteName(file, &name), S_OK);
    assert_true(!wcscmp(name, L"http://127.0.0.1/abi3b.bin"));
    CoTaskMemFree(name);
    IBackgroundCopyFile2_Release(file2);
    IBackgroundCopyFile_Release(file);
    IEnumBackgroundCopyFiles_Release(files);
    IBackgroundCopyJob3_Release(job3);
    assert_hr(IBackgroundCopyJob_Cancel(job), S_OK);
    IBackgroundCopyJob_Release(job);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_job_through_microsoft_layout),
        cmocka_unit_test(test_upload_reply_through_microsoft_layout),
        cmocka_unit_test(test_error_description_through_microsoft_layout),
        cmocka_unit_test(test_http_options_through_microsoft_layout),
        cmocka_unit_test(test_job3_and_file2_through_microsoft_layout),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
