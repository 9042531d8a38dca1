//! Report: a finished [`Scan`] in, a report an editor can read out: one
//! self-contained HTML file (inline CSS and a little JS, no network) or
//! Markdown for a ticket or a chat.
//!
//! The scan is first turned into a view model (plain serializable structs:
//! summary, story clusters with their timeline, links with direction and
//! evidence in words, side-by-side passages with the shared text marked by
//! its exact byte range), then rendered by minijinja templates compiled into
//! the binary. The HTML template auto-escapes every value, so article text
//! can never become markup or script; a Content-Security-Policy forbids any
//! network request on top.

use crate::attribution::provenance::Direction;
use crate::linking::align::PassageKind;
use crate::linking::cluster::Cluster;
use crate::output::text::excerpt;
use crate::scan::{Pair, Passage, Scan};
use serde::Serialize;
use std::collections::BTreeMap;
use std::ops::Range;

/// Clusters shown expanded; the rest start collapsed.
pub const OPEN_CLUSTERS: usize = 10;
/// Clusters with more versions than this start collapsed too.
pub const OPEN_MAX_SIZE: usize = 12;
/// Passages shown per link; the rest are counted.
pub const PASSAGES_PER_LINK: usize = 12;
/// Words shown at each end of a long passage until it is opened.
pub const PREVIEW_WORDS: usize = 25;
/// Bytes of context shown on each side of a marked passage.
pub const CONTEXT: usize = 90;

#[derive(Debug, Serialize)]
pub struct ReportView {
    pub tool: String,
    pub summary: SummaryView,
    /// Who took from whom, outlet to outlet: drawn first.
    pub graph: GraphView,
    /// Stories, each holding its version clusters: the outer level.
    pub stories: Vec<StoryView>,
    /// Passages many stories carry: one upstream, quoted everywhere.
    pub common: Vec<CommonView>,
    /// Articles in no story that the scan found something in: repeats,
    /// credits, or passages many stories carry.
    pub alone: Vec<MemberView>,
    pub skipped: Vec<SkippedView>,
}

#[derive(Debug, Serialize)]
pub struct SkippedView {
    /// The path, with `:line` for a JSON Lines record.
    pub path: String,
    pub reason: String,
}

/// A cluster's dated versions on a time axis drawn to scale.
#[derive(Debug, Serialize)]
pub struct ScaleView {
    pub first: String,
    pub last: String,
    pub points: Vec<PointView>,
}

#[derive(Debug, Serialize)]
pub struct PointView {
    pub x: f64,
    pub label: String,
    /// Dated by the text rather than by metadata.
    pub from_text: bool,
}

/// Width of the drawn time axis, in SVG units, and its margin.
const SCALE_WIDTH: f64 = 600.0;
const SCALE_MARGIN: f64 = 20.0;

/// The time axis of a cluster's dated members (publication time, else a
/// date read from the text).
fn scale(scan: &Scan, members: &[u32]) -> Option<ScaleView> {
    let dated: Vec<(u32, u8, i64)> = members
        .iter()
        .map(|&d| (d, dated(scan, d)))
        .filter(|(_, (class, _))| *class < 2)
        .map(|(d, (c, t))| (d, c, t))
        .collect();
    if dated.len() < 2 {
        return None;
    }
    let (low, high) = (dated.iter().map(|x| x.2).min()?, dated.iter().map(|x| x.2).max()?);
    let span = (high - low).max(1) as f64;
    let day = |t: i64| {
        jiff::Timestamp::from_second(t).map_or_else(|_| String::new(), |ts| ts.strftime("%Y-%m-%d %H:%M").to_string())
    };
    let points = dated
        .iter()
        .map(|&(d, class, t)| {
            let doc = &scan.documents[d as usize];
            let x = SCALE_MARGIN + (SCALE_WIDTH - 2.0 * SCALE_MARGIN) * (t - low) as f64 / span;
            let who = doc.meta.outlet.clone().unwrap_or_else(|| doc.id.clone());
            let how = if class == 1 { " (date from the text)" } else { "" };
            PointView { x: (x * 10.0).round() / 10.0, label: format!("{who}: {}{how}", day(t)), from_text: class == 1 }
        })
        .collect();
    Some(ScaleView { first: day(low), last: day(high), points })
}

