//! The messages of TensorBoard's `tensorboard/data/proto/data_provider.proto`, written by hand
//! with prost (same field numbers), so no protoc and no build script are needed. The
//! TensorBoard messages they embed (`SummaryMetadata`, `TensorProto`) are the core's.

use tfevents::proto::{SummaryMetadata, TensorProto};

/// `google.protobuf.Timestamp`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Timestamp {
    /// Seconds since the Unix epoch.
    #[prost(int64, tag = "1")]
    pub seconds: i64,
    /// Fraction of the second.
    #[prost(int32, tag = "2")]
    pub nanos: i32,
}

/// `GetExperimentRequest`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct GetExperimentRequest {
    /// Ignored: a server serves one experiment.
    #[prost(string, tag = "1")]
    pub experiment_id: String,
}

/// `GetExperimentResponse`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct GetExperimentResponse {
    /// Where the data comes from (the log directory).
    #[prost(string, tag = "1")]
    pub data_location: String,
    /// Experiment name.
    #[prost(string, tag = "2")]
    pub name: String,
    /// Experiment description.
    #[prost(string, tag = "3")]
    pub description: String,
    /// Creation time, if known.
    #[prost(message, optional, tag = "4")]
    pub creation_time: Option<Timestamp>,
}

/// `PluginFilter`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct PluginFilter {
    /// The plugin whose data is wanted; required.
    #[prost(string, tag = "1")]
    pub plugin_name: String,
}

/// `RunTagFilter`: an absent part matches everything.
#[derive(Clone, PartialEq, prost::Message)]
pub struct RunTagFilter {
    /// Which runs.
    #[prost(message, optional, tag = "1")]
    pub runs: Option<NameFilter>,
    /// Which tags.
    #[prost(message, optional, tag = "2")]
    pub tags: Option<NameFilter>,
}

/// `RunFilter` and `TagFilter` (the same shape): exactly these names.
#[derive(Clone, PartialEq, prost::Message)]
pub struct NameFilter {
    /// The names; empty matches nothing.
    #[prost(string, repeated, tag = "1")]
    pub names: Vec<String>,
}

/// `Downsample`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Downsample {
    /// Most points to return per series.
    #[prost(int64, tag = "1")]
    pub num_points: i64,
}

/// `ListPluginsRequest`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ListPluginsRequest {
    /// Ignored.
    #[prost(string, tag = "1")]
    pub experiment_id: String,
}

/// `ListPluginsResponse`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ListPluginsResponse {
    /// Plugins that have data.
    #[prost(message, repeated, tag = "1")]
    pub plugins: Vec<Plugin>,
}

/// `Plugin`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Plugin {
    /// The plugin's name.
    #[prost(string, tag = "1")]
    pub name: String,
}

/// `ListRunsRequest`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ListRunsRequest {
    /// Ignored.
    #[prost(string, tag = "1")]
    pub experiment_id: String,
}

/// `ListRunsResponse`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ListRunsResponse {
    /// The runs, oldest first.
    #[prost(message, repeated, tag = "1")]
    pub runs: Vec<Run>,
}

/// `Run` (field 1 is reserved).
#[derive(Clone, PartialEq, prost::Message)]
pub struct Run {
    /// The run's name.
    #[prost(string, tag = "2")]
    pub name: String,
    /// Wall time of its earliest event.
    #[prost(double, tag = "3")]
    pub start_time: f64,
}

/// `ListScalarsRequest`, `ListTensorsRequest` and `ListBlobSequencesRequest` (the same
/// fields).
#[derive(Clone, PartialEq, prost::Message)]
pub struct ListRequest {
    /// Ignored.
    #[prost(string, tag = "1")]
    pub experiment_id: String,
    /// The owning plugin.
    #[prost(message, optional, tag = "2")]
    pub plugin_filter: Option<PluginFilter>,
    /// Which runs and tags.
    #[prost(message, optional, tag = "3")]
    pub run_tag_filter: Option<RunTagFilter>,
}

/// `ReadScalarsRequest`, `ReadTensorsRequest` and `ReadBlobSequencesRequest` (the same
/// fields).
#[derive(Clone, PartialEq, prost::Message)]
pub struct ReadRequest {
    /// Ignored.
    #[prost(string, tag = "1")]
    pub experiment_id: String,
    /// The owning plugin.
    #[prost(message, optional, tag = "2")]
    pub plugin_filter: Option<PluginFilter>,
    /// Which runs and tags.
    #[prost(message, optional, tag = "3")]
    pub run_tag_filter: Option<RunTagFilter>,
    /// How many points per series; required.
    #[prost(message, optional, tag = "4")]
    pub downsample: Option<Downsample>,
}

/// What a response's tag entries carry (metadata or data): any message.
pub trait Payload: prost::Message + Default + PartialEq + Clone + std::fmt::Debug {}

impl<T: prost::Message + Default + PartialEq + Clone + std::fmt::Debug> Payload for T {}

