"""Front end <-> worker wire protocol, version 2 (mirror of docs/protocol.md).

mod_wsgi counterpart: src/server/wsgi_daemon.c + wsgi_remote.c (the child <->
daemon socket protocol), replaced by one framed, multiplexed stream on fd 3.
The TypeScript twin is src/wsgi/protocol/frames.ts; both are checked against
tests/fixtures/wire/vectors.json.

All integers are unsigned big-endian::

     0                   1                   2                   3
     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    +-------------------------------+---------------+---------------+
    |        magic 0x5457 ("TW")    |  version (2)  |     type      |
    +-------------------------------+---------------+---------------+
    |                      stream id (u32)                          |
    +---------------------------------------------------------------+
    |                   payload length (u32)                        |
    +---------------------------------------------------------------+
    |                payload (length bytes) ...                     |
    +---------------------------------------------------------------+

* HEADER_SIZE = 12; a declared length above MAX_PAYLOAD (16 MiB) is rejected
  from the header alone, before any payload is buffered.
* Stream 0 is the process (HELLO, SHUTDOWN, PING/PONG, METRICS_QUERY/METRICS,
  process LOG).
* Types 0x0_ go front end -> worker, 0x8_ worker -> front end.
* strlist = u32 count, then count items of u32 len + raw bytes.
"""

from __future__ import annotations

import struct
from typing import List, Sequence, Tuple

MAGIC = 0x5457
VERSION = 2
HEADER_SIZE = 12
MAX_PAYLOAD = 16 * 1024 * 1024
INITIAL_WINDOW = 1048576
FLAG_BODY = 0x01
# REQUEST flags bit 1: the environ is NUL-separated (k1 NUL v1 NUL k2 ...), split in one C
# call; the front end falls back to a strlist only if an item contains a NUL byte.
FLAG_NULSEP = 0x02

# front end -> worker
REQUEST = 0x01
DATA = 0x02
EOF = 0x03
ABORT = 0x04
WINDOW = 0x05
SHUTDOWN = 0x06
PING = 0x07
METRICS = 0x08
# worker -> front end
HELLO = 0x81
START = 0x82
RESP_DATA = 0x83
END = 0x84
ERROR = 0x85
RESP_WINDOW = 0x86
LOG = 0x87
PONG = 0x88
METRICS_QUERY = 0x89

FRAME_NAMES = {
    REQUEST: "REQUEST", DATA: "DATA", EOF: "EOF", ABORT: "ABORT",
    WINDOW: "WINDOW", SHUTDOWN: "SHUTDOWN", PING: "PING", HELLO: "HELLO",
    START: "START", RESP_DATA: "RESP_DATA", END: "END", ERROR: "ERROR",
    RESP_WINDOW: "RESP_WINDOW", LOG: "LOG", PONG: "PONG",
    METRICS: "METRICS", METRICS_QUERY: "METRICS_QUERY",
}
KNOWN_TYPES = frozenset(FRAME_NAMES)

# LOG levels (syslog numbering, as Apache's APLOG_*).
LOG_ERR = 3
LOG_WARNING = 4
LOG_NOTICE = 5
LOG_INFO = 6
LOG_DEBUG = 7

_HEADER = struct.Struct(">HBBII")
_U32 = struct.Struct(">I")
_pack_header = _HEADER.pack
_unpack_header = _HEADER.unpack_from
_pack_u32 = _U32.pack
_unpack_u32 = _U32.unpack_from

Frame = Tuple[int, int, bytes]


