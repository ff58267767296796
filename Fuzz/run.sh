#!/usr/bin/env bash
# Builds the libFuzzer targets (address sanitizer on) in .build-fuzz and runs each for SECONDS
# seconds, starting from the seeds in Fuzz/Corpus/<target>. New inputs go to .build-fuzz/corpus
# (not committed); crashes, hangs, leaks and invariant failures to .build-fuzz/findings/<target>.
# Prints executions per target and exits 1 when any target found something.
#   Fuzz/run.sh [SECONDS] [TARGET...]      (make fuzz SECONDS=N)
set -uo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET=${1:-60}
shift || true
ALL=(FuzzPolicy FuzzDetectors FuzzMIME FuzzMbox FuzzJSONL FuzzCSV FuzzUTF16 FuzzEDM FuzzMilter FuzzZip FuzzOffice FuzzAttachment FuzzRewrite FuzzSheetWindows FuzzScanReport FuzzAuditReport)
TARGETS=("${@:-${ALL[@]}}")
[ $# -eq 0 ] && TARGETS=("${ALL[@]}")
SCRATCH=.build-fuzz
mkdir -p "$SCRATCH"
FLAGS=(--package-path Fuzz --scratch-path "$SCRATCH" -Xswiftc -sanitize=fuzzer,address)
# Inputs that take longer than this are reported as hangs.
TIMEOUT=${FUZZ_TIMEOUT:-20}
status=0
summary=()
for target in "${TARGETS[@]}"; do
  swift build "${FLAGS[@]}" --product "$target" > "$SCRATCH/build-$target.log" 2>&1
  if [ $? -ne 0 ]; then
    grep -E "error:" "$SCRATCH/build-$target.log" | head -5
    summary+=("$target: BUILD FAILED (see $SCRATCH/build-$target.log)"); status=1; continue
  fi
  binary="$SCRATCH/debug/$target"
  work="$SCRATCH/corpus/$target"; findings="$SCRATCH/findings/$target"
  mkdir -p "$work" "$findings"
  log="$SCRATCH/findings/$target.log"
  echo "== $target: ${SECONDS_PER_TARGET}s =="
  # The Swift backtracer is turned off: under ASan it reports its own reads as errors.
  SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 LSAN_OPTIONS=suppressions=Fuzz/lsan.supp "$binary" "$work" "Fuzz/Corpus/$target" \
    -max_total_time="$SECONDS_PER_TARGET" -timeout="$TIMEOUT" -rss_limit_mb=3072 -max_len=65536 \
    -print_final_stats=1 -artifact_prefix="$findings/" >"$log" 2>&1
  rc=$?
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
  if [ $rc -ne 0 ]; then
    status=1
    summary+=("$target: ${execs:-?} executions, ${cov:-?}: FOUND SOMETHING (exit $rc), see $log and $findings/")
    grep -E "ERROR:|invariant failed|Fatal error|SUMMARY" "$log" | head -5
  else
    summary+=("$target: ${execs:-?} executions, ${cov:-?}, nothing found")
  fi
done
echo
echo "== fuzz summary (${SECONDS_PER_TARGET}s per target) =="
printf '%s\n' "${summary[@]}"
exit $status
