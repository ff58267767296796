#!/usr/bin/env bash
# bench-scan.sh - `redline scan` with 1 job against 2 jobs (part of `make bench`).
#
# Generates (once) a Maildir of SCAN_COUNT messages from the benchmark's JSONL corpus with
# scripts/gen_eml.py, then runs `redline scan --format jsonl` on it with --jobs 1 and --jobs 2,
# alternating, RUNS times each (unpinned: the point is to use both cores), and prints the median,
# minimum and maximum wall time of each and the throughput ratio of the medians.
#
# Usage: scripts/bench-scan.sh BIN [RUNS]
# Environment: BENCH_DIR (default /tmp/redline-bench; the corpus must exist there, see compare.sh),
#   BENCH_SEED (default 20240601), SCAN_COUNT (default 10000).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${1:?usage: scripts/bench-scan.sh BIN [RUNS]}"
runs="${2:-5}"
dir="${BENCH_DIR:-/tmp/redline-bench}"
corpus="$dir/corpus-50M-s${BENCH_SEED:-20240601}.jsonl"
count="${SCAN_COUNT:-10000}"
[ -s "$corpus" ] || { echo "bench-scan.sh: $corpus is missing (run ../shared/bench/compare.sh once)" >&2; exit 2; }
maildir="$dir/maildir-$count"
if [ "$(find "$maildir/cur" -type f 2>/dev/null | wc -l)" != "$count" ]; then
  echo "== generating a Maildir of $count messages in $maildir" >&2
  rm -rf "$maildir"
  python3 "$repo/scripts/gen_eml.py" --count "$count" --jsonl "$corpus" --out "$maildir" --maildir
fi
bytes=$(cat "$maildir"/cur/* | wc -c)
cat "$maildir"/cur/* >/dev/null   # warm the page cache for both sides alike

times1=() times2=()
for _ in $(seq "$runs"); do
  for jobs in 1 2; do
    t0=${EPOCHREALTIME/,/.}
    "$bin" scan --jobs "$jobs" --format jsonl "$maildir" >/dev/null 2>&1 || [ $? -le 1 ]
    t1=${EPOCHREALTIME/,/.}
    t=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", b - a}')
    if [ "$jobs" = 1 ]; then times1+=("$t"); else times2+=("$t"); fi
  done
done
stats() { printf '%s\n' "$@" | sort -n | awk '{v[NR] = $1} END {printf "%.3f %.3f %.3f", v[int((NR + 1) / 2)], v[1], v[NR]}'; }
read -r med1 min1 max1 <<<"$(stats "${times1[@]}")"
read -r med2 min2 max2 <<<"$(stats "${times2[@]}")"
awk -v n="$count" -v b="$bytes" -v m1="$med1" -v a1="$min1" -v z1="$max1" -v m2="$med2" -v a2="$min2" -v z2="$max2" -v r="$runs" 'BEGIN {
  printf "%-22s %s messages, %.1f MB, %d runs each (median, min-max wall)\n", "scan Maildir", n, b / 1e6, r
  printf "%-22s %.3f s (%.3f-%.3f)  %6.0f messages/s\n", "  --jobs 1", m1, a1, z1, n / m1
  printf "%-22s %.3f s (%.3f-%.3f)  %6.0f messages/s\n", "  --jobs 2", m2, a2, z2, n / m2
  printf "%-22s %.2fx (from the medians; worst pair %.2fx, best %.2fx)\n", "  2 jobs / 1 job", m1 / m2, a1 / z2, z1 / a2
}'
