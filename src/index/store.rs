//! The feed index on disk: one redb database file in the index directory.
//!
//! redb is an embedded, transactional key-value store written in Rust: a
//! batch is written in one transaction that commits whole or not at all
//! (copy-on-write pages, a checksummed commit), a second process opening the
//! file gets an error at once instead of corrupting it, and it needs no
//! server. Its tables are listed in [`super::schema`].
//!
//! Numbers are given in arrival order, so a batch appends to the tables
//! keyed by them: only `ids` and `content` take rows all over their key
//! range. A batch's commit therefore rewrites few old pages, and the pages
//! it frees (kept until the commit after, by copy-on-write) stay few
//! however large the archive grows.
//!
//! Band keys and fingerprints are not rows here: they are posting segment
//! files beside the database ([`super::postings`]), named by the `segments`
//! entry of `meta`.

use super::error::IndexError;
use super::postings::{self, Kind, Manifest, Postings};
use super::schema::{
    ARTICLES, CLUSTERS, CONTENT, DF_SAMPLES, FORMAT_VERSION, IDS, LINKS, MEMBERS, META, REMOVED, RUNS, TEXTS, VERDICTS,
};
use super::statistics::{SampleChange, SampleCounts};
use crate::document::{Document, Metadata, Origin, Piece, Source};
use crate::time::Published;
use redb::{Database, ReadableDatabase, ReadableMultimapTable, ReadableTable, ReadableTableMetadata};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

/// Bytes of database pages redb keeps cached.
pub const CACHE_BYTES: usize = 64 << 20;

/// The database file inside the index directory.
pub const FILE_NAME: &str = "copydesk.redb";

/// Rows and bytes of one table (or of the posting segments).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableStats {
    pub name: &'static str,
    pub rows: u64,
    /// Bytes on disk: stored data, B-tree metadata and the unused parts of
    /// its pages.
    pub bytes: u64,
    /// Of those, the unused parts of pages.
    pub fragmented: u64,
}

/// What the index keeps of one article, apart from its text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArticleRecord {
    /// The article's number: postings name articles by it.
    pub number: u64,
    pub id: String,
    pub cluster: String,
    /// Publication time (seconds), for choosing canonicals.
    pub published: Option<i64>,
    pub tokens: usize,
    pub content: u64,
    /// Distinct winnowing fingerprints of its text: judging a new article
    /// against it without its text needs the size of both sets.
    #[serde(default)]
    pub prints: u32,
}

impl ArticleRecord {
    /// Fixed little-endian fields, the story id's length (u16), the story
    /// id, then the article id (the number is the row's key).
    pub fn encode(&self) -> Vec<u8> {
        let cluster = &self.cluster.as_bytes()[..self.cluster.len().min(usize::from(u16::MAX))];
        let mut out = Vec::with_capacity(26 + cluster.len() + self.id.len());
        out.extend_from_slice(&self.content.to_le_bytes());
        out.extend_from_slice(&self.published.unwrap_or(i64::MIN).to_le_bytes());
        out.extend_from_slice(&u32::try_from(self.tokens).unwrap_or(u32::MAX).to_le_bytes());
        out.extend_from_slice(&self.prints.to_le_bytes());
        out.extend_from_slice(&(cluster.len() as u16).to_le_bytes());
        out.extend_from_slice(cluster);
        out.extend_from_slice(self.id.as_bytes());
        out
    }

    /// Reads what [`ArticleRecord::encode`] wrote for article `number`.
    pub fn decode(number: u64, bytes: &[u8]) -> Result<ArticleRecord, IndexError> {
        let bad = || IndexError::Record(format!("the record of article {number} cut short or not UTF-8"));
        let u64_at = |at: usize| bytes.get(at..at + 8).map(|b| u64::from_le_bytes(b.try_into().expect("8 bytes")));
        let u32_at = |at: usize| bytes.get(at..at + 4).map(|b| u32::from_le_bytes(b.try_into().expect("4 bytes")));
        let text = |range: std::ops::Range<usize>| {
            let raw = bytes.get(range).ok_or_else(bad)?;
            std::str::from_utf8(raw).map(str::to_string).map_err(|_| bad())
        };
        let published = u64_at(8).ok_or_else(bad)? as i64;
        let cluster_len = bytes.get(24..26).map(|b| u16::from_le_bytes([b[0], b[1]]) as usize).ok_or_else(bad)?;
        Ok(ArticleRecord {
            number,
            content: u64_at(0).ok_or_else(bad)?,
            published: (published != i64::MIN).then_some(published),
            tokens: u32_at(16).ok_or_else(bad)? as usize,
            prints: u32_at(20).ok_or_else(bad)?,
            cluster: text(26..26 + cluster_len)?,
            id: text(26 + cluster_len..bytes.len())?,
        })
    }
}

/// The record of article `id`, as `read` sees it.
pub(crate) fn article(read: &redb::ReadTransaction, id: &str) -> Result<Option<ArticleRecord>, IndexError> {
    let Some(number) = read.open_table(IDS)?.get(id)?.map(|n| n.value()) else { return Ok(None) };
    article_numbered(&read.open_table(ARTICLES)?, number)
}

/// The record of article `number` in `articles`.
pub(crate) fn article_numbered(
    articles: &impl ReadableTable<u64, &'static [u8]>,
    number: u64,
) -> Result<Option<ArticleRecord>, IndexError> {
    let Some(bytes) = articles.get(number)? else { return Ok(None) };
    ArticleRecord::decode(number, bytes.value()).map(Some)
}

