/* The HTTP transport (over WinHTTP) against the loopback server: sizes
 * (beyond 4 GiB) and times from probe, exact bytes from any offset, the
 * documented errors (BG_E_HTTP_ERROR_nnn, BG_E_MISSING_FILE_SIZE,
 * BG_E_INSUFFICIENT_RANGE_SUPPORT), short bodies, cancel from another thread,
 * a named proxy, Basic and Digest auth; and against a server that misbehaves on
 * purpose: redirects to another host, loops and bad targets, HEAD without an
 * entity, silence, a stall mid-body, another version mid-transfer. */
#include "http_support.h"
#include "transport.h"
#include "config.h"
#include <stdio.h>
#include <winhttp.h>

/* A fetch with nothing probed before it checks no size or time. */
static const ob_remote_info unprobed = { BG_SIZE_UNKNOWN };

#define SIZE (3 * OB_TRANSPORT_BLOCK + 12345)
/* Sat, 01 Jan 2022 00:00:00 GMT, the server's fixed Last-Modified:
 * (1640995200 + 11644473600) seconds since 1601, in 100 ns units. */
#define FIXED_MODIFIED 132854688000000000ULL

typedef struct collected {
    BYTE *data;
    UINT64 capacity;
    UINT64 size;
    UINT64 offset;             /* of data[0] in the remote file */
    ULONG blocks;
    ULONG stop_after;          /* 0: never stop */
} collected;

static BOOL collect(void *context, const BYTE *data, DWORD size)
{
    collected *c = context;
    assert_true(size <= OB_TRANSPORT_BLOCK);
    assert_true(c->size + size <= c->capacity);
    memcpy(c->data + c->size, data, size);
    c->size += size;
    c->blocks++;
    return !c->stop_after || c->blocks < c->stop_after;
}

static collected *new_collected(UINT64 capacity, UINT64 offset)
{
    collected *c = calloc(1, sizeof(*c));
    c->data = malloc(capacity ? capacity : 1);
    c->capacity = capacity;
    c->offset = offset;
    return c;
}

static void free_collected(collected *c)
{
    free(c->data);
    free(c);
}

static void assert_pattern(const collected *c)
{
    UINT64 i;
    for (i = 0; i < c->size; i++)
        if (c->data[i] != ts_pattern_byte(c->offset + i))
            fail_msg("byte %llu differs", (unsigned long long)(c->offset + i));
}

static ob_transport *open_transport(const ob_transport_options *options)
{
    ob_transport *transport = NULL;
    assert_hr_equal(ob_http_transport_open(options, &transport), S_OK);
    assert_non_null(transport);
    return transport;
}

static ob_transport *transport;

static int setup(void **state)
{
    ts_http_url("/");          /* fails early and clearly without a server */
    transport = open_transport(NULL);
    return 0;
}

static int teardown(void **state)
{
    transport->ops->close(transport);
    return 0;
}

static HRESULT probe(ob_transport *t, const char *path, ob_remote_info *info, ob_failure *where)
{
    memset(where, 0, sizeof(*where));
    return t->ops->probe(t, ts_http_url(path), info, where);
}

static HRESULT fetch(ob_transport *t, const char *path, collected *c, ob_failure *where)
{
    memset(where, 0, sizeof(*where));
    return t->ops->fetch(t, ts_http_url(path), &unprobed, c->offset, collect, c, where);
}

static void check_fetch(ob_transport *t, const char *path, UINT64 size, UINT64 offset)
{
    collected *c = new_collected(size - offset, offset);
    ob_failure where;
    assert_hr_equal(fetch(t, path, c, &where), S_OK);
    assert_true(c->size == size - offset);
    assert_pattern(c);
    free_collected(c);
}

static void test_probe_size_and_time(void **state)
{
    ob_remote_info info;
    ob_failure where;
    assert_hr_equal(probe(transport, "/data/1000", &info, &where), S_OK);
    assert_true(info.size == 1000);
    assert_true((((UINT64)info.modified.dwHighDateTime << 32) | info.modified.dwLowDateTime) == FIXED_MODIFIED);
}

static void test_probe_size_beyond_4gib(void **state)
{
    ob_remote_info info;
    ob_failure where;
    assert_hr_equal(probe(transport, "/data/5000000000", &info, &where), S_OK);
    assert_true(info.size == 5000000000ULL);
}

static void test_fetch_from_zero_in_whole_blocks(void **state)
{
    char path[64];
    collected *c = new_collected(SIZE, 0);
    ob_failure where;

    sprintf(path, "/data/%d", SIZE);
    assert_hr_equal(fetch(transport, path, c, &where), S_OK);
    assert_true(c->size == SIZE);
    /* never more than a block at a time (collect checks each): three full
     * blocks and the rest, or more when a slow arrival is handed over after
     * 100 ms (a loaded machine) */
    assert_true(c->blocks >= 4);
    assert_pattern(c);
    free_collected(c);
}

static void test_fetch_from_offset(void **state)
{
    char path[64];
    sprintf(path, "/data/%d", SIZE);
    check_fetch(transport, path, SIZE, OB_TRANSPORT_BLOCK + 17);
    check_fetch(transport, path, SIZE, SIZE - 1);
    check_fetch(transport, "/data/100000", 100000, 251);
}