/// The `{List,Read}*Response` messages: runs, each with tags, each with a `T`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct RunsResponse<T: Payload> {
    /// Runs with at least one matching tag.
    #[prost(message, repeated, tag = "1")]
    pub runs: Vec<RunEntry<T>>,
}

/// `RunEntry` of every `{List,Read}*Response`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct RunEntry<T: Payload> {
    /// The run.
    #[prost(string, tag = "1")]
    pub run_name: String,
    /// Its matching tags.
    #[prost(message, repeated, tag = "2")]
    pub tags: Vec<TagEntry<T>>,
}

/// `TagEntry` of every `{List,Read}*Response`: the tag and its metadata or data.
#[derive(Clone, PartialEq, prost::Message)]
pub struct TagEntry<T: Payload> {
    /// The tag.
    #[prost(string, tag = "1")]
    pub tag_name: String,
    /// `metadata` in List responses, `data` in Read responses (both field 2).
    #[prost(message, optional, tag = "2")]
    pub value: Option<T>,
}

/// `ScalarMetadata` and `TensorMetadata` (the same fields).
#[derive(Clone, PartialEq, prost::Message)]
pub struct SeriesMetadata {
    /// Largest step.
    #[prost(int64, tag = "1")]
    pub max_step: i64,
    /// Largest wall time.
    #[prost(double, tag = "2")]
    pub max_wall_time: f64,
    /// The series' summary metadata.
    #[prost(message, optional, tag = "3")]
    pub summary_metadata: Option<SummaryMetadata>,
}

/// `BlobSequenceMetadata`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct BlobSequenceMetadata {
    /// Largest step.
    #[prost(int64, tag = "1")]
    pub max_step: i64,
    /// Largest wall time.
    #[prost(double, tag = "2")]
    pub max_wall_time: f64,
    /// Most blobs in one point.
    #[prost(int64, tag = "3")]
    pub max_length: i64,
    /// The series' summary metadata.
    #[prost(message, optional, tag = "4")]
    pub summary_metadata: Option<SummaryMetadata>,
}

/// `ScalarData`: columns of equal length.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ScalarData {
    /// Steps.
    #[prost(int64, repeated, tag = "1")]
    pub step: Vec<i64>,
    /// Wall times.
    #[prost(double, repeated, tag = "2")]
    pub wall_time: Vec<f64>,
    /// Values.
    #[prost(float, repeated, tag = "3")]
    pub value: Vec<f32>,
}

/// `TensorData`: columns of equal length.
#[derive(Clone, PartialEq, prost::Message)]
pub struct TensorData {
    /// Steps.
    #[prost(int64, repeated, tag = "1")]
    pub step: Vec<i64>,
    /// Wall times.
    #[prost(double, repeated, tag = "2")]
    pub wall_time: Vec<f64>,
    /// Values.
    #[prost(message, repeated, tag = "3")]
    pub value: Vec<TensorProto>,
}

/// `BlobSequenceData`: columns of equal length.
#[derive(Clone, PartialEq, prost::Message)]
pub struct BlobSequenceData {
    /// Steps.
    #[prost(int64, repeated, tag = "1")]
    pub step: Vec<i64>,
    /// Wall times.
    #[prost(double, repeated, tag = "2")]
    pub wall_time: Vec<f64>,
    /// Each point's blobs.
    #[prost(message, repeated, tag = "3")]
    pub values: Vec<BlobReferenceSequence>,
}

/// `BlobReferenceSequence`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct BlobReferenceSequence {
    /// The blobs of one point.
    #[prost(message, repeated, tag = "1")]
    pub blob_refs: Vec<BlobReference>,
}

/// `BlobReference`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct BlobReference {
    /// Key for `ReadBlob`.
    #[prost(string, tag = "1")]
    pub blob_key: String,
    /// Unused: blobs are read through `ReadBlob`.
    #[prost(string, tag = "2")]
    pub url: String,
}

/// `ReadBlobRequest`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ReadBlobRequest {
    /// A key from `ReadBlobSequences`.
    #[prost(string, tag = "1")]
    pub blob_key: String,
}

/// `ReadBlobResponse`: one chunk of the blob.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ReadBlobResponse {
    /// The chunk's bytes.
    #[prost(bytes = "vec", tag = "1")]
    pub data: Vec<u8>,
}

/// `ListScalarsResponse`.
pub type ListScalarsResponse = RunsResponse<SeriesMetadata>;
/// `ListTensorsResponse`.
pub type ListTensorsResponse = RunsResponse<SeriesMetadata>;
/// `ListBlobSequencesResponse`.
pub type ListBlobSequencesResponse = RunsResponse<BlobSequenceMetadata>;
/// `ReadScalarsResponse`.
pub type ReadScalarsResponse = RunsResponse<ScalarData>;
/// `ReadTensorsResponse`.
pub type ReadTensorsResponse = RunsResponse<TensorData>;
/// `ReadBlobSequencesResponse`.
pub type ReadBlobSequencesResponse = RunsResponse<BlobSequenceData>;
