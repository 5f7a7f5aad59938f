//! The error type of the candle layer: the event-file core's errors and candle's. Bad
//! arguments to grids, pools, hooks and weight loading are the core's structured variants
//! (`Events(Empty | BadShape | BadNumber | ...)`), so a caller matches one set of kinds.

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
    #[deprecated(
        since = "0.3.0",
        note = "bad arguments are the core's variants: match `Error::Events(tfevents::Error::InvalidArgument { .. })` or its structured kinds (`Empty`, `BadShape`, `BadNumber`, ...)"
    )]
    #[error("invalid argument `{name}`: {reason}")]
    InvalidArgument {
        /// The argument's name.
        name: &'static str,
        /// What was wrong and how to fix it.
        reason: String,
    },
    /// A file-system operation failed.
    #[deprecated(
        since = "0.3.0",
        note = "file-system errors are the core's: match `Error::Events(tfevents::Error::Io { .. })`"
    )]
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
    #[deprecated(
        since = "0.3.0",
        note = "an oversized grid is the core's `Error::Events(tfevents::Error::TooLarge { .. })`"
    )]
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
    /// The core's [`tfevents::Error::InvalidArgument`], for a failure of its own kind.
    pub fn invalid(name: &'static str, reason: impl Into<String>) -> Self {
        Error::Events(tfevents::Error::invalid(name, reason))
    }

    /// The core's [`tfevents::Error::Io`].
    pub fn io(action: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Events(tfevents::Error::io(action, path, source))
    }

    /// The core's error inside, if this is one: `matches!(e.events(), Some(tfevents::Error::Empty
    /// { .. }))`. Looks through the tag wrapper ([`tfevents::Error::kind`]).
    pub fn events(&self) -> Option<&tfevents::Error> {
        match self {
            Error::Events(e) => Some(e.kind()),
            _ => None,
        }
    }
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shorthands_build_the_cores_variants() {
        let e = Error::invalid("nrow", "must be at least 1");
        assert!(matches!(
            e.events(),
            Some(tfevents::Error::InvalidArgument { name: "nrow", .. })
        ));
        let e = Error::io(
            "cannot read weights from",
            "/nowhere",
            std::io::Error::from(std::io::ErrorKind::NotFound),
        );
        assert!(matches!(
            e.events(),
            Some(tfevents::Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound
        ));
        assert!(e
            .to_string()
            .starts_with("cannot read weights from `/nowhere`"));
        assert!(Error::Candle(candle_core::Error::Msg("m".into()))
            .events()
            .is_none());
    }
}
