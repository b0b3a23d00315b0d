"""The fd-3 channel: atomic, ordered frame writes from many threads.

mod_wsgi counterpart: none directly (mod_wsgi writes to one socket per
request, wsgi_daemon.c); here every request shares one stream, so all frame
writes go through one ``Channel``. Split out of worker.py.
"""

from __future__ import annotations

import socket
import threading
from typing import List

from .protocol import LOG, encode_frame


class Channel:
    """The fd-3 socket: atomic, ordered frame writes, LOG helper.

    Writes are combined: a thread that finds another one mid-sendall leaves
    its bytes in the queue and returns; the sending thread takes everything
    queued before it stops. Under load many responses leave in one syscall,
    and ordering is the order of send() calls, so a stream's frames never
    reorder.
    """

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._queue: List[bytes] = []
        self._sending = False
        self.dead = False

    def send(self, data: bytes) -> None:
        lock = self._lock
        with lock:
            if self._sending:
                self._queue.append(data)
                return
            self._sending = True
        sendall = self.sock.sendall
        try:
            while True:
                if not self.dead:
                    try:
                        sendall(data)
                    except OSError:
                        self.dead = True  # front end gone; reader sees EOF
                with lock:
                    queued = self._queue
                    if not queued:
                        self._sending = False
                        self._idle.notify_all()
                        return
                    self._queue = []
                data = queued[0] if len(queued) == 1 else b"".join(queued)
        except BaseException:
            with lock:
                self._sending = False
                self._idle.notify_all()
            raise

    def drain(self, timeout: float) -> None:
        """Wait until every queued frame has been written (or timeout)."""
        with self._idle:
            self._idle.wait_for(lambda: not self._sending, timeout)

    def log(self, stream: int, level: int, message: str) -> None:
        payload = bytes((level,)) + message.encode("utf-8", "backslashreplace")
        self.send(encode_frame(LOG, stream, payload[:16 * 1024 * 1024]))
