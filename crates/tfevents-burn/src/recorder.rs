//! The state behind the logger and its handle: one writer per run, the step of each split,
//! the numeric history, and the failures of writes made inside burn's training loop.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use burn_train::metric::store::{EpochSummary, MetricsUpdate, Split};
use burn_train::metric::{MetricAttributes, MetricDefinition, MetricId, NumericEntry};
use tfevents::summary::scalar::{scalar_summary_with, ScalarOptions};
use tfevents::SummaryWriter;

use crate::error::{Error, Result};
use crate::history::NumericHistory;
use crate::layout::Layout;

/// The last update of a split, held until the next one or the split's end: burn sends its
/// end-of-epoch values (the epoch mean, a metric computed over the whole epoch) as one more
/// update just before the epoch summary, and these are epoch values, not one more batch.
#[derive(Debug)]
struct Pending {
    numeric: Vec<(String, f64)>,
    texts: Vec<(String, String)>,
}

/// The failures of writes made inside burn's loop, which cannot return errors.
#[derive(Debug, Default)]
struct Failures {
    count: usize,
    first: Option<String>,
}

/// Everything the logger keeps.
#[derive(Debug)]
pub(crate) struct Recorder {
    logdir: PathBuf,
    layout: Layout,
    writers: HashMap<PathBuf, SummaryWriter>,
    definitions: HashMap<MetricId, MetricDefinition>,
    /// Runs and tags whose first scalar (the one carrying the description) was written.
    described: HashSet<(PathBuf, String)>,
    /// Batches logged per split, over all epochs: the step of the split's scalars.
    steps: HashMap<Split, u64>,
    pending: HashMap<Split, Pending>,
    history: NumericHistory,
    /// The latest epoch value of each epoch tag, by run: the metrics of the hparams table.
    epoch_values: BTreeMap<PathBuf, BTreeMap<String, f64>>,
    last_epoch: usize,
    failures: Failures,
    closed: bool,
}

impl Recorder {
    /// Creates the log directory and the runs of the training and validation splits, so that
    /// a directory that cannot be written fails here and not inside burn's loop.
    pub(crate) fn create(
        logdir: &Path,
        layout: Layout,
        max_entries_per_epoch: usize,
    ) -> Result<Self> {
        std::fs::create_dir_all(logdir).map_err(|source| Error::LogDir {
            path: logdir.to_path_buf(),
            source,
        })?;
        let mut recorder = Self {
            logdir: logdir.to_path_buf(),
            layout,
            writers: HashMap::new(),
            definitions: HashMap::new(),
            described: HashSet::new(),
            steps: HashMap::new(),
            pending: HashMap::new(),
            history: NumericHistory::new(max_entries_per_epoch),
            epoch_values: BTreeMap::new(),
            last_epoch: 0,
            failures: Failures::default(),
            closed: false,
        };
        for split in [Split::Train, Split::Valid] {
            recorder.writer(&split)?;
        }
        Ok(recorder)
    }

    /// The log directory.
    pub(crate) fn logdir(&self) -> &Path {
        &self.logdir
    }

    /// The writer of `split`'s run, created on first use.
    fn writer(&mut self, split: &Split) -> Result<SummaryWriter> {
        let run = self.layout.run_dir(split);
        self.run_writer(&run)
    }

    fn run_writer(&mut self, run: &Path) -> Result<SummaryWriter> {
        if self.closed {
            return Err(Error::Events {
                run: self.logdir.join(run),
                source: tfevents::Error::Closed,
            });
        }
        if let Some(writer) = self.writers.get(run) {
            return Ok(writer.clone());
        }
        let dir = self.logdir.join(run);
        std::fs::create_dir_all(&dir).map_err(|source| Error::LogDir {
            path: dir.clone(),
            source,
        })?;
        let writer =
            SummaryWriter::new(&dir).map_err(|source| Error::Events { run: dir, source })?;
        self.writers.insert(run.to_path_buf(), writer.clone());
        Ok(writer)
    }

    fn fail(&mut self, message: String) {
        self.failures.count += 1;
        log::error!("tfevents-burn: {message}");
        self.failures.first.get_or_insert(message);
    }

