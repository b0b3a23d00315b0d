"""The worker loop: one frame reader, a pool of app threads, one writer lock.

mod_wsgi counterpart: src/server/wsgi_daemon.c (daemon process main loop,
worker threads, shutdown) + wsgi_execute.c (wsgi_execute_script). Shape after
gunicorn's workers (STYLE.md do-7): the reader only decodes and dispatches;
REQUEST puts a Stream on a queue served by ``threads`` threads; every socket
write goes through channel.Channel, so frames never interleave.

ERROR payload convention (read by the front end, src/wsgi/dispatch.ts): the
message starts with the HTTP status the front end should answer when no START
was sent: "404 " when the script does not exist or lacks the callable
(mod_wsgi answers 404 there, WSGI0089), "503 " for a REQUEST refused while
shutting down, "500 " for everything else.
"""

from __future__ import annotations

import json
import os
import queue
import socket
import sys
import threading
import time
import traceback
from typing import Any, Dict, Optional

from . import errors as errmod
from . import loader
from .channel import Channel
from .embedded import APACHE_VERSION, MOD_WSGI_VERSION, Embedded
from .protocol import (
    ABORT, DATA, EOF, ERROR, FLAG_BODY, HELLO, PING, PONG, REQUEST, RESP_WINDOW,
    SHUTDOWN, WINDOW, FrameDecoder, ProtocolError, decode_environ, decode_u32,
    encode_frame, encode_u32,
)
from .response import Response, Stream
from .wrapper import FileWrapper

# Worker-initiated graceful stops (reloadOnChanges) drain this long unless
# the config says otherwise: mod_wsgi's shutdown-timeout default.
DEFAULT_SHUTDOWN_TIMEOUT = 5.0
_UTF8_KEYS = ("SCRIPT_FILENAME", "DOCUMENT_ROOT")
_FILE_CHUNK = 262144


