//! The examples' command lines and logs as a user meets them: `--help` prints help, each run
//! logs what its docs say once per step.

use candle_tensorboard::reader::{discover_runs, RunData};
use clap::Parser;

/// The scalar series `tag` of the only run under `logdir/name`.
fn scalars(logdir: &std::path::Path, name: &str, tag: &str) -> Vec<(i64, f64)> {
    let runs = discover_runs(logdir.join(name)).unwrap();
    assert_eq!(runs.len(), 1, "{runs:?}");
    let data = RunData::read(&runs[0]).unwrap();
    data.scalars
        .get(tag)
        .unwrap_or_else(|| panic!("no {tag} in {:?}", data.scalars.keys()))
        .iter()
        .map(|p| (p.step, p.value))
        .collect()
}

#[test]
fn hooks_demo_help_is_help_not_a_run() {
    let err = tutorials::hooks_demo::Args::try_parse_from(["hooks_demo", "--help"]).unwrap_err();
    assert_eq!(err.kind(), clap::error::ErrorKind::DisplayHelp);
    let help = err.to_string();
    assert!(help.contains("section 5.4"), "{help}");
    // CI passes the other examples' flag; it must still parse.
    let args = tutorials::hooks_demo::Args::try_parse_from(["hooks_demo", "--steps", "2"]).unwrap();
    assert_eq!(args.steps, Some(2));
}

#[test]
fn every_example_parses_help() {
    macro_rules! help {
        ($m:ident) => {{
            let e = tutorials::$m::Args::try_parse_from([stringify!($m), "--help"]).unwrap_err();
            assert_eq!(
                e.kind(),
                clap::error::ErrorKind::DisplayHelp,
                stringify!($m)
            );
            e.to_string()
        }};
    }
    help!(tensorboard_tour);
    help!(feature_maps);
    help!(backprop_scratch);
    help!(gan_mnist);
    help!(dqn_mountaincar);
    let alex = help!(alexnet_kernels);
    assert!(alex.contains("SGD") && !alex.contains("Adam"), "{alex}");
}

#[test]
fn alexnet_kernels_logs_one_accuracy_point_per_step() {
    let dir = tempfile::tempdir().unwrap();
    let logdir = dir.path().to_str().unwrap();
    let args = tutorials::alexnet_kernels::Args::try_parse_from([
        "alexnet_kernels",
        "--logdir",
        logdir,
        "--steps",
        "200",
        "--batch",
        "2",
        "--kernel-every",
        "1000",
    ])
    .unwrap();
    tutorials::alexnet_kernels::run(args).unwrap();
    let steps: Vec<i64> = scalars(dir.path(), "alexnet_kernels", "test/accuracy")
        .iter()
        .map(|p| p.0)
        .collect();
    assert_eq!(steps, vec![100, 200]);
}

#[test]
fn gan_mnist_logs_the_sample_census() {
    let dir = tempfile::tempdir().unwrap();
    let logdir = dir.path().to_str().unwrap();
    let args = tutorials::gan_mnist::Args::try_parse_from([
        "gan_mnist",
        "--logdir",
        logdir,
        "--steps",
        "3",
        "--log-every",
        "2",
        "--census-samples",
        "50",
    ])
    .unwrap();
    tutorials::gan_mnist::run(args).unwrap();
    let covered = scalars(dir.path(), "gan_mnist", "census/classes_covered");
    // Steps 0 and 2 (the last) during training, then the final census at 3.
    assert_eq!(
        covered.iter().map(|p| p.0).collect::<Vec<_>>(),
        vec![0, 2, 3]
    );
    assert!(covered.iter().all(|p| (0.0..=10.0).contains(&p.1)));
    let conf = scalars(dir.path(), "gan_mnist", "census/mean_confidence");
    assert!(conf.iter().all(|p| (0.1..=1.0).contains(&p.1)), "{conf:?}");
    let acc = scalars(dir.path(), "gan_mnist", "classifier/test_accuracy");
    assert!(acc[0].1 > 0.9, "sample classifier accuracy {}", acc[0].1);
}

#[test]
fn dqn_counts_returns_and_lengths_in_actions() {
    let dir = tempfile::tempdir().unwrap();
    let logdir = dir.path().to_str().unwrap();
    let args = tutorials::dqn_mountaincar::Args::try_parse_from([
        "dqn_mountaincar",
        "--logdir",
        logdir,
        "--steps",
        "40",
        "--learn-start",
        "100",
        "--max-episode-steps",
        "10",
        "--image-every",
        "1000",
    ])
    .unwrap();
    tutorials::dqn_mountaincar::run(args).unwrap();
    let returns = scalars(dir.path(), "dqn_mountaincar", "episode/return");
    let lengths = scalars(dir.path(), "dqn_mountaincar", "episode/length");
    // Four episodes cut off after 10 actions of 4 frames each: -10 per episode, not -40.
    assert_eq!(lengths.len(), 4);
    for (r, l) in returns.iter().zip(&lengths) {
        assert_eq!((r.0, r.1), (l.0, -l.1), "return {r:?}, length {l:?}");
        assert_eq!(l.1, 10.0);
    }
    // No evaluation reached the flag, so the kept agent is the last weights; both files exist.
    let run = dir.path().join("dqn_mountaincar");
    let (kept, last) = (run.join("q.safetensors"), run.join("q_last.safetensors"));
    assert!(kept.exists() && last.exists(), "{kept:?} and {last:?}");
    assert_eq!(std::fs::read(&kept).unwrap(), std::fs::read(&last).unwrap());
}
