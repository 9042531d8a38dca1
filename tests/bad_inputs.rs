//! The bad-input suite: every edge a hostile tester or an unattended
//! nightly run meets, each with its accounting (every input is a document
//! or a skipped entry with a true reason) and its exit code.

mod common;

use common::*;
use serde_json::Value;
use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

/// What a `copydesk scan ... --format json` run ended with.
struct Outcome {
    code: i32,
    documents: usize,
    skipped: Vec<Value>,
    ignored: u64,
    stderr: String,
}

fn run(dir: &Path, args: &[&str]) -> Outcome {
    let out = copydesk(dir).arg("scan").args(args).args(["--format", "json"]).timeout(Duration::from_secs(60)).output();
    let out = out.expect("runs");
    let code = out.status.code().expect("exited, not killed");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    if code == 2 {
        return Outcome { code, documents: 0, skipped: Vec::new(), ignored: 0, stderr };
    }
    let json: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("JSON ({e}); stderr: {stderr}"));
    Outcome {
        code,
        documents: json["summary"]["documents"].as_u64().expect("count") as usize,
        skipped: json["skipped"].as_array().expect("skipped").clone(),
        ignored: json["summary"]["ignored"].as_u64().expect("ignored"),
        stderr,
    }
}

impl Outcome {
    /// Inputs = documents + skipped.
    fn accounts_for(&self, inputs: usize) -> &Self {
        assert_eq!(self.documents + self.skipped.len(), inputs, "documents + skipped; skipped: {:?}", self.skipped);
        self
    }

    fn skipped_for(&self, path_end: &str) -> &str {
        self.skipped
            .iter()
            .find(|s| s["path"].as_str().is_some_and(|p| p.ends_with(path_end)))
            .and_then(|s| s["reason"].as_str())
            .unwrap_or_else(|| panic!("{path_end} is listed as skipped: {:?}", self.skipped))
    }
}

fn record(id: &str, text: &str) -> String {
    serde_json::json!({ "id": id, "text": text }).to_string()
}

