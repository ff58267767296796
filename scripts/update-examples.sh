#!/usr/bin/env bash
# Regenerates Examples/expected/ from the built binary (embedded uk-default policy).
# ExamplesTests compares the binary's output with these files: review the diff before committing.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${REDLINE_BINARY:-.build/debug/redline}
mkdir -p Examples/expected
for f in Examples/chat/*.txt Examples/drafts/*.txt; do
  name=$(basename "$f" .txt)
  "$bin" check --color never "$f" > "Examples/expected/$name.check.txt" || true
  "$bin" redact --channel chat "$f" > "Examples/expected/$name.chat.redacted.txt" 2>/dev/null
done
"$bin" check --format jsonl --channel-field channel Examples/exports/tickets.jsonl > Examples/expected/tickets.check.jsonl || true
"$bin" redact --channel-field channel --on-block marker Examples/exports/tickets.jsonl > Examples/expected/tickets.redacted.jsonl 2>/dev/null
"$bin" check --channel-field channel Examples/exports/replies.csv > Examples/expected/replies.check.txt || true
"$bin" redact --channel-field channel Examples/exports/replies.csv > Examples/expected/replies.redacted.csv 2>/dev/null
echo "updated Examples/expected/"
