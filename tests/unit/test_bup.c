/* The BITS Upload Protocol's packets and Acks ([MC-BUP], bits-semantics §2),
 * without a network. */
#include "test_support.h"
#include "bup.h"
#include <wchar.h>
#include <stdio.h>

static void test_create_session_headers(void **state)
{
    WCHAR buffer[512];
    assert_hr_equal(ob_bup_headers(OB_BUP_CREATE_SESSION, NULL, NULL, buffer, 512), S_OK);
    assert_non_null(wcsstr(buffer, L"BITS-Packet-Type: Create-Session\r\n"));
    assert_non_null(wcsstr(buffer, L"BITS-Supported-Protocols: {7df0354d-249b-430f-820d-3d2a9bef4931}\r\n"));
    assert_null(wcsstr(buffer, L"BITS-Session-Id"));
}

static void test_fragment_headers(void **state)
{
    ob_bup_fragment first = { 0, 1048576, 5000000000ull, L"a.bin" }, later = { 1048576, 10, 5000000000ull, NULL };
    WCHAR buffer[512];

    assert_hr_equal(ob_bup_headers(OB_BUP_FRAGMENT, L"{s}", &first, buffer, 512), S_OK);
    assert_non_null(wcsstr(buffer, L"BITS-Packet-Type: Fragment\r\n"));
    assert_non_null(wcsstr(buffer, L"BITS-Session-Id: {s}\r\n"));
    assert_non_null(wcsstr(buffer, L"Content-Name: a.bin\r\n"));
    assert_non_null(wcsstr(buffer, L"Content-Range: bytes 0-1048575/5000000000\r\n"));
    assert_hr_equal(ob_bup_headers(OB_BUP_FRAGMENT, L"{s}", &later, buffer, 512), S_OK);
    assert_null(wcsstr(buffer, L"Content-Name"));      /* the first fragment only */
    assert_non_null(wcsstr(buffer, L"Content-Range: bytes 1048576-1048585/5000000000\r\n"));
    /* too small a buffer is refused, never truncated */
    assert_hr_equal(ob_bup_headers(OB_BUP_FRAGMENT, L"{s}", &first, buffer, 40), E_INVALIDARG);
}

static void test_empty_file_fragment(void **state)
{
    ob_bup_fragment empty = { 0, 0, 0, L"e.bin" };
    WCHAR buffer[512];
    assert_hr_equal(ob_bup_headers(OB_BUP_FRAGMENT, L"{s}", &empty, buffer, 512), S_OK);
    assert_non_null(wcsstr(buffer, L"Content-Range: bytes */0\r\n"));
    assert_non_null(wcsstr(buffer, L"Content-Length: 0\r\n"));
}

static void test_parse_ack(void **state)
{
    ob_bup_ack ack;
    ob_bup_parse_ack(200, L"HTTP/1.1 200 OK\r\nBITS-Packet-Type: Ack\r\nbits-session-id:  {abc} \r\n"
                          L"BITS-Received-Content-Range: 2097152\r\n"
                          L"BITS-Reply-URL: http://h/replies/1\r\nContent-Length: 0\r\n\r\n",
                     &ack);
    assert_true(ack.is_ack);
    assert_int_equal(ack.status, 200);
    assert_int_equal(wcscmp(ack.session_id, L"{abc}"), 0);
    assert_true(ack.has_received && ack.received == 2097152);
    assert_int_equal(wcscmp(ack.reply_url, L"http://h/replies/1"), 0);
    assert_false(ack.has_error);
}

static void test_received_range_written_as_a_range(void **state)
{
    ob_bup_ack ack;
    ob_bup_parse_ack(200, L"BITS-Packet-Type: Ack\r\nBITS-Received-Content-Range: 0-4095\r\n", &ack);
    assert_true(ack.has_received && ack.received == 4096);
}

static void test_errors_in_both_spellings(void **state)
{
    BG_ERROR_CONTEXT context;
    ob_bup_ack ack;

    ob_bup_parse_ack(500, L"BITS-Packet-Type: Ack\r\nBITS-Error-Code: 0x8020001F\r\nBITS-Error-Context: 0x5\r\n", &ack);
    assert_hr_equal(ob_bup_ack_result(&ack, &context), BG_E_SESSION_NOT_FOUND);
    assert_int_equal(context, BG_ERROR_CONTEXT_REMOTE_FILE);
    ob_bup_parse_ack(403, L"BITS-Packet-Type: Ack\r\nBITS-Error: 0x80070005\r\nBITS-Error-Context: 0x7\r\n", &ack);
    assert_hr_equal(ob_bup_ack_result(&ack, &context), E_ACCESSDENIED);
    assert_int_equal(context, BG_ERROR_CONTEXT_REMOTE_APPLICATION);
    /* no error header: the HTTP status as BG_E_HTTP_ERROR_nnn */
    ob_bup_parse_ack(409, L"BITS-Packet-Type: Ack\r\n", &ack);
    assert_hr_equal(ob_bup_ack_result(&ack, &context), 0x80190199);
    ob_bup_parse_ack(201, L"BITS-Packet-Type: Ack\r\n", &ack);
    assert_hr_equal(ob_bup_ack_result(&ack, &context), S_OK);
}

