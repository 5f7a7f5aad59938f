//! The names TensorBoard's plugins go by, as written in a summary's
//! `metadata.plugin_data.plugin_name` (each plugin's `metadata.PLUGIN_NAME` in TensorBoard).
//!
//! A value's plugin decides which dashboard shows it and how its tensor is read, so the writers
//! and the reader name plugins through these constants rather than string literals.

/// Scalar curves (`add_scalar`; TF2's scalar tensors).
pub const SCALARS: &str = "scalars";
/// Histograms (`add_histogram`; TF2's `[k, 3]` histogram tensors).
pub const HISTOGRAMS: &str = "histograms";
/// The distributions dashboard: it reads the `histograms` plugin's data, so nothing is
/// written under this name.
pub const DISTRIBUTIONS: &str = "distributions";
/// Images (`add_image`, `add_images`, `add_figure`).
pub const IMAGES: &str = "images";
/// Audio clips (`add_audio`).
pub const AUDIO: &str = "audio";
/// Markdown text (`add_text`).
pub const TEXT: &str = "text";
/// Precision-recall curves (`add_pr_curve`): a `[6, N]` tensor per step.
pub const PR_CURVES: &str = "pr_curves";
/// Hyperparameters and their trials (`add_hparams`).
pub const HPARAMS: &str = "hparams";
/// 3D point clouds and meshes (`add_mesh`).
pub const MESH: &str = "mesh";
/// Custom scalar layouts (`add_custom_scalars`).
pub const CUSTOM_SCALARS: &str = "custom_scalars";
/// Embeddings (`add_embedding`): read from `projector_config.pbtxt`, not from events.
pub const PROJECTOR: &str = "projector";
/// Model graphs (`add_graph`): a run's `graph_def` events.
pub const GRAPHS: &str = "graphs";
/// A serialized `RunMetadata` of one step.
pub const GRAPH_RUN_METADATA: &str = "graph_run_metadata";
/// A serialized `RunMetadata` whose graph the graphs dashboard shows.
pub const GRAPH_RUN_METADATA_WITH_GRAPH: &str = "graph_run_metadata_graph";
/// A Keras model's JSON configuration, shown as a graph.
pub const GRAPH_KERAS_MODEL: &str = "graph_keras_model";
/// The graphs dashboard's name for a run's `tagged_run_metadata` events.
pub const GRAPH_TAGGED_RUN_METADATA: &str = "graph_tagged_run_metadata";
