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
    #[deprecated(
        note = "image encoding errors are `Error::Encode`, with the encoder's error as source"
    )]
    #[error("image encoding failed: {0}")]
    Image(String),
    /// Drawing a figure failed (only with the `figures` feature): the plotting code's own error.
    #[deprecated(note = "drawing errors are `Error::Encode { what: \"the figure\", .. }`")]
    #[error("drawing the figure failed: {0}; check the data's ranges and the figure's size")]
    Figure(String),
    // summary input errors
    /// Some histogram values are NaN or infinite: TensorBoard cannot draw such a histogram.
    #[error("{count} of {total} values are nan or infinite{}; filter them out first, or log counts made elsewhere with `raw_histogram`", tag_suffix(.tag))]
    NonFinite {
        /// A tag set by whoever built this error; `SummaryWriter` calls leave it `None` and
        /// name their tag in the [`Error::InTag`] around this error (see [`Error::tag`]).
        tag: Option<String>,
        /// How many values are NaN or infinite.
        count: usize,
        /// How many values there are.
        total: usize,
    },
    /// Some pixel values are NaN (PyTorch would silently draw them black).
    #[error("{count} of {total} pixel values are nan{}; replace them (e.g. with 0) or find where they come from", tag_suffix(.tag))]
    NanPixels {
        /// A tag set by whoever built this error; `SummaryWriter` calls leave it `None` and
        /// name their tag in the [`Error::InTag`] around this error (see [`Error::tag`]).
        tag: Option<String>,
        /// How many pixel values are NaN.
        count: usize,
        /// How many pixel values there are.
        total: usize,
    },
    /// Every histogram value lies outside the bin edges.
    #[error("all {count} values lie outside the bin edges [{first}, {last}]{}; widen the edges", tag_suffix(.tag))]
    OutsideEdges {
        /// A tag set by whoever built this error; `SummaryWriter` calls leave it `None` and
        /// name their tag in the [`Error::InTag`] around this error (see [`Error::tag`]).
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
    /// A logging call failed on its input: `error` is what was wrong, `tag` the tag being
    /// logged, so that a failing call among many is easy to find. Every `SummaryWriter::add_*`
    /// method wraps the errors of its input this way (the one place is
    /// [`Error::in_tag`]); match on the underlying kind through [`Error::kind`], which looks
    /// through this wrapper, and read the tag with [`Error::tag`].
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let dir = std::env::temp_dir().join("tfevents-doc-in-tag");
    /// let writer = tfevents::SummaryWriter::new(&dir)?;
    /// let err = writer.add_histogram("weights", &[] as &[f32], 0).unwrap_err();
    /// assert_eq!(err.tag(), Some("weights"));
    /// assert!(matches!(err.kind(), tfevents::Error::Empty { .. }));
    /// # writer.close()?; std::fs::remove_dir_all(&dir)?; Ok(()) }
    /// ```
    #[error("{error} (tag `{tag}`)")]
    InTag {
        /// The tag being logged.
        tag: String,
        /// What was wrong (never itself an `InTag`). Not the [`source`](std::error::Error::source):
        /// its message is already part of this one.
        error: Box<Error>,
    },
    /// An input that needs at least one item has none (no samples, no histogram values, a
    /// layout without categories, ...). Fix: give at least one.
    #[error("{what} is empty; give at least one")]
    Empty {
        /// What is empty, e.g. "samples".
        what: String,
    },
    /// Two inputs that go together have different lengths (one label per prediction, one
    /// colour per box, ...). Fix: give `expected` items, one per `per`.
    #[error("{what} has {got} entries but {expected} are needed, one per {per}")]
    LengthMismatch {
        /// The input with the wrong length, e.g. "labels".
        what: String,
        /// How many entries it has.
        got: usize,
        /// How many it needs.
        expected: usize,
        /// What each entry goes with, e.g. "prediction".
        per: &'static str,
    },
    /// A shape has the wrong rank, an empty side or a side of the wrong size (a video that is
    /// not `(N, T, C, H, W)`, an image with 5 channels, ...). Fix: give the layout `expected`
    /// names, reshaping or selecting first.
    #[error("{what} has shape {shape:?}; {expected}")]
    BadShape {
        /// What has the shape, e.g. "video".
        what: String,
        /// The shape given.
        shape: Vec<usize>,
        /// The shapes accepted, e.g. "give (N, T, C, H, W) with C = 1 or 3".
        expected: &'static str,
    },
    /// A number is NaN, infinite, negative or zero where it may not be (a NaN audio sample, a
    /// negative weight, 0 frames per second, ...). Fix: give a value that `must` describes,
    /// e.g. by filtering NaN out.
    #[error("{what} is {value}; it must be {must}")]
    BadNumber {
        /// Which value, e.g. "sample 3".
        what: String,
        /// The value given.
        value: f64,
        /// What it must be, e.g. "finite and > 0".
        must: &'static str,
    },
    /// A name is empty, given twice, or names nothing it should (an empty tag, two graph nodes
    /// of one name, a graph input that names no node, ...). Fix: what `reason` says.
    #[error("{what} {name:?} {reason}")]
    BadName {
        /// What kind of name, e.g. "tag" or "graph node".
        what: &'static str,
        /// The name as given.
        name: String,
        /// What is wrong with it and what to give instead.
        reason: &'static str,
    },
    /// Encoding a PNG, a GIF or a figure failed; `source` is the encoder's own error. Fix: see
    /// the source; it usually means a value the encoder cannot hold.
    #[error("cannot encode {what}: {source}")]
    Encode {
        /// What was being encoded, e.g. "the PNG" or "the figure".
        what: &'static str,
        /// The encoder's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
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

/// ` (tag `t`)` for a message, or nothing when the error has no tag.
fn tag_suffix(tag: &Option<String>) -> String {
    match tag {
        Some(t) => format!(" (tag `{t}`)"),
        None => String::new(),
    }
}

impl Error {
    /// The error with the tag being logged attached, as [`Error::InTag`]: the one way this
    /// crate names the tag in an error. An error that has a tag already keeps its own.
    pub fn in_tag(self, tag: &str) -> Self {
        match self {
            tagged @ Error::InTag { .. } => tagged,
            error => Error::InTag {
                tag: tag.to_string(),
                error: Box::new(error),
            },
        }
    }

    /// What went wrong, looking through [`Error::InTag`]: match on this.
    ///
    /// ```
    /// use tfevents::Error;
    /// let e = Error::Empty { what: "samples".into() }.in_tag("audio");
    /// assert!(matches!(e.kind(), Error::Empty { what } if what == "samples"));
    /// ```
    pub fn kind(&self) -> &Error {
        match self {
            Error::InTag { error, .. } => error.kind(),
            other => other,
        }
    }

    /// The tag being logged when this happened, if a `SummaryWriter` call named one.
    pub fn tag(&self) -> Option<&str> {
        match self {
            Error::InTag { tag, .. } => Some(tag),
            Error::NonFinite { tag, .. }
            | Error::NanPixels { tag, .. }
            | Error::OutsideEdges { tag, .. } => tag.as_deref(),
            _ => None,
        }
    }

    /// An [`Error::Encode`] of `what` with the encoder's error `source`.
    pub(crate) fn encode(
        what: &'static str,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        Error::Encode {
            what,
            source: source.into(),
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

    #[test]
    fn in_tag_wraps_once_and_kind_looks_through_it() {
        let e = Error::Empty {
            what: "samples".into(),
        }
        .in_tag("audio")
        .in_tag("outer");
        assert!(matches!(&e, Error::InTag { tag, .. } if tag == "audio"));
        assert!(matches!(e.kind(), Error::Empty { what } if what == "samples"));
        assert_eq!(e.tag(), Some("audio"));
        assert_eq!(
            e.to_string(),
            "samples is empty; give at least one (tag `audio`)"
        );
        // Not its own source: the message already holds the inner one.
        assert!(std::error::Error::source(&e).is_none());
        assert_eq!(Error::Closed.kind().to_string(), Error::Closed.to_string());
        assert_eq!(Error::Closed.tag(), None);
    }

    #[test]
    fn empty_names_what_is_empty() {
        let e = Error::Empty {
            what: "the layout's categories".into(),
        };
        assert!(matches!(&e, Error::Empty { what } if what == "the layout's categories"));
        assert_eq!(
            e.to_string(),
            "the layout's categories is empty; give at least one"
        );
    }

    #[test]
    fn length_mismatch_names_both_lengths() {
        let e = Error::LengthMismatch {
            what: "labels".into(),
            got: 3,
            expected: 4,
            per: "prediction",
        };
        assert!(matches!(
            e,
            Error::LengthMismatch {
                got: 3,
                expected: 4,
                ..
            }
        ));
        assert_eq!(
            e.to_string(),
            "labels has 3 entries but 4 are needed, one per prediction"
        );
    }

    #[test]
    fn bad_shape_names_the_shape_and_what_is_accepted() {
        let e = Error::BadShape {
            what: "video".into(),
            shape: vec![2, 3],
            expected: "give (N, T, C, H, W)",
        };
        assert!(matches!(&e, Error::BadShape { shape, .. } if shape == &[2, 3]));
        assert_eq!(
            e.to_string(),
            "video has shape [2, 3]; give (N, T, C, H, W)"
        );
    }

    #[test]
    fn bad_number_names_the_value_and_the_rule() {
        let e = Error::BadNumber {
            what: "fps".into(),
            value: 0.0,
            must: "finite and > 0",
        };
        assert!(
            matches!(&e, Error::BadNumber { what, value, .. } if what == "fps" && *value == 0.0)
        );
        assert_eq!(e.to_string(), "fps is 0; it must be finite and > 0");
    }

    #[test]
    fn bad_name_quotes_the_name() {
        let e = Error::BadName {
            what: "graph node",
            name: "a//b".into(),
            reason: "has an empty scope",
        };
        assert!(matches!(&e, Error::BadName { what: "graph node", name, .. } if name == "a//b"));
        assert_eq!(e.to_string(), "graph node \"a//b\" has an empty scope");
    }

    #[test]
    fn encode_keeps_the_encoder_error_as_source() {
        let e = Error::encode("the PNG data", std::io::Error::other("disk on fire"));
        assert!(matches!(
            e,
            Error::Encode {
                what: "the PNG data",
                ..
            }
        ));
        assert_eq!(e.to_string(), "cannot encode the PNG data: disk on fire");
        let source = std::error::Error::source(&e).map(ToString::to_string);
        assert_eq!(source.as_deref(), Some("disk on fire"));
    }

    #[test]
    fn shape_mismatch_names_both_counts() {
        let e = Error::ShapeMismatch {
            shape: vec![2, 3],
            needs: 6,
            got: 5,
        };
        assert!(matches!(
            e,
            Error::ShapeMismatch {
                needs: 6,
                got: 5,
                ..
            }
        ));
        assert!(e
            .to_string()
            .starts_with("shape [2, 3] needs 6 values but the data holds 5"));
    }
}