/// One story cluster of the index.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterRecord {
    pub canonical: String,
    /// Earlier canonicals, oldest first: a later article that ranks better
    /// (published earlier, or fuller) took their place.
    pub replaced: Vec<String>,
}

/// What removing one article did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Removal {
    pub id: String,
    /// The index held it.
    pub found: bool,
    /// It was its cluster's canonical; this member took its place.
    pub new_canonical: Option<String>,
    /// It was its cluster's last member.
    pub cluster_removed: bool,
}

/// A cluster as `copydesk index export` writes it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExportedCluster {
    pub id: String,
    pub canonical: String,
    pub members: Vec<String>,
    pub replaced: Vec<String>,
}

/// A document as the index stores it (compressed in `texts`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredDocument {
    pub id: String,
    pub source: String,
    pub text: String,
    pub outlet: Option<String>,
    pub url: Option<String>,
    pub title: Option<String>,
    pub published: Option<String>,
    /// Origin pieces (text start, length, source start, source length), for
    /// documents whose text was reduced from HTML.
    pub origin: Option<Vec<[usize; 4]>>,
    pub extra: Map<String, Value>,
}

impl StoredDocument {
    pub fn of(d: &Document) -> Self {
        StoredDocument {
            id: d.id.clone(),
            source: d.source.to_string(),
            text: d.text.clone(),
            outlet: d.meta.outlet.clone(),
            url: d.meta.url.clone(),
            title: d.meta.title.clone(),
            published: d.meta.published.as_ref().map(|p| p.raw.clone()),
            origin: match &d.origin {
                Origin::Identity => None,
                Origin::Pieces(p) => Some(p.iter().map(|p| [p.text_start, p.len, p.src_start, p.src_len]).collect()),
            },
            extra: d.meta.extra.clone(),
        }
    }

    pub fn into_document(self) -> Document {
        Document {
            id: self.id,
            source: Source::Archived(self.source),
            meta: Metadata {
                outlet: self.outlet,
                url: self.url,
                title: self.title,
                published: self.published.as_deref().map(Published::parse),
                extra: self.extra,
                encoding: None,
            },
            text: self.text,
            origin: match self.origin {
                None => Origin::Identity,
                Some(p) => Origin::Pieces(
                    p.into_iter()
                        .map(|[text_start, len, src_start, src_len]| Piece { text_start, len, src_start, src_len })
                        .collect(),
                ),
            },
        }
    }
}

/// What an index keeps beyond the analysis, fixed when it is created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexOptions {
    /// Keep each article's text (zstd). Without texts a new article is
    /// judged against the archive from shared fingerprints alone: no
    /// re-clustering, no passages.
    pub texts: bool,
}

impl Default for IndexOptions {
    fn default() -> Self {
        IndexOptions { texts: true }
    }
}

/// The settings an index is bound to, as stored and compared: the scan's
/// own, plus those that decide what the index keeps.
pub fn settings_json(config: &crate::ScanConfig, options: IndexOptions) -> String {
    let o = config.options();
    let mut settings = crate::output::records::settings(o);
    settings.insert("winnow_window".into(), o.winnow_window.into());
    settings.insert("rewrites".into(), o.rewrites.into());
    settings.insert("texts".into(), options.texts.into());
    Value::Object(settings).to_string()
}

/// An open index.
pub struct Index {
    pub(crate) db: Database,
    path: PathBuf,
    options: IndexOptions,
    /// The document-frequency sample's counts, kept between batches.
    sample: std::sync::Mutex<Option<SampleCounts>>,
}

impl Index {
    /// Opens the index in `dir`, creating the directory and an empty index
    /// there on first use. An existing file that is not a readable index is
    /// an error, never replaced.
    pub fn open_or_create(dir: &Path, config: &crate::ScanConfig) -> Result<Index, IndexError> {
        Self::open_or_create_with(dir, config, IndexOptions::default())
    }

    /// [`Index::open_or_create`], for an index that keeps what `options`
    /// say; an existing index must have been made with the same.
    pub fn open_or_create_with(
        dir: &Path,
        config: &crate::ScanConfig,
        options: IndexOptions,
    ) -> Result<Index, IndexError> {
        std::fs::create_dir_all(dir).map_err(|e| io_error(dir, e))?;
        if !dir.join(FILE_NAME).exists() {
            Self::create_new(dir, config, options)?;
        }
        let index = Self::open_file(dir)?;
        index.check_settings(config, options)?;
        index.remove_strays()?;
        Ok(index)
    }

    /// Opens an existing index in `dir` (for `copydesk index ...`).
    pub fn open_existing(dir: &Path) -> Result<Index, IndexError> {
        if !dir.join(FILE_NAME).exists() {
            return Err(IndexError::Io {
                path: dir.join(FILE_NAME).display().to_string(),
                detail: "no index here".into(),
            });
        }
        let index = Self::open_file(dir)?;
        index.check_format()?;
        Ok(index)
    }

