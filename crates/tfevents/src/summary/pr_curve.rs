//! The PR curves plugin: precision/recall at evenly spaced thresholds.
//!
//! [`pr_curve_summary`] computes the curve exactly as PyTorch's
//! `torch.utils.tensorboard.summary.compute_curve` (and tensorboardX's) does: prediction `p`
//! falls in bucket `floor(p * (num_thresholds - 1))`, computed in the predictions' own
//! precision as numpy does; the weighted true/false positive counts per bucket are summed in
//! `f64` in numpy's order (blocks of 65,536 values); the counts at threshold `i` are the
//! reverse cumulative sums from bucket `i`; precision and recall divide by at least `1e-7`.
//! The tensor is `[6, num_thresholds]` float32: TP, FP, TN, FN, precision, recall.

use super::plugin_value::plugin_value;
use crate::plugin_names;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::proto::pr_curve::PrCurvePluginData;
use crate::proto::{DataType, Summary, TensorProto, TensorShapeProto};

/// The most thresholds a curve may have: 2^22, far past what the dashboard can draw, and the
/// range in which the vectorised bucket of an `f32` is exact.
pub const MAX_THRESHOLDS: usize = 1 << 22;

/// PyTorch's default number of thresholds.
pub const DEFAULT_NUM_THRESHOLDS: usize = 127;

/// numpy's `histogram` adds weights in blocks of this many values.
const NUMPY_BLOCK: usize = 65_536;

/// PyTorch's `_MINIMUM_COUNT`: the smallest denominator of precision and recall.
const MINIMUM_COUNT: f64 = 1e-7;

/// A prediction in `[0, 1]`, `f32` or `f64`: the bucket index is computed in its own
/// precision, as numpy multiplies a float32 array by an integer in float32.
pub trait Prediction: Copy + Sync {
    /// `floor(self * (num_thresholds - 1))`, or `None` when `self` is not in `[0, 1]`.
    fn bucket(self, num_thresholds: usize) -> Option<usize>;

    /// Whether `self` is in `[0, 1]` (NaN is not), without a branch, so that checking a
    /// whole slice runs at vector speed.
    #[inline]
    fn is_probability(self) -> bool {
        self.bucket(2).is_some()
    }

    /// The bucket of a prediction already checked with [`Prediction::is_probability`]:
    /// meaningless for others, but at most `num_thresholds - 1` whatever `self` is.
    /// `num_thresholds` is at most [`MAX_THRESHOLDS`] here.
    #[inline]
    fn bucket_unchecked(self, num_thresholds: usize) -> u32 {
        self.bucket(num_thresholds).unwrap_or(0) as u32
    }
}

/// `f32` and `f64`: the bucket in the float's own precision; the vectorised one through the
/// float's bits (`$shift` is 2 to the mantissa's width, `$mantissa` its mask).
macro_rules! float_prediction {
    ($t:ty, $bits:ty, $shift:expr, $mantissa:expr) => {
        impl Prediction for $t {
            #[inline]
            fn bucket(self, num_thresholds: usize) -> Option<usize> {
                if !self.is_probability() {
                    return None;
                }
                // Non-negative here, so truncating is numpy's floor (and needs no libm call).
                Some((self * (num_thresholds - 1) as $t) as usize)
            }

            #[inline]
            fn is_probability(self) -> bool {
                (0.0..=1.0).contains(&self)
            }

            #[inline]
            fn bucket_unchecked(self, num_thresholds: usize) -> u32 {
                let top = (num_thresholds - 1) as $t;
                // Clamped first, so that whatever `self` is (NaN gives 0) the bucket is in
                // range; by selects, which vectorise, where `clamp` keeps NaN and checks its
                // bounds.
                let scaled = self * top;
                let scaled = if scaled >= 0.0 { scaled } else { 0.0 };
                let scaled = if scaled <= top { scaled } else { top };
                // Float to integer conversion does not vectorise on x86; this does. Adding
                // 2^mantissa leaves `scaled` rounded to nearest in the low mantissa bits; one
                // less when that rounded up is the floor. Exact for `scaled` in
                // [0, 2^(mantissa - 1)], which `MAX_THRESHOLDS` keeps it in.
                const SHIFT: $t = $shift;
                let shifted = scaled + SHIFT;
                let nearest = shifted.to_bits() & $mantissa;
                (nearest - <$bits>::from(shifted - SHIFT > scaled)) as u32
            }
        }
    };
}

