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

use super::error::IndexError;
use super::estimate::{self, Estimate};
use super::postings::Kind;
use super::schema;
use super::statistics;
use super::store::{self, ArticleRecord, ClusterRecord, Index};
use crate::analysis::shingle::content_hash;
use crate::analysis::{analyze_sampled, Analysis, Vocabulary};
use crate::corpus::common::DF_SAMPLE;
use crate::document::Document;
use crate::linking::cluster::cluster_id;
use crate::linking::rewrite;
use crate::output::records;
use crate::scan::{Context, IndexKeys, Pair, Scan, Scanner};
use crate::ScanConfig;
use redb::{ReadableDatabase, ReadableTable, ReadableTableMetadata};
use serde_json::{json, Map, Value};
use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// How a batch is run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DedupOptions {
    /// Answer against the index without adding anything to it.
    pub dry_run: bool,
    /// Leave the merging of posting segments to the caller
    /// ([`Index::merge_segments`]), to run once the batch's answers are
    /// out: a merge of large segments takes longer than a batch, and the
    /// batch is committed whole before it.
    pub defer_merges: bool,
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
    /// This batch re-linked the whole archive (`relink_due`).
    pub relinked: bool,
    /// Archived articles that moved to another story: clusters are
    /// complete-linkage over every link, and a new article's links can
    /// change which members are related to all the others.
    pub moved: usize,
}

/// A batch's decisions, in input order, and its counts.
#[derive(Debug, Clone)]
pub struct BatchResult {
    pub decisions: Vec<Decision>,
    pub counts: Counts,
    /// Wall seconds per step, in the order the steps ran (for benches and
    /// `--stats`; never part of the output records).
    pub steps: Vec<(&'static str, f64)>,
}

/// Wall time per step of a batch.
#[derive(Debug, Default)]
struct Steps {
    done: Vec<(&'static str, f64)>,
    since: Option<std::time::Instant>,
}

impl Steps {
    /// Ends the step running since the last call, naming it `step`.
    fn lap(&mut self, step: &'static str) {
        let now = std::time::Instant::now();
        if let Some(since) = self.since {
            self.done.push((step, (now - since).as_secs_f64()));
        }
        self.since = Some(now);
    }
}

/// The rank that picks canonicals: earliest published, then fuller text,
/// then smallest id (the scan's own order).
type Rank = (bool, i64, Reverse<usize>, String);

fn rank(published: Option<i64>, tokens: usize, id: &str) -> Rank {
    (published.is_none(), published.unwrap_or(0), Reverse(tokens), id.to_string())
}

/// Deduplicates `docs` (one batch, input order) against `index`.
pub fn dedup(
    index: &Index,
    docs: &[Document],
    config: &ScanConfig,
    options: DedupOptions,
) -> Result<BatchResult, IndexError> {
    let mut batch = Batch::new(index, docs, config, index.db.begin_read()?);
    batch.steps.lap("start");
    batch.recognise()?;
    batch.steps.lap("recognise");
    let scan = batch.scan_with_candidates()?;
    batch.decide(&scan)?;
    batch.steps.lap("decide");
    if !options.dry_run {
        batch.write(&scan)?;
        if !options.defer_merges {
            index.merge_segments(false)?;
            batch.steps.lap("merge segments");
        }
    }
    Ok(batch.result())
}

/// One batch on its way through the steps.
struct Batch<'a> {
    index: &'a Index,
    /// The index as the batch found it: records and stories are read from
    /// this one snapshot, not from a transaction per look-up.
    read: redb::ReadTransaction,
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
    /// Per fresh document: its index keys and token count.
    keys: HashMap<usize, (IndexKeys, usize)>,
    /// Per fresh document: its sentence-index keys (texts and rewrites on).
    sentence_keys: HashMap<usize, Vec<(u64, u32)>>,
    /// Fresh documents in the document-frequency sample: what they add
    /// to it.
    sample: HashMap<usize, Vocabulary>,
    /// Archived articles in the scan, before the fresh documents: the whole
    /// link components of the candidates the postings named.
    archived: Vec<Archived>,
    /// Input position -> the story it was placed in.
    placed: HashMap<usize, String>,
    /// Stories created or changed by this batch.
    clusters: HashMap<String, ClusterRecord>,
    /// Without texts: fresh documents (input positions) linked to an
    /// archived article by an estimate, with the best one.
    estimated: BTreeMap<usize, (ArchivedMatch, Estimate)>,
    /// Archived articles to list as members of a story this batch joined
    /// (a story of one is not listed until it has two).
    members: Vec<(String, String)>,
    /// Ranks of the articles this batch made canonicals by an estimate.
    kept_ranks: HashMap<String, Rank>,
    /// Links estimates made: (archived number, input position).
    estimated_links: Vec<(u64, usize)>,
    /// Story ids in use after this batch among those it touched.
    taken: HashSet<String>,
    /// Archived articles that moved to another story: (id, from, to).
    moves: Vec<(String, String, String)>,
    counts: Counts,
    steps: Steps,
}

/// A fresh document's analysis, as the index needs it.
struct Analysed {
    /// Its input position.
    i: usize,
    keys: IndexKeys,
    /// The whole analysis, handed on to the scan.
    analysis: Analysis,
    /// Its vocabulary, when it is in the document-frequency sample.
    vocabulary: Option<Vocabulary>,
}

/// An archived article an estimate links a fresh one to.
#[derive(Debug, Clone)]
struct ArchivedMatch {
    id: String,
    record: ArticleRecord,
}

/// An archived article read back for the scan.
struct Archived {
    doc: Document,
    number: u64,
    story: String,
}

/// The archived article an exact copy copies.
#[derive(Debug, Clone)]
struct ArchivedCopy {
    id: String,
    record: ArticleRecord,
}

impl<'a> Batch<'a> {
    fn new(index: &'a Index, docs: &'a [Document], config: &'a ScanConfig, read: redb::ReadTransaction) -> Self {
        use rayon::prelude::*;
        Batch {
            index,
            read,
            docs,
            config,
            hashes: docs.par_iter().map(|d| content_hash(&d.text)).collect(),
            decisions: vec![None; docs.len()],
            fresh: Vec::new(),
            copies: Vec::new(),
            keys: HashMap::new(),
            sample: HashMap::new(),
            sentence_keys: HashMap::new(),
            archived: Vec::new(),
            placed: HashMap::new(),
            clusters: HashMap::new(),
            taken: HashSet::new(),
            estimated: BTreeMap::new(),
            estimated_links: Vec::new(),
            kept_ranks: HashMap::new(),
            members: Vec::new(),
            moves: Vec::new(),
            counts: Counts { articles: docs.len(), ..Counts::default() },
            steps: Steps::default(),
        }
    }

