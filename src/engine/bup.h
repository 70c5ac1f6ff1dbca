/* The client side of the BITS Upload Protocol ([MC-BUP]) as plain functions:
 * the headers of each packet, and what an Ack says.  No I/O here: upload.c
 * sends the packets through a transport. */
#ifndef OB_BUP_H
#define OB_BUP_H

#include "ob_types.h"

#define OB_BUP_VERB L"BITS_POST"
#define OB_BUP_PROTOCOL L"{7df0354d-249b-430f-820d-3d2a9bef4931}"
#define OB_BUP_MAX_ID 128
#define OB_BUP_MAX_SESSION_ID 100  /* [MC-BUP]: "any HTTP-legal string up to 100 characters" */

typedef enum ob_bup_packet {
    OB_BUP_PING,
    OB_BUP_CREATE_SESSION,
    OB_BUP_FRAGMENT,
    OB_BUP_CLOSE_SESSION,
    OB_BUP_CANCEL_SESSION,
} ob_bup_packet;

/* A Fragment: bytes [first, first + length) of total; the first one names
 * the file (Content-Name). */
typedef struct ob_bup_fragment {
    UINT64 first;
    DWORD length;
    UINT64 total;
    const WCHAR *content_name; /* NULL after the first fragment */
} ob_bup_fragment;

typedef struct ob_bup_ack {
    DWORD status;
    BOOL is_ack;               /* BITS-Packet-Type: Ack */
    WCHAR session_id[OB_BUP_MAX_ID];
    WCHAR protocol[OB_BUP_MAX_ID];
    WCHAR host_id[256];        /* server farms: continue on this host */
    WCHAR reply_url[OB_MAX_REMOTE_NAME + 1];
    BOOL has_received;         /* and it is a number: "n", or "0-m" (then n = m + 1) */
    BOOL bad_received;         /* present but not a number ("abc", "-5", overflow) */
    UINT64 received;           /* BITS-Received-Content-Range: next offset expected */
    BOOL has_error;
    HRESULT error_code;        /* BITS-Error-Code, or BITS-Error */
    DWORD error_context;       /* BITS-Error-Context: 0x5 server file, 0x7 server application */
} ob_bup_ack;

/* The request headers of a packet (CRLF separated) into buffer; the session
 * is needed by every packet after Create-Session.  A fragment that is not a
 * non-empty part of its file (or the one empty fragment of an empty file) is
 * E_INVALIDARG: no invalid Content-Range is ever sent. */
HRESULT ob_bup_headers(ob_bup_packet packet, const WCHAR *session_id, const ob_bup_fragment *fragment,
                       WCHAR *buffer, size_t chars);
/* "Ping", "Create-Session"...: the BITS-Packet-Type of a packet. */
const WCHAR *ob_bup_packet_name(ob_bup_packet packet);
void ob_bup_parse_ack(DWORD status, const WCHAR *raw_headers, ob_bup_ack *ack);
/* S_OK for a successful Ack; otherwise the error the job records: the
 * server's BITS-Error-Code with its context, else BG_E_HTTP_ERROR_nnn. */
HRESULT ob_bup_ack_result(const ob_bup_ack *ack, BG_ERROR_CONTEXT *context);
/* A Create-Session Ack: S_OK if it opens a session we can use; the server's
 * error (ob_bup_ack_result); BG_E_CLIENT_SERVER_PROTOCOL_MISMATCH for a
 * BITS-Protocol other than ours (or none); BG_E_INVALID_SERVER_RESPONSE for a
 * missing or unusable BITS-Session-Id (empty, over 100 characters, not
 * printable ASCII). */
HRESULT ob_bup_session_result(const ob_bup_ack *ack, BG_ERROR_CONTEXT *context);
/* A Fragment's Ack: S_OK with *next, where the server wants the next
 * fragment to start (a 416 included: out of step, continue there); the
 * server's error (ob_bup_ack_result, a 416 without an offset too); or
 * BG_E_INVALID_SERVER_RESPONSE when the offset is missing or not a number,
 * is below `floor` (what the server acknowledged before in this session: it
 * may not forget), is beyond the file, or, in a 416, is the whole file (a
 * server that has every byte answers 200). */
HRESULT ob_bup_fragment_result(const ob_bup_ack *ack, const ob_bup_fragment *sent, UINT64 floor, UINT64 *next,
                               BG_ERROR_CONTEXT *context);
/* The URL to continue on after BITS-Host-Id: the same path on that host.  The
 * Host-Id must be an authority and nothing else: a host name, IPv4 address or
 * [IPv6] address, optionally ":port" (1-65535); anything else (a path, a
 * query, user info, spaces...) is BG_E_INVALID_SERVER_RESPONSE. */
HRESULT ob_bup_redirect(const WCHAR *url, const WCHAR *host_id, WCHAR **out);

#endif
