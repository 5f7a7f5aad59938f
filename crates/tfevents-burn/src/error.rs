//! The errors of this crate: each names what was wrong and how to fix it.

use std::path::PathBuf;

/// What went wrong while setting up or writing TensorBoard logs for burn.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The log directory (or a run directory inside it) could not be created.
    #[error("cannot create the TensorBoard log directory {path}: {source}; choose a directory this process may write to")]
    LogDir {
        /// The directory.
        path: PathBuf,
        /// Why it failed.
        #[source]
        source: std::io::Error,
    },
    /// The event-file core refused a call (an I/O error, a closed writer, a bad argument).
    #[error("TensorBoard run {run}: {source}")]
    Events {
        /// The run directory the call was for.
        run: PathBuf,
        /// The core's error.
        #[source]
        source: tfevents::Error,
    },
    /// Writes made during training (inside burn's loop, which cannot take errors) failed;
    /// the files keep every event written before the first failure.
    #[error("{count} TensorBoard write(s) failed during training; the first: {first}")]
    Training {
        /// How many writes failed.
        count: usize,
        /// The first failure, in words.
        first: String,
    },
    /// A burn `Config` could not be turned into hparams.
    #[error("cannot read the config as hparams: {0}; the config must serialize to a JSON object")]
    Config(String),
    /// Some parameters of a module could not be logged as histograms (empty, or holding NaN or
    /// infinite values); the others were logged.
    #[error("parameters not logged as histograms: {}", .skipped.join("; "))]
    Histograms {
        /// Each skipped parameter with the reason.
        skipped: Vec<String>,
    },
}

/// This crate's `Result`.
pub type Result<T> = std::result::Result<T, Error>;
