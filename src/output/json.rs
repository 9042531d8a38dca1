//! JSON and JSON Lines sinks.
//!
//! [`JsonSink`] writes one object holding every record (for files and
//! tools that read a whole result); [`JsonLinesSink`] writes one record per
//! line as soon as it is emitted, each tagged with `"type"`, so a consumer
//! can stream a large scan.

use super::records;
use super::ScanSink;
use crate::cluster::Cluster;
use crate::ingest::Skipped;
use crate::scan::{Pair, Scan};
use crate::ScanConfig;
use serde_json::{json, Value};
use std::io::{self, Write};

/// Collects the whole scan and writes one pretty-printed JSON object.
pub struct JsonSink<W: Write> {
    out: W,
    config: ScanConfig,
    documents: Vec<Value>,
    clusters: Vec<Value>,
    pairs: Vec<Value>,
    skipped: Vec<Value>,
    cluster_of: Vec<Option<usize>>,
}

impl<W: Write> JsonSink<W> {
    pub fn new(out: W, config: ScanConfig) -> Self {
        JsonSink {
            out,
            config,
            documents: vec![],
            clusters: vec![],
            pairs: vec![],
            skipped: vec![],
            cluster_of: vec![],
        }
    }
}

impl<W: Write> ScanSink for JsonSink<W> {
    fn begin(&mut self, scan: &Scan) -> io::Result<()> {
        self.cluster_of = scan.cluster_of();
        Ok(())
    }
    fn document(&mut self, scan: &Scan, i: usize) -> io::Result<()> {
        let c = self
            .cluster_of
            .get(i)
            .copied()
            .flatten()
            .map(|ci| &scan.clusters[ci]);
        self.documents.push(records::document(scan, i, c));
        Ok(())
    }
    fn cluster(&mut self, scan: &Scan, c: &Cluster) -> io::Result<()> {
        self.clusters.push(records::cluster(scan, c));
        Ok(())
    }
    fn pair(&mut self, scan: &Scan, p: &Pair) -> io::Result<()> {
        self.pairs.push(records::pair(scan, p));
        Ok(())
    }
    fn skipped(&mut self, _scan: &Scan, s: &Skipped) -> io::Result<()> {
        self.skipped.push(records::skipped(s));
        Ok(())
    }
    fn finish(&mut self, scan: &Scan) -> io::Result<()> {
        let mut v = records::header(scan, &self.config);
        v["documents"] = Value::Array(std::mem::take(&mut self.documents));
        v["clusters"] = Value::Array(std::mem::take(&mut self.clusters));
        v["pairs"] = Value::Array(std::mem::take(&mut self.pairs));
        v["skipped"] = Value::Array(std::mem::take(&mut self.skipped));
        serde_json::to_writer_pretty(&mut self.out, &v)?;
        writeln!(self.out)?;
        self.out.flush()
    }
}

/// Writes one tagged record per line.
pub struct JsonLinesSink<W: Write> {
    out: W,
    config: ScanConfig,
    cluster_of: Vec<Option<usize>>,
}

impl<W: Write> JsonLinesSink<W> {
    pub fn new(out: W, config: ScanConfig) -> Self {
        JsonLinesSink {
            out,
            config,
            cluster_of: vec![],
        }
    }

    fn line(&mut self, kind: &str, mut v: Value) -> io::Result<()> {
        if let Value::Object(m) = &mut v {
            m.insert("type".into(), json!(kind));
        }
        serde_json::to_writer(&mut self.out, &v)?;
        writeln!(self.out)
    }
}

impl<W: Write> ScanSink for JsonLinesSink<W> {
    fn begin(&mut self, scan: &Scan) -> io::Result<()> {
        self.cluster_of = scan.cluster_of();
        let header = records::header(scan, &self.config);
        self.line("scan", header)
    }
    fn document(&mut self, scan: &Scan, i: usize) -> io::Result<()> {
        let c = self
            .cluster_of
            .get(i)
            .copied()
            .flatten()
            .map(|ci| &scan.clusters[ci]);
        let v = records::document(scan, i, c);
        self.line("document", v)
    }
    fn cluster(&mut self, scan: &Scan, c: &Cluster) -> io::Result<()> {
        let v = records::cluster(scan, c);
        self.line("cluster", v)
    }
    fn pair(&mut self, scan: &Scan, p: &Pair) -> io::Result<()> {
        let v = records::pair(scan, p);
        self.line("pair", v)
    }
    fn skipped(&mut self, _scan: &Scan, s: &Skipped) -> io::Result<()> {
        self.line("skipped", records::skipped(s))
    }
    fn finish(&mut self, _scan: &Scan) -> io::Result<()> {
        self.out.flush()
    }
}
