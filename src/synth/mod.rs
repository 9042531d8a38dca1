//! Synthetic news corpora for benchmarks and scale tests: a fixed seed in,
//! articles with a Zipf-distributed vocabulary and planted edited copies out.
//!
//! Real corpora cannot ship with the project, and throughput must be measured
//! on hundreds of thousands of articles, so this module writes them: each
//! article is paragraphs of sentences drawn from a 50,000-word vocabulary
//! with Zipf(1) frequencies (so common words dominate as in news), and a
//! share of articles get a planted copy with a known edit, for checking that
//! a scan at scale still finds what it should.

pub mod hostile;

use crate::document::Document;

/// How a planted copy differs from its source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    /// The whole text, with site boilerplate added.
    Reprint,
    /// The first half of the paragraphs.
    Truncated,
    /// About 5% of the words replaced.
    WordsChanged,
    /// Paragraphs in another order.
    Reordered,
    /// The whole text inside a longer unrelated article.
    Embedded,
}

const EDITS: [Edit; 5] = [Edit::Reprint, Edit::Truncated, Edit::WordsChanged, Edit::Reordered, Edit::Embedded];

/// A copy the generator planted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Planted {
    pub copy: usize,
    pub source: usize,
    pub edit: Edit,
}

/// Generator settings.
#[derive(Debug, Clone, PartialEq)]
pub struct SynthOptions {
    pub articles: usize,
    /// Share of articles that get a planted copy.
    pub copy_share: f64,
    pub vocabulary: usize,
    pub seed: u64,
}

impl Default for SynthOptions {
    fn default() -> Self {
        SynthOptions { articles: 10_000, copy_share: 0.1, vocabulary: 50_000, seed: 0x5eed }
    }
}

/// A generated corpus and what was planted in it.
#[derive(Debug, Clone)]
pub struct Corpus {
    pub documents: Vec<Document>,
    pub planted: Vec<Planted>,
}

/// SplitMix64: small, fast and fully determined by its seed.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        crate::analysis::shingle::fmix64(self.0)
    }
    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (((self.next_u64() >> 32) * n as u64) >> 32) as usize
    }
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
}

pub(crate) struct Vocabulary {
    words: Vec<String>,
    cdf: Vec<f64>,
}

impl Vocabulary {
    pub(crate) fn new(size: usize, rng: &mut Rng) -> Self {
        const SYLLABLES: &[&str] = &[
            "ka", "ro", "mi", "ne", "sta", "lo", "ver", "an", "ti", "po", "gra", "de", "su", "len", "cor", "ba", "in",
            "tor", "el", "ma", "qui", "fe", "dro", "ul", "sen", "ha", "pri", "go", "tes", "vo",
        ];
        let mut words = Vec::with_capacity(size);
        let mut seen = std::collections::HashSet::new();
        while words.len() < size {
            let n = 1 + rng.below(4);
            let w: String = (0..n).map(|_| SYLLABLES[rng.below(SYLLABLES.len())]).collect();
            if seen.insert(w.clone()) {
                words.push(w);
            }
        }
        let mut cdf = Vec::with_capacity(size);
        let mut total = 0.0;
        for rank in 1..=size {
            total += 1.0 / rank as f64;
            cdf.push(total);
        }
        Vocabulary { words, cdf }
    }

    fn word(&self, rng: &mut Rng) -> &str {
        let total = *self.cdf.last().unwrap_or(&1.0);
        let x = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64 * total;
        let i = self.cdf.partition_point(|&c| c < x).min(self.words.len() - 1);
        &self.words[i]
    }
}

pub(crate) fn paragraph(vocab: &Vocabulary, rng: &mut Rng) -> String {
    let mut p = String::new();
    for s in 0..2 + rng.below(4) {
        if s > 0 {
            p.push(' ');
        }
        let n = 8 + rng.below(22);
        for i in 0..n {
            let w = vocab.word(rng);
            if i == 0 {
                let mut cs = w.chars();
                if let Some(c) = cs.next() {
                    p.extend(c.to_uppercase());
                    p.push_str(cs.as_str());
                }
            } else {
                p.push(' ');
                p.push_str(w);
            }
            if i + 1 < n && rng.chance(0.06) {
                p.push(',');
            }
        }
        p.push('.');
    }
    p
}

fn article(vocab: &Vocabulary, rng: &mut Rng) -> Vec<String> {
    (0..4 + rng.below(8)).map(|_| paragraph(vocab, rng)).collect()
}

