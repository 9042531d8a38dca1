//! Headline: a document's text and analysis in, a title for a document
//! whose metadata has none out: its first line outside boilerplate that
//! reads as a headline, not as page furniture (a gallery counter "1 / 19",
//! "comments", a photo credit, a weather box, a call to sign up).

use crate::output::text::excerpt;

/// Words a line needs to read as a headline, and the most it may have.
const HEADLINE_WORDS: std::ops::RangeInclusive<usize> = 3..=30;
/// Characters of a title shown.
const TITLE_CHARS: usize = 120;
/// How lines of page furniture open (lowercased).
const FURNITURE_OPENINGS: &[&str] = &[
    "photo",
    "image",
    "file photo",
    "get ",
    "sign up",
    "subscribe",
    "click",
    "share",
    "follow",
    "download",
    "read more",
    "watch",
    "advertisement",
    "related",
    "copyright",
    "©",
    "posted",
    "updated",
    "by ",
];
/// What a photo credit holds (lowercased).
const PHOTO_CREDITS: &[&str] = &["photo/", "photo by", "getty images", "/ap", "/reuters", "/afp"];

/// The title: the first line that reads as a headline and does not end as
/// a sentence does, else the first that reads as a headline, else the first
/// line of a few words that is not furniture (clipped), else the first
/// line. `skip(at, line)` says whether the line starting at byte `at` is
/// known furniture (boilerplate, or a line many stories print).
pub fn headline(text: &str, skip: impl Fn(usize, &str) -> bool) -> String {
    let mut lines = Vec::new();
    let mut at = 0;
    for raw in text.split_inclusive('\n') {
        let line = raw.trim();
        let start = at + (raw.len() - raw.trim_start().len());
        at += raw.len();
        if !line.is_empty() {
            lines.push((line, skip(start, line)));
        }
    }
    let candidates = || lines.iter().filter(|(line, masked)| !masked && reads_as_headline(line)).map(|x| x.0);
    let line = candidates()
        .find(|line| !line.ends_with('.'))
        .or_else(|| candidates().next())
        .or_else(|| lines.iter().find(|(line, masked)| !masked && prose(line)).map(|x| x.0))
        .or_else(|| lines.first().map(|x| x.0))
        .unwrap_or("");
    excerpt(line, 0..line.len(), TITLE_CHARS)
}

/// A few words, mostly letters, one sentence at most, opening with a word
/// or a quote and not as page furniture does.
fn reads_as_headline(line: &str) -> bool {
    let words = line.split_whitespace().count();
    let letters = line.chars().filter(|c| c.is_alphabetic()).count();
    let first = line.chars().next().unwrap_or(' ');
    let opens_well = first.is_alphanumeric() || first == '"' || first == '“';
    HEADLINE_WORDS.contains(&words)
        && letters * 2 >= line.chars().count()
        && opens_well
        && !furniture(&line.to_lowercase())
        && !several_sentences(line)
}

/// A line of prose that is not furniture: a paragraph whose opening can
/// stand for a title.
fn prose(line: &str) -> bool {
    let lower = line.to_lowercase();
    line.split_whitespace().count() >= *HEADLINE_WORDS.start()
        && !FURNITURE_OPENINGS.iter().any(|o| lower.starts_with(o))
}

fn furniture(lower: &str) -> bool {
    FURNITURE_OPENINGS.iter().any(|o| lower.starts_with(o)) || PHOTO_CREDITS.iter().any(|c| lower.contains(c))
}

/// Whether a sentence ends inside the line and another starts after it.
fn several_sentences(line: &str) -> bool {
    let chars: Vec<char> = line.chars().collect();
    chars.windows(3).any(|w| matches!(w[0], '.' | '!' | '?') && w[1] == ' ' && w[2].is_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn title(text: &str) -> String {
        headline(text, |_, _| false)
    }

    #[test]
    fn skips_page_furniture() {
        let text = "comments\n1 / 19\nAP Photo/Markus Schreiber\n\
            Areas of fog early, becoming mostly sunny this afternoon. High 91F. Winds N at 5 to 10 mph.\n\
            Get breaking news alerts from Newsday\n\
            Trump sets expectations low for Helsinki summit with Putin\n\
            HELSINKI (AP) — President Donald Trump said on Sunday that he goes in with low expectations.";
        assert_eq!(title(text), "Trump sets expectations low for Helsinki summit with Putin");
    }

    #[test]
    fn falls_back_to_a_sentence_then_to_the_first_line() {
        assert_eq!(
            title("1 / 19\nThe summit ended without a joint statement.\n"),
            "The summit ended without a joint statement."
        );
        assert_eq!(
            title("share\n\nPeople hold placards during the march. (Photo by AFP)"),
            "People hold placards during the march. (Photo by AFP)"
        );
        assert_eq!(title("1 / 19\n2 / 19\n"), "1 / 19");
        assert_eq!(title(""), "");
    }
}
