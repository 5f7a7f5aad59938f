//! The crate's error type: every fallible call returns [`Result`].

use std::path::PathBuf;

/// Everything that can go wrong while logging, reading or hooking.
///
/// Each variant's message says what was wrong and what to do about it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file-system operation failed. `source` is the operating system's error, so
    /// `source.kind()` tells e.g. [`std::io::ErrorKind::StorageFull`] apart.
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
    /// Writing an event file failed. The error is sticky: every later call on the writer (from
    /// any clone), `flush()` and `close()` return it again. The file holds every complete
    /// record that reached it; nothing after the failure is written.
    #[error("writing `{path}` failed ({written} of {accepted} events reached the file): {source}")]
    Writer {
        /// The event file.
        path: PathBuf,
        /// Events the writer had accepted (queued) when this was reported.
        accepted: u64,
        /// Of those, the events whose records are complete in the file.
        written: u64,
        /// What failed; `source.kind()` is e.g. [`std::io::ErrorKind::StorageFull`] for a full
        /// disk, [`std::io::ErrorKind::NotFound`] for a deleted event file.
        #[source]
        source: std::io::Error,
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
    /// An event file is damaged at `offset`; the records before it are good, nothing after it
    /// in that file is read.
    #[error("corrupt event file `{path}` at byte {offset}: {kind}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// Where the bad record starts.
        offset: u64,
        /// What was wrong.
        kind: CorruptKind,
    },
    /// A tensor could not be read (only with the `candle` feature).
    #[cfg(feature = "candle")]
    #[error("reading a tensor failed: {0}")]
    Tensor(#[source] candle_core::Error),
    /// Encoding an image failed.
    #[error("image encoding failed: {0}")]
    Image(String),
}

/// What was wrong with a damaged record, see [`Error::Corrupt`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CorruptKind {
    /// The checksum of the record's length field does not match.
    #[error("length checksum mismatch (got {got:#010x}, want {want:#010x})")]
    LengthChecksum {
        /// The checksum computed from the bytes read.
        got: u32,
        /// The checksum stored in the file.
        want: u32,
    },
    /// The checksum of the record's data does not match.
    #[error("data checksum mismatch (got {got:#010x}, want {want:#010x})")]
    DataChecksum {
        /// The checksum computed from the bytes read.
        got: u32,
        /// The checksum stored in the file.
        want: u32,
    },
    /// The record's framing is intact but its data is not an `Event` message.
    #[error("record is not an event: {0}")]
    NotAnEvent(String),
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
