//! The pipeline: documents in, a [`Scan`] out (documents with their repeats,
//! verified pairs with passages, story clusters).
//!
//! Per-document stages (normalize, shingle, sign, fingerprint, repeats) run
//! in parallel with rayon; cross-document stages sort their inputs before
//! they combine them, so the result is the same for any thread count.

use crate::align::{self, PassageKind};
use crate::candidates::{self, BandParams};
use crate::cluster::{self, Cluster, Link};
use crate::config::ScanConfig;
use crate::document::Document;
use crate::ingest::Skipped;
use crate::normalize::{self, Script, Token};
use crate::repeats::{self, Repeat};
use crate::shingle::{HashSetU64, Shingles};
use crate::signature::Signature;
use crate::verify::{self, PairMetrics, Relation};
use bitvec::prelude::*;
use rayon::prelude::*;
use std::cmp::Reverse;
use std::ops::Range;
use std::sync::Mutex;

/// Documents above this many bytes are refused: offsets are kept in 32 bits.
pub const MAX_DOCUMENT_BYTES: usize = u32::MAX as usize;

/// What the per-document stages learned about one document.
#[derive(Debug, Clone)]
pub struct Analysis {
    /// Number of tokens. The tokens themselves are not kept (they are the
    /// largest per-document structure); stages that need offsets normalize
    /// again, only for the documents they work on.
    pub num_tokens: usize,
    pub script: Script,
    pub shingles: Shingles,
    pub signature: Option<Signature>,
    pub fingerprints: Vec<u64>,
    /// Repeats within the document, in byte ranges of its text.
    pub repeats: Vec<Repeat>,
}

/// A passage shared by a pair, in byte ranges of each *original input*.
#[derive(Debug, Clone, PartialEq)]
pub struct Passage {
    pub a: Range<usize>,
    pub b: Range<usize>,
    pub a_tokens: usize,
    pub b_tokens: usize,
    pub kind: PassageKind,
    pub score: f64,
}

/// A verified pair of related documents (indexes into [`Scan::documents`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Pair {
    pub a: u32,
    pub b: u32,
    pub metrics: PairMetrics,
    pub relation: Relation,
    pub passages: Vec<Passage>,
}

/// Counts that say how the scan went.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    pub bands: usize,
    pub rows: usize,
    pub lsh_candidates: usize,
    pub containment_candidates: usize,
    pub candidates: usize,
    pub verified_on_demand: usize,
    pub common_fingerprints: usize,
    pub common_df: usize,
    pub bytes: usize,
    pub tokens: usize,
}

