//! Provenance claims: one document's text in, what it says of its own
//! provenance out: the credit lines naming an upstream ("(The Nation)",
//! "By Reuters", "(AP) —", "Agencies add:", "PHOTO: DAWN", "Copyright …
//! Associated Press") and the first date or dateline near its start (a
//! photo caption's date left out). Read once per document during analysis;
//! [`crate::attribution::provenance`] weighs two documents' claims as
//! evidence, and the layout of a pair places its credits.

use jiff::Timestamp;
use regex::Regex;
use std::ops::Range;
use std::sync::OnceLock;

/// How far into a text a date or dateline is looked for.
pub const DATE_WINDOW: usize = 1500;

/// A credit line naming an upstream source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credit {
    /// The upstream, normalized ("Associated Press", "Reuters", "The Nation").
    pub upstream: String,
    /// What kind of credit: `byline`, `source-tag`, `dateline`, `agencies`,
    /// `photo`, `copyright`.
    pub kind: &'static str,
    /// Byte range of the credit in the document text.
    pub span: Range<usize>,
}

/// A date found in a document's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextDate {
    pub at: Timestamp,
    pub span: Range<usize>,
}

/// What one document says about its own provenance.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocumentProvenance {
    pub credits: Vec<Credit>,
    pub text_date: Option<TextDate>,
}

/// Where in a text a credit pattern can match: each pattern holds its
/// trigger, and a credit never spans lines, so a pattern runs only on the
/// lines that hold its trigger instead of on the whole text.
#[derive(Clone, Copy)]
enum Trigger {
    /// `(` followed by a capital letter: "(The Nation)", "(AP) —", "(WAI):".
    Paren,
    /// A line that starts, after white space, with "By", "BY" or "From".
    Byline,
    /// A literal the pattern contains, looked for only where its `anchor`
    /// byte occurs (a byte rare in prose: one pass over the text finds the
    /// anchors of every literal at once), compared ignoring ASCII case when
    /// `any_case` (as the pattern does).
    Literal { text: &'static str, anchor: u8, any_case: bool },
    /// The last line holding text (the pattern ends the document).
    LastLine(&'static str),
}

struct CreditPattern {
    re: Regex,
    kind: &'static str,
    /// The match must start its line.
    line_start: bool,
    trigger: Trigger,
}

struct Patterns {
    credits: Vec<CreditPattern>,
    /// Every [`Trigger::Literal`].
    literals: Vec<LiteralTrigger>,
    /// The distinct anchor bytes (both cases where case is ignored).
    anchors: Vec<u8>,
    month_day_year: Regex,
    day_month_year: Regex,
    iso_date: Regex,
}

/// A [`Trigger::Literal`] ready to check at an anchor.
struct LiteralTrigger {
    /// Index of the credit pattern it triggers.
    pattern: usize,
    text: &'static [u8],
    /// Offset of the anchor byte in `text`.
    anchor_at: usize,
    any_case: bool,
}

fn patterns() -> &'static Patterns {
    static P: OnceLock<Patterns> = OnceLock::new();
    P.get_or_init(|| {
        let re = |s: &str| Regex::new(s).expect("valid pattern");
        let credit = |pattern: &str, kind, line_start, trigger| CreditPattern { re: re(pattern), kind, line_start, trigger };
        let credits = vec![
            credit(r"(?m)^\s*\((The [A-Z][\w&.-]*(?: [A-Z][\w&.-]*){0,3})\)\s*$", "source-tag", false, Trigger::Paren),
            credit(
                r"(?:By|BY|From)[ \t]+(Reuters|AFP|AP|The Associated Press|Associated Press|Bloomberg|Xinhua|Agencies|APP|PTI|IANS)\b",
                "byline",
                true,
                Trigger::Byline,
            ),
            credit(r"\((AP|Reuters|AFP|APP|PTI|IANS|Bloomberg|Xinhua)\)\s*[-—–:]", "source-tag", false, Trigger::Paren),
            credit(r"\b\d{1,2} [A-Z][a-z]+ \d{4} \(([A-Z]{2,6})\):", "dateline", false, Trigger::Paren),
            credit(
                r"\b(Agencies) add:",
                "agencies",
                false,
                Trigger::Literal { text: "Agencies add:", anchor: b':', any_case: false },
            ),
            credit(
                r"\bPHOTO:\s*([A-Z][A-Z.]{1,20})\b",
                "photo",
                false,
                Trigger::Literal { text: "PHOTO:", anchor: b':', any_case: false },
            ),
            credit(
                r"(?i:copyright)\s+(?:©\s*)?\d{4}\s+(The Associated Press|Associated Press|Reuters|AFP|Bloomberg)",
                "copyright",
                false,
                Trigger::Literal { text: "copyright", anchor: b'y', any_case: true },
            ),
            credit(r"—\s*(The Associated Press|Reuters)\s*$", "byline", false, Trigger::LastLine("—")),
            credit(
                r"(?i:reporting by)\s+(Reuters|AP|AFP|The Associated Press|Associated Press|Bloomberg|Xinhua|agencies)\b",
                "reporting",
                false,
                Trigger::Literal { text: "reporting by", anchor: b'y', any_case: true },
            ),
        ];
        let mut literals = Vec::new();
        let mut anchors = Vec::new();
        for (i, c) in credits.iter().enumerate() {
            if let Trigger::Literal { text, anchor, any_case } = c.trigger {
                let anchor_at = text.bytes().position(|b| b == anchor).expect("the anchor is in the literal");
                literals.push(LiteralTrigger { pattern: i, text: text.as_bytes(), anchor_at, any_case });
                if any_case {
                    anchors.extend([anchor.to_ascii_lowercase(), anchor.to_ascii_uppercase()]);
                } else {
                    anchors.push(anchor);
                }
            }
        }
        anchors.sort_unstable();
        anchors.dedup();
        assert!(anchors.len() <= 3, "one memchr3 pass finds every anchor");
        Patterns {
            credits,
            literals,
            anchors,
            month_day_year: re(
                r"\b(Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.? (\d{1,2}),? (\d{4})\b",
            ),
            day_month_year: re(
                r"\b(\d{1,2}) (January|February|March|April|May|June|July|August|September|October|November|December) (\d{4})\b",
            ),
            iso_date: re(r"\b(\d{4})-(\d{2})-(\d{2})\b"),
        }
    })
}

/// The line of `text` around byte `at`, without its newline.
fn line_around(text: &str, at: usize) -> Range<usize> {
    let bytes = text.as_bytes();
    let start = memchr::memrchr(b'\n', &bytes[..at]).map_or(0, |i| i + 1);
    let end = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |i| at + i);
    start..end
}

