//! Shingles: tokens in, one 64-bit hash per run of `k` consecutive tokens out.
//!
//! Shingle `i` covers tokens `i..i + k`, so any shingle maps straight back to
//! a byte range of the original text. A document shorter than `k` tokens
//! gets a single shingle of all its tokens, so short texts still compare.
//! `k` is the word count for spaced scripts and the character count for
//! unspaced ones (see [`crate::analysis::normalize::Script`]).

use crate::analysis::normalize::{Normalized, Script, Token};

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

/// The base of the polynomial shingle hash (odd, so multiplying by it is a
/// bijection on u64).
const BASE: u64 = 0x9e37_79b9_7f4a_7c15;

/// Hash of an ordered run of token hashes: the polynomial
/// `Σ t[j] · BASE^(m-1-j)` over u64, finalised by [`fmix64`] with the length.
/// [`Shingles::with_k`] rolls the same polynomial along the text, two
/// multiplications per shingle whatever `k` is.
#[inline]
pub fn combine(tokens: &[Token]) -> u64 {
    combine_hashes(tokens.iter().map(|t| t.hash))
}

/// [`combine`] of a run of token hashes given one by one.
#[inline]
pub fn combine_hashes(hashes: impl IntoIterator<Item = u64>) -> u64 {
    let (poly, len) =
        hashes.into_iter().fold((0u64, 0u64), |(h, len), t| (h.wrapping_mul(BASE).wrapping_add(t), len + 1));
    fmix64(poly ^ len)
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
        let mut hashes = Vec::new();
        Self::hash_into(tokens, k, &mut hashes);
        Shingles { k: k.max(1), hashes }
    }

    /// The hashes [`Shingles::with_k`] gives, into a caller's buffer (cleared
    /// first), so a caller that works through many documents reuses one
    /// allocation.
    pub fn hash_into(tokens: &[Token], k: usize, out: &mut Vec<u64>) {
        let k = k.max(1);
        out.clear();
        if tokens.len() < k {
            if !tokens.is_empty() {
                out.push(combine(tokens));
            }
        } else {
            // BASE^k: the weight the token leaving the window would reach.
            // `(poly - old·BASE^(k-1))·BASE + new` is computed as
            // `poly·BASE + (new - old·BASE^k)`, the same number, so that
            // only one multiply and one add depend on the previous window.
            let out_weight = (0..k).fold(1u64, |p, _| p.wrapping_mul(BASE));
            let mut poly = tokens[..k].iter().fold(0u64, |h, t| h.wrapping_mul(BASE).wrapping_add(t.hash));
            out.reserve(tokens.len() - k + 1);
            out.push(fmix64(poly ^ k as u64));
            // A zip of slices has an exact length the vector trusts, so the
            // extension writes without a capacity check per shingle.
            out.extend(tokens.iter().zip(&tokens[k..]).map(|(leaving, entering)| {
                let step = entering.hash.wrapping_sub(leaving.hash.wrapping_mul(out_weight));
                poly = poly.wrapping_mul(BASE).wrapping_add(step);
                fmix64(poly ^ k as u64)
            }));
        }
    }

    /// Shingles `text` straight from its tokens, without storing them, and
    /// counts the tokens. Gives the same result as normalizing, then
    /// [`Shingles::new`] (pure-ASCII text streams; other text goes the long
    /// way).
    pub fn from_text(text: &str, words: usize, chars: usize) -> (Self, usize, Script) {
        let k = words.max(1);
        if k <= 16 {
            if let Some(streamed) = Self::from_ascii_text(text, k) {
                return streamed;
            }
        }
        let normalized = crate::analysis::normalize::normalize(text);
        let shingles = Self::new(&normalized, words, chars);
        (shingles, normalized.tokens.len(), normalized.script)
    }

    /// [`Shingles::from_text`]'s streaming path: `None` if `text` is not
    /// ASCII (found as it is tokenized, not by a pass of its own).
    fn from_ascii_text(text: &str, k: usize) -> Option<(Self, usize, Script)> {
        let top = (1..k).fold(1u64, |p, _| p.wrapping_mul(BASE));
        let mut ring = [0u64; 16];
        let mut count = 0usize;
        let mut poly = 0u64;
        let mut hashes = Vec::with_capacity(text.len() / 4 + 1);
        let ring_len = ring.len();
        let ascii = crate::analysis::normalize::ascii_tokens(text, |t| {
            if count >= k {
                poly = poly.wrapping_sub(ring[(count - k) % ring_len].wrapping_mul(top));
            }
            poly = poly.wrapping_mul(BASE).wrapping_add(t.hash);
            ring[count % ring_len] = t.hash;
            count += 1;
            if count >= k {
                hashes.push(fmix64(poly ^ k as u64));
            }
        });
        if !ascii {
            return None;
        }
        if count > 0 && count < k {
            // Shorter than one shingle: one shingle of all tokens.
            hashes.push(fmix64(poly ^ count as u64));
        }
        Some((Shingles { k, hashes }, count, Script::Spaced))
    }

    /// The token range shingle `i` covers, given the document's token count.
    pub fn token_range(&self, i: usize, num_tokens: usize) -> std::ops::Range<usize> {
        i..(i + self.k).min(num_tokens)
    }

    /// Every shingle as `(hash, position)`, sorted: equal shingles of two
    /// documents meet in one merge of their lists.
    ///
    /// Shingle hashes are uniform, so a counting pass on their top bits
    /// (about one bucket per shingle) leaves only tiny buckets to sort: O(n)
    /// where a comparison sort of the same list is the costlier step of
    /// preparing a document for verification.
    pub fn positions(&self) -> Vec<(u64, u32)> {
        Self::positions_of(&self.hashes)
    }

    /// [`Shingles::positions`] of shingle hashes in text order.
    pub fn positions_of(hashes: &[u64]) -> Vec<(u64, u32)> {
        let (sorted, at) = Self::sorted_columns(hashes);
        sorted.into_iter().zip(at).collect()
    }

    /// [`Shingles::positions_of`] as two columns, each allocated at its
    /// exact size: the hashes sorted, and the position of each. Written
    /// straight into the columns, so the cross-document stages keep 12 bytes
    /// a shingle without first building (and then splitting) padded pairs.
    pub fn sorted_columns(hashes: &[u64]) -> (Vec<u64>, Vec<u32>) {
        let n = hashes.len();
        let bits = n.next_power_of_two().trailing_zeros().clamp(1, 16);
        let bucket = |h: u64| (h >> (64 - bits)) as usize;
        let mut next = vec![0u32; (1 << bits) + 1];
        for &h in hashes {
            next[bucket(h) + 1] += 1;
        }
        for b in 1..next.len() {
            next[b] += next[b - 1];
        }
        let (mut sorted, mut at) = (vec![0u64; n], vec![0u32; n]);
        for (i, &h) in hashes.iter().enumerate() {
            let slot = &mut next[bucket(h)];
            sorted[*slot as usize] = h;
            at[*slot as usize] = i as u32;
            *slot += 1;
        }
        // `next[b]` now ends bucket `b`. A bucket holds about one entry, so
        // an inline insertion sort finishes most of them (cheaper than a
        // sort call each); a large bucket (a huge document past the cap on
        // bits) gets a real sort, so nothing turns quadratic. Positions go
        // in ascending order into each bucket, so equal hashes keep them
        // sorted as long as the sort is stable.
        let mut start = 0;
        for &end in &next[..1 << bits] {
            let end = end as usize;
            if end - start > 16 {
                let mut pairs: Vec<(u64, u32)> =
                    sorted[start..end].iter().copied().zip(at[start..end].iter().copied()).collect();
                pairs.sort_unstable();
                for (k, (h, i)) in pairs.into_iter().enumerate() {
                    (sorted[start + k], at[start + k]) = (h, i);
                }
            } else {
                for i in start + 1..end {
                    let (h, p) = (sorted[i], at[i]);
                    let mut j = i;
                    while j > start && sorted[j - 1] > h {
                        sorted[j] = sorted[j - 1];
                        at[j] = at[j - 1];
                        j -= 1;
                    }
                    (sorted[j], at[j]) = (h, p);
                }
            }
            start = end;
        }
        (sorted, at)
    }

    /// The distinct shingle hashes, sorted: the set verification works on.
    pub fn set(&self) -> Vec<u64> {
        Self::set_of(&self.hashes)
    }

    /// [`Shingles::set`] of shingle hashes in text order.
    pub fn set_of(hashes: &[u64]) -> Vec<u64> {
        let mut set = hashes.to_vec();
        set.sort_unstable();
        set.dedup();
        set
    }
}

