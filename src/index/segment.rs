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
//! Layout (little-endian): the magic `CDSEG\0\0\x04`, the key bits `k`
//! (u32), the bucket bits `b` (u32), the posting count (u64), flags (u32),
//! the Rice parameter `r` (u32), the number bits `n` (u32), `2^b + 1`
//! bucket offsets (u32, bytes into the data), with flag 1 a presence mask
//! per bucket (u32: bit `i` set when a key of the bucket falls in the
//! `i`-th 32nd of its key range), then the data. A key is known by its top
//! `k` bits; the top `b` of those choose the bucket, and within a bucket
//! postings are sorted by (key, number). Each is written as a bit string
//! (least significant bit first): the gap from the last key (the bucket's
//! start for the first) Rice-coded with parameter `r` (the quotient in
//! unary, as zeros ended by a one, then `r` low bits; a quotient of
//! `ESCAPE` or more is `ESCAPE` zeros and the whole gap in `k - b`
//! bits), then the article number in `n` bits. A bucket starts on a byte;
//! its last byte is padded with zeros, which no posting begins with enough
//! of. About 16 postings share a bucket, so a look-up decodes a few dozen
//! bytes, and a posting takes about 3.5 bytes where varints took 4.6.
//!
//! The masks are for look-ups that mostly miss (sentence keys and
//! fingerprints: most of an article's are nobody else's): about three in
//! five misses are answered by one word instead of a bucket decode, for a
//! quarter byte a posting.
//!
//! Keys shortened to `k` bits can collide: a collision names an article
//! that does not hold the key, which costs the caller one more candidate
//! to verify, never a missed one.

use memmap2::Mmap;
use std::fs::File;
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::Path;

const MAGIC: &[u8; 8] = b"CDSEG\0\0\x04";
const HEADER: usize = 8 + 4 + 4 + 8 + 4 + 4 + 4;
/// Zeros that stand for a quotient too large for unary: the gap follows
/// whole. More than a byte's padding, so padding never reads as a posting.
const ESCAPE: u32 = 24;
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
    let number_bits = number_bits(postings.iter().map(|p| p.1).max().unwrap_or(0));
    let shape = Shape::new(key_bits, postings.len() as u64, number_bits)?;
    write_sorted(path, shape, masked, postings.iter().copied())
}

/// The xxh3 of the segment file at `path`, as written.
pub fn checksum(path: &Path) -> std::io::Result<u64> {
    let file = File::open(path)?;
    // SAFETY: as in `Segment::open`: segment files are not written again.
    let map = unsafe { Mmap::map(&file) }?;
    Ok(xxhash_rust::xxh3::xxh3_64(&map))
}

/// Bits that hold article numbers up to `max`.
pub fn number_bits(max: u32) -> u32 {
    (32 - max.leading_zeros()).max(1)
}

/// The bucket of `key` (`shift`: bits of a key below its bucket number;
/// all 64 when a segment has one bucket).
fn bucket_of(key: u64, shift: u32) -> u64 {
    key.checked_shr(shift).unwrap_or(0)
}

/// The first key of `bucket`.
fn bucket_start(bucket: u64, shift: u32) -> u64 {
    bucket.checked_shl(shift).unwrap_or(0)
}

/// Which 32nd of its bucket's key range `key` falls in (`shift`: bits of a
/// key below its bucket number).
fn mask_bit(key: u64, shift: u32) -> u32 {
    1 << ((key >> shift.saturating_sub(5)) & 31)
}

/// How a segment's postings are laid out: key bits, bucket bits, the Rice
/// parameter and the bits of a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    key_bits: u32,
    bits: u32,
    rice: u32,
    number_bits: u32,
}

impl Shape {
    /// The shape for about `expected` postings of `key_bits`-bit keys and
    /// numbers of `number_bits` bits: about `BUCKET_POSTINGS` a bucket,
    /// and the Rice parameter that suits the mean gap between their keys.
    pub fn new(key_bits: u32, expected: u64, number_bits: u32) -> std::io::Result<Shape> {
        if !(1..=64).contains(&key_bits) || !(1..=32).contains(&number_bits) {
            return Err(std::io::Error::other("key or number bits out of range"));
        }
        let bits = (expected / BUCKET_POSTINGS).max(1).next_power_of_two().trailing_zeros().min(key_bits).min(30);
        // The best Rice parameter is about log2 of the mean gap times ln 2.
        let mean_gap = 2f64.powi(key_bits as i32) / expected.max(1) as f64;
        let rice = (mean_gap * std::f64::consts::LN_2).log2().floor().max(0.0) as u32;
        Ok(Shape { key_bits, bits, rice: rice.min(key_bits - bits), number_bits })
    }

