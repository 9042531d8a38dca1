//! Pictures: a finished [`Scan`] in, the geometry of the report's two
//! inline SVG drawings out: the outlet graph (who took from whom) and each
//! cluster's dated versions on a time axis drawn to scale. No drawing
//! library, no network: numbers the template turns into `<line>` and
//! `<circle>` elements.

use crate::attribution::provenance::Direction;
use crate::scan::Scan;
use serde::Serialize;
use std::collections::BTreeMap;

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

/// Where a document stands in a timeline: published times first (by time),
/// then dates read from the text (by date), then the undated.
pub(super) fn dated(scan: &Scan, d: u32) -> (u8, i64) {
    let doc = &scan.documents[d as usize];
    if let Some(at) = doc.meta.published.as_ref().and_then(|p| p.seconds()) {
        return (0, at);
    }
    match &scan.analyses[d as usize].provenance.text_date {
        Some(t) => (1, t.at.as_second()),
        None => (2, 0),
    }
}

/// Width of the drawn time axis, in SVG units, and its margin.
const SCALE_WIDTH: f64 = 600.0;
const SCALE_MARGIN: f64 = 20.0;

/// The time axis of a cluster's dated members (publication time, else a
/// date read from the text).
pub(super) fn scale(scan: &Scan, members: &[u32]) -> Option<ScaleView> {
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
    /// The drawing's box (`x y width height`) and its widest display width.
    pub view_box: String,
    pub width: u32,
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

/// Room on the circle per outlet, and the circle's least and largest radius.
const GRAPH_SPACING: f64 = 30.0;
const GRAPH_MIN_RADIUS: f64 = 50.0;
const GRAPH_MAX_RADIUS: f64 = 220.0;
/// Room beside and above the circle for the outlets' names.
const GRAPH_LABEL_WIDTH: f64 = 140.0;
const GRAPH_LABEL_HEIGHT: f64 = 30.0;

/// The outlet graph of the scan's directed links between outlets.
pub(super) fn graph(scan: &Scan) -> GraphView {
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
    // A circle as large as the outlets need, starting at the top (at the
    // left for two, so they sit side by side).
    let (radius, node) = ((GRAPH_SPACING * outlets.len() as f64).clamp(GRAPH_MIN_RADIUS, GRAPH_MAX_RADIUS), 6.0);
    let start = if outlets.len() == 2 { std::f64::consts::PI } else { -std::f64::consts::FRAC_PI_2 };
    let at: BTreeMap<&str, (f64, f64, f64)> = outlets
        .iter()
        .enumerate()
        .map(|(k, (name, _))| {
            let angle = std::f64::consts::TAU * k as f64 / outlets.len().max(1) as f64 + start;
            (*name, (radius * angle.cos(), radius * angle.sin(), angle))
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
    let top = at.values().map(|p| p.1).fold(0.0, f64::min) - GRAPH_LABEL_HEIGHT;
    let bottom = at.values().map(|p| p.1).fold(0.0, f64::max) + GRAPH_LABEL_HEIGHT;
    let (left, width) = (-radius - GRAPH_LABEL_WIDTH, 2.0 * (radius + GRAPH_LABEL_WIDTH));
    let view_box = format!("{} {} {} {}", round(left), round(top), round(width), round(bottom - top));
    GraphView { view_box, width: width as u32, nodes, edges, hidden }
}
