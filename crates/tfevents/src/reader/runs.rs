//! Finding runs under a log directory, as TensorBoard does.

use std::path::{Path, PathBuf};

use super::logdir::{DiskLogDir, LogDir};
use crate::error::Result;

/// A run: a directory holding event files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Run {
    /// The run's name: its path relative to the log directory, with `/` separators, `.` for
    /// the log directory itself.
    pub name: String,
    /// The directory.
    pub dir: PathBuf,
    /// Its event files, sorted by name (which sorts them by creation time).
    pub files: Vec<PathBuf>,
}

/// Every directory under `logdir` (itself included) that directly holds a file whose name
/// contains `tfevents`, as TensorBoard discovers runs; sorted by name.
///
/// The local shorthand of [`logdir::open`](super::logdir::open) and
/// [`LogDir::discover`](super::logdir::LogDir::discover), which also read object stores.
pub fn discover_runs(logdir: impl AsRef<Path>) -> Result<Vec<Run>> {
    let logdir = logdir.as_ref();
    let runs = DiskLogDir::new(logdir).discover()?;
    Ok(runs
        .into_iter()
        .map(|run| {
            let dir = run
                .files
                .first()
                .and_then(|f| f.path.parent())
                .map_or_else(|| logdir.to_path_buf(), Path::to_path_buf);
            Run {
                name: run.name,
                dir,
                files: run.files.into_iter().map(|f| f.path).collect(),
            }
        })
        .collect())
}
