//! Videos as animated GIFs in an image summary, as tensorboardX's `add_video` writes them
//! (TensorBoard's IMAGES dashboard plays them).
//!
//! A batch `(N, T, C, H, W)` is tiled as tensorboardX tiles it: `N` is padded with black
//! videos to a power of two, laid out in `2^floor(log2(N) / 2)` rows (from the original `N`),
//! so frame `t` of the GIF shows frame `t` of every video. Values are scaled as images are:
//! `u8` as is, floats times 255 after clipping to `[0, 1]`, truncated. A frame with at most
//! 256 colours keeps its exact colours; others are quantized with NeuQuant.

use std::collections::HashMap;

use crate::error::{Error, Result};
use crate::proto::{summary, Summary};

/// The most bytes a tiled video's frames may take before GIF encoding (2^31 - 1, the most a
/// `Summary` can hold): `T` frames of `rows * H` by `cols * W` RGB pixels, the batch padded to
/// a power of two. Refused before any frame is allocated.
pub const MAX_VIDEO_BYTES: usize = i32::MAX as usize;

/// A pixel value of a video: `u8` as is, `f32`/`f64` in `[0, 1]`.
pub trait VideoValue: Copy {
    /// The 8-bit value, or `None` for NaN.
    fn to_u8(self) -> Option<u8>;
}

impl VideoValue for u8 {
    fn to_u8(self) -> Option<u8> {
        Some(self)
    }
}

impl VideoValue for f32 {
    fn to_u8(self) -> Option<u8> {
        (!self.is_nan()).then(|| (self.clamp(0.0, 1.0) * 255.0) as u8)
    }
}

impl VideoValue for f64 {
    fn to_u8(self) -> Option<u8> {
        (!self.is_nan()).then(|| (self.clamp(0.0, 1.0) * 255.0) as u8)
    }
}

/// The GIF frames of a video batch: `T` RGB frames of `height x width` pixels.
#[derive(Clone, Debug, PartialEq)]
pub struct TiledVideo {
    /// Frame height in pixels.
    pub height: usize,
    /// Frame width in pixels.
    pub width: usize,
    /// Channels of the input (1 or 3).
    pub channels: usize,
    /// `T` frames, each `height * width * 3` bytes, RGB row by row.
    pub frames: Vec<Vec<u8>>,
}

/// The bytes of one RGB frame of `height` x `width`, if `t` of them fit [`MAX_VIDEO_BYTES`].
fn check_video_bytes(t: usize, height: usize, width: usize) -> Result<usize> {
    let frame = (height as u128) * (width as u128) * 3;
    let total = frame * (t as u128);
    if total > MAX_VIDEO_BYTES as u128 {
        return Err(Error::TooLarge {
            what: "the tiled video",
            bytes: total,
            limit: MAX_VIDEO_BYTES,
        });
    }
    Ok(frame as usize)
}

/// Checks the shape and values of a `(N, T, C, H, W)` batch and tiles it into `T` frames.
/// Frames over 65535 pixels a side (GIF's limit) are an error, and frames that would take
/// more than [`MAX_VIDEO_BYTES`] together are [`Error::TooLarge`], before any is allocated.
pub fn tile_video<V: VideoValue>(values: &[V], shape: &[usize]) -> Result<TiledVideo> {
    let &[n, t, c, h, w] = shape else {
        return Err(bad_video_shape(shape));
    };
    if shape.contains(&0) || (c != 1 && c != 3) {
        return Err(bad_video_shape(shape));
    }
    let expected = shape.iter().try_fold(1usize, |acc, &d| acc.checked_mul(d));
    if expected != Some(values.len()) {
        return Err(Error::ShapeMismatch {
            shape: shape.to_vec(),
            needs: expected.unwrap_or(usize::MAX),
            got: values.len(),
        });
    }
    let rows = 1usize << ((usize::BITS - 1 - n.leading_zeros()) / 2);
    let padded = n.next_power_of_two();
    let cols = padded / rows;
    let (height, width) = (rows * h, cols * w);
    if height > u16::MAX as usize || width > u16::MAX as usize {
        return Err(Error::OutOfRange {
            what: format!("the side of the tiled {width}x{height} video (a GIF's limit)"),
            value: width.max(height) as f64,
            min: 1.0,
            max: u16::MAX as f64,
        });
    }
    let frame_bytes = check_video_bytes(t, height, width)?;
    let mut frames = vec![vec![0u8; frame_bytes]; t];
    for (video, chunk) in values.chunks_exact(t * c * h * w).enumerate() {
        let (row, col) = (video / cols, video % cols);
        for (frame_index, frame_values) in chunk.chunks_exact(c * h * w).enumerate() {
            let frame = &mut frames[frame_index];
            for y in 0..h {
                for x in 0..w {
                    let out = ((row * h + y) * width + col * w + x) * 3;
                    for k in 0..3 {
                        let channel = if c == 1 { 0 } else { k };
                        let v = frame_values[(channel * h + y) * w + x];
                        frame[out + k] = v.to_u8().ok_or_else(|| Error::BadNumber {
                            what: format!("a value of video {video} frame {frame_index}"),
                            value: f64::NAN,
                            must: "a number (not NaN)",
                        })?;
                    }
                }
            }
        }
    }
    Ok(TiledVideo {
        height,
        width,
        channels: c,
        frames,
    })
}

