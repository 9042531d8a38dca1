//! `FeedIndex`: the feed index on disk ([`copydesk::index`]), batch by
//! batch. A batch of documents goes in as an Arrow table; each comes back
//! kept or held, with the same `copydesk` verdict object `copydesk dedup`
//! adds to its output records.

use crate::documents;
use crate::options::Settings;
use copydesk::index::{self, DedupOptions, Index, IndexOptions};
use copydesk::ScanConfig;
use pyo3::exceptions::{PyOSError, PyRuntimeError};
use pyo3::prelude::*;
use pyo3_arrow::PyTable;
use std::path::PathBuf;
use std::sync::Mutex;

/// One batch's answer: per row whether it is held back, the verdicts as a
/// JSON array, and the batch's counts by name.
type Answer = (Vec<bool>, String, Vec<(String, u64)>);

/// An open feed index; one batch at a time (a second thread waits).
#[pyclass(frozen, module = "copydesk._core")]
pub struct FeedIndex {
    index: Mutex<Option<Index>>,
    config: ScanConfig,
}

fn index_error(e: impl std::fmt::Display) -> PyErr {
    PyOSError::new_err(e.to_string())
}

#[pymethods]
impl FeedIndex {
    /// Opens the index in `path`, creating it on first use.
    #[new]
    #[pyo3(signature = (path, settings, texts = true))]
    fn new(py: Python<'_>, path: PathBuf, settings: Settings, texts: bool) -> PyResult<Self> {
        let config = settings.config()?;
        let index = py.detach(|| Index::open_or_create_with(&path, &config, IndexOptions { texts }));
        Ok(FeedIndex { index: Mutex::new(Some(index.map_err(index_error)?)), config })
    }

    /// Deduplicates one batch: per row, whether it is held back and its
    /// verdict as JSON (an array, in row order), and the batch's counts.
    #[pyo3(signature = (table, dry_run = false))]
    fn dedup(&self, py: Python<'_>, table: PyTable, dry_run: bool) -> PyResult<Answer> {
        let (batches, _) = table.into_inner();
        let read = documents::read(&batches, false)?;
        py.detach(|| {
            let guard = self.index.lock().map_err(|_| PyRuntimeError::new_err("the index lock is poisoned"))?;
            let index = guard.as_ref().ok_or_else(|| PyRuntimeError::new_err("the index is closed"))?;
            let options = DedupOptions { dry_run, defer_merges: false };
            let batch = index::dedup(index, &read.documents, &self.config, options).map_err(index_error)?;
            let held = batch.decisions.iter().map(|d| d.held).collect();
            let verdicts = serde_json::Value::Array(batch.decisions.into_iter().map(|d| d.verdict).collect());
            let c = batch.counts;
            let counts = vec![
                ("articles".to_string(), c.articles as u64),
                ("kept".to_string(), c.kept as u64),
                ("held".to_string(), c.held as u64),
                ("held_against_archive".to_string(), c.held_against_archive as u64),
                ("canonical_changes".to_string(), c.canonical_changes as u64),
                ("replayed".to_string(), c.replayed as u64),
                ("exact_copies".to_string(), c.exact_copies as u64),
            ];
            Ok((held, verdicts.to_string(), counts))
        })
    }

    /// Closes the index (the database file is released).
    fn close(&self) -> PyResult<()> {
        self.index.lock().map_err(|_| PyRuntimeError::new_err("the index lock is poisoned"))?.take();
        Ok(())
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<FeedIndex>()
}
