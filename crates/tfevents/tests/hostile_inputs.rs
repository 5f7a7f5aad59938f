//! Generated hostile inputs (proptest, bounded cases) for the surfaces issue 24 hardened: the
//! same inputs `fuzz/fuzz_targets/figure_inputs.rs` drives under libFuzzer. Every case is an
//! `Err` or a result that keeps its promise; none panics, hangs or asks for unbounded memory.

use std::path::{Component, Path};

use proptest::prelude::*;
use tfevents::summary::boxes::{draw_boxes, Boxes};
use tfevents::summary::image::ImageU8;
use tfevents::writer::run_dir;

/// Cases per property: `default`, or `HOSTILE_CASES` from the environment for a longer run
/// (the note's runs of thousands of cases).
fn cases(default: u32) -> u32 {
    std::env::var("HOSTILE_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Floats a chart must draw although they are extreme: the limits themselves, subnormals,
/// signed zeros, neighbours that differ in the last bit.
#[cfg(feature = "figures")]
fn drawable_f64() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(0.0),
        Just(-0.0),
        Just(1e300),
        Just(-1e300),
        Just(1e-300),
        Just(5e-324),
        Just(f64::MIN_POSITIVE),
        Just(1.0),
        Just(1.0 + f64::EPSILON),
        -1e6f64..1e6,
        -1e300f64..1e300,
        -1e-300f64..1e-300,
    ]
}

/// Floats a careless or hostile caller gives: mostly drawable ones, sometimes values no axis
/// can show (±1e308, the extremes of `f64`, NaN, infinities, any bit pattern).
#[cfg(feature = "figures")]
fn hostile_f64() -> impl Strategy<Value = f64> {
    prop_oneof![
        90 => drawable_f64(),
        1 => Just(1e308),
        1 => Just(-1e308),
        1 => Just(f64::MAX),
        1 => Just(f64::NAN),
        1 => Just(f64::INFINITY),
        1 => any::<f64>(),
    ]
}

/// Positive floats for a log axis: within its limits at both ends, with now and then one
/// below `MIN_LOG_VALUE` or spanning too many decades.
#[cfg(feature = "figures")]
fn log_f64() -> impl Strategy<Value = f64> {
    prop_oneof![
        3 => 1e-300f64..1e-240,
        60 => 1e-5f64..1e5,
        3 => 1e240f64..1e300,
        2 => Just(1e-300),
        2 => Just(1e300),
        1 => Just(5e-324),
        1 => Just(0.0),
        1 => hostile_f64(),
    ]
}

/// Path components with the pieces that make names escape.
fn name_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("..".to_string()),
        Just(".".to_string()),
        Just(String::new()),
        Just("C:".to_string()),
        Just("\\".to_string()),
        Just("\0".to_string()),
        Just("学习率".to_string()),
        Just("x".repeat(300)),
        "[a-z0-9_.:=-]{1,12}",
        any::<String>(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(512), ..ProptestConfig::default() })]

    /// A name either joins below the log directory, with only normal components, or is
    /// refused.
    #[test]
    fn run_names_stay_below_the_log_directory(
        pieces in proptest::collection::vec(name_piece(), 1..5),
        leading_slash in any::<bool>(),
    ) {
        let name = format!("{}{}", if leading_slash { "/" } else { "" }, pieces.join("/"));
        let base = Path::new("logs/run");
        if let Ok(dir) = run_dir(base, &name) {
            prop_assert!(dir.starts_with(base));
            let below: Vec<Component> = dir.strip_prefix(base).unwrap().components().collect();
            prop_assert!(!below.is_empty());
            prop_assert!(below.iter().all(|c| matches!(c, Component::Normal(_))), "{name:?}");
            prop_assert!(!name.contains(['\0', '\\']));
        }
    }

    /// Boxes with any coordinates and width draw only inside the image and inside the box.
    #[test]
    fn boxes_draw_only_inside_the_image_and_the_box(
        coords in proptest::array::uniform4(prop_oneof![
            -40f32..40.0,
            Just(f32::MAX),
            Just(f32::MIN),
            Just(-1e30f32),
            Just(1e30f32),
        ]),
        width in prop_oneof![1usize..8, Just(usize::MAX), Just(usize::MAX / 2)],
    ) {
        let [a, b, c, d] = coords;
        let (x0, x1, y0, y1) = (a.min(c), a.max(c), b.min(d), b.max(d));
        let img = ImageU8::new(9, 11, 1, vec![7; 99]).unwrap();
        let boxes = Boxes::new(&[[x0, y0, x1, y1]])
            .unwrap()
            .colors(&[[250, 1, 2]])
            .unwrap()
            .width(width)
            .unwrap();
        let out = draw_boxes(&img, &boxes).unwrap();
        for y in 0..9 {
            for x in 0..11 {
                if out.pixel(y, x).unwrap() != [7, 7, 7] {
                    let (xf, yf) = (x as f32, y as f32);
                    prop_assert!(
                        xf >= x0.trunc() && xf <= x1.trunc() && yf >= y0.trunc() && yf <= y1.trunc(),
                        "pixel ({x}, {y}) drawn outside box {:?}", [x0, y0, x1, y1]
                    );
                }
            }
        }
    }
}