/// The outlet graph: outlets on a circle, an arrow from each source outlet
/// to each outlet that took from it, as wide as the copies are many.
#[derive(Debug, Serialize, Default)]
pub struct GraphView {
    pub size: u32,
    pub nodes: Vec<NodeView>,
    pub edges: Vec<EdgeView>,
    /// Outlets left out to keep the picture readable.
    pub hidden: usize,
}

#[derive(Debug, Serialize)]
pub struct NodeView {
    pub name: String,
    pub x: f64,
    pub y: f64,
    pub label_x: f64,
    pub label_y: f64,
    pub anchor: &'static str,
    /// Copies taken from it, and taken by it.
    pub given: usize,
    pub taken: usize,
}

#[derive(Debug, Serialize)]
pub struct EdgeView {
    pub from: String,
    pub to: String,
    pub count: usize,
    pub x1: f64,
    pub y1: f64,
    pub x2: f64,
    pub y2: f64,
    pub width: f64,
}

/// Outlets the graph shows at most (those in the most copies).
pub const GRAPH_OUTLETS: usize = 24;

/// The outlet graph of the scan's directed links between outlets.
fn graph(scan: &Scan) -> GraphView {
    let outlet = |d: u32| scan.documents[d as usize].meta.outlet.clone();
    let mut counts: BTreeMap<(String, String), usize> = BTreeMap::new();
    for p in scan.pairs.iter().filter(|p| p.relation.links()) {
        let (source, copy) = match p.attribution.direction {
            Direction::AToB => (p.a, p.b),
            Direction::BToA => (p.b, p.a),
            _ => continue,
        };
        if let (Some(from), Some(to)) = (outlet(source), outlet(copy)) {
            if from != to {
                *counts.entry((from, to)).or_default() += 1;
            }
        }
    }
    let mut degree: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for ((from, to), &n) in &counts {
        degree.entry(from).or_default().0 += n;
        degree.entry(to).or_default().1 += n;
    }
    let mut outlets: Vec<(&str, (usize, usize))> = degree.into_iter().collect();
    outlets.sort_by(|a, b| (b.1 .0 + b.1 .1).cmp(&(a.1 .0 + a.1 .1)).then(a.0.cmp(b.0)));
    let hidden = outlets.len().saturating_sub(GRAPH_OUTLETS);
    outlets.truncate(GRAPH_OUTLETS);
    let (size, radius, node) = (640.0, 220.0, 6.0);
    let centre = size / 2.0;
    let at: BTreeMap<&str, (f64, f64, f64)> = outlets
        .iter()
        .enumerate()
        .map(|(k, (name, _))| {
            let angle = std::f64::consts::TAU * k as f64 / outlets.len().max(1) as f64 - std::f64::consts::FRAC_PI_2;
            (*name, (centre + radius * angle.cos(), centre + radius * angle.sin(), angle))
        })
        .collect();
    let round = |v: f64| (v * 10.0).round() / 10.0;
    let nodes = outlets
        .iter()
        .map(|(name, (given, taken))| {
            let (x, y, angle) = at[name];
            NodeView {
                name: name.to_string(),
                x: round(x),
                y: round(y),
                label_x: round(x + 12.0 * angle.cos()),
                label_y: round(y + 12.0 * angle.sin() + 4.0),
                anchor: if angle.cos() < -0.2 {
                    "end"
                } else if angle.cos() > 0.2 {
                    "start"
                } else {
                    "middle"
                },
                given: *given,
                taken: *taken,
            }
        })
        .collect();
    let edges = counts
        .iter()
        .filter_map(|((from, to), &count)| {
            let (&(x1, y1, _), &(x2, y2, _)) = (at.get(from.as_str())?, at.get(to.as_str())?);
            let length = ((x2 - x1).powi(2) + (y2 - y1).powi(2)).sqrt().max(1.0);
            // Stop short of both circles, so the arrowhead shows.
            let (dx, dy) = ((x2 - x1) / length, (y2 - y1) / length);
            Some(EdgeView {
                from: from.clone(),
                to: to.clone(),
                count,
                x1: round(x1 + dx * node),
                y1: round(y1 + dy * node),
                x2: round(x2 - dx * (node + 3.0)),
                y2: round(y2 - dy * (node + 3.0)),
                width: round(1.0 + 1.5 * (count as f64).ln()),
            })
        })
        .collect();
    GraphView { size: size as u32, nodes, edges, hidden }
}

