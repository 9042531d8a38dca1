//! Finding a corpus's findings the cheapest way the cache allows:
//! documents in, findings out (all [`Status::New`](super::finding::Status)),
//! and how they were found.
//!
//! 1. **Unchanged**: the run's key (settings and every document's digest)
//!    is in the cache: its findings are read back.
//! 2. **A few documents changed** (at most [`INCREMENTAL_SHARE`] of the
//!    corpus, or [`INCREMENTAL_MIN`]): only the changed documents and the
//!    unchanged ones their keys point at (a shared LSH band, two shared
//!    fingerprints, three shared sentence buckets) are scanned, judged by
//!    the corpus statistics of the last full scan; findings between
//!    unchanged documents are the cached ones.
//! 3. Otherwise the whole corpus is scanned, and what step 2 needs next
//!    time is stored.
//!
//! Step 2 differs from a full scan only where the corpus statistics
//! (common shingles, rare words, learned boilerplate) would have moved with
//! the change; `--no-cache` always scans everything.

use super::cache::{self, Cache, State};
use super::config::CheckConfig;
use super::finding::{self, Finding};
use crate::analysis::shingle::HashMapU64;
use crate::index::segment::short_key;
use crate::linking::rewrite::{self, WordWeights};
use crate::scan::{Context, DocumentKeys, Scan};
use crate::{Document, ScanConfig, Scanner};
use std::collections::{HashMap, HashSet};

/// Share of the corpus that may change for a run to re-scan only it.
pub const INCREMENTAL_SHARE: f64 = 0.05;
/// Changed documents a run may always re-scan alone, however small the
/// corpus.
pub const INCREMENTAL_MIN: usize = 10;

/// How a run's findings were found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum How {
    /// Read back: nothing changed.
    Cached,
    /// `changed` documents (new, edited or gone) re-scanned with the
    /// `compared` unchanged ones they may relate to.
    Incremental { changed: usize, compared: usize },
    /// The whole corpus scanned.
    Full,
}

/// Finds findings under one configuration.
pub struct Finder<'a> {
    pub scan_config: &'a ScanConfig,
    pub config: &'a CheckConfig,
    /// Everything configured, as text: part of every cache key.
    pub settings: &'a str,
    pub cache: Option<&'a Cache>,
}

