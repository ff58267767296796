#!/usr/bin/env bash
# Check a chat reply with redline serve before the agent's console posts it.
# Usage: REDLINE_TOKEN=... ./check-before-send.sh "reply text" [channel]
# Exit 0: send it (allow/flag); 1: do not send it as is (redact/block: the answer says why); 2: error.
set -euo pipefail
url=${REDLINE_URL:-http://127.0.0.1:8080}
body=$(python3 -c 'import json,sys; print(json.dumps({"text": sys.argv[1], "channel": sys.argv[2]}))' "$1" "${2:-chat}")
answer=$(curl -sS --fail-with-body -H "Authorization: Bearer ${REDLINE_TOKEN:?set REDLINE_TOKEN}" \
  -H 'Content-Type: application/json' --data-binary "$body" "$url/v1/check") || { echo "$answer" >&2; exit 2; }
verdict=$(printf '%s' "$answer" | python3 -c 'import json,sys; print(json.load(sys.stdin)["verdict"])')
echo "verdict: $verdict"
case "$verdict" in
  allow|flag) exit 0 ;;
  *) printf '%s' "$answer" | python3 -c 'import json,sys; [print("  " + m) for m in json.load(sys.stdin)["messages"]]'; exit 1 ;;
esac
