//! Attribution: a verified pair in, who took from whom out, with the
//! evidence (publication times, dates in the text, credit lines,
//! the layout of the shared text) or an honest "undetermined".
//!
//! `claims` reads what one document says of its own provenance (during
//! analysis), `layout` places a pair's shared text in each side, and
//! `provenance` weighs both into a direction.

pub mod claims;
pub mod layout;
pub mod provenance;
