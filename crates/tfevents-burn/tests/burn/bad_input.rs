//! Bad input: each fails clearly (at construction, not inside burn's loop) or is logged as
//! burn logged it, and `read_numeric` answers as burn's own file logger does.

use std::sync::Arc;

use super::common::*;
use burn::train::logger::FileMetricLogger;
use burn::train::metric::store::Split;
use burn_train::logger::MetricLogger;
use tfevents::reader::{discover_runs, RunData};
use tfevents_burn::{Error, TensorBoard};

#[test]
fn a_log_directory_that_cannot_be_created_fails_at_construction() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let file = dir.path().join("not-a-directory");
    std::fs::write(&file, b"x").unwrap_or_else(|e| panic!("{e}"));
    let err = TensorBoard::new(file.join("runs")).err();
    assert!(matches!(err, Some(Error::LogDir { .. })), "{err:?}");
    let message = err.map(|e| e.to_string()).unwrap_or_default();
    assert!(message.contains("not-a-directory/runs"), "{message}");
    assert!(message.contains("choose a directory"), "{message}");
}

fn read_run(logdir: &std::path::Path, name: &str) -> RunData {
    let run = discover_runs(logdir)
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .find(|r| r.name == name)
        .unwrap_or_else(|| panic!("no run {name}"));
    RunData::read(&run).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn metric_names_with_slashes_or_spaces_are_one_tag_and_read_back_by_their_name() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let tensorboard = TensorBoard::new(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    let mut logger = tensorboard.metric_logger();
    logger.log_metric_definition(definition("loss/aux", None, None));
    logger.log_metric_definition(definition("Top 5 Accuracy", Some("top-5"), Some("%")));
    let mut driver = Driver {
        logger: &mut logger,
    };
    driver.batch(
        &Split::Train,
        1,
        &[("loss/aux", 0.5, 2), ("Top 5 Accuracy", 40.0, 2)],
    );
    driver.end(
        &Split::Train,
        1,
        &[("loss/aux", 0.5), ("Top 5 Accuracy", 40.0)],
        &[],
    );
    assert_eq!(
        read(&mut logger, "loss/aux", 1, &Split::Train),
        Ok(vec!["0.5,2".to_string(), "0.5,final".to_string()])
    );
    assert_eq!(
        read(&mut logger, "Top 5 Accuracy", 1, &Split::Train).map(|v| v.len()),
        Ok(2)
    );
    drop(logger);
    tensorboard.close().unwrap_or_else(|e| panic!("{e}"));

    let train = read_run(dir.path(), "train");
    let tags: Vec<&String> = train.scalars.keys().collect();
    assert_eq!(
        tags,
        [
            "Top 5 Accuracy",
            "epoch/Top 5 Accuracy",
            "epoch/loss_aux",
            "loss_aux"
        ]
    );
}

#[test]
fn non_finite_values_are_logged_as_burn_logged_them() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let tensorboard = TensorBoard::new(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    let mut logger = tensorboard.metric_logger();
    logger.log_metric_definition(definition("Loss", None, None));
    let mut driver = Driver {
        logger: &mut logger,
    };
    driver.batch(&Split::Valid, 1, &[("Loss", f64::NAN, 1)]);
    driver.batch(&Split::Valid, 1, &[("Loss", f64::INFINITY, 1)]);
    driver.batch(&Split::Valid, 1, &[("Loss", f64::NEG_INFINITY, 1)]);
    driver.end(&Split::Valid, 1, &[("Loss", f64::NAN)], &[]);
    assert_eq!(
        read(&mut logger, "Loss", 1, &Split::Valid),
        Ok(vec![
            "NaN,1".into(),
            "inf,1".into(),
            "-inf,1".into(),
            "NaN,final".into()
        ])
    );
    drop(logger);
    tensorboard.close().unwrap_or_else(|e| panic!("{e}"));

    let valid = read_run(dir.path(), "valid");
    let values: Vec<f64> = valid.scalars["Loss"].iter().map(|p| p.value).collect();
    assert!(values[0].is_nan());
    assert_eq!(values[1..], [f64::INFINITY, f64::NEG_INFINITY]);
    assert!(valid.scalars["epoch/Loss"][0].value.is_nan());
}

/// Drives burn's `FileMetricLogger` and ours with the same events, then asks both the same
/// questions: metrics and epochs never logged, a text metric, epoch 0.
#[test]
fn read_numeric_answers_as_burns_file_logger_for_what_was_never_logged() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let tensorboard = TensorBoard::new(dir.path().join("tb")).unwrap_or_else(|e| panic!("{e}"));
    let mut ours = tensorboard.metric_logger();
    let mut burns = FileMetricLogger::new(dir.path().join("burn"));
    let test_split = Split::Test(Some(Arc::new("hard".to_string())));
    for logger in [&mut ours as &mut dyn MetricLogger, &mut burns] {
        logger.log_metric_definition(definition("Loss", None, None));
        logger.log_metric_definition(text_definition("Summary"));
        let mut driver = Driver { logger };
        for epoch in 1..=2 {
            driver.batch(&Split::Train, epoch, &[("Loss", 1.0 / epoch as f64, 4)]);
            driver.batch(&Split::Train, epoch, &[("Loss", 0.5 / epoch as f64, 2)]);
            driver.end(
                &Split::Train,
                epoch,
                &[("Loss", 0.8 / epoch as f64)],
                &[("Summary", "ok")],
            );
        }
        driver.batch(&test_split, 1, &[("Loss", 0.25, 1)]);
    }
    // burn's file logger syncs its files when its epoch ends.
    burns.log_epoch_summary(burn::train::metric::store::EpochSummary::new(
        1,
        test_split.clone(),
    ));

    let questions: [(&str, usize, Split); 8] = [
        ("Loss", 1, Split::Train),
        ("Loss", 2, Split::Train),
        ("Loss", 3, Split::Train),       // epoch never logged
        ("Loss", 0, Split::Train),       // epoch 0 (burn counts from 1)
        ("Loss", 1, Split::Valid),       // split never logged
        ("Accuracy", 1, Split::Train),   // metric never logged
        ("Loss", 1, test_split.clone()), // a tagged test split
        ("Summary", 1, Split::Train),    // a text metric: burn cannot parse it
    ];
    for (name, epoch, split) in questions {
        let mine = read(&mut ours, name, epoch, &split);
        let theirs = read(&mut burns, name, epoch, &split);
        assert_eq!(
            mine.is_ok(),
            theirs.is_ok(),
            "{name} {epoch} {split:?}: {mine:?} vs {theirs:?}"
        );
        if let (Ok(mine), Ok(theirs)) = (&mine, &theirs) {
            assert_eq!(mine, theirs, "{name} {epoch} {split:?}");
        }
    }
    assert_eq!(read(&mut ours, "Loss", 3, &Split::Train), Ok(Vec::new()));
}