    fn record_of(&self, id: &str) -> Result<Option<ArticleRecord>, IndexError> {
        store::article(&self.read, id)
    }

    /// A story as this batch left it so far, else as stored; a story of
    /// one archived article with no history is that article alone.
    fn story(&self, cluster: &str) -> Result<Option<ClusterRecord>, IndexError> {
        if let Some(c) = self.clusters.get(cluster) {
            return Ok(Some(c.clone()));
        }
        let table = self.read.open_table(schema::CLUSTERS)?;
        if let Some(bytes) = table.get(cluster)? {
            let record = serde_json::from_slice(bytes.value())
                .map_err(|e| IndexError::Record(format!("cluster {cluster}: {e}")))?;
            return Ok(Some(record));
        }
        // A story of one article with no history is stored as nothing.
        let alone = self.archived.iter().find(|a| a.story == cluster).map(|a| a.doc.id.clone());
        let alone = alone.or_else(|| {
            let copied = self.copies.iter().find(|(_, c)| c.record.cluster == cluster);
            copied.map(|(_, c)| c.id.clone())
        });
        Ok(alone.map(|canonical| ClusterRecord { canonical, replaced: Vec::new() }))
    }

    /// Step 1: stored verdicts and exact copies.
    fn recognise(&mut self) -> Result<(), IndexError> {
        let read = self.index.db.begin_read()?;
        let verdicts = read.open_table(schema::VERDICTS)?;
        let content = read.open_table(schema::CONTENT)?;
        let (numbers, articles) = (read.open_table(schema::IDS)?, read.open_table(schema::ARTICLES)?);
        let mut ids: HashSet<&str> = HashSet::new();
        for (i, doc) in self.docs.iter().enumerate() {
            let number = numbers.get(doc.id.as_str())?.map(|n| n.value());
            if let Some(stored) = number.map(|n| verdicts.get(n)).transpose()?.flatten() {
                let verdict = store::unpack_verdict(&doc.id, stored.value())
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
                let number = first.value();
                let record = store::article_numbered(&articles, number)?
                    .ok_or_else(|| IndexError::Record(format!("article {number}")))?;
                let id = record.id.clone();
                // A copy counts in document frequency as one scan would
                // count it: with the vocabulary of what it copies.
                if let Some(vocabulary) = statistics::read_one(&read, record.number)? {
                    self.sample.insert(i, vocabulary);
                }
                self.copies.push((i, ArchivedCopy { id, record }));
            } else {
                self.fresh.push(i);
            }
        }
        self.counts.exact_copies = self.copies.len();
        Ok(())
    }

