//! Baselines: today's findings written down, so that a later check fails
//! only on what is new. A baseline is JSON:
//!
//! ```json
//! {"copydesk-baseline": 1,
//!  "findings": [{"fingerprint": "cd1-…", "kind": "near-duplicate", "copy": "b.txt", "original": "a.txt"}]}
//! ```
//!
//! Only the fingerprint decides; the rest is for the people reading it.

use super::finding::{Finding, Status};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The format version this build writes and reads.
pub const BASELINE_VERSION: u64 = 1;

/// One recorded finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub fingerprint: String,
    pub kind: String,
    pub copy: String,
    pub original: String,
}

/// A baseline file's contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    #[serde(rename = "copydesk-baseline")]
    pub version: u64,
    pub findings: Vec<Entry>,
}

/// A file that is not a baseline this build can read.
#[derive(Debug, thiserror::Error)]
#[error("{path}: not a copydesk baseline: {why}")]
pub struct BaselineError {
    pub path: String,
    pub why: String,
}

impl Baseline {
    /// The baseline of `findings` (allowlisted ones left out: the
    /// allowlist already answers for them), sorted by fingerprint.
    pub fn of(findings: &[Finding]) -> Baseline {
        let mut findings: Vec<Entry> = findings
            .iter()
            .filter(|f| !matches!(f.status, Status::Allowed(_)))
            .map(|f| Entry {
                fingerprint: f.fingerprint.clone(),
                kind: f.kind.as_str().to_string(),
                copy: f.copy.path.clone(),
                original: f.original.path.clone(),
            })
            .collect();
        findings.sort_by(|a, b| a.fingerprint.cmp(&b.fingerprint));
        findings.dedup_by(|a, b| a.fingerprint == b.fingerprint);
        Baseline { version: BASELINE_VERSION, findings }
    }

    /// Reads the baseline at `path`.
    pub fn read(path: &Path) -> Result<Baseline, BaselineError> {
        let error = |why: String| BaselineError { path: path.display().to_string(), why };
        let text = std::fs::read_to_string(path).map_err(|e| error(e.to_string()))?;
        let baseline: Baseline = serde_json::from_str(&text).map_err(|e| error(e.to_string()))?;
        if baseline.version != BASELINE_VERSION {
            return Err(error(format!("version {} (this build reads {BASELINE_VERSION})", baseline.version)));
        }
        if let Some(bad) = baseline.findings.iter().find(|e| !e.fingerprint.starts_with("cd1-")) {
            return Err(error(format!("{:?} is not a copydesk fingerprint", bad.fingerprint)));
        }
        Ok(baseline)
    }

    /// The baseline as pretty JSON, ending with a newline.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a baseline serializes") + "\n"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_what_is_not_a_baseline() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("b.json");
        for (text, why) in [
            ("[]", "expected struct Baseline"),
            ("3", "invalid type"),
            ("{\"copydesk-baseline\": 9, \"findings\": []}", "version 9"),
            ("{\"copydesk-baseline\": 1, \"findings\": [], \"x\": 1}", "unknown field"),
            (
                "{\"copydesk-baseline\": 1, \"findings\": [{\"fingerprint\": \"abc\", \"kind\": \"x\", \"copy\": \"a\", \"original\": \"b\"}]}",
                "not a copydesk fingerprint",
            ),
        ] {
            std::fs::write(&path, text).unwrap();
            let e = Baseline::read(&path).unwrap_err().to_string();
            assert!(e.contains(why) && e.contains("b.json"), "{e}");
        }
        let good = Baseline { version: 1, findings: Vec::new() };
        std::fs::write(&path, good.to_json()).unwrap();
        assert_eq!(Baseline::read(&path).unwrap(), good);
    }
}
