//! Layout: a pair's shared passages and each side's words in; for each
//! side, where the words the other side lacks sit (before, between or after
//! the shared text), how many of the other side's words it says twice, and
//! whether a credit line introduces its unshared ending or its shared text,
//! out. This is the evidence that tells a truncated copy (the source goes
//! on after the copy stops) from one with added paragraphs (the copy has
//! text between passages the source has side by side).

use crate::attribution::provenance::Credit;
use crate::linking::align::PassageKind;
use crate::linking::pairs::TokenSpan;
use std::ops::Range;

/// Words a credit may sit from the text it introduces.
const CREDIT_REACH: usize = 3;

/// One side of a pair, in words (tokens); boilerplate words count nowhere.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SideLayout {
    /// Words outside boilerplate.
    pub words: usize,
    /// Of those, words in passages copied word for word or with edits, in
    /// any shared passage but quoted speech, and only in quoted speech.
    pub copied: usize,
    pub reused: usize,
    pub quoted: usize,
    /// Unshared words before the first shared word, between shared words,
    /// and after the last.
    pub before: usize,
    pub inside: usize,
    pub after: usize,
    /// Unshared words between two passages that follow each other on the
    /// other side with nothing between them: paragraphs this side added.
    pub inserted: usize,
    /// The other side's words this side carries twice or more (a
    /// paragraph said again).
    pub repeated: usize,
    /// An "Agencies add:" credit opens the unshared ending: what follows
    /// was appended from elsewhere, not cut from this pair's text.
    pub appended: bool,
    /// A credit line (other than a photo's) stands after the shared text: a
    /// republisher's ending, not text a copy cut.
    pub credit_in_ending: bool,
    /// An "Agencies add:" credit stands just before the shared text: this
    /// side says it took that text from upstream.
    pub credited: bool,
}

impl SideLayout {
    /// Share of the side's own words (outside boilerplate and the quoted
    /// speech it shares) that `words` are.
    pub fn share(&self, words: usize) -> f64 {
        let own = self.words.saturating_sub(self.quoted);
        if own == 0 {
            0.0
        } else {
            words as f64 / own as f64
        }
    }

    /// Unshared words, an appended ending left out.
    pub fn unshared(&self) -> usize {
        self.before + self.inside + if self.appended { 0 } else { self.after }
    }

    /// Unshared words too few to weigh: a stray word at a seam.
    pub fn slack(&self) -> usize {
        (self.words / 50).max(3)
    }
}

/// Both sides of a pair, and the share of each covered by its passages.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Layout {
    pub coverage: [f64; 2],
    pub sides: [SideLayout; 2],
}

/// What the layout needs of one side: its words, the passages' byte
/// ranges in its text, its boilerplate spans and its credits.
pub struct SideInput<'a> {
    pub tokens: &'a [TokenSpan],
    pub shared: Vec<Range<usize>>,
    /// Each shared passage's kind, in the order of `shared`.
    pub kinds: Vec<PassageKind>,
    pub boilerplate: Vec<Range<usize>>,
    pub credits: &'a [Credit],
}

impl Layout {
    pub fn new(sides: [SideInput; 2], coverage: [f64; 2]) -> Layout {
        let counts = sides.each_ref().map(|s| cover_counts(s.tokens, &s.shared));
        let masked = sides.each_ref().map(|s| flags(s.tokens, &s.boilerplate));
        let mut out = [0, 1].map(|s| side(&sides[s], &counts[s], &masked[s]));
        for (s, other) in [(0, 1), (1, 0)] {
            out[s].repeated = counts[other].iter().zip(&masked[other]).filter(|&(&c, &m)| c >= 2 && !m).count();
            out[s].inserted = inserted(&sides[s], &counts[s], &masked[s], &sides[other]);
        }
        Layout { coverage, sides: out }
    }
}

/// How many of `shared` hold each token (tokens are in text order).
fn cover_counts(tokens: &[TokenSpan], shared: &[Range<usize>]) -> Vec<u8> {
    let mut steps = vec![0i32; tokens.len() + 1];
    for r in shared {
        let from = tokens.partition_point(|t| (t.start as usize) < r.start);
        let to = tokens.partition_point(|t| t.end as usize <= r.end);
        if to > from {
            steps[from] += 1;
            steps[to] -= 1;
        }
    }
    let mut held = 0;
    steps[..tokens.len()]
        .iter()
        .map(|&d| {
            held += d;
            held.clamp(0, 255) as u8
        })
        .collect()
}

/// Unshared words of `this` between consecutive passages (in its order)
/// that the `other` side has in the same order with at most a word between.
fn inserted(this: &SideInput, counts: &[u8], masked: &[bool], other: &SideInput) -> usize {
    let words = |tokens: &[TokenSpan], from: usize, to: usize| {
        let first = tokens.partition_point(|t| (t.start as usize) < from);
        let last = tokens.partition_point(|t| (t.start as usize) < to);
        first..last.max(first)
    };
    let mut order: Vec<usize> = (0..this.shared.len()).collect();
    order.sort_by_key(|&k| (this.shared[k].start, this.shared[k].end));
    let mut total = 0;
    for w in order.windows(2) {
        let (p, q) = (w[0], w[1]);
        let (this_p, this_q, other_p, other_q) = (&this.shared[p], &this.shared[q], &other.shared[p], &other.shared[q]);
        if this_q.start < this_p.end || other_q.start < other_p.end {
            continue;
        }
        if words(other.tokens, other_p.end, other_q.start).len() > 1 {
            continue;
        }
        total += words(this.tokens, this_p.end, this_q.start).filter(|&i| counts[i] == 0 && !masked[i]).count();
    }
    total
}

