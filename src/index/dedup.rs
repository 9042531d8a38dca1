//! Deduplicating one batch against the index: documents in (input order),
//! one [`Decision`] per document out (kept or held back, and why), and the
//! index updated in one transaction.
//!
//! A batch goes through four steps:
//!
//! 1. **Recognise** what the index has seen: an id with a stored verdict
//!    gets that verdict again (so a replayed batch answers as the first
//!    time); a normalized content hash already archived is an exact copy,
//!    decided without analysis. Copies within the batch go through the scan
//!    like any article, so one batch decides exactly as one `scan` would.
//! 2. **Look up**: each new article is analysed ([`crate::scan::analyze`])
//!    and its LSH band keys and winnowing fingerprints are looked up in the
//!    index's postings; the archived articles they name are read back with
//!    their texts. Fingerprints held by more than the common-shingle count
//!    of articles are furniture and are not followed.
//! 3. **Scan** the new articles together with those archived candidates,
//!    with the same [`Scanner`] `copydesk scan` runs: verification,
//!    rewrites, alignment, provenance and clusters are the scan's own.
//! 4. **Decide** per scan cluster: one that holds archived articles is that
//!    archived story, and each new member is held back against its canonical
//!    unless it ranks better (published earlier, then fuller, then smaller
//!    id), when it becomes the canonical and the decision says which it
//!    replaces; one made only of new articles is a new story, its canonical
//!    kept. A new article in no cluster is kept as a story of its own.
//!    Cluster ids are given once and never change.

use super::store::{self, ArticleRecord, ClusterRecord, Index, IndexError};
use crate::document::Document;
use crate::linking::cluster::cluster_id;
use crate::output::records;
use crate::scan::{Pair, Scan, Scanner};
use crate::ScanConfig;
use redb::ReadableDatabase;
use serde_json::{json, Map, Value};
use std::cmp::Reverse;
use std::collections::{BTreeSet, HashMap};

/// How a batch is run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DedupOptions {
    /// Answer against the index without adding anything to it.
    pub dry_run: bool,
}

/// What became of one input document.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// Held back (a copy of a story already kept or archived).
    pub held: bool,
    /// The `copydesk` object of the output record.
    pub verdict: Value,
    /// The id was decided by an earlier run; this is that decision again.
    pub replayed: bool,
}

/// What a batch did, for the counts printed on stderr.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub articles: usize,
    pub kept: usize,
    pub held: usize,
    /// Held back against a story from an earlier run.
    pub held_against_archive: usize,
    pub canonical_changes: usize,
    pub replayed: usize,
    pub exact_copies: usize,
    /// Archived articles read back as candidates.
    pub archived_candidates: usize,
}

/// A batch's decisions, in input order, and its counts.
#[derive(Debug, Clone)]
pub struct BatchResult {
    pub decisions: Vec<Decision>,
    pub counts: Counts,
}

/// The rank that picks canonicals: earliest published, then fuller text,
/// then smallest id (the scan's own order).
type Rank = (bool, i64, Reverse<usize>, String);

fn rank(published: Option<i64>, tokens: usize, id: &str) -> Rank {
    (published.is_none(), published.unwrap_or(0), Reverse(tokens), id.to_string())
}

/// The content hash of a text: its normalized tokens, in order, so case,
/// punctuation and white space do not matter.
pub fn content_hash(text: &str) -> u64 {
    let tokens = crate::analysis::normalize::normalize(text).tokens;
    if tokens.is_empty() {
        return xxhash_rust::xxh3::xxh3_64(text.as_bytes());
    }
    tokens.iter().fold(0x9e37_79b9_7f4a_7c15, |h, t| crate::analysis::shingle::fmix64(h.rotate_left(23) ^ t.hash))
}

/// Deduplicates `docs` (one batch, input order) against `index`.
pub fn dedup(
    index: &Index,
    docs: &[Document],
    config: &ScanConfig,
    options: DedupOptions,
) -> Result<BatchResult, IndexError> {
    let mut batch = Batch::new(index, docs, config);
    batch.recognise()?;
    let scan = batch.scan_with_candidates()?;
    batch.decide(&scan)?;
    if !options.dry_run {
        batch.write(&scan)?;
    }
    Ok(batch.result())
}

