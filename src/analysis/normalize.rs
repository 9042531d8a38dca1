//! Normalize: text in, tokens out, each token a normalized word with the byte
//! range it came from.
//!
//! Tokens are never re-cut by a later filter: a token's `start..end` always
//! slices the document text at character boundaries, and everything later
//! stages report is built from these ranges.
//!
//! Normalization, applied to each token (never to the text, so offsets stay
//! put): Unicode NFKC, lowercase with full case folding of `ß`, apostrophe
//! variants folded to `'`, default-ignorable characters (zero-width spaces and
//! joiners, soft hyphens, bidi marks, variation selectors) dropped. Quotes and
//! dashes of every kind separate tokens, so typographic and plain punctuation
//! give the same tokens.
//!
//! Scripts written without spaces (Han, kana, Thai, Lao, Khmer, Myanmar,
//! Tibetan) are tokenized one character per token; a document made mostly of
//! such tokens is marked [`Script::Unspaced`] and shingled by characters.
//!
//! ASCII takes a byte-level fast path with identical output: all of a
//! pure-ASCII text, and in other text the stretches between the words
//! that hold non-ASCII bytes (property tests hold the paths together).

use std::ops::Range;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::{is_nfkc_quick, IsNormalized, UnicodeNormalization};
use xxhash_rust::xxh3::xxh3_64_with_seed;

/// Seed for token hashes: fixed so results are the same on every run.
pub const TOKEN_SEED: u64 = 0x636f_7079_6465_736b;

/// One normalized word (or one character of an unspaced script).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// Byte offset of the first byte in the document text.
    pub start: u32,
    /// Byte offset one past the last byte.
    pub end: u32,
    /// [`token_hash`] of the normalized form.
    pub hash: u64,
}

/// A token's byte range in the text: all the cross-document stages
/// (linking, attribution) need of a token once its shingles are hashed, at
/// half the size of a [`Token`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenSpan {
    pub start: u32,
    pub end: u32,
}

/// How a document is written, which decides how it is shingled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Script {
    /// Words separated by spaces: shingles of words.
    Spaced,
    /// Mostly a script written without spaces: shingles of characters.
    Unspaced,
}

/// The tokens of one document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Normalized {
    pub tokens: Vec<Token>,
    pub script: Script,
}

/// Tokenizes and normalizes `text`: pure ASCII takes the fast path, and
/// other text the general path only in the words around its non-ASCII
/// bytes (the same tokens as [`normalize_unicode`] either way).
///
/// # Panics
/// Never for any input under 4 GiB; longer text is the caller's to split (the
/// ingest stage refuses such files).
pub fn normalize(text: &str) -> Normalized {
    let mut tokens = Vec::new();
    let script = normalize_into(text, &mut tokens);
    Normalized { tokens, script }
}

/// [`normalize`] into a caller's buffer (cleared first), so a caller that
/// works through many documents reuses one allocation.
pub fn normalize_into(text: &str, tokens: &mut Vec<Token>) -> Script {
    tokens.clear();
    if ascii_into(text, tokens) {
        return Script::Spaced;
    }
    tokens.clear();
    mixed_tokens(text, tokens)
}

/// The fast path alone: `None` when `text` is not ASCII.
pub fn normalize_ascii(text: &str) -> Option<Normalized> {
    let mut tokens = Vec::new();
    ascii_into(text, &mut tokens).then_some(Normalized { tokens, script: Script::Spaced })
}

/// Appends the tokens of ASCII `text` to `tokens`; false (with some tokens
/// appended) if the text is not ASCII.
///
/// Tokens are cut first and hashed in a loop of their own: without the
/// tokenizer's branches between them, the processor overlaps the hashes of
/// several tokens (hashing while cutting took 25% longer).
fn ascii_into(text: &str, tokens: &mut Vec<Token>) -> bool {
    tokens.reserve(text.len() / 4 + 1);
    ascii_range_into(text, 0..text.len(), tokens)
}