static void test_no_length_is_missing_file_size(void **state)
{
    ob_remote_info info;
    ob_failure where;
    assert_hr_equal(probe(transport, "/data/1000?nolength=1", &info, &where), BG_E_MISSING_FILE_SIZE);
    assert_int_equal(where.context, BG_ERROR_CONTEXT_REMOTE_FILE);
    /* A 206 still announces its length in Content-Range, with a total of "*". */
    check_fetch(transport, "/data/1000?nolength=1", 1000, 10);
}

static void test_ignored_range_is_insufficient_range_support(void **state)
{
    collected *c = new_collected(5000, 0);
    ob_failure where;
    assert_hr_equal(fetch(transport, "/data/5000?norange=1", c, &where), BG_E_INSUFFICIENT_RANGE_SUPPORT);
    assert_int_equal(where.context, BG_ERROR_CONTEXT_REMOTE_FILE);
    assert_int_equal(c->blocks, 0);
    free_collected(c);
}

static void check_http_status(const char *path, HRESULT expected)
{
    ob_remote_info info;
    collected *c = new_collected(100, 0);
    ob_failure where;

    assert_hr_equal(probe(transport, path, &info, &where), expected);
    assert_int_equal(where.context, BG_ERROR_CONTEXT_REMOTE_FILE);
    assert_hr_equal(fetch(transport, path, c, &where), expected);
    assert_int_equal(where.context, BG_ERROR_CONTEXT_REMOTE_FILE);
    assert_int_equal(c->blocks, 0);
    free_collected(c);
}

static void test_http_status_is_bg_e_http_error(void **state)
{
    check_http_status("/data/100?status=404", BG_E_HTTP_ERROR_404);
    check_http_status("/data/100?status=403", BG_E_HTTP_ERROR_403);
    check_http_status("/data/100?status=500", BG_E_HTTP_ERROR_500);
    assert_hr_equal(BG_E_HTTP_ERROR_404, 0x80190194);
    assert_hr_equal(BG_E_HTTP_ERROR_403, 0x80190193);
    assert_hr_equal(BG_E_HTTP_ERROR_500, 0x801901F4);
}

static void test_dropped_connection_is_an_error_then_resumes(void **state)
{
    const char *path = "/data/200000?dropat=70000";
    collected *c = new_collected(200000, 0);
    ob_failure where;

    assert_hr_equal(fetch(transport, path, c, &where), HRESULT_FROM_WIN32(ERROR_WINHTTP_CONNECTION_ERROR));
    assert_int_equal(where.context, BG_ERROR_CONTEXT_REMOTE_FILE);
    assert_true(c->size == 70000);
    assert_pattern(c);
    free_collected(c);
    check_fetch(transport, path, 200000, 70000);
}

static void test_refused_connection_is_a_remote_file_error(void **state)
{
    ob_remote_info info;
    collected *c = new_collected(10, 0);
    ob_failure where = { 0 };
    const WCHAR *closed = L"http://127.0.0.1:1/data/10";

    assert_true(FAILED(transport->ops->probe(transport, closed, &info, &where)));
    assert_int_equal(where.context, BG_ERROR_CONTEXT_REMOTE_FILE);
    memset(&where, 0, sizeof(where));
    assert_true(FAILED(transport->ops->fetch(transport, closed, &unprobed, 0, collect, c, &where)));
    assert_int_equal(where.context, BG_ERROR_CONTEXT_REMOTE_FILE);
    assert_int_equal(c->blocks, 0);
    free_collected(c);
}

static void test_sink_stops_transfer(void **state)
{
    char path[64];
    collected *c = new_collected(SIZE, 0);
    ob_failure where;

    sprintf(path, "/data/%d", SIZE);
    c->stop_after = 1;
    assert_hr_equal(fetch(transport, path, c, &where), E_ABORT);
    assert_int_equal(c->blocks, 1);
    assert_true(c->size > 0 && c->size <= OB_TRANSPORT_BLOCK); /* a full block, or what came in 100 ms */
    free_collected(c);
}

static DWORD WINAPI cancel_later(void *context)
{
    Sleep(300);
    ((ob_transport *)context)->ops->cancel(context);
    return 0;
}

/* Cancel from another thread while the transport is blocked on path. */
static void check_cancel_while_blocked(const char *path, UINT64 capacity)
{
    ob_transport *t = open_transport(NULL);
    collected *c = new_collected(capacity, 0);
    ob_remote_info info;
    ob_failure where;
    HANDLE thread = CreateThread(NULL, 0, cancel_later, t, 0, NULL);
    DWORD start = GetTickCount(), elapsed;

    assert_hr_equal(fetch(t, path, c, &where), E_ABORT);
    elapsed = GetTickCount() - start;
    print_message("cancel: %s returned after %lu ms\n", path, elapsed);
    assert_true(elapsed < 10000);
    WaitForSingleObject(thread, INFINITE);
    CloseHandle(thread);
    assert_hr_equal(probe(t, "/data/10", &info, &where), E_ABORT);
    assert_hr_equal(fetch(t, "/data/10", c, &where), E_ABORT);
    t->ops->close(t);
    free_collected(c);
}

