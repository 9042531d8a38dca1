//! copydesk finds near-duplicate news articles and syndication.
//!
//! The library takes documents in and hands a [`Scan`] back; it never prints
//! and never exits. Each stage of the pipeline is a module of its own and a
//! type of its own:
//!
//! ```text
//! Document -> Normalized -> Shingles -> Signature -> Candidates
//!          -> verified Pair -> Clusters -> Alignment (passages) -> Scan -> sink
//! ```
//!
//! ```
//! use copydesk::{Document, ScanConfig, Scanner};
//!
//! let story = "Officials said on Tuesday that the bridge over the river would \
//!              reopen next month after two years of repairs, ending long detours.";
//! let docs = vec![
//!     Document::from_text("a", story),
//!     Document::from_text("b", &format!("{story} Share this article.")),
//!     Document::from_text("c", "A different story about the weather turning cold."),
//! ];
//! let scan = Scanner::new(ScanConfig::default()).scan(docs);
//! assert_eq!(scan.clusters.len(), 1);
//! assert_eq!(scan.clusters[0].members.len(), 2);
//! ```

// The phases, each a folder: per-document analysis, corpus statistics,
// linking, attribution, and the feed index; around them ingest, output and
// the report, and `scan` which runs the pipeline.
pub mod analysis;
pub mod attribution;
pub mod batch;
pub mod check;
#[doc(hidden)]
pub mod cli;
pub mod config;
pub mod corpus;
pub mod document;
pub mod eval;
pub mod index;
pub mod ingest;
pub mod linking;
pub mod output;
pub mod process;
pub mod report;
pub mod scan;
pub mod synth;
pub mod time;

pub use config::{ConfigError, ScanConfig, ScanOptions};
pub use document::{Document, Origin, Source};
pub use scan::{Scan, Scanner};
