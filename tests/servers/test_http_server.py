#!/usr/bin/env python3
"""Self test of http_server.py (and server_ctl.sh).  Standard library only.

Run:  python3 tests/servers/test_http_server.py
The server is started as a subprocess with the same command line a CTest
fixture uses; one server is shared by most tests, a few start their own.
"""

import http.client
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)            # selftest_util.py lives next to this file

import selftest_util as util            # noqa: E402

SERVER = os.path.join(HERE, "http_server.py")
MAKE_CERT = os.path.join(HERE, "tls", "make_test_cert.sh")
expected = util.pattern                 # reference pattern, from the documented formula


def start_server(tmpdir, *extra):
    return util.start_server(SERVER, tmpdir, *extra)


class ServerTest(util.SharedServer, unittest.TestCase):
    SERVER = SERVER
    TMP_PREFIX = "http_server_test_"

    # --- helpers --------------------------------------------------------
    def request(self, method, target, headers=None):
        return util.request(self.port, method, target, headers)

    def get(self, target, rng=None, **headers):
        if rng is not None:
            headers["Range"] = rng
        return self.request("GET", target, headers)

    def stats(self):
        r, body = self.get("/stats")
        self.assertEqual(r.status, 200)
        return json.loads(body)

    def raw(self, request_bytes):
        """Send a raw request, read until the server closes; returns (head, body)."""
        data = util.raw_exchange(self.port, request_bytes)
        head, _, body = data.partition(b"\r\n\r\n")
        return head.decode("latin-1"), body

    # --- tests ----------------------------------------------------------
    def test_pattern_formula(self):
        # The documented per-byte formula, spot-checked by hand.
        self.assertEqual(expected(0, 4), bytes([0, 7, 14, 21]))
        self.assertEqual(expected(250, 3), bytes([(250 * 7) & 255, (251 * 7 + 1) & 255,
                                                  (252 * 7 + 1) & 255]))

    def test_sizes_and_full_bodies(self):
        for size in (0, 1, 250, 251, 1000, 32129, (1 << 20) + 300):
            r, body = self.get("/data/%d" % size)
            self.assertEqual(r.status, 200, size)
            self.assertEqual(int(r.getheader("Content-Length")), size)
            self.assertEqual(len(body), size)
            self.assertEqual(body, expected(0, size), size)

    def test_pattern_at_offsets(self):
        size = 6 * (1 << 30)                # beyond 4 GiB, never materialised
        for off in (0, 250, 251, 32127, 32128, (1 << 20) - 3, (1 << 32) - 2,
                    5 * (1 << 30) + 17, size - 64):
            r, body = self.get("/data/%d" % size, "bytes=%d-%d" % (off, off + 63))
            self.assertEqual(r.status, 206, off)
            self.assertEqual(r.getheader("Content-Range"),
                             "bytes %d-%d/%d" % (off, off + 63, size))
            self.assertEqual(body, expected(off, 64), off)

    def test_head(self):
        size = 5 * (1 << 30) + 3
        r, body = self.request("HEAD", "/data/%d" % size)
        self.assertEqual(r.status, 200)
        self.assertEqual(body, b"")
        self.assertEqual(r.getheader("Content-Length"), str(size))
        self.assertEqual(r.getheader("Accept-Ranges"), "bytes")
        self.assertEqual(r.getheader("Last-Modified"), "Sat, 01 Jan 2022 00:00:00 GMT")
        self.assertIsNotNone(r.getheader("ETag"))
        r2, _ = self.request("HEAD", "/data/%d" % size)
        self.assertEqual(r2.getheader("Last-Modified"), r.getheader("Last-Modified"))
        self.assertEqual(r2.getheader("ETag"), r.getheader("ETag"))
        # HEAD ignores Range.
        r3, _ = self.request("HEAD", "/data/100", {"Range": "bytes=0-9"})
        self.assertEqual(r3.status, 200)
        self.assertEqual(r3.getheader("Content-Length"), "100")

    def test_range_forms(self):
        size = 100000
        cases = [("bytes=0-0", 0, 0), ("bytes=10-19", 10, 19),
                 ("bytes=99990-", 99990, 99999), ("bytes=-7", 99993, 99999),
                 ("bytes=99000-200000", 99000, 99999),       # end clamped
                 ("bytes=-200000", 0, 99999),                # suffix > size
                 ("bytes=0-", 0, 99999)]
        for rng, first, last in cases:
            r, body = self.get("/data/%d" % size, rng)
            self.assertEqual(r.status, 206, rng)
            self.assertEqual(r.getheader("Content-Range"),
                             "bytes %d-%d/%d" % (first, last, size), rng)
            self.assertEqual(int(r.getheader("Content-Length")), last - first + 1)
            self.assertEqual(body, expected(first, last - first + 1), rng)

    def test_range_ignored_when_malformed(self):
        for rng in ("bytes=5-2", "bytes=0-1,5-6", "items=0-1", "bytes=abc"):
            r, body = self.get("/data/50", rng)
            self.assertEqual(r.status, 200, rng)
            self.assertEqual(body, expected(0, 50))

    def test_416(self):
        c = self.conn()
        try:
            for target, rng in (("/data/100", "bytes=100-"), ("/data/100", "bytes=500-600"),
                                ("/data/100", "bytes=-0"), ("/data/0", "bytes=0-"),
                                ("/data/0", "bytes=-5")):
                c.request("GET", target, headers={"Range": rng})
                r = c.getresponse()
                r.read()
                self.assertEqual(r.status, 416, rng)
                self.assertEqual(r.getheader("Content-Range"),
                                 "bytes */%s" % target.split("/")[-1])
            # Still keep-alive after a 416.
            c.request("GET", "/data/10")
            r = c.getresponse()
            self.assertEqual(r.read(), expected(0, 10))
        finally:
            c.close()

    def test_keep_alive(self):
        c = self.conn()
        try:
            c.request("GET", "/data/1000")
            r = c.getresponse()
            self.assertEqual(r.version, 11)
            r.read()
            sock = c.sock
            self.assertIsNotNone(sock)
            for n in (5, 70000):
                c.request("GET", "/data/%d" % n, headers={"Range": "bytes=1-"})
                r = c.getresponse()
                self.assertEqual(r.read(), expected(1, n - 1))
                self.assertIs(c.sock, sock)      # same connection reused
        finally:
            c.close()

    def test_if_range(self):
        r, _ = self.request("HEAD", "/data/1000")
        etag, lm = r.getheader("ETag"), r.getheader("Last-Modified")
        for validator in (etag, lm):
            r, body = self.get("/data/1000", "bytes=10-", **{"If-Range": validator})
            self.assertEqual(r.status, 206)
            self.assertEqual(body, expected(10, 990))
        r, body = self.get("/data/1000", "bytes=10-", **{"If-Range": '"stale"'})
        self.assertEqual(r.status, 200)
        self.assertEqual(body, expected(0, 1000))

    def test_nolength(self):
        head, body = self.raw(b"GET /data/70000?nolength=1 HTTP/1.1\r\n"
                              b"Host: 127.0.0.1\r\n\r\n")
        lines = head.lower().split("\r\n")
        self.assertTrue(lines[0].startswith("http/1.1 200"), lines[0])
        self.assertNotIn("content-length", head.lower())
        self.assertNotIn("transfer-encoding", head.lower())
        self.assertIn("connection: close", lines)
        self.assertEqual(body, expected(0, 70000))
        # HEAD: no length either.
        head, body = self.raw(b"HEAD /data/70000?nolength=1 HTTP/1.1\r\n"
                              b"Host: 127.0.0.1\r\n\r\n")
        self.assertTrue(head.startswith("HTTP/1.1 200"))
        self.assertNotIn("content-length", head.lower())
        self.assertEqual(body, b"")
        # http.client reads a close-delimited body as well.
        r, body = self.get("/data/1234?nolength=1")
        self.assertIsNone(r.getheader("Content-Length"))
        self.assertEqual(body, expected(0, 1234))

    def test_norange(self):
        r, body = self.get("/data/5000?norange=1", "bytes=100-199")
        self.assertEqual(r.status, 200)
        self.assertIsNone(r.getheader("Accept-Ranges"))
        self.assertIsNone(r.getheader("Content-Range"))
        self.assertEqual(body, expected(0, 5000))
        r, _ = self.request("HEAD", "/data/5000?norange=1")
        self.assertEqual(r.getheader("Content-Length"), "5000")
        self.assertIsNone(r.getheader("Accept-Ranges"))

    def test_rate(self):
        t0 = time.monotonic()
        r, body = self.get("/data/65536?rate=262144")
        elapsed = time.monotonic() - t0
        self.assertEqual(body, expected(0, 65536))
        self.assertGreaterEqual(elapsed, 0.2)
        # Combined with a range: 8 KiB at 64 KiB/s is at least ~0.1 s.
        t0 = time.monotonic()
        r, body = self.get("/data/100000?rate=65536", "bytes=50000-58191")
        elapsed = time.monotonic() - t0
        self.assertEqual(r.status, 206)
        self.assertEqual(body, expected(50000, 8192))
        self.assertGreaterEqual(elapsed, 0.08)

    def test_dropat_and_resume(self):
        target = "/data/200000?dropat=70000"
        c = self.conn()
        try:
            c.request("GET", target)
            r = c.getresponse()
            self.assertEqual(r.status, 200)
            self.assertEqual(r.getheader("Content-Length"), "200000")
            with self.assertRaises(http.client.IncompleteRead) as cm:
                r.read()
            self.assertEqual(len(cm.exception.partial), 70000)
            self.assertEqual(cm.exception.partial, expected(0, 70000))
        finally:
            c.close()
        # Resume from the offset: served in full.
        r, body = self.get(target, "bytes=70000-")
        self.assertEqual(r.status, 206)
        self.assertEqual(r.getheader("Content-Range"), "bytes 70000-199999/200000")
        self.assertEqual(body, expected(70000, 130000))
        # A range across the offset is cut there too.
        c = self.conn()
        try:
            c.request("GET", target, headers={"Range": "bytes=60000-"})
            r = c.getresponse()
            self.assertEqual(r.status, 206)
            with self.assertRaises(http.client.IncompleteRead) as cm:
                r.read()
            self.assertEqual(cm.exception.partial, expected(60000, 10000))
        finally:
            c.close()
        # A range ending before the offset is not affected.
        r, body = self.get(target, "bytes=0-999")
        self.assertEqual(body, expected(0, 1000))
        s = self.stats()
        self.assertEqual(s["targets"][target], 4)
        ranges = [e["range"] for e in s["ranges"] if e["target"] == target]
        self.assertEqual(ranges, ["bytes=70000-", "bytes=60000-", "bytes=0-999"])

    def _read_until_fault(self, target, rng=None):
        """GET target on a socket of our own: (status line, bytes of body
        received, the error that ended the read or None at EOF)."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=3) as sock:
            extra = "Range: %s\r\n" % rng if rng else ""
            sock.sendall(("GET %s HTTP/1.1\r\nHost: x\r\n%s\r\n" % (target, extra)).encode())
            data, error = b"", None
            try:
                while True:
                    b = sock.recv(65536)
                    if not b:
                        break
                    data += b
            except OSError as e:
                error = e
        head, _, body = data.partition(b"\r\n\r\n")
        return head.split(b"\r\n")[0].decode(), body, error

    def faults(self, target):
        return [(f["kind"], f["at"]) for f in self.stats()["faults"] if f["target"] == target]

    def test_resetat_sends_rst(self):
        target = "/data/300000?resetat=100000"
        status, body, error = self._read_until_fault(target)
        self.assertIn("200", status)
        self.assertIsInstance(error, ConnectionResetError)
        self.assertEqual(body, expected(0, len(body)))
        self.assertLessEqual(len(body), 100000)
        self.assertEqual(self.faults(target), [("reset", 100000)])
        r, body = self.get(target, "bytes=100000-")     # a resumed range is served
        self.assertEqual(body, expected(100000, 200000))

    def test_resetupto_resets_only_the_first_requests(self):
        target = "/data/300000?resetat=100000&resetupto=1"
        status, body, error = self._read_until_fault(target)
        self.assertIsInstance(error, ConnectionResetError)
        r, body = self.get(target)                      # the second request: served in full
        self.assertEqual(body, expected(0, 300000))
        self.assertEqual(self.faults(target), [("reset", 100000)])

    def test_stallat_holds_the_connection(self):
        target = "/data/300000?stallat=100000&stallms=5000"
        status, body, error = self._read_until_fault(target)
        self.assertIn("200", status)
        self.assertIsInstance(error, socket.timeout)     # 3 s without a byte
        self.assertEqual(body, expected(0, 100000))
        self.assertEqual(self.faults(target), [("stall", 100000)])

    def test_hang_never_answers(self):
        target = "/data/1000?hang=1&stallms=5000"
        status, body, error = self._read_until_fault(target)
        self.assertEqual(status, "")
        self.assertIsInstance(error, socket.timeout)
        self.assertEqual(self.faults(target), [("hang", 0)])

    def test_headstatus_and_headsize(self):
        r, _ = self.request("HEAD", "/data/1000?headstatus=204")
        self.assertEqual((r.status, r.getheader("Content-Length")), (204, "0"))
        r, body = self.get("/data/1000?headstatus=204")
        self.assertEqual((r.status, body), (200, expected(0, 1000)))
        r, _ = self.request("HEAD", "/data/100?headsize=18446744073709551614")
        self.assertEqual(r.getheader("Content-Length"), "18446744073709551614")
        r, body = self.get("/data/100?headsize=18446744073709551614")
        self.assertEqual(body, expected(0, 100))

    def test_flipat_and_if_unmodified_since(self):
        target = "/data/1000?flipat=2"
        r1, body1 = self.get(target)
        r2, body2 = self.get(target)
        self.assertEqual(body1, expected(0, 1000))
        self.assertEqual(body2, bytes(b ^ 0xFF for b in expected(0, 1000)))
        self.assertNotEqual(r1.getheader("Last-Modified"), r2.getheader("Last-Modified"))
        r, _ = self.get(target, "bytes=10-", **{"If-Unmodified-Since": r1.getheader("Last-Modified")})
        self.assertEqual(r.status, 412)
        r, _ = self.get(target, "bytes=10-", **{"If-Unmodified-Since": r2.getheader("Last-Modified")})
        self.assertEqual(r.status, 206)
        self.assertEqual(self.faults(target), [("412", 0)])
        logged = [e["if_unmodified_since"] for e in self.stats()["ranges"] if e["target"] == target]
        self.assertEqual(logged, [r1.getheader("Last-Modified"), r2.getheader("Last-Modified")])

    def test_redirects(self):
        r, _ = self.get("/redirect/302?to=/data/10")
        self.assertEqual((r.status, r.getheader("Location")), (302, "/data/10"))
        r, _ = self.get("/redirect/301?to=http%3A%2F%2Fexample.invalid%2Fx")
        self.assertEqual(r.getheader("Location"), "http://example.invalid/x")
        r, _ = self.get("/redirect/302")
        self.assertEqual((r.status, r.getheader("Location")), (302, None))
        r, _ = self.get("/redirect/307?self=1")
        self.assertEqual(r.getheader("Location"), "/redirect/307?self=1")
        r, _ = self.get("/hops/2?to=/data/10")
        self.assertEqual(r.getheader("Location"), "/hops/1?to=%2Fdata%2F10")
        r, _ = self.get("/hops/0?to=/data/10")
        self.assertEqual(r.getheader("Location"), "/data/10")

    def test_status_codes(self):
        for code in (404, 500, 503, 403, 200):
            r, body = self.get("/status/%d" % code)
            self.assertEqual(r.status, code)
            self.assertTrue(body.startswith(str(code).encode()))
        r, body = self.get("/status/204")
        self.assertEqual((r.status, body), (204, b""))
        for method in ("GET", "HEAD"):
            r, body = self.request(method, "/data/1000?status=404")
            self.assertEqual(r.status, 404)
            self.assertIsNotNone(r.getheader("Content-Length"))
            if method == "HEAD":
                self.assertEqual(body, b"")
            else:
                self.assertIn(b"404", body)
                self.assertLess(len(body), 100)
        r, _ = self.request("HEAD", "/data/10?status=503&delay=10")
        self.assertEqual(r.status, 503)

    def test_bad_requests(self):
        r, _ = self.get("/nothing/here")
        self.assertEqual(r.status, 404)
        for target in ("/data/12x", "/data/10?bogus=1", "/data/10?rate=0",
                       "/data/10?nolength=maybe", "/status/99", "/status/600"):
            r, _ = self.get(target)
            self.assertEqual(r.status, 400, target)
        r, _ = self.request("POST", "/data/10")
        self.assertEqual(r.status, 501)

    def test_changing(self):
        r1, _ = self.request("HEAD", "/data/4096?changing=1")
        r2, body = self.get("/data/4096?changing=1")
        self.assertEqual(r1.getheader("Content-Length"), "4096")
        self.assertEqual(body, expected(0, 4096))
        self.assertNotEqual(r1.getheader("Last-Modified"), r2.getheader("Last-Modified"))
        self.assertNotEqual(r1.getheader("ETag"), r2.getheader("ETag"))
        # A resume that presents the old validator gets the whole body.
        r3, body = self.get("/data/4096?changing=1", "bytes=100-",
                            **{"If-Range": r2.getheader("Last-Modified")})
        self.assertEqual(r3.status, 200)
        self.assertEqual(body, expected(0, 4096))

    def test_delay(self):
        t0 = time.monotonic()
        r, body = self.get("/data/10?delay=300")
        self.assertGreaterEqual(time.monotonic() - t0, 0.28)
        self.assertEqual(body, expected(0, 10))

    def test_stats(self):
        for _ in range(3):
            self.get("/data/777")
        self.request("HEAD", "/data/777")
        self.get("/data/777", "bytes=700-")
        self.get("/status/418")
        s = self.stats()
        self.assertEqual(s["paths"]["/data/777"], 5)
        self.assertEqual(s["methods"]["GET /data/777"], 4)
        self.assertEqual(s["methods"]["HEAD /data/777"], 1)
        self.assertEqual(s["paths"]["/status/418"], 1)
        self.assertNotIn("/stats", s["paths"])
        self.assertIn({"method": "GET", "target": "/data/777", "range": "bytes=700-",
                       "if_range": None, "if_unmodified_since": None, "authorization": None,
                       "host": "127.0.0.1:%d" % self.port},
                      s["ranges"])
        self.assertGreaterEqual(s["requests"], 6)

    def test_absolute_uri_is_served_as_a_proxy(self):
        before = self.stats()["proxied"]
        head, body = self.raw(b"GET http://openbits-proxy-test.invalid/data/1000 HTTP/1.1\r\n"
                              b"Host: openbits-proxy-test.invalid\r\n"
                              b"Connection: close\r\n\r\n")
        self.assertTrue(head.startswith("HTTP/1.1 200"), head)
        self.assertEqual(body, expected(0, 1000))
        # With a port, a query and a range, over http.client's proxy form.
        r, body = self.get("http://127.0.0.1:%d/data/5000?changing=0" % self.port,
                           "bytes=100-199")
        self.assertEqual(r.status, 206)
        self.assertEqual(body, expected(100, 100))
        s = self.stats()
        self.assertEqual(s["proxied"], before + 2)
        self.assertGreaterEqual(s["targets"]["/data/5000?changing=0"], 1)
        # An origin-form request is not counted.
        self.get("/data/10")
        self.assertEqual(self.stats()["proxied"], before + 2)

    def test_basic_auth(self):
        import base64
        target = "/data/1000?auth=user:pa%3Ass"        # password "pa:ss"
        for method in ("GET", "HEAD"):
            r, body = self.request(method, target)
            self.assertEqual(r.status, 401, method)
            self.assertEqual(r.getheader("WWW-Authenticate"), 'Basic realm="openbits"')
        good = "Basic " + base64.b64encode(b"user:pa:ss").decode()
        bad = "Basic " + base64.b64encode(b"user:wrong").decode()
        for header in (bad, "Digest x", "Basic !!!"):
            r, _ = self.get(target, Authorization=header)
            self.assertEqual(r.status, 401, header)
        r, body = self.get(target, Authorization=good)
        self.assertEqual((r.status, body), (200, expected(0, 1000)))
        r, body = self.get(target, "bytes=10-", Authorization=good)
        self.assertEqual((r.status, body), (206, expected(10, 990)))
        r, _ = self.request("HEAD", target, {"Authorization": good})
        self.assertEqual(r.getheader("Content-Length"), "1000")
        r, _ = self.get("/data/10?auth=nocolon")
        self.assertEqual(r.status, 400)

    def digest_answer(self, challenge, method, uri, user="user", password="pa:ss", nc=1, **change):
        """The Authorization value a client sends for a Digest challenge
        (RFC 7616, MD5, qop=auth), computed here from the RFC's formulas;
        change= overrides any parameter after the response is computed."""
        import hashlib
        import re

        def h(text):
            return hashlib.md5(text.encode()).hexdigest()
        self.assertTrue(challenge.startswith("Digest "), challenge)
        params = {k: a or b for k, a, b in re.findall(r'(\w+)=(?:"([^"]*)"|([^,\s]*))', challenge)}
        p = {"username": user, "realm": params["realm"], "nonce": params["nonce"], "uri": uri,
             "qop": "auth", "nc": "%08x" % nc, "cnonce": "0a4f113b", "opaque": params["opaque"],
             "algorithm": "MD5"}
        ha1 = h("%s:%s:%s" % (user, p["realm"], password))
        ha2 = h("%s:%s" % (method, uri))
        p["response"] = h(":".join((ha1, p["nonce"], p["nc"], p["cnonce"], p["qop"], ha2)))
        p.update(change)
        unquoted = ("qop", "nc", "algorithm")
        return "Digest " + ", ".join(("%s=%s" if k in unquoted else '%s="%s"') % (k, v)
                                     for k, v in p.items() if v is not None)

    def test_digest_auth(self):
        target = "/data/1000?digest=user:pa%3Ass"      # password "pa:ss"
        self.stats_reset()
        for method in ("GET", "HEAD"):
            r, _ = self.request(method, target)
            self.assertEqual(r.status, 401, method)
            challenge = r.getheader("WWW-Authenticate")
            self.assertRegex(challenge, r'^Digest realm="openbits", qop="auth", nonce="[0-9a-f]{32}", '
                                        r'opaque="[0-9a-f]+", algorithm=MD5$')
            self.assertEqual(len(r.headers.get_all("WWW-Authenticate")), 1)
            good = self.digest_answer(challenge, method, target)
            r, body = self.request(method, target, {"Authorization": good})
            self.assertEqual(r.status, 200, method)
            self.assertEqual(r.getheader("Content-Length"), "1000")
            if method == "GET":
                self.assertEqual(body, expected(0, 1000))
        # a ranged GET; the same nonce again with a higher nc
        r, _ = self.get(target)
        challenge = r.getheader("WWW-Authenticate")
        r, body = self.get(target, "bytes=10-", Authorization=self.digest_answer(challenge, "GET", target))
        self.assertEqual((r.status, body), (206, expected(10, 990)))
        r, _ = self.get(target, Authorization=self.digest_answer(challenge, "GET", target, nc=2))
        self.assertEqual(r.status, 200)
        self.assertEqual(self.stats()["digest_refused"], [])
        # refused: each is a new 401 with a new nonce, and says why in /stats
        refusals = [
            (dict(nc=2), "nc 00000002 not above 00000002 (a replay)"),
            (dict(nc=1), "nc 00000001 not above 00000002 (a replay)"),
            (dict(nc=3, password="wrong"), "wrong response"),
            (dict(nc=3, user="other"), "username 'other'"),
            (dict(nc=3, uri="/data/1000"), "uri '/data/1000' is not the request's"),
            (dict(nc=3, nonce="0" * 32), "unknown nonce"),
            (dict(nc=3, realm="elsewhere"), "realm 'elsewhere'"),
            (dict(nc=3, opaque=None), "opaque None"),
            (dict(nc=3, algorithm="SHA-256"), "algorithm 'SHA-256'"),
            (dict(nc=3, qop="auth-int"), "qop 'auth-int'"),
            (dict(nc=3, cnonce=None), "no cnonce"),
            (dict(nc=3, response=None), "no response"),
        ]
        self.stats_reset()
        for change, reason in refusals:
            uri = change.pop("uri", target)
            answer = self.digest_answer(challenge, "GET", uri, **change)
            r, _ = self.get(target, Authorization=answer)
            self.assertEqual(r.status, 401, reason)
            self.assertNotIn(challenge, r.headers.get_all("WWW-Authenticate"))
        self.assertEqual([e["reason"] for e in self.stats()["digest_refused"]], [r for _, r in refusals])
        # the uri of an answer sent through a proxy (absolute target): its path and query
        r, _ = self.get(target)
        challenge = r.getheader("WWW-Authenticate")
        absolute = "http://127.0.0.1:%d%s" % (self.port, target)
        r, _ = self.get(absolute, Authorization=self.digest_answer(challenge, "GET", target))
        self.assertEqual(r.status, 200)
        # the method is part of the answer; Basic is not accepted for digest=
        r, _ = self.request("HEAD", target, {"Authorization": self.digest_answer(challenge, "GET", target, nc=2)})
        self.assertEqual(r.status, 401)
        import base64
        r, _ = self.get(target, Authorization="Basic " + base64.b64encode(b"user:pa:ss").decode())
        self.assertEqual(r.status, 401)
        for header in ("Digest", "Digest username", 'Digest a="unterminated'):
            r, _ = self.get(target, Authorization=header)
            self.assertEqual(r.status, 401, header)
        r, _ = self.get("/data/10?digest=nocolon")
        self.assertEqual(r.status, 400)
        r, _ = self.get("/data/10?digesthex=zz")
        self.assertEqual(r.status, 400)

    def test_digest_and_basic_together(self):
        import base64
        target = "/data/100?digesthex=%s&auth=user:pa%%3Ass" % b"user:pa:ss".hex()
        r, _ = self.get(target)
        self.assertEqual(r.status, 401)
        offered = r.headers.get_all("WWW-Authenticate")
        self.assertEqual(len(offered), 2)
        self.assertTrue(offered[0].startswith("Digest "))        # the stronger scheme first
        self.assertEqual(offered[1], 'Basic realm="openbits"')
        r, body = self.get(target, Authorization=self.digest_answer(offered[0], "GET", target))
        self.assertEqual((r.status, body), (200, expected(0, 100)))
        r, body = self.get(target, Authorization="Basic " + base64.b64encode(b"user:pa:ss").decode())
        self.assertEqual((r.status, body), (200, expected(0, 100)))

    def test_proxy_digest_and_basic(self):
        import base64
        target = "/data/100?proxydigest=puser:pw&proxyauth=puser:pw&digest=user:pa%3Ass"
        absolute = "http://openbits-proxy-test.invalid" + target
        r, _ = self.get(absolute)
        self.assertEqual(r.status, 407)
        offered = r.headers.get_all("Proxy-Authenticate")
        self.assertEqual(len(offered), 2)
        self.assertTrue(offered[0].startswith("Digest "))
        self.assertEqual(offered[1], 'Basic realm="openbits"')
        self.assertIsNone(r.getheader("WWW-Authenticate"))
        proxy = self.digest_answer(offered[0], "GET", target, user="puser", password="pw")
        r, _ = self.get(absolute, **{"Proxy-Authorization": proxy})
        self.assertEqual(r.status, 401)                          # then the server's own
        challenge = r.getheader("WWW-Authenticate")
        proxy = self.digest_answer(offered[0], "GET", target, user="puser", password="pw", nc=2)
        r, body = self.get(absolute, **{"Proxy-Authorization": proxy,
                                        "Authorization": self.digest_answer(challenge, "GET", target)})
        self.assertEqual((r.status, body), (200, expected(0, 100)))
        basic = "Basic " + base64.b64encode(b"puser:pw").decode()
        r, _ = self.get(absolute, **{"Proxy-Authorization": basic})
        self.assertEqual(r.status, 401)
        # a wrong answer: 407, its reason prefixed; the proxy's header is not the server's
        self.stats_reset()
        r, _ = self.get(absolute, **{"Proxy-Authorization": self.digest_answer(offered[0], "GET", target,
                                                                                user="puser", password="no", nc=3)})
        self.assertEqual(r.status, 407)
        r, _ = self.get(absolute, Authorization=self.digest_answer(offered[0], "GET", target, user="puser",
                                                                   password="pw", nc=4))
        self.assertEqual(r.status, 407)
        self.assertEqual([e["reason"] for e in self.stats()["digest_refused"]], ["proxy: wrong response"])
        # an origin-form request ignores the proxy's options
        r, _ = self.get(target)
        self.assertEqual(r.status, 401)

    def stats_reset(self):
        self.get("/stats?reset=1")

    def test_log_written(self):
        self.get("/data/31?delay=0")
        if not util.wait_for_text(self.log, "/data/31?delay=0"):
            self.fail("request not in log")

    def test_listens_on_loopback_only(self):
        # The port file is complete (number + newline) and the socket is bound
        # to 127.0.0.1, not to all interfaces.
        with open(self.port_file) as f:
            self.assertEqual(f.read(), "%d\n" % self.port)
        out = subprocess.run(["ss", "-Hltn", "sport = :%d" % self.port],
                             capture_output=True, text=True)
        if out.returncode == 0 and out.stdout.strip():
            self.assertIn("127.0.0.1:%d" % self.port, out.stdout)


class LifecycleTest(util.LifecycleTests, unittest.TestCase):
    SERVER = SERVER                 # test_sigterm_and_lifetime: selftest_util

    def test_server_ctl(self):
        with tempfile.TemporaryDirectory() as d:
            state = os.path.join(d, "state")
            ctl = util.server_ctl
            self.assertEqual(ctl("stop", state).returncode, 0)      # nothing running
            r = ctl("start", state, SERVER, "--lifetime", "60")
            self.assertEqual(r.returncode, 0, r.stderr)
            with open(os.path.join(state, "server.pid")) as f:
                pid = int(f.read())
            with open(os.path.join(state, "server.port")) as f:
                port = int(f.read())
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            c.request("GET", "/data/16")
            self.assertEqual(c.getresponse().read(), expected(0, 16))
            c.close()
            r = ctl("start", state, SERVER)                           # idempotent
            self.assertEqual(r.returncode, 0, r.stderr)
            with open(os.path.join(state, "server.pid")) as f:
                self.assertEqual(int(f.read()), pid)
            r = ctl("stop", state)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertFalse(os.path.exists(os.path.join(state, "server.pid")))
            with self.assertRaises(OSError):
                socket.create_connection(("127.0.0.1", port), timeout=2).close()
            self.assertEqual(ctl("stop", state).returncode, 0)      # again
            self.assertTrue(os.path.exists(os.path.join(state, "server.log")))


@unittest.skipUnless(shutil.which("openssl"), "needs the openssl CLI (tls/make_test_cert.sh)")
class TlsTest(unittest.TestCase):
    """--tls-cert/--tls-key: the same server over HTTPS, with the test CA
    that tls/make_test_cert.sh makes trusted by the client."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="https_server_test_")
        tls = os.path.join(cls.tmp.name, "tls")
        subprocess.run(["bash", MAKE_CERT, tls], check=True, timeout=60,
                       stdin=subprocess.DEVNULL)
        cls.ca = os.path.join(tls, "ca.pem")
        cls.log = os.path.join(cls.tmp.name, "requests.log")
        cls.proc, cls.port, _ = start_server(
            cls.tmp.name, "--lifetime", "120", "--log", cls.log,
            "--tls-cert", os.path.join(tls, "server.pem"),
            "--tls-key", os.path.join(tls, "server.key"))

    @classmethod
    def tearDownClass(cls):
        util.stop_server(cls.proc)
        cls.tmp.cleanup()

    def get(self, host, target, context, headers=None):
        c = http.client.HTTPSConnection(host, self.port, timeout=10, context=context)
        return util.request(self.port, "GET", target, headers, conn=c)

    def trusting(self):
        return ssl.create_default_context(cafile=self.ca)   # checks the host name too

    def test_fetch_with_the_test_ca_trusted(self):
        for host in ("127.0.0.1", "localhost"):
            r, body = self.get(host, "/data/3000000", self.trusting())
            self.assertEqual(r.status, 200, host)
            self.assertEqual(body, expected(0, 3000000), host)
        r, body = self.get("127.0.0.1", "/data/100000?dropat=90000", self.trusting(),
                           {"Range": "bytes=90000-"})
        self.assertEqual(r.status, 206)
        self.assertEqual(body, expected(90000, 10000))

    def test_untrusted_client_is_refused_and_server_carries_on(self):
        with self.assertRaises(ssl.SSLCertVerificationError):
            self.get("127.0.0.1", "/data/10", ssl.create_default_context())
        r, body = self.get("127.0.0.1", "/data/10", self.trusting())
        self.assertEqual(body, expected(0, 10))
        if not util.wait_for_text(self.log, "tls handshake failed"):
            self.fail("failed handshake not in log")

    def test_plain_http_is_not_served(self):
        with socket.create_connection(("127.0.0.1", self.port), timeout=10) as s:
            s.sendall(b"GET /data/10 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            try:
                data = s.recv(65536)        # a TLS alert, or nothing
            except ConnectionResetError:
                data = b""
        self.assertFalse(data.startswith(b"HTTP/"), data)

    def test_cert_without_key_is_refused(self):
        r = subprocess.run([sys.executable, SERVER, "--port-file",
                            os.path.join(self.tmp.name, "unused"), "--tls-cert", self.ca],
                           capture_output=True, timeout=30, stdin=subprocess.DEVNULL)
        self.assertEqual(r.returncode, 2)


if __name__ == "__main__":
    unittest.main(verbosity=2)