static void test_cancel_interrupts_a_trickle(void **state)
{
    check_cancel_while_blocked("/data/10000000?rate=20000", 10000000);
}

static void test_cancel_interrupts_a_silent_server(void **state)
{
    check_cancel_while_blocked("/data/10?delay=30000", 10);
}

static void test_cancel_before_use(void **state)
{
    ob_transport *t = open_transport(NULL);
    ob_remote_info info;
    ob_failure where;
    t->ops->cancel(t);
    assert_hr_equal(probe(t, "/data/10", &info, &where), E_ABORT);
    t->ops->close(t);
}

static void test_proxy_override(void **state)
{
    WCHAR proxy[32];
    ob_transport_options options = { BG_JOB_PROXY_USAGE_OVERRIDE, proxy, NULL, 0, NULL };
    ob_transport *t;
    collected *c = new_collected(1000, 0);
    ob_remote_info info;
    ob_failure where = { 0 };
    const WCHAR *url = L"http://openbits-proxy-test.invalid/data/1000";

    swprintf(proxy, ARRAYSIZE(proxy), L"127.0.0.1:%u", ts_http_port());
    t = open_transport(&options);
    proxy[0] = 0;              /* the transport keeps its own copy */
    assert_hr_equal(t->ops->probe(t, url, &info, &where), S_OK);
    assert_true(info.size == 1000);
    assert_hr_equal(t->ops->fetch(t, url, &unprobed, 0, collect, c, &where), S_OK);
    assert_true(c->size == 1000);
    assert_pattern(c);
    t->ops->close(t);
    free_collected(c);
}

static void test_no_proxy_and_autodetect_go_direct(void **state)
{
    ob_transport_options options = { BG_JOB_PROXY_USAGE_NO_PROXY };
    ob_transport *t = open_transport(&options);
    check_fetch(t, "/data/1000", 1000, 10);
    t->ops->close(t);
    options.proxy_usage = BG_JOB_PROXY_USAGE_AUTODETECT;
    t = open_transport(&options);
    check_fetch(t, "/data/1000", 1000, 10);
    t->ops->close(t);
}

static void test_basic_credentials(void **state)
{
    WCHAR user[] = L"user", password[] = L"secret";
    ob_transport_credential credentials[] = {
        { BG_AUTH_TARGET_SERVER, BG_AUTH_SCHEME_NTLM, L"other", L"other" },
        { BG_AUTH_TARGET_SERVER, BG_AUTH_SCHEME_BASIC, user, password },
    };
    ob_transport_options options = { BG_JOB_PROXY_USAGE_PRECONFIG, NULL, NULL, 2, credentials };
    const char *path = "/data/1000?auth=user:secret";
    ob_transport *t = open_transport(&options);
    ob_remote_info info;
    ob_failure where;

    password[0] = user[0] = 0; /* the transport keeps its own copies */
    assert_hr_equal(probe(t, path, &info, &where), S_OK);
    assert_true(info.size == 1000);
    check_fetch(t, path, 1000, 0);
    check_fetch(t, path, 1000, 999);
    t->ops->close(t);
    check_http_status(path, BG_E_HTTP_ERROR_401);
    assert_hr_equal(BG_E_HTTP_ERROR_401, 0x80190191);
}

static void test_credentials_for_another_scheme_are_not_sent(void **state)
{
    ob_transport_credential credentials[] = {
        { BG_AUTH_TARGET_PROXY, BG_AUTH_SCHEME_BASIC, L"user", L"secret" },
        { BG_AUTH_TARGET_SERVER, BG_AUTH_SCHEME_DIGEST, L"user", L"secret" },
    };
    ob_transport_options options = { BG_JOB_PROXY_USAGE_PRECONFIG, NULL, NULL, 2, credentials };
    ob_transport *t = open_transport(&options);
    ob_remote_info info;
    ob_failure where;

    assert_hr_equal(probe(t, "/data/1000?auth=user:secret", &info, &where), BG_E_HTTP_ERROR_401);
    assert_int_equal(where.context, BG_ERROR_CONTEXT_REMOTE_FILE);
    t->ops->close(t);
}

/* The server's /stats as text (free it). */
static char *server_stats(void);

/* The first of the server's /stats entries in `list` (a key whose value is
 * a list of objects) whose text contains both needles, or FALSE. */
static BOOL stats_entry(const char *list, const char *needle, const char *other)
{
    char *stats = server_stats(), key[64], *p, *end, *close;
    BOOL found = FALSE;

    sprintf(key, "\"%s\": [", list);
    if ((p = strstr(stats, key)) && (end = strchr(p, ']')))
    {
        *end = 0;
        for (; !found && (p = strchr(p, '{')) && (close = strchr(p, '}')); p = close + 1)
        {
            *close = 0;
            found = strstr(p, needle) && strstr(p, other);
            *close = '}';
        }
    }
    free(stats);
    return found;
}

