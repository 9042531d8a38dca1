//! Inferred links: the verified pairs' Jaccard in, a proof that an
//! unverified pair would verify as a near-duplicate out, read through a
//! document both are verified against.
//!
//! Jaccard distance (1 − J) is a metric, so for any documents x, y, z,
//! `J(x, y) ≥ J(x, z) + J(z, y) − 1`. Verification reports J′, in which the
//! shared shingles set aside (common across the corpus, or quoted in both)
//! leave both the intersection and the union; J′ ≤ J, and
//! `J′(x, y) ≥ J(x, y) − s / U`, where `s`, the set-aside shingles the pair
//! shares, is at most the fewer of either side's common-or-quoted shingles,
//! and the union `U` is at least the larger set. Hence
//!
//! ```text
//! J′(x, y) ≥ J′(x, z) + J′(z, y) − 1 − min(c_x, c_y) / max(|x|, |y|)
//! ```
//!
//! When that bound reaches the near-duplicate threshold, verifying the pair
//! could only call it a near-duplicate or a duplicate, and it links.
//! Clustering asks this before verifying on demand when a cluster grows
//! past [`crate::linking::cluster::STAR_FROM`] members (smaller ones verify
//! and list every missing pair, as they always did).

/// Each document's verified neighbours and their J′, sorted by document.
#[derive(Debug, Default)]
pub struct Neighbours {
    lists: Vec<Vec<(u32, f64)>>,
}

impl Neighbours {
    /// From verified pairs `(a, b, J′)` among `n` documents.
    pub fn new(n: usize, pairs: impl IntoIterator<Item = (u32, u32, f64)>) -> Self {
        let mut lists: Vec<Vec<(u32, f64)>> = vec![Vec::new(); n];
        for (a, b, jaccard) in pairs {
            lists[a as usize].push((b, jaccard));
            lists[b as usize].push((a, jaccard));
        }
        for list in &mut lists {
            list.sort_by_key(|x| x.0);
        }
        Neighbours { lists }
    }

    /// The best `J′(x, z) + J′(z, y) − 1` over documents `z` verified
    /// against both, if any.
    pub fn through_common(&self, x: u32, y: u32) -> Option<f64> {
        let (lx, ly) = (&self.lists[x as usize], &self.lists[y as usize]);
        let (small, large) = if lx.len() <= ly.len() { (lx, ly) } else { (ly, lx) };
        small
            .iter()
            .filter_map(|&(z, jz)| {
                let at = large.binary_search_by_key(&z, |e| e.0).ok()?;
                Some(jz + large[at].1 - 1.0)
            })
            .reduce(f64::max)
    }
}

/// What a document brings to the bound: the size of its shingle set and
/// how many of its shingles are common or quoted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SetSize {
    pub shingles: usize,
    pub aside: usize,
}

/// The lower bound on `J′(x, y)` from [`Neighbours::through_common`].
pub fn lower_bound(through: f64, x: SetSize, y: SetSize) -> f64 {
    let larger = x.shingles.max(y.shingles).max(1) as f64;
    through - x.aside.min(y.aside) as f64 / larger
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linking::verify::{intersect, measure, SetAside};
    use proptest::prelude::*;

    fn set(v: &[u64]) -> Vec<u64> {
        let mut v = v.to_vec();
        v.sort_unstable();
        v.dedup();
        v
    }

    fn jaccard(a: &[u64], b: &[u64], common: &[u64]) -> f64 {
        let shared = intersect(a, b);
        let aside = |h: u64| if common.contains(&h) { SetAside::Common } else { SetAside::No };
        measure(a.len(), b.len(), &shared, aside).jaccard
    }

    proptest! {
        /// The bound never exceeds the J′ that verification measures.
        #[test]
        fn bound_holds(
            x in proptest::collection::vec(0u64..60, 1..40),
            y in proptest::collection::vec(0u64..60, 1..40),
            z in proptest::collection::vec(0u64..60, 1..40),
            common in proptest::collection::vec(0u64..60, 0..10),
        ) {
            let (x, y, z, common) = (set(&x), set(&y), set(&z), set(&common));
            let neighbours = Neighbours::new(3, [(0, 2, jaccard(&x, &z, &common)), (1, 2, jaccard(&y, &z, &common))]);
            let through = neighbours.through_common(0, 1).expect("z is a common neighbour");
            let size = |s: &[u64]| SetSize { shingles: s.len(), aside: s.iter().filter(|h| common.contains(h)).count() };
            let bound = lower_bound(through, size(&x), size(&y));
            prop_assert!(bound <= jaccard(&x, &y, &common) + 1e-12, "bound {} > J' {}", bound, jaccard(&x, &y, &common));
        }
    }

    #[test]
    fn no_common_neighbour_no_bound() {
        let neighbours = Neighbours::new(4, [(0, 2, 0.9), (1, 3, 0.9)]);
        assert_eq!(neighbours.through_common(0, 1), None);
        let neighbours = Neighbours::new(3, [(0, 2, 0.9), (1, 2, 0.8)]);
        assert!((neighbours.through_common(0, 1).unwrap() - 0.7).abs() < 1e-12);
    }
}
