//! Common upstream passages: the verified pairs in; the passages that many
//! documents of many different stories carry (a statement, a tweet, a
//! press-release paragraph, printed with or without quotation marks) out,
//! each reported once with every place it occurs, and the partial pairs
//! that share nothing else relabelled as quotation of a common upstream.
//!
//! A stretch of a document is common when passages pair it with documents
//! of at least [`MIN_STORIES`] other stories (a story here: documents
//! joined by links). A wire story republished by thirty sites is one
//! story, so its text is not common however often it is copied; a tweet
//! quoted by forty unrelated write-ups is. Common stretches that passages
//! align with each other are one passage; it must occur in at least
//! [`MIN_DOCUMENTS`] documents.

use crate::linking::align::PassageKind;
use crate::linking::pairs::Pair;
use crate::linking::verify::Relation;
use petgraph::unionfind::UnionFind;
use std::collections::HashMap;
use std::ops::Range;

/// Other stories a stretch must be shared with to be common.
pub const MIN_STORIES: usize = 4;
/// Documents a common passage must occur in.
pub const MIN_DOCUMENTS: usize = 5;
/// Share of a passage's bytes that must lie in common stretches, on both
/// sides, for the passage to be quotation of the common upstream.
const INSIDE: f64 = 0.8;

/// A passage many documents of many stories carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommonPassage {
    /// Where it occurs: document index and byte range of its analysed
    /// text, by document then position.
    pub occurrences: Vec<(u32, Range<usize>)>,
    /// Distinct stories among the documents carrying it.
    pub stories: usize,
    /// Distinct outlets among them, when every one names its outlet.
    pub outlets: Option<usize>,
}

impl CommonPassage {
    /// `outlet-furniture` when one outlet prints it on all its stories (a
    /// sidebar, a subscription plea), else `upstream`.
    pub fn kind(&self) -> &'static str {
        if self.outlets == Some(1) {
            "outlet-furniture"
        } else {
            "upstream"
        }
    }

    /// The number of distinct documents carrying it.
    pub fn documents(&self) -> usize {
        let mut docs: Vec<u32> = self.occurrences.iter().map(|o| o.0).collect();
        docs.dedup();
        docs.len()
    }
}

/// Finds the common passages of `pairs` (over `n` documents), marks the
/// passages inside them as quotation, and makes pairs that share nothing
/// else `quotation`.
pub fn learn(pairs: &mut [Pair], outlets: &[Option<&str>]) -> Vec<CommonPassage> {
    let n = outlets.len();
    let story = stories_of(pairs, n);
    let stretches = common_stretches(pairs, &story, n);
    let found = group(pairs, &stretches, &story, outlets);
    // Each pair is judged by its own documents' common stretches, not by
    // whether some other part of the corpus has a passage to report: the
    // same pair gets the same label in any corpus holding its stories
    // (and in any connected component an engine links on its own).
    relabel(pairs, &stretches);
    found
}

/// Each document's story: its component under linking pairs.
pub(crate) fn stories_of(pairs: &[Pair], n: usize) -> Vec<usize> {
    let mut sets = UnionFind::<usize>::new(n);
    for p in pairs.iter().filter(|p| p.relation.links()) {
        sets.union(p.a as usize, p.b as usize);
    }
    sets.into_labeling()
}

/// Per document, the byte ranges of its text (merged, in order) that
/// passages share with documents of at least [`MIN_STORIES`] other stories.
fn common_stretches(pairs: &[Pair], story: &[usize], n: usize) -> Vec<Vec<Range<usize>>> {
    // (position, +1/-1, partner's story) per document.
    let mut events: Vec<Vec<(usize, i32, usize)>> = vec![Vec::new(); n];
    for p in pairs {
        for q in p.passages.iter().filter(|q| q.kind != PassageKind::Rewritten) {
            let (a, b) = (p.a as usize, p.b as usize);
            for (doc, span, partner) in [(a, &q.text_a, b), (b, &q.text_b, a)] {
                if story[partner] != story[doc] && !span.is_empty() {
                    events[doc].push((span.start, 1, story[partner]));
                    events[doc].push((span.end, -1, story[partner]));
                }
            }
        }
    }
    events.into_iter().map(sweep).collect()
}