    /// Makes a new index whole in a file of its own, then links it into
    /// place: a crash while creating leaves no index (and a stray
    /// `.new-PID` file), never a half-made one that would read as damaged.
    /// Linking fails if another process made the index meanwhile; theirs is
    /// kept.
    fn create_new(dir: &Path, config: &crate::ScanConfig, options: IndexOptions) -> Result<(), IndexError> {
        let path = dir.join(FILE_NAME);
        let fresh = dir.join(format!("{FILE_NAME}.new-{}", std::process::id()));
        let _ = std::fs::remove_file(&fresh);
        {
            let db = Database::create(&fresh).map_err(|e| io_error(&fresh, e))?;
            initialize(&db, config, options)?;
        }
        std::fs::File::open(&fresh).and_then(|f| f.sync_all()).map_err(|e| io_error(&fresh, e))?;
        match std::fs::hard_link(&fresh, &path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(io_error(&path, e)),
        }
        std::fs::remove_file(&fresh).map_err(|e| io_error(&fresh, e))?;
        std::fs::File::open(dir).and_then(|d| d.sync_all()).map_err(|e| io_error(dir, e))?;
        Ok(())
    }

    fn open_file(dir: &Path) -> Result<Index, IndexError> {
        let path = dir.join(FILE_NAME);
        let name = path.display().to_string();
        // redb caches pages up to a size it is given (a gigabyte unless
        // told): a batch reads postings from segments and few pages here,
        // so a small cache keeps a run's memory independent of the archive.
        let db = Database::builder().set_cache_size(CACHE_BYTES).open(&path).map_err(|e| match e {
            redb::DatabaseError::DatabaseAlreadyOpen => IndexError::InUse { path: name.clone() },
            other => {
                IndexError::Damaged { path: name.clone(), dir: dir.display().to_string(), detail: other.to_string() }
            }
        })?;
        let mut index = Index { db, path, options: IndexOptions::default(), sample: Default::default() };
        if let Some(settings) = index.meta("settings").ok().flatten() {
            let texts = serde_json::from_str::<Value>(&settings).ok().and_then(|v| v["texts"].as_bool());
            index.options.texts = texts.unwrap_or(true);
        }
        Ok(index)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn damaged(&self, detail: impl Into<String>) -> IndexError {
        let dir = self.path.parent().map(|p| p.display().to_string()).unwrap_or_default();
        IndexError::Damaged { path: self.path.display().to_string(), dir, detail: detail.into() }
    }

    fn meta(&self, key: &str) -> Result<Option<String>, IndexError> {
        let read = self.db.begin_read()?;
        let table = match read.open_table(META) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let value = table.get(key)?.map(|v| String::from_utf8_lossy(v.value()).into_owned());
        Ok(value)
    }

    fn check_format(&self) -> Result<(), IndexError> {
        match self.meta("format")? {
            Some(v) if v == FORMAT_VERSION.to_string() => Ok(()),
            Some(v) => Err(IndexError::Format { path: self.path.display().to_string(), found: v }),
            None => Err(self.damaged("no format version: not a copydesk index")),
        }
    }

    /// Checks the format and that the index was built with `config`'s
    /// settings.
    fn check_settings(&self, config: &crate::ScanConfig, options: IndexOptions) -> Result<(), IndexError> {
        self.check_format()?;
        let (stored, given) = (self.meta("settings")?.unwrap_or_default(), settings_json(config, options));
        if stored != given {
            return Err(IndexError::Settings { path: self.path.display().to_string(), stored, given });
        }
        Ok(())
    }

    /// Rows and stored bytes per table, then the posting segments, for
    /// `copydesk index stats`.
    pub fn table_stats(&self) -> Result<Vec<TableStats>, IndexError> {
        let read = self.db.begin_read()?;
        let mut out = Vec::new();
        let mut push = |name: &'static str, rows: u64, stats: redb::TableStats| {
            let bytes = stats.stored_bytes() + stats.metadata_bytes() + stats.fragmented_bytes();
            out.push(TableStats { name, rows, bytes, fragmented: stats.fragmented_bytes() });
        };
        for (name, def) in [("articles", ARTICLES), ("texts", TEXTS), ("verdicts", VERDICTS)] {
            let t = read.open_table(def)?;
            push(name, t.len()?, t.stats()?);
        }
        let t = read.open_table(CLUSTERS)?;
        push("clusters", t.len()?, t.stats()?);
        let t = read.open_table(IDS)?;
        push("ids", t.len()?, t.stats()?);
        let t = read.open_table(CONTENT)?;
        push("content", t.len()?, t.stats()?);
        let t = read.open_multimap_table(MEMBERS)?;
        push("members", t.len()?, t.stats()?);
        let t = read.open_multimap_table(LINKS)?;
        push("links", t.len()?, t.stats()?);
        let t = read.open_table(REMOVED)?;
        push("removed", t.len()?, t.stats()?);
        let t = read.open_table(DF_SAMPLES)?;
        push("df samples", t.len()?, t.stats()?);
        let t = read.open_table(RUNS)?;
        push("runs", t.len()?, t.stats()?);
        let manifest = self.manifest(&read)?;
        let kinds = [
            ("band segments", Kind::Bands),
            ("print segments", Kind::Fingerprints),
            ("sentence segs", Kind::Sentences),
        ];
        for (name, kind) in kinds {
            let rows = manifest.entries(kind).iter().map(|e| e.postings).sum();
            out.push(TableStats { name, rows, bytes: postings::bytes(self.dir(), &manifest, kind), fragmented: 0 });
        }
        Ok(out)
    }

    /// Deletes segment files the manifest does not name (a writer's job:
    /// the database lock says no one else is writing).
    fn remove_strays(&self) -> Result<(), IndexError> {
        let read = self.db.begin_read()?;
        let manifest = self.manifest(&read)?;
        postings::remove_strays(self.dir(), &manifest).map_err(|e| io_error(&postings::segments_dir(self.dir()), e))?;
        Ok(())
    }

