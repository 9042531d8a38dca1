//! Shared shingles: candidate pairs and each document's exact shingle set
//! in, the sorted shingles each pair shares out, found through postings
//! where documents sit in many pairs.
//!
//! Verification needs, for every candidate pair, the shingles both sets
//! hold. Merging the two sets costs both their sizes, pair by pair, so a
//! page in forty candidate pairs is walked forty times: on pair-dense news
//! (pages that quote one tweet, sites that carry each other's stories)
//! merging is the largest cost of verifying. Sorting every document's
//! shingles once, by hash, lists the documents that hold each shingle; a
//! pair's shared shingles are then found where the two documents meet in
//! those lists, at a cost of the entries and the meetings rather than of
//! every pair's two sets.
//!
//! Which way is cheaper depends on the candidates, so
//! [`SharedShingles::through_postings`] estimates both and declines when
//! merging is: in sparse news most pages are in a pair or two, and sorting
//! their shingles would cost more than merging them. Both ways give the
//! same lists (a property test holds them to each other), so the choice
//! never changes a result.

use crate::analysis::shingle::{fmix64, HashMapU64};
use rayon::prelude::*;

/// What one posting costs, against one shingle merged: it is sorted and
/// its group walked.
const POSTING_COST: usize = 8;
/// What one meeting of two documents in a shingle's postings costs,
/// against one shingle merged: the pair is looked up and, when it is a
/// candidate, the shingle listed.
const MEETING_COST: usize = 4;

/// The shingles each of a batch of candidate pairs shares, sorted.
#[derive(Debug)]
pub(crate) struct SharedShingles {
    /// Each distinct pair's slot, keyed by [`pair_key`].
    slots: HashMapU64<u32>,
    /// Where each slot's shingles start in `values`, and where the last
    /// ends.
    starts: Vec<usize>,
    values: Vec<u64>,
}

/// A pair's key, whichever way round it is named: the two documents
/// packed, mixed so that a table of keys passing through needs no other
/// hash (the mix is a bijection, so no two pairs share a key).
fn pair_key(a: u32, b: u32) -> u64 {
    fmix64(u64::from(a.min(b)) << 32 | u64::from(a.max(b)))
}

impl SharedShingles {
    /// The shared shingles of `pairs` through postings of the documents'
    /// sets (`set(d)`, sorted and distinct), or `None` when merging each
    /// pair's sets is estimated to cost less, or some document has no set.
    pub(crate) fn through_postings<'s>(
        pairs: &[(u32, u32)],
        set: impl Fn(u32) -> Option<&'s [u64]> + Sync,
    ) -> Option<Self> {
        Self::build(pairs, set, true)
    }

    /// [`SharedShingles::through_postings`], declining when merging is
    /// cheaper only if `weigh`.
    fn build<'s>(pairs: &[(u32, u32)], set: impl Fn(u32) -> Option<&'s [u64]> + Sync, weigh: bool) -> Option<Self> {
        let mut slots = HashMapU64::default();
        let mut merged = 0;
        for &(a, b) in pairs.iter().filter(|(a, b)| a != b) {
            let next = slots.len() as u32;
            if let std::collections::hash_map::Entry::Vacant(slot) = slots.entry(pair_key(a, b)) {
                slot.insert(next);
                merged += set(a)?.len() + set(b)?.len();
            }
        }
        let mut docs: Vec<u32> = pairs.iter().filter(|(a, b)| a != b).flat_map(|&(a, b)| [a, b]).collect();
        docs.par_sort_unstable();
        docs.dedup();
        let postings: usize = docs.iter().map(|&d| set(d).map_or(0, <[u64]>::len)).sum();
        if weigh && postings * POSTING_COST >= merged {
            return None;
        }
        let mut postings = Postings::gather(&docs, postings, &set)?;
        let meetings = postings.sort();
        if weigh && postings.entries.len() * POSTING_COST + meetings * MEETING_COST >= merged {
            return None;
        }
        let listed = postings.listed_by_pair(&slots);
        drop(postings);
        let (starts, values) = by_slot(slots.len(), listed);
        Some(SharedShingles { slots, starts, values })
    }

    /// The shingles `a` and `b` share, if they are one of the pairs.
    pub(crate) fn of(&self, a: u32, b: u32) -> Option<&[u64]> {
        let slot = *self.slots.get(&pair_key(a, b))? as usize;
        Some(&self.values[self.starts[slot]..self.starts[slot + 1]])
    }
}

