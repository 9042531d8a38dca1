//! In-document repetition: a document's sentences in, the passages it says
//! twice out, with both byte ranges.
//!
//! Pages repeat themselves: a standfirst repeated as the first body
//! paragraph, a lead sentence restated after "Agencies add:", a blog that
//! pasted six paragraphs twice. Sentences are compared on their normalized
//! tokens: the same token sequence is a `verbatim` repeat; a later sentence
//! that holds at least 80% of an earlier one's distinct tokens (and shares at
//! least half of the two sentences' tokens) is a `near` repeat. Consecutive
//! repeated sentences within the same pair of paragraphs merge into one
//! repeat, so a repeated paragraph is reported once.

use crate::analysis::normalize::{normalize, Token};
use crate::analysis::sentence::{self, Sentence};
use crate::analysis::shingle::Shingles;
use std::ops::Range;
use xxhash_rust::xxh3::Xxh3;

/// How closely the second occurrence follows the first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RepeatKind {
    Verbatim,
    Near,
}

impl RepeatKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RepeatKind::Verbatim => "verbatim",
            RepeatKind::Near => "near",
        }
    }
}

/// A passage said twice in one document: byte ranges of the analysed text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repeat {
    pub first: Range<usize>,
    pub second: Range<usize>,
    pub kind: RepeatKind,
    pub sentences: usize,
}

#[derive(Clone)]
struct SentenceTokens {
    seq_hash: u64,
    set: Vec<u64>,
}

impl SentenceTokens {
    fn new(s: &Sentence, tokens: &[Token]) -> Self {
        let lo = tokens.partition_point(|t| (t.start as usize) < s.span.start);
        let hi = tokens.partition_point(|t| (t.end as usize) <= s.span.end);
        let toks = &tokens[lo..hi.max(lo)];
        let mut seq = Xxh3::new();
        for t in toks {
            seq.update(&t.hash.to_le_bytes());
        }
        let mut set: Vec<u64> = toks.iter().map(|t| t.hash).collect();
        set.sort_unstable();
        set.dedup();
        SentenceTokens { seq_hash: seq.digest(), set }
    }
}

/// Finds the repeats in `text`, given its tokens and shingles.
///
/// Two sentences are compared only when a shingle that occurs twice in the
/// document starts in each of them: a document that repeats no shingle at
/// all (most of them) costs one hash-set pass and is never split into
/// sentences. A near repeat that shares no run of `k` words with its first
/// occurrence is therefore not reported.
pub fn find(text: &str, shingles: &Shingles, min_tokens: usize) -> Vec<Repeat> {
    if repeated_shingles(&shingles.hashes).is_empty() {
        return Vec::new();
    }
    find_of(&normalize(text).tokens, &shingles.hashes, min_tokens, || sentence::sentences(text))
}

/// [`find`] for a text already tokenized and shingled; `sentences` gives
/// its sentences, asked for only when some shingle is said twice.
pub fn find_of<S: std::ops::Deref<Target = [Sentence]>>(
    tokens: &[Token],
    shingle_hashes: &[u64],
    min_tokens: usize,
    sentences: impl FnOnce() -> S,
) -> Vec<Repeat> {
    let twice = repeated_shingles(shingle_hashes);
    if twice.is_empty() {
        return Vec::new();
    }
    let sentences = sentences();
    // Sentence index of every token (sentences are in text order).
    let mut sentence_of = vec![usize::MAX; tokens.len()];
    let mut si = 0;
    for (ti, t) in tokens.iter().enumerate() {
        while si < sentences.len() && sentences[si].span.end <= t.start as usize {
            si += 1;
        }
        if si < sentences.len() && sentences[si].span.start <= t.start as usize {
            sentence_of[ti] = si;
        }
    }
    let mut pairs: Vec<(usize, usize)> = twice
        .into_iter()
        .filter_map(|(p, q)| {
            let (i, j) = (sentence_of[p], sentence_of[q]);
            (i != usize::MAX && j != usize::MAX && i < j).then_some((i, j))
        })
        .collect();
    pairs.sort_unstable();
    pairs.dedup();

    let mut info: Vec<Option<SentenceTokens>> = vec![None; sentences.len()];
    let describe = |i: usize, info: &mut Vec<Option<SentenceTokens>>| {
        if info[i].is_none() {
            info[i] = Some(SentenceTokens::new(&sentences[i], tokens));
        }
    };
    // For each later sentence, the earliest sentence it repeats.
    let mut best: Vec<Option<(usize, RepeatKind)>> = vec![None; sentences.len()];
    for (i, j) in pairs {
        if best[j].is_some_and(|(_, k)| k == RepeatKind::Verbatim) {
            continue;
        }
        describe(i, &mut info);
        describe(j, &mut info);
        let (a, b) = (info[i].as_ref().expect("described"), info[j].as_ref().expect("described"));
        if a.set.len() < min_tokens || b.set.len() < min_tokens {
            continue;
        }
        let kind = if a.seq_hash == b.seq_hash {
            RepeatKind::Verbatim
        } else if near(&a.set, &b.set) {
            RepeatKind::Near
        } else {
            continue;
        };
        let better = match best[j] {
            None => true,
            Some((_, RepeatKind::Near)) => kind == RepeatKind::Verbatim,
            Some(_) => false,
        };
        if better {
            best[j] = Some((i, kind));
        }
    }
    let matches: Vec<(usize, usize, RepeatKind)> =
        best.iter().enumerate().filter_map(|(j, b)| b.map(|(i, kind)| (i, j, kind))).collect();
    merge(&sentences, matches)
}

