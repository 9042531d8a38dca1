//! Ingest: paths and standard input in, [`Document`]s out, plus a record of
//! every input that was not read and why, and a count of the files the
//! ignore rules left out.
//!
//! * A directory is walked recursively in sorted order (see `walk.rs`):
//!   symbolic links are followed, with loops and dangling links reported;
//!   hidden files, `.copydeskignore` rules, and `.gitignore` rules inside a
//!   git repository leave files out, and the files left out are counted.
//! * `*.jsonl` / `*.ndjson` files and standard input (`-`) are JSON Lines,
//!   streamed record by record (see [`jsonl`]): no limit on the file, a limit
//!   on each record.
//! * `*.html` / `*.htm` / `*.xhtml` are reduced to their article text (see
//!   [`html`]).
//! * `*.rss`, `*.atom`, `*.xml` are news feeds, one document per item (see
//!   [`feed`]); so is a `*.json` file that is a JSON Feed (any other is
//!   text).
//! * Any other file is plain text (Markdown included: its markup is
//!   punctuation to the tokenizer).
//! * Text and HTML files are decoded from the encoding they carry (a
//!   byte-order mark, a `<meta charset>`, or detection: see [`encoding`]),
//!   or the one the caller names; spans still point into their bytes.
//!
//! Every input named or walked ends as documents or as [`Skipped`] entries
//! with a true reason: a FIFO, socket or device (never opened, so a FIFO
//! cannot block the run), a file larger than the limit (refused from its
//! metadata, without reading it), binary, undecodable, empty, unreadable, the
//! same file reached twice through links, and a JSON line that is
//! malformed, too large, lacks `id`/`text` or repeats an id. A path given
//! explicitly that does not exist is an error.

pub mod encoding;
pub mod feed;
pub mod html;
pub mod jsonl;
mod jsonl_fields;
mod name;
pub mod record;
mod walk;

pub use crate::document::display_path;

use crate::document::{Document, Metadata, Origin, Source};
use crate::time::Published;
use std::collections::HashMap;
use std::fmt;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use thiserror::Error;

/// Default limit on one text or HTML file, and on one JSON Lines record.
pub const DEFAULT_MAX_BYTES: u64 = 256 * 1024 * 1024;

/// An input that was not turned into a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// The file (or `-` for standard input), as [`display_path`] names it.
    pub path: String,
    /// The file name's bytes, when they are not UTF-8 (`path` then escapes
    /// the bytes that are not, so two such names never print the same).
    pub path_bytes: Option<Vec<u8>>,
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
    /// `-` is standard input; anything else a path (any bytes the platform
    /// allows in one).
    pub fn parse(arg: impl AsRef<std::ffi::OsStr>) -> Input {
        let arg = arg.as_ref();
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
    /// A text or HTML file larger than this is skipped, unread.
    pub max_file_bytes: u64,
    /// A JSON Lines record (one line) larger than this is skipped; the
    /// rest of its file is read.
    pub max_document_bytes: u64,
    /// The encoding of every text and HTML file, instead of the one each
    /// declares or is detected in (see [`encoding`]).
    pub encoding: Option<&'static encoding_rs::Encoding>,
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions { max_file_bytes: DEFAULT_MAX_BYTES, max_document_bytes: DEFAULT_MAX_BYTES, encoding: None }
    }
}

/// An input that cannot be read at all.
#[derive(Debug, Error)]
pub enum IngestError {
    #[error("{0}: no such file or directory")]
    NotFound(String),
    #[error("reading standard input: {0}")]
    Stdin(std::io::Error),
}

/// Documents read, inputs skipped, and files the ignore rules left out.
#[derive(Debug, Clone, Default)]
pub struct Ingested {
    pub documents: Vec<Document>,
    pub skipped: Vec<Skipped>,
    /// Files in walked directories that were not read because they are
    /// hidden or an ignore file names them.
    pub ignored: usize,
}

/// What kind of file a path is, by its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    JsonLines,
    Html,
    /// RSS, Atom or JSON Feed.
    Feed,
    Text,
}

