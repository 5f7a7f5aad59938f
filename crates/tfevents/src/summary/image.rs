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
//! Where torch's behaviour is undefined or fails late we return an [`Error`] instead:
//! NaN pixels (numpy turns them into an unspecified byte, in practice black, with a warning),
//! two channels or more than four, repeated or unknown letters in the format, zero-sized
//! dimensions, and images too large for PNG or for one protobuf message.

use std::fmt;
use std::str::FromStr;

#[cfg(feature = "candle")]
use candle_core::{CpuStorage, DType, Device, Storage, Tensor};

use crate::proto;
use crate::{Error, Result};

/// Tiles per row when a batch is turned into one image (torch's `_utils.make_grid(ncols=8)`).
pub const BATCH_COLUMNS: usize = 8;

/// The largest width or height a PNG can have (the PNG specification caps both at 2^31 - 1,
/// which is also the largest value `Summary.Image`'s `int32` fields hold).
pub const MAX_PNG_DIMENSION: usize = i32::MAX as usize;

/// The largest pixel buffer we convert or encode, in bytes: 2^31 - 1.
///
/// A `Summary` is one protobuf message and protobuf refuses messages over 2 GiB, so TensorBoard
/// could not read a larger image even where PNG compression would shrink it.
pub const MAX_IMAGE_BYTES: usize = i32::MAX as usize;

/// The layout of an image tensor: which axis holds the batch (`N`), channels (`C`), rows (`H`)
/// and columns (`W`).
///
/// The common layouts are constants ([`DataFormat::CHW`], the default, [`DataFormat::HWC`],
/// [`DataFormat::HW`], [`DataFormat::NCHW`], [`DataFormat::NHWC`]); any other order torch's
/// `convert_to_HWC` accepts comes from [`DataFormat::parse`] (or `"WHC".parse()`): two letters
/// `H`, `W`; three letters `C`, `H`, `W`; four letters `N`, `C`, `H`, `W`; each once, in any
/// order, upper or lower case. The number of letters must equal the tensor's rank.
///
/// ```
/// use tfevents::summary::image::DataFormat;
/// let f: DataFormat = "hwc".parse()?;
/// assert_eq!(f, DataFormat::HWC);
/// assert_eq!(DataFormat::parse("WHC")?.to_string(), "WHC");
/// assert!(DataFormat::parse("CHH").is_err());
/// # Ok::<(), tfevents::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct DataFormat {
    /// The axis letters in order, upper case; only the first `rank` are used.
    letters: [u8; 4],
    rank: u8,
}

impl DataFormat {
    /// Channels, height, width: PyTorch's default for `add_image`.
    pub const CHW: DataFormat = DataFormat::new_unchecked(*b"CHW_", 3);
    /// Height, width, channels: numpy / PIL / `image` crate order.
    pub const HWC: DataFormat = DataFormat::new_unchecked(*b"HWC_", 3);
    /// Height, width: a grey image.
    pub const HW: DataFormat = DataFormat::new_unchecked(*b"HW__", 2);
    /// Batch, channels, height, width: PyTorch's default for `add_images`.
    pub const NCHW: DataFormat = DataFormat::new_unchecked(*b"NCHW", 4);
    /// Batch, height, width, channels.
    pub const NHWC: DataFormat = DataFormat::new_unchecked(*b"NHWC", 4);

    const fn new_unchecked(letters: [u8; 4], rank: u8) -> Self {
        DataFormat { letters, rank }
    }

