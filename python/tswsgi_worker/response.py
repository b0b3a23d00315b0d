"""start_response, write() and the response body, as START/DATA/END frames.

mod_wsgi counterpart: src/server/wsgi_adapter.c (Adapter_start_response,
Adapter_output, Adapter_run) with wsgi_convert.c / wsgi_validate.c for the
status line and header checks. Rules (PEP 3333, mod_wsgi flavour):

* start_response may be called again before any body output (replaces);
  after output it needs exc_info, which is re-raised; without it,
  RuntimeError. It returns write(), whose output precedes the iterable's.
* Headers are sent with the first non-empty body block, or at the end.
* Body items must be bytes. An app Content-Length is authoritative: never
  more than declared is sent; a shortfall ends the stream with ERROR so the
  front end makes the truncation visible. An invalid value is a ValueError
  raised when the headers go out (500 if nothing was sent).
* Frames are coalesced: for a list/tuple result START + DATA... + END leave
  in one sendall; other iterables and write() flush every block.
"""

from __future__ import annotations

import re
import threading
from typing import Any, Callable, Dict, List, NoReturn, Optional, Tuple, Union, cast

from .channel import Buffers
from .input import RequestInput

from .protocol import (
    END, ERROR, INITIAL_WINDOW, RESP_DATA, START, encode_frame, encode_header,
    encode_strlist,
)

# A code, a space, then the reason (maybe empty): mod_wsgi refuses a bare "200".
_STATUS_RE = re.compile(r"[0-9]{3} [^\x00-\x1f\x7f]*\Z")
_CTL_RE = re.compile(r"[\x00-\x1f\x7f]")
_COALESCE_LIMIT = 65536
# Body data at least this large is sent from the app's own buffer (sendmsg), not copied.
_ZERO_COPY_MIN = 16384
# Statuses / methods whose body is legitimately shorter than Content-Length.
_NO_BODY_STATUS = ("1", "204", "304")

WRITE_ABORTED = "mod_wsgi client connection closed"


class Stream:
    """Per-request state shared by the frame reader and the app thread."""

    __slots__ = ("sid", "environ", "input", "credit", "lock", "cond", "aborted")

    def __init__(self, sid: int, environ: Dict[str, str], has_body: bool,
                 grant: Optional[Callable[[int], None]] = None) -> None:
        self.sid = sid
        self.environ = environ
        # One condition for both directions: fewer objects per request. Over an RLock
        # (Condition's default): over a plain Lock, Condition.__init__ raised and caught
        # three AttributeErrors (_release_save, _acquire_restore, _is_owned) per request.
        # The lock alone for plain updates (no Python-level Condition methods).
        self.lock = lock = threading.RLock()
        self.cond = cond = threading.Condition(lock)
        self.input = RequestInput(has_body, grant, cond, lock)
        self.credit = INITIAL_WINDOW
        self.aborted = False

    def grant(self, n: int) -> None:
        with self.cond:
            self.credit += n
            self.cond.notify_all()

    def abort(self) -> None:
        self.input.abort()
        with self.cond:
            self.aborted = True
            self.cond.notify_all()


def validate_status(status: object) -> bytes:
    if not isinstance(status, str):
        raise TypeError("status line must be str, not %s" % type(status).__name__)
    if not _STATUS_RE.match(status):
        if not (status[:3].isascii() and status[:3].isdigit()) or (
                status[3:4].isdigit()):
            raise ValueError("status code is not a 3 digit integer: %r" % status)
        if status[3:4] != " ":
            raise ValueError("no space following status code: %r" % status)
        raise ValueError("control character present in reason phrase: %r"
                         % status)
    return _latin1(status, "status line")


def _latin1(value: str, what: str) -> bytes:
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError:
        raise ValueError("%s must be encodable as latin-1: %r" % (what, value)
                         ) from None