#[test]
fn jsonl_larger_than_the_file_limit_is_streamed_whole() {
    let dir = tempfile::tempdir().unwrap();
    let lines: Vec<String> = (0..50).map(|i| record(&format!("r{i}"), &filler(i, 3).join("\n\n"))).collect();
    fs::write(dir.path().join("feed.jsonl"), lines.join("\n")).unwrap();
    let o = run(dir.path(), &["feed.jsonl", "--max-file-size", "1KiB"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(o.documents, 50);
    o.accounts_for(50);
}

#[test]
fn a_record_over_the_record_limit_is_skipped_alone() {
    let dir = tempfile::tempdir().unwrap();
    let big = record("big", &"word ".repeat(40_000));
    let lines = [record("a", &seed("002")), big, record("b", &seed("003"))];
    fs::write(dir.path().join("feed.jsonl"), lines.join("\n") + "\n").unwrap();
    let o = run(dir.path(), &["feed.jsonl", "--max-document-size", "100KiB"]);
    assert_eq!(o.code, 0);
    o.accounts_for(3);
    assert_eq!(o.skipped[0]["line"], 2);
    assert!(o.skipped_for("feed.jsonl").starts_with("record larger than the limit of 100 KiB"));
    // The same from standard input.
    let out = copydesk(dir.path())
        .args(["scan", "-", "--format", "json", "--max-document-size", "100KiB"])
        .write_stdin(lines.join("\n"))
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["summary"]["documents"], 2);
    assert_eq!(json["skipped"][0]["path"], "-");
    assert_eq!(json["skipped"][0]["line"], 2);
}

#[test]
fn a_file_over_the_limit_is_refused_unread() {
    let dir = tempfile::tempdir().unwrap();
    // A sparse file of 300 GiB: reading it would take hours and all memory,
    // so a quick answer shows it was refused from its metadata.
    let huge = fs::File::create(dir.path().join("huge.txt")).unwrap();
    huge.set_len(300 << 30).unwrap();
    fs::write(dir.path().join("ok.txt"), seed("002")).unwrap();
    let started = Instant::now();
    let o = run(dir.path(), &["."]);
    assert!(started.elapsed() < Duration::from_secs(30));
    assert_eq!(o.code, 0);
    o.accounts_for(2);
    assert!(o.skipped_for("huge.txt").starts_with("larger than the limit of 256 MiB"));
}

#[cfg(unix)]
#[test]
fn fifos_are_reported_never_opened() {
    let dir = tempfile::tempdir().unwrap();
    let status = std::process::Command::new("mkfifo").arg(dir.path().join("p.txt")).status().expect("mkfifo");
    assert!(status.success());
    fs::write(dir.path().join("ok.txt"), seed("002")).unwrap();
    // Named on the command line, alone: nothing to scan, exit 2, at once.
    let o = run(dir.path(), &["p.txt"]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("p.txt: not a regular file (a FIFO)"), "{}", o.stderr);
    assert!(o.stderr.contains("nothing to scan"), "{}", o.stderr);
    // Met in a directory: listed, the rest scanned.
    let o = run(dir.path(), &["."]);
    assert_eq!(o.code, 0);
    o.accounts_for(2);
    assert!(o.skipped_for("p.txt").contains("FIFO"));
}

#[cfg(unix)]
#[test]
fn symlinks_are_followed_and_every_kind_is_accounted_for() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    fs::create_dir(&corpus).unwrap();
    let outside = dir.path().join("outside.txt");
    fs::write(&outside, seed("003")).unwrap();
    fs::write(corpus.join("a.txt"), seed("002")).unwrap();
    symlink(&outside, corpus.join("to-outside.txt")).unwrap();
    symlink("a.txt", corpus.join("again.txt")).unwrap();
    symlink("missing.txt", corpus.join("dangling.txt")).unwrap();
    symlink(".", corpus.join("loop")).unwrap();
    let o = run(dir.path(), &["corpus"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    o.accounts_for(5);
    assert_eq!(o.documents, 2, "a.txt and the file outside, through its link");
    assert!(o.skipped_for("again.txt").starts_with("same file as corpus/a.txt"));
    assert!(o.skipped_for("dangling.txt").starts_with("dangling symbolic link"));
    assert!(o.skipped_for("loop").starts_with("symbolic link loop"));
}

#[cfg(unix)]
#[test]
fn a_directory_of_broken_links_scans_nothing_and_fails() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    symlink("/nonexistent/x", dir.path().join("a.txt")).unwrap();
    symlink("b.txt", dir.path().join("b.txt")).unwrap();
    let o = run(dir.path(), &["."]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("nothing to scan"), "{}", o.stderr);
    assert_eq!(o.stderr.matches("copydesk: skipped").count(), 2, "{}", o.stderr);
}

#[test]
fn empty_and_blank_jsonl_files_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("empty.jsonl"), "").unwrap();
    fs::write(dir.path().join("blank.jsonl"), "\n  \n\r\n").unwrap();
    fs::write(dir.path().join("ok.txt"), seed("002")).unwrap();
    let o = run(dir.path(), &["."]);
    o.accounts_for(3);
    assert_eq!(o.skipped_for("empty.jsonl"), "empty (no records)");
    assert_eq!(o.skipped_for("blank.jsonl"), "no records (only blank lines)");
}

#[test]
fn a_parent_gitignore_outside_a_repository_hides_nothing() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join(".gitignore"), "*.txt\n").unwrap();
    let corpus = dir.path().join("corpus");
    fs::create_dir(&corpus).unwrap();
    fs::write(corpus.join("a.txt"), seed("002")).unwrap();
    fs::write(corpus.join(".hidden.txt"), seed("003")).unwrap();
    let o = run(&corpus, &["."]);
    assert_eq!(o.code, 0);
    o.accounts_for(1);
    assert_eq!(o.ignored, 1, "the hidden file is counted as left out");
    assert!(o.stderr.contains("1 file(s) left out"), "{}", o.stderr);
}

#[cfg(unix)]
#[test]
fn names_that_are_not_utf8_stay_distinct_and_exact() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let name = |b: &[u8]| dir.path().join(std::ffi::OsStr::from_bytes(b));
    fs::write(name(b"a\xff.txt"), seed("002")).unwrap();
    fs::write(name(b"a\xfe.txt"), seed("003")).unwrap();
    let out = copydesk(dir.path()).args(["scan", ".", "--format", "json"]).output().unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let docs = json["documents"].as_array().unwrap();
    assert_eq!(docs.len(), 2, "{:?}", json["skipped"]);
    assert_eq!(docs[0]["id"], "./a\\xFE.txt");
    assert_eq!(docs[1]["id"], "./a\\xFF.txt");
    let bytes: Vec<u8> = docs[1]["path_bytes"].as_array().unwrap().iter().map(|b| b.as_u64().unwrap() as u8).collect();
    assert_eq!(bytes, b"./a\xff.txt");
}

