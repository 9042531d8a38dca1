//! Evaluation against planted truth: real news articles in; planted edited
//! copies with byte-exact truth ([`plant()`]), and per operation the figures a
//! scan earns against that truth ([`measure()`]) out: whether each copy was
//! paired and linked with its original, how exactly its passages were
//! bounded, whether the direction was decided and right, and how the
//! clusters agree with the planted stories. `make eval` runs it on
//! Reuters-21578 with and without publication dates (`examples/eval.rs`).

pub mod measure;
pub mod plant;

pub use measure::{measure, Figures, Measured, Negatives};
pub use plant::{plant, Case, Operation, Planted, TruthSpan};
