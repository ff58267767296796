#!/usr/bin/env python3
"""Spark test (make spark-test): redline under RDD.pipe in local mode keeps records in = records
out, in order, and finds exactly what a single process finds. Skips (exit 0) when PySpark is
not installed; needs Java 17. Usage: test_spark_pipe.py PATH/TO/redline"""
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

try:
    from pyspark import SparkConf, SparkContext
except ImportError:
    print("spark-test: PySpark is not installed (pip install pyspark); skipped")
    sys.exit(0)

from redline_pipe import redact  # noqa: E402


def main():
    binary = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, ".build/debug/redline"))
    policy = os.path.join(ROOT, "Policies/uk-default.yaml")
    work = tempfile.mkdtemp(prefix="redline-spark-")
    key_file = os.path.join(work, "key")
    with open(key_file, "w") as handle:
        handle.write("spark-test-key-0123456789\n")
    source = os.path.join(work, "in.jsonl")
    with open(source, "w") as handle:
        for index in range(20000):
            if index % 7 == 0:
                text = f"Card 4111 1111 1111 1111 for order {index}"
            elif index % 5 == 0:
                text = f"NI AB 12 34 56 C, case {index}"
            elif index % 11 == 0:
                text = f"Ring 020 7946 0958 about {index}"
            else:
                text = f"Order {index} is on its way"
            handle.write(json.dumps({"id": index, "text": text, "channel": "chat" if index % 2 else "email-external"}) + "\n")

    single = subprocess.run([binary, "redact", "--input", "jsonl", "--policy", policy, "--key-file", key_file,
                             "--channel-field", "channel", source], capture_output=True, check=True, env={}).stdout.decode()
    single_findings = subprocess.run([binary, "check", "--format", "jsonl", "--input", "jsonl", "--policy", policy,
                                      "--key-file", key_file, "--channel-field", "channel", source], capture_output=True, env={}).stdout.decode()
    expected_findings = sorted(line for line in single_findings.splitlines() if '"type":"finding"' in line)

    started = time.time()
    sc = SparkContext(conf=SparkConf().setMaster("local[2]").setAppName("redline-spark-test").set("spark.ui.enabled", "false"))
    sc.setLogLevel("ERROR")
    try:
        out = redact(sc, source, binary, policy, key_file, "channel", partitions=4).collect()
        check = f"{binary} check --format jsonl --input jsonl --policy {policy} --key-file {key_file} --channel-field channel"
        # check exits 1 when it finds something: that is not a broken task here.
        found = sc.textFile(source, 4).pipe(check, env={}).filter(lambda line: '"type":"finding"' in line).collect()
    finally:
        sc.stop()
    elapsed = time.time() - started

    source_lines = open(source).read().splitlines()
    assert len(out) == len(source_lines), f"records in {len(source_lines)} != records out {len(out)}"
    assert out == single.splitlines(), "Spark output differs from a single-process run"
    assert all(json.loads(a)["id"] == json.loads(b)["id"] for a, b in zip(source_lines, out)), "order changed"
    assert "4111 1111 1111 1111" not in "\n".join(out)
    # Findings per record: the same as one process (record numbers are per partition, so compare without them).
    def strip(line):
        item = json.loads(line)
        item.pop("record", None)
        item.pop("source", None)
        return json.dumps(item, sort_keys=True)
    assert sorted(map(strip, found)) == sorted(map(strip, expected_findings)), "findings differ from a single-process run"
    print(f"spark-test: {len(out)} records in = out, {len(found)} findings equal to one process; Spark run {elapsed:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
