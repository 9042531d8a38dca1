//! What `scan` and `report` share: the inputs, the scan settings, the
//! worker pool, and progress on stderr.

use anyhow::{Context, Result};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::{self, IsTerminal, Write};
use std::time::Duration;

use crate::ingest::{self, IngestOptions, Input, Skipped};
use crate::output::text::escape_controls;
use crate::{Scan, ScanConfig, ScanOptions, Scanner};
use std::ffi::OsString;

/// The most worker threads `--threads` accepts: far more than any machine
/// this runs on has cores, far fewer than would exhaust memory for stacks.
pub const MAX_THREADS: usize = 256;

#[derive(Debug, Args)]
pub struct ScanSettings {
    /// Jaccard similarity at which two documents are near-duplicates, in (0, 1].
    #[arg(long, default_value_t = ScanOptions::default().threshold, allow_negative_numbers = true)]
    pub threshold: f64,
    /// Share of the smaller document found in the larger one at which it
    /// counts as reprinted there, in (0, 1].
    #[arg(long, default_value_t = ScanOptions::default().containment, allow_negative_numbers = true)]
    pub containment: f64,
    /// MinHash values per signature, 8 to 1024.
    #[arg(long, default_value_t = ScanOptions::default().num_hashes, allow_negative_numbers = true)]
    pub num_hashes: usize,
    /// Words per shingle, 1 to 16.
    #[arg(long, default_value_t = ScanOptions::default().shingle_words, allow_negative_numbers = true)]
    pub shingle: usize,
    /// Worker threads, 1 to 256 (default: one per core).
    #[arg(long, value_parser = parse_threads, allow_negative_numbers = true)]
    pub threads: Option<usize>,
    /// Document-level only: skip the sentence index that finds rewrites.
    #[arg(long)]
    pub no_rewrites: bool,
    /// Skip text and HTML files larger than this (unread), e.g. `64MiB`.
    #[arg(long, value_parser = parse_size, default_value = "256MiB")]
    pub max_file_size: u64,
    /// Skip JSON Lines records (lines) larger than this, e.g. `64MiB`.
    #[arg(long, value_parser = parse_size, default_value = "256MiB")]
    pub max_document_size: u64,
    /// Read every text and HTML file in this encoding (a WHATWG label:
    /// `windows-1252`, `latin1`, `utf-16le`, `shift_jis`, ...) instead of
    /// the one it declares or is detected in.
    #[arg(long, value_parser = ingest::encoding::parse_label)]
    pub encoding: Option<&'static encoding_rs::Encoding>,
    /// Exit with 2 when any input is skipped (after writing the output).
    #[arg(long)]
    pub strict: bool,
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
    pub fn run(&self, paths: &[OsString], config: &ScanConfig) -> Result<Scan> {
        let pool = self.pool()?;
        let progress = progress();
        progress.set_message("reading inputs");
        let ingested = self.read(paths, &pool).inspect_err(|_| progress.finish_and_clear())?;
        progress.set_message(format!("scanning {} documents", ingested.documents.len()));
        let report = |stage: &str| progress.set_message(format!("scanning: {stage} done"));
        let mut scan = pool.install(|| Scanner::new(config.clone()).scan_with_progress(ingested.documents, &report));
        progress.finish_and_clear();
        scan.skipped = ingested.skipped;
        scan.ignored = ingested.ignored;
        Ok(scan)
    }

    /// The worker pool `--threads` asks for.
    pub fn pool(&self) -> Result<rayon::ThreadPool> {
        let mut pool = rayon::ThreadPoolBuilder::new();
        if let Some(n) = self.threads {
            pool = pool.num_threads(n);
        }
        pool.build().context("starting worker threads")
    }

    /// Reads the inputs (`-` or no path at all is standard input). A run
    /// with nothing to scan is an error that lists why.
    pub fn read(&self, paths: &[OsString], pool: &rayon::ThreadPool) -> Result<ingest::Ingested> {
        let inputs: Vec<Input> =
            if paths.is_empty() { vec![Input::Stdin] } else { paths.iter().map(Input::parse).collect() };
        let options = IngestOptions {
            max_file_bytes: self.max_file_size,
            max_document_bytes: self.max_document_size,
            encoding: self.encoding,
        };
        let ingested = pool.install(|| ingest::ingest(&inputs, &options, io::stdin().lock()))?;
        if ingested.documents.is_empty() {
            report_skipped(&ingested.skipped, ingested.ignored, true);
            anyhow::bail!(
                "nothing to scan: no input held a document ({} skipped, {} left out by ignore rules)",
                ingested.skipped.len(),
                ingested.ignored
            );
        }
        Ok(ingested)
    }

