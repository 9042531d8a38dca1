//! The batch API (`copydesk.batch`): the stages of [`copydesk::batch`]
//! over Arrow record batches, for engines that call them once per batch of
//! rows (the Spark job's `mapInArrow` and `applyInArrow`). No JSON and no
//! Python call per document: columns in, columns out, the GIL released
//! while Rust works.

use crate::documents::{self, required};
use crate::options::Settings;
use arrow_array::builder::{
    BooleanBuilder, Float64Builder, ListBuilder, PrimitiveBuilder, StringBuilder, StructBuilder,
};
use arrow_array::types::{UInt32Type, UInt64Type};
use arrow_array::ArrowPrimitiveType;
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Fields};
use copydesk::batch::{self, CorpusStatistics, LinkOptions, SketchOptions};
use copydesk::corpus::boilerplate::{Reason, Verdicts};
use copydesk::corpus::common::df_sample_stride;
use copydesk::output::records;
use copydesk::{Document, Scan};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use pyo3_arrow::{PyRecordBatch, PyTable};
use rayon::prelude::*;
use std::collections::HashMap;
use std::sync::Arc;

/// Corpus statistics that add up (`a.merge(b)` is the count of both).
#[pyclass(frozen, module = "copydesk._core")]
#[derive(Clone)]
pub struct Statistics(CorpusStatistics);

#[pymethods]
impl Statistics {
    #[new]
    fn new() -> Self {
        Statistics(CorpusStatistics::default())
    }

    /// Counts the documents of `table`. A row is sampled for shingle
    /// counts when its ordinal (the `ordinal` column, or `first_row` plus
    /// its row number) is a multiple of `sample_every`.
    #[staticmethod]
    #[pyo3(signature = (table, settings, sample_every = 1, first_row = 0))]
    fn of(py: Python<'_>, table: PyTable, settings: Settings, sample_every: u64, first_row: u64) -> PyResult<Self> {
        if sample_every == 0 {
            return Err(PyValueError::new_err("sample_every must be at least 1"));
        }
        let config = settings.config()?;
        let (batches, _) = table.into_inner();
        let ordinals = ordinals(&batches, first_row)?;
        let read = documents::read(&batches, false)?;
        Ok(py.detach(|| {
            let options = SketchOptions { vocabulary: true, ..SketchOptions::default() };
            let sketches: Vec<_> = read.documents.par_iter().map(|d| batch::sketch(d, &config, options)).collect();
            let mut stats = CorpusStatistics::default();
            for (s, ordinal) in sketches.iter().zip(ordinals) {
                stats.add(&s.words, (ordinal % sample_every == 0).then_some(s.shingles.as_slice()));
            }
            Statistics(stats)
        }))
    }

    /// These statistics less the common shingles one story holds, as
    /// `scan` judges them: `sampled` has a row per sampled document, with
    /// `group` (its LSH component's label) and `shingles` (its distinct
    /// shingles). Returns the statistics and how many shingles it took out.
    fn exempt_story_shingles(
        &self,
        py: Python<'_>,
        sampled: PyTable,
        settings: Settings,
    ) -> PyResult<(Statistics, usize)> {
        use arrow_array::cast::AsArray;
        let config = settings.config()?;
        let (batches, _) = sampled.into_inner();
        let mut rows: Vec<(u64, Vec<u64>)> = Vec::new();
        for batch in &batches {
            let groups = documents::whole_numbers(batch, "group")?;
            let shingles = batch
                .column_by_name("shingles")
                .ok_or_else(|| PyValueError::new_err("no \"shingles\" column"))?
                .as_list_opt::<i32>()
                .ok_or_else(|| PyValueError::new_err("\"shingles\" must be a list of uint64"))?;
            for (i, group) in groups.into_iter().enumerate() {
                let values = shingles.value(i);
                let values = values
                    .as_primitive_opt::<UInt64Type>()
                    .ok_or_else(|| PyValueError::new_err("\"shingles\" must be a list of uint64"))?;
                rows.push((group, values.values().to_vec()));
            }
        }
        Ok(py.detach(|| {
            let mut out = self.0.clone();
            let taken = out.exempt_story_shingles(&config, &rows);
            (Statistics(out), taken)
        }))
    }

    /// These counts plus `other`'s.
    fn merge(&self, other: &Statistics) -> Statistics {
        let mut out = self.0.clone();
        out.merge(&other.0);
        Statistics(out)
    }

