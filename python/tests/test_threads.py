"""The GIL is released while Rust works; concurrent calls agree with one."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import copydesk
from copydesk import batch

from helpers import ROOT, jsonl


def test_concurrent_scans_agree() -> None:
    records = jsonl(ROOT / "samples" / "feed.jsonl")
    expected = copydesk.scan(records, threads=1).to_json()
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: copydesk.scan(records, threads=2).to_json(), range(8)))
    assert results == [expected] * 8


def test_concurrent_batches_agree() -> None:
    records = jsonl(ROOT / "samples" / "feed.jsonl")
    rows = [{"id": r["id"], "text": r["text"]} for r in records]
    stats = batch.Statistics.of(rows)
    expected = batch.analyze(rows, statistics=stats)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: batch.analyze(rows, statistics=stats), range(8)))
    assert all(r.equals(expected) for r in results)


def test_one_index_from_many_threads(tmp_path: Path) -> None:
    records = jsonl(ROOT / "samples" / "feed.jsonl")
    with copydesk.Index(tmp_path / "index") as index:
        with ThreadPoolExecutor(max_workers=4) as pool:
            results = list(pool.map(lambda r: index.dedup([r]), records))
    # Each record was decided once, whatever order the threads ran in.
    assert sorted(d.id for r in results for d in r.decisions) == sorted(r["id"] for r in records)
    assert sum(len(r.held) for r in results) == 1
