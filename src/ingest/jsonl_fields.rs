//! One JSON Lines record's fields: a line's bytes in, its `id`, `text` and
//! metadata out, with every other field as a JSON value, ready for the
//! checks that make them a [`Document`].
//!
//! A line is read in one pass without building a JSON tree. The `text` is
//! taken as its raw JSON string, which serde_json has validated (escapes,
//! control characters, UTF-8), and decoded straight into a string of its
//! decoded length. Why: serde_json decodes an escaped string through a
//! scratch buffer that each parser grows from empty, a doubling at a time,
//! and a parser lives for one line; an article's text is most of its line,
//! so that growth (fresh memory, page faults), the tree's keys and the
//! copies out of it were most of what reading a line cost.
//!
//! What the one pass does not take as it comes (a line that is not a JSON
//! object, two `text` fields, a text that is not a string or has a
//! surrogate escape that is not part of a pair) is read again as a tree ([`Fields::from_tree`]): the
//! same fields, or the same error, worded by serde_json as it always was.

use crate::document::{Document, Metadata, Origin, Source};
use crate::time::Published;
use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use std::fmt;

/// A record's `text` field.
#[derive(Debug, PartialEq)]
enum Text {
    Missing,
    NotString,
    Given(String),
}

/// A record's fields; the last of two fields with one name counts, as in a
/// JSON tree.
#[derive(Debug, PartialEq)]
pub(super) struct Fields {
    id: Option<Value>,
    text: Text,
    outlet: Option<Value>,
    url: Option<Value>,
    published: Option<Value>,
    title: Option<Value>,
    extra: Map<String, Value>,
}

impl Fields {
    /// The fields of `line` in one pass, or None where the line has to be
    /// read as a tree (see the module's notes).
    pub(super) fn read(line: &[u8]) -> Option<Fields> {
        let raw: RawFields<'_> = serde_json::from_slice(line).ok()?;
        let text = match raw.text {
            None => Text::Missing,
            // serde_json steps over a raw value without the checks it makes
            // of a value it reads (how deep it nests, a number's range), so
            // a text that is no string is left to the tree's verdict.
            Some(value) if !value.get().starts_with('"') => return None,
            Some(value) => Text::Given(decode_string(value.get())?),
        };
        let RawFields { id, outlet, url, published, title, extra, .. } = raw;
        Some(Fields { id, text, outlet, url, published, title, extra })
    }

    /// The fields of `line` read as a JSON tree: the reference
    /// [`Fields::read`] is held to, and what reads the lines it leaves.
    pub(super) fn from_tree(line: &[u8]) -> Result<Fields, String> {
        let value: Value = serde_json::from_slice(line).map_err(|e| format!("malformed JSON: {e}"))?;
        let Value::Object(mut extra) = value else {
            return Err("not a JSON object".into());
        };
        let text = match extra.remove("text") {
            None => Text::Missing,
            Some(Value::String(s)) => Text::Given(s),
            Some(_) => Text::NotString,
        };
        let mut take = |key: &str| extra.remove(key);
        let (id, outlet, url, published, title) =
            (take("id"), take("outlet"), take("url"), take("published"), take("title"));
        Ok(Fields { id, text, outlet, url, published, title, extra })
    }

    /// The document these fields make, or why they make none.
    pub(super) fn document(self, source: Source) -> Result<Document, String> {
        let id = string_value(self.id).ok_or("missing or empty \"id\"")?;
        let text = match self.text {
            Text::Given(text) => text,
            Text::NotString => return Err("\"text\" is not a string".into()),
            Text::Missing => return Err("missing \"text\"".into()),
        };
        // The checks every record passes, whichever way it comes in.
        if let Some(problem) = super::record::text_problem(&text) {
            return Err(problem.into());
        }
        Ok(Document {
            id,
            source,
            meta: Metadata {
                outlet: string_value(self.outlet),
                url: string_value(self.url),
                title: string_value(self.title),
                published: string_value(self.published).map(|p| Published::parse(&p)),
                extra: self.extra,
                encoding: None,
            },
            text,
            origin: Origin::Identity,
        })
    }
}

