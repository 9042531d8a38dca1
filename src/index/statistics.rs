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

use super::store::{IndexError, DF_SAMPLES, META};
use crate::analysis::shingle::{fmix64, HashSetU64};
use crate::analysis::Vocabulary;
use crate::linking::rewrite::WordWeights;
use crate::corpus::common::{common_in_sample, sample_threshold, DF_SAMPLE};
use redb::{ReadableTable, ReadableTableMetadata};

/// The sample's level, as `read` sees it.
pub fn level(meta: &impl ReadableTable<&'static str, &'static [u8]>) -> Result<u32, IndexError> {
    let value = meta.get("df_level")?.map(|v| String::from_utf8_lossy(v.value()).into_owned());
    Ok(value.and_then(|v| v.parse().ok()).unwrap_or(0))
}

/// Whether the article of content hash `content` is in the sample at
/// `level`.
pub fn sampled(content: u64, level: u32) -> bool {
    level == 0 || fmix64(content ^ 0x5a3b_1e2f_77c4_d901) >> (64 - level) == 0
}

/// The sampled archive's vocabularies.
pub fn read_sample(read: &redb::ReadTransaction) -> Result<Vec<Vocabulary>, IndexError> {
    let table = read.open_table(DF_SAMPLES)?;
    let mut out = Vec::with_capacity(table.len()? as usize);
    for row in table.iter()? {
        let (_, packed) = row?;
        out.push(unpack(packed.value()));
    }
    Ok(out)
}

/// The vocabulary of article `number`, if it is in the sample.
pub fn read_one(read: &redb::ReadTransaction, number: u64) -> Result<Option<Vocabulary>, IndexError> {
    let table = read.open_table(DF_SAMPLES)?;
    let row = table.get(number)?;
    Ok(row.map(|v| unpack(v.value())))
}

/// The common shingles and word weights of a corpus of `corpus_size`
/// articles whose sample is `sample` (the archive's and the batch's) at
/// the sample's `level`.
pub fn statistics(sample: &[&Vocabulary], corpus_size: usize, common_df: usize, level: u32) -> (HashSetU64, WordWeights) {
    // At level 0 the sample is every article (exact copies of archived
    // ones aside, which the index does not analyse).
    let sampled = if level == 0 { corpus_size } else { sample.len() };
    let common = if corpus_size < common_df {
        HashSetU64::default()
    } else {
        let shingles: Vec<Vec<u64>> = sample.iter().map(|v| v.shingles.clone()).collect();
        common_in_sample(&shingles, sample_threshold(common_df, sampled, corpus_size))
    };
    let words: Vec<&[u64]> = sample.iter().map(|v| v.words.as_slice()).collect();
    (common, WordWeights::from_sample(&words, corpus_size, level == 0))
}

/// Adds articles (number, content hash, vocabulary) to the sample, then raises the level while the sample is over twice
/// [`DF_SAMPLE`], dropping the articles the new level no longer takes.
pub fn add(
    write: &redb::WriteTransaction,
    added: &[(u64, u64, Vocabulary)],
) -> Result<(), IndexError> {
    let mut meta = write.open_table(META)?;
    let mut level = level(&meta)?;
    let mut table = write.open_table(DF_SAMPLES)?;
    for (number, content, vocabulary) in added {
        if sampled(*content, level) {
            table.insert(*number, pack(*content, vocabulary).as_slice())?;
        }
    }
    while table.len()? as usize > 2 * DF_SAMPLE {
        level += 1;
        let mut gone = Vec::new();
        for row in table.iter()? {
            let (number, packed) = row?;
            let content = u64::from_le_bytes(packed.value()[..8].try_into().expect("8 bytes"));
            if !sampled(content, level) {
                gone.push(number.value());
            }
        }
        for n in gone {
            table.remove(n)?;
        }
    }
    meta.insert("df_level", level.to_string().as_bytes())?;
    Ok(())
}

/// A stored row: the content hash, the number of shingles (u64), the
/// shingles, then the words.
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
