"""``copydesk.scan`` agrees with ``copydesk scan --format json``."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Dict

import pandas as pd
import pyarrow as pa
import pytest

import copydesk

from helpers import ROOT, cli_json, jsonl, shared_corpus

CORPORA = ["helsinki-summit-2018.jsonl", "reuters-21578.jsonl"]


def test_paths_give_the_clis_bytes(tmp_path: Path) -> None:
    os.chdir(ROOT)
    result = copydesk.scan("samples/")
    assert result.to_json() == cli_json("samples/")
    result.write_json(tmp_path / "scan.json")
    assert (tmp_path / "scan.json").read_text(encoding="utf-8") == result.to_json()
    with (tmp_path / "again.json").open("w", encoding="utf-8") as f:
        result.write_json(f)
    assert (tmp_path / "again.json").read_text(encoding="utf-8") == result.to_json()


@pytest.mark.parametrize("name", CORPORA)
def test_shared_corpora_give_the_clis_bytes(name: str) -> None:
    os.chdir(ROOT)
    path = os.path.relpath(shared_corpus(name), ROOT)
    assert copydesk.scan(path).to_json() == cli_json(path)


def _without_sources(scan: Dict[str, Any]) -> Dict[str, Any]:
    for d in scan["documents"]:
        d.pop("source")
        d.pop("extra", None)
    return scan


@pytest.mark.parametrize("name", ["samples", *CORPORA])
def test_records_tables_and_frames_scan_as_the_file(name: str) -> None:
    path = ROOT / "samples" / "feed.jsonl" if name == "samples" else shared_corpus(name)
    expected = _without_sources(json.loads(cli_json(str(path))))
    records = jsonl(path)
    fields = ("id", "text", "outlet", "url", "title", "published")
    rows = [{k: (str(r[k]) if k == "id" else r.get(k)) for k in fields} for r in records]
    for given in (rows, pa.Table.from_pylist(rows), pd.DataFrame(rows)):
        got = _without_sources(json.loads(copydesk.scan(given).to_json()))
        assert got == expected


def test_typed_objects_hold_the_json_and_the_texts() -> None:
    records = jsonl(ROOT / "samples" / "feed.jsonl")
    result = copydesk.scan(records)
    raw = json.loads(result.to_json())
    assert len(result.documents) == len(raw["documents"]) == len(result)
    assert [c.members for c in result.clusters] == [tuple(c["members"]) for c in raw["clusters"]]
    assert result.pairs and len(result.pairs) == len(raw["pairs"])
    texts = {r["id"]: r["text"].encode("utf-8") for r in records}
    for pair, rec in zip(result.pairs, raw["pairs"]):
        assert (pair.a, pair.b, pair.relation, pair.direction) == (
            rec["a"],
            rec["b"],
            rec["relation"],
            rec["direction"],
        )
        assert len(pair.passages) == len(rec["passages"]) > 0
        for passage in pair.passages:
            # Offsets are byte ranges of the original input.
            assert texts[pair.a][slice(*passage.a)].decode("utf-8") == passage.a_text
            assert texts[pair.b][slice(*passage.b)].decode("utf-8") == passage.b_text
    doc = result.document(records[0]["id"])
    assert doc.text == records[0]["text"] and doc.outlet == records[0]["outlet"]
    with pytest.raises(KeyError):
        result.document("no such id")


def test_tables_count_what_the_json_holds() -> None:
    result = copydesk.scan(ROOT / "samples")
    raw = json.loads(result.to_json())
    tables = result.to_arrow()
    assert tables["documents"].num_rows == len(raw["documents"])
    assert tables["clusters"].num_rows == sum(len(c["members"]) for c in raw["clusters"])
    assert tables["pairs"].num_rows == len(raw["pairs"])
    assert tables["passages"].num_rows == sum(len(p["passages"]) for p in raw["pairs"])
    assert tables["passages"].column("a_span").to_pylist()[0] == raw["pairs"][0]["passages"][0]["a"]
    frames = result.to_pandas()
    assert list(frames["pairs"]["relation"]) == [p["relation"] for p in raw["pairs"]]


def test_reports(tmp_path: Path) -> None:
    result = copydesk.scan(ROOT / "samples" / "feed.jsonl")
    page = result.report_html(tmp_path / "report.html")
    assert page.startswith("<!doctype html>") and (tmp_path / "report.html").read_text(encoding="utf-8") == page
    assert "Content-Security-Policy" in page
    assert result.report_markdown().startswith("#")


def test_settings_reach_the_scan() -> None:
    rows = jsonl(ROOT / "samples" / "feed.jsonl")
    assert copydesk.scan(rows, threshold=0.9).settings["threshold"] == 0.9
    assert copydesk.scan(rows, rewrites=False).summary["rewrites"] == 0
    assert copydesk.scan(rows).summary["rewrites"] == 1
