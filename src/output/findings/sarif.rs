//! SARIF 2.1.0 (with serde-sarif's typed model): one run of the copydesk
//! tool, a rule per finding kind, a result per finding located at the
//! copy's passage with both files' passages as related locations (with
//! line and column regions and byte offsets), its fingerprint as a partial
//! fingerprint, its baseline state, and allowed findings as suppressed
//! with their reason. Skipped inputs are tool execution notifications.

use crate::check::finding::{Finding, FindingKind, Location as Place, Status};
use crate::check::Outcome;
use serde_sarif::sarif::{
    ArtifactLocation, Invocation, Location, Message, MultiformatMessageString, Notification, PhysicalLocation, Region,
    ReportingDescriptor, Result as SarifResult, ResultLevel, Run, Sarif, Suppression, Tool, ToolComponent,
};
use std::collections::BTreeMap;

/// The schema a SARIF log names.
pub const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

pub fn to_sarif(outcome: &Outcome) -> Sarif {
    let kinds: Vec<FindingKind> = {
        let mut k: Vec<FindingKind> = outcome.findings.iter().map(|f| f.kind).collect();
        k.sort();
        k.dedup();
        k
    };
    let rules: Vec<ReportingDescriptor> = kinds
        .iter()
        .map(|k| {
            ReportingDescriptor::builder()
                .id(k.as_str())
                .short_description(MultiformatMessageString::builder().text(description(*k)).build())
                .build()
        })
        .collect();
    let driver = ToolComponent::builder()
        .name("copydesk")
        .version(env!("CARGO_PKG_VERSION"))
        .information_uri("https://github.com/copydesk/copydesk")
        .rules(rules)
        .build();
    let results: Vec<SarifResult> = outcome.findings.iter().map(|f| result(f, &kinds)).collect();
    let notifications: Vec<Notification> = outcome
        .skipped
        .iter()
        .map(|s| {
            Notification::builder()
                .message(Message::builder().text(format!("skipped {s}")).build())
                .level(serde_json::json!("note"))
                .locations(vec![Location::builder().physical_location(physical(&s.path, None)).build()])
                .build()
        })
        .collect();
    let invocation =
        Invocation::builder().execution_successful(true).tool_execution_notifications(notifications).build();
    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .results(results)
        .invocations(vec![invocation])
        .build();
    Sarif::builder().schema(SARIF_SCHEMA).version(serde_json::json!("2.1.0")).runs(vec![run]).build()
}

fn description(kind: FindingKind) -> &'static str {
    use crate::linking::verify::Relation::*;
    match kind {
        FindingKind::Pair(Duplicate) => "Two files hold the same text",
        FindingKind::Pair(NearDuplicate) => "Two files hold nearly the same text",
        FindingKind::Pair(Contained) => "Most of one file is found in another",
        FindingKind::Pair(Rewritten) => "One file retells another sentence by sentence",
        FindingKind::Pair(_) => "Two files share passages",
        FindingKind::Repeat => "A file repeats its own passage",
    }
}

fn result(f: &Finding, kinds: &[FindingKind]) -> SarifResult {
    let index = kinds.iter().position(|k| *k == f.kind).unwrap_or(0) as i64;
    // Both sides as related locations (the copy is also the result's
    // location), so a viewer can show the pair side by side.
    let side = |id: i64, place: &Place, what: &str| {
        Location::builder()
            .id(id)
            .physical_location(physical(&place.path, Some(place)))
            .message(Message::builder().text(what.to_string()).build())
            .build()
    };
    let related = vec![side(0, &f.copy, "the copy"), side(1, &f.original, "what it copies")];
    let mut fingerprints = BTreeMap::new();
    fingerprints.insert("copydesk/v1".to_string(), f.fingerprint.clone());
    let level = if f.status == Status::New { ResultLevel::Warning } else { ResultLevel::Note };
    let baseline_state = if f.status == Status::Baselined { "unchanged" } else { "new" };
    let builder = SarifResult::builder()
        .rule_id(f.kind.as_str())
        .rule_index(index)
        .level(level)
        .message(
            Message::builder()
                .text(format!("{}; the other file: [{}](1)", escape(&f.message()), escape(&f.original.path)))
                .build(),
        )
        .locations(vec![Location::builder().physical_location(physical(&f.copy.path, Some(&f.copy))).build()])
        .related_locations(related)
        .partial_fingerprints(fingerprints)
        .baseline_state(serde_json::json!(baseline_state));
    match &f.status {
        Status::Allowed(reason) => builder
            .suppressions(vec![Suppression::builder()
                .kind(serde_json::json!("external"))
                .justification(reason.as_str())
                .build()])
            .build(),
        _ => builder.build(),
    }
}

fn physical(path: &str, place: Option<&Place>) -> PhysicalLocation {
    let artifact = ArtifactLocation::builder().uri(uri(path)).build();
    match place {
        Some(p) => {
            let region = Region::builder()
                .start_line(p.line as i64)
                .start_column(p.column as i64)
                .end_line(p.end_line.max(p.line) as i64)
                .end_column(if p.end_line > p.line { p.end_column } else { p.end_column.max(p.column) } as i64)
                .byte_offset(p.start as i64)
                .byte_length(p.end.saturating_sub(p.start) as i64)
                .build();
            PhysicalLocation::builder().artifact_location(artifact).region(region).build()
        }
        None => PhysicalLocation::builder().artifact_location(artifact).build(),
    }
}

/// Message text with brackets escaped, so that only our own embedded link
/// (`[text](id)`, pointing at a related location) reads as one.
fn escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('[', "\\[").replace(']', "\\]")
}

/// A relative path as a URI reference: `/`-separated, percent-encoding
/// what a URI cannot hold.
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_escape_brackets() {
        assert_eq!(escape("a [b] \\"), "a \\[b\\] \\\\");
    }

    #[test]
    fn uris_encode_what_they_cannot_hold() {
        assert_eq!(uri("news/a b#1.txt"), "news/a%20b%231.txt");
        assert_eq!(uri("é.txt"), "%C3%A9.txt");
    }
}
