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
      authhex=<hex>
                   auth= with user:password hex-encoded (UTF-8), for tests
                   that must not see the password in clear in the URL.
      digest=<user>:<password>
                   HTTP Digest authentication (RFC 7616, MD5, qop=auth):
                   unless the request carries a valid "Authorization:
                   Digest ..." for that user and password, the answer (GET
                   and HEAD) is 401 with
                   'WWW-Authenticate: Digest realm="openbits", qop="auth",
                   nonce="<new>", opaque="<fixed>", algorithm=MD5'.
                   Valid: username, realm, opaque and a nonce this server
                   issued; uri the request-target (or, for an absolute
                   target, its path and query); algorithm MD5 (or absent);
                   qop=auth with a cnonce and an nc (8 hex digits) above
                   any nc seen before with that nonce; and response =
                   MD5(HA1:nonce:nc:cnonce:auth:HA2) with
                   HA1 = MD5(user:realm:password), HA2 = MD5(method:uri),
                   in lowercase hex.  Why a Digest answer was refused goes
                   to /stats "digest_refused" and the log.  With auth= too,
                   the 401 offers Digest first, then Basic, and either
                   answer is accepted.
      digesthex=<hex>
                   digest= with user:password hex-encoded (UTF-8).
      proxyauth=<user>:<password>, proxydigest=<user>:<password>
                   (and proxyauthhex=, proxydigesthex=) the same for the
                   server as a proxy (see below): a request whose target is
                   an absolute URI gets 407 with Proxy-Authenticate unless
                   its Proxy-Authorization answers; checked before auth=
                   and digest=; ignored for an origin-form target.  Digest
                   refusals are listed with the reason prefixed "proxy: ".
      resetat=<N>  like dropat, but the connection is reset (TCP RST,
                   SO_LINGER 0) after the bytes up to offset N.
      resetupto=<k>
                   with resetat: only the first k requests for this target
                   (path and query, HEAD included) are reset; later ones are
                   served in full.  A RST makes the client's kernel drop what
                   it has not read yet, so a slow client could otherwise lose
                   every byte of every retry.
      stallat=<N>  like dropat, but after offset N the server sends nothing
                   more and holds the connection for stallms (default
                   60000) or until the client closes it.
      hang=1       the request is read and never answered: the connection
                   is held as for stallat.
      headstatus=<c>
                   HEAD answers status c (200-599) with "Content-Length: 0"
                   and no body; GET is served normally.
      headsize=<n> HEAD announces Content-Length n (0 .. 2^64-1) whatever
                   the real size; GET is served normally.
      tag=<text>   ignored: makes a target distinct from the same one
                   without it, so that two runs of a test (one per HTTP
                   backend) do not share flipat's and changing's counts.
      flipat=<k>   from the k-th request for this target (path and query)
                   on, the resource is version 2: Last-Modified one day
                   later and every byte inverted (pattern ^ 0xFF).
    Every /data request honours If-Unmodified-Since: a date before the
    current Last-Modified gets 412.  Each fault that happened (reset,
    stall, hang, 412) is listed in /stats "faults".

/redirect/<code>?to=<url>
    Answers <code> (300-399) with "Location: <url>" (percent-decoded; may
    be relative).  Without to=, no Location header at all; self=1 makes
    the Location this very URL (a loop).
/hops/<n>?to=<url>
    A chain: 302 to /hops/<n-1>?to=<url>, and /hops/0 302 to <url>.

/status/<code>
    Answers <code> (200-599) with a short text body (none for 204 and 304).

/stats
    JSON: {"requests": total, "paths": {path: count}, "targets":
    {path?query: count}, "methods": {"GET /path": count}, "ranges":
    [{"method", "target", "range", "if_range"}, ...], "custom_headers":
    ["METHOD target|X-Name: value", ...] (every request header whose name
    starts with "X-", at most 10000), "digest_refused": [{"target",
    "reason"}, ...] (each Digest answer refused, see digest=), "proxied":
    count} for
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
import hashlib
import http
import os
import secrets
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
INVERT = bytes(b ^ 0xFF for b in range(256))
REALM = "openbits"
DIGEST_OPAQUE = "6f70656e62697473"


def md5_hex(text):
    return hashlib.md5(text.encode("utf-8")).hexdigest()


