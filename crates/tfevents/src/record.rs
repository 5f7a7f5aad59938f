//! TFRecord framing: how event files lay out records on disk.
//!
//! Each record is `u64 length (LE) | masked crc32c(length) | data | masked crc32c(data)`.

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
    let len = (data.len() as u64).to_le_bytes();
    out.reserve(HEADER_LEN + data.len() + FOOTER_LEN);
    out.extend_from_slice(&len);
    out.extend_from_slice(&masked_crc32c(&len).to_le_bytes());
    out.extend_from_slice(data);
    out.extend_from_slice(&masked_crc32c(data).to_le_bytes());
}

/// What reading one record from a byte source gave.
#[derive(Debug, PartialEq, Eq)]
pub enum ReadOutcome {
    /// A complete record whose checksums match.
    Record(Vec<u8>),
    /// The source ended exactly at a record boundary.
    End,
    /// The source ended inside a record: a writer was killed mid-write, or is still writing.
    /// `have` bytes of the record were present.
    Torn {
        /// Bytes of the incomplete record present at the end of the source.
        have: u64,
    },
    /// The record's framing or data is damaged.
    Corrupt(String),
}

/// Reads the next record from `src`, which holds `remaining` more bytes.
///
/// The length field is checked against its CRC and against `remaining` before anything is
/// allocated, so a damaged length never makes us allocate more than the source holds.
pub fn read_record<R: std::io::Read>(src: &mut R, remaining: u64) -> std::io::Result<ReadOutcome> {
    if remaining == 0 {
        return Ok(ReadOutcome::End);
    }
    if remaining < HEADER_LEN as u64 {
        return Ok(ReadOutcome::Torn { have: remaining });
    }
    let mut header = [0u8; HEADER_LEN];
    src.read_exact(&mut header)?;
    let (len_bytes, crc_bytes) = header.split_at(8);
    let expected = u32::from_le_bytes([crc_bytes[0], crc_bytes[1], crc_bytes[2], crc_bytes[3]]);
    if masked_crc32c(len_bytes) != expected {
        return Ok(ReadOutcome::Corrupt(
            "the record length's checksum does not match".into(),
        ));
    }
    let mut len_arr = [0u8; 8];
    len_arr.copy_from_slice(len_bytes);
    let len = u64::from_le_bytes(len_arr);
    let needed = len.saturating_add(FOOTER_LEN as u64);
    let left = remaining - HEADER_LEN as u64;
    if needed > left {
        return Ok(ReadOutcome::Torn { have: remaining });
    }
    // `len` fits: it is at most `remaining`, a size of something we can read.
    let mut data = vec![0u8; len as usize];
    src.read_exact(&mut data)?;
    let mut footer = [0u8; FOOTER_LEN];
    src.read_exact(&mut footer)?;
    if masked_crc32c(&data) != u32::from_le_bytes(footer) {
        return Ok(ReadOutcome::Corrupt(
            "the record data's checksum does not match".into(),
        ));
    }
    Ok(ReadOutcome::Record(data))
}
