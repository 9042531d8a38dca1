//! Scan settings: [`ScanOptions`] is what a user asks for, [`ScanConfig`] is
//! what the pipeline runs with.
//!
//! Options come in from the CLI or a library caller unchecked; `ScanConfig::new`
//! validates them once and derives the LSH band/row split from the similarity
//! threshold, so no stage has to re-check a value or recompute a parameter.

use crate::linking::candidates::BandParams;
use thiserror::Error;

/// The settings a user can choose, with the documented defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct ScanOptions {
    /// Jaccard similarity at or above which two documents are near-duplicates.
    pub threshold: f64,
    /// Containment (share of the smaller document found in the larger one) at
    /// or above which a document counts as reprinted inside another.
    pub containment: f64,
    /// Number of MinHash values per signature.
    pub num_hashes: usize,
    /// Words per shingle for scripts written with spaces.
    pub shingle_words: usize,
    /// Characters per shingle for scripts written without spaces.
    pub shingle_chars: usize,
    /// Shared shingles a pair needs, after masking, before containment counts.
    pub min_shared: usize,
    /// A shingle found in at least this share of the documents is "common"
    /// (boilerplate, widgets, stock phrases) and never counts as shared.
    pub common_share: f64,
    /// ...but only once it is in at least this many documents, so that small
    /// corpora do not mask the very text they are about.
    pub common_min_docs: usize,
    /// Winnowing window, in shingles, for the containment index: any run of
    /// `window + shingle_words - 1` shared words is guaranteed a fingerprint.
    pub winnow_window: usize,
    /// Sentences (in tokens) shorter than this are not reported as repeats.
    pub repeat_min_tokens: usize,
    /// Look for rewrites with the passage-level sentence index. Off, the
    /// scan is document-level only (shingles), for the fastest dedup.
    pub rewrites: bool,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            threshold: 0.5,
            containment: 0.8,
            num_hashes: 128,
            shingle_words: 5,
            shingle_chars: 4,
            min_shared: 15,
            common_share: 0.1,
            common_min_docs: 20,
            winnow_window: 8,
            repeat_min_tokens: 8,
            rewrites: true,
        }
    }
}

/// A value in [`ScanOptions`] that the pipeline cannot run with.
#[derive(Debug, Error, PartialEq)]
pub enum ConfigError {
    #[error("{name} must be in {range}, got {value}")]
    OutOfRange { name: &'static str, range: &'static str, value: String },
}

/// Validated settings plus the parameters derived from them.
#[derive(Debug, Clone, PartialEq)]
pub struct ScanConfig {
    options: ScanOptions,
    bands: BandParams,
}

fn check_f64(name: &'static str, value: f64, lo: f64, hi: f64, range: &'static str) -> Result<(), ConfigError> {
    if value.is_finite() && value > lo && value <= hi {
        Ok(())
    } else {
        Err(ConfigError::OutOfRange { name, range, value: value.to_string() })
    }
}

fn check_usize(name: &'static str, value: usize, lo: usize, hi: usize, range: &'static str) -> Result<(), ConfigError> {
    if (lo..=hi).contains(&value) {
        Ok(())
    } else {
        Err(ConfigError::OutOfRange { name, range, value: value.to_string() })
    }
}

/// [`BandParams::optimal`], remembered per (threshold, hashes): it
/// integrates a few hundred thousand points, and an engine validates the
/// same settings for every batch it hands over.
fn optimal_bands(threshold: f64, num_hashes: usize) -> BandParams {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static KNOWN: OnceLock<Mutex<HashMap<(u64, usize), BandParams>>> = OnceLock::new();
    let known = KNOWN.get_or_init(Default::default);
    let key = (threshold.to_bits(), num_hashes);
    if let Some(&found) = known.lock().ok().and_then(|k| k.get(&key).copied()).as_ref() {
        return found;
    }
    let found = BandParams::optimal(threshold, num_hashes);
    if let Ok(mut k) = known.lock() {
        k.insert(key, found);
    }
    found
}

impl ScanConfig {
    /// Checks every option and derives the LSH band split.
    pub fn new(options: ScanOptions) -> Result<Self, ConfigError> {
        check_f64("threshold", options.threshold, 0.0, 1.0, "(0, 1]")?;
        check_f64("containment", options.containment, 0.0, 1.0, "(0, 1]")?;
        check_f64("common share", options.common_share, 0.0, 1.0, "(0, 1]")?;
        check_usize("number of hashes", options.num_hashes, 8, 1024, "8..=1024")?;
        check_usize("shingle words", options.shingle_words, 1, 16, "1..=16")?;
        check_usize("shingle characters", options.shingle_chars, 1, 16, "1..=16")?;
        check_usize("minimum shared shingles", options.min_shared, 1, 100_000, "1..=100000")?;
        check_usize("common minimum documents", options.common_min_docs, 2, usize::MAX, "2 or more")?;
        check_usize("winnowing window", options.winnow_window, 1, 256, "1..=256")?;
        check_usize("repeat minimum tokens", options.repeat_min_tokens, 2, 10_000, "2..=10000")?;
        let bands = optimal_bands(options.threshold, options.num_hashes);
        Ok(ScanConfig { options, bands })
    }

    pub fn options(&self) -> &ScanOptions {
        &self.options
    }

    /// Tokens per shingle for a document written in `script`.
    pub fn shingle_k(&self, script: crate::analysis::normalize::Script) -> usize {
        match script {
            crate::analysis::normalize::Script::Spaced => self.options.shingle_words,
            crate::analysis::normalize::Script::Unspaced => self.options.shingle_chars,
        }
    }

    /// The LSH band/row split derived from the threshold.
    pub fn bands(&self) -> BandParams {
        self.bands
    }

    /// The number of documents a shingle must appear in to be masked as common.
    pub fn common_df(&self, num_docs: usize) -> usize {
        let by_share = (self.options.common_share * num_docs as f64).ceil() as usize;
        by_share.max(self.options.common_min_docs)
    }
}

impl Default for ScanConfig {
    fn default() -> Self {
        ScanConfig::new(ScanOptions::default()).expect("default options are valid")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_bad_threshold() {
        for bad in [0.0, -0.5, 1.5, f64::NAN] {
            let opts = ScanOptions { threshold: bad, ..ScanOptions::default() };
            assert!(ScanConfig::new(opts).is_err(), "threshold {bad} accepted");
        }
    }

    #[test]
    fn common_df_has_a_floor() {
        let cfg = ScanConfig::default();
        assert_eq!(cfg.common_df(5), 20);
        assert_eq!(cfg.common_df(1000), 100);
    }

    #[test]
    fn bands_fit_in_the_signature() {
        let cfg = ScanConfig::default();
        let b = cfg.bands();
        assert!(b.bands * b.rows <= 128);
    }
}
