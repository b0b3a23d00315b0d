"""The floor of a Python daemon: read requests from fd 3, call a WSGI app, answer.

Run by front.ts (relay mode). No validation, no flow control, no streaming: the least
any daemon must do per request (read and decode the environ into a dict, call the
application with start_response, encode status, headers and body, write them).
Frames: u32 length + payload, as front.ts describes.

FLOOR_DESIGN picks how requests reach the application (FLOOR_THREADS threads, default 15):
  single   one thread reads, runs every request and writes (the default; no threads)
  queue    a reader thread puts requests on a SimpleQueue served by worker threads, each
           writing its own answer under a lock (the shape of tswsgi_worker)
  lf       leader/follower: the thread holding the reader role reads a batch, hands the
           role to the next thread, runs the batch's first request itself and queues the
           rest for the others; answers are written under a lock
"""

import io
import os
import queue
import socket
import sys
import threading


def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"),
                              ("Content-Length", "12")])
    return [b"Hello World!"]


WSGI = {
    "wsgi.version": (1, 0), "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr,
    "wsgi.multithread": True, "wsgi.multiprocess": True, "wsgi.run_once": False,
}
EMPTY = io.BytesIO(b"")


def answer(payload):
    """One request's payload (bytes) -> its framed answer."""
    parts = payload.decode("latin-1").split("\0")
    env = dict(zip(parts[::2], parts[1::2]))
    env.update(WSGI)
    env["wsgi.input"] = EMPTY
    started = []

    def start_response(status, headers, exc_info=None):
        started[:] = [status, headers]

    body = b"".join(application(env, start_response))
    status, headers = started
    head = status + "\n" + "".join("%s: %s\n" % h for h in headers) + "\n"
    msg = head.encode("latin-1") + body
    return len(msg).to_bytes(4, "big") + msg


class Reader:
    """Splits the channel's byte stream into request payloads."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = bytearray()

    def batch(self):
        """The next complete payloads (blocks); None at EOF."""
        while True:
            data = self.sock.recv(1 << 20)
            if not data:
                return None
            buf = self.buf
            buf += data
            out = []
            pos = 0
            end = len(buf)
            while end - pos >= 4:
                n = int.from_bytes(buf[pos:pos + 4], "big")
                if end - pos - 4 < n:
                    break
                out.append(bytes(buf[pos + 4:pos + 4 + n]))
                pos += 4 + n
            del buf[:pos]
            if out:
                return out


def single(sock):
    reader = Reader(sock)
    while True:
        batch = reader.batch()
        if batch is None:
            return
        sock.sendall(b"".join(answer(p) for p in batch))


def queued(sock, threads):
    lock = threading.Lock()
    work = queue.SimpleQueue()

    def serve():
        while True:
            msg = answer(work.get())
            with lock:
                sock.sendall(msg)

    for _ in range(threads):
        threading.Thread(target=serve, daemon=True).start()
    reader = Reader(sock)
    while True:
        batch = reader.batch()
        if batch is None:
            return
        for p in batch:
            work.put(p)


def leader_follower(sock, threads):
    send_lock = threading.Lock()
    role = threading.Lock()  # held by the thread that reads
    work = queue.SimpleQueue()
    reader = Reader(sock)
    done = threading.Event()

    def run():
        while not done.is_set():
            # Queued requests first; read only when there are none.
            try:
                p = work.get_nowait()
            except queue.Empty:
                if not role.acquire(timeout=0.05):
                    continue
                try:
                    batch = reader.batch()
                finally:
                    role.release()  # the next thread reads while this one runs
                if batch is None:
                    done.set()
                    return
                p = batch[0]
                for q in batch[1:]:
                    work.put(q)
            msg = answer(p)
            with send_lock:
                sock.sendall(msg)

    ts = [threading.Thread(target=run, daemon=True) for _ in range(threads)]
    for t in ts:
        t.start()
    done.wait()


def main() -> None:
    design = os.environ.get("FLOOR_DESIGN", "single")
    threads = int(os.environ.get("FLOOR_THREADS", "15"))
    designs = {"single": lambda s: single(s), "queue": lambda s: queued(s, threads),
               "lf": lambda s: leader_follower(s, threads)}
    if design not in designs:
        sys.exit("floor worker: FLOOR_DESIGN must be single, queue or lf, not %r" % design)
    designs[design](socket.socket(fileno=3))


if __name__ == "__main__":
    main()
