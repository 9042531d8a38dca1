//! Posting segments: (key, article number) postings in, immutable sorted
//! files out; keys in, the article numbers that hold them out.
//!
//! A batch's band keys and fingerprints are written once, as a new segment
//! file, instead of as rows of a B-tree: appending a sorted file costs the
//! same at any archive size, where B-tree inserts grew with it. The
//! database's manifest names the live segments (see [`super::postings`]),
//! so a segment exists for readers only once the transaction that names it
//! has committed.
//!
//! Layout (little-endian): the magic `CDSEG\0\0\x03`, the key bits `k`
//! (u32), the bucket bits `b` (u32), the posting count (u64), flags (u32),
//! `2^b + 1` bucket offsets (u32, into the data), with flag 1 a presence
//! mask per bucket (u32: bit `i` set when a key of the bucket falls in the
//! `i`-th 32nd of its key range), then the data. A key is known by
//! its top `k` bits; the top `b` of those choose the bucket, and within a bucket postings are
//! sorted by (key, number), each written as the varint gap from the last
//! key (the bucket's start for the first) and the varint number. About 16
//! postings share a bucket, so a look-up decodes a few dozen bytes.
//!
//! The masks are for look-ups that mostly miss (sentence keys: most
//! sentences are nobody else's): one in two or three misses is answered by
//! one word instead of a bucket decode, for a quarter byte a posting.
//!
//! Keys shortened to `k` bits can collide: a collision names an article
//! that does not hold the key, which costs the caller one more candidate
//! to verify, never a missed one.

use memmap2::Mmap;
use std::fs::File;
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::Path;

const MAGIC: &[u8; 8] = b"CDSEG\0\0\x03";
const HEADER: usize = 8 + 4 + 4 + 8 + 4;
/// The flag of a segment with presence masks.
const MASKED: u32 = 1;
/// Postings a bucket holds on average.
const BUCKET_POSTINGS: u64 = 16;

/// The top `bits` bits of `key`: what a segment keeps of it.
pub fn short_key(key: u64, bits: u32) -> u64 {
    key >> (64 - bits)
}

/// Writes `postings` (short keys and article numbers; sorted here) as a
/// segment file at `path`, synced to disk.
pub fn write(path: &Path, key_bits: u32, masked: bool, postings: &mut Vec<(u64, u32)>) -> std::io::Result<u64> {
    rayon::slice::ParallelSliceMut::par_sort_unstable(&mut postings[..]);
    postings.dedup();
    write_sorted(path, key_bits, masked, postings.len() as u64, postings.iter().copied())
}

/// Which 32nd of its bucket's key range `key` falls in (`shift`: bits of a
/// key below its bucket number).
fn mask_bit(key: u64, shift: u32) -> u32 {
    1 << ((key >> shift.saturating_sub(5)) & 31)
}

/// Writes postings already in (short key of `key_bits` bits, number)
/// order, about `expected` of
/// them (which sizes the buckets), as a segment file at `path`, synced to
/// disk; returns how many were written. Only the bucket offsets are held
/// (and masks, when `masked`) are held in memory, so a merge of large
/// segments streams.
pub fn write_sorted(
    path: &Path,
    key_bits: u32,
    masked: bool,
    expected: u64,
    postings: impl Iterator<Item = (u64, u32)>,
) -> std::io::Result<u64> {
    if !(1..=64).contains(&key_bits) {
        return Err(std::io::Error::other("key bits out of range"));
    }
    let bits = (expected / BUCKET_POSTINGS).max(1).next_power_of_two().trailing_zeros().min(key_bits).min(30);
    let shift = key_bits - bits;
    let buckets = 1u64 << bits;
    let mut file = File::create(path)?;
    let data_start = (HEADER + 4 * (buckets as usize + 1) + if masked { 4 * buckets as usize } else { 0 }) as u64;
    let mut masks: Vec<u32> = if masked { vec![0; buckets as usize] } else { Vec::new() };
    file.seek(SeekFrom::Start(data_start))?;
    let mut out = BufWriter::new(&file);
    let mut offsets: Vec<u32> = Vec::with_capacity(buckets as usize + 1);
    let (mut written, mut count, mut bucket, mut last) = (0u64, 0u64, 0u64, 0u64);
    let mut previous: Option<(u64, u32)> = None;
    offsets.push(0);
    let mut buf = Vec::with_capacity(20);
    for (key, number) in postings {
        if previous.is_some_and(|p| p > (key, number)) || (key_bits < 64 && key >> key_bits != 0) {
            return Err(std::io::Error::other("postings out of order or keys too long"));
        }
        previous = Some((key, number));
        while key >> shift > bucket {
            bucket += 1;
            offsets.push(u32::try_from(written).map_err(|_| too_big())?);
            last = bucket << shift;
        }
        if masked {
            masks[bucket as usize] |= mask_bit(key, shift);
        }
        buf.clear();
        put_varint(&mut buf, key - last);
        put_varint(&mut buf, u64::from(number));
        out.write_all(&buf)?;
        written += buf.len() as u64;
        last = key;
        count += 1;
    }
    while (offsets.len() as u64) < buckets + 1 {
        offsets.push(u32::try_from(written).map_err(|_| too_big())?);
    }
    out.flush()?;
    drop(out);
    file.seek(SeekFrom::Start(0))?;
    let mut head = BufWriter::new(&file);
    head.write_all(MAGIC)?;
    head.write_all(&key_bits.to_le_bytes())?;
    head.write_all(&bits.to_le_bytes())?;
    head.write_all(&count.to_le_bytes())?;
    head.write_all(&(if masked { MASKED } else { 0 }).to_le_bytes())?;
    for o in offsets.iter().chain(&masks) {
        head.write_all(&o.to_le_bytes())?;
    }
    head.flush()?;
    drop(head);
    file.sync_all()?;
    Ok(count)
}

