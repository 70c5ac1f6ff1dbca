#!/usr/bin/env python3
"""Self test of bits_upload_server.py (and server_ctl.sh with it).  Stdlib only.

Run:  python3 tests/servers/test_bits_upload_server.py
The server is started as a subprocess with the same command line a CTest
fixture uses; one server is shared by most tests, a few start their own.
Every test uses its own upload paths, so tests do not disturb each other.
"""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)            # selftest_util.py lives next to this file

import selftest_util as util            # noqa: E402

SERVER = os.path.join(HERE, "bits_upload_server.py")
PROTOCOL = "{7df0354d-249b-430f-820d-3d2a9bef4931}"
SESSION_NOT_FOUND = "0x8020001F"
pattern = util.pattern                  # the documented reply pattern


def payload(n, seed=1):
    """Upload data, different from the reply pattern."""
    return bytes(((i * 13 + seed * 101 + i // 97) & 0xFF) for i in range(n))


def start_server(tmpdir, *extra):
    return util.start_server(SERVER, tmpdir, *extra)


class Bits:
    """A BITS upload client on one keep-alive connection."""

    def __init__(self, test, target, conn=None):
        self.t = test
        self.target = target
        self.conn = conn or test.conn()
        self.sid = None

    def close(self):
        self.conn.close()

    def post(self, packet, headers=None, body=b""):
        h = {"BITS-Packet-Type": packet}
        h.update(headers or {})
        self.conn.request("BITS_POST", self.target, body=body, headers=h)
        r = self.conn.getresponse()
        data = r.read()
        self.t.assertEqual(r.getheader("BITS-Packet-Type"), "Ack")
        self.t.assertEqual(r.getheader("Content-Length"), "0")
        self.t.assertEqual(data, b"")
        return r

    def create(self, protocols=PROTOCOL, expect=201):
        r = self.post("Create-Session", {"BITS-Supported-Protocols": protocols})
        self.t.assertEqual(r.status, expect)
        if expect == 201:
            self.t.assertEqual(r.getheader("BITS-Protocol"), PROTOCOL)
            self.t.assertEqual(r.getheader("Accept-Encoding"), "Identity")
            self.sid = r.getheader("BITS-Session-Id")
            self.t.assertRegex(self.sid, r"^\{[0-9a-f-]{36}\}$")
        return r

    def fragment(self, data, a, total, name=None, sid=None, **extra):
        h = {"BITS-Session-Id": sid or self.sid,
             "Content-Range": "bytes %d-%d/%d" % (a, a + len(data) - 1, total)}
        if name is not None:
            h["Content-Name"] = name
        h.update(extra)
        return self.post("Fragment", h, data)

    def send_file(self, data, chunk, name="local.bin"):
        """All fragments in order; returns the last Ack."""
        r = None
        for a in range(0, len(data), chunk):
            r = self.fragment(data[a:a + chunk], a, len(data),
                              name=name if a == 0 else None)
            self.t.assertEqual(r.status, 200)
            self.t.assertEqual(r.getheader("BITS-Session-Id"), self.sid)
            self.t.assertEqual(r.getheader("BITS-Received-Content-Range"),
                               str(min(a + chunk, len(data))))
        return r

    def end(self, packet="Close-Session", expect=200):
        r = self.post(packet, {"BITS-Session-Id": self.sid})
        self.t.assertEqual(r.status, expect)
        return r


class ServerTest(util.SharedServer, unittest.TestCase):
    SERVER = SERVER
    TMP_PREFIX = "bits_upload_server_test_"

    # --- helpers --------------------------------------------------------
    def client(self, target):
        c = Bits(self, target)
        self.addCleanup(c.close)
        return c

    def get(self, target, rng=None, method="GET"):
        return util.request(self.port, method, target, {"Range": rng} if rng else {})

    def stats(self, reset=False):
        r, body = self.get("/stats?reset=1" if reset else "/stats")
        self.assertEqual(r.status, 200)
        return json.loads(body)

    def assert_error(self, r, status, code, header="BITS-Error-Code"):
        self.assertEqual(r.status, status)
        self.assertEqual(r.getheader(header), code)
        other = "BITS-Error" if header == "BITS-Error-Code" else "BITS-Error-Code"
        self.assertIsNone(r.getheader(other))
        self.assertEqual(r.getheader("BITS-Error-Context"), "0x5")

    def uploaded(self, path):
        r, body = self.get("/uploaded" + path)
        return body if r.status == 200 else None

    def reply_path(self, r):
        url = r.getheader("BITS-Reply-URL")
        self.assertIsNotNone(url)
        u = urllib.parse.urlsplit(url)
        self.assertEqual((u.scheme, u.hostname, u.port), ("http", "127.0.0.1", self.port))
        self.assertRegex(u.path, r"^/replies/\d+$")
        return u.path

    # --- packets ----------------------------------------------------------
    def test_pattern_formula(self):
        self.assertEqual(pattern(0, 4), bytes([0, 7, 14, 21]))
        self.assertEqual(pattern(250, 3), bytes([(250 * 7) & 255, (251 * 7 + 1) & 255,
                                                 (252 * 7 + 1) & 255]))

    def test_ping(self):
        c = self.client("/upload/ping.bin")
        self.assertEqual(c.post("Ping").status, 200)
        self.assertEqual(c.post("ping").status, 200)        # type is case-insensitive
        r = c.post("Ping", body=b"ignored body")             # a body is read and ignored
        self.assertEqual(r.status, 200)

    def test_create_session(self):
        c = self.client("/upload/create.bin")
        c.create()
        first = c.sid
        c.create("{00000000-0000-0000-0000-000000000000}, " + PROTOCOL.upper())
        self.assertNotEqual(c.sid, first)
        c.create("{00000000-0000-0000-0000-000000000000}  " + PROTOCOL + " {11111111-0000-0000-0000-000000000000}")
        c.create(PROTOCOL + ",")
        r = c.create("{00000000-0000-0000-0000-000000000000}", expect=400)
        self.assert_error(r, 400, "0x80070057")
        self.assertIsNone(r.getheader("BITS-Session-Id"))
        r = c.post("Create-Session")                         # no protocol header
        self.assert_error(r, 400, "0x80070057")
        self.assertIsNone(r.getheader("BITS-Host-Id"))       # only with hostid=1

    def test_create_session_bad_targets(self):
        for target in ("/elsewhere/x", "/upload/", "/upload", "/reply/", "/stats"):
            c = self.client(target)
            self.assert_error(c.create(expect=404), 404, "0x80070002")
        for target in ("/upload/x?bogus=1", "/upload/x?dropat=abc",
                       "/upload/x?deny=200", "/upload/x?errorheader=foo",
                       "/reply/x?replysize=-1", "/upload/x?hostid=maybe"):
            c = self.client(target)
            self.assert_error(c.create(expect=400), 400, "0x80070057")

    def test_whole_upload_and_read_back(self):
        data = payload(100_000)
        c = self.client("/upload/whole.bin")
        self.assertEqual(c.post("Ping").status, 200)
        c.create()
        r = c.send_file(data, 30_000, name="whole-local.bin")
        self.assertIsNone(r.getheader("BITS-Reply-URL"))     # plain upload: no reply
        self.assertEqual(self.uploaded("/upload/whole.bin"), data)   # committed at once
        c.end("Close-Session")
        self.assertEqual(self.uploaded("/upload/whole.bin"), data)   # and stays
        # read back: HEAD, ranges, 416
        r, body = self.get("/uploaded/upload/whole.bin", method="HEAD")
        self.assertEqual((r.status, body), (200, b""))
        self.assertEqual(r.getheader("Content-Length"), str(len(data)))
        self.assertIsNotNone(r.getheader("Last-Modified"))
        r, body = self.get("/uploaded/upload/whole.bin", "bytes=10-19")
        self.assertEqual(r.status, 206)
        self.assertEqual(r.getheader("Content-Range"), "bytes 10-19/100000")
        self.assertEqual(body, data[10:20])
        r, body = self.get("/uploaded/upload/whole.bin", "bytes=100000-")
        self.assertEqual(r.status, 416)
        self.assertEqual(r.getheader("Content-Range"), "bytes */100000")
        r, _ = self.get("/uploaded/upload/never.bin")
        self.assertEqual(r.status, 404)
        st = self.stats()
        self.assertEqual(st["uploads"]["/upload/whole.bin"],
                         {"size": 100000, "content_name": "whole-local.bin"})
        frags = [f for f in st["fragments"] if f["path"] == "/upload/whole.bin"]
        self.assertEqual([f["range"] for f in frags],
                         ["0-29999/100000", "30000-59999/100000",
                          "60000-89999/100000", "90000-99999/100000"])
        self.assertEqual([f["bytes"] for f in frags], [30000, 30000, 30000, 10000])
        self.assertTrue(all(f["session"] == c.sid and f["status"] == 200 for f in frags))

    def test_reupload_replaces(self):
        for seed in (1, 2):
            c = self.client("/upload/again.bin")
            c.create()
            c.send_file(payload(5000, seed), 5000)
            c.end()
            self.assertEqual(self.uploaded("/upload/again.bin"), payload(5000, seed))

    def test_empty_file(self):
        for rng in ("bytes */0", "bytes 0--1/0"):
            c = self.client("/upload/empty.bin")
            c.create()
            r = c.post("Fragment", {"BITS-Session-Id": c.sid, "Content-Range": rng}, b"")
            self.assertEqual(r.status, 200)
            self.assertEqual(r.getheader("BITS-Received-Content-Range"), "0")
            c.end()
            r, body = self.get("/uploaded/upload/empty.bin")
            self.assertEqual((r.status, body), (200, b""))

    def test_overlap_keeps_existing_bytes(self):
        data = payload(300)
        c = self.client("/upload/overlap.bin")
        c.create()
        self.assertEqual(c.fragment(data[0:101], 0, 300).status, 200)
        other = bytes(255 - x for x in data)                 # differs everywhere
        r = c.fragment(other[50:151], 50, 300, **{"Content-Range": "Bytes 50-150/300"})
        self.assertEqual(r.status, 200)
        self.assertEqual(r.getheader("BITS-Received-Content-Range"), "151")
        r = c.fragment(data[0:10], 0, 300)                   # entirely old: nothing written
        self.assertEqual(r.getheader("BITS-Received-Content-Range"), "151")
        r = c.fragment(data[151:300], 151, 300)
        self.assertEqual(r.getheader("BITS-Received-Content-Range"), "300")
        c.end()
        expect = data[0:101] + other[101:151] + data[151:300]
        self.assertEqual(self.uploaded("/upload/overlap.bin"), expect)
        frags = [f for f in self.stats()["fragments"] if f["path"] == "/upload/overlap.bin"]
        self.assertEqual([f["written"] for f in frags], [101, 50, 0, 149])

    def test_gap_gets_416(self):
        c = self.client("/upload/gap.bin")
        c.create()
        c.fragment(payload(100), 0, 1000)
        r = c.fragment(payload(100), 200, 1000)
        self.assertEqual(r.status, 416)
        self.assertEqual(r.getheader("BITS-Received-Content-Range"), "100")
        self.assertEqual(r.getheader("BITS-Session-Id"), c.sid)
        self.assertIsNone(r.getheader("BITS-Error-Code"))
        r = c.fragment(payload(1000)[100:], 100, 1000)      # the session goes on
        self.assertEqual(r.status, 200)
        self.assertEqual(r.getheader("BITS-Received-Content-Range"), "1000")
        self.assertEqual(self.uploaded("/upload/gap.bin"), payload(1000))

    def test_unknown_session(self):
        c = self.client("/upload/nosession.bin")
        c.sid = "{12345678-1234-1234-1234-123456789abc}"
        self.assert_error(c.fragment(b"abc", 0, 3), 500, SESSION_NOT_FOUND)
        self.assert_error(c.end("Close-Session", expect=500), 500, SESSION_NOT_FOUND)
        self.assert_error(c.end("Cancel-Session", expect=500), 500, SESSION_NOT_FOUND)
        r = c.post("Fragment", {"Content-Range": "bytes 0-2/3"}, b"abc")   # no id at all
        self.assert_error(r, 500, SESSION_NOT_FOUND)
        c.create()
        c.end()
        self.assert_error(c.fragment(b"abc", 0, 3), 500, SESSION_NOT_FOUND)  # closed
        self.assert_error(c.end(expect=500), 500, SESSION_NOT_FOUND)

    def test_close_before_complete_discards(self):
        c = self.client("/upload/closed-early.bin")
        c.create()
        c.fragment(payload(10), 0, 100)
        c.end("Close-Session")
        self.assertIsNone(self.uploaded("/upload/closed-early.bin"))

    def test_cancel(self):
        before = self.stats()["sessions"]
        c = self.client("/upload/cancelled.bin")
        c.create()
        c.fragment(payload(10), 0, 100)
        c.end("Cancel-Session")
        self.assertIsNone(self.uploaded("/upload/cancelled.bin"))
        self.assert_error(c.fragment(payload(10), 10, 100), 500, SESSION_NOT_FOUND)
        after = self.stats()["sessions"]
        self.assertEqual(after["cancelled"], before["cancelled"] + 1)
        self.assertEqual(after["created"], before["created"] + 1)
        # After the last fragment: the upload stays, the reply goes.
        c = self.client("/reply/cancelled.bin?replysize=10")
        c.create()
        r = c.send_file(payload(50), 50)
        reply = self.reply_path(r)
        self.assertEqual(self.get(reply)[1], pattern(0, 10))
        c.end("Cancel-Session")
        self.assertEqual(self.get(reply)[0].status, 404)
        self.assertEqual(self.uploaded("/reply/cancelled.bin"), payload(50))

    # --- upload-reply -------------------------------------------------------
    def upload_reply(self, target, data, chunk=4096):
        c = self.client(target)
        c.create()
        r = c.send_file(data, chunk)
        return c, r

    def test_reply_sizes(self):
        for size in (0, 1000, (1 << 20) + 300):
            target = "/reply/r%d.bin?replysize=%d" % (size, size)
            c, r = self.upload_reply(target, payload(20_000))
            reply = self.reply_path(r)
            h, body = self.get(reply, method="HEAD")
            self.assertEqual(h.status, 200, size)
            self.assertEqual(h.getheader("Content-Length"), str(size))
            self.assertEqual(h.getheader("Accept-Ranges"), "bytes")
            self.assertIsNotNone(h.getheader("Last-Modified"))
            self.assertEqual(body, b"")
            g, body = self.get(reply)
            self.assertEqual(g.status, 200)
            self.assertEqual(body, pattern(0, size))
            if size:
                first = size // 3
                g, body = self.get(reply, "bytes=%d-" % first)
                self.assertEqual(g.status, 206)
                self.assertEqual(g.getheader("Content-Range"),
                                 "bytes %d-%d/%d" % (first, size - 1, size))
                self.assertEqual(body, pattern(first, size - first))
                g, body = self.get(reply, "bytes=-7")
                self.assertEqual((g.status, body), (206, pattern(size - 7, 7)))
            g, _ = self.get(reply, "bytes=%d-" % size)
            self.assertEqual(g.status, 416)
            self.assertEqual(g.getheader("Content-Range"), "bytes */%d" % size)
            c.end("Close-Session")
            self.assertEqual(self.get(reply)[1], pattern(0, size))      # kept after close
            self.assertEqual(self.uploaded("/reply/r%d.bin" % size), payload(20_000))
            rid = reply.rsplit("/", 1)[1]
            downloads = [d for d in self.stats()["reply_downloads"] if d["id"] == rid]
            self.assertEqual(downloads[0], {"id": rid, "method": "HEAD", "range": None,
                                            "status": 200, "bytes": 0})
            self.assertEqual(downloads[1]["bytes"], size)
            if size:
                self.assertEqual(downloads[2]["range"], "bytes=%d-" % (size // 3))
                self.assertEqual(downloads[2]["status"], 206)

    def test_reply_url_only_on_final_fragment_and_retransmission(self):
        c = self.client("/reply/final.bin?replysize=5")
        c.create()
        r = c.fragment(payload(10)[:5], 0, 10)
        self.assertIsNone(r.getheader("BITS-Reply-URL"))
        r = c.fragment(payload(10)[5:], 5, 10)
        url = r.getheader("BITS-Reply-URL")
        self.assertIsNotNone(url)
        r = c.fragment(payload(10)[5:], 5, 10)                # the Ack got lost: resend
        self.assertEqual(r.status, 200)
        self.assertEqual(r.getheader("BITS-Received-Content-Range"), "10")
        self.assertEqual(r.getheader("BITS-Reply-URL"), url)
        st = self.stats()
        self.assertEqual(st["replies"][url.rsplit("/", 1)[1]]["size"], 5)

    def test_reply_default_echo_noreply(self):
        data = payload(3000)
        _, r = self.upload_reply("/reply/default.bin", data)
        self.assertEqual(self.get(self.reply_path(r))[1], pattern(0, 1024))
        _, r = self.upload_reply("/reply/echo.bin?echo=1", data)
        reply = self.reply_path(r)
        self.assertEqual(self.get(reply)[1], data)
        self.assertEqual(self.get(reply, "bytes=100-199")[1], data[100:200])
        _, r = self.upload_reply("/reply/none.bin?noreply=1", data)
        self.assertIsNone(r.getheader("BITS-Reply-URL"))
        self.assertEqual(self.uploaded("/reply/none.bin"), data)
        self.assertEqual(self.get("/replies/999999")[0].status, 404)

    # --- faults -------------------------------------------------------------
    def test_dropat_then_retry(self):
        data = payload(10_000)
        path = "/upload/drop.bin"
        c = self.client(path + "?dropat=5000")
        c.create()
        self.assertEqual(c.fragment(data[:4000], 0, 10_000).status, 200)
        with self.assertRaises((http.client.RemoteDisconnected, ConnectionError)):
            c.fragment(data[4000:], 4000, 10_000)
        # bytes before 5000 were kept; the session survives; a retry succeeds
        c.conn.close()
        r = c.fragment(data[4000:], 4000, 10_000)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.getheader("BITS-Received-Content-Range"), "10000")
        self.assertEqual(self.uploaded(path), data)
        st = self.stats()
        frags = [f for f in st["fragments"] if f["path"] == path]
        self.assertEqual([(f["status"], f["written"]) for f in frags],
                         [(200, 4000), ("dropped", 1000), (200, 5000)])
        self.assertIn({"fault": "dropat", "path": path, "session": c.sid, "offset": 5000},
                      st["faults"])

    def test_dropcount_across_sessions(self):
        data = payload(2000)
        c = self.client("/upload/drop2.bin?dropat=0&dropcount=2")
        c.create()
        for _ in range(2):
            with self.assertRaises((http.client.RemoteDisconnected, ConnectionError)):
                c.fragment(data, 0, 2000)
            c.conn.close()
            c.create()                                        # a new session each time
        c.send_file(data, 2000)
        self.assertEqual(self.uploaded("/upload/drop2.bin"), data)
        # Committed: the fault state is reset, a new upload drops again.
        c.create()
        with self.assertRaises((http.client.RemoteDisconnected, ConnectionError)):
            c.fragment(data, 0, 2000)

    def test_lose_session(self):
        data = payload(3000)
        path = "/upload/lose.bin"
        c = self.client(path + "?lose_session=1000")
        c.create()
        lost = c.sid
        self.assertEqual(c.fragment(data[:1000], 0, 3000).status, 200)
        self.assert_error(c.fragment(data[1000:2000], 1000, 3000), 500, SESSION_NOT_FOUND)
        self.assert_error(c.fragment(data[1000:2000], 1000, 3000), 500, SESSION_NOT_FOUND)
        c.create()                                            # start over
        self.assertNotEqual(c.sid, lost)
        r = c.fragment(data[1000:2000], 1000, 3000)           # the new session holds 0
        self.assertEqual((r.status, r.getheader("BITS-Received-Content-Range")), (416, "0"))
        c.send_file(data, 1000)                               # once only
        c.end()
        self.assertEqual(self.uploaded(path), data)
        st = self.stats()
        self.assertGreaterEqual(st["sessions"]["lost"], 1)
        self.assertIn({"fault": "lose_session", "path": path, "session": lost,
                       "offset": 1000}, st["faults"])

    def test_status416(self):
        data = payload(3000)
        c = self.client("/upload/s416.bin?status416=1000")
        c.create()
        c.fragment(data[:1000], 0, 3000)
        r = c.fragment(data[1000:], 1000, 3000)
        self.assertEqual(r.status, 416)
        self.assertEqual(r.getheader("BITS-Received-Content-Range"), "1000")
        r = c.fragment(data[1000:], 1000, 3000)
        self.assertEqual((r.status, r.getheader("BITS-Received-Content-Range")), (200, "3000"))
        self.assertEqual(self.uploaded("/upload/s416.bin"), data)
        c = self.client("/upload/s416-first.bin?status416=0")
        c.create()
        r = c.fragment(data, 0, 3000)
        self.assertEqual((r.status, r.getheader("BITS-Received-Content-Range")), (416, "0"))
        self.assertEqual(c.fragment(data, 0, 3000).status, 200)

    def test_deny_conflict_and_error_header_spellings(self):
        c = self.client("/upload/deny.bin?deny=403")
        self.assert_error(c.create(expect=403), 403, "0x80070005")
        self.assert_error(c.create(expect=403), 403, "0x80070005")   # every time
        c = self.client("/upload/deny501.bin?deny=501&errorheader=bits-error")
        self.assert_error(c.create(expect=501), 501, "0x80070005", header="BITS-Error")
        c = self.client("/upload/conflict.bin?conflict=1")
        self.assert_error(c.create(expect=409), 409, "0x800700B7")
        c = self.client("/upload/conflict.bin?conflict=1&errorheader=BITS-Error")
        self.assert_error(c.create(expect=409), 409, "0x800700B7", header="BITS-Error")
        c = self.client("/upload/spell.bin?lose_session=0&errorheader=bits-error")
        c.create()
        self.assert_error(c.fragment(b"x", 0, 1), 500, SESSION_NOT_FOUND, header="BITS-Error")
        c = self.client("/upload/spell2.bin?errorheader=bits-error-code")
        c.create()
        self.assert_error(c.fragment(b"x", 0, 1, **{"Content-Range": "bytes 0-5/1"}),
                          400, "0x80070057")
        errors = self.stats()["errors"]
        self.assertIn({"packet": "Create-Session", "path": "/upload/deny.bin",
                       "status": 403, "code": "0x80070005", "message": "denied (deny=403)"},
                      errors)

    def test_delayack(self):
        c = self.client("/upload/delay.bin?delayack=400")
        c.create()
        t0 = time.monotonic()
        c.fragment(payload(10)[:5], 0, 10)
        self.assertLess(time.monotonic() - t0, 0.3)           # not the final one
        t0 = time.monotonic()
        r = c.fragment(payload(10)[5:], 5, 10)
        self.assertGreaterEqual(time.monotonic() - t0, 0.38)
        self.assertEqual(r.status, 200)

    def test_hostid(self):
        c = self.client("/upload/hostid.bin?hostid=1")
        r = c.create()
        self.assertEqual(r.getheader("BITS-Host-Id"), "127.0.0.1:%d" % self.port)
        c.send_file(payload(100), 100)
        c.end()
        self.assertEqual(self.uploaded("/upload/hostid.bin"), payload(100))

    def test_combined_faults(self):
        data = payload(6000)
        path = "/reply/combo.bin"
        c = self.client(path + "?dropat=2500&status416=1000&replysize=77&errorheader=bits-error")
        c.create()
        self.assertEqual(c.fragment(data[:1000], 0, 6000).status, 200)
        self.assertEqual(c.fragment(data[1000:3000], 1000, 6000).status, 416)
        with self.assertRaises((http.client.RemoteDisconnected, ConnectionError)):
            c.fragment(data[1000:3000], 1000, 6000)
        c.conn.close()
        r = c.fragment(data[1000:], 1000, 6000)
        self.assertEqual(r.status, 200)
        self.assertEqual(self.get(self.reply_path(r))[1], pattern(0, 77))
        self.assertEqual(self.uploaded(path), data)

    def test_resetat(self):
        data = payload(10_000)
        path = "/upload/reset.bin"
        c = self.client(path + "?resetat=6000")
        c.create()
        self.assertEqual(c.fragment(data[:4000], 0, 10_000).status, 200)
        with self.assertRaises(ConnectionResetError):        # a RST, not a clean close
            c.fragment(data[4000:], 4000, 10_000)
        c.conn.close()
        r = c.fragment(data[4000:5000], 4000, 10_000)         # the server kept 4000-5999
        self.assertEqual((r.status, r.getheader("BITS-Received-Content-Range")), (200, "6000"))
        r = c.fragment(data[6000:], 6000, 10_000)             # once only
        self.assertEqual((r.status, r.getheader("BITS-Received-Content-Range")), (200, "10000"))
        self.assertEqual(self.uploaded(path), data)
        st = self.stats()
        frags = [f for f in st["fragments"] if f["path"] == path]
        self.assertEqual([(f["status"], f["bytes"], f["written"]) for f in frags],
                         [(200, 4000, 4000), ("reset", 2000, 2000), (200, 1000, 0),
                          (200, 4000, 4000)])
        self.assertIn({"fault": "resetat", "path": path, "session": c.sid, "offset": 6000},
                      st["faults"])

    def test_slowread(self):
        c = self.client("/upload/slow-read.bin?slowread=200000")
        c.create()
        t0 = time.monotonic()
        r = c.fragment(payload(100_000), 0, 100_000)
        self.assertGreaterEqual(time.monotonic() - t0, 0.45)  # 100 kB at 200 kB/s
        self.assertEqual(r.status, 200)
        self.assertEqual(self.uploaded("/upload/slow-read.bin"), payload(100_000))

    def test_stall(self):
        path = "/upload/stall.bin"
        c = self.client(path + "?stall=Fragment,cancel-session:600&stallms=300")
        c.create()
        sid = c.sid
        t0 = time.monotonic()
        with self.assertRaises((http.client.RemoteDisconnected, ConnectionError)):
            c.fragment(payload(10), 0, 10)
        self.assertGreaterEqual(time.monotonic() - t0, 0.28)  # held, then closed unanswered
        c.conn.close()
        t0 = time.monotonic()
        with self.assertRaises((http.client.RemoteDisconnected, ConnectionError)):
            c.end("Cancel-Session")
        self.assertGreaterEqual(time.monotonic() - t0, 0.58)  # its own time
        c.conn.close()
        c.end("Close-Session")                                # not stalled
        st = self.stats()
        stalls = [(f["packet"], f["session"]) for f in st["faults"]
                  if f["fault"] == "stall" and f["path"] == path]
        self.assertEqual(stalls, [("Fragment", sid), ("Cancel-Session", sid)])
        self.assertEqual([f["status"] for f in st["fragments"] if f["path"] == path], ["stalled"])
        self.assertIsNone(self.uploaded(path))
        # A client that goes away ends the stall early.
        c = self.client(path + "?stall=fragment")
        c.create()
        c.conn.sock.settimeout(0.2)
        with self.assertRaises((socket.timeout, TimeoutError)):
            c.fragment(payload(10), 0, 10)
        c.conn.close()
        for bad in ("stall=ping", "stall=create-session", "stall=nonsense", "stall=fragment:x"):
            self.assert_error(self.client("/upload/x?" + bad).create(expect=400), 400, "0x80070057")

    def test_forget(self):
        data = payload(3000)
        for status in (200, 416):
            c = self.client("/upload/forget%d.bin?forget=1000&forgetstatus=%d" % (status, status))
            c.create()
            for _ in range(2):                                # every time
                r = c.fragment(data[:1000], 0, 3000)
                self.assertEqual((r.status, r.getheader("BITS-Received-Content-Range")), (200, "1000"))
                r = c.fragment(data[1000:2000], 1000, 3000)
                self.assertEqual((r.status, r.getheader("BITS-Received-Content-Range")), (status, "0"))
            forgets = [f for f in self.stats()["faults"]
                       if f["fault"] == "forget" and f["session"] == c.sid]
            self.assertEqual([f["offset"] for f in forgets], [1000, 1000])

    def test_badack(self):
        data = payload(3000)
        c = self.client("/upload/badack1.bin?badack=99999999&badackat=1000")
        c.create()
        self.assertEqual(c.fragment(data[:1000], 0, 3000).getheader("BITS-Received-Content-Range"), "1000")
        r = c.fragment(data[1000:2000], 1000, 3000)           # written, but a nonsense Ack
        self.assertEqual((r.status, r.getheader("BITS-Received-Content-Range")), (200, "99999999"))
        r = c.fragment(data[2000:], 2000, 3000)               # once
        self.assertEqual((r.status, r.getheader("BITS-Received-Content-Range")), (200, "3000"))
        self.assertEqual(self.uploaded("/upload/badack1.bin"), data)
        c = self.client("/upload/badack2.bin?badack=-5&badackstatus=416")
        c.create()
        r = c.fragment(data, 0, 3000)                         # nothing written
        self.assertEqual((r.status, r.getheader("BITS-Received-Content-Range")), (416, "-5"))
        r = c.fragment(data[:10], 0, 3000)
        self.assertEqual(r.getheader("BITS-Received-Content-Range"), "10")
        c = self.client("/upload/badack3.bin?badack=none")
        c.create()
        r = c.fragment(data, 0, 3000)
        self.assertEqual(r.status, 200)
        self.assertIsNone(r.getheader("BITS-Received-Content-Range"))
        self.assertEqual(self.uploaded("/upload/badack3.bin"), data)
        faults = [(f["fault"], f["path"], f["offset"]) for f in self.stats()["faults"]]
        self.assertIn(("badack", "/upload/badack1.bin", 1000), faults)
        self.assertIn(("badack", "/upload/badack2.bin", 0), faults)

    def test_create_session_faults(self):
        c = self.client("/upload/proto.bin?protocol=%7B00000000-0000-0000-0000-000000000000%7D")
        r = c.post("Create-Session", {"BITS-Supported-Protocols": PROTOCOL})
        self.assertEqual((r.status, r.getheader("BITS-Protocol")),
                         (201, "{00000000-0000-0000-0000-000000000000}"))
        r = self.client("/upload/proto.bin?protocol=none").post(
            "Create-Session", {"BITS-Supported-Protocols": PROTOCOL})
        self.assertEqual(r.status, 201)
        self.assertIsNone(r.getheader("BITS-Protocol"))
        self.assertIsNotNone(r.getheader("BITS-Session-Id"))
        r = self.client("/upload/nosid.bin?nosession=1").post(
            "Create-Session", {"BITS-Supported-Protocols": PROTOCOL})
        self.assertEqual((r.status, r.getheader("BITS-Protocol")), (201, PROTOCOL))
        self.assertIsNone(r.getheader("BITS-Session-Id"))
        r = self.client("/upload/hid.bin?hostidvalue=127.0.0.1%3A1%2Fevil%3Fx%3D").post(
            "Create-Session", {"BITS-Supported-Protocols": PROTOCOL})
        self.assertEqual(r.getheader("BITS-Host-Id"), "127.0.0.1:1/evil?x=")
        faults = [(f["fault"], f["path"]) for f in self.stats()["faults"]]
        for fault in (("protocol", "/upload/proto.bin"), ("nosession", "/upload/nosid.bin"),
                      ("hostidvalue", "/upload/hid.bin")):
            self.assertIn(fault, faults)
        self.assert_error(self.client("/upload/x?protocol=a%0Db").create(expect=400), 400, "0x80070057")

    def test_session_log_and_stats_of_one_path(self):
        path = "/upload/logged-session.bin"
        c = self.client(path + "?lose_session=0")
        c.create()
        self.assert_error(c.fragment(b"x", 0, 1), 500, SESSION_NOT_FOUND)
        c.create()
        c.end("Cancel-Session")
        self.client("/upload/other-path.bin").create()
        r, body = self.get("/stats?path=" + path)
        st = json.loads(body)
        self.assertEqual([e["event"] for e in st["session_log"]],
                         ["created", "lost", "created", "cancelled"])
        self.assertEqual(st["sessions"], {"created": 2, "lost": 1, "cancelled": 1, "closed": 0})
        self.assertEqual(st["packets"], {"Create-Session": 2, "Fragment": 1, "Cancel-Session": 1})
        self.assertEqual([f["path"] for f in st["fragments"]], [path])
        self.assertEqual([e["path"] for e in st["errors"]], [path])
        self.assertEqual([f["fault"] for f in st["faults"]], ["lose_session"])
        self.assertGreater(self.stats()["sessions"]["created"], 2)   # without ?path=: all

    # --- robustness ---------------------------------------------------------
    def test_bad_fragments(self):
        c = self.client("/upload/bad.bin")
        c.create()
        cases = [
            {"Content-Range": "bytes 0-9"},
            {"Content-Range": "bytes 9-0/10"},
            {"Content-Range": "bytes 0-10/10"},
            {"Content-Range": "items 0-9/10"},
            {"Content-Range": "bytes */10"},
            {"Content-Range": "bytes 0-4/10"},                # body is 10 bytes
            {"Content-Range": "bytes 0-9/10", "Content-Encoding": "gzip"},
        ]
        for h in cases:
            h["BITS-Session-Id"] = c.sid
            self.assert_error(c.post("Fragment", h, payload(10)), 400, "0x80070057")
        r = c.post("Fragment", {"BITS-Session-Id": c.sid})   # no Content-Range
        self.assert_error(r, 400, "0x80070057")
        c.conn.request("BITS_POST", c.target, headers={       # no Content-Length
            "BITS-Packet-Type": "Fragment", "BITS-Session-Id": c.sid,
            "Content-Range": "bytes 0-9/10"})
        r = c.conn.getresponse()
        r.read()
        self.assert_error(r, 400, "0x80070057")
        self.assertEqual(r.getheader("Connection"), "close")
        c.conn.close()
        self.assertEqual(c.fragment(payload(10)[:5], 0, 10).status, 200)
        self.assert_error(c.fragment(payload(10)[5:], 5, 11), 400, "0x80070057")  # new total
        self.assert_error(c.post("Bogus-Packet"), 400, "0x80070057")
        self.assert_error(c.post(""), 400, "0x80070057")
        self.assertEqual(c.fragment(payload(10)[5:], 5, 10).status, 200)   # still in sync
        self.assertEqual(self.uploaded("/upload/bad.bin"), payload(10))

    def test_raw_garbage(self):
        def raw(data):                          # end of request: EOF to the server
            return util.raw_exchange(self.port, data, end_request=True).decode("latin-1")
        out = raw(b"BITS_POST /upload/x HTTP/1.1\r\nBITS-Packet-Type: Ping\r\n"
                  b"Content-Length: zz\r\nConnection: close\r\n\r\n")
        self.assertIn(" 400 ", out.split("\r\n")[0])
        self.assertIn("BITS-Error-Code: 0x80070057", out)
        out = raw(b"BITS_POST /upload/x HTTP/1.1\r\nBITS-Packet-Type: Ping\r\n"
                  b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
        self.assertIn(" 400 ", out.split("\r\n")[0])
        out = raw(b"NONSENSE\r\n\r\n")
        self.assertIn(" 400 ", out.split("\r\n")[0])
        out = raw(b"POST /upload/x HTTP/1.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        self.assertIn(" 501 ", out.split("\r\n")[0])
        # a body cut short: the server just closes
        out = raw(b"BITS_POST /upload/x HTTP/1.1\r\nBITS-Packet-Type: Ping\r\n"
                  b"Content-Length: 100\r\n\r\nshort")
        self.assertEqual(out, "")
        c = self.client("/upload/x")
        self.assertEqual(c.post("Ping").status, 200)          # still alive

    def test_keep_alive_whole_exchange(self):
        c = self.client("/reply/keepalive.bin?replysize=64")
        c.post("Ping")
        c.create()
        r = c.send_file(payload(50_000), 8192)
        reply = self.reply_path(r)
        c.conn.request("HEAD", reply)
        h = c.conn.getresponse()
        h.read()
        c.conn.request("GET", reply, headers={"Range": "bytes=0-31"})
        g = c.conn.getresponse()
        self.assertEqual((g.status, g.read()), (206, pattern(0, 32)))
        c.end()
        self.assertEqual(self.uploaded("/reply/keepalive.bin"), payload(50_000))

    def test_concurrent_clients(self):
        errors = []

        def worker(k):
            try:
                c = Bits(self, "/reply/conc%d.bin?echo=1" % k)
                try:
                    c.create()
                    data = payload(40_000 + k, seed=k)
                    r = c.send_file(data, 7000)
                    reply = urllib.parse.urlsplit(r.getheader("BITS-Reply-URL")).path
                    c.conn.request("GET", reply)
                    g = c.conn.getresponse()
                    if g.read() != data:
                        errors.append("reply %d differs" % k)
                    c.end()
                finally:
                    c.close()
            except Exception as e:                            # reported below
                errors.append("%d: %r" % (k, e))

        threads = [threading.Thread(target=worker, args=(k,)) for k in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        self.assertEqual(errors, [])
        for k in range(8):
            self.assertEqual(self.uploaded("/reply/conc%d.bin" % k), payload(40_000 + k, seed=k))

    def test_absolute_uri_target(self):
        c = self.client("http://example.invalid/upload/abs.bin")
        c.create()
        c.send_file(payload(10), 10)
        self.assertEqual(self.uploaded("/upload/abs.bin"), payload(10))

    def test_get_unknown(self):
        self.assertEqual(self.get("/nothing")[0].status, 404)
        self.assertEqual(self.get("/uploaded/")[0].status, 404)
        self.assertEqual(self.get("/stats?reset=maybe")[0].status, 400)


class StatsTest(unittest.TestCase):
    """Counters from a fresh server (the shared one sees other tests)."""

    def test_stats_counts_and_reset(self):
        with tempfile.TemporaryDirectory() as d:
            proc, port, _ = start_server(d, "--lifetime", "60")
            try:
                c = Bits(self, "/reply/s.bin?replysize=10", util.connect(port))
                c.post("Ping")
                c.create()
                r = c.send_file(payload(20), 10)
                reply = urllib.parse.urlsplit(r.getheader("BITS-Reply-URL")).path
                c.conn.request("GET", reply, headers={"Range": "bytes=2-3"})
                c.conn.getresponse().read()
                c.end("Close-Session")
                c2 = Bits(self, "/upload/s2.bin", c.conn)
                c2.create()
                c2.end("Cancel-Session")
                c2.end("Cancel-Session", expect=500)
                c.conn.request("GET", "/stats?reset=1")
                st = json.loads(c.conn.getresponse().read())
                self.assertEqual(st["packets"], {"Ping": 1, "Create-Session": 2,
                                                 "Fragment": 2, "Close-Session": 1,
                                                 "Cancel-Session": 2})
                self.assertEqual(st["sessions"], {"created": 2, "closed": 1,
                                                  "cancelled": 1, "lost": 0})
                self.assertEqual(st["requests"], 9)
                self.assertEqual(st["methods"]["BITS_POST /reply/s.bin"], 5)
                self.assertEqual(st["methods"]["GET " + reply], 1)
                self.assertEqual([f["range"] for f in st["fragments"]],
                                 ["0-9/20", "10-19/20"])
                self.assertEqual(st["reply_downloads"],
                                 [{"id": reply.rsplit("/", 1)[1], "method": "GET",
                                   "range": "bytes=2-3", "status": 206, "bytes": 2}])
                self.assertEqual(len(st["errors"]), 1)
                self.assertEqual(st["errors"][0]["code"], SESSION_NOT_FOUND)
                self.assertEqual(st["uploads"], {"/reply/s.bin": {"size": 20,
                                                                  "content_name": "local.bin"}})
                c.conn.request("GET", "/stats")
                st = json.loads(c.conn.getresponse().read())
                self.assertEqual((st["requests"], st["fragments"], st["packets"]), (0, [], {}))
                self.assertIn("/reply/s.bin", st["uploads"])  # data survives a reset
                c.conn.request("GET", "/uploaded/reply/s.bin")
                self.assertEqual(c.conn.getresponse().read(), payload(20))
                c.close()
            finally:
                proc.send_signal(signal.SIGTERM)
                self.assertEqual(proc.wait(10), 0)


class ProcessTest(util.LifecycleTests, unittest.TestCase):
    SERVER = SERVER                 # test_sigterm_and_lifetime: selftest_util

    def test_log_written(self):
        with tempfile.TemporaryDirectory() as d:
            log = os.path.join(d, "log")
            proc, port, _ = start_server(d, "--log", log)
            try:
                c = util.connect(port)
                c.request("BITS_POST", "/upload/logged.bin", body=b"",
                          headers={"BITS-Packet-Type": "Ping"})
                c.getresponse().read()
                # The line is written after the answer; a second request on
                # the same connection is read only once it is written.
                c.request("GET", "/stats")
                c.getresponse().read()
                c.close()
            finally:
                proc.send_signal(signal.SIGTERM)
                self.assertEqual(proc.wait(10), 0)
            with open(log) as f:
                text = f.read()
            self.assertIn("BITS_POST /upload/logged.bin", text)
            self.assertIn("packet='Ping'", text)

    def test_listens_on_loopback_only(self):
        with tempfile.TemporaryDirectory() as d:
            proc, port, _ = start_server(d)
            try:
                out = subprocess.run(["ss", "-ltnH"], capture_output=True, text=True)
                if out.returncode == 0:
                    lines = [l for l in out.stdout.splitlines() if (":%d " % port) in l]
                    self.assertTrue(lines)
                    self.assertTrue(all("127.0.0.1:%d" % port in l for l in lines), lines)
            finally:
                proc.send_signal(signal.SIGTERM)
                proc.wait(10)

    def test_server_ctl(self):
        with tempfile.TemporaryDirectory() as d:
            state = os.path.join(d, "state")
            ctl = util.server_ctl
            r = ctl("start", state, SERVER, "--lifetime", "60")
            self.assertEqual(r.returncode, 0, r.stderr)
            with open(os.path.join(state, "server.port")) as f:
                port = int(f.read())
            c = util.connect(port)
            c.request("BITS_POST", "/upload/ctl.bin", body=b"",
                      headers={"BITS-Packet-Type": "Ping"})
            r2 = c.getresponse()
            r2.read()
            self.assertEqual(r2.status, 200)
            c.close()
            r = ctl("stop", state)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertFalse(os.path.exists(os.path.join(state, "server.pid")))
            with self.assertRaises(OSError):
                socket.create_connection(("127.0.0.1", port), timeout=2).close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
