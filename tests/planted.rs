//! Edited copies of the seed articles, planted by the test, must be found:
//! each copy clustered with its source (and only with it), with passages
//! whose byte ranges slice the same words out of both texts.

mod common;

use common::*;
use serde_json::{json, Value};
use std::collections::BTreeSet;

struct Fixture {
    records: Vec<Value>,
    /// (copy id, source id, kind of edit)
    planted: Vec<(&'static str, &'static str, &'static str)>,
}

fn fixture() -> Fixture {
    let (s000, s002, s003, s004) = (seed("000"), seed("002"), seed("003"), seed("004"));
    let rec = |id: &str, outlet: &str, day: u32, text: String| json!({"id": id, "outlet": outlet, "published": format!("2023-10-{day:02}T08:00:00Z"), "text": text});
    // The source of the embedded copy is a short article: the meeting part of 000.
    let p000 = paragraphs(&s000);
    let brief: Vec<String> = p000[4..16].iter().map(|s| s.to_string()).collect();
    let mut records = vec![
        rec("src-000", "daily", 1, brief.join("\n\n")),
        rec("src-002", "wai", 1, s002.clone()),
        rec("src-003", "paper", 1, s003.clone()),
        rec("src-004", "nation", 1, s004.clone()),
    ];
    let p002 = paragraphs(&s002);
    let reprint = format!(
        "- Subscribe to Example Daily Updates\nShare this: Facebook Twitter Email\n{}\nCopyright 2023 Example Media. All rights reserved.\nLeave a Reply",
        p002.join("\n")
    );
    records.push(rec("reprint-002", "blog", 3, reprint));
    let p003 = paragraphs(&s003);
    records.push(rec("truncated-003", "aggregator", 4, p003[..p003.len() / 2].join("\n")));
    records.push(rec("edited-002", "weekly", 5, change_words(&s002, 20)));
    let mut reordered = p003.clone();
    reordered.reverse();
    records.push(rec("reordered-003", "digest", 6, reordered.join("\n\n")));
    let mut host = filler(42, 14);
    host.splice(7..7, brief);
    records.push(rec("embedded-000", "magazine", 7, host.join("\n\n")));
    Fixture {
        records,
        planted: vec![
            ("reprint-002", "src-002", "reprint with boilerplate"),
            ("truncated-003", "src-003", "first half"),
            ("edited-002", "src-002", "5% of words changed"),
            ("reordered-003", "src-003", "paragraphs reversed"),
            ("embedded-000", "src-000", "a short article inside a longer one"),
        ],
    }
}

fn write_feed(fx: &Fixture) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let lines: Vec<String> = fx.records.iter().map(|r| r.to_string()).collect();
    std::fs::write(dir.path().join("feed.jsonl"), lines.join("\n") + "\n").unwrap();
    dir
}

fn text_of<'a>(fx: &'a Fixture, id: &str) -> &'a str {
    fx.records.iter().find(|r| r["id"] == id).and_then(|r| r["text"].as_str()).unwrap()
}

#[test]
fn every_planted_copy_is_clustered_with_its_source_only() {
    let fx = fixture();
    let dir = write_feed(&fx);
    let scan = scan_json(dir.path(), &["feed.jsonl"]);
    let clusters: Vec<BTreeSet<String>> = scan["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["members"].as_array().unwrap().iter().map(|m| m.as_str().unwrap().to_string()).collect())
        .collect();
    let expected: Vec<BTreeSet<String>> = vec![
        ["src-000", "embedded-000"].iter().map(|s| s.to_string()).collect(),
        ["src-002", "reprint-002", "edited-002"].iter().map(|s| s.to_string()).collect(),
        ["src-003", "truncated-003", "reordered-003"].iter().map(|s| s.to_string()).collect(),
    ];
    for e in &expected {
        assert!(clusters.contains(e), "missing cluster {e:?} in {clusters:?}");
    }
    assert_eq!(clusters.len(), 3, "{clusters:?}");
    // Earliest published is canonical.
    for c in scan["clusters"].as_array().unwrap() {
        assert!(c["canonical"].as_str().unwrap().starts_with("src-"), "{c}");
    }
    // 004 is not a copy of anything.
    assert_eq!(doc(&scan, "src-004")["cluster"], Value::Null);
}

#[test]
fn planted_pairs_have_the_right_relation_and_exact_passages() {
    let fx = fixture();
    let dir = write_feed(&fx);
    let scan = scan_json(dir.path(), &["feed.jsonl"]);
    for (copy, source, what) in &fx.planted {
        let pair = scan["pairs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| (p["a"] == *source && p["b"] == *copy) || (p["a"] == *copy && p["b"] == *source))
            .unwrap_or_else(|| panic!("no pair for {copy} ({what})"));
        let rel = pair["relation"].as_str().unwrap();
        let side = |id: &str| {
            if pair["a"] == id {
                "containment_a"
            } else {
                "containment_b"
            }
        };
        match *copy {
            "truncated-003" | "embedded-000" => {
                assert_eq!(rel, "contained", "{what}: {pair}");
                // The truncated copy sits inside its source; the embedded
                // source sits inside its copy.
                let inner = if *copy == "truncated-003" { side(copy) } else { side(source) };
                assert!(pair[inner].as_f64().unwrap() > 0.9, "{what}: {pair}");
            }
            _ => assert!(rel == "duplicate" || rel == "near-duplicate", "{what}: {pair}"),
        }
        let (ta, tb) = (text_of(&fx, pair["a"].as_str().unwrap()), text_of(&fx, pair["b"].as_str().unwrap()));
        let passages = pair["passages"].as_array().unwrap();
        assert!(!passages.is_empty(), "{what}");
        let mut covered = 0;
        for p in passages {
            let (ra, rb) = (span(&p["a"]), span(&p["b"]));
            let (wa, wb) = (words(&ta[ra]), words(&tb[rb]));
            if p["kind"] == "verbatim" {
                assert_eq!(wa, wb, "{what}: verbatim passage differs");
            } else {
                let same = wa.iter().filter(|w| wb.contains(w)).count();
                assert!(same * 10 >= wa.len() * 8, "{what}: edited passage is mostly different");
            }
            // Coverage is measured on the smaller side: the copy, except
            // for the embedded one, whose source is the smaller.
            let inner = if *copy == "embedded-000" { *source } else { *copy };
            covered += if pair["a"] == inner { wa.len() } else { wb.len() };
        }
        let inner = if *copy == "embedded-000" { *source } else { *copy };
        let inner_words = words(text_of(&fx, inner)).len();
        assert!(covered as f64 >= 0.85 * inner_words as f64, "{what}: passages cover {covered} of {inner_words} words");
    }
    // Reordered paragraphs: many passages, not one.
    let reordered = scan["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["b"] == "reordered-003" || p["a"] == "reordered-003")
        .unwrap();
    assert!(reordered["passages"].as_array().unwrap().len() > 5);
    // Five percent of words changed: passages are edited, not verbatim.
    let edited =
        scan["pairs"].as_array().unwrap().iter().find(|p| p["b"] == "edited-002" || p["a"] == "edited-002").unwrap();
    assert!(edited["passages"].as_array().unwrap().iter().any(|p| p["kind"] == "edited"));
}