impl Finder<'_> {
    /// The findings of `documents`, and how they were found. Cache
    /// failures are returned beside them: the findings stand without it.
    pub fn find(&self, documents: Vec<Document>) -> (Vec<Finding>, How, Option<cache::CacheError>) {
        let digests: Vec<u64> = documents.iter().map(cache::document_digest).collect();
        let key = cache::run_key(self.settings, &digests);
        let Some(cache) = self.cache else {
            return (finding::findings(&self.scan(documents, Context::default()), self.config), How::Full, None);
        };
        if let Some(found) = cache.get(key) {
            return (found, How::Cached, None);
        }
        let settings = xxhash_rust::xxh3::xxh3_64(self.settings.as_bytes());
        let paths: Vec<String> = documents.iter().map(|d| finding::path_of(d, self.config)).collect();
        let stored = cache.state();
        // Key index files are numbered on from whatever state is stored.
        let generation = stored.as_ref().map_or(1, |s| s.generation + 1);
        let previous = stored.filter(|s| s.settings == settings);
        let incremental = previous.as_ref().and_then(|p| self.incremental(p, cache, &documents, &paths, &digests));
        let (found, how, state, added) = match incremental {
            Some(done) => done,
            None => self.full(documents, &paths, &digests, settings, generation),
        };
        let added: Vec<(u64, &DocumentKeys)> = added.iter().map(|(d, k)| (*d, k)).collect();
        let saved = cache.put(key, &found).and_then(|()| cache.save_state(&state, &added));
        (found, how, saved.err())
    }

    fn scan(&self, documents: Vec<Document>, context: Context) -> Scan {
        Scanner::new(self.scan_config.clone()).scan_in(documents, Vec::new(), &context, &|_| {})
    }

    /// Scans everything; returns the findings and the state to store, whose
    /// key index is `generation`.
    fn full(
        &self,
        documents: Vec<Document>,
        paths: &[String],
        digests: &[u64],
        settings: u64,
        generation: u64,
    ) -> Outcome {
        let scan = self.scan(documents, Context { carry: true, ..Context::default() });
        let found = finding::findings(&scan, self.config);
        let carried = scan.carried.unwrap_or_default();
        let mut common: Vec<u64> = carried.common.iter().copied().collect();
        common.sort_unstable();
        let (words, rare_df) = carried.words.to_parts();
        let index_written = self.cache.map(|c| c.write_key_index(generation, &carried.keys));
        let state = State {
            settings,
            documents: paths.iter().cloned().zip(digests.iter().copied()).collect(),
            common,
            words,
            rare_df,
            findings: found.clone(),
            // Without its key index, the next run cannot re-scan in part.
            generation: if matches!(index_written, Some(Ok(()))) { generation } else { 0 },
            base: digests.to_vec(),
            delta: Vec::new(),
        };
        (found, How::Full, state, Vec::new())
    }

    /// Re-scans what changed since `previous`, or `None` when too much did
    /// (or the cache lacks what it needs).
    fn incremental(
        &self,
        previous: &State,
        cache: &Cache,
        documents: &[Document],
        paths: &[String],
        digests: &[u64],
    ) -> Option<Outcome> {
        let before: HashSet<u64> = previous.documents.iter().map(|d| d.1).collect();
        let now: HashSet<u64> = digests.iter().copied().collect();
        let fresh: Vec<usize> = (0..documents.len()).filter(|&i| !before.contains(&digests[i])).collect();
        let gone: HashSet<&str> =
            previous.documents.iter().filter(|d| !now.contains(&d.1)).map(|d| d.0.as_str()).collect();
        let present: HashSet<&str> = paths.iter().map(String::as_str).collect();
        let changed = fresh.len() + gone.iter().filter(|p| !present.contains(*p)).count();
        let allowed = ((documents.len() as f64 * INCREMENTAL_SHARE) as usize).max(INCREMENTAL_MIN);
        // Drift since the full scan (the key index and the statistics are
        // its), not only since the last run, bounds a partial re-scan.
        let base: HashSet<u64> = previous.base.iter().copied().collect();
        let drift = digests.iter().filter(|d| !base.contains(d)).count() + base.difference(&now).count();
        // Findings name documents by path: records of one JSON Lines file
        // share theirs, and such a corpus is scanned whole.
        let unique_paths = paths.iter().collect::<HashSet<_>>().len() == paths.len();
        if changed > allowed || drift > allowed || previous.generation == 0 || !unique_paths {
            return None;
        }
        let words = WordWeights::from_parts(&previous.words, previous.rare_df);
        let common: crate::analysis::shingle::HashSetU64 = previous.common.iter().copied().collect();
        let (fresh_keys, fresh_sentences): (Vec<DocumentKeys>, Vec<Vec<(u64, u32)>>) =
            fresh.iter().map(|&i| self.keys_of(&documents[i], &words)).unzip();
        let holders = Holders::find(previous, cache, &fresh_keys, digests, &fresh)?;
        let compared = holders.related(&fresh_keys, &fresh_sentences, self.scan_config.common_df(documents.len()));
        // The changed documents and those they may relate to, in input order.
        let mut subset: Vec<usize> = fresh.iter().copied().chain(compared.iter().copied()).collect();
        subset.sort_unstable();
        let context = Context { corpus_size: documents.len(), common: Some(common), words: Some(words), carry: false };
        let scan = self.scan(subset.iter().map(|&i| documents[i].clone()).collect(), context);
        let touched: HashSet<&str> = fresh.iter().map(|&i| paths[i].as_str()).chain(gone.iter().copied()).collect();
        let involves =
            |f: &Finding| touched.contains(f.copy.path.as_str()) || touched.contains(f.original.path.as_str());
        let mut found: Vec<Finding> = previous.findings.iter().filter(|f| !involves(f)).cloned().collect();
        found.extend(finding::findings(&scan, self.config).into_iter().filter(|f| involves(f)));
        finding::sort(&mut found);
        let in_base: HashSet<u64> = previous.base.iter().copied().collect();
        let state = State {
            documents: paths.iter().cloned().zip(digests.iter().copied()).collect(),
            findings: found.clone(),
            delta: digests.iter().copied().filter(|d| !in_base.contains(d)).collect(),
            ..previous.clone()
        };
        let added = fresh.iter().map(|&i| digests[i]).zip(fresh_keys).collect();
        Some((found, How::Incremental { changed, compared: compared.len() }, state, added))
    }

    /// A changed document's keys, as a full scan would have stored them,
    /// and its sentence keys with the sentence each came from.
    fn keys_of(&self, doc: &Document, words: &WordWeights) -> (DocumentKeys, Vec<(u64, u32)>) {
        let (analysis, keys) = crate::analysis::analyze(doc, self.scan_config);
        let mut fingerprints = keys.fingerprints;
        fingerprints.sort_unstable();
        fingerprints.dedup();
        let sentences = rewrite::document_keys(&analysis.sentences, words, rewrite::sentence_bands());
        let mut sentence_keys: Vec<u64> = sentences.iter().map(|k| k.0).collect();
        sentence_keys.dedup();
        (DocumentKeys { band_keys: keys.band_keys, fingerprints, sentence_keys }, sentences)
    }
}

