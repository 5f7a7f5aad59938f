//! One run's events sorted into the tables' series.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;

use crate::plugin_names;
use crate::proto::summary::value::Value;
use crate::proto::{event, session_log, summary, Event, HistogramProto, TensorProto};
use crate::reader::{classify, tensor, DamagedFile, EventFileReader, Run, ValueKind};

use super::hparams::Session;
use super::kind::TableKind;

/// A value with the step and time of its event.
#[derive(Clone, Debug)]
pub(super) struct Stamped<T> {
    pub step: i64,
    pub wall_time: f64,
    pub value: T,
}

/// The step and time of an event, given to each of its values.
#[derive(Clone, Copy, Debug)]
struct When {
    step: i64,
    wall_time: f64,
}

impl When {
    fn stamp<T>(self, value: T) -> Stamped<T> {
        Stamped {
            step: self.step,
            wall_time: self.wall_time,
            value,
        }
    }
}

/// Tag -> points in the order they were read.
pub(super) type Series<T> = BTreeMap<String, Vec<Stamped<T>>>;

/// A tensor of a plugin that has no table of its own.
#[derive(Clone, Debug)]
pub(super) struct TensorValue {
    pub plugin: String,
    pub dtype: i32,
    pub shape: Vec<i64>,
    /// The numbers, for the dtypes that hold numbers we read; `None` for the others.
    pub numbers: Option<Vec<f64>>,
    /// The byte strings of a `DT_STRING` tensor; `None` for the others.
    pub strings: Option<Vec<Vec<u8>>>,
}

/// An encoded image.
#[derive(Clone, Debug)]
pub(super) struct ImageValue {
    pub width: i64,
    pub height: i64,
    pub colorspace: i64,
    pub encoded: Vec<u8>,
}

/// An encoded audio clip.
#[derive(Clone, Debug)]
pub(super) struct AudioValue {
    pub content_type: String,
    pub length_frames: i64,
    pub sample_rate: f64,
    pub num_channels: i64,
    pub encoded: Vec<u8>,
}

/// A PR curve's `[6, N]` tensor: rows TP, FP, TN, FN, precision, recall.
#[derive(Clone, Debug)]
pub(super) struct PrCurve {
    pub thresholds: usize,
    pub values: Vec<f64>,
}

impl PrCurve {
    /// Row `i` of the tensor (0..6).
    pub fn row(&self, i: usize) -> &[f64] {
        let start = (i * self.thresholds).min(self.values.len());
        let end = ((i + 1) * self.thresholds).min(self.values.len());
        self.values.get(start..end).unwrap_or(&[])
    }
}

const DT_STRING: i32 = 7;

/// One run's data, sorted into the tables a caller asked for: the in-memory form between the
/// event files and the [`RecordBatch`](arrow_array::RecordBatch)es of
/// [`batch`](RunTables::batch). Kinds that were not asked for are not kept.
///
/// A damaged file ends that file, not the run: its records before the damage are kept and
/// the file is listed in [`damaged`](Self::damaged), as [`RunData`](crate::reader::RunData)
/// does.
#[derive(Clone, Debug)]
pub struct RunTables {
    pub(super) name: String,
    keep: [bool; TableKind::ALL.len()],
    pub(super) scalars: Series<f64>,
    pub(super) tensors: Series<TensorValue>,
    pub(super) histograms: Series<HistogramProto>,
    pub(super) images: Series<ImageValue>,
    pub(super) audio: Series<AudioValue>,
    pub(super) text: Series<String>,
    pub(super) pr_curves: Series<PrCurve>,
    pub(super) session: Session,
    /// Tag -> the plugin of its first metadata, as TensorBoard classifies a tag once.
    plugins: HashMap<String, String>,
    events: usize,
    damaged: Vec<DamagedFile>,
    torn_tails: Vec<(PathBuf, u64)>,
}

impl RunTables {
    /// An empty run named `name` that keeps the tables in `kinds`.
    pub fn new(name: impl Into<String>, kinds: &[TableKind]) -> Self {
        let mut keep = [false; TableKind::ALL.len()];
        for kind in kinds {
            keep[*kind as usize] = true;
        }
        // A trial's metrics are the last values of scalar series.
        if keep[TableKind::Hparams as usize] {
            keep[TableKind::Scalars as usize] = true;
        }
        RunTables {
            name: name.into(),
            keep,
            scalars: Series::new(),
            tensors: Series::new(),
            histograms: Series::new(),
            images: Series::new(),
            audio: Series::new(),
            text: Series::new(),
            pr_curves: Series::new(),
            session: Session::default(),
            plugins: HashMap::new(),
            events: 0,
            damaged: Vec::new(),
            torn_tails: Vec::new(),
        }
    }

    /// Reads every file of `run` in order, keeping the tables in `kinds`. A file that cannot
    /// be opened or is damaged is listed in [`damaged`](Self::damaged); every other record
    /// still loads.
    pub fn read(run: &Run, kinds: &[TableKind]) -> Self {
        let mut tables = RunTables::new(run.name.clone(), kinds);
        for path in &run.files {
            match EventFileReader::open(path) {
                Ok(reader) => tables.read_file(reader),
                Err(e) => tables.damaged.push(DamagedFile {
                    path: path.clone(),
                    error: Arc::new(e),
                }),
            }
        }
        tables
    }