/// The ranges where at least [`MIN_STORIES`] distinct stories are open.
fn sweep(mut events: Vec<(usize, i32, usize)>) -> Vec<Range<usize>> {
    events.sort_unstable();
    let mut open: HashMap<usize, i32> = HashMap::new();
    let mut out: Vec<Range<usize>> = Vec::new();
    let mut since: Option<usize> = None;
    for (at, step, story) in events {
        let count = open.entry(story).or_default();
        *count += step;
        if *count == 0 {
            open.remove(&story);
        }
        let common = open.len() >= MIN_STORIES;
        match (since, common) {
            (None, true) => since = Some(at),
            (Some(start), false) => {
                if at > start {
                    match out.last_mut() {
                        Some(last) if last.end >= start => last.end = last.end.max(at),
                        _ => out.push(start..at),
                    }
                }
                since = None;
            }
            _ => {}
        }
    }
    out
}

/// The index of the stretch of `doc` that holds most of `span`, if one
/// holds at least [`INSIDE`] of it.
fn holding(stretches: &[Vec<Range<usize>>], doc: usize, span: &Range<usize>) -> Option<usize> {
    stretches[doc].iter().position(|s| {
        let inside = span.end.min(s.end).saturating_sub(span.start.max(s.start));
        !span.is_empty() && inside as f64 >= INSIDE * span.len() as f64
    })
}

/// Joins stretches that passages align into common passages.
fn group(
    pairs: &[Pair],
    stretches: &[Vec<Range<usize>>],
    story: &[usize],
    outlets: &[Option<&str>],
) -> Vec<CommonPassage> {
    let mut ids: HashMap<(usize, usize), usize> = HashMap::new();
    for (doc, list) in stretches.iter().enumerate() {
        for k in 0..list.len() {
            let next = ids.len();
            ids.insert((doc, k), next);
        }
    }
    let mut sets = UnionFind::<usize>::new(ids.len());
    for p in pairs {
        for q in p.passages.iter().filter(|q| q.kind != PassageKind::Rewritten) {
            let (a, b) = (p.a as usize, p.b as usize);
            if let (Some(x), Some(y)) = (holding(stretches, a, &q.text_a), holding(stretches, b, &q.text_b)) {
                sets.union(ids[&(a, x)], ids[&(b, y)]);
            }
        }
    }
    let mut members: HashMap<usize, Vec<(u32, Range<usize>)>> = HashMap::new();
    for (&(doc, k), &id) in &ids {
        members.entry(sets.find(id)).or_default().push((doc as u32, stretches[doc][k].clone()));
    }
    let mut found: Vec<CommonPassage> = members
        .into_values()
        .map(|mut occurrences| {
            occurrences.sort_by_key(|(d, r)| (*d, r.start));
            let mut distinct: Vec<usize> = occurrences.iter().map(|(d, _)| story[*d as usize]).collect();
            distinct.sort_unstable();
            distinct.dedup();
            let named: Option<Vec<&str>> = occurrences.iter().map(|(d, _)| outlets[*d as usize]).collect();
            let outlets = named.map(|mut names| {
                names.sort_unstable();
                names.dedup();
                names.len()
            });
            CommonPassage { occurrences, stories: distinct.len(), outlets }
        })
        .filter(|c| c.documents() >= MIN_DOCUMENTS && c.stories > MIN_STORIES)
        .collect();
    // Most widely carried first; ties by first place, for determinism.
    found.sort_by(|x, y| y.documents().cmp(&x.documents()).then_with(|| first(x).cmp(&first(y))));
    found
}

fn first(c: &CommonPassage) -> (u32, usize) {
    (c.occurrences[0].0, c.occurrences[0].1.start)
}

/// Passages inside common stretches on both sides become quotation; a
/// partial pair left with nothing else is quotation of the common upstream.
fn relabel(pairs: &mut [Pair], stretches: &[Vec<Range<usize>>]) {
    for p in pairs.iter_mut() {
        let (a, b) = (p.a as usize, p.b as usize);
        for q in p.passages.iter_mut().filter(|q| q.kind != PassageKind::Rewritten) {
            if holding(stretches, a, &q.text_a).is_some() && holding(stretches, b, &q.text_b).is_some() {
                q.kind = PassageKind::Quotation;
            }
        }
        // Only partial reuse is relabelled: a link stays, so clusters never
        // depend on which other documents a scan holds (a feed index
        // learns from one batch and its archived neighbours, and must form
        // the clusters one scan of everything forms).
        let only_quotes = p.passages.iter().all(|q| q.kind == PassageKind::Quotation);
        if only_quotes && p.relation == Relation::Partial {
            p.relation = Relation::Quotation;
        }
    }
}
