//! A check for people: one line per finding, `file:line:column`, what it
//! is and where the other side is, and the start of the shared passage.

use crate::check::finder::How;
use crate::check::finding::Status;
use crate::check::Outcome;
use crate::output::text::escape_controls;
use std::io::{self, Write};

pub fn write(outcome: &Outcome, out: &mut dyn Write) -> io::Result<()> {
    for f in &outcome.findings {
        let tag = match &f.status {
            Status::New => String::new(),
            Status::Baselined => " [baselined]".to_string(),
            Status::Allowed(reason) => format!(" [allowed: {}]", escape_controls(reason)),
        };
        let c = &f.copy;
        writeln!(out, "{}:{}:{}: {}{tag}", escape_controls(&c.path), c.line, c.column, escape_controls(&f.message()))?;
        if !f.excerpt.is_empty() {
            writeln!(out, "    | {}", escape_controls(&f.excerpt))?;
        }
        writeln!(out, "    fingerprint {}", f.fingerprint)?;
    }
    for e in &outcome.gone {
        writeln!(
            out,
            "baseline entry no longer found: {} {} ({} / {})",
            e.fingerprint,
            e.kind,
            escape_controls(&e.copy),
            escape_controls(&e.original)
        )?;
    }
    for s in &outcome.skipped {
        writeln!(out, "skipped {}", escape_controls(&s.to_string()))?;
    }
    let known = outcome.findings.len() - outcome.failing();
    writeln!(
        out,
        "copydesk check: {} documents, {} new finding(s), {} known (baselined or allowed), {} skipped{}",
        outcome.documents,
        outcome.failing(),
        known,
        outcome.skipped.len(),
        match outcome.how {
            How::Cached => "; unchanged since the last run (cached)".to_string(),
            How::Incremental { changed, compared } =>
                format!("; {changed} changed since the last run, re-scanned with {compared} related"),
            How::Full => String::new(),
        }
    )
}
