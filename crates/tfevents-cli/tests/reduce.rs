//! `tfevents reduce`: the reduced run read back, step alignment, non-finite values, and bad
//! input.

use std::path::Path;
use std::process::{Command, Output};

use tfevents::reader::{discover_runs, RunData};
use tfevents::SummaryWriter;

fn tfevents(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tfevents"))
        .args(args)
        .output()
        .unwrap()
}

fn reduce(logdir: &Path, runs: &str, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "reduce",
        logdir.to_str().unwrap(),
        "--runs",
        runs,
        "-o",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    tfevents(&args)
}

/// A run named `name` with `(tag, step, value)` scalars.
fn run(dir: &Path, name: &str, points: &[(&str, i64, f64)]) {
    let w = SummaryWriter::new(dir.join(name)).unwrap();
    for &(tag, step, value) in points {
        w.add_scalar(tag, value, step).unwrap();
    }
    w.close().unwrap();
}

fn read(dir: &Path) -> RunData {
    let runs = discover_runs(dir).unwrap();
    assert_eq!(runs.len(), 1);
    RunData::read(&runs[0]).unwrap()
}

fn series(data: &RunData, tag: &str) -> Vec<(i64, f64)> {
    data.scalars[tag]
        .iter()
        .map(|p| (p.step, p.value))
        .collect()
}

