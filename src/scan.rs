//! The pipeline: documents in, a [`Scan`] out (documents with their repeats,
//! verified pairs with passages, story clusters).
//!
//! Per-document stages (normalize, shingle, sign, fingerprint, repeats) run
//! in parallel with rayon; cross-document stages sort their inputs before
//! they combine them, so the result is the same for any thread count.

use crate::analysis::content::ContentSentence;
use crate::analysis::normalize;
use crate::analysis::quotes;
use crate::analysis::repeats::{self, Repeat};
use crate::analysis::shingle::{HashSetU64, Shingles};
use crate::attribution::provenance::{self, Attribution};
use crate::config::ScanConfig;
use crate::corpus::boilerplate::{self, ShortParagraph};
use crate::document::Document;
use crate::ingest::Skipped;
use crate::linking::align::{self, PassageKind};
use crate::linking::candidates::{self, BandParams};
use crate::linking::cluster::{self, Cluster, Link};
use crate::linking::rewrite;
use crate::linking::verify::{self, PairMetrics, Relation, SetAside};
use bitvec::prelude::*;
use rayon::iter::Either;
use rayon::prelude::*;
use std::cmp::Reverse;
use std::ops::Range;
use std::sync::Mutex;

pub use crate::analysis::{analyze, Analysis, IndexKeys};
pub use crate::document::MAX_DOCUMENT_BYTES;

use crate::analysis::{analyze_with, Scratch, SCRATCH};
use crate::corpus::common::{common_shingles, df_sample_stride};

/// A passage shared by a pair, in byte ranges of each *original input*
/// (`a`, `b`) and of each analysed text (`text_a`, `text_b`, which differ
/// only for HTML input).
#[derive(Debug, Clone, PartialEq)]
pub struct Passage {
    pub a: Range<usize>,
    pub b: Range<usize>,
    pub text_a: Range<usize>,
    pub text_b: Range<usize>,
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
    /// Share of each document's text covered by the passages.
    pub coverage_a: f64,
    pub coverage_b: f64,
    /// Who took from whom, and the evidence.
    pub attribution: Attribution,
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
    /// Inputs that were not scanned, and why.
    pub skipped: Vec<Skipped>,
    /// Files in walked directories left out by the ignore rules (hidden, or
    /// named in an ignore file).
    pub ignored: usize,
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
            .map(|r| (doc.source_span(r.first.clone()), doc.source_span(r.second.clone()), r))
            .collect()
    }
}

/// Runs the pipeline under one validated configuration.
#[derive(Debug, Clone, Default)]
pub struct Scanner {
    config: ScanConfig,
}

/// A token's byte range in the text: all the cross-document stages need of
/// a token once its shingles are hashed, at half the size of a [`Token`](crate::analysis::normalize::Token).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenSpan {
    pub start: u32,
    pub end: u32,
}

/// A document's tokens and shingles, rebuilt for the documents the
/// cross-document stages work on.
#[derive(Debug, Clone)]
pub struct Tokenized {
    pub tokens: Vec<TokenSpan>,
    /// Tokens per shingle.
    pub k: usize,
    /// [`Shingles::positions`], held as two columns (12 bytes a shingle
    /// instead of a padded 16): shingle hashes sorted, and where each
    /// occurs. Sorted once, they give the document's exact set without
    /// another sort (often they are the set) and every alignment without
    /// hashing; the hashes in text order are not kept.
    pub hashes: Vec<u64>,
    pub at: Vec<u32>,
}

impl Tokenized {
    pub fn new(doc: &Document, config: &ScanConfig) -> Self {
        // Tokens and hashes go through the thread's buffers, so what is kept
        // is allocated at its exact size: prepared documents stay in memory
        // until alignment, and fresh pages are a large share of their cost.
        SCRATCH.with_borrow_mut(|Scratch { tokens, hashes, .. }| {
            let k = config.shingle_k(normalize::normalize_into(&doc.text, tokens)).max(1);
            Shingles::hash_into(tokens, k, hashes);
            let spans = tokens.iter().map(|t| TokenSpan { start: t.start, end: t.end }).collect();
            let (hashes, at) = Shingles::sorted_columns(hashes);
            Tokenized { tokens: spans, k, hashes, at }
        })
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
        self.scan_with_progress(documents, &|_| {})
    }

