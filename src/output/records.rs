//! The JSON records of the output schema (see `docs/output.md`), shared by
//! the JSON and JSON Lines sinks so the two never drift apart.

use super::SCHEMA;
use crate::attribution::provenance::Direction;
use crate::ingest::Skipped;
use crate::linking::align::PassageKind;
use crate::linking::cluster::Cluster;
use crate::linking::stories::Story;
use crate::scan::{Pair, Scan};
use serde::Serialize;
use serde_json::{json, Map, Value};
use std::ops::Range;

/// Rounds to 4 decimals so output is stable and readable.
pub fn round(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// The scan header: schema, settings, totals.
pub fn header(scan: &Scan, config: &crate::ScanConfig) -> Value {
    let mut settings = settings(config.options());
    settings.insert("bands".into(), json!(scan.stats.bands));
    settings.insert("rows".into(), json!(scan.stats.rows));
    json!({ "schema": SCHEMA, "settings": settings, "summary": summary(scan) })
}

/// The options that decide what a scan finds, by their output names.
pub fn settings(o: &crate::ScanOptions) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("threshold".into(), json!(o.threshold));
    m.insert("containment".into(), json!(o.containment));
    m.insert("num_hashes".into(), json!(o.num_hashes));
    m.insert("shingle_words".into(), json!(o.shingle_words));
    m.insert("shingle_chars".into(), json!(o.shingle_chars));
    m.insert("min_shared".into(), json!(o.min_shared));
    m.insert("common_share".into(), json!(o.common_share));
    m.insert("common_min_docs".into(), json!(o.common_min_docs));
    m
}

/// Totals for the whole scan.
pub fn summary(scan: &Scan) -> Value {
    let s = &scan.stats;
    json!({
        "documents": scan.documents.len(),
        "skipped": scan.skipped.len(),
        "ignored": scan.ignored,
        "clusters": scan.clusters.len(),
        "stories": scan.stories.len(),
        "common_passages": scan.common_passages.len(),
        "pairs": scan.pairs.len(),
        "repeats": scan.analyses.iter().map(|a| a.repeats.len()).sum::<usize>(),
        "boilerplate": scan.analyses.iter().map(|a| a.boilerplate.len()).sum::<usize>(),
        "quotation_pairs": scan.pairs.iter().filter(|p| p.relation == crate::linking::verify::Relation::Quotation).count(),
        "bytes": s.bytes,
        "tokens": s.tokens,
        "candidates": {
            "lsh": s.lsh_candidates,
            "containment": s.containment_candidates,
            "total": s.candidates,
            "verified_on_demand": s.verified_on_demand,
            "rewrite": s.rewrite_candidates,
        },
        "rewrites": s.rewrites,
        "common_df": s.common_df,
        "common_fingerprints": s.common_fingerprints,
    })
}

/// A byte range, written as `[start, end]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span(pub usize, pub usize);

impl From<&Range<usize>> for Span {
    fn from(r: &Range<usize>) -> Self {
        Span(r.start, r.end)
    }
}

impl Serialize for Span {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        [self.0, self.1].serialize(s)
    }
}

#[derive(Serialize)]
pub struct RepeatRecord {
    pub first: Span,
    pub second: Span,
    pub kind: &'static str,
    pub sentences: usize,
}

#[derive(Serialize)]
pub struct DocumentRecord<'a> {
    pub index: usize,
    pub id: &'a str,
    pub source: String,
    /// The file name's bytes, when it is not UTF-8 (`id` and `source` then
    /// write each byte that is not as `\xHH`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path_bytes: Option<Vec<u8>>,
    pub outlet: Option<&'a str>,
    pub url: Option<&'a str>,
    pub title: Option<&'a str>,
    pub published: Option<&'a str>,
    pub published_utc: Option<String>,
    pub bytes: usize,
    /// The encoding the file was decoded from, when it was not UTF-8
    /// (spans are still byte ranges of the file).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding: Option<&'static str>,
    pub words: usize,
    pub script: &'static str,
    pub cluster: Option<&'a str>,
    pub repeats: Vec<RepeatRecord>,
    /// Upstreams the text credits ("(The Nation)", "By Reuters", ...).
    pub credits: Vec<CreditRecord<'a>>,
    /// The first date found in the opening text, when there is one.
    pub text_date: Option<String>,
    /// Spans masked as boilerplate before similarity.
    pub boilerplate: Vec<BoilerplateRecord<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extra: Option<&'a Map<String, Value>>,
}

