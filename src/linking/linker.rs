//! The linking stages over one set of documents: documents with their
//! analyses, the corpus's statistics (common shingles, word weights) and
//! candidate pairs in; verified pairs with their passages and provenance,
//! and clusters, out.
//!
//! `scan` runs these stages over a whole corpus; an engine that spreads a
//! corpus over machines runs the same stages over one batch of candidate
//! pairs or one connected component ([`crate::batch`]), so both verify,
//! align and cluster with one piece of code.

use crate::analysis::shingle::HashSetU64;
use crate::analysis::Analysis;
use crate::config::ScanConfig;
use crate::document::Document;
use crate::linking::cluster::{self, Cluster, Link};
use crate::linking::infer;
use crate::linking::pairs::{docs_in, merge_rewrites, Chain, Pair, PairBuilder, Prepare, Prepared, Verified, Verifier};
use crate::linking::rewrite::{RareWords, WordWeights};
use crate::linking::shared;
use rayon::iter::Either;
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

/// What [`Linker::link`] found.
pub struct Linked {
    /// The verified pairs, sorted.
    pub pairs: Vec<Pair>,
    /// How many of them rewrite checks found.
    pub rewrites: usize,
    /// The candidates shared wording linked at once, sorted (no rewrite
    /// check touches them).
    pub at_once: Vec<(u32, u32)>,
}

/// Documents ready for verification: each one some pair needs has its
/// tokens and exact sets rebuilt (the others are rebuilt on demand).
pub struct Linker<'a> {
    config: &'a ScanConfig,
    documents: &'a [Document],
    analyses: &'a [Analysis],
    common: &'a HashSetU64,
    weights: &'a WordWeights,
    prepared: Vec<Option<Prepared>>,
    /// Rare words of each sentence, for documents in rewrite candidates.
    rare: Vec<RareWords>,
    /// The documents that get rare words, when the caller knows them from
    /// the whole corpus (an engine linking one component at a time):
    /// on-demand rewrite checks while clustering see exactly what `scan`
    /// would have prepared.
    rewrite_documents: Option<Vec<bool>>,
}

impl<'a> Linker<'a> {
    /// Prepares the documents that `pairs` (the candidates on shared
    /// wording) name. Documents only rewrite candidates name are prepared
    /// once a rewrite check passes: most never do.
    pub fn new(
        config: &'a ScanConfig,
        documents: &'a [Document],
        analyses: &'a [Analysis],
        common: &'a HashSetU64,
        weights: &'a WordWeights,
        pairs: impl Iterator<Item = (u32, u32)>,
    ) -> Self {
        let prepared = vec![None; documents.len()];
        let mut linker = Linker {
            config,
            documents,
            analyses,
            common,
            weights,
            prepared,
            rare: Vec::new(),
            rewrite_documents: None,
        };
        linker.prepare(pairs);
        linker
    }

    /// Prepares the documents `pairs` name that are not prepared yet.
    fn prepare(&mut self, pairs: impl Iterator<Item = (u32, u32)>) {
        let needed = docs_in(pairs, self.documents.len());
        let config = self.config;
        self.prepared.par_iter_mut().zip(self.analyses.par_iter().zip(self.documents.par_iter())).enumerate().for_each(
            |(i, (prepared, (a, d)))| {
                if needed[i] && prepared.is_none() {
                    *prepared = Some(Prepared::new(d, a, config));
                }
            },
        );
    }

    /// Gives rare words to exactly these documents (see
    /// `Linker::rewrites`): those of the corpus's rewrite candidates that
    /// shared wording did not link at once.
    pub fn with_rewrite_documents(mut self, documents: Vec<bool>) -> Self {
        self.rewrite_documents = Some(documents);
        self
    }