    /// Scans `documents`, calling `progress` with each stage's name as it
    /// finishes (the library never prints; a caller may).
    pub fn scan_with_progress(&self, documents: Vec<Document>, progress: &(dyn Fn(&str) + Sync)) -> Scan {
        let config = &self.config;
        let mut watch = Stopwatch::new(progress);
        let n = documents.len();
        let common_df = config.common_df(n);
        // The documents sampled for document frequency keep their distinct
        // shingles from analysis, so nothing is tokenized twice for it.
        let stride = df_sample_stride(n, common_df);
        type Sampled = Vec<Vec<u64>>;
        let (mut analyses, (keys, df_sample)): (Vec<Analysis>, (Vec<IndexKeys>, Sampled)) = documents
            .par_iter()
            .enumerate()
            .map(|(i, d)| {
                SCRATCH.with_borrow_mut(|scratch| {
                    let (analysis, keys) = analyze_with(d, config, scratch);
                    let sampled = stride.is_some_and(|s| i % s == 0);
                    (analysis, (keys, if sampled { repeats::distinct(&scratch.hashes) } else { Vec::new() }))
                })
            })
            .unzip();
        watch.lap("analyze");
        // Counted now so that the sample's memory is free for the indexes.
        let common = match stride {
            Some(stride) => common_shingles(&df_sample, n, stride, common_df),
            None => HashSetU64::default(),
        };
        drop(df_sample);
        watch.lap("common shingles");
        let BandParams { bands, rows } = config.bands();

        // Each index's keys are dropped as soon as it is built, in parallel
        // (freeing 400,000 small vectors on one thread took 38 ms).
        let (band_keys, fingerprints): (Vec<Vec<u64>>, Vec<Vec<u64>>) =
            keys.into_iter().map(|k| (k.band_keys, k.fingerprints)).unzip();
        let lsh = candidates::lsh_pairs(&band_keys.iter().map(Vec::as_slice).collect::<Vec<_>>());
        band_keys.into_par_iter().for_each(drop);
        let contained =
            candidates::containment_pairs(&fingerprints.iter().map(Vec::as_slice).collect::<Vec<_>>(), 2, common_df);
        fingerprints.into_par_iter().for_each(drop);
        let mut pairs_idx: Vec<(u32, u32)> = lsh.iter().chain(contained.pairs.iter()).copied().collect();
        pairs_idx.sort_unstable();
        pairs_idx.dedup();
        let all_sentences: Vec<&[ContentSentence]> = analyses.iter().map(|a| a.sentences.as_slice()).collect();
        let weights = rewrite::WordWeights::new(&all_sentences);
        let sentence_bands = rewrite::sentence_bands();
        let sentence_keys: Vec<Vec<(u64, u32)>> =
            all_sentences.par_iter().map(|s| rewrite::document_keys(s, &weights, sentence_bands)).collect();
        let rewrite_idx = if config.options().rewrites { rewrite::candidate_pairs(&sentence_keys) } else { Vec::new() };
        watch.lap("candidates");

        // Boilerplate: paragraphs recurring across different stories (the
        // candidate index says which documents are likely copies).
        let learned = {
            let paragraphs: Vec<&[ShortParagraph]> = analyses.iter().map(|a| a.paragraphs.as_slice()).collect();
            let outlets: Vec<Option<&str>> = documents.iter().map(|d| d.meta.outlet.as_deref()).collect();
            // `pairs_idx` is sorted and distinct.
            boilerplate::learn(&paragraphs, &outlets, |x, y| pairs_idx.binary_search(&(x.min(y), x.max(y))).is_ok())
        };
        analyses.par_iter_mut().zip(learned).for_each(|(a, found)| {
            for b in found {
                if !a.boilerplate.iter().any(|p| p.span == b.span) {
                    a.boilerplate.push(b);
                }
            }
            a.boilerplate.sort_by_key(|b| b.span.start);
        });
        watch.lap("boilerplate");

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
        let needed = docs_in(pairs_idx.iter().chain(&rewrite_idx).copied(), n);
        let prepared: Vec<Option<Prepared>> = analyses
            .par_iter()
            .zip(documents.par_iter())
            .enumerate()
            .map(|(i, (a, d))| needed[i].then(|| Prepared::new(d, a, config)))
            .collect();
        watch.lap("exact sets");

        let docs = Prepare { config, documents: &documents, analyses: &analyses, prepared: &prepared };
        let verifier = Verifier { docs, common: &common, rare: &[] };
        let builder = PairBuilder { docs, common: &common };
        // A pair that shared wording links is aligned as soon as it is
        // verified (no rewrite touches it), so its shared shingles are freed
        // at once instead of all being held until alignment.
        let (mut pairs, mut verified): (Vec<Pair>, Vec<Verified>) = pairs_idx
            .par_iter()
            .filter_map(|&(a, b)| verifier.shingles(a, b))
            .partition_map(|v| if v.relation.links() { Either::Left(builder.build(v)) } else { Either::Right(v) });
        watch.lap("verify");

        // Rewrites: candidate pairs not already linked by shared wording.
        let linked: std::collections::HashSet<(u32, u32)> = pairs.iter().map(|p| (p.a, p.b)).collect();
        let rewrite_idx: Vec<(u32, u32)> = rewrite_idx.into_iter().filter(|p| !linked.contains(p)).collect();
        let in_rewrite = docs_in(rewrite_idx.iter().copied(), n);
        let rare: Vec<rewrite::RareWords> = analyses
            .par_iter()
            .enumerate()
            .map(
                |(i, a)| {
                    if in_rewrite[i] {
                        rewrite::RareWords::new(&a.sentences, &weights)
                    } else {
                        Default::default()
                    }
                },
            )
            .collect();
        let verifier = Verifier { rare: &rare, ..verifier };
        let rewrites: Vec<Verified> = rewrite_idx.par_iter().filter_map(|&(a, b)| verifier.rewrite(a, b)).collect();
        stats.rewrites = rewrites.len();
        merge_rewrites(&mut verified, rewrites);
        watch.lap("rewrites");

        pairs.par_extend(verified.into_par_iter().map(|v| builder.build(v)));
        watch.lap("align");

        let links: Vec<Link> = pairs
            .iter()
            .filter(|p| p.relation.links())
            .map(|p| Link { a: p.a, b: p.b, score: p.link_score() })
            .collect();
        let rank = |d: u32| {
            let doc = &documents[d as usize];
            let at = doc.meta.published.as_ref().and_then(|p| p.seconds());
            (at.is_none(), at.unwrap_or(0), Reverse(analyses[d as usize].num_tokens), doc.id.clone())
        };
        let on_demand = Mutex::new(Vec::new());
        let clusters = cluster::build(
            n,
            &links,
            |x, y| {
                let found = verifier
                    .shingles(x, y)
                    .map(|v| builder.build(v))
                    .filter(|p| p.relation.links())
                    .or_else(|| verifier.rewrite(x, y).map(|v| builder.build(v)));
                let ok = found.as_ref().is_some_and(|p| p.relation.links());
                if let Some(p) = found {
                    on_demand.lock().expect("not poisoned").push(p);
                }
                ok
            },
            rank,
            |d| documents[d as usize].id.clone(),
        );
        let on_demand = on_demand.into_inner().expect("not poisoned");
        stats.verified_on_demand = on_demand.len();
        pairs.extend(on_demand);
        pairs.sort_by_key(|p| (p.a, p.b));
        pairs.dedup_by_key(|p| (p.a, p.b));
        watch.lap("cluster");
        Scan { documents, analyses, pairs, clusters, skipped: Vec::new(), ignored: 0, stats, timings: watch.timings }
    }
}

