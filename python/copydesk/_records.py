"""Whatever a caller hands ``scan`` or ``Index.dedup``, as one Arrow table.

Accepted: an iterable of dicts (``id``, ``text``, and optionally ``outlet``,
``url``, ``title``, ``published``) or of ``(id, text)`` pairs; a pandas
DataFrame; a pyarrow Table or RecordBatch, or any object with
``__arrow_c_stream__``. Each record is checked here, so a bad one raises
an exception that names it (``record 3: "text" must be str, got int``)
before anything reaches Rust; Rust checks the rest (empty text, NUL,
repeated ids) the way it checks every input.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Optional, Sequence, Union

if TYPE_CHECKING:
    import pyarrow as pa

FIELDS = ("id", "text", "outlet", "url", "title", "published")
METADATA = FIELDS[2:]

Record = Union[Dict[str, Any], Sequence[Any]]


def _utf8(value: str, row: int, field: str) -> str:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as e:
        raise ValueError(f'record {row}: "{field}" is not valid Unicode ({e.reason} at character {e.start})') from None
    return value


def _string(value: Any, row: int, field: str, required: bool) -> Optional[str]:
    if value is None:
        if required:
            raise ValueError(f'record {row}: "{field}" is missing')
        return None
    if field == "id" and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise TypeError(f'record {row}: "{field}" must be str, got {type(value).__name__}')
    return _utf8(value, row, field)


def _fields(record: Any, row: int) -> Dict[str, Any]:
    if isinstance(record, dict):
        return record
    if isinstance(record, (tuple, list)) and len(record) == 2:
        return {"id": record[0], "text": record[1]}
    raise TypeError(f"record {row}: expected a dict or an (id, text) pair, got {type(record).__name__}")


def from_records(records: Iterable[Record]) -> pa.Table:
    """Checks each record and gathers the fields into columns."""
    import pyarrow as pa

    columns: Dict[str, List[Optional[str]]] = {name: [] for name in FIELDS}
    for row, record in enumerate(records):
        fields = _fields(record, row)
        for name in FIELDS:
            columns[name].append(_string(fields.get(name), row, name, name in ("id", "text")))
    return pa.table({name: pa.array(values, type=pa.string()) for name, values in columns.items()})


def _check_table(table: pa.Table) -> pa.Table:
    import pyarrow as pa

    for name in ("id", "text"):
        if name not in table.column_names:
            raise ValueError(f'the table has no "{name}" column')
    for name in FIELDS:
        if name in table.column_names:
            kind = table.schema.field(name).type
            if name == "id" and pa.types.is_integer(kind):
                table = table.set_column(table.column_names.index(name), name, table.column(name).cast(pa.string()))
            elif not (pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_null(kind)):
                raise TypeError(f'column "{name}" must hold strings, not {kind}')
    return table


def _from_pandas(frame: Any) -> pa.Table:
    import pyarrow as pa

    try:
        table = pa.Table.from_pandas(frame, preserve_index=False)
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        # A column of mixed objects: check it record by record, to name the bad one.
        names = [n for n in FIELDS if n in frame.columns]
        return from_records(dict(zip(names, values)) for values in zip(*(frame[n].tolist() for n in names)))
    return _check_table(table)


def to_table(records: Any) -> pa.Table:
    """One Arrow table of ``records`` (see the module's docstring)."""
    # Imported when records come in, so a scan of paths never loads pyarrow.
    import pyarrow as pa

    if isinstance(records, pa.Table):
        return _check_table(records)
    if isinstance(records, pa.RecordBatch):
        return _check_table(pa.Table.from_batches([records]))
    module = type(records).__module__
    if module.startswith("pandas") and type(records).__name__ == "DataFrame":
        return _from_pandas(records)
    if hasattr(records, "__arrow_c_stream__"):
        return _check_table(pa.table(records))
    if isinstance(records, (str, bytes, dict)):
        raise TypeError(f"expected records, a table or paths, got a single {type(records).__name__}")
    return from_records(records)
