//! `copydesk scan PATH...`: the scan as text, JSON or JSON Lines.

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use std::io::{self, IsTerminal};

use super::settings::{report_skipped, ScanSettings};
use crate::output::json::{JsonLinesSink, JsonSink};
use crate::output::text::TextSink;
use crate::output::{emit, ScanSink};

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
    pub paths: Vec<std::ffi::OsString>,
    #[command(flatten)]
    pub settings: ScanSettings,
    /// Output format (default: text on a terminal, json otherwise).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
}

/// Runs `scan`; returns the exit code.
pub fn run(args: ScanArgs) -> Result<i32> {
    let config = args.settings.config()?;
    let scan = args.settings.run(&args.paths, &config)?;
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
    report_skipped(&scan.skipped, scan.ignored, format != Format::Text);
    let code = args.settings.outcome(scan.skipped.len());
    // The process ends with this command: the system takes its memory back
    // at once, where freeing the scan's allocations one by one would cost
    // a few percent of the run.
    std::mem::forget(scan);
    code
}
