//! [`TensorBoard`]: the handle a burn user keeps, and the builder of its options.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use burn_core::module::Module;
use tfevents::writer::{HParamsOptions, HParamsRun};

use crate::error::{Error, Result};
use crate::histograms::ParamCollector;
use crate::history::DEFAULT_MAX_ENTRIES_PER_EPOCH;
use crate::layout::Layout;
use crate::logger::TensorBoardLogger;
use crate::recorder::Recorder;

/// TensorBoard logs for one burn training run.
///
/// Give [`metric_logger`](Self::metric_logger) to burn's `SupervisedTraining`, keep this
/// handle for what burn's loop does not log (hparams, weight histograms), and
/// [`close`](Self::close) it at the end: that is where write failures inside burn's loop are
/// reported.
///
/// ```no_run
/// # fn main() -> tfevents_burn::Result<()> {
/// let tensorboard = tfevents_burn::TensorBoard::new("runs/mnist")?;
/// // SupervisedTraining::new(..).with_metric_logger(tensorboard.metric_logger())
/// tensorboard.close()?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct TensorBoard {
    recorder: Arc<Mutex<Recorder>>,
}

/// Options of a [`TensorBoard`].
#[derive(Clone, Debug)]
pub struct TensorBoardBuilder {
    logdir: PathBuf,
    layout: Layout,
    max_entries_per_epoch: usize,
}

impl TensorBoardBuilder {
    /// How the splits are laid out: [`Layout::RunPerSplit`] (the default) or
    /// [`Layout::SingleRun`].
    pub fn layout(mut self, layout: Layout) -> Self {
        self.layout = layout;
        self
    }

    /// The most numeric entries kept per split, metric and epoch for `read_numeric`
    /// (default 100 000). Past it, the oldest half is folded into one entry with the same
    /// weighted mean, the only thing burn computes from them.
    pub fn max_entries_per_epoch(mut self, max: usize) -> Self {
        self.max_entries_per_epoch = max;
        self
    }

    /// Creates the log directory and the training and validation runs.
    ///
    /// Errors when the directory cannot be created or written, here rather than inside
    /// burn's training loop.
    pub fn build(self) -> Result<TensorBoard> {
        let recorder = Recorder::create(&self.logdir, self.layout, self.max_entries_per_epoch)?;
        Ok(TensorBoard {
            recorder: Arc::new(Mutex::new(recorder)),
        })
    }
}

impl TensorBoard {
    /// Logs into `logdir` with the default options: one run per split.
    pub fn new(logdir: impl AsRef<Path>) -> Result<Self> {
        Self::builder(logdir).build()
    }

    /// A builder for the other options.
    pub fn builder(logdir: impl AsRef<Path>) -> TensorBoardBuilder {
        TensorBoardBuilder {
            logdir: logdir.as_ref().to_path_buf(),
            layout: Layout::default(),
            max_entries_per_epoch: DEFAULT_MAX_ENTRIES_PER_EPOCH,
        }
    }

    /// The log directory: `tensorboard --logdir <this>`.
    pub fn logdir(&self) -> PathBuf {
        self.lock().logdir().to_path_buf()
    }

    /// burn's `MetricLogger` writing to this handle's runs:
    /// `SupervisedTraining::with_metric_logger(tensorboard.metric_logger())`.
    pub fn metric_logger(&self) -> TensorBoardLogger {
        TensorBoardLogger::new(Arc::clone(&self.recorder))
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Recorder> {
        // A panic elsewhere while logging leaves the state consistent enough to keep writing.
        self.recorder
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Logs `config` (a burn `Config`, or any `serde::Serialize` struct) as one row of the
    /// HPARAMS table per run that has epoch values (with the default layout: `train` and
    /// `valid`), its metrics the latest `epoch/<metric>` values of that run.
    ///
    /// Call it after training: the metric columns are the epoch tags logged so far.
    pub fn add_hparams<C: burn_core::serde::Serialize + ?Sized>(&self, config: &C) -> Result<()> {
        let hparams = crate::hparams::config_hparams(config)?;
        let mut recorder = self.lock();
        let runs: Vec<(PathBuf, Vec<(String, f64)>)> = recorder
            .epoch_values()
            .iter()
            .map(|(run, values)| {
                let metrics = values.iter().map(|(tag, v)| (tag.clone(), *v)).collect();
                (run.clone(), metrics)
            })
            .collect();
        let options = HParamsOptions {
            run: HParamsRun::SameRun,
            domains: Vec::new(),
            global_step: i64::try_from(recorder.last_epoch()).unwrap_or(i64::MAX),
            // The epoch values are logged already, under these very tags.
            skip_metric_values: true,
        };
        for (run, metrics) in runs {
            let writer = recorder.writer_for_run(&run)?;
            writer
                .add_hparams_with(&hparams, &metrics, &options)
                .map_err(|source| Error::Events {
                    run: writer.log_dir().to_path_buf(),
                    source,
                })?;
        }
        Ok(())
    }

    /// Logs a histogram of each float parameter of `module` at `step` (for example the
    /// epoch), tagged `weights/<path>` (`weights/fc1/weight`), in the training run.
    ///
    /// A parameter that cannot be a histogram (empty, or holding NaN or infinite values) is
    /// skipped and named in the `Err`; the others are logged.
    pub fn add_module_histograms<M: Module>(&self, module: &M, step: u64) -> Result<()> {
        let mut collector = ParamCollector::default();
        module.visit(&mut collector);
        let mut recorder = self.lock();
        let run = recorder.training_run();
        let writer = recorder.writer_for_run(&run)?;
        let mut skipped = Vec::new();
        for (path, values) in collector.params {
            let tag = format!("weights/{path}");
            let result = values.and_then(|values| {
                writer
                    .add_histogram(&tag, &values[..], step)
                    .map_err(|e| e.to_string())
            });
            if let Err(reason) = result {
                skipped.push(format!("{tag}: {reason}"));
            }
        }
        if skipped.is_empty() {
            Ok(())
        } else {
            Err(Error::Histograms { skipped })
        }
    }

    /// Writes everything logged so far to the files. `Err` if a write failed, now or inside
    /// burn's training loop (which cannot take errors): the files keep every event written
    /// before the first failure.
    pub fn flush(&self) -> Result<()> {
        self.lock().flush()
    }

    /// [`flush`](Self::flush), then closes the files. Later logging is refused (and counted
    /// as a failure). Dropping every handle and the logger closes too, without reporting.
    pub fn close(&self) -> Result<()> {
        self.lock().close()
    }
}
