"""One request on a worker thread: environ, application call, response.

mod_wsgi counterpart: src/server/mod_wsgi.c (wsgi_build_environment,
Adapter_run, Adapter_output, the wsgi.file_wrapper fast path) +
wsgi_execute.c (wsgi_execute_script). The loop that feeds these methods is
worker.py; ``RequestHandling`` is its mixin, so the state it reads (channel,
stream table, request counters) stays owned by the Worker.

ERROR payload convention: see worker.py.
"""

from __future__ import annotations

import os
import sys
import time
import traceback
from typing import Any, Dict, Optional

from . import errors as errmod
from . import loader
from .channel import Buffers, Channel
from .auth import AUTH_KEY, auth_app
from .dispatch import DISPATCH_KEY, dispatch_app
from .embedded import Embedded
from .protocol import ERROR, encode_frame
from .response import Response, Stream
from .wrapper import FileWrapper

_UTF8_KEYS = ("SCRIPT_FILENAME", "DOCUMENT_ROOT")
_FILE_CHUNK = 262144
SCRIPT_MTIME_KEY = "tswsgi.script_mtime"


def now_us() -> str:
    """apr_time_now() as mod_wsgi puts it in the environ: integer µs, a str."""
    return str(time.time_ns() // 1000)


class RequestHandling:
    """The per-request half of Worker (mixed into it)."""

    # Set by Worker.__init__.
    chan: Channel
    embedded: Embedded
    streams: Dict[int, Stream]
    _defaults: Dict[str, str]
    _wsgi_static: Dict[str, Any]
    _total_requests: int
    _thread_requests: Dict[int, int]

    def request_finished(self, thread_id: int) -> None:
        """Count a finished request (the Worker keeps the counters)."""
        raise NotImplementedError

    def environ(self, st: Stream, errors: errmod.RequestErrors,
                thread_id: int) -> Dict[str, Any]:
        # The decoded environ is this request's own: filled in place, not copied.
        env: Dict[str, Any] = st.environ
        for key, value in self._defaults.items():
            if key not in env:
                env[key] = value
        for key in _UTF8_KEYS:
            value = env.get(key)
            if value is not None and not value.isascii():
                env[key] = value.encode("latin-1").decode(
                    "utf-8", "surrogateescape")
        env.update(self._wsgi_static)
        env["wsgi.input"] = st.input
        env["wsgi.errors"] = errors
        env.setdefault("mod_wsgi.thread_id", thread_id)
        env["mod_wsgi.total_requests"] = self._total_requests
        env["mod_wsgi.thread_requests"] = self._thread_requests.get(thread_id, 0)
        return env

    def handle(self, st: Stream, thread_id: int) -> None:
        sid = st.sid
        chan = self.chan
        errors = errmod.RequestErrors(chan.log, sid)
        cur = errmod.current
        cur.stream = sid
        emb = self.embedded
        data: Dict[str, Any] = {}  # mod_wsgi.request_data()
        cur.request_data = data
        final: Buffers = b""
        rid: Any = None
        metrics = None
        try:
            env = self.environ(st, errors, thread_id)
            rid = env.get("mod_wsgi.request_id") or sid
            emb.active_requests[rid] = data
            if DISPATCH_KEY not in env and AUTH_KEY not in env:
                # wsgi_start_request: dispatch and auth hooks are not requests.
                metrics = emb.metrics
                metrics.start(thread_id)
            resp = Response(chan.send, st, env.get("REQUEST_METHOD", ""))
            app = self._application(env, sid)
            # Adapter_run: set once the script is loaded, just before the call.
            env["mod_wsgi.script_start"] = now_us()
            if isinstance(app, str):
                final = resp.fail(app)
            else:
                # Adapter_run's start_time (read even before request_metrics() is
                # first called: that call's own request is recorded, as mod_wsgi's).
                t_app = time.time()
                if metrics is not None:
                    metrics.called(thread_id)
                if emb.newrelic_config is not None:
                    app = emb.wrap_newrelic(app, env.get("SCRIPT_FILENAME", ""), sid)
                if emb.event_callbacks:
                    app, t0 = emb.request_started(env, app, data, thread_id, sid)
                    final = self._run(app, env, resp, sid)
                    emb.request_finished(env, data, t0, resp.status,
                                         st.input.bytes_read, resp.produced, sid)
                else:
                    final = self._run(app, env, resp, sid)
                if metrics is not None and metrics.enabled:
                    metrics.record_times(env, t_app, time.time())
        except BaseException:
            chan.log(sid, 3, traceback.format_exc().rstrip("\n"))
            final = encode_frame(ERROR, sid, b"500 internal worker error")
        finally:
            errors.flush()
            for s in (sys.stdout, sys.stderr):
                flush_thread = getattr(s, "flush_thread", None)
                if flush_thread is not None:
                    flush_thread()
            cur.stream = 0
            cur.request_data = None
            emb.active_requests.pop(rid, None)
            if metrics is not None:
                metrics.end(thread_id)
            st.input.discard()
            # Forget the id before END leaves: the front end may reuse it as
            # soon as END arrives.
            self.streams.pop(sid, None)
            # Counted before END leaves: a request the front end sends after this one's
            # END must see it in mod_wsgi.total_requests.
            self.request_finished(thread_id)
            chan.send(final)

    def _application(self, env: Dict[str, Any], sid: int) -> Any:
        """The WSGI callable, or an ERROR message (str) after logging."""
        if DISPATCH_KEY in env:
            return dispatch_app(env, self.chan.log, sid)
        if AUTH_KEY in env:
            return auth_app(env, self.chan.log, sid)
        # WSGIHandlerScript: the handler script runs, SCRIPT_FILENAME is its resource.
        handler_script = env.get("mod_wsgi.handler_script") or ""
        script = handler_script or env.get("SCRIPT_FILENAME", "")
        name = env.get("mod_wsgi.callable_object") or "application"
        reloading = env.get("mod_wsgi.script_reloading") == "1"
        # The front end's stat of the script (docs/protocol.md); never shown to the app.
        hint = env.pop(SCRIPT_MTIME_KEY, None)
        mtime_ms = int(hint) if hint is not None and hint.isdigit() else None
        try:
            module = loader.load_script(script, reloading, mtime_ms)
            if handler_script and reloading:
                module = self._handler_reload(module, script, env, sid)
        except loader.ScriptNotFound as exc:
            self.chan.log(sid, 3, str(exc))
            return "404 " + str(exc)
        except BaseException:
            pid = os.getpid()
            self.chan.log(sid, 3, (
                "mod_wsgi (pid=%d): Failed to exec Python script file '%s'.\n"
                "mod_wsgi (pid=%d): Exception occurred processing WSGI script "
                "'%s'.\n%s" % (pid, script, pid, script,
                               traceback.format_exc().rstrip("\n"))))
            return "500 failed to exec Python script file '%s'" % script
        app = loader.find_application(module, name)
        if app is None:
            msg = loader.missing_application_message(script, name)
            self.chan.log(sid, 3, msg)
            return "404 " + msg
        return app

    def _handler_reload(self, module: Any, script: str, env: Dict[str, Any],
                        sid: int) -> Any:
        """wsgi_reload_required: a handler script's optional
        ``reload_required(resource)`` asks for it to be executed again."""
        hook = getattr(module, "reload_required", None)
        if not callable(hook):
            return module
        try:
            again = bool(hook(env.get("SCRIPT_FILENAME", "")))
        except BaseException:
            self.chan.log(sid, 3, (
                "mod_wsgi (pid=%d): Exception occurred processing reload_required "
                "of WSGI handler script '%s'.\n%s" % (
                    os.getpid(), script, traceback.format_exc().rstrip("\n"))))
            return module
        return loader.reload_script(script) if again else module

    def _log_exception(self, sid: int, env: Dict[str, Any]) -> str:
        pid = os.getpid()
        script = env.get("SCRIPT_FILENAME", "")
        exc_info = sys.exc_info()
        exc_type = exc_info[0]
        self.chan.log(sid, 3, (
            "mod_wsgi (pid=%d): Exception occurred processing WSGI script "
            "'%s'.\n%s" % (pid, script, traceback.format_exc().rstrip("\n"))))
        if self.embedded.event_callbacks:
            self.embedded.publish("request_exception", {
                "request_id": env.get("mod_wsgi.request_id"),
                "exc_info": exc_info}, sid)
        # Only the type: the message may hold data the log alone should see.
        return "500 exception in application: %s" % (
            getattr(exc_type, "__name__", "?"),)

    def _run(self, app: Any, env: Dict[str, Any], resp: Response,
             sid: int) -> Buffers:
        try:
            result = app(env, resp.start_response)
        except BaseException:
            return resp.fail(self._log_exception(sid, env))
        error: Optional[str] = None
        try:
            rtype = type(result)  # pyright: ignore[reportUnknownVariableType]
            if rtype is FileWrapper:
                self._send_file(result, resp)
            else:
                # A list/tuple is complete already: coalesce its frames.
                resp.coalesce = rtype is list or rtype is tuple
                output = resp.output
                for item in result:
                    if type(item) is not bytes:
                        _bad_item(item)
                    if item and not output(item):
                        break  # client gone: stop producing (mod_wsgi)
        except BaseException:
            error = self._log_exception(sid, env)
        finally:
            # PEP 3333: close() always, before END leaves (so the front end
            # sees END only once the app is done with the request).
            close = getattr(result, "close", None)
            if close is not None:
                try:
                    close()
                except BaseException:
                    msg = self._log_exception(sid, env)
                    error = error or msg
        if error is None:
            try:
                return resp.finish()
            except BaseException:  # e.g. invalid Content-Length, empty body
                error = self._log_exception(sid, env)
        return resp.fail(error)

    def _send_file(self, wrapper: FileWrapper, resp: Response) -> None:
        remaining = wrapper.file_remaining()
        if remaining is None:
            output = resp.output
            for item in wrapper:
                if type(item) is not bytes:
                    _bad_item(item)
                if item and not output(item):
                    break
            return
        if not resp.started:
            resp.start(extra_cl=remaining)
        cl = resp.content_length
        if cl is not None:
            remaining = min(remaining, max(0, cl - resp.produced))
        read = wrapper.filelike.read
        while remaining > 0:
            data = read(min(_FILE_CHUNK, remaining))
            if not data:
                break
            if type(data) is not bytes:
                _bad_item(data)
            remaining -= len(data)
            if not resp.output(data):
                break


def _bad_item(item: object) -> None:
    raise TypeError("sequence of byte string values expected, value of type "
                    "%s found" % type(item).__name__)
