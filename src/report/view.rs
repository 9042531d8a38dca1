//! View model: a finished [`Scan`] in, plain serializable structs out
//! (summary, stories holding their version clusters with a timeline, links
//! with direction and evidence in words, side-by-side passages marked by
//! their exact byte ranges, the findings of articles in no story, skipped
//! inputs). Every statement the templates print is read from here, and
//! everything here is read from the scan, so the report says what the
//! scan's JSON says.

use super::diff::{word_diff, Piece};
use super::headline::headline;
use super::pictures::{dated, graph, scale, GraphView, ScaleView};
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
    /// How the report names it: outlet and title (the id shows on hover).
    pub name: String,
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
    /// Left column: the source, or `a` when no source is named (its id).
    pub left: String,
    /// Right column: the copy, or `b`.
    pub right: String,
    /// The two documents' names: outlet and title.
    pub left_name: String,
    pub right_name: String,
    /// `copy`, `siblings` or `undetermined`.
    pub direction: &'static str,
    /// The arrow and its words, e.g. "← copied from".
    pub arrow: String,
    pub relation: &'static str,
    /// Share of the right-hand document found in the left one, in percent.
    pub share: u32,
    pub confidence: u32,
    /// What the evidence adds up to, in one sentence.
    pub verdict: String,
    pub evidence: Vec<EvidenceView>,
    pub passages: Vec<PassageView>,
    pub more_passages: usize,
    /// Passages shown open (the first link of a cluster); the others
    /// behind an expander, so a long story stays a few screens long.
    pub open: bool,
}

