#!/usr/bin/env bash
# milter-integration.sh: `redline milter` against a real Postfix (Debian 12's 3.7), on loopback only.
#
# Uses the shared harness (../shared/mail, or $REDLINE_MAIL_HARNESS): a private Postfix instance
# that listens on 127.0.0.1 only, relays nowhere and delivers to local test Maildirs. Steps:
#   1. install postfix + swaks with apt-get if missing (root; noninteractive, "No configuration")
#   2. start `redline milter` with Examples/postfix/harness-policy.yaml, wait until it listens
#   3. setup-postfix.sh, send-cases.sh, check.sh: 17 cases over SMTP and the sendmail command
#      (clean mail byte-identical, cards rejected with the rule's text, NI numbers redacted)
#   4. override cases (issue 19), with SASL: the script gives the Postfix instance a Cyrus sasldb
#      login 'harness-lead' (the policy's team-leads; sasl2-bin installed if missing). A blocked
#      message with the lead's X-Redline-Override, sent after SMTP AUTH, is delivered flagged
#      (X-Redline-Verdict: flag, X-Redline-Overridden) without the override header, body
#      byte-identical; the lead's with a justification too short, and the same override sent
#      without AUTH (sender 'default'), are rejected with 550 saying why
#   5. fail-closed: milter stopped -> every SMTP case gets 4xx, every sendmail case stays queued
#   6. teardown (only the harness instance and the milter this script started)
# Ends with the plain line "N passed, N failed". Exit 0 only if every case passed.
# Not root: prints why and exits 0 (a developer's `make test` still runs the Swift tests).
# Environment: REDLINE_BIN (default .build/debug/redline), MILTER_IT_SMTP_PORT (2526),
# MILTER_IT_MILTER_PORT (8893), REDLINE_MAIL_HARNESS, REDLINE_REQUIRE_POSTFIX=1 to fail instead of skip.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO="$(pwd)"
BIN="${REDLINE_BIN:-$REPO/.build/debug/redline}"
SMTP_PORT="${MILTER_IT_SMTP_PORT:-2526}"
MILTER_PORT="${MILTER_IT_MILTER_PORT:-8893}"
HARNESS="${REDLINE_MAIL_HARNESS:-$REPO/../shared/mail}"
POLICY="$REPO/Examples/postfix/harness-policy.yaml"
REQUIRE="${REDLINE_REQUIRE_POSTFIX:-${CI:-}}"

skip() {
    echo "milter-integration: skipped: $*"
    if [ "$REQUIRE" = 1 ] || [ "$REQUIRE" = true ]; then exit 1; fi
    exit 0
}
[ "$(id -u)" = 0 ] || skip "needs root (Postfix instance, apt-get); run: sudo $0"
[ -x "$HARNESS/setup-postfix.sh" ] || skip "no mail harness at $HARNESS (set REDLINE_MAIL_HARNESS)"
[ -x "$BIN" ] || { echo "milter-integration: $BIN not built (swift build --product redline)" >&2; exit 1; }

if ! command -v postfix >/dev/null 2>&1 && [ ! -x /usr/sbin/postfix ] || ! command -v swaks >/dev/null 2>&1; then
    echo "== milter-integration: installing postfix and swaks (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
    apt-get update -qq
    apt-get install -y -qq postfix swaks iproute2 python3 >/dev/null
fi
if ! command -v saslpasswd2 >/dev/null 2>&1 && [ ! -x /usr/sbin/saslpasswd2 ]; then
    echo "== milter-integration: installing sasl2-bin (Cyrus sasldb for the SASL override case)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq sasl2-bin libsasl2-modules >/dev/null || { apt-get update -qq && apt-get install -y -qq sasl2-bin libsasl2-modules >/dev/null; }
fi

listening() { ss -Hltn "sport = :$1" 2>/dev/null | grep -q ":$1"; }
listening "$SMTP_PORT" && { echo "milter-integration: port $SMTP_PORT is busy (set MILTER_IT_SMTP_PORT)" >&2; exit 1; }
listening "$MILTER_PORT" && { echo "milter-integration: port $MILTER_PORT is busy (set MILTER_IT_MILTER_PORT)" >&2; exit 1; }

export REDLINE_MAIL_STATE="${TMPDIR:-/tmp}/redline-milter-it"
LOG="$REDLINE_MAIL_STATE-milter.log"
MILTER=""
cleanup() {
    if [ -n "$MILTER" ] && kill -0 "$MILTER" 2>/dev/null; then kill -TERM "$MILTER"; wait "$MILTER" 2>/dev/null || true; fi
    "$HARNESS/teardown.sh" ${KEEP:+--keep-state} >/dev/null 2>&1 || true
}
trap cleanup EXIT

