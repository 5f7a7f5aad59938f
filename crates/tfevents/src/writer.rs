//! [`SummaryWriter`]: the public logging API, shaped like PyTorch's
//! `torch.utils.tensorboard.SummaryWriter`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use crate::error::{Error, Result};
use crate::event_writer::{
    hostname, now_secs, DeferredEvent, EventFileOptions, EventFileWriter, DEFAULT_FLUSH_SECS,
    DEFAULT_MAX_QUEUE,
};
use crate::proto::{event, summary, Event, HistogramProto, Summary};
use crate::step::to_step;
use crate::summary::histogram::{make_histogram, Bins, HistogramValues};
use crate::summary::scalar::{scalar_summary, ScalarOptions, ScalarValue};
use crate::summary::text::text_summary;

mod audio;
mod boxes;
mod custom_scalars;
mod distributed;
#[cfg(feature = "figures")]
mod figure;
mod graph;
mod hparams;
mod images;
mod mesh;
mod projector;
mod run_path;
mod scalars;
pub use scalars::ScalarPair;
mod pr_curve;
#[cfg(feature = "video")]
mod video;
pub use distributed::{RankInfo, RankLayout, RankWriter};
pub use hparams::{HParamsOptions, HParamsRun};
pub use images::IntoDataFormat;
pub use run_path::{
    check_file_name_part, check_run_name, run_dir, MAX_NAME_BYTES, MAX_RUN_NAME_BYTES,
};

/// Where event files go: the local directory, or an object store (feature `remote`).
#[cfg(feature = "remote")]
type Remote = Option<crate::remote::RemoteLogDir>;
#[cfg(not(feature = "remote"))]
type Remote = ();

fn open_event_file(
    remote: &Remote,
    dir: &Path,
    options: EventFileOptions,
) -> Result<EventFileWriter> {
    #[cfg(feature = "remote")]
    if let Some(remote) = remote {
        return remote.event_writer_at(dir, options);
    }
    let _ = remote;
    EventFileWriter::new(dir, options)
}

/// Writes TensorBoard event files for one run.
///
/// Cheap to clone and `Send + Sync`: clones share the same files, so data-loader threads can
/// log too. Every `add_*` call only queues its event; a background thread writes them, every
/// [`DEFAULT_FLUSH_SECS`] seconds or when the queue fills, and on [`flush`](Self::flush),
/// [`close`](Self::close) and when the last clone is dropped.
///
/// Write errors are sticky, as in TensorBoard's own writer: after a failed write (a full disk,
/// an I/O error, a deleted log directory), the file keeps every complete record that reached
/// it and every later call returns [`Error::Writer`] saying how many of the accepted events
/// were written. Log to a new writer once the cause is fixed.
///
/// ```no_run
/// use tfevents::SummaryWriter;
/// # fn main() -> tfevents::Result<()> {
/// let writer = SummaryWriter::new("runs/example")?;
/// for step in 0..100 {
///     writer.add_scalar("y=2x", 2.0 * step as f64, step)?;
/// }
/// writer.add_scalars("data/scalar_group", [("xsinx", 0.5), ("xcosx", 0.8)], 0)?;
/// writer.add_text("notes", "**bold** Markdown works", 0)?;
/// writer.close()?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct SummaryWriter {
    inner: Arc<Inner>,
    /// A fixed wall time for the events of this handle, see [`SummaryWriter::with_wall_time`].
    wall_time: Option<f64>,
}

#[derive(Debug)]
struct Inner {
    log_dir: PathBuf,
    options: EventFileOptions,
    main: EventFileWriter,
    remote: Remote,
    /// One writer per `add_scalars` sub-run, created on first use as PyTorch does.
    sub_runs: Mutex<HashMap<PathBuf, Arc<EventFileWriter>>>,
    /// Set by `close()` (under the `sub_runs` lock), so no sub-run is created after it.
    closed: AtomicBool,
}

/// Builds a [`SummaryWriter`] with PyTorch's options.
#[derive(Clone, Debug, Default)]
pub struct SummaryWriterBuilder {
    log_dir: Option<PathBuf>,
    comment: String,
    options: EventFileOptions,
    #[cfg(feature = "remote")]
    remote: crate::remote::BuilderTarget,
}

impl SummaryWriterBuilder {
    /// The run's directory. Without it: `runs/<Mon><DD>_<HH>-<MM>-<SS>_<hostname><comment>`.
    pub fn log_dir(mut self, log_dir: impl AsRef<Path>) -> Self {
        self.log_dir = Some(log_dir.as_ref().to_path_buf());
        self
    }

