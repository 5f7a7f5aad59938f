//! Reading a log directory in an object store through the
//! [`LogDir`](crate::reader::logdir::LogDir) seam: the listing stands in for the directory
//! walk, and a file is read with ranged requests from an offset, so a poll fetches only the
//! bytes appended since the last.

use std::collections::HashMap;
use std::io::Read;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

use futures::TryStreamExt;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt};

use super::RemoteLogDir;
use crate::error::{Error, Result};
use crate::proto::Event;
use crate::reader::logdir::{
    group_runs, read_run, run_name, EventFile, FileCursor, LogDir, RunFiles, EVENT_FILE_INFIX,
};
use crate::reader::RunData;

/// Bytes fetched by one ranged request: bounds the memory of reading a large object.
const CHUNK_BYTES: u64 = 8 << 20;

/// A run in a remote log directory: a "directory" (key prefix) directly holding objects whose
/// names contain `tfevents`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemoteRun {
    /// Its name relative to the log directory, `/`-separated, `.` for the directory itself.
    pub name: String,
    /// Its event objects' keys, sorted by name (which is write order).
    pub objects: Vec<String>,
}

fn remote_error(shown: &str, action: &'static str, e: impl std::fmt::Display) -> Error {
    Error::io(action, shown, std::io::Error::other(e.to_string()))
}

impl RemoteLogDir {
    /// The parts of the directory's prefix, which every key under it starts with.
    fn base_parts(&self) -> Vec<String> {
        self.prefix
            .parts()
            .map(|p| p.as_ref().to_string())
            .collect()
    }

    /// The object behind an [`EventFile::path`] this directory's listing made.
    fn object_of(&self, file: &EventFile) -> Result<ObjectPath> {
        let shown = file.path.to_string_lossy();
        let rel = shown
            .strip_prefix(self.url.as_str())
            .and_then(|rest| rest.strip_prefix('/'))
            .ok_or_else(|| {
                Error::invalid(
                    "file",
                    format!(
                        "`{shown}` is not under the log directory `{}`; pass a file its \
                         discover() listed",
                        self.url
                    ),
                )
            })?;
        let mut parts = self.base_parts();
        parts.extend(rel.split('/').map(str::to_string));
        Ok(ObjectPath::from_iter(parts))
    }

    /// Every run under this directory, sorted by name, with its objects' keys.
    ///
    /// A shorthand over [`LogDir::discover`], which also gives the objects' sizes.
    pub fn discover_runs(&self) -> Result<Vec<RemoteRun>> {
        let runs = self.discover()?;
        runs.into_iter()
            .map(|run| {
                let objects = run
                    .files
                    .iter()
                    .map(|f| Ok(self.object_of(f)?.to_string()))
                    .collect::<Result<_>>()?;
                Ok(RemoteRun {
                    name: run.name,
                    objects,
                })
            })
            .collect()
    }

    /// The events of the object `key` (a key [`discover_runs`](Self::discover_runs) listed),
    /// every checksum checked; a damaged record is an `Err`, a torn last record ends the list.
    pub fn read_object(&self, key: &str) -> Result<Vec<Event>> {
        let file = self.event_file(key, None)?;
        let mut events = Vec::new();
        let mut cursor = FileCursor::new(file.path.clone());
        cursor.read_new(self, &file, |event| events.push(event));
        match cursor.into_problem() {
            Some(e) => Err(Arc::try_unwrap(e).unwrap_or_else(|shared| {
                remote_error(&file.path.to_string_lossy(), "cannot read", shared)
            })),
            None => Ok(events),
        }
    }

    /// Reads every object of `run` in order into series, as [`RunData::read`] does for a
    /// local run: a damaged object is listed in [`RunData::damaged`], the others still load.
    ///
    /// A shorthand over [`read_run`] for runs that
    /// [`discover_runs`](Self::discover_runs) listed.
    pub fn read_run(&self, run: &RemoteRun) -> Result<RunData> {
        // One listing gives every size; an object missing from it is asked for on its own.
        let listed: HashMap<PathBuf, u64> = self
            .discover()?
            .into_iter()
            .filter(|r| r.name == run.name)
            .flat_map(|r| r.files)
            .map(|f| (f.path, f.size))
            .collect();
        let files = run
            .objects
            .iter()
            .map(|key| self.event_file(key, Some(&listed)))
            .collect::<Result<Vec<_>>>()?;
        let run = RunFiles {
            name: run.name.clone(),
            files,
        };
        Ok(read_run(self, &run))
    }