    /// The run's events from `events`, as if they were one file's records.
    pub fn from_events<I: IntoIterator<Item = Event>>(
        name: impl Into<String>,
        kinds: &[TableKind],
        events: I,
    ) -> Self {
        let mut tables = RunTables::new(name, kinds);
        for event in events {
            tables.add_event(event);
        }
        tables
    }

    /// Reads one event file to its end (files of a run are read in name order): a damaged
    /// record ends the file and is listed in [`damaged`](Self::damaged), an incomplete last
    /// record in [`torn_tails`](Self::torn_tails).
    pub fn read_file<R: Read>(&mut self, mut reader: EventFileReader<R>) {
        for event in reader.by_ref() {
            match event {
                Ok(event) => self.add_event(event),
                Err(e) => {
                    self.damaged.push(DamagedFile {
                        path: reader.path().to_path_buf(),
                        error: Arc::new(e),
                    });
                    return;
                }
            }
        }
        if let Some(have) = reader.torn_tail() {
            self.torn_tails.push((reader.path().to_path_buf(), have));
        }
    }

    /// Lists `path` as damaged: for callers that read a run's files some other way (an
    /// object store) and feed the events through [`add_event`](Self::add_event).
    pub fn note_damaged(&mut self, path: PathBuf, error: crate::Error) {
        self.damaged.push(DamagedFile {
            path,
            error: Arc::new(error),
        });
    }

    /// Adds one event: its summary values go to their tables; a `SessionLog START` at step
    /// `s` drops every earlier point with a step `>= s`, as TensorBoard does.
    pub fn add_event(&mut self, event: Event) {
        self.events += 1;
        match event.what {
            Some(event::What::SessionLog(log))
                if log.status == session_log::SessionStatus::Start as i32 =>
            {
                self.purge_from(event.step);
            }
            Some(event::What::Summary(summary)) => {
                for value in summary.value {
                    self.add_value(event.step, event.wall_time, value);
                }
            }
            _ => {}
        }
    }

    /// The run's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Events read.
    pub fn events(&self) -> usize {
        self.events
    }

    /// Files with a damaged record (or that could not be opened): their earlier records are
    /// here, the rest was skipped.
    pub fn damaged(&self) -> &[DamagedFile] {
        &self.damaged
    }

    /// Files whose last record was incomplete, with the bytes it had.
    pub fn torn_tails(&self) -> &[(PathBuf, u64)] {
        &self.torn_tails
    }

    /// The run's scalar tags, sorted (the columns of its pivoted scalars).
    pub fn scalar_tags(&self) -> impl Iterator<Item = &str> {
        self.scalars.keys().map(String::as_str)
    }

    fn keeps(&self, kind: TableKind) -> bool {
        self.keep[kind as usize]
    }

    fn add_value(&mut self, step: i64, wall_time: f64, value: summary::Value) {
        let metadata_plugin = value.metadata.as_ref().and_then(|m| m.plugin_data.as_ref());
        if let Some(plugin) = metadata_plugin {
            if plugin.plugin_name == plugin_names::HPARAMS && self.keeps(TableKind::Hparams) {
                self.session.add(&plugin.content);
            }
            if !self.plugins.contains_key(&value.tag) {
                self.plugins
                    .insert(value.tag.clone(), plugin.plugin_name.clone());
            }
        }
        let plugin = self.plugins.get(&value.tag).map_or("", String::as_str);
        let kind = classify(plugin, value.value.as_ref());
        let at = When { step, wall_time };
        let tag = value.tag;
        match (kind, value.value) {
            (ValueKind::Scalar, Some(Value::SimpleValue(v))) if self.keeps(TableKind::Scalars) => {
                push(&mut self.scalars, tag, at.stamp(f64::from(v)));
            }
            (ValueKind::Histogram, Some(Value::Histo(h))) if self.keeps(TableKind::Histograms) => {
                push(&mut self.histograms, tag, at.stamp(h));
            }
            (ValueKind::Image, Some(Value::Image(image))) if self.keeps(TableKind::Images) => {
                let value = ImageValue {
                    width: image.width.into(),
                    height: image.height.into(),
                    colorspace: image.colorspace.into(),
                    encoded: image.encoded_image_string,
                };
                push(&mut self.images, tag, at.stamp(value));
            }
            (ValueKind::Audio, Some(Value::Audio(audio))) if self.keeps(TableKind::Audio) => {
                let value = AudioValue {
                    content_type: audio.content_type,
                    length_frames: audio.length_frames,
                    sample_rate: audio.sample_rate.into(),
                    num_channels: audio.num_channels,
                    encoded: audio.encoded_audio_string,
                };
                push(&mut self.audio, tag, at.stamp(value));
            }
            (kind, Some(Value::Tensor(t))) => self.add_tensor(kind, tag, at, t),
            _ => {}
        }
    }

