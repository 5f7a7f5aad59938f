//! What a training through burn's `SupervisedTraining` leaves in the log directory, read
//! back with the core's reader.

use std::collections::BTreeMap;
use std::path::Path;

use super::common::*;
use burn::config::Config;
use burn::tensor::Device;
use burn::train::metric::LossMetric;
use burn::train::SupervisedTraining;
use tfevents::proto::{event, Event, SummaryMetadata};
use tfevents::reader::{discover_runs, EventFileReader, RunData};
use tfevents_burn::{Layout, TensorBoard};

const TRAIN_BATCHES: usize = 3;

#[derive(Config, Debug)]
struct OscillatorConfig {
    #[config(default = 0.9)]
    learning_rate: f64,
    #[config(default = 6)]
    epochs: usize,
    #[config(default = false)]
    momentum: bool,
}

fn train(tensorboard: &TensorBoard, artifacts: &Path) -> Oscillator {
    let device = Device::flex().autodiff();
    let (train, valid) = loaders(TRAIN_BATCHES);
    let result = SupervisedTraining::new(artifacts, train, valid)
        .num_epochs(EPOCHS)
        .metric_train_numeric(LossMetric::new())
        .metric_valid_numeric(LossMetric::new())
        .with_metric_logger(tensorboard.metric_logger())
        .with_application_logger(None)
        .launch(learner(&device));
    assert!(
        result.error.is_none(),
        "training failed: {:?}",
        result.error
    );
    result.model
}

fn runs(logdir: &Path) -> BTreeMap<String, RunData> {
    discover_runs(logdir)
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .map(|run| {
            let data = RunData::read(&run).unwrap_or_else(|e| panic!("{e}"));
            (run.name, data)
        })
        .collect()
}

fn steps(data: &RunData, tag: &str) -> Vec<i64> {
    data.scalars
        .get(tag)
        .map(|points| points.iter().map(|p| p.step).collect())
        .unwrap_or_default()
}

#[test]
fn train_and_valid_are_runs_with_the_same_tags_batch_steps_and_epoch_values() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let logdir = dir.path().join("tb");
    let tensorboard = TensorBoard::new(&logdir).unwrap_or_else(|e| panic!("{e}"));
    train(&tensorboard, &dir.path().join("burn"));
    tensorboard.close().unwrap_or_else(|e| panic!("{e}"));

    let runs = runs(&logdir);
    assert_eq!(runs.keys().collect::<Vec<_>>(), ["train", "valid"]);
    let (train, valid) = (&runs["train"], &runs["valid"]);
    // One step per batch of the split, counted over all epochs: burn's iteration.
    let train_steps: Vec<i64> = (1..=(EPOCHS * TRAIN_BATCHES) as i64).collect();
    let valid_steps: Vec<i64> = (1..=(EPOCHS * 2) as i64).collect();
    assert_eq!(steps(train, "Loss"), train_steps);
    assert_eq!(steps(valid, "Loss"), valid_steps);
    let epochs: Vec<i64> = (1..=EPOCHS as i64).collect();
    assert_eq!(steps(train, "epoch/Loss"), epochs);
    assert_eq!(steps(valid, "epoch/Loss"), epochs);

    // The epoch values are burn's: the validation loss (w - 0.5)^2, w = (-0.8)^(batches so far).
    let valid_epoch: Vec<f64> = valid.scalars["epoch/Loss"]
        .iter()
        .map(|p| p.value)
        .collect();
    for (epoch, value) in valid_epoch.iter().enumerate() {
        let w = (-0.8f64).powi(TRAIN_BATCHES as i32 * (epoch as i32 + 1));
        let expected = (w - 0.5).powi(2);
        assert!(
            (value - expected).abs() < 1e-4,
            "epoch {}: {value} vs {expected}",
            epoch + 1
        );
    }
}

