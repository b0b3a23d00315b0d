"""mod_wsgi.process_metrics() / request_metrics() / server_metrics() and the
New Relic start-up.

mod_wsgi counterpart: src/server/wsgi_metrics.c and wsgi_interp.c at 4.9.4.
The key sets and orders below were read off apache2 + mod_wsgi 4.9.4 (an
application returning repr() of each, daemon and embedded mode).
"""

import json
import os
import shutil
import tempfile
import threading
import time
import unittest

from tswsgi_worker import metrics as metrics_mod
from tswsgi_worker import protocol as P
from tswsgi_worker.metrics import Metrics, _bucket
from tswsgi_worker.tests.harness import WorkerClient

PROCESS_KEYS = [
    "pid", "request_busy_time", "request_count", "memory_max_rss",
    "memory_rss", "cpu_user_time", "cpu_system_time", "restart_time",
    "current_time", "running_time", "request_threads", "active_requests",
    "threads"]
REQUEST_KEYS = [
    "pid", "start_time", "stop_time", "sample_period", "cpu_user_time",
    "cpu_system_time", "memory_max_rss", "memory_rss",
    "request_threads_maximum", "request_threads_started",
    "capacity_utilization", "request_count", "request_throughput",
    "server_time_buckets", "queue_time_buckets", "daemon_time_buckets",
    "application_time_buckets", "request_threads_buckets",
    "request_threads_active", "server_time", "queue_time", "daemon_time",
    "application_time"]

APP = r'''
import json, os, sys, time
import mod_wsgi

def _dump(value):
    return [json.dumps(value).encode()]

def process(environ, start_response):
    start_response("200 OK", [])
    return _dump(mod_wsgi.process_metrics())

def request(environ, start_response):
    start_response("200 OK", [])
    return _dump(mod_wsgi.request_metrics())

def server(environ, start_response):
    start_response("200 OK", [])
    return _dump(mod_wsgi.server_metrics())

def busy(environ, start_response):
    time.sleep(float(environ.get("QUERY_STRING") or "0.05"))
    start_response("200 OK", [])
    return [b"done"]

def burn(environ, start_response):
    end = time.process_time() + 0.2
    while time.process_time() < end:
        pass
    start_response("200 OK", [])
    return [b"burnt"]

def newrelic(environ, start_response):
    agent = sys.modules.get("newrelic.agent")
    start_response("200 OK", [])
    return _dump(getattr(agent, "CALLS", None))

application = process
'''

FAKE_AGENT = r'''
import os
CALLS = []

def initialize(config_file=None, environment=None):
    CALLS.append(["initialize", config_file, environment])
    if config_file == "/bad.ini":
        raise ValueError("bad config")

def WSGIApplicationWrapper(wrapped, application=None):
    CALLS.append(["wrap", wrapped.__name__, application])
    def wrapper(environ, start_response):
        return [b"nr:"] + list(wrapped(environ, start_response))
    wrapper.__name__ = "nr_" + wrapped.__name__
    return wrapper
'''