    /// Runs `f` on the sample's counts as `read` sees them: those kept
    /// from the last batch when still current, else counted afresh.
    pub(crate) fn with_sample<T>(
        &self,
        read: &redb::ReadTransaction,
        f: impl FnOnce(&SampleCounts) -> T,
    ) -> Result<T, IndexError> {
        let mut cached = self.sample.lock().unwrap_or_else(|e| e.into_inner());
        let version = super::statistics::version(&read.open_table(META)?)?;
        if cached.as_ref().is_none_or(|c| c.version != version) {
            *cached = Some(SampleCounts::load(read)?);
        }
        Ok(f(cached.as_ref().expect("just loaded")))
    }

    /// Brings the kept counts up to a batch's committed change (or drops
    /// them, if they were of another version).
    pub(crate) fn sample_changed(&self, change: &SampleChange) {
        let mut cached = self.sample.lock().unwrap_or_else(|e| e.into_inner());
        match cached.as_mut() {
            Some(c) if c.version == change.from => change.apply_to(c),
            _ => *cached = None,
        }
    }

    /// What the index keeps.
    pub fn options(&self) -> IndexOptions {
        self.options
    }

    /// The index directory.
    pub fn dir(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("."))
    }

    /// The live segments, as `read` sees them.
    pub(crate) fn manifest(&self, read: &redb::ReadTransaction) -> Result<Manifest, IndexError> {
        let meta = read.open_table(META)?;
        let Some(v) = meta.get("segments")? else { return Ok(Manifest::default()) };
        serde_json::from_slice(v.value()).map_err(|e| self.damaged(format!("segment manifest: {e}")))
    }

    /// The posting segments as `read` sees them, open for look-ups.
    pub(crate) fn postings(&self, read: &redb::ReadTransaction) -> Result<Postings, IndexError> {
        Postings::open(self.dir(), &self.manifest(read)?).map_err(|e| self.damaged(e))
    }

    /// Merges posting segments: those of one size tier that reached
    /// [`postings::MERGE_AT`], or every segment of a kind when `all`. Each
    /// merge commits a new manifest before the files it replaced are
    /// deleted. Returns how many merges ran.
    pub fn merge_segments(&self, all: bool) -> Result<usize, IndexError> {
        let mut merges = 0;
        for kind in Kind::ALL {
            loop {
                let read = self.db.begin_read()?;
                let mut manifest = self.manifest(&read)?;
                let Some(plan) = manifest.merge_plan(kind, all) else { break };
                let removed: HashSet<u64> =
                    read.open_table(REMOVED)?.iter()?.map(|r| r.map(|(k, _)| k.value())).collect::<Result<_, _>>()?;
                drop(read);
                let gone = manifest
                    .merge(self.dir(), kind, &plan, |n| !removed.contains(&u64::from(n)))
                    .map_err(|e| self.damaged(e))?;
                let write = self.db.begin_write()?;
                write_manifest(&write, &manifest)?;
                write.commit()?;
                for file in gone {
                    let path = postings::segments_dir(self.dir()).join(file);
                    std::fs::remove_file(&path).map_err(|e| io_error(&path, e))?;
                }
                merges += 1;
            }
        }
        Ok(merges)
    }

    /// Checks every page's checksum (redb's integrity check) and that the
    /// tables agree with each other: every article has a number, a text (or
    /// none when texts are off), a verdict and a cluster that lists it.
    pub fn verify(&mut self) -> Result<Vec<String>, IndexError> {
        let mut problems = Vec::new();
        match self.db.check_integrity() {
            Ok(true) => {}
            Ok(false) => problems.push("pages failed their checksums and were repaired by redb".to_string()),
            Err(e) => return Err(self.damaged(e.to_string())),
        }
        self.check_format()?;
        let read = self.db.begin_read()?;
        let articles = read.open_table(ARTICLES)?;
        let ids = read.open_table(IDS)?;
        let verdicts = read.open_table(VERDICTS)?;
        let clusters = read.open_table(CLUSTERS)?;
        let members = read.open_multimap_table(MEMBERS)?;
        if ids.len()? != articles.len()? {
            problems.push(format!("{} ids for {} articles", ids.len()?, articles.len()?));
        }
        for row in articles.iter()? {
            let (number, record) = row?;
            let record = match ArticleRecord::decode(number.value(), record.value()) {
                Ok(r) => r,
                Err(e) => {
                    problems.push(format!("article {}: unreadable record ({e})", number.value()));
                    continue;
                }
            };
            let id = record.id.as_str();
            if ids.get(id)?.map(|v| v.value()) != Some(record.number) {
                problems.push(format!("article {id:?}: its id does not name number {}", record.number));
            }
            if verdicts.get(record.number)?.is_none() {
                problems.push(format!("article {id:?}: no verdict"));
            }
            let explicit = clusters.get(record.cluster.as_str())?.is_some();
            let listed = members.get(record.cluster.as_str())?.any(|m| m.is_ok_and(|m| m.value() == id));
            // A story of one article with no history has neither row.
            let alone = !explicit && members.get(record.cluster.as_str())?.next().is_none();
            if !alone && !explicit {
                problems.push(format!("article {id:?}: cluster {} missing", record.cluster));
            }
            if !alone && !listed {
                problems.push(format!("article {id:?}: not a member of its cluster {}", record.cluster));
            }
        }
        problems.extend(postings::verify(self.dir(), &self.manifest(&read)?));
        Ok(problems)
    }

    /// Every cluster with its members (sorted), in cluster id order.
    pub fn clusters(&self) -> Result<Vec<ExportedCluster>, IndexError> {
        let read = self.db.begin_read()?;
        let clusters = read.open_table(CLUSTERS)?;
        let members = read.open_multimap_table(MEMBERS)?;
        let mut out = Vec::new();
        for row in clusters.iter()? {
            let (id, record) = row?;
            let record: ClusterRecord =
                serde_json::from_slice(record.value()).map_err(|e| IndexError::Record(e.to_string()))?;
            let mut listed = Vec::new();
            for m in members.get(id.value())? {
                listed.push(m?.value().to_string());
            }
            out.push(ExportedCluster {
                id: id.value().to_string(),
                canonical: record.canonical,
                members: listed,
                replaced: record.replaced,
            });
        }
        Ok(out)
    }

    /// Removes articles (a takedown) in one transaction: their record,
    /// text, verdict, links and membership go, and their postings are
    /// skipped from now on (dropped at the next merge). A cluster that loses its canonical
    /// gets the best-ranked member left (earliest published, then fuller,
    /// then smallest id), recorded in its history; a cluster left empty is
    /// removed. Returns what happened to each id, in order.
    pub fn remove(&self, ids: &[String]) -> Result<Vec<Removal>, IndexError> {
        let write = self.db.begin_write()?;
        let mut out = Vec::new();
        {
            let mut articles = write.open_table(ARTICLES)?;
            let mut numbers = write.open_table(IDS)?;
            let mut removed = write.open_table(REMOVED)?;
            let mut samples = write.open_table(DF_SAMPLES)?;
            let mut content = write.open_table(CONTENT)?;
            let mut texts = write.open_table(TEXTS)?;
            let mut verdicts = write.open_table(VERDICTS)?;
            let mut clusters = write.open_table(CLUSTERS)?;
            let mut members = write.open_multimap_table(MEMBERS)?;
            let mut links = write.open_multimap_table(LINKS)?;
            for id in ids {
                let number = numbers.remove(id.as_str())?.map(|n| n.value());
                let bytes = match number {
                    Some(number) => articles.remove(number)?.map(|b| (number, b.value().to_vec())),
                    None => None,
                };
                let Some((number, bytes)) = bytes else {
                    out.push(Removal { id: id.clone(), found: false, new_canonical: None, cluster_removed: false });
                    continue;
                };
                let record = ArticleRecord::decode(number, &bytes)?;
                let linked: Vec<u64> =
                    links.remove_all(record.number)?.map(|v| v.map(|v| v.value())).collect::<Result<_, _>>()?;
                for other in linked {
                    links.remove(other, record.number)?;
                }
                removed.insert(record.number, ())?;
                samples.remove(record.number)?;
                let names_it = content.get(record.content)?.is_some_and(|v| v.value() == number);
                if names_it {
                    content.remove(record.content)?;
                }
                texts.remove(number)?;
                verdicts.remove(number)?;
                members.remove(record.cluster.as_str(), id.as_str())?;
                let mut left: Vec<(bool, i64, std::cmp::Reverse<usize>, String)> = Vec::new();
                for m in members.get(record.cluster.as_str())? {
                    let m = m?.value().to_string();
                    let Some(n) = numbers.get(m.as_str())?.map(|n| n.value()) else { continue };
                    if let Some(r) = article_numbered(&articles, n)? {
                        left.push((r.published.is_none(), r.published.unwrap_or(0), std::cmp::Reverse(r.tokens), m));
                    }
                }
                let stored = clusters.get(record.cluster.as_str())?.map(|c| read_json::<ClusterRecord>(c.value()));
                let mut removal = Removal { id: id.clone(), found: true, new_canonical: None, cluster_removed: false };
                match (stored.transpose()?, left.into_iter().min()) {
                    (_, None) => {
                        clusters.remove(record.cluster.as_str())?;
                        removal.cluster_removed = true;
                    }
                    (Some(mut cluster), Some(best)) if cluster.canonical == *id => {
                        cluster.replaced.push(id.clone());
                        cluster.canonical = best.3.clone();
                        let json = serde_json::to_vec(&cluster).map_err(|e| IndexError::Record(e.to_string()))?;
                        clusters.insert(record.cluster.as_str(), json.as_slice())?;
                        removal.new_canonical = Some(best.3);
                    }
                    _ => {}
                }
                out.push(removal);
            }
        }
        write.commit()?;
        Ok(out)
    }

    /// Merges every kind's posting segments into one (dropping removed
    /// articles' postings) and rewrites the database without its free
    /// pages.
    pub fn compact(&mut self) -> Result<bool, IndexError> {
        self.merge_segments(true)?;
        self.db.compact().map_err(|e| IndexError::Db(e.into()))
    }
}