/// One batch on its way through the steps.
struct Batch<'a> {
    index: &'a Index,
    docs: &'a [Document],
    config: &'a ScanConfig,
    /// Per input document: its content hash (for recognising copies, and
    /// stored with it).
    hashes: Vec<u64>,
    /// Per input document: decided already (replayed or exact copy).
    decisions: Vec<Option<Decision>>,
    /// Input positions of new documents to analyse, in input order.
    fresh: Vec<usize>,
    /// Exact copies of archived articles: input position -> what it copies.
    copies: Vec<(usize, ArchivedCopy)>,
    /// Per fresh document: its analysis keys and token count.
    keys: HashMap<usize, (Vec<u64>, Vec<u64>, usize)>,
    /// Archived candidates in the scan, before the fresh documents.
    archived: Vec<Document>,
    /// Input position -> the cluster it was placed in.
    placed: HashMap<usize, String>,
    /// Clusters created or changed by this batch.
    clusters: HashMap<String, ClusterRecord>,
    counts: Counts,
}

/// The archived article an exact copy copies.
#[derive(Debug, Clone)]
struct ArchivedCopy {
    id: String,
    record: ArticleRecord,
}

impl<'a> Batch<'a> {
    fn new(index: &'a Index, docs: &'a [Document], config: &'a ScanConfig) -> Self {
        use rayon::prelude::*;
        Batch {
            index,
            docs,
            config,
            hashes: docs.par_iter().map(|d| content_hash(&d.text)).collect(),
            decisions: vec![None; docs.len()],
            fresh: Vec::new(),
            copies: Vec::new(),
            keys: HashMap::new(),
            archived: Vec::new(),
            placed: HashMap::new(),
            clusters: HashMap::new(),
            counts: Counts { articles: docs.len(), ..Counts::default() },
        }
    }

    fn record_of(&self, id: &str) -> Result<Option<ArticleRecord>, IndexError> {
        let read = self.index.db.begin_read()?;
        let articles = read.open_table(store::ARTICLES)?;
        let Some(bytes) = articles.get(id)? else { return Ok(None) };
        serde_json::from_slice(bytes.value()).map(Some).map_err(|e| IndexError::Record(format!("article {id:?}: {e}")))
    }

    fn cluster_of(&self, cluster: &str) -> Result<ClusterRecord, IndexError> {
        if let Some(c) = self.clusters.get(cluster) {
            return Ok(c.clone());
        }
        let read = self.index.db.begin_read()?;
        let table = read.open_table(store::CLUSTERS)?;
        let bytes = table.get(cluster)?.ok_or_else(|| IndexError::Record(format!("cluster {cluster} missing")))?;
        serde_json::from_slice(bytes.value()).map_err(|e| IndexError::Record(format!("cluster {cluster}: {e}")))
    }

    /// Step 1: stored verdicts and exact copies.
    fn recognise(&mut self) -> Result<(), IndexError> {
        let read = self.index.db.begin_read()?;
        let verdicts = read.open_table(store::VERDICTS)?;
        let content = read.open_table(store::CONTENT)?;
        let mut ids: std::collections::HashSet<&str> = std::collections::HashSet::new();
        for (i, doc) in self.docs.iter().enumerate() {
            if let Some(stored) = verdicts.get(doc.id.as_str())? {
                let verdict: Value = serde_json::from_slice(stored.value())
                    .map_err(|e| IndexError::Record(format!("verdict of {:?}: {e}", doc.id)))?;
                let held = verdict["verdict"] == "held";
                self.decisions[i] = Some(Decision { held, verdict, replayed: true });
                self.counts.replayed += 1;
                continue;
            }
            if !ids.insert(doc.id.as_str()) {
                // Ingest refuses repeated ids; a library caller may not.
                return Err(IndexError::Record(format!("id {:?} twice in one batch", doc.id)));
            }
            if let Some(first) = content.get(self.hashes[i])? {
                let id = first.value().to_string();
                let record = self.record_of(&id)?.ok_or_else(|| IndexError::Record(format!("article {id:?}")))?;
                self.copies.push((i, ArchivedCopy { id, record }));
            } else {
                self.fresh.push(i);
            }
        }
        self.counts.exact_copies = self.copies.len();
        Ok(())
    }

