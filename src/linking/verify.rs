//! Verification: a candidate pair's exact shingle sets in, measured
//! similarity and a [`Relation`] out.
//!
//! LSH and fingerprints only nominate pairs; nothing counts until the exact
//! sets agree. Shingles the corpus marks as common (held by at least
//! [`crate::ScanConfig::common_df`] documents: boilerplate, widgets, stock
//! phrases) are taken out of the shared part *and* out of both sides'
//! totals, so masking can lower a pair's similarity but never raise it:
//!
//! ```text
//! shared        = |A ∩ B| - |A ∩ B ∩ Common|
//! jaccard       = shared / (|A ∪ B| - |A ∩ B ∩ Common|)
//! containment_a = shared / (|A| - |A ∩ B ∩ Common|)    (share of A found in B)
//! ```
//!
//! Containment also needs `min_shared` shingles, so a two-line brief cannot
//! be "contained" in a long article on the strength of one stock phrase.

use crate::config::ScanConfig;

/// What a verified pair is to each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Relation {
    /// Jaccard at least 0.9: the same text up to trims and widgets.
    Duplicate,
    /// Jaccard at least the threshold.
    NearDuplicate,
    /// Most of one document is found in the other.
    Contained,
    /// The same story retold: sentences aligned in order on content words
    /// though few word sequences survive (see [`crate::linking::rewrite`]).
    Rewritten,
    /// Real shared passages, too few to call either a copy of the other.
    Partial,
    /// They share only quoted speech: a common upstream, not a copy.
    Quotation,
}

impl Relation {
    pub fn as_str(self) -> &'static str {
        match self {
            Relation::Duplicate => "duplicate",
            Relation::NearDuplicate => "near-duplicate",
            Relation::Contained => "contained",
            Relation::Rewritten => "rewritten",
            Relation::Partial => "partial",
            Relation::Quotation => "quotation",
        }
    }

    /// Whether this relation puts two documents in one story cluster.
    pub fn links(self) -> bool {
        !matches!(self, Relation::Partial | Relation::Quotation)
    }
}

/// Jaccard at or above which a pair is a plain duplicate.
pub const DUPLICATE_JACCARD: f64 = 0.9;

/// Exact similarity of two documents.
#[derive(Debug, Clone, PartialEq)]
pub struct PairMetrics {
    pub shared: usize,
    /// Shingles both hold that were masked as common.
    pub masked: usize,
    /// Shingles both hold only inside quotation marks: a common upstream
    /// (the speaker), weighed apart.
    pub quoted: usize,
    pub jaccard: f64,
    pub containment_a: f64,
    pub containment_b: f64,
}

impl PairMetrics {
    /// The relation these numbers support under `config`, if any.
    pub fn relation(&self, config: &ScanConfig) -> Option<Relation> {
        let o = config.options();
        if self.shared == 0 && self.quoted == 0 {
            return None;
        }
        if self.jaccard >= DUPLICATE_JACCARD {
            Some(Relation::Duplicate)
        } else if self.jaccard >= o.threshold {
            Some(Relation::NearDuplicate)
        } else if self.shared >= o.min_shared && self.containment_a.max(self.containment_b) >= o.containment {
            Some(Relation::Contained)
        } else if self.shared >= o.min_shared {
            Some(Relation::Partial)
        } else if self.quoted >= o.min_shared {
            Some(Relation::Quotation)
        } else {
            None
        }
    }
}

/// The sorted intersection of two sorted, de-duplicated sets.
pub fn intersect(a: &[u64], b: &[u64]) -> Vec<u64> {
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2") {
        // SAFETY: the processor has AVX2, all `intersect_avx2` asks.
        return unsafe { intersect_avx2(a, b) };
    }
    intersect_merge(a, b)
}

/// [`intersect`] four values of each set at a time, with AVX2: each value of
/// a block of `a` is compared with all four of a block of `b` at once (the
/// block and its three rotations), and the block whose last value is lower
/// moves on (both, when they end on the same value). A value of `a` meets
/// every block of `b` that could hold it while its own block stays, so no
/// shared value is missed, and it is kept once, in order. Most candidate
/// pairs share little: a step of the merge one value at a time waited on
/// the comparison before, and this moves four at once. The last values,
/// fewer than a block, are merged one at a time. The values are gathered
/// in the thread's buffer and copied out at their exact size: verified
/// pairs hold them through the scan.
///
/// # Safety
/// The processor must have AVX2.
#[cfg(target_arch = "x86_64")]
unsafe fn intersect_avx2(a: &[u64], b: &[u64]) -> Vec<u64> {
    MERGED.with_borrow_mut(|shared| {
        shared.clear();
        // SAFETY: the caller checked the processor has AVX2.
        unsafe { intersect_avx2_into(a, b, shared) };
        shared.to_vec()
    })
}

