"""copydesk on Apache Spark: ``copydesk scan`` for archives one machine
cannot hold, with the same result.

The Rust core (through ``copydesk._core``) stays the one judge of
analysis, verification, alignment and clustering; Spark only moves and
groups rows, with the DataFrame API alone (``mapInArrow``, grouped
``applyInArrow``, joins, windows), so the job runs on classic Spark and on
Spark Connect (Sail included). The stages, each written to Parquet under
``OUTPUT/stages/`` and skipped when a resumed run finds it done:

1. ingest: files read as the CLI reads them; documents in corpus order.
2. statistics: per-partition counts merged on the driver, then shipped to
   every task with the job's functions (common shingles, word weights).
3. sketches: per document band keys, fingerprints, sentence keys,
   paragraph keys (``mapInArrow``).
4. candidates: LSH buckets (capped), containment, the rewrite index, as
   ``scan`` forms them; boilerplate learned from paragraph holders; the
   story shingles ``scan`` exempts; pairs in large groups thinned to hubs.
5. verified pairs: candidate pairs in hash groups (``applyInArrow``).
6. components of the verified pairs (union-find on the driver when small,
   large-star/small-star joins when not).
7. per component: clusters (complete linkage), common passages, stories,
   and the pairs with passages and provenance (``applyInArrow``).
8. outputs: ``documents``, ``clusters``, ``pairs``, ``passages``,
   ``stories``, ``common_passages`` and ``skipped``, as Parquet, with the
   fields of ``copydesk scan --format json``.

Use it from Python with a DataFrame-capable session::

    from copydesk.spark import scan
    summary = scan(spark, ["archive/*.jsonl"], "s3://bucket/copydesk-run")

or from the shell: ``copydesk-spark scan INPUT... OUTPUT [options]``.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import sys
from dataclasses import asdict, dataclass
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple

from . import _core
from . import _spark_candidates as candidates
from . import _spark_ingest as ingest
from ._spark_components import components
from ._spark_store import Store

log = logging.getLogger("copydesk.spark")

__all__ = ["Options", "scan", "main"]


@dataclass(frozen=True)
class Options:
    """The job's parameters. The first five are ``copydesk scan``'s (None:
    its defaults); the rest say how the work is spread."""

    threshold: Optional[float] = None
    containment: Optional[float] = None
    num_hashes: Optional[int] = None
    shingle_words: Optional[int] = None
    rewrites: bool = True
    #: How to read the inputs: ``auto`` (by extension), ``jsonl``,
    #: ``parquet`` or ``text``.
    format: str = "auto"
    #: Candidate pairs verified together in one task.
    link_batch: int = 20_000
    #: Edges under which components are found on the driver.
    driver_below: int = 2_000_000
    #: Band buckets holding more documents than this give no pairs (logged):
    #: one key held by a vast share of a corpus is furniture, and its star
    #: would still cost a pair per member. 0: no cap.
    bucket_cap: int = 100_000

    def settings(self) -> Dict[str, Any]:
        keys = ("threshold", "containment", "num_hashes", "shingle_words", "rewrites")
        return {k: getattr(self, k) for k in keys}


_SKETCH_COLUMNS = [
    "tokens",
    "published_at",
    "band_keys",
    "fingerprints",
    "sentence_keys",
    "sentence_numbers",
    "paragraph_keys",
]
_SKETCH_SCHEMA = (
    "ordinal long, id string, outlet string, tokens long, published_at long, band_keys array<long>, "
    "fingerprints array<long>, sentence_keys array<long>, sentence_numbers array<int>, paragraph_keys array<long>"
)
_DOCUMENT_FIELDS = ["id", "text", "outlet", "url", "title", "published"]
#: A document's boilerplate verdicts travel as JSON text: one column type
#: every engine casts and unions alike.
_VERDICT = "string"


def scan(
    spark: Any,
    inputs: Sequence[str],
    output: str,
    *,
    on_stage: Optional[Callable[[str, float], None]] = None,
    **options: Any,
) -> Dict[str, Any]:
    """Scans ``inputs`` (files, folders or globs of JSON Lines, Parquet or
    text files) into Parquet tables under ``output``; returns a summary.
    ``options`` are ``Options``' fields; ``on_stage`` is called with each
    stage's name and seconds as it finishes."""
    job = _Job(spark, Store(spark, output, on_stage), Options(**options))
    return job.run(ingest.list_inputs(list(inputs), job.options.format))


