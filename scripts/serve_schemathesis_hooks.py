"""schemathesis hooks for scripts/serve-live-test.py (loaded through SCHEMATHESIS_HOOKS).

- message/rfc822 bodies (/v1/mail) are sent as text, as the text/plain serializer does.
- A channel is any name the policy in force defines; openapi.yaml cannot list them (the policy is
  the server's configuration), so a generated string channel is mapped onto one of the live
  policy's channels (REDLINE_CHANNELS, chosen by the generated value). Everything else stays as
  generated, so a schema-valid request must be accepted and an invalid one refused. The unknown
  channel answer (400 unknown_channel) is covered by the Swift tests.
"""
import json
import os
import zlib

import schemathesis

CHANNELS = json.loads(os.environ["REDLINE_CHANNELS"])

schemathesis.serializer.alias("message/rfc822", "text/plain")


def known(value):
    return CHANNELS[zlib.crc32(repr(value).encode("utf-8", "surrogatepass")) % len(CHANNELS)]


def fix_record(record):
    if isinstance(record, dict) and isinstance(record.get("channel"), str):
        record["channel"] = known(record["channel"])


@schemathesis.hook
def map_case(context, case):
    """Every phase's cases (examples, coverage, fuzzing) pass through here."""
    body = case.body
    fix_record(body)
    if isinstance(body, dict) and isinstance(body.get("records"), list):
        for record in body["records"]:
            fix_record(record)
    if isinstance(case.query, dict) and isinstance(case.query.get("channel"), str):
        case.query["channel"] = known(case.query["channel"])
    return case
