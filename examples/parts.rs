use copydesk::ingest::{self, IngestOptions, Input};
use copydesk::*;
use std::time::Instant;
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
fn main() {
    let what = std::env::args().nth(1).unwrap();
    let got = ingest::ingest(&[Input::parse(&what)], &IngestOptions::default(), std::io::empty()).unwrap();
    let texts: Vec<&str> = got.documents.iter().map(|d| d.text.as_str()).collect();
    let mb = texts.iter().map(|t| t.len()).sum::<usize>() as f64 / 1e6;
    let time = |name: &str, f: &dyn Fn(&str) -> usize| {
        let t = Instant::now();
        let n: usize = texts.iter().map(|t| f(t)).sum();
        let s = t.elapsed().as_secs_f64();
        println!("{name:<24} {:>8.1} ms {:>8.0} MB/s  ({n})", s * 1e3, mb / s);
    };
    if std::env::args().nth(2).is_none() {
        time("normalize", &|t| normalize::normalize(t).tokens.len());
        time("shingles", &|t| shingle::Shingles::from_text(t, 5, 4).0.hashes.len());
        time("shingles+sig", &|t| {
            signature::Signature::new(&shingle::Shingles::from_text(t, 5, 4).0.hashes, 128)
                .map_or(0, |s| s.0[0] as usize)
        });
        time("provenance", &|t| provenance::read(t).credits.len());
        time("quotes", &|t| quotes::spans(t).len());
        time("paragraphs", &|t| sentence::paragraphs(t).len());
        time("short_paragraphs", &|t| boilerplate::short_paragraphs(t).len());
    }
    let config = ScanConfig::new(ScanOptions { rewrites: false, ..ScanOptions::default() }).unwrap();
    let docs: Vec<Document> = texts.iter().map(|t| Document::from_text("x", *t)).collect();
    let t = Instant::now();
    let n: usize = docs.iter().map(|d| scan::analyze(d, &config).num_tokens).sum();
    let s = t.elapsed().as_secs_f64();
    println!("{:<24} {:>8.1} ms {:>8.0} MB/s  ({n})", "analyze", s * 1e3, mb / s);
}
