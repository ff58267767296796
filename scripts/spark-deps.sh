#!/usr/bin/env bash
# What `make spark-test` needs, installed once and only when missing:
#   - a headless Java runtime, 17 or newer (Debian's openjdk-17-jre-headless; root only, else it
#     says what to run);
#   - PySpark $PYSPARK_VERSION from PyPI in the virtualenv VENV (the Makefile's .build/pyenv; made
#     here with python3-venv from Debian if it does not exist yet). PySpark bundles Spark's jars
#     (a 317 MB download), so nothing else is fetched.
# Each step prints its time, so the cost to CI can be read off the log (BENCHMARKS.md).
# Usage: scripts/spark-deps.sh [VENV]
set -euo pipefail
VENV=${1:-.build/pyenv}
PYSPARK_VERSION=${PYSPARK_VERSION:-3.5.9}
export DEBIAN_FRONTEND=noninteractive

step() { echo "spark-deps: $1 ($(( $(date +%s) - started )) s)"; }

apt_install() {
  if [ "$(id -u)" != 0 ]; then
    echo "spark-deps: $* is missing; install it with: sudo apt-get install -y --no-install-recommends $*  (or run make as root)" >&2
    exit 1
  fi
  # apt-get update only when the package lists do not know the package (a fresh machine).
  apt-get install -y -qq --no-install-recommends "$@" >/dev/null \
    || { apt-get update -qq && apt-get install -y -qq --no-install-recommends "$@" >/dev/null; }
}

java_major() {
  command -v java >/dev/null 2>&1 || { echo 0; return; }
  java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1
}

started=$(date +%s)
if [ "$(java_major)" -lt 17 ]; then
  apt_install openjdk-17-jre-headless
  step "installed openjdk-17-jre-headless"
else
  step "Java $(java_major) present"
fi

if [ ! -x "$VENV/bin/python" ]; then
  if ! python3 -m venv "$VENV" 2>/dev/null; then
    rm -rf "$VENV"
    apt_install python3-venv
    python3 -m venv "$VENV"
  fi
  step "virtualenv $VENV created"
fi

if ! "$VENV/bin/python" -c "import sys, pyspark; sys.exit(pyspark.__version__ != '$PYSPARK_VERSION')" 2>/dev/null; then
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check "pyspark==$PYSPARK_VERSION"
  step "installed pyspark $PYSPARK_VERSION from PyPI"
else
  step "pyspark $PYSPARK_VERSION present"
fi
