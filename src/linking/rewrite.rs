//! Rewrites: documents' content sentences in, order-coherent aligned
//! sentence pairs out.
//!
//! A heavy rewrite keeps the facts and their order but changes nearly every
//! word, so no word 5-shingle survives. Three pieces find it anyway, without
//! mistaking two reports of the same event for a rewrite:
//!
//! * **Rare words from the corpus.** A content word held by at most
//!   `max(3, 5% of documents)` documents is rare: the names, numbers and
//!   particulars of one story, not the topic words every article about the
//!   event uses ("summit", "president").
//! * **A passage-level index.** Each sentence's rare content words get a
//!   32-lane MinHash signature, banded for a Jaccard of about 0.3. Documents whose sentences
//!   share at least [`MIN_SENTENCE_HITS`] buckets become candidates, so this
//!   scales like the document index rather than comparing every pair.
//! * **Order-coherent alignment.** For a candidate pair every sentence of one
//!   is compared with every sentence of the other on content-word Jaccard;
//!   pairs at or above [`MIN_SIMILARITY`] sharing at least
//!   [`MIN_SHARED_WORDS`] words, [`MIN_RARE_SHARED`] of them rare, match, and the heaviest chain of matches increasing in both
//!   documents is the alignment. A rewrite needs [`MIN_ALIGNED`] sentence
//!   pairs in order covering at least [`MIN_COVERAGE`] of the shorter
//!   document's sentences.

use crate::analysis::content::{ContentSentences, SentenceWords};
use crate::analysis::shingle::HashMapU64;
use crate::analysis::signature::sign_kept_into;
use crate::linking::candidates::{lane_band_keys, BandParams};
use rayon::prelude::*;

/// Lanes of a sentence signature.
pub const SENTENCE_HASHES: usize = 32;
/// Sentence Jaccard the sentence index is tuned for.
pub const SENTENCE_THRESHOLD: f64 = 0.3;
/// Distinct sentences that must collide for two documents to be compared.
pub const MIN_SENTENCE_HITS: usize = 3;
/// Content-word Jaccard at which two sentences match.
pub const MIN_SIMILARITY: f64 = 0.3;
/// Content words two matching sentences must share...
pub const MIN_SHARED_WORDS: usize = 4;
/// ...of which this many rare ones: the names, numbers and particulars of
/// one story rather than the vocabulary of its topic.
pub const MIN_RARE_SHARED: usize = 2;
/// Aligned sentence pairs, in order, that make a rewrite.
pub const MIN_ALIGNED: usize = 4;
/// Share of the shorter document's sentences the alignment must cover.
pub const MIN_COVERAGE: f64 = 0.25;

/// Two sentences aligned: indexes into each document's content sentences.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SentencePair {
    pub a: usize,
    pub b: usize,
    pub similarity: f64,
    pub shared: usize,
}

/// The most documents of a corpus of `docs` a rare word is in: 5%, and
/// never fewer than 3.
pub fn rare_df(docs: usize) -> u32 {
    ((docs as f64 * 0.05).ceil() as u32).max(3)
}

/// How many documents use each content word, learned from the corpus.
#[derive(Debug, Clone, Default)]
pub struct WordWeights {
    df: HashMapU64<u32>,
    /// Counts of a larger corpus the `df` counts add to (an index's
    /// sample), shared rather than copied.
    base: Option<std::sync::Arc<HashMapU64<u32>>>,
    rare_df: u32,
    /// The words used by more than `rare_df` documents: far fewer than the
    /// rare ones, so "is it rare" is asked of a small table that stays in
    /// cache rather than of the counts of every word.
    common: CommonWords,
}

/// A set of words asked, for every content word of every sentence, whether
/// it holds the word: open addressing in a table at most a quarter full,
/// so a rare word is usually answered by the one empty slot it lands on,
/// with no hashing (words are hashes) and no group of tags to match, as a
/// general hash set does. It also gives each word its rank among the set's
/// words in order, the index sentences hold it by
/// ([`ContentSentences::index_words`]).
#[derive(Debug, Clone)]
struct CommonWords {
    /// A word at its slot or after it, up to an empty slot (0).
    slots: Vec<u64>,
    /// The rank of the word at each slot.
    ranks: Vec<u32>,
    /// The rank of the word 0, which marks an empty slot, if the set holds it.
    zero: Option<u32>,
}