    /// The run's directory as a URL: `s3://bucket/prefix`, `gs://…`, `az://…`, `file://…` or a
    /// plain path (the last two write ordinary local files). Remote runs are uploaded as segment
    /// objects, see [`crate::remote`]. Replaces [`log_dir`](Self::log_dir).
    #[cfg(feature = "remote")]
    pub fn log_dir_url(mut self, url: impl Into<String>) -> Self {
        self.remote = crate::remote::BuilderTarget::Url(url.into());
        self
    }

    /// The run's directory in an object store opened with custom
    /// [`RemoteOptions`](crate::remote::RemoteOptions); its [`stats`](crate::remote::RemoteLogDir::stats)
    /// count this writer's uploads.
    #[cfg(feature = "remote")]
    pub fn remote_log_dir(mut self, dir: crate::remote::RemoteLogDir) -> Self {
        self.remote = crate::remote::BuilderTarget::Dir(dir);
        self
    }

    /// Appended to the default log directory's name; ignored when `log_dir` is given, as in
    /// PyTorch.
    pub fn comment(mut self, comment: impl Into<String>) -> Self {
        self.comment = comment.into();
        self
    }

    /// Appended to every event file's name; `build()` refuses a suffix that is not part of
    /// one file name ([`check_file_name_part`]).
    pub fn filename_suffix(mut self, suffix: impl Into<String>) -> Self {
        self.options.filename_suffix = suffix.into();
        self
    }

    /// Queued events before an `add_*` call waits for the disk (default
    /// [`DEFAULT_MAX_QUEUE`]).
    pub fn max_queue(mut self, max_queue: usize) -> Self {
        self.options.max_queue = max_queue;
        self
    }

    /// Seconds between writes of queued events to disk (default [`DEFAULT_FLUSH_SECS`]): at
    /// most this much data is lost if the process is killed. `build()` refuses values outside
    /// [`MIN_FLUSH_SECS`](crate::event_writer::MIN_FLUSH_SECS) to
    /// [`MAX_FLUSH_SECS`](crate::event_writer::MAX_FLUSH_SECS) (and NaN).
    pub fn flush_secs(mut self, flush_secs: f64) -> Self {
        self.options.flush_secs = flush_secs;
        self
    }

    /// `fsync` every event file on [`SummaryWriter::flush`] and [`SummaryWriter::close`], so
    /// what they covered survives a power loss, not only a killed process. Off by default, as
    /// in PyTorch and TensorFlow, whose writers hand events to the operating system without
    /// syncing; see [`EventFileOptions::fsync`] for its cost.
    pub fn fsync(mut self, fsync: bool) -> Self {
        self.options.fsync = fsync;
        self
    }

    /// Makes TensorBoard drop events at this step and later that an earlier (crashed) run
    /// logged in the same directory, so a resumed run does not draw over them.
    pub fn purge_step(mut self, step: i64) -> Self {
        self.options.purge_step = Some(step);
        self
    }

    /// Creates the directory and the event file.
    pub fn build(self) -> Result<SummaryWriter> {
        check_file_name_part(&self.options.filename_suffix)?;
        #[cfg(feature = "remote")]
        let (remote, log_dir) = self.remote.resolve(self.log_dir)?;
        #[cfg(not(feature = "remote"))]
        let (remote, log_dir): (Remote, _) = ((), self.log_dir);
        let log_dir = match log_dir {
            Some(dir) => dir,
            None => default_log_dir(&self.comment),
        };
        let main = open_event_file(&remote, &log_dir, self.options.clone())?;
        let mut options = self.options;
        // Sub-runs never purge: PyTorch applies purge_step to the main file only.
        options.purge_step = None;
        Ok(SummaryWriter {
            inner: Arc::new(Inner {
                log_dir,
                options,
                main,
                remote,
                sub_runs: Mutex::new(HashMap::new()),
                closed: AtomicBool::new(false),
            }),
            wall_time: None,
        })
    }
}

/// PyTorch's default run directory: `runs/Nov22_14-03-59_<hostname><comment>`.
pub fn default_log_dir(comment: &str) -> PathBuf {
    let now = chrono::Local::now().format("%b%d_%H-%M-%S");
    Path::new("runs").join(format!("{now}_{}{comment}", hostname()))
}

fn check_tag(tag: &str) -> Result<()> {
    if tag.is_empty() {
        return Err(Error::BadName {
            what: "tag",
            name: String::new(),
            reason: "is empty; TensorBoard needs a name such as \"loss\" or \"train/accuracy\"",
        });
    }
    Ok(())
}

