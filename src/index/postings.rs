//! The index's postings: band keys and fingerprints of archived articles,
//! held in immutable segment files ([`super::segment`]) that a manifest in
//! the database names. Keys in, article numbers out.
//!
//! A batch writes one segment per kind and names it in the manifest in the
//! same transaction as its articles, so the articles and their postings
//! appear together or not at all. A crash can leave a file no manifest
//! names; it is deleted the next time the index is opened for writing.
//! Segments of one size tier are merged once [`MERGE_AT`] of them exist,
//! so a look-up reads a few segments, not one per batch.

use super::segment::{self, short_key, Segment};
use serde::{Deserialize, Serialize};
use std::collections::BinaryHeap;
use std::path::{Path, PathBuf};

/// The folder of segment files inside the index directory.
pub const SEGMENTS_DIR: &str = "segments";
/// Segments of one size tier that are merged into one.
pub const MERGE_AT: usize = 4;

/// The two kinds of postings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// LSH band keys: any shared key makes a candidate.
    Bands,
    /// Winnowing fingerprints: a shared one makes a candidate unless too
    /// many articles hold it.
    Fingerprints,
    /// Sentence-index keys (rare words of a sentence, signed and banded):
    /// rewrite candidates. Kept only with texts, which a rewrite needs.
    Sentences,
}

/// The live segments, as the database records them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// The number the next segment file gets.
    pub next: u64,
    pub bands: Vec<SegmentEntry>,
    pub fingerprints: Vec<SegmentEntry>,
    #[serde(default)]
    pub sentences: Vec<SegmentEntry>,
}

/// One live segment file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentEntry {
    pub file: String,
    pub postings: u64,
    /// xxh3 of the whole file, for `index verify`: a flipped bit in a
    /// segment's data can decode as another valid posting.
    pub checksum: u64,
}

impl Kind {
    /// Bits of a key its segments keep. A band key alone makes a
    /// candidate, so band keys keep 36 bits: against 25 million band
    /// postings (a million articles) a batch of 10,000 meets about a
    /// hundred false candidates, which verification turns away. A
    /// fingerprint or sentence key counts only with others shared with the
    /// same article, so 32 bits are plenty. Each bit less saves postings'
    /// bytes: keys within a bucket are written as gaps.
    pub fn key_bits(self) -> u32 {
        match self {
            Kind::Bands => 36,
            Kind::Fingerprints | Kind::Sentences => 32,
        }
    }

    /// Whether this kind's segments carry presence masks (a quarter byte
    /// a posting): sentence keys and fingerprints are looked up by the
    /// million per batch, and most of an article's are nobody else's, so
    /// most look-ups miss; band keys are a quarter as many.
    pub fn masked(self) -> bool {
        self != Kind::Bands
    }

    pub const ALL: [Kind; 3] = [Kind::Bands, Kind::Fingerprints, Kind::Sentences];
}

impl Manifest {
    pub fn entries(&self, kind: Kind) -> &[SegmentEntry] {
        match kind {
            Kind::Bands => &self.bands,
            Kind::Fingerprints => &self.fingerprints,
            Kind::Sentences => &self.sentences,
        }
    }

    fn entries_mut(&mut self, kind: Kind) -> &mut Vec<SegmentEntry> {
        match kind {
            Kind::Bands => &mut self.bands,
            Kind::Fingerprints => &mut self.fingerprints,
            Kind::Sentences => &mut self.sentences,
        }
    }

    /// Every file the manifest names.
    pub fn files(&self) -> impl Iterator<Item = &str> {
        self.bands.iter().chain(&self.fingerprints).chain(&self.sentences).map(|e| e.file.as_str())
    }

