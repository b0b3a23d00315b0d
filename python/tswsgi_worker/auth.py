"""WSGIAuthUserScript, WSGIAuthGroupScript and WSGIAccessScript hooks.

mod_wsgi counterpart: src/server/mod_wsgi.c (4.9.4) wsgi_check_password,
wsgi_get_realm_hash, wsgi_groups_for_user, wsgi_allow_access and Auth_environ.
mod_wsgi calls these in the Apache child; tswsgi asks an embedded-group worker
with a REQUEST whose environ carries ``tswsgi.auth`` (the hook's name) and
``tswsgi.auth.script`` plus the hook's arguments (docs/protocol.md). The answer
is ``200`` with JSON: ``{"result": value}``, or ``{"error": true}`` when the
hook could not give one (the reason is logged here, as mod_wsgi logs it).

Results, as mod_wsgi reads them:

- ``check_password(environ, user, password)``: True, False, None (no such
  user) or a str, the user name to use instead.
- ``get_realm_hash(environ, user, realm)``: None or a str (hex MD5 of
  ``user:realm:password``).
- ``groups_for_user(environ, user)``: an iterable of str (latin-1) or bytes.
- ``allow_access(environ, host)``: True, False or None (no opinion).

The user name and password reach the hook as str decoded from UTF-8, as
mod_wsgi's ``Py_BuildValue("s")`` does; bytes that are not UTF-8 raise there
and here alike.
"""

from __future__ import annotations

import json
import os
import traceback
from typing import Any, Callable, Dict, Iterable, Iterator, List, Tuple, cast

from . import loader
from .embedded import APACHE_VERSION, MOD_WSGI_VERSION

AUTH_KEY = "tswsgi.auth"

StartResponse = Callable[..., Any]
Log = Callable[[int, int, str], None]

# Auth_environ's CGI variables (besides the HTTP_* headers).
_AUTH_CGI = (
    "CONTENT_TYPE", "CONTENT_LENGTH", "SERVER_SIGNATURE", "SERVER_SOFTWARE",
    "SERVER_NAME", "SERVER_ADDR", "SERVER_PORT", "REMOTE_HOST", "REMOTE_ADDR",
    "DOCUMENT_ROOT", "SERVER_ADMIN", "REMOTE_PORT", "SERVER_PROTOCOL",
    "REQUEST_METHOD", "QUERY_STRING", "REQUEST_URI", "SCRIPT_NAME", "PATH_INFO",
)

# Hook → (arguments after environ, the word of mod_wsgi's "does not provide" message).
_HOOKS: Dict[str, Tuple[Tuple[str, ...], str]] = {
    "check_password": (("user", "password"), "user authentication script '%s' "
                       "does not provide 'Basic' auth provider."),
    "get_realm_hash": (("user", "realm"), "user authentication script '%s' "
                       "does not provide 'Digest' auth provider."),
    "groups_for_user": (("user",), "group authentication script '%s' does "
                        "not provide group provider."),
    "allow_access": (("host",), "host access script '%s' does not provide "
                     "host validator."),
}


def _utf8(value: str) -> str:
    """A latin-1 environ value carrying bytes, as Py_BuildValue("s") decodes them."""
    return value.encode("latin-1").decode("utf-8")


def auth_environ(environ: Dict[str, Any]) -> Dict[str, Any]:
    """Auth_environ: request headers (no credentials), the server and request
    variables, and the mod_wsgi context; never the subprocess environment."""
    out: Dict[str, Any] = {
        k: v for k, v in environ.items()
        if k.startswith("HTTP_") and isinstance(v, str)
        and k not in ("HTTP_AUTHORIZATION", "HTTP_PROXY_AUTHORIZATION")}
    for k in _AUTH_CGI:
        if k in environ:
            out[k] = environ[k]
    out["apache.version"] = APACHE_VERSION
    out["mod_wsgi.version"] = MOD_WSGI_VERSION
    out["mod_wsgi.process_group"] = ""
    out["mod_wsgi.application_group"] = environ.get(
        "mod_wsgi.application_group", "")
    out["mod_wsgi.script_reloading"] = int(
        environ.get("mod_wsgi.script_reloading") == "1")
    out["wsgi.errors"] = environ["wsgi.errors"]
    out["mod_ssl.is_https"] = lambda: int(environ.get("HTTPS") == "on")
    out["mod_ssl.var_lookup"] = _no_ssl_var
    return out