impl CommonWords {
    fn new(words: impl Iterator<Item = u64>) -> Self {
        let mut words: Vec<u64> = words.collect();
        words.sort_unstable();
        words.dedup();
        let len = (words.len() * 4).next_power_of_two().max(16);
        let mut set = CommonWords { slots: vec![0; len], ranks: vec![0; len], zero: None };
        for (rank, word) in words.into_iter().enumerate() {
            set.insert(word, rank as u32);
        }
        set
    }

    fn insert(&mut self, word: u64, rank: u32) {
        if word == 0 {
            self.zero = Some(rank);
            return;
        }
        let mask = self.slots.len() - 1;
        let mut at = word as usize & mask;
        while self.slots[at] != 0 {
            at = (at + 1) & mask;
        }
        (self.slots[at], self.ranks[at]) = (word, rank);
    }

    /// The slot holding `word`, not 0.
    fn slot(&self, word: u64) -> Option<usize> {
        let mask = self.slots.len() - 1;
        let mut at = word as usize & mask;
        loop {
            match self.slots[at] {
                0 => return None,
                held if held == word => return Some(at),
                _ => at = (at + 1) & mask,
            }
        }
    }

    fn contains(&self, word: u64) -> bool {
        match word {
            0 => self.zero.is_some(),
            _ => self.slot(word).is_some(),
        }
    }

    fn rank(&self, word: u64) -> Option<u32> {
        match word {
            0 => self.zero,
            _ => self.slot(word).map(|at| self.ranks[at]),
        }
    }
}

impl Default for CommonWords {
    fn default() -> Self {
        CommonWords::new(std::iter::empty())
    }
}

impl WordWeights {
    /// Counts, for every content word, the documents that use it.
    pub fn new(documents: &[&ContentSentences]) -> Self {
        // Each word's count, with the last document that counted it: a
        // document counts a word once without sorting its words first.
        type Counts = HashMapU64<(u32, u32)>;
        let df = documents
            .par_iter()
            .enumerate()
            .fold(Counts::default, |mut acc, (d, sentences)| {
                for &w in sentences.all_words() {
                    let (count, last) = acc.entry(w).or_insert((0, u32::MAX));
                    if *last != d as u32 {
                        (*count, *last) = (*count + 1, d as u32);
                    }
                }
                acc
            })
            .map(|acc| acc.into_iter().map(|(w, (count, _))| (w, count)).collect::<HashMapU64<u32>>())
            .reduce(HashMapU64::default, |x, y| {
                let (mut x, y) = if x.len() >= y.len() { (x, y) } else { (y, x) };
                for (w, c) in y {
                    *x.entry(w).or_default() += c;
                }
                x
            });
        WordWeights::counted(df, None, rare_df(documents.len()))
    }

    /// Weights from a sample of a corpus of `corpus_size` documents: the
    /// counts `base` (of `base_docs` sampled documents) plus the distinct
    /// content words of each of `more` sampled documents; every document
    /// is sampled when `whole`. A word is rare when its count in the sample
    /// is at most the rare count scaled to the sample.
    pub fn from_sample(
        base: std::sync::Arc<HashMapU64<u32>>,
        base_docs: usize,
        more: &[&[u64]],
        corpus_size: usize,
        whole: bool,
    ) -> Self {
        let mut df: HashMapU64<u32> = HashMapU64::default();
        for words in more {
            for &w in *words {
                *df.entry(w).or_default() += 1;
            }
        }
        let sampled = base_docs + more.len();
        let rare = f64::from(rare_df(corpus_size));
        let scaled = if whole { rare } else { rare * sampled as f64 / corpus_size.max(1) as f64 };
        WordWeights::counted(df, Some(base), scaled.ceil() as u32)
    }