    fn __add__(&self, other: &Statistics) -> Statistics {
        self.merge(other)
    }

    /// The counts as bytes (equal counts, equal bytes).
    fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.0.encode())
    }

    #[staticmethod]
    fn from_bytes(data: &[u8]) -> PyResult<Statistics> {
        CorpusStatistics::decode(data).map(Statistics).map_err(|e| PyValueError::new_err(e.to_string()))
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, (Bound<'py, PyBytes>,))> {
        let rebuild = slf.getattr("from_bytes")?;
        Ok((rebuild, (slf.get().to_bytes(slf.py()),)))
    }

    fn __eq__(&self, other: &Statistics) -> bool {
        self.0 == other.0
    }

    #[getter]
    fn documents(&self) -> u64 {
        self.0.documents
    }

    #[getter]
    fn sampled(&self) -> u64 {
        self.0.sampled
    }
}

/// Each row's ordinal: the `ordinal` column, or `first_row` plus the row.
fn ordinals(batches: &[RecordBatch], first_row: u64) -> PyResult<Vec<u64>> {
    let mut out = Vec::new();
    for batch in batches {
        match batch.column_by_name("ordinal") {
            Some(_) => out.extend(documents::whole_numbers(batch, "ordinal")?),
            None => {
                let from = first_row + out.len() as u64;
                out.extend((0..batch.num_rows() as u64).map(|i| from + i));
            }
        }
    }
    Ok(out)
}

/// Every how many documents `scan` samples one for shingle counts, in a
/// corpus of `documents` (1 when it counts them all).
#[pyfunction]
fn sample_every(documents: usize, settings: Settings) -> PyResult<usize> {
    let config = settings.config()?;
    Ok(df_sample_stride(documents, config.common_df(documents)).unwrap_or(1))
}

/// The rules the candidate stages follow, for an engine that groups the
/// keys itself, in a corpus of `documents`: the dict keys name them.
#[pyfunction]
fn rules(py: Python<'_>, documents: usize, settings: Settings) -> PyResult<Bound<'_, pyo3::types::PyDict>> {
    use copydesk::corpus::boilerplate as bp;
    use copydesk::linking::{candidates as c, cluster, rewrite};
    let config = settings.config()?;
    let common_df = config.common_df(documents);
    let out = pyo3::types::PyDict::new(py);
    out.set_item("common_df", common_df)?;
    out.set_item("sample_every", df_sample_stride(documents, common_df).unwrap_or(1))?;
    out.set_item("bucket_all_pairs", c::BUCKET_ALL_PAIRS)?;
    out.set_item("bucket_hubs", c::BUCKET_HUBS)?;
    out.set_item("min_fingerprints", copydesk::scan::MIN_SHARED_FINGERPRINTS)?;
    out.set_item("sentence_bucket_docs", rewrite::MAX_BUCKET_DOCS)?;
    out.set_item("min_sentence_hits", rewrite::MIN_SENTENCE_HITS)?;
    out.set_item("star_from", cluster::STAR_FROM)?;
    out.set_item("boilerplate_outlet_docs", bp::MIN_OUTLET_DOCS)?;
    out.set_item("boilerplate_corpus_docs", bp::corpus_min(documents))?;
    out.set_item("boilerplate_sample", bp::DIVERSITY_SAMPLE)?;
    out.set_item("rewrites", config.options().rewrites)?;
    Ok(out)
}

/// A list column of `values`, its buffers sized once.
fn list_of<'a, T: ArrowPrimitiveType>(values: impl Iterator<Item = &'a [T::Native]> + Clone) -> ArrayRef {
    let (lists, items) = values.clone().fold((0, 0), |(n, len), v| (n + 1, len + v.len()));
    let mut builder = ListBuilder::with_capacity(PrimitiveBuilder::<T>::with_capacity(items), lists);
    for v in values {
        builder.values().append_slice(v);
        builder.append(true);
    }
    Arc::new(builder.finish())
}

/// The columns [`analyze`] can give, besides `id`.
const SKETCH_COLUMNS: [&str; 11] = [
    "content_hash",
    "tokens",
    "signature",
    "band_keys",
    "fingerprints",
    "sentence_keys",
    "sentence_numbers",
    "paragraph_keys",
    "shingles",
    "words",
    "published_at",
];

