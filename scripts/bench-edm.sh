#!/usr/bin/env bash
# bench-edm.sh - the exact data match rows of `make bench` (called by scripts/bench.sh).
#
# With a generated, clearly fake customer table of EDM_ROWS rows (default 1,000,000; cached in
# BENCH_DIR) it measures:
#   - `redline edm build` of 6 columns: wall seconds and peak RSS (targets: <= 30 s, <= 512 MB),
#     with the CPU seconds (user + system) and the load average beside them (wall time on a shared
#     machine is mostly waiting);
#   - index bytes per indexed cell (target <= 48);
#   - loading the index: `policy check` of a policy using it (process start and checksum included);
#   - `check` on the text bench corpus with Policies/uk-default.yaml, and with the same policy plus
#     an exact_data detector over the index, each against the C reference (compare.sh); the second
#     must keep >= 60% of the first's throughput.
# Usage: scripts/bench-edm.sh REDLINE_BINARY [RUNS]
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="$1"; runs="${2:-3}"
shared="${SHARED_BENCH:-$repo/../shared/bench}"
export BENCH_DIR="${BENCH_DIR:-/tmp/redline-bench}"
mkdir -p "$BENCH_DIR"
rows="${EDM_ROWS:-1000000}"
pin=()
command -v taskset >/dev/null && pin=(taskset -c 0)
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
export REDLINE_KEY="bench-edm-key-not-secret"

csv="$BENCH_DIR/edm-customers-$rows.csv"
if [ ! -s "$csv" ]; then
  echo "== generating $rows fake customers" >&2
  python3 "$repo/scripts/gen-edm-customers.py" --rows "$rows" --seed 7 --output "$csv.tmp" && mv "$csv.tmp" "$csv"
fi
index="$out/customers.edm"
columns="customer_id:digits,full_name:name,email:email,phone:phone,postcode:postcode,date_of_birth:date"
echo "== edm build: $rows rows x 6 columns" >&2
cat "$csv" >/dev/null
/usr/bin/time -v -o "$out/build.time" "${pin[@]}" "$bin" edm build "$csv" --columns "$columns" --output "$index" >"$out/build.out" 2>"$out/build.err" \
  || { cat "$out/build.err" >&2; echo "bench-edm.sh: edm build failed" >&2; exit 2; }
build_s=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s}' "$out/build.time")
build_cpu=$(awk -F': ' '/User time|System time/ {s += $2} END {print s}' "$out/build.time")
build_load=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo '?')
build_rss=$(awk -F': *' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$out/build.time")
cells=$(sed -n 's/.* \([0-9]*\) cells indexed.*/\1/p' "$out/build.out")
bytes=$(stat -c %s "$index")

# uk-default plus an exact_data detector over the index, redacted on external channels.
policy="$out/edm-policy.yaml"
python3 - "$repo/Policies/uk-default.yaml" "$policy" "$index" <<'PY'
import sys
text = open(sys.argv[1]).read()
detector = """detectors:
  customer:
    kind: exact_data
    index: %s
    primary: [customer_id, email, phone]
    corroborate: [full_name, postcode, date_of_birth]
    min_corroborating: 1
    window: 300
""" % sys.argv[3]
rule = """rules:
  - id: customer-record
    detectors: [customer]
    channels: { external: true }
    action: redact
"""
text = text.replace("detectors:\n", detector, 1).replace("\nrules:\n", "\n" + rule, 1)
open(sys.argv[2], "w").write(text)
PY
t0=${EPOCHREALTIME/,/.}
"$bin" policy check "$policy" >/dev/null
t1=${EPOCHREALTIME/,/.}
t2=${EPOCHREALTIME/,/.}
"$bin" policy check "$repo/Policies/uk-default.yaml" >/dev/null
t3=${EPOCHREALTIME/,/.}

compare() {
  "${pin[@]}" "$shared/compare.sh" --runs "$runs" -- "$@" >"$out/cmp.txt" 2>&1 || { cat "$out/cmp.txt" >&2; exit 2; }
  local ref cmd rss ratio
  ref=$(awk '$1 == "reference" && NF == 5 {print $3}' "$out/cmp.txt")
  read -r cmd rss <<<"$(awk '$1 == "command" && NF == 5 {print $3, $4}' "$out/cmp.txt")"
  ratio=$(sed -n 's/^ratio=//p' "$out/cmp.txt")
  echo "$cmd $ref $rss $ratio"
}
echo "== check: uk-default" >&2
read -r base_mbs base_ref base_rss base_ratio <<<"$(compare "$bin" check --policy "$repo/Policies/uk-default.yaml" -)"
echo "== check: uk-default + exact_data" >&2
read -r edm_mbs edm_ref edm_rss edm_ratio <<<"$(compare "$bin" check --policy "$policy" -)"

awk -v rows="$rows" -v s="$build_s" -v cpu="$build_cpu" -v bload="$build_load" -v rss="$build_rss" -v cells="$cells" -v bytes="$bytes" \
    -v load="$(awk -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" 'BEGIN {printf "%.3f %.3f", b - a, d - c}')" \
    -v bm="$base_mbs" -v br="$base_ref" -v brss="$base_rss" -v bq="$base_ratio" \
    -v em="$edm_mbs" -v er="$edm_ref" -v erss="$edm_rss" -v eq="$edm_ratio" 'BEGIN {
  split(load, l, " ")
  printf "%-22s %9.1f s  peak %6s MiB   (%d rows x 6 columns; targets <= 30 s, <= 512 MB; %.1f s CPU, load %s)\n", "edm-build", s, rss, rows, cpu, bload
  printf "%-22s %9.1f bytes per indexed cell (%d cells, %.1f MB; target <= 48)\n", "edm-index", bytes / cells, cells, bytes / 1e6
  printf "%-22s %9.3f s  policy check with the index (%.3f s without: process start, policy compile)\n", "edm-load", l[1], l[2]
  printf "%-22s %9s %9s %10s %8s\n", "check-text-uk-default", bm, br, brss, bq
  printf "%-22s %9s %9s %10s %8s   keeps %.0f%% of the throughput (target >= 60%%)\n", "check-text+edm", em, er, erss, eq, 100 * em / bm
}'
