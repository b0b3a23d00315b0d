"""wsgi.errors and the sys.stdout / sys.stderr replacements -> LOG frames.

mod_wsgi counterpart: src/server/wsgi_logger.c (the ``Log`` object). As there,
``wsgi.errors`` is a text stream, line-buffered into the error log and flushed
at the end of the request; sys.stdout and sys.stderr are both ``Log`` objects
at level APLOG_ERR (wsgi_interp.c: newLogObject(NULL, APLOG_ERR, "<stdout>")),
so print() output is logged as an error whatever it says. Inside a request
the text is tied to that request (LOG on its stream id, like mod_wsgi adding
the ``[client ...]`` decoration); elsewhere it goes on stream 0.
"""

from __future__ import annotations

import io
import threading
from typing import Callable, Iterable, List, Optional

from .protocol import LOG_ERR

LogFn = Callable[[int, int, str], None]  # (stream id, level, message)

# The stream id of the request the current thread is running (0 = none).
current = threading.local()


def current_stream() -> int:
    return getattr(current, "stream", 0)


def _check_str(s: object) -> str:
    if not isinstance(s, str):
        raise TypeError("write() argument must be str, not %s"
                        % type(s).__name__)
    return s


class _LogTextStream(io.TextIOBase):
    """What both log streams share: a writable UTF-8 text stream of lines."""

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return "utf-8"

    @property
    def errors(self) -> str:  # type: ignore[override]
        return "backslashreplace"

    def writable(self) -> bool:
        return True

    def writelines(self, lines: Iterable[str]) -> None:  # type: ignore[override]
        for line in lines:
            self.write(line)


class RequestErrors(_LogTextStream):
    """``environ['wsgi.errors']`` for one request (PEP 3333 errors stream)."""

    def __init__(self, log: LogFn, stream: int) -> None:
        super().__init__()
        self._log = log
        self._stream = stream
        self._pending = ""
        self._lock = threading.Lock()

    @property
    def name(self) -> str:  # type: ignore[override]
        return "wsgi.errors"

    def write(self, s: str) -> int:  # type: ignore[override]
        s = _check_str(s)
        with self._lock:
            text = self._pending + s
            if "\n" not in text:
                self._pending = text
                return len(s)
            *lines, self._pending = text.split("\n")
        for line in lines:
            self._log(self._stream, LOG_ERR, line)
        return len(s)

    def flush(self) -> None:
        # Nothing held (the usual end of a request, and again from io's finaliser): no lock.
        # A write racing this flush is seen by the next one, as it would be a moment later.
        if not self._pending:
            return
        with self._lock:
            text, self._pending = self._pending, ""
        if text:
            self._log(self._stream, LOG_ERR, text)

    def close(self) -> None:
        # Like mod_wsgi, closing only flushes: the app may not kill the log.
        self.flush()


class _BinaryView(io.RawIOBase):
    """``sys.stdout.buffer``: bytes decoded as UTF-8 into the text writer."""

    def __init__(self, owner: "StdWriter") -> None:
        super().__init__()
        self._owner = owner

    def write(self, b: bytes) -> int:  # type: ignore[override]
        self._owner.write(bytes(b).decode("utf-8", "replace"))
        return len(b)


class StdWriter(_LogTextStream):
    """Replacement for sys.stdout / sys.stderr: lines -> LOG level 3.

    Buffers are per thread, so concurrent print() calls never splice
    partial lines together; a request thread's rest is flushed at the end
    of its request (``flush_thread``).
    """

    def __init__(self, log: LogFn, name: str, restricted: bool = False):
        super().__init__()
        self._log = log
        self._name = name
        self._restricted = restricted
        self._local = threading.local()
        self._buffer = _BinaryView(self)

    @property
    def name(self) -> str:  # type: ignore[override]
        return self._name

    @property
    def buffer(self) -> io.RawIOBase:  # type: ignore[override]
        return self._buffer

    def isatty(self) -> bool:
        return False

    def _restrict(self) -> None:
        if self._restricted:
            # mod_wsgi's WSGIRestrictStdout message (wsgi_restrict.c).
            raise OSError("%s access restricted by mod_wsgi"
                          % self._name.strip("<>").replace("std", "sys.std"))

    def write(self, s: str) -> int:  # type: ignore[override]
        self._restrict()
        s = _check_str(s)
        pending: Optional[str] = getattr(self._local, "pending", None)
        text = pending + s if pending else s
        if "\n" not in text:
            self._local.pending = text
            return len(s)
        *lines, rest = text.split("\n")
        self._local.pending = rest
        stream = current_stream()
        for line in lines:
            self._log(stream, LOG_ERR, line)
        return len(s)

    def flush(self) -> None:
        self.flush_thread()

    def flush_thread(self) -> None:
        """Log this thread's partial line, if any."""
        text: Optional[str] = getattr(self._local, "pending", None)
        if text:
            self._local.pending = ""
            self._log(current_stream(), LOG_ERR, text)

    def close(self) -> None:
        self.flush_thread()


def format_lines(text: str) -> List[str]:
    """Split a multi-line message the way the writers do (for tests)."""
    return text.rstrip("\n").split("\n")
