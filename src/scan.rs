//! The pipeline: documents in, a [`Scan`] out (documents with their repeats,
//! verified pairs with passages, story clusters).
//!
//! Per-document stages (normalize, shingle, sign, fingerprint, repeats) run
//! in parallel with rayon; cross-document stages sort their inputs before
//! they combine them, so the result is the same for any thread count.

use crate::analysis::content::ContentSentences;
use crate::analysis::repeats::{self, Repeat};
use crate::analysis::shingle::HashSetU64;
use crate::config::ScanConfig;
use crate::corpus::boilerplate::{self, ShortParagraph};
use crate::document::Document;
use crate::ingest::Skipped;
use crate::linking::candidates::{self, BandParams};
use crate::linking::cluster::Cluster;
use crate::linking::linker::Linker;
use crate::linking::stories::{self, Story};
use crate::linking::upstream::{self, CommonPassage};
use crate::linking::{hubs, rewrite, sentence_index};
use rayon::prelude::*;
use std::cmp::Reverse;
use std::collections::HashMap;
use std::ops::Range;

pub use crate::analysis::normalize::TokenSpan;
pub use crate::analysis::{analyze, Analysis, IndexKeys};
pub use crate::linking::pairs::{token_bytes, Pair, Passage, Tokenized, EDITED_COVERAGE};

pub use crate::document::MAX_DOCUMENT_BYTES;

use crate::analysis::{analyze_with, SCRATCH};
use crate::corpus::common::{common_shingles, df_sample_stride, drop_story_shingles, holders};

/// Winnowing fingerprints two documents must share to be containment
/// candidates.
pub const MIN_SHARED_FINGERPRINTS: usize = 2;

/// Counts that say how the scan went.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    pub bands: usize,
    pub rows: usize,
    pub lsh_candidates: usize,
    pub containment_candidates: usize,
    pub candidates: usize,
    pub verified_on_demand: usize,
    pub rewrite_candidates: usize,
    pub rewrites: usize,
    pub common_fingerprints: usize,
    pub common_df: usize,
    pub bytes: usize,
    pub tokens: usize,
}

/// Wall-clock time spent in each stage, in pipeline order. Not part of any
/// output (it differs between runs); benchmarks print it.
#[derive(Debug, Clone, Default)]
pub struct Timings(pub Vec<(&'static str, std::time::Duration)>);

struct Stopwatch<'a> {
    last: std::time::Instant,
    timings: Timings,
    progress: &'a (dyn Fn(&str) + Sync),
}

impl<'a> Stopwatch<'a> {
    fn new(progress: &'a (dyn Fn(&str) + Sync)) -> Self {
        Stopwatch { last: std::time::Instant::now(), timings: Timings::default(), progress }
    }
    fn lap(&mut self, stage: &'static str) {
        let now = std::time::Instant::now();
        self.timings.0.push((stage, now - self.last));
        self.last = now;
        (self.progress)(stage);
    }
}

/// The result of a scan.
#[derive(Debug, Clone)]
pub struct Scan {
    pub documents: Vec<Document>,
    pub analyses: Vec<Analysis>,
    pub pairs: Vec<Pair>,
    pub clusters: Vec<Cluster>,
    /// Looser groups of documents joined by substantial reuse: a story and
    /// its versions' clusters.
    pub stories: Vec<Story>,
    /// Passages many documents of many stories carry: a common upstream.
    pub common_passages: Vec<CommonPassage>,
    /// Inputs that were not scanned, and why.
    pub skipped: Vec<Skipped>,
    /// Files in walked directories left out by the ignore rules (hidden, or
    /// named in an ignore file).
    pub ignored: usize,
    pub stats: Stats,
    pub timings: Timings,
    /// Set when the scan was asked to carry ([`Context::carry`]).
    pub carried: Option<Carried>,
}

impl Scan {
    /// The cluster (index into `clusters`) each document belongs to.
    pub fn cluster_of(&self) -> Vec<Option<usize>> {
        let mut of = vec![None; self.documents.len()];
        for (ci, c) in self.clusters.iter().enumerate() {
            for &m in &c.members {
                of[m as usize] = Some(ci);
            }
        }
        of
    }

    /// Repeats of document `i` as byte ranges of its original input.
    pub fn source_repeats(&self, i: usize) -> Vec<(Range<usize>, Range<usize>, &Repeat)> {
        let doc = &self.documents[i];
        self.analyses[i]
            .repeats
            .iter()
            .map(|r| (doc.source_span(r.first.clone()), doc.source_span(r.second.clone()), r))
            .collect()
    }
}

/// What a scan of part of a corpus knows of the rest of it.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// Documents in the whole corpus: shingles held by more than the
    /// common share of *these* are furniture (0: the scanned documents are
    /// the corpus).
    pub corpus_size: usize,
    /// The corpus's common shingles, when the caller counted them over
    /// more than the scanned documents (an index's sample of its archive).
    pub common: Option<HashSetU64>,
    /// The corpus's content-word weights (which words are rare), likewise.
    pub words: Option<rewrite::WordWeights>,
    /// Hand on what a later partial scan of the same corpus needs
    /// ([`Scan::carried`]).
    pub carry: bool,
}