#[test]
fn mean_std_min_max_per_step_with_a_margin_layout() {
    let logs = tempfile::tempdir().unwrap();
    run(
        logs.path(),
        "seed_1",
        &[("loss", 0, 1.0), ("loss", 1, 4.0), ("acc", 0, 0.5)],
    );
    run(
        logs.path(),
        "seed_2",
        &[("loss", 0, 3.0), ("loss", 1, 2.0), ("acc", 0, 0.25)],
    );
    run(
        logs.path(),
        "seed_3",
        &[("loss", 0, 2.0), ("loss", 1, 6.0), ("acc", 0, 0.75)],
    );
    run(logs.path(), "other", &[("loss", 0, 100.0)]);
    let out = logs.path().join("seed_mean");
    let result = reduce(logs.path(), "seed_*", &out, &[]);
    assert!(result.status.success(), "{result:?}");
    let stdout = String::from_utf8_lossy(&result.stdout);
    assert!(
        stdout.contains("reduced 3 runs (seed_1, seed_2, seed_3)"),
        "{stdout}"
    );

    let data = read(&out);
    assert_eq!(series(&data, "loss/mean"), [(0, 2.0), (1, 4.0)]);
    let std = series(&data, "loss/std");
    assert_eq!(std[0], (0, (2.0f64 / 3.0).sqrt() as f32 as f64));
    assert_eq!(std[1], (1, (8.0f64 / 3.0).sqrt() as f32 as f64));
    assert_eq!(series(&data, "loss/min"), [(0, 1.0), (1, 2.0)]);
    assert_eq!(series(&data, "loss/max"), [(0, 3.0), (1, 6.0)]);
    assert_eq!(series(&data, "acc/mean"), [(0, 0.5)]);
    // The layout: a custom-scalars tensor, plus the text saying what was reduced.
    assert_eq!(data.other_tensors.get("custom_scalars__config__"), Some(&1));
    assert!(data.texts["reduce/text_summary"][0]
        .text
        .contains("seed_1, seed_2, seed_3"));

    // A second reduce into the same run would mix two copies: refused.
    let again = reduce(logs.path(), "seed_*", &out, &[]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already holds event files"));
}

#[test]
fn exact_drops_steps_nearest_lines_them_up() {
    let logs = tempfile::tempdir().unwrap();
    run(
        logs.path(),
        "s1",
        &[("x", 0, 1.0), ("x", 10, 2.0), ("x", 20, 3.0)],
    );
    run(
        logs.path(),
        "s2",
        &[("x", 0, 3.0), ("x", 11, 4.0), ("x", 20, 5.0)],
    );
    let exact = logs.path().join("exact");
    let result = reduce(logs.path(), "s?", &exact, &[]);
    assert!(result.status.success(), "{result:?}");
    assert!(String::from_utf8_lossy(&result.stdout).contains("2 steps not lined up"));
    assert_eq!(series(&read(&exact), "x/mean"), [(0, 2.0), (20, 4.0)]);

    let nearest = logs.path().join("nearest");
    let result = reduce(logs.path(), "s?", &nearest, &["--align", "nearest"]);
    assert!(result.status.success(), "{result:?}");
    assert_eq!(
        series(&read(&nearest), "x/mean"),
        [(0, 2.0), (10, 3.0), (11, 3.0), (20, 4.0)]
    );
}

#[test]
fn non_finite_values_follow_numpy() {
    let logs = tempfile::tempdir().unwrap();
    run(
        logs.path(),
        "a",
        &[("x", 0, f64::NAN), ("x", 1, f64::INFINITY)],
    );
    run(logs.path(), "b", &[("x", 0, 1.0), ("x", 1, 2.0)]);
    let out = logs.path().join("mean");
    let result = reduce(logs.path(), "[ab]", &out, &[]);
    // `[` is a literal character in the pattern: nothing matches.
    assert!(!result.status.success());
    let result = reduce(logs.path(), "?", &out, &[]);
    assert!(result.status.success(), "{result:?}");
    let data = read(&out);
    let at = |tag: &str, i: usize| series(&data, tag)[i].1;
    assert!(at("x/mean", 0).is_nan() && at("x/std", 0).is_nan());
    assert!(at("x/min", 0).is_nan() && at("x/max", 0).is_nan());
    assert_eq!(at("x/mean", 1), f64::INFINITY);
    assert!(at("x/std", 1).is_nan());
    assert_eq!((at("x/min", 1), at("x/max", 1)), (2.0, f64::INFINITY));
}

#[test]
fn runs_without_a_common_tag_are_an_error() {
    let logs = tempfile::tempdir().unwrap();
    run(logs.path(), "a", &[("x", 0, 1.0)]);
    run(logs.path(), "b", &[("y", 0, 1.0)]);
    let out = logs.path().join("mean");
    let result = reduce(logs.path(), "*", &out, &[]);
    assert_eq!(result.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(stderr.contains("share no scalar tag"), "{stderr}");
    assert!(!out.exists());
}

#[test]
fn a_pattern_matching_nothing_lists_the_runs() {
    let logs = tempfile::tempdir().unwrap();
    run(logs.path(), "a", &[("x", 0, 1.0)]);
    let result = reduce(logs.path(), "seed_*", &logs.path().join("mean"), &[]);
    assert_eq!(result.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(
        stderr.contains("matches none of the 1 runs") && stderr.contains("(a)"),
        "{stderr}"
    );
}

#[test]
fn no_common_step_suggests_nearest() {
    let logs = tempfile::tempdir().unwrap();
    run(logs.path(), "a", &[("x", 0, 1.0), ("x", 2, 1.0)]);
    run(logs.path(), "b", &[("x", 1, 1.0)]);
    let result = reduce(logs.path(), "*", &logs.path().join("mean"), &[]);
    assert!(!result.status.success());
    assert!(String::from_utf8_lossy(&result.stderr).contains("--align nearest"));
}

#[test]
fn unwritable_output_is_an_error() {
    let logs = tempfile::tempdir().unwrap();
    run(logs.path(), "a", &[("x", 0, 1.0)]);
    let file = tempfile::NamedTempFile::new().unwrap();
    let result = reduce(logs.path(), "a", &file.path().join("mean"), &[]);
    assert_eq!(result.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(stderr.contains("cannot write the reduced run"), "{stderr}");
}

#[test]
fn empty_logdir_is_a_clear_error() {
    let logs = tempfile::tempdir().unwrap();
    let result = reduce(logs.path(), "*", &logs.path().join("mean"), &[]);
    assert_eq!(result.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&result.stderr).contains("no runs under"));
}
