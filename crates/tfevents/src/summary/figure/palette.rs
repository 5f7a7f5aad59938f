//! Colours shared by the figure helpers.

use plotters::style::RGBColor;

/// matplotlib's default colour cycle ("tab10"), so curves look as PyTorch users expect.
const TAB10: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// The `i`-th colour of the cycle.
pub(super) fn cycle(i: usize) -> RGBColor {
    TAB10[i % TAB10.len()]
}

/// A white-to-blue ramp (matplotlib's "Blues" end points) at `t` in `[0, 1]`.
pub(super) fn blues(t: f64) -> RGBColor {
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let lerp = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * t).round() as u8;
    RGBColor(lerp(247, 8), lerp(251, 48), lerp(255, 107))
}
