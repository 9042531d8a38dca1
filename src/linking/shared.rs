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
//! [`through_postings`] estimates both and declines when
//! merging is: in sparse news most pages are in a pair or two, and sorting
//! their shingles would cost more than merging them. Both ways give the
//! same lists (a property test holds them to each other), so the choice
//! never changes a result.

use crate::analysis::shingle::{fmix64, HashMapU64};
use crate::linking::pairs::docs_in;
use rayon::prelude::*;

/// What one posting costs, against one shingle merged: it is scattered,
/// sorted in its bucket and walked twice. (Both costs are in time, which
/// favours the merge: its vectorized steps run several instructions a
/// cycle, where the postings wait on memory.)
const POSTING_COST: usize = 16;
/// What one meeting of two documents in a shingle's postings costs,
/// against one shingle merged: the pair is looked up and, when it is a
/// candidate, the shingle listed.
const MEETING_COST: usize = 8;

/// A pair's key, whichever way round it is named: the two documents
/// packed, mixed so that a table of keys passing through needs no other
/// hash (the mix is a bijection, so no two pairs share a key).
fn pair_key(a: u32, b: u32) -> u64 {
    fmix64(u64::from(a.min(b)) << 32 | u64::from(a.max(b)))
}

/// The shingles each of `pairs` shares, sorted, one list per pair in
/// order, found through postings of the documents' sets (`set(d)`, sorted
/// and distinct); `None` when merging each pair's sets is estimated to
/// cost less, or some document has no set.
pub(crate) fn through_postings<'s>(
    pairs: &[(u32, u32)],
    set: impl Fn(u32) -> Option<&'s [u64]> + Sync,
) -> Option<Vec<Vec<u64>>> {
    listed(pairs, set, true)
}

/// [`through_postings`], declining when merging is cheaper only if
/// `weigh`.
fn listed<'s>(
    pairs: &[(u32, u32)],
    set: impl Fn(u32) -> Option<&'s [u64]> + Sync,
    weigh: bool,
) -> Option<Vec<Vec<u64>>> {
    // The first estimate needs no table of the pairs: in sparse news it
    // is all that runs.
    let distinct = pairs.iter().filter(|(a, b)| a != b);
    let merged = distinct.clone().map(|&(a, b)| Some(set(a)?.len() + set(b)?.len())).sum::<Option<usize>>()?;
    let n = pairs.iter().map(|&(a, b)| a.max(b) as usize + 1).max().unwrap_or(0);
    let docs: Vec<u32> = docs_in(distinct.clone().copied(), n).iter_ones().map(|d| d as u32).collect();
    let postings: usize = docs.iter().map(|&d| set(d).map_or(0, <[u64]>::len)).sum();
    if weigh && postings * POSTING_COST >= merged {
        return None;
    }
    // Each distinct pair (two documents, either way round) gets a slot.
    let mut slots = HashMapU64::default();
    for &(a, b) in distinct {
        let next = slots.len() as u32;
        slots.entry(pair_key(a, b)).or_insert(next);
    }
    let mut postings = Postings::gather(docs, postings, &set)?;
    let meetings = postings.sort();
    if weigh && postings.entries.len() * POSTING_COST + meetings * MEETING_COST >= merged {
        return None;
    }
    let found = postings.slots_of_meetings(&slots);
    let mut by_slot: Vec<Option<Vec<u64>>> = postings.by_slot(slots.len(), &found).into_iter().map(Some).collect();
    drop(postings);
    // A pair named twice gets a copy of its first list.
    let mut given: Vec<Option<usize>> = vec![None; by_slot.len()];
    let mut lists: Vec<Vec<u64>> = Vec::with_capacity(pairs.len());
    for (i, &(a, b)) in pairs.iter().enumerate() {
        let list = if a == b {
            set(a)?.to_vec()
        } else {
            let slot = slots[&pair_key(a, b)] as usize;
            match given[slot] {
                Some(first) => lists[first].clone(),
                None => {
                    given[slot] = Some(i);
                    by_slot[slot].take().expect("each slot is taken once")
                }
            }
        };
        lists.push(list);
    }
    Some(lists)
}