float_prediction!(f32, u32, 8_388_608.0, 0x7f_ffff);
float_prediction!(f64, u64, 4_503_599_627_370_496.0, 0xf_ffff_ffff_ffff);

/// A ground-truth label: `bool`, or a number that is 0 or 1.
pub trait Label: Copy + Sync {
    /// `1.0` for positive, `0.0` for negative, `None` for anything else.
    fn as_label(self) -> Option<f64>;

    /// Whether the label is 0 or 1, without a branch (see [`Prediction::is_probability`]).
    #[inline]
    fn is_binary(self) -> bool {
        self.as_label().is_some()
    }

    /// 1 for a positive label, 0 for any other.
    #[inline]
    fn bit_unchecked(self) -> u32 {
        u32::from(self.as_label() == Some(1.0))
    }
}

impl Label for bool {
    #[inline]
    fn as_label(self) -> Option<f64> {
        Some(if self { 1.0 } else { 0.0 })
    }

    #[inline]
    fn is_binary(self) -> bool {
        true
    }

    #[inline]
    fn bit_unchecked(self) -> u32 {
        u32::from(self)
    }
}

macro_rules! numeric_label {
    ($($t:ty),*) => {$(
        impl Label for $t {
            #[inline]
            fn as_label(self) -> Option<f64> {
                let v = self as f64;
                (v == 0.0 || v == 1.0).then_some(v)
            }

            #[inline]
            fn is_binary(self) -> bool {
                (self == 0 as $t) | (self == 1 as $t)
            }

            #[inline]
            fn bit_unchecked(self) -> u32 {
                u32::from(self == 1 as $t)
            }
        }
    )*};
}
numeric_label!(u8, i8, i16, u16, i32, u32, i64, u64, usize, f32, f64);

/// The six rows of a PR curve, one entry per threshold.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PrCurveData {
    /// True positives.
    pub true_positives: Vec<f64>,
    /// False positives.
    pub false_positives: Vec<f64>,
    /// True negatives.
    pub true_negatives: Vec<f64>,
    /// False negatives.
    pub false_negatives: Vec<f64>,
    /// Precision.
    pub precision: Vec<f64>,
    /// Recall.
    pub recall: Vec<f64>,
}

fn check_num_thresholds(num_thresholds: usize) -> Result<()> {
    if (2..=MAX_THRESHOLDS).contains(&num_thresholds) {
        return Ok(());
    }
    Err(Error::OutOfRange {
        what: "num_thresholds (PyTorch's default is 127)".to_string(),
        value: num_thresholds as f64,
        min: 2.0,
        max: MAX_THRESHOLDS as f64,
    })
}