/// The columns that need the full per-document analysis.
const ANALYSIS_COLUMNS: [&str; 6] =
    ["sentence_keys", "sentence_numbers", "paragraph_keys", "shingles", "words", "published_at"];

/// Sketches every document of `table`: `id`, then the `columns` asked for
/// (when `None`: content hash, tokens, signature, band keys, fingerprints,
/// and, given statistics, sentence keys and numbers). Also to be had:
/// paragraph keys, distinct shingles and content words, and the
/// publication time in seconds (`published_at`).
#[pyfunction]
#[pyo3(signature = (table, settings, statistics = None, columns = None))]
fn analyze<'py>(
    py: Python<'py>,
    table: PyTable,
    settings: Settings,
    statistics: Option<&Statistics>,
    columns: Option<Vec<String>>,
) -> PyResult<Bound<'py, PyAny>> {
    let config = settings.config()?;
    let columns: Vec<String> = columns.unwrap_or_else(|| SKETCH_COLUMNS[..7].iter().map(|c| c.to_string()).collect());
    if let Some(unknown) = columns.iter().find(|c| !SKETCH_COLUMNS.contains(&c.as_str())) {
        return Err(PyValueError::new_err(format!("unknown column {unknown:?}: one of {}", SKETCH_COLUMNS.join(", "))));
    }
    let wants = |c: &str| columns.iter().any(|x| x == c);
    let sentences = wants("sentence_keys") || wants("sentence_numbers");
    let others = ANALYSIS_COLUMNS[2..].iter().any(|c| wants(c));
    let full = sentences && statistics.is_some() || others;
    let signature_only = !wants("content_hash") && !wants("fingerprints") && !full;
    let (batches, _) = table.into_inner();
    let batch = if !full {
        // Document-level only: sketched straight from the Arrow buffers.
        let rows = documents::texts(&batches)?;
        py.detach(|| {
            let sketches: Vec<_> =
                rows.par_iter().map(|(_, text)| batch::sketch_text(text, &config, signature_only)).collect();
            sketch_batch(rows.iter().map(|(id, _)| *id), &sketches, &[], &columns)
        })
    } else {
        let read = documents::read(&batches, false)?;
        py.detach(|| {
            let broadcast = statistics.map(|s| s.0.broadcast(&config));
            let weights = broadcast.as_ref().map(|b| &b.weights);
            let options = SketchOptions {
                sentence_keys: weights,
                vocabulary: wants("shingles") || wants("words"),
                paragraphs: wants("paragraph_keys"),
                ..SketchOptions::default()
            };
            let sketches: Vec<_> = read.documents.par_iter().map(|d| batch::sketch(d, &config, options)).collect();
            let published: Vec<Option<i64>> =
                read.documents.iter().map(|d| d.meta.published.as_ref().and_then(|p| p.seconds())).collect();
            sketch_batch(read.documents.iter().map(|d| d.id.as_str()), &sketches, &published, &columns)
        })
    };
    let batch = batch.map_err(|e| PyValueError::new_err(e.to_string()))?;
    PyRecordBatch::new(batch).into_pyarrow(py)
}

/// The sketches as a record batch: `id`, then `columns` in their order
/// (`published_at` from `published`, each document's time in seconds).
fn sketch_batch<'a>(
    ids: impl Iterator<Item = &'a str>,
    sketches: &[batch::Sketch],
    published: &[Option<i64>],
    columns: &[String],
) -> Result<RecordBatch, arrow_schema::ArrowError> {
    let mut out: Vec<(&str, ArrayRef)> = vec![("id", Arc::new(arrow_array::StringArray::from_iter_values(ids)))];
    for name in columns {
        let column: ArrayRef = match name.as_str() {
            "content_hash" => {
                Arc::new(arrow_array::UInt64Array::from_iter_values(sketches.iter().map(|s| s.content_hash)))
            }
            "tokens" => Arc::new(arrow_array::UInt64Array::from_iter_values(sketches.iter().map(|s| s.tokens as u64))),
            "signature" => list_of::<UInt32Type>(sketches.iter().map(|s| s.signature.as_slice())),
            "band_keys" => list_of::<UInt64Type>(sketches.iter().map(|s| s.band_keys.as_slice())),
            "fingerprints" => list_of::<UInt64Type>(sketches.iter().map(|s| s.fingerprints.as_slice())),
            "sentence_keys" => list_of::<UInt64Type>(sketches.iter().map(|s| s.sentence_keys.as_slice())),
            "sentence_numbers" => list_of::<UInt32Type>(sketches.iter().map(|s| s.sentence_numbers.as_slice())),
            "paragraph_keys" => list_of::<UInt64Type>(sketches.iter().map(|s| s.paragraph_keys.as_slice())),
            "shingles" => list_of::<UInt64Type>(sketches.iter().map(|s| s.shingles.as_slice())),
            "words" => list_of::<UInt64Type>(sketches.iter().map(|s| s.words.as_slice())),
            _ => Arc::new(published.iter().copied().collect::<arrow_array::Int64Array>()),
        };
        out.push((name.as_str(), column));
    }
    RecordBatch::try_from_iter(out)
}

