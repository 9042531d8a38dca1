//! Clusters: verified links in, story clusters out.
//!
//! Clustering is complete-linkage over verified relations: links are taken
//! strongest first, and two clusters merge only when *every* member of one
//! is related to every member of the other. Pairs that no index nominated
//! are verified on demand through the caller's `related` test, so a cluster
//! is never held together by a chain A~B~C in which A and C share nothing.
//!
//! From [`STAR_FROM`] members on, or around a document linked to that many
//! others, a cluster grows as a star instead: the other side joins when each
//! of its members is related to the hub, the best-linked document. A story
//! carried by thousands of pages then costs a check per page, not one per
//! pair of pages (millions), and still holds no chain: every member is
//! related to the hub itself.
//!
//! The order of links is fixed (score, then document indexes), so clusters do
//! not depend on thread count or on the order pairs were found in.

use std::cmp::Reverse;
use std::collections::{HashMap, HashSet};
use xxhash_rust::xxh3::xxh3_64;

/// A verified link between two documents (indexes), with its strength.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Link {
    pub a: u32,
    pub b: u32,
    pub score: f64,
}

/// A story cluster of at least two documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cluster {
    /// Stable id: a hash of the canonical document's id.
    pub id: String,
    /// Index of the canonical document.
    pub canonical: u32,
    /// Member indexes, canonical first, then in the canonical order.
    pub members: Vec<u32>,
}

/// The stable cluster id for a canonical document id.
pub fn cluster_id(canonical_doc_id: &str) -> String {
    format!("c{:012x}", xxh3_64(canonical_doc_id.as_bytes()) >> 16)
}

/// Clusters of this many members or more grow as stars around their hub.
pub const STAR_FROM: usize = 64;

/// Builds clusters from `links`.
///
/// `related(x, y, size)` answers for pairs not in `links` (it is asked at
/// most once per pair), `size` being that of the cluster the merge would
/// make (a caller may answer a large one's questions more cheaply); `rank(x)` orders members, the smallest rank being canonical;
/// `doc_id(x)` names the canonical document for the cluster id.
pub fn build<R, K, Id>(
    num_docs: usize,
    links: &[Link],
    mut related: impl FnMut(u32, u32, usize) -> bool,
    rank: R,
    doc_id: Id,
) -> Vec<Cluster>
where
    R: Fn(u32) -> K,
    K: Ord,
    Id: Fn(u32) -> String,
{
    let mut ordered: Vec<Link> = links.to_vec();
    ordered.sort_by(|x, y| y.score.total_cmp(&x.score).then(x.a.cmp(&y.a)).then(x.b.cmp(&y.b)));
    let known: HashSet<(u32, u32)> = links.iter().map(|l| key(l.a, l.b)).collect();
    let mut asked: HashMap<(u32, u32), bool> = HashMap::new();
    let mut owner: Vec<usize> = (0..num_docs).collect();
    // A cluster is named by one of its documents' indexes; an empty list
    // stands for the singleton of that document, so documents no link
    // touches cost no allocation.
    let mut members: Vec<Vec<u32>> = vec![Vec::new(); num_docs];
    // Each cluster's hub (a member every other member is related to), and
    // each document's number of links: a document linked to STAR_FROM
    // others is the hub of a story carried by many pages from the start.
    let mut hub: Vec<u32> = (0..num_docs as u32).collect();
    let mut degree = vec![0usize; num_docs];
    for l in links {
        degree[l.a as usize] += 1;
        degree[l.b as usize] += 1;
    }
    for link in ordered {
        let (ca, cb) = (owner[link.a as usize], owner[link.b as usize]);
        if ca == cb {
            continue;
        }
        for c in [ca, cb] {
            if members[c].is_empty() {
                members[c].push(c as u32);
            }
        }
        let size = members[ca].len() + members[cb].len();
        let (keep, gone) = if members[ca].len() >= members[cb].len() { (ca, cb) } else { (cb, ca) };
        let mut is_related = |x: u32, y: u32| {
            let k = key(x, y);
            known.contains(&k) || *asked.entry(k).or_insert_with(|| related(k.0, k.1, size))
        };
        // The merged cluster's hub: the better connected of the two hubs.
        let (ha, hb) = (hub[ca], hub[cb]);
        let centre = if (degree[ha as usize], Reverse(ha)) >= (degree[hb as usize], Reverse(hb)) { ha } else { hb };
        let star = size >= STAR_FROM || degree[centre as usize] >= STAR_FROM;
        let joins = if star {
            // Every member of the side without the centre must be related
            // to it (those of its own side already are).
            let other = if centre == ha { cb } else { ca };
            members[other].iter().all(|&y| is_related(centre, y))
        } else {
            // In the link's order: which pair fails first decides which
            // pairs are verified (and listed).
            members[ca].iter().all(|&x| members[cb].iter().all(|&y| is_related(x, y)))
        };
        if !joins {
            continue;
        }
        hub[keep] = centre;
        let moved = std::mem::take(&mut members[gone]);
        for &d in &moved {
            owner[d as usize] = keep;
        }
        members[keep].extend(moved);
    }
    let mut clusters: Vec<Cluster> = members
        .into_iter()
        .filter(|m| m.len() > 1)
        .map(|mut m| {
            // Ranks may build keys (document ids): computed once each.
            m.sort_by_cached_key(|&d| (rank(d), d));
            let canonical = m[0];
            Cluster { id: cluster_id(&doc_id(canonical)), canonical, members: m }
        })
        .collect();
    clusters.sort_by_cached_key(|c| (rank(c.canonical), c.canonical));
    clusters
}

