"""End-to-end: a real worker process over a socketpair, spoken to in frames.

Covers the WSGI contract of docs/protocol.md and mod_wsgi.md §4.7/§8 (#8-#13,
#15): environ, start_response rules, body rules, Content-Length, close(),
errors, logging, flow control, PING.
"""

import json
import os
import unittest

from tswsgi_worker import protocol as P
from tswsgi_worker.tests.harness import APPS, WorkerClient


class WorkerCase(unittest.TestCase):
    config = {"threads": 4}
    client: WorkerClient

    @classmethod
    def setUpClass(cls):
        cls.client = WorkerClient(dict(cls.config))

    @classmethod
    def tearDownClass(cls):
        cls.client.close()

    def call(self, name, environ=None, body=None, **kw):
        return self.client.call(name, environ, body, **kw)

    def events(self):
        return json.loads(self.call("events").body)

    def assertOk(self, r, body=None):
        self.assertIsNone(r.error, r.log_text)
        self.assertTrue(r.ended)
        self.assertEqual(r.types[-1], P.END)
        if body is not None:
            self.assertEqual(r.body, body)


class HelloAndEnviron(WorkerCase):
    config = {"threads": 3, "processGroup": "grp", "applicationGroup": "app",
              "multithread": True, "multiprocess": False}

    def test_hello_app_answers_in_three_frames(self):
        r = self.call("application")
        self.assertEqual(r.types, [P.START, P.RESP_DATA, P.END])
        self.assertEqual(r.status, "200 OK")
        self.assertEqual(r.headers, [("Content-Type", "text/plain")])
        self.assertEqual(r.body, b"Hello World!")

    def test_hello_frame_describes_the_process(self):
        h = self.client.hello
        self.assertEqual(h["protocol"], P.VERSION)
        self.assertEqual(P.VERSION, 2)
        self.assertEqual(h["pid"], self.client.proc.pid)
        self.assertTrue(h["python"].startswith("3."))
        self.assertTrue(h["executable"])

    def test_environ_has_wsgi_and_mod_wsgi_keys(self):
        env = json.loads(self.call("dump", {
            "HTTP_X_LATIN": "caf\u00e9", "wsgi.url_scheme": "https",
            "mod_wsgi.request_start": "1700000000123456"}).body)
        self.assertEqual(env["wsgi.version"], [1, 0])
        self.assertEqual(env["wsgi.url_scheme"], "https")
        self.assertIs(env["wsgi.input_terminated"], True)
        self.assertIs(env["wsgi.multithread"], True)
        self.assertIs(env["wsgi.multiprocess"], False)
        self.assertIs(env["wsgi.run_once"], False)
        self.assertEqual(env["wsgi.input"], "<RequestInput>")
        self.assertEqual(env["wsgi.errors"], "<RequestErrors>")
        self.assertEqual(env["wsgi.file_wrapper"], "<type>")
        self.assertTrue(env["errors_is_text"])
        self.assertEqual(env["mod_wsgi.version"], [5, 0, 0])
        self.assertEqual(env["apache.version"], [2, 4, 62])
        self.assertEqual(env["mod_wsgi.process_group"], "grp")
        self.assertEqual(env["mod_wsgi.application_group"], "app")
        self.assertEqual(env["mod_wsgi.request_start"], "1700000000123456")
        self.assertEqual(env["HTTP_X_LATIN"], "caf\u00e9")
        self.assertEqual(env["SERVER_PORT"], "80")

    def test_daemon_and_counter_keys_match_mod_wsgi_types(self):
        # Daemon group "grp": daemon_start/script_start are integer-µs strings,
        # total/thread requests count finished requests (ints), like mod_wsgi 4.9.
        first = json.loads(self.call("dump").body)
        second = json.loads(self.call("dump").body)
        for env in (first, second):
            for key in ("mod_wsgi.daemon_start", "mod_wsgi.script_start"):
                self.assertRegex(env[key], r"^\d{16}$")
            self.assertLessEqual(int(env["mod_wsgi.daemon_start"]),
                                 int(env["mod_wsgi.script_start"]))
            self.assertIsInstance(env["mod_wsgi.thread_requests"], int)
            self.assertIsInstance(env["mod_wsgi.thread_id"], int)
        self.assertGreater(second["mod_wsgi.total_requests"],
                           first["mod_wsgi.total_requests"])
        self.assertGreaterEqual(first["mod_wsgi.total_requests"],
                                first["mod_wsgi.thread_requests"])

    def test_embedded_group_gets_no_daemon_start(self):
        env = json.loads(self.call("dump", {"mod_wsgi.process_group": ""}).body)
        self.assertNotIn("mod_wsgi.daemon_start", env)
        self.assertIn("mod_wsgi.script_start", env)

    def test_url_scheme_defaults_to_http(self):
        env = json.loads(self.call("dump").body)
        self.assertEqual(env["wsgi.url_scheme"], "http")

    def test_script_runs_as_mod_wsgi_named_module_with_argv(self):
        import hashlib
        env = json.loads(self.call("dump").body)
        path = os.path.join(APPS, "apps.wsgi")
        self.assertEqual(env["__name__"], "_mod_wsgi_" + hashlib.md5(
            path.encode()).hexdigest())
        self.assertEqual(env["__file__"], path)
        self.assertEqual(env["sys.argv"], ["mod_wsgi"])

    def test_ping_is_answered_with_pong(self):
        self.client.send(P.PING, 0, b"\x01\x02\x03\x04\x05\x06\x07\x08")
        frame = self.client._next_process_frame(P.PONG)
        self.assertEqual(frame, (P.PONG, 0, b"\x01\x02\x03\x04\x05\x06\x07\x08"))

    def test_concurrent_streams_are_kept_apart(self):
        c = self.client
        for sid in range(1, 9):
            c.start(sid, {"QUERY_STRING": str(sid)}, None, "stream_chunks")
        for sid in range(1, 9):
            r = c.wait(sid)
            self.assertOk(r, b"".join(b"chunk%d;" % i for i in range(sid)))


