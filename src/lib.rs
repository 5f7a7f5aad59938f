//! # candle-tensorboard
//!
//! TensorBoard logging and PyTorch-style layer hooks for
//! [candle](https://github.com/huggingface/candle).
//!
//! - [`SummaryWriter`] (from the event-file core, [`tfevents`], re-exported here with candle
//!   `Tensor` inputs on) writes event files that `tensorboard --logdir runs` shows exactly as it
//!   shows PyTorch's.
//! - [`grid`]: `make_grid` and `save_image` on tensors, as torchvision's.
//! - [`nn`] and [`hooks`]: a named, hookable module tree with forward pre-hooks, forward hooks,
//!   full backward hooks and tensor gradient hooks.
//! - [`models`]: AlexNet, the Atari DQN net, the MNIST GAN and a two-layer net, with
//!   torchvision's parameter names, and [`models::load_pretrained`].
//! - [`candle_gaps`]: the few candle operations this crate replaces, and why.
#![deny(missing_docs)]

pub mod candle_gaps;
pub mod error;
mod gradcheck;
pub mod graph;
pub mod grid;
pub mod hooks;
pub mod models;
pub mod nn;
mod node;

pub use error::{Error, Result};
pub use tfevents;
pub use tfevents::{event_writer, proto, reader, record, summary, writer};
pub use tfevents::{SummaryWriter, SummaryWriterBuilder};

/// The README's code, compiled as doctests so that it cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
