//! Helpers shared by the integration tests.
#![allow(dead_code)]

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A corpus from `../shared/corpora/` beside the checkout. A test that
/// needs one fails when it is absent: Rust's harness has no "skipped", and a
/// test that did not run must never count as passed.
pub fn shared_corpus(name: &str) -> PathBuf {
    let path = root().join("../shared/corpora").join(name);
    assert!(
        path.is_file(),
        "this test needs {} (the project's shared corpora, laid beside the checkout); it is absent, so the test cannot run",
        path.display()
    );
    path
}

pub fn samples() -> PathBuf {
    root().join("samples")
}

/// The text of seed `NNN` from samples/.
pub fn seed(n: &str) -> String {
    let dir = samples();
    let path = std::fs::read_dir(&dir)
        .expect("samples/ exists")
        .map(|e| e.expect("readable").path())
        .find(|p| p.file_name().and_then(|f| f.to_str()).is_some_and(|f| f.starts_with(n) && f.ends_with(".txt")))
        .unwrap_or_else(|| panic!("seed {n} in samples/"));
    std::fs::read_to_string(path).expect("seed is UTF-8")
}

/// The copydesk binary, in a hermetic environment: no inherited settings.
pub fn copydesk(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("copydesk").expect("binary built");
    cmd.current_dir(dir).env_clear().env("PATH", std::env::var("PATH").unwrap_or_default());
    cmd
}

/// Runs `copydesk scan ARGS --format json` in `dir` and parses the output.
pub fn scan_json(dir: &Path, args: &[&str]) -> Value {
    let out = copydesk(dir).arg("scan").args(args).args(["--format", "json"]).output().expect("runs");
    assert!(out.status.success(), "scan failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("valid JSON")
}

pub fn doc<'a>(scan: &'a Value, id_suffix: &str) -> &'a Value {
    scan["documents"]
        .as_array()
        .expect("documents")
        .iter()
        .find(|d| d["id"].as_str().is_some_and(|id| id.ends_with(id_suffix)))
        .unwrap_or_else(|| panic!("document {id_suffix}"))
}

pub fn span(v: &Value) -> std::ops::Range<usize> {
    let a = v.as_array().expect("span is [start, end]");
    a[0].as_u64().expect("start") as usize..a[1].as_u64().expect("end") as usize
}

/// Lowercase words of `s`, for comparing passages across documents.
pub fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect()
}

/// Non-empty, trimmed lines: the seeds' paragraphs.
pub fn paragraphs(text: &str) -> Vec<&str> {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).collect()
}

/// Deterministic filler prose that shares no story with the seeds.
pub fn filler(seed: u64, paras: usize) -> Vec<String> {
    const WORDS: &[&str] = &[
        "harbour",
        "council",
        "weather",
        "orchard",
        "festival",
        "railway",
        "museum",
        "library",
        "tenants",
        "ferry",
        "violin",
        "glacier",
        "bakery",
        "cyclists",
        "lantern",
        "meadow",
        "quarry",
        "sailors",
        "tapestry",
        "vineyard",
        "pottery",
        "canal",
        "beekeepers",
        "choir",
        "lighthouse",
        "marathon",
        "greenhouse",
        "telescope",
    ];
    let mut state = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state as usize
    };
    (0..paras)
        .map(|_| {
            let n = 25 + next() % 20;
            let words: Vec<&str> = (0..n).map(|_| WORDS[next() % WORDS.len()]).collect();
            format!("The {}.", words.join(" "))
        })
        .collect()
}

/// Replaces every `every`-th space-separated word with `zzword`.
pub fn change_words(text: &str, every: usize) -> String {
    let mut n = 0;
    text.split(' ')
        .map(|w| {
            n += 1;
            if n % every == 0 {
                "zzword".to_string()
            } else {
                w.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}
