//! Text encodings: a file's bytes in; its text as UTF-8 out, with the
//! encoding it was read in and, when the text's bytes are not the file's,
//! the map from one to the other (so every span still points into the
//! file).
//!
//! The encoding is, in order: the one the caller names (`--encoding`); a
//! byte-order mark (UTF-8, UTF-16LE, UTF-16BE); UTF-8, when the bytes are
//! valid UTF-8; for HTML, the `<meta charset>` (or `http-equiv`)
//! declaration in its first 1,024 bytes; UTF-16 without a mark, when NUL
//! bytes fill every other byte of text that is mostly ASCII; otherwise
//! chardetng's guess among the legacy encodings (Windows-1252, Latin-1,
//! Shift_JIS, ...). Bytes the chosen encoding cannot decode make the file
//! undecodable: it is skipped with the reason, never decoded with
//! replacement characters.

use crate::document::{Origin, Piece};
use encoding_rs::{DecoderResult, Encoding, UTF_16BE, UTF_16LE, UTF_8};

/// A file's text, decoded.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    pub text: String,
    /// Offsets of `text` in the file's bytes.
    pub origin: Origin,
    pub encoding: &'static Encoding,
}

/// The encoding a label such as `windows-1252`, `latin1` or `utf-16le`
/// names (the WHATWG labels), or an error naming the label.
pub fn parse_label(label: &str) -> Result<&'static Encoding, String> {
    Encoding::for_label(label.trim().as_bytes()).ok_or_else(|| {
        format!(
            "unknown encoding {label:?} (use a WHATWG label: utf-8, windows-1252, latin1, utf-16le, shift_jis, ...)"
        )
    })
}

/// Decodes a text (`html`: an HTML page) file's `bytes`, in `forced` when
/// given.
pub fn decode(bytes: &[u8], html: bool, forced: Option<&'static Encoding>) -> Result<Decoded, String> {
    if let Some(encoding) = forced {
        let skip = match Encoding::for_bom(bytes) {
            Some((bom, len)) if bom == encoding => len,
            _ => 0,
        };
        return decode_in(bytes, skip, encoding);
    }
    if let Some((encoding, len)) = Encoding::for_bom(bytes) {
        return decode_in(bytes, len, encoding);
    }
    if memchr::memchr(0, bytes).is_none() {
        if let Ok(text) = std::str::from_utf8(bytes) {
            return Ok(Decoded { text: text.to_string(), origin: Origin::Identity, encoding: UTF_8 });
        }
    }
    if html {
        if let Some(declared) = declared_charset(bytes) {
            return decode_in(bytes, 0, declared);
        }
    }
    if let Some(encoding) = utf16_without_mark(bytes) {
        return decode_in(bytes, 0, encoding);
    }
    if let Some(at) = memchr::memchr(0, bytes) {
        return Err(format!("binary (a NUL byte at byte {at})"));
    }
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(bytes, true);
    decode_in(bytes, 0, detector.guess(None, false))
}

/// The charset an HTML page declares in its first 1,024 bytes, as the
/// HTML standard's prescan looks for it (`<meta charset=...>` or
/// `<meta http-equiv="Content-Type" content="...; charset=...">`). A page
/// that declares UTF-16 is read as UTF-8 would be: the declaration
/// itself is in an ASCII-compatible encoding.
fn declared_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]).to_ascii_lowercase();
    let mut rest = head.as_str();
    while let Some(at) = rest.find("<meta") {
        rest = &rest[at + 5..];
        let tag = &rest[..rest.find('>').unwrap_or(rest.len())];
        if let Some(at) = tag.find("charset") {
            let value = tag[at + 7..].trim_start().strip_prefix('=')?.trim_start();
            let value = value.trim_start_matches(['"', '\'']);
            let end = value.find(|c: char| c == '"' || c == '\'' || c == ';' || c == '/' || c.is_whitespace());
            let encoding = Encoding::for_label(&value.as_bytes()[..end.unwrap_or(value.len())])?;
            return Some(if encoding == UTF_16LE || encoding == UTF_16BE { UTF_8 } else { encoding });
        }
    }
    None
}

