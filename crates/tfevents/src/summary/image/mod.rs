//! Images: data formats, conversion to 8-bit HWC pixels, PNG encoding and the image summary.
//!
//! The rules are those of `torch.utils.tensorboard` (`summary.image`, `_utils.convert_to_HWC`
//! and its internal `make_grid`):
//!
//! * the input is read in the layout its [`DataFormat`] names (`CHW` by default) and turned into
//!   height x width x channels;
//! * one channel becomes three (grey RGB), three stay RGB, four keep their alpha channel;
//! * a batch (`NCHW`, `NHWC`, ...) is tiled into one image, 8 images per row, no padding, with
//!   black where the last row is short;
//! * `u8` values are taken as they are; every other dtype is multiplied by 255 (in `f32`),
//!   clipped to `0..=255` and truncated, so a float image in `[0, 1]` looks as intended, a tensor
//!   of ones is white and `1.1` clips to white too.
//!
//! Where torch's behaviour is undefined or fails late we return an [`Error`](crate::Error) instead:
//! NaN pixels (numpy turns them into an unspecified byte, in practice black, with a warning),
//! two channels or more than four, repeated or unknown letters in the format, zero-sized
//! dimensions, and images too large for PNG or for one protobuf message.
//!
//! # Layout
//!
//! One job per file: `format` ([`DataFormat`]), `image_u8` ([`ImageU8`] and the size limits),
//! `convert` (the conversion planner, the pixel rules and the [`ImageInput`] impls for slices
//! and [`ImageU8`]), `candle` (tensors, with the `candle` feature), `image_crate` (the `image`
//! crate's buffers, with the `image` feature), `png` (encoding) and `summary` (the
//! `Summary.Image` message).

#[cfg(feature = "candle")]
mod candle;
mod convert;
mod format;
#[cfg(feature = "image")]
mod image_crate;
mod image_u8;
mod png;
mod summary;

#[cfg(feature = "candle")]
pub use self::candle::convert_tensor_with;
pub use self::convert::{to_image_u8, ImageInput, PixelRule, PixelValue, BATCH_COLUMNS};
pub use self::format::DataFormat;
pub use self::image_u8::{ImageU8, MAX_IMAGE_BYTES, MAX_PNG_DIMENSION};
pub use self::png::{encode_png, encode_png_with, PNG_DEFLATE, PNG_FILTER};
pub use self::summary::{image_summary, image_summary_from_png};
