"""The batch API: the pipeline's stages one batch of rows at a time.

For engines that spread a corpus over workers (the Spark job calls these
from ``mapInArrow`` and ``applyInArrow``). Tables go in and come out as
Arrow; documents are rows with ``id`` and ``text`` columns (and optionally
``outlet``, ``url``, ``title``, ``published``). Rust does the work with the
GIL released, and no document costs a Python call.

1. ``Statistics.of(batch)`` on each batch, merged (``a + b``, in any order
   and grouping): the counts ``scan`` takes over its corpus.
2. ``analyze(batch, statistics=...)``: per document the content hash,
   MinHash signature, LSH band keys, winnowing fingerprints and
   sentence-index keys: the keys candidate pairs are found by.
3. ``link(documents, candidates, statistics)``: the candidate pairs
   verified, their passages aligned, who took from whom; with
   ``cluster=True``, over one connected component, its clusters too.

>>> import pyarrow as pa
>>> story = ("Officials said on Tuesday that the bridge over the river would "
...          "reopen next month after two years of repairs, ending long detours.")
>>> docs = pa.table({"id": ["a", "b"], "text": [story, story + " Share this article."]})
>>> stats = Statistics.of(docs.slice(0, 1)) + Statistics.of(docs.slice(1), first_row=1)
>>> stats.documents
2
>>> keys = analyze(docs, statistics=stats)
>>> keys.column_names[:4]
['id', 'content_hash', 'tokens', 'signature']
>>> pairs, passages, clusters = link(docs, pa.table({"a": ["a"], "b": ["b"]}), stats, cluster=True)
>>> pairs.column("relation").to_pylist(), clusters.column("document").to_pylist()
(['near-duplicate'], ['b', 'a'])
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Optional, Sequence, Tuple

if TYPE_CHECKING:
    import pyarrow as pa

from . import _core
from ._core import Statistics as _Statistics
from ._records import to_table

__all__ = ["Statistics", "analyze", "link", "sample_every"]


_SETTINGS = ("threshold", "containment", "num_hashes", "shingle_words", "rewrites")


def _settings(settings: Dict[str, Any]) -> Dict[str, Any]:
    unknown = set(settings) - set(_SETTINGS)
    if unknown:
        raise TypeError(f"unknown setting(s): {', '.join(sorted(unknown))}")
    return {name: settings.get(name) for name in _SETTINGS}


def _table(data: Any) -> pa.Table:
    """Documents as ``copydesk.scan`` takes them, as one table."""
    return to_table(data)


def _pairs(data: Any) -> pa.Table:
    """Pairs of ids: a table with ``a`` and ``b``, or ``(a, b)`` tuples."""
    import pyarrow as pa

    if isinstance(data, pa.Table):
        return data
    if isinstance(data, pa.RecordBatch):
        return pa.Table.from_batches([data])
    if hasattr(data, "__arrow_c_stream__"):
        return pa.table(data)
    pairs = list(data)
    return pa.table({"a": [str(a) for a, _ in pairs], "b": [str(b) for _, b in pairs]})


class Statistics:
    """Corpus statistics that add up: documents, content-word counts over
    every document, shingle counts over the sampled ones.

    ``a + b`` (or ``a.merge(b)``) counts both parts; ``to_bytes`` and
    ``from_bytes`` ship them between processes, and they pickle.
    """

    def __init__(self, inner: Optional[_Statistics] = None) -> None:
        self._inner = inner if inner is not None else _Statistics()

    @staticmethod
    def of(documents: Any, *, sample_every: int = 1, first_row: int = 0, **settings: Any) -> Statistics:
        """Counts a batch of documents. A row is sampled for shingle counts
        when its ordinal (an ``ordinal`` column, or ``first_row`` plus its
        row number) is a multiple of ``sample_every``: ``scan`` samples with
        ``sample_every(corpus size)``, so ordinals in input order match it."""
        return Statistics(_Statistics.of(_table(documents), _settings(settings), sample_every, first_row))

    def merge(self, other: Statistics) -> Statistics:
        return Statistics(self._inner.merge(other._inner))

    def __add__(self, other: Statistics) -> Statistics:
        return self.merge(other)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Statistics) and self._inner == other._inner

    def __hash__(self) -> int:
        return hash(self.to_bytes())

    def __reduce__(self) -> Tuple[Any, Tuple[bytes]]:
        return (Statistics.from_bytes, (self.to_bytes(),))

    def to_bytes(self) -> bytes:
        return self._inner.to_bytes()

    @staticmethod
    def from_bytes(data: bytes) -> Statistics:
        return Statistics(_Statistics.from_bytes(data))

    @property
    def documents(self) -> int:
        return self._inner.documents

    @property
    def sampled(self) -> int:
        return self._inner.sampled

    def __repr__(self) -> str:
        return f"<Statistics: {self.documents} documents, {self.sampled} sampled>"


def sample_every(documents: int, **settings: Any) -> int:
    """Every how many documents ``scan`` samples one for shingle counts, in a
    corpus of ``documents``."""
    return _core.sample_every(documents, _settings(settings))


def analyze(
    documents: Any,
    *,
    statistics: Optional[Statistics] = None,
    columns: Optional[Sequence[str]] = None,
    **settings: Any,
) -> pa.RecordBatch:
    """Per document: ``id``, then ``content_hash``, ``tokens``,
    ``signature``, ``band_keys``, ``fingerprints`` (distinct, sorted),
    ``sentence_keys`` and ``sentence_numbers`` (given the corpus's
    ``statistics``, empty without: each key with the content sentence it
    came from, sorted by key), or only the ``columns`` named: asking for no
    more than the signature and band keys skips the rest of the work. Also
    to be named: ``paragraph_keys`` (the short paragraphs boilerplate is
    learned from), ``shingles`` and ``words`` (distinct, sorted) and
    ``published_at`` (seconds since the epoch, when the time reads)."""
    inner = statistics._inner if statistics is not None else None
    wanted = list(columns) if columns is not None else None
    return _core.analyze(_table(documents), _settings(settings), inner, wanted)


def link(
    documents: Any,
    candidates: Any,
    statistics: Statistics,
    *,
    rewrite_candidates: Any = None,
    cluster: bool = False,
    **settings: Any,
) -> Tuple[pa.RecordBatch, pa.RecordBatch, pa.RecordBatch]:
    """Verifies and aligns candidate pairs (``a`` and ``b`` id columns, or
    ``(a, b)`` tuples) of
    ``documents``; ``rewrite_candidates`` are checked as rewrites when shared
    wording does not link them. With ``cluster``, ``documents`` should be one
    connected component: its clusters are made as ``scan`` makes them.

    Returns three record batches: pairs (the fields of ``scan``'s pairs,
    passages apart), passages (one row each, with ``a`` and ``b``) and
    clusters (``cluster``, ``document``, ``canonical``)."""
    rewrites = _pairs(rewrite_candidates) if rewrite_candidates is not None else None
    table, inner = _table(documents), statistics._inner
    pairs, passages, clusters, *_ = _core.link(table, _pairs(candidates), inner, _settings(settings), rewrites, cluster)
    return pairs, passages, clusters
