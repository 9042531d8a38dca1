//! What `scan` and `report` share: the inputs, the scan settings, the
//! worker pool, and progress on stderr.

use anyhow::{Context, Result};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::{self, IsTerminal, Write};
use std::time::Duration;

use crate::ingest::{self, IngestOptions, Input};
use crate::{Scan, ScanConfig, ScanOptions, Scanner};

#[derive(Debug, Args)]
pub struct ScanSettings {
    /// Files, directories (walked recursively) or `-` for JSON Lines on stdin.
    #[arg(required = true)]
    pub paths: Vec<String>,
    /// Jaccard similarity at which two documents are near-duplicates.
    #[arg(long, default_value_t = ScanOptions::default().threshold)]
    pub threshold: f64,
    /// Share of the smaller document found in the larger one at which it
    /// counts as reprinted there.
    #[arg(long, default_value_t = ScanOptions::default().containment)]
    pub containment: f64,
    /// MinHash values per signature.
    #[arg(long, default_value_t = ScanOptions::default().num_hashes)]
    pub num_hashes: usize,
    /// Words per shingle.
    #[arg(long, default_value_t = ScanOptions::default().shingle_words)]
    pub shingle: usize,
    /// Worker threads (default: one per core).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Document-level only: skip the sentence index that finds rewrites.
    #[arg(long)]
    pub no_rewrites: bool,
    /// Skip input files larger than this many bytes.
    #[arg(long, default_value_t = ingest::DEFAULT_MAX_BYTES)]
    pub max_file_size: u64,
}

impl ScanSettings {
    pub fn config(&self) -> Result<ScanConfig> {
        let options = ScanOptions {
            threshold: self.threshold,
            containment: self.containment,
            num_hashes: self.num_hashes,
            shingle_words: self.shingle,
            rewrites: !self.no_rewrites,
            ..ScanOptions::default()
        };
        Ok(ScanConfig::new(options)?)
    }

    /// Reads the inputs and scans them, showing progress on a terminal.
    pub fn run(&self, config: &ScanConfig) -> Result<Scan> {
        let mut pool = rayon::ThreadPoolBuilder::new();
        if let Some(n) = self.threads {
            anyhow::ensure!(n >= 1, "--threads must be at least 1");
            pool = pool.num_threads(n);
        }
        let pool = pool.build().context("starting worker threads")?;
        let progress = progress();
        progress.set_message("reading inputs");
        let inputs: Vec<Input> = self.paths.iter().map(|p| Input::parse(p)).collect();
        let ingested = ingest::ingest(&inputs, &IngestOptions { max_bytes: self.max_file_size }, io::stdin().lock())?;
        progress.set_message(format!("scanning {} documents", ingested.documents.len()));
        let report = |stage: &str| progress.set_message(format!("scanning: {stage} done"));
        let mut scan = pool.install(|| Scanner::new(config.clone()).scan_with_progress(ingested.documents, &report));
        progress.finish_and_clear();
        scan.skipped = ingested.skipped;
        Ok(scan)
    }
}

/// A spinner on stderr when it is a terminal; nothing when piped.
fn progress() -> ProgressBar {
    if !io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {elapsed} {msg}").unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

/// Reports skipped inputs on stderr, one line each and a count.
pub fn report_skipped(scan: &Scan, each: bool) {
    if scan.skipped.is_empty() {
        return;
    }
    let mut err = io::stderr().lock();
    if each {
        for s in &scan.skipped {
            let _ = writeln!(err, "copydesk: skipped {s}");
        }
    }
    let _ = writeln!(err, "copydesk: {} input(s) skipped", scan.skipped.len());
}