/// A histogram counted already, under `tag`.
fn histogram_summary(tag: &str, histogram: HistogramProto) -> Summary {
    Summary {
        value: vec![summary::Value {
            tag: tag.to_string(),
            value: Some(summary::value::Value::Histo(histogram)),
            ..Default::default()
        }],
    }
}

/// Refuses a wall time TensorBoard cannot use.
fn check_wall_time(wall_time: f64) -> Result<()> {
    if wall_time.is_finite() {
        Ok(())
    } else {
        Err(Error::BadNumber {
            what: "wall_time".to_string(),
            value: wall_time,
            must: "finite seconds since the Unix epoch",
        })
    }
}

/// What an `add_*` call queues: a summary built on the caller's thread, or one built on the
/// writer thread (PNG and GIF encoding), in order with the other events.
pub(crate) enum Entry {
    /// Built now.
    Now(Summary),
    /// Built on the writer thread by `job`; `bytes` is the memory `job` holds, which bounds
    /// the queue's memory.
    Later {
        /// The bytes `job` holds.
        bytes: usize,
        /// Builds the summary.
        job: Box<dyn FnOnce() -> Result<Summary> + Send + 'static>,
    },
}

impl Entry {
    /// A summary built on the writer thread by `job`, which holds `bytes` bytes.
    pub(crate) fn later(
        bytes: usize,
        job: impl FnOnce() -> Result<Summary> + Send + 'static,
    ) -> Self {
        Entry::Later {
            bytes,
            job: Box::new(job),
        }
    }
}

/// The event of `summary` at `step` and `wall_time`.
fn event_at(summary: Summary, step: i64, wall_time: f64) -> Event {
    Event {
        wall_time,
        step,
        what: Some(event::What::Summary(summary)),
        source_metadata: None,
    }
}

/// A tag as a single path component: separators become `_`.
fn path_safe(tag: &str) -> String {
    tag.replace(['/', '\\'], "_")
}

impl SummaryWriter {
    /// A writer for the run in `log_dir`, with default options.
    pub fn new(log_dir: impl AsRef<Path>) -> Result<Self> {
        Self::builder().log_dir(log_dir).build()
    }

    /// A builder for the other options (`comment`, `filename_suffix`, `max_queue`,
    /// `flush_secs`, `purge_step`).
    pub fn builder() -> SummaryWriterBuilder {
        SummaryWriterBuilder {
            log_dir: None,
            comment: String::new(),
            options: EventFileOptions {
                max_queue: DEFAULT_MAX_QUEUE,
                flush_secs: DEFAULT_FLUSH_SECS,
                ..Default::default()
            },
            #[cfg(feature = "remote")]
            remote: Default::default(),
        }
    }

    /// The run's directory.
    pub fn log_dir(&self) -> &Path {
        &self.inner.log_dir
    }

    /// The main event file.
    pub fn file_path(&self) -> &Path {
        self.inner.main.path()
    }

    /// A handle to the same files that stamps its events with `wall_time` (seconds since the
    /// Unix epoch) instead of the current time, as PyTorch's `walltime=` argument:
    /// `writer.with_wall_time(t).add_scalar("loss", 0.5, 3)?`.
    ///
    /// A NaN or infinite `wall_time` makes every `add_*` call on the returned handle an
    /// [`Error::BadNumber`] (TensorBoard's loader drops such events);
    /// [`try_with_wall_time`](Self::try_with_wall_time) reports it at once instead.
    #[must_use = "the wall time applies only to calls on the returned handle"]
    pub fn with_wall_time(&self, wall_time: f64) -> SummaryWriter {
        SummaryWriter {
            inner: Arc::clone(&self.inner),
            wall_time: Some(wall_time),
        }
    }

    /// [`with_wall_time`](Self::with_wall_time), refusing a NaN or infinite `wall_time` here.
    pub fn try_with_wall_time(&self, wall_time: f64) -> Result<SummaryWriter> {
        check_wall_time(wall_time)?;
        Ok(self.with_wall_time(wall_time))
    }

    /// The wall time for a new event: the fixed one, checked, or now.
    fn checked_wall_time(&self) -> Result<f64> {
        match self.wall_time {
            Some(t) => check_wall_time(t).map(|()| t),
            None => Ok(now_secs()),
        }
    }

    /// `Err(Closed)` once [`close`](Self::close) has begun: the first check of every `add_*`
    /// call, before any input is read or any work is done.
    pub(crate) fn ensure_open(&self) -> Result<()> {
        if self.inner.closed.load(Ordering::Acquire) {
            Err(Error::Closed)
        } else {
            Ok(())
        }
    }