    /// Bits of a key below its bucket number.
    fn shift(&self) -> u32 {
        self.key_bits - self.bits
    }

    fn buckets(&self) -> usize {
        1 << self.bits
    }
}

/// Writes postings already in (short key, number) order as a segment file
/// of `shape` at `path`, synced to disk; returns how many were written.
/// Only the bucket offsets (and masks, when `masked`) are held in memory,
/// so a merge of large segments streams.
pub fn write_sorted(
    path: &Path,
    shape: Shape,
    masked: bool,
    postings: impl Iterator<Item = (u64, u32)>,
) -> std::io::Result<u64> {
    let (shift, buckets) = (shape.shift(), shape.buckets());
    let mut file = File::create(path)?;
    let data_start = (HEADER + 4 * (buckets + 1) + if masked { 4 * buckets } else { 0 }) as u64;
    let mut masks: Vec<u32> = if masked { vec![0; buckets] } else { Vec::new() };
    file.seek(SeekFrom::Start(data_start))?;
    let mut out = BufWriter::new(&file);
    let mut offsets: Vec<u32> = Vec::with_capacity(buckets + 1);
    let (mut count, mut bucket, mut last) = (0u64, 0u64, 0u64);
    let mut previous: Option<(u64, u32)> = None;
    let mut bits = BitWriter::default();
    offsets.push(0);
    for (key, number) in postings {
        let in_range = shape.key_bits == 64 || key >> shape.key_bits == 0;
        if previous.is_some_and(|p| p > (key, number)) || !in_range || number_bits(number) > shape.number_bits {
            return Err(std::io::Error::other("postings out of order, or keys or numbers too long"));
        }
        previous = Some((key, number));
        while bucket_of(key, shift) > bucket {
            bits.end_bucket(&mut out)?;
            bucket += 1;
            offsets.push(u32::try_from(bits.written).map_err(|_| too_big())?);
            last = bucket_start(bucket, shift);
        }
        if masked {
            masks[bucket as usize] |= mask_bit(key, shift);
        }
        bits.put_gap(key - last, shape);
        bits.put(u64::from(number), shape.number_bits);
        bits.drain(&mut out)?;
        last = key;
        count += 1;
    }
    bits.end_bucket(&mut out)?;
    while offsets.len() < buckets + 1 {
        offsets.push(u32::try_from(bits.written).map_err(|_| too_big())?);
    }
    out.flush()?;
    drop(out);
    file.seek(SeekFrom::Start(0))?;
    let mut head = BufWriter::new(&file);
    head.write_all(MAGIC)?;
    for field in [shape.key_bits, shape.bits] {
        head.write_all(&field.to_le_bytes())?;
    }
    head.write_all(&count.to_le_bytes())?;
    for field in [if masked { MASKED } else { 0 }, shape.rice, shape.number_bits] {
        head.write_all(&field.to_le_bytes())?;
    }
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

/// Bits in, whole bytes out (least significant bit first).
#[derive(Default)]
struct BitWriter {
    pending: u128,
    filled: u32,
    /// Bytes handed on so far.
    written: u64,
}

impl BitWriter {
    /// Appends the low `n` bits of `value` (`n` at most 64).
    fn put(&mut self, value: u64, n: u32) {
        if n == 0 {
            return;
        }
        let value = if n == 64 { value } else { value & ((1u64 << n) - 1) };
        self.pending |= u128::from(value) << self.filled;
        self.filled += n;
    }

    /// Appends `gap` Rice-coded (see the module's layout).
    fn put_gap(&mut self, gap: u64, shape: Shape) {
        let quotient = gap >> shape.rice;
        if quotient < u64::from(ESCAPE) {
            self.put(1 << quotient, quotient as u32 + 1);
            self.put(gap, shape.rice);
        } else {
            self.put(0, ESCAPE);
            self.put(gap, shape.shift());
        }
    }

    /// Hands on the whole bytes filled so far.
    fn drain(&mut self, out: &mut impl Write) -> std::io::Result<()> {
        while self.filled >= 8 {
            out.write_all(&[self.pending as u8])?;
            self.pending >>= 8;
            self.filled -= 8;
            self.written += 1;
        }
        Ok(())
    }

    /// Pads the last byte of a bucket with zeros and hands it on.
    fn end_bucket(&mut self, out: &mut impl Write) -> std::io::Result<()> {
        self.drain(out)?;
        if self.filled > 0 {
            self.filled = 8;
            self.drain(out)?;
        }
        Ok(())
    }
}

/// Reads the postings of one bucket.
struct BucketReader<'a> {
    /// The data from the bucket's start to the end of the segment: reads
    /// near the bucket's end load whole words.
    data: &'a [u8],
    /// The bucket's end, in bits.
    end: usize,
    /// Position in bits.
    at: usize,
    shape: Shape,
    /// The key of the last posting read (the bucket's start before any).
    last: u64,
}

