//! The feed index: what `copydesk dedup` remembers between runs, on disk.
//!
//! Batches of articles come in; each article leaves kept (the canonical
//! version of a story, or a story of its own) or held back (a copy of a
//! story kept in this batch or archived by an earlier one), with the
//! evidence. The index (`store`) is a redb database in a directory; a batch
//! ([`dedup()`]) reads it, runs the same scan `copydesk scan` runs over the
//! new articles and the archived ones they may copy, and writes what it
//! decided in one transaction, so a crash leaves the index as it was before
//! the batch or after it, never between.

pub mod dedup;
pub mod error;
pub mod estimate;
pub mod postings;
pub mod schema;
pub mod segment;
pub mod statistics;
pub mod store;

pub use dedup::{dedup, BatchResult, Counts, Decision, DedupOptions};
pub use error::IndexError;
pub use store::{Index, IndexOptions};
