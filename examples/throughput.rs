//! `make bench`: generates a synthetic corpus (or reads a JSON Lines file)
//! and measures copydesk on it, printing MB/s per core for
//! shingling+MinHash and for the whole scan, the time of each scan stage,
//! peak memory per article, and recall of the planted copies.
//!
//! cargo run --release --example throughput -- [ARTICLES | FILE.jsonl] [--write FILE] [--document-level]
//!
//! `--document-level` stops after the document-level scan (for profiling it).

use copydesk::analysis::shingle::Shingles;
use copydesk::analysis::signature::Signature;
use copydesk::ingest::{self, IngestOptions, Input};
use copydesk::synth::{Corpus, SynthOptions};
use copydesk::{Document, ScanConfig, Scanner};
use rayon::prelude::*;
use std::time::Instant;

copydesk::use_jemalloc!();

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Resets the process's peak resident memory to what it holds now (Linux);
/// false where that cannot be done.
fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// Runs `f`, printing MB/s per core by wall time and per CPU-second.
fn timed<T>(label: &str, mb: f64, threads: usize, f: impl FnOnce() -> T) -> (T, f64) {
    let (t, cpu) = (Instant::now(), copydesk::process::cpu_seconds());
    let out = f();
    let (secs, cpu) = (t.elapsed().as_secs_f64(), copydesk::process::cpu_seconds() - cpu);
    println!(
        "{label:<38} {:>5.0} MB/s per core ({:.3} s wall); {:>5.0} MB per CPU-second ({:.2} CPU-s)",
        mb / secs / threads as f64,
        secs,
        mb / cpu.max(0.01),
        cpu
    );
    (out, secs)
}

/// What a finished scan holds, per article, by structure (vector
/// capacities; the peak during the candidate stages adds the indexes' keys,
/// dropped once built).
fn held(scan: &copydesk::Scan) {
    use std::mem::size_of;
    let n = scan.documents.len().max(1) as f64;
    let vec_bytes = |cap: usize, item: usize| (cap * item) as f64;
    let texts: f64 = scan.documents.iter().map(|d| d.text.capacity() as f64).sum();
    let documents: f64 =
        scan.documents.iter().map(|d| d.id.capacity() as f64).sum::<f64>() + n * size_of::<copydesk::Document>() as f64;
    let sentences: f64 = scan.analyses.iter().map(|a| a.sentences.heap_bytes() as f64).sum();
    let paragraphs: f64 = scan
        .analyses
        .iter()
        .map(|a| vec_bytes(a.paragraphs.capacity(), size_of::<copydesk::corpus::boilerplate::ShortParagraph>()))
        .sum();
    let analyses = n * size_of::<copydesk::scan::Analysis>() as f64;
    let pairs: f64 = vec_bytes(scan.pairs.capacity(), size_of::<copydesk::scan::Pair>())
        + scan
            .pairs
            .iter()
            .map(|p| vec_bytes(p.passages.capacity(), size_of::<copydesk::scan::Passage>()))
            .sum::<f64>();
    let kib = |b: f64| b / n / 1024.0;
    println!(
        "held after the scan, per article: texts {:.2} KiB (not counted against the bar); sentences and their content \
         words {:.2} KiB; short paragraphs {:.2} KiB; analysis records {:.2} KiB; pairs and passages {:.2} KiB; \
         document records {:.2} KiB",
        kib(texts),
        kib(sentences),
        kib(paragraphs),
        kib(analyses),
        kib(pairs),
        kib(documents)
    );
}

