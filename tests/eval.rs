//! `make eval`'s planted copies of real news, held to the figures copydesk
//! already earns, so a change cannot lose them unnoticed: passages nearly
//! exact, links rarely wrong, dated directions right. (The bars issue 15
//! sets beyond these are printed by `make eval`, not yet guarded.)

mod common;

use common::shared_corpus;
use copydesk::eval::{self, plant::paragraphs, Operation};
use copydesk::{Document, ScanConfig, Scanner};
use std::io::BufRead;

fn reuters(limit: usize) -> Vec<Document> {
    let file = std::fs::File::open(shared_corpus("reuters-21578.jsonl")).unwrap();
    std::io::BufReader::new(file)
        .lines()
        .take(limit)
        .map(|line| {
            let record: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
            Document::from_text(record["id"].as_str().unwrap(), record["text"].as_str().unwrap())
        })
        .collect()
}

#[test]
fn planted_copies_of_reuters_keep_todays_figures() {
    let articles = reuters(900);
    let (originals, rest) = articles.split_at(800);
    let local: Vec<String> =
        rest.iter().flat_map(|d| paragraphs(&d.text).into_iter().map(|p| d.text[p].to_string())).collect();
    let planted = eval::plant(originals, &local, true, 0x00e0a1);
    assert!(planted.cases.len() >= 200, "{} copies planted", planted.cases.len());
    let scan = Scanner::new(ScanConfig::default()).scan(planted.documents.clone());
    let (rows, ari) = eval::measure(&planted, &scan);
    for (op, f) in rows {
        let name = Operation::name(op);
        assert!(f.cases > 0, "{name}: no case");
        assert!(f.pair_recall() >= 0.85, "{name}: pairs found {:.3}", f.pair_recall());
        assert!(f.link_precision() >= 0.95, "{name}: link precision {:.3}", f.link_precision());
        assert!(f.passage_precision() >= 0.98, "{name}: passage precision {:.3}", f.passage_precision());
        assert!(f.passage_recall() >= 0.8, "{name}: passage recall {:.3}", f.passage_recall());
        assert!(f.direction_accuracy() >= 0.95, "{name}: dated direction accuracy {:.3}", f.direction_accuracy());
    }
    assert!(ari >= 0.75, "clusters' adjusted Rand index {ari:.3}");
}
