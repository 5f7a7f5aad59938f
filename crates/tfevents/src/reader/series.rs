//! A run read into per-tag series, as TensorBoard's loader sees it.

use std::collections::{BTreeMap, HashMap};

use crate::error::Result;
use crate::proto::{event, session_log, summary, Event, HistogramProto, TensorProto};

use super::{EventFileReader, Run};

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

/// Everything a run holds, per kind and tag, in file order, with TensorBoard's purge rule
/// applied: a `SessionLog START` at step `s` drops every earlier point with a step `>= s`.
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
    pub torn_tails: Vec<(std::path::PathBuf, u64)>,
}

impl RunData {
    /// Reads every file of `run` in order. A damaged record is an error; a torn tail is not
    /// (it is listed in [`torn_tails`](Self::torn_tails)).
    pub fn read(run: &Run) -> Result<RunData> {
        let mut data = RunData::default();
        let mut plugins: HashMap<String, String> = HashMap::new();
        for path in &run.files {
            let mut reader = EventFileReader::open(path)?;
            for event in reader.by_ref() {
                data.add_event(&mut plugins, event?);
            }
            if let Some(have) = reader.torn_tail() {
                data.torn_tails.push((path.clone(), have));
            }
        }
        Ok(data)
    }

    /// Series from events already read (e.g. from an object store), in file order.
    pub fn from_events(events: impl IntoIterator<Item = Event>) -> RunData {
        let mut data = RunData::default();
        let mut plugins: HashMap<String, String> = HashMap::new();
        for event in events {
            data.add_event(&mut plugins, event);
        }
        data
    }

    fn add_event(&mut self, plugins: &mut HashMap<String, String>, event: Event) {
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
        let tag = value.tag;
        match value.value {
            Some(summary::value::Value::SimpleValue(v)) => {
                self.scalars.entry(tag).or_default().push(ScalarPoint {
                    step,
                    wall_time,
                    value: v as f64,
                });
            }
            Some(summary::value::Value::Histo(histogram)) => {
                self.histograms
                    .entry(tag)
                    .or_default()
                    .push(HistogramPoint {
                        step,
                        wall_time,
                        histogram,
                    });
            }
            Some(summary::value::Value::Image(image)) => {
                self.images.entry(tag).or_default().push(ImagePoint {
                    step,
                    wall_time,
                    width: image.width,
                    height: image.height,
                    colorspace: image.colorspace,
                    encoded: image.encoded_image_string,
                });
            }
            Some(summary::value::Value::Tensor(tensor)) => {
                if plugins.get(&tag).map(String::as_str) == Some("text") {
                    self.texts.entry(tag).or_default().push(TextPoint {
                        step,
                        wall_time,
                        text: tensor_text(&tensor),
                    });
                } else {
                    *self.other_tensors.entry(tag).or_default() += 1;
                }
            }
            _ => {}
        }
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

fn tensor_text(tensor: &TensorProto) -> String {
    tensor
        .string_val
        .iter()
        .map(|s| String::from_utf8_lossy(s).into_owned())
        .collect::<Vec<_>>()
        .join("\n")
}
