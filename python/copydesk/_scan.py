"""``copydesk.scan`` and the ``Scan`` it returns."""

from __future__ import annotations

import json
import os
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence, TextIO, Tuple, Union

if TYPE_CHECKING:
    import pyarrow as pa

from . import _core
from ._model import Cluster, CommonPassage, Document, Json, Pair, Skipped, Story
from ._records import to_table

PathLike = Union[str, "os.PathLike[str]"]


def _settings(
    threshold: Optional[float],
    containment: Optional[float],
    num_hashes: Optional[int],
    shingle_words: Optional[int],
    rewrites: Optional[bool],
) -> Dict[str, Any]:
    return {
        "threshold": threshold,
        "containment": containment,
        "num_hashes": num_hashes,
        "shingle_words": shingle_words,
        "rewrites": rewrites,
    }


def _paths(records: Any) -> Optional[List[str]]:
    """The paths ``records`` names, or None when it is not paths."""
    if isinstance(records, (str, os.PathLike)):
        return [os.fspath(records)]
    if isinstance(records, (list, tuple)) and records and all(isinstance(r, (str, os.PathLike)) for r in records):
        return [os.fspath(r) for r in records]
    return None


def scan(
    records: Any,
    *,
    threshold: Optional[float] = None,
    containment: Optional[float] = None,
    num_hashes: Optional[int] = None,
    shingle_words: Optional[int] = None,
    rewrites: Optional[bool] = None,
    skip_bad: bool = False,
    threads: Optional[int] = None,
) -> Scan:
    """Scans documents for copies: clusters, pairs, passages, provenance.

    ``records`` is an iterable of dicts (``id``, ``text``, and optionally
    ``outlet``, ``url``, ``title``, ``published``) or of ``(id, text)``
    pairs, a pandas DataFrame or Arrow table with those columns, or a path
    (or list of paths) to files and directories, read as ``copydesk scan``
    reads them. The settings are the CLI's (``None`` keeps its default).
    A bad record raises ``TypeError`` or ``ValueError`` naming it, unless
    ``skip_bad``: then it is listed in ``Scan.skipped``.

    >>> story = ("Officials said on Tuesday that the bridge over the river would "
    ...          "reopen next month after two years of repairs, ending long detours.")
    >>> result = scan([("a", story), ("b", story + " Share this article."),
    ...                ("c", "A different story about the weather turning cold.")])
    >>> [(c.canonical, c.members) for c in result.clusters]
    [('b', ('b', 'a'))]
    >>> result.pairs[0].relation
    'near-duplicate'
    """
    settings = _settings(threshold, containment, num_hashes, shingle_words, rewrites)
    paths = _paths(records)
    if paths is not None:
        return Scan(_core.scan_paths(paths, settings, threads=threads))
    return Scan(_core.scan_table(to_table(records), settings, skip_bad=skip_bad, threads=threads))


class Scan:
    """A finished scan: documents, clusters, stories, pairs with passages.

    The records are those of ``copydesk scan --format json`` (``to_json``
    gives the same bytes), as typed objects; ``to_arrow`` and
    ``to_pandas`` give them as tables.
    """

    def __init__(self, result: _core.ScanResult) -> None:
        self._result = result

    def __len__(self) -> int:
        return len(self._result)

    def __repr__(self) -> str:
        s = self.summary
        return f"<Scan: {s['documents']} documents, {s['clusters']} clusters, {s['pairs']} pairs>"

    def to_json(self) -> str:
        """The scan as ``copydesk scan --format json`` writes it."""
        return self._result.json()

    def write_json(self, target: Union[PathLike, TextIO]) -> None:
        """Writes ``to_json()`` to a path (streamed from Rust, never held
        whole in memory) or to a text file object."""
        if isinstance(target, (str, os.PathLike)):
            self._result.write_json(os.fspath(target))
        else:
            target.write(self.to_json())

    @cached_property
    def _json(self) -> Json:
        parsed: Json = json.loads(self.to_json())
        return parsed

    @property
    def summary(self) -> Dict[str, Any]:
        """The counts of the JSON's ``summary``."""
        summary: Dict[str, Any] = self._json["summary"]
        return summary

    @property
    def settings(self) -> Dict[str, Any]:
        """The settings the scan ran with (bands and rows included)."""
        settings: Dict[str, Any] = self._json["settings"]
        return settings

    @cached_property
    def documents(self) -> Tuple[Document, ...]:
        texts = self._result.texts()
        return tuple(Document.from_json(r, t) for r, t in zip(self._json["documents"], texts))

    @cached_property
    def clusters(self) -> Tuple[Cluster, ...]:
        return tuple(Cluster.from_json(r) for r in self._json["clusters"])

    @cached_property
    def stories(self) -> Tuple[Story, ...]:
        return tuple(Story.from_json(r) for r in self._json["stories"])

    @cached_property
    def common_passages(self) -> Tuple[CommonPassage, ...]:
        return tuple(CommonPassage.from_json(r) for r in self._json["common_passages"])

    @cached_property
    def pairs(self) -> Tuple[Pair, ...]:
        texts = self._result.passage_texts()
        return tuple(Pair.from_json(r, t) for r, t in zip(self._json["pairs"], texts))

    @cached_property
    def skipped(self) -> Tuple[Skipped, ...]:
        return tuple(Skipped.from_json(r) for r in self._json["skipped"])

    def document(self, id: str) -> Document:
        """The document of this id (``KeyError`` if there is none)."""
        for d in self.documents:
            if d.id == id:
                return d
        raise KeyError(id)

    def to_arrow(self) -> Dict[str, pa.Table]:
        """Four tables: ``documents``, ``clusters``, ``pairs``, ``passages``.

        ``pairs`` has one row per pair (evidence as a list of structs),
        ``passages`` one row per passage with the pair's ``a`` and ``b``.
        """
        documents = [
            {k: v for k, v in r.items() if k not in ("repeats", "credits", "boilerplate", "extra", "path_bytes")}
            for r in self._json["documents"]
        ]
        clusters = [
            {"cluster": c.id, "document": m, "canonical": m == c.canonical} for c in self.clusters for m in c.members
        ]
        pairs = [{k: v for k, v in r.items() if k != "passages"} for r in self._json["pairs"]]
        passages = [
            {"a": p.a, "b": p.b, "a_span": x.a, "b_span": x.b, **{f: getattr(x, f) for f in _PASSAGE_FIELDS}}
            for p in self.pairs
            for x in p.passages
        ]
        import pyarrow as pa

        rows = {"documents": documents, "clusters": clusters, "pairs": pairs, "passages": passages}
        return {name: pa.Table.from_pylist(rows[name], schema=schema) for name, schema in _schemas().items()}

    def to_pandas(self) -> Dict[str, Any]:
        """``to_arrow``'s tables as pandas DataFrames (needs pandas)."""
        return {name: table.to_pandas() for name, table in self.to_arrow().items()}

    def report_html(self, path: Optional[PathLike] = None) -> str:
        """The editor's report, one self-contained HTML page; written to
        ``path`` when given. Returns the page."""
        return self._report("html", path)

    def report_markdown(self, path: Optional[PathLike] = None) -> str:
        """The editor's report in Markdown; written to ``path`` when given."""
        return self._report("markdown", path)

    def _report(self, format: str, path: Optional[PathLike]) -> str:
        page = self._result.report(format)
        if path is not None:
            Path(path).write_text(page, encoding="utf-8")
        return page