    /// The one path of every tagged `add_*` call: refuses after close, checks the tag, the
    /// step and the wall time, then builds the entry and queues it in the main event file.
    /// Errors of the input, when the entry is built now or on the writer thread, come back as
    /// [`Error::InTag`] naming `tag`.
    pub(crate) fn log<S: TryInto<i64>>(
        &self,
        tag: &str,
        step: S,
        build: impl FnOnce() -> Result<Entry>,
    ) -> Result<()> {
        self.ensure_open()?;
        check_tag(tag)?;
        let step = to_step(step)?;
        let wall_time = self.checked_wall_time()?;
        let entry = build().map_err(|e| e.in_tag(tag))?;
        let entry = match entry {
            Entry::Later { bytes, job } => {
                let tag = tag.to_string();
                Entry::later(bytes, move || job().map_err(|e| e.in_tag(&tag)))
            }
            now => now,
        };
        self.queue(entry, step, wall_time)
    }

    /// Queues `entry` in the main event file.
    fn queue(&self, entry: Entry, step: i64, wall_time: f64) -> Result<()> {
        match entry {
            Entry::Now(summary) => self
                .inner
                .main
                .add_event(&event_at(summary, step, wall_time)),
            Entry::Later { bytes, job } => {
                let deferred: DeferredEvent =
                    Box::new(move || Ok(event_at(job()?, step, wall_time)));
                self.inner.main.add_deferred(deferred, bytes)
            }
        }
    }

    /// Logs a prepared `Summary` (for plugins this crate has no helper for).
    pub fn add_summary<S: TryInto<i64>>(&self, summary: Summary, step: S) -> Result<()> {
        self.ensure_open()?;
        let step = to_step(step)?;
        let wall_time = self.checked_wall_time()?;
        self.queue(Entry::Now(summary), step, wall_time)
    }

    /// Logs a scalar, stored as PyTorch stores it (a 32-bit `simple_value`). NaN and infinite
    /// values are written: TensorBoard shows them, and hiding a diverged loss helps nobody.
    ///
    /// `value` is a float, an integer (`i64`, `u64`, `usize`, ...) or, with the `candle`
    /// feature, a one-element `Tensor`; see [`add_scalar_with`](Self::add_scalar_with) for
    /// PyTorch's `new_style` and `double_precision`.
    pub fn add_scalar<V: ScalarValue, S: TryInto<i64>>(
        &self,
        tag: &str,
        value: V,
        step: S,
    ) -> Result<()> {
        self.add_scalar_with(tag, value, step, ScalarOptions::default())
    }

    /// Logs several scalars in one chart, as PyTorch's `add_scalars`: each `(tag, value)` goes
    /// to its own sub-run `<log_dir>/<main_tag>_<tag>` under the tag `main_tag`, so TensorBoard
    /// draws them as one chart with one line per sub-run.
    ///
    /// In the sub-run's directory name, `/` and `\` in `main_tag` and `tag` become `_` so that
    /// a sub-run never leaves the log directory (PyTorch replaces them in `main_tag` only, and
    /// a `tag` such as `../x` would escape it).
    ///
    /// `scalars` is any iterator of pairs: a slice or array of `(tag, value)`, a `Vec`, a
    /// `HashMap` or `BTreeMap` (by reference or by value).
    pub fn add_scalars<P: ScalarPair, S: TryInto<i64>>(
        &self,
        main_tag: &str,
        scalars: impl IntoIterator<Item = P>,
        step: S,
    ) -> Result<()> {
        self.ensure_open()?;
        check_tag(main_tag)?;
        let step = to_step(step)?;
        let wall_time = self.checked_wall_time()?;
        // Every name is checked, and every sub-run opened, before the first value is queued:
        // a bad name in the middle leaves nothing half logged.
        let mut runs = Vec::new();
        for pair in scalars {
            let (tag, value) = pair.tag_value().map_err(|e| e.in_tag(main_tag))?;
            check_tag(tag).map_err(|e| e.in_tag(main_tag))?;
            let name = format!("{}_{}", path_safe(main_tag), path_safe(tag));
            let dir = run_dir(&self.inner.log_dir, &name).map_err(|e| e.in_tag(main_tag))?;
            runs.push((dir, value));
        }
        let mut writers = Vec::with_capacity(runs.len());
        for (dir, value) in runs {
            writers.push((self.sub_run(dir)?, value));
        }
        for (writer, value) in writers {
            writer.add_event(&event_at(scalar_summary(main_tag, value), step, wall_time))?;
        }
        Ok(())
    }

