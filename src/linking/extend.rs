//! Extending: aligned passages (token ranges of two texts) in, the same
//! passages out with each end moved over the words that still match
//! loosely on both sides: a word with a misread letter, a changed word
//! between matching ones. Alignment anchors on whole shingles, so a
//! passage otherwise stops a shingle short of the first damaged word near
//! its ends, and a copied paragraph is only partly covered.

use crate::analysis::normalize::TokenSpan;
use crate::linking::align::{PassageKind, TokenPassage};

/// One side: its text and token spans.
#[derive(Clone, Copy)]
pub struct Words<'a> {
    pub text: &'a str,
    pub tokens: &'a [TokenSpan],
}

impl Words<'_> {
    fn word(&self, i: usize) -> &str {
        let t = self.tokens[i];
        self.text.get(t.start as usize..t.end as usize).unwrap_or("")
    }
}

/// Whether two words are one word copied, allowing for case and, in
/// longer words, a letter or two misread ("rn" for "m").
pub fn alike(x: &str, y: &str) -> bool {
    if x.eq_ignore_ascii_case(y) {
        return true;
    }
    let shorter = x.chars().count().min(y.chars().count());
    let allowed = match shorter {
        0..=3 => return false,
        4..=6 => 1,
        _ => 2,
    };
    strsim::levenshtein(&x.to_lowercase(), &y.to_lowercase()) <= allowed
}

/// Moves each passage's ends outwards over loosely matching words, never
/// into another passage's tokens on either side. A word that does not
/// match is crossed only when the two words after it match: a changed
/// word inside a copied sentence, not the start of other text.
pub fn extend(passages: &mut [TokenPassage], a: Words, b: Words) {
    for n in 0..passages.len() {
        let (limit_a, limit_b) = limits(passages, n, true);
        let p = &passages[n];
        let (grown_a, grown_b, loose) = walk(a, b, p.a.end, p.b.end, limit_a, limit_b, Step::Forward);
        let (floor_a, floor_b) = limits(passages, n, false);
        let p = &passages[n];
        let (start_a, start_b, loose_back) = walk(a, b, p.a.start, p.b.start, floor_a, floor_b, Step::Back);
        let p = &mut passages[n];
        let moved = grown_a != p.a.end || start_a != p.a.start;
        (p.a.end, p.b.end, p.a.start, p.b.start) = (grown_a, grown_b, start_a, start_b);
        if moved && (loose || loose_back) && p.kind == PassageKind::Verbatim {
            p.kind = PassageKind::Edited;
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Step {
    Forward,
    Back,
}

/// How far passage `n` may grow (forward: the nearest start of another
/// passage at or after its end, on each side; back: the nearest end at or
/// before its start).
fn limits(passages: &[TokenPassage], n: usize, forward: bool) -> (usize, usize) {
    let p = &passages[n];
    let others = passages.iter().enumerate().filter(|&(m, _)| m != n).map(|(_, q)| q);
    if forward {
        let a = others.clone().filter(|q| q.a.start >= p.a.end).map(|q| q.a.start).min().unwrap_or(usize::MAX);
        let b = others.filter(|q| q.b.start >= p.b.end).map(|q| q.b.start).min().unwrap_or(usize::MAX);
        (a, b)
    } else {
        let a = others.clone().filter(|q| q.a.end <= p.a.start).map(|q| q.a.end).max().unwrap_or(0);
        let b = others.filter(|q| q.b.end <= p.b.start).map(|q| q.b.end).max().unwrap_or(0);
        (a, b)
    }
}

/// Walks from boundary (`x`, `y`) in `step`'s direction while the words
/// match loosely, up to `lx`/`ly`; returns the new boundary and whether a
/// word crossed was not an exact match.
fn walk(a: Words, b: Words, x: usize, y: usize, lx: usize, ly: usize, step: Step) -> (usize, usize, bool) {
    let (lx, ly) = (lx.min(a.tokens.len()), ly.min(b.tokens.len()));
    // The word `d` places beyond the boundary, on each side, if in bounds.
    let at = |x: usize, y: usize, d: usize| -> Option<(usize, usize)> {
        match step {
            Step::Forward => (x + d < lx && y + d < ly).then_some((x + d, y + d)),
            Step::Back => (x >= d + 1 + lx && y >= d + 1 + ly).then(|| (x - d - 1, y - d - 1)),
        }
    };
    let same = |p: Option<(usize, usize)>| p.is_some_and(|(i, j)| alike(a.word(i), b.word(j)));
    let exact = |(i, j): (usize, usize)| a.word(i).eq_ignore_ascii_case(b.word(j));
    let (mut x, mut y, mut loose) = (x, y, false);
    while let Some(next) = at(x, y, 0) {
        let crossed = same(Some(next)) || (same(at(x, y, 1)) && same(at(x, y, 2)));
        if !crossed {
            break;
        }
        loose |= !exact(next);
        (x, y) = match step {
            Step::Forward => (x + 1, y + 1),
            Step::Back => (x - 1, y - 1),
        };
    }
    (x, y, loose)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::normalize::normalize;

    fn spans(text: &str) -> Vec<TokenSpan> {
        normalize(text).tokens.iter().map(|t| TokenSpan { start: t.start, end: t.end }).collect()
    }

    #[test]
    fn misread_words_are_alike_and_other_words_are_not() {
        assert!(alike("government", "governrnent"));
        assert!(alike("Leader", "1eader"));
        assert!(alike("The", "the"));
        assert!(!alike("the", "she"));
        assert!(!alike("minister", "official"));
    }

    #[test]
    fn ends_grow_over_damaged_words_and_stop_at_other_text() {
        let a = "Unrelated start here. The rninister said the talks went well in Beijing today.";
        let b = "Other opening words now. The minister said the talks went well in Beijing today.";
        let (ta, tb) = (spans(a), spans(b));
        // "said the talks went well in Beijing today" on both sides.
        let (sa, sb) = (ta.len() - 8, tb.len() - 8);
        let mut p = vec![TokenPassage { a: sa..ta.len(), b: sb..tb.len(), kind: PassageKind::Verbatim, score: 1.0 }];
        extend(&mut p, Words { text: a, tokens: &ta }, Words { text: b, tokens: &tb });
        assert_eq!(&a[ta[p[0].a.start].start as usize..], "The rninister said the talks went well in Beijing today.");
        assert_eq!(&b[tb[p[0].b.start].start as usize..], "The minister said the talks went well in Beijing today.");
        assert_eq!(p[0].kind, PassageKind::Edited);
    }
}