/* A transport with one credential for the server. */
static ob_transport *open_with_credential(BG_AUTH_SCHEME scheme, const WCHAR *user, const WCHAR *password)
{
    ob_transport_credential credential = { BG_AUTH_TARGET_SERVER, scheme, user, password };
    ob_transport_options options = { BG_JOB_PROXY_USAGE_PRECONFIG, NULL, NULL, 1, &credential };
    return open_transport(&options);
}

/* Digest (RFC 7616: MD5, qop=auth) answers the server's challenge, for HEAD
 * and ranged GETs alike, and the server accepted every answer.  openbits
 * computes it for both backends: under Wine neither WinHTTP nor libcurl
 * (Schannel, so SSPI's absent WDigest) can (docs/choices.md). */
static void test_digest_credentials(void **state)
{
    WCHAR user[] = L"user", password[] = L"secret";
    ob_transport_credential credentials[] = {
        { BG_AUTH_TARGET_SERVER, BG_AUTH_SCHEME_BASIC, L"other", L"other" },
        { BG_AUTH_TARGET_SERVER, BG_AUTH_SCHEME_DIGEST, user, password },
    };
    ob_transport_options options = { BG_JOB_PROXY_USAGE_PRECONFIG, NULL, NULL, 2, credentials };
    const char *path = "/data/1000?digest=user:secret";
    ob_transport *t = open_transport(&options);
    ob_remote_info info;
    ob_failure where;

    password[0] = user[0] = 0; /* the transport keeps its own copies */
    assert_hr_equal(probe(t, path, &info, &where), S_OK);
    assert_true(info.size == 1000);
    check_fetch(t, path, 1000, 0);
    check_fetch(t, path, 1000, 999);
    t->ops->close(t);
    assert_false(stats_entry("digest_refused", "\"reason\"", "\"/data/1000?digest=user:secret\""));
    check_http_status(path, BG_E_HTTP_ERROR_401); /* no credentials */
}

/* A wrong password: the one answer is refused (the server says why), then
 * BG_E_HTTP_ERROR_401, permanent, as with Basic. */
static void test_digest_wrong_password_is_401(void **state)
{
    const char *path = "/data/1000?digest=user:secret&tag=wrong";
    ob_transport *t = open_with_credential(BG_AUTH_SCHEME_DIGEST, L"user", L"wrong");
    collected *c = new_collected(1000, 0);
    ob_remote_info info;
    ob_failure where;

    assert_hr_equal(probe(t, path, &info, &where), BG_E_HTTP_ERROR_401);
    assert_int_equal(where.context, BG_ERROR_CONTEXT_REMOTE_FILE);
    assert_false(where.transient);
    assert_hr_equal(fetch(t, path, c, &where), BG_E_HTTP_ERROR_401);
    assert_int_equal(c->blocks, 0);
    assert_true(stats_entry("digest_refused", "\"wrong response\"", "\"/data/1000?digest=user:secret&tag=wrong\""));
    t->ops->close(t);
    free_collected(c);
}

/* A challenge offering only Digest gets no Basic answer: the job's Basic
 * credential is for another scheme (and would show the password). */
static void test_basic_credentials_are_not_sent_to_digest(void **state)
{
    const char *path = "/data/1000?digest=user:secret&tag=basiconly";
    ob_transport *t = open_with_credential(BG_AUTH_SCHEME_BASIC, L"user", L"secret");
    collected *c = new_collected(1000, 0);
    ob_failure where;
    char *stats;

    assert_hr_equal(fetch(t, path, c, &where), BG_E_HTTP_ERROR_401);
    stats = server_stats();
    assert_non_null(strstr(stats, "\"/data/1000?digest=user:secret&tag=basiconly\": 1"));  /* one GET, no answer */
    free(stats);
    t->ops->close(t);
    free_collected(c);
}

/* A server offering Digest, then Basic: with credentials for both, the
 * preferred (first) scheme answers; with Basic only, Basic does. */
static void test_offered_schemes_pick_the_preferred_credential(void **state)
{
    ob_transport_credential both[] = {
        { BG_AUTH_TARGET_SERVER, BG_AUTH_SCHEME_BASIC, L"user", L"secret" },
        { BG_AUTH_TARGET_SERVER, BG_AUTH_SCHEME_DIGEST, L"user", L"secret" },
    };
    ob_transport_options options = { BG_JOB_PROXY_USAGE_PRECONFIG, NULL, NULL, 2, both };
    ob_transport *t = open_transport(&options);

    check_fetch(t, "/data/1000?digest=user:secret&auth=user:secret&tag=both", 1000, 10);
    t->ops->close(t);
    t = open_with_credential(BG_AUTH_SCHEME_BASIC, L"user", L"secret");
    check_fetch(t, "/data/1000?digest=user:secret&auth=user:secret&tag=basic", 1000, 10);
    t->ops->close(t);
    assert_true(stats_entry("ranges", "\"authorization\": \"Digest ", "&tag=both\""));
    assert_false(stats_entry("ranges", "\"authorization\": \"Basic ", "&tag=both\""));
    assert_true(stats_entry("ranges", "\"authorization\": \"Basic dXNlcjpzZWNyZXQ=\"", "&tag=basic\""));
}