impl Format {
    pub fn of(path: &Path) -> Format {
        let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("jsonl" | "ndjson") => Format::JsonLines,
            Some("html" | "htm" | "xhtml") => Format::Html,
            Some(ext) if feed::is_feed_extension(ext) => Format::Feed,
            _ => Format::Text,
        }
    }
}

/// Reads `inputs` in order into documents.
pub fn ingest(inputs: &[Input], options: &IngestOptions, stdin: impl Read) -> Result<Ingested, IngestError> {
    let mut state = State::new(options.clone());
    let mut stdin = Some(stdin);
    for input in inputs {
        match input {
            Input::Stdin => {
                let Some(reader) = stdin.take() else {
                    state.skip_name("-", None, "standard input given more than once; read once".into());
                    continue;
                };
                let stream = jsonl::Stream::new(BufReader::with_capacity(1 << 20, reader), "-");
                stream.read_into(&mut state).map_err(IngestError::Stdin)?;
            }
            Input::Path(path) => {
                // `metadata` follows links and never opens the file, so a
                // FIFO named here cannot block.
                let meta = std::fs::metadata(path).map_err(|_| IngestError::NotFound(display_path(path)))?;
                if meta.is_dir() {
                    walk::walk(path, &mut state);
                } else {
                    state.file(path, &meta);
                }
            }
        }
    }
    Ok(state.out)
}

pub(crate) struct State {
    pub(crate) out: Ingested,
    /// Document id -> the document read under it first, in `out.documents`.
    seen: HashMap<String, usize>,
    /// (device, inode) of every file read -> its name: a file reached a
    /// second time through a link is reported, not scanned twice.
    files: HashMap<(u64, u64), String>,
    pub(crate) options: IngestOptions,
}

impl State {
    fn new(options: IngestOptions) -> Self {
        State { out: Ingested::default(), seen: HashMap::new(), files: HashMap::new(), options }
    }

    /// Records a skipped input named by its path.
    pub(crate) fn skip(&mut self, path: &Path, line: Option<usize>, reason: String) {
        self.out.skipped.push(Skipped { path: display_path(path), path_bytes: name::raw_bytes(path), line, reason });
    }

    /// Records a skipped input that has a name but no path (`-`).
    pub(crate) fn skip_name(&mut self, name: &str, line: Option<usize>, reason: String) {
        self.out.skipped.push(Skipped { path: name.to_string(), path_bytes: None, line, reason });
    }

    /// Adds a document unless its id was already taken.
    pub(crate) fn add(&mut self, doc: Document) {
        if let Some(&first) = self.seen.get(&doc.id) {
            let reason = format!("duplicate id {:?} (first read at {})", doc.id, self.out.documents[first].source);
            return self.skip_source(&doc.source, reason);
        }
        self.seen.insert(doc.id.clone(), self.out.documents.len());
        self.out.documents.push(doc);
    }

    pub(crate) fn skip_source(&mut self, at: &Source, reason: String) {
        match at {
            Source::File(path) => self.skip(path, None, reason),
            Source::JsonLine { path, line } => self.skip_name(path, Some(*line), reason),
            Source::FeedItem { path, item } => self.skip_name(&format!("{path}#{item}"), None, reason),
            Source::Memory | Source::Archived(_) => self.skip_name(&at.to_string(), None, reason),
        }
    }

    /// Reads one file whose metadata (links followed) is `meta`.
    fn file(&mut self, path: &Path, meta: &std::fs::Metadata) {
        if let Some(kind) = name::special_kind(meta) {
            return self.skip(path, None, format!("not a regular file ({kind}); not opened"));
        }
        if let Some(first) = self.first_reading(path, meta) {
            return self.skip(path, None, format!("same file as {first} (reached twice through a link)"));
        }
        let format = Format::of(path);
        if format == Format::JsonLines {
            return self.jsonl_file(path);
        }
        if meta.len() > self.options.max_file_bytes {
            let reason = format!(
                "larger than the limit of {} ({} bytes); not read",
                size(self.options.max_file_bytes),
                meta.len()
            );
            return self.skip(path, None, reason);
        }
        let bytes = match read_limited(path, self.options.max_file_bytes) {
            Ok(b) => b,
            Err(reason) => return self.skip(path, None, reason),
        };
        if format == Format::Feed {
            return self.feed_file(path, &bytes);
        }
        match document(path, format, &bytes, self.options.encoding) {
            Ok(doc) => self.add(doc),
            Err(reason) => self.skip(path, None, reason),
        }
    }