impl<'a> BucketReader<'a> {
    fn new(data: &'a [u8], len: usize, shape: Shape, bucket: usize) -> Self {
        BucketReader { data, end: len * 8, at: 0, shape, last: bucket_start(bucket as u64, shape.shift()) }
    }

    /// The 64 bits from bit `at` on (zeros past the segment's end).
    fn peek(&self) -> u64 {
        let byte = self.at / 8;
        let word = match self.data.get(byte..byte + 16) {
            Some(whole) => u128::from_le_bytes(whole.try_into().expect("16 bytes")),
            None => {
                let mut word = [0u8; 16];
                let end = (byte + 16).min(self.data.len());
                if byte < end {
                    word[..end - byte].copy_from_slice(&self.data[byte..end]);
                }
                u128::from_le_bytes(word)
            }
        };
        (word >> (self.at % 8)) as u64
    }

    fn read(&mut self, n: u32) -> u64 {
        if n == 0 {
            return 0;
        }
        let value = self.peek();
        self.at += n as usize;
        if n == 64 {
            value
        } else {
            value & ((1u64 << n) - 1)
        }
    }

    /// The next posting; `None` at the bucket's end, `Some(Err)` where the
    /// bits run out inside a posting.
    fn next_posting(&mut self) -> Option<Result<(u64, u32), ()>> {
        let left = self.end.saturating_sub(self.at);
        let zeros = self.peek().trailing_zeros().min(ESCAPE);
        if zeros as usize >= left {
            // Only padding is left.
            return (left >= 8).then_some(Err(()));
        }
        let gap = if zeros == ESCAPE {
            self.at += ESCAPE as usize;
            self.read(self.shape.shift())
        } else {
            self.at += zeros as usize + 1;
            (u64::from(zeros) << self.shape.rice) | self.read(self.shape.rice)
        };
        let number = self.read(self.shape.number_bits);
        if self.at > self.end {
            return Some(Err(()));
        }
        self.last = self.last.wrapping_add(gap);
        Some(Ok((self.last, number as u32)))
    }
}