/// Pairs of ids (`a`, `b` columns) as indexes into `documents`.
fn pairs_of(table: Option<PyTable>, index: &HashMap<&str, u32>) -> PyResult<Vec<(u32, u32)>> {
    let Some(table) = table else { return Ok(Vec::new()) };
    let (batches, _) = table.into_inner();
    let mut out = Vec::new();
    for batch in &batches {
        let (a, b) = (required(batch, "a")?, required(batch, "b")?);
        for i in 0..batch.num_rows() {
            let find = |id: Option<&str>| {
                let id = id.ok_or_else(|| PyValueError::new_err(format!("candidate {i}: a null id")))?;
                index
                    .get(id)
                    .copied()
                    .ok_or_else(|| PyValueError::new_err(format!("candidate {i}: no document \"{id}\"")))
            };
            out.push((find(a.get(i))?, find(b.get(i))?));
        }
    }
    Ok(out)
}

/// Boilerplate verdicts from a table of `key`, `reason` and `documents`.
fn verdicts_of(table: Option<PyTable>) -> PyResult<Option<Verdicts>> {
    let Some(table) = table else { return Ok(None) };
    let (batches, _) = table.into_inner();
    let mut out = Verdicts::default();
    for batch in &batches {
        let keys = documents::whole_numbers(batch, "key")?;
        let counts = documents::whole_numbers(batch, "documents")?;
        let reasons = required(batch, "reason")?;
        for (i, (key, count)) in keys.into_iter().zip(counts).enumerate() {
            let name = reasons.get(i).unwrap_or_default();
            let reason = Reason::parse(name)
                .ok_or_else(|| PyValueError::new_err(format!("verdict {i}: no boilerplate reason {name:?}")))?;
            out.insert(key, (reason, count as usize));
        }
    }
    Ok(Some(out))
}

type Linked<'py> =
    (Bound<'py, PyAny>, Bound<'py, PyAny>, Bound<'py, PyAny>, Bound<'py, PyAny>, Bound<'py, PyAny>, Bound<'py, PyAny>);

