//! Figures: plots drawn with [`plotters`] into pixels and logged as images, the Rust side of
//! PyTorch's `add_figure(tag, figure)` (which renders a matplotlib figure the same way).
//!
//! A figure is anything that implements [`Figure`]: the helpers here for what training users
//! plot most ([`ConfusionMatrix`], [`LineChart`], [`BarChart`]), or your own plotters drawing
//! through [`from_fn`]. Text is set in DejaVu Sans, which the `dejavu` crate embeds, so figures
//! look the same on every machine and need no system fonts.
//!
//! ```
//! use tfevents::summary::figure::{render, ConfusionMatrix, LineChart};
//! # fn main() -> tfevents::Result<()> {
//! let cm = ConfusionMatrix::from_predictions(&[0, 1, 1, 2], &[0, 1, 2, 2], 3)?
//!     .class_names(["cat", "dog", "bird"])?;
//! let img = render(&cm)?;
//! assert_eq!((img.width(), img.height()), (640, 560));
//! let loss = LineChart::new("loss").series("train", (0..10).map(|i| (i as f64, 1.0 / (1.0 + i as f64))))?;
//! assert_eq!(render(&loss)?.channels(), 3);
//! # Ok(()) }
//! ```

mod chart;
mod confusion;
mod palette;

use std::sync::OnceLock;

use plotters::coord::Shift;
use plotters::prelude::{BitMapBackend, DrawingArea, IntoDrawingArea, WHITE};
use plotters::style::FontStyle;

pub use self::chart::{
    BarChart, LineChart, MAX_BARS, MAX_CHART_MAGNITUDE, MAX_LOG_DECADES, MAX_SERIES,
    MIN_CHART_SPAN, MIN_LOG_VALUE, MIN_RELATIVE_SPAN,
};
pub use self::confusion::{ConfusionMatrix, MAX_CLASSES};
use super::image::ImageU8;
use crate::{Error, Result};
/// The plotting crate figures are drawn with, so your own drawings use the same version.
pub use plotters;

/// The largest figure side in pixels: far above any screen, small enough that a mistyped size
/// gets an error rather than gigabytes of pixels.
pub const MAX_FIGURE_SIDE: u32 = 8192;

/// The area a figure draws on: an RGB bitmap, white before drawing.
pub type Canvas<'a> = DrawingArea<BitMapBackend<'a>, Shift>;

/// What a figure's drawing code returns: plotters' errors (and your own) convert with `?`.
pub type DrawResult = std::result::Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// Something that can be drawn as a figure of a given size.
pub trait Figure {
    /// Width and height in pixels (PyTorch's figures are usually 640x480).
    fn size(&self) -> (u32, u32) {
        (640, 480)
    }

    /// Draws onto `canvas`, which is white and [`size`](Self::size) pixels large.
    fn draw(&self, canvas: &Canvas<'_>) -> DrawResult;
}

impl<F: Figure + ?Sized> Figure for &F {
    fn size(&self) -> (u32, u32) {
        (**self).size()
    }

    fn draw(&self, canvas: &Canvas<'_>) -> DrawResult {
        (**self).draw(canvas)
    }
}

/// A figure drawn by a closure: your own plotters code at the size you choose.
pub struct FnFigure<F> {
    size: (u32, u32),
    draw: F,
}

impl<F> std::fmt::Debug for FnFigure<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FnFigure")
            .field("size", &self.size)
            .finish()
    }
}

