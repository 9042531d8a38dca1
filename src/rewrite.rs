//! Rewrites: documents' content sentences in, order-coherent aligned
//! sentence pairs out.
//!
//! A heavy rewrite keeps the facts and their order but changes nearly every
//! word, so no word 5-shingle survives. Two pieces find it anyway:
//!
//! * **A passage-level index.** Every sentence's content words (see
//!   [`crate::content`]) get a 32-lane MinHash signature, banded for a
//!   sentence Jaccard of about 0.3. Documents whose sentences share at least
//!   [`MIN_SENTENCE_HITS`] buckets become rewrite candidates, so this scales
//!   like the document index rather than comparing every pair of documents.
//! * **Order-coherent alignment.** For a candidate pair every sentence of one
//!   is compared with every sentence of the other on content-word Jaccard;
//!   pairs above [`MIN_SIMILARITY`] that share at least [`MIN_SHARED_WORDS`]
//!   words are matches, and the heaviest chain of matches increasing in both
//!   documents is the alignment. Related-topic articles share vocabulary
//!   sentence by sentence but not in a long ordered chain: a rewrite needs
//!   [`MIN_ALIGNED`] sentence pairs in order.

use crate::candidates::{band_keys, group_keys, BandParams};
use crate::content::ContentSentence;
use crate::signature::Signature;
use rayon::prelude::*;

/// Lanes of a sentence signature.
pub const SENTENCE_HASHES: usize = 32;
/// Sentence Jaccard the sentence index is tuned for.
pub const SENTENCE_THRESHOLD: f64 = 0.3;
/// Colliding sentence pairs two documents need to be compared.
pub const MIN_SENTENCE_HITS: usize = 2;
/// Content-word Jaccard at which two sentences match.
pub const MIN_SIMILARITY: f64 = 0.3;
/// Content words two matching sentences must share.
pub const MIN_SHARED_WORDS: usize = 4;
/// Aligned sentence pairs, in order, that make a rewrite.
pub const MIN_ALIGNED: usize = 4;

/// Two sentences aligned: indexes into each document's content sentences.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SentencePair {
    pub a: usize,
    pub b: usize,
    pub similarity: f64,
    pub shared: usize,
}

/// The band split of the sentence index.
pub fn sentence_bands() -> BandParams {
    BandParams::optimal(SENTENCE_THRESHOLD, SENTENCE_HASHES)
}

/// The sentence-index keys of one document.
pub fn document_keys(sentences: &[ContentSentence], params: BandParams) -> Vec<u64> {
    let mut keys: Vec<u64> = sentences
        .iter()
        .filter_map(|s| Signature::new(&s.words, SENTENCE_HASHES))
        .flat_map(|sig| band_keys(&sig, params).collect::<Vec<_>>())
        .collect();
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// Document pairs whose sentences collide in at least
/// [`MIN_SENTENCE_HITS`] buckets, sorted.
pub fn candidate_pairs(keys: &[Vec<u64>]) -> Vec<(u32, u32)> {
    let entries: Vec<(u64, u32)> =
        keys.par_iter().enumerate().flat_map_iter(|(doc, ks)| ks.iter().map(move |&k| (k, doc as u32))).collect();
    let mut pairs = group_keys(entries, usize::MAX);
    pairs.par_sort_unstable();
    let mut kept = Vec::new();
    let mut i = 0;
    while i < pairs.len() {
        let run = pairs[i..].iter().take_while(|p| **p == pairs[i]).count();
        if run >= MIN_SENTENCE_HITS {
            kept.push(pairs[i]);
        }
        i += run;
    }
    kept
}

fn jaccard(a: &[u64], b: &[u64]) -> (f64, usize) {
    let (mut i, mut j, mut shared) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                shared += 1;
                i += 1;
                j += 1;
            }
        }
    }
    let union = a.len() + b.len() - shared;
    (if union == 0 { 0.0 } else { shared as f64 / union as f64 }, shared)
}

/// The heaviest order-coherent chain of matching sentences.
pub fn align_sentences(a: &[ContentSentence], b: &[ContentSentence]) -> Vec<SentencePair> {
    let mut matches: Vec<SentencePair> = Vec::new();
    for (i, sa) in a.iter().enumerate() {
        for (j, sb) in b.iter().enumerate() {
            let (similarity, shared) = jaccard(&sa.words, &sb.words);
            if similarity >= MIN_SIMILARITY && shared >= MIN_SHARED_WORDS {
                matches.push(SentencePair { a: i, b: j, similarity, shared });
            }
        }
    }
    // best[k]: weight of the heaviest chain ending at match k; O(m²) over the
    // (few) matches, ties broken towards the earlier predecessor.
    let m = matches.len();
    let mut best = vec![0.0f64; m];
    let mut prev = vec![usize::MAX; m];
    for k in 0..m {
        best[k] = matches[k].similarity;
        for p in 0..k {
            if matches[p].a < matches[k].a && matches[p].b < matches[k].b && best[p] + matches[k].similarity > best[k] {
                best[k] = best[p] + matches[k].similarity;
                prev[k] = p;
            }
        }
    }
    let Some(mut k) = (0..m).fold(None, |acc: Option<usize>, k| match acc {
        Some(b) if best[b] >= best[k] => Some(b),
        _ => Some(k),
    }) else {
        return Vec::new();
    };
    let mut chain = vec![matches[k]];
    while prev[k] != usize::MAX {
        k = prev[k];
        chain.push(matches[k]);
    }
    chain.reverse();
    chain
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::content_sentences;

    #[test]
    fn rewritten_sentences_align_in_order() {
        let a = "Russian President Putin received Prime Minister Kakar before they held a meeting on bilateral and regional affairs. \
                 The leaders discussed energy cooperation and pipeline projects in detail. \
                 Putin said Russia supplied a million tons of cereals to Pakistan this year. \
                 Kakar invited Russian investment in the energy sector of Pakistan.";
        let b = "President Putin received Prime Minister Kakar, leading to a meeting addressing bilateral and regional matters. \
                 Kakar invited the Russian investment into Pakistan's energy sector. \
                 Energy cooperation and pipeline projects were discussed by the leaders in detail. \
                 Putin noted that Russia had supplied a million tons of cereals to Pakistan this year.";
        let (sa, sb) = (content_sentences(a), content_sentences(b));
        let chain = align_sentences(&sa, &sb);
        assert!(chain.len() >= 3, "{chain:?}");
        assert!(chain.windows(2).all(|w| w[0].a < w[1].a && w[0].b < w[1].b));
    }

    #[test]
    fn unrelated_sentences_do_not_align() {
        let a = content_sentences("The orchestra played Mahler in the new concert hall on Friday evening.");
        let b = content_sentences("Heavy rain flooded three villages and closed the mountain highway overnight.");
        assert!(align_sentences(&a, &b).is_empty());
    }
}
