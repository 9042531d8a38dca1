"""``copydesk-spark``: the command line of the Spark job. Parses the
arguments, opens the session they ask for (Sail in-process, Spark Connect,
or the one spark-submit set up), runs ``copydesk.spark.scan`` and prints
its summary. Exit codes: 0 when the scan ran, 2 on a usage or input error.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from typing import Any, Callable, Optional, Sequence, Tuple

from .spark import Options, scan


def _session(args: argparse.Namespace) -> Tuple[Any, Callable[[], None]]:
    """The Spark session the command line asks for, and how to close it:
    an in-process Sail server (``--sail``), a Spark Connect server
    (``--remote`` or ``SPARK_REMOTE``), or the session spark-submit set up."""
    from pyspark.sql import SparkSession

    if args.sail:
        from pysail.spark import SparkConnectServer

        server = SparkConnectServer(ip="127.0.0.1", port=0)
        server.start(background=True)
        _, port = server.listening_address
        spark = SparkSession.builder.remote(f"sc://127.0.0.1:{port}").getOrCreate()

        def close() -> None:
            spark.stop()
            server.stop()

        return spark, close
    if args.remote:
        spark = SparkSession.builder.remote(args.remote).getOrCreate()
    else:
        spark = SparkSession.builder.appName("copydesk").getOrCreate()
    return spark, spark.stop


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="copydesk-spark", description="copydesk scan on Apache Spark")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("scan", help="scan INPUT... into Parquet tables under OUTPUT")
    run.add_argument("paths", nargs="+", metavar="INPUT... OUTPUT")
    run.add_argument("--threshold", type=float)
    run.add_argument("--containment", type=float)
    run.add_argument("--num-hashes", type=int)
    run.add_argument("--shingle-words", type=int)
    run.add_argument("--no-rewrites", action="store_true", help="document-level scan: no rewrite index")
    run.add_argument("--format", choices=["auto", "jsonl", "parquet", "text"], default="auto")
    run.add_argument("--link-batch", type=int, default=Options.link_batch, help="candidate pairs per task")
    run.add_argument(
        "--driver-below",
        type=int,
        default=Options.driver_below,
        help="edges under which components are found on the driver",
    )
    run.add_argument("--bucket-cap", type=int, default=Options.bucket_cap, help="largest band bucket kept (0: all)")
    run.add_argument("--partitions", type=int, help="spark.sql.shuffle.partitions for the job")
    run.add_argument("--remote", help="a Spark Connect URL (sc://host:port); default: $SPARK_REMOTE")
    run.add_argument("--sail", action="store_true", help="run on an in-process Sail server (pip install pysail)")
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    """``copydesk-spark``: exit 0 when the scan ran, 2 on a usage or input
    error."""
    import os

    args = _parser().parse_args(argv)
    if len(args.paths) < 2:
        print("copydesk-spark: give at least one INPUT and the OUTPUT folder", file=sys.stderr)
        return 2
    args.remote = args.remote or os.environ.get("SPARK_REMOTE")
    logging.basicConfig(level=logging.INFO, format="copydesk-spark: %(message)s", stream=sys.stderr)
    options = dict(
        threshold=args.threshold,
        containment=args.containment,
        num_hashes=args.num_hashes,
        shingle_words=args.shingle_words,
        rewrites=not args.no_rewrites,
        format=args.format,
        link_batch=args.link_batch,
        driver_below=args.driver_below,
        bucket_cap=args.bucket_cap,
    )
    spark, close = _session(args)
    try:
        if args.partitions:
            spark.conf.set("spark.sql.shuffle.partitions", str(args.partitions))
        summary = scan(spark, args.paths[:-1], args.paths[-1], **options)
    except (ValueError, FileNotFoundError) as e:
        print(f"copydesk-spark: {e}", file=sys.stderr)
        return 2
    finally:
        close()
    print(json.dumps(summary, indent=2, sort_keys=True))
    return 0
