"""The Spark job (``copydesk.spark``) against ``copydesk scan``: the same
clusters, pairs and passages, field for field, on the samples, the shared
Helsinki and Reuters corpora and 20,000 synthetic articles.

The job runs with few shuffle partitions and small verification groups, so
every stage really moves rows between tasks; one corpus takes the
large-star/small-star path for components instead of the driver's
union-find. By default the tests run on Sail (an in-process Spark Connect
server); with ``COPYDESK_SPARK=local`` they run on PySpark's ``local[2]``
(``make test-spark``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple

import pyarrow.parquet as pq
import pytest
from helpers import ROOT, cli, shared_corpus

from copydesk import spark as copydesk_spark

Records = List[Dict[str, Any]]


@pytest.fixture(scope="module")
def session() -> Iterator[Any]:
    from pyspark.sql import SparkSession

    if os.environ.get("COPYDESK_SPARK") == "local":
        spark = (
            SparkSession.builder.master("local[2]")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.sql.execution.arrow.maxRecordsPerBatch", "2000")
            .config("spark.driver.memory", "4g")
            .config("spark.ui.enabled", "false")
            .getOrCreate()
        )
    else:
        from pysail.spark import SparkConnectServer

        server = SparkConnectServer(ip="127.0.0.1", port=0)
        server.start(background=True)
        _, port = server.listening_address
        spark = SparkSession.builder.remote(f"sc://127.0.0.1:{port}").getOrCreate()
    spark.conf.set("spark.sql.shuffle.partitions", "4")
    yield spark
    spark.stop()


def cli_scan(path: str) -> Dict[str, Any]:
    out = subprocess.run(
        [str(cli()), "scan", "--format", "json", path], cwd=ROOT, check=True, capture_output=True
    ).stdout
    result: Dict[str, Any] = json.loads(out)
    return result


def expected(scan: Dict[str, Any]) -> Dict[str, Records]:
    """``scan``'s JSON as the job's tables: pairs without their passages,
    a row per passage, a row per cluster member."""
    passage_fields = ("a_words", "b_words", "kind", "score", "direction")
    return {
        "pairs": [{k: v for k, v in p.items() if k != "passages"} for p in scan["pairs"]],
        "passages": [
            {"a": p["a"], "b": p["b"], "a_span": x["a"], "b_span": x["b"], **{f: x[f] for f in passage_fields}}
            for p in scan["pairs"]
            for x in p["passages"]
        ],
        "clusters": [
            {"cluster": c["id"], "document": m, "canonical": m == c["canonical"]}
            for c in scan["clusters"]
            for m in c["members"]
        ],
    }


def table(output: Path, name: str) -> Records:
    rows: Records = pq.read_table(output / name).to_pylist()
    return rows


def canonical(rows: Records) -> List[str]:
    return sorted(json.dumps(r, sort_keys=True) for r in rows)


def run_job(spark: Any, inputs: List[str], output: Path, **options: Any) -> Dict[str, Any]:
    options.setdefault("link_batch", 500)
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        return copydesk_spark.scan(spark, inputs, str(output), **options)
    finally:
        os.chdir(cwd)


def assert_parity(spark: Any, spark_inputs: List[str], cli_input: str, output: Path, **options: Any) -> None:
    summary = run_job(spark, spark_inputs, output, **options)
    scan = cli_scan(cli_input)
    want = expected(scan)
    for name in ("pairs", "passages", "clusters"):
        got = table(output, name)
        assert len(got) == len(want[name]), name
        assert canonical(got) == canonical(want[name]), name
    documents = {d["id"]: d for d in table(output, "documents")}
    assert summary["documents"] == len(scan["documents"]) == len(documents)
    for d in scan["documents"]:
        row = documents[d["id"]]
        fields = ("index", "outlet", "published_utc", "bytes", "words", "cluster", "text_date")
        assert {f: row[f] for f in fields} == {f: d[f] for f in fields}, d["id"]
        assert json.loads(row["boilerplate"]) == d["boilerplate"], d["id"]
    assert len(table(output, "stories")) == len(scan["stories"])
    assert len(table(output, "common_passages")) == len(scan["common_passages"])


def test_samples_match_scan(session: Any, tmp_path: Path) -> None:
    assert_parity(session, ["samples/*.txt"], "samples", tmp_path / "out")


def test_helsinki_matches_scan_through_star_joins(session: Any, tmp_path: Path) -> None:
    corpus = str(shared_corpus("helsinki-summit-2018.jsonl"))
    # No union-find on the driver: components come from the joins.
    assert_parity(session, [corpus], corpus, tmp_path / "out", driver_below=0)


def test_reuters_matches_scan(session: Any, tmp_path: Path) -> None:
    corpus = str(shared_corpus("reuters-21578.jsonl"))
    assert_parity(session, [corpus], corpus, tmp_path / "out")


def test_parquet_files_read_in_order_match_scan_of_the_same_lines(session: Any, tmp_path: Path) -> None:
    import pyarrow as pa

    corpus = shared_corpus("helsinki-summit-2018.jsonl")
    rows = [json.loads(line) for line in corpus.read_text(encoding="utf-8").splitlines() if line.strip()]
    fields = ("id", "text", "outlet", "url", "title", "published")
    half = len(rows) // 2
    folder = tmp_path / "parquet"
    folder.mkdir()
    for name, part in (("part-0.parquet", rows[:half]), ("part-1.parquet", rows[half:])):
        written = pa.table({f: [r.get(f) for r in part] for f in fields})
        pq.write_table(written, folder / name, row_group_size=100)
    output = tmp_path / "out"
    run_job(session, [str(folder)], output)
    want = expected(cli_scan(str(corpus)))
    for name in ("pairs", "clusters"):
        assert canonical(table(output, name)) == canonical(want[name]), name


def test_a_dataframe_of_documents_matches_scan(session: Any, tmp_path: Path) -> None:
    import pandas as pd

    corpus = shared_corpus("helsinki-summit-2018.jsonl")
    rows = [json.loads(line) for line in corpus.read_text(encoding="utf-8").splitlines() if line.strip()]
    fields = ("id", "text", "outlet", "url", "title", "published")
    frame = pd.DataFrame([{**{f: r.get(f) for f in fields}, "ordinal": i} for i, r in enumerate(rows)])
    output = tmp_path / "out"
    summary = copydesk_spark.scan_dataframe(session.createDataFrame(frame), str(output), link_batch=500)
    want = expected(cli_scan(str(corpus)))
    assert summary["documents"] == len(rows)
    for name in ("pairs", "passages", "clusters"):
        assert canonical(table(output, name)) == canonical(want[name]), name
    # Without an ordinal the order is by id's hash: still every document,
    # and a bad row is reported, not lost.
    bad = pd.DataFrame({"id": ["x", "y", "z"], "text": [rows[0]["text"], rows[0]["text"], " "]})
    summary = copydesk_spark.scan_dataframe(session.createDataFrame(bad), str(tmp_path / "out2"))
    assert summary["documents"] == 2 and summary["skipped"] == 1 and summary["pairs"] == 1


def synthetic(path: Path, articles: int) -> Path:
    subprocess.run(
        [
            "cargo",
            "run",
            "--release",
            "--quiet",
            "--example",
            "throughput",
            "--",
            str(articles),
            "--write",
            str(path),
            "--document-level",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return path


def test_synthetic_news_matches_scan(session: Any, tmp_path: Path) -> None:
    corpus = str(synthetic(tmp_path / "news.jsonl", 20_000))
    assert_parity(session, [corpus], corpus, tmp_path / "out", link_batch=5_000)


def stage_files(output: Path) -> Dict[str, float]:
    return {str(p.relative_to(output / "stages")): p.stat().st_mtime for p in (output / "stages").rglob("*.parquet")}


def test_a_failed_run_resumes_from_its_last_stage(session: Any, tmp_path: Path) -> None:
    corpus = str(shared_corpus("helsinki-summit-2018.jsonl"))
    output = tmp_path / "out"
    first = run_job(session, [corpus], output)
    before = stage_files(output)
    # As if the run had died during linking: its stage never finished.
    (output / "stages" / "16-linked" / "_COPYDESK_DONE").unlink()
    pairs = canonical(table(output, "pairs"))
    second = run_job(session, [corpus], output)
    after = stage_files(output)
    assert first == second and pairs == canonical(table(output, "pairs"))
    redone = {name for name in after if after[name] != before.get(name)}
    assert redone and all(name.startswith("16-linked/") for name in redone), sorted(redone)


def test_bad_lines_and_repeated_ids_are_skipped_as_the_cli_skips_them(session: Any, tmp_path: Path) -> None:
    story = "Officials said on Tuesday that the bridge over the river would reopen next month after repairs."
    lines = [
        json.dumps({"id": "a", "text": story}),
        "{not json",
        json.dumps({"id": "b", "text": 7}),
        "",
        json.dumps({"id": "a", "text": story + " Again."}),
        json.dumps({"id": "c", "text": story + " Share this."}),
    ]
    corpus = tmp_path / "bad.jsonl"
    corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
    summary = run_job(session, [str(corpus)], tmp_path / "out")
    scan = cli_scan(str(corpus))
    skipped = [(s["line"], s["reason"]) for s in scan["skipped"]]
    got = [(s["line"], s["reason"]) for s in table(tmp_path / "out", "skipped")]
    assert sorted(got) == sorted(skipped) and len(got) == 3
    assert summary["documents"] == 2 and canonical(table(tmp_path / "out", "pairs"))


def test_a_run_with_nothing_to_scan_fails(session: Any, tmp_path: Path) -> None:
    corpus = tmp_path / "empty.jsonl"
    corpus.write_text("{broken\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no documents"):
        run_job(session, [str(corpus)], tmp_path / "out")
    with pytest.raises(FileNotFoundError):
        run_job(session, [str(tmp_path / "missing.jsonl")], tmp_path / "out2")


def command(*args: str) -> Tuple[int, str, str]:
    out = subprocess.run(
        [sys.executable, "-m", "copydesk.spark", *args], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    return out.returncode, out.stdout, out.stderr


def test_the_command_scans_and_reports(tmp_path: Path) -> None:
    code, out, err = command("scan", "--sail", "samples/*.txt", str(tmp_path / "out"))
    assert code == 0, err
    summary = json.loads(out)
    assert summary["documents"] == 5 and summary["pairs"] == 1
    assert (tmp_path / "out" / "pairs").is_dir()
    code, _, err = command("scan", "--sail", "no-such-dir/*.jsonl", str(tmp_path / "out2"))
    assert code == 2 and "no" in err