    /// The object `key` as a listing names it, its size from `listed` or else asked for.
    fn event_file(&self, key: &str, listed: Option<&HashMap<PathBuf, u64>>) -> Result<EventFile> {
        let shown = format!("{}/{key}", self.url);
        let location =
            ObjectPath::parse(key).map_err(|e| remote_error(&shown, "not an object key", e))?;
        let path = self.shown_path(&location).ok_or_else(|| {
            Error::invalid(
                "key",
                format!("`{key}` is not under the log directory `{}`", self.url),
            )
        })?;
        let size = match listed.and_then(|sizes| sizes.get(&path)) {
            Some(&size) => size,
            None => self.size_of(&location, &shown)?,
        };
        Ok(EventFile { path, size })
    }

    fn size_of(&self, path: &ObjectPath, shown: &str) -> Result<u64> {
        let meta = super::runtime::block_on_own_thread(self.store.head(path))
            .map_err(|e| remote_error(shown, "cannot inspect", e))?
            .map_err(|e| remote_error(shown, "cannot inspect", e))?;
        Ok(meta.size)
    }

    /// The parts of `location` below this directory's prefix; `None` if it is not below it.
    fn relative_parts(&self, location: &ObjectPath) -> Option<Vec<String>> {
        let parts = location.prefix_match(&self.prefix)?;
        Some(parts.map(|p| p.as_ref().to_string()).collect())
    }

    /// The URL of the object at `location`, as listings name it.
    fn shown_path(&self, location: &ObjectPath) -> Option<PathBuf> {
        let rel = self.relative_parts(location)?;
        Some(PathBuf::from(format!("{}/{}", self.url, rel.join("/"))))
    }
}

impl LogDir for RemoteLogDir {
    fn location(&self) -> &str {
        &self.url
    }

    fn discover(&self) -> Result<Vec<RunFiles>> {
        let prefix = (!self.prefix.as_ref().is_empty()).then_some(&self.prefix);
        let objects: Vec<_> =
            super::runtime::block_on_own_thread(self.store.list(prefix).try_collect::<Vec<_>>())
                .map_err(|e| remote_error(&self.url, "cannot list", e))?
                .map_err(|e| remote_error(&self.url, "cannot list", e))?;
        let mut found = Vec::new();
        for meta in objects {
            let Some(rel) = self.relative_parts(&meta.location) else {
                continue;
            };
            let Some((file, dirs)) = rel.split_last() else {
                continue;
            };
            if !file.contains(EVENT_FILE_INFIX) {
                continue;
            }
            let file = EventFile {
                path: PathBuf::from(format!("{}/{}", self.url, rel.join("/"))),
                size: meta.size,
            };
            found.push((run_name(dirs), file));
        }
        Ok(group_runs(found))
    }

    fn open_at(&self, file: &EventFile, offset: u64) -> Result<Box<dyn Read + Send>> {
        Ok(Box::new(self.ranged(file, offset, CHUNK_BYTES)?))
    }
}

impl RemoteLogDir {
    fn ranged(&self, file: &EventFile, offset: u64, chunk_bytes: u64) -> Result<RangedObject> {
        Ok(RangedObject {
            store: Arc::clone(&self.store),
            location: self.object_of(file)?,
            shown: file.path.to_string_lossy().into_owned(),
            next: offset,
            end: file.size,
            chunk_bytes: chunk_bytes.max(1),
            chunk: Vec::new(),
            used: 0,
        })
    }
}

/// An object's bytes from an offset to the size it was listed with, fetched by ranged
/// requests of `chunk_bytes` ([`CHUNK_BYTES`]) as the reader consumes them.
struct RangedObject {
    store: Arc<dyn ObjectStore>,
    location: ObjectPath,
    shown: String,
    /// Where the next request starts.
    next: u64,
    end: u64,
    chunk_bytes: u64,
    chunk: Vec<u8>,
    /// Bytes of `chunk` already read.
    used: usize,
}

impl RangedObject {
    fn fetch(&self, range: Range<u64>) -> std::io::Result<Vec<u8>> {
        let got = super::runtime::block_on_own_thread(self.store.get_range(&self.location, range))?
            .map_err(|e| std::io::Error::other(format!("cannot download {}: {e}", self.shown)))?;
        Ok(Vec::from(got))
    }
}

impl Read for RangedObject {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.used >= self.chunk.len() {
            if self.next >= self.end {
                return Ok(0);
            }
            let to = self.end.min(self.next.saturating_add(self.chunk_bytes));
            self.chunk = self.fetch(self.next..to)?;
            self.used = 0;
            if self.chunk.is_empty() {
                // The object is shorter than listed (replaced meanwhile): its end for now.
                self.end = self.next;
                return Ok(0);
            }
            self.next += self.chunk.len() as u64;
        }
        let rest = self.chunk.get(self.used..).unwrap_or_default();
        let n = rest.len().min(buf.len());
        if let (Some(dst), Some(src)) = (buf.get_mut(..n), rest.get(..n)) {
            dst.copy_from_slice(src);
        }
        self.used += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reader::logdir::LogDirReader;
    use crate::record::append_record;
    use prost::Message;
    use std::io::Write;
    use std::path::Path;

