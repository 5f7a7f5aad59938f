//! A confusion matrix as a heat map: rows are the true classes, columns the predicted ones
//! (scikit-learn's convention), each cell coloured by its share of the row and labelled with
//! its count or share.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{palette, Canvas, DrawResult, Figure, FONT};
use crate::{Error, Result};

/// The most classes a confusion matrix takes: past this the cells are too small to read.
pub const MAX_CLASSES: usize = 100;

/// A confusion matrix figure. Build it from labels with
/// [`from_predictions`](Self::from_predictions) or from counts with
/// [`from_counts`](Self::from_counts).
#[derive(Clone, Debug, PartialEq)]
pub struct ConfusionMatrix {
    classes: usize,
    counts: Vec<u64>,
    names: Vec<String>,
    normalize: bool,
    title: String,
}

/// The sum of `counts` without wrapping: at most [`MAX_CLASSES`]² counts below 2^64 each, far
/// below 2^128.
fn wide_sum(counts: impl Iterator<Item = u64>) -> u128 {
    counts.map(u128::from).sum()
}

fn check_classes(classes: usize) -> Result<()> {
    if classes == 0 || classes > MAX_CLASSES {
        return Err(Error::OutOfRange {
            what: "num_classes of a confusion matrix".to_string(),
            value: classes as f64,
            min: 1.0,
            max: MAX_CLASSES as f64,
        });
    }
    Ok(())
}

impl ConfusionMatrix {
    /// Counts each `(truth[i], predicted[i])` pair. Errors if the slices differ in length, a
    /// label is `>= num_classes`, or `num_classes` is 0 or over [`MAX_CLASSES`].
    pub fn from_predictions(
        truth: &[usize],
        predicted: &[usize],
        num_classes: usize,
    ) -> Result<Self> {
        check_classes(num_classes)?;
        if truth.len() != predicted.len() {
            return Err(Error::LengthMismatch {
                what: "predicted".to_string(),
                got: predicted.len(),
                expected: truth.len(),
                per: "true label",
            });
        }
        let mut counts = vec![0u64; num_classes * num_classes];
        for (i, (&t, &p)) in truth.iter().zip(predicted).enumerate() {
            if t >= num_classes || p >= num_classes {
                let (which, label) = if t >= num_classes {
                    ("truth", t)
                } else {
                    ("predicted", p)
                };
                return Err(Error::OutOfRange {
                    what: format!("{which} label {i} (a class below num_classes)"),
                    value: label as f64,
                    min: 0.0,
                    max: (num_classes - 1) as f64,
                });
            }
            counts[t * num_classes + p] += 1;
        }
        Self::from_counts(num_classes, counts)
    }

    /// A matrix of counts, row-major: `counts[t * num_classes + p]` examples of class `t`
    /// predicted as `p`. Errors if `counts` is not `num_classes * num_classes` long.
    pub fn from_counts(num_classes: usize, counts: Vec<u64>) -> Result<Self> {
        check_classes(num_classes)?;
        if counts.len() != num_classes * num_classes {
            return Err(Error::LengthMismatch {
                what: "counts".to_string(),
                got: counts.len(),
                expected: num_classes * num_classes,
                per: "(true, predicted) pair of classes",
            });
        }
        Ok(ConfusionMatrix {
            classes: num_classes,
            counts,
            names: (0..num_classes).map(|i| i.to_string()).collect(),
            normalize: false,
            title: "confusion matrix".into(),
        })
    }

    /// Names the classes on the axes (default: `0`, `1`, ...). Errors unless there is one per
    /// class.
    pub fn class_names<S: Into<String>>(
        mut self,
        names: impl IntoIterator<Item = S>,
    ) -> Result<Self> {
        let names: Vec<String> = names.into_iter().map(Into::into).collect();
        if names.len() != self.classes {
            return Err(Error::LengthMismatch {
                what: "class_names".to_string(),
                got: names.len(),
                expected: self.classes,
                per: "class",
            });
        }
        self.names = names;
        Ok(self)
    }

    /// Labels cells with their share of the row (recall per class) instead of counts.
    #[must_use]
    pub fn normalize(mut self, normalize: bool) -> Self {
        self.normalize = normalize;
        self
    }

