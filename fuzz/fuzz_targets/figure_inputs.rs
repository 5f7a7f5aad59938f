//! Any floats as the points of a line chart (linear or log axis) or the values of a bar chart,
//! and any bytes as a run name: a clear `Err` or a drawn figure (a path below the log
//! directory), never a panic, a hang or an allocation the values alone ask for. The proptests
//! in `crates/tfevents/tests/hostile_inputs.rs` drive the same inputs in bounded cases.
#![no_main]

use std::path::{Component, Path};

use libfuzzer_sys::fuzz_target;
use tfevents::summary::figure::{render, BarChart, LineChart};
use tfevents::writer::run_dir;

fuzz_target!(|input: &[u8]| {
    let Some((&mode, rest)) = input.split_first() else {
        return;
    };
    if let Ok(name) = std::str::from_utf8(rest) {
        let base = Path::new("logs/run");
        if let Ok(dir) = run_dir(base, name) {
            let below = dir.strip_prefix(base).expect("below the log directory");
            assert!(below
                .components()
                .all(|c| matches!(c, Component::Normal(_))));
        }
    }
    // At most 64 values, so that one input draws one small figure.
    let values: Vec<f64> = rest
        .chunks_exact(8)
        .take(64)
        .map(|b| f64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]))
        .collect();
    if values.is_empty() {
        return;
    }
    if mode % 2 == 0 {
        let labels: Vec<String> = (0..values.len()).map(|i| i.to_string()).collect();
        if let Ok(chart) = BarChart::new("fuzz", labels, &values) {
            render(&chart).expect("a bar chart that was built draws");
        }
        return;
    }
    let points: Vec<(f64, f64)> = values.chunks_exact(2).map(|p| (p[0], p[1])).collect();
    if points.is_empty() {
        return;
    }
    let mut chart = LineChart::new("fuzz");
    if mode & 2 != 0 {
        chart = match chart.log_y() {
            Ok(c) => c,
            Err(_) => return,
        };
    }
    let (first, second) = points.split_at(points.len().div_ceil(2));
    let built = chart.series("a", first.iter().copied()).and_then(|c| {
        if second.is_empty() {
            Ok(c)
        } else {
            c.series("b", second.iter().copied())
        }
    });
    if let Ok(chart) = built {
        render(&chart).expect("a line chart that was built draws");
    }
});
