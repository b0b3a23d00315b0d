#!/usr/bin/env bash
# benchmarks/http/run.sh: wrk load against Apache + mod_wsgi, gunicorn (gthread) and tswsgi,
# from ONE httpd.conf template (httpd.conf.in). Writes benchmarks/http/results-latest.json.
#
#   benchmarks/http/run.sh [--servers apache,gunicorn,tswsgi] [--duration 10]
#                          [--connections 32,256] [--scenarios hello,flask,big-1MiB,echo-64KiB-POST,static-4KiB]
#
# Installs what is missing from Debian packages (gunicorn comes from python3-gunicorn, which
# runs under /usr/bin/python3 next to python3-flask; no venv needed). The orchestration is in
# bench.py (stdlib Python): free ports, readiness polling, RSS sampling, stop by pid.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

need=()
[ -x /usr/sbin/apache2 ] || need+=(apache2)
[ -e /usr/lib/apache2/modules/mod_wsgi.so ] || need+=(libapache2-mod-wsgi-py3)
command -v wrk >/dev/null 2>&1 || need+=(wrk)
/usr/bin/python3 -c 'import flask' 2>/dev/null || need+=(python3-flask)
/usr/bin/python3 -c 'import gunicorn' 2>/dev/null || need+=(python3-gunicorn)
if [ "${#need[@]}" -gt 0 ]; then
  echo "# installing: ${need[*]}" >&2
  if [ "$(id -u)" -ne 0 ]; then
    echo "run.sh: missing ${need[*]} and not root; install them first" >&2
    exit 2
  fi
  apt-get install -y "${need[@]}" >/dev/null || { apt-get update >/dev/null && apt-get install -y "${need[@]}" >/dev/null; }
fi

exec /usr/bin/python3 "$here/bench.py" "$@"
