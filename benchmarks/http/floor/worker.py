"""The floor of a Python daemon: read requests from fd 3, call a WSGI app, answer.

Run by front.ts (relay mode). One thread, no validation, no flow control, no streaming:
the least any daemon must do per request (read and decode the environ into a dict, call
the application with start_response, encode status, headers and body, write them).
Frames: u32 length + payload, as front.ts describes.
"""

import io
import socket
import sys


def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"),
                              ("Content-Length", "12")])
    return [b"Hello World!"]


WSGI = {
    "wsgi.version": (1, 0), "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr,
    "wsgi.multithread": True, "wsgi.multiprocess": True, "wsgi.run_once": False,
}


def main() -> None:
    sock = socket.socket(fileno=3)
    buf = bytearray()
    empty = io.BytesIO(b"")
    while True:
        data = sock.recv(1 << 20)
        if not data:
            return
        buf += data
        out = []
        pos = 0
        end = len(buf)
        while end - pos >= 4:
            n = int.from_bytes(buf[pos:pos + 4], "big")
            if end - pos - 4 < n:
                break
            parts = buf[pos + 4:pos + 4 + n].decode("latin-1").split("\0")
            pos += 4 + n
            env = dict(zip(parts[::2], parts[1::2]))
            env.update(WSGI)
            env["wsgi.input"] = empty
            started = []

            def start_response(status, headers, exc_info=None, started=started):
                started[:] = [status, headers]

            body = b"".join(application(env, start_response))
            status, headers = started
            head = status + "\n" + "".join(
                "%s: %s\n" % h for h in headers) + "\n"
            msg = head.encode("latin-1") + body
            out.append(len(msg).to_bytes(4, "big") + msg)
        del buf[:pos]
        if out:
            sock.sendall(b"".join(out))


if __name__ == "__main__":
    main()
