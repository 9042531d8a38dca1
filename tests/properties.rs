//! Property tests: fast paths against reference versions, estimators against
//! exact values within their statistical bounds, and arbitrary input through
//! every per-document stage without a panic and with offsets that slice the
//! original text.

use copydesk::analysis::normalize::{normalize, normalize_ascii, normalize_unicode};
use copydesk::analysis::shingle::fmix64;
use copydesk::analysis::signature::Signature;
use copydesk::ingest::{self, html, jsonl, IngestOptions, Input};
use copydesk::linking::candidates::BandParams;
use copydesk::{analysis::sentence, Document, ScanConfig, Scanner};
use proptest::prelude::*;

/// Text mixing the hard cases: bidi and zero-width marks, combining
/// sequences, apostrophes, CJK, Thai, emoji, fullwidth forms, newlines.
fn tricky_text() -> impl Strategy<Value = String> {
    let pieces = prop_oneof![
        Just("word".to_string()),
        Just(" ".to_string()),
        Just("\n\n".to_string()),
        Just(". ".to_string()),
        Just("\u{200B}".to_string()),
        Just("\u{200F}".to_string()),
        Just("\u{202E}".to_string()),
        Just("\u{00AD}".to_string()),
        Just("e\u{0301}".to_string()),
        Just("\u{0301}".to_string()),
        Just("’".to_string()),
        Just("'".to_string()),
        Just("北京".to_string()),
        Just("ภาษาไทย".to_string()),
        Just("Ａ１".to_string()),
        Just("ß".to_string()),
        Just("🙂".to_string()),
        Just("&amp;".to_string()),
        Just("<p>".to_string()),
        "\\PC{0,6}",
    ];
    proptest::collection::vec(pieces, 0..40).prop_map(|v| v.concat())
}

