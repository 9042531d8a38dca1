//! Linking: analysed documents in, verified pairs and story clusters out.
//!
//! ```text
//! candidates (LSH bands, containment fingerprints, sentence index)
//!   -> verify (exact shingle sets, boilerplate masked, quotes set aside)
//!   -> rewrite (order-coherent sentence chains) -> align (passages)
//!   -> cluster (complete linkage; large clusters on links inferred
//!      through a common neighbour, see `infer`)
//! ```

pub mod align;
pub mod candidates;
pub mod cluster;
pub mod extend;
pub mod hubs;
pub mod infer;
pub mod linker;
pub mod pairs;
pub mod rewrite;
pub mod sentence_index;
mod shared;
pub mod stories;
pub mod upstream;
pub mod verify;
