//! Where the event files come from: the core's log-directory seam (a local path, `file://`,
//! `s3://`, `gs://`, `az://`), seen as runs with their files' sizes and files read from an
//! offset on. Reloads read only the bytes past what was already read, and blobs are read again
//! from their record's offset.

use std::io::Read;
use std::path::{Path, PathBuf};

use tfevents::reader::logdir::{self, EventFile, LogDir};

/// One run's event files with their current sizes, sorted by name.
#[derive(Debug)]
pub struct RunFiles {
    /// The run's name (`.` for the log directory itself).
    pub name: String,
    /// `(file, size in bytes)`.
    pub files: Vec<(PathBuf, u64)>,
}

/// A log directory the server reads.
pub trait Source: std::fmt::Debug + Send + Sync {
    /// The runs, as TensorBoard discovers them.
    fn discover(&self) -> Result<Vec<RunFiles>, String>;
    /// The bytes of `file` (listed at `size` bytes) from `offset` on.
    fn open_at(&self, file: &Path, size: u64, offset: u64) -> Result<Box<dyn Read + Send>, String>;
}

/// A log directory through the core's seam.
#[derive(Debug)]
pub struct Seam(Box<dyn LogDir>);

impl Seam {
    /// Opens `location` (nothing is contacted yet).
    pub fn open(location: &str) -> Result<Self, String> {
        logdir::open(location).map(Seam).map_err(|e| e.to_string())
    }
}

impl Source for Seam {
    fn discover(&self) -> Result<Vec<RunFiles>, String> {
        let runs = self.0.discover().map_err(|e| e.to_string())?;
        Ok(runs
            .into_iter()
            .map(|run| RunFiles {
                name: run.name,
                files: run.files.into_iter().map(|f| (f.path, f.size)).collect(),
            })
            .collect())
    }

    fn open_at(&self, file: &Path, size: u64, offset: u64) -> Result<Box<dyn Read + Send>, String> {
        let file = EventFile {
            path: file.to_path_buf(),
            size,
        };
        self.0.open_at(&file, offset).map_err(|e| e.to_string())
    }
}