/// A story: version clusters and the other write-ups joined to them by
/// substantial reuse. A story of one cluster and nothing else is shown as
/// that cluster alone (`nested` false).
#[derive(Debug, Serialize)]
pub struct StoryView {
    pub id: String,
    pub title: String,
    pub size: usize,
    pub nested: bool,
    pub clusters: Vec<ClusterView>,
    /// Members in no version cluster.
    pub others: Vec<MemberView>,
}

#[derive(Debug, Serialize)]
pub struct CommonView {
    pub text: String,
    pub furniture: bool,
    pub documents: usize,
    pub stories: usize,
}

#[derive(Debug, Serialize)]
pub struct SummaryView {
    pub articles: usize,
    pub clusters: usize,
    pub cross_outlet_copies: usize,
    pub rewrites: usize,
    pub quotation_pairs: usize,
    pub stories: usize,
    pub common_passages: usize,
    pub repeats: usize,
    pub boilerplate: usize,
    pub skipped: usize,
    pub top_sources: Vec<(String, usize)>,
}

#[derive(Debug, Serialize)]
pub struct ClusterView {
    pub id: String,
    pub title: String,
    /// Why the canonical member is the one kept, as the scan chose it.
    pub canonical_reason: &'static str,
    /// The dated versions drawn to scale, when at least two are dated.
    pub scale: Option<ScaleView>,
    pub size: usize,
    pub open: bool,
    pub outlets: usize,
    pub members: Vec<MemberView>,
    pub links: Vec<LinkView>,
    /// Lowercase text the search box matches against.
    pub search: String,
}

#[derive(Debug, Serialize)]
pub struct MemberView {
    pub id: String,
    pub outlet: String,
    pub published: String,
    pub canonical: bool,
    pub title: String,
    pub repeats: Vec<RepeatView>,
    pub boilerplate: Vec<String>,
    pub credits: Vec<String>,
    /// The document's URL as text; `linked` only when it is http(s).
    pub url: String,
    pub linked: bool,
    /// Passages many stories carry that it holds.
    pub common: usize,
}

#[derive(Debug, Serialize)]
pub struct RepeatView {
    pub kind: &'static str,
    pub first: String,
    pub second: String,
    pub first_span: (usize, usize),
    pub second_span: (usize, usize),
}

#[derive(Debug, Serialize)]
pub struct LinkView {
    /// Left column: the source, or `a` when no source is named.
    pub left: String,
    /// Right column: the copy, or `b`.
    pub right: String,
    /// `copy`, `siblings` or `undetermined`.
    pub direction: &'static str,
    /// The arrow and its words, e.g. "← copied from".
    pub arrow: String,
    pub relation: &'static str,
    /// Share of the right-hand document found in the left one, in percent.
    pub share: u32,
    pub confidence: u32,
    pub evidence: Vec<String>,
    pub passages: Vec<PassageView>,
    pub more_passages: usize,
}

#[derive(Debug, Serialize)]
pub struct PassageView {
    pub kind: &'static str,
    pub label: &'static str,
    pub score: u32,
    pub left: SideView,
    pub right: SideView,
}

/// One side of a passage: the marked text with some context around it.
#[derive(Debug, Serialize)]
pub struct SideView {
    pub before: String,
    pub mark: String,
    /// For a long mark: its opening and closing words, shown until the
    /// reader asks for all of it.
    pub preview: Option<String>,
    pub words: usize,
    pub after: String,
    /// The byte range of the original input the mark shows.
    pub start: usize,
    pub end: usize,
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

fn side(text: &str, shown: &Range<usize>, source: &Range<usize>) -> SideView {
    let start = floor_boundary(text, shown.start);
    let end = ceil_boundary(text, shown.end.max(start));
    let from = floor_boundary(text, start.saturating_sub(CONTEXT));
    let to = ceil_boundary(text, end + CONTEXT);
    let squash = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let ellipsis = |cut: bool| if cut { "…" } else { "" };
    let mark = squash(&text[start..end]);
    let words: Vec<&str> = mark.split(' ').collect();
    let preview = (words.len() > 2 * PREVIEW_WORDS + 10)
        .then(|| format!("{} … {}", words[..PREVIEW_WORDS].join(" "), words[words.len() - PREVIEW_WORDS..].join(" ")));
    SideView {
        before: format!("{}{}", ellipsis(from > 0), squash(&text[from..start])),
        words: words.len(),
        preview,
        mark,
        after: format!("{}{}", squash(&text[end..to]), ellipsis(to < text.len())),
        start: source.start,
        end: source.end,
    }
}

fn kind_label(kind: PassageKind) -> &'static str {
    match kind {
        PassageKind::Verbatim => "verbatim",
        PassageKind::Edited => "edited",
        PassageKind::Rewritten => "rewritten",
        PassageKind::Quotation => "quotation",
    }
}

