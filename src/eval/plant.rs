//! Planting: real news articles in; a corpus of them plus edited copies
//! out, each copy with byte-exact truth (which bytes of which original
//! each copied span came from).
//!
//! Truth is kept at the grain an editor would judge: a span copied whole is
//! its exact bytes; a paragraph copied with edits or OCR noise is that
//! whole paragraph (it *is* a copy of the original paragraph, and a tool
//! that covers only its clean stretches has missed part of it).

use crate::document::Document;
use crate::synth::Rng;
use std::ops::Range;

/// How a planted copy was made from its original.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Operation {
    /// The whole text, with a site's banner and footer.
    Reprint,
    /// The first half of the paragraphs.
    Truncate,
    /// About one word in twenty replaced.
    Edit,
    /// About one letter in fifty misread, as optical character recognition does.
    Ocr,
    /// The whole text with local paragraphs added and a credit line.
    Localize,
    /// Most of one original, then the end of another after "Agencies add:".
    Merge,
    /// The whole text with two of its paragraphs said again at the end.
    Repeat,
    /// The paragraphs in another order.
    Reorder,
}

impl Operation {
    pub const ALL: [Operation; 8] = [
        Operation::Reprint,
        Operation::Truncate,
        Operation::Edit,
        Operation::Ocr,
        Operation::Localize,
        Operation::Merge,
        Operation::Repeat,
        Operation::Reorder,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Operation::Reprint => "reprint",
            Operation::Truncate => "truncate",
            Operation::Edit => "edit",
            Operation::Ocr => "ocr",
            Operation::Localize => "localize",
            Operation::Merge => "merge",
            Operation::Repeat => "repeat",
            Operation::Reorder => "reorder",
        }
    }
}

/// Bytes `copy` of a planted copy came from bytes `from` of original
/// `source` (a document index).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TruthSpan {
    pub copy: Range<usize>,
    pub source: usize,
    pub from: Range<usize>,
}

/// One planted copy.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    pub operation: Operation,
    /// The copy's document index.
    pub copy: usize,
    /// Its originals (two for a merge), first the main one.
    pub sources: Vec<usize>,
    pub truth: Vec<TruthSpan>,
}

/// Originals first, then the planted copies, then the hard negatives.
#[derive(Debug, Clone)]
pub struct Planted {
    pub documents: Vec<Document>,
    pub cases: Vec<Case>,
    /// Pairs of independent reports of one event (document indexes): each
    /// its own story, both quoting the same statement and carrying the
    /// same background paragraph. No copy: they must not link.
    pub negatives: Vec<(usize, usize)>,
}

/// Pairs of hard negatives planted.
pub const NEGATIVES: usize = 40;
/// Paragraphs of its own each hard negative tells its story in.
const NEGATIVE_BODY: usize = 4;

/// Paragraphs an original needs to be planted from.
pub const MIN_PARAGRAPHS: usize = 6;

/// Plants one copy of each original in `originals` with at least
/// [`MIN_PARAGRAPHS`] paragraphs, the operations taken in turn; `local`
/// supplies paragraphs found nowhere in the corpus (its first half for
/// localized copies, its second for the hard negatives' own stories).
/// With `dated`, originals are published a day before their copies; else
/// no document has a date. The same inputs always plant the same corpus.
pub fn plant(originals: &[Document], local: &[String], dated: bool, seed: u64) -> Planted {
    let mut rng = Rng::new(seed);
    let mut documents: Vec<Document> = originals.iter().map(|d| dated_as(d, dated, 1)).collect();
    let eligible: Vec<usize> =
        (0..originals.len()).filter(|&i| paragraphs(&originals[i].text).len() >= MIN_PARAGRAPHS).collect();
    let mut cases = Vec::new();
    for (turn, &i) in eligible.iter().enumerate() {
        let operation = Operation::ALL[turn % Operation::ALL.len()];
        let other = eligible[(turn + 1) % eligible.len()];
        let mut copy = CopyText::default();
        let sources = match operation {
            Operation::Merge => vec![i, other],
            _ => vec![i],
        };
        // The first half of `local` is the copies', the second the negatives'.
        let own = &local[..local.len().div_ceil(2)];
        // Each localized copy its own two (turns of one operation are
        // `Operation::ALL.len()` apart).
        let k = 2 * (turn / Operation::ALL.len());
        let local_paragraphs = [&own[k % own.len()], &own[(k + 1) % own.len()]];
        make(&mut copy, operation, &originals[i].text, i, (&originals[other].text, other), local_paragraphs, &mut rng);
        let id = format!("copy-{:05}-{}", turn, operation.name());
        let doc = dated_as(&Document::from_text(id, copy.text), dated, 2);
        cases.push(Case { operation, copy: documents.len(), sources, truth: copy.truth });
        documents.push(doc);
    }
    let negatives = plant_negatives(&mut documents, &local[local.len().div_ceil(2)..], dated);
    Planted { documents, cases, negatives }
}