/// Every document's shingles as (shingle, document) entries, sorted: by
/// the shingle's top bits into buckets of a few entries each (the shingle
/// hashes are uniform), then each bucket on its own.
struct Postings {
    entries: Vec<(u64, u32)>,
    /// Where each bucket starts in `entries`, and where the last ends.
    starts: Vec<usize>,
}

/// Entries per bucket that [`Postings`] aims for.
const BUCKET_ENTRIES: usize = 8;
/// At most 2^20 buckets: past them, buckets grow instead of the table of
/// where they start.
const MAX_BUCKET_BITS: u32 = 20;

impl Postings {
    /// The entries of `docs` (sorted) bucketed, each bucket in document
    /// order; `None` if a document has no set.
    fn gather<'s>(docs: &[u32], total: usize, set: &impl Fn(u32) -> Option<&'s [u64]>) -> Option<Self> {
        let bits = (total / BUCKET_ENTRIES).max(2).next_power_of_two().trailing_zeros().min(MAX_BUCKET_BITS);
        let bucket = |h: u64| (h >> (64 - bits)) as usize;
        let mut starts = vec![0usize; (1 << bits) + 1];
        for &d in docs {
            set(d)?.iter().for_each(|&h| starts[bucket(h) + 1] += 1);
        }
        for i in 0..1 << bits {
            starts[i + 1] += starts[i];
        }
        let mut next = starts.clone();
        let mut entries = vec![(0, 0); total];
        for &d in docs {
            for &h in set(d)? {
                entries[next[bucket(h)]] = (h, d);
                next[bucket(h)] += 1;
            }
        }
        Some(Postings { entries, starts })
    }

    /// Runs of whole buckets (entry ranges) to list in parallel, a few per
    /// thread so that they balance.
    fn runs(&self) -> Vec<(usize, usize)> {
        let buckets = self.starts.len() - 1;
        let parts = (rayon::current_num_threads() * 4).min(buckets);
        (0..parts).map(|p| (self.starts[buckets * p / parts], self.starts[buckets * (p + 1) / parts])).collect()
    }

    /// Sorts each bucket; returns how many meetings of two documents in
    /// one shingle there are.
    fn sort(&mut self) -> usize {
        let starts = &self.starts;
        let mut rest: &mut [(u64, u32)] = &mut self.entries;
        let mut buckets = Vec::with_capacity(starts.len() - 1);
        for w in starts.windows(2) {
            let (bucket, tail) = std::mem::take(&mut rest).split_at_mut(w[1] - w[0]);
            buckets.push(bucket);
            rest = tail;
        }
        buckets
            .into_par_iter()
            .with_min_len(1024)
            .map(|bucket| {
                bucket.sort_unstable();
                bucket.chunk_by(|x, y| x.0 == y.0).map(|g| g.len() * (g.len() - 1) / 2).sum::<usize>()
            })
            .sum()
    }

    /// Every (slot, shingle) where two documents of a slot's pair meet, in
    /// shingle order. Runs of buckets are listed in parallel and joined in
    /// order, so the list is the same for any thread count.
    fn listed_by_pair(&self, slots: &HashMapU64<u32>) -> Vec<Vec<(u32, u64)>> {
        self.runs()
            .into_par_iter()
            .map(|(from, to)| {
                let mut listed = Vec::new();
                for group in self.entries[from..to].chunk_by(|x, y| x.0 == y.0) {
                    for (i, &(_, x)) in group.iter().enumerate() {
                        for &(h, y) in &group[i + 1..] {
                            if let Some(&slot) = slots.get(&pair_key(x, y)) {
                                listed.push((slot, h));
                            }
                        }
                    }
                }
                listed
            })
            .collect()
    }
}

