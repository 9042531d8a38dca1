//! `copydesk scan PATH...`

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use std::io::{self, IsTerminal, Write};

use crate::ingest::{self, IngestOptions, Input};
use crate::output::json::{JsonLinesSink, JsonSink};
use crate::output::text::TextSink;
use crate::output::{emit, ScanSink};
use crate::{ScanConfig, ScanOptions, Scanner};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A readable summary.
    Text,
    /// One JSON object (schema in docs/output.md).
    Json,
    /// One JSON record per line, for streaming.
    Jsonl,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
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
    /// Output format (default: text on a terminal, json otherwise).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Document-level only: skip the sentence index that finds rewrites.
    #[arg(long)]
    pub no_rewrites: bool,
    /// Skip input files larger than this many bytes.
    #[arg(long, default_value_t = ingest::DEFAULT_MAX_BYTES)]
    pub max_file_size: u64,
}

impl ScanArgs {
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
}

/// Runs `scan`; returns the exit code.
pub fn run(args: ScanArgs) -> Result<i32> {
    let config = args.config()?;
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(n) = args.threads {
        anyhow::ensure!(n >= 1, "--threads must be at least 1");
        pool = pool.num_threads(n);
    }
    let pool = pool.build().context("starting worker threads")?;
    let inputs: Vec<Input> = args.paths.iter().map(|p| Input::parse(p)).collect();
    let ingested = ingest::ingest(&inputs, &IngestOptions { max_bytes: args.max_file_size }, io::stdin().lock())?;
    let mut scan = pool.install(|| Scanner::new(config.clone()).scan(ingested.documents));
    scan.skipped = ingested.skipped;

    let stdout = io::stdout();
    let format = args.format.unwrap_or(if stdout.is_terminal() { Format::Text } else { Format::Json });
    let out = io::BufWriter::new(stdout.lock());
    let mut sink: Box<dyn ScanSink> = match format {
        Format::Text => Box::new(TextSink::new(out)),
        Format::Json => Box::new(JsonSink::new(out, config)),
        Format::Jsonl => Box::new(JsonLinesSink::new(out, config)),
    };
    if let Err(e) = emit(&scan, sink.as_mut()) {
        if e.kind() == io::ErrorKind::BrokenPipe {
            return Ok(0);
        }
        return Err(e).context("writing output");
    }
    if !scan.skipped.is_empty() && format != Format::Text {
        let mut err = io::stderr().lock();
        for s in &scan.skipped {
            let _ = writeln!(err, "copydesk: skipped {s}");
        }
    }
    if !scan.skipped.is_empty() {
        let _ = writeln!(io::stderr(), "copydesk: {} input(s) skipped", scan.skipped.len());
    }
    Ok(0)
}
