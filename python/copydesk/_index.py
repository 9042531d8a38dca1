"""``copydesk.Index``: the feed index, for deduplicating a feed batch by batch."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Dict, Optional, Tuple, Type, Union

from . import _core
from ._records import to_table
from ._scan import _settings


@dataclass(frozen=True)
class Decision:
    """What became of one record: kept or held back, and the verdict
    (the ``copydesk`` object ``copydesk dedup`` adds to its records)."""

    id: str
    held: bool
    verdict: Dict[str, Any]


@dataclass(frozen=True)
class DedupResult:
    """One batch's decisions, in input order, and its counts."""

    decisions: Tuple[Decision, ...]
    counts: Dict[str, int]

    @property
    def kept(self) -> Tuple[Decision, ...]:
        return tuple(d for d in self.decisions if not d.held)

    @property
    def held(self) -> Tuple[Decision, ...]:
        return tuple(d for d in self.decisions if d.held)


class Index:
    """The feed index in a directory, created on first use.

    Each ``dedup`` call is one batch of ``copydesk dedup``: every record
    comes back kept (the canonical version of its story, or a story of its
    own) or held back (a copy of a story kept now or in an earlier run),
    and the index remembers the batch on disk. A closed index (``close``,
    or the end of a ``with`` block) releases its database.

    >>> import tempfile
    >>> story = ("Officials said on Tuesday that the bridge over the river would "
    ...          "reopen next month after two years of repairs, ending long detours.")
    >>> with tempfile.TemporaryDirectory() as d, Index(d) as index:
    ...     first = index.dedup([("a", story + " Share this article.")])
    ...     second = index.dedup([("b", story)])
    >>> [x.held for x in first.decisions], [x.held for x in second.decisions]
    ([False], [True])
    >>> second.decisions[0].verdict["duplicate_of"]
    'a'

    """

    def __init__(
        self,
        path: Union[str, "os.PathLike[str]"],
        *,
        threshold: Optional[float] = None,
        containment: Optional[float] = None,
        num_hashes: Optional[int] = None,
        shingle_words: Optional[int] = None,
        rewrites: Optional[bool] = None,
        texts: bool = True,
    ) -> None:
        settings = _settings(threshold, containment, num_hashes, shingle_words, rewrites)
        self._index = _core.FeedIndex(os.fspath(path), settings, texts=texts)

    def dedup(self, records: Any, *, dry_run: bool = False) -> DedupResult:
        """Deduplicates one batch (records as ``copydesk.scan`` takes them)."""
        table = to_table(records)
        held, verdicts, counts = self._index.dedup(table, dry_run=dry_run)
        ids = [str(i) for i in table.column("id").to_pylist()]
        decisions = tuple(Decision(i, h, v) for i, h, v in zip(ids, held, json.loads(verdicts)))
        return DedupResult(decisions, dict(counts))

    def close(self) -> None:
        self._index.close()

    def __enter__(self) -> Index:
        return self

    def __exit__(
        self,
        kind: Optional[Type[BaseException]],
        value: Optional[BaseException],
        traceback: Optional[TracebackType],
    ) -> None:
        self.close()