/// Bits in the filter [`repeated_shingles`] passes every shingle through
/// first (8 KiB, a thread's own, cleared after each document).
const SEEN_BITS: usize = 1 << 16;
/// Shingles the filter may flag before the exact table takes over (a
/// document that repeats a lot, or too long for the filter to stay sparse).
const MAX_FLAGGED: usize = 64;

thread_local! {
    /// A fixed-size array, so indexing it by a shifted hash needs no bounds
    /// check.
    static SEEN: std::cell::RefCell<Box<[u64; SEEN_BITS / 64]>> =
        std::cell::RefCell::new(Box::new([0; SEEN_BITS / 64]));
}

/// Pairs of positions `(first, later)` holding the same shingle hash,
/// sorted.
///
/// Most documents repeat no shingle, so every shingle first sets one bit
/// of a filter indexed by its top bits, a pass with no branch worth
/// predicting; only the shingles whose bit was already set (a repeat, or
/// for an article of 500 shingles a chance collision about once in 260)
/// are looked for among the earlier ones. When too many are flagged,
/// [`repeated_shingles_exact`] answers instead.
fn repeated_shingles(hashes: &[u64]) -> Vec<(usize, usize)> {
    let mut flagged: Vec<usize> = Vec::new();
    SEEN.with_borrow_mut(|seen| {
        let bit = |h: u64| (h >> (64 - SEEN_BITS.trailing_zeros())) as usize;
        for (i, &h) in hashes.iter().enumerate() {
            let (word, mask) = (&mut seen[bit(h) / 64], 1u64 << (bit(h) % 64));
            if *word & mask != 0 {
                flagged.push(i);
            }
            *word |= mask;
        }
        // Clearing word by word costs a store a shingle; past a few hundred
        // shingles, clearing all 8 KiB at once is cheaper.
        if hashes.len() > SEEN_BITS / 256 {
            seen.fill(0);
        } else {
            for &h in hashes {
                seen[bit(h) / 64] = 0;
            }
        }
    });
    if flagged.len() > MAX_FLAGGED {
        return repeated_shingles_exact(hashes);
    }
    let mut twice: Vec<(usize, usize)> = flagged
        .into_iter()
        .filter_map(|i| hashes[..i].iter().position(|&h| h == hashes[i]).map(|first| (first, i)))
        .collect();
    twice.sort_unstable();
    twice
}

/// The distinct shingle hashes of `hashes`, each at its first occurrence, in
/// text order: a document's set without sorting it.
pub fn distinct(hashes: &[u64]) -> Vec<u64> {
    let twice = repeated_shingles(hashes);
    if twice.is_empty() {
        return hashes.to_vec();
    }
    let mut again = vec![false; hashes.len()];
    for (_, later) in twice {
        again[later] = true;
    }
    hashes.iter().zip(again).filter(|&(_, again)| !again).map(|(&h, _)| h).collect()
}

/// [`repeated_shingles`] through an open-addressing table twice the size
/// of the document holding each hash's first position: one probe per
/// shingle whatever the document repeats.
fn repeated_shingles_exact(hashes: &[u64]) -> Vec<(usize, usize)> {
    const EMPTY: u32 = u32::MAX;
    let slots = (hashes.len() * 2).next_power_of_two().max(16);
    let mask = slots - 1;
    // Each slot holds the first position of a hash; the hash is read back
    // from `hashes`, which keeps the table at 4 bytes a slot.
    let mut table: Vec<u32> = vec![EMPTY; slots];
    let mut twice = Vec::new();
    for (i, &h) in hashes.iter().enumerate() {
        // Shingle hashes are uniform: their low bits index the table.
        let mut slot = h as usize & mask;
        loop {
            let first = table[slot];
            if first == EMPTY {
                table[slot] = i as u32;
                break;
            }
            if hashes[first as usize] == h {
                twice.push((first as usize, i));
                break;
            }
            slot = (slot + 1) & mask;
        }
    }
    twice.sort_unstable();
    twice
}

