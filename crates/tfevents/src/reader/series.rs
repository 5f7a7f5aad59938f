//! A run read into per-tag series, as TensorBoard's loader sees it.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::proto::summary::value::Value;
use crate::proto::{event, session_log, summary, Event, HistogramProto, TensorProto};

use super::logdir::{DiskLogDir, EventFile, RunLoader};
use super::{classify, tensor, Run, ValueKind};

/// One point of a scalar series.
#[derive(Clone, Debug, PartialEq)]
pub struct ScalarPoint {
    /// Global step.
    pub step: i64,
    /// Seconds since the Unix epoch.
    pub wall_time: f64,
    /// The value, as stored (a 32-bit float widened to f64).
    pub value: f64,
}

/// One histogram of a series.
#[derive(Clone, Debug, PartialEq)]
pub struct HistogramPoint {
    /// Global step.
    pub step: i64,
    /// Seconds since the Unix epoch.
    pub wall_time: f64,
    /// The histogram.
    pub histogram: HistogramProto,
}

/// One image of a series.
#[derive(Clone, Debug, PartialEq)]
pub struct ImagePoint {
    /// Global step.
    pub step: i64,
    /// Seconds since the Unix epoch.
    pub wall_time: f64,
    /// Width in pixels, as the summary states it.
    pub width: i32,
    /// Height in pixels, as the summary states it.
    pub height: i32,
    /// Channels: 1, 2, 3 or 4.
    pub colorspace: i32,
    /// The encoded image (PNG).
    pub encoded: Vec<u8>,
}

/// One text of a series.
#[derive(Clone, Debug, PartialEq)]
pub struct TextPoint {
    /// Global step.
    pub step: i64,
    /// Seconds since the Unix epoch.
    pub wall_time: f64,
    /// The Markdown text.
    pub text: String,
}

/// A file of a run that could not be read to its end: the records before the damage are in
/// the [`RunData`], the rest of that file is skipped, as TensorBoard skips it.
#[derive(Clone, Debug)]
pub struct DamagedFile {
    /// The file.
    pub path: PathBuf,
    /// What was wrong: usually [`Error::Corrupt`] with the offset of the bad record.
    pub error: Arc<Error>,
}

/// Everything a run holds, per kind and tag, in file order, with TensorBoard's purge rule
/// applied: a `SessionLog START` at step `s` drops every earlier point with a step `>= s`.
///
/// TF2-style summaries (tensors of the `scalars` and `histograms` plugins, as TensorFlow 2 and
/// Keras write them) are read as scalars and histograms.
#[derive(Clone, Debug, Default)]
pub struct RunData {
    /// Scalar series.
    pub scalars: BTreeMap<String, Vec<ScalarPoint>>,
    /// Histogram series.
    pub histograms: BTreeMap<String, Vec<HistogramPoint>>,
    /// Image series.
    pub images: BTreeMap<String, Vec<ImagePoint>>,
    /// Text series.
    pub texts: BTreeMap<String, Vec<TextPoint>>,
    /// Tensor values of other plugins, by tag: how many.
    pub other_tensors: BTreeMap<String, usize>,
    /// Events read, across all files.
    pub events: usize,
    /// Files whose last record was incomplete, with the bytes it had.
    pub torn_tails: Vec<(PathBuf, u64)>,
    /// Files with a damaged record (or that could not be read): their earlier records are
    /// here, the rest was skipped.
    pub damaged: Vec<DamagedFile>,
}

impl RunData {
    /// Reads every file of `run` in order. A damaged record ends its file, not the run: it is
    /// listed in [`damaged`](Self::damaged) and every other record still loads; a torn tail is
    /// listed in [`torn_tails`](Self::torn_tails). The `Result` is kept for failures that lose
    /// the whole run; today there are none.
    pub fn read(run: &Run) -> Result<RunData> {
        let mut reader = RunReader::new(run.clone());
        reader.poll();
        Ok(reader.into_data())
    }

    /// The series of `events`, as if they were one file's records: for events that do not
    /// come from a file (a network stream, a test, a fuzzer).
    pub fn from_events<I: IntoIterator<Item = Event>>(events: I) -> RunData {
        let mut data = RunData::default();
        let mut plugins = HashMap::new();
        for event in events {
            data.add_event(&mut plugins, event);
        }
        data
    }

    /// Adds one event; `plugins` remembers each tag's plugin across the events of a run.
    pub(crate) fn add_event(&mut self, plugins: &mut HashMap<String, String>, event: Event) {
        self.events += 1;
        match event.what {
            Some(event::What::SessionLog(log))
                if log.status == session_log::SessionStatus::Start as i32 =>
            {
                self.purge_from(event.step);
            }
            Some(event::What::Summary(summary)) => {
                for value in summary.value {
                    self.add_value(plugins, event.step, event.wall_time, value);
                }
            }
            _ => {}
        }
    }