    /// Steps 2 and 3: analysis, look-up, and the scan of the fresh
    /// documents with the archived articles they may be linked to.
    fn scan_with_candidates(&mut self) -> Result<Scan, IndexError> {
        let read = self.index.db.begin_read()?;
        let level = statistics::level(&read.open_table(schema::META)?)?;
        let analysed = self.analyse(level);
        self.steps.lap("analyse");
        let corpus_size = read.open_table(schema::ARTICLES)?.len()? as usize + self.fresh.len();
        let common_df = self.config.common_df(corpus_size);
        let copied = self.copies.iter().filter_map(|(i, _)| self.sample.get(i));
        let fresh_sample: Vec<&Vocabulary> =
            analysed.iter().filter_map(|a| a.vocabulary.as_ref()).chain(copied).collect();
        let (common, words) =
            self.index.with_sample(&read, |counts| counts.statistics(&fresh_sample, corpus_size, common_df, level))?;
        self.steps.lap("statistics");
        if self.index.options().texts {
            let mut numbers = self.look_up(&read, &analysed, common_df as u64)?;
            self.steps.lap("look up");
            if relink_due(&read, corpus_size, self.config)? {
                self.counts.relinked = true;
                for row in read.open_table(schema::ARTICLES)?.iter()? {
                    numbers.insert(row?.0.value());
                }
            }
            if self.config.options().rewrites {
                numbers.extend(self.rewrite_candidates(&read, &analysed, &words)?);
                self.steps.lap("rewrite look-up");
            }
            self.archived = read_components(&read, numbers)?;
            self.counts.archived_candidates = self.archived.len();
            self.steps.lap("read archived");
        } else {
            self.estimate(&read, &analysed, common_df as u64)?;
            self.steps.lap("estimate");
        }
        let mut given: Vec<Option<(Analysis, IndexKeys)>> = Vec::with_capacity(self.archived.len() + analysed.len());
        given.resize_with(self.archived.len(), || None);
        for a in analysed {
            self.keys.insert(a.i, (a.keys.clone(), a.analysis.num_tokens));
            if let Some(vocabulary) = a.vocabulary {
                self.sample.insert(a.i, vocabulary);
            }
            let mut keys = a.keys;
            keys.sentence_keys = self.sentence_keys.get(&a.i).cloned();
            given.push(Some((a.analysis, keys)));
        }
        let mut corpus: Vec<Document> = self.archived.iter().map(|a| a.doc.clone()).collect();
        corpus.extend(self.fresh.iter().map(|&i| self.docs[i].clone()));
        let context = Context { corpus_size, common: Some(common), words: Some(words), carry: false };
        let scan = Scanner::new(self.config.clone()).scan_in(corpus, given, &context, &|_| {});
        self.steps.lap("scan");
        Ok(scan)
    }

    /// Analyses the fresh documents (in parallel); those in the
    /// document-frequency sample at `level` give their vocabulary.
    fn analyse(&self, level: u32) -> Vec<Analysed> {
        use rayon::prelude::*;
        self.fresh
            .par_iter()
            .map(|&i| {
                let sampled = statistics::sampled(self.hashes[i], level);
                let (analysis, keys, vocabulary) = analyze_sampled(&self.docs[i], self.config, sampled);
                Analysed { i, keys, analysis, vocabulary }
            })
            .collect()
    }

    /// Archived articles that share sentence-index buckets with at least
    /// [`rewrite::MIN_SENTENCE_HITS`] distinct sentences of a fresh one (a
    /// bucket of more than [`rewrite::MAX_BUCKET_DOCS`] articles holds a
    /// stock sentence and is not followed), as the scan's rewrite index.
    /// The fresh documents' sentence-index keys (under the corpus's word
    /// `weights`) are kept to be stored with them.
    fn rewrite_candidates(
        &mut self,
        read: &redb::ReadTransaction,
        analysed: &[Analysed],
        weights: &rewrite::WordWeights,
    ) -> Result<BTreeSet<u64>, IndexError> {
        use rayon::prelude::*;
        let bands = rewrite::sentence_bands();
        let sentence_keys: Vec<Vec<(u64, u32)>> =
            analysed.par_iter().map(|a| rewrite::document_keys(&a.analysis.sentences, weights, bands)).collect();
        self.steps.lap("sentence keys");
        let postings = self.index.postings(read)?;
        // (key, (document, sentence)) for every document's keys at once.
        let queries: Vec<(u64, (u32, u32))> = sentence_keys
            .iter()
            .enumerate()
            .flat_map(|(d, keys)| keys.iter().map(move |&(k, s)| (k, (d as u32, s))))
            .collect();
        let hits = postings.get_all(Kind::Sentences, &queries, rewrite::MAX_BUCKET_DOCS - 1);
        self.steps.lap("sentence postings");
        let found = enough_sentences(hits);
        for (a, keys) in analysed.iter().zip(sentence_keys) {
            self.sentence_keys.insert(a.i, keys);
        }
        Ok(found)
    }

