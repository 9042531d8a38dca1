//! Layout: a pair's shared passages and each side's words in; for each
//! side, where the words the other side lacks sit (before, between or after
//! the shared text), how many of the other side's words it says twice, and
//! whether a credit line introduces its unshared ending or its shared text,
//! out. This is the evidence that tells a truncated copy (the source goes
//! on after the copy stops) from one with added paragraphs (the copy has
//! text between passages the source has side by side).

use crate::analysis::normalize::TokenSpan;
use crate::attribution::claims::Credit;
use crate::linking::align::PassageKind;
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

/// What the layout needs of one side: its tokens and which of them are
/// words, the passages' byte ranges in its text, and its credits.
pub struct SideInput<'a> {
    pub tokens: &'a [TokenSpan],
    /// The side's tokens outside boilerplate, made for `tokens`.
    pub words: &'a Words,
    pub shared: Vec<Range<usize>>,
    /// Each shared passage's kind, in the order of `shared`.
    pub kinds: Vec<PassageKind>,
    pub credits: &'a [Credit],
}

impl Layout {
    pub fn new(sides: [SideInput; 2], coverage: [f64; 2]) -> Layout {
        let words = sides.each_ref().map(|s| s.words);
        let covers = sides.each_ref().map(|s| Cover::new(s.tokens, s.shared.iter()));
        let mut out = [0, 1].map(|s| side(&sides[s], words[s], &covers[s]));
        for (s, other) in [(0, 1), (1, 0)] {
            out[s].repeated = covers[other].words(words[other], 2, 0..sides[other].tokens.len());
            out[s].inserted = inserted(&sides[s], words[s], &covers[s], &sides[other]);
        }
        Layout { coverage, sides: out }
    }
}

/// The tokens (in text order) whose start lies in the byte range `bytes`.
fn starting_in(tokens: &[TokenSpan], bytes: Range<usize>) -> Range<usize> {
    let first = tokens.partition_point(|t| (t.start as usize) < bytes.start);
    let last = tokens.partition_point(|t| (t.start as usize) < bytes.end);
    first..last.max(first)
}

/// A document's words: its tokens outside boilerplate. Boilerplate is held
/// as merged token ranges with their running sizes, so the words of any
/// token range count by two binary searches: a pair's layout costs its
/// passages, not the length of its documents (pages sharing a quoted tweet
/// pair by the thousand). Made once per document, for all of its pairs.
#[derive(Debug, Clone)]
pub struct Words {
    tokens: usize,
    /// Sorted, disjoint and not touching.
    masked: Vec<Range<usize>>,
    /// Masked tokens in `masked[..k]`, for each `k` up to its length.
    masked_before: Vec<usize>,
}

impl Words {
    /// The words of `tokens` outside the `boilerplate` byte ranges (a
    /// token starting inside one is boilerplate).
    pub fn new(tokens: &[TokenSpan], boilerplate: impl IntoIterator<Item = Range<usize>>) -> Words {
        let mut spans: Vec<Range<usize>> =
            boilerplate.into_iter().map(|r| starting_in(tokens, r)).filter(|r| !r.is_empty()).collect();
        spans.sort_by_key(|r| r.start);
        let mut masked: Vec<Range<usize>> = Vec::with_capacity(spans.len());
        for r in spans {
            match masked.last_mut() {
                Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
                _ => masked.push(r),
            }
        }
        let mut masked_before = vec![0];
        masked_before.extend(masked.iter().scan(0, |sum, r| {
            *sum += r.len();
            Some(*sum)
        }));
        Words { tokens: tokens.len(), masked, masked_before }
    }

    /// All the side's words.
    fn total(&self) -> usize {
        self.tokens - self.masked_before[self.masked.len()]
    }

    /// The masked range holding token `i` or, failing that, the first after it.
    fn masked_from(&self, i: usize) -> usize {
        self.masked.partition_point(|m| m.end <= i)
    }

    /// Masked tokens before token `i`.
    fn masked_below(&self, i: usize) -> usize {
        let k = self.masked_from(i);
        self.masked_before[k] + self.masked.get(k).map_or(0, |m| i.saturating_sub(m.start))
    }

    /// Words among the tokens `r`.
    fn count(&self, r: Range<usize>) -> usize {
        if r.is_empty() {
            return 0;
        }
        r.len() - (self.masked_below(r.end) - self.masked_below(r.start))
    }