    /// Parses a format such as `"CHW"`, `"hwc"`, `"WH"` or `"NHWC"`.
    ///
    /// Errors name the problem: a repeated letter, a letter that is not one of `N`, `C`, `H`,
    /// `W`, a missing axis, or a length other than 2, 3 or 4.
    pub fn parse(format: &str) -> Result<Self> {
        let upper = format.to_ascii_uppercase();
        let bytes = upper.as_bytes();
        let needed: &[u8] = match bytes.len() {
            2 => b"HW",
            3 => b"CHW",
            4 => b"NCHW",
            _ => {
                return Err(Error::invalid(
                    "dataformats",
                    format!(
                        "`{format}` has {} letters; use 2 (HW), 3 (e.g. CHW, HWC) or 4 (e.g. NCHW, NHWC) letters, one per tensor dimension",
                        format.chars().count()
                    ),
                ))
            }
        };
        let mut letters = *b"____";
        for (i, &b) in bytes.iter().enumerate() {
            if !needed.contains(&b) {
                return Err(Error::invalid(
                    "dataformats",
                    format!(
                        "`{format}` contains `{}`; a {}-letter format uses only the letters {}",
                        b as char,
                        bytes.len(),
                        String::from_utf8_lossy(needed)
                    ),
                ));
            }
            if bytes[..i].contains(&b) {
                return Err(Error::invalid(
                    "dataformats",
                    format!(
                        "`{format}` uses `{}` twice; name each dimension once, e.g. {}",
                        b as char,
                        String::from_utf8_lossy(needed)
                    ),
                ));
            }
            letters[i] = b;
        }
        // Distinct letters from a set of the same size: every axis is present.
        Ok(DataFormat {
            letters,
            rank: bytes.len() as u8,
        })
    }

    /// The number of tensor dimensions this format describes (2, 3 or 4).
    pub fn rank(&self) -> usize {
        self.rank as usize
    }

    /// The format's letters, e.g. `"CHW"`.
    pub fn as_str(&self) -> &str {
        // The letters are ASCII by construction.
        std::str::from_utf8(&self.letters[..self.rank()]).unwrap_or("")
    }

    /// Whether this is a batch format (four letters, with `N`).
    pub fn is_batch(&self) -> bool {
        self.rank == 4
    }

    /// Position of `axis` in the format, if present.
    fn position(&self, axis: u8) -> Option<usize> {
        self.letters[..self.rank()].iter().position(|&b| b == axis)
    }
}

impl Default for DataFormat {
    /// [`DataFormat::CHW`], as PyTorch's `add_image`.
    fn default() -> Self {
        DataFormat::CHW
    }
}

impl fmt::Display for DataFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for DataFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DataFormat({})", self.as_str())
    }
}

impl FromStr for DataFormat {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        DataFormat::parse(s)
    }
}

impl TryFrom<&str> for DataFormat {
    type Error = Error;
    fn try_from(s: &str) -> Result<Self> {
        DataFormat::parse(s)
    }
}

/// An 8-bit image ready for PNG encoding: `height` rows of `width` pixels of `channels` bytes,
/// row-major, channels interleaved (HWC).
///
/// Channels: 1 grey, 2 grey + alpha, 3 RGB, 4 RGBA. The conversions in this module always
/// produce 3 or 4 (PyTorch turns grey into RGB before encoding).
#[derive(Clone, PartialEq, Eq)]
pub struct ImageU8 {
    height: usize,
    width: usize,
    channels: usize,
    data: Vec<u8>,
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
            return Err(Error::invalid(
                "channels",
                format!("{channels} channels; an image has 1 (grey), 2 (grey + alpha), 3 (RGB) or 4 (RGBA)"),
            ));
        }
        let len = checked_image_bytes(height, width, channels)?;
        if data.len() != len {
            return Err(Error::invalid(
                "data",
                format!(
                    "{} bytes for a {height}x{width} image with {channels} channels; it needs height * width * channels = {len} bytes in HWC order",
                    data.len()
                ),
            ));
        }
        Ok(ImageU8 {
            height,
            width,
            channels,
            data,
        })
    }

    /// Rows.
    pub fn height(&self) -> usize {
        self.height
    }

    /// Columns.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Bytes per pixel: 1 grey, 2 grey + alpha, 3 RGB, 4 RGBA.
    pub fn channels(&self) -> usize {
        self.channels
    }

    /// The pixels, HWC.
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// The pixels, HWC, without copying.
    pub fn into_data(self) -> Vec<u8> {
        self.data
    }

    /// The pixel at row `y`, column `x`, or `None` outside the image.
    pub fn pixel(&self, y: usize, x: usize) -> Option<&[u8]> {
        if y >= self.height || x >= self.width {
            return None;
        }
        let start = (y * self.width + x) * self.channels;
        self.data.get(start..start + self.channels)
    }
}

