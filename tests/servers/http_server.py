#!/usr/bin/env python3
"""Loopback HTTP/1.1 (or HTTPS) test server for openbits download tests.

Python 3 standard library only.  The server listens on 127.0.0.1 only, on an
ephemeral port, and serves generated content, so tests need no files on disk.
The code it shares with bits_upload_server.py (the content pattern, Range
parsing and answers, the port file, --lifetime, signals, --log and the server
start-up) lives in serverlib.py, next to this script.

Command line
------------
    http_server.py --port-file PATH [--lifetime SECONDS] [--log PATH]
                   [--tls-cert PATH --tls-key PATH]

--port-file  The port number (decimal, then a newline) is written to a
             temporary name next to PATH and renamed to PATH, so a reader
             never sees a partial file.  The file is removed on a clean exit.
--lifetime   Exit after this many seconds (default 1800), so a forgotten
             server never outlives a CI job.  SIGTERM and SIGINT exit at once
             with status 0.
--log        Append one line per request (method, target, Range, status,
             body bytes sent) to this file.  Without it the server is silent.
--tls-cert, --tls-key
             Serve HTTPS instead: the certificate chain (PEM) and its private
             key (PEM, unencrypted).  Every URL and option below is the same.
             The TLS handshake happens in the connection's own thread; a
             failed handshake (a client that rejects the certificate) is
             logged as "tls handshake failed" and the connection closed.
             tls/make_test_cert.sh makes a test CA and a certificate for
             127.0.0.1 and localhost.

URLs
----
/data/<size>
    <size> bytes (decimal, may exceed 4 GiB) of a deterministic pattern:

        byte[i] = (i * 7 + i // 251) & 0xFF        for i = 0 .. size-1

    (equivalently, with i = 251*q + r: (222*q + 7*r) & 0xFF; the pattern
    repeats every 32128 bytes).  In C:
        (unsigned char)(i * 7 + i / 251)          with i a uint64_t.
    The body is generated lazily and sent in blocks of at most 1 MiB.
    HEAD and GET answer Content-Length, Last-Modified (a fixed date),
    ETag, Accept-Ranges: bytes, Content-Type: application/octet-stream.
    GET honours a single range: "Range: bytes=a-b", "bytes=a-", "bytes=-n",
    answering 206 with Content-Range; an unsatisfiable range gets 416 with
    "Content-Range: bytes */<size>".  A malformed or multi-range header is
    ignored (200, full body).  If-Range is honoured: when it matches neither
    the current ETag nor the current Last-Modified, the full body is sent.
    HEAD ignores Range.

    Query options (combinable; an unknown option or a bad value gets 400):
      nolength=1   no Content-Length: the body is delimited by closing the
                   connection ("Connection: close"); HEAD has no length
                   either; a 206 then says "Content-Range: bytes a-b/*".
      norange=1    Range is ignored: always 200 with the full body, and no
                   Accept-Ranges header.
      rate=<B/s>   trickle: the body is paced to that many bytes per second,
                   in small chunks (at most 16 KiB, about 20 per second).
      dropat=<N>   headers (with the normal Content-Length) and the body up
                   to absolute offset N are sent, then the connection is
                   closed (FIN) without the rest.  A request whose range
                   starts at or after N, or ends before N, is served
                   normally, so a client resuming with Range succeeds.
      status=<c>   answer status c (200-599) with a short text body, for GET
                   and HEAD alike.
      changing=1   Last-Modified and ETag change on every request (the
                   server-wide request counter is added to the fixed date,
                   in seconds); the content and size stay as given.
      delay=<ms>   wait that long before sending the response headers.
      auth=<user>:<password>
                   HTTP Basic authentication: unless the request carries
                   "Authorization: Basic base64(user:password)", the answer
                   (GET and HEAD) is 401 with
                   'WWW-Authenticate: Basic realm="openbits"'.

/status/<code>
    Answers <code> (200-599) with a short text body (none for 204 and 304).

/stats
    JSON: {"requests": total, "paths": {path: count}, "targets":
    {path?query: count}, "methods": {"GET /path": count}, "ranges":
    [{"method", "target", "range", "if_range"}, ...], "proxied": count} for
    every request seen except those to /stats itself.  "ranges" lists each
    request that carried a Range header (at most 10000 entries); "proxied"
    counts the requests whose request-target was an absolute URI (see
    below).  /stats?reset=1 returns the numbers and then clears them.

A request-target that is an absolute URI ("GET http://host:port/data/10
HTTP/1.1", as a proxy receives it) is served like its path and query, whatever
the host named; so the server doubles as an HTTP proxy for tests.  /stats
records it under its path and query and counts it in "proxied".

Anything else gets 404; methods other than GET and HEAD get 501.
"""