/// A document's shingle set for verification: boilerplate shingles left
/// out, and the shingles it only ever has inside quotation marks.
#[derive(Debug, Clone, Default)]
struct DocSets {
    /// `None` when the set is [`Tokenized::hashes`] itself: nothing masked
    /// and no shingle repeated, as in most documents (not copying it saves
    /// a third of a prepared document's memory).
    set: Option<Vec<u64>>,
    quoted: Vec<u64>,
}

impl DocSets {
    fn new(text: &Tokenized, a: &Analysis) -> Self {
        let tokens = &text.tokens;
        let window = |i: u32| i as usize..(i as usize + text.k).min(tokens.len());
        if a.boilerplate.is_empty() && a.quotes.is_empty() {
            let repeats = text.hashes.windows(2).any(|w| w[0] == w[1]);
            let set = repeats.then(|| {
                let mut set = text.hashes.clone();
                set.dedup();
                set
            });
            return DocSets { set, quoted: Vec::new() };
        }
        let boiler_spans: Vec<Range<usize>> = a.boilerplate.iter().map(|b| b.span.clone()).collect();
        let boiler = token_flags(tokens, &boiler_spans);
        let quoted = token_flags(tokens, &a.quotes);
        // Occurrences come grouped by hash: a hash is quoted when every
        // occurrence outside boilerplate lies wholly inside quotation marks.
        let (mut set, mut in_quotes) = (Vec::new(), Vec::new());
        let mut i = 0;
        let hashes = &text.hashes;
        while i < hashes.len() {
            let h = hashes[i];
            let (mut kept, mut all_quoted) = (false, true);
            while i < hashes.len() && hashes[i] == h {
                let window = window(text.at[i]);
                if !boiler[window.clone()].iter().any(|&b| b) {
                    kept = true;
                    all_quoted &= quoted[window].iter().all(|&q| q);
                }
                i += 1;
            }
            if kept {
                set.push(h);
                if all_quoted {
                    in_quotes.push(h);
                }
            }
        }
        DocSets { set: Some(set), quoted: in_quotes }
    }
}

