//! JSON and JSON Lines sinks.
//!
//! [`JsonSink`] writes one object holding every record, streamed as the
//! records arrive (one record per line inside its array, so even a large
//! result is readable and diffable); [`JsonLinesSink`] writes one record per
//! line, each tagged with `"type"`, so a consumer can stream a large scan.

use super::records;
use super::ScanSink;
use crate::ingest::Skipped;
use crate::linking::cluster::Cluster;
use crate::linking::stories::Story;
use crate::scan::{Pair, Scan};
use crate::ScanConfig;
use serde::Serialize;
use serde_json::Value;
use std::io::{self, Write};

/// Which array of the JSON object is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    None,
    Documents,
    Clusters,
    Stories,
    CommonPassages,
    Pairs,
    Skipped,
}

impl Section {
    fn name(self) -> &'static str {
        match self {
            Section::None => "",
            Section::Documents => "documents",
            Section::Clusters => "clusters",
            Section::Stories => "stories",
            Section::CommonPassages => "common_passages",
            Section::Pairs => "pairs",
            Section::Skipped => "skipped",
        }
    }
}

/// Writes one JSON object: header fields, then the six record arrays.
pub struct JsonSink<W: Write> {
    out: W,
    /// Where each record is written before it goes out in one piece.
    record: Vec<u8>,
    config: ScanConfig,
    section: Section,
    first_in_section: bool,
    cluster_of: Vec<Option<usize>>,
}

impl<W: Write> JsonSink<W> {
    pub fn new(out: W, config: ScanConfig) -> Self {
        JsonSink { out, record: Vec::new(), config, section: Section::None, first_in_section: true, cluster_of: vec![] }
    }

    /// Moves to `section`, closing the previous array and opening empty
    /// ones in between, so every array appears even when it has no record.
    fn enter(&mut self, section: Section) -> io::Result<()> {
        const ORDER: [Section; 6] = [
            Section::Documents,
            Section::Clusters,
            Section::Stories,
            Section::CommonPassages,
            Section::Pairs,
            Section::Skipped,
        ];
        while self.section != section {
            if self.section != Section::None {
                writeln!(self.out, "{}],", if self.first_in_section { "" } else { "\n" })?;
            }
            let next = match self.section {
                Section::None => ORDER[0],
                s => ORDER[ORDER.iter().position(|&o| o == s).expect("known section") + 1],
            };
            write!(self.out, "\"{}\": [", next.name())?;
            self.section = next;
            self.first_in_section = true;
        }
        Ok(())
    }

    fn record(&mut self, section: Section, value: &impl Serialize) -> io::Result<()> {
        self.enter(section)?;
        self.out.write_all(if self.first_in_section { b"\n" } else { b",\n" })?;
        self.first_in_section = false;
        write_whole(&mut self.out, &mut self.record, value)
    }
}

impl<W: Write> ScanSink for JsonSink<W> {
    fn begin(&mut self, scan: &Scan) -> io::Result<()> {
        self.cluster_of = scan.cluster_of();
        let header = records::header(scan, &self.config);
        self.out.write_all(b"{\n")?;
        if let Value::Object(fields) = header {
            for (k, v) in fields {
                serde_json::to_writer(&mut self.out, &k)?;
                self.out.write_all(b": ")?;
                serde_json::to_writer(&mut self.out, &v)?;
                self.out.write_all(b",\n")?;
            }
        }
        Ok(())
    }
    fn document(&mut self, scan: &Scan, i: usize) -> io::Result<()> {
        let c = self.cluster_of.get(i).copied().flatten().map(|ci| &scan.clusters[ci]);
        self.record(Section::Documents, &records::document(scan, i, c))
    }
    fn cluster(&mut self, scan: &Scan, c: &Cluster) -> io::Result<()> {
        self.record(Section::Clusters, &records::cluster(scan, c))
    }
    fn story(&mut self, scan: &Scan, story: &Story) -> io::Result<()> {
        self.record(Section::Stories, &records::story(scan, story))
    }
    fn common_passage(&mut self, scan: &Scan, i: usize) -> io::Result<()> {
        self.record(Section::CommonPassages, &records::common_passage(scan, i))
    }
    fn pair(&mut self, scan: &Scan, p: &Pair) -> io::Result<()> {
        self.record(Section::Pairs, &records::pair(scan, p))
    }
    fn skipped(&mut self, _scan: &Scan, s: &Skipped) -> io::Result<()> {
        self.record(Section::Skipped, &records::skipped(s))
    }
    fn finish(&mut self, _scan: &Scan) -> io::Result<()> {
        self.enter(Section::Skipped)?;
        write!(self.out, "{}]\n}}\n", if self.first_in_section { "" } else { "\n" })?;
        self.out.flush()
    }
}

/// Writes `value` to `out` as JSON, serialized into `buffer` first: the
/// serializer writes a record in dozens of small pieces, and each piece
/// costs more through a writer than through a vector.
fn write_whole(out: &mut impl Write, buffer: &mut Vec<u8>, value: &impl Serialize) -> io::Result<()> {
    buffer.clear();
    serde_json::to_writer(&mut *buffer, value)?;
    out.write_all(buffer)
}

/// A record tagged with its type, for JSON Lines.
#[derive(Serialize)]
struct Tagged<'a, T: Serialize> {
    #[serde(rename = "type")]
    kind: &'a str,
    #[serde(flatten)]
    record: T,
}

/// Writes one tagged record per line.
pub struct JsonLinesSink<W: Write> {
    out: W,
    /// Where each line is written before it goes out in one piece.
    record: Vec<u8>,
    config: ScanConfig,
    cluster_of: Vec<Option<usize>>,
}

impl<W: Write> JsonLinesSink<W> {
    pub fn new(out: W, config: ScanConfig) -> Self {
        JsonLinesSink { out, record: Vec::new(), config, cluster_of: vec![] }
    }

    fn line(&mut self, kind: &str, record: impl Serialize) -> io::Result<()> {
        write_whole(&mut self.out, &mut self.record, &Tagged { kind, record })?;
        self.out.write_all(b"\n")
    }
}

impl<W: Write> ScanSink for JsonLinesSink<W> {
    fn begin(&mut self, scan: &Scan) -> io::Result<()> {
        self.cluster_of = scan.cluster_of();
        let header = records::header(scan, &self.config);
        self.line("scan", header)
    }
    fn document(&mut self, scan: &Scan, i: usize) -> io::Result<()> {
        let c = self.cluster_of.get(i).copied().flatten().map(|ci| &scan.clusters[ci]);
        self.line("document", records::document(scan, i, c))
    }
    fn cluster(&mut self, scan: &Scan, c: &Cluster) -> io::Result<()> {
        self.line("cluster", records::cluster(scan, c))
    }
    fn story(&mut self, scan: &Scan, story: &Story) -> io::Result<()> {
        self.line("story", records::story(scan, story))
    }
    fn common_passage(&mut self, scan: &Scan, i: usize) -> io::Result<()> {
        self.line("common_passage", records::common_passage(scan, i))
    }
    fn pair(&mut self, scan: &Scan, p: &Pair) -> io::Result<()> {
        self.line("pair", records::pair(scan, p))
    }
    fn skipped(&mut self, _scan: &Scan, s: &Skipped) -> io::Result<()> {
        self.line("skipped", records::skipped(s))
    }
    fn finish(&mut self, _scan: &Scan) -> io::Result<()> {
        self.out.flush()
    }
}