/// [`ascii_into`] for `text[range]`, with offsets into `text`; the range
/// must start and end at character boundaries.
fn ascii_range_into(text: &str, range: Range<usize>, tokens: &mut Vec<Token>) -> bool {
    let (first, base) = (tokens.len(), range.start as u32);
    if !ascii_spans(&text[range], |start, end| tokens.push(Token { start: base + start, end: base + end, hash: 0 })) {
        return false;
    }
    let bytes = text.as_bytes();
    for t in &mut tokens[first..] {
        t.hash = hash_lowered(bytes, t.start as usize, t.end as usize);
    }
    true
}

/// Bit 7 of each byte of `x` set where that byte is in `lo..=hi`. Every
/// byte of `x` must be below 0x80 (ASCII), so the additions never carry
/// from one byte into the next.
#[inline]
fn bytes_in_range(x: u64, lo: u8, hi: u8) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let at_least_lo = x.wrapping_add(ONES * (0x80 - lo as u64));
    let above_hi = x.wrapping_add(ONES * (0x80 - hi as u64 - 1));
    at_least_lo & !above_hi & HIGH
}

/// Gathers bit 7 of each byte into the low 8 bits, byte 0 first.
#[inline]
fn gather_high_bits(m: u64) -> u64 {
    ((m >> 7).wrapping_mul(0x0102_0408_1020_4080)) >> 56
}

/// What the tokenizer needs of one 64-byte block, one bit per byte, byte 0
/// in bit 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct BlockMasks {
    /// Word bytes: `[A-Za-z0-9]`.
    word: u64,
    /// `'`.
    apostrophe: u64,
    /// Bytes above 0x7F. The other two masks mean nothing in a block that
    /// has one: the tokenizer gives up there and the text goes the Unicode
    /// way, so a separate pass to check the text is ASCII first is not
    /// needed.
    non_ascii: u64,
}

/// The masks of the block at `base`. A block past the end of the text is
/// padded with zero bytes, which are separators.
#[inline]
fn block_masks(bytes: &[u8], base: usize) -> BlockMasks {
    let mut padded = [0u8; 64];
    let block: &[u8] = match bytes.get(base..base + 64) {
        Some(full) => full,
        None => {
            let tail = &bytes[base.min(bytes.len())..];
            padded[..tail.len()].copy_from_slice(tail);
            &padded
        }
    };
    classify_block(block.try_into().expect("64 bytes"))
}

/// The masks of one block, 16 bytes per step with SSE2 (part of every
/// x86-64 CPU, so this needs no runtime check or build flag): a range test
/// is two signed compares (an ASCII byte is never negative) and `movemask`
/// packs a lane's results into 16 bits (and, of the bytes themselves, their
/// top bits: the non-ASCII mask).
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline]
fn classify_block(block: &[u8; 64]) -> BlockMasks {
    // SAFETY: the only requirement of `classify_block_sse2` is SSE2, and
    // this is compiled only where the target has it.
    unsafe { classify_block_sse2(block) }
}

#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[target_feature(enable = "sse2")]
fn classify_block_sse2(block: &[u8; 64]) -> BlockMasks {
    use std::arch::x86_64::*;
    #[target_feature(enable = "sse2")]
    fn within(v: __m128i, lo: u8, hi: u8) -> __m128i {
        _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8(lo as i8 - 1)), _mm_cmplt_epi8(v, _mm_set1_epi8(hi as i8 + 1)))
    }
    let mut masks = BlockMasks::default();
    for (k, lane) in block.chunks_exact(16).enumerate() {
        let low = i64::from_le_bytes(lane[..8].try_into().expect("8 bytes"));
        let high = i64::from_le_bytes(lane[8..].try_into().expect("8 bytes"));
        let x = _mm_set_epi64x(high, low);
        let lower = _mm_or_si128(x, _mm_set1_epi8(0x20));
        let words = _mm_or_si128(within(lower, b'a', b'z'), within(x, b'0', b'9'));
        let bits = |m: __m128i| u64::from(_mm_movemask_epi8(m) as u16) << (16 * k);
        masks.word |= bits(words);
        masks.apostrophe |= bits(_mm_cmpeq_epi8(x, _mm_set1_epi8(b'\'' as i8)));
        masks.non_ascii |= bits(x);
    }
    masks
}