/// For each token, whether it starts in one of `spans`.
fn flags(tokens: &[TokenSpan], spans: &[Range<usize>]) -> Vec<bool> {
    let mut out = vec![false; tokens.len()];
    for r in spans {
        let from = tokens.partition_point(|t| (t.start as usize) < r.start);
        let to = tokens.partition_point(|t| (t.start as usize) < r.end);
        out[from..to.max(from)].iter_mut().for_each(|f| *f = true);
    }
    out
}

/// One side's layout; `masked` flags its boilerplate tokens.
fn side(input: &SideInput, counts: &[u8], masked: &[bool]) -> SideLayout {
    let words: Vec<usize> = (0..input.tokens.len()).filter(|&i| !masked[i]).collect();
    let shared = |i: &usize| counts[*i] > 0;
    let (Some(first), Some(last)) = (words.iter().position(shared), words.iter().rposition(shared)) else {
        return SideLayout { words: words.len(), before: words.len(), ..Default::default() };
    };
    let inside = words[first..=last].iter().filter(|&&i| counts[i] == 0).count();
    let of_kind = |keep: &dyn Fn(PassageKind) -> bool| {
        let spans: Vec<Range<usize>> =
            input.shared.iter().zip(&input.kinds).filter(|(_, &k)| keep(k)).map(|(r, _)| r.clone()).collect();
        let held = cover_counts(input.tokens, &spans);
        words.iter().filter(|&&i| held[i] > 0).count()
    };
    let copied = of_kind(&|k| matches!(k, PassageKind::Verbatim | PassageKind::Edited));
    let reused = of_kind(&|k| k != PassageKind::Quotation);
    let quoted = words.len() - reused - words.iter().filter(|&&i| counts[i] == 0).count();
    let agencies: Vec<&Credit> = input.credits.iter().filter(|c| c.kind == "agencies").collect();
    let at = |w: usize| input.tokens[words[w]].start as usize;
    // Words of the side between byte offsets `from` and `to`.
    let between = |from: usize, to: usize| {
        words.iter().filter(|&&i| (from..to).contains(&(input.tokens[i].start as usize))).count()
    };
    let end_of_shared = input.tokens[words[last]].end as usize;
    let appended =
        agencies.iter().any(|c| c.span.start >= end_of_shared && between(end_of_shared, c.span.start) <= CREDIT_REACH);
    let credit_in_ending = input.credits.iter().any(|c| c.kind != "photo" && c.span.start >= end_of_shared);
    let credited = agencies.iter().any(|c| c.span.end <= at(first) && between(c.span.end, at(first)) <= CREDIT_REACH);
    SideLayout {
        words: words.len(),
        copied,
        reused,
        quoted,
        before: first,
        inside,
        after: words.len() - 1 - last,
        inserted: 0,
        repeated: 0,
        appended,
        credit_in_ending,
        credited,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::normalize::normalize;

    fn input<'a>(tokens: &'a [TokenSpan], text: &str, shared: &[&str], credits: &'a [Credit]) -> SideInput<'a> {
        let kinds = vec![PassageKind::Verbatim; shared.len()];
        let shared = shared
            .iter()
            .map(|s| {
                let at = text.find(s).expect("shared text is in the text");
                at..at + s.len()
            })
            .collect();
        SideInput { tokens, shared, kinds, boilerplate: Vec::new(), credits }
    }

    fn spans(text: &str) -> Vec<TokenSpan> {
        normalize(text).tokens.iter().map(|t| TokenSpan { start: t.start, end: t.end }).collect()
    }

    #[test]
    fn unshared_words_are_placed_and_repeats_counted() {
        let a = "one two three four. local news here. five six seven. one two three four.";
        let b = "one two three four. five six seven. the end goes on.";
        let (ta, tb) = (spans(a), spans(b));
        let shared_a = ["one two three four", "five six seven", "one two three four."];
        let mut sa = input(&ta, a, &shared_a[..2], &[]);
        sa.shared.push(a.rfind("one").unwrap()..a.len() - 1);
        sa.kinds.push(PassageKind::Verbatim);
        let sb = input(&tb, b, &["one two three four", "five six seven", "one two three four"], &[]);
        let mut sb = sb;
        sb.shared[2] = sb.shared[0].clone();
        let layout = Layout::new([sa, sb], [1.0, 0.5]);
        let [la, lb] = &layout.sides;
        assert_eq!((la.before, la.inside, la.after), (0, 3, 0));
        assert_eq!((lb.before, lb.inside, lb.after), (0, 0, 4));
        assert_eq!(la.repeated, 4, "a says b's first four words twice");
        assert_eq!(la.inserted, 3, "a added three words between passages b has side by side");
        assert_eq!(lb.inserted, 0);
        assert_eq!((la.words, la.copied, la.quoted), (14, 11, 0));
        assert!((lb.share(lb.copied) - 7.0 / 11.0).abs() < 1e-9);
        assert_eq!(lb.repeated, 0);
    }

    #[test]
    fn an_agencies_credit_marks_an_appended_ending_and_credited_text() {
        let a = "the story as told. Agencies add: another story follows.";
        let credits = crate::attribution::provenance::read(a).credits;
        let ta = spans(a);
        let layout_of = |shared: &str| {
            let side_input = input(&ta, a, &[shared], &credits);
            side(&side_input, &cover_counts(&ta, &side_input.shared), &vec![false; ta.len()])
        };
        let ending = layout_of("the story as told");
        assert!(ending.appended && !ending.credited);
        let start = layout_of("another story follows");
        assert!(start.credited && !start.appended);
        assert!(start.before > 0);
    }
}
