//! Sentences and paragraphs: text in, byte ranges out.
//!
//! Later stages compare documents sentence by sentence (in-document repeats,
//! rewrites), so this module cuts text into sentences and says which
//! paragraph each sits in, without touching the text: every [`Sentence`] is a
//! trimmed byte range of the input.
//!
//! A paragraph ends at a blank line, at a line break after sentence-final
//! punctuation (feeds that put one paragraph per line), or at a line break
//! before an indented line (wire copy that wraps lines and indents
//! paragraphs). A sentence ends after `.`, `!` or `?` (and any closing quotes
//! or brackets) when the next word starts like a sentence, unless the word
//! before the stop is a known abbreviation or a single initial; `。！？` always
//! end one.

use std::ops::Range;

/// One sentence: a trimmed byte range and its paragraph number (0-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sentence {
    pub span: Range<usize>,
    pub paragraph: usize,
}

const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "st", "jr", "sr", "gen", "col", "lt", "sgt", "capt", "rep", "sen", "gov", "prof", "inc",
    "ltd", "co", "corp", "vs", "no", "jan", "feb", "mar", "apr", "aug", "sep", "sept", "oct", "nov", "dec", "u.s",
    "u.k", "u.n", "e.g", "i.e", "etc", "approx", "dept", "est", "fig", "mt", "ft", "rev", "hon", "adm", "brig",
];

fn is_closing(c: char) -> bool {
    matches!(c, '"' | '\'' | ')' | ']' | '”' | '’' | '»')
}

fn starts_sentence(c: char) -> bool {
    c.is_uppercase() || c.is_numeric() || matches!(c, '"' | '\'' | '(' | '“' | '‘' | '«' | '[' | '-' | '—' | '–')
}

fn is_abbreviation(before_stop: &str) -> bool {
    // The word before the stop, dots included ("U.S"), read backwards.
    let word_start = before_stop
        .char_indices()
        .rev()
        .take_while(|&(_, c)| c.is_alphanumeric() || c == '.')
        .last()
        .map_or(before_stop.len(), |(i, _)| i);
    let word = &before_stop[word_start..];
    if word.is_empty() || word.len() > 8 {
        return false;
    }
    let mut chars = word.chars();
    let single_initial = matches!((chars.next(), chars.next()), (Some(c), None) if c.is_uppercase());
    single_initial || ABBREVIATIONS.iter().any(|a| a.eq_ignore_ascii_case(word))
}

/// Byte ranges of the paragraphs of `text`, trimmed, empty ones dropped.
pub fn paragraphs(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    let mut i = 0;
    // The newline ending the paragraph's previous line: a line that goes on
    // a paragraph starts right after it (leading whitespace would have
    // broken the paragraph), so it is where the current line starts.
    let mut previous_line_end: Option<usize> = None;
    while let Some(found) = memchr::memchr(b'\n', &bytes[i..]) {
        let line_end = i + found;
        let mut j = line_end + 1;
        let mut blank = false;
        // A run of whitespace holding a second newline is a blank line.
        while j < bytes.len() && (bytes[j] == b' ' || bytes[j] == b'\t' || bytes[j] == b'\r' || bytes[j] == b'\n') {
            if bytes[j] == b'\n' {
                blank = true;
            }
            j += 1;
        }
        let indented = j > line_end + 1 && !blank;
        let before = text[start..line_end].trim_end();
        let ends_sentence =
            before.chars().last().is_some_and(|c| matches!(c, '.' | '!' | '?' | ':' | '"' | '”' | '。'));
        let short_line = start + before.len() - previous_line_end.map_or(start, |p| p + 1) < 40;
        if blank || indented || ends_sentence || short_line {
            push_trimmed(text, start..line_end, &mut out);
            start = j;
            previous_line_end = None;
        } else {
            previous_line_end = Some(line_end);
        }
        i = j;
    }
    push_trimmed(text, start..text.len(), &mut out);
    out
}

fn push_trimmed(text: &str, range: Range<usize>, out: &mut Vec<Range<usize>>) {
    out.extend(trimmed(text, range));
}

/// `range` without its leading and trailing white space; `None` if nothing
/// else is left.
fn trimmed(text: &str, range: Range<usize>) -> Option<Range<usize>> {
    let slice = &text[range.clone()];
    let lead = slice.len() - slice.trim_start().len();
    let trail = slice.len() - slice.trim_end().len();
    (lead + trail < slice.len()).then(|| range.start + lead..range.end - trail)
}

/// The first sentence stop (`.`, `!`, `?`, `。`, `！`, `？`) in `body` at or
/// after `from`, as `str::find` with those characters would give it, but
/// read as bytes: memchr finds the ASCII stops, and the CJK ones (three
/// bytes each, led by 0xE3 or 0xEF) are looked for only before the first
/// ASCII stop.
fn next_stop(body: &str, from: usize) -> Option<usize> {
    let bytes = &body.as_bytes()[from..];
    let ascii = memchr::memchr3(b'.', b'!', b'?', bytes);
    let before = &bytes[..ascii.unwrap_or(bytes.len())];
    let cjk = memchr::memchr2_iter(0xE3, 0xEF, before)
        .find(|&i| matches!(before.get(i..i + 3), Some([0xE3, 0x80, 0x82] | [0xEF, 0xBC, 0x81] | [0xEF, 0xBC, 0x9F])));
    cjk.or(ascii).map(|i| from + i)
}

/// The sentences of `text`, in order.
pub fn sentences(text: &str) -> Vec<Sentence> {
    sentences_in(text, &paragraphs(text))
}