fn key(a: u32, b: u32) -> (u32, u32) {
    if a < b {
        (a, b)
    } else {
        (b, a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(n: usize, links: &[(u32, u32)], extra: &[(u32, u32)]) -> Vec<Vec<u32>> {
        let links: Vec<Link> = links.iter().map(|&(a, b)| Link { a, b, score: 1.0 }).collect();
        let extra: HashSet<(u32, u32)> = extra.iter().map(|&(a, b)| key(a, b)).collect();
        build(n, &links, |x, y, _| extra.contains(&(x, y)), |d| d, |d| d.to_string())
            .into_iter()
            .map(|c| c.members)
            .collect()
    }

    #[test]
    fn no_chaining() {
        // 0~1 and 1~2, but 0 and 2 share nothing.
        let c = run(3, &[(0, 1), (1, 2)], &[]);
        assert_eq!(c, vec![vec![0, 1]]);
    }

    #[test]
    fn on_demand_verification_allows_merge() {
        let c = run(3, &[(0, 1), (1, 2)], &[(0, 2)]);
        assert_eq!(c, vec![vec![0, 1, 2]]);
    }

    #[test]
    fn large_clusters_grow_as_stars_without_chains() {
        // Page 0 is the wire story; 1..=100 carry it. The first 63 are
        // related to one another (complete linkage up to STAR_FROM), the
        // rest only to page 0; page 101 only to page 5.
        let mut links: Vec<(u32, u32)> = (1..=100).map(|d| (0, d)).collect();
        links.push((5, 101));
        let extra: Vec<(u32, u32)> = (1..64).flat_map(|a| (a + 1..64).map(move |b| (a, b))).collect();
        let c = run(102, &links, &extra);
        assert_eq!(c.len(), 1, "{c:?}");
        assert_eq!(c[0], (0..=100).collect::<Vec<u32>>(), "every page joins the star; 101 does not chain in");
    }

    #[test]
    fn ids_are_stable() {
        assert_eq!(cluster_id("a"), cluster_id("a"));
        assert_ne!(cluster_id("a"), cluster_id("b"));
        assert_eq!(cluster_id("a").len(), 13);
    }
}
