//! # candle-tensorboard
//!
//! TensorBoard logging and PyTorch-style layer hooks for [candle](https://github.com/huggingface/candle).
#![warn(missing_docs)]

pub mod error;
pub mod grid;
pub mod proto;
pub mod record;
pub mod summary;

pub use error::{Error, Result};