fn member(scan: &Scan, d: u32, canonical: bool) -> MemberView {
    let doc = &scan.documents[d as usize];
    let a = &scan.analyses[d as usize];
    MemberView {
        id: doc.id.clone(),
        outlet: doc.meta.outlet.clone().unwrap_or_default(),
        published: doc
            .meta
            .published
            .as_ref()
            .map(|p| p.raw.clone())
            .or_else(|| {
                a.provenance.text_date.as_ref().map(|t| format!("{} (from the text)", t.at.strftime("%Y-%m-%d")))
            })
            .unwrap_or_default(),
        canonical,
        title: doc.meta.title.clone().unwrap_or_else(|| headline(&doc.text, a)),
        repeats: scan
            .source_repeats(d as usize)
            .into_iter()
            .map(|(first, second, r)| RepeatView {
                kind: r.kind.as_str(),
                first: excerpt(&doc.text, r.first.clone(), 160),
                second: excerpt(&doc.text, r.second.clone(), 160),
                first_span: (first.start, first.end),
                second_span: (second.start, second.end),
            })
            .collect(),
        boilerplate: a.boilerplate.iter().map(|b| excerpt(&doc.text, b.span.clone(), 100)).collect(),
        credits: a.provenance.credits.iter().map(|c| format!("{} ({})", c.upstream, c.kind)).collect(),
        url: doc.meta.url.clone().unwrap_or_default(),
        linked: doc.meta.url.as_deref().is_some_and(is_web_address),
        common: scan.common_passages.iter().filter(|c| c.occurrences.iter().any(|o| o.0 == d)).count(),
    }
}

/// Words a line needs to read as a headline, and the most it may have.
const HEADLINE_WORDS: std::ops::RangeInclusive<usize> = 3..=30;

/// A title for a document without one: its first line outside
/// boilerplate that reads as a headline (a few words, mostly letters, not
/// a list marker or a counter such as "1 / 19"), else its first line.
fn headline(text: &str, a: &crate::scan::Analysis) -> String {
    let in_boilerplate = |at: usize| a.boilerplate.iter().any(|b| b.span.contains(&at));
    let reads_as_headline = |line: &str| {
        let words = line.split_whitespace().count();
        let letters = line.chars().filter(|c| c.is_alphabetic()).count();
        let first = line.chars().next().unwrap_or(' ');
        let opens_well = first.is_alphanumeric() || first == '"' || first == '“';
        HEADLINE_WORDS.contains(&words) && letters * 2 >= line.chars().count() && opens_well
    };
    let mut at = 0;
    let mut first_line: Option<&str> = None;
    for raw in text.split_inclusive('\n') {
        let line = raw.trim();
        let start = at + (raw.len() - raw.trim_start().len());
        at += raw.len();
        if line.is_empty() {
            continue;
        }
        first_line.get_or_insert(line);
        if !in_boilerplate(start) && reads_as_headline(line) {
            return excerpt(line, 0..line.len(), 120);
        }
    }
    let line = first_line.unwrap_or("");
    excerpt(line, 0..line.len(), 120)
}

/// Whether `url` is an http(s) address, the only kind the report links.
fn is_web_address(url: &str) -> bool {
    let lower = url.trim_start().to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://")) && !url.chars().any(char::is_whitespace)
}