    /// The name the file was first read under, if it was read already;
    /// otherwise remembers this one.
    fn first_reading(&mut self, path: &Path, meta: &std::fs::Metadata) -> Option<String> {
        let key = name::file_key(meta)?;
        match self.files.get(&key) {
            Some(first) => Some(first.clone()),
            None => {
                self.files.insert(key, display_path(path));
                None
            }
        }
    }

    /// A feed's items, each a document or a skip named `path#item`. A
    /// `.json` file that is not a feed is read as text.
    fn feed_file(&mut self, path: &Path, bytes: &[u8]) {
        let name = display_path(path);
        match feed::read(bytes, &name) {
            Ok((docs, skipped)) => {
                if docs.is_empty() && skipped.is_empty() {
                    return self.skip(path, None, "a feed with no items".into());
                }
                for doc in docs {
                    self.add(doc);
                }
                for s in skipped {
                    self.skip_name(&format!("{name}#{}", s.item), None, s.reason);
                }
            }
            Err(_) if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("json")) => {
                match document(path, Format::Text, bytes, self.options.encoding) {
                    Ok(doc) => self.add(doc),
                    Err(reason) => self.skip(path, None, reason),
                }
            }
            Err(reason) => self.skip(path, None, reason),
        }
    }

    fn jsonl_file(&mut self, path: &Path) {
        let file = match name::open_regular(path) {
            Ok(f) => f,
            Err(reason) => return self.skip(path, None, reason),
        };
        let stream = jsonl::Stream::new(BufReader::with_capacity(1 << 20, file), &display_path(path));
        if let Err(e) = stream.read_into(self) {
            self.skip(path, None, format!("unreadable: {e}"));
        }
    }
}

/// A JSON Lines file's bytes as `copydesk scan` reads the file named
/// `name` (for an engine that reads files itself): its documents, each
/// with its line, and its skipped lines, with their reasons.
pub fn jsonl_bytes(bytes: &[u8], name: &str) -> Ingested {
    let mut state = State::new(IngestOptions::default());
    let stream = jsonl::Stream::new(std::io::Cursor::new(bytes), name);
    if let Err(e) = stream.read_into(&mut state) {
        state.skip_name(name, None, format!("unreadable: {e}"));
    }
    state.out
}

/// A text or HTML file's bytes as `copydesk scan` reads the file at `path`
/// (for an engine that reads files itself): the document, or why there is
/// none. Feeds and JSON Lines files hold many documents and are read
/// otherwise ([`jsonl::parse_line`], line by line).
pub fn file_document(path: &Path, bytes: &[u8]) -> Result<Document, String> {
    let max = IngestOptions::default().max_file_bytes;
    if bytes.len() as u64 > max {
        return Err(format!("larger than the limit of {} ({} bytes); not read", size(max), bytes.len()));
    }
    match Format::of(path) {
        format @ (Format::Text | Format::Html) => document(path, format, bytes, None),
        _ => Err("a feed or JSON Lines file, not one document's text".into()),
    }
}

