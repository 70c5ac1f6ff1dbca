/* The local/SMB transport: size and time from probe, exact bytes from any
 * offset in blocks, a sink that stops the transfer, and missing sources. */
#include "test_support.h"
#include "transport.h"
#include <stdio.h>

/* A fetch with nothing probed before it checks no size or time. */
static const ob_remote_info unprobed = { BG_SIZE_UNKNOWN };

#define SIZE (3 * OB_TRANSPORT_BLOCK + 12345)

typedef struct collected {
    BYTE *data;
    UINT64 size;
    ULONG blocks;
    ULONG stop_after;          /* 0: never stop */
} collected;

static BYTE pattern(UINT64 i)
{
    return (BYTE)(i * 7 + i / 251);
}

static BOOL collect(void *context, const BYTE *data, DWORD size)
{
    collected *c = context;
    assert_true(size <= OB_TRANSPORT_BLOCK);
    memcpy(c->data + c->size, data, size);
    c->size += size;
    c->blocks++;
    return !c->stop_after || c->blocks < c->stop_after;
}

static const WCHAR *source;
static ob_transport *transport;

static int setup(void **state)
{
    BYTE *bytes = malloc(SIZE);
    UINT64 i;
    for (i = 0; i < SIZE; i++) bytes[i] = pattern(i);
    source = ts_path(L"source.bin");
    ts_write_file(source, bytes, SIZE);
    free(bytes);
    return FAILED(ob_local_transport_open(&transport));
}

static int teardown(void **state)
{
    transport->ops->close(transport);
    ts_cleanup();
    return 0;
}

static void test_probe_size_and_time(void **state)
{
    ob_remote_info info;
    ob_failure where = { 0 };
    WIN32_FILE_ATTRIBUTE_DATA attrs;

    assert_hr_equal(transport->ops->probe(transport, source, &info, &where), S_OK);
    assert_true(info.size == SIZE);
    assert_true(GetFileAttributesExW(source, GetFileExInfoStandard, &attrs));
    assert_int_equal(info.modified.dwLowDateTime, attrs.ftLastWriteTime.dwLowDateTime);
    assert_int_equal(info.modified.dwHighDateTime, attrs.ftLastWriteTime.dwHighDateTime);
}

static void check_fetch_from(const WCHAR *remote, UINT64 offset)
{
    collected c = { calloc(1, SIZE), 0, 0, 0 };
    ob_failure where = { 0 };
    UINT64 i;

    assert_hr_equal(transport->ops->fetch(transport, remote, &unprobed, offset, collect, &c, &where), S_OK);
    assert_true(c.size == SIZE - offset);
    for (i = 0; i < c.size; i++)
        if (c.data[i] != pattern(offset + i)) fail_msg("byte %llu differs", (unsigned long long)(offset + i));
    free(c.data);
}

static void test_fetch_whole_file_in_blocks(void **state)
{
    check_fetch_from(source, 0);
}

static void test_fetch_resumes_from_offset(void **state)
{
    check_fetch_from(source, OB_TRANSPORT_BLOCK + 17);
    check_fetch_from(source, SIZE - 1);
    check_fetch_from(source, SIZE);
}

static void test_fetch_through_file_url(void **state)
{
    WCHAR url[MAX_PATH + 8];
    swprintf(url, ARRAYSIZE(url), L"file://%ls", source);
    check_fetch_from(url, 5);
}

static void test_sink_stops_transfer(void **state)
{
    collected c = { calloc(1, SIZE), 0, 0, 2 };
    ob_failure where = { 0 };
    assert_hr_equal(transport->ops->fetch(transport, source, &unprobed, 0, collect, &c, &where), E_ABORT);
    assert_int_equal(c.blocks, 2);
    assert_true(c.size == 2 * (UINT64)OB_TRANSPORT_BLOCK);
    free(c.data);
}

static void test_missing_source_is_a_remote_file_error(void **state)
{
    ob_remote_info info;
    collected c = { NULL, 0, 0, 0 };
    ob_failure where = { 0 };
    const WCHAR *missing = ts_path(L"missing.bin");

    assert_hr_equal(transport->ops->probe(transport, missing, &info, &where),
                    HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND));
    assert_int_equal(where.context, BG_ERROR_CONTEXT_REMOTE_FILE);
    memset(&where, 0, sizeof(where));
    assert_hr_equal(transport->ops->fetch(transport, missing, &unprobed, 0, collect, &c, &where),
                    HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND));
    assert_int_equal(where.context, BG_ERROR_CONTEXT_REMOTE_FILE);
    assert_int_equal(c.blocks, 0);
}

static void test_directory_is_not_a_source(void **state)
{
    ob_remote_info info;
    ob_failure where = { 0 };
    assert_true(FAILED(transport->ops->probe(transport, ts_scratch_dir(), &info, &where)));
    assert_int_equal(where.context, BG_ERROR_CONTEXT_REMOTE_FILE);
}

/* After the first block, the source is rewritten in place at the same size
 * with other bytes and a later time, as an editor saving it would. */
static BOOL collect_then_rewrite(void *context, const BYTE *data, DWORD size)
{
    collected *c = context;
    HANDLE file;
    FILETIME later;
    BYTE other[4096];
    DWORD written;

    collect(context, data, size);
    if (c->blocks != 1) return TRUE;
    file = CreateFileW(ts_path(L"rewritten.bin"), GENERIC_WRITE, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    assert_true(file != INVALID_HANDLE_VALUE);
    memset(other, 0xAB, sizeof(other));
    assert_true(WriteFile(file, other, sizeof(other), &written, NULL));
    GetSystemTimeAsFileTime(&later);
    later.dwHighDateTime += 1; /* about seven minutes later than now */
    assert_true(SetFileTime(file, NULL, NULL, &later));
    CloseHandle(file);
    return TRUE;
}

/* issue 15.2: a local source rewritten at the same size during the copy is
 * detected (size and time re-checked at every block): "changed", so that
 * the file restarts instead of mixing old and new bytes. */
static void test_source_rewritten_during_copy_is_detected(void **state)
{
    const WCHAR *path = ts_path(L"rewritten.bin");
    collected c = { calloc(1, SIZE), 0, 0, 0 };
    ob_failure where = { 0 };
    ob_remote_info info;
    BYTE *bytes = malloc(SIZE);
    UINT64 i;

    for (i = 0; i < SIZE; i++) bytes[i] = pattern(i);
    ts_write_file(path, bytes, SIZE);
    free(bytes);
    assert_hr_equal(transport->ops->probe(transport, path, &info, &where), S_OK);
    assert_hr_equal(transport->ops->fetch(transport, path, &info, 0, collect_then_rewrite, &c, &where),
                    BG_E_INVALID_SERVER_RESPONSE);
    assert_true(where.changed && where.transient);
    assert_int_equal(where.context, BG_ERROR_CONTEXT_REMOTE_FILE);
    assert_int_equal(c.blocks, 1);   /* nothing after the change was handed over */
    free(c.data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_probe_size_and_time),
        cmocka_unit_test(test_fetch_whole_file_in_blocks),
        cmocka_unit_test(test_fetch_resumes_from_offset),
        cmocka_unit_test(test_fetch_through_file_url),
        cmocka_unit_test(test_sink_stops_transfer),
        cmocka_unit_test(test_missing_source_is_a_remote_file_error),
        cmocka_unit_test(test_directory_is_not_a_source),
        cmocka_unit_test(test_source_rewritten_during_copy_is_detected),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