class Unit(unittest.TestCase):
    def test_buckets_double_from_5ms_and_overflow_in_the_last_used(self):
        b = [0] * 16
        for d in (0.0, 0.005, 0.0051, 0.01, 0.02, 1.0, 40.0, 1e6):
            _bucket(b, d)
        # <=5ms, <=5ms, <=10ms, <=10ms, <=20ms, <=1.28s, >40.96s? no: 40<=40.96
        self.assertEqual(b[0], 2)
        self.assertEqual(b[1], 2)
        self.assertEqual(b[2], 1)
        self.assertEqual(b[8], 1)   # 0.64 < 1.0 <= 1.28
        self.assertEqual(b[13], 1)  # 20.48 < 40 <= 40.96
        self.assertEqual(b[14], 1)  # beyond: the 15th, never the 16th
        self.assertEqual(b[15], 0)
        self.assertEqual(sum(b), 8)

    def test_busy_time_counts_active_requests_times_elapsed(self):
        m = Metrics(4, daemon=True)
        m.start(1)
        m.start(2)
        time.sleep(0.05)
        m.end(1)
        m.end(2)
        pm = m.process_metrics()
        self.assertEqual(pm["request_count"], 2)
        self.assertEqual(pm["active_requests"], 0)
        # Two requests for ~0.05 s each: ~0.1 s of busy time.
        self.assertGreaterEqual(pm["request_busy_time"], 0.095)
        self.assertLess(pm["request_busy_time"], 0.5)
        self.assertEqual(pm["request_threads"], 2)
        # called() was never run: the threads handled no application call.
        self.assertEqual(pm["threads"], [{"thread_id": 1, "request_count": 0},
                                         {"thread_id": 2, "request_count": 0}])

    def test_request_metrics_first_call_is_empty_then_an_interval(self):
        m = Metrics(2, daemon=False)
        self.assertEqual(m.request_metrics(), {})
        self.assertTrue(m.enabled)
        now = time.time()
        env = {"mod_wsgi.request_start": str(int((now - 0.03) * 1e6))}
        m.start(2)
        m.called(2)
        m.record_times(env, now, now + 0.002)
        m.end(2)
        rm = m.request_metrics()
        self.assertEqual(list(rm), REQUEST_KEYS)
        self.assertEqual(rm["request_count"], 1)
        self.assertEqual(rm["request_threads_buckets"], [0, 1])
        self.assertEqual(rm["request_threads_active"], 1)
        self.assertEqual(rm["request_threads_maximum"], 2)
        self.assertAlmostEqual(rm["server_time"], 0.03, delta=0.002)
        self.assertAlmostEqual(rm["application_time"], 0.002, delta=1e-6)
        self.assertEqual(rm["server_time_buckets"][3], 1)  # 20 ms < 30 <= 40
        self.assertEqual(rm["application_time_buckets"][0], 1)
        # Embedded mode: no queue or daemon time.
        self.assertIsNone(rm["queue_time"])
        self.assertIsNone(rm["daemon_time"])
        self.assertEqual(sum(rm["queue_time_buckets"]), 0)
        # The next interval starts empty.
        rm2 = m.request_metrics()
        self.assertEqual(rm2["request_count"], 0)
        self.assertEqual(rm2["server_time"], 0.0)
        self.assertEqual(sum(rm2["server_time_buckets"]), 0)
        self.assertEqual(rm2["start_time"], rm["stop_time"])

    def test_daemon_mode_splits_server_queue_and_daemon_time(self):
        m = Metrics(1, daemon=True)
        m.request_metrics()
        t = time.time()
        us = lambda x: str(int(x * 1e6))  # noqa: E731
        env = {"mod_wsgi.request_start": us(t - 0.100),
               "mod_wsgi.queue_start": us(t - 0.090),
               "mod_wsgi.daemon_start": us(t - 0.030)}
        m.record_times(env, t, t + 0.5)
        rm = m.request_metrics()
        self.assertAlmostEqual(rm["server_time"], 0.010, delta=0.0005)
        self.assertAlmostEqual(rm["queue_time"], 0.060, delta=0.0005)
        self.assertAlmostEqual(rm["daemon_time"], 0.030, delta=0.0005)
        self.assertAlmostEqual(rm["application_time"], 0.5, delta=0.0005)
        self.assertEqual(rm["queue_time_buckets"][4], 1)  # 40 ms < 60 <= 80

    def test_times_are_not_recorded_before_request_metrics_is_called(self):
        m = Metrics(1, daemon=True)
        m.record_times({"mod_wsgi.request_start": "1"}, 5.0, 6.0)
        self.assertEqual(m.sample_requests, 0)

    def test_server_metrics_is_none_when_off_or_not_serving(self):
        m = Metrics(1, daemon=False)
        m.query = lambda token: self.fail("asked while off")
        self.assertIsNone(m.server_metrics())
        m.server_enabled = True
        m.query = None  # the reader is not running yet
        self.assertIsNone(m.server_metrics())

    def test_server_metrics_asks_and_waits_for_its_token(self):
        m = Metrics(1, daemon=True)
        m.server_enabled = True
        asked = []

        def query(token):
            asked.append(token)
            # Another token's answer first (ignored), then ours, from another thread.
            def reply():
                m.answer((token + 100).to_bytes(4, "big") + b'{"x": 0}')
                m.answer(token.to_bytes(4, "big") + b'{"server_limit": 1, "a": [2]}')
            threading.Thread(target=reply).start()

        m.query = query
        self.assertEqual(m.server_metrics(), {"server_limit": 1, "a": [2]})
        self.assertEqual(m.server_metrics(), {"server_limit": 1, "a": [2]})
        self.assertEqual(asked, [1, 2])
        self.assertEqual(m._pending, {})

    def test_server_metrics_gives_up_after_the_timeout(self):
        m = Metrics(1, daemon=True)
        m.server_enabled = True
        m.query = lambda token: None  # never answered
        saved = metrics_mod.QUERY_TIMEOUT
        metrics_mod.QUERY_TIMEOUT = 0.05
        try:
            t0 = time.monotonic()
            self.assertIsNone(m.server_metrics())
            self.assertLess(time.monotonic() - t0, 2)
        finally:
            metrics_mod.QUERY_TIMEOUT = saved
        self.assertEqual(m._pending, {})

    def test_cancel_releases_a_waiting_call(self):
        m = Metrics(1, daemon=True)
        m.server_enabled = True
        m.query = lambda token: threading.Timer(0.05, m.cancel).start()
        self.assertIsNone(m.server_metrics())
        self.assertIsNone(m.query)