/// One batch's writes, in one transaction: nothing of it is visible, and
/// nothing of it survives a crash, until [`BatchWriter::commit`].
pub(crate) struct BatchWriter {
    write: redb::WriteTransaction,
    dir: PathBuf,
    texts: bool,
    number: u64,
    /// Postings are inserted in key order at the commit: a B-tree takes
    /// sorted keys much faster than keys in hash order.
    bands: Vec<(u64, u64)>,
    fingerprints: Vec<(u64, u64)>,
    sentences: Vec<(u64, u64)>,
    links: Vec<(u64, u64)>,
    /// Stories this batch touched: made, joined, left or changed.
    touched: BTreeSet<String>,
    /// Articles for the document-frequency sample: number, content hash,
    /// distinct shingles.
    samples: Vec<(u64, u64, crate::analysis::Vocabulary)>,
}

/// One decided article, packed for the index (texts and verdicts are
/// compressed here, so that a batch packs its articles in parallel).
pub(crate) struct NewArticle {
    id: String,
    record: ArticleRecord,
    text: Option<Vec<u8>>,
    verdict: Vec<u8>,
    bands: Vec<u64>,
    prints: Vec<u64>,
    sentences: Vec<u64>,
}

impl NewArticle {
    pub(crate) fn pack(
        doc: &Document,
        record: ArticleRecord,
        keys: &crate::scan::IndexKeys,
        sentence_keys: &[u64],
        verdict: &Value,
        texts: bool,
    ) -> Result<Self, IndexError> {
        Ok(NewArticle {
            id: doc.id.clone(),
            record,
            text: if texts { Some(pack(&StoredDocument::of(doc))?) } else { None },
            verdict: pack_verdict(&doc.id, verdict)?,
            bands: keys.band_keys.clone(),
            prints: super::estimate::distinct_prints(keys),
            sentences: sentence_keys.to_vec(),
        })
    }
}

