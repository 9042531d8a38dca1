//! `make bench-edges`: each hostile input of `copydesk::synth::hostile`
//! against normal news of the same size, read and scanned as `copydesk scan`
//! reads and scans a file, on one thread. Prints MB per CPU-second for both
//! and the ratio (hostile / normal); the bar is at least 1/3 for every case.
//!
//! cargo run --release --example edges -- [MEGABYTES] [ROUNDS] [CASE...]

use copydesk::ingest::{self, IngestOptions, Input};
use copydesk::synth::hostile::{self, Hostile};
use copydesk::{ScanConfig, Scanner};

copydesk::use_jemalloc!();

/// Reads and scans one file; returns CPU seconds and the document count.
fn scan_file(path: &std::path::Path) -> (f64, usize) {
    let start = copydesk::process::cpu_seconds();
    let ingested = ingest::ingest(&[Input::Path(path.to_path_buf())], &IngestOptions::default(), std::io::empty())
        .expect("the file exists");
    let docs = ingested.documents.len();
    let scan = Scanner::new(ScanConfig::default()).scan(ingested.documents);
    drop(scan);
    (copydesk::process::cpu_seconds() - start, docs)
}

fn main() -> anyhow::Result<()> {
    copydesk::process::disable_transparent_huge_pages();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mb: usize = args.first().map_or(Ok(20), |a| a.parse())?;
    let rounds: usize = args.get(1).map_or(Ok(3), |a| a.parse())?;
    let only: Vec<&str> = args.iter().skip(2).map(String::as_str).collect();
    rayon::ThreadPoolBuilder::new().num_threads(1).build_global()?;
    let dir = tempfile::tempdir()?;
    let size = mb * 1_000_000;
    let normal = dir.path().join("normal.txt");
    std::fs::write(&normal, hostile::news(size))?;
    println!("{:<22} {:>8} {:>12} {:>12} {:>8}", "case", "MB", "MB/CPU-s", "normal", "ratio");
    let mut worst = f64::INFINITY;
    for case in Hostile::ALL.into_iter().filter(|c| only.is_empty() || only.contains(&c.name())) {
        let path = dir.path().join(format!("{}.{}", case.name(), case.extension()));
        let text = case.generate(size);
        let case_mb = text.len() as f64 / 1e6;
        std::fs::write(&path, &text)?;
        drop(text);
        let mut ratios = Vec::new();
        let (mut best, mut best_normal) = (0.0f64, 0.0f64);
        for _ in 0..rounds {
            let (t_case, docs) = scan_file(&path);
            anyhow::ensure!(docs == 1, "{}: read as {docs} documents", case.name());
            let (t_normal, _) = scan_file(&normal);
            let (speed, normal_speed) = (case_mb / t_case.max(0.01), size as f64 / 1e6 / t_normal.max(0.01));
            best = best.max(speed);
            best_normal = best_normal.max(normal_speed);
            ratios.push(speed / normal_speed);
        }
        ratios.sort_by(f64::total_cmp);
        let median = ratios[ratios.len() / 2];
        worst = worst.min(median);
        println!(
            "{:<22} {:>8.1} {:>12.1} {:>12.1} {:>8.2} ({:.2}-{:.2})",
            case.name(),
            case_mb,
            best,
            best_normal,
            median,
            ratios[0],
            ratios[ratios.len() - 1]
        );
        std::fs::remove_file(&path)?;
    }
    println!("slowest case: {worst:.2} of normal news's speed (bar: 0.33)");
    Ok(())
}