    /// The first word at or after token `i` (the token count if none).
    fn first_from(&self, i: usize) -> usize {
        match self.masked.get(self.masked_from(i)) {
            Some(m) if m.start <= i => m.end,
            _ => i,
        }
    }

    /// The last word before token `i`.
    fn last_below(&self, i: usize) -> Option<usize> {
        let j = i.checked_sub(1)?;
        match self.masked.get(self.masked_from(j)) {
            Some(m) if m.start <= j => m.start.checked_sub(1),
            _ => Some(j),
        }
    }
}

/// How many passages hold each token, as runs of tokens held alike (runs
/// held by none left out).
struct Cover {
    runs: Vec<(Range<usize>, u32)>,
}

impl Cover {
    fn new<'a>(tokens: &[TokenSpan], shared: impl Iterator<Item = &'a Range<usize>>) -> Cover {
        // A passage holds the tokens wholly inside it.
        let mut steps: Vec<(usize, i32)> = Vec::new();
        for r in shared {
            let from = tokens.partition_point(|t| (t.start as usize) < r.start);
            let to = tokens.partition_point(|t| t.end as usize <= r.end);
            if to > from {
                steps.extend([(from, 1), (to, -1)]);
            }
        }
        steps.sort_unstable();
        let (mut runs, mut held, mut since) = (Vec::new(), 0i32, 0);
        for (at, step) in steps {
            if held > 0 && at > since {
                runs.push((since..at, held as u32));
            }
            held += step;
            since = at;
        }
        Cover { runs }
    }

    /// Words among the tokens `within` that at least `times` passages hold.
    fn words(&self, words: &Words, times: u32, within: Range<usize>) -> usize {
        let first = self.runs.partition_point(|(r, _)| r.end <= within.start);
        self.runs[first..]
            .iter()
            .take_while(|(r, _)| r.start < within.end)
            .filter(|&&(_, held)| held >= times)
            .map(|(r, _)| words.count(r.start.max(within.start)..r.end.min(within.end)))
            .sum()
    }

    /// The first and the last word any passage holds.
    fn ends(&self, words: &Words) -> Option<(usize, usize)> {
        let first = self.runs.iter().find_map(|(r, _)| Some(words.first_from(r.start)).filter(|&t| t < r.end))?;
        let last = self.runs.iter().rev().find_map(|(r, _)| words.last_below(r.end).filter(|&t| t >= r.start))?;
        Some((first, last))
    }
}

/// Unshared words of `this` between consecutive passages (in its order)
/// that the `other` side has in the same order with at most a word between.
fn inserted(this: &SideInput, words: &Words, cover: &Cover, other: &SideInput) -> usize {
    let mut order: Vec<usize> = (0..this.shared.len()).collect();
    order.sort_by_key(|&k| (this.shared[k].start, this.shared[k].end));
    let mut total = 0;
    for w in order.windows(2) {
        let (p, q) = (w[0], w[1]);
        let (this_p, this_q, other_p, other_q) = (&this.shared[p], &this.shared[q], &other.shared[p], &other.shared[q]);
        if this_q.start < this_p.end || other_q.start < other_p.end {
            continue;
        }
        if starting_in(other.tokens, other_p.end..other_q.start).len() > 1 {
            continue;
        }
        let gap = starting_in(this.tokens, this_p.end..this_q.start);
        total += words.count(gap.clone()) - cover.words(words, 1, gap);
    }
    total
}