/// PyTorch's `compute_curve`: the counts, precision and recall at `num_thresholds` thresholds.
///
/// Errors (naming the argument): lengths that differ, a label that is not 0/1, a prediction
/// outside `[0, 1]` or NaN, a negative or non-finite weight, fewer than 2 thresholds.
pub fn compute_curve<L: Label, P: Prediction>(
    labels: &[L],
    predictions: &[P],
    num_thresholds: usize,
    weights: Option<&[f64]>,
) -> Result<PrCurveData> {
    check_num_thresholds(num_thresholds)?;
    if labels.len() != predictions.len() {
        return Err(Error::LengthMismatch {
            what: "labels".to_string(),
            got: labels.len(),
            expected: predictions.len(),
            per: "prediction",
        });
    }
    if let Some(w) = weights {
        if w.len() != predictions.len() {
            return Err(Error::LengthMismatch {
                what: "weights".to_string(),
                got: w.len(),
                expected: predictions.len(),
                per: "prediction",
            });
        }
    }
    let Some(weights) = weights else {
        return count_unweighted(labels, predictions, num_thresholds);
    };
    // numpy sums each block of 65,536 weights on its own and then adds the blocks in order:
    // the blocks are summed on several threads and added in the same order, so the sums are
    // numpy's to the bit.
    let per_block = predictions
        .par_chunks(NUMPY_BLOCK)
        .zip(labels.par_chunks(NUMPY_BLOCK))
        .zip(weights.par_chunks(NUMPY_BLOCK))
        .enumerate()
        .map(|(block, ((p, l), w))| {
            sum_weighted_block(l, p, w, num_thresholds, block * NUMPY_BLOCK)
        })
        .collect::<Vec<_>>();
    let mut tp_buckets = vec![0f64; num_thresholds];
    let mut fp_buckets = vec![0f64; num_thresholds];
    for block in per_block {
        let (block_tp, block_fp) = block?;
        for (total, block) in tp_buckets.iter_mut().zip(&block_tp) {
            *total += block;
        }
        for (total, block) in fp_buckets.iter_mut().zip(&block_fp) {
            *total += block;
        }
    }
    Ok(curve_from_buckets(&tp_buckets, &fp_buckets))
}

/// One numpy block of the weighted sums: `(true positives, false positives)` per bucket.
fn sum_weighted_block<L: Label, P: Prediction>(
    labels: &[L],
    predictions: &[P],
    weights: &[f64],
    num_thresholds: usize,
    offset: usize,
) -> Result<(Vec<f64>, Vec<f64>)> {
    let mut tp = vec![0f64; num_thresholds];
    let mut fp = vec![0f64; num_thresholds];
    for (i, ((label, prediction), &weight)) in
        labels.iter().zip(predictions).zip(weights).enumerate()
    {
        let (label, bucket) = check_entry(*label, *prediction, num_thresholds, offset + i)?;
        if !(weight.is_finite() && weight >= 0.0) {
            return Err(Error::BadNumber {
                what: format!("weight {}", offset + i),
                value: weight,
                must: "finite and >= 0",
            });
        }
        if let (Some(t), Some(f)) = (tp.get_mut(bucket), fp.get_mut(bucket)) {
            *t += label * weight;
            *f += (1.0 - label) * weight;
        }
    }
    Ok((tp, fp))
}

/// Entry `i`'s label (0 or 1) and bucket, or the error naming it (the label first).
fn check_entry<L: Label, P: Prediction>(
    label: L,
    prediction: P,
    num_thresholds: usize,
    i: usize,
) -> Result<(f64, usize)> {
    let label = label.as_label().ok_or_else(|| bad_label(i))?;
    let bucket = prediction
        .bucket(num_thresholds)
        .ok_or_else(|| bad_prediction(i))?;
    Ok((label, bucket))
}

fn bad_label(i: usize) -> Error {
    Error::invalid(
        "labels",
        format!("entry {i} is not 0 or 1 (false or true); PR curves need binary labels"),
    )
}

fn bad_prediction(i: usize) -> Error {
    Error::invalid(
        "predictions",
        format!("entry {i} is outside [0, 1] or NaN; pass probabilities (apply a sigmoid or softmax first)"),
    )
}

/// Predictions counted per task: large enough that a task outweighs handing it to a thread.
const TASK_LEN: usize = 1 << 16;