/// [`line_around`] for positions met in text order, remembering the last
/// line found: a line holding many triggers is searched for once, not once
/// per trigger (a 200 MB line of parentheses would otherwise take
/// quadratic time).
struct Lines<'t> {
    text: &'t str,
    last: Range<usize>,
}

impl<'t> Lines<'t> {
    fn new(text: &'t str) -> Self {
        Lines { text, last: 0..0 }
    }

    fn around(&mut self, at: usize) -> Range<usize> {
        if !(self.last.start <= at && at <= self.last.end && !self.last.is_empty()) {
            self.last = line_around(self.text, at);
        }
        self.last.clone()
    }
}

/// Calls `found` with every position of one of `anchors` (at most three)
/// in `bytes`, in order: one memchr pass.
fn for_each_anchor(bytes: &[u8], anchors: &[u8], found: impl FnMut(usize)) {
    match *anchors {
        [a] => memchr::memchr_iter(a, bytes).for_each(found),
        [a, b] => memchr::memchr2_iter(a, b, bytes).for_each(found),
        [a, b, c] => memchr::memchr3_iter(a, b, c, bytes).for_each(found),
        _ => {}
    }
}

/// For each credit pattern, the lines of `text` holding its trigger, in
/// order, each once.
fn trigger_lines(text: &str, p: &Patterns) -> Vec<Vec<Range<usize>>> {
    let bytes = text.as_bytes();
    let add = |lines: &mut Vec<Range<usize>>, line: Range<usize>| {
        if lines.last().is_none_or(|last| last.start < line.start) {
            lines.push(line);
        }
    };
    let mut paren = Vec::new();
    let mut lines = Lines::new(text);
    for at in memchr::memchr_iter(b'(', bytes) {
        if bytes.get(at + 1).is_some_and(u8::is_ascii_uppercase) {
            add(&mut paren, lines.around(at));
        }
    }
    let mut byline = Vec::new();
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', bytes).chain([bytes.len()]) {
        let body = text[start..end].trim_start();
        if body.starts_with("By") || body.starts_with("BY") || body.starts_with("From") {
            add(&mut byline, start..end);
        }
        start = end + 1;
    }
    let mut literal_hits: Vec<(usize, Range<usize>)> = Vec::new();
    for_each_anchor(bytes, &p.anchors, |at| {
        for l in &p.literals {
            let Some(start) = at.checked_sub(l.anchor_at) else { continue };
            let Some(window) = bytes.get(start..start + l.text.len()) else { continue };
            if if l.any_case { window.eq_ignore_ascii_case(l.text) } else { window == l.text } {
                literal_hits.push((l.pattern, lines.around(start)));
            }
        }
    });
    literal_hits.sort_by_key(|(pattern, line)| (*pattern, line.start));
    p.credits
        .iter()
        .enumerate()
        .map(|(i, pattern)| match pattern.trigger {
            Trigger::Paren => paren.clone(),
            Trigger::Byline => byline.clone(),
            Trigger::Literal { .. } => {
                let mut lines = Vec::new();
                for (_, line) in literal_hits.iter().filter(|(owner, _)| *owner == i) {
                    add(&mut lines, line.clone());
                }
                lines
            }
            Trigger::LastLine(literal) => {
                let end = text.trim_end().len();
                let line = line_around(text, end.saturating_sub(1));
                if end > 0 && text[line.clone()].contains(literal) {
                    vec![line]
                } else {
                    Vec::new()
                }
            }
        })
        .collect()
}

