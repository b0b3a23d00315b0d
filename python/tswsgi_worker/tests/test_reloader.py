"""reloadOnChanges: the mtime scanner, and the worker restarting on a change.

mod_wsgi counterpart: src/express/reloader.py (mod_wsgi-express
--reload-on-changes); reference mod_wsgi.md §3.4.
"""

import json
import os
import shutil
import sys
import tempfile
import threading
import time
import types
import unittest

from tswsgi_worker import BOOT_ERROR
from tswsgi_worker import protocol as P
from tswsgi_worker.reloader import Reloader, module_files
from tswsgi_worker.tests.harness import TIMEOUT, WorkerClient
from tswsgi_worker.tests.test_lifecycle import run_raw


def touch(path, delta):
    st = os.stat(path)
    os.utime(path, (st.st_atime, st.st_mtime + delta))


class Scan(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.tmp)
        self.files = []
        self.r = Reloader(self.fail, 0.01, lambda: list(self.files))

    def file(self, name):
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            f.write("x = 1\n")
        self.files.append(path)
        return path

    def test_first_sight_is_remembered_and_unchanged_is_quiet(self):
        self.file("a.py")
        self.assertIsNone(self.r.scan())
        self.assertIsNone(self.r.scan())

    def test_newer_and_older_mtimes_both_count(self):
        a = self.file("a.py")
        self.assertIsNone(self.r.scan())
        touch(a, 10)
        self.assertEqual(self.r.scan(), a)
        r2 = Reloader(self.fail, 0.01, lambda: [a])
        self.assertIsNone(r2.scan())
        touch(a, -100)
        self.assertEqual(r2.scan(), a)

    def test_file_seen_after_start_is_tracked_from_then_on(self):
        self.file("a.py")
        self.assertIsNone(self.r.scan())
        b = self.file("b.py")  # a module imported later
        self.assertIsNone(self.r.scan())
        touch(b, 5)
        self.assertEqual(self.r.scan(), b)

    def test_tracked_file_removed_is_a_change(self):
        a = self.file("a.py")
        self.r.scan()
        os.unlink(a)
        self.assertEqual(self.r.scan(), a)

    def test_paths_that_never_were_files_are_ignored(self):
        self.files += [os.path.join(self.tmp, "lib.zip", "m.py"), self.tmp]
        self.assertIsNone(self.r.scan())
        self.assertIsNone(self.r.scan())

    def test_module_files_maps_pyc_to_source_and_skips_no_file(self):
        fake = types.ModuleType("_tswsgi_fake_compiled")
        fake.__file__ = "/somewhere/fake.pyc"
        none = types.ModuleType("_tswsgi_fake_none")
        none.__file__ = None
        sys.modules[fake.__name__] = fake
        sys.modules[none.__name__] = none
        try:
            files = module_files()
        finally:
            del sys.modules[fake.__name__], sys.modules[none.__name__]
        self.assertIn("/somewhere/fake.py", files)
        self.assertNotIn("/somewhere/fake.pyc", files)
        self.assertIn(os.path.abspath(json.__file__), [os.path.abspath(p) for p in files])
        self.assertNotIn(None, files)


class Thread(unittest.TestCase):
    def test_calls_on_change_once_then_stops(self):
        fd, path = tempfile.mkstemp()
        os.close(fd)
        self.addCleanup(os.unlink, path)
        seen = []
        fired = threading.Event()

        def on_change(p):
            seen.append(p)
            fired.set()

        r = Reloader(on_change, 0.01, lambda: [path])
        r.start()  # records the mtime synchronously
        touch(path, 3)
        self.assertTrue(fired.wait(TIMEOUT))
        r._thread.join(TIMEOUT)
        self.assertFalse(r._thread.is_alive())
        self.assertEqual(seen, [path])

    def test_stop_ends_the_thread_without_a_call(self):
        r = Reloader(self.fail, 0.01, lambda: [])
        r.start()
        r.stop()
        r._thread.join(TIMEOUT)
        self.assertFalse(r._thread.is_alive())


APP = '''
import threading, time
import helper

def application(environ, start_response):
    start_response("200 OK", [])
    return [helper.VALUE.encode()]

def slow(environ, start_response):
    environ["wsgi.errors"].write("sleeping\\n")  # tells the test we run
    time.sleep(float(environ["QUERY_STRING"]))
    start_response("200 OK", [])
    return [b"slow done"]

def threads(environ, start_response):
    start_response("200 OK", [])
    return [",".join(sorted(t.name for t in threading.enumerate())).encode()]
'''