/// Findings, how, the state to store, and the keys of documents it adds.
type Outcome = (Vec<Finding>, How, State, Vec<(u64, DocumentKeys)>);

/// For each key of the changed documents (by kind: bands, fingerprints,
/// sentences), the unchanged documents (input positions) that hold it:
/// from the key index of the last full scan, and from the documents added
/// since. Keys are compared on their top [`cache::KEY_BITS`] bits.
#[derive(Debug, Default)]
struct Holders {
    by_kind: [HashMapU64<Vec<usize>>; 3],
}

impl Holders {
    fn find(
        previous: &State,
        cache: &Cache,
        fresh_keys: &[DocumentKeys],
        digests: &[u64],
        fresh: &[usize],
    ) -> Option<Holders> {
        let index = cache.key_index(previous.generation)?;
        let changed: HashSet<usize> = fresh.iter().copied().collect();
        let position: HashMap<u64, usize> = digests.iter().enumerate().map(|(i, &d)| (d, i)).collect();
        let unchanged = |digest: u64| position.get(&digest).copied().filter(|i| !changed.contains(i));
        let added: Vec<(usize, u64)> = previous.delta.iter().filter_map(|&d| unchanged(d).map(|i| (i, d))).collect();
        let added_keys = cache.keys(&added.iter().map(|a| a.1).collect::<Vec<_>>())?;
        let mut holders = Holders::default();
        let segments = [&index.bands, &index.prints, &index.sentences];
        let mut found = Vec::new();
        for keys in fresh_keys {
            for (kind, part) in parts(keys).into_iter().enumerate() {
                for &key in part {
                    let short = short_key(key, cache::KEY_BITS);
                    if holders.by_kind[kind].contains_key(&short) {
                        continue;
                    }
                    found.clear();
                    segments[kind].get(key, &mut found);
                    let mut list: Vec<usize> = found
                        .iter()
                        .filter_map(|&n| previous.base.get(n as usize).and_then(|&d| unchanged(d)))
                        .collect();
                    for ((i, _), keys) in added.iter().zip(&added_keys) {
                        if parts(keys)[kind].contains(&short) {
                            list.push(*i);
                        }
                    }
                    list.sort_unstable();
                    list.dedup();
                    holders.by_kind[kind].insert(short, list);
                }
            }
        }
        Some(holders)
    }