import base64
import binascii
import email.utils
import http
import os
import ssl
import sys
import threading
import time
import urllib.parse

# serverlib.py (the code shared with bits_upload_server.py) lives next to this
# script; run as a script, its directory is usually on sys.path already.
_HERE = os.path.dirname(os.path.abspath(__file__))
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

import serverlib                                            # noqa: E402
from serverlib import (FIXED_MTIME, MAX_DELAY_MS, SOCKET_TIMEOUT,  # noqa: E402
                       BadRequest, append_capped, parse_bool, parse_int,
                       pattern_slice)

MAX_SIZE = 1 << 62              # sanity bound on /data/<size>


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.counter = 0        # every request, including /stats
        self.clear()

    def clear(self):
        self.total = 0
        self.paths = {}
        self.targets = {}
        self.methods = {}
        self.ranges = []
        self.proxied = 0

    def next_serial(self):
        with self.lock:
            self.counter += 1
            return self.counter

    def record(self, method, path, target, rng, if_range, proxied):
        with self.lock:
            self.total += 1
            self.proxied += 1 if proxied else 0
            self.paths[path] = self.paths.get(path, 0) + 1
            self.targets[target] = self.targets.get(target, 0) + 1
            key = method + " " + path
            self.methods[key] = self.methods.get(key, 0) + 1
            if rng is not None:
                append_capped(self.ranges, {"method": method, "target": target,
                                            "range": rng, "if_range": if_range})

    def snapshot(self, reset=False):
        with self.lock:
            data = {"requests": self.total, "paths": dict(self.paths),
                    "targets": dict(self.targets),
                    "methods": dict(self.methods),
                    "ranges": list(self.ranges),
                    "proxied": self.proxied}
            if reset:
                self.clear()
            return data


