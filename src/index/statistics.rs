//! Corpus statistics as state the index keeps and merges batch by batch:
//! the distinct shingles and content words of a sample of the archive in;
//! the corpus's common shingles (document frequency at or above the
//! common-shingle count) and its content-word weights (which words are
//! rare) out.
//!
//! `copydesk scan` counts document frequency over its whole corpus (every
//! document up to [`DF_SAMPLE`], an even sample above). The index keeps the
//! same sample across runs: an article is in it when the top `level` bits
//! of a hash of its content are zero. Level 0 takes every article, so an
//! archive of up to [`DF_SAMPLE`] articles is counted exactly, as one scan
//! of all of it would be; when the sample outgrows twice that, the level
//! goes up by one and the articles it no longer takes leave the sample.
//! So the sample stays bounded, and each batch counts over the sample plus
//! its own sampled articles: the statistics a scan of the archive and the
//! batch together would use.

use super::error::IndexError;
use super::schema::{DF_SAMPLES, META};
use crate::analysis::shingle::{fmix64, HashMapU64, HashSetU64};
use crate::analysis::Vocabulary;
use crate::corpus::common::{sample_threshold, DF_SAMPLE};
use crate::linking::rewrite::WordWeights;
use redb::{ReadableTable, ReadableTableMetadata};
use std::sync::Arc;

/// The sample's level, as `read` sees it.
pub fn level(meta: &impl ReadableTable<&'static str, &'static [u8]>) -> Result<u32, IndexError> {
    meta_number(meta, "df_level")
}

/// A number kept in `meta` as text; 0 when absent (a new index).
fn meta_number<T: std::str::FromStr + Default>(
    meta: &impl ReadableTable<&'static str, &'static [u8]>,
    key: &str,
) -> Result<T, IndexError> {
    let value = meta.get(key)?.map(|v| String::from_utf8_lossy(v.value()).into_owned());
    Ok(value.and_then(|v| v.parse().ok()).unwrap_or_default())
}

/// Whether the article of content hash `content` is in the sample at
/// `level`.
pub fn sampled(content: u64, level: u32) -> bool {
    level == 0 || fmix64(content ^ 0x5a3b_1e2f_77c4_d901) >> (64 - level) == 0
}

/// The sample's version, as `meta` says: it changes with every batch that
/// changes the sample, so a copy of the counts in memory knows whether it
/// is current.
pub fn version(meta: &impl ReadableTable<&'static str, &'static [u8]>) -> Result<u64, IndexError> {
    meta_number(meta, "df_version")
}

/// The vocabulary of article `number`, if it is in the sample.
pub fn read_one(read: &redb::ReadTransaction, number: u64) -> Result<Option<Vocabulary>, IndexError> {
    let table = read.open_table(DF_SAMPLES)?;
    let row = table.get(number)?;
    Ok(row.map(|v| unpack(v.value())))
}

/// Document frequencies over the archive's sample, kept in memory between
/// batches by a long-lived [`super::Index`] (a process that runs one batch
/// reads them once).
#[derive(Debug, Clone, Default)]
pub struct SampleCounts {
    /// The sample version these counts are of.
    pub version: u64,
    docs: usize,
    shingles: HashMapU64<u32>,
    /// Shingles counted twice or more: a common shingle is among them, and
    /// they are few.
    repeated: HashSetU64,
    words: Arc<HashMapU64<u32>>,
}

impl SampleCounts {
    /// Counts the sample as `read` sees it.
    pub fn load(read: &redb::ReadTransaction) -> Result<SampleCounts, IndexError> {
        let mut counts = SampleCounts { version: version(&read.open_table(META)?)?, ..SampleCounts::default() };
        for row in read.open_table(DF_SAMPLES)?.iter()? {
            counts.apply(&unpack(row?.1.value()), true);
        }
        Ok(counts)
    }

    /// Adds (or takes away) one article's vocabulary.
    pub fn apply(&mut self, v: &Vocabulary, add: bool) {
        let words = Arc::make_mut(&mut self.words);
        for &w in &v.words {
            let n = words.entry(w).or_default();
            *n = if add { *n + 1 } else { n.saturating_sub(1) };
        }
        for &h in &v.shingles {
            let n = self.shingles.entry(h).or_default();
            *n = if add { *n + 1 } else { n.saturating_sub(1) };
            if *n >= 2 {
                self.repeated.insert(h);
            } else {
                self.repeated.remove(&h);
            }
        }
        self.docs = if add { self.docs + 1 } else { self.docs.saturating_sub(1) };
    }

