//! `copydesk check`: exit codes, configuration, baselines, the cache and
//! every output format, through the binary as CI runs it, on copies of
//! `tests/fixtures/check` (a story, a site's reprint of it, and an
//! unrelated one).

mod common;

use common::*;
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};

/// A copy of the fixture in a temporary folder: `corpus/` and its baseline.
fn fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let from = root().join("tests/fixtures/check");
    fs::create_dir(dir.path().join("corpus")).unwrap();
    for e in fs::read_dir(from.join("corpus")).unwrap() {
        let e = e.unwrap();
        fs::copy(e.path(), dir.path().join("corpus").join(e.file_name())).unwrap();
    }
    fs::copy(from.join("baseline.json"), dir.path().join("baseline.json")).unwrap();
    dir
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn check(dir: &Path, args: &[&str]) -> Run {
    let out = copydesk(dir).arg("check").args(args).output().expect("runs");
    Run {
        code: out.status.code().expect("exited"),
        stdout: String::from_utf8(out.stdout).expect("UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("UTF-8"),
    }
}

fn json(dir: &Path, args: &[&str]) -> (i32, Value) {
    let run = check(dir, &[args, &["--format", "json"]].concat());
    (run.code, serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}{}", run.stdout, run.stderr)))
}

const REPRINT: &str = "corpus/island-weekly.txt";
const STORY: &str = "corpus/harbour-council.txt";

#[test]
fn a_copy_fails_and_exit_zero_passes() {
    let dir = fixture();
    let run = check(dir.path(), &["corpus"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    // The reprint's story starts on its line 3, after the site's masthead.
    assert!(run.stdout.contains(&format!("{REPRINT}:3:1: near-duplicate")), "{}", run.stdout);
    assert!(run.stdout.contains(&format!("{STORY}:1:1")), "{}", run.stdout);
    assert!(run.stdout.contains("| Harbour council approves"), "{}", run.stdout);
    assert_eq!(check(dir.path(), &["corpus", "--exit-zero"]).code, 0);
    fs::remove_file(dir.path().join(REPRINT)).unwrap();
    let run = check(dir.path(), &["corpus"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(run.stdout.contains("2 documents, 0 new finding(s)"), "{}", run.stdout);
}

#[test]
fn errors_exit_2_with_a_clear_message() {
    let dir = fixture();
    let run = check(dir.path(), &["no-such-dir"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no-such-dir: no such file or directory"), "{}", run.stderr);
    fs::write(dir.path().join("copydesk.toml"), "[relations.near-duplicate]\nmin-score = \"high\"\n").unwrap();
    let run = check(dir.path(), &["corpus"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("copydesk.toml:2:13:"), "{}", run.stderr);
    fs::write(dir.path().join("copydesk.toml"), "[relations]\nnear-duplicate = { min-score = 0.5 }\ntypo = 1\n")
        .unwrap();
    let run = check(dir.path(), &["corpus"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("copydesk.toml:3:"), "{}", run.stderr);
    fs::remove_file(dir.path().join("copydesk.toml")).unwrap();
    let run = check(dir.path(), &["corpus", "--exclude", "corpus/[a"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("does not compile"), "{}", run.stderr);
    fs::write(dir.path().join("not-a-baseline.json"), "{\"findings\": 3}").unwrap();
    let run = check(dir.path(), &["corpus", "--baseline", "not-a-baseline.json"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("not-a-baseline.json: not a copydesk baseline"), "{}", run.stderr);
    let run = check(dir.path(), &["corpus", "--exclude", "corpus/*"]);
    assert_eq!(run.code, 2, "a run that checked nothing never passes");
    assert!(run.stderr.contains("nothing to check"), "{}", run.stderr);
    assert!(!run.stderr.contains("panicked"));
}

#[test]
fn configuration_sets_thresholds_globs_and_allowlist_and_shows_origins() {
    let dir = fixture();
    let config = "exclude = [\"corpus/library-*\"]\n[relations.near-duplicate]\nmin-score = 0.95\n";
    fs::write(dir.path().join("copydesk.toml"), config).unwrap();
    let (code, out) = json(dir.path(), &["corpus"]);
    assert_eq!(code, 0, "a near-duplicate under its threshold is no finding: {out}");
    assert_eq!(out["documents"], 2);
    assert_eq!(out["excluded"], 1);
    let shown = check(dir.path(), &["--show-config"]);
    assert_eq!(shown.code, 0);
    let line = shown.stdout.lines().find(|l| l.starts_with("min-score = 0.95  # ")).expect("the threshold shown");
    assert!(line.ends_with("copydesk.toml"), "{line}");
    assert!(shown.stdout.contains("[relations.contained]\nenabled = true  # default"), "{}", shown.stdout);
    let allow = "[[allow]]\npaths = [\"corpus/harbour-*\", \"corpus/island-*\"]\nreason = \"Island Weekly reprints our council reports under licence\"\n";
    fs::write(dir.path().join("copydesk.toml"), allow).unwrap();
    let (code, out) = json(dir.path(), &["corpus"]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(out["findings"][0]["status"], "allowed");
    assert!(out["findings"][0]["reason"].as_str().unwrap().contains("under licence"));
    // The configuration is found from a subfolder too.
    let (code, _) = json(&dir.path().join("corpus"), &["."]);
    assert_eq!(code, 0);
}

#[test]
fn baselines_fail_only_on_new_findings_and_list_what_is_gone() {
    let dir = fixture();
    let d = dir.path();
    assert_eq!(check(d, &["corpus", "--write-baseline", "today.json"]).code, 0);
    let written: Value = serde_json::from_str(&fs::read_to_string(d.join("today.json")).unwrap()).unwrap();
    assert_eq!(written["findings"].as_array().unwrap().len(), 1);
    assert_eq!(check(d, &["corpus", "--baseline", "today.json"]).code, 0);
    // An edit elsewhere in a file keeps the fingerprint.
    let reprint = d.join(REPRINT);
    let edited = fs::read_to_string(&reprint).unwrap().replace("tide tables", "tide tables, the ferry fares");
    fs::write(&reprint, edited).unwrap();
    assert_eq!(check(d, &["corpus", "--baseline", "today.json"]).code, 0);
    // A new copy fails, and only it.
    let story = fs::read_to_string(d.join(STORY)).unwrap();
    fs::write(d.join("corpus/mainland-gazette.txt"), format!("Mainland Gazette\n\n{story}")).unwrap();
    let (code, out) = json(d, &["corpus", "--baseline", "today.json"]);
    assert_eq!(code, 1);
    let statuses: Vec<&str> =
        out["findings"].as_array().unwrap().iter().map(|f| f["status"].as_str().unwrap()).collect();
    assert!(statuses.contains(&"baselined") && statuses.contains(&"new"), "{out}");
    assert_eq!(out["failing"].as_u64().unwrap(), statuses.iter().filter(|s| **s == "new").count() as u64);
    // A finding that no longer occurs is listed.
    fs::remove_file(&reprint).unwrap();
    let run = check(d, &["corpus", "--baseline", "today.json", "--exit-zero"]);
    assert!(run.stdout.contains("baseline entry no longer found"), "{}", run.stdout);
}

#[test]
fn the_cache_answers_an_unchanged_rerun_and_notices_a_change() {
    let dir = fixture();
    let d = dir.path();
    let (_, first) = json(d, &["corpus"]);
    assert_eq!(first["cached"], false);
    let (code, second) = json(d, &["corpus"]);
    assert_eq!(code, 1);
    assert_eq!(second["cached"], true);
    assert_eq!(first["findings"], second["findings"]);
    assert!(d.join(".copydesk-cache/check.redb").is_file());
    fs::write(d.join(REPRINT), "Island Weekly is taking a summer break and returns in September.\n").unwrap();
    let (code, third) = json(d, &["corpus"]);
    assert_eq!(third["cached"], false);
    assert_eq!(code, 0, "{third}");
    let (_, uncached) = json(d, &["corpus", "--no-cache"]);
    assert_eq!(uncached["cached"], false);
}

#[test]
fn skipped_files_are_listed_in_every_format() {
    let dir = fixture();
    let d = dir.path();
    fs::write(d.join("corpus/scan.txt"), b"\x00\x01\x02 binary \xff").unwrap();
    let (_, out) = json(d, &["corpus"]);
    assert_eq!(out["skipped"][0]["path"], "corpus/scan.txt", "{out}");
    let text = check(d, &["corpus"]).stdout;
    assert!(text.contains("skipped corpus/scan.txt"), "{text}");
    let sarif: Value = serde_json::from_str(&check(d, &["corpus", "--format", "sarif"]).stdout).unwrap();
    let notes = &sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"];
    assert!(notes[0]["message"]["text"].as_str().unwrap().contains("corpus/scan.txt"), "{notes}");
    let junit = check(d, &["corpus", "--format", "junit"]).stdout;
    assert!(junit.contains("skipped corpus/scan.txt") && junit.contains("<skipped"), "{junit}");
    let github = check(d, &["corpus", "--format", "github"]).stdout;
    assert!(github.contains("::notice file=corpus/scan.txt,title=copydesk skipped::"), "{github}");
}

/// The SARIF 2.1.0 schema that serde-sarif (from crates.io) generates its
/// types from: OASIS's `sarif-schema-2.1.0.json`, as the package ships it
/// in `src/schema.json`. Found in cargo's registry sources, at the version
/// Cargo.lock names.
fn sarif_schema() -> Value {
    let lock = fs::read_to_string(root().join("Cargo.lock")).expect("Cargo.lock");
    let version = lock
        .split("[[package]]")
        .find(|p| p.contains("name = \"serde-sarif\""))
        .and_then(|p| p.lines().find_map(|l| l.strip_prefix("version = ")))
        .expect("serde-sarif is locked")
        .trim_matches('"')
        .to_string();
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cargo"));
    let registries = fs::read_dir(cargo_home.join("registry/src")).expect("the crates.io sources");
    let path = registries
        .map(|r| r.unwrap().path().join(format!("serde-sarif-{version}/src/schema.json")))
        .find(|p| p.is_file())
        .expect("serde-sarif's schema.json in the registry sources");
    let mut schema: Value = serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap();
    // The schema's patterns for `language` end in a stray `]` (ECMA-262
    // reads it as a literal; the validator's regex engine refuses it, so
    // the schema would not compile): escaped, meaning the same.
    let fixed = escape_stray_bracket(&mut schema);
    assert!(fixed >= 1, "the known erratum is where it was");
    assert!(schema["title"].as_str().unwrap().contains("SARIF) Version 2.1.0"), "{}", schema["title"]);
    schema
}

fn escape_stray_bracket(v: &mut Value) -> usize {
    const STRAY: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";
    match v {
        Value::Object(map) => map
            .iter_mut()
            .map(|(k, v)| {
                if k == "pattern" && v == STRAY {
                    *v = STRAY.replace("]?$", "\\]?$").into();
                    1
                } else {
                    escape_stray_bracket(v)
                }
            })
            .sum(),
        Value::Array(items) => items.iter_mut().map(escape_stray_bracket).sum(),
        _ => 0,
    }
}

#[test]
fn sarif_output_is_valid_sarif_2_1_0() {
    let dir = fixture();
    let d = dir.path();
    fs::write(d.join("copydesk.toml"), "[repeats]\nenabled = true\n").unwrap();
    fs::write(d.join("corpus/scan.txt"), [0xffu8, 0xfe]).unwrap();
    let run = check(d, &["corpus", "--format", "sarif", "--baseline", "baseline.json"]);
    let sarif: Value = serde_json::from_str(&run.stdout).unwrap();
    let validator = jsonschema::validator_for(&sarif_schema()).expect("schema compiles");
    let errors: Vec<String> = validator.iter_errors(&sarif).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "near-duplicate");
    assert_eq!(result["baselineState"], "unchanged");
    let here = &result["locations"][0]["physicalLocation"];
    assert_eq!(here["artifactLocation"]["uri"], REPRINT);
    assert_eq!(here["region"]["startLine"], 3);
    assert_eq!(result["relatedLocations"][0]["physicalLocation"], *here);
    let there = &result["relatedLocations"][1]["physicalLocation"];
    assert_eq!(there["artifactLocation"]["uri"], STORY);
    assert_eq!(there["region"]["startLine"], 1);
    assert!(result["partialFingerprints"]["copydesk/v1"].as_str().unwrap().starts_with("cd1-"));
    // And the validator does reject what is not SARIF.
    let mut broken = sarif.clone();
    broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0.into();
    assert!(!validator.is_valid(&broken));
}

#[test]
fn junit_and_github_formats() {
    let dir = fixture();
    let d = dir.path();
    let junit = check(d, &["corpus", "--format", "junit"]);
    assert_eq!(junit.code, 1);
    let report = quick_junit::Report::deserialize_from_str(&junit.stdout).expect("JUnit XML parses");
    assert_eq!(report.failures, 1);
    let case = &report.test_suites[0].test_cases[0];
    assert!(case.name.as_str().contains(REPRINT), "{}", case.name.as_str());
    let github = check(d, &["corpus", "--format", "github"]);
    assert_eq!(github.code, 1);
    let line = github.stdout.lines().next().unwrap();
    assert!(line.starts_with(&format!("::warning file={REPRINT},line=3,endLine=")), "{line}");
    assert!(line.contains("title=copydesk near-duplicate::near-duplicate"), "{line}");
    // Under GitHub Actions, annotations are the default.
    let out = copydesk(d).args(["check", "corpus"]).env("GITHUB_ACTIONS", "true").output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("::warning file="));
    let baselined = check(d, &["corpus", "--format", "junit", "--baseline", "baseline.json"]);
    assert_eq!(baselined.code, 0);
    assert_eq!(quick_junit::Report::deserialize_from_str(&baselined.stdout).unwrap().failures, 0);
}

#[test]
fn repeats_are_findings_when_asked_for() {
    let dir = fixture();
    let d = dir.path();
    // The library story repeats its second paragraph at its end.
    let library = d.join("corpus/library-reopens.txt");
    let text = fs::read_to_string(&library).unwrap();
    let para = text.split("\n\n").nth(1).unwrap().to_string();
    fs::write(&library, format!("{text}\n{para}\n")).unwrap();
    let (_, plain) = json(d, &["corpus", "--no-cache"]);
    assert!(plain["findings"].as_array().unwrap().iter().all(|f| f["kind"] != "repeat"));
    let (_, with) = json(d, &["corpus", "--repeats", "--no-cache"]);
    let repeats: Vec<&Value> = with["findings"].as_array().unwrap().iter().filter(|f| f["kind"] == "repeat").collect();
    assert!(!repeats.is_empty(), "{with}");
    for r in repeats {
        assert_eq!(r["copy"]["path"], r["original"]["path"]);
        assert!(r["copy"]["line"].as_u64() > r["original"]["line"].as_u64(), "{r}");
    }
}

#[test]
fn a_few_changes_rescan_only_them_and_find_what_a_full_scan_finds() {
    let dir = fixture();
    let d = dir.path();
    for i in 0..30u64 {
        fs::write(d.join(format!("corpus/filler-{i:02}.txt")), filler(i, 6).join("\n\n")).unwrap();
    }
    let (_, first) = json(d, &["corpus"]);
    assert_eq!(first["scanned"]["how"], "full");
    // A new copy of the story, an edit elsewhere, a file gone.
    let story = fs::read_to_string(d.join(STORY)).unwrap();
    fs::write(d.join("corpus/mainland-gazette.txt"), format!("Mainland Gazette\n\n{story}")).unwrap();
    let edited = fs::read_to_string(d.join("corpus/filler-03.txt")).unwrap() + "\n\nA late paragraph.\n";
    fs::write(d.join("corpus/filler-03.txt"), edited).unwrap();
    fs::remove_file(d.join("corpus/filler-07.txt")).unwrap();
    let (code, partial) = json(d, &["corpus"]);
    assert_eq!(partial["scanned"]["how"], "incremental", "{}", partial["scanned"]);
    assert_eq!(partial["scanned"]["changed"], 3);
    let (full_code, full) = json(d, &["corpus", "--no-cache"]);
    assert_eq!(full["scanned"]["how"], "full");
    assert_eq!(partial["findings"], full["findings"]);
    assert_eq!(code, full_code);
    let paths: Vec<&str> =
        partial["findings"].as_array().unwrap().iter().map(|f| f["copy"]["path"].as_str().unwrap()).collect();
    assert!(paths.contains(&"corpus/mainland-gazette.txt"), "{paths:?}");
    // Changing most of the corpus scans it whole again.
    for i in 0..30u64 {
        if i != 7 {
            fs::write(d.join(format!("corpus/filler-{i:02}.txt")), filler(100 + i, 6).join("\n\n")).unwrap();
        }
    }
    let (_, again) = json(d, &["corpus"]);
    assert_eq!(again["scanned"]["how"], "full");
}

/// On 2,000 synthetic articles with planted copies, ten edited files
/// re-scanned in part give the findings of a full scan.
#[test]
fn partial_rescans_match_full_scans_on_synthetic_news() {
    use copydesk::synth::{Stream, SynthOptions};
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::create_dir(d.join("corpus")).unwrap();
    let docs: Vec<_> =
        Stream::new(&SynthOptions { articles: 2_000, ..SynthOptions::default() }, None).take(2_000).collect();
    for (i, doc) in docs.iter().enumerate() {
        fs::write(d.join(format!("corpus/{i:05}.txt")), &doc.text).unwrap();
    }
    let (_, first) = json(d, &["corpus"]);
    assert!(first["findings"].as_array().unwrap().len() > 100, "planted copies are found");
    for i in 0..10 {
        // Copy one article into another file, under a paragraph of its own.
        let (from, to) = (i * 150, i * 150 + 7);
        let own = filler(500 + i as u64, 1).join("");
        fs::write(d.join(format!("corpus/{to:05}.txt")), format!("{own}\n\n{}", docs[from].text)).unwrap();
    }
    let (_, partial) = json(d, &["corpus"]);
    assert_eq!(partial["scanned"]["how"], "incremental");
    let (_, full) = json(d, &["corpus", "--no-cache"]);
    let (p, f) = (partial["findings"].as_array().unwrap(), full["findings"].as_array().unwrap());
    let only_partial: Vec<String> = p
        .iter()
        .filter(|x| !f.contains(x))
        .map(|x| x["message"].to_string() + &x["copy"]["path"].to_string())
        .collect();
    let only_full: Vec<String> = f
        .iter()
        .filter(|x| !p.contains(x))
        .map(|x| x["message"].to_string() + &x["copy"]["path"].to_string())
        .collect();
    assert!(
        only_partial.is_empty() && only_full.is_empty(),
        "only partial: {only_partial:#?}\nonly full: {only_full:#?}"
    );
}
