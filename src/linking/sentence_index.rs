//! The sentence index: each document's sentence keys in, the document
//! pairs whose sentences collide often enough to be compared for a rewrite
//! out.
//!
//! A key is one band of a sentence's signature over its rare words
//! ([`crate::linking::rewrite::unsorted_document_keys`]). Two documents are a candidate
//! pair when at least [`MIN_SENTENCE_HITS`] distinct sentences of the first
//! share a bucket of at most [`MAX_BUCKET_DOCS`] documents with the second.
//!
//! Keys are scattered into partitions a few thousand documents at a time
//! and those held once are dropped. Most colliding pairs meet in one or
//! two buckets, so a first pass over the buckets counts each pair's hits
//! ([`HitCounts`]) and only the hits of pairs that can reach the bar are
//! listed and sorted. The count may be too high, never too low, so the
//! pairs are those of the plain method (a property test holds them to a
//! brute-force reference).

use crate::analysis::shingle::fmix64;
use crate::linking::candidates::{sorted_partitions, sorted_partitions_made};
use crate::linking::rewrite::{MAX_BUCKET_DOCS, MIN_SENTENCE_HITS};
use rayon::prelude::*;
use std::sync::atomic::{AtomicU8, Ordering::Relaxed};

/// Document pairs in which at least [`MIN_SENTENCE_HITS`] distinct
/// sentences (of the first document) share a bucket with the second, sorted.
/// Counting sentences rather than buckets matters: one identical sentence
/// collides in every band.
///
/// `keys(d)` gives document `d`'s keys ([`crate::linking::rewrite::document_keys`]); they are made a
/// few thousand documents at a time, so all the keys are never held at
/// once beside the index.
pub fn candidate_pairs(documents: usize, keys: impl Fn(usize) -> Vec<(u64, u32)> + Sync + Send) -> Vec<(u32, u32)> {
    let tagged = |doc: usize| keys(doc).into_iter().map(|(k, s)| (k, (doc as u32, s))).collect();
    let by_key = sorted_partitions_made(documents, tagged, |e| e.0);
    // Most document pairs meet in one or two buckets and can never reach
    // MIN_SENTENCE_HITS distinct sentences: a first pass counts each pair's
    // hits (by the pair's hash, in a table that may merge pairs but never
    // undercounts one), and only the hits of pairs counted often enough are
    // listed and sorted.
    // The table is sized by the pairs each bucket could give: counting the
    // hits exactly would take a pass as long as counting them in the table.
    let hits_bound: usize =
        by_key.par_iter().map(|entries| buckets(entries).map(|b| b.len() * (b.len() - 1) / 2).sum::<usize>()).sum();
    let counts = HitCounts::new(hits_bound);
    by_key.par_iter().for_each(|entries| {
        bucket_hits(entries, |pair, _| counts.add(pair));
    });
    // Each partition is freed as soon as its hits are listed.
    let hits: Vec<Vec<(u64, u32)>> = by_key
        .into_par_iter()
        .map(|entries| {
            let mut hits = Vec::new();
            bucket_hits(&entries, |pair, sa| {
                if counts.enough(pair) {
                    hits.push((pair, sa));
                }
            });
            hits
        })
        .collect();
    drop(counts);
    let mut kept: Vec<(u32, u32)> = sorted_partitions(hits, |_, e| e, |e| e.0)
        .par_iter()
        .flat_map_iter(|hits| {
            let mut kept = Vec::new();
            for pair in hits.chunk_by(|x, y| x.0 == y.0) {
                let sentences = pair.windows(2).filter(|w| w[0].1 != w[1].1).count() + 1;
                if sentences >= MIN_SENTENCE_HITS {
                    let packed = unfmix64(pair[0].0);
                    kept.push(((packed >> 32) as u32, packed as u32));
                }
            }
            kept
        })
        .collect();
    kept.par_sort_unstable();
    kept
}

/// The buckets of one sorted partition of the sentence index that can give
/// hits: entries sharing a key, held by 2 to [`MAX_BUCKET_DOCS`] documents.
fn buckets(entries: &[Entry]) -> impl Iterator<Item = &[Entry]> {
    entries.chunk_by(|x, y| x.0 == y.0).filter(|group| {
        let docs = group.windows(2).filter(|w| w[0].1 .0 != w[1].1 .0).count() + 1;
        (2..=MAX_BUCKET_DOCS).contains(&docs)
    })
}

