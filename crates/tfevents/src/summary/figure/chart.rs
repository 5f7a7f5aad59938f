//! Line and bar charts, the plots training users draw most (losses and metrics over steps,
//! per-class scores).

use std::ops::Range;

use plotters::coord::ranged1d::{Ranged, ValueFormatter};
use plotters::coord::types::RangedCoordf64;
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
    log_y: bool,
}

/// The first point of `series` whose y is not positive, which a log axis cannot show.
fn first_non_positive(series: &[(String, Vec<(f64, f64)>)]) -> Option<(&str, usize, f64)> {
    series.iter().find_map(|(name, points)| {
        points
            .iter()
            .position(|p| p.1 <= 0.0)
            .map(|i| (name.as_str(), i, points[i].1))
    })
}

/// The error for a point a log axis cannot show.
fn not_positive((name, i, y): (&str, usize, f64)) -> Error {
    Error::invalid(
        "points",
        format!(
            "point {i} of series `{name}` has y = {y}; a log axis needs y > 0 \
             (plot the values without `log_y`, or shift them above 0)"
        ),
    )
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

/// A tick label with no float noise: `1000`, not `1000.0`; `0.15`, not `0.15000000000000002`;
/// very small or large magnitudes (a log axis's) as `1e-7`.
fn tick(v: &f64) -> String {
    if *v != 0.0 && !(1e-4..1e7).contains(&v.abs()) {
        let s = format!("{v:.3e}");
        let (mantissa, exponent) = s.split_once('e').unwrap_or((&s, "0"));
        let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
        return format!("{mantissa}e{exponent}");
    }
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
        if self.log_y {
            if let Some(bad) = first_non_positive(&self.series) {
                return Err(not_positive(bad));
            }
        }
        Ok(self)
    }

    /// A logarithmic y axis, for losses that fall over orders of magnitude (matplotlib's
    /// `set_yscale("log")`). Errors if a point already added has `y <= 0`, as `series` does
    /// for points added after.
    pub fn log_y(mut self) -> Result<Self> {
        if let Some(bad) = first_non_positive(&self.series) {
            return Err(not_positive(bad));
        }
        self.log_y = true;
        Ok(self)
    }

    /// Draws the axes, lines and legend on a chart whose y axis is `Y` (linear or log).
    fn draw_on<'a, Y>(
        &self,
        mut chart: ChartContext<'a, BitMapBackend<'a>, Cartesian2d<RangedCoordf64, Y>>,
    ) -> DrawResult
    where
        Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
    {
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

/// A range around positive `values` padded by a constant factor, so that on a log axis the
/// lines keep the same distance from the frame at the top and the bottom.
fn padded_log(values: impl Iterator<Item = f64>) -> Range<f64> {
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    if !(lo.is_finite() && hi.is_finite() && lo > 0.0) {
        return 0.1..10.0;
    }
    let factor = if hi > lo { (hi / lo).powf(0.05) } else { 2.0 };
    (lo / factor)..(hi * factor)
}

impl Figure for LineChart {
    fn draw(&self, canvas: &Canvas<'_>) -> DrawResult {
        let all = || self.series.iter().flat_map(|(_, p)| p.iter());
        let xs = padded(all().map(|p| p.0), false);
        let mut builder = ChartBuilder::on(canvas);
        builder
            .caption(&self.title, (FONT, 22))
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(64);
        if self.log_y {
            let ys = padded_log(all().map(|p| p.1));
            self.draw_on(builder.build_cartesian_2d(xs, ys.log_scale())?)
        } else {
            let ys = padded(all().map(|p| p.1), false);
            self.draw_on(builder.build_cartesian_2d(xs, ys)?)
        }
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
        // A lone bar gets an empty slot on each side: a one-segment axis would stretch it over
        // the whole plot and put its label off-centre.
        let slots = if n == 1 { -1..1 } else { 0..n - 1 };
        let ys = padded(self.bars.iter().map(|b| b.1), true);
        let mut chart = ChartBuilder::on(canvas)
            .caption(&self.title, (FONT, 22))
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(64)
            .build_cartesian_2d(slots.clone().into_segmented(), ys)?;
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
            .x_labels(usize::try_from(slots.end - slots.start + 1)?)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summary::figure::render;

    /// The first and last column of row `y` whose pixel is `colour`.
    fn columns_of(
        img: &crate::summary::image::ImageU8,
        y: usize,
        colour: RGBColor,
    ) -> (usize, usize) {
        let w = img.width();
        let row = &img.data()[y * w * 3..(y + 1) * w * 3];
        let hits: Vec<usize> = (0..w)
            .filter(|&x| row[x * 3..x * 3 + 3] == [colour.0, colour.1, colour.2])
            .collect();
        (hits[0], hits[hits.len() - 1])
    }

    #[test]
    fn ticks_have_no_float_noise() {
        assert_eq!(tick(&1000.0), "1000");
        assert_eq!(tick(&(0.1 + 0.05)), "0.15");
        assert_eq!(tick(&-0.0), "0");
        assert_eq!(tick(&1e-7), "1e-7");
        assert_eq!(tick(&2.5e8), "2.5e8");
    }

    #[test]
    fn a_single_bar_is_centred_under_its_label() {
        let colour = palette::cycle(0);
        let img = render(&BarChart::new("t", ["only"], &[1.0]).unwrap()).unwrap();
        // Low in the plot, where the bar is drawn and no text is.
        let (left, right) = columns_of(&img, 400, colour);
        let bar_centre = (left + right) / 2;
        // The plot area spans from the y-label area (12 + 64 px) to the right margin.
        let plot_centre = (12 + 64 + (640 - 12)) / 2;
        assert!(
            bar_centre.abs_diff(plot_centre) <= 6,
            "the bar is centred at x = {bar_centre}, the plot at {plot_centre}"
        );
        assert!(
            right - left < (640 - 12 - 76) / 2,
            "one bar {} px wide fills the plot",
            right - left
        );
        // The label's dark pixels, in the x-label area under the plot.
        let w = img.width();
        let dark: Vec<usize> = (img.height() - 50..img.height())
            .flat_map(|y| (0..w).map(move |x| (x, y)))
            .filter(|&(x, y)| img.data()[(y * w + x) * 3] < 100)
            .map(|(x, _)| x)
            .collect();
        let label_centre = (dark.iter().min().unwrap() + dark.iter().max().unwrap()) / 2;
        assert!(
            label_centre.abs_diff(bar_centre) <= 6,
            "the label is centred at x = {label_centre}, its bar at {bar_centre}"
        );
    }

    #[test]
    fn log_axis_rejects_points_it_cannot_show() {
        let chart = LineChart::new("loss")
            .series("train", [(0.0, 1.0), (1.0, 0.0)])
            .unwrap();
        let err = chart.log_y().unwrap_err();
        assert!(
            err.to_string()
                .contains("point 1 of series `train` has y = 0"),
            "{err}"
        );
        let err = LineChart::new("loss")
            .log_y()
            .unwrap()
            .series("train", [(0.0, -2.0)])
            .unwrap_err();
        assert!(err.to_string().contains("log axis needs y > 0"), "{err}");
    }

    #[test]
    fn log_axis_spaces_decades_evenly() {
        // 1, 10, 100 at x = 0, 1, 2 lie on one straight line on a log axis: the pixel of the
        // middle point is halfway between the others in both directions.
        let colour = palette::cycle(0);
        let chart = LineChart::new("")
            .log_y()
            .unwrap()
            .series("", [(0.0, 1.0), (1.0, 10.0), (2.0, 100.0)])
            .unwrap();
        let img = render(&chart).unwrap();
        let w = img.width();
        let rows_with_line: Vec<usize> = (0..img.height())
            .filter(|&y| {
                img.data()[y * w * 3..(y + 1) * w * 3]
                    .chunks(3)
                    .any(|p| p == [colour.0, colour.1, colour.2])
            })
            .collect();
        let (top, bottom) = (rows_with_line[0], rows_with_line[rows_with_line.len() - 1]);
        // A straight line covers its rows evenly: the row at mid-height is drawn at mid-width.
        let mid = (top + bottom) / 2;
        let (l, r) = columns_of(&img, mid, colour);
        let (l0, _) = columns_of(&img, bottom, colour);
        let (_, r1) = columns_of(&img, top, colour);
        let centre = (l + r) / 2;
        assert!(
            centre.abs_diff((l0 + r1) / 2) <= 4,
            "mid-height column {centre}, ends {l0} and {r1}: the line is not straight on a log axis"
        );
    }
}
