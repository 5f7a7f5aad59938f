//! Where the event files come from: listing runs with their files' sizes, and reading a file
//! from an offset on. Reloads read only the bytes past what was already read, and blobs are
//! read again from their record's offset.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

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
    /// The bytes of `file` from `offset` on.
    fn open_at(&self, file: &Path, offset: u64) -> Result<Box<dyn Read + Send>, String>;
}

/// A log directory on the local disk.
#[derive(Debug)]
pub struct LocalDir(pub PathBuf);

impl Source for LocalDir {
    fn discover(&self) -> Result<Vec<RunFiles>, String> {
        let runs = tfevents::reader::discover_runs(&self.0).map_err(|e| e.to_string())?;
        Ok(runs
            .into_iter()
            .map(|run| RunFiles {
                name: run.name,
                files: run
                    .files
                    .into_iter()
                    // A file that vanished since the listing reads as empty until it is gone
                    // from the next listing too.
                    .map(|f| {
                        let size = std::fs::metadata(&f).map_or(0, |m| m.len());
                        (f, size)
                    })
                    .collect(),
            })
            .collect())
    }

    fn open_at(&self, file: &Path, offset: u64) -> Result<Box<dyn Read + Send>, String> {
        let mut f = File::open(file).map_err(|e| format!("cannot open {}: {e}", file.display()))?;
        f.seek(SeekFrom::Start(offset))
            .map_err(|e| format!("cannot seek to {offset} in {}: {e}", file.display()))?;
        Ok(Box::new(BufReader::with_capacity(1 << 16, f)))
    }
}
