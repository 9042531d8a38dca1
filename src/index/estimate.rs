//! Judging a new article against archived ones whose texts the index does
//! not keep (`--no-texts`): the postings it shares with each in, the
//! best-supported relation out.
//!
//! Winnowing keeps, from every window of shingles, the smallest hash, so two
//! texts that share a passage share the fingerprints of that passage: the
//! fingerprints two articles share, over the fingerprints each has, estimate
//! their Jaccard similarity and how much of each is in the other. The same
//! thresholds as the scan's then say near-duplicate, duplicate or contained.
//! Without the texts nothing is aligned, so such a verdict has no passages
//! and says it is an estimate.

use super::postings::{Kind, Postings};
use crate::linking::verify::{Relation, DUPLICATE_JACCARD};
use crate::scan::IndexKeys;
use crate::ScanConfig;
use serde_json::{json, Value};

/// Fingerprints an estimate needs in common, at least: one shared
/// fingerprint is one shared passage of a window's length, too little to
/// call anything a copy.
pub const MIN_SHARED_PRINTS: u32 = 3;

/// Archived articles beyond which a fingerprint is not followed, whatever
/// the archive's size: the scan's own limit is a share of the corpus (the
/// common-shingle count), which in an archive of a million articles lets a
/// stock phrase name tens of thousands; a pair that shares only phrases
/// that common is not a copy, and reading their postings would make every
/// look-up grow with the archive.
pub const MAX_FOLLOWED: usize = 256;

/// The distinct fingerprints of an article, sorted.
pub fn distinct_prints(keys: &IndexKeys) -> Vec<u64> {
    let mut prints = keys.fingerprints.clone();
    prints.sort_unstable();
    prints.dedup();
    prints
}

/// For each of `docs` (their index keys), each archived article sharing
/// with it a fingerprint that fewer than `cap` articles hold (counting the
/// new one, as the scan counts document frequency) and at most
/// [`MAX_FOLLOWED`]: how many it shares. In article-number order.
pub fn shared_prints(postings: &Postings, docs: &[&IndexKeys], cap: u64) -> Vec<Vec<(u32, u32)>> {
    let queries: Vec<(u64, u32)> = docs
        .iter()
        .enumerate()
        .flat_map(|(d, keys)| distinct_prints(keys).into_iter().map(move |fp| (fp, d as u32)))
        .collect();
    // Fewer than `cap` holders with the new one: at most `cap - 2` archived.
    let limit = (cap.saturating_sub(2) as usize).min(MAX_FOLLOWED);
    let mut hits = postings.get_all(Kind::Fingerprints, &queries, limit);
    rayon::slice::ParallelSliceMut::par_sort_unstable(&mut hits[..]);
    let mut out: Vec<Vec<(u32, u32)>> = vec![Vec::new(); docs.len()];
    // A run of equal (document, article) pairs is one per shared fingerprint.
    for run in hits.chunk_by(|x, y| x == y) {
        let (d, n) = run[0];
        out[d as usize].push((n, run.len() as u32));
    }
    out
}

/// An estimated relation between a new article and an archived one.
#[derive(Debug, Clone, PartialEq)]
pub struct Estimate {
    pub relation: Relation,
    pub shared: u32,
    pub jaccard: f64,
    /// Share of the new article's fingerprints the archived one has.
    pub containment_new: f64,
    /// Share of the archived article's fingerprints the new one has.
    pub containment_archived: f64,
}

impl Estimate {
    /// How strongly it links, for picking the best of several.
    pub fn score(&self) -> f64 {
        self.jaccard.max(self.containment_new.min(self.containment_archived)).max(match self.relation {
            Relation::Contained => self.containment_new.max(self.containment_archived),
            _ => 0.0,
        })
    }

    /// The verdict's `pair` object: ids, relation and the counts behind it.
    pub fn to_json(&self, archived: &str, new: &str) -> Value {
        json!({
            "a": archived,
            "b": new,
            "relation": self.relation.as_str(),
            "basis": "estimated from shared winnowing fingerprints: the index keeps no texts to align",
            "shared_fingerprints": self.shared,
            "jaccard": round4(self.jaccard),
            "containment_a": round4(self.containment_archived),
            "containment_b": round4(self.containment_new),
        })
    }
}

fn round4(x: f64) -> f64 {
    (x * 1e4).round() / 1e4
}

/// The relation `shared` fingerprints support between articles of
/// `new_prints` and `archived_prints` distinct fingerprints, if they link.
pub fn judge(shared: u32, new_prints: u32, archived_prints: u32, config: &ScanConfig) -> Option<Estimate> {
    if shared < MIN_SHARED_PRINTS || new_prints == 0 || archived_prints == 0 {
        return None;
    }
    let (s, a, b) = (f64::from(shared), f64::from(new_prints), f64::from(archived_prints));
    let jaccard = s / (a + b - s).max(s);
    let (containment_new, containment_archived) = ((s / a).min(1.0), (s / b).min(1.0));
    let options = config.options();
    let relation = if jaccard >= DUPLICATE_JACCARD {
        Relation::Duplicate
    } else if jaccard >= options.threshold {
        Relation::NearDuplicate
    } else if containment_new.max(containment_archived) >= options.containment {
        Relation::Contained
    } else {
        return None;
    };
    Some(Estimate { relation, shared, jaccard, containment_new, containment_archived })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimates_follow_the_scans_thresholds() {
        let config = ScanConfig::default();
        assert_eq!(judge(100, 100, 100, &config).unwrap().relation, Relation::Duplicate);
        assert_eq!(judge(70, 100, 100, &config).unwrap().relation, Relation::NearDuplicate);
        // All of a short article inside a long one.
        assert_eq!(judge(30, 30, 300, &config).unwrap().relation, Relation::Contained);
        assert!(judge(5, 100, 100, &config).is_none());
        assert!(judge(2, 2, 2, &config).is_none(), "too few fingerprints to call a copy");
    }
}