    /// A tensor goes to the table of its kind when it has that kind's shape; the others, and
    /// PR curves' raw tensors too, go to `tensors`. tbparse leaves hparams tags out of its
    /// tensors, and texts are only texts.
    fn add_tensor(&mut self, kind: ValueKind, tag: String, at: When, t: TensorProto) {
        match kind {
            ValueKind::Text => {
                if self.keeps(TableKind::Text) {
                    push(&mut self.text, tag, at.stamp(tensor::text(&t)));
                }
                return;
            }
            ValueKind::Hparams => return,
            ValueKind::Scalar => {
                if let Some(v) = tensor::scalar(&t) {
                    if self.keeps(TableKind::Scalars) {
                        push(&mut self.scalars, tag, at.stamp(v));
                    }
                    return;
                }
            }
            ValueKind::Histogram => {
                if let Some(h) = tensor::histogram(&t) {
                    if self.keeps(TableKind::Histograms) {
                        push(&mut self.histograms, tag, at.stamp(h));
                    }
                    return;
                }
            }
            ValueKind::PrCurve if self.keeps(TableKind::PrCurves) => {
                if let Some(curve) = pr_curve(&t) {
                    push(&mut self.pr_curves, tag.clone(), at.stamp(curve));
                }
            }
            _ => {}
        }
        if self.keeps(TableKind::Tensors) {
            let plugin = self.plugins.get(&tag).cloned().unwrap_or_default();
            push(&mut self.tensors, tag, at.stamp(tensor_value(plugin, t)));
        }
    }

    fn purge_from(&mut self, step: i64) {
        purge(&mut self.scalars, step);
        purge(&mut self.tensors, step);
        purge(&mut self.histograms, step);
        purge(&mut self.images, step);
        purge(&mut self.audio, step);
        purge(&mut self.text, step);
        purge(&mut self.pr_curves, step);
    }
}

fn push<T>(series: &mut Series<T>, tag: String, point: Stamped<T>) {
    // Looked up by reference first: the tag's `String` is moved in only for a new series.
    match series.get_mut(&tag) {
        Some(points) => points.push(point),
        None => {
            series.insert(tag, vec![point]);
        }
    }
}

fn purge<T>(series: &mut Series<T>, step: i64) {
    for points in series.values_mut() {
        points.retain(|p| p.step < step);
    }
    series.retain(|_, points| !points.is_empty());
}

fn tensor_shape(t: &TensorProto) -> Vec<i64> {
    t.tensor_shape
        .as_ref()
        .map(|s| s.dim.iter().map(|d| d.size).collect())
        .unwrap_or_default()
}

fn tensor_value(plugin: String, t: TensorProto) -> TensorValue {
    let shape = tensor_shape(&t);
    let numbers = tensor::values(&t);
    let strings = (t.dtype == DT_STRING).then_some(t.string_val);
    TensorValue {
        plugin,
        dtype: t.dtype,
        shape,
        numbers,
        strings,
    }
}

/// The curve of a `[6, N]` tensor; `None` for any other shape.
fn pr_curve(t: &TensorProto) -> Option<PrCurve> {
    let thresholds = match tensor_shape(t).as_slice() {
        [6, n] => usize::try_from(*n).ok()?,
        _ => return None,
    };
    let values = tensor::values(t)?;
    (values.len() == 6 * thresholds).then_some(PrCurve { thresholds, values })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::{SessionLog, Summary};

    fn scalar_event(tag: &str, step: i64, v: f32) -> Event {
        Event {
            wall_time: step as f64,
            step,
            what: Some(event::What::Summary(Summary {
                value: vec![summary::Value {
                    tag: tag.into(),
                    value: Some(summary::value::Value::SimpleValue(v)),
                    ..Default::default()
                }],
            })),
            source_metadata: None,
        }
    }

    #[test]
    fn session_start_purges_later_steps() {
        let restart = Event {
            step: 2,
            what: Some(event::What::SessionLog(SessionLog {
                status: session_log::SessionStatus::Start as i32,
                ..Default::default()
            })),
            ..Default::default()
        };
        let events = vec![
            scalar_event("a", 1, 1.0),
            scalar_event("a", 2, 2.0),
            scalar_event("a", 3, 3.0),
            restart,
            scalar_event("a", 2, 20.0),
        ];
        let t = RunTables::from_events("r", &[TableKind::Scalars], events);
        let values: Vec<(i64, f64)> = t.scalars["a"].iter().map(|p| (p.step, p.value)).collect();
        assert_eq!(values, [(1, 1.0), (2, 20.0)]);
    }

    #[test]
    fn kinds_not_asked_for_are_not_kept() {
        let t = RunTables::from_events("r", &[TableKind::Text], [scalar_event("a", 1, 1.0)]);
        assert!(t.scalars.is_empty());
        assert_eq!(t.events(), 1);
    }

    #[test]
    fn pr_curve_needs_six_rows() {
        let t = TensorProto {
            dtype: 2,
            tensor_shape: Some(crate::proto::TensorShapeProto::from_dims(&[5, 2])),
            double_val: vec![0.0; 10],
            ..Default::default()
        };
        assert!(pr_curve(&t).is_none());
    }
}
