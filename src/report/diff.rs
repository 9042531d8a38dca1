//! Word diff: the two sides of an edited passage in, each side's words out
//! as runs marked kept, dropped (left only) or added (right only), so the
//! report can show what an editor changed inside a copied passage.

use serde::Serialize;
use similar::{capture_diff_slices, Algorithm, DiffOp};

/// A run of words on one side of a passage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Piece {
    /// A space goes before the run (every run but a side's first).
    pub spaced: bool,
    pub text: String,
    /// `""` for words both sides have, `"dropped"` for words only the left
    /// (the source) has, `"added"` for words only the right has.
    pub change: &'static str,
}

/// The left and right word runs of `left` against `right` (white space
/// already squashed to single spaces). A word changed is dropped on the
/// left and added on the right.
pub fn word_diff(left: &str, right: &str) -> (Vec<Piece>, Vec<Piece>) {
    let (l, r): (Vec<&str>, Vec<&str>) = (left.split(' ').collect(), right.split(' ').collect());
    let (mut lp, mut rp) = (Runs::default(), Runs::default());
    for op in capture_diff_slices(Algorithm::Myers, &l, &r) {
        match op {
            DiffOp::Equal { old_index, new_index, len } => {
                lp.push(&l[old_index..old_index + len], "");
                rp.push(&r[new_index..new_index + len], "");
            }
            DiffOp::Delete { old_index, old_len, .. } => lp.push(&l[old_index..old_index + old_len], "dropped"),
            DiffOp::Insert { new_index, new_len, .. } => rp.push(&r[new_index..new_index + new_len], "added"),
            DiffOp::Replace { old_index, old_len, new_index, new_len } => {
                lp.push(&l[old_index..old_index + old_len], "dropped");
                rp.push(&r[new_index..new_index + new_len], "added");
            }
        }
    }
    (lp.0, rp.0)
}

/// Runs of words with the same change, in order.
#[derive(Default)]
struct Runs(Vec<Piece>);

impl Runs {
    fn push(&mut self, words: &[&str], change: &'static str) {
        if words.is_empty() {
            return;
        }
        let spaced = !self.0.is_empty();
        match self.0.last_mut() {
            Some(last) if last.change == change => {
                last.text.push(' ');
                last.text.push_str(&words.join(" "));
            }
            _ => self.0.push(Piece { spaced, text: words.join(" "), change }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn joined(pieces: &[Piece]) -> String {
        pieces.iter().map(|p| format!("{}{}", if p.spaced { " " } else { "" }, p.text)).collect()
    }

    #[test]
    fn marks_changed_added_and_dropped_words() {
        let (l, r) = word_diff("the president said on Monday that", "the president told reporters on Monday");
        let dropped: Vec<&str> = l.iter().filter(|p| p.change == "dropped").map(|p| p.text.as_str()).collect();
        let added: Vec<&str> = r.iter().filter(|p| p.change == "added").map(|p| p.text.as_str()).collect();
        assert_eq!(dropped, ["said", "that"]);
        assert_eq!(added, ["told reporters"]);
    }

    proptest! {
        /// Each side's pieces give back its text, and the kept words are
        /// the same words on both sides.
        #[test]
        fn pieces_give_back_both_texts(
            l in proptest::collection::vec("[a-c]{1,2}", 1..20),
            r in proptest::collection::vec("[a-c]{1,2}", 1..20),
        ) {
            let (left, right) = (l.join(" "), r.join(" "));
            let (lp, rp) = word_diff(&left, &right);
            prop_assert_eq!(joined(&lp), left);
            prop_assert_eq!(joined(&rp), right);
            let kept = |p: &[Piece]| p.iter().filter(|x| x.change.is_empty())
                .flat_map(|x| x.text.split_whitespace().map(str::to_string).collect::<Vec<_>>()).collect::<Vec<_>>();
            prop_assert_eq!(kept(&lp), kept(&rp));
            prop_assert!(lp.iter().all(|p| p.change != "added") && rp.iter().all(|p| p.change != "dropped"));
        }
    }
}