/* Through a proxy asking for Digest (407), the job's proxy credential
 * answers, and the server's credential the server's Digest (401) after it,
 * the proxy's answer counted on; a wrong proxy password ends in 407. */
static void test_proxy_digest_credentials(void **state)
{
    WCHAR proxy[32];
    ob_transport_credential credentials[] = {
        { BG_AUTH_TARGET_PROXY, BG_AUTH_SCHEME_DIGEST, L"puser", L"pw" },
        { BG_AUTH_TARGET_SERVER, BG_AUTH_SCHEME_DIGEST, L"user", L"secret" },
    };
    ob_transport_options options = { BG_JOB_PROXY_USAGE_OVERRIDE, proxy, NULL, 2, credentials };
    const WCHAR *url = L"http://openbits-proxy-test.invalid/data/1000?proxydigest=puser:pw&digest=user:secret";
    collected *c = new_collected(1000, 0);
    ob_remote_info info;
    ob_failure where = { 0 };
    ob_transport *t;

    swprintf(proxy, ARRAYSIZE(proxy), L"127.0.0.1:%u", ts_http_port());
    t = open_transport(&options);
    assert_hr_equal(t->ops->probe(t, url, &info, &where), S_OK);
    assert_true(info.size == 1000);
    assert_hr_equal(t->ops->fetch(t, url, &unprobed, 0, collect, c, &where), S_OK);
    assert_true(c->size == 1000);
    assert_pattern(c);
    t->ops->close(t);
    assert_false(stats_entry("digest_refused", "\"reason\"", "proxydigest=puser:pw&digest=user:secret\""));

    credentials[0].password = L"wrong";
    t = open_transport(&options);
    assert_hr_equal(t->ops->probe(t, L"http://openbits-proxy-test.invalid/data/1000?proxydigest=puser:pw&tag=wrong",
                                  &info, &where), 0x80190197); /* BG_E_HTTP_ERROR_407 */
    assert_false(where.transient);
    assert_true(stats_entry("digest_refused", "\"proxy: wrong response\"", "proxydigest=puser:pw&tag=wrong\""));
    t->ops->close(t);
    free_collected(c);
}

static void test_throughput(void **state)
{
    const char *path = "/data/67108864";
    collected *c = new_collected(67108864, 0);
    ob_failure where;
    DWORD start = GetTickCount(), elapsed;

    assert_hr_equal(fetch(transport, path, c, &where), S_OK);
    elapsed = GetTickCount() - start;
    assert_true(c->size == 67108864);
    print_message("fetch of 64 MiB: %lu ms, %lu blocks\n", elapsed, c->blocks);
    free_collected(c);
}

/* The server's /stats as text (free it). */
static char *server_stats(void)
{
    DWORD size;
    char *stats = (char *)ts_http_get(ts_http_url("/stats"), &size);
    assert_non_null(stats);
    stats = realloc(stats, size + 1);
    stats[size] = 0;
    return stats;
}

/* The /stats "ranges" entry of the first ranged request for a target
 * containing `target` (a pointer into stats, up to its closing brace). */
static const char *range_entry(char *stats, const char *target)
{
    char *p, *end;
    for (p = stats; (p = strstr(p, "\"authorization\"")); p = end)
    {
        end = strchr(p, '}');
        if (!end) return NULL;
        *end = 0;
        if (strstr(p, target)) return p;
        *end++ = '}';
    }
    return NULL;
}

static ob_transport *open_with_timeout(DWORD ms)
{
    ob_transport_options options = { BG_JOB_PROXY_USAGE_PRECONFIG };
    options.timeout_ms = ms;
    return open_transport(&options);
}

/* issue 15.1: a redirect to another host (localhost instead of 127.0.0.1)
 * changes where that request goes only: the next request goes to its own
 * host, and server credentials are not sent to the redirect's host. */