fn main() -> anyhow::Result<()> {
    // As the `copydesk` binary does (src/main.rs).
    copydesk::process::disable_transparent_huge_pages();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let what = args.first().cloned().unwrap_or_else(|| "200000".into());
    let write = args.iter().position(|a| a == "--write").and_then(|i| args.get(i + 1)).cloned();
    let threads = rayon::current_num_threads();
    let (docs, planted): (Vec<Document>, Vec<_>) = match what.parse::<usize>() {
        Ok(n) => {
            let t = Instant::now();
            let corpus = Corpus::generate(&SynthOptions { articles: n, ..SynthOptions::default() });
            eprintln!("generated {n} articles in {:.1?}", t.elapsed());
            if let Some(path) = &write {
                std::fs::write(path, corpus.to_jsonl())?;
                eprintln!("wrote {path}");
            }
            (corpus.documents, corpus.planted)
        }
        Err(_) => {
            let got = ingest::ingest(&[Input::parse(&what)], &IngestOptions::default(), std::io::empty())?;
            (got.documents, Vec::new())
        }
    };
    let bytes: usize = docs.iter().map(|d| d.text.len()).sum();
    let mb = bytes as f64 / 1e6;
    println!("corpus: {} articles, {:.1} MB, {} threads", docs.len(), mb, threads);

    let (signed, _) = timed("shingling+MinHash:", mb, threads, || {
        docs.par_iter()
            .map(|d| {
                let (s, _, _) = Shingles::from_text(&d.text, 5, 4);
                Signature::new(&s.hashes, 128).map_or(0, |s| s.len())
            })
            .sum::<usize>()
    });
    assert!(signed > 0);

    let doc_only = ScanConfig::new(copydesk::ScanOptions { rewrites: false, ..copydesk::ScanOptions::default() })?;
    let copy = docs.clone();
    let (plain, plain_secs) =
        timed("document-level scan (--no-rewrites):", mb, threads, || Scanner::new(doc_only).scan(copy));
    for (stage, d) in &plain.timings.0 {
        println!("  {stage:<16} {:>8.1} ms", d.as_secs_f64() * 1e3);
    }
    drop(plain);
    if args.iter().any(|a| a == "--document-level") {
        return Ok(());
    }

    // The peak so far is the generator's and the document-level scan's:
    // their freed pages go back to the system within the allocator's decay
    // time (a second), and then the peak is reset to what is held now, the
    // texts mostly, so that what is read after the scan is the scan's own.
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let reset = reset_peak_rss();
    let rss_before = peak_rss_kib().unwrap_or(0);
    // The peak so far after each stage: the stage that raises it is what
    // holds the peak (pages a stage freed but the allocator kept count too).
    let peaks = std::sync::Mutex::new(Vec::new());
    let record_peak = |_: &str| peaks.lock().expect("not poisoned").push(peak_rss_kib().unwrap_or(0));
    let (scan, scan_secs) = timed("whole scan:", mb, threads, || {
        Scanner::new(ScanConfig::default()).scan_with_progress(docs, &record_peak)
    });
    println!("rewrites, passages and provenance cost {:.2}x the document-level scan", scan_secs / plain_secs);
    let peaks = peaks.into_inner().expect("not poisoned");
    let per_article = |kib: u64| kib as f64 / scan.documents.len().max(1) as f64;
    let mut last = rss_before;
    for ((stage, d), &peak) in scan.timings.0.iter().zip(&peaks) {
        let raised = if peak > last {
            format!(", raised by {:.2} KiB per article", per_article(peak - last))
        } else {
            String::new()
        };
        println!(
            "  {stage:<16} {:>8.1} ms   peak so far {:.2} KiB per article{raised}",
            d.as_secs_f64() * 1e3,
            per_article(peak)
        );
        last = last.max(peak);
    }
    let peak = peak_rss_kib().unwrap_or(0);
    println!(
        "peak memory: {:.1} MiB ({:.2} KiB per article; {:.1} MiB before the scan{})",
        peak as f64 / 1024.0,
        per_article(peak),
        rss_before as f64 / 1024.0,
        if reset { "" } else { ", the generator's peak among it: the peak could not be reset" }
    );
    let texts = bytes as u64 / 1024;
    println!(
        "peak beyond the texts: {:.2} KiB per article (the bar is 8; texts {:.2} KiB per article)",
        per_article(peak.saturating_sub(texts)),
        per_article(texts)
    );
    held(&scan);
    println!("found: {} clusters, {} pairs", scan.clusters.len(), scan.pairs.len());
    if !planted.is_empty() {
        let linked: std::collections::HashSet<(u32, u32)> =
            scan.pairs.iter().filter(|p| p.relation.links()).map(|p| (p.a, p.b)).collect();
        let found = planted.iter().filter(|p| linked.contains(&(p.source as u32, p.copy as u32))).count();
        println!(
            "planted copies found: {found} of {} ({:.1}%)",
            planted.len(),
            100.0 * found as f64 / planted.len() as f64
        );
    }
    Ok(())
}
