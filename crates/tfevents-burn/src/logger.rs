//! burn's `MetricLogger` trait, implemented on the shared recorder.

use std::sync::{Arc, Mutex, MutexGuard};

use burn_train::logger::MetricLogger;
use burn_train::metric::store::{EpochSummary, MetricsUpdate, Split};
use burn_train::metric::{MetricDefinition, NumericEntry};

use crate::recorder::Recorder;

/// burn's `MetricLogger` writing TensorBoard event files; made by
/// [`TensorBoard::metric_logger`](crate::TensorBoard::metric_logger).
///
/// - Per batch: each numeric metric as a scalar at the split's step, which counts the
///   split's batches over all epochs (burn's iteration, not items).
/// - Per epoch: each numeric metric's epoch value (the one burn's checkpointing and the
///   terminal show) as `epoch/<metric>` at step = epoch; each text metric's epoch text.
/// - `read_numeric` returns every numeric entry burn logged, as burn's own file logger
///   does, so checkpointing and early stopping work with this logger alone or beside others.
#[derive(Debug)]
pub struct TensorBoardLogger {
    recorder: Arc<Mutex<Recorder>>,
}

impl TensorBoardLogger {
    pub(crate) fn new(recorder: Arc<Mutex<Recorder>>) -> Self {
        Self { recorder }
    }

    fn lock(&self) -> MutexGuard<'_, Recorder> {
        self.recorder
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl MetricLogger for TensorBoardLogger {
    fn log(&mut self, update: MetricsUpdate, epoch: usize, split: &Split) {
        self.lock().log(&update, epoch, split);
    }

    fn read_numeric(
        &mut self,
        name: &str,
        epoch: usize,
        split: &Split,
    ) -> Result<Vec<NumericEntry>, String> {
        self.lock().read_numeric(name, epoch, split)
    }

    fn log_metric_definition(&mut self, definition: MetricDefinition) {
        self.lock().define(definition);
    }

    fn log_epoch_summary(&mut self, summary: EpochSummary) {
        self.lock().epoch_summary(&summary);
    }
}

impl Drop for TensorBoardLogger {
    /// burn drops its loggers when training ends: write what is held, so nothing logged is
    /// lost even if the handle is never closed.
    fn drop(&mut self) {
        // Failures stay recorded for the handle's `flush` or `close` to report.
        let _ = self.lock().flush();
    }
}