def validate_headers(headers: object) -> Tuple[List[Tuple[str, str]], List[bytes]]:
    """The headers, and their names and values as latin-1 bytes (START's items: encoded
    once, here, where an unencodable one has to be refused anyway)."""
    if type(headers) is not list:
        raise TypeError("headers must be a list, not %s" % type(headers).__name__)
    items: List[Any] = headers  # pyright: ignore[reportUnknownVariableType]
    encoded: List[bytes] = []
    append = encoded.append
    for header in items:
        if type(header) is not tuple or len(header) != 2:  # pyright: ignore
            _bad_header_shape(header)
        name, value = header  # pyright: ignore[reportUnknownVariableType]
        if type(name) is not str or type(value) is not str:
            _bad_header_types(name, value)
        # One scan for every character a name may not hold (the message says which).
        if not name or _BAD_NAME_RE.search(name):
            _bad_header_name(name)
        if "\r" in value or "\n" in value:
            raise ValueError("carriage return/line feed character present in "
                             "header value: %r" % value)
        try:
            append(name.encode("latin-1"))
            append(value.encode("latin-1"))
        except UnicodeEncodeError:
            _latin1(name, "header name")
            _latin1(value, "header value")
    return list(items), encoded


# A control character, a space or a colon: not in a header name.
_BAD_NAME_RE = re.compile(r"[\x00-\x20:\x7f]")


def _bad_header_shape(header: object) -> NoReturn:
    if type(header) is not tuple:
        raise TypeError("each header must be a 2-tuple, not %s" % type(header).__name__)
    raise ValueError("each header must be a 2-tuple, got length %d"
                     % len(cast("Tuple[object, ...]", header)))


def _bad_header_types(name: object, value: object) -> NoReturn:
    if type(name) is not str:
        raise TypeError("header name must be str, not %s" % type(name).__name__)
    raise TypeError("header value must be str, not %s" % type(value).__name__)


def _bad_header_name(name: str) -> NoReturn:
    if not name:
        raise ValueError("header name is empty")
    if _CTL_RE.search(name):
        raise ValueError("control character present in header name: %r" % name)
    if " " in name:
        raise ValueError("space character present in header name: %r" % name)
    raise ValueError("colon character present in header name: %r" % name)


