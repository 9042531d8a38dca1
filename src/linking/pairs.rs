//! Pair building: candidate pairs of analysed documents in, verified
//! [`Pair`]s with their passages, coverage and attribution out.
//!
//! For the documents some pair needs, tokens and shingles are rebuilt
//! ([`Tokenized`]) and their exact sets made with boilerplate masked and
//! quoted shingles set apart (`DocSets`); a `Verifier` measures each pair
//! (shingles, or aligned sentences for rewrites) and a `PairBuilder` aligns
//! the passages and weighs the direction.

use crate::analysis::normalize::TokenSpan;
use crate::analysis::shingle::{HashSetU64, Shingles};
use crate::analysis::{normalize, quotes};
use crate::analysis::{Analysis, Scratch, SCRATCH};
use crate::attribution::layout::{self, Layout, SideInput};
use crate::attribution::provenance::{self, Attribution};
use crate::config::ScanConfig;
use crate::document::Document;
use crate::linking::align::{self, PassageKind};
use crate::linking::extend::{self, Words};
use crate::linking::infer;
use crate::linking::rewrite;
use crate::linking::verify::{self, PairMetrics, Relation, SetAside};
use bitvec::prelude::*;
use std::ops::Range;

/// A passage shared by a pair, in byte ranges of each *original input*
/// (`a`, `b`) and of each analysed text (`text_a`, `text_b`, which differ
/// only for HTML input).
#[derive(Debug, Clone, PartialEq)]
pub struct Passage {
    pub a: Range<usize>,
    pub b: Range<usize>,
    pub text_a: Range<usize>,
    pub text_b: Range<usize>,
    pub a_tokens: usize,
    pub b_tokens: usize,
    pub kind: PassageKind,
    pub score: f64,
}

/// A verified pair of related documents (indexes into [`Scan::documents`](crate::scan::Scan::documents)).
#[derive(Debug, Clone, PartialEq)]
pub struct Pair {
    pub a: u32,
    pub b: u32,
    pub metrics: PairMetrics,
    pub relation: Relation,
    pub passages: Vec<Passage>,
    /// Share of each document's text covered by the passages.
    pub coverage_a: f64,
    pub coverage_b: f64,
    /// Share of each document's own words (outside boilerplate and shared
    /// quoted speech) that passages other than quotation reuse.
    pub reuse_a: f64,
    pub reuse_b: f64,
    /// Who took from whom, and the evidence.
    pub attribution: Attribution,
}

/// A document's tokens and shingles, rebuilt for the documents the
/// cross-document stages work on.
#[derive(Debug, Clone)]
pub struct Tokenized {
    pub tokens: Vec<TokenSpan>,
    /// Tokens per shingle.
    pub k: usize,
    /// [`Shingles::positions`], held as two columns (12 bytes a shingle
    /// instead of a padded 16): shingle hashes sorted, and where each
    /// occurs. Sorted once, they give the document's exact set without
    /// another sort (often they are the set) and every alignment without
    /// hashing; the hashes in text order are not kept.
    pub hashes: Vec<u64>,
    pub at: Vec<u32>,
}

impl Tokenized {
    pub fn new(doc: &Document, config: &ScanConfig) -> Self {
        // Tokens and hashes go through the thread's buffers, so what is kept
        // is allocated at its exact size: prepared documents stay in memory
        // until alignment, and fresh pages are a large share of their cost.
        SCRATCH.with_borrow_mut(|Scratch { tokens, hashes, .. }| {
            let k = config.shingle_k(normalize::normalize_into(&doc.text, tokens)).max(1);
            Shingles::hash_into(tokens, k, hashes);
            let spans = tokens.iter().map(|t| TokenSpan { start: t.start, end: t.end }).collect();
            let (hashes, at) = Shingles::sorted_columns(hashes);
            Tokenized { tokens: spans, k, hashes, at }
        })
    }
}