impl BatchWriter {
    pub(crate) fn begin(index: &Index) -> Result<Self, IndexError> {
        let write = index.db.begin_write()?;
        let next = {
            let meta = write.open_table(META)?;
            let next = meta.get("next_number")?.map(|v| String::from_utf8_lossy(v.value()).into_owned());
            next.and_then(|n| n.parse().ok()).unwrap_or(0)
        };
        Ok(BatchWriter {
            write,
            dir: index.dir().to_path_buf(),
            texts: index.options.texts,
            number: next,
            bands: Vec::new(),
            fingerprints: Vec::new(),
            sentences: Vec::new(),
            links: Vec::new(),
            touched: BTreeSet::new(),
            samples: Vec::new(),
        })
    }

    /// The number the next added article gets.
    pub(crate) fn next_number(&self) -> u64 {
        self.number
    }

    /// Adds decided articles: their records, texts, verdicts and
    /// memberships. Each table is opened once and takes its rows in key
    /// order (a B-tree takes sorted keys much faster than keys in hash
    /// order).
    pub(crate) fn add_all(&mut self, mut articles: Vec<NewArticle>) -> Result<(), IndexError> {
        articles.sort_unstable_by_key(|a| a.record.number);
        let mut table = self.write.open_table(ARTICLES)?;
        for a in &articles {
            table.insert(a.record.number, a.record.encode().as_slice())?;
        }
        drop(table);
        let mut table = self.write.open_table(VERDICTS)?;
        for a in &articles {
            table.insert(a.record.number, a.verdict.as_slice())?;
        }
        drop(table);
        if self.texts {
            let mut table = self.write.open_table(TEXTS)?;
            for a in &articles {
                table.insert(a.record.number, a.text.as_deref().unwrap_or_default())?;
            }
        }
        // The first article with a content hash names it.
        let mut content = self.write.open_table(CONTENT)?;
        let mut firsts: Vec<(u64, u64)> = articles.iter().map(|a| (a.record.content, a.record.number)).collect();
        firsts.sort_unstable();
        firsts.dedup_by_key(|f| f.0);
        for (hash, number) in firsts {
            if content.get(hash)?.is_none() {
                content.insert(hash, number)?;
            }
        }
        drop(content);
        articles.sort_unstable_by(|a, b| a.id.cmp(&b.id));
        let mut ids = self.write.open_table(IDS)?;
        for a in &articles {
            ids.insert(a.id.as_str(), a.record.number)?;
        }
        drop(ids);
        let mut members = self.write.open_multimap_table(MEMBERS)?;
        for a in &articles {
            members.insert(a.record.cluster.as_str(), a.id.as_str())?;
            self.touched.insert(a.record.cluster.clone());
        }
        drop(members);
        for a in articles {
            let n = a.record.number;
            self.bands.extend(a.bands.into_iter().map(|k| (k, n)));
            self.fingerprints.extend(a.prints.into_iter().map(|k| (k, n)));
            self.sentences.extend(a.sentences.into_iter().map(|k| (k, n)));
            self.number = self.number.max(n + 1);
        }
        Ok(())
    }

    /// Offers an article's distinct shingles to the document-frequency
    /// sample.
    pub(crate) fn sample(&mut self, number: u64, content: u64, vocabulary: crate::analysis::Vocabulary) {
        self.samples.push((number, content, vocabulary));
    }

    /// Sets a `meta` entry.
    pub(crate) fn set_meta(&mut self, key: &str, value: &str) -> Result<(), IndexError> {
        self.write.open_table(META)?.insert(key, value.as_bytes())?;
        Ok(())
    }

    /// Records that a scan linked articles `a` and `b`.
    pub(crate) fn link(&mut self, a: u64, b: u64) {
        if a != b {
            self.links.extend([(a, b), (b, a)]);
        }
    }

    /// Moves an archived article from story `from` to story `to`.
    pub(crate) fn move_article(&mut self, id: &str, from: &str, to: &str) -> Result<(), IndexError> {
        let missing = || IndexError::Record(format!("article {id:?} missing"));
        let number = self.write.open_table(IDS)?.get(id)?.map(|n| n.value()).ok_or_else(missing)?;
        let mut articles = self.write.open_table(ARTICLES)?;
        let mut record = article_numbered(&articles, number)?.ok_or_else(missing)?;
        record.cluster = to.to_string();
        articles.insert(number, record.encode().as_slice())?;
        let mut members = self.write.open_multimap_table(MEMBERS)?;
        members.remove(from, id)?;
        members.insert(to, id)?;
        self.touched.extend([from.to_string(), to.to_string()]);
        Ok(())
    }

