//! TFRecord framing: how event files lay out records on disk.
//!
//! Each record is `u64 length (LE) | masked crc32c(length) | data | masked crc32c(data)`.

use std::io::Read;

use crate::error::CorruptKind;

/// Bytes of framing before the data: the length and its checksum.
pub const HEADER_LEN: usize = 12;
/// Bytes of framing after the data: the data's checksum.
pub const FOOTER_LEN: usize = 4;

const MASK_DELTA: u32 = 0xa282_ead8;

/// TensorFlow's masked CRC32C: rotating and offsetting the CRC keeps a CRC of data that itself
/// contains CRCs from being trivially predictable.
pub fn masked_crc32c(data: &[u8]) -> u32 {
    let crc = crc32c::crc32c(data);
    crc.rotate_right(15).wrapping_add(MASK_DELTA)
}

/// Appends one framed record holding `data` to `out`, so that a whole batch goes to disk in one
/// write.
pub fn append_record(out: &mut Vec<u8>, data: &[u8]) {
    out.reserve(HEADER_LEN + data.len() + FOOTER_LEN);
    push_header(out, data.len());
    let start = out.len();
    out.extend_from_slice(data);
    push_footer(out, start);
}

/// Appends one framed record holding `message`, encoded straight into `out` (no buffer of its
/// own): what the writer does for every event.
pub(crate) fn append_message(out: &mut Vec<u8>, message: &impl prost::Message) {
    let len = message.encoded_len();
    out.reserve(HEADER_LEN + len + FOOTER_LEN);
    let record_start = out.len();
    push_header(out, len);
    let start = out.len();
    // Encoding into a Vec only fails when capacity is short, and we reserved enough; should it
    // fail anyway, no partial record is left behind.
    if message.encode(out).is_err() {
        out.truncate(record_start);
        return;
    }
    push_footer(out, start);
}

/// The length of a `len`-byte record's data and its checksum.
fn push_header(out: &mut Vec<u8>, len: usize) {
    let len = (len as u64).to_le_bytes();
    out.extend_from_slice(&len);
    out.extend_from_slice(&masked_crc32c(&len).to_le_bytes());
}

/// The checksum of the data that starts at `start` and runs to the end of `out`.
fn push_footer(out: &mut Vec<u8>, start: usize) {
    let crc = masked_crc32c(out.get(start..).unwrap_or(&[]));
    out.extend_from_slice(&crc.to_le_bytes());
}

/// Of framed records laid end to end in `buf` (as the writer produces them), the bytes and the
/// number of records that lie wholly within its first `limit` bytes. Checksums are not
/// checked: this is for the writer's own output, e.g. to keep the complete records of a
/// partly failed write.
pub(crate) fn complete_records(buf: &[u8], limit: usize) -> (usize, u64) {
    let limit = limit.min(buf.len());
    let (mut pos, mut count) = (0usize, 0u64);
    while let Some(len_bytes) = pos.checked_add(8).and_then(|end| buf.get(pos..end)) {
        let mut len = [0u8; 8];
        len.copy_from_slice(len_bytes);
        let end = usize::try_from(u64::from_le_bytes(len))
            .ok()
            .and_then(|len| pos.checked_add(HEADER_LEN + FOOTER_LEN)?.checked_add(len));
        match end {
            Some(end) if end <= limit => {
                pos = end;
                count += 1;
            }
            _ => break,
        }
    }
    (pos, count)
}

/// What reading one record gave.
#[derive(Debug, PartialEq, Eq)]
pub enum ReadOutcome {
    /// A complete record whose checksums match.
    Record(Vec<u8>),
    /// The source has no more bytes for now. `have` bytes of an incomplete record are held
    /// (0 at a record boundary): a writer was killed mid-write, or is still writing. Calling
    /// again after the source grew continues with that record, so a live file can be followed.
    Pending {
        /// Bytes of the incomplete record read so far.
        have: u64,
    },
    /// The record's framing or data is damaged. The reader stays at this record: nothing
    /// after it can be trusted.
    Corrupt(CorruptKind),
}

/// Reads framed records from any [`Read`], checking both checksums of every record.
///
/// Memory is bounded by the bytes the source actually holds: a damaged length field never
/// makes it allocate what the field claims. Hitting the end of the source inside a record is
/// [`ReadOutcome::Pending`], not an error, and reading resumes there once the source has more.
#[derive(Debug)]
pub struct RecordReader<R> {
    src: R,
    /// The bytes of the current, incomplete record.
    buf: Vec<u8>,
    /// Where the current record starts in the source.
    offset: u64,
    corrupt: Option<CorruptKind>,
}

