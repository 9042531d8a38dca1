//! `scan_table` and `scan_paths`: documents in, a [`ScanResult`] handle
//! out. The handle keeps the finished Rust [`Scan`]; Python reads it as the
//! CLI's JSON (the same bytes `copydesk scan --format json` writes), as
//! passage texts, or as the editor's report.

use crate::documents;
use crate::options::Settings;
use copydesk::cli::settings::MAX_THREADS;
use copydesk::ingest::{self, IngestOptions, Input};
use copydesk::output::{self, json::JsonSink};
use copydesk::report::{self, Format};
use copydesk::{Scan, ScanConfig, Scanner};
use pyo3::exceptions::{PyOSError, PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3_arrow::PyTable;
use std::path::PathBuf;

/// A finished scan, held in Rust.
#[pyclass(frozen, module = "copydesk._core")]
pub struct ScanResult {
    scan: Scan,
    config: ScanConfig,
}

#[pymethods]
impl ScanResult {
    /// The scan as `copydesk scan --format json` writes it.
    fn json(&self, py: Python<'_>) -> PyResult<String> {
        py.detach(|| {
            let mut out = Vec::new();
            output::emit(&self.scan, &mut JsonSink::new(&mut out, self.config.clone()))
                .map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
            String::from_utf8(out).map_err(|e| PyRuntimeError::new_err(e.to_string()))
        })
    }

    /// Writes the scan as `copydesk scan --format json` does, to the file
    /// at `path`, streamed (no copy of the whole JSON in memory).
    fn write_json(&self, py: Python<'_>, path: PathBuf) -> PyResult<()> {
        py.detach(|| {
            let file =
                std::fs::File::create(&path).map_err(|e| PyOSError::new_err(format!("{}: {e}", path.display())))?;
            let mut out = std::io::BufWriter::new(file);
            output::emit(&self.scan, &mut JsonSink::new(&mut out, self.config.clone()))
                .and_then(|()| std::io::Write::flush(&mut out))
                .map_err(|e| PyOSError::new_err(format!("{}: {e}", path.display())))
        })
    }

    /// The editor's report: `"html"` (one self-contained page) or
    /// `"markdown"`.
    fn report(&self, py: Python<'_>, format: &str) -> PyResult<String> {
        let format = match format {
            "html" => Format::Html,
            "markdown" | "md" => Format::Markdown,
            other => return Err(PyValueError::new_err(format!("unknown report format {other:?}: html or markdown"))),
        };
        py.detach(|| report::render(&self.scan, format)).map_err(|e| PyRuntimeError::new_err(e.to_string()))
    }

    /// Per pair (in the JSON's order), per passage: the text of each side,
    /// as the scan read it (HTML reduced to its article text).
    fn passage_texts(&self) -> Vec<Vec<(String, String)>> {
        let docs = &self.scan.documents;
        let slice = |d: u32, r: &std::ops::Range<usize>| docs[d as usize].text.get(r.clone()).unwrap_or("").to_string();
        self.scan
            .pairs
            .iter()
            .map(|p| p.passages.iter().map(|x| (slice(p.a, &x.text_a), slice(p.b, &x.text_b))).collect())
            .collect()
    }

    /// Per document (in the JSON's order): the text the scan read.
    fn texts(&self) -> Vec<String> {
        self.scan.documents.iter().map(|d| d.text.clone()).collect()
    }

    fn __len__(&self) -> usize {
        self.scan.documents.len()
    }
}

/// A worker pool of `threads` (all cores when `None`).
fn pool(threads: Option<usize>) -> PyResult<rayon::ThreadPool> {
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(n) = threads {
        if !(1..=MAX_THREADS).contains(&n) {
            return Err(PyValueError::new_err(format!("threads must be from 1 to {MAX_THREADS}, got {n}")));
        }
        builder = builder.num_threads(n);
    }
    builder.build().map_err(|e| PyRuntimeError::new_err(e.to_string()))
}

fn nothing_to_scan(skipped: usize, ignored: usize) -> PyErr {
    PyValueError::new_err(format!(
        "nothing to scan: no input held a document ({skipped} skipped, {ignored} left out by ignore rules)"
    ))
}

/// Scans the rows of an Arrow table (anything with `__arrow_c_stream__`).
#[pyfunction]
#[pyo3(signature = (table, settings, skip_bad = false, threads = None))]
fn scan_table(
    py: Python<'_>,
    table: PyTable,
    settings: Settings,
    skip_bad: bool,
    threads: Option<usize>,
) -> PyResult<ScanResult> {
    let config = settings.config()?;
    let (batches, _) = table.into_inner();
    let read = documents::read(&batches, skip_bad)?;
    drop(batches);
    if read.documents.is_empty() {
        return Err(nothing_to_scan(read.skipped.len(), 0));
    }
    let pool = pool(threads)?;
    let mut scan = py.detach(|| pool.install(|| Scanner::new(config.clone()).scan(read.documents)));
    scan.skipped = read.skipped;
    Ok(ScanResult { scan, config })
}

/// Scans files and directories as `copydesk scan PATH...` does.
#[pyfunction]
#[pyo3(signature = (paths, settings, threads = None))]
fn scan_paths(py: Python<'_>, paths: Vec<PathBuf>, settings: Settings, threads: Option<usize>) -> PyResult<ScanResult> {
    let config = settings.config()?;
    if paths.is_empty() {
        return Err(PyValueError::new_err("no paths given"));
    }
    let pool = pool(threads)?;
    let inputs: Vec<Input> = paths.iter().map(Input::parse).collect();
    let scan = py.detach(|| {
        let ingested = pool.install(|| ingest::ingest(&inputs, &IngestOptions::default(), std::io::empty()));
        let ingested = ingested.map_err(|e| PyOSError::new_err(e.to_string()))?;
        if ingested.documents.is_empty() {
            return Err(nothing_to_scan(ingested.skipped.len(), ingested.ignored));
        }
        let mut scan = pool.install(|| Scanner::new(config.clone()).scan(ingested.documents));
        scan.skipped = ingested.skipped;
        scan.ignored = ingested.ignored;
        Ok(scan)
    })?;
    Ok(ScanResult { scan, config })
}

/// Turns transparent huge pages off for this process, as the `copydesk`
/// binary does at start ([`copydesk::process`]). Process-wide, so never
/// done behind a caller's back: a program that scans large corpora calls it
/// once at its top.
#[pyfunction]
fn disable_transparent_huge_pages() {
    copydesk::process::disable_transparent_huge_pages();
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(disable_transparent_huge_pages, m)?)?;
    m.add_class::<ScanResult>()?;
    m.add_function(wrap_pyfunction!(scan_table, m)?)?;
    m.add_function(wrap_pyfunction!(scan_paths, m)?)?;
    Ok(())
}