    /// Lists archived article `id` among the members of `story` (it may
    /// have been the only one, and so not listed: see
    /// [`BatchWriter::commit`]).
    pub(crate) fn ensure_member(&mut self, story: &str, id: &str) -> Result<(), IndexError> {
        self.write.open_multimap_table(MEMBERS)?.insert(story, id)?;
        self.touched.insert(story.to_string());
        Ok(())
    }

    /// Writes the postings and links, the stories the batch made or
    /// changed, drops the stories it `emptied`, records the run's counts,
    /// and commits.
    pub(crate) fn commit(
        mut self,
        clusters: &[(&String, &ClusterRecord)],
        emptied: &[&str],
        run: &Value,
    ) -> Result<SampleChange, IndexError> {
        rayon::slice::ParallelSliceMut::par_sort_unstable(&mut self.links[..]);
        self.links.dedup();
        let mut links = self.write.open_multimap_table(LINKS)?;
        for &(a, b) in &self.links {
            links.insert(a, b)?;
        }
        drop(links);
        // The segments are on disk before the transaction that names them
        // commits; a crash in between leaves strays, deleted at next open.
        let mut manifest = {
            let meta = self.write.open_table(META)?;
            let stored = meta.get("segments")?.map(|v| v.value().to_vec());
            stored.map_or(Ok(Manifest::default()), |v| read_json::<Manifest>(&v))?
        };
        let folder = postings::segments_dir(&self.dir);
        let io = |e| io_error(&folder, e);
        let batch = [
            (Kind::Bands, &self.bands[..]),
            (Kind::Fingerprints, &self.fingerprints[..]),
            (Kind::Sentences, &self.sentences[..]),
        ];
        manifest.add_all(&self.dir, &batch).map_err(io)?;
        write_manifest(&self.write, &manifest)?;
        let change = super::statistics::add(&self.write, &self.samples)?;
        let mut table = self.write.open_table(CLUSTERS)?;
        for (id, record) in clusters {
            let json = serde_json::to_vec(record).map_err(|e| IndexError::Record(e.to_string()))?;
            table.insert(id.as_str(), json.as_slice())?;
        }
        for id in emptied {
            table.remove(*id)?;
        }
        drop(table);
        self.touched.extend(clusters.iter().map(|(id, _)| id.to_string()));
        self.touched.extend(emptied.iter().map(|id| id.to_string()));
        self.leave_singletons_implicit()?;
        self.write.open_table(META)?.insert("next_number", self.number.to_string().as_bytes())?;
        let mut runs = self.write.open_table(RUNS)?;
        let count = runs.len()?;
        runs.insert(count, run.to_string().as_bytes())?;
        drop(runs);
        self.write.commit()?;
        Ok(change)
    }
}

impl BatchWriter {
    /// Most stories are one article with no history: such a story has no
    /// `clusters` row and no `members` row (its id is in its article's
    /// record), which saves a tenth of a kilobyte on every such article.
    /// Each story the batch touched is checked and, when it is one of
    /// those, its rows go.
    fn leave_singletons_implicit(&mut self) -> Result<(), IndexError> {
        let mut clusters = self.write.open_table(CLUSTERS)?;
        let mut members = self.write.open_multimap_table(MEMBERS)?;
        for story in &self.touched {
            let listed: Vec<String> = members
                .get(story.as_str())?
                .take(2)
                .map(|m| m.map(|m| m.value().to_string()))
                .collect::<Result<_, _>>()?;
            if listed.len() > 1 {
                continue;
            }
            let record = match clusters.get(story.as_str())? {
                Some(bytes) => Some(read_json::<ClusterRecord>(bytes.value())?),
                None => None,
            };
            let plain = match (&record, listed.first()) {
                (Some(r), Some(only)) => r.replaced.is_empty() && r.canonical == *only,
                _ => true,
            };
            if plain {
                clusters.remove(story.as_str())?;
                if let Some(only) = listed.first() {
                    members.remove(story.as_str(), only.as_str())?;
                }
            }
        }
        Ok(())
    }
}

/// Records the format and settings of a new index and creates every table,
/// so that readers never meet a missing one.
fn initialize(db: &Database, config: &crate::ScanConfig, options: IndexOptions) -> Result<(), IndexError> {
    let write = db.begin_write()?;
    {
        let mut meta = write.open_table(META)?;
        meta.insert("format", FORMAT_VERSION.to_string().as_bytes())?;
        meta.insert("settings", settings_json(config, options).as_bytes())?;
        write.open_table(ARTICLES)?;
        write.open_table(IDS)?;
        write.open_table(REMOVED)?;
        write.open_table(CONTENT)?;
        write.open_table(TEXTS)?;
        write.open_table(VERDICTS)?;
        write.open_table(CLUSTERS)?;
        write.open_multimap_table(MEMBERS)?;
        write.open_table(RUNS)?;
        write.open_multimap_table(LINKS)?;
        write.open_table(DF_SAMPLES)?;
    }
    write.commit()?;
    Ok(())
}

