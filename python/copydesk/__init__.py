"""copydesk: find near-duplicate news articles and syndication.

The Rust core of the ``copydesk`` command line, as a Python package:

* ``scan(records)`` clusters the versions of each story, pairs related
  documents, aligns the passages they share (byte ranges and text) and
  says who took from whom, with the evidence;
* ``Index(path).dedup(records)`` deduplicates a feed batch by batch against
  what earlier batches kept, remembered on disk;
* ``copydesk.batch`` is the per-batch API engines call (Arrow in, Arrow out);
* ``copydesk.compat`` has datasketch's ``MinHash`` and ``MinHashLSH`` shapes.

A program that scans large corpora may call
``disable_transparent_huge_pages()`` once at its top, as the ``copydesk``
command does: the scan's many small vectors spread over huge pages cost
the kernel time zeroing and compacting them. It changes the whole process,
so the package never does it on its own.
"""

from . import batch, compat
from ._core import __version__, disable_transparent_huge_pages
from ._index import Decision, DedupResult, Index
from ._model import (
    Boilerplate,
    Cluster,
    CommonPassage,
    Credit,
    Document,
    Evidence,
    Occurrence,
    Pair,
    Passage,
    Repeat,
    Skipped,
    Span,
    Story,
)
from ._scan import Scan, scan

__all__ = [
    "Boilerplate",
    "Cluster",
    "CommonPassage",
    "Credit",
    "Decision",
    "DedupResult",
    "Document",
    "Evidence",
    "Index",
    "Occurrence",
    "Pair",
    "Passage",
    "Repeat",
    "Scan",
    "Skipped",
    "Span",
    "Story",
    "__version__",
    "batch",
    "compat",
    "disable_transparent_huge_pages",
    "scan",
]
