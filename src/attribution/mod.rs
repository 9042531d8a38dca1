//! Attribution: a verified pair in, who took from whom out, with the
//! evidence (publication times, dates in the text, credit lines,
//! containment) or an honest "undetermined".

pub mod provenance;
