//! Ingest for engines that read the files themselves (the Spark job): rows
//! of raw input in, the documents `copydesk scan` would read from the same
//! bytes out, with a row per input it would skip and why.
//!
//! * [`ingest_jsonl`]: whole JSON Lines files as (`path`, `content`), read
//!   line by line as the CLI reads them.
//! * [`ingest_files`]: whole text or HTML files as (`path`, `content`).
//! * [`ingest_records`]: rows of a table (Parquet) with `id` and `text`.
//!
//! Ids are not checked for repeats here: an engine sees one batch at a
//! time, and finds repeats over the whole input (the first read wins, as in
//! the CLI). Documents whose offsets would not be offsets into the input
//! (HTML, or text decoded from another encoding) are skipped with that
//! reason: every span the job reports must be a byte range of its input.

use crate::documents::{required, whole_numbers, RecordColumns};
use arrow_array::builder::{StringBuilder, UInt64Builder};
use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::DataType;
use copydesk::ingest;
use copydesk::{Document, Origin, Source};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3_arrow::{PyRecordBatch, PyTable};
use rayon::prelude::*;
use std::path::Path;
use std::sync::Arc;

/// One input read: the document, or why it was skipped; with the file it
/// came from and its line or row (when it has one).
struct Read {
    file: String,
    line: Option<u64>,
    outcome: Result<Document, String>,
}

/// Whole JSON Lines files as the CLI reads them, line by line (ids that
/// repeat inside a file are skipped here; across files, by the caller).
/// Columns in: `path` (the name the file is known by) and `content`.
#[pyfunction]
fn ingest_jsonl<'py>(py: Python<'py>, table: PyTable) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyAny>)> {
    let (batches, _) = table.into_inner();
    let rows = files_of(&batches)?;
    let read: Vec<Read> = py.detach(|| {
        rows.par_iter()
            .flat_map_iter(|&(path, bytes)| {
                let ingested = ingest::jsonl_bytes(bytes, path);
                let documents = ingested.documents.into_iter().map(move |d| {
                    let line = match &d.source {
                        Source::JsonLine { line, .. } => Some(*line as u64),
                        _ => None,
                    };
                    Read { file: path.to_string(), line, outcome: Ok(d) }
                });
                let skipped = ingested.skipped.into_iter().map(move |s| Read {
                    file: path.to_string(),
                    line: s.line.map(|l| l as u64),
                    outcome: Err(s.reason),
                });
                documents.chain(skipped)
            })
            .collect()
    });
    finish(py, read)
}

/// The (`path`, `content`) rows of `batches`.
fn files_of(batches: &[RecordBatch]) -> PyResult<Vec<(&str, &[u8])>> {
    let mut rows = Vec::new();
    for batch in batches {
        let paths = required(batch, "path")?;
        let content = batch.column_by_name("content").ok_or_else(|| PyValueError::new_err("no \"content\" column"))?;
        let DataType::Binary = content.data_type() else {
            return Err(PyTypeError::new_err(format!("\"content\" must be binary, not {}", content.data_type())));
        };
        let content = content.as_binary::<i32>();
        for i in 0..batch.num_rows() {
            rows.push((paths.get(i).unwrap_or_default(), if content.is_valid(i) { content.value(i) } else { &[] }));
        }
    }
    Ok(rows)
}

/// Whole files as the CLI reads a text or HTML file. Columns in: `path`
/// (the name the file is known by: the document's id) and `content`.
#[pyfunction]
fn ingest_files<'py>(py: Python<'py>, table: PyTable) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyAny>)> {
    let (batches, _) = table.into_inner();
    let rows = files_of(&batches)?;
    let read: Vec<Read> = py.detach(|| {
        rows.par_iter()
            .map(|&(path, bytes)| Read { file: path.to_string(), line: None, outcome: file_document(path, bytes) })
            .collect()
    });
    finish(py, read)
}

fn file_document(path: &str, bytes: &[u8]) -> Result<Document, String> {
    let doc = ingest::file_document(Path::new(path), bytes)?;
    if doc.origin != Origin::Identity {
        return Err("its text is not its bytes (HTML, or another encoding than UTF-8): offsets into it would not \
                    be offsets into the file; convert it to JSON Lines or scan it with the CLI"
            .into());
    }
    Ok(doc)
}

