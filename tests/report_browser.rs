//! The editor report in a real browser (headless Chromium, which
//! `make test` and `.ci/run` install from Debian's packages): the DOM holds
//! the clusters, arrows and highlights at the right text, a screenshot is
//! taken, and article text full of markup and odd Unicode never executes.

mod common;

use common::*;
use regex::Regex;
use std::path::{Path, PathBuf};
use std::process::Command;

fn chromium() -> PathBuf {
    let candidates =
        [std::env::var("CHROMIUM").unwrap_or_default(), "/usr/bin/chromium".into(), "/usr/bin/chromium-browser".into()];
    candidates
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
        .expect("headless Chromium is needed for the report tests: `make test` installs Debian's chromium package")
}

fn headless(dir: &Path, extra: &[&str], page: &Path) -> std::process::Output {
    let profile = dir.join("profile");
    Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--virtual-time-budget=3000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs")
}

fn render(dir: &Path, args: &[&str]) -> PathBuf {
    let out = dir.join("report.html");
    copydesk(&root()).arg("report").args(args).arg("-o").arg(&out).assert().success();
    out
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'").replace("&amp;", "&")
}

#[test]
fn seed_report_in_a_browser() {
    let dir = tempfile::tempdir().unwrap();
    let page = render(dir.path(), &["samples/feed.jsonl"]);
    let out = headless(dir.path(), &["--dump-dom"], &page);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let dom = String::from_utf8(out.stdout).unwrap();
    assert!(dom.contains("id=\"summary\""));
    assert_eq!(dom.matches("<section class=\"cluster\" id=\"c").count(), 1, "one story cluster");
    assert!(dom.contains("→ copied by"), "direction arrow");
    assert!(dom.contains("000_3419b1561b2f5441 earlier"), "evidence in words");
    // The filter script ran: the policy allows it by its hash, and no
    // inline script otherwise.
    assert!(Regex::new(r#"<body[^>]*data-filter="ready""#).unwrap().is_match(&dom), "the report's script ran");
    let html = std::fs::read_to_string(&page).unwrap();
    let policy =
        Regex::new(r#"Content-Security-Policy" content="([^"]+)""#).unwrap().captures(&html).unwrap()[1].to_string();
    assert!(policy.contains("script-src 'sha256-") && !policy.contains("script-src 'unsafe-inline'"), "{policy}");
    // Articles in no story with findings are there: 004, the Nation piece
    // with six repeated paragraphs.
    assert!(dom.contains("id=\"alone\"") && dom.contains("004_265cc75bb34af06a"), "004 is reported");
    // Every highlight shows exactly the bytes its range names.
    let feed = std::fs::read_to_string(samples().join("feed.jsonl")).unwrap();
    let texts: std::collections::HashMap<String, String> = feed
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .map(|v| (v["id"].as_str().unwrap().to_string(), v["text"].as_str().unwrap().to_string()))
        .collect();
    let mark = Regex::new(
        r#"<span class="where" data-doc="([^"]+)"[^>]*>[^<]+ · bytes \d+–\d+</span>.*?<mark class="(\w+)" data-start="(\d+)" data-end="(\d+)">([^<]*)</mark>"#,
    )
    .unwrap();
    let mut checked = 0;
    for c in mark.captures_iter(&dom) {
        let (id, start, end) = (&c[1], c[3].parse::<usize>().unwrap(), c[4].parse::<usize>().unwrap());
        assert_eq!(&c[2], "rewritten");
        let original = &texts[id][start..end];
        assert_eq!(squash(&unescape(&c[5])), squash(original), "highlight of {id} {start}..{end}");
        checked += 1;
    }
    assert!(checked >= 10, "{checked} highlights checked");
    // A screenshot of the report, for people (README shows one).
    let shot = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("report-seeds.png");
    let out = headless(dir.path(), &["--window-size=1280,1800", &format!("--screenshot={}", shot.display())], &page);
    assert!(out.status.success());
    let png = std::fs::read(&shot).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    assert!(png.len() > 20_000, "screenshot has content");
}

#[test]
fn hostile_article_text_never_executes() {
    let dir = tempfile::tempdir().unwrap();
    let payload = "<script>document.body.setAttribute('data-pwned','script')</script> \
        <img src=x onerror=\"document.body.setAttribute('data-pwned','img')\"> \
        <a href=\"javascript:document.body.setAttribute('data-pwned','link')\">click here</a> \
        \u{202E}reversed text\u{202C} zero\u{200B}width \u{200F}marks";
    let body = seed("002");
    let text = format!("{payload}\n\n{body}\n\n{payload}");
    let lines: Vec<String> = ["x1", "x2"]
        .iter()
        .map(|id| {
            let url = if *id == "x1" {
                "javascript:document.body.setAttribute('data-pwned','url')"
            } else {
                "https://example.org/x2?a=1&b=2"
            };
            // A payload in every field: id, outlet, title, url, published, text.
            let attribute_breaker = "\"'><img src=x onerror=\"document.body.setAttribute('data-pwned','attr')\">";
            serde_json::json!({
                "id": format!("{id}{attribute_breaker}"),
                "outlet": format!("<b>{id}</b>{attribute_breaker}"),
                "title": payload,
                "url": url,
                "published": format!("2018-07-16{attribute_breaker}<script>document.body.setAttribute('data-pwned','date')</script>"),
                "text": text,
            })
            .to_string()
        })
        .collect();
    std::fs::write(dir.path().join("hostile.jsonl"), lines.join("\n")).unwrap();
    let page = dir.path().join("report.html");
    copydesk(dir.path()).args(["report", "hostile.jsonl", "-o"]).arg(&page).assert().success();
    let html = std::fs::read_to_string(&page).unwrap();
    // The file holds the payload only as escaped text.
    assert!(!html.contains("<script>document"), "raw script in the file");
    assert!(!html.contains("<img src=x"), "raw img in the file");
    assert!(!html.contains("\"'><"), "an attribute value closed early");
    assert!(html.contains("&lt;script&gt;"));
    let out = headless(dir.path(), &["--dump-dom"], &page);
    assert!(out.status.success());
    let dom = String::from_utf8(out.stdout).unwrap();
    let body_tag = Regex::new(r"<body[^>]*>").unwrap().find(&dom).expect("a body").as_str().to_string();
    assert!(!body_tag.contains("data-pwned"), "a payload ran: {body_tag}");
    assert!(
        dom.contains("setAttribute('data-pwned','script')") || dom.contains("setAttribute(&#39;data-pwned"),
        "the payload shows as text"
    );
    assert!(!dom.contains("<img"), "an image element was created");
    // The published and id payloads show as text too.
    assert!(dom.contains("setAttribute('data-pwned','date')"), "the published payload shows as text");
    assert!(dom.contains("setAttribute('data-pwned','attr')"), "the id payload shows as text");
    assert!(!Regex::new(r"<a\s[^>]*javascript:").unwrap().is_match(&dom), "a javascript: link was created");
    // URLs show as text; only the http(s) one is a link.
    assert!(dom.contains("href=\"https://example.org/x2?a=1&amp;b=2\""), "the https URL is linked");
    assert!(dom.contains("javascript:document.body.setAttribute"), "the javascript: URL shows as text");
    assert_eq!(dom.matches("<script").count(), 1, "only the report's own script");
    // The page still lays out: its summary and the cluster are there.
    assert!(dom.contains("id=\"summary\""));
    assert_eq!(dom.matches("<section class=\"cluster\" id=\"c").count(), 1);
    let shot = dir.path().join("hostile.png");
    let out = headless(dir.path(), &["--window-size=1280,1400", &format!("--screenshot={}", shot.display())], &page);
    assert!(out.status.success());
    assert!(std::fs::metadata(&shot).unwrap().len() > 20_000);
}

#[test]
fn markdown_report() {
    let out = copydesk(&root()).args(["report", "samples/feed.jsonl", "--format", "markdown"]).output().unwrap();
    assert!(out.status.success());
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(md.starts_with("# copydesk report"));
    assert!(md.contains("→ copied by pk-news-site: Prime Minister Kakar and President Putin hold talks (001\\_f97c509c3bd34467): rewritten"), "{md}");
    assert!(md.contains("[R] "));
}

#[test]
fn markdown_values_cannot_forge_structure() {
    let dir = tempfile::tempdir().unwrap();
    let body = seed("002");
    let forged = "Title\n# Forged heading\n- forged item\r\n> forged quote";
    let lines: Vec<String> = ["m1", "m2"]
        .iter()
        .map(|id| serde_json::json!({"id": id, "outlet": forged, "title": forged, "text": body}).to_string())
        .collect();
    std::fs::write(dir.path().join("forged.jsonl"), lines.join("\n")).unwrap();
    let out = copydesk(dir.path()).args(["report", "forged.jsonl", "--format", "markdown"]).output().unwrap();
    assert!(out.status.success());
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(md.contains("Forged heading"), "the value is in the report");
    for line in md.lines() {
        assert!(
            !line.starts_with("# Forged") && !line.starts_with("- forged") && !line.starts_with("> forged"),
            "{line}"
        );
    }
}

#[test]
fn large_corpus_report_stays_small() {
    let corpus = shared_corpus("helsinki-summit-2018.jsonl");
    let dir = tempfile::tempdir().unwrap();
    let page = render(dir.path(), &[corpus.to_str().unwrap()]);
    let size = std::fs::metadata(&page).unwrap().len();
    assert!(size < 10 * 1024 * 1024, "report is {size} bytes");
    let html = std::fs::read_to_string(&page).unwrap();
    // Largest stories first; the long ones start collapsed.
    let sizes: Vec<usize> = Regex::new(r#"class="story-unit" data-size="(\d+)""#)
        .unwrap()
        .captures_iter(&html)
        .map(|c| c[1].parse().unwrap())
        .collect();
    assert!(sizes.len() > 20);
    assert!(sizes.windows(2).all(|w| w[0] >= w[1]), "{sizes:?}");
    assert!(html.contains("<details>"), "some clusters start collapsed");
    assert!(html.contains("id=\"search\""));
    // Stories hold their version clusters, and passages many stories carry
    // have their section.
    assert!(html.contains("<section class=\"story\""));
    // The report opens with the outlet graph, drawn inline.
    let graph = html.find("id=\"outlet-graph\"").expect("an outlet graph");
    assert!(graph < html.find("<section").unwrap(), "the graph comes before the stories");
    assert!(html.matches("<line class=\"edge\"").count() >= 10, "arrows between outlets");
    // Stories with dated versions draw them to scale.
    assert!(html.contains("<figure class=\"scale\">"), "a timeline to scale");
    // Headings read as headlines, not page furniture such as "comments"
    // or a gallery counter "1 / 19".
    let titles: Vec<String> =
        Regex::new(r"<summary><h2>([^<]*)</h2>").unwrap().captures_iter(&html).map(|c| c[1].to_string()).collect();
    assert!(titles.len() > 20);
    let counter = Regex::new(r"^\d+ / \d+$").unwrap();
    assert!(titles.iter().all(|t| t != "comments" && !counter.is_match(t)), "{:?}", &titles[..10]);
    assert!(html.contains("id=\"common-passages\""));
    // The first screen, for people (README shows it): the summary and the
    // outlet graph.
    let shot = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("report-helsinki.png");
    let out = headless(dir.path(), &["--window-size=1280,1000", &format!("--screenshot={}", shot.display())], &page);
    assert!(out.status.success());
    assert!(std::fs::metadata(&shot).unwrap().len() > 20_000, "screenshot has content");
}
