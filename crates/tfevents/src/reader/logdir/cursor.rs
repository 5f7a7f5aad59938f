//! How far one event file has been read.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{EventFile, LogDir};
use crate::error::Error;
use crate::proto::Event;
use crate::reader::EventFileReader;

/// How far one event file has been read, so that the next [`read_new`](Self::read_new) fetches
/// only the bytes appended since: a data server keeps one per file and polls it.
///
/// A damaged record ends the file for good (nothing after it can be trusted; TensorBoard skips
/// the rest of such a file too). A failure to reach the bytes (an I/O or network error) does
/// not: the next call tries again from the last complete record.
#[derive(Clone, Debug)]
pub struct FileCursor {
    path: PathBuf,
    /// Where the next record starts.
    offset: u64,
    /// Bytes looked at: `offset` plus those of an incomplete last record.
    seen: u64,
    torn: Option<u64>,
    damage: Option<Arc<Error>>,
    failure: Option<Arc<Error>>,
}

impl FileCursor {
    /// A cursor at the start of the file `path` (an [`EventFile::path`]).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        FileCursor {
            path: path.into(),
            offset: 0,
            seen: 0,
            torn: None,
            damage: None,
            failure: None,
        }
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Bytes of complete records read: where the next read starts.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// The bytes of an incomplete last record at the last read, if it ended in one (a writer
    /// killed mid-record, or still writing).
    pub fn torn_tail(&self) -> Option<u64> {
        self.torn
    }

    /// The damaged record that ended this file, if one did.
    pub fn damage(&self) -> Option<&Arc<Error>> {
        self.damage.as_ref()
    }

    /// Why the last read could not reach the file's bytes, if it could not; the next read
    /// tries again.
    pub fn failure(&self) -> Option<&Arc<Error>> {
        self.failure.as_ref()
    }

    /// What is wrong with the file now: its damage, or else the last read's failure.
    pub fn problem(&self) -> Option<&Arc<Error>> {
        self.damage.as_ref().or(self.failure.as_ref())
    }

    /// The cursor's problem by value (see [`problem`](Self::problem)).
    pub fn into_problem(self) -> Option<Arc<Error>> {
        self.damage.or(self.failure)
    }

    /// Whether `file` (this cursor's file as a newer listing found it) holds bytes this cursor
    /// has not looked at, and is not damaged.
    pub fn has_new_bytes(&self, file: &EventFile) -> bool {
        self.damage.is_none() && file.size > self.seen
    }

    /// Reads the records of `file` past this cursor from `dir`, calling `each` with every event
    /// in order; returns how many. Does nothing when the listing shows no new bytes, so a poll
    /// of an idle directory opens no file.
    pub fn read_new(
        &mut self,
        dir: &dyn LogDir,
        file: &EventFile,
        mut each: impl FnMut(Event),
    ) -> usize {
        if !self.has_new_bytes(file) {
            return 0;
        }
        let src = match dir.open_at(file, self.offset) {
            Ok(src) => src,
            Err(e) => {
                self.failure = Some(Arc::new(e));
                return 0;
            }
        };
        let mut reader = EventFileReader::from_reader_at(src, self.path.clone(), self.offset);
        let mut events = 0;
        let mut error = None;
        for event in reader.by_ref() {
            match event {
                Ok(event) => {
                    each(event);
                    events += 1;
                }
                Err(e) => {
                    error = Some(e);
                    break;
                }
            }
        }
        self.offset = reader.offset();
        match error {
            Some(e @ Error::Corrupt { .. }) => {
                self.damage = Some(Arc::new(e));
                self.torn = None;
            }
            Some(e) => self.failure = Some(Arc::new(e)),
            None => {
                self.failure = None;
                self.torn = reader.torn_tail();
                self.seen = self.offset + self.torn.unwrap_or(0);
            }
        }
        events
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reader::logdir::DiskLogDir;
    use crate::record::append_record;
    use prost::Message;
    use std::io::Write;

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
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)?
            .write_all(bytes)
    }

    fn steps(cursor: &mut FileCursor, dir: &DiskLogDir, path: &Path) -> Vec<i64> {
        let mut steps = Vec::new();
        let file = DiskLogDir::event_file(path);
        cursor.read_new(dir, &file, |e| steps.push(e.step));
        steps
    }

    #[test]
    fn reads_only_what_was_appended_and_resumes_a_torn_record() -> TestResult {
        let tmp = tempfile::tempdir()?;
        let dir = DiskLogDir::new(tmp.path());
        let path = tmp.path().join("events.out.tfevents.1");
        append(&path, &[record(1), record(2)].concat())?;
        let mut cursor = FileCursor::new(&path);
        assert_eq!(steps(&mut cursor, &dir, &path), [1, 2]);
        let after_two = cursor.offset();
        assert_eq!(after_two, std::fs::metadata(&path)?.len());
        // Nothing new: nothing read.
        assert_eq!(steps(&mut cursor, &dir, &path), Vec::<i64>::new());

        // Half a record: held back, noted, and read whole once the rest arrives.
        let third = record(3);
        let (head, tail) = third.split_at(7);
        append(&path, head)?;
        assert_eq!(steps(&mut cursor, &dir, &path), Vec::<i64>::new());
        assert_eq!(cursor.torn_tail(), Some(7));
        assert_eq!(cursor.offset(), after_two);
        append(&path, &[tail, &record(4)].concat())?;
        assert_eq!(steps(&mut cursor, &dir, &path), [3, 4]);
        assert_eq!(cursor.torn_tail(), None);
        assert!(cursor.problem().is_none());
        Ok(())
    }

    #[test]
    fn damage_ends_the_file_with_its_offset() -> TestResult {
        let tmp = tempfile::tempdir()?;
        let dir = DiskLogDir::new(tmp.path());
        let path = tmp.path().join("events.out.tfevents.1");
        append(&path, &record(1))?;
        let mut cursor = FileCursor::new(&path);
        assert_eq!(steps(&mut cursor, &dir, &path), [1]);
        let good = cursor.offset();
        let mut bad = record(2);
        if let Some(last) = bad.last_mut() {
            *last ^= 0xff;
        }
        append(&path, &[bad, record(3)].concat())?;
        assert_eq!(steps(&mut cursor, &dir, &path), Vec::<i64>::new());
        match cursor.damage().map(|e| e.as_ref()) {
            Some(Error::Corrupt { offset, .. }) => assert_eq!(*offset, good),
            other => panic!("{other:?}"),
        }
        // Never read again.
        append(&path, &record(4))?;
        assert!(!cursor.has_new_bytes(&DiskLogDir::event_file(&path)));
        Ok(())
    }

    #[test]
    fn an_unreadable_file_is_retried() -> TestResult {
        let tmp = tempfile::tempdir()?;
        let dir = DiskLogDir::new(tmp.path());
        let path = tmp.path().join("events.out.tfevents.1");
        let mut cursor = FileCursor::new(&path);
        assert_eq!(steps(&mut cursor, &dir, &path), Vec::<i64>::new());
        assert!(matches!(
            cursor.failure().map(|e| e.as_ref()),
            Some(Error::Io { .. })
        ));
        append(&path, &record(5))?;
        assert_eq!(steps(&mut cursor, &dir, &path), [5]);
        assert!(cursor.problem().is_none());
        Ok(())
    }
}