#[derive(Serialize)]
pub struct BoilerplateRecord<'a> {
    pub span: Span,
    /// `pattern` (known furniture), `outlet` or `corpus` (learned).
    pub reason: &'static str,
    /// Documents the paragraph recurs in.
    pub documents: usize,
    pub text: &'a str,
}

#[derive(Serialize)]
pub struct CreditRecord<'a> {
    pub upstream: &'a str,
    pub kind: &'static str,
    pub span: Span,
    pub text: &'a str,
}

/// One document.
pub fn document<'a>(scan: &'a Scan, i: usize, cluster: Option<&'a Cluster>) -> DocumentRecord<'a> {
    let d = &scan.documents[i];
    let a = &scan.analyses[i];
    DocumentRecord {
        index: i,
        id: &d.id,
        source: d.source.to_string(),
        path_bytes: d.source.path_bytes(),
        outlet: d.meta.outlet.as_deref(),
        url: d.meta.url.as_deref(),
        title: d.meta.title.as_deref(),
        published: d.meta.published.as_ref().map(|p| p.raw.as_str()),
        published_utc: d.meta.published.as_ref().and_then(|p| p.at).map(|t| t.to_string()),
        bytes: d.text.len(),
        encoding: d.meta.encoding,
        words: a.num_tokens,
        script: match a.script {
            crate::analysis::normalize::Script::Spaced => "spaced",
            crate::analysis::normalize::Script::Unspaced => "unspaced",
        },
        cluster: cluster.map(|c| c.id.as_str()),
        repeats: scan
            .source_repeats(i)
            .into_iter()
            .map(|(first, second, r)| RepeatRecord {
                first: (&first).into(),
                second: (&second).into(),
                kind: r.kind.as_str(),
                sentences: r.sentences,
            })
            .collect(),
        credits: a
            .provenance
            .credits
            .iter()
            .map(|c| CreditRecord {
                upstream: &c.upstream,
                kind: c.kind,
                span: (&d.source_span(c.span.clone())).into(),
                text: d.text.get(c.span.clone()).unwrap_or("").trim(),
            })
            .collect(),
        text_date: a.provenance.text_date.as_ref().map(|t| t.at.strftime("%Y-%m-%d").to_string()),
        boilerplate: a
            .boilerplate
            .iter()
            .map(|b| BoilerplateRecord {
                span: (&d.source_span(b.span.clone())).into(),
                reason: b.reason.as_str(),
                documents: b.documents,
                text: d.text.get(b.span.clone()).unwrap_or(""),
            })
            .collect(),
        extra: (!d.meta.extra.is_empty()).then_some(&d.meta.extra),
    }
}

#[derive(Serialize)]
pub struct ClusterRecord<'a> {
    pub id: &'a str,
    pub canonical: &'a str,
    pub members: Vec<&'a str>,
}

/// One story cluster.
pub fn cluster<'a>(scan: &'a Scan, c: &'a Cluster) -> ClusterRecord<'a> {
    ClusterRecord {
        id: &c.id,
        canonical: &scan.documents[c.canonical as usize].id,
        members: c.members.iter().map(|&m| scan.documents[m as usize].id.as_str()).collect(),
    }
}

#[derive(Serialize)]
pub struct StoryRecord<'a> {
    pub id: &'a str,
    /// The version clusters inside the story, by id.
    pub clusters: Vec<&'a str>,
    pub members: Vec<&'a str>,
}

/// One story: documents joined by substantial reuse, and its clusters.
pub fn story<'a>(scan: &'a Scan, s: &'a Story) -> StoryRecord<'a> {
    StoryRecord {
        id: &s.id,
        clusters: s.clusters.iter().map(|&c| scan.clusters[c].id.as_str()).collect(),
        members: s.members.iter().map(|&m| scan.documents[m as usize].id.as_str()).collect(),
    }
}

#[derive(Serialize)]
pub struct OccurrenceRecord<'a> {
    pub document: &'a str,
    /// Byte range in the document's original input.
    pub span: Span,
}

#[derive(Serialize)]
pub struct CommonPassageRecord<'a> {
    /// Its text where it first occurs (the analysed text: HTML without tags).
    pub text: &'a str,
    /// `upstream` (a statement, tweet or release many stories carry) or
    /// `outlet-furniture` (one outlet's box on all its stories).
    pub kind: &'static str,
    pub documents: usize,
    pub stories: usize,
    pub occurrences: Vec<OccurrenceRecord<'a>>,
}

