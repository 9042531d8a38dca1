"""What the Spark job's tasks run: Arrow batches in, the Rust core
(``copydesk._core``) over them, Arrow batches out. Each function here is
shipped to the executors inside a ``mapInArrow`` or ``applyInArrow`` call
(with the corpus statistics it closes over); the schemas are the ones the
job declares for those calls.

Keys are unsigned in Rust and travel as Spark's signed longs, bit for bit
(``to_int64``); they are names, never quantities.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Dict, Iterator, List, Sequence

from . import _core

SKETCH_COLUMNS = [
    "tokens",
    "published_at",
    "band_keys",
    "fingerprints",
    "sentence_keys",
    "sentence_numbers",
    "paragraph_keys",
]
SKETCH_SCHEMA = (
    "ordinal long, id string, outlet string, tokens long, published_at long, band_keys array<long>, "
    "fingerprints array<long>, sentence_keys array<long>, sentence_numbers array<int>, paragraph_keys array<long>"
)
DOCUMENT_FIELDS = ["id", "text", "outlet", "url", "title", "published"]
#: A document's boilerplate verdicts travel as JSON text: one column type
#: every engine casts and unions alike.
VERDICT = "string"


def to_int64(column: Any) -> Any:
    """An unsigned column (or list of them) as Spark's signed longs, bits
    kept: keys are names, not quantities."""
    import pyarrow as pa

    if pa.types.is_list(column.type) and pa.types.is_unsigned_integer(column.type.value_type):
        target = pa.int32() if column.type.value_type == pa.uint32() else pa.int64()
        return column.cast(pa.list_(target), safe=False)
    if pa.types.is_unsigned_integer(column.type):
        return column.cast(pa.int64(), safe=False)
    return column


def sketcher(stats: Any, settings: Dict[str, Any]) -> Callable[[Iterator[Any]], Iterator[Any]]:
    def sketch(batches: Iterator[Any]) -> Iterator[Any]:
        import pyarrow as pa

        for batch in batches:
            table = pa.Table.from_batches([batch]).select(DOCUMENT_FIELDS)
            keys = _core.analyze(table, settings, stats, SKETCH_COLUMNS)
            columns = {name: batch.column(name) for name in ("ordinal", "id", "outlet")}
            columns.update({c: to_int64(keys.column(c)) for c in SKETCH_COLUMNS})
            yield pa.RecordBatch.from_pydict(columns)

    return sketch


def shingler(settings: Dict[str, Any]) -> Callable[[Iterator[Any]], Iterator[Any]]:
    def shingles(batches: Iterator[Any]) -> Iterator[Any]:
        import pyarrow as pa

        for batch in batches:
            table = pa.Table.from_batches([batch]).select(DOCUMENT_FIELDS)
            found = _core.analyze(table, settings, None, ["shingles"])
            yield pa.RecordBatch.from_pydict(
                {"ordinal": batch.column("ordinal"), "shingles": to_int64(found.column("shingles"))}
            )

    return shingles


def verdict_table(verdicts: List[Any]) -> Any:
    """The verdicts of a group's documents as the table ``_core.link``
    takes (keys back to unsigned)."""
    import pyarrow as pa

    seen: Dict[int, Any] = {}
    for listed in verdicts:
        for v in json.loads(listed) if listed else ():
            seen[v["key"]] = v
    rows = [seen[k] for k in sorted(seen)]
    return pa.table(
        {
            "key": pa.array([r["key"] for r in rows], pa.int64()).cast(pa.uint64(), safe=False),
            "reason": pa.array([r["reason"] for r in rows], pa.string()),
            "documents": pa.array([r["documents"] for r in rows], pa.uint64()),
        }
    )


def linker(stats: Any, settings: Dict[str, Any], component: bool) -> Callable[[Any], Any]:
    """The function one group's task runs: its documents and pairs in;
    verified pairs (flags kept), or, for whole components (``component``),
    every output table's rows, out."""

    def link(table: Any) -> Any:
        import pyarrow as pa
        import pyarrow.compute as pc

        is_doc = pc.is_valid(table.column("ordinal"))
        docs = table.filter(is_doc).sort_by("ordinal")
        pairs = table.filter(pc.invert(is_doc)).to_pylist()
        ordinal = dict(zip(docs.column("id").to_pylist(), docs.column("ordinal").to_pylist()))
        ids = {v: k for k, v in ordinal.items()}
        flags = {(p["a"], p["b"]): (p["candidate"], p["rewrite"]) for p in pairs}

        def named(which: int) -> Any:
            chosen = [(ids[a], ids[b]) for (a, b), f in sorted(flags.items()) if f[which]]
            return pa.table(
                {"a": pa.array([x for x, _ in chosen], pa.string()), "b": pa.array([y for _, y in chosen], pa.string())}
            )

        rare = [i for i, r in zip(docs.column("id").to_pylist(), docs.column("rare").to_pylist()) if r]
        out = _core.link(
            docs.select(DOCUMENT_FIELDS),
            named(0),
            stats,
            settings,
            named(1),
            component,
            verdict_table(docs.column("verdicts").to_pylist()),
            component,
            rare if component else None,
        )
        if component:
            return linked_rows(out[:5], ordinal)
        return verified_rows(out[0], out[5], ordinal, flags)

    return link


