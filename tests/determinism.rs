//! The same corpus gives the same scan on any number of threads.
//!
//! The samples (tests/cli.rs) are too small to split the cross-document
//! indexes into several partitions or the documents into several runs; a
//! synthetic corpus of a few thousand articles with planted copies does both,
//! and is large enough for document frequency to be counted on a sample.

use copydesk::synth::{Corpus, SynthOptions};
use copydesk::{Scan, ScanConfig, Scanner};

fn scan_on(threads: usize, corpus: &Corpus) -> Scan {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("a thread pool");
    pool.install(|| Scanner::new(ScanConfig::default()).scan(corpus.documents.clone()))
}

#[test]
fn any_thread_count_gives_the_same_scan() {
    let corpus = Corpus::generate(&SynthOptions { articles: 3000, ..SynthOptions::default() });
    let one = scan_on(1, &corpus);
    // The corpus is what the test means it to be: copies found, clusters
    // formed, and more documents than a document-frequency sample holds.
    assert!(one.pairs.len() >= corpus.planted.len() / 2, "{} pairs", one.pairs.len());
    assert!(!one.clusters.is_empty());
    assert!(corpus.documents.len() > copydesk::corpus::common::DF_SAMPLE);
    for threads in [2, 3] {
        let other = scan_on(threads, &corpus);
        assert_eq!(other.stats, one.stats, "{threads} threads");
        assert_eq!(other.clusters, one.clusters, "{threads} threads");
        assert_eq!(other.pairs, one.pairs, "{threads} threads");
        for (a, b) in one.analyses.iter().zip(&other.analyses) {
            assert_eq!(format!("{a:?}"), format!("{b:?}"), "{threads} threads");
        }
    }
}
