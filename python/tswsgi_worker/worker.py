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

A stop the worker decides by itself (reload-on-changes, cpu-time-limit) is a
handshake, so no request is refused: the worker sends ERROR on stream 0
("503 " + why), keeps serving every REQUEST until the front end's SHUTDOWN
(which the front end sends after the last REQUEST it routed here), then
drains and exits. Its own shutdown-timeout bounds the wait.
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

from .channel import Channel
from .embedded import APACHE_VERSION, MOD_WSGI_VERSION, Embedded
from .protocol import (
    ABORT, DATA, EOF, ERROR, FLAG_BODY, FLAG_NULSEP, HELLO, METRICS, METRICS_QUERY, PING,
    PONG, REQUEST, RESP_WINDOW, SHUTDOWN, WINDOW, FrameDecoder, ProtocolError, decode_environ, decode_u32,
    encode_frame, encode_u32,
)
from .handling import RequestHandling, now_us
from .response import Stream
from .wrapper import FileWrapper

# Worker-initiated graceful stops (reloadOnChanges) drain this long unless
# the config says otherwise: mod_wsgi's shutdown-timeout default.
DEFAULT_SHUTDOWN_TIMEOUT = 5.0


# The channel's read buffer (_read_loop): what one read can take in.
_READ_BUFFER = 1 << 20


class Worker(RequestHandling):
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
        # The Condition for waits, its lock for plain updates: `with` on a Condition runs
        # two Python-level methods; on the lock itself, none.
        self._state_lock = threading.RLock()
        self._state = threading.Condition(self._state_lock)
        self._active = 0
        self._stopping = False      # SHUTDOWN received or channel EOF
        self._draining = False      # decided to stop by itself; SHUTDOWN pending
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
        chan = self.chan
        # server_metrics() may ask the front end once answers can be read.
        self.embedded.metrics.query = lambda token: chan.send(
            encode_frame(METRICS_QUERY, 0, encode_u32(token)))
        reader.start()
        with self._state:
            while not (self._stopping and self._active == 0):
                timeout = None
                if self._deadline is not None:
                    timeout = self._deadline - time.monotonic()
                    if timeout <= 0:
                        # Idle at the deadline (a self-decided stop whose SHUTDOWN
                        # never came) is a clean stop; busy threads are cut off.
                        self.timed_out = self._active > 0
                        break
                self._state.wait(timeout)
        return self.exit_code

    def _read_loop(self) -> None:
        dec = FrameDecoder()
        recv_into = self.chan.sock.recv_into
        # One reused buffer: a read takes all the front end has sent, up to 1 MiB (several
        # requests, or a request and its body), without a new bytes object per read. The
        # decoder copies each payload out (bytes), so the buffer can be read into again.
        buf = bytearray(_READ_BUFFER)
        view = memoryview(buf)
        try:
            while True:
                try:
                    n = recv_into(buf)
                except OSError:
                    n = 0
                if not n:
                    break
                for ftype, sid, payload in dec.feed(view[:n]):
                    self._dispatch(ftype, sid, payload)
        except ProtocolError as exc:
            print("tswsgi worker: protocol error from front end: %s" % exc,
                  file=sys.__stderr__)
            self.exit_code = 1
        except Exception:
            traceback.print_exc(file=sys.__stderr__)
            self.exit_code = 1
        self.embedded.metrics.cancel()  # nobody left to answer server_metrics()
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
        elif ftype == METRICS:
            self.embedded.metrics.answer(payload)
        elif ftype == SHUTDOWN:
            self._begin_shutdown(decode_u32(payload) / 1000.0, "shutdown_signal")
        # Worker-bound frame types (0x8_) arriving here are ignored.

    def _on_request(self, sid: int, payload: bytes) -> None:
        if not payload:
            raise ProtocolError("bad-payload", "REQUEST without flags")
        flags = payload[0]
        env = decode_environ(payload, 1, bool(flags & FLAG_NULSEP))
        if env.get("mod_wsgi.process_group",
                   self._defaults["mod_wsgi.process_group"]):
            # wsgi_hook_daemon_handler: the daemon's receipt time, in integer µs.
            env.setdefault("mod_wsgi.daemon_start", now_us())
        if self._stopping:
            self.chan.send(encode_frame(
                ERROR, sid, b"503 worker is shutting down"))
            return
        chan = self.chan

        def grant(n: int) -> None:
            chan.send(encode_frame(RESP_WINDOW, sid, encode_u32(n)))

        st = Stream(sid, env, bool(flags & FLAG_BODY), grant)
        self.streams[sid] = st
        with self._state_lock:
            self._active += 1
        self.queue.put(st)

    def request_restart(self, path: str) -> None:
        """reloadOnChanges saw ``path`` change: drain and stop (see stop_by_itself)."""
        self.chan.log(0, 5, "tswsgi: file '%s' changed, restarting daemon "
                      "process (pid %d)" % (path, os.getpid()))
        self.stop_by_itself(float(self.config.get(
            "shutdownTimeout", DEFAULT_SHUTDOWN_TIMEOUT)), "reload_on_changes")

    def stop_by_itself(self, timeout: float, reason: str) -> None:
        """Tell the front end this process is stopping (ERROR on stream 0) and
        keep serving until its SHUTDOWN, or until ``timeout`` seconds pass."""
        with self._state:
            if self._stopping or self._draining:
                return
            self._draining = True
            self.shutdown_reason = reason
            self._deadline = time.monotonic() + timeout
            self._state.notify_all()
        self.chan.send(encode_frame(
            ERROR, 0, ("503 %s" % reason).encode("utf-8")))

    def _begin_shutdown(self, timeout: float, reason: str) -> None:
        with self._state:
            if not self._stopping and not self._draining:
                self.shutdown_reason = reason
            self._stopping = True
            deadline = time.monotonic() + timeout
            if self._deadline is None or deadline < self._deadline:
                self._deadline = deadline
            self._state.notify_all()

    def request_finished(self, thread_id: int) -> None:
        self._thread_requests[thread_id] = (
            self._thread_requests.get(thread_id, 0) + 1)
        with self._state_lock:
            self._total_requests += 1

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
                with self._state_lock:
                    self._active -= 1
                    if self._stopping and self._active == 0:
                        self._state.notify_all()


def send_hello(chan: Channel, info: Dict[str, Any]) -> None:
    """HELLO: the worker is booted and preloaded."""
    chan.send(encode_frame(HELLO, 0, json.dumps(info).encode("utf-8")))


