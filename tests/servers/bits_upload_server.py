#!/usr/bin/env python3
"""Loopback BITS upload test server ([MC-BUP]) for openbits upload tests.

Python 3 standard library only.  The server listens on 127.0.0.1 only, on an
ephemeral port, keeps everything in memory, and serves one request at a time
per connection (HTTP/1.1 keep-alive), with a thread per connection.

Command line
------------
    bits_upload_server.py --port-file PATH [--lifetime SECONDS] [--log PATH]

Same conventions as http_server.py: the port (decimal, then a newline) is
written atomically to PATH and removed on a clean exit; the server exits after
--lifetime seconds (default 1800) or at once on SIGTERM/SIGINT (status 0);
--log appends one line per request (method, target, packet type, session,
Content-Range, status, body bytes sent).  That common part, the content
pattern and the Range handling of GET/HEAD live in serverlib.py, next to this
script, shared with http_server.py.

The upload protocol: BITS_POST
------------------------------
Every BITS_POST answer carries "BITS-Packet-Type: Ack" and a Content-Length;
the body is always empty ("Content-Length: 0").  The packet type is read from
the BITS-Packet-Type request header (case-insensitive).  Errors carry
"BITS-Error-Code: 0x%08X" (or "BITS-Error", see errorheader=) and
"BITS-Error-Context: 0x5".  A request body is always read in full (at most
256 MiB, else 400 and the connection is closed).

Upload targets (the BITS_POST request path; a query holds options):
  /upload/<name>    a plain upload (BG_JOB_TYPE_UPLOAD).
  /reply/<name>     an upload-reply (BG_JOB_TYPE_UPLOAD_REPLY): when the
                    upload completes, the final Fragment Ack carries
                    "BITS-Reply-URL: http://127.0.0.1:<port>/replies/<id>".
  <name> is any non-empty path (it may contain "/").  The "upload path" that
  keys committed data is the request path without the query, e.g.
  "/upload/a.bin".  A Create-Session to any other path gets 404
  (BITS-Error-Code 0x80070002).  An absolute-URI request-target is served
  like its path and query.

Packets:
  Ping            200.
  Create-Session  BITS-Supported-Protocols must list (space- or comma-
                  separated, case-insensitive)
                  {7df0354d-249b-430f-820d-3d2a9bef4931}; then 201 with
                  BITS-Protocol: {7df0354d-249b-430f-820d-3d2a9bef4931},
                  BITS-Session-Id: {new guid}, Accept-Encoding: Identity.
                  No supported protocol: 400 (E_INVALIDARG 0x80070057).
                  Unknown option or bad value: 400 (E_INVALIDARG).
  Fragment        BITS-Session-Id, Content-Range "bytes a-b/total" (the word
                  "bytes" case-insensitive), Content-Length b-a+1, the body;
                  Content-Name is recorded when given.  An empty file is sent
                  as "bytes */0" (or "bytes 0--1/0") with Content-Length 0.
                  With received = bytes the session holds so far:
                    a > received  -> 416, BITS-Received-Content-Range:
                                     received (nothing written);
                    a <= received -> only bytes from offset `received` on
                                     are written (overlaps keep the
                                     existing bytes); 200 with
                                     BITS-Session-Id and
                                     BITS-Received-Content-Range: the next
                                     expected offset.
                  When received reaches total the upload is committed (see
                  /uploaded/) and, for /reply/ targets, the reply is created.
                  A Fragment to a completed session (a retransmission) gets
                  200 with received = total and the same BITS-Reply-URL.
                  Unknown session: 500, BITS-Error-Code 0x8020001F
                  (BG_E_SESSION_NOT_FOUND).  Malformed or inconsistent
                  headers (missing/bad Content-Range, Content-Length not
                  b-a+1, total differing from an earlier fragment's,
                  Content-Encoding other than identity): 400 (E_INVALIDARG).
  Close-Session   200 with BITS-Session-Id; the session is freed.  A
                  committed upload and its reply stay; an incomplete upload
                  is discarded.  Unknown session: 500 + 0x8020001F.
  Cancel-Session  200 with BITS-Session-Id; the session is freed, a partial
                  upload is discarded and the session's reply is deleted
                  (/replies/<id> then 404).  An upload already committed
                  stays committed ([MC-BUP]: cancel has no effect once the
                  last fragment is in, except on the reply).  Unknown
                  session: 500 + 0x8020001F.
  anything else   400 (E_INVALIDARG).

Reply content (upload-reply targets):
  replysize=<N>  the reply is N bytes (default 1024; 0 = an empty reply,
                 still with a BITS-Reply-URL) of the same pattern as
                 http_server.py's /data/<size>:

                     byte[i] = (i * 7 + i // 251) & 0xFF    for i = 0 .. N-1

                 In C: (unsigned char)(i * 7 + i / 251) with i a uint64_t.
  echo=1         the reply is instead a copy of the uploaded bytes.
  noreply=1      no reply: the final Ack has no BITS-Reply-URL.
  Reply ids are decimal numbers counting from 1, never reused.

Fault options (query options on the upload URL, combinable; taken from the
Create-Session request and kept with the session).  "Once" means once per
upload path: the fault state of a path is kept across sessions (so that a
client that retries, even with a new Create-Session, gets through) and
cleared when an upload to that path is committed or cancelled.
  dropat=<N>       a Fragment whose range a-b contains byte N (a <= N <= b)
                   is read in full, its bytes before N are kept (as if the
                   connection broke mid-body), and the connection is closed
                   without an answer.  Once, or dropcount=<k> times.
  dropcount=<k>    see dropat (default 1).
  lose_session=<N> once, the first Fragment that arrives when the session
                   already holds at least N bytes gets 500 +
                   BG_E_SESSION_NOT_FOUND and the session (with its partial
                   data) is forgotten: the client must Create-Session again
                   and start over at offset 0.  (lose_session=1: the first
                   Fragment after the first byte.)
  status416=<N>    once, the first Fragment that arrives when the session
                   holds at least N bytes gets a spurious 416 with
                   BITS-Received-Content-Range: the real received offset;
                   nothing is written.  (status416=0: the very first one.)
  deny=<code>      Create-Session gets status <code> (400-599, e.g. 403) with
                   BITS-Error-Code 0x80070005 (E_ACCESSDENIED), every time.
  conflict=1       Create-Session gets 409 with BITS-Error-Code 0x800700B7
                   (HRESULT_FROM_WIN32(ERROR_ALREADY_EXISTS)), every time.
  delayack=<ms>    the Ack of a Fragment that completes the upload is sent
                   after that delay.
  errorheader=bits-error
                   error answers for this session name the code header
                   "BITS-Error" instead of "BITS-Error-Code" (clients must
                   accept both).  errorheader=bits-error-code is the default.
  hostid=1         the Create-Session Ack carries
                   "BITS-Host-Id: 127.0.0.1:<port>" (this same server).
  hostidvalue=<text>
                   the Create-Session Ack carries "BITS-Host-Id: <text>",
                   verbatim (percent-decoded from the query), e.g. a value
                   with a path or query pasted in.
  protocol=<text>  the Create-Session Ack's BITS-Protocol is <text> instead
                   of the protocol GUID ("none": no BITS-Protocol header).
  nosession=1      the Create-Session Ack has no BITS-Session-Id (the
                   session exists on the server all the same).
  resetat=<N>      once, a Fragment whose range a-b contains byte N: the
                   server reads only the body's bytes before N (keeping them,
                   as dropat does), then resets the connection (SO_LINGER 0,
                   so the client gets a TCP RST) without an answer.
  slowread=<B>     Fragment bodies are read at most B bytes a second (in
                   pieces of at most 64 KiB); everything else as usual.
  stall=<packets>  comma-separated packet names ("fragment",
                   "close-session", "cancel-session"; case-insensitive), each
                   optionally followed by ":<ms>": such a packet is read in
                   full and never answered; the connection is closed after
                   <ms> (default stallms), or as soon as the client closes
                   it.  Every time.
  stallms=<ms>     how long a stalled packet is held (default 60000).
  forget=<N>       every Fragment that arrives when the session holds at
                   least N bytes: the session forgets its data (back to 0
                   bytes, nothing written) and answers forgetstatus with
                   BITS-Received-Content-Range: 0.  Every time, so a client
                   that follows the server never gets through.
  forgetstatus=<S> 200 (default) or 416.
  badack=<text>    once, the first Fragment that arrives when the session
                   holds at least badackat bytes (default 0) is answered
                   badackstatus with "BITS-Received-Content-Range: <text>"
                   ("none": no such header).  With 200 the fragment is
                   written as usual; with 416 nothing is written.
  badackat=<N>     see badack.
  badackstatus=<S> 200 (default) or 416.
  Every fault that fires is listed in /stats "faults"; a stalled packet as
  fault "stall" with the packet's name in "packet".

GET and HEAD
------------
/uploaded/<path>
    The bytes committed for upload path "/<path>" (e.g. /uploaded/upload/a.bin
    for uploads to /upload/a.bin); 404 if nothing is committed there.  A
    later upload to the same path replaces them when it commits.
/replies/<id>
    A reply (404 once cancelled or if unknown).
    Both answer Content-Length, Last-Modified (a fixed date), ETag,
    Accept-Ranges: bytes, Content-Type: application/octet-stream.  GET
    honours a single range ("bytes=a-b", "bytes=a-", "bytes=-n") with 206 and
    Content-Range; an unsatisfiable range gets 416 with
    "Content-Range: bytes */<size>"; a malformed or multi-range header is
    ignored (200, full body).  HEAD ignores Range.
/stats
    JSON, for every request except those to /stats itself:
      "requests": total,
      "methods": {"METHOD /path": count},
      "packets": {"Ping"|"Create-Session"|"Fragment"|"Close-Session"|
                  "Cancel-Session"|"other": count},
      "sessions": {"created", "closed", "cancelled", "lost"},
      "fragments": [{"session", "path", "range" ("a-b/total"), "bytes"
                     (body length), "written" (new bytes stored),
                     "status" (or "dropped", "reset", "stalled")}],
      "reply_downloads": [{"id", "method", "range" (null if none),
                           "status", "bytes" (body bytes in the answer)}],
      "errors": [{"packet", "path", "status", "code" ("0x%08X" or null),
                  "message"}]  (every BITS_POST answer >= 400),
      "faults": [{"fault" ("dropat"|"lose_session"|"status416"|
                  "resetat"|"stall"|"forget"|"badack"|"protocol"|
                  "nosession"|"hostidvalue"), "path", "session", "offset"
                  (bytes the session held; null for Create-Session faults),
                  and "packet" for "stall"}],
      "session_log": [{"event" ("created"|"closed"|"cancelled"|"lost"),
                       "path", "session"}],
      "custom_headers": ["METHOD target|X-Name: value"] for every request
                         header whose name starts with "X-",
      "uploads": {path: {"size", "content_name"}}  (committed, current),
      "replies": {id: {"size", "path", "session"}}  (existing, current).
    Lists hold at most 10000 entries.  /stats?reset=1 returns the numbers and
    then clears the counters and lists (not uploads, replies, sessions or
    fault state).  /stats?path=<upload path> gives "packets", "sessions"
    and the lists "fragments", "errors", "faults" and "session_log" for
    that upload path only (the rest as without it), so that tests sharing
    one server can count their own.

Anything else gets 404; methods other than GET, HEAD and BITS_POST get 501.
"""

