"""WSGIHandlerScript in the worker: mod_wsgi.handler_script names the script to
run (its handle_request), SCRIPT_FILENAME stays the resource, and an optional
reload_required(resource) asks for the script to be executed again
(mod_wsgi 4.9.4 wsgi_execute_script / wsgi_reload_required)."""

from __future__ import annotations

import os
import shutil
import tempfile
import unittest

from .harness import WorkerClient

HANDLER = '''
import itertools
_count = itertools.count()
LOADS = globals().setdefault("LOADS", 0) + 1

def reload_required(resource):
    if resource.endswith("boom"):
        raise RuntimeError("hook failed")
    return resource.endswith("reload")

def handle_request(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [("%s loads=%d n=%d" % (environ["SCRIPT_FILENAME"], LOADS,
                                   next(_count))).encode()]
'''


class HandlerScript(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.tmp)
        self.script = os.path.join(self.tmp, "handler.wsgi")
        with open(self.script, "w") as f:
            f.write(HANDLER)
        self.c = WorkerClient({"threads": 1})
        self.addCleanup(self.c.close)

    def get(self, resource: str, reloading: bool = True) -> bytes:
        env = {"mod_wsgi.handler_script": self.script,
               "mod_wsgi.script_reloading": "1" if reloading else "0"}
        r = self.c.call("handle_request", env, script=resource)
        self.assertIsNone(r.error, r.error)
        return r.body

    def test_runs_the_handler_script_with_the_resource_as_script_filename(self):
        self.assertEqual(self.get("/srv/page.txt"), b"/srv/page.txt loads=1 n=0")
        self.assertEqual(self.get("/srv/other.txt"), b"/srv/other.txt loads=1 n=1")

    def test_reload_required_true_executes_the_script_again(self):
        self.assertEqual(self.get("/srv/a"), b"/srv/a loads=1 n=0")
        # Re-executed: a fresh module (its counter restarts).
        self.assertEqual(self.get("/srv/reload"), b"/srv/reload loads=1 n=0")
        self.assertEqual(self.get("/srv/b"), b"/srv/b loads=1 n=1")

    def test_reload_required_is_not_consulted_without_script_reloading(self):
        self.get("/srv/a", reloading=False)
        self.assertEqual(self.get("/srv/reload", reloading=False),
                         b"/srv/reload loads=1 n=1")

    def test_a_failing_reload_required_is_logged_and_the_module_kept(self):
        self.get("/srv/a")
        r = self.c.call("handle_request", {
            "mod_wsgi.handler_script": self.script,
            "mod_wsgi.script_reloading": "1"}, script="/srv/boom")
        self.assertEqual(r.body, b"/srv/boom loads=1 n=1")
        self.assertIn("Exception occurred processing reload_required", r.log_text)
        self.assertIn("RuntimeError: hook failed", r.log_text)


if __name__ == "__main__":
    unittest.main()
