//! TensorBoard's protobuf messages, written by hand with prost.
//!
//! Every struct mirrors a message of TensorBoard's `tensorboard/compat/proto/*.proto` with the
//! same field numbers, so the bytes we write are the bytes TensorFlow and PyTorch write. Only the
//! messages an event file needs are here; unknown fields in files we read are skipped by prost.

/// `tensorboard/compat/proto/event.proto`: one record of an event file.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Event {
    /// Seconds since the Unix epoch when the event was recorded.
    #[prost(double, tag = "1")]
    pub wall_time: f64,
    /// The global step the event belongs to.
    #[prost(int64, tag = "2")]
    pub step: i64,
    /// What the event carries.
    #[prost(oneof = "event::What", tags = "3, 4, 5, 6, 7, 8, 9")]
    pub what: Option<event::What>,
    /// Which program wrote the event (field 10).
    #[prost(message, optional, tag = "10")]
    pub source_metadata: Option<SourceMetadata>,
}

/// The `oneof what` of [`Event`].
pub mod event {
    /// `Event.what` in `event.proto`.
    #[derive(Clone, PartialEq, prost::Oneof)]
    pub enum What {
        /// The file format version, `"brain.Event:2"` in the first record of every file.
        #[prost(string, tag = "3")]
        FileVersion(String),
        /// A serialized `GraphDef`.
        #[prost(bytes, tag = "4")]
        GraphDef(Vec<u8>),
        /// Summary values: scalars, images, histograms, tensors.
        #[prost(message, tag = "5")]
        Summary(super::Summary),
        /// A log line (deprecated in TensorFlow, still readable).
        #[prost(message, tag = "6")]
        LogMessage(super::LogMessage),
        /// Session start/stop markers; `START` makes TensorBoard purge later steps.
        #[prost(message, tag = "7")]
        SessionLog(super::SessionLog),
        /// Run metadata tagged with a name.
        #[prost(message, tag = "8")]
        TaggedRunMetadata(super::TaggedRunMetadata),
        /// A serialized `MetaGraphDef`.
        #[prost(bytes, tag = "9")]
        MetaGraphDef(Vec<u8>),
    }
}

/// `event.proto`: which program wrote an event.
#[derive(Clone, PartialEq, prost::Message)]
pub struct SourceMetadata {
    /// Name of the writer, e.g. `"candle-tensorboard"`.
    #[prost(string, tag = "1")]
    pub writer: String,
}

/// `event.proto`: a log line.
#[derive(Clone, PartialEq, prost::Message)]
pub struct LogMessage {
    /// A [`log_message::Level`] value.
    #[prost(enumeration = "log_message::Level", tag = "1")]
    pub level: i32,
    /// The text.
    #[prost(string, tag = "2")]
    pub message: String,
}

/// Nested types of [`LogMessage`].
pub mod log_message {
    /// `LogMessage.Level` in `event.proto`.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
    #[repr(i32)]
    pub enum Level {
        /// Not set.
        Unknown = 0,
        /// Debug output.
        Debugging = 10,
        /// Information.
        Info = 20,
        /// A warning.
        Warn = 30,
        /// An error.
        Error = 40,
        /// A fatal error.
        Fatal = 50,
    }
}

/// `event.proto`: session start, stop and checkpoint markers.
#[derive(Clone, PartialEq, prost::Message)]
pub struct SessionLog {
    /// A [`session_log::SessionStatus`] value.
    #[prost(enumeration = "session_log::SessionStatus", tag = "1")]
    pub status: i32,
    /// Where a checkpoint was written.
    #[prost(string, tag = "2")]
    pub checkpoint_path: String,
    /// Free text.
    #[prost(string, tag = "3")]
    pub msg: String,
}

/// Nested types of [`SessionLog`].
pub mod session_log {
    /// `SessionLog.SessionStatus` in `event.proto`.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
    #[repr(i32)]
    pub enum SessionStatus {
        /// Not set.
        StatusUnspecified = 0,
        /// A (re)start: TensorBoard drops events of the same run with a step >= this one.
        Start = 1,
        /// The session stopped.
        Stop = 2,
        /// A checkpoint was written.
        Checkpoint = 3,
    }
}

/// `event.proto`: run metadata with a tag.
#[derive(Clone, PartialEq, prost::Message)]
pub struct TaggedRunMetadata {
    /// The tag.
    #[prost(string, tag = "1")]
    pub tag: String,
    /// A serialized `RunMetadata`.
    #[prost(bytes, tag = "2")]
    pub run_metadata: Vec<u8>,
}

/// `tensorboard/compat/proto/summary.proto`: a set of tagged values.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Summary {
    /// The values.
    #[prost(message, repeated, tag = "1")]
    pub value: Vec<summary::Value>,
}

