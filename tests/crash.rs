//! Crash safety of the feed index: a `copydesk dedup` child is killed with
//! SIGKILL at moments spread over its run; after each kill the index opens,
//! `copydesk index verify` passes, and running the same batch again gives
//! exactly the outputs of a run that was never interrupted (no article lost,
//! none doubled).
//!
//! `COPYDESK_CRASH_TRIALS` sets the number of kills (10 here, 50 in
//! `make test-crash`).

#![cfg(unix)]

use copydesk::synth::{Corpus, SynthOptions};
use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

/// A feed of synthetic articles with planted copies, as JSON lines.
fn feed(articles: usize) -> Vec<String> {
    let corpus = Corpus::generate(&SynthOptions { articles, seed: 0xc7a5, ..SynthOptions::default() });
    corpus.to_jsonl().lines().map(str::to_string).collect()
}

/// Starts `copydesk dedup` on `batch` against `dir/index`.
fn start(dir: &Path, batch: &Path) -> std::process::Child {
    Command::new(assert_cmd::cargo::cargo_bin("copydesk"))
        .args(["dedup", "--index", "index", "--held", "held.jsonl", "--threads", "2"])
        .arg(batch)
        .current_dir(dir)
        .stdout(fs::File::create(dir.join("kept.jsonl")).unwrap())
        .stderr(Stdio::null())
        .spawn()
        .expect("copydesk runs")
}

/// Runs the batch to the end; returns (kept, held) as written.
fn finish(dir: &Path, batch: &Path) -> (Vec<u8>, Vec<u8>) {
    let status = start(dir, batch).wait().unwrap();
    assert!(status.success(), "dedup failed after a crash");
    (fs::read(dir.join("kept.jsonl")).unwrap(), fs::read(dir.join("held.jsonl")).unwrap())
}

fn verify(dir: &Path) {
    let out = Command::new(assert_cmd::cargo::cargo_bin("copydesk"))
        .args(["index", "verify", "index"])
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "index verify after a kill: {}", String::from_utf8_lossy(&out.stderr));
}

/// Copies the index (its database and its segment files).
fn copy_index(from: &Path, to: &Path) {
    fs::create_dir_all(to.join("index/segments")).unwrap();
    fs::copy(from.join("index/copydesk.redb"), to.join("index/copydesk.redb")).unwrap();
    for entry in fs::read_dir(from.join("index/segments")).unwrap() {
        let entry = entry.unwrap();
        fs::copy(entry.path(), to.join("index/segments").join(entry.file_name())).unwrap();
    }
}

#[test]
fn killed_runs_leave_a_sound_index_and_replay_exactly() {
    let trials: u64 = std::env::var("COPYDESK_CRASH_TRIALS").ok().and_then(|t| t.parse().ok()).unwrap_or(10);
    let lines = feed(3_000);
    let root = tempfile::tempdir().unwrap();
    let first = root.path().join("first.jsonl");
    let second = root.path().join("second.jsonl");
    fs::write(&first, lines[..1_500].join("\n")).unwrap();
    fs::write(&second, lines[1_500..].join("\n")).unwrap();

    // The archive every trial starts from, and the second batch's outputs
    // when nothing interrupts it.
    let template = root.path().join("template");
    fs::create_dir_all(&template).unwrap();
    finish(&template, &first);
    // The machine may be loaded, so one run's time is a poor guide to the
    // next: the estimate is the fastest of three uninterrupted runs, and it
    // shrinks whenever a kill lands after the run has already ended.
    let mut reference = None;
    let mut run_time = std::time::Duration::MAX;
    for attempt in 0..3 {
        let reference_dir = root.path().join(format!("reference-{attempt}"));
        copy_index(&template, &reference_dir);
        let started = Instant::now();
        let outputs = finish(&reference_dir, &second);
        run_time = run_time.min(started.elapsed());
        assert!(reference.get_or_insert_with(|| outputs.clone()) == &outputs, "uninterrupted runs agree");
    }
    let reference = reference.unwrap();
    assert!(!reference.0.is_empty() && !reference.1.is_empty(), "the batch keeps some articles and holds some back");

    let mut killed_before_the_end = 0;
    for trial in 0..trials {
        let dir = root.path().join(format!("trial-{trial}"));
        copy_index(&template, &dir);
        // Moments spread evenly over the run, from its start to just past
        // its end, in a shuffled order.
        let at = run_time.mul_f64(((trial * 7919) % trials) as f64 / trials as f64 * 1.1);
        let mut child = start(&dir, &second);
        std::thread::sleep(at);
        if child.try_wait().unwrap().is_none() {
            killed_before_the_end += 1;
        } else {
            run_time = run_time.mul_f64(0.6);
        }
        let _ = child.kill();
        child.wait().unwrap();
        verify(&dir);
        assert!(
            finish(&dir, &second) == reference,
            "trial {trial} (killed at {at:?}): outputs differ from an uninterrupted run"
        );
        verify(&dir);
        fs::remove_dir_all(&dir).unwrap();
    }
    assert!(killed_before_the_end * 2 >= trials, "only {killed_before_the_end} of {trials} kills landed mid-run");
}
