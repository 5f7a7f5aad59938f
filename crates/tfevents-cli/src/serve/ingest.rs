//! Loading a log directory into the [`Store`]: runs discovered as TensorBoard does, each event
//! file read to its end and, on the next reload, from where it stopped (only new bytes), new
//! files and runs picked up. A damaged file keeps what was read before the damage; the loss
//! is reported on standard error and the other files are read on.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use tfevents::plugin_names::{GRAPHS, GRAPH_TAGGED_RUN_METADATA};
use tfevents::proto::event::What;
use tfevents::proto::summary::value::Value;
use tfevents::proto::{DataClass, DataType, Event, TensorProto, TensorShapeProto};
use tfevents::reader::EventFileReader;

use super::classify::{self, RUN_GRAPH_TAG};
use super::log;
use super::sampling::SamplesPerPlugin;
use super::source::Source;
use super::state::{BlobPoint, Points, RunData, Series, Store};

/// Events read under one write lock: large enough to amortise locking, small enough that a
/// request never waits long behind a big file.
const BATCH: usize = 4096;

/// Reads a log directory into a store, again and again.
pub struct Loader {
    source: Arc<dyn Source>,
    samples: SamplesPerPlugin,
    store: Arc<Store>,
    runs: BTreeMap<String, RunLoader>,
}

struct RunLoader {
    name: String,
    files: BTreeMap<PathBuf, FileState>,
    data: Arc<RwLock<RunData>>,
    published: bool,
}

/// How far a file was read.
struct FileState {
    path: Arc<Path>,
    /// The start of the first record not read yet.
    offset: u64,
    /// The size the last listing found.
    size: u64,
    /// Damaged: nothing after the damage can be trusted, so the file is not read again.
    dead: bool,
}

/// What one reload read.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Reloaded {
    /// Runs in the log directory.
    pub runs: usize,
    /// Events read.
    pub events: u64,
}

impl Loader {
    /// A loader of `source` into `store`.
    pub fn new(source: Arc<dyn Source>, samples: SamplesPerPlugin, store: Arc<Store>) -> Self {
        Loader {
            source,
            samples,
            store,
            runs: BTreeMap::new(),
        }
    }

    /// Lists the log directory again and reads what was appended since the last reload.
    pub fn reload(&mut self) -> Result<Reloaded, String> {
        let runs = self.source.discover()?;
        let mut stats = Reloaded {
            runs: runs.len(),
            events: 0,
        };
        for run in runs {
            let loader = self
                .runs
                .entry(run.name.clone())
                .or_insert_with(|| RunLoader {
                    name: run.name.clone(),
                    files: BTreeMap::new(),
                    data: Arc::new(RwLock::new(RunData::default())),
                    published: false,
                });
            for (file, size) in run.files {
                let state = loader
                    .files
                    .entry(file.clone())
                    .or_insert_with(|| FileState {
                        path: Arc::from(file.as_path()),
                        offset: 0,
                        size: 0,
                        dead: false,
                    });
                state.size = size;
                if !state.dead && size > state.offset {
                    stats.events += read_file(
                        self.source.as_ref(),
                        state,
                        &loader.name,
                        &loader.data,
                        &self.samples,
                    )?;
                }
            }
            if !loader.published && read_any(&loader.data) {
                self.store.publish(&loader.name, Arc::clone(&loader.data))?;
                loader.published = true;
            }
        }
        Ok(stats)
    }
}

fn read_any(data: &RwLock<RunData>) -> bool {
    data.read().is_ok_and(|d| d.start_time.is_some())
}

/// Reads a file from where the last read stopped to its current end; returns the events read.
fn read_file(
    source: &dyn Source,
    state: &mut FileState,
    run: &str,
    data: &RwLock<RunData>,
    samples: &SamplesPerPlugin,
) -> Result<u64, String> {
    let base = state.offset;
    let src = match source.open_at(&state.path, state.size, base) {
        Ok(src) => src,
        Err(e) => {
            // Perhaps deleted or not readable yet: tried again on the next reload.
            log::warn(&e);
            return Ok(0);
        }
    };
    let mut reader = EventFileReader::from_reader(src, state.path.as_ref());
    let mut events = 0u64;
    loop {
        let mut data = data
            .write()
            .map_err(|_| format!("run `{run}` was poisoned by a failed request"))?;
        let mut n = 0;
        while n < BATCH {
            let offset = base + reader.offset();
            match reader.next() {
                Some(Ok(event)) => {
                    add_event(&mut data, event, &state.path, state.size, offset, samples);
                    n += 1;
                }
                Some(Err(e)) => {
                    log::warn(&format!(
                        "{e}; serving what was read before it, and the other files"
                    ));
                    state.dead = true;
                    break;
                }
                None => break,
            }
        }
        drop(data);
        events += n as u64;
        if state.dead || n < BATCH {
            break;
        }
    }
    // A torn last record is not consumed: it is read again, whole, once its writer ends it.
    state.offset = base + reader.offset();
    Ok(events)
}

