//! Measuring: a planted corpus and the scan of it in; per operation, how
//! well the scan found, bounded, linked and directed the planted copies,
//! and how its clusters agree with the planted stories.

use super::plant::{Case, Operation, Planted, TruthSpan};
use crate::attribution::provenance::Direction;
use crate::linking::pairs::Pair;
use crate::scan::Scan;
use std::collections::HashMap;
use std::ops::Range;

/// Counts for one operation; the rates are derived from them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figures {
    pub cases: usize,
    /// (copy, original) pairs planted.
    pub expected: usize,
    /// Of those, reported as a pair of any relation.
    pub paired: usize,
    /// Of those, reported with a relation that joins clusters.
    pub linked: usize,
    /// Joining pairs that involve a copy of this operation...
    pub links_reported: usize,
    /// ...and of those, pairs that truly share planted text (with an
    /// original of the copy, a copy of the same text, or a document the
    /// scan pairs with an original: the corpus's own repeats).
    pub links_true: usize,
    /// Passage bytes, both sides of each planted pair: reported, planted,
    /// and both.
    pub passage_reported: usize,
    pub passage_planted: usize,
    pub passage_overlap: usize,
    /// Planted pairs reported with a direction, and with the right one.
    pub decided: usize,
    pub correct: usize,
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        f64::NAN
    } else {
        a as f64 / b as f64
    }
}

impl Figures {
    pub fn pair_recall(&self) -> f64 {
        ratio(self.paired, self.expected)
    }
    pub fn link_recall(&self) -> f64 {
        ratio(self.linked, self.expected)
    }
    pub fn link_precision(&self) -> f64 {
        ratio(self.links_true, self.links_reported)
    }
    pub fn passage_precision(&self) -> f64 {
        ratio(self.passage_overlap, self.passage_reported)
    }
    pub fn passage_recall(&self) -> f64 {
        ratio(self.passage_overlap, self.passage_planted)
    }
    pub fn decided_share(&self) -> f64 {
        ratio(self.decided, self.paired)
    }
    pub fn direction_accuracy(&self) -> f64 {
        ratio(self.correct, self.decided)
    }
}

/// How the hard negatives (independent reports) fared.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Negatives {
    pub pairs: usize,
    /// Reported as a pair of any relation, as a linking relation, and put
    /// in one story.
    pub paired: usize,
    pub linked: usize,
    pub same_story: usize,
}

/// Everything `make eval` prints for one planted corpus.
#[derive(Debug, Clone)]
pub struct Measured {
    /// Per operation, in [`Operation::ALL`] order.
    pub rows: Vec<(Operation, Figures)>,
    /// Adjusted Rand index of the scan's clusters, and of its stories,
    /// against the planted stories (each original with its copy).
    pub cluster_ari: f64,
    pub story_ari: f64,
    pub negatives: Negatives,
}

/// Measures `scan` of `planted` against the planted truth.
pub fn measure(planted: &Planted, scan: &Scan) -> Measured {
    let (rows, cluster_ari) = measure_cases(planted, scan);
    let groups = |members: &mut dyn Iterator<Item = &Vec<u32>>| -> HashMap<usize, usize> {
        let mut of = HashMap::new();
        for (k, m) in members.enumerate() {
            m.iter().for_each(|&d| {
                of.insert(d as usize, k);
            });
        }
        of
    };
    let story_of = groups(&mut scan.stories.iter().map(|s| &s.members));
    let story_ari = adjusted_rand_index(planted, &story_of);
    let pairs: HashMap<(usize, usize), &Pair> =
        scan.pairs.iter().map(|p| ((p.a.min(p.b) as usize, p.a.max(p.b) as usize), p)).collect();
    let mut negatives = Negatives::default();
    for &(x, y) in &planted.negatives {
        negatives.pairs += 1;
        if let Some(p) = pairs.get(&(x.min(y), x.max(y))) {
            negatives.paired += 1;
            negatives.linked += usize::from(p.relation.links());
        }
        negatives.same_story += usize::from(story_of.get(&x).is_some_and(|s| story_of.get(&y) == Some(s)));
    }
    Measured { rows, cluster_ari, story_ari, negatives }
}

