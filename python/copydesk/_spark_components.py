"""Connected components for the Spark job: undirected edges (``a``, ``b``)
in; each node's component, labelled by its smallest node, out.

Under ``driver_below`` edges, the driver collects them and runs a
union-find (one pass, no shuffles). Above, alternating large-star and
small-star joins (Kiveris et al., "Connected Components in MapReduce and
Beyond", 2014) contract every component to a star around its smallest
node in O(log n) rounds, DataFrame API only; each round's edges are
written to Parquet, which cuts the plan's lineage and lets a resumed run
start from the last finished round.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any, Dict, List, Tuple

from ._spark_store import Store

log = logging.getLogger("copydesk.spark")

#: Rounds after which the joins give up (each round at least halves the
#: longest path; 64 rounds cover any graph a cluster can hold).
MAX_ROUNDS = 64


def components(store: Store, name: str, edges: Any, driver_below: int) -> Any:
    """The ``node``, ``component`` pairs of every node in ``edges``."""
    count = edges.count()
    if count < driver_below:
        log.info("%s: %d edges, union-find on the driver", name, count)
        return store.stage(name, lambda: _on_driver(store.spark, edges))
    log.info("%s: %d edges, large-star/small-star joins", name, count)
    return store.stage(name, lambda: _by_joins(store, name, edges))


def union_find(pairs: List[Tuple[int, int]]) -> Dict[int, int]:
    """Each node's smallest connected node."""
    parent: Dict[int, int] = {}

    def root(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {x: root(x) for x in parent}


def _on_driver(spark: Any, edges: Any) -> Any:
    rows = [(r["a"], r["b"]) for r in edges.select("a", "b").collect()]
    labels = sorted(union_find(rows).items())
    return spark.createDataFrame(labels or [], "node long, component long")


def _symmetric(edges: Any) -> Any:
    from pyspark.sql import functions as F

    return edges.select(F.col("a").alias("u"), F.col("b").alias("v")).unionByName(
        edges.select(F.col("b").alias("u"), F.col("a").alias("v"))
    )


def _large_star(edges: Any) -> Any:
    """Each node's larger neighbours linked to its smallest neighbour
    (itself included)."""
    from pyspark.sql import functions as F

    both = _symmetric(edges)
    smallest = both.groupBy("u").agg(F.least(F.min("v"), F.col("u")).alias("m"))
    out = both.filter(F.col("v") > F.col("u")).join(smallest, "u")
    return out.select(F.col("m").alias("a"), F.col("v").alias("b")).distinct()


def _small_star(edges: Any) -> Any:
    """Each node and its smaller neighbours linked to the smallest of
    them."""
    from pyspark.sql import functions as F

    lower = _symmetric(edges).filter(F.col("v") < F.col("u"))
    smallest = lower.groupBy("u").agg(F.min("v").alias("m"))
    joined = lower.join(smallest, "u")
    spokes = joined.select(F.col("m").alias("a"), F.col("v").alias("b")).unionByName(
        smallest.select(F.col("m").alias("a"), F.col("u").alias("b"))
    )
    return spokes.filter(F.col("a") != F.col("b")).distinct()


def _round(edges: Any) -> Any:
    return _small_star(_large_star(edges))


def _by_joins(store: Store, name: str, edges: Any) -> Any:
    from pyspark.sql import functions as F

    current = store.stage(f"{name}-round-0", lambda: edges.select("a", "b").distinct())
    for round in range(1, MAX_ROUNDS + 1):
        previous = current
        current = store.stage(f"{name}-round-{round}", partial(_round, previous))
        if current.count() == previous.count() and current.exceptAll(previous).isEmpty():
            log.info("%s: converged after %d rounds", name, round)
            break
    else:
        raise RuntimeError(f"{name}: components did not converge in {MAX_ROUNDS} rounds")
    # A star around its smallest node: every edge is (centre, member).
    centres = current.select(F.col("a").alias("node"), F.col("a").alias("component"))
    members = current.select(F.col("b").alias("node"), F.col("a").alias("component"))
    return centres.unionByName(members).groupBy("node").agg(F.min("component").alias("component"))
