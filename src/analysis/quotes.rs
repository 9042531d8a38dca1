//! Quotations: text in, the byte ranges inside quotation marks out.
//!
//! Many outlets quote the same speech or post verbatim (in the Helsinki
//! corpus one presidential tweet is quoted by 44 pages of 25 outlets). Such
//! shared text comes from a common upstream, the speaker, not from one
//! outlet copying another, so copydesk weighs quoted passages apart: they
//! are reported as `quotation` passages and do not make two documents
//! copies of each other.
//!
//! Curly quotes open and close unambiguously; straight double quotes toggle;
//! `«»` are handled too. A paragraph break closes any quote left open (news
//! style reopens a long quotation at each paragraph).

use std::ops::Range;

/// Byte ranges of `text` inside quotation marks (marks included).
pub fn spans(text: &str) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut open: Option<usize> = None;
    // Only newlines, `"` and the lead bytes of the curly quotes (0xE2) and
    // guillemets (0xC2) matter, so the scan looks at bytes and decodes
    // nothing else: memchr finds the first three, a second memchr the
    // fourth (absent from ASCII text), and the two are merged in order.
    let mut marks = memchr::memchr3_iter(b'\n', b'"', 0xE2, bytes).peekable();
    let mut guillemets = memchr::memchr_iter(0xC2, bytes).peekable();
    let next_mark = std::iter::from_fn(|| match (marks.peek(), guillemets.peek()) {
        (Some(&m), Some(&g)) if g < m => guillemets.next(),
        (Some(_), _) => marks.next(),
        (None, _) => guillemets.next(),
    });
    for i in next_mark {
        match bytes[i] {
            b'\n' => {
                // An unclosed quote ends with its paragraph.
                if let Some(start) = open.take() {
                    out.push(start..i);
                }
            }
            b'"' => match open.take() {
                Some(start) => out.push(start..i + 1),
                None => open = Some(i),
            },
            0xE2 | 0xC2 => {
                let c = text[i..].chars().next().unwrap_or('\0');
                match c {
                    '“' | '«' | '„' if open.is_none() => open = Some(i),
                    '”' | '»' => {
                        if let Some(start) = open.take() {
                            out.push(start..i + c.len_utf8());
                        }
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
    if let Some(start) = open {
        out.push(start..text.len());
    }
    out.retain(|r| r.len() > 2);
    out
}

/// Bytes of `range` that fall inside `spans` (sorted, non-overlapping).
pub fn quoted_bytes(spans: &[Range<usize>], range: &Range<usize>) -> usize {
    spans.iter().map(|s| s.end.min(range.end).saturating_sub(s.start.max(range.start))).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn curly_and_straight() {
        let t = "He said “we will win” and \"they agreed\" today.";
        let s = spans(t);
        assert_eq!(s.len(), 2);
        assert_eq!(&t[s[0].clone()], "“we will win”");
        assert_eq!(&t[s[1].clone()], "\"they agreed\"");
    }

    #[test]
    fn paragraph_break_closes() {
        let t = "“First part of a long quote\n\n“Second part,” he said.";
        let s = spans(t);
        assert_eq!(&t[s[0].clone()], "“First part of a long quote");
        assert_eq!(&t[s[1].clone()], "“Second part,”");
    }

    #[test]
    fn counts_quoted_bytes() {
        let t = "a “bc” d";
        let s = spans(t);
        assert_eq!(quoted_bytes(&s, &(0..t.len())), s[0].len());
    }

    /// The quotation marks found by decoding every character: what the
    /// byte scan must agree with.
    fn spans_by_chars(text: &str) -> Vec<Range<usize>> {
        let mut out = Vec::new();
        let mut open: Option<usize> = None;
        for (i, c) in text.char_indices() {
            match c {
                '\n' => {
                    if let Some(start) = open.take() {
                        out.push(start..i);
                    }
                }
                '"' => match open.take() {
                    Some(start) => out.push(start..i + 1),
                    None => open = Some(i),
                },
                '“' | '«' | '„' if open.is_none() => open = Some(i),
                '”' | '»' => {
                    if let Some(start) = open.take() {
                        out.push(start..i + c.len_utf8());
                    }
                }
                _ => {}
            }
        }
        if let Some(start) = open {
            out.push(start..text.len());
        }
        out.retain(|r| r.len() > 2);
        out
    }

    proptest::proptest! {
        #[test]
        fn byte_scan_matches_decoding(parts in proptest::collection::vec(proptest::prop_oneof![
            proptest::strategy::Just("\""), proptest::strategy::Just("“"), proptest::strategy::Just("”"),
            proptest::strategy::Just("«"), proptest::strategy::Just("»"), proptest::strategy::Just("„"),
            proptest::strategy::Just("\u{a0}"), proptest::strategy::Just("é"), proptest::strategy::Just("—"),
            proptest::strategy::Just("\n"), proptest::strategy::Just("words here "), proptest::strategy::Just("x"),
        ], 0..40)) {
            let text = parts.concat();
            proptest::prop_assert_eq!(spans(&text), spans_by_chars(&text));
        }
    }
}