/// The figures per operation and the clusters' adjusted Rand index.
fn measure_cases(planted: &Planted, scan: &Scan) -> (Vec<(Operation, Figures)>, f64) {
    let pairs: HashMap<(usize, usize), &Pair> =
        scan.pairs.iter().map(|p| ((p.a.min(p.b) as usize, p.a.max(p.b) as usize), p)).collect();
    let case_of: HashMap<usize, &Case> = planted.cases.iter().map(|c| (c.copy, c)).collect();
    let mut figures: HashMap<Operation, Figures> = HashMap::new();
    for case in &planted.cases {
        let f = figures.entry(case.operation).or_default();
        f.cases += 1;
        for &source in &case.sources {
            f.expected += 1;
            let Some(pair) = pairs.get(&(case.copy.min(source), case.copy.max(source))) else { continue };
            f.paired += 1;
            f.linked += usize::from(pair.relation.links());
            let texts = [&planted.documents[case.copy].text, &planted.documents[source].text];
            count_passages(f, case, source, pair, texts);
            count_direction(f, source, pair);
        }
    }
    for pair in scan.pairs.iter().filter(|p| p.relation.links()) {
        let (a, b) = (pair.a as usize, pair.b as usize);
        for (copy, other) in [(a, b), (b, a)] {
            if let Some(case) = case_of.get(&copy) {
                // The corpus's own repeats (a wire story sent again,
                // updated) are copies of the copy's original too.
                let repeat = |&s: &usize| pairs.contains_key(&(s.min(other), s.max(other)));
                let f = figures.entry(case.operation).or_default();
                f.links_reported += 1;
                f.links_true += usize::from(share_text(case, other, &case_of) || case.sources.iter().any(repeat));
            }
        }
    }
    let rows = Operation::ALL.iter().map(|&op| (op, figures.remove(&op).unwrap_or_default())).collect();
    let cluster_of: HashMap<usize, usize> =
        scan.clusters.iter().enumerate().flat_map(|(k, c)| c.members.iter().map(move |&m| (m as usize, k))).collect();
    (rows, adjusted_rand_index(planted, &cluster_of))
}

/// Whether planted copy `case` and document `other` share planted text:
/// `other` is one of its originals, or a copy of the same text.
fn share_text(case: &Case, other: usize, case_of: &HashMap<usize, &Case>) -> bool {
    if case.sources.contains(&other) {
        return true;
    }
    let Some(theirs) = case_of.get(&other) else { return false };
    case.truth.iter().any(|t| {
        theirs.truth.iter().any(|u| u.source == t.source && u.from.start < t.from.end && t.from.start < u.from.end)
    })
}

/// Passage bytes of planted pair (`case`'s copy, `source`), on both sides;
/// `texts` are the copy's and the source's. White space between two
/// passages (or two planted paragraphs) counts with them: a passage that
/// spans two copied paragraphs spans the break between them too.
fn count_passages(f: &mut Figures, case: &Case, source: usize, pair: &Pair, texts: [&String; 2]) {
    let copy_is_a = pair.a as usize == case.copy;
    let reported_copy: Vec<Range<usize>> =
        pair.passages.iter().map(|p| if copy_is_a { p.a.clone() } else { p.b.clone() }).collect();
    let reported_source: Vec<Range<usize>> =
        pair.passages.iter().map(|p| if copy_is_a { p.b.clone() } else { p.a.clone() }).collect();
    let truth = case.truth.iter().filter(|t| t.source == source);
    let planted_copy: Vec<Range<usize>> = truth.clone().map(|t| t.copy.clone()).collect();
    let planted_source: Vec<Range<usize>> = truth.map(|t| t.from.clone()).collect();
    let sides = [(reported_copy, planted_copy, texts[0]), (reported_source, planted_source, texts[1])];
    for (reported, planted, text) in sides {
        let (reported, planted) = (bridged(union(reported), text), bridged(union(planted), text));
        f.passage_reported += length(&reported);
        f.passage_planted += length(&planted);
        f.passage_overlap += overlap(&reported, &planted);
    }
}

/// The planted bytes of pair (`case`'s copy, `source`) that no reported
/// passage covers, copy side then source side, as (side, range) with side 0
/// the copy: what `make eval -- --show` prints to explain a low recall.
pub fn missed(planted: &Planted, scan: &Scan, case: &Case, source: usize) -> Vec<(usize, Range<usize>)> {
    let key = (case.copy.min(source) as u32, case.copy.max(source) as u32);
    let pair = scan.pairs.iter().find(|p| (p.a.min(p.b), p.a.max(p.b)) == key);
    let copy_is_a = pair.is_some_and(|p| p.a as usize == case.copy);
    let side = |copy: bool| -> Vec<Range<usize>> {
        pair.map(|p| p.passages.iter().map(|x| if copy == copy_is_a { x.a.clone() } else { x.b.clone() }).collect())
            .unwrap_or_default()
    };
    let truth: Vec<&TruthSpan> = case.truth.iter().filter(|t| t.source == source).collect();
    let texts = [&planted.documents[case.copy].text, &planted.documents[source].text];
    let planted_sides =
        [truth.iter().map(|t| t.copy.clone()).collect::<Vec<_>>(), truth.iter().map(|t| t.from.clone()).collect()];
    let mut out = Vec::new();
    for (s, planted_ranges) in planted_sides.into_iter().enumerate() {
        let reported = bridged(union(side(s == 0)), texts[s]);
        for r in bridged(union(planted_ranges), texts[s]) {
            let mut at = r.start;
            for c in reported.iter().filter(|c| c.start < r.end && r.start < c.end) {
                if c.start > at {
                    out.push((s, at..c.start));
                }
                at = at.max(c.end);
            }
            if at < r.end {
                out.push((s, at..r.end));
            }
        }
    }
    out
}