static void test_host_id_redirect(void **state)
{
    static const WCHAR *const good[] = { L"node7", L"node7:81", L"10.0.0.7:65535", L"[::1]:8080", L"[fe80::1]",
                                         L"a-b.c_d~e" };
    static const WCHAR *const bad[] = {
        L"", L"127.0.0.1:1/evil?x=", L"node7/", L"node7?x", L"node7#f", L"user@node7", L"node7:", L"node7:0",
        L"node7:65536", L"node7:8o", L"node 7", L"node7:81 ", L"[::1", L"[]", L"[::1]x", L"%41", L"node7\\x",
        L"::1",
    };
    WCHAR *url;
    size_t i;

    assert_hr_equal(ob_bup_redirect(L"http://farm.example:8080/up/a.bin?x=1", L"node7:81", &url), S_OK);
    assert_int_equal(wcscmp(url, L"http://node7:81/up/a.bin?x=1"), 0);
    HeapFree(GetProcessHeap(), 0, url);
    for (i = 0; i < ARRAYSIZE(good); i++)
    {
        assert_hr_equal(ob_bup_redirect(L"http://farm/up/a.bin", good[i], &url), S_OK);
        HeapFree(GetProcessHeap(), 0, url);
    }
    /* an authority only: nothing pasted into the URL */
    for (i = 0; i < ARRAYSIZE(bad); i++)
    {
        url = (WCHAR *)1;
        if (ob_bup_redirect(L"http://farm/up/a.bin", bad[i], &url) != BG_E_INVALID_SERVER_RESPONSE)
            fail_msg("BITS-Host-Id \"%ls\" accepted", bad[i]);
        assert_null(url);
    }
}

static ob_bup_ack ack_with_range(DWORD status, const WCHAR *value)
{
    WCHAR raw[256];
    ob_bup_ack ack;
    swprintf(raw, ARRAYSIZE(raw), L"BITS-Packet-Type: Ack\r\nBITS-Received-Content-Range: %ls\r\n", value);
    ob_bup_parse_ack(status, raw, &ack);
    return ack;
}

static void test_received_range_is_parsed_strictly(void **state)
{
    static const WCHAR *const bad[] = { L"abc", L"-5", L"+5", L"5-", L"1-5", L"0-", L"5 6", L"0x10", L"1e3", L"",
                                        L"18446744073709551616", L"0-18446744073709551615", L"12abc" };
    ob_bup_ack ack;
    size_t i;

    ack = ack_with_range(200, L"18446744073709551615");
    assert_true(ack.has_received && !ack.bad_received && ack.received == ~(UINT64)0);
    ack = ack_with_range(200, L"0-18446744073709551614");
    assert_true(ack.has_received && ack.received == ~(UINT64)0);
    ack = ack_with_range(200, L"0");
    assert_true(ack.has_received && ack.received == 0);
    for (i = 0; i < ARRAYSIZE(bad); i++)
    {
        ack = ack_with_range(200, bad[i]);
        if (ack.has_received || !ack.bad_received) fail_msg("BITS-Received-Content-Range \"%ls\" accepted", bad[i]);
    }
    ob_bup_parse_ack(200, L"BITS-Packet-Type: Ack\r\n", &ack);   /* absent: neither */
    assert_false(ack.has_received || ack.bad_received);
}