/// A figure of `width` x `height` pixels drawn by `draw`, for any plot plotters can make.
///
/// ```
/// use tfevents::summary::figure::{from_fn, render};
/// use plotters::prelude::*;
/// # fn main() -> tfevents::Result<()> {
/// let fig = from_fn(320, 240, |canvas| {
///     let mut chart = ChartBuilder::on(canvas)
///         .margin(10)
///         .x_label_area_size(30)
///         .y_label_area_size(30)
///         .build_cartesian_2d(0f64..1.0, 0f64..1.0)?;
///     chart.configure_mesh().draw()?;
///     chart.draw_series(LineSeries::new([(0.0, 0.0), (1.0, 1.0)], &BLUE))?;
///     Ok(())
/// });
/// assert_eq!(render(&fig)?.width(), 320);
/// # Ok(()) }
/// ```
pub fn from_fn<F>(width: u32, height: u32, draw: F) -> FnFigure<F>
where
    F: Fn(&Canvas<'_>) -> DrawResult,
{
    FnFigure {
        size: (width, height),
        draw,
    }
}

impl<F> Figure for FnFigure<F>
where
    F: Fn(&Canvas<'_>) -> DrawResult,
{
    fn size(&self) -> (u32, u32) {
        self.size
    }

    fn draw(&self, canvas: &Canvas<'_>) -> DrawResult {
        (self.draw)(canvas)
    }
}

/// The font family every figure here uses; registered once, on first use.
pub(crate) const FONT: &str = "sans-serif";

fn register_fonts() -> Result<()> {
    static REGISTERED: OnceLock<std::result::Result<(), String>> = OnceLock::new();
    REGISTERED
        .get_or_init(|| {
            for (style, bytes) in [
                (FontStyle::Normal, dejavu::sans::regular()),
                (FontStyle::Bold, dejavu::sans::bold()),
            ] {
                plotters::style::register_font(FONT, style, bytes)
                    .map_err(|_| "the embedded DejaVu Sans font did not load".to_string())?;
            }
            Ok(())
        })
        .clone()
        .map_err(|e| Error::encode("the figure", e))
}

/// Draws `figure` into an RGB image of its size.
///
/// Errors with [`Error::OutOfRange`] if a side is 0 or over [`MAX_FIGURE_SIDE`], or with
/// [`Error::Encode`] (`what` is "the figure") if the drawing code fails.
pub fn render(figure: &impl Figure) -> Result<ImageU8> {
    let (width, height) = figure.size();
    for (name, side) in [("width", width), ("height", height)] {
        if side == 0 || side > MAX_FIGURE_SIDE {
            return Err(Error::OutOfRange {
                what: format!("the figure's {name} in pixels"),
                value: side.into(),
                min: 1.0,
                max: MAX_FIGURE_SIDE.into(),
            });
        }
    }
    register_fonts()?;
    let mut pixels = vec![0u8; width as usize * height as usize * 3];
    {
        let canvas = BitMapBackend::with_buffer(&mut pixels, (width, height)).into_drawing_area();
        let failed = |e: &dyn std::fmt::Display| Error::encode("the figure", e.to_string());
        canvas.fill(&WHITE).map_err(|e| failed(&e))?;
        figure.draw(&canvas).map_err(|e| failed(&e))?;
        canvas.present().map_err(|e| failed(&e))?;
    }
    ImageU8::new(height as usize, width as usize, 3, pixels)
}

/// Writes each `(x, y, text, colour)` label onto an RGB image with its top-left corner at
/// `(x, y)`, in 12 px DejaVu Sans: the box labels of
/// [`draw_boxes`](crate::summary::boxes::draw_boxes).
pub(crate) fn draw_labels(
    rgb: &mut [u8],
    (width, height): (usize, usize),
    labels: &[(i64, i64, &str, [u8; 3])],
) -> Result<()> {
    use plotters::prelude::{IntoFont, RGBColor, Text};
    register_fonts()?;
    let (Ok(w), Ok(h)) = (u32::try_from(width), u32::try_from(height)) else {
        return Err(Error::OutOfRange {
            what: "the side of an image to draw labels on".to_string(),
            value: width.max(height) as f64,
            min: 0.0,
            max: u32::MAX.into(),
        });
    };
    let area = BitMapBackend::with_buffer(rgb, (w, h)).into_drawing_area();
    let clamp = |v: i64| v.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32;
    for &(x, y, text, [r, g, b]) in labels {
        let style = (FONT, 12.0).into_font().color(&RGBColor(r, g, b));
        area.draw(&Text::new(text.to_string(), (clamp(x), clamp(y)), style))
            .map_err(|e| Error::encode("the box labels", e.to_string()))?;
    }
    area.present()
        .map_err(|e| Error::encode("the box labels", e.to_string()))
}
