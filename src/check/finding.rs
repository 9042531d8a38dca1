//! Findings: a [`Scan`] and a [`CheckConfig`] in, the [`Finding`]s that
//! cross the configured thresholds out, each with both locations (file,
//! line and column of the passage) and a stable fingerprint.
//!
//! A pair's fingerprint is made of its two paths (sorted) and nothing of
//! their texts, so it survives any edit of either file, a change of
//! direction and a change of relation (a near-duplicate edited into a containment is the same known
//! pair); it changes when a file is renamed. A repeat's fingerprint is its
//! path and the normalized words of the repeated passage, so it survives
//! edits elsewhere in the file.

use super::config::CheckConfig;
use crate::analysis::normalize::normalize;
use crate::attribution::provenance::Direction;
use crate::document::{Document, Origin, Source};
use crate::linking::verify::Relation;
use crate::scan::{Pair, Scan};
use std::cmp::Reverse;
use std::ops::Range;

/// A place in a file: a byte range of the original input and where it
/// starts and ends as 1-based lines and columns (columns in characters).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct Location {
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub start: usize,
    pub end: usize,
}

/// What a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FindingKind {
    Pair(Relation),
    Repeat,
}

impl FindingKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::Pair(r) => r.as_str(),
            FindingKind::Repeat => "repeat",
        }
    }

    /// The kind [`FindingKind::as_str`] names.
    pub fn parse(name: &str) -> Option<FindingKind> {
        if name == "repeat" {
            return Some(FindingKind::Repeat);
        }
        super::config::RELATIONS.iter().find(|r| r.as_str() == name).map(|&r| FindingKind::Pair(r))
    }
}

impl serde::Serialize for FindingKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for FindingKind {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        FindingKind::parse(&name).ok_or_else(|| serde::de::Error::custom(format!("unknown finding kind {name:?}")))
    }
}

/// Whether a finding fails the check.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "status", content = "reason", rename_all = "lowercase")]
pub enum Status {
    /// Not known before: fails the check.
    New,
    /// In the baseline the check was given.
    Baselined,
    /// Covered by an allowlist entry: its reason.
    Allowed(String),
}

impl Status {
    pub fn as_str(&self) -> &'static str {
        match self {
            Status::New => "new",
            Status::Baselined => "baselined",
            Status::Allowed(_) => "allowed",
        }
    }
}

/// One finding: a pair of files (or a file and itself, for a repeat).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Finding {
    pub kind: FindingKind,
    /// Stable across edits elsewhere (see the module's documentation).
    pub fingerprint: String,
    /// The score the relation's threshold is compared with.
    pub score: f64,
    /// The copy (or the later occurrence of a repeat)...
    pub copy: Location,
    /// ...and what it copies, as far as the evidence says; for a pair of
    /// undetermined direction, the pair in path order.
    pub original: Location,
    /// Who copied whom: `copies`, `siblings` (both from a common upstream)
    /// or `undetermined`.
    pub direction: String,
    /// The start of the shared passage, whitespace collapsed.
    pub excerpt: String,
    pub status: Status,
}

impl Finding {
    /// A one-line description: what, how much, and where the other side is.
    pub fn message(&self) -> String {
        let what = match self.kind {
            FindingKind::Repeat => return format!("repeats its own passage from line {}", self.original.line),
            FindingKind::Pair(r) => r.as_str(),
        };
        let verb = match self.direction.as_str() {
            "copies" => "copies",
            "siblings" => "shares a common source with",
            _ => "matches",
        };
        format!(
            "{what} ({:.0}%): {verb} {}:{}:{}",
            self.score * 100.0,
            self.original.path,
            self.original.line,
            self.original.column
        )
    }
}

/// Longest excerpt, in characters.
const EXCERPT_CHARS: usize = 80;

/// The findings of `scan` under `config`'s relations and thresholds, in a
/// stable order (by the copy's path and place, then the other's), all
/// [`Status::New`] (see [`super::judge`]).
pub fn findings(scan: &Scan, config: &CheckConfig) -> Vec<Finding> {
    let sources: Vec<SourceText> = scan.documents.iter().map(|d| SourceText::of(d, config)).collect();
    let mut out: Vec<Finding> = scan.pairs.iter().filter_map(|p| pair_finding(scan, &sources, p, config)).collect();
    if config.repeats.value {
        for i in 0..scan.documents.len() {
            out.extend(repeat_findings(scan, &sources, i));
        }
    }
    sort(&mut out);
    out
}

/// Findings in their stable order: by the copy's path and place, then the
/// other's, then kind.
pub fn sort(findings: &mut [Finding]) {
    findings.sort_by(|x, y| (&x.copy, &x.original, x.kind).cmp(&(&y.copy, &y.original, y.kind)));
}

/// What a relation's threshold is compared with (see
/// [`super::config::RelationRule::min_score`]).
pub fn score(pair: &Pair) -> f64 {
    let m = &pair.metrics;
    match pair.relation {
        Relation::Duplicate | Relation::NearDuplicate => m.jaccard,
        Relation::Contained => m.containment_a.max(m.containment_b),
        Relation::Rewritten | Relation::Partial | Relation::Quotation => pair.coverage_a.max(pair.coverage_b),
    }
}

