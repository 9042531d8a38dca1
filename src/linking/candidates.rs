//! Candidates: signatures and fingerprints in, document pairs worth verifying
//! out.
//!
//! Two indexes feed the candidate list, because one cannot serve both
//! questions copydesk asks:
//!
//! * **LSH banding** over MinHash signatures finds pairs whose Jaccard
//!   similarity is near or above the threshold. The signature of `n` lanes is
//!   cut into `b` bands of `r` rows; two documents become candidates when all
//!   rows of any band agree, which happens with probability
//!   `P(s) = 1 - (1 - s^r)^b` for Jaccard `s`. [`BandParams::optimal`] picks
//!   `b, r` with `b * r <= n` that minimise the false positive area
//!   `∫₀ᵗ P(s) ds` plus the false negative area `∫ₜ¹ (1 - P(s)) ds` for the
//!   threshold `t`, both weighted ½.
//! * **Winnowing fingerprints** (Schleimer, Wilkerson & Aiken 2003) find
//!   containment: a short article reprinted inside a long one has low Jaccard
//!   but shares long runs. The minimum hash of every window of `w` shingles
//!   is kept, so any shared run of `w + k - 1` tokens shares a fingerprint.
//!   Fingerprints held by a "common" share of the corpus are skipped:
//!   boilerplate alone never makes a candidate.
//!
//! Both produce sorted, de-duplicated pairs `(a, b)` with `a < b`, whatever
//! the thread count.

use crate::analysis::shingle::combine_hashes;
use crate::analysis::signature::Signature;
use rayon::prelude::*;

/// A bucket larger than this is linked as a star from its first members
/// instead of all pairs, so a thousand copies of one wire story do not make
/// half a million candidates; clustering verifies the rest.
pub const BUCKET_ALL_PAIRS: usize = 64;
/// Members of an oversized bucket that are linked to every other member.
pub const BUCKET_HUBS: usize = 8;

/// An LSH band split: `bands * rows` lanes of the signature are used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BandParams {
    pub bands: usize,
    pub rows: usize,
}

impl BandParams {
    /// The probability that two documents of Jaccard `s` share a band.
    pub fn collision_probability(&self, s: f64) -> f64 {
        1.0 - (1.0 - s.powi(self.rows as i32)).powi(self.bands as i32)
    }

    /// The split minimising ½·false-positive + ½·false-negative area.
    pub fn optimal(threshold: f64, num_hashes: usize) -> BandParams {
        let mut best = BandParams { bands: 1, rows: num_hashes.max(1) };
        let mut best_cost = f64::INFINITY;
        for bands in 1..=num_hashes {
            for rows in 1..=num_hashes / bands {
                let p = BandParams { bands, rows };
                let fp = integrate(|s| p.collision_probability(s), 0.0, threshold);
                let fneg = integrate(|s| 1.0 - p.collision_probability(s), threshold, 1.0);
                let cost = 0.5 * fp + 0.5 * fneg;
                if cost < best_cost - 1e-12 {
                    best_cost = cost;
                    best = p;
                }
            }
        }
        best
    }
}

/// Simpson's rule with 200 intervals: the integrands are smooth.
fn integrate(f: impl Fn(f64) -> f64, a: f64, b: f64) -> f64 {
    const N: usize = 200;
    if b <= a {
        return 0.0;
    }
    let h = (b - a) / N as f64;
    let mut sum = f(a) + f(b);
    for i in 1..N {
        let x = a + i as f64 * h;
        sum += if i % 2 == 1 { 4.0 } else { 2.0 } * f(x);
    }
    sum * h / 3.0
}

/// The band keys of one signature: each band's rows, two lanes to a word,
/// combined as a shingle's tokens are ([`combine_hashes`]) behind the band
/// index, so equal rows in different bands give different keys.
///
/// Only equal keys matter (they group documents), and a band is a few
/// words: the polynomial's one multiply a word costs a fraction of hashing
/// the rows' bytes.
pub fn band_keys(sig: &Signature, params: BandParams) -> impl Iterator<Item = u64> + '_ {
    lane_band_keys(&sig.0, params)
}

