//! The tables a run gives, by name.

use std::fmt;
use std::str::FromStr;

/// One table of a run: the kinds tbparse reads (`scalars`, `tensors`, `histograms`,
/// `images`, `audio`, `text`, `hparams`) and `pr_curves`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TableKind {
    /// Scalar series.
    Scalars,
    /// Tensor values of any plugin not read into another table (and PR curves' raw tensors).
    Tensors,
    /// Histograms with their buckets as list columns.
    Histograms,
    /// Encoded images.
    Images,
    /// Encoded audio clips.
    Audio,
    /// Markdown texts.
    Text,
    /// Each trial's hyperparameters, metrics and status.
    Hparams,
    /// Precision-recall curves.
    PrCurves,
}

impl TableKind {
    /// Every kind, in the order the tables are listed.
    pub const ALL: [TableKind; 8] = [
        TableKind::Scalars,
        TableKind::Tensors,
        TableKind::Histograms,
        TableKind::Images,
        TableKind::Audio,
        TableKind::Text,
        TableKind::Hparams,
        TableKind::PrCurves,
    ];

    /// The table's name, as tbparse names its properties (`pr_curves` for the one it lacks);
    /// also the Parquet file's stem.
    pub fn name(self) -> &'static str {
        match self {
            TableKind::Scalars => "scalars",
            TableKind::Tensors => "tensors",
            TableKind::Histograms => "histograms",
            TableKind::Images => "images",
            TableKind::Audio => "audio",
            TableKind::Text => "text",
            TableKind::Hparams => "hparams",
            TableKind::PrCurves => "pr_curves",
        }
    }
}

impl fmt::Display for TableKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A table name that is not one of [`TableKind::ALL`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownTableKind(pub String);

impl fmt::Display for UnknownTableKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = TableKind::ALL.iter().map(|k| k.name()).collect();
        write!(
            f,
            "unknown table `{}`; the tables are {}",
            self.0,
            names.join(", ")
        )
    }
}

impl std::error::Error for UnknownTableKind {}

impl FromStr for TableKind {
    type Err = UnknownTableKind;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        TableKind::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| UnknownTableKind(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_back() {
        for kind in TableKind::ALL {
            assert_eq!(kind.name().parse::<TableKind>(), Ok(kind));
        }
    }

    #[test]
    fn unknown_name_lists_the_tables() {
        let err = "scalar".parse::<TableKind>().unwrap_err().to_string();
        assert!(err.contains("`scalar`"), "{err}");
        assert!(err.contains("scalars, tensors"), "{err}");
    }
}