import email.utils
import os
import re
import sys
import threading
import time
import traceback
import urllib.parse
import uuid

# serverlib.py (the code shared with http_server.py) lives next to this
# script; run as a script, its directory is usually on sys.path already.
_HERE = os.path.dirname(os.path.abspath(__file__))
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

import serverlib                                            # noqa: E402
from serverlib import (BLOCK, CLIENT_GONE, FIXED_MTIME, HOST,  # noqa: E402
                       MAX_DELAY_MS, BadRequest, digits, parse_bool, parse_int)

PROTOCOL = "{7df0354d-249b-430f-820d-3d2a9bef4931}"
MAX_BODY = 256 << 20            # largest request body read
MAX_UPLOAD = 1 << 32            # largest upload (held in memory)
MAX_REPLY = 1 << 40             # generated lazily
DEFAULT_REPLY_SIZE = 1024

# HRESULTs and contexts sent in BITS-Error-Code / BITS-Error-Context.
BG_E_SESSION_NOT_FOUND = 0x8020001F
E_ACCESSDENIED = 0x80070005
E_INVALIDARG = 0x80070057
E_FAIL = 0x80004005
HR_FILE_NOT_FOUND = 0x80070002       # HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND)
HR_ALREADY_EXISTS = 0x800700B7       # HRESULT_FROM_WIN32(ERROR_ALREADY_EXISTS)
CONTEXT_REMOTE_FILE = 0x5

