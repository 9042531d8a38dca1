//! MinHash signatures: shingle hashes in, a fixed-length [`Signature`] out.
//!
//! One-permutation hashing (Li, Owen & Zhang 2012) with optimal densification
//! (Shrivastava 2017): each shingle hash picks one of `n` bins by its high 32
//! bits and competes for that bin's minimum with its low 32 bits, so signing
//! costs O(1) per shingle instead of O(n). Bins no shingle fell into borrow
//! the value of a filled bin chosen by a fixed hash of (bin, attempt), which
//! keeps `P[sig_a[i] == sig_b[i]] = Jaccard(a, b)` for every bin. The
//! estimate is checked against exact Jaccard in the property tests.

use crate::analysis::shingle::fmix64;
use std::sync::OnceLock;

/// Seed of the densification probe sequence.
pub const DENSIFY_SEED: u64 = 0x6d69_6e68_6173_6821;

/// A MinHash signature: `n` 32-bit lanes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature(pub Box<[u32]>);

impl Signature {
    /// Signs a multiset of shingle hashes with `n` lanes; `None` when there
    /// is nothing to sign.
    pub fn new(hashes: &[u64], n: usize) -> Option<Signature> {
        let mut lanes = vec![u32::MAX; n];
        sign_into(hashes, &mut lanes).then(|| Signature(lanes.into_boxed_slice()))
    }

