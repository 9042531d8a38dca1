//! The JSON records of the output schema (see `docs/output.md`), shared by
//! the JSON and JSON Lines sinks so the two never drift apart.

use super::SCHEMA;
use crate::cluster::Cluster;
use crate::ingest::Skipped;
use crate::scan::{Pair, Scan};
use serde_json::{json, Map, Value};
use std::ops::Range;

/// Rounds to 4 decimals so output is stable and readable.
pub fn round(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

fn span(r: &Range<usize>) -> Value {
    json!([r.start, r.end])
}

/// The scan header: schema, settings, totals.
pub fn header(scan: &Scan, config: &crate::ScanConfig) -> Value {
    let o = config.options();
    json!({
        "schema": SCHEMA,
        "settings": {
            "threshold": o.threshold,
            "containment": o.containment,
            "num_hashes": o.num_hashes,
            "shingle_words": o.shingle_words,
            "shingle_chars": o.shingle_chars,
            "min_shared": o.min_shared,
            "common_share": o.common_share,
            "common_min_docs": o.common_min_docs,
            "bands": scan.stats.bands,
            "rows": scan.stats.rows,
        },
        "summary": summary(scan),
    })
}

/// Totals for the whole scan.
pub fn summary(scan: &Scan) -> Value {
    let s = &scan.stats;
    json!({
        "documents": scan.documents.len(),
        "skipped": scan.skipped.len(),
        "clusters": scan.clusters.len(),
        "pairs": scan.pairs.len(),
        "repeats": scan.analyses.iter().map(|a| a.repeats.len()).sum::<usize>(),
        "bytes": s.bytes,
        "tokens": s.tokens,
        "candidates": {
            "lsh": s.lsh_candidates,
            "containment": s.containment_candidates,
            "total": s.candidates,
            "verified_on_demand": s.verified_on_demand,
        },
        "common_df": s.common_df,
        "common_fingerprints": s.common_fingerprints,
    })
}

/// One document.
pub fn document(scan: &Scan, i: usize, cluster: Option<&Cluster>) -> Value {
    let d = &scan.documents[i];
    let a = &scan.analyses[i];
    let repeats: Vec<Value> = scan
        .source_repeats(i)
        .into_iter()
        .map(|(first, second, r)| json!({"first": span(&first), "second": span(&second), "kind": r.kind.as_str(), "sentences": r.sentences}))
        .collect();
    let mut v = json!({
        "index": i,
        "id": d.id,
        "source": d.source.to_string(),
        "outlet": d.meta.outlet,
        "url": d.meta.url,
        "title": d.meta.title,
        "published": d.meta.published.as_ref().map(|p| p.raw.clone()),
        "published_utc": d.meta.published.as_ref().and_then(|p| p.at).map(|t| t.to_string()),
        "bytes": d.text.len(),
        "words": a.num_tokens,
        "script": match a.script { crate::normalize::Script::Spaced => "spaced", crate::normalize::Script::Unspaced => "unspaced" },
        "cluster": cluster.map(|c| c.id.clone()),
        "repeats": repeats,
    });
    if !d.meta.extra.is_empty() {
        v["extra"] = Value::Object(d.meta.extra.clone());
    }
    v
}

/// One story cluster.
pub fn cluster(scan: &Scan, c: &Cluster) -> Value {
    json!({
        "id": c.id,
        "canonical": scan.documents[c.canonical as usize].id,
        "members": c.members.iter().map(|&m| scan.documents[m as usize].id.clone()).collect::<Vec<_>>(),
    })
}

/// One verified pair, with its passages.
pub fn pair(scan: &Scan, p: &Pair) -> Value {
    let m = &p.metrics;
    let passages: Vec<Value> = p
        .passages
        .iter()
        .map(|x| {
            json!({
                "a": span(&x.a),
                "b": span(&x.b),
                "a_words": x.a_tokens,
                "b_words": x.b_tokens,
                "kind": x.kind.as_str(),
                "score": round(x.score),
                "direction": Value::Null,
            })
        })
        .collect();
    json!({
        "a": scan.documents[p.a as usize].id,
        "b": scan.documents[p.b as usize].id,
        "relation": p.relation.as_str(),
        "jaccard": round(m.jaccard),
        "containment_a": round(m.containment_a),
        "containment_b": round(m.containment_b),
        "shared_shingles": m.shared,
        "masked_shingles": m.masked,
        "passages": passages,
        "source": Value::Null,
        "evidence": Value::Array(Vec::new()),
    })
}

/// One skipped input.
pub fn skipped(s: &Skipped) -> Value {
    let mut m = Map::new();
    m.insert("path".into(), json!(s.path));
    m.insert("line".into(), json!(s.line));
    m.insert("reason".into(), json!(s.reason));
    Value::Object(m)
}
