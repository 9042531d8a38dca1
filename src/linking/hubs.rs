//! Hubs: candidate pairs and the groups LSH joins in, the pairs worth
//! verifying out. Inside a group of at least [`cluster::STAR_FROM`] likely
//! copies (a story carried by hundreds of pages), the pairs are replaced by
//! one per member, with the group's hub: each copy is verified and aligned
//! once, against the version that will most likely be kept (earliest
//! published, then fullest), not against every other copy. Pairs across
//! groups, and every pair of smaller groups, are kept as they are.
//!
//! [`cluster::STAR_FROM`]: crate::linking::cluster::STAR_FROM

use crate::linking::cluster::STAR_FROM;
use std::collections::HashMap;

/// The group (a representative document) of each of `n` documents, joined
/// by `lsh` candidate pairs.
pub fn groups(lsh: &[(u32, u32)], n: usize) -> Vec<u32> {
    let mut found = petgraph::unionfind::UnionFind::<u32>::new(n);
    for &(a, b) in lsh {
        found.union(a, b);
    }
    found.into_labeling()
}

/// `pairs` with those inside each large group replaced by a pair of each
/// member with the group's hub, the member with the smallest `rank`;
/// sorted and distinct.
pub fn thin<K: Ord>(pairs: Vec<(u32, u32)>, groups: &[u32], rank: impl Fn(u32) -> K) -> Vec<(u32, u32)> {
    let mut sizes: HashMap<u32, usize> = HashMap::new();
    for &g in groups {
        *sizes.entry(g).or_default() += 1;
    }
    let mut hubs: HashMap<u32, u32> = HashMap::new();
    for (d, &g) in groups.iter().enumerate() {
        if sizes[&g] >= STAR_FROM {
            let d = d as u32;
            hubs.entry(g)
                .and_modify(|h| {
                    if (rank(d), d) < (rank(*h), *h) {
                        *h = d
                    }
                })
                .or_insert(d);
        }
    }
    if hubs.is_empty() {
        return pairs;
    }
    let mut kept: Vec<(u32, u32)> = pairs
        .into_iter()
        .filter(|&(a, b)| groups[a as usize] != groups[b as usize] || !hubs.contains_key(&groups[a as usize]))
        .collect();
    for (d, g) in groups.iter().enumerate() {
        if let Some(&h) = hubs.get(g) {
            let d = d as u32;
            if d != h {
                kept.push((d.min(h), d.max(h)));
            }
        }
    }
    kept.sort_unstable();
    kept.dedup();
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_groups_keep_their_hubs_pairs_only() {
        // Documents 0..=70 are one group (a star around 0); 71 and 72 a pair.
        let mut lsh: Vec<(u32, u32)> = (1..=70).map(|d| (0, d)).collect();
        lsh.push((71, 72));
        let groups = groups(&lsh, 73);
        let mut pairs = lsh.clone();
        pairs.extend([(3, 4), (5, 71), (10, 11)]);
        // Document 7 ranks first: it is the hub, 0 is not.
        let kept = thin(pairs, &groups, |d| if d == 7 { 0 } else { 1 });
        assert!(kept.contains(&(0, 7)) && kept.contains(&(71, 72)) && kept.contains(&(5, 71)));
        assert!(!kept.contains(&(0, 1)) && !kept.contains(&(3, 4)) && !kept.contains(&(10, 11)));
        // Every member of the large group is paired with the hub, once.
        let with_hub = kept.iter().filter(|&&(a, b)| a == 7 || b == 7).count();
        assert_eq!(with_hub, 70);
        assert_eq!(kept.len(), 70 + 2);
    }
}
