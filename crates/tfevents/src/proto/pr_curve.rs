//! `tensorboard/plugins/pr_curve/plugin_data.proto`.

/// `PrCurvePluginData`: the content of a PR-curve summary's plugin data.
#[derive(Clone, PartialEq, prost::Message)]
pub struct PrCurvePluginData {
    /// Format version (0).
    #[prost(int32, tag = "1")]
    pub version: i32,
    /// Number of thresholds, the tensor's second dimension.
    #[prost(uint32, tag = "2")]
    pub num_thresholds: u32,
}
