//! What the server holds: per run, per tag, the sampled points and the series' metadata.
//! Blobs (images, audio, graphs) are not held: a point records where its event is in its
//! file, and `ReadBlob` reads it again from there.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, RwLock, RwLockReadGuard};

use tfevents::proto::{DataClass, SummaryMetadata, TensorProto};
use tonic::Status;

use super::classify;
use super::reservoir::Reservoir;
use super::source::Source;

/// The shared handle of one run's data: the loader writes it, requests read it.
pub type SharedRun = Arc<RwLock<RunData>>;

/// The run table, by name.
pub type Runs = BTreeMap<String, SharedRun>;

/// Every run the server knows, by name.
#[derive(Debug)]
pub struct Store {
    /// What `GetExperiment` reports as the data location.
    pub data_location: String,
    /// Where blobs are read again from.
    pub source: Arc<dyn Source>,
    runs: RwLock<Runs>,
}

/// One run's series.
#[derive(Debug, Default)]
pub struct RunData {
    /// Wall time of the earliest event read.
    pub start_time: Option<f64>,
    /// Series by tag.
    pub series: BTreeMap<String, Series>,
}

/// One tag's series: its metadata (from its first value) and sampled points.
#[derive(Debug)]
pub struct Series {
    /// The first value's metadata, completed with a plugin and data class.
    pub metadata: SummaryMetadata,
    /// The points, by data class.
    pub points: Points,
}

/// A series' points, `(step, (wall_time, value))`, sorted by step.
#[derive(Debug)]
pub enum Points {
    /// Scalars.
    Scalars(Reservoir<(f64, f32)>),
    /// Tensors (histograms converted to their `[k, 3]` form).
    Tensors(Reservoir<(f64, TensorProto)>),
    /// Blob sequences, as where to read them again.
    Blobs(Reservoir<(f64, BlobPoint)>),
    /// A data class TensorBoard's data layer does not serve.
    Unserved,
}

/// Where a blob-sequence point's event is, and how many blobs it holds.
#[derive(Clone, Debug)]
pub struct BlobPoint {
    /// The event file.
    pub file: Arc<Path>,
    /// The file's size when the point was read (the record lies within it).
    pub size: u64,
    /// The offset of the event's record in it.
    pub offset: u64,
    /// Number of blobs.
    pub len: usize,
}

impl Series {
    /// A series for `metadata`, keeping `capacity` points (`None`: all).
    pub fn new(metadata: SummaryMetadata, capacity: Option<usize>) -> Self {
        let points = match classify::class_of(&metadata) {
            DataClass::Scalar => Points::Scalars(Reservoir::new(capacity)),
            DataClass::Tensor => Points::Tensors(Reservoir::new(capacity)),
            DataClass::BlobSequence => Points::Blobs(Reservoir::new(capacity)),
            DataClass::Unknown => Points::Unserved,
        };
        Series { metadata, points }
    }

    /// The owning plugin.
    pub fn plugin(&self) -> &str {
        classify::plugin_of(&self.metadata)
    }
}

impl Store {
    /// An empty store for a log directory described as `data_location`.
    pub fn new(data_location: String, source: Arc<dyn Source>) -> Self {
        Store {
            data_location,
            source,
            runs: RwLock::new(BTreeMap::new()),
        }
    }

    /// The runs, for reading.
    pub fn runs(&self) -> Result<RwLockReadGuard<'_, Runs>, Status> {
        self.runs
            .read()
            .map_err(|_| Status::internal("the run table was poisoned by a failed load"))
    }

    /// Publishes a run (once it has data); returns the shared handle the loader writes to.
    pub fn publish(&self, name: &str, data: SharedRun) -> Result<(), String> {
        let mut runs = self
            .runs
            .write()
            .map_err(|_| "the run table was poisoned by a failed request".to_string())?;
        runs.insert(name.to_string(), data);
        Ok(())
    }
}

/// Reads a run's data, mapping a poisoned lock to an INTERNAL status.
pub fn read_run<'a>(
    name: &str,
    run: &'a RwLock<RunData>,
) -> Result<RwLockReadGuard<'a, RunData>, Status> {
    run.read()
        .map_err(|_| Status::internal(format!("run `{name}` was poisoned by a failed load")))
}