fn link(scan: &Scan, p: &Pair) -> LinkView {
    let att = &p.attribution;
    // Left is the source, right the copy; a and b when undecided.
    let swap = att.direction == Direction::BToA;
    let (l, r) = if swap { (p.b, p.a) } else { (p.a, p.b) };
    let (direction, arrow) = match &att.direction {
        Direction::AToB | Direction::BToA => ("copy", "→ copied by".to_string()),
        Direction::Siblings(up) => ("siblings", format!("↔ siblings of {up}")),
        Direction::Undetermined => ("undetermined", "↔ direction undetermined".to_string()),
    };
    let share = if swap { p.coverage_a } else { p.coverage_b };
    let (lt, rt) = (&scan.documents[l as usize].text, &scan.documents[r as usize].text);
    let view = |x: &Passage| {
        let (ls, rs, lsrc, rsrc) =
            if swap { (&x.text_b, &x.text_a, &x.b, &x.a) } else { (&x.text_a, &x.text_b, &x.a, &x.b) };
        PassageView {
            kind: kind_label(x.kind),
            label: match x.kind {
                PassageKind::Verbatim => "V",
                PassageKind::Edited => "E",
                PassageKind::Rewritten => "R",
                PassageKind::Quotation => "Q",
            },
            score: (x.score * 100.0).round() as u32,
            left: side(lt, ls, lsrc),
            right: side(rt, rs, rsrc),
        }
    };
    LinkView {
        left: scan.documents[l as usize].id.clone(),
        right: scan.documents[r as usize].id.clone(),
        direction,
        arrow,
        relation: p.relation.as_str(),
        share: (share * 100.0).round() as u32,
        confidence: (att.confidence * 100.0).round() as u32,
        evidence: att.evidence.iter().filter(|e| e.weight > 0.0).map(|e| e.detail.clone()).collect(),
        passages: p.passages.iter().take(PASSAGES_PER_LINK).map(view).collect(),
        more_passages: p.passages.len().saturating_sub(PASSAGES_PER_LINK),
    }
}

/// Where a document stands in a timeline: published times first (by time),
/// then dates read from the text (by date), then the undated.
fn dated(scan: &Scan, d: u32) -> (u8, i64) {
    let doc = &scan.documents[d as usize];
    if let Some(at) = doc.meta.published.as_ref().and_then(|p| p.seconds()) {
        return (0, at);
    }
    match &scan.analyses[d as usize].provenance.text_date {
        Some(t) => (1, t.at.as_second()),
        None => (2, 0),
    }
}

fn cluster(scan: &Scan, c: &Cluster) -> ClusterView {
    let mut members: Vec<u32> = c.members.clone();
    // Timeline: publication order (undated last), canonical first among equals.
    members.sort_by_key(|&d| (dated(scan, d), d != c.canonical, d));
    let links: Vec<LinkView> = cluster_links(scan, c).into_iter().map(|p| link(scan, p)).collect();
    let members: Vec<MemberView> = members.iter().map(|&d| member(scan, d, d == c.canonical)).collect();
    let outlets: std::collections::BTreeSet<&str> = members.iter().map(|m| m.outlet.as_str()).collect();
    let title = members.iter().find(|m| m.canonical).map(|m| m.title.clone()).unwrap_or_default();
    let search = std::iter::once(title.clone())
        .chain(members.iter().flat_map(|m| [m.id.clone(), m.outlet.clone(), m.title.clone()]))
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    let published = |d: u32| scan.documents[d as usize].meta.published.as_ref().and_then(|p| p.seconds());
    let canonical_reason = if published(c.canonical).is_some() {
        "the earliest published"
    } else {
        "the longest: no version has a publication time"
    };
    ClusterView {
        scale: scale(scan, &c.members),
        id: c.id.clone(),
        title,
        canonical_reason,
        size: members.len(),
        open: false,
        outlets: outlets.len(),
        members,
        links,
        search,
    }
}

