//! Histograms, bucketed exactly as tensorboardX's `make_histogram` (and therefore PyTorch's
//! `torch.utils.tensorboard`) buckets them.
//!
//! [`make_histogram`] turns values into a [`HistogramProto`]:
//!
//! 1. the values are taken as `f64` (tensorboardX calls `values.astype(float)`);
//! 2. they are counted as `numpy.histogram(values, bins)` counts them: with explicit edges, bin
//!    `i` holds `edges[i] <= v < edges[i + 1]`, the last bin is closed on the right and values
//!    outside the edges are not counted; with a bin count (or a numpy bin-width rule) the edges
//!    are `numpy.linspace(min, max, n + 1)` (`min - 0.5, max + 0.5` when all values are equal)
//!    and each value's bin is found with numpy's own index arithmetic;
//! 3. with `max_bins`, neighbouring bins are merged exactly as tensorboardX merges them;
//! 4. empty bins are trimmed: the proto keeps one empty bin before the first non-empty one (an
//!    extra empty bin is prepended when the first bin is not empty) through the last non-empty
//!    bin, and `bucket_limit` holds each kept bin's right edge;
//! 5. `min`, `max`, `num`, `sum` and `sum_squares` are taken over *all* values, counted or not.
//!
//! [`Bins::Tensorflow`] (the default, as in PyTorch) are the 1549 edges of tensorboardX's
//! `default_bins`: `0` and `±1e-12 * 1.1^k` below `1e20`. Values beyond `±9.9e19` are not in any
//! bucket but still count in `num`, `min`, `max`, `sum` and `sum_squares`.
//!
//! # Deliberate rules
//!
//! | input | tensorboardX | here |
//! |---|---|---|
//! | no values | raises `ValueError` | `Err(InvalidArgument)` |
//! | a NaN or ±Inf value | writes NaN/Inf `min`/`max`/`sum`, which TensorBoard cannot draw (or numpy raises for a bin count) | `Err` saying how many values are not finite: filter them out, or log the counts with [`raw_histogram`] |
//! | every value outside explicit edges | raises (or, with a single bin, writes one empty bucket) | `Err` |
//! | `Bins::Count(0)` | numpy raises | `Err` |
//! | edges not strictly increasing, or fewer than 2 | numpy raises for decreasing edges, accepts repeated ones | `Err` |
//! | more than [`MAX_BIN_COUNT`] bins (asked for, or computed by `Auto`/`Fd`/`Sturges`) | numpy tries to allocate them | `Err` |
//! | a value range wider than `f64::MAX` with a computed bin width | numpy raises or writes NaN edges | `Err` |
//! | `max_bins == Some(0)` | divides by zero | `Err` |
//!
//! # Exactness
//!
//! Buckets, bucket limits, `min`, `max` and `num` are bit-for-bit those of tensorboardX 2.6 with
//! numpy 2.x (tested against fixtures made by `tests/fixtures/make_histogram_fixtures.py`).
//! `sum` uses numpy's pairwise summation (blocks of 8 partial sums, leaves of at most 128
//! values), which is what `ndarray.sum()` does for a contiguous `float64` array, so it matches to
//! the bit. `sum_squares` is `values.dot(values)` in numpy, computed by the BLAS library numpy was
//! built with, whose summation order depends on the CPU; here it is the same pairwise sum over the
//! squares, which agrees to about one ulp.
//!
//! # Speed
//!
//! With the default Tensorflow bins each value finds its bucket in a lookup table indexed by the
//! top bits of its bit pattern (for `f32` the sign, exponent and 7 mantissa bits; for `f64` the
//! sign, the exponent clamped to the edges' range and 4 mantissa bits). Each entry covers values
//! spanning a ratio below 1.1, the ratio between edges, so it holds at most one bucket boundary
//! and one exact comparison settles the bucket: no sorting and no search per value. The buckets,
//! `min`, `max`, `sum` and `sum_squares` come from one pass over the values, compiled for AVX2
//! when the CPU has it (the same operations in the same order, so the same bits).

use std::borrow::Cow;
use std::sync::OnceLock;

use crate::proto::HistogramProto;
use crate::{Error, Result};

/// The most bins a histogram may have before bucketing (an explicit bin count, explicit edges
/// or a count computed by [`Bins::Auto`], [`Bins::Fd`] or [`Bins::Sturges`]).
pub const MAX_BIN_COUNT: usize = 1 << 24;

/// How to choose the histogram's bins, as the `bins` argument of PyTorch's `add_histogram`.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Bins {
    /// PyTorch's default `"tensorflow"`: the 1549 exponential edges of [`tensorflow_edges`].
    #[default]
    Tensorflow,
    /// This many equal-width bins between the smallest and the largest value (numpy `bins=n`).
    Count(usize),
    /// These bin edges, strictly increasing, at least two (numpy `bins=[...]`).
    Edges(Vec<f64>),
    /// numpy's `"auto"`: the smaller of the Sturges width and a Freedman-Diaconis width that is
    /// kept at least half of the `sqrt` rule's width.
    Auto,
    /// numpy's `"fd"`: Freedman-Diaconis width `2 * IQR / n^(1/3)`.
    Fd,
    /// numpy's `"sturges"`: width `range / (log2(n) + 1)`.
    Sturges,
}

impl std::str::FromStr for Bins {
    type Err = Error;

    /// Parses PyTorch's string names: `tensorflow`, `auto`, `fd`, `sturges`, or a bin count.
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "tensorflow" => Ok(Bins::Tensorflow),
            "auto" => Ok(Bins::Auto),
            "fd" => Ok(Bins::Fd),
            "sturges" => Ok(Bins::Sturges),
            other => other.parse::<usize>().map(Bins::Count).map_err(|_| {
                Error::invalid(
                    "bins",
                    format!("`{other}` is not one of tensorflow, auto, fd, sturges or a bin count"),
                )
            }),
        }
    }
}

/// The edges of [`Bins::Tensorflow`], as tensorboardX's `SummaryWriter.default_bins`: starting at
/// `v = 1e-12` and multiplying by `1.1` (in `f64`, one multiplication at a time) while `v < 1e20`,
/// the negated values in reverse, then `0`, then the values. 1549 edges, computed once.
pub fn tensorflow_edges() -> &'static [f64] {
    static EDGES: OnceLock<Vec<f64>> = OnceLock::new();
    EDGES.get_or_init(|| {
        let mut positive = Vec::new();
        let mut v = 1e-12_f64;
        while v < 1e20 {
            positive.push(v);
            v *= 1.1;
        }
        let mut edges = Vec::with_capacity(2 * positive.len() + 1);
        edges.extend(positive.iter().rev().map(|&p| -p));
        edges.push(0.0);
        edges.extend_from_slice(&positive);
        edges
    })
}

