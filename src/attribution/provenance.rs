//! Provenance: documents and a verified pair in, who took from whom out, with
//! the evidence a reader can check, or an honest "undetermined".
//!
//! Evidence, each item machine-readable and weighted:
//!
//! * **Publication time**, from metadata or, failing that, the first date or
//!   dateline in the text ("October 18, 2023", "Beijing, 20 October 2023
//!   (WAI):"). Times closer than a margin (an hour for metadata times, a day
//!   for dates read from text) say nothing: near-simultaneous publication is
//!   not a copy.
//! * **Credit lines** naming an upstream: "(The Nation)", "By Reuters",
//!   "(AP) —", "Agencies add:", "Additional reporting by AP", "PHOTO: DAWN", "Copyright … Associated
//!   Press". A document crediting the other's outlet took from it; two
//!   documents crediting the same third outlet are siblings of it.
//! * **Layout** ([`Layout`]), when one side holds nothing of its own: the
//!   other going on after it stops is its source (a truncated copy); the
//!   other having paragraphs between text it has side by side, or saying
//!   its text twice, or crediting "Agencies" just before it, is its copy.
//!   Without dates, a reprint with nothing added, an edited copy or one
//!   in another order stays undetermined: nothing says which came first.
//!
//! The weights are summed towards one side; below [`DECISION`] the direction
//! is undetermined, and the confidence says how clear the sum is. When
//! evidence points both ways (a date against a layout, a credit against a
//! date), no sum settles it: the direction is undetermined, so a named
//! direction never comes with evidence against it.

use crate::attribution::layout::Layout;
use crate::document::Document;
use jiff::Timestamp;
use regex::Regex;
use std::ops::Range;
use std::sync::OnceLock;

/// Evidence weight needed to name a direction.
pub const DECISION: f64 = 0.5;
/// Publication times closer than this (seconds) are simultaneous.
pub const METADATA_MARGIN: i64 = 3600;
/// Dates read from text have day precision: they must differ by a day.
pub const TEXT_DATE_MARGIN: i64 = 86_400;
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

/// A key for comparing outlet names and domains: "The Nation" and
/// "nation.com.pk" both become "nation".
pub fn outlet_key(name: &str) -> String {
    let lower = name.trim().to_lowercase();
    let lower = lower.strip_prefix("www.").unwrap_or(&lower);
    let base = lower.split(['.', '/']).next().unwrap_or(lower);
    let base = base.strip_prefix("the ").unwrap_or(base);
    let key: String = base.chars().filter(|c| c.is_alphanumeric()).collect();
    match key.as_str() {
        "ap" | "apnews" | "associatedpress" => "associatedpress".into(),
        _ => key,
    }
}

/// Whether an outlet (name or domain) is the credited upstream.
pub fn outlet_matches(outlet: &str, upstream: &str) -> bool {
    let (a, b) = (outlet_key(outlet), outlet_key(upstream));
    a.len() >= 3 && b.len() >= 3 && (a == b || a.contains(&b) || b.contains(&a))
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
    // Every date pattern holds a digit: a head without one has no date.
    let head = &text[..window];
    let head = if has_ascii_digit(head.as_bytes()) { head } else { "" };
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

/// Weight of each piece of layout evidence: alone it decides, against a
/// publication time it leaves the pair undetermined.
pub const LAYOUT_WEIGHT: f64 = 0.6;

/// Evidence from the pair's layout: which side goes on after the other
/// stops (a truncated copy), which has paragraphs between text the other
/// has side by side (added to a copy), which says the other's text twice,
/// which credits "Agencies" just before the shared text. Each is weighed
/// only when the other side has nothing of its own to weigh against it.
fn layout_evidence(layout: &Layout, a: &str, b: &str) -> Vec<Evidence> {
    let names = [a, b];
    let mut out = Vec::new();
    let mut point = |source: usize, kind: &'static str, detail: String| {
        out.push(Evidence { kind, source: Some(source), weight: LAYOUT_WEIGHT, detail });
    };
    for (s, o) in [(0, 1), (1, 0)] {
        let (this, other) = (&layout.sides[s], &layout.sides[o]);
        let other_within = other.unshared() <= other.slack();
        let substantial = |words: usize| words >= (this.words / 10).max(20);
        let cut_short = this.before + this.inside <= this.slack() && !this.appended && !this.credit_in_ending;
        if other_within && cut_short && substantial(this.after) {
            let appended = if other.appended { " (the rest of it appended after \"Agencies add:\")" } else { "" };
            let detail = format!("{} goes on for {} words after {} stops{appended}", names[s], this.after, names[o]);
            point(s, "truncation", detail);
        }
        if other_within && this.inserted >= (this.words / 20).max(12) {
            let detail =
                format!("{} has {} words between passages {} has side by side", names[s], this.inserted, names[o]);
            point(o, "insertion", detail);
        }
        if this.repeated >= (this.words / 30).max(12) && other.repeated == 0 {
            let detail = format!("{} says {} words of {} twice", names[s], this.repeated, names[o]);
            point(o, "repetition", detail);
        }
        if this.credited && !other.credited {
            point(o, "credited-passage", format!("{} credits \"Agencies\" just before the shared text", names[s]));
        }
    }
    out
}