/// Nested types of [`Summary`].
pub mod summary {
    /// `Summary.Image` in `summary.proto`: an encoded image.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Image {
        /// Height in pixels.
        #[prost(int32, tag = "1")]
        pub height: i32,
        /// Width in pixels.
        #[prost(int32, tag = "2")]
        pub width: i32,
        /// 1 grayscale, 2 grayscale + alpha, 3 RGB, 4 RGBA, 5 DIGITAL_YUV, 6 BGRA.
        #[prost(int32, tag = "3")]
        pub colorspace: i32,
        /// PNG (or JPEG) bytes.
        #[prost(bytes, tag = "4")]
        pub encoded_image_string: Vec<u8>,
    }

    /// `Summary.Audio` in `summary.proto`: an encoded sound clip.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Audio {
        /// Samples per second.
        #[prost(float, tag = "1")]
        pub sample_rate: f32,
        /// Number of channels.
        #[prost(int64, tag = "2")]
        pub num_channels: i64,
        /// Frames per channel.
        #[prost(int64, tag = "3")]
        pub length_frames: i64,
        /// Encoded audio (e.g. WAV).
        #[prost(bytes, tag = "4")]
        pub encoded_audio_string: Vec<u8>,
        /// MIME type, e.g. `"audio/wav"`.
        #[prost(string, tag = "5")]
        pub content_type: String,
    }

    /// `Summary.Value` in `summary.proto`: one tagged value.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Value {
        /// Name of the node that produced it (TensorFlow graphs only).
        #[prost(string, tag = "7")]
        pub node_name: String,
        /// The tag TensorBoard groups and names the series by.
        #[prost(string, tag = "1")]
        pub tag: String,
        /// Which plugin reads the value, and how.
        #[prost(message, optional, tag = "9")]
        pub metadata: Option<super::SummaryMetadata>,
        /// The value itself.
        #[prost(oneof = "value::Value", tags = "2, 3, 4, 5, 6, 8")]
        pub value: Option<value::Value>,
    }

    /// Nested types of [`Value`].
    pub mod value {
        /// The `oneof value` of `Summary.Value`.
        // The variants mirror the .proto; boxing the large ones would make every user write
        // `Box::new` for a message that is built once per event.
        #[allow(clippy::large_enum_variant)]
        #[derive(Clone, PartialEq, prost::Oneof)]
        pub enum Value {
            /// A scalar, as 32-bit float (what `add_scalar` writes by default in PyTorch).
            #[prost(float, tag = "2")]
            SimpleValue(f32),
            /// An obsolete serialized histogram.
            #[prost(bytes, tag = "3")]
            ObsoleteOldStyleHistogram(Vec<u8>),
            /// An encoded image.
            #[prost(message, tag = "4")]
            Image(super::Image),
            /// A histogram.
            #[prost(message, tag = "5")]
            Histo(super::super::HistogramProto),
            /// An encoded sound clip.
            #[prost(message, tag = "6")]
            Audio(super::Audio),
            /// A tensor (text, hparams and other plugins).
            #[prost(message, tag = "8")]
            Tensor(super::super::TensorProto),
        }
    }
}

/// `summary.proto`: which plugin owns a value.
#[derive(Clone, PartialEq, prost::Message)]
pub struct SummaryMetadata {
    /// The plugin and its private data.
    #[prost(message, optional, tag = "1")]
    pub plugin_data: Option<summary_metadata::PluginData>,
    /// A name for display.
    #[prost(string, tag = "2")]
    pub display_name: String,
    /// A longer description (Markdown).
    #[prost(string, tag = "3")]
    pub summary_description: String,
    /// A [`DataClass`] value.
    #[prost(enumeration = "DataClass", tag = "4")]
    pub data_class: i32,
}

/// Nested types of [`SummaryMetadata`].
pub mod summary_metadata {
    /// `SummaryMetadata.PluginData` in `summary.proto`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct PluginData {
        /// The plugin's name: `"text"`, `"scalars"`, `"hparams"`, ...
        #[prost(string, tag = "1")]
        pub plugin_name: String,
        /// The plugin's own serialized data.
        #[prost(bytes, tag = "2")]
        pub content: Vec<u8>,
    }
}

/// `summary.proto`: how TensorBoard's data layer stores a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
pub enum DataClass {
    /// Unknown: left to the plugin.
    Unknown = 0,
    /// A rank-0 numeric tensor.
    Scalar = 1,
    /// Any tensor.
    Tensor = 2,
    /// A sequence of blobs (images, audio).
    BlobSequence = 3,
}

/// `summary.proto`: a histogram as TensorBoard draws it.
#[derive(Clone, PartialEq, prost::Message)]
pub struct HistogramProto {
    /// Smallest value.
    #[prost(double, tag = "1")]
    pub min: f64,
    /// Largest value.
    #[prost(double, tag = "2")]
    pub max: f64,
    /// Number of values.
    #[prost(double, tag = "3")]
    pub num: f64,
    /// Sum of the values.
    #[prost(double, tag = "4")]
    pub sum: f64,
    /// Sum of the squared values.
    #[prost(double, tag = "5")]
    pub sum_squares: f64,
    /// Right edge of each bucket; bucket `i` spans `(bucket_limit[i-1], bucket_limit[i]]`.
    #[prost(double, repeated, tag = "6")]
    pub bucket_limit: Vec<f64>,
    /// Count of each bucket.
    #[prost(double, repeated, tag = "7")]
    pub bucket: Vec<f64>,
}

