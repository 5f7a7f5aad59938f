//! The burn version this crate supports, pinned: the `MetricLogger` implementation compiles
//! only against the trait of the burn it names, and the README's version table names it too.

use burn_train::logger::MetricLogger;
use tfevents_burn::{TensorBoard, TensorBoardLogger};

/// Compiles only while our logger fits burn-train's `MetricLogger` trait (a new burn that
/// changes the trait fails here first, with the method that changed).
fn takes_a_metric_logger<L: MetricLogger + 'static>(_: L) {}

#[test]
fn our_logger_is_a_burn_metric_logger() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let tensorboard = TensorBoard::new(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    let logger: TensorBoardLogger = tensorboard.metric_logger();
    takes_a_metric_logger(logger);
}

/// The `burn-train` requirement of this crate's manifest, e.g. `0.22.1`.
fn burn_train_requirement() -> String {
    let manifest = include_str!("../../Cargo.toml");
    manifest
        .lines()
        .find(|l| l.starts_with("burn-train = "))
        .and_then(|l| l.split("version = \"").nth(1))
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_default()
        .to_string()
}

#[test]
fn the_readme_names_the_burn_version_the_manifest_pins() {
    let version = burn_train_requirement();
    let minor: String = version.split('.').take(2).collect::<Vec<_>>().join(".");
    assert_eq!(
        minor, "0.22",
        "burn-train requirement {version:?}: update this test and the README table"
    );
    let readme = include_str!("../../README.md");
    assert!(
        readme.contains(&format!("| {minor} |")),
        "README's version table does not name burn {minor}"
    );
}