/// The links a cluster section shows: for each member but the canonical one,
/// its link to the document it took from (or, failing a direction, to the
/// canonical member, else its strongest link), so a story told by thirty
/// outlets shows thirty arrows, not four hundred pairs.
fn cluster_links<'a>(scan: &'a Scan, c: &Cluster) -> Vec<&'a Pair> {
    let in_cluster: std::collections::HashSet<u32> = c.members.iter().copied().collect();
    let within: Vec<&Pair> = scan
        .pairs
        .iter()
        .filter(|p| p.relation.links() && in_cluster.contains(&p.a) && in_cluster.contains(&p.b))
        .collect();
    let mut chosen: Vec<&Pair> = Vec::new();
    for &m in c.members.iter().filter(|&&m| m != c.canonical) {
        let involving = || within.iter().copied().filter(move |p| p.a == m || p.b == m);
        let copy_of = |p: &&Pair| match p.attribution.direction {
            Direction::AToB => p.b == m,
            Direction::BToA => p.a == m,
            _ => false,
        };
        let strength = |p: &&Pair| (p.coverage_a.min(p.coverage_b) * 1e6) as u64;
        let best = involving()
            .filter(copy_of)
            .max_by_key(strength)
            .or_else(|| involving().find(|p| p.a == c.canonical || p.b == c.canonical))
            .or_else(|| involving().max_by_key(strength));
        if let Some(p) = best {
            if !chosen.iter().any(|q| std::ptr::eq(*q, p)) {
                chosen.push(p);
            }
        }
    }
    chosen
}

/// Builds the view model of a report.
pub fn view(scan: &Scan) -> ReportView {
    let mut clusters: Vec<(Option<i64>, ClusterView)> = scan
        .clusters
        .iter()
        .map(|c| {
            let latest =
                c.members.iter().filter_map(|&d| scan.documents[d as usize].meta.published.as_ref()?.seconds()).max();
            (latest, cluster(scan, c))
        })
        .collect();
    // Largest stories first, then the most recent.
    clusters.sort_by(|(la, a), (lb, b)| b.size.cmp(&a.size).then(lb.cmp(la)).then(a.id.cmp(&b.id)));
    let mut clusters: Vec<ClusterView> = clusters.into_iter().map(|(_, c)| c).collect();
    for c in clusters.iter_mut().take(OPEN_CLUSTERS) {
        c.open = c.size <= OPEN_MAX_SIZE;
    }
    let stories = stories(scan, clusters);
    let outlet = |d: u32| scan.documents[d as usize].meta.outlet.clone();
    let mut cross_outlet = 0;
    let mut sources: BTreeMap<String, usize> = BTreeMap::new();
    for p in scan.pairs.iter().filter(|p| p.relation.links()) {
        if outlet(p.a).is_some() && outlet(p.a) != outlet(p.b) {
            cross_outlet += 1;
        }
        let source = match p.attribution.direction {
            Direction::AToB => Some(p.a),
            Direction::BToA => Some(p.b),
            _ => None,
        };
        if let Some(s) = source {
            let name = outlet(s).unwrap_or_else(|| scan.documents[s as usize].id.clone());
            *sources.entry(name).or_default() += 1;
        }
    }
    let mut top_sources: Vec<(String, usize)> = sources.into_iter().collect();
    top_sources.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    top_sources.truncate(10);
    let in_story: std::collections::HashSet<u32> =
        scan.stories.iter().flat_map(|s| s.members.iter().copied()).collect();
    let alone = (0..scan.documents.len() as u32)
        .filter(|d| !in_story.contains(d))
        .map(|d| member(scan, d, false))
        .filter(|m| !m.repeats.is_empty() || !m.credits.is_empty() || m.common > 0)
        .collect();
    let skipped = scan
        .skipped
        .iter()
        .map(|s| SkippedView {
            path: s.line.map_or_else(|| s.path.clone(), |line| format!("{}:{line}", s.path)),
            reason: s.reason.clone(),
        })
        .collect();
    ReportView {
        tool: format!("copydesk {}", env!("CARGO_PKG_VERSION")),
        graph: graph(scan),
        summary: SummaryView {
            articles: scan.documents.len(),
            clusters: scan.clusters.len(),
            cross_outlet_copies: cross_outlet,
            rewrites: scan.pairs.iter().filter(|p| p.relation == crate::linking::verify::Relation::Rewritten).count(),
            quotation_pairs: scan
                .pairs
                .iter()
                .filter(|p| p.relation == crate::linking::verify::Relation::Quotation)
                .count(),
            stories: scan.stories.len(),
            common_passages: scan.common_passages.len(),
            repeats: scan.analyses.iter().map(|a| a.repeats.len()).sum(),
            boilerplate: scan.analyses.iter().map(|a| a.boilerplate.len()).sum(),
            skipped: scan.skipped.len(),
            top_sources,
        },
        stories,
        common: scan
            .common_passages
            .iter()
            .map(|c| {
                let (d, at) = &c.occurrences[0];
                let text = &scan.documents[*d as usize].text;
                CommonView {
                    text: excerpt(text, at.clone(), 400),
                    furniture: c.kind() == "outlet-furniture",
                    documents: c.documents(),
                    stories: c.stories,
                }
            })
            .collect(),
        alone,
        skipped,
    }
}

