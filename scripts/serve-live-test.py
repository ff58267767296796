#!/usr/bin/env python3
"""redline serve against real clients (issue 18), run by `make serve-live-test` (part of `make test`):

1. openapi.yaml is a valid OpenAPI 3.1 document (openapi-spec-validator);
2. schemathesis drives every operation of openapi.yaml against the live binary (127.0.0.1, port 0)
   with a bounded number of examples and a fixed seed: no 5xx, and every status, content type,
   header and body matches the document;
3. the policy playground (--playground) in a real headless browser (Debian's chromium and
   chromium-driver, Selenium): a token is typed, a draft pasted, the button pressed, and the
   verdict, the masked highlights, the rule messages and the redacted text are read from the
   page; a screenshot goes to .build/test-output/playground.png;
4. the server stops on SIGTERM with exit 0, and its log holds none of the values sent.

Usage: serve-live-test.py REDLINE_BINARY [--examples N]. Prints 'N passed, N failed'.
"""
import hashlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PYENV_BIN = os.path.dirname(sys.executable)
OUTPUT = os.path.join(ROOT, ".build", "test-output")
TOKEN = "rl_live_test_token_4f1c2a9e7b6d5c3a"
CARD = "4539 1488 0343 6467"
NINO = "JG 10 37 55 A"
SECRETS = [CARD, "4539148803436467", NINO, "JG103755A"]
results = []


def outcome(name, ok, detail=""):
    results.append(ok)
    print(("PASS " if ok else "FAIL ") + name + ("" if ok or not detail else ": " + detail), flush=True)