    fn add_value(
        &mut self,
        plugins: &mut HashMap<String, String>,
        step: i64,
        wall_time: f64,
        value: summary::Value,
    ) {
        if let Some(plugin) = value.metadata.as_ref().and_then(|m| m.plugin_data.as_ref()) {
            plugins
                .entry(value.tag.clone())
                .or_insert_with(|| plugin.plugin_name.clone());
        }
        let plugin = plugins.get(&value.tag).map_or("", String::as_str);
        let kind = classify(plugin, value.value.as_ref());
        let tag = value.tag;
        match (kind, value.value) {
            (ValueKind::Scalar, Some(Value::SimpleValue(v))) => {
                self.push_scalar(tag, step, wall_time, f64::from(v));
            }
            (ValueKind::Histogram, Some(Value::Histo(histogram))) => {
                self.push_histogram(tag, step, wall_time, histogram);
            }
            (ValueKind::Image, Some(Value::Image(image))) => {
                self.images.entry(tag).or_default().push(ImagePoint {
                    step,
                    wall_time,
                    width: image.width,
                    height: image.height,
                    colorspace: image.colorspace,
                    encoded: image.encoded_image_string,
                });
            }
            (kind, Some(Value::Tensor(tensor))) => {
                self.add_tensor(kind, tag, step, wall_time, &tensor)
            }
            _ => {}
        }
    }

    /// A tensor: read as a text, scalar or histogram when its plugin's tensors are those and
    /// it has their shape, else counted in `other_tensors`.
    fn add_tensor(
        &mut self,
        kind: ValueKind,
        tag: String,
        step: i64,
        wall_time: f64,
        tensor: &TensorProto,
    ) {
        match kind {
            ValueKind::Text => self.texts.entry(tag).or_default().push(TextPoint {
                step,
                wall_time,
                text: tensor::text(tensor),
            }),
            ValueKind::Scalar => match tensor::scalar(tensor) {
                Some(value) => self.push_scalar(tag, step, wall_time, value),
                None => *self.other_tensors.entry(tag).or_default() += 1,
            },
            ValueKind::Histogram => match tensor::histogram(tensor) {
                Some(histogram) => self.push_histogram(tag, step, wall_time, histogram),
                None => *self.other_tensors.entry(tag).or_default() += 1,
            },
            _ => *self.other_tensors.entry(tag).or_default() += 1,
        }
    }

    fn push_scalar(&mut self, tag: String, step: i64, wall_time: f64, value: f64) {
        self.scalars.entry(tag).or_default().push(ScalarPoint {
            step,
            wall_time,
            value,
        });
    }

    fn push_histogram(
        &mut self,
        tag: String,
        step: i64,
        wall_time: f64,
        histogram: HistogramProto,
    ) {
        self.histograms
            .entry(tag)
            .or_default()
            .push(HistogramPoint {
                step,
                wall_time,
                histogram,
            });
    }

    fn purge_from(&mut self, step: i64) {
        for series in self.scalars.values_mut() {
            series.retain(|p| p.step < step);
        }
        for series in self.histograms.values_mut() {
            series.retain(|p| p.step < step);
        }
        for series in self.images.values_mut() {
            series.retain(|p| p.step < step);
        }
        for series in self.texts.values_mut() {
            series.retain(|p| p.step < step);
        }
    }
}

/// Reads a run incrementally: each [`poll`](Self::poll) reads the records appended since the
/// last one (and files that appeared), so a run that is still being written can be followed.
///
/// The local shorthand of [`logdir::RunLoader`](super::logdir::RunLoader), which reads runs of
/// any [`LogDir`](super::logdir::LogDir) the same way.
#[derive(Debug)]
pub struct RunReader {
    run: Run,
    dir: DiskLogDir,
    loader: RunLoader,
}

impl RunReader {
    /// A reader for `run`; nothing is read before the first [`poll`](Self::poll).
    pub fn new(run: Run) -> Self {
        RunReader {
            dir: DiskLogDir::new(run.dir.clone()),
            loader: RunLoader::new(run.name.clone()),
            run,
        }
    }

    /// The run being read.
    pub fn run(&self) -> &Run {
        &self.run
    }

    /// Takes the run's file list from a newer discovery (files are only ever added).
    pub fn update_run(&mut self, run: &Run) {
        for path in &run.files {
            if !self.run.files.contains(path) {
                self.run.files.push(path.clone());
            }
        }
    }

    /// Reads what was appended since the last poll; returns how many events that was.
    pub fn poll(&mut self) -> usize {
        let files: Vec<EventFile> = self.run.files.iter().map(DiskLogDir::event_file).collect();
        self.loader.poll(&self.dir, &files)
    }

    /// What was read so far.
    pub fn data(&self) -> &RunData {
        self.loader.data()
    }

    /// What was read, by value.
    pub fn into_data(self) -> RunData {
        self.loader.into_data()
    }
}
