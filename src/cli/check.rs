//! `copydesk check [PATH...]`: fails a CI build (exit 1) when a corpus
//! holds new copies. Configuration from `copydesk.toml` (or `--config`),
//! findings compared with a baseline, written as text, JSON, SARIF, JUnit
//! XML or GitHub Actions annotations.

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use std::ffi::OsString;
use std::io::{self, Write};
use std::path::PathBuf;

use super::settings::ScanSettings;
use crate::check::baseline::Baseline;
use crate::check::cache::Cache;
use crate::check::config::CheckConfig;
use crate::check::finder::Finder;
use crate::check::{judge, Outcome};
use crate::output::findings as formats;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// `file:line:column: what`, for people.
    Text,
    /// One JSON object (`copydesk.check/1`).
    Json,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
    /// JUnit XML, for test-report dashboards.
    Junit,
    /// GitHub Actions annotations (the default under GitHub Actions).
    Github,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files or directories to check (default: the working directory).
    pub paths: Vec<OsString>,
    #[command(flatten)]
    pub settings: ScanSettings,
    /// The configuration file (default: copydesk.toml in the working
    /// directory or the nearest ancestor holding one).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Print the effective configuration, with where each value came
    /// from, and exit.
    #[arg(long)]
    pub show_config: bool,
    /// Output format (default: github under GitHub Actions, else text).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Write the findings to this file instead of stdout.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Fail only on findings that are not in this baseline.
    #[arg(long)]
    pub baseline: Option<PathBuf>,
    /// Record today's findings as a baseline in this file (and pass).
    #[arg(long)]
    pub write_baseline: Option<PathBuf>,
    /// Report findings but exit 0.
    #[arg(long)]
    pub exit_zero: bool,
    /// Count a file repeating its own passages as a finding.
    #[arg(long)]
    pub repeats: bool,
    /// Check only files matching this glob (repeatable; replaces the
    /// configuration's include).
    #[arg(long = "include", value_name = "GLOB")]
    pub include: Vec<String>,
    /// Leave out files matching this glob (repeatable; adds to the
    /// configuration's exclude).
    #[arg(long = "exclude", value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Where findings are cached between runs.
    #[arg(long, default_value = ".copydesk-cache")]
    pub cache_dir: PathBuf,
    /// Scan everything, neither reading nor writing the cache.
    #[arg(long)]
    pub no_cache: bool,
}

/// Runs `check`; returns the exit code.
pub fn run(args: CheckArgs) -> Result<i32> {
    let config = load_config(&args)?;
    if args.show_config {
        print!("{}", config.show());
        return Ok(0);
    }
    let baseline = args.baseline.as_deref().map(Baseline::read).transpose()?;
    let scan_config = args.settings.config()?;
    let pool = args.settings.pool()?;
    let paths = if args.paths.is_empty() { vec![OsString::from(".")] } else { args.paths.clone() };
    for p in &paths {
        if !std::path::Path::new(p).exists() && p != "-" {
            anyhow::bail!("{}: no such file or directory", PathBuf::from(p).display());
        }
    }
    let mut ingested = args.settings.read(&paths, &pool)?;
    let before = ingested.documents.len();
    ingested.documents.retain(|d| config.selects(&crate::check::finding::path_of(d, &config)));
    let excluded = before - ingested.documents.len();
    if ingested.documents.is_empty() {
        anyhow::bail!("nothing to check: the include and exclude globs left out all {before} document(s)");
    }
    let documents = ingested.documents.len();
    let scan_settings = serde_json::Value::Object(crate::output::records::settings(scan_config.options()));
    let settings = format!("{}\n{}\n{}", env!("CARGO_PKG_VERSION"), scan_settings, config.show());
    let cache = open_cache(&args);
    let finder = Finder { scan_config: &scan_config, config: &config, settings: &settings, cache: cache.as_ref() };
    let (mut findings, how, cache_error) = pool.install(|| finder.find(ingested.documents));
    if let Some(e) = cache_error {
        eprintln!("copydesk: warning: the cache was not updated: {e}");
    }
    let gone = judge(&mut findings, &config, baseline.as_ref());
    let outcome =
        Outcome { findings, gone, documents, skipped: ingested.skipped, ignored: ingested.ignored, excluded, how };
    if let Some(path) = &args.write_baseline {
        let baseline = Baseline::of(&outcome.findings);
        std::fs::write(path, baseline.to_json()).with_context(|| format!("writing {}", path.display()))?;
        eprintln!("copydesk: wrote {} finding(s) to the baseline {}", baseline.findings.len(), path.display());
    }
    write_outcome(&args, &outcome)?;
    args.settings.outcome(outcome.skipped.len())?;
    let failed = outcome.failing() > 0 && !args.exit_zero && args.write_baseline.is_none();
    Ok(if failed { 1 } else { 0 })
}

/// `--config`, else the nearest `copydesk.toml`, else the defaults; then
/// the flags over it.
fn load_config(args: &CheckArgs) -> Result<CheckConfig> {
    let path = match &args.config {
        Some(path) => Some(path.clone()),
        None => CheckConfig::find(&std::env::current_dir().context("reading the working directory")?),
    };
    let config = match path {
        Some(path) => CheckConfig::read(&path)?,
        None => CheckConfig::default(),
    };
    Ok(config.with_flags(&args.include, &args.exclude, args.repeats)?)
}

/// The cache, unless `--no-cache`; a cache that cannot be opened is
/// reported and done without.
fn open_cache(args: &CheckArgs) -> Option<Cache> {
    if args.no_cache {
        return None;
    }
    match Cache::open(&args.cache_dir) {
        Ok(cache) => Some(cache),
        Err(e) => {
            eprintln!("copydesk: warning: checking without the cache: {e}");
            None
        }
    }
}

fn write_outcome(args: &CheckArgs, outcome: &Outcome) -> Result<()> {
    let under_actions = std::env::var_os("GITHUB_ACTIONS").is_some_and(|v| v == "true");
    let format = args.format.unwrap_or(if under_actions { Format::Github } else { Format::Text });
    let mut bytes: Vec<u8> = Vec::new();
    match format {
        Format::Text => formats::text::write(outcome, &mut bytes)?,
        Format::Github => {
            formats::github::write(outcome, &mut bytes)?;
            // The annotations go to the log; the summary to people.
            formats::text::write(outcome, &mut io::stderr().lock())?;
        }
        Format::Json => {
            serde_json::to_writer_pretty(&mut bytes, &formats::to_json(outcome))?;
            bytes.push(b'\n');
        }
        Format::Sarif => {
            serde_json::to_writer_pretty(&mut bytes, &formats::sarif::to_sarif(outcome))?;
            bytes.push(b'\n');
        }
        Format::Junit => bytes.extend(formats::junit::to_xml(outcome)?.into_bytes()),
    }
    match &args.output {
        Some(path) => std::fs::write(path, &bytes).with_context(|| format!("writing {}", path.display())),
        None => match io::stdout().lock().write_all(&bytes) {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
            other => other.context("writing output"),
        },
    }
}