    /// The archived articles that share a band key, or a fingerprint held
    /// by at most `cap` articles, with a fresh one.
    fn look_up(
        &self,
        read: &redb::ReadTransaction,
        analysed: &[Analysed],
        cap: u64,
    ) -> Result<BTreeSet<u64>, IndexError> {
        let postings = self.index.postings(read)?;
        let removed = read.open_table(schema::REMOVED)?;
        let bands: Vec<(u64, ())> = analysed.iter().flat_map(|a| a.keys.band_keys.iter().map(|&k| (k, ()))).collect();
        let mut found: Vec<u32> =
            postings.get_all(Kind::Bands, &bands, usize::MAX).into_iter().map(|(_, n)| n).collect();
        // As the scan's containment index: a pair needs two shared
        // fingerprints that fewer than `cap` articles hold.
        let keys: Vec<&IndexKeys> = analysed.iter().map(|a| &a.keys).collect();
        for shared in estimate::shared_prints(&postings, &keys, cap) {
            found.extend(shared.into_iter().filter(|&(_, count)| count >= 2).map(|(n, _)| n));
        }
        let mut numbers: BTreeSet<u64> = found.into_iter().map(u64::from).collect();
        if !removed.is_empty()? {
            numbers.retain(|&n| !removed.get(n).is_ok_and(|r| r.is_some()));
        }
        Ok(numbers)
    }

    /// Without texts: each fresh document's best-supported link to an
    /// archived article, estimated from the fingerprints they share.
    fn estimate(&mut self, read: &redb::ReadTransaction, analysed: &[Analysed], cap: u64) -> Result<(), IndexError> {
        let postings = self.index.postings(read)?;
        let keys: Vec<&IndexKeys> = analysed.iter().map(|a| &a.keys).collect();
        let shared = estimate::shared_prints(&postings, &keys, cap);
        let (articles, removed) = (read.open_table(schema::ARTICLES)?, read.open_table(schema::REMOVED)?);
        for (a, shared) in analysed.iter().zip(shared) {
            let prints = estimate::distinct_prints(&a.keys).len() as u32;
            let mut best: Option<(ArchivedMatch, Estimate)> = None;
            for (number, count) in shared.into_iter().filter(|&(_, c)| c >= estimate::MIN_SHARED_PRINTS) {
                if removed.get(u64::from(number))?.is_some() {
                    continue;
                }
                let Some(record) = store::article_numbered(&articles, u64::from(number))? else { continue };
                let Some(e) = estimate::judge(count, prints, record.prints, self.config) else { continue };
                if best.as_ref().is_none_or(|(_, b)| e.score() > b.score()) {
                    best = Some((ArchivedMatch { id: record.id.clone(), record }, e));
                }
            }
            if let Some(best) = best {
                self.estimated.insert(a.i, best);
            }
        }
        self.counts.archived_candidates = self.estimated.len();
        Ok(())
    }

    /// The input position of scan document `d`, if it is a fresh one.
    fn fresh_of(&self, d: u32) -> Option<usize> {
        (d as usize).checked_sub(self.archived.len()).map(|k| self.fresh[k])
    }

    /// Step 4: the scan's clusters become the stories of the index, and
    /// every fresh document and exact copy gets its decision.
    fn decide(&mut self, scan: &Scan) -> Result<(), IndexError> {
        let pairs: HashMap<(u32, u32), &Pair> = scan.pairs.iter().map(|p| ((p.a, p.b), p)).collect();
        for (i, (archived, e)) in std::mem::take(&mut self.estimated).iter() {
            self.settle_estimated(*i, archived, e)?;
        }
        // Members an estimate placed already are out of the batch's stories.
        let undecided = |m: &u32| self.fresh_of(*m).is_none_or(|i| self.decisions[i].is_none());
        let clusters: Vec<Vec<u32>> = scan
            .clusters
            .iter()
            .map(|c| c.members.iter().copied().filter(undecided).collect::<Vec<u32>>())
            .filter(|m| m.len() > 1)
            .collect();
        let names = self.name_stories(scan, &clusters)?;
        let mut in_cluster = vec![false; scan.documents.len()];
        for (members, story) in clusters.iter().zip(&names) {
            for &m in members {
                in_cluster[m as usize] = true;
            }
            self.settle_story(scan, &pairs, members, story)?;
        }
        self.settle_alone(scan, &in_cluster)?;
        for (i, copied) in self.copies.clone() {
            self.hold_copy(i, &copied)?;
        }
        Ok(())
    }