    fn sub_run(&self, dir: PathBuf) -> Result<Arc<EventFileWriter>> {
        let mut runs = self
            .inner
            .sub_runs
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if self.inner.closed.load(Ordering::Acquire) {
            return Err(Error::Closed);
        }
        if let Some(writer) = runs.get(&dir) {
            return Ok(Arc::clone(writer));
        }
        let writer = Arc::new(open_event_file(
            &self.inner.remote,
            &dir,
            self.inner.options.clone(),
        )?);
        runs.insert(dir, Arc::clone(&writer));
        Ok(writer)
    }

    fn all_files(&self) -> Vec<Arc<EventFileWriter>> {
        self.inner
            .sub_runs
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .values()
            .cloned()
            .collect()
    }

    /// Logs Markdown text, shown in TensorBoard's text dashboard under `<tag>/text_summary`.
    pub fn add_text<S: TryInto<i64>>(&self, tag: &str, text: &str, step: S) -> Result<()> {
        self.log(tag, step, || Ok(Entry::Now(text_summary(tag, text))))
    }

    /// Logs a histogram of `values` (slices of floats or integers, or a candle `Tensor` of any
    /// dtype on any device) with PyTorch's default bins, bucketed exactly as PyTorch and
    /// tensorboardX bucket them. Empty input and NaN/infinite values are errors: see
    /// [`crate::summary::histogram`] for why.
    ///
    /// ```no_run
    /// # fn main() -> tfevents::Result<()> {
    /// # let writer = tfevents::SummaryWriter::new("runs/h")?;
    /// let weights = vec![0.1f32, -0.3, 0.25];
    /// writer.add_histogram("fc1/weight", &weights[..], 0)?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn add_histogram<V: HistogramValues + ?Sized, S: TryInto<i64>>(
        &self,
        tag: &str,
        values: &V,
        step: S,
    ) -> Result<()> {
        self.add_histogram_with(tag, values, step, &Bins::Tensorflow, None)
    }

    /// [`add_histogram`](Self::add_histogram) with PyTorch's `bins` (`"tensorflow"`, a count,
    /// explicit edges, or numpy's `"auto"`, `"fd"`, `"sturges"`) and `max_bins`.
    pub fn add_histogram_with<V: HistogramValues + ?Sized, S: TryInto<i64>>(
        &self,
        tag: &str,
        values: &V,
        step: S,
        bins: &Bins,
        max_bins: Option<usize>,
    ) -> Result<()> {
        self.log(tag, step, || {
            let histogram = make_histogram(values, bins, max_bins)?;
            Ok(Entry::Now(histogram_summary(tag, histogram)))
        })
    }

    /// Logs a histogram counted elsewhere, as PyTorch's `add_histogram_raw`; build it with
    /// [`crate::summary::histogram::raw_histogram`], which checks it.
    pub fn add_histogram_raw<S: TryInto<i64>>(
        &self,
        tag: &str,
        histogram: HistogramProto,
        step: S,
    ) -> Result<()> {
        self.log(tag, step, || {
            Ok(Entry::Now(histogram_summary(tag, histogram)))
        })
    }

    /// Waits until everything logged so far, in every file of the run, is written (and, with
    /// [`SummaryWriterBuilder::fsync`], synced).
    ///
    /// Never `Ok` when an event it covers was lost: once a write failed, this, `close()` and
    /// every `add_*` call on any clone return the same [`Error::Writer`], which counts the
    /// accepted events and those that reached the file.
    pub fn flush(&self) -> Result<()> {
        let mut result = self.inner.main.flush();
        for writer in self.all_files() {
            let flushed = writer.flush();
            if result.is_ok() {
                result = flushed;
            }
        }
        result
    }

    /// Writes everything queued and closes every file of the run. Later calls return
    /// [`Error::Closed`], on this handle and its clones. Dropping the last clone closes too, but
    /// cannot report errors.
    pub fn close(&self) -> Result<()> {
        {
            // Under the lock, so that an `add_scalars` racing with us either got its sub-run
            // before (and `all_files` closes it) or sees `closed`.
            let _runs = self
                .inner
                .sub_runs
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            self.inner.closed.store(true, Ordering::Release);
        }
        let mut result = self.inner.main.close();
        for writer in self.all_files() {
            let closed = writer.close();
            if result.is_ok() {
                result = closed;
            }
        }
        result
    }
}
