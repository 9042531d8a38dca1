"""The GIL is released while Rust works; concurrent calls agree with one."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Dict, List

import copydesk
from copydesk import DedupResult, batch

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
    assert_one_story_of_the_rewrite(records, results)


def test_the_rewrite_first_is_replaced(tmp_path: Path) -> None:
    # The order the threads above may take: the rewrite 001 before 000.
    records = jsonl(ROOT / "samples" / "feed.jsonl")
    with copydesk.Index(tmp_path / "index") as index:
        results = [index.dedup([r]) for r in reversed(records)]
    assert_one_story_of_the_rewrite(records, results)
    assert sum(r.counts["canonical_changes"] for r in results) == 1


def assert_one_story_of_the_rewrite(records: List[Dict[str, Any]], results: List[DedupResult]) -> None:
    """Each record decided once; 000 and its rewrite 001 one story with 000
    canonical (001 held when 000 came first, or 000 replacing 001 when
    not); the other three stories apart."""
    assert sorted(d.id for r in results for d in r.decisions) == sorted(r["id"] for r in records)
    verdicts = {d.id: d.verdict for r in results for d in r.decisions}
    original, rewrite = records[0]["id"], records[1]["id"]
    assert verdicts[original]["canonical"] == original
    assert verdicts[original]["cluster"] == verdicts[rewrite]["cluster"]
    held = sum(len(r.held) for r in results)
    replaced = sum(r.counts["canonical_changes"] for r in results)
    assert (held, replaced) in [(1, 0), (0, 1)]
    assert len({v["cluster"] for v in verdicts.values()}) == 4