#[test]
fn text_output_escapes_terminal_controls() {
    let dir = tempfile::tempdir().unwrap();
    let lines = [record("evil\u{1b}]0;pwned\u{7}\u{1b}[2J\nforged", &seed("002")), record("plain", &seed("002"))];
    fs::write(dir.path().join("feed.jsonl"), lines.join("\n")).unwrap();
    let out = copydesk(dir.path()).args(["scan", "feed.jsonl", "--format", "text"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains('\u{1b}') && !text.contains('\u{7}'), "{text:?}");
    assert!(text.contains("evil\\x1b]0;pwned\\x07\\x1b[2J\\nforged"), "{text}");
    assert!(!text.lines().any(|l| l.starts_with("forged")));
}

#[test]
fn a_byte_order_mark_does_not_cost_the_first_record() {
    let dir = tempfile::tempdir().unwrap();
    let body = format!("\u{feff}{}\r\n{}\r\n", record("a", &seed("002")), record("b", &seed("003")));
    fs::write(dir.path().join("feed.jsonl"), body).unwrap();
    let o = run(dir.path(), &["feed.jsonl"]);
    assert_eq!(o.documents, 2, "{:?}", o.skipped);
    o.accounts_for(2);
}

#[test]
fn a_nul_byte_anywhere_marks_a_binary_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = seed("000").into_bytes();
    bytes.extend(std::iter::repeat_n(b'x', 20_000));
    bytes.push(0);
    fs::write(dir.path().join("late.txt"), bytes).unwrap();
    fs::write(dir.path().join("ok.txt"), seed("002")).unwrap();
    let o = run(dir.path(), &["."]);
    o.accounts_for(2);
    assert!(o.skipped_for("late.txt").starts_with("binary (a NUL byte at byte"));
}

#[test]
fn options_are_validated_with_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("a.txt"), seed("002")).unwrap();
    let cases: [(&[&str], &str); 7] = [
        (&["--threads", "100000"], "must be from 1 to 256"),
        (&["--threads", "0"], "must be from 1 to 256"),
        (&["--threshold", "-0.1"], "threshold must be in (0, 1], got -0.1"),
        (&["--containment", "1.5"], "containment must be in (0, 1]"),
        (&["--num-hashes", "4"], "number of hashes must be in 8..=1024"),
        (&["--shingle", "0"], "shingle words must be in 1..=16"),
        (&["--max-file-size", "10 parsecs"], "unknown unit"),
    ];
    for (args, message) in cases {
        let out = copydesk(dir.path()).args(["scan", "a.txt"]).args(args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
}

#[test]
fn strict_fails_on_any_skip_after_writing_the_output() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("a.txt"), seed("002")).unwrap();
    fs::write(dir.path().join("b.txt"), "").unwrap();
    let o = run(dir.path(), &["."]);
    assert_eq!(o.code, 0);
    o.accounts_for(2);
    let out = copydesk(dir.path()).args(["scan", ".", "--strict", "--format", "json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let json: Value = serde_json::from_slice(&out.stdout).expect("the output is still written");
    assert_eq!(json["summary"]["skipped"], 1);
    assert!(String::from_utf8_lossy(&out.stderr).contains("--strict"));
}

#[test]
fn html_keeps_every_word_at_any_depth() {
    use copydesk::synth::hostile::{self, Hostile};
    let expected: Vec<String> = hostile::news(1_500_000).split_whitespace().map(str::to_string).collect();
    for case in [Hostile::DeepHtml, Hostile::UnclosedParagraphs] {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("page.html"), case.generate(1_500_000)).unwrap();
        let got = copydesk::ingest::ingest(
            &[copydesk::ingest::Input::Path(dir.path().join("page.html"))],
            &copydesk::ingest::IngestOptions::default(),
            std::io::empty(),
        )
        .unwrap();
        assert_eq!(got.documents.len(), 1, "{}: {:?}", case.name(), got.skipped);
        let words: Vec<&str> = got.documents[0].text.split_whitespace().collect();
        assert_eq!(words.len(), expected.len(), "{}: words kept", case.name());
        assert!(words.iter().zip(&expected).all(|(a, b)| a == b), "{}: the words, in order", case.name());
    }
}

#[cfg(unix)]
#[test]
fn report_refuses_to_write_html_to_a_terminal() {
    // `script` runs the command with a pseudo-terminal as its output.
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("a.txt"), seed("002")).unwrap();
    let bin = assert_cmd::cargo::cargo_bin("copydesk");
    let out = std::process::Command::new("script")
        .args(["-qec", &format!("{} report a.txt", bin.display()), "/dev/null"])
        .current_dir(dir.path())
        .output()
        .expect("script (util-linux) runs");
    let shown = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{shown}");
    assert!(shown.contains("refusing to write an HTML report to a terminal"), "{shown}");
    assert!(!shown.contains("<html"), "{shown}");
}
