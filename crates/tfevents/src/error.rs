//! The crate's error type: every fallible call returns [`Result`].

use std::path::PathBuf;

/// Everything that can go wrong while logging, reading or hooking.
///
/// Each variant's message says what was wrong and what to do about it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file-system operation failed.
    #[error("{action} `{path}`: {source}")]
    Io {
        /// What we were doing, e.g. "cannot create log directory".
        action: &'static str,
        /// The path involved.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// The writer thread failed to write earlier events; they may be lost, later ones are not.
    #[error("the event writer for `{path}` failed: {message}; events queued before this error may be lost, the file is intact up to the last complete record")]
    Writer {
        /// The event file.
        path: PathBuf,
        /// What failed.
        message: String,
    },
    /// The writer was closed and cannot take more events.
    #[error("this SummaryWriter was closed; create a new one to log more events")]
    Closed,
    /// An argument was out of its domain.
    #[error("invalid argument `{name}`: {reason}")]
    InvalidArgument {
        /// The argument's name.
        name: &'static str,
        /// What was wrong and how to fix it.
        reason: String,
    },
    /// An event file is damaged.
    #[error("corrupt event file `{path}` at byte {offset}: {reason}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// Where the bad record starts.
        offset: u64,
        /// What was wrong.
        reason: String,
    },
    /// A tensor could not be read (only with the `candle` feature).
    #[cfg(feature = "candle")]
    #[error("reading a tensor failed: {0}")]
    Tensor(#[source] candle_core::Error),
    /// Encoding an image failed.
    #[error("image encoding failed: {0}")]
    Image(String),
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

#[cfg(feature = "candle")]
impl From<candle_core::Error> for Error {
    fn from(e: candle_core::Error) -> Self {
        Error::Tensor(e)
    }
}
