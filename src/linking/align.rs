//! Alignment: two documents' shingles in, the passages they share out, as
//! token ranges in both documents (later mapped to byte ranges).
//!
//! Every shared (unmasked) shingle is a match `(i, j)`: shingle `i` of `a`
//! equals shingle `j` of `b`. Matches on one diagonal (`j - i`) that follow
//! each other form a verbatim run. Runs are taken longest first, each
//! clipped to the shingles whose tokens no run taken before holds on either
//! side, so reordered paragraphs each keep their own run (no requirement
//! that passages appear in the same order). A second pass takes, again
//! longest first, the stretches new on *one* side only: the alignment is
//! many-to-many, and a paragraph a copy says twice is aligned, both times,
//! to the one place it came from. Taken runs that
//! follow each other on both sides with a small gap (a changed word, a
//! dropped clause) merge into one `edited` passage.

use crate::analysis::shingle::Shingles;
use std::ops::Range;

/// A shingle occurring more often than this in one document (a chant, a
/// table of numbers) is not used as an anchor.
pub const MAX_OCCURRENCES: usize = 8;
/// Runs shorter than this many shingles are noise (a stock phrase).
pub const MIN_RUN: usize = 2;
/// Largest gap, in tokens, bridged when merging runs into a passage.
pub const MAX_GAP: usize = 12;

/// How a passage was carried over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PassageKind {
    /// Word for word.
    Verbatim,
    /// The same passage with a few words changed, added or dropped.
    Edited,
    /// The same facts in other words: sentences aligned on content words.
    Rewritten,
    /// Quoted speech both carry: from a common upstream, not copied.
    Quotation,
}

impl PassageKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PassageKind::Verbatim => "verbatim",
            PassageKind::Edited => "edited",
            PassageKind::Rewritten => "rewritten",
            PassageKind::Quotation => "quotation",
        }
    }
}

/// A passage shared by two documents, in token indexes of each.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenPassage {
    pub a: Range<usize>,
    pub b: Range<usize>,
    pub kind: PassageKind,
    /// Share of the passage's tokens (on side `a`) covered by matching runs.
    pub score: f64,
}

#[derive(Debug, Clone, Copy)]
struct Run {
    i: usize,
    j: usize,
    len: usize, // shingles
}

/// Aligns `a` and `b`; `shared` is the sorted set of shingle hashes that may
/// anchor (their unmasked intersection). Token counts bound the ranges.
pub fn align(
    a: &Shingles,
    a_tokens: usize,
    b: &Shingles,
    b_tokens: usize,
    shared: &[u64],
    min_tokens: usize,
) -> Vec<TokenPassage> {
    let ((ha, at_a), (hb, at_b)) = (Shingles::sorted_columns(&a.hashes), Shingles::sorted_columns(&b.hashes));
    align_positions(
        Side { hashes: &ha, at: &at_a, tokens: a_tokens },
        Side { hashes: &hb, at: &at_b, tokens: b_tokens },
        a.k,
        shared,
        min_tokens,
    )
}

/// One side of an alignment: a document's shingle positions sorted by hash
/// (see [`Shingles::positions`]) as two columns, hashes and where each
/// occurs, and its token count.
#[derive(Debug, Clone, Copy)]
pub struct Side<'a> {
    pub hashes: &'a [u64],
    pub at: &'a [u32],
    pub tokens: usize,
}