def _now_us() -> str:
    """apr_time_now() as mod_wsgi puts it in the environ: integer µs, a str."""
    return str(time.time_ns() // 1000)


class Worker:
    """Serves REQUEST streams until SHUTDOWN or EOF on the channel."""

    def __init__(self, sock: socket.socket, config: Dict[str, Any],
                 embedded: Optional[Embedded] = None) -> None:
        self.chan = Channel(sock)
        self.config = config
        self.embedded = embedded or Embedded(config)
        self.embedded.log = self.chan.log
        self.shutdown_reason = "channel_eof"
        self.nthreads = max(1, int(config.get("threads", 15)))
        self.streams: Dict[int, Stream] = {}
        self.queue: "queue.SimpleQueue[Optional[Stream]]" = queue.SimpleQueue()
        self._state = threading.Condition()
        self._active = 0
        self._stopping = False      # SHUTDOWN received or channel EOF
        self._deadline: Optional[float] = None
        self.exit_code = 0
        self.timed_out = False
        # mod_wsgi.total_requests / mod_wsgi.thread_requests: requests this process
        # (thread) finished before the current one (wsgi_total_requests and the
        # thread handle's request_count, both bumped when a request ends).
        self._total_requests = 0
        self._thread_requests: Dict[int, int] = {}
        self._wsgi_static = {
            "wsgi.version": (1, 0),
            "wsgi.multithread": bool(config.get("multithread", self.nthreads > 1)),
            "wsgi.multiprocess": bool(config.get("multiprocess", False)),
            "wsgi.run_once": bool(config.get("runOnce", False)),
            "wsgi.input_terminated": True,
            "wsgi.file_wrapper": FileWrapper,
            "mod_wsgi.version": MOD_WSGI_VERSION,
            "apache.version": APACHE_VERSION,
        }
        self._defaults = {
            "mod_wsgi.process_group": str(config.get("processGroup", "")),
            "mod_wsgi.application_group": str(config.get("applicationGroup", "")),
            "wsgi.url_scheme": "http",
        }

    # -- running -------------------------------------------------------------

    def run(self) -> int:
        """Start threads, read frames; returns the exit code."""
        for i in range(self.nthreads):
            t = threading.Thread(target=self._serve, args=(i + 1,),
                                 name="tswsgi-worker-%d" % (i + 1), daemon=True)
            t.start()
        reader = threading.Thread(target=self._read_loop, name="tswsgi-reader",
                                  daemon=True)
        reader.start()
        with self._state:
            while not (self._stopping and self._active == 0):
                timeout = None
                if self._deadline is not None:
                    timeout = self._deadline - time.monotonic()
                    if timeout <= 0:
                        self.timed_out = True
                        break
                self._state.wait(timeout)
        return self.exit_code

    def _read_loop(self) -> None:
        dec = FrameDecoder()
        recv = self.chan.sock.recv
        try:
            while True:
                try:
                    data = recv(262144)
                except OSError:
                    data = b""
                if not data:
                    break
                for ftype, sid, payload in dec.feed(data):
                    self._dispatch(ftype, sid, payload)
        except ProtocolError as exc:
            print("tswsgi worker: protocol error from front end: %s" % exc,
                  file=sys.__stderr__)
            self.exit_code = 1
        except Exception:
            traceback.print_exc(file=sys.__stderr__)
            self.exit_code = 1
        with self._state:
            self._stopping = True
            for st in list(self.streams.values()):
                st.abort()  # nobody left to send them to
            self._state.notify_all()

    def _dispatch(self, ftype: int, sid: int, payload: bytes) -> None:
        if ftype == REQUEST:
            self._on_request(sid, payload)
            return
        if ftype == DATA:
            st = self.streams.get(sid)
            if st is not None:
                st.input.feed(payload)
        elif ftype == WINDOW:
            st = self.streams.get(sid)
            if st is not None:
                st.grant(decode_u32(payload))
        elif ftype == EOF:
            st = self.streams.get(sid)
            if st is not None:
                st.input.feed_eof()
        elif ftype == ABORT:
            st = self.streams.get(sid)
            if st is not None:
                st.abort()
        elif ftype == PING:
            self.chan.send(encode_frame(PONG, 0, payload))
        elif ftype == SHUTDOWN:
            self._begin_shutdown(decode_u32(payload) / 1000.0, "shutdown_signal")
        # Worker-bound frame types (0x8_) arriving here are ignored.

    def _on_request(self, sid: int, payload: bytes) -> None:
        if not payload:
            raise ProtocolError("bad-payload", "REQUEST without flags")
        flags = payload[0]
        env = decode_environ(payload, 1)
        if env.get("mod_wsgi.process_group",
                   self._defaults["mod_wsgi.process_group"]):
            # wsgi_hook_daemon_handler: the daemon's receipt time, in integer µs.
            env.setdefault("mod_wsgi.daemon_start", _now_us())
        if self._stopping:
            self.chan.send(encode_frame(
                ERROR, sid, b"503 worker is shutting down"))
            return
        chan = self.chan

        def grant(n: int) -> None:
            chan.send(encode_frame(RESP_WINDOW, sid, encode_u32(n)))

        st = Stream(sid, env, bool(flags & FLAG_BODY), grant)
        self.streams[sid] = st
        with self._state:
            self._active += 1
        self.queue.put(st)

    def request_restart(self, path: str) -> None:
        """reloadOnChanges saw ``path`` change: stop as SHUTDOWN would."""
        self.chan.log(0, 5, "tswsgi: file '%s' changed, restarting daemon "
                      "process (pid %d)" % (path, os.getpid()))
        self._begin_shutdown(float(self.config.get(
            "shutdownTimeout", DEFAULT_SHUTDOWN_TIMEOUT)), "reload_on_changes")

    def _begin_shutdown(self, timeout: float, reason: str) -> None:
        with self._state:
            if not self._stopping:
                self.shutdown_reason = reason
            self._stopping = True
            deadline = time.monotonic() + timeout
            if self._deadline is None or deadline < self._deadline:
                self._deadline = deadline
            self._state.notify_all()

    def _serve(self, thread_id: int) -> None:
        get = self.queue.get
        while True:
            st = get()
            if st is None:
                return
            try:
                self.handle(st, thread_id)
            except BaseException:  # a bug here must not kill the thread
                traceback.print_exc(file=sys.__stderr__)
            finally:
                self._thread_requests[thread_id] = (
                    self._thread_requests.get(thread_id, 0) + 1)
                with self._state:
                    self._total_requests += 1
                    self._active -= 1
                    if self._stopping and self._active == 0:
                        self._state.notify_all()

    # -- one request -----------------------------------------------------------

    def environ(self, st: Stream, errors: errmod.RequestErrors,
                thread_id: int) -> Dict[str, Any]:
        env: Dict[str, Any] = dict(self._defaults)
        env.update(st.environ)
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
        final = b""
        rid: Any = None
        try:
            env = self.environ(st, errors, thread_id)
            rid = env.get("mod_wsgi.request_id") or sid
            emb.active_requests[rid] = data
            resp = Response(chan.send, st, env.get("REQUEST_METHOD", ""))
            app = self._application(env, sid)
            # Adapter_run: set once the script is loaded, just before the call.
            env["mod_wsgi.script_start"] = _now_us()
            if isinstance(app, str):
                final = resp.fail(app)
            elif emb.event_callbacks:
                app, t0 = emb.request_started(env, app, data, thread_id, sid)
                final = self._run(app, env, resp, sid)
                emb.request_finished(env, data, t0, resp.status,
                                     st.input.bytes_read, resp.produced, sid)
            else:
                final = self._run(app, env, resp, sid)
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
            st.input.discard()
            # Forget the id before END leaves: the front end may reuse it as
            # soon as END arrives.
            self.streams.pop(sid, None)
            chan.send(final)

    def _application(self, env: Dict[str, Any], sid: int) -> Any:
        """The WSGI callable, or an ERROR message (str) after logging."""
        script = env.get("SCRIPT_FILENAME", "")
        name = env.get("mod_wsgi.callable_object") or "application"
        reloading = env.get("mod_wsgi.script_reloading") == "1"
        try:
            module = loader.load_script(script, reloading)
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
             sid: int) -> bytes:
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


def send_hello(chan: Channel, info: Dict[str, Any]) -> None:
    """HELLO: the worker is booted and preloaded."""
    chan.send(encode_frame(HELLO, 0, json.dumps(info).encode("utf-8")))


