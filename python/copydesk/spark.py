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

import logging
import math
import sys
from dataclasses import asdict, dataclass
from typing import Any, Callable, Dict, Iterator, Optional, Sequence

from . import _core
from . import _spark_candidates as candidates
from . import _spark_ingest as ingest
from . import _spark_tasks as tasks
from ._spark_components import components
from ._spark_store import Store

log = logging.getLogger("copydesk.spark")

__all__ = ["Options", "scan", "scan_dataframe", "main"]


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


def scan_dataframe(
    frame: Any,
    output: str,
    *,
    on_stage: Optional[Callable[[str, float], None]] = None,
    **options: Any,
) -> Dict[str, Any]:
    """Scans a DataFrame of documents (``id``, ``text``, and optionally
    ``outlet``, ``url``, ``title``, ``published``, ``ordinal``: the corpus
    order) into Parquet tables under ``output``; returns a summary. Each
    row is checked as a JSON Lines record is; bad rows and repeated ids
    are listed in ``OUTPUT/skipped``."""
    spark = frame.sparkSession
    job = _Job(spark, Store(spark, output, on_stage), Options(**options))
    return job.run_ingested(lambda: ingest.from_frame(frame))


class _Job:
    def __init__(self, spark: Any, store: Store, options: Options) -> None:
        self.spark, self.store, self.options = spark, store, options
        self.settings = options.settings()

    def run(self, files: Sequence[ingest.InputFile]) -> Dict[str, Any]:
        return self.run_ingested(lambda: ingest.read(self.spark, files))

    def run_ingested(self, read_input: Callable[[], Any]) -> Dict[str, Any]:
        store = self.store
        read = store.stage("01-ingested", read_input)
        built, skipped = ingest.documents(self.spark, read)
        docs = store.stage("02-documents", lambda: built)
        n = docs.count()
        if n == 0:
            raise ValueError("no documents to scan: every input was skipped (see OUTPUT/skipped)")
        rules = _core.rules(n, self.settings)
        stats = _core.Statistics.from_bytes(store.value("03-statistics", lambda: self._statistics(docs, rules)))
        sketches = store.stage(
            "04-sketches", lambda: docs.mapInArrow(tasks.sketcher(stats, self.settings), tasks.SKETCH_SCHEMA)
        )
        lsh = store.stage("05-lsh-pairs", lambda: candidates.lsh_pairs(sketches, rules, self.options.bucket_cap))
        groups = components(store, "06-lsh-groups", lsh, self.options.driver_below)
        final = store.value("07-statistics-final", lambda: self._exempt(stats, docs, n, groups, rules))
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

        parts = docs.select("ordinal", *tasks.DOCUMENT_FIELDS).mapInArrow(count, "statistics binary").collect()
        total = _core.Statistics()
        for row in parts:
            total = total + _core.Statistics.from_bytes(bytes(row["statistics"]))
        return bytes(total.to_bytes())

    def _exempt(self, stats: Any, docs: Any, n: int, groups: Any, rules: Dict[str, Any]) -> bytes:
        """The statistics less the common shingles one story holds."""
        import pyarrow as pa
        from pyspark.sql import functions as F

        if n < rules["common_df"]:
            return bytes(stats.to_bytes())
        sampled = docs.filter(F.col("ordinal") % rules["sample_every"] == 0)
        shingles = sampled.select("ordinal", *tasks.DOCUMENT_FIELDS).mapInArrow(
            tasks.shingler(self.settings), "ordinal long, shingles array<long>"
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
        link = tasks.linker(stats, self.settings, component=False)
        schema = "a long, b long, candidate boolean, rewrite boolean, at_once boolean"
        return rows.groupBy("part").applyInArrow(link, schema)

    def _link(self, docs: Any, masked: Any, verified: Any, parts: Any, stats: Any) -> Any:
        from pyspark.sql import functions as F

        # Whole components, several to a task: linking disjoint components
        # together gives what linking each alone gives (nothing `scan`
        # decides after verification crosses a component), and saves a
        # Python call per component.
        groups = max(1, math.ceil(verified.count() / self.options.link_batch))
        bucket = F.pmod(F.xxhash64("component"), F.lit(groups)).alias("part")
        part = parts.select(F.col("node").alias("a"), bucket)
        pairs = verified.join(part, "a").select("a", "b", "candidate", "rewrite", "part")
        rows = _with_documents(pairs, docs, masked)
        link = tasks.linker(stats, self.settings, component=True)
        return rows.groupBy("part").applyInArrow(link, tasks.linked_ddl())

    def _write(self, docs: Any, masked: Any, linked: Any, skipped: Any, stats: Any, n: int) -> Dict[str, Any]:
        from pyspark.sql import functions as F

        store = self.store
        tables = _split(linked)
        for name in ("pairs", "passages", "clusters", "stories", "common_passages"):
            store.output(name, tables[name])
        membership = tables["clusters"].select(F.col("document").alias("id"), "cluster")
        described = docs.join(masked, "ordinal", "left").mapInArrow(
            tasks.describer(stats, self.settings), tasks.DESCRIBED
        )
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
        *tasks.DOCUMENT_FIELDS,
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
        *[F.lit(None).cast("string").alias(f) for f in tasks.DOCUMENT_FIELDS],
        F.lit(None).cast(tasks.VERDICT).alias("verdicts"),
        F.lit(None).cast("boolean").alias("rare"),
        "a",
        "b",
        "candidate",
        "rewrite",
    )
    return doc_rows.unionByName(pair_rows)


def _split(linked: Any) -> Dict[str, Any]:
    """The final tables, in ``scan``'s order, from the linked rows."""
    from pyspark.sql import functions as F

    rows = {name: linked.filter(F.col("table") == name) for name in tasks.TABLES}
    pair_fields = [f.name for f in tasks.linked_schema()][3:22]

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


def main(argv: Optional[Sequence[str]] = None) -> int:
    """``copydesk-spark`` (see ``copydesk._spark_cli``)."""
    from ._spark_cli import main as run

    return run(argv)


if __name__ == "__main__":
    sys.exit(main())
