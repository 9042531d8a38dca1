//! The check cache: findings remembered by everything they depend on (the
//! settings, the configuration, and every checked document's id, source,
//! metadata and text), in a redb database `check.redb` in the cache
//! folder (`.copydesk-cache` by default). A re-run over unchanged inputs
//! reads its findings back instead of scanning.
//!
//! It is a cache: a damaged or unreadable one is reported and rebuilt,
//! never trusted. It keeps the findings of the last [`KEPT_RUNS`] distinct
//! input sets (a branch switch back and forth hits both).

use super::finding::Finding;
use crate::document::Document;
use redb::{Database, ReadableDatabase, ReadableTable, ReadableTableMetadata, TableDefinition};
use std::path::{Path, PathBuf};
use xxhash_rust::xxh3::Xxh3;

/// run key -> (sequence number, zstd JSON of the findings)
const RUNS: TableDefinition<u64, (u64, &[u8])> = TableDefinition::new("runs");

/// Distinct input sets remembered.
pub const KEPT_RUNS: usize = 8;

/// The file name of the cache database inside the cache folder.
pub const CACHE_FILE: &str = "check.redb";

/// A cache that could not be used.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {why}")]
pub struct CacheError {
    pub path: String,
    pub why: String,
}

pub struct Cache {
    db: Database,
    path: PathBuf,
}

impl Cache {
    /// Opens (or creates) the cache in folder `dir`. A damaged file is
    /// deleted and made again: what it held can always be recomputed.
    pub fn open(dir: &Path) -> Result<Cache, CacheError> {
        let path = dir.join(CACHE_FILE);
        let error = |why: String| CacheError { path: path.display().to_string(), why };
        std::fs::create_dir_all(dir).map_err(|e| error(e.to_string()))?;
        let db = match Database::create(&path) {
            Ok(db) => db,
            Err(redb::DatabaseError::DatabaseAlreadyOpen) => {
                return Err(error("in use by another copydesk process".into()))
            }
            Err(_) => {
                std::fs::remove_file(&path).map_err(|e| error(e.to_string()))?;
                Database::create(&path).map_err(|e| error(e.to_string()))?
            }
        };
        Ok(Cache { db, path })
    }

    /// The findings stored under `key`, if any (and readable).
    pub fn get(&self, key: u64) -> Option<Vec<Finding>> {
        let read = self.db.begin_read().ok()?;
        let table = read.open_table(RUNS).ok()?;
        let row = table.get(key).ok()??;
        let (_, packed) = row.value();
        let json = zstd::stream::decode_all(packed).ok()?;
        serde_json::from_slice(&json).ok()
    }

    /// Stores `findings` under `key`, forgetting the oldest run beyond
    /// [`KEPT_RUNS`].
    pub fn put(&self, key: u64, findings: &[Finding]) -> Result<(), CacheError> {
        let error = |why: String| CacheError { path: self.path.display().to_string(), why };
        let json = serde_json::to_vec(findings).map_err(|e| error(e.to_string()))?;
        let packed = zstd::bulk::compress(&json, 3).map_err(|e| error(e.to_string()))?;
        let write = self.db.begin_write().map_err(|e| error(e.to_string()))?;
        {
            let mut table = write.open_table(RUNS).map_err(|e| error(e.to_string()))?;
            let mut runs: Vec<(u64, u64)> = Vec::new();
            for row in table.iter().map_err(|e| error(e.to_string()))? {
                let (k, v) = row.map_err(|e| error(e.to_string()))?;
                runs.push((v.value().0, k.value()));
            }
            let sequence = runs.iter().map(|r| r.0 + 1).max().unwrap_or(0);
            runs.sort_unstable();
            let excess = (runs.len() + 1).saturating_sub(KEPT_RUNS);
            for &(_, old) in runs.iter().take(excess) {
                table.remove(old).map_err(|e| error(e.to_string()))?;
            }
            table.insert(key, (sequence, packed.as_slice())).map_err(|e| error(e.to_string()))?;
        }
        write.commit().map_err(|e| error(e.to_string()))
    }

    /// Runs remembered.
    pub fn len(&self) -> usize {
        let Ok(read) = self.db.begin_read() else { return 0 };
        read.open_table(RUNS).ok().and_then(|t| t.len().ok()).unwrap_or(0) as usize
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The key of a run: a digest of `settings` (everything configured, as
/// text) and of each document (in order) as the scan sees it.
pub fn run_key(settings: &str, documents: &[&Document]) -> u64 {
    let mut h = Xxh3::new();
    let mut field = |bytes: &[u8]| {
        h.update(&(bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    };
    field(settings.as_bytes());
    for d in documents {
        field(d.id.as_bytes());
        field(d.source.to_string().as_bytes());
        let meta = &d.meta;
        for part in [&meta.outlet, &meta.url, &meta.title] {
            field(part.as_deref().unwrap_or("\0none").as_bytes());
        }
        field(meta.published.as_ref().map_or("\0none", |p| p.raw.as_str()).as_bytes());
        field(d.text.as_bytes());
    }
    h.digest()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_follow_every_input() {
        let (a, b) = (Document::from_text("a", "one text"), Document::from_text("b", "another"));
        let key = run_key("s", &[&a, &b]);
        assert_eq!(key, run_key("s", &[&a, &b]));
        assert_ne!(key, run_key("t", &[&a, &b]));
        assert_ne!(key, run_key("s", &[&b, &a]));
        let edited = Document::from_text("b", "another!");
        assert_ne!(key, run_key("s", &[&a, &edited]));
    }

    #[test]
    fn remembers_the_last_runs_and_survives_damage() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(dir.path()).unwrap();
        assert!(cache.get(1).is_none());
        for key in 0..(KEPT_RUNS as u64 + 3) {
            cache.put(key, &[]).unwrap();
        }
        assert_eq!(cache.len(), KEPT_RUNS);
        assert!(cache.get(0).is_none(), "the oldest run is forgotten");
        assert_eq!(cache.get(KEPT_RUNS as u64 + 2), Some(Vec::new()));
        drop(cache);
        std::fs::write(dir.path().join(CACHE_FILE), b"not a database").unwrap();
        let cache = Cache::open(dir.path()).unwrap();
        assert!(cache.is_empty());
    }
}