start_milter() {
    "$BIN" milter --listen "inet:$MILTER_PORT@127.0.0.1" --policy "$POLICY" --scan-timeout 20 2>>"$LOG" &
    MILTER=$!
    for _ in $(seq 1 100); do listening "$MILTER_PORT" && return 0; kill -0 "$MILTER" 2>/dev/null || break; sleep 0.1; done
    echo "milter-integration: redline milter did not start; its log:" >&2
    cat "$LOG" >&2
    exit 1
}

: > "$LOG"
# SASL for the override cases (issue 19): a Cyrus sasldb with one login, 'harness-lead' (the
# policy's team-leads), offered over plain SMTP on loopback. The milter sees {auth_authen} only for
# a session that authenticated; the harness's other cases do not authenticate.
# Debian's Postfix reads $config_directory/sasl/smtpd.conf (other builds: cyrus_sasl_config_path).
SASL_DIR="$REDLINE_MAIL_STATE/etc/sasl"
SASL_REALM=redline-harness.test
SASL_PASSWORD="harness-lead-$(date +%s)-$$"
"$HARNESS/setup-postfix.sh" "$SMTP_PORT" "$MILTER_PORT" --default-action tempfail \
    --set smtpd_sasl_auth_enable=yes --set smtpd_sasl_type=cyrus --set smtpd_sasl_path=smtpd \
    --set "cyrus_sasl_config_path=$SASL_DIR" --set "smtpd_sasl_local_domain=$SASL_REALM" \
    --set smtpd_sasl_security_options=noanonymous
# smtpd reads these when it starts, on the first connection.
rm -rf "$SASL_DIR"; mkdir -p "$SASL_DIR"
printf '%s' "$SASL_PASSWORD" | /usr/sbin/saslpasswd2 -p -c -f "$SASL_DIR/sasldb2" -u "$SASL_REALM" harness-lead
printf 'pwcheck_method: auxprop\nauxprop_plugin: sasldb\nmech_list: PLAIN LOGIN\nsasldb_path: %s\n' "$SASL_DIR/sasldb2" > "$SASL_DIR/smtpd.conf"
chown -R postfix "$SASL_DIR"; chmod 750 "$SASL_DIR"; chmod 640 "$SASL_DIR/sasldb2"
start_milter
echo "== milter-integration: redline milter pid $MILTER on inet:127.0.0.1:$MILTER_PORT, policy $POLICY"
"$HARNESS/send-cases.sh"
set +e
"$HARNESS/check.sh" | tee "$REDLINE_MAIL_STATE-check.txt"
rc_cases=${PIPESTATUS[0]}
set -e

echo "== milter-integration: override cases (X-Redline-Override; issue 19)"
override_pass=0; override_fail=0
send_override() {   # NAME HEADER-LINE [SWAKS-OPTIONS…]: submits over SMTP, returns nothing (the checks read the results)
    local file="$REDLINE_MAIL_STATE-$1.eml" name="$1" header="$2"
    shift 2
    printf 'X-Harness-Case: %s\r\nFrom: agent@sink.test\r\nTo: customer@sink.test\r\nSubject: delivery %s\r\n%s\r\nMessage-ID: <%s@sink.test>\r\n\r\nPlease deliver to Flat 2, 8 High St, Bristol BS1 4DJ today.\r\nThanks' \
        "$name" "$name" "$header" "$name" > "$file"
    swaks --server 127.0.0.1 --port "$SMTP_PORT" --ehlo harness.test --from agent@sink.test --to customer@sink.test \
          --data "@$file" --timeout 60 "$@" > "$REDLINE_MAIL_STATE-$name.log" 2>&1 || true
}
LEAD_AUTH=(--auth PLAIN --auth-user harness-lead --auth-password "$SASL_PASSWORD")
send_override override-granted "X-Redline-Override: address-needs-override; the courier needs the address for today's round" "${LEAD_AUTH[@]}"
send_override override-refused "X-Redline-Override: address-needs-override; courier" "${LEAD_AUTH[@]}"
send_override override-unauthenticated "X-Redline-Override: address-needs-override; the courier needs the address for today's round"
set +e
python3 - "$REDLINE_MAIL_STATE" <<'PY'
import email, email.policy, glob, sys, time
state = sys.argv[1]
def delivered(case):
    for path in glob.glob(f"{state}/mail/inbox/new/*"):
        data = open(path, "rb").read()
        if f"X-Harness-Case: {case}".encode() in data:
            return data
    return None
failed = 0
deadline = time.time() + 30
data = None
while data is None and time.time() < deadline:
    data = delivered("override-granted")
    if data is None: time.sleep(0.5)