    fn of(&self, kind: usize, key: u64) -> &[usize] {
        self.by_kind[kind].get(&short_key(key, cache::KEY_BITS)).map_or(&[], Vec::as_slice)
    }

    /// The unchanged documents the scan's candidate rules would pair with a
    /// changed one: a shared band key; two shared fingerprints held by
    /// fewer than `common_df` documents; sentence buckets (of fewer than
    /// [`rewrite::MAX_BUCKET_DOCS`] documents) shared by
    /// [`rewrite::MIN_SENTENCE_HITS`] distinct sentences of the changed one
    /// (`sentences`: its keys with the sentence each came from). Sorted.
    fn related(&self, fresh: &[DocumentKeys], sentences: &[Vec<(u64, u32)>], common_df: usize) -> Vec<usize> {
        let mut out: HashSet<usize> = HashSet::new();
        for (keys, sentences) in fresh.iter().zip(sentences) {
            out.extend(keys.band_keys.iter().flat_map(|&k| self.of(0, k)));
            let mut prints: Vec<usize> = keys
                .fingerprints
                .iter()
                .map(|&k| self.of(1, k))
                .filter(|h| h.len() + 1 < common_df)
                .flatten()
                .copied()
                .collect();
            prints.sort_unstable();
            out.extend(prints.chunk_by(|x, y| x == y).filter(|run| run.len() >= 2).map(|run| run[0]));
            let mut hits: Vec<(usize, u32)> = sentences
                .iter()
                .map(|&(k, s)| (self.of(2, k), s))
                .filter(|(h, _)| h.len() < rewrite::MAX_BUCKET_DOCS)
                .flat_map(|(h, s)| h.iter().map(move |&d| (d, s)))
                .collect();
            hits.sort_unstable();
            hits.dedup();
            out.extend(
                hits.chunk_by(|x, y| x.0 == y.0)
                    .filter(|run| run.len() >= rewrite::MIN_SENTENCE_HITS)
                    .map(|run| run[0].0),
            );
        }
        let mut out: Vec<usize> = out.into_iter().collect();
        out.sort_unstable();
        out
    }
}

/// A document's keys by kind, in [`Holders`]' order.
fn parts(keys: &DocumentKeys) -> [&Vec<u64>; 3] {
    [&keys.band_keys, &keys.fingerprints, &keys.sentence_keys]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn related_follows_each_candidate_rule() {
        let keys = |b: &[u64], f: &[u64], s: &[u64]| DocumentKeys {
            band_keys: b.to_vec(),
            fingerprints: f.to_vec(),
            sentence_keys: s.to_vec(),
        };
        let mut holders = Holders::default();
        let short = |k: u64| short_key(k << 32, cache::KEY_BITS);
        holders.by_kind[0].insert(short(1), vec![0]);
        holders.by_kind[1].insert(short(10), vec![1, 2]);
        holders.by_kind[1].insert(short(11), vec![2]);
        holders.by_kind[2].insert(short(20), vec![3, 4]);
        holders.by_kind[2].insert(short(21), vec![3, 4]);
        holders.by_kind[2].insert(short(22), vec![4]);
        let fresh = [keys(&[1 << 32], &[10 << 32, 11 << 32], &[])];
        // Keys 20 and 21 come from one sentence.
        let sentences = [vec![(20 << 32, 0), (21 << 32, 0), (22 << 32, 1), (20 << 32, 2)]];
        // 0: a band; 1: one fingerprint, not enough; 2: two; 3: sentences 0
        // and 2, not enough; 4: sentences 0, 1 and 2.
        assert_eq!(holders.related(&fresh, &sentences, 100), vec![0, 2, 4]);
        // Fingerprints held by common_df or more are furniture.
        assert_eq!(holders.related(&fresh, &sentences, 2), vec![0, 4]);
    }
}
