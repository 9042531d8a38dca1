//! MinHash and LSH in Rust for `copydesk.compat`, the datasketch-shaped
//! module: `MinHash` fills one-permutation bins element by element
//! ([`Bins`]) and signs them as copydesk signs a document; `LshIndex`
//! bands signatures with copydesk's band split for a threshold and keys
//! the entries by the integers the Python side gives them.

use copydesk::analysis::shingle::HashMapU64;
use copydesk::analysis::signature::{Bins, Signature};
use copydesk::linking::candidates::{band_keys, BandParams};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};
use std::collections::BTreeSet;
use xxhash_rust::xxh3::xxh3_64_with_seed;

/// A MinHash sketch of a set of byte strings.
#[pyclass(module = "copydesk._core")]
#[derive(Clone)]
pub struct MinHash {
    bins: Bins,
    seed: u64,
}

/// The bytes of one element: `bytes` as they are, `str` as UTF-8.
fn element_bytes(value: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    if let Ok(b) = value.cast::<PyBytes>() {
        return Ok(b.as_bytes().to_vec());
    }
    if let Ok(s) = value.cast::<PyString>() {
        return Ok(s.to_cow()?.as_bytes().to_vec());
    }
    Err(PyTypeError::new_err(format!("MinHash elements are bytes or str, not {}", value.get_type().name()?)))
}

impl MinHash {
    fn signature(&self) -> Option<Signature> {
        self.bins.finish()
    }

    fn same_shape(&self, other: &MinHash) -> PyResult<()> {
        if self.bins.len() != other.bins.len() || self.seed != other.seed {
            return Err(PyValueError::new_err("MinHashes of different num_perm or seed cannot be compared"));
        }
        Ok(())
    }
}

#[pymethods]
impl MinHash {
    #[new]
    #[pyo3(signature = (num_perm = 128, seed = 1))]
    fn new(num_perm: usize, seed: u64) -> PyResult<Self> {
        if !(1..=65_536).contains(&num_perm) {
            return Err(PyValueError::new_err(format!("num_perm must be from 1 to 65536, got {num_perm}")));
        }
        Ok(MinHash { bins: Bins::new(num_perm), seed })
    }

    /// Adds one element (bytes or str).
    fn update(&mut self, value: &Bound<'_, PyAny>) -> PyResult<()> {
        self.bins.add(xxh3_64_with_seed(&element_bytes(value)?, self.seed));
        Ok(())
    }

    /// Adds every element of an iterable.
    fn update_batch(&mut self, values: &Bound<'_, PyAny>) -> PyResult<()> {
        for value in values.try_iter()? {
            self.update(&value?)?;
        }
        Ok(())
    }

    /// Estimated Jaccard similarity of the two sets.
    fn jaccard(&self, other: &MinHash) -> PyResult<f64> {
        self.same_shape(other)?;
        Ok(match (self.signature(), other.signature()) {
            (Some(a), Some(b)) => a.jaccard(&b),
            (None, None) => 1.0,
            _ => 0.0,
        })
    }

    /// Adds the other set's elements (the sketch of the union).
    fn merge(&mut self, other: &MinHash) -> PyResult<()> {
        self.same_shape(other)?;
        self.bins.merge(&other.bins);
        Ok(())
    }

    /// The signature's lanes (empty before the first element).
    fn digest(&self) -> Vec<u32> {
        self.signature().map_or_else(Vec::new, |s| s.0.into_vec())
    }

    fn is_empty(&self) -> bool {
        self.bins.is_empty()
    }

    fn copy(&self) -> MinHash {
        self.clone()
    }

    #[getter]
    fn num_perm(&self) -> usize {
        self.bins.len()
    }

    #[getter]
    fn seed(&self) -> u64 {
        self.seed
    }

    fn __len__(&self) -> usize {
        self.bins.len()
    }

    fn __eq__(&self, other: &MinHash) -> bool {
        self.seed == other.seed && self.bins == other.bins
    }
}

/// An LSH index of signatures, banded for a Jaccard threshold.
#[pyclass(module = "copydesk._core")]
pub struct LshIndex {
    params: BandParams,
    num_perm: usize,
    buckets: HashMapU64<BTreeSet<u64>>,
    keys: HashMapU64<Vec<u64>>,
}

impl LshIndex {
    fn keys_of(&self, m: &MinHash) -> PyResult<Vec<u64>> {
        if m.bins.len() != self.num_perm {
            return Err(PyValueError::new_err(format!(
                "a MinHash of num_perm {} in an index of num_perm {}",
                m.bins.len(),
                self.num_perm
            )));
        }
        let signature = m.signature().ok_or_else(|| PyValueError::new_err("the MinHash is empty"))?;
        Ok(band_keys(&signature, self.params).collect())
    }
}

#[pymethods]
impl LshIndex {
    #[new]
    #[pyo3(signature = (threshold = 0.9, num_perm = 128))]
    fn new(threshold: f64, num_perm: usize) -> PyResult<Self> {
        if !(threshold > 0.0 && threshold <= 1.0) {
            return Err(PyValueError::new_err(format!("threshold must be in (0, 1], got {threshold}")));
        }
        if !(1..=65_536).contains(&num_perm) {
            return Err(PyValueError::new_err(format!("num_perm must be from 1 to 65536, got {num_perm}")));
        }
        let params = BandParams::optimal(threshold, num_perm);
        Ok(LshIndex { params, num_perm, buckets: HashMapU64::default(), keys: HashMapU64::default() })
    }

    /// Files entry `id` under the signature's band keys.
    fn insert(&mut self, id: u64, minhash: &MinHash) -> PyResult<()> {
        let keys = self.keys_of(minhash)?;
        for &k in &keys {
            self.buckets.entry(k).or_default().insert(id);
        }
        self.keys.insert(id, keys);
        Ok(())
    }

    /// Entries sharing a band with the signature, in increasing order.
    fn query(&self, minhash: &MinHash) -> PyResult<Vec<u64>> {
        let mut found = BTreeSet::new();
        for k in self.keys_of(minhash)? {
            if let Some(ids) = self.buckets.get(&k) {
                found.extend(ids.iter().copied());
            }
        }
        Ok(found.into_iter().collect())
    }

    fn remove(&mut self, id: u64) {
        for k in self.keys.remove(&id).unwrap_or_default() {
            if let Some(ids) = self.buckets.get_mut(&k) {
                ids.remove(&id);
                if ids.is_empty() {
                    self.buckets.remove(&k);
                }
            }
        }
    }

    /// `(bands, rows)` of the split.
    #[getter]
    fn bands(&self) -> (usize, usize) {
        (self.params.bands, self.params.rows)
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<MinHash>()?;
    m.add_class::<LshIndex>()?;
    Ok(())
}
