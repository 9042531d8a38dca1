//! Corpus statistics: what is learned from many documents at once and then
//! applied to each: boilerplate (paragraphs an outlet or the corpus repeats
//! across different stories) and common shingles (document frequency). The
//! rare-word weights of rewrites (`linking/rewrite.rs`) belong here too;
//! all three are to become mergeable state the feed index keeps between
//! batches.

pub mod boilerplate;
pub mod common;