fn count_direction(f: &mut Figures, source: usize, pair: &Pair) {
    let said = match pair.attribution.direction {
        Direction::AToB => Some(pair.a as usize),
        Direction::BToA => Some(pair.b as usize),
        Direction::Siblings(_) | Direction::Undetermined => None,
    };
    if let Some(said) = said {
        f.decided += 1;
        f.correct += usize::from(said == source);
    }
}

/// Ranges sorted and merged where they touch or overlap.
fn union(mut ranges: Vec<Range<usize>>) -> Vec<Range<usize>> {
    ranges.sort_by_key(|r| (r.start, r.end));
    let mut out: Vec<Range<usize>> = Vec::new();
    for r in ranges.into_iter().filter(|r| r.start < r.end) {
        match out.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => out.push(r),
        }
    }
    out
}

/// Merged ranges joined across gaps of white space only.
fn bridged(ranges: Vec<Range<usize>>, text: &str) -> Vec<Range<usize>> {
    let mut out: Vec<Range<usize>> = Vec::new();
    for r in ranges {
        match out.last_mut() {
            Some(last) if text.get(last.end..r.start).is_some_and(|gap| gap.trim().is_empty()) => last.end = r.end,
            _ => out.push(r),
        }
    }
    out
}

fn length(ranges: &[Range<usize>]) -> usize {
    ranges.iter().map(|r| r.end - r.start).sum()
}

/// Bytes two merged range lists have in common.
fn overlap(a: &[Range<usize>], b: &[Range<usize>]) -> usize {
    let (mut i, mut j, mut total) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        let (start, end) = (a[i].start.max(b[j].start), a[i].end.min(b[j].end));
        total += end.saturating_sub(start);
        if a[i].end < b[j].end {
            i += 1;
        } else {
            j += 1;
        }
    }
    total
}

/// The adjusted Rand index, over the planted copies, their main originals
/// and the hard negatives, of a grouping (`found`: document to group) against
/// the planted stories (each original with its copy; each negative alone).
fn adjusted_rand_index(planted: &Planted, found: &HashMap<usize, usize>) -> f64 {
    let mut truth: HashMap<usize, usize> = HashMap::new();
    for case in &planted.cases {
        truth.insert(case.sources[0], case.sources[0]);
        truth.insert(case.copy, case.sources[0]);
    }
    for &(x, y) in &planted.negatives {
        truth.insert(x, x);
        truth.insert(y, y);
    }
    let mut docs: Vec<usize> = truth.keys().copied().collect();
    docs.sort_unstable();
    let labels: Vec<(usize, usize)> =
        docs.iter().map(|d| (truth[d], found.get(d).map_or(usize::MAX - d, |&k| k))).collect();
    ari(&labels)
}

/// The adjusted Rand index of (truth, found) label pairs.
pub fn ari(labels: &[(usize, usize)]) -> f64 {
    let pairs = |n: usize| (n * n.saturating_sub(1) / 2) as f64;
    let mut cells: HashMap<(usize, usize), usize> = HashMap::new();
    let (mut rows, mut cols): (HashMap<usize, usize>, HashMap<usize, usize>) = Default::default();
    for &(t, f) in labels {
        *cells.entry((t, f)).or_default() += 1;
        *rows.entry(t).or_default() += 1;
        *cols.entry(f).or_default() += 1;
    }
    let index: f64 = cells.values().map(|&n| pairs(n)).sum();
    let (a, b): (f64, f64) = (rows.values().map(|&n| pairs(n)).sum(), cols.values().map(|&n| pairs(n)).sum());
    let expected = a * b / pairs(labels.len()).max(1.0);
    let max = (a + b) / 2.0;
    if (max - expected).abs() < f64::EPSILON {
        return 1.0;
    }
    (index - expected) / (max - expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_merge_and_overlap() {
        let a = union(vec![5..10, 0..3, 2..4, 10..12]);
        assert_eq!(a, [0..4, 5..12]);
        assert_eq!(overlap(&a, &union(vec![3..6, 11..20])), 3);
        assert_eq!(bridged(vec![0..2, 4..6, 7..9], "ab \ncd;ef"), [0..6, 7..9]);
    }

    #[test]
    fn ari_is_one_for_the_same_partition_and_low_for_a_random_one() {
        let same = [(0, 7), (0, 7), (1, 3), (1, 3), (2, 9)];
        assert!((ari(&same) - 1.0).abs() < 1e-12);
        let split = [(0, 0), (0, 1), (1, 2), (1, 3), (2, 4), (2, 5)];
        assert!(ari(&split) <= 0.0);
    }
}