    /// Steps 2 and 3: analysis, look-up, and the scan of the fresh
    /// documents with their archived candidates.
    fn scan_with_candidates(&mut self) -> Result<Scan, IndexError> {
        use rayon::prelude::*;
        let analysed: Vec<(usize, Vec<u64>, Vec<u64>, usize)> = self
            .fresh
            .par_iter()
            .map(|&i| {
                let (analysis, keys) = crate::scan::analyze(&self.docs[i], self.config);
                (i, keys.band_keys, keys.fingerprints, analysis.num_tokens)
            })
            .collect();
        let cap = self.config.common_df(0) as u64;
        let read = self.index.db.begin_read()?;
        let bands = read.open_multimap_table(store::BANDS)?;
        let fingerprints = read.open_multimap_table(store::FINGERPRINTS)?;
        let mut numbers: BTreeSet<u64> = BTreeSet::new();
        for (i, band_keys, prints, tokens) in analysed {
            for &key in &band_keys {
                for n in bands.get(key)? {
                    numbers.insert(n?.value());
                }
            }
            for &fp in &prints {
                let postings: Vec<u64> = first_values(fingerprints.get(fp)?, cap + 1)?;
                if postings.len() as u64 <= cap {
                    numbers.extend(postings);
                }
            }
            self.keys.insert(i, (band_keys, prints, tokens));
        }
        let ids = read.open_table(store::NUMBERS)?;
        let texts = read.open_table(store::TEXTS)?;
        for n in numbers {
            let Some(id) = ids.get(n)? else { continue };
            let id = id.value().to_string();
            let Some(packed) = texts.get(id.as_str())? else { continue };
            self.archived.push(store::unpack(packed.value())?.into_document());
        }
        self.archived.sort_by(|a, b| a.id.cmp(&b.id));
        self.counts.archived_candidates = self.archived.len();
        let mut corpus = self.archived.clone();
        corpus.extend(self.fresh.iter().map(|&i| self.docs[i].clone()));
        Ok(Scanner::new(self.config.clone()).scan(corpus))
    }

    /// The input position of scan document `d`, if it is a fresh one.
    fn fresh_of(&self, d: u32) -> Option<usize> {
        (d as usize).checked_sub(self.archived.len()).map(|k| self.fresh[k])
    }

    fn scan_rank(&self, scan: &Scan, d: u32) -> Rank {
        let doc = &scan.documents[d as usize];
        rank(doc.meta.published.as_ref().and_then(|p| p.seconds()), scan.analyses[d as usize].num_tokens, &doc.id)
    }

    /// Step 4: a decision for every fresh document and exact copy.
    fn decide(&mut self, scan: &Scan) -> Result<(), IndexError> {
        let pairs: HashMap<(u32, u32), &Pair> = scan.pairs.iter().map(|p| ((p.a, p.b), p)).collect();
        for c in &scan.clusters {
            self.decide_story(scan, &pairs, &c.members)?;
        }
        for &i in &self.fresh.clone() {
            if !self.placed.contains_key(&i) {
                let id = &self.docs[i].id;
                self.keep(i, &cluster_id(id), None);
            }
        }
        for (i, copied) in self.copies.clone() {
            self.hold_copy(i, &copied)?;
        }
        Ok(())
    }