/// [`intersect_avx2`] into `shared`.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn intersect_avx2_into(a: &[u64], b: &[u64], shared: &mut Vec<u64>) {
    use std::arch::x86_64::*;
    let (mut i, mut j) = (0, 0);
    while i + 4 <= a.len() && j + 4 <= b.len() {
        // SAFETY: both blocks lie inside their slices (checked above), and
        // unaligned loads read any address.
        let (block_a, block_b) = unsafe {
            (
                _mm256_loadu_si256(a.as_ptr().add(i).cast::<__m256i>()),
                _mm256_loadu_si256(b.as_ptr().add(j).cast::<__m256i>()),
            )
        };
        let rotated_1 = _mm256_permute4x64_epi64::<0b00_11_10_01>(block_b);
        let rotated_2 = _mm256_permute4x64_epi64::<0b01_00_11_10>(block_b);
        let rotated_3 = _mm256_permute4x64_epi64::<0b10_01_00_11>(block_b);
        let equal = _mm256_or_si256(
            _mm256_or_si256(_mm256_cmpeq_epi64(block_a, block_b), _mm256_cmpeq_epi64(block_a, rotated_1)),
            _mm256_or_si256(_mm256_cmpeq_epi64(block_a, rotated_2), _mm256_cmpeq_epi64(block_a, rotated_3)),
        );
        let mut found = _mm256_movemask_pd(_mm256_castsi256_pd(equal)) as u32;
        while found != 0 {
            shared.push(a[i + found.trailing_zeros() as usize]);
            found &= found - 1;
        }
        let (last_a, last_b) = (a[i + 3], b[j + 3]);
        i += 4 * usize::from(last_a <= last_b);
        j += 4 * usize::from(last_b <= last_a);
    }
    while i < a.len() && j < b.len() {
        let (x, y) = (a[i], b[j]);
        if x == y {
            shared.push(x);
        }
        i += usize::from(x <= y);
        j += usize::from(y <= x);
    }
}

/// [`intersect`] one value at a time, where there is no AVX2.
fn intersect_merge(a: &[u64], b: &[u64]) -> Vec<u64> {
    // Which side advances is a coin toss for pairs that share little (most
    // candidates a verification turns down), so both steps are computed
    // rather than guessed, and every value is written and kept only when
    // equal. Each step then waits on the one before (the next load needs
    // the index the comparison moved), so the sets are split at a value
    // into two halves whose merges interleave: two chains of steps that do
    // not wait on each other.
    //
    // The merges write into the thread's buffer, which is never cleared
    // (each value kept is written before it is read), and only the shared
    // values are copied out: a pair sharing one quoted paragraph keeps a
    // few dozen values, not room for its shorter set.
    MERGED.with_borrow_mut(|out| {
        let room = a.len().min(b.len());
        if out.len() < room {
            out.resize(room, 0);
        }
        if room < 32 {
            let mut merge = Merge { i: 0, j: 0, k: 0, out: 0 };
            merge.finish(a, b, out);
            return out[..merge.k].to_vec();
        }
        let a_mid = a.len() / 2;
        let b_mid = b.partition_point(|&y| y < a[a_mid]);
        let (low_a, low_b, high_a, high_b) = (&a[..a_mid], &b[..b_mid], &a[a_mid..], &b[b_mid..]);
        // Values below the split are kept from 0, the rest from `high_from`.
        let high_from = low_a.len().min(low_b.len());
        let mut low = Merge { i: 0, j: 0, k: 0, out: 0 };
        let mut high = Merge { i: 0, j: 0, k: 0, out: high_from };
        while low.live(low_a, low_b) && high.live(high_a, high_b) {
            low.step(low_a, low_b, out);
            high.step(high_a, high_b, out);
        }
        low.finish(low_a, low_b, out);
        high.finish(high_a, high_b, out);
        let mut shared = Vec::with_capacity(low.k + high.k);
        shared.extend_from_slice(&out[..low.k]);
        shared.extend_from_slice(&out[high_from..high_from + high.k]);
        shared
    })
}

thread_local! {
    /// Where [`intersect`] merges, kept between pairs.
    static MERGED: std::cell::RefCell<Vec<u64>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// One merge of [`intersect`]: its positions in the two sets, and how many
/// shared values it has written from `out` on.
struct Merge {
    i: usize,
    j: usize,
    k: usize,
    out: usize,
}

impl Merge {
    /// Whether both positions are still in their sets.
    #[inline(always)]
    fn live(&self, a: &[u64], b: &[u64]) -> bool {
        self.i < a.len() && self.j < b.len()
    }

    /// Steps until either set runs out.
    #[inline(always)]
    fn finish(&mut self, a: &[u64], b: &[u64], out: &mut [u64]) {
        while self.live(a, b) {
            self.step(a, b, out);
        }
    }

    /// One step; the caller checks both positions are in range.
    #[inline(always)]
    fn step(&mut self, a: &[u64], b: &[u64], out: &mut [u64]) {
        let (x, y) = (a[self.i], b[self.j]);
        // At most min(i, j) values are kept before this step.
        out[self.out + self.k] = x;
        self.k += usize::from(x == y);
        self.i += usize::from(x <= y);
        self.j += usize::from(y <= x);
    }
}

/// How many values two sorted, de-duplicated sets share.
pub fn intersection_len<T: Ord + Copy>(a: &[T], b: &[T]) -> usize {
    // Branch-free, as in [`intersect`]: short sets of words (a sentence's)
    // interleave at random, so a branch on the comparison is a coin toss.
    let (mut i, mut j, mut shared) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        let (x, y) = (a[i], b[j]);
        shared += usize::from(x == y);
        i += usize::from(x <= y);
        j += usize::from(y <= x);
    }
    shared
}