#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
#[inline]
fn classify_block(block: &[u8; 64]) -> BlockMasks {
    classify_block_swar(block)
}

/// The masks of one block with SWAR arithmetic on 8 bytes at a time: the
/// portable path (and, on x86-64, the reference its SSE2 path is tested
/// against). The range tests carry between bytes only where a byte is not
/// ASCII, and then only the non-ASCII mask counts.
#[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2"), allow(dead_code))]
fn classify_block_swar(block: &[u8; 64]) -> BlockMasks {
    let mut masks = BlockMasks::default();
    for (k, lane) in block.chunks_exact(8).enumerate() {
        let x = u64::from_le_bytes(lane.try_into().expect("8 bytes"));
        let ascii = x & 0x7f7f_7f7f_7f7f_7f7f;
        let letters = bytes_in_range(ascii | 0x2020_2020_2020_2020, b'a', b'z');
        let digits = bytes_in_range(ascii, b'0', b'9');
        masks.word |= gather_high_bits(letters | digits) << (8 * k);
        masks.apostrophe |= gather_high_bits(bytes_in_range(ascii, b'\'', b'\'')) << (8 * k);
        masks.non_ascii |= gather_high_bits(x & 0x8080_8080_8080_8080) << (8 * k);
    }
    masks
}

/// The ASCII tokenizer, handing each token to `each` as it is found, so a
/// caller that only needs hashes (signing) never stores the tokens.
///
/// The text is classified 64 bytes at a time into bit masks with SWAR
/// arithmetic (no branch per byte); an apostrophe between two word bytes
/// joins the word (`O'Neil`); token starts and ends are then the edges of
/// the runs of set bits, found with `trailing_zeros`: one step per token.
/// Every word byte is a letter, a digit or `'`, so setting bit 0x20 of each
/// lowercases the token without looking at it.
///
/// Returns false, having stopped, at the first 64-byte block that holds a
/// byte above 0x7F: the text is not ASCII, and the caller discards what it
/// was handed and takes the Unicode path. Checking as the blocks are
/// classified saves a pass over the text (the first pass over a document
/// reads it from memory, not cache).
#[inline]
pub fn ascii_tokens(text: &str, mut each: impl FnMut(Token)) -> bool {
    let bytes = text.as_bytes();
    ascii_spans(text, |start, end| each(Token { start, end, hash: hash_lowered(bytes, start as usize, end as usize) }))
}

/// [`ascii_tokens`] without the hashes: each token's byte range.
#[inline]
fn ascii_spans(text: &str, mut each: impl FnMut(u32, u32)) -> bool {
    let bytes = text.as_bytes();
    let n = bytes.len();
    let blocks = n.div_ceil(64);
    let mut block = block_masks(bytes, 0);
    if block.non_ascii != 0 {
        return false;
    }
    // Bit 63 of the previous block: its raw word bit and its joined one.
    let (mut prev_raw, mut prev_joined) = (0u64, 0u64);
    let mut open: Option<usize> = None;
    for b in 0..blocks {
        let base = b * 64;
        let next = if b + 1 < blocks { block_masks(bytes, base + 64) } else { BlockMasks::default() };
        if next.non_ascii != 0 {
            return false;
        }
        let word = block.word;
        let joined = word | (block.apostrophe & ((word << 1) | prev_raw) & ((word >> 1) | (next.word << 63)));
        let shifted = (joined << 1) | prev_joined;
        let mut starts = joined & !shifted;
        let mut ends = !joined & shifted;
        // A token left open by the previous block ends at this block's
        // first end; a block without one lies wholly inside the token, so
        // it has no starts either and the token stays open.
        if let (Some(start), true) = (open, ends != 0) {
            let end = base + ends.trailing_zeros() as usize;
            ends &= ends - 1;
            open = None;
            each(start as u32, end as u32);
        }
        // Starts and ends alternate: each start's end is the next end, and
        // a start without one stays open into the next block.
        while starts != 0 {
            let start = base + starts.trailing_zeros() as usize;
            starts &= starts - 1;
            if ends == 0 {
                open = Some(start);
                break;
            }
            let end = base + ends.trailing_zeros() as usize;
            ends &= ends - 1;
            each(start as u32, end as u32);
        }
        prev_raw = word >> 63;
        prev_joined = joined >> 63;
        block = next;
    }
    if let Some(start) = open {
        each(start as u32, n as u32);
    }
    true
}

