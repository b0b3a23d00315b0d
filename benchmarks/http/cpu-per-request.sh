#!/usr/bin/env bash
# CPU time per request of tswsgi's front end and of its daemon processes (or Apache's), under wrk.
# Wall-clock req/s on a 2-core machine swings ±20% between runs; CPU time per request
# (utime+stime from /proc, summed over the server's process tree, divided by the requests
# wrk completed) is steadier; still compare A/B runs taken back to back, more than once,
# then confirm with the side-by-side run.sh.
#
#   benchmarks/http/cpu-per-request.sh [path] [connections] [seconds]    (default /hello 32 5)
#   WRK_BODY_BYTES=65536 benchmarks/http/cpu-per-request.sh /echo          (POST bodies)
#   benchmarks/http/cpu-per-request.sh /static.txt                         (4 KiB static file)
#   benchmarks/http/cpu-per-request.sh /flask/                             (needs python3-flask)
#   SERVER=apache benchmarks/http/cpu-per-request.sh /hello                  (Apache + mod_wsgi)
#   SERVER=floor-relay benchmarks/http/cpu-per-request.sh /hello             (the design's floor)
#
# SERVER=apache measures Apache + mod_wsgi on the same httpd.conf: "front_end" is then the
# Apache parent and its worker children, "daemons" the mod_wsgi daemon processes (told apart
# by display-name=%{GROUP}, added for this). CPU of a child that exits during the run (an
# event-MPM child stopped as spare, a daemon recycled by maximum-requests) is not counted.
#
# SERVER=floor-plain and SERVER=floor-relay measure floor/front.ts instead (plain: Node
# answers hello itself; relay: Node relays to two single-threaded Python loops that call
# the WSGI app): what tswsgi's design costs at the least, whatever the path (see floor.sh).
# "wrk" is the load generator's own CPU per request: on this machine it shares the cores.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
path="${1:-/hello}" conns="${2:-32}" secs="${3:-5}"
tmp="$(mktemp -d)"
srv=""
stop() { # the server we started, and only it; wait for it to exit before removing its files
  if [ -n "$srv" ] && kill "$srv" 2>/dev/null; then wait "$srv" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap stop EXIT
mkdir -p "$tmp/root" "$tmp/apps"
cp "$repo/examples/hello/hello.wsgi" "$repo/tests/fixtures/apps/echo.wsgi" "$repo/tests/fixtures/apps/big.wsgi" "$tmp/apps/"
# /flask/ (bench.py's Flask hello) when the daemons' Python (python-home=/usr) has Flask.
flask=0
if /usr/bin/python3 -c 'import flask' 2>/dev/null; then
  cp "$repo/examples/flask/app.wsgi" "$tmp/apps/"
  flask=1
fi
# the static-4KiB scenario's file (bench.py STATIC_BYTES)
/usr/bin/python3 -c 'import sys; sys.stdout.buffer.write(bytes((i * 7 + (i >> 5)) % 95 + 32 for i in range(4096)))' > "$tmp/apps/static.txt"
chmod 755 "$tmp" "$tmp/apps"; chmod 644 "$tmp/apps/"*
port="$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
server="${SERVER:-tswsgi}"
user=""
case "$server" in
  tswsgi) ;;
  apache)
    if [ ! -x /usr/sbin/apache2 ] || [ ! -e /usr/lib/apache2/modules/mod_wsgi.so ]; then
      echo "$0: SERVER=apache needs apache2 and libapache2-mod-wsgi-py3 (benchmarks/http/run.sh installs them)" >&2
      exit 2
    fi
    # Apache will not serve as root: its workers and daemons run as www-data (as in run.sh).
    [ "$(id -u)" -ne 0 ] || user='User www-data\nGroup www-data' ;;
  floor-plain | floor-relay) ;;
  *)
    echo "$0: SERVER must be tswsgi, apache, floor-plain or floor-relay, not '$server'" >&2
    exit 2 ;;
esac
sed -e "s#@ROOT@#$tmp/root#g; s#@APPS@#$tmp/apps#g; s#@PORT@#$port#g; s#@USER@#$user#" \
    -e "$([ "$flask" = 1 ] || echo '/flask/d')" -e '/^WSGIDaemonProcess /s/$/ display-name=%{GROUP}/' \
    "$here/httpd.conf.in" > "$tmp/httpd.conf"
if [ "$server" = apache ]; then
  APACHE_RUN_DIR="$tmp/root" APACHE_LOCK_DIR="$tmp/root" APACHE_LOG_DIR="$tmp/root" \
    APACHE_PID_FILE="$tmp/root/httpd.pid" APACHE_RUN_USER=www-data APACHE_RUN_GROUP=www-data \
    /usr/sbin/apache2 -f "$tmp/httpd.conf" -DFOREGROUND > "$tmp/out" 2>&1 &
elif [ "$server" = tswsgi ]; then
  "$repo/bin/tswsgi" -f "$tmp/httpd.conf" -DFOREGROUND > "$tmp/out" 2>&1 &
else
  node "$repo/dist/benchmarks/http/floor/front.js" "$port" "$tmp/root/httpd.pid" "${server#floor-}" /usr/bin/python3 > "$tmp/out" 2>&1 &
fi
srv=$!
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$port/hello" && break; sleep 0.1; done
pid="$(cat "$tmp/root/httpd.pid")"
is_daemon() { # $1: a child of the server. tswsgi: its Python workers (the accept helper is node)
  if [ "$server" = apache ]; then
    grep -q '^(wsgi:' "/proc/$1/cmdline" 2>/dev/null
  else
    ! grep -q '^node' "/proc/$1/cmdline" 2>/dev/null
  fi
}
ticks() { # $1: pid -> utime + stime
  local a b
  read -r a b < <(cut -d' ' -f14,15 "/proc/$1/stat" 2>/dev/null || echo 0 0)
  echo $((a + b))
}
cpu() { # $1: front end only (1) or the whole tree (0)
  local t p
  t="$(ticks "$pid")"
  for p in $(pgrep -P "$pid"); do
    if [ "$1" = 0 ] || ! is_daemon "$p"; then t=$((t + $(ticks "$p"))); fi
  done
  echo "$t"
}
c0="$(cpu 0)" f0="$(cpu 1)"
TIMEFORMAT='%3U %3S'
{ time wrk -t2 -c"$conns" -d"${secs}s" --latency ${WRK_BODY_BYTES:+-s "$here/report.lua"} "http://127.0.0.1:$port$path" > "$tmp/wrk.out" ; } 2> "$tmp/wrk.time"
out="$(cat "$tmp/wrk.out")"
c1="$(cpu 0)" f1="$(cpu 1)"
reqs="$(echo "$out" | grep -oE '^ +[0-9]+ requests' | grep -oE '[0-9]+')"
tick="$(getconf CLK_TCK)"
echo "$out" | grep -E 'Requests/sec|99%'
read -r wu ws < "$tmp/wrk.time"
wrk_us="$(awk -v u="$wu" -v s="$ws" -v n="$reqs" 'BEGIN { printf "%d", (u + s) * 1e6 / n }')"
echo "requests=$reqs cpu_us_per_request total=$(( (c1 - c0) * 1000000 / tick / reqs )) front_end=$(( (f1 - f0) * 1000000 / tick / reqs )) daemons=$(( ((c1 - c0) - (f1 - f0)) * 1000000 / tick / reqs )) wrk=$wrk_us"