    /// After the output is written: the exit code `--strict` asks for.
    pub fn outcome(&self, skipped: usize) -> Result<i32> {
        if self.strict && skipped > 0 {
            anyhow::bail!("{skipped} input(s) skipped, and --strict is set");
        }
        Ok(0)
    }
}

/// `--threads`: a whole number from 1 to [`MAX_THREADS`].
fn parse_threads(arg: &str) -> Result<usize, String> {
    let n: i64 = arg.trim().parse().map_err(|_| format!("not a whole number: {arg:?}"))?;
    if !(1..=MAX_THREADS as i64).contains(&n) {
        return Err(format!("must be from 1 to {MAX_THREADS}, got {n}"));
    }
    Ok(n as usize)
}

/// A size in bytes: a whole number with an optional unit, `B`, `KB`, `MB`,
/// `GB`, `TB` (powers of 1000) or `KiB`, `MiB`, `GiB`, `TiB` (powers of
/// 1024), case-insensitive, space allowed: `64MiB`, `1.5 GB`, `4096`.
pub fn parse_size(arg: &str) -> Result<u64, String> {
    let s = arg.trim();
    let split = s.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(s.len());
    let (number, unit) = (&s[..split], s[split..].trim());
    let value: f64 = number.parse().map_err(|_| format!("not a size: {arg:?} (write it as 64MiB, 500KB or 4096)"))?;
    let scale: f64 = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kb" => 1e3,
        "m" | "mb" => 1e6,
        "g" | "gb" => 1e9,
        "t" | "tb" => 1e12,
        "kib" => 1024.0,
        "mib" => 1024.0 * 1024.0,
        "gib" => 1024.0 * 1024.0 * 1024.0,
        "tib" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        _ => return Err(format!("unknown unit {unit:?} in {arg:?} (use B, KB, MB, GB, TB, KiB, MiB, GiB or TiB)")),
    };
    let bytes = (value * scale).round();
    if !(1.0..=u64::MAX as f64).contains(&bytes) {
        return Err(format!("size out of range: {arg:?}"));
    }
    Ok(bytes as u64)
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

/// Reports skipped inputs on stderr (one line each when `each`, with
/// control characters escaped), then how many were skipped and how many
/// files the ignore rules left out.
pub fn report_skipped(skipped: &[Skipped], ignored: usize, each: bool) {
    let mut err = io::stderr().lock();
    if each {
        for s in skipped {
            let _ = writeln!(err, "copydesk: skipped {}", escape_controls(&s.to_string()));
        }
    }
    if !skipped.is_empty() {
        let _ = writeln!(err, "copydesk: {} input(s) skipped", skipped.len());
    }
    if ignored > 0 {
        let _ = writeln!(
            err,
            "copydesk: {ignored} file(s) left out: hidden, or named in .copydeskignore or a repository's .gitignore"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_with_units() {
        assert_eq!(parse_size("64MiB"), Ok(64 << 20));
        assert_eq!(parse_size("1.5 kb"), Ok(1500));
        assert_eq!(parse_size("4096"), Ok(4096));
        assert_eq!(parse_size("2G"), Ok(2_000_000_000));
        assert!(parse_size("-1MiB").is_err());
        assert!(parse_size("0").is_err());
        assert!(parse_size("12 parsecs").unwrap_err().contains("unknown unit"));
        assert!(parse_size("MiB").is_err());
    }

    #[test]
    fn threads_within_bounds() {
        assert_eq!(parse_threads("1"), Ok(1));
        assert_eq!(parse_threads("256"), Ok(256));
        assert!(parse_threads("0").is_err());
        assert!(parse_threads("100000").unwrap_err().contains("from 1 to 256"));
        assert!(parse_threads("-3").is_err());
    }
}