/// A document's shingle set for verification: boilerplate shingles left
/// out, and the shingles it only ever has inside quotation marks.
#[derive(Debug, Clone, Default)]
pub(crate) struct DocSets {
    /// `None` when the set is [`Tokenized::hashes`] itself: nothing masked
    /// and no shingle repeated, as in most documents (not copying it saves
    /// a third of a prepared document's memory).
    pub(crate) set: Option<Vec<u64>>,
    pub(crate) quoted: Vec<u64>,
}

impl DocSets {
    pub(crate) fn new(text: &Tokenized, a: &Analysis) -> Self {
        let tokens = &text.tokens;
        let window = |i: u32| i as usize..(i as usize + text.k).min(tokens.len());
        if a.boilerplate.is_empty() && a.quotes.is_empty() {
            let repeats = text.hashes.windows(2).any(|w| w[0] == w[1]);
            let set = repeats.then(|| {
                let mut set = text.hashes.clone();
                set.dedup();
                set
            });
            return DocSets { set, quoted: Vec::new() };
        }
        let boiler_spans: Vec<Range<usize>> = a.boilerplate.iter().map(|b| b.span.clone()).collect();
        let boiler = token_flags(tokens, &boiler_spans);
        let quoted = token_flags(tokens, &a.quotes);
        // Occurrences come grouped by hash: a hash is quoted when every
        // occurrence outside boilerplate lies wholly inside quotation marks.
        let (mut set, mut in_quotes) = (Vec::new(), Vec::new());
        let mut i = 0;
        let hashes = &text.hashes;
        while i < hashes.len() {
            let h = hashes[i];
            let (mut kept, mut all_quoted) = (false, true);
            while i < hashes.len() && hashes[i] == h {
                let window = window(text.at[i]);
                if !boiler[window.clone()].iter().any(|&b| b) {
                    kept = true;
                    all_quoted &= quoted[window].iter().all(|&q| q);
                }
                i += 1;
            }
            if kept {
                set.push(h);
                if all_quoted {
                    in_quotes.push(h);
                }
            }
        }
        DocSets { set: Some(set), quoted: in_quotes }
    }
}

/// What the cross-document stages need of one document: its tokens and
/// shingles again, its exact sets, and which tokens are words (outside
/// boilerplate) for its pairs' layouts.
#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    pub(crate) text: Tokenized,
    pub(crate) sets: DocSets,
    pub(crate) words: layout::Words,
}

impl Prepared {
    pub(crate) fn new(doc: &Document, a: &Analysis, config: &ScanConfig) -> Self {
        let text = Tokenized::new(doc, config);
        let sets = DocSets::new(&text, a);
        let words = layout::Words::new(&text.tokens, a.boilerplate.iter().map(|b| b.span.clone()));
        Prepared { text, sets, words }
    }

    /// The document's shingle set for verification, sorted.
    pub(crate) fn set(&self) -> &[u64] {
        self.sets.set.as_deref().unwrap_or(&self.text.hashes)
    }
}

/// The documents with their analyses and, for those some pair needs, what
/// was prepared for them; others are prepared on demand (clustering may
/// verify pairs no index proposed).
#[derive(Clone, Copy)]
pub(crate) struct Prepare<'a> {
    pub(crate) config: &'a ScanConfig,
    pub(crate) documents: &'a [Document],
    pub(crate) analyses: &'a [Analysis],
    pub(crate) prepared: &'a [Option<Prepared>],
}

impl Prepare<'_> {
    pub(crate) fn get(&self, i: u32) -> std::borrow::Cow<'_, Prepared> {
        let i = i as usize;
        match &self.prepared[i] {
            Some(p) => std::borrow::Cow::Borrowed(p),
            None => std::borrow::Cow::Owned(Prepared::new(&self.documents[i], &self.analyses[i], self.config)),
        }
    }
}

/// For each token, whether it starts inside one of `spans` (sorted by start).
pub(crate) fn token_flags(tokens: &[TokenSpan], spans: &[Range<usize>]) -> Vec<bool> {
    let mut sorted: Vec<&Range<usize>> = spans.iter().collect();
    sorted.sort_by_key(|r| r.start);
    let mut out = Vec::with_capacity(tokens.len());
    let mut s = 0;
    for t in tokens {
        let at = t.start as usize;
        while s < sorted.len() && sorted[s].end <= at {
            s += 1;
        }
        out.push(sorted[s..].iter().take_while(|r| r.start <= at).any(|r| at < r.end));
    }
    out
}

