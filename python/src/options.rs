//! Scan settings from Python: keyword arguments in, a validated
//! [`ScanConfig`] out (an out-of-range value is a `ValueError` that names
//! it, as the CLI's flags are).

use copydesk::{ScanConfig, ScanOptions};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

/// The settings a Python caller may set, every key present (`None` keeps
/// the default).
#[derive(Debug, Clone, Default, FromPyObject)]
#[pyo3(from_item_all)]
pub struct Settings {
    pub threshold: Option<f64>,
    pub containment: Option<f64>,
    pub num_hashes: Option<usize>,
    pub shingle_words: Option<usize>,
    pub rewrites: Option<bool>,
}

impl Settings {
    pub fn config(&self) -> PyResult<ScanConfig> {
        let d = ScanOptions::default();
        let options = ScanOptions {
            threshold: self.threshold.unwrap_or(d.threshold),
            containment: self.containment.unwrap_or(d.containment),
            num_hashes: self.num_hashes.unwrap_or(d.num_hashes),
            shingle_words: self.shingle_words.unwrap_or(d.shingle_words),
            rewrites: self.rewrites.unwrap_or(d.rewrites),
            ..d
        };
        ScanConfig::new(options).map_err(|e| PyValueError::new_err(e.to_string()))
    }
}