/// What the cross-document stages need of one document: its tokens and
/// shingles again, and its exact sets.
#[derive(Debug, Clone)]
struct Prepared {
    text: Tokenized,
    sets: DocSets,
}

impl Prepared {
    fn new(doc: &Document, a: &Analysis, config: &ScanConfig) -> Self {
        let text = Tokenized::new(doc, config);
        let sets = DocSets::new(&text, a);
        Prepared { text, sets }
    }

    /// The document's shingle set for verification, sorted.
    fn set(&self) -> &[u64] {
        self.sets.set.as_deref().unwrap_or(&self.text.hashes)
    }
}

/// The documents with their analyses and, for those some pair needs, what
/// was prepared for them; others are prepared on demand (clustering may
/// verify pairs no index proposed).
#[derive(Clone, Copy)]
struct Prepare<'a> {
    config: &'a ScanConfig,
    documents: &'a [Document],
    analyses: &'a [Analysis],
    prepared: &'a [Option<Prepared>],
}

impl Prepare<'_> {
    fn get(&self, i: u32) -> std::borrow::Cow<'_, Prepared> {
        let i = i as usize;
        match &self.prepared[i] {
            Some(p) => std::borrow::Cow::Borrowed(p),
            None => std::borrow::Cow::Owned(Prepared::new(&self.documents[i], &self.analyses[i], self.config)),
        }
    }
}

/// For each token, whether it starts inside one of `spans` (sorted by start).
fn token_flags(tokens: &[TokenSpan], spans: &[Range<usize>]) -> Vec<bool> {
    let mut sorted: Vec<&Range<usize>> = spans.iter().collect();
    sorted.sort_by_key(|r| r.start);
    let mut out = Vec::with_capacity(tokens.len());
    let mut s = 0;
    for t in tokens {
        let at = t.start as usize;
        while s < sorted.len() && sorted[s].end <= at {
            s += 1;
        }
        out.push(sorted[s..].iter().take_while(|r| r.start <= at).any(|r| at < r.end));
    }
    out
}

