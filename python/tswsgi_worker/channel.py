"""The fd-3 channel: atomic, ordered frame writes from many threads.

mod_wsgi counterpart: none directly (mod_wsgi writes to one socket per
request, wsgi_daemon.c); here every request shares one stream, so all frame
writes go through one ``Channel``. Split out of worker.py.
"""

from __future__ import annotations

import socket
import threading
from typing import List, Sequence, Union, cast

# What send() takes: one buffer, or several sent in order (large body data goes as a
# memoryview of the app's bytes next to its frame header: no copy in Python).
Buffers = Union[bytes, memoryview, Sequence[Union[bytes, memoryview]]]

# At most this many buffers per sendmsg (Linux IOV_MAX is 1024).
_IOV_BATCH = 512

# A thread that has relayed this many bytes of other threads' frames hands the rest to the
# relay thread and goes back to its own request.
_RELAY_HANDOFF = 262144

from .protocol import LOG, encode_frame


class Channel:
    """The fd-3 socket: atomic, ordered frame writes, LOG helper.

    Writes are combined: a thread that finds another one mid-sendall leaves
    its bytes in the queue and returns; the sending thread takes everything
    queued before it stops. Under load many responses leave in one syscall,
    and ordering is the order of send() calls, so a stream's frames never
    reorder.

    A sender is not kept relaying for ever: past _RELAY_HANDOFF bytes of
    other threads' frames it hands the role to a relay thread (started on
    first need) and returns. Before that, a thread could spend a second
    relaying other streams' 256 KiB windows while its own response stalled:
    most of the 1 MiB GET p99 tail (0.3-0.9 s at wrk -c28).
    """

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._queue: List[Union[bytes, memoryview]] = []
        self._sending = False
        self._relay: "threading.Thread | None" = None
        self._relay_go = threading.Condition(self._lock)
        self._relaying = False  # the relay thread holds the sender role
        self._drainers = 0  # threads in drain(): only then is _idle notified
        self.dead = False

    def send(self, data: Buffers) -> None:
        parts: List[Union[bytes, memoryview]]
        if isinstance(data, (bytes, memoryview)):
            parts = [cast("Union[bytes, memoryview]", data)]
        else:
            parts = list(data)
        lock = self._lock
        with lock:
            if self._sending:
                self._queue.extend(parts)
                return
            self._sending = True
        self._send_loop(parts, relay=False)

    def _send_loop(self, parts: List[Union[bytes, memoryview]], relay: bool) -> None:
        """Send ``parts``, then whatever others queued meanwhile (caller holds
        the sender role). A thread that is not the relay hands over once it has
        relayed _RELAY_HANDOFF bytes for others."""
        lock = self._lock
        sock = self.sock
        relayed = 0  # bytes of other threads sent by this call
        try:
            while True:
                if not self.dead:
                    try:
                        if len(parts) == 1:
                            sock.sendall(parts[0])
                        else:
                            _sendall_parts(sock, parts)
                    except OSError:
                        self.dead = True  # front end gone; reader sees EOF
                with lock:
                    queued = self._queue
                    if not queued:
                        self._sending = False
                        self._relaying = False
                        self._notify_idle()
                        return
                    if not relay and relayed >= _RELAY_HANDOFF:
                        self._relaying = True  # keeps _sending: others go on queueing
                        self._start_relay()
                        self._relay_go.notify()
                        return
                    self._queue = []
                parts = queued
                for p in parts:
                    relayed += len(p)
        except BaseException:
            with lock:
                self._sending = False
                self._relaying = False
                self._notify_idle()
            raise

    def _start_relay(self) -> None:
        """Start the relay thread once (caller holds the lock)."""
        if self._relay is None:
            self._relay = threading.Thread(target=self._relay_main, name="tswsgi-relay",
                                           daemon=True)
            self._relay.start()

    def _relay_main(self) -> None:
        while True:
            with self._lock:
                while not self._relaying:
                    self._relay_go.wait()
                parts = self._queue
                self._queue = []
            if parts:
                self._send_loop(parts, relay=True)
            else:
                with self._lock:
                    self._sending = False
                    self._relaying = False
                    self._notify_idle()

    def _notify_idle(self) -> None:
        """Wake drain() callers (caller holds the lock); nobody waiting: nothing to do."""
        if self._drainers:
            self._idle.notify_all()

    def drain(self, timeout: float) -> None:
        """Wait until every queued frame has been written (or timeout)."""
        with self._idle:
            self._drainers += 1
            try:
                self._idle.wait_for(lambda: not self._sending, timeout)
            finally:
                self._drainers -= 1

    def log(self, stream: int, level: int, message: str) -> None:
        payload = bytes((level,)) + message.encode("utf-8", "backslashreplace")
        self.send(encode_frame(LOG, stream, payload[:16 * 1024 * 1024]))


def _sendall_parts(sock: socket.socket,
                   parts: List[Union[bytes, memoryview]]) -> None:
    """sendall over several buffers: sendmsg (scatter/gather), resumed after
    partial writes. Empty buffers are dropped (a sendmsg of only those would
    return 0 for ever)."""
    parts = [p for p in parts if len(p)]
    i = 0
    while i < len(parts):
        sent = sock.sendmsg(parts[i:i + _IOV_BATCH])
        while sent > 0:
            first = parts[i]
            if sent >= len(first):
                sent -= len(first)
                i += 1
            else:
                parts[i] = memoryview(first)[sent:]
                sent = 0