impl<R: Read> RecordReader<R> {
    /// Reads records from `src`, which starts at a record boundary.
    pub fn new(src: R) -> Self {
        RecordReader {
            src,
            buf: Vec::new(),
            offset: 0,
            corrupt: None,
        }
    }

    /// Where the next (or the damaged) record starts: bytes of complete records read so far.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// The next record.
    pub fn next_record(&mut self) -> std::io::Result<ReadOutcome> {
        if let Some(kind) = &self.corrupt {
            return Ok(ReadOutcome::Corrupt(kind.clone()));
        }
        if !self.fill(HEADER_LEN as u64)? {
            return Ok(self.pending());
        }
        let mut len_bytes = [0u8; 8];
        len_bytes.copy_from_slice(&self.buf[..8]);
        let want = u32::from_le_bytes([self.buf[8], self.buf[9], self.buf[10], self.buf[11]]);
        let got = masked_crc32c(&len_bytes);
        if got != want {
            return Ok(self.fail(CorruptKind::LengthChecksum { got, want }));
        }
        let len = u64::from_le_bytes(len_bytes);
        // A length no source can hold waits forever as "pending", like any record whose
        // bytes have not arrived; it never reaches an allocation.
        let Some(total) = len.checked_add((HEADER_LEN + FOOTER_LEN) as u64) else {
            return Ok(self.pending());
        };
        if !self.fill(total)? {
            return Ok(self.pending());
        }
        // `total` bytes are in `buf`, so they fit in memory and in usize.
        let end = HEADER_LEN + len as usize;
        let want = u32::from_le_bytes([
            self.buf[end],
            self.buf[end + 1],
            self.buf[end + 2],
            self.buf[end + 3],
        ]);
        let got = masked_crc32c(&self.buf[HEADER_LEN..end]);
        if got != want {
            return Ok(self.fail(CorruptKind::DataChecksum { got, want }));
        }
        let data = self.buf[HEADER_LEN..end].to_vec();
        self.buf.clear();
        self.offset += total;
        Ok(ReadOutcome::Record(data))
    }

    /// Reads until `buf` holds `want` bytes or the source ends; true when it holds them.
    fn fill(&mut self, want: u64) -> std::io::Result<bool> {
        let have = self.buf.len() as u64;
        if have < want {
            // `read_to_end` grows the buffer as bytes arrive, so memory follows the data,
            // not the length the record claims.
            (&mut self.src)
                .take(want - have)
                .read_to_end(&mut self.buf)?;
        }
        Ok(self.buf.len() as u64 >= want)
    }

    fn pending(&self) -> ReadOutcome {
        ReadOutcome::Pending {
            have: self.buf.len() as u64,
        }
    }

    fn fail(&mut self, kind: CorruptKind) -> ReadOutcome {
        self.corrupt = Some(kind.clone());
        ReadOutcome::Corrupt(kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::Event;
    use prost::Message;

    #[test]
    fn message_frames_as_its_encoding_does() {
        let event = Event {
            step: 7,
            wall_time: 1.5,
            ..Default::default()
        };
        let (mut direct, mut via_bytes) = (Vec::new(), Vec::new());
        append_message(&mut direct, &event);
        append_record(&mut via_bytes, &event.encode_to_vec());
        assert_eq!(direct, via_bytes);
        let mut reader = RecordReader::new(direct.as_slice());
        assert_eq!(
            reader.next_record().ok(),
            Some(ReadOutcome::Record(event.encode_to_vec()))
        );
    }

    #[test]
    fn complete_records_stop_at_the_limit() {
        let mut buf = Vec::new();
        append_record(&mut buf, b"abc");
        let first = buf.len();
        append_record(&mut buf, b"");
        assert_eq!(complete_records(&buf, buf.len()), (buf.len(), 2));
        assert_eq!(complete_records(&buf, buf.len() - 1), (first, 1));
        assert_eq!(complete_records(&buf, first - 1), (0, 0));
        assert_eq!(complete_records(&buf, usize::MAX), (buf.len(), 2));
        assert_eq!(complete_records(&[], 0), (0, 0));
    }

    #[test]
    fn complete_records_survive_a_huge_length() {
        let mut buf = u64::MAX.to_le_bytes().to_vec();
        buf.extend_from_slice(&[0; 8]);
        assert_eq!(complete_records(&buf, buf.len()), (0, 0));
    }
}