impl Pair {
    /// How strongly the pair links its documents: clusters merge strongest
    /// links first.
    pub fn link_score(&self) -> f64 {
        let m = &self.metrics;
        let base = m.jaccard.max(m.containment_a.min(m.containment_b)).max(self.coverage_a.min(self.coverage_b));
        base + match self.relation {
            Relation::Duplicate => 0.002,
            Relation::NearDuplicate => 0.001,
            // Rewrites are the weakest link: near-duplicates merge first.
            Relation::Rewritten => -0.5,
            _ => 0.0,
        }
    }
}

/// Share of a document at which aligned verbatim and edited passages make an
/// edited copy even when few shingles survive (OCR noise, a word changed in
/// every sentence).
pub const EDITED_COVERAGE: f64 = 0.7;

/// Turns verified pairs into reported pairs: passages, coverage, provenance.
struct PairBuilder<'a> {
    docs: Prepare<'a>,
    common: &'a HashSetU64,
}

impl PairBuilder<'_> {
    fn build(&self, v: Verified) -> Pair {
        let Prepare { config, documents, analyses, .. } = self.docs;
        let (pa, pb) = (self.docs.get(v.a), self.docs.get(v.b));
        let texts = [&pa.text, &pb.text];
        let min_tokens = config.options().repeat_min_tokens;
        let mut passages = passages(documents, analyses, texts, v.a, v.b, &v.shared, self.common, min_tokens);
        add_rewritten(&mut passages, documents, [&pa.text.tokens, &pb.text.tokens], &v);
        passages.sort_by_key(|p| (p.a.start, p.b.start));
        let (da, db) = (&documents[v.a as usize], &documents[v.b as usize]);
        let coverage_a = coverage(passages.iter().map(|p| p.a.clone()), da);
        let coverage_b = coverage(passages.iter().map(|p| p.b.clone()), db);
        // Word-level alignment can see an edited copy that set similarity
        // misses: count only verbatim and edited passages.
        let mut relation = v.relation;
        if relation == Relation::Partial {
            let copied = |p: &&Passage| matches!(p.kind, PassageKind::Verbatim | PassageKind::Edited);
            let ca = coverage(passages.iter().filter(copied).map(|p| p.a.clone()), da);
            let cb = coverage(passages.iter().filter(copied).map(|p| p.b.clone()), db);
            if ca.min(cb) >= EDITED_COVERAGE {
                relation = Relation::NearDuplicate;
            } else if ca.max(cb) >= EDITED_COVERAGE {
                relation = Relation::Contained;
            }
        }
        let (pa, pb) = (&analyses[v.a as usize].provenance, &analyses[v.b as usize].provenance);
        let attribution = provenance::attribute([da, db], [pa, pb], [coverage_a, coverage_b]);
        Pair { a: v.a, b: v.b, metrics: v.metrics, relation, passages, coverage_a, coverage_b, attribution }
    }
}

/// A pair that passed verification, with what the passages need.
#[derive(Debug, Clone)]
struct Verified {
    a: u32,
    b: u32,
    metrics: PairMetrics,
    relation: Relation,
    /// Shingle hashes both hold.
    shared: Vec<u64>,
    /// Aligned sentences, for rewrites: indexes into content sentences, with
    /// their byte spans in each document's text.
    chain: Vec<(Range<usize>, Range<usize>, f64)>,
}

/// Verifies pairs against the exact shingle sets and, for rewrites, the
/// aligned sentences.
struct Verifier<'a> {
    docs: Prepare<'a>,
    common: &'a HashSetU64,
    /// Rare words of each sentence, for documents in rewrite candidates.
    rare: &'a [rewrite::RareWords],
}