/// Checks an image size against PNG's and protobuf's limits and returns its byte count.
fn checked_image_bytes(height: usize, width: usize, channels: usize) -> Result<usize> {
    if height == 0 || width == 0 {
        return Err(Error::invalid(
            "img_tensor",
            format!(
                "the image is {height}x{width} pixels; both height and width must be at least 1"
            ),
        ));
    }
    if height > MAX_PNG_DIMENSION || width > MAX_PNG_DIMENSION {
        return Err(Error::invalid(
            "img_tensor",
            format!(
                "the image is {height}x{width} pixels; PNG allows at most {MAX_PNG_DIMENSION} in each direction, log a smaller crop or a downscaled image"
            ),
        ));
    }
    let bytes = height
        .checked_mul(width)
        .and_then(|p| p.checked_mul(channels))
        .filter(|&b| b <= MAX_IMAGE_BYTES)
        .ok_or_else(|| {
            Error::invalid(
                "img_tensor",
                format!(
                    "the image is {height}x{width} pixels with {channels} channels, over {MAX_IMAGE_BYTES} bytes; TensorBoard cannot read an image summary over 2 GiB, log a smaller crop or a downscaled image"
                ),
            )
        })?;
    Ok(bytes)
}

/// Anything [`to_image_u8`] (and the writer's `add_image` / `add_images`) accepts.
///
/// Implemented for candle [`Tensor`]s of any dtype on any device (read in the layout the
/// [`DataFormat`] names; copied to the host once, converted in one pass), for a slice with a
/// shape (`(&[f32], shape)`, `(&[f64], shape)`, `(&[u8], shape)`, shape anything like
/// `&[usize]` or `[usize; N]`, row-major), for [`ImageU8`], and for the `image` crate's
/// `RgbImage`, `RgbaImage`, `GrayImage` and `DynamicImage`. The `image` crate's buffers and
/// [`ImageU8`] are HWC by nature, so the `format` argument is ignored for them.
pub trait ImageInput {
    /// Converts to 8-bit HWC pixels following `torch.utils.tensorboard`'s rules.
    fn to_image_u8(&self, format: DataFormat) -> Result<ImageU8>;
}

impl<T: ImageInput + ?Sized> ImageInput for &T {
    fn to_image_u8(&self, format: DataFormat) -> Result<ImageU8> {
        (**self).to_image_u8(format)
    }
}

/// Converts `image` to 8-bit HWC pixels with PyTorch's rules (see the module docs).
///
/// ```
/// use tfevents::summary::image::{to_image_u8, DataFormat};
/// // A 1x2x3 grey CHW image becomes 2x3 RGB.
/// let values = [0f32, 0.5, 1.0, 1.1, -1.0, 0.999];
/// let img = to_image_u8((&values[..], [1, 2, 3]), DataFormat::CHW)?;
/// assert_eq!((img.height(), img.width(), img.channels()), (2, 3, 3));
/// assert_eq!(img.pixel(0, 1), Some(&[127u8, 127, 127][..]));
/// assert_eq!(img.pixel(1, 0), Some(&[255u8, 255, 255][..]));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn to_image_u8(image: impl ImageInput, format: DataFormat) -> Result<ImageU8> {
    image.to_image_u8(format)
}

/// A pixel value type the converters read: widened to `f64` exactly, then scaled.
pub trait PixelValue: Copy {
    /// The value as an `f64` (exact for every implementing type).
    fn to_f64(self) -> f64;
}

macro_rules! impl_pixel_value {
    ($($t:ty),*) => {$(
        impl PixelValue for $t {
            #[inline(always)]
            fn to_f64(self) -> f64 {
                self as f64
            }
        }
    )*};
}
impl_pixel_value!(f32, f64, u8, u16, u32, i8, i16, i32, i64);

#[cfg(feature = "candle")]
impl PixelValue for half::bf16 {
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self.to_f64()
    }
}

#[cfg(feature = "candle")]
impl PixelValue for half::f16 {
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self.to_f64()
    }
}

/// PyTorch's `add_image` rule for non-`u8` values: the byte, and whether the value was NaN.
#[inline(always)]
fn tb_byte<T: PixelValue>(v: T) -> (u8, bool) {
    // numpy: astype(float32), * 255 (float32), clip(0, 255), astype(uint8).
    let v = v.to_f64() as f32 * 255.0;
    // `as u8` truncates and sends NaN to 0; the flag reports NaN separately.
    (v.clamp(0.0, 255.0) as u8, v.is_nan())
}

