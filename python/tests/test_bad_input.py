"""Bad input is a clear Python exception naming the record, never a crash."""

from __future__ import annotations

from pathlib import Path
from typing import Any, List

import pandas as pd
import pyarrow as pa
import pytest

import copydesk

GOOD = "Officials said on Tuesday that the bridge over the river would reopen next month."


@pytest.mark.parametrize(
    ("records", "error", "message"),
    [
        ([("a", GOOD), ("b", 42)], TypeError, 'record 1: "text" must be str, got int'),
        ([("a", GOOD), ("b", None)], ValueError, 'record 1: "text" is missing'),
        ([("a", GOOD), ("b", b"bytes")], TypeError, 'record 1: "text" must be str, got bytes'),
        ([("a", "bad \ud800 surrogate")], ValueError, 'record 0: "text" is not valid Unicode'),
        ([{"id": "a", "text": GOOD, "outlet": 3}], TypeError, 'record 0: "outlet" must be str, got int'),
        ([{"text": GOOD}], ValueError, 'record 0: "id" is missing'),
        ([("a", GOOD), ("a", GOOD)], ValueError, 'record 1: id "a" repeats'),
        ([("a", "   ")], ValueError, 'record 0: empty "text"'),
        ([("a", "nul\0byte")], ValueError, 'record 0: "text" holds a NUL'),
        ([42], TypeError, "record 0: expected a dict or an (id, text) pair, got int"),
        ([], ValueError, "nothing to scan"),
    ],
)
def test_bad_records(records: List[Any], error: type, message: str) -> None:
    with pytest.raises(error) as caught:
        copydesk.scan(records)
    assert message in str(caught.value)


def test_skip_bad_lists_what_was_left_out() -> None:
    result = copydesk.scan([("a", GOOD), ("b", " "), ("a", GOOD + " Again.")], skip_bad=True)
    assert [d.id for d in result.documents] == ["a"]
    assert [(s.line, s.reason) for s in result.skipped] == [
        (1, 'empty "text"'),
        (2, 'id "a" repeats an earlier record\'s'),
    ]


def test_bad_tables_and_settings() -> None:
    with pytest.raises(ValueError, match='no "text" column'):
        copydesk.scan(pa.table({"id": ["a"]}))
    with pytest.raises(TypeError, match='column "text" must hold strings'):
        copydesk.scan(pa.table({"id": ["a"], "text": [1]}))
    with pytest.raises(TypeError, match='record 1: "text" must be str, got int'):
        copydesk.scan(pd.DataFrame({"id": ["a", "b"], "text": [GOOD, 5]}))
    with pytest.raises(ValueError, match="threshold must be in"):
        copydesk.scan([("a", GOOD)], threshold=1.5)
    with pytest.raises(ValueError, match="threads must be from 1 to 256"):
        copydesk.scan([("a", GOOD)], threads=0)
    with pytest.raises(TypeError, match="single dict"):
        copydesk.scan({"id": "a", "text": GOOD})


def test_missing_paths_and_empty_directories(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        copydesk.scan(str(tmp_path / "absent"))
    with pytest.raises(ValueError, match="nothing to scan"):
        copydesk.scan(str(tmp_path))


def test_huge_and_odd_texts_scan() -> None:
    huge = ("word " * 2_000_000) + "end."
    odd = "\u202e\u0000".replace("\u0000", "") + "日本語のテキスト。" * 1000
    result = copydesk.scan([("huge", huge), ("huge-copy", huge), ("odd", odd)])
    assert [c.members for c in result.clusters] == [("huge", "huge-copy")]
