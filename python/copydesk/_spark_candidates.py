"""Candidate pairs for the Spark job: the per-document keys in; the pairs
``scan``'s candidate indexes would give, out. Spark only groups rows by
key here; each rule is ``scan``'s own (``copydesk::linking::candidates``
and ``rewrite``), with its limits read from the Rust core
(``_core.rules``), and the parity tests hold the two together.

* LSH: documents sharing a band key. A bucket of up to
  ``bucket_all_pairs`` documents gives all its pairs; a larger one a star
  from its first ``bucket_hubs`` documents (in corpus order).
* Containment: pairs sharing at least ``min_fingerprints`` winnowing
  fingerprints, each held by fewer than ``common_df`` documents.
* Rewrites: pairs whose sentence keys meet in buckets of 2 to
  ``sentence_bucket_docs`` documents, from at least ``min_sentence_hits``
  distinct sentences of the earlier document.
* Boilerplate: short paragraphs recurring across different stories,
  judged on samples of the documents holding them.
* Thinning: inside an LSH group of at least ``star_from`` documents, each
  member is verified against the group's hub only.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, Tuple

log = logging.getLogger("copydesk.spark")


def bucket_pairs(members: Any, rules: Dict[str, Any], cap: int = 0) -> Any:
    """The pairs (``a`` < ``b``) each bucket of ``members`` (``key``,
    ``doc``) gives, one row per bucket a pair shares. Buckets over ``cap``
    documents (when set) give none and are logged."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    ranked = members.withColumn("r", F.row_number().over(Window.partitionBy("key").orderBy("doc"))).withColumn(
        "n", F.count("*").over(Window.partitionBy("key"))
    )
    ranked = ranked.filter(F.col("n") > 1)
    if cap:
        giant = ranked.filter(F.col("n") > cap).select("key", "n").distinct().collect()
        for row in giant:
            log.warning("bucket %d of %d documents is over the cap (%d): dropped", row["key"], row["n"], cap)
        ranked = ranked.filter(F.col("n") <= cap)
    left = ranked.filter((F.col("n") <= rules["bucket_all_pairs"]) | (F.col("r") <= rules["bucket_hubs"]))
    left = left.select("key", F.col("doc").alias("a"), F.col("r").alias("ra"))
    right = ranked.select("key", F.col("doc").alias("b"), F.col("r").alias("rb"))
    return left.join(right, "key").filter(F.col("ra") < F.col("rb")).select("a", "b")


def lsh_pairs(sketches: Any, rules: Dict[str, Any], cap: int) -> Any:
    from pyspark.sql import functions as F

    members = sketches.select(F.col("ordinal").alias("doc"), F.explode("band_keys").alias("key")).distinct()
    return bucket_pairs(members, rules, cap).distinct()


def containment_pairs(sketches: Any, rules: Dict[str, Any]) -> Any:
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    members = sketches.select(F.col("ordinal").alias("doc"), F.explode("fingerprints").alias("key"))
    held = members.withColumn("held", F.count("*").over(Window.partitionBy("key")))
    rare = held.filter(F.col("held") < rules["common_df"]).select("key", "doc")
    shared = bucket_pairs(rare, rules).groupBy("a", "b").count()
    return shared.filter(F.col("count") >= rules["min_fingerprints"]).select("a", "b")


def rewrite_pairs(sketches: Any, rules: Dict[str, Any]) -> Any:
    from pyspark.sql import functions as F

    entries = sketches.select(
        F.col("ordinal").alias("doc"), F.explode(F.arrays_zip("sentence_keys", "sentence_numbers")).alias("e")
    ).select("doc", F.col("e.sentence_keys").alias("key"), F.col("e.sentence_numbers").alias("sentence"))
    entries = entries.distinct()
    sizes = entries.groupBy("key").agg(F.countDistinct("doc").alias("docs"))
    sizes = sizes.filter((F.col("docs") >= 2) & (F.col("docs") <= rules["sentence_bucket_docs"]))
    kept = entries.join(sizes.select("key"), "key")
    left = kept.select("key", F.col("doc").alias("a"), F.col("sentence"))
    right = kept.select("key", F.col("doc").alias("b")).distinct()
    hits = left.join(right, "key").filter(F.col("a") < F.col("b"))
    counted = hits.groupBy("a", "b").agg(F.countDistinct("sentence").alias("sentences"))
    return counted.filter(F.col("sentences") >= rules["min_sentence_hits"]).select("a", "b")


