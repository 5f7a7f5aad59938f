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
    /// Drawing a figure failed (only with the `figures` feature): the plotting code's own error.
    #[error("drawing the figure failed: {0}; check the data's ranges and the figure's size")]
    Figure(String),
    // summary input errors
    /// Some histogram values are NaN or infinite: TensorBoard cannot draw such a histogram.
    #[error("{count} of {total} values are nan or infinite{}; filter them out first, or log counts made elsewhere with `raw_histogram`", in_tag(.tag))]
    NonFinite {
        /// The tag being logged, when the error comes from a `SummaryWriter` call.
        tag: Option<String>,
        /// How many values are NaN or infinite.
        count: usize,
        /// How many values there are.
        total: usize,
    },
    /// Some pixel values are NaN (PyTorch would silently draw them black).
    #[error("{count} of {total} pixel values are nan{}; replace them (e.g. with 0) or find where they come from", in_tag(.tag))]
    NanPixels {
        /// The tag being logged, when the error comes from a `SummaryWriter` call.
        tag: Option<String>,
        /// How many pixel values are NaN.
        count: usize,
        /// How many pixel values there are.
        total: usize,
    },
    /// Every histogram value lies outside the bin edges.
    #[error("all {count} values lie outside the bin edges [{first}, {last}]{}; widen the edges", in_tag(.tag))]
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
    /// A name that becomes a path below the log directory (a sub-run of `add_scalars` or
    /// `add_hparams`, a rank's run, a file-name suffix) could leave the directory or is not a
    /// portable file name; nothing was created. Fix: give a relative name of plain components
    /// such as `"trial_3"` or `"sweep/lr_0.1"`, see [`crate::writer::check_run_name`].
    #[error("unsafe path name {name:?}: {reason}; give a relative name such as \"trial_3\" or \"sweep/lr_0.1\"")]
    UnsafePath {
        /// The name as given.
        name: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A value lies outside the range it must be in (a declared hparam domain, an axis a
    /// figure can draw). Fix: bring the value into `[min, max]`, or widen the declared range.
    #[error("{what} is {value}, outside [{min}, {max}]")]
    OutOfRange {
        /// What the value is, e.g. "hparam `lr`".
        what: String,
        /// The value given.
        value: f64,
        /// The smallest value allowed.
        min: f64,
        /// The largest value allowed.
        max: f64,
    },
    /// An input has more items than a documented limit (bars, series, graph nodes, ...);
    /// refused before anything is drawn or allocated. Fix: log fewer items per call, e.g.
    /// the top classes or several figures.
    #[error("{what}: {count} is over the limit of {limit}; log fewer per call")]
    TooMany {
        /// What there are too many of, e.g. "bars".
        what: &'static str,
        /// How many were given.
        count: usize,
        /// The most allowed.
        limit: usize,
    },
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

/// ` (tag `t`)` for a message, or nothing when the error has no tag yet.
pub(crate) fn in_tag(tag: &Option<String>) -> String {
    match tag {
        Some(t) => format!(" (tag `{t}`)"),
        None => String::new(),
    }
}

impl Error {
    /// Names the tag in a summary input error (the builders do not know it; the writer does),
    /// so that a failing call among many is easy to find.
    pub(crate) fn with_summary_tag(self, name: &str) -> Self {
        match self {
            Error::NonFinite {
                tag: None,
                count,
                total,
            } => Error::NonFinite {
                tag: Some(name.to_string()),
                count,
                total,
            },
            Error::NanPixels {
                tag: None,
                count,
                total,
            } => Error::NanPixels {
                tag: Some(name.to_string()),
                count,
                total,
            },
            Error::OutsideEdges {
                tag: None,
                count,
                first,
                last,
            } => Error::OutsideEdges {
                tag: Some(name.to_string()),
                count,
                first,
                last,
            },
            Error::InvalidArgument { name: arg, reason } => Error::InvalidArgument {
                name: arg,
                reason: format!("{reason} (tag `{name}`)"),
            },
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsafe_path_names_the_name_and_the_fix() {
        let e = Error::UnsafePath {
            name: "../x".into(),
            reason: "`..` leaves the log directory",
        };
        assert!(matches!(&e, Error::UnsafePath { name, .. } if name == "../x"));
        let text = e.to_string();
        assert!(text.starts_with("unsafe path name \"../x\""), "{text}");
        assert!(text.contains("relative name"), "{text}");
    }

    #[test]
    fn out_of_range_names_the_bounds() {
        let e = Error::OutOfRange {
            what: "hparam `lr`".into(),
            value: 2.0,
            min: 0.0,
            max: 1.0,
        };
        assert!(matches!(e, Error::OutOfRange { value, .. } if value == 2.0));
        assert_eq!(e.to_string(), "hparam `lr` is 2, outside [0, 1]");
    }

    #[test]
    fn too_many_names_the_count_and_the_limit() {
        let e = Error::TooMany {
            what: "bars",
            count: 5000,
            limit: 1000,
        };
        assert!(matches!(
            e,
            Error::TooMany {
                count: 5000,
                limit: 1000,
                ..
            }
        ));
        assert_eq!(
            e.to_string(),
            "bars: 5000 is over the limit of 1000; log fewer per call"
        );
    }

    #[test]
    fn too_large_names_the_size_and_the_limit() {
        let e = Error::TooLarge {
            what: "the video",
            bytes: 10,
            limit: 5,
        };
        assert!(matches!(
            e,
            Error::TooLarge {
                bytes: 10,
                limit: 5,
                ..
            }
        ));
        assert!(e
            .to_string()
            .starts_with("the video would take 10 bytes, over the limit of 5"));
    }
}