/// [`band_keys`] of a signature's lanes.
pub fn lane_band_keys(lanes: &[u32], params: BandParams) -> impl Iterator<Item = u64> + '_ {
    lanes.chunks_exact(params.rows.max(1)).take(params.bands).enumerate().map(|(band, rows)| {
        let words = rows.chunks(2).map(|pair| pair[0] as u64 | pair.get(1).map_or(0, |&lane| (lane as u64) << 32));
        combine_hashes(std::iter::once(band as u64).chain(words))
    })
}

/// Emits the pairs of one group of documents (sorted indexes), packed as
/// `a << 32 | b`.
fn group_pairs(members: &[u32], out: &mut Vec<u64>) {
    let pack = |a: u32, b: u32| (a as u64) << 32 | b as u64;
    if members.len() <= BUCKET_ALL_PAIRS {
        for (i, &a) in members.iter().enumerate() {
            for &b in &members[i + 1..] {
                out.push(pack(a, b));
            }
        }
    } else {
        for (i, &hub) in members.iter().take(BUCKET_HUBS).enumerate() {
            for &b in &members[i + 1..] {
                out.push(pack(hub, b));
            }
        }
    }
}

/// Entries per partition that [`grouped`] aims for: a partition's sort
/// then runs in L2 cache.
const PARTITION_ENTRIES: usize = 4096;

/// Groups documents by key (`keys[doc]` are document `doc`'s keys) and
/// hands each group's distinct documents, sorted, to `each` with an
/// accumulator; returns one accumulator per partition, in key order.
///
/// Keys are uniform hashes, so their top bits split the entries into
/// partitions of about [`PARTITION_ENTRIES`]; each entry packs the next 32
/// bits of its key above the document index into one `u64`, and a partition
/// sorts those in cache. A group is then a run of equal upper halves: keys
/// agreeing in their top `partition bits + 32` bits are grouped together,
/// and at the sizes copydesk indexes (millions of keys), a false match of
/// two different keys is rare and costs at most a candidate that
/// verification turns down.
///
/// Both passes run in parallel: runs of documents bucket their own entries
/// by partition (a counting sort each), then each partition gathers its
/// slices from every run, in run order, and sorts them stably by key. Runs
/// are consecutive documents, so each group lists its documents in order
/// however many runs (and threads) there are.
///
/// When `unique_skipped`, keys held by one entry are mostly not handed
/// over, for callers that ignore groups of one: before a partition is
/// sorted, its entries pass through a table of counts that drops every
/// entry alone in its slot (a key held twice always shares one), so the
/// sort works on the few keys that recur (most fingerprints and band keys
/// are held by one document) instead of all of them. A key held once that
/// shares a slot by chance (about one in 16) still comes as a group of one.
fn grouped<A: Default + Send>(keys: &[&[u64]], unique_skipped: bool, each: impl Fn(&[u32], &mut A) + Sync) -> Vec<A> {
    let total: usize = keys.iter().map(|k| k.len()).sum();
    let bits = (total / PARTITION_ENTRIES).max(1).ilog2().min(16);
    let part_of = |key: u64| if bits == 0 { 0 } else { (key >> (64 - bits)) as usize };
    let runs = document_runs(keys, total, 4 * rayon::current_num_threads());
    // Each run's entries in partition order, and where each partition ends.
    let bucketed: Vec<(Vec<u64>, Vec<u32>)> = runs
        .par_iter()
        .map(|docs| {
            let mut ends = vec![0u32; 1 << bits];
            for &key in docs.clone().flat_map(|d| keys[d].iter()) {
                ends[part_of(key)] += 1;
            }
            let mut next: Vec<u32> = ends
                .iter()
                .scan(0, |sum, &count| {
                    *sum += count;
                    Some(*sum - count)
                })
                .collect();
            let len = ends.iter().map(|&c| c as usize).sum();
            let mut packed = vec![0u64; len];
            for doc in docs.clone() {
                for &key in keys[doc] {
                    let slot = &mut next[part_of(key)];
                    packed[*slot as usize] = ((key << bits) & 0xffff_ffff_0000_0000) | doc as u64;
                    *slot += 1;
                }
            }
            // `next` now holds each partition's end.
            (packed, next)
        })
        .collect();
    (0..1usize << bits)
        .into_par_iter()
        .map(|p| {
            fn slice((packed, ends): &(Vec<u64>, Vec<u32>), p: usize) -> &[u64] {
                let start = if p == 0 { 0 } else { ends[p - 1] as usize };
                &packed[start..ends[p] as usize]
            }
            let mut part: Vec<u64> = Vec::with_capacity(bucketed.iter().map(|run| slice(run, p).len()).sum());
            for run in &bucketed {
                part.extend_from_slice(slice(run, p));
            }
            if unique_skipped {
                drop_unique_keys(&mut part, |&e| e >> 32);
            }
            // Runs arrive in document order and each run lists its
            // documents in order, so a stable sort by key leaves every
            // group's documents sorted.
            sort_by_upper_half(&mut part);
            let mut acc = A::default();
            let mut members = Vec::new();
            let mut i = 0;
            while i < part.len() {
                let key = part[i] >> 32;
                members.clear();
                while i < part.len() && part[i] >> 32 == key {
                    let doc = part[i] as u32;
                    if members.last() != Some(&doc) {
                        members.push(doc);
                    }
                    i += 1;
                }
                each(&members, &mut acc);
            }
            acc
        })
        .collect()
}