/// The content hash of a text: its normalized tokens, in order, so case,
/// punctuation and white space do not matter (the feed index knows an
/// article sent again by it; the batch API gives it per document).
pub fn content_hash(text: &str) -> u64 {
    content_hash_of(text, &crate::analysis::normalize::normalize(text).tokens)
}

/// [`content_hash`] of `text` from its normalized `tokens`.
pub fn content_hash_of(text: &str, tokens: &[Token]) -> u64 {
    if tokens.is_empty() {
        return xxhash_rust::xxh3::xxh3_64(text.as_bytes());
    }
    tokens.iter().fold(0x9e37_79b9_7f4a_7c15, |h, t| fmix64(h.rotate_left(23) ^ t.hash))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::normalize::normalize;

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
    fn rolling_hash_equals_direct_hash() {
        let n = normalize("a b c d e f g h i j k l m n o p");
        for k in 1..8 {
            let rolled = Shingles::with_k(&n.tokens, k);
            let direct: Vec<u64> = n.tokens.windows(k).map(combine).collect();
            assert_eq!(rolled.hashes, direct, "k = {k}");
        }
    }

    #[test]
    fn streaming_equals_stored_tokens() {
        for text in ["", "one", "a b c", "The PM met Putin in Beijing on Tuesday, then flew home.", "北京 is big"] {
            let n = normalize(text);
            let (streamed, count, script) = Shingles::from_text(text, 5, 4);
            assert_eq!(script, n.script);
            assert_eq!(streamed, Shingles::new(&n, 5, 4), "{text}");
            assert_eq!(count, n.tokens.len());
        }
    }

    #[test]
    fn positions_are_sorted_pairs() {
        // Hashes with repeats and a skewed part: the result must equal a
        // plain sort whatever the distribution.
        for n in [0usize, 1, 2, 7, 300, 5000, 200_000] {
            let mut hashes: Vec<u64> = (0..n as u64).map(|i| fmix64(i % 97)).collect();
            hashes.extend((0..n as u64).map(|i| fmix64(i * 7 + 1) >> 20));
            hashes.extend((0..n as u64 / 3).map(|i| i << 40));
            let s = Shingles { k: 5, hashes };
            let mut expected: Vec<(u64, u32)> = s.hashes.iter().enumerate().map(|(i, &h)| (h, i as u32)).collect();
            expected.sort_unstable();
            assert_eq!(s.positions(), expected, "{n}");
        }
    }

    #[test]
    fn order_matters() {
        let a = normalize("alpha beta gamma delta epsilon");
        let b = normalize("beta alpha gamma delta epsilon");
        assert_ne!(Shingles::with_k(&a.tokens, 5), Shingles::with_k(&b.tokens, 5));
    }
}

/// A hasher for keys that already are uniform 64-bit hashes (token and
/// shingle hashes): it passes them through instead of hashing them again.
#[derive(Debug, Default, Clone, Copy)]
pub struct PassThrough(u64);

impl std::hash::Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// A map keyed by shingle hash.
pub type HashMapU64<V> = std::collections::HashMap<u64, V, std::hash::BuildHasherDefault<PassThrough>>;
/// A set of shingle hashes.
pub type HashSetU64 = std::collections::HashSet<u64, std::hash::BuildHasherDefault<PassThrough>>;
