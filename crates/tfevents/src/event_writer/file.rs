//! Event files on disk: their names, and a sink that notices when its file is deleted or
//! replaced.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use super::{hostname, now_secs, EventSink};
use crate::error::{Error, Result};

/// Makes file names unique within the process, as TensorBoard's global uid does, so two
/// writers created in the same second never share a file.
static FILE_COUNTER: AtomicU64 = AtomicU64::new(0);

/// How many names `create_unique` tries when another writer (another process with the same
/// host name and pid, as in containers) already took one.
const NAME_ATTEMPTS: u32 = 1000;

/// A file that also knows its path, so that a deleted or replaced event file (or log
/// directory) is noticed instead of silently swallowing events.
pub(super) struct FileSink {
    file: File,
    path: PathBuf,
    identity: Option<FileIdentity>,
}

/// What tells two files apart even when one replaced the other under the same name.
#[derive(PartialEq, Eq)]
struct FileIdentity(u64, u64);

impl FileIdentity {
    #[cfg(unix)]
    fn of(meta: &std::fs::Metadata) -> Option<Self> {
        use std::os::unix::fs::MetadataExt;
        Some(FileIdentity(meta.dev(), meta.ino()))
    }

    #[cfg(not(unix))]
    fn of(_meta: &std::fs::Metadata) -> Option<Self> {
        None
    }
}

impl FileSink {
    pub(super) fn new(file: File, path: PathBuf) -> Self {
        let identity = file.metadata().ok().and_then(|m| FileIdentity::of(&m));
        FileSink {
            file,
            path,
            identity,
        }
    }
}

impl Write for FileSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.file.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

impl EventSink for FileSink {
    fn truncate_to(&mut self, len: u64) -> std::io::Result<()> {
        self.file.truncate_to(len)
    }

    fn sync(&mut self) -> std::io::Result<()> {
        self.file.sync_data()
    }

    fn check(&mut self) -> std::io::Result<()> {
        let meta = std::fs::metadata(&self.path).map_err(|e| {
            std::io::Error::new(
                e.kind(),
                format!("the event file (or its log directory) was deleted or moved: {e}"),
            )
        })?;
        if self.identity.is_some() && FileIdentity::of(&meta) != self.identity {
            return Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "the event file was replaced by another file",
            ));
        }
        Ok(())
    }
}

/// Opens a new file `events.out.tfevents.<secs>.<host>.<pid>.<counter><suffix>`, taking the
/// next counter while a name is taken.
pub(super) fn create_unique(log_dir: &Path, suffix: &str) -> Result<(File, PathBuf)> {
    let secs = now_secs() as u64;
    let (host, pid) = (hostname(), std::process::id());
    let mut attempt = 0;
    loop {
        let name = format!(
            "events.out.tfevents.{secs:010}.{host}.{pid}.{}{suffix}",
            FILE_COUNTER.fetch_add(1, Ordering::Relaxed),
        );
        let path = log_dir.join(name);
        match OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(file) => return Ok((file, path)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < NAME_ATTEMPTS => {
                attempt += 1;
            }
            Err(e) => return Err(Error::io("cannot create event file", &path, e)),
        }
    }
}

/// Checks that `log_dir` can be a log directory, creating it if needed; returns whether this
/// call created it (so that a failure afterwards can remove it again).
pub(super) fn prepare_log_dir(log_dir: &Path) -> Result<bool> {
    if log_dir.as_os_str().is_empty() {
        return Err(Error::invalid(
            "log_dir",
            "is empty; give a directory such as \"runs/exp1\" (use \".\" for the current one)",
        ));
    }
    if log_dir.is_file() {
        return Err(Error::invalid(
            "log_dir",
            format!(
                "`{}` is a file, not a directory; choose another log directory",
                log_dir.display()
            ),
        ));
    }
    let created = !log_dir.exists();
    std::fs::create_dir_all(log_dir)
        .map_err(|e| Error::io("cannot create log directory", log_dir, e))?;
    Ok(created)
}
