//! The `copydesk scan` command end to end, on samples/ and on inputs the
//! tests write: formats, bad input, ignore files, determinism, exit codes.

mod common;

use common::*;
use predicates::prelude::*;
use std::fs;

#[test]
fn samples_scan_finds_repeats_and_no_false_clusters() {
    let scan = scan_json(&root(), &["samples"]);
    assert_eq!(scan["schema"], "copydesk.scan/1");
    assert_eq!(scan["documents"].as_array().unwrap().len(), 5, "README, feed and script are ignored");
    // 001 is a rewrite of 000: one story cluster, found by aligning
    // sentences on content words (word shingles share almost nothing).
    // 002, 003 and 004 are not copies of anything.
    let clusters = scan["clusters"].as_array().unwrap();
    assert_eq!(clusters.len(), 1, "{clusters:?}");
    assert_eq!(
        clusters[0]["members"],
        serde_json::json!(["samples/000_3419b1561b2f5441.txt", "samples/001_f97c509c3bd34467.txt"])
    );
    for p in scan["pairs"].as_array().unwrap() {
        let rel = p["relation"].as_str().unwrap();
        if p["a"] == "samples/000_3419b1561b2f5441.txt" && p["b"] == "samples/001_f97c509c3bd34467.txt" {
            assert_eq!(rel, "rewritten");
            assert!(p["jaccard"].as_f64().unwrap() < 0.05, "{p}");
            let passages = p["passages"].as_array().unwrap();
            assert!((5..=9).contains(&passages.len()), "about six aligned sentences: {passages:?}");
            assert!(passages.iter().all(|x| x["kind"] == "rewritten"));
            // In order in both documents.
            let starts: Vec<(usize, usize)> =
                passages.iter().map(|x| (span(&x["a"]).start, span(&x["b"]).start)).collect();
            assert!(starts.windows(2).all(|w| w[0].0 < w[1].0 && w[0].1 < w[1].1), "{starts:?}");
        } else {
            assert_eq!(rel, "partial", "no linking relation between other seeds: {p}");
        }
    }

    // 004 pastes six paragraphs twice: six verbatim repeats, both ranges equal text.
    let text = seed("004");
    let d = doc(&scan, "004_265cc75bb34af06a.txt");
    let repeats = d["repeats"].as_array().unwrap();
    let verbatim: Vec<_> = repeats.iter().filter(|r| r["kind"] == "verbatim").collect();
    assert_eq!(verbatim.len(), 6, "{repeats:?}");
    for r in &verbatim {
        let (a, b) = (span(&r["first"]), span(&r["second"]));
        assert!(a.end <= b.start);
        assert_eq!(text[a.clone()], text[b.clone()]);
        assert!(text[a].len() > 100);
    }

    // 003 restates its lead after "Agencies add:".
    let text = seed("003");
    let d = doc(&scan, "003_07e1443d25d1940b.txt");
    let lead =
        d["repeats"].as_array().unwrap().iter().find(|r| text[span(&r["second"])].contains("Concluding his visit"));
    let lead = lead.expect("the restated lead is reported");
    assert!(text[span(&lead["first"])].contains("Moscow and Islamabad will boost ties in the fight against terrorism"));

    // 000 repeats its standfirst in the body.
    let text = seed("000");
    let d = doc(&scan, "000_3419b1561b2f5441.txt");
    let r = &d["repeats"][0];
    assert!(text[span(&r["first"])].starts_with("Discussing bilateral cooperation"));
    assert!(text[span(&r["second"])].starts_with("Discussing bilateral cooperation"));
    assert!(span(&r["second"]).start > 1000);
}

#[test]
fn feed_carries_metadata() {
    let scan = scan_json(&root(), &["samples/feed.jsonl"]);
    let d = doc(&scan, "004_265cc75bb34af06a");
    assert_eq!(d["outlet"], "pcf-blog");
    assert_eq!(d["published"], "2012-10-03T10:00:00+05:00");
    assert_eq!(d["published_utc"], "2012-10-03T05:00:00Z");
    assert_eq!(d["source"], "samples/feed.jsonl:5");
    // Offsets index the decoded `text` field: same repeats as the file.
    let from_files = scan_json(&root(), &["samples"]);
    assert_eq!(d["repeats"], doc(&from_files, "004_265cc75bb34af06a.txt")["repeats"]);
}

#[test]
fn output_is_identical_across_runs_and_thread_counts() {
    let run = |threads: &str| {
        copydesk(&root())
            .args(["scan", "samples", "samples/feed.jsonl", "--format", "json", "--threads", threads])
            .output()
            .unwrap()
            .stdout
    };
    let one = run("1");
    assert!(!one.is_empty());
    assert_eq!(one, run("2"));
    assert_eq!(one, run("3"));
    assert_eq!(one, run("1"));
}

