//! `copydesk._core`: the Rust library as a Python extension module.
//!
//! Python hands over documents as Arrow tables (or column lists) and gets
//! back handles to finished Rust values; the high-level package in
//! `python/copydesk/` turns them into typed Python objects. Every function
//! here releases the GIL while Rust works, so Python threads (and the
//! engines that call the batch API from several workers) run in parallel.
//!
//! * [`documents`]: Arrow columns in, validated [`copydesk::Document`]s out.
//! * [`options`]: keyword arguments in, a validated `ScanConfig` out.
//! * [`scan`]: `scan_table` and `scan_paths`, and the `ScanResult` handle.
//! * [`ingest`]: raw input rows (JSON Lines, files, tables) read as the CLI reads them.
//! * [`index`]: the feed index (`FeedIndex`), batch by batch.
//! * [`batch`]: the stages an engine runs one batch at a time, in Arrow.
//! * [`sketch`]: MinHash and LSH for the datasketch-shaped `compat` module.

mod batch;
mod documents;
mod index;
mod ingest;
mod options;
mod scan;
mod sketch;

use pyo3::prelude::*;

// The CLI's allocator for the Rust side of the module too: the
// per-document stages allocate small vectors on every worker at once, and
// the system allocator made the same scan measurably slower from Python.
// Python's own objects still come from Python's allocator.
copydesk::use_jemalloc!();

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    scan::register(m)?;
    index::register(m)?;
    ingest::register(m)?;
    batch::register(m)?;
    sketch::register(m)?;
    Ok(())
}