impl Verifier<'_> {
    fn measure(&self, a: u32, b: u32) -> (PairMetrics, Vec<u64>) {
        let (pa, pb) = (self.docs.get(a), self.docs.get(b));
        let (sa, sb) = (&pa.sets, &pb.sets);
        let (set_a, set_b) = (pa.set(), pb.set());
        let shared = verify::intersect(set_a, set_b);
        let set_aside = |h: u64| {
            if self.common.contains(&h) {
                SetAside::Common
            } else if sa.quoted.binary_search(&h).is_ok() && sb.quoted.binary_search(&h).is_ok() {
                SetAside::Quoted
            } else {
                SetAside::No
            }
        };
        (verify::measure(set_a.len(), set_b.len(), &shared, set_aside), shared)
    }

    /// The pair's relation from shared wording, if any.
    fn shingles(&self, a: u32, b: u32) -> Option<Verified> {
        let (metrics, shared) = self.measure(a, b);
        let relation = metrics.relation(self.docs.config)?;
        Some(Verified { a, b, metrics, relation, shared, chain: Vec::new() })
    }

    /// The pair as a rewrite, if enough sentences align in order.
    fn rewrite(&self, a: u32, b: u32) -> Option<Verified> {
        let analyses = self.docs.analyses;
        let (sa, sb) = (&analyses[a as usize].sentences, &analyses[b as usize].sentences);
        let (ra, rb) = (self.rare.get(a as usize)?, self.rare.get(b as usize)?);
        if ra.sentences.len() != sa.len() || rb.sentences.len() != sb.len() {
            return None;
        }
        let chain = rewrite::align_sentences(sa, sb, ra, rb);
        if !rewrite::is_rewrite(&chain, sa.len(), sb.len()) {
            return None;
        }
        let (metrics, shared) = self.measure(a, b);
        let chain = chain
            .iter()
            .map(|p| (sa[p.a].sentence.span.clone(), sb[p.b].sentence.span.clone(), p.similarity))
            .collect();
        Some(Verified { a, b, metrics, relation: Relation::Rewritten, shared, chain })
    }
}

/// Adds rewrites to the verified pairs: a pair already there (as partial
/// reuse) becomes a rewrite and keeps its shared wording.
fn merge_rewrites(verified: &mut Vec<Verified>, rewrites: Vec<Verified>) {
    let mut at: std::collections::HashMap<(u32, u32), usize> =
        verified.iter().enumerate().map(|(i, v)| ((v.a, v.b), i)).collect();
    for r in rewrites {
        match at.get(&(r.a, r.b)) {
            Some(&i) => {
                verified[i].relation = Relation::Rewritten;
                verified[i].chain = r.chain;
            }
            None => {
                at.insert((r.a, r.b), verified.len());
                verified.push(r);
            }
        }
    }
}

/// Rewritten sentence pairs become passages, except where shared wording
/// already covers that sentence.
fn add_rewritten(passages: &mut Vec<Passage>, documents: &[Document], tokens: [&[TokenSpan]; 2], v: &Verified) {
    let (da, db) = (&documents[v.a as usize], &documents[v.b as usize]);
    let count = |toks: &[TokenSpan], r: &Range<usize>| {
        toks.iter().filter(|t| t.start as usize >= r.start && t.end as usize <= r.end).count()
    };
    for (ra, rb, similarity) in &v.chain {
        let (sa, sb) = (da.source_span(ra.clone()), db.source_span(rb.clone()));
        if passages.iter().any(|p| p.a.start < sa.end && sa.start < p.a.end) {
            continue;
        }
        passages.push(Passage {
            a: sa,
            b: sb,
            text_a: ra.clone(),
            text_b: rb.clone(),
            a_tokens: count(tokens[0], ra),
            b_tokens: count(tokens[1], rb),
            kind: PassageKind::Rewritten,
            score: *similarity,
        });
    }
}

/// Share of a document's original bytes covered by `spans` (which are in
/// original-input offsets; overlaps count once).
fn coverage(spans: impl Iterator<Item = Range<usize>>, doc: &Document) -> f64 {
    let total = doc.source_span(0..doc.text.len()).len();
    if total == 0 {
        return 0.0;
    }
    let mut spans: Vec<Range<usize>> = spans.collect();
    spans.sort_by_key(|r| r.start);
    let (mut covered, mut end) = (0, 0);
    for r in spans {
        let start = r.start.max(end);
        if r.end > start {
            covered += r.end - start;
            end = r.end;
        }
    }
    covered as f64 / total as f64
}

