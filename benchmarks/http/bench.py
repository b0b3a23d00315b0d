#!/usr/bin/env python3
"""benchmarks/http/bench.py: drive wrk against Apache + mod_wsgi, gunicorn and tswsgi.

Started by run.sh (which installs the tools). Stdlib only, runs under /usr/bin/python3.
One httpd.conf template (httpd.conf.in) is rendered for Apache and for tswsgi; gunicorn
serves the same app files through router.py. Each scenario runs on every server in turn
(the starting server rotates per scenario), sampling the RSS of the server's whole process
tree every 200 ms. Only processes this script started are measured and stopped, by pid.

With --rounds N the whole set runs N times (the rotation goes on across rounds) and the
table gives, per scenario, each server's median req/s and p99 and the median of the
per-round ratios with their range: two servers measured minutes apart on this kind of
machine differ by a third for the same build, so one round's ratio is one sample.
"""
import statistics
import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
APP_SOURCES = {
    "hello.wsgi": os.path.join(REPO, "examples", "hello", "hello.wsgi"),
    "app.wsgi": os.path.join(REPO, "examples", "flask", "app.wsgi"),
    "big.wsgi": os.path.join(REPO, "tests", "fixtures", "apps", "big.wsgi"),
    "echo.wsgi": os.path.join(REPO, "tests", "fixtures", "apps", "echo.wsgi"),
}
# name -> (path, POST body bytes)
SCENARIOS = {
    "hello": ("/hello", 0),
    "flask": ("/flask/", 0),  # /flask alone is a Werkzeug 308 to /flask/
    "big-1MiB": ("/big", 0),
    "echo-64KiB-POST": ("/echo", 64 * 1024),
    "static-4KiB": ("/static.txt", 0),
}
# A static file from DocumentRoot: httpd's default handler against tswsgi's. gunicorn serves
# no static files, so it sits this one out.
STATIC_FILE = "static.txt"
STATIC_BYTES = bytes((i * 7 + (i >> 5)) % 95 + 32 for i in range(4096))
SCENARIO_SERVERS = {"static-4KiB": ("apache", "tswsgi")}


def runs_on(scenario, server):
    """Whether `server` takes part in `scenario`."""
    return server in SCENARIO_SERVERS.get(scenario, ALL_SERVERS)
ALL_SERVERS = ("apache", "gunicorn", "tswsgi")
READY_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 15.0


def free_port():
    """Return a loopback port the kernel just handed out (bind to port 0)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------- process tree / RSS
def _ppid_map():
    table = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rfind(b")") + 2:].split()
        table[int(name)] = int(fields[1])
    return table


def process_tree(root):
    """Pids of root and all its descendants (e.g. Apache parent + children + WSGI daemons)."""
    children = {}
    for pid, ppid in _ppid_map().items():
        children.setdefault(ppid, []).append(pid)
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, ()))
    return out


def tree_rss_kib(root):
    total = 0
    for pid in process_tree(root):
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
        except OSError:
            pass
    return total


class RssSampler:
    """Samples tree RSS every 200 ms in a thread; peak() is the max since the last reset()."""

    def __init__(self, root):
        self.root = root
        self._peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.wait(0.2):
            self._peak = max(self._peak, tree_rss_kib(self.root))

    def reset(self):
        self._peak = tree_rss_kib(self.root)

    def peak(self):
        return max(self._peak, tree_rss_kib(self.root))

    def stop(self):
        self._stop.set()
        self._thread.join()


# ---------------------------------------------------------------- servers
class Server:
    def __init__(self, name, port, argv, env, stop_signal, log_path, cwd):
        self.name, self.port, self.argv, self.env = name, port, argv, env
        self.stop_signal, self.log_path, self.cwd = stop_signal, log_path, cwd
        self.proc = None
        self.sampler = None
        self.error = None

    def start(self):
        with open(self.log_path + ".stdout", "wb") as out:
            self.proc = subprocess.Popen(
                self.argv, env=self.env, cwd=self.cwd, stdout=out, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"exited with status {self.proc.returncode}")
            if http_status(self.port, "/hello") == 200:
                self.sampler = RssSampler(self.proc.pid)
                return
            time.sleep(0.1)  # bounded readiness poll, not a fixed wait
        raise RuntimeError(f"not ready on port {self.port} within {READY_TIMEOUT_S:.0f}s")

    def tail_logs(self, lines=8):
        text = []
        for path in (self.log_path, self.log_path + ".stdout"):
            try:
                with open(path, errors="replace") as f:
                    text += f.read().splitlines()[-lines:]
            except OSError:
                pass
        return text

    def stop(self):
        if self.sampler:
            self.sampler.stop()
        if not self.proc or self.proc.poll() is not None:
            return
        tree = process_tree(self.proc.pid)
        self.proc.send_signal(self.stop_signal)
        try:
            self.proc.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        # Only descendants of the server we started, by pid (daemons that outlived it).
        alive = set(_ppid_map())
        for pid in tree[1:]:
            if pid in alive:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass


def http_status(port, path):
    """Status code of GET path, or None when the server is not answering yet."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
            head = s.recv(64)
        return int(head.split()[1]) if head.startswith(b"HTTP/") else None
    except (OSError, ValueError, IndexError):
        return None


