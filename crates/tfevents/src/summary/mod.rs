//! Pure functions that turn values into TensorBoard `Summary` messages, one file per plugin.

pub mod boxes;
pub mod graph;
pub mod histogram;
pub mod image;
pub mod mesh;
pub mod projector;
pub mod scalar;
pub mod text;