class _Job:
    def __init__(self, spark: Any, store: Store, options: Options) -> None:
        self.spark, self.store, self.options = spark, store, options
        self.settings = options.settings()

    def run(self, files: Sequence[ingest.InputFile]) -> Dict[str, Any]:
        store = self.store
        read = store.stage("01-ingested", lambda: ingest.read(self.spark, files))
        built, skipped = ingest.documents(self.spark, read)
        docs = store.stage("02-documents", lambda: built)
        n = docs.count()
        if n == 0:
            raise ValueError("no documents to scan: every input was skipped (see OUTPUT/skipped)")
        rules = _core.rules(n, self.settings)
        stats = _core.Statistics.from_bytes(store.value("03-statistics", lambda: self._statistics(docs, rules)))
        sketches = store.stage("04-sketches", lambda: docs.mapInArrow(_sketcher(stats, self.settings), _SKETCH_SCHEMA))
        lsh = store.stage("05-lsh-pairs", lambda: candidates.lsh_pairs(sketches, rules, self.options.bucket_cap))
        groups = components(store, "06-lsh-groups", lsh, self.options.driver_below)
        final = store.value("07-statistics-final", lambda: self._exempt(stats, docs, groups, rules))
        stats = _core.Statistics.from_bytes(final)
        contained = store.stage("08-containment-pairs", lambda: candidates.containment_pairs(sketches, rules))
        rewrites = store.stage("09-rewrite-pairs", lambda: self._rewrites(sketches, rules))
        found = lsh.unionByName(contained).distinct()
        verdicts = store.stage("10-boilerplate", lambda: candidates.boilerplate(sketches, found, rules))
        masked = store.stage("11-document-boilerplate", lambda: _document_verdicts(sketches, verdicts))
        work = store.stage(
            "12-work", lambda: _work(candidates.thin(found, _grouped(groups), sketches, rules), rewrites)
        )
        verified = store.stage("13-verified", lambda: self._verify(docs, masked, work, stats))
        rare = store.stage("14-rewrite-documents", lambda: _rewrite_documents(work, verified))
        parts = components(store, "15-components", verified.select("a", "b"), self.options.driver_below)
        prepared = masked.join(rare, "ordinal", "full_outer")
        linked = store.stage("16-linked", lambda: self._link(docs, prepared, verified, parts, stats))
        return self._write(docs, masked, linked, skipped, stats, n)

    def _statistics(self, docs: Any, rules: Dict[str, Any]) -> bytes:
        settings, every = self.settings, rules["sample_every"]

        def count(batches: Iterator[Any]) -> Iterator[Any]:
            import pyarrow as pa

            total = _core.Statistics()
            for batch in batches:
                total = total + _core.Statistics.of(pa.Table.from_batches([batch]), settings, every, 0)
            yield pa.RecordBatch.from_pydict({"statistics": pa.array([total.to_bytes()], pa.binary())})

        parts = docs.select("ordinal", *_DOCUMENT_FIELDS).mapInArrow(count, "statistics binary").collect()
        total = _core.Statistics()
        for row in parts:
            total = total + _core.Statistics.from_bytes(bytes(row["statistics"]))
        return bytes(total.to_bytes())

    def _exempt(self, stats: Any, docs: Any, groups: Any, rules: Dict[str, Any]) -> bytes:
        """The statistics less the common shingles one story holds."""
        from pyspark.sql import functions as F

        import pyarrow as pa

        if rules["sample_every"] < 1 or docs.count() < rules["common_df"]:
            return bytes(stats.to_bytes())
        sampled = docs.filter(F.col("ordinal") % rules["sample_every"] == 0)
        shingles = sampled.select("ordinal", *_DOCUMENT_FIELDS).mapInArrow(
            _shingler(self.settings), "ordinal long, shingles array<long>"
        )
        labelled = shingles.join(groups.withColumnRenamed("node", "ordinal"), "ordinal", "left")
        rows = labelled.select(F.coalesce("component", "ordinal").alias("group"), "shingles").collect()
        table = pa.table(
            {
                "group": pa.array([r["group"] for r in rows], pa.int64()).cast(pa.uint64()),
                "shingles": pa.array([r["shingles"] for r in rows], pa.list_(pa.int64())).cast(
                    pa.list_(pa.uint64()), safe=False
                ),
            }
        )
        exempted, taken = stats.exempt_story_shingles(table, self.settings)
        log.info("story shingles exempted from the common ones: %d", taken)
        return bytes(exempted.to_bytes())

    def _rewrites(self, sketches: Any, rules: Dict[str, Any]) -> Any:
        if not rules["rewrites"]:
            return self.spark.createDataFrame([], "a long, b long")
        return candidates.rewrite_pairs(sketches, rules)

    def _verify(self, docs: Any, masked: Any, work: Any, stats: Any) -> Any:
        from pyspark.sql import functions as F

        groups = max(1, math.ceil(work.count() / self.options.link_batch))
        bucketed = work.withColumn("part", F.pmod(F.xxhash64("a", "b"), F.lit(groups)))
        rows = _with_documents(bucketed, docs, masked)
        link = _linker(stats, self.settings, component=False)
        schema = "a long, b long, candidate boolean, rewrite boolean, at_once boolean"
        return rows.groupBy("part").applyInArrow(link, schema)

    def _link(self, docs: Any, masked: Any, verified: Any, parts: Any, stats: Any) -> Any:
        from pyspark.sql import functions as F

        part = parts.select(F.col("node").alias("a"), F.col("component").alias("part"))
        pairs = verified.join(part, "a").select("a", "b", "candidate", "rewrite", "part")
        rows = _with_documents(pairs, docs, masked)
        link = _linker(stats, self.settings, component=True)
        return rows.groupBy("part").applyInArrow(link, _linked_ddl())

    def _write(self, docs: Any, masked: Any, linked: Any, skipped: Any, stats: Any, n: int) -> Dict[str, Any]:
        from pyspark.sql import functions as F

        store = self.store
        tables = _split(linked)
        for name in ("pairs", "passages", "clusters", "stories", "common_passages"):
            store.output(name, tables[name])
        membership = tables["clusters"].select(F.col("document").alias("id"), "cluster")
        described = docs.join(masked, "ordinal", "left").mapInArrow(_describer(stats, self.settings), _DESCRIBED)
        store.output("documents", described.join(membership, "id", "left").orderBy("index"))
        store.output("skipped", skipped.orderBy("path", "line"))
        summary = {name: self.spark.read.parquet(f"{store.uri}/{name}").count() for name in tables}
        summary.update(documents=n, skipped=self.spark.read.parquet(f"{store.uri}/skipped").count())
        summary["options"] = asdict(self.options)
        return summary


