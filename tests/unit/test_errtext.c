/* Error texts: the BITS message table (embedded in this test through
 * messages_res.rc), the system's table for other codes, and the documented
 * answer for a language without text (bits-semantics §1.7). */
#include "test_support.h"
#include <objbase.h>
#include "errtext.h"

#define ENGLISH MAKELANGID(LANG_ENGLISH, SUBLANG_ENGLISH_US)
#define GERMAN MAKELANGID(LANG_GERMAN, SUBLANG_GERMAN)

static HMODULE self(void)
{
    return GetModuleHandleW(NULL);
}

/* The text for code, which must contain want and end without a line break. */
static void text_contains(HRESULT code, DWORD langid, const WCHAR *want)
{
    WCHAR *text = (WCHAR *)1;
    size_t len;

    assert_hr_equal(ob_error_text(self(), code, langid, &text), S_OK);
    assert_non_null(text);
    len = wcslen(text);
    assert_true(len > 0);
    if (!wcsstr(text, want)) print_error("0x%08lx: \"%ls\" lacks \"%ls\"\n", (unsigned long)code, text, want);
    assert_non_null(wcsstr(text, want));
    assert_true(text[len - 1] != '\n' && text[len - 1] != '\r' && text[len - 1] != ' ');
    CoTaskMemFree(text);
}

static void test_bits_code_in_english(void **state)
{
    text_contains(BG_E_NOT_FOUND, ENGLISH, L"The requested job could not be found.");
}

/* "The LanguageId parameter cannot be 0" (IBackgroundCopyError's pages): the
 * one lookup behind the manager and the error object says so for both. */
static void test_language_zero_is_invalid(void **state)
{
    WCHAR *text = (WCHAR *)1;
    assert_hr_equal(ob_error_text(self(), BG_E_NOT_FOUND, 0, &text), E_INVALIDARG);
    assert_hr_equal(ob_error_text(self(), BG_E_HTTP_ERROR_404, 0, &text), E_INVALIDARG);
    assert_hr_equal(ob_error_text(self(), E_ACCESSDENIED, 0, &text), E_INVALIDARG);
}

static void test_http_error_text(void **state)
{
    text_contains(BG_E_HTTP_ERROR_404, ENGLISH, L"404");
    /* every status >= 400 maps to BG_E_HTTP_ERROR_nnn, and each has a text */
    text_contains((HRESULT)0x801901AD, ENGLISH, L"HTTP status 429");
    text_contains((HRESULT)0x80190258, ENGLISH, L"HTTP status 600");
}

static void test_success_code_text(void **state)
{
    WCHAR *text = NULL;
    assert_hr_equal(ob_error_text(self(), BG_S_PARTIAL_COMPLETE, ENGLISH, &text), S_OK);
    assert_non_null(text);
    assert_true(wcslen(text) > 0);
    assert_true(text[wcslen(text) - 1] != '\n');
    CoTaskMemFree(text);
}

static void test_no_trailing_line_break(void **state)
{
    static const HRESULT codes[] = {
        BG_E_NOT_FOUND, BG_E_INVALID_STATE, BG_E_EMPTY, BG_E_TOO_MANY_FILES, BG_E_STRING_TOO_LONG,
        BG_E_TOO_MANY_JOBS_PER_USER, BG_E_TOO_MANY_JOBS_PER_MACHINE, BG_E_TOO_MANY_FILES_IN_JOB,
        BG_S_PARTIAL_COMPLETE, BG_S_UNABLE_TO_DELETE_FILES, BG_E_HTTP_ERROR_500,
        HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND), E_ACCESSDENIED,
    };
    int i;
    for (i = 0; i < (int)ARRAYSIZE(codes); i++)
    {
        WCHAR *text = NULL;
        size_t len;
        assert_hr_equal(ob_error_text(self(), codes[i], ENGLISH, &text), S_OK);
        len = wcslen(text);
        assert_true(len > 0);
        assert_true(text[len - 1] != '\n' && text[len - 1] != '\r');
        CoTaskMemFree(text);
    }
}

static void test_win32_code_from_system_table(void **state)
{
    WCHAR *text = NULL, *system = NULL;

    assert_hr_equal(ob_error_text(self(), HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND), ENGLISH, &text), S_OK);
    assert_non_null(text);
    /* the same text FormatMessage gives for the Win32 code */
    assert_true(FormatMessageW(FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_SYSTEM |
                               FORMAT_MESSAGE_IGNORE_INSERTS, NULL, ERROR_FILE_NOT_FOUND, ENGLISH,
                               (WCHAR *)&system, 0, NULL));
    assert_true(wcslen(text) > 0);
    assert_true(!wcsncmp(text, system, wcslen(text)));
    LocalFree(system);
    CoTaskMemFree(text);

    text_contains(E_ACCESSDENIED, ENGLISH, L"ccess");
}