/// Without weights every weight is 1, so numpy's `f64` sums are exact integers (below 2^53):
/// counting in integers gives the same numbers in any order, so the blocks are counted on
/// several threads.
///
/// The calling thread counts too, taking tasks from the same queue as the pool's threads,
/// instead of handing every task to the pool and sleeping until they are done: it starts at
/// once, while a pool thread may take tens of microseconds to wake, a tenth of a call.
fn count_unweighted<L: Label, P: Prediction>(
    labels: &[L],
    predictions: &[P],
    num_thresholds: usize,
) -> Result<PrCurveData> {
    let tasks = labels.len().div_ceil(TASK_LEN);
    let next_task = AtomicUsize::new(0);
    let results = Mutex::new(Vec::new());
    let participate = || {
        let outcome = take_tasks(labels, predictions, num_thresholds, &next_task);
        results
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(outcome);
    };
    let helpers = rayon::current_num_threads().min(tasks).saturating_sub(1);
    rayon::in_place_scope(|scope| {
        for _ in 0..helpers {
            scope.spawn(|_| participate());
        }
        participate();
    });
    // counts[2 * bucket + bit]: negatives then positives of each bucket.
    let mut counts = vec![0u64; 2 * num_thresholds];
    let mut first_error: Option<(usize, Error)> = None;
    for outcome in results.into_inner().unwrap_or_else(PoisonError::into_inner) {
        match outcome {
            Ok(partial) => {
                for (total, c) in counts.iter_mut().zip(partial) {
                    *total += c;
                }
            }
            // Each thread stops at its first bad task and takes tasks in input order, so the
            // lowest bad task holds the first bad entry.
            Err((task, error)) => {
                if first_error.as_ref().is_none_or(|(first, _)| task < *first) {
                    first_error = Some((task, error));
                }
            }
        }
    }
    if let Some((_, error)) = first_error {
        return Err(error);
    }
    let tp: Vec<f64> = counts.chunks_exact(2).map(|c| c[1] as f64).collect();
    let fp: Vec<f64> = counts.chunks_exact(2).map(|c| c[0] as f64).collect();
    Ok(curve_from_buckets(&tp, &fp))
}

/// One thread's share of [`count_unweighted`]: counts the next task of `next_task` until none
/// is left, or until one holds a bad entry (returned with the task's number).
fn take_tasks<L: Label, P: Prediction>(
    labels: &[L],
    predictions: &[P],
    num_thresholds: usize,
    next_task: &AtomicUsize,
) -> std::result::Result<Vec<u64>, (usize, Error)> {
    let mut counts = vec![0u64; 2 * num_thresholds];
    loop {
        let task = next_task.fetch_add(1, Ordering::Relaxed);
        let start = task.saturating_mul(TASK_LEN);
        if start >= labels.len() {
            return Ok(counts);
        }
        let end = start.saturating_add(TASK_LEN).min(labels.len());
        // Both `Some`: `compute_curve` checked that the lengths are equal.
        let (Some(labels), Some(predictions)) =
            (labels.get(start..end), predictions.get(start..end))
        else {
            return Ok(counts);
        };
        add_block_counts(labels, predictions, num_thresholds, start, &mut counts)
            .map_err(|error| (task, error))?;
    }
}

/// Adds one block's (at most `u32::MAX` entries) counts to `totals`, `[negatives, positives]`
/// per bucket; only if an entry is bad does a second pass look for the first (`offset` being
/// the block's place in the whole input) to name it, and `totals` then mean nothing.
fn add_block_counts<L: Label, P: Prediction>(
    labels: &[L],
    predictions: &[P],
    num_thresholds: usize,
    offset: usize,
    totals: &mut [u64],
) -> Result<()> {
    let len = 2 * num_thresholds;
    let mut add_lane = |lane: &[u32]| {
        for (total, &c) in totals.iter_mut().zip(lane) {
            *total += u64::from(c);
        }
    };
    let valid = if len <= BYTE_SLOTS {
        let mut tables = [[0u32; BYTE_SLOTS]; LANES];
        let valid = count_byte_slots(labels, predictions, num_thresholds, &mut tables);
        tables.iter().for_each(|lane| add_lane(lane));
        valid
    } else {
        let mut tables = vec![0u32; LANES * len];
        let valid = count_wide_slots(labels, predictions, num_thresholds, &mut tables);
        tables.chunks_exact(len).for_each(add_lane);
        valid
    };
    if !valid {
        for (i, (&label, &prediction)) in labels.iter().zip(predictions).enumerate() {
            check_entry(label, prediction, num_thresholds, offset + i)?;
        }
    }
    Ok(())
}

/// Entries whose slots are computed, then counted, together: few enough that two chunks of
/// slots stay in the first-level cache.
const CHUNK: usize = 2048;