/// A metadata field's string: a string that is not blank, or a number as
/// JSON writes it.
fn string_value(value: Option<Value>) -> Option<String> {
    match value? {
        Value::String(s) if !s.trim().is_empty() => Some(s),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The fields as one pass reads them: the text still a raw JSON value.
struct RawFields<'a> {
    id: Option<Value>,
    text: Option<&'a RawValue>,
    outlet: Option<Value>,
    url: Option<Value>,
    published: Option<Value>,
    title: Option<Value>,
    extra: Map<String, Value>,
}

/// A field's name: one of those read, or another kept as it is.
enum Key {
    Id,
    Text,
    Outlet,
    Url,
    Published,
    Title,
    Other(String),
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Key, D::Error> {
        deserializer.deserialize_identifier(KeyVisitor)
    }
}

struct KeyVisitor;

impl Visitor<'_> for KeyVisitor {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: de::Error>(self, name: &str) -> Result<Key, E> {
        Ok(match name {
            "id" => Key::Id,
            "text" => Key::Text,
            "outlet" => Key::Outlet,
            "url" => Key::Url,
            "published" => Key::Published,
            "title" => Key::Title,
            other => Key::Other(other.to_string()),
        })
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for RawFields<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<RawFields<'a>, D::Error> {
        deserializer.deserialize_map(RawFieldsVisitor(std::marker::PhantomData))
    }
}

struct RawFieldsVisitor<'a>(std::marker::PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for RawFieldsVisitor<'a> {
    type Value = RawFields<'a>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<RawFields<'a>, M::Error> {
        let mut fields = RawFields {
            id: None,
            text: None,
            outlet: None,
            url: None,
            published: None,
            title: None,
            extra: Map::new(),
        };
        while let Some(key) = map.next_key::<Key>()? {
            match key {
                Key::Id => fields.id = Some(map.next_value()?),
                // An earlier text is not decoded, so a second one is left
                // to the tree, which refuses the line if the first could
                // not be a string.
                Key::Text if fields.text.is_some() => return Err(de::Error::custom("two texts")),
                Key::Text => fields.text = Some(map.next_value()?),
                Key::Outlet => fields.outlet = Some(map.next_value()?),
                Key::Url => fields.url = Some(map.next_value()?),
                Key::Published => fields.published = Some(map.next_value()?),
                Key::Title => fields.title = Some(map.next_value()?),
                Key::Other(name) => {
                    let value = map.next_value()?;
                    fields.extra.insert(name, value);
                }
            }
        }
        Ok(fields)
    }
}

/// The string a raw JSON string (quotes included, validated by serde_json)
/// stands for, allocated at its length; None for a surrogate escape that is
/// not part of a pair, which serde_json refuses in a string.
fn decode_string(raw: &str) -> Option<String> {
    let inner = &raw[1..raw.len() - 1];
    let bytes = inner.as_bytes();
    // No escape is shorter than what it stands for, so the raw length is
    // room enough. Trimming the room to the length is then no copy when
    // both fall in one of the allocator's size classes, which is all but
    // always: escapes are a small part of a text.
    let mut out = String::with_capacity(inner.len());
    let mut at = 0;
    while let Some(found) = memchr::memchr(b'\\', &bytes[at..]) {
        let slash = at + found;
        out.push_str(&inner[at..slash]);
        let (c, len) = escape(&bytes[slash + 1..])?;
        out.push(c);
        at = slash + 1 + len;
    }
    out.push_str(&inner[at..]);
    out.shrink_to_fit();
    Some(out)
}

/// The character the escape after a backslash stands for, and the bytes
/// it takes after the backslash.
fn escape(after: &[u8]) -> Option<(char, usize)> {
    let simple = match after.first()? {
        b'n' => '\n',
        b't' => '\t',
        b'r' => '\r',
        b'b' => '\u{8}',
        b'f' => '\u{c}',
        b'u' => return unicode_escape(after),
        // `"`, `\` and `/` stand for themselves; validation let no other
        // byte through.
        &other => other as char,
    };
    Some((simple, 1))
}

/// A `\u` escape (`after` starts at the `u`): one code unit, or a
/// surrogate pair of two escapes.
fn unicode_escape(after: &[u8]) -> Option<(char, usize)> {
    let unit = hex4(after.get(1..5)?)?;
    if !(0xD800..0xE000).contains(&unit) {
        return Some((char::from_u32(unit)?, 5));
    }
    let low = match after.get(5..11)? {
        [b'\\', b'u', rest @ ..] => hex4(rest)?,
        _ => return None,
    };
    if !(0xD800..0xDC00).contains(&unit) || !(0xDC00..0xE000).contains(&low) {
        return None;
    }
    Some((char::from_u32(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))?, 11))
}

