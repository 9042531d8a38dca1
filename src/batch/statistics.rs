//! Corpus statistics as values that add up: the sketches of a corpus's
//! documents in, batch by batch, and the counts `scan` takes over its
//! whole corpus out, whichever way the corpus was split.
//!
//! A [`CorpusStatistics`] counts documents, the documents holding each
//! content word (over every document), and the sampled documents holding
//! each shingle (over the documents the caller samples: `scan` samples
//! every `stride`-th document, [`crate::corpus::common::df_sample_stride`]).
//! Two partial counts [`merge`](CorpusStatistics::merge) into the count of
//! both batches, in any order and grouping, and [`encode`] to bytes an
//! engine can ship. [`Broadcast`] is what every worker then needs: the
//! common shingles and the word weights.
//!
//! [`encode`]: CorpusStatistics::encode

use crate::analysis::shingle::{HashMapU64, HashSetU64};
use crate::config::ScanConfig;
use crate::corpus::common::{drop_story_shingles, holders, sample_threshold};
use crate::linking::rewrite::{rare_df, WordWeights};
use thiserror::Error;

/// Counts over a part of a corpus (or all of it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CorpusStatistics {
    /// Documents counted.
    pub documents: u64,
    /// Documents whose shingles were counted.
    pub sampled: u64,
    shingles: HashMapU64<u32>,
    words: HashMapU64<u32>,
}

/// Bytes that are not encoded statistics.
#[derive(Debug, Error, PartialEq, Eq)]
#[error("not copydesk corpus statistics: {0}")]
pub struct StatisticsError(&'static str);

const MAGIC: &[u8; 8] = b"CDSTATS1";

impl CorpusStatistics {
    /// Counts one document: its distinct content `words`, and its distinct
    /// `shingles` when it is sampled (`None` when not).
    pub fn add(&mut self, words: &[u64], shingles: Option<&[u64]>) {
        self.documents += 1;
        for &w in words {
            *self.words.entry(w).or_default() += 1;
        }
        if let Some(shingles) = shingles {
            self.sampled += 1;
            for &h in shingles {
                *self.shingles.entry(h).or_default() += 1;
            }
        }
    }

    /// Adds the counts of another part of the corpus.
    pub fn merge(&mut self, other: &CorpusStatistics) {
        self.documents += other.documents;
        self.sampled += other.sampled;
        for (&h, &n) in &other.shingles {
            *self.shingles.entry(h).or_default() += n;
        }
        for (&w, &n) in &other.words {
            *self.words.entry(w).or_default() += n;
        }
    }

    /// The statistics as bytes: the same counts give the same bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(32 + 12 * (self.shingles.len() + self.words.len()));
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&self.documents.to_le_bytes());
        out.extend_from_slice(&self.sampled.to_le_bytes());
        for counts in [&self.shingles, &self.words] {
            let mut sorted: Vec<(u64, u32)> = counts.iter().map(|(&k, &n)| (k, n)).collect();
            sorted.sort_unstable();
            out.extend_from_slice(&(sorted.len() as u64).to_le_bytes());
            for (k, n) in sorted {
                out.extend_from_slice(&k.to_le_bytes());
                out.extend_from_slice(&n.to_le_bytes());
            }
        }
        out
    }

    /// Statistics from [`CorpusStatistics::encode`]'s bytes.
    pub fn decode(bytes: &[u8]) -> Result<CorpusStatistics, StatisticsError> {
        let mut rest = bytes.strip_prefix(MAGIC.as_slice()).ok_or(StatisticsError("wrong header"))?;
        let mut take = |n: usize| -> Result<&[u8], StatisticsError> {
            if rest.len() < n {
                return Err(StatisticsError("truncated"));
            }
            let (head, tail) = rest.split_at(n);
            rest = tail;
            Ok(head)
        };
        let u64_of = |b: &[u8]| u64::from_le_bytes(b.try_into().expect("8 bytes"));
        let mut out =
            CorpusStatistics { documents: u64_of(take(8)?), sampled: u64_of(take(8)?), ..CorpusStatistics::default() };
        for which in 0..2 {
            let len = u64_of(take(8)?) as usize;
            let body = take(len.checked_mul(12).ok_or(StatisticsError("truncated"))?)?;
            let counts: HashMapU64<u32> = body
                .chunks_exact(12)
                .map(|e| (u64_of(&e[..8]), u32::from_le_bytes(e[8..].try_into().expect("4 bytes"))))
                .collect();
            if which == 0 {
                out.shingles = counts;
            } else {
                out.words = counts;
            }
        }
        if !rest.is_empty() {
            return Err(StatisticsError("trailing bytes"));
        }
        Ok(out)
    }

    /// The shingles common enough to be furniture, under `config`.
    pub fn common(&self, config: &ScanConfig) -> HashSetU64 {
        let n = self.documents as usize;
        let common_df = config.common_df(n);
        if n < common_df {
            return HashSetU64::default();
        }
        let threshold = sample_threshold(common_df, self.sampled as usize, n) as u32;
        self.shingles.iter().filter(|&(_, &c)| c >= threshold).map(|(&h, _)| h).collect()
    }

    /// Takes out of the common shingles those one story holds, as `scan`
    /// does ([`drop_story_shingles`]): `sampled` lists each sampled
    /// document's group of likely copies (any label its LSH component is
    /// known by) and distinct shingles. Call it once, on the statistics of
    /// the whole corpus; returns how many shingles it took out.
    pub fn exempt_story_shingles(&mut self, config: &ScanConfig, sampled: &[(u64, Vec<u64>)]) -> usize {
        let common = self.common(config);
        let mut labels: HashMapU64<u32> = HashMapU64::default();
        let groups: Vec<u32> = sampled
            .iter()
            .map(|(g, _)| {
                let next = labels.len() as u32;
                *labels.entry(*g).or_insert(next)
            })
            .collect();
        let shingles: Vec<Vec<u64>> = sampled.iter().map(|(_, s)| s.clone()).collect();
        let mut kept = common.clone();
        drop_story_shingles(&mut kept, &holders(&shingles, &common), &groups);
        let exempt: Vec<u64> = common.into_iter().filter(|h| !kept.contains(h)).collect();
        for h in &exempt {
            self.shingles.remove(h);
        }
        exempt.len()
    }

    /// What every worker needs of these statistics, under `config`.
    pub fn broadcast(&self, config: &ScanConfig) -> Broadcast {
        let n = self.documents as usize;
        let common = self.common(config);
        let mut words: Vec<(u64, u32)> = self.words.iter().map(|(&w, &c)| (w, c)).collect();
        words.sort_unstable();
        Broadcast { common, weights: WordWeights::from_parts(&words, rare_df(n)) }
    }
}