PACKETS = ("Ping", "Create-Session", "Fragment", "Close-Session", "Cancel-Session")


_CONTENT_RANGE = re.compile(
    r"^\s*bytes[\s=]+(?:(\d+)\s*-\s*(\d+)|(\*)|0\s*-\s*-1)\s*/\s*(\d+)\s*$",
    re.IGNORECASE)


def parse_content_range(value):
    """"bytes a-b/total" -> (a, b, total); an empty file -> (0, -1, 0)."""
    m = _CONTENT_RANGE.match(value or "")
    if not m:
        raise BadRequest("bad Content-Range: %r" % value)
    total = int(m.group(4))
    if m.group(1) is None:                  # "*" or "0--1": empty file only
        if total != 0:
            raise BadRequest("empty range for a non-empty file: %r" % value)
        return 0, -1, 0
    a, b = int(m.group(1)), int(m.group(2))
    if b < a or b >= total:
        raise BadRequest("bad Content-Range: %r" % value)
    if total > MAX_UPLOAD:
        raise BadRequest("upload too large: %d" % total)
    return a, b, total


class Options:
    """The query options of an upload URL (validated)."""
    KNOWN = ("replysize", "echo", "noreply", "dropat", "dropcount",
             "lose_session", "status416", "deny", "conflict", "delayack",
             "errorheader", "hostid", "hostidvalue", "protocol", "nosession",
             "resetat", "slowread", "stall", "stallms", "forget",
             "forgetstatus", "badack", "badackat", "badackstatus")
    STALLABLE = ("Fragment", "Close-Session", "Cancel-Session")

    def __init__(self, query):
        opts = serverlib.query_options(query)
        serverlib.check_options(opts, self.KNOWN)

        def num(name, lo, hi, default=None):
            return parse_int(name, opts[name], lo, hi) if name in opts else default

        self.replysize = num("replysize", 0, MAX_REPLY, DEFAULT_REPLY_SIZE)
        self.echo = parse_bool("echo", opts.get("echo", "0"))
        self.noreply = parse_bool("noreply", opts.get("noreply", "0"))
        self.dropat = num("dropat", 0, MAX_UPLOAD)
        self.dropcount = num("dropcount", 0, 1_000_000, 1)
        self.lose_session = num("lose_session", 0, MAX_UPLOAD)
        self.status416 = num("status416", 0, MAX_UPLOAD)
        self.deny = num("deny", 400, 599)
        self.conflict = parse_bool("conflict", opts.get("conflict", "0"))
        self.delayack = num("delayack", 0, MAX_DELAY_MS, 0)
        self.hostid = parse_bool("hostid", opts.get("hostid", "0"))
        self.hostidvalue = opts.get("hostidvalue")
        self.protocol = opts.get("protocol")
        self.nosession = parse_bool("nosession", opts.get("nosession", "0"))
        self.resetat = num("resetat", 0, MAX_UPLOAD)
        self.slowread = num("slowread", 1, MAX_BODY)
        self.stallms = num("stallms", 0, MAX_DELAY_MS, 60_000)
        self.stall = {}                 # packet -> ms
        for item in filter(None, opts.get("stall", "").split(",")):
            name, _, ms = item.strip().partition(":")
            packet = [p for p in self.STALLABLE if p.lower() == name.lower()]
            if not packet:
                raise BadRequest("stall: not a packet after Create-Session: %r" % name)
            self.stall[packet[0]] = parse_int("stall", ms, 0, MAX_DELAY_MS) if ms else self.stallms
        self.forget = num("forget", 0, MAX_UPLOAD)
        self.forgetstatus = num("forgetstatus", 200, 416, 200)
        self.badack = opts.get("badack")
        self.badackat = num("badackat", 0, MAX_UPLOAD, 0)
        self.badackstatus = num("badackstatus", 200, 416, 200)
        for name in ("forgetstatus", "badackstatus"):
            if getattr(self, name) not in (200, 416):
                raise BadRequest("%s: not 200 or 416" % name)
        for name in ("hostidvalue", "protocol", "badack"):
            value = getattr(self, name)
            if value is not None and (not value or any(ord(c) < 0x20 or ord(c) > 0x7e for c in value)):
                raise BadRequest("%s: empty or not printable ASCII: %r" % (name, value))
        eh = opts.get("errorheader", "bits-error-code").lower()
        if eh not in ("bits-error-code", "bits-error"):
            raise BadRequest("errorheader: not bits-error-code or bits-error: %r" % eh)
        self.error_header = "BITS-Error" if eh == "bits-error" else "BITS-Error-Code"