/// The hash of a normalized token: xxh3 under [`TOKEN_SEED`], of the
/// token's bytes zero-padded to 16 when shorter.
///
/// Why the padding: almost every word is at most 16 bytes, and xxh3 picks one
/// of four code paths by input length; a 16-byte block always takes the same
/// one, so hashing a stream of words of random lengths costs no mispredicted
/// branches. Padding keeps hashes distinct because no token holds a NUL byte
/// (NUL is a separator), and the ASCII fast path gets the same block with one
/// masked load (see `hash_lowered`).
#[inline]
pub fn token_hash(normalized: &[u8]) -> u64 {
    if normalized.len() <= 16 {
        let mut block = [0u8; 16];
        block[..normalized.len()].copy_from_slice(normalized);
        xxh3_64_with_seed(&block, TOKEN_SEED)
    } else {
        xxh3_64_with_seed(normalized, TOKEN_SEED)
    }
}

/// `PREFIX_MASKS[len]` keeps the first `len` bytes of a 16-byte block: a
/// load where a variable 128-bit shift would take a dozen instructions.
const PREFIX_MASKS: [u128; 17] = {
    let mut masks = [0u128; 17];
    let mut len = 1;
    while len <= 16 {
        masks[len] = u128::MAX >> (128 - 8 * len);
        len += 1;
    }
    masks
};

/// [`token_hash`] of the ASCII token `bytes[start..end]`, lowercased: every
/// byte of a token is a letter, a digit or `'`, and setting bit 0x20
/// lowercases the letters and leaves the others as they are. A short token is
/// read as one 16-byte load (when the text has 16 bytes from its start)
/// masked to its length, so neither the length nor the case costs a branch.
#[inline(always)]
fn hash_lowered(bytes: &[u8], start: usize, end: usize) -> u64 {
    let len = end - start;
    if len <= 16 {
        let raw = match bytes.get(start..start + 16) {
            Some(sixteen) => u128::from_le_bytes(sixteen.try_into().expect("16 bytes")),
            None => {
                let mut block = [0u8; 16];
                block[..len].copy_from_slice(&bytes[start..end]);
                u128::from_le_bytes(block)
            }
        };
        let lowered = (raw | 0x2020_2020_2020_2020_2020_2020_2020_2020) & PREFIX_MASKS[len];
        xxh3_64_with_seed(&lowered.to_le_bytes(), TOKEN_SEED)
    } else {
        let lower: Vec<u8> = bytes[start..end].iter().map(|&b| b | 0x20).collect();
        xxh3_64_with_seed(&lower, TOKEN_SEED)
    }
}

/// Characters that Unicode says to ignore when rendering: they neither join
/// nor split words.
pub fn is_ignorable(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}'
        | '\u{FFA0}' | '\u{1BCA0}'..='\u{1BCA3}' | '\u{1D173}'..='\u{1D17A}'
        | '\u{E0000}'..='\u{E0FFF}')
}