static void test_redirect_to_another_host_stays_with_that_request(void **state)
{
    WCHAR user[] = L"user", password[] = L"secret", url[256];
    ob_transport_credential credentials[] = { { BG_AUTH_TARGET_SERVER, BG_AUTH_SCHEME_BASIC, user, password } };
    ob_transport_options options = { BG_JOB_PROXY_USAGE_PRECONFIG, NULL, NULL, 1, credentials };
    ob_transport *t = open_transport(&options);
    collected *c = new_collected(1001, 0), *after = new_collected(2002, 0);
    ob_failure where = { 0 };
    char host[64], *stats;
    const char *entry;

    /* file 1 on 127.0.0.1 redirects to localhost, which asks for credentials */
    swprintf(url, ARRAYSIZE(url), L"%ls", ts_http_url(""));
    swprintf(url + wcslen(url), ARRAYSIZE(url) - wcslen(url),
             L"/redirect/302?to=http%%3A%%2F%%2Flocalhost%%3A%u%%2Fdata%%2F1001%%3Fauth%%3Duser%%3Asecret",
             ts_http_port());
    assert_hr_equal(t->ops->fetch(t, url, &unprobed, 0, collect, c, &where), 0x80190191); /* BG_E_HTTP_ERROR_401 */
    assert_false(where.transient);
    /* file 2 on 127.0.0.1, with credentials its server asks for */
    memset(&where, 0, sizeof(where));
    assert_hr_equal(fetch(t, "/data/2002?auth=user:secret", after, &where), S_OK);
    assert_pattern(after);
    stats = server_stats();
    entry = range_entry(stats, "/data/1001");
    assert_non_null(entry);
    assert_non_null(strstr(entry, "\"authorization\": null"));  /* nothing sent to localhost */
    sprintf(host, "\"host\": \"localhost:%u\"", ts_http_port());
    assert_non_null(strstr(entry, host));                         /* the redirect did happen */
    free(stats);
    stats = server_stats();
    entry = range_entry(stats, "/data/2002");
    assert_non_null(entry);
    sprintf(host, "\"host\": \"127.0.0.1:%u\"", ts_http_port());
    assert_non_null(strstr(entry, host));                         /* not repointed to localhost */
    free(stats);
    t->ops->close(t);
    free_collected(c);
    free_collected(after);
}

/* issue 15.3: HEAD answered 204, 300 or 304 with Content-Length 0 is no size. */
static void test_head_without_entity_is_no_size(void **state)
{
    static const struct { const char *path; HRESULT hr; } cases[] = {
        { "/data/1000?headstatus=204", 0x801900CC },
        { "/data/1000?headstatus=300", 0x8019012C },
        { "/data/1000?headstatus=304", 0x80190130 },
    };
    ob_remote_info info;
    ob_failure where;
    ULONG i;

    for (i = 0; i < ARRAYSIZE(cases); i++)
    {
        assert_hr_equal(probe(transport, cases[i].path, &info, &where), cases[i].hr);
        assert_int_equal(where.context, BG_ERROR_CONTEXT_REMOTE_FILE);
        assert_false(where.transient);
    }
}

/* issue 15.10: redirect failures are permanent, with WinHTTP's codes. */
static void test_redirect_failures_are_permanent(void **state)
{
    static const struct { const char *path; HRESULT hr; } cases[] = {
        { "/redirect/302?self=1", HRESULT_FROM_WIN32(ERROR_WINHTTP_REDIRECT_FAILED) },   /* a loop */
        { "/hops/10?to=/data/10", HRESULT_FROM_WIN32(ERROR_WINHTTP_REDIRECT_FAILED) },   /* 11 hops */
        { "/redirect/302?to=file%3A%2F%2F%2FC%3A%2Fwindows%2Fwin.ini", HRESULT_FROM_WIN32(ERROR_WINHTTP_REDIRECT_FAILED) },
        { "/redirect/301?to=ftp%3A%2F%2F127.0.0.1%2Fx", HRESULT_FROM_WIN32(ERROR_WINHTTP_REDIRECT_FAILED) },
        { "/redirect/302", HRESULT_FROM_WIN32(ERROR_WINHTTP_HEADER_NOT_FOUND) },          /* no Location */
    };
    ob_remote_info info;
    ob_failure where;
    ULONG i;

    for (i = 0; i < ARRAYSIZE(cases); i++)
    {
        HRESULT hr = probe(transport, cases[i].path, &info, &where);
        if (hr != cases[i].hr) fail_msg("%s: 0x%08lx", cases[i].path, (unsigned long)hr);
        assert_false(where.transient);
    }
    /* ten hops are allowed, and followed */
    assert_hr_equal(probe(transport, "/hops/9?to=/data/10", &info, &where), S_OK);
    assert_true(info.size == 10);
}

/* issue 15.6: a server that accepts and never answers: our own timeout
 * ends the wait for headers, as a transient error. */
static void test_silent_server_times_out(void **state)
{
    ob_transport *t = open_with_timeout(1000);
    ob_remote_info info;
    ob_failure where = { 0 };
    char *stats;

    assert_hr_equal(probe(t, "/data/10?hang=1&stallms=20000", &info, &where), HRESULT_FROM_WIN32(ERROR_WINHTTP_TIMEOUT));
    assert_true(where.transient);
    assert_int_equal(where.context, BG_ERROR_CONTEXT_REMOTE_FILE);
    stats = server_stats();
    assert_non_null(strstr(stats, "\"hang\""));   /* the server really did hang */
    free(stats);
    t->ops->close(t);
}

/* issue 15.7: a stall mid-body: every byte that arrived is handed over, then
 * a transient timeout. */
static void test_stall_mid_body_keeps_what_arrived(void **state)
{
    ob_transport *t = open_with_timeout(1000);
    collected *c = new_collected(3000000, 0);
    ob_failure where = { 0 };

    assert_hr_equal(fetch(t, "/data/3000000?stallat=1000000&stallms=20000", c, &where),
                    HRESULT_FROM_WIN32(ERROR_WINHTTP_TIMEOUT));
    assert_true(where.transient);
    assert_true(c->size == 1000000);
    assert_pattern(c);
    t->ops->close(t);
    free_collected(c);
}