fn too_big() -> std::io::Error {
    std::io::Error::other("a segment over 4 GiB")
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Reads a varint at `*at`, or `None` past the end of `data`.
fn get_varint(data: &[u8], at: &mut usize) -> Option<u64> {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = *data.get(*at)?;
        *at += 1;
        v |= u64::from(byte & 0x7f) << shift;
        if byte < 0x80 {
            return Some(v);
        }
    }
    None
}

/// An open segment, mapped read-only.
#[derive(Debug)]
pub struct Segment {
    map: Mmap,
    key_bits: u32,
    bits: u32,
    count: u64,
    masked: bool,
}

impl Segment {
    /// Opens and checks the header and bucket offsets of the segment at
    /// `path`; a damaged file is an error naming what is wrong.
    pub fn open(path: &Path) -> Result<Segment, String> {
        let file = File::open(path).map_err(|e| e.to_string())?;
        // SAFETY: segment files are never written after they are named in
        // the manifest (new ones are made beside them), so the mapped bytes
        // do not change while they are read.
        let map = unsafe { Mmap::map(&file) }.map_err(|e| e.to_string())?;
        if map.len() < HEADER || &map[..8] != MAGIC {
            return Err("not a copydesk segment".into());
        }
        let key_bits = u32::from_le_bytes(map[8..12].try_into().expect("4 bytes"));
        let bits = u32::from_le_bytes(map[12..16].try_into().expect("4 bytes"));
        let count = u64::from_le_bytes(map[16..24].try_into().expect("8 bytes"));
        let flags = u32::from_le_bytes(map[24..28].try_into().expect("4 bytes"));
        if !(1..=64).contains(&key_bits) || bits > key_bits.min(30) || flags & !MASKED != 0 {
            return Err(format!("{key_bits} key bits, {bits} bucket bits, flags {flags}"));
        }
        let segment = Segment { map, key_bits, bits, count, masked: flags & MASKED != 0 };
        let buckets = 1usize << bits;
        let data_len = segment.map.len().checked_sub(segment.data_start()).ok_or("cut short")?;
        if segment.offset(buckets) != data_len || segment.offset(0) != 0 {
            return Err("cut short or bucket offsets damaged".into());
        }
        Ok(segment)
    }

    /// Bits of each key the segment keeps.
    pub fn key_bits(&self) -> u32 {
        self.key_bits
    }

    /// Postings in the segment.
    pub fn len(&self) -> u64 {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    fn offset(&self, bucket: usize) -> usize {
        let at = HEADER + 4 * bucket;
        u32::from_le_bytes(self.map[at..at + 4].try_into().expect("4 bytes")) as usize
    }

    fn data_start(&self) -> usize {
        let buckets = 1usize << self.bits;
        HEADER + 4 * (buckets + 1) + if self.masked { 4 * buckets } else { 0 }
    }

    fn data(&self) -> &[u8] {
        &self.map[self.data_start()..]
    }

    /// The presence mask of `bucket` (all ones without masks).
    fn mask(&self, bucket: usize) -> u32 {
        if !self.masked {
            return u32::MAX;
        }
        let at = HEADER + 4 * ((1usize << self.bits) + 1) + 4 * bucket;
        u32::from_le_bytes(self.map[at..at + 4].try_into().expect("4 bytes"))
    }

    /// Appends to `out` the numbers of the articles holding `key` (a whole
    /// key: the segment shortens it).
    pub fn get(&self, key: u64, out: &mut Vec<u32>) {
        let key = short_key(key, self.key_bits);
        let shift = self.key_bits - self.bits;
        let bucket = (key >> shift) as usize;
        if self.mask(bucket) & mask_bit(key, shift) == 0 {
            return;
        }
        let (start, end) = (self.offset(bucket), self.offset(bucket + 1));
        let data = &self.data()[start.min(end)..end];
        let mut at = 0;
        let mut last = (bucket as u64) << shift;
        while let (Some(gap), Some(number)) = (get_varint(data, &mut at), get_varint(data, &mut at)) {
            last += gap;
            if last > key {
                break;
            }
            if last == key {
                out.push(number as u32);
            }
        }
    }

    /// The postings in (key, number) order, decoded as they are read.
    pub fn cursor(&self) -> Cursor<'_> {
        Cursor { segment: self, bucket: 0, at: 0, last: 0 }
    }