def _grouped(groups: Any) -> Any:
    return groups.withColumnRenamed("node", "doc").withColumnRenamed("component", "group")


def _document_verdicts(sketches: Any, verdicts: Any) -> Any:
    """Per document, the learned boilerplate verdicts of its paragraphs."""
    from pyspark.sql import functions as F

    held = sketches.select("ordinal", F.explode("paragraph_keys").alias("key")).join(verdicts, "key")
    listed = F.collect_list(F.struct("key", "reason", "documents"))
    return held.groupBy("ordinal").agg(F.to_json(listed).alias("verdicts"))


def _rewrite_documents(work: Any, verified: Any) -> Any:
    """The documents ``scan`` prepares for rewrite checks: those of rewrite
    candidates that shared wording did not link at once."""
    from pyspark.sql import functions as F

    at_once = verified.filter("at_once").select("a", "b")
    checked = work.filter("rewrite").join(at_once, ["a", "b"], "left_anti")
    ends = checked.select(F.explode(F.array("a", "b")).alias("ordinal")).distinct()
    return ends.withColumn("rare", F.lit(True))


def _work(thinned: Any, rewrites: Any) -> Any:
    """The pairs to verify, each flagged as a candidate, a rewrite
    candidate, or both."""
    from pyspark.sql import functions as F

    flagged = thinned.withColumn("candidate", F.lit(True)).join(
        rewrites.distinct().withColumn("rewrite", F.lit(True)), ["a", "b"], "full_outer"
    )
    return flagged.select(
        "a",
        "b",
        F.coalesce("candidate", F.lit(False)).alias("candidate"),
        F.coalesce("rewrite", F.lit(False)).alias("rewrite"),
    )