/// Scripts written without spaces between words.
pub fn is_unspaced(c: char) -> bool {
    matches!(c,
        '\u{0E00}'..='\u{0EFF}'      // Thai, Lao
        | '\u{0F00}'..='\u{0FFF}'    // Tibetan
        | '\u{1000}'..='\u{109F}'    // Myanmar
        | '\u{1780}'..='\u{17FF}'    // Khmer
        | '\u{2E80}'..='\u{2FDF}'    // CJK radicals
        | '\u{3005}'..='\u{3007}'
        | '\u{3040}'..='\u{30FF}'    // Hiragana, Katakana
        | '\u{3400}'..='\u{4DBF}'    // CJK ext A
        | '\u{4E00}'..='\u{9FFF}'    // CJK unified
        | '\u{F900}'..='\u{FAFF}'
        | '\u{FF66}'..='\u{FF9F}'    // halfwidth Katakana
        | '\u{20000}'..='\u{3134F}')
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{02BC}' | '\u{FF07}')
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Word,
    Unspaced,
    Ignorable,
    Apostrophe,
    Separator,
}

fn classify(c: char) -> Class {
    if c.is_ascii() {
        return if c.is_ascii_alphanumeric() {
            Class::Word
        } else if c == '\'' {
            Class::Apostrophe
        } else {
            Class::Separator
        };
    }
    if is_unspaced(c) {
        Class::Unspaced
    } else if c.is_alphanumeric() || is_combining_mark(c) {
        Class::Word
    } else if is_ignorable(c) {
        Class::Ignorable
    } else if is_apostrophe(c) {
        Class::Apostrophe
    } else {
        Class::Separator
    }
}

/// Appends the normalized form of the raw token `raw` to `out`.
pub fn normalize_token(raw: &str, out: &mut String) {
    if raw.is_ascii() {
        // Copied whole and lowercased in place: pushing it a character at
        // a time cost more than the rest of a content word's handling.
        let start = out.len();
        out.push_str(raw);
        out[start..].make_ascii_lowercase();
        return;
    }
    let cleaned: String =
        raw.chars().filter(|&c| !is_ignorable(c)).map(|c| if is_apostrophe(c) { '\'' } else { c }).collect();
    let composed: String = match is_nfkc_quick(cleaned.chars()) {
        IsNormalized::Yes => cleaned,
        _ => cleaned.nfkc().collect(),
    };
    for c in composed.chars() {
        match c {
            'ß' | 'ẞ' => out.push_str("ss"),
            'ς' => out.push('σ'),
            _ => out.extend(c.to_lowercase()),
        }
    }
}

/// The general path, for any text; [`normalize`] gives the same result.
pub fn normalize_unicode(text: &str) -> Normalized {
    let mut tokens = Vec::new();
    let script = unicode_tokens(text, &mut tokens);
    Normalized { tokens, script }
}

fn unicode_tokens(text: &str, tokens: &mut Vec<Token>) -> Script {
    tokens.reserve(text.len() / 6 + 1);
    let unspaced = unicode_tokens_in(text, 0..text.len(), tokens, &mut String::new());
    script_of(unspaced, tokens.len())
}

/// A document is unspaced when at least half its tokens are characters of
/// an unspaced script.
fn script_of(unspaced: usize, tokens: usize) -> Script {
    if unspaced * 2 >= tokens && unspaced > 0 {
        Script::Unspaced
    } else {
        Script::Spaced
    }
}

/// Bytes at which text may be cut without changing its tokens: ASCII white
/// space separates tokens in both paths and joins nothing across it.
fn is_cut(b: u8) -> bool {
    matches!(b, b' ' | b'\n' | b'\t' | b'\r')
}

/// The first byte at or after `from` above 0x7F, eight bytes at a time.
fn next_non_ascii(bytes: &[u8], from: usize) -> Option<usize> {
    let rest = &bytes[from..];
    let mut words = rest.chunks_exact(8);
    let mut at = 0;
    for word in &mut words {
        let high = u64::from_le_bytes(word.try_into().expect("8 bytes")) & 0x8080_8080_8080_8080;
        if high != 0 {
            return Some(from + at + high.trailing_zeros() as usize / 8);
        }
        at += 8;
    }
    words.remainder().iter().position(|&b| b >= 0x80).map(|i| from + at + i)
}

