"""wsgi.input: the API matrix in-process, and end to end with flow control
(0 B and 5 MB SHA-256 round trips), plus ABORT."""

import hashlib
import json
import os
import threading
import unittest

from tswsgi_worker import protocol as P
from tswsgi_worker.input import GRANT_THRESHOLD, READ_ERROR, RequestInput
from tswsgi_worker.tests.harness import WorkerClient


def filled(data, chunks=3):
    inp = RequestInput(True)
    step = max(1, len(data) // chunks)
    for i in range(0, len(data), step):
        inp.feed(data[i:i + step])
    inp.feed_eof()
    return inp


class InputApi(unittest.TestCase):
    BODY = b"line1\nline2\n\nlast-no-newline"

    def test_read_variants_read_everything(self):
        for arg in ((), (-1,), (None,)):
            with self.subTest(arg=arg):
                inp = filled(self.BODY)
                self.assertEqual(inp.read(*arg), self.BODY)
                self.assertEqual(inp.read(), b"")

    def test_read_n_returns_n_bytes_across_chunks_then_empty(self):
        inp = filled(self.BODY, chunks=7)
        self.assertEqual(inp.read(0), b"")
        self.assertEqual(inp.read(8), b"line1\nli")
        self.assertEqual(inp.read(1000), self.BODY[8:])
        self.assertEqual(inp.read(5), b"")

    def test_readline_and_readline_n_keep_the_rest(self):
        inp = filled(self.BODY)
        self.assertEqual(inp.readline(3), b"lin")
        self.assertEqual(inp.readline(), b"e1\n")
        self.assertEqual(inp.readline(None), b"line2\n")
        self.assertEqual(inp.readline(0), b"")
        self.assertEqual(inp.readline(), b"\n")
        self.assertEqual(inp.readline(), b"last-no-newline")
        self.assertEqual(inp.readline(), b"")

    def test_a_read_of_a_whole_chunk_returns_that_chunk_without_a_copy(self):
        first, second = b"a" * 70000, b"b" * 70000
        inp = RequestInput(True)
        inp.feed(first)
        inp.feed(second)
        inp.feed_eof()
        got = inp.read(70000)
        self.assertTrue(got is first, "a whole-chunk read returns the chunk itself")
        rest = inp.read(65536 * 2)  # more than is left: the rest, then EOF
        self.assertTrue(rest == second, "the second chunk follows intact")
        self.assertEqual(inp.bytes_read, 140000)
        self.assertEqual(inp.read(), b"")

    def test_lines_split_across_many_chunks_and_a_partial_first_chunk(self):
        inp = RequestInput(True)
        for piece in (b"ab", b"c\nd", b"e", b"f\n", b"", b"g"):
            inp.feed(piece)
        inp.feed_eof()
        self.assertEqual(inp.read(1), b"a")
        self.assertEqual(inp.readline(), b"bc\n")
        self.assertEqual(inp.readline(2), b"de")
        self.assertEqual(inp.readlines(), [b"f\n", b"g"])
        self.assertEqual(inp.read(), b"")

    def test_readlines_with_and_without_hint(self):
        self.assertEqual(filled(self.BODY).readlines(),
                         [b"line1\n", b"line2\n", b"\n", b"last-no-newline"])
        self.assertEqual(filled(self.BODY).readlines(7), [b"line1\n", b"line2\n"])

    def test_iteration_yields_lines(self):
        self.assertEqual(list(filled(self.BODY)),
                         [b"line1\n", b"line2\n", b"\n", b"last-no-newline"])

    def test_no_body_is_eof_from_the_start(self):
        inp = RequestInput(False)
        self.assertEqual((inp.read(), inp.read(10), inp.readline()), (b"", b"", b""))

    def test_binary_exact(self):
        data = bytes(range(256)) * 50
        self.assertEqual(filled(data, chunks=13).read(), data)

    def test_read_blocks_until_data_arrives(self):
        inp = RequestInput(True)
        out = []
        t = threading.Thread(target=lambda: out.append(inp.read(6)))
        t.start()
        inp.feed(b"abc")
        inp.feed(b"defg")
        t.join(5)
        self.assertEqual(out, [b"abcdef"])
        inp.feed_eof()
        self.assertEqual(inp.read(), b"g")

    def test_abort_makes_reads_raise_and_stay_failed(self):
        inp = RequestInput(True)
        inp.feed(b"abc")
        inp.abort()
        for op in (inp.read, inp.readline, lambda: inp.read(0)):
            with self.assertRaises(OSError) as cm:
                op()
            self.assertEqual(str(cm.exception), READ_ERROR)
        self.assertIn("request data read error", READ_ERROR)

    def test_grants_credit_after_half_a_window_is_consumed(self):
        grants = []
        inp = RequestInput(True, grants.append)
        inp.feed(b"x" * P.INITIAL_WINDOW)
        inp.read(GRANT_THRESHOLD - 1)
        self.assertEqual(grants, [])
        inp.read(1)
        self.assertEqual(grants, [GRANT_THRESHOLD])
        inp.feed_eof()
        inp.read()
        self.assertEqual(grants, [GRANT_THRESHOLD])  # no grants after EOF

    def test_close_is_harmless(self):
        inp = filled(b"abc")
        inp.close()
        self.assertEqual(inp.read(), b"abc")


class InputEndToEnd(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.c = WorkerClient({"threads": 3})

    @classmethod
    def tearDownClass(cls):
        cls.c.close()

    def sha_round_trip(self, data):
        r = self.c.call("echo_sha", body=data)
        self.assertTrue(r.ended, r.log_text)
        self.assertEqual(json.loads(r.body), {
            "n": len(data), "sha": hashlib.sha256(data).hexdigest()})

    def test_zero_byte_body(self):
        self.sha_round_trip(b"")

    def test_five_megabytes_with_flow_control(self):
        self.sha_round_trip(os.urandom(5 * 1024 * 1024))

    def test_api_matrix_over_the_wire(self):
        ops = [["read", 0], ["readline", 3], ["readline", "noarg"],
               ["read", 4], ["readlines", 1], ["iter", None], ["read", "noarg"],
               ["close", None]]
        body = b"abcdef\nghij\nkl\nmn\nop"
        r = self.c.call("input_ops", {"QUERY_STRING": json.dumps(ops)}, body)
        self.assertTrue(r.ended, r.log_text)
        self.assertEqual(json.loads(r.body),
                         ["", "abc", "def\n", "ghij", "\n", "kl\n|mn\n|op", "",
                          "closed"])

    def test_app_that_ignores_the_body_still_completes(self):
        r = self.c.call("application", body=os.urandom(600000))
        self.assertEqual(r.body, b"Hello World!")


class Abort(unittest.TestCase):
    def test_abort_fails_reads_calls_close_and_still_ends(self):
        c = WorkerClient({"threads": 2})
        try:
            c.start(1, {}, b"", "abort_reader")
            c.send(P.DATA, 1, b"a")
            c.send(P.ABORT, 1)
            r = c.wait(1)
            self.assertIsNone(r.error)
            self.assertTrue(r.ended)
            ev = json.loads(c.call("events", sid=2).body)
            self.assertIn("abort-read:" + READ_ERROR, ev)
            self.assertIn("closed:None", ev)
        finally:
            c.close()

    def test_abort_stops_an_endless_generator(self):
        c = WorkerClient({"threads": 2}, auto_window=False)
        try:
            c.start(1, {}, None, "endless")
            while len(c.results.get(1, None).body if 1 in c.results else b"") < 1000:
                c.pump()
            c.send(P.ABORT, 1)
            c.send(P.WINDOW, 1, P.encode_u32(1 << 20))
            r = c.wait(1)
            self.assertTrue(r.ended)
            self.assertIn("endless-closed", json.loads(c.call("events", sid=2).body))
        finally:
            c.close()


if __name__ == "__main__":
    unittest.main()
