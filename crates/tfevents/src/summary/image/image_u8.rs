//! [`ImageU8`], the 8-bit HWC image every input is converted to, and the size limits every
//! image is checked against before its buffer is allocated.

use std::fmt;

use crate::{Error, Result};

/// The largest width or height a PNG can have (the PNG specification caps both at 2^31 - 1,
/// which is also the largest value `Summary.Image`'s `int32` fields hold).
pub const MAX_PNG_DIMENSION: usize = i32::MAX as usize;

/// The largest pixel buffer we convert or encode, in bytes: 2^31 - 1.
///
/// A `Summary` is one protobuf message and protobuf refuses messages over 2 GiB, so TensorBoard
/// could not read a larger image even where PNG compression would shrink it.
pub const MAX_IMAGE_BYTES: usize = i32::MAX as usize;

/// An 8-bit image ready for PNG encoding: `height` rows of `width` pixels of `channels` bytes,
/// row-major, channels interleaved (HWC).
///
/// Channels: 1 grey, 2 grey + alpha, 3 RGB, 4 RGBA. The conversions in this module always
/// produce 3 or 4 (PyTorch turns grey into RGB before encoding).
#[derive(Clone, PartialEq, Eq)]
pub struct ImageU8 {
    pub(super) height: usize,
    pub(super) width: usize,
    pub(super) channels: usize,
    pub(super) data: Vec<u8>,
}

impl fmt::Debug for ImageU8 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ImageU8")
            .field("height", &self.height)
            .field("width", &self.width)
            .field("channels", &self.channels)
            .field("bytes", &self.data.len())
            .finish()
    }
}

impl ImageU8 {
    /// Wraps HWC bytes. Errors if a dimension is zero, `channels` is not 1 to 4, the size is
    /// over PNG's limits ([`MAX_PNG_DIMENSION`], [`MAX_IMAGE_BYTES`]) or `data.len()` is not
    /// `height * width * channels`.
    pub fn new(height: usize, width: usize, channels: usize, data: Vec<u8>) -> Result<Self> {
        if !(1..=4).contains(&channels) {
            return Err(bad_channels(channels));
        }
        let len = checked_image_bytes(height, width, channels)?;
        if data.len() != len {
            return Err(Error::ShapeMismatch {
                shape: vec![height, width, channels],
                needs: len,
                got: data.len(),
            });
        }
        Ok(ImageU8 {
            height,
            width,
            channels,
            data,
        })
    }

    /// Rows.
    #[must_use]
    pub fn height(&self) -> usize {
        self.height
    }

    /// Columns.
    #[must_use]
    pub fn width(&self) -> usize {
        self.width
    }

    /// Bytes per pixel: 1 grey, 2 grey + alpha, 3 RGB, 4 RGBA.
    #[must_use]
    pub fn channels(&self) -> usize {
        self.channels
    }

    /// The pixels, HWC.
    #[must_use]
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// The pixels, HWC, without copying.
    #[must_use]
    pub fn into_data(self) -> Vec<u8> {
        self.data
    }

    /// The pixel at row `y`, column `x`, or `None` outside the image.
    #[must_use]
    pub fn pixel(&self, y: usize, x: usize) -> Option<&[u8]> {
        if y >= self.height || x >= self.width {
            return None;
        }
        let start = (y * self.width + x) * self.channels;
        self.data.get(start..start + self.channels)
    }
}

/// The error for a channel count no image has.
pub(super) fn bad_channels(channels: usize) -> Error {
    Error::OutOfRange {
        what: "an image's channels: 1 (grey), 2 (grey + alpha), 3 (RGB) or 4 (RGBA)".to_string(),
        value: channels as f64,
        min: 1.0,
        max: 4.0,
    }
}

/// Checks an image size against PNG's and protobuf's limits and returns its byte count.
pub(super) fn checked_image_bytes(height: usize, width: usize, channels: usize) -> Result<usize> {
    for (side, pixels) in [("height", height), ("width", width)] {
        if pixels == 0 || pixels > MAX_PNG_DIMENSION {
            // PNG's limit: log a smaller crop or a downscaled image.
            return Err(Error::OutOfRange {
                what: format!("the {height}x{width} image's {side} in pixels"),
                value: pixels as f64,
                min: 1.0,
                max: MAX_PNG_DIMENSION as f64,
            });
        }
    }
    let bytes = height
        .checked_mul(width)
        .and_then(|p| p.checked_mul(channels))
        .filter(|&b| b <= MAX_IMAGE_BYTES)
        .ok_or(Error::TooLarge {
            what: "the image",
            bytes: (height as u128)
                .saturating_mul(width as u128)
                .saturating_mul(channels as u128),
            limit: MAX_IMAGE_BYTES,
        })?;
    Ok(bytes)
}
