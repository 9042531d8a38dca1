//! `make eval`: plants edited copies of real news (Reuters-21578) with
//! byte-exact truth, scans the corpus with and without publication dates,
//! and prints per operation: link recall and precision, passage precision
//! and recall, the share of directions decided and their accuracy, and the
//! adjusted Rand index of the clusters and of the stories; and how hard
//! negatives (independent reports of one event) fared.
//!
//! cargo run --release --example eval -- [CORPUS.jsonl] [ORIGINALS]

use copydesk::eval::{self, plant::paragraphs, Operation};
use copydesk::{Document, ScanConfig, Scanner};
use std::io::BufRead;

fn main() -> anyhow::Result<()> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    // `--show OPERATION`: print what the scan missed of each copy made so.
    let show = args.iter().position(|a| a == "--show").map(|i| {
        let op = args.get(i + 1).cloned().unwrap_or_default();
        args.drain(i..(i + 2).min(args.len()));
        op
    });
    let corpus = args.first().cloned().unwrap_or_else(|| "../shared/corpora/reuters-21578.jsonl".into());
    let originals: usize = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(2000);
    let articles = read(&corpus, originals + 500)?;
    anyhow::ensure!(articles.len() > originals, "{corpus}: fewer than {} articles", originals + 1);
    let (corpus_articles, rest) = articles.split_at(originals);
    // Paragraphs of articles left out of the corpus: a localized copy's own.
    let local: Vec<String> =
        rest.iter().flat_map(|d| paragraphs(&d.text).into_iter().map(|p| d.text[p].to_string())).collect();
    println!("{originals} Reuters articles from {corpus}, each with six paragraphs or more planted once");
    for dated in [true, false] {
        let planted = eval::plant(corpus_articles, &local, dated, 0x00e0a1);
        let scan = Scanner::new(ScanConfig::default()).scan(planted.documents.clone());
        let measured = eval::measure(&planted, &scan);
        println!();
        println!(
            "{} ({} copies)",
            if dated { "with publication dates" } else { "without any dates" },
            planted.cases.len()
        );
        println!(
            "{:<9} {:>5} {:>7} {:>7} {:>7} {:>7} {:>7} {:>8} {:>8}",
            "operation", "cases", "paired", "link R", "link P", "pass P", "pass R", "decided", "dir acc"
        );
        for (op, f) in &measured.rows {
            println!(
                "{:<9} {:>5} {:>7.3} {:>7.3} {:>7.3} {:>7.3} {:>7.3} {:>8.3} {:>8.3}",
                Operation::name(*op),
                f.cases,
                f.pair_recall(),
                f.link_recall(),
                f.link_precision(),
                f.passage_precision(),
                f.passage_recall(),
                f.decided_share(),
                f.direction_accuracy()
            );
        }
        let n = &measured.negatives;
        println!(
            "hard negatives (independent reports quoting one statement, one background box): {} pairs, {} paired, {} linked, {} in one story",
            n.pairs, n.paired, n.linked, n.same_story
        );
        println!("adjusted Rand index of clusters: {:.4}; of stories: {:.4}", measured.cluster_ari, measured.story_ari);
        if let Some(op) = &show {
            show_missed(&planted, &scan, op);
            if op == "negatives" {
                show_negatives(&planted, &scan);
            }
            show_false_links(&planted, &scan, op);
        }
    }
    Ok(())
}