class Session:
    def __init__(self, sid, path, reply, opts):
        self.sid = sid
        self.path = path
        self.reply = reply          # True for /reply/ targets
        self.opts = opts
        self.data = bytearray()
        self.total = None
        self.content_name = None
        self.complete = False
        self.reply_id = None


class Reply:
    def __init__(self, size, data, path, sid):
        self.size = size
        self.data = data            # bytes (echo=1) or None (pattern)
        self.path = path
        self.sid = sid


class Faults:
    """Per upload path: how many one-shot faults have fired."""
    def __init__(self):
        self.drops = 0
        self.lost = False
        self.s416 = False
        self.reset = False
        self.badack = False


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.sessions = {}          # sid -> Session
        self.uploads = {}           # path -> {"data": bytes, "content_name"}
        self.replies = {}           # id (str) -> Reply
        self.faults = {}            # path -> Faults
        self.reply_counter = 0
        self.clear_stats()

    def clear_stats(self):
        self.total = 0
        self.methods = {}
        self.packets = {}
        self.packets_by_path = {}
        self.sessions_stats = {"created": 0, "closed": 0, "cancelled": 0, "lost": 0}
        self.fragments = []
        self.reply_downloads = []
        self.errors = []
        self.fault_log = []
        self.session_log = []
        self.custom_headers = []

    # All the helpers below expect self.lock to be held.
    def count_request(self, method, path):
        self.total += 1
        key = method + " " + path
        self.methods[key] = self.methods.get(key, 0) + 1

    def count_packet(self, packet, path):
        key = packet if packet in PACKETS else "other"
        self.packets[key] = self.packets.get(key, 0) + 1
        mine = self.packets_by_path.setdefault(path, {})
        mine[key] = mine.get(key, 0) + 1

    append = staticmethod(serverlib.append_capped)

    def log_session(self, event, s):
        self.sessions_stats[event] += 1
        self.append(self.session_log, {"event": event, "path": s.path, "session": s.sid})

    def log_fault(self, name, s, offset, **extra):
        entry = {"fault": name, "path": s.path, "session": s.sid, "offset": offset}
        entry.update(extra)
        self.append(self.fault_log, entry)

    def faults_for(self, path):
        f = self.faults.get(path)
        if f is None:
            f = self.faults[path] = Faults()
        return f

    def snapshot(self, reset=False, path=None):
        """The /stats numbers; for one upload path only if `path` is given."""
        def mine(entries):
            return [e for e in entries if path is None or e.get("path") == path]

        with self.lock:
            sessions = dict(self.sessions_stats)
            if path is not None:
                sessions = {k: 0 for k in sessions}
                for e in mine(self.session_log):
                    sessions[e["event"]] += 1
            data = {
                "requests": self.total,
                "methods": dict(self.methods),
                "packets": dict(self.packets if path is None else self.packets_by_path.get(path, {})),
                "sessions": sessions,
                "fragments": mine(self.fragments),
                "reply_downloads": list(self.reply_downloads),
                "errors": mine(self.errors),
                "faults": mine(self.fault_log),
                "session_log": mine(self.session_log),
                "custom_headers": list(self.custom_headers),
                "uploads": {p: {"size": len(u["data"]),
                                "content_name": u["content_name"]}
                            for p, u in self.uploads.items()},
                "replies": {i: {"size": r.size, "path": r.path, "session": r.sid}
                            for i, r in self.replies.items()},
            }
            if reset:
                self.clear_stats()
            return data


