//! `make bench-index`: archives synthetic news in batches through the feed
//! index, as a feed's cron job would, and prints for each batch its time
//! (wall and CPU), how many archived articles it compared, and the index's
//! size; then bytes per article and the rows of each table, and the peak
//! memory of the process.
//!
//! cargo run --release --example index_bench -- [ARTICLES] [BATCH]

use copydesk::index::{self, DedupOptions, Index};
use copydesk::synth::{Corpus, SynthOptions};
use copydesk::ScanConfig;
use std::time::Instant;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib: f64 = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    kib / 1024.0
}

fn main() -> anyhow::Result<()> {
    copydesk::process::disable_transparent_huge_pages();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let articles: usize = args.first().map_or(Ok(100_000), |a| a.parse())?;
    let batch: usize = args.get(1).map_or(Ok(10_000), |a| a.parse())?;
    let corpus = Corpus::generate(&SynthOptions { articles, ..SynthOptions::default() });
    let dir = tempfile::tempdir()?;
    let config = ScanConfig::default();
    let index = Index::open_or_create(dir.path(), &config)?;
    println!(
        "{:>10} {:>8} {:>8} {:>8} {:>8} {:>10} {:>12}",
        "archived", "wall s", "CPU s", "kept", "held", "compared", "index MB"
    );
    for docs in corpus.documents.chunks(batch) {
        let (t, cpu) = (Instant::now(), copydesk::process::cpu_seconds());
        let result = index::dedup(&index, docs, &config, DedupOptions::default())?;
        let (wall, cpu) = (t.elapsed().as_secs_f64(), copydesk::process::cpu_seconds() - cpu);
        let bytes = std::fs::metadata(index.path())?.len();
        let archived = index.table_rows()?.iter().find(|(t, _)| *t == "articles").map_or(0, |r| r.1);
        println!(
            "{archived:>10} {wall:>8.2} {cpu:>8.2} {:>8} {:>8} {:>10} {:>12.1}",
            result.counts.kept,
            result.counts.held,
            result.counts.archived_candidates,
            bytes as f64 / 1e6
        );
    }
    let bytes = std::fs::metadata(index.path())?.len();
    let text_bytes: usize = corpus.documents.iter().map(|d| d.text.len()).sum();
    println!(
        "index {:.1} MB for {} articles: {:.0} bytes per article (their texts: {:.0} bytes per article uncompressed)",
        bytes as f64 / 1e6,
        articles,
        bytes as f64 / articles as f64,
        text_bytes as f64 / articles as f64
    );
    for (table, rows) in index.table_rows()? {
        println!("  {table:<14} {rows:>12} rows");
    }
    println!("peak memory {:.0} MiB", peak_rss_mib());
    Ok(())
}
