//! Common shingles: the distinct shingles of a sample of the corpus in,
//! the shingles held by at least the common-shingle count of documents out
//! (boilerplate, widgets, stock phrases: never evidence of a copy), less
//! those one story holds: a wire story carried by a tenth of a corpus is
//! that story's text, not page furniture, and masking it would hide the
//! very copies it is made of.

use crate::analysis::shingle::HashSetU64;
use std::collections::HashMap;

/// Documents counted exactly for document frequency; larger corpora are
/// sampled evenly down to this many.
pub const DF_SAMPLE: usize = 2048;

/// Every how many documents one is sampled for document frequency, or
/// `None` when the corpus is smaller than `common_df` (no shingle can be
/// common then).
pub fn df_sample_stride(n: usize, common_df: usize) -> Option<usize> {
    (n >= common_df).then(|| n.div_ceil(DF_SAMPLE).max(1))
}

/// The shingles that at least `common_df` of the corpus's `n` documents
/// hold, from the distinct shingles of every `stride`-th document
/// (`sample`, empty for the others).
///
/// Counted exactly without sorting the sample: a first pass counts every
/// shingle into a bucket of its top bits, and a bucket's count bounds the
/// count of each shingle in it, so only shingles in buckets that reach the
/// threshold (the common ones, and the few sharing their buckets) are
/// sorted and counted one by one. Up to [`DF_SAMPLE`] documents the count
/// is exact; above, the threshold is scaled to the sample, which is ample
/// for "a large share of the corpus" and keeps this stage O(sample).
pub fn common_shingles(sample: &[Vec<u64>], n: usize, stride: usize, common_df: usize) -> HashSetU64 {
    let sampled = n.div_ceil(stride);
    common_in_sample(sample, sample_threshold(common_df, sampled, n))
}

/// The count in a sample of `sampled` of `n` documents that stands for
/// `common_df` documents of the whole (exact when all are sampled).
pub fn sample_threshold(common_df: usize, sampled: usize, n: usize) -> usize {
    if sampled >= n {
        common_df
    } else {
        ((common_df as f64 * sampled as f64 / n.max(1) as f64).ceil() as usize).max(2)
    }
}

/// The shingles at least `threshold` of the `sample`'s documents hold (each
/// document's shingles distinct).
pub fn common_in_sample(sample: &[Vec<u64>], threshold: usize) -> HashSetU64 {
    const BUCKET_BITS: u32 = 16;
    let bucket = |h: u64| (h >> (64 - BUCKET_BITS)) as usize;
    let mut counts = vec![0u32; 1 << BUCKET_BITS];
    for &h in sample.iter().flatten() {
        counts[bucket(h)] += 1;
    }
    let mut candidates: Vec<u64> =
        sample.iter().flatten().copied().filter(|&h| counts[bucket(h)] as usize >= threshold).collect();
    candidates.sort_unstable();
    // A run of equal hashes is as long as the number of documents holding it.
    candidates.chunk_by(|x, y| x == y).filter(|run| run.len() >= threshold).map(|run| run[0]).collect()
}

/// Share of a common shingle's sampled holders that one group of likely
/// copies may hold before the shingle is taken for that story's text.
pub const ONE_STORY_SHARE: f64 = 0.5;

/// The sampled documents holding each common shingle (`sample` indexed by
/// document, empty for those not sampled).
pub fn holders(sample: &[Vec<u64>], common: &HashSetU64) -> HashMap<u64, Vec<u32>> {
    let mut out: HashMap<u64, Vec<u32>> = HashMap::new();
    if common.is_empty() {
        return out;
    }
    for (d, set) in sample.iter().enumerate() {
        for h in set.iter().filter(|h| common.contains(h)) {
            out.entry(*h).or_default().push(d as u32);
        }
    }
    out
}

/// Takes out of `common` the shingles one story holds: at least
/// [`ONE_STORY_SHARE`] of their sampled holders fall in one group of
/// documents that candidate pairs join (copies of one another; `groups`
/// names each document's group). Boilerplate is held across many stories,
/// so it stays common.
pub fn drop_story_shingles(common: &mut HashSetU64, holders: &HashMap<u64, Vec<u32>>, groups: &[u32]) {
    for (h, docs) in holders {
        let mut sizes: HashMap<u32, usize> = HashMap::new();
        for &d in docs {
            *sizes.entry(groups[d as usize]).or_default() += 1;
        }
        let largest = sizes.values().copied().max().unwrap_or(0);
        if largest as f64 >= ONE_STORY_SHARE * docs.len() as f64 {
            common.remove(h);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::shingle::fmix64;

    /// Document frequency counted the plain way: a map from shingle to the
    /// number of sampled documents holding it.
    fn common_reference(sample: &[Vec<u64>], threshold: usize) -> Vec<u64> {
        let mut df: std::collections::HashMap<u64, usize> = std::collections::HashMap::new();
        for set in sample {
            for &h in set {
                *df.entry(h).or_default() += 1;
            }
        }
        let mut common: Vec<u64> = df.into_iter().filter(|&(_, c)| c >= threshold).map(|(h, _)| h).collect();
        common.sort_unstable();
        common
    }

    #[test]
    fn common_shingles_match_a_plain_count() {
        // 300 documents of 400 shingles: each holds a few of 50 popular
        // shingles (held by about 6 to 300 documents) among its own; some
        // popular ones share their top 16 bits with a rare one.
        let sample: Vec<Vec<u64>> = (0..300u64)
            .map(|d| {
                let popular = (0..50u64).filter(|p| fmix64(d * 131 + p) % 50 < p + 1).map(|p| fmix64(p) | 1);
                let neighbours = (0..50u64).filter(|p| d % 7 == p % 7).map(|p| fmix64(p) & !1);
                let own = (0..400u64).map(|i| fmix64(1_000_000 + d * 1000 + i));
                popular.chain(neighbours).chain(own).collect()
            })
            .collect();
        for common_df in [20, 60, 150, 299] {
            let mut got: Vec<u64> = common_shingles(&sample, 300, 1, common_df).into_iter().collect();
            got.sort_unstable();
            let expected = common_reference(&sample, common_df);
            assert!(!expected.is_empty() && expected.len() < 100, "{common_df}: {}", expected.len());
            assert_eq!(got, expected, "{common_df}");
        }
    }

    #[test]
    fn a_story_on_many_pages_is_not_boilerplate() {
        // Shingle 1 is on documents 0..6, all copies of one another (LSH
        // joins them); shingle 2 is on 0, 7, 8, 9, each another story.
        let mut sample = vec![Vec::new(); 10];
        for set in &mut sample[..6] {
            set.push(1);
        }
        for d in [0, 7, 8, 9] {
            sample[d].push(2);
        }
        let mut common: HashSetU64 = [1u64, 2].into_iter().collect();
        let holders = holders(&sample, &common);
        let groups: Vec<u32> = (0..10).map(|d| if d < 6 { 0 } else { d }).collect();
        drop_story_shingles(&mut common, &holders, &groups);
        assert!(!common.contains(&1), "the story's shingle is its text");
        assert!(common.contains(&2), "furniture across stories stays common");
    }
}