    fn docs(&self) -> Prepare<'_> {
        Prepare { config: self.config, documents: self.documents, analyses: self.analyses, prepared: &self.prepared }
    }

    fn verifier(&self) -> Verifier<'_> {
        Verifier { docs: self.docs(), common: self.common, rare: &self.rare }
    }

    fn builder(&self) -> PairBuilder<'_> {
        PairBuilder { docs: self.docs(), common: self.common }
    }

    /// Verifies `candidates` on shared wording. A pair that links is aligned
    /// at once (no rewrite touches it), so its shared shingles are freed
    /// instead of all being held until alignment; the others wait as
    /// [`Verified`] for [`Linker::rewrites`].
    pub(crate) fn verify(&self, candidates: &[(u32, u32)]) -> (Vec<Pair>, Vec<Verified>) {
        let (verifier, builder) = (self.verifier(), self.builder());
        let set = |d: u32| self.prepared.get(d as usize)?.as_ref().map(Prepared::set);
        let split = |v: Verified| if v.relation.links() { Either::Left(builder.build(v)) } else { Either::Right(v) };
        match shared::through_postings(candidates, set) {
            Some(known) => candidates
                .par_iter()
                .zip(known)
                .filter_map(|(&(a, b), known)| verifier.shingles_sharing(a, b, Some(known)))
                .partition_map(split),
            None => candidates.par_iter().filter_map(|&(a, b)| verifier.shingles(a, b)).partition_map(split),
        }
    }

    /// Checks the rewrite candidates that shared wording did not already
    /// link, adding the rewrites to `verified`; returns how many there were.
    pub(crate) fn rewrites(
        &mut self,
        linked: &[Pair],
        candidates: Vec<(u32, u32)>,
        verified: &mut Vec<Verified>,
    ) -> usize {
        let linked: HashSet<(u32, u32)> = linked.iter().map(|p| (p.a, p.b)).collect();
        let candidates: Vec<(u32, u32)> = candidates.into_iter().filter(|p| !linked.contains(p)).collect();
        let in_rewrite = match self.rewrite_documents.take() {
            Some(given) => given.into_iter().collect(),
            None => docs_in(candidates.iter().copied(), self.documents.len()),
        };
        let weights = self.weights;
        self.rare = self
            .analyses
            .par_iter()
            .enumerate()
            .map(|(i, a)| if in_rewrite[i] { RareWords::new(&a.sentences, weights) } else { RareWords::default() })
            .collect();
        let verifier = self.verifier();
        let chains: Vec<(u32, u32, Chain)> =
            candidates.par_iter().filter_map(|&(a, b)| verifier.rewrite_chain(a, b).map(|c| (a, b, c))).collect();
        self.prepare(chains.iter().map(|&(a, b, _)| (a, b)));
        let verifier = self.verifier();
        let rewrites: Vec<Verified> =
            chains.into_par_iter().map(|(a, b, chain)| verifier.rewritten(a, b, chain)).collect();
        let found = rewrites.len();
        merge_rewrites(verified, rewrites);
        found
    }

    /// Aligns the passages of `verified` and adds the pairs to `pairs`.
    pub(crate) fn align(&self, pairs: &mut Vec<Pair>, verified: Vec<Verified>) {
        let builder = self.builder();
        pairs.par_extend(verified.into_par_iter().map(|v| builder.build(v)));
    }

    /// Verifies and aligns `candidates` and `rewrite_candidates` in one go:
    /// the pairs, sorted, and the number of rewrites.
    pub fn link(&mut self, candidates: &[(u32, u32)], rewrite_candidates: Vec<(u32, u32)>) -> Linked {
        let (mut pairs, mut verified) = self.verify(candidates);
        let mut at_once: Vec<(u32, u32)> = pairs.iter().map(|p| (p.a, p.b)).collect();
        at_once.sort_unstable();
        let rewrites = self.rewrites(&pairs, rewrite_candidates, &mut verified);
        self.align(&mut pairs, verified);
        pairs.sort_by_key(|p| (p.a, p.b));
        Linked { pairs, rewrites, at_once }
    }

    /// Clusters the documents by the linking `pairs` (sorted by document),
    /// verifying on demand the pairs complete linkage asks about; those
    /// are added to `pairs`, which stays sorted. Returns the clusters and
    /// the number of on-demand verifications.
    pub fn cluster<K: Ord>(&self, pairs: &mut Vec<Pair>, rank: impl Fn(u32) -> K) -> (Vec<Cluster>, usize) {
        let n = self.documents.len();
        let links: Vec<Link> = pairs
            .iter()
            .filter(|p| p.relation.links())
            .map(|p| Link { a: p.a, b: p.b, score: p.link_score() })
            .collect();
        let (verifier, builder) = (self.verifier(), self.builder());
        let on_demand = Mutex::new(Vec::new());
        // Built the first time a cluster grows large (most scans never do).
        let mut neighbours: Option<infer::Neighbours> = None;
        let mut sizes: HashMap<u32, infer::SetSize> = HashMap::new();
        let threshold = self.config.options().threshold;
        let related = |x: u32, y: u32, size: usize| {
            if size >= cluster::STAR_FROM {
                let neighbours = neighbours.get_or_insert_with(|| {
                    infer::Neighbours::new(n, pairs.iter().map(|p| (p.a, p.b, p.metrics.jaccard)))
                });
                if let Some(through) = neighbours.through_common(x, y) {
                    let mut size_of = |d: u32| *sizes.entry(d).or_insert_with(|| verifier.set_size(d));
                    if infer::lower_bound(through, size_of(x), size_of(y)) >= threshold {
                        return true;
                    }
                }
            }
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
        };
        let clusters = cluster::build(n, &links, related, rank, |d| self.documents[d as usize].id.clone());
        let on_demand = on_demand.into_inner().expect("not poisoned");
        let asked = on_demand.len();
        pairs.extend(on_demand);
        pairs.sort_by_key(|p| (p.a, p.b));
        pairs.dedup_by_key(|p| (p.a, p.b));
        (clusters, asked)
    }
}