def _with_documents(pairs: Any, docs: Any, masked: Any) -> Any:
    """``pairs`` (with a ``part``) and, in the same rows' schema, every
    document they name with its ``part``: what one group's task needs."""
    from pyspark.sql import functions as F

    needed = pairs.select("part", F.explode(F.array("a", "b")).alias("ordinal")).distinct()
    doc_rows = needed.join(docs, "ordinal").join(masked, "ordinal", "left")
    if "rare" not in masked.columns:
        doc_rows = doc_rows.withColumn("rare", F.lit(False))
    doc_rows = doc_rows.select(
        "part",
        "ordinal",
        *_DOCUMENT_FIELDS,
        "verdicts",
        F.coalesce("rare", F.lit(False)).alias("rare"),
        F.lit(None).cast("long").alias("a"),
        F.lit(None).cast("long").alias("b"),
        F.lit(None).cast("boolean").alias("candidate"),
        F.lit(None).cast("boolean").alias("rewrite"),
    )
    pair_rows = pairs.select(
        "part",
        F.lit(None).cast("long").alias("ordinal"),
        *[F.lit(None).cast("string").alias(f) for f in _DOCUMENT_FIELDS],
        F.lit(None).cast(_VERDICT).alias("verdicts"),
        F.lit(None).cast("boolean").alias("rare"),
        "a",
        "b",
        "candidate",
        "rewrite",
    )
    return doc_rows.unionByName(pair_rows)


def _to_int64(column: Any) -> Any:
    """An unsigned column (or list of them) as Spark's signed longs, bits
    kept: keys are names, not quantities."""
    import pyarrow as pa

    if pa.types.is_list(column.type) and pa.types.is_unsigned_integer(column.type.value_type):
        target = pa.int32() if column.type.value_type == pa.uint32() else pa.int64()
        return column.cast(pa.list_(target), safe=False)
    if pa.types.is_unsigned_integer(column.type):
        return column.cast(pa.int64(), safe=False)
    return column


def _sketcher(stats: Any, settings: Dict[str, Any]) -> Callable[[Iterator[Any]], Iterator[Any]]:
    def sketch(batches: Iterator[Any]) -> Iterator[Any]:
        import pyarrow as pa

        for batch in batches:
            table = pa.Table.from_batches([batch]).select(_DOCUMENT_FIELDS)
            keys = _core.analyze(table, settings, stats, _SKETCH_COLUMNS)
            columns = {name: batch.column(name) for name in ("ordinal", "id", "outlet")}
            columns.update({c: _to_int64(keys.column(c)) for c in _SKETCH_COLUMNS})
            yield pa.RecordBatch.from_pydict(columns)

    return sketch


def _shingler(settings: Dict[str, Any]) -> Callable[[Iterator[Any]], Iterator[Any]]:
    def shingles(batches: Iterator[Any]) -> Iterator[Any]:
        import pyarrow as pa

        for batch in batches:
            table = pa.Table.from_batches([batch]).select(_DOCUMENT_FIELDS)
            found = _core.analyze(table, settings, None, ["shingles"])
            yield pa.RecordBatch.from_pydict(
                {"ordinal": batch.column("ordinal"), "shingles": _to_int64(found.column("shingles"))}
            )

    return shingles