/// One passage of a common upstream, with every place it occurs.
pub fn common_passage(scan: &Scan, i: usize) -> CommonPassageRecord<'_> {
    let c = &scan.common_passages[i];
    let (first, at) = &c.occurrences[0];
    CommonPassageRecord {
        text: scan.documents[*first as usize].text.get(at.clone()).unwrap_or(""),
        kind: c.kind(),
        documents: c.documents(),
        stories: c.stories,
        occurrences: c
            .occurrences
            .iter()
            .map(|(d, r)| {
                let doc = &scan.documents[*d as usize];
                OccurrenceRecord { document: &doc.id, span: (&doc.source_span(r.clone())).into() }
            })
            .collect(),
    }
}

#[derive(Serialize)]
pub struct PassageRecord {
    pub a: Span,
    pub b: Span,
    pub a_words: usize,
    pub b_words: usize,
    pub kind: &'static str,
    pub score: f64,
    pub direction: &'static str,
}

#[derive(Serialize)]
pub struct PairRecord<'a> {
    pub a: &'a str,
    pub b: &'a str,
    pub relation: &'static str,
    pub jaccard: f64,
    pub containment_a: f64,
    pub containment_b: f64,
    pub shared_shingles: usize,
    pub masked_shingles: usize,
    pub quoted_shingles: usize,
    pub coverage_a: f64,
    pub coverage_b: f64,
    /// Share of each document's own words (outside boilerplate and shared
    /// quoted speech) that the passages reuse.
    pub reuse_a: f64,
    pub reuse_b: f64,
    pub passages: Vec<PassageRecord>,
    /// `a->b` (b took from a), `b->a`, `siblings` or `undetermined`.
    pub direction: &'static str,
    /// The document the other took from, when the direction is known.
    pub source: Option<&'a str>,
    /// The document that took, when the direction is known.
    pub copy: Option<&'a str>,
    /// The common upstream, for siblings.
    pub upstream: Option<&'a str>,
    pub confidence: f64,
    pub evidence: Vec<EvidenceRecord<'a>>,
}

#[derive(Serialize)]
pub struct EvidenceRecord<'a> {
    pub kind: &'static str,
    /// The document this evidence points to as the source, if any.
    pub favours: Option<&'a str>,
    pub weight: f64,
    pub detail: &'a str,
}

/// One verified pair, with its passages.
pub fn pair<'a>(scan: &'a Scan, p: &'a Pair) -> PairRecord<'a> {
    let m = &p.metrics;
    let ids = [scan.documents[p.a as usize].id.as_str(), scan.documents[p.b as usize].id.as_str()];
    let att = &p.attribution;
    let (source, copy) = match att.direction {
        Direction::AToB => (Some(ids[0]), Some(ids[1])),
        Direction::BToA => (Some(ids[1]), Some(ids[0])),
        _ => (None, None),
    };
    let direction = att.direction.as_str();
    PairRecord {
        a: &scan.documents[p.a as usize].id,
        b: &scan.documents[p.b as usize].id,
        relation: p.relation.as_str(),
        jaccard: round(m.jaccard),
        containment_a: round(m.containment_a),
        containment_b: round(m.containment_b),
        shared_shingles: m.shared,
        masked_shingles: m.masked,
        quoted_shingles: m.quoted,
        coverage_a: round(p.coverage_a),
        coverage_b: round(p.coverage_b),
        reuse_a: round(p.reuse_a),
        reuse_b: round(p.reuse_b),
        passages: p
            .passages
            .iter()
            .map(|x| PassageRecord {
                a: (&x.a).into(),
                b: (&x.b).into(),
                a_words: x.a_tokens,
                b_words: x.b_tokens,
                kind: x.kind.as_str(),
                score: round(x.score),
                direction: if x.kind == PassageKind::Quotation { "common-upstream" } else { direction },
            })
            .collect(),
        direction,
        source,
        copy,
        upstream: match &att.direction {
            Direction::Siblings(up) => Some(up.as_str()),
            _ => None,
        },
        confidence: round(att.confidence),
        evidence: att
            .evidence
            .iter()
            .map(|e| EvidenceRecord {
                kind: e.kind,
                favours: e.source.map(|i| ids[i]),
                weight: e.weight,
                detail: &e.detail,
            })
            .collect(),
    }
}

#[derive(Serialize)]
pub struct SkippedRecord<'a> {
    pub path: &'a str,
    /// The name's bytes, when it is not UTF-8.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path_bytes: Option<&'a [u8]>,
    pub line: Option<usize>,
    pub reason: &'a str,
}

/// One skipped input.
pub fn skipped(s: &Skipped) -> SkippedRecord<'_> {
    SkippedRecord { path: &s.path, path_bytes: s.path_bytes.as_deref(), line: s.line, reason: &s.reason }
}