def _sampled_pairs(holders: Any, scope: Tuple[str, ...], sample: int) -> Any:
    """Pairs among the first ``sample`` documents (in corpus order) of each
    ``scope`` group of ``holders``."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    ranked = holders.withColumn("r", F.row_number().over(Window.partitionBy(*scope).orderBy("doc")))
    ranked = ranked.filter(F.col("r") <= sample)
    left = ranked.select(*scope, F.col("doc").alias("x"))
    right = ranked.select(*scope, F.col("doc").alias("y"))
    return left.join(right, list(scope)).filter(F.col("x") < F.col("y"))


def _diverse(holders: Any, candidates: Any, scope: Tuple[str, ...], sample: int) -> Any:
    """The ``scope`` groups whose sampled documents are mostly not
    candidates of each other (different stories)."""
    from pyspark.sql import functions as F

    pairs = _sampled_pairs(holders, scope, sample)
    related = candidates.select(F.col("a").alias("x"), F.col("b").alias("y"), F.lit(1).alias("copy"))
    judged = pairs.join(related, ["x", "y"], "left").groupBy(*scope)
    counts = judged.agg(F.count("*").alias("pairs"), F.sum(F.coalesce("copy", F.lit(0))).alias("copies"))
    return counts.filter((F.col("pairs") > 0) & (F.col("copies") * 2 < F.col("pairs"))).select(*scope)


def boilerplate(sketches: Any, candidates: Any, rules: Dict[str, Any]) -> Any:
    """Boilerplate verdicts (``key``, ``reason``, ``documents``): short
    paragraphs that recur across different stories, of one outlet or of
    the corpus. ``candidates`` are the LSH and containment pairs."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    holders = sketches.select(
        F.col("ordinal").alias("doc"), "outlet", F.explode("paragraph_keys").alias("key")
    ).distinct()
    holders = holders.withColumn("documents", F.count("*").over(Window.partitionBy("key")))
    holders = holders.filter(F.col("documents") >= rules["boilerplate_outlet_docs"])
    sample = rules["boilerplate_sample"]
    wide = holders.filter(F.col("documents") >= rules["boilerplate_corpus_docs"])
    corpus = _diverse(wide, candidates, ("key",), sample).withColumn("corpus", F.lit(True))
    by_outlet = holders.filter(F.col("outlet").isNotNull())
    by_outlet = by_outlet.withColumn("outlet_docs", F.count("*").over(Window.partitionBy("key", "outlet")))
    by_outlet = by_outlet.filter(F.col("outlet_docs") >= rules["boilerplate_outlet_docs"])
    outlet = _diverse(by_outlet, candidates, ("key", "outlet"), sample).select("key").distinct()
    outlet = outlet.withColumn("outlet", F.lit(True))
    counts = holders.select("key", "documents").distinct()
    verdicts = counts.join(corpus, "key", "left").join(outlet, "key", "left")
    verdicts = verdicts.filter(F.col("corpus").isNotNull() | F.col("outlet").isNotNull())
    reason = F.when(F.col("corpus").isNotNull(), F.lit("corpus")).otherwise(F.lit("outlet"))
    return verdicts.select("key", reason.alias("reason"), "documents")


def thin(pairs: Any, groups: Any, sketches: Any, rules: Dict[str, Any]) -> Any:
    """``pairs`` with those inside each LSH group of at least ``star_from``
    documents replaced by a pair of each member with the group's hub: the
    member ``scan`` ranks first (earliest published, fullest, then id)."""
    from pyspark.sql import functions as F

    sizes = groups.groupBy("group").count().filter(F.col("count") >= rules["star_from"]).select("group")
    members = groups.join(sizes, "group")
    rank = sketches.select(
        F.col("ordinal").alias("doc"),
        F.struct(
            F.col("published_at").isNull().alias("undated"),
            F.coalesce("published_at", F.lit(0)).alias("at"),
            (-F.col("tokens")).alias("shorter"),
            F.col("id"),
            F.col("ordinal"),
        ).alias("rank"),
    )
    hubs = members.join(rank, "doc").groupBy("group").agg(F.min("rank").alias("hub"))
    hubs = hubs.select("group", F.col("hub.ordinal").alias("hub"))
    big = members.select("doc", "group")
    ga = big.select(F.col("doc").alias("a"), F.col("group").alias("ga"))
    gb = big.select(F.col("doc").alias("b"), F.col("group").alias("gb"))
    grouped = pairs.join(ga, "a", "left").join(gb, "b", "left")
    inside = F.col("ga").isNotNull() & (F.col("ga") == F.col("gb"))
    kept = grouped.filter(~F.coalesce(inside, F.lit(False))).select("a", "b")
    spokes = members.join(hubs, "group").filter(F.col("doc") != F.col("hub"))
    spokes = spokes.select(F.least("doc", "hub").alias("a"), F.greatest("doc", "hub").alias("b"))
    return kept.unionByName(spokes).distinct()