    /// The story id of each scan cluster: a stored story keeps its id with
    /// the cluster that holds most of its members (ties to the smaller id);
    /// a cluster left without one is a new story named after its canonical.
    fn name_stories(&mut self, scan: &Scan, clusters: &[Vec<u32>]) -> Result<Vec<String>, IndexError> {
        let mut overlap: BTreeMap<(usize, &str), usize> = BTreeMap::new();
        for (ci, members) in clusters.iter().enumerate() {
            for &m in members.iter().filter(|&&m| (m as usize) < self.archived.len()) {
                *overlap.entry((ci, self.archived[m as usize].story.as_str())).or_default() += 1;
            }
        }
        let mut ranked: Vec<((usize, &str), usize)> = overlap.into_iter().collect();
        ranked.sort_by(|(x, nx), (y, ny)| ny.cmp(nx).then(x.1.cmp(y.1)).then(x.0.cmp(&y.0)));
        let mut names: Vec<Option<String>> = vec![None; clusters.len()];
        for ((ci, story), _) in ranked {
            if names[ci].is_none() && !self.taken.contains(story) {
                self.taken.insert(story.to_string());
                names[ci] = Some(story.to_string());
            }
        }
        let mut out = Vec::with_capacity(names.len());
        for (ci, name) in names.into_iter().enumerate() {
            let name = match name {
                Some(n) => n,
                None => self.new_story_id(&scan.documents[clusters[ci][0] as usize].id)?,
            };
            out.push(name);
        }
        Ok(out)
    }

    /// A story id for a story first canonical `id`, unused in the index
    /// and in this batch.
    fn new_story_id(&mut self, id: &str) -> Result<String, IndexError> {
        let table = self.read.open_table(schema::CLUSTERS)?;
        for k in 0u32.. {
            let name = if k == 0 { cluster_id(id) } else { cluster_id(&format!("{id}\u{0}{k}")) };
            if !self.taken.contains(&name) && table.get(name.as_str())?.is_none() {
                self.taken.insert(name.clone());
                return Ok(name);
            }
        }
        unreachable!("some suffix is free")
    }

    /// One scan cluster (`members`, canonical first) as story `story`: its
    /// canonical is the cluster's, archived members that were elsewhere
    /// move in, a fresh canonical is kept and every other fresh member is
    /// held back against it.
    fn settle_story(
        &mut self,
        scan: &Scan,
        pairs: &HashMap<(u32, u32), &Pair>,
        members: &[u32],
        story: &str,
    ) -> Result<(), IndexError> {
        let canonical = scan.documents[members[0] as usize].id.clone();
        let before = self.story(story)?;
        let replaces = before.as_ref().map(|b| b.canonical.clone()).filter(|old| *old != canonical);
        let mut record = before.unwrap_or_else(|| ClusterRecord { canonical: canonical.clone(), replaced: Vec::new() });
        if let Some(old) = &replaces {
            record.replaced.push(old.clone());
            record.canonical = canonical.clone();
        }
        self.clusters.insert(story.to_string(), record);
        for &m in members {
            match self.fresh_of(m) {
                Some(i) if m == members[0] => self.keep(i, story, replaces.clone()),
                Some(i) => {
                    let against = self.best_partner(scan, pairs, m, &canonical, members);
                    self.hold(scan, i, story, &canonical, against);
                }
                None => self.move_to(m as usize, story),
            }
        }
        Ok(())
    }

    /// Documents in no scan cluster: a fresh one is a story of its own; an
    /// archived one stays in its story when no cluster took that story's
    /// id (the best-ranked first), else it is a story of its own.
    fn settle_alone(&mut self, scan: &Scan, in_cluster: &[bool]) -> Result<(), IndexError> {
        let mut alone: Vec<u32> = (0..scan.documents.len() as u32).filter(|&d| !in_cluster[d as usize]).collect();
        alone.sort_by_cached_key(|&d| self.scan_rank(scan, d));
        for d in alone {
            let id = scan.documents[d as usize].id.clone();
            match self.fresh_of(d) {
                Some(i) if self.decisions[i].is_some() => {}
                Some(i) => {
                    let story = self.new_story_id(&id)?;
                    self.clusters.insert(story.clone(), ClusterRecord { canonical: id, replaced: Vec::new() });
                    self.keep(i, &story, None);
                }
                None => {
                    let old = self.archived[d as usize].story.clone();
                    let story = if self.taken.insert(old.clone()) { old } else { self.new_story_id(&id)? };
                    let before = self.story(&story)?;
                    let mut record =
                        before.unwrap_or_else(|| ClusterRecord { canonical: id.clone(), replaced: Vec::new() });
                    if record.canonical != id {
                        record.replaced.push(std::mem::replace(&mut record.canonical, id));
                    }
                    self.clusters.insert(story.clone(), record);
                    self.move_to(d as usize, &story);
                }
            }
        }
        Ok(())
    }