class StartResponseValidation(WorkerCase):
    def check(self, status, headers, expect):
        r = self.call("status_from_query", {
            "QUERY_STRING": json.dumps([status, headers])})
        self.assertOk(r)
        self.assertEqual(r.body.decode("utf-8")[:len(expect)], expect,
                         (status, headers))
        return r

    def test_valid_status_lines_are_accepted(self):
        for status in ("200 OK", "404 Not Found", "200 ",
                       "599 Custom reason with spaces", "200 caf\u00e9"):
            with self.subTest(status):
                r = self.check(status, [], "accepted")
                self.assertEqual(r.status, status)

    def test_invalid_status_lines_raise_value_error(self):
        for status, msg in (("20 OK", "status code is not a 3 digit integer"),
                            ("2000 OK", "status code is not a 3 digit integer"),
                            ("abc OK", "status code is not a 3 digit integer"),
                            ("", "status code is not a 3 digit integer"),
                            ("200OK", "no space following status code"),
                            ("200", "no space following status code"),
                            ("200\tOK", "no space following status code"),
                            ("200 O\nK", "control character present"),
                            ("200 O\x7fK", "control character present"),
                            ("200 \u20ac", "ValueError: status line must be "
                             "encodable as latin-1")):
            with self.subTest(status):
                exp = msg if msg.startswith("ValueError") else "ValueError: " + msg
                self.check(status, [], exp)

    def test_valid_headers_are_passed_in_order(self):
        hdrs = [["X-A", "1"], ["Set-Cookie", "a=1"], ["Set-Cookie", "b=2"],
                ["X-Empty", ""], ["X-Tab", "a\tb"], ["X-Latin", "caf\u00e9"]]
        r = self.check("200 OK", hdrs, "accepted")
        self.assertEqual(r.headers, [tuple(h) for h in hdrs])

    def test_invalid_header_names_and_values_raise_value_error(self):
        for header, msg in ((["", "v"], "header name is empty"),
                            (["X A", "v"], "space character present in header name"),
                            (["X\x01A", "v"], "control character present in header name"),
                            (["X:A", "v"], "colon character present in header name"),
                            (["X-A", "a\r\nInjected: 1"], "carriage return/line feed"),
                            (["X-A", "a\nb"], "carriage return/line feed")):
            with self.subTest(header):
                self.check("200 OK", [header], "ValueError: " + msg)

    def test_wrong_header_container_types_raise_type_or_value_error(self):
        for kind, expect in (("tuple", "TypeError: headers must be a list"),
                             ("list-item", "TypeError: each header must be a 2-tuple"),
                             ("three", "ValueError: each header must be a 2-tuple, got length 3"),
                             ("bytes-name", "TypeError: header name must be str"),
                             ("bytes-value", "TypeError: header value must be str"),
                             ("non-latin1", "ValueError: header value must be "
                              "encodable as latin-1"),
                             ("status-bytes", "TypeError: status line must be str"),
                             ("status-int", "TypeError: status line must be str")):
            with self.subTest(kind):
                r = self.call("bad_headers_object", {"QUERY_STRING": kind})
                self.assertOk(r)
                self.assertEqual(r.body.decode()[:len(expect)], expect)

    def test_hop_by_hop_headers_pass_as_mod_wsgi_does(self):
        # mod_wsgi (wsgi_validate.c) does not police hop-by-hop names;
        # the front end decides what reaches the client.
        self.check("200 OK", [["Connection", "close"]], "accepted")


