//! Pure functions that turn values into TensorBoard `Summary` messages, one file per plugin.

pub mod audio;
pub mod custom_scalar;
pub mod histogram;
pub mod hparams;
pub mod image;
pub mod pr_curve;
pub mod scalar;
pub mod text;
#[cfg(feature = "video")]
pub mod video;
