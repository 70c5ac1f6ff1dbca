/* Helpers for tests that download from the loopback server
 * (tests/servers/http_server.py, started by the CTest fixture "http_server"). */
#ifndef OB_HTTP_SUPPORT_H
#define OB_HTTP_SUPPORT_H

#include "test_support.h"

/* L"http://127.0.0.1:<port>" + path_and_query, in a static pool of 64
 * rotating buffers.  The port is read once from the file named by
 * OPENBITS_TEST_PORT_FILE; the test fails if it cannot be read. */
const WCHAR *ts_http_url(const char *path_and_query);
/* The server's port (as above). */
unsigned ts_http_port(void);
/* Byte i of every /data/<size> body: (unsigned char)(i * 7 + i / 251). */
unsigned char ts_pattern_byte(UINT64 i);
/* TRUE if the file has exactly size bytes, each ts_pattern_byte(i). */
BOOL ts_file_has_pattern(const WCHAR *path, UINT64 size);

#endif