impl Pair {
    /// How strongly the pair links its documents: clusters merge strongest
    /// links first.
    pub fn link_score(&self) -> f64 {
        let m = &self.metrics;
        let base = m.jaccard.max(m.containment_a.min(m.containment_b)).max(self.coverage_a.min(self.coverage_b));
        base + match self.relation {
            Relation::Duplicate => 0.002,
            Relation::NearDuplicate => 0.001,
            // Rewrites are the weakest link: near-duplicates merge first.
            Relation::Rewritten => -0.5,
            _ => 0.0,
        }
    }
}

/// Share of a document's own words (outside boilerplate and shared quoted
/// speech) at which aligned verbatim and edited passages make an edited
/// copy even when few shingles survive (OCR noise, a word changed in every
/// sentence): of both documents, a near-duplicate; of one, contained.
pub const EDITED_COVERAGE: f64 = 0.7;
/// Share of either document's own words that passages copied word for word
/// or with edits must cover for the pair to be substantial reuse, which
/// links: half of a page reprinted is a version of it, whatever the rest.
pub const SUBSTANTIAL_REUSE: f64 = 0.5;
/// Share of the shorter document's own words that a rewrite's passages
/// must cover: a link rests on reuse spread over the story, not on one
/// banner, teaser or background box two pages carry. (It is a share, not a
/// count of blocks: a rewrite's sentence chain depends on the corpus's
/// word weights, and a feed index, weighing one batch and its archived
/// neighbours, must link what one scan of everything links.) Quoted speech
/// both carry is no part of a rewrite's chain.
pub const REWRITE_SPREAD: f64 = 0.3;
/// Sentences a rewrite must say in other words (aligned sentences outside
/// verbatim and edited passages).
pub const MIN_RETOLD: usize = 2;

/// Bytes between two passages, on both sides, within which they are one
/// block of reused text (a paragraph split by an edit), not two.
const BLOCK_GAP: usize = 80;

/// Words of reused text (on the shorter side of a passage) a block needs
/// to count: a stock phrase two stories share is not spread reuse.
const MIN_BLOCK_WORDS: usize = 16;

/// How many separate blocks of reused text `passages` make (quoted speech
/// and stock phrases aside): one shared box or paragraph is one block
/// however its passages fall, quoted speech inside it included.
pub fn blocks(passages: &[Passage]) -> usize {
    let mut sorted: Vec<&Passage> = passages.iter().collect();
    sorted.sort_by_key(|p| (p.text_a.start, p.text_b.start));
    let near = |x: &Range<usize>, y: &Range<usize>| y.start >= x.start && y.start <= x.end + BLOCK_GAP;
    let (mut count, mut reused) = (0, 0);
    let mut last: Option<&Passage> = None;
    for p in sorted {
        if !last.is_some_and(|l| near(&l.text_a, &p.text_a) && near(&l.text_b, &p.text_b)) {
            count += usize::from(reused >= MIN_BLOCK_WORDS);
            reused = 0;
        }
        if p.kind != PassageKind::Quotation {
            reused += p.a_tokens.min(p.b_tokens);
        }
        last = Some(p);
    }
    count + usize::from(reused >= MIN_BLOCK_WORDS)
}

