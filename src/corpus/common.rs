//! Common shingles: the distinct shingles of a sample of the corpus in,
//! the shingles held by at least the common-shingle count of documents out
//! (boilerplate, widgets, stock phrases: never evidence of a copy).

use crate::analysis::shingle::HashSetU64;

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
    const BUCKET_BITS: u32 = 16;
    let sampled = n.div_ceil(stride);
    let threshold =
        if stride == 1 { common_df } else { ((common_df as f64 * sampled as f64 / n as f64).ceil() as usize).max(2) };
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
