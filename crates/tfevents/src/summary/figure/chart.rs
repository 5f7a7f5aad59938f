//! Line and bar charts, the plots training users draw most (losses and metrics over steps,
//! per-class scores).

use std::ops::Range;

use plotters::coord::ranged1d::{Ranged, ValueFormatter};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use super::{palette, Canvas, DrawResult, Figure, FONT};
use crate::{Error, Result};

/// The largest magnitude a charted value may have: values up to ±1e300 keep every axis
/// computation (the span, the padding, the tick steps) finite, where ±1e308 would overflow
/// to infinity and leave no axis to draw. Larger values are [`Error::OutOfRange`].
pub const MAX_CHART_MAGNITUDE: f64 = 1e300;

/// The smallest positive value a log axis takes: from 1e-300 up, the axis's padded ends stay
/// normal floats. Smaller values are [`Error::OutOfRange`].
pub const MIN_LOG_VALUE: f64 = 1e-300;

/// The most decades a log axis spans (e.g. 1e-30 to 1e30 is 60): beyond that the ticks
/// cannot be told apart and the axis gives no reading. A wider range is
/// [`Error::OutOfRange`]; plot the logarithm on a linear axis instead.
pub const MAX_LOG_DECADES: f64 = 60.0;

/// A linear axis narrower than this share of its largest magnitude (and any axis narrower
/// than [`MIN_CHART_SPAN`]) is drawn as if its values were all equal: a band of ±half the
/// magnitude (at least ±0.5) around them. Ticks could not tell the values apart anyway.
pub const MIN_RELATIVE_SPAN: f64 = 1e-9;

/// The narrowest linear axis drawn as a range, see [`MIN_RELATIVE_SPAN`].
pub const MIN_CHART_SPAN: f64 = 1e-200;

/// The most series a [`LineChart`] takes: each is a legend entry and a colour.
pub const MAX_SERIES: usize = 256;

/// The most bars a [`BarChart`] takes: each bar has its own label.
pub const MAX_BARS: usize = 1000;

/// Lines through `(x, y)` points, one colour and legend entry per series.
///
/// Any finite input either draws in time linear in the points, or is refused when added:
/// values beyond ±[`MAX_CHART_MAGNITUDE`], more than [`MAX_SERIES`] series, and on a log axis
/// values below [`MIN_LOG_VALUE`] or spanning more than [`MAX_LOG_DECADES`]. Ranges too
/// narrow to read are widened (see [`MIN_RELATIVE_SPAN`]).
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

/// Checks that a log axis can show every y of `series`: positive (else the error of
/// [`not_positive`]), at least [`MIN_LOG_VALUE`], spanning at most [`MAX_LOG_DECADES`].
fn check_log_axis(series: &[(String, Vec<(f64, f64)>)]) -> Result<()> {
    if let Some(bad) = first_non_positive(series) {
        return Err(not_positive(bad));
    }
    for (name, points) in series {
        if let Some((i, &(_, y))) = points.iter().enumerate().find(|(_, p)| p.1 < MIN_LOG_VALUE) {
            return Err(Error::OutOfRange {
                what: format!("y of point {i} of series `{name}` on a log axis"),
                value: y,
                min: MIN_LOG_VALUE,
                max: MAX_CHART_MAGNITUDE,
            });
        }
    }
    if let Some((lo, hi)) = extent(series.iter().flat_map(|(_, p)| p.iter().map(|p| p.1))) {
        let decades = hi.log10() - lo.log10();
        if decades > MAX_LOG_DECADES {
            return Err(Error::OutOfRange {
                what: format!("the decades a log axis from {lo} to {hi} spans"),
                value: decades,
                min: 0.0,
                max: MAX_LOG_DECADES,
            });
        }
    }
    Ok(())
}

/// The error for a point a log axis cannot show.
fn not_positive((name, i, y): (&str, usize, f64)) -> Error {
    Error::BadNumber {
        what: format!("y of point {i} of series `{name}`"),
        value: y,
        must: "> 0 on a log axis (plot without `log_y`, or shift the values above 0)",
    }
}

/// The error for a value no axis can draw.
fn beyond_magnitude(what: String, value: f64) -> Error {
    Error::OutOfRange {
        what,
        value,
        min: -MAX_CHART_MAGNITUDE,
        max: MAX_CHART_MAGNITUDE,
    }
}

/// The smallest and largest of `values`, or `None` if there are none or one is not finite.
fn extent(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    (lo.is_finite() && hi.is_finite()).then_some((lo, hi))
}

