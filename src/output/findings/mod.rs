//! A check's [`Outcome`] in the formats CI systems read: human text, JSON,
//! SARIF 2.1.0 ([`sarif`]), JUnit XML ([`junit`]) and GitHub Actions
//! workflow commands ([`github`]). Every format lists the findings (new,
//! baselined or allowed), the baseline entries that no longer occur and
//! the skipped inputs.

pub mod github;
pub mod junit;
pub mod sarif;
pub mod text;

use crate::check::Outcome;
use serde_json::{json, Value};

/// The version of the JSON shape of a check.
pub const SCHEMA: &str = "copydesk.check/1";

/// The outcome as one JSON object.
pub fn to_json(outcome: &Outcome) -> Value {
    let findings: Vec<Value> = outcome
        .findings
        .iter()
        .map(|f| {
            json!({
                "kind": f.kind.as_str(),
                "fingerprint": f.fingerprint,
                "status": f.status.as_str(),
                "reason": match &f.status { crate::check::finding::Status::Allowed(r) => Some(r), _ => None },
                "score": f.score,
                "direction": f.direction,
                "copy": f.copy,
                "original": f.original,
                "excerpt": f.excerpt,
                "message": f.message(),
            })
        })
        .collect();
    json!({
        "schema": SCHEMA,
        "passed": outcome.failing() == 0,
        "documents": outcome.documents,
        "failing": outcome.failing(),
        "findings": findings,
        "gone_from_baseline": outcome.gone,
        "skipped": outcome.skipped.iter().map(|s| json!({ "path": s.path, "line": s.line, "reason": s.reason })).collect::<Vec<_>>(),
        "ignored": outcome.ignored,
        "excluded": outcome.excluded,
        "cached": outcome.how == crate::check::finder::How::Cached,
        "scanned": match outcome.how {
            crate::check::finder::How::Cached => json!({ "how": "cached" }),
            crate::check::finder::How::Full => json!({ "how": "full" }),
            crate::check::finder::How::Incremental { changed, compared } =>
                json!({ "how": "incremental", "changed": changed, "compared": compared }),
        },
    })
}
