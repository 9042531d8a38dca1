//! Files in legacy encodings are decoded, and every span still points into
//! their original bytes.

mod common;

use common::{scan_json, seed};
use encoding_rs::{UTF_16LE, WINDOWS_1252};
use std::fs;

/// The text of `bytes[span]` of a file decoded in `encoding`.
fn text_at(bytes: &[u8], span: &serde_json::Value, encoding: &'static encoding_rs::Encoding) -> String {
    let (start, end) = (span[0].as_u64().unwrap() as usize, span[1].as_u64().unwrap() as usize);
    let (text, bad) = encoding.decode_without_bom_handling(&bytes[start..end]);
    assert!(!bad, "span {start}..{end} cuts a character");
    text.into_owned()
}

#[test]
fn copies_in_legacy_encodings_are_found_with_offsets_into_their_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    // Story 003 with typographic quotes and accents, which Windows-1252
    // and UTF-16 encode differently from UTF-8.
    let story = seed("003").replace('\'', "\u{2019}").replace("Lavrov", "Lavr\u{f3}v");
    fs::write(p.join("a_original.txt"), &story).unwrap();
    let (latin, _, lossy) = WINDOWS_1252.encode(&story);
    assert!(!lossy);
    let page = [
        b"<html><head><meta charset=\"windows-1252\"><title>Copy</title></head><body><article><p>",
        &latin[..],
        b"</p></article></body></html>",
    ]
    .concat();
    fs::write(p.join("b_legacy.html"), &page).unwrap();
    let utf16: Vec<u8> = [0xff, 0xfe].into_iter().chain(story.encode_utf16().flat_map(u16::to_le_bytes)).collect();
    fs::write(p.join("c_utf16.txt"), &utf16).unwrap();

    let scan = scan_json(p, &["."]);
    let documents = scan["documents"].as_array().unwrap();
    let encodings: Vec<&str> = documents.iter().map(|d| d["encoding"].as_str().unwrap_or("UTF-8")).collect();
    assert_eq!(encodings, ["UTF-8", "windows-1252", "UTF-16LE"]);
    assert!(scan["skipped"].as_array().unwrap().is_empty(), "{}", scan["skipped"]);
    let files = [("./b_legacy.html", &page, WINDOWS_1252), ("./c_utf16.txt", &utf16, UTF_16LE)];
    for (name, bytes, encoding) in files {
        let pair = scan["pairs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|pr| pr["a"] == "./a_original.txt" && pr["b"] == name)
            .unwrap_or_else(|| panic!("no pair with {name}: {}", scan["pairs"]));
        let passages = pair["passages"].as_array().unwrap();
        assert!(!passages.is_empty());
        for passage in passages {
            let original = text_at(story.as_bytes(), &passage["a"], encoding_rs::UTF_8);
            let copied = text_at(bytes, &passage["b"], encoding);
            let words = |t: &str| t.split_whitespace().map(str::to_string).collect::<Vec<_>>();
            assert_eq!(words(&copied), words(&original), "{name}: passage {passage}");
        }
    }
}