/// An open segment, mapped read-only.
#[derive(Debug)]
pub struct Segment {
    map: Mmap,
    shape: Shape,
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
            return Err("not a copydesk segment of this version".into());
        }
        let field = |at: usize| u32::from_le_bytes(map[at..at + 4].try_into().expect("4 bytes"));
        let (key_bits, bits, flags, rice, number_bits) = (field(8), field(12), field(24), field(28), field(32));
        let count = u64::from_le_bytes(map[16..24].try_into().expect("8 bytes"));
        let valid = (1..=64).contains(&key_bits)
            && bits <= key_bits.min(30)
            && flags & !MASKED == 0
            && rice <= key_bits - bits
            && (1..=32).contains(&number_bits);
        if !valid {
            return Err(format!(
                "{key_bits} key bits, {bits} bucket bits, flags {flags}, Rice {rice}, {number_bits} number bits"
            ));
        }
        let shape = Shape { key_bits, bits, rice, number_bits };
        let segment = Segment { map, shape, count, masked: flags & MASKED != 0 };
        let data_len = segment.map.len().checked_sub(segment.data_start()).ok_or("cut short")?;
        if segment.offset(shape.buckets()) != data_len || segment.offset(0) != 0 {
            return Err("cut short or bucket offsets damaged".into());
        }
        Ok(segment)
    }

    /// Bits of each key the segment keeps.
    pub fn key_bits(&self) -> u32 {
        self.shape.key_bits
    }

    /// Bits of each article number the segment keeps.
    pub fn number_bits(&self) -> u32 {
        self.shape.number_bits
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
        let buckets = self.shape.buckets();
        HEADER + 4 * (buckets + 1) + if self.masked { 4 * buckets } else { 0 }
    }

    /// The presence mask of `bucket` (all ones without masks).
    fn mask(&self, bucket: usize) -> u32 {
        if !self.masked {
            return u32::MAX;
        }
        let at = HEADER + 4 * (self.shape.buckets() + 1) + 4 * bucket;
        u32::from_le_bytes(self.map[at..at + 4].try_into().expect("4 bytes"))
    }

    /// A reader of `bucket`'s postings (of none, where its offsets are out
    /// of order).
    fn bucket(&self, bucket: usize) -> BucketReader<'_> {
        let (start, end) = (self.offset(bucket), self.offset(bucket + 1));
        let data = &self.map[self.data_start()..];
        let start = start.min(end);
        BucketReader::new(&data[start..], end - start, self.shape, bucket)
    }

    /// Appends to `out` the numbers of the articles holding `key` (a whole
    /// key: the segment shortens it).
    pub fn get(&self, key: u64, out: &mut Vec<u32>) {
        let key = short_key(key, self.shape.key_bits);
        let bucket = bucket_of(key, self.shape.shift()) as usize;
        if self.mask(bucket) & mask_bit(key, self.shape.shift()) == 0 {
            return;
        }
        let mut reader = self.bucket(bucket);
        while let Some(Ok((k, number))) = reader.next_posting() {
            if k > key {
                break;
            }
            if k == key {
                out.push(number);
            }
        }
    }

    /// The postings in (key, number) order, decoded as they are read.
    pub fn cursor(&self) -> Cursor<'_> {
        Cursor { segment: self, bucket: 0, reader: self.bucket(0) }
    }

    /// Every posting, in (key, number) order, checking that the data
    /// decodes and is sorted.
    pub fn postings(&self) -> Result<Vec<(u64, u32)>, String> {
        let shift = self.shape.shift();
        let mut out = Vec::with_capacity(self.count as usize);
        for bucket in 0..self.shape.buckets() {
            if self.offset(bucket) > self.offset(bucket + 1) {
                return Err(format!("bucket {bucket} offsets out of order"));
            }
            let mut reader = self.bucket(bucket);
            while let Some(posting) = reader.next_posting() {
                let (key, number) = posting.map_err(|()| format!("bucket {bucket} cut short"))?;
                if bucket_of(key, shift) != bucket as u64 {
                    return Err(format!("bucket {bucket} holds a posting of another"));
                }
                out.push((key, number));
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
    reader: BucketReader<'a>,
}

impl Iterator for Cursor<'_> {
    type Item = (u64, u32);

    fn next(&mut self) -> Option<(u64, u32)> {
        loop {
            if let Some(Ok(posting)) = self.reader.next_posting() {
                return Some(posting);
            }
            self.bucket += 1;
            if self.bucket >= self.segment.shape.buckets() {
                return None;
            }
            self.reader = self.segment.bucket(self.bucket);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// A segment answers every key as a plain list of postings would,
        /// also when the posting count it was shaped for is far off (gaps
        /// then take the escape).
        #[test]
        fn look_ups_match_a_plain_list(
            postings in prop::collection::vec((0u64..5_000, prop_oneof![0u32..300, any::<u32>()]), 0..400),
            probes in prop::collection::vec(0u64..5_000, 1..50),
            masked in any::<bool>(),
            bits in prop::sample::select(vec![8u32, 12, 40, 64]),
            misjudged in prop::sample::select(vec![0u64, 1, 1_000]),
        ) {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("s.seg");
            // Spread the small keys over the whole key range.
            let spread = |k: u64| k.wrapping_mul(0x9e37_79b9_7f4a_7c15);
            let mut given: Vec<(u64, u32)> = postings.iter().map(|&(k, n)| (short_key(spread(k), bits), n)).collect();
            // 1: shaped for the count; 0: for one posting; 1,000: for a
            // thousand times as many (tiny Rice parameter: gaps escape).
            if misjudged == 1 {
                write(&path, bits, masked, &mut given).unwrap();
            } else {
                given.sort_unstable();
                given.dedup();
                let shape = Shape::new(bits, (given.len() as u64 * misjudged).max(1), 32).unwrap();
                write_sorted(&path, shape, masked, given.iter().copied()).unwrap();
            }
            let segment = Segment::open(&path).unwrap();
            prop_assert_eq!(segment.len(), given.len() as u64);
            prop_assert_eq!(segment.postings().unwrap(), given.clone());
            prop_assert_eq!(segment.cursor().collect::<Vec<_>>(), given.clone());
            for p in probes.iter().chain(postings.iter().map(|(k, _)| k)) {
                let key = short_key(spread(*p), bits);
                let mut found = Vec::new();
                segment.get(spread(*p), &mut found);
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
        // A bit-flip inside the data is found by reading it all.
        write(&path, 32, false, &mut postings).unwrap();
        let mut bytes = std::fs::read(&path).unwrap();
        let last = bytes.len() - 1;
        bytes[last] = 0;
        std::fs::write(&path, &bytes).unwrap();
        assert!(Segment::open(&path).unwrap().postings().is_err());
    }
}
