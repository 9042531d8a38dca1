//! The sentence index: each document's sentence keys in, the document
//! pairs whose sentences collide often enough to be compared for a rewrite
//! out.
//!
//! A key is one band of a sentence's signature over its rare words
//! ([`crate::linking::rewrite::unsorted_document_keys`]). Two documents are a candidate
//! pair when at least [`MIN_SENTENCE_HITS`] distinct sentences of the first
//! share a bucket of at most [`MAX_BUCKET_DOCS`] documents with the second.
//!
//! Keys are scattered into partitions a few thousand documents at a time
//! and those held once are dropped. An entry is one `u64` (`Layout`):
//! the key's bits after those its partition says, then the document and
//! the sentence, so the index holds half what a key, a document and a
//! sentence side by side would. Keys that agree in all the bits kept share
//! a bucket; at the sizes copydesk indexes such a false match of two keys
//! is rare, and it costs at most a hit, never a pair on its own (a pair
//! needs hits from several sentences, and the rewrite check reads the
//! sentences themselves).
//!
//! Most colliding pairs meet in one or two buckets, so a first pass over
//! the buckets counts each pair's hits (`HitCounts`) and only the hits of
//! pairs that can reach the bar are listed and sorted. The count may be too
//! high, never too low, so the pairs are those of the plain method (a
//! property test holds them to a brute-force reference).

use crate::analysis::shingle::fmix64;
use crate::linking::candidates::{sorted_partitions, sorted_partitions_made};
use crate::linking::rewrite::{MAX_BUCKET_DOCS, MIN_SENTENCE_HITS};
use rayon::prelude::*;
use std::sync::atomic::{AtomicU8, Ordering::Relaxed};

/// Document pairs in which at least [`MIN_SENTENCE_HITS`] distinct
/// sentences (of the first document) share a bucket with the second, sorted.
/// Counting sentences rather than buckets matters: one identical sentence
/// collides in every band.
///
/// `keys(d)` gives document `d`'s keys ([`crate::linking::rewrite::document_keys`]),
/// each with the number of its sentence, below `sentences`; they are made
/// a few thousand documents at a time, so all the keys are never held at
/// once beside the index.
pub fn candidate_pairs(
    documents: usize,
    sentences: usize,
    keys: impl Fn(usize) -> Vec<(u64, u32)> + Sync + Send,
) -> Vec<(u32, u32)> {
    let layout = Layout::new(documents, sentences);
    let tagged = |doc: usize| keys(doc).into_iter().map(|(k, s)| (k, doc as u32, s)).collect();
    let by_key = sorted_partitions_made(
        documents,
        tagged,
        |e: &(u64, u32, u32)| e.0,
        |(key, doc, sentence), bits| layout.entry(key, bits, doc, sentence),
        |&e| layout.key(e),
    );
    // Most document pairs meet in one or two buckets and can never reach
    // MIN_SENTENCE_HITS distinct sentences: a first pass counts each pair's
    // hits (by the pair's hash, in a table that may merge pairs but never
    // undercounts one), and only the hits of pairs counted often enough are
    // listed and sorted.
    // The table is sized by the pairs each bucket could give: counting the
    // hits exactly would take a pass as long as counting them in the table.
    let hits_bound: usize = by_key
        .par_iter()
        .map(|entries| layout.buckets(entries).map(|b| b.len() * (b.len() - 1) / 2).sum::<usize>())
        .sum();
    let counts = HitCounts::new(hits_bound);
    by_key.par_iter().for_each(|entries| {
        let mut batch = HitBatch::default();
        layout.bucket_hits(entries, |pair, sa| batch.push(&counts, (pair, sa), |(pair, _)| counts.add(pair)));
        batch.flush(&counts, |(pair, _)| counts.add(pair));
    });
    // Each partition is freed as soon as its hits are listed.
    let hits: Vec<Vec<(u64, u32)>> = by_key
        .into_par_iter()
        .map(|entries| {
            let mut hits = Vec::new();
            let mut batch = HitBatch::default();
            let mut keep = |hit: (u64, u32)| {
                if counts.enough(hit.0) {
                    hits.push(hit);
                }
            };
            layout.bucket_hits(&entries, |pair, sa| batch.push(&counts, (pair, sa), &mut keep));
            batch.flush(&counts, &mut keep);
            hits
        })
        .collect();
    drop(counts);
    let mut kept: Vec<(u32, u32)> = sorted_partitions(hits, |_, e| e, |e| e.0)
        .par_iter()
        .flat_map_iter(|hits| {
            let mut kept = Vec::new();
            for pair in hits.chunk_by(|x, y| x.0 == y.0) {
                let sentences = pair.windows(2).filter(|w| w[0].1 != w[1].1).count() + 1;
                if sentences >= MIN_SENTENCE_HITS {
                    let packed = unfmix64(pair[0].0);
                    kept.push(((packed >> 32) as u32, packed as u32));
                }
            }
            kept
        })
        .collect();
    kept.par_sort_unstable();
    kept
}