/// `tensorboard/compat/proto/tensor.proto`: a tensor value.
#[derive(Clone, PartialEq, prost::Message)]
pub struct TensorProto {
    /// A [`DataType`] value.
    #[prost(enumeration = "DataType", tag = "1")]
    pub dtype: i32,
    /// The shape.
    #[prost(message, optional, tag = "2")]
    pub tensor_shape: Option<TensorShapeProto>,
    /// Version of the representation.
    #[prost(int32, tag = "3")]
    pub version_number: i32,
    /// Raw little-endian contents.
    #[prost(bytes, tag = "4")]
    pub tensor_content: Vec<u8>,
    /// DT_HALF / DT_BFLOAT16 values as their bits.
    #[prost(int32, repeated, tag = "13")]
    pub half_val: Vec<i32>,
    /// DT_FLOAT values.
    #[prost(float, repeated, tag = "5")]
    pub float_val: Vec<f32>,
    /// DT_DOUBLE values.
    #[prost(double, repeated, tag = "6")]
    pub double_val: Vec<f64>,
    /// DT_INT32, DT_INT16, DT_INT8, DT_UINT8 values.
    #[prost(int32, repeated, tag = "7")]
    pub int_val: Vec<i32>,
    /// DT_STRING values.
    #[prost(bytes = "vec", repeated, tag = "8")]
    pub string_val: Vec<Vec<u8>>,
    /// DT_COMPLEX64 values, real and imaginary interleaved.
    #[prost(float, repeated, tag = "9")]
    pub scomplex_val: Vec<f32>,
    /// DT_INT64 values.
    #[prost(int64, repeated, tag = "10")]
    pub int64_val: Vec<i64>,
    /// DT_BOOL values.
    #[prost(bool, repeated, tag = "11")]
    pub bool_val: Vec<bool>,
    /// DT_COMPLEX128 values, real and imaginary interleaved.
    #[prost(double, repeated, tag = "12")]
    pub dcomplex_val: Vec<f64>,
    /// DT_UINT32 values.
    #[prost(uint32, repeated, tag = "16")]
    pub uint32_val: Vec<u32>,
    /// DT_UINT64 values.
    #[prost(uint64, repeated, tag = "17")]
    pub uint64_val: Vec<u64>,
}

/// `tensorboard/compat/proto/tensor_shape.proto`: a tensor's shape.
#[derive(Clone, PartialEq, prost::Message)]
pub struct TensorShapeProto {
    /// The dimensions, outermost first.
    #[prost(message, repeated, tag = "2")]
    pub dim: Vec<tensor_shape_proto::Dim>,
    /// True when even the rank is unknown.
    #[prost(bool, tag = "3")]
    pub unknown_rank: bool,
}

/// Nested types of [`TensorShapeProto`].
pub mod tensor_shape_proto {
    /// `TensorShapeProto.Dim` in `tensor_shape.proto`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Dim {
        /// Size of the dimension (-1 when unknown).
        #[prost(int64, tag = "1")]
        pub size: i64,
        /// Optional name.
        #[prost(string, tag = "2")]
        pub name: String,
    }
}

/// `tensorboard/compat/proto/types.proto`: element types of a [`TensorProto`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
pub enum DataType {
    /// Not set.
    DtInvalid = 0,
    /// f32.
    DtFloat = 1,
    /// f64.
    DtDouble = 2,
    /// i32.
    DtInt32 = 3,
    /// u8.
    DtUint8 = 4,
    /// i16.
    DtInt16 = 5,
    /// i8.
    DtInt8 = 6,
    /// Byte strings.
    DtString = 7,
    /// Complex of two f32.
    DtComplex64 = 8,
    /// i64.
    DtInt64 = 9,
    /// bool.
    DtBool = 10,
    /// Quantized i8.
    DtQint8 = 11,
    /// Quantized u8.
    DtQuint8 = 12,
    /// Quantized i32.
    DtQint32 = 13,
    /// bfloat16.
    DtBfloat16 = 14,
    /// Quantized i16.
    DtQint16 = 15,
    /// Quantized u16.
    DtQuint16 = 16,
    /// u16.
    DtUint16 = 17,
    /// Complex of two f64.
    DtComplex128 = 18,
    /// f16.
    DtHalf = 19,
    /// A resource handle.
    DtResource = 20,
    /// A variant.
    DtVariant = 21,
    /// u32.
    DtUint32 = 22,
    /// u64.
    DtUint64 = 23,
}

impl TensorShapeProto {
    /// A shape from its dimension sizes.
    pub fn from_dims(dims: &[i64]) -> Self {
        TensorShapeProto {
            dim: dims
                .iter()
                .map(|&size| tensor_shape_proto::Dim {
                    size,
                    name: String::new(),
                })
                .collect(),
            unknown_rank: false,
        }
    }
}

pub mod custom_scalar;
pub mod graph;
pub mod hparams;
pub mod mesh;
pub mod pr_curve;
