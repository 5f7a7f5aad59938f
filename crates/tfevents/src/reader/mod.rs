//! Reading event files back: record by record with every checksum checked, whole runs as
//! series (keeping what is readable when a file is damaged), run discovery as TensorBoard does
//! it, and following a run that is still being written.

mod classify;
pub mod logdir;
mod runs;
mod series;
#[cfg(feature = "arrow")]
pub mod table;
mod tensor;

pub use classify::{classify, ValueKind};
pub use runs::{discover_runs, Run};
pub use series::{
    DamagedFile, HistogramPoint, ImagePoint, RunData, RunReader, ScalarPoint, TextPoint,
};

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use prost::Message;

use crate::error::{CorruptKind, Error, Result};
use crate::proto::Event;
use crate::record::{ReadOutcome, RecordReader};

/// Iterates over the events of one file (or any [`Read`]), checking both checksums of every
/// record.
///
/// A torn final record (the writer was killed mid-write, or is still writing) ends the
/// iteration cleanly; [`torn_tail`](Self::torn_tail) then tells how many bytes it had. The
/// iteration can be resumed: calling `next()` again after it returned `None` reads the records
/// appended since, so a live file can be followed. A damaged record yields one `Err` and ends
/// the iteration for good, since nothing after it can be trusted; TensorBoard's reader also
/// gives up on such a file and reads the others.
///
/// ```no_run
/// # fn main() -> tfevents::Result<()> {
/// for event in tfevents::reader::EventFileReader::open("runs/x/events.out.tfevents.1")? {
///     let event = event?;
///     println!("step {}", event.step);
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct EventFileReader<R = BufReader<File>> {
    path: PathBuf,
    records: RecordReader<R>,
    /// Where `records` starts in the file.
    base: u64,
    torn: Option<u64>,
    dead: bool,
}

impl EventFileReader {
    /// Opens `path` for reading.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        let file = File::open(&path).map_err(|e| Error::io("cannot open event file", &path, e))?;
        Ok(Self::from_reader(
            BufReader::with_capacity(1 << 16, file),
            path,
        ))
    }
}

impl<R: Read> EventFileReader<R> {
    /// Reads events from `src`; `name` only names it in errors.
    pub fn from_reader(src: R, name: impl Into<PathBuf>) -> Self {
        Self::from_reader_at(src, name, 0)
    }

    /// Reads events from `src`, which holds the file's bytes from `offset` on (a record
    /// boundary, such as an earlier reader's [`offset`](Self::offset)): for reading only what
    /// was appended since. Offsets, in errors too, count from the file's start.
    pub fn from_reader_at(src: R, name: impl Into<PathBuf>, offset: u64) -> Self {
        EventFileReader {
            path: name.into(),
            records: RecordReader::new(src),
            base: offset,
            torn: None,
            dead: false,
        }
    }

    /// The file being read.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// After the iteration ended: the number of bytes of an incomplete last record, if any.
    pub fn torn_tail(&self) -> Option<u64> {
        self.torn
    }

    /// True once a damaged record was found: nothing more is read from this file.
    pub fn is_damaged(&self) -> bool {
        self.dead
    }

    /// Bytes of the file consumed so far (the start of the next record).
    pub fn offset(&self) -> u64 {
        self.base + self.records.offset()
    }

    /// The next record's raw bytes (a serialized `Event`), without decoding it.
    pub fn next_record(&mut self) -> Option<Result<Vec<u8>>> {
        if self.dead {
            return None;
        }
        let outcome = match self.records.next_record() {
            Ok(outcome) => outcome,
            Err(e) => {
                self.dead = true;
                return Some(Err(Error::io("cannot read", &self.path, e)));
            }
        };
        match outcome {
            ReadOutcome::Record(data) => {
                self.torn = None;
                Some(Ok(data))
            }
            ReadOutcome::Pending { have } => {
                self.torn = (have > 0).then_some(have);
                None
            }
            ReadOutcome::Corrupt(kind) => Some(Err(self.damaged(self.offset(), kind))),
        }
    }

    fn damaged(&mut self, offset: u64, kind: CorruptKind) -> Error {
        self.dead = true;
        Error::Corrupt {
            path: self.path.clone(),
            offset,
            kind,
        }
    }
}

impl<R: Read> Iterator for EventFileReader<R> {
    type Item = Result<Event>;

    fn next(&mut self) -> Option<Self::Item> {
        let start = self.offset();
        let data = match self.next_record()? {
            Ok(data) => data,
            Err(e) => return Some(Err(e)),
        };
        Some(
            Event::decode(data.as_slice())
                .map_err(|e| self.damaged(start, CorruptKind::NotAnEvent(e.to_string()))),
        )
    }
}