/// Verifies and aligns candidate pairs of `documents` (and clusters them,
/// when `cluster`; learns their common passages and stories, when
/// `common_passages`), masking the learned `boilerplate` verdicts: pairs,
/// passages, clusters, stories, common passages, and the candidates shared
/// wording linked at once, as record batches. `rewrite_documents` (ids)
/// are the documents to prepare for rewrite checks, when the caller knows
/// them from the whole corpus.
#[pyfunction]
#[pyo3(signature = (
    documents, candidates, statistics, settings, rewrite_candidates = None, cluster = false,
    boilerplate = None, common_passages = false, rewrite_documents = None
))]
#[allow(clippy::too_many_arguments)]
fn link<'py>(
    py: Python<'py>,
    documents: PyTable,
    candidates: PyTable,
    statistics: &Statistics,
    settings: Settings,
    rewrite_candidates: Option<PyTable>,
    cluster: bool,
    boilerplate: Option<PyTable>,
    common_passages: bool,
    rewrite_documents: Option<Vec<String>>,
) -> PyResult<Linked<'py>> {
    let config = settings.config()?;
    let (batches, _) = documents.into_inner();
    let docs: Vec<Document> = documents::read(&batches, false)?.documents;
    drop(batches);
    let index: HashMap<&str, u32> = docs.iter().enumerate().map(|(i, d)| (d.id.as_str(), i as u32)).collect();
    let candidates = pairs_of(Some(candidates), &index)?;
    let rewrites = pairs_of(rewrite_candidates, &index)?;
    let rewrite_documents: Option<Vec<bool>> = rewrite_documents.map(|ids| {
        let mut flags = vec![false; docs.len()];
        for id in ids {
            if let Some(&d) = index.get(id.as_str()) {
                flags[d as usize] = true;
            }
        }
        flags
    });
    drop(index);
    let verdicts = verdicts_of(boilerplate)?;
    let out = py.detach(|| {
        let broadcast = statistics.0.broadcast(&config);
        let options = LinkOptions {
            cluster,
            common_passages,
            boilerplate: verdicts.as_ref(),
            rewrite_documents: rewrite_documents.as_deref(),
        };
        let (scan, at_once) = batch::link(docs, &candidates, rewrites, &broadcast, &config, options);
        let name = |d: u32| Some(scan.documents[d as usize].id.as_str());
        let at_once = RecordBatch::try_from_iter([
            ("a", strings(at_once.iter().map(|p| name(p.0)))),
            ("b", strings(at_once.iter().map(|p| name(p.1)))),
        ])?;
        Ok::<_, arrow_schema::ArrowError>([
            pair_batch(&scan)?,
            passage_batch(&scan)?,
            cluster_batch(&scan)?,
            story_batch(&scan)?,
            common_passage_batch(&scan)?,
            at_once,
        ])
    });
    let [pairs, passages, clusters, stories, common, at_once] =
        out.map_err(|e| PyValueError::new_err(e.to_string()))?;
    let arrow = |b: RecordBatch| PyRecordBatch::new(b).into_pyarrow(py);
    Ok((arrow(pairs)?, arrow(passages)?, arrow(clusters)?, arrow(stories)?, arrow(common)?, arrow(at_once)?))
}

/// The fields of `scan --format json`'s documents for each row of
/// `documents` (`index` from its `ordinal` column, `source` from its
/// `source` column), with the learned `boilerplate` verdicts masked;
/// repeats, credits and boilerplate as JSON text. `cluster` is left to the
/// caller, who knows the clusters.
#[pyfunction]
#[pyo3(signature = (documents, statistics, settings, boilerplate = None))]
fn describe<'py>(
    py: Python<'py>,
    documents: PyTable,
    statistics: &Statistics,
    settings: Settings,
    boilerplate: Option<PyTable>,
) -> PyResult<Bound<'py, PyAny>> {
    let config = settings.config()?;
    let (batches, _) = documents.into_inner();
    let docs: Vec<Document> = documents::read(&batches, false)?.documents;
    let mut ordinals = Vec::new();
    let mut sources: Vec<String> = Vec::new();
    for batch in &batches {
        ordinals.extend(documents::whole_numbers(batch, "ordinal")?);
        let column = required(batch, "source")?;
        sources.extend((0..batch.num_rows()).map(|i| column.get(i).unwrap_or_default().to_string()));
    }
    let verdicts = verdicts_of(boilerplate)?;
    let batch = py.detach(|| {
        let broadcast = statistics.0.broadcast(&config);
        let options = LinkOptions { boilerplate: verdicts.as_ref(), ..LinkOptions::default() };
        let (scan, _) = batch::link(docs, &[], Vec::new(), &broadcast, &config, options);
        let rows: Vec<records::DocumentRecord> =
            (0..scan.documents.len()).map(|i| records::document(&scan, i, None)).collect();
        let json = |f: &dyn Fn(&records::DocumentRecord) -> String| rows.iter().map(f).collect::<Vec<String>>();
        let repeats = json(&|r| serde_json::to_string(&r.repeats).expect("serializes"));
        let credits = json(&|r| serde_json::to_string(&r.credits).expect("serializes"));
        let boilerplate = json(&|r| serde_json::to_string(&r.boilerplate).expect("serializes"));
        let published_utc: Vec<Option<String>> = rows.iter().map(|r| r.published_utc.clone()).collect();
        let text_date: Vec<Option<String>> = rows.iter().map(|r| r.text_date.clone()).collect();
        RecordBatch::try_from_iter([
            ("index", counts(ordinals.iter().map(|&o| o as usize))),
            ("id", strings(rows.iter().map(|r| Some(r.id)))),
            ("source", strings(sources.iter().map(|s| Some(s.as_str())))),
            ("outlet", strings(rows.iter().map(|r| r.outlet))),
            ("url", strings(rows.iter().map(|r| r.url))),
            ("title", strings(rows.iter().map(|r| r.title))),
            ("published", strings(rows.iter().map(|r| r.published))),
            ("published_utc", strings(published_utc.iter().map(Option::as_deref))),
            ("bytes", counts(rows.iter().map(|r| r.bytes))),
            ("encoding", strings(rows.iter().map(|r| r.encoding))),
            ("words", counts(rows.iter().map(|r| r.words))),
            ("script", strings(rows.iter().map(|r| Some(r.script)))),
            ("text_date", strings(text_date.iter().map(Option::as_deref))),
            ("repeats", strings(repeats.iter().map(|s| Some(s.as_str())))),
            ("credits", strings(credits.iter().map(|s| Some(s.as_str())))),
            ("boilerplate", strings(boilerplate.iter().map(|s| Some(s.as_str())))),
        ])
    });
    let batch = batch.map_err(|e| PyValueError::new_err(e.to_string()))?;
    PyRecordBatch::new(batch).into_pyarrow(py)
}

