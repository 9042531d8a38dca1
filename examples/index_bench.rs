//! `make bench-index`: archives synthetic news in batches through the feed
//! index, as a feed's cron job would, and prints for each batch its time
//! to answers (wall and CPU) and each step's, the time of the segment
//! merges after it (as `copydesk dedup` runs them once its output is out),
//! what it decided, how many archived articles it compared,
//! the index's size on disk and the process's memory; then the bytes per
//! article of each table.
//!
//! cargo run --release --example index_bench -- [ARTICLES] [BATCH] [--no-texts]
//!
//! Articles are generated as they are archived (a planted copy's source is
//! one of the 20,000 articles before it, so copies cross batches), so the
//! bench's own memory does not grow with the archive.

use copydesk::index::{self, DedupOptions, Index, IndexOptions};
use copydesk::synth::{Stream, SynthOptions};
use copydesk::ScanConfig;
use std::path::Path;
use std::time::Instant;

copydesk::use_jemalloc!();

/// A field of /proc/self/status, in MiB.
fn status_mib(field: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib: f64 = status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    kib / 1024.0
}

/// The bytes of the files under `dir`: their lengths, or with `allocated`
/// the blocks the file system gave them (what `du` counts: the database
/// file grows by doubling, and the part not yet written is a hole).
fn dir_bytes(dir: &Path, allocated: bool) -> u64 {
    use std::os::unix::fs::MetadataExt;
    let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
    entries
        .flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => dir_bytes(&e.path(), allocated),
            Ok(m) if allocated => m.blocks() * 512,
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

fn main() -> anyhow::Result<()> {
    copydesk::process::disable_transparent_huge_pages();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let texts = !args.iter().any(|a| a == "--no-texts");
    let numbers: Vec<usize> = args.iter().filter_map(|a| a.parse().ok()).collect();
    let articles = numbers.first().copied().unwrap_or(100_000);
    let batch = numbers.get(1).copied().unwrap_or(10_000);
    let mut stream = Stream::new(&SynthOptions { articles, ..SynthOptions::default() }, Some(20_000));
    let dir = tempfile::tempdir()?;
    let config = ScanConfig::default();
    let mut index = Index::open_or_create_with(dir.path(), &config, IndexOptions { texts })?;
    println!("{articles} synthetic articles in batches of {batch}, texts {}", if texts { "kept" } else { "not kept" });
    println!(
        "{:>9} {:>7} {:>7} {:>7} {:>6} {:>6} {:>8} {:>9} {:>9} {:>9} {:>9}",
        "archived",
        "wall s",
        "CPU s",
        "merge s",
        "kept",
        "held",
        "vs arch",
        "compared",
        "disk MB",
        "anon MiB",
        "peak MiB"
    );
    let (mut archived, mut peak_anon) = (0usize, 0f64);
    while archived < articles {
        let docs: Vec<_> = stream.by_ref().take(batch.min(articles - archived)).collect();
        let (t, cpu) = (Instant::now(), copydesk::process::cpu_seconds());
        let options = DedupOptions { defer_merges: true, ..DedupOptions::default() };
        let result = index::dedup(&index, &docs, &config, options)?;
        let (wall, cpu) = (t.elapsed().as_secs_f64(), copydesk::process::cpu_seconds() - cpu);
        let merge = Instant::now();
        index.merge_segments(false)?;
        let merge = merge.elapsed().as_secs_f64();
        let anon = status_mib("RssAnon:");
        peak_anon = peak_anon.max(anon);
        println!(
            "{archived:>9} {wall:>7.2} {cpu:>7.2} {merge:>7.2} {:>6} {:>6} {:>8} {:>9} {:>9.1} {anon:>9.0} {:>9.0}",
            result.counts.kept,
            result.counts.held,
            result.counts.held_against_archive,
            result.counts.archived_candidates,
            dir_bytes(dir.path(), true) as f64 / 1e6,
            status_mib("VmHWM:"),
        );
        let steps: Vec<String> = result.steps.iter().map(|(s, t)| format!("{s} {t:.2}")).collect();
        println!("          steps: {}", steps.join(", "));
        archived += docs.len();
    }
    let (bytes, length) = (dir_bytes(dir.path(), true), dir_bytes(dir.path(), false));
    println!(
        "index {:.1} MB on disk for {archived} articles: {:.0} bytes per article (file lengths {:.0} per article); planted copies {}",
        bytes as f64 / 1e6,
        bytes as f64 / archived as f64,
        length as f64 / archived as f64,
        stream.planted.len()
    );
    println!("{:<15} {:>12} {:>14} {:>14} {:>16}", "table", "rows", "bytes", "bytes/article", "of which unused");
    let (mut besides_texts, mut unused) = (0, 0);
    let per = |b: u64| b as f64 / archived as f64;
    for t in index.table_stats()? {
        if t.name != "texts" {
            besides_texts += t.bytes;
            unused += t.fragmented;
        }
        println!("{:<15} {:>12} {:>14} {:>14.1} {:>16.1}", t.name, t.rows, t.bytes, per(t.bytes), per(t.fragmented));
    }
    println!(
        "state besides the texts: {:.0} bytes per article, {:.0} of them unused space in pages (free pages left out)",
        per(besides_texts),
        per(unused)
    );
    println!("peak memory {:.0} MiB (peak anonymous {peak_anon:.0} MiB)", status_mib("VmHWM:"));
    let t = Instant::now();
    index.compact()?;
    let compacted = dir_bytes(dir.path(), true);
    println!(
        "after `index compact` ({:.1} s): {:.1} MB on disk, {:.0} bytes per article",
        t.elapsed().as_secs_f64(),
        compacted as f64 / 1e6,
        compacted as f64 / archived as f64
    );
    Ok(())
}
