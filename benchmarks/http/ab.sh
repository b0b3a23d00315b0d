#!/usr/bin/env bash
# A/B CPU time per request: this checkout against another commit, alternated.
#
#   benchmarks/http/ab.sh REV [path] [connections] [seconds] [pairs]   (default /hello 32 5 5)
#   WRK_BODY_BYTES=65536 benchmarks/http/ab.sh HEAD~1 /echo              (POST bodies)
#
# Builds REV in a temporary git worktree (node_modules linked from this checkout), then runs
# cpu-per-request.sh on both trees, PAIRS times, the order swapped every pair (the host's
# load drifts within minutes; back-to-back alternation is the only comparison that survives
# it). Prints every run, then the median of each measure per tree and B/A. A is REV, B is
# this checkout as built (run `npx tsc -b` first). The worktree is removed on exit.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
[ $# -ge 1 ] || {
  echo "usage: $0 REV [path] [connections] [seconds] [pairs]" >&2
  exit 2
}
rev="$1" path="${2:-/hello}" conns="${3:-32}" secs="${4:-5}" pairs="${5:-5}"
git -C "$repo" rev-parse --verify --quiet "$rev^{commit}" >/dev/null || {
  echo "$0: '$rev' is not a commit" >&2
  exit 2
}
[ -d "$repo/node_modules" ] || {
  echo "$0: no node_modules in $repo (run npm ci)" >&2
  exit 2
}
tmp="$(mktemp -d)"
tree="$tmp/a"
cleanup() {
  git -C "$repo" worktree remove --force "$tree" >/dev/null 2>&1 || true
  git -C "$repo" worktree prune >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
git -C "$repo" worktree add --quiet --detach "$tree" "$rev"
ln -s "$repo/node_modules" "$tree/node_modules"
(cd "$tree" && npx --no-install tsc -b) || {
  echo "$0: $rev does not build" >&2
  exit 1
}
[ -x "$tree/benchmarks/http/cpu-per-request.sh" ] || {
  echo "$0: $rev has no benchmarks/http/cpu-per-request.sh" >&2
  exit 1
}

run() { # $1: A or B
  local dir="$repo"
  [ "$1" = A ] && dir="$tree"
  local out
  out="$("$dir/benchmarks/http/cpu-per-request.sh" "$path" "$conns" "$secs" 2>&1 | tail -2 | tr '\n' ' ')"
  echo "$1 $out"
  echo "$1 $out" >>"$tmp/runs"
}
echo "# A = $rev ($(git -C "$repo" rev-parse --short "$rev")), B = this checkout; $path -c$conns ${secs}s, $pairs pairs"
for i in $(seq 1 "$pairs"); do
  if [ $((i % 2)) -eq 1 ]; then
    run A
    run B
  else
    run B
    run A
  fi
done
# Medians per tree, and B/A.
/usr/bin/python3 - "$tmp/runs" <<'EOF'
import re, statistics, sys
runs = {"A": {}, "B": {}}
for line in open(sys.argv[1]):
    tree = line[0]
    for key, val in re.findall(r"(Requests/sec|total|front_end|daemons)[:=]\s*([0-9.]+)", line):
        runs[tree].setdefault(key, []).append(float(val))
keys = ["Requests/sec", "total", "front_end", "daemons"]
print("# median        " + "".join(f"{k:>14}" for k in keys))
for tree in "AB":
    print(f"# {tree}             " + "".join(
        f"{statistics.median(runs[tree][k]):>14.1f}" if runs[tree].get(k) else f"{'-':>14}"
        for k in keys))
print("# B/A           " + "".join(
    f"{statistics.median(runs['B'][k]) / statistics.median(runs['A'][k]):>14.3f}"
    if runs["A"].get(k) and runs["B"].get(k) and statistics.median(runs["A"][k]) else f"{'-':>14}"
    for k in keys))
EOF
