"""The batch API: statistics add up, sketches are the scan's keys, and
linking the scan's pairs gives the scan's records."""

from __future__ import annotations

import itertools
import json
import pickle
from typing import Any, Dict, List

import pyarrow as pa
import pytest

import copydesk
from copydesk import batch

from helpers import ROOT, jsonl, shared_corpus

FIELDS = ("id", "text", "outlet", "url", "title", "published")


def _table(records: List[Dict[str, Any]]) -> pa.Table:
    return pa.Table.from_pylist([{k: (str(r[k]) if k == "id" else r.get(k)) for k in FIELDS} for r in records])


def test_statistics_of_parts_add_up_to_the_whole() -> None:
    table = _table(jsonl(shared_corpus("helsinki-summit-2018.jsonl")))
    every = batch.sample_every(table.num_rows)
    whole = batch.Statistics.of(table, sample_every=every)
    cuts = [0, 100, 101, 350, table.num_rows]
    parts = [
        batch.Statistics.of(table.slice(a, b - a), sample_every=every, first_row=a) for a, b in zip(cuts, cuts[1:])
    ]
    assert sum(parts[1:], parts[0]) == whole
    assert parts[3] + (parts[2] + (parts[1] + parts[0])) == whole
    assert whole.documents == table.num_rows and whole.sampled == len(range(0, table.num_rows, every))
    assert pickle.loads(pickle.dumps(whole)) == whole
    assert batch.Statistics.from_bytes(whole.to_bytes()).to_bytes() == whole.to_bytes()
    with pytest.raises(ValueError, match="not copydesk corpus statistics"):
        batch.Statistics.from_bytes(whole.to_bytes()[:-3])


def test_an_ordinal_column_picks_the_sample() -> None:
    table = _table(jsonl(ROOT / "samples" / "feed.jsonl"))
    by_row = batch.Statistics.of(table, sample_every=2, first_row=1)
    ordinals = pa.array(range(1, table.num_rows + 1), type=pa.int64())
    by_column = batch.Statistics.of(table.append_column("ordinal", ordinals), sample_every=2)
    assert by_row == by_column and by_row.sampled == 2


def test_sketches() -> None:
    table = _table(jsonl(ROOT / "samples" / "feed.jsonl"))
    plain = batch.analyze(table)
    keyed = batch.analyze(table, statistics=batch.Statistics.of(table))
    assert plain.num_rows == table.num_rows
    assert plain.column("id").to_pylist() == table.column("id").to_pylist()
    assert all(len(s or []) == 128 for s in plain.column("signature").to_pylist())
    assert all(len(b or []) == 25 for b in plain.column("band_keys").to_pylist())
    assert not any(plain.column("sentence_keys").to_pylist())
    assert all(keyed.column("sentence_keys").to_pylist())
    for keys, numbers in zip(keyed.column("sentence_keys").to_pylist(), keyed.column("sentence_numbers").to_pylist()):
        assert keys is not None and numbers is not None and len(keys) == len(numbers)
        assert list(zip(keys, numbers)) == sorted(set(zip(keys, numbers)))
    assert plain.column("band_keys").equals(keyed.column("band_keys"))
    fewer = batch.analyze(table, num_hashes=64, threshold=0.8)
    assert all(len(s or []) == 64 for s in fewer.column("signature").to_pylist())
    with pytest.raises(TypeError, match="unknown setting"):
        batch.analyze(table, shingles=3)
    only = batch.analyze(table, columns=["signature", "band_keys"])
    assert only.column_names == ["id", "signature", "band_keys"]
    assert only.column("band_keys").equals(plain.column("band_keys"))
    with pytest.raises(ValueError, match="unknown column"):
        batch.analyze(table, columns=["minhash"])
    # What the Spark job's stages ask for besides: distinct sorted shingles.
    extra = batch.analyze(table, columns=["shingles", "paragraph_keys", "published_at"])
    assert extra.column_names == ["id", "shingles", "paragraph_keys", "published_at"]
    assert all(s and s == sorted(set(s)) for s in extra.column("shingles").to_pylist())
    with pytest.raises(ValueError, match='record 1: empty "text"'):
        batch.analyze([("x", "Some words here."), ("y", " ")])
    # Texts that differ in case and punctuation only share a content hash.
    twins = batch.analyze([("x", "The Bridge reopens, officials said."), ("y", "the bridge reopens officials said")])
    assert len(set(twins.column("content_hash").to_pylist())) == 1


def test_linking_the_scans_pairs_gives_its_records() -> None:
    records = jsonl(ROOT / "samples" / "feed.jsonl")
    table = _table(records)
    scanned = json.loads(copydesk.scan(table).to_json())
    stats = batch.Statistics.of(table, sample_every=batch.sample_every(table.num_rows))
    every_pair = list(itertools.combinations(table.column("id").to_pylist(), 2))
    pairs, passages, clusters = batch.link(table, every_pair, stats, rewrite_candidates=every_pair, cluster=True)
    linked = {(p["a"], p["b"]): p for p in pairs.to_pylist()}
    assert scanned["pairs"]
    for expected in scanned["pairs"]:
        got = linked[(expected["a"], expected["b"])]
        assert {k: v for k, v in expected.items() if k != "passages"} == got
        rows = [p for p in passages.to_pylist() if (p["a"], p["b"]) == (expected["a"], expected["b"])]
        assert [[r["a_start"], r["a_end"]] for r in rows] == [x["a"] for x in expected["passages"]]
        assert [r["kind"] for r in rows] == [x["kind"] for x in expected["passages"]]
    members: Dict[str, List[str]] = {}
    for row in clusters.to_pylist():
        members.setdefault(row["cluster"], []).append(row["document"])
    assert sorted(members.values()) == sorted(c["members"] for c in scanned["clusters"])


def test_bad_candidates() -> None:
    table = _table(jsonl(ROOT / "samples" / "feed.jsonl"))
    stats = batch.Statistics.of(table)
    with pytest.raises(ValueError, match='no document "nope"'):
        batch.link(table, [("nope", table.column("id")[0].as_py())], stats)
    with pytest.raises(ValueError, match='no "b" column'):
        batch.link(table, pa.table({"a": ["x"]}), stats)