    /// Records a failure of a call made inside burn's loop instead of returning it.
    fn check(&mut self, result: Result<()>) {
        if let Err(error) = result {
            self.fail(error.to_string());
        }
    }

    pub(crate) fn define(&mut self, definition: MetricDefinition) {
        self.definitions
            .insert(definition.metric_id.clone(), definition);
    }

    fn name_of(&self, id: &MetricId) -> Option<String> {
        self.definitions.get(id).map(|d| d.name.to_string())
    }

    /// One update of burn's metrics: kept for `read_numeric` at once, written as a batch
    /// when the next update of the split shows that it was one.
    pub(crate) fn log(&mut self, update: &MetricsUpdate, epoch: usize, split: &Split) {
        self.flush_pending_batch(split);
        let mut numeric = Vec::with_capacity(update.entries_numeric.len());
        for item in &update.entries_numeric {
            let serialized = &item.entry.serialized_entry;
            if serialized.is_not_available() {
                continue;
            }
            let Some(name) = self.name_of(&item.entry.metric_id) else {
                self.fail_undefined(&item.entry.metric_id);
                continue;
            };
            self.history
                .record(split, &name, epoch, &serialized.serialized);
            if let Ok(entry) = NumericEntry::deserialize(&serialized.serialized) {
                numeric.push((name, entry.current()));
            }
        }
        let mut texts = Vec::with_capacity(update.entries.len());
        for item in &update.entries {
            let serialized = &item.serialized_entry;
            if serialized.is_not_available() {
                continue;
            }
            let Some(name) = self.name_of(&item.metric_id) else {
                self.fail_undefined(&item.metric_id);
                continue;
            };
            // burn's file logger keeps these beside the numeric entries, where its
            // `read_numeric` fails to parse them: the history answers the same.
            self.history
                .record(split, &name, epoch, &serialized.serialized);
            texts.push((name, serialized.formatted.clone()));
        }
        self.pending
            .insert(split.clone(), Pending { numeric, texts });
    }

    fn fail_undefined(&mut self, id: &MetricId) {
        self.fail(format!(
            "an entry of metric {id:?} came before burn defined the metric; it was not logged"
        ));
    }

    /// Writes the split's held update as one batch at the split's next step.
    fn flush_pending_batch(&mut self, split: &Split) {
        let Some(pending) = self.pending.remove(split) else {
            return;
        };
        if pending.numeric.is_empty() {
            return;
        }
        let step = {
            let step = self.steps.entry(split.clone()).or_insert(0);
            *step += 1;
            *step
        };
        for (name, value) in pending.numeric {
            let tag = self.layout.batch_tag(split, &name);
            let result = self.scalar(split, &tag, &name, value, step, false);
            self.check(result);
        }
    }

    /// The end of a split's epoch: its held update holds the epoch values.
    pub(crate) fn epoch_summary(&mut self, summary: &EpochSummary) {
        let split = &summary.split;
        let epoch = summary.epoch_number;
        self.last_epoch = self.last_epoch.max(epoch);
        let Some(pending) = self.pending.remove(split) else {
            return;
        };
        let run = self.layout.run_dir(split);
        for (name, value) in pending.numeric {
            let tag = self.layout.epoch_tag(split, &name);
            let result = self.scalar(split, &tag, &name, value, epoch as u64, true);
            self.check(result);
            self.epoch_values
                .entry(run.clone())
                .or_default()
                .insert(tag, value);
        }
        for (name, text) in pending.texts {
            let tag = self.layout.batch_tag(split, &name);
            let result = self.writer(split).and_then(|writer| {
                writer
                    .add_text(&tag, &text, epoch as u64)
                    .map_err(|source| Error::Events {
                        run: writer.log_dir().to_path_buf(),
                        source,
                    })
            });
            self.check(result);
        }
    }