    /// The figure's title (default "confusion matrix").
    #[must_use]
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = title.into();
        self
    }

    /// The count of class `truth` predicted as `predicted`, if both are classes.
    #[must_use]
    pub fn count(&self, truth: usize, predicted: usize) -> Option<u64> {
        if truth >= self.classes || predicted >= self.classes {
            return None;
        }
        self.counts.get(truth * self.classes + predicted).copied()
    }

    /// The share of all examples on the diagonal, or `None` with no examples.
    #[must_use]
    ///
    /// Sums are taken in 128 bits, so counts near `u64::MAX` give the right share rather than
    /// a wrapped one.
    pub fn accuracy(&self) -> Option<f64> {
        let total = wide_sum(self.counts.iter().copied());
        let right = wide_sum((0..self.classes).filter_map(|i| self.count(i, i)));
        (total > 0).then(|| right as f64 / total as f64)
    }

    fn row_share(&self, truth: usize, predicted: usize) -> f64 {
        let row = (0..self.classes).filter_map(|p| self.count(truth, p));
        let total = wide_sum(row);
        match self.count(truth, predicted) {
            Some(count) if total > 0 => count as f64 / total as f64,
            _ => 0.0,
        }
    }
}

impl Figure for ConfusionMatrix {
    fn size(&self) -> (u32, u32) {
        (640, 560)
    }

    fn draw(&self, canvas: &Canvas<'_>) -> DrawResult {
        let n = self.classes as i32;
        let mut chart = ChartBuilder::on(canvas)
            .caption(&self.title, (FONT, 22))
            .margin(12)
            .x_label_area_size(48)
            .y_label_area_size(72)
            .build_cartesian_2d((0..n - 1).into_segmented(), (0..n - 1).into_segmented())?;
        let name_of = |v: &SegmentValue<i32>, flip: bool| match v {
            SegmentValue::CenterOf(i) | SegmentValue::Exact(i) => {
                let i = if flip { n - 1 - *i } else { *i };
                usize::try_from(i)
                    .ok()
                    .and_then(|i| self.names.get(i))
                    .cloned()
                    .unwrap_or_default()
            }
            SegmentValue::Last => String::new(),
        };
        let x_names = |v: &SegmentValue<i32>| name_of(v, false);
        let y_names = |v: &SegmentValue<i32>| name_of(v, true);
        chart
            .configure_mesh()
            .disable_mesh()
            .x_labels(self.classes)
            .y_labels(self.classes)
            .x_label_formatter(&x_names)
            .y_label_formatter(&y_names)
            .x_desc("predicted")
            .y_desc("true")
            .label_style((FONT, 15))
            .axis_desc_style((FONT, 17))
            .draw()?;
        let plot_px = canvas.dim_in_pixel().0.saturating_sub(100) as f64;
        let font_px = (plot_px / f64::from(n) / 3.2).clamp(6.0, 18.0);
        for t in 0..self.classes {
            for p in 0..self.classes {
                let share = self.row_share(t, p);
                let (x, y) = (p as i32, n - 1 - t as i32);
                chart.draw_series(std::iter::once(Rectangle::new(
                    [
                        (SegmentValue::Exact(x), SegmentValue::Exact(y)),
                        (SegmentValue::Exact(x + 1), SegmentValue::Exact(y + 1)),
                    ],
                    palette::blues(share).filled(),
                )))?;
                let label = if self.normalize {
                    format!("{share:.2}")
                } else {
                    self.count(t, p).unwrap_or_default().to_string()
                };
                let ink = if share > 0.5 { WHITE } else { BLACK };
                let style = TextStyle::from((FONT, font_px).into_font())
                    .color(&ink)
                    .pos(Pos::new(HPos::Center, VPos::Center));
                chart.draw_series(std::iter::once(Text::new(
                    label,
                    (SegmentValue::CenterOf(x), SegmentValue::CenterOf(y)),
                    style,
                )))?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_near_u64_max_do_not_wrap() {
        let big = u64::MAX - 1;
        let cm = ConfusionMatrix::from_counts(2, vec![big, 1, 1, big]).unwrap();
        let accuracy = cm.accuracy().unwrap();
        assert!(accuracy > 0.999_999, "accuracy {accuracy}");
        assert!(cm.row_share(0, 0) > 0.999_999);
        assert!(cm.row_share(1, 0) < 1e-6);
        let all_max = ConfusionMatrix::from_counts(3, vec![u64::MAX; 9]).unwrap();
        let third = all_max.accuracy().unwrap();
        assert!((third - 1.0 / 3.0).abs() < 1e-12, "{third}");
        assert!(crate::summary::figure::render(&all_max).is_ok());
    }
}
