//! Line and bar charts, the plots training users draw most (losses and metrics over steps,
//! per-class scores).

use std::ops::Range;

use plotters::prelude::*;

use super::{palette, Canvas, DrawResult, Figure, FONT};
use crate::{Error, Result};

/// Lines through `(x, y)` points, one colour and legend entry per series.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LineChart {
    title: String,
    x_desc: String,
    y_desc: String,
    series: Vec<(String, Vec<(f64, f64)>)>,
}

/// A padded range around `values`, so lines and bars do not touch the frame.
fn padded(values: impl Iterator<Item = f64>, include_zero: bool) -> Range<f64> {
    let (mut lo, mut hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    if include_zero {
        lo = lo.min(0.0);
        hi = hi.max(0.0);
    }
    if !lo.is_finite() || !hi.is_finite() {
        return 0.0..1.0;
    }
    let pad = if hi > lo {
        (hi - lo) * 0.05
    } else {
        lo.abs().max(1.0) * 0.5
    };
    let lo = if include_zero && lo >= 0.0 {
        lo
    } else {
        lo - pad
    };
    (lo)..(hi + pad)
}

/// A tick label with no float noise: `1000`, not `1000.0`; `0.15`, not `0.15000000000000002`.
fn tick(v: &f64) -> String {
    let s = format!("{v:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.into()
    }
}

impl LineChart {
    /// An empty chart titled `title`.
    #[must_use]
    pub fn new(title: impl Into<String>) -> Self {
        LineChart {
            title: title.into(),
            ..Self::default()
        }
    }

    /// Names the axes.
    #[must_use]
    pub fn axes(mut self, x: impl Into<String>, y: impl Into<String>) -> Self {
        self.x_desc = x.into();
        self.y_desc = y.into();
        self
    }

    /// Adds a series. Errors if it has no points or a point is not finite.
    pub fn series(
        mut self,
        name: impl Into<String>,
        points: impl IntoIterator<Item = (f64, f64)>,
    ) -> Result<Self> {
        let name = name.into();
        let points: Vec<(f64, f64)> = points.into_iter().collect();
        if points.is_empty() {
            return Err(Error::invalid(
                "points",
                format!("series `{name}` has no points"),
            ));
        }
        if let Some(i) = points
            .iter()
            .position(|(x, y)| !x.is_finite() || !y.is_finite())
        {
            return Err(Error::invalid(
                "points",
                format!(
                    "point {i} of series `{name}` is {:?}; points must be finite",
                    points[i]
                ),
            ));
        }
        self.series.push((name, points));
        Ok(self)
    }
}

impl Figure for LineChart {
    fn draw(&self, canvas: &Canvas<'_>) -> DrawResult {
        let all = || self.series.iter().flat_map(|(_, p)| p.iter());
        let xs = padded(all().map(|p| p.0), false);
        let ys = padded(all().map(|p| p.1), false);
        let mut chart = ChartBuilder::on(canvas)
            .caption(&self.title, (FONT, 22))
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(64)
            .build_cartesian_2d(xs, ys)?;
        chart
            .configure_mesh()
            .x_label_formatter(&tick)
            .y_label_formatter(&tick)
            .x_desc(&self.x_desc)
            .y_desc(&self.y_desc)
            .label_style((FONT, 14))
            .axis_desc_style((FONT, 16))
            .light_line_style(RGBColor(246, 246, 246))
            .draw()?;
        for (i, (name, points)) in self.series.iter().enumerate() {
            let colour = palette::cycle(i);
            chart
                .draw_series(LineSeries::new(
                    points.iter().copied(),
                    colour.stroke_width(2),
                ))?
                .label(name)
                .legend(move |(x, y)| {
                    PathElement::new([(x, y), (x + 20, y)], colour.stroke_width(2))
                });
        }
        if self.series.len() > 1 || self.series.iter().any(|(n, _)| !n.is_empty()) {
            chart
                .configure_series_labels()
                .label_font((FONT, 14))
                .background_style(WHITE.mix(0.85))
                .border_style(RGBColor(180, 180, 180))
                .position(SeriesLabelPosition::UpperRight)
                .draw()?;
        }
        Ok(())
    }
}

/// One bar per label, e.g. per-class accuracy.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BarChart {
    title: String,
    y_desc: String,
    bars: Vec<(String, f64)>,
}

impl BarChart {
    /// Bars titled `title`, with a value per label. Errors if the counts differ, there are no
    /// bars, or a value is not finite.
    pub fn new<S: Into<String>>(
        title: impl Into<String>,
        labels: impl IntoIterator<Item = S>,
        values: &[f64],
    ) -> Result<Self> {
        let labels: Vec<String> = labels.into_iter().map(Into::into).collect();
        if labels.len() != values.len() || labels.is_empty() {
            return Err(Error::invalid(
                "values",
                format!(
                    "{} labels and {} values; give at least one bar and one value per label",
                    labels.len(),
                    values.len()
                ),
            ));
        }
        if let Some(i) = values.iter().position(|v| !v.is_finite()) {
            return Err(Error::invalid(
                "values",
                format!(
                    "value {i} (`{}`) is {}; bars must be finite",
                    labels[i], values[i]
                ),
            ));
        }
        Ok(BarChart {
            title: title.into(),
            y_desc: String::new(),
            bars: labels.into_iter().zip(values.iter().copied()).collect(),
        })
    }

    /// Names the value axis.
    #[must_use]
    pub fn y_desc(mut self, y: impl Into<String>) -> Self {
        self.y_desc = y.into();
        self
    }
}

impl Figure for BarChart {
    fn draw(&self, canvas: &Canvas<'_>) -> DrawResult {
        let n = i32::try_from(self.bars.len())?;
        let ys = padded(self.bars.iter().map(|b| b.1), true);
        let mut chart = ChartBuilder::on(canvas)
            .caption(&self.title, (FONT, 22))
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(64)
            .build_cartesian_2d((0..n - 1).into_segmented(), ys)?;
        let label_of = |v: &SegmentValue<i32>| match v {
            SegmentValue::CenterOf(i) | SegmentValue::Exact(i) => usize::try_from(*i)
                .ok()
                .and_then(|i| self.bars.get(i))
                .map(|b| b.0.clone())
                .unwrap_or_default(),
            SegmentValue::Last => String::new(),
        };
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(self.bars.len())
            .x_label_formatter(&label_of)
            .y_label_formatter(&tick)
            .y_desc(&self.y_desc)
            .label_style((FONT, 14))
            .axis_desc_style((FONT, 16))
            .light_line_style(RGBColor(246, 246, 246))
            .draw()?;
        chart.draw_series(
            Histogram::vertical(&chart)
                .style(palette::cycle(0).filled())
                .margin(8)
                .data(self.bars.iter().enumerate().map(|(i, b)| (i as i32, b.1))),
        )?;
        Ok(())
    }
}
