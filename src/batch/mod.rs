//! The pipeline's stages one batch at a time, for engines that spread a
//! corpus over many workers (the Python package's `copydesk.batch`, and
//! through it the Spark job).
//!
//! ```text
//! documents -> sketch (per document: content hash, signature, band keys,
//!              fingerprints, sentence keys, vocabulary)
//!           -> CorpusStatistics (per batch, merged: counts that add up)
//!           -> Broadcast (common shingles, word weights: what every worker needs)
//!           -> link (candidate pairs of a batch: verified, aligned, attributed)
//!           -> cluster (a connected component's pairs: complete-linkage clusters)
//! ```
//!
//! Every stage is the one `scan` runs: [`sketch()`] is per-document analysis,
//! [`CorpusStatistics`] counts what `scan` counts over its corpus, and
//! [`link`] runs the [`Linker`] that `scan` runs, so a corpus split into
//! batches is judged by the same code as one scanned whole.

pub mod sketch;
pub mod statistics;

pub use sketch::{sketch, sketch_text, Sketch, SketchOptions};
pub use statistics::{Broadcast, CorpusStatistics, StatisticsError};

use crate::analysis::analyze;
use crate::config::ScanConfig;
use crate::corpus::boilerplate::{self, Verdicts};
use crate::document::Document;
use crate::linking::linker::{Linked, Linker};
use crate::linking::{stories, upstream};
use crate::scan::{canonical_rank, Scan, Stats};
use rayon::prelude::*;

/// What [`link`] should do beyond verifying and aligning.
#[derive(Debug, Clone, Copy, Default)]
pub struct LinkOptions<'a> {
    /// Also cluster the documents (complete linkage, verifying on demand
    /// the pairs it asks about): for one connected component of linked
    /// pairs.
    pub cluster: bool,
    /// Also learn the common passages over the pairs (relabelling the pairs
    /// that only quote them) before clustering, and the stories after, as
    /// `scan` does over its corpus: exact for a connected component of all
    /// verified pairs, which is all those stages read.
    pub common_passages: bool,
    /// Boilerplate learned over the whole corpus, masked as `scan` masks it.
    pub boilerplate: Option<&'a Verdicts>,
    /// The documents of the corpus's rewrite candidates that shared wording
    /// did not link at once ([`Linker::with_rewrite_documents`]); `None`:
    /// those of `rewrite_candidates`.
    pub rewrite_documents: Option<&'a [bool]>,
}

/// Verifies and aligns the `candidates` (indexes into `documents`) and the
/// `rewrite_candidates` (checked as rewrites when shared wording does not
/// link them), under the corpus's `broadcast` statistics; clusters too, if
/// asked. The result is a [`Scan`] of `documents` (with stories and common
/// passages only when asked: those are judged over a whole component),
/// and the candidates shared wording linked at once.
pub fn link(
    documents: Vec<Document>,
    candidates: &[(u32, u32)],
    rewrite_candidates: Vec<(u32, u32)>,
    broadcast: &Broadcast,
    config: &ScanConfig,
    options: LinkOptions<'_>,
) -> (Scan, Vec<(u32, u32)>) {
    let learned = |mut a: crate::analysis::Analysis| {
        if let Some(verdicts) = options.boilerplate {
            let found = boilerplate::apply(&a.paragraphs, verdicts);
            boilerplate::merge(&mut a.boilerplate, found);
        }
        a
    };
    let analyses: Vec<_> = documents.par_iter().map(|d| learned(analyze(d, config).0)).collect();
    let normalized = |pairs: &[(u32, u32)]| {
        let mut out: Vec<(u32, u32)> =
            pairs.iter().filter(|(a, b)| a != b).map(|&(a, b)| (a.min(b), a.max(b))).collect();
        out.sort_unstable();
        out.dedup();
        out
    };
    let candidates = normalized(candidates);
    let rewrite_candidates = if config.options().rewrites { normalized(&rewrite_candidates) } else { Vec::new() };
    let mut linker =
        Linker::new(config, &documents, &analyses, &broadcast.common, &broadcast.weights, candidates.iter().copied());
    if let Some(given) = options.rewrite_documents {
        linker = linker.with_rewrite_documents(given.to_vec());
    }
    let Linked { mut pairs, rewrites, at_once } = linker.link(&candidates, rewrite_candidates.clone());
    let mut stats = Stats {
        candidates: candidates.len(),
        rewrite_candidates: rewrite_candidates.len(),
        rewrites,
        ..Stats::default()
    };
    let common_passages = if options.common_passages {
        let outlets: Vec<Option<&str>> = documents.iter().map(|d| d.meta.outlet.as_deref()).collect();
        upstream::learn(&mut pairs, &outlets)
    } else {
        Vec::new()
    };
    let clusters = if options.cluster {
        let (clusters, asked) = linker.cluster(&mut pairs, |d| canonical_rank(&documents, &analyses, d));
        stats.verified_on_demand = asked;
        clusters
    } else {
        Vec::new()
    };
    drop(linker);
    let stories = if options.common_passages {
        stories::build(&pairs, &clusters, documents.len(), |d| documents[d as usize].id.clone())
    } else {
        Vec::new()
    };
    let scan = Scan {
        documents,
        analyses,
        pairs,
        clusters,
        stories,
        common_passages,
        skipped: Vec::new(),
        ignored: 0,
        stats,
        timings: Default::default(),
        carried: None,
    };
    (scan, at_once)
}
