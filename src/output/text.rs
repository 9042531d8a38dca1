//! The terminal summary: what a person wants to read after a scan.

use super::ScanSink;
use crate::cluster::Cluster;
use crate::ingest::Skipped;
use crate::provenance::Direction;
use crate::scan::{Pair, Scan};
use std::io::{self, Write};

/// Writes a readable summary.
pub struct TextSink<W: Write> {
    out: W,
    pairs_header: bool,
    partial: usize,
}

impl<W: Write> TextSink<W> {
    pub fn new(out: W) -> Self {
        TextSink { out, pairs_header: false, partial: 0 }
    }
}

/// One line per link, e.g.
/// `001 <- 000  rewritten, 6 passages, 62% of 001; 000 earlier (2023-10-18 vs 2023-10-19)`.
pub fn link_line(scan: &Scan, p: &Pair) -> String {
    let ids = [scan.documents[p.a as usize].id.as_str(), scan.documents[p.b as usize].id.as_str()];
    let coverage = [p.coverage_a, p.coverage_b];
    let n = p.passages.len();
    let att = &p.attribution;
    let supporting = |source: Option<usize>| -> String {
        att.evidence
            .iter()
            .filter(|e| e.source == source && e.weight > 0.0)
            .map(|e| e.detail.clone())
            .collect::<Vec<_>>()
            .join("; ")
    };
    let head = |copy: usize, source: usize, arrow: &str| {
        format!(
            "{} {arrow} {}  {}, {n} passages, {} of {}",
            ids[copy],
            ids[source],
            p.relation.as_str(),
            percent(coverage[copy]),
            ids[copy]
        )
    };
    match &att.direction {
        Direction::AToB => format!("{}; {}", head(1, 0, "<-"), supporting(Some(0))),
        Direction::BToA => format!("{}; {}", head(0, 1, "<-"), supporting(Some(1))),
        Direction::Siblings(up) => format!("{}; siblings of {up}", head(1, 0, "~")),
        Direction::Undetermined => format!("{}; direction undetermined", head(1, 0, "~")),
    }
}

/// A short, single-line excerpt of `text[range]`.
pub fn excerpt(text: &str, range: std::ops::Range<usize>, max_chars: usize) -> String {
    let slice = text.get(range).unwrap_or("");
    let flat: String = slice.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max_chars {
        flat
    } else {
        let cut: String = flat.chars().take(max_chars.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

fn percent(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}

impl<W: Write> ScanSink for TextSink<W> {
    fn begin(&mut self, scan: &Scan) -> io::Result<()> {
        let s = &scan.stats;
        writeln!(
            self.out,
            "copydesk: {} documents ({} bytes, {} words), {} skipped; {} story clusters, {} related pairs",
            scan.documents.len(),
            s.bytes,
            s.tokens,
            scan.skipped.len(),
            scan.clusters.len(),
            scan.pairs.len()
        )
    }

    fn document(&mut self, scan: &Scan, i: usize) -> io::Result<()> {
        let repeats = &scan.analyses[i].repeats;
        if repeats.is_empty() {
            return Ok(());
        }
        let doc = &scan.documents[i];
        writeln!(self.out, "\nrepeats in {} ({}):", doc.id, repeats.len())?;
        for r in repeats {
            let (first, second) = (doc.source_span(r.first.clone()), doc.source_span(r.second.clone()));
            writeln!(
                self.out,
                "  {} [{}..{}) again at [{}..{}): \"{}\"",
                r.kind.as_str(),
                first.start,
                first.end,
                second.start,
                second.end,
                excerpt(&doc.text, r.first.clone(), 60)
            )?;
        }
        Ok(())
    }

    fn cluster(&mut self, scan: &Scan, c: &Cluster) -> io::Result<()> {
        let name = |d: u32| {
            let doc = &scan.documents[d as usize];
            let mut s = doc.id.clone();
            if let Some(o) = &doc.meta.outlet {
                s.push_str(&format!(" [{o}]"));
            }
            if let Some(p) = &doc.meta.published {
                s.push_str(&format!(" {}", p.raw));
            }
            s
        };
        writeln!(self.out, "\nstory {} ({} documents), canonical: {}", c.id, c.members.len(), name(c.canonical))?;
        for &m in &c.members[1..] {
            writeln!(self.out, "  - {}", name(m))?;
        }
        Ok(())
    }

    fn pair(&mut self, scan: &Scan, p: &Pair) -> io::Result<()> {
        if !p.relation.links() {
            self.partial += 1;
            return Ok(());
        }
        if !self.pairs_header {
            writeln!(self.out, "\nlinks (copy <- source):")?;
            self.pairs_header = true;
        }
        writeln!(self.out, "{}", link_line(scan, p))
    }

    fn skipped(&mut self, _scan: &Scan, s: &Skipped) -> io::Result<()> {
        writeln!(self.out, "skipped {s}")
    }

    fn finish(&mut self, scan: &Scan) -> io::Result<()> {
        if self.partial > 0 {
            writeln!(
                self.out,
                "\n{} more pairs share passages without either being a copy (see --format json)",
                self.partial
            )?;
        }
        if scan.pairs.is_empty() && scan.clusters.is_empty() {
            writeln!(self.out, "\nno documents duplicate each other")?;
        }
        self.out.flush()
    }
}
