"""Throughput of one worker process for a hello-world app, over a socketpair.

Usage: python3 python/bench_loop.py [requests] [in-flight] [threads]

Plays the front end: keeps `in-flight` REQUEST frames outstanding (stream ids
1..in-flight, reused after END), with a realistic ~25-pair environ, and
reports completed requests per second and the worker process's CPU time
(utime+stime from /proc) per request. The driver runs in this process and
the worker in a child process (as in production), so on a 2-core machine the
figure includes the driver competing for CPU.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from tswsgi_worker import protocol as P  # noqa: E402
from tswsgi_worker.tests.harness import WorkerClient  # noqa: E402

HELLO_APP = b'''
def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"),
                              ("Content-Length", "12")])
    return [b"Hello World!"]
'''


def environ_items(script: str) -> list:
    env = {
        "REQUEST_METHOD": "GET", "REQUEST_URI": "/hello", "SCRIPT_NAME": "",
        "PATH_INFO": "/hello", "QUERY_STRING": "", "SERVER_NAME": "localhost",
        "SERVER_PORT": "8080", "SERVER_ADDR": "127.0.0.1",
        "SERVER_PROTOCOL": "HTTP/1.1", "SERVER_SOFTWARE": "Apache",
        "REMOTE_ADDR": "127.0.0.1", "REMOTE_PORT": "51234",
        "REQUEST_SCHEME": "http", "DOCUMENT_ROOT": "/var/www/html",
        "CONTEXT_PREFIX": "", "CONTEXT_DOCUMENT_ROOT": "/var/www/html",
        "SCRIPT_FILENAME": script, "HTTP_HOST": "localhost:8080",
        "HTTP_USER_AGENT": "wrk", "HTTP_ACCEPT": "*/*",
        "mod_wsgi.process_group": "bench", "mod_wsgi.application_group": "",
        "mod_wsgi.callable_object": "application",
        "mod_wsgi.request_handler": "wsgi-script",
        "mod_wsgi.script_reloading": "1",
        "mod_wsgi.request_start": "1700000000000000",
        # As the front end adds it with script reloading on (docs/protocol.md).
        "tswsgi.script_mtime": str(os.stat(script).st_mtime_ns // 1000000),
    }
    items = []
    for k, v in env.items():
        items += [k.encode(), v.encode()]
    return items


def main() -> None:
    total = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
    inflight = int(sys.argv[2]) if len(sys.argv) > 2 else 64
    threads = int(sys.argv[3]) if len(sys.argv) > 3 else 15
    with tempfile.TemporaryDirectory() as tmp:
        script = os.path.join(tmp, "hello.wsgi")
        with open(script, "wb") as f:
            f.write(HELLO_APP)
        client = WorkerClient({"threads": threads, "preload": [
            {"script": script, "callable": "application"}]})
        # As the front end sends it: NUL-separated pairs (FLAG_NULSEP).
        payload = bytes([P.FLAG_NULSEP]) + b"\0".join(environ_items(script))
        frames = {sid: P.encode_frame(P.REQUEST, sid, payload)
                  for sid in range(1, inflight + 1)}
        sock = client.sock
        dec = P.FrameDecoder()
        sent = done = bad = 0
        cpu0 = _cpu_ticks(client.proc.pid)
        t0 = time.perf_counter()
        sock.sendall(b"".join(frames[s] for s in range(1, inflight + 1)))
        sent = inflight
        while done < total:
            data = sock.recv(1 << 20)
            if not data:
                raise SystemExit("worker closed the channel")
            out = []
            for ftype, sid, _ in dec.feed(data):
                if ftype == P.END:
                    done += 1
                    if sent < total:
                        out.append(frames[sid])
                        sent += 1
                elif ftype == P.ERROR:
                    bad += 1
                    done += 1
            if out:
                sock.sendall(b"".join(out))
        elapsed = time.perf_counter() - t0
        cpu = _cpu_ticks(client.proc.pid) - cpu0
        client.shutdown(2000)
        client.close()
    tick = os.sysconf("SC_CLK_TCK")
    print("bench_loop: %d requests, %d in flight, %d threads: %.0f req/s "
          "(%d errors), worker CPU %.1f us/request"
          % (total, inflight, threads, total / elapsed, bad,
             cpu * 1e6 / tick / total))


def _cpu_ticks(pid: int) -> int:
    """utime + stime of ``pid`` in clock ticks (Linux /proc)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


if __name__ == "__main__":
    main()