/// The tokens of text holding some non-ASCII bytes. News in Latin script
/// is mostly ASCII with a curly quote, a dash or an accented name here and
/// there, so only the words around those (cut at ASCII white space, where
/// both paths separate tokens and nothing joins across) take the general
/// path, and the ASCII stretches between them the fast one. Gives what
/// [`normalize_unicode`] gives (property tests hold the two together).
fn mixed_tokens(text: &str, tokens: &mut Vec<Token>) -> Script {
    let bytes = text.as_bytes();
    let n = bytes.len();
    let mut unspaced = 0;
    // One buffer for the normalized words of every island.
    let mut norm = String::new();
    let ascii_stretch = |range: Range<usize>, tokens: &mut Vec<Token>| {
        let all_ascii = ascii_range_into(text, range, tokens);
        debug_assert!(all_ascii, "a stretch between non-ASCII islands is ASCII");
    };
    let mut from = 0;
    while from < n {
        let Some(odd) = next_non_ascii(bytes, from) else {
            ascii_stretch(from..n, tokens);
            break;
        };
        let island_start = bytes[from..odd].iter().rposition(|&b| is_cut(b)).map_or(from, |i| from + i + 1);
        if island_start > from {
            ascii_stretch(from..island_start, tokens);
        }
        let island_end = bytes[odd..].iter().position(|&b| is_cut(b)).map_or(n, |i| odd + i);
        unspaced += unicode_tokens_in(text, island_start..island_end, tokens, &mut norm);
        from = island_end;
    }
    script_of(unspaced, tokens.len())
}

