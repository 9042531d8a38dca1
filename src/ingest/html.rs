//! HTML to article text, with an origin map back into the markup.
//!
//! The page is parsed with `tl`, a real HTML parser that borrows every text
//! node from the input, so each piece of text knows its byte offset in the
//! file. The article is the first `<article>`, else `<main>`, else `<body>`,
//! else the whole page; scripts, styles, navigation, headers, footers,
//! asides and forms are dropped. Block elements end paragraphs (a `"\n\n"`
//! piece that maps to no source bytes), entities are decoded (each a piece
//! that maps to the whole entity), and whitespace runs with a line break fold
//! to one space, so paragraph structure comes from the markup, not from how
//! the HTML source was wrapped.

use crate::document::{Origin, Piece};
use tl::{Node, NodeHandle, Parser, ParserOptions};

/// What an HTML page reduces to.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Extracted {
    pub text: String,
    pub origin: Vec<Piece>,
    pub title: Option<String>,
    pub published: Option<String>,
    pub outlet: Option<String>,
    pub url: Option<String>,
}

const SKIPPED: &[&str] = &[
    "script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form", "svg", "iframe", "button",
    "select", "head", "object", "canvas",
];
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "td",
    "th",
    "table",
    "blockquote",
    "section",
    "article",
    "figcaption",
    "figure",
    "pre",
    "hr",
    "dd",
    "dt",
    "dl",
    "main",
    "address",
];

struct Builder<'a> {
    input: &'a str,
    out: Extracted,
}

impl Builder<'_> {
    fn push(&mut self, text: &str, src_start: usize, src_len: usize) {
        if text.is_empty() && src_len == 0 {
            return;
        }
        // Folded whitespace right after a break (or at the start) adds nothing.
        if text == " " && src_len != 1 && (self.out.text.is_empty() || self.out.text.ends_with([' ', '\n'])) {
            return;
        }
        self.out.origin.push(Piece { text_start: self.out.text.len(), len: text.len(), src_start, src_len });
        self.out.text.push_str(text);
    }

    fn paragraph_break(&mut self, src_at: usize) {
        let t = &self.out.text;
        if t.is_empty() || t.ends_with("\n\n") {
            return;
        }
        let trimmed = t.trim_end_matches([' ', '\n']).len();
        if trimmed == 0 {
            return;
        }
        self.push("\n\n", src_at, 0);
    }

    /// Adds a raw text node found at `offset` of the input.
    fn text_node(&mut self, raw: &str, offset: usize) {
        let bytes = raw.as_bytes();
        let mut i = 0;
        let mut copied = 0;
        while i < bytes.len() {
            let replaced: Option<(String, usize)> = match bytes[i] {
                b'&' => decode_entity(&raw[i..]),
                b' ' | b'\t' | b'\r' | b'\n' => {
                    let run = bytes[i..].iter().take_while(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n')).count();
                    let folds = bytes[i..i + run].iter().any(|&b| b != b' ') || run > 1;
                    folds.then(|| (" ".to_string(), run))
                }
                _ => None,
            };
            match replaced {
                Some((text, len)) => {
                    if copied < i {
                        self.push(&raw[copied..i], offset + copied, i - copied);
                    }
                    self.push(&text, offset + i, len);
                    i += len;
                    copied = i;
                }
                None => i += 1,
            }
        }
        if copied < bytes.len() {
            self.push(&raw[copied..], offset + copied, bytes.len() - copied);
        }
    }

    fn offset_of(&self, slice: &[u8]) -> Option<usize> {
        let base = self.input.as_ptr() as usize;
        let at = slice.as_ptr() as usize;
        (at >= base && at + slice.len() <= base + self.input.len()).then(|| at - base)
    }

    /// Adds the text under `root`, in document order. The walk keeps its
    /// own stack instead of recursing, so markup nested any number of
    /// levels deep (a page of unclosed `<p>`, which this parser nests) loses
    /// no text and cannot overflow the thread's stack.
    fn walk(&mut self, root: NodeHandle, parser: &Parser<'_>) {
        enum Step {
            Enter(NodeHandle),
            /// A block element's end: a paragraph break at this source offset.
            Close(usize),
        }
        let mut stack = vec![Step::Enter(root)];
        while let Some(step) = stack.pop() {
            let handle = match step {
                Step::Enter(handle) => handle,
                Step::Close(at) => {
                    self.paragraph_break(at);
                    continue;
                }
            };
            match handle.get(parser) {
                Some(Node::Raw(bytes)) => {
                    let raw = bytes.as_bytes();
                    if let (Some(offset), Ok(s)) = (self.offset_of(raw), std::str::from_utf8(raw)) {
                        self.text_node(s, offset);
                    }
                }
                Some(Node::Tag(tag)) => {
                    let name = tag.name().as_utf8_str().to_ascii_lowercase();
                    if SKIPPED.contains(&name.as_str()) {
                        continue;
                    }
                    let at = self.offset_of(tag.raw().as_bytes()).unwrap_or(0);
                    if BLOCKS.contains(&name.as_str()) {
                        self.paragraph_break(at);
                        stack.push(Step::Close(at + tag.raw().as_bytes().len()));
                    }
                    let first_child = stack.len();
                    stack.extend(tag.children().top().iter().map(|child| Step::Enter(*child)));
                    stack[first_child..].reverse();
                }
                Some(Node::Comment(_)) | None => {}
            }
        }
    }
}

