"""The ``mod_wsgi`` / ``apache`` modules inside the worker.

mod_wsgi counterpart: src/server/wsgi_module.c, wsgi_metrics.c (events,
request_data, active_requests); tests/events.wsgi of mod_wsgi; reference
mod_wsgi.md §4.3.
"""

import json
import os
import shutil
import tempfile
import unittest

from tswsgi_worker import protocol as P
from tswsgi_worker.tests.harness import TIMEOUT, WorkerClient

APP = r'''
import atexit, json, os, sys
import mod_wsgi, apache

HERE = os.path.dirname(__file__)
try:
    mod_wsgi.request_data()
    OUTSIDE = "no error"
except RuntimeError as exc:
    OUTSIDE = "RuntimeError: %s" % exc
EVENTS = []


def wrap(app):
    def wrapped(environ, start_response):
        return [b"wrapped:"] + list(app(environ, start_response))
    return wrapped


def on_event(name, **kw):
    if name == "request_started":
        env = kw["request_environ"]
        if "HTTP_X_TRACE" not in env:
            return None
        data = mod_wsgi.request_data()
        data["trace"] = True
        EVENTS.append([name, sorted(kw), env["QUERY_STRING"],
                       kw["request_data"] is data,
                       kw["application_object"].__name__, kw["request_id"]])
        if env.get("HTTP_X_RAISE"):
            raise ValueError("callback boom")
        if env.get("HTTP_X_WRAP"):
            return {"application_object": wrap(kw["application_object"])}
    elif name == "request_finished" and kw["request_data"].get("trace"):
        EVENTS.append([name, sorted(kw), kw["status"], kw["input_length"],
                       kw["output_length"], kw["application_time"] >= 0])
    elif name == "request_exception" and mod_wsgi.request_data().get("trace"):
        EVENTS.append([name, kw["exc_info"][0].__name__, str(kw["exc_info"][1])])
    elif name == "process_stopping":
        with open(os.path.join(HERE, "events.log"), "a") as f:
            f.write("event:%s\n" % kw["shutdown_reason"])


def bad_shutdown(name, **kw):
    raise KeyError("shutdown boom")


def good_shutdown(name, **kw):
    with open(os.path.join(HERE, "events.log"), "a") as f:
        f.write("shutdown:%s:%s\n" % (name, kw["shutdown_reason"]))


@atexit.register
def at_exit():
    with open(os.path.join(HERE, "events.log"), "a") as f:
        f.write("atexit\n")


mod_wsgi.subscribe_events(on_event)
mod_wsgi.subscribe_shutdown(bad_shutdown)
mod_wsgi.subscribe_shutdown(good_shutdown)


def application(environ, start_response):
    body = environ["wsgi.input"].read()
    start_response("201 Created", [])
    return [b"hello ", body]


def fail(environ, start_response):
    raise RuntimeError("app boom")


def info(environ, start_response):
    data = mod_wsgi.request_data()
    keys = [k for k, v in mod_wsgi.active_requests.items() if v is data]
    out = {
        "outside": OUTSIDE,
        "same": data is mod_wsgi.request_data() and data == {},
        "active_keys": keys,
        "n_active": len(mod_wsgi.active_requests),
        "registered": sys.modules["mod_wsgi"] is mod_wsgi,
        "apache_version": list(apache.version),
        "version": list(mod_wsgi.version),
        "file_wrapper": mod_wsgi.FileWrapper is environ["wsgi.file_wrapper"],
        "timeout_base": mod_wsgi.RequestTimeout.__bases__[0].__name__,
    }
    for k in ("process_group", "application_group", "maximum_processes",
              "threads_per_process"):
        out[k] = getattr(mod_wsgi, k)
    start_response("200 OK", [])
    return [json.dumps(out).encode()]


def events(environ, start_response):
    start_response("200 OK", [])
    out = json.dumps(EVENTS).encode()
    del EVENTS[:]
    return [out]
'''