/// The corpus-wide values verification needs on every worker.
#[derive(Debug, Clone, Default)]
pub struct Broadcast {
    /// Shingles common enough to be furniture: never evidence of a copy.
    pub common: HashSetU64,
    /// Which content words are rare (a story's particulars).
    pub weights: WordWeights,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counted(docs: &[(&[u64], Option<&[u64]>)]) -> CorpusStatistics {
        let mut s = CorpusStatistics::default();
        for (words, shingles) in docs {
            s.add(words, *shingles);
        }
        s
    }

    #[test]
    fn parts_merge_into_the_whole_and_survive_encoding() {
        let docs: Vec<(&[u64], Option<&[u64]>)> =
            vec![(&[1, 2], Some(&[10, 11])), (&[2, 3], None), (&[3], Some(&[11, 12])), (&[1], Some(&[10]))];
        let whole = counted(&docs);
        let mut left = counted(&docs[..1]);
        let right = counted(&docs[1..]);
        left.merge(&right);
        assert_eq!(left, whole);
        assert_eq!(CorpusStatistics::decode(&whole.encode()).unwrap(), whole);
        assert_eq!(whole.encode(), left.encode());
        assert_eq!((whole.documents, whole.sampled), (4, 3));
    }

    #[test]
    fn bad_bytes_are_an_error() {
        let bytes = counted(&[(&[1], Some(&[2]))]).encode();
        assert!(CorpusStatistics::decode(&bytes[..bytes.len() - 1]).is_err());
        assert!(CorpusStatistics::decode(b"nonsense").is_err());
        let mut huge = MAGIC.to_vec();
        huge.extend_from_slice(&[0; 16]);
        huge.extend_from_slice(&u64::MAX.to_le_bytes());
        assert!(CorpusStatistics::decode(&huge).is_err());
    }
}