/// A list-of-strings column.
fn string_lists<'a>(rows: impl Iterator<Item = Vec<&'a str>>) -> ArrayRef {
    let mut builder = ListBuilder::new(StringBuilder::new());
    for row in rows {
        for v in row {
            builder.values().append_value(v);
        }
        builder.append(true);
    }
    Arc::new(builder.finish())
}

/// One row per story: its id, its clusters' ids and its members' ids.
fn story_batch(scan: &Scan) -> Result<RecordBatch, arrow_schema::ArrowError> {
    let rows: Vec<records::StoryRecord> = scan.stories.iter().map(|s| records::story(scan, s)).collect();
    RecordBatch::try_from_iter([
        ("story", strings(rows.iter().map(|r| Some(r.id)))),
        ("clusters", string_lists(rows.iter().map(|r| r.clusters.clone()))),
        ("members", string_lists(rows.iter().map(|r| r.members.clone()))),
    ])
}

/// One row per common passage: its text where it first occurs, kind,
/// counts, and its occurrences as JSON (`document` and byte `span`).
fn common_passage_batch(scan: &Scan) -> Result<RecordBatch, arrow_schema::ArrowError> {
    let rows: Vec<records::CommonPassageRecord> =
        (0..scan.common_passages.len()).map(|i| records::common_passage(scan, i)).collect();
    let occurrences: Vec<String> =
        rows.iter().map(|r| serde_json::to_string(&r.occurrences).expect("occurrences serialize")).collect();
    RecordBatch::try_from_iter([
        ("text", strings(rows.iter().map(|r| Some(r.text)))),
        ("kind", strings(rows.iter().map(|r| Some(r.kind)))),
        ("documents", counts(rows.iter().map(|r| r.documents))),
        ("stories", counts(rows.iter().map(|r| r.stories))),
        ("occurrences", strings(occurrences.iter().map(|o| Some(o.as_str())))),
    ])
}

fn strings<'a>(values: impl Iterator<Item = Option<&'a str>>) -> ArrayRef {
    Arc::new(values.collect::<arrow_array::StringArray>())
}

fn floats(values: impl Iterator<Item = f64>) -> ArrayRef {
    Arc::new(values.collect::<arrow_array::Float64Array>())
}

fn counts(values: impl Iterator<Item = usize>) -> ArrayRef {
    Arc::new(arrow_array::UInt64Array::from_iter_values(values.map(|v| v as u64)))
}