def _no_ssl_var(name: str) -> None:
    """mod_ssl.var_lookup without mod_ssl: every variable is unset."""
    del name


def _check(hook: str, value: object) -> Any:
    """The hook's result as JSON, or TypeError with mod_wsgi's words."""
    if hook == "check_password":
        if value is None or isinstance(value, (bool, str)):
            return value
        raise TypeError("Basic auth provider must return True, False None "
                        "or user name as string")
    if hook == "get_realm_hash":
        if value is None or isinstance(value, str):
            return value
        raise TypeError("Digest auth provider must return None or string "
                        "object")
    if hook == "allow_access":
        if value is None or isinstance(value, bool):
            return value
        raise _Refused("Indicator of host accessibility returned from '%s' "
                       "must a boolean or None.")
    groups: List[str] = []
    try:
        items: Iterator[object] = iter(cast(Iterable[object], value))
    except TypeError:
        raise _Refused("Groups for user returned from '%s' must be an "
                       "iterable sequence of byte strings.") from None
    for item in items:
        if isinstance(item, bytes):
            groups.append(item.decode("latin-1"))
        elif isinstance(item, str):
            try:
                item.encode("latin-1")
            except UnicodeEncodeError:
                raise _Refused(
                    "Groups for user returned from '%s' must be an iterable "
                    "sequence of byte strings, value containing non 'latin-1' "
                    "characters found") from None
            groups.append(item)
        else:
            raise _Refused("Groups for user returned from '%s' must be an "
                           "iterable sequence of byte strings.")
    return groups


class _Refused(Exception):
    """A result mod_wsgi rejects with its own log line (not a traceback)."""


def auth_app(env: Dict[str, Any], log: Log, sid: int
             ) -> Callable[[Dict[str, Any], StartResponse], List[bytes]]:
    """A WSGI callable answering one auth hook call for this request."""
    hook = env.pop(AUTH_KEY)
    script = env.pop("tswsgi.auth.script", "")
    args = {name: env.pop("tswsgi.auth." + name, "")
            for name in ("user", "password", "realm", "host")}
    reloading = env.get("mod_wsgi.script_reloading") == "1"
    pid = os.getpid()

    def traceback_log() -> None:
        log(sid, 3, "mod_wsgi (pid=%d): Exception occurred processing WSGI "
            "script '%s'.\n%s" % (pid, script,
                                  traceback.format_exc().rstrip("\n")))

    def answer(start_response: StartResponse, doc: Dict[str, Any]
               ) -> List[bytes]:
        body = json.dumps(doc).encode("utf-8")
        start_response("200 OK", [("Content-Type", "application/json"),
                                  ("Content-Length", str(len(body)))])
        return [body]

    def app(environ: Dict[str, Any], start_response: StartResponse
            ) -> List[bytes]:
        spec = _HOOKS.get(hook)
        if spec is None:
            log(sid, 3, "unknown auth hook %r" % (hook,))
            return answer(start_response, {"error": True})
        names, missing = spec
        try:
            module: Any = loader.load_script(script, reloading)
        except BaseException:
            log(sid, 3, (
                "mod_wsgi (pid=%d): Failed to exec Python script file '%s'.\n"
                "mod_wsgi (pid=%d): Exception occurred processing WSGI script "
                "'%s'.\n%s" % (pid, script, pid, script,
                               traceback.format_exc().rstrip("\n"))))
            return answer(start_response, {"error": True})
        func = getattr(module, hook, None)
        if func is None:
            log(sid, 3, "mod_wsgi (pid=%d): Target WSGI %s" % (
                pid, missing % script))
            return answer(start_response, {"error": True})
        vars_ = auth_environ(environ)
        try:
            call_args = [vars_] + [
                args[n] if n == "host" else _utf8(args[n]) for n in names]
            result = _check(hook, func(*call_args))
        except _Refused as exc:
            log(sid, 3, "mod_wsgi (pid=%d): %s" % (pid, str(exc) % script))
            return answer(start_response, {"error": True})
        except BaseException:
            traceback_log()
            return answer(start_response, {"error": True})
        finally:
            environ["wsgi.errors"].flush()
        return answer(start_response, {"result": result})

    return app
