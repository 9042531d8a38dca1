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
//! Every stage is the one `scan` runs: [`sketch`] is per-document analysis,
//! [`CorpusStatistics`] counts what `scan` counts over its corpus, and
//! [`link`] runs the [`Linker`] that `scan` runs, so a corpus split into
//! batches is judged by the same code as one scanned whole.

pub mod sketch;
pub mod statistics;

pub use sketch::{sketch, sketch_text, Sketch, SketchOptions};
pub use statistics::{Broadcast, CorpusStatistics, StatisticsError};

use crate::analysis::analyze;
use crate::config::ScanConfig;
use crate::document::Document;
use crate::linking::linker::Linker;
use crate::scan::{canonical_rank, Scan, Stats};
use rayon::prelude::*;

/// What [`link`] should do beyond verifying and aligning.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LinkOptions {
    /// Also cluster the documents (complete linkage, verifying on demand
    /// the pairs it asks about): for one connected component of linked
    /// pairs.
    pub cluster: bool,
}

/// Verifies and aligns the `candidates` (indexes into `documents`) and the
/// `rewrite_candidates` (checked as rewrites when shared wording does not
/// link them), under the corpus's `broadcast` statistics; clusters too, if
/// asked. The result is a [`Scan`] of `documents` (with no stories and no
/// common passages: those are judged over the whole corpus).
pub fn link(
    documents: Vec<Document>,
    candidates: &[(u32, u32)],
    rewrite_candidates: Vec<(u32, u32)>,
    broadcast: &Broadcast,
    config: &ScanConfig,
    options: LinkOptions,
) -> Scan {
    let analyses: Vec<_> = documents.par_iter().map(|d| analyze(d, config).0).collect();
    let normalized = |pairs: &[(u32, u32)]| {
        let mut out: Vec<(u32, u32)> =
            pairs.iter().filter(|(a, b)| a != b).map(|&(a, b)| (a.min(b), a.max(b))).collect();
        out.sort_unstable();
        out.dedup();
        out
    };
    let candidates = normalized(candidates);
    let rewrite_candidates = if config.options().rewrites { normalized(&rewrite_candidates) } else { Vec::new() };
    let mut linker = Linker::new(
        config,
        &documents,
        &analyses,
        &broadcast.common,
        &broadcast.weights,
        candidates.iter().chain(&rewrite_candidates).copied(),
    );
    let (mut pairs, rewrites) = linker.link(&candidates, rewrite_candidates.clone());
    let mut stats = Stats {
        candidates: candidates.len(),
        rewrite_candidates: rewrite_candidates.len(),
        rewrites,
        ..Stats::default()
    };
    let clusters = if options.cluster {
        let (clusters, asked) = linker.cluster(&mut pairs, |d| canonical_rank(&documents, &analyses, d));
        stats.verified_on_demand = asked;
        clusters
    } else {
        Vec::new()
    };
    drop(linker);
    Scan {
        documents,
        analyses,
        pairs,
        clusters,
        stories: Vec::new(),
        common_passages: Vec::new(),
        skipped: Vec::new(),
        ignored: 0,
        stats,
        timings: Default::default(),
        carried: None,
    }
}
