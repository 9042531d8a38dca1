//! Documents from Arrow: a table or record batch with `id` and `text`
//! columns (and optionally `outlet`, `url`, `title`, `published`) in,
//! validated [`Document`]s out.
//!
//! Each row passes the checks a JSON Lines record passes
//! ([`copydesk::ingest::record`]); a row that fails them is an error naming
//! the row and the reason, or, when the caller asks to skip, a
//! [`Skipped`] entry the scan reports, never a silent drop. Ids must be
//! distinct, as in every other input.

use arrow_array::cast::AsArray;
use arrow_array::{Array, RecordBatch};
use arrow_schema::DataType;
use copydesk::ingest::record::Record;
use copydesk::ingest::Skipped;
use copydesk::{Document, Source};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use std::collections::HashSet;

/// Metadata columns read when present.
const OPTIONAL: [&str; 4] = ["outlet", "url", "title", "published"];

/// One string column of a batch, whatever its Arrow string type.
pub enum Strings<'a> {
    Utf8(&'a arrow_array::StringArray),
    Large(&'a arrow_array::LargeStringArray),
    View(&'a arrow_array::StringViewArray),
    /// An all-null column (pandas and pyarrow infer it for empty metadata).
    Null,
}

impl<'a> Strings<'a> {
    /// The column `name` of `batch`; `None` when the batch has none.
    pub fn of(batch: &'a RecordBatch, name: &str) -> PyResult<Option<Strings<'a>>> {
        let Some(column) = batch.column_by_name(name) else {
            return Ok(None);
        };
        Ok(Some(match column.data_type() {
            DataType::Utf8 => Strings::Utf8(column.as_string::<i32>()),
            DataType::LargeUtf8 => Strings::Large(column.as_string::<i64>()),
            DataType::Utf8View => Strings::View(column.as_string_view()),
            DataType::Null => Strings::Null,
            other => {
                return Err(PyTypeError::new_err(format!("column \"{name}\" must hold strings, not Arrow {other}")))
            }
        }))
    }

    /// Row `i`, `None` when null.
    pub fn get(&self, i: usize) -> Option<&'a str> {
        match self {
            Strings::Utf8(a) => a.is_valid(i).then(|| a.value(i)),
            Strings::Large(a) => a.is_valid(i).then(|| a.value(i)),
            Strings::View(a) => a.is_valid(i).then(|| a.value(i)),
            Strings::Null => None,
        }
    }
}

/// The `id` and `text` columns a batch must have.
pub fn required<'a>(batch: &'a RecordBatch, name: &str) -> PyResult<Strings<'a>> {
    Strings::of(batch, name)?.ok_or_else(|| PyValueError::new_err(format!("the input has no \"{name}\" column")))
}

/// Documents read from `batches`.
pub struct Read {
    pub documents: Vec<Document>,
    pub skipped: Vec<Skipped>,
}

/// The columns a record is read from: `id`, `text` and the metadata
/// columns the batch has.
pub struct RecordColumns<'a> {
    ids: Strings<'a>,
    texts: Strings<'a>,
    meta: Vec<Option<Strings<'a>>>,
}

impl<'a> RecordColumns<'a> {
    pub fn of(batch: &'a RecordBatch) -> PyResult<Self> {
        let meta = OPTIONAL.iter().map(|n| Strings::of(batch, n)).collect::<PyResult<_>>()?;
        Ok(RecordColumns { ids: required(batch, "id")?, texts: required(batch, "text")?, meta })
    }

    /// Row `i` as a record (not yet checked).
    pub fn record(&self, i: usize) -> Record<'a> {
        let field = |k: usize| self.meta[k].as_ref().and_then(|c| c.get(i));
        Record {
            id: self.ids.get(i),
            text: self.texts.get(i),
            outlet: field(0),
            url: field(1),
            title: field(2),
            published: field(3),
        }
    }
}

/// Each row of `batches` as a [`Record`] that passed the checks every input
/// passes, or the reason it did not (with its row number); ids distinct.
fn checked(batches: &[RecordBatch]) -> PyResult<Vec<(usize, Result<Record<'_>, String>)>> {
    let rows: usize = batches.iter().map(RecordBatch::num_rows).sum();
    let mut out = Vec::with_capacity(rows);
    let mut seen: HashSet<&str> = HashSet::with_capacity(rows);
    for batch in batches {
        let columns = RecordColumns::of(batch)?;
        for i in 0..batch.num_rows() {
            let record = columns.record(i);
            let verdict = record.problem().map_or_else(
                || {
                    let id = record.id.unwrap_or_default();
                    if seen.insert(id) {
                        Ok(record)
                    } else {
                        Err(format!("id \"{id}\" repeats an earlier record's"))
                    }
                },
                |p| Err(p.to_string()),
            );
            out.push((out.len(), verdict));
        }
    }
    Ok(out)
}

fn bad_row(row: usize, reason: &str) -> PyErr {
    PyValueError::new_err(format!("record {row}: {reason}"))
}

/// Each row's id and text, borrowed from the batches (nothing copied); a
/// bad row raises `ValueError`.
pub fn texts(batches: &[RecordBatch]) -> PyResult<Vec<(&str, &str)>> {
    checked(batches)?
        .into_iter()
        .map(|(row, r)| {
            let r = r.map_err(|reason| bad_row(row, &reason))?;
            Ok((r.id.unwrap_or_default(), r.text.unwrap_or_default()))
        })
        .collect()
}

/// Reads every row of `batches`; a bad row raises `ValueError` unless
/// `skip_bad` (then it is listed in `skipped`).
pub fn read(batches: &[RecordBatch], skip_bad: bool) -> PyResult<Read> {
    let mut out = Read { documents: Vec::new(), skipped: Vec::new() };
    for (row, record) in checked(batches)? {
        match record.and_then(|r| r.document(Source::Memory)) {
            Ok(d) => out.documents.push(d),
            Err(reason) if skip_bad => {
                out.skipped.push(Skipped { path: "(records)".into(), path_bytes: None, line: Some(row), reason })
            }
            Err(reason) => return Err(bad_row(row, &reason)),
        }
    }
    Ok(out)
}

/// The column `name` of `batch`, of int64 or uint64, as numbers (null as 0).
pub fn whole_numbers(batch: &RecordBatch, name: &str) -> PyResult<Vec<u64>> {
    use arrow_array::types::{Int64Type, UInt64Type};
    let column = batch
        .column_by_name(name)
        .ok_or_else(|| PyValueError::new_err(format!("the input has no \"{name}\" column")))?;
    match column.data_type() {
        DataType::UInt64 => Ok(column.as_primitive::<UInt64Type>().iter().map(Option::unwrap_or_default).collect()),
        DataType::Int64 => column
            .as_primitive::<Int64Type>()
            .iter()
            .map(|v| {
                u64::try_from(v.unwrap_or_default())
                    .map_err(|_| PyValueError::new_err(format!("the \"{name}\" column holds a negative number")))
            })
            .collect(),
        other => Err(PyValueError::new_err(format!("the \"{name}\" column must be int64 or uint64, not {other}"))),
    }
}
