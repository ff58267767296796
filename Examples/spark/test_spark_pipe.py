#!/usr/bin/env python3
"""Spark test (make spark-test, run by .ci/run): redline redact under RDD.pipe in local mode.

Generates 100,000 tickets with planted card numbers and NI numbers (make_dataset.py), pipes them
through `redline redact --input jsonl` with RDD.pipe on local[2], and checks:
  - records in = records out, in every partition;
  - the order within each partition is the input's (ids compared record by record);
  - the output is byte-identical to one `redline redact` process over the whole file;
  - no planted value survives (card digits, NI number letters and digits, whatever the layout),
    and every other field is kept.
Then prints records/s for the Spark job and for the CLI alone, and 'N passed, N failed'.

Usage: test_spark_pipe.py PATH/TO/redline [--records N] [--partitions N]
Needs PySpark and Java 17 (make spark-test installs both).
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

from make_dataset import generate  # noqa: E402
from redline_pipe import redact  # noqa: E402


def survivors(record, planted):
    """The planted values still readable in a redacted record's text."""
    text = record["text"]
    digits = re.sub(r"\D", "", text)
    compact = re.sub(r"[\s-]", "", text).upper()
    return [value for value in planted if (value in digits if value.isdigit() else value in compact)]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("redline", nargs="?", default=os.path.join(ROOT, ".build/debug/redline"))
    parser.add_argument("--records", type=int, default=100000)
    parser.add_argument("--partitions", type=int, default=4)
    args = parser.parse_args()
    try:
        from pyspark import SparkConf, SparkContext
    except ImportError:
        print("spark-test: PySpark is not installed: run make spark-test (it installs PySpark in .build/pyenv)", file=sys.stderr)
        return 2

    binary = os.path.abspath(args.redline)
    policy = os.path.join(ROOT, "Policies/uk-default.yaml")
    work = tempfile.mkdtemp(prefix="redline-spark-")
    source = os.path.join(work, "tickets.jsonl")
    planted = generate(source, args.records)
    with open(source, encoding="utf-8") as handle:
        source_lines = handle.read().splitlines()

    # The CLI alone, one process over the whole file.
    started = time.monotonic()
    single = subprocess.run([binary, "redact", "--input", "jsonl", "--policy", policy, source],
                            capture_output=True, check=True, env={}).stdout.decode().splitlines()
    cli_seconds = time.monotonic() - started

    # Python workers must be this interpreter (the virtualenv's), whatever python3 is on PATH.
    os.environ["PYSPARK_PYTHON"] = sys.executable
    started = time.monotonic()
    sc = SparkContext(conf=SparkConf().setMaster("local[2]").setAppName("redline-spark-test")
                      .set("spark.ui.enabled", "false").set("spark.ui.showConsoleProgress", "false")
                      .set("spark.local.dir", work))
    sc.setLogLevel("ERROR")
    startup_seconds = time.monotonic() - started
    try:
        inputs = sc.textFile(source, args.partitions).glom().collect()
        started = time.monotonic()
        outputs = redact(sc, source, binary, policy, partitions=args.partitions).glom().collect()
        spark_seconds = time.monotonic() - started
    finally:
        sc.stop()

    checks = []

    def check(name, condition, detail=""):
        checks.append(condition)
        print(f"spark-test: {'ok  ' if condition else 'FAIL'} {name}{'' if condition else ': ' + detail}")

    out = [line for part in outputs for line in part]
    check("records in = records out", len(out) == len(source_lines) == args.records,
          f"{len(source_lines)} in, {len(out)} out, {args.records} generated")
    check(f"every partition keeps its record count ({len(inputs)} partitions, local[2])",
          len(inputs) == len(outputs) and len(inputs) >= 2 and all(len(a) == len(b) for a, b in zip(inputs, outputs)),
          f"input sizes {[len(p) for p in inputs]}, output sizes {[len(p) for p in outputs]}")
    order_ok = all([json.loads(line)["id"] for line in a] == [json.loads(line)["id"] for line in b] for a, b in zip(inputs, outputs))
    check("the order within each partition is the input's", order_ok)
    check("the output is byte-identical to one redline process", out == single,
          f"first difference at record {next((i for i, (a, b) in enumerate(zip(out, single)) if a != b), min(len(out), len(single)))}")
    records = [json.loads(line) for line in out]
    left = [(record["id"], value) for record in records for value in survivors(record, planted.get(record["id"], []))]
    kept = all(record["agent"] == f"agent-{record['id'] % 17}" and set(record) == {"id", "agent", "text"} for record in records)
    planted_count = sum(len(values) for values in planted.values())
    check(f"none of the {planted_count} planted card and NI numbers survives; other fields kept",
          planted_count > 0 and not left and kept, f"{len(left)} survive (record ids {[i for i, _ in left[:5]]}); fields kept: {kept}")

    print(f"spark-test: {args.records} records, {len(inputs)} partitions on local[2]; redline {os.path.relpath(binary, ROOT)}")
    print(f"spark-test: CLI alone {cli_seconds:.2f} s = {args.records / cli_seconds:,.0f} records/s; "
          f"Spark job {spark_seconds:.2f} s = {args.records / spark_seconds:,.0f} records/s "
          f"(ratio {cli_seconds / spark_seconds:.2f}); SparkContext start {startup_seconds:.1f} s")
    shutil.rmtree(work, ignore_errors=True)
    failed = checks.count(False)
    print(f"spark-test: {len(checks) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