    /// The counts (sorted by word, a base's added in) and the rare count,
    /// for storing.
    pub fn to_parts(&self) -> (Vec<(u64, u32)>, u32) {
        let mut counts: HashMapU64<u32> = self.base.as_deref().cloned().unwrap_or_default();
        for (&w, &c) in &self.df {
            *counts.entry(w).or_default() += c;
        }
        let mut counts: Vec<(u64, u32)> = counts.into_iter().collect();
        counts.sort_unstable();
        (counts, self.rare_df)
    }

    /// Weights as [`WordWeights::to_parts`] gave them.
    pub fn from_parts(counts: &[(u64, u32)], rare_df: u32) -> Self {
        WordWeights::counted(counts.iter().copied().collect(), None, rare_df)
    }

    /// The weights of these counts, with their common words found.
    fn counted(df: HashMapU64<u32>, base: Option<std::sync::Arc<HashMapU64<u32>>>, rare_df: u32) -> Self {
        let mut weights = WordWeights { df, base, rare_df, common: CommonWords::default() };
        let words = weights.df.keys().chain(weights.base.iter().flat_map(|b| b.keys()));
        weights.common = CommonWords::new(words.copied().filter(|&w| weights.df(w) > rare_df));
        weights
    }

    fn df(&self, word: u64) -> u32 {
        let base = self.base.as_ref().and_then(|b| b.get(&word)).copied().unwrap_or(0);
        match self.df.get(&word).copied().unwrap_or(0) + base {
            0 => 1,
            n => n,
        }
    }

    /// Whether few enough documents use `word` for it to point at one story.
    pub fn is_rare(&self, word: u64) -> bool {
        // A word no document was counted with has a count of 1.
        self.rare_df > 0 && !self.common.contains(word)
    }

    /// The index sentences hold a common word by
    /// ([`ContentSentences::index_words`]): its rank among the common words
    /// in order, when that fits 16 bits. Rare words have none, so a
    /// sentence's rare words are all among those it holds by hash.
    pub fn word_index(&self, word: u64) -> Option<u16> {
        self.common.rank(word).and_then(|rank| u16::try_from(rank).ok())
    }

    /// Holds the common words of `sentences` by their [`WordWeights::word_index`].
    /// Sentences so indexed are read with these weights only: a word
    /// common here and rare under other weights would be missing from the
    /// rare words those would read.
    pub fn index_words(&self, sentences: &mut ContentSentences) {
        sentences.index_words(|w| self.word_index(w));
    }
}

/// The band split of the sentence index.
pub fn sentence_bands() -> BandParams {
    BandParams::optimal(SENTENCE_THRESHOLD, SENTENCE_HASHES)
}