class Dropped(Exception):
    """Close the connection without an answer."""


class Handler(serverlib.BaseHandler):
    server_version = "openbits-test-bits-upload/1.0"

    def _finish_log(self, status, sent, note=""):
        h = self.headers
        self.log_message('"%s" %s packet=%r session=%r content-range=%r range=%r sent=%d%s',
                         self.requestline, status,
                         h.get("BITS-Packet-Type"), h.get("BITS-Session-Id"),
                         h.get("Content-Range"), h.get("Range"), sent,
                         (" " + note) if note else "")

    # --- BITS_POST answers ---------------------------------------------------
    def _ack(self, status, headers=(), note=""):
        self.send_response(status)
        self.send_header("BITS-Packet-Type", "Ack")
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", "0")
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self._finish_log(status, 0, note)

    def _error(self, packet, path, status, code, message, opts=None, headers=()):
        """An error Ack: status, the error code header (unless code is None)
        and BITS-Error-Context; recorded in /stats "errors"."""
        hdrs = list(headers)
        if code is not None:
            name = opts.error_header if opts is not None else "BITS-Error-Code"
            hdrs.append((name, "0x%08X" % code))
            hdrs.append(("BITS-Error-Context", "0x%X" % CONTEXT_REMOTE_FILE))
        with self.server.state.lock:
            self.server.state.append(self.server.state.errors, {
                "packet": packet, "path": path, "status": status,
                "code": ("0x%08X" % code) if code is not None else None,
                "message": message})
        self._ack(status, hdrs, message)

    # --- dispatch ----------------------------------------------------------
    def _split_target(self):
        url = urllib.parse.urlsplit(self.path)
        return url.path, url.query

    def do_BITS_POST(self):
        state = self.server.state
        path, query = self._split_target()
        packet = (self.headers.get("BITS-Packet-Type") or "").strip()
        for p in PACKETS:
            if packet.lower() == p.lower():
                packet = p
        with state.lock:
            state.count_request("BITS_POST", path)
            state.count_packet(packet, path)
            serverlib.record_custom_headers(state.custom_headers, "BITS_POST", self.path, self.headers)
        try:
            sess = self._named_session(packet)
            if sess is not None and packet == "Fragment" and self._reset_fault(sess, path):
                return
            body = self._read_body(sess.opts.slowread if sess is not None and packet == "Fragment" else None)
            if sess is not None and packet in sess.opts.stall:
                self._stall(sess, packet, body)
                return
            if packet == "Ping":
                self._ack(200)
            elif packet == "Create-Session":
                self._create_session(path, query)
            elif packet == "Fragment":
                self._fragment(path, body)
            elif packet in ("Close-Session", "Cancel-Session"):
                self._end_session(packet, path)
            else:
                raise BadRequest("unknown BITS-Packet-Type: %r" % packet)
        except BadRequest as e:
            self._error(packet, path, 400, E_INVALIDARG, "bad request: %s" % e,
                        opts=getattr(e, "opts", None))
        except Dropped as e:
            self._abort()
            self._finish_log("-", 0, "dropped: %s" % e)
        except CLIENT_GONE as e:
            self._client_gone(e)
        except Exception as e:              # never let a bug kill the connection silently
            self.close_connection = True
            self.log_message("internal error: %s", traceback.format_exc())
            try:
                self._error(packet, path, 500, E_FAIL, "internal error: %r" % e)
            except OSError:
                pass

    def _named_session(self, packet):
        """The existing session a packet after Create-Session names, or None."""
        if packet not in Options.STALLABLE:
            return None
        sid = (self.headers.get("BITS-Session-Id") or "").strip()
        with self.server.state.lock:
            return self.server.state.sessions.get(sid)

    def _reset_fault(self, s, path):
        """resetat: read the body up to byte N, keep those bytes, reset the
        connection.  True if it fired."""
        state = self.server.state
        opts = s.opts
        if opts.resetat is None:
            return False
        try:
            a, b, total = parse_content_range(self.headers.get("Content-Range"))
        except BadRequest:
            return False                    # answered as a bad request later
        cl = (self.headers.get("Content-Length") or "").strip()
        with state.lock:
            f = state.faults_for(s.path)
            if f.reset or not a <= opts.resetat <= b or not digits(cl) or int(cl) != b - a + 1:
                return False
            f.reset = True
        part = self._read_exactly(opts.resetat - a)
        with state.lock:
            received = len(s.data)
            written = 0
            if state.sessions.get(s.sid) is s and not s.complete and a <= received < opts.resetat:
                s.data += part[received - a:]
                written = opts.resetat - received
            state.append(state.fragments, {
                "session": s.sid, "path": s.path, "range": "%d-%d/%d" % (a, b, total),
                "bytes": len(part), "written": written, "status": "reset"})
            state.log_fault("resetat", s, opts.resetat)
        self._reset()
        self._finish_log("-", 0, "reset: resetat=%d" % opts.resetat)
        return True

    def _stall(self, s, packet, body):
        """stall: never answer; hold the connection for stallms (less if the
        client closes it first), then close it."""
        state = self.server.state
        with state.lock:
            if packet == "Fragment":
                state.append(state.fragments, {
                    "session": s.sid, "path": s.path, "range": self.headers.get("Content-Range"),
                    "bytes": len(body), "written": 0, "status": "stalled"})
            state.log_fault("stall", s, len(s.data), packet=packet)
        self._hold(s.opts.stall[packet] / 1000.0)
        self._abort()
        self._finish_log("-", 0, "stalled: %s" % packet)

    def _read_exactly(self, n, rate=None):
        """n bytes of the body (at most rate bytes a second, if given)."""
        chunks = []
        left = n
        started = time.monotonic()
        piece = min(BLOCK, 65536) if rate else BLOCK
        while left > 0:
            b = self.rfile.read(min(left, piece))
            if not b:
                raise ConnectionError("body cut short")
            chunks.append(b)
            left -= len(b)
            if rate:
                ahead = (n - left) / rate - (time.monotonic() - started)
                if ahead > 0:
                    time.sleep(ahead)
        return b"".join(chunks)

    def _read_body(self, rate=None):
        if self.headers.get("Transfer-Encoding"):
            self.close_connection = True
            raise BadRequest("Transfer-Encoding is not supported")
        cl = self.headers.get("Content-Length")
        if cl is None:
            return b""
        cl = cl.strip()
        if not digits(cl):
            self.close_connection = True
            raise BadRequest("bad Content-Length: %r" % cl)
        n = int(cl)
        if n > MAX_BODY:
            self.close_connection = True
            raise BadRequest("body too large: %d" % n)
        return self._read_exactly(n, rate)

    # --- Create-Session ----------------------------------------------------
    def _create_session(self, path, query):
        state = self.server.state
        opts = Options(query)
        parts = path.split("/", 2)
        if len(parts) != 3 or parts[1] not in ("upload", "reply") or parts[2] == "":
            self._error("Create-Session", path, 404, HR_FILE_NOT_FOUND,
                        "not an upload target: %s" % path, opts)
            return
        if opts.deny is not None:
            self._error("Create-Session", path, opts.deny, E_ACCESSDENIED,
                        "denied (deny=%d)" % opts.deny, opts)
            return
        if opts.conflict:
            self._error("Create-Session", path, 409, HR_ALREADY_EXISTS,
                        "conflict (conflict=1)", opts)
            return
        offered = re.split(r"[\s,]+", self.headers.get("BITS-Supported-Protocols", "").strip())
        if PROTOCOL.lower() not in (p.lower() for p in offered):
            self._error("Create-Session", path, 400, E_INVALIDARG,
                        "no supported protocol in %r"
                        % self.headers.get("BITS-Supported-Protocols"), opts)
            return
        sid = "{%s}" % uuid.uuid4()
        s = Session(sid, path, parts[1] == "reply", opts)
        headers = [("Accept-Encoding", "Identity")]
        with state.lock:
            state.sessions[sid] = s
            state.log_session("created", s)
            if opts.protocol is not None:
                state.log_fault("protocol", s, None)
            if opts.protocol != "none":
                headers.append(("BITS-Protocol", opts.protocol or PROTOCOL))
            if opts.nosession:
                state.log_fault("nosession", s, None)
            else:
                headers.append(("BITS-Session-Id", sid))
            if opts.hostidvalue is not None:
                state.log_fault("hostidvalue", s, None)
                headers.append(("BITS-Host-Id", opts.hostidvalue))
            elif opts.hostid:
                headers.append(("BITS-Host-Id", "%s:%d" % (HOST, self.server.server_address[1])))
        self._ack(201, headers)

    # --- Fragment ------------------------------------------------------------
    def _fragment(self, path, body):
        state = self.server.state
        sid = (self.headers.get("BITS-Session-Id") or "").strip()
        with state.lock:
            s = state.sessions.get(sid)
        if s is None:
            self._error("Fragment", path, 500, BG_E_SESSION_NOT_FOUND,
                        "no such session: %r" % sid)
            return
        opts = s.opts
        try:
            enc = (self.headers.get("Content-Encoding") or "identity").strip().lower()
            if enc != "identity":
                raise BadRequest("Content-Encoding not supported: %r" % enc)
            a, b, total = parse_content_range(self.headers.get("Content-Range"))
            if self.headers.get("Content-Length") is None:
                self.close_connection = True    # where would its body end?
                raise BadRequest("no Content-Length")
            if len(body) != b - a + 1:
                raise BadRequest("Content-Length %d does not match Content-Range %d-%d"
                                 % (len(body), a, b))
        except BadRequest as e:
            e.opts = opts
            raise
        rng = "%d-%d/%d" % (a, b, total)
        delay = 0
        reply_url = None
        with state.lock:
            if state.sessions.get(sid) is not s:     # cancelled meanwhile
                s = None
            elif s.total is not None and s.total != total:
                e = BadRequest("total %d differs from the session's %d" % (total, s.total))
                e.opts = opts
                raise e
            if s is not None:
                result = self._apply_fragment(s, a, b, total, body, rng)
                if s.complete and s.reply_id is not None:
                    reply_url = "http://%s:%d/replies/%s" % (
                        HOST, self.server.server_address[1], s.reply_id)
        if s is None:
            self._error("Fragment", path, 500, BG_E_SESSION_NOT_FOUND,
                        "no such session: %r" % sid, opts)
            return
        kind, value = result
        if kind == "drop":
            raise Dropped("dropat=%d" % opts.dropat)
        if kind == "lost":
            self._error("Fragment", path, 500, BG_E_SESSION_NOT_FOUND,
                        "session lost (lose_session=%d)" % opts.lose_session, opts)
            return
        if kind in ("forget", "badack"):
            status = opts.forgetstatus if kind == "forget" else opts.badackstatus
            text = "0" if kind == "forget" else opts.badack
            headers = [("BITS-Session-Id", sid)]
            if text != "none":
                headers.append(("BITS-Received-Content-Range", text))
            if reply_url is not None:
                headers.append(("BITS-Reply-URL", reply_url))
            if status == 416:
                self._error("Fragment", path, 416, None, "%s: received %s" % (kind, text),
                            opts, headers)
            else:
                self._ack(200, headers, "%s: received %s" % (kind, text))
            return
        headers = [("BITS-Session-Id", sid), ("BITS-Received-Content-Range", str(value))]
        if kind == "416":
            self._error("Fragment", path, 416, None,
                        "range not satisfiable: %s, received %d" % (rng, value),
                        opts, headers)
            return
        if reply_url is not None:
            headers.append(("BITS-Reply-URL", reply_url))
        if b + 1 == total and opts.delayack:
            delay = opts.delayack
        if delay:
            time.sleep(delay / 1000.0)
        self._ack(200, headers)

    def _apply_fragment(self, s, a, b, total, body, rng):
        """Under the state lock: faults, then write.  Returns (kind, value):
        ("ok", received), ("416", received), ("lost", None), ("drop", None),
        ("forget", None), ("badack", None)."""
        state = self.server.state
        opts = s.opts
        received = len(s.data)
        frag = {"session": s.sid, "path": s.path, "range": rng,
                "bytes": len(body), "written": 0, "status": 200}
        state.append(state.fragments, frag)
        if s.complete:
            return ("ok", received)
        s.total = total
        if s.content_name is None and self.headers.get("Content-Name") is not None:
            s.content_name = self.headers.get("Content-Name")
        f = state.faults_for(s.path)

        def fault(name, offset):
            state.log_fault(name, s, offset)

        if opts.lose_session is not None and not f.lost and received >= opts.lose_session:
            f.lost = True
            del state.sessions[s.sid]
            state.log_session("lost", s)
            fault("lose_session", received)
            frag["status"] = 500
            return ("lost", None)
        if opts.status416 is not None and not f.s416 and received >= opts.status416:
            f.s416 = True
            fault("status416", received)
            frag["status"] = 416
            return ("416", received)
        if opts.forget is not None and received >= opts.forget:
            s.data = bytearray()
            fault("forget", received)
            frag["status"] = opts.forgetstatus
            return ("forget", None)
        badack = opts.badack is not None and not f.badack and received >= opts.badackat
        if badack:
            f.badack = True
            fault("badack", received)
            frag["status"] = opts.badackstatus
            if opts.badackstatus == 416:
                return ("badack", None)
        if a > received and not badack:
            frag["status"] = 416
            return ("416", received)
        dropping = (opts.dropat is not None and f.drops < opts.dropcount
                    and a <= opts.dropat <= b)
        end = opts.dropat if dropping else b + 1        # exclusive
        if end > received:
            s.data += body[received - a:end - a]
            frag["written"] = end - received
        if dropping:
            f.drops += 1
            fault("dropat", opts.dropat)
            frag["status"] = "dropped"
            return ("drop", None)
        if len(s.data) == total:
            self._commit(s)
        return ("badack", None) if badack else ("ok", len(s.data))

    def _commit(self, s):
        state = self.server.state
        s.complete = True
        data = bytes(s.data)
        s.data = bytearray(data)        # keep len() for retransmissions
        state.uploads[s.path] = {"data": data, "content_name": s.content_name}
        state.faults.pop(s.path, None)
        if s.reply and not s.opts.noreply:
            state.reply_counter += 1
            rid = str(state.reply_counter)
            if s.opts.echo:
                state.replies[rid] = Reply(len(data), data, s.path, s.sid)
            else:
                state.replies[rid] = Reply(s.opts.replysize, None, s.path, s.sid)
            s.reply_id = rid

    # --- Close-Session / Cancel-Session -------------------------------------
    def _end_session(self, packet, path):
        state = self.server.state
        sid = (self.headers.get("BITS-Session-Id") or "").strip()
        with state.lock:
            s = state.sessions.pop(sid, None)
            if s is not None:
                if packet == "Close-Session":
                    state.log_session("closed", s)
                else:
                    state.log_session("cancelled", s)
                    if s.reply_id is not None:
                        state.replies.pop(s.reply_id, None)
                    state.faults.pop(s.path, None)
                s.data = bytearray()
        if s is None:
            self._error(packet, path, 500, BG_E_SESSION_NOT_FOUND,
                        "no such session: %r" % sid)
            return
        self._ack(200, [("BITS-Session-Id", sid)])

    # --- GET / HEAD ------------------------------------------------------------
    def do_GET(self):
        self._get(head=False)

    def do_HEAD(self):
        self._get(head=True)

    def _get(self, head):
        state = self.server.state
        method = "HEAD" if head else "GET"
        path, query = self._split_target()
        if path != "/stats":
            with state.lock:
                state.count_request(method, path)
                serverlib.record_custom_headers(state.custom_headers, method, self.path, self.headers)
        with self._answering(head):
            opts = serverlib.query_options(query)
            if path == "/stats":
                self._send_stats(lambda reset: state.snapshot(reset, opts.get("path")), opts, head)
                return
            if path.startswith("/uploaded/") and len(path) > len("/uploaded/"):
                with state.lock:
                    u = state.uploads.get(path[len("/uploaded"):])
                if u is None:
                    self._send_text(404, "nothing uploaded to %s\n"
                                    % path[len("/uploaded"):], head=head)
                    return
                data = u["data"]
                self._content(len(data), data, "u", head)
                return
            if path.startswith("/replies/"):
                rid = path[len("/replies/"):]

                def record(status, nbytes):
                    # Before the answer goes out, so that /stats lists
                    # downloads in the order the client saw them answered.
                    with state.lock:
                        state.append(state.reply_downloads, {
                            "id": rid, "method": method,
                            "range": self.headers.get("Range"),
                            "status": status, "bytes": nbytes})

                with state.lock:
                    r = state.replies.get(rid)
                if r is None:
                    record(404, 0)
                    self._send_text(404, "no such reply: %s\n" % rid, head=head)
                else:
                    self._content(r.size, r.data, "r" + rid, head, record)
                return
            self._send_text(404, "not found: %s\n" % path, head=head)

    def _content(self, size, data, tag, head, record=None):
        """Serve `data` (bytes) or, if None, `size` bytes of the pattern, with
        Range.  record(status, body bytes), if given, is called just before
        the answer is sent."""
        record = record or (lambda status, nbytes: None)
        last_modified = email.utils.formatdate(FIXED_MTIME, usegmt=True)
        etag = '"%s-%x"' % (tag, size)
        picked = self._pick_range(size, last_modified, etag, honour=not head,
                                  before_416=lambda: record(416, 0))
        if picked is None:
            return                                  # answered 416
        first, last, code = picked
        record(code, 0 if head else last - first + 1)
        self._send_content_headers(code, first, last, size, last_modified, etag)
        sent = 0 if head else self._write_body(first, last + 1, data)
        self._finish_log(code, sent)


def main(argv=None):
    ap = serverlib.argument_parser("openbits loopback BITS upload test server")
    args = serverlib.parse_args(ap, argv)
    server = serverlib.make_server(serverlib.Server, Handler, args)
    server.state = State()
    return serverlib.serve(server, args, "bits_upload_server")


if __name__ == "__main__":
    sys.exit(main())