/// One piece of evidence about a pair's direction.
#[derive(Debug, Clone, PartialEq)]
pub struct Evidence {
    /// `published`, `text-date`, `credit`, `shared-upstream`, `truncation`,
    /// `insertion`, `repetition`, `credited-passage`.
    pub kind: &'static str,
    /// The document this points to as the source (0 = a, 1 = b), if any.
    pub source: Option<usize>,
    pub weight: f64,
    /// A sentence a person can read.
    pub detail: String,
}

/// Which way a pair goes.
#[derive(Debug, Clone, PartialEq)]
pub enum Direction {
    /// `b` took from `a`.
    AToB,
    /// `a` took from `b`.
    BToA,
    /// Both took from a common upstream.
    Siblings(String),
    Undetermined,
}

impl Direction {
    pub fn as_str(&self) -> &'static str {
        match self {
            Direction::AToB => "a->b",
            Direction::BToA => "b->a",
            Direction::Siblings(_) => "siblings",
            Direction::Undetermined => "undetermined",
        }
    }
}

/// The verdict on a pair.
#[derive(Debug, Clone, PartialEq)]
pub struct Attribution {
    pub direction: Direction,
    pub confidence: f64,
    pub evidence: Vec<Evidence>,
}

/// When a document was published, and how sure that is: metadata first,
/// then a date in its text.
fn when(doc: &Document, prov: &DocumentProvenance) -> Option<(i64, &'static str, i64, String)> {
    if let Some(at) = doc.meta.published.as_ref().and_then(|p| p.at) {
        return Some((at.as_second(), "published", METADATA_MARGIN, at.to_string()));
    }
    prov.text_date.as_ref().map(|d| {
        let day = d.at.strftime("%Y-%m-%d").to_string();
        (d.at.as_second(), "text-date", TEXT_DATE_MARGIN, day)
    })
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

/// Weighs the evidence for a pair: publication times, credits, and where
/// the text each side lacks sits ([`Layout`]).
pub fn attribute(docs: [&Document; 2], provs: [&DocumentProvenance; 2], layout: &Layout) -> Attribution {
    let mut evidence = Vec::new();
    let name = |i: usize| docs[i].id.as_str();

    // Publication time.
    if let (Some(ta), Some(tb)) = (when(docs[0], provs[0]), when(docs[1], provs[1])) {
        let margin = ta.2.max(tb.2);
        let delta = tb.0 - ta.0;
        let kind = if ta.1 == "published" && tb.1 == "published" { "published" } else { "text-date" };
        let weight = if kind == "published" { 1.0 } else { 0.7 };
        if delta.abs() >= margin {
            let (earlier, e, l) = if delta > 0 { (0, &ta, &tb) } else { (1, &tb, &ta) };
            evidence.push(Evidence {
                kind,
                source: Some(earlier),
                weight,
                detail: format!("{} earlier ({} vs {})", name(earlier), e.3, l.3),
            });
        } else {
            evidence.push(Evidence {
                kind,
                source: None,
                weight: 0.0,
                detail: format!("published within the margin ({} and {})", ta.3, tb.3),
            });
        }
    }

    // Credits: one crediting the other's outlet, or both the same upstream.
    let mut sibling_of: Option<String> = None;
    for (i, j) in [(0usize, 1usize), (1, 0)] {
        for c in &provs[i].credits {
            // A photo credit is not the text's upstream, and "Agencies" names
            // no one in particular.
            if c.kind == "photo" || c.kind == "agencies" {
                continue;
            }
            let other_is_upstream = docs[j].meta.outlet.as_deref().is_some_and(|o| outlet_matches(o, &c.upstream));
            if other_is_upstream {
                evidence.push(Evidence {
                    kind: "credit",
                    source: Some(j),
                    weight: 2.0,
                    detail: format!("{} credits {} ({})", name(i), c.upstream, name(j)),
                });
            } else if i == 0 && provs[1].credits.iter().any(|d| d.upstream == c.upstream && d.kind == c.kind) {
                let own = |k: usize| docs[k].meta.outlet.as_deref().is_some_and(|o| outlet_matches(o, &c.upstream));
                if !own(0) && !own(1) && sibling_of.is_none() {
                    sibling_of = Some(c.upstream.clone());
                    evidence.push(Evidence {
                        kind: "shared-upstream",
                        source: None,
                        weight: 1.5,
                        detail: format!("both credit {}", c.upstream),
                    });
                }
            }
        }
    }

    evidence.extend(layout_evidence(layout, name(0), name(1)));

    let score: f64 = evidence
        .iter()
        .map(|e| match e.source {
            Some(0) => e.weight,
            Some(_) => -e.weight,
            None => 0.0,
        })
        .sum();
    let strongest_direct = evidence.iter().filter(|e| e.source.is_some()).map(|e| e.weight).fold(0.0, f64::max);
    let points_to = |side: usize| evidence.iter().any(|e| e.weight > 0.0 && e.source == Some(side));
    let both_ways = points_to(0) && points_to(1);
    let direction = match &sibling_of {
        Some(up) if strongest_direct < 2.0 => Direction::Siblings(up.clone()),
        _ if both_ways => Direction::Undetermined,
        _ if score >= DECISION => Direction::AToB,
        _ if score <= -DECISION => Direction::BToA,
        _ => Direction::Undetermined,
    };
    let confidence = match direction {
        Direction::Siblings(_) => 0.75,
        Direction::Undetermined => 0.0,
        _ => (score.abs() / 2.0).min(1.0),
    };
    Attribution { direction, confidence: (confidence * 100.0).round() / 100.0, evidence }
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

    #[test]
    fn outlets_match_credits() {
        assert!(outlet_matches("nation.com.pk", "The Nation"));
        assert!(outlet_matches("apnews.com", "Associated Press"));
        assert!(!outlet_matches("dawn.com", "The Nation"));
    }

    #[test]
    fn credit_beats_nothing_and_times_decide() {
        let a = Document::from_text("blog", "x").with_outlet("pcf-blog");
        let b = Document::from_text("nation", "y").with_outlet("nation.com.pk");
        let pa = read("Copied text.\n(The Nation)");
        let pb = DocumentProvenance::default();
        let verdict = attribute([&a, &b], [&pa, &pb], &Layout::default());
        assert_eq!(verdict.direction, Direction::BToA);
        let a = a.with_published("2023-10-18T09:00:00Z");
        let b = b.with_published("2023-10-18T09:20:00Z");
        let verdict = attribute([&a, &b], [&pb, &pb], &Layout::default());
        assert_eq!(verdict.direction, Direction::Undetermined, "{verdict:?}");
    }

    #[test]
    fn evidence_both_ways_names_no_direction() {
        // The blog credits the Nation, yet was published a day before it:
        // the credit outweighs the clock, but the report must not name a
        // source with evidence against it.
        let a = Document::from_text("blog", "x").with_outlet("pcf-blog").with_published("2023-10-17T09:00:00Z");
        let b = Document::from_text("nation", "y").with_outlet("nation.com.pk").with_published("2023-10-18T09:00:00Z");
        let pa = read("Copied text.\n(The Nation)");
        let verdict = attribute([&a, &b], [&pa, &DocumentProvenance::default()], &Layout::default());
        let sides: Vec<Option<usize>> = verdict.evidence.iter().map(|e| e.source).collect();
        assert!(sides.contains(&Some(0)) && sides.contains(&Some(1)), "{verdict:?}");
        assert_eq!(verdict.direction, Direction::Undetermined, "{verdict:?}");
        assert_eq!(verdict.confidence, 0.0);
    }
}