def parse_auth_params(text):
    """The auth-params of a credentials header after its scheme
    ('name=token' or 'name="quoted \\" string"', comma separated) as
    {lowercase name: value}; None when malformed."""
    params, i, n = {}, 0, len(text)
    while True:
        while i < n and text[i] in " \t,":
            i += 1
        if i == n:
            return params
        eq = text.find("=", i)
        if eq < 0:
            return None
        name = text[i:eq].strip().lower()
        i = eq + 1
        while i < n and text[i] in " \t":
            i += 1
        if i < n and text[i] == '"':
            value, i = [], i + 1
            while i < n and text[i] != '"':
                if text[i] == "\\" and i + 1 < n:
                    i += 1
                value.append(text[i])
                i += 1
            if i == n:
                return None                 # unterminated quoted string
            i += 1
            value = "".join(value)
        else:
            end = text.find(",", i)
            end = n if end < 0 else end
            value, i = text[i:end].strip(), end
        if not name or name in params:
            return None
        params[name] = value


class DigestNonces:
    """The nonces this server issued and the highest nc seen with each."""
    def __init__(self):
        self.lock = threading.Lock()
        self.nonces = {}

    def issue(self):
        nonce = secrets.token_hex(16)
        with self.lock:
            self.nonces[nonce] = 0
        return nonce

    def known(self, nonce):
        with self.lock:
            return nonce in self.nonces

    def use(self, nonce, nc):
        """Why (nonce, nc) is refused, or None after recording nc."""
        with self.lock:
            if nonce not in self.nonces:
                return "unknown nonce"
            if nc <= self.nonces[nonce]:
                return "nc %08x not above %08x (a replay)" % (nc, self.nonces[nonce])
            self.nonces[nonce] = nc
            return None


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.counter = 0        # every request, including /stats
        self.clear()

    def clear(self):
        self.faults = []
        self.total = 0
        self.paths = {}
        self.targets = {}
        self.methods = {}
        self.ranges = []
        self.custom_headers = []
        self.digest_refused = []
        self.proxied = 0

    def next_serial(self):
        with self.lock:
            self.counter += 1
            return self.counter

    def record(self, method, path, target, headers, proxied):
        """Counts the request; returns how many times this target was asked."""
        rng = headers.get("Range")
        with self.lock:
            self.total += 1
            self.proxied += 1 if proxied else 0
            self.paths[path] = self.paths.get(path, 0) + 1
            self.targets[target] = self.targets.get(target, 0) + 1
            key = method + " " + path
            self.methods[key] = self.methods.get(key, 0) + 1
            serverlib.record_custom_headers(self.custom_headers, method, target, headers)
            if rng is not None:
                append_capped(self.ranges, {"method": method, "target": target,
                                            "range": rng, "if_range": headers.get("If-Range"),
                                            "if_unmodified_since": headers.get("If-Unmodified-Since"),
                                            "authorization": headers.get("Authorization"),
                                            "host": headers.get("Host")})
            return self.targets[target]

    def fault(self, kind, target, at):
        with self.lock:
            append_capped(self.faults, {"kind": kind, "target": target, "at": at})

    def refused(self, target, reason):
        with self.lock:
            append_capped(self.digest_refused, {"target": target, "reason": reason})

    def snapshot(self, reset=False):
        with self.lock:
            data = {"requests": self.total, "paths": dict(self.paths),
                    "targets": dict(self.targets),
                    "methods": dict(self.methods),
                    "ranges": list(self.ranges),
                    "custom_headers": list(self.custom_headers),
                    "faults": list(self.faults),
                    "digest_refused": list(self.digest_refused),
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
        asked = 0
        if path != "/stats":
            asked = self.server.stats.record(method, path, target, self.headers, proxied)
        self.target = target
        self.proxied = proxied
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
                self._data(size, opts, head, serial, asked)
                return
            if len(parts) == 3 and parts[1] == "redirect":
                self._redirect(parse_int("code", parts[2], 300, 399), opts, head)
                return
            if len(parts) == 3 and parts[1] == "hops":
                n = parse_int("hops", parts[2], 0, 1000)
                to = opts.get("to", "/")
                nxt = to if n == 0 else "/hops/%d?to=%s" % (n - 1, urllib.parse.quote(to, safe=""))
                self._send_text(302, "hop\n", head=head, extra=[("Location", nxt)])
                return
            self._send_text(404, "not found: %s\n" % path, head=head)

    # --- /redirect/<code> ----------------------------------------------------
    def _redirect(self, code, opts, head):
        serverlib.check_options(opts, ("to", "self"))
        extra = []
        if parse_bool("self", opts.get("self", "0")):
            extra.append(("Location", self.path))
        elif "to" in opts:
            extra.append(("Location", opts["to"]))
        self._send_text(code, "redirect\n", head=head, extra=extra)

    # --- /data/<size> -------------------------------------------------------
    KNOWN = ("nolength", "norange", "rate", "dropat", "status", "changing",
             "delay", "auth", "resetat", "stallat", "stallms", "hang",
             "headstatus", "headsize", "flipat", "tag", "resetupto", "authhex",
             "digest", "digesthex", "proxyauth", "proxyauthhex", "proxydigest",
             "proxydigesthex")

    @staticmethod
    def _user_password(opts, name):
        """The "user:password" of option name (or of its hex form), or None."""
        if name + "hex" in opts:            # without the password in clear in the URL
            try:
                opts[name] = bytes.fromhex(opts[name + "hex"]).decode("utf-8")
            except ValueError:
                raise BadRequest("%shex: not hex of user:password" % name)
        value = opts.get(name)
        if value is not None and ":" not in value:
            raise BadRequest("%s: not user:password: %r" % (name, value))
        return value

    def _demand_credentials(self, opts, head, proxy):
        """Unless the request answers the authentication opts ask for (the
        server's, or with proxy the proxy's): answers 401 (407) with the
        challenges and returns True."""
        prefix = "proxy" if proxy else ""
        basic = self._user_password(opts, prefix + "auth")
        digest = self._user_password(opts, prefix + "digest")
        if (basic is None and digest is None) or (proxy and not self.proxied):
            return False
        if self._authorized(basic, digest, proxy):
            return False
        header = "Proxy-Authenticate" if proxy else "WWW-Authenticate"
        challenges = []
        if digest is not None:
            challenges.append((header, self._digest_challenge()))
        if basic is not None:
            challenges.append((header, 'Basic realm="%s"' % REALM))
        self._send_text(407 if proxy else 401, "authentication required\n", head=head, extra=challenges)
        return True

    def _authorized(self, basic, digest, proxy=False):
        """True if the request's Authorization (Proxy-Authorization) is a
        valid answer to one of the schemes asked for (basic, digest:
        "user:password" or None)."""
        given = self.headers.get("Proxy-Authorization" if proxy else "Authorization", "").strip()
        scheme, _, token = given.partition(" ")
        if basic is not None and scheme.lower() == "basic":
            try:
                return base64.b64decode(token.strip(), validate=True) == basic.encode("utf-8")
            except (binascii.Error, ValueError):
                return False
        if digest is not None and scheme.lower() == "digest":
            reason = self._digest_refusal(digest, token)
            if reason is None:
                return True
            reason = ("proxy: " if proxy else "") + reason
            self.server.stats.refused(self.target, reason)
            self.log_message('"%s" digest refused: %s', self.requestline, reason)
        return False

    def _digest_challenge(self):
        return ('Digest realm="%s", qop="auth", nonce="%s", opaque="%s", algorithm=MD5'
                % (REALM, self.server.nonces.issue(), DIGEST_OPAQUE))

    def _digest_refusal(self, digest, params_text):
        """Why a Digest answer (its auth-params) is not valid for
        "user:password", or None when it is (its nc is then recorded)."""
        user, password = digest.split(":", 1)
        p = parse_auth_params(params_text)
        if p is None:
            return "malformed parameters"
        for name in ("username", "realm", "nonce", "uri", "response", "qop", "nc", "cnonce"):
            if name not in p:
                return "no %s" % name
        url = urllib.parse.urlsplit(self.path)
        uris = {self.path, url.path + ("?" + url.query if url.query else "")}
        if p["username"] != user:
            return "username %r" % p["username"]
        if p["realm"] != REALM:
            return "realm %r" % p["realm"]
        if p.get("opaque") != DIGEST_OPAQUE:
            return "opaque %r" % p.get("opaque")
        if p.get("algorithm", "MD5").upper() != "MD5":
            return "algorithm %r" % p["algorithm"]
        if p["qop"] != "auth":
            return "qop %r" % p["qop"]
        if len(p["nc"]) != 8 or any(c not in "0123456789abcdefABCDEF" for c in p["nc"]):
            return "nc %r" % p["nc"]
        if p["uri"] not in uris:
            return "uri %r is not the request's" % p["uri"]
        if not self.server.nonces.known(p["nonce"]):
            return "unknown nonce"
        ha1 = md5_hex("%s:%s:%s" % (user, REALM, password))
        ha2 = md5_hex("%s:%s" % (self.command, p["uri"]))
        if p["response"].lower() != md5_hex(":".join((ha1, p["nonce"], p["nc"], p["cnonce"], "auth", ha2))):
            return "wrong response"
        return self.server.nonces.use(p["nonce"], int(p["nc"], 16))

    def _data(self, size, opts, head, serial, asked):
        serverlib.check_options(opts, self.KNOWN)
        nolength = parse_bool("nolength", opts.get("nolength", "0"))
        norange = parse_bool("norange", opts.get("norange", "0"))
        changing = parse_bool("changing", opts.get("changing", "0"))
        rate = parse_int("rate", opts["rate"], 1, MAX_SIZE) if "rate" in opts else None
        dropat = parse_int("dropat", opts["dropat"], 0, MAX_SIZE) if "dropat" in opts else None
        status = parse_int("status", opts["status"], 200, 599) if "status" in opts else None
        delay = parse_int("delay", opts["delay"], 0, MAX_DELAY_MS) if "delay" in opts else 0
        resetat = parse_int("resetat", opts["resetat"], 0, MAX_SIZE) if "resetat" in opts else None
        stallat = parse_int("stallat", opts["stallat"], 0, MAX_SIZE) if "stallat" in opts else None
        stallms = parse_int("stallms", opts.get("stallms", "60000"), 0, 3600000)
        hang = parse_bool("hang", opts.get("hang", "0"))
        headstatus = parse_int("headstatus", opts["headstatus"], 200, 599) if "headstatus" in opts else None
        headsize = parse_int("headsize", opts["headsize"], 0, (1 << 64) - 1) if "headsize" in opts else None
        flipat = parse_int("flipat", opts["flipat"], 1, 1 << 30) if "flipat" in opts else None
        if "resetupto" in opts and asked > parse_int("resetupto", opts["resetupto"], 1, 1 << 30):
            resetat = None
        if hang:
            self.server.stats.fault("hang", self.target, 0)
            self._hold(stallms / 1000.0)
            self._finish_log("-", 0, "hung")
            return
        if self._demand_credentials(opts, head, proxy=True) or self._demand_credentials(opts, head, proxy=False):
            return

        if delay:
            time.sleep(delay / 1000.0)
        if status is not None:
            self._status_response(status, head)
            return

        flipped = flipat is not None and asked >= flipat
        mtime = FIXED_MTIME + (serial if changing else 0) + (86400 if flipped else 0)
        last_modified = email.utils.formatdate(mtime, usegmt=True)
        etag = '"%x-%x"' % (size, mtime)
        if head and headstatus is not None:
            self.send_response(headstatus)
            self.send_header("Content-Length", "0")
            self.end_headers()
            self._finish_log(headstatus, 0)
            return
        if head and headsize is not None:
            self.send_response(200)
            self.send_header("Last-Modified", last_modified)
            self.send_header("Content-Length", str(headsize))
            self.end_headers()
            self._finish_log(200, 0)
            return
        unmodified = self.headers.get("If-Unmodified-Since")
        if unmodified is not None:
            try:
                since = email.utils.parsedate_to_datetime(unmodified).timestamp()
            except (TypeError, ValueError):
                since = None
            if since is not None and since < mtime:
                self.server.stats.fault("412", self.target, 0)
                self._send_text(412, "precondition failed\n", head=head,
                                extra=[("Last-Modified", last_modified), ("ETag", etag)])
                return

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
        cut, how = None, None
        for at, kind in ((dropat, "drop"), (resetat, "reset"), (stallat, "stall")):
            if at is not None and first < at <= last:
                cut, how = at, kind
        if cut is not None:
            stop = cut
        sent = self._stream(first, stop, rate, flipped)
        if how == "drop":
            self._abort()
            self._finish_log(code, sent, "dropped at %d" % dropat)
            return
        if how is not None:
            self.wfile.flush()
            self.server.stats.fault(how, self.target, cut)
            if how == "reset":
                self._reset()
            else:
                self._hold(stallms / 1000.0)
            self._finish_log(code, sent, "%s at %d" % (how, cut))
            return
        if nolength:
            self._abort()
        self._finish_log(code, sent)

    def _stream(self, start, stop, rate, inverted=False):
        """Send pattern bytes [start, stop) (inverted: each ^ 0xFF).
        Returns the count sent."""
        if inverted:
            pos = start
            while pos < stop:
                n = min(serverlib.BLOCK, stop - pos)
                self.wfile.write(bytes(pattern_slice(pos, n)).translate(INVERT))
                pos += n
            return stop - start
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
    server.nonces = DigestNonces()
    if args.tls_cert:
        server.ssl_context = tls_context(args.tls_cert, args.tls_key)
    return serverlib.serve(server, args, "http_server",
                           "https" if args.tls_cert else "http")


if __name__ == "__main__":
    sys.exit(main())