fn pair_finding(scan: &Scan, sources: &[SourceText], pair: &Pair, config: &CheckConfig) -> Option<Finding> {
    let rule = config.rule(pair.relation)?;
    let score = score(pair);
    if !rule.enabled.value || score < rule.min_score.value {
        return None;
    }
    let (a, b) = (pair.a as usize, pair.b as usize);
    let passage = pair.passages.iter().max_by_key(|p| (p.a_tokens, Reverse(p.a.start)));
    let (span_a, span_b) = passage.map_or((0..0, 0..0), |p| (p.a.clone(), p.b.clone()));
    let (la, lb) = (sources[a].locate(span_a), sources[b].locate(span_b));
    let excerpt = passage.map_or_else(String::new, |p| excerpt(&scan.documents[a].text[p.text_a.clone()]));
    let (copy, original, direction) = match pair.attribution.direction {
        Direction::AToB => (lb, la, "copies"),
        Direction::BToA => (la, lb, "copies"),
        Direction::Siblings(_) => ordered(la, lb, "siblings"),
        Direction::Undetermined => ordered(la, lb, "undetermined"),
    };
    let mut paths = [original.path.as_str(), copy.path.as_str()];
    paths.sort_unstable();
    let fingerprint = fingerprint(&["pair", paths[0], paths[1]]);
    Some(Finding {
        kind: FindingKind::Pair(pair.relation),
        fingerprint,
        score,
        copy,
        original,
        direction: direction.to_string(),
        excerpt,
        status: Status::New,
    })
}

/// A pair of no known direction, in path order: the later path is "the
/// copy", so the finding reads the same on every run.
fn ordered(a: Location, b: Location, direction: &'static str) -> (Location, Location, &'static str) {
    if (&a.path, a.start) > (&b.path, b.start) {
        (a, b, direction)
    } else {
        (b, a, direction)
    }
}

fn repeat_findings(scan: &Scan, sources: &[SourceText], i: usize) -> Vec<Finding> {
    let doc = &scan.documents[i];
    scan.source_repeats(i)
        .into_iter()
        .map(|(first, second, repeat)| {
            let words: Vec<String> =
                normalize(&doc.text[repeat.second.clone()]).tokens.iter().map(|t| t.hash.to_string()).collect();
            let path = sources[i].path.clone();
            Finding {
                kind: FindingKind::Repeat,
                fingerprint: fingerprint(&["repeat", &path, &words.join(" ")]),
                score: 1.0,
                copy: sources[i].locate(second),
                original: sources[i].locate(first),
                direction: "copies".to_string(),
                excerpt: excerpt(&doc.text[repeat.second.clone()]),
                status: Status::New,
            }
        })
        .collect()
}

/// A fingerprint of `parts`: `cd1-` and 16 hex digits.
fn fingerprint(parts: &[&str]) -> String {
    format!("cd1-{:016x}", xxhash_rust::xxh3::xxh3_64(parts.join("\0").as_bytes()))
}

/// The first [`EXCERPT_CHARS`] characters of `text`, white space collapsed.
fn excerpt(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    let joined = words.join(" ");
    match joined.char_indices().nth(EXCERPT_CHARS) {
        Some((at, _)) => format!("{}…", &joined[..at]),
        None => joined,
    }
}

/// The path findings name `doc` by: its file relative to the
/// configuration's root (the JSON Lines or feed file it is a record of),
/// else its id.
pub fn path_of(doc: &Document, config: &CheckConfig) -> String {
    match &doc.source {
        Source::File(_) => config.relative(&doc.source.to_string()),
        Source::JsonLine { path, .. } | Source::FeedItem { path, .. } => config.relative(path),
        Source::Memory | Source::Archived(_) => doc.id.clone(),
    }
}

/// A document's original input, as far as locations need it.
struct SourceText {
    path: String,
    /// The input's text, when lines and columns can be counted in it.
    text: Option<String>,
    /// For a JSON Lines record: its line in the file.
    line: Option<usize>,
}

impl SourceText {
    fn of(doc: &Document, config: &CheckConfig) -> SourceText {
        let path = path_of(doc, config);
        match &doc.source {
            Source::File(file) => {
                let text = match doc.origin {
                    Origin::Identity => Some(doc.text.clone()),
                    // Reduced HTML: offsets are into the file's bytes.
                    Origin::Pieces(_) => std::fs::read(file).ok().map(|b| String::from_utf8_lossy(&b).into_owned()),
                };
                SourceText { path, text, line: None }
            }
            Source::JsonLine { line, .. } => SourceText { path, text: None, line: Some(*line) },
            _ => SourceText { path, text: None, line: None },
        }
    }

    fn locate(&self, span: Range<usize>) -> Location {
        let (line, column, end_line, end_column) = match (&self.text, self.line) {
            (Some(text), _) => {
                let (l, c) = super::config::line_column(text, span.start);
                let (el, ec) = super::config::line_column(text, span.end);
                (l, c, el, ec)
            }
            (None, Some(line)) => (line, 1, line, 1),
            (None, None) => (1, 1, 1, 1),
        };
        Location { path: self.path.clone(), line, column, end_line, end_column, start: span.start, end: span.end }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_are_short_and_collapsed() {
        assert_eq!(excerpt("a\n  b\tc"), "a b c");
        let long = "word ".repeat(40);
        let e = excerpt(&long);
        assert_eq!(e.chars().count(), EXCERPT_CHARS + 1);
        assert!(e.ends_with('…'));
    }

    #[test]
    fn fingerprints_depend_on_every_part() {
        let f = fingerprint(&["pair", "a", "b"]);
        assert_eq!(f.len(), 20);
        assert_ne!(f, fingerprint(&["pair", "b", "a"]));
        assert_ne!(fingerprint(&["pair", "ab", ""]), fingerprint(&["pair", "a", "b"]));
    }
}
