//! The hparams plugin's messages: `tensorboard/plugins/hparams/api.proto` and
//! `plugin_data.proto`, plus the two `google/protobuf/struct.proto` messages they use.

use std::collections::BTreeMap;

/// `google.protobuf.Value`: a dynamically typed value (an hparam's value or domain entry).
#[derive(Clone, PartialEq, prost::Message)]
pub struct Value {
    /// The value.
    #[prost(oneof = "value::Kind", tags = "1, 2, 3, 4, 6")]
    pub kind: Option<value::Kind>,
}

/// Nested types of [`Value`].
pub mod value {
    /// The `oneof kind` of `google.protobuf.Value` (struct values are not used by hparams).
    #[derive(Clone, PartialEq, prost::Oneof)]
    pub enum Kind {
        /// `NullValue.NULL_VALUE` (always 0).
        #[prost(int32, tag = "1")]
        NullValue(i32),
        /// A number.
        #[prost(double, tag = "2")]
        NumberValue(f64),
        /// A string.
        #[prost(string, tag = "3")]
        StringValue(String),
        /// A boolean.
        #[prost(bool, tag = "4")]
        BoolValue(bool),
        /// A list of values.
        #[prost(message, tag = "6")]
        ListValue(super::ListValue),
    }
}

/// `google.protobuf.ListValue`: a list of [`Value`]s.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ListValue {
    /// The values.
    #[prost(message, repeated, tag = "1")]
    pub values: Vec<Value>,
}

/// `api.proto` `Experiment`: the hparams and metrics the HPARAMS table has columns for.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Experiment {
    /// Name of the experiment.
    #[prost(string, tag = "6")]
    pub name: String,
    /// Description (Markdown).
    #[prost(string, tag = "1")]
    pub description: String,
    /// Who ran it.
    #[prost(string, tag = "2")]
    pub user: String,
    /// Seconds since the Unix epoch.
    #[prost(double, tag = "3")]
    pub time_created_secs: f64,
    /// One per hyperparameter.
    #[prost(message, repeated, tag = "4")]
    pub hparam_infos: Vec<HParamInfo>,
    /// One per metric.
    #[prost(message, repeated, tag = "5")]
    pub metric_infos: Vec<MetricInfo>,
}

/// `api.proto` `HParamInfo`: one hyperparameter's name, type and domain.
#[derive(Clone, PartialEq, prost::Message)]
pub struct HParamInfo {
    /// The name, as in the session's hparams map.
    #[prost(string, tag = "1")]
    pub name: String,
    /// Column title.
    #[prost(string, tag = "2")]
    pub display_name: String,
    /// Description.
    #[prost(string, tag = "3")]
    pub description: String,
    /// A [`HParamDataType`] value.
    #[prost(enumeration = "HParamDataType", tag = "4")]
    pub r#type: i32,
    /// The values it may take.
    #[prost(oneof = "h_param_info::Domain", tags = "5, 6")]
    pub domain: Option<h_param_info::Domain>,
    /// Set by TensorBoard when values differ across sessions.
    #[prost(bool, tag = "7")]
    pub differs: bool,
}

/// Nested types of [`HParamInfo`].
pub mod h_param_info {
    /// The `oneof domain` of `HParamInfo`.
    #[derive(Clone, PartialEq, prost::Oneof)]
    pub enum Domain {
        /// A finite set of values.
        #[prost(message, tag = "5")]
        DomainDiscrete(super::ListValue),
        /// A closed interval of numbers.
        #[prost(message, tag = "6")]
        DomainInterval(super::Interval),
    }
}

/// `api.proto` `DataType` of an hparam.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
pub enum HParamDataType {
    /// Not set.
    DataTypeUnset = 0,
    /// A string.
    DataTypeString = 1,
    /// A boolean.
    DataTypeBool = 2,
    /// A number.
    DataTypeFloat64 = 3,
}

/// `api.proto` `Interval`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Interval {
    /// Lower bound.
    #[prost(double, tag = "1")]
    pub min_value: f64,
    /// Upper bound.
    #[prost(double, tag = "2")]
    pub max_value: f64,
}

/// `api.proto` `MetricName`: a scalar tag, in the session's run (`group` empty) or a sub-run.
#[derive(Clone, PartialEq, prost::Message)]
pub struct MetricName {
    /// Sub-run of the session's run the tag is in, empty for the run itself.
    #[prost(string, tag = "1")]
    pub group: String,
    /// The scalar tag.
    #[prost(string, tag = "2")]
    pub tag: String,
}

/// `api.proto` `MetricInfo`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct MetricInfo {
    /// Which scalar series.
    #[prost(message, optional, tag = "1")]
    pub name: Option<MetricName>,
    /// Column title.
    #[prost(string, tag = "3")]
    pub display_name: String,
    /// Description.
    #[prost(string, tag = "4")]
    pub description: String,
    /// A `DatasetType` value (0 unknown, 1 training, 2 validation).
    #[prost(int32, tag = "5")]
    pub dataset_type: i32,
}

/// `api.proto` `Status` of a session.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
pub enum Status {
    /// Unknown.
    StatusUnknown = 0,
    /// Finished successfully.
    StatusSuccess = 1,
    /// Failed.
    StatusFailure = 2,
    /// Still running.
    StatusRunning = 3,
}

/// `plugin_data.proto` `HParamsPluginData`: the content of every hparams summary.
#[derive(Clone, PartialEq, prost::Message)]
pub struct HParamsPluginData {
    /// Format version (0, as PyTorch and tensorboardX write).
    #[prost(int32, tag = "1")]
    pub version: i32,
    /// Which of the three summaries this is.
    #[prost(oneof = "h_params_plugin_data::Data", tags = "2, 3, 4")]
    pub data: Option<h_params_plugin_data::Data>,
}

/// Nested types of [`HParamsPluginData`].
pub mod h_params_plugin_data {
    /// The `oneof data` of `HParamsPluginData`.
    #[derive(Clone, PartialEq, prost::Oneof)]
    pub enum Data {
        /// The experiment (columns).
        #[prost(message, tag = "2")]
        Experiment(super::Experiment),
        /// A session's hparam values.
        #[prost(message, tag = "3")]
        SessionStartInfo(super::SessionStartInfo),
        /// A session's end.
        #[prost(message, tag = "4")]
        SessionEndInfo(super::SessionEndInfo),
    }
}

/// `plugin_data.proto` `SessionStartInfo`: one trial's hparam values.
#[derive(Clone, PartialEq, prost::Message)]
pub struct SessionStartInfo {
    /// Hparam name to value; a `BTreeMap` so the bytes are deterministic (sorted keys, as
    /// protobuf's deterministic serialization writes them).
    #[prost(btree_map = "string, message", tag = "1")]
    pub hparams: BTreeMap<String, Value>,
    /// Where the model is.
    #[prost(string, tag = "2")]
    pub model_uri: String,
    /// A monitoring URL.
    #[prost(string, tag = "3")]
    pub monitor_url: String,
    /// Sessions with the same group name are one row.
    #[prost(string, tag = "4")]
    pub group_name: String,
    /// Seconds since the Unix epoch.
    #[prost(double, tag = "5")]
    pub start_time_secs: f64,
}

/// `plugin_data.proto` `SessionEndInfo`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct SessionEndInfo {
    /// A [`Status`] value.
    #[prost(enumeration = "Status", tag = "1")]
    pub status: i32,
    /// Seconds since the Unix epoch.
    #[prost(double, tag = "2")]
    pub end_time_secs: f64,
}
