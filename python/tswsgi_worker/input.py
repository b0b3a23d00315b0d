"""``wsgi.input``: the request body, fed by DATA frames, with flow control.

mod_wsgi counterpart: src/server/wsgi_input.c (``mod_wsgi.Input``):
read([n]), readline([n]), readlines([hint]), iteration and close(); ``b""`` at
EOF, never blocking past the body; read(n) returns n bytes unless the body
ends first. After the client went away reads raise OSError("mod_wsgi request
data read error: ...") and the object stays in that error state.

Flow control (docs/protocol.md): the front end starts with INITIAL_WINDOW of
credit; each time the application has consumed at least half of that since
the last grant, a WINDOW (0x86) frame returns the consumed amount.
"""

from __future__ import annotations

import threading
from collections import deque
from typing import Callable, Deque, Iterator, List, Optional

from .protocol import INITIAL_WINDOW

GRANT_THRESHOLD = INITIAL_WINDOW // 2
READ_ERROR = "mod_wsgi request data read error: client connection closed"


class RequestInput:
    """The body of one request; thread-safe between reader and app thread.

    ``feed``/``feed_eof``/``abort`` are called by the frame reader;
    the read methods by the application thread.
    """

    def __init__(self, has_body: bool,
                 grant: Optional[Callable[[int], None]] = None,
                 cond: Optional[threading.Condition] = None,
                 lock: "Optional[threading.RLock]" = None) -> None:
        # DATA payloads as they came; _off bytes of the first are already read. A read of
        # at least a whole chunk returns that chunk itself (no copy); a bytearray buffer
        # copied every byte in and again out.
        self._chunks: Deque[bytes] = deque()
        self._off = 0
        self._size = 0  # unread bytes
        self._eof = not has_body
        self._aborted = False
        if cond is None:
            lock = threading.RLock()
            cond = threading.Condition(lock)
        self._cond = cond
        # cond's own lock (given with it), for sections that neither wait nor notify.
        self._lock = lock if lock is not None else cond
        self._grant = grant
        self._consumed = 0  # consumed since the last WINDOW grant
        self.bytes_read = 0

    # -- reader side -------------------------------------------------------

    def feed(self, data: bytes) -> None:
        with self._cond:
            if self._eof or self._aborted or not data:
                return
            self._chunks.append(data)
            self._size += len(data)
            self._cond.notify_all()

    def feed_eof(self) -> None:
        with self._cond:
            self._eof = True
            self._cond.notify_all()

    def abort(self) -> None:
        with self._cond:
            self._aborted = True
            self._clear()
            self._cond.notify_all()

    @property
    def aborted(self) -> bool:
        return self._aborted

    # -- application side --------------------------------------------------

    def _clear(self) -> None:
        self._chunks.clear()
        self._off = 0
        self._size = 0

    def _take(self, n: int) -> bytes:
        """Remove up to n buffered bytes, from the first chunk only (caller
        holds the lock and has waited for data)."""
        first = self._chunks[0]
        off = self._off
        left = len(first) - off
        if n >= left:
            data = first if off == 0 else first[off:]
            self._chunks.popleft()
            self._off = 0
        else:
            data = first[off:off + n]
            self._off = off + n
        n = len(data)
        self._size -= n
        self.bytes_read += n
        if not self._eof:
            self._consumed += n
            if self._consumed >= GRANT_THRESHOLD and self._grant is not None:
                grant, self._consumed = self._consumed, 0
                self._grant(grant)
        return data

    def _wait(self) -> None:
        """Block until data, EOF or abort (caller holds the lock)."""
        cond = self._cond
        while not self._size and not self._eof and not self._aborted:
            cond.wait()
        if self._aborted:
            raise OSError(READ_ERROR)

    def read(self, size: Optional[int] = -1) -> bytes:
        if size is None or size < 0:
            parts: List[bytes] = []
            with self._cond:
                while True:
                    self._wait()
                    if not self._size:
                        return b"".join(parts)
                    parts.append(self._take(self._size))
        if not isinstance(size, int):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise TypeError("integer argument expected, got %s"
                            % type(size).__name__)
        if size == 0:
            with self._cond:
                if self._aborted:
                    raise OSError(READ_ERROR)
            return b""
        parts = []
        want = size
        with self._cond:
            while want > 0:
                self._wait()
                if not self._size:
                    break
                chunk = self._take(want)
                parts.append(chunk)
                want -= len(chunk)
        return parts[0] if len(parts) == 1 else b"".join(parts)

    def readline(self, size: Optional[int] = -1) -> bytes:
        limit = -1 if size is None or size < 0 else size
        if limit == 0:
            return b""
        parts: List[bytes] = []
        got = 0
        with self._cond:
            while True:
                self._wait()
                if not self._size:
                    break
                first, off = self._chunks[0], self._off
                nl = first.find(b"\n", off)
                n = len(first) - off if nl < 0 else nl + 1 - off
                if limit >= 0:
                    n = min(n, limit - got)
                chunk = self._take(n)
                parts.append(chunk)
                got += len(chunk)
                if chunk.endswith(b"\n") or (limit >= 0 and got >= limit):
                    break
        return b"".join(parts)

    def readlines(self, hint: Optional[int] = -1) -> List[bytes]:
        lines: List[bytes] = []
        total = 0
        while True:
            line = self.readline()
            if not line:
                break
            lines.append(line)
            total += len(line)
            if hint is not None and 0 < hint <= total:
                break
        return lines

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        line = self.readline()
        if not line:
            raise StopIteration
        return line

    def close(self) -> None:
        """No-op, as in mod_wsgi: the server owns the body."""

    def discard(self) -> None:
        """End of request: drop what is left, take no more DATA."""
        with self._lock:
            self._eof = True
            self._clear()
