//! Run discovery and reading through the object store: the listing stands in for the
//! directory walk, each object is fetched whole and its records checked as on disk.

use std::io::Cursor;

use futures::TryStreamExt;
use object_store::path::Path as ObjectPath;
use object_store::ObjectStoreExt;
use prost::Message;

use super::RemoteLogDir;
use crate::error::CorruptKind;
use crate::error::{Error, Result};
use crate::proto::Event;
use crate::reader::RunData;
use crate::record::{ReadOutcome, RecordReader};

/// A run in a remote log directory: a "directory" (key prefix) directly holding objects whose
/// names contain `tfevents`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemoteRun {
    /// Its name relative to the log directory, `/`-separated, `.` for the directory itself.
    pub name: String,
    /// Its event objects' keys, sorted by name (which is write order).
    pub objects: Vec<String>,
}

fn remote_error(dir: &RemoteLogDir, action: &'static str, e: impl std::fmt::Display) -> Error {
    Error::io(action, dir.as_path(), std::io::Error::other(e.to_string()))
}

impl RemoteLogDir {
    /// Every run under this directory, sorted by name, as
    /// [`reader::discover_runs`](crate::reader::discover_runs) finds them on disk.
    pub fn discover_runs(&self) -> Result<Vec<RemoteRun>> {
        let prefix = (!self.prefix.as_ref().is_empty()).then_some(&self.prefix);
        let objects: Vec<_> =
            super::runtime::block_on_own_thread(self.store.list(prefix).try_collect::<Vec<_>>())
                .map_err(|e| remote_error(self, "cannot list", e))?
                .map_err(|e| remote_error(self, "cannot list", e))?;
        let base: Vec<String> = self
            .prefix
            .parts()
            .map(|p| p.as_ref().to_string())
            .collect();
        let mut runs: Vec<RemoteRun> = Vec::new();
        for meta in objects {
            let parts: Vec<String> = meta
                .location
                .parts()
                .map(|p| p.as_ref().to_string())
                .collect();
            let Some((file, dirs)) = parts.split_last() else {
                continue;
            };
            if !file.contains("tfevents") || dirs.len() < base.len() {
                continue;
            }
            let rel = &dirs[base.len()..];
            let name = if rel.is_empty() {
                ".".to_string()
            } else {
                rel.join("/")
            };
            let key = meta.location.to_string();
            match runs.iter_mut().find(|run| run.name == name) {
                Some(run) => run.objects.push(key),
                None => runs.push(RemoteRun {
                    name,
                    objects: vec![key],
                }),
            }
        }
        for run in &mut runs {
            run.objects.sort();
        }
        runs.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(runs)
    }

    /// The events of one object, every checksum checked. A torn last record ends the list
    /// (segments are uploaded whole, so that means the object was cut elsewhere).
    pub fn read_object(&self, key: &str) -> Result<Vec<Event>> {
        let path =
            ObjectPath::parse(key).map_err(|e| remote_error(self, "not an object key under", e))?;
        let fetched = super::runtime::block_on_own_thread(async {
            let got = self.store.get(&path).await?;
            got.bytes().await
        })
        .map_err(|e| remote_error(self, "cannot download from", e))?
        .map_err(|e| remote_error(self, "cannot download from", e))?;
        let shown = format!("{}/{key}", self.url);
        let mut events = Vec::new();
        let mut records = RecordReader::new(Cursor::new(fetched.as_ref()));
        loop {
            let offset = records.offset();
            let outcome = records
                .next_record()
                .map_err(|e| Error::io("cannot read", shown.clone(), e))?;
            match outcome {
                ReadOutcome::Record(data) => {
                    let event = Event::decode(data.as_slice()).map_err(|e| Error::Corrupt {
                        path: shown.clone().into(),
                        offset,
                        kind: CorruptKind::NotAnEvent(e.to_string()),
                    })?;
                    events.push(event);
                }
                // A segment is complete once uploaded; a torn tail is the end of what it holds.
                ReadOutcome::Pending { .. } => return Ok(events),
                ReadOutcome::Corrupt(kind) => {
                    return Err(Error::Corrupt {
                        path: shown.into(),
                        offset,
                        kind,
                    })
                }
            }
        }
    }

    /// Reads every object of `run` in order into series, with TensorBoard's purge rule, as
    /// [`RunData::read`] does for a local run.
    pub fn read_run(&self, run: &RemoteRun) -> Result<RunData> {
        let mut events = Vec::new();
        for key in &run.objects {
            events.extend(self.read_object(key)?);
        }
        Ok(RunData::from_events(events))
    }
}