def render_conf(template, root, apps, port):
    user = "User www-data\nGroup www-data" if os.geteuid() == 0 else ""
    text = template.replace("@ROOT@", root).replace("@APPS@", apps)
    return text.replace("@PORT@", str(port)).replace("@USER@", user)


def make_servers(names, base, apps, template, tswsgi_bin):
    servers = []
    for name in names:
        port = free_port()
        root = os.path.join(base, name)
        os.makedirs(root, mode=0o755)
        os.chmod(root, 0o755)
        log = os.path.join(root, "error.log")
        env = dict(os.environ)
        if name in ("apache", "tswsgi"):
            conf = os.path.join(root, "httpd.conf")
            with open(conf, "w") as f:
                f.write(render_conf(template, root, apps, port))
        if name == "apache":
            env.update(APACHE_RUN_DIR=root, APACHE_LOCK_DIR=root, APACHE_LOG_DIR=root,
                       APACHE_PID_FILE=os.path.join(root, "httpd.pid"),
                       APACHE_RUN_USER="www-data", APACHE_RUN_GROUP="www-data")
            argv = ["/usr/sbin/apache2", "-f", conf, "-DFOREGROUND"]
            servers.append(Server(name, port, argv, env, signal.SIGTERM, log, root))
        elif name == "tswsgi":
            argv = [tswsgi_bin, "-f", conf, "-DFOREGROUND"]
            servers.append(Server(name, port, argv, env, signal.SIGTERM, log, REPO))
        elif name == "gunicorn":
            env.update(BENCH_APPS_DIR=apps, PYTHONPATH=HERE)
            argv = ["/usr/bin/python3", "-m", "gunicorn", "--worker-class", "gthread",
                    "--workers", "2", "--threads", "15", "--bind", f"127.0.0.1:{port}",
                    "--error-logfile", log, "router:application"]
            # SIGQUIT = gunicorn's quick shutdown (SIGTERM waits graceful_timeout).
            servers.append(Server(name, port, argv, env, signal.SIGQUIT, log, root))
    return servers


# ---------------------------------------------------------------- wrk
def run_wrk(port, path, body, conns, duration, threads):
    env = dict(os.environ, WRK_BODY_BYTES=str(body))
    argv = ["wrk", f"-t{threads}", f"-c{conns}", f"-d{duration}s", "--latency",
            "-s", os.path.join(HERE, "report.lua"), f"http://127.0.0.1:{port}{path}"]
    res = subprocess.run(argv, env=env, capture_output=True, text=True,
                         timeout=duration + 120)
    for line in res.stdout.splitlines():
        if line.startswith("WRKJSON "):
            data = json.loads(line[len("WRKJSON "):])
            secs = data["duration_us"] / 1e6
            return {
                "req_per_s": round(data["requests"] / secs, 1) if secs else 0.0,
                "p50_ms": data["p50_us"] / 1000, "p99_ms": data["p99_us"] / 1000,
                "requests": data["requests"], "non2xx": data["non2xx"],
                "socket_errors": {k: data[k] for k in ("connect", "read", "write", "timeout")},
                "mib_per_s": round(data["bytes"] / secs / 1048576, 1) if secs else 0.0,
            }
    raise RuntimeError(f"wrk failed (status {res.returncode}): {res.stderr.strip()[-300:]}")


def verify(port, server):
    """Check every scenario answers correctly (so req/s never counts error pages)."""
    import http.client
    post = b"y" * (64 * 1024)
    checks = [("GET", "/hello", None, lambda b: b == b"Hello World!\n"),
              ("GET", "/flask/", None, lambda b: b == b"Hello World!\n"),
              ("GET", "/big", None, lambda b: len(b) == 1024 * 1024),
              ("POST", "/echo", post, lambda b: b == post)]
    if runs_on("static-4KiB", server):
        checks.append(("GET", "/" + STATIC_FILE, None, lambda b: b == STATIC_BYTES))
    for method, path, body, ok in checks:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            conn.request(method, path, body=body)
            res = conn.getresponse()
            data = res.read()
        finally:
            conn.close()
        if res.status != 200 or not ok(data):
            raise RuntimeError(f"{method} {path}: status {res.status}, {len(data)} bytes: "
                               f"{data[:80]!r}")