/// Adds one event's values to a run.
fn add_event(
    run: &mut RunData,
    event: Event,
    file: &Arc<Path>,
    size: u64,
    offset: u64,
    samples: &SamplesPerPlugin,
) {
    let wall_time = event.wall_time;
    if !wall_time.is_finite() {
        return;
    }
    if run.start_time.is_none_or(|t| wall_time < t) {
        run.start_time = Some(wall_time);
    }
    let step = event.step;
    let blob = |len: usize| BlobPoint {
        file: Arc::clone(file),
        size,
        offset,
        len,
    };
    match event.what {
        Some(What::GraphDef(_)) => {
            let md = classify::blank(GRAPHS, DataClass::BlobSequence, Vec::new());
            let series = series(run, RUN_GRAPH_TAG, || md, samples);
            if let Points::Blobs(r) = &mut series.points {
                r.offer(step, (wall_time, blob(1)));
            }
        }
        Some(What::TaggedRunMetadata(trm)) => {
            let md = classify::blank(
                GRAPH_TAGGED_RUN_METADATA,
                DataClass::BlobSequence,
                Vec::new(),
            );
            let series = series(run, &trm.tag, || md, samples);
            if let Points::Blobs(r) = &mut series.points {
                r.offer(step, (wall_time, blob(1)));
            }
        }
        Some(What::Summary(summary)) => {
            for v in summary.value {
                // A value without one is an empty tensor, as TensorBoard reads it.
                let value = v.value.unwrap_or_else(|| Value::Tensor(empty_tensor()));
                let given = v.metadata;
                let series = series(
                    run,
                    &v.tag,
                    || classify::initial_metadata(Some(&value), given),
                    samples,
                );
                match &mut series.points {
                    Points::Scalars(r) => {
                        if let Some(x) = classify::to_scalar(&value) {
                            r.offer(step, (wall_time, x));
                        }
                    }
                    Points::Tensors(r) => {
                        if let Some(t) = classify::to_tensor(value) {
                            r.offer(step, (wall_time, t));
                        }
                    }
                    Points::Blobs(r) => {
                        if let Some(blobs) = classify::to_blobs(&value, &series.metadata) {
                            r.offer(step, (wall_time, blob(blobs.len())));
                        }
                    }
                    Points::Unserved => {}
                }
            }
        }
        _ => {}
    }
}

fn series<'a>(
    run: &'a mut RunData,
    tag: &str,
    metadata: impl FnOnce() -> tfevents::proto::SummaryMetadata,
    samples: &SamplesPerPlugin,
) -> &'a mut Series {
    run.series.entry(tag.to_string()).or_insert_with(|| {
        let md = metadata();
        let capacity = samples.capacity(classify::plugin_of(&md), classify::class_of(&md));
        Series::new(md, capacity)
    })
}

fn empty_tensor() -> TensorProto {
    TensorProto {
        dtype: DataType::DtFloat as i32,
        tensor_shape: Some(TensorShapeProto {
            dim: vec![tfevents::proto::tensor_shape_proto::Dim {
                size: 0,
                ..Default::default()
            }],
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// Reads the blobs of the event at `point` again, for `tag`.
pub fn read_blobs(
    source: &dyn Source,
    point: &BlobPoint,
    tag: &str,
    metadata: &tfevents::proto::SummaryMetadata,
) -> Result<Vec<Vec<u8>>, String> {
    let path: &Path = &point.file;
    let src = source.open_at(path, point.size, point.offset)?;
    let event = match EventFileReader::from_reader(src, path).next() {
        Some(Ok(event)) => event,
        Some(Err(e)) => return Err(e.to_string()),
        None => {
            return Err(format!(
                "{} no longer has a record at offset {} (was it replaced?)",
                path.display(),
                point.offset
            ))
        }
    };
    let found = match event.what {
        Some(What::GraphDef(g)) if tag == RUN_GRAPH_TAG => Some(vec![g]),
        Some(What::TaggedRunMetadata(t)) if t.tag == tag => Some(vec![t.run_metadata]),
        Some(What::Summary(s)) => s
            .value
            .iter()
            .find(|v| v.tag == tag)
            .and_then(|v| v.value.as_ref())
            .and_then(|v| classify::to_blobs(v, metadata))
            .map(|blobs| blobs.into_iter().map(Cow::into_owned).collect()),
        _ => None,
    };
    found.ok_or_else(|| {
        format!(
            "the record at offset {} of {} no longer holds tag `{tag}` (was the file replaced?)",
            point.offset,
            path.display()
        )
    })
}