/// How an index entry packs into a `u64`, from the top: the key's bits
/// after its partition's, as many as are left, then the document, then
/// the sentence. Entries sort by key, then document, then sentence.
#[derive(Debug, Clone, Copy)]
struct Layout {
    doc_bits: u32,
    sentence_bits: u32,
}

impl Layout {
    /// The fewest key bits an entry keeps: below them, false matches
    /// would be common. Only a document of millions of sentences in a
    /// corpus of millions of documents leaves so few; its sentence numbers
    /// then wrap, and hits of sentences that far apart count as one.
    const MIN_KEY_BITS: u32 = 24;

    fn new(documents: usize, sentences: usize) -> Self {
        let bits = |count: usize| usize::BITS - count.saturating_sub(1).leading_zeros();
        let doc_bits = bits(documents).min(32);
        let sentence_bits = bits(sentences).min(64 - Self::MIN_KEY_BITS - doc_bits);
        Layout { doc_bits, sentence_bits }
    }

    fn entry(&self, key: u64, partition_bits: u32, doc: u32, sentence: u32) -> u64 {
        let low = self.doc_bits + self.sentence_bits;
        let key = (key << partition_bits) >> low << low;
        let sentence = u64::from(sentence) & ((1 << self.sentence_bits) - 1);
        key | u64::from(doc) << self.sentence_bits | sentence
    }

    /// The key's bits an entry keeps (a uniform hash).
    fn key(&self, entry: u64) -> u64 {
        entry >> (self.doc_bits + self.sentence_bits)
    }

    fn doc(&self, entry: u64) -> u32 {
        ((entry >> self.sentence_bits) & ((1 << self.doc_bits) - 1)) as u32
    }

    fn sentence(&self, entry: u64) -> u32 {
        (entry & ((1 << self.sentence_bits) - 1)) as u32
    }

    /// The buckets of one sorted partition of the sentence index that can
    /// give hits: entries sharing a key, held by 2 to [`MAX_BUCKET_DOCS`]
    /// documents.
    fn buckets<'a>(&self, entries: &'a [u64]) -> impl Iterator<Item = &'a [u64]> + use<'a> {
        let layout = *self;
        entries.chunk_by(move |&x, &y| layout.key(x) == layout.key(y)).filter(move |group| {
            let docs = group.windows(2).filter(|w| layout.doc(w[0]) != layout.doc(w[1])).count() + 1;
            (2..=MAX_BUCKET_DOCS).contains(&docs)
        })
    }

    /// Calls `hit(pair, sa)` for every hit in one sorted partition of the
    /// sentence index: a sentence `sa` of document `da` sharing a bucket
    /// with `db`, the pair keyed by its hash (fmix64 is a bijection, so no
    /// two pairs share one, and partitioning the hits again brings each
    /// pair's together).
    fn bucket_hits(&self, entries: &[u64], mut hit: impl FnMut(u64, u32)) {
        let pack = |da: u32, db: u32| fmix64((da as u64) << 32 | db as u64);
        for group in self.buckets(entries) {
            for (x, &a) in group.iter().enumerate() {
                let (da, sa) = (self.doc(a), self.sentence(a));
                for &b in &group[x + 1..] {
                    let db = self.doc(b);
                    if da != db {
                        hit(pack(da, db), sa);
                    }
                }
            }
        }
    }
}

/// Hits per document pair, by the pair's hash, counted up to
/// [`MIN_SENTENCE_HITS`] in two bits, four slots to a byte: pairs sharing
/// a slot add up, so a count is never below the true one, and a pair under
/// the bar has too few hits to have that many distinct sentences.
struct HitCounts(Vec<AtomicU8>);

const _: () = assert!(MIN_SENTENCE_HITS <= 3, "a hit count must fit in two bits");

impl HitCounts {
    /// About two slots per hit.
    fn new(hits: usize) -> Self {
        let slots = (hits * 2).next_power_of_two().max(64);
        HitCounts((0..slots / 4).map(|_| AtomicU8::new(0)).collect())
    }

    /// The byte holding a pair's count, and the count's place in it.
    fn slot(&self, pair: u64) -> (&AtomicU8, u32) {
        let slot = pair as usize & (self.0.len() * 4 - 1);
        (&self.0[slot / 4], (slot % 4) as u32 * 2)
    }

    /// Counts one hit, up to the bar (threads race on a byte, so a count
    /// is raised only where it is still below).
    fn add(&self, pair: u64) {
        let (byte, shift) = self.slot(pair);
        let below = |b: u8| usize::from((b >> shift) & 3) < MIN_SENTENCE_HITS;
        let _ = byte.fetch_update(Relaxed, Relaxed, |b| below(b).then(|| b + (1 << shift)));
    }