/// [`align`] for documents whose shingle positions are already sorted by
/// hash: the matches come out of one walk of the anchors through the two
/// lists, with no hashing.
pub fn align_positions(a: Side, b: Side, k: usize, shared: &[u64], min_tokens: usize) -> Vec<TokenPassage> {
    let (pa, pb) = (a.hashes, b.hashes);
    let (a_tokens, b_tokens) = (a.tokens, b.tokens);
    let mut matches = anchor_matches(&a, &b, shared);
    sort_matches(&mut matches);
    let mut runs: Vec<Run> = Vec::new();
    for &m in &matches {
        let d = (m >> 32) as i64 - DIAGONAL_OFFSET;
        let i = (m & 0xffff_ffff) as usize;
        let j = (i as i64 + d) as usize;
        let d = d as isize;
        if let Some(last) = runs.last_mut() {
            if last.j as isize - last.i as isize == d && last.i + last.len == i {
                last.len += 1;
                continue;
            }
        }
        runs.push(Run { i, j, len: 1 });
    }
    // A document shorter than one shingle has a single shingle to match.
    let single = |hashes: &[u64]| hashes.len() == 1;
    runs.retain(|r| r.len >= MIN_RUN || single(pa) || single(pb));
    // Longest first; ties by position for determinism.
    runs.sort_by(|x, y| y.len.cmp(&x.len).then(x.i.cmp(&y.i)).then(x.j.cmp(&y.j)));
    let mut taken = Taken::new(a_tokens, b_tokens, k);
    // First each stretch of text to one place (the copy's order and its
    // moved paragraphs), then the stretches that are new on one side only:
    // a paragraph said twice, aligned to the one place it came from.
    for r in &runs {
        taken.take(r, Free::Both, 0);
    }
    for r in &runs {
        taken.take(r, Free::Either, min_tokens.max(k + MIN_RUN - 1));
    }
    let Taken { ranges: mut taken, a: held_a, b: held_b, .. } = taken;
    // A gap holding text aligned elsewhere is not a changed word or two.
    let gap_free = |held: &[bool], gap: Range<usize>| !held[gap].iter().any(|&h| h);
    taken.sort_by_key(|(ra, rb)| (ra.start, rb.start));
    let mut out: Vec<(Range<usize>, Range<usize>, usize, usize)> = Vec::new(); // a, b, covered tokens, runs
    for (ra, rb) in taken {
        if let Some(last) = out.last_mut() {
            let follows_a = ra.start >= last.0.end && ra.start - last.0.end <= MAX_GAP;
            let follows_b = rb.start >= last.1.end && rb.start - last.1.end <= MAX_GAP;
            if follows_a
                && follows_b
                && gap_free(&held_a, last.0.end..ra.start)
                && gap_free(&held_b, last.1.end..rb.start)
            {
                last.0.end = ra.end;
                last.1.end = rb.end;
                last.2 += ra.len();
                last.3 += 1;
                continue;
            }
        }
        let covered = ra.len();
        out.push((ra, rb, covered, 1));
    }
    out.into_iter()
        .filter(|(ra, rb, _, _)| ra.len().min(rb.len()) >= min_tokens.min(a_tokens).min(b_tokens))
        .map(|(ra, rb, covered, runs)| TokenPassage {
            score: covered as f64 / ra.len() as f64,
            kind: if runs == 1 { PassageKind::Verbatim } else { PassageKind::Edited },
            a: ra,
            b: rb,
        })
        .collect()
}

/// Added to a diagonal `j - i` so it packs as an unsigned 32-bit number.
const DIAGONAL_OFFSET: i64 = 1 << 31;

/// Every pair of positions `(i, j)` holding the same anchor in `a` and `b`
/// (an anchor held more than [`MAX_OCCURRENCES`] times on either side is
/// left out), in anchor order. Each is packed as its diagonal (`j - i`,
/// offset to be unsigned) above `i`: sorting plain integers orders them by
/// diagonal, then by position, at a third of the bytes of a tuple. A text
/// under 4 GiB has under 2^31 tokens, so both halves fit in 32 bits.
fn anchor_matches(a: &Side, b: &Side, shared: &[u64]) -> Vec<u64> {
    let (pa, pb) = (a.hashes, b.hashes);
    let mut matches: Vec<u64> = Vec::new();
    // Every anchor is in both lists (it is a shared shingle of the two
    // sets, which the lists hold): each list is searched forward from the
    // last anchor to the next. Pairs that share one quoted paragraph have
    // a few anchors far apart in long lists, and copies have many close
    // together: a galloping search costs the log of the distance either way.
    let (mut x, mut y) = (0, 0);
    for &h in shared {
        x = seek(pa, x, h);
        y = seek(pb, y, h);
        let xe = x + pa[x..].iter().take_while(|&&p| p == h).count();
        let ye = y + pb[y..].iter().take_while(|&&p| p == h).count();
        if xe > x && ye > y && xe - x <= MAX_OCCURRENCES && ye - y <= MAX_OCCURRENCES {
            for &i in &a.at[x..xe] {
                for &j in &b.at[y..ye] {
                    let diagonal = (i64::from(j) - i64::from(i) + DIAGONAL_OFFSET) as u64;
                    matches.push(diagonal << 32 | u64::from(i));
                }
            }
        }
        x = xe;
        y = ye;
    }
    matches
}