/* issue 15.2 and 15.8: a ranged GET carries If-Unmodified-Since with the
 * probed time; another version (412, another total) is "changed". */
static void test_ranged_get_is_validated(void **state)
{
    ob_remote_info info, wrong;
    collected *c = new_collected(1000, 0);
    ob_failure where = { 0 };
    char *stats;
    const char *entry;

    assert_hr_equal(probe(transport, "/data/1000?flipat=2", &info, &where), S_OK);
    assert_hr_equal(transport->ops->fetch(transport, ts_http_url("/data/1000?flipat=2"), &info, 0, collect, c, &where),
                    BG_E_INVALID_SERVER_RESPONSE);
    assert_true(where.changed && where.transient);
    assert_int_equal(c->size, 0);
    stats = server_stats();
    entry = range_entry(stats, "flipat=2");
    assert_non_null(entry);
    assert_non_null(strstr(entry, "\"if_unmodified_since\": \"Sat, 01 Jan 2022 00:00:00 GMT\""));
    free(stats);
    /* GET says 200000 where HEAD said 100000 */
    assert_hr_equal(probe(transport, "/data/200000?headsize=100000", &info, &where), S_OK);
    assert_true(info.size == 100000);
    memset(&where, 0, sizeof(where));
    assert_hr_equal(transport->ops->fetch(transport, ts_http_url("/data/200000?headsize=100000"), &info, 0, collect, c,
                                          &where), BG_E_INVALID_SERVER_RESPONSE);
    assert_true(where.changed);
    assert_int_equal(c->size, 0);              /* detected before any byte */
    wrong = info;
    wrong.size = 200000;                       /* the right size: served */
    c->capacity = 0;
    free_collected(c);
    c = new_collected(200000, 0);
    assert_hr_equal(transport->ops->fetch(transport, ts_http_url("/data/200000?headsize=100000"), &wrong, 0, collect, c,
                                          &where), S_OK);
    assert_pattern(c);
    free_collected(c);
}

/* The one classification every transport reports with (a pure function). */
static void test_failure_classification(void **state)
{
    static const HRESULT transient[] = {
        HRESULT_FROM_WIN32(WSAECONNRESET), HRESULT_FROM_WIN32(WSAECONNABORTED), HRESULT_FROM_WIN32(WSAETIMEDOUT),
        HRESULT_FROM_WIN32(WSAENETUNREACH), HRESULT_FROM_WIN32(WSAEHOSTUNREACH), HRESULT_FROM_WIN32(WSAECONNREFUSED),
        HRESULT_FROM_WIN32(ERROR_WINHTTP_CONNECTION_ERROR), HRESULT_FROM_WIN32(ERROR_WINHTTP_TIMEOUT),
        HRESULT_FROM_WIN32(ERROR_WINHTTP_CANNOT_CONNECT), HRESULT_FROM_WIN32(ERROR_WINHTTP_NAME_NOT_RESOLVED),
        HRESULT_FROM_WIN32(ERROR_HANDLE_EOF), HRESULT_FROM_WIN32(ERROR_BAD_NETPATH),
        (HRESULT)0x801901F4 /* 500 */, (HRESULT)0x801901F7 /* 503 */, BG_E_INVALID_SERVER_RESPONSE,
    };
    static const HRESULT permanent[] = {
        (HRESULT)0x80190194 /* 404 */, (HRESULT)0x80190191 /* 401 */, BG_E_MISSING_FILE_SIZE,
        BG_E_INSUFFICIENT_RANGE_SUPPORT, HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND),
        HRESULT_FROM_WIN32(ERROR_ACCESS_DENIED), HRESULT_FROM_WIN32(ERROR_WINHTTP_REDIRECT_FAILED),
        HRESULT_FROM_WIN32(ERROR_WINHTTP_HEADER_NOT_FOUND), HRESULT_FROM_WIN32(ERROR_WINHTTP_SECURE_FAILURE),
        HRESULT_FROM_WIN32(ERROR_WINHTTP_INVALID_URL), HRESULT_FROM_WIN32(ERROR_ARITHMETIC_OVERFLOW), E_INVALIDARG,
    };
    ob_failure f;
    ULONG i;

    for (i = 0; i < ARRAYSIZE(transient); i++)
        if (!ob_transient_error(transient[i])) fail_msg("0x%08lx should be transient", (unsigned long)transient[i]);
    for (i = 0; i < ARRAYSIZE(permanent); i++)
        if (ob_transient_error(permanent[i])) fail_msg("0x%08lx should be permanent", (unsigned long)permanent[i]);
    assert_hr_equal(ob_fail(&f, HRESULT_FROM_WIN32(WSAECONNRESET), BG_ERROR_CONTEXT_REMOTE_FILE),
                    HRESULT_FROM_WIN32(WSAECONNRESET));
    assert_true(f.transient);
    assert_int_equal(f.context, BG_ERROR_CONTEXT_REMOTE_FILE);
}

/* The backend choice: OPENBITS_HTTP_TRANSPORT (what CTest sets for each of
 * this test's two runs) over the registry value HttpTransport, which is read
 * here from a scratch key; under Wine the default is curl. */