#[cfg(feature = "candle")]
/// `torchvision.utils.save_image`'s rule: `* 255 + 0.5`, clamp, truncate (round half up).
#[inline(always)]
fn save_byte<T: PixelValue>(v: T) -> (u8, bool) {
    let v = v.to_f64() as f32 * 255.0 + 0.5;
    (v.clamp(0.0, 255.0) as u8, v.is_nan())
}

/// `u8` is taken as it is by both rules. (torchvision's `save_image` would multiply a `uint8`
/// tensor by 255 with wrap-around; the bytes as they are is what anyone saving a u8 grid means.)
#[inline(always)]
fn same_byte(v: u8) -> (u8, bool) {
    (v, false)
}

/// How a source tensor maps onto the output image: everything is decided from the shape alone,
/// before any data is copied, so bad shapes fail cheaply.
#[derive(Debug, Clone, Copy)]
struct Plan {
    /// Images in the batch (1 for a single image).
    n: usize,
    /// Source channels (1, 3 or 4).
    c: usize,
    h: usize,
    w: usize,
    /// Element strides of the source for each logical axis (0 where the axis is absent).
    sn: usize,
    sc: usize,
    sh: usize,
    sw: usize,
    /// Grid columns (1 for a single image).
    cols: usize,
    out_h: usize,
    out_w: usize,
    /// Output channels: 3 or 4.
    out_c: usize,
}

impl Plan {
    /// Plans the conversion of a tensor with `dims` and element `strides` read as `format`.
    fn new(dims: &[usize], strides: &[usize], format: DataFormat) -> Result<Plan> {
        if dims.len() != format.rank() {
            return Err(Error::invalid(
                "dataformats",
                format!(
                    "the tensor has shape {dims:?} ({} dimensions) but the format `{format}` has {} letters; pass a format with one letter per dimension, e.g. {}",
                    dims.len(),
                    format.rank(),
                    match dims.len() {
                        2 => "HW",
                        3 => "CHW or HWC",
                        4 => "NCHW or NHWC",
                        _ => "reshape the tensor to 2 (HW), 3 (CHW) or 4 (NCHW) dimensions",
                    }
                ),
            ));
        }
        if dims.contains(&0) {
            return Err(Error::invalid(
                "img_tensor",
                format!("the tensor has shape {dims:?}; an image needs every dimension at least 1"),
            ));
        }
        let axis = |letter: u8| -> (usize, usize) {
            match format.position(letter) {
                Some(i) => (
                    dims.get(i).copied().unwrap_or(1),
                    strides.get(i).copied().unwrap_or(0),
                ),
                None => (1, 0),
            }
        };
        let (n, sn) = axis(b'N');
        let (c, sc) = axis(b'C');
        let (h, sh) = axis(b'H');
        let (w, sw) = axis(b'W');
        let out_c = match c {
            1 | 3 => 3,
            4 => 4,
            _ => {
                return Err(Error::invalid(
                    "img_tensor",
                    format!(
                        "the tensor has shape {dims:?}, read as `{format}` that is {c} channels; an image needs 1 (grey), 3 (RGB) or 4 (RGBA) channels: check the data format, or select channels first (e.g. `narrow`) or log them as a grey batch"
                    ),
                ))
            }
        };
        // torch: ncols = min(nimg, 8); nrows = ceil(nimg / ncols).
        let cols = n.min(BATCH_COLUMNS);
        let rows = n.div_ceil(cols);
        let too_big = || {
            Error::invalid(
                "img_tensor",
                format!("the tensor has shape {dims:?}; its image is too large for PNG"),
            )
        };
        let out_h = h.checked_mul(rows).ok_or_else(too_big)?;
        let out_w = w.checked_mul(cols).ok_or_else(too_big)?;
        checked_image_bytes(out_h, out_w, out_c)?;
        Ok(Plan {
            n,
            c,
            h,
            w,
            sn,
            sc,
            sh,
            sw,
            cols,
            out_h,
            out_w,
            out_c,
        })
    }

