//! `make bench-check`: `copydesk check` over a directory of synthetic news
//! files (planted copies among them), three times: with no cache, again
//! with nothing changed, and after ten files changed. Prints each run's
//! wall and CPU seconds (the child process's, from getrusage).
//!
//! cargo run --release --example check_bench -- [FILES]

use copydesk::synth::{Stream, SynthOptions};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// CPU seconds (user + system) of the children waited for so far.
fn children_cpu() -> f64 {
    // SAFETY: getrusage writes into the struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    secs(usage.ru_utime) + secs(usage.ru_stime)
}

fn binary() -> PathBuf {
    let exe = std::env::current_exe().expect("the bench's path");
    exe.parent().and_then(Path::parent).expect("target/release").join("copydesk")
}

/// Runs `copydesk check` in `dir`; returns (wall, CPU, findings, how).
fn check(dir: &Path) -> (f64, f64, usize, String) {
    let (t, cpu) = (Instant::now(), children_cpu());
    let out = Command::new(binary())
        .current_dir(dir)
        .args(["check", "corpus", "--format", "json", "--exit-zero"])
        .output()
        .expect("copydesk runs (cargo build --release first)");
    let (wall, cpu) = (t.elapsed().as_secs_f64(), children_cpu() - cpu);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let how = &json["scanned"];
    let how = match how["how"].as_str() {
        Some("incremental") => format!("{} changed, {} compared", how["changed"], how["compared"]),
        other => other.unwrap_or("?").to_string(),
    };
    (wall, cpu, json["findings"].as_array().map_or(0, Vec::len), how)
}

fn main() -> std::io::Result<()> {
    let files: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(20_000);
    let dir = tempfile::tempdir()?;
    let corpus = dir.path().join("corpus");
    std::fs::create_dir(&corpus)?;
    let stream = Stream::new(&SynthOptions { articles: files, ..SynthOptions::default() }, None);
    for (i, doc) in stream.take(files).enumerate() {
        std::fs::write(corpus.join(format!("{i:06}.txt")), &doc.text)?;
    }
    println!("copydesk check over {files} files");
    println!("{:<28} {:>8} {:>8} {:>9}  scanned", "run", "wall s", "CPU s", "findings");
    let row = |name: &str, (wall, cpu, findings, how): (f64, f64, usize, String)| {
        println!("{name:<28} {wall:>8.2} {cpu:>8.2} {findings:>9}  {how}");
    };
    row("first (no cache)", check(dir.path()));
    row("unchanged", check(dir.path()));
    for i in 0..10 {
        let path = corpus.join(format!("{:06}.txt", i * (files / 10).max(1)));
        let text = std::fs::read_to_string(&path)?;
        std::fs::write(&path, format!("{text}\nUpdated: a correction was added to this story.\n"))?;
    }
    row("ten files changed", check(dir.path()));
    row("unchanged again", check(dir.path()));
    Ok(())
}
