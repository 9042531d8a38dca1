//! Criterion benches of each per-document stage and of a whole scan, on a
//! synthetic news-like corpus made by `copydesk::synth` (fixed seed).

use copydesk::analysis::normalize::normalize;
use copydesk::analysis::shingle::Shingles;
use copydesk::analysis::signature::Signature;
use copydesk::synth::{Corpus, SynthOptions};
use copydesk::{analysis::repeats, linking::candidates, ScanConfig, ScanOptions, Scanner};
use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};

fn corpus() -> Corpus {
    Corpus::generate(&SynthOptions { articles: 2_000, ..SynthOptions::default() })
}

fn stages(c: &mut Criterion) {
    let corpus = corpus();
    let bytes: usize = corpus.documents.iter().map(|d| d.text.len()).sum();
    let texts: Vec<&str> = corpus.documents.iter().map(|d| d.text.as_str()).collect();
    let mut g = c.benchmark_group("stages");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.sample_size(10);
    g.bench_function("normalize", |b| b.iter(|| texts.iter().map(|t| normalize(t).tokens.len()).sum::<usize>()));
    g.bench_function("normalize+shingle+minhash", |b| {
        b.iter(|| {
            texts
                .iter()
                .map(|t| {
                    let (s, _, _) = Shingles::from_text(t, 5, 4);
                    Signature::new(&s.hashes, 128).map_or(0, |s| s.0[0] as usize)
                })
                .sum::<usize>()
        })
    });
    let shingles: Vec<Shingles> = texts.iter().map(|t| Shingles::with_k(&normalize(t).tokens, 5)).collect();
    g.bench_function("minhash", |b| {
        b.iter(|| shingles.iter().map(|s| Signature::new(&s.hashes, 128).map_or(0, |s| s.0[0] as usize)).sum::<usize>())
    });
    g.bench_function("winnow", |b| {
        b.iter(|| shingles.iter().map(|s| candidates::winnow(&s.hashes, 8).len()).sum::<usize>())
    });
    g.bench_function("sentences+repeats", |b| {
        b.iter(|| {
            texts
                .iter()
                .map(|t| {
                    let (shingles, _, _) = Shingles::from_text(t, 5, 4);
                    repeats::find(t, &shingles, 8).len()
                })
                .sum::<usize>()
        })
    });
    g.finish();
}

fn whole_scan(c: &mut Criterion) {
    let corpus = corpus();
    let bytes: usize = corpus.documents.iter().map(|d| d.text.len()).sum();
    let mut g = c.benchmark_group("scan");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.sample_size(10);
    let scanner = Scanner::new(ScanConfig::default());
    g.bench_function("whole scan", |b| b.iter(|| black_box(scanner.scan(corpus.documents.clone())).clusters.len()));
    let doc_only = Scanner::new(ScanConfig::new(ScanOptions { rewrites: false, ..ScanOptions::default() }).unwrap());
    g.bench_function("document-level scan", |b| {
        b.iter(|| black_box(doc_only.scan(corpus.documents.clone())).clusters.len())
    });
    g.finish();
}

criterion_group!(benches, stages, whole_scan);
criterion_main!(benches);
