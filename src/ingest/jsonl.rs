//! JSON Lines: one article per line.
//!
//! Each line is an object with a string (or number) `id` and a string
//! `text`; `outlet`, `url`, `published` and `title` are read when present and
//! every other field is kept as given. Offsets into a JSON Lines article are
//! offsets into its decoded `text` value.
//!
//! A file or standard input is streamed: lines are read in batches, parsed
//! in parallel and added in line order, so memory holds the documents and
//! one batch, never the whole input. A UTF-8 byte order mark before the
//! first record is passed over, and so are blank lines. A line longer than
//! the record limit is read past without being kept; it, and a line that is
//! not valid JSON, not an object, lacks `id` or `text`, has an empty text or
//! one holding NUL, or repeats an earlier id, is reported with its line
//! number. An input with no record at all is reported too.

use super::jsonl_fields::Fields;
use super::{size, State};
use crate::document::{Document, Source};
use rayon::prelude::*;
use std::io::{self, BufRead};
use std::ops::Range;

/// Records are parsed in batches of about this many bytes: enough for the
/// worker threads to share, little enough that memory holds the documents
/// and one batch, not the file.
const BATCH_BYTES: usize = 16 << 20;

/// Room past [`BATCH_BYTES`] for the line that ends a batch: most lines
/// fit in it, a longer one makes the batch grow once.
const BATCH_SLACK: usize = 1 << 20;

/// A JSON Lines input read record by record.
pub(crate) struct Stream<R> {
    reader: R,
    name: String,
    /// Lines read so far.
    line: usize,
    /// Lines that held a record (not blank).
    records: usize,
}

/// One batch of lines: their bytes end to end, and each line's number and
/// range in them.
#[derive(Default)]
struct Batch {
    bytes: Vec<u8>,
    lines: Vec<(usize, Range<usize>)>,
    /// Lines over the record limit: their number and length (not kept).
    too_long: Vec<(usize, u64)>,
}

impl<R: BufRead> Stream<R> {
    pub(crate) fn new(reader: R, name: &str) -> Self {
        Stream { reader, name: name.to_string(), line: 0, records: 0 }
    }

    /// Reads every record into `state`, in line order. An I/O error ends
    /// the stream with what was read before it kept.
    pub(crate) fn read_into(mut self, state: &mut State) -> io::Result<()> {
        let max = state.options.max_document_bytes;
        // The batch's room is taken once, not doubled up to its size: each
        // doubling copies the batch into fresh memory, and fresh memory is
        // what a large input costs most (page faults). Room never filled
        // is never touched, so a small input costs nothing for it.
        let mut batch = Batch { bytes: Vec::with_capacity(BATCH_BYTES + BATCH_SLACK), ..Batch::default() };
        loop {
            let more = self.fill(&mut batch, max)?;
            self.parse(&batch, state);
            if !more {
                break;
            }
        }
        if self.records == 0 {
            let reason = if self.line == 0 { "empty (no records)" } else { "no records (only blank lines)" };
            state.skip_name(&self.name, None, reason.into());
        }
        Ok(())
    }

    /// Fills `batch` with the next lines; false at the end of the input.
    fn fill(&mut self, batch: &mut Batch, max: u64) -> io::Result<bool> {
        batch.bytes.clear();
        batch.lines.clear();
        batch.too_long.clear();
        while batch.bytes.len() < BATCH_BYTES {
            let start = batch.bytes.len();
            let Some(len) = self.next_line(&mut batch.bytes, max)? else {
                return Ok(false);
            };
            self.line += 1;
            let mut end = batch.bytes.len();
            if self.line == 1 && batch.bytes[start..end].starts_with(b"\xEF\xBB\xBF") {
                // A byte order mark is an encoding signature, not a record.
                batch.bytes.drain(start..start + 3);
                end -= 3;
            }
            if len > max {
                self.records += 1;
                batch.too_long.push((self.line, len));
            } else if batch.bytes[start..end].iter().all(u8::is_ascii_whitespace) {
                batch.bytes.truncate(start);
            } else {
                self.records += 1;
                batch.lines.push((self.line, start..end));
            }
        }
        Ok(true)
    }

