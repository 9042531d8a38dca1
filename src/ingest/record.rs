//! One record's fields in (a JSON Lines line, a row of a caller's table),
//! a validated [`Document`] out, or the reason it cannot be one.
//!
//! The JSON Lines reader and the Python package's tables go through the
//! same checks, so a record refused on one path is refused, for the same
//! reason, on the other.

use crate::document::{Document, Metadata, Origin, Source};
use crate::time::Published;

/// A record's fields; empty or all-blank metadata counts as absent.
#[derive(Debug, Clone, Default)]
pub struct Record<'a> {
    pub id: Option<&'a str>,
    pub text: Option<&'a str>,
    pub outlet: Option<&'a str>,
    pub url: Option<&'a str>,
    pub title: Option<&'a str>,
    pub published: Option<&'a str>,
}

fn present(field: Option<&str>) -> Option<&str> {
    field.filter(|s| !s.trim().is_empty())
}

/// The reason `text` cannot be scanned, if any.
pub fn text_problem(text: &str) -> Option<&'static str> {
    if text.trim().is_empty() {
        Some("empty \"text\"")
    } else if text.len() > crate::document::MAX_DOCUMENT_BYTES {
        Some("\"text\" larger than 4 GiB")
    } else if memchr::memchr(0, text.as_bytes()).is_some() {
        // memchr's vector search: `str::contains` looks a word at a time.
        Some("\"text\" holds a NUL character (binary)")
    } else {
        None
    }
}

impl Record<'_> {
    /// Why this record cannot be scanned, if it cannot.
    pub fn problem(&self) -> Option<&'static str> {
        if present(self.id).is_none() {
            return Some("missing or empty \"id\"");
        }
        match self.text {
            None => Some("missing \"text\""),
            Some(text) => text_problem(text),
        }
    }

    /// The document this record makes, read from `source`.
    pub fn document(&self, source: Source) -> Result<Document, String> {
        if let Some(problem) = self.problem() {
            return Err(problem.into());
        }
        let (id, text) = (self.id.unwrap_or_default(), self.text.unwrap_or_default());
        let owned = |f: Option<&str>| present(f).map(str::to_string);
        Ok(Document {
            id: id.to_string(),
            source,
            meta: Metadata {
                outlet: owned(self.outlet),
                url: owned(self.url),
                title: owned(self.title),
                published: present(self.published).map(Published::parse),
                ..Metadata::default()
            },
            text: text.to_string(),
            origin: Origin::Identity,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_what_cannot_be_scanned() {
        let ok = Record { id: Some("a"), text: Some("Some words."), ..Record::default() };
        assert_eq!(ok.document(Source::Memory).unwrap().id, "a");
        let no_id = Record { id: Some("  "), ..ok.clone() };
        assert_eq!(no_id.document(Source::Memory).unwrap_err(), "missing or empty \"id\"");
        let blank = Record { text: Some(" \n"), ..ok.clone() };
        assert_eq!(blank.document(Source::Memory).unwrap_err(), "empty \"text\"");
        let nul = Record { text: Some("a\0b"), ..ok.clone() };
        assert!(nul.document(Source::Memory).unwrap_err().contains("NUL"));
        let blank_outlet = Record { outlet: Some(""), ..ok };
        assert_eq!(blank_outlet.document(Source::Memory).unwrap().meta.outlet, None);
    }
}
