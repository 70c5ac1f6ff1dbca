"""Helpers shared by the loopback servers' self tests (test_http_server.py,
test_bits_upload_server.py).  Python 3 standard library only.

The servers are run as subprocesses with the command line a CTest fixture
uses; nothing here imports them, so the expected content comes straight from
the documented formula.
"""

import http.client
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CTL = os.path.join(HERE, "server_ctl.sh")


def pattern(offset, length):
    """The documented pattern: byte[i] = (i * 7 + i // 251) & 0xFF."""
    return bytes(((i * 7 + i // 251) & 0xFF) for i in range(offset, offset + length))


def start_server(server, tmpdir, *extra):
    """Run `server` (a script) with --port-file tmpdir/port and `extra`;
    wait (up to 10 s) for the complete port file.  Returns (process, port,
    port file)."""
    port_file = os.path.join(tmpdir, "port")
    proc = subprocess.Popen(
        [sys.executable, server, "--port-file", port_file] + list(extra),
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if os.path.exists(port_file):
            with open(port_file) as f:
                text = f.read()
            if text.endswith("\n"):
                return proc, int(text), port_file
        if proc.poll() is not None:
            raise RuntimeError("server exited with %s" % proc.returncode)
        time.sleep(0.02)
    proc.kill()
    proc.wait()
    raise RuntimeError("server did not write its port file")


def stop_server(proc):
    """SIGTERM, then SIGKILL if it is still there after 10 s."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def connect(port):
    return http.client.HTTPConnection("127.0.0.1", port, timeout=10)


def request(port, method, target, headers=None, conn=None):
    """One request on a fresh connection (`conn`, else a plain one to 127.0.0.1
    on `port`), closed afterwards: (response, body)."""
    c = conn or connect(port)
    try:
        c.request(method, target, headers=headers or {})
        r = c.getresponse()
        return r, r.read()
    finally:
        c.close()


def raw_exchange(port, data, end_request=False):
    """Send raw bytes, read until the server closes (or the 10 s timeout);
    returns what came back.  end_request: shut down the sending side first,
    so the server sees EOF after the request."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(data)
        if end_request:
            s.shutdown(socket.SHUT_WR)
        chunks = []
        while True:                     # ends at EOF or on the timeout
            b = s.recv(65536)
            if not b:
                break
            chunks.append(b)
    return b"".join(chunks)


def wait_for_text(path, text, seconds=2):
    """True once file `path` contains `text`, False after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with open(path) as f:
            if text in f.read():
                return True
        time.sleep(0.05)
    return False


def server_ctl(*args):
    """Run server_ctl.sh with these arguments (captured, text)."""
    return subprocess.run(["bash", CTL] + list(args), capture_output=True,
                          text=True, timeout=30, stdin=subprocess.DEVNULL)


class SharedServer:
    """Mixin for a unittest.TestCase whose tests share one server: SERVER
    (the script) and TMP_PREFIX are set by the test module.  The server runs
    with --lifetime 120 and --log cls.log; cls.port and cls.port_file."""
    SERVER = None
    TMP_PREFIX = "server_test_"

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix=cls.TMP_PREFIX)
        cls.log = os.path.join(cls.tmp.name, "requests.log")
        cls.proc, cls.port, cls.port_file = start_server(
            cls.SERVER, cls.tmp.name, "--lifetime", "120", "--log", cls.log)

    @classmethod
    def tearDownClass(cls):
        stop_server(cls.proc)
        cls.tmp.cleanup()

    def conn(self):
        return connect(self.port)


class LifecycleTests:
    """Mixin for a unittest.TestCase: the process-level tests both servers
    pass alike.  SERVER (the script) is set by the test module."""
    SERVER = None

    def test_sigterm_and_lifetime(self):
        with tempfile.TemporaryDirectory() as d1, tempfile.TemporaryDirectory() as d2:
            p1, _, pf1 = start_server(self.SERVER, d1)
            p2, _, pf2 = start_server(self.SERVER, d2, "--lifetime", "1")
            t0 = time.monotonic()
            p1.send_signal(signal.SIGTERM)
            self.assertEqual(p1.wait(5), 0)
            self.assertLess(time.monotonic() - t0, 2)
            self.assertFalse(os.path.exists(pf1))
            self.assertEqual(p2.wait(5), 0)          # lifetime over
            self.assertFalse(os.path.exists(pf2))