/// What a scan hands on, when asked ([`Context::carry`]), to a later scan
/// of part of the same corpus (a check's cache re-scans only what changed):
/// each document's index keys and the corpus statistics it was judged by.
#[derive(Debug, Clone, Default)]
pub struct Carried {
    /// Per document: LSH band keys, distinct winnowing fingerprints and
    /// sentence-index keys.
    pub keys: Vec<DocumentKeys>,
    pub common: HashSetU64,
    pub words: rewrite::WordWeights,
}

/// The keys a document is found by in each candidate index.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocumentKeys {
    pub band_keys: Vec<u64>,
    pub fingerprints: Vec<u64>,
    pub sentence_keys: Vec<u64>,
}

/// Runs the pipeline under one validated configuration.
#[derive(Debug, Clone, Default)]
pub struct Scanner {
    config: ScanConfig,
}

impl Scanner {
    pub fn new(config: ScanConfig) -> Self {
        Scanner { config }
    }

    pub fn config(&self) -> &ScanConfig {
        &self.config
    }

    /// Scans `documents`; documents over [`MAX_DOCUMENT_BYTES`] must have been
    /// refused by the caller (ingest does).
    pub fn scan(&self, documents: Vec<Document>) -> Scan {
        self.scan_with_progress(documents, &|_| {})
    }

    /// Scans `documents`, calling `progress` with each stage's name as it
    /// finishes (the library never prints; a caller may).
    pub fn scan_with_progress(&self, documents: Vec<Document>, progress: &(dyn Fn(&str) + Sync)) -> Scan {
        self.scan_in(documents, Vec::new(), &Context::default(), progress)
    }