    /// Without texts: fresh document `i`, estimated to copy `archived`,
    /// joins its story: kept as the new canonical when it ranks better,
    /// else held back against it.
    fn settle_estimated(&mut self, i: usize, archived: &ArchivedMatch, e: &Estimate) -> Result<(), IndexError> {
        let story = archived.record.cluster.clone();
        let mut record = self
            .story(&story)?
            .unwrap_or_else(|| ClusterRecord { canonical: archived.id.clone(), replaced: Vec::new() });
        let canonical_rank = match self.kept_ranks.get(&record.canonical) {
            Some(r) => Some(r.clone()),
            None => self.record_of(&record.canonical)?.map(|r| rank(r.published, r.tokens, &record.canonical)),
        };
        let doc = &self.docs[i];
        let tokens = self.keys.get(&i).map_or(0, |k| k.1);
        let own = rank(doc.meta.published.as_ref().and_then(|p| p.seconds()), tokens, &doc.id);
        if canonical_rank.is_none_or(|c| own < c) {
            self.kept_ranks.insert(doc.id.clone(), own);
            let old = std::mem::replace(&mut record.canonical, doc.id.clone());
            record.replaced.push(old.clone());
            self.clusters.insert(story.clone(), record);
            self.keep(i, &story, Some(old));
        } else {
            let canonical = record.canonical.clone();
            self.clusters.insert(story.clone(), record);
            self.held(i, &story, &canonical, &archived.id, true, e.to_json(&archived.id, &doc.id));
        }
        self.members.push((story, archived.id.clone()));
        self.estimated_links.push((archived.record.number, i));
        Ok(())
    }

    /// Archived article `k` belongs to `story` from now on.
    fn move_to(&mut self, k: usize, story: &str) {
        let a = &self.archived[k];
        if a.story != story {
            self.moves.push((a.doc.id.clone(), a.story.clone(), story.to_string()));
        }
    }