/// Appends [`NEGATIVES`] pairs of independent reports: each tells its own
/// story in paragraphs found nowhere else, then quotes one statement
/// (in quotation marks) and prints one background paragraph that its
/// partner also carries.
fn plant_negatives(documents: &mut Vec<Document>, local: &[String], dated: bool) -> Vec<(usize, usize)> {
    let per_pair = 2 * NEGATIVE_BODY + 2;
    // Paragraphs without quotation marks of their own, so the statement's
    // marks pair up.
    let pool: Vec<&String> =
        local.iter().rev().filter(|p| p.split_whitespace().count() >= 12 && !p.contains('"')).collect();
    let mut out = Vec::new();
    for k in 0..NEGATIVES {
        let Some(chunk) = pool.get(k * per_pair..(k + 1) * per_pair) else { break };
        let (statement, background) = (chunk[0], chunk[1]);
        // A quoted statement is one paragraph, not wire copy's wrapped lines.
        let statement = statement.split_whitespace().collect::<Vec<_>>().join(" ");
        let quote = format!("\"{statement}\" the ministry said in a statement.");
        let mut pair = [0; 2];
        for (side, body) in chunk[2..].chunks(NEGATIVE_BODY).enumerate() {
            let mut paras: Vec<&str> = body.iter().map(|p| p.as_str()).collect();
            paras.insert(2, &quote);
            paras.push(background);
            let doc = Document::from_text(format!("negative-{k:03}-{side}"), paras.join("\n\n"));
            pair[side] = documents.len();
            documents.push(dated_as(&doc, dated, 2));
        }
        out.push((pair[0], pair[1]));
    }
    out
}

fn dated_as(doc: &Document, dated: bool, day: u32) -> Document {
    let plain = Document::from_text(doc.id.clone(), doc.text.clone());
    if dated {
        plain.with_published(&format!("2024-03-{day:02}T09:00:00Z"))
    } else {
        plain
    }
}

/// The byte ranges of a text's paragraphs: separated by blank lines, or
/// begun by an indented line (as Reuters wire copy writes them).
pub fn paragraphs(text: &str) -> Vec<Range<usize>> {
    let mut out: Vec<Range<usize>> = Vec::new();
    let mut current: Option<Range<usize>> = None;
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let (start, body) = (at, line.trim_end());
        at += line.len();
        let starts_new = body.trim().is_empty() || body.starts_with(char::is_whitespace);
        if starts_new {
            out.extend(current.take());
        }
        if body.trim().is_empty() {
            continue;
        }
        let first = start + (body.len() - body.trim_start().len());
        let end = start + body.len();
        current = Some(current.map_or(first..end, |c| c.start..end));
    }
    out.extend(current);
    out
}

/// A copy's text as it is built, with its truth.
#[derive(Default)]
struct CopyText {
    text: String,
    truth: Vec<TruthSpan>,
}

impl CopyText {
    /// Appends `text` as copied from `from` of original `source`.
    fn copied(&mut self, text: &str, source: usize, from: Range<usize>) {
        self.separate();
        let start = self.text.len();
        self.text.push_str(text);
        self.truth.push(TruthSpan { copy: start..self.text.len(), source, from });
    }

    /// Appends a paragraph of the copy's own.
    fn own(&mut self, text: &str) {
        self.separate();
        self.text.push_str(text);
    }

    fn separate(&mut self) {
        if !self.text.is_empty() {
            self.text.push_str("\n\n");
        }
    }
}

