//! Finding runs under a log directory, as TensorBoard does.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

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
pub fn discover_runs(logdir: impl AsRef<Path>) -> Result<Vec<Run>> {
    let logdir = logdir.as_ref();
    if !logdir.is_dir() {
        return Err(Error::invalid(
            "logdir",
            format!("`{}` is not a directory", logdir.display()),
        ));
    }
    let mut runs: Vec<Run> = Vec::new();
    for entry in walkdir::WalkDir::new(logdir).sort_by_file_name() {
        let entry = entry.map_err(|e| {
            let path = e.path().unwrap_or(logdir).to_path_buf();
            Error::io(
                "cannot list",
                path,
                e.into_io_error()
                    .unwrap_or_else(|| std::io::Error::other("filesystem loop")),
            )
        })?;
        if !entry.file_type().is_file() || !entry.file_name().to_string_lossy().contains("tfevents")
        {
            continue;
        }
        let Some(dir) = entry.path().parent() else {
            continue;
        };
        match runs.iter_mut().find(|run| run.dir == dir) {
            Some(run) => run.files.push(entry.path().to_path_buf()),
            None => runs.push(Run {
                name: run_name(logdir, dir),
                dir: dir.to_path_buf(),
                files: vec![entry.path().to_path_buf()],
            }),
        }
    }
    for run in &mut runs {
        run.files.sort();
    }
    runs.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(runs)
}

fn run_name(logdir: &Path, dir: &Path) -> String {
    match dir.strip_prefix(logdir) {
        Ok(rel) if rel.as_os_str().is_empty() => ".".to_string(),
        Ok(rel) => rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/"),
        Err(_) => dir.display().to_string(),
    }
}