/// The canonical name of an upstream, so "AP" and "The Associated Press"
/// are one.
pub fn canonical_upstream(name: &str) -> String {
    let trimmed = name.trim().trim_end_matches('.');
    match trimmed.to_ascii_lowercase().as_str() {
        "ap" | "the associated press" | "associated press" => "Associated Press".into(),
        "reuters" => "Reuters".into(),
        "afp" | "agence france-presse" => "AFP".into(),
        "agencies" => "Agencies".into(),
        _ => trimmed.to_string(),
    }
}

fn month_number(name: &str) -> Option<i8> {
    let m = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
    let lower = name.to_ascii_lowercase();
    m.iter().position(|p| lower.starts_with(p)).map(|i| i as i8 + 1)
}

fn timestamp(year: &str, month: i8, day: &str) -> Option<Timestamp> {
    let date = jiff::civil::Date::new(year.parse().ok()?, month, day.parse().ok()?).ok()?;
    jiff::tz::TimeZone::UTC.to_timestamp(date.to_datetime(jiff::civil::Time::midnight())).ok()
}

/// Whether `bytes` hold an ASCII digit; written without an early exit so the
/// compiler checks 16 bytes per instruction.
fn has_ascii_digit(bytes: &[u8]) -> bool {
    bytes.chunks(64).any(|chunk| chunk.iter().fold(false, |seen, &b| seen | (b.wrapping_sub(b'0') < 10)))
}

/// Whether `bytes` hold four ASCII digits in a row, as every date pattern's
/// year is (a year in other digits is not read as a number either).
///
/// Looks at the last byte of each window of four that could end a run: a
/// window ending on a non-digit rules out the four windows that hold that
/// byte, and one ending on `j` digits after a non-digit the `4 - j` that
/// hold the non-digit. Most text is looked at one byte in four.
fn has_four_digits(bytes: &[u8]) -> bool {
    let digit = |b: u8| b.wrapping_sub(b'0') < 10;
    let mut end = 3;
    while end < bytes.len() {
        let run = (0..4).take_while(|&back| digit(bytes[end - back])).count();
        if run == 4 {
            return true;
        }
        end += 4 - run;
    }
    false
}

