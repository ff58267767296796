#!/usr/bin/env python3
"""Call redline serve's /v1/check before posting a chat reply (standard library only).

    REDLINE_TOKEN=... python3 check_before_send.py "Thanks, your refund is on its way" chat

send_reply() posts only when redline allows it (allow or flag); on redact it offers the redacted
text from /v1/redact instead; on block it shows the policy's messages to the agent.
"""
import json
import os
import sys
import urllib.request

URL = os.environ.get("REDLINE_URL", "http://127.0.0.1:8080")
TOKEN = os.environ.get("REDLINE_TOKEN", "")


def call(path, payload):
    request = urllib.request.Request(
        URL + path,
        data=json.dumps(payload).encode("utf-8"),
        headers={"Authorization": "Bearer " + TOKEN, "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.load(response)


def send_reply(text, channel="chat", post=print):
    """Returns the verdict; calls post(text) with what may be sent, if anything."""
    decision = call("/v1/check", {"text": text, "channel": channel})
    verdict = decision["verdict"]
    if verdict in ("allow", "flag"):
        post(text)
    elif verdict == "redact":
        post(call("/v1/redact", {"text": text, "channel": channel})["text"])
    else:
        for message in decision["messages"]:
            print("not sent: " + message, file=sys.stderr)
    for finding in decision["findings"]:
        # Offsets and masked excerpts only: the API never returns the value itself.
        print(f"  {finding['detector']} at {finding['start']}-{finding['end']}: {finding['excerpt']} ({finding['action']})",
              file=sys.stderr)
    return verdict


if __name__ == "__main__":
    print("verdict:", send_reply(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "chat"), file=sys.stderr)
