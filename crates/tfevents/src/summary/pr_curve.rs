//! The PR curves plugin: precision/recall at evenly spaced thresholds.
//!
//! [`pr_curve_summary`] computes the curve exactly as PyTorch's
//! `torch.utils.tensorboard.summary.compute_curve` (and tensorboardX's) does: prediction `p`
//! falls in bucket `floor(p * (num_thresholds - 1))`, computed in the predictions' own
//! precision as numpy does; the weighted true/false positive counts per bucket are summed in
//! `f64` in numpy's order (blocks of 65,536 values); the counts at threshold `i` are the
//! reverse cumulative sums from bucket `i`; precision and recall divide by at least `1e-7`.
//! The tensor is `[6, num_thresholds]` float32: TP, FP, TN, FN, precision, recall.

use crate::error::{Error, Result};
use crate::proto::pr_curve::PrCurvePluginData;
use crate::proto::{
    summary, summary_metadata::PluginData, DataType, Summary, SummaryMetadata, TensorProto,
    TensorShapeProto,
};

/// PyTorch's default number of thresholds.
pub const DEFAULT_NUM_THRESHOLDS: usize = 127;

/// numpy's `histogram` adds weights in blocks of this many values.
const NUMPY_BLOCK: usize = 65_536;

/// PyTorch's `_MINIMUM_COUNT`: the smallest denominator of precision and recall.
const MINIMUM_COUNT: f64 = 1e-7;

/// A prediction in `[0, 1]`, `f32` or `f64`: the bucket index is computed in its own
/// precision, as numpy multiplies a float32 array by an integer in float32.
pub trait Prediction: Copy {
    /// `floor(self * (num_thresholds - 1))`, or `None` when `self` is not in `[0, 1]`.
    fn bucket(self, num_thresholds: usize) -> Option<usize>;
}

impl Prediction for f32 {
    fn bucket(self, num_thresholds: usize) -> Option<usize> {
        if !(0.0..=1.0).contains(&self) {
            return None;
        }
        // Non-negative here, so truncating is numpy's floor (and needs no libm call).
        Some((self * (num_thresholds - 1) as f32) as usize)
    }
}

impl Prediction for f64 {
    fn bucket(self, num_thresholds: usize) -> Option<usize> {
        if !(0.0..=1.0).contains(&self) {
            return None;
        }
        // Non-negative here, so truncating is numpy's floor (and needs no libm call).
        Some((self * (num_thresholds - 1) as f64) as usize)
    }
}

/// A ground-truth label: `bool`, or a number that is 0 or 1.
pub trait Label: Copy {
    /// `1.0` for positive, `0.0` for negative, `None` for anything else.
    fn as_label(self) -> Option<f64>;
}

impl Label for bool {
    fn as_label(self) -> Option<f64> {
        Some(if self { 1.0 } else { 0.0 })
    }
}

