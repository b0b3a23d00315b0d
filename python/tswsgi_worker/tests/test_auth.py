"""WSGIAuthUserScript / WSGIAuthGroupScript / WSGIAccessScript in the worker
(mod_wsgi 4.9.4 wsgi_check_password, wsgi_groups_for_user, wsgi_allow_access):
a REQUEST carrying tswsgi.auth is answered with the hook's result as JSON."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import unittest

from .harness import WorkerClient

SCRIPT = '''
def check_password(environ, user, password):
    keys = sorted(k for k in environ if not k.startswith("HTTP_"))
    environ["wsgi.errors"].write("keys %s\\n" % " ".join(keys))
    environ["wsgi.errors"].write("ctx %r %r %r\\n" % (
        environ["mod_wsgi.process_group"], environ["mod_wsgi.application_group"],
        environ["mod_wsgi.script_reloading"]))
    if user == "raise":
        raise RuntimeError("auth boom")
    if user == "int":
        return 1
    if user == "rename":
        return "renamed"
    if user == "ghost":
        return None
    return password == "pw-" + user

def get_realm_hash(environ, user, realm):
    return None if user == "ghost" else "hash-%s-%s" % (user, realm)

def groups_for_user(environ, user):
    if user == "notiter":
        return 5
    if user == "euro":
        return ["\\u20ac"]
    return [b"bytes-group", "str-group"]

def allow_access(environ, host):
    return {"10.0.0.1": True, "10.0.0.2": False}.get(host)
'''


class Auth(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.tmp)
        self.script = os.path.join(self.tmp, "auth.wsgi")
        with open(self.script, "w") as f:
            f.write(SCRIPT)
        self.c = WorkerClient({"threads": 1})
        self.addCleanup(self.c.close)

    def ask(self, hook: str, script: str = "", **args: str):
        env = {"tswsgi.auth": hook, "tswsgi.auth.script": script or self.script,
               "REQUEST_METHOD": "GET", "REMOTE_ADDR": "127.0.0.1",
               "HTTP_AUTHORIZATION": "Basic xyz", "HTTP_X_TRACE": "t1",
               "HTTPS": "on", "UNIQUE_ID": "not-for-auth",
               "mod_wsgi.application_group": "ag", "mod_wsgi.script_reloading": "1"}
        for k, v in args.items():
            env["tswsgi.auth." + k] = v
        r = self.c.call(None, env)
        self.assertEqual(r.status, "200 OK")
        return json.loads(r.body), r.log_text

    def test_check_password_answers_and_sees_auth_environ(self):
        doc, log = self.ask("check_password", user="ann", password="pw-ann")
        self.assertEqual(doc, {"result": True})
        # Auth_environ: no subprocess env (HTTPS, UNIQUE_ID), no credentials.
        self.assertIn(
            "keys PATH_INFO QUERY_STRING REMOTE_ADDR REQUEST_METHOD SCRIPT_NAME "
            "SERVER_NAME SERVER_PORT SERVER_PROTOCOL apache.version mod_ssl.is_https "
            "mod_ssl.var_lookup mod_wsgi.application_group mod_wsgi.process_group "
            "mod_wsgi.script_reloading mod_wsgi.version wsgi.errors\n", log)
        self.assertIn("ctx '' 'ag' 1", log)

    def test_headers_but_not_the_credentials_reach_the_hook(self):
        other = os.path.join(self.tmp, "headers.wsgi")
        with open(other, "w") as f:
            f.write("def allow_access(environ, host):\n"
                    "    return environ.get('HTTP_X_TRACE') == 't1' and "
                    "'HTTP_AUTHORIZATION' not in environ\n")
        self.assertEqual(self.ask("allow_access", script=other, host="h")[0],
                         {"result": True})

    def test_check_password_results(self):
        self.assertEqual(self.ask("check_password", user="ann", password="no")[0],
                         {"result": False})
        self.assertEqual(self.ask("check_password", user="ghost", password="x")[0],
                         {"result": None})
        self.assertEqual(self.ask("check_password", user="rename", password="x")[0],
                         {"result": "renamed"})

    def test_the_password_is_decoded_from_utf8_bytes(self):
        pw = "pw-d\u00e9".encode("utf-8").decode("latin-1")  # as the front end sends it
        user = "d\u00e9".encode("utf-8").decode("latin-1")
        self.assertEqual(self.ask("check_password", user=user,
                                  password=pw)[0], {"result": True})

    def test_bytes_that_are_not_utf8_are_an_error(self):
        doc, log = self.ask("check_password", user="\xff", password="x")
        self.assertEqual(doc, {"error": True})
        self.assertIn("UnicodeDecodeError", log)

    def test_a_hook_that_raises_is_logged_and_an_error(self):
        doc, log = self.ask("check_password", user="raise", password="x")
        self.assertEqual(doc, {"error": True})
        self.assertIn("Exception occurred processing WSGI script '%s'" % self.script, log)
        self.assertIn("RuntimeError: auth boom", log)

    def test_a_wrong_result_type_is_mod_wsgis_type_error(self):
        doc, log = self.ask("check_password", user="int", password="x")
        self.assertEqual(doc, {"error": True})
        self.assertIn("TypeError: Basic auth provider must return True, False None "
                      "or user name as string", log)

    def test_realm_hash(self):
        self.assertEqual(self.ask("get_realm_hash", user="u", realm="R")[0],
                         {"result": "hash-u-R"})
        self.assertEqual(self.ask("get_realm_hash", user="ghost", realm="R")[0],
                         {"result": None})

    def test_groups_for_user(self):
        self.assertEqual(self.ask("groups_for_user", user="u")[0],
                         {"result": ["bytes-group", "str-group"]})
        doc, log = self.ask("groups_for_user", user="notiter")
        self.assertEqual(doc, {"error": True})
        self.assertIn("Groups for user returned from '%s' must be an iterable "
                      "sequence of byte strings." % self.script, log)
        doc, log = self.ask("groups_for_user", user="euro")
        self.assertEqual(doc, {"error": True})
        self.assertIn("non 'latin-1' characters found", log)

    def test_allow_access(self):
        self.assertEqual(self.ask("allow_access", host="10.0.0.1")[0], {"result": True})
        self.assertEqual(self.ask("allow_access", host="10.0.0.2")[0], {"result": False})
        self.assertEqual(self.ask("allow_access", host="10.0.0.3")[0], {"result": None})

    def test_a_script_without_the_hook_says_so(self):
        other = os.path.join(self.tmp, "empty.wsgi")
        with open(other, "w") as f:
            f.write("x = 1\n")
        doc, log = self.ask("groups_for_user", script=other, user="u")
        self.assertEqual(doc, {"error": True})
        self.assertIn("Target WSGI group authentication script '%s' does not "
                      "provide group provider." % other, log)

    def test_a_script_that_fails_to_import_is_logged(self):
        bad = os.path.join(self.tmp, "bad.wsgi")
        with open(bad, "w") as f:
            f.write("raise ImportError('no such thing')\n")
        doc, log = self.ask("allow_access", script=bad, host="10.0.0.1")
        self.assertEqual(doc, {"error": True})
        self.assertIn("Failed to exec Python script file '%s'." % bad, log)
        self.assertIn("ImportError: no such thing", log)


if __name__ == "__main__":
    unittest.main()