static void test_unknown_language(void **state)
{
    WCHAR *text = (WCHAR *)1;

    assert_hr_equal(ob_error_text(self(), BG_E_NOT_FOUND, GERMAN, &text),
                    HRESULT_FROM_WIN32(ERROR_RESOURCE_LANG_NOT_FOUND));
    text = (WCHAR *)1;
    assert_hr_equal(ob_error_text(self(), BG_E_HTTP_ERROR_404, GERMAN, &text),
                    HRESULT_FROM_WIN32(ERROR_RESOURCE_LANG_NOT_FOUND));
    text = (WCHAR *)1;
    assert_hr_equal(ob_error_text(self(), BG_E_NOT_FOUND, MAKELANGID(LANG_FRENCH, SUBLANG_FRENCH), &text),
                    HRESULT_FROM_WIN32(ERROR_RESOURCE_LANG_NOT_FOUND));
}

static void test_context_messages(void **state)
{
    static const struct { BG_ERROR_CONTEXT context; HRESULT id; } table[] = {
        { BG_ERROR_CONTEXT_NONE,                       0x00200006 },
        { BG_ERROR_CONTEXT_UNKNOWN,                    0x80200007 },
        { BG_ERROR_CONTEXT_GENERAL_QUEUE_MANAGER,      0x80200008 },
        { BG_ERROR_CONTEXT_QUEUE_MANAGER_NOTIFICATION, 0x8020000C },
        { BG_ERROR_CONTEXT_LOCAL_FILE,                 0x80200009 },
        { BG_ERROR_CONTEXT_REMOTE_FILE,                0x8020000A },
        { BG_ERROR_CONTEXT_GENERAL_TRANSPORT,          0x8020000B },
        { BG_ERROR_CONTEXT_REMOTE_APPLICATION,         0x8020001E },
    };
    int i;

    for (i = 0; i < (int)ARRAYSIZE(table); i++)
    {
        WCHAR *text = NULL;
        HRESULT id = ob_error_context_message(table[i].context);
        assert_hr_equal(id, table[i].id);
        /* every context has a description */
        assert_hr_equal(ob_error_text(self(), id, ENGLISH, &text), S_OK);
        assert_true(wcslen(text) > 0);
        CoTaskMemFree(text);
    }
    assert_hr_equal(ob_error_context_message(BG_ERROR_CONTEXT_NONE), BG_S_ERROR_CONTEXT_NONE);
    assert_hr_equal(ob_error_context_message(BG_ERROR_CONTEXT_REMOTE_APPLICATION),
                    BG_E_ERROR_CONTEXT_REMOTE_APPLICATION);
    /* an undefined context is described as unknown */
    assert_hr_equal(ob_error_context_message((BG_ERROR_CONTEXT)99), BG_E_ERROR_CONTEXT_UNKNOWN);
}

/* Every code in the message table has an English text, and the documented
 * codes MinGW's bitsmsg.h lacks are among them (bits-semantics §1.7). */
static void test_every_code_has_english_text(void **state)
{
    static const HRESULT beyond_mingw[] = {
        BG_E_RECORD_DELETED, BG_E_UPNP_ERROR, BG_E_PEERCACHING_DISABLED, BG_E_BUSYCACHERECORD,
        BG_E_TOO_MANY_JOBS_PER_USER, BG_E_TOO_MANY_JOBS_PER_MACHINE, BG_E_TOO_MANY_FILES_IN_JOB,
        BG_E_TOO_MANY_RANGES_IN_FILE, BG_E_VALIDATION_FAILED, BG_E_MAXDOWNLOAD_TIMEOUT,
        BG_S_OVERRIDDEN_BY_POLICY,
    };
    HRSRC res = FindResourceExW(NULL, RT_MESSAGETABLE, MAKEINTRESOURCEW(1), MAKELANGID(LANG_ENGLISH, SUBLANG_ENGLISH_US));
    const MESSAGE_RESOURCE_DATA *table;
    ULONG block, found = 0, id;
    size_t i;
    WCHAR *text;

    assert_non_null(res);
    table = LockResource(LoadResource(NULL, res));
    assert_non_null(table);
    for (block = 0; block < table->NumberOfBlocks; block++)
        for (id = table->Blocks[block].LowId; id <= table->Blocks[block].HighId; id++)
        {
            assert_hr_equal(ob_error_text(GetModuleHandleW(NULL), (HRESULT)id, 0x409, &text), S_OK);
            assert_true(wcslen(text) > 10);
            CoTaskMemFree(text);
            for (i = 0; i < ARRAYSIZE(beyond_mingw); i++)
                if ((ULONG)beyond_mingw[i] == id) found++;
        }
    assert_int_equal(found, ARRAYSIZE(beyond_mingw));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bits_code_in_english),
        cmocka_unit_test(test_language_zero_is_invalid),
        cmocka_unit_test(test_http_error_text),
        cmocka_unit_test(test_success_code_text),
        cmocka_unit_test(test_no_trailing_line_break),
        cmocka_unit_test(test_win32_code_from_system_table),
        cmocka_unit_test(test_unknown_language),
        cmocka_unit_test(test_context_messages),
        cmocka_unit_test(test_every_code_has_english_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
