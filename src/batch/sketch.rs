//! Sketches: one document in, what the candidate indexes and the corpus
//! statistics need of it out (content hash, MinHash signature, LSH band
//! keys, winnowing fingerprints, sentence-index keys, vocabulary).
//!
//! The document-level parts come from the document's shingles alone, so
//! a sketch that asks for nothing else skips the sentence and repeat
//! analysis; sentence keys and content words need the full per-document
//! analysis, which `scan` runs too.

use crate::analysis::repeats;
use crate::analysis::shingle::content_hash_of;
use crate::analysis::shingle::Shingles;
use crate::analysis::signature::Signature;
use crate::analysis::{analyze_with, normalize, Scratch, SCRATCH};
use crate::config::ScanConfig;
use crate::document::Document;
use crate::linking::candidates;
use crate::linking::rewrite::{self, WordWeights};

/// What a sketch holds beyond the document-level keys.
#[derive(Debug, Clone, Copy, Default)]
pub struct SketchOptions<'a> {
    /// Sentence-index keys, under these word weights (the corpus's).
    pub sentence_keys: Option<&'a WordWeights>,
    /// The distinct shingles and content words, for corpus statistics.
    pub vocabulary: bool,
    /// The keys of the short paragraphs, for learning boilerplate.
    pub paragraphs: bool,
    /// Only the signature and its band keys of the document-level parts
    /// (no fingerprints, no content hash): for an engine that needs no more.
    pub signature_only: bool,
}

/// One document's sketch.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sketch {
    /// [`crate::analysis::shingle::content_hash`]: equal for texts that differ
    /// only in case, punctuation and white space.
    pub content_hash: u64,
    /// Tokens (words, or characters of unspaced scripts).
    pub tokens: usize,
    /// MinHash lanes (empty for a text with no shingle).
    pub signature: Vec<u32>,
    pub band_keys: Vec<u64>,
    /// Distinct winnowing fingerprints, sorted.
    pub fingerprints: Vec<u64>,
    /// Sentence-index keys (when asked), sorted, each with the number of
    /// the content sentence it came from in `sentence_numbers` (a key
    /// several sentences share is listed once for each): the rewrite index
    /// counts the distinct sentences two documents share.
    pub sentence_keys: Vec<u64>,
    pub sentence_numbers: Vec<u32>,
    /// Distinct shingles and content words, sorted (when asked).
    pub shingles: Vec<u64>,
    pub words: Vec<u64>,
    /// Distinct keys of the short paragraphs, sorted (when asked): the
    /// boilerplate a corpus may learn.
    pub paragraph_keys: Vec<u64>,
}

/// The sketch of `doc`.
pub fn sketch(doc: &Document, config: &ScanConfig, options: SketchOptions<'_>) -> Sketch {
    if options.sentence_keys.is_none() && !options.vocabulary && !options.paragraphs {
        return sketch_text(&doc.text, config, options.signature_only);
    }
    SCRATCH.with_borrow_mut(|scratch| {
        let (analysis, _) = analyze_with(doc, config, scratch);
        let sentences = analysis.sentences;
        let mut out = document_keys(&doc.text, config, scratch, options.signature_only);
        if options.paragraphs {
            out.paragraph_keys = analysis.paragraphs.iter().map(|p| p.key).collect();
            out.paragraph_keys.sort_unstable();
            out.paragraph_keys.dedup();
        }
        if let Some(weights) = options.sentence_keys {
            // Sorted by key, then sentence, and distinct.
            (out.sentence_keys, out.sentence_numbers) =
                rewrite::document_keys(&sentences, weights, rewrite::sentence_bands()).into_iter().unzip();
        }
        if options.vocabulary {
            out.shingles = repeats::distinct(&scratch.hashes);
            out.shingles.sort_unstable();
            out.words = sentences.all_words().to_vec();
            out.words.sort_unstable();
            out.words.dedup();
        }
        out
    })
}

/// The document-level parts of the sketch of `text`, from its shingles
/// alone (no sentence or repeat analysis).
pub fn sketch_text(text: &str, config: &ScanConfig, signature_only: bool) -> Sketch {
    SCRATCH.with_borrow_mut(|scratch| {
        let script = normalize::normalize_into(text, &mut scratch.tokens);
        Shingles::hash_into(&scratch.tokens, config.shingle_k(script), &mut scratch.hashes);
        document_keys(text, config, scratch, signature_only)
    })
}

/// The document-level keys, from the tokens and shingles in `scratch`.
fn document_keys(text: &str, config: &ScanConfig, scratch: &mut Scratch, signature_only: bool) -> Sketch {
    let o = config.options();
    let signature = Signature::new(&scratch.hashes, o.num_hashes);
    let band_keys = signature.as_ref().map_or_else(Vec::new, |s| candidates::band_keys(s, config.bands()).collect());
    let mut out = Sketch {
        tokens: scratch.tokens.len(),
        signature: signature.map_or_else(Vec::new, |s| s.0.into_vec()),
        band_keys,
        ..Sketch::default()
    };
    if !signature_only {
        out.content_hash = content_hash_of(text, &scratch.tokens);
        out.fingerprints =
            candidates::winnow_into(&scratch.hashes, o.winnow_window, &mut scratch.fingerprints).to_vec();
        out.fingerprints.sort_unstable();
        out.fingerprints.dedup();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::analyze;

    #[test]
    fn keys_are_those_scan_indexes() {
        let config = ScanConfig::default();
        let doc = Document::from_text(
            "a",
            "Officials said on Tuesday that the bridge over the river would reopen next month after repairs.",
        );
        let (_, keys) = analyze(&doc, &config);
        let light = sketch(&doc, &config, SketchOptions::default());
        let full = sketch(&doc, &config, SketchOptions { vocabulary: true, ..Default::default() });
        assert_eq!(light.band_keys, keys.band_keys);
        let mut prints = keys.fingerprints.clone();
        prints.sort_unstable();
        prints.dedup();
        assert_eq!(light.fingerprints, prints);
        assert_eq!(light.signature.len(), config.options().num_hashes);
        assert_eq!(light.content_hash, crate::analysis::shingle::content_hash(&doc.text));
        assert_eq!((&light.band_keys, &light.signature), (&full.band_keys, &full.signature));
        assert!(!full.shingles.is_empty() && !full.words.is_empty());
        let only = sketch(&doc, &config, SketchOptions { signature_only: true, ..Default::default() });
        assert_eq!((&only.signature, &only.band_keys), (&full.signature, &full.band_keys));
        assert!(only.fingerprints.is_empty() && only.content_hash == 0);
    }
}