fn near(a: &[u64], b: &[u64]) -> bool {
    let (small, large) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    // shared >= union / 2 >= large / 2 needs a small side at least half as big.
    if small.len() * 2 < large.len() {
        return false;
    }
    let shared = crate::linking::verify::intersection_len(a, b);
    let union = a.len() + b.len() - shared;
    shared * 5 >= small.len() * 4 && shared * 2 >= union
}

fn merge(info: &[Sentence], matches: Vec<(usize, usize, RepeatKind)>) -> Vec<Repeat> {
    let mut out: Vec<(usize, usize, usize, usize, RepeatKind)> = Vec::new(); // i0, i1, j0, j1 inclusive
    for (i, j, kind) in matches {
        if let Some(last) = out.last_mut() {
            let continues = last.1 + 1 == i
                && last.3 + 1 == j
                && info[i].paragraph == info[last.1].paragraph
                && info[j].paragraph == info[last.3].paragraph
                && last.1 < last.2;
            if continues {
                last.1 = i;
                last.3 = j;
                if kind == RepeatKind::Near {
                    last.4 = RepeatKind::Near;
                }
                continue;
            }
        }
        out.push((i, i, j, j, kind));
    }
    out.into_iter()
        .map(|(i0, i1, j0, j1, kind)| Repeat {
            first: info[i0].span.start..info[i1].span.end,
            second: info[j0].span.start..info[j1].span.end,
            kind,
            sentences: i1 - i0 + 1,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repeats(text: &str) -> Vec<Repeat> {
        find(text, &Shingles::with_k(&normalize(text).tokens, 5), 6)
    }

    #[test]
    fn filtered_pairs_match_the_exact_table() {
        let shingles = |ids: &[u64]| ids.iter().map(|&i| crate::analysis::shingle::fmix64(i)).collect::<Vec<u64>>();
        let cases: Vec<Vec<u64>> = vec![
            shingles(&[]),
            shingles(&(0..500).collect::<Vec<_>>()),
            shingles(&[1, 2, 3, 1, 4, 2, 1, 5]),
            // Past MAX_FLAGGED repeats: the exact table answers.
            shingles(&(0..300).map(|i| i % 7).collect::<Vec<_>>()),
            // Long enough for chance collisions in the filter.
            shingles(&(0..40_000).chain(0..10).collect::<Vec<_>>()),
        ];
        for hashes in cases {
            assert_eq!(repeated_shingles(&hashes), repeated_shingles_exact(&hashes), "{}", hashes.len());
        }
        assert_eq!(repeated_shingles(&shingles(&[1, 2, 3, 1, 4, 2, 1])), [(0, 3), (0, 6), (1, 5)]);
        assert_eq!(distinct(&shingles(&[1, 2, 3, 1, 4, 2, 1])), shingles(&[1, 2, 3, 4]));
    }

    #[test]
    fn repeated_paragraph_reported_once() {
        let p = "The two countries signed three agreements on steel and rail. Officials said more would follow soon.";
        let text = format!("{p}\nSomething else happened in between these two places.\n{p}");
        let r = repeats(&text);
        assert_eq!(r.len(), 1, "{r:?}");
        assert_eq!(&text[r[0].first.clone()], p);
        assert_eq!(&text[r[0].second.clone()], p);
        assert_eq!(r[0].kind, RepeatKind::Verbatim);
        assert_eq!(r[0].sentences, 2);
    }

    #[test]
    fn restated_lead_is_near() {
        let text = "Lavrov said Moscow and Islamabad will boost ties in the fight against terrorism.\n\
                    Other news followed here with no overlap at all.\n\
                    Agencies add: Concluding his visit, Lavrov said Moscow and Islamabad will boost ties in the fight against terrorism.";
        let r = repeats(text);
        assert_eq!(r.len(), 1, "{r:?}");
        assert_eq!(r[0].kind, RepeatKind::Near);
    }

    #[test]
    fn short_sentences_ignored() {
        assert!(repeats("Read more.\nSome text between them.\nRead more.").is_empty());
    }
}
