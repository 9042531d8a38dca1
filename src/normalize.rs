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
//! Pure-ASCII text takes a byte-level fast path with identical output (a
//! property test holds the two together).

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
    /// xxh3 of the normalized form under [`TOKEN_SEED`].
    pub hash: u64,
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

/// Tokenizes and normalizes `text`; picks the ASCII fast path when it can.
///
/// # Panics
/// Never for any input under 4 GiB; longer text is the caller's to split (the
/// ingest stage refuses such files).
pub fn normalize(text: &str) -> Normalized {
    if text.is_ascii() {
        normalize_ascii(text)
    } else {
        normalize_unicode(text)
    }
}

/// ASCII letters and digits, by byte.
static ASCII_WORD: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = (b as u8).is_ascii_alphanumeric();
        b += 1;
    }
    t
};

#[inline]
fn is_ascii_word(b: u8) -> bool {
    ASCII_WORD[b as usize]
}

/// The fast path: `text` must be ASCII (checked by [`normalize`]).
pub fn normalize_ascii(text: &str) -> Normalized {
    let mut tokens = Vec::with_capacity(text.len() / 6 + 1);
    ascii_tokens(text, |t| tokens.push(t));
    Normalized {
        tokens,
        script: Script::Spaced,
    }
}

/// The ASCII tokenizer, handing each token to `each` as it is found, so a
/// caller that only needs hashes (signing) never stores the tokens.
#[inline]
pub fn ascii_tokens(text: &str, mut each: impl FnMut(Token)) {
    let bytes = text.as_bytes();
    let n = bytes.len();
    let mut i = 0;
    while i < n {
        while i < n && !is_ascii_word(bytes[i]) {
            i += 1;
        }
        if i >= n {
            break;
        }
        let start = i;
        let mut has_upper = false;
        loop {
            while i < n && is_ascii_word(bytes[i]) {
                has_upper |= bytes[i].is_ascii_uppercase();
                i += 1;
            }
            if i + 1 < n && bytes[i] == b'\'' && is_ascii_word(bytes[i + 1]) {
                i += 1;
                continue;
            }
            break;
        }
        let raw = &bytes[start..i];
        let hash = if has_upper {
            hash_lowered(raw)
        } else {
            xxh3_64_with_seed(raw, TOKEN_SEED)
        };
        each(Token {
            start: start as u32,
            end: i as u32,
            hash,
        });
    }
}

/// Hashes an ASCII token with uppercase letters, lowercased. Setting bit
/// 0x20 lowercases letters and leaves digits and `'` unchanged.
fn hash_lowered(raw: &[u8]) -> u64 {
    let mut buf = [0u8; 32];
    if raw.len() <= buf.len() {
        for (dst, &src) in buf.iter_mut().zip(raw) {
            *dst = src | 0x20;
        }
        xxh3_64_with_seed(&buf[..raw.len()], TOKEN_SEED)
    } else {
        let lower: Vec<u8> = raw.iter().map(|&b| b | 0x20).collect();
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
        out.extend(raw.chars().map(|c| c.to_ascii_lowercase()));
        return;
    }
    let cleaned: String = raw
        .chars()
        .filter(|&c| !is_ignorable(c))
        .map(|c| if is_apostrophe(c) { '\'' } else { c })
        .collect();
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
    let mut tokens = Vec::with_capacity(text.len() / 6 + 1);
    let mut norm = String::with_capacity(64);
    let mut unspaced = 0usize;
    let mut chars = text.char_indices().peekable();
    // The open token: its start, and the end of its last word character.
    let mut open: Option<(usize, usize)> = None;
    let close = |span: (usize, usize), tokens: &mut Vec<Token>, norm: &mut String| {
        norm.clear();
        normalize_token(&text[span.0..span.1], norm);
        if !norm.is_empty() {
            tokens.push(Token {
                start: span.0 as u32,
                end: span.1 as u32,
                hash: xxh3_64_with_seed(norm.as_bytes(), TOKEN_SEED),
            });
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
                    close(span, &mut tokens, &mut norm);
                }
                unspaced += 1;
                close((i, end), &mut tokens, &mut norm);
            }
            Class::Ignorable => {}
            Class::Apostrophe => {
                let joins = open.is_some()
                    && matches!(chars.peek(), Some(&(_, next)) if classify(next) == Class::Word);
                if !joins {
                    if let Some(span) = open.take() {
                        close(span, &mut tokens, &mut norm);
                    }
                }
            }
            Class::Separator => {
                if let Some(span) = open.take() {
                    close(span, &mut tokens, &mut norm);
                }
            }
        }
    }
    if let Some(span) = open.take() {
        close(span, &mut tokens, &mut norm);
    }
    let script = if unspaced * 2 >= tokens.len() && unspaced > 0 {
        Script::Unspaced
    } else {
        Script::Spaced
    };
    Normalized { tokens, script }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<&str> {
        normalize(text)
            .tokens
            .iter()
            .map(|t| &text[t.start as usize..t.end as usize])
            .collect()
    }

    fn hash_of(word: &str) -> u64 {
        xxh3_64_with_seed(word.as_bytes(), TOKEN_SEED)
    }

    #[test]
    fn ascii_words_and_apostrophes() {
        assert_eq!(
            words("Pakistan's PM, Kakar -- met 'Putin'."),
            ["Pakistan's", "PM", "Kakar", "met", "Putin"]
        );
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
        assert_eq!(
            hashes,
            vec![hash_of("abc"), hash_of("strasse"), hash_of("final")]
        );
    }

    #[test]
    fn unspaced_scripts_are_per_character() {
        let t = normalize("北京是中国的首都");
        assert_eq!(t.tokens.len(), 8);
        assert_eq!(t.script, Script::Unspaced);
        assert_eq!(
            normalize("Beijing 北京 is a city in China").script,
            Script::Spaced
        );
    }

    #[test]
    fn ascii_fast_path_agrees_with_general_path() {
        let text = "It's 10:30 -- the 'PM' met O'Neil's aide in NYC; rock'n'roll ' x'";
        assert_eq!(normalize_ascii(text), normalize_unicode(text));
    }
}