static void test_fragment_ack_offsets(void **state)
{
    const ob_bup_fragment sent = { 1048576, 1048576, 3000000, NULL };
    BG_ERROR_CONTEXT context;
    UINT64 next = 12345;
    ob_bup_ack ack;

    /* where the server wants the next fragment, from the floor to the end */
    ack = ack_with_range(200, L"2097152");
    assert_hr_equal(ob_bup_fragment_result(&ack, &sent, 1048576, &next, &context), S_OK);
    assert_true(next == 2097152);
    ack = ack_with_range(200, L"3000000");
    assert_hr_equal(ob_bup_fragment_result(&ack, &sent, 1048576, &next, &context), S_OK);
    assert_true(next == 3000000);
    ack = ack_with_range(200, L"1048576"); /* nothing taken: the caller counts these */
    assert_hr_equal(ob_bup_fragment_result(&ack, &sent, 1048576, &next, &context), S_OK);
    ack = ack_with_range(416, L"1500000"); /* out of step: continue there */
    assert_hr_equal(ob_bup_fragment_result(&ack, &sent, 1048576, &next, &context), S_OK);
    assert_true(next == 1500000);

    /* nonsense: BG_E_INVALID_SERVER_RESPONSE, context REMOTE_FILE */
    ack = ack_with_range(200, L"0");          /* it forgot what it acknowledged */
    assert_hr_equal(ob_bup_fragment_result(&ack, &sent, 1048576, &next, &context), BG_E_INVALID_SERVER_RESPONSE);
    assert_int_equal(context, BG_ERROR_CONTEXT_REMOTE_FILE);
    ack = ack_with_range(416, L"0");
    assert_hr_equal(ob_bup_fragment_result(&ack, &sent, 1048576, &next, &context), BG_E_INVALID_SERVER_RESPONSE);
    ack = ack_with_range(200, L"99999999");   /* beyond the file */
    assert_hr_equal(ob_bup_fragment_result(&ack, &sent, 1048576, &next, &context), BG_E_INVALID_SERVER_RESPONSE);
    ack = ack_with_range(416, L"18446744073709551615");
    assert_hr_equal(ob_bup_fragment_result(&ack, &sent, 1048576, &next, &context), BG_E_INVALID_SERVER_RESPONSE);
    assert_int_equal(context, BG_ERROR_CONTEXT_REMOTE_FILE);
    ack = ack_with_range(416, L"3000000");    /* "out of step" with the whole file */
    assert_hr_equal(ob_bup_fragment_result(&ack, &sent, 1048576, &next, &context), BG_E_INVALID_SERVER_RESPONSE);
    ack = ack_with_range(200, L"abc");
    assert_hr_equal(ob_bup_fragment_result(&ack, &sent, 1048576, &next, &context), BG_E_INVALID_SERVER_RESPONSE);
    ack = ack_with_range(416, L"-5");
    assert_hr_equal(ob_bup_fragment_result(&ack, &sent, 1048576, &next, &context), BG_E_INVALID_SERVER_RESPONSE);
    ob_bup_parse_ack(200, L"BITS-Packet-Type: Ack\r\n", &ack); /* documented as always present */
    assert_hr_equal(ob_bup_fragment_result(&ack, &sent, 1048576, &next, &context), BG_E_INVALID_SERVER_RESPONSE);
    assert_true(next == 1500000); /* untouched by a failure */

    /* the server's own errors stay its own */
    ob_bup_parse_ack(416, L"BITS-Packet-Type: Ack\r\n", &ack);
    assert_hr_equal(ob_bup_fragment_result(&ack, &sent, 1048576, &next, &context), 0x801901A0);
    ob_bup_parse_ack(500, L"BITS-Packet-Type: Ack\r\nBITS-Error-Code: 0x8020001F\r\n", &ack);
    assert_hr_equal(ob_bup_fragment_result(&ack, &sent, 1048576, &next, &context), BG_E_SESSION_NOT_FOUND);
}

static void test_empty_file_ack(void **state)
{
    const ob_bup_fragment empty = { 0, 0, 0, L"e.bin" };
    BG_ERROR_CONTEXT context;
    UINT64 next = 1;
    ob_bup_ack ack = ack_with_range(200, L"0");

    assert_hr_equal(ob_bup_fragment_result(&ack, &empty, 0, &next, &context), S_OK);
    assert_true(next == 0);
    ack = ack_with_range(200, L"1");
    assert_hr_equal(ob_bup_fragment_result(&ack, &empty, 0, &next, &context), BG_E_INVALID_SERVER_RESPONSE);
}

