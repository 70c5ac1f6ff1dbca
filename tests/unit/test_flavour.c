/* The flavours (src/engine/flavour.c): BITS is the identity, DO's rules are
 * those of Microsoft's DO pages. */
#include "test_support.h"
#include "flavour.h"

static void test_bits_is_the_identity(void **state)
{
    BG_ERROR_CONTEXT c;
    assert_true(ob_flavour_makes(&ob_flavour_bits, BG_JOB_TYPE_UPLOAD_REPLY));
    assert_int_equal(ob_flavour_state(&ob_flavour_bits, BG_JOB_STATE_CONNECTING), BG_JOB_STATE_CONNECTING);
    assert_int_equal(ob_flavour_no_progress_timeout(&ob_flavour_bits, BG_JOB_PRIORITY_FOREGROUND), 1209600);
    for (c = BG_ERROR_CONTEXT_NONE; c <= BG_ERROR_CONTEXT_REMOTE_APPLICATION; c++)
        assert_int_equal(ob_flavour_context(&ob_flavour_bits, c), c);
    assert_int_equal(ob_flavour_result(&ob_flavour_bits, BG_E_INVALID_STATE), BG_E_INVALID_STATE);
}

static void test_do_rules(void **state)
{
    assert_true(ob_flavour_makes(&ob_flavour_do, BG_JOB_TYPE_DOWNLOAD));
    assert_false(ob_flavour_makes(&ob_flavour_do, BG_JOB_TYPE_UPLOAD));
    assert_false(ob_flavour_makes(&ob_flavour_do, BG_JOB_TYPE_UPLOAD_REPLY));
    assert_int_equal(ob_flavour_state(&ob_flavour_do, BG_JOB_STATE_CONNECTING), BG_JOB_STATE_TRANSFERRING);
    assert_int_equal(ob_flavour_state(&ob_flavour_do, BG_JOB_STATE_QUEUED), BG_JOB_STATE_QUEUED);
    assert_int_equal(ob_flavour_no_progress_timeout(&ob_flavour_do, BG_JOB_PRIORITY_FOREGROUND), 3600);
    assert_int_equal(ob_flavour_no_progress_timeout(&ob_flavour_do, BG_JOB_PRIORITY_HIGH), 3600);
    assert_int_equal(ob_flavour_no_progress_timeout(&ob_flavour_do, BG_JOB_PRIORITY_NORMAL), 86400);
    assert_int_equal(ob_flavour_no_progress_timeout(&ob_flavour_do, BG_JOB_PRIORITY_LOW), 86400);
    assert_int_equal(ob_flavour_context(&ob_flavour_do, BG_ERROR_CONTEXT_LOCAL_FILE), BG_ERROR_CONTEXT_NONE);
    assert_int_equal(ob_flavour_context(&ob_flavour_do, BG_ERROR_CONTEXT_GENERAL_TRANSPORT),
                     BG_ERROR_CONTEXT_REMOTE_FILE);
    assert_int_equal(ob_flavour_context(&ob_flavour_do, BG_ERROR_CONTEXT_REMOTE_FILE), BG_ERROR_CONTEXT_REMOTE_FILE);
    assert_hr_equal(ob_flavour_result(&ob_flavour_do, BG_E_NOT_FOUND), DO_E_JOB_NOT_FOUND);
    assert_hr_equal(ob_flavour_result(&ob_flavour_do, BG_E_EMPTY), DO_E_JOB_EMPTY);
    assert_hr_equal(ob_flavour_result(&ob_flavour_do, BG_E_INVALID_RANGE), DO_E_INVALID_RANGE);
    assert_hr_equal(ob_flavour_result(&ob_flavour_do, BG_E_HTTP_ERROR_404), BG_E_HTTP_ERROR_404);
    assert_hr_equal(ob_flavour_result(&ob_flavour_do, S_OK), S_OK);
}

static void test_do_security_flags(void **state)
{
    ULONG bits;
    assert_hr_equal(ob_flavour_do_security_flags(0, &bits), S_OK);
    assert_int_equal(bits, 0);
    assert_hr_equal(ob_flavour_do_security_flags(0x100 | 0x2000, &bits), S_OK);
    assert_int_equal(bits, BG_SSL_IGNORE_UNKNOWN_CA | BG_SSL_IGNORE_CERT_DATE_INVALID);
    assert_hr_equal(ob_flavour_do_security_flags(0x1000 | 0x200, &bits), S_OK);
    assert_int_equal(bits, BG_SSL_IGNORE_CERT_CN_INVALID | BG_SSL_IGNORE_CERT_WRONG_USAGE);
    /* "If this flag is set, the above flags will be ignored" */
    assert_hr_equal(ob_flavour_do_security_flags(0x1 | 0x100, &bits), S_OK);
    assert_int_equal(bits, BG_SSL_ENABLE_CRL_CHECK);
    assert_hr_equal(ob_flavour_do_security_flags(0x4, &bits), E_INVALIDARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bits_is_the_identity),
        cmocka_unit_test(test_do_rules),
        cmocka_unit_test(test_do_security_flags),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
