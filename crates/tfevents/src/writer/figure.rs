//! [`SummaryWriter::add_figure`].

use super::{Entry, SummaryWriter};
use crate::summary::figure::{render, Figure};
use crate::summary::image::image_summary;
use crate::Result;

impl SummaryWriter {
    /// Logs a figure as an image, as PyTorch's `add_figure(tag, figure, global_step)` does
    /// with a matplotlib figure: the figure is drawn into pixels now (so it may borrow your
    /// data) and shows in the IMAGES dashboard. See [`crate::summary::figure`] for the
    /// helpers (confusion matrix, line and bar charts) and for drawing your own with plotters.
    ///
    /// ```no_run
    /// use tfevents::summary::figure::{BarChart, ConfusionMatrix};
    /// # fn main() -> tfevents::Result<()> {
    /// let writer = tfevents::SummaryWriter::new("runs/figures")?;
    /// let cm = ConfusionMatrix::from_predictions(&[0, 1, 1], &[0, 1, 0], 2)?;
    /// writer.add_figure("eval/confusion", &cm, 100)?;
    /// let acc = BarChart::new("accuracy per class", ["cat", "dog"], &[0.9, 0.7])?;
    /// writer.add_figure("eval/per_class", &acc, 100)?;
    /// # Ok(()) }
    /// ```
    pub fn add_figure<S: TryInto<i64>>(
        &self,
        tag: &str,
        figure: &impl Figure,
        step: S,
    ) -> Result<()> {
        self.log(tag, step, || {
            let img = render(figure)?;
            let tag = tag.to_string();
            Ok(Entry::later(img.data().len(), move || {
                image_summary(&tag, &img)
            }))
        })
    }
}
