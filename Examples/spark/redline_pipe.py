#!/usr/bin/env python3
"""Redact a JSON Lines dataset with redline under Apache Spark (RDD.pipe).

Each partition is streamed through one `redline redact --input jsonl` process: one record out per
record in, in order (the stdin-filter contract). The binary, the policy and the key file must exist
at the same absolute paths on every executor (ship them with `spark-submit --files` or bake them
into the executor image); PySpark gives the child no environment, so nothing is discovered.

    spark-submit Examples/spark/redline_pipe.py IN.jsonl OUT_DIR \
        --redline /usr/local/bin/redline --policy /etc/redline/policy.yaml --key-file /etc/redline/key
"""
import argparse
import shlex
import sys


def redline_command(binary, policy, key_file, channel_field=None):
    """The command each partition runs (absolute paths, no shell)."""
    command = [binary, "redact", "--input", "jsonl", "--policy", policy]
    if key_file:
        command += ["--key-file", key_file]
    if channel_field:
        command += ["--channel-field", channel_field]
    return command


def redact(spark_context, input_path, redline, policy, key_file=None, channel_field=None, partitions=None):
    """An RDD of redacted JSON Lines records, partition order and record order kept."""
    records = spark_context.textFile(input_path, minPartitions=partitions or spark_context.defaultParallelism)
    command = " ".join(shlex.quote(part) for part in redline_command(redline, policy, key_file, channel_field))
    # checkCode=True: a non-zero exit (bad policy, missing key) fails the task instead of passing silently.
    return records.pipe(command, env={}, checkCode=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("input")
    parser.add_argument("output")
    parser.add_argument("--redline", required=True, help="absolute path of the redline binary on the executors")
    parser.add_argument("--policy", required=True, help="absolute path of the policy on the executors")
    parser.add_argument("--key-file", help="absolute path of the HMAC key file on the executors")
    parser.add_argument("--channel-field")
    parser.add_argument("--partitions", type=int)
    args = parser.parse_args()
    from pyspark import SparkContext
    sc = SparkContext(appName="redline-redact")
    try:
        redact(sc, args.input, args.redline, args.policy, args.key_file, args.channel_field, args.partitions).saveAsTextFile(args.output)
    finally:
        sc.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
