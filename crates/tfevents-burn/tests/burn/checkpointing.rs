//! burn's best-epoch checkpointing reads the validation loss back through `read_numeric`: it
//! must keep the same epoch with our logger as with burn's own file logger, whichever
//! loggers are registered and in whichever order.

use std::path::Path;

use super::common::*;
use burn::tensor::Device;
use burn::train::checkpoint::MetricCheckpointingStrategy;
use burn::train::logger::FileMetricLogger;
use burn::train::metric::store::{Aggregate, Direction, EpochSummary, MetricsUpdate, Split};
use burn::train::metric::{LossMetric, MetricDefinition, NumericEntry};
use burn::train::SupervisedTraining;
use burn_train::logger::MetricLogger;
use tfevents_burn::TensorBoard;

/// Trains the oscillator for six epochs with the loggers `register` adds and returns the
/// epochs whose checkpoint the strategy kept.
fn kept_epochs(
    register: impl FnOnce(SupervisedTraining<Oscillator>, &Path) -> SupervisedTraining<Oscillator>,
) -> Vec<usize> {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let device = Device::flex().autodiff();
    let (train, valid) = loaders(1);
    let training = SupervisedTraining::new(dir.path(), train, valid)
        .num_epochs(EPOCHS)
        .with_default_checkpointers()
        .with_checkpointing_strategy(MetricCheckpointingStrategy::new(
            &LossMetric::new(),
            Aggregate::Mean,
            Direction::Lowest,
            Split::Valid,
        ))
        .metric_train_numeric(LossMetric::new())
        .metric_valid_numeric(LossMetric::new())
        .with_application_logger(None);
    let result = register(training, dir.path()).launch(learner(&device));
    assert!(
        result.error.is_none(),
        "training failed: {:?}",
        result.error
    );
    kept_checkpoints(dir.path())
}

fn tensorboard(dir: &Path) -> TensorBoard {
    TensorBoard::new(dir.join("tb")).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn burns_file_logger_alone_keeps_the_epoch_of_lowest_validation_loss() {
    let kept = kept_epochs(|t, dir| t.with_metric_logger(FileMetricLogger::new(dir.join("burn"))));
    assert_eq!(kept, vec![BEST_EPOCH]);
}

#[test]
fn our_logger_alone_keeps_the_same_epoch_as_burns_file_logger() {
    let burn = kept_epochs(|t, dir| t.with_metric_logger(FileMetricLogger::new(dir.join("burn"))));
    let ours = kept_epochs(|t, dir| t.with_metric_logger(tensorboard(dir).metric_logger()));
    assert_eq!(ours, burn);
    assert_eq!(ours, vec![BEST_EPOCH]);
}

#[test]
fn our_logger_first_or_after_burns_file_logger_keeps_the_same_epoch() {
    let first = kept_epochs(|t, dir| {
        t.with_metric_logger(tensorboard(dir).metric_logger())
            .with_metric_logger(FileMetricLogger::new(dir.join("burn")))
    });
    let after = kept_epochs(|t, dir| {
        t.with_metric_logger(FileMetricLogger::new(dir.join("burn")))
            .with_metric_logger(tensorboard(dir).metric_logger())
    });
    assert_eq!(first, vec![BEST_EPOCH]);
    assert_eq!(after, vec![BEST_EPOCH]);
}

/// A logger that remembers nothing, as the third-party loggers the issue names: registered
/// first, it hides the numbers from burn, which then keeps the last epoch. This is what the
/// tests above would see if our `read_numeric` did not tell the truth.
struct Forgetful;

impl MetricLogger for Forgetful {
    fn log(&mut self, _update: MetricsUpdate, _epoch: usize, _split: &Split) {}
    fn read_numeric(
        &mut self,
        _name: &str,
        _epoch: usize,
        _split: &Split,
    ) -> Result<Vec<NumericEntry>, String> {
        Ok(Vec::new())
    }
    fn log_metric_definition(&mut self, _definition: MetricDefinition) {}
    fn log_epoch_summary(&mut self, _summary: EpochSummary) {}
}

#[test]
fn a_logger_that_forgets_registered_first_breaks_checkpointing() {
    let kept = kept_epochs(|t, dir| {
        t.with_metric_logger(Forgetful)
            .with_metric_logger(tensorboard(dir).metric_logger())
    });
    assert_eq!(kept, vec![EPOCHS]);
}
