"""Boot, preload, script loading/reloading, SHUTDOWN and EOF, file_wrapper."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

from tswsgi_worker import APP_LOAD_ERROR, BOOT_ERROR, BOOTSTRAP
from tswsgi_worker import protocol as P
from tswsgi_worker.tests.harness import APPS, PYTHON_DIR, TIMEOUT, WorkerClient


def run_raw(arg, pass_fd=True):
    """Run the worker with a raw argv string; returns (code, stderr)."""
    import socket
    a, b = socket.socketpair()
    try:
        proc = subprocess.run(
            [sys.executable, "-c", BOOTSTRAP, PYTHON_DIR,
             arg.replace("FD", str(b.fileno()))],
            pass_fds=[b.fileno()] if pass_fd else [], capture_output=True,
            timeout=TIMEOUT, stdin=subprocess.DEVNULL)
    finally:
        a.close()
        b.close()
    return proc.returncode, proc.stderr.decode()


class Boot(unittest.TestCase):
    def test_bad_json_exits_3(self):
        code, err = run_raw("{not json")
        self.assertEqual(code, BOOT_ERROR)
        self.assertIn("invalid JSON configuration", err)

    def test_wrong_field_type_exits_3(self):
        code, err = run_raw('{"fd": FD, "threads": "many"}')
        self.assertEqual(code, BOOT_ERROR)
        self.assertIn("'threads'", err)

    def test_unusable_fd_exits_3(self):
        code, err = run_raw('{"fd": 97}', pass_fd=False)
        self.assertEqual(code, BOOT_ERROR)
        self.assertIn("fd 97", err)

    def test_bad_buffer_sizes_exit_3(self):
        for cfg, word in (('"sendBufferSize": -1', "sendBufferSize must not be negative"),
                          ('"receiveBufferSize": -5',
                           "receiveBufferSize must not be negative"),
                          ('"sendBufferSize": "big"', "'sendBufferSize'")):
            code, err = run_raw('{"fd": FD, %s}' % cfg)
            self.assertEqual(code, BOOT_ERROR, cfg)
            self.assertIn(word, err)

    def test_channel_buffer_sizes_are_applied(self):
        import socket
        from tswsgi_worker.__main__ import open_channel
        a, b = socket.socketpair()
        default_snd = b.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF)
        default_rcv = b.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)
        self.addCleanup(a.close)
        sock = open_channel({"fd": os.dup(b.fileno()), "sendBufferSize": 65536,
                             "receiveBufferSize": 4096})
        self.addCleanup(sock.close)
        # Linux doubles the value (bookkeeping overhead), as for mod_wsgi's listener.
        self.assertEqual(sock.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF), 131072)
        self.assertEqual(sock.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF), 8192)
        self.assertTrue(sock.getblocking())
        b.close()
        a2, b2 = socket.socketpair()
        self.addCleanup(a2.close)
        plain = open_channel({"fd": b2.detach(), "sendBufferSize": 0})
        self.addCleanup(plain.close)
        self.assertEqual(plain.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF), default_snd)
        self.assertEqual(plain.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF), default_rcv)

    def test_missing_python_path_dir_exits_3(self):
        code, err = run_raw('{"fd": FD, "pythonPath": ["/nonexistent/dir"]}')
        self.assertEqual(code, BOOT_ERROR)
        self.assertIn("/nonexistent/dir", err)

    def test_missing_home_exits_3(self):
        code, err = run_raw('{"fd": FD, "home": "/nonexistent/home"}')
        self.assertEqual(code, BOOT_ERROR)
        self.assertIn("/nonexistent/home", err)

    def test_preload_failure_exits_4_with_traceback_on_stderr(self):
        cfg = json.dumps({"fd": 0, "preload": [
            {"script": os.path.join(APPS, "preload_fail.wsgi"),
             "callable": "application"}]}).replace('"fd": 0', '"fd": FD')
        code, err = run_raw(cfg)
        self.assertEqual(code, APP_LOAD_ERROR)
        self.assertIn("ImportError: preload boom", err)
        self.assertIn("preload_fail.wsgi", err)

    def test_python_path_home_and_sys_path_cleanup(self):
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp)
        c = WorkerClient({"pythonPath": [tmp], "home": tmp,
                          "displayName": "(wsgi:tstest)",
                          "preload": [{"script": os.path.join(APPS, "apps.wsgi"),
                                       "callable": "application"}]})
        try:
            env = json.loads(c.call("dump").body)
            self.assertEqual(env["sys.path"][0], tmp)
            self.assertNotIn(PYTHON_DIR, env["sys.path"])
            self.assertNotIn("", env["sys.path"])
            self.assertEqual(env["cwd"], os.path.realpath(tmp))
            if sys.platform.startswith("linux"):
                with open("/proc/%d/comm" % c.proc.pid) as f:
                    self.assertEqual(f.read().strip(), "(wsgi:tstest)")
        finally:
            c.close()


class Loading(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.tmp)
        self.c = WorkerClient({"threads": 2})
        self.addCleanup(self.c.close)

    def write(self, name, text, mtime=None):
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            f.write(text)
        if mtime is not None:
            os.utime(path, (mtime, mtime))
        return path

    def test_import_error_logs_traceback_then_error_without_start(self):
        r = self.c.call(None, script=os.path.join(APPS, "broken.wsgi"))
        self.assertEqual(r.types, [P.LOG, P.ERROR])
        self.assertTrue(r.error.startswith("500 "), r.error)
        self.assertIn("Failed to exec Python script file", r.log_text)
        self.assertIn("ModuleNotFoundError", r.log_text)
        self.assertNotIn("Traceback", r.error or "")

    def test_missing_callable_is_404_with_mod_wsgi_text(self):
        path = os.path.join(APPS, "nocallable.wsgi")
        r = self.c.call(None, script=path)
        msg = ("Target WSGI script '%s' does not contain WSGI application "
               "'application'." % path)
        self.assertEqual(r.types, [P.LOG, P.ERROR])
        self.assertEqual(r.error, "404 " + msg)
        self.assertEqual(r.logs, [(3, msg)])

    def test_callable_object_selects_the_callable(self):
        path = self.write("two.wsgi", "def application(e, s):\n"
                          "    s('200 OK', []); return [b'app']\n"
                          "def other(e, s):\n    s('200 OK', []); return [b'other']\n")
        self.assertEqual(self.c.call("other", script=path).body, b"other")
        self.assertEqual(self.c.call(None, script=path).body, b"app")

    def test_missing_script_is_404(self):
        r = self.c.call(None, script=os.path.join(self.tmp, "nope.wsgi"))
        self.assertTrue(r.error.startswith("404 "), r.error)

    def test_failed_exec_is_not_cached(self):
        path = self.write("flaky.wsgi", "raise RuntimeError('first try')\n")
        r = self.c.call(None, script=path)
        self.assertTrue(r.error.startswith("500 "))
        self.write("flaky.wsgi", "def application(e, s):\n"
                   "    s('200 OK', []); return [b'fixed']\n")
        r = self.c.call(None, script=path)  # reloading off: retried anyway
        self.assertEqual(r.body, b"fixed")

    def test_module_is_cached_without_reloading(self):
        src = ("import time\nT = repr(time.time())\n"
               "def application(e, s):\n    s('200 OK', []); return [T.encode()]\n")
        path = self.write("cached.wsgi", src, mtime=1000000)
        first = self.c.call(None, script=path).body
        self.write("cached.wsgi", src.replace("T.encode()", "b'new'"), mtime=2000000)
        self.assertEqual(self.c.call(None, script=path).body, first)

    def test_reload_on_any_mtime_change(self):
        body = "def application(e, s):\n    s('200 OK', []); return [b'%s']\n"
        path = self.write("reload.wsgi", body % "v1", mtime=2000000)
        env = {"mod_wsgi.script_reloading": "1"}
        self.assertEqual(self.c.call(None, env, script=path).body, b"v1")
        self.assertEqual(self.c.call(None, env, script=path).body, b"v1")
        self.write("reload.wsgi", body % "v2", mtime=3000000)
        self.assertEqual(self.c.call(None, env, script=path).body, b"v2")
        # An older mtime counts as a change too.
        self.write("reload.wsgi", body % "v3", mtime=1000000)
        self.assertEqual(self.c.call(None, env, script=path).body, b"v3")

    def test_non_ascii_script_filename(self):
        path = self.write("caf\u00e9.wsgi", "def application(e, s):\n"
                          "    s('200 OK', []); return [e['SCRIPT_FILENAME'].encode()]\n")
        r = self.c.call(None, script=path)
        self.assertEqual(r.body.decode("utf-8"), path)


class FileWrapperCases(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.c = WorkerClient({"threads": 2})
        fd, cls.path = tempfile.mkstemp()
        cls.data = os.urandom(700000)
        with os.fdopen(fd, "wb") as f:
            f.write(cls.data)

    @classmethod
    def tearDownClass(cls):
        cls.c.close()
        os.unlink(cls.path)

    def fw(self, **q):
        q["path"] = self.path
        return self.c.call("file_wrapper", {"QUERY_STRING": json.dumps(q)})

    def events(self):
        return json.loads(self.c.call("events", sid=2).body)

    def test_real_file_sets_content_length_and_sends_all(self):
        r = self.fw()
        self.assertTrue(r.ended, r.log_text)
        self.assertEqual(r.header("Content-Length"), str(len(self.data)))
        self.assertEqual(r.body, self.data)
        self.assertIn("fw-closed", self.events())

    def test_current_offset_is_honoured(self):
        r = self.fw(offset=1000)
        self.assertEqual(r.header("Content-Length"), str(len(self.data) - 1000))
        self.assertEqual(r.body, self.data[1000:])

    def test_declared_content_length_caps(self):
        r = self.fw(offset=10, cl=100)
        self.assertTrue(r.ended)
        self.assertEqual(r.header("Content-Length"), "100")
        self.assertEqual(r.body, self.data[10:110])

    def test_non_file_object_is_iterated_with_blksize(self):
        r = self.c.call("file_wrapper_pseudo")
        self.assertTrue(r.ended)
        self.assertEqual(r.body, b"0123456789" * 3)
        self.assertIsNone(r.header("Content-Length"))
        self.assertIn("pseudo-closed:[7, 7]", self.events())


class Shutdown(unittest.TestCase):
    def test_shutdown_drains_in_flight_refuses_new_and_exits_0(self):
        c = WorkerClient({"threads": 2})
        try:
            c.start(1, {"QUERY_STRING": "0.5"}, None, "sleeper")
            c.send(P.SHUTDOWN, 0, P.encode_u32(10000))
            c.start(2, {}, None, "application")
            r2 = c.wait(2)
            self.assertTrue(r2.error.startswith("503 "), r2.error)
            r1 = c.wait(1)
            self.assertEqual(r1.body, b"slept")
            self.assertEqual(c.proc.wait(TIMEOUT), 0)
        finally:
            c.close()

    def test_shutdown_timeout_exits_with_request_still_running(self):
        c = WorkerClient({"threads": 1})
        try:
            c.start(1, {"QUERY_STRING": "30"}, None, "sleeper")
            t0 = time.monotonic()
            c.send(P.SHUTDOWN, 0, P.encode_u32(200))
            self.assertEqual(c.proc.wait(TIMEOUT), 0)
            self.assertLess(time.monotonic() - t0, 10)
        finally:
            c.close()

    def test_channel_eof_finishes_and_exits(self):
        c = WorkerClient({"threads": 1})
        c.sock.shutdown(1)  # SHUT_WR: the front end "died"
        try:
            self.assertEqual(c.proc.wait(TIMEOUT), 0)
        finally:
            c.close()

    def test_restrict_stdout_raises_in_the_app(self):
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp)
        path = os.path.join(tmp, "p.wsgi")
        with open(path, "w") as f:
            f.write("def application(e, s):\n    try:\n        print('x')\n"
                    "    except OSError as exc:\n"
                    "        s('200 OK', []); return [str(exc).encode()]\n"
                    "    s('200 OK', []); return [b'printed']\n")
        c = WorkerClient({"restrictStdout": True})
        try:
            r = c.call(None, script=path)
            self.assertEqual(r.body, b"sys.stdout access restricted by mod_wsgi")
        finally:
            c.close()


if __name__ == "__main__":
    unittest.main()