/// Decodes the entity at the start of `s`: its text and its length in `s`.
fn decode_entity(s: &str) -> Option<(String, usize)> {
    let end = s[1..].find(|c: char| c == ';' || !c.is_ascii_alphanumeric() && c != '#').map(|i| i + 1)?;
    if s.as_bytes().get(end) != Some(&b';') || end > 12 {
        return None;
    }
    let name = &s[1..end];
    let c = if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse::<u32>().ok()?,
        };
        char::from_u32(code).filter(|&c| c != '\0').unwrap_or('\u{FFFD}')
    } else {
        match name {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            "nbsp" => '\u{A0}',
            "ndash" => '–',
            "mdash" => '—',
            "lsquo" => '‘',
            "rsquo" => '’',
            "ldquo" => '“',
            "rdquo" => '”',
            "hellip" => '…',
            "copy" => '©',
            "reg" => '®',
            "trade" => '™',
            "shy" => '\u{AD}',
            "laquo" => '«',
            "raquo" => '»',
            "eacute" => 'é',
            "euro" => '€',
            "pound" => '£',
            _ => return None,
        }
    };
    Some((c.to_string(), end + 1))
}

fn meta_content(dom: &tl::VDom<'_>, parser: &Parser<'_>, key: &str, value: &str) -> Option<String> {
    dom.query_selector(&format!("meta[{key}=\"{value}\"]"))?
        .filter_map(|h| h.get(parser)?.as_tag()?.attributes().get("content")??.try_as_utf8_str().map(str::to_string))
        .next()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// Reduces an HTML page to its article text.
pub fn extract(input: &str) -> Result<Extracted, String> {
    let dom = tl::parse(input, ParserOptions::default()).map_err(|e| format!("HTML could not be parsed: {e}"))?;
    let parser = dom.parser();
    let mut b = Builder { input, out: Extracted::default() };
    let root = ["article", "main", "body"].iter().find_map(|sel| dom.query_selector(sel).and_then(|mut it| it.next()));
    match root {
        Some(h) => b.walk(h, parser),
        None => {
            for h in dom.children() {
                b.walk(*h, parser);
            }
        }
    }
    let mut out = b.out;
    while out.text.ends_with([' ', '\n']) {
        let Some(last) = out.origin.last_mut() else {
            break;
        };
        if last.len == last.src_len && last.len > 0 {
            // A copied piece ending in whitespace: shorten it in place.
            let drop = out.text.len() - out.text.trim_end_matches([' ', '\n']).len();
            let keep = last.len.saturating_sub(drop);
            out.text.truncate(last.text_start + keep);
            last.len = keep;
            last.src_len = keep;
            if keep == 0 {
                out.origin.pop();
            }
        } else {
            out.text.truncate(last.text_start);
            out.origin.pop();
        }
    }
    out.title = dom
        .query_selector("title")
        .and_then(|mut it| it.next())
        .and_then(|h| h.get(parser))
        .map(|n| n.inner_text(parser).trim().to_string())
        .filter(|s| !s.is_empty());
    out.published = meta_content(&dom, parser, "property", "article:published_time")
        .or_else(|| meta_content(&dom, parser, "name", "date"))
        .or_else(|| meta_content(&dom, parser, "itemprop", "datePublished"));
    out.outlet = meta_content(&dom, parser, "property", "og:site_name");
    out.url = meta_content(&dom, parser, "property", "og:url");
    Ok(out)
}

/// The origin of an extraction.
pub fn origin(extracted: &Extracted) -> Origin {
    Origin::Pieces(extracted.origin.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn article_text_with_exact_origin() {
        let html = "<html><head><title>T</title><script>var x='<p>no</p>';</script></head>\
                    <body><nav>Home | World</nav><article><h1>Big &amp; bold</h1>\
                    <p>First   paragraph\n here.</p><p>Second.</p></article>\
                    <footer>Subscribe</footer></body></html>";
        let e = extract(html).unwrap();
        assert_eq!(e.text, "Big & bold\n\nFirst paragraph here.\n\nSecond.");
        assert_eq!(e.title.as_deref(), Some("T"));
        let origin = Origin::Pieces(e.origin.clone());
        // Every word maps back to the same word in the HTML.
        for word in ["Big", "bold", "First", "paragraph", "here", "Second"] {
            let at = e.text.find(word).unwrap();
            let src = origin.map(at..at + word.len());
            assert_eq!(&html[src], word);
        }
        let amp = e.text.find('&').unwrap();
        assert_eq!(&html[origin.map(amp..amp + 1)], "&amp;");
    }

    #[test]
    fn metadata_from_meta_tags() {
        let html = r#"<html><head><meta property="article:published_time" content="2023-10-18T10:00:00Z">
            <meta property="og:site_name" content="Example News"></head><body><p>Hi there.</p></body></html>"#;
        let e = extract(html).unwrap();
        assert_eq!(e.published.as_deref(), Some("2023-10-18T10:00:00Z"));
        assert_eq!(e.outlet.as_deref(), Some("Example News"));
        assert_eq!(e.text, "Hi there.");
    }
}
