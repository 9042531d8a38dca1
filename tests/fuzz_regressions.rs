//! Replays every input saved under `fuzz/regressions/TARGET/` through the
//! fuzz targets' bodies (`fuzz/harness.rs`): each crash `make fuzz` found
//! stays fixed, and each hand-made edge case stays covered, on every
//! `make test`, with no fuzzing toolchain needed.

#[path = "../fuzz/harness.rs"]
mod harness;

use std::path::PathBuf;

fn replay(target: &str, body: fn(&[u8])) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions").join(target);
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("readable entry").path())
        .collect();
    inputs.sort();
    assert!(!inputs.is_empty(), "no inputs saved for {target}");
    for input in inputs {
        let data = std::fs::read(&input).expect("readable input");
        eprintln!("{target}: {}", input.display());
        body(&data);
    }
}

#[test]
fn jsonl() {
    replay("jsonl", harness::jsonl);
}

#[test]
fn html() {
    replay("html", harness::html);
}

#[test]
fn normalize() {
    replay("normalize", harness::normalize);
}

#[test]
fn align() {
    replay("align", harness::align);
}

#[test]
fn scan() {
    replay("scan", harness::scan);
}
