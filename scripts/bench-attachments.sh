#!/usr/bin/env bash
# Attachment rows for scripts/bench.sh (issue 13): XLSX and DOCX extraction speed (MB/s of
# uncompressed XML, one core), the milter's decision on a message with a 20 MB XLSX, peak memory
# of `redline check` on a 1 GB ZIP of CSVs, and a nested zip bomb rejected (time, peak memory);
# an XLSX redacted in place, alone and through the mail path.
#   scripts/bench-attachments.sh BIN_DIR WORK_DIR     (BIN_DIR holds redline and redline-extract-bench)
set -uo pipefail
bindir=$1
work=$2
bench="$bindir/redline-extract-bench"
bin="$bindir/redline"
pin=()
command -v taskset >/dev/null && pin=(taskset -c 0)
if [ ! -x "$bench" ]; then
  echo "attachments: skipped ($bench is not built)"
  exit 0
fi
"${pin[@]}" "$bench" speed
"${pin[@]}" "$bench" milter
"${pin[@]}" "$bench" rewrite

# 1 GB of CSV text in a ZIP (python3's zipfile streams it; mostly clean rows, a few with PII).
big="$work/export-1GB.zip"
python3 - "$big" <<'PY'
import sys, zipfile
rows = []
for i in range(20000):
    note = "card 4111 1111 1111 1111" if i % 5000 == 0 else "order %d delivered, thank you" % (300000 + i)
    rows.append("%d,customer%d@example.com,%s\n" % (i, i % 977, note))
block = ("ticket,email,notes\n" + "".join(rows)).encode()
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
    for part in range(4):
        with archive.open("2026/tickets-%d.csv" % part, "w", force_zip64=True) as member:
            written = 0
            while written < 256 * 1024 * 1024:
                member.write(block)
                written += len(block)
PY
t0=${EPOCHREALTIME/,/.}
/usr/bin/time -v -o "$work/big.time" "$bin" check --format jsonl "$big" > "$work/big.out" 2> "$work/big.err"
t1=${EPOCHREALTIME/,/.}
rss=$(awk -F': *' '/Maximum resident set size/ {printf "%.1f", $2 / 1024}' "$work/big.time")
found=$(grep -c '"detector"' "$work/big.out")
awk -v t0="$t0" -v t1="$t1" -v r="$rss" -v f="$found" -v z="$(stat -c %s "$big")" \
  'BEGIN {printf "zip-1GB-csv          peak %s MiB, %.1f s, %.1f MB/s of CSV (ZIP %.0f MB, %d findings)\n", r, t1 - t0, 1073741824 / (t1 - t0) / 1e6, z / 1e6, f}'
rm -f "$big"

# A nested zip bomb shaped like 42.zip: 16 archives per level, 5 levels, 4 GiB of zeros at the bottom.
bomb="$work/bomb.zip"
"$bench" bomb "$bomb" > "$work/bomb.txt"
t0=${EPOCHREALTIME/,/.}
/usr/bin/time -v -o "$work/bomb.time" "$bin" check "$bomb" > /dev/null 2> "$work/bomb.err"
status=$?
t1=${EPOCHREALTIME/,/.}
rss=$(awk -F': *' '/Maximum resident set size/ {printf "%.1f", $2 / 1024}' "$work/bomb.time")
code=$(grep -o 'X0[0-9][0-9]' "$work/bomb.err" | head -1)
awk -v t0="$t0" -v t1="$t1" -v r="$rss" -v c="${code:-none}" -v s="$status" -v k="$(( $(stat -c %s "$bomb") / 1024 ))" \
  'BEGIN {printf "zip-bomb-%dKB        rejected in %.2f s, peak %s MiB (diagnostic %s, exit %d)\n", k, t1 - t0, r, c, s}'