/// Groups the (sorted) cluster views into stories, largest first (among
/// equals, in the order of each story's first cluster, stories of loose
/// write-ups only last).
fn stories(scan: &Scan, clusters: Vec<ClusterView>) -> Vec<StoryView> {
    let mut story_of_cluster: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (k, s) in scan.stories.iter().enumerate() {
        for &c in &s.clusters {
            story_of_cluster.insert(scan.clusters[c].id.as_str(), k);
        }
    }
    let mut views: Vec<Option<StoryView>> = scan
        .stories
        .iter()
        .map(|s| {
            let clustered: std::collections::HashSet<u32> =
                s.clusters.iter().flat_map(|&c| scan.clusters[c].members.iter().copied()).collect();
            let others: Vec<MemberView> =
                s.members.iter().filter(|m| !clustered.contains(m)).map(|&m| member(scan, m, false)).collect();
            let title = others.first().map(|m| m.title.clone()).unwrap_or_default();
            Some(StoryView {
                id: s.id.clone(),
                title,
                size: s.members.len(),
                nested: false,
                clusters: Vec::new(),
                others,
            })
        })
        .collect();
    let mut order: Vec<usize> = Vec::new();
    let mut out: Vec<StoryView> = Vec::new();
    for c in clusters {
        match story_of_cluster.get(c.id.as_str()) {
            Some(&k) => {
                if !order.contains(&k) {
                    order.push(k);
                }
                if let Some(view) = views[k].as_mut() {
                    view.clusters.push(c);
                }
            }
            None => out.push(StoryView {
                id: c.id.clone(),
                title: c.title.clone(),
                size: c.size,
                nested: false,
                clusters: vec![c],
                others: Vec::new(),
            }),
        }
    }
    let mut loose: Vec<usize> = (0..views.len()).filter(|k| !order.contains(k)).collect();
    loose.sort_by_key(|&k| std::cmp::Reverse(scan.stories[k].members.len()));
    let mut stories: Vec<StoryView> = order.into_iter().chain(loose).filter_map(|k| views[k].take()).collect();
    for s in stories.iter_mut() {
        if let Some(first) = s.clusters.first() {
            s.title = first.title.clone();
        }
        s.nested = s.clusters.len() > 1 || !s.others.is_empty();
    }
    stories.extend(out);
    // Largest reach first (a stable sort keeps the clusters' order among equals).
    stories.sort_by_key(|s| std::cmp::Reverse(s.size));
    stories
}

/// Report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Html,
    Markdown,
}

/// The report's one script, kept apart so the Content-Security-Policy
/// can allow exactly it (by its hash) and no other script.
const SCRIPT: &str = include_str!("filter.js");

/// The CSP source for [`SCRIPT`]: its SHA-256, in base64.
fn script_hash() -> String {
    use base64::Engine;
    use sha2::Digest;
    base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(SCRIPT.as_bytes()))
}

/// Escapes what Markdown renderers would otherwise take as markup; line
/// breaks become spaces, so no value can start a heading, list or quote.
fn markdown_escape(value: String) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\n' | '\r' | '\u{2028}' | '\u{2029}' => out.push(' '),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '*' | '_' | '`' | '[' | ']' | '|' | '#' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// Renders a report of `scan`.
pub fn render(scan: &Scan, format: Format) -> Result<String, minijinja::Error> {
    let mut env = minijinja::Environment::new();
    env.add_template("report.html", include_str!("report.html.j2"))?;
    env.add_template("report.md", include_str!("report.md.j2"))?;
    env.add_filter("md", markdown_escape);
    env.add_filter("clip", |value: String, max: usize| {
        if value.chars().count() <= max {
            value
        } else {
            format!("{}…", value.chars().take(max).collect::<String>())
        }
    });
    let name = match format {
        Format::Html => "report.html",
        Format::Markdown => "report.md",
    };
    env.get_template(name)?
        .render(minijinja::context! { r => view(scan), script => SCRIPT, script_hash => script_hash() })
}
