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
use crate::index::segment::{short_key, Segment};
use crate::scan::DocumentKeys;
use redb::{Database, ReadableDatabase, ReadableTable, ReadableTableMetadata, TableDefinition};
use std::path::{Path, PathBuf};
use xxhash_rust::xxh3::Xxh3;

/// run key -> (sequence number, zstd JSON of the findings)
const RUNS: TableDefinition<u64, (u64, &[u8])> = TableDefinition::new("runs");
/// "last" -> zstd JSON of the [`State`] of the last scanned run.
const STATE: TableDefinition<&str, &[u8]> = TableDefinition::new("state");
/// document digest -> its keys ([`pack_keys`]).
const KEYS: TableDefinition<u64, &[u8]> = TableDefinition::new("keys");

/// What the last scanned run leaves for the next to re-scan only what
/// changed: its documents, the corpus statistics they were judged by, and
/// its findings. Each document's keys are in a table of their own.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct State {
    /// A digest of everything configured.
    pub settings: u64,
    /// Per document, in input order: its path (as findings name it) and
    /// its digest ([`document_digest`]).
    pub documents: Vec<(String, u64)>,
    /// The corpus's common shingles, sorted.
    pub common: Vec<u64>,
    /// Content-word document counts and the rare count.
    pub words: Vec<(u64, u32)>,
    pub rare_df: u32,
    pub findings: Vec<Finding>,
    /// The key index's generation ([`Cache::write_key_index`]): written by
    /// the last full scan, numbering the documents of `base`.
    pub generation: u64,
    /// Digests of the documents the key index numbers, in its order.
    pub base: Vec<u64>,
    /// Digests of documents added since the full scan; their keys are rows
    /// of the `keys` table.
    pub delta: Vec<u64>,
}

/// The keys of every document of a full scan, by kind: sorted segment
/// files (the feed index's format) mapping the top 32 bits of a key to the
/// documents (numbers into [`State::base`]) holding it.
pub struct KeyIndex {
    pub bands: Segment,
    pub prints: Segment,
    pub sentences: Segment,
}

