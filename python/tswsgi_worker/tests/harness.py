"""Test driver: spawn a real worker over a socketpair and speak frames.

Plays the Node front end's part of docs/protocol.md: sends REQUEST/DATA/EOF
within the credit the worker grants, grants response credit as DATA arrives
(unless told not to), and sorts incoming frames per stream.
"""

from __future__ import annotations

import json
import os
import select
import socket
import subprocess
import sys
import time
from typing import Any, Dict, List, Optional, Tuple

from tswsgi_worker import BOOTSTRAP
from tswsgi_worker import protocol as P

PYTHON_DIR = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
APPS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "apps")
TIMEOUT = 20.0


class Result:
    """Everything one stream produced."""

    def __init__(self) -> None:
        self.status: Optional[str] = None
        self.headers: List[Tuple[str, str]] = []
        self.body = b""
        self.logs: List[Tuple[int, str]] = []
        self.error: Optional[str] = None
        self.ended = False
        self.types: List[int] = []  # frame types in arrival order

    @property
    def done(self) -> bool:
        return self.ended or self.error is not None

    def header(self, name: str) -> Optional[str]:
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    @property
    def log_text(self) -> str:
        return "\n".join(m for _, m in self.logs)


def spawn(config: Dict[str, Any]) -> Tuple[subprocess.Popen, socket.socket]:
    """Start a worker; returns (process, our end of the socketpair)."""
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    cfg = {"fd": theirs.fileno(), "threads": 4}
    cfg.update(config)
    argv = [sys.executable, "-c", BOOTSTRAP, PYTHON_DIR, json.dumps(cfg)]
    proc = subprocess.Popen(argv, pass_fds=[theirs.fileno()],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    theirs.close()
    return proc, ours


class WorkerClient:
    """A worker process plus the front-end side of its channel."""

    def __init__(self, config: Optional[Dict[str, Any]] = None,
                 auto_window: bool = True) -> None:
        self.proc, self.sock = spawn(config or {})
        self.dec = P.FrameDecoder()
        self.results: Dict[int, Result] = {}
        self.process_frames: List[P.Frame] = []
        self.credit: Dict[int, int] = {}
        self.auto_window = auto_window
        self.hello: Optional[Dict[str, Any]] = None
        self.eof = False
        frame = self._next_process_frame(P.HELLO)
        self.hello = json.loads(frame[2].decode("utf-8"))

    # -- low level -----------------------------------------------------------

    def send(self, ftype: int, sid: int, payload: bytes = b"") -> None:
        self.sock.sendall(P.encode_frame(ftype, sid, payload))

    def pump(self, timeout: float = TIMEOUT) -> bool:
        """Read what is available (waiting up to timeout); False on EOF."""
        r, _, _ = select.select([self.sock], [], [], timeout)
        if not r:
            raise TimeoutError("worker sent nothing for %.1fs" % timeout)
        data = self.sock.recv(1 << 20)
        if not data:
            self.eof = True
            return False
        for frame in self.dec.feed(data):
            self._route(frame)
        return True

    def _route(self, frame: P.Frame) -> None:
        ftype, sid, payload = frame
        if sid == 0:
            self.process_frames.append(frame)
            return
        res = self.results.setdefault(sid, Result())
        res.types.append(ftype)
        if ftype == P.START:
            items = [b.decode("latin-1") for b in P.decode_strlist(payload)]
            res.status = items[0]
            res.headers = list(zip(items[1::2], items[2::2]))
        elif ftype == P.RESP_DATA:
            res.body += payload
            if self.auto_window:
                self.send(P.WINDOW, sid, P.encode_u32(len(payload)))
        elif ftype == P.END:
            res.ended = True
        elif ftype == P.ERROR:
            res.error = payload.decode("utf-8")
        elif ftype == P.LOG:
            res.logs.append((payload[0], payload[1:].decode("utf-8")))
        elif ftype == P.RESP_WINDOW:
            self.credit[sid] = self.credit.get(sid, 0) + P.decode_u32(payload)

    def _next_process_frame(self, ftype: int) -> P.Frame:
        deadline = time.monotonic() + TIMEOUT
        while True:
            for i, f in enumerate(self.process_frames):
                if f[0] == ftype:
                    return self.process_frames.pop(i)
            if self.eof or not self.pump(max(0.01, deadline - time.monotonic())):
                err = self.proc.stderr.read().decode() if self.proc.stderr else ""
                raise AssertionError("worker closed the channel; stderr:\n" + err)

    def process_logs(self) -> str:
        return "\n".join(f[2][1:].decode() for f in self.process_frames
                         if f[0] == P.LOG)

    # -- requests ------------------------------------------------------------

    def start(self, sid: int, environ: Dict[str, str], body: Optional[bytes]
              = None, callable_name: Optional[str] = None,
              script: Optional[str] = None) -> None:
        env = {"REQUEST_METHOD": "GET", "SCRIPT_NAME": "", "PATH_INFO": "/",
               "QUERY_STRING": "", "SERVER_NAME": "localhost",
               "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1",
               "SCRIPT_FILENAME": script or os.path.join(APPS, "apps.wsgi")}
        if callable_name:
            env["mod_wsgi.callable_object"] = callable_name
        env.update(environ)
        items: List[bytes] = []
        for k, v in env.items():
            items.append(k.encode("latin-1"))
            enc = "utf-8" if k in ("SCRIPT_FILENAME", "DOCUMENT_ROOT") else "latin-1"
            items.append(v.encode(enc, "surrogateescape"))
        flags = P.FLAG_BODY if body is not None else 0
        self.results.pop(sid, None)
        self.credit[sid] = P.INITIAL_WINDOW
        self.send(P.REQUEST, sid, bytes((flags,)) + P.encode_strlist(items))

    def send_body(self, sid: int, body: bytes, chunk: int = 65536,
                  eof: bool = True) -> None:
        """Send the body within the worker's credit, then EOF."""
        pos = 0
        while pos < len(body):
            while self.credit.get(sid, 0) <= 0:
                res = self.results.get(sid)
                if res is not None and res.done:
                    return  # app finished without reading everything
                self.pump()
            n = min(chunk, len(body) - pos, self.credit[sid])
            self.send(P.DATA, sid, body[pos:pos + n])
            self.credit[sid] -= n
            pos += n
        if eof:
            self.send(P.EOF, sid)

    def wait(self, sid: int, timeout: float = TIMEOUT) -> Result:
        deadline = time.monotonic() + timeout
        while not self.results.get(sid, Result()).done:
            if not self.pump(max(0.01, deadline - time.monotonic())):
                break
        return self.results.setdefault(sid, Result())

    def call(self, callable_name: Optional[str], environ: Optional[Dict[str, str]] = None,
             body: Optional[bytes] = None, sid: int = 1, **kw: Any) -> Result:
        self.start(sid, environ or {}, body, callable_name, **kw)
        if body is not None:
            self.send_body(sid, body)
        return self.wait(sid)

    # -- teardown ------------------------------------------------------------

    def shutdown(self, timeout_ms: int = 5000) -> int:
        self.send(P.SHUTDOWN, 0, P.encode_u32(timeout_ms))
        return self.proc.wait(TIMEOUT)

    def close(self) -> None:
        try:
            self.sock.close()
        finally:
            try:
                self.proc.wait(TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            for f in (self.proc.stdout, self.proc.stderr):
                if f:
                    f.close()
