//! Boilerplate: every document's short paragraphs in, the ones that are site
//! furniture out ("Subscribe to …", "Leave a Reply", "Copyright … The
//! Associated Press. All rights reserved", share and weather widgets,
//! "scroll to top"), so they can be masked before similarity.
//!
//! Two sources, both reported per document with their reason:
//!
//! * **Learned from the corpus.** A short paragraph (at most
//!   [`MAX_TOKENS`] words) whose normalized words, digits folded so "Updated
//!   10:32 AM" lines match, recur in at least [`MIN_OUTLET_DOCS`] documents
//!   of one outlet, or in at least `max(5, 2% of documents)` documents
//!   overall, is boilerplate *unless those documents are copies of each
//!   other*: a paragraph of AP copy recurs because thirty sites ran the same
//!   story, and masking it would hide the very copy copydesk looks for. The
//!   test is the candidate index: if most pairs of the documents holding the
//!   paragraph are not candidates of each other, they are different stories
//!   and the paragraph is furniture. Quotations are left to
//!   [`crate::analysis::quotes`].
//! * **Known furniture** that a single page may carry: subscription, reply
//!   and share prompts, "All rights reserved", "scroll to top".

use crate::analysis::normalize::{normalize, normalize_token, Token};
use crate::analysis::quotes;
use crate::analysis::sentence;
use crate::analysis::shingle::{combine_hashes, HashMapU64};
use rayon::prelude::*;
use regex::Regex;
use std::ops::Range;
use std::sync::OnceLock;

/// Paragraphs longer than this are content, never furniture.
pub const MAX_TOKENS: usize = 40;
/// Documents of one outlet a paragraph must recur in.
pub const MIN_OUTLET_DOCS: usize = 3;
/// Documents sampled for the copies-of-each-other test.
pub const DIVERSITY_SAMPLE: usize = 24;

/// A short paragraph, keyed by its normalized words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShortParagraph {
    pub key: u64,
    pub span: Range<usize>,
}

/// Why a span is boilerplate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reason {
    /// Recurs across this outlet's different stories.
    Outlet,
    /// Recurs across many different stories of the corpus.
    Corpus,
    /// Known furniture ("Subscribe to", "Leave a Reply", ...).
    Pattern,
}

impl Reason {
    /// The reason [`Reason::as_str`] names.
    pub fn parse(name: &str) -> Option<Reason> {
        [Reason::Outlet, Reason::Corpus, Reason::Pattern].into_iter().find(|r| r.as_str() == name)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Outlet => "outlet",
            Reason::Corpus => "corpus",
            Reason::Pattern => "pattern",
        }
    }
}

/// A boilerplate span of a document's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Boilerplate {
    pub span: Range<usize>,
    pub reason: Reason,
    /// Documents the paragraph recurs in (1 for patterns).
    pub documents: usize,
}

fn furniture() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"(?i)^[-•*\s]*(subscribe to|sign up for|leave a reply|your email address will not be published|scroll to top|share this|share on|follow us|click here|read more|visit for more news|advertisement$|all rights reserved|related:|recommended:|comments?$|print this|email this)",
        )
        .expect("valid pattern")
    })
}

/// The short paragraphs of a text, keyed; quotations are left out.
pub fn short_paragraphs(text: &str) -> Vec<ShortParagraph> {
    short_paragraphs_of(text, &sentence::paragraphs(text), &normalize(text).tokens, &quotes::spans(text))
}

/// [`short_paragraphs`] for a text already split into its paragraphs and
/// tokenized, with its quotation spans. A paragraph is bounded by
/// whitespace, so the document's tokens inside it are exactly the
/// paragraph's own tokens.
pub fn short_paragraphs_of(
    text: &str,
    paragraphs: &[Range<usize>],
    tokens: &[Token],
    quoted: &[Range<usize>],
) -> Vec<ShortParagraph> {
    let mut out = Vec::new();
    let (mut word, mut folded) = (String::new(), Vec::new());
    let mut next = 0;
    for span in paragraphs.iter().cloned() {
        // Only whitespace lies between paragraphs, so a paragraph's tokens
        // start where the previous one's end: one search per paragraph.
        let mut from = next;
        while from < tokens.len() && (tokens[from].start as usize) < span.start {
            from += 1;
        }
        let inside = |t: &Token| (t.start as usize) < span.end;
        // A long paragraph is known by its token past the limit; the next
        // paragraph steps on from there.
        if tokens.get(from + MAX_TOKENS).is_some_and(inside) {
            next = from + MAX_TOKENS + 1;
            continue;
        }
        let to = from + tokens[from..(from + MAX_TOKENS).min(tokens.len())].partition_point(inside);
        next = to;
        let para_tokens = &tokens[from..to];
        if para_tokens.is_empty() || quotes::quoted_bytes(quoted, &span) * 2 > span.len() {
            continue;
        }
        // The paragraph's words hashed as one run, as a shingle is. Digits
        // fold to 0 so "Updated 10:32 AM" lines share a key; other tokens
        // already carry the hash of their normalized form.
        let key = if !text.as_bytes()[span.clone()].iter().any(u8::is_ascii_digit) {
            combine_hashes(para_tokens.iter().map(|t| t.hash))
        } else {
            combine_hashes(para_tokens.iter().map(|t| {
                let raw = &text[t.start as usize..t.end as usize];
                if raw.bytes().any(|b| b.is_ascii_digit()) {
                    word.clear();
                    normalize_token(raw, &mut word);
                    // Byte by byte: no byte of a multi-byte character is an
                    // ASCII digit.
                    folded.clear();
                    folded.extend(word.bytes().map(|b| if b.is_ascii_digit() { b'0' } else { b }));
                    xxhash_rust::xxh3::xxh3_64(&folded)
                } else {
                    t.hash
                }
            }))
        };
        out.push(ShortParagraph { key, span });
    }
    out
}