thread_local! {
    /// [`drop_unique_keys`]' counts, all zero between calls.
    static KEY_COUNTS: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Drops the entries whose key no other entry holds, keeping the order of
/// the rest; `key` must be a uniform hash (its low bits pick a slot). Keys
/// are counted in a table of about 16 slots an entry; an entry alone in its
/// slot holds a key held once, the others (a recurring key, or one in 16
/// unique keys sharing a slot by chance) are kept for the sort to group.
fn drop_unique_keys<E>(entries: &mut Vec<E>, key: impl Fn(&E) -> u64) {
    KEY_COUNTS.with_borrow_mut(|counts| {
        let slots = (entries.len() * 16).next_power_of_two().max(64);
        if counts.len() < slots {
            counts.resize(slots, 0);
        }
        let slot = |e: &E| key(e) as usize & (slots - 1);
        for e in entries.iter() {
            let count = &mut counts[slot(e)];
            *count = count.saturating_add(1);
        }
        // Each slot touched is cleared on the way (a dropped entry's slot
        // is its own), which costs less than clearing the table.
        entries.retain(|e| {
            let count = &mut counts[slot(e)];
            let recurs = *count > 1;
            if !recurs {
                *count = 0;
            }
            recurs
        });
        for e in entries.iter() {
            counts[slot(e)] = 0;
        }
    });
}

/// Sorts packed entries by their upper 32 bits, stably: a least significant
/// digit radix sort in three passes of 11 bits, several times faster than a
/// comparison sort on the few thousand entries of a partition.
fn sort_by_upper_half(entries: &mut Vec<u64>) {
    const DIGIT: u32 = 11;
    if entries.len() <= 64 {
        // Insertion sort in the standard library; stable.
        entries.sort_by_key(|e| e >> 32);
        return;
    }
    let mut buffer = vec![0u64; entries.len()];
    for shift in [32, 32 + DIGIT, 32 + 2 * DIGIT] {
        let digit = |e: u64| ((e >> shift) & ((1 << DIGIT) - 1)) as usize;
        let mut next = [0u32; 1 << DIGIT];
        for &e in entries.iter() {
            next[digit(e)] += 1;
        }
        let mut sum = 0;
        for slot in next.iter_mut() {
            (*slot, sum) = (sum, sum + *slot);
        }
        for &e in entries.iter() {
            let slot = &mut next[digit(e)];
            buffer[*slot as usize] = e;
            *slot += 1;
        }
        std::mem::swap(entries, &mut buffer);
    }
}

/// Splits the documents into about `count` consecutive runs holding similar
/// numbers of keys.
fn document_runs(keys: &[&[u64]], total: usize, count: usize) -> Vec<std::ops::Range<usize>> {
    let per_run = total.div_ceil(count.max(1)).max(1);
    let mut runs = Vec::new();
    let (mut start, mut held) = (0, 0);
    for (doc, k) in keys.iter().enumerate() {
        held += k.len();
        if held >= per_run {
            runs.push(start..doc + 1);
            (start, held) = (doc + 1, 0);
        }
    }
    if start < keys.len() {
        runs.push(start..keys.len());
    }
    runs
}

/// Sorts the entries gathered from every document's list (each tagged with
/// its list's index by `tag`, and the lists consumed), where `key(e)`
/// is a uniform hash that leads each entry's order (an entry's first field,
/// or the entry itself): partitioned by the keys' top bits in one counting
/// pass, each partition sorted in parallel. The partitions, in order, are
/// the whole list sorted; entries with equal keys share a partition.
///
/// Entries whose key no other entry holds are left out before sorting
/// (but for about one in 16, see `drop_unique_keys`): the callers look
/// for keys several entries share, and most keys are held once.
pub fn sorted_partitions<T: Copy, E: Copy + Ord + Send + Sync>(
    lists: Vec<Vec<T>>,
    tag: impl Fn(usize, T) -> E,
    key: impl Fn(&E) -> u64 + Sync,
) -> Vec<Vec<E>> {
    let total: usize = lists.iter().map(Vec::len).sum();
    let bits = partition_bits(total);
    let mut counts = vec![0usize; 1 << bits];
    for (i, list) in lists.iter().enumerate() {
        for &t in list {
            counts[part_of(key(&tag(i, t)), bits)] += 1;
        }
    }
    let mut parts: Vec<Vec<E>> = counts.iter().map(|&c| Vec::with_capacity(c)).collect();
    // Each list is freed as soon as it is scattered, so the entries are
    // held about once, not once in the lists and again in the partitions.
    for (i, list) in lists.into_iter().enumerate() {
        for t in list {
            let e = tag(i, t);
            parts[part_of(key(&e), bits)].push(e);
        }
    }
    sort_partitions(&mut parts, &key);
    parts
}

/// [`sorted_partitions`] of `lists` lists that `make(i)` makes: they are
/// made in parallel [`MADE_AT_ONCE`] at a time and scattered at once, so
/// no more than that many lists are ever held beside the partitions. The
/// first lists made say how large each partition will be (exactly, when
/// they are all the lists), so the partitions are allocated once, a little
/// over, instead of doubling as they fill.
///
/// An entry made is stored as `pack(entry, bits)`: its partition already
/// says the top `bits` bits of its key, so a caller may store only the
/// bits after them. `packed_key(stored)` is then the uniform hash that
/// finds the keys held once, and a stored entry sorts by its key first.
pub fn sorted_partitions_made<M: Send, E: Copy + Ord + Send + Sync>(
    lists: usize,
    make: impl Fn(usize) -> Vec<M> + Sync + Send,
    key: impl Fn(&M) -> u64 + Sync,
    pack: impl Fn(M, u32) -> E,
    packed_key: impl Fn(&E) -> u64 + Sync,
) -> Vec<Vec<E>> {
    let made_at = |start: usize| -> Vec<Vec<M>> {
        (start..(start + MADE_AT_ONCE).min(lists)).into_par_iter().map(&make).collect()
    };
    let first = made_at(0);
    let scale = lists as f64 / first.len().max(1) as f64;
    let seen: usize = first.iter().map(Vec::len).sum();
    let bits = partition_bits((seen as f64 * scale) as usize);
    let mut counts = vec![0usize; 1 << bits];
    for e in first.iter().flatten() {
        counts[part_of(key(e), bits)] += 1;
    }
    let margin = if scale > 1.0 { 1.25 } else { 1.0 };
    let mut parts: Vec<Vec<E>> =
        counts.iter().map(|&c| Vec::with_capacity((c as f64 * scale * margin) as usize + 1)).collect();
    let mut batch = first;
    let mut start = 0;
    loop {
        for e in batch.into_iter().flatten() {
            parts[part_of(key(&e), bits)].push(pack(e, bits));
        }
        start += MADE_AT_ONCE;
        if start >= lists {
            break;
        }
        batch = made_at(start);
    }
    sort_partitions(&mut parts, &packed_key);
    parts
}

/// Lists [`sorted_partitions_made`] makes at a time.
pub const MADE_AT_ONCE: usize = 4096;

/// Partitions of about [`PARTITION_ENTRIES`] for `total` entries, as bits
/// of the key.
fn partition_bits(total: usize) -> u32 {
    (total / PARTITION_ENTRIES).max(1).ilog2().min(16)
}

fn part_of(key: u64, bits: u32) -> usize {
    if bits == 0 {
        0
    } else {
        (key >> (64 - bits)) as usize
    }
}

/// Drops the keys held once from each partition and sorts it, in parallel.
fn sort_partitions<E: Ord + Send>(parts: &mut [Vec<E>], key: &(impl Fn(&E) -> u64 + Sync)) {
    parts.par_iter_mut().for_each(|p| {
        drop_unique_keys(p, key);
        // Most keys are held once: their room is given back before the
        // next stage of an index allocates its own.
        p.shrink_to_fit();
        p.sort_unstable();
    });
}

/// Sorts pairs packed as `a << 32 | b` (faster than sorting tuples) and
/// unpacks them, with the number of times each occurred.
fn count_pairs(mut packed: Vec<u64>) -> Vec<((u32, u32), usize)> {
    packed.par_sort_unstable();
    let mut out: Vec<((u32, u32), usize)> = Vec::new();
    for p in packed {
        let pair = ((p >> 32) as u32, p as u32);
        match out.last_mut() {
            Some((last, n)) if *last == pair => *n += 1,
            _ => out.push((pair, 1)),
        }
    }
    out
}

/// Pairs that share at least one LSH band, given each document's
/// [`band_keys`] (empty for a document with no signature).
pub fn lsh_pairs(keys: &[&[u64]]) -> Vec<(u32, u32)> {
    let pairs: Vec<u64> = grouped(keys, true, |members, out: &mut Vec<u64>| {
        if members.len() > 1 {
            group_pairs(members, out);
        }
    })
    .concat();
    count_pairs(pairs).into_iter().map(|(pair, _)| pair).collect()
}

/// Winnowing: the minimum hashes of every window of `w` hashes, in text
/// order, each run of windows sharing a minimum giving it once (a value
/// can recur where the text repeats itself; the index groups by value, so
/// that costs nothing). A sequence shorter than `w` keeps its single
/// minimum. On ties the rightmost minimum wins, so a run of equal minima is
/// picked once. The window's minimum is only searched again when it slides
/// out, which keeps the cost near one comparison per hash.
pub fn winnow(hashes: &[u64], w: usize) -> Vec<u64> {
    winnow_into(hashes, w, &mut Vec::new()).to_vec()
}

/// [`winnow`] into a caller's buffer, returning the fingerprints (a prefix
/// of it), so a caller that keeps them can copy them out at their exact
/// size: the expected count is only an estimate, and the slack of a vector
/// sized by it would be a quarter of what every document keeps. The buffer
/// only ever grows, so it is not filled with zeros for every document.
pub fn winnow_into<'a>(hashes: &[u64], w: usize, buffer: &'a mut Vec<u64>) -> &'a [u64] {
    let w = w.max(1);
    let n = hashes.len();
    if n == 0 {
        return &[];
    }
    // Whether the entering hash takes over the window is a coin toss a
    // branch predictor loses about once in `w` hashes: the minimum and its
    // value are selected instead (conditional moves, kept in registers so
    // no load sits in the loop's dependency chain), and each new minimum is
    // written unconditionally and kept by advancing the length.
    let rightmost_min = |from: usize, to: usize| {
        let window = &hashes[from..to];
        // A full window of the default width is reduced as a tree (three
        // levels of pairs instead of a chain of seven steps): the rescan
        // follows a mispredicted branch, and its latency is what it costs.
        if let Ok(eight) = <&[u64; 8]>::try_from(window) {
            let pick = |(l, lv): (usize, u64), (r, rv): (usize, u64)| if rv <= lv { (r, rv) } else { (l, lv) };
            let pairs: [(usize, u64); 4] =
                std::array::from_fn(|p| pick((2 * p, eight[2 * p]), (2 * p + 1, eight[2 * p + 1])));
            let (best, _) = pick(pick(pairs[0], pairs[1]), pick(pairs[2], pairs[3]));
            return from + best;
        }
        let (mut best, mut low) = (0, window[0]);
        for (j, &h) in window.iter().enumerate().skip(1) {
            let taken = h <= low;
            best = if taken { j } else { best };
            low = if taken { h } else { low };
        }
        from + best
    };
    let first_end = w.min(n);
    let mut min = rightmost_min(0, first_end);
    let mut low = hashes[min];
    if buffer.len() < n - first_end + 1 {
        buffer.resize(n - first_end + 1, 0);
    }
    let picked = &mut buffer[..n - first_end + 1];
    picked[0] = low;
    let mut len = 1;
    for (i, &entering) in hashes.iter().enumerate().skip(first_end) {
        let before = min;
        let taken = entering <= low;
        min = if taken { i } else { min };
        low = if taken { entering } else { low };
        if min + w <= i {
            // The minimum slid out of the window [i + 1 - w, i]: look again.
            min = rightmost_min(i + 1 - w, i + 1);
            low = hashes[min];
        }
        picked[len] = low;
        len += (min != before) as usize;
    }
    &buffer[..len]
}

