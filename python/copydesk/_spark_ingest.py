"""Ingest for the Spark job: input paths in; documents in the order
``copydesk scan`` reads them (with their ordinals), and a row per skipped
input with its reason, out.

The driver lists the input files (as the CLI walks a folder: sorted, hidden
files left out); the workers read each file's bytes and parse them in Rust
exactly as the CLI does (``_core.ingest_jsonl``, ``ingest_files``,
``ingest_records``). A document's ordinal is its place in that order: files
in turn, lines in order, repeated ids skipped (the first read wins). The
ordinals come from per-file counts and a window per file, so no stage ever
sorts the whole corpus in one task.
"""

from __future__ import annotations

import fnmatch
import io
import posixpath
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Dict, Iterator, List, Sequence, Tuple

if TYPE_CHECKING:
    import pyarrow as pa

from . import _core
from ._spark_store import filesystem

#: Extensions read as JSON Lines, Parquet; anything else is a text file.
_JSONL = (".jsonl", ".ndjson")
_PARQUET = (".parquet",)

INGESTED_SCHEMA = (
    "file_rank long, line long, id string, text string, outlet string, url string, title string, "
    "published string, source string, reason string, path string"
)


@dataclass(frozen=True)
class InputFile:
    """One file to read: Spark's URI for it, the name documents and skips
    give it (as the CLI would print it), and how to read it."""

    uri: str
    name: str
    format: str
    rank: int


def list_inputs(inputs: Sequence[str], format: str = "auto") -> List[InputFile]:
    """Every file the ``inputs`` (files, folders, globs) name, in the order
    the CLI reads them."""
    found: List[Tuple[str, str]] = []
    for given in inputs:
        found.extend(_files_of(given))
    if not found:
        raise ValueError(f"no input files in {', '.join(inputs)}")
    return [InputFile(uri, name, _format_of(name, format), rank) for rank, (uri, name) in enumerate(found)]


def _files_of(given: str) -> List[Tuple[str, str]]:
    """(uri, display name) of the files one input names, sorted by path."""
    from pyarrow import fs

    pattern = None
    if any(c in given for c in "*?["):
        given, pattern = posixpath.split(given)
    filesys, path, uri = filesystem(given)
    info = filesys.get_file_info(path)
    if info.type == fs.FileType.NotFound:
        raise FileNotFoundError(f"no such input: {given}")
    if info.type == fs.FileType.File:
        return [(uri, given)]
    selector = fs.FileSelector(path, recursive=pattern is None)
    out = []
    for entry in sorted(filesys.get_file_info(selector), key=lambda e: e.path):
        relative = entry.path[len(path) :].lstrip("/")
        hidden = any(part.startswith(".") for part in relative.split("/"))
        if entry.type != fs.FileType.File or hidden:
            continue
        if pattern is not None and not fnmatch.fnmatchcase(relative, pattern):
            continue
        out.append((f"{uri}/{relative}", posixpath.join(given, relative)))
    return out


def _format_of(name: str, format: str) -> str:
    if format != "auto":
        return format
    lower = name.lower()
    if lower.endswith(_JSONL):
        return "jsonl"
    if lower.endswith(_PARQUET):
        return "parquet"
    return "text"


def _key(uri: str) -> str:
    """A path as both engines print it: no scheme, no leading slash."""
    return re.sub(r"^[A-Za-z][A-Za-z0-9+.-]*:", "", uri).lstrip("/")


def read(spark: Any, files: Sequence[InputFile]) -> Any:
    """The files' documents and skips, one row each (``INGESTED_SCHEMA``):
    a skip has a ``reason`` and no text."""
    from pyspark.sql import functions as F

    listing = spark.createDataFrame(
        [(_key(f.uri), f.name, f.format, f.rank) for f in files], "key string, name string, format string, rank long"
    )
    contents = spark.read.format("binaryFile").load([f.uri for f in files])
    keyed = contents.select(F.regexp_replace(F.col("path"), r"^[A-Za-z][A-Za-z0-9+.-]*:/*", "").alias("key"), "content")
    # Some engines split a large file into ranges and give each range the
    # whole file's bytes: one row per file, whatever the split.
    keyed = keyed.dropDuplicates(["key"])
    joined = keyed.join(listing, "key").select("rank", "name", "format", "content")
    return joined.mapInArrow(_ingest_batches, INGESTED_SCHEMA)