/// Whether a paragraph is known furniture: it opens with a furniture phrase
/// or ends with "all rights reserved". The ending is checked by hand so the
/// pattern stays anchored at the start, where a failed match costs a few
/// bytes instead of a scan of the paragraph.
fn is_furniture(paragraph: &str) -> bool {
    let tail = paragraph.strip_suffix('.').unwrap_or(paragraph);
    let ending = "all rights reserved";
    let ends_so = tail.len() >= ending.len()
        && tail.is_char_boundary(tail.len() - ending.len())
        && tail[tail.len() - ending.len()..].eq_ignore_ascii_case(ending);
    ends_so || furniture().is_match(paragraph)
}

/// Known furniture among a document's short paragraphs.
pub fn patterns(text: &str, paragraphs: &[ShortParagraph]) -> Vec<Boilerplate> {
    paragraphs
        .iter()
        .filter(|p| is_furniture(text[p.span.clone()].trim()))
        .map(|p| Boilerplate { span: p.span.clone(), reason: Reason::Pattern, documents: 1 })
        .collect()
}

/// Documents of a corpus of `n` a paragraph must recur in to be judged
/// over the whole corpus.
pub fn corpus_min(n: usize) -> usize {
    ((n as f64 * 0.02).ceil() as usize).max(5)
}

/// Learns boilerplate from every document's short paragraphs.
///
/// `outlets[i]` is document `i`'s outlet; `related(x, y)` says whether two
/// documents are candidates of each other (likely copies).
pub fn learn(
    paragraphs: &[&[ShortParagraph]],
    outlets: &[Option<&str>],
    related: impl Fn(u32, u32) -> bool,
) -> Vec<Vec<Boilerplate>> {
    let corpus_min = corpus_min(paragraphs.len());
    // Every (key, document) once, sorted: a run of equal keys lists the
    // documents holding that paragraph, in document order.
    let mut holders: Vec<(u64, u32)> = paragraphs
        .par_iter()
        .enumerate()
        .flat_map_iter(|(doc, paras)| paras.iter().map(move |p| (p.key, doc as u32)))
        .collect();
    holders.par_sort_unstable();
    holders.dedup();
    let diverse = |docs: &[u32]| {
        let sample = &docs[..docs.len().min(DIVERSITY_SAMPLE)];
        let (mut pairs, mut copies) = (0usize, 0usize);
        for (i, &x) in sample.iter().enumerate() {
            for &y in &sample[i + 1..] {
                pairs += 1;
                copies += related(x, y) as usize;
            }
        }
        pairs > 0 && copies * 2 < pairs
    };
    let mut verdict = Verdicts::default();
    for run in holders.chunk_by(|x, y| x.0 == y.0).filter(|run| run.len() >= MIN_OUTLET_DOCS) {
        let key = run[0].0;
        let docs: Vec<u32> = run.iter().map(|&(_, doc)| doc).collect();
        if docs.len() >= corpus_min && diverse(&docs) {
            verdict.insert(key, (Reason::Corpus, docs.len()));
            continue;
        }
        let mut by_outlet: std::collections::BTreeMap<&str, Vec<u32>> = std::collections::BTreeMap::new();
        for &d in &docs {
            if let Some(o) = outlets[d as usize] {
                by_outlet.entry(o).or_default().push(d);
            }
        }
        if by_outlet.values().any(|ds| ds.len() >= MIN_OUTLET_DOCS && diverse(ds)) {
            verdict.insert(key, (Reason::Outlet, docs.len()));
        }
    }
    paragraphs.par_iter().map(|paras| apply(paras, &verdict)).collect()
}

/// Verdicts of boilerplate learned over a corpus: paragraph key to why it is
/// boilerplate and how many documents hold it.
pub type Verdicts = HashMapU64<(Reason, usize)>;

