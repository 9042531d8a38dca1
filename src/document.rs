//! The first stage: one article as copydesk sees it.
//!
//! A [`Document`] holds the text that is analysed plus an [`Origin`] that maps
//! every byte offset of that text back to the original input. For plain text,
//! Markdown and JSON Lines the two are the same bytes (for JSON Lines the
//! original is the decoded `text` field); for HTML the text is the article
//! reduced from the markup, and the origin maps each piece back into the HTML.
//! Every span copydesk reports goes through [`Origin::map`], so a report can
//! highlight the exact bytes of what the user gave it.

use crate::time::Published;
use serde_json::{Map, Value};
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// Documents above this many bytes are refused: offsets are kept in 32 bits.
pub const MAX_DOCUMENT_BYTES: usize = u32::MAX as usize;

/// The name of `path` in ids, output and messages: the path itself when it
/// is UTF-8; otherwise its valid stretches as they are and every byte that
/// is not valid UTF-8 as `\xHH`, so `a\xff.txt` and `a\xfe.txt` stay two
/// names (a lossy conversion would make both `a�.txt`).
pub fn display_path(path: &Path) -> String {
    let os = path.as_os_str();
    if let Some(s) = os.to_str() {
        return s.to_string();
    }
    let mut out = String::new();
    for chunk in os.as_encoded_bytes().utf8_chunks() {
        out.push_str(chunk.valid());
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02X}"));
        }
    }
    out
}

/// Where a document came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A file read whole (text, Markdown or HTML).
    File(PathBuf),
    /// One line of a JSON Lines file (1-based line number).
    JsonLine { path: String, line: usize },
    /// Made in memory by a library caller.
    Memory,
    /// Read back from a feed index, where it was archived from this source.
    Archived(String),
    /// One item of an RSS, Atom or JSON Feed file (1-based item number).
    FeedItem { path: String, item: usize },
}

impl Source {
    /// The bytes of a file name that is not UTF-8 (None for any other
    /// source), for output that must name the file exactly.
    pub fn path_bytes(&self) -> Option<Vec<u8>> {
        match self {
            Source::File(p) => p.to_str().is_none().then(|| p.as_os_str().as_encoded_bytes().to_vec()),
            _ => None,
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::File(p) => f.write_str(&display_path(p)),
            Source::JsonLine { path, line } => write!(f, "{path}:{line}"),
            Source::Memory => f.write_str("(memory)"),
            Source::Archived(from) => f.write_str(from),
            Source::FeedItem { path, item } => write!(f, "{path}#{item}"),
        }
    }
}

/// Publication metadata; all optional, unknown JSON fields kept verbatim.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Metadata {
    pub outlet: Option<String>,
    pub url: Option<String>,
    pub title: Option<String>,
    pub published: Option<Published>,
    pub extra: Map<String, Value>,
    /// The encoding a file was decoded from, when it was not UTF-8.
    pub encoding: Option<&'static str>,
}

/// One piece of the analysed text and where it sits in the original input.
///
/// A piece is either copied (`len == src_len`, byte for byte; a single
/// white-space byte folded to a space counts as copied, since it maps one
/// byte to one) or a replacement (an HTML entity decoded, a run of white
/// space folded, a paragraph break inserted) that maps as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Piece {
    pub text_start: usize,
    pub len: usize,
    pub src_start: usize,
    pub src_len: usize,
}

/// How offsets in the analysed text map back to the original input bytes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Origin {
    /// The analysed text is the original input.
    #[default]
    Identity,
    /// Pieces in text order covering the whole analysed text.
    Pieces(Vec<Piece>),
}

impl Origin {
    /// Maps a byte range of the analysed text to the original input.
    ///
    /// A range that starts or ends inside a replaced piece widens to the whole
    /// piece, so the result always covers at least the source of the text.
    pub fn map(&self, range: Range<usize>) -> Range<usize> {
        match self {
            Origin::Identity => range,
            Origin::Pieces(pieces) => {
                if pieces.is_empty() {
                    return 0..0;
                }
                let start = Self::map_start(pieces, range.start);
                let end = if range.end > range.start { Self::map_end(pieces, range.end) } else { start };
                start..end.max(start)
            }
        }
    }