    /// Every posting, in (key, number) order, checking that the data
    /// decodes and is sorted.
    pub fn postings(&self) -> Result<Vec<(u64, u32)>, String> {
        let shift = self.key_bits - self.bits;
        let mut out = Vec::with_capacity(self.count as usize);
        for bucket in 0..(1usize << self.bits) {
            let (start, end) = (self.offset(bucket), self.offset(bucket + 1));
            if start > end {
                return Err(format!("bucket {bucket} offsets out of order"));
            }
            let data = &self.data()[start..end];
            let mut at = 0;
            let mut last = (bucket as u64) << shift;
            while at < data.len() {
                let (Some(gap), Some(number)) = (get_varint(data, &mut at), get_varint(data, &mut at)) else {
                    return Err(format!("bucket {bucket} cut short"));
                };
                last += gap;
                if last >> shift != bucket as u64 || number > u64::from(u32::MAX) {
                    return Err(format!("bucket {bucket} holds a posting of another"));
                }
                out.push((last, number as u32));
            }
        }
        if out.len() as u64 != self.count || out.windows(2).any(|w| w[0] > w[1]) {
            return Err("postings miscounted or out of order".into());
        }
        Ok(out)
    }
}

/// Postings of one segment in order; see [`Segment::cursor`].
pub struct Cursor<'a> {
    segment: &'a Segment,
    bucket: usize,
    /// Position in the data.
    at: usize,
    last: u64,
}

impl Iterator for Cursor<'_> {
    type Item = (u64, u32);

    fn next(&mut self) -> Option<(u64, u32)> {
        let s = self.segment;
        let shift = s.key_bits - s.bits;
        let buckets = 1usize << s.bits;
        while self.bucket < buckets && self.at >= s.offset(self.bucket + 1) {
            self.bucket += 1;
            self.last = (self.bucket as u64) << shift;
        }
        if self.bucket >= buckets {
            return None;
        }
        if self.at == s.offset(self.bucket) {
            self.last = (self.bucket as u64) << shift;
        }
        let data = s.data();
        let gap = get_varint(data, &mut self.at)?;
        let number = get_varint(data, &mut self.at)?;
        self.last += gap;
        Some((self.last, number as u32))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// A segment answers every key as a plain list of postings would.
        #[test]
        fn look_ups_match_a_plain_list(
            postings in prop::collection::vec((0u64..5_000, 0u32..300), 0..400),
            probes in prop::collection::vec(0u64..5_000, 1..50),
            masked in any::<bool>(),
            bits in prop::sample::select(vec![8u32, 12, 40]),
        ) {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("s.seg");
            // Spread the small keys over the whole key range.
            let spread = |k: u64| k.wrapping_mul(0x9e37_79b9_7f4a_7c15);
            let mut given: Vec<(u64, u32)> = postings.iter().map(|&(k, n)| (short_key(spread(k), bits), n)).collect();
            write(&path, bits, masked, &mut given).unwrap();
            let segment = Segment::open(&path).unwrap();
            prop_assert_eq!(segment.len(), given.len() as u64);
            prop_assert_eq!(segment.postings().unwrap(), given.clone());
            prop_assert_eq!(segment.cursor().collect::<Vec<_>>(), given.clone());
            for p in probes {
                let key = short_key(spread(p), bits);
                let mut found = Vec::new();
                segment.get(spread(p), &mut found);
                let expected: Vec<u32> = given.iter().filter(|g| g.0 == key).map(|g| g.1).collect();
                prop_assert_eq!(found, expected);
            }
        }
    }

    #[test]
    fn damage_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.seg");
        let mut postings: Vec<(u64, u32)> =
            (0..1000).map(|i| (short_key(i * 0x1234_5678_9abc_def1, 32), i as u32)).collect();
        write(&path, 32, true, &mut postings).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() - 3]).unwrap();
        assert!(Segment::open(&path).is_err());
        std::fs::write(&path, b"something else entirely").unwrap();
        assert!(Segment::open(&path).unwrap_err().contains("not a copydesk segment"));
    }
}