impl Corpus {
    /// Generates a corpus; the same options always give the same corpus.
    pub fn generate(options: &SynthOptions) -> Corpus {
        let mut stream = Stream::new(options, None);
        let documents: Vec<Document> = stream.by_ref().take(options.articles).collect();
        Corpus { documents, planted: stream.planted }
    }

    /// The corpus as JSON Lines (`id`, `outlet`, `published`, `text`).
    pub fn to_jsonl(&self) -> String {
        let mut out = String::new();
        for d in &self.documents {
            let v = serde_json::json!({
                "id": d.id,
                "outlet": d.meta.outlet,
                "published": d.meta.published.as_ref().map(|p| p.raw.clone()),
                "text": d.text,
            });
            out.push_str(&v.to_string());
            out.push('\n');
        }
        out
    }
}

fn edited(source: &[String], edit: Edit, vocab: &Vocabulary, rng: &mut Rng) -> Vec<String> {
    match edit {
        Edit::Reprint => {
            let mut p = vec!["Share this article on your favourite network".to_string()];
            p.extend(source.iter().cloned());
            p.push("Copyright 2024 The Example Wire. All rights reserved.".into());
            p
        }
        Edit::Truncated => source[..source.len().div_ceil(2)].to_vec(),
        Edit::WordsChanged => source
            .iter()
            .map(|para| {
                para.split(' ')
                    .map(|w| if rng.chance(0.05) { vocab.word(rng).to_string() } else { w.to_string() })
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect(),
        Edit::Reordered => {
            let mut p = source.to_vec();
            for i in (1..p.len()).rev() {
                let j = rng.below(i + 1);
                p.swap(i, j);
            }
            p
        }
        Edit::Embedded => {
            let mut p = article(vocab, rng);
            let at = rng.below(p.len() + 1);
            for (k, para) in source.iter().enumerate() {
                p.insert(at + k, para.clone());
            }
            p
        }
    }
}

/// Synthetic articles one at a time, for corpora too large to hold: a
/// planted copy's source is one of the last `window` articles (any earlier
/// one when `None`, as [`Corpus::generate`] does), so memory is bounded by
/// the window.
pub struct Stream {
    rng: Rng,
    vocab: Vocabulary,
    copy_share: f64,
    window: Option<usize>,
    /// Paragraphs of the articles a copy may come from, oldest first, and
    /// the position of the first.
    originals: std::collections::VecDeque<Vec<String>>,
    first: usize,
    next: usize,
    /// What was planted so far.
    pub planted: Vec<Planted>,
}

impl Stream {
    pub fn new(options: &SynthOptions, window: Option<usize>) -> Stream {
        let mut rng = Rng::new(options.seed);
        let vocab = Vocabulary::new(options.vocabulary.max(100), &mut rng);
        Stream {
            rng,
            vocab,
            copy_share: options.copy_share,
            window,
            originals: Default::default(),
            first: 0,
            next: 0,
            planted: Vec::new(),
        }
    }
}

impl Iterator for Stream {
    type Item = Document;

    fn next(&mut self) -> Option<Document> {
        let i = self.next;
        let rng = &mut self.rng;
        let copy = !self.originals.is_empty() && rng.chance(self.copy_share);
        let (paras, plant) = if copy {
            let k = rng.below(self.originals.len());
            let edit = EDITS[rng.below(EDITS.len())];
            let paras = edited(&self.originals[k], edit, &self.vocab, rng);
            (paras, Some(Planted { copy: i, source: self.first + k, edit }))
        } else {
            (article(&self.vocab, rng), None)
        };
        let text = paras.join("\n\n");
        let published =
            jiff::Timestamp::from_second(1_700_000_000 + i as i64 * 60).map(|t| t.to_string()).unwrap_or_default();
        let doc = Document::from_text(format!("synth-{i}"), text)
            .with_outlet(&format!("outlet-{}", rng.below(200)))
            .with_published(&published);
        if let Some(p) = plant {
            self.planted.push(p);
        }
        self.originals.push_back(paras);
        if self.window.is_some_and(|w| self.originals.len() > w) {
            self.originals.pop_front();
            self.first += 1;
        }
        self.next += 1;
        Some(doc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_planted() {
        let o = SynthOptions { articles: 300, ..SynthOptions::default() };
        let a = Corpus::generate(&o);
        let b = Corpus::generate(&o);
        assert_eq!(a.documents, b.documents);
        assert_eq!(a.planted, b.planted);
        assert!(a.planted.len() > 10, "{}", a.planted.len());
    }
}