/// Prints, for each copy made by operation `op`, the planted text the scan's
/// passages missed and the direction it gave.
fn show_missed(planted: &eval::Planted, scan: &copydesk::Scan, op: &str) {
    for case in planted.cases.iter().filter(|c| c.operation.name() == op) {
        for &source in &case.sources {
            let pair = scan
                .pairs
                .iter()
                .find(|p| (p.a.min(p.b), p.a.max(p.b)) == (case.copy.min(source) as u32, case.copy.max(source) as u32));
            let verdict = pair.map_or("unpaired".to_string(), |p| {
                let said = match p.attribution.direction {
                    copydesk::attribution::provenance::Direction::AToB => {
                        if p.a as usize == source {
                            "right"
                        } else {
                            "wrong"
                        }
                    }
                    copydesk::attribution::provenance::Direction::BToA => {
                        if p.b as usize == source {
                            "right"
                        } else {
                            "wrong"
                        }
                    }
                    _ => "undetermined",
                };
                let evidence: Vec<String> = p.attribution.evidence.iter().map(|e| e.detail.clone()).collect();
                format!("{} {} [{}]", p.relation.as_str(), said, evidence.join("; "))
            });
            if std::env::var_os("EVAL_PASSAGES").is_some() {
                for p in pair.map(|p| p.passages.as_slice()).unwrap_or_default() {
                    println!("   passage {:?} {:?} {}", p.a, p.b, p.kind.as_str());
                }
            }
            let missed = eval::measure::missed(planted, scan, case, source);
            println!("-- {} <- {}: {verdict}", planted.documents[case.copy].id, planted.documents[source].id);
            for (side, r) in missed {
                let text = &planted.documents[if side == 0 { case.copy } else { source }].text;
                println!("   missed {} {:?}: {:?}", ["copy", "source"][side], r, &text[r.clone()]);
            }
        }
    }
}

/// Prints the links of copies made by `op` that the truth does not hold.
fn show_false_links(planted: &eval::Planted, scan: &copydesk::Scan, op: &str) {
    for case in planted.cases.iter().filter(|c| c.operation.name() == op) {
        for p in scan.pairs.iter().filter(|p| p.relation.links()) {
            let other = if p.a as usize == case.copy {
                p.b as usize
            } else if p.b as usize == case.copy {
                p.a as usize
            } else {
                continue;
            };
            if !case.sources.contains(&other) {
                println!(
                    "-- link {} ~ {}: {} reuse {:.2}/{:.2}",
                    planted.documents[case.copy].id,
                    planted.documents[other].id,
                    p.relation.as_str(),
                    p.reuse_a,
                    p.reuse_b
                );
            }
        }
    }
}

/// Prints each hard negative pair the scan reported, with its relation
/// and the reuse shares.
fn show_negatives(planted: &eval::Planted, scan: &copydesk::Scan) {
    for &(x, y) in &planted.negatives {
        if let Some(story) =
            scan.stories.iter().find(|s| s.members.contains(&(x as u32)) && s.members.contains(&(y as u32)))
        {
            let ids: Vec<&str> = story.members.iter().map(|&m| planted.documents[m as usize].id.as_str()).collect();
            println!("-- one story: {ids:?}");
        }
        if let Some(p) = scan.pairs.iter().find(|p| (p.a as usize, p.b as usize) == (x.min(y), x.max(y))) {
            let kinds: Vec<String> =
                p.passages.iter().map(|q| format!("{} {:?} {:?}", q.kind.as_str(), q.text_a, q.text_b)).collect();
            println!(
                "-- {} ~ {}: {} reuse {:.2}/{:.2} jaccard {:.2} containment {:.2}/{:.2} passages {kinds:?}",
                planted.documents[x].id,
                planted.documents[y].id,
                p.relation.as_str(),
                p.reuse_a,
                p.reuse_b,
                p.metrics.jaccard,
                p.metrics.containment_a,
                p.metrics.containment_b
            );
        }
    }
}

/// The first `limit` records of a JSON Lines corpus, as documents.
fn read(path: &str, limit: usize) -> anyhow::Result<Vec<Document>> {
    let file = std::io::BufReader::new(std::fs::File::open(path).map_err(|e| anyhow::anyhow!("{path}: {e}"))?);
    let mut out = Vec::new();
    for line in file.lines().take(limit) {
        let record: serde_json::Value = serde_json::from_str(&line?)?;
        let (Some(id), Some(text)) = (record["id"].as_str(), record["text"].as_str()) else { continue };
        out.push(Document::from_text(id, text));
    }
    Ok(out)
}