def verified_rows(pairs: Any, at_once: Any, ordinal: Dict[str, int], flags: Dict[Any, Any]) -> Any:
    """The verified pairs as ordinals, with their flags, and whether shared
    wording linked them at once."""
    import pyarrow as pa

    def ordinals(batch: Any) -> List[Any]:
        return list(
            zip(
                (ordinal[x] for x in batch.column("a").to_pylist()), (ordinal[x] for x in batch.column("b").to_pylist())
            )
        )

    found, linked = ordinals(pairs), set(ordinals(at_once))
    kept = [flags.get(key, (False, False)) for key in found]
    return pa.table(
        {
            "a": pa.array([a for a, _ in found], pa.int64()),
            "b": pa.array([b for _, b in found], pa.int64()),
            "candidate": pa.array([k[0] for k in kept], pa.bool_()),
            "rewrite": pa.array([k[1] for k in kept], pa.bool_()),
            "at_once": pa.array([key in linked for key in found], pa.bool_()),
        }
    )


def linked_schema() -> Any:
    import pyarrow as pa

    evidence = pa.struct(
        [("kind", pa.string()), ("favours", pa.string()), ("weight", pa.float64()), ("detail", pa.string())]
    )
    f64, i64, s = pa.float64(), pa.int64(), pa.string()
    fields: List[Any] = [
        ("table", s),
        ("a_index", i64),
        ("b_index", i64),
        ("a", s),
        ("b", s),
        ("relation", s),
        ("jaccard", f64),
        ("containment_a", f64),
        ("containment_b", f64),
        ("shared_shingles", i64),
        ("masked_shingles", i64),
        ("quoted_shingles", i64),
        ("coverage_a", f64),
        ("coverage_b", f64),
        ("reuse_a", f64),
        ("reuse_b", f64),
        ("direction", s),
        ("source", s),
        ("copy", s),
        ("upstream", s),
        ("confidence", f64),
        ("evidence", pa.list_(evidence)),
        ("a_start", i64),
        ("a_end", i64),
        ("b_start", i64),
        ("b_end", i64),
        ("a_words", i64),
        ("b_words", i64),
        ("kind", s),
        ("score", f64),
        ("cluster", s),
        ("document", s),
        ("canonical", pa.bool_()),
        ("position", i64),
        ("story", s),
        ("clusters", pa.list_(s)),
        ("members", pa.list_(s)),
        ("text", s),
        ("documents", i64),
        ("stories", i64),
        ("occurrences", s),
    ]
    return pa.schema(fields)


def ddl(t: Any) -> str:
    import pyarrow as pa

    if pa.types.is_list(t):
        return f"array<{ddl(t.value_type)}>"
    if pa.types.is_struct(t):
        return "struct<" + ",".join(f"{f.name}:{ddl(f.type)}" for f in t) + ">"
    return {pa.string(): "string", pa.float64(): "double", pa.int64(): "long", pa.bool_(): "boolean"}[t]


def linked_ddl() -> str:
    return ", ".join(f"`{f.name}` {ddl(f.type)}" for f in linked_schema())


TABLES = ("pairs", "passages", "clusters", "stories", "common_passages")


def linked_rows(out: Sequence[Any], ordinal: Dict[str, int]) -> Any:
    """A component's five result batches as rows of one table, each with
    its ``table`` name and the ordinals that order the final outputs."""
    import pyarrow as pa

    schema = linked_schema()
    parts = []
    for name, batch in zip(TABLES, out):
        n = batch.num_rows
        columns: Dict[str, Any] = {"table": pa.array([name] * n, pa.string())}
        for field in batch.schema:
            columns[field.name] = to_int64(batch.column(field.name))
        if "a" in columns:
            columns["a_index"] = pa.array([ordinal[x] for x in batch.column("a").to_pylist()], pa.int64())
            columns["b_index"] = pa.array([ordinal[x] for x in batch.column("b").to_pylist()], pa.int64())
        if name == "clusters":
            columns["position"] = pa.array(range(n), pa.int64())
        arrays = [columns[f.name].cast(f.type) if f.name in columns else pa.nulls(n, f.type) for f in schema]
        parts.append(pa.Table.from_arrays(arrays, schema=schema))
    return pa.concat_tables(parts)


DESCRIBED = (
    "index long, id string, source string, outlet string, url string, title string, published string, "
    "published_utc string, bytes long, encoding string, words long, script string, text_date string, "
    "repeats string, credits string, boilerplate string"
)


def describer(stats: Any, settings: Dict[str, Any]) -> Callable[[Iterator[Any]], Iterator[Any]]:
    def describe(batches: Iterator[Any]) -> Iterator[Any]:
        import pyarrow as pa

        for batch in batches:
            table = pa.Table.from_batches([batch])
            verdicts = verdict_table(table.column("verdicts").to_pylist())
            fields = table.select(["ordinal", "source", *DOCUMENT_FIELDS])
            described = _core.describe(fields, stats, settings, verdicts)
            yield pa.RecordBatch.from_arrays([to_int64(c) for c in described.columns], names=described.schema.names)

    return describe
