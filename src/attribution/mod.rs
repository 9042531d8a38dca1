//! Attribution: a verified pair in, who took from whom out, with the
//! evidence (publication times, dates in the text, credit lines,
//! the layout of the shared text) or an honest "undetermined".

pub mod layout;
pub mod provenance;
