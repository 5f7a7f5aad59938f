//! One seam for every kind of log directory: a directory on disk or a prefix in an object store
//! (feature `remote`) is found, listed and read through the [`LogDir`] trait, so the reader,
//! the CLI and the servers built on them have one road for both.
//!
//! The shape follows TensorBoard's own Rust data server: a log directory lists its runs and
//! their event files, and opens one file as a byte stream. Each listing carries the files'
//! sizes, so a reader that remembers how far it read (a [`FileCursor`]) knows which files grew
//! and asks for the new bytes only: a ranged request in an object store, a seek on disk.
//!
//! ```no_run
//! # fn main() -> tfevents::Result<()> {
//! use tfevents::reader::logdir;
//!
//! // A path, `file:///abs/path`, or with the `remote` feature `s3://bucket/prefix`, `gs://…`,
//! // `az://…`.
//! let dir = logdir::open("runs")?;
//! for run in dir.discover()? {
//!     let data = logdir::read_run(dir.as_ref(), &run);
//!     println!("{}: {} events", run.name, data.events);
//! }
//! # Ok(())
//! # }
//! ```

mod cursor;
mod disk;
mod loader;

pub use cursor::FileCursor;
pub use disk::DiskLogDir;
pub use loader::{read_run, Growth, LogDirReader, RunLoader};

use std::fmt::Debug;
use std::io::Read;
use std::path::PathBuf;

use crate::error::{Error, Result};

/// A file is an event file when its name contains this, as TensorBoard decides it.
pub const EVENT_FILE_INFIX: &str = "tfevents";

/// A log directory: runs of event files, each file readable from any offset.
///
/// Implemented by [`DiskLogDir`] and, with the `remote` feature, by
/// [`RemoteLogDir`](crate::remote::RemoteLogDir). [`open`] picks one from a path or URL.
pub trait LogDir: Debug + Send + Sync {
    /// The directory as the user named it (a path or URL), for messages.
    fn location(&self) -> &str;

    /// Every run under the directory (itself included) with its event files and their current
    /// sizes; runs sorted by name, files of a run sorted by name (which is the order they were
    /// written in). A run is a directory that directly holds a file whose name contains
    /// [`EVENT_FILE_INFIX`]; its name is its path below the log directory with `/` separators,
    /// `.` for the log directory itself.
    fn discover(&self) -> Result<Vec<RunFiles>>;

    /// The bytes of `file` from `offset` on, at least up to the size [`discover`](Self::discover)
    /// reported. `file` must come from this directory's `discover`.
    fn open_at(&self, file: &EventFile, offset: u64) -> Result<Box<dyn Read + Send>>;
}

/// One event file as a listing found it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EventFile {
    /// Names the file for [`LogDir::open_at`] and in messages: a path on disk, or the object's
    /// URL (`s3://bucket/prefix/run/events.out.tfevents…`) in a store. Treat it as opaque.
    pub path: PathBuf,
    /// Its size in bytes when it was listed.
    pub size: u64,
}

/// A run as a listing found it: its name and its event files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunFiles {
    /// The run's name: its path below the log directory, `/`-separated, `.` for the directory
    /// itself.
    pub name: String,
    /// Its event files, sorted by name.
    pub files: Vec<EventFile>,
}

/// Opens the log directory `location`: a plain path or a `file://` URL on disk; with the
/// `remote` feature, an object-store URL (`s3://bucket/prefix`, `gs://…`, `az://…`,
/// `memory://…`). Nothing is read or contacted yet; an unknown scheme or a malformed URL is an
/// `Err` here.
pub fn open(location: &str) -> Result<Box<dyn LogDir>> {
    let Some((scheme, rest)) = location.split_once("://") else {
        return Ok(Box::new(DiskLogDir::new(location)));
    };
    if scheme == "file" {
        if rest.is_empty() {
            return Err(bad_location(location, "the path is empty"));
        }
        return Ok(Box::new(DiskLogDir::new(rest)));
    }
    open_remote(location, scheme)
}

/// The schemes of the object stores that the `remote` feature reads.
const STORE_SCHEMES: [&str; 7] = ["s3", "s3a", "gs", "az", "abfs", "abfss", "memory"];

fn open_remote(location: &str, scheme: &str) -> Result<Box<dyn LogDir>> {
    if !STORE_SCHEMES.contains(&scheme) {
        return Err(bad_location(location, format!("unknown scheme `{scheme}`")));
    }
    #[cfg(feature = "remote")]
    {
        Ok(Box::new(crate::remote::RemoteLogDir::open(location)?))
    }
    #[cfg(not(feature = "remote"))]
    {
        Err(bad_location(
            location,
            "object stores need the `remote` feature of `tfevents`; build with it",
        ))
    }
}

#[cfg(not(feature = "remote"))]
const EXPECTED: &str = "expected a path or file:///absolute/path";
#[cfg(feature = "remote")]
const EXPECTED: &str = "expected a path, file:///absolute/path, s3://bucket/prefix, \
                        gs://bucket/prefix, az://container/prefix or memory://";

fn bad_location(location: &str, why: impl std::fmt::Display) -> Error {
    Error::invalid("logdir", format!("`{location}`: {why}; {EXPECTED}"))
}

/// Groups `(run name, file)` pairs into runs sorted by name, files sorted within each run.
pub(crate) fn group_runs(found: impl IntoIterator<Item = (String, EventFile)>) -> Vec<RunFiles> {
    let mut runs: std::collections::BTreeMap<String, Vec<EventFile>> = Default::default();
    for (name, file) in found {
        runs.entry(name).or_default().push(file);
    }
    runs.into_iter()
        .map(|(name, mut files)| {
            files.sort();
            RunFiles { name, files }
        })
        .collect()
}

/// The run name of a directory given as its components below the log directory.
pub(crate) fn run_name<S: AsRef<str>>(parts: &[S]) -> String {
    if parts.is_empty() {
        ".".to_string()
    } else {
        parts
            .iter()
            .map(AsRef::as_ref)
            .collect::<Vec<&str>>()
            .join("/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_file_urls_open_on_disk() -> Result<()> {
        assert_eq!(open("runs/x")?.location(), "runs/x");
        assert_eq!(open("file:///tmp/runs")?.location(), "/tmp/runs");
        Ok(())
    }

    #[test]
    fn malformed_locations_are_errors_naming_the_fix() {
        for bad in ["file://", "ftp://host/x"] {
            match open(bad) {
                Err(Error::InvalidArgument { name, reason }) => {
                    assert_eq!(name, "logdir");
                    assert!(reason.contains("expected a path"), "{reason}");
                }
                other => panic!("{bad}: {other:?}"),
            }
        }
    }

    #[cfg(not(feature = "remote"))]
    #[test]
    fn object_stores_without_the_feature_say_which_feature() {
        match open("s3://bucket/runs") {
            Err(Error::InvalidArgument { reason, .. }) => {
                assert!(reason.contains("`remote` feature"), "{reason}")
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn runs_group_and_sort() {
        let file = |p: &str| EventFile {
            path: p.into(),
            size: 1,
        };
        let runs = group_runs([
            ("b".to_string(), file("b/2")),
            (".".to_string(), file("0")),
            ("b".to_string(), file("b/1")),
        ]);
        let names: Vec<&str> = runs.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, [".", "b"]);
        assert_eq!(runs[1].files, [file("b/1"), file("b/2")]);
        assert_eq!(run_name::<&str>(&[]), ".");
        assert_eq!(run_name(&["a", "b"]), "a/b");
    }
}