class StartResponseRules(WorkerCase):
    def test_second_call_before_output_replaces_the_first(self):
        r = self.call("recall_replaces")
        self.assertOk(r, b"second")
        self.assertEqual(r.status, "201 Created")
        self.assertEqual(r.headers, [("X-Second", "2")])

    def test_exc_info_before_output_replaces_headers(self):
        r = self.call("exc_info_before_output")
        self.assertOk(r, b"error page")
        self.assertEqual((r.status, r.headers), ("500 Error", [("X-B", "2")]))

    def test_exc_info_after_output_reraises_and_truncates(self):
        r = self.call("exc_info_after_output")
        self.assertEqual(r.types[:2], [P.START, P.RESP_DATA])
        self.assertEqual(r.status, "200 OK")
        self.assertEqual(r.body, b"partial")
        self.assertTrue(r.error.startswith("500 "), r.error)
        self.assertIn("KeyError: 'late'", r.log_text)
        self.assertIn("reraised", self.events())

    def test_recall_after_output_without_exc_info_is_runtime_error(self):
        r = self.call("recall_after_output_no_exc_info")
        self.assertOk(r)
        self.assertEqual(r.body, b"x|RuntimeError: start_response() called more "
                         b"than once without exc_info")

    def test_write_output_precedes_iterable_output(self):
        r = self.call("write_then_iterable")
        self.assertOk(r, b"one,two,three,four")