class Response:
    """The response side of one request (one app thread owns it)."""

    def __init__(self, send: Any, stream: Stream, method: str) -> None:
        self._send = send              # callable(bytes): one atomic sendall
        self._st = stream
        self._method = method
        self.status: Optional[str] = None
        self.headers: List[Tuple[str, str]] = []
        self._status_line = b""
        self._encoded: List[bytes] = []  # the headers' names and values, latin-1
        self.started = False           # START is queued/sent
        self.content_length: Optional[int] = None
        self.produced = 0              # body bytes the app produced
        self.coalesce = False
        self._pending: List[Union[bytes, memoryview]] = []
        self._pending_size = 0
        self._pending_large = False  # _pending holds an app buffer queued uncopied

    # -- the WSGI callables --------------------------------------------------

    def start_response(self, status: str, headers: List[Tuple[str, str]],
                       exc_info: Any = None) -> Any:
        if exc_info is not None:
            info = cast(Tuple[Any, ...], exc_info) if type(exc_info) is tuple else ()
            if len(info) != 3:
                raise RuntimeError("start_response() argument 'exc_info' must "
                                   "be a 3-tuple or None")
            if self.started:
                try:
                    raise info[1].with_traceback(info[2])
                finally:
                    # PEP 3333: avoid the reference cycle
                    exc_info = None
                    info = ()
        elif self.started:
            raise RuntimeError("start_response() called more than once "
                               "without exc_info")
        status_line = validate_status(status)
        self.headers, self._encoded = validate_headers(headers)
        self._status_line = status_line
        self.status = status
        return self.write

    def write(self, data: bytes) -> None:
        if self.status is None:
            raise RuntimeError("start_response() must be called before "
                               "response content is produced")
        if type(data) is not bytes:
            raise TypeError("expected byte string object for write(), value "
                            "of type %s found" % type(data).__name__)
        if self._st.aborted:
            raise OSError(WRITE_ABORTED)
        if data:
            self.output(data)
        self.flush()

    # -- output --------------------------------------------------------------

    def _queue(self, frame: Union[bytes, memoryview]) -> None:
        self._pending.append(frame)
        self._pending_size += len(frame)

    def _queue_data(self, sid: int, data: Union[bytes, memoryview]) -> None:
        """RESP_DATA for ``data``: small payloads copied behind their header
        (one buffer), large ones queued as they are (the app's bytes are
        immutable, so the channel can send them later without a copy)."""
        n = len(data)
        if n < _ZERO_COPY_MIN:
            self._queue(encode_header(RESP_DATA, sid, n) + data)
        else:
            self._queue(encode_header(RESP_DATA, sid, n))
            self._queue(data)
            self._pending_large = True

    def flush(self) -> None:
        if self._pending:
            data = self.take_pending()
            self._send(data)

    def start(self, extra_cl: Optional[int] = None) -> None:
        """Queue START; validates Content-Length as mod_wsgi does then."""
        if self.status is None:
            raise RuntimeError("start_response() must be called before "
                               "response content is produced")
        items = [self._status_line]
        items += self._encoded
        cl: Optional[int] = None
        for name, value in self.headers:
            if len(name) == 14 and name.lower() == "content-length":
                text = value.strip()
                if not (text.isascii() and text.isdigit()):
                    raise ValueError("invalid Content-Length header value: '%s'"
                                     % value)
                cl = int(text)
        if cl is None and extra_cl is not None:
            cl = extra_cl
            items.append(b"Content-Length")
            items.append(str(extra_cl).encode("ascii"))
        self.content_length = cl
        self.started = True
        self._queue(encode_frame(START, self._st.sid, encode_strlist(items)))

    def output(self, data: bytes) -> bool:
        """Send body bytes; False once the client is gone (stop producing)."""
        if not self.started:
            self.start()
        n = len(data)
        self.produced += n
        cl = self.content_length
        if cl is not None:
            room = cl - (self.produced - n)
            if room <= 0:
                return not self._st.aborted
            if n > room:
                data = data[:room]
                n = room
        st = self._st
        if st.aborted:
            return False
        sid = st.sid
        if n <= st.credit and n <= INITIAL_WINDOW:
            # Fast path: fits the window; credit is only ever raised by the
            # reader, so reading it unlocked and lowering it locked is safe.
            with st.lock:
                st.credit -= n
            self._queue_data(sid, data)
            if not self.coalesce or self._pending_size >= _COALESCE_LIMIT:
                self.flush()
            return True
        view = memoryview(data)
        pos = 0
        while pos < n:
            with st.cond:
                while st.credit <= 0 and not st.aborted:
                    if self._pending:
                        st.cond.release()
                        try:
                            self.flush()
                        finally:
                            st.cond.acquire()
                        continue
                    st.cond.wait()
                if st.aborted:
                    return False
                take = min(st.credit, n - pos, INITIAL_WINDOW)
                st.credit -= take
            self._queue_data(sid, view[pos:pos + take])
            pos += take
            if not self.coalesce or self._pending_size >= _COALESCE_LIMIT:
                self.flush()
        return True

    def finish(self, extra_cl: Optional[int] = None) -> Buffers:
        """The final frames (pending + END, or + ERROR on a short body)."""
        if not self.started:
            self.start(extra_cl)
        cl = self.content_length
        sid = self._st.sid
        if (cl is not None and self.produced < cl and not self._st.aborted
                and self._method != "HEAD"
                and not (self.status or "").startswith(_NO_BODY_STATUS)):
            msg = ("500 response truncated: Content-Length %d but %d bytes "
                   "produced" % (cl, self.produced))
            self._queue(encode_frame(ERROR, sid, msg.encode("utf-8")))
        else:
            self._queue(encode_frame(END, sid))
        return self.take_pending()

    def fail(self, message: str) -> Buffers:
        """The final frames for a failed response (pending + ERROR)."""
        self._queue(encode_frame(ERROR, self._st.sid, message.encode("utf-8")))
        return self.take_pending()

    def take_pending(self) -> Buffers:
        """Everything queued, for one Channel.send: joined into one bytes
        unless it holds a large payload (then the list, sent by sendmsg)."""
        pending = self._pending
        large = self._pending_large
        self._pending = []
        self._pending_size = 0
        self._pending_large = False
        if len(pending) == 1:
            return pending[0]
        return pending if large else b"".join(pending)
