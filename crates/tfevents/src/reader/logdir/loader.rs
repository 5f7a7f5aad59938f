//! From a log directory's files to per-run series, read incrementally.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use super::{EventFile, FileCursor, LogDir, RunFiles};
use crate::error::Result;
use crate::reader::{DamagedFile, RunData};

/// Reads every file of `run` (as `dir`'s [`discover`](LogDir::discover) listed it) into series.
/// A damaged or unreadable file is listed in [`RunData::damaged`] and its earlier records are
/// kept; the other files still load.
pub fn read_run(dir: &dyn LogDir, run: &RunFiles) -> RunData {
    let mut loader = RunLoader::new(&run.name);
    loader.poll(dir, &run.files);
    loader.into_data()
}

/// One run read incrementally: a [`FileCursor`] per file, so each [`poll`](Self::poll) reads
/// only the bytes appended since the last, and the series built so far.
#[derive(Debug)]
pub struct RunLoader {
    name: String,
    files: BTreeMap<PathBuf, FileCursor>,
    /// The plugin of each tag, from the first value that named it.
    plugins: HashMap<String, String>,
    data: RunData,
}

impl RunLoader {
    /// A loader for the run `name`; nothing is read before the first [`poll`](Self::poll).
    pub fn new(name: impl Into<String>) -> Self {
        RunLoader {
            name: name.into(),
            files: BTreeMap::new(),
            plugins: HashMap::new(),
            data: RunData::default(),
        }
    }

    /// The run's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Every file seen so far, with how far it was read, in name order.
    pub fn files(&self) -> impl ExactSizeIterator<Item = &FileCursor> {
        self.files.values()
    }

    /// Reads what `files` (the run's files in a newer listing of `dir`) hold beyond what was
    /// read, in their order; returns how many events that was. Files that did not grow are not
    /// opened.
    pub fn poll(&mut self, dir: &dyn LogDir, files: &[EventFile]) -> usize {
        let before = self.data.events;
        let RunLoader {
            files: cursors,
            plugins,
            data,
            ..
        } = self;
        for file in files {
            let cursor = cursors
                .entry(file.path.clone())
                .or_insert_with(|| FileCursor::new(file.path.clone()));
            cursor.read_new(dir, file, |event| data.add_event(plugins, event));
        }
        data.torn_tails = cursors
            .values()
            .filter_map(|c| Some((c.path().to_path_buf(), c.torn_tail()?)))
            .collect();
        data.damaged = cursors
            .values()
            .filter_map(|c| {
                Some(DamagedFile {
                    path: c.path().to_path_buf(),
                    error: c.problem()?.clone(),
                })
            })
            .collect();
        data.events - before
    }

    /// What was read so far.
    pub fn data(&self) -> &RunData {
        &self.data
    }

    /// What was read, by value.
    pub fn into_data(self) -> RunData {
        self.data
    }
}

/// What one [`LogDirReader::poll`] found.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Growth {
    /// Runs seen for the first time.
    pub new_runs: usize,
    /// Events read.
    pub events: usize,
}

impl Growth {
    /// Whether nothing new was found.
    pub fn is_empty(&self) -> bool {
        self.new_runs == 0 && self.events == 0
    }
}

/// Every run of a log directory, read incrementally: each [`poll`](Self::poll) lists the
/// directory again and reads only the new runs, the new files and the bytes appended to the
/// known ones, on disk and in object stores alike.
#[derive(Debug)]
pub struct LogDirReader {
    dir: Box<dyn LogDir>,
    runs: BTreeMap<String, RunLoader>,
}

impl LogDirReader {
    /// A reader of `dir`; nothing is read before the first [`poll`](Self::poll).
    pub fn new(dir: Box<dyn LogDir>) -> Self {
        LogDirReader {
            dir,
            runs: BTreeMap::new(),
        }
    }

    /// A reader of the log directory `location` (a path or URL, see [`open`](super::open)).
    pub fn open(location: &str) -> Result<Self> {
        Ok(Self::new(super::open(location)?))
    }

