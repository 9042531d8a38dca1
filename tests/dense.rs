//! A story carried by many pages: clustering it costs a check per page, not
//! one per pair of pages, and every page still lands in the story's one
//! cluster (it grows as a star around its hub past `cluster::STAR_FROM`).

use copydesk::synth::{Corpus, Rng, SynthOptions};
use copydesk::{Document, ScanConfig, Scanner};

/// `pages` copies of one generated article among `others` other articles,
/// each copy with its own masthead and footer, cut at its own length, and
/// a few words changed.
fn corpus(pages: usize, others: usize) -> (Vec<Document>, String) {
    let mut docs =
        Corpus::generate(&SynthOptions { articles: others, copy_share: 0.0, ..SynthOptions::default() }).documents;
    let source = docs.iter().max_by_key(|d| d.text.len()).expect("articles").clone();
    let paragraphs: Vec<&str> = source.text.split("\n\n").collect();
    let mut rng = Rng::new(7);
    for p in 0..pages {
        let keep = paragraphs.len() * 6 / 10 + (rng.next_u64() as usize) % (paragraphs.len() * 4 / 10 + 1);
        let mut words: Vec<String> =
            paragraphs[..keep.clamp(3, paragraphs.len())].join("\n\n").split(' ').map(str::to_string).collect();
        for _ in 0..(rng.next_u64() % 4) {
            let at = (rng.next_u64() as usize) % words.len();
            words[at] = "reported".to_string();
        }
        let text =
            format!("Site {p} News | Home | World\n\n{}\n\nCopyright Site {p}. All rights reserved.", words.join(" "));
        docs.push(Document::from_text(format!("page-{p}"), text).with_outlet(&format!("site{p}.example")));
    }
    (docs, source.id)
}

#[test]
fn a_story_on_many_pages_is_one_cluster_without_quadratic_verification() {
    let pages = 200;
    let (docs, source) = corpus(pages, 2_000);
    let scan = Scanner::new(ScanConfig::default()).scan(docs);
    let cluster = scan
        .clusters
        .iter()
        .find(|c| c.members.iter().any(|&d| scan.documents[d as usize].id == "page-0"))
        .expect("the pages cluster");
    let ids: Vec<&str> = cluster.members.iter().map(|&d| scan.documents[d as usize].id.as_str()).collect();
    let on_pages = ids.iter().filter(|id| id.starts_with("page-")).count();
    assert_eq!(on_pages, pages, "every page in the story's cluster");
    assert!(ids.contains(&source.as_str()), "with the article they carry");
    // Complete linkage would verify every pair of pages it was not given:
    // up to pages² / 2. A star needs about one check per page.
    let on_demand = scan.stats.verified_on_demand;
    assert!(on_demand <= 4 * pages, "{on_demand} verifications on demand for {pages} pages");
}