class InWorker(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp()
        cls.script = os.path.join(cls.tmp, "app.wsgi")
        with open(cls.script, "w") as f:
            f.write(APP)
        cls.c = WorkerClient({"threads": 3, "processGroup": "grp",
                              "applicationGroup": ""})

    @classmethod
    def tearDownClass(cls):
        cls.c.close()
        shutil.rmtree(cls.tmp)

    def call(self, name, environ=None, sid=1):
        r = self.c.call(name, environ, sid=sid, script=self.script)
        self.assertEqual(r.status, "200 OK", r.log_text or r.error)
        return r

    def metrics(self, name):
        return json.loads(self.call(name).body)

    def test_process_metrics_counts_requests_and_busy_time(self):
        before = self.metrics("process")
        self.assertEqual(list(before), PROCESS_KEYS)
        self.assertEqual(before["pid"], self.c.hello["pid"])
        self.assertEqual(before["active_requests"], 1)  # this request
        for _ in range(3):
            self.call("busy", {"QUERY_STRING": "0.05"})
        after = self.metrics("process")
        # The 3 busy requests and the first metrics request itself.
        self.assertEqual(after["request_count"] - before["request_count"], 4)
        self.assertGreaterEqual(
            after["request_busy_time"] - before["request_busy_time"], 0.15)
        self.assertGreater(after["memory_rss"], 1 << 20)
        self.assertGreaterEqual(after["memory_max_rss"], after["memory_rss"] // 2)
        self.assertGreaterEqual(after["current_time"], before["current_time"])
        self.assertLessEqual(after["restart_time"], after["current_time"])
        self.assertEqual(after["running_time"],
                         int(after["current_time"] - after["restart_time"]))
        ids = [t["thread_id"] for t in after["threads"]]
        self.assertEqual(after["request_threads"], len(ids))
        self.assertTrue(set(ids) <= {1, 2, 3}, ids)
        # Each thread's count includes its current application call.
        self.assertEqual(sum(t["request_count"] for t in after["threads"]),
                         after["request_count"] + 1)

    def test_cpu_time_grows_with_work(self):
        before = self.metrics("process")
        self.call("burn")
        after = self.metrics("process")
        used = (after["cpu_user_time"] + after["cpu_system_time"]
                - before["cpu_user_time"] - before["cpu_system_time"])
        self.assertGreaterEqual(used, 0.15)

    def test_request_metrics_in_a_daemon_process(self):
        self.metrics("request")  # starts the sampling (maybe not the first)
        self.call("busy", {"QUERY_STRING": "0.03"})
        rm = self.metrics("request")
        self.assertEqual(list(rm), REQUEST_KEYS)
        self.assertEqual(rm["request_count"], 2)  # busy + the first request()
        self.assertEqual(rm["request_threads_maximum"], 3)
        self.assertEqual(sum(rm["request_threads_buckets"]), 2)
        self.assertGreaterEqual(rm["application_time"], 0.015)
        self.assertIsInstance(rm["queue_time"], float)
        self.assertIsInstance(rm["daemon_time"], float)
        self.assertEqual(sum(rm["application_time_buckets"]), 2)
        self.assertGreater(rm["request_throughput"], 0)

    def test_server_metrics_is_none(self):
        self.assertIsNone(self.metrics("server"))


class ServerMetricsInWorker(unittest.TestCase):
    def test_query_goes_to_the_front_end_and_its_answer_comes_back(self):
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp)
        script = os.path.join(tmp, "app.wsgi")
        with open(script, "w") as f:
            f.write(APP)
        c = WorkerClient({"threads": 2, "processGroup": "g", "serverMetrics": True})
        self.addCleanup(c.close)
        c.start(1, {}, None, "server", script)
        frame = c._next_process_frame(P.METRICS_QUERY)
        self.assertEqual(frame[1], 0)
        token = P.decode_u32(frame[2])
        board = {"server_limit": 1, "thread_limit": 2, "processes": []}
        c.send(P.METRICS, 0, P.encode_u32(token) + json.dumps(board).encode())
        r = c.wait(1)
        self.assertEqual(r.status, "200 OK", r.log_text or r.error)
        self.assertEqual(json.loads(r.body), board)
        # A front end that answers null: None.
        c.start(2, {}, None, "server", script)
        token = P.decode_u32(c._next_process_frame(P.METRICS_QUERY)[2])
        c.send(P.METRICS, 0, P.encode_u32(token) + b"null")
        self.assertEqual(c.wait(2).body, b"null")

    def test_off_by_default_no_query(self):
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp)
        script = os.path.join(tmp, "app.wsgi")
        with open(script, "w") as f:
            f.write(APP)
        c = WorkerClient({"threads": 1, "processGroup": "g"})
        self.addCleanup(c.close)
        self.assertEqual(c.call("server", script=script).body, b"null")
        self.assertFalse([f for f in c.process_frames if f[0] == P.METRICS_QUERY])