/// The pair's relation once its passages are known: shared wording the
/// shingle sets undercount (edits, noise, boilerplate around a reprint)
/// can raise partial reuse to a link; a rewrite whose passages cover
/// little of the shorter text falls back to partial.
fn judged(relation: Relation, layout: &Layout, retold_sentences: usize) -> Relation {
    let [a, b] = &layout.sides;
    let copied = [a.share(a.copied), b.share(b.copied)];
    let (least, most) = (copied[0].min(copied[1]), copied[0].max(copied[1]));
    let by_copies = if least >= EDITED_COVERAGE {
        Some(Relation::NearDuplicate)
    } else if most >= SUBSTANTIAL_REUSE {
        Some(Relation::Contained)
    } else {
        None
    };
    match relation {
        Relation::Partial => by_copies.unwrap_or(Relation::Partial),
        Relation::Rewritten => {
            let shorter = if a.words <= b.words { a } else { b };
            // A few words outside boilerplate (a table of figures) are no
            // story to spread over; a chain whose sentences all lie in
            // verbatim passages is shared wording, judged as such.
            let retold = retold_sentences >= MIN_RETOLD && shorter.share(shorter.reused) >= REWRITE_SPREAD;
            if shorter.words < 20 || retold {
                Relation::Rewritten
            } else {
                by_copies.unwrap_or(Relation::Partial)
            }
        }
        other => other,
    }
}

/// Turns verified pairs into reported pairs: passages, coverage, provenance.
pub(crate) struct PairBuilder<'a> {
    pub(crate) docs: Prepare<'a>,
    pub(crate) common: &'a HashSetU64,
}

impl PairBuilder<'_> {
    pub(crate) fn build(&self, v: Verified) -> Pair {
        let Prepare { config, documents, analyses, .. } = self.docs;
        let (pa, pb) = (self.docs.get(v.a), self.docs.get(v.b));
        let texts = [&pa.text, &pb.text];
        let min_tokens = config.options().repeat_min_tokens;
        let mut passages = passages(documents, analyses, texts, v.a, v.b, &v.shared, self.common, min_tokens);
        add_rewritten(&mut passages, documents, [&pa.text.tokens, &pb.text.tokens], &v);
        passages.sort_by_key(|p| (p.a.start, p.b.start));
        let (da, db) = (&documents[v.a as usize], &documents[v.b as usize]);
        let coverage_a = coverage(passages.iter().map(|p| p.a.clone()), da);
        let coverage_b = coverage(passages.iter().map(|p| p.b.clone()), db);
        let (aa, ab) = (&analyses[v.a as usize], &analyses[v.b as usize]);
        let (shared_a, shared_b) = passages.iter().map(|p| (p.text_a.clone(), p.text_b.clone())).unzip();
        let kinds: Vec<PassageKind> = passages.iter().map(|p| p.kind).collect();
        let layout = Layout::new(
            [side_input(&pa, aa, shared_a, kinds.clone()), side_input(&pb, ab, shared_b, kinds)],
            [coverage_a, coverage_b],
        );
        let retold = passages.iter().filter(|p| p.kind == PassageKind::Rewritten).count();
        let relation = judged(v.relation, &layout, retold);
        let attribution = provenance::attribute([da, db], [&aa.provenance, &ab.provenance], &layout);
        let [la, lb] = &layout.sides;
        let (reuse_a, reuse_b) = (la.share(la.reused), lb.share(lb.reused));
        Pair {
            a: v.a,
            b: v.b,
            metrics: v.metrics,
            relation,
            passages,
            coverage_a,
            coverage_b,
            reuse_a,
            reuse_b,
            attribution,
        }
    }
}

/// What the layout of a pair needs of one side.
fn side_input<'a>(
    prepared: &'a Prepared,
    analysis: &'a Analysis,
    shared: Vec<Range<usize>>,
    kinds: Vec<PassageKind>,
) -> SideInput<'a> {
    SideInput {
        tokens: &prepared.text.tokens,
        words: &prepared.words,
        shared,
        kinds,
        credits: &analysis.provenance.credits,
    }
}

/// A pair that passed verification, with what the passages need.
#[derive(Debug, Clone)]
pub(crate) struct Verified {
    pub(crate) a: u32,
    pub(crate) b: u32,
    pub(crate) metrics: PairMetrics,
    pub(crate) relation: Relation,
    /// Shingle hashes both hold.
    pub(crate) shared: Vec<u64>,
    /// Aligned sentences, for rewrites.
    pub(crate) chain: Chain,
}

/// A rewrite's aligned sentences: their byte spans in each document's text,
/// and their similarity.
pub(crate) type Chain = Vec<(Range<usize>, Range<usize>, f64)>;

