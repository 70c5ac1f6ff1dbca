/* The BITS Upload Protocol's packets and Acks ([MC-BUP], bits-semantics §2),
 * without a network. */
#include "test_support.h"
#include "bup.h"

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
    WCHAR *url;
    assert_hr_equal(ob_bup_redirect(L"http://farm.example:8080/up/a.bin?x=1", L"node7:81", &url), S_OK);
    assert_int_equal(wcscmp(url, L"http://node7:81/up/a.bin?x=1"), 0);
    HeapFree(GetProcessHeap(), 0, url);
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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