/// The boilerplate among a document's short `paragraphs` that `verdicts`
/// name (learned over the whole corpus, here or by an engine).
pub fn apply(paragraphs: &[ShortParagraph], verdicts: &Verdicts) -> Vec<Boilerplate> {
    paragraphs
        .iter()
        .filter_map(|p| {
            verdicts.get(&p.key).map(|&(reason, documents)| Boilerplate { span: p.span.clone(), reason, documents })
        })
        .collect()
}

/// Adds `learned` spans to a document's `boilerplate` (known furniture
/// kept as it is), in text order.
pub fn merge(boilerplate: &mut Vec<Boilerplate>, learned: Vec<Boilerplate>) {
    for b in learned {
        if !boilerplate.iter().any(|p| p.span == b.span) {
            boilerplate.push(b);
        }
    }
    boilerplate.sort_by_key(|b| b.span.start);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_furniture() {
        let text = "Story text that matters here and goes on.\n\n- Subscribe to Daily Updates\n\nLeave a Reply\n\nscroll to top";
        let found = patterns(text, &short_paragraphs(text));
        let spans: Vec<&str> = found.iter().map(|b| &text[b.span.clone()]).collect();
        assert_eq!(spans, ["- Subscribe to Daily Updates", "Leave a Reply", "scroll to top"]);
        for furniture in ["© 2018 Example Media. ALL RIGHTS RESERVED.", "All rights reserved", "Comments"] {
            assert!(is_furniture(furniture), "{furniture}");
        }
        for story in ["Rights were reserved for the council.", "The comments drew criticism from allies."] {
            assert!(!is_furniture(story), "{story}");
        }
    }

    #[test]
    fn learned_from_different_stories_not_from_copies() {
        let widget = "Updated 10:32 AM. Share on Facebook and Twitter.";
        let topics = ["harbour", "election", "orchard", "railway", "festival", "glacier"];
        let texts: Vec<String> = topics
            .iter()
            .enumerate()
            .map(|(i, t)| format!("A story about the {t}.\n\n{}", widget.replace("10:32", &format!("{i}:0{i}"))))
            .collect();
        let paras: Vec<Vec<ShortParagraph>> = texts.iter().map(|t| short_paragraphs(t)).collect();
        let refs: Vec<&[ShortParagraph]> = paras.iter().map(|p| p.as_slice()).collect();
        let outlets = vec![Some("site"); 6];
        let learned = learn(&refs, &outlets, |_, _| false);
        for (b, t) in learned.iter().zip(&texts) {
            assert_eq!(b.len(), 1, "{learned:?}");
            assert!(t[b[0].span.clone()].starts_with("Updated"));
        }
        // The same paragraph in documents that are copies of each other stays.
        let learned = learn(&refs, &outlets, |_, _| true);
        assert!(learned.iter().all(|b| b.is_empty()));
    }

    /// The short paragraphs found the plain way: every paragraph's tokens
    /// filtered out of the whole list, every token checked for digits.
    fn short_paragraphs_reference(text: &str) -> Vec<ShortParagraph> {
        let tokens = normalize(text).tokens;
        let quoted = quotes::spans(text);
        let mut out = Vec::new();
        for span in sentence::paragraphs(text) {
            let inside: Vec<&Token> = tokens.iter().filter(|t| span.contains(&(t.start as usize))).collect();
            if inside.is_empty() || inside.len() > MAX_TOKENS || quotes::quoted_bytes(&quoted, &span) * 2 > span.len() {
                continue;
            }
            let key = combine_hashes(inside.iter().map(|t| {
                let raw = &text[t.start as usize..t.end as usize];
                if !raw.bytes().any(|b| b.is_ascii_digit()) {
                    return t.hash;
                }
                let mut word = String::new();
                normalize_token(raw, &mut word);
                let folded: String = word.chars().map(|c| if c.is_ascii_digit() { '0' } else { c }).collect();
                xxhash_rust::xxh3::xxh3_64(folded.as_bytes())
            }));
            out.push(ShortParagraph { key, span });
        }
        out
    }

    proptest::proptest! {
        /// Paragraphs around the token limit, with and without digits and
        /// quotations, one line or several.
        #[test]
        fn short_paragraphs_match_the_reference(
            paragraphs in proptest::collection::vec(
                (0usize..50, proptest::bool::ANY, proptest::bool::ANY, proptest::bool::ANY),
                0..8,
            )
        ) {
            let text: String = paragraphs
                .iter()
                .enumerate()
                .map(|(i, &(words, digits, quoted, lines))| {
                    let body: Vec<String> = (0..words)
                        .map(|w| if digits && w % 7 == 3 { format!("{}:{w}", i + w) } else { ["alpha", "beta", "gamma", "delta", "epsilon"][(w * 31 + i) % 5].to_string() })
                        .collect();
                    let body = body.join(if lines { "\n" } else { " " });
                    if quoted { format!("\"{body}\"\n\n") } else { format!("{body}.\n\n") }
                })
                .collect();
            proptest::prop_assert_eq!(short_paragraphs(&text), short_paragraphs_reference(&text));
        }
    }
}
