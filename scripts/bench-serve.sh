#!/usr/bin/env bash
# bench-serve.sh - `redline serve` speed (issue 18), one of `make bench`'s rows.
#
#   /v1/check: requests/s and p50/p99 latency for 2 KB chat messages at 32 concurrent connections,
#              measured with wrk (Debian's package) and a Lua script that POSTs the JSON body;
#   /v1/batch: MB/s of record bytes through 1,000-record batches (2 connections), against the
#              CLI's `check --input jsonl` over the same records as a JSONL file.
# The server runs on 127.0.0.1 (anonymous callers: loopback only) at its default log level, so each
# request writes its log line (to a file here, as journald would take it).
#
# Usage: scripts/bench-serve.sh [REDLINE_BINARY] [SECONDS]   (default .build/release/redline, 10 s per run)
# Environment: BENCH_DIR (default /tmp/redline-bench), SERVE_CONNECTIONS (32), WRK_THREADS (2).
# Targets: /v1/check >= 5,000 requests/s with p99 < 20 ms; /v1/batch >= 50% of the CLI's MB/s.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${1:-$repo/.build/release/redline}"
seconds="${2:-10}"
connections="${SERVE_CONNECTIONS:-32}"
threads="${WRK_THREADS:-2}"
[ -x "$bin" ] || { echo "bench-serve.sh: $bin is not built (make release)" >&2; exit 2; }
if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" = 0 ]; then apt-get install -y -qq wrk >/dev/null; else echo "bench-serve.sh: install wrk (apt-get install wrk)" >&2; exit 2; fi
fi
work="$(mktemp -d)"
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

# A 2 KB chat reply: ordinary support text with one phone number and one postcode (flagged on chat),
# JSON-escaped once here. 200 records of it (each with another number) make the JSONL and the batch.
python3 - "$work" <<'EOF'
import json, sys
work = sys.argv[1]
base = ("Hi Sam, thanks for getting back to us about order 7731-2290. I've checked with the warehouse and the "
        "replacement kettle left our Leeds depot this morning; the courier will deliver to LS6 2AB between 9am and "
        "1pm tomorrow. If nobody is in, they'll leave a card and you can rebook online or call them on 0113 496 0123. ")
def text(i):
    filler = "We're sorry for the trouble with the first one, and we've added a note to your account so that our " \
             "team knows the history if you need to get in touch again. "
    t = base.replace("0113 496 0123", "0113 496 %04d" % (i % 10000))
    while len(t.encode()) < 2048 - len(filler): t += filler
    return (t + "Kind regards, Alex (Customer Care)" + " " * 2048)[:2048]
assert len(text(1).encode()) == 2048
with open(work + "/check.json", "w") as f: json.dump({"text": text(1), "channel": "chat"}, f)
records = [{"text": text(i), "channel": "chat", "id": str(i)} for i in range(1000)]
with open(work + "/batch.json", "w") as f: json.dump({"records": records}, f)
with open(work + "/records.jsonl", "w") as f:
    for _ in range(20):
        for r in records: f.write(json.dumps(r) + "\n")
with open(work + "/post.lua", "w") as f:
    f.write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
            'local f = io.open(os.getenv("BODY"), "rb")\nwrk.body = f:read("*a")\nf:close()\n'
            'done = function(summary, latency, requests)\n'
            '  io.write(string.format("RESULT requests=%d seconds=%.3f rps=%.1f p50_ms=%.3f p99_ms=%.3f errors=%d non2xx=%d\\n",\n'
            '    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),\n'
            '    latency:percentile(50) / 1000, latency:percentile(99) / 1000,\n'
            '    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout, summary.errors.status))\n'
            'end\n')
EOF

"$bin" serve --listen 127.0.0.1:0 --allow-anonymous --max-inflight 1024 --max-body 16M 2>"$work/serve.log" &
server=$!
port=""
for _ in $(seq 600); do
  port=$(sed -n 's/.*msg=listening.* port=\([0-9]*\).*/\1/p' "$work/serve.log" | head -n 1)
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { cat "$work/serve.log" >&2; echo "bench-serve.sh: the server did not start" >&2; exit 2; }
url="http://127.0.0.1:$port"

run_wrk() { # BODY CONNECTIONS PATH SECONDS -> RESULT line
  BODY="$1" wrk -t "$(( $2 < threads ? $2 : threads ))" -c "$2" -d "${4}s" --timeout 10s -s "$work/post.lua" "$url$3" | grep '^RESULT'
}
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }

echo "== serve: warm-up" >&2
run_wrk "$work/check.json" "$connections" /v1/check 2 >/dev/null
echo "== serve: /v1/check, 2 KB, $connections connections, ${seconds} s" >&2
check=$(run_wrk "$work/check.json" "$connections" /v1/check "$seconds")
echo "== serve: /v1/batch, 1,000 x 2 KB records, 2 connections, ${seconds} s" >&2
batch=$(run_wrk "$work/batch.json" 2 /v1/batch "$seconds")
record_bytes=$(( $(wc -c <"$work/records.jsonl") / 20 ))
batch_mbs=$(awk -v r="$(field rps "$batch")" -v b="$record_bytes" 'BEGIN {printf "%.1f", r * b / 1e6}')
echo "== serve: CLI check --input jsonl over the same records (x20), median of 5 runs" >&2
cat "$work/records.jsonl" >/dev/null
record_file_bytes=$(wc -c <"$work/records.jsonl")
cli_runs=""
for _ in 1 2 3 4 5; do
  t0=${EPOCHREALTIME/,/.}
  "$bin" check --input jsonl --text-field text --channel chat --format jsonl - <"$work/records.jsonl" >/dev/null || true
  t1=${EPOCHREALTIME/,/.}
  cli_runs+="$(awk -v b="$record_file_bytes" -v t0="$t0" -v t1="$t1" 'BEGIN {printf "%.1f", b / (t1 - t0) / 1e6}') "
done
cli_mbs=$(tr ' ' '\n' <<<"$cli_runs" | sed '/^$/d' | sort -n | sed -n 3p)
kill -TERM "$server"; wait "$server" || true; server=""
errors=$(( $(field errors "$check") + $(field non2xx "$check") + $(field errors "$batch") + $(field non2xx "$batch") ))

printf 'serve /v1/check 2KB c%-3s %8.0f req/s  p50 %6.2f ms  p99 %6.2f ms   (%s requests in %s s)\n' "$connections" \
  "$(field rps "$check")" "$(field p50_ms "$check")" "$(field p99_ms "$check")" "$(field requests "$check")" "$(field seconds "$check")"
printf 'serve /v1/batch 1000x2KB  %8s MB/s   CLI check --input jsonl %s MB/s (median of: %s)  ratio %s   (%s batches/s, p99 %s ms)\n' \
  "$batch_mbs" "$cli_mbs" "${cli_runs% }" "$(awk -v a="$batch_mbs" -v b="$cli_mbs" 'BEGIN {printf "%.2f", a / b}')" "$(field rps "$batch")" "$(field p99_ms "$batch")"
echo "serve errors (connection + non-2xx): $errors"