/// Every document's shingles as entries, sorted: scattered by the
/// shingle's top bits into buckets of a few entries each (the shingle
/// hashes are uniform), then each bucket sorted on its own. An entry is one
/// `u64`: the shingle's bits below its bucket's, then the document's index
/// among the batch's documents in the low bits (there are at least as
/// many buckets as documents), so entries sort by shingle, then document.
struct Postings {
    entries: Vec<u64>,
    /// Where each bucket starts in `entries`, and where the last ends.
    starts: Vec<usize>,
    /// Bits of a shingle that pick its bucket, and of an entry that hold
    /// the document.
    bits: u32,
    /// The documents, sorted: an entry holds an index into them.
    docs: Vec<u32>,
}

/// Entries per bucket that [`Postings`] aims for.
const BUCKET_ENTRIES: usize = 8;
/// At most 2^20 buckets: past them, buckets grow instead of the table of
/// where they start (and a batch of more documents is merged instead).
const MAX_BUCKET_BITS: u32 = 20;

impl Postings {
    /// The entries of `docs` (sorted, distinct) bucketed, each bucket in
    /// document order; `None` if a document has no set, or there are more
    /// documents than buckets can be.
    fn gather<'s>(docs: Vec<u32>, total: usize, set: &impl Fn(u32) -> Option<&'s [u64]>) -> Option<Self> {
        let bits_for = |n: usize| n.max(2).next_power_of_two().trailing_zeros();
        let bits = bits_for(total / BUCKET_ENTRIES).min(MAX_BUCKET_BITS).max(bits_for(docs.len()));
        if bits > MAX_BUCKET_BITS {
            return None;
        }
        let bucket = |h: u64| (h >> (64 - bits)) as usize;
        let mut starts = vec![0usize; (1 << bits) + 1];
        for &d in &docs {
            set(d)?.iter().for_each(|&h| starts[bucket(h) + 1] += 1);
        }
        for i in 0..1 << bits {
            starts[i + 1] += starts[i];
        }
        let mut next = starts.clone();
        let mut entries = vec![0; total];
        for (index, &d) in docs.iter().enumerate() {
            for &h in set(d)? {
                entries[next[bucket(h)]] = h << bits | index as u64;
                next[bucket(h)] += 1;
            }
        }
        Some(Postings { entries, starts, bits, docs })
    }

    /// Runs of whole buckets to work on in parallel, a few per thread so
    /// that they balance, as ranges of bucket numbers.
    fn runs(&self) -> Vec<std::ops::Range<usize>> {
        let buckets = self.starts.len() - 1;
        let parts = (rayon::current_num_threads() * 4).min(buckets);
        (0..parts).map(|p| buckets * p / parts..buckets * (p + 1) / parts).collect()
    }

    /// Sorts each bucket; returns how many meetings of two documents in
    /// one shingle there are.
    fn sort(&mut self) -> usize {
        let all = self.runs();
        let (starts, bits) = (&self.starts, self.bits);
        let mut rest: &mut [u64] = &mut self.entries;
        let mut runs = Vec::new();
        for run in all {
            let (entries, tail) = std::mem::take(&mut rest).split_at_mut(starts[run.end] - starts[run.start]);
            runs.push((run, entries));
            rest = tail;
        }
        let pairs_in = |group: &[u64]| group.len() * (group.len() - 1) / 2;
        runs.into_par_iter()
            .map(|(run, entries)| {
                let base = starts[run.start];
                let mut meetings = 0;
                for b in run {
                    let bucket = &mut entries[starts[b] - base..starts[b + 1] - base];
                    bucket.sort_unstable();
                    meetings += bucket.chunk_by(|x, y| x >> bits == y >> bits).map(pairs_in).sum::<usize>();
                }
                meetings
            })
            .sum()
    }

    /// Calls `meet(x, y, shingle)` for every two documents (`x` before `y`)
    /// holding a shingle in buckets `run` (sorted), in shingle order.
    fn meetings(&self, run: std::ops::Range<usize>, mut meet: impl FnMut(u32, u32, u64)) {
        let bits = self.bits;
        let doc = |entry: u64| self.docs[(entry & ((1 << bits) - 1)) as usize];
        for b in run {
            let top = (b as u64) << (64 - bits);
            for group in self.entries[self.starts[b]..self.starts[b + 1]].chunk_by(|x, y| x >> bits == y >> bits) {
                let shingle = top | group[0] >> bits;
                for (i, &x) in group.iter().enumerate() {
                    for &y in &group[i + 1..] {
                        meet(doc(x), doc(y), shingle);
                    }
                }
            }
        }
    }

    /// Each meeting's slot (or [`NO_SLOT`] where the two documents are no
    /// candidate pair), in the order [`Postings::meetings`] gives them.
    /// Runs of buckets are looked up in parallel and joined in order.
    fn slots_of_meetings(&self, slots: &HashMapU64<u32>) -> Vec<u32> {
        let runs: Vec<Vec<u32>> = self
            .runs()
            .into_par_iter()
            .map(|run| {
                let mut found = Vec::new();
                self.meetings(run, |x, y, _| found.push(slots.get(&pair_key(x, y)).copied().unwrap_or(NO_SLOT)));
                found
            })
            .collect();
        runs.concat()
    }

    /// The shingles of each of `count` slots, in shingle order. The
    /// meetings are walked again, their slots read from `found` in the
    /// same order; each list is allocated at its size.
    fn by_slot(&self, count: usize, found: &[u32]) -> Vec<Vec<u64>> {
        let mut sizes = vec![0usize; count];
        for &slot in found.iter().filter(|&&s| s != NO_SLOT) {
            sizes[slot as usize] += 1;
        }
        let mut lists: Vec<Vec<u64>> = sizes.into_iter().map(Vec::with_capacity).collect();
        let mut found = found.iter();
        self.meetings(0..self.starts.len() - 1, |_, _, h| {
            let slot = *found.next().expect("one slot per meeting");
            if slot != NO_SLOT {
                lists[slot as usize].push(h);
            }
        });
        lists
    }
}

