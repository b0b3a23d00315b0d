"""benchmarks/worker/handle.py: the Python worker's cost per request, in-process.

Drives tswsgi_worker's Worker.handle() (and with --full, the frame reader in front of it)
for a hello-world request against a no-op socket: no threads, no I/O wait, no front end.
Prints the best of several runs in µs per request. Wall time on a shared VM is noisy;
instructions.sh runs this under callgrind for a deterministic count.

    python3 benchmarks/worker/handle.py [--full] [N]
"""

from __future__ import annotations

import os
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "python"))

from tswsgi_worker.protocol import FLAG_NULSEP, REQUEST, FrameDecoder, encode_frame  # noqa: E402
from tswsgi_worker.response import Stream  # noqa: E402
from tswsgi_worker.worker import Worker  # noqa: E402

APP = b'''def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "12")])
    return [b"Hello World\\n"]
'''


class NullSocket:
    """Takes every frame and keeps nothing."""

    def sendall(self, data: bytes) -> None:
        pass

    def sendmsg(self, bufs: list) -> int:
        return sum(len(b) for b in bufs)


def main() -> None:
    args = [a for a in sys.argv[1:] if a != "--full"]
    full = "--full" in sys.argv[1:]
    n = int(args[0]) if args else 20000
    with tempfile.TemporaryDirectory() as tmp:
        script = os.path.join(tmp, "hello.wsgi")
        with open(script, "wb") as f:
            f.write(APP)
        mtime_ms = str(int(os.stat(script).st_mtime * 1000))
        worker = Worker(NullSocket(), {"threads": 15, "processGroup": "bench"})  # type: ignore[arg-type]
        env = {
            "REQUEST_METHOD": "GET", "SCRIPT_NAME": "/hello", "PATH_INFO": "",
            "QUERY_STRING": "", "SCRIPT_FILENAME": script, "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http",
            "mod_wsgi.process_group": "bench", "mod_wsgi.application_group": "",
            "mod_wsgi.callable_object": "application", "mod_wsgi.script_reloading": "1",
            "tswsgi.script_mtime": mtime_ms,
        }
        # The rest of a front end's environ for this request: ~55 pairs in all.
        for k in range(40):
            env["X_PAD_%d" % k] = "value-%d" % k
        text = "\0".join(k + "\0" + v for k, v in env.items())
        frames = [encode_frame(REQUEST, i + 1, bytes((FLAG_NULSEP,)) + text.encode("latin-1"))
                  for i in range(n)]
        dec = FrameDecoder()
        best = float("inf")
        for _ in range(9):
            t = time.perf_counter()
            for i in range(n):
                if full:
                    for ftype, sid, payload in dec.feed(frames[i]):
                        worker._dispatch(ftype, sid, payload)  # pyright: ignore[reportPrivateUsage]
                    st = worker.queue.get()
                else:
                    st = Stream(i + 1, dict(env), False, lambda _n: None)
                    worker.streams[i + 1] = st
                assert st is not None
                worker.handle(st, 1)
            best = min(best, (time.perf_counter() - t) / n * 1e6)
        print("%s: best %.2f us per request" % ("reader + handle" if full else "handle", best))


if __name__ == "__main__":
    main()
