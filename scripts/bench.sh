#!/usr/bin/env bash
# bench.sh - the Redline speed benchmark (`make bench`).
#
# Builds redline in release mode, builds/uses the C PCRE2-JIT reference from ../shared/bench
# (compare.sh builds it when it is missing or stale), and prints for one run (each timed row is
# compare.sh's alternating repetitions, both sides pinned with `taskset -c 0`):
#   - MB/s and peak RSS for `redline check` and `redline redact` on the text corpus and on the
#     JSONL corpus, the reference's MB/s measured in the same run, and the ratio;
#   - messages/s for a few hundred generated .eml files (skipped, with a message, while
#     `check --input eml` is not wired), with the reference over the same bytes;
#   - finding counts per detector (from the `--format jsonl` summary lines);
#   - peak RSS streaming 1 GB (the text corpus 20 times through a pipe);
#   - `scan` with 1 job against 2 jobs on a 10,000-message Maildir (scripts/bench-scan.sh);
#   - the milter's decision for a 50 KB message in process (redline-decision-bench);
#   - exact data match: index build time, memory and size, load, and check throughput with an
#     exact_data detector over a 1,000,000-row index (scripts/bench-edm.sh);
#   - redline serve: /v1/check requests/s and p50/p99 for 2 KB messages at 32 connections (wrk),
#     /v1/batch MB/s against the CLI's check --input jsonl on the same records (scripts/bench-serve.sh).
#
# Usage: scripts/bench.sh [--runs N] [--scan-runs N] [--bin PATH] [--no-1g] [--no-build]
#   --runs N     repetitions per timed row (default 3; compare.sh alternates reference and redline)
#   --bin PATH   use this redline binary (implies --no-build)
#   --no-1g      skip the 1 GB streaming measurement
#   --scan-runs N  runs of each of `scan --jobs 1` and `--jobs 2` (default 5; scripts/bench-scan.sh)
# Environment: BENCH_DIR (default /tmp/redline-bench), SHARED_BENCH (default ../shared/bench),
#   EML_COUNT (default 300), STREAM_COPIES (default 20), EDM_ROWS (default 1000000).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
shared="${SHARED_BENCH:-$repo/../shared/bench}"
[ -x "$shared/compare.sh" ] || { echo "bench.sh: $shared/compare.sh not found (set SHARED_BENCH)" >&2; exit 2; }
export BENCH_DIR="${BENCH_DIR:-/tmp/redline-bench}"
mkdir -p "$BENCH_DIR"
export BENCH_DIR="$(cd "$BENCH_DIR" && pwd)"
runs=3 bin="" build=1 big=1 scan_runs=5
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --scan-runs) scan_runs="$2"; shift 2 ;;
    --bin) bin="$2"; build=0; shift 2 ;;
    --no-1g) big=0; shift ;;
    --no-build) build=0; shift ;;
    -h|--help) sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
done
if [ "$build" = 1 ]; then
  echo "== building redline (release)" >&2
  swift build -c release --product redline >&2
fi
if [ "$build" = 1 ]; then
  swift build -c release --product redline-decision-bench >&2 || echo "bench.sh: redline-decision-bench did not build" >&2
  swift build -c release --product redline-extract-bench >&2 || echo "bench.sh: redline-extract-bench did not build" >&2
fi
bin="${bin:-$repo/.build/release/redline}"
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"
[ -x "$bin" ] || { echo "bench.sh: $bin is not built" >&2; exit 2; }

pin=()
command -v taskset >/dev/null && pin=(taskset -c 0)
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
corpus_txt="$BENCH_DIR/corpus-50M-s${BENCH_SEED:-20240601}.txt"
corpus_jsonl="$BENCH_DIR/corpus-50M-s${BENCH_SEED:-20240601}.jsonl"
ref="${BENCH_BUILD:-$BENCH_DIR/build}/pcre2_scan"