/// Values ready for bucketing: borrowed where possible, copied to host memory where not.
#[derive(Debug, Clone)]
pub enum HistogramInput<'a> {
    /// 32-bit floats.
    F32(Cow<'a, [f32]>),
    /// 64-bit floats.
    F64(Cow<'a, [f64]>),
    /// Signed 8-bit integers.
    I8(Cow<'a, [i8]>),
    /// Signed 16-bit integers.
    I16(Cow<'a, [i16]>),
    /// Signed 32-bit integers.
    I32(Cow<'a, [i32]>),
    /// Signed 64-bit integers (rounded to the nearest `f64`, as numpy's `astype(float)`).
    I64(Cow<'a, [i64]>),
    /// Unsigned 8-bit integers.
    U8(Cow<'a, [u8]>),
    /// Unsigned 16-bit integers.
    U16(Cow<'a, [u16]>),
    /// Unsigned 32-bit integers.
    U32(Cow<'a, [u32]>),
    /// Unsigned 64-bit integers (rounded to the nearest `f64`, as numpy's `astype(float)`).
    U64(Cow<'a, [u64]>),
}

/// Anything a histogram can be made of: slices, vectors and arrays of numbers, and candle
/// tensors of any dtype on any device.
pub trait HistogramValues {
    /// The values, flattened; a tensor is copied to host memory once, floats narrower than
    /// `f32` are widened to `f32` on their device first (exactly).
    fn histogram_input(&self) -> Result<HistogramInput<'_>>;
}

macro_rules! impl_values {
    ($($t:ty => $variant:ident),* $(,)?) => {$(
        impl HistogramValues for [$t] {
            fn histogram_input(&self) -> Result<HistogramInput<'_>> {
                Ok(HistogramInput::$variant(Cow::Borrowed(self)))
            }
        }
        impl HistogramValues for Vec<$t> {
            fn histogram_input(&self) -> Result<HistogramInput<'_>> {
                Ok(HistogramInput::$variant(Cow::Borrowed(self.as_slice())))
            }
        }
        impl<const N: usize> HistogramValues for [$t; N] {
            fn histogram_input(&self) -> Result<HistogramInput<'_>> {
                Ok(HistogramInput::$variant(Cow::Borrowed(self.as_slice())))
            }
        }
    )*};
}

impl_values!(
    f32 => F32, f64 => F64, i8 => I8, i16 => I16, i32 => I32, i64 => I64,
    u8 => U8, u16 => U16, u32 => U32, u64 => U64,
);

impl<V: HistogramValues + ?Sized> HistogramValues for &V {
    fn histogram_input(&self) -> Result<HistogramInput<'_>> {
        (**self).histogram_input()
    }
}

#[cfg(feature = "candle")]
impl HistogramValues for candle_core::Tensor {
    fn histogram_input(&self) -> Result<HistogramInput<'_>> {
        use candle_core::DType;
        let flat = self.flatten_all()?;
        Ok(match flat.dtype() {
            DType::F32 => HistogramInput::F32(Cow::Owned(flat.to_vec1()?)),
            DType::F64 => HistogramInput::F64(Cow::Owned(flat.to_vec1()?)),
            DType::U8 => HistogramInput::U8(Cow::Owned(flat.to_vec1()?)),
            DType::U32 => HistogramInput::U32(Cow::Owned(flat.to_vec1()?)),
            DType::I16 => HistogramInput::I16(Cow::Owned(flat.to_vec1()?)),
            DType::I32 => HistogramInput::I32(Cow::Owned(flat.to_vec1()?)),
            DType::I64 => HistogramInput::I64(Cow::Owned(flat.to_vec1()?)),
            // f16, bf16 and the 8/6/4-bit floats all widen to f32 exactly.
            _ => HistogramInput::F32(Cow::Owned(flat.to_dtype(DType::F32)?.to_vec1()?)),
        })
    }
}

/// Makes the histogram tensorboardX's `make_histogram(values.astype(float), bins, max_bins)`
/// makes (see the [module docs](self) for the rules and the few deliberate differences).
///
/// ```
/// use tfevents::summary::histogram::{make_histogram, Bins};
/// let h = make_histogram(&[1.0f32, 2.0, 2.0, 3.0][..], &Bins::Count(2), None)?;
/// assert_eq!(h.bucket_limit, vec![1.0, 2.0, 3.0]);
/// assert_eq!(h.bucket, vec![0.0, 1.0, 3.0]);
/// assert_eq!((h.min, h.max, h.num, h.sum, h.sum_squares), (1.0, 3.0, 4.0, 8.0, 18.0));
/// # Ok::<(), tfevents::Error>(())
/// ```
pub fn make_histogram<V: HistogramValues + ?Sized>(
    values: &V,
    bins: &Bins,
    max_bins: Option<usize>,
) -> Result<HistogramProto> {
    match values.histogram_input()? {
        HistogramInput::F32(v) => histogram_of(&v, bins, max_bins),
        HistogramInput::F64(v) => histogram_of(&v, bins, max_bins),
        HistogramInput::I8(v) => histogram_of(&v, bins, max_bins),
        HistogramInput::I16(v) => histogram_of(&v, bins, max_bins),
        HistogramInput::I32(v) => histogram_of(&v, bins, max_bins),
        HistogramInput::I64(v) => histogram_of(&v, bins, max_bins),
        HistogramInput::U8(v) => histogram_of(&v, bins, max_bins),
        HistogramInput::U16(v) => histogram_of(&v, bins, max_bins),
        HistogramInput::U32(v) => histogram_of(&v, bins, max_bins),
        HistogramInput::U64(v) => histogram_of(&v, bins, max_bins),
    }
}

/// A histogram from counts made elsewhere, as PyTorch's `add_histogram_raw`: `bucket_limits[i]`
/// is the right edge of the bucket counted in `bucket_counts[i]`.
///
/// The two slices must have the same, non-zero length (PyTorch raises on unequal lengths; an
/// empty histogram would show nothing). The numbers are stored as given.
pub fn raw_histogram(
    min: f64,
    max: f64,
    num: f64,
    sum: f64,
    sum_squares: f64,
    bucket_limits: &[f64],
    bucket_counts: &[f64],
) -> Result<HistogramProto> {
    if bucket_limits.len() != bucket_counts.len() {
        return Err(Error::invalid(
            "bucket_limits",
            format!(
                "has {} entries but bucket_counts has {}; give one right edge per bucket (numpy's \
                 `np.histogram` edges without the first one)",
                bucket_limits.len(),
                bucket_counts.len()
            ),
        ));
    }
    if bucket_limits.is_empty() {
        return Err(Error::invalid(
            "bucket_limits",
            "is empty; a histogram needs at least one bucket",
        ));
    }
    Ok(HistogramProto {
        min,
        max,
        num,
        sum,
        sum_squares,
        bucket_limit: bucket_limits.to_vec(),
        bucket: bucket_counts.to_vec(),
    })
}

// ---------------------------------------------------------------------------------------------
// Element types

/// A number type the histogram code is compiled for.
trait Elem: Copy {
    /// The value as numpy's `astype(float)` gives it.
    fn to_f64(self) -> f64;

    /// Adds each value's extended bucket index (see [`ext_index`]) over the Tensorflow edges
    /// into `ext_counts`.
    fn count_tensorflow(values: &[Self], ext_counts: &mut [u64]) {
        match f64_table() {
            Some(table) => count_with_table(values, table, |x| x.to_f64().to_bits(), ext_counts),
            None => count_explicit(values, tensorflow_edges(), ext_counts),
        }
    }

    /// [`stats`] and [`Elem::count_tensorflow`] in one pass over the values.
    fn stats_and_tensorflow_counts(values: &[Self]) -> (Stats, Vec<u64>) {
        stats_and_counts(
            values,
            f64_table(),
            |x| x.to_f64().to_bits(),
            Self::count_tensorflow,
        )
    }
}

impl Elem for f32 {
    fn to_f64(self) -> f64 {
        f64::from(self)
    }

    fn count_tensorflow(values: &[Self], ext_counts: &mut [u64]) {
        match f32_table() {
            Some(table) => count_with_table(values, table, f32::to_bits, ext_counts),
            None => count_explicit(values, tensorflow_edges(), ext_counts),
        }
    }

    fn stats_and_tensorflow_counts(values: &[Self]) -> (Stats, Vec<u64>) {
        stats_and_counts(values, f32_table(), f32::to_bits, Self::count_tensorflow)
    }
}

macro_rules! impl_elem {
    ($($t:ty),*) => {$(
        impl Elem for $t {
            #[allow(clippy::cast_lossless, clippy::cast_precision_loss)]
            fn to_f64(self) -> f64 {
                self as f64
            }
        }
    )*};
}

impl_elem!(f64, i8, i16, i32, i64, u8, u16, u32, u64);

// ---------------------------------------------------------------------------------------------
// The pipeline

fn histogram_of<T: Elem>(
    values: &[T],
    bins: &Bins,
    max_bins: Option<usize>,
) -> Result<HistogramProto> {
    if values.is_empty() {
        return Err(Error::invalid(
            "values",
            "is empty; a histogram needs at least one value",
        ));
    }
    validate_bins(bins)?;
    if max_bins == Some(0) {
        return Err(Error::invalid(
            "max_bins",
            "is 0; give at least 1, or None to keep every bin",
        ));
    }
    let (stats, tensorflow_counts) = if *bins == Bins::Tensorflow {
        T::stats_and_tensorflow_counts(values)
    } else {
        (stats(values), Vec::new())
    };
    if stats.nonfinite > 0 {
        return Err(Error::invalid(
            "values",
            format!(
                "{} of {} values are NaN or infinite; TensorBoard cannot draw such a histogram. \
                 Filter them out first, or log counts you made with `raw_histogram`",
                stats.nonfinite,
                values.len()
            ),
        ));
    }

    // Extended counts: [below the first edge, bin 0, ..., bin n-1, above the last edge, non-finite].
    let (edges, ext_counts): (Cow<'_, [f64]>, Vec<u64>) = match bins {
        Bins::Tensorflow => (Cow::Borrowed(tensorflow_edges()), tensorflow_counts),
        Bins::Edges(edges) => {
            let mut ext = vec![0u64; edges.len() + 2];
            count_explicit(values, edges, &mut ext);
            (Cow::Borrowed(edges.as_slice()), ext)
        }
        Bins::Count(n) => uniform(values, &stats, *n)?,
        Bins::Auto | Bins::Fd | Bins::Sturges => {
            let n = bin_count_from_rule(values, &stats, bins)?;
            uniform(values, &stats, n)?
        }
    };
    let bin_count = edges.len() - 1;
    let counts = ext_counts.get(1..=bin_count).unwrap_or(&[]);
    if counts.iter().all(|&c| c == 0) {
        return Err(Error::invalid(
            "values",
            format!(
                "all {} values lie outside the bin edges [{}, {}]; widen the edges",
                values.len(),
                edges.first().copied().unwrap_or(f64::NAN),
                edges.last().copied().unwrap_or(f64::NAN)
            ),
        ));
    }
    let (counts, limits) = subsample(counts, &edges, max_bins);
    let (bucket, bucket_limit) = trim(&counts, &limits)?;
    Ok(HistogramProto {
        min: stats.min,
        max: stats.max,
        num: values.len() as f64,
        sum: stats.sum,
        sum_squares: stats.sum_squares,
        bucket_limit,
        bucket,
    })
}

fn validate_bins(bins: &Bins) -> Result<()> {
    match bins {
        Bins::Count(0) => Err(Error::invalid(
            "bins",
            "Count(0) makes no bins; give at least 1",
        )),
        Bins::Count(n) if *n > MAX_BIN_COUNT => Err(Error::invalid(
            "bins",
            format!("Count({n}) is more than the {MAX_BIN_COUNT} bins a histogram may have"),
        )),
        Bins::Edges(edges) => {
            if edges.len() < 2 {
                return Err(Error::invalid(
                    "bins",
                    format!(
                        "Edges needs at least 2 edges (one bin), got {}",
                        edges.len()
                    ),
                ));
            }
            if edges.len() - 1 > MAX_BIN_COUNT {
                return Err(Error::invalid(
                    "bins",
                    format!(
                        "{} edges make more than the {MAX_BIN_COUNT} bins a histogram may have",
                        edges.len()
                    ),
                ));
            }
            if let Some(i) = edges.windows(2).position(|w| !increasing(w)) {
                return Err(Error::invalid(
                    "bins",
                    format!(
                        "Edges must be strictly increasing (and not NaN), but edge {} is {} and \
                         edge {} is {}",
                        i,
                        edges[i],
                        i + 1,
                        edges[i + 1]
                    ),
                ));
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Whether a pair of edges is strictly increasing (false with a NaN).
fn increasing(pair: &[f64]) -> bool {
    matches!(pair, [a, b] if a < b)
}

/// tensorboardX's `max_bins` merge, including its padding rule.
fn subsample<'a>(
    counts: &'a [u64],
    limits: &'a [f64],
    max_bins: Option<usize>,
) -> (Cow<'a, [u64]>, Cow<'a, [f64]>) {
    let n = counts.len();
    let max = match max_bins {
        Some(m) if m > 0 && n > m => m,
        _ => return (Cow::Borrowed(counts), Cow::Borrowed(limits)),
    };
    let step = n / max;
    // As tensorboardX: the bins are padded with empty ones to a multiple of `step`.
    let merged: Vec<u64> = counts.chunks(step).map(|c| c.iter().sum()).collect();
    let mut new_limits: Vec<f64> = limits
        .get(..n)
        .unwrap_or(&[])
        .iter()
        .step_by(step)
        .copied()
        .collect();
    new_limits.extend(limits.last().copied());
    (Cow::Owned(merged), Cow::Owned(new_limits))
}

/// Keeps one empty bin before the first non-empty one through the last non-empty one, and the
/// right edge of each kept bin (tensorboardX's trimming).
fn trim(counts: &[u64], limits: &[f64]) -> Result<(Vec<f64>, Vec<f64>)> {
    let first = counts.iter().position(|&c| c > 0);
    let last = counts.iter().rposition(|&c| c > 0);
    let (Some(start), Some(last)) = (first, last) else {
        return Err(Error::invalid("values", "no value falls in any bin"));
    };
    let end = last + 1;
    let mut bucket = Vec::with_capacity(end - start + 1);
    if start == 0 {
        bucket.push(0.0);
        bucket.extend(counts[..end].iter().map(|&c| c as f64));
    } else {
        bucket.extend(counts[start - 1..end].iter().map(|&c| c as f64));
    }
    let bucket_limit = limits.get(start..=end).unwrap_or(&[]).to_vec();
    if bucket_limit.len() != bucket.len() {
        return Err(Error::invalid(
            "bins",
            "internal error: bucket limits and counts differ in length",
        ));
    }
    Ok((bucket, bucket_limit))
}

// ---------------------------------------------------------------------------------------------
// min, max, sum, sum of squares in one pass

struct Stats {
    min: f64,
    max: f64,
    sum: f64,
    sum_squares: f64,
    nonfinite: usize,
}

/// Running minimum and maximum, eight lanes wide so that the loops vectorise.
#[derive(Clone, Copy)]
struct MinMax {
    min: [f64; 8],
    max: [f64; 8],
}

impl MinMax {
    fn new() -> Self {
        MinMax {
            min: [f64::INFINITY; 8],
            max: [f64::NEG_INFINITY; 8],
        }
    }

    #[inline(always)]
    fn observe(&mut self, j: usize, v: f64) {
        // Comparisons, not f64::min, so that NaN is skipped cheaply (NaN is rejected later).
        self.min[j] = if v < self.min[j] { v } else { self.min[j] };
        self.max[j] = if v > self.max[j] { v } else { self.max[j] };
    }

    fn merge(&mut self, other: &MinMax) {
        for j in 0..8 {
            self.observe(j, other.min[j]);
            self.observe(j, other.max[j]);
        }
    }
}

/// Something that looks at every value during the statistics pass.
trait Visit<T> {
    fn visit(&mut self, x: T);
    /// Eight consecutive values.
    #[inline(always)]
    fn visit8(&mut self, c: &[T; 8])
    where
        T: Copy,
    {
        for &x in c {
            self.visit(x);
        }
    }
}

struct NoVisit;

impl<T> Visit<T> for NoVisit {
    #[inline(always)]
    fn visit(&mut self, _: T) {}
}

/// Counts values into four sets of 32-bit counters through a lookup table, so that
/// consecutive values landing in the same bucket do not wait on each other.
struct TableCounter<'a, L, F> {
    table: &'a L,
    bits_of: F,
    lanes: Vec<[u32; EXT_CAP]>,
}

impl<T: Copy, L: Lookup, F: Fn(T) -> L::Bits> Visit<T> for TableCounter<'_, L, F> {
    #[inline(always)]
    fn visit(&mut self, x: T) {
        if let Some(lane) = self.lanes.first_mut() {
            lane[self.table.bucket((self.bits_of)(x))] += 1;
        }
    }

    #[inline(always)]
    fn visit8(&mut self, c: &[T; 8]) {
        // Locals, so that the table's address is not reloaded after every counter store.
        let (table, bits_of) = (self.table, &self.bits_of);
        if let [h0, h1, h2, h3] = self.lanes.as_mut_slice() {
            for q in [&c[..4], &c[4..]] {
                if let [a, b, c, d] = *q {
                    h0[table.bucket(bits_of(a))] += 1;
                    h1[table.bucket(bits_of(b))] += 1;
                    h2[table.bucket(bits_of(c))] += 1;
                    h3[table.bucket(bits_of(d))] += 1;
                }
            }
        }
    }
}

/// Statistics and Tensorflow-bin counts in one pass when a table exists and the 32-bit
/// counters cannot overflow; two passes otherwise.
fn stats_and_counts<T: Elem, L: Lookup>(
    values: &[T],
    table: Option<&L>,
    bits_of: impl Fn(T) -> L::Bits,
    count: impl Fn(&[T], &mut [u64]),
) -> (Stats, Vec<u64>) {
    let mut ext = vec![0u64; tensorflow_edges().len() + 2];
    match table {
        Some(table) if values.len() <= u32::MAX as usize => {
            let mut counter = TableCounter {
                table,
                bits_of,
                lanes: vec![[0u32; EXT_CAP]; 4],
            };
            let stats = stats_with(values, &mut counter);
            for lane in &counter.lanes {
                for (total, &c) in ext.iter_mut().zip(lane.iter()) {
                    *total += u64::from(c);
                }
            }
            (stats, ext)
        }
        _ => {
            let stats = stats(values);
            count(values, &mut ext);
            (stats, ext)
        }
    }
}

fn stats<T: Elem>(values: &[T]) -> Stats {
    stats_with(values, &mut NoVisit)
}

fn stats_with<T: Elem, V: Visit<T>>(values: &[T], visitor: &mut V) -> Stats {
    let mut mm = MinMax::new();
    let (sum, sum_squares) = pairwise(values, &mut mm, visitor);
    // A NaN or infinite value makes the sum of squares NaN or infinite, so finite sums prove
    // that every value is finite; only otherwise are the culprits counted.
    let nonfinite = if sum.is_finite() && sum_squares.is_finite() {
        0
    } else {
        values.iter().filter(|x| !x.to_f64().is_finite()).count()
    };
    Stats {
        min: mm.min.iter().copied().fold(f64::INFINITY, f64::min),
        max: mm.max.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        // numpy starts the reduction from the identity 0.0 (only visible for a sum of -0.0).
        sum: 0.0 + sum,
        sum_squares: 0.0 + sum_squares,
        nonfinite,
    }
}

/// numpy's leaf size for pairwise summation.
const PAIRWISE_BLOCK: usize = 128;

/// numpy's pairwise summation (`pairwise_sum` in `loops_utils.h`), of the values and of their
/// squares, tracking min and max on the way; with AVX2 where the CPU has it (the same
/// operations in the same order, so the same bits, only wider registers).
fn pairwise<T: Elem, V: Visit<T>>(a: &[T], mm: &mut MinMax, vis: &mut V) -> (f64, f64) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2, as just checked.
            return unsafe { pairwise_avx2(a, mm, vis) };
        }
    }
    pairwise_baseline(a, mm, vis)
}

/// numpy's split: halves, the first a multiple of 8 long.
fn pairwise_split<T>(a: &[T]) -> (&[T], &[T]) {
    let mut n2 = a.len() / 2;
    n2 -= n2 % 8;
    a.split_at(n2)
}

fn pairwise_baseline<T: Elem, V: Visit<T>>(a: &[T], mm: &mut MinMax, vis: &mut V) -> (f64, f64) {
    if a.len() <= PAIRWISE_BLOCK {
        return pairwise_leaf(a, mm, vis);
    }
    let (left, right) = pairwise_split(a);
    let (s1, q1) = pairwise_baseline(left, mm, vis);
    let (s2, q2) = pairwise_baseline(right, mm, vis);
    (s1 + s2, q1 + q2)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn pairwise_avx2<T: Elem, V: Visit<T>>(a: &[T], mm: &mut MinMax, vis: &mut V) -> (f64, f64) {
    if a.len() <= PAIRWISE_BLOCK {
        return pairwise_leaf(a, mm, vis);
    }
    let (left, right) = pairwise_split(a);
    let (s1, q1) = pairwise_avx2(left, mm, vis);
    let (s2, q2) = pairwise_avx2(right, mm, vis);
    (s1 + s2, q1 + q2)
}

/// One leaf of [`pairwise`]: at most [`PAIRWISE_BLOCK`] values.
#[inline(always)]
fn pairwise_leaf<T: Elem, V: Visit<T>>(a: &[T], mm: &mut MinMax, vis: &mut V) -> (f64, f64) {
    let n = a.len();
    if n < 8 {
        let (mut s, mut q) = (0.0, 0.0);
        for &x in a {
            vis.visit(x);
            let v = x.to_f64();
            mm.observe(0, v);
            s += v;
            q += v * v;
        }
        (s, q)
    } else {
        let mut local = MinMax::new();
        let mut r = [0.0f64; 8];
        let mut q = [0.0f64; 8];
        let (head, rest) = a.split_at(8);
        for (j, &x) in head.iter().enumerate() {
            vis.visit(x);
            let v = x.to_f64();
            local.observe(j, v);
            r[j] = v;
            q[j] = v * v;
        }
        let mut chunks = rest.chunks_exact(8);
        for c in &mut chunks {
            // A fixed-size array lets the compiler drop the bounds checks and vectorise.
            let Ok(c) = <&[T; 8]>::try_from(c) else {
                continue;
            };
            vis.visit8(c);
            for j in 0..8 {
                let v = c[j].to_f64();
                local.observe(j, v);
                r[j] += v;
                q[j] += v * v;
            }
        }
        let mut s = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        let mut sq = ((q[0] + q[1]) + (q[2] + q[3])) + ((q[4] + q[5]) + (q[6] + q[7]));
        for &x in chunks.remainder() {
            vis.visit(x);
            let v = x.to_f64();
            local.observe(0, v);
            s += v;
            sq += v * v;
        }
        mm.merge(&local);
        (s, sq)
    }
}

// ---------------------------------------------------------------------------------------------
// Counting against explicit edges

/// The bucket of `v` among `edges` (at least 2, increasing) in the extended layout:
/// 0 below the first edge, `i + 1` for bin `i`, `edges.len()` above the last edge. As numpy,
/// bin `i` holds `edges[i] <= v < edges[i + 1]` and the last bin also holds the last edge.
fn ext_index(edges: &[f64], v: f64) -> usize {
    match edges.last() {
        Some(&last) if v == last => edges.len() - 1,
        _ => edges.partition_point(|&e| e <= v),
    }
}

fn count_explicit<T: Elem>(values: &[T], edges: &[f64], ext_counts: &mut [u64]) {
    for &x in values {
        if let Some(c) = ext_counts.get_mut(ext_index(edges, x.to_f64())) {
            *c += 1;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Equal-width bins, as numpy's fast path

fn uniform<T: Elem>(
    values: &[T],
    stats: &Stats,
    n: usize,
) -> Result<(Cow<'static, [f64]>, Vec<u64>)> {
    let (first, last) = outer_edges(stats);
    let edges = linspace(first, last, n)?;
    let mut ext = vec![0u64; n + 3];
    let denom = last - first;
    let numer = n as f64;
    for &x in values {
        let v = x.to_f64();
        if !(first..=last).contains(&v) {
            continue;
        }
        // numpy's index arithmetic, then its one-step corrections against the real edges.
        let f = ((v - first) / denom) * numer;
        let mut i = (f as usize).min(n - 1);
        if edges.get(i).is_some_and(|&e| v < e) {
            i = i.saturating_sub(1);
        } else if i != n - 1 && edges.get(i + 1).is_some_and(|&e| v >= e) {
            i += 1;
        }
        if let Some(c) = ext.get_mut(i + 1) {
            *c += 1;
        }
    }
    Ok((Cow::Owned(edges), ext))
}

/// numpy's `_get_outer_edges` without a range: min and max, widened by 0.5 when equal.
fn outer_edges(stats: &Stats) -> (f64, f64) {
    if stats.min == stats.max {
        (stats.min - 0.5, stats.max + 0.5)
    } else {
        (stats.min, stats.max)
    }
}

/// `numpy.linspace(first, last, n + 1)`, rejecting edges that are not strictly increasing
/// (numpy's "Too many bins for data range").
fn linspace(first: f64, last: f64, n: usize) -> Result<Vec<f64>> {
    let delta = last - first;
    if !delta.is_finite() {
        return Err(Error::invalid(
            "values",
            format!(
                "span [{first}, {last}], wider than an f64 can hold; equal-width bins cannot be \
                 computed, use Bins::Tensorflow or explicit edges"
            ),
        ));
    }
    let div = n as f64;
    let step = delta / div;
    let mut edges: Vec<f64> = if step == 0.0 {
        // numpy's path for subnormal steps (gh-5437).
        (0..=n).map(|i| (i as f64 / div) * delta + first).collect()
    } else {
        (0..=n).map(|i| i as f64 * step + first).collect()
    };
    if let Some(e) = edges.last_mut() {
        *e = last;
    }
    if edges.windows(2).any(|w| !increasing(w)) {
        return Err(Error::invalid(
            "bins",
            format!(
                "too many bins for the data range: {n} bins between {first} and {last} are not all \
                 of non-zero width"
            ),
        ));
    }
    Ok(edges)
}

/// The bin count numpy's `"auto"`, `"fd"` or `"sturges"` rule gives.
fn bin_count_from_rule<T: Elem>(values: &[T], stats: &Stats, bins: &Bins) -> Result<usize> {
    let n = values.len() as f64;
    let ptp = stats.max - stats.min;
    let sturges = || ptp / (n.log2() + 1.0);
    let fd = || {
        let mut buf: Vec<f64> = values.iter().map(|x| x.to_f64()).collect();
        let iqr = percentile_linear(&mut buf, 0.75) - percentile_linear(&mut buf, 0.25);
        2.0 * iqr * n.powf(-1.0 / 3.0)
    };
    let width = match bins {
        Bins::Sturges => sturges(),
        Bins::Fd => fd(),
        _ => {
            let sqrt_half = ptp / n.sqrt() / 2.0;
            let fd = fd();
            // Python's max(a, b) and min(a, b) keep `a` on ties.
            let fd_corrected = if sqrt_half > fd { sqrt_half } else { fd };
            let s = sturges();
            if s < fd_corrected {
                s
            } else {
                fd_corrected
            }
        }
    };
    if width == 0.0 {
        return Ok(1);
    }
    let (first, last) = outer_edges(stats);
    let count = ((last - first) / width).ceil();
    if !(1.0..=MAX_BIN_COUNT as f64).contains(&count) {
        return Err(Error::invalid(
            "bins",
            format!(
                "the {bins:?} rule asks for {count} bins (range {first}..{last}, width {width}); \
                 at most {MAX_BIN_COUNT} are allowed: use Bins::Count or Bins::Tensorflow"
            ),
        ));
    }
    Ok(count as usize)
}

/// numpy's `percentile(a, 100 * q)` with the default `linear` method; `buf` is reordered.
fn percentile_linear(buf: &mut [f64], q: f64) -> f64 {
    let n = buf.len();
    if n == 0 {
        return f64::NAN;
    }
    let virtual_index = (n - 1) as f64 * q;
    let (prev, next, gamma) = if virtual_index >= (n - 1) as f64 {
        (n - 1, n - 1, 0.0)
    } else {
        let prev = virtual_index.floor();
        (prev as usize, prev as usize + 1, virtual_index - prev)
    };
    let (_, &mut a, right) = buf.select_nth_unstable_by(prev, f64::total_cmp);
    let b = if next == prev {
        a
    } else {
        right.iter().copied().fold(f64::INFINITY, f64::min)
    };
    let diff = b - a;
    if gamma >= 0.5 {
        b - diff * (1.0 - gamma)
    } else {
        a + diff * gamma
    }
}

// ---------------------------------------------------------------------------------------------
// The Tensorflow-bins lookup tables
//
// A value's bit pattern selects a table entry; the entry covers a contiguous range of bit
// patterns of one sign that holds at most one bucket boundary, so one comparison of the bits
// with the entry's threshold picks the bucket (`lo` below the threshold, `hi` from it on).
// Comparing bit patterns is comparing magnitudes within one sign, which is exact.

/// Values with magnitude below `2^LOW_EXP` (all inside `(-1e-12, 1e-12)`) share the first group
/// of the `f64` table, values from `2^HIGH_EXP` (all beyond `±1e20`) and non-finite ones its last.
const LOW_EXP: i32 = -41;
const HIGH_EXP: i32 = 67;
/// Mantissa bits in an `f64` key: a group spans a ratio of at most 17/16 < 1.1, so one edge.
const F64_KEY_MANTISSA_BITS: u32 = 4;
/// `f64` groups per sign (1729 used) and the `f64` table's length.
const F64_SIGN_STRIDE: usize = 2048;
const F64_KEYS: usize = 2 * F64_SIGN_STRIDE;
/// The `f32` table is indexed by the top 16 bits (sign, exponent, 7 mantissa bits) directly.
const F32_KEYS: usize = 1 << 16;
/// The extended counters of the hot loop (1551 used for 1549 edges).
const EXT_CAP: usize = 2048;

#[derive(Clone, Copy)]
struct Entry<B> {
    thr: B,
    lo: u16,
    hi: u16,
}

/// A bucket lookup by bit pattern.
trait Lookup {
    type Bits: Copy;
    /// The extended bucket (see [`ext_index`]) of the value with these bits, below [`EXT_CAP`].
    fn bucket(&self, bits: Self::Bits) -> usize;
}

/// The `f32` table: entry `bits >> 16`.
type F32Table = [Entry<u32>; F32_KEYS];

impl Lookup for F32Table {
    type Bits = u32;
    #[inline(always)]
    fn bucket(&self, bits: u32) -> usize {
        let e = self[(bits >> 16) as usize & (F32_KEYS - 1)];
        usize::from(if bits >= e.thr { e.hi } else { e.lo }) & (EXT_CAP - 1)
    }
}

/// The `f64` table: sign and clamped exponent groups.
type F64Table = [Entry<u64>; F64_KEYS];

const F64_LOW_MAG: u64 = ((LOW_EXP + 1023) as u64) << 52;
const F64_HIGH_MAG: u64 = ((HIGH_EXP + 1023) as u64) << 52;
const F64_SHIFT: u32 = 52 - F64_KEY_MANTISSA_BITS;

impl Lookup for F64Table {
    type Bits = u64;
    #[inline(always)]
    fn bucket(&self, bits: u64) -> usize {
        let mag = bits & 0x7fff_ffff_ffff_ffff;
        let group = (mag.clamp(F64_LOW_MAG, F64_HIGH_MAG) - F64_LOW_MAG) >> F64_SHIFT;
        let key = group as usize | ((bits >> 63) as usize * F64_SIGN_STRIDE);
        let e = self[key & (F64_KEYS - 1)];
        usize::from(if bits >= e.thr { e.hi } else { e.lo }) & (EXT_CAP - 1)
    }
}

fn f32_table() -> Option<&'static F32Table> {
    static TABLE: OnceLock<Option<Box<F32Table>>> = OnceLock::new();
    TABLE
        .get_or_init(|| {
            let edges = tensorflow_edges();
            let value = |mag: u64| f64::from(f32::from_bits(mag as u32));
            let mut entries = Vec::with_capacity(F32_KEYS);
            for key in 0..F32_KEYS as u64 {
                let sign = key >> 15;
                let m_lo = (key & 0x7fff) << 16;
                let (thr, lo, hi) =
                    group_entry(edges, value, 0x7f80_0000, sign == 1, m_lo, m_lo | 0xffff)?;
                entries.push(Entry {
                    thr: u32::try_from(thr | (sign << 31)).ok()?,
                    lo,
                    hi,
                });
            }
            let entries = entries.into_boxed_slice().try_into().ok()?;
            Some(entries)
        })
        .as_deref()
}

fn f64_table() -> Option<&'static F64Table> {
    static TABLE: OnceLock<Option<Box<F64Table>>> = OnceLock::new();
    TABLE
        .get_or_init(|| {
            let edges = tensorflow_edges();
            let groups = usize::try_from((F64_HIGH_MAG - F64_LOW_MAG) >> F64_SHIFT).ok()? + 1;
            if groups > F64_SIGN_STRIDE {
                return None;
            }
            let mut entries = Vec::with_capacity(F64_KEYS);
            for sign in [0u64, 1] {
                for g in 0..F64_SIGN_STRIDE {
                    if g >= groups {
                        entries.push(Entry {
                            thr: 0,
                            lo: 0,
                            hi: 0,
                        });
                        continue;
                    }
                    let g64 = g as u64;
                    // The first group also holds every smaller magnitude, the last every larger.
                    let m_lo = if g == 0 {
                        0
                    } else {
                        F64_LOW_MAG + (g64 << F64_SHIFT)
                    };
                    let m_hi = if g + 1 == groups {
                        0x7fff_ffff_ffff_ffff
                    } else {
                        F64_LOW_MAG + ((g64 + 1) << F64_SHIFT) - 1
                    };
                    let (thr, lo, hi) = group_entry(
                        edges,
                        f64::from_bits,
                        0x7ff0_0000_0000_0000,
                        sign == 1,
                        m_lo,
                        m_hi,
                    )?;
                    entries.push(Entry {
                        thr: thr | (sign << 63),
                        lo,
                        hi,
                    });
                }
            }
            let entries = entries.into_boxed_slice().try_into().ok()?;
            Some(entries)
        })
        .as_deref()
}

/// The entry for the magnitudes `m_lo..=m_hi` of one sign: the first magnitude of the group's
/// last bucket, and the buckets below and from it. `None` if the group holds more than one
/// bucket boundary (never for the Tensorflow edges; callers then search per value instead).
fn group_entry(
    edges: &[f64],
    value: impl Fn(u64) -> f64,
    inf: u64,
    negative: bool,
    m_lo: u64,
    m_hi: u64,
) -> Option<(u64, u16, u16)> {
    let nonfinite = edges.len() + 1;
    let bucket = |mag: u64| -> usize {
        if mag >= inf {
            return nonfinite;
        }
        let v = value(mag);
        ext_index(edges, if negative { -v } else { v })
    };
    let (a, z) = (bucket(m_lo), bucket(m_hi));
    let thr = if a == z {
        m_lo
    } else {
        let (mut below, mut at) = (m_lo, m_hi);
        while at - below > 1 {
            let mid = below + (at - below) / 2;
            if bucket(mid) == z {
                at = mid;
            } else {
                below = mid;
            }
        }
        if bucket(below) != a {
            return None;
        }
        at
    };
    if nonfinite >= EXT_CAP {
        return None;
    }
    Some((thr, u16::try_from(a).ok()?, u16::try_from(z).ok()?))
}

/// Counts `values` into `ext_counts` through `table`. Four sets of 32-bit counters let
/// consecutive values that land in the same bucket proceed without waiting on each other.
fn count_with_table<T: Copy, L: Lookup>(
    values: &[T],
    table: &L,
    bits_of: impl Fn(T) -> L::Bits,
    ext_counts: &mut [u64],
) {
    // Flushed before any 32-bit counter can overflow.
    const CHUNK: usize = 1 << 30;
    let mut local = vec![[0u32; EXT_CAP]; 4];
    for chunk in values.chunks(CHUNK) {
        let [h0, h1, h2, h3] = local.as_mut_slice() else {
            return;
        };
        let mut quads = chunk.chunks_exact(4);
        for q in &mut quads {
            h0[table.bucket(bits_of(q[0]))] += 1;
            h1[table.bucket(bits_of(q[1]))] += 1;
            h2[table.bucket(bits_of(q[2]))] += 1;
            h3[table.bucket(bits_of(q[3]))] += 1;
        }
        for &x in quads.remainder() {
            h0[table.bucket(bits_of(x))] += 1;
        }
        for h in local.iter_mut() {
            for (total, c) in ext_counts.iter_mut().zip(h.iter_mut()) {
                *total += u64::from(*c);
                *c = 0;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type TestResult = std::result::Result<(), Box<dyn std::error::Error>>;

    fn counts_by_search(values: &[f64], edges: &[f64]) -> Vec<u64> {
        let mut ext = vec![0u64; edges.len() + 2];
        count_explicit(values, edges, &mut ext);
        ext
    }

    #[test]
    fn tensorflow_edges_shape() {
        let e = tensorflow_edges();
        assert_eq!(e.len(), 1549);
        assert_eq!(e[774], 0.0);
        assert_eq!(e[775], 1e-12);
        assert_eq!(e[773], -1e-12);
        assert_eq!(e[776], 1e-12 * 1.1);
        assert!(e[1548] < 1e20 && e[1548] * 1.1 >= 1e20);
        assert!(e.windows(2).all(|w| w[0] < w[1]));
        for i in 0..774 {
            assert_eq!(e[i], -e[1548 - i]);
        }
    }

    #[test]
    fn tables_build_for_tensorflow_edges() {
        assert!(f32_table().is_some());
        assert!(f64_table().is_some());
    }

    #[test]
    fn table_agrees_with_search_on_special_values() -> TestResult {
        let edges = tensorflow_edges();
        let mut vals: Vec<f64> = vec![
            0.0,
            -0.0,
            f64::MIN_POSITIVE,
            -f64::MIN_POSITIVE,
            5e-324,
            -5e-324,
            1e-300,
            -1e-300,
            1e300,
            -1e300,
            f64::MAX,
            f64::MIN,
            1e20,
            -1e20,
        ];
        for &e in edges {
            vals.push(e);
            vals.push(-e);
            vals.push(f64::from_bits(e.to_bits() + 1));
            vals.push(f64::from_bits(e.to_bits().saturating_sub(1)));
        }
        let expected = counts_by_search(&vals, edges);
        let mut got = vec![0u64; edges.len() + 2];
        f64::count_tensorflow(&vals, &mut got);
        assert_eq!(got, expected);

        let vals32: Vec<f32> = vals
            .iter()
            .map(|&v| v as f32)
            .filter(|v| v.is_finite())
            .collect();
        let wide: Vec<f64> = vals32.iter().map(|&v| f64::from(v)).collect();
        let expected = counts_by_search(&wide, edges);
        let mut got = vec![0u64; edges.len() + 2];
        f32::count_tensorflow(&vals32, &mut got);
        assert_eq!(got, expected);
        Ok(())
    }

    /// Finite values spread over every scale of the Tensorflow edges, and values within a few
    /// ulps of an edge.
    fn interesting_f64() -> impl proptest::strategy::Strategy<Value = f64> {
        use proptest::prelude::*;
        prop_oneof![
            any::<f64>().prop_filter("finite", |v| v.is_finite()),
            (any::<bool>(), -16.0f64..24.0).prop_map(|(neg, e)| {
                let v = 10f64.powf(e);
                if neg {
                    -v
                } else {
                    v
                }
            }),
            (0usize..1549, -3i64..=3).prop_map(|(i, k)| {
                let e = tensorflow_edges()[i];
                f64::from_bits(e.to_bits().wrapping_add_signed(k))
            }),
            Just(0.0),
            Just(-0.0),
        ]
    }

    proptest::proptest! {
        #[test]
        fn f64_table_equals_binary_search(
            vals in proptest::collection::vec(interesting_f64(), 0..300)
        ) {
            let vals: Vec<f64> = vals.into_iter().filter(|v| v.is_finite()).collect();
            let edges = tensorflow_edges();
            let mut got = vec![0u64; edges.len() + 2];
            f64::count_tensorflow(&vals, &mut got);
            proptest::prop_assert_eq!(got, counts_by_search(&vals, edges));
        }

        #[test]
        fn f32_table_equals_binary_search(
            vals in proptest::collection::vec(interesting_f64(), 0..300),
            raw in proptest::collection::vec(proptest::prelude::any::<u32>(), 0..300),
        ) {
            let vals: Vec<f32> = vals
                .into_iter()
                .map(|v| v as f32)
                .chain(raw.into_iter().map(f32::from_bits))
                .filter(|v| v.is_finite())
                .collect();
            let wide: Vec<f64> = vals.iter().map(|&v| f64::from(v)).collect();
            let edges = tensorflow_edges();
            let mut got = vec![0u64; edges.len() + 2];
            f32::count_tensorflow(&vals, &mut got);
            proptest::prop_assert_eq!(got, counts_by_search(&wide, edges));
        }
    }

    #[test]
    fn f32_table_exact_around_every_edge_and_group() {
        let edges = tensorflow_edges();
        let near = |c: u32, k: i32| f32::from_bits(c.wrapping_add_signed(k));
        // 64 ulps around every edge, and the ends of every table entry's range.
        let vals: Vec<f32> = edges
            .iter()
            .flat_map(|&e| (-64..=64).map(move |k| near((e as f32).to_bits(), k)))
            .chain((0..F32_KEYS as u32).flat_map(|key| [near(key << 16, 0), near(key << 16, -1)]))
            .filter(|v| v.is_finite())
            .collect();
        let wide: Vec<f64> = vals.iter().map(|&v| f64::from(v)).collect();
        let mut got = vec![0u64; edges.len() + 2];
        f32::count_tensorflow(&vals, &mut got);
        assert_eq!(got, counts_by_search(&wide, edges));
    }

    #[test]
    fn fused_pass_counts_like_separate_passes() {
        let edges = tensorflow_edges();
        for n in [1usize, 7, 8, 9, 127, 128, 129, 1000, 4099] {
            // A spread of magnitudes and signs: i * 1.37^i alternating in sign.
            let v64: Vec<f64> = (0..n)
                .map(|i| {
                    let x = (i as f64 - 20.0) * 1.37f64.powi((i % 97) as i32 - 60);
                    if i % 3 == 0 {
                        -x
                    } else {
                        x
                    }
                })
                .collect();
            let v32: Vec<f32> = v64.iter().map(|&x| x as f32).collect();
            let mut want = vec![0u64; edges.len() + 2];
            f64::count_tensorflow(&v64, &mut want);
            let (s, got) = f64::stats_and_tensorflow_counts(&v64);
            assert_eq!(got, want, "f64 n={n}");
            assert_eq!(s.sum.to_bits(), stats(&v64).sum.to_bits());
            let mut want = vec![0u64; edges.len() + 2];
            f32::count_tensorflow(&v32, &mut want);
            let (s, got) = f32::stats_and_tensorflow_counts(&v32);
            assert_eq!(got, want, "f32 n={n}");
            assert_eq!(s.sum_squares.to_bits(), stats(&v32).sum_squares.to_bits());
        }
    }

    #[test]
    fn baseline_and_dispatched_statistics_agree_to_the_bit() {
        let v: Vec<f32> = (0..100_003)
            .map(|i| ((i as f32) * 0.7548).sin() * 1.1f32.powi(i % 40 - 20))
            .collect();
        let (mut a, mut b) = (MinMax::new(), MinMax::new());
        let (s1, q1) = pairwise(&v, &mut a, &mut NoVisit);
        let (s2, q2) = pairwise_baseline(&v, &mut b, &mut NoVisit);
        assert_eq!((s1.to_bits(), q1.to_bits()), (s2.to_bits(), q2.to_bits()));
        assert_eq!(a.min.map(f64::to_bits), b.min.map(f64::to_bits));
        assert_eq!(a.max.map(f64::to_bits), b.max.map(f64::to_bits));
    }

    #[test]
    fn table_puts_nonfinite_in_its_own_slot() {
        let edges = tensorflow_edges();
        let mut got = vec![0u64; edges.len() + 2];
        f32::count_tensorflow(&[f32::NAN, f32::INFINITY, -f32::INFINITY, 1.0], &mut got);
        assert_eq!(got[edges.len() + 1], 3);
        assert_eq!(got.iter().sum::<u64>(), 4);
    }

    #[test]
    fn count_two_bins_by_hand() -> TestResult {
        let h = make_histogram(&[1.0f32, 2.0, 2.0, 3.0][..], &Bins::Count(2), None)?;
        assert_eq!(h.bucket_limit, vec![1.0, 2.0, 3.0]);
        assert_eq!(h.bucket, vec![0.0, 1.0, 3.0]);
        assert_eq!(h.min, 1.0);
        assert_eq!(h.max, 3.0);
        assert_eq!(h.num, 4.0);
        assert_eq!(h.sum, 8.0);
        assert_eq!(h.sum_squares, 18.0);
        Ok(())
    }

    #[test]
    fn explicit_edges_by_hand() -> TestResult {
        // Bins [0,1) [1,2) [2,3]; 5 and -1 are outside; 3 is in the closed last bin.
        let v = vec![-1.0f64, 0.5, 1.0, 1.5, 3.0, 5.0];
        let h = make_histogram(&v, &Bins::Edges(vec![0.0, 1.0, 2.0, 3.0]), None)?;
        assert_eq!(h.bucket, vec![0.0, 1.0, 2.0, 1.0]);
        assert_eq!(h.bucket_limit, vec![0.0, 1.0, 2.0, 3.0]);
        assert_eq!((h.min, h.max, h.num), (-1.0, 5.0, 6.0));
        // Leading empty bins are trimmed to one.
        let h = make_histogram(&[2.5f64][..], &Bins::Edges(vec![0.0, 1.0, 2.0, 3.0]), None)?;
        assert_eq!(h.bucket, vec![0.0, 1.0]);
        assert_eq!(h.bucket_limit, vec![2.0, 3.0]);
        Ok(())
    }

    #[test]
    fn constant_values_widen_by_half() -> TestResult {
        let h = make_histogram(&[7i32, 7, 7][..], &Bins::Count(2), None)?;
        // Edges 6.5, 7, 7.5: everything is in the closed last bin [7, 7.5].
        assert_eq!(h.bucket_limit, vec![7.0, 7.5]);
        assert_eq!(h.bucket, vec![0.0, 3.0]);
        Ok(())
    }

    #[test]
    fn tensorflow_bins_small_case() -> TestResult {
        let e = tensorflow_edges();
        // 0 is in [0, 1e-12), 1e-12 in [1e-12, 1.1e-12).
        let h = make_histogram(&[0.0f64, 1e-12][..], &Bins::Tensorflow, None)?;
        assert_eq!(h.bucket, vec![0.0, 1.0, 1.0]);
        assert_eq!(h.bucket_limit, vec![e[774], e[775], e[776]]);
        Ok(())
    }

    #[test]
    fn max_bins_merges_like_tensorboardx() -> TestResult {
        // 10 bins, max 4: step 2, 5 merged bins.
        let v: Vec<f64> = (0..10).map(|i| f64::from(i) + 0.5).collect();
        let edges: Vec<f64> = (0..=10).map(f64::from).collect();
        let h = make_histogram(&v, &Bins::Edges(edges), Some(4))?;
        assert_eq!(h.bucket, vec![0.0, 2.0, 2.0, 2.0, 2.0, 2.0]);
        assert_eq!(h.bucket_limit, vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0]);
        // 7 bins, max 3: step 2, padded to 8, 4 merged bins; last limit stays the last edge.
        let edges: Vec<f64> = (0..=7).map(f64::from).collect();
        let v: Vec<f64> = (0..7).map(|i| f64::from(i) + 0.5).collect();
        let h = make_histogram(&v, &Bins::Edges(edges), Some(3))?;
        assert_eq!(h.bucket, vec![0.0, 2.0, 2.0, 2.0, 1.0]);
        assert_eq!(h.bucket_limit, vec![0.0, 2.0, 4.0, 6.0, 7.0]);
        Ok(())
    }

    #[test]
    fn sturges_by_hand() -> TestResult {
        // n = 8: width = 7 / (3 + 1) = 1.75, bins = ceil(7 / 1.75) = 4.
        let v: Vec<f64> = (0..8).map(f64::from).collect();
        let h = make_histogram(&v, &Bins::Sturges, None)?;
        assert_eq!(h.bucket_limit, vec![0.0, 1.75, 3.5, 5.25, 7.0]);
        assert_eq!(h.bucket, vec![0.0, 2.0, 2.0, 2.0, 2.0]);
        Ok(())
    }

    #[test]
    fn percentile_matches_numpy_by_hand() {
        // numpy.percentile([1, 2, 3, 4], [25, 75]) == [1.75, 3.25]
        let mut b = vec![4.0, 1.0, 3.0, 2.0];
        assert_eq!(percentile_linear(&mut b, 0.25), 1.75);
        assert_eq!(percentile_linear(&mut b, 0.75), 3.25);
        let mut one = vec![5.0];
        assert_eq!(percentile_linear(&mut one, 0.75), 5.0);
    }

    #[test]
    fn pairwise_sum_of_small_arrays() {
        let mut mm = MinMax::new();
        let v: Vec<f64> = (1..=300).map(f64::from).collect();
        let (s, q) = pairwise(&v, &mut mm, &mut NoVisit);
        assert_eq!(mm.min.iter().copied().fold(f64::INFINITY, f64::min), 1.0);
        assert_eq!(
            mm.max.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            300.0
        );
        assert_eq!(s, 45150.0);
        assert_eq!(q, 300.0 * 301.0 * 601.0 / 6.0);
    }

    fn err_text(r: Result<HistogramProto>) -> String {
        match r {
            Ok(_) => String::from("<no error>"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn empty_input_is_an_error() {
        let v: Vec<f32> = Vec::new();
        assert!(err_text(make_histogram(&v, &Bins::Tensorflow, None)).contains("empty"));
    }

    #[test]
    fn nonfinite_values_are_an_error_naming_the_count() {
        let v = [1.0f32, f32::NAN, f32::INFINITY, 2.0];
        let msg = err_text(make_histogram(&v, &Bins::Tensorflow, None));
        assert!(msg.contains("2 of 4"), "{msg}");
        let v = [f64::NEG_INFINITY];
        let msg = err_text(make_histogram(&v, &Bins::Count(3), None));
        assert!(msg.contains("1 of 1"), "{msg}");
    }

    #[test]
    fn values_outside_edges_are_an_error() {
        let msg = err_text(make_histogram(
            &[5.0f64, 6.0][..],
            &Bins::Edges(vec![0.0, 1.0]),
            None,
        ));
        assert!(msg.contains("outside"), "{msg}");
        let msg = err_text(make_histogram(&[1e30f64][..], &Bins::Tensorflow, None));
        assert!(msg.contains("outside"), "{msg}");
    }

    #[test]
    fn bad_bins_are_errors() {
        let v = [1.0f64, 2.0];
        for bins in [
            Bins::Count(0),
            Bins::Count(MAX_BIN_COUNT + 1),
            Bins::Edges(vec![]),
            Bins::Edges(vec![1.0]),
            Bins::Edges(vec![0.0, 1.0, 1.0]),
            Bins::Edges(vec![0.0, 2.0, 1.0]),
            Bins::Edges(vec![0.0, f64::NAN]),
        ] {
            let msg = err_text(make_histogram(&v, &bins, None));
            assert!(msg.contains("`bins`"), "{bins:?}: {msg}");
        }
        let msg = err_text(make_histogram(&v, &Bins::Tensorflow, Some(0)));
        assert!(msg.contains("`max_bins`"), "{msg}");
    }

    #[test]
    fn too_many_bins_for_range_is_an_error() {
        // Two adjacent floats cannot hold 4 bins of non-zero width.
        let a = 1.0f64;
        let b = f64::from_bits(a.to_bits() + 1);
        let msg = err_text(make_histogram(&[a, b][..], &Bins::Count(4), None));
        assert!(msg.contains("too many bins"), "{msg}");
        // An outlier makes the FD rule ask for an absurd number of bins.
        let mut v = vec![0.0f64; 1000];
        for (i, x) in v.iter_mut().enumerate() {
            *x = i as f64 * 1e-9;
        }
        v.push(1e12);
        let msg = err_text(make_histogram(&v, &Bins::Fd, None));
        assert!(msg.contains("at most"), "{msg}");
    }

    #[test]
    fn span_wider_than_f64_is_an_error() {
        let msg = err_text(make_histogram(
            &[f64::MAX, f64::MIN][..],
            &Bins::Count(3),
            None,
        ));
        assert!(msg.contains("wider"), "{msg}");
    }

    #[test]
    fn raw_histogram_checks_lengths() -> TestResult {
        assert!(raw_histogram(0.0, 1.0, 2.0, 1.0, 1.0, &[1.0], &[1.0, 1.0]).is_err());
        assert!(raw_histogram(0.0, 1.0, 2.0, 1.0, 1.0, &[], &[]).is_err());
        let h = raw_histogram(0.0, 1.0, 2.0, 1.0, 1.0, &[0.5, 1.0], &[1.0, 1.0])?;
        assert_eq!(h.bucket_limit, vec![0.5, 1.0]);
        assert_eq!(h.bucket, vec![1.0, 1.0]);
        assert_eq!(h.num, 2.0);
        Ok(())
    }

    #[test]
    fn bins_parse_from_pytorch_names() -> TestResult {
        assert_eq!("tensorflow".parse::<Bins>()?, Bins::Tensorflow);
        assert_eq!("auto".parse::<Bins>()?, Bins::Auto);
        assert_eq!("fd".parse::<Bins>()?, Bins::Fd);
        assert_eq!("sturges".parse::<Bins>()?, Bins::Sturges);
        assert_eq!("30".parse::<Bins>()?, Bins::Count(30));
        assert!("doane".parse::<Bins>().is_err());
        Ok(())
    }

    #[cfg(feature = "candle")]
    #[test]
    fn tensors_of_every_dtype() -> TestResult {
        use candle_core::{DType, Device, Tensor};
        let t = Tensor::new(&[[1.0f32, 2.0], [3.0, 4.0]], &Device::Cpu)?;
        let want = make_histogram(&[1.0f64, 2.0, 3.0, 4.0][..], &Bins::Tensorflow, None)?;
        for dtype in [
            DType::F32,
            DType::F64,
            DType::F16,
            DType::BF16,
            DType::U8,
            DType::U32,
            DType::I64,
        ] {
            let got = make_histogram(&t.to_dtype(dtype)?, &Bins::Tensorflow, None)?;
            assert_eq!(got, want, "{dtype:?}");
        }
        let scalar = Tensor::new(2.5f32, &Device::Cpu)?;
        let h = make_histogram(&scalar, &Bins::Count(1), None)?;
        assert_eq!(h.num, 1.0);
        assert_eq!(h.bucket, vec![0.0, 1.0]);
        Ok(())
    }
}