macro_rules! numeric_label {
    ($($t:ty),*) => {$(
        impl Label for $t {
            fn as_label(self) -> Option<f64> {
                let v = self as f64;
                (v == 0.0 || v == 1.0).then_some(v)
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
    if num_thresholds < 2 {
        return Err(Error::invalid(
            "num_thresholds",
            format!("is {num_thresholds}; a curve needs at least 2 thresholds (PyTorch's default is 127)"),
        ));
    }
    if num_thresholds > u32::MAX as usize {
        return Err(Error::invalid("num_thresholds", "does not fit in 32 bits"));
    }
    Ok(())
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
        return Err(Error::invalid(
            "labels",
            format!(
                "has {} entries but predictions has {}; give one label per prediction",
                labels.len(),
                predictions.len()
            ),
        ));
    }
    if let Some(w) = weights {
        if w.len() != predictions.len() {
            return Err(Error::invalid(
                "weights",
                format!(
                    "has {} entries but predictions has {}; give one weight per prediction",
                    w.len(),
                    predictions.len()
                ),
            ));
        }
    }
    if weights.is_none() {
        return count_unweighted(labels, predictions, num_thresholds);
    }
    let mut tp_buckets = vec![0f64; num_thresholds];
    let mut fp_buckets = vec![0f64; num_thresholds];
    let mut block_tp = vec![0f64; num_thresholds];
    let mut block_fp = vec![0f64; num_thresholds];
    for start in (0..predictions.len()).step_by(NUMPY_BLOCK) {
        let end = (start + NUMPY_BLOCK).min(predictions.len());
        block_tp.iter_mut().for_each(|v| *v = 0.0);
        block_fp.iter_mut().for_each(|v| *v = 0.0);
        for i in start..end {
            let Some(label) = labels[i].as_label() else {
                return Err(Error::invalid(
                    "labels",
                    format!(
                        "entry {i} is not 0 or 1 (false or true); PR curves need binary labels"
                    ),
                ));
            };
            let Some(bucket) = predictions[i].bucket(num_thresholds) else {
                return Err(Error::invalid(
                    "predictions",
                    format!("entry {i} is outside [0, 1] or NaN; pass probabilities (apply a sigmoid or softmax first)"),
                ));
            };
            let weight = match weights {
                Some(w) => {
                    let w = w[i];
                    if !(w.is_finite() && w >= 0.0) {
                        return Err(Error::invalid(
                            "weights",
                            format!("entry {i} is {w}; weights must be finite and >= 0"),
                        ));
                    }
                    w
                }
                None => 1.0,
            };
            block_tp[bucket] += label * weight;
            block_fp[bucket] += (1.0 - label) * weight;
        }
        for (total, block) in tp_buckets.iter_mut().zip(&block_tp) {
            *total += block;
        }
        for (total, block) in fp_buckets.iter_mut().zip(&block_fp) {
            *total += block;
        }
    }
    Ok(curve_from_buckets(&tp_buckets, &fp_buckets))
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

/// Without weights every weight is 1, so numpy's `f64` sums are exact integers (below 2^53):
/// counting in integers gives the same numbers, faster.
fn count_unweighted<L: Label, P: Prediction>(
    labels: &[L],
    predictions: &[P],
    num_thresholds: usize,
) -> Result<PrCurveData> {
    let mut positives = vec![0u64; num_thresholds];
    let mut totals = vec![0u64; num_thresholds];
    for (i, (label, prediction)) in labels.iter().zip(predictions).enumerate() {
        let label = label.as_label().ok_or_else(|| bad_label(i))?;
        let bucket = prediction
            .bucket(num_thresholds)
            .ok_or_else(|| bad_prediction(i))?;
        positives[bucket] += label as u64;
        totals[bucket] += 1;
    }
    let tp: Vec<f64> = positives.iter().map(|&c| c as f64).collect();
    let fp: Vec<f64> = positives
        .iter()
        .zip(&totals)
        .map(|(&p, &t)| (t - p) as f64)
        .collect();
    Ok(curve_from_buckets(&tp, &fp))
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
            return Err(Error::invalid(
                name,
                format!("has {} entries but true_positives has {n}; every row needs one entry per threshold", row.len()),
            ));
        }
    }
    check_num_thresholds(n).map_err(|_| {
        Error::invalid(
            "true_positives",
            format!("has {n} entries; a curve needs at least 2 thresholds"),
        )
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
        value: vec![summary::Value {
            tag: tag.to_string(),
            metadata: Some(SummaryMetadata {
                plugin_data: Some(PluginData {
                    plugin_name: "pr_curves".into(),
                    content: prost::Message::encode_to_vec(&content),
                }),
                ..Default::default()
            }),
            value: Some(summary::value::Value::Tensor(TensorProto {
                dtype: DataType::DtFloat as i32,
                tensor_shape: Some(TensorShapeProto::from_dims(&[6, n as i64])),
                float_val,
                ..Default::default()
            })),
            ..Default::default()
        }],
    })
}