# row NAME [--jsonl] -- COMMAND...: one compare.sh run; keeps its output, prints a table row.
declare -a rows=()
row() {
  local name="$1"; shift
  local flags=()
  [ "$1" = --jsonl ] && { flags=(--jsonl); shift; }
  [ "$1" = -- ] && shift
  echo "== $name: $*" >&2
  # taskset on compare.sh pins both sides (reference and redline) to core 0.
  "${pin[@]}" "$shared/compare.sh" --runs "$runs" "${flags[@]}" -- "$@" >"$out/$name.txt" 2>&1 \
    || { cat "$out/$name.txt" >&2; echo "bench.sh: compare.sh failed for $name" >&2; exit 2; }
  local ref_mbs cmd_mbs cmd_rss ratio
  ref_mbs=$(awk '$1 == "reference" && NF == 5 {print $3}' "$out/$name.txt")
  read -r cmd_mbs cmd_rss <<<"$(awk '$1 == "command" && NF == 5 {print $3, $4}' "$out/$name.txt")"
  ratio=$(sed -n 's/^ratio=//p' "$out/$name.txt")
  rows+=("$(printf '%-22s %9s %9s %10s %8s' "$name" "$cmd_mbs" "$ref_mbs" "$cmd_rss" "$ratio")")
}

# Timed rows. The reference side: compare.sh runs `pcre2_scan regexes.txt -` on the same input.
# `check` rows: the default text report (as people run it) and the JSONL report (every finding
# with its confidence, about 40 MB of output for the 50 MB corpus).
row check-text -- "$bin" check -
row check-text-jsonl-out -- "$bin" check --format jsonl -
row redact-text -- "$bin" redact -
row check-jsonl --jsonl -- "$bin" check --input jsonl --text-field text -
row check-jsonl-jsonl-out --jsonl -- "$bin" check --input jsonl --text-field text --format jsonl -
row redact-jsonl --jsonl -- "$bin" redact --input jsonl --text-field text -

# Finding counts per detector (untimed runs; detection results must never change).
counts() {
  python3 -c 'import json,sys
s=json.loads(sys.stdin.read().strip().splitlines()[-1])
print("findings=%d " % s["findings"] + " ".join("%s=%d" % kv for kv in sorted(s["by_detector"].items())))'
}
set +e
counts_text=$("$bin" check --format jsonl - <"$corpus_txt" | tail -n 1 | counts)
counts_jsonl=$("$bin" check --input jsonl --text-field text --format jsonl - <"$corpus_jsonl" | tail -n 1 | counts)
set -e

# .eml messages: generated once from the JSONL corpus's e-mail records.
eml_dir="$BENCH_DIR/eml"
eml_count="${EML_COUNT:-300}"
if [ "$(find "$eml_dir" -name '*.eml' 2>/dev/null | wc -l)" != "$eml_count" ]; then
  rm -rf "$eml_dir"; mkdir -p "$eml_dir"
  python3 "$repo/scripts/gen_eml.py" --count "$eml_count" --jsonl "$corpus_jsonl" --out "$eml_dir"
