//! The fuzz targets' bodies: bytes in, a panic out when an invariant breaks.
//!
//! Shared by the libFuzzer targets in `fuzz_targets/` (`make fuzz`) and by
//! `tests/fuzz_regressions.rs`, which replays every input saved under
//! `fuzz/regressions/TARGET/` on each `make test`. Each body checks what
//! must hold for any input, not only that nothing panics: every line is
//! accounted for, every span slices its text on character boundaries.

#![allow(dead_code)]

use copydesk::analysis::normalize::normalize as tokenize;
use copydesk::analysis::shingle::Shingles;
use copydesk::ingest::{self, html, IngestOptions, Input};
use copydesk::linking::align;
use copydesk::{Document, ScanConfig, Scanner};

/// Splits fuzz bytes into at most `n` texts at `0x1e` (record separator)
/// bytes, invalid UTF-8 replaced.
fn texts(data: &[u8], n: usize) -> Vec<String> {
    data.split(|&b| b == 0x1e).take(n).map(|t| String::from_utf8_lossy(t).into_owned()).collect()
}

/// JSON Lines on standard input: every line that holds anything is a
/// document or a skipped record, each exactly once; an input with no record
/// is reported as such.
pub fn jsonl(data: &[u8]) {
    let options = IngestOptions { max_document_bytes: 512, ..IngestOptions::default() };
    let got = ingest::ingest(&[Input::Stdin], &options, data).expect("reading bytes cannot fail");
    let body = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    let records = body.split(|&b| b == b'\n').filter(|l| !l.iter().all(u8::is_ascii_whitespace)).count();
    let accounted = got.documents.len() + got.skipped.len();
    assert_eq!(accounted, records.max(1), "{records} records, {accounted} accounted for");
    for d in &got.documents {
        assert!(!d.text.trim().is_empty());
        assert!(!d.text.contains('\0'));
    }
}

/// HTML reduction: copied pieces are the page's own bytes, every piece lies
/// inside the page, and every token of the text maps to a slice of it.
pub fn html(data: &[u8]) {
    let Ok(page) = std::str::from_utf8(data) else { return };
    let Ok(e) = html::extract(page) else { return };
    for p in &e.origin {
        assert!(p.src_start + p.src_len <= page.len());
        let (text, src) = (&e.text[p.text_start..p.text_start + p.len], &page[p.src_start..p.src_start + p.src_len]);
        // A piece of the same length is the page's bytes, or white space
        // folded to white space of the same length: either maps byte for byte.
        let folded = || text.bytes().chain(src.bytes()).all(|b| b.is_ascii_whitespace());
        assert!(p.len != p.src_len || text == src || folded(), "{text:?} from {src:?}");
    }
    let origin = html::origin(&e);
    for t in tokenize(&e.text).tokens {
        let src = origin.map(t.start as usize..t.end as usize);
        assert!(page.get(src.clone()).is_some(), "{src:?} does not slice the page");
    }
}

/// Normalization: tokens in order, non-empty, on character boundaries.
pub fn normalize_offsets(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut last = 0;
    for t in tokenize(&text).tokens {
        let (start, end) = (t.start as usize, t.end as usize);
        assert!(last <= start && start < end && end <= text.len(), "token {start}..{end} after {last}");
        assert!(text.is_char_boundary(start) && text.is_char_boundary(end));
        last = end;
    }
}

/// The libFuzzer target's name for [`normalize_offsets`].
pub fn normalize(data: &[u8]) {
    normalize_offsets(data)
}

/// Alignment of two texts: passages lie inside both token ranges, in
/// order on the first side.
pub fn align(data: &[u8]) {
    let texts = texts(data, 2);
    let [a, b] = [texts.first(), texts.get(1)].map(|t| t.map_or("", String::as_str));
    let (ta, tb) = (tokenize(a).tokens, tokenize(b).tokens);
    let k = 3;
    let (sa, sb) = (Shingles::with_k(&ta, k), Shingles::with_k(&tb, k));
    let mut shared: Vec<u64> = sa.hashes.iter().copied().filter(|h| sb.hashes.contains(h)).collect();
    shared.sort_unstable();
    shared.dedup();
    let passages = align::align(&sa, ta.len(), &sb, tb.len(), &shared, k);
    for p in &passages {
        assert!(p.a.start < p.a.end && p.a.end <= ta.len(), "{:?} of {} tokens", p.a, ta.len());
        assert!(p.b.start < p.b.end && p.b.end <= tb.len(), "{:?} of {} tokens", p.b, tb.len());
    }
}

/// A whole scan of up to four documents: every passage and repeat span
/// slices its document on character boundaries, and the scan's clusters
/// hold only documents it read.
pub fn scan(data: &[u8]) {
    let docs: Vec<Document> =
        texts(data, 4).into_iter().enumerate().map(|(i, t)| Document::from_text(format!("d{i}"), t)).collect();
    let n = docs.len();
    let scan = Scanner::new(ScanConfig::default()).scan(docs);
    assert_eq!(scan.documents.len(), n);
    for p in &scan.pairs {
        let (a, b) = (&scan.documents[p.a as usize].text, &scan.documents[p.b as usize].text);
        for passage in &p.passages {
            assert!(a.get(passage.text_a.clone()).is_some(), "{:?} in a text of {}", passage.text_a, a.len());
            assert!(b.get(passage.text_b.clone()).is_some(), "{:?} in a text of {}", passage.text_b, b.len());
        }
    }
    for (d, a) in scan.documents.iter().zip(&scan.analyses) {
        for r in &a.repeats {
            assert!(d.text.get(r.first.clone()).is_some() && d.text.get(r.second.clone()).is_some());
        }
    }
    for c in &scan.clusters {
        assert!(c.members.iter().all(|&m| (m as usize) < n));
    }
}