/// The documents (of `n`) that take part in any of `pairs`.
fn docs_in(pairs: impl Iterator<Item = (u32, u32)>, n: usize) -> BitVec {
    let mut docs = bitvec![0; n];
    for (a, b) in pairs {
        docs.set(a as usize, true);
        docs.set(b as usize, true);
    }
    docs
}

#[allow(clippy::too_many_arguments)]
fn passages(
    documents: &[Document],
    analyses: &[Analysis],
    texts: [&Tokenized; 2],
    a: u32,
    b: u32,
    shared: &[u64],
    common: &HashSetU64,
    min_tokens: usize,
) -> Vec<Passage> {
    let (da, db) = (&documents[a as usize], &documents[b as usize]);
    let (aa, ab) = (&analyses[a as usize], &analyses[b as usize]);
    let (ta, tb) = (&texts[0].tokens, &texts[1].tokens);
    let anchors: Vec<u64> = shared.iter().copied().filter(|h| !common.contains(h)).collect();
    let [sa, sb] = texts.map(|t| align::Side { hashes: &t.hashes, at: &t.at, tokens: t.tokens.len() });
    align::align_positions(sa, sb, texts[0].k, &anchors, min_tokens)
        .into_iter()
        .map(|p| {
            let (ra, rb) = (token_bytes(ta, &p.a), token_bytes(tb, &p.b));
            // Mostly inside quotation marks on both sides: quoted speech.
            let quoted = |spans: &[Range<usize>], r: &Range<usize>| quotes::quoted_bytes(spans, r) * 10 >= r.len() * 6;
            let kind = if quoted(&aa.quotes, &ra) && quoted(&ab.quotes, &rb) { PassageKind::Quotation } else { p.kind };
            Passage {
                a: da.source_span(ra.clone()),
                b: db.source_span(rb.clone()),
                text_a: ra,
                text_b: rb,
                a_tokens: p.a.len(),
                b_tokens: p.b.len(),
                kind,
                score: p.score,
            }
        })
        .collect()
}

/// The byte range of the analysed text that a token range covers.
pub fn token_bytes(tokens: &[TokenSpan], range: &Range<usize>) -> Range<usize> {
    if range.is_empty() || range.end > tokens.len() {
        return 0..0;
    }
    tokens[range.start].start as usize..tokens[range.end - 1].end as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::shingle::fmix64;

    /// Document frequency counted the plain way: a map from shingle to the
    /// number of sampled documents holding it.
    fn common_reference(sample: &[Vec<u64>], threshold: usize) -> Vec<u64> {
        let mut df: std::collections::HashMap<u64, usize> = std::collections::HashMap::new();
        for set in sample {
            for &h in set {
                *df.entry(h).or_default() += 1;
            }
        }
        let mut common: Vec<u64> = df.into_iter().filter(|&(_, c)| c >= threshold).map(|(h, _)| h).collect();
        common.sort_unstable();
        common
    }

    #[test]
    fn common_shingles_match_a_plain_count() {
        // 300 documents of 400 shingles: each holds a few of 50 popular
        // shingles (held by about 6 to 300 documents) among its own; some
        // popular ones share their top 16 bits with a rare one.
        let sample: Vec<Vec<u64>> = (0..300u64)
            .map(|d| {
                let popular = (0..50u64).filter(|p| fmix64(d * 131 + p) % 50 < p + 1).map(|p| fmix64(p) | 1);
                let neighbours = (0..50u64).filter(|p| d % 7 == p % 7).map(|p| fmix64(p) & !1);
                let own = (0..400u64).map(|i| fmix64(1_000_000 + d * 1000 + i));
                popular.chain(neighbours).chain(own).collect()
            })
            .collect();
        for common_df in [20, 60, 150, 299] {
            let mut got: Vec<u64> = common_shingles(&sample, 300, 1, common_df).into_iter().collect();
            got.sort_unstable();
            let expected = common_reference(&sample, common_df);
            assert!(!expected.is_empty() && expected.len() < 100, "{common_df}: {}", expected.len());
            assert_eq!(got, expected, "{common_df}");
        }
    }
}
