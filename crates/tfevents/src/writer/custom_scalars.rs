//! [`SummaryWriter`]'s custom scalars methods: PyTorch's `add_custom_scalars` and
//! tensorboardX's `add_custom_scalars_multilinechart` / `add_custom_scalars_marginchart`.

use super::SummaryWriter;
use crate::error::Result;
use crate::summary::custom_scalar::{custom_scalars_summary, LayoutCategory, LAYOUT_TAG};

impl SummaryWriter {
    /// Logs the CUSTOM SCALARS dashboard's layout, as PyTorch's `add_custom_scalars(layout)`:
    /// categories of multiline charts (tags as regular expressions) and margin charts. Call it
    /// once per run, before or after training; a later call replaces the run's layout. Errors
    /// name the layout's tag, [`LAYOUT_TAG`].
    ///
    /// ```no_run
    /// use tfevents::summary::custom_scalar::LayoutCategory;
    /// # fn main() -> tfevents::Result<()> {
    /// # let writer = tfevents::SummaryWriter::new("runs/cs")?;
    /// writer.add_custom_scalars(&[
    ///     LayoutCategory::new("losses").multiline("train vs test", ["loss/train", "loss/test"]),
    ///     LayoutCategory::new("bands").margin("accuracy", "acc/mean", "acc/low", "acc/high"),
    /// ])?;
    /// # Ok(()) }
    /// ```
    pub fn add_custom_scalars(&self, layout: &[LayoutCategory]) -> Result<()> {
        self.ensure_open()?;
        let summary = custom_scalars_summary(layout).map_err(|e| e.in_tag(LAYOUT_TAG))?;
        self.add_summary(summary, 0)
    }

    /// A layout of one multiline chart `title` in `category`, as tensorboardX's
    /// `add_custom_scalars_multilinechart(tags, category, title)` (its defaults are
    /// `"default"` and `"untitled"`).
    pub fn add_custom_scalars_multilinechart<T: Into<String>>(
        &self,
        tags: impl IntoIterator<Item = T>,
        category: &str,
        title: &str,
    ) -> Result<()> {
        self.add_custom_scalars(&[LayoutCategory::new(category).multiline(title, tags)])
    }

    /// A layout of one margin chart `title` in `category`, as tensorboardX's
    /// `add_custom_scalars_marginchart([value, lower, upper], category, title)`.
    pub fn add_custom_scalars_marginchart(
        &self,
        tags: [&str; 3],
        category: &str,
        title: &str,
    ) -> Result<()> {
        let [value, lower, upper] = tags;
        self.add_custom_scalars(&[LayoutCategory::new(category).margin(title, value, lower, upper)])
    }
}