    /// The new members of one scan cluster (`members`, canonical first):
    /// each is kept as the story's canonical when it ranks best so far, or
    /// held back against the canonical.
    fn decide_story(
        &mut self,
        scan: &Scan,
        pairs: &HashMap<(u32, u32), &Pair>,
        members: &[u32],
    ) -> Result<(), IndexError> {
        let (archived, mut fresh): (Vec<u32>, Vec<u32>) =
            members.iter().partition(|&&m| (m as usize) < self.archived.len());
        if fresh.is_empty() {
            return Ok(());
        }
        let (cluster, mut canonical) = self.story_of(scan, &archived, members[0])?;
        fresh.sort_by_key(|&m| self.scan_rank(scan, m));
        for m in fresh {
            let i = self.fresh_of(m).expect("fresh member");
            let r = self.scan_rank(scan, m);
            if canonical.1.as_ref().is_none_or(|c| r < *c) {
                let replaces = (!canonical.0.is_empty()).then(|| canonical.0.clone());
                self.keep(i, &cluster, replaces);
                canonical = (self.docs[i].id.clone(), Some(r));
                continue;
            }
            let against = self.best_partner(scan, pairs, m, &canonical.0, members);
            self.hold(scan, i, &cluster, &canonical.0, against);
        }
        Ok(())
    }

    /// The story a scan cluster belongs to: the archived story of its
    /// best-ranked archived member, with that story's canonical and its
    /// rank; or, with no archived member, a new story named after the
    /// cluster's canonical and as yet no canonical ("", None).
    fn story_of(
        &self,
        scan: &Scan,
        archived: &[u32],
        first: u32,
    ) -> Result<(String, (String, Option<Rank>)), IndexError> {
        let Some(&best) = archived.iter().min_by_key(|&&m| self.scan_rank(scan, m)) else {
            return Ok((cluster_id(&scan.documents[first as usize].id), (String::new(), None)));
        };
        let record = self
            .record_of(&scan.documents[best as usize].id)?
            .ok_or_else(|| IndexError::Record("archived candidate without a record".into()))?;
        let stored = self.cluster_of(&record.cluster)?;
        let canon_rank = self.record_of(&stored.canonical)?.map(|r| rank(r.published, r.tokens, &stored.canonical));
        Ok((record.cluster, (stored.canonical, canon_rank)))
    }