/// One side's layout, given its words and how its passages cover them.
fn side(input: &SideInput, words: &Words, cover: &Cover) -> SideLayout {
    let total = words.total();
    let Some((first, last)) = cover.ends(words) else {
        return SideLayout { words: total, before: total, ..Default::default() };
    };
    let tokens = input.tokens;
    let everywhere = 0..tokens.len();
    let shared = cover.words(words, 1, everywhere.clone());
    let of_kind = |keep: &dyn Fn(PassageKind) -> bool| {
        let spans = input.shared.iter().zip(&input.kinds).filter(|(_, &k)| keep(k)).map(|(r, _)| r);
        Cover::new(tokens, spans).words(words, 1, everywhere.clone())
    };
    let copied = of_kind(&|k| matches!(k, PassageKind::Verbatim | PassageKind::Edited));
    let reused = of_kind(&|k| k != PassageKind::Quotation);
    let agencies: Vec<&Credit> = input.credits.iter().filter(|c| c.kind == "agencies").collect();
    // Words of the side starting between byte offsets `from` and `to`.
    let between = |from: usize, to: usize| words.count(starting_in(tokens, from..to));
    let (start_of_shared, end_of_shared) = (tokens[first].start as usize, tokens[last].end as usize);
    let appended =
        agencies.iter().any(|c| c.span.start >= end_of_shared && between(end_of_shared, c.span.start) <= CREDIT_REACH);
    let credit_in_ending = input.credits.iter().any(|c| c.kind != "photo" && c.span.start >= end_of_shared);
    let credited =
        agencies.iter().any(|c| c.span.end <= start_of_shared && between(c.span.end, start_of_shared) <= CREDIT_REACH);
    SideLayout {
        words: total,
        copied,
        reused,
        // Shared words no reuse holds: held only by quoted speech.
        quoted: shared - reused,
        before: words.count(0..first),
        inside: words.count(first..last + 1) - shared,
        after: words.count(last + 1..tokens.len()),
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

    fn input<'a>(
        tokens: &'a [TokenSpan],
        words: &'a Words,
        text: &str,
        shared: &[&str],
        credits: &'a [Credit],
    ) -> SideInput<'a> {
        let kinds = vec![PassageKind::Verbatim; shared.len()];
        let shared = shared
            .iter()
            .map(|s| {
                let at = text.find(s).expect("shared text is in the text");
                at..at + s.len()
            })
            .collect();
        SideInput { tokens, words, shared, kinds, credits }
    }

    fn spans(text: &str) -> Vec<TokenSpan> {
        normalize(text).tokens.iter().map(|t| TokenSpan { start: t.start, end: t.end }).collect()
    }

    #[test]
    fn unshared_words_are_placed_and_repeats_counted() {
        let a = "one two three four. local news here. five six seven. one two three four.";
        let b = "one two three four. five six seven. the end goes on.";
        let (ta, tb) = (spans(a), spans(b));
        let (wa, wb) = (Words::new(&ta, []), Words::new(&tb, []));
        let shared_a = ["one two three four", "five six seven", "one two three four."];
        let mut sa = input(&ta, &wa, a, &shared_a[..2], &[]);
        sa.shared.push(a.rfind("one").unwrap()..a.len() - 1);
        sa.kinds.push(PassageKind::Verbatim);
        let sb = input(&tb, &wb, b, &["one two three four", "five six seven", "one two three four"], &[]);
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
        let credits = crate::attribution::claims::read(a).credits;
        let ta = spans(a);
        let wa = Words::new(&ta, []);
        let layout_of = |shared: &str| {
            let side_input = input(&ta, &wa, a, &[shared], &credits);
            let cover = Cover::new(&ta, side_input.shared.iter());
            side(&side_input, &wa, &cover)
        };
        let ending = layout_of("the story as told");
        assert!(ending.appended && !ending.credited);
        let start = layout_of("another story follows");
        assert!(start.credited && !start.appended);
        assert!(start.before > 0);
    }

    /// The layout as first written: a count per token, every question a
    /// walk over both documents. What the fast layout must equal.
    mod reference {
        use super::super::*;

        pub fn layout(sides: [SideInput; 2], boilerplate: [&[Range<usize>]; 2], coverage: [f64; 2]) -> Layout {
            let counts = sides.each_ref().map(|s| cover_counts(s.tokens, &s.shared));
            let masked = [0, 1].map(|s| flags(sides[s].tokens, boilerplate[s]));
            let mut out = [0, 1].map(|s| side(&sides[s], &counts[s], &masked[s]));
            for (s, other) in [(0, 1), (1, 0)] {
                out[s].repeated = counts[other].iter().zip(&masked[other]).filter(|&(&c, &m)| c >= 2 && !m).count();
                out[s].inserted = inserted(&sides[s], &counts[s], &masked[s], &sides[other]);
            }
            Layout { coverage, sides: out }
        }

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

        fn inserted(this: &SideInput, counts: &[u8], masked: &[bool], other: &SideInput) -> usize {
            let mut order: Vec<usize> = (0..this.shared.len()).collect();
            order.sort_by_key(|&k| (this.shared[k].start, this.shared[k].end));
            let mut total = 0;
            for w in order.windows(2) {
                let (p, q) = (w[0], w[1]);
                let (this_p, this_q) = (&this.shared[p], &this.shared[q]);
                let (other_p, other_q) = (&other.shared[p], &other.shared[q]);
                if this_q.start < this_p.end || other_q.start < other_p.end {
                    continue;
                }
                if starting_in(other.tokens, other_p.end..other_q.start).len() > 1 {
                    continue;
                }
                total += starting_in(this.tokens, this_p.end..this_q.start)
                    .filter(|&i| counts[i] == 0 && !masked[i])
                    .count();
            }
            total
        }

        fn flags(tokens: &[TokenSpan], spans: &[Range<usize>]) -> Vec<bool> {
            let mut out = vec![false; tokens.len()];
            for r in spans {
                out[starting_in(tokens, r.clone())].iter_mut().for_each(|f| *f = true);
            }
            out
        }

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
            let between = |from: usize, to: usize| {
                words.iter().filter(|&&i| (from..to).contains(&(input.tokens[i].start as usize))).count()
            };
            let end_of_shared = input.tokens[words[last]].end as usize;
            let appended = agencies
                .iter()
                .any(|c| c.span.start >= end_of_shared && between(end_of_shared, c.span.start) <= CREDIT_REACH);
            let credit_in_ending = input.credits.iter().any(|c| c.kind != "photo" && c.span.start >= end_of_shared);
            let credited =
                agencies.iter().any(|c| c.span.end <= at(first) && between(c.span.end, at(first)) <= CREDIT_REACH);
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
    }

    /// Tokens of one to four bytes with gaps of up to three bytes, as the
    /// byte length of each token and of the gap before it.
    fn token_spans(shape: &[(u32, u32)]) -> Vec<TokenSpan> {
        let mut at = 0;
        shape
            .iter()
            .map(|&(gap, len)| {
                let start = at + gap;
                at = start + len;
                TokenSpan { start, end: at }
            })
            .collect()
    }

    fn ranges(bytes: usize, cuts: &[(usize, usize)]) -> Vec<Range<usize>> {
        cuts.iter().map(|&(x, y)| x % (bytes + 8)..(x % (bytes + 8) + y)).collect()
    }

    const KINDS: [PassageKind; 4] =
        [PassageKind::Verbatim, PassageKind::Edited, PassageKind::Rewritten, PassageKind::Quotation];
    const CREDIT_KINDS: [&str; 3] = ["agencies", "photo", "byline"];

    proptest::proptest! {
        #[test]
        fn layout_is_the_reference_layout(
            shapes in proptest::collection::vec(proptest::collection::vec((0u32..4, 1u32..5), 0..80), 2),
            passages in proptest::collection::vec(((0usize..400, 0usize..60), (0usize..400, 0usize..60), 0usize..4), 0..12),
            boilerplate in proptest::collection::vec(proptest::collection::vec((0usize..400, 0usize..50), 0..4), 2),
            credits in proptest::collection::vec(proptest::collection::vec((0usize..400, 1usize..12, 0usize..3), 0..3), 2),
        ) {
            let tokens = [token_spans(&shapes[0]), token_spans(&shapes[1])];
            let bytes = tokens.each_ref().map(|t| t.last().map_or(0, |t| t.end as usize));
            let credits: Vec<Vec<Credit>> = (0..2)
                .map(|s| {
                    credits[s]
                        .iter()
                        .map(|&(at, len, kind)| Credit {
                            upstream: "Agencies".into(),
                            kind: CREDIT_KINDS[kind],
                            span: at % (bytes[s] + 8)..at % (bytes[s] + 8) + len,
                        })
                        .collect()
                })
                .collect();
            let boilerplate = [0, 1].map(|s| ranges(bytes[s], &boilerplate[s]));
            let words = [0, 1].map(|s| Words::new(&tokens[s], boilerplate[s].iter().cloned()));
            let inputs = || {
                [0, 1].map(|s| SideInput {
                    tokens: &tokens[s],
                    words: &words[s],
                    shared: ranges(bytes[s], &passages.iter().map(|p| if s == 0 { p.0 } else { p.1 }).collect::<Vec<_>>()),
                    kinds: passages.iter().map(|p| KINDS[p.2]).collect(),
                    credits: &credits[s],
                })
            };
            let fast = Layout::new(inputs(), [0.5, 0.25]);
            let reference = reference::layout(inputs(), [&boilerplate[0], &boilerplate[1]], [0.5, 0.25]);
            proptest::prop_assert_eq!(fast, reference);
        }
    }
}