    /// The largest element offset (relative to the start) the plan reads, for bounds checks.
    fn max_offset(&self) -> usize {
        (self.n - 1) * self.sn
            + (self.c - 1) * self.sc
            + (self.h - 1) * self.sh
            + (self.w - 1) * self.sw
    }

    /// Converts in one pass over the output. `data[start..]` holds the source elements.
    fn run<T: Copy>(
        &self,
        data: &[T],
        start: usize,
        byte: impl Fn(T) -> (u8, bool),
    ) -> Result<ImageU8> {
        let src = data
            .get(start..)
            .filter(|s| s.len() > self.max_offset())
            .ok_or_else(|| {
                Error::invalid(
                    "img_tensor",
                    format!(
                        "the data holds {} values, fewer than its shape and strides need",
                        data.len().saturating_sub(start)
                    ),
                )
            })?;
        let len = self.out_h * self.out_w * self.out_c;
        let mut out = Vec::new();
        out.try_reserve_exact(len).map_err(|e| {
            Error::invalid(
                "img_tensor",
                format!("cannot allocate {len} bytes for the image: {e}"),
            )
        })?;
        out.resize(len, 0u8);
        let mut nans = 0usize;
        let row_bytes = self.out_w * self.out_c;
        let tile_bytes = self.w * self.out_c;
        for (y, out_row) in out.chunks_exact_mut(row_bytes).enumerate() {
            let (grid_row, hy) = (y / self.h, y % self.h);
            for (col, tile) in out_row.chunks_exact_mut(tile_bytes).enumerate() {
                let i = grid_row * self.cols + col;
                if i >= self.n {
                    // torch's canvas is zeros, and zero scales to zero.
                    break;
                }
                let base = i * self.sn + hy * self.sh;
                // The match on the line kind sits outside the pixel loops, so each loop is
                // compiled for one access pattern.
                macro_rules! each_line {
                    ($start:expr, |$it:ident| $body:block) => {
                        match Line::new(src, $start, self.w, self.sw)? {
                            Line::Contiguous(i) => {
                                let $it = i.copied();
                                $body
                            }
                            Line::Strided(i) => {
                                let $it = i.copied();
                                $body
                            }
                            Line::Repeat(i) => {
                                let $it = i.copied();
                                $body
                            }
                        }
                    };
                }
                if self.c == 1 {
                    each_line!(base, |line| {
                        for (px, v) in tile.chunks_exact_mut(self.out_c).zip(line) {
                            let (b, nan) = byte(v);
                            nans += nan as usize;
                            px.fill(b);
                        }
                    });
                } else {
                    // One channel at a time: the source is read along its rows (contiguous for
                    // CHW), the output written with a stride of `out_c`.
                    for ch in 0..self.out_c {
                        let outs = tile.get_mut(ch..).unwrap_or_default();
                        each_line!(base + ch * self.sc, |line| {
                            for (p, v) in outs.iter_mut().step_by(self.out_c).zip(line) {
                                let (b, nan) = byte(v);
                                nans += nan as usize;
                                *p = b;
                            }
                        });
                    }
                }
            }
        }
        if nans > 0 {
            return Err(Error::invalid(
                "img_tensor",
                format!(
                    "{nans} of {} pixel values are NaN; replace them first (e.g. with 0) or find where they come from: PyTorch would silently draw them black",
                    self.n * self.c * self.h * self.w
                ),
            ));
        }
        ImageU8::new(self.out_h, self.out_w, self.out_c, out)
    }
}

