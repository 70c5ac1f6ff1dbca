#!/usr/bin/env python3
"""Loopback HTTP/1.1 (or HTTPS) test server for openbits download tests.

Python 3 standard library only.  The server listens on 127.0.0.1 only, on an
ephemeral port, and serves generated content, so tests need no files on disk.

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

import argparse
import base64
import binascii
import email.utils
import http.server
import json
import os
import signal
import socket
import ssl
import sys
import threading
import time
import urllib.parse

HOST = "127.0.0.1"
BLOCK = 1 << 20                 # largest single write of body data
PERIOD = 251 * 128              # the pattern repeats every 32128 bytes
MAX_SIZE = 1 << 62              # sanity bound on /data/<size>
MAX_DELAY_MS = 600_000
MAX_RANGE_LOG = 10_000
FIXED_MTIME = 1640995200        # Sat, 01 Jan 2022 00:00:00 GMT
SOCKET_TIMEOUT = 30             # seconds, per socket operation


def pattern_byte(i):
    """Reference formula (used by the self test)."""
    return (i * 7 + i // 251) & 0xFF


# One period of the pattern plus one block, so that any block of at most
# BLOCK bytes is a slice of this buffer: the byte at offset i is
# _PATTERN[i % PERIOD].
_ONE_PERIOD = bytes(pattern_byte(i) for i in range(PERIOD))
_PATTERN = memoryview(_ONE_PERIOD * (BLOCK // PERIOD + 2))


def pattern_slice(offset, length):
    """The pattern bytes [offset, offset + length), length <= BLOCK."""
    start = offset % PERIOD
    return _PATTERN[start:start + length]


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
            if rng is not None and len(self.ranges) < MAX_RANGE_LOG:
                self.ranges.append({"method": method, "target": target,
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


class BadRequest(Exception):
    pass


def parse_int(name, value, lo, hi):
    if not (value.isascii() and value.isdigit()):
        raise BadRequest("%s: not a decimal number: %r" % (name, value))
    n = int(value)
    if n < lo or n > hi:
        raise BadRequest("%s: out of range [%d, %d]: %d" % (name, lo, hi, n))
    return n


def parse_bool(name, value):
    v = value.lower()
    if v in ("1", "true", "yes", "on"):
        return True
    if v in ("0", "false", "no", "off", ""):
        return False
    raise BadRequest("%s: not a boolean: %r" % (name, value))


def _digits(s):
    return s.isascii() and s.isdigit()


def parse_range(header, size):
    """Parse a Range header against a resource of `size` bytes.

    Returns None to ignore the header (malformed, multi-range, not bytes),
    "unsatisfiable", or an inclusive (first, last) pair.
    """
    h = header.strip()
    if not h.lower().startswith("bytes="):
        return None
    spec = h[6:].strip()
    if "," in spec or "-" not in spec:
        return None
    a, b = (x.strip() for x in spec.split("-", 1))
    if a == "":
        if not _digits(b):
            return None
        n = int(b)
        if n == 0 or size == 0:
            return "unsatisfiable"
        return (max(0, size - n), size - 1)
    if not _digits(a) or (b != "" and not _digits(b)):
        return None
    first = int(a)
    if b != "" and int(b) < first:
        return None                     # syntactically invalid: ignore
    if first >= size:
        return "unsatisfiable"
    last = int(b) if b != "" else size - 1
    return (first, min(last, size - 1))


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "openbits-test-http/1.0"
    sys_version = ""
    timeout = SOCKET_TIMEOUT            # StreamRequestHandler sets it on the socket

    def version_string(self):
        return self.server_version

    # --- logging -----------------------------------------------------------
    def log_message(self, fmt, *args):
        log = self.server.log_file
        if log is None:
            return
        line = "%s %s %s\n" % (self.log_date_time_string(),
                               self.address_string(), fmt % args)
        with self.server.log_lock:
            log.write(line)
            log.flush()

    def log_request(self, code="-", size="-"):
        pass                            # logged once per request in _finish_log

    def _finish_log(self, status, sent, note=""):
        self.log_message('"%s" %s range=%r sent=%d%s',
                         self.requestline, status,
                         self.headers.get("Range"), sent,
                         (" " + note) if note else "")

    # --- helpers -----------------------------------------------------------
    def _send_text(self, status, text, head=False, extra=()):
        body = text.encode("utf-8")
        self.send_response(status)
        for k, v in extra:
            self.send_header(k, v)
        if status in (204, 304):
            body = b""
        else:
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head and body:
            self.wfile.write(body)
        self._finish_log(status, 0 if head else len(body))

    def _status_response(self, code, head):
        try:
            reason = http.HTTPStatus(code).phrase
        except ValueError:
            reason = "Status"
        self._send_text(code, "%d %s\n" % (code, reason), head=head)

    def _abort(self):
        """Close the connection now (FIN after the bytes already sent)."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

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
        try:
            query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
            opts = {k: v[-1] for k, v in query.items()}
            parts = path.split("/")
            if path == "/stats":
                reset = parse_bool("reset", opts.get("reset", "0"))
                body = json.dumps(self.server.stats.snapshot(reset),
                                  sort_keys=True, indent=1) + "\n"
                self._send_text(200, body, head=head,
                                extra=[("Cache-Control", "no-store")])
                return
            if len(parts) == 3 and parts[1] == "status":
                self._status_response(parse_int("code", parts[2], 200, 599), head)
                return
            if len(parts) == 3 and parts[1] == "data":
                size = parse_int("size", parts[2], 0, MAX_SIZE)
                self._data(size, opts, head, serial)
                return
            self._send_text(404, "not found: %s\n" % path, head=head)
        except BadRequest as e:
            self._send_text(400, "bad request: %s\n" % e, head=head)
        except (ConnectionError, socket.timeout, TimeoutError) as e:
            self.close_connection = True
            self._finish_log("-", 0, "client gone: %s" % e.__class__.__name__)

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
        for k in opts:
            if k not in self.KNOWN:
                raise BadRequest("unknown option %r" % k)
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

        first, last, code = 0, size - 1, 200
        rng = self.headers.get("Range")
        if_range = self.headers.get("If-Range")
        if (not head and not norange and rng is not None
                and (if_range is None
                     or if_range.strip() in (etag, last_modified))):
            r = parse_range(rng, size)
            if r == "unsatisfiable":
                self._send_text(416, "range not satisfiable\n",
                                extra=[("Content-Range", "bytes */%d" % size),
                                       ("Last-Modified", last_modified),
                                       ("ETag", etag)])
                return
            if r is not None:
                first, last = r
                code = 206
        length = last - first + 1

        self.send_response(code)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Last-Modified", last_modified)
        self.send_header("ETag", etag)
        if not norange:
            self.send_header("Accept-Ranges", "bytes")
        if code == 206:
            total = "*" if nolength else str(size)
            self.send_header("Content-Range",
                             "bytes %d-%d/%s" % (first, last, total))
        if nolength:
            self.send_header("Connection", "close")
            self.close_connection = True
        else:
            self.send_header("Content-Length", str(length))
        self.end_headers()
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
        out = self.wfile
        pos = start
        if rate is None:
            while pos < stop:
                n = min(BLOCK, stop - pos)
                out.write(pattern_slice(pos, n))
                pos += n
            return pos - start
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


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = False
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

    def log_line(self, line):
        if self.log_file is None:
            return
        with self.log_lock:
            self.log_file.write(line)
            self.log_file.flush()