/// The first position at or after `from` whose value in `list` (sorted) is
/// at least `h`: a galloping search, doubling its stride from `from`.
fn seek(list: &[u64], from: usize, h: u64) -> usize {
    let from = from.min(list.len());
    let rest = &list[from..];
    let mut bound = 1;
    while bound < rest.len() && rest[bound] < h {
        bound *= 2;
    }
    // Below `bound / 2` every value is under `h` (the stride stopped past it).
    let low = bound / 2;
    from + low + rest[low..bound.min(rest.len())].partition_point(|&p| p < h)
}

/// Sorts packed matches (diagonal above position) into the order
/// `sort_unstable` gives, by two counting passes: by position, then stably
/// by diagonal. Both halves range over a document's shingle count, so the
/// counts are small; a copy's matches arrive in hash order, i.e. shuffled,
/// and a comparison sort spent as long on them as the merge that found them.
/// Few or widely spread matches take the comparison sort.
fn sort_matches(matches: &mut [u64]) {
    const LOW: u64 = 0xffff_ffff;
    let n = matches.len();
    if n < 64 {
        matches.sort_unstable();
        return;
    }
    let (mut low_d, mut high_d, mut high_i) = (u64::MAX, 0, 0);
    for &m in matches.iter() {
        (low_d, high_d, high_i) = (low_d.min(m >> 32), high_d.max(m >> 32), high_i.max(m & LOW));
    }
    let (diagonals, positions) = ((high_d - low_d + 1) as usize, (high_i + 1) as usize);
    if diagonals + positions > 8 * n {
        matches.sort_unstable();
        return;
    }
    let mut buffer = vec![0u64; n];
    counting_pass(matches, &mut buffer, positions, |m| (m & LOW) as usize);
    counting_pass(&buffer, matches, diagonals, |m| ((m >> 32) - low_d) as usize);
}

/// One stable counting-sort pass of `from` into `to` by `slot` (below
/// `slots`).
fn counting_pass(from: &[u64], to: &mut [u64], slots: usize, slot: impl Fn(u64) -> usize) {
    let mut next = vec![0u32; slots];
    for &m in from {
        next[slot(m)] += 1;
    }
    let mut sum = 0;
    for count in next.iter_mut() {
        (*count, sum) = (sum, sum + *count);
    }
    for &m in from {
        let at = &mut next[slot(m)];
        to[*at as usize] = m;
        *at += 1;
    }
}

/// Which sides a shingle's tokens must be unaligned on for it to be taken.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Free {
    Both,
    Either,
}

/// The token ranges aligned so far, and which tokens of each side they hold.
struct Taken {
    ranges: Vec<(Range<usize>, Range<usize>)>,
    a: Vec<bool>,
    b: Vec<bool>,
    k: usize,
}

impl Taken {
    fn new(a_tokens: usize, b_tokens: usize, k: usize) -> Self {
        Taken { ranges: Vec::new(), a: vec![false; a_tokens], b: vec![false; b_tokens], k }
    }

    /// Whether token `at` of `side` is held (tokens past the end are not).
    fn held(side: &[bool], at: usize) -> usize {
        usize::from(side.get(at).copied().unwrap_or(false))
    }

    /// Held tokens among the `k` from `from`: one shingle's.
    fn held_in(&self, side: &[bool], from: usize) -> usize {
        (from..from + self.k).map(|at| Self::held(side, at)).sum()
    }

