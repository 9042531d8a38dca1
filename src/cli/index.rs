//! `copydesk index stats|export|verify|compact|remove DIR`: looking after a feed
//! index.

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

use crate::index::Index;

#[derive(Debug, Args)]
pub struct IndexArgs {
    #[command(subcommand)]
    pub action: Action,
}

#[derive(Debug, Subcommand)]
pub enum Action {
    /// Rows per table and the file's size.
    Stats { dir: PathBuf },
    /// Every cluster as a JSON line: id, canonical, members, replaced canonicals.
    Export { dir: PathBuf },
    /// Check every page's checksum and that the tables agree; exit 1 on a problem.
    Verify { dir: PathBuf },
    /// Merge the posting segments and rewrite the database without its free pages.
    Compact { dir: PathBuf },
    /// Remove articles by id (takedowns); a cluster that loses its canonical
    /// gets a new one, reported as a JSON line per id.
    Remove {
        dir: PathBuf,
        #[arg(required = true)]
        ids: Vec<String>,
    },
}

/// Runs `index`; returns the exit code.
pub fn run(args: IndexArgs) -> Result<i32> {
    match args.action {
        Action::Stats { dir } => stats(&dir),
        Action::Export { dir } => export(&dir),
        Action::Verify { dir } => verify(&dir),
        Action::Remove { dir, ids } => {
            let index = Index::open_existing(&dir)?;
            let removals = index.remove(&ids)?;
            let mut out = io::stdout().lock();
            for r in &removals {
                writeln!(out, "{}", serde_json::to_string(r)?)?;
            }
            let missing = removals.iter().filter(|r| !r.found).count();
            eprintln!("copydesk index: {} removed, {missing} not in the index", removals.len() - missing);
            Ok(0)
        }
        Action::Compact { dir } => {
            let mut index = Index::open_existing(&dir)?;
            let before = file_bytes(&index);
            index.compact()?;
            eprintln!("copydesk index: {} -> {} bytes", before, file_bytes(&index));
            Ok(0)
        }
    }
}

fn file_bytes(index: &Index) -> u64 {
    std::fs::metadata(index.path()).map_or(0, |m| m.len())
}

fn stats(dir: &std::path::Path) -> Result<i32> {
    let index = Index::open_existing(dir)?;
    let mut out = io::stdout().lock();
    writeln!(out, "{}: {} bytes", index.path().display(), file_bytes(&index))?;
    let tables = index.table_stats()?;
    let articles = tables.iter().find(|t| t.name == "articles").map_or(0, |t| t.rows).max(1);
    writeln!(out, "{:<15} {:>12} {:>14} {:>16}", "table", "rows", "bytes", "bytes/article")?;
    for t in &tables {
        writeln!(out, "{:<15} {:>12} {:>14} {:>16.1}", t.name, t.rows, t.bytes, t.bytes as f64 / articles as f64)?;
    }
    Ok(0)
}

fn export(dir: &std::path::Path) -> Result<i32> {
    let index = Index::open_existing(dir)?;
    let mut out = BufWriter::new(io::stdout().lock());
    for cluster in index.clusters()? {
        writeln!(out, "{}", serde_json::to_string(&cluster)?).context("writing clusters")?;
    }
    out.flush().context("writing clusters")?;
    Ok(0)
}

fn verify(dir: &std::path::Path) -> Result<i32> {
    let mut index = Index::open_existing(dir)?;
    let problems = index.verify()?;
    for p in &problems {
        eprintln!("copydesk index verify: {p}");
    }
    if problems.is_empty() {
        eprintln!("copydesk index verify: {}: every check passed", index.path().display());
        Ok(0)
    } else {
        eprintln!("copydesk index verify: {} problem(s)", problems.len());
        Ok(1)
    }
}
