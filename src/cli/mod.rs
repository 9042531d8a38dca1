//! The command line: arguments in, an exit code out. Each subcommand lives in
//! a file of its own; everything they compute comes from the library.
//!
//! Exit codes: 0 = ran and (for checks) found nothing, 1 = findings,
//! 2 = error (bad arguments, unreadable input, failed output).

pub mod check;
pub mod dedup;
pub mod index;
pub mod report;
pub mod scan;
pub mod settings;

use clap::{Parser, Subcommand};
use std::ffi::OsString;

#[derive(Debug, Parser)]
#[command(name = "copydesk", version, about = "Find near-duplicate news articles and syndication")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan files, directories, JSON Lines or `-` (JSON Lines on stdin) for
    /// duplicated stories and in-document repeats.
    Scan(scan::ScanArgs),
    /// Write a report for editors: one self-contained HTML file, or Markdown.
    Report(report::ReportArgs),
    /// Deduplicate one batch of a feed against an index that remembers
    /// every earlier batch: kept records to stdout, held-back ones apart.
    Dedup(dedup::DedupArgs),
    /// Look after a feed index: stats, export, verify, compact.
    Index(index::IndexArgs),
    /// Check a corpus directory for copies, for CI: exit 1 on new findings.
    Check(check::CheckArgs),
}

/// Runs the CLI with `args` and returns the process exit code.
pub fn run<I, T>(args: I) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    let result = match cli.command {
        Command::Scan(args) => scan::run(args),
        Command::Report(args) => report::run(args),
        Command::Dedup(args) => dedup::run(args),
        Command::Index(args) => index::run(args),
        Command::Check(args) => check::run(args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("copydesk: error: {e:#}");
            2
        }
    }
}
