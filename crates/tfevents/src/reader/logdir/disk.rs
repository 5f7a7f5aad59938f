//! Log directories on disk.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use super::{group_runs, run_name, EventFile, LogDir, RunFiles, EVENT_FILE_INFIX};
use crate::error::{Error, Result};

/// A log directory on disk: runs are found by walking it (symbolic links are not followed), as
/// [`reader::discover_runs`](crate::reader::discover_runs) finds them.
#[derive(Clone, Debug)]
pub struct DiskLogDir {
    root: PathBuf,
    shown: String,
}

impl DiskLogDir {
    /// The log directory at `root`; nothing is read yet.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        let root = root.into();
        let shown = root.display().to_string();
        DiskLogDir { root, shown }
    }

    /// The directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `path` (an event file anywhere on disk) with its current size, for reading a file that
    /// no listing found. A file that cannot be inspected gets the size `u64::MAX`, so that
    /// reading it is tried and reports why it failed.
    pub fn event_file(path: impl Into<PathBuf>) -> EventFile {
        let path = path.into();
        let size = std::fs::metadata(&path).map_or(u64::MAX, |m| m.len());
        EventFile { path, size }
    }
}

impl LogDir for DiskLogDir {
    fn location(&self) -> &str {
        &self.shown
    }

    fn discover(&self) -> Result<Vec<RunFiles>> {
        if !self.root.is_dir() {
            return Err(Error::invalid(
                "logdir",
                format!("`{}` is not a directory", self.shown),
            ));
        }
        let mut found = Vec::new();
        for entry in walkdir::WalkDir::new(&self.root) {
            let entry = entry.map_err(|e| {
                let path = e.path().unwrap_or(&self.root).to_path_buf();
                let source = e
                    .into_io_error()
                    .unwrap_or_else(|| std::io::Error::other("filesystem loop"));
                Error::io("cannot list", path, source)
            })?;
            let is_event_file = entry.file_type().is_file()
                && entry
                    .file_name()
                    .to_string_lossy()
                    .contains(EVENT_FILE_INFIX);
            if !is_event_file {
                continue;
            }
            let Some(dir) = entry.path().parent() else {
                continue;
            };
            let size = entry
                .metadata()
                .map_err(|e| {
                    let source = e
                        .into_io_error()
                        .unwrap_or_else(|| std::io::Error::other("cannot read metadata"));
                    Error::io("cannot inspect", entry.path(), source)
                })?
                .len();
            let name = match dir.strip_prefix(&self.root) {
                Ok(rel) => {
                    let parts: Vec<String> = rel
                        .components()
                        .map(|c| c.as_os_str().to_string_lossy().into_owned())
                        .collect();
                    run_name(&parts)
                }
                Err(_) => dir.display().to_string(),
            };
            let path = entry.into_path();
            found.push((name, EventFile { path, size }));
        }
        Ok(group_runs(found))
    }

    fn open_at(&self, file: &EventFile, offset: u64) -> Result<Box<dyn Read + Send>> {
        let mut f = File::open(&file.path)
            .map_err(|e| Error::io("cannot open event file", &file.path, e))?;
        if offset > 0 {
            f.seek(SeekFrom::Start(offset))
                .map_err(|e| Error::io("cannot seek in event file", &file.path, e))?;
        }
        Ok(Box::new(BufReader::with_capacity(1 << 16, f)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn write(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::File::create(path)?.write_all(bytes)
    }

    #[test]
    fn discovers_runs_with_sizes_as_tensorboard_does(
    ) -> std::result::Result<(), Box<dyn std::error::Error>> {
        let tmp = tempfile::tempdir()?;
        let root = tmp.path();
        write(&root.join("events.out.tfevents.1"), b"abc")?;
        write(&root.join("b/train/events.out.tfevents.2"), b"12345")?;
        write(&root.join("b/train/events.out.tfevents.1"), b"")?;
        write(&root.join("a/events.out.tfevents.9"), b"x")?;
        // Not event files: no run.
        write(&root.join("c/notes.txt"), b"x")?;
        // A directory whose name has the infix is not a file.
        std::fs::create_dir_all(root.join("d/x.tfevents.dir"))?;

        let runs = DiskLogDir::new(root).discover()?;
        let names: Vec<&str> = runs.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, [".", "a", "b/train"]);
        assert_eq!(runs[0].files[0].size, 3);
        let train: Vec<(PathBuf, u64)> = runs[2]
            .files
            .iter()
            .map(|f| (f.path.clone(), f.size))
            .collect();
        assert_eq!(
            train,
            [
                (root.join("b/train/events.out.tfevents.1"), 0),
                (root.join("b/train/events.out.tfevents.2"), 5),
            ]
        );
        Ok(())
    }

    #[test]
    fn a_missing_directory_is_an_error_naming_it() {
        let dir = DiskLogDir::new("/nonexistent/tfevents-logdir");
        match dir.discover() {
            Err(Error::InvalidArgument { name, reason }) => {
                assert_eq!(name, "logdir");
                assert!(reason.contains("/nonexistent/tfevents-logdir"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn opens_a_file_at_an_offset() -> std::result::Result<(), Box<dyn std::error::Error>> {
        let tmp = tempfile::tempdir()?;
        let path = tmp.path().join("events.out.tfevents.1");
        write(&path, b"0123456789")?;
        let dir = DiskLogDir::new(tmp.path());
        let file = DiskLogDir::event_file(&path);
        assert_eq!(file.size, 10);
        let mut rest = String::new();
        dir.open_at(&file, 4)?.read_to_string(&mut rest)?;
        assert_eq!(rest, "456789");
        let missing = DiskLogDir::event_file(tmp.path().join("gone"));
        assert_eq!(missing.size, u64::MAX);
        assert!(matches!(
            dir.open_at(&missing, 0),
            Err(Error::Io {
                action: "cannot open event file",
                ..
            })
        ));
        Ok(())
    }
}
