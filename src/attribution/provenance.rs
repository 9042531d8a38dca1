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
//! * **Credit lines** naming an upstream, as each document's
//!   [`claims`](crate::attribution::claims) read them: "(The Nation)", "By
//!   Reuters", "(AP) —", "Agencies add:", "Additional reporting by AP",
//!   "PHOTO: DAWN", "Copyright … Associated Press". A document crediting
//!   the other's outlet took from it; two documents crediting the same
//!   third outlet are siblings of it.
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

use crate::attribution::claims::DocumentProvenance;
use crate::attribution::layout::Layout;
use crate::document::Document;
use std::cell::OnceCell;

/// Evidence weight needed to name a direction.
pub const DECISION: f64 = 0.5;
/// Publication times closer than this (seconds) are simultaneous.
pub const METADATA_MARGIN: i64 = 3600;
/// Dates read from text have day precision: they must differ by a day.
pub const TEXT_DATE_MARGIN: i64 = 86_400;
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
    keys_match(&outlet_key(outlet), &outlet_key(upstream))
}

/// Whether two [`outlet_key`]s name the same outlet.
fn keys_match(a: &str, b: &str) -> bool {
    a.len() >= 3 && b.len() >= 3 && (a == b || a.contains(b) || b.contains(a))
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
    // Each side's outlet key is worked out once, and only if some credit
    // is weighed against it.
    let outlets: [OnceCell<Option<String>>; 2] = Default::default();
    let outlet = |k: usize| outlets[k].get_or_init(|| docs[k].meta.outlet.as_deref().map(outlet_key)).as_deref();
    let mut sibling_of: Option<String> = None;
    for (i, j) in [(0usize, 1usize), (1, 0)] {
        for c in &provs[i].credits {
            // A photo credit is not the text's upstream, and "Agencies" names
            // no one in particular.
            if c.kind == "photo" || c.kind == "agencies" {
                continue;
            }
            let upstream = outlet_key(&c.upstream);
            let names_upstream = |k: usize| outlet(k).is_some_and(|o| keys_match(o, &upstream));
            let both_credit = || provs[1].credits.iter().any(|d| d.upstream == c.upstream && d.kind == c.kind);
            if names_upstream(j) {
                evidence.push(Evidence {
                    kind: "credit",
                    source: Some(j),
                    weight: 2.0,
                    detail: format!("{} credits {} ({})", name(i), c.upstream, name(j)),
                });
            } else if i == 0 && both_credit() && !names_upstream(0) && !names_upstream(1) && sibling_of.is_none() {
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
    use crate::attribution::claims::read;

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
