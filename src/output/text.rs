//! The terminal summary: what a person wants to read after a scan.

use super::ScanSink;
use crate::cluster::Cluster;
use crate::ingest::Skipped;
use crate::scan::{Pair, Scan};
use std::io::{self, Write};

/// Writes a readable summary.
pub struct TextSink<W: Write> {
    out: W,
}

impl<W: Write> TextSink<W> {
    pub fn new(out: W) -> Self {
        TextSink { out }
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
        if p.a == p.b {
            return Ok(());
        }
        let (a, b) = (&scan.documents[p.a as usize], &scan.documents[p.b as usize]);
        let m = &p.metrics;
        writeln!(
            self.out,
            "{} ~ {}  {}, jaccard {:.2}, {} of {} in {}, {} of {} in {}, {} passages",
            a.id,
            b.id,
            p.relation.as_str(),
            m.jaccard,
            percent(m.containment_a),
            a.id,
            b.id,
            percent(m.containment_b),
            b.id,
            a.id,
            p.passages.len()
        )
    }

    fn skipped(&mut self, _scan: &Scan, s: &Skipped) -> io::Result<()> {
        writeln!(self.out, "skipped {s}")
    }

    fn finish(&mut self, scan: &Scan) -> io::Result<()> {
        if scan.pairs.is_empty() && scan.clusters.is_empty() {
            writeln!(self.out, "\nno documents duplicate each other")?;
        }
        self.out.flush()
    }
}