fn exact_jaccard(a: &[u64], b: &[u64]) -> f64 {
    let sa: std::collections::HashSet<_> = a.iter().collect();
    let sb: std::collections::HashSet<_> = b.iter().collect();
    let inter = sa.intersection(&sb).count();
    inter as f64 / (sa.len() + sb.len() - inter) as f64
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn ascii_fast_path_matches_general_path(text in "[ -~\n\t]{0,400}") {
        prop_assert_eq!(normalize_ascii(&text), Some(normalize_unicode(&text)));
    }

    /// Dense in apostrophes, long words and block edges (the fast path works
    /// 64 bytes at a time).
    #[test]
    fn ascii_fast_path_matches_general_path_on_words(text in "([a-zA-Z0-9]{0,20}['\n ,.-]{1,2}){0,40}") {
        prop_assert_eq!(normalize_ascii(&text), Some(normalize_unicode(&text)));
    }

    /// Whether a text is ASCII is found while the fast path tokenizes it:
    /// a text that is not must come out exactly as the general path gives
    /// it, wherever its first non-ASCII byte lies.
    #[test]
    fn normalize_matches_general_path_on_any_text(head in "[ -~\n]{0,300}", text in tricky_text()) {
        let text = format!("{head}{text}");
        prop_assert_eq!(normalize(&text), normalize_unicode(&text));
    }

    /// News text: ASCII words and white space of every kind around the
    /// non-ASCII islands the general path takes (curly quotes, dashes,
    /// accents, combining marks, no-break and zero-width spaces, fullwidth
    /// forms, an unspaced script), with apostrophes of both kinds on either
    /// side of an island's edge, and runs long enough to cross 64-byte
    /// blocks. Tokens and script must be the general path's.
    #[test]
    fn mixed_text_matches_general_path(pieces in proptest::collection::vec(prop_oneof![
        Just("Putin"), Just("met"), Just("O'Neil"), Just("'"), Just("’"), Just("’s"), Just(" "), Just("\t"),
        Just("\r\n"), Just("\n\n"), Just("“"), Just("”"), Just("—"), Just("-"), Just("\u{a0}"), Just("é"),
        Just("e\u{301}"), Just("\u{200B}"), Just("\u{00AD}"), Just("Ｐｕｔｉｎ"), Just("北京"), Just("ไทย"),
        Just("ß"), Just("İ"), Just("x"), Just("9"), Just("."),
        Just("averyveryverylongasciiwordthatrunsacrossablockedgeofsixtyfourbytes"),
    ], 0..60)) {
        let text = pieces.concat();
        prop_assert_eq!(normalize(&text), normalize_unicode(&text));
    }

    #[test]
    fn intersection_matches_a_set_intersection(
        a in proptest::collection::btree_set(0u64..400, 0..300),
        b in proptest::collection::btree_set(0u64..400, 0..300),
    ) {
        let (va, vb): (Vec<u64>, Vec<u64>) = (a.iter().copied().collect(), b.iter().copied().collect());
        let expected: Vec<u64> = a.intersection(&b).copied().collect();
        prop_assert_eq!(copydesk::linking::verify::intersection_len(&va, &vb), expected.len());
        prop_assert_eq!(copydesk::linking::verify::intersect(&va, &vb), expected);
    }

    #[test]
    fn winnowing_matches_reference(hashes in proptest::collection::vec(0u64..50, 0..300), w in 1usize..20) {
        let mut fast = copydesk::linking::candidates::winnow(&hashes, w);
        fast.sort_unstable();
        fast.dedup();
        prop_assert_eq!(fast, copydesk::linking::candidates::winnow_reference(&hashes, w));
    }

    #[test]
    fn token_offsets_slice_the_original(text in tricky_text()) {
        let n = normalize(&text);
        let mut last = 0;
        for t in &n.tokens {
            let (s, e) = (t.start as usize, t.end as usize);
            prop_assert!(s < e && e <= text.len());
            prop_assert!(s >= last, "tokens are in order and do not overlap");
            prop_assert!(text.is_char_boundary(s) && text.is_char_boundary(e));
            last = e;
        }
        for s in sentence::sentences(&text) {
            prop_assert!(text.get(s.span.clone()).is_some());
        }
    }

    #[test]
    fn html_origin_maps_to_the_html(body in tricky_text()) {
        let page = format!("<html><body><article><p>{body}</p><p>{body}</p></article></body></html>");
        if let Ok(e) = html::extract(&page) {
            let origin = html::origin(&e);
            for t in normalize(&e.text).tokens {
                let src = origin.map(t.start as usize..t.end as usize);
                prop_assert!(page.get(src.clone()).is_some(), "{:?} does not slice the page", src);
            }
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = ingest::check_text(&bytes);
        let _ = jsonl::parse_line(&bytes, "fuzz", 1);
        let dir = tempfile::tempdir().unwrap();
        for name in ["f.txt", "f.html", "f.jsonl"] {
            std::fs::write(dir.path().join(name), &bytes).unwrap();
        }
        let got = ingest::ingest(&[Input::Path(dir.path().to_path_buf())], &IngestOptions::default(), std::io::empty()).unwrap();
        // Every file is either read or reported.
        prop_assert!(got.documents.len() + got.skipped.len() >= 2);
        let scan = Scanner::new(ScanConfig::default()).scan(got.documents);
        prop_assert_eq!(scan.documents.len(), scan.analyses.len());
    }

    #[test]
    fn lone_surrogates_in_json_are_reported(code in 0xD800u32..0xE000) {
        let line = format!(r#"{{"id": "x", "text": "a \u{code:04x} b"}}"#);
        prop_assert!(jsonl::parse_line(line.as_bytes(), "f", 1).is_err());
    }

    #[test]
    fn scan_spans_slice_valid_text(texts in proptest::collection::vec(tricky_text(), 1..6)) {
        let mut docs: Vec<Document> = texts.iter().enumerate().map(|(i, t)| Document::from_text(i.to_string(), t.clone())).collect();
        // A copy of the first, so that pairs and passages exist.
        docs.push(Document::from_text("copy", format!("{} {}", texts[0], texts[0])));
        let scan = Scanner::new(ScanConfig::default()).scan(docs);
        for p in &scan.pairs {
            for x in &p.passages {
                prop_assert!(scan.documents[p.a as usize].text.get(x.a.clone()).is_some());
                prop_assert!(scan.documents[p.b as usize].text.get(x.b.clone()).is_some());
            }
        }
        for i in 0..scan.documents.len() {
            for (a, b, _) in scan.source_repeats(i) {
                prop_assert!(scan.documents[i].text.get(a).is_some());
                prop_assert!(scan.documents[i].text.get(b).is_some());
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// OPH MinHash with densification estimates Jaccard without bias, with
    /// standard deviation about sqrt(J(1-J)/n); allow 4.5 sigma plus slack.
    #[test]
    fn minhash_estimates_jaccard(size in 150usize..2000, overlap in 0.0f64..1.0, salt in any::<u64>()) {
        let shared = (size as f64 * overlap) as u64;
        let a: Vec<u64> = (0..size as u64).map(|i| fmix64(i ^ salt)).collect();
        let b: Vec<u64> = (0..size as u64).map(|i| if i < shared { fmix64(i ^ salt) } else { fmix64((i + 1_000_000) ^ salt) }).collect();
        let exact = exact_jaccard(&a, &b);
        let est = Signature::new(&a, 128).unwrap().jaccard(&Signature::new(&b, 128).unwrap());
        let sigma = (exact * (1.0 - exact) / 128.0).sqrt();
        prop_assert!((est - exact).abs() <= 4.5 * sigma + 0.02, "exact {} estimate {}", exact, est);
    }

    /// Pairs at Jaccard s share a band about as often as the S-curve says.
    #[test]
    fn lsh_collisions_follow_the_s_curve(s in 0.1f64..0.95, threshold in 0.3f64..0.8, salt in any::<u64>()) {
        let params = BandParams::optimal(threshold, 128);
        let trials = 200;
        let size = 300u64;
        // |A ∩ B| = x with |A| = |B| = size gives J = x / (2 size - x).
        let x = (2.0 * size as f64 * s / (1.0 + s)).round() as u64;
        let real_s = x as f64 / (2 * size - x) as f64;
        let mut hits = 0;
        for t in 0..trials {
            let base = salt.wrapping_add(t * 10_000_000);
            let a: Vec<u64> = (0..size).map(|i| fmix64(base + i)).collect();
            let b: Vec<u64> = (0..size).map(|i| if i < x { fmix64(base + i) } else { fmix64(base + 5_000_000 + i) }).collect();
            let (sa, sb) = (Signature::new(&a, 128).unwrap(), Signature::new(&b, 128).unwrap());
            let ka: Vec<u64> = copydesk::linking::candidates::band_keys(&sa, params).collect();
            let kb: Vec<u64> = copydesk::linking::candidates::band_keys(&sb, params).collect();
            if ka.iter().zip(&kb).any(|(p, q)| p == q) {
                hits += 1;
            }
        }
        let observed = hits as f64 / trials as f64;
        let expected = params.collision_probability(real_s);
        let sigma = (expected * (1.0 - expected) / trials as f64).sqrt();
        prop_assert!((observed - expected).abs() <= 4.5 * sigma + 0.06, "s {} expected {} observed {} ({:?})", real_s, expected, observed, params);
    }
}