/// The reference winnowing: every window scanned in full, the distinct
/// minima sorted. Kept to check [`winnow`] against in tests.
pub fn winnow_reference(hashes: &[u64], w: usize) -> Vec<u64> {
    let w = w.max(1);
    let mut picked = Vec::new();
    if hashes.is_empty() {
        return picked;
    }
    for start in 0..=hashes.len().saturating_sub(w) {
        let window = &hashes[start..(start + w).min(hashes.len())];
        let (off, _) = window.iter().enumerate().rev().min_by_key(|&(_, h)| *h).expect("window is not empty");
        picked.push(hashes[start + off]);
    }
    picked.sort_unstable();
    picked.dedup();
    picked
}

/// What the containment index found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContainmentCandidates {
    pub pairs: Vec<(u32, u32)>,
    /// Distinct fingerprints skipped because too many documents hold them.
    pub common_fingerprints: usize,
}

/// Pairs that share at least `min_fingerprints` fingerprints held by fewer
/// than `common_df` documents.
pub fn containment_pairs(fingerprints: &[&[u64]], min_fingerprints: usize, common_df: usize) -> ContainmentCandidates {
    // With a threshold below 2, a fingerprint one document holds counts as
    // common, so every group matters.
    let parts = grouped(fingerprints, common_df >= 2, |members, (out, common): &mut (Vec<u64>, usize)| {
        if members.len() >= common_df {
            *common += 1;
        } else if members.len() > 1 {
            group_pairs(members, out);
        }
    });
    let common = parts.iter().map(|(_, c)| c).sum();
    let pairs: Vec<u64> = parts.into_iter().flat_map(|(p, _)| p).collect();
    let kept = count_pairs(pairs).into_iter().filter(|&(_, n)| n >= min_fingerprints).map(|(pair, _)| pair).collect();
    ContainmentCandidates { pairs: kept, common_fingerprints: common }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn optimal_split_for_half() {
        let p = BandParams::optimal(0.5, 128);
        assert!(p.bands * p.rows <= 128);
        // The S-curve's steepest point sits near the threshold.
        assert!(p.collision_probability(0.3) < 0.25, "{p:?}");
        assert!(p.collision_probability(0.7) > 0.9, "{p:?}");
    }

    #[test]
    fn higher_threshold_more_rows() {
        let lo = BandParams::optimal(0.3, 128);
        let hi = BandParams::optimal(0.8, 128);
        assert!(hi.rows > lo.rows, "{lo:?} {hi:?}");
    }

    #[test]
    fn winnowing_picks_each_windows_rightmost_minimum_in_order() {
        // Every window's rightmost minimum, given once per run of windows
        // sharing it: exactly (order and repeats included), for the
        // default width's tree and the general scan, on hashes full of ties.
        for w in [3, 7, 8, 9] {
            for seed in 0..200u64 {
                let hashes: Vec<u64> =
                    (0..seed % 40 + 1).map(|i| crate::analysis::shingle::fmix64(seed * 1000 + i) % 5).collect();
                let mut expected = Vec::new();
                let mut last = usize::MAX;
                for start in 0..=hashes.len().saturating_sub(w) {
                    let window = &hashes[start..(start + w).min(hashes.len())];
                    let low = *window.iter().min().expect("a window");
                    let at = start + window.iter().rposition(|&h| h == low).expect("the minimum");
                    if at != last {
                        expected.push(low);
                        last = at;
                    }
                }
                assert_eq!(winnow(&hashes, w), expected, "w {w} {hashes:?}");
            }
        }
    }

    #[test]
    fn winnowing_guarantee() {
        // Any shared run of w hashes yields a shared fingerprint.
        let a: Vec<u64> = (0..100).map(crate::analysis::shingle::fmix64).collect();
        let mut b: Vec<u64> = (1000..1040).map(crate::analysis::shingle::fmix64).collect();
        b.extend_from_slice(&a[40..48]);
        b.extend((2000..2040).map(crate::analysis::shingle::fmix64));
        let fa = winnow(&a, 8);
        let fb = winnow(&b, 8);
        assert!(fa.iter().any(|f| fb.contains(f)));
    }

    #[test]
    fn radix_sort_is_a_stable_sort_by_the_upper_half() {
        for n in [0usize, 1, 63, 64, 65, 1000, 20_000] {
            // Few distinct upper halves, so stability is put to the test.
            let entries: Vec<u64> = (0..n as u64)
                .map(|i| {
                    (crate::analysis::shingle::fmix64(i) % 97) << 53
                        | (crate::analysis::shingle::fmix64(i + 7) & 0x3) << 40
                        | i
                })
                .collect();
            let mut expected = entries.clone();
            expected.sort_by_key(|e| e >> 32);
            let mut got = entries;
            sort_by_upper_half(&mut got);
            assert_eq!(got, expected, "{n}");
        }
    }

    #[test]
    fn partitioned_grouping_matches_a_map() {
        // 3,000 documents drawing keys from a pool of 20,000, enough entries
        // for several partitions.
        let keys: Vec<Vec<u64>> = (0..3000u64)
            .map(|d| {
                (0..12)
                    .map(|i| crate::analysis::shingle::fmix64(crate::analysis::shingle::fmix64(d * 31 + i) % 20_000))
                    .collect()
            })
            // One document holding a key twice that nobody else holds.
            .chain([vec![crate::analysis::shingle::fmix64(1 << 40); 2]])
            .collect();
        let slices: Vec<&[u64]> = keys.iter().map(Vec::as_slice).collect();
        let mut expected: std::collections::BTreeMap<u64, Vec<u32>> = Default::default();
        for (d, ks) in keys.iter().enumerate() {
            for &k in ks {
                let docs = expected.entry(k).or_default();
                if docs.last() != Some(&(d as u32)) {
                    docs.push(d as u32);
                }
            }
        }
        let mut held: std::collections::BTreeMap<u64, usize> = Default::default();
        for &k in keys.iter().flatten() {
            *held.entry(k).or_default() += 1;
        }
        assert!(keys.iter().map(Vec::len).sum::<usize>() / PARTITION_ENTRIES >= 8);
        let mut all: Vec<Vec<u32>> = expected.values().cloned().collect();
        all.sort();
        let got_all: Vec<Vec<u32>> =
            grouped(&slices, false, |members, out: &mut Vec<Vec<u32>>| out.push(members.to_vec())).concat();
        let mut sorted = got_all.clone();
        sorted.sort();
        assert_eq!(sorted, all);
        // Skipping unique keys keeps every group of several documents and
        // every key held more than once, even by one document (the last
        // one holds a key twice); of the keys held once, only those sharing
        // a count slot by chance remain, as groups of one.
        let mut got: Vec<Vec<u32>> =
            grouped(&slices, true, |members, out: &mut Vec<Vec<u32>>| out.push(members.to_vec())).concat();
        got.sort();
        let several = |groups: &[Vec<u32>]| groups.iter().filter(|g| g.len() > 1).cloned().collect::<Vec<_>>();
        assert_eq!(several(&got), several(&all));
        assert!(got.contains(&vec![3000]));
        let ones_held_once = expected.iter().filter(|(k, docs)| docs.len() == 1 && held[*k] == 1).count();
        let ones_kept = got.iter().filter(|g| g.len() == 1).count();
        assert!(ones_kept * 4 < ones_held_once, "{ones_kept} of {ones_held_once}");
    }

    #[test]
    fn partitions_made_batch_by_batch_sort_as_all_at_once() {
        // More lists than are made at once, of uneven lengths.
        let make = |d: usize| -> Vec<(u64, u32)> {
            let d = d as u64;
            (0..(d % 7) * 3)
                .map(|i| (crate::analysis::shingle::fmix64((d * 31 + i * 977) % 20_000 + 1), d as u32))
                .collect()
        };
        let lists: Vec<Vec<(u64, u32)>> = (0..MADE_AT_ONCE * 2 + 123).map(make).collect();
        let all_at_once = sorted_partitions(lists.clone(), |_, e| e, |e| e.0).concat();
        let made = sorted_partitions_made(lists.len(), make, |e| e.0, |e, _| e, |e| e.0).concat();
        // Both keep every recurring key; which keys held once survive by
        // chance depends on the partition sizes, so compare those kept.
        let recurring = |v: &[(u64, u32)]| -> Vec<(u64, u32)> {
            v.chunk_by(|x, y| x.0 == y.0).filter(|g| g.len() > 1).flatten().copied().collect()
        };
        assert!(made.windows(2).all(|w| w[0] <= w[1]));
        assert!(!recurring(&made).is_empty());
        assert_eq!(recurring(&made), recurring(&all_at_once));
    }

    #[test]
    fn sorted_partitions_keep_recurring_keys_in_order() {
        // 40,000 entries over several partitions: keys from a pool of
        // 30,000, so some are held once and some several times.
        let lists: Vec<Vec<(u64, u32)>> = (0..400u64)
            .map(|d| {
                (0..100)
                    .map(|i| (crate::analysis::shingle::fmix64((d * 7919 + i * 104_729) % 30_000 + 1), d as u32))
                    .collect()
            })
            .collect();
        let mut held: std::collections::HashMap<u64, usize> = Default::default();
        for &(k, _) in lists.iter().flatten() {
            *held.entry(k).or_default() += 1;
        }
        let parts = sorted_partitions(lists.clone(), |_, e| e, |e| e.0);
        assert!(parts.len() >= 8);
        let all: Vec<(u64, u32)> = parts.concat();
        assert!(all.windows(2).all(|w| w[0] <= w[1]), "sorted across partitions");
        let mut recurring: Vec<(u64, u32)> = lists.iter().flatten().copied().filter(|e| held[&e.0] > 1).collect();
        recurring.sort_unstable();
        let kept_recurring: Vec<(u64, u32)> = all.iter().copied().filter(|e| held[&e.0] > 1).collect();
        assert_eq!(kept_recurring, recurring);
        let (kept_once, once) = (all.len() - recurring.len(), held.values().filter(|&&n| n == 1).count());
        assert!(once > 1000 && kept_once * 4 < once, "{kept_once} of {once}");
    }

    #[test]
    fn oversized_groups_become_stars() {
        let members: Vec<u32> = (0..100).collect();
        let mut packed = Vec::new();
        group_pairs(&members, &mut packed);
        let pairs: Vec<(u32, u32)> = packed.iter().map(|&p| ((p >> 32) as u32, p as u32)).collect();
        assert!(pairs.len() < 100 * 99 / 2);
        assert!(pairs.iter().all(|&(a, b)| a < b));
        // Every member is linked to the first hub.
        assert_eq!(pairs.iter().filter(|p| p.0 == 0).count(), 99);
    }
}