/// The listed shingles grouped by slot, keeping their order: where each
/// slot's start, and the shingles.
fn by_slot(slots: usize, listed: Vec<Vec<(u32, u64)>>) -> (Vec<usize>, Vec<u64>) {
    let mut starts = vec![0usize; slots + 1];
    for &(slot, _) in listed.iter().flatten() {
        starts[slot as usize + 1] += 1;
    }
    for i in 0..slots {
        starts[i + 1] += starts[i];
    }
    let mut next = starts.clone();
    let mut values = vec![0u64; starts[slots]];
    for (slot, h) in listed.into_iter().flatten() {
        values[next[slot as usize]] = h;
        next[slot as usize] += 1;
    }
    (starts, values)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linking::verify::intersect;
    use proptest::prelude::*;

    fn sets_strategy() -> impl Strategy<Value = Vec<Vec<u64>>> {
        // Few distinct values, so documents share many of them.
        proptest::collection::vec(proptest::collection::btree_set(0u64..300, 0..80), 2..12)
            .prop_map(|sets| sets.into_iter().map(|s| s.into_iter().collect()).collect())
    }

    /// Every pair of the documents, some twice and some backwards, and
    /// one document paired with itself.
    fn dense_pairs(n: u32) -> Vec<(u32, u32)> {
        let mut pairs: Vec<(u32, u32)> = (0..n).flat_map(|a| (a + 1..n).map(move |b| (a, b))).collect();
        pairs.push((1, 0));
        pairs.push((0, 1));
        pairs.push((0, 0));
        pairs
    }

    proptest! {
        /// Each pair's list through postings is what merging its two sets
        /// gives, whichever way round the pair is named.
        #[test]
        fn postings_list_what_merging_gives(sets in sets_strategy()) {
            let pairs = dense_pairs(sets.len() as u32);
            let set = |d: u32| sets.get(d as usize).map(Vec::as_slice);
            let shared = SharedShingles::build(&pairs, set, false).expect("every document has a set");
            for &(a, b) in pairs.iter().filter(|(a, b)| a != b) {
                let merged = intersect(&sets[a as usize], &sets[b as usize]);
                prop_assert_eq!(shared.of(a, b), Some(merged.as_slice()), "pair {} {}", a, b);
            }
            prop_assert_eq!(shared.of(0, 0), None);
        }
    }

    /// Forty pages, each in every pair: postings are cheaper, and list
    /// what merging lists.
    #[test]
    fn dense_candidates_go_through_postings() {
        let sets: Vec<Vec<u64>> = (0..40u64).map(|d| (0..500).map(|i| fmix64(d * 1000 + i)).collect()).collect();
        let mut sets: Vec<Vec<u64>> = sets
            .into_iter()
            .map(|mut s| {
                s.extend((0..20).map(|i| fmix64(1 << 40 | i))); // a quote all forty carry
                s.sort_unstable();
                s
            })
            .collect();
        sets[3].push(u64::MAX);
        sets[7].push(u64::MAX);
        let pairs = dense_pairs(40);
        let shared = SharedShingles::through_postings(&pairs, |d| Some(sets[d as usize].as_slice()))
            .expect("forty pages in every pair are cheaper through postings");
        assert_eq!(shared.of(3, 7).map(<[u64]>::len), Some(21));
        assert_eq!(shared.of(7, 3), shared.of(3, 7));
        assert_eq!(shared.of(1, 2), Some(intersect(&sets[1], &sets[2]).as_slice()));
    }

    /// Pages each in one pair: sorting their shingles would cost more than
    /// merging them, so postings decline; a missing set declines too.
    #[test]
    fn sparse_candidates_are_merged() {
        let sets: Vec<Vec<u64>> = (0..40u64).map(|d| (0..500).map(|i| d * 1000 + i).collect()).collect();
        let pairs: Vec<(u32, u32)> = (0..20).map(|p| (2 * p, 2 * p + 1)).collect();
        assert!(SharedShingles::through_postings(&pairs, |d| Some(sets[d as usize].as_slice())).is_none());
        let dense = dense_pairs(40);
        let missing = |d: u32| (d != 5).then(|| sets[d as usize].as_slice());
        assert!(SharedShingles::through_postings(&dense, missing).is_none());
    }
}
