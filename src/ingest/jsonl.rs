//! JSON Lines: one article per line.
//!
//! Each line is an object with a string (or number) `id` and a string
//! `text`; `outlet`, `url`, `published` and `title` are read when present and
//! every other field is kept as given. Offsets into a JSON Lines article are
//! offsets into its decoded `text` value. Blank lines are passed over; a line
//! that is not valid JSON, not an object, lacks `id` or `text`, has an empty
//! text or repeats an earlier id is reported with its line number.

use super::State;
use crate::document::{Document, Metadata, Origin, Source};
use crate::time::Published;
use rayon::prelude::*;
use serde_json::{Map, Value};

const KNOWN: &[&str] = &["id", "text", "outlet", "url", "published", "title"];

/// Reads every line of `bytes` (a JSON Lines file named `name`).
pub(crate) fn read(bytes: &[u8], name: &str, state: &mut State) {
    let lines: Vec<(usize, &[u8])> = bytes
        .split(|&b| b == b'\n')
        .enumerate()
        .map(|(i, raw)| (i + 1, raw.strip_suffix(b"\r").unwrap_or(raw)))
        .filter(|(_, raw)| !raw.iter().all(u8::is_ascii_whitespace))
        .collect();
    // Parsing is the slow part and independent per line; ids are checked in
    // line order afterwards, so the result does not depend on threads.
    let parsed: Vec<(usize, Result<Document, String>)> =
        lines.into_par_iter().map(|(line, raw)| (line, parse_line(raw, name, line))).collect();
    for (line, result) in parsed {
        match result {
            Ok(doc) => state.add(doc, name, Some(line)),
            Err(reason) => state.skip(name, Some(line), reason),
        }
    }
}

fn string_field(obj: &Map<String, Value>, key: &str) -> Option<String> {
    match obj.get(key)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Parses one line into a document.
pub fn parse_line(raw: &[u8], name: &str, line: usize) -> Result<Document, String> {
    let value: Value = serde_json::from_slice(raw).map_err(|e| format!("malformed JSON: {e}"))?;
    let Value::Object(obj) = value else {
        return Err("not a JSON object".into());
    };
    let id = string_field(&obj, "id").ok_or("missing or empty \"id\"")?;
    let text = match obj.get("text") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
        Some(Value::String(_)) => return Err("empty \"text\"".into()),
        Some(_) => return Err("\"text\" is not a string".into()),
        None => return Err("missing \"text\"".into()),
    };
    if text.len() > crate::scan::MAX_DOCUMENT_BYTES {
        return Err("\"text\" larger than 4 GiB".into());
    }
    let extra: Map<String, Value> =
        obj.iter().filter(|(k, _)| !KNOWN.contains(&k.as_str())).map(|(k, v)| (k.clone(), v.clone())).collect();
    Ok(Document {
        id,
        source: Source::JsonLine { path: name.to_string(), line },
        meta: Metadata {
            outlet: string_field(&obj, "outlet"),
            url: string_field(&obj, "url"),
            title: string_field(&obj, "title"),
            published: string_field(&obj, "published").map(|p| Published::parse(&p)),
            extra,
        },
        text,
        origin: Origin::Identity,
    })
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
        assert_eq!(d.meta.extra.get("fetched_at").and_then(Value::as_str), Some("2018-07-15"));
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