    type TestResult = std::result::Result<(), Box<dyn std::error::Error>>;

    fn record(step: i64) -> Vec<u8> {
        let event = Event {
            step,
            ..Default::default()
        };
        let mut out = Vec::new();
        append_record(&mut out, &event.encode_to_vec());
        out
    }

    fn append(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)?
            .write_all(bytes)
    }

    /// The object store's view of a directory on disk, where a test can append to an object.
    fn store_on_disk(root: &Path) -> Result<RemoteLogDir> {
        RemoteLogDir::open(&format!("file://{}", root.display()))
    }

    #[test]
    fn lists_runs_with_sizes_and_urls() -> TestResult {
        let tmp = tempfile::tempdir()?;
        append(&tmp.path().join("events.out.tfevents.1"), &record(1))?;
        append(&tmp.path().join("a/b/events.out.tfevents.2"), &record(2))?;
        append(&tmp.path().join("a/notes.txt"), b"x")?;
        let dir = store_on_disk(tmp.path())?;
        let runs = dir.discover()?;
        let names: Vec<&str> = runs.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, [".", "a/b"]);
        let file = &runs[1].files[0];
        assert_eq!(
            file.path,
            PathBuf::from(format!("{}/a/b/events.out.tfevents.2", dir.url()))
        );
        assert_eq!(file.size, record(2).len() as u64);
        let keys = dir.discover_runs()?;
        assert_eq!(keys[1].objects, ["a/b/events.out.tfevents.2"]);
        assert_eq!(dir.read_object(&keys[1].objects[0])?[0].step, 2);
        Ok(())
    }

    #[test]
    fn ranged_reads_cross_chunks_from_an_offset() -> TestResult {
        let tmp = tempfile::tempdir()?;
        let bytes: Vec<u8> = (0..=255u8).collect();
        append(&tmp.path().join("events.out.tfevents.1"), &bytes)?;
        let dir = store_on_disk(tmp.path())?;
        let file = dir.discover()?.remove(0).files.remove(0);
        let mut got = Vec::new();
        dir.ranged(&file, 100, 7)?.read_to_end(&mut got)?;
        assert_eq!(got, bytes.get(100..).unwrap_or_default());
        Ok(())
    }

    #[test]
    fn polls_fetch_only_what_an_object_gained() -> TestResult {
        let tmp = tempfile::tempdir()?;
        let path = tmp.path().join("run/events.out.tfevents.1");
        append(&path, &record(1))?;
        let mut reader = LogDirReader::new(Box::new(store_on_disk(tmp.path())?));
        assert_eq!(reader.poll()?.events, 1);
        // Half a record: held back, then read whole.
        let second = record(2);
        let (head, tail) = second.split_at(5);
        append(&path, head)?;
        assert_eq!(reader.poll()?.events, 0);
        let torn = reader.run("run").map(|r| r.data().torn_tails.clone());
        assert_eq!(torn.map(|t| t.len()), Some(1));
        append(&path, &[tail, &record(3)].concat())?;
        assert_eq!(reader.poll()?.events, 2);
        let run = reader.run("run").ok_or("no run")?;
        let cursor = run.files().next().ok_or("no file")?;
        assert_eq!(cursor.offset(), std::fs::metadata(&path)?.len());
        assert!(run.data().torn_tails.is_empty());
        assert_eq!(run.data().events, 3);
        Ok(())
    }

    #[test]
    fn segments_written_to_a_store_read_back_as_they_arrive() -> TestResult {
        let dir = RemoteLogDir::open("memory://seam/logs")?;
        let mut reader = LogDirReader::new(Box::new(dir.clone()));
        for (round, steps) in [(0, 0..3), (1, 3..5)] {
            let writer = crate::SummaryWriter::builder()
                .remote_log_dir(dir.join("train")?)
                .filename_suffix(format!(".{round}"))
                .build()?;
            for step in steps {
                writer.add_scalar("loss", step as f64, step)?;
            }
            writer.close()?;
            reader.poll()?;
        }
        let data = reader.run("train").ok_or("no run")?.data();
        let steps: Vec<i64> = data.scalars["loss"].iter().map(|p| p.step).collect();
        assert_eq!(steps, [0, 1, 2, 3, 4]);
        Ok(())
    }
}
