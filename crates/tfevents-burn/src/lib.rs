//! # tfevents-burn
//!
//! TensorBoard logging for [burn](https://burn.dev): a `MetricLogger` that writes TensorBoard
//! event files with the [`tfevents`] core, in three lines.
//!
//! ```no_run
//! # fn main() -> tfevents_burn::Result<()> {
//! let tensorboard = tfevents_burn::TensorBoard::new("runs/mnist")?;          // 1
//! // SupervisedTraining::new(..).with_metric_logger(tensorboard.metric_logger()) // 2
//! tensorboard.close()?;                                                       // 3
//! # Ok(()) }
//! ```
//!
//! - One run per split (`runs/mnist/train`, `runs/mnist/valid`, `runs/mnist/test[/<tag>]`)
//!   with the same tags, so TensorBoard draws train and valid on one chart
//!   ([`Layout::SingleRun`] puts the split in the tag instead).
//! - Each batch's metric values at the split's step (its batches so far); each epoch's
//!   values as `epoch/<metric>` at step = epoch; text metrics as text at each epoch's end;
//!   burn's description, unit and direction of each metric in the chart's description.
//! - `read_numeric` answers as burn's own file logger does, so burn's best-epoch
//!   checkpointing and early stopping keep working with this logger alone or beside others.
//! - [`TensorBoard::add_hparams`] logs a burn `Config` with the final epoch values to the
//!   HPARAMS dashboard, [`TensorBoard::add_module_histograms`] a module's weights.
//!
//! burn's loop cannot take errors from a logger: a write that fails inside it is counted,
//! logged with the `log` crate (burn writes it to `experiment.log`), and reported by
//! [`TensorBoard::flush`] and [`TensorBoard::close`].
#![deny(missing_docs)]

mod error;
mod histograms;
mod history;
mod hparams;
mod layout;
mod logger;
mod recorder;
mod tensorboard;

pub use error::{Error, Result};
pub use history::DEFAULT_MAX_ENTRIES_PER_EPOCH;
pub use hparams::config_hparams;
pub use layout::Layout;
pub use logger::TensorBoardLogger;
pub use tensorboard::{TensorBoard, TensorBoardBuilder};