/// Tables counted into in turn, so that neighbours in the same slot do not wait on each
/// other's increment.
const LANES: usize = 4;

/// Entries whose slots [`count_pipelined`] computes between two runs of counting.
const STEP: usize = 32;

/// Slots `2 * bucket + label` that fit a byte: every curve of up to 128 thresholds, PyTorch's
/// default 127 among them.
const BYTE_SLOTS: usize = 256;

/// Writes each entry's slot `2 * bucket + label` into `slots` (as `to_slot` narrows it) and
/// returns whether every entry was valid; one pass without a branch, so that it runs at vector
/// speed.
#[inline(always)]
fn fill_slots<L: Label, P: Prediction, S>(
    labels: &[L],
    predictions: &[P],
    num_thresholds: usize,
    slots: &mut [S],
    to_slot: impl Fn(u32) -> S,
) -> bool {
    let mut invalid = false;
    for ((slot, l), p) in slots.iter_mut().zip(labels).zip(predictions) {
        invalid |= !p.is_probability() | !l.is_binary();
        *slot = to_slot(2 * p.bucket_unchecked(num_thresholds) + (l.bit_unchecked() & 1));
    }
    !invalid
}

/// Computes every entry's slot (as `to_slot` narrows it) and hands the slots to `count`, and
/// returns whether every entry was valid (the counts mean nothing when one was not).
///
/// The slots of one chunk are computed (vector work) while those of the chunk before are
/// counted (scalar increments), [`STEP`] entries at a time, so that the processor overlaps
/// the two: a third faster than computing, then counting, each chunk.
#[inline(always)]
fn count_pipelined<L: Label, P: Prediction, S: Copy + Default>(
    labels: &[L],
    predictions: &[P],
    num_thresholds: usize,
    to_slot: impl Fn(u32) -> S + Copy,
    mut count: impl FnMut(&[S]),
) -> bool {
    let mut valid = true;
    let (mut first, mut second) = ([S::default(); CHUNK], [S::default(); CHUNK]);
    let (mut current, mut previous) = (&mut first, &mut second);
    let mut previous_uncounted = false;
    let mut label_chunks = labels.chunks_exact(CHUNK);
    let mut prediction_chunks = predictions.chunks_exact(CHUNK);
    for (labels, predictions) in (&mut label_chunks).zip(&mut prediction_chunks) {
        let steps = current
            .chunks_exact_mut(STEP)
            .zip(previous.chunks_exact(STEP))
            .zip(
                labels
                    .chunks_exact(STEP)
                    .zip(predictions.chunks_exact(STEP)),
            );
        for ((slots, earlier), (labels, predictions)) in steps {
            valid &= fill_slots(labels, predictions, num_thresholds, slots, to_slot);
            if previous_uncounted {
                count(earlier);
            }
        }
        previous_uncounted = true;
        std::mem::swap(&mut current, &mut previous);
    }
    if previous_uncounted {
        count(&previous[..]);
    }
    let (labels, predictions) = (label_chunks.remainder(), prediction_chunks.remainder());
    let tail = &mut current[..labels.len()];
    valid &= fill_slots(labels, predictions, num_thresholds, tail, to_slot);
    count(tail);
    valid
}

/// [`count_pipelined`] for curves whose slots fit a byte: byte-indexed tables need no bounds
/// check, a third of the counting loop's instructions.
#[multiversion::multiversion(targets(
    "x86_64+avx512f+avx512bw+avx512vl+avx2+fma",
    "x86_64+avx2+fma",
    "aarch64+neon"
))]
fn count_byte_slots<L: Label, P: Prediction>(
    labels: &[L],
    predictions: &[P],
    num_thresholds: usize,
    tables: &mut [[u32; BYTE_SLOTS]; LANES],
) -> bool {
    let [t0, t1, t2, t3] = tables;
    // Truncating is the identity for the `Prediction`s and `Label`s of this crate (their slots
    // are below 2 * 128); another's out-of-contract slot lands in a wrong slot of the table,
    // never outside it.
    let to_byte = |slot: u32| slot as u8;
    count_pipelined(labels, predictions, num_thresholds, to_byte, |slots| {
        let mut quads = slots.chunks_exact(LANES);
        for q in &mut quads {
            t0[usize::from(q[0])] += 1;
            t1[usize::from(q[1])] += 1;
            t2[usize::from(q[2])] += 1;
            t3[usize::from(q[3])] += 1;
        }
        for &slot in quads.remainder() {
            t0[usize::from(slot)] += 1;
        }
    })
}

