//! # candle-tensorboard
//!
//! TensorBoard logging and PyTorch-style layer hooks for [candle](https://github.com/huggingface/candle).
#![warn(missing_docs)]

pub mod error;
pub mod proto;
pub mod record;

pub use error::{Error, Result};
pub mod hooks;
pub mod models;
pub mod nn;