def _schema(fields: List[Any]) -> pa.Schema:
    return pa.schema(fields)


_PASSAGE_FIELDS: Sequence[str] = ("a_words", "b_words", "kind", "score", "direction", "a_text", "b_text")


@lru_cache(maxsize=None)
def _schemas() -> Dict[str, pa.Schema]:
    """The tables' schemas (built on first use: pyarrow loads only then)."""
    import pyarrow as pa

    def _schema(fields: List[Any]) -> pa.Schema:
        return pa.schema(fields)

    span = pa.list_(pa.int64(), 2)
    documents = _schema(
        [
            pa.field("index", pa.int64()),
            pa.field("id", pa.string()),
            pa.field("source", pa.string()),
            pa.field("outlet", pa.string()),
            pa.field("url", pa.string()),
            pa.field("title", pa.string()),
            pa.field("published", pa.string()),
            pa.field("published_utc", pa.string()),
            pa.field("bytes", pa.int64()),
            pa.field("encoding", pa.string()),
            pa.field("words", pa.int64()),
            pa.field("script", pa.string()),
            pa.field("cluster", pa.string()),
            pa.field("text_date", pa.string()),
        ]
    )
    clusters = _schema(
        [pa.field("cluster", pa.string()), pa.field("document", pa.string()), pa.field("canonical", pa.bool_())]
    )
    evidence = pa.struct(
        [
            pa.field("kind", pa.string()),
            pa.field("favours", pa.string()),
            pa.field("weight", pa.float64()),
            pa.field("detail", pa.string()),
        ]
    )
    pairs = _schema(
        [
            pa.field("a", pa.string()),
            pa.field("b", pa.string()),
            pa.field("relation", pa.string()),
            pa.field("jaccard", pa.float64()),
            pa.field("containment_a", pa.float64()),
            pa.field("containment_b", pa.float64()),
            pa.field("shared_shingles", pa.int64()),
            pa.field("masked_shingles", pa.int64()),
            pa.field("quoted_shingles", pa.int64()),
            pa.field("coverage_a", pa.float64()),
            pa.field("coverage_b", pa.float64()),
            pa.field("reuse_a", pa.float64()),
            pa.field("reuse_b", pa.float64()),
            pa.field("direction", pa.string()),
            pa.field("source", pa.string()),
            pa.field("copy", pa.string()),
            pa.field("upstream", pa.string()),
            pa.field("confidence", pa.float64()),
            pa.field("evidence", pa.list_(evidence)),
        ]
    )
    passages = _schema(
        [
            pa.field("a", pa.string()),
            pa.field("b", pa.string()),
            pa.field("a_span", span),
            pa.field("b_span", span),
            pa.field("a_words", pa.int64()),
            pa.field("b_words", pa.int64()),
            pa.field("kind", pa.string()),
            pa.field("score", pa.float64()),
            pa.field("direction", pa.string()),
            pa.field("a_text", pa.string()),
            pa.field("b_text", pa.string()),
        ]
    )
    return {"documents": documents, "clusters": clusters, "pairs": pairs, "passages": passages}