class BodyRules(WorkerCase):
    def test_str_item_first_is_500_with_logged_type_error(self):
        r = self.call("str_item_first")
        self.assertIsNone(r.status)
        self.assertEqual(r.types[-1], P.ERROR)
        self.assertTrue(r.error.startswith("500 "))
        self.assertIn("TypeError: sequence of byte string values expected, "
                      "value of type str found", r.log_text)

    def test_str_item_later_truncates_after_start(self):
        r = self.call("str_item_later")
        self.assertEqual(r.types, [P.START, P.RESP_DATA, P.LOG, P.ERROR])
        self.assertEqual(r.body, b"bytes,")
        self.assertTrue(r.error.startswith("500 "))

    def test_content_length_caps_the_body(self):
        r = self.call("cl_over")
        self.assertOk(r, b"abcde")
        self.assertEqual(r.header("Content-Length"), "5")

    def test_content_length_shortfall_ends_in_error_after_start(self):
        r = self.call("cl_short")
        self.assertEqual(r.types, [P.START, P.RESP_DATA, P.ERROR])
        self.assertEqual(r.body, b"abcd")
        self.assertIn("Content-Length 10 but 4 bytes", r.error or "")

    def test_content_length_shortfall_is_fine_for_head(self):
        r = self.call("cl_short_head", {"REQUEST_METHOD": "HEAD"})
        self.assertOk(r, b"")
        self.assertEqual(r.header("Content-Length"), "10")

    def test_invalid_content_length_is_500(self):
        r = self.call("cl_invalid")
        self.assertIsNone(r.status)
        self.assertTrue(r.error.startswith("500 "))
        self.assertIn("invalid Content-Length header value: 'ten'", r.log_text)

    def test_empty_body_still_sends_start_then_end(self):
        r = self.call("empty_body")
        self.assertEqual(r.types, [P.START, P.END])
        self.assertEqual(r.status, "204 No Content")

    def test_close_is_called_after_success(self):
        self.assertOk(self.call("close_called"), b"ab")
        self.assertIn("closed:None", self.events())

    def test_close_is_called_on_exception_after_output(self):
        r = self.call("close_called_on_error")
        self.assertEqual(r.body, b"a")
        self.assertEqual(r.types[-1], P.ERROR)
        self.assertIn("RuntimeError: failed while iterating", r.log_text)
        self.assertIn("closed:1", self.events())

    def test_close_is_called_on_exception_before_output(self):
        r = self.call("close_called_error_first")
        self.assertIsNone(r.status)
        self.assertTrue(r.error.startswith("500 "))
        self.assertIn("closed:0", self.events())

    def test_generator_finally_runs(self):
        self.assertOk(self.call("generator_finally"), b"xy")
        self.assertIn("finally", self.events())

    def test_exception_before_start_is_500_and_traceback_only_logged(self):
        r = self.call("raises_before_start")
        self.assertEqual(r.types, [P.LOG, P.ERROR])
        self.assertTrue(r.error.startswith("500 "))
        self.assertNotIn("secret traceback detail", r.error or "")
        self.assertEqual(r.logs[0][0], 3)
        self.assertIn("Exception occurred processing WSGI script", r.log_text)
        self.assertIn("ValueError: secret traceback detail", r.log_text)

    def test_exception_after_output_is_error_after_start(self):
        r = self.call("raises_after_output")
        self.assertEqual(r.types, [P.START, P.RESP_DATA, P.LOG, P.ERROR])
        self.assertEqual(r.body, b"first")

    def test_streamed_items_leave_one_frame_each(self):
        r = self.call("stream_chunks", {"QUERY_STRING": "3"})
        self.assertOk(r, b"chunk0;chunk1;chunk2;")
        self.assertEqual(r.types.count(P.RESP_DATA), 3)


class Logging(WorkerCase):
    def test_wsgi_errors_print_and_stderr_become_level_3_logs(self):
        r = self.call("errors_writer")
        self.assertOk(r, b"ok")
        self.assertEqual(r.logs, [
            (3, "line one"), (3, "line two"), (3, "from print()"),
            (3, "to stderr"), (3, "partial at end")])
        # The logs arrive before END on the request's own stream.
        self.assertEqual(r.types[-1], P.END)

    def test_print_outside_a_request_thread_logs_on_stream_0(self):
        r = self.call("print_from_thread")
        self.assertOk(r, b"ok")
        self.assertEqual(r.logs, [])
        deadline = 50
        while "from a background thread" not in self.client.process_logs():
            self.client.pump(5)
            deadline -= 1
            self.assertGreater(deadline, 0)
        frame = [f for f in self.client.process_frames if f[0] == P.LOG][0]
        self.assertEqual(frame[2][0], 3)


class FlowControl(unittest.TestCase):
    def test_response_waits_for_credit(self):
        c = WorkerClient({"threads": 2}, auto_window=False)
        try:
            size = P.INITIAL_WINDOW * 2 + 1000
            c.start(1, {"QUERY_STRING": str(size)}, None, "big_response")
            got = 0
            while got < P.INITIAL_WINDOW:
                c.pump()
                got = len(c.results[1].body)
            self.assertEqual(got, P.INITIAL_WINDOW)
            # No more data until credit: a PING round trip proves the
            # worker is alive and has sent nothing else meanwhile.
            c.send(P.PING, 0, b"\0" * 8)
            c._next_process_frame(P.PONG)
            self.assertEqual(len(c.results[1].body), P.INITIAL_WINDOW)
            c.send(P.WINDOW, 1, P.encode_u32(1000))
            while len(c.results[1].body) < P.INITIAL_WINDOW + 1000:
                c.pump()
            c.auto_window = True
            c.send(P.WINDOW, 1, P.encode_u32(size))
            r = c.wait(1)
            self.assertTrue(r.ended)
            import hashlib
            self.assertEqual(hashlib.sha256(r.body).hexdigest(), r.header("X-SHA256"))
            self.assertTrue(all(t != P.RESP_DATA or True for t in r.types))
        finally:
            c.close()


if __name__ == "__main__":
    unittest.main()