/// UTF-16 without a byte-order mark: most code units of ASCII text have a
/// zero high byte, so NUL bytes fill the odd (little-endian) or even
/// (big-endian) positions and hardly any of the others.
fn utf16_without_mark(bytes: &[u8]) -> Option<&'static Encoding> {
    if bytes.len() < 4 || !bytes.len().is_multiple_of(2) {
        return None;
    }
    let pairs = bytes.len() / 2;
    let zero_even = bytes.iter().step_by(2).filter(|&&b| b == 0).count();
    let zero_odd = bytes.iter().skip(1).step_by(2).filter(|&&b| b == 0).count();
    let mostly = |n: usize| n * 10 >= pairs * 6;
    let hardly = |n: usize| n * 100 <= pairs;
    if mostly(zero_odd) && hardly(zero_even) {
        Some(UTF_16LE)
    } else if mostly(zero_even) && hardly(zero_odd) {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// Decodes `bytes[start..]` in `encoding`, recording where each character
/// came from: runs of characters that are their own bytes (ASCII in an
/// ASCII-compatible encoding) as one copied piece, any other character as
/// a piece of its own.
fn decode_in(bytes: &[u8], start: usize, encoding: &'static Encoding) -> Result<Decoded, String> {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let ascii_compatible = encoding.is_ascii_compatible();
    let mut text = String::with_capacity(bytes.len() - start);
    let mut pieces = MapBuilder::default();
    let undecodable = |at: usize| format!("not valid {} (at byte {at})", encoding.name());
    // Where the character being decoded started.
    let mut char_start = start;
    for (at, &byte) in bytes.iter().enumerate().skip(start) {
        if ascii_compatible && char_start == at && byte < 0x80 {
            text.push(byte as char);
            pieces.push(text.len() - 1, 1, at, 1);
            char_start = at + 1;
            continue;
        }
        let before = text.len();
        text.reserve(decoder.max_utf8_buffer_length_without_replacement(1).unwrap_or(16));
        let (result, _) = decoder.decode_to_string_without_replacement(&[byte], &mut text, false);
        if let DecoderResult::Malformed(..) = result {
            return Err(undecodable(char_start));
        }
        if text.len() > before {
            pieces.push(before, text.len() - before, char_start, at + 1 - char_start);
            char_start = at + 1;
        }
    }
    let before = text.len();
    text.reserve(16);
    if let (DecoderResult::Malformed(..), _) = decoder.decode_to_string_without_replacement(&[], &mut text, true) {
        return Err(undecodable(char_start));
    }
    if text.len() > before {
        pieces.push(before, text.len() - before, char_start, bytes.len() - char_start);
    }
    if let Some(at) = text.find('\0') {
        return Err(format!("binary (a NUL character at byte {at} of the decoded text)"));
    }
    let identity = start == 0 && pieces.all_copied && text.len() == bytes.len();
    let origin = if identity { Origin::Identity } else { Origin::Pieces(pieces.pieces) };
    Ok(Decoded { text, origin, encoding })
}

/// Pieces in text order, copied runs merged.
#[derive(Default)]
struct MapBuilder {
    pieces: Vec<Piece>,
    all_copied: bool,
}

impl MapBuilder {
    fn push(&mut self, text_start: usize, len: usize, src_start: usize, src_len: usize) {
        if self.pieces.is_empty() {
            self.all_copied = true;
        }
        let copied = len == src_len;
        self.all_copied &= copied;
        if let Some(last) = self.pieces.last_mut() {
            let follows = last.text_start + last.len == text_start && last.src_start + last.src_len == src_start;
            if copied && last.len == last.src_len && follows {
                last.len += len;
                last.src_len += src_len;
                return;
            }
        }
        self.pieces.push(Piece { text_start, len, src_start, src_len });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every character of the text maps back to the bytes that encode it.
    fn assert_maps_back(decoded: &Decoded, bytes: &[u8]) {
        for (at, c) in decoded.text.char_indices() {
            let source = decoded.origin.map(at..at + c.len_utf8());
            let (again, bad) = decoded.encoding.decode_without_bom_handling(&bytes[source.clone()]);
            assert!(!bad, "{c:?} maps to undecodable bytes {source:?}");
            assert_eq!(again, c.to_string(), "{c:?} maps to {source:?}");
        }
    }

    #[test]
    fn legacy_single_byte_text_is_decoded_with_exact_offsets() {
        let bytes = b"Caf\xe9 cr\xe8me \x93quoted\x94 \x80 5";
        let decoded = decode(bytes, false, None).unwrap();
        assert_eq!(decoded.encoding, encoding_rs::WINDOWS_1252);
        assert_eq!(decoded.text, "Café crème \u{201c}quoted\u{201d} € 5");
        assert_maps_back(&decoded, bytes);
        let word = decoded.text.find("quoted").unwrap();
        assert_eq!(decoded.origin.map(word..word + 6), 12..18);
    }

    #[test]
    fn utf16_with_and_without_a_mark() {
        let text = "Lavrov said the talks were \u{201c}useful\u{201d} — r\u{e9}sum\u{e9}.";
        for (encoding, bom) in [(UTF_16LE, &[0xff, 0xfe][..]), (UTF_16BE, &[0xfe, 0xff][..])] {
            let units: Vec<u8> = text
                .encode_utf16()
                .flat_map(|u| if encoding == UTF_16LE { u.to_le_bytes() } else { u.to_be_bytes() })
                .collect();
            for with_mark in [true, false] {
                let bytes = if with_mark { [bom, &units].concat() } else { units.clone() };
                let decoded = decode(&bytes, false, None).unwrap();
                assert_eq!((decoded.encoding, decoded.text.as_str()), (encoding, text));
                assert_maps_back(&decoded, &bytes);
            }
        }
    }

    #[test]
    fn utf8_stays_identity_and_a_mark_shifts_offsets() {
        assert_eq!(decode("plain é".as_bytes(), false, None).unwrap().origin, Origin::Identity);
        let decoded = decode(b"\xef\xbb\xbfabc", false, None).unwrap();
        assert_eq!(decoded.text, "abc");
        assert_eq!(decoded.origin.map(1..2), 4..5);
    }

    #[test]
    fn html_declarations_and_the_override_are_followed() {
        let page = b"<html><head><meta charset=\"iso-8859-7\"></head><body>\xe1\xe8\xfe</body></html>";
        let decoded = decode(page, true, None).unwrap();
        assert_eq!(decoded.encoding.name(), "ISO-8859-7");
        assert!(decoded.text.contains("αθώ"), "{}", decoded.text);
        let forced = decode(page, true, Some(encoding_rs::WINDOWS_1252)).unwrap();
        assert!(forced.text.contains("áèþ"), "{}", forced.text);
        let http_equiv = b"<meta http-equiv='Content-Type' content='text/html; charset=windows-1251'>\xcf\xf0\xe8";
        assert_eq!(decode(http_equiv, true, None).unwrap().encoding.name(), "windows-1251");
    }

    #[test]
    fn undecodable_bytes_are_refused_not_replaced() {
        let err = decode(b"abc \xff\xfe", false, Some(UTF_8)).unwrap_err();
        assert_eq!(err, "not valid UTF-8 (at byte 4)");
        let err = decode(b"\x82\xa0\x82", false, Some(encoding_rs::SHIFT_JIS)).unwrap_err();
        assert!(err.starts_with("not valid Shift_JIS"), "{err}");
        assert!(decode(b"a\0b\x01\x02\x03\xff", false, None).unwrap_err().starts_with("binary"));
        assert!(parse_label("no-such-encoding").is_err());
        assert_eq!(parse_label("latin1").unwrap(), encoding_rs::WINDOWS_1252);
    }
}