    /// Takes the stretches of run `r` whose shingles lie on free tokens (as
    /// `need` says), each at least `min_tokens` long. A run is clipped, not
    /// dropped, where it meets one already taken: two paragraphs that begin
    /// with the same words make the first run reach into the second.
    fn take(&mut self, r: &Run, need: Free, min_tokens: usize) {
        let k = self.k;
        let usable = |held_a: usize, held_b: usize| match need {
            Free::Both => held_a == 0 && held_b == 0,
            Free::Either => held_a == 0 || held_b == 0,
        };
        // Held tokens under shingle `t` of the run on each side, slid one
        // token at a time rather than counted afresh for every shingle.
        let (mut held_a, mut held_b) = (self.held_in(&self.a, r.i), self.held_in(&self.b, r.j));
        let slide = |taken: &Taken, t: usize, held_a: &mut usize, held_b: &mut usize| {
            *held_a = *held_a + Self::held(&taken.a, r.i + t + k) - Self::held(&taken.a, r.i + t);
            *held_b = *held_b + Self::held(&taken.b, r.j + t + k) - Self::held(&taken.b, r.j + t);
        };
        let mut t = 0;
        while t < r.len {
            if !usable(held_a, held_b) {
                slide(self, t, &mut held_a, &mut held_b);
                t += 1;
                continue;
            }
            let start = t;
            while t < r.len && usable(held_a, held_b) {
                slide(self, t, &mut held_a, &mut held_b);
                t += 1;
            }
            let ra = r.i + start..(r.i + t - 1 + k).min(self.a.len());
            let rb = r.j + start..(r.j + t - 1 + k).min(self.b.len());
            let long_enough = t - start >= MIN_RUN || r.len == 1;
            if long_enough && ra.len().min(rb.len()) >= min_tokens {
                self.a[ra.clone()].iter_mut().for_each(|x| *x = true);
                self.b[rb.clone()].iter_mut().for_each(|x| *x = true);
                self.ranges.push((ra, rb));
                // The stretch just held reaches under the next shingles.
                (held_a, held_b) = (self.held_in(&self.a, r.i + t), self.held_in(&self.b, r.j + t));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::normalize::normalize;
    use crate::linking::verify::intersect;

    fn passages(a: &str, b: &str) -> Vec<TokenPassage> {
        let (na, nb) = (normalize(a), normalize(b));
        let (sa, sb) = (Shingles::with_k(&na.tokens, 5), Shingles::with_k(&nb.tokens, 5));
        let shared = intersect(&sa.set(), &sb.set());
        align(&sa, na.tokens.len(), &sb, nb.tokens.len(), &shared, 8)
    }

    const P1: &str =
        "The prime minister arrived in Beijing on Monday to attend the forum on international cooperation.";
    const P2: &str =
        "Officials from both countries signed agreements covering rail freight, steel output and power plants.";

    #[test]
    fn reordered_paragraphs_both_found() {
        let a = format!("{P1} {P2}");
        let b = format!("{P2} Unrelated filler words appear right here. {P1}");
        let p = passages(&a, &b);
        assert_eq!(p.len(), 2, "{p:?}");
        assert!(p.iter().all(|p| p.kind == PassageKind::Verbatim));
    }

    #[test]
    fn one_changed_word_is_edited() {
        let b = P1.replace("Monday", "Tuesday");
        let p = passages(P1, &b);
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(p[0].kind, PassageKind::Edited);
        assert_eq!(p[0].a, 0..15);
    }

    #[test]
    fn nothing_shared_nothing_aligned() {
        assert!(passages(P1, P2).is_empty());
    }

    /// [`Taken::take`] as first written: every shingle's tokens looked at
    /// afresh. What the sliding count must equal.
    fn take_reference(taken: &mut Taken, r: &Run, need: Free, min_tokens: usize) {
        let free = |side: &[bool], window: Range<usize>| {
            !side[window.start.min(side.len())..window.end.min(side.len())].iter().any(|&t| t)
        };
        let k = taken.k;
        let usable = |t: usize, taken: &Taken| {
            let (fa, fb) = (free(&taken.a, r.i + t..r.i + t + k), free(&taken.b, r.j + t..r.j + t + k));
            match need {
                Free::Both => fa && fb,
                Free::Either => fa || fb,
            }
        };
        let mut t = 0;
        while t < r.len {
            if !usable(t, taken) {
                t += 1;
                continue;
            }
            let start = t;
            while t < r.len && usable(t, taken) {
                t += 1;
            }
            let ra = r.i + start..(r.i + t - 1 + k).min(taken.a.len());
            let rb = r.j + start..(r.j + t - 1 + k).min(taken.b.len());
            let long_enough = t - start >= MIN_RUN || r.len == 1;
            if long_enough && ra.len().min(rb.len()) >= min_tokens {
                taken.a[ra.clone()].iter_mut().for_each(|x| *x = true);
                taken.b[rb.clone()].iter_mut().for_each(|x| *x = true);
                taken.ranges.push((ra, rb));
            }
        }
    }

    proptest::proptest! {
        /// Runs taken one after another, on both sides' tokens held at
        /// random, take what the reference takes.
        #[test]
        fn take_is_the_reference_take(
            held in proptest::collection::vec((proptest::bool::weighted(0.2), proptest::bool::weighted(0.2)), 1..90),
            runs in proptest::collection::vec((0usize..90, 0usize..90, 1usize..40, proptest::bool::ANY, 0usize..12), 1..6),
            k in 1usize..6,
        ) {
            let n = held.len();
            let mut fast = Taken::new(n, n, k);
            fast.a = held.iter().map(|h| h.0).collect();
            fast.b = held.iter().map(|h| h.1).collect();
            let mut slow = Taken { ranges: Vec::new(), a: fast.a.clone(), b: fast.b.clone(), k };
            for &(i, j, len, both, min_tokens) in &runs {
                let r = Run { i: i % n, j: j % n, len: len.min(n + 1 - (i % n).max(j % n)).max(1) };
                let need = if both { Free::Both } else { Free::Either };
                fast.take(&r, need, min_tokens);
                take_reference(&mut slow, &r, need, min_tokens);
                proptest::prop_assert_eq!(&fast.ranges, &slow.ranges);
                proptest::prop_assert_eq!(&fast.a, &slow.a);
                proptest::prop_assert_eq!(&fast.b, &slow.b);
            }
        }
    }

    proptest::proptest! {
        /// The galloping search lands where a step-by-step walk does.
        #[test]
        fn seek_is_a_linear_walk(
            list in proptest::collection::vec(0u64..500, 0..300),
            from in 0usize..320,
            h in 0u64..520,
        ) {
            let mut list = list;
            list.sort_unstable();
            let mut x = from.min(list.len());
            while x < list.len() && list[x] < h {
                x += 1;
            }
            proptest::prop_assert_eq!(seek(&list, from.min(list.len()), h), x);
        }
    }

    proptest::proptest! {
        /// The anchors' walk through both lists finds what comparing every
        /// position of one document with every position of the other
        /// finds, for every anchor (a subset of the shared values, some
        /// occurring more often than the limit).
        #[test]
        fn anchor_walk_matches_brute_force(
            a_text in proptest::collection::vec(0u64..40, 0..200),
            b_text in proptest::collection::vec(0u64..40, 0..200),
            dropped in proptest::collection::btree_set(0u64..40, 0..10),
        ) {
            let (ha, at_a) = Shingles::sorted_columns(&a_text);
            let (hb, at_b) = Shingles::sorted_columns(&b_text);
            let a = Side { hashes: &ha, at: &at_a, tokens: a_text.len() };
            let b = Side { hashes: &hb, at: &at_b, tokens: b_text.len() };
            let set = |t: &[u64]| t.iter().copied().collect::<std::collections::BTreeSet<u64>>();
            let anchors: Vec<u64> =
                set(&a_text).intersection(&set(&b_text)).copied().filter(|h| !dropped.contains(h)).collect();
            let mut expected = Vec::new();
            for &h in &anchors {
                let (xs, ys): (Vec<usize>, Vec<usize>) = (
                    (0..a_text.len()).filter(|&i| a_text[i] == h).collect(),
                    (0..b_text.len()).filter(|&j| b_text[j] == h).collect(),
                );
                if xs.len() <= MAX_OCCURRENCES && ys.len() <= MAX_OCCURRENCES {
                    for &i in &xs {
                        for &j in &ys {
                            expected.push(((j as i64 - i as i64 + DIAGONAL_OFFSET) as u64) << 32 | i as u64);
                        }
                    }
                }
            }
            let mut got = anchor_matches(&a, &b, &anchors);
            got.sort_unstable();
            expected.sort_unstable();
            proptest::prop_assert_eq!(got, expected);
        }

        /// The counting passes give the comparison sort's order, on
        /// matches as the merge packs them: dense (a copy), sparse (two
        /// long texts sharing a little), few, and near the 64 cutoff.
        #[test]
        fn matches_sort_as_a_comparison_sort(
            pairs in proptest::collection::btree_set((0u32..600, 0u32..600), 0..400),
            dense in proptest::bool::ANY,
        ) {
            let mut matches: Vec<u64> = pairs
                .iter()
                .map(|&(i, j)| {
                    let j = if dense { i.saturating_add(j % 3) } else { j };
                    ((i64::from(j) - i64::from(i) + DIAGONAL_OFFSET) as u64) << 32 | u64::from(i)
                })
                .collect();
            matches.sort_unstable();
            matches.dedup();
            let mut expected = matches.clone();
            expected.sort_unstable();
            // Arrival order: by a hash of the match, as a merge by shingle
            // hash delivers them.
            matches.sort_unstable_by_key(|&m| crate::analysis::shingle::fmix64(m));
            sort_matches(&mut matches);
            proptest::prop_assert_eq!(matches, expected);
        }
    }
}