    /// The common shingles and word weights of a corpus of `corpus_size`
    /// articles whose sample is this one plus the batch's `fresh`
    /// vocabularies, at the sample's `level`.
    pub fn statistics(
        &self,
        fresh: &[&Vocabulary],
        corpus_size: usize,
        common_df: usize,
        level: u32,
    ) -> (HashSetU64, WordWeights) {
        // At level 0 the sample is every article.
        let sampled = if level == 0 { corpus_size } else { self.docs + fresh.len() };
        let words: Vec<&[u64]> = fresh.iter().map(|v| v.words.as_slice()).collect();
        let weights = WordWeights::from_sample(self.words.clone(), self.docs, &words, corpus_size, level == 0);
        if corpus_size < common_df {
            return (HashSetU64::default(), weights);
        }
        let threshold = sample_threshold(common_df, sampled, corpus_size) as u32;
        let mut batch: HashMapU64<u32> = HashMapU64::default();
        for v in fresh {
            for &h in &v.shingles {
                *batch.entry(h).or_default() += 1;
            }
        }
        let count = |h: u64| self.shingles.get(&h).copied().unwrap_or(0) + batch.get(&h).copied().unwrap_or(0);
        let common = self.repeated.iter().chain(batch.keys()).copied().filter(|&h| count(h) >= threshold).collect();
        (common, weights)
    }
}

/// What a batch did to the sample: for the in-memory counts to follow.
#[derive(Debug, Clone, Default)]
pub struct SampleChange {
    /// The version before and after.
    pub from: u64,
    pub to: u64,
    pub added: Vec<Vocabulary>,
    pub removed: Vec<Vocabulary>,
}

impl SampleChange {
    /// Brings `counts` (of version `from`) to version `to`.
    pub fn apply_to(&self, counts: &mut SampleCounts) {
        for v in &self.added {
            counts.apply(v, true);
        }
        for v in &self.removed {
            counts.apply(v, false);
        }
        counts.version = self.to;
    }
}

/// Adds articles (number, content hash, vocabulary) to the sample, then
/// raises the level while the sample is over twice [`DF_SAMPLE`], dropping
/// the articles the new level no longer takes. Returns the change.
pub fn add(write: &redb::WriteTransaction, added: &[(u64, u64, Vocabulary)]) -> Result<SampleChange, IndexError> {
    let mut meta = write.open_table(META)?;
    let mut level = level(&meta)?;
    let from = version(&meta)?;
    let mut change = SampleChange { from, to: from + 1, ..SampleChange::default() };
    let mut table = write.open_table(DF_SAMPLES)?;
    for (number, content, vocabulary) in added {
        if sampled(*content, level) {
            table.insert(*number, pack(*content, vocabulary).as_slice())?;
            change.added.push(vocabulary.clone());
        }
    }
    while table.len()? as usize > 2 * DF_SAMPLE {
        level += 1;
        let mut gone = Vec::new();
        for row in table.iter()? {
            let (number, packed) = row?;
            // A row too short to hold its content hash is damaged: it leaves.
            let content = packed.value().get(..8).map(|b| u64::from_le_bytes(b.try_into().expect("8 bytes")));
            if !content.is_some_and(|c| sampled(c, level)) {
                gone.push(number.value());
                change.removed.push(unpack(packed.value()));
            }
        }
        for n in gone {
            table.remove(n)?;
        }
    }
    meta.insert("df_level", level.to_string().as_bytes())?;
    meta.insert("df_version", change.to.to_string().as_bytes())?;
    Ok(change)
}

fn pack(content: u64, v: &Vocabulary) -> Vec<u8> {
    let head = [content, v.shingles.len() as u64];
    head.iter().chain(&v.shingles).chain(&v.words).flat_map(|h| h.to_le_bytes()).collect()
}

fn unpack(bytes: &[u8]) -> Vocabulary {
    let values: Vec<u64> = bytes.chunks_exact(8).map(|c| u64::from_le_bytes(c.try_into().expect("8 bytes"))).collect();
    let shingles = values.get(1).map_or(0, |&n| n as usize).min(values.len().saturating_sub(2));
    let rest = values.get(2..).unwrap_or_default();
    Vocabulary { shingles: rest[..shingles].to_vec(), words: rest[shingles..].to_vec() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_level_takes_about_half_of_the_last() {
        let taken = |level| (0..100_000u64).filter(|&c| sampled(c, level)).count();
        assert_eq!(taken(0), 100_000);
        for level in 1..6 {
            let (now, before) = (taken(level) as f64, taken(level - 1) as f64);
            assert!((now / before - 0.5).abs() < 0.05, "level {level}: {now} of {before}");
            assert!((0..100_000u64).all(|c| !sampled(c, level) || sampled(c, level - 1)), "nested samples");
        }
    }
}