/// Membership in a sorted list, asked of values in ascending order: the
/// list is walked once, whatever the number of questions.
struct Ascending<'a>(&'a [u64]);

impl Ascending<'_> {
    /// Whether the list holds `h`, no smaller than any value asked before.
    fn holds(&mut self, h: u64) -> bool {
        let below = self.0.iter().take_while(|&&x| x < h).count();
        self.0 = &self.0[below..];
        self.0.first() == Some(&h)
    }
}

/// Verifies pairs against the exact shingle sets and, for rewrites, the
/// aligned sentences.
pub(crate) struct Verifier<'a> {
    pub(crate) docs: Prepare<'a>,
    pub(crate) common: &'a HashSetU64,
    /// Rare words of each sentence, for documents in rewrite candidates.
    pub(crate) rare: &'a [rewrite::RareWords],
}

impl Verifier<'_> {
    pub(crate) fn measure(&self, a: u32, b: u32) -> (PairMetrics, Vec<u64>) {
        self.measure_sharing(a, b, None)
    }

    /// [`Verifier::measure`] of a pair whose shared shingles are `known`
    /// (found for a batch of pairs at once, see `shared.rs`), or merged
    /// from its two sets when they are not.
    fn measure_sharing(&self, a: u32, b: u32, known: Option<Vec<u64>>) -> (PairMetrics, Vec<u64>) {
        let (pa, pb) = (self.docs.get(a), self.docs.get(b));
        let (sa, sb) = (&pa.sets, &pb.sets);
        let (set_a, set_b) = (pa.set(), pb.set());
        let shared = known.unwrap_or_else(|| verify::intersect(set_a, set_b));
        // The shared hashes come in order, so each side's quoted list is
        // walked once rather than searched for every one of them.
        let (mut quoted_a, mut quoted_b) = (Ascending(&sa.quoted), Ascending(&sb.quoted));
        let set_aside = |h: u64| {
            if self.common.contains(&h) {
                SetAside::Common
            } else if quoted_a.holds(h) && quoted_b.holds(h) {
                SetAside::Quoted
            } else {
                SetAside::No
            }
        };
        (verify::measure(set_a.len(), set_b.len(), &shared, set_aside), shared)
    }

    /// What document `d` brings to an inferred link's bound.
    pub(crate) fn set_size(&self, d: u32) -> infer::SetSize {
        let prepared = self.docs.get(d);
        let set = prepared.set();
        let quoted = &prepared.sets.quoted;
        let aside = set.iter().filter(|h| self.common.contains(h) || quoted.binary_search(h).is_ok()).count();
        infer::SetSize { shingles: set.len(), aside }
    }

    /// The pair's relation from shared wording, if any.
    pub(crate) fn shingles(&self, a: u32, b: u32) -> Option<Verified> {
        self.shingles_sharing(a, b, None)
    }

    /// [`Verifier::shingles`] of a pair whose shared shingles may be known.
    pub(crate) fn shingles_sharing(&self, a: u32, b: u32, known: Option<Vec<u64>>) -> Option<Verified> {
        let (metrics, shared) = self.measure_sharing(a, b, known);
        let relation = metrics.relation(self.docs.config)?;
        Some(Verified { a, b, metrics, relation, shared, chain: Vec::new() })
    }

    /// The pair as a rewrite, if enough sentences align in order.
    pub(crate) fn rewrite(&self, a: u32, b: u32) -> Option<Verified> {
        let chain = self.rewrite_chain(a, b)?;
        Some(self.rewritten(a, b, chain))
    }

    /// A rewrite found by [`Verifier::rewrite_chain`], measured on shared
    /// wording as well.
    pub(crate) fn rewritten(&self, a: u32, b: u32, chain: Chain) -> Verified {
        let (metrics, shared) = self.measure(a, b);
        Verified { a, b, metrics, relation: Relation::Rewritten, shared, chain }
    }

    /// The sentences of a rewrite aligned in order, if enough align: the
    /// check needs only the documents' analyses, not their shingles.
    pub(crate) fn rewrite_chain(&self, a: u32, b: u32) -> Option<Chain> {
        let analyses = self.docs.analyses;
        let (sa, sb) = (&analyses[a as usize].sentences, &analyses[b as usize].sentences);
        let (ra, rb) = (self.rare.get(a as usize)?, self.rare.get(b as usize)?);
        if ra.sentences() != sa.len() || rb.sentences() != sb.len() {
            return None;
        }
        // Quoted speech both carry comes from the speaker, not from one
        // another: such sentences do not make a rewrite.
        let (qa, qb) = (&analyses[a as usize].quotes, &analyses[b as usize].quotes);
        let quoted = |spans: &[Range<usize>], r: &Range<usize>| quotes::quoted_bytes(spans, r) * 10 >= r.len() * 6;
        let chain: Vec<rewrite::SentencePair> = rewrite::align_sentences(sa, sb, ra, rb)
            .into_iter()
            .filter(|p| !(quoted(qa, &sa.span(p.a)) && quoted(qb, &sb.span(p.b))))
            .collect();
        if !rewrite::is_rewrite(&chain, sa.len(), sb.len()) {
            return None;
        }
        Some(chain.iter().map(|p| (sa.span(p.a), sb.span(p.b), p.similarity)).collect())
    }
}

