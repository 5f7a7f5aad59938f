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
    // summary input errors
    /// Some histogram values are NaN or infinite: TensorBoard cannot draw such a histogram.
    #[error("{count} of {total} values are nan or infinite{}; filter them out first, or log counts made elsewhere with `raw_histogram`", crate::summary::in_tag(.tag))]
    NonFinite {
        /// The tag being logged, when the error comes from a `SummaryWriter` call.
        tag: Option<String>,
        /// How many values are NaN or infinite.
        count: usize,
        /// How many values there are.
        total: usize,
    },
    /// Some pixel values are NaN (PyTorch would silently draw them black).
    #[error("{count} of {total} pixel values are nan{}; replace them (e.g. with 0) or find where they come from", crate::summary::in_tag(.tag))]
    NanPixels {
        /// The tag being logged, when the error comes from a `SummaryWriter` call.
        tag: Option<String>,
        /// How many pixel values are NaN.
        count: usize,
        /// How many pixel values there are.
        total: usize,
    },
    /// Every histogram value lies outside the bin edges.
    #[error("all {count} values lie outside the bin edges [{first}, {last}]{}; widen the edges", crate::summary::in_tag(.tag))]
    OutsideEdges {
        /// The tag being logged, when the error comes from a `SummaryWriter` call.
        tag: Option<String>,
        /// How many values there are.
        count: usize,
        /// The first edge.
        first: f64,
        /// The last edge.
        last: f64,
    },
    /// A data format (`dataformats`) is not a layout of the input.
    #[error("bad data format `{format}`: {reason}")]
    BadDataFormat {
        /// The format as given.
        format: String,
        /// What is wrong with it and what to give instead.
        reason: String,
    },
    /// A slice's length does not match the shape given with it.
    #[error("shape {shape:?} needs {needs} values but the data holds {got}; pass the data's row-major shape")]
    ShapeMismatch {
        /// The shape given.
        shape: Vec<usize>,
        /// The values the shape needs (saturated at `usize::MAX` if the product overflows).
        needs: usize,
        /// The values the data holds.
        got: usize,
    },
    /// An image (or image grid) would be larger than the limit; refused before allocating.
    #[error("{what} would take {bytes} bytes, over the limit of {limit}; log a smaller crop, a downscaled image or fewer images")]
    TooLarge {
        /// What would be too large, e.g. "the image".
        what: &'static str,
        /// The bytes it would take (saturated at `u128::MAX`).
        bytes: u128,
        /// The most bytes allowed.
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

#[cfg(feature = "candle")]
impl From<candle_core::Error> for Error {
    fn from(e: candle_core::Error) -> Self {
        Error::Tensor(e)
    }
}
