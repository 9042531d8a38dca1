//! Output: a finished [`Scan`] in, records pushed to a [`ScanSink`] out.
//!
//! [`emit`] walks a scan in its fixed order (documents, clusters, stories,
//! common passages, pairs, skipped inputs) and hands each record to a sink; the sinks here write
//! JSON, JSON Lines or a terminal summary to any `io::Write`. The record
//! shapes are defined once, in [`records`], and documented in
//! `docs/output.md`; the schema is versioned by [`SCHEMA`].

pub mod findings;
pub mod json;
pub mod records;
pub mod text;

use crate::ingest::Skipped;
use crate::linking::cluster::Cluster;
use crate::linking::stories::Story;
use crate::scan::{Pair, Scan};
use std::io;

/// The version of the JSON output schema.
pub const SCHEMA: &str = "copydesk.scan/1";

/// Receives a scan's records in order.
pub trait ScanSink {
    fn begin(&mut self, _scan: &Scan) -> io::Result<()> {
        Ok(())
    }
    fn document(&mut self, scan: &Scan, index: usize) -> io::Result<()>;
    fn cluster(&mut self, scan: &Scan, cluster: &Cluster) -> io::Result<()>;
    fn story(&mut self, _scan: &Scan, _story: &Story) -> io::Result<()> {
        Ok(())
    }
    fn common_passage(&mut self, _scan: &Scan, _index: usize) -> io::Result<()> {
        Ok(())
    }
    fn pair(&mut self, scan: &Scan, pair: &Pair) -> io::Result<()>;
    fn skipped(&mut self, scan: &Scan, skipped: &Skipped) -> io::Result<()>;
    fn finish(&mut self, scan: &Scan) -> io::Result<()>;
}

/// Pushes every record of `scan` to `sink`, in the documented order.
pub fn emit(scan: &Scan, sink: &mut dyn ScanSink) -> io::Result<()> {
    sink.begin(scan)?;
    for i in 0..scan.documents.len() {
        sink.document(scan, i)?;
    }
    for c in &scan.clusters {
        sink.cluster(scan, c)?;
    }
    for story in &scan.stories {
        sink.story(scan, story)?;
    }
    for i in 0..scan.common_passages.len() {
        sink.common_passage(scan, i)?;
    }
    for p in &scan.pairs {
        sink.pair(scan, p)?;
    }
    for s in &scan.skipped {
        sink.skipped(scan, s)?;
    }
    sink.finish(scan)
}
