//! Per-document analysis: one document's text in, what the later phases
//! need of it out, depending on nothing but the document and the settings
//! (so it can run on any machine, in any batch, once).
//!
//! ```text
//! text -> normalize (tokens with byte ranges) -> shingle (k-token hashes)
//!      -> signature (MinHash) | winnowing fingerprints (linking/candidates)
//!      -> repeats (passages said twice), quotes, sentences, content words
//! ```

pub mod content;
pub mod normalize;
pub mod quotes;
pub mod repeats;
pub mod sentence;
pub mod shingle;
pub mod signature;

use crate::attribution::claims;
use crate::config::ScanConfig;
use crate::corpus::boilerplate::{self, Boilerplate, ShortParagraph};
use crate::document::Document;
use crate::linking::candidates;
use content::ContentSentences;
use normalize::{Script, Token};
use repeats::Repeat;
use shingle::Shingles;
use signature::Signature;
use std::ops::Range;

/// What the per-document stages learned about one document.
#[derive(Debug, Clone)]
pub struct Analysis {
    /// Number of tokens. Neither the tokens nor the shingles are kept (they
    /// are the largest per-document structures, and most documents never
    /// need them again); stages that do normalize again, only for the
    /// documents they work on.
    pub num_tokens: usize,
    pub script: Script,
    /// Sentences with their content words, for rewrite detection.
    pub sentences: ContentSentences,
    /// Byte ranges inside quotation marks.
    pub quotes: Vec<Range<usize>>,
    /// Short paragraphs, keyed, for learning boilerplate.
    pub paragraphs: Vec<ShortParagraph>,
    /// Spans masked as boilerplate, known furniture first, then learned.
    pub boilerplate: Vec<Boilerplate>,
    /// Credits and dates the document carries about its own provenance.
    pub provenance: claims::DocumentProvenance,
    /// Repeats within the document, in byte ranges of its text.
    pub repeats: Vec<Repeat>,
}

/// What the candidate indexes need of one document, apart from its
/// [`Analysis`]: they are most of what analysis produces (about a kilobyte
/// an article), and a scan drops them once the indexes are built, so later
/// stages reuse their memory instead of faulting in fresh pages.
#[derive(Debug, Clone, Default)]
pub struct IndexKeys {
    /// The LSH band keys of the document's MinHash signature (empty for an
    /// empty document): banding needs nothing else of the signature, and
    /// the keys take 200 bytes where the signature takes 512.
    pub band_keys: Vec<u64>,
    /// Winnowing fingerprints in text order, for the containment index.
    pub fingerprints: Vec<u64>,
    /// Sentence-index keys with their sentences, when the caller computed
    /// them under the word weights it hands the scan ([`crate::scan::Context::words`]):
    /// a feed index looks them up before its scan.
    pub sentence_keys: Option<Vec<(u64, u32)>>,
}

/// Buffers [`analyze`] reuses from one document to the next on a thread:
/// tokens and shingle hashes are needed only while a document is analysed.
#[derive(Default)]
pub(crate) struct Scratch {
    pub(crate) tokens: Vec<Token>,
    pub(crate) hashes: Vec<u64>,
    pub(crate) fingerprints: Vec<u64>,
}

thread_local! {
    pub(crate) static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::default();
}

/// Per-document analysis: the stages that need nothing from other documents.
///
/// The text is tokenized once; the tokens and shingle hashes live in
/// per-thread buffers and feed every per-document stage (signature,
/// fingerprints, repeats, short paragraphs, content sentences), and only
/// what those stages produce is kept.
pub fn analyze(doc: &Document, config: &ScanConfig) -> (Analysis, IndexKeys) {
    SCRATCH.with_borrow_mut(|scratch| analyze_with(doc, config, scratch))
}

/// What document frequency is counted over: a document's distinct
/// shingles and distinct content words.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Vocabulary {
    pub shingles: Vec<u64>,
    pub words: Vec<u64>,
}

/// [`analyze`], and the document's [`Vocabulary`] when `sampled` (for
/// counting document frequency).
pub fn analyze_sampled(
    doc: &Document,
    config: &ScanConfig,
    sampled: bool,
) -> (Analysis, IndexKeys, Option<Vocabulary>) {
    SCRATCH.with_borrow_mut(|scratch| {
        let (analysis, keys) = analyze_with(doc, config, scratch);
        let vocabulary = sampled.then(|| {
            let mut words: Vec<u64> = analysis.sentences.all_words().to_vec();
            words.sort_unstable();
            words.dedup();
            Vocabulary { shingles: repeats::distinct(&scratch.hashes), words }
        });
        (analysis, keys, vocabulary)
    })
}

pub(crate) fn analyze_with(doc: &Document, config: &ScanConfig, scratch: &mut Scratch) -> (Analysis, IndexKeys) {
    let o = config.options();
    let Scratch { tokens, hashes, fingerprints } = scratch;
    let script = normalize::normalize_into(&doc.text, tokens);
    Shingles::hash_into(tokens, config.shingle_k(script), hashes);
    let band_keys = Signature::new(hashes, o.num_hashes)
        .map_or_else(Vec::new, |signature| candidates::band_keys(&signature, config.bands()).collect());
    let fingerprints = candidates::winnow_into(hashes, o.winnow_window, fingerprints).to_vec();
    // The text is split into paragraphs and sentences once, for repeats,
    // short paragraphs and content sentences alike.
    let text_paragraphs = sentence::paragraphs(&doc.text);
    let split = std::cell::OnceCell::new();
    let text_sentences = || split.get_or_init(|| sentence::sentences_in(&doc.text, &text_paragraphs)).as_slice();
    let repeats = repeats::find_of(tokens, hashes, o.repeat_min_tokens, text_sentences);
    let quotes = quotes::spans(&doc.text);
    let paragraphs = boilerplate::short_paragraphs_of(&doc.text, &text_paragraphs, tokens, &quotes);
    let boilerplate = boilerplate::patterns(&doc.text, &paragraphs);
    // Quoted speech and furniture are not what a rewrite keeps.
    let sentences = if o.rewrites {
        content::content_sentences_of(&doc.text, text_sentences(), tokens, |span| {
            quotes::quoted_bytes(&quotes, span) * 2 <= span.len()
                && !boilerplate.iter().any(|b| b.span.start <= span.start && span.end <= b.span.end)
        })
    } else {
        ContentSentences::default()
    };
    let provenance = claims::read(&doc.text);
    let analysis =
        Analysis { num_tokens: tokens.len(), script, sentences, quotes, paragraphs, boilerplate, provenance, repeats };
    (analysis, IndexKeys { band_keys, fingerprints, sentence_keys: None })
}