def tls_context(cert, key):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


def write_port_file(path, port):
    directory = os.path.dirname(os.path.abspath(path))
    tmp = os.path.join(directory, ".%s.%d.tmp" % (os.path.basename(path), os.getpid()))
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def main(argv=None):
    ap = argparse.ArgumentParser(description="openbits loopback HTTP test server")
    ap.add_argument("--port-file", required=True, help="write the port number here")
    ap.add_argument("--lifetime", type=float, default=1800.0,
                    help="exit after this many seconds (default 1800)")
    ap.add_argument("--log", help="append a request log to this file")
    ap.add_argument("--tls-cert", help="serve HTTPS with this certificate chain (PEM)")
    ap.add_argument("--tls-key", help="the private key of --tls-cert (PEM)")
    args = ap.parse_args(argv)
    if not args.lifetime > 0:
        ap.error("--lifetime must be positive")
    if bool(args.tls_cert) != bool(args.tls_key):
        ap.error("--tls-cert and --tls-key go together")

    server = Server((HOST, 0), Handler)
    server.stats = Stats()
    server.log_lock = threading.Lock()
    server.log_file = open(args.log, "a", buffering=1) if args.log else None
    if args.tls_cert:
        server.ssl_context = tls_context(args.tls_cert, args.tls_key)

    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    port = server.server_address[1]
    # The serving thread and its request threads block SIGTERM/SIGINT, so
    # the kernel delivers them to the main thread and its wait ends at once.
    stop_signals = {signal.SIGTERM, signal.SIGINT}
    signal.pthread_sigmask(signal.SIG_BLOCK, stop_signals)
    thread = threading.Thread(target=server.serve_forever,
                              kwargs={"poll_interval": 0.2}, daemon=True)
    thread.start()
    signal.pthread_sigmask(signal.SIG_UNBLOCK, stop_signals)
    write_port_file(args.port_file, port)
    print("http_server: listening on %s://%s:%d (pid %d, lifetime %gs)"
          % ("https" if args.tls_cert else "http", HOST, port, os.getpid(),
             args.lifetime), flush=True)

    deadline = time.monotonic() + args.lifetime
    # Bounded wait in short steps, so signals are handled promptly.
    while not stop.is_set():
        left = deadline - time.monotonic()
        if left <= 0:
            print("http_server: lifetime over, exiting", flush=True)
            break
        stop.wait(min(left, 0.5))
    else:
        print("http_server: signal received, exiting", flush=True)

    server.shutdown()
    server.server_close()
    try:
        with open(args.port_file) as f:
            if f.read().strip() == str(port):
                os.remove(args.port_file)
    except OSError:
        pass
    if server.log_file is not None:
        server.log_file.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
