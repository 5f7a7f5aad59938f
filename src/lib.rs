//! # candle-tensorboard
//!
//! TensorBoard logging and PyTorch-style layer hooks for
//! [candle](https://github.com/huggingface/candle).
//!
//! - [`SummaryWriter`] writes event files that `tensorboard --logdir runs` shows exactly as it
//!   shows PyTorch's: scalars, scalar groups, histograms, images, text.
//! - [`reader`] reads them back, checking every checksum.
#![warn(missing_docs)]

pub mod alloc;
pub mod data;
pub mod envs;
pub mod error;
pub mod event_writer;
pub mod grid;
pub mod hooks;
pub mod models;
pub mod nn;
pub mod proto;
pub mod reader;
pub mod record;
pub mod summary;
pub mod writer;

pub use error::{Error, Result};
pub use writer::{SummaryWriter, SummaryWriterBuilder};