/// Wall-clock time spent in each stage, in pipeline order. Not part of any
/// output (it differs between runs); benchmarks print it.
#[derive(Debug, Clone, Default)]
pub struct Timings(pub Vec<(&'static str, std::time::Duration)>);

struct Stopwatch {
    last: std::time::Instant,
    timings: Timings,
}

impl Stopwatch {
    fn new() -> Self {
        Stopwatch {
            last: std::time::Instant::now(),
            timings: Timings::default(),
        }
    }
    fn lap(&mut self, stage: &'static str) {
        let now = std::time::Instant::now();
        self.timings.0.push((stage, now - self.last));
        self.last = now;
    }
}

/// The result of a scan.
#[derive(Debug, Clone)]
pub struct Scan {
    pub documents: Vec<Document>,
    pub analyses: Vec<Analysis>,
    pub pairs: Vec<Pair>,
    pub clusters: Vec<Cluster>,
    /// Inputs that were not scanned, and why.
    pub skipped: Vec<Skipped>,
    pub stats: Stats,
    pub timings: Timings,
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
            .map(|r| {
                (
                    doc.source_span(r.first.clone()),
                    doc.source_span(r.second.clone()),
                    r,
                )
            })
            .collect()
    }
}

/// Runs the pipeline under one validated configuration.
#[derive(Debug, Clone, Default)]
pub struct Scanner {
    config: ScanConfig,
}

/// Per-document analysis: the stages that need nothing from other documents.
pub fn analyze(doc: &Document, config: &ScanConfig) -> Analysis {
    let o = config.options();
    let (shingles, num_tokens, script) =
        Shingles::from_text(&doc.text, o.shingle_words, o.shingle_chars);
    let signature = Signature::new(&shingles.hashes, o.num_hashes);
    let fingerprints = candidates::winnow(&shingles.hashes, o.winnow_window);
    let repeats = repeats::find(&doc.text, &shingles, o.repeat_min_tokens);
    Analysis {
        num_tokens,
        script,
        shingles,
        signature,
        fingerprints,
        repeats,
    }
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
        let config = &self.config;
        let mut watch = Stopwatch::new();
        let analyses: Vec<Analysis> = documents.par_iter().map(|d| analyze(d, config)).collect();
        watch.lap("analyze");
        let n = documents.len();
        let BandParams { bands, rows } = config.bands();
        let common_df = config.common_df(n);

        let signatures: Vec<Option<&Signature>> =
            analyses.iter().map(|a| a.signature.as_ref()).collect();
        let lsh = candidates::lsh_pairs(&signatures, config.bands());
        let fingerprints: Vec<&[u64]> =
            analyses.iter().map(|a| a.fingerprints.as_slice()).collect();
        let contained = candidates::containment_pairs(&fingerprints, 2, common_df);
        let mut pairs_idx: Vec<(u32, u32)> =
            lsh.iter().chain(contained.pairs.iter()).copied().collect();
        pairs_idx.sort_unstable();
        pairs_idx.dedup();

        watch.lap("candidates");
        let mut stats = Stats {
            bands,
            rows,
            lsh_candidates: lsh.len(),
            containment_candidates: contained.pairs.len(),
            candidates: pairs_idx.len(),
            common_fingerprints: contained.common_fingerprints,
            common_df,
            bytes: documents.iter().map(|d| d.text.len()).sum(),
            tokens: analyses.iter().map(|a| a.num_tokens).sum(),
            ..Stats::default()
        };

        // Exact sets, only for documents some pair needs.
        let mut needed = bitvec![0; n];
        for &(a, b) in &pairs_idx {
            needed.set(a as usize, true);
            needed.set(b as usize, true);
        }
        let sets: Vec<Option<Vec<u64>>> = analyses
            .par_iter()
            .enumerate()
            .map(|(i, a)| needed[i].then(|| a.shingles.set()))
            .collect();
        let set = |i: u32| sets[i as usize].as_deref().unwrap_or(&[]);
        let shared: Vec<Vec<u64>> = pairs_idx
            .par_iter()
            .map(|&(a, b)| verify::intersect(set(a), set(b)))
            .collect();

        watch.lap("exact sets");
        let common = common_shingles(&analyses, !pairs_idx.is_empty(), common_df);
        watch.lap("common shingles");
        let is_common = |h: u64| common.contains(&h);

        let mut verified: Vec<(u32, u32, PairMetrics, Relation, Vec<u64>)> = pairs_idx
            .par_iter()
            .zip(shared.into_par_iter())
            .filter_map(|(&(a, b), sh)| {
                let m = verify::measure(set(a).len(), set(b).len(), &sh, is_common);
                m.relation(config).map(|r| (a, b, m, r, sh))
            })
            .collect();

        watch.lap("verify");
        let links: Vec<Link> = verified
            .iter()
            .filter(|v| v.3.links())
            .map(|v| Link {
                a: v.0,
                b: v.1,
                score: v.2.jaccard.max(v.2.containment_a.min(v.2.containment_b)) + link_bonus(v.3),
            })
            .collect();
        let rank = |d: u32| {
            let doc = &documents[d as usize];
            let at = doc.meta.published.as_ref().and_then(|p| p.seconds());
            (
                at.is_none(),
                at.unwrap_or(0),
                Reverse(analyses[d as usize].num_tokens),
                doc.id.clone(),
            )
        };
        let on_demand = Mutex::new(Vec::new());
        let clusters = cluster::build(
            n,
            &links,
            |x, y| {
                let sh = verify::intersect(set(x), set(y));
                let m = verify::measure(set(x).len(), set(y).len(), &sh, is_common);
                let rel = m.relation(config);
                let ok = rel.is_some_and(Relation::links);
                if let Some(r) = rel {
                    on_demand
                        .lock()
                        .expect("not poisoned")
                        .push((x, y, m, r, sh));
                }
                ok
            },
            rank,
            |d| documents[d as usize].id.clone(),
        );
        watch.lap("cluster");
        let on_demand = on_demand.into_inner().expect("not poisoned");
        stats.verified_on_demand = on_demand.len();
        verified.extend(on_demand);
        verified.sort_by_key(|v| (v.0, v.1));

        let mut aligned = bitvec![0; n];
        for v in &verified {
            aligned.set(v.0 as usize, true);
            aligned.set(v.1 as usize, true);
        }
        let tokens: Vec<Option<Vec<Token>>> = documents
            .par_iter()
            .enumerate()
            .map(|(i, d)| aligned[i].then(|| normalize::normalize(&d.text).tokens))
            .collect();
        let pairs: Vec<Pair> = verified
            .into_par_iter()
            .map(|(a, b, metrics, relation, sh)| {
                let passages = passages(
                    &documents,
                    &analyses,
                    &tokens,
                    a,
                    b,
                    &sh,
                    &common,
                    config.options().repeat_min_tokens,
                );
                Pair {
                    a,
                    b,
                    metrics,
                    relation,
                    passages,
                }
            })
            .collect();

        watch.lap("align");
        Scan {
            documents,
            analyses,
            pairs,
            clusters,
            skipped: Vec::new(),
            stats,
            timings: watch.timings,
        }
    }
}