#[cfg(feature = "figures")]
mod figures {
    use super::{hostile_f64, log_f64};
    use proptest::prelude::*;
    use tfevents::summary::figure::{render, BarChart, LineChart};
    use tfevents::Error;

    proptest! {
        // Each case renders a 640x480 figure: few cases by default, so the test stays quick in
        // debug builds; HOSTILE_CASES and the fuzz target run more.
        #![proptest_config(ProptestConfig { cases: super::cases(48), ..ProptestConfig::default() })]

        /// Any points, on a linear or a log axis: refused when added, or drawn.
        #[test]
        fn line_charts_are_refused_or_drawn(
            log in any::<bool>(),
            log_first in any::<bool>(),
            xs in proptest::collection::vec(hostile_f64(), 1..9),
            hostile_ys in proptest::collection::vec(hostile_f64(), 9),
            log_ys in proptest::collection::vec(log_f64(), 9),
            split in 0usize..9,
        ) {
            let ys = if log { log_ys } else { hostile_ys };
            let points: Vec<(f64, f64)> = xs.iter().copied().zip(ys).collect();
            let (first, second) = points.split_at(split.min(points.len() - 1) + 1);
            let mut chart = LineChart::new("hostile");
            if log && log_first {
                chart = match chart.log_y() {
                    Ok(c) => c,
                    Err(e) => return Err(TestCaseError::fail(e.to_string())),
                };
            }
            let built = chart.series("a", first.to_vec()).and_then(|c| {
                if second.is_empty() { Ok(c) } else { c.series("b", second.to_vec()) }
            });
            let built = if log && !log_first { built.and_then(LineChart::log_y) } else { built };
            match built {
                Ok(chart) => {
                    let img = render(&chart).map_err(|e| TestCaseError::fail(e.to_string()))?;
                    prop_assert_eq!((img.width(), img.height()), (640, 480));
                }
                Err(e) => prop_assert!(
                    matches!(
                        e,
                        Error::OutOfRange { .. }
                            | Error::BadNumber { .. }
                            | Error::Empty { .. }
                            | Error::LengthMismatch { .. }
                            | Error::InvalidArgument { .. }
                    ),
                    "{e}"
                ),
            }
        }

        /// Any bar values: refused when built, or drawn.
        #[test]
        fn bar_charts_are_refused_or_drawn(
            values in proptest::collection::vec(hostile_f64(), 1..6),
        ) {
            let labels: Vec<String> = (0..values.len()).map(|i| format!("c{i}")).collect();
            if let Ok(chart) = BarChart::new("hostile", labels, &values) {
                let img = render(&chart).map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(img.width(), 640);
            }
        }
    }
}
