//! Pure functions that turn values into TensorBoard `Summary` messages, one file per plugin.

pub mod audio;
pub mod boxes;
pub mod custom_scalar;
#[cfg(feature = "figures")]
pub mod figure;
pub mod graph;
pub mod histogram;
pub mod hparams;
pub mod image;
pub mod mesh;
mod plugin_value;
pub mod pr_curve;
pub mod projector;
pub mod scalar;
pub mod text;
#[cfg(feature = "video")]
pub mod video;