    /// Writes each kind's `postings` (full keys, article numbers) as a new
    /// segment in `dir`, the kinds in parallel, and names them here.
    /// Nothing is written for a kind with none.
    pub fn add_all(&mut self, dir: &Path, batch: &[(Kind, &[(u64, u64)])]) -> std::io::Result<()> {
        use rayon::prelude::*;
        type Named<'p> = (Kind, String, &'p [(u64, u64)]);
        let named: Vec<Named> =
            batch.iter().filter(|b| !b.1.is_empty()).map(|&(kind, p)| (kind, self.new_file(kind), p)).collect();
        let written: Vec<SegmentEntry> = named
            .par_iter()
            .map(|(kind, file, postings)| write_new(dir, *kind, file, postings))
            .collect::<std::io::Result<_>>()?;
        for ((kind, ..), entry) in named.iter().zip(written) {
            self.entries_mut(*kind).push(entry);
        }
        Ok(())
    }

    fn new_file(&mut self, kind: Kind) -> String {
        let prefix = match kind {
            Kind::Bands => "bands",
            Kind::Fingerprints => "prints",
            Kind::Sentences => "sentences",
        };
        self.next += 1;
        format!("{prefix}-{:08}.seg", self.next)
    }

    /// The segments of `kind` a merge should combine: [`MERGE_AT`] or more
    /// of one size tier (tiers grow by factors of [`MERGE_AT`]), smallest
    /// tier first; or all of them when `all`.
    pub fn merge_plan(&self, kind: Kind, all: bool) -> Option<Vec<usize>> {
        let entries = self.entries(kind);
        if all {
            return (entries.len() > 1).then(|| (0..entries.len()).collect());
        }
        let tier = |n: u64| (64 - n.max(1).leading_zeros()) / MERGE_AT.trailing_zeros();
        let mut tiers: std::collections::BTreeMap<u32, Vec<usize>> = Default::default();
        for (i, e) in entries.iter().enumerate() {
            tiers.entry(tier(e.postings)).or_default().push(i);
        }
        tiers.into_values().find(|t| t.len() >= MERGE_AT)
    }

    /// Merges the segments `which` of `kind` into one new file, keeping
    /// only postings `live` accepts (removed articles are dropped here),
    /// and names it in their place. The old files are left for the caller
    /// to delete once this manifest is committed.
    pub fn merge(
        &mut self,
        dir: &Path,
        kind: Kind,
        which: &[usize],
        live: impl Fn(u32) -> bool,
    ) -> Result<Vec<String>, String> {
        let entries = self.entries(kind).to_vec();
        let opened: Vec<Segment> = which.iter().map(|&i| open(dir, &entries[i].file)).collect::<Result<_, _>>()?;
        let file = self.new_file(kind);
        let path = segments_dir(dir).join(&file);
        let count = merge_into(&path, kind, &opened, live)
            .and_then(|count| Ok((count, segment::checksum(&path)?)))
            .map_err(|e| format!("{file}: {e}"))?;
        let (count, checksum) = count;
        let gone: Vec<String> = which.iter().map(|&i| entries[i].file.clone()).collect();
        let list = self.entries_mut(kind);
        list.retain(|e| !gone.contains(&e.file));
        list.push(SegmentEntry { file, postings: count, checksum });
        Ok(gone)
    }
}

/// Writes `postings` (full keys, article numbers) of `kind` as segment
/// `file` in `dir`.
fn write_new(dir: &Path, kind: Kind, file: &str, postings: &[(u64, u64)]) -> std::io::Result<SegmentEntry> {
    let mut short: Vec<(u64, u32)> = postings
        .iter()
        .map(|&(k, n)| {
            let n = u32::try_from(n).map_err(|_| std::io::Error::other("article numbers past 2^32"))?;
            Ok((short_key(k, kind.key_bits()), n))
        })
        .collect::<std::io::Result<_>>()?;
    let path = segments_dir(dir).join(file);
    segment::write(&path, kind.key_bits(), kind.masked(), &mut short)?;
    let checksum = segment::checksum(&path)?;
    Ok(SegmentEntry { file: file.to_string(), postings: short.len() as u64, checksum })
}

/// The segments folder of index directory `dir`.
pub fn segments_dir(dir: &Path) -> PathBuf {
    dir.join(SEGMENTS_DIR)
}

fn open(dir: &Path, file: &str) -> Result<Segment, String> {
    let path = segments_dir(dir).join(file);
    Segment::open(&path).map_err(|e| format!("{}: {e}", path.display()))
}

/// Streams the postings of `segments`, in order, into a new segment.
fn merge_into(path: &Path, kind: Kind, segments: &[Segment], live: impl Fn(u32) -> bool) -> std::io::Result<u64> {
    let key_bits = kind.key_bits();
    if segments.iter().any(|s| s.key_bits() != key_bits) {
        return Err(std::io::Error::other("segments of another key length"));
    }
    // Decoded one bucket at a time, so memory stays small whatever the
    // segments hold.
    let mut cursors: Vec<segment::Cursor<'_>> = segments.iter().map(Segment::cursor).collect();
    let mut heap = BinaryHeap::new();
    for (i, c) in cursors.iter_mut().enumerate() {
        if let Some(p) = c.next() {
            heap.push(std::cmp::Reverse((p, i)));
        }
    }
    let merged = std::iter::from_fn(move || {
        let std::cmp::Reverse((p, i)) = heap.pop()?;
        if let Some(next) = cursors[i].next() {
            heap.push(std::cmp::Reverse((next, i)));
        }
        Some(p)
    });
    let expected = segments.iter().map(Segment::len).sum();
    let number_bits = segments.iter().map(Segment::number_bits).max().unwrap_or(1);
    let shape = segment::Shape::new(key_bits, expected, number_bits)?;
    segment::write_sorted(path, shape, kind.masked(), merged.filter(|&(_, n)| live(n)))
}

/// The live segments of an index, open for look-ups.
pub struct Postings {
    bands: Vec<Segment>,
    fingerprints: Vec<Segment>,
    sentences: Vec<Segment>,
}

impl Postings {
    /// Opens every segment `manifest` names in index directory `dir`.
    pub fn open(dir: &Path, manifest: &Manifest) -> Result<Postings, String> {
        let open_all =
            |entries: &[SegmentEntry]| entries.iter().map(|e| open(dir, &e.file)).collect::<Result<Vec<_>, _>>();
        Ok(Postings {
            bands: open_all(&manifest.bands)?,
            fingerprints: open_all(&manifest.fingerprints)?,
            sentences: open_all(&manifest.sentences)?,
        })
    }