/// `len` source elements from `start`, `stride` apart, checked against the slice once.
enum Line<'a, T> {
    Contiguous(std::slice::Iter<'a, T>),
    Strided(std::iter::StepBy<std::slice::Iter<'a, T>>),
    Repeat(std::iter::RepeatN<&'a T>),
}

impl<'a, T> Line<'a, T> {
    #[inline]
    fn new(src: &'a [T], start: usize, len: usize, stride: usize) -> Result<Self> {
        let short = || {
            Error::invalid(
                "img_tensor",
                "the data holds fewer values than its shape and strides need",
            )
        };
        Ok(match stride {
            // A broadcast axis: every element is the same value.
            0 => Line::Repeat(std::iter::repeat_n(src.get(start).ok_or_else(short)?, len)),
            1 => Line::Contiguous(src.get(start..start + len).ok_or_else(short)?.iter()),
            s => {
                let end = start + (len - 1) * s + 1;
                Line::Strided(src.get(start..end).ok_or_else(short)?.iter().step_by(s))
            }
        })
    }
}

/// Row-major strides of `dims`.
fn contiguous_strides(dims: &[usize]) -> Vec<usize> {
    let mut strides = vec![1usize; dims.len()];
    for i in (0..dims.len().saturating_sub(1)).rev() {
        strides[i] = strides[i + 1].saturating_mul(dims[i + 1]);
    }
    strides
}

/// Converts a tensor (on any device) to 8-bit HWC pixels read as `format`, scaling values by
/// `rule`: [`PixelRule::TensorBoard`] is what `add_image` does, [`PixelRule::SaveImage`] what
/// torchvision's `save_image` does.
#[cfg(feature = "candle")]
pub fn convert_tensor_with(
    tensor: &Tensor,
    format: DataFormat,
    rule: PixelRule,
) -> Result<ImageU8> {
    // Decide from the shape first: a bad or huge shape fails before any copy.
    Plan::new(tensor.dims(), tensor.stride(), format)?;
    let host = if tensor.device().is_cpu() {
        tensor.clone()
    } else {
        // Only the viewed elements cross to the host.
        tensor.contiguous()?.to_device(&Device::Cpu)?
    };
    let dtype = host.dtype();
    let (storage, layout) = host.storage_and_layout();
    let plan = Plan::new(layout.dims(), layout.stride(), format)?;
    let start = layout.start_offset();
    let cpu = match &*storage {
        Storage::Cpu(cpu) => cpu,
        _ => return Err(Error::invalid(
            "img_tensor",
            "the tensor did not reach host memory; copy it with `to_device(&Device::Cpu)` first",
        )),
    };
    macro_rules! go {
        ($v:expr) => {
            match rule {
                PixelRule::TensorBoard => plan.run($v, start, tb_byte),
                PixelRule::SaveImage => plan.run($v, start, save_byte),
            }
        };
    }
    match cpu {
        CpuStorage::U8(v) => plan.run(v, start, same_byte),
        CpuStorage::U32(v) => go!(v),
        CpuStorage::I16(v) => go!(v),
        CpuStorage::I32(v) => go!(v),
        CpuStorage::I64(v) => go!(v),
        CpuStorage::BF16(v) => go!(v),
        CpuStorage::F16(v) => go!(v),
        CpuStorage::F32(v) => go!(v),
        CpuStorage::F64(v) => go!(v),
        _ => {
            drop(storage);
            // Exotic 8-bit and smaller floats: widen once, then convert.
            let wide = host.to_dtype(DType::F32).map_err(|e| {
                Error::invalid(
                    "img_tensor",
                    format!("dtype {dtype:?} cannot be read as pixels ({e}); convert the tensor to f32 first"),
                )
            })?;
            convert_tensor_with(&wide, format, rule)
        }
    }
}

/// Which scaling turns values into bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PixelRule {
    /// `torch.utils.tensorboard`: u8 as is, others `* 255`, clip, truncate.
    TensorBoard,
    /// `torchvision.utils.save_image`: `* 255 + 0.5`, clamp, truncate (round half up).
    SaveImage,
}

#[cfg(feature = "candle")]
impl ImageInput for Tensor {
    fn to_image_u8(&self, format: DataFormat) -> Result<ImageU8> {
        convert_tensor_with(self, format, PixelRule::TensorBoard)
    }
}

fn slice_to_image<T: Copy>(
    data: &[T],
    shape: &[usize],
    format: DataFormat,
    byte: impl Fn(T) -> (u8, bool),
) -> Result<ImageU8> {
    let count = shape
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .ok_or_else(|| Error::invalid("shape", format!("{shape:?} overflows usize")))?;
    let plan = Plan::new(shape, &contiguous_strides(shape), format)?;
    if count != data.len() {
        return Err(Error::invalid(
            "shape",
            format!(
                "shape {shape:?} needs {count} values but the slice holds {}; pass the slice's row-major shape",
                data.len()
            ),
        ));
    }
    plan.run(data, 0, byte)
}

impl<S: AsRef<[usize]>> ImageInput for (&[f32], S) {
    fn to_image_u8(&self, format: DataFormat) -> Result<ImageU8> {
        slice_to_image(self.0, self.1.as_ref(), format, tb_byte)
    }
}

impl<S: AsRef<[usize]>> ImageInput for (&[f64], S) {
    fn to_image_u8(&self, format: DataFormat) -> Result<ImageU8> {
        slice_to_image(self.0, self.1.as_ref(), format, tb_byte)
    }
}

impl<S: AsRef<[usize]>> ImageInput for (&[u8], S) {
    fn to_image_u8(&self, format: DataFormat) -> Result<ImageU8> {
        slice_to_image(self.0, self.1.as_ref(), format, same_byte)
    }
}

impl ImageInput for ImageU8 {
    fn to_image_u8(&self, _format: DataFormat) -> Result<ImageU8> {
        match self.channels {
            3 | 4 => Ok(self.clone()),
            // Grey (+ alpha) becomes RGB (+ alpha), as PyTorch turns one channel into three.
            1 => ImageU8::new(
                self.height,
                self.width,
                3,
                self.data.iter().flat_map(|&g| [g, g, g]).collect(),
            ),
            _ => ImageU8::new(
                self.height,
                self.width,
                4,
                self.data
                    .chunks_exact(2)
                    .flat_map(|ga| [ga[0], ga[0], ga[0], ga[1]])
                    .collect(),
            ),
        }
    }
}

#[cfg(feature = "image")]
impl ImageInput for image::RgbImage {
    fn to_image_u8(&self, _format: DataFormat) -> Result<ImageU8> {
        let (w, h) = self.dimensions();
        ImageU8::new(h as usize, w as usize, 3, self.as_raw().clone())
    }
}

#[cfg(feature = "image")]
impl ImageInput for image::RgbaImage {
    fn to_image_u8(&self, _format: DataFormat) -> Result<ImageU8> {
        let (w, h) = self.dimensions();
        ImageU8::new(h as usize, w as usize, 4, self.as_raw().clone())
    }
}

#[cfg(feature = "image")]
impl ImageInput for image::GrayImage {
    fn to_image_u8(&self, _format: DataFormat) -> Result<ImageU8> {
        let (w, h) = self.dimensions();
        let raw = self.as_raw();
        let len = checked_image_bytes(h as usize, w as usize, 3)?;
        let mut data = Vec::with_capacity(len);
        data.extend(raw.iter().flat_map(|&g| [g, g, g]));
        ImageU8::new(h as usize, w as usize, 3, data)
    }
}

#[cfg(feature = "image")]
impl ImageInput for image::DynamicImage {
    /// 8-bit RGB and RGBA are taken as they are; grey becomes RGB, grey + alpha becomes RGBA,
    /// 16-bit and float images are converted by the `image` crate (which scales them to 8 bits).
    fn to_image_u8(&self, format: DataFormat) -> Result<ImageU8> {
        use image::DynamicImage as D;
        match self {
            D::ImageRgb8(i) => i.to_image_u8(format),
            D::ImageRgba8(i) => i.to_image_u8(format),
            D::ImageLuma8(i) => i.to_image_u8(format),
            other if other.color().has_alpha() => other.to_rgba8().to_image_u8(format),
            other => other.to_rgb8().to_image_u8(format),
        }
    }
}

/// [`encode_png`]'s DEFLATE setting: `fdeflate` (the `png` crate's fast path).
/// Chosen by measurement, see [`PNG_FILTER`] and `benches/images.rs`.
pub const PNG_DEFLATE: png::DeflateCompression = png::DeflateCompression::FdeflateUltraFast;

/// [`encode_png`]'s row filter. With `fdeflate`, `Paeth` gives files as small as the adaptive
/// per-row choice at a fraction of its cost, and `Up` is faster but 20% larger on smooth images.
pub const PNG_FILTER: png::Filter = png::Filter::Paeth;

/// Encodes `img` as an 8-bit PNG (grey, grey + alpha, RGB or RGBA by channel count) with
/// [`PNG_DEFLATE`] and [`PNG_FILTER`].
pub fn encode_png(img: &ImageU8) -> Result<Vec<u8>> {
    encode_png_with(img, PNG_DEFLATE, PNG_FILTER)
}

/// [`encode_png`] with an explicit DEFLATE setting and row filter, for benchmarks and for users
/// who trade size for speed (e.g. `DeflateCompression::Level(6)` with `Filter::Adaptive` is
/// what PIL, and so PyTorch, writes).
pub fn encode_png_with(
    img: &ImageU8,
    deflate: png::DeflateCompression,
    filter: png::Filter,
) -> Result<Vec<u8>> {
    // Revalidate: the fields are private, but keep the encoder's preconditions local.
    let len = checked_image_bytes(img.height, img.width, img.channels)?;
    if img.data.len() != len {
        return Err(Error::Image(format!(
            "pixel buffer holds {} bytes, expected {len}",
            img.data.len()
        )));
    }
    let color = match img.channels {
        1 => png::ColorType::Grayscale,
        2 => png::ColorType::GrayscaleAlpha,
        3 => png::ColorType::Rgb,
        4 => png::ColorType::Rgba,
        c => {
            return Err(Error::Image(format!(
                "{c} channels cannot be stored in a PNG"
            )))
        }
    };
    // Both fit in u32: checked against MAX_PNG_DIMENSION above.
    let (w, h) = (img.width as u32, img.height as u32);
    // Noise does not compress: reserve the raw size plus headers up front.
    let mut out = Vec::with_capacity(len + len / 64 + 1024);
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(color);
        enc.set_depth(png::BitDepth::Eight);
        enc.set_deflate_compression(deflate);
        enc.set_filter(filter);
        let mut writer = enc
            .write_header()
            .map_err(|e| Error::Image(format!("PNG header for {w}x{h}: {e}")))?;
        writer
            .write_image_data(&img.data)
            .map_err(|e| Error::Image(format!("PNG data for {w}x{h}: {e}")))?;
        writer
            .finish()
            .map_err(|e| Error::Image(format!("PNG end for {w}x{h}: {e}")))?;
    }
    Ok(out)
}

