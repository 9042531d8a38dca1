//! `copydesk dedup` and `copydesk index`: batches against a feed index on
//! disk, through the binary as a feed's cron job runs it.

mod common;

use common::*;
use serde_json::Value;
use std::collections::BTreeSet;
use std::fs;
use std::path::Path;
use std::process::{Command as StdCommand, Stdio};

/// The sample feed's records, as JSON lines.
fn sample_records() -> Vec<String> {
    fs::read_to_string(samples().join("feed.jsonl")).unwrap().lines().map(str::to_string).collect()
}

struct Run {
    code: i32,
    kept: Vec<Value>,
    held: Vec<Value>,
    stderr: String,
}

/// Runs one batch (`lines` on stdin) against the index in `dir/index`.
fn dedup(dir: &Path, lines: &[String], extra: &[&str]) -> Run {
    let out = copydesk(dir)
        .args(["dedup", "--index", "index", "--held", "held.jsonl"])
        .args(extra)
        .write_stdin(lines.join("\n"))
        .output()
        .unwrap();
    let parse = |text: &str| -> Vec<Value> { text.lines().map(|l| serde_json::from_str(l).unwrap()).collect() };
    let held = fs::read_to_string(dir.join("held.jsonl")).unwrap_or_default();
    Run {
        code: out.status.code().unwrap(),
        kept: parse(&String::from_utf8_lossy(&out.stdout)),
        held: parse(&held),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn ids(records: &[Value]) -> Vec<&str> {
    records.iter().map(|r| r["id"].as_str().unwrap()).collect()
}

/// The clusters of several members, as sets of ids.
fn story_sets(clusters: impl IntoIterator<Item = Vec<String>>) -> BTreeSet<Vec<String>> {
    clusters
        .into_iter()
        .filter(|m| m.len() > 1)
        .map(|mut m| {
            m.sort();
            m
        })
        .collect()
}

fn exported(dir: &Path) -> Vec<Value> {
    let out = copydesk(dir).args(["index", "export", "index"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

fn index_clusters(dir: &Path) -> BTreeSet<Vec<String>> {
    story_sets(
        exported(dir).iter().map(|c| {
            c["members"].as_array().unwrap().iter().map(|m| m.as_str().unwrap().to_string()).collect::<Vec<_>>()
        }),
    )
}

fn scan_clusters(dir: &Path, feed: &Path) -> BTreeSet<Vec<String>> {
    let scan = scan_json(dir, &[feed.to_str().unwrap()]);
    story_sets(
        scan["clusters"].as_array().unwrap().iter().map(|c| {
            c["members"].as_array().unwrap().iter().map(|m| m.as_str().unwrap().to_string()).collect::<Vec<_>>()
        }),
    )
}

#[test]
fn one_batch_keeps_one_version_of_each_story() {
    let dir = tempfile::tempdir().unwrap();
    let run = dedup(dir.path(), &sample_records(), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        ids(&run.kept),
        ["000_3419b1561b2f5441", "002_4884a3d5c624c0b6", "003_07e1443d25d1940b", "004_265cc75bb34af06a"]
    );
    assert_eq!(ids(&run.held), ["001_f97c509c3bd34467"]);
    let held = &run.held[0]["copydesk"];
    assert_eq!(held["verdict"], "held");
    assert_eq!(held["duplicate_of"], "000_3419b1561b2f5441");
    assert_eq!(held["cluster"], run.kept[0]["copydesk"]["cluster"]);
    assert_eq!(held["pair"]["relation"], "rewritten");
    assert!(!held["pair"]["passages"].as_array().unwrap().is_empty(), "passages with offsets on both sides");
    // The input record is given back as it came, with the text.
    let input: Value = serde_json::from_str(&sample_records()[1]).unwrap();
    assert_eq!(run.held[0]["outlet"], input["outlet"]);
    assert_eq!(run.held[0]["published"], input["published"]);
    assert!(run.held[0]["text"].as_str().unwrap().len() > 1000);
    assert!(run.stderr.contains("5 articles: 4 kept"), "{}", run.stderr);
}

#[test]
fn batches_of_one_give_the_scans_clusters() {
    let dir = tempfile::tempdir().unwrap();
    for line in sample_records() {
        let run = dedup(dir.path(), &[line], &[]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert_eq!(run.kept.len() + run.held.len(), 1, "every article in exactly one output");
    }
    assert_eq!(index_clusters(dir.path()), scan_clusters(dir.path(), &samples().join("feed.jsonl")));
    let verify = copydesk(dir.path()).args(["index", "verify", "index"]).output().unwrap();
    assert!(verify.status.success(), "{}", String::from_utf8_lossy(&verify.stderr));
}

#[test]
fn replaying_a_batch_gives_the_same_answers() {
    let dir = tempfile::tempdir().unwrap();
    let first = dedup(dir.path(), &sample_records(), &[]);
    let first_held = fs::read(dir.path().join("held.jsonl")).unwrap();
    let again = dedup(dir.path(), &sample_records(), &[]);
    assert_eq!(first.kept, again.kept);
    assert_eq!(first_held, fs::read(dir.path().join("held.jsonl")).unwrap());
    assert!(again.stderr.contains("5 decided by an earlier run"), "{}", again.stderr);
}

#[test]
fn later_copies_are_held_against_the_archive_and_better_canonicals_say_so() {
    let dir = tempfile::tempdir().unwrap();
    dedup(dir.path(), &sample_records(), &[]);
    let records: Vec<Value> = sample_records().iter().map(|l| serde_json::from_str(l).unwrap()).collect();
    let mut exact = records[0].clone();
    exact["id"] = "exact-000".into();
    exact["text"] = exact["text"].as_str().unwrap().to_uppercase().into();
    let mut earlier = records[3].clone();
    earlier["id"] = "earlier-003".into();
    earlier["published"] = "2001-01-01T00:00:00Z".into();
    earlier["text"] = format!("{}\n\nA paragraph the earlier version had.", earlier["text"].as_str().unwrap()).into();
    let batch: Vec<String> = [exact, earlier].iter().map(Value::to_string).collect();
    let run = dedup(dir.path(), &batch, &[]);
    assert_eq!(ids(&run.held), ["exact-000"]);
    let c = &run.held[0]["copydesk"];
    assert_eq!((c["archived"].as_bool(), c["pair"]["relation"].as_str()), (Some(true), Some("duplicate")));
    assert_eq!(c["duplicate_of"], "000_3419b1561b2f5441");
    assert_eq!(ids(&run.kept), ["earlier-003"]);
    let k = &run.kept[0]["copydesk"];
    assert_eq!(k["replaces"], "003_07e1443d25d1940b");
    let cluster = exported(dir.path()).into_iter().find(|c| c["id"] == k["cluster"]).unwrap();
    assert_eq!(cluster["canonical"], "earlier-003");
    assert_eq!(cluster["replaced"][0], "003_07e1443d25d1940b");
}

#[test]
fn a_dry_run_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    dedup(dir.path(), &sample_records()[..2], &[]);
    let stats = || copydesk(dir.path()).args(["index", "stats", "index"]).output().unwrap().stdout;
    let (clusters, rows) = (exported(dir.path()), stats());
    let run = dedup(dir.path(), &sample_records(), &["--dry-run"]);
    assert_eq!(run.kept.len() + run.held.len(), 5);
    assert!(run.stderr.contains("dry run"), "{}", run.stderr);
    assert!(exported(dir.path()) == clusters && stats() == rows, "the index changed");
}

#[test]
fn settings_cannot_be_mixed() {
    let dir = tempfile::tempdir().unwrap();
    dedup(dir.path(), &sample_records()[..1], &[]);
    let run = dedup(dir.path(), &sample_records()[1..2], &["--threshold", "0.7"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("\"threshold\":0.5") && run.stderr.contains("\"threshold\":0.7"), "{}", run.stderr);
}

#[test]
fn a_second_writer_is_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    dedup(dir.path(), &sample_records()[..1], &[]);
    // The first writer holds the index while it waits for its input.
    let mut first = StdCommand::new(assert_cmd::cargo::cargo_bin("copydesk"))
        .args(["dedup", "--index", "index", "--all"])
        .current_dir(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let lock_seen = (0..100).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(50));
        let run = dedup(dir.path(), &sample_records()[1..2], &[]);
        run.code == 2 && run.stderr.contains("open in another process")
    });
    first.kill().unwrap();
    first.wait().unwrap();
    assert!(lock_seen, "the second writer was not refused");
    let verify = copydesk(dir.path()).args(["index", "verify", "index"]).output().unwrap();
    assert!(verify.status.success());
}

#[test]
fn a_damaged_index_is_reported_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    dedup(dir.path(), &sample_records(), &[]);
    let file = dir.path().join("index/copydesk.redb");
    let whole = fs::read(&file).unwrap();
    for damaged in [whole[..whole.len() / 3].to_vec(), b"not a database at all".repeat(100)] {
        fs::write(&file, &damaged).unwrap();
        let run = dedup(dir.path(), &sample_records(), &[]);
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(run.stderr.contains("copydesk.redb") && run.stderr.contains("index verify"), "{}", run.stderr);
        assert!(fs::read(&file).unwrap() == damaged, "the damaged file was changed");
    }
}

#[test]
fn a_flipped_bit_in_a_posting_segment_fails_verify() {
    let dir = tempfile::tempdir().unwrap();
    dedup(dir.path(), &sample_records(), &[]);
    let segments = dir.path().join("index/segments");
    let mut files: Vec<_> = fs::read_dir(&segments).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    let file = files.iter().find(|f| f.to_string_lossy().contains("prints")).expect("a fingerprint segment");
    let mut bytes = fs::read(file).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0x10;
    fs::write(file, &bytes).unwrap();
    let verify = copydesk(dir.path()).args(["index", "verify", "index"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&verify.stdout).into_owned() + &String::from_utf8_lossy(&verify.stderr);
    assert_ne!(verify.status.code(), Some(0), "{stdout}");
    let name = file.file_name().unwrap().to_string_lossy().into_owned();
    assert!(stdout.contains(&name) && stdout.contains("checksum"), "{stdout}");
}

#[test]
fn feed_files_are_read_item_by_item() {
    let dir = tempfile::tempdir().unwrap();
    let item = |id: &str, day: u32, text: &str| {
        format!(
            "<item><guid>{id}</guid><title>T {id}</title><pubDate>Tue, {day:02} Jul 2023 09:00:00 GMT</pubDate>\
             <description><![CDATA[<p>{text}</p>]]></description></item>"
        )
    };
    let story = seed("002").replace('\n', " ");
    let rss = format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Wire</title>{}{}{}</channel></rss>",
        item("a", 11, &story),
        item("b", 12, &format!("{story} Follow us for more.")),
        item("c", 12, &seed("003").replace('\n', " "))
    );
    fs::write(dir.path().join("feed.rss"), rss).unwrap();
    let out = copydesk(dir.path()).args(["dedup", "--index", "index", "--all", "feed.rss"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let records: Vec<Value> =
        String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let verdicts: Vec<(&str, &str)> =
        records.iter().map(|r| (r["id"].as_str().unwrap(), r["copydesk"]["verdict"].as_str().unwrap())).collect();
    assert_eq!(verdicts, [("a", "kept"), ("b", "held"), ("c", "kept")]);
    assert_eq!(records[0]["outlet"], "Wire");
}

#[test]
fn held_records_need_a_destination() {
    let dir = tempfile::tempdir().unwrap();
    let out =
        copydesk(dir.path()).args(["dedup", "--index", "index"]).write_stdin(sample_records().join("\n")).output();
    let out = out.unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--held FILE"));
}

#[test]
fn a_takedown_keeps_clusters_consistent() {
    let dir = tempfile::tempdir().unwrap();
    dedup(dir.path(), &sample_records(), &[]);
    let out = copydesk(dir.path())
        .args(["index", "remove", "index", "000_3419b1561b2f5441", "004_265cc75bb34af06a", "never-seen"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let lines: Vec<Value> =
        String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines[0]["new_canonical"], "001_f97c509c3bd34467", "the copy left becomes canonical");
    assert_eq!(lines[1]["cluster_removed"], true, "004 was a story of its own");
    assert_eq!(lines[2]["found"], false);
    // Stories of one article with no history (002, 003) are not listed.
    let clusters = exported(dir.path());
    assert_eq!(clusters.len(), 1);
    let story = clusters.iter().find(|c| c["canonical"] == "001_f97c509c3bd34467").unwrap();
    assert_eq!(story["members"].as_array().unwrap().len(), 1);
    assert_eq!(story["replaced"][0], "000_3419b1561b2f5441");
    let verify = copydesk(dir.path()).args(["index", "verify", "index"]).output().unwrap();
    assert!(verify.status.success(), "{}", String::from_utf8_lossy(&verify.stderr));
    // The removed article is new again: a later batch decides it afresh.
    let again = dedup(dir.path(), &sample_records()[..1], &[]);
    assert!(again.stderr.contains("0 decided by an earlier run"), "{}", again.stderr);
}

#[test]
fn one_batch_of_real_news_decides_as_one_scan() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = shared_corpus("helsinki-summit-2018.jsonl");
    let lines: Vec<String> = fs::read_to_string(&corpus).unwrap().lines().map(str::to_string).collect();
    let run = dedup(dir.path(), &lines, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.kept.len() + run.held.len(), lines.len());
    assert_eq!(index_clusters(dir.path()), scan_clusters(dir.path(), &corpus));
}
