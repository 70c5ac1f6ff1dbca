"""Code shared by the loopback test servers http_server.py (downloads) and
bits_upload_server.py (BITS uploads).  Python 3 standard library only.

The servers' module docstrings specify their behaviour; this module holds the
parts they have in common:

  - the generated content pattern, for i = 0 .. size-1

        byte[i] = (i * 7 + i // 251) & 0xFF

    (the pattern repeats every PERIOD = 32128 bytes), served lazily in
    blocks of at most BLOCK = 1 MiB: pattern_byte, pattern_slice,
    BaseHandler._write_body;
  - request parsing: BadRequest (answered 400), parse_int, parse_bool,
    digits, query_options, check_options, and parse_range (a single
    "bytes=a-b", "bytes=a-" or "bytes=-n"; anything else is ignored);
  - BaseHandler: HTTP/1.1 keep-alive with a per-socket timeout, one log line
    per request (_finish_log, defined by each server), text answers, the
    /stats answer (?reset=1), Range answers (206 with Content-Range, 416 with
    "Content-Range: bytes */<size>"), Last-Modified/ETag headers, and
    closing a connection early;
  - Server (a ThreadingHTTPServer with daemon threads and the --log file)
    and the process frame: argument_parser/parse_args (--port-file,
    --lifetime, --log), make_server and serve: listen on 127.0.0.1 on an
    ephemeral port, write the port file atomically (write_port_file), exit
    after --lifetime seconds or at once on SIGTERM/SIGINT (status 0), and
    remove the port file on a clean exit.

The servers import it from their own directory (see the sys.path line at the
top of each), so they run as scripts from any current directory.
"""

import argparse
import contextlib
import http.server
import json
import os
import signal
import select
import socket
import struct
import threading
import time
import urllib.parse

HOST = "127.0.0.1"
BLOCK = 1 << 20                 # largest single write of body data
PERIOD = 251 * 128              # the pattern repeats every 32128 bytes
MAX_DELAY_MS = 600_000
MAX_LIST = 10_000               # longest list kept for /stats
FIXED_MTIME = 1640995200        # Sat, 01 Jan 2022 00:00:00 GMT
SOCKET_TIMEOUT = 30             # seconds, per socket operation
CLIENT_GONE = (ConnectionError, socket.timeout, TimeoutError)


# --- the content pattern -----------------------------------------------------
def pattern_byte(i):
    """Reference formula of the generated content."""
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


# --- request parsing ---------------------------------------------------------
class BadRequest(Exception):
    pass


def digits(s):
    return s.isascii() and s.isdigit()


def parse_int(name, value, lo, hi):
    if not digits(value):
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


def query_options(query):
    """A query string as {name: value}; the last of repeated names wins."""
    q = urllib.parse.parse_qs(query, keep_blank_values=True)
    return {k: v[-1] for k, v in q.items()}


def check_options(opts, known):
    for k in opts:
        if k not in known:
            raise BadRequest("unknown option %r" % k)


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
        if not digits(b):
            return None
        n = int(b)
        if n == 0 or size == 0:
            return "unsatisfiable"
        return (max(0, size - n), size - 1)
    if not digits(a) or (b != "" and not digits(b)):
        return None
    first = int(a)
    if b != "" and int(b) < first:
        return None                     # syntactically invalid: ignore
    if first >= size:
        return "unsatisfiable"
    last = int(b) if b != "" else size - 1
    return (first, min(last, size - 1))


def append_capped(lst, item):
    """Append to a /stats list unless it already holds MAX_LIST entries."""
    if len(lst) < MAX_LIST:
        lst.append(item)


def record_custom_headers(lst, method, target, headers):
    """Appends "METHOD target|Name: value" to lst for each request header
    whose name starts with "X-" (the ones tests set as a job's custom
    headers), in the order received; /stats lists them as "custom_headers"."""
    for name, value in headers.items():
        if name.lower().startswith("x-"):
            append_capped(lst, "%s %s|%s: %s" % (method, target, name, value))


