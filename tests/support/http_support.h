/* Helpers for tests that download from the loopback server
 * (tests/servers/http_server.py, started by the CTest fixture "http_server",
 * and over TLS by the fixture "https_server"). */
#ifndef OB_HTTP_SUPPORT_H
#define OB_HTTP_SUPPORT_H

#include "test_support.h"

/* L"http://127.0.0.1:<port>" + path_and_query, in a static pool of 64
 * rotating buffers.  The port is read once from the file named by
 * OPENBITS_TEST_PORT_FILE; the test fails if it cannot be read. */
const WCHAR *ts_http_url(const char *path_and_query);
/* The server's port (as above). */
unsigned ts_http_port(void);
/* L"https://localhost:<port>" + path_and_query for the TLS server (fixture
 * https_server), its port read from OPENBITS_TEST_TLS_PORT_FILE; same pool. */
const WCHAR *ts_https_url(const char *path_and_query);
/* L"https://localhost:<port>" + path_and_query for a TLS server whose
 * certificate the same test CA signed but a client must refuse: which is
 * "WRONGHOST" (a certificate for wrong-host.invalid only, fixture
 * https_wronghost_server) or "EXPIRED" (valid 2020-2021, https_expired_server);
 * the port is read from OPENBITS_TEST_TLS_<which>_PORT_FILE.  Same pool. */
const WCHAR *ts_bad_https_url(const char *which, const char *path_and_query);
/* TRUE if that server's request log (OPENBITS_TEST_TLS_<which>_LOG) records a
 * request whose target contains text. */
BOOL ts_bad_https_server_saw(const char *which, const char *text);
/* Adds the test CA that signed the TLS server's certificate (PEM file named by
 * OPENBITS_TEST_TLS_CA_FILE) to the current user's Root store, or removes it
 * again.  The store is the Wine prefix's, so the change outlives the process;
 * but Wine's default chain engine reads the Root store once, at its first
 * use in a process, so call these before the process's first https request. */
void ts_trust_test_ca(void);
void ts_distrust_test_ca(void);
/* L"http://127.0.0.1:<port>" + path_and_query for the BITS upload server
 * (fixture bits_upload_server), its port read from
 * OPENBITS_TEST_UPLOAD_PORT_FILE; same pool. */
const WCHAR *ts_upload_url(const char *path_and_query);
/* A plain GET (for reading back what a server received): the body in a
 * malloc'd buffer (free it), *size its length; NULL when the status is not 200. */
BYTE *ts_http_get(const WCHAR *url, DWORD *size);
/* How many times text occurs in the BITS upload server's /stats, for one
 * upload path (its /stats?path=, e.g. "/upload/a.bin") or for all (NULL). */
ULONG ts_upload_stats_count(const char *path, const char *text);
/* Waits (up to 30 s) until text occurs at least count times there. */
BOOL ts_upload_stats_wait(const char *path, const char *text, ULONG count);
/* Byte i of every /data/<size> body: (unsigned char)(i * 7 + i / 251). */
unsigned char ts_pattern_byte(UINT64 i);
/* TRUE if the file has exactly size bytes, each ts_pattern_byte(i). */
BOOL ts_file_has_pattern(const WCHAR *path, UINT64 size);
/* TRUE if data[i] == ts_pattern_byte(i) for every i < size. */
BOOL ts_bytes_have_pattern(const BYTE *data, UINT64 size);
/* A file of size bytes of the pattern (for uploads and local sources). */
void ts_write_pattern_file(const WCHAR *path, DWORD size);

#endif
