//! `copydesk report PATH... -o report.html`: a report for editors.

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use super::settings::{report_skipped, ScanSettings};
use crate::report;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// One self-contained HTML file.
    Html,
    /// Markdown, for a ticket or a chat.
    Markdown,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Files, directories (walked recursively) or `-` for JSON Lines on stdin.
    #[arg(required = true)]
    pub paths: Vec<std::ffi::OsString>,
    #[command(flatten)]
    pub settings: ScanSettings,
    /// Where to write the report (`-` for standard output).
    #[arg(short, long, default_value = "-")]
    pub output: PathBuf,
    /// Report format (default: from the output's extension, else HTML).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
}

/// Runs `report`; returns the exit code.
pub fn run(args: ReportArgs) -> Result<i32> {
    let config = args.settings.config()?;
    let to_stdout = args.output.as_os_str() == "-";
    if to_stdout && args.format != Some(Format::Markdown) && std::io::stdout().is_terminal() {
        anyhow::bail!("refusing to write an HTML report to a terminal: name a file with -o report.html, or pipe it");
    }
    let scan = args.settings.run(&args.paths, &config)?;
    let by_extension = match args.output.extension().and_then(|e| e.to_str()) {
        Some("md" | "markdown") => Format::Markdown,
        _ => Format::Html,
    };
    let format = match args.format.unwrap_or(by_extension) {
        Format::Html => report::Format::Html,
        Format::Markdown => report::Format::Markdown,
    };
    let text = report::render(&scan, format).context("rendering the report")?;
    if to_stdout {
        std::io::stdout().lock().write_all(text.as_bytes()).context("writing the report")?;
    } else {
        std::fs::write(&args.output, text).with_context(|| format!("writing {}", args.output.display()))?;
    }
    report_skipped(&scan.skipped, scan.ignored, true);
    args.settings.outcome(scan.skipped.len())
}
