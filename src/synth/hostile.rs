//! Hostile text for the edge benches and tests: a case and a size in, the
//! bytes of one input file out (with the extension that decides how it is
//! read), plus normal news of the same size to compare against.
//!
//! Each case is a shape real inputs take when something upstream went wrong
//! (a page with its line breaks stripped, a scraper's repeated widget, a
//! script written without spaces) or when someone wants copydesk to stall.
//! Every stage must stay linear on all of them.

use super::{paragraph, Rng, Vocabulary};

/// A shape of pathological input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hostile {
    /// News whose paragraphs are joined by spaces: one line.
    SingleLine,
    /// One word, repeated.
    OneWord,
    /// News with its spaces removed: one token as long as the text.
    Unspaced,
    /// News with every sentence stop removed.
    NoStops,
    /// Sentences of 100,000 words.
    LongSentences,
    /// One paragraph, repeated.
    IdenticalParagraphs,
    /// Nothing but quotation marks, straight, curly and angled.
    AllQuotes,
    /// `<div>` elements nested 100,000 deep, each with a sentence.
    DeepHtml,
    /// Paragraphs whose `<p>` is never closed (HTML5 allows it), so a
    /// parser without implied end tags nests each inside the last.
    UnclosedParagraphs,
}

impl Hostile {
    pub const ALL: [Hostile; 9] = [
        Hostile::SingleLine,
        Hostile::OneWord,
        Hostile::Unspaced,
        Hostile::NoStops,
        Hostile::LongSentences,
        Hostile::IdenticalParagraphs,
        Hostile::AllQuotes,
        Hostile::DeepHtml,
        Hostile::UnclosedParagraphs,
    ];

    /// A short name, for tables and file names.
    pub fn name(self) -> &'static str {
        match self {
            Hostile::SingleLine => "single-line",
            Hostile::OneWord => "one-word",
            Hostile::Unspaced => "unspaced",
            Hostile::NoStops => "no-stops",
            Hostile::LongSentences => "long-sentences",
            Hostile::IdenticalParagraphs => "identical-paragraphs",
            Hostile::AllQuotes => "all-quotes",
            Hostile::DeepHtml => "deep-html",
            Hostile::UnclosedParagraphs => "unclosed-paragraphs",
        }
    }

    /// The file extension that makes copydesk read the case as intended.
    pub fn extension(self) -> &'static str {
        match self {
            Hostile::DeepHtml | Hostile::UnclosedParagraphs => "html",
            _ => "txt",
        }
    }

    /// About `size` bytes of this case (the HTML cases keep their depth
    /// and grow their sentences to reach the size).
    pub fn generate(self, size: usize) -> String {
        match self {
            Hostile::SingleLine => news(size).replace("\n\n", " "),
            Hostile::OneWord => "copy ".repeat(size / 5),
            Hostile::Unspaced => news(size).replace([' ', '\n'], ""),
            Hostile::NoStops => news(size).replace(['.', ','], ""),
            Hostile::LongSentences => long_sentences(size),
            Hostile::IdenticalParagraphs => {
                let para = news(400).replace("\n\n", " ");
                let mut out = String::with_capacity(size + para.len());
                while out.len() < size {
                    out.push_str(&para);
                    out.push_str("\n\n");
                }
                out
            }
            Hostile::AllQuotes => {
                const MARKS: &[&str] = &["\"", "“", "”", "‘", "’", "«", "»", "'", "„", "「", "」"];
                let mut rng = Rng::new(7);
                let mut out = String::with_capacity(size + 4);
                while out.len() < size {
                    out.push_str(MARKS[rng.below(MARKS.len())]);
                    if rng.chance(0.2) {
                        out.push(' ');
                    }
                }
                out
            }
            Hostile::DeepHtml => nested_html(size, 100_000, "<div>", "</div>"),
            Hostile::UnclosedParagraphs => nested_html(size, size / 200, "<p>", ""),
        }
    }
}

/// Normal news text of about `size` bytes: paragraphs of sentences drawn
/// from the synthetic corpus's vocabulary.
pub fn news(size: usize) -> String {
    let mut rng = Rng::new(0x0e0e);
    let vocab = Vocabulary::new(50_000, &mut rng);
    let mut out = String::with_capacity(size + 1024);
    while out.len() < size {
        if !out.is_empty() {
            out.push_str("\n\n");
        }
        out.push_str(&paragraph(&vocab, &mut rng));
    }
    out
}

fn long_sentences(size: usize) -> String {
    let words: Vec<String> = news(size).replace(['.', ','], "").split_whitespace().map(str::to_string).collect();
    let mut out = String::with_capacity(size + 16);
    for (i, w) in words.iter().enumerate() {
        out.push_str(w);
        out.push_str(if (i + 1) % 100_000 == 0 { ". " } else { " " });
    }
    out
}

/// `depth` elements opened one inside the other, the words of a news text
/// of `size` bytes shared among them in order, then closed (when `close` is
/// not empty).
fn nested_html(size: usize, depth: usize, open: &str, close: &str) -> String {
    let text = news(size);
    let words: Vec<&str> = text.split_whitespace().collect();
    let depth = depth.max(1);
    let mut out = String::with_capacity(size + depth * (open.len() + close.len() + 1) + 64);
    out.push_str("<!doctype html><html><head><title>Deep</title></head><body>");
    for level in 0..depth {
        out.push_str(open);
        out.push_str(&words[level * words.len() / depth..(level + 1) * words.len() / depth].join(" "));
        out.push('\n');
    }
    for _ in 0..depth {
        out.push_str(close);
    }
    out.push_str("</body></html>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases_reach_their_size() {
        for case in Hostile::ALL {
            let text = case.generate(200_000);
            assert!(text.len() >= 150_000, "{}: {} bytes", case.name(), text.len());
            assert!(text.len() <= 2_000_000, "{}: {} bytes", case.name(), text.len());
        }
        assert_eq!(Hostile::DeepHtml.generate(1_000_000).matches("<div>").count(), 100_000);
        assert!(!Hostile::Unspaced.generate(10_000).contains(' '));
    }
}