/// The sentence-index keys of one document, each with the index of the
/// sentence it came from: its sentences' rare words, signed and banded.
/// Sorted. `sentences` are unindexed, or indexed by these `weights`
/// ([`WordWeights::index_words`]).
pub fn document_keys(sentences: &ContentSentences, weights: &WordWeights, params: BandParams) -> Vec<(u64, u32)> {
    let mut keys = unsorted_document_keys(sentences, weights, params);
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// [`document_keys`] in sentence order, for the index, which sorts them
/// itself. No key repeats within a sentence (the band is part of it).
pub fn unsorted_document_keys(
    sentences: &ContentSentences,
    weights: &WordWeights,
    params: BandParams,
) -> Vec<(u64, u32)> {
    let mut keys = Vec::with_capacity(sentences.len() * params.bands);
    for (i, s) in sentences.iter().enumerate() {
        let mut lanes = [u32::MAX; SENTENCE_HASHES];
        if sign_kept_into(s.words.hashed, |w| weights.is_rare(w), MIN_RARE_SHARED, &mut lanes) >= MIN_RARE_SHARED {
            keys.extend(lane_band_keys(&lanes, params).map(|k| (k, i as u32)));
        }
    }
    keys
}

/// Documents sharing one sentence bucket beyond this many hold a stock
/// sentence, which says nothing about a rewrite.
pub const MAX_BUCKET_DOCS: usize = 64;

/// Jaccard of two sentences' word sets, and how many words they share.
fn jaccard(a: SentenceWords, b: SentenceWords) -> (f64, usize) {
    use crate::linking::verify::intersection_len;
    let shared = intersection_len(a.hashed, b.hashed) + intersection_len(a.indexed, b.indexed);
    let union = a.len() + b.len() - shared;
    (if union == 0 { 0.0 } else { shared as f64 / union as f64 }, shared)
}

/// The rare words of a document's sentences (what two sentences must share
/// before they are compared in full), with the index [`align_sentences`]
/// looks the other document's words up in. Built once per document: a
/// document meets many others among the rewrite candidates, and sorting its
/// index for each of them cost more than aligning. The words of all the
/// sentences lie in one list: a list per sentence cost an allocation, and
/// its growth, for each of a corpus's sentences.
#[derive(Debug, Clone, Default)]
pub struct RareWords {
    /// Each sentence's rare words, sorted, one sentence after another.
    words: Vec<u64>,
    /// Where each sentence's words end in `words`.
    ends: Vec<u32>,
    /// (word, sentence) for every rare word of every sentence, sorted.
    postings: Vec<(u64, u32)>,
}

impl RareWords {
    pub fn new(sentences: &ContentSentences, weights: &WordWeights) -> Self {
        let mut words = Vec::new();
        let mut ends = Vec::with_capacity(sentences.len());
        for s in sentences.iter() {
            words.extend(s.words.hashed.iter().copied().filter(|&w| weights.is_rare(w)));
            ends.push(words.len() as u32);
        }
        // A second pass, once the size is known: growing the postings
        // alongside the words cost a reallocation chain per document.
        let mut postings = Vec::with_capacity(words.len());
        let mut from = 0;
        for (j, &end) in ends.iter().enumerate() {
            postings.extend(words[from..end as usize].iter().map(|&w| (w, j as u32)));
            from = end as usize;
        }
        postings.sort_unstable();
        RareWords { words, ends, postings }
    }

    /// How many sentences the words are of.
    pub fn sentences(&self) -> usize {
        self.ends.len()
    }

    /// The rare words of sentence `i`, sorted.
    pub fn of(&self, i: usize) -> &[u64] {
        let from = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.words[from..self.ends[i] as usize]
    }
}

/// The heaviest order-coherent chain of matching sentences. `rare_a` and
/// `rare_b` are the documents' [`RareWords`]: only sentence pairs sharing
/// [`MIN_RARE_SHARED`] of them are compared in full, found through the
/// documents' rare-word indexes rather than by comparing every pair.
pub fn align_sentences(
    a: &ContentSentences,
    b: &ContentSentences,
    rare_a: &RareWords,
    rare_b: &RareWords,
) -> Vec<SentencePair> {
    let matches = if a.len() * b.len() <= MAX_SHARED_GRID {
        matches_by_grid(a, b, rare_a, rare_b)
    } else {
        matches_by_lookup(a, b, rare_a, rare_b)
    };
    heaviest_chain(matches)
}

/// Sentence pairs past which [`align_sentences`] looks rare words up one
/// by one instead of counting them in a grid.
const MAX_SHARED_GRID: usize = 1 << 16;

thread_local! {
    /// The grid [`matches_by_grid`] counts in, kept between pairs.
    static SHARED_GRID: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The matching sentence pairs, in order of `a`'s sentence then `b`'s:
/// the rare words each pair shares are counted in an `a` by `b` grid, by
/// walking both documents' rare-word postings (sorted by word) side by
/// side, once.
fn matches_by_grid(
    a: &ContentSentences,
    b: &ContentSentences,
    rare_a: &RareWords,
    rare_b: &RareWords,
) -> Vec<SentencePair> {
    let nb = b.len();
    SHARED_GRID.with_borrow_mut(|grid| {
        grid.clear();
        grid.resize(a.len() * nb, 0);
        let (pa, pb) = (&rare_a.postings, &rare_b.postings);
        let (mut x, mut y) = (0, 0);
        while x < pa.len() && y < pb.len() {
            match pa[x].0.cmp(&pb[y].0) {
                std::cmp::Ordering::Less => x += 1,
                std::cmp::Ordering::Greater => y += 1,
                std::cmp::Ordering::Equal => {
                    let w = pa[x].0;
                    let x_end = x + pa[x..].iter().take_while(|p| p.0 == w).count();
                    let y_end = y + pb[y..].iter().take_while(|p| p.0 == w).count();
                    for &(_, i) in &pa[x..x_end] {
                        for &(_, j) in &pb[y..y_end] {
                            let cell = &mut grid[i as usize * nb + j as usize];
                            *cell = cell.saturating_add(1);
                        }
                    }
                    (x, y) = (x_end, y_end);
                }
            }
        }
        let mut matches = Vec::new();
        for (i, row) in grid.chunks_exact(nb.max(1)).enumerate() {
            for (j, _) in row.iter().enumerate().filter(|(_, &shared)| usize::from(shared) >= MIN_RARE_SHARED) {
                push_if_similar(&mut matches, a, b, i, j);
            }
        }
        matches
    })
}

/// [`matches_by_grid`] for documents too long for a grid: each rare word of
/// each of `a`'s sentences looked up in `b`'s postings.
fn matches_by_lookup(
    a: &ContentSentences,
    b: &ContentSentences,
    rare_a: &RareWords,
    rare_b: &RareWords,
) -> Vec<SentencePair> {
    let postings = &rare_b.postings;
    let mut hits = vec![0u16; b.len()];
    let mut touched: Vec<u32> = Vec::new();
    let mut matches: Vec<SentencePair> = Vec::new();
    for i in 0..rare_a.sentences().min(a.len()) {
        for &w in rare_a.of(i) {
            let from = postings.partition_point(|p| p.0 < w);
            for &(_, j) in postings[from..].iter().take_while(|p| p.0 == w) {
                if hits[j as usize] == 0 {
                    touched.push(j);
                }
                hits[j as usize] += 1;
            }
        }
        touched.sort_unstable();
        for &j in &touched {
            if hits[j as usize] as usize >= MIN_RARE_SHARED {
                push_if_similar(&mut matches, a, b, i, j as usize);
            }
            hits[j as usize] = 0;
        }
        touched.clear();
    }
    matches
}

/// Adds sentences `i` of `a` and `j` of `b` to `matches` if their content
/// words are similar enough.
fn push_if_similar(matches: &mut Vec<SentencePair>, a: &ContentSentences, b: &ContentSentences, i: usize, j: usize) {
    let (wa, wb) = (a.words(i), b.words(j));
    // Sharing at most the shorter set, over a union at least the longer:
    // sentences of too unequal length cannot match, and are not merged.
    let (fewer, more) = (wa.len().min(wb.len()), wa.len().max(wb.len()));
    if fewer < MIN_SHARED_WORDS || (fewer as f64 / more as f64) < MIN_SIMILARITY {
        return;
    }
    let (similarity, shared) = jaccard(wa, wb);
    if similarity >= MIN_SIMILARITY && shared >= MIN_SHARED_WORDS {
        matches.push(SentencePair { a: i, b: j, similarity, shared });
    }
}

/// The heaviest chain of `matches` increasing in both documents, first
/// match first.
fn heaviest_chain(matches: Vec<SentencePair>) -> Vec<SentencePair> {
    // best[k]: weight of the heaviest chain ending at match k; O(m²) over the
    // (few) matches, ties broken towards the earlier predecessor.
    let m = matches.len();
    let mut best = vec![0.0f64; m];
    let mut prev = vec![usize::MAX; m];
    for k in 0..m {
        best[k] = matches[k].similarity;
        for p in 0..k {
            if matches[p].a < matches[k].a && matches[p].b < matches[k].b && best[p] + matches[k].similarity > best[k] {
                best[k] = best[p] + matches[k].similarity;
                prev[k] = p;
            }
        }
    }
    let Some(mut k) = (0..m).fold(None, |acc: Option<usize>, k| match acc {
        Some(b) if best[b] >= best[k] => Some(b),
        _ => Some(k),
    }) else {
        return Vec::new();
    };
    let mut chain = vec![matches[k]];
    while prev[k] != usize::MAX {
        k = prev[k];
        chain.push(matches[k]);
    }
    chain.reverse();
    chain
}

/// Whether an alignment is long enough, and covers enough of the shorter
/// document, to call the pair a rewrite.
pub fn is_rewrite(chain: &[SentencePair], a_sentences: usize, b_sentences: usize) -> bool {
    let shorter = a_sentences.min(b_sentences).max(1);
    chain.len() >= MIN_ALIGNED && chain.len() as f64 >= MIN_COVERAGE * shorter as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::content::content_sentences;

    #[test]
    fn rewritten_sentences_align_in_order() {
        let a = "Russian President Putin received Prime Minister Kakar before they held a meeting on bilateral and regional affairs. \
                 The leaders discussed energy cooperation and pipeline projects in detail. \
                 Putin said Russia supplied a million tons of cereals to Pakistan this year. \
                 Kakar invited Russian investment in the energy sector of Pakistan.";
        let b = "President Putin received Prime Minister Kakar, leading to a meeting addressing bilateral and regional matters. \
                 Kakar invited the Russian investment into Pakistan's energy sector. \
                 Energy cooperation and pipeline projects were discussed by the leaders in detail. \
                 Putin noted that Russia had supplied a million tons of cereals to Pakistan this year.";
        let (sa, sb) = (content_sentences(a), content_sentences(b));
        let weights = WordWeights::new(&[&sa, &sb]);
        let chain = align_sentences(&sa, &sb, &RareWords::new(&sa, &weights), &RareWords::new(&sb, &weights));
        assert!(chain.len() >= 3, "{chain:?}");
        assert!(chain.windows(2).all(|w| w[0].a < w[1].a && w[0].b < w[1].b));
    }

    #[test]
    fn unrelated_sentences_do_not_align() {
        let a = content_sentences("The orchestra played Mahler in the new concert hall on Friday evening.");
        let b = content_sentences("Heavy rain flooded three villages and closed the mountain highway overnight.");
        let weights = WordWeights::new(&[&a, &b]);
        assert!(align_sentences(&a, &b, &RareWords::new(&a, &weights), &RareWords::new(&b, &weights)).is_empty());
    }

    /// A text of `sentences`, each a list of indexes into a small
    /// vocabulary, so sentences share words often.
    fn text_of(sentences: &[Vec<usize>]) -> String {
        const WORDS: [&str; 12] = [
            "harbour", "minister", "cereal", "pipeline", "kakar", "putin", "tons", "energy", "sector", "gas", "visit",
            "treaty",
        ];
        sentences
            .iter()
            .map(|s| s.iter().map(|&w| WORDS[w]).collect::<Vec<_>>().join(" ") + ".")
            .collect::<Vec<_>>()
            .join(" ")
    }

    proptest::proptest! {
        /// The grid finds the sentence pairs the one-by-one lookup finds.
        #[test]
        fn grid_matches_are_lookup_matches(
            a in proptest::collection::vec(proptest::collection::vec(0usize..12, 4..9), 0..12),
            b in proptest::collection::vec(proptest::collection::vec(0usize..12, 4..9), 0..12),
        ) {
            let (sa, sb) = (content_sentences(&text_of(&a)), content_sentences(&text_of(&b)));
            let weights = WordWeights::new(&[&sa, &sb]);
            let (ra, rb) = (RareWords::new(&sa, &weights), RareWords::new(&sb, &weights));
            let grid = matches_by_grid(&sa, &sb, &ra, &rb);
            proptest::prop_assert_eq!(&grid, &matches_by_lookup(&sa, &sb, &ra, &rb));
        }
    }

    proptest::proptest! {
        /// The common-word set answers as a hash set does, for its words
        /// and others, 0 among them, with words crowded onto a few slots
        /// so that runs of taken slots wrap around the table's end.
        #[test]
        fn common_words_are_a_set(
            held in proptest::collection::vec(proptest::prop_oneof![proptest::strategy::Just(0), 1u64..64, proptest::num::u64::ANY], 0..40),
            asked in proptest::collection::vec(proptest::prop_oneof![proptest::strategy::Just(0), 1u64..64, proptest::num::u64::ANY], 0..40),
        ) {
            // 1 to 63 become words whose slot is the table's last.
            let crowded = |w: u64| if (1..64).contains(&w) { w << 58 | ((1 << 58) - 1) } else { w };
            let reference: std::collections::HashSet<u64> = held.iter().copied().map(crowded).collect();
            let set = CommonWords::new(held.iter().copied().map(crowded));
            let mut in_order: Vec<u64> = reference.iter().copied().collect();
            in_order.sort_unstable();
            for w in held.iter().chain(&asked).copied().map(crowded) {
                proptest::prop_assert_eq!(set.contains(w), reference.contains(&w), "word {:#x}", w);
                let rank = in_order.binary_search(&w).ok().map(|r| r as u32);
                proptest::prop_assert_eq!(set.rank(w), rank, "word {:#x}", w);
            }
        }
    }

    proptest::proptest! {
        /// Sentences holding their common words by index give the keys and
        /// the alignments they gave holding every word by hash. A few
        /// words are used by most documents, the rest by few.
        #[test]
        fn indexed_common_words_change_no_answer(
            docs in proptest::collection::vec(
                proptest::collection::vec(
                    proptest::collection::vec(proptest::prop_oneof![0usize..6, 6usize..120], 4..10), 1..8),
                4..24),
        ) {
            let sentence = |s: &Vec<usize>| s.iter().map(|w| format!("word{w}")).collect::<Vec<_>>().join(" ") + ".";
            let texts: Vec<String> =
                docs.iter().map(|d| d.iter().map(sentence).collect::<Vec<_>>().join(" ")).collect();
            let mut sentences: Vec<ContentSentences> = texts.iter().map(|t| content_sentences(t)).collect();
            let weights = WordWeights::new(&sentences.iter().collect::<Vec<_>>());
            let answers = |sentences: &[ContentSentences]| {
                let keys: Vec<Vec<(u64, u32)>> =
                    sentences.iter().map(|s| document_keys(s, &weights, sentence_bands())).collect();
                let rare: Vec<RareWords> = sentences.iter().map(|s| RareWords::new(s, &weights)).collect();
                let chains: Vec<Vec<SentencePair>> = (1..sentences.len())
                    .map(|b| align_sentences(&sentences[0], &sentences[b], &rare[0], &rare[b]))
                    .collect();
                (keys, chains)
            };
            let by_hash = answers(&sentences);
            let lengths: Vec<Vec<usize>> =
                sentences.iter().map(|s| s.iter().map(|x| x.words.len()).collect()).collect();
            sentences.iter_mut().for_each(|s| weights.index_words(s));
            proptest::prop_assert_eq!(&answers(&sentences), &by_hash);
            // No word lost or added, and each part in order.
            for (s, lengths) in sentences.iter().zip(&lengths) {
                for (x, &len) in s.iter().zip(lengths) {
                    proptest::prop_assert_eq!(x.words.len(), len);
                    proptest::prop_assert!(x.words.hashed.is_sorted() && x.words.indexed.is_sorted());
                    proptest::prop_assert!(x.words.hashed.iter().all(|&w| weights.word_index(w).is_none()));
                }
            }
        }
    }

    #[test]
    fn rare_is_a_count_at_most_the_rare_count() {
        let base: HashMapU64<u32> = (0..40u64).map(|w| (w, (w % 7) as u32)).collect();
        let more: Vec<Vec<u64>> = (0..12u64).map(|d| (d..d + 30).collect()).collect();
        let more: Vec<&[u64]> = more.iter().map(Vec::as_slice).collect();
        for whole in [false, true] {
            let weights = WordWeights::from_sample(std::sync::Arc::new(base.clone()), 40, &more, 60, whole);
            let (mut rare, mut common) = (0, 0);
            for w in 0..60u64 {
                assert_eq!(weights.is_rare(w), weights.df(w) <= weights.rare_df, "word {w}");
                if weights.is_rare(w) {
                    rare += 1
                } else {
                    common += 1
                }
            }
            assert!(rare > 0 && common > 0, "{rare} rare, {common} common");
        }
    }
}