/// One row per pair, with the fields of `scan --format json`'s pairs
/// (passages apart).
fn pair_batch(scan: &Scan) -> Result<RecordBatch, arrow_schema::ArrowError> {
    let rows: Vec<records::PairRecord> = scan.pairs.iter().map(|p| records::pair(scan, p)).collect();
    let evidence_fields = Fields::from(vec![
        Field::new("kind", DataType::Utf8, false),
        Field::new("favours", DataType::Utf8, true),
        Field::new("weight", DataType::Float64, false),
        Field::new("detail", DataType::Utf8, false),
    ]);
    let mut evidence = ListBuilder::new(StructBuilder::from_fields(evidence_fields, rows.len()));
    for r in &rows {
        let items = evidence.values();
        for e in &r.evidence {
            items.field_builder::<StringBuilder>(0).expect("kind").append_value(e.kind);
            items.field_builder::<StringBuilder>(1).expect("favours").append_option(e.favours);
            items.field_builder::<Float64Builder>(2).expect("weight").append_value(e.weight);
            items.field_builder::<StringBuilder>(3).expect("detail").append_value(e.detail);
            items.append(true);
        }
        evidence.append(true);
    }
    let evidence: ArrayRef = Arc::new(evidence.finish());
    RecordBatch::try_from_iter([
        ("a", strings(rows.iter().map(|r| Some(r.a)))),
        ("b", strings(rows.iter().map(|r| Some(r.b)))),
        ("relation", strings(rows.iter().map(|r| Some(r.relation)))),
        ("jaccard", floats(rows.iter().map(|r| r.jaccard))),
        ("containment_a", floats(rows.iter().map(|r| r.containment_a))),
        ("containment_b", floats(rows.iter().map(|r| r.containment_b))),
        ("shared_shingles", counts(rows.iter().map(|r| r.shared_shingles))),
        ("masked_shingles", counts(rows.iter().map(|r| r.masked_shingles))),
        ("quoted_shingles", counts(rows.iter().map(|r| r.quoted_shingles))),
        ("coverage_a", floats(rows.iter().map(|r| r.coverage_a))),
        ("coverage_b", floats(rows.iter().map(|r| r.coverage_b))),
        ("reuse_a", floats(rows.iter().map(|r| r.reuse_a))),
        ("reuse_b", floats(rows.iter().map(|r| r.reuse_b))),
        ("direction", strings(rows.iter().map(|r| Some(r.direction)))),
        ("source", strings(rows.iter().map(|r| r.source))),
        ("copy", strings(rows.iter().map(|r| r.copy))),
        ("upstream", strings(rows.iter().map(|r| r.upstream))),
        ("confidence", floats(rows.iter().map(|r| r.confidence))),
        ("evidence", evidence),
    ])
}

/// One row per passage: its pair's ids, both byte ranges, and the rest of
/// `scan --format json`'s passage fields.
fn passage_batch(scan: &Scan) -> Result<RecordBatch, arrow_schema::ArrowError> {
    let rows: Vec<(&str, &str, records::PassageRecord)> = scan
        .pairs
        .iter()
        .flat_map(|p| {
            let r = records::pair(scan, p);
            let (a, b) = (r.a, r.b);
            r.passages.into_iter().map(move |x| (a, b, x))
        })
        .collect();
    RecordBatch::try_from_iter([
        ("a", strings(rows.iter().map(|r| Some(r.0)))),
        ("b", strings(rows.iter().map(|r| Some(r.1)))),
        ("a_start", counts(rows.iter().map(|r| r.2.a.0))),
        ("a_end", counts(rows.iter().map(|r| r.2.a.1))),
        ("b_start", counts(rows.iter().map(|r| r.2.b.0))),
        ("b_end", counts(rows.iter().map(|r| r.2.b.1))),
        ("a_words", counts(rows.iter().map(|r| r.2.a_words))),
        ("b_words", counts(rows.iter().map(|r| r.2.b_words))),
        ("kind", strings(rows.iter().map(|r| Some(r.2.kind)))),
        ("score", floats(rows.iter().map(|r| r.2.score))),
        ("direction", strings(rows.iter().map(|r| Some(r.2.direction)))),
    ])
}

/// One row per clustered document: cluster id, document id, canonical.
fn cluster_batch(scan: &Scan) -> Result<RecordBatch, arrow_schema::ArrowError> {
    let mut cluster = StringBuilder::new();
    let mut document = StringBuilder::new();
    let mut canonical = BooleanBuilder::new();
    for c in &scan.clusters {
        for &m in &c.members {
            cluster.append_value(&c.id);
            document.append_value(&scan.documents[m as usize].id);
            canonical.append_value(m == c.canonical);
        }
    }
    RecordBatch::try_from_iter([
        ("cluster", Arc::new(cluster.finish()) as ArrayRef),
        ("document", Arc::new(document.finish()) as ArrayRef),
        ("canonical", Arc::new(canonical.finish()) as ArrayRef),
    ])
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Statistics>()?;
    m.add_function(wrap_pyfunction!(analyze, m)?)?;
    m.add_function(wrap_pyfunction!(link, m)?)?;
    m.add_function(wrap_pyfunction!(sample_every, m)?)?;
    m.add_function(wrap_pyfunction!(rules, m)?)?;
    m.add_function(wrap_pyfunction!(describe, m)?)?;
    Ok(())
}
