"""The records of a scan as typed, immutable Python objects.

Each class mirrors one record of ``copydesk scan --format json``
(``docs/output.md``), field for field; ``from_json`` builds it from that
record. Every span is a ``(start, end)`` byte range into the original input
of its document.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Optional, Tuple

Span = Tuple[int, int]
Json = Dict[str, Any]


def _span(value: Any) -> Span:
    return (int(value[0]), int(value[1]))


@dataclass(frozen=True)
class Repeat:
    """A passage a document says twice."""

    first: Span
    second: Span
    kind: str
    sentences: int

    @staticmethod
    def from_json(r: Json) -> Repeat:
        return Repeat(_span(r["first"]), _span(r["second"]), r["kind"], r["sentences"])


@dataclass(frozen=True)
class Credit:
    """A credit line naming where the text came from ("(Reuters)")."""

    upstream: str
    kind: str
    span: Span
    text: str

    @staticmethod
    def from_json(r: Json) -> Credit:
        return Credit(r["upstream"], r["kind"], _span(r["span"]), r["text"])


@dataclass(frozen=True)
class Boilerplate:
    """A span masked as site furniture, and why."""

    span: Span
    reason: str
    documents: int
    text: str

    @staticmethod
    def from_json(r: Json) -> Boilerplate:
        return Boilerplate(_span(r["span"]), r["reason"], r["documents"], r["text"])


@dataclass(frozen=True)
class Document:
    """One scanned document, what the scan found in it, and its text."""

    index: int
    id: str
    source: str
    outlet: Optional[str]
    url: Optional[str]
    title: Optional[str]
    published: Optional[str]
    published_utc: Optional[str]
    bytes: int
    words: int
    script: str
    cluster: Optional[str]
    repeats: Tuple[Repeat, ...]
    credits: Tuple[Credit, ...]
    text_date: Optional[str]
    boilerplate: Tuple[Boilerplate, ...]
    text: str

    @staticmethod
    def from_json(r: Json, text: str) -> Document:
        return Document(
            index=r["index"],
            id=r["id"],
            source=r["source"],
            outlet=r["outlet"],
            url=r["url"],
            title=r["title"],
            published=r["published"],
            published_utc=r["published_utc"],
            bytes=r["bytes"],
            words=r["words"],
            script=r["script"],
            cluster=r["cluster"],
            repeats=tuple(Repeat.from_json(x) for x in r["repeats"]),
            credits=tuple(Credit.from_json(x) for x in r["credits"]),
            text_date=r["text_date"],
            boilerplate=tuple(Boilerplate.from_json(x) for x in r["boilerplate"]),
            text=text,
        )


@dataclass(frozen=True)
class Cluster:
    """Versions of one story: near-duplicates, containments and rewrites."""

    id: str
    canonical: str
    members: Tuple[str, ...]

    @staticmethod
    def from_json(r: Json) -> Cluster:
        return Cluster(r["id"], r["canonical"], tuple(r["members"]))


@dataclass(frozen=True)
class Story:
    """A story: its version clusters and the write-ups sharing passages."""

    id: str
    clusters: Tuple[str, ...]
    members: Tuple[str, ...]

    @staticmethod
    def from_json(r: Json) -> Story:
        return Story(r["id"], tuple(r["clusters"]), tuple(r["members"]))


@dataclass(frozen=True)
class Occurrence:
    """Where a common passage occurs."""

    document: str
    span: Span


@dataclass(frozen=True)
class CommonPassage:
    """A passage many stories carry: a common upstream or site furniture."""

    text: str
    kind: str
    documents: int
    stories: int
    occurrences: Tuple[Occurrence, ...]

    @staticmethod
    def from_json(r: Json) -> CommonPassage:
        occurrences = tuple(Occurrence(o["document"], _span(o["span"])) for o in r["occurrences"])
        return CommonPassage(r["text"], r["kind"], r["documents"], r["stories"], occurrences)


@dataclass(frozen=True)
class Passage:
    """A passage two documents share: byte ranges and the text of each side."""

    a: Span
    b: Span
    a_words: int
    b_words: int
    kind: str
    score: float
    direction: str
    a_text: str
    b_text: str

    @staticmethod
    def from_json(r: Json, texts: Tuple[str, str]) -> Passage:
        return Passage(
            _span(r["a"]), _span(r["b"]), r["a_words"], r["b_words"], r["kind"], r["score"], r["direction"], *texts
        )


@dataclass(frozen=True)
class Evidence:
    """One piece of evidence on who took from whom."""

    kind: str
    favours: Optional[str]
    weight: float
    detail: str

    @staticmethod
    def from_json(r: Json) -> Evidence:
        return Evidence(r["kind"], r["favours"], r["weight"], r["detail"])


@dataclass(frozen=True)
class Pair:
    """A verified pair: how the two are related, their passages, provenance."""

    a: str
    b: str
    relation: str
    jaccard: float
    containment_a: float
    containment_b: float
    shared_shingles: int
    masked_shingles: int
    quoted_shingles: int
    coverage_a: float
    coverage_b: float
    reuse_a: float
    reuse_b: float
    passages: Tuple[Passage, ...]
    direction: str
    source: Optional[str]
    copy: Optional[str]
    upstream: Optional[str]
    confidence: float
    evidence: Tuple[Evidence, ...]

    @staticmethod
    def from_json(r: Json, texts: Any) -> Pair:
        fields = {k: v for k, v in r.items() if k not in ("passages", "evidence")}
        return Pair(
            **fields,
            passages=tuple(Passage.from_json(p, tuple(t)) for p, t in zip(r["passages"], texts)),
            evidence=tuple(Evidence.from_json(e) for e in r["evidence"]),
        )


@dataclass(frozen=True)
class Skipped:
    """An input that was not scanned, and why."""

    path: str
    line: Optional[int]
    reason: str

    @staticmethod
    def from_json(r: Json) -> Skipped:
        return Skipped(r["path"], r["line"], r["reason"])
