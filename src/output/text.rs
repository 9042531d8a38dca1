//! The terminal summary: what a person wants to read after a scan.
//!
//! Every line is written through [`escape_controls`]: ids, paths, outlets
//! and excerpts come from the input, and an escape sequence in one must not
//! retitle the terminal, clear it or forge a line of output.

use super::ScanSink;
use crate::attribution::provenance::Direction;
use crate::ingest::Skipped;
use crate::linking::cluster::Cluster;
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

    /// Writes one line, its control characters escaped.
    fn line(&mut self, text: &str) -> io::Result<()> {
        writeln!(self.out, "{}", escape_controls(text))
    }

    fn blank(&mut self) -> io::Result<()> {
        writeln!(self.out)
    }
}

/// `text` with every character that a terminal acts on instead of showing
/// written as an escape: C0 and C1 controls and DEL (`\x1b`, `\n`, `\t`,
/// ...), and the bidirectional overrides and isolates that reorder what is
/// shown (`\u{202e}`). Other text is unchanged.
pub fn escape_controls(text: &str) -> std::borrow::Cow<'_, str> {
    let acts = |c: char| c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    if !text.chars().any(acts) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x80 && acts(c) => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if acts(c) => out.push_str(&format!("\\u{{{:04x}}}", c as u32)),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
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
        let head = format!(
            "copydesk: {} documents ({} bytes, {} words), {} skipped; {} story clusters, {} related pairs",
            scan.documents.len(),
            s.bytes,
            s.tokens,
            scan.skipped.len(),
            scan.clusters.len(),
            scan.pairs.len()
        );
        self.line(&head)
    }

    fn document(&mut self, scan: &Scan, i: usize) -> io::Result<()> {
        let repeats = &scan.analyses[i].repeats;
        if repeats.is_empty() {
            return Ok(());
        }
        let doc = &scan.documents[i];
        self.blank()?;
        self.line(&format!("repeats in {} ({}):", doc.id, repeats.len()))?;
        for r in repeats {
            let (first, second) = (doc.source_span(r.first.clone()), doc.source_span(r.second.clone()));
            let line = format!(
                "  {} [{}..{}) again at [{}..{}): \"{}\"",
                r.kind.as_str(),
                first.start,
                first.end,
                second.start,
                second.end,
                excerpt(&doc.text, r.first.clone(), 60)
            );
            self.line(&line)?;
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
        self.blank()?;
        self.line(&format!("story {} ({} documents), canonical: {}", c.id, c.members.len(), name(c.canonical)))?;
        for &m in &c.members[1..] {
            self.line(&format!("  - {}", name(m)))?;
        }
        Ok(())
    }

    fn pair(&mut self, scan: &Scan, p: &Pair) -> io::Result<()> {
        if !p.relation.links() {
            self.partial += 1;
            return Ok(());
        }
        if !self.pairs_header {
            self.blank()?;
            self.line("links (copy <- source):")?;
            self.pairs_header = true;
        }
        self.line(&link_line(scan, p))
    }

    fn skipped(&mut self, _scan: &Scan, s: &Skipped) -> io::Result<()> {
        self.line(&format!("skipped {s}"))
    }

    fn finish(&mut self, scan: &Scan) -> io::Result<()> {
        if self.partial > 0 {
            self.blank()?;
            let more =
                format!("{} more pairs share passages without either being a copy (see --format json)", self.partial);
            self.line(&more)?;
        }
        if scan.ignored > 0 {
            self.line(&format!("{} file(s) left out by ignore rules or as hidden", scan.ignored))?;
        }
        if scan.pairs.is_empty() && scan.clusters.is_empty() {
            self.blank()?;
            self.line("no documents duplicate each other")?;
        }
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_escaped() {
        assert_eq!(escape_controls("plain – text"), "plain – text");
        assert_eq!(escape_controls("a\x1b]0;owned\x07b"), "a\\x1b]0;owned\\x07b");
        assert_eq!(escape_controls("x\ny\r\t"), "x\\ny\\r\\t");
        assert_eq!(escape_controls("\u{202e}gnp.exe"), "\\u{202e}gnp.exe");
        assert_eq!(escape_controls("\u{9b}2J"), "\\u{009b}2J");
    }
}