#[derive(Debug, Serialize)]
pub struct EvidenceView {
    pub detail: String,
    /// The id of the document this item names as the source, or empty.
    pub favours: String,
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
    /// For an edited passage: the mark's words as runs kept, dropped or
    /// added against the other side.
    pub pieces: Option<Vec<Piece>>,
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
        pieces: None,
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

fn member(scan: &Context, d: u32, canonical: bool) -> MemberView {
    let doc = &scan.documents[d as usize];
    let a = &scan.analyses[d as usize];
    MemberView {
        id: doc.id.clone(),
        name: name(scan, d),
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
        title: title(scan, d),
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

/// Whether `url` is an http(s) address, the only kind the report links.
fn is_web_address(url: &str) -> bool {
    let lower = url.trim_start().to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://")) && !url.chars().any(char::is_whitespace)
}

fn link(scan: &Context, p: &Pair) -> LinkView {
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
    let id = |d: u32| scan.documents[d as usize].id.clone();
    let evidence: Vec<EvidenceView> = att
        .evidence
        .iter()
        .filter(|e| e.weight > 0.0)
        .map(|e| EvidenceView {
            detail: e.detail.clone(),
            favours: e.source.map(|side| id(if side == 0 { p.a } else { p.b })).unwrap_or_default(),
        })
        .collect();
    LinkView {
        left: id(l),
        right: id(r),
        left_name: name(scan, l),
        right_name: name(scan, r),
        direction,
        arrow,
        relation: p.relation.as_str(),
        share: (share * 100.0).round() as u32,
        confidence: (att.confidence * 100.0).round() as u32,
        verdict: verdict(&att.direction, &evidence, &name(scan, l)),
        evidence,
        passages: p.passages.iter().take(PASSAGES_PER_LINK).map(|x| passage(scan, x, [l, r], swap)).collect(),
        more_passages: p.passages.len().saturating_sub(PASSAGES_PER_LINK),
        open: false,
    }
}

/// One sentence on what the evidence of a link adds up to. A direction is
/// only ever named with every item pointing its way (the scan makes sure).
fn verdict(direction: &Direction, evidence: &[EvidenceView], source: &str) -> String {
    let ways: std::collections::BTreeSet<&str> =
        evidence.iter().map(|e| e.favours.as_str()).filter(|f| !f.is_empty()).collect();
    match direction {
        Direction::AToB | Direction::BToA => format!("All the evidence points to {source} as the source."),
        Direction::Siblings(up) if ways.is_empty() => format!("Both credit {up}: each took from it."),
        Direction::Siblings(up) => {
            format!("Both credit {up}, so each is taken to come from it; that outweighs what points one way below.")
        }
        Direction::Undetermined if ways.len() > 1 => {
            "The evidence points both ways, so no direction is given.".to_string()
        }
        Direction::Undetermined if evidence.is_empty() => "No evidence says which came first.".to_string(),
        Direction::Undetermined => "The evidence is too weak to name a source.".to_string(),
    }
}

/// A passage side by side, source on the left; an edited one with the
/// words changed inside it marked.
fn passage(scan: &Context, x: &Passage, [l, r]: [u32; 2], swap: bool) -> PassageView {
    let (lt, rt) = (&scan.documents[l as usize].text, &scan.documents[r as usize].text);
    let (ls, rs, lsrc, rsrc) =
        if swap { (&x.text_b, &x.text_a, &x.b, &x.a) } else { (&x.text_a, &x.text_b, &x.a, &x.b) };
    let (mut left, mut right) = (side(lt, ls, lsrc), side(rt, rs, rsrc));
    if x.kind == PassageKind::Edited {
        let (lp, rp) = word_diff(&left.mark, &right.mark);
        (left.pieces, right.pieces) = (Some(lp), Some(rp));
    }
    PassageView {
        kind: kind_label(x.kind),
        label: match x.kind {
            PassageKind::Verbatim => "V",
            PassageKind::Edited => "E",
            PassageKind::Rewritten => "R",
            PassageKind::Quotation => "Q",
        },
        score: (x.score * 100.0).round() as u32,
        left,
        right,
    }
}

/// A document's title: its metadata's, else the headline read from its text.
fn title(scan: &Context, d: u32) -> String {
    scan.titles[d as usize].clone()
}

/// How the report names a document: its outlet and title, else what it has
/// of them, else its id.
fn name(scan: &Context, d: u32) -> String {
    let doc = &scan.documents[d as usize];
    let title = title(scan, d);
    match (doc.meta.outlet.as_deref(), title.is_empty()) {
        (Some(outlet), false) => format!("{outlet}: {title}"),
        (Some(outlet), true) => outlet.to_string(),
        (None, false) => title,
        (None, true) => doc.id.clone(),
    }
}

fn cluster(scan: &Context, c: &Cluster) -> ClusterView {
    let mut members: Vec<u32> = c.members.clone();
    // Timeline: publication order (undated last), canonical first among equals.
    members.sort_by_key(|&d| (dated(scan, d), d != c.canonical, d));
    let mut links: Vec<LinkView> = cluster_links(scan, c).into_iter().map(|p| link(scan, p)).collect();
    if let Some(first) = links.first_mut() {
        first.open = true;
    }
    let members: Vec<MemberView> = members.iter().map(|&d| member(scan, d, d == c.canonical)).collect();
    let outlets: std::collections::BTreeSet<&str> = members.iter().map(|m| m.outlet.as_str()).collect();
    let title = members.iter().find(|m| m.canonical).map(|m| m.title.clone()).unwrap_or_default();
    let search = std::iter::once(title.clone())
        .chain(members.iter().flat_map(|m| [m.id.clone(), m.outlet.clone(), m.title.clone()]))
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    let canonical_reason = canonical_reason(scan, c);
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

/// Why the scan kept the canonical member: the earliest published (the
/// fullest text among versions published at that same second), else the
/// fullest text when no version has a publication time.
fn canonical_reason(scan: &Context, c: &Cluster) -> &'static str {
    let published = |d: u32| scan.documents[d as usize].meta.published.as_ref().and_then(|p| p.seconds());
    match published(c.canonical) {
        Some(at) if c.members.iter().any(|&d| d != c.canonical && published(d) == Some(at)) => {
            "the earliest published, and the fullest of the versions published at that time"
        }
        Some(_) => "the earliest published",
        None => "the fullest text: no version has a publication time",
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

/// The scan, and what the report reads once from all of it: each
/// document's title.
struct Context<'a> {
    scan: &'a Scan,
    titles: Vec<String>,
}

impl<'a> Context<'a> {
    fn new(scan: &'a Scan) -> Self {
        let furniture = furniture_lines(scan);
        let titles = (0..scan.documents.len())
            .map(|d| {
                let (doc, a) = (&scan.documents[d], &scan.analyses[d]);
                let skip = |at: usize, line: &str| {
                    a.boilerplate.iter().any(|b| b.span.contains(&at)) || furniture.contains(line)
                };
                doc.meta.title.clone().unwrap_or_else(|| headline(&doc.text, skip))
            })
            .collect();
        Context { scan, titles }
    }
}

impl std::ops::Deref for Context<'_> {
    type Target = Scan;
    fn deref(&self) -> &Scan {
        self.scan
    }
}

/// Stories a short line may appear in before it counts as page furniture
/// (a widget, a label) rather than a headline.
const FURNITURE_STORIES: usize = 3;

/// Short lines found in documents of several stories: a headline belongs
/// to one story, however many outlets print it.
fn furniture_lines(scan: &Scan) -> std::collections::HashSet<&str> {
    let n = scan.documents.len();
    let mut group: Vec<usize> = (0..n).collect();
    for (k, c) in scan.clusters.iter().enumerate() {
        c.members.iter().for_each(|&d| group[d as usize] = n + k);
    }
    for (k, s) in scan.stories.iter().enumerate() {
        s.members.iter().for_each(|&d| group[d as usize] = n + scan.clusters.len() + k);
    }
    let mut seen: std::collections::HashMap<&str, Vec<usize>> = std::collections::HashMap::new();
    for (d, doc) in scan.documents.iter().enumerate() {
        for line in doc.text.lines().map(str::trim).filter(|l| !l.is_empty() && l.len() < 300) {
            let groups = seen.entry(line).or_default();
            if groups.len() < FURNITURE_STORIES && !groups.contains(&group[d]) {
                groups.push(group[d]);
            }
        }
    }
    seen.into_iter().filter(|(_, g)| g.len() >= FURNITURE_STORIES).map(|(line, _)| line).collect()
}

/// Builds the view model of a report.
pub fn view(scan: &Scan) -> ReportView {
    let scan = &Context::new(scan);
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
fn stories(scan: &Context, clusters: Vec<ClusterView>) -> Vec<StoryView> {
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