    /// The directory read.
    pub fn dir(&self) -> &dyn LogDir {
        self.dir.as_ref()
    }

    /// Lists the directory and reads what is new. An `Err` means that the listing failed
    /// (what was read before is kept); files that cannot be read are listed in their run's
    /// [`RunData::damaged`] instead.
    pub fn poll(&mut self) -> Result<Growth> {
        let mut growth = Growth::default();
        for run in self.dir.discover()? {
            let loader = self.runs.entry(run.name.clone()).or_insert_with(|| {
                growth.new_runs += 1;
                RunLoader::new(&run.name)
            });
            growth.events += loader.poll(self.dir.as_ref(), &run.files);
        }
        Ok(growth)
    }

    /// The runs found so far, in name order.
    pub fn runs(&self) -> impl ExactSizeIterator<Item = &RunLoader> {
        self.runs.values()
    }

    /// The run `name`, if found.
    pub fn run(&self, name: &str) -> Option<&RunLoader> {
        self.runs.get(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::{summary, Event, Summary};
    use crate::reader::logdir::DiskLogDir;
    use crate::record::append_record;
    use prost::Message;
    use std::io::Write;
    use std::path::Path;

    type TestResult = std::result::Result<(), Box<dyn std::error::Error>>;

    fn scalar(step: i64, value: f32) -> Vec<u8> {
        let event = Event {
            step,
            what: Some(crate::proto::event::What::Summary(Summary {
                value: vec![summary::Value {
                    tag: "loss".into(),
                    value: Some(summary::value::Value::SimpleValue(value)),
                    ..Default::default()
                }],
            })),
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

    fn loss_steps(reader: &LogDirReader, run: &str) -> Vec<i64> {
        reader
            .run(run)
            .and_then(|r| r.data().scalars.get("loss"))
            .map(|s| s.iter().map(|p| p.step).collect())
            .unwrap_or_default()
    }

    #[test]
    fn polls_read_new_runs_files_and_bytes() -> TestResult {
        let tmp = tempfile::tempdir()?;
        let root = tmp.path();
        append(&root.join("a/events.out.tfevents.1"), &scalar(1, 0.5))?;
        let mut reader = LogDirReader::new(Box::new(DiskLogDir::new(root)));
        assert_eq!(
            reader.poll()?,
            Growth {
                new_runs: 1,
                events: 1
            }
        );
        assert!(reader.poll()?.is_empty());

        append(&root.join("a/events.out.tfevents.1"), &scalar(2, 0.25))?;
        append(&root.join("a/events.out.tfevents.2"), &scalar(3, 0.125))?;
        append(&root.join("b/events.out.tfevents.1"), &scalar(7, 1.0))?;
        assert_eq!(
            reader.poll()?,
            Growth {
                new_runs: 1,
                events: 3
            }
        );
        assert_eq!(loss_steps(&reader, "a"), [1, 2, 3]);
        assert_eq!(loss_steps(&reader, "b"), [7]);
        let names: Vec<&str> = reader.runs().map(RunLoader::name).collect();
        assert_eq!(names, ["a", "b"]);
        assert_eq!(reader.run("a").map(|r| r.files().len()), Some(2));
        Ok(())
    }

    #[test]
    fn a_damaged_file_is_listed_and_the_others_load() -> TestResult {
        let tmp = tempfile::tempdir()?;
        let dir = DiskLogDir::new(tmp.path());
        let first = tmp.path().join("events.out.tfevents.1");
        let mut bad = scalar(2, 0.0);
        if let Some(byte) = bad.get_mut(20) {
            *byte ^= 0xff;
        }
        append(&first, &[scalar(1, 0.5), bad].concat())?;
        append(&tmp.path().join("events.out.tfevents.2"), &scalar(3, 0.5))?;
        let runs = dir.discover()?;
        let data = read_run(&dir, &runs[0]);
        let steps: Vec<i64> = data.scalars["loss"].iter().map(|p| p.step).collect();
        assert_eq!(steps, [1, 3]);
        assert_eq!(data.damaged.len(), 1);
        assert_eq!(data.damaged[0].path, first);
        Ok(())
    }
}
