//! Ingest: paths and standard input in, [`Document`]s out, plus a record of
//! everything that was not read and why.
//!
//! * A directory is walked recursively in sorted order, honouring
//!   `.gitignore`, `.ignore` and `.copydeskignore` files (via the `ignore`
//!   crate) and skipping hidden files.
//! * `*.jsonl` / `*.ndjson` files and standard input (`-`) are JSON Lines:
//!   one article per line (see [`jsonl`]).
//! * `*.html` / `*.htm` / `*.xhtml` are reduced to their article text (see
//!   [`html`]).
//! * Any other file is plain text (Markdown included: its markup is
//!   punctuation to the tokenizer).
//!
//! A file that is binary, not UTF-8, empty, larger than the limit or
//! unreadable, and a JSON line that is malformed or lacks `id`/`text`, is
//! recorded as [`Skipped`] with its reason; nothing is dropped silently. A
//! path given explicitly that does not exist is an error.

pub mod html;
pub mod jsonl;

use crate::document::{Document, Metadata, Origin, Source};
use crate::time::Published;
use std::collections::HashMap;
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// Default limit on one input file (and on standard input).
pub const DEFAULT_MAX_BYTES: u64 = 256 * 1024 * 1024;

/// An input that was not turned into a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// The file (or `-` for standard input).
    pub path: String,
    /// The 1-based line, for JSON Lines.
    pub line: Option<usize>,
    pub reason: String,
}

impl fmt::Display for Skipped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.path, line, self.reason),
            None => write!(f, "{}: {}", self.path, self.reason),
        }
    }
}

/// What to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Path(PathBuf),
    /// JSON Lines on standard input.
    Stdin,
}

impl Input {
    /// `-` is standard input; anything else a path.
    pub fn parse(arg: &str) -> Input {
        if arg == "-" {
            Input::Stdin
        } else {
            Input::Path(PathBuf::from(arg))
        }
    }
}

/// Ingest settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IngestOptions {
    pub max_bytes: u64,
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions { max_bytes: DEFAULT_MAX_BYTES }
    }
}

/// An input that cannot be read at all.
#[derive(Debug, Error)]
pub enum IngestError {
    #[error("{0}: no such file or directory")]
    NotFound(PathBuf),
    #[error("reading standard input: {0}")]
    Stdin(std::io::Error),
}

/// Documents read, and inputs skipped.
#[derive(Debug, Clone, Default)]
pub struct Ingested {
    pub documents: Vec<Document>,
    pub skipped: Vec<Skipped>,
}

/// What kind of file a path is, by its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    JsonLines,
    Html,
    Text,
}

impl Format {
    pub fn of(path: &Path) -> Format {
        let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("jsonl" | "ndjson") => Format::JsonLines,
            Some("html" | "htm" | "xhtml") => Format::Html,
            _ => Format::Text,
        }
    }
}

/// Reads `inputs` in order into documents.
pub fn ingest(inputs: &[Input], options: &IngestOptions, stdin: impl Read) -> Result<Ingested, IngestError> {
    let mut state = State { out: Ingested::default(), seen: HashMap::new(), options: options.clone() };
    let mut stdin = Some(stdin);
    for input in inputs {
        match input {
            Input::Stdin => {
                let Some(reader) = stdin.take() else {
                    state.skip("-", None, "standard input given more than once; read once".into());
                    continue;
                };
                let mut bytes = Vec::new();
                reader.take(options.max_bytes + 1).read_to_end(&mut bytes).map_err(IngestError::Stdin)?;
                if bytes.len() as u64 > options.max_bytes {
                    state.skip("-", None, format!("larger than the limit of {} bytes", options.max_bytes));
                    continue;
                }
                jsonl::read(&bytes, "-", &mut state);
            }
            Input::Path(path) => {
                let meta = std::fs::metadata(path).map_err(|_| IngestError::NotFound(path.clone()))?;
                if meta.is_dir() {
                    state.walk(path);
                } else {
                    state.file(path);
                }
            }
        }
    }
    Ok(state.out)
}

pub(crate) struct State {
    pub(crate) out: Ingested,
    /// Document id -> where it was first read.
    seen: HashMap<String, String>,
    options: IngestOptions,
}

impl State {
    pub(crate) fn skip(&mut self, path: &str, line: Option<usize>, reason: String) {
        self.out.skipped.push(Skipped { path: path.to_string(), line, reason });
    }