    /// The share of equal lanes: an unbiased estimate of Jaccard similarity.
    pub fn jaccard(&self, other: &Signature) -> f64 {
        let n = self.0.len().min(other.0.len());
        if n == 0 {
            return 0.0;
        }
        let equal = self.0.iter().zip(other.0.iter()).filter(|(a, b)| a == b).count();
        equal as f64 / n as f64
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Signs `hashes` into `lanes` (one lane per bin, all `u32::MAX` on the
/// way in), as [`Signature::new`] does but into the caller's memory: a
/// sentence's 32 lanes fit on the stack. False when there is nothing to
/// sign.
pub fn sign_into(hashes: &[u64], lanes: &mut [u32]) -> bool {
    if hashes.is_empty() || lanes.is_empty() {
        return false;
    }
    if let Ok(lanes) = <&mut [u32; 128]>::try_from(&mut *lanes) {
        // The default width: `((h >> 32) * 128) >> 32` is `h >> 57`,
        // an index the compiler sees is in range (no multiply, no
        // bounds check).
        for &h in hashes {
            let bin = (h >> 57) as usize;
            lanes[bin] = lanes[bin].min(lane_value(h));
        }
    } else {
        hashes.iter().for_each(|&h| compete(lanes, h));
    }
    densify(lanes);
    true
}

/// The value hash `h` offers its bin. An empty lane holds u32::MAX; a
/// value is capped one below, so "filled" needs no separate flag and
/// signing is a branch-free minimum (the cap changes one value in 2^32).
fn lane_value(h: u64) -> u32 {
    (h as u32).min(u32::MAX - 1)
}

/// Lets hash `h` compete for the minimum of the bin its high 32 bits pick
/// among `lanes` (at least one).
fn compete(lanes: &mut [u32], h: u64) {
    let bin = (((h >> 32) * lanes.len() as u64) >> 32) as usize;
    lanes[bin] = lanes[bin].min(lane_value(h));
}

/// [`sign_into`] over the hashes `keep` accepts, without gathering them
/// first (a sentence signs its rare words, and every sentence is signed):
/// the number of hashes accepted, the lanes signed only when that is at
/// least `min` (and at least one).
pub fn sign_kept_into(hashes: &[u64], keep: impl Fn(u64) -> bool, min: usize, lanes: &mut [u32]) -> usize {
    if lanes.is_empty() {
        return hashes.iter().filter(|&&h| keep(h)).count();
    }
    if let Ok(lanes) = <&mut [u32; RANKED_WIDTH]>::try_from(&mut *lanes) {
        return sign_kept_ranked(hashes, keep, min, lanes);
    }
    let mut kept = 0;
    for &h in hashes.iter().filter(|&&h| keep(h)) {
        kept += 1;
        compete(lanes, h);
    }
    if kept >= min.max(1) {
        densify(lanes);
    }
    kept
}

/// [`sign_kept_into`] at [`RANKED_WIDTH`] (a sentence's signature): which
/// bins the hashes fill is noted as they are binned (`((h >> 32) * 32) >>
/// 32` is `h >> 59`), not read back from the lanes.
fn sign_kept_ranked(hashes: &[u64], keep: impl Fn(u64) -> bool, min: usize, lanes: &mut [u32; RANKED_WIDTH]) -> usize {
    let (mut kept, mut filled) = (0, 0u32);
    for &h in hashes.iter().filter(|&&h| keep(h)) {
        kept += 1;
        let bin = (h >> 59) as usize;
        lanes[bin] = lanes[bin].min(lane_value(h));
        filled |= 1 << bin;
    }
    if kept >= min.max(1) && filled != u32::MAX {
        densify_ranked(lanes, filled);
    }
    kept
}

/// Fills the empty bins (`u32::MAX`) of `lanes`, at least one of which is
/// filled, each from a donor bin: optimal densification.
fn densify(lanes: &mut [u32]) {
    let n = lanes.len();
    // Donors are bins filled by shingles, never by densification. Only
    // empty bins are written, so a donor's lane still holds its own value;
    // which bins were filled is kept as bits (or, past 128 bins, a copy).
    let filled = Filled::of(lanes);
    if filled.all(n) {
        return;
    }
    if let (Filled::Bits(bits), RANKED_WIDTH) = (&filled, n) {
        return densify_ranked(lanes, *bits as u32);
    }
    DONORS.with_borrow_mut(|tables| {
        let table = donor_table(tables, n);
        for bin in 0..n {
            if !filled.has(bin) {
                lanes[bin] = lanes[table.donor(bin, &filled)];
            }
        }
    });
}

/// [`densify`] at [`RANKED_WIDTH`] (a sentence's signature), through the
/// [`ranked_donors`] table.
fn densify_ranked(lanes: &mut [u32], filled: u32) {
    let by_donor = ranked_donors();
    // Each bin's best donor so far, over the filled bins seen: one
    // vectorized minimum per filled bin (a sentence fills a few).
    let mut best = [u16::MAX; RANKED_WIDTH];
    let mut rest = filled;
    while rest != 0 {
        let column = &by_donor[rest.trailing_zeros() as usize];
        best.iter_mut().zip(column).for_each(|(b, &c)| *b = (*b).min(c));
        rest &= rest - 1;
    }
    // Every bin reads its donor (a filled bin, itself) from the lanes as
    // shingles left them: a select and a load per bin, where branching on
    // filled bins mispredicted on sparse signatures.
    let source: [u32; RANKED_WIDTH] = lanes.try_into().expect("a ranked-width signature");
    let mut unlisted = 0u32;
    for (bin, lane) in lanes.iter_mut().enumerate() {
        let own = filled >> bin & 1 == 1;
        unlisted |= u32::from(!own && best[bin] == u16::MAX) << bin;
        let donor = if own { bin } else { usize::from(best[bin] as u8) % RANKED_WIDTH };
        *lane = source[donor];
    }
    // Bins none of whose listed probes is filled (very few bins filled).
    while unlisted != 0 {
        let bin = unlisted.trailing_zeros() as usize;
        lanes[bin] = source[donor_past_list(bin, RANKED_WIDTH, |d| filled >> d & 1 == 1)];
        unlisted &= unlisted - 1;
    }
}

/// The width whose donors [`ranked_donors`] ranks: a sentence signature's.
const RANKED_WIDTH: usize = 32;

/// For each bin `f` of [`RANKED_WIDTH`] and each bin `b`, `position << 8 |
/// f`, where `position` is where `f` first appears in `b`'s first
/// [`DONOR_PROBES`] probes (`u16::MAX` if it does not). A bin's donor is
/// then the smallest entry it has among the filled bins: a branch-free
/// minimum, column by filled column, where probing until a filled bin
/// turns up mispredicted on nearly every empty bin of a sparse signature
/// (a sentence's few words in 32 bins).
fn ranked_donors() -> &'static [[u16; RANKED_WIDTH]; RANKED_WIDTH] {
    static RANKED: OnceLock<[[u16; RANKED_WIDTH]; RANKED_WIDTH]> = OnceLock::new();
    RANKED.get_or_init(|| {
        let mut by_donor = [[u16::MAX; RANKED_WIDTH]; RANKED_WIDTH];
        // Latest attempt first, so each entry ends at the first.
        let probes = (0..RANKED_WIDTH).flat_map(|bin| (0..DONOR_PROBES as u64).rev().map(move |at| (bin, at)));
        for (bin, attempt) in probes {
            let d = donor_of(bin, attempt, RANKED_WIDTH as u64);
            by_donor[d][bin] = (attempt as u16) << 8 | d as u16;
        }
        by_donor
    })
}

/// The probe sequences of every bin of one width.
struct DonorTable {
    width: usize,
    /// The first [`DONOR_PROBES`] donors of each bin, bin by bin.
    probes: Vec<u32>,
}

impl DonorTable {
    fn new(width: usize) -> Self {
        let probes = (0..width)
            .flat_map(|bin| (0..DONOR_PROBES as u64).map(move |attempt| donor_of(bin, attempt, width as u64) as u32))
            .collect();
        DonorTable { width, probes }
    }

    /// The first filled bin in `bin`'s probe sequence.
    fn donor(&self, bin: usize, filled: &Filled) -> usize {
        let listed = &self.probes[bin * DONOR_PROBES..(bin + 1) * DONOR_PROBES];
        match listed.iter().find(|&&d| filled.has(d as usize)) {
            Some(&d) => d as usize,
            None => donor_past_list(bin, self.width, |d| filled.has(d)),
        }
    }
}

/// The first filled bin of `bin`'s probe sequence beyond the listed
/// [`DONOR_PROBES`] (very few bins filled).
fn donor_past_list(bin: usize, width: usize, filled: impl Fn(usize) -> bool) -> usize {
    (DONOR_PROBES as u64..)
        .map(|attempt| donor_of(bin, attempt, width as u64))
        .find(|&d| filled(d))
        .expect("some bin is filled")
}

/// Which bins shingles filled, before densification writes any.
enum Filled {
    /// One bit per bin, bin 0 in bit 0 (up to 128 bins).
    Bits(u128),
    /// Past 128 bins.
    Copy(Vec<bool>),
}

impl Filled {
    fn of(lanes: &[u32]) -> Filled {
        if lanes.len() <= 128 {
            Filled::Bits(lanes.iter().rev().fold(0u128, |bits, &lane| bits << 1 | u128::from(lane != u32::MAX)))
        } else {
            Filled::Copy(lanes.iter().map(|&lane| lane != u32::MAX).collect())
        }
    }

    fn has(&self, bin: usize) -> bool {
        match self {
            Filled::Bits(bits) => bits >> bin & 1 == 1,
            Filled::Copy(filled) => filled[bin],
        }
    }

    fn all(&self, n: usize) -> bool {
        match self {
            Filled::Bits(bits) => bits.count_ones() as usize == n,
            Filled::Copy(filled) => filled.iter().all(|&f| f),
        }
    }
}

/// One-permutation bins filled one element at a time, for callers that see
/// a set element by element (the Python package's datasketch-shaped
/// `MinHash`); [`Bins::finish`] densifies them into a [`Signature`] equal
/// to [`Signature::new`] of the same hashes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bins(Vec<u32>);

impl Bins {
    /// `n` empty bins.
    pub fn new(n: usize) -> Bins {
        Bins(vec![u32::MAX; n])
    }

    /// Adds one element's 64-bit hash.
    pub fn add(&mut self, h: u64) {
        if !self.0.is_empty() {
            compete(&mut self.0, h);
        }
    }

    /// The bins of the union of both sets (same width).
    pub fn merge(&mut self, other: &Bins) {
        for (x, y) in self.0.iter_mut().zip(&other.0) {
            *x = (*x).min(*y);
        }
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether no element was added.
    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|&v| v == u32::MAX)
    }

    /// The signature of the elements added; `None` before the first.
    pub fn finish(&self) -> Option<Signature> {
        if self.is_empty() {
            return None;
        }
        let mut lanes = self.0.clone();
        densify(&mut lanes);
        Some(Signature(lanes.into_boxed_slice()))
    }
}

/// Probes listed per bin in a donor table: enough that a bin finds a donor
/// in its list unless very few bins are filled (then the sequence goes on
/// past the list).
const DONOR_PROBES: usize = 64;

/// The `attempt`-th donor a bin probes: a fixed hash of (bin, attempt).
fn donor_of(bin: usize, attempt: u64, width: u64) -> usize {
    let probe = fmix64(DENSIFY_SEED ^ ((bin as u64) << 32 | attempt));
    (((probe >> 32) * width) >> 32) as usize
}

thread_local! {
    /// Each width's donor table, per thread: the probe sequence depends on
    /// nothing but the bin, so it is hashed once instead of for every
    /// empty bin of every signature (sentences, with a few words in 32
    /// bins, are mostly empty bins).
    static DONORS: std::cell::RefCell<Vec<DonorTable>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The donor table of `width` bins, made on first use.
fn donor_table(tables: &mut Vec<DonorTable>, width: usize) -> &DonorTable {
    let at = match tables.iter().position(|t| t.width == width) {
        Some(at) => at,
        None => {
            tables.push(DonorTable::new(width));
            tables.len() - 1
        }
    };
    &tables[at]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hashes(range: std::ops::Range<u64>) -> Vec<u64> {
        range.map(fmix64).collect()
    }

    #[test]
    fn bins_filled_one_by_one_sign_as_the_whole_set() {
        for (n, len) in [(128, 3), (128, 500), (32, 5), (100, 40)] {
            let hs = hashes(0..len);
            let mut bins = Bins::new(n);
            assert!(bins.is_empty() && bins.finish().is_none());
            let (left, right) = hs.split_at(hs.len() / 2);
            left.iter().for_each(|&h| bins.add(h));
            let mut other = Bins::new(n);
            right.iter().for_each(|&h| other.add(h));
            bins.merge(&other);
            assert_eq!(bins.finish(), Signature::new(&hs, n), "n {n}, {len} hashes");
        }
    }

    /// Signing as first written: every empty bin hashes its probes one
    /// by one against a snapshot of the filled bins.
    fn signature_reference(hashes: &[u64], n: usize) -> Option<Signature> {
        if hashes.is_empty() || n == 0 {
            return None;
        }
        let width = n as u64;
        let mut lanes = vec![u32::MAX; n];
        for &h in hashes {
            let bin = (((h >> 32) * width) >> 32) as usize;
            lanes[bin] = lanes[bin].min((h as u32).min(u32::MAX - 1));
        }
        let filled: Vec<bool> = lanes.iter().map(|&v| v != u32::MAX).collect();
        for bin in (0..n).filter(|&b| !filled[b]) {
            let mut attempt = 0u64;
            lanes[bin] = loop {
                let probe = fmix64(DENSIFY_SEED ^ ((bin as u64) << 32 | attempt));
                let donor = (((probe >> 32) * width) >> 32) as usize;
                if filled[donor] {
                    break lanes[donor];
                }
                attempt += 1;
            };
        }
        Some(Signature(lanes.into_boxed_slice()))
    }

    #[test]
    fn densification_matches_probing_each_bin() {
        // One to a few hundred shingles in 7, 32 and 128 bins: with one
        // filled bin of 128, most bins probe past the listed donors.
        for n in [7, 32, 128] {
            for size in [1, 2, 3, 5, 10, 40, 300] {
                for salt in 0..5 {
                    let h = hashes(salt * 1000..salt * 1000 + size);
                    assert_eq!(Signature::new(&h, n), signature_reference(&h, n), "{n} {size} {salt}");
                }
            }
        }
    }

    #[test]
    fn signing_the_kept_hashes_is_signing_them_gathered() {
        // Keeping every hash, none, and about one in three; asking for at
        // least 0, 1 and 2 of them.
        for n in [32, 128] {
            for size in [0, 1, 2, 3, 10, 40] {
                for (salt, modulus) in (0..4).zip([1, 3, 7, u64::MAX]) {
                    let h = hashes(salt * 1000..salt * 1000 + size);
                    let keep = |x: u64| x.is_multiple_of(modulus);
                    let kept: Vec<u64> = h.iter().copied().filter(|&x| keep(x)).collect();
                    for min in 0..3 {
                        let mut lanes = vec![u32::MAX; n];
                        let count = sign_kept_into(&h, keep, min, &mut lanes);
                        assert_eq!(count, kept.len(), "{n} {size} {salt}");
                        if count >= min.max(1) {
                            assert_eq!(Some(Signature(lanes.into_boxed_slice())), Signature::new(&kept, n));
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn default_width_bins_by_shift() {
        // The 128-lane path bins by `h >> 57`; the general one multiplies.
        for h in hashes(0..100_000).into_iter().chain([0, u64::MAX, 1 << 57, (1 << 57) - 1]) {
            assert_eq!(((h >> 32) * 128) >> 32, h >> 57, "{h:x}");
        }
    }

    #[test]
    fn identical_sets_identical_signatures() {
        let a = Signature::new(&hashes(0..300), 128).unwrap();
        let mut shuffled = hashes(0..300);
        shuffled.reverse();
        assert_eq!(a, Signature::new(&shuffled, 128).unwrap());
    }

    #[test]
    fn disjoint_sets_rarely_collide() {
        let a = Signature::new(&hashes(0..500), 128).unwrap();
        let b = Signature::new(&hashes(1000..1500), 128).unwrap();
        assert!(a.jaccard(&b) < 0.05);
    }

    #[test]
    fn tiny_sets_are_densified() {
        let s = Signature::new(&hashes(0..3), 128).unwrap();
        let distinct: std::collections::BTreeSet<u32> = s.0.iter().copied().collect();
        assert!(distinct.len() <= 3);
        assert!(Signature::new(&[], 128).is_none());
    }
}