    /// Scans `documents` as part of a larger corpus that `context`
    /// describes (an index's archive): the same pipeline as [`Scanner::scan`].
    /// `analysed` may give, per document, the analysis the caller already
    /// made of it under this configuration (an index analyses new articles
    /// before it can look them up); empty, or `None` for a document, means
    /// analyse it here.
    pub fn scan_in(
        &self,
        documents: Vec<Document>,
        analysed: Vec<Option<(Analysis, IndexKeys)>>,
        context: &Context,
        progress: &(dyn Fn(&str) + Sync),
    ) -> Scan {
        let config = &self.config;
        let mut watch = Stopwatch::new(progress);
        let n = documents.len();
        let common_df = config.common_df(n.max(context.corpus_size));
        // The documents sampled for document frequency keep their distinct
        // shingles from analysis, so nothing is tokenized twice for it.
        let stride = if context.common.is_some() { None } else { df_sample_stride(n, common_df) };
        type Sampled = Vec<Vec<u64>>;
        let mut given = analysed;
        given.resize_with(n, || None);
        let (mut analyses, (keys, df_sample)): (Vec<Analysis>, (Vec<IndexKeys>, Sampled)) = documents
            .par_iter()
            .zip(given.into_par_iter())
            .enumerate()
            .map(|(i, (d, given))| {
                let sampled = stride.is_some_and(|s| i % s == 0);
                // Sentences indexed by another scan's word table are read
                // afresh.
                if let Some((analysis, keys)) = given.filter(|(a, _)| !sampled && !a.sentences.is_indexed()) {
                    return (analysis, (keys, Vec::new()));
                }
                SCRATCH.with_borrow_mut(|scratch| {
                    let (analysis, keys) = analyze_with(d, config, scratch);
                    (analysis, (keys, if sampled { repeats::distinct(&scratch.hashes) } else { Vec::new() }))
                })
            })
            .unzip();
        watch.lap("analyze");
        // Counted now so that the sample's memory is free for the indexes.
        let mut common = match (stride, &context.common) {
            (_, Some(common)) => common.clone(),
            (Some(stride), None) => common_shingles(&df_sample, n, stride, common_df),
            (None, None) => HashSetU64::default(),
        };
        let holders = if context.common.is_none() { holders(&df_sample, &common) } else { HashMap::new() };
        drop(df_sample);
        watch.lap("common shingles");
        let BandParams { bands, rows } = config.bands();

        // Each index's keys are dropped as soon as it is built, in parallel
        // (freeing 400,000 small vectors on one thread took 38 ms).
        type Keys = Vec<Vec<u64>>;
        type SentenceKeys = Vec<Option<Vec<(u64, u32)>>>;
        let (band_keys, (fingerprints, mut given_sentence_keys)): (Keys, (Keys, SentenceKeys)) =
            keys.into_iter().map(|k| (k.band_keys, (k.fingerprints, k.sentence_keys))).unzip();
        if context.words.is_none() {
            // Keys computed under other weights than the scan's own.
            given_sentence_keys.iter_mut().for_each(|k| *k = None);
        }
        let mut carried_keys: Vec<DocumentKeys> = if context.carry {
            band_keys
                .par_iter()
                .zip(&fingerprints)
                .map(|(b, f)| {
                    let mut prints = f.clone();
                    prints.sort_unstable();
                    prints.dedup();
                    DocumentKeys { band_keys: b.clone(), fingerprints: prints, sentence_keys: Vec::new() }
                })
                .collect()
        } else {
            Vec::new()
        };
        let lsh = candidates::lsh_pairs(&band_keys.iter().map(Vec::as_slice).collect::<Vec<_>>());
        let groups = hubs::groups(&lsh, n);
        drop_story_shingles(&mut common, &holders, &groups);
        drop(holders);
        band_keys.into_par_iter().for_each(drop);
        let contained = candidates::containment_pairs(
            &fingerprints.iter().map(Vec::as_slice).collect::<Vec<_>>(),
            MIN_SHARED_FINGERPRINTS,
            common_df,
        );
        fingerprints.into_par_iter().for_each(drop);
        let mut pairs_idx: Vec<(u32, u32)> = lsh.iter().chain(contained.pairs.iter()).copied().collect();
        pairs_idx.sort_unstable();
        pairs_idx.dedup();
        let weights = match &context.words {
            Some(w) => w.clone(),
            None => rewrite::WordWeights::new(&analyses.iter().map(|a| &a.sentences).collect::<Vec<_>>()),
        };
        // From here on the sentences hold their common words by index,
        // which halves what they hold through the rest of the scan.
        analyses.par_iter_mut().for_each(|a| weights.index_words(&mut a.sentences));
        let all_sentences: Vec<&ContentSentences> = analyses.iter().map(|a| &a.sentences).collect();
        let sentence_bands = rewrite::sentence_bands();
        // Sorted for the carried keys; the index sorts its own.
        let keys_of = |d: usize, sorted: bool| match &given_sentence_keys[d] {
            Some(given) => given.clone(),
            None if sorted => rewrite::document_keys(all_sentences[d], &weights, sentence_bands),
            None => rewrite::unsorted_document_keys(all_sentences[d], &weights, sentence_bands),
        };
        carried_keys.par_iter_mut().enumerate().for_each(|(d, carried)| {
            carried.sentence_keys = keys_of(d, true).iter().map(|k| k.0).collect();
            carried.sentence_keys.dedup();
        });
        // The index makes each document's keys as it goes, a few thousand
        // documents at a time, instead of holding them all.
        let rewrite_idx = if config.options().rewrites {
            let sentences = all_sentences.iter().map(|s| s.len()).max().unwrap_or(0);
            sentence_index::candidate_pairs(n, sentences, |d| keys_of(d, false))
        } else {
            Vec::new()
        };
        drop(given_sentence_keys);
        watch.lap("candidates");

        // Boilerplate: paragraphs recurring across different stories (the
        // candidate index says which documents are likely copies).
        let learned = {
            let paragraphs: Vec<&[ShortParagraph]> = analyses.iter().map(|a| a.paragraphs.as_slice()).collect();
            let outlets: Vec<Option<&str>> = documents.iter().map(|d| d.meta.outlet.as_deref()).collect();
            // `pairs_idx` is sorted and distinct.
            boilerplate::learn(&paragraphs, &outlets, |x, y| pairs_idx.binary_search(&(x.min(y), x.max(y))).is_ok())
        };
        analyses.par_iter_mut().zip(learned).for_each(|(a, found)| boilerplate::merge(&mut a.boilerplate, found));
        watch.lap("boilerplate");
        // Copies in a large group are verified against its hub only (after
        // boilerplate learning, which reads every candidate pair).
        let pairs_idx = hubs::thin(pairs_idx, &groups, |d| canonical_rank(&documents, &analyses, d));
        drop(groups);

        let mut stats = Stats {
            bands,
            rows,
            lsh_candidates: lsh.len(),
            containment_candidates: contained.pairs.len(),
            candidates: pairs_idx.len(),
            rewrite_candidates: rewrite_idx.len(),
            common_fingerprints: contained.common_fingerprints,
            common_df,
            bytes: documents.iter().map(|d| d.text.len()).sum(),
            tokens: analyses.iter().map(|a| a.num_tokens).sum(),
            ..Stats::default()
        };

        // Tokens, shingles and exact sets, only for documents some pair needs.
        let mut linker = Linker::new(config, &documents, &analyses, &common, &weights, pairs_idx.iter().copied());
        watch.lap("exact sets");
        let (mut pairs, mut verified) = linker.verify(&pairs_idx);
        watch.lap("verify");
        // Rewrites: candidate pairs not already linked by shared wording.
        stats.rewrites = linker.rewrites(&pairs, rewrite_idx, &mut verified);
        watch.lap("rewrites");
        linker.align(&mut pairs, verified);
        watch.lap("align");

        pairs.sort_by_key(|p| (p.a, p.b));
        let outlets: Vec<Option<&str>> = documents.iter().map(|d| d.meta.outlet.as_deref()).collect();
        let common_passages = upstream::learn(&mut pairs, &outlets);
        watch.lap("common passages");

        let (clusters, on_demand) = linker.cluster(&mut pairs, |d| canonical_rank(&documents, &analyses, d));
        stats.verified_on_demand = on_demand;
        drop(linker);
        watch.lap("cluster");
        let stories = stories::build(&pairs, &clusters, n, |d| documents[d as usize].id.clone());
        let carried = context.carry.then(|| Carried { keys: carried_keys, common, words: weights });
        Scan {
            documents,
            analyses,
            pairs,
            clusters,
            stories,
            common_passages,
            skipped: Vec::new(),
            ignored: 0,
            stats,
            timings: watch.timings,
            carried,
        }
    }
}

/// The order that picks a cluster's canonical member (the smallest):
/// earliest published, then fullest text, then document id.
pub(crate) fn canonical_rank(
    documents: &[Document],
    analyses: &[Analysis],
    d: u32,
) -> (bool, i64, Reverse<usize>, String) {
    let doc = &documents[d as usize];
    let at = doc.meta.published.as_ref().and_then(|p| p.seconds());
    (at.is_none(), at.unwrap_or(0), Reverse(analyses[d as usize].num_tokens), doc.id.clone())
}