/// The general path over `text[range]` (cut where [`is_cut`] allows),
/// appending tokens with offsets into `text` (`norm` is a buffer for each
/// token's normalized form); returns how many are characters of an
/// unspaced script.
fn unicode_tokens_in(text: &str, range: Range<usize>, tokens: &mut Vec<Token>, norm: &mut String) -> usize {
    let mut unspaced = 0usize;
    let base = range.start;
    let mut chars = text[range].char_indices().map(|(i, c)| (base + i, c)).peekable();
    // The open token: its start, and the end of its last word character.
    let mut open: Option<(usize, usize)> = None;
    let close = |span: (usize, usize), tokens: &mut Vec<Token>, norm: &mut String| {
        norm.clear();
        normalize_token(&text[span.0..span.1], norm);
        if !norm.is_empty() {
            tokens.push(Token { start: span.0 as u32, end: span.1 as u32, hash: token_hash(norm.as_bytes()) });
        }
    };
    while let Some((i, c)) = chars.next() {
        let end = i + c.len_utf8();
        match classify(c) {
            Class::Word => match open.as_mut() {
                Some(span) => span.1 = end,
                None => open = Some((i, end)),
            },
            Class::Unspaced => {
                if let Some(span) = open.take() {
                    close(span, tokens, norm);
                }
                unspaced += 1;
                close((i, end), tokens, norm);
            }
            Class::Ignorable => {}
            Class::Apostrophe => {
                let joins = open.is_some() && matches!(chars.peek(), Some(&(_, next)) if classify(next) == Class::Word);
                if !joins {
                    if let Some(span) = open.take() {
                        close(span, tokens, norm);
                    }
                }
            }
            Class::Separator => {
                if let Some(span) = open.take() {
                    close(span, tokens, norm);
                }
            }
        }
    }
    if let Some(span) = open.take() {
        close(span, tokens, norm);
    }
    unspaced
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<&str> {
        normalize(text).tokens.iter().map(|t| &text[t.start as usize..t.end as usize]).collect()
    }

    fn hash_of(word: &str) -> u64 {
        token_hash(word.as_bytes())
    }

    #[test]
    fn ascii_words_and_apostrophes() {
        assert_eq!(words("Pakistan's PM, Kakar -- met 'Putin'."), ["Pakistan's", "PM", "Kakar", "met", "Putin"]);
    }

    #[test]
    fn typographic_apostrophe_matches_plain() {
        let a = normalize("Pakistan’s energy");
        let b = normalize("PAKISTAN's energy");
        assert_eq!(
            a.tokens.iter().map(|t| t.hash).collect::<Vec<_>>(),
            b.tokens.iter().map(|t| t.hash).collect::<Vec<_>>()
        );
    }

    #[test]
    fn zero_width_and_soft_hyphen_do_not_split() {
        let t = normalize("news\u{00AD}paper co\u{200B}operation");
        assert_eq!(t.tokens.len(), 2);
        assert_eq!(t.tokens[0].hash, hash_of("newspaper"));
        assert_eq!(t.tokens[1].hash, hash_of("cooperation"));
    }

    #[test]
    fn nfkc_and_case_folding() {
        let t = normalize("ＡＢＣ Straße ﬁnal");
        let hashes: Vec<u64> = t.tokens.iter().map(|t| t.hash).collect();
        assert_eq!(hashes, vec![hash_of("abc"), hash_of("strasse"), hash_of("final")]);
    }

    #[test]
    fn unspaced_scripts_are_per_character() {
        let t = normalize("北京是中国的首都");
        assert_eq!(t.tokens.len(), 8);
        assert_eq!(t.script, Script::Unspaced);
        assert_eq!(normalize("Beijing 北京 is a city in China").script, Script::Spaced);
    }

    #[test]
    fn swar_classes_match_bytes() {
        let all: Vec<u8> = (0u8..128).collect();
        for base in [0, 64] {
            let block: &[u8; 64] = all[base..base + 64].try_into().unwrap();
            for masks in [block_masks(&all, base), classify_block_swar(block)] {
                for (i, &b) in block.iter().enumerate() {
                    assert_eq!((masks.word >> i) & 1 == 1, b.is_ascii_alphanumeric(), "byte {b}");
                    assert_eq!((masks.apostrophe >> i) & 1 == 1, b == b'\'', "byte {b}");
                }
                assert_eq!(masks.non_ascii, 0);
            }
        }
    }

    #[test]
    fn tokens_across_block_edges() {
        // Words and apostrophes straddling the 64-byte blocks, and a word
        // that runs to the end of a text of exactly two blocks.
        for shift in 0..70 {
            let text = format!("{}O'Neil's x' 'y {} end", " ".repeat(shift), "z".repeat(70));
            assert_eq!(normalize_ascii(&text), Some(normalize_unicode(&text)), "{shift}");
        }
        let exact = "a".repeat(128);
        assert_eq!(normalize_ascii(&exact), Some(normalize_unicode(&exact)));
    }

    #[test]
    fn ascii_fast_path_agrees_with_general_path() {
        let text = "It's 10:30 -- the 'PM' met O'Neil's aide in NYC; rock'n'roll ' x'";
        assert_eq!(normalize_ascii(text), Some(normalize_unicode(text)));
    }

    #[test]
    fn non_ascii_found_in_any_block_sends_text_the_unicode_way() {
        // The fast path finds a non-ASCII byte as it classifies each block,
        // wherever it is: first byte, block edges, the last byte, deep into
        // a long text. Tokens it cut before finding it must not survive.
        let ascii = "Prime Minister O'Neil met the press ".repeat(8);
        for at in [0, 1, 63, 64, 65, 127, 128, ascii.len() - 1, ascii.len()] {
            for odd in ["\u{2019}", "é", "\u{200B}", "北"] {
                let text = format!("{}{odd}{}", &ascii[..at], &ascii[at..]);
                assert_eq!(normalize_ascii(&text), None, "{at} {odd}");
                assert_eq!(normalize(&text), normalize_unicode(&text), "{at} {odd}");
            }
        }
    }
}
