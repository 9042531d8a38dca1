#!/usr/bin/env python3
"""The Spark job's cost: `make bench-spark` (ARTICLES=100000 by default).

Writes ARTICLES synthetic news articles (the throughput example's planted
copies), then scans them with `copydesk scan` (one process, both cores) and
with the Spark job on each engine in turn, each run a fresh process:

* sail:  an in-process Sail server (Spark Connect, no JVM);
* local: PySpark local[2] on the machine's Java (its own virtualenv,
         target/spark-venv, as `make test-spark` makes it).

Prints per engine: wall seconds per stage, whole-run wall and peak RSS
(of the run's process and the children it waited for, by /usr/bin/time), seconds per million articles, and for PySpark
the shuffle bytes each stage wrote (from the Spark UI's REST API). The
outputs' pairs and clusters are checked against the CLI's before any
figure is printed.

    python3 benches/spark.py [ARTICLES] [ENGINES]     # ENGINES: sail,local
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENVS = {
    "sail": os.path.join(ROOT, "target", "venv"),
    "local": os.path.join(ROOT, "target", "spark-venv"),
}


def run(engine: str, corpus: str, output: str) -> None:
    """One engine's run, in this (fresh) process: prints a JSON report."""
    from pyspark.sql import SparkSession

    from copydesk.spark import scan

    if engine == "sail":
        from pysail.spark import SparkConnectServer

        server = SparkConnectServer(ip="127.0.0.1", port=0)
        server.start(background=True)
        _, port = server.listening_address
        spark = SparkSession.builder.remote(f"sc://127.0.0.1:{port}").getOrCreate()
    else:
        spark = (
            SparkSession.builder.master("local[2]")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.memory", "8g")
            .getOrCreate()
        )
    spark.conf.set("spark.sql.shuffle.partitions", "8")
    stages, shuffled = {}, {}
    last = [shuffle_total(spark)]

    def on_stage(name: str, seconds: float) -> None:
        stages[name] = round(seconds, 2)
        total = shuffle_total(spark)
        if total is not None and last[0] is not None:
            shuffled[name] = total - last[0]
        last[0] = total

    started = time.monotonic()
    summary = scan(spark, [corpus], output, on_stage=on_stage)
    wall = time.monotonic() - started
    report = {"wall": wall, "stages": stages, "shuffle_bytes": shuffled, "summary": summary}
    print(json.dumps(report), flush=True)
    spark.stop()
    # A Sail server's threads would keep the process alive.
    os._exit(0)


def shuffle_total(spark) -> int | None:
    """Shuffle bytes written so far by the application (classic Spark)."""
    try:
        context = spark.sparkContext
    except Exception:
        return None
    url = f"{context.uiWebUrl}/api/v1/applications/{context.applicationId}/stages?status=complete"
    with urllib.request.urlopen(url, timeout=30) as response:
        return sum(s.get("shuffleWriteBytes", 0) for s in json.load(response))


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--run":
        run(*sys.argv[2:5])
        return
    articles = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    engines = (sys.argv[2] if len(sys.argv) > 2 else "sail,local").split(",")
    with tempfile.TemporaryDirectory() as tmp:
        corpus = os.path.join(tmp, "news.jsonl")
        example = os.path.join(ROOT, "target", "release", "examples", "throughput")
        subprocess.run(
            [example, str(articles), "--write", corpus, "--document-level"],
            check=True,
            capture_output=True,
        )
        size = os.path.getsize(corpus)
        started = time.monotonic()
        cli = subprocess.run(
            [
                os.path.join(ROOT, "target", "release", "copydesk"),
                "scan",
                corpus,
                "--format",
                "json",
            ],
            check=True,
            capture_output=True,
        )
        cli_wall = time.monotonic() - started
        expected = json.loads(cli.stdout)
        print(
            f"{articles} articles, {size / 1e6:.1f} MB; copydesk scan (one process): {cli_wall:.1f} s wall"
        )
        for engine in engines:
            output = os.path.join(tmp, f"out-{engine}")
            python = os.path.join(VENVS[engine], "bin", "python")
            env = dict(os.environ, PYSPARK_PYTHON=python, SPARK_LOCAL_IP="127.0.0.1")
            done = subprocess.run(
                [
                    "/usr/bin/time",
                    "-f",
                    "peak %M",
                    python,
                    __file__,
                    "--run",
                    engine,
                    corpus,
                    output,
                ],
                check=True,
                capture_output=True,
                text=True,
                env=env,
            )
            peak = int(done.stderr.strip().splitlines()[-1].split()[-1])
            report = json.loads(done.stdout.strip().splitlines()[-1])
            check(expected, output)
            per_million = report["wall"] / articles * 1e6
            print(
                f"\n{engine}: {report['wall']:.1f} s wall, {per_million / 3600:.2f} h per million articles "
                f"(extrapolated linearly), peak RSS {peak / 1024:.0f} MiB"
            )
            for name, seconds in report["stages"].items():
                moved = report["shuffle_bytes"].get(name)
                moved = f"  shuffle {moved / 1e6:8.1f} MB" if moved is not None else ""
                print(f"  {name:28} {seconds:8.2f} s{moved}")


def check(expected: dict, output: str) -> None:
    """The job's pairs and clusters are the CLI's."""
    import pyarrow.parquet as pq

    pairs = {(p["a"], p["b"], p["relation"]) for p in expected["pairs"]}
    got = {
        (p["a"], p["b"], p["relation"])
        for p in pq.read_table(os.path.join(output, "pairs")).to_pylist()
    }
    clusters = {(c["id"], m) for c in expected["clusters"] for m in c["members"]}
    found = {
        (c["cluster"], c["document"])
        for c in pq.read_table(os.path.join(output, "clusters")).to_pylist()
    }
    if pairs != got or clusters != found:
        sys.exit(
            f"the job's output differs from copydesk scan's ({len(got)} vs {len(pairs)} pairs)"
        )


if __name__ == "__main__":
    main()