def _verdict_table(verdicts: List[Any]) -> Any:
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


def _linker(stats: Any, settings: Dict[str, Any], component: bool) -> Callable[[Any], Any]:
    """The function one group's task runs: its documents and pairs in;
    verified pairs (flags kept), or, for a component, every output table's
    rows, out."""

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
            docs.select(_DOCUMENT_FIELDS),
            named(0),
            stats,
            settings,
            named(1),
            component,
            _verdict_table(docs.column("verdicts").to_pylist()),
            component,
            rare if component else None,
        )
        if component:
            return _linked_rows(out[:5], ordinal)
        return _verified_rows(out[0], out[5], ordinal, flags)

    return link


def _verified_rows(pairs: Any, at_once: Any, ordinal: Dict[str, int], flags: Dict[Any, Any]) -> Any:
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


def _linked_schema() -> Any:
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


def _ddl(t: Any) -> str:
    import pyarrow as pa

    if pa.types.is_list(t):
        return f"array<{_ddl(t.value_type)}>"
    if pa.types.is_struct(t):
        return "struct<" + ",".join(f"{f.name}:{_ddl(f.type)}" for f in t) + ">"
    return {pa.string(): "string", pa.float64(): "double", pa.int64(): "long", pa.bool_(): "boolean"}[t]


def _linked_ddl() -> str:
    return ", ".join(f"`{f.name}` {_ddl(f.type)}" for f in _linked_schema())


_TABLES = ("pairs", "passages", "clusters", "stories", "common_passages")


def _linked_rows(out: Sequence[Any], ordinal: Dict[str, int]) -> Any:
    """A component's five result batches as rows of one table, each with
    its ``table`` name and the ordinals that order the final outputs."""
    import pyarrow as pa

    schema = _linked_schema()
    parts = []
    for name, batch in zip(_TABLES, out):
        n = batch.num_rows
        columns: Dict[str, Any] = {"table": pa.array([name] * n, pa.string())}
        for field in batch.schema:
            columns[field.name] = _to_int64(batch.column(field.name))
        if "a" in columns:
            columns["a_index"] = pa.array([ordinal[x] for x in batch.column("a").to_pylist()], pa.int64())
            columns["b_index"] = pa.array([ordinal[x] for x in batch.column("b").to_pylist()], pa.int64())
        if name == "clusters":
            columns["position"] = pa.array(range(n), pa.int64())
        arrays = [columns[f.name].cast(f.type) if f.name in columns else pa.nulls(n, f.type) for f in schema]
        parts.append(pa.Table.from_arrays(arrays, schema=schema))
    return pa.concat_tables(parts)


def _split(linked: Any) -> Dict[str, Any]:
    """The final tables, in ``scan``'s order, from the linked rows."""
    from pyspark.sql import functions as F

    rows = {name: linked.filter(F.col("table") == name) for name in _TABLES}
    pair_fields = [f.name for f in _linked_schema()][3:22]

    def span(start: str, end: str) -> Any:
        return F.array(F.col(start), F.col(end))

    return {
        "pairs": rows["pairs"].orderBy("a_index", "b_index").select(*pair_fields),
        "passages": rows["passages"]
        .orderBy("a_index", "b_index", "a_start", "b_start")
        .select(
            "a",
            "b",
            span("a_start", "a_end").alias("a_span"),
            span("b_start", "b_end").alias("b_span"),
            "a_words",
            "b_words",
            "kind",
            "score",
            "direction",
        ),
        "clusters": rows["clusters"].orderBy("cluster", "position").select("cluster", "document", "canonical"),
        "stories": rows["stories"].orderBy("story").select("story", "clusters", "members"),
        "common_passages": rows["common_passages"]
        .orderBy("occurrences")
        .select("text", "kind", "documents", "stories", "occurrences"),
    }


_DESCRIBED = (
    "index long, id string, source string, outlet string, url string, title string, published string, "
    "published_utc string, bytes long, encoding string, words long, script string, text_date string, "
    "repeats string, credits string, boilerplate string"
)