/// How a shared shingle is set aside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetAside {
    /// It counts.
    No,
    /// Common across the corpus (boilerplate, stock phrases).
    Common,
    /// Quoted speech in both documents.
    Quoted,
}

/// Measures two sets given their intersection and how each shared shingle
/// is set aside (asked of each in order); set-aside shingles leave the
/// shared part and both totals.
pub fn measure(a_len: usize, b_len: usize, shared: &[u64], mut set_aside: impl FnMut(u64) -> SetAside) -> PairMetrics {
    let (mut masked, mut quoted) = (0, 0);
    for &h in shared {
        match set_aside(h) {
            SetAside::No => {}
            SetAside::Common => masked += 1,
            SetAside::Quoted => quoted += 1,
        }
    }
    let aside = masked + quoted;
    let kept = shared.len() - aside;
    let ratio = |num: usize, den: usize| if den == 0 { 0.0 } else { num as f64 / den as f64 };
    PairMetrics {
        shared: kept,
        masked,
        quoted,
        jaccard: ratio(kept, a_len + b_len - shared.len() - aside),
        containment_a: ratio(kept, a_len - aside),
        containment_b: ratio(kept, b_len - aside),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_intersection_at_the_edges() {
        // The split value puts all of one set on one side, or leaves a side
        // empty; every case must give a plain intersection.
        let evens: Vec<u64> = (0..200).map(|x| 2 * x).collect();
        for b in [(0..50).collect::<Vec<u64>>(), (300..500).collect(), (390..400).collect(), evens.clone(), vec![]] {
            let expected: Vec<u64> = evens.iter().copied().filter(|x| b.contains(x)).collect();
            assert_eq!(intersect(&evens, &b), expected);
            assert_eq!(intersect(&b, &evens), expected);
        }
    }

    #[test]
    fn masking_only_lowers() {
        let a: Vec<u64> = (0..100).collect();
        let b: Vec<u64> = (50..150).collect();
        let shared = intersect(&a, &b);
        let plain = measure(a.len(), b.len(), &shared, |_| SetAside::No);
        let masked = measure(a.len(), b.len(), &shared, |h| if h < 60 { SetAside::Common } else { SetAside::No });
        assert!((plain.jaccard - 50.0 / 150.0).abs() < 1e-12);
        assert!(masked.jaccard <= plain.jaccard);
        assert!(masked.containment_a <= plain.containment_a);
        assert_eq!(masked.shared, 40);
    }

    #[test]
    fn boilerplate_alone_is_no_relation() {
        let cfg = ScanConfig::default();
        let a: Vec<u64> = (0..40).collect();
        let b: Vec<u64> = (0..10).chain(100..200).collect();
        let shared = intersect(&a, &b);
        let m = measure(a.len(), b.len(), &shared, |h| if h < 10 { SetAside::Common } else { SetAside::No });
        assert_eq!(m.relation(&cfg), None);
    }

    #[test]
    fn short_copy_inside_long_is_contained() {
        let cfg = ScanConfig::default();
        let a: Vec<u64> = (0..60).collect();
        let b: Vec<u64> = (0..1000).collect();
        let m = measure(a.len(), b.len(), &intersect(&a, &b), |_| SetAside::No);
        assert_eq!(m.relation(&cfg), Some(Relation::Contained));
    }

    proptest::proptest! {
        /// Both merges against a set's own intersection, on sets from
        /// disjoint to equal and of very different sizes.
        #[test]
        fn merges_are_set_intersections(
            a in proptest::collection::btree_set(0u64..200, 0..120),
            b in proptest::collection::btree_set(0u64..200, 0..120),
        ) {
            let expected: Vec<u64> = a.intersection(&b).copied().collect();
            let (a, b): (Vec<u64>, Vec<u64>) = (a.into_iter().collect(), b.into_iter().collect());
            proptest::prop_assert_eq!(intersection_len(&a, &b), expected.len());
            proptest::prop_assert_eq!(&intersect_merge(&a, &b), &expected);
            proptest::prop_assert_eq!(intersect(&a, &b), expected);
        }
    }
}