class Handler(serverlib.BaseHandler):
    server_version = "openbits-test-http/1.0"

    def _finish_log(self, status, sent, note=""):
        self.log_message('"%s" %s range=%r sent=%d%s',
                         self.requestline, status,
                         self.headers.get("Range"), sent,
                         (" " + note) if note else "")

    def _status_response(self, code, head):
        try:
            reason = http.HTTPStatus(code).phrase
        except ValueError:
            reason = "Status"
        self._send_text(code, "%d %s\n" % (code, reason), head=head)

    # --- dispatch ----------------------------------------------------------
    def do_GET(self):
        self._dispatch(head=False)

    def do_HEAD(self):
        self._dispatch(head=True)

    def _dispatch(self, head):
        serial = self.server.stats.next_serial()
        url = urllib.parse.urlsplit(self.path)
        path = url.path
        proxied = bool(url.scheme and url.netloc)
        target = path + ("?" + url.query if url.query else "") if proxied else self.path
        method = "HEAD" if head else "GET"
        if path != "/stats":
            self.server.stats.record(method, path, target,
                                     self.headers.get("Range"),
                                     self.headers.get("If-Range"), proxied)
        with self._answering(head):
            opts = serverlib.query_options(url.query)
            parts = path.split("/")
            if path == "/stats":
                self._send_stats(self.server.stats.snapshot, opts, head)
                return
            if len(parts) == 3 and parts[1] == "status":
                self._status_response(parse_int("code", parts[2], 200, 599), head)
                return
            if len(parts) == 3 and parts[1] == "data":
                size = parse_int("size", parts[2], 0, MAX_SIZE)
                self._data(size, opts, head, serial)
                return
            self._send_text(404, "not found: %s\n" % path, head=head)

    # --- /data/<size> -------------------------------------------------------
    KNOWN = ("nolength", "norange", "rate", "dropat", "status", "changing",
             "delay", "auth")

    def _authorized(self, auth):
        """True if the request's Authorization matches "user:password"."""
        if ":" not in auth:
            raise BadRequest("auth: not user:password: %r" % auth)
        given = self.headers.get("Authorization", "").strip()
        scheme, _, token = given.partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            return base64.b64decode(token.strip(), validate=True) == auth.encode("utf-8")
        except (binascii.Error, ValueError):
            return False

    def _data(self, size, opts, head, serial):
        serverlib.check_options(opts, self.KNOWN)
        nolength = parse_bool("nolength", opts.get("nolength", "0"))
        norange = parse_bool("norange", opts.get("norange", "0"))
        changing = parse_bool("changing", opts.get("changing", "0"))
        rate = parse_int("rate", opts["rate"], 1, MAX_SIZE) if "rate" in opts else None
        dropat = parse_int("dropat", opts["dropat"], 0, MAX_SIZE) if "dropat" in opts else None
        status = parse_int("status", opts["status"], 200, 599) if "status" in opts else None
        delay = parse_int("delay", opts["delay"], 0, MAX_DELAY_MS) if "delay" in opts else 0
        if "auth" in opts and not self._authorized(opts["auth"]):
            self._send_text(401, "authentication required\n", head=head,
                            extra=[("WWW-Authenticate", 'Basic realm="openbits"')])
            return

        if delay:
            time.sleep(delay / 1000.0)
        if status is not None:
            self._status_response(status, head)
            return

        mtime = FIXED_MTIME + (serial if changing else 0)
        last_modified = email.utils.formatdate(mtime, usegmt=True)
        etag = '"%x-%x"' % (size, mtime)

        # Range applies to GET only, unless norange=1 or If-Range names
        # neither the current ETag nor the current Last-Modified.
        if_range = self.headers.get("If-Range")
        honour = (not head and not norange
                  and (if_range is None or if_range.strip() in (etag, last_modified)))
        picked = self._pick_range(size, last_modified, etag, honour)
        if picked is None:
            return                                  # answered 416
        first, last, code = picked
        self._send_content_headers(code, first, last, size, last_modified, etag,
                                   ranges=not norange, length=not nolength)
        if head:
            self._finish_log(code, 0)
            return

        # Where to stop: the end of the range, or the drop offset if it
        # falls strictly inside the range (a range starting at the offset
        # is served in full).
        stop = last + 1
        dropping = dropat is not None and first < dropat <= last
        if dropping:
            stop = dropat
        sent = self._stream(first, stop, rate)
        if dropping:
            self._abort()
            self._finish_log(code, sent, "dropped at %d" % dropat)
            return
        if nolength:
            self._abort()
        self._finish_log(code, sent)

    def _stream(self, start, stop, rate):
        """Send pattern bytes [start, stop).  Returns the count sent."""
        if rate is None:
            return self._write_body(start, stop)
        out = self.wfile
        pos = start
        chunk = max(1, min(16384, rate // 20))
        t0 = time.monotonic()
        while pos < stop:
            n = min(chunk, stop - pos)
            # Sleep until sending these n bytes keeps us at or under `rate`.
            due = t0 + (pos - start + n) / rate
            wait = due - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            out.write(pattern_slice(pos, n))
            pos += n
        return pos - start


class Server(serverlib.Server):
    ssl_context = None          # set for HTTPS

    def finish_request(self, request, client_address):
        """Runs in the connection's thread: the TLS handshake happens here,
        so a slow or failing client never blocks the accepting thread."""
        if self.ssl_context is None:
            super().finish_request(request, client_address)
            return
        request.settimeout(SOCKET_TIMEOUT)
        try:
            tls = self.ssl_context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError) as e:
            self.log_line("%s %s tls handshake failed: %s\n"
                          % (time.strftime("%d/%b/%Y %H:%M:%S"), client_address[0], e))
            return
        try:
            super().finish_request(tls, client_address)
        finally:
            self.shutdown_request(tls)      # the plain socket was detached


def tls_context(cert, key):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


def main(argv=None):
    ap = serverlib.argument_parser("openbits loopback HTTP test server")
    ap.add_argument("--tls-cert", help="serve HTTPS with this certificate chain (PEM)")
    ap.add_argument("--tls-key", help="the private key of --tls-cert (PEM)")
    args = serverlib.parse_args(ap, argv)
    if bool(args.tls_cert) != bool(args.tls_key):
        ap.error("--tls-cert and --tls-key go together")

    server = serverlib.make_server(Server, Handler, args)
    server.stats = Stats()
    if args.tls_cert:
        server.ssl_context = tls_context(args.tls_cert, args.tls_key)
    return serverlib.serve(server, args, "http_server",
                           "https" if args.tls_cert else "http")


if __name__ == "__main__":
    sys.exit(main())