# --- the request handler base ------------------------------------------------
class BaseHandler(http.server.BaseHTTPRequestHandler):
    """Subclasses set server_version and define _finish_log(status, sent,
    note=""), which logs the request once it is answered."""
    protocol_version = "HTTP/1.1"
    sys_version = ""
    timeout = SOCKET_TIMEOUT            # StreamRequestHandler sets it on the socket

    def version_string(self):
        return self.server_version

    # --- logging -----------------------------------------------------------
    def log_message(self, fmt, *args):
        self.server.log_line("%s %s %s\n" % (self.log_date_time_string(),
                                             self.address_string(), fmt % args))

    def log_request(self, code="-", size="-"):
        pass                            # logged once per request in _finish_log

    # --- answers -----------------------------------------------------------
    def _send_text(self, status, text, head=False, extra=()):
        """A short text/plain answer (no body for 204 and 304)."""
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

    def _send_stats(self, snapshot, opts, head):
        """The /stats answer: JSON of snapshot(reset), reset from ?reset=."""
        reset = parse_bool("reset", opts.get("reset", "0"))
        body = json.dumps(snapshot(reset), sort_keys=True, indent=1) + "\n"
        self._send_text(200, body, head=head, extra=[("Cache-Control", "no-store")])

    def _client_gone(self, e):
        self.close_connection = True
        self._finish_log("-", 0, "client gone: %s" % e.__class__.__name__)

    @contextlib.contextmanager
    def _answering(self, head):
        """Around the answer to a GET or HEAD: a BadRequest raised inside is
        answered 400 with its message; a client that went away (or timed
        out) ends the connection."""
        try:
            yield
        except BadRequest as e:
            self._send_text(400, "bad request: %s\n" % e, head=head)
        except CLIENT_GONE as e:
            self._client_gone(e)

    def _abort(self):
        """Close the connection now (FIN after the bytes already sent)."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _reset(self):
        """Close the connection with a TCP RST (SO_LINGER 0): the client sees
        "connection reset", not an orderly end."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.rfile.close()              # it holds a reference to the socket
            self.connection.close()
        except OSError:
            pass

    def _hold(self, seconds):
        """Keep the connection open, sending nothing, for `seconds` or until
        the client closes it (a stalled or silent server)."""
        deadline = time.monotonic() + seconds
        self.close_connection = True
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.connection], [], [], 0.05)
            if ready:
                try:
                    if not self.connection.recv(4096, socket.MSG_PEEK):
                        return                  # the client closed it
                    self.connection.recv(4096)  # drop whatever it sends
                except OSError:
                    return

    # --- content with Range ------------------------------------------------
    def _pick_range(self, size, last_modified, etag, honour=True, before_416=None):
        """The part of a `size`-byte resource to send: (first, last, code),
        with code 206 for a satisfiable single Range (when `honour`), else
        (0, size - 1, 200).  An unsatisfiable Range is answered here (416
        with "Content-Range: bytes */<size>", Last-Modified and ETag; after
        calling before_416(), if given) and None returned."""
        rng = self.headers.get("Range")
        r = parse_range(rng, size) if honour and rng is not None else None
        if r == "unsatisfiable":
            if before_416 is not None:
                before_416()
            self._send_text(416, "range not satisfiable\n",
                            extra=[("Content-Range", "bytes */%d" % size),
                                   ("Last-Modified", last_modified),
                                   ("ETag", etag)])
            return None
        if r is None:
            return 0, size - 1, 200
        return r[0], r[1], 206

    def _send_content_headers(self, code, first, last, size, last_modified, etag,
                              ranges=True, length=True):
        """Status line and headers of an application/octet-stream answer
        with bytes [first, last] of `size`.  ranges=False: no Accept-Ranges.
        length=False: no Content-Length, the body ends with the connection
        ("Connection: close"), and a 206 says "Content-Range: bytes a-b/*"."""
        self.send_response(code)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Last-Modified", last_modified)
        self.send_header("ETag", etag)
        if ranges:
            self.send_header("Accept-Ranges", "bytes")
        if code == 206:
            self.send_header("Content-Range", "bytes %d-%d/%s"
                             % (first, last, size if length else "*"))
        if length:
            self.send_header("Content-Length", str(last - first + 1))
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()

    def _write_body(self, start, stop, data=None):
        """Send bytes [start, stop) of `data`, or of the pattern if data is
        None, in blocks of at most BLOCK.  Returns the count sent."""
        pos = start
        while pos < stop:
            n = min(BLOCK, stop - pos)
            if data is None:
                self.wfile.write(pattern_slice(pos, n))
            else:
                self.wfile.write(data[pos:pos + n])
            pos += n
        return pos - start


# --- the server and its process ------------------------------------------------
class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = False
    log_file = None                     # set by make_server (--log)

    def log_line(self, line):
        if self.log_file is None:
            return
        with self.log_lock:
            self.log_file.write(line)
            self.log_file.flush()


def argument_parser(description):
    """An ArgumentParser with the common --port-file, --lifetime and --log."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--port-file", required=True, help="write the port number here")
    ap.add_argument("--lifetime", type=float, default=1800.0,
                    help="exit after this many seconds (default 1800)")
    ap.add_argument("--log", help="append a request log to this file")
    return ap


def parse_args(ap, argv):
    args = ap.parse_args(argv)
    if not args.lifetime > 0:
        ap.error("--lifetime must be positive")
    return args


def make_server(server_class, handler_class, args):
    """The server, bound to 127.0.0.1 on an ephemeral port, with its log."""
    server = server_class((HOST, 0), handler_class)
    server.log_lock = threading.Lock()
    server.log_file = open(args.log, "a", buffering=1) if args.log else None
    return server


def write_port_file(path, port):
    directory = os.path.dirname(os.path.abspath(path))
    tmp = os.path.join(directory, ".%s.%d.tmp" % (os.path.basename(path), os.getpid()))
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def serve(server, args, name, scheme=None):
    """Serve until --lifetime is over or SIGTERM/SIGINT arrives, with the
    port file written once listening and removed at the end.  `name`
    prefixes the messages on stdout; `scheme`, if given, is shown in the
    "listening on" line.  Returns the exit status, 0."""
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
    where = "%s:%d" % (HOST, port)
    if scheme:
        where = scheme + "://" + where
    print("%s: listening on %s (pid %d, lifetime %gs)"
          % (name, where, os.getpid(), args.lifetime), flush=True)

    deadline = time.monotonic() + args.lifetime
    # Bounded wait in short steps, so signals are handled promptly.
    while not stop.is_set():
        left = deadline - time.monotonic()
        if left <= 0:
            print("%s: lifetime over, exiting" % name, flush=True)
            break
        stop.wait(min(left, 0.5))
    else:
        print("%s: signal received, exiting" % name, flush=True)

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