/// [`count_pipelined`] for any number of thresholds, into the [`LANES`] tables of `tables`
/// (each a quarter of it).
#[multiversion::multiversion(targets(
    "x86_64+avx512f+avx512bw+avx512vl+avx2+fma",
    "x86_64+avx2+fma",
    "aarch64+neon"
))]
fn count_wide_slots<L: Label, P: Prediction>(
    labels: &[L],
    predictions: &[P],
    num_thresholds: usize,
    tables: &mut [u32],
) -> bool {
    let len = tables.len() / LANES;
    let (t0, rest) = tables.split_at_mut(len);
    let (t1, rest) = rest.split_at_mut(len);
    let (t2, t3) = rest.split_at_mut(len);
    // `get_mut`: a `Prediction` or `Label` implemented outside this crate could give a slot
    // past the table; it is then not counted (the bounds check costs what indexing's would).
    let bump = |table: &mut [u32], slot: u32| {
        if let Some(c) = table.get_mut(slot as usize) {
            *c += 1;
        }
    };
    count_pipelined(
        labels,
        predictions,
        num_thresholds,
        |slot| slot,
        |slots| {
            let mut quads = slots.chunks_exact(LANES);
            for q in &mut quads {
                bump(t0, q[0]);
                bump(t1, q[1]);
                bump(t2, q[2]);
                bump(t3, q[3]);
            }
            for &slot in quads.remainder() {
                bump(t0, slot);
            }
        },
    )
}

fn reverse_cumsum(buckets: &[f64]) -> Vec<f64> {
    let mut out = vec![0f64; buckets.len()];
    let mut acc = 0f64;
    for (o, b) in out.iter_mut().zip(buckets).rev() {
        acc += b;
        *o = acc;
    }
    out
}

fn curve_from_buckets(tp_buckets: &[f64], fp_buckets: &[f64]) -> PrCurveData {
    let tp = reverse_cumsum(tp_buckets);
    let fp = reverse_cumsum(fp_buckets);
    let (tp0, fp0) = (tp[0], fp[0]);
    let tn: Vec<f64> = fp.iter().map(|f| fp0 - f).collect();
    let fn_: Vec<f64> = tp.iter().map(|t| tp0 - t).collect();
    let precision = tp
        .iter()
        .zip(&fp)
        .map(|(t, f)| t / MINIMUM_COUNT.max(t + f))
        .collect();
    let recall = tp
        .iter()
        .zip(&fn_)
        .map(|(t, f)| t / MINIMUM_COUNT.max(t + f))
        .collect();
    PrCurveData {
        true_positives: tp,
        false_positives: fp,
        true_negatives: tn,
        false_negatives: fn_,
        precision,
        recall,
    }
}

/// A PR-curve summary from labels and predictions, as PyTorch's `add_pr_curve` writes it;
/// see [`compute_curve`] for the rules and errors. Unlike PyTorch, which silently lowers
/// `num_thresholds` above 127 to 127, any count from 2 up is kept: TensorBoard draws it.
pub fn pr_curve_summary<L: Label, P: Prediction>(
    tag: &str,
    labels: &[L],
    predictions: &[P],
    num_thresholds: usize,
    weights: Option<&[f64]>,
) -> Result<Summary> {
    let data = compute_curve(labels, predictions, num_thresholds, weights)?;
    pr_curve_raw_summary(tag, &data)
}

