//! Every statement the editor report makes agrees with the scan's JSON: on
//! samples/ and the shared corpora, the report (parsed as HTML) and
//! `scan --format json` of the same input are read side by side. Counts,
//! timeline order, canonical versions and why, stories and their articles,
//! directions and the evidence shown for them, articles in no story.

mod common;

use common::*;
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use tl::{HTMLTag, Parser, ParserOptions};

fn attr(tag: &HTMLTag, name: &str) -> Option<String> {
    tag.attributes().get(name).flatten().map(|v| unescape(&v.as_utf8_str()))
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&#x2f;", "/")
        .replace("&amp;", "&")
}

fn text(tag: &HTMLTag, parser: &Parser) -> String {
    unescape(&tag.inner_text(parser)).split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Tags under `tag` (or the whole document) matching `selector`, in order.
fn select<'p>(tag: &HTMLTag<'p>, parser: &'p Parser<'p>, selector: &str) -> Vec<&'p HTMLTag<'p>> {
    tag.query_selector(parser, selector).into_iter().flatten().filter_map(|h| h.get(parser)?.as_tag()).collect()
}

/// A timeline position as the JSON gives it: publication time, then a date
/// read from the text, then undated.
fn order_key(doc: &Value) -> (u8, i64, String) {
    match (doc["published_utc"].as_str(), doc["text_date"].as_str()) {
        (Some(t), _) => (0, seconds(t), String::new()),
        (None, Some(date)) => (1, 0, date.to_string()),
        (None, None) => (2, 0, String::new()),
    }
}

fn seconds(utc: &str) -> i64 {
    utc.parse::<jiff::Timestamp>().unwrap_or_else(|e| panic!("published_utc {utc}: {e}")).as_second()
}