    /// Writes one scalar; the first of each run and tag carries the metric's description.
    fn scalar(
        &mut self,
        split: &Split,
        tag: &str,
        name: &str,
        value: f64,
        step: u64,
        epoch: bool,
    ) -> Result<()> {
        let writer = self.writer(split)?;
        let options = ScalarOptions {
            new_style: true,
            double_precision: false,
        };
        let mut summary = scalar_summary_with(tag, value, options);
        let run = self.layout.run_dir(split);
        if self.described.insert((run, tag.to_string())) {
            let description = self.description(name, epoch);
            if let Some(metadata) = summary.value.first_mut().and_then(|v| v.metadata.as_mut()) {
                metadata.display_name = tag.to_string();
                metadata.summary_description = description;
            }
        }
        writer
            .add_summary(summary, step)
            .map_err(|source| Error::Events {
                run: writer.log_dir().to_path_buf(),
                source,
            })
    }

    /// The chart's description: burn's description of the metric, its unit and direction.
    fn description(&self, name: &str, epoch: bool) -> String {
        let definition = self.definitions.values().find(|d| d.name.as_str() == name);
        let mut parts = Vec::new();
        if epoch {
            parts.push(format!(
                "{name} for each epoch, as burn computes it at the epoch's end (step = epoch)."
            ));
        } else {
            parts.push(format!(
                "{name} of each batch (step = batches of this split so far)."
            ));
        }
        if let Some(text) = definition.and_then(|d| d.description.as_deref()) {
            parts.push(text.to_string());
        }
        if let Some(MetricAttributes::Numeric(numeric)) = definition.map(|d| &d.attributes) {
            if let Some(unit) = &numeric.unit {
                parts.push(format!("Unit: {unit}."));
            }
            parts.push(if numeric.higher_is_better {
                "Higher is better.".to_string()
            } else {
                "Lower is better.".to_string()
            });
        }
        parts.join("\n\n")
    }

    pub(crate) fn read_numeric(
        &self,
        name: &str,
        epoch: usize,
        split: &Split,
    ) -> std::result::Result<Vec<NumericEntry>, String> {
        self.history.read(split, name, epoch)
    }

    /// Runs that hold epoch values, each with its latest value by tag.
    pub(crate) fn epoch_values(&self) -> &BTreeMap<PathBuf, BTreeMap<String, f64>> {
        &self.epoch_values
    }

    /// The highest epoch summarised so far.
    pub(crate) fn last_epoch(&self) -> usize {
        self.last_epoch
    }

    /// The writer of a run directory (relative to the log directory).
    pub(crate) fn writer_for_run(&mut self, run: &Path) -> Result<SummaryWriter> {
        self.run_writer(run)
    }

    /// The run that module histograms and other run-wide data go to: the training run.
    pub(crate) fn training_run(&self) -> PathBuf {
        self.layout.run_dir(&Split::Train)
    }

    /// Writes every held update as a batch (a split interrupted mid-epoch) and flushes the
    /// files; `Err` if any write failed, now or inside burn's loop.
    pub(crate) fn flush(&mut self) -> Result<()> {
        let splits: Vec<Split> = self.pending.keys().cloned().collect();
        for split in splits {
            self.flush_pending_batch(&split);
        }
        let mut result = Ok(());
        for (run, writer) in &self.writers {
            if let Err(source) = writer.flush() {
                if result.is_ok() {
                    result = Err(Error::Events {
                        run: self.logdir.join(run),
                        source,
                    });
                }
            }
        }
        result?;
        self.failure_report()
    }

    /// [`flush`](Self::flush), then closes every file; later writes are refused.
    pub(crate) fn close(&mut self) -> Result<()> {
        if self.closed {
            return self.failure_report();
        }
        let flushed = self.flush();
        self.closed = true;
        let mut closed = Ok(());
        for (run, writer) in self.writers.drain() {
            if let Err(source) = writer.close() {
                if closed.is_ok() {
                    closed = Err(Error::Events {
                        run: self.logdir.join(run),
                        source,
                    });
                }
            }
        }
        flushed.and(closed)
    }

    fn failure_report(&self) -> Result<()> {
        match &self.failures.first {
            None => Ok(()),
            Some(first) => Err(Error::Training {
                count: self.failures.count,
                first: first.clone(),
            }),
        }
    }
}
