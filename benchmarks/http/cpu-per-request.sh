#!/usr/bin/env bash
# CPU time per request of tswsgi's front end and of its daemon processes, under wrk.
# Wall-clock req/s on a 2-core machine swings ±20% between runs; CPU time per request
# (utime+stime from /proc, summed over the server's process tree, divided by the requests
# wrk completed) is steadier; still compare A/B runs taken back to back, more than once,
# then confirm with the side-by-side run.sh.
#
#   benchmarks/http/cpu-per-request.sh [path] [connections] [seconds]    (default /hello 32 5)
#   WRK_BODY_BYTES=65536 benchmarks/http/cpu-per-request.sh /echo          (POST bodies)
#   benchmarks/http/cpu-per-request.sh /static.txt                         (4 KiB static file)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
path="${1:-/hello}" conns="${2:-32}" secs="${3:-5}"
tmp="$(mktemp -d)"
trap 'kill "$(cat "$tmp/root/httpd.pid" 2>/dev/null)" 2>/dev/null || true; rm -rf "$tmp"' EXIT
mkdir -p "$tmp/root" "$tmp/apps"
cp "$repo/examples/hello/hello.wsgi" "$repo/tests/fixtures/apps/echo.wsgi" "$repo/tests/fixtures/apps/big.wsgi" "$tmp/apps/"
# the static-4KiB scenario's file (bench.py STATIC_BYTES)
/usr/bin/python3 -c 'import sys; sys.stdout.buffer.write(bytes((i * 7 + (i >> 5)) % 95 + 32 for i in range(4096)))' > "$tmp/apps/static.txt"
chmod 755 "$tmp" "$tmp/apps"; chmod 644 "$tmp/apps/"*
port="$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
sed -e "s#@ROOT@#$tmp/root#g; s#@APPS@#$tmp/apps#g; s#@PORT@#$port#g; s#@USER@##" \
    -e '/flask/d' "$here/httpd.conf.in" > "$tmp/httpd.conf"
"$repo/bin/tswsgi" -f "$tmp/httpd.conf" -DFOREGROUND > "$tmp/out" 2>&1 &
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$port/hello" && break; sleep 0.1; done
pid="$(cat "$tmp/root/httpd.pid")"
cpu() { # $1: front end only (1) or the whole tree (0)
  local t=0 p
  for p in $pid $( [ "$1" = 1 ] || pgrep -P "$pid" ); do
    set -- "$1" $(cut -d' ' -f14,15 "/proc/$p/stat" 2>/dev/null || echo 0 0)
    t=$((t + $2 + $3))
  done
  echo "$t"
}
c0="$(cpu 0)" f0="$(cpu 1)"
out="$(wrk -t2 -c"$conns" -d"${secs}s" --latency ${WRK_BODY_BYTES:+-s "$here/report.lua"} "http://127.0.0.1:$port$path")"
c1="$(cpu 0)" f1="$(cpu 1)"
reqs="$(echo "$out" | grep -oE '^ +[0-9]+ requests' | grep -oE '[0-9]+')"
tick="$(getconf CLK_TCK)"
echo "$out" | grep -E 'Requests/sec|99%'
echo "requests=$reqs cpu_us_per_request total=$(( (c1 - c0) * 1000000 / tick / reqs )) front_end=$(( (f1 - f0) * 1000000 / tick / reqs )) daemons=$(( ((c1 - c0) - (f1 - f0)) * 1000000 / tick / reqs ))"