fn agrees(input: &Path) {
    let dir = tempfile::tempdir().unwrap();
    let json = scan_json(&root(), &[input.to_str().unwrap()]);
    let page = dir.path().join("report.html");
    copydesk(&root()).arg("report").arg(input).arg("-o").arg(&page).assert().success();
    let html = std::fs::read_to_string(&page).unwrap();
    let dom = tl::parse(&html, ParserOptions::default()).expect("the report parses as HTML");
    let parser = dom.parser();
    let body = dom.query_selector("body").unwrap().next().unwrap().get(parser).unwrap().as_tag().unwrap();
    let docs: HashMap<&str, &Value> =
        json["documents"].as_array().unwrap().iter().map(|d| (d["id"].as_str().unwrap(), d)).collect();
    let pairs: HashMap<(&str, &str), &Value> = json["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| ((p["a"].as_str().unwrap(), p["b"].as_str().unwrap()), p))
        .collect();

    counts_agree(body, parser, &json);
    clusters_agree(body, parser, &json, &docs);
    let links = links_agree(body, parser, &pairs);
    assert!(links >= json["clusters"].as_array().unwrap().len(), "every cluster shows its links ({links})");
    stories_agree(body, parser, &json);
    alone_agrees(body, parser, &json);
}

fn counts_agree(body: &HTMLTag, parser: &Parser, json: &Value) {
    let summary = &json["summary"];
    let pairs = json["pairs"].as_array().unwrap();
    let linking = |p: &&Value| !matches!(p["relation"].as_str(), Some("partial" | "quotation"));
    let outlet = |id: &str| {
        json["documents"].as_array().unwrap().iter().find(|d| d["id"] == id).and_then(|d| d["outlet"].as_str())
    };
    let cross = pairs
        .iter()
        .filter(linking)
        .filter(|p| {
            let (a, b) = (outlet(p["a"].as_str().unwrap()), outlet(p["b"].as_str().unwrap()));
            a.is_some() && a != b
        })
        .count();
    let expected: HashMap<&str, u64> = HashMap::from([
        ("articles", summary["documents"].as_u64().unwrap()),
        ("clusters", summary["clusters"].as_u64().unwrap()),
        ("stories", summary["stories"].as_u64().unwrap()),
        ("common_passages", summary["common_passages"].as_u64().unwrap()),
        ("repeats", summary["repeats"].as_u64().unwrap()),
        ("boilerplate", summary["boilerplate"].as_u64().unwrap()),
        ("quotation_pairs", summary["quotation_pairs"].as_u64().unwrap()),
        ("skipped", summary["skipped"].as_u64().unwrap()),
        ("rewrites", pairs.iter().filter(|p| p["relation"] == "rewritten").count() as u64),
        ("cross_outlet_copies", cross as u64),
    ]);
    let shown = select(body, parser, "li[data-count]");
    assert!(shown.len() >= 9, "the summary shows its counts");
    for li in shown {
        let key = attr(li, "data-count").unwrap();
        let b = select(li, parser, "b")[0];
        let value: u64 = text(b, parser).parse().unwrap();
        assert_eq!(Some(&value), expected.get(key.as_str()), "summary count {key}");
    }
}

fn clusters_agree(body: &HTMLTag, parser: &Parser, json: &Value, docs: &HashMap<&str, &Value>) {
    let sections: HashMap<String, &HTMLTag> =
        select(body, parser, "section.cluster").into_iter().filter_map(|s| Some((attr(s, "id")?, s))).collect();
    for c in json["clusters"].as_array().unwrap() {
        let id = c["id"].as_str().unwrap();
        let section = sections.get(id).unwrap_or_else(|| panic!("cluster {id} has a section"));
        let caption = text(section, parser);
        assert!(caption.contains("in order of publication time, then of dates read from the text, then undated"));
        let items = select(section, parser, "li[data-cluster]");
        let shown: Vec<String> = items.iter().map(|li| attr(li, "data-doc").unwrap()).collect();
        let members: BTreeSet<String> =
            c["members"].as_array().unwrap().iter().map(|m| m.as_str().unwrap().to_string()).collect();
        assert_eq!(shown.iter().cloned().collect::<BTreeSet<_>>(), members, "members of {id}");
        assert_eq!(shown.len(), members.len(), "each member once in {id}");
        let keys: Vec<(u8, i64, String)> = shown.iter().map(|d| order_key(docs[d.as_str()])).collect();
        assert!(keys.windows(2).all(|w| w[0] <= w[1]), "timeline of {id} out of order: {shown:?} {keys:?}");
        let canonical: Vec<&&HTMLTag> =
            items.iter().filter(|li| attr(li, "class").is_some_and(|c| c.contains("canonical"))).collect();
        assert_eq!(canonical.len(), 1, "one canonical in {id}");
        let kept = attr(canonical[0], "data-doc").unwrap();
        assert_eq!(kept, c["canonical"].as_str().unwrap(), "canonical of {id}");
        let reason = text(select(canonical[0], parser, "span.reason")[0], parser);
        canonical_reason_holds(&reason, &kept, &members, docs);
    }
}

/// The reason the report gives for the canonical version is true of the
/// JSON's documents.
fn canonical_reason_holds(reason: &str, kept: &str, members: &BTreeSet<String>, docs: &HashMap<&str, &Value>) {
    let published = |d: &str| docs[d]["published_utc"].as_str().map(seconds);
    let words = |d: &str| docs[d]["words"].as_u64().unwrap();
    if reason.starts_with("the earliest published") {
        let at = published(kept).expect("the canonical is published");
        assert!(members.iter().filter_map(|m| published(m)).all(|t| t >= at), "{kept} is the earliest published");
        if reason.contains("fullest") {
            let ties: Vec<&String> = members.iter().filter(|m| published(m).as_ref() == Some(&at)).collect();
            assert!(ties.len() > 1 && ties.iter().all(|m| words(m) <= words(kept)), "{kept} is the fullest tie");
        }
    } else {
        assert!(reason.starts_with("the fullest text: no version has a publication time"), "{reason}");
        assert!(members.iter().all(|m| published(m).is_none()), "no member of {kept}'s cluster is published");
        assert!(members.iter().all(|m| words(m) <= words(kept)), "{kept} is the fullest");
    }
}

/// Returns how many links it read.
fn links_agree(body: &HTMLTag, parser: &Parser, pairs: &HashMap<(&str, &str), &Value>) -> usize {
    let links = select(body, parser, "div.link");
    for &link in &links {
        let (left, right) = (attr(link, "data-left").unwrap(), attr(link, "data-right").unwrap());
        let pair = pairs
            .get(&(left.as_str(), right.as_str()))
            .or_else(|| pairs.get(&(right.as_str(), left.as_str())))
            .unwrap_or_else(|| panic!("the pair {left} {right} is in the JSON"));
        let direction = attr(link, "data-direction").unwrap();
        match direction.as_str() {
            "copy" => {
                assert_eq!(pair["source"].as_str(), Some(left.as_str()), "source of {left} {right}");
                assert_eq!(pair["copy"].as_str(), Some(right.as_str()));
            }
            "siblings" => assert_eq!(pair["direction"], "siblings"),
            other => {
                assert_eq!(other, "undetermined");
                assert_eq!(pair["direction"], "undetermined", "{left} {right}");
            }
        }
        let shown: Vec<(String, String)> = select(link, parser, "li[data-favours]")
            .iter()
            .map(|li| (attr(li, "data-favours").unwrap(), text(li, parser)))
            .collect();
        let expected: Vec<(String, String)> = pair["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["weight"].as_f64().unwrap() > 0.0)
            .map(|e| (e["favours"].as_str().unwrap_or("").to_string(), e["detail"].as_str().unwrap().to_string()))
            .collect();
        assert_eq!(shown, expected, "evidence of {left} {right}");
        let verdict = text(select(link, parser, "p.verdict")[0], parser);
        let ways: BTreeSet<&str> = shown.iter().map(|(f, _)| f.as_str()).filter(|f| !f.is_empty()).collect();
        match direction.as_str() {
            "copy" => assert!(ways.iter().all(|w| *w == left), "evidence against the direction of {left} {right}"),
            "undetermined" if verdict.contains("both ways") => assert_eq!(ways.len(), 2, "{left} {right}"),
            "undetermined" if verdict.starts_with("No evidence") => assert!(shown.is_empty()),
            "undetermined" => assert!(ways.len() < 2, "{verdict}"),
            _ => {}
        }
    }
    links.len()
}

fn stories_agree(body: &HTMLTag, parser: &Parser, json: &Value) {
    let units: HashMap<String, &HTMLTag> =
        select(body, parser, "div.story-unit").into_iter().map(|u| (attr(u, "data-story").unwrap(), u)).collect();
    for s in json["stories"].as_array().unwrap() {
        let id = s["id"].as_str().unwrap();
        let unit = units.get(id).unwrap_or_else(|| panic!("story {id} is in the report"));
        let shown: BTreeSet<String> =
            select(unit, parser, "li[data-doc]").iter().map(|li| attr(li, "data-doc").unwrap()).collect();
        let members: BTreeSet<String> =
            s["members"].as_array().unwrap().iter().map(|m| m.as_str().unwrap().to_string()).collect();
        assert_eq!(shown, members, "articles of story {id}");
    }
}

fn alone_agrees(body: &HTMLTag, parser: &Parser, json: &Value) {
    let in_story: BTreeSet<&str> = json["stories"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["members"].as_array().unwrap().iter().map(|m| m.as_str().unwrap()))
        .collect();
    let with_findings: BTreeSet<String> = json["documents"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| !in_story.contains(d["id"].as_str().unwrap()))
        .filter(|d| !d["repeats"].as_array().unwrap().is_empty() || !d["credits"].as_array().unwrap().is_empty())
        .map(|d| d["id"].as_str().unwrap().to_string())
        .collect();
    let alone = select(body, parser, "section#alone");
    let shown: BTreeSet<String> = alone
        .first()
        .map(|s| select(s, parser, "li[data-doc]").iter().map(|li| attr(li, "data-doc").unwrap()).collect())
        .unwrap_or_default();
    assert!(with_findings.is_subset(&shown), "missing: {:?}", with_findings.difference(&shown).collect::<Vec<_>>());
}

#[test]
fn samples_report_agrees_with_json() {
    agrees(&samples().join("feed.jsonl"));
}

#[test]
fn helsinki_report_agrees_with_json() {
    agrees(&shared_corpus("helsinki-summit-2018.jsonl"));
}

#[test]
fn reuters_report_agrees_with_json() {
    agrees(&shared_corpus("reuters-21578.jsonl"));
}
