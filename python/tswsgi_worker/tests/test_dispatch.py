"""WSGIDispatchScript in the worker (mod_wsgi 4.9.4 wsgi_execute_dispatch):
a REQUEST carrying tswsgi.dispatch is answered with the hooks' overrides."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import unittest

from .harness import WorkerClient

SCRIPT = '''
def process_group(environ):
    seen = (environ["mod_wsgi.process_group"], environ["mod_wsgi.application_group"],
            "mod_wsgi.callable_object" in environ, "wsgi.input" in environ)
    environ["wsgi.errors"].write("seen %r\\n" % (seen,))
    q = environ.get("QUERY_STRING", "")
    if q == "raise":
        raise RuntimeError("dispatch boom")
    if q == "int":
        return 42
    if q == "euro":
        return "\\u20ac"
    return None if q == "none" else "pg-" + q

def application_group(environ):
    return b"ag-bytes"
'''


class Dispatch(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.tmp)
        self.script = os.path.join(self.tmp, "dispatch.wsgi")
        with open(self.script, "w") as f:
            f.write(SCRIPT)
        self.c = WorkerClient({"threads": 1})
        self.addCleanup(self.c.close)

    def ask(self, query: str, script: str = ""):
        return self.c.call(None, {
            "tswsgi.dispatch": script or self.script, "QUERY_STRING": query,
            "mod_wsgi.process_group": "target", "mod_wsgi.application_group": "dg",
            "mod_wsgi.callable_object": "application"})

    def test_hooks_answer_as_json_with_the_dispatch_environ(self):
        r = self.ask("x")
        self.assertEqual(r.status, "200 OK")
        self.assertEqual(r.header("Content-Type"), "application/json")
        self.assertEqual(json.loads(r.body),
                         {"process_group": "pg-x", "application_group": "ag-bytes"})
        # process_group "" (the dispatch context), the script's group, no callable.
        self.assertIn("seen ('', 'dg', False, False)", r.log_text)

    def test_none_leaves_the_setting_alone(self):
        self.assertEqual(json.loads(self.ask("none").body),
                         {"application_group": "ag-bytes"})

    def test_a_script_that_fails_to_import_overrides_nothing(self):
        bad = os.path.join(self.tmp, "bad.wsgi")
        with open(bad, "w") as f:
            f.write("raise ImportError('no dispatch today')\n")
        r = self.ask("x", bad)
        self.assertEqual(r.status, "200 OK")
        self.assertEqual(json.loads(r.body), {})
        self.assertIn("ImportError: no dispatch today", r.log_text)

    def test_a_hook_that_raises_or_returns_another_type_is_a_500(self):
        for q, text in (("raise", "RuntimeError: dispatch boom"),
                        ("int", "TypeError: Process group must be a byte string"),
                        ("euro", "containing non 'latin-1' characters found")):
            with self.subTest(q):
                r = self.ask(q)
                self.assertIsNotNone(r.error)
                self.assertTrue((r.error or "").startswith("500 "), r.error)
                self.assertIn(text, r.log_text)


if __name__ == "__main__":
    unittest.main()