/// A PR-curve summary from counts computed elsewhere, as PyTorch's `add_pr_curve_raw`; the
/// number of thresholds is the rows' length. Errors when the six rows differ in length or are
/// shorter than 2.
pub fn pr_curve_raw_summary(tag: &str, data: &PrCurveData) -> Result<Summary> {
    let rows = [
        ("true_positives", &data.true_positives),
        ("false_positives", &data.false_positives),
        ("true_negatives", &data.true_negatives),
        ("false_negatives", &data.false_negatives),
        ("precision", &data.precision),
        ("recall", &data.recall),
    ];
    let n = data.true_positives.len();
    for (name, row) in rows {
        if row.len() != n {
            return Err(Error::LengthMismatch {
                what: name.to_string(),
                got: row.len(),
                expected: n,
                per: "threshold (as true_positives has)",
            });
        }
    }
    check_num_thresholds(n).map_err(|_| Error::OutOfRange {
        what: "the thresholds of the rows (their length)".to_string(),
        value: n as f64,
        min: 2.0,
        max: MAX_THRESHOLDS as f64,
    })?;
    let mut float_val = Vec::with_capacity(6 * n);
    for (_, row) in rows {
        float_val.extend(row.iter().map(|&v| v as f32));
    }
    let content = PrCurvePluginData {
        version: 0,
        num_thresholds: n as u32,
    };
    Ok(Summary {
        value: vec![plugin_value(
            tag,
            plugin_names::PR_CURVES,
            prost::Message::encode_to_vec(&content),
            Some(TensorProto {
                dtype: DataType::DtFloat as i32,
                tensor_shape: Some(TensorShapeProto::from_dims(&[6, n as i64])),
                float_val,
                ..Default::default()
            }),
        )],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Uniform numbers in `[0, 1)` from a xorshift generator: the same inputs on every run.
    fn uniform(seed: u64) -> impl FnMut() -> f64 {
        let mut state = seed;
        move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    /// Every float next to a bucket edge `k / 126`, both ends of `[0, 1]`, and a sweep.
    fn edge_predictions() -> Vec<f32> {
        let mut out = vec![0.0, 1.0, f32::MIN_POSITIVE, 1.0 - f32::EPSILON / 2.0];
        for k in 0..=126u32 {
            let edge = k as f32 / 126.0;
            for bits in [
                edge.to_bits().saturating_sub(1),
                edge.to_bits(),
                edge.to_bits() + 1,
            ] {
                let p = f32::from_bits(bits);
                if (0.0..=1.0).contains(&p) {
                    out.push(p);
                }
            }
        }
        out.extend((0..100_000).map(|i| i as f32 / 100_000.0));
        out
    }

    #[test]
    fn vector_bucket_is_the_exact_floor() {
        for n in [2, 3, 127, 200, 1 << 20, MAX_THRESHOLDS] {
            for p in edge_predictions() {
                assert_eq!(
                    Some(p.bucket_unchecked(n) as usize),
                    p.bucket(n),
                    "f32 {p} with {n} thresholds"
                );
                let q = f64::from(p);
                assert_eq!(Some(q.bucket_unchecked(n) as usize), q.bucket(n), "f64 {q}");
            }
        }
    }

    #[test]
    fn too_many_thresholds_is_an_error_naming_the_argument() {
        let err = compute_curve(&[1u8], &[0.5f32], MAX_THRESHOLDS + 1, None).unwrap_err();
        assert!(err.to_string().contains("num_thresholds"), "{err}");
        assert!(compute_curve(&[1u8], &[0.5f32], MAX_THRESHOLDS, None).is_ok());
    }

    #[test]
    fn bad_entries_still_give_a_bucket_in_range() {
        for p in [f32::NAN, -1.0, 2.0, f32::INFINITY, f32::NEG_INFINITY, -0.0] {
            assert!(p.bucket_unchecked(127) <= 126, "{p}");
            assert!(f64::from(p).bucket_unchecked(127) <= 126, "{p}");
        }
    }

    /// Several tasks and numpy blocks, an odd length: the threaded counts and sums equal one
    /// pass in input order.
    #[test]
    fn threaded_counts_equal_one_sequential_pass() {
        let len = 3 * TASK_LEN + 12_345;
        let mut next = uniform(0x9e37_79b9_7f4a_7c15);
        let predictions: Vec<f32> = (0..len).map(|_| next() as f32).collect();
        let labels: Vec<u8> = (0..len).map(|_| u8::from(next() < 0.4)).collect();
        let weights: Vec<f64> = (0..len).map(|_| next() * 3.0).collect();
        let n = 127;
        let (mut tp, mut fp) = (vec![0f64; n], vec![0f64; n]);
        let (mut wtp, mut wfp) = (vec![0f64; n], vec![0f64; n]);
        for start in (0..len).step_by(NUMPY_BLOCK) {
            let (mut btp, mut bfp) = (vec![0f64; n], vec![0f64; n]);
            for i in start..(start + NUMPY_BLOCK).min(len) {
                let b = predictions[i].bucket(n).unwrap();
                let l = f64::from(labels[i]);
                tp[b] += l;
                fp[b] += 1.0 - l;
                btp[b] += l * weights[i];
                bfp[b] += (1.0 - l) * weights[i];
            }
            for b in 0..n {
                wtp[b] += btp[b];
                wfp[b] += bfp[b];
            }
        }
        let got = compute_curve(&labels, &predictions, n, None).unwrap();
        let want = curve_from_buckets(&tp, &fp);
        assert_eq!(got.true_positives, want.true_positives);
        assert_eq!(got.false_positives, want.false_positives);
        let got = compute_curve(&labels, &predictions, n, Some(&weights)).unwrap();
        let want = curve_from_buckets(&wtp, &wfp);
        assert_eq!(got.true_positives, want.true_positives);
        assert_eq!(got.false_positives, want.false_positives);
    }

    /// Every length around the chunk edges, through both the byte slots (up to 128
    /// thresholds) and the wide ones: the counts equal a plain sequential pass.
    #[test]
    fn byte_and_wide_slots_count_every_entry() {
        let mut next = uniform(0x2545_f491_4f6c_dd1d);
        let lengths = [
            1,
            STEP - 1,
            CHUNK - 1,
            CHUNK,
            CHUNK + 1,
            2 * CHUNK + 33,
            TASK_LEN + 5,
        ];
        for n in [2, 127, 128, 129, 1000] {
            for len in lengths {
                let mut predictions: Vec<f32> = (0..len).map(|_| next() as f32).collect();
                // The edges of [0, 1] must land in the first and last bucket.
                predictions[0] = 1.0;
                predictions[len / 2] = 0.0;
                let labels: Vec<bool> = (0..len).map(|_| next() < 0.3).collect();
                let (mut tp, mut fp) = (vec![0f64; n], vec![0f64; n]);
                for (&label, &prediction) in labels.iter().zip(&predictions) {
                    let b = prediction.bucket(n).unwrap();
                    if label {
                        tp[b] += 1.0;
                    } else {
                        fp[b] += 1.0;
                    }
                }
                let got = compute_curve(&labels, &predictions, n, None).unwrap();
                let want = curve_from_buckets(&tp, &fp);
                assert_eq!(got, want, "{n} thresholds, {len} entries");
            }
        }
    }

    #[test]
    fn the_first_bad_entry_is_named_across_tasks() {
        let len = 2 * TASK_LEN + 10;
        let mut predictions = vec![0.5f32; len];
        let mut labels = vec![1u8; len];
        predictions[TASK_LEN + 3] = f32::NAN;
        labels[2 * TASK_LEN + 1] = 2;
        let err = compute_curve(&labels, &predictions, 127, None).unwrap_err();
        assert!(
            err.to_string().contains(&format!("entry {}", TASK_LEN + 3)),
            "{err}"
        );
        let weights = vec![1.0; len];
        let err = compute_curve(&labels, &predictions, 127, Some(&weights)).unwrap_err();
        assert!(
            err.to_string().contains(&format!("entry {}", TASK_LEN + 3)),
            "{err}"
        );
    }
}