/// Adds rewrites to the verified pairs: a pair already there (as partial
/// reuse) becomes a rewrite and keeps its shared wording.
pub(crate) fn merge_rewrites(verified: &mut Vec<Verified>, rewrites: Vec<Verified>) {
    let mut at: std::collections::HashMap<(u32, u32), usize> =
        verified.iter().enumerate().map(|(i, v)| ((v.a, v.b), i)).collect();
    for r in rewrites {
        match at.get(&(r.a, r.b)) {
            Some(&i) => {
                verified[i].relation = Relation::Rewritten;
                verified[i].chain = r.chain;
            }
            None => {
                at.insert((r.a, r.b), verified.len());
                verified.push(r);
            }
        }
    }
}

/// Rewritten sentence pairs become passages, except where shared wording
/// already covers that sentence.
pub(crate) fn add_rewritten(
    passages: &mut Vec<Passage>,
    documents: &[Document],
    tokens: [&[TokenSpan]; 2],
    v: &Verified,
) {
    let (da, db) = (&documents[v.a as usize], &documents[v.b as usize]);
    let count = |toks: &[TokenSpan], r: &Range<usize>| {
        toks.iter().filter(|t| t.start as usize >= r.start && t.end as usize <= r.end).count()
    };
    for (ra, rb, similarity) in &v.chain {
        let (sa, sb) = (da.source_span(ra.clone()), db.source_span(rb.clone()));
        if passages
            .iter()
            .any(|p| (p.a.start < sa.end && sa.start < p.a.end) || (p.b.start < sb.end && sb.start < p.b.end))
        {
            continue;
        }
        passages.push(Passage {
            a: sa,
            b: sb,
            text_a: ra.clone(),
            text_b: rb.clone(),
            a_tokens: count(tokens[0], ra),
            b_tokens: count(tokens[1], rb),
            kind: PassageKind::Rewritten,
            score: *similarity,
        });
    }
}

/// Share of a document's original bytes covered by `spans` (which are in
/// original-input offsets; overlaps count once).
pub(crate) fn coverage(spans: impl Iterator<Item = Range<usize>>, doc: &Document) -> f64 {
    let total = doc.source_span(0..doc.text.len()).len();
    if total == 0 {
        return 0.0;
    }
    let mut spans: Vec<Range<usize>> = spans.collect();
    spans.sort_by_key(|r| r.start);
    let (mut covered, mut end) = (0, 0);
    for r in spans {
        let start = r.start.max(end);
        if r.end > start {
            covered += r.end - start;
            end = r.end;
        }
    }
    covered as f64 / total as f64
}

