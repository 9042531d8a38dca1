"""Where the Spark job keeps its stages: each stage's output written once as
Parquet under ``OUTPUT/stages/NAME``, marked done only after the write
succeeded, and read back (not recomputed) when the job runs again, so a
failed run resumes from its last finished stage.

Files are reached through ``pyarrow.fs``, so the output may be a local
folder or any URI pyarrow knows (``s3://``, ``gs://``, ``hdfs://``).
"""

from __future__ import annotations

import json
import logging
import os
import time
from typing import TYPE_CHECKING, Any, Callable, Optional, Tuple

if TYPE_CHECKING:
    from pyarrow.fs import FileSystem

log = logging.getLogger("copydesk.spark")

_DONE = "_COPYDESK_DONE"


def filesystem(uri: str) -> Tuple[FileSystem, str, str]:
    """The file system of ``uri``, the path on it, and the URI Spark should
    be given (local paths made absolute, so driver and workers agree)."""
    from pyarrow import fs

    if "://" not in uri:
        path = os.path.abspath(uri)
        return fs.LocalFileSystem(), path, path
    filesys, path = fs.FileSystem.from_uri(uri)
    return filesys, path, uri.rstrip("/")


class Store:
    """The stages of one job's output folder."""

    def __init__(self, spark: Any, output: str, on_stage: Optional[Callable[[str, float], None]] = None) -> None:
        self.spark = spark
        #: Called with each stage's name and seconds as it finishes (a
        #: bench reads the engine's counters there).
        self.on_stage = on_stage
        self.fs, self.base, self.uri = filesystem(output)
        self.fs.create_dir(self.base + "/stages", recursive=True)

    def uri_of(self, name: str) -> str:
        return f"{self.uri}/stages/{name}"

    def _marker(self, name: str) -> str:
        return f"{self.base}/stages/{name}/{_DONE}"

    def done(self, name: str) -> bool:
        from pyarrow import fs

        return bool(self.fs.get_file_info(self._marker(name)).type == fs.FileType.File)

    def _mark(self, name: str, content: bytes) -> None:
        self.fs.create_dir(f"{self.base}/stages/{name}", recursive=True)
        with self.fs.open_output_stream(self._marker(name)) as out:
            out.write(content)

    def stage(self, name: str, build: Callable[[], Any]) -> Any:
        """The stage ``name``'s DataFrame: read back when it is done, else
        built, written and marked done first. The marker holds the schema,
        so a stage with no rows reads back as an empty table of its own
        columns."""
        from pyspark.sql.types import StructType

        if self.done(name):
            log.info("stage %s: done before, read back", name)
        else:
            started = time.monotonic()
            frame = build()
            frame.write.mode("overwrite").parquet(self.uri_of(name))
            self._mark(name, frame.schema.json().encode())
            self._finished(name, time.monotonic() - started)
        with self.fs.open_input_stream(self._marker(name)) as f:
            schema = StructType.fromJson(json.loads(f.read()))
        if not self._has_rows(name):
            return self.spark.createDataFrame([], schema)
        return self.spark.read.schema(schema).parquet(self.uri_of(name))

    def _finished(self, name: str, seconds: float) -> None:
        log.info("stage %s: %.1f s", name, seconds)
        if self.on_stage is not None:
            self.on_stage(name, seconds)

    def _has_rows(self, name: str) -> bool:
        from pyarrow import fs

        found = self.fs.get_file_info(fs.FileSelector(f"{self.base}/stages/{name}", recursive=True))
        return any(f.path.endswith(".parquet") for f in found)

    def value(self, name: str, build: Callable[[], bytes]) -> bytes:
        """A small value the driver computes (merged statistics), kept as a
        file so a resumed run does not recompute it."""
        path = f"{self.base}/stages/{name}"
        if self.done(name):
            with self.fs.open_input_stream(path + "/value") as f:
                return bytes(f.read())
        started = time.monotonic()
        data = build()
        self.fs.create_dir(path, recursive=True)
        with self.fs.open_output_stream(path + "/value") as out:
            out.write(data)
        self._mark(name, b"value\n")
        self._finished(name, time.monotonic() - started)
        return data

    def output(self, name: str, frame: Any) -> None:
        """Writes a final table to ``OUTPUT/name`` (Parquet); a table with
        no rows is still written, as one file of its columns."""
        import pyarrow.parquet as pq
        from pyarrow import fs

        frame.write.mode("overwrite").parquet(f"{self.uri}/{name}")
        folder = f"{self.base}/{name}"
        found = self.fs.get_file_info(fs.FileSelector(folder, allow_not_found=True))
        if not any(f.path.endswith(".parquet") for f in found):
            self.fs.create_dir(folder, recursive=True)
            pq.write_table(frame.limit(0).toArrow(), f"{folder}/part-00000.parquet", filesystem=self.fs)