class ProtocolError(Exception):
    """A byte stream that is not valid protocol; ``code`` names the rule.

    Codes: 'bad-magic', 'bad-version', 'too-large', 'unknown-type',
    'bad-payload' (same names as the TypeScript ProtocolError).
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__("%s: %s" % (code, message))
        self.code = code


def encode_frame(ftype: int, stream: int, payload: bytes = b"") -> bytes:
    """One frame as bytes (header + payload)."""
    if len(payload) > MAX_PAYLOAD:
        raise ProtocolError("too-large", "payload of %d bytes" % len(payload))
    return _pack_header(MAGIC, VERSION, ftype, stream, len(payload)) + payload


def encode_header(ftype: int, stream: int, length: int) -> bytes:
    """Just the 12-byte header (callers join it with a payload view)."""
    return _pack_header(MAGIC, VERSION, ftype, stream, length)


def encode_u32(value: int) -> bytes:
    return _pack_u32(value)


def decode_u32(payload: bytes) -> int:
    if len(payload) != 4:
        raise ProtocolError("bad-payload", "expected a u32 payload")
    return _unpack_u32(payload)[0]


# u32 encodings of 0..1023, looked up instead of packed: header names and values are short.
_U32_SMALL = tuple(struct.pack(">I", i) for i in range(1024))


def encode_strlist(items: Sequence[bytes]) -> bytes:
    """Encode a strlist: u32 count then u32 len + bytes per item."""
    small = _U32_SMALL
    n = len(items)
    parts: List[bytes] = [small[n] if n < 1024 else _pack_u32(n)]
    append = parts.append
    for item in items:
        n = len(item)
        append(small[n] if n < 1024 else _pack_u32(n))
        append(item)
    return b"".join(parts)


def decode_strlist(payload: bytes, offset: int = 0) -> List[bytes]:
    """Decode a strlist starting at ``offset``; it must end the payload."""
    end = len(payload)
    if offset + 4 > end:
        raise ProtocolError("bad-payload", "strlist count truncated")
    (count,) = _unpack_u32(payload, offset)
    pos = offset + 4
    out: List[bytes] = []
    append = out.append
    for _ in range(count):
        if pos + 4 > end:
            raise ProtocolError("bad-payload", "strlist item length truncated")
        (n,) = _unpack_u32(payload, pos)
        pos += 4
        if pos + n > end:
            raise ProtocolError("bad-payload", "strlist item truncated")
        append(payload[pos:pos + n])
        pos += n
    if pos != end:
        raise ProtocolError("bad-payload", "trailing bytes after strlist")
    return out


def decode_environ(payload: bytes, offset: int = 0,
                   nulsep: bool = False) -> "dict[str, str]":
    """A strlist of [k1, v1, k2, v2, ...] as a dict of latin-1 str.

    The hot path of every REQUEST: the payload is decoded to str once
    (latin-1 maps byte i to char i, so byte offsets are char offsets).
    """
    if nulsep:
        if len(payload) == offset:
            return {}
        parts = payload[offset:].decode("latin-1").split("\0")
        if len(parts) & 1:
            raise ProtocolError("bad-payload", "odd number of environ items")
        it = iter(parts)
        return dict(zip(it, it))
    text = payload.decode("latin-1")
    end = len(payload)
    unpack = _unpack_u32
    try:
        (count,) = unpack(payload, offset)
        if count & 1:
            raise ProtocolError("bad-payload", "odd number of environ items")
        pos = offset + 4
        env: "dict[str, str]" = {}
        for _ in range(count >> 1):
            (n,) = unpack(payload, pos)
            pos += 4
            key = text[pos:pos + n]
            pos += n
            (n,) = unpack(payload, pos)
            pos += 4
            env[key] = text[pos:pos + n]
            pos += n
    except struct.error:
        raise ProtocolError("bad-payload", "strlist truncated") from None
    if pos != end:
        raise ProtocolError("bad-payload", "strlist length mismatch")
    return env


def check_header(magic: int, version: int, ftype: int, length: int) -> None:
    """Raise ProtocolError unless a decoded header is acceptable."""
    if magic != MAGIC:
        raise ProtocolError("bad-magic", "magic 0x%04x" % magic)
    if version != VERSION:
        raise ProtocolError("bad-version", "version %d" % version)
    if ftype not in KNOWN_TYPES:
        raise ProtocolError("unknown-type", "type 0x%02x" % ftype)
    if length > MAX_PAYLOAD:
        raise ProtocolError("too-large", "declared length %d" % length)


class FrameDecoder:
    """Incremental decoder: ``feed(bytes)`` returns the complete frames.

    The header is validated as soon as its 12 bytes are in, so an oversized
    length is refused before the payload is buffered. After a ProtocolError
    the decoder stays failed (the stream is unusable).
    """

    __slots__ = ("_buf", "_need", "_failed")

    def __init__(self) -> None:
        self._buf = bytearray()
        self._need = 0  # bytes the buffered partial frame needs in all
        self._failed: "ProtocolError | None" = None

    def feed(self, data: "bytes | memoryview") -> List[Frame]:
        """The frames completed by ``data`` (bytes, or a view of a reused read buffer:
        every payload returned is a bytes copy, nothing refers to ``data`` afterwards)."""
        if self._failed is not None:
            raise self._failed
        buf = self._buf
        if buf:
            buf += data
            if len(buf) < self._need:
                return []  # still inside one frame: no copy, no parse
            src = bytes(buf)
        else:
            src = data
        frames: List[Frame] = []
        pos = 0
        end = len(src)
        need = HEADER_SIZE
        try:
            while end - pos >= HEADER_SIZE:
                magic, version, ftype, stream, length = _unpack_header(src, pos)
                if (magic != MAGIC or version != VERSION
                        or ftype not in KNOWN_TYPES or length > MAX_PAYLOAD):
                    check_header(magic, version, ftype, length)
                stop = pos + HEADER_SIZE + length
                if stop > end:
                    need = HEADER_SIZE + length
                    break
                # bytes() of a bytes slice is that slice; of a memoryview, a copy.
                frames.append((ftype, stream, bytes(src[pos + HEADER_SIZE:stop])))
                pos = stop
            else:
                # Fewer than 12 bytes left: a partial header may already
                # be wrong (e.g. an HTTP request sent to the socket).
                if end - pos >= 2:
                    magic = (src[pos] << 8) | src[pos + 1]
                    if magic != MAGIC:
                        check_header(magic, VERSION, REQUEST, 0)
        except ProtocolError as exc:
            self._failed = exc
            raise
        if pos == end:
            if buf:
                self._buf = bytearray()
        else:
            self._buf = bytearray(src[pos:])
            self._need = need
        return frames

    @property
    def buffered(self) -> int:
        """Bytes held for an incomplete frame."""
        return len(self._buf)


def decode_all(data: bytes) -> List[Frame]:
    """Decode a byte string that must hold only whole frames."""
    dec = FrameDecoder()
    frames = dec.feed(data)
    if dec.buffered:
        raise ProtocolError("bad-payload", "trailing partial frame")
    return frames
