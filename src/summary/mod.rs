//! Pure functions that turn user values into TensorBoard `Summary` messages, one file per plugin.

pub mod image;