class NewRelic(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        os.makedirs(os.path.join(self.tmp, "newrelic"))
        with open(os.path.join(self.tmp, "newrelic", "__init__.py"), "w"):
            pass
        with open(os.path.join(self.tmp, "newrelic", "agent.py"), "w") as f:
            f.write(FAKE_AGENT)
        self.script = os.path.join(self.tmp, "app.wsgi")
        with open(self.script, "w") as f:
            f.write(APP)
        self.clients = []

    def tearDown(self):
        for c in self.clients:
            c.close()
        shutil.rmtree(self.tmp)

    def start(self, **config):
        c = WorkerClient(dict({"threads": 1, "processGroup": "nrg"}, **config))
        self.clients.append(c)
        return c

    def test_agent_initialised_at_start_and_app_wrapped_per_request(self):
        c = self.start(pythonPath=[self.tmp], newrelicConfigFile="/etc/nr.ini",
                       newrelicEnvironment="staging")
        self.assertIn("mod_wsgi (pid=%d, process='nrg', application=''): "
                      "Imported 'newrelic.agent'." % c.hello["pid"],
                      c.process_logs())
        r = c.call("newrelic", script=self.script)
        self.assertTrue(r.body.startswith(b"nr:"), r.body)
        calls = json.loads(r.body[3:])
        self.assertEqual(calls, [["initialize", "/etc/nr.ini", "staging"],
                                 ["wrap", "newrelic", None]])
        r = c.call("newrelic", script=self.script)
        self.assertEqual(len(json.loads(r.body[3:])), 3)  # wrapped again

    def test_environment_defaults_to_none(self):
        c = self.start(pythonPath=[self.tmp], newrelicConfigFile="/etc/nr.ini")
        calls = json.loads(c.call("newrelic", script=self.script).body[3:])
        self.assertEqual(calls[0], ["initialize", "/etc/nr.ini", None])

    def test_initialise_failure_is_logged_and_requests_still_wrapped(self):
        c = self.start(pythonPath=[self.tmp], newrelicConfigFile="/bad.ini")
        r = c.call("newrelic", script=self.script)
        self.assertIn("mod_wsgi (pid=%d): Unable to initialise New Relic agent "
                      "with config '/bad.ini'." % c.hello["pid"], c.process_logs())
        self.assertTrue(r.body.startswith(b"nr:"))

    def test_missing_agent_is_logged_and_the_app_runs_unwrapped(self):
        c = self.start(newrelicConfigFile="/etc/nr.ini")
        logs = c.process_logs()
        self.assertIn("mod_wsgi (pid=%d): Unable to import 'newrelic.agent' "
                      "module." % c.hello["pid"], logs)
        # As PyErr_Print after a C-level import: the exception only, no importer frames.
        self.assertIn("module.\nModuleNotFoundError: No module named 'newrelic'", logs)
        self.assertNotIn("Traceback", logs)
        r = c.call("newrelic", script=self.script)
        self.assertEqual(r.body, b"null")

    def test_an_agent_that_fails_to_import_shows_its_own_frames(self):
        with open(os.path.join(self.tmp, "newrelic", "agent.py"), "w") as f:
            f.write("x = 1\nraise RuntimeError('agent broken')\n")
        c = self.start(pythonPath=[self.tmp], newrelicConfigFile="/etc/nr.ini")
        logs = c.process_logs()
        self.assertIn("Unable to import 'newrelic.agent' module.", logs)
        self.assertIn("Traceback (most recent call last):\n  File \"%s\", line 2"
                      % os.path.join(self.tmp, "newrelic", "agent.py"), logs)
        self.assertIn("RuntimeError: agent broken", logs)
        self.assertNotIn("importlib", logs)

    def test_no_config_file_no_agent(self):
        c = self.start(pythonPath=[self.tmp])
        self.assertNotIn("newrelic", c.process_logs())
        self.assertEqual(c.call("newrelic", script=self.script).body, b"null")


if __name__ == "__main__":
    unittest.main()