#[test]
fn bad_input_is_reported_not_lost() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    fs::write(p.join("good.txt"), seed("002")).unwrap();
    fs::write(p.join("empty.txt"), "").unwrap();
    fs::write(p.join("binary.bin"), [0u8, 159, 146, 150, 0, 1, 2]).unwrap();
    fs::write(p.join("latin1.txt"), b"caf\xe9 au lait").unwrap();
    fs::write(
        p.join("feed.jsonl"),
        "{\"id\": \"ok\", \"text\": \"A line that parses fine.\"}\n{broken\n\n{\"id\": \"no-text\"}\n{\"id\": \"ok\", \"text\": \"Same id again.\"}\n{\"id\": \"s\", \"text\": \"lone \\ud800 surrogate\"}\n",
    )
    .unwrap();
    let scan = scan_json(p, &["."]);
    let ids: Vec<&str> = scan["documents"].as_array().unwrap().iter().map(|d| d["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["ok", "./good.txt", "./latin1.txt"]);
    // A legacy encoding is decoded, and said.
    assert_eq!(scan["documents"][2]["encoding"], "windows-1252");
    let skipped: Vec<String> = scan["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| format!("{}:{}: {}", s["path"].as_str().unwrap(), s["line"], s["reason"].as_str().unwrap()))
        .collect();
    let expect = [
        "./binary.bin:null: binary",
        "./empty.txt:null: empty",
        "./feed.jsonl:2: malformed JSON",
        "./feed.jsonl:4: missing \"text\"",
        "./feed.jsonl:5: duplicate id \"ok\" (first read at ./feed.jsonl:1)",
        "./feed.jsonl:6: malformed JSON",
    ];
    assert_eq!(skipped.len(), expect.len(), "{skipped:#?}");
    for (got, want) in skipped.iter().zip(expect) {
        assert!(got.starts_with(want), "{got} should start with {want}");
    }
    // The run says how many were skipped.
    copydesk(p)
        .args(["scan", ".", "--format", "json"])
        .assert()
        .success()
        .stderr(predicate::str::contains("6 input(s) skipped"));
    // Told the files are UTF-8, the Latin-1 one is skipped, not replaced.
    let forced = scan_json(p, &["latin1.txt", "good.txt", "--encoding", "utf-8"]);
    let reason = forced["skipped"][0]["reason"].as_str().unwrap();
    assert_eq!(reason, "not valid UTF-8 (at byte 3)");
    copydesk(p).args(["scan", ".", "--encoding", "no-such"]).assert().code(2);
}

#[test]
fn stdin_is_json_lines() {
    let feed = fs::read_to_string(samples().join("feed.jsonl")).unwrap();
    let out = copydesk(&root()).args(["scan", "-", "--format", "jsonl"]).write_stdin(feed).output().unwrap();
    assert!(out.status.success());
    let lines: Vec<serde_json::Value> =
        String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines[0]["type"], "scan");
    assert_eq!(lines.iter().filter(|l| l["type"] == "document").count(), 5);
    assert_eq!(lines[1]["source"], "-:1");
}

#[test]
fn ignore_files_are_honoured_but_explicit_paths_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    fs::write(p.join("a.txt"), seed("002")).unwrap();
    fs::write(p.join("b.txt"), seed("003")).unwrap();
    fs::write(p.join("c.md"), seed("004")).unwrap();
    fs::write(p.join(".copydeskignore"), "b.txt\n").unwrap();
    fs::write(p.join(".gitignore"), "*.md\n").unwrap();
    let ids = |scan: &serde_json::Value| -> Vec<String> {
        scan["documents"].as_array().unwrap().iter().map(|d| d["id"].as_str().unwrap().to_string()).collect()
    };
    // Outside a git repository a .gitignore names nothing.
    let scan = scan_json(p, &["."]);
    assert_eq!(ids(&scan), ["./a.txt", "./c.md"]);
    assert_eq!(scan["summary"]["ignored"], 1, "b.txt, left out by .copydeskignore, is counted");
    // Inside one, it does.
    fs::create_dir(p.join(".git")).unwrap();
    let scan = scan_json(p, &["."]);
    assert_eq!(ids(&scan), ["./a.txt"]);
    assert_eq!(scan["summary"]["ignored"], 2);
    let scan = scan_json(p, &[".", "b.txt"]);
    assert_eq!(scan["documents"].as_array().unwrap().len(), 2);
}

#[test]
fn html_spans_point_into_the_html_file() {
    let dir = tempfile::tempdir().unwrap();
    let paras: Vec<String> = seed("004").lines().map(|l| format!("<p>{}</p>", l.replace('&', "&amp;"))).collect();
    let html = format!(
        "<!doctype html><html><head><title>Lavrov</title><meta property=\"og:site_name\" content=\"The Blog\"></head>\
         <body><nav>Home &middot; News</nav><article>\n{}\n</article><script>alert('x')</script></body></html>",
        paras.join("\n")
    );
    fs::write(dir.path().join("page.html"), &html).unwrap();
    let scan = scan_json(dir.path(), &["page.html"]);
    let d = &scan["documents"][0];
    assert_eq!(d["outlet"], "The Blog");
    assert_eq!(d["title"], "Lavrov");
    let repeats = d["repeats"].as_array().unwrap();
    assert_eq!(repeats.iter().filter(|r| r["kind"] == "verbatim").count(), 6);
    for r in repeats {
        let (a, b) = (span(&r["first"]), span(&r["second"]));
        // Byte ranges of the HTML file itself, not of the extracted text.
        assert_eq!(words(&html[a.clone()]), words(&html[b.clone()]));
        assert!(!html[a].contains("<p>"));
    }
}

#[test]
fn errors_exit_2() {
    copydesk(&root()).args(["scan", "no/such/dir"]).assert().code(2).stderr(predicate::str::contains("no such file"));
    copydesk(&root())
        .args(["scan", "samples", "--threshold", "1.5"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("threshold"));
    copydesk(&root()).args(["scan"]).assert().code(2);
    copydesk(&root()).args(["--version"]).assert().code(0);
}

#[test]
fn text_summary_is_readable() {
    copydesk(&root())
        .args(["scan", "samples", "--format", "text"])
        .assert()
        .success()
        .stdout(predicate::str::contains("5 documents"))
        .stdout(predicate::str::contains("repeats in samples/004_265cc75bb34af06a.txt (6)"));
}
