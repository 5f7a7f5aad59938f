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