static void test_create_session_ack(void **state)
{
    BG_ERROR_CONTEXT context;
    ob_bup_ack ack;
    WCHAR raw[512], long_id[120];

    ob_bup_parse_ack(201, L"BITS-Packet-Type: Ack\r\nBITS-Protocol: {7DF0354D-249B-430F-820D-3D2A9BEF4931}\r\n"
                          L"BITS-Session-Id: {abc}\r\n", &ack);
    assert_hr_equal(ob_bup_session_result(&ack, &context), S_OK);
    ob_bup_parse_ack(201, L"BITS-Packet-Type: Ack\r\nBITS-Protocol: {00000000-0000-0000-0000-000000000000}\r\n"
                          L"BITS-Session-Id: {abc}\r\n", &ack);
    assert_hr_equal(ob_bup_session_result(&ack, &context), BG_E_CLIENT_SERVER_PROTOCOL_MISMATCH);
    assert_int_equal(context, BG_ERROR_CONTEXT_REMOTE_FILE);
    ob_bup_parse_ack(201, L"BITS-Packet-Type: Ack\r\nBITS-Session-Id: {abc}\r\n", &ack);
    assert_hr_equal(ob_bup_session_result(&ack, &context), BG_E_CLIENT_SERVER_PROTOCOL_MISMATCH);
    ob_bup_parse_ack(201, L"BITS-Packet-Type: Ack\r\nBITS-Protocol: " OB_BUP_PROTOCOL L"\r\n", &ack);
    assert_hr_equal(ob_bup_session_result(&ack, &context), BG_E_INVALID_SERVER_RESPONSE);
    ob_bup_parse_ack(201, L"BITS-Packet-Type: Ack\r\nBITS-Protocol: " OB_BUP_PROTOCOL L"\r\nBITS-Session-Id: a\x01b\r\n",
                     &ack);
    assert_hr_equal(ob_bup_session_result(&ack, &context), BG_E_INVALID_SERVER_RESPONSE);
    wmemset(long_id, 'x', 101);
    long_id[101] = 0;                     /* [MC-BUP]: up to 100 characters */
    swprintf(raw, ARRAYSIZE(raw), L"BITS-Protocol: %ls\r\nBITS-Session-Id: %ls\r\n", OB_BUP_PROTOCOL, long_id);
    ob_bup_parse_ack(201, raw, &ack);
    assert_hr_equal(ob_bup_session_result(&ack, &context), BG_E_INVALID_SERVER_RESPONSE);
    long_id[100] = 0;
    swprintf(raw, ARRAYSIZE(raw), L"BITS-Protocol: %ls\r\nBITS-Session-Id: %ls\r\n", OB_BUP_PROTOCOL, long_id);
    ob_bup_parse_ack(201, raw, &ack);
    assert_hr_equal(ob_bup_session_result(&ack, &context), S_OK);
    /* the server's error comes first */
    ob_bup_parse_ack(403, L"BITS-Packet-Type: Ack\r\nBITS-Error-Code: 0x80070005\r\n", &ack);
    assert_hr_equal(ob_bup_session_result(&ack, &context), E_ACCESSDENIED);
}

static void test_error_code_parsed_strictly(void **state)
{
    BG_ERROR_CONTEXT context;
    ob_bup_ack ack;

    ob_bup_parse_ack(500, L"BITS-Error-Code: 8020001F\r\n", &ack); /* "0x" optional */
    assert_true(ack.has_error && ack.error_code == BG_E_SESSION_NOT_FOUND);
    ob_bup_parse_ack(500, L"BITS-Error-Code: -0x5\r\n", &ack);
    assert_false(ack.has_error);
    ob_bup_parse_ack(500, L"BITS-Error-Code: 0x180070005\r\n", &ack); /* over 32 bits */
    assert_false(ack.has_error);
    assert_hr_equal(ob_bup_ack_result(&ack, &context), 0x801901F4);
}

static void test_no_invalid_content_range(void **state)
{
    const ob_bup_fragment at_end = { 3000000, 0, 3000000, NULL }, past = { 2999999, 2, 3000000, NULL },
                          beyond = { 4000000, 10, 3000000, NULL }, huge = { ~(UINT64)0 - 1, 5, ~(UINT64)0, NULL },
                          empty_but = { 0, 1, 0, NULL }, last = { 2999999, 1, 3000000, NULL };
    WCHAR buffer[512];

    assert_hr_equal(ob_bup_headers(OB_BUP_FRAGMENT, L"{s}", &at_end, buffer, 512), E_INVALIDARG);
    assert_hr_equal(ob_bup_headers(OB_BUP_FRAGMENT, L"{s}", &past, buffer, 512), E_INVALIDARG);
    assert_hr_equal(ob_bup_headers(OB_BUP_FRAGMENT, L"{s}", &beyond, buffer, 512), E_INVALIDARG);
    assert_hr_equal(ob_bup_headers(OB_BUP_FRAGMENT, L"{s}", &huge, buffer, 512), E_INVALIDARG);
    assert_hr_equal(ob_bup_headers(OB_BUP_FRAGMENT, L"{s}", &empty_but, buffer, 512), E_INVALIDARG);
    assert_hr_equal(ob_bup_headers(OB_BUP_FRAGMENT, L"{s}", &last, buffer, 512), S_OK);
    assert_non_null(wcsstr(buffer, L"Content-Range: bytes 2999999-2999999/3000000\r\n"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_session_headers),
        cmocka_unit_test(test_fragment_headers),
        cmocka_unit_test(test_empty_file_fragment),
        cmocka_unit_test(test_parse_ack),
        cmocka_unit_test(test_received_range_written_as_a_range),
        cmocka_unit_test(test_errors_in_both_spellings),
        cmocka_unit_test(test_host_id_redirect),
        cmocka_unit_test(test_received_range_is_parsed_strictly),
        cmocka_unit_test(test_fragment_ack_offsets),
        cmocka_unit_test(test_empty_file_ack),
        cmocka_unit_test(test_create_session_ack),
        cmocka_unit_test(test_error_code_parsed_strictly),
        cmocka_unit_test(test_no_invalid_content_range),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