static void set_choice(HKEY key, const WCHAR *value)
{
    if (value)
        assert_int_equal(RegSetValueExW(key, L"HttpTransport", 0, REG_SZ, (const BYTE *)value,
                                        (DWORD)((wcslen(value) + 1) * sizeof(WCHAR))), ERROR_SUCCESS);
    else
        RegDeleteValueW(key, L"HttpTransport");
}

static void test_backend_choice(void **state)
{
    static const WCHAR scratch[] = L"Software\\OpenBitsTestHttpTransport";
    WCHAR chosen[16] = L"";
    HKEY key;

    GetEnvironmentVariableW(L"OPENBITS_HTTP_TRANSPORT", chosen, ARRAYSIZE(chosen));
    print_message("backend under test: %ls\n", chosen);
    if (!_wcsicmp(chosen, L"curl")) assert_int_equal(ob_config_http_backend(), OB_HTTP_BACKEND_CURL);
    if (!_wcsicmp(chosen, L"winhttp")) assert_int_equal(ob_config_http_backend(), OB_HTTP_BACKEND_WINHTTP);

    assert_true(ob_config_under_wine());
    assert_int_equal(RegCreateKeyExW(HKEY_CURRENT_USER, scratch, 0, NULL, 0, KEY_ALL_ACCESS, NULL, &key, NULL),
                     ERROR_SUCCESS);
    SetEnvironmentVariableW(L"OPENBITS_HTTP_TRANSPORT", NULL);
    set_choice(key, NULL);
    assert_int_equal(ob_config_http_backend_in(HKEY_CURRENT_USER, scratch), OB_HTTP_BACKEND_CURL);
    set_choice(key, L"winhttp");
    assert_int_equal(ob_config_http_backend_in(HKEY_CURRENT_USER, scratch), OB_HTTP_BACKEND_WINHTTP);
    set_choice(key, L"WinHTTP");
    assert_int_equal(ob_config_http_backend_in(HKEY_CURRENT_USER, scratch), OB_HTTP_BACKEND_WINHTTP);
    set_choice(key, L"curl");
    assert_int_equal(ob_config_http_backend_in(HKEY_CURRENT_USER, scratch), OB_HTTP_BACKEND_CURL);
    set_choice(key, L"neither");   /* anything else: the default */
    assert_int_equal(ob_config_http_backend_in(HKEY_CURRENT_USER, scratch), OB_HTTP_BACKEND_CURL);
    set_choice(key, L"curl");      /* the environment wins */
    SetEnvironmentVariableW(L"OPENBITS_HTTP_TRANSPORT", L"winhttp");
    assert_int_equal(ob_config_http_backend_in(HKEY_CURRENT_USER, scratch), OB_HTTP_BACKEND_WINHTTP);
    SetEnvironmentVariableW(L"OPENBITS_HTTP_TRANSPORT", chosen[0] ? chosen : NULL);
    RegCloseKey(key);
    RegDeleteKeyW(HKEY_CURRENT_USER, scratch);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_failure_classification),
        cmocka_unit_test(test_redirect_to_another_host_stays_with_that_request),
        cmocka_unit_test(test_head_without_entity_is_no_size),
        cmocka_unit_test(test_redirect_failures_are_permanent),
        cmocka_unit_test(test_silent_server_times_out),
        cmocka_unit_test(test_stall_mid_body_keeps_what_arrived),
        cmocka_unit_test(test_ranged_get_is_validated),
        cmocka_unit_test(test_backend_choice),
        cmocka_unit_test(test_probe_size_and_time),
        cmocka_unit_test(test_probe_size_beyond_4gib),
        cmocka_unit_test(test_fetch_from_zero_in_whole_blocks),
        cmocka_unit_test(test_fetch_from_offset),
        cmocka_unit_test(test_no_length_is_missing_file_size),
        cmocka_unit_test(test_ignored_range_is_insufficient_range_support),
        cmocka_unit_test(test_http_status_is_bg_e_http_error),
        cmocka_unit_test(test_dropped_connection_is_an_error_then_resumes),
        cmocka_unit_test(test_refused_connection_is_a_remote_file_error),
        cmocka_unit_test(test_sink_stops_transfer),
        cmocka_unit_test(test_cancel_interrupts_a_trickle),
        cmocka_unit_test(test_cancel_interrupts_a_silent_server),
        cmocka_unit_test(test_cancel_before_use),
        cmocka_unit_test(test_proxy_override),
        cmocka_unit_test(test_no_proxy_and_autodetect_go_direct),
        cmocka_unit_test(test_basic_credentials),
        cmocka_unit_test(test_credentials_for_another_scheme_are_not_sent),
        cmocka_unit_test(test_digest_credentials),
        cmocka_unit_test(test_digest_wrong_password_is_401),
        cmocka_unit_test(test_basic_credentials_are_not_sent_to_digest),
        cmocka_unit_test(test_offered_schemes_pick_the_preferred_credential),
        cmocka_unit_test(test_proxy_digest_credentials),
        cmocka_unit_test(test_throughput),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
