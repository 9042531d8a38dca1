//! Shingles: tokens in, one 64-bit hash per run of `k` consecutive tokens out.
//!
//! Shingle `i` covers tokens `i..i + k`, so any shingle maps straight back to
//! a byte range of the original text. A document shorter than `k` tokens
//! gets a single shingle of all its tokens, so short texts still compare.
//! `k` is the word count for spaced scripts and the character count for
//! unspaced ones (see [`crate::normalize::Script`]).

use crate::normalize::{Normalized, Script, Token};

/// The shingle hashes of one document, in text order (duplicates kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shingles {
    /// Tokens per shingle.
    pub k: usize,
    pub hashes: Vec<u64>,
}

/// A strong 64-bit finalizer (from MurmurHash3), so shingle hashes are
/// uniform in every bit: MinHash bins and LSH bands rely on that.
#[inline]
pub fn fmix64(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// Hash of an ordered run of token hashes.
#[inline]
pub fn combine(tokens: &[Token]) -> u64 {
    let mut h: u64 = 0x9e37_79b9_7f4a_7c15;
    for t in tokens {
        h = (h.rotate_left(27) ^ t.hash).wrapping_mul(0x0000_0100_0000_01b3);
    }
    fmix64(h ^ tokens.len() as u64)
}

impl Shingles {
    /// Shingles `normalized` with `words` tokens per shingle for spaced
    /// scripts and `chars` for unspaced ones.
    pub fn new(normalized: &Normalized, words: usize, chars: usize) -> Self {
        let k = match normalized.script {
            Script::Spaced => words,
            Script::Unspaced => chars,
        };
        Self::with_k(&normalized.tokens, k)
    }

    /// Shingles `tokens` with exactly `k` tokens per shingle.
    pub fn with_k(tokens: &[Token], k: usize) -> Self {
        let k = k.max(1);
        let hashes = if tokens.is_empty() {
            Vec::new()
        } else if tokens.len() < k {
            vec![combine(tokens)]
        } else {
            tokens.windows(k).map(combine).collect()
        };
        Shingles { k, hashes }
    }

    /// The token range shingle `i` covers, given the document's token count.
    pub fn token_range(&self, i: usize, num_tokens: usize) -> std::ops::Range<usize> {
        i..(i + self.k).min(num_tokens)
    }

    /// The distinct shingle hashes, sorted: the set verification works on.
    pub fn set(&self) -> Vec<u64> {
        let mut set = self.hashes.clone();
        set.sort_unstable();
        set.dedup();
        set
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::normalize;

    #[test]
    fn counts_and_short_documents() {
        let n = normalize("one two three four five six seven");
        assert_eq!(Shingles::with_k(&n.tokens, 5).hashes.len(), 3);
        assert_eq!(Shingles::with_k(&n.tokens[..2], 5).hashes.len(), 1);
        assert!(Shingles::with_k(&[], 5).hashes.is_empty());
    }

    #[test]
    fn same_words_same_shingles_regardless_of_punctuation() {
        let a = normalize("The PM met Putin in Beijing on Tuesday.");
        let b = normalize("the pm -- met “Putin” in Beijing, on tuesday");
        assert_eq!(Shingles::with_k(&a.tokens, 5), Shingles::with_k(&b.tokens, 5));
    }

    #[test]
    fn order_matters() {
        let a = normalize("alpha beta gamma delta epsilon");
        let b = normalize("beta alpha gamma delta epsilon");
        assert_ne!(Shingles::with_k(&a.tokens, 5), Shingles::with_k(&b.tokens, 5));
    }
}