/// A meeting of two documents that are no candidate pair.
const NO_SLOT: u32 = u32::MAX;

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
            let shared = listed(&pairs, set, false).expect("every document has a set");
            prop_assert_eq!(shared.len(), pairs.len());
            for (&(a, b), list) in pairs.iter().zip(&shared) {
                let merged = intersect(&sets[a as usize], &sets[b as usize]);
                prop_assert_eq!(list, &merged, "pair {} {}", a, b);
            }
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
        let shared = through_postings(&pairs, |d| Some(sets[d as usize].as_slice()))
            .expect("forty pages in every pair are cheaper through postings");
        let of = |a: u32, b: u32| &shared[pairs.iter().position(|&p| p == (a, b)).expect("a pair")];
        assert_eq!(of(3, 7).len(), 21);
        assert_eq!(of(1, 2), &intersect(&sets[1], &sets[2]));
        // Named twice, and the other way round.
        assert_eq!((of(0, 1), of(1, 0)), (&intersect(&sets[0], &sets[1]), &intersect(&sets[0], &sets[1])));
        assert_eq!(of(0, 0), &sets[0]);
    }

    /// Pages each in one pair: sorting their shingles would cost more than
    /// merging them, so postings decline; a missing set declines too.
    #[test]
    fn sparse_candidates_are_merged() {
        let sets: Vec<Vec<u64>> = (0..40u64).map(|d| (0..500).map(|i| d * 1000 + i).collect()).collect();
        let pairs: Vec<(u32, u32)> = (0..20).map(|p| (2 * p, 2 * p + 1)).collect();
        assert!(through_postings(&pairs, |d| Some(sets[d as usize].as_slice())).is_none());
        let dense = dense_pairs(40);
        let missing = |d: u32| (d != 5).then(|| sets[d as usize].as_slice());
        assert!(through_postings(&dense, missing).is_none());
    }
}