reasons = []
if data is None:
    reasons.append("not delivered")
else:
    message = email.message_from_bytes(data, policy=email.policy.default)
    if (message.get("X-Redline-Verdict") or "").strip().lower() != "flag": reasons.append(f"X-Redline-Verdict: {message.get('X-Redline-Verdict')!r}, want flag")
    if not (message.get("X-Redline-Overridden") or "").startswith("address-needs-override"): reasons.append("no X-Redline-Overridden: address-needs-override")
    if message.get("X-Redline-Override") is not None or b"courier needs the address" in data: reasons.append("the override header was delivered")
    body = data.split(b"\r\n\r\n", 1)[1] if b"\r\n\r\n" in data else data.split(b"\n\n", 1)[1]
    if body.replace(b"\r\n", b"\n").rstrip(b"\n") != b"Please deliver to Flat 2, 8 High St, Bristol BS1 4DJ today.\nThanks": reasons.append(f"body changed: {body[:120]!r}")
print(("PASS" if not reasons else "FAIL") + " override-granted")
for reason in reasons: print("    " + reason)
failed += bool(reasons)
# The granted case must have authenticated (235) as the team lead: the override rests on the login.
granted_log = open(f"{state}-override-granted.log", errors="replace").read()
if "<-  235" not in granted_log and "<** 235" not in granted_log:
    print("FAIL override-granted-authenticated\n    SMTP AUTH did not succeed (want 235)")
    failed += 1
else:
    print("PASS override-granted-authenticated")
time.sleep(1)
def refused(case, want):
    log = open(f"{state}-{case}.log", errors="replace").read()
    reasons = []
    replies = [line for line in log.splitlines() if line.startswith("<** 5") or line.startswith("<** 4")]
    if not replies or not replies[-1].startswith("<** 550"): reasons.append(f"want 550 at SMTP time, got {replies[-1:] or 'none'}")
    elif "refused" not in replies[-1] or want not in replies[-1]: reasons.append(f"the 550 does not say why ({want!r}): {replies[-1]}")
    if delivered(case) is not None: reasons.append("delivered")
    print(("PASS" if not reasons else "FAIL") + " " + case)
    for reason in reasons: print("    " + reason)
    return bool(reasons)
failed += refused("override-refused", "too short")
# Without SASL the sender is 'default', whatever the header says: the team lead's override is refused.
failed += refused("override-unauthenticated", "team-leads")
print(f"{4 - failed} passed, {failed} failed")
sys.exit(1 if failed else 0)
PY
rc_override=$?
set -e
[ "$rc_override" = 0 ] && override_pass=4 || override_fail=1

echo "== milter-integration: fail-closed check (milter stopped, milter_default_action=tempfail)"
kill -TERM "$MILTER"; wait "$MILTER" 2>/dev/null || true; MILTER=""
"$HARNESS/send-cases.sh" >/dev/null
set +e
"$HARNESS/check.sh" --expect-all tempfail --timeout 15 | tee "$REDLINE_MAIL_STATE-tempfail.txt"
rc_down=${PIPESTATUS[0]}
set -e

if grep -Eq "4111|AB 12 34 56 C|customer@|BS1 4DJ|courier needs" "$LOG"; then
    echo "milter-integration: FAIL: message content found in the milter's log" >&2
    rc_cases=1
fi
summary() { grep -E '^[0-9]+ passed, [0-9]+ failed' "$1" | tail -1; }
cases="$(summary "$REDLINE_MAIL_STATE-check.txt")"; down="$(summary "$REDLINE_MAIL_STATE-tempfail.txt")"
echo "== milter-integration: with redline milter: ${cases:-no result}; overrides: $override_pass passed; milter down (tempfail): ${down:-no result}"
[ "$rc_cases" = 0 ] && [ "$rc_down" = 0 ] && [ "$rc_override" = 0 ] || KEEP=1
[ -n "${KEEP:-}" ] && echo "== milter-integration: state kept in $REDLINE_MAIL_STATE, milter log $LOG"
passed=$(( $(echo "${cases:-0 passed, 1 failed}" | cut -d' ' -f1) + $(echo "${down:-0 passed, 1 failed}" | cut -d' ' -f1) + override_pass ))
failed=$(( $(echo "${cases:-0 passed, 1 failed}" | cut -d' ' -f3) + $(echo "${down:-0 passed, 1 failed}" | cut -d' ' -f3) + override_fail ))
echo "$passed passed, $failed failed"
[ "$rc_cases" = 0 ] && [ "$rc_down" = 0 ] && [ "$rc_override" = 0 ]