/// The documents (of `n`) that take part in any of `pairs`.
pub(crate) fn docs_in(pairs: impl Iterator<Item = (u32, u32)>, n: usize) -> BitVec {
    let mut docs = bitvec![0; n];
    for (a, b) in pairs {
        docs.set(a as usize, true);
        docs.set(b as usize, true);
    }
    docs
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn passages(
    documents: &[Document],
    analyses: &[Analysis],
    texts: [&Tokenized; 2],
    a: u32,
    b: u32,
    shared: &[u64],
    common: &HashSetU64,
    min_tokens: usize,
) -> Vec<Passage> {
    let (da, db) = (&documents[a as usize], &documents[b as usize]);
    let (aa, ab) = (&analyses[a as usize], &analyses[b as usize]);
    let (ta, tb) = (&texts[0].tokens, &texts[1].tokens);
    let anchors: Vec<u64> = shared.iter().copied().filter(|h| !common.contains(h)).collect();
    let [sa, sb] = texts.map(|t| align::Side { hashes: &t.hashes, at: &t.at, tokens: t.tokens.len() });
    let mut aligned = align::align_positions(sa, sb, texts[0].k, &anchors, min_tokens);
    extend::extend(&mut aligned, Words { text: &da.text, tokens: ta }, Words { text: &db.text, tokens: tb });
    aligned
        .into_iter()
        .map(|p| {
            let (ra, rb) = with_punctuation(&da.text, &db.text, token_bytes(ta, &p.a), token_bytes(tb, &p.b));
            // Mostly inside quotation marks on both sides: quoted speech.
            let quoted = |spans: &[Range<usize>], r: &Range<usize>| quotes::quoted_bytes(spans, r) * 10 >= r.len() * 6;
            let kind = if quoted(&aa.quotes, &ra) && quoted(&ab.quotes, &rb) { PassageKind::Quotation } else { p.kind };
            Passage {
                a: da.source_span(ra.clone()),
                b: db.source_span(rb.clone()),
                text_a: ra,
                text_b: rb,
                a_tokens: p.a.len(),
                b_tokens: p.b.len(),
                kind,
                score: p.score,
            }
        })
        .collect()
}

/// Byte ranges `ra` of `a` and `rb` of `b` widened over the punctuation both
/// sides carry just outside them, character for character: the full stop
/// or closing quote that ends a copied sentence, the quote that opens it.
fn with_punctuation(a: &str, b: &str, ra: Range<usize>, rb: Range<usize>) -> (Range<usize>, Range<usize>) {
    let mark = |c: &char| !c.is_alphanumeric() && !c.is_whitespace();
    let after = |t: &str, at: usize| t[at..].chars().take_while(mark).collect::<Vec<char>>();
    let before = |t: &str, at: usize| t[..at].chars().rev().take_while(mark).collect::<Vec<char>>();
    if ra.is_empty() || rb.is_empty() {
        return (ra, rb);
    }
    let common = |x: Vec<char>, y: Vec<char>| -> usize {
        x.iter().zip(&y).take_while(|(p, q)| p == q).map(|(p, _)| p.len_utf8()).sum()
    };
    let tail = common(after(a, ra.end), after(b, rb.end));
    let head = common(before(a, ra.start), before(b, rb.start));
    (ra.start - head..ra.end + tail, rb.start - head..rb.end + tail)
}

/// The byte range of the analysed text that a token range covers.
pub fn token_bytes(tokens: &[TokenSpan], range: &Range<usize>) -> Range<usize> {
    if range.is_empty() || range.end > tokens.len() {
        return 0..0;
    }
    tokens[range.start].start as usize..tokens[range.end - 1].end as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Walking a sorted list for ascending questions answers as a binary
        /// search of the whole list does, for questions in it or not.
        #[test]
        fn ascending_walk_is_a_search(
            list in proptest::collection::btree_set(0u64..400, 0..120),
            asked in proptest::collection::btree_set(0u64..420, 0..120),
        ) {
            let list: Vec<u64> = list.into_iter().collect();
            let mut walk = Ascending(&list);
            for h in asked {
                proptest::prop_assert_eq!(walk.holds(h), list.binary_search(&h).is_ok(), "asked {}", h);
            }
        }
    }
}