class ModWsgiModule(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp()
        cls.script = os.path.join(cls.tmp, "app.wsgi")
        with open(cls.script, "w") as f:
            f.write(APP)
        cls.c = WorkerClient({
            "threads": 3, "processGroup": "grp", "applicationGroup": "%{GLOBAL}",
            "maximumProcesses": 2, "threadsPerProcess": 3,
            "preload": [{"script": cls.script, "callable": "application"}]})

    @classmethod
    def tearDownClass(cls):
        cls.c.close()
        shutil.rmtree(cls.tmp)

    def call(self, name, environ=None, body=None, sid=1):
        return self.c.call(name, environ, body, sid=sid, script=self.script)

    def events(self):
        return json.loads(self.call("events", sid=9).body)

    def test_attributes(self):
        info = json.loads(self.call("info").body)
        self.assertEqual(info["process_group"], "grp")
        self.assertEqual(info["application_group"], "%{GLOBAL}")
        self.assertEqual(info["maximum_processes"], 2)
        self.assertEqual(info["threads_per_process"], 3)
        self.assertEqual(info["version"], [5, 0, 0])
        self.assertEqual(info["apache_version"], [2, 4, 62])
        self.assertTrue(info["registered"])
        self.assertTrue(info["file_wrapper"])
        self.assertEqual(info["timeout_base"], "BaseException")

    def test_request_data_outside_and_inside_a_request(self):
        info = json.loads(self.call("info", {"mod_wsgi.request_id": "req-7"}).body)
        self.assertEqual(info["outside"],
                         "RuntimeError: no active request for thread")
        self.assertTrue(info["same"])
        self.assertEqual(info["active_keys"], ["req-7"])
        self.assertEqual(info["n_active"], 1)  # the finished ones are gone
        # Without a request id the stream id is the key.
        info = json.loads(self.call("info", sid=5).body)
        self.assertEqual(info["active_keys"], [5])

    def test_started_and_finished_events(self):
        self.events()
        r = self.call("application", {"HTTP_X_TRACE": "1", "QUERY_STRING": "q",
                                      "mod_wsgi.request_id": "r1"}, b"abc")
        self.assertEqual(r.body, b"hello abc")
        started, finished = self.events()
        self.assertEqual(started, [
            "request_started",
            ["application_object", "application_start", "callable_object",
             "request_data", "request_environ", "request_id", "request_start",
             "thread_id"], "q", True, "application", "r1"])
        self.assertEqual(finished, [
            "request_finished",
            ["application_finish", "application_start", "application_time",
             "input_length", "output_length", "request_data", "request_id",
             "status"], 201, 3, 9, True])

    def test_started_callback_can_wrap_the_application(self):
        r = self.call("application", {"HTTP_X_TRACE": "1", "HTTP_X_WRAP": "1"})
        self.assertEqual(r.body, b"wrapped:hello ")
        self.assertEqual(r.status, "201 Created")
        self.events()

    def test_request_exception_event(self):
        self.events()
        r = self.call("fail", {"HTTP_X_TRACE": "1"})
        self.assertTrue(r.error.startswith("500 "), r.error)
        evs = self.events()
        self.assertEqual(evs[1], ["request_exception", "RuntimeError", "app boom"])
        self.assertEqual(evs[2][0], "request_finished")
        self.assertEqual(evs[2][2], 0)  # no start_response: no status

    def test_callback_exception_is_logged_and_the_request_still_runs(self):
        r = self.call("application", {"HTTP_X_TRACE": "1", "HTTP_X_RAISE": "1"})
        self.assertEqual(r.body, b"hello ")
        errs = [m for lvl, m in r.logs if lvl == 3]
        self.assertEqual(len(errs), 1, r.logs)
        self.assertIn("Exception occurred within event callback.", errs[0])
        self.assertIn("ValueError: callback boom", errs[0])
        self.events()

    def test_no_events_without_trace(self):
        self.events()
        self.call("application")
        self.assertEqual(self.events(), [])


def read_to_eof(c):
    while not c.eof and c.pump():
        pass


class ShutdownCallbacks(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.tmp)
        self.script = os.path.join(self.tmp, "app.wsgi")
        with open(self.script, "w") as f:
            f.write(APP)

    def worker(self, **cfg):
        config = {"preload": [{"script": self.script, "callable": "application"}]}
        config.update(cfg)
        c = WorkerClient(config)
        self.addCleanup(c.close)
        return c

    def log(self):
        with open(os.path.join(self.tmp, "events.log")) as f:
            return f.read().splitlines()

    def test_run_on_shutdown_before_atexit_and_errors_are_logged(self):
        c = self.worker()
        self.assertEqual(c.shutdown(), 0)
        read_to_eof(c)
        self.assertEqual(self.log(), ["event:shutdown_signal",
                                      "shutdown:process_stopping:shutdown_signal",
                                      "atexit"])
        logs = c.process_logs()
        self.assertIn("Exception occurred within event callback.", logs)
        self.assertIn("KeyError: 'shutdown boom'", logs)
        errs = [f for f in c.process_frames if f[0] == P.LOG and f[2][0] == 3]
        self.assertEqual(len(errs), 1)

    def test_reason_on_channel_eof(self):
        c = self.worker()
        c.sock.shutdown(1)
        self.assertEqual(c.proc.wait(TIMEOUT), 0)
        self.assertEqual(self.log()[1], "shutdown:process_stopping:channel_eof")

    def test_reason_on_reload(self):
        c = self.worker(reloadOnChanges=True, reloadInterval=0.02)
        st = os.stat(self.script)
        os.utime(self.script, (st.st_atime, st.st_mtime + 3))
        self.assertEqual(c.proc.wait(TIMEOUT), 0)
        self.assertEqual(self.log()[1],
                         "shutdown:process_stopping:reload_on_changes")


class RealPackages(unittest.TestCase):
    def test_installed_mod_wsgi_package_lends_its_path_and_apache_wins(self):
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp)
        os.makedirs(os.path.join(tmp, "mod_wsgi", "server"))
        with open(os.path.join(tmp, "mod_wsgi", "__init__.py"), "w") as f:
            f.write("raise ImportError('the package body must not run')\n")
        with open(os.path.join(tmp, "mod_wsgi", "server", "__init__.py"), "w") as f:
            f.write("WHERE = 'server subpackage'\n")
        with open(os.path.join(tmp, "apache.py"), "w") as f:
            f.write("version = 'the real one'\n")
        script = os.path.join(tmp, "s.wsgi")
        with open(script, "w") as f:
            f.write("import apache, mod_wsgi, mod_wsgi.server\n"
                    "def application(e, s):\n    s('200 OK', [])\n"
                    "    return [('%s|%s|%s' % (mod_wsgi.server.WHERE, "
                    "mod_wsgi.process_group, apache.version)).encode()]\n")
        c = WorkerClient({"pythonPath": [tmp], "processGroup": "g"})
        self.addCleanup(c.close)
        r = c.call(None, script=script)
        self.assertEqual(r.body, b"server subpackage|g|the real one", r.log_text)


if __name__ == "__main__":
    unittest.main()