/// A text or HTML file's bytes (in `forced` encoding, when given) as a
/// document.
fn document(
    path: &Path,
    format: Format,
    bytes: &[u8],
    forced: Option<&'static encoding_rs::Encoding>,
) -> Result<Document, String> {
    let decoded = encoding::decode(bytes, format == Format::Html, forced)?;
    check_decoded(&decoded.text)?;
    let mut doc = Document {
        id: display_path(path),
        source: Source::File(path.to_path_buf()),
        meta: Metadata::default(),
        text: String::new(),
        origin: Origin::Identity,
    };
    if decoded.encoding != encoding_rs::UTF_8 || decoded.origin != Origin::Identity {
        doc.meta.encoding = Some(decoded.encoding.name());
    }
    if format != Format::Html {
        doc.text = decoded.text;
        doc.origin = decoded.origin;
        return Ok(doc);
    }
    let e = html::extract(&decoded.text)?;
    if e.text.trim().is_empty() {
        return Err("no article text in the HTML".into());
    }
    doc.origin = html::origin(&e).then(&decoded.origin);
    doc.meta.title = e.title;
    doc.meta.outlet = e.outlet;
    doc.meta.url = e.url;
    doc.meta.published = e.published.as_deref().map(Published::parse);
    doc.text = e.text;
    Ok(doc)
}

/// Reads a regular file of at most `max` bytes (it may have grown since its
/// metadata was read).
fn read_limited(path: &Path, max: u64) -> Result<Vec<u8>, String> {
    let file: File = name::open_regular(path)?;
    let mut bytes = Vec::new();
    file.take(max + 1).read_to_end(&mut bytes).map_err(|e| format!("unreadable: {e}"))?;
    if bytes.len() as u64 > max {
        return Err(format!("larger than the limit of {}", size(max)));
    }
    Ok(bytes)
}

/// A byte count as people write it: `256 MiB`, `1.5 KiB`, `12 bytes`.
pub fn size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} bytes");
    }
    let mut value = bytes as f64;
    let mut unit = "bytes";
    for u in UNITS {
        if value < 1024.0 {
            break;
        }
        value /= 1024.0;
        unit = u;
    }
    let rounded = format!("{value:.1}");
    format!("{} {unit}", rounded.strip_suffix(".0").unwrap_or(&rounded))
}

/// Checks that `bytes` are non-empty UTF-8 text without NUL bytes.
pub fn check_text(bytes: &[u8]) -> Result<&str, String> {
    if let Some(at) = memchr::memchr(0, bytes) {
        return Err(format!("binary (a NUL byte at byte {at})"));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| format!("not valid UTF-8 (at byte {})", e.valid_up_to()))?;
    check_decoded(text)?;
    Ok(text)
}

/// Checks that decoded `text` has something to read and fits a document.
fn check_decoded(text: &str) -> Result<(), String> {
    if text.trim().is_empty() {
        return Err(if text.is_empty() { "empty".into() } else { "blank (only white space)".into() });
    }
    if text.len() > crate::document::MAX_DOCUMENT_BYTES {
        return Err("larger than 4 GiB".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_checks() {
        assert!(check_text(b"hello").is_ok());
        assert_eq!(check_text(b"").unwrap_err(), "empty");
        assert_eq!(check_text(b"  \n ").unwrap_err(), "blank (only white space)");
        assert_eq!(check_text(b"a\0b").unwrap_err(), "binary (a NUL byte at byte 1)");
        let late_nul = [vec![b'a'; 100_000], vec![0]].concat();
        assert!(check_text(&late_nul).unwrap_err().starts_with("binary"));
        assert_eq!(check_text(b"ok \xff").unwrap_err(), "not valid UTF-8 (at byte 3)");
    }

    #[test]
    fn formats_by_extension() {
        assert_eq!(Format::of(Path::new("a/b.JSONL")), Format::JsonLines);
        assert_eq!(Format::of(Path::new("a.htm")), Format::Html);
        assert_eq!(Format::of(Path::new("a.md")), Format::Text);
        assert_eq!(Format::of(Path::new("news.RSS")), Format::Feed);
        assert_eq!(Format::of(Path::new("README")), Format::Text);
    }

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(size(12), "12 bytes");
        assert_eq!(size(1536), "1.5 KiB");
        assert_eq!(size(DEFAULT_MAX_BYTES), "256 MiB");
    }
}
