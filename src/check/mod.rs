//! `copydesk check`: a corpus directory's scan in, a verdict for CI out:
//! the findings that cross the configured thresholds, each new, known to
//! a baseline, or allowed with a reason, and the baseline entries that no
//! longer occur.
//!
//! * [`config`]: `copydesk.toml`, validated, each value with its origin;
//! * [`finding`]: a scan's pairs and repeats as findings with locations and
//!   stable fingerprints;
//! * [`baseline`]: today's findings written down, to fail only on new ones;
//! * [`cache`]: findings remembered by the content of every input, and
//!   what a later run needs to re-scan only what changed;
//! * [`finder`]: findings found the cheapest way the cache allows.
//!
//! The formats findings are written in are in [`crate::output::findings`].

pub mod baseline;
pub mod cache;
pub mod config;
pub mod finder;
pub mod finding;

use crate::ingest::Skipped;
use baseline::{Baseline, Entry};
use config::CheckConfig;
use finding::{Finding, Status};
use std::collections::HashSet;

/// What a check found, ready to be written in any format.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub findings: Vec<Finding>,
    /// Baseline entries that no longer occur (fixed, or renamed).
    pub gone: Vec<Entry>,
    /// Documents checked.
    pub documents: usize,
    /// Inputs not checked, and why: as `scan` reports them.
    pub skipped: Vec<Skipped>,
    /// Files the ignore rules left out (hidden, .gitignore, .copydeskignore).
    pub ignored: usize,
    /// Documents the configuration's include and exclude globs left out.
    pub excluded: usize,
    /// How the findings were found: read back, re-scanned in part, or
    /// scanned whole.
    pub how: finder::How,
}

impl Outcome {
    /// Findings that fail the check.
    pub fn failing(&self) -> usize {
        self.findings.iter().filter(|f| f.status == Status::New).count()
    }
}

/// Marks each finding allowed (by `config`'s allowlist) or baselined, and
/// returns the baseline entries no finding matched.
pub fn judge(findings: &mut [Finding], config: &CheckConfig, baseline: Option<&Baseline>) -> Vec<Entry> {
    let known: HashSet<&str> =
        baseline.map(|b| b.findings.iter().map(|e| e.fingerprint.as_str()).collect()).unwrap_or_default();
    let mut seen: HashSet<String> = HashSet::new();
    for f in findings.iter_mut() {
        seen.insert(f.fingerprint.clone());
        f.status = if let Some(entry) = config.allowed(&f.fingerprint, &f.copy.path, &f.original.path) {
            Status::Allowed(entry.reason.clone())
        } else if known.contains(f.fingerprint.as_str()) {
            Status::Baselined
        } else {
            Status::New
        };
    }
    baseline
        .map(|b| b.findings.iter().filter(|e| !seen.contains(&e.fingerprint)).cloned().collect())
        .unwrap_or_default()
}
