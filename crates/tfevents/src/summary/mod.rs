//! Pure functions that turn values into TensorBoard `Summary` messages, one file per plugin.

pub mod audio;
pub mod boxes;
pub mod custom_scalar;
#[cfg(feature = "figures")]
pub mod figure;
pub mod graph;
pub mod histogram;
pub mod hparams;
pub mod image;
pub mod mesh;
pub mod pr_curve;
pub mod projector;
pub mod scalar;
pub mod text;
#[cfg(feature = "video")]
pub mod video;

use crate::Error;

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