/// Rows of a table with `id` and `text` (and optionally `outlet`, `url`,
/// `title`, `published`) columns, each checked as a JSON Lines record is.
/// Column `file` names the input, `line` the row (from 1).
#[pyfunction]
fn ingest_records<'py>(py: Python<'py>, table: PyTable) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyAny>)> {
    let (batches, _) = table.into_inner();
    let mut read = Vec::new();
    for batch in &batches {
        let (columns, files) = (RecordColumns::of(batch)?, required(batch, "file")?);
        let lines = whole_numbers(batch, "line")?;
        for (i, line) in lines.into_iter().enumerate() {
            let record = columns.record(i);
            let file = files.get(i).unwrap_or_default().to_string();
            let source = Source::JsonLine { path: file.clone(), line: line as usize };
            read.push(Read { file, line: Some(line), outcome: record.document(source) });
        }
    }
    finish(py, read)
}

/// The documents and the skipped inputs as two record batches.
fn finish<'py>(py: Python<'py>, read: Vec<Read>) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyAny>)> {
    let (documents, skipped) = py.detach(|| (document_batch(&read), skipped_batch(&read)));
    let err = |e: arrow_schema::ArrowError| PyValueError::new_err(e.to_string());
    Ok((
        PyRecordBatch::new(documents.map_err(err)?).into_pyarrow(py)?,
        PyRecordBatch::new(skipped.map_err(err)?).into_pyarrow(py)?,
    ))
}

fn strings<'a>(values: impl Iterator<Item = Option<&'a str>>) -> ArrayRef {
    Arc::new(values.collect::<arrow_array::StringArray>())
}

/// `file`, `line`, then the document's fields (`published` as written).
fn document_batch(read: &[Read]) -> Result<RecordBatch, arrow_schema::ArrowError> {
    let docs: Vec<(&Read, &Document)> = read.iter().filter_map(|r| Some((r, r.outcome.as_ref().ok()?))).collect();
    let mut lines = UInt64Builder::with_capacity(docs.len());
    let mut source = StringBuilder::new();
    for (r, d) in &docs {
        lines.append_option(r.line);
        source.append_value(d.source.to_string());
    }
    RecordBatch::try_from_iter([
        ("file", strings(docs.iter().map(|(r, _)| Some(r.file.as_str())))),
        ("line", Arc::new(lines.finish()) as ArrayRef),
        ("id", strings(docs.iter().map(|(_, d)| Some(d.id.as_str())))),
        ("text", strings(docs.iter().map(|(_, d)| Some(d.text.as_str())))),
        ("outlet", strings(docs.iter().map(|(_, d)| d.meta.outlet.as_deref()))),
        ("url", strings(docs.iter().map(|(_, d)| d.meta.url.as_deref()))),
        ("title", strings(docs.iter().map(|(_, d)| d.meta.title.as_deref()))),
        ("published", strings(docs.iter().map(|(_, d)| d.meta.published.as_ref().map(|p| p.raw.as_str())))),
        ("source", Arc::new(source.finish()) as ArrayRef),
    ])
}

/// `path`, `line` (when the input has lines) and `reason`.
fn skipped_batch(read: &[Read]) -> Result<RecordBatch, arrow_schema::ArrowError> {
    let skipped: Vec<(&Read, &str)> =
        read.iter().filter_map(|r| Some((r, r.outcome.as_ref().err()?.as_str()))).collect();
    let mut lines = UInt64Builder::with_capacity(skipped.len());
    for (r, _) in &skipped {
        lines.append_option(r.line);
    }
    RecordBatch::try_from_iter([
        ("path", strings(skipped.iter().map(|(r, _)| Some(r.file.as_str())))),
        ("line", Arc::new(lines.finish()) as ArrayRef),
        ("reason", strings(skipped.iter().map(|(_, reason)| Some(*reason)))),
    ])
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(ingest_jsonl, m)?)?;
    m.add_function(wrap_pyfunction!(ingest_files, m)?)?;
    m.add_function(wrap_pyfunction!(ingest_records, m)?)?;
    Ok(())
}
