//! Per-document analysis: one document's text in, what the later phases
//! need of it out, depending on nothing but the document and the settings
//! (so it can run on any machine, in any batch, once).
//!
//! ```text
//! text -> normalize (tokens with byte ranges) -> shingle (k-token hashes)
//!      -> signature (MinHash) | winnowing fingerprints (linking/candidates)
//!      -> repeats (passages said twice), quotes, sentences, content words
//! ```

pub mod content;
pub mod normalize;
pub mod quotes;
pub mod repeats;
pub mod sentence;
pub mod shingle;
pub mod signature;
