//! [`SummaryWriter`]'s PR-curve methods: PyTorch's `add_pr_curve` and `add_pr_curve_raw`.

use super::{Entry, SummaryWriter};
use crate::error::Result;
use crate::summary::pr_curve::{
    pr_curve_raw_summary, pr_curve_summary, Label, PrCurveData, Prediction, DEFAULT_NUM_THRESHOLDS,
};

impl SummaryWriter {
    /// Logs a precision-recall curve, as PyTorch's `add_pr_curve(tag, labels, predictions,
    /// global_step)` with its default 127 thresholds: labels 0/1 (or `bool`), predictions
    /// (probabilities in `[0, 1]`, `f32` or `f64`) of the same length. Computed exactly as
    /// PyTorch computes it, see [`crate::summary::pr_curve`].
    ///
    /// ```no_run
    /// # fn main() -> tfevents::Result<()> {
    /// # let writer = tfevents::SummaryWriter::new("runs/pr")?;
    /// writer.add_pr_curve("pr/cat", &[1u8, 0, 1, 1], &[0.9f32, 0.4, 0.6, 0.2], 0)?;
    /// # Ok(()) }
    /// ```
    pub fn add_pr_curve<L: Label, P: Prediction, S: TryInto<i64>>(
        &self,
        tag: &str,
        labels: &[L],
        predictions: &[P],
        step: S,
    ) -> Result<()> {
        self.add_pr_curve_with(tag, labels, predictions, step, DEFAULT_NUM_THRESHOLDS, None)
    }

    /// [`add_pr_curve`](Self::add_pr_curve) with PyTorch's `num_thresholds` and `weights`
    /// (one non-negative weight per prediction).
    pub fn add_pr_curve_with<L: Label, P: Prediction, S: TryInto<i64>>(
        &self,
        tag: &str,
        labels: &[L],
        predictions: &[P],
        step: S,
        num_thresholds: usize,
        weights: Option<&[f64]>,
    ) -> Result<()> {
        self.log(tag, step, || {
            Ok(Entry::Now(pr_curve_summary(
                tag,
                labels,
                predictions,
                num_thresholds,
                weights,
            )?))
        })
    }

    /// Logs a PR curve from counts computed elsewhere, as PyTorch's `add_pr_curve_raw`; the
    /// number of thresholds is the rows' length.
    pub fn add_pr_curve_raw<S: TryInto<i64>>(
        &self,
        tag: &str,
        data: &PrCurveData,
        step: S,
    ) -> Result<()> {
        self.log(tag, step, || {
            Ok(Entry::Now(pr_curve_raw_summary(tag, data)?))
        })
    }
}