/// A padded range around `values`, so lines and bars do not touch the frame. Always a finite
/// range of positive width; values beyond [`MAX_CHART_MAGNITUDE`] are refused before this.
fn padded(values: impl Iterator<Item = f64>, include_zero: bool) -> Range<f64> {
    let Some((mut lo, mut hi)) = extent(values) else {
        return 0.0..1.0;
    };
    if include_zero {
        lo = lo.min(0.0);
        hi = hi.max(0.0);
    }
    let magnitude = lo.abs().max(hi.abs());
    let span = hi - lo;
    if !(span >= MIN_CHART_SPAN && span >= magnitude * MIN_RELATIVE_SPAN) {
        // Equal values, or too close to tell apart: a band around their middle.
        let middle = lo / 2.0 + hi / 2.0;
        let pad = middle.abs().max(1.0) * 0.5;
        return if include_zero && middle >= 0.0 && middle - pad < 0.0 {
            0.0..middle + pad
        } else {
            (middle - pad)..(middle + pad)
        };
    }
    let pad = span * 0.05;
    let lo = if include_zero && lo >= 0.0 {
        lo
    } else {
        lo - pad
    };
    lo..(hi + pad)
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

    /// Adds a series. Errors if it has no points, a point is not finite or beyond
    /// ±[`MAX_CHART_MAGNITUDE`], the chart would have more than [`MAX_SERIES`] series, or, on
    /// a log axis, the axis cannot show a y (see [`log_y`](Self::log_y)).
    pub fn series(
        mut self,
        name: impl Into<String>,
        points: impl IntoIterator<Item = (f64, f64)>,
    ) -> Result<Self> {
        let name = name.into();
        let points: Vec<(f64, f64)> = points.into_iter().collect();
        if points.is_empty() {
            return Err(Error::Empty {
                what: format!("series `{name}`"),
            });
        }
        if let Some(i) = points
            .iter()
            .position(|(x, y)| !x.is_finite() || !y.is_finite())
        {
            let (x, y) = points[i];
            return Err(Error::BadNumber {
                what: format!("point {i} ({x}, {y}) of series `{name}`"),
                value: if x.is_finite() { y } else { x },
                must: "finite",
            });
        }
        if let Some((i, &(x, y))) = points
            .iter()
            .enumerate()
            .find(|(_, (x, y))| x.abs() > MAX_CHART_MAGNITUDE || y.abs() > MAX_CHART_MAGNITUDE)
        {
            let (axis, value) = if x.abs() > MAX_CHART_MAGNITUDE {
                ("x", x)
            } else {
                ("y", y)
            };
            return Err(beyond_magnitude(
                format!("{axis} of point {i} of series `{name}`"),
                value,
            ));
        }
        if self.series.len() >= MAX_SERIES {
            return Err(Error::TooMany {
                what: "series in a line chart",
                count: self.series.len() + 1,
                limit: MAX_SERIES,
            });
        }
        self.series.push((name, points));
        if self.log_y {
            check_log_axis(&self.series)?;
        }
        Ok(self)
    }

    /// A logarithmic y axis, for losses that fall over orders of magnitude (matplotlib's
    /// `set_yscale("log")`). Errors if a point already added has `y <= 0` or `y` below
    /// [`MIN_LOG_VALUE`], or the y values span more than [`MAX_LOG_DECADES`], as `series` does
    /// for points added after.
    pub fn log_y(mut self) -> Result<Self> {
        check_log_axis(&self.series)?;
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
/// lines keep the same distance from the frame at the top and the bottom. Computed on the
/// logarithms, so that no ratio overflows; [`check_log_axis`] bounds the values first, and
/// anything else falls back to 0.1..10.
fn padded_log(values: impl Iterator<Item = f64>) -> Range<f64> {
    let fallback = 0.1..10.0;
    let Some((lo, hi)) = extent(values) else {
        return fallback;
    };
    if !(lo >= MIN_LOG_VALUE && hi <= MAX_CHART_MAGNITUDE) {
        return fallback;
    }
    let (log_lo, log_hi) = (lo.log10(), hi.log10());
    if log_hi - log_lo > MAX_LOG_DECADES {
        return fallback;
    }
    let pad = if hi > lo {
        (log_hi - log_lo) * 0.05
    } else {
        2f64.log10()
    };
    10f64.powf(log_lo - pad)..10f64.powf(log_hi + pad)
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
    /// bars or more than [`MAX_BARS`], or a value is not finite or beyond
    /// ±[`MAX_CHART_MAGNITUDE`].
    pub fn new<S: Into<String>>(
        title: impl Into<String>,
        labels: impl IntoIterator<Item = S>,
        values: &[f64],
    ) -> Result<Self> {
        let labels: Vec<String> = labels.into_iter().map(Into::into).collect();
        if labels.is_empty() {
            return Err(Error::Empty {
                what: "the bar chart's labels".to_string(),
            });
        }
        if labels.len() != values.len() {
            return Err(Error::LengthMismatch {
                what: "values".to_string(),
                got: values.len(),
                expected: labels.len(),
                per: "label",
            });
        }
        if labels.len() > MAX_BARS {
            return Err(Error::TooMany {
                what: "bars in a bar chart",
                count: labels.len(),
                limit: MAX_BARS,
            });
        }
        if let Some(i) = values.iter().position(|v| !v.is_finite()) {
            return Err(Error::BadNumber {
                what: format!("value {i} (`{}`) of a bar chart", labels[i]),
                value: values[i],
                must: "finite",
            });
        }
        if let Some(i) = values.iter().position(|v| v.abs() > MAX_CHART_MAGNITUDE) {
            return Err(beyond_magnitude(
                format!("value {i} (`{}`) of a bar chart", labels[i]),
                values[i],
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
            matches!(&err, Error::BadNumber { what, value, .. } if what == "y of point 1 of series `train`" && *value == 0.0),
            "{err:?}"
        );
        let err = LineChart::new("loss")
            .log_y()
            .unwrap()
            .series("train", [(0.0, -2.0)])
            .unwrap_err();
        assert!(err.to_string().contains("> 0 on a log axis"), "{err}");
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

    fn out_of_range(result: Result<impl std::fmt::Debug>) -> bool {
        matches!(result, Err(Error::OutOfRange { .. }))
    }

    #[test]
    fn huge_values_are_refused_not_drawn_forever() {
        assert!(out_of_range(
            LineChart::new("").series("", [(0.0, -1e308), (1.0, 1e308)])
        ));
        assert!(out_of_range(LineChart::new("").series("", [(1e308, 0.0)])));
        assert!(out_of_range(BarChart::new(
            "",
            ["a", "b"],
            &[-1e308, 1e308]
        )));
        // The largest magnitude allowed draws, at both ends at once.
        let edge = LineChart::new("")
            .series("", [(-1e300, -1e300), (1e300, 1e300)])
            .unwrap();
        assert_eq!(render(&edge).unwrap().width(), 640);
        let bars = BarChart::new("", ["a", "b"], &[-1e300, 1e300]).unwrap();
        assert_eq!(render(&bars).unwrap().width(), 640);
    }

    #[test]
    fn log_axes_beyond_their_limits_are_refused() {
        let wide = [(0.0, 1e-300), (1.0, 1e300)];
        assert!(out_of_range(
            LineChart::new("").log_y().unwrap().series("", wide)
        ));
        let added_first = LineChart::new("").series("", wide).unwrap();
        assert!(out_of_range(added_first.log_y()));
        assert!(out_of_range(
            LineChart::new("")
                .log_y()
                .unwrap()
                .series("", [(0.0, 5e-324)])
        ));
        // Exactly MAX_LOG_DECADES, at the smallest value allowed, draws.
        let widest = LineChart::new("")
            .log_y()
            .unwrap()
            .series("", [(0.0, 1e-300), (1.0, 1e-240)])
            .unwrap();
        assert_eq!(render(&widest).unwrap().height(), 480);
        let highest = LineChart::new("")
            .log_y()
            .unwrap()
            .series("", [(0.0, 1e240), (1.0, 1e300)])
            .unwrap();
        assert_eq!(render(&highest).unwrap().height(), 480);
    }

    #[test]
    fn degenerate_ranges_are_widened_to_a_readable_band() {
        // All equal, tiny, subnormal and nearly equal values: a finite band of positive width.
        for values in [
            [3.0, 3.0],
            [0.0, 0.0],
            [5e-324, 5e-324],
            [5e-324, 1e-320],
            [1.0, 1.0 + f64::EPSILON],
            [1e300, 1e300],
            [-1e300, -1e300],
        ] {
            let range = padded(values.iter().copied(), false);
            assert!(
                range.start.is_finite() && range.end.is_finite() && range.end > range.start,
                "{values:?} -> {range:?}"
            );
            assert!(
                range.start <= values[0] && values[1] <= range.end,
                "{values:?} -> {range:?}"
            );
            let chart = LineChart::new("")
                .series("", [(values[0], values[0]), (values[1], values[1])])
                .unwrap();
            assert_eq!(render(&chart).unwrap().width(), 640, "{values:?}");
            let bars = BarChart::new("", ["a", "b"], &values).unwrap();
            assert_eq!(render(&bars).unwrap().width(), 640, "{values:?}");
        }
        let equal = padded([3.0, 3.0].into_iter(), false);
        assert_eq!(equal, 1.5..4.5);
        let log_equal = LineChart::new("")
            .log_y()
            .unwrap()
            .series("", [(0.0, 1e-300), (1.0, 1e-300)])
            .unwrap();
        assert_eq!(render(&log_equal).unwrap().width(), 640);
    }

    #[test]
    fn too_many_series_or_bars_are_refused() {
        let mut chart = LineChart::new("");
        for i in 0..MAX_SERIES {
            chart = chart.series(i.to_string(), [(0.0, 1.0)]).unwrap();
        }
        assert!(matches!(
            chart.series("one more", [(0.0, 1.0)]),
            Err(Error::TooMany {
                limit: MAX_SERIES,
                ..
            })
        ));
        let labels: Vec<String> = (0..=MAX_BARS).map(|i| i.to_string()).collect();
        let values = vec![1.0; MAX_BARS + 1];
        assert!(matches!(
            BarChart::new("", labels, &values),
            Err(Error::TooMany {
                limit: MAX_BARS,
                ..
            })
        ));
    }
}
