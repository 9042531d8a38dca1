//! Stories: verified pairs and version clusters in; a looser grouping out,
//! each story the documents joined, directly or through others, by
//! substantial reuse outside quotes and boilerplate.
//!
//! A cluster holds versions of one text (complete linkage: every two
//! members are copies), which is what feed deduplication keeps one of.
//! Outlets' own write-ups of one wire story or press release share
//! passages without being copies of each other; a story gathers them
//! (single linkage over pairs that reuse at least [`STORY_REUSE`] of both
//! documents' own words) and its clusters, so a report can show
//! the story as the outer level and its versions inside.

use crate::linking::cluster::Cluster;
use crate::linking::pairs::{blocks, Pair, SUBSTANTIAL_REUSE};
use crate::linking::verify::Relation;
use petgraph::unionfind::UnionFind;
use std::collections::BTreeMap;
use xxhash_rust::xxh3::xxh3_64;

/// Share of each document's own words (outside boilerplate and shared
/// quoted speech) that passages must reuse to put two documents in one
/// story: both carry a fifth of the other, not one a paragraph of a
/// long page.
pub const STORY_REUSE: f64 = 0.2;

/// A story of at least two documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Story {
    /// Stable id: a hash of its first member's id.
    pub id: String,
    /// Member indexes, ascending.
    pub members: Vec<u32>,
    /// Indexes into the scan's clusters of the clusters inside it.
    pub clusters: Vec<usize>,
}

/// Whether a pair joins its documents' stories: it reuses [`STORY_REUSE`]
/// of *both* documents, in passages spread over them (more than one block)
/// or in one block that is half of either. A link alone does not do: a
/// round-up page that reprints a little of many stories links to each,
/// and would chain them all into one.
pub fn joins(p: &Pair) -> bool {
    let blocks = blocks(&p.passages);
    let enough = p.reuse_a.min(p.reuse_b) >= STORY_REUSE;
    let spread = blocks >= 2 || p.reuse_a.max(p.reuse_b) >= SUBSTANTIAL_REUSE;
    p.relation != Relation::Quotation && enough && spread
}

/// Groups `n` documents into stories; `ids` names them (for stable ids).
pub fn build(pairs: &[Pair], clusters: &[Cluster], n: usize, ids: impl Fn(u32) -> String) -> Vec<Story> {
    let mut sets = UnionFind::<u32>::new(n);
    for p in pairs.iter().filter(|p| joins(p)) {
        sets.union(p.a, p.b);
    }
    for c in clusters {
        for w in c.members.windows(2) {
            sets.union(w[0], w[1]);
        }
    }
    let mut groups: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    for d in 0..n as u32 {
        groups.entry(sets.find(d)).or_default().push(d);
    }
    let mut stories: Vec<Story> = groups
        .into_values()
        .filter(|m| m.len() >= 2)
        .map(|members| {
            let id = format!("s{:012x}", xxh3_64(ids(members[0]).as_bytes()) >> 16);
            Story { id, members, clusters: Vec::new() }
        })
        .collect();
    stories.sort_by_key(|s| s.members[0]);
    let mut story_of = vec![usize::MAX; n];
    for (k, s) in stories.iter().enumerate() {
        s.members.iter().for_each(|&m| story_of[m as usize] = k);
    }
    for (ci, c) in clusters.iter().enumerate() {
        if let Some(s) = stories.get_mut(story_of[c.canonical as usize]) {
            s.clusters.push(ci);
        }
    }
    stories
}
