//! Corpus statistics: what is learned from many documents at once and then
//! applied to each, such as boilerplate (paragraphs an outlet or the corpus
//! repeats across different stories). The common-shingle document
//! frequency and the rare-word weights of rewrites are computed in the scan
//! (`scan.rs`, `linking/rewrite.rs`) today; they belong here as mergeable
//! state once the feed index keeps them between batches.

pub mod boilerplate;
