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
//! | no values | raises `ValueError` | `Err(Empty)` |
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
//!
//! # Layout
//!
//! This module holds the public API and the pipeline (validate, count, merge, trim); the jobs
//! behind it each have a file: `input` (what a histogram can be made of), `elem` (the number
//! types the counting is compiled for), `tf_edges` (the default edges), `numpy_bins` (numpy's
//! equal-width bins, bin-width rules and explicit-edge search), `tables` (the lookup tables
//! for the default edges) and `stats` (min, max, sum and sum of squares in numpy's order).

use std::borrow::Cow;

use crate::proto::HistogramProto;
use crate::{Error, Result};

mod elem;
mod input;
mod numpy_bins;
mod stats;
mod tables;
mod tf_count;
mod tf_edges;

pub use input::{HistogramInput, HistogramValues};
use numpy_bins::{bin_count_from_rule, count_explicit, uniform};
use stats::stats;
use tf_count::TensorflowCount;
pub use tf_edges::tensorflow_edges;

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
            other => other
                .parse::<usize>()
                .map(Bins::Count)
                .map_err(|_| Error::BadName {
                    what: "bins",
                    name: other.to_string(),
                    reason: "is not one of tensorflow, auto, fd, sturges or a bin count",
                }),
        }
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
        // The right edges are numpy's `np.histogram` edges without the first one.
        return Err(Error::LengthMismatch {
            what: "bucket_limits".to_string(),
            got: bucket_limits.len(),
            expected: bucket_counts.len(),
            per: "bucket count (its right edge)",
        });
    }
    if bucket_limits.is_empty() {
        return Err(Error::Empty {
            what: "bucket_limits".to_string(),
        });
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
// The pipeline

fn histogram_of<T: TensorflowCount>(
    values: &[T],
    bins: &Bins,
    max_bins: Option<usize>,
) -> Result<HistogramProto> {
    if values.is_empty() {
        return Err(Error::Empty {
            what: "the histogram's values".to_string(),
        });
    }
    validate_bins(bins)?;
    if max_bins == Some(0) {
        return Err(Error::BadNumber {
            what: "max_bins".to_string(),
            value: 0.0,
            must: "at least 1, or None to keep every bin",
        });
    }
    let (stats, tensorflow_counts) = if *bins == Bins::Tensorflow {
        T::stats_and_tensorflow_counts(values)
    } else {
        (stats(values), Vec::new())
    };
    if stats.nonfinite > 0 {
        return Err(Error::NonFinite {
            tag: None,
            count: stats.nonfinite,
            total: values.len(),
        });
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
        return Err(Error::OutsideEdges {
            tag: None,
            count: values.len(),
            first: edges.first().copied().unwrap_or(f64::NAN),
            last: edges.last().copied().unwrap_or(f64::NAN),
        });
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
        Bins::Count(n) if *n == 0 || *n > MAX_BIN_COUNT => Err(Error::OutOfRange {
            what: "the bins of Bins::Count".to_string(),
            value: *n as f64,
            min: 1.0,
            max: MAX_BIN_COUNT as f64,
        }),
        Bins::Edges(edges) => {
            if edges.len() < 2 || edges.len() - 1 > MAX_BIN_COUNT {
                return Err(Error::OutOfRange {
                    what: "the edges of Bins::Edges (one more than the bins)".to_string(),
                    value: edges.len() as f64,
                    min: 2.0,
                    max: (MAX_BIN_COUNT + 1) as f64,
                });
            }
            if let Some(i) = edges.windows(2).position(|w| !increasing(w)) {
                return Err(Error::BadNumber {
                    what: format!("edge {} of Bins::Edges (edge {i} is {})", i + 1, edges[i]),
                    value: edges[i + 1],
                    must: "above the edge before it: edges strictly increase",
                });
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
        return Err(Error::Empty {
            what: "the histogram's bins (no value falls in any)".to_string(),
        });
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
        // An internal invariant: report it rather than write a histogram TensorBoard misreads.
        return Err(Error::LengthMismatch {
            what: "the trimmed bucket limits (an internal error, please report it)".to_string(),
            got: bucket_limit.len(),
            expected: bucket.len(),
            per: "bucket count",
        });
    }
    Ok((bucket, bucket_limit))
}

#[cfg(test)]
mod tests {
    use super::*;

    type TestResult = std::result::Result<(), Box<dyn std::error::Error>>;

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
        assert!(matches!(
            make_histogram(&v, &Bins::Tensorflow, None),
            Err(Error::Empty { .. })
        ));
    }

    #[test]
    fn nonfinite_values_are_an_error_naming_the_count() {
        let v = [1.0f32, f32::NAN, f32::INFINITY, 2.0];
        assert!(matches!(
            make_histogram(&v, &Bins::Tensorflow, None),
            Err(Error::NonFinite {
                count: 2,
                total: 4,
                tag: None
            })
        ));
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
        assert!(matches!(
            make_histogram(&[5.0f64, 6.0][..], &Bins::Edges(vec![0.0, 1.0]), None),
            Err(Error::OutsideEdges {
                count: 2,
                first: 0.0,
                last: 1.0,
                tag: None
            })
        ));
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
            let result = make_histogram(&v, &bins, None);
            assert!(
                matches!(
                    &result,
                    Err(Error::OutOfRange { what, .. } | Error::BadNumber { what, .. })
                        if what.contains("Bins::")
                ),
                "{bins:?}: {result:?}"
            );
        }
        let result = make_histogram(&v, &Bins::Tensorflow, Some(0));
        assert!(
            matches!(&result, Err(Error::BadNumber { what, .. }) if what == "max_bins"),
            "{result:?}"
        );
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
        let result = make_histogram(&v, &Bins::Fd, None);
        assert!(
            matches!(&result, Err(Error::OutOfRange { what, .. }) if what.contains("Fd rule")),
            "{result:?}"
        );
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
        assert!(matches!(
            raw_histogram(0.0, 1.0, 2.0, 1.0, 1.0, &[1.0], &[1.0, 1.0]),
            Err(Error::LengthMismatch {
                got: 1,
                expected: 2,
                ..
            })
        ));
        assert!(matches!(
            raw_histogram(0.0, 1.0, 2.0, 1.0, 1.0, &[], &[]),
            Err(Error::Empty { .. })
        ));
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
        assert!(matches!(
            "doane".parse::<Bins>(),
            Err(Error::BadName { name, .. }) if name == "doane"
        ));
        Ok(())
    }
}