class WorkerReload(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.tmp)
        self.helper = os.path.join(self.tmp, "helper.py")
        with open(self.helper, "w") as f:
            f.write("VALUE = 'v1'\n")
        self.script = os.path.join(self.tmp, "app.wsgi")
        with open(self.script, "w") as f:
            f.write(APP)

    def worker(self, **cfg):
        config = {"threads": 3, "pythonPath": [self.tmp], "preload": [
            {"script": self.script, "callable": "application"}]}
        config.update(cfg)
        c = WorkerClient(config)
        self.addCleanup(c.close)
        return c

    def wait_notice(self, c):
        while True:
            for ftype, sid, payload in c.process_frames:
                if ftype == P.LOG and b"changed" in payload:
                    return payload[0], payload[1:].decode()
            if not c.pump():
                self.fail("channel closed without a notice")

    def stop_notice(self, c):
        """The ERROR frame on stream 0 that says the worker stops by itself."""
        while True:
            for ftype, sid, payload in c.process_frames:
                if ftype == P.ERROR and sid == 0:
                    return payload.decode()
            if not c.pump():
                self.fail("channel closed without a stop notice")

    def test_change_logs_notice_drains_in_flight_and_exits_0(self):
        c = self.worker(reloadOnChanges=True, reloadInterval=0.02)
        self.assertEqual(c.call(None, script=self.script).body, b"v1")
        c.start(1, {"QUERY_STRING": "0.4"}, None, "slow", script=self.script)
        while not c.results.get(1) or not c.results[1].logs:
            self.assertTrue(c.pump())
        touch(self.helper, 7)
        level, text = self.wait_notice(c)
        self.assertEqual(level, 5)
        self.assertEqual(text, "tswsgi: file '%s' changed, restarting daemon "
                         "process (pid %d)" % (self.helper, c.proc.pid))
        self.assertEqual(self.stop_notice(c),
                         "503 reload_on_changes")
        # A REQUEST the front end routed before it read the notice is served,
        # not refused: the worker keeps accepting until SHUTDOWN.
        c.start(2, {}, None, None, script=self.script)
        r2 = c.wait(2)
        self.assertIsNone(r2.error)
        self.assertEqual(r2.body, b"v1")
        self.assertIsNone(c.proc.poll())
        c.send(P.SHUTDOWN, 0, P.encode_u32(10000))
        c.start(3, {}, None, None, script=self.script)  # after SHUTDOWN: refused
        self.assertTrue(c.wait(3).error.startswith("503 "), c.results[3].error)
        r1 = c.wait(1)
        self.assertEqual(r1.body, b"slow done")
        self.assertTrue(r1.ended)
        self.assertEqual(c.proc.wait(TIMEOUT), 0)

    def test_no_shutdown_idle_at_the_deadline_is_a_clean_stop(self):
        # No front end answers the notice: at its own deadline an idle worker
        # stops cleanly (exit 0, atexit handlers run), not as a cut-off drain.
        marker = os.path.join(self.tmp, "atexit-ran")
        hook = os.path.join(self.tmp, "hook.wsgi")
        with open(hook, "w") as f:
            f.write("import atexit\n"
                    "atexit.register(lambda: open(%r, 'w').close())\n"
                    "def application(e, s):\n    s('200 OK', [])\n    return []\n"
                    % marker)
        c = self.worker(reloadOnChanges=True, reloadInterval=0.02,
                        shutdownTimeout=0.3,
                        preload=[{"script": self.script, "callable": "application"},
                                 {"script": hook, "callable": "application"}])
        touch(self.helper, 7)
        self.stop_notice(c)
        self.assertEqual(c.proc.wait(TIMEOUT), 0)
        self.assertTrue(os.path.exists(marker), "atexit handlers did not run")

    def test_shutdown_timeout_bounds_the_drain(self):
        c = self.worker(reloadOnChanges=True, reloadInterval=0.02,
                        shutdownTimeout=0.2)
        c.start(1, {"QUERY_STRING": "30"}, None, "slow", script=self.script)
        while not c.results.get(1) or not c.results[1].logs:
            self.assertTrue(c.pump())
        t0 = time.monotonic()
        touch(self.helper, 7)
        self.wait_notice(c)
        self.assertEqual(c.proc.wait(TIMEOUT), 0)
        self.assertLess(time.monotonic() - t0, 10)
        self.assertFalse(c.results[1].done)  # cut off, as SHUTDOWN does

    def test_wsgi_script_change_restarts_too(self):
        c = self.worker(reloadOnChanges=True, reloadInterval=0.02)
        touch(self.script, -50)
        level, text = self.wait_notice(c)
        self.assertIn("'%s'" % self.script, text)
        self.assertEqual(c.proc.wait(TIMEOUT), 0)

    def test_thread_runs_only_when_enabled(self):
        on = self.worker(reloadOnChanges=True, reloadInterval=30)
        self.assertIn(b"tswsgi-reloader",
                      on.call("threads", script=self.script).body)
        off = self.worker()
        self.assertNotIn(b"tswsgi-reloader",
                         off.call("threads", script=self.script).body)
        touch(self.helper, 9)
        # Not watching: the process keeps serving (old code stays loaded).
        self.assertEqual(off.call(None, script=self.script).body, b"v1")
        self.assertIsNone(off.proc.poll())

    def test_bad_reload_config_is_a_boot_error(self):
        for cfg, word in (('"reloadOnChanges": "yes"', "'reloadOnChanges'"),
                          ('"reloadInterval": 0', "reloadInterval"),
                          ('"reloadInterval": true', "'reloadInterval'"),
                          ('"shutdownTimeout": -1', "shutdownTimeout")):
            code, err = run_raw('{"fd": FD, %s}' % cfg)
            self.assertEqual(code, BOOT_ERROR, cfg)
            self.assertIn(word, err)


if __name__ == "__main__":
    unittest.main()
