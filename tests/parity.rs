//! Parity of the feed index with `copydesk scan`: a corpus deduplicated
//! batch by batch (batches of 1, 10, 100 and 1,000 articles) forms the
//! same stories as one scan of the whole corpus, on the sample articles,
//! the Helsinki news pages and 20,000 synthetic articles with planted
//! copies. Any difference fails the test, with the articles it concerns.
//!
//! Runs through the library (the CLI path is the same code: see
//! tests/dedup.rs), so thousands of batches take seconds, not minutes.

mod common;

use common::*;
use copydesk::index::{self, DedupOptions, Index};
use copydesk::ingest::{ingest, IngestOptions, Input};
use copydesk::synth::{Corpus, SynthOptions};
use copydesk::{Document, ScanConfig, Scanner};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

fn read(path: &Path) -> Vec<Document> {
    let inputs = [Input::parse(path)];
    ingest(&inputs, &IngestOptions::default(), std::io::empty()).unwrap().documents
}

/// Article id -> the ids of its story, for stories of two or more.
type Stories = BTreeMap<String, BTreeSet<String>>;

fn by_member(clusters: impl IntoIterator<Item = Vec<String>>) -> Stories {
    let mut out = Stories::new();
    for members in clusters.into_iter().filter(|m| m.len() > 1) {
        let set: BTreeSet<String> = members.iter().cloned().collect();
        for m in members {
            out.insert(m, set.clone());
        }
    }
    out
}

fn scanned(docs: &[Document], config: &ScanConfig) -> Stories {
    let scan = Scanner::new(config.clone()).scan(docs.to_vec());
    by_member(scan.clusters.iter().map(|c| c.members.iter().map(|&m| scan.documents[m as usize].id.clone()).collect()))
}

fn deduplicated(docs: &[Document], config: &ScanConfig, batch: usize) -> Stories {
    let dir = tempfile::tempdir().unwrap();
    let index = Index::open_or_create(dir.path(), config).unwrap();
    for chunk in docs.chunks(batch) {
        let result = index::dedup(&index, chunk, config, DedupOptions::default()).unwrap();
        assert_eq!(result.decisions.len(), chunk.len(), "every article decided");
    }
    let mut index = index;
    assert!(index.verify().unwrap().is_empty(), "the index verifies");
    by_member(index.clusters().unwrap().into_iter().map(|c| c.members))
}

/// Dedups `docs` in batches of each size and compares with one scan.
fn assert_parity(name: &str, docs: &[Document], batches: &[usize]) {
    let config = ScanConfig::default();
    let expected = scanned(docs, &config);
    assert!(!expected.is_empty(), "{name}: the scan finds stories to compare");
    for &batch in batches {
        let started = std::time::Instant::now();
        let got = deduplicated(docs, &config, batch);
        eprintln!("{name} in batches of {batch}: {:.1} s", started.elapsed().as_secs_f64());
        let differ: Vec<&String> = docs.iter().map(|d| &d.id).filter(|id| expected.get(*id) != got.get(*id)).collect();
        assert!(
            differ.is_empty(),
            "{name} in batches of {batch}: {} of {} articles in another story than the scan's, e.g. {:?}",
            differ.len(),
            docs.len(),
            differ.iter().take(5).map(|id| (id, expected.get(*id), got.get(*id))).collect::<Vec<_>>()
        );
    }
}

#[test]
fn samples_in_batches_form_the_scans_stories() {
    assert_parity("samples", &read(&samples().join("feed.jsonl")), &[1, 10, 100, 1000]);
}

#[test]
fn real_news_in_batches_forms_the_scans_stories() {
    let docs = read(&shared_corpus("helsinki-summit-2018.jsonl"));
    assert_parity("Helsinki", &docs, &[1, 10, 100, 1000]);
}

/// Batches of 1 over 20,000 articles are 20,000 transactions, each with
/// its segment files synced: `make test-parity` adds them
/// (COPYDESK_PARITY_SINGLES=1); the default suite runs 1,000, 100 and 10.
#[test]
fn synthetic_news_in_batches_forms_the_scans_stories() {
    let docs = Corpus::generate(&SynthOptions { articles: 20_000, ..SynthOptions::default() }).documents;
    let mut batches = vec![1000, 100, 10];
    if std::env::var_os("COPYDESK_PARITY_SINGLES").is_some() {
        batches.push(1);
    }
    assert_parity("synthetic", &docs, &batches);
}