    /// Adds a document unless its id was already taken.
    pub(crate) fn add(&mut self, doc: Document, at: &str, line: Option<usize>) {
        if let Some(first) = self.seen.get(&doc.id) {
            let reason = format!("duplicate id {:?} (first read at {first})", doc.id);
            self.skip(at, line, reason);
            return;
        }
        self.seen.insert(doc.id.clone(), doc.source.to_string());
        self.out.documents.push(doc);
    }

    fn walk(&mut self, dir: &Path) {
        let walker = ignore::WalkBuilder::new(dir)
            .add_custom_ignore_filename(".copydeskignore")
            .require_git(false)
            .sort_by_file_path(|a, b| a.cmp(b))
            .build();
        for entry in walker {
            match entry {
                Ok(e) if e.file_type().is_some_and(|t| t.is_file()) => self.file(e.path()),
                Ok(_) => {}
                Err(err) => {
                    let path = match &err {
                        ignore::Error::WithPath { path, .. } => path.display().to_string(),
                        _ => dir.display().to_string(),
                    };
                    self.skip(&path, None, format!("unreadable: {err}"));
                }
            }
        }
    }

    fn file(&mut self, path: &Path) {
        let name = path.display().to_string();
        let bytes = match read_limited(path, self.options.max_bytes) {
            Ok(b) => b,
            Err(reason) => return self.skip(&name, None, reason),
        };
        let format = Format::of(path);
        if format == Format::JsonLines {
            return jsonl::read(&bytes, &name, self);
        }
        let text = match check_text(&bytes) {
            Ok(t) => t,
            Err(reason) => return self.skip(&name, None, reason),
        };
        let mut doc = Document {
            id: name.clone(),
            source: Source::File(path.to_path_buf()),
            meta: Metadata::default(),
            text: String::new(),
            origin: Origin::Identity,
        };
        if format == Format::Html {
            let e = match html::extract(text) {
                Ok(e) => e,
                Err(reason) => return self.skip(&name, None, reason),
            };
            if e.text.trim().is_empty() {
                return self.skip(&name, None, "no article text in the HTML".into());
            }
            doc.origin = html::origin(&e);
            doc.meta.title = e.title;
            doc.meta.outlet = e.outlet;
            doc.meta.url = e.url;
            doc.meta.published = e.published.as_deref().map(Published::parse);
            doc.text = e.text;
        } else {
            doc.text = text.to_string();
        }
        self.add(doc, &name, None);
    }
}

fn read_limited(path: &Path, max: u64) -> Result<Vec<u8>, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("unreadable: {e}"))?;
    let mut bytes = Vec::new();
    file.take(max + 1).read_to_end(&mut bytes).map_err(|e| format!("unreadable: {e}"))?;
    if bytes.len() as u64 > max {
        return Err(format!("larger than the limit of {max} bytes"));
    }
    Ok(bytes)
}

/// Checks that `bytes` are non-empty UTF-8 text.
pub fn check_text(bytes: &[u8]) -> Result<&str, String> {
    if bytes.iter().take(8192).any(|&b| b == 0) {
        return Err("binary (NUL bytes)".into());
    }
    let text = std::str::from_utf8(bytes).map_err(|e| format!("not valid UTF-8 (at byte {})", e.valid_up_to()))?;
    if text.trim().is_empty() {
        return Err("empty".into());
    }
    if text.len() > crate::scan::MAX_DOCUMENT_BYTES {
        return Err("larger than 4 GiB".into());
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_checks() {
        assert!(check_text(b"hello").is_ok());
        assert_eq!(check_text(b"").unwrap_err(), "empty");
        assert_eq!(check_text(b"  \n ").unwrap_err(), "empty");
        assert!(check_text(b"a\0b").unwrap_err().starts_with("binary"));
        assert_eq!(check_text(b"ok \xff").unwrap_err(), "not valid UTF-8 (at byte 3)");
    }

    #[test]
    fn formats_by_extension() {
        assert_eq!(Format::of(Path::new("a/b.JSONL")), Format::JsonLines);
        assert_eq!(Format::of(Path::new("a.htm")), Format::Html);
        assert_eq!(Format::of(Path::new("a.md")), Format::Text);
        assert_eq!(Format::of(Path::new("README")), Format::Text);
    }
}