    /// Loads the slots of `pairs`, so that the cache misses of a batch
    /// overlap instead of coming one after another.
    fn touch(&self, pairs: impl Iterator<Item = u64>) {
        let loaded = pairs.fold(0u8, |sum, pair| sum.wrapping_add(self.slot(pair).0.load(Relaxed)));
        std::hint::black_box(loaded);
    }

    fn enough(&self, pair: u64) -> bool {
        let (byte, shift) = self.slot(pair);
        usize::from((byte.load(Relaxed) >> shift) & 3) >= MIN_SENTENCE_HITS
    }
}

/// Hits gathered a few dozen at a time before their counts are read or
/// raised. The count table is far larger than the cache, so each hit's
/// slot is a cache miss; a compare-and-swap waits for its miss before the
/// next begins, while the plain loads of [`HitCounts::touch`] overlap.
#[derive(Default)]
struct HitBatch(Vec<(u64, u32)>);

impl HitBatch {
    const LEN: usize = 64;

    fn push(&mut self, counts: &HitCounts, hit: (u64, u32), each: impl FnMut((u64, u32))) {
        self.0.push(hit);
        if self.0.len() == Self::LEN {
            self.flush(counts, each);
        }
    }

    /// Hands every gathered hit to `each`, their slots loaded first.
    fn flush(&mut self, counts: &HitCounts, each: impl FnMut((u64, u32))) {
        counts.touch(self.0.iter().map(|h| h.0));
        self.0.drain(..).for_each(each);
    }
}

/// The inverse of [`fmix64`].
fn unfmix64(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0x9cb4_b2f8_1293_37db);
    h ^= h >> 33;
    h = h.wrapping_mul(0x4f74_430c_22a5_4005);
    h ^ (h >> 33)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unfmix_inverts_fmix() {
        for x in [0u64, 1, 42, u64::MAX, 0x1234_5678_9abc_def0] {
            assert_eq!(unfmix64(fmix64(x)), x);
        }
    }

    #[test]
    fn entries_keep_document_sentence_and_the_key_after_its_partition() {
        let key = fmix64(7);
        for (documents, sentences, bits) in [(2, 1, 0), (100_000, 300, 12), (1 << 32, 1 << 40, 16)] {
            let layout = Layout::new(documents, sentences);
            assert!(64 - layout.doc_bits - layout.sentence_bits >= Layout::MIN_KEY_BITS);
            let (doc, sentence) = ((documents - 1) as u32, (sentences - 1).min(200) as u32);
            let e = layout.entry(key, bits, doc, sentence);
            assert_eq!((layout.doc(e), layout.sentence(e)), (doc, sentence));
            // The key's bits after the partition's lead the entry.
            let kept = 64 - layout.doc_bits - layout.sentence_bits;
            assert_eq!(layout.key(e), (key << bits) >> (64 - kept));
            // Entries sort by key, then document, then sentence.
            if doc > 0 {
                assert!(layout.entry(key, bits, doc - 1, sentence) < e);
            }
        }
    }

    /// The pairs the index finds, by brute force: every two documents with
    /// at least MIN_SENTENCE_HITS distinct sentences of the first sharing a
    /// bucket of at most MAX_BUCKET_DOCS documents with the second.
    fn candidate_pairs_reference(keys: &[Vec<(u64, u32)>]) -> Vec<(u32, u32)> {
        let mut holders: std::collections::BTreeMap<u64, std::collections::BTreeSet<u32>> = Default::default();
        for (d, list) in keys.iter().enumerate() {
            for &(k, _) in list {
                holders.entry(k).or_default().insert(d as u32);
            }
        }
        let mut sentences: std::collections::BTreeMap<(u32, u32), std::collections::BTreeSet<u32>> = Default::default();
        for (da, list) in keys.iter().enumerate() {
            for &(k, sa) in list {
                let docs = &holders[&k];
                if docs.len() > MAX_BUCKET_DOCS {
                    continue;
                }
                for &db in docs.range(da as u32 + 1..) {
                    sentences.entry((da as u32, db)).or_default().insert(sa);
                }
            }
        }
        sentences.into_iter().filter(|(_, s)| s.len() >= MIN_SENTENCE_HITS).map(|(p, _)| p).collect()
    }

    proptest::proptest! {
        /// Few distinct keys, so buckets are shared often, some past the cap.
        #[test]
        fn index_finds_the_reference_pairs(
            keys in proptest::collection::vec(proptest::collection::vec((0u64..40, 0u32..6), 0..30), 0..90)
        ) {
            let keys: Vec<Vec<(u64, u32)>> = keys
                .into_iter()
                .map(|mut list| {
                    list.iter_mut().for_each(|(k, _)| *k = fmix64(*k + 1));
                    list.sort_unstable();
                    list.dedup();
                    list
                })
                .collect();
            let found = candidate_pairs(keys.len(), 6, |d| keys[d].clone());
            proptest::prop_assert_eq!(found, candidate_pairs_reference(&keys));
        }
    }
}