/// A number kept in `meta`, as `read` sees it.
pub(crate) fn meta_usize(read: &redb::ReadTransaction, key: &str) -> Result<Option<usize>, IndexError> {
    let meta = read.open_table(META)?;
    let value = meta.get(key)?.map(|v| String::from_utf8_lossy(v.value()).into_owned());
    Ok(value.and_then(|v| v.parse().ok()))
}

fn write_manifest(write: &redb::WriteTransaction, manifest: &Manifest) -> Result<(), IndexError> {
    let json = serde_json::to_vec(manifest).map_err(|e| IndexError::Record(e.to_string()))?;
    write.open_table(META)?.insert("segments", json.as_slice())?;
    Ok(())
}

fn read_json<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, IndexError> {
    serde_json::from_slice(bytes).map_err(|e| IndexError::Record(e.to_string()))
}

fn io_error(path: &Path, e: impl std::fmt::Display) -> IndexError {
    IndexError::Io { path: path.display().to_string(), detail: e.to_string() }
}

/// Compresses a stored document.
pub(crate) fn pack(doc: &StoredDocument) -> Result<Vec<u8>, IndexError> {
    let json = serde_json::to_vec(doc).map_err(|e| IndexError::Record(e.to_string()))?;
    zstd::bulk::compress(&json, 3).map_err(|e| IndexError::Record(e.to_string()))
}

/// Packs the verdict of article `id`. Most articles are kept with nothing
/// more to say, most of those as their own story's canonical: those are a
/// tag and the story (and the canonical, when another); any other verdict
/// is zstd-compressed JSON (a held-back verdict carries its evidence).
pub(crate) fn pack_verdict(id: &str, verdict: &Value) -> Result<Vec<u8>, IndexError> {
    let fields = verdict.as_object().map_or(0, Map::len);
    if let (Some("kept"), Some(cluster), Some(canonical), 3) =
        (verdict["verdict"].as_str(), verdict["cluster"].as_str(), verdict["canonical"].as_str(), fields)
    {
        if canonical == id {
            return Ok([&[2u8][..], cluster.as_bytes()].concat());
        }
        if !cluster.contains('\0') {
            return Ok([&[0u8][..], cluster.as_bytes(), &[0u8], canonical.as_bytes()].concat());
        }
    }
    let json = serde_json::to_vec(verdict).map_err(|e| IndexError::Record(e.to_string()))?;
    let packed = zstd::bulk::compress(&json, 3).map_err(|e| IndexError::Record(e.to_string()))?;
    Ok([&[1u8][..], &packed].concat())
}

/// Unpacks what [`pack_verdict`] packed for article `id`.
pub(crate) fn unpack_verdict(id: &str, bytes: &[u8]) -> Result<Value, String> {
    match bytes.split_first() {
        Some((2, rest)) => {
            let cluster = std::str::from_utf8(rest).map_err(|e| e.to_string())?;
            Ok(serde_json::json!({ "verdict": "kept", "cluster": cluster, "canonical": id }))
        }
        Some((0, rest)) => {
            let text = std::str::from_utf8(rest).map_err(|e| e.to_string())?;
            let (cluster, canonical) = text.split_once('\0').ok_or("a kept verdict without its canonical")?;
            Ok(serde_json::json!({ "verdict": "kept", "cluster": cluster, "canonical": canonical }))
        }
        Some((1, rest)) => {
            let json = zstd::stream::decode_all(rest).map_err(|e| e.to_string())?;
            serde_json::from_slice(&json).map_err(|e| e.to_string())
        }
        _ => Err("an unknown verdict encoding".into()),
    }
}

/// Decompresses a stored document.
pub(crate) fn unpack(bytes: &[u8]) -> Result<StoredDocument, IndexError> {
    let json = zstd::stream::decode_all(bytes).map_err(|e| IndexError::Record(format!("stored text: {e}")))?;
    serde_json::from_slice(&json).map_err(|e| IndexError::Record(format!("stored text: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_and_verdicts_round_trip() {
        let record = ArticleRecord {
            number: 7,
            id: "https://example.com/ünïcode/7".into(),
            cluster: "c0123456789ab".into(),
            published: Some(-5),
            tokens: 812,
            content: u64::MAX - 3,
            prints: 107,
        };
        assert_eq!(ArticleRecord::decode(7, &record.encode()).unwrap(), record);
        let undated = ArticleRecord { published: None, ..record };
        assert_eq!(ArticleRecord::decode(7, &undated.encode()).unwrap(), undated);
        assert!(ArticleRecord::decode(7, &undated.encode()[..20]).is_err());
        assert!(ArticleRecord::decode(7, &undated.encode()[..30]).is_err());
        for verdict in [
            serde_json::json!({ "verdict": "kept", "cluster": "c1", "canonical": "a" }),
            serde_json::json!({ "verdict": "kept", "cluster": "c1", "canonical": "me" }),
            serde_json::json!({ "verdict": "kept", "cluster": "c1", "canonical": "a", "replaces": "b" }),
            serde_json::json!({ "verdict": "held", "cluster": "c1", "canonical": "a", "pair": { "jaccard": 0.9 } }),
        ] {
            assert_eq!(unpack_verdict("me", &pack_verdict("me", &verdict).unwrap()).unwrap(), verdict);
        }
        assert_eq!(
            pack_verdict("me", &serde_json::json!({ "verdict": "kept", "cluster": "c1", "canonical": "me" })).unwrap(),
            b"\x02c1"
        );
        assert!(unpack_verdict("me", b"\x07junk").is_err());
    }
}