/// Four hexadecimal digits' value.
fn hex4(digits: &[u8]) -> Option<u32> {
    digits.iter().try_fold(0u32, |value, &d| Some(value * 16 + (d as char).to_digit(16)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn decodes_every_escape() {
        let raw = r#""a\nb\t\"q\"\\\/\b\f\r \u00e9 \ud83d\ude00 end""#;
        let expected: String = serde_json::from_str(raw).unwrap();
        assert_eq!(decode_string(raw).as_deref(), Some(expected.as_str()));
        assert_eq!(decode_string(raw).unwrap().capacity(), expected.len());
    }

    #[test]
    fn leaves_unpaired_surrogates_to_the_tree() {
        for raw in [r#""\ud800""#, r#""\udc00x""#, r#""\ud800\u0041""#, r#""\ud800\n""#] {
            assert_eq!(decode_string(raw), None, "{raw}");
            assert!(serde_json::from_str::<String>(raw).is_err(), "{raw}");
        }
    }

    #[test]
    fn reads_the_last_of_two_fields_as_a_tree_does() {
        let line = br#"{"id": 1, "id": "b", "text": "Two.", "x": [1], "x": {"y": null}, "outlet": " "}"#;
        assert_eq!(Fields::read(line), Some(Fields::from_tree(line).unwrap()));
        let two_texts = br#"{"id": 1, "text": "\ud800", "text": "Two."}"#;
        assert_eq!(Fields::read(two_texts), None);
        assert!(Fields::from_tree(two_texts).is_err());
    }

    #[test]
    fn leaves_a_text_that_is_no_string_to_the_tree() {
        let deep = format!(r#"{{"id": 1, "text": {}{}}}"#, "[".repeat(200), "]".repeat(200));
        assert_eq!(Fields::read(deep.as_bytes()), None);
        assert!(Fields::from_tree(deep.as_bytes()).unwrap_err().contains("recursion limit"));
        // Another field is read as a value, within the same limit.
        for depth in 125..130 {
            let line = format!(r#"{{"id": 1, "text": "t", "x": {}{}}}"#, "[".repeat(depth), "]".repeat(depth));
            assert_eq!(Fields::read(line.as_bytes()).ok_or(()), Fields::from_tree(line.as_bytes()).map_err(|_| ()));
        }
        let huge = br#"{"id": 1, "text": 1e999}"#;
        assert_eq!(Fields::read(huge), None);
        assert!(Fields::from_tree(huge).is_err());
    }

    #[test]
    fn leaves_what_is_not_an_object_to_the_tree() {
        assert_eq!(Fields::read(b"[1, 2]"), None);
        assert_eq!(Fields::read(b"{\"id\": 1,"), None);
        assert_eq!(Fields::from_tree(b"[1, 2]"), Err("not a JSON object".into()));
    }

    /// A JSON string's raw text, heavy in escapes of every kind, unpaired
    /// surrogates among them.
    fn raw_string() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            "[a-z \u{e9}\u{4e2d}]{0,6}",
            Just(r"\n".to_string()),
            Just(r#"\""#.to_string()),
            Just(r"\\".to_string()),
            Just(r"\/".to_string()),
            Just(r"\b\f\r\t".to_string()),
            (0u32..0x1_0000).prop_map(|unit| format!(r"\u{unit:04x}")),
            (0xD800u32..0xDC00, 0xDC00u32..0xE000).prop_map(|(hi, lo)| format!(r"\u{hi:04X}\u{lo:04x}")),
        ];
        proptest::collection::vec(piece, 0..12).prop_map(|pieces| format!("\"{}\"", pieces.concat()))
    }

    /// A field's raw value: a string, a number, or another kind.
    fn raw_value() -> impl Strategy<Value = String> {
        prop_oneof![
            4 => raw_string(),
            1 => prop_oneof![Just("12".to_string()), Just("-1.5e3".to_string()), Just("null".to_string())],
            1 => prop_oneof![Just("[1, \"a\"]".to_string()), Just("{\"k\": true}".to_string())],
        ]
    }

    proptest! {
        #[test]
        fn one_pass_reads_what_the_tree_reads(
            fields in proptest::collection::vec(
                (prop_oneof![
                    Just("id"), Just("text"), Just("outlet"), Just("url"),
                    Just("published"), Just("title"), Just("t\\u0065xt"), Just("other"),
                ], raw_value()),
                0..8,
            ),
        ) {
            let body: Vec<String> = fields.iter().map(|(key, value)| format!("\"{key}\": {value}")).collect();
            let line = format!("{{{}}}", body.join(", "));
            match Fields::read(line.as_bytes()) {
                Some(read) => prop_assert_eq!(Ok(read), Fields::from_tree(line.as_bytes()), "{}", line),
                // Left to the tree: only a line the tree refuses, one with
                // two texts, or one whose text is no string.
                None => {
                    let texts = fields.iter().filter(|(key, _)| key.contains("xt")).count();
                    let tree = Fields::from_tree(line.as_bytes());
                    prop_assert!(tree.as_ref().map_or(true, |f| f.text == Text::NotString) || texts > 1, "{}", line);
                }
            }
        }
    }
}
