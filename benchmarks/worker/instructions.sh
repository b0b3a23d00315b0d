#!/usr/bin/env bash
# Instructions per request of the Python worker (valgrind's callgrind: deterministic, unlike
# wall time on a shared VM). Two runs of handle.py that differ only in the request count;
# the difference divided by the extra requests is the per-request cost.
#   benchmarks/worker/instructions.sh [--full]      (needs valgrind: apt-get install valgrind)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
py="${PYTHON:-/usr/bin/python3}"
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
ir() {
  valgrind --tool=callgrind --callgrind-out-file="$out" "$py" "$here/handle.py" "$@" 2>&1 |
    grep -oE 'Collected : [0-9]+' | grep -oE '[0-9]+'
}
a="$(ir "$@" 300)"
b="$(ir "$@" 1300)"
# handle.py runs each count 9 times.
echo "instructions per request: $(( (b - a) / (1000 * 9) ))"
