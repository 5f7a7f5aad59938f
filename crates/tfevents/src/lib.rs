//! # tfevents
//!
//! TensorBoard event files from Rust, with no machine-learning framework attached.
//!
//! - [`SummaryWriter`] writes event files that `tensorboard --logdir runs` shows exactly as it
//!   shows PyTorch's, with `torch.utils.tensorboard`'s method names: `add_scalar`,
//!   `add_scalars`, `add_histogram`, `add_image`, `add_images`, `add_text`, ...
//! - [`summary`] holds the pure functions behind them (value in, `Summary` out), one module per
//!   TensorBoard plugin, for callers that build events themselves.
//! - [`reader`] reads event files back, checking both checksums of every record, and finds
//!   runs in a log directory as TensorBoard does.
//!
//! - [`RankWriter`] gives each process of a distributed job (torchrun's `RANK`, `LOCAL_RANK`,
//!   `WORLD_SIZE`) its own run, or lets rank 0 alone log.
//! - With the `remote` feature, `remote` writes and reads log directories in object stores
//!   (`s3://`, `gs://`, `az://`) as segment objects, never re-uploading what was sent.
//!
//! Inputs are framework-neutral: histogram values are slices ([`summary::histogram::HistogramValues`]),
//! images are slices with a shape or [`summary::image::ImageU8`]. The `candle` feature adds
//! `candle_core::Tensor` inputs, the `image` feature the `image` crate's buffers.
//!
//! ```
//! # fn main() -> tfevents::Result<()> {
//! # let dir = std::env::temp_dir().join(format!("tfevents-doc-{}", std::process::id()));
//! let writer = tfevents::SummaryWriter::new(&dir)?;
//! for step in 0..10 {
//!     writer.add_scalar("loss", 1.0 / (step as f64 + 1.0), step)?;
//! }
//! writer.add_histogram("weights", &[0.1f32, 0.2, 0.2, 0.9][..], 0)?;
//! writer.close()?;
//! # std::fs::remove_dir_all(&dir).ok();
//! # Ok(())
//! # }
//! ```
#![deny(missing_docs)]

pub mod error;
pub mod event_writer;
pub mod plugin_names;
pub mod proto;
pub mod reader;
pub mod record;
#[cfg(feature = "remote")]
pub mod remote;
mod step;
pub mod summary;
pub mod writer;

pub use error::{Error, Result};
pub use writer::{RankInfo, RankLayout, RankWriter, SummaryWriter, SummaryWriterBuilder};

/// The README's code, compiled as doctests so that it cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
