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

use crate::normalize::Token;
use crate::sentence::Sentence;
use std::collections::HashMap;
use std::ops::Range;
use xxhash_rust::xxh3::xxh3_64;

/// Above this many sentences only verbatim repeats are looked for, to keep
/// the pairwise near-repeat comparison bounded.
pub const NEAR_REPEAT_MAX_SENTENCES: usize = 2_000;

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

struct SentenceTokens {
    seq_hash: u64,
    set: Vec<u64>,
    paragraph: usize,
    span: Range<usize>,
}

/// Finds the repeats among `sentences`, using `tokens` of the same text.
pub fn find(sentences: &[Sentence], tokens: &[Token], min_tokens: usize) -> Vec<Repeat> {
    let info: Vec<SentenceTokens> = sentences
        .iter()
        .map(|s| {
            let lo = tokens.partition_point(|t| (t.start as usize) < s.span.start);
            let hi = tokens.partition_point(|t| (t.end as usize) <= s.span.end);
            let toks = &tokens[lo..hi.max(lo)];
            let mut bytes = Vec::with_capacity(toks.len() * 8);
            for t in toks {
                bytes.extend_from_slice(&t.hash.to_le_bytes());
            }
            let mut set: Vec<u64> = toks.iter().map(|t| t.hash).collect();
            set.sort_unstable();
            set.dedup();
            SentenceTokens { seq_hash: xxh3_64(&bytes), set, paragraph: s.paragraph, span: s.span.clone() }
        })
        .collect();
    let eligible = |i: usize| info[i].set.len() >= min_tokens;

    // matches[i] = (j, kind): sentence j (> i) repeats sentence i.
    let mut matches: Vec<(usize, usize, RepeatKind)> = Vec::new();
    let mut first_seen: HashMap<u64, usize> = HashMap::new();
    for i in 0..info.len() {
        if !eligible(i) {
            continue;
        }
        match first_seen.get(&info[i].seq_hash) {
            Some(&first) => matches.push((first, i, RepeatKind::Verbatim)),
            None => {
                first_seen.insert(info[i].seq_hash, i);
            }
        }
    }
    if info.len() <= NEAR_REPEAT_MAX_SENTENCES {
        for j in 0..info.len() {
            if !eligible(j) || matches.iter().any(|m| m.1 == j) {
                continue;
            }
            let best = (0..j).filter(|&i| eligible(i) && info[i].seq_hash != info[j].seq_hash).find(|&i| near(&info[i].set, &info[j].set));
            if let Some(i) = best {
                matches.push((i, j, RepeatKind::Near));
            }
        }
    }
    matches.sort_by_key(|m| (m.1, m.0));
    merge(&info, matches)
}

fn near(a: &[u64], b: &[u64]) -> bool {
    let (small, large) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let shared = small.iter().filter(|h| large.binary_search(h).is_ok()).count();
    let union = a.len() + b.len() - shared;
    shared * 5 >= small.len() * 4 && shared * 2 >= union
}

fn merge(info: &[SentenceTokens], matches: Vec<(usize, usize, RepeatKind)>) -> Vec<Repeat> {
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
    use crate::normalize::normalize;
    use crate::sentence::sentences;

    fn repeats(text: &str) -> Vec<Repeat> {
        find(&sentences(text), &normalize(text).tokens, 6)
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
