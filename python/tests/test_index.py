"""``copydesk.Index``: batches against what earlier batches kept, on disk."""

from __future__ import annotations

from pathlib import Path

import pytest

import copydesk

from helpers import ROOT, jsonl


def test_batches_remember_earlier_runs(tmp_path: Path) -> None:
    records = jsonl(ROOT / "samples" / "feed.jsonl")
    first, rest = records[:1], records[1:]
    with copydesk.Index(tmp_path / "ix") as index:
        assert [d.held for d in index.dedup(first).decisions] == [False]
    # Reopened: the archive holds the first batch.
    with copydesk.Index(tmp_path / "ix") as index:
        dry = index.dedup(rest, dry_run=True)
        result = index.dedup(rest)
    assert [d.held for d in dry.decisions] == [d.held for d in result.decisions]
    held = result.held
    assert [d.id for d in held] == [records[1]["id"]]
    assert held[0].verdict["duplicate_of"] == records[0]["id"] and held[0].verdict["archived"] is True
    assert result.counts["held_against_archive"] == 1 and result.counts["articles"] == len(rest)


def test_closed_and_mismatched_indexes(tmp_path: Path) -> None:
    index = copydesk.Index(tmp_path / "ix")
    index.close()
    with pytest.raises(RuntimeError, match="closed"):
        index.dedup([("a", "Some words of a story.")])
    with pytest.raises(OSError, match="threshold"):
        copydesk.Index(tmp_path / "ix", threshold=0.9)