fi
eml_bytes=$(cat "$eml_dir"/*.eml | wc -c)
eml_row="eml (check)            skipped: 'redline check --input eml' is not wired yet"
set +e
probe=$("$bin" check --input eml --format jsonl "$eml_dir/msg-0001.eml" 2>&1 >/dev/null)
probe_rc=$?
set -e
if [ "$probe_rc" -le 1 ]; then
  now() { echo "${EPOCHREALTIME/,/.}"; }
  cat "$eml_dir"/*.eml >/dev/null
  t0=$(now); "${pin[@]}" "$bin" check --input eml --format jsonl "$eml_dir"/*.eml | cat >/dev/null || true; t1=$(now)
  cat "$eml_dir"/*.eml >"$out/eml.all"
  r0=$(now); "${pin[@]}" "$ref" "$shared/regexes.txt" - <"$out/eml.all" >/dev/null 2>&1; r1=$(now)
  eml_row=$(awk -v n="$eml_count" -v b="$eml_bytes" -v t0="$t0" -v t1="$t1" -v r0="$r0" -v r1="$r1" \
    'BEGIN {t = t1 - t0; r = r1 - r0; printf "%-22s %9.1f %9.1f %10s %8.2f   (%.0f messages/s; reference %.0f messages/s)", "eml (check)", b/t/1e6, b/r/1e6, "-", r/t, n/t, n/r}')
else
  eml_row="$eml_row ($(echo "$probe" | head -n 1))"
fi

# 1 GB streaming: the text corpus STREAM_COPIES times through a pipe.
stream_rows=()
if [ "$big" = 1 ]; then
  copies="${STREAM_COPIES:-20}"
  total=$(( $(stat -c %s "$corpus_txt") * copies ))
  for mode in check redact; do
    echo "== 1 GB streaming: $mode" >&2
    args=(check --format jsonl -)
    [ "$mode" = redact ] && args=(redact -)
    t0=${EPOCHREALTIME/,/.}
    for _ in $(seq "$copies"); do cat "$corpus_txt"; done \
      | /usr/bin/time -v -o "$out/stream-$mode.time" "$bin" "${args[@]}" 2>/dev/null | cat >/dev/null || true
    t1=${EPOCHREALTIME/,/.}
    rss=$(awk -F': *' '/Maximum resident set size/ {printf "%.1f", $2 / 1024}' "$out/stream-$mode.time")
    stream_rows+=("$(awk -v m="$mode" -v b="$total" -v t0="$t0" -v t1="$t1" -v r="$rss" \
      'BEGIN {t = t1 - t0; printf "%-22s %9.1f %9s %10s %8s   (%.2f GB in %.1f s)", "stream-1GB-" m, b/t/1e6, "-", r, "-", b/1e9, t}')")
  done
fi

# scan: 1 job against 2 jobs on a 10,000-message Maildir (unpinned: it is about using both cores).
echo "== scan: --jobs 1 against --jobs 2" >&2
scan_rows=$("$repo/scripts/bench-scan.sh" "$bin" "$scan_runs")

# Exact data match: index build, size and load, and check throughput with an exact_data detector.
echo "== exact data match (scripts/bench-edm.sh)" >&2
edm_rows=$("$repo/scripts/bench-edm.sh" "$bin" "$runs" || echo "exact data match: bench-edm.sh failed")

# Milter decision for a 50 KB message, in process (no process start-up, no I/O).
decision="$(dirname "$bin")/redline-decision-bench"
decision_rows="milter decision: skipped ($decision is not built)"
[ -x "$decision" ] && decision_rows=$("${pin[@]}" "$decision" --iterations 200 | sed 's/^/milter decision, MailProcessor./')

# Attachments: extraction speed, milter decision with a 20 MB XLSX, 1 GB ZIP of CSVs, a zip bomb.
echo "== attachments" >&2
attachment_rows=$("$repo/scripts/bench-attachments.sh" "$(dirname "$bin")" "$out")

# redline serve: wrk against /v1/check, /v1/batch against the CLI on the same records (unpinned: two cores).
echo "== redline serve (scripts/bench-serve.sh)" >&2
serve_rows=$("$repo/scripts/bench-serve.sh" "$bin" || echo "redline serve: bench-serve.sh failed")

echo
echo "redline:   $bin ($("$bin" --version 2>/dev/null || echo '?'))"
echo "machine:   $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(. /etc/os-release && echo "$PRETTY_NAME")"
echo "runs:      $runs per timed row (compare.sh, alternating with the reference, both pinned to core 0)"
echo
printf '%-22s %9s %9s %10s %8s\n' "row" "MB/s" "ref MB/s" "peak MiB" "ratio"
for r in "${rows[@]}"; do echo "$r"; done
echo "$eml_row"
for r in "${stream_rows[@]}"; do echo "$r"; done
echo "$scan_rows"
echo "$decision_rows"
echo "$attachment_rows"
echo "$edm_rows"
echo "$serve_rows"
echo
echo "findings (text):  $counts_text"
echo "findings (jsonl): $counts_jsonl"
echo "targets: check-text >= 3.0, redact-text >= 2.5, check-jsonl >= 2.0, stream peak < 64 MiB, scan 2 jobs / 1 job >= 1.8 (median of 5),"
echo "         milter check median <= 2 ms; XLSX/DOCX extraction >= 20 MB/s of XML, milter with a 20 MB XLSX < 2 s,"
echo "         1 GB ZIP of CSVs peak < 128 MiB, nested zip bomb rejected < 1 s and < 64 MiB;"
echo "         edm build <= 30 s and <= 512 MB, index <= 48 bytes per cell, check+edm >= 60% of check;"
echo "         serve /v1/check >= 5,000 req/s with p99 < 20 ms at 32 connections, /v1/batch >= 50% of the CLI's MB/s"
