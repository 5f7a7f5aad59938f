//! The error type of the candle layer: the event-file core's errors, candle's, and the few
//! of its own (bad arguments to grids, pools, hooks and weight loading).

use std::path::PathBuf;

/// Everything that can go wrong in this crate's candle code, or in the event-file core it
/// re-exports.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Logging or reading event files failed (the core's error, kept whole: match on it).
    #[error(transparent)]
    Events(#[from] tfevents::Error),
    /// A tensor operation failed.
    #[error("tensor operation failed: {0}")]
    Candle(#[from] candle_core::Error),
    /// An argument was out of its domain.
    #[error("invalid argument `{name}`: {reason}")]
    InvalidArgument {
        /// The argument's name.
        name: &'static str,
        /// What was wrong and how to fix it.
        reason: String,
    },
    /// A file-system operation failed.
    #[error("{action} `{path}`: {source}")]
    Io {
        /// What we were doing, e.g. "cannot read weights".
        action: &'static str,
        /// The path involved.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// An output (an image grid) would hold more values than the limit; refused before
    /// anything is allocated.
    #[error("{what} would hold {values} values, over the limit of {limit}; use less padding, fewer or smaller images")]
    TooLarge {
        /// What would be too large, e.g. "the grid".
        what: &'static str,
        /// The values it would hold (saturated at `u128::MAX`).
        values: u128,
        /// The most values allowed.
        limit: usize,
    },
}

impl Error {
    /// Shorthand for [`Error::InvalidArgument`].
    pub fn invalid(name: &'static str, reason: impl Into<String>) -> Self {
        Error::InvalidArgument {
            name,
            reason: reason.into(),
        }
    }

    /// Shorthand for [`Error::Io`].
    pub fn io(action: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            action,
            path: path.into(),
            source,
        }
    }
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