    /// This map (analysed text to an intermediate text) followed by
    /// `inner` (the intermediate text to the input bytes): for HTML read
    /// in a legacy encoding, the reduction's map then the decoding's.
    pub fn then(self, inner: &Origin) -> Origin {
        let inner_pieces = match inner {
            Origin::Identity => return self,
            Origin::Pieces(p) => p,
        };
        let outer = match self {
            Origin::Identity => return inner.clone(),
            Origin::Pieces(p) => p,
        };
        let mut out = Vec::with_capacity(outer.len());
        for o in outer {
            if o.len != o.src_len {
                let source = inner.map(o.src_start..o.src_start + o.src_len);
                out.push(Piece {
                    text_start: o.text_start,
                    len: o.len,
                    src_start: source.start,
                    src_len: source.len(),
                });
                continue;
            }
            // A copied piece: its bytes are the intermediate text's, which
            // the inner pieces map (copied, or one character whole).
            let (from, to) = (o.src_start, o.src_start + o.len);
            let first = inner_pieces.partition_point(|p| p.text_start + p.len <= from);
            for p in inner_pieces[first..].iter().take_while(|p| p.text_start < to) {
                let (start, end) = (from.max(p.text_start), to.min(p.text_start + p.len));
                let text_start = o.text_start + (start - from);
                out.push(if p.len == p.src_len {
                    Piece {
                        text_start,
                        len: end - start,
                        src_start: p.src_start + (start - p.text_start),
                        src_len: end - start,
                    }
                } else {
                    Piece { text_start, len: end - start, src_start: p.src_start, src_len: p.src_len }
                });
            }
        }
        Origin::Pieces(out)
    }

    fn piece_at(pieces: &[Piece], offset: usize) -> &Piece {
        let idx = pieces.partition_point(|p| p.text_start + p.len <= offset);
        &pieces[idx.min(pieces.len() - 1)]
    }

    fn map_start(pieces: &[Piece], offset: usize) -> usize {
        let p = Self::piece_at(pieces, offset);
        if p.len == p.src_len {
            p.src_start + offset.saturating_sub(p.text_start).min(p.len)
        } else {
            p.src_start
        }
    }

    fn map_end(pieces: &[Piece], offset: usize) -> usize {
        let p = Self::piece_at(pieces, offset - 1);
        if p.len == p.src_len {
            p.src_start + (offset - p.text_start).min(p.len)
        } else {
            p.src_start + p.src_len
        }
    }
}

/// An article: identity, metadata, analysed text and its origin map.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub id: String,
    pub source: Source,
    pub meta: Metadata,
    pub text: String,
    pub origin: Origin,
}

impl Document {
    /// A document made from text in memory, with no metadata.
    pub fn from_text(id: impl Into<String>, text: impl Into<String>) -> Self {
        Document {
            id: id.into(),
            source: Source::Memory,
            meta: Metadata::default(),
            text: text.into(),
            origin: Origin::Identity,
        }
    }

    /// Sets the publication time from text such as `2023-10-18T09:00:00Z`.
    pub fn with_published(mut self, published: &str) -> Self {
        self.meta.published = Some(Published::parse(published));
        self
    }

    /// Sets the outlet.
    pub fn with_outlet(mut self, outlet: &str) -> Self {
        self.meta.outlet = Some(outlet.to_string());
        self
    }

    /// Maps a byte range of [`Document::text`] to the original input.
    pub fn source_span(&self, range: Range<usize>) -> Range<usize> {
        self.origin.map(range)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_maps_unchanged() {
        assert_eq!(Origin::Identity.map(3..9), 3..9);
    }

    #[test]
    fn pieces_map_copied_and_replaced_text() {
        // source: "<p>A &amp; B</p><p>C</p>" analysed as "A & B\n\nC"
        let pieces = vec![
            Piece { text_start: 0, len: 2, src_start: 3, src_len: 2 }, // "A "
            Piece { text_start: 2, len: 1, src_start: 5, src_len: 5 }, // "&" <- "&amp;"
            Piece { text_start: 3, len: 2, src_start: 10, src_len: 2 }, // " B"
            Piece { text_start: 5, len: 2, src_start: 12, src_len: 0 }, // "\n\n"
            Piece { text_start: 7, len: 1, src_start: 19, src_len: 1 }, // "C"
        ];
        let origin = Origin::Pieces(pieces);
        assert_eq!(origin.map(0..1), 3..4);
        assert_eq!(origin.map(2..3), 5..10);
        assert_eq!(origin.map(0..5), 3..12);
        assert_eq!(origin.map(7..8), 19..20);
        assert_eq!(origin.map(4..8), 11..20);
    }
}