const KIND_NAMES: [&str; 3] = ["bands", "prints", "sentences"];

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

    /// The state the last scanned run left, if readable.
    pub fn state(&self) -> Option<State> {
        let read = self.db.begin_read().ok()?;
        let table = read.open_table(STATE).ok()?;
        let row = table.get("last").ok()??;
        let json = zstd::stream::decode_all(row.value()).ok()?;
        serde_json::from_slice(&json).ok()
    }

    /// The key index of `generation`, if all of it opens.
    pub fn key_index(&self, generation: u64) -> Option<KeyIndex> {
        let open = |kind: &str| Segment::open(&self.segment_path(generation, kind)).ok();
        Some(KeyIndex { bands: open(KIND_NAMES[0])?, prints: open(KIND_NAMES[1])?, sentences: open(KIND_NAMES[2])? })
    }

    /// Writes the key index of `generation`: the keys of `documents`,
    /// numbered in order.
    pub fn write_key_index(&self, generation: u64, documents: &[DocumentKeys]) -> Result<(), CacheError> {
        let error = |why: String| CacheError { path: self.path.display().to_string(), why };
        let parts: [fn(&DocumentKeys) -> &Vec<u64>; 3] = [|k| &k.band_keys, |k| &k.fingerprints, |k| &k.sentence_keys];
        for (kind, part) in KIND_NAMES.iter().zip(parts) {
            let mut postings: Vec<(u64, u32)> = documents
                .iter()
                .enumerate()
                .flat_map(|(n, k)| part(k).iter().map(move |&key| (short_key(key, KEY_BITS), n as u32)))
                .collect();
            let masked = *kind == "sentences";
            crate::index::segment::write(&self.segment_path(generation, kind), KEY_BITS, masked, &mut postings)
                .map_err(|e| error(e.to_string()))?;
        }
        Ok(())
    }

    fn segment_path(&self, generation: u64, kind: &str) -> PathBuf {
        self.path.with_file_name(segment_name(generation, kind))
    }

    /// Deletes key index files of generations other than `keep`.
    fn remove_other_generations(&self, keep: u64) {
        let Some(dir) = self.path.parent() else { return };
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        let kept: Vec<String> = KIND_NAMES.iter().map(|k| segment_name(keep, k)).collect();
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with("keys-") && name.ends_with(".seg") && !kept.contains(&name) {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }

    /// The keys of each of `digests`, or `None` if any is missing.
    pub fn keys(&self, digests: &[u64]) -> Option<Vec<DocumentKeys>> {
        let read = self.db.begin_read().ok()?;
        let table = read.open_table(KEYS).ok()?;
        digests.iter().map(|&d| table.get(d).ok()?.and_then(|row| unpack_keys(row.value()))).collect()
    }

    /// Stores `state` and the keys of its delta documents that `added`
    /// gives, and forgets the keys of documents no longer in its delta and
    /// key index files of other generations.
    pub fn save_state(&self, state: &State, added: &[(u64, &DocumentKeys)]) -> Result<(), CacheError> {
        let error = |why: String| CacheError { path: self.path.display().to_string(), why };
        let json = serde_json::to_vec(state).map_err(|e| error(e.to_string()))?;
        let packed = zstd::bulk::compress(&json, 3).map_err(|e| error(e.to_string()))?;
        let live: std::collections::HashSet<u64> = state.delta.iter().copied().collect();
        let write = self.db.begin_write().map_err(|e| error(e.to_string()))?;
        {
            let mut table = write.open_table(STATE).map_err(|e| error(e.to_string()))?;
            table.insert("last", packed.as_slice()).map_err(|e| error(e.to_string()))?;
            drop(table);
            let mut keys = write.open_table(KEYS).map_err(|e| error(e.to_string()))?;
            let mut stale = Vec::new();
            for row in keys.iter().map_err(|e| error(e.to_string()))? {
                let digest = row.map_err(|e| error(e.to_string()))?.0.value();
                if !live.contains(&digest) {
                    stale.push(digest);
                }
            }
            for digest in stale {
                keys.remove(digest).map_err(|e| error(e.to_string()))?;
            }
            let mut added: Vec<&(u64, &DocumentKeys)> = added.iter().filter(|a| live.contains(&a.0)).collect();
            added.sort_unstable_by_key(|a| a.0);
            for (digest, k) in added {
                keys.insert(*digest, pack_keys(k).as_slice()).map_err(|e| error(e.to_string()))?;
            }
        }
        write.commit().map_err(|e| error(e.to_string()))?;
        self.remove_other_generations(state.generation);
        Ok(())
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
/// text) and of each document's digest, in order.
pub fn run_key(settings: &str, digests: &[u64]) -> u64 {
    let mut h = Xxh3::new();
    h.update(&(settings.len() as u64).to_le_bytes());
    h.update(settings.as_bytes());
    for d in digests {
        h.update(&d.to_le_bytes());
    }
    h.digest()
}

/// A digest of a document as the scan sees it: id, source, metadata, text.
pub fn document_digest(d: &Document) -> u64 {
    let mut h = Xxh3::new();
    let mut field = |bytes: &[u8]| {
        h.update(&(bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    };
    field(d.id.as_bytes());
    field(d.source.to_string().as_bytes());
    let meta = &d.meta;
    for part in [&meta.outlet, &meta.url, &meta.title] {
        field(part.as_deref().unwrap_or("\0none").as_bytes());
    }
    field(meta.published.as_ref().map_or("\0none", |p| p.raw.as_str()).as_bytes());
    field(d.text.as_bytes());
    h.digest()
}

/// The file name of one kind's key index segment of `generation`.
fn segment_name(generation: u64, kind: &str) -> String {
    format!("keys-{generation:08}-{kind}.seg")
}

/// Bits of a key the cache keeps: a collision only adds a candidate, never
/// loses one.
pub const KEY_BITS: u32 = 32;

/// A document's keys as stored: three counts, then each key's top
/// [`KEY_BITS`] bits ([`short_key`]); they unpack as those short keys.
fn pack_keys(k: &DocumentKeys) -> Vec<u8> {
    let parts = [&k.band_keys, &k.fingerprints, &k.sentence_keys];
    let mut out = Vec::with_capacity(12 + 4 * parts.iter().map(|p| p.len()).sum::<usize>());
    for p in parts {
        out.extend((p.len() as u32).to_le_bytes());
    }
    for p in parts {
        for &key in p.iter() {
            out.extend((short_key(key, KEY_BITS) as u32).to_le_bytes());
        }
    }
    out
}

fn unpack_keys(bytes: &[u8]) -> Option<DocumentKeys> {
    let word = |i: usize| bytes.get(4 * i..4 * i + 4).map(|b| u32::from_le_bytes(b.try_into().expect("4 bytes")));
    let counts = [word(0)? as usize, word(1)? as usize, word(2)? as usize];
    if bytes.len() != 12 + 4 * counts.iter().sum::<usize>() {
        return None;
    }
    let mut at = 3;
    let mut take = |n: usize| {
        let keys: Vec<u64> = (at..at + n).map(|i| u64::from(word(i).expect("length checked"))).collect();
        at += n;
        keys
    };
    Some(DocumentKeys { band_keys: take(counts[0]), fingerprints: take(counts[1]), sentence_keys: take(counts[2]) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_follow_every_input() {
        let (a, b) = (Document::from_text("a", "one text"), Document::from_text("b", "another"));
        let (a, b) = (document_digest(&a), document_digest(&b));
        let key = run_key("s", &[a, b]);
        assert_eq!(key, run_key("s", &[a, b]));
        assert_ne!(key, run_key("t", &[a, b]));
        assert_ne!(key, run_key("s", &[b, a]));
        let edited = document_digest(&Document::from_text("b", "another!"));
        assert_ne!(key, run_key("s", &[a, edited]));
    }

    #[test]
    fn document_keys_round_trip_cut_to_32_bits() {
        let keys =
            DocumentKeys { band_keys: vec![1 << 32, 7 << 32 | 5], fingerprints: vec![], sentence_keys: vec![9 << 32] };
        let back = unpack_keys(&pack_keys(&keys)).unwrap();
        assert_eq!(back.band_keys, vec![1, 7]);
        assert_eq!(back.sentence_keys, vec![9]);
        assert!(unpack_keys(&pack_keys(&keys)[..13]).is_none());
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(dir.path()).unwrap();
        cache.write_key_index(3, &[keys.clone(), DocumentKeys::default()]).unwrap();
        let index = cache.key_index(3).unwrap();
        let mut holders = Vec::new();
        index.bands.get(7 << 32 | 99, &mut holders);
        assert_eq!(holders, vec![0]);
        let state = State { documents: vec![("a".into(), 5)], delta: vec![5], generation: 3, ..State::default() };
        cache.save_state(&state, &[(5, &keys), (6, &keys)]).unwrap();
        assert_eq!(cache.keys(&[5]).unwrap()[0].sentence_keys, vec![9]);
        assert!(cache.keys(&[6]).is_none(), "keys of documents the state does not hold are not kept");
        assert_eq!(cache.state().unwrap().documents, state.documents);
        cache.save_state(&State { generation: 4, ..state }, &[]).unwrap();
        assert!(cache.key_index(3).is_none(), "an older generation's index is deleted");
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