/// Builds `copy` of `original` (document `i`) by `operation`.
fn make(
    copy: &mut CopyText,
    operation: Operation,
    original: &str,
    i: usize,
    other: (&str, usize),
    local: [&String; 2],
    rng: &mut Rng,
) {
    let paras = paragraphs(original);
    let whole = |copy: &mut CopyText, p: &Range<usize>| copy.copied(&original[p.clone()], i, p.clone());
    match operation {
        Operation::Reprint => {
            copy.own("Share this story: Facebook Twitter Email Print");
            paras.iter().for_each(|p| whole(copy, p));
            copy.own("Copyright 2024 Example Media Group. All rights reserved. Leave a comment below.");
        }
        Operation::Truncate => paras[..paras.len().div_ceil(2).max(3)].iter().for_each(|p| whole(copy, p)),
        Operation::Edit => {
            for p in &paras {
                copy.copied(&change_words(&original[p.clone()], rng), i, p.clone());
            }
        }
        Operation::Ocr => {
            for p in &paras {
                copy.copied(&misread(&original[p.clone()], rng), i, p.clone());
            }
        }
        Operation::Localize => {
            whole(copy, &paras[0]);
            copy.own(local[0]);
            paras[1..].iter().for_each(|p| whole(copy, p));
            copy.own(local[1]);
            copy.own("(Reporting by Reuters; additional reporting by our staff)");
        }
        Operation::Merge => {
            paras[..paras.len() * 3 / 5].iter().for_each(|p| whole(copy, p));
            copy.own("Agencies add:");
            let (text, j) = other;
            let theirs = paragraphs(text);
            for p in &theirs[theirs.len().saturating_sub(3)..] {
                copy.copied(&text[p.clone()], j, p.clone());
            }
        }
        Operation::Repeat => {
            paras.iter().for_each(|p| whole(copy, p));
            paras[1..3].iter().for_each(|p| whole(copy, p));
        }
        Operation::Reorder => {
            let mut order: Vec<usize> = (0..paras.len()).collect();
            for k in (1..order.len()).rev() {
                order.swap(k, rng.below(k + 1));
            }
            order.iter().for_each(|&k| whole(copy, &paras[k]));
        }
    }
}

/// About one word in twenty replaced by another of the same length class.
fn change_words(text: &str, rng: &mut Rng) -> String {
    const WORDS: [&str; 6] = ["reportedly", "officials", "however", "meanwhile", "sources", "analysts"];
    let words: Vec<&str> = text.split(' ').collect();
    let changed: Vec<&str> =
        words.iter().map(|&w| if rng.chance(0.05) { WORDS[rng.below(WORDS.len())] } else { w }).collect();
    changed.join(" ")
}

/// About one letter in fifty misread as a scanner misreads print.
fn misread(text: &str, rng: &mut Rng) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if c.is_ascii_alphabetic() && rng.chance(0.02) {
            out.push_str(match c {
                'm' => "rn",
                'l' => "1",
                'o' => "0",
                'e' => "c",
                'i' => "l",
                _ => "v",
            });
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn originals() -> Vec<Document> {
        (0..10)
            .map(|d| {
                let paras: Vec<String> = (0..8)
                    .map(|p| format!("Story {d} paragraph {p} says the minister met the delegation on Tuesday."))
                    .collect();
                Document::from_text(format!("o{d}"), paras.join("\n\n"))
            })
            .collect()
    }

    #[test]
    fn truth_slices_the_same_text_from_copy_and_original() {
        let local = vec!["A local paragraph.".to_string(), "Another one.".to_string()];
        let planted = plant(&originals(), &local, true, 7);
        assert_eq!(planted.cases.len(), 10);
        for case in &planted.cases {
            let copy = &planted.documents[case.copy].text;
            assert!(!case.truth.is_empty());
            for t in &case.truth {
                let original = &planted.documents[t.source].text[t.from.clone()];
                let exact = !matches!(case.operation, Operation::Edit | Operation::Ocr);
                if exact {
                    assert_eq!(&copy[t.copy.clone()], original, "{:?}", case.operation);
                }
            }
        }
        let merge = planted.cases.iter().find(|c| c.operation == Operation::Merge).unwrap();
        assert_eq!(merge.sources.len(), 2);
        assert!(merge.truth.iter().any(|t| t.source == merge.sources[1]));
    }

    #[test]
    fn paragraphs_are_byte_ranges() {
        let text = "One.\n\n  Two two.\n\n\n\nThree\nwraps.\n    Four, indented.\nFive? No, four.";
        let got: Vec<&str> = paragraphs(text).into_iter().map(|r| &text[r]).collect();
        assert_eq!(got, ["One.", "Two two.", "Three\nwraps.", "Four, indented.\nFive? No, four."]);
    }
}