    /// Like [`Postings::get`], but stops once `out` holds more than
    /// `limit` articles; false then (what it holds is a part).
    pub fn get_at_most(&self, kind: Kind, key: u64, limit: usize, out: &mut Vec<u32>) -> bool {
        for s in self.segments(kind) {
            s.get(key, out);
            if out.len() > limit {
                return false;
            }
        }
        true
    }

    /// For each of `queries` (a key, and what asked for it), the articles
    /// holding the key, unless more than `limit` do: (what asked, article)
    /// pairs, in no particular order.
    ///
    /// Queries are sorted by key and answered in parallel runs of whole
    /// keys: consecutive keys fall in nearby buckets, so each segment is
    /// read front to back instead of at random (what a batch's millions of
    /// look-ups cost), and a key many documents ask for is read once.
    pub fn get_all<T: Copy + Send + Sync>(&self, kind: Kind, queries: &[(u64, T)], limit: usize) -> Vec<(T, u32)> {
        use rayon::prelude::*;
        let mut sorted = queries.to_vec();
        sorted.par_sort_unstable_by_key(|q| q.0);
        key_runs(&sorted, LOOK_UP_RUN)
            .into_par_iter()
            .flat_map_iter(|run| {
                let (mut out, mut numbers) = (Vec::new(), Vec::new());
                for same in run.chunk_by(|x, y| x.0 == y.0) {
                    numbers.clear();
                    if self.get_at_most(kind, same[0].0, limit, &mut numbers) {
                        for &(_, who) in same {
                            out.extend(numbers.iter().map(|&n| (who, n)));
                        }
                    }
                }
                out
            })
            .collect()
    }

    fn segments(&self, kind: Kind) -> &[Segment] {
        match kind {
            Kind::Bands => &self.bands,
            Kind::Fingerprints => &self.fingerprints,
            Kind::Sentences => &self.sentences,
        }
    }

    /// Appends to `out` the articles holding `key` of `kind`.
    pub fn get(&self, kind: Kind, key: u64, out: &mut Vec<u32>) {
        for s in self.segments(kind) {
            s.get(key, out);
        }
    }
}

/// Queries a parallel look-up task answers, about.
const LOOK_UP_RUN: usize = 4096;

/// `sorted` cut into runs of about `size` queries, never splitting a key.
fn key_runs<T>(sorted: &[(u64, T)], size: usize) -> Vec<&[(u64, T)]> {
    let mut runs = Vec::new();
    let mut rest = sorted;
    while !rest.is_empty() {
        let mut end = size.min(rest.len());
        while end < rest.len() && rest[end].0 == rest[end - 1].0 {
            end += 1;
        }
        let (run, after) = rest.split_at(end);
        runs.push(run);
        rest = after;
    }
    runs
}

/// Deletes segment files in `dir` that `manifest` does not name: left by a
/// batch or merge that a crash cut short, or by a merge whose inputs were
/// replaced. Only a writer (who holds the database's lock) may call it.
pub fn remove_strays(dir: &Path, manifest: &Manifest) -> std::io::Result<usize> {
    let folder = segments_dir(dir);
    std::fs::create_dir_all(&folder)?;
    let named: std::collections::HashSet<&str> = manifest.files().collect();
    let mut removed = 0;
    for entry in std::fs::read_dir(&folder)? {
        let entry = entry?;
        let name = entry.file_name();
        if !named.contains(name.to_string_lossy().as_ref()) {
            std::fs::remove_file(entry.path())?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// Checks every segment `manifest` names: it opens, decodes whole, and
/// holds the postings the manifest says. Problems as lines.
pub fn verify(dir: &Path, manifest: &Manifest) -> Vec<String> {
    let mut problems = Vec::new();
    for kind in Kind::ALL {
        for e in manifest.entries(kind) {
            let path = segments_dir(dir).join(&e.file);
            if segment::checksum(&path).is_ok_and(|c| c != e.checksum) {
                problems.push(format!("segment {}: its checksum does not match the manifest's", e.file));
                continue;
            }
            match open(dir, &e.file).and_then(|s| s.postings().map_err(|d| format!("{}: {d}", e.file))) {
                Ok(p) if p.len() as u64 == e.postings => {}
                Ok(p) => {
                    problems.push(format!("segment {}: {} postings, the manifest says {}", e.file, p.len(), e.postings))
                }
                Err(d) => problems.push(format!("segment {d}")),
            }
        }
    }
    problems
}

/// Bytes of the live segment files.
pub fn bytes(dir: &Path, manifest: &Manifest, kind: Kind) -> u64 {
    manifest
        .entries(kind)
        .iter()
        .filter_map(|e| std::fs::metadata(segments_dir(dir).join(&e.file)).ok())
        .map(|m| m.len())
        .sum()
}
