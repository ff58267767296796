# Redline: two commands work on a fresh Debian 12 machine with the Swift toolchain:
#   make demo   installs what is missing, builds, and runs redline over Examples/ with the embedded policy
#   make test   installs what is missing (apt packages; python-docx, openpyxl, python-pptx in .build/pyenv), then runs every test
# Other targets: build, release, bench, fuzz (SECONDS=N per target), install (PREFIX=/usr/local), completions, man, clean.

SWIFT      ?= swift
PREFIX     ?= /usr/local
BIN        := .build/debug/redline
RELEASE    := .build/release/redline
APT_PKGS   := libpcre2-dev libpoppler-glib-dev zlib1g-dev pkg-config time
SCAN_PKGS  := chromium chromium-driver parallel openssl
PYENV      := .build/pyenv
# selenium (the playground in chromium), schemathesis and openapi-spec-validator (openapi.yaml against the live server).
PY_PKGS    := python-docx==1.2.0 openpyxl==3.1.5 python-pptx==1.0.2 selenium==4.38.0 schemathesis==4.32.5 openapi-spec-validator==0.9.0

.PHONY: pyenv deps build release demo test milter-integration serve-live-test spark-test bench fuzz install completions man clean

# Install libpcre2-dev, libpoppler-glib-dev (PDF text) and zlib1g-dev (ZIP, gzip) when pkg-config
# cannot find them (root only: otherwise say what to run).
deps:
	@if ! pkg-config --exists libpcre2-8 poppler-glib zlib 2>/dev/null || [ ! -x /usr/bin/time ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "make: installing $(APT_PKGS) with apt-get"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(APT_PKGS) >/dev/null; \
	  else \
	    echo "make: libpcre2-8, poppler-glib or zlib is missing. Install it with: sudo apt-get install -y $(APT_PKGS)  (or run make as root)" >&2; \
	    exit 1; \
	  fi; \
	fi
	@# The scan tests render the HTML report in headless Chromium and run GNU parallel (skipped where absent);
	@# serve's tests drive the playground through chromium-driver and make a TLS certificate with openssl.
	@if ! command -v chromium >/dev/null 2>&1 || [ ! -x /usr/bin/chromedriver ] || [ ! -x /usr/bin/parallel ] || [ ! -x /usr/bin/openssl ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "make: installing $(SCAN_PKGS) with apt-get"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SCAN_PKGS) >/dev/null; \
	  else \
	    echo "make: note: the HTML-in-Chromium and GNU parallel tests are skipped; install with: sudo apt-get install -y $(SCAN_PKGS)" >&2; \
	  fi; \
	fi

# python-docx, openpyxl and python-pptx from PyPI in a virtualenv (.build/pyenv): the tests open
# every redacted Office document with them (python3-venv from apt when venv is missing, as root).
pyenv:
	@if ! $(PYENV)/bin/python -c 'import docx, openpyxl, pptx, selenium, schemathesis, openapi_spec_validator' 2>/dev/null; then \
	  rm -rf $(PYENV); \
	  if ! python3 -m venv $(PYENV) >/dev/null 2>&1; then \
	    rm -rf $(PYENV); \
	    if [ "$$(id -u)" = 0 ]; then \
	      echo "make: installing python3-venv with apt-get"; \
	      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null; \
	      python3 -m venv $(PYENV); \
	    else \
	      echo "make: python3 -m venv fails. Install it with: sudo apt-get install -y python3-venv" >&2; exit 1; \
	    fi; \
	  fi; \
	  echo "make: installing $(PY_PKGS) into $(PYENV)"; \
	  $(PYENV)/bin/pip install -q $(PY_PKGS); \
	fi

build: deps
	$(SWIFT) build --product redline

release: deps
	$(SWIFT) build -c release --product redline

demo: build
	@echo "== redline check: a chat transcript (embedded uk-default policy, channel email-external) =="
	@$(BIN) check Examples/chat/transcript-2026-11-03.txt || echo "(exit $$?: findings reached --fail-on flag)"
	@echo
	@echo "== redline check: look-alikes only (order, tracking, IMEI, product codes): expect nothing =="
	$(BIN) check Examples/chat/clean-lookalikes.txt
	@echo
	@echo "== redline redact: the same transcript on the chat channel =="
	$(BIN) redact --channel chat Examples/chat/transcript-2026-11-03.txt
	@echo
	@echo "== redline check --format jsonl: a ticket export with per-record channels =="
	@$(BIN) check --format jsonl --channel-field channel Examples/exports/tickets.jsonl || echo "(exit $$?)"
	@echo
	@echo "== redline redact: the ticket export, blocked records replaced by a marker =="
	$(BIN) redact --channel-field channel --on-block marker Examples/exports/tickets.jsonl
	@echo
	@echo "== redline policy explain --channel chat (embedded policy) =="
	$(BIN) policy explain --channel chat

test: deps pyenv
	$(SWIFT) build --product redline
	REDLINE_REQUIRE_PYTHON=1 $(SWIFT) test --skip RedlineServerTests
	@# The in-process HTTP servers answer on Swift's cooperative pool (two threads here), which other
	@# suites' blocking calls can hold for minutes: their suite runs in a process of its own.
	$(SWIFT) test --skip-build --filter RedlineServerTests
	./scripts/milter-integration.sh
	$(PYENV)/bin/python scripts/serve-live-test.py $(BIN)

# redline milter against a real Postfix on loopback (root; installs postfix + swaks if missing).
milter-integration: build
	./scripts/milter-integration.sh

# redline serve against real clients: openapi.yaml validated as OpenAPI 3.1, schemathesis against the
# live binary, the --playground page in headless chromium (Selenium); screenshots in .build/test-output/.
serve-live-test: build pyenv
	$(PYENV)/bin/python scripts/serve-live-test.py $(BIN)

# redline under Apache Spark: 100,000 generated records with planted card and NI numbers piped
# through redline redact by RDD.pipe on local[2] (Examples/spark). Installs what is missing
# (scripts/spark-deps.sh): a Java 17 runtime (openjdk-17-jre-headless, as root) and PySpark in $(PYENV).
spark-test: build pyenv
	scripts/spark-deps.sh $(PYENV)
	$(PYENV)/bin/python Examples/spark/test_spark_pipe.py $(BIN)

bench: deps
	./scripts/bench.sh

# libFuzzer targets (Fuzz/, address sanitizer, scratch .build-fuzz), each run for SECONDS seconds.
fuzz: deps
	Fuzz/run.sh $(or $(SECONDS),60)

install: release
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(RELEASE) $(DESTDIR)$(PREFIX)/bin/redline
	$(MAKE) completions man
	install -d $(DESTDIR)$(PREFIX)/share/bash-completion/completions $(DESTDIR)$(PREFIX)/share/zsh/site-functions \
	  $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 0644 out/completions/redline.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/redline
	install -m 0644 out/completions/_redline $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_redline
	install -m 0644 out/completions/redline.fish $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/redline.fish
	install -m 0644 out/man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/

completions: release
	mkdir -p out/completions
	$(RELEASE) --generate-completion-script bash > out/completions/redline.bash
	$(RELEASE) --generate-completion-script zsh > out/completions/_redline
	$(RELEASE) --generate-completion-script fish > out/completions/redline.fish

man: deps
	mkdir -p out/man
	$(SWIFT) package --allow-writing-to-package-directory generate-manual --multi-page --date 2026-11-25 --output-directory out/man


clean:
	rm -rf .build out