def warm_up(port, server):
    """A few requests on every path so each daemon process has imported its apps."""
    def hit(path):
        for _ in range(4):
            http_status(port, path)
    threads = [threading.Thread(target=hit, args=(p,))
               for name, (p, _) in SCENARIOS.items() if runs_on(name, server)
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


# ---------------------------------------------------------------- report
def ratio(a, b):
    return round(a / b, 3) if a and b else None


def run_row(servers, scen, path, body, c, rnd, rotation, args):
    """One scenario at one connection count on every server, starting with the
    rotation-th: each server's wrk figures and the ratios to tswsgi."""
    row = {"scenario": scen, "path": path, "body_bytes": body, "round": rnd,
           "connections": c, "servers": {}, "ratios": {}}
    order = servers[rotation % len(servers):] + servers[:rotation % len(servers)]
    for srv in order:
        if not runs_on(scen, srv.name):
            continue
        if srv.error:
            row["servers"][srv.name] = {"error": srv.error}
            continue
        srv.sampler.reset()
        try:
            r = run_wrk(srv.port, path, body, c, args.duration, args.threads)
        except (RuntimeError, subprocess.TimeoutExpired) as exc:
            r = {"error": str(exc)}
        r["peak_rss_kib"] = srv.sampler.peak()
        row["servers"][srv.name] = r
        print(f"# round {rnd} {scen} c{c} {srv.name}: {r.get('req_per_s', r.get('error'))}",
              flush=True)
    ts = row["servers"].get("tswsgi", {})
    for other in ("apache", "gunicorn"):
        o = row["servers"].get(other, {})
        if "req_per_s" in ts and "req_per_s" in o:
            row["ratios"][f"tswsgi/{other}"] = {
                k: ratio(ts[k], o[k]) for k in ("req_per_s", "p99_ms", "peak_rss_kib")
            }
    return row


def summarize(results, servers):
    """One row per scenario and connection count over every round: each server's median
    req/s and p99, summed errors, largest peak RSS; each ratio's median and range over the
    rounds (a ratio is taken within one round, its two servers minutes apart)."""
    keyed = {}
    for row in results:
        keyed.setdefault((row["scenario"], row["connections"]), []).append(row)
    out = []
    for (scen, c), rows in keyed.items():
        merged = {"scenario": scen, "path": rows[0]["path"], "body_bytes": rows[0]["body_bytes"],
                  "connections": c, "rounds": len(rows), "servers": {}, "ratios": {}}
        for name in servers:
            runs = [r["servers"][name] for r in rows
                    if name in r["servers"] and "error" not in r["servers"][name]]
            if not runs:
                err = next((r["servers"][name] for r in rows if name in r["servers"]), None)
                if err is not None:
                    merged["servers"][name] = err
                continue
            merged["servers"][name] = {
                "req_per_s": round(statistics.median(r["req_per_s"] for r in runs), 1),
                "p99_ms": round(statistics.median(r["p99_ms"] for r in runs), 2),
                "non2xx": sum(r["non2xx"] for r in runs),
                "socket_errors": {k: sum(r["socket_errors"][k] for r in runs)
                                  for k in runs[0]["socket_errors"]},
                "peak_rss_kib": max(r["peak_rss_kib"] for r in runs),
                "runs": len(runs),
            }
        for key in {k for r in rows for k in r["ratios"]}:
            per = [r["ratios"][key] for r in rows if key in r["ratios"]]
            merged["ratios"][key] = {
                m: round(statistics.median(x[m] for x in per), 3)
                for m in ("req_per_s", "p99_ms", "peak_rss_kib")
                if all(x[m] is not None for x in per)
            }
            merged["ratios"][key]["req_per_s_range"] = [
                min(x["req_per_s"] for x in per), max(x["req_per_s"] for x in per)]
        out.append(merged)
    return out


def print_table(results, servers):
    cols = f"{'scenario':<24}{'server':<10}{'req/s':>10}{'p99 ms':>10}{'non2xx':>8}" \
           f"{'sockerr':>9}{'peakRSS MiB':>13}"
    print(cols)
    print("-" * len(cols))
    for row in results:
        for name in servers:
            r = row["servers"].get(name)
            label = f"{row['scenario']} c{row['connections']}"
            if r is None or "error" in r:
                print(f"{label:<24}{name:<10}  {r['error'] if r else 'not run'}")
                continue
            errs = sum(r["socket_errors"].values())
            print(f"{label:<24}{name:<10}{r['req_per_s']:>10.1f}{r['p99_ms']:>10.2f}"
                  f"{r['non2xx']:>8}{errs:>9}{r['peak_rss_kib'] / 1024:>13.1f}")
        for other in ("apache", "gunicorn"):
            rr = row["ratios"].get(f"tswsgi/{other}")
            if rr:
                spread = rr.get("req_per_s_range")
                rng = f" ({spread[0]}-{spread[1]})" if spread else ""
                print(f"{'':<24}tswsgi/{other}: req/s x{rr.get('req_per_s')}{rng}  "
                      f"p99 x{rr.get('p99_ms')}  RSS x{rr.get('peak_rss_kib')}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--servers", default=",".join(ALL_SERVERS))
    ap.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    ap.add_argument("--threads", type=int, default=2, help="wrk threads")
    ap.add_argument("--connections", default="32,256")
    ap.add_argument("--scenarios", default=",".join(SCENARIOS))
    ap.add_argument("--tswsgi-bin", default=os.path.join(REPO, "bin", "tswsgi"))
    ap.add_argument("--out", default=os.path.join(HERE, "results-latest.json"))
    ap.add_argument("--keep-tmp", action="store_true")
    ap.add_argument("--rounds", type=int, default=1,
                    help="run every scenario this many times; report medians")
    args = ap.parse_args()
    if args.rounds < 1:
        ap.error("--rounds must be at least 1")
    names = [s for s in args.servers.split(",") if s]
    bad = [s for s in names if s not in ALL_SERVERS]
    if bad:
        ap.error(f"unknown server(s): {', '.join(bad)}")
    conns = [int(c) for c in args.connections.split(",")]
    scenarios = [s for s in args.scenarios.split(",") if s]

    base = tempfile.mkdtemp(prefix="tswsgi-bench-")
    os.chmod(base, 0o755)  # www-data must traverse it to reach the apps
    apps = os.path.join(base, "apps")
    os.makedirs(apps)
    os.chmod(apps, 0o755)
    for dest, src in APP_SOURCES.items():
        shutil.copyfile(src, os.path.join(apps, dest))
        os.chmod(os.path.join(apps, dest), 0o644)
    with open(os.path.join(apps, STATIC_FILE), "wb") as f:
        f.write(STATIC_BYTES)
    os.chmod(os.path.join(apps, STATIC_FILE), 0o644)
    with open(os.path.join(HERE, "httpd.conf.in")) as f:
        template = f.read()
    servers = make_servers(names, base, apps, template, args.tswsgi_bin)

    def on_signal(signum, _frame):
        raise SystemExit(128 + signum)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    results, started = [], []
    try:
        for srv in servers:
            try:
                srv.start()
                warm_up(srv.port, srv.name)
                verify(srv.port, srv.name)
                started.append(srv)
                print(f"# {srv.name}: ready on 127.0.0.1:{srv.port} (pid {srv.proc.pid})",
                      flush=True)
            except (RuntimeError, OSError) as exc:
                srv.error = f"failed to start: {exc}"
                print(f"# {srv.name}: {srv.error}", file=sys.stderr)
                for line in srv.tail_logs():
                    print(f"#   {line}", file=sys.stderr)
        rotation = 0
        for rnd in range(1, args.rounds + 1):
            for scen in scenarios:
                path, body = SCENARIOS[scen]
                for c in conns:
                    results.append(run_row(servers, scen, path, body, c, rnd, rotation, args))
                    rotation += 1
    finally:
        for srv in servers:
            srv.stop()
        if not args.keep_tmp:
            shutil.rmtree(base, ignore_errors=True)

    print()
    summary = summarize(results, names) if args.rounds > 1 else results
    print_table(summary, names)
    doc = {
        "generated": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "host": {"nproc": os.cpu_count(), "uname": " ".join(os.uname())},
        "settings": {"duration_s": args.duration, "wrk_threads": args.threads,
                     "rounds": args.rounds,
                     "connections": conns, "servers": names,
                     "wsgi": "2 processes x 15 threads (mod_wsgi daemon / gunicorn gthread)"},
        "server_errors": {s.name: s.error for s in servers if s.error},
        "results": results,
    }
    if args.rounds > 1:
        doc["summary"] = summary
    with open(args.out, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