/// [`sentences`] for a text already split into its [`paragraphs`]: the
/// analysis splits once for sentences, repeats and short paragraphs.
pub fn sentences_in(text: &str, paragraphs: &[Range<usize>]) -> Vec<Sentence> {
    let mut out = Vec::new();
    for (paragraph, para) in paragraphs.iter().cloned().enumerate() {
        let body = &text[para.clone()];
        let mut start = 0;
        let mut from = 0;
        while let Some(i) = next_stop(body, from) {
            let c = body[i..].chars().next().unwrap_or('.');
            let mut end = i + c.len_utf8();
            let stop = if c.is_ascii() {
                end += body[end..].chars().take_while(|&n| is_closing(n) || n == c).map(char::len_utf8).sum::<usize>();
                let rest = &body[end..];
                let next = rest.trim_start();
                let spaced = next.len() < rest.len();
                let next_ok = next.chars().next().is_some_and(starts_sentence);
                let abbrev = c == '.' && is_abbreviation(&body[start..i]);
                spaced && next_ok && !abbrev
            } else {
                true
            };
            if stop {
                push_sentence(text, para.start + start..para.start + end, paragraph, &mut out);
                start = end;
            }
            from = end;
        }
        push_sentence(text, para.start + start..para.end, paragraph, &mut out);
    }
    out
}

fn push_sentence(text: &str, range: Range<usize>, paragraph: usize, out: &mut Vec<Sentence>) {
    out.extend(trimmed(text, range).map(|span| Sentence { span, paragraph }));
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// [`paragraphs`] as first written: the current line's start found by
    /// searching back for the newline before it.
    fn paragraphs_reference(text: &str) -> Vec<Range<usize>> {
        let mut out = Vec::new();
        let (bytes, mut start, mut i) = (text.as_bytes(), 0, 0);
        while let Some(found) = memchr::memchr(b'\n', &bytes[i..]) {
            let line_end = i + found;
            let mut j = line_end + 1;
            let mut blank = false;
            while j < bytes.len() && matches!(bytes[j], b' ' | b'\t' | b'\r' | b'\n') {
                blank |= bytes[j] == b'\n';
                j += 1;
            }
            let indented = j > line_end + 1 && !blank;
            let before = text[start..line_end].trim_end();
            let ends_sentence =
                before.chars().last().is_some_and(|c| matches!(c, '.' | '!' | '?' | ':' | '"' | '”' | '。'));
            let short_line = before.len() - before.rfind('\n').map_or(0, |p| p + 1) < 40;
            if blank || indented || ends_sentence || short_line {
                push_trimmed(text, start..line_end, &mut out);
                start = j;
            }
            i = j;
        }
        push_trimmed(text, start..text.len(), &mut out);
        out
    }

    #[test]
    fn a_short_line_ends_its_paragraph() {
        let long = "a line of reporting that runs on past forty bytes before it breaks";
        for short in 38..=41 {
            let text = format!("{long}\n{}\nnext", "x".repeat(short));
            let got = paragraphs(&text);
            assert_eq!(got, paragraphs_reference(&text), "{short}");
            assert_eq!(got.len(), if short < 40 { 2 } else { 1 }, "{short}");
        }
    }

    proptest! {
        #[test]
        fn paragraphs_match_the_reference(
            parts in proptest::collection::vec(prop_oneof![
                Just("\n"), Just("\n\n"), Just("\r\n"), Just("  "), Just("\t"), Just(" \n "),
                Just("word "), Just("Ends here."), Just("”"), Just("é"), Just("x"), Just("xxxxxxxxxx"),
                Just("a line of reporting that runs on past forty bytes before it breaks "),
            ], 0..60)
        ) {
            let text: String = parts.concat();
            prop_assert_eq!(paragraphs(&text), paragraphs_reference(&text));
        }

        /// The byte search finds the stop `str::find` finds, from every
        /// character boundary, among other characters sharing the CJK
        /// stops' lead bytes (、 and ー lead with 0xE3, fullwidth forms and
        /// ＂ with 0xEF).
        #[test]
        fn stops_match_str_find(parts in proptest::collection::vec(prop_oneof![
            Just("."), Just("!"), Just("?"), Just("。"), Just("！"), Just("？"), Just("、"), Just("ー"),
            Just("＂"), Just("Ａ"), Just("words "), Just("é"), Just("x"),
        ], 0..30)) {
            let text: String = parts.concat();
            for (from, _) in text.char_indices() {
                let expected = text[from..].find(['.', '!', '?', '。', '！', '？']).map(|i| from + i);
                prop_assert_eq!(next_stop(&text, from), expected);
            }
        }
    }

    fn texts(text: &str) -> Vec<&str> {
        sentences(text).into_iter().map(|s| &text[s.span]).collect()
    }

    #[test]
    fn splits_sentences_not_abbreviations() {
        let t = "Mr. Putin met the U.S. envoy on Tuesday. They talked. \"It went well,\" he said! Next?";
        assert_eq!(
            texts(t),
            ["Mr. Putin met the U.S. envoy on Tuesday.", "They talked.", "\"It went well,\" he said!", "Next?"]
        );
    }

    #[test]
    fn paragraphs_by_blank_lines_and_lines() {
        let t = "Headline here\n\nFirst para. Still first.\nSecond para.\n\n  Third.";
        let s = sentences(t);
        assert_eq!(s.iter().map(|s| s.paragraph).collect::<Vec<_>>(), [0, 1, 1, 2, 3]);
    }

    #[test]
    fn wrapped_lines_stay_one_paragraph() {
        let t = "Showers continued throughout the week in\nthe Bahia cocoa zone, alleviating the drought.\n    The dry period means it will be late.";
        let s = sentences(t);
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].paragraph, 0);
        assert_eq!(s[1].paragraph, 1);
    }

    #[test]
    fn cjk_stops() {
        assert_eq!(texts("北京很大。上海也很大。"), ["北京很大。", "上海也很大。"]);
    }
}