    /// The member `m` is held against: the canonical when they were compared,
    /// else the member it links to most strongly.
    fn best_partner<'p>(
        &self,
        scan: &Scan,
        pairs: &HashMap<(u32, u32), &'p Pair>,
        m: u32,
        canonical: &str,
        members: &[u32],
    ) -> Option<&'p Pair> {
        let with = |o: u32| pairs.get(&(m.min(o), m.max(o))).copied();
        let canonical_pair =
            members.iter().find(|&&o| scan.documents[o as usize].id == canonical).and_then(|&o| with(o));
        canonical_pair.or_else(|| {
            members
                .iter()
                .filter(|&&o| o != m)
                .filter_map(|&o| with(o))
                .filter(|p| p.relation.links())
                .max_by(|x, y| x.link_score().total_cmp(&y.link_score()).then(y.a.cmp(&x.a)).then(y.b.cmp(&x.b)))
        })
    }

    fn keep(&mut self, i: usize, cluster: &str, replaces: Option<String>) {
        let id = self.docs[i].id.clone();
        let mut verdict = json!({ "verdict": "kept", "cluster": cluster, "canonical": id });
        if let Some(old) = &replaces {
            verdict["replaces"] = json!(old);
            self.counts.canonical_changes += 1;
        }
        let entry = self
            .clusters
            .entry(cluster.to_string())
            .or_insert_with(|| ClusterRecord { canonical: id.clone(), replaced: Vec::new() });
        if let Some(old) = replaces {
            entry.replaced.push(old);
            entry.canonical = id.clone();
        }
        self.counts.kept += 1;
        self.placed.insert(i, cluster.to_string());
        self.decisions[i] = Some(Decision { held: false, verdict, replayed: false });
    }

    fn hold(&mut self, scan: &Scan, i: usize, cluster: &str, canonical: &str, against: Option<&Pair>) {
        let (duplicate_of, archived, pair) = match against {
            Some(p) => {
                let other = if self.fresh_of(p.a) == Some(i) { p.b } else { p.a };
                let archived = (other as usize) < self.archived.len();
                (scan.documents[other as usize].id.clone(), archived, serde_json::to_value(records::pair(scan, p)).ok())
            }
            None => (canonical.to_string(), true, None),
        };
        self.held(i, cluster, canonical, &duplicate_of, archived, pair.unwrap_or(Value::Null));
    }

    /// Records document `i` as held back against `duplicate_of`.
    fn held(&mut self, i: usize, cluster: &str, canonical: &str, duplicate_of: &str, archived: bool, pair: Value) {
        if archived {
            self.counts.held_against_archive += 1;
        }
        let verdict = json!({
            "verdict": "held",
            "cluster": cluster,
            "canonical": canonical,
            "duplicate_of": duplicate_of,
            "archived": archived,
            "pair": pair,
        });
        self.counts.held += 1;
        self.placed.insert(i, cluster.to_string());
        self.decisions[i] = Some(Decision { held: true, verdict, replayed: false });
    }

    /// An exact copy of an archived article: held against it, in its story.
    fn hold_copy(&mut self, i: usize, copied: &ArchivedCopy) -> Result<(), IndexError> {
        let canonical = self.cluster_of(&copied.record.cluster)?.canonical;
        let pair = json!({
            "a": copied.id,
            "b": self.docs[i].id,
            "relation": "duplicate",
            "basis": "the same text once case, punctuation and white space are set aside",
            "jaccard": 1.0,
        });
        self.held(i, &copied.record.cluster, &canonical, &copied.id, true, pair);
        Ok(())
    }

    /// Adds every decided new document to the index, in one transaction.
    fn write(&self, scan: &Scan) -> Result<(), IndexError> {
        let tokens_of: HashMap<&str, usize> =
            scan.documents.iter().zip(&scan.analyses).map(|(d, a)| (d.id.as_str(), a.num_tokens)).collect();
        let mut batch = store::BatchWriter::begin(self.index)?;
        for (i, doc) in self.docs.iter().enumerate() {
            let Some(decision) = self.decisions[i].as_ref().filter(|d| !d.replayed) else { continue };
            let (band_keys, fingerprints, tokens) = match self.keys.get(&i) {
                Some((b, f, t)) => (b.clone(), f.clone(), *t),
                None => (Vec::new(), Vec::new(), tokens_of.get(doc.id.as_str()).copied().unwrap_or(0)),
            };
            let record = ArticleRecord {
                number: batch.next_number(),
                cluster: self.placed[&i].clone(),
                published: doc.meta.published.as_ref().and_then(|p| p.seconds()),
                tokens,
                content: self.hashes[i],
                band_keys,
                fingerprints,
            };
            batch.add(doc, &record, &decision.verdict)?;
        }
        let mut changed: Vec<(&String, &ClusterRecord)> = self.clusters.iter().collect();
        changed.sort_by_key(|(id, _)| id.as_str());
        let c = &self.counts;
        let run = json!({
            "articles": c.articles,
            "kept": c.kept,
            "held": c.held,
            "replayed": c.replayed,
            "canonical_changes": c.canonical_changes,
        });
        batch.commit(&changed, &run)
    }

    fn result(self) -> BatchResult {
        let decisions = self.decisions.into_iter().map(|d| d.expect("every document is decided")).collect();
        BatchResult { decisions, counts: self.counts }
    }
}

/// Up to `limit` values of one multimap key.
fn first_values(values: redb::MultimapValue<'_, u64>, limit: u64) -> Result<Vec<u64>, IndexError> {
    let mut out = Vec::new();
    for v in values.take(limit as usize) {
        out.push(v?.value());
    }
    Ok(out)
}

/// The input record of a document as the output writes it: its fields as
/// given (JSON Lines fields, or what a file or feed item provided).
pub fn input_record(doc: &Document) -> Map<String, Value> {
    let mut record = Map::new();
    record.insert("id".into(), json!(doc.id));
    let m = &doc.meta;
    for (key, value) in [("title", &m.title), ("outlet", &m.outlet), ("url", &m.url)] {
        if let Some(v) = value {
            record.insert(key.into(), json!(v));
        }
    }
    if let Some(p) = &m.published {
        record.insert("published".into(), json!(p.raw));
    }
    for (k, v) in &m.extra {
        record.insert(k.clone(), v.clone());
    }
    record.insert("text".into(), json!(doc.text));
    record
}