    fn scan_rank(&self, scan: &Scan, d: u32) -> Rank {
        let doc = &scan.documents[d as usize];
        rank(doc.meta.published.as_ref().and_then(|p| p.seconds()), scan.analyses[d as usize].num_tokens, &doc.id)
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

    /// An exact copy of an archived article: held against it, in its story
    /// (as this batch left it).
    fn hold_copy(&mut self, i: usize, copied: &ArchivedCopy) -> Result<(), IndexError> {
        let story = self
            .moves
            .iter()
            .rev()
            .find(|(id, _, _)| *id == copied.id)
            .map_or_else(|| copied.record.cluster.clone(), |(_, _, to)| to.clone());
        let record =
            self.story(&story)?.unwrap_or_else(|| ClusterRecord { canonical: copied.id.clone(), replaced: Vec::new() });
        let canonical = record.canonical.clone();
        self.clusters.insert(story.clone(), record);
        self.members.push((story.clone(), copied.id.clone()));
        let pair = json!({
            "a": copied.id,
            "b": self.docs[i].id,
            "relation": "duplicate",
            "basis": "the same text once case, punctuation and white space are set aside",
            "jaccard": 1.0,
        });
        self.held(i, &story, &canonical, &copied.id, true, pair);
        Ok(())
    }

    /// Adds every decided new document, the links the scan found, story
    /// moves and changed stories to the index, in one transaction.
    fn write(&mut self, scan: &Scan) -> Result<(), IndexError> {
        use rayon::prelude::*;
        let tokens_of: HashMap<&str, usize> =
            scan.documents.iter().zip(&scan.analyses).map(|(d, a)| (d.id.as_str(), a.num_tokens)).collect();
        let mut batch = store::BatchWriter::begin(self.index)?;
        let mut number_of: HashMap<usize, u64> = HashMap::new();
        let mut next = batch.next_number();
        for (i, decision) in self.decisions.iter().enumerate() {
            if decision.as_ref().is_some_and(|d| !d.replayed) {
                number_of.insert(i, next);
                next += 1;
            }
        }
        let none = IndexKeys::default();
        let texts = self.index.options().texts;
        let mut added: Vec<(usize, u64)> = number_of.iter().map(|(&i, &n)| (i, n)).collect();
        added.sort_unstable();
        let articles = added
            .par_iter()
            .map(|&(i, number)| {
                let doc = &self.docs[i];
                let (keys, tokens) = match self.keys.get(&i) {
                    Some((keys, tokens)) => (keys, *tokens),
                    None => (&none, tokens_of.get(doc.id.as_str()).copied().unwrap_or(0)),
                };
                let record = ArticleRecord {
                    id: doc.id.clone(),
                    prints: estimate::distinct_prints(keys).len() as u32,
                    number,
                    cluster: self.placed[&i].clone(),
                    published: doc.meta.published.as_ref().and_then(|p| p.seconds()),
                    tokens,
                    content: self.hashes[i],
                };
                let mut sentence_keys: Vec<u64> =
                    self.sentence_keys.get(&i).map_or(Vec::new(), |keys| keys.iter().map(|k| k.0).collect());
                sentence_keys.dedup();
                let verdict = &self.decisions[i].as_ref().expect("decided").verdict;
                store::NewArticle::pack(doc, record, keys, &sentence_keys, verdict, texts)
            })
            .collect::<Result<Vec<_>, _>>()?;
        batch.add_all(articles)?;
        for &(i, number) in &added {
            if let Some(vocabulary) = self.sample.get(&i) {
                batch.sample(number, self.hashes[i], vocabulary.clone());
            }
        }
        let number = |d: u32| match self.fresh_of(d) {
            Some(i) => number_of[&i],
            None => self.archived[d as usize].number,
        };
        for p in scan.pairs.iter().filter(|p| p.relation.links()) {
            batch.link(number(p.a), number(p.b));
        }
        for (i, copied) in &self.copies {
            batch.link(copied.record.number, number_of[i]);
        }
        for (archived, i) in &self.estimated_links {
            batch.link(*archived, number_of[i]);
        }
        for (id, from, to) in &self.moves {
            batch.move_article(id, from, to)?;
        }
        for (story, id) in &self.members {
            batch.ensure_member(story, id)?;
        }
        let moved: HashSet<&str> = self.moves.iter().map(|(id, _, _)| id.as_str()).collect();
        for a in &self.archived {
            if self.clusters.contains_key(&a.story) && !moved.contains(a.doc.id.as_str()) {
                batch.ensure_member(&a.story, &a.doc.id)?;
            }
        }
        let emptied: Vec<&str> =
            self.archived.iter().map(|a| a.story.as_str()).filter(|s| !self.taken.contains(*s)).collect();
        let mut changed: Vec<(&String, &ClusterRecord)> = self.clusters.iter().collect();
        changed.sort_by_key(|(id, _)| id.as_str());
        if self.counts.relinked {
            batch.set_meta("relinked_at", &(self.archived.len() + self.fresh.len()).to_string())?;
        }
        let c = &self.counts;
        let run = json!({
            "articles": c.articles,
            "kept": c.kept,
            "held": c.held,
            "replayed": c.replayed,
            "canonical_changes": c.canonical_changes,
            "moved": self.moves.len(),
        });
        self.steps.lap("stage writes");
        let change = batch.commit(&changed, &emptied, &run)?;
        self.steps.lap("commit");
        self.index.sample_changed(&change);
        Ok(())
    }

    fn result(mut self) -> BatchResult {
        self.counts.moved = self.moves.len();
        let decisions = self.decisions.into_iter().map(|d| d.expect("every document is decided")).collect();
        BatchResult { decisions, counts: self.counts, steps: self.steps.done }
    }
}

/// Archives up to this many articles are re-linked whole as they grow
/// (see `relink_due`); above it the corpus statistics move too little
/// from batch to batch to matter, and a whole re-scan would cost too much.
pub const RELINK_MAX: usize = 20_000;

/// Growth of the corpus since its last whole re-link that makes another due.
pub const RELINK_GROWTH: f64 = 1.1;

/// Whether this batch re-links the whole archive: corpus statistics (the
/// common-shingle count, which words are rare) are shares of the corpus, so
/// the links made while an archive was small were judged by thinner
/// statistics than it has now. While the archive is at most [`RELINK_MAX`]
/// articles, a batch that grows the corpus by [`RELINK_GROWTH`] since the
/// last re-link (or, up to [`DF_SAMPLE`] articles, moves one of those
/// thresholds) scans every archived article again with the batch, so
/// stories settle as one scan of everything would form them. Above
/// [`DF_SAMPLE`] each article is re-scanned a bounded number of times (a
/// geometric series).
fn relink_due(read: &redb::ReadTransaction, corpus_size: usize, config: &ScanConfig) -> Result<bool, IndexError> {
    let archived = read.open_table(schema::ARTICLES)?.len()? as usize;
    let settled = store::meta_usize(read, "relinked_at")?.unwrap_or(0);
    let grown = corpus_size as f64 >= settled as f64 * RELINK_GROWTH;
    // A small archive's statistics are exact and its re-scan cheap: it
    // settles whenever a threshold the scan derives from the corpus size
    // moves.
    let thresholds = |n: usize| (config.common_df(n), rewrite::rare_df(n));
    let moved = archived <= DF_SAMPLE && thresholds(corpus_size) != thresholds(settled);
    Ok(archived > 0 && archived <= RELINK_MAX && (grown || moved))
}

/// The archived articles that at least [`rewrite::MIN_SENTENCE_HITS`]
/// distinct sentences of one fresh document share buckets with, from the
/// look-up's `hits` ((document, sentence), archived article). Packed into
/// one word each when they fit (they do for batches and documents below
/// 65,536 of each), which sorts several times faster than triples.
fn enough_sentences(hits: Vec<((u32, u32), u32)>) -> BTreeSet<u64> {
    use rayon::prelude::*;
    const NARROW: u32 = 0xffff;
    if hits.par_iter().any(|&((d, s), _)| d > NARROW || s > NARROW) {
        return enough_sentences_wide(hits);
    }
    let mut packed: Vec<u64> =
        hits.into_par_iter().map(|((d, s), n)| u64::from(d) << 48 | u64::from(n) << 16 | u64::from(s)).collect();
    packed.par_sort_unstable();
    packed.dedup();
    let article = |p: u64| (p >> 16) & u64::from(u32::MAX);
    packed
        .chunk_by(|x, y| x >> 16 == y >> 16)
        .filter(|run| run.len() >= rewrite::MIN_SENTENCE_HITS)
        .map(|run| article(run[0]))
        .collect()
}

/// [`enough_sentences`] for any sizes.
fn enough_sentences_wide(hits: Vec<((u32, u32), u32)>) -> BTreeSet<u64> {
    use rayon::prelude::*;
    let mut by_article: Vec<(u32, u32, u32)> = hits.into_iter().map(|((d, s), n)| (d, n, s)).collect();
    by_article.par_sort_unstable();
    by_article.dedup();
    by_article
        .chunk_by(|x, y| (x.0, x.1) == (y.0, y.1))
        .filter(|run| run.len() >= rewrite::MIN_SENTENCE_HITS)
        .map(|run| u64::from(run[0].1))
        .collect()
}

/// Largest number of archived articles one batch reads back: link
/// components beyond it are cut (and counted), so one giant story cannot
/// make a batch unbounded.
pub const MAX_ARCHIVED_READ: usize = 50_000;

/// The archived articles `numbers` with every article linked to them,
/// directly or through others (their whole link components), with their
/// texts and stories; in id order.
fn read_components(read: &redb::ReadTransaction, numbers: BTreeSet<u64>) -> Result<Vec<Archived>, IndexError> {
    let links = read.open_multimap_table(schema::LINKS)?;
    let articles = read.open_table(schema::ARTICLES)?;
    let texts = read.open_table(schema::TEXTS)?;
    let mut seen: BTreeSet<u64> = numbers.clone();
    let mut queue: Vec<u64> = numbers.into_iter().collect();
    while let Some(n) = queue.pop() {
        for other in links.get(n)? {
            let other = other?.value();
            if seen.len() < MAX_ARCHIVED_READ && seen.insert(other) {
                queue.push(other);
            }
        }
    }
    let mut out = Vec::new();
    for n in seen {
        let Some(record) = store::article_numbered(&articles, n)? else { continue };
        let Some(packed) = texts.get(n)? else { continue };
        out.push(Archived { doc: store::unpack(packed.value())?.into_document(), number: n, story: record.cluster });
    }
    out.sort_by(|a, b| a.doc.id.cmp(&b.doc.id));
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The packed count finds what the plain one finds.
        #[test]
        fn packed_sentence_counts_match_the_plain_ones(
            hits in prop::collection::vec(((0u32..6, 0u32..8), prop_oneof![0u32..5, Just(u32::MAX)]), 0..300),
        ) {
            prop_assert_eq!(enough_sentences(hits.clone()), enough_sentences_wide(hits));
        }
    }
}
