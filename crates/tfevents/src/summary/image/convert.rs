//! The conversion to 8-bit HWC pixels: the plan (decided from the shape alone, before any
//! data is read), the pixel rules, and the [`ImageInput`] impls for slices and [`ImageU8`].

use super::format::{bad_format, DataFormat};
use super::image_u8::{checked_image_bytes, ImageU8, MAX_IMAGE_BYTES};
use crate::{Error, Result};

/// Tiles per row when a batch is turned into one image (torch's `_utils.make_grid(ncols=8)`).
pub const BATCH_COLUMNS: usize = 8;

/// Anything [`to_image_u8`] (and the writer's `add_image` / `add_images`) accepts.
///
/// Implemented for candle `Tensor`s of any dtype on any device (read in the layout the
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

/// PyTorch's `add_image` rule for non-`u8` values: the byte, and whether the value was NaN.
#[inline(always)]
pub(super) fn tb_byte<T: PixelValue>(v: T) -> (u8, bool) {
    // numpy: astype(float32), * 255 (float32), clip(0, 255), astype(uint8).
    let v = v.to_f64() as f32 * 255.0;
    // `as u8` truncates and sends NaN to 0; the flag reports NaN separately.
    (v.clamp(0.0, 255.0) as u8, v.is_nan())
}

/// `u8` is taken as it is by both rules. (torchvision's `save_image` would multiply a `uint8`
/// tensor by 255 with wrap-around; the bytes as they are is what anyone saving a u8 grid means.)
#[inline(always)]
pub(super) fn same_byte(v: u8) -> (u8, bool) {
    (v, false)
}

/// How a source tensor maps onto the output image: everything is decided from the shape alone,
/// before any data is copied, so bad shapes fail cheaply.
#[derive(Debug, Clone, Copy)]
pub(super) struct Plan {
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
    pub(super) fn new(dims: &[usize], strides: &[usize], format: DataFormat) -> Result<Plan> {
        if dims.len() != format.rank() {
            return Err(bad_format(format.as_str(),
                format!(
                    "the tensor has shape {dims:?} ({} dimensions) but the format has {} letters; pass a format with one letter per dimension, e.g. {}",
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
            return Err(Error::BadShape {
                what: "img_tensor".to_string(),
                shape: dims.to_vec(),
                expected: "an image needs every dimension at least 1",
            });
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
                return Err(Error::BadShape {
                    what: format!("img_tensor read as `{format}` ({c} channels)"),
                    shape: dims.to_vec(),
                    expected: "an image needs 1 (grey), 3 (RGB) or 4 (RGBA) channels: check the data format, or select channels first (e.g. `narrow`) or log them as a grey batch",
                })
            }
        };
        // torch: ncols = min(nimg, 8); nrows = ceil(nimg / ncols).
        let cols = n.min(BATCH_COLUMNS);
        let rows = n.div_ceil(cols);
        let too_big = || Error::TooLarge {
            what: "the image",
            bytes: (h as u128)
                .saturating_mul(rows as u128)
                .saturating_mul(w as u128)
                .saturating_mul(cols as u128)
                .saturating_mul(out_c as u128),
            limit: MAX_IMAGE_BYTES,
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
    pub(super) fn run<T: Copy>(
        &self,
        data: &[T],
        start: usize,
        byte: impl Fn(T) -> (u8, bool),
    ) -> Result<ImageU8> {
        let src = self.source(data, start)?;
        let mut out = self.zeroed_output()?;
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
                nans += self.fill_tile_row(src, i * self.sn + hy * self.sh, tile, &byte)?;
            }
        }
        if nans > 0 {
            return Err(Error::NanPixels {
                tag: None,
                count: nans,
                total: self.n * self.c * self.h * self.w,
            });
        }
        ImageU8::new(self.out_h, self.out_w, self.out_c, out)
    }

    /// `data[start..]`, once it holds every element the plan reads.
    fn source<'a, T>(&self, data: &'a [T], start: usize) -> Result<&'a [T]> {
        data.get(start..)
            .filter(|s| s.len() > self.max_offset())
            .ok_or_else(|| Error::ShapeMismatch {
                shape: vec![self.n, self.c, self.h, self.w],
                needs: self.max_offset() + 1,
                got: data.len().saturating_sub(start),
            })
    }

    /// The output's bytes, all 0, or an error if the memory cannot be had.
    fn zeroed_output(&self) -> Result<Vec<u8>> {
        let len = self.out_h * self.out_w * self.out_c;
        let mut out = Vec::new();
        out.try_reserve_exact(len).map_err(|e| {
            Error::invalid(
                "img_tensor",
                format!("cannot allocate {len} bytes for the image: {e}"),
            )
        })?;
        out.resize(len, 0u8);
        Ok(out)
    }

    /// Converts one row of one image of the grid, starting at source element `base`, into
    /// `tile`; returns how many source values were NaN.
    #[inline]
    fn fill_tile_row<T: Copy>(
        &self,
        src: &[T],
        base: usize,
        tile: &mut [u8],
        byte: &impl Fn(T) -> (u8, bool),
    ) -> Result<usize> {
        let mut nans = 0usize;
        // The match on the line kind sits outside the pixel loops, so each loop is compiled
        // for one access pattern.
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
            // One channel at a time: the source is read along its rows (contiguous for CHW),
            // the output written with a stride of `out_c`.
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
        Ok(nans)
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
        let short = || Error::ShapeMismatch {
            shape: vec![len],
            needs: start + len.saturating_sub(1) * stride + 1,
            got: src.len(),
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

/// Which scaling turns values into bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PixelRule {
    /// `torch.utils.tensorboard`: u8 as is, others `* 255`, clip, truncate.
    TensorBoard,
    /// `torchvision.utils.save_image`: `* 255 + 0.5`, clamp, truncate (round half up).
    SaveImage,
}

fn slice_to_image<T: Copy>(
    data: &[T],
    shape: &[usize],
    format: DataFormat,
    byte: impl Fn(T) -> (u8, bool),
) -> Result<ImageU8> {
    // Saturated: an overflowing shape cannot match any slice, and says so.
    let count = shape
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .unwrap_or(usize::MAX);
    let plan = Plan::new(shape, &contiguous_strides(shape), format)?;
    if count != data.len() {
        return Err(Error::ShapeMismatch {
            shape: shape.to_vec(),
            needs: count,
            got: data.len(),
        });
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