/// Credits in text order, a credit overlapping an earlier one for the same
/// upstream dropped (two patterns can find one credit).
fn sorted_distinct(mut credits: Vec<Credit>) -> Vec<Credit> {
    credits.sort_by_key(|c| (c.span.start, c.span.end));
    credits.dedup_by(|x, y| x.span.start < y.span.end && x.upstream == y.upstream);
    credits
}

/// Reads a document's credits and the first date in its opening text.
pub fn read(text: &str) -> DocumentProvenance {
    let p = patterns();
    let mut credits: Vec<Credit> = Vec::new();
    for (pattern, lines) in p.credits.iter().zip(trigger_lines(text, p)) {
        for line in lines {
            // The haystack ends with the line (or, for a pattern that ends the
            // document, with the text), and the search starts at the line, so
            // `^`, `$` and `\b` see the text around it as a whole-text search
            // would.
            let haystack = match pattern.trigger {
                Trigger::LastLine(_) => text,
                _ => &text[..line.end],
            };
            let mut from = line.start;
            while let Some(c) = pattern.re.captures_at(haystack, from) {
                let (Some(whole), Some(name)) = (c.get(0), c.get(1)) else { break };
                // Every pattern consumes a literal, so this moves forward.
                from = whole.end();
                if pattern.line_start && !text[line.start..whole.start()].trim().is_empty() {
                    continue;
                }
                credits.push(Credit {
                    upstream: canonical_upstream(name.as_str()),
                    kind: pattern.kind,
                    span: whole.range(),
                });
            }
        }
    }
    let credits = sorted_distinct(credits);
    let mut window = DATE_WINDOW.min(text.len());
    while !text.is_char_boundary(window) {
        window -= 1;
    }
    // Every date pattern ends on a year: a head without four digits in a
    // row has no date. Most heads without one have no digit at all, which
    // a vectorized pass tells first.
    let head = &text[..window];
    let head = if has_ascii_digit(head.as_bytes()) && has_four_digits(head.as_bytes()) { head } else { "" };
    let mut dates: Vec<TextDate> = Vec::new();
    for c in p.month_day_year.captures_iter(head) {
        if let (Some(m), Some(at)) = (month_number(&c[1]), c.get(0)) {
            if let Some(ts) = timestamp(&c[3], m, &c[2]) {
                dates.push(TextDate { at: ts, span: at.range() });
            }
        }
    }
    for c in p.day_month_year.captures_iter(head) {
        if let (Some(m), Some(at)) = (month_number(&c[2]), c.get(0)) {
            if let Some(ts) = timestamp(&c[3], m, &c[1]) {
                dates.push(TextDate { at: ts, span: at.range() });
            }
        }
    }
    for c in p.iso_date.captures_iter(head) {
        if let (Ok(m), Some(at)) = (c[2].parse::<i8>(), c.get(0)) {
            if let Some(ts) = timestamp(&c[1], m, &c[3]) {
                dates.push(TextDate { at: ts, span: at.range() });
            }
        }
    }
    let text_date = dates.into_iter().filter(|d| !in_photo_caption(text, &d.span)).min_by_key(|d| d.span.start);
    DocumentProvenance { credits, text_date }
}