/// A frame's palette and indices when it has at most 256 colours.
fn exact_palette(rgb: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    let mut index: HashMap<[u8; 3], u8> = HashMap::new();
    let mut palette = Vec::new();
    let mut indices = Vec::with_capacity(rgb.len() / 3);
    for px in rgb.chunks_exact(3) {
        let key = [px[0], px[1], px[2]];
        let i = match index.get(&key) {
            Some(&i) => i,
            None => {
                let i = u8::try_from(index.len()).ok()?;
                index.insert(key, i);
                palette.extend_from_slice(&key);
                i
            }
        };
        indices.push(i);
    }
    Some((palette, indices))
}

/// The error for a video shape that is not `(N, T, C, H, W)` with `C` = 1 or 3 and no empty
/// side.
pub(crate) fn bad_video_shape(shape: &[usize]) -> Error {
    Error::BadShape {
        what: "video".to_string(),
        shape: shape.to_vec(),
        expected: "give (N, T, C, H, W): videos, frames, channels (1 grey or 3 RGB), height, width, none of them 0",
    }
}

/// `Ok` for a frame rate a GIF can show: finite and above 0.
pub(crate) fn check_fps(fps: f64) -> Result<()> {
    if fps.is_finite() && fps > 0.0 {
        return Ok(());
    }
    Err(Error::BadNumber {
        what: "fps".to_string(),
        value: fps,
        must: "finite frames per second > 0, e.g. 4",
    })
}

/// Encodes the frames as a looping GIF at `fps` frames per second.
pub fn encode_gif(video: &TiledVideo, fps: f64) -> Result<Vec<u8>> {
    check_fps(fps)?;
    let (w, h) = (video.width as u16, video.height as u16);
    // GIF delays are in hundredths of a second.
    let delay = (100.0 / fps).round().clamp(1.0, u16::MAX as f64) as u16;
    let mut out = Vec::new();
    {
        let mut encoder = gif::Encoder::new(&mut out, w, h, &[])
            .map_err(|e| Error::encode("the GIF header", e))?;
        encoder
            .set_repeat(gif::Repeat::Infinite)
            .map_err(|e| Error::encode("the GIF loop", e))?;
        for rgb in &video.frames {
            let mut frame = match exact_palette(rgb) {
                Some((palette, indices)) => {
                    gif::Frame::from_palette_pixels(w, h, indices, palette, None)
                }
                None => gif::Frame::from_rgb_speed(w, h, rgb, 10),
            };
            frame.delay = delay;
            encoder
                .write_frame(&frame)
                .map_err(|e| Error::encode("a GIF frame", e))?;
        }
    }
    Ok(out)
}

/// A video summary: the tiled batch as a looping GIF in an image value, as tensorboardX's
/// `video(tag, tensor, fps)`.
pub fn video_summary(tag: &str, video: &TiledVideo, fps: f64) -> Result<Summary> {
    let encoded = encode_gif(video, fps)?;
    Ok(Summary {
        value: vec![summary::Value {
            tag: tag.to_string(),
            value: Some(summary::value::Value::Image(summary::Image {
                height: video.height as i32,
                width: video.width as i32,
                colorspace: video.channels as i32,
                encoded_image_string: encoded,
            })),
            ..Default::default()
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiled_frames_over_the_limit_are_refused_before_allocating() {
        assert_eq!(check_video_bytes(2, 4, 5).unwrap(), 60);
        let err = check_video_bytes(100_000, 65_535, 65_535).unwrap_err();
        assert!(
            matches!(err, Error::TooLarge { bytes, limit, .. } if bytes == 100_000u128 * 65_535 * 65_535 * 3 && limit == MAX_VIDEO_BYTES),
            "{err}"
        );
    }
}