/// Ties between equal scores go to the stronger relation.
fn link_bonus(r: Relation) -> f64 {
    match r {
        Relation::Duplicate => 0.002,
        Relation::NearDuplicate => 0.001,
        _ => 0.0,
    }
}

/// Documents counted exactly for document frequency; larger corpora are
/// sampled evenly down to this many.
pub const DF_SAMPLE: usize = 2048;

/// The shingles that at least `common_df` documents hold.
///
/// Every (shingle, document) occurrence is gathered and sorted, and the
/// distinct documents of each shingle counted: one parallel sort instead of
/// a hash table as large as the corpus vocabulary. Up to [`DF_SAMPLE`]
/// documents the count is exact; above, every `n / DF_SAMPLE`-th document is
/// counted and the threshold scaled to the sample, which is ample for "a
/// large share of the corpus" and keeps this stage O(sample).
fn common_shingles(analyses: &[Analysis], any_pairs: bool, common_df: usize) -> HashSetU64 {
    if analyses.len() < common_df || !any_pairs {
        return HashSetU64::default();
    }
    let stride = analyses.len().div_ceil(DF_SAMPLE).max(1);
    let sample: Vec<(usize, &Analysis)> = analyses.iter().enumerate().step_by(stride).collect();
    let threshold = if stride == 1 {
        common_df
    } else {
        ((common_df as f64 * sample.len() as f64 / analyses.len() as f64).ceil() as usize).max(2)
    };
    let mut occurrences: Vec<(u64, u32)> = sample
        .par_iter()
        .flat_map_iter(|&(i, a)| a.shingles.hashes.iter().map(move |&h| (h, i as u32)))
        .collect();
    occurrences.par_sort_unstable();
    occurrences.dedup();
    let mut common = HashSetU64::default();
    let mut i = 0;
    while i < occurrences.len() {
        let h = occurrences[i].0;
        let run = occurrences[i..].iter().take_while(|o| o.0 == h).count();
        if run >= threshold {
            common.insert(h);
        }
        i += run;
    }
    common
}

#[allow(clippy::too_many_arguments)]
fn passages(
    documents: &[Document],
    analyses: &[Analysis],
    tokens: &[Option<Vec<Token>>],
    a: u32,
    b: u32,
    shared: &[u64],
    common: &HashSetU64,
    min_tokens: usize,
) -> Vec<Passage> {
    let (da, db) = (&documents[a as usize], &documents[b as usize]);
    let (aa, ab) = (&analyses[a as usize], &analyses[b as usize]);
    let no_tokens = Vec::new();
    let ta = tokens[a as usize].as_ref().unwrap_or(&no_tokens);
    let tb = tokens[b as usize].as_ref().unwrap_or(&no_tokens);
    let anchors: Vec<u64> = shared
        .iter()
        .copied()
        .filter(|h| !common.contains(h))
        .collect();
    align::align(
        &aa.shingles,
        ta.len(),
        &ab.shingles,
        tb.len(),
        &anchors,
        min_tokens,
    )
    .into_iter()
    .map(|p| Passage {
        a: da.source_span(token_bytes(ta, &p.a)),
        b: db.source_span(token_bytes(tb, &p.b)),
        a_tokens: p.a.len(),
        b_tokens: p.b.len(),
        kind: p.kind,
        score: p.score,
    })
    .collect()
}

/// The byte range of the analysed text that a token range covers.
pub fn token_bytes(tokens: &[Token], range: &Range<usize>) -> Range<usize> {
    if range.is_empty() || range.end > tokens.len() {
        return 0..0;
    }
    tokens[range.start].start as usize..tokens[range.end - 1].end as usize
}
