"""WSGIDispatchScript: the per-request hooks that pick the context an
application runs in.

mod_wsgi counterpart: src/server/mod_wsgi.c (4.9.4) wsgi_execute_dispatch and
Dispatch_environ. mod_wsgi runs the script in the Apache child; tswsgi runs it
in an embedded-group worker, asked by a REQUEST whose environ carries
``tswsgi.dispatch`` (the script's path, docs/protocol.md). The answer is a
normal response: ``200`` with a JSON object of the overrides found.

The script may define ``process_group(environ)``, ``application_group(environ)``
and ``callable_object(environ)``; each returns a str (or bytes) to override the
configuration, or None. The environ is the CGI environment with
``mod_wsgi.process_group`` "", ``mod_wsgi.application_group`` the group the
script runs in, no ``mod_wsgi.callable_object``, and ``wsgi.errors``. A script
that fails to import is logged and overrides nothing (the request goes on); a
hook that raises or returns another type is a 500.
"""

from __future__ import annotations

import json
import os
import traceback
from typing import Any, Callable, Dict, List, Optional

from . import loader

DISPATCH_KEY = "tswsgi.dispatch"

# Hook name → the word mod_wsgi's type errors use.
_HOOKS = (("process_group", "Process group"),
          ("application_group", "Application group"),
          ("callable_object", "Callable object"))

StartResponse = Callable[..., Any]
Log = Callable[[int, int, str], None]


def _text(value: object, what: str) -> str:
    if isinstance(value, bytes):
        return value.decode("latin-1")
    if isinstance(value, str):
        try:
            value.encode("latin-1")
        except UnicodeEncodeError:
            raise TypeError("%s must be a byte string, value containing non "
                            "'latin-1' characters found" % what) from None
        return value
    raise TypeError("%s must be a byte string" % what)


def dispatch_app(env: Dict[str, Any], log: Log, sid: int
                 ) -> Callable[[Dict[str, Any], StartResponse], List[bytes]]:
    """A WSGI callable answering the dispatch question for this request."""
    script = env.pop(DISPATCH_KEY)
    reloading = env.get("mod_wsgi.script_reloading") == "1"

    def app(environ: Dict[str, Any], start_response: StartResponse) -> List[bytes]:
        found: Dict[str, Optional[str]] = {}
        try:
            module: Any = loader.load_script(script, reloading)
        except BaseException:
            pid = os.getpid()
            log(sid, 3, (
                "mod_wsgi (pid=%d): Failed to exec Python script file '%s'.\n"
                "mod_wsgi (pid=%d): Exception occurred processing WSGI script "
                "'%s'.\n%s" % (pid, script, pid, script,
                               traceback.format_exc().rstrip("\n"))))
            module = None
        if module is not None:
            args = _dispatch_environ(environ)
            for name, what in _HOOKS:
                hook = getattr(module, name, None)
                if hook is None:
                    continue
                value = hook(args)
                if value is not None:
                    found[name] = _text(value, what)
        body = json.dumps(found).encode("utf-8")
        start_response("200 OK", [("Content-Type", "application/json"),
                                  ("Content-Length", str(len(body)))])
        return [body]

    return app


def _dispatch_environ(environ: Dict[str, Any]) -> Dict[str, Any]:
    """Dispatch_environ: the CGI variables, the dispatch context, wsgi.errors."""
    out = {k: v for k, v in environ.items()
           if isinstance(v, str) and not k.startswith(("wsgi.", "tswsgi."))}
    out["mod_wsgi.process_group"] = ""
    out["mod_wsgi.application_group"] = environ.get(
        "mod_wsgi.application_group", "")
    out.pop("mod_wsgi.callable_object", None)
    out["wsgi.errors"] = environ["wsgi.errors"]
    return out