/// Whether a date sits in a photo caption ("FILE - In this July 7, 2017,
/// file photo ..."): the date the picture was taken, not the article's.
fn in_photo_caption(text: &str, at: &Range<usize>) -> bool {
    let line_start = text[..at.start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[at.end..].find('\n').map_or(text.len(), |i| at.end + i);
    let before = text[line_start..at.start].to_lowercase();
    let line = text[line_start..line_end].to_lowercase();
    before.trim_end().ends_with("in this") || line.contains("file photo")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A credit's span without white space at either end.
    fn trimmed(text: &str, c: &Credit) -> Credit {
        let s = &text[c.span.clone()];
        let start = c.span.start + s.len() - s.trim_start().len();
        Credit { span: start..start + s.trim().len(), ..c.clone() }
    }

    /// The credits a whole-text search finds: every pattern over all of the
    /// text, spans trimmed (a whole-text match may take in the blank lines
    /// around a credit line).
    fn credits_reference(text: &str) -> Vec<Credit> {
        let mut credits = Vec::new();
        for pattern in &patterns().credits {
            for c in pattern.re.captures_iter(text) {
                let (whole, name) = (c.get(0).unwrap(), c.get(1).unwrap());
                let line_before = &text[text[..whole.start()].rfind('\n').map_or(0, |i| i + 1)..whole.start()];
                if pattern.line_start && !line_before.trim().is_empty() {
                    continue;
                }
                let credit =
                    Credit { upstream: canonical_upstream(name.as_str()), kind: pattern.kind, span: whole.range() };
                credits.push(trimmed(text, &credit));
            }
        }
        sorted_distinct(credits)
    }

    proptest! {
        /// The skipping search for a run of four digits against every window.
        #[test]
        fn four_digits_found_as_every_window_finds_them(
            bytes in proptest::collection::vec(prop_oneof![Just(b'1'), Just(b'7'), Just(b' '), Just(b'a'), Just(b'/')], 0..40)
        ) {
            let every_window = bytes.windows(4).any(|w| w.iter().all(u8::is_ascii_digit));
            prop_assert_eq!(has_four_digits(&bytes), every_window);
        }

        /// Running each pattern only on its trigger lines finds what running
        /// it on the whole text finds.
        #[test]
        fn trigger_lines_find_what_whole_text_search_finds(
            parts in proptest::collection::vec(prop_oneof![
                Just("(The Nation)"), Just("(AP) — "), Just("(Reuters): "), Just("20 October 2023 (WAI): "),
                Just("By Reuters"), Just("BY AP "), Just("From Xinhua"), Just("Agencies add: "), Just("PHOTO: DAWN "),
                Just("Copyright 2018 The Associated Press"), Just("COPYRIGHT 2020 Reuters"), Just("CopyRight 2019 AFP"), Just("— Reuters"),
                Just("— The Associated Press "), Just("(Reporting by Reuters; "), Just("additional REPORTING BY AP"), Just("\n"), Just("\n\n"), Just("  "), Just("word "), Just("(x) "),
                Just("The "), Just("By "), Just("12 "), Just("\t"), Just("é "),
            ], 0..40)
        ) {
            let text: String = parts.concat();
            let fast: Vec<Credit> = read(&text).credits.iter().map(|c| trimmed(&text, c)).collect();
            prop_assert_eq!(fast, credits_reference(&text));
        }
    }

    #[test]
    fn reads_credits() {
        let p = read("Body text.\n(The Nation)\nPakistan Cyber Force");
        assert_eq!(p.credits.len(), 1);
        assert_eq!(p.credits[0].upstream, "The Nation");
        let p = read("WASHINGTON (AP) — The summit ended.\nCopyright 2018 The Associated Press. All rights reserved.");
        assert!(p.credits.iter().all(|c| c.upstream == "Associated Press"));
        assert_eq!(p.credits.len(), 2);
        let p = read("Caretaker PM met Putin. PHOTO: DAWN\n\nAgencies add: more");
        let kinds: Vec<&str> = p.credits.iter().map(|c| c.kind).collect();
        assert_eq!(kinds, ["photo", "agencies"]);
        let p = read("Beijing, 20 October 2023 (WAI): Prime Minister");
        assert_eq!(p.credits[0].upstream, "WAI");
        assert_eq!(p.text_date.unwrap().at.to_string(), "2023-10-20T00:00:00Z");
    }

    #[test]
    fn reads_dates() {
        assert_eq!(
            read("Headline\n\nOctober 18, 2023\n\nISLAMABAD").text_date.unwrap().at.to_string(),
            "2023-10-18T00:00:00Z"
        );
        assert_eq!(read("Posted Oct. 3, 2012 by staff").text_date.unwrap().at.to_string(), "2012-10-03T00:00:00Z");
        assert!(read("No date here at all.").text_date.is_none());
        // A photo caption's date is the picture's, not the article's.
        let caption = "FILE - In this July 7, 2017, file photo Trump meets Putin.\nJuly 15, 2018\nHELSINKI";
        assert_eq!(read(caption).text_date.unwrap().at.to_string(), "2018-07-15T00:00:00Z");
        assert!(read("In this Nov. 11, 2017 photo, Putin speaks.").text_date.is_none());
    }
}