def _describer(stats: Any, settings: Dict[str, Any]) -> Callable[[Iterator[Any]], Iterator[Any]]:
    def describe(batches: Iterator[Any]) -> Iterator[Any]:
        import pyarrow as pa

        for batch in batches:
            table = pa.Table.from_batches([batch])
            verdicts = _verdict_table(table.column("verdicts").to_pylist())
            fields = table.select(["ordinal", "source", *_DOCUMENT_FIELDS])
            described = _core.describe(fields, stats, settings, verdicts)
            yield pa.RecordBatch.from_arrays([_to_int64(c) for c in described.columns], names=described.schema.names)

    return describe


def _session(args: argparse.Namespace) -> Tuple[Any, Callable[[], None]]:
    """The Spark session the command line asks for, and how to close it:
    an in-process Sail server (``--sail``), a Spark Connect server
    (``--remote`` or ``SPARK_REMOTE``), or the session spark-submit set up."""
    from pyspark.sql import SparkSession

    if args.sail:
        from pysail.spark import SparkConnectServer

        server = SparkConnectServer(ip="127.0.0.1", port=0)
        server.start(background=True)
        _, port = server.listening_address
        spark = SparkSession.builder.remote(f"sc://127.0.0.1:{port}").getOrCreate()

        def close() -> None:
            spark.stop()
            server.stop()

        return spark, close
    if args.remote:
        spark = SparkSession.builder.remote(args.remote).getOrCreate()
    else:
        spark = SparkSession.builder.appName("copydesk").getOrCreate()
    return spark, spark.stop


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="copydesk-spark", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("scan", help="scan INPUT... into Parquet tables under OUTPUT")
    run.add_argument("paths", nargs="+", metavar="INPUT... OUTPUT")
    run.add_argument("--threshold", type=float)
    run.add_argument("--containment", type=float)
    run.add_argument("--num-hashes", type=int)
    run.add_argument("--shingle-words", type=int)
    run.add_argument("--no-rewrites", action="store_true", help="document-level scan: no rewrite index")
    run.add_argument("--format", choices=["auto", "jsonl", "parquet", "text"], default="auto")
    run.add_argument("--link-batch", type=int, default=Options.link_batch, help="candidate pairs per task")
    run.add_argument(
        "--driver-below",
        type=int,
        default=Options.driver_below,
        help="edges under which components are found on the driver",
    )
    run.add_argument("--bucket-cap", type=int, default=Options.bucket_cap, help="largest band bucket kept (0: all)")
    run.add_argument("--partitions", type=int, help="spark.sql.shuffle.partitions for the job")
    run.add_argument("--remote", help="a Spark Connect URL (sc://host:port); default: $SPARK_REMOTE")
    run.add_argument("--sail", action="store_true", help="run on an in-process Sail server (pip install pysail)")
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    """``copydesk-spark``: exit 0 when the scan ran, 2 on a usage or input
    error."""
    import os

    args = _parser().parse_args(argv)
    if len(args.paths) < 2:
        print("copydesk-spark: give at least one INPUT and the OUTPUT folder", file=sys.stderr)
        return 2
    args.remote = args.remote or os.environ.get("SPARK_REMOTE")
    logging.basicConfig(level=logging.INFO, format="copydesk-spark: %(message)s", stream=sys.stderr)
    options = dict(
        threshold=args.threshold,
        containment=args.containment,
        num_hashes=args.num_hashes,
        shingle_words=args.shingle_words,
        rewrites=not args.no_rewrites,
        format=args.format,
        link_batch=args.link_batch,
        driver_below=args.driver_below,
        bucket_cap=args.bucket_cap,
    )
    spark, close = _session(args)
    try:
        if args.partitions:
            spark.conf.set("spark.sql.shuffle.partitions", str(args.partitions))
        summary = scan(spark, args.paths[:-1], args.paths[-1], **options)
    except (ValueError, FileNotFoundError) as e:
        print(f"copydesk-spark: {e}", file=sys.stderr)
        return 2
    finally:
        close()
    print(json.dumps(summary, indent=2, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
