//! Reading event files back: record by record with every checksum checked, whole runs as
//! series, and run discovery as TensorBoard does it.

mod runs;
mod series;

pub use runs::{discover_runs, Run};
pub use series::{HistogramPoint, ImagePoint, RunData, ScalarPoint, TextPoint};

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use prost::Message;

use crate::error::{Error, Result};
use crate::proto::Event;
use crate::record::{read_record, ReadOutcome};

/// Iterates over the events of one file, checking both checksums of every record.
///
/// A torn final record (the writer was killed mid-write, or is still writing) ends the
/// iteration cleanly; [`torn_tail`](Self::torn_tail) then tells how many bytes it had. A damaged
/// record yields one `Err` and ends the iteration, since nothing after it can be trusted.
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
pub struct EventFileReader {
    path: PathBuf,
    source: BufReader<File>,
    offset: u64,
    len: u64,
    torn: Option<u64>,
    done: bool,
}

impl EventFileReader {
    /// Opens `path` for reading.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        let file = File::open(&path).map_err(|e| Error::io("cannot open event file", &path, e))?;
        let len = file
            .metadata()
            .map_err(|e| Error::io("cannot read metadata of", &path, e))?
            .len();
        Ok(EventFileReader {
            path,
            source: BufReader::with_capacity(1 << 16, file),
            offset: 0,
            len,
            torn: None,
            done: false,
        })
    }

    /// The file being read.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// After the iteration ended: the number of bytes of an incomplete last record, if any.
    pub fn torn_tail(&self) -> Option<u64> {
        self.torn
    }

    /// Bytes of the file consumed so far (the start of the next record).
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// The next record's raw bytes (a serialized `Event`), without decoding it.
    pub fn next_record(&mut self) -> Option<Result<Vec<u8>>> {
        if self.done {
            return None;
        }
        let remaining = self.len.saturating_sub(self.offset);
        let outcome = match read_record(&mut self.source, remaining) {
            Ok(outcome) => outcome,
            Err(e) => {
                self.done = true;
                return Some(Err(Error::io("cannot read", &self.path, e)));
            }
        };
        match outcome {
            ReadOutcome::Record(data) => {
                self.offset +=
                    (data.len() + crate::record::HEADER_LEN + crate::record::FOOTER_LEN) as u64;
                Some(Ok(data))
            }
            ReadOutcome::End => {
                self.done = true;
                None
            }
            ReadOutcome::Torn { have } => {
                self.done = true;
                self.torn = Some(have);
                None
            }
            ReadOutcome::Corrupt(reason) => {
                self.done = true;
                Some(Err(Error::Corrupt {
                    path: self.path.clone(),
                    offset: self.offset,
                    reason,
                }))
            }
        }
    }
}

impl Iterator for EventFileReader {
    type Item = Result<Event>;

    fn next(&mut self) -> Option<Self::Item> {
        let start = self.offset;
        let data = match self.next_record()? {
            Ok(data) => data,
            Err(e) => return Some(Err(e)),
        };
        Some(Event::decode(data.as_slice()).map_err(|e| {
            self.done = true;
            Error::Corrupt {
                path: self.path.clone(),
                offset: start,
                reason: format!("the record is not an Event: {e}"),
            }
        }))
    }
}