def _ingest_batches(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:

    for batch in batches:
        rows = batch.to_pylist()
        for row in rows:
            yield from _ingest_file(row["rank"], row["name"], row["format"], row["content"] or b"")
        del rows


def _ingest_file(rank: int, name: str, format: str, content: bytes) -> Iterator[pa.RecordBatch]:
    import pyarrow as pa

    files = pa.table({"path": [name], "content": pa.array([content], pa.binary())})
    if format == "jsonl":
        docs, skipped = _core.ingest_jsonl(files)
    elif format == "text":
        docs, skipped = _core.ingest_files(files)
    else:
        docs, skipped = _core.ingest_records(_parquet_rows(name, content))
    yield _ingested(rank, name, docs, None)
    yield _ingested(rank, name, None, skipped)


def _parquet_rows(name: str, content: bytes) -> pa.Table:
    """A Parquet file's rows, with ``file`` and ``line`` (row from 1)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pq.read_table(io.BytesIO(content))
    table = table.append_column("file", pa.array([name] * table.num_rows, pa.string()))
    return table.append_column("line", pa.array(range(1, table.num_rows + 1), pa.int64()))


def _ingested(rank: int, name: str, docs: Any, skipped: Any) -> pa.RecordBatch:
    import pyarrow as pa

    source = docs if docs is not None else skipped
    n = source.num_rows
    column: Dict[str, Any] = {
        "file_rank": pa.array([rank] * n, pa.int64()),
        "line": source.column("line").cast(pa.int64()),
    }
    for field in ("id", "text", "outlet", "url", "title", "published", "source"):
        column[field] = docs.column(field) if docs is not None else pa.nulls(n, pa.string())
    column["reason"] = skipped.column("reason") if skipped is not None else pa.nulls(n, pa.string())
    column["path"] = pa.array([name] * n, pa.string())
    return pa.RecordBatch.from_pydict(column)


def from_frame(frame: Any) -> Any:
    """A DataFrame of documents (``id``, ``text``, and optionally
    ``outlet``, ``url``, ``title``, ``published``, ``ordinal``) as ingested
    rows (``INGESTED_SCHEMA``), each checked as a JSON Lines record is.

    The corpus order is the ``ordinal`` column's when there is one (ties
    and repeats: the first wins); without it, documents are ordered by a
    hash of their id, then by id: the same order on every run, spread over
    many windows instead of one."""
    from pyspark.sql import functions as F

    fields = [
        F.col(f).cast("string").alias(f) if f in frame.columns else F.lit(None).cast("string").alias(f)
        for f in ("id", "text", "outlet", "url", "title", "published")
    ]
    if "ordinal" in frame.columns:
        rank = F.floor(F.col("ordinal") / F.lit(1 << 20)).cast("long")
        line = (F.col("ordinal") + 1).cast("long")
    else:
        rank = F.pmod(F.xxhash64("id"), F.lit(1 << 10))
        line = F.lit(None).cast("long")
    rows = frame.select(rank.alias("file_rank"), line.alias("line"), *fields)
    return rows.mapInArrow(_records_batches, INGESTED_SCHEMA)


def _records_batches(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    import pyarrow as pa
    import pyarrow.compute as pc

    for batch in batches:
        table = pa.Table.from_batches([batch])
        # Each row's rank rides in its "file" name through the Rust checks.
        files = pc.cast(table.column("file_rank"), pa.string())
        lines: Any = pc.fill_null(table.column("line"), pa.scalar(0, pa.int64()))
        checked = table.drop_columns(["file_rank", "line"]).append_column("file", files).append_column("line", lines)
        docs, skipped = _core.ingest_records(checked)
        yield _frame_rows(docs, "file")
        yield _frame_rows(skipped, "path")


def _frame_rows(batch: Any, rank_column: str) -> pa.RecordBatch:
    """Ingested rows (documents or skips) of a DataFrame's batch."""
    import pyarrow as pa
    import pyarrow.compute as pc

    n = batch.num_rows
    line = batch.column("line").cast(pa.int64())
    line = pc.if_else(pc.equal(line, pa.scalar(0, pa.int64())), pa.nulls(n, pa.int64()), line)
    is_doc = "text" in batch.schema.names
    column: Dict[str, Any] = {"file_rank": pc.cast(batch.column(rank_column), pa.int64()), "line": line}
    for field in ("id", "text", "outlet", "url", "title", "published"):
        column[field] = batch.column(field) if is_doc else pa.nulls(n, pa.string())
    where = pc.binary_join_element_wise(pa.array(["dataframe"] * n, pa.string()), pc.cast(line, pa.string()), ":")
    column["source"] = (
        pc.coalesce(where, pa.array(["dataframe"] * n, pa.string())) if is_doc else pa.nulls(n, pa.string())
    )
    column["reason"] = pa.nulls(n, pa.string()) if is_doc else batch.column("reason")
    column["path"] = pa.array(["dataframe"] * n, pa.string())
    return pa.RecordBatch.from_pydict(column)


def documents(spark: Any, ingested: Any) -> Tuple[Any, Any]:
    """The documents with their ordinals (repeated ids left out), and the
    skips (with a row for each repeated id)."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    read = ingested.filter(F.col("reason").isNull())
    order = F.struct("file_rank", "line", "id", "source")
    first = read.groupBy("id").agg(F.min(order).alias("first"))
    marked = read.join(first, "id").withColumn(
        "kept",
        (F.col("first.file_rank") == F.col("file_rank"))
        & F.col("first.line").eqNullSafe(F.col("line"))
        & (F.col("first.source") == F.col("source")),
    )
    kept = marked.filter("kept")
    counts = sorted(kept.groupBy("file_rank").count().collect(), key=lambda r: r["file_rank"])
    offsets, total = [], 0
    for row in counts:
        offsets.append((row["file_rank"], total))
        total += row["count"]
    offset = spark.createDataFrame(offsets or [(-1, 0)], "file_rank long, offset long")
    within = Window.partitionBy("file_rank").orderBy("line", "id")
    docs = kept.join(F.broadcast(offset), "file_rank").select(
        (F.col("offset") + F.row_number().over(within) - 1).alias("ordinal"),
        "id",
        "text",
        "outlet",
        "url",
        "title",
        "published",
        "source",
    )
    repeated = marked.filter(~F.col("kept")).select(
        F.col("path"),
        F.col("line"),
        F.concat(
            F.lit('duplicate id "'),
            F.regexp_replace(F.regexp_replace("id", r"\\", r"\\\\"), '"', '\\\\"'),
            F.lit('" (first read at '),
            F.col("first.source"),
            F.lit(")"),
        ).alias("reason"),
    )
    skipped = ingested.filter(F.col("reason").isNotNull()).select("path", "line", "reason").unionByName(repeated)
    return docs, skipped