class Server:
    """redline serve as a child process; stderr (the log) collected line by line."""

    def __init__(self, binary, arguments, directory):
        env = {"PATH": "/usr/bin:/bin", "REDLINE_KEY": "0123456789abcdef0123456789abcdef"}
        self.process = subprocess.Popen([binary, "serve"] + arguments, cwd=directory, env=env,
                                        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.lines = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.port = None
        deadline = time.time() + 120
        while time.time() < deadline and self.port is None and self.process.poll() is None:
            for line in list(self.lines):
                if "msg=listening" in line:
                    self.port = int(next(f for f in line.split() if f.startswith("port="))[5:])
            time.sleep(0.05)
        if self.port is None:
            self.stop()
            raise RuntimeError("redline serve did not start:\n" + "\n".join(self.lines))
        self.url = "http://127.0.0.1:%d" % self.port

    def _read(self):
        for raw in self.process.stderr:
            self.lines.append(raw.decode("utf-8", "replace").rstrip("\n"))

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            status = self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            status = self.process.wait()
        self.reader.join(timeout=10)
        return status


def validate_document():
    from openapi_spec_validator import validate
    from openapi_spec_validator.readers import read_from_filename
    spec, _ = read_from_filename(os.path.join(ROOT, "openapi.yaml"))
    try:
        validate(spec)
        ok, detail = spec.get("openapi", "").startswith("3.1"), "openapi: " + str(spec.get("openapi"))
    except Exception as error:  # the validator's own message names the path in the document
        ok, detail = False, str(error).splitlines()[0]
    outcome("openapi.yaml is a valid OpenAPI 3.1 document", ok, detail)


def schemathesis(server, examples):
    report = os.path.join(OUTPUT, "schemathesis-junit.xml")
    command = [os.path.join(PYENV_BIN, "schemathesis"), "run", os.path.join(ROOT, "openapi.yaml"),
               "--url", server.url, "--header", "Authorization: Bearer " + TOKEN,
               "--checks", "all", "--max-examples", str(examples), "--seed", "18",
               "--workers", "1", "--request-timeout", "30", "--suppress-health-check", "too_slow",
               "--report", "junit", "--report-junit-path", report, "--no-color"]
    with urllib.request.urlopen(urllib.request.Request(server.url + "/v1/policy", headers={"Authorization": "Bearer " + TOKEN}), timeout=30) as answer:
        channels = [channel["name"] for channel in json.load(answer)["channels"]]
    env = dict(os.environ, SCHEMATHESIS_HOOKS="serve_schemathesis_hooks", REDLINE_CHANNELS=json.dumps(channels),
               PYTHONPATH=os.path.join(ROOT, "scripts"))
    started = time.time()
    run = subprocess.run(command, cwd=OUTPUT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=900)
    text = run.stdout.decode("utf-8", "replace")
    with open(os.path.join(OUTPUT, "schemathesis.txt"), "w") as log:
        log.write(text)
    tail = "\n".join(text.splitlines()[-40:])
    print("schemathesis: %.0f s, %d examples per operation (output: .build/test-output/schemathesis.txt)"
          % (time.time() - started, examples), flush=True)
    outcome("schemathesis: every operation of openapi.yaml against the live server, all checks", run.returncode == 0, "\n" + tail)


def browser(server):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select, WebDriverWait

    with urllib.request.urlopen(server.url + "/", timeout=30) as answer:
        csp = answer.headers.get("Content-Security-Policy", "")
        page = answer.read().decode()
    outcome("the playground is served with a strict Content-Security-Policy",
            "default-src 'none'" in csp and "'unsafe-inline'" not in csp and "connect-src 'self'" in csp, csp)
    outcome("the playground page loads nothing from elsewhere",
            not any(ref in page for ref in (" src=", " href=", "http://", "https://", "url(", "@import")), "")

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1100,1300"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path="/usr/bin/chromedriver"), options=options)
    try:
        driver.set_page_load_timeout(60)
        driver.get(server.url + "/")
        wait = WebDriverWait(driver, 60)
        # Without a token the page asks for one; with it, the policy's channels load.
        wait.until(lambda d: "token" in d.find_element(By.ID, "status").text)
        token = driver.find_element(By.ID, "token")
        token.send_keys(TOKEN)
        token.send_keys(Keys.TAB)
        wait.until(lambda d: len(Select(d.find_element(By.ID, "channel")).options) >= 2)
        channels = [o.text for o in Select(driver.find_element(By.ID, "channel")).options]
        outcome("the playground lists the policy's channels", "chat" in channels and "email-internal" in channels, str(channels))

        def check(draft, channel):
            Select(driver.find_element(By.ID, "channel")).select_by_visible_text(channel)
            box = driver.find_element(By.ID, "draft")
            box.clear()
            box.send_keys(draft)
            driver.find_element(By.ID, "verdict").get_attribute("id")
            previous = driver.find_element(By.ID, "verdict-channel").text
            driver.find_element(By.ID, "check").click()
            wait.until(lambda d: d.find_element(By.ID, "verdict-channel").text not in ("", previous))
            return {
                "verdict": driver.find_element(By.ID, "verdict").text.lower(),
                "highlighted": driver.find_element(By.ID, "highlighted").text,
                "marks": [m.text for m in driver.find_elements(By.CSS_SELECTOR, "#highlighted mark")],
                "messages": [li.text for li in driver.find_elements(By.CSS_SELECTOR, "#messages li")],
                "redacted": driver.find_element(By.ID, "redacted").text,
            }

        draft = "Thanks for calling. Your NI number " + NINO + " is on file and we will write to LS6 2AB."
        seen = check(draft, "chat")
        outcome("NI number on chat: verdict redact, read from the page", seen["verdict"] == "redact", str(seen["verdict"]))
        outcome("the NI number is highlighted masked, never in clear",
                any("*" in m for m in seen["marks"]) and NINO not in seen["highlighted"] and "LS6 2AB" not in seen["highlighted"]
                and seen["highlighted"].startswith("Thanks for calling."), str(seen["marks"]))
        outcome("the rules' messages are shown", any("NI, NHS and bank details" in m for m in seen["messages"]), str(seen["messages"]))
        outcome("the redacted text is shown without the NI number", NINO not in seen["redacted"] and "Thanks for calling." in seen["redacted"],
                seen["redacted"][:80])
        os.makedirs(OUTPUT, exist_ok=True)
        driver.save_screenshot(os.path.join(OUTPUT, "playground.png"))

        seen = check("Your card " + CARD + " has been refunded.", "chat")
        outcome("a card on chat: verdict block and nothing to send", seen["verdict"] == "block" and CARD not in seen["redacted"]
                and "Blocked" in seen["redacted"] and any("Card numbers must never be sent" in m for m in seen["messages"]), str(seen))
        driver.save_screenshot(os.path.join(OUTPUT, "playground-block.png"))

        seen = check("See you on Tuesday at the branch.", "email-internal")
        outcome("a clean draft: verdict allow", seen["verdict"] == "allow" and seen["marks"] == [], str(seen))

        # The first load, before the token is typed, is a 401 the page explains; anything else counts.
        problems = [entry["message"] for entry in driver.get_log("browser")
                    if (entry["level"] == "SEVERE" and "/v1/policy - Failed to load resource: the server responded with a status of 401" not in entry["message"])
                    or "Content Security Policy" in entry["message"] or "TrustedHTML" in entry["message"]]
        outcome("no script error and no Content-Security-Policy violation in the browser", problems == [], str(problems))
    finally:
        driver.quit()


def main():
    binary = os.path.abspath(sys.argv[1])
    examples = int(sys.argv[sys.argv.index("--examples") + 1]) if "--examples" in sys.argv else 20
    os.makedirs(OUTPUT, exist_ok=True)
    validate_document()
    with tempfile.TemporaryDirectory(prefix="redline-serve-live-") as directory:
        tokens = os.path.join(directory, "tokens.yaml")
        with open(tokens, "w") as f:
            f.write('tokens:\n  - name: live-test\n    sha256: "%s"\n    channels: "*"\n' % hashlib.sha256(TOKEN.encode()).hexdigest())
        server = Server(binary, ["--listen", "127.0.0.1:0", "--tokens", tokens, "--playground", "--read-timeout", "60"], directory)
        try:
            schemathesis(server, examples)
            browser(server)
        finally:
            status = server.stop()
        outcome("SIGTERM stops the server with exit 0", status == 0, "exit %s" % status)
        log = "\n".join(server.lines)
        outcome("no value sent appears in the server's log", not any(s in log for s in SECRETS), "")
        errors = [line for line in server.lines if "level=error" in line or "level=critical" in line]
        outcome("the server logged no error", errors == [], "\n".join(errors[:5]))
    failed = results.count(False)
    print("%d passed, %d failed" % (len(results) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
