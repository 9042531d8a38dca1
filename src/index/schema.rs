//! The feed index's database schema: the tables of its redb file and the
//! format version they are written in. Every module that reads or writes
//! the database names its tables from here.
//!
//! | table | key -> value | what for |
//! |---|---|---|
//! | `meta` | name -> bytes | format version, the settings the index was built with |
//! | `ids` | id -> article number | postings and the tables below name articles by number |
//! | `articles` | article number -> [`ArticleRecord`] (fixed binary) | id, story, rank, fingerprint count |
//! | `content` | normalized content hash -> article number | exact copies, recognised without analysis |
//! | `texts` | article number -> zstd(stored document) | verifying and aligning against the archive (none with `--no-texts`) |
//! | `verdicts` | article number -> packed verdict (a tag and the story for a plain kept one; else zstd JSON) | replaying a batch gives the same answers |
//! | `clusters` | story id -> [`ClusterRecord`] (JSON) | canonical, and its history |
//! | `members` | story id -> ids | a story's members |
//! | `links` | article number -> article numbers | the link components stories are decided over |
//! | `removed` | article number -> () | postings of removed articles, skipped until merged away |
//! | `df_samples` | article number -> content hash, shingles | the sample common shingles are counted over |
//! | `runs` | run number -> counts (JSON) | what each run did |
//!
//! [`ArticleRecord`]: super::store::ArticleRecord
//! [`ClusterRecord`]: super::store::ClusterRecord

use redb::{MultimapTableDefinition, TableDefinition};

/// The on-disk format this build reads and writes.
pub const FORMAT_VERSION: u64 = 4;

pub(crate) const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
pub(crate) const IDS: TableDefinition<&str, u64> = TableDefinition::new("ids");
pub(crate) const ARTICLES: TableDefinition<u64, &[u8]> = TableDefinition::new("articles");
/// Article number -> content hash and distinct shingles, for the articles
/// in the document-frequency sample ([`super::statistics`]).
pub(crate) const DF_SAMPLES: TableDefinition<u64, &[u8]> = TableDefinition::new("df_samples");
/// Numbers of removed articles: their postings are dropped when their
/// segments are next merged, and skipped until then.
pub(crate) const REMOVED: TableDefinition<u64, ()> = TableDefinition::new("removed");
pub(crate) const CONTENT: TableDefinition<u64, u64> = TableDefinition::new("content");
pub(crate) const TEXTS: TableDefinition<u64, &[u8]> = TableDefinition::new("texts");
pub(crate) const VERDICTS: TableDefinition<u64, &[u8]> = TableDefinition::new("verdicts");
pub(crate) const CLUSTERS: TableDefinition<&str, &[u8]> = TableDefinition::new("clusters");
pub(crate) const MEMBERS: MultimapTableDefinition<&str, &str> = MultimapTableDefinition::new("members");
pub(crate) const RUNS: TableDefinition<u64, &[u8]> = TableDefinition::new("runs");
/// Article number -> the articles a scan linked it to (both ways): the
/// link components a new article's story is decided over.
pub(crate) const LINKS: MultimapTableDefinition<u64, u64> = MultimapTableDefinition::new("links");