/// Calls `hit(pair, sa)` for every hit in one sorted partition of the
/// sentence index: a sentence `sa` of document `da` sharing a bucket with
/// `db`, the pair keyed by its hash (fmix64 is a bijection, so no two pairs
/// share one, and partitioning the hits again brings each pair's together).
fn bucket_hits(entries: &[Entry], mut hit: impl FnMut(u64, u32)) {
    let pack = |da: u32, db: u32| fmix64((da as u64) << 32 | db as u64);
    for group in buckets(entries) {
        for (x, &(_, (da, sa))) in group.iter().enumerate() {
            for &(_, (db, _)) in &group[x + 1..] {
                if da != db {
                    hit(pack(da, db), sa);
                }
            }
        }
    }
}

/// A sentence-index entry: a key, with the document and sentence holding it.
type Entry = (u64, (u32, u32));

/// Hits per document pair, by the pair's hash, counted up to
/// [`MIN_SENTENCE_HITS`]: pairs sharing a slot add up, so a count is never
/// below the true one, and a pair under the bar has too few hits to have
/// that many distinct sentences.
struct HitCounts(Vec<AtomicU8>);

impl HitCounts {
    /// About two slots per hit.
    fn new(hits: usize) -> Self {
        let slots = (hits * 2).next_power_of_two().max(64);
        HitCounts((0..slots).map(|_| AtomicU8::new(0)).collect())
    }

    fn slot(&self, pair: u64) -> &AtomicU8 {
        &self.0[pair as usize & (self.0.len() - 1)]
    }

    /// Counts one hit. Threads racing past the bar may push a count a few
    /// over it, never back under it, and never near overflow.
    fn add(&self, pair: u64) {
        let slot = self.slot(pair);
        if usize::from(slot.load(Relaxed)) < MIN_SENTENCE_HITS {
            slot.fetch_add(1, Relaxed);
        }
    }

    fn enough(&self, pair: u64) -> bool {
        usize::from(self.slot(pair).load(Relaxed)) >= MIN_SENTENCE_HITS
    }
}

/// The inverse of [`fmix64`].
fn unfmix64(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0x9cb4_b2f8_1293_37db);
    h ^= h >> 33;
    h = h.wrapping_mul(0x4f74_430c_22a5_4005);
    h ^ (h >> 33)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unfmix_inverts_fmix() {
        for x in [0u64, 1, 42, u64::MAX, 0x1234_5678_9abc_def0] {
            assert_eq!(unfmix64(fmix64(x)), x);
        }
    }

    /// The pairs the index finds, by brute force: every two documents with
    /// at least MIN_SENTENCE_HITS distinct sentences of the first sharing a
    /// bucket of at most MAX_BUCKET_DOCS documents with the second.
    fn candidate_pairs_reference(keys: &[Vec<(u64, u32)>]) -> Vec<(u32, u32)> {
        let mut holders: std::collections::BTreeMap<u64, std::collections::BTreeSet<u32>> = Default::default();
        for (d, list) in keys.iter().enumerate() {
            for &(k, _) in list {
                holders.entry(k).or_default().insert(d as u32);
            }
        }
        let mut sentences: std::collections::BTreeMap<(u32, u32), std::collections::BTreeSet<u32>> = Default::default();
        for (da, list) in keys.iter().enumerate() {
            for &(k, sa) in list {
                let docs = &holders[&k];
                if docs.len() > MAX_BUCKET_DOCS {
                    continue;
                }
                for &db in docs.range(da as u32 + 1..) {
                    sentences.entry((da as u32, db)).or_default().insert(sa);
                }
            }
        }
        sentences.into_iter().filter(|(_, s)| s.len() >= MIN_SENTENCE_HITS).map(|(p, _)| p).collect()
    }

    proptest::proptest! {
        /// Few distinct keys, so buckets are shared often, some past the cap.
        #[test]
        fn index_finds_the_reference_pairs(
            keys in proptest::collection::vec(proptest::collection::vec((0u64..40, 0u32..6), 0..30), 0..90)
        ) {
            let keys: Vec<Vec<(u64, u32)>> = keys
                .into_iter()
                .map(|mut list| {
                    list.iter_mut().for_each(|(k, _)| *k = fmix64(*k + 1));
                    list.sort_unstable();
                    list.dedup();
                    list
                })
                .collect();
            let found = candidate_pairs(keys.len(), |d| keys[d].clone());
            proptest::prop_assert_eq!(found, candidate_pairs_reference(&keys));
        }
    }
}