    /// Appends the next line (without its `\n` or `\r\n`) to `out` and
    /// returns its full length; a line longer than `max` is read past and
    /// not kept. None at the end of the input.
    fn next_line(&mut self, out: &mut Vec<u8>, max: u64) -> io::Result<Option<u64>> {
        let start = out.len();
        let mut len: u64 = 0;
        let mut any = false;
        loop {
            let chunk = match self.reader.fill_buf() {
                Ok(c) => c,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if chunk.is_empty() {
                break;
            }
            any = true;
            let (piece, used, done) = match memchr::memchr(b'\n', chunk) {
                Some(i) => (&chunk[..i], i + 1, true),
                None => (chunk, chunk.len(), false),
            };
            len += piece.len() as u64;
            if len <= max {
                out.extend_from_slice(piece);
            } else {
                out.truncate(start);
            }
            self.reader.consume(used);
            if done {
                break;
            }
        }
        if !any {
            return Ok(None);
        }
        if out.len() > start && out.last() == Some(&b'\r') {
            out.pop();
            len -= 1;
        }
        Ok(Some(len))
    }

    /// Parses a batch (in parallel) and adds its records in line order, so
    /// the result does not depend on threads.
    fn parse(&self, batch: &Batch, state: &mut State) {
        let name = self.name.as_str();
        let parsed: Vec<(usize, Result<Document, String>)> = batch
            .lines
            .par_iter()
            .map(|(line, range)| (*line, parse_line(&batch.bytes[range.clone()], name, *line)))
            .collect();
        let mut too_long = batch.too_long.iter().peekable();
        for (line, result) in parsed {
            while let Some((long, len)) = too_long.next_if(|(l, _)| *l < line) {
                state.skip_name(name, Some(*long), too_large(*len, state.options.max_document_bytes));
            }
            match result {
                Ok(doc) => state.add(doc),
                Err(reason) => state.skip_name(name, Some(line), reason),
            }
        }
        for (long, len) in too_long {
            state.skip_name(name, Some(*long), too_large(*len, state.options.max_document_bytes));
        }
    }
}

/// Why a line longer than `max` bytes is not read.
pub fn too_large(len: u64, max: u64) -> String {
    format!("record larger than the limit of {} ({len} bytes); not read", size(max))
}

/// Parses one line into a document: in one pass, or as a JSON tree where
/// the one pass leaves the line (see `jsonl_fields.rs`).
pub fn parse_line(raw: &[u8], name: &str, line: usize) -> Result<Document, String> {
    let fields = match Fields::read(raw) {
        Some(fields) => fields,
        None => Fields::from_tree(raw)?,
    };
    fields.document(Source::JsonLine { path: name.to_string(), line })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_fields_and_keeps_unknown_ones() {
        let d =
            parse_line(br#"{"id": 7, "text": "Hello there.", "outlet": "x.com", "fetched_at": "2018-07-15"}"#, "f", 1)
                .unwrap();
        assert_eq!(d.id, "7");
        assert_eq!(d.meta.outlet.as_deref(), Some("x.com"));
        assert_eq!(d.meta.extra.get("fetched_at").and_then(serde_json::Value::as_str), Some("2018-07-15"));
    }

    #[test]
    fn reports_bad_lines() {
        assert!(parse_line(b"{not json", "f", 1).unwrap_err().starts_with("malformed JSON"));
        assert_eq!(parse_line(b"[1,2]", "f", 1).unwrap_err(), "not a JSON object");
        assert_eq!(parse_line(br#"{"text": "x"}"#, "f", 1).unwrap_err(), "missing or empty \"id\"");
        assert_eq!(parse_line(br#"{"id": "a", "text": " "}"#, "f", 1).unwrap_err(), "empty \"text\"");
        assert!(parse_line(br#"{"id": "a", "text": "\ud800"}"#, "f", 1).is_err());
    }
}