/// Builds the `Summary` PyTorch's `summary.image` builds: one value with `tag` and a
/// `Summary.Image` holding the true height, width, the channel count as colorspace, and the
/// PNG bytes.
pub fn image_summary(tag: &str, img: &ImageU8) -> Result<proto::Summary> {
    let png = encode_png(img)?;
    image_summary_from_png(tag, img.height, img.width, img.channels, png)
}

/// The `Summary` for an already encoded PNG of `height` x `width` with `channels` channels.
pub fn image_summary_from_png(
    tag: &str,
    height: usize,
    width: usize,
    channels: usize,
    png: Vec<u8>,
) -> Result<proto::Summary> {
    let to_i32 = |name: &'static str, v: usize| {
        i32::try_from(v)
            .map_err(|_| Error::invalid(name, format!("{v} does not fit Summary.Image's int32")))
    };
    Ok(proto::Summary {
        value: vec![proto::summary::Value {
            node_name: String::new(),
            tag: tag.to_string(),
            metadata: None,
            value: Some(proto::summary::value::Value::Image(proto::summary::Image {
                height: to_i32("height", height)?,
                width: to_i32("width", width)?,
                colorspace: to_i32("channels", channels)?,
                encoded_image_string: png,
            })),
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strides_row_major() {
        assert_eq!(contiguous_strides(&[2, 3, 4]), vec![12, 4, 1]);
        assert_eq!(contiguous_strides(&[5]), vec![1]);
    }

    #[test]
    fn plan_of_batch() -> std::result::Result<(), Box<dyn std::error::Error>> {
        // 10 images of 2x3: 8 columns, 2 rows.
        let p = Plan::new(
            &[10, 1, 2, 3],
            &contiguous_strides(&[10, 1, 2, 3]),
            DataFormat::NCHW,
        )?;
        assert_eq!((p.out_h, p.out_w, p.out_c, p.cols), (4, 24, 3, 8));
        let p = Plan::new(
            &[3, 1, 2, 3],
            &contiguous_strides(&[3, 1, 2, 3]),
            DataFormat::NCHW,
        )?;
        assert_eq!((p.out_h, p.out_w, p.cols), (2, 9, 3));
        Ok(())
    }
}
