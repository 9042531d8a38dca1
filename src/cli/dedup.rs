//! `copydesk dedup --index DIR [INPUT...]`: one batch of a feed against the
//! feed index. Kept records go to stdout as JSON Lines, held-back ones to
//! `--held FILE` (or to stdout too with `--all`), each the input record plus
//! a `copydesk` object; the counts go to stderr.

use anyhow::{Context, Result};
use clap::Args;
use serde_json::Value;
use std::ffi::OsString;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

use super::settings::{report_skipped, ScanSettings};
use crate::index::{self, dedup::input_record, Counts, DedupOptions, Index, IndexOptions};

#[derive(Debug, Args)]
pub struct DedupArgs {
    /// The index directory (created on first use).
    #[arg(long)]
    pub index: PathBuf,
    /// Files, directories, JSON Lines, feeds (RSS, Atom, JSON Feed), or `-`;
    /// standard input (JSON Lines) when none is given.
    pub paths: Vec<OsString>,
    /// Where held-back records go, as JSON Lines.
    #[arg(long, conflicts_with = "all")]
    pub held: Option<PathBuf>,
    /// Write held-back records to stdout too: every record, in input order.
    #[arg(long)]
    pub all: bool,
    /// Answer against the index without adding anything to it.
    #[arg(long)]
    pub dry_run: bool,
    /// Keep no texts in the index (fixed when it is created): new articles
    /// are judged against the archive from shared fingerprints alone, with
    /// no passages and no re-clustering of archived stories.
    #[arg(long)]
    pub no_texts: bool,
    #[command(flatten)]
    pub settings: ScanSettings,
}

/// Runs `dedup`; returns the exit code.
pub fn run(args: DedupArgs) -> Result<i32> {
    if args.held.is_none() && !args.all {
        anyhow::bail!(
            "say where held-back records go: --held FILE, or --all to write them to stdout with the kept ones"
        );
    }
    let config = args.settings.config()?;
    let index = Index::open_or_create_with(&args.index, &config, IndexOptions { texts: !args.no_texts })?;
    let pool = args.settings.pool()?;
    let ingested = args.settings.read(&args.paths, &pool)?;
    let options = DedupOptions { dry_run: args.dry_run, defer_merges: true };
    let batch = pool.install(|| index::dedup(&index, &ingested.documents, &config, options))?;
    let stdout = io::stdout();
    let mut kept_out = BufWriter::new(stdout.lock());
    let mut held_out = match &args.held {
        Some(path) => {
            Some(BufWriter::new(std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?))
        }
        None => None,
    };
    for (doc, decision) in ingested.documents.iter().zip(&batch.decisions) {
        let mut record = input_record(doc);
        record.insert("copydesk".into(), decision.verdict.clone());
        let line = Value::Object(record).to_string();
        let out: &mut dyn Write = match (&mut held_out, decision.held) {
            (Some(held), true) => held,
            _ => &mut kept_out,
        };
        writeln!(out, "{line}").context("writing records")?;
    }
    kept_out.flush().context("writing records")?;
    if let Some(mut held) = held_out {
        held.flush().context("writing held-back records")?;
    }
    report_skipped(&ingested.skipped, ingested.ignored, true);
    eprintln!("{}", summary(&batch.counts, args.dry_run));
    if !args.dry_run {
        // The batch is committed and its answers are out; merging posting
        // segments only tidies the index for the batches to come.
        pool.install(|| index.merge_segments(false))?;
    }
    args.settings.outcome(ingested.skipped.len())
}

fn summary(c: &Counts, dry_run: bool) -> String {
    format!(
        "copydesk dedup: {} articles: {} kept ({} replacing an earlier canonical), {} held back ({} against earlier runs, {} exact copies), {} decided by an earlier run; {} archived articles compared, {} moved to another story{}",
        c.articles,
        c.kept,
        c.canonical_changes,
        c.held,
        c.held_against_archive,
        c.exact_copies,
        c.replayed,
        c.archived_candidates,
        c.moved,
        if dry_run { "; dry run: the index is unchanged" } else { "" }
    )
}