/// Every summary value of every run, in file order: (run, tag, step, metadata).
fn raw_values(logdir: &Path) -> Vec<(String, String, i64, Option<SummaryMetadata>)> {
    let mut out = Vec::new();
    for run in discover_runs(logdir).unwrap_or_else(|e| panic!("{e}")) {
        for file in &run.files {
            let reader = EventFileReader::open(file).unwrap_or_else(|e| panic!("{e}"));
            for record in reader {
                let event: Event = record.unwrap_or_else(|e| panic!("{e}"));
                let Some(event::What::Summary(summary)) = event.what else {
                    continue;
                };
                for value in summary.value {
                    out.push((run.name.clone(), value.tag, event.step, value.metadata));
                }
            }
        }
    }
    out
}

/// The first scalar of each tag carries burn's description of the metric.
#[test]
fn the_first_scalar_of_a_tag_carries_the_metrics_description() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let logdir = dir.path().join("tb");
    let tensorboard = TensorBoard::new(&logdir).unwrap_or_else(|e| panic!("{e}"));
    train(&tensorboard, &dir.path().join("burn"));
    tensorboard.close().unwrap_or_else(|e| panic!("{e}"));

    let mut descriptions: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for (run, tag, _, metadata) in raw_values(&logdir) {
        let Some(metadata) = metadata else { continue };
        if !metadata.summary_description.is_empty() {
            descriptions
                .entry((run, tag))
                .or_default()
                .push(metadata.summary_description);
        }
    }
    let loss = &descriptions[&("valid".to_string(), "Loss".to_string())];
    assert_eq!(loss.len(), 1, "only the first event carries it");
    assert!(loss[0].contains("Lower is better"), "{}", loss[0]);
    let epoch = &descriptions[&("train".to_string(), "epoch/Loss".to_string())];
    assert!(epoch[0].contains("step = epoch"), "{}", epoch[0]);
}

#[test]
fn single_run_layout_puts_the_split_in_the_tag() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let logdir = dir.path().join("tb");
    let tensorboard = TensorBoard::builder(&logdir)
        .layout(Layout::SingleRun)
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    train(&tensorboard, &dir.path().join("burn"));
    tensorboard.close().unwrap_or_else(|e| panic!("{e}"));

    let runs = runs(&logdir);
    assert_eq!(runs.keys().collect::<Vec<_>>(), ["."]);
    let tags: Vec<&String> = runs["."].scalars.keys().collect();
    assert_eq!(
        tags,
        [
            "epoch/train/Loss",
            "epoch/valid/Loss",
            "train/Loss",
            "valid/Loss"
        ]
    );
}

#[test]
fn hparams_rows_and_weight_histograms_land_beside_the_scalars() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let logdir = dir.path().join("tb");
    let tensorboard = TensorBoard::new(&logdir).unwrap_or_else(|e| panic!("{e}"));
    let device = Device::flex();
    tensorboard
        .add_module_histograms(&Oscillator::new(&device), 0)
        .unwrap_or_else(|e| panic!("{e}"));
    let model = train(&tensorboard, &dir.path().join("burn"));
    tensorboard
        .add_module_histograms(&model, EPOCHS as u64)
        .unwrap_or_else(|e| panic!("{e}"));
    tensorboard
        .add_hparams(&OscillatorConfig::new())
        .unwrap_or_else(|e| panic!("{e}"));
    tensorboard.close().unwrap_or_else(|e| panic!("{e}"));

    let runs = runs(&logdir);
    let histograms = &runs["train"].histograms["weights/weight"];
    assert_eq!(
        histograms.iter().map(|h| h.step).collect::<Vec<_>>(),
        [0, EPOCHS as i64]
    );
    // One HPARAMS row per split run, at the last epoch, its metrics the run's epoch tags.
    let sessions: Vec<(String, i64)> = raw_values(&logdir)
        .into_iter()
        .filter(|(_, tag, _, _)| tag == "_hparams_/session_start_info")
        .map(|(run, _, step, _)| (run, step))
        .collect();
    let last = EPOCHS as i64;
    assert_eq!(
        sessions,
        [("train".to_string(), last), ("valid".to_string(), last)]
    );
}
